// Cairn and redis-server side by side under redis-benchmark: the same commands, clients,
// pipelines, value sizes and key ranges against each, run in alternation (Cairn, Redis,
// Cairn, Redis, ...) so that drifts of the machine hit both alike; the median of the
// rounds is reported. First with persistence off on both, then with the append-only log alone
// (appendfsync everysec, no snapshots) on both, then with each server's default. What the log
// costs each server (log / off) is printed as a table of its own.
import { busyNote, describePersistence, loadAverage, machineFacts, startCairn, startRedis, type BenchServer, type Persistence } from './servers.js';
import { redisBenchmark, type BenchmarkSpec, type Sample } from './redis-benchmark.js';
import { RespClient, RespError } from './resp.js';
import { flagValue, fmtNumber, fmtRatio, log, median, saveResult, table } from './report.js';

export interface ThroughputOptions {
  readonly quick: boolean;
  readonly rounds: number;
  readonly persistence: readonly Persistence[];
}

interface Config {
  readonly name: string;
  readonly clients: number;
  readonly pipeline: number;
  readonly requests: number;
  readonly dataBytes: number;
  readonly keyspace: number;
  readonly tests: readonly string[];
  /** Report MB/s (value bytes moved per second) next to ops/s. */
  readonly throughputInBytes?: boolean;
}

export interface Summary {
  readonly ops: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  /** Value bytes per second / 1e6, for the large-value rows. */
  readonly mbPerSec: number | null;
  readonly samples: readonly Sample[];
}

export interface Row {
  readonly command: string;
  readonly config: string;
  readonly persistence: Persistence;
  readonly status: 'ok' | 'not served yet' | 'failed';
  readonly cairn: Summary | null;
  readonly redis: Summary | null;
  /**
   * Median over the rounds of Cairn ops/s / Redis ops/s, each round's two runs back to back:
   * a slow spell of the machine hits both halves of a round, so this moves less than the
   * ratio of the two medians.
   */
  readonly ratio: number | null;
}

const ALL_TESTS = ['ping_inline', 'set', 'get', 'incr', 'lpush', 'rpop', 'sadd', 'hset', 'spop', 'zadd', 'zpopmin', 'lrange_100', 'lrange_600', 'mset'];
const QUICK_TESTS = ['ping_inline', 'set', 'get', 'incr', 'lpush', 'hset', 'lrange_100', 'mset'];

/** Tests that cost more per request run fewer requests, so every run takes seconds, not minutes. */
const REQUEST_SCALE: Record<string, number> = { lrange_100: 0.5, lrange_600: 0.2, mset: 0.5 };

/** How redis-benchmark names each test in its CSV, for the table. */
const DISPLAY: Record<string, string> = { mset: 'MSET (10 keys)' };

/** `--tests a,b` keeps only those redis-benchmark tests (e.g. `--tests lrange_100,mset`). */
function selectedTests(all: readonly string[]): readonly string[] {
  const only = flagValue('--tests');
  if (only === undefined) return all;
  const wanted = new Set(only.split(',').map((t) => t.trim().toLowerCase()));
  for (const t of wanted) if (!ALL_TESTS.includes(t)) throw new Error(`--tests: unknown test ${t} (known: ${ALL_TESTS.join(', ')})`);
  return all.filter((t) => wanted.has(t));
}

/**
 * `--configs 'a;b'` keeps only the configurations named ('50 clients', '50 clients, pipeline 16',
 * '1 client', '50 clients, 100 kB values'); names contain commas, so they are separated by ';'.
 */
function selectedConfigs(all: Config[]): Config[] {
  const only = flagValue('--configs');
  if (only === undefined) return all;
  const wanted = only.split(';').map((c) => c.trim());
  for (const w of wanted) if (!all.some((c) => c.name === w)) throw new Error(`--configs: unknown configuration ${w} (known: ${all.map((c) => c.name).join('; ')})`);
  return all.filter((c) => wanted.includes(c.name));
}

function configs(quick: boolean): Config[] {
  const tests = selectedTests(quick && flagValue('--tests') === undefined ? QUICK_TESTS : ALL_TESTS);
  const small = { dataBytes: 64, keyspace: 100_000, tests };
  return selectedConfigs([
    { name: '50 clients', clients: 50, pipeline: 1, requests: quick ? 20_000 : 100_000, ...small },
    { name: '50 clients, pipeline 16', clients: 50, pipeline: 16, requests: quick ? 100_000 : 500_000, ...small },
    { name: '1 client', clients: 1, pipeline: 1, requests: quick ? 5_000 : 20_000, ...small },
    // 100 kB values over 1000 keys: at most 100 MB per server.
    { name: '50 clients, 100 kB values', clients: 50, pipeline: 1, requests: quick ? 1_000 : 5_000, dataBytes: 100_000, keyspace: 1_000, tests: selectedTests(['set', 'get']), throughputInBytes: true },
  ].filter((c) => c.tests.length > 0));
}

