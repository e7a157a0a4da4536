// CPU time a server spends per request under redis-benchmark: the user and system time of the
// server process (from /proc/<pid>/stat) before and after each run, divided by the requests.
// On a machine shared with other work, ops/s move by ±50% between identical runs while the CPU
// a request costs moves much less, so this is what before/after comparisons of the hot path
// read (docs/design/hot-path.md). Servers: redis-server, this build of Cairn and, with
// --before <checkout>, another built checkout of Cairn; each row runs them in alternation for
// --rounds rounds and reports medians. Persistence off on all, unless told otherwise:
// --cairn-args / --redis-args add options to every Cairn / Redis server, and --with-log runs a
// twin of every server with the append-only log on (appendfsync everysec, no snapshots, no
// automatic rewrites), so what the log costs per request reads off the same run.
//
//   node dist/bench/cpu-per-request.js [--before /path/to/built/checkout] [--rounds 3]
//       [--tests set,get,hset,lrange_100,mset] [--requests 100000] [--pipelines 1,16]
//       [--with-log] [--cairn-args "--appendonly yes --appendfsync everysec"] [--redis-args "..."]
import { busyNote, cpuSeconds, loadAverage, machineFacts, startCairn, startRedis, type BenchServer } from './servers.js';
import { redisBenchmark, type BenchmarkSpec } from './redis-benchmark.js';
import { RespClient } from './resp.js';
import { failRun, flagValue, fmtNumber, hasFlag, isMain, log, median, saveResult, table } from './report.js';

interface Setup {
  readonly name: string;
  readonly clients: number;
  readonly pipeline: number;
}

function setupsFor(pipelines: readonly number[]): Setup[] {
  return pipelines.map((p) => ({ name: p === 1 ? '50 clients' : `50 clients, pipeline ${p}`, clients: 50, pipeline: p }));
}

/**
 * The log's switches for the --with-log twins (snapshots stay off: `--save ""` comes first).
 * Automatic rewrites are off on both: Redis rewrites in a forked child, whose CPU its own
 * counters do not show, while Cairn's runs on its event loop; with them on, a long pipelined
 * run measures the rewrite of a list of millions of LPUSHed elements, not the log's cost per
 * write. --cairn-args / --redis-args can turn them back on.
 */
const LOG_ARGS = ['--appendonly', 'yes', '--appendfsync', 'everysec', '--auto-aof-rewrite-percentage', '0'];

/** "--a 1 --b \"\"" as argv: split on spaces; "" stands for an empty value. */
export function splitArgs(text: string | undefined): string[] {
  if (text === undefined || text.trim() === '') return [];
  return text.trim().split(/\s+/).map((w) => (w === '""' || w === "''" ? '' : w));
}

export interface CpuOptions {
  before: string | null;
  rounds: number;
  tests: readonly string[];
  requests: number;
  pipelines?: readonly number[];
  cairnArgs?: readonly string[];
  redisArgs?: readonly string[];
  withLog?: boolean;
}

export interface CpuRow {
  readonly test: string;
  readonly setup: string;
  /** Per server: median µs of user and of system CPU per request over the rounds. */
  readonly servers: ReadonlyArray<{ name: string; userMicros: number; sysMicros: number; opsPerSec: number }>;
}

async function flush(server: BenchServer): Promise<void> {
  const c = await RespClient.connect(server.port);
  try {
    await c.call('FLUSHALL');
  } finally {
    c.close();
  }
}

