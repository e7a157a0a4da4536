// The engine's window on time. The shell gives it a real clock; tests and the simulator a fake one.

export interface Clock {
  /** Wall-clock milliseconds since the Unix epoch. */
  nowMs(): number;
  /** Wall-clock microseconds since the Unix epoch (TIME, MONITOR). */
  nowMicros(): number;
  /** A monotonic microsecond counter for durations (slow log, command stats). */
  monotonicMicros(): number;
  /**
   * The wall-clock milliseconds a command runs at, when the clock can serve them cheaper than
   * nowMs by reusing a recent read (the system clock does: system-clock.ts). Such a clock also
   * tells the engine that reading time is costly, so fast commands are timed by sampling
   * (docs/design/command-clock.md). Without it the engine calls nowMs and times every call.
   */
  commandNowMs?(): number;
  /** A command took a millisecond or more: the next commandNowMs must read the clock. */
  timePassed?(): void;
}

/** A clock that moves only when told to: for deterministic tests. */
export class ManualClock implements Clock {
  constructor(private ms = 1_700_000_000_000) {}
  nowMs(): number {
    return this.ms;
  }
  nowMicros(): number {
    return this.ms * 1000;
  }
  monotonicMicros(): number {
    return this.ms * 1000;
  }
  advance(ms: number): void {
    this.ms += ms;
  }
  /** Jumps to `ms` (a replica applying an entry at the time the leader gave it). */
  set(ms: number): void {
    this.ms = ms;
  }
}
