// ReadIndex requests waiting for the leader to confirm it still leads (§6.4 of the Raft
// thesis): each request remembers the commit index at arrival; once a quorum acknowledges a
// heartbeat carrying the request's context (or a later one), the read may be served at that
// index. Contexts must be unique per request: they are how acks find their request.
import type { NodeId } from './types.js';

interface PendingRead {
  readonly index: number;
  /** Who asked: this node, or a follower to answer with a read-index-resp. */
  readonly from: NodeId;
  readonly context: string;
  readonly acks: Set<NodeId>;
}

export interface ConfirmedRead {
  readonly index: number;
  readonly from: NodeId;
  readonly context: string;
}

export class ReadOnly {
  private readonly pending = new Map<string, PendingRead>();
  private queue: string[] = [];

  addRequest(index: number, from: NodeId, context: string): void {
    if (this.pending.has(context)) return;
    this.pending.set(context, { index, from, context, acks: new Set() });
    this.queue.push(context);
  }

  /** Records `from`'s ack of the heartbeat carrying `context`; returns who has acked it. */
  recvAck(from: NodeId, context: string): ReadonlySet<NodeId> | null {
    const p = this.pending.get(context);
    if (p === undefined) return null;
    p.acks.add(from);
    return p.acks;
  }

  /** Leadership is confirmed as of `context`: it and every request queued before it are
   *  served (an ack of a later heartbeat confirms the earlier requests too). */
  advance(context: string): ConfirmedRead[] {
    const at = this.queue.indexOf(context);
    if (at < 0) return [];
    const done = this.queue.slice(0, at + 1);
    this.queue = this.queue.slice(at + 1);
    const out: ConfirmedRead[] = [];
    for (const ctx of done) {
      const p = this.pending.get(ctx)!;
      this.pending.delete(ctx);
      out.push({ index: p.index, from: p.from, context: p.context });
    }
    return out;
  }

  lastPendingContext(): string {
    return this.queue.length === 0 ? '' : this.queue[this.queue.length - 1]!;
  }

  get size(): number {
    return this.queue.length;
  }

  reset(): void {
    this.pending.clear();
    this.queue = [];
  }
}
