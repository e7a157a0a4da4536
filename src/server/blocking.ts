// Blocked clients (BLPOP, BZPOPMIN, XREAD BLOCK ...): who waits on which key, in FIFO order,
// until when. When a write makes a key ready, its waiters run their command again in arrival
// order; the first that can be served takes the data. Timeouts answer the command's own reply.
import type { CommandSpec } from '../core/commands/spec.js';
import type { ValueType } from '../core/keyspace.js';
import { BLOCKED, type Reply } from '../core/reply.js';
import * as errors from '../core/errors.js';
import type { ServerContext } from './context.js';
import type { Engine } from './engine.js';
import type { Session } from './session.js';

export interface BlockedState {
  readonly spec: CommandSpec<ServerContext>;
  readonly argv: string[];
  readonly fullName: string;
  readonly db: number;
  readonly keys: readonly string[];
  /** Absolute ms; Infinity waits forever. */
  readonly deadlineMs: number;
  readonly timeoutReply: Reply;
  readonly waitsFor: ValueType | undefined;
  cancelTimer: (() => void) | null;
}

/** Sets a one-shot timer; the shell lends real timers, tests rely on cron and a manual clock. */
export type Scheduler = (delayMs: number, fire: () => void) => () => void;

export class BlockingManager {
  private readonly blocked = new Map<Session, BlockedState>();
  /** `${db}\0${key}` -> sessions waiting, oldest first. */
  private readonly waiters = new Map<string, Session[]>();
  scheduler: Scheduler | null = null;

  constructor(private readonly engine: Engine) {}

  get count(): number {
    return this.blocked.size;
  }

  isBlocked(s: Session): boolean {
    return this.blocked.has(s);
  }

  /** Parks a session whose command returned BLOCKED (its ctx.blockRequest says on what). */
  park(s: Session, spec: CommandSpec<ServerContext>, argv: string[], fullName: string): void {
    const req = s.blockRequest;
    s.blockRequest = null;
    if (req === null) throw new Error(`${fullName} returned BLOCKED without calling ctx.block`);
    const now = this.engine.clock.nowMs();
    const deadlineMs = req.timeoutMs > 0 ? now + req.timeoutMs : Infinity;
    const state: BlockedState = { spec, argv, fullName, db: s.db, keys: req.keys, deadlineMs, timeoutReply: req.timeoutReply, waitsFor: req.waitsFor, cancelTimer: null };
    this.blocked.set(s, state);
    const db = this.engine.ks.dbs[s.db]!;
    for (const key of req.keys) {
      const id = `${s.db}\0${key}`;
      const list = this.waiters.get(id);
      if (list === undefined) this.waiters.set(id, [s]);
      else if (!list.includes(s)) list.push(s);
      db.blockingKeys.set(key, (db.blockingKeys.get(key) ?? 0) + 1);
    }
    if (deadlineMs !== Infinity && this.scheduler !== null) {
      state.cancelTimer = this.scheduler(req.timeoutMs, () => this.expire(this.engine.clock.nowMs()));
    }
  }

  /** Serves waiters of every key made ready by the last writes; loops while serving makes more. */
  serveReadyKeys(): void {
    const ks = this.engine.ks;
    for (let ready = ks.takeReadyKeys(); ready.length > 0; ready = ks.takeReadyKeys()) {
      for (const { db, key } of ready) {
        const list = this.waiters.get(`${db}\0${key}`);
        if (list === undefined) continue;
        for (const s of [...list]) {
          const state = this.blocked.get(s);
          if (state === undefined) continue;
          if (state.waitsFor !== undefined && ks.dbs[db]!.peek(key)?.type !== state.waitsFor) continue;
          ks.now = this.engine.commandNowMs();
          s.ctx.readyKey = key;
          let reply: Reply;
          try {
            reply = this.engine.call(s, state.spec, state.argv, state.fullName);
          } finally {
            s.ctx.readyKey = null;
          }
          if (reply === BLOCKED) {
            s.blockRequest = null; // still nothing for it: it keeps its place and its deadline
            continue;
          }
          this.release(s, reply);
        }
      }
      this.engine.flushEffects(false);
    }
  }

  /** Answers the timeout reply to every client whose deadline has passed (cron and timers). */
  expire(nowMs: number): void {
    for (const [s, state] of [...this.blocked]) {
      if (state.deadlineMs <= nowMs) this.release(s, state.timeoutReply);
    }
  }

  /** CLIENT UNBLOCK: false when the client is not blocked. */
  unblock(s: Session, withError: boolean): boolean {
    const state = this.blocked.get(s);
    if (state === undefined) return false;
    this.release(s, withError ? errors.unblockedByClient() : state.timeoutReply);
    return true;
  }

  /**
   * Answers a blocked client with `reply` now (a replica group: WAIT once enough replicas hold
   * the writes, a command handed to the leader once its answer came). False when not blocked.
   */
  answer(s: Session, reply: Reply): boolean {
    if (!this.blocked.has(s)) return false;
    this.release(s, reply);
    return true;
  }

  /** The blocked sessions waiting in the command `fullName` (a replica group's WAITs). */
  blockedIn(fullName: string): Array<{ session: Session; argv: readonly string[]; deadlineMs: number }> {
    const out: Array<{ session: Session; argv: readonly string[]; deadlineMs: number }> = [];
    for (const [session, state] of this.blocked) if (state.fullName === fullName) out.push({ session, argv: state.argv, deadlineMs: state.deadlineMs });
    return out;
  }

  /** A session that disconnects leaves no trace. */
  forget(s: Session): void {
    const state = this.blocked.get(s);
    if (state !== undefined) this.detach(s, state);
  }

  private release(s: Session, reply: Reply): void {
    const state = this.blocked.get(s);
    if (state === undefined) return;
    this.detach(s, state);
    s.transport.unblocked(reply);
  }

  private detach(s: Session, state: BlockedState): void {
    this.blocked.delete(s);
    state.cancelTimer?.();
    const db = this.engine.ks.dbs[state.db]!;
    for (const key of state.keys) {
      const id = `${state.db}\0${key}`;
      const list = this.waiters.get(id);
      if (list !== undefined) {
        const i = list.indexOf(s);
        if (i >= 0) list.splice(i, 1);
        if (list.length === 0) this.waiters.delete(id);
      }
      const n = (db.blockingKeys.get(key) ?? 1) - 1;
      if (n <= 0) db.blockingKeys.delete(key);
      else db.blockingKeys.set(key, n);
    }
  }
}
