// The reply barrier of a replica group's leader (docs/design/replica-group.md). Every event-loop
// turn that wrote something or served a linearizable read gets one sequence number (a "turn").
// Its writes become one Raft entry; its reads one ReadIndex round, unless it wrote (the commit of
// its entry confirms its reads, see committedThrough). Three frontiers follow the
// turns in order: every turn up to `persistedSeq` has its entry on the leader's disk, up to
// `committedSeq` committed, up to `confirmedSeq` its read round confirmed (a turn without writes
// or without reads counts as done for that part).
//
// Each session sees its own barrier (`view`): a reply waits only for what its session needs.
// Its writes and what it has seen wait for the commit frontier (majority acknowledgement) or for
// the leader's disk (leader acknowledgement); a linearizable read additionally waits, from the
// turn it ran in, for that turn's read round and for the turn to be committed. Another client's
// read round never holds a session that did not read in that turn (a leader-acknowledged write
// waits for the leader's fsync only). ReplyHold (src/io/persistence/reply-hold.ts) holds each
// connection's replies, in pipeline order, until its view's `durableSeq` covers them.
//
// When leadership is lost with turns still pending, `abandonPending` tells every waiting
// connection once, with `closed` set: those whose replies depend on a pending turn are dropped
// (their clients see the connection fail, never a false OK); then the pending turns are
// forgotten and numbering goes on. A connection whose replies were produced but have not asked
// yet (queued for the end of the event-loop turn) learns of it later: each abandonment is kept
// with the frontiers as they stood (`lostSince`), and the barrier's `epoch` counts them.
import type { ReplyBarrier } from '../../server/persistence-gate.js';

export interface Turn {
  readonly seq: number;
  /** Raft index of the turn's entry; 0 while it has none (not proposed yet, or reads only). */
  index: number;
  wrote: boolean;
  read: boolean;
  persisted: boolean;
  committed: boolean;
  confirmed: boolean;
}

export type WriteAck = 'majority' | 'leader';

/** The three frontiers (see GroupBarrier). */
interface Frontiers {
  readonly persistedSeq: number;
  readonly committedSeq: number;
  readonly confirmedSeq: number;
}

/** One abandonment: the frontiers just before it, and the last turn it dropped. */
interface Abandonment extends Frontiers {
  readonly upTo: number;
}

/**
 * The highest turn a session may be answered for under `f`: `ack` says which frontier its writes
 * and what it has seen wait for, `readTurn` is the latest turn in which it ran a linearizable read.
 */
function durableUnder(f: Frontiers, ack: WriteAck, readTurn: number): number {
  const writes = ack === 'majority' ? f.committedSeq : f.persistedSeq;
  // A linearizable read is answered once its round confirmed leadership and what it saw is committed.
  if (readTurn > f.confirmedSeq || readTurn > f.committedSeq) return Math.min(writes, readTurn - 1);
  return writes;
}

export class GroupBarrier {
  appendedSeq = 0;
  /** Every turn up to this one has its writes on the leader's disk. */
  persistedSeq = 0;
  /** Every turn up to this one has its writes committed. */
  committedSeq = 0;
  /** Every turn up to this one has its read round confirmed. */
  confirmedSeq = 0;
  closed = false;
  private pending: Turn[] = [];
  private open: Turn | null = null;
  private callbacks: Array<() => void> = [];
  /** Every abandonment so far (one per lost leadership with turns pending), oldest first. */
  private readonly abandonments: Abandonment[] = [];

  /** How many times pending turns were abandoned. */
  get epoch(): number {
    return this.abandonments.length;
  }

  /** The turn being filled on this event-loop turn; `onFirst` runs when it is created. */
  private current(onFirst: () => void): Turn {
    if (this.open === null) {
      this.open = { seq: ++this.appendedSeq, index: 0, wrote: false, read: false, persisted: false, committed: false, confirmed: false };
      this.pending.push(this.open);
      onFirst();
    }
    return this.open;
  }

  /** The sequence number the writes of a command run now will get. */
  get nextTurnSeq(): number {
    return this.open === null ? this.appendedSeq + 1 : this.appendedSeq;
  }

  noteWrite(onFirst: () => void): number {
    const t = this.current(onFirst);
    t.wrote = true;
    return t.seq;
  }

  /** A linearizable read runs in the open turn; returns the turn's sequence number. */
  noteRead(onFirst: () => void): number {
    const t = this.current(onFirst);
    t.read = true;
    return t.seq;
  }

  /** Ends the open turn: the caller proposes its entry and starts its read round. */
  closeTurn(): Turn | null {
    const t = this.open;
    this.open = null;
    // A closed turn with nothing left to wait for (a read-only turn of a single voter, say) may
    // let the frontiers move.
    if (t !== null) this.advance();
    return t;
  }

