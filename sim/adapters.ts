// The node implementations the simulator can run, by name (--adapter). The real replica group
// registers here next to the toys that prove the simulator and its checkers.
import type { SimNodeFactory } from './node.js';
import { toyFactory } from './toy/primary-backup.js';

export const ADAPTERS: ReadonlyMap<string, SimNodeFactory> = new Map(
  [
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
export const CI_ADAPTERS: readonly string[] = ['toy'];
