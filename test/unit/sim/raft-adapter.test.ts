// The simulator running the real replica group (sim/raft/): the Raft core, the durable Raft log on
// the simulated disk and the engine. A run replays exactly; the correct variants pass on 3 and 5
// nodes; the runs go through the paths they claim (crash recovery from the disk, torn tails,
// fsync errors, local snapshots and InstallSnapshot); membership changes (a voter demoted to
// learner and promoted back) keep every check passing; and a deliberately broken variant of each
// kind is caught by a checker from a seed that replays to the same failure. The 200-seed batch is
// in seed-batch.test.ts.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ADAPTERS } from '../../../sim/adapters.js';
import { DEFAULT_RUN, runSimulation, type RunResult } from '../../../sim/run.js';

function run(adapter: string, seed: number, overrides: { nodes?: number; ticks?: number; trace?: (line: string) => void } = {}): RunResult {
  return runSimulation({ ...DEFAULT_RUN, seed, factory: ADAPTERS.get(adapter)!, ticks: 600, ...overrides, trace: overrides.trace ?? null });
}

function fingerprint(r: RunResult): string {
  return JSON.stringify({ trace: r.traceDigest, failures: r.failures, ops: r.history.ops, events: r.events });
}

describe('the raft adapter', () => {
  test('a seed replays exactly', () => {
    assert.equal(fingerprint(run('raft', 7)), fingerprint(run('raft', 7)));
  });

  test('the correct variants pass on 3 and 5 nodes and make progress', () => {
    for (const [adapter, nodes, seeds] of [['raft', 5, 3], ['raft-lease', 3, 3], ['raft-nosnap', 3, 3], ['raft-membership', 3, 3]] as const) {
      for (let seed = 1; seed <= seeds; seed++) {
        const r = run(adapter, seed, { nodes });
        assert.deepEqual(r.failures, [], `${adapter} seed ${seed} on ${nodes} nodes`);
        assert.ok(r.operations.ok > 100, 'the workload made progress');
      }
    }
  });

  test('the runs go through recovery, fsync errors, snapshots and InstallSnapshot', () => {
    const seen = { started: 0, torn: 0, fsyncFatal: 0, snapshots: 0, installed: 0 };
    for (let seed = 1; seed <= 4; seed++) {
      run('raft', seed, {
        trace: (line) => {
          if (line.includes('raft: started at term') && !line.includes('term 0,')) seen.started++;
          if (line.includes('cut a torn tail')) seen.torn++;
          if (/fatal: persisting the Raft log failed|fatal: saving a Raft snapshot failed/.test(line)) seen.fsyncFatal++;
          if (line.includes('raft: snapshot at index')) seen.snapshots++;
          if (line.includes('raft: installing a snapshot')) seen.installed++;
        },
      });
    }
    for (const [what, n] of Object.entries(seen)) assert.ok(n > 0, `${what}: ${JSON.stringify(seen)}`);
  });

  test('membership changes under faults: voters demoted to learners and promoted back, every run checked', () => {
    const seen = { demoted: 0, promoted: 0 };
    for (let seed = 1; seed <= 6; seed++) {
      const r = run('raft-membership', seed, {
        nodes: seed % 2 === 0 ? 5 : 3,
        trace: (line) => {
          if (/nemesis: demote n\d+ \(index \d+\)/.test(line)) seen.demoted++;
          if (/nemesis: promote n\d+ \(index \d+\)/.test(line)) seen.promoted++;
        },
      });
      assert.deepEqual(r.failures, [], `raft-membership seed ${seed}`);
    }
    assert.ok(seen.demoted > 0 && seen.promoted > 0, JSON.stringify(seen));
  });

  const broken: ReadonlyArray<[string, RegExp]> = [
    ['raft-ack-on-append', /not linearizable|durability/],
    ['raft-leader-local-reads', /not linearizable/],
  ];
  for (const [adapter, expected] of broken) {
    test(`${adapter} is caught, and its seed replays to the same failure`, () => {
      let failing: RunResult | null = null;
      for (let seed = 1; seed <= 20 && failing === null; seed++) {
        const r = run(adapter, seed);
        if (!r.ok) failing = r;
      }
      assert.ok(failing !== null, `no seed of ${adapter} failed`);
      assert.match(failing.failures.join('\n'), expected);
      assert.equal(fingerprint(run(adapter, failing.seed)), fingerprint(failing));
    });
  }
});
