// Instantaneous rates for INFO (instantaneous_ops_per_sec, instantaneous_input_kbps ...):
// the engine's cron samples a counter, and the rate is the mean of the last 16 per-interval
// rates, as Redis's trackInstantaneousMetric does.

/** Samples averaged per rate (Redis STATS_METRIC_SAMPLES). */
const SAMPLES = 16;

export class RateTracker {
  private readonly rates = new Array<number>(SAMPLES).fill(0);
  private next = 0;
  private lastMs = -1;
  private lastCount = 0;

  /** Records the counter's value at `nowMs`; the first call only sets the baseline. */
  sample(nowMs: number, count: number): void {
    if (this.lastMs >= 0) {
      const elapsedMs = nowMs - this.lastMs;
      this.rates[this.next] = elapsedMs > 0 ? Math.floor(((count - this.lastCount) * 1000) / elapsedMs) : 0;
      this.next = (this.next + 1) % SAMPLES;
    }
    this.lastMs = nowMs;
    this.lastCount = count;
  }

  /** Units per second, averaged over the recent samples. */
  perSecond(): number {
    let sum = 0;
    for (const r of this.rates) sum += r;
    return sum / SAMPLES;
  }

  reset(): void {
    this.rates.fill(0);
    this.next = 0;
    this.lastMs = -1;
    this.lastCount = 0;
  }
}

/** The rates INFO reports, sampled together. */
export class InstantaneousRates {
  readonly ops = new RateTracker();
  readonly netInput = new RateTracker();
  readonly netOutput = new RateTracker();

  /** Redis samples every 100 ms; callers may call more often, the rates stay per second. */
  private static readonly INTERVAL_MS = 100;
  private lastSampleMs = -Infinity;

  sampleIfDue(nowMs: number, counters: { commands: number; netInputBytes: number; netOutputBytes: number }): void {
    if (nowMs - this.lastSampleMs < InstantaneousRates.INTERVAL_MS) return;
    this.lastSampleMs = nowMs;
    this.ops.sample(nowMs, counters.commands);
    this.netInput.sample(nowMs, counters.netInputBytes);
    this.netOutput.sample(nowMs, counters.netOutputBytes);
  }

  reset(): void {
    this.ops.reset();
    this.netInput.reset();
    this.netOutput.reset();
    this.lastSampleMs = -Infinity;
  }
}
