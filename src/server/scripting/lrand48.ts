// The random generator behind math.random in scripts: POSIX lrand48 (48-bit linear congruential),
// as Redis's rand.c implements it so every platform gives the same sequence for a seed.

const A = 0x5deece66dn;
const C = 0xbn;
const MASK = (1n << 48n) - 1n;

export class Lrand48 {
  private x = 0n;

  constructor() {
    this.seed(0);
  }

  /** srand48: the high 32 bits of the state from the seed, the low 16 bits 0x330E. */
  seed(seed: number): void {
    this.x = ((BigInt(seed >>> 0) << 16n) | 0x330en) & MASK;
  }

  /** A non-negative 31-bit integer. */
  next(): number {
    this.x = (A * this.x + C) & MASK;
    return Number(this.x >> 17n);
  }
}
