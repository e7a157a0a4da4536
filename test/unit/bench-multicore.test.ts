// The arithmetic of the multi-core benchmark (bench/multicore-aggregate.ts): how a load is split
// between processes, what concurrent runs add up to, and the medians of per-round ratios.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { aggregateRun, splitEvenly, summarizeRounds, type RoundRuns, type RunAggregate } from '../../bench/multicore-aggregate.js';

test('splitEvenly gives whole shares that add up, the larger ones first', () => {
  assert.deepEqual(splitEvenly(50, 2), [25, 25]);
  assert.deepEqual(splitEvenly(50, 3), [17, 17, 16]);
  assert.deepEqual(splitEvenly(100_000, 1), [100_000]);
  assert.deepEqual(splitEvenly(3, 3), [1, 1, 1]);
  for (const [total, parts] of [[7, 4], [100_001, 2], [49, 5]] as const) {
    const shares = splitEvenly(total, parts);
    assert.equal(shares.length, parts);
    assert.equal(shares.reduce((a, b) => a + b, 0), total);
    assert.ok(Math.max(...shares) - Math.min(...shares) <= 1);
  }
});

test('splitEvenly refuses splits with an empty or fractional share', () => {
  assert.throws(() => splitEvenly(1, 2), /shares of at least 1/);
  assert.throws(() => splitEvenly(10, 0), /0 parts/);
  assert.throws(() => splitEvenly(10, 1.5), /1.5 parts/);
  assert.throws(() => splitEvenly(10.5, 2), /10.5/);
});

test('aggregateRun counts all requests over the longest part, which is below the sum of rates when one part ends early', () => {
  // 10,000 requests at 20,000/s take 0.5 s; the other 10,000 at 10,000/s take 1 s.
  const a = aggregateRun([{ requests: 10_000, ops: 20_000 }, { requests: 10_000, ops: 10_000 }], 1200, 0.5)!;
  assert.equal(a.ops, 20_000);
  assert.equal(a.sumOfRates, 30_000);
  assert.equal(a.requests, 20_000);
  assert.equal(a.busyMs, 1000);
  assert.equal(a.wallMs, 1200);
  assert.equal(a.serverCores, 0.5);
  assert.equal(a.serverMicrosPerRequest, 25);
});

test('aggregateRun of parts that end together is the sum of their rates', () => {
  const a = aggregateRun([{ requests: 25_000, ops: 50_000 }, { requests: 25_000, ops: 50_000 }], 600, 0.75)!;
  assert.equal(a.ops, 100_000);
  assert.equal(a.sumOfRates, 100_000);
  assert.equal(a.serverCores, 1.5);
});

test('aggregateRun is null when a part failed or there are no parts', () => {
  assert.equal(aggregateRun([{ requests: 10, ops: 5 }, { requests: 10, ops: null }], 1000, 0), null);
  assert.equal(aggregateRun([{ requests: 10, ops: 0 }], 1000, 0), null);
  assert.equal(aggregateRun([{ requests: 0, ops: 5 }], 1000, 0), null);
  assert.equal(aggregateRun([], 1000, 0), null);
});

function run(ops: number, cores = 1, micros = 1): RunAggregate {
  return { ops, sumOfRates: ops, requests: 1000, busyMs: 1000, wallMs: 1000, serverCores: cores, serverMicrosPerRequest: micros };
}

test('summarizeRounds takes ratios within each round, then their median', () => {
  const rounds: RoundRuns[] = [
    // A slow round: every number halves, the ratios stay.
    { cairnOne: run(50), cairnMany: run(80), redisOne: run(100), redisMany: run(190) },
    { cairnOne: run(100), cairnMany: run(160), redisOne: run(200), redisMany: run(380) },
    { cairnOne: run(100), cairnMany: run(190), redisOne: run(150), redisMany: run(300) },
  ];
  const s = summarizeRounds(rounds)!;
  assert.equal(s.completeRounds, 3);
  assert.equal(s.cairn.opsOne, 100);
  assert.equal(s.cairn.opsMany, 160);
  assert.equal(s.cairn.scaling, 1.6);
  assert.equal(s.redis.scaling, 1.9);
  assert.equal(s.ratioOne, 0.5);
  assert.equal(s.ratioMany, 80 / 190);
  // The ratio of medians would say 160 / 300: not what any round measured.
  assert.notEqual(s.ratioMany, s.cairn.opsMany / s.redis.opsMany);
});

test('summarizeRounds leaves out rounds with a failed run, and is null without a complete round', () => {
  const complete: RoundRuns = { cairnOne: run(10, 0.5, 20), cairnMany: run(15, 0.8, 21), redisOne: run(20, 0.4, 5), redisMany: run(36, 0.9, 6) };
  const broken: RoundRuns = { ...complete, redisMany: null };
  const s = summarizeRounds([broken, complete])!;
  assert.equal(s.completeRounds, 1);
  assert.equal(s.cairn.scaling, 1.5);
  assert.equal(s.redis.scaling, 1.8);
  assert.equal(s.cairn.coresMany, 0.8);
  assert.equal(s.redis.microsOne, 5);
  assert.equal(summarizeRounds([broken]), null);
  assert.equal(summarizeRounds([]), null);
});
