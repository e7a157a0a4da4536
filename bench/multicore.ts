// Multi-core: Cairn runs a server's key space on one thread, as Redis does, so a machine's other
// cores are used by more processes, each owning a disjoint part of the keys
// (docs/design/multi-core.md). This measures that: N Cairn processes and N redis-server
// processes (persistence off), each process driven by its own redis-benchmark, all of a kind's
// benchmarks at the same time; the aggregate ops/s of one process against N, for both servers.
//
// The load is one client population split between the processes the way a client that hashes
// keys to slots splits it: 50 connections and a key space of 100,000 keys in total, each process
// getting its share of both (with 2: 25 connections, keys drawn from 50,000). Each process's keys
// are its own: the names repeat between processes (redis-benchmark draws key:000000000000 up to
// its -r), but no process ever sees another's, which is all a server can tell of disjoint slots.
// One round: with 1 process, SET on Cairn, SET on Redis, GET on Cairn, GET on Redis; then the same
// with N processes (all servers emptied before each half); medians over the rounds.
//
//   node dist/bench/multicore.js [--quick] [--rounds N] [--processes N]     (or npm run bench:multicore)
import { performance } from 'node:perf_hooks';
import { aggregateRun, splitEvenly, summarizeRounds, type RoundRuns, type RowSummary, type RunAggregate } from './multicore-aggregate.js';
import { redisBenchmark, type Sample } from './redis-benchmark.js';
import { oneCommand } from './resp.js';
import { busyNote, cpuSeconds, loadAverage, machineFacts, startCairn, startRedis, type BenchServer } from './servers.js';
import { failRun, flagValue, fmtNumber, fmtRatio, hasFlag, isMain, log, saveResult, table } from './report.js';

export interface MulticoreOptions {
  readonly quick: boolean;
  readonly rounds: number;
  /** Processes of each kind in the "several" runs (the "one" runs use the first of them). */
  readonly processes: number;
}

/** The whole load, split between the processes of a run. */
const TOTAL_CLIENTS = 50;
const TOTAL_KEYSPACE = 100_000;
const DATA_BYTES = 64;
const TESTS = ['set', 'get'] as const;

interface Config {
  readonly name: string;
  readonly pipeline: number;
  /** Requests of one run, all processes together. */
  readonly requests: number;
}

function configs(quick: boolean): Config[] {
  return [
    { name: '50 clients', pipeline: 1, requests: quick ? 20_000 : 100_000 },
    { name: '50 clients, pipeline 16', pipeline: 16, requests: quick ? 100_000 : 500_000 },
  ];
}

/** One concurrent run in the JSON: the aggregate and what each process's redis-benchmark saw. */
export interface RunRecord {
  readonly aggregate: RunAggregate | null;
  readonly perProcess: ReadonlyArray<{ port: number; clients: number; requests: number; keyspace: number; sample: Sample | null }>;
}

export interface MulticoreRow {
  readonly command: string;
  readonly config: string;
  readonly pipeline: number;
  readonly requests: number;
  readonly rounds: ReadonlyArray<{ cairnOne: RunRecord; cairnMany: RunRecord; redisOne: RunRecord; redisMany: RunRecord }>;
  /** Null when no round had all four runs succeed. */
  readonly summary: RowSummary | null;
}

export interface MulticoreResult {
  readonly machine: Record<string, string | number>;
  readonly quick: boolean;
  readonly rounds: number;
  readonly processes: number;
  readonly totalClients: number;
  readonly totalKeyspace: number;
  readonly rows: readonly MulticoreRow[];
  readonly loadAfter: number;
}

/**
 * Drives `servers` at once, each with its own redis-benchmark and its share of the clients,
 * requests and key space; the servers' CPU is read around the whole run.
 */
