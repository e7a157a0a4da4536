// The table of what the append-only log costs (bench/throughput.ts): each server's ops/s with the
// log over its ops/s without, matched by command and configuration; rows without both are left out.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { logCostTable, type Row, type Summary, type ThroughputResult } from '../../bench/throughput.js';
import type { Persistence } from '../../bench/servers.js';

function summary(ops: number): Summary {
  return { ops, p50Ms: 0.1, p99Ms: 0.2, mbPerSec: null, samples: [] };
}

function row(command: string, persistence: Persistence, cairn: number | null, redis: number): Row {
  const ok = cairn !== null;
  return { command, config: '50 clients', persistence, status: ok ? 'ok' : 'failed', cairn: ok ? summary(cairn) : null, redis: summary(redis), ratio: ok ? cairn / redis : null };
}

function result(rows: Row[]): ThroughputResult {
  return { machine: {}, rounds: 1, quick: false, persistenceSetup: '', loadAfter: 0, rows };
}

test('each server is divided by itself: with the log over without', () => {
  const text = logCostTable(result([
    row('SET', 'off', 100_000, 140_000),
    row('GET', 'off', 110_000, 150_000),
    row('SET', 'log', 90_000, 133_000),
    row('GET', 'log', 110_000, 150_000),
    row('SET', 'default', 1, 1),
  ]))!;
  const lines = text.split('\n').filter((l) => /^\s*(SET|GET)\b/.test(l));
  assert.equal(lines.length, 2, text);
  assert.match(lines.find((l) => l.includes('SET'))!, /0\.90\s+0\.95/);
  assert.match(lines.find((l) => l.includes('GET'))!, /1\.00\s+1\.00/);
});

test('no table without both passes, and a failed row is left out', () => {
  assert.equal(logCostTable(result([row('SET', 'off', 100_000, 140_000)])), null);
  assert.equal(logCostTable(result([row('SET', 'off', null, 140_000), row('SET', 'log', 90_000, 133_000)])), null);
});
