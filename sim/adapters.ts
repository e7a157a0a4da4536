// The node implementations the simulator can run, by name (--adapter). The real replica group
// registers here next to the toys that prove the simulator and its checkers.
import type { SimNodeFactory } from './node.js';
import { raftKvFactory } from './raft/raft-kv.js';
import { toyFactory } from './toy/primary-backup.js';

export const ADAPTERS: ReadonlyMap<string, SimNodeFactory> = new Map(
  [
    raftKvFactory('raft', 'Cairn replica group: the Raft core, the durable Raft log and the engine; ReadIndex reads, snapshots every 32 entries',
      { readOnly: 'safe', snapshotEvery: 32, keepEntries: 8, clockDriftBound: 0.2 }),
    raftKvFactory('raft-lease', 'as raft, with leader-lease reads (clock drift within the lease margin)',
      { readOnly: 'lease-based', snapshotEvery: 32, keepEntries: 8, clockDriftBound: 0.05 }),
    raftKvFactory('raft-nosnap', 'as raft, without snapshots: the whole log is kept and replayed on restart',
      { readOnly: 'safe', snapshotEvery: 0, keepEntries: 0, clockDriftBound: 0.2 }),
    raftKvFactory('raft-membership', 'as raft, and the nemesis also changes the membership: a voter demoted to learner, then promoted back',
      { readOnly: 'safe', snapshotEvery: 32, keepEntries: 8, clockDriftBound: 0.2, membershipChanges: true }),
    raftKvFactory('raft-ack-on-append', 'BROKEN: the leader acknowledges writes once appended to its own log, before commit',
      { readOnly: 'safe', snapshotEvery: 32, keepEntries: 8, clockDriftBound: 0.2, flaw: 'ack-on-append' }),
    raftKvFactory('raft-leader-local-reads', 'BROKEN: a node that believes it leads answers strong reads from its own state',
      { readOnly: 'safe', snapshotEvery: 32, keepEntries: 8, clockDriftBound: 0.2, flaw: 'leader-local-reads' }),
    toyFactory('toy', 'fixed primary, synchronous replication to every backup (linearizable)'),
    toyFactory('toy-stale-read', 'BROKEN: backups answer strong reads from their own state', { staleReads: true }),
    toyFactory('toy-early-ack', 'BROKEN: the primary acknowledges writes before fsync and replication', { ackBeforeDurable: true }),
    toyFactory('toy-ignore-fsync-error', 'BROKEN: fsync errors are logged and ignored', { swallowFsyncErrors: true }),
    toyFactory('toy-out-of-order', 'BROKEN: backups apply entries in arrival order', { applyOutOfOrder: true }),
    toyFactory('toy-no-retransmit', 'BROKEN: lost replication messages are never resent', { noRetransmit: true }),
  ].map((f) => [f.name, f]),
);

export const DEFAULT_ADAPTER = 'toy';

/** The adapters whose seeds CI runs (test/unit/sim/seed-batch.test.ts): the ones that must pass. */
export const CI_ADAPTERS: readonly string[] = ['toy', 'raft'];