async function concurrentRun(servers: readonly BenchServer[], test: string, cfg: Config): Promise<RunRecord> {
  const n = servers.length;
  const clients = splitEvenly(TOTAL_CLIENTS, n);
  const requests = splitEvenly(cfg.requests, n);
  const keyspaces = splitEvenly(TOTAL_KEYSPACE, n);
  const cpu = (): number => servers.reduce((sum, s) => {
    const c = cpuSeconds(s.pid);
    return sum + c.user + c.sys;
  }, 0);
  const cpuBefore = cpu();
  const started = performance.now();
  const samples = await Promise.all(servers.map((s, i) => redisBenchmark(s.port, {
    test, clients: clients[i]!, pipeline: cfg.pipeline, requests: requests[i]!, dataBytes: DATA_BYTES, keyspace: keyspaces[i]!,
  })));
  const wallMs = performance.now() - started;
  const cpuUsed = cpu() - cpuBefore;
  return {
    aggregate: aggregateRun(samples.map((s, i) => ({ requests: requests[i]!, ops: s?.ops ?? null })), wallMs, cpuUsed),
    perProcess: servers.map((s, i) => ({ port: s.port, clients: clients[i]!, requests: requests[i]!, keyspace: keyspaces[i]!, sample: samples[i]! })),
  };
}

async function flushAll(servers: readonly BenchServer[]): Promise<void> {
  for (const s of servers) await oneCommand(s.port, 'FLUSHALL');
}

function opsOf(r: RunRecord): string {
  return r.aggregate === null ? 'failed' : fmtNumber(r.aggregate.ops);
}

export async function runMulticore(opts: MulticoreOptions): Promise<MulticoreResult> {
  if (!Number.isInteger(opts.processes) || opts.processes < 2 || opts.processes > TOTAL_CLIENTS) throw new Error(`--processes must be an integer from 2 to ${TOTAL_CLIENTS}`);
  if (!Number.isInteger(opts.rounds) || opts.rounds < 1) throw new Error('--rounds must be a positive integer');
  const machine = machineFacts();
  const n = opts.processes;
  const cairn: BenchServer[] = [];
  const redis: BenchServer[] = [];
  const rows: MulticoreRow[] = [];
  log(`multi-core: 1 and ${n} processes of Cairn and of redis-server, ${opts.rounds} round(s) per row...`);
  try {
    for (let i = 0; i < n; i++) {
      cairn.push(await startCairn({ persistence: 'off' }));
      redis.push(await startRedis({ persistence: 'off' }));
    }
    const one = { cairn: cairn.slice(0, 1), redis: redis.slice(0, 1) };
    for (const cfg of configs(opts.quick)) {
      const byTest = new Map<string, Array<MulticoreRow['rounds'][number]>>(TESTS.map((t) => [t, []]));
      for (let round = 0; round < opts.rounds; round++) {
        const runs = new Map<string, Partial<Record<'cairnOne' | 'redisOne' | 'cairnMany' | 'redisMany', RunRecord>>>(TESTS.map((t) => [t, {}]));
        for (const many of [false, true]) {
          // Each setup starts from empty servers, so its GETs find what its SETs stored and
          // the first process does not carry the one-process run's keys into the next.
          await flushAll([...cairn, ...redis]);
          for (const test of TESTS) {
            const r = runs.get(test)!;
            if (many) {
              r.cairnMany = await concurrentRun(cairn, test, cfg);
              r.redisMany = await concurrentRun(redis, test, cfg);
            } else {
              r.cairnOne = await concurrentRun(one.cairn, test, cfg);
              r.redisOne = await concurrentRun(one.redis, test, cfg);
            }
          }
        }
        for (const test of TESTS) {
          const { cairnOne, redisOne, cairnMany, redisMany } = runs.get(test)!;
          byTest.get(test)!.push({ cairnOne: cairnOne!, redisOne: redisOne!, cairnMany: cairnMany!, redisMany: redisMany! });
          log(`  ${test.toUpperCase()}, ${cfg.name}, round ${round + 1}: Cairn ${opsOf(cairnOne!)} -> ${opsOf(cairnMany!)}, Redis ${opsOf(redisOne!)} -> ${opsOf(redisMany!)} ops/s (1 -> ${n} processes)`);
        }
      }
      for (const test of TESTS) {
        const rounds = byTest.get(test)!;
        const plain: RoundRuns[] = rounds.map((r) => ({ cairnOne: r.cairnOne.aggregate, cairnMany: r.cairnMany.aggregate, redisOne: r.redisOne.aggregate, redisMany: r.redisMany.aggregate }));
        rows.push({ command: test.toUpperCase(), config: cfg.name, pipeline: cfg.pipeline, requests: cfg.requests, rounds, summary: summarizeRounds(plain) });
      }
    }
  } finally {
    await Promise.allSettled([...cairn, ...redis].map((s) => s.stop()));
  }
  return { machine, quick: opts.quick, rounds: opts.rounds, processes: n, totalClients: TOTAL_CLIENTS, totalKeyspace: TOTAL_KEYSPACE, rows, loadAfter: loadAverage() };
}

