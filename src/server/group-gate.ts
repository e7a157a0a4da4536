// What the engine and the front doors see of a replica group (src/io/group/replica-group.ts
// implements it): which commands this node may run now, the reply barrier Raft provides, and the
// consistency levels each connection chose. Types only: the engine stays free of I/O.
import type { CommandSpec } from '../core/commands/spec.js';
import type { Reply } from '../core/reply.js';
import type { ServerContext } from './context.js';
import type { ReplyBarrier } from './persistence-gate.js';
import type { Session } from './session.js';

/** linearizable: a ReadIndex round confirms leadership; leader: the leader's state as is; eventual: any replica's. */
export type ReadLevel = 'linearizable' | 'leader' | 'eventual';
/** majority: acknowledged once committed; leader: once on the leader's disk. */
export type WriteLevel = 'majority' | 'leader';

export interface Consistency {
  readonly reads: ReadLevel;
  readonly writes: WriteLevel;
}

export const DEFAULT_CONSISTENCY: Consistency = { reads: 'linearizable', writes: 'majority' };

export interface GroupGate {
  /**
   * Before a command runs (or is queued): a refusal (a write on a follower, a leader still
   * catching up), BLOCKED when the command was handed to the leader and the answer will come
   * through the blocking mechanism, or null to run it here.
   */
  admit(s: Session, spec: CommandSpec<ServerContext>, argv: readonly string[], fullName: string): Reply | null;
  /**
   * A command of this session was refused before admit saw it (unknown command, wrong arity):
   * a transaction handed to the leader is then doomed, as a local one would be.
   */
  refusedBeforeAdmission(s: Session): void;
  /** The barrier this session's replies wait on. */
  replyBarrier(s: Session): ReplyBarrier;
  consistency(s: Session): Consistency;
  /** Sets the connection's levels, or (next) only those of its next command. */
  setConsistency(s: Session, levels: Partial<Consistency>, next: boolean): void;
  /** CLUSTER FAILOVER on a follower: leadership moves here. */
  failover(s: Session): Reply;
  /** GROUP MEMBERS / ADD / REMOVE / HELLO (docs/design/group-membership.md). */
  readonly admin: GroupAdmin;
}

/** The group's membership commands. ADD and REMOVE block the client (ctx.block) and answer
 *  once the change is applied, or with an error. */
export interface GroupAdmin {
  members(): Reply;
  /** `catchUpMs`: how long the new learner may take to catch up before the reply gives up. */
  add(ctx: ServerContext, address: string, catchUpMs: number): Reply;
  remove(ctx: ServerContext, name: string): Reply;
  /** A leader greets this node before adding it: `registry` is its member registry, hex-encoded. */
  hello(registry: string): Reply;
}
