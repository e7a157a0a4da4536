// The simulator's one timeline: events keyed by virtual time (microseconds). Ties are broken by
// insertion order, so two runs of the same seed process the same events in the same order.

/** Virtual time in microseconds since the start of the run. */
export type Micros = number;

interface Entry {
  readonly at: Micros;
  readonly seq: number;
  readonly run: () => void;
}

export class EventQueue {
  private heap: Entry[] = [];
  private seq = 0;
  private current: Micros = 0;
  /** Events run so far (the trace digest and the CLI's statistics use it). */
  processed = 0;

  get now(): Micros {
    return this.current;
  }

  get size(): number {
    return this.heap.length;
  }

  /** Schedules `run` at `now + delay` (delay >= 0, whole microseconds). */
  after(delay: Micros, run: () => void): void {
    this.at(this.current + Math.max(0, Math.ceil(delay)), run);
  }

  at(time: Micros, run: () => void): void {
    if (!(time >= this.current)) throw new RangeError(`event scheduled in the past: ${time} < ${this.current}`);
    const e: Entry = { at: Math.ceil(time), seq: this.seq++, run };
    const h = this.heap;
    h.push(e);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!before(e, h[p]!)) break;
      h[i] = h[p]!;
      i = p;
    }
    h[i] = e;
  }

  /** Time of the next event, or Infinity when none is left. */
  peekTime(): Micros {
    return this.heap.length === 0 ? Infinity : this.heap[0]!.at;
  }

  /** Runs the next event; false when the queue is empty. */
  step(): boolean {
    const h = this.heap;
    if (h.length === 0) return false;
    const top = h[0]!;
    const last = h.pop()!;
    if (h.length > 0) {
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= h.length) break;
        const r = l + 1;
        const c = r < h.length && before(h[r]!, h[l]!) ? r : l;
        if (!before(h[c]!, last)) break;
        h[i] = h[c]!;
        i = c;
      }
      h[i] = last;
    }
    this.current = top.at;
    this.processed++;
    top.run();
    return true;
  }

  /** Runs every event up to and including time `until`, then sets the clock to `until`. */
  runUntil(until: Micros): void {
    while (this.peekTime() <= until) this.step();
    if (until > this.current) this.current = until;
  }
}

function before(a: Entry, b: Entry): boolean {
  return a.at < b.at || (a.at === b.at && a.seq < b.seq);
}