export function multicoreTable(result: MulticoreResult): string {
  const n = result.processes;
  return table(
    ['command', 'config', 'Cairn 1 proc', `Cairn ${n} proc`, 'Cairn x', 'Redis 1 proc', `Redis ${n} proc`, 'Redis x', 'Cairn/Redis 1', `Cairn/Redis ${n}`],
    result.rows.map((r) => {
      const s = r.summary;
      if (s === null) return [r.command, r.config, 'failed', '-', '-', '-', '-', '-', '-', '-'];
      return [
        r.command, r.config,
        fmtNumber(s.cairn.opsOne), fmtNumber(s.cairn.opsMany), fmtRatio(s.cairn.scaling, 1),
        fmtNumber(s.redis.opsOne), fmtNumber(s.redis.opsMany), fmtRatio(s.redis.scaling, 1),
        fmtRatio(s.ratioOne, 1), fmtRatio(s.ratioMany, 1),
      ];
    }),
  );
}

export function multicoreCpuTable(result: MulticoreResult): string {
  const n = result.processes;
  const pair = (a: number, b: number, digits: number): string => `${a.toFixed(digits)} / ${b.toFixed(digits)}`;
  return table(
    ['command', 'config', `Cairn cores busy 1 / ${n}`, `Redis cores busy 1 / ${n}`, `Cairn µs/req 1 / ${n}`, `Redis µs/req 1 / ${n}`],
    result.rows.map((r) => {
      const s = r.summary;
      if (s === null) return [r.command, r.config, '-', '-', '-', '-'];
      return [
        r.command, r.config,
        pair(s.cairn.coresOne, s.cairn.coresMany, 2), pair(s.redis.coresOne, s.redis.coresMany, 2),
        pair(s.cairn.microsOne, s.cairn.microsMany, 2), pair(s.redis.microsOne, s.redis.microsMany, 2),
      ];
    }),
  );
}

export function printMulticore(result: MulticoreResult): string {
  const n = result.processes;
  const file = saveResult(result.quick ? 'multicore-quick' : 'multicore', result);
  console.log(`\n== Multi-core: 1 vs ${n} server processes, aggregate ops/s (median of ${result.rounds} round(s), alternating; persistence off) ==`);
  console.log(multicoreTable(result));
  console.log(`aggregate = requests of all processes / the longest time one of them took; each process has its own redis-benchmark, all started together,`);
  console.log(`with ${result.totalClients} clients and ${fmtNumber(result.totalKeyspace)} keys (-r) split evenly between the processes; 64-byte values.`);
  console.log(`x = median over rounds of (${n}-process aggregate / 1-process); Cairn/Redis = median over rounds of the per-round ratio.`);
  console.log(`\nServer CPU during the runs (all server processes together): cores kept busy (CPU seconds / seconds of the run) and µs of CPU per request`);
  console.log(multicoreCpuTable(result));
  const cores = Number(result.machine.cpus);
  console.log(`${cores} cores: the ${n} servers of a run and their ${n} redis-benchmark processes share them, so the scaling is bounded by the CPU the clients leave to the servers${cores <= n ? ' (here no core is left for the clients: expect well under ' + n + 'x)' : ''}.`);
  console.log(busyNote(result.machine, result.loadAfter));
  console.log(`saved ${file}`);
  return file;
}

if (isMain(import.meta.url)) {
  const quick = hasFlag('--quick');
  runMulticore({
    quick,
    rounds: Number(flagValue('--rounds') ?? (quick ? 1 : 3)),
    processes: Number(flagValue('--processes') ?? 2),
  }).then(printMulticore, failRun);
}
