// The plain Node ceiling, measured: issue 6 puts the target for 50 unpipelined clients at what a
// lean Node server reaches against redis-server on the same machine. This runs that lean server
// (bench/lean-server.ts), Cairn and redis-server (persistence off) in turn under the same
// redis-benchmark rows, so Cairn's distance to the ceiling and the ceiling's distance to Redis
// read off one run. Medians of rounds; in each round the three servers run one after the other
// in a rotating order.
//
//   node dist/bench/node-ceiling.js [--rounds 3] [--requests 200000]
import { redisBenchmark, type BenchmarkSpec } from './redis-benchmark.js';
import { busyNote, loadAverage, machineFacts, startCairn, startLean, startRedis, type BenchServer } from './servers.js';
import { failRun, flagValue, fmtNumber, fmtRatio, isMain, log, median, saveResult, table } from './report.js';

const KINDS = ['lean', 'cairn', 'redis'] as const;
type Kind = (typeof KINDS)[number];

export interface CeilingRow {
  readonly test: string;
  readonly setup: string;
  /** Median ops/s per server. */
  readonly ops: Record<Kind, number>;
}

const SETUPS = [
  { name: '50 clients', clients: 50, pipeline: 1 },
  { name: '50 clients, pipeline 16', clients: 50, pipeline: 16 },
] as const;

export async function runNodeCeiling(opts: { rounds: number; requests: number }): Promise<{ machine: Record<string, string | number>; loadAfter: number; rows: CeilingRow[] }> {
  const machine = machineFacts();
  const servers: Partial<Record<Kind, BenchServer<Kind>>> = {};
  const rows: CeilingRow[] = [];
  try {
    servers.lean = await startLean();
    servers.cairn = await startCairn({ persistence: 'off' });
    servers.redis = await startRedis({ persistence: 'off' });
    for (const test of ['set', 'get']) {
      for (const setup of SETUPS) {
        const samples: Record<Kind, number[]> = { lean: [], cairn: [], redis: [] };
        const requests = setup.pipeline > 1 ? opts.requests * 4 : opts.requests;
        const spec: BenchmarkSpec = { test, clients: setup.clients, pipeline: setup.pipeline, requests, dataBytes: 64, keyspace: 100_000 };
        for (let round = 0; round < opts.rounds; round++) {
          // Rotate who goes first, so that no server always runs right after the same one.
          for (let i = 0; i < KINDS.length; i++) {
            const kind = KINDS[(round + i) % KINDS.length]!;
            const sample = await redisBenchmark(servers[kind]!.port, spec);
            if (sample !== null) samples[kind].push(sample.ops);
          }
        }
        const ops = { lean: median(samples.lean), cairn: median(samples.cairn), redis: median(samples.redis) };
        log(`  ${test}, ${setup.name}: lean ${fmtNumber(ops.lean)}, Cairn ${fmtNumber(ops.cairn)}, Redis ${fmtNumber(ops.redis)} ops/s`);
        rows.push({ test, setup: setup.name, ops });
      }
    }
  } finally {
    for (const s of Object.values(servers)) await s?.stop();
  }
  return { machine, loadAfter: loadAverage(), rows };
}

export function printNodeCeiling(result: Awaited<ReturnType<typeof runNodeCeiling>>): string {
  const file = saveResult('node-ceiling', result);
  console.log('\n== The plain Node ceiling: a lean Node server, Cairn and redis-server (persistence off, 64-byte values) ==');
  console.log(
    table(
      ['test', 'setup', 'lean ops/s', 'Cairn ops/s', 'Redis ops/s', 'lean / Redis', 'Cairn / Redis', 'Cairn / lean'],
      result.rows.map((r) => [
        r.test, r.setup, fmtNumber(r.ops.lean), fmtNumber(r.ops.cairn), fmtNumber(r.ops.redis),
        fmtRatio(r.ops.lean, r.ops.redis), fmtRatio(r.ops.cairn, r.ops.redis), fmtRatio(r.ops.cairn, r.ops.lean),
      ]),
    ),
  );
  console.log('lean = bench/lean-server.ts: a Map of strings, PING/SET/GET/INCR only, no limits, errors, expiry or stats.');
  console.log(busyNote(result.machine, result.loadAfter));
  console.log(`saved ${file}`);
  return file;
}

if (isMain(import.meta.url)) {
  const rounds = Number(flagValue('--rounds') ?? 3);
  const requests = Number(flagValue('--requests') ?? 200_000);
  runNodeCeiling({ rounds, requests })
    .then(printNodeCeiling)
    .catch(failRun);
}
