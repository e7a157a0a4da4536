// The latency helpers of the replica group benchmark (bench/latency.ts): quantiles by nearest
// rank, the sample list growing past its first buffer, and the longest gap between events.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Latencies, longestGap, quantile } from '../../bench/latency.js';

test('quantile picks the nearest rank', () => {
  const s = Float64Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  assert.equal(quantile(s, 0.5), 5);
  assert.equal(quantile(s, 0.99), 10);
  assert.equal(quantile(s, 0), 1);
  assert.ok(Number.isNaN(quantile([], 0.5)));
});

test('Latencies keeps every sample past its first buffer and sorts them numerically', () => {
  const l = new Latencies();
  const n = (1 << 16) + 10;
  for (let i = n; i > 0; i--) l.push(i / 10);
  const s = l.sorted();
  assert.equal(s.length, n);
  assert.equal(s[0], 0.1);
  assert.equal(s[n - 1], n / 10);
  assert.equal(quantile(s, 0.5), Math.ceil(n / 2) / 10);
});

test('longestGap finds the widest hole between unordered times', () => {
  assert.deepEqual(longestGap([5, 1, 2, 30, 31, 3]), { gapMs: 25, from: 5, to: 30 });
  assert.ok(Number.isNaN(longestGap([7]).gapMs));
});
