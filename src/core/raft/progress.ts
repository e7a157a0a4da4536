// The leader's view of each follower: how much of the log it holds (match), what to send next,
// and the flow-control state that bounds what is in flight to it.
import { assert } from '../assert.js';

/** Append messages sent but not yet acknowledged, bounded by count and by bytes. Each element
 *  is the last index a message carried; an ack for index i frees every message up to i. */
export class Inflights {
  private readonly lastIndexes: number[] = [];
  private readonly sizes: number[] = [];
  private head = 0;
  private totalBytes = 0;

  constructor(readonly maxCount: number, readonly maxBytes: number) {}

  get count(): number {
    return this.lastIndexes.length - this.head;
  }

  get bytes(): number {
    return this.totalBytes;
  }

  full(): boolean {
    return this.count >= this.maxCount || this.totalBytes >= this.maxBytes;
  }

  add(lastIndex: number, bytes: number): void {
    assert(!this.full(), 'inflights: add while full');
    const n = this.lastIndexes.length;
    assert(n === this.head || this.lastIndexes[n - 1]! < lastIndex, 'inflights: indexes must increase');
    this.lastIndexes.push(lastIndex);
    this.sizes.push(bytes);
    this.totalBytes += bytes;
  }

  /** The follower acknowledged everything up to `index`. */
  freeLE(index: number): void {
    while (this.head < this.lastIndexes.length && this.lastIndexes[this.head]! <= index) {
      this.totalBytes -= this.sizes[this.head]!;
      this.head++;
    }
    // Compact now and then, so the arrays do not grow without bound.
    if (this.head > 64 && this.head * 2 > this.lastIndexes.length) {
      this.lastIndexes.splice(0, this.head);
      this.sizes.splice(0, this.head);
      this.head = 0;
    }
  }

  /** Frees the oldest message: its ack is presumed lost (a heartbeat answer shows the follower
   *  is alive), so one more append may probe the stream again. */
  freeFirstOne(): void {
    if (this.count > 0) this.freeLE(this.lastIndexes[this.head]!);
  }

  reset(): void {
    this.lastIndexes.length = 0;
    this.sizes.length = 0;
    this.head = 0;
    this.totalBytes = 0;
  }
}

/**
 * - probe: the leader does not know where the follower's log matches; it sends one append at a
 *   time and waits for the answer (or the next heartbeat) before sending another.
 * - replicate: the logs match up to `match`; the leader streams appends optimistically, up to
 *   the in-flight bounds.
 * - snapshot: the follower needs a snapshot; nothing else is sent until the shell reports the
 *   transfer finished or failed, or the follower acknowledges it.
 */
export type ProgressState = 'probe' | 'replicate' | 'snapshot';

export class Progress {
  match = 0;
  next: number;
  state: ProgressState = 'probe';
  /** In snapshot state: the index of the snapshot being sent. */
  pendingSnapshot = 0;
  /** Heard from since the last CheckQuorum round (and whether a snapshot is worth sending). */
  recentActive = false;
  /** In probe state: an append is out, wait for its answer or the next heartbeat. */
  probeSent = false;
  /** The leader tick at which the newest heartbeat this follower acknowledged was sent. */
  leaseAckedTick = -1;
  readonly inflights: Inflights;

  constructor(next: number, public isLearner: boolean, maxInflightMsgs: number, maxInflightBytes: number) {
    this.next = next;
    this.inflights = new Inflights(maxInflightMsgs, maxInflightBytes);
  }

  private resetState(state: ProgressState): void {
    this.probeSent = false;
    this.pendingSnapshot = 0;
    this.state = state;
    this.inflights.reset();
  }

  becomeProbe(): void {
    // After a snapshot, the follower holds at least the snapshot: probe from just after it.
    if (this.state === 'snapshot') {
      const pending = this.pendingSnapshot;
      this.resetState('probe');
      this.next = Math.max(this.match + 1, pending + 1);
    } else {
      this.resetState('probe');
      this.next = this.match + 1;
    }
  }

  becomeReplicate(): void {
    this.resetState('replicate');
    this.next = this.match + 1;
  }

  becomeSnapshot(snapshotIndex: number): void {
    this.resetState('snapshot');
    this.pendingSnapshot = snapshotIndex;
  }

  /** An append carrying `entries` entries ending at `lastIndex` (`bytes` in total) was sent. */
  sentEntries(count: number, lastIndex: number, bytes: number): void {
    if (this.state === 'replicate') {
      if (count > 0) {
        this.next = lastIndex + 1;
        this.inflights.add(lastIndex, bytes);
      }
    } else if (this.state === 'probe') {
      // One probe at a time; an empty probe does not block (it is how a heartbeat resumes).
      if (count > 0) this.probeSent = true;
    } else {
      assert(false, `progress: sending entries in state ${this.state}`);
    }
  }

  /** The follower acknowledged `n`. Returns whether that told us anything new. */
  maybeUpdate(n: number): boolean {
    let updated = false;
    if (this.match < n) {
      this.match = n;
      updated = true;
      this.probeSent = false;
    }
    this.next = Math.max(this.next, n + 1);
    return updated;
  }

  /** The follower refused an append whose prevIndex was `rejected`, hinting it may match at
   *  `matchHint`. Returns false for a stale refusal (nothing to change). */
  maybeDecrTo(rejected: number, matchHint: number): boolean {
    if (this.state === 'replicate') {
      // Out of order: a refusal of something already acknowledged.
      if (rejected <= this.match) return false;
      this.next = this.match + 1;
      return true;
    }
    // In probe state only the refusal of the probe just sent counts.
    if (this.next - 1 !== rejected) return false;
    this.next = Math.max(Math.min(rejected, matchHint + 1), this.match + 1);
    this.probeSent = false;
    return true;
  }

  /** Whether the leader must hold back appends to this follower (heartbeats still go). */
  isPaused(): boolean {
    switch (this.state) {
      case 'probe': return this.probeSent;
      case 'replicate': return this.inflights.full();
      case 'snapshot': return true;
    }
  }
}

export interface ProgressStatus {
  readonly match: number;
  readonly next: number;
  readonly state: ProgressState;
  readonly isLearner: boolean;
  readonly recentActive: boolean;
  readonly paused: boolean;
  readonly pendingSnapshot: number;
  readonly inflightMsgs: number;
  readonly inflightBytes: number;
}

export function progressStatus(p: Progress): ProgressStatus {
  return {
    match: p.match, next: p.next, state: p.state, isLearner: p.isLearner, recentActive: p.recentActive,
    paused: p.isPaused(), pendingSnapshot: p.pendingSnapshot, inflightMsgs: p.inflights.count,
    inflightBytes: p.inflights.bytes,
  };
}
