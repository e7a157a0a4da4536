// Scripting: EVALSHA of a small script (INCR plus EXPIRE, the rate-limiter shape) against
// Cairn and redis-server side by side, driven by redis-benchmark on random keys; throughput
// and latency percentiles. Persistence off on both.
//
//   node dist/bench/scripting.js [--quick] [--rounds N]
import { Redis } from 'ioredis';
import { redisBenchmarkCommand, type Sample } from './redis-benchmark.js';
import { busyNote, loadAverage, machineFacts, startCairn, startRedis, type BenchServer } from './servers.js';
import { failRun, flagValue, fmtNumber, fmtRatio, hasFlag, isMain, log, median, saveResult, table } from './report.js';

export const RATE_LIMIT_SCRIPT = `local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('EXPIRE', KEYS[1], 60) end
return n`;

export interface ScriptingOptions {
  readonly quick: boolean;
  readonly rounds: number;
}

export interface ScriptingRow {
  readonly clients: number;
  readonly pipeline: number;
  readonly redis: Sample | null;
  readonly cairn: Sample | null;
}

export interface ScriptingResult {
  readonly machine: Record<string, string | number>;
  readonly rows: readonly ScriptingRow[];
  readonly note: string;
}

async function loadScript(server: BenchServer): Promise<string> {
  const client = new Redis({ host: '127.0.0.1', port: server.port, lazyConnect: true });
  try {
    await client.connect();
    return (await client.script('LOAD', RATE_LIMIT_SCRIPT)) as string;
  } finally {
    client.disconnect();
  }
}

async function measure(server: BenchServer, sha: string, clients: number, pipeline: number, requests: number, rounds: number): Promise<Sample | null> {
  const samples: Sample[] = [];
  for (let r = 0; r < rounds; r++) {
    const s = await redisBenchmarkCommand(server.port, { clients, pipeline, requests, keyspace: 100_000 }, ['EVALSHA', sha, '1', 'rl:__rand_int__']);
    if (s !== null) samples.push(s);
  }
  if (samples.length === 0) return null;
  return { ops: median(samples.map((s) => s.ops)), avgMs: median(samples.map((s) => s.avgMs)), p50Ms: median(samples.map((s) => s.p50Ms)), p99Ms: median(samples.map((s) => s.p99Ms)) };
}

export async function runScripting(options: ScriptingOptions): Promise<ScriptingResult> {
  const machine = machineFacts();
  const requests = options.quick ? 50_000 : 200_000;
  const shapes: Array<[number, number]> = options.quick ? [[50, 1]] : [[1, 1], [50, 1], [50, 16]];
  const redis = await startRedis({ persistence: 'off' });
  const cairn = await startCairn({ persistence: 'off' });
  try {
    const [redisSha, cairnSha] = await Promise.all([loadScript(redis), loadScript(cairn)]);
    if (redisSha !== cairnSha) throw new Error(`SCRIPT LOAD answered ${cairnSha} on Cairn and ${redisSha} on redis-server`);
    const rows: ScriptingRow[] = [];
    for (const [clients, pipeline] of shapes) {
      rows.push({
        clients, pipeline,
        redis: await measure(redis, redisSha, clients, pipeline, requests, options.rounds),
        cairn: await measure(cairn, cairnSha, clients, pipeline, requests, options.rounds),
      });
    }
    return { machine, rows, note: busyNote(machine, loadAverage()) };
  } finally {
    await Promise.allSettled([redis.stop(), cairn.stop()]);
  }
}

export function printScripting(result: ScriptingResult): void {
  const fmt = (s: Sample | null, f: (s: Sample) => string) => (s === null ? '-' : f(s));
  log('\nEVALSHA of INCR + EXPIRE (redis-benchmark, random keys, persistence off)');
  log(table(
    ['clients', 'pipeline', 'redis ops/s', 'cairn ops/s', 'cairn/redis', 'redis p50 ms', 'cairn p50 ms', 'redis p99 ms', 'cairn p99 ms'],
    result.rows.map((r) => [
      String(r.clients), String(r.pipeline),
      fmt(r.redis, (s) => fmtNumber(s.ops)), fmt(r.cairn, (s) => fmtNumber(s.ops)),
      r.redis !== null && r.cairn !== null ? fmtRatio(r.cairn.ops, r.redis.ops) : '-',
      fmt(r.redis, (s) => s.p50Ms.toFixed(3)), fmt(r.cairn, (s) => s.p50Ms.toFixed(3)),
      fmt(r.redis, (s) => s.p99Ms.toFixed(3)), fmt(r.cairn, (s) => s.p99Ms.toFixed(3)),
    ]),
  ));
  if (result.note !== '') log(result.note);
  log(`saved ${saveResult('scripting', result)}`);
}

if (isMain(import.meta.url)) {
  const quick = hasFlag('--quick');
  runScripting({ quick, rounds: Number(flagValue('--rounds') ?? (quick ? 1 : 3)) }).then(printScripting, failRun);
}
