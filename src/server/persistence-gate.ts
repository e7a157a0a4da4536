// What the engine and the front doors see of persistence (src/io/persistence/manager.ts
// implements it): admission refusals (LOADING, MISCONF), the copy-on-write hook a background
// snapshot needs before a write runs, the SAVE family, INFO fields, and the durability
// barrier that holds replies under appendfsync always. Types only: the engine stays free of I/O.
import type { CommandSpec } from '../core/commands/spec.js';
import type { Reply } from '../core/reply.js';
import type { ServerContext } from './context.js';
import type { Session } from './session.js';

export interface PersistenceGate {
  /** True while the data set is being loaded from disk: cron and most commands wait. */
  readonly loading: boolean;
  /** LOADING or MISCONF for a command about to run (or be queued), else null. */
  admit(s: Session, spec: CommandSpec<ServerContext>, fullName: string): Reply | null;
  /** True while a background snapshot needs the pre-image of keys about to change. */
  readonly copyOnWrite: boolean;
  /** Called just before a write command runs (only while copyOnWrite). */
  beforeWrite(dbIndex: number, spec: CommandSpec<ServerContext>, argv: readonly string[]): void;
  /**
   * For changes outside commands that must not show in a running snapshot (eviction): keeps
   * the key's pre-image. Expiry needs none (the key was going away and the log has the DEL).
   */
  keyAboutToChange(dbIndex: number, key: string): void;
  save(): Reply;
  bgsave(schedule: boolean): Reply;
  bgrewriteaof(): Reply;
  /** The Persistence section of INFO, in Redis 7.0's order. */
  infoFields(): Array<readonly [string, string | number]>;
  /** The durability barrier replies must respect, or null when the log is off. */
  replyBarrier(): ReplyBarrier | null;
}

/**
 * Sequence numbers of log records: appended (handed to the log) and durable (as the fsync
 * policy promises: fsynced under always; written to the OS under everysec and no, which a
 * process crash cannot take back). A reply may go out once the records it depends on are
 * durable. While the log is failing, writes are refused and replies to reads stop waiting for
 * records that cannot be made durable yet.
 */
export interface ReplyBarrier {
  readonly appendedSeq: number;
  readonly durableSeq: number;
  readonly failing: boolean;
  /** Set when persistence has shut down for good: replies waiting for durability never will. */
  readonly closed: boolean;
  /** Calls `cb` once, the next time durableSeq, failing or closed change. */
  whenChanged(cb: () => void): void;
  /**
   * A connection has run the commands of one socket read and is about to flush their replies:
   * the log may write their records now rather than at the end of the turn (append-log.ts).
   */
  afterRead?(): void;
  /**
   * A replica group's barrier: how many times pending turns were abandoned (leadership lost).
   * A reply produced before an abandonment but not yet written asks `lostSince` whether it
   * depended on a dropped turn, since the frontiers moved past them.
   */
  readonly epoch?: number;
  lostSince?(epoch: number): boolean;
}
