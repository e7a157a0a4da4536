// CPU time a server spends per request under redis-benchmark: the user and system time of the
// server process (from /proc/<pid>/stat) before and after each run, divided by the requests.
// On a machine shared with other work, ops/s move by ±50% between identical runs while the CPU
// a request costs moves much less, so this is what before/after comparisons of the hot path
// read (docs/design/hot-path.md). Servers: redis-server, this build of Cairn and, with
// --before <checkout>, another built checkout of Cairn; each row runs them in alternation for
// --rounds rounds and reports medians. Persistence off on all.
//
//   node dist/bench/cpu-per-request.js [--before /path/to/built/checkout] [--rounds 3]
//       [--tests set,get,hset,lrange_100,mset] [--requests 100000]
import { busyNote, cpuSeconds, loadAverage, machineFacts, startCairn, startRedis, type BenchServer } from './servers.js';
import { redisBenchmark, type BenchmarkSpec } from './redis-benchmark.js';
import { RespClient } from './resp.js';
import { flagValue, fmtNumber, isMain, log, median, saveResult, table } from './report.js';

interface Setup {
  readonly name: string;
  readonly clients: number;
  readonly pipeline: number;
}

const SETUPS: readonly Setup[] = [
  { name: '50 clients', clients: 50, pipeline: 1 },
  { name: '50 clients, pipeline 16', clients: 50, pipeline: 16 },
];

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

export async function runCpuPerRequest(opts: { before: string | null; rounds: number; tests: readonly string[]; requests: number }): Promise<{ machine: Record<string, string | number>; loadAfter: number; rows: CpuRow[] }> {
  const servers: Array<{ name: string; server: BenchServer }> = [];
  const rows: CpuRow[] = [];
  try {
    servers.push({ name: 'redis', server: await startRedis({ persistence: 'off' }) });
    servers.push({ name: 'cairn', server: await startCairn({ persistence: 'off' }) });
    if (opts.before !== null) servers.push({ name: 'cairn before', server: await startCairn({ persistence: 'off', build: opts.before }) });
    for (const setup of SETUPS) {
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
  console.log('\n== Server CPU per request (µs user + system, median of rounds; persistence off, 64-byte values) ==');
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
  }).then(printCpuPerRequest).catch((e) => {
    console.error(e);
    process.exitCode = 1;
  });
}
