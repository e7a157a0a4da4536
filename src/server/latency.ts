// The latency monitor (LATENCY LATEST / HISTORY / RESET): per event name, the recent samples
// of operations that took at least `latency-monitor-threshold` milliseconds, as Redis keeps them.
import { limits } from '../core/limits.js';

export interface LatencySample {
  /** Unix seconds when the sample was taken. */
  readonly unixSeconds: number;
  readonly ms: number;
}

export interface LatencyEventSummary {
  readonly event: string;
  readonly latest: LatencySample;
  /** The largest latency ever recorded for the event (since its last reset). */
  readonly maxMs: number;
}

interface EventSeries {
  /** Oldest first, at most limits.latencyHistoryLen samples. */
  samples: Array<{ unixSeconds: number; ms: number }>;
  maxMs: number;
}

export class LatencyMonitor {
  private readonly events = new Map<string, EventSeries>();

  /**
   * Records `ms` for `event` when monitoring is on (threshold > 0) and the latency reaches it.
   * Redis's latencyAddSampleIfNeeded.
   */
  recordIfSlow(event: string, ms: number, thresholdMs: number, unixSeconds: number): void {
    if (thresholdMs <= 0 || ms < thresholdMs) return;
    this.record(event, ms, unixSeconds);
  }

  /** Adds a sample; two samples in the same second collapse into one holding the larger. */
  record(event: string, ms: number, unixSeconds: number): void {
    let series = this.events.get(event);
    if (series === undefined) {
      series = { samples: [], maxMs: 0 };
      this.events.set(event, series);
    }
    if (ms > series.maxMs) series.maxMs = ms;
    const last = series.samples[series.samples.length - 1];
    if (last !== undefined && last.unixSeconds === unixSeconds) {
      if (ms > last.ms) last.ms = ms;
      return;
    }
    series.samples.push({ unixSeconds, ms });
    if (series.samples.length > limits.latencyHistoryLen) series.samples.shift();
  }

  /** The latest sample and the maximum of every event, sorted by event name. */
  latest(): LatencyEventSummary[] {
    const out: LatencyEventSummary[] = [];
    for (const event of [...this.events.keys()].sort()) {
      const series = this.events.get(event)!;
      const latest = series.samples[series.samples.length - 1];
      if (latest !== undefined) out.push({ event, latest: { ...latest }, maxMs: series.maxMs });
    }
    return out;
  }

  /** Samples of one event, oldest first; empty for an unknown event. */
  history(event: string): LatencySample[] {
    return (this.events.get(event)?.samples ?? []).map((s) => ({ ...s }));
  }

  /** Forgets the named events, or every event when none is named; returns how many existed. */
  reset(events?: readonly string[]): number {
    if (events === undefined || events.length === 0) {
      const n = this.events.size;
      this.events.clear();
      return n;
    }
    let n = 0;
    for (const e of events) if (this.events.delete(e)) n++;
    return n;
  }

  get eventCount(): number {
    return this.events.size;
  }
}
