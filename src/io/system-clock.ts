// The real clock, for the shell only.
import { performance } from 'node:perf_hooks';
import type { Clock } from '../server/clock.js';

const originMicros = Date.now() * 1000 - performance.now() * 1000;

/**
 * How many command-time reads one real read of the wall clock may serve within one synchronous
 * stretch of JavaScript (docs/design/command-clock.md).
 */
export const COMMAND_TIME_READS_PER_CLOCK_READ = 64;

/**
 * The system clock. Every method reads the clock, except commandNowMs: a read costs about 45 ns
 * on this kind of machine (a call into C++), as much as an in-process GET's own work, so the time
 * a command runs at is read once and reused until the current synchronous stretch of JavaScript
 * ends (a microtask marks it stale), for at most COMMAND_TIME_READS_PER_CLOCK_READ commands, and
 * until a command took a millisecond or more (timePassed). It can lag behind the true time, never
 * run ahead of it: a key expires at the latest at the first command after one of those events.
 */
class SystemClock implements Clock {
  private cachedMs = 0;
  /** Command-time reads the cached value may still serve. */
  private readsLeft = 0;
  private staleScheduled = false;
  private readonly markStale = (): void => {
    this.readsLeft = 0;
    this.staleScheduled = false;
  };

  nowMs(): number {
    return Date.now();
  }

  nowMicros(): number {
    return Math.floor(originMicros + performance.now() * 1000);
  }

  monotonicMicros(): number {
    return performance.now() * 1000;
  }

  commandNowMs(): number {
    if (this.readsLeft > 0) {
      this.readsLeft--;
      return this.cachedMs;
    }
    this.cachedMs = Date.now();
    this.readsLeft = COMMAND_TIME_READS_PER_CLOCK_READ - 1;
    if (!this.staleScheduled) {
      this.staleScheduled = true;
      queueMicrotask(this.markStale);
    }
    return this.cachedMs;
  }

  timePassed(): void {
    this.readsLeft = 0;
  }
}

export const systemClock: Clock = new SystemClock();
