// Holding a connection's replies until the writes they depend on are durable: fsynced under
// appendfsync always, in the operating system's hands under everysec and no (the log is
// written at the end of each event-loop turn; a reply never overtakes it, so a process crash
// cannot lose an acknowledged write). Replies still go into the connection's output buffer in
// order; only the socket write waits, so a pipeline's replies stay in order and a read that
// follows a write in the same pipeline waits with it. See docs/design/group-commit.md.
//
// What a reply waits for:
// - its own writes: the log records its command produced (acknowledged only once durable);
// - while the log is healthy, everything appended so far: a read must not show another
//   client's write that a crash could still take back (Redis answers nobody before the fsync
//   of its event-loop iteration either). While the log is failing, reads stop waiting for
//   records that cannot be made durable yet, so reads keep working; own writes still wait.
import type { Engine } from '../../server/engine.js';
import type { ReplyBarrier } from '../../server/persistence-gate.js';
import type { Session } from '../../server/session.js';

export class ReplyHold {
  /** Highest log record this connection's own commands produced. */
  private own = 0;
  /** Highest log record that existed when a reply was last about to go out. */
  private observed = 0;
  /** A blocked command was served: its effects reach the log only at the end of the turn. */
  private unblockPending = false;
  private waiting: Array<() => void> = [];
  private subscribed = false;
  /**
   * A command's reply was put in the output since output last went out: it may depend on turns
   * a replica group abandons before the end-of-turn flush asks (a reply that waited for a blocked
   * command is checked as before: from the setImmediate of afterUnblocked, against the frontiers
   * as they are then).
   */
  private unsent = false;
  /** The barrier's epoch when this connection last looked (replica groups: abandonments seen). */
  private epoch = 0;
  /** A reply already produced depended on an abandoned turn: the connection must be dropped. */
  private lost = false;

  constructor(
    private readonly engine: Engine,
    /** Called when persistence shut down with this connection's writes not durable: no reply may say they are. */
    private readonly abandon: () => void,
    /** The connection's session: a replica group's barrier depends on its consistency levels. */
    private readonly session: Session | null = null,
  ) {}

  private barrier(): ReplyBarrier | null {
    // In a replica group the Raft log, not the append-only log, makes writes durable.
    if (this.engine.group !== null && this.session !== null) return this.engine.group.replyBarrier(this.session);
    return this.engine.persistence?.replyBarrier() ?? null;
  }

  /** Before running a command: a mark to give afterCommand. */
  beforeCommand(): number {
    const b = this.barrier();
    if (b === null) return -1;
    // Before this command's sequence numbers are taken in, learn whether earlier replies were lost.
    this.checkEpoch(b);
    return b.appendedSeq;
  }

  /** After running a command; `replied` says whether it put a reply in the output (not BLOCKED). */
  afterCommand(mark: number, replied = true): void {
    if (mark < 0) return;
    if (replied) this.unsent = true;
    const b = this.barrier();
    // While failing, writes are refused: what a command appended then is expiry's DELs only.
    if (b !== null && b.appendedSeq > mark && !b.failing && b.appendedSeq > this.own) this.own = b.appendedSeq;
  }

  /** The commands of one socket read have run; their replies are flushed next. */
  afterRead(): void {
    this.barrier()?.afterRead?.();
  }

  /** A blocked command got its answer: its effects are logged after this, on the same turn. */
  afterUnblocked(): void {
    if (this.barrier() === null || this.unblockPending) return;
    this.unblockPending = true;
    setImmediate(() => {
      this.unblockPending = false;
      const b = this.barrier();
      if (b !== null && !b.failing && b.appendedSeq > this.own) this.own = b.appendedSeq;
      this.wake();
    });
  }

  /** True when the output may be written now; otherwise `resume` runs when that may have changed. */
  mayWrite(resume: () => void): boolean {
    const b = this.barrier();
    if (b === null) return true;
    if (this.unblockPending) {
      this.waiting.push(resume);
      return false;
    }
    this.checkEpoch(b);
    if (!b.failing && b.appendedSeq > this.observed) this.observed = b.appendedSeq;
    if (this.lost || (b.closed && (this.own > b.durableSeq || this.observed > b.durableSeq))) {
      // Nothing after durableSeq will ever be durable: neither a write nor a read that saw one may be answered.
      this.lost = true;
      this.abandon();
      return false;
    }
    if (b.closed || (this.own <= b.durableSeq && (this.observed <= b.durableSeq || b.failing))) {
      this.unsent = false;
      return true;
    }
    this.waiting.push(resume);
    if (!this.subscribed) {
      this.subscribed = true;
      b.whenChanged(() => {
        this.subscribed = false;
        this.wake();
      });
    }
    return false;
  }

  /**
   * A replica group abandoned pending turns since this connection last looked: replies produced
   * before that and not yet written are lost if they depended on a dropped turn (group-barrier.ts).
   */
  private checkEpoch(b: ReplyBarrier): void {
    const epoch = b.epoch ?? 0;
    if (epoch === this.epoch) return;
    if (this.unsent && b.lostSince!(this.epoch)) this.lost = true;
    this.epoch = epoch;
  }

  /** True while output is being held back. */
  get holding(): boolean {
    return this.waiting.length > 0 || this.unblockPending;
  }

  private wake(): void {
    const callbacks = this.waiting;
    this.waiting = [];
    for (const cb of callbacks) cb();
  }
}
