// The reply barrier of a replica group's leader (docs/design/replica-group.md). Every event-loop
// turn that wrote something or served a linearizable read gets one sequence number (a "turn").
// Its writes become one Raft entry; its reads one ReadIndex round. A turn is done for
// majority-acknowledged clients when its entry is committed and its read round confirmed that
// this node still leads; for leader-acknowledged clients when its entry is on the leader's disk
// (and its read round confirmed). ReplyHold (src/io/persistence/reply-hold.ts) holds each
// connection's replies until the turns they depend on are done, as it does for fsyncs.
//
// When leadership is lost with turns still pending, `abandonPending` tells every waiting
// connection once, with `closed` set: those whose replies depend on a pending turn are dropped
// (their clients see the connection fail, never a false OK); then the pending turns are
// forgotten and numbering goes on.
import type { ReplyBarrier } from '../../server/persistence-gate.js';

interface Turn {
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

export class GroupBarrier {
  appendedSeq = 0;
  /** Every turn up to this one is done for majority acknowledgement. */
  majoritySeq = 0;
  /** Every turn up to this one is done for leader acknowledgement. */
  leaderSeq = 0;
  closed = false;
  private pending: Turn[] = [];
  private open: Turn | null = null;
  private callbacks: Array<() => void> = [];

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

  noteWrite(onFirst: () => void): void {
    this.current(onFirst).wrote = true;
  }

  noteRead(onFirst: () => void): void {
    this.current(onFirst).read = true;
  }

  /** Ends the open turn: the caller proposes its entry and starts its read round. */
  closeTurn(): Turn | null {
    const t = this.open;
    this.open = null;
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

  /** Entries up to `index` are committed (and applied). */
  committedThrough(index: number): void {
    for (const t of this.pending) if (t.index !== 0 && t.index <= index) t.committed = t.persisted = true;
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
    this.closed = true;
    try {
      this.notify();
    } finally {
      this.closed = false;
      this.pending = [];
      this.open = null;
      this.majoritySeq = this.leaderSeq = this.appendedSeq;
    }
  }

  /** A session's view: majority or leader acknowledgement. */
  view(ack: () => WriteAck): ReplyBarrier {
    const barrier = this;
    return {
      get appendedSeq() {
        return barrier.appendedSeq;
      },
      get durableSeq() {
        return ack() === 'majority' ? barrier.majoritySeq : barrier.leaderSeq;
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
    let changed = false;
    const done = (t: Turn, ok: boolean): boolean => ok && (!t.read || t.confirmed) && t !== this.open;
    for (const t of this.pending) {
      if (t.seq <= this.majoritySeq) continue;
      if (t.seq !== this.majoritySeq + 1 || !done(t, !t.wrote || t.committed)) break;
      this.majoritySeq = t.seq;
      changed = true;
    }
    for (const t of this.pending) {
      if (t.seq <= this.leaderSeq) continue;
      if (t.seq !== this.leaderSeq + 1 || !done(t, !t.wrote || t.persisted)) break;
      this.leaderSeq = t.seq;
      changed = true;
    }
    const low = Math.min(this.majoritySeq, this.leaderSeq);
    while (this.pending.length > 0 && this.pending[0]!.seq <= low) this.pending.shift();
    if (changed) this.notify();
  }

  private notify(): void {
    const cbs = this.callbacks;
    this.callbacks = [];
    for (const cb of cbs) cb();
  }
}