/**
 * A command Cairn does not serve yet would make redis-benchmark count errors at full speed:
 * each is tried once on its own key first. Keys written by the probe are deleted again.
 */
const PROBES: Record<string, string[]> = {
  ping_inline: ['PING'], set: ['SET', 'probe:s', 'x'], get: ['GET', 'probe:s'], incr: ['INCR', 'probe:n'],
  lpush: ['LPUSH', 'probe:l', 'x'], rpop: ['RPOP', 'probe:l'], sadd: ['SADD', 'probe:set', 'x'], spop: ['SPOP', 'probe:set'],
  hset: ['HSET', 'probe:h', 'f', 'v'], zadd: ['ZADD', 'probe:z', '1', 'x'], zpopmin: ['ZPOPMIN', 'probe:z'],
  lrange_100: ['LRANGE', 'probe:l', '0', '99'], lrange_600: ['LRANGE', 'probe:l', '0', '599'], mset: ['MSET', 'probe:m1', 'x', 'probe:m2', 'y'],
};
const PROBE_KEYS = ['probe:s', 'probe:n', 'probe:l', 'probe:set', 'probe:h', 'probe:z', 'probe:m1', 'probe:m2'];

/** The tests Cairn answers without an error; the others are reported as not served yet. */
async function servedTests(server: BenchServer, tests: readonly string[]): Promise<Set<string>> {
  const client = await RespClient.connect(server.port);
  const served = new Set<string>();
  try {
    for (const t of tests) {
      const reply = await client.call(...(PROBES[t] ?? ['PING']));
      if (!(reply instanceof RespError)) served.add(t);
    }
    await client.call('DEL', ...PROBE_KEYS);
  } finally {
    client.close();
  }
  return served;
}

async function flushAll(servers: readonly BenchServer[]): Promise<void> {
  for (const s of servers) {
    const c = await RespClient.connect(s.port);
    try {
      await c.call('FLUSHALL');
    } finally {
      c.close();
    }
  }
}

function summarize(samples: readonly Sample[], cfg: Config): Summary | null {
  if (samples.length === 0) return null;
  const ops = median(samples.map((s) => s.ops));
  return {
    ops,
    p50Ms: median(samples.map((s) => s.p50Ms)),
    p99Ms: median(samples.map((s) => s.p99Ms)),
    mbPerSec: cfg.throughputInBytes === true ? (ops * cfg.dataBytes) / 1e6 : null,
    samples,
  };
}

function specFor(cfg: Config, test: string): BenchmarkSpec {
  const requests = Math.max(1000, Math.round(cfg.requests * (REQUEST_SCALE[test] ?? 1)));
  return { test, clients: cfg.clients, pipeline: cfg.pipeline, requests, dataBytes: cfg.dataBytes, keyspace: cfg.keyspace };
}

function commandName(test: string, cfg: Config): string {
  const base = DISPLAY[test] ?? test.toUpperCase();
  return cfg.throughputInBytes === true ? `${base} 100 kB` : base;
}

async function runPersistence(p: Persistence, opts: ThroughputOptions, rows: Row[]): Promise<void> {
  const started: BenchServer[] = [];
  try {
    const cairn = await startCairn({ persistence: p });
    started.push(cairn);
    const redis = await startRedis({ persistence: p });
    started.push(redis);
    const served = await servedTests(cairn, ALL_TESTS);
    for (const cfg of configs(opts.quick)) {
      await flushAll(started);
      for (const test of cfg.tests) {
        const base = { command: commandName(test, cfg), config: cfg.name, persistence: p };
        if (!served.has(test)) {
          rows.push({ ...base, status: 'not served yet', cairn: null, redis: null, ratio: null });
          log(`  [${p}] ${base.command}, ${cfg.name}: Cairn does not serve it yet`);
          continue;
        }
        const spec = specFor(cfg, test);
        const c: Sample[] = [];
        const r: Sample[] = [];
        const roundRatios: number[] = [];
        for (let round = 0; round < opts.rounds; round++) {
          const a = await redisBenchmark(cairn.port, spec);
          if (a !== null) c.push(a);
          const b = await redisBenchmark(redis.port, spec);
          if (b !== null) r.push(b);
          if (a !== null && b !== null) roundRatios.push(a.ops / b.ops);
        }
        const cs = summarize(c, cfg);
        const rs = summarize(r, cfg);
        const ok = cs !== null && rs !== null && roundRatios.length > 0;
        const row: Row = { ...base, status: ok ? 'ok' : 'failed', cairn: cs, redis: rs, ratio: ok ? median(roundRatios) : null };
        rows.push(row);
        log(`  [${p}] ${row.command}, ${cfg.name}: Cairn ${opsCell(cs)}, Redis ${opsCell(rs)} ops/s, ratio ${row.ratio === null ? row.status : fmtRatio(row.ratio, 1)}`);
      }
    }
  } finally {
    for (const s of started) await s.stop();
  }
}

