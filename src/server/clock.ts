// The engine's window on time. The shell gives it a real clock; tests and the simulator a fake one.

export interface Clock {
  /** Wall-clock milliseconds since the Unix epoch. */
  nowMs(): number;
  /** Wall-clock microseconds since the Unix epoch (TIME, MONITOR). */
  nowMicros(): number;
  /** A monotonic microsecond counter for durations (slow log, command stats). */
  monotonicMicros(): number;
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
