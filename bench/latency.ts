// Latency bookkeeping for the load drivers: a growable sample list, nearest-rank quantiles and
// the longest gap between events (failover windows). No side effects, so tests can import it.

/** The q-quantile (0..1) of sorted values, nearest rank. */
export function quantile(sorted: Float64Array | readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[rank]!;
}

/** The longest gap between consecutive times (ms), or NaN with fewer than two. */
export function longestGap(times: readonly number[]): { gapMs: number; from: number; to: number } {
  const s = [...times].sort((a, b) => a - b);
  let best = { gapMs: Number.NaN, from: Number.NaN, to: Number.NaN };
  for (let i = 1; i < s.length; i++) {
    const gap = s[i]! - s[i - 1]!;
    if (!(gap <= best.gapMs)) best = { gapMs: gap, from: s[i - 1]!, to: s[i]! };
  }
  return best;
}

/** A growable list of latencies without a JS number array per sample. */
export class Latencies {
  private data = new Float64Array(1 << 16);
  length = 0;
  push(v: number): void {
    if (this.length === this.data.length) {
      const bigger = new Float64Array(this.data.length * 2);
      bigger.set(this.data);
      this.data = bigger;
    }
    this.data[this.length++] = v;
  }
  sorted(): Float64Array {
    return this.data.slice(0, this.length).sort();
  }
}
