// The simulator's only source of randomness. One seed makes every choice of a run (delays,
// losses, crashes, workload, torn writes), so a failing seed replays exactly. Each subsystem
// draws from its own stream forked by name: a change to how the workload draws numbers does not
// shift the network's choices, so seeds stay comparable across small changes of the simulator.
import { Rng } from '../src/core/rng.js';

export class Random {
  private readonly rng: Rng;

  /** `seed` may be any safe integer; both halves of it feed the generator. */
  constructor(readonly seed: number) {
    if (!Number.isSafeInteger(seed) || seed < 0) throw new RangeError(`seed must be a non-negative safe integer, got ${seed}`);
    this.rng = new Rng(mix32(seed >>> 0, Math.floor(seed / 2 ** 32)));
  }

  /** An independent stream named `label`, fixed by this stream's seed and the label alone. */
  fork(label: string): Random {
    let h = mix32(this.seed >>> 0, Math.floor(this.seed / 2 ** 32));
    for (let i = 0; i < label.length; i++) h = mix32(h, label.charCodeAt(i));
    return new Random(h);
  }

  /** A uniformly distributed unsigned 32-bit integer. */
  u32(): number {
    return this.rng.nextU32();
  }

  /** A float in [0, 1). */
  float(): number {
    return this.rng.nextFloat();
  }

  /** An integer in [lo, hi] (both included). */
  int(lo: number, hi: number): number {
    if (hi < lo) throw new RangeError(`empty range [${lo}, ${hi}]`);
    return lo + this.rng.below(hi - lo + 1);
  }

  /** True with probability p. */
  chance(p: number): boolean {
    return p > 0 && this.rng.nextFloat() < p;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new RangeError('pick from an empty list');
    return items[this.rng.below(items.length)]!;
  }

  /** Picks by weight: [[weight, value], ...]; weights need not sum to 1. */
  weighted<T>(choices: ReadonlyArray<readonly [number, T]>): T {
    let total = 0;
    for (const [w] of choices) total += Math.max(0, w);
    if (total <= 0) throw new RangeError('weighted pick with no positive weight');
    let x = this.rng.nextFloat() * total;
    for (const [w, v] of choices) {
      if (w <= 0) continue;
      if (x < w) return v;
      x -= w;
    }
    return choices[choices.length - 1]![1];
  }

  /** A shuffled copy (Fisher-Yates). */
  shuffle<T>(items: readonly T[]): T[] {
    const out = items.slice();
    for (let i = out.length - 1; i > 0; i--) {
      const j = this.rng.below(i + 1);
      [out[i], out[j]] = [out[j]!, out[i]!];
    }
    return out;
  }

  /** An exponentially distributed integer with the given mean (>= 0). */
  exponential(mean: number): number {
    return Math.floor(-Math.log(1 - this.rng.nextFloat()) * mean);
  }
}

/** Murmur3-style mixing of two words into one. */
function mix32(h: number, k: number): number {
  k = Math.imul(k >>> 0, 0xcc9e2d51);
  k = (k << 15) | (k >>> 17);
  k = Math.imul(k, 0x1b873593);
  h ^= k;
  h = (h << 13) | (h >>> 19);
  h = (Math.imul(h, 5) + 0xe6546b64) >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}
