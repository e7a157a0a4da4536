// Writing a busy event-loop turn's replies together at its end (docs/design/turn-flush.md),
// for every front door of the process: the RESP listeners and the memcached one share a single
// TurnFlusher, because the turn it counts reads in is the process's one event loop.

import { limits } from '../core/limits.js';

/** What TurnFlusher writes: a connection's queued output. */
export interface Flushable {
  /** Writes the queued output, unless a reply hold keeps it for the log. */
  flush(): void;
  /** Output waiting to be written, in bytes. */
  pendingOutputBytes(): number;
}

/**
 * Replies of a busy event-loop turn go out together at its end, as Redis writes its replies in
 * beforeSleep: a connection whose read came in a turn with several reads queues its output, and
 * one setImmediate after the turn's reads writes every queued connection. Each write wakes its
 * client; woken in the middle of the turn, a client on the same core can take the CPU before the
 * server has read its other sockets, which then wait. A read that is alone in its turn, after a
 * turn with at most one read (one client, or a quiet moment), is answered at once: no hop.
 * Output of limits.turnEndMaxBytes or more is written at once too: its write costs far more than
 * the wake-up it would save, and holding it to the end of the turn keeps it in memory for nothing.
 */
export class TurnFlusher {
  private readonly queued: Flushable[] = [];
  private turnEndScheduled = false;
  private readsThisTurn = 0;
  private readsLastTurn = 0;

  /** A connection ran the commands of a read: its output goes now or at the end of the turn. */
  afterRead(c: Flushable): void {
    this.readsThisTurn++;
    if (!this.turnEndScheduled) {
      this.turnEndScheduled = true;
      setImmediate(this.endTurn);
    }
    if ((this.readsThisTurn === 1 && this.readsLastTurn <= 1) || c.pendingOutputBytes() >= limits.turnEndMaxBytes) c.flush();
    else this.queued.push(c);
  }

  private readonly endTurn = (): void => {
    this.turnEndScheduled = false;
    this.readsLastTurn = this.readsThisTurn;
    this.readsThisTurn = 0;
    const queued = this.queued;
    // A connection read twice in the turn is queued twice; its second flush finds nothing left.
    for (let i = 0; i < queued.length; i++) queued[i]!.flush();
    queued.length = 0;
  };
}

/** The process's turn flusher: one event loop, one notion of a busy turn. */
export const turnFlusher = new TurnFlusher();
