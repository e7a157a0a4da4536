// The contract between the simulator and the code it tests. A SimNode is one replica as its
// shell would drive it; the simulator owns everything around it (network, disk, clock, time).
// A node is created at start and again after every crash, from what its disk kept: whatever it
// held in memory is gone, exactly as when a process is killed.
//
// Rules for adapters:
// - Everything a node does happens inside one of its methods (or a disk callback): no timers,
//   no promises, no Math.random, no Date. Randomness comes from env.random, time from env.clock.
// - Each method runs to completion; messages sent with env.send leave when it returns.
// - A request's `done` is called at most once, now or in a later call; after a crash the
//   simulator drops it (the client sees the connection close and records an unknown outcome).
// - An fsync error must be fatal (env.fatal), as in etcd and PostgreSQL since "fsyncgate": the
//   simulated disk silently drops whatever was pending after a failed fsync.
// - Any other exception escaping a node is a bug and ends the run with a failure.
import type { FileSystem } from '../src/io/persistence/file-system.js';
import type { NodeClock } from './clock.js';
import type { ClientOp, Consistency, Output, Value } from './history.js';
import type { NodeId } from './network.js';
import type { FaultKind } from './nemesis.js';
import type { Random } from './random.js';

export type { NodeId } from './network.js';

export interface NodeEnv {
  readonly id: NodeId;
  /** Every member of the group, this node included, ascending. */
  readonly members: readonly NodeId[];
  /** This node's own disk; it survives crashes according to the fault model (disk.ts). */
  readonly disk: FileSystem;
  readonly clock: NodeClock;
  /** This incarnation's own random stream (e.g. randomized election timeouts). */
  readonly random: Random;
  /** Sends opaque bytes to a peer; the network may delay, drop, duplicate or reorder them. */
  send(to: NodeId, bytes: Uint8Array): void;
  /** Gives up, as a process that exits would: the node crashes now (and restarts later). */
  fatal(reason: string): never;
  /** A line in the run's trace (printed with --trace). */
  trace(text: string): void;
}

export type ClientResult =
  /** Took effect; read -> { value }, cas -> { swapped }, write -> null. */
  | { readonly type: 'ok'; readonly output: Output }
  /** Certainly did not take effect (refused before it was proposed). leaderHint: where to retry. */
  | { readonly type: 'fail'; readonly reason: string; readonly leaderHint?: NodeId }
  /** May or may not take effect (e.g. proposed, then leadership was lost). */
  | { readonly type: 'unknown'; readonly reason: string };

export interface NodeStatus {
  /** e.g. 'leader', 'follower', 'candidate', 'primary', 'backup'. The nemesis aims at leaders. */
  readonly role: string;
  /** How far the state machine has applied (log index); replicas converge to equal values. */
  readonly applied: number;
  readonly term?: number;
}

export interface SimNode {
  /** One tick of the node's logical clock (every factory.tickMicros of its local time). */
  tick(): void;
  /** A message from a peer, the bytes as sent. */
  receive(from: NodeId, bytes: Uint8Array): void;
  /** A client request arriving at this node. */
  request(op: ClientOp, consistency: Consistency, done: (result: ClientResult) => void): void;
  /** Digest of the applied state: replicas that applied the same entries report the same digest. */
  digest(): string;
  /** The value of `key` in this replica's applied state (the durability check reads it at the end). */
  readLocal(key: string): Value;
  status(): NodeStatus;
  /** On a leader: one membership change (the nemesis's 'membership' fault); says what it proposed,
   *  or null when it proposed nothing. */
  changeMembership?(random: Random): string | null;
}

export interface SimNodeFactory {
  readonly name: string;
  readonly description: string;
  /** Local time between ticks, microseconds. */
  readonly tickMicros: number;
  /** The largest clock rate error the node's timing assumptions tolerate; the simulator stays within it. */
  readonly clockDriftBound: number;
  /** Fault weights this kind of node adds to the run's nemesis (faults only it can take). */
  readonly faultWeights?: Readonly<Partial<Record<FaultKind, number>>>;
  create(env: NodeEnv): SimNode;
}