  proposed(t: Turn, index: number): void {
    t.index = index;
  }

  /** The leader's log is durable up to `index`. */
  persistedThrough(index: number): void {
    for (const t of this.pending) if (t.index !== 0 && t.index <= index) t.persisted = true;
    this.advance();
  }

  /**
   * Entries up to `index` are committed (and applied). A committed entry also confirms its
   * turn's reads: it was proposed after they ran, and no leader of a later term can have
   * committed anything before an entry of this term that commits was created (§5.4 of the
   * Raft paper), so nothing acknowledged before those reads began was missing from what they saw.
   */
  committedThrough(index: number): void {
    for (const t of this.pending) if (t.index !== 0 && t.index <= index) t.committed = t.persisted = t.confirmed = true;
    this.advance();
  }

  readConfirmed(seq: number): void {
    const t = this.pending.find((p) => p.seq === seq);
    if (t !== undefined) t.confirmed = true;
    this.advance();
  }

  /** Whether some turn's writes are not committed yet (a step-down must then roll them back). */
  get uncommittedWrites(): boolean {
    return this.pending.some((t) => t.wrote && !t.committed);
  }

  get hasPending(): boolean {
    return this.pending.length > 0;
  }

  /** Leadership is gone: connections that wait on a pending turn are dropped; then it is forgotten. */
  abandonPending(): void {
    if (this.pending.length === 0) return;
    this.abandonments.push({ upTo: this.appendedSeq, persistedSeq: this.persistedSeq, committedSeq: this.committedSeq, confirmedSeq: this.confirmedSeq });
    this.closed = true;
    try {
      this.notify();
    } finally {
      this.closed = false;
      this.pending = [];
      this.open = null;
      this.persistedSeq = this.committedSeq = this.confirmedSeq = this.appendedSeq;
    }
  }

  /** The highest turn a session may be answered for now (see durableUnder). */
  durableFor(ack: WriteAck, readTurn: number): number {
    return durableUnder(this, ack, readTurn);
  }

  /**
   * Whether a session whose replies were produced in epoch `since` and have not gone out had
   * any of them depend on a turn an abandonment after it dropped. As for a connection waiting at
   * the abandonment, a reply depends on every turn appended before it asks, so the answer is
   * yes when that abandonment dropped anything beyond the session's own frontier.
   */
  lostSince(since: number, ack: (committedSeq: number) => WriteAck, readTurn: number): boolean {
    for (let i = since; i < this.abandonments.length; i++) {
      const a = this.abandonments[i]!;
      if (a.upTo > durableUnder(a, ack(a.committedSeq), readTurn)) return true;
    }
    return false;
  }

  /**
   * A session's view of the barrier (see durableFor): `ack` says which frontier its writes wait
   * for, given the commit frontier they are measured against.
   */
  view(ack: (committedSeq: number) => WriteAck, readTurn: () => number = () => 0): ReplyBarrier {
    const barrier = this;
    return {
      get appendedSeq() {
        return barrier.appendedSeq;
      },
      get durableSeq() {
        return barrier.durableFor(ack(barrier.committedSeq), readTurn());
      },
      get epoch() {
        return barrier.epoch;
      },
      lostSince(since: number) {
        return barrier.lostSince(since, ack, readTurn());
      },
      failing: false,
      get closed() {
        return barrier.closed;
      },
      whenChanged(cb: () => void) {
        barrier.callbacks.push(cb);
      },
    };
  }

  private advance(): void {
    const before = this.persistedSeq + this.committedSeq + this.confirmedSeq;
    this.persistedSeq = this.frontier(this.persistedSeq, (t) => !t.wrote || t.persisted);
    this.committedSeq = this.frontier(this.committedSeq, (t) => !t.wrote || t.committed);
    this.confirmedSeq = this.frontier(this.confirmedSeq, (t) => !t.read || t.confirmed);
    const low = Math.min(this.persistedSeq, this.committedSeq, this.confirmedSeq);
    while (this.pending.length > 0 && this.pending[0]!.seq <= low) this.pending.shift();
    if (this.persistedSeq + this.committedSeq + this.confirmedSeq !== before) this.notify();
  }

  /** How far turns after `from` are done by `done`, in order; the open turn never is. */
  private frontier(from: number, done: (t: Turn) => boolean): number {
    let seq = from;
    for (const t of this.pending) {
      if (t.seq <= seq) continue;
      if (t.seq !== seq + 1 || t === this.open || !done(t)) break;
      seq = t.seq;
    }
    return seq;
  }

  private notify(): void {
    const cbs = this.callbacks;
    this.callbacks = [];
    for (const cb of cbs) cb();
  }
}
