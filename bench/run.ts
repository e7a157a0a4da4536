// `npm run bench`: Cairn and redis-server side by side, driven by redis-benchmark in
// alternation (A B A B ...), median of the rounds, one table printed and saved as JSON.
// Numbers are printed, never asserted: timing belongs in benchmarks, not tests.
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { startCairn, startRedis, type BenchServer } from './servers.js';

interface Row {
  test: string;
  config: string;
  cairnOps: number;
  redisOps: number;
  cairnP50: number;
  cairnP99: number;
  redisP50: number;
  redisP99: number;
}

interface Config {
  readonly name: string;
  readonly clients: number;
  readonly pipeline: number;
  readonly requests: number;
  readonly dataBytes: number;
}

const quick = process.argv.includes('--quick');
const ROUNDS = quick ? 1 : 3;
const TESTS = quick ? ['ping_inline', 'set', 'get', 'incr'] : ['ping_inline', 'set', 'get', 'incr', 'lpush', 'rpop', 'sadd', 'hset', 'spop', 'zadd', 'zpopmin', 'lrange_100', 'lrange_600', 'mset'];
const CONFIGS: Config[] = [
  { name: '50 clients', clients: 50, pipeline: 1, requests: quick ? 20_000 : 100_000, dataBytes: 64 },
  { name: '50 clients, pipeline 16', clients: 50, pipeline: 16, requests: quick ? 100_000 : 500_000, dataBytes: 64 },
  { name: '1 client', clients: 1, pipeline: 1, requests: quick ? 5_000 : 20_000, dataBytes: 64 },
];

interface Sample {
  ops: number;
  p50: number;
  p99: number;
}

function runBenchmark(server: BenchServer, test: string, cfg: Config): Sample | null {
  const args = ['-h', '127.0.0.1', '-p', String(server.port), '-t', test, '-n', String(cfg.requests), '-c', String(cfg.clients),
    '-P', String(cfg.pipeline), '-d', String(cfg.dataBytes), '-r', '100000', '--csv', '-q'];
  const r = spawnSync('redis-benchmark', args, { encoding: 'utf8', timeout: 300_000 });
  if (r.status !== 0) return null;
  const line = r.stdout.split('\n').find((l) => l.startsWith('"') && !l.startsWith('"test"'));
  if (line === undefined) return null;
  const cells = line.split(',').map((c) => c.replace(/"/g, ''));
  return { ops: Number(cells[1]), p50: Number(cells[4]), p99: Number(cells[6]) };
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? 0;
}

function supported(server: BenchServer, test: string): boolean {
  // A command Cairn does not serve yet would make redis-benchmark spin on errors: probe it first.
  const probe: Record<string, string[]> = {
    lpush: ['lpush', 'bench:probe', 'x'], rpop: ['rpop', 'bench:probe'], sadd: ['sadd', 'bench:probe:s', 'x'],
    hset: ['hset', 'bench:probe:h', 'f', 'v'], spop: ['spop', 'bench:probe:s'], zadd: ['zadd', 'bench:probe:z', '1', 'x'],
    zpopmin: ['zpopmin', 'bench:probe:z'], lrange_100: ['lrange', 'bench:probe', '0', '1'], lrange_600: ['lrange', 'bench:probe', '0', '1'],
  };
  const cmd = probe[test];
  if (cmd === undefined) return true;
  const r = spawnSync('redis-cli', ['-p', String(server.port), ...cmd], { encoding: 'utf8' });
  return r.status === 0 && !/unknown command/i.test(r.stdout);
}

async function main(): Promise<void> {
  const cairn = await startCairn();
  const redis = await startRedis();
  const rows: Row[] = [];
  try {
    for (const cfg of CONFIGS) {
      for (const test of TESTS) {
        if (!supported(cairn, test)) {
          console.error(`skipping ${test}: Cairn does not serve it yet`);
          continue;
        }
        const c: Sample[] = [];
        const r: Sample[] = [];
        for (let round = 0; round < ROUNDS; round++) {
          const a = runBenchmark(cairn, test, cfg);
          const b = runBenchmark(redis, test, cfg);
          if (a !== null) c.push(a);
          if (b !== null) r.push(b);
        }
        if (c.length === 0 || r.length === 0) continue;
        rows.push({
          test: test.toUpperCase(), config: cfg.name,
          cairnOps: median(c.map((x) => x.ops)), redisOps: median(r.map((x) => x.ops)),
          cairnP50: median(c.map((x) => x.p50)), cairnP99: median(c.map((x) => x.p99)),
          redisP50: median(r.map((x) => x.p50)), redisP99: median(r.map((x) => x.p99)),
        });
        printRow(rows[rows.length - 1]!, rows.length === 1);
      }
    }
  } finally {
    await cairn.stop();
    await redis.stop();
  }
  mkdirSync('bench/results', { recursive: true });
  const file = `bench/results/redis-benchmark-${new Date().toISOString().replace(/[:.]/g, '-')}.json`;
  writeFileSync(file, JSON.stringify({ rounds: ROUNDS, quick, rows }, null, 2) + '\n');
  console.log(`\nsaved ${file}`);
}

function printRow(row: Row, header: boolean): void {
  const cols = [12, 26, 12, 12, 7, 16, 16];
  const fmt = (cells: string[]): string => cells.map((c, i) => c.padStart(cols[i]!)).join(' ');
  if (header) console.log(fmt(['command', 'config', 'cairn ops/s', 'redis ops/s', 'ratio', 'cairn p50/p99', 'redis p50/p99']));
  console.log(fmt([
    row.test, row.config, row.cairnOps.toFixed(0), row.redisOps.toFixed(0), (row.cairnOps / row.redisOps).toFixed(2),
    `${row.cairnP50.toFixed(3)}/${row.cairnP99.toFixed(3)}`, `${row.redisP50.toFixed(3)}/${row.redisP99.toFixed(3)}`,
  ]));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
