// Latency of one client without pipelining, default persistence on both servers (Cairn: the
// append-only log, fsync every second, and snapshots; Redis: snapshots only): issue 6's
// "1 client" rows, run on their own and in alternation so that the machine's load moves every
// server alike. redis-benchmark's p50 comes in steps of 8 µs at this scale (0.015, 0.023 ms), so
// its average (in whole µs) is printed beside it. With --before, a second built checkout of
// Cairn runs in the same rounds. Values of 64 bytes and keys among 100,000, as npm run bench.
//
//   node dist/bench/one-client.js [--before /path/to/built/checkout] [--rounds 5]
//       [--tests set,incr,lpush] [--requests 50000] [--cairn-args "..."]
import { busyNote, loadAverage, machineFacts, startCairn, startRedis, type BenchServer } from './servers.js';
import { redisBenchmark } from './redis-benchmark.js';
import { splitArgs } from './cpu-per-request.js';
import { failRun, flagValue, log, median, saveResult, table } from './report.js';

interface Row {
  readonly test: string;
  readonly servers: ReadonlyArray<{ name: string; p50Ms: number[]; avgMs: number[] }>;
}

async function run(): Promise<void> {
  const rounds = Number(flagValue('--rounds') ?? 5);
  const tests = (flagValue('--tests') ?? 'set,incr,lpush').split(',');
  const requests = Number(flagValue('--requests') ?? 50_000);
  const before = flagValue('--before') ?? null;
  const cairnArgs = splitArgs(flagValue('--cairn-args'));
  const machine = machineFacts();
  const servers: Array<{ name: string; server: BenchServer }> = [];
  const rows: Row[] = [];
  try {
    servers.push({ name: 'redis', server: await startRedis({ persistence: 'default' }) });
    servers.push({ name: 'cairn', server: await startCairn({ persistence: 'default', extraArgs: cairnArgs }) });
    if (before !== null) servers.push({ name: 'cairn before', server: await startCairn({ persistence: 'default', build: before, extraArgs: cairnArgs }) });
    for (const test of tests) {
      const samples = servers.map((s) => ({ name: s.name, p50Ms: [] as number[], avgMs: [] as number[] }));
      for (let round = 0; round < rounds; round++) {
        for (let i = 0; i < servers.length; i++) {
          const r = await redisBenchmark(servers[i]!.server.port, { test, clients: 1, pipeline: 1, requests, dataBytes: 64, keyspace: 100_000 });
          if (r === null) continue;
          samples[i]!.p50Ms.push(r.p50Ms);
          samples[i]!.avgMs.push(r.avgMs);
        }
      }
      rows.push({ test, servers: samples });
      log(`  ${test}: ${samples.map((s) => `${s.name} p50 ${s.p50Ms.join('/')} avg ${s.avgMs.join('/')}`).join('; ')}`);
    }
  } finally {
    for (const { server } of servers) await server.stop();
  }
  const file = saveResult('one-client', { machine, loadAfter: loadAverage(), rows });
  const names = rows[0]?.servers.map((s) => s.name) ?? [];
  console.log(`\n== 1 client, no pipelining, default persistence: median over ${rounds} rounds (ms) ==`);
  console.log(table(
    ['test', ...names.map((n) => `${n} p50`), ...names.map((n) => `${n} avg`), ...names.filter((n) => n !== 'redis').map((n) => `${n} / redis p50`)],
    rows.map((r) => {
      const p50 = (n: string): number => median(r.servers.find((s) => s.name === n)!.p50Ms);
      return [
        r.test,
        ...r.servers.map((s) => median(s.p50Ms).toFixed(3)),
        ...r.servers.map((s) => median(s.avgMs).toFixed(3)),
        ...names.filter((n) => n !== 'redis').map((n) => (p50(n) / p50('redis')).toFixed(2)),
      ];
    }),
    1,
  ));
  console.log(busyNote(machine, loadAverage()));
  console.log(`saved ${file}`);
}

run().catch(failRun);