export interface ThroughputResult {
  readonly machine: Record<string, string | number>;
  readonly rounds: number;
  readonly quick: boolean;
  readonly persistenceSetup: string;
  /** 1-minute load average when the run ended (machine.loadAverage1m is at the start). */
  readonly loadAfter: number;
  readonly rows: readonly Row[];
}

export async function runThroughput(opts: ThroughputOptions): Promise<ThroughputResult> {
  const rows: Row[] = [];
  const machine = machineFacts();
  for (const p of opts.persistence) {
    log(`redis-benchmark, persistence ${p}, ${opts.rounds} round(s) per row...`);
    await runPersistence(p, opts, rows);
  }
  return { machine, rounds: opts.rounds, quick: opts.quick, persistenceSetup: describePersistence(), loadAfter: loadAverage(), rows };
}

const HEADER = ['command', 'config', 'persistence', 'Cairn ops/s', 'Redis ops/s', 'ratio', 'Cairn p50/p99 ms', 'Redis p50/p99 ms'];

function opsCell(s: Summary | null): string {
  if (s === null) return '-';
  return s.mbPerSec !== null ? `${fmtNumber(s.ops)} (${s.mbPerSec.toFixed(0)} MB/s)` : fmtNumber(s.ops);
}

function latencyCell(s: Summary | null): string {
  return s === null ? '-' : `${s.p50Ms.toFixed(3)}/${s.p99Ms.toFixed(3)}`;
}

function formatRow(row: Row): string[] {
  if (row.status === 'not served yet') return [row.command, row.config, row.persistence, 'not served yet', '-', '-', '-', '-'];
  return [
    row.command, row.config, row.persistence, opsCell(row.cairn), opsCell(row.redis),
    row.ratio !== null ? fmtRatio(row.ratio, 1) : row.status,
    latencyCell(row.cairn), latencyCell(row.redis),
  ];
}

export function throughputTable(result: ThroughputResult): string {
  return table(HEADER, result.rows.map(formatRow), 3);
}

/**
 * What the append-only log alone costs: for every row measured both with persistence off and
 * with the log (everysec, no snapshots), each server's ops/s with the log over its ops/s without.
 */
export function logCostTable(result: ThroughputResult): string | null {
  const off = new Map(result.rows.filter((r) => r.persistence === 'off').map((r) => [`${r.command}|${r.config}`, r]));
  const lines: string[][] = [];
  for (const r of result.rows) {
    if (r.persistence !== 'log') continue;
    const o = off.get(`${r.command}|${r.config}`);
    if (o === undefined || r.cairn === null || r.redis === null || o.cairn === null || o.redis === null) continue;
    lines.push([r.command, r.config, fmtRatio(r.cairn.ops / o.cairn.ops, 1), fmtRatio(r.redis.ops / o.redis.ops, 1)]);
  }
  return lines.length === 0 ? null : table(['command', 'config', 'Cairn log / off', 'Redis log / off'], lines, 2);
}

export function printThroughput(result: ThroughputResult): string {
  const file = saveResult(result.quick ? 'throughput-quick' : 'throughput', result);
  console.log(`\n== redis-benchmark: Cairn vs Redis (median of ${result.rounds} round(s), alternating) ==`);
  console.log(throughputTable(result));
  console.log(`ratio = median over rounds of (Cairn ops/s / Redis ops/s), the two runs of a round back to back.`);
  console.log(`${result.persistenceSetup}.`);
  console.log(busyNote(result.machine, result.loadAfter));
  const cost = logCostTable(result);
  if (cost !== null) {
    console.log('\n== What the append-only log costs (appendfsync everysec, no snapshots): ops/s with it / without ==');
    console.log(cost);
    console.log('Each ratio divides two medians measured in different passes (the log pass runs after the off pass).');
  }
  const missing = [...new Set(result.rows.filter((r) => r.status === 'not served yet').map((r) => r.command))];
  if (missing.length > 0) console.log(`not served yet by Cairn: ${missing.join(', ')}`);
  console.log(`saved ${file}`);
  return file;
}
