// Whole simulated runs with the toy adapters: a run replays exactly from its seed, the correct
// toy passes every seed tried, each broken toy is caught by a checker from a seed that replays
// to the same failure, and the command line prints that replay command.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { ADAPTERS } from '../../../sim/adapters.js';
import { DEFAULT_RUN, runSimulation, type RunResult } from '../../../sim/run.js';

function run(adapter: string, seed: number, overrides: { nodes?: number; ticks?: number } = {}): RunResult {
  return runSimulation({ ...DEFAULT_RUN, seed, factory: ADAPTERS.get(adapter)!, ticks: 600, ...overrides });
}

/** Everything observable about a run, for replay comparisons. */
function fingerprint(r: RunResult): string {
  return JSON.stringify({ trace: r.traceDigest, failures: r.failures, ops: r.history.ops, events: r.events });
}

describe('simulated runs', () => {
  test('a seed replays exactly', () => {
    const a = run('toy', 5);
    const b = run('toy', 5);
    assert.equal(fingerprint(a), fingerprint(b));
    assert.notEqual(run('toy', 6).traceDigest, a.traceDigest);
  });

  test('the correct toy passes, on 1, 3 and 5 nodes', () => {
    for (const [nodes, seeds] of [[3, 12], [5, 4], [1, 3]] as const) {
      for (let seed = 1; seed <= seeds; seed++) {
        const r = run('toy', seed, { nodes });
        assert.deepEqual(r.failures, [], `seed ${seed} on ${nodes} nodes`);
        assert.ok(r.operations.ok > 100, 'the workload made progress');
      }
    }
  });

  test('the runs exercise the faults they claim', () => {
    let crashes = 0;
    let lost = 0;
    let duplicated = 0;
    const kinds = new Set<string>();
    for (let seed = 1; seed <= 6; seed++) {
      const r = run('toy', seed);
      crashes += r.crashes;
      lost += r.network.droppedLoss + r.network.droppedPartition;
      duplicated += r.network.duplicated;
      for (const k of Object.keys(r.faults)) kinds.add(k);
    }
    assert.ok(crashes > 0 && lost > 0 && duplicated > 0);
    for (const k of ['partition-halves', 'isolate', 'one-way', 'crash', 'disk-faults', 'clock-drift', 'chaos-links']) assert.ok(kinds.has(k), k);
  });

  const broken: ReadonlyArray<[string, RegExp]> = [
    ['toy-stale-read', /not linearizable/],
    ['toy-early-ack', /not linearizable|durability/],
    ['toy-ignore-fsync-error', /not linearizable|durability|convergence|liveness/],
    ['toy-out-of-order', /convergence/],
    ['toy-no-retransmit', /liveness/],
  ];
  for (const [adapter, expected] of broken) {
    test(`${adapter} is caught, and its seed replays to the same failure`, () => {
      let caught: RunResult | null = null;
      for (let seed = 1; seed <= 40 && caught === null; seed++) {
        const r = run(adapter, seed, { ticks: 1000 });
        if (!r.ok) caught = r;
      }
      assert.ok(caught !== null, `${adapter} passed 40 seeds`);
      assert.match(caught.failures.join('\n'), expected);
      const again = run(adapter, caught.seed, { ticks: 1000 });
      assert.equal(fingerprint(again), fingerprint(caught));
    });
  }
});

describe('npm run sim', () => {
  test('a failing seed prints its failures and the exact replay command, and exits 1', () => {
    const r = spawnSync(process.execPath, ['dist/sim/main.js', '--seed', '1', '--adapter', 'toy-stale-read', '--ticks', '600'], { encoding: 'utf8', timeout: 60_000 });
    assert.equal(r.status, 1);
    assert.match(r.stdout, /seed 1: FAILED/);
    assert.match(r.stdout, /replay: npm run sim -- --seed 1 --ticks 600 --adapter toy-stale-read\n/);
  });

  test('a passing range exits 0; bad options exit 2 with the usage', () => {
    const ok = spawnSync(process.execPath, ['dist/sim/main.js', '--seeds', '1..2', '--ticks', '300'], { encoding: 'utf8', timeout: 60_000 });
    assert.equal(ok.status, 0);
    assert.match(ok.stdout, /2 seed\(s\) of toy on 3 node\(s\), 300 ticks each: 0 failed/);
    const bad = spawnSync(process.execPath, ['dist/sim/main.js', '--seeds', '5..1'], { encoding: 'utf8', timeout: 60_000 });
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /usage: npm run sim/);
  });
});
