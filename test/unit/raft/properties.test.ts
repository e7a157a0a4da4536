// Raft's safety properties over random schedules: a deterministic in-memory cluster is driven by
// fast-check-generated sequences of ticks, deliveries (in any order), drops, duplicates,
// partitions, crashes and proposals, and after every Ready the harness checks election safety
// (one leader per term), log matching, state-machine safety (no two replicas apply different
// entries at one index) and leader completeness. Each run then heals everything and checks
// liveness: a leader emerges and a new proposal is applied everywhere within a bounded time.
// Fixed seeds: a failure replays exactly.
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { action, run } from './schedule.js';
import type { RaftConfigInput } from '../../../src/core/raft/index.js';

const configs: { name: string; config: Omit<RaftConfigInput, 'id'>; compactEvery?: number; membershipChanges?: boolean }[] = [
  { name: 'pre-vote + check-quorum', config: { electionTicks: 10, heartbeatTicks: 1 } },
  { name: 'plain Raft (no pre-vote, no check-quorum)', config: { preVote: false, checkQuorum: false } },
  { name: 'lease reads, small windows', config: { readOnlyOption: 'lease-based', maxInflightMsgs: 2, maxSizePerMsgBytes: 40 } },
  { name: 'with compaction and snapshots', config: { maxInflightMsgs: 4 }, compactEvery: 3 },
  { name: 'with membership changes', config: {}, compactEvery: 5, membershipChanges: true },
  { name: 'with membership changes, plain Raft', config: { preVote: false, checkQuorum: false }, membershipChanges: true },
];

describe('raft safety over random schedules', () => {
  for (const [k, cfg] of configs.entries()) {
    for (const n of [3, 5]) {
      test(`${cfg.name}, ${n} replicas`, () => {
        fc.assert(
          fc.property(fc.array(action(n), { minLength: 100, maxLength: 400 }), (actions) => {
            run(n, actions, { config: cfg.config, compactEvery: cfg.compactEvery ?? 0, membershipChanges: cfg.membershipChanges ?? false });
          }),
          { seed: 0x7a11 + k * 31 + n, numRuns: Number(process.env.RAFT_RUNS ?? 60) },
        );
      });
      test(`${cfg.name}, ${n} replicas, long schedules`, () => {
        fc.assert(
          fc.property(fc.array(action(n), { minLength: 1500, maxLength: 2500 }), (actions) => {
            run(n, actions, { config: cfg.config, compactEvery: cfg.compactEvery ?? 0, membershipChanges: cfg.membershipChanges ?? false });
          }),
          { seed: 0x10c0 + k * 31 + n, numRuns: Math.ceil(Number(process.env.RAFT_RUNS ?? 60) / 6) },
        );
      });
    }
  }
});