export async function runCpuPerRequest(opts: CpuOptions): Promise<{ machine: Record<string, string | number>; loadAfter: number; rows: CpuRow[] }> {
  const servers: Array<{ name: string; server: BenchServer }> = [];
  const rows: CpuRow[] = [];
  const cairnArgs = opts.cairnArgs ?? [];
  const redisArgs = opts.redisArgs ?? [];
  const variants: Array<{ suffix: string; extra: readonly string[] }> = [{ suffix: '', extra: [] }];
  if (opts.withLog === true) variants.push({ suffix: '+log', extra: LOG_ARGS });
  try {
    for (const v of variants) {
      servers.push({ name: `redis${v.suffix}`, server: await startRedis({ persistence: 'off', extraArgs: [...v.extra, ...redisArgs] }) });
      servers.push({ name: `cairn${v.suffix}`, server: await startCairn({ persistence: 'off', extraArgs: [...v.extra, ...cairnArgs] }) });
      if (opts.before !== null) servers.push({ name: `cairn before${v.suffix}`, server: await startCairn({ persistence: 'off', build: opts.before, extraArgs: [...v.extra, ...cairnArgs] }) });
    }
    for (const setup of setupsFor(opts.pipelines ?? [1, 16])) {
      for (const test of opts.tests) {
        const requests = Math.round(opts.requests * (test.startsWith('lrange') || test === 'mset' ? 0.5 : 1) * (setup.pipeline > 1 ? 3 : 1));
        const spec: BenchmarkSpec = { test, clients: setup.clients, pipeline: setup.pipeline, requests, dataBytes: 64, keyspace: 100_000 };
        const samples = servers.map(() => [] as Array<{ user: number; sys: number; ops: number }>);
        for (const { server } of servers) await flush(server);
        for (let round = 0; round < opts.rounds; round++) {
          for (let i = 0; i < servers.length; i++) {
            const pid = servers[i]!.server.pid;
            const before = cpuSeconds(pid);
            const sample = await redisBenchmark(servers[i]!.server.port, spec);
            const after = cpuSeconds(pid);
            if (sample === null) continue;
            samples[i]!.push({ user: ((after.user - before.user) * 1e6) / requests, sys: ((after.sys - before.sys) * 1e6) / requests, ops: sample.ops });
          }
        }
        const row: CpuRow = {
          test,
          setup: setup.name,
          servers: servers.map((s, i) => ({
            name: s.name,
            userMicros: median(samples[i]!.map((x) => x.user)),
            sysMicros: median(samples[i]!.map((x) => x.sys)),
            opsPerSec: median(samples[i]!.map((x) => x.ops)),
          })),
        };
        rows.push(row);
        log(`  ${test}, ${setup.name}: ${row.servers.map((s) => `${s.name} ${s.userMicros.toFixed(2)}+${s.sysMicros.toFixed(2)} µs`).join(', ')}`);
      }
    }
  } finally {
    for (const { server } of servers) await server.stop();
  }
  return { machine: machineFacts(), loadAfter: loadAverage(), rows };
}

export function printCpuPerRequest(result: { machine: Record<string, string | number>; loadAfter: number; rows: CpuRow[] }): void {
  const file = saveResult('cpu-per-request', result);
  const names = result.rows[0]?.servers.map((s) => s.name) ?? [];
  console.log('\n== Server CPU per request (µs user + system, median of rounds; 64-byte values; persistence off unless +log: appendonly yes, appendfsync everysec) ==');
  console.log(table(
    ['test', 'setup', ...names.map((n) => `${n} µs`), ...names.filter((n) => n !== 'redis').map((n) => `${n} / redis`)],
    result.rows.map((r) => {
      const total = (name: string): number => {
        const s = r.servers.find((x) => x.name === name)!;
        return s.userMicros + s.sysMicros;
      };
      return [
        r.test, r.setup,
        ...r.servers.map((s) => `${s.userMicros.toFixed(2)} + ${s.sysMicros.toFixed(2)}`),
        ...names.filter((n) => n !== 'redis').map((n) => (total('redis') / total(n)).toFixed(2)),
      ];
    }),
    2,
  ));
  console.log('"x / redis" = Redis CPU per request / that server\'s: the throughput ratio a CPU-bound run would show.');
  const logged = names.filter((n) => n.endsWith('+log'));
  if (logged.length > 0) {
    console.log('\nWhat the log costs: CPU per request with the log / without (1.10 = 10% more CPU, ~9% less throughput when CPU-bound)');
    console.log(table(
      ['test', 'setup', ...logged.map((n) => n.slice(0, -4))],
      result.rows.map((r) => {
        const total = (name: string): number => {
          const s = r.servers.find((x) => x.name === name)!;
          return s.userMicros + s.sysMicros;
        };
        return [r.test, r.setup, ...logged.map((n) => (total(n) / total(n.slice(0, -4))).toFixed(2))];
      }),
      2,
    ));
  }
  console.log(`ops/s (noisy, for reference): ${result.rows.map((r) => `${r.test} ${r.setup}: ${r.servers.map((s) => `${s.name} ${fmtNumber(s.opsPerSec)}`).join(' / ')}`).join('; ')}`);
  console.log(busyNote(result.machine, result.loadAfter));
  console.log(`saved ${file}`);
}

if (isMain(import.meta.url)) {
  const tests = (flagValue('--tests') ?? 'set,get,hset,lrange_100,mset').split(',');
  runCpuPerRequest({
    before: flagValue('--before') ?? null,
    rounds: Number(flagValue('--rounds') ?? 3),
    tests,
    requests: Number(flagValue('--requests') ?? 100_000),
    pipelines: (flagValue('--pipelines') ?? '1,16').split(',').map(Number),
    cairnArgs: splitArgs(flagValue('--cairn-args')),
    redisArgs: splitArgs(flagValue('--redis-args')),
    withLog: hasFlag('--with-log'),
  }).then(printCpuPerRequest).catch(failRun);
}
