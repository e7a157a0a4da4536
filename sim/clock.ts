// Per-node clocks in virtual time. Each node's monotonic clock runs at its own rate, within a
// drift bound the node declares it tolerates (leader leases depend on it); its wall clock is the
// monotonic one plus an offset that the nemesis may step (NTP corrections), which affects only
// what the node believes the date is (TTLs), never its timeouts.
import type { Micros } from './event-queue.js';

export interface NodeClock {
  /** Local monotonic time, microseconds (never goes back). */
  monotonicMicros(): number;
  /** Local wall-clock time, milliseconds since the epoch (may jump). */
  wallMillis(): number;
}

/** The Unix time the simulated world starts at (fixed, so TTL arithmetic replays). */
export const SIM_EPOCH_MS = 1_700_000_000_000;

export class SimClock implements NodeClock {
  private anchorGlobal: Micros = 0;
  private anchorLocal = 0;
  private rate = 1;
  private wallOffsetMs = 0;

  constructor(
    private readonly globalNow: () => Micros,
    /** Largest allowed |rate - 1|, e.g. 0.001 for 1000 ppm. */
    readonly driftBound: number,
  ) {
    if (!(driftBound >= 0 && driftBound < 0.5)) throw new RangeError(`drift bound out of range: ${driftBound}`);
  }

  monotonicMicros(): number {
    return this.localAt(this.globalNow());
  }

  wallMillis(): number {
    return SIM_EPOCH_MS + Math.floor(this.monotonicMicros() / 1000) + this.wallOffsetMs;
  }

  get driftRate(): number {
    return this.rate;
  }

  /** Changes the clock's rate from now on; clamped to the bound. */
  setRate(rate: number): void {
    const now = this.globalNow();
    this.anchorLocal = this.localAt(now);
    this.anchorGlobal = now;
    this.rate = Math.min(1 + this.driftBound, Math.max(1 - this.driftBound, rate));
  }

  /** Steps the wall clock (the monotonic clock is not affected). */
  stepWall(deltaMs: number): void {
    this.wallOffsetMs += deltaMs;
  }

  /** The global time at which this clock reads `local` (for scheduling ticks), rounded up. */
  globalAt(local: number): Micros {
    return Math.ceil(this.anchorGlobal + (local - this.anchorLocal) / this.rate);
  }

  private localAt(global: Micros): number {
    return Math.floor(this.anchorLocal + (global - this.anchorGlobal) * this.rate);
  }
}
