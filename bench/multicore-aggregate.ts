// The arithmetic of the multi-core benchmark (bench/multicore.ts), apart from its processes and
// sockets so that it can be tested: how one load's clients, requests and key space are split
// between processes, what several redis-benchmarks run at the same time add up to, and the
// medians over rounds of the scaling factor and of the Cairn/Redis ratio.
import { median } from './report.js';

/**
 * `total` split into `parts` whole shares as equal as possible, the larger ones first
 * (50 into 3: 17, 17, 16). Every share is at least 1, so `total` must be ≥ `parts`.
 */
export function splitEvenly(total: number, parts: number): number[] {
  if (!Number.isInteger(parts) || parts < 1) throw new Error(`cannot split into ${parts} parts`);
  if (!Number.isInteger(total) || total < parts) throw new Error(`cannot split ${total} into ${parts} shares of at least 1`);
  const base = Math.floor(total / parts);
  const extra = total - base * parts;
  return Array.from({ length: parts }, (_, i) => base + (i < extra ? 1 : 0));
}

/** What one process's redis-benchmark did in a concurrent run (ops null: it failed). */
export interface PartResult {
  readonly requests: number;
  readonly ops: number | null;
}

export interface RunAggregate {
  /**
   * Requests of all processes / the longest time one of them took (its requests / its own
   * ops/s: redis-benchmark times from its first request to its last reply). The benchmarks start
   * together; one that finishes early leaves the others running alone, with more of the machine,
   * and this counts that time, so it cannot overstate what ran concurrently. Each process's
   * start-up (tens of ms on a busy machine) is left out, as it would weigh more on the shorter
   * runs of several processes.
   */
  readonly ops: number;
  /** Sum of each redis-benchmark's own ops/s: higher than `ops` when they did not end together. */
  readonly sumOfRates: number;
  readonly requests: number;
  /** The longest time one process's requests took, in ms. */
  readonly busyMs: number;
  /** From starting the first redis-benchmark until the last exited, start-up included. */
  readonly wallMs: number;
  /** CPU (user + system) the servers used during the run, in cores: CPU seconds / busy seconds. */
  readonly serverCores: number;
  /** The servers' CPU per request, in µs. */
  readonly serverMicrosPerRequest: number;
}

/** The aggregate of one concurrent run, or null when any part failed or there is none. */
export function aggregateRun(parts: readonly PartResult[], wallMs: number, serverCpuSeconds: number): RunAggregate | null {
  if (parts.length === 0) return null;
  let requests = 0;
  let sumOfRates = 0;
  let busyMs = 0;
  for (const p of parts) {
    if (p.ops === null || !(p.ops > 0) || !(p.requests > 0)) return null;
    requests += p.requests;
    sumOfRates += p.ops;
    busyMs = Math.max(busyMs, (p.requests / p.ops) * 1000);
  }
  return {
    ops: requests / (busyMs / 1000),
    sumOfRates,
    requests,
    busyMs,
    wallMs,
    serverCores: serverCpuSeconds / (busyMs / 1000),
    serverMicrosPerRequest: (serverCpuSeconds * 1e6) / requests,
  };
}

/** One round of one row: each server kind with one process and with several, back to back. */
export interface RoundRuns {
  readonly cairnOne: RunAggregate | null;
  readonly cairnMany: RunAggregate | null;
  readonly redisOne: RunAggregate | null;
  readonly redisMany: RunAggregate | null;
}

export interface KindSummary {
  /** Median aggregate ops/s over the rounds, one process and several. */
  readonly opsOne: number;
  readonly opsMany: number;
  /** Median over the rounds of (several processes' aggregate / one process's), same round. */
  readonly scaling: number;
  /** Median cores the servers kept busy, and their CPU per request in µs. */
  readonly coresOne: number;
  readonly coresMany: number;
  readonly microsOne: number;
  readonly microsMany: number;
}

export interface RowSummary {
  readonly cairn: KindSummary;
  readonly redis: KindSummary;
  /** Median over the rounds of Cairn ops/s / Redis ops/s, with one process and with several. */
  readonly ratioOne: number;
  readonly ratioMany: number;
  /** Rounds in which all four runs succeeded (the others are left out of every median). */
  readonly completeRounds: number;
}

interface CompleteRound {
  readonly cairnOne: RunAggregate;
  readonly cairnMany: RunAggregate;
  readonly redisOne: RunAggregate;
  readonly redisMany: RunAggregate;
}

function isComplete(r: RoundRuns): r is CompleteRound {
  return r.cairnOne !== null && r.cairnMany !== null && r.redisOne !== null && r.redisMany !== null;
}

function kindSummary(rounds: readonly CompleteRound[], one: (r: CompleteRound) => RunAggregate, many: (r: CompleteRound) => RunAggregate): KindSummary {
  return {
    opsOne: median(rounds.map((r) => one(r).ops)),
    opsMany: median(rounds.map((r) => many(r).ops)),
    scaling: median(rounds.map((r) => many(r).ops / one(r).ops)),
    coresOne: median(rounds.map((r) => one(r).serverCores)),
    coresMany: median(rounds.map((r) => many(r).serverCores)),
    microsOne: median(rounds.map((r) => one(r).serverMicrosPerRequest)),
    microsMany: median(rounds.map((r) => many(r).serverMicrosPerRequest)),
  };
}

/**
 * Medians over the rounds in which all four runs succeeded; ratios are taken within a round
 * (its runs are back to back, so a slow spell of the machine falls on both sides of a ratio)
 * and then their median, as bench/throughput.ts does. Null when no round is complete.
 */
export function summarizeRounds(rounds: readonly RoundRuns[]): RowSummary | null {
  const complete = rounds.filter(isComplete);
  if (complete.length === 0) return null;
  return {
    cairn: kindSummary(complete, (r) => r.cairnOne, (r) => r.cairnMany),
    redis: kindSummary(complete, (r) => r.redisOne, (r) => r.redisMany),
    ratioOne: median(complete.map((r) => r.cairnOne.ops / r.redisOne.ops)),
    ratioMany: median(complete.map((r) => r.cairnMany.ops / r.redisMany.ops)),
    completeRounds: complete.length,
  };
}
