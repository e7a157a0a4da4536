// Persistence benchmarks, printed side by side with redis-server (never asserted):
//   1. log replay: start-up time and rate for a log of 1M writes;
//   2. snapshots of 1M keys: SAVE and BGSAVE time, and the longest pause of the event loop
//      (Cairn's longest copy-on-write step against Redis's fork time);
//   3. write throughput under appendfsync always, everysec and no (redis-benchmark SET).
// Run: npm run build && node dist/bench/persistence.js [--quick] [--keys N]
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { EmbeddedSession } from '../src/embedded.js';
import { Config } from '../src/server/config.js';
import { Engine } from '../src/server/engine.js';
import { Persistence } from '../src/io/persistence/manager.js';
import { systemClock } from '../src/io/system-clock.js';
import { redisBenchmark } from './redis-benchmark.js';
import { fmtNumber, fmtRatio, flagValue, hasFlag, table } from './report.js';
import { freePort, machineFacts, startCairn, startRedis } from './servers.js';

const quick = hasFlag('--quick');
const KEYS = Number(flagValue('--keys') ?? (quick ? 200_000 : 1_000_000));
const VALUE = 'v'.repeat(16);

function tempDir(name: string): string {
  return mkdtempSync(path.join(os.tmpdir(), `cairn-bench-persist-${name}-`));
}

function newEngine(config: Record<string, string>): Engine {
  const c = new Config();
  for (const [k, v] of Object.entries(config)) {
    const problem = c.set(k, v, false);
    if (problem !== null) throw new Error(`${k}: ${problem}`);
  }
  return new Engine({ clock: systemClock, seed: 1, config: c });
}

const turn = (): Promise<void> => new Promise((r) => setImmediate(r));

// ---------------------------------------------------------------------------------------------
// 1. Replay

async function cairnReplay(): Promise<{ seconds: number; bytes: number }> {
  const dir = tempDir('replay');
  try {
    const writer = newEngine({ appendfsync: 'no', save: '' });
    const p = new Persistence({ engine: writer, dir });
    p.attach();
    p.startSync();
    const s = new EmbeddedSession(writer);
    for (let i = 0; i < KEYS; i++) {
      s.raw(['SET', `key:${i}`, VALUE]);
      if (i % 10_000 === 9_999) await turn();
    }
    await turn();
    const bytes = Number(/aof_current_size:(\d+)/.exec(s.raw(['INFO', 'persistence']).v as string)![1]);
    p.close();
    const reader = newEngine({ appendfsync: 'no', save: '' });
    const q = new Persistence({ engine: reader, dir });
    q.attach();
    const t0 = performance.now();
    q.startSync();
    const seconds = (performance.now() - t0) / 1000;
    if (reader.ks.dbs[0]!.size !== KEYS) throw new Error(`replayed ${reader.ks.dbs[0]!.size} keys, expected ${KEYS}`);
    q.close();
    return { seconds, bytes };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** redis-server on a folder we keep, its log on stdout; resolves once ready, with the log so far. */
async function redisIn(dir: string, args: string[]): Promise<{ port: number; log: () => string; stop: () => Promise<void> }> {
  const port = await freePort();
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  child.stdout!.setEncoding('utf8');
  child.stdout!.on('data', (d: string) => (log += d));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`redis-server not ready:\n${log}`)), 120_000);
    const check = (): void => {
      if (log.includes('Ready to accept connections')) {
        clearTimeout(timer);
        resolve();
      } else if (child.exitCode !== null) {
        clearTimeout(timer);
        reject(new Error(`redis-server exited:\n${log}`));
      } else setTimeout(check, 10);
    };
    check();
  });
  return {
    port,
    log: () => log,
    stop: async () => {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        process.kill(child.pid!, 'SIGTERM');
        await exited;
      }
    },
  };
}

async function redisReplay(): Promise<{ seconds: number } | null> {
  const dir = tempDir('redis-replay');
  try {
    const args = ['--appendonly', 'yes', '--appendfsync', 'no', '--save', '', '--aof-use-rdb-preamble', 'yes'];
    const first = await redisIn(dir, args);
    const sample = await redisBenchmarkSet(first.port, KEYS, 16, 20, KEYS);
    await first.stop();
    if (sample === null) return null;
    const second = await redisIn(dir, args);
    const m = /DB loaded from (?:append only file|incr file \S+|disk): ([\d.]+) seconds/.exec(second.log());
    await second.stop();
    return m === null ? null : { seconds: Number(m[1]) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function redisBenchmarkSet(port: number, requests: number, pipeline: number, clients: number, keyspace: number) {
  return redisBenchmark(port, { test: 'set', clients, pipeline, requests, dataBytes: 16, keyspace });
}

// ---------------------------------------------------------------------------------------------
// 2. Snapshots

async function cairnSnapshot(): Promise<{ saveSeconds: number; bgsaveSeconds: number; longestStepMs: number; loopDelayMaxMs: number; steps: number }> {
  const dir = tempDir('snapshot');
  try {
    const engine = newEngine({ appendonly: 'no', save: '' });
    const p = new Persistence({ engine, dir });
    p.attach();
    p.startSync();
    const db = engine.ks.dbs[0]!;
    for (let i = 0; i < KEYS; i++) db.add(`key:${i}`, 'string', VALUE);
    const s = new EmbeddedSession(engine);
    let t0 = performance.now();
    s.raw(['SAVE']);
    const saveSeconds = (performance.now() - t0) / 1000;
    const delay = monitorEventLoopDelay({ resolution: 1 });
    delay.enable();
    t0 = performance.now();
    s.raw(['BGSAVE']);
    // A client keeps writing while the snapshot runs, so copy-on-write has work to do.
    let i = 0;
    while (/rdb_bgsave_in_progress:1/.test(s.raw(['INFO', 'persistence']).v as string)) {
      for (let j = 0; j < 50; j++) s.raw(['SET', `key:${(i++ * 7919) % KEYS}`, 'changed']);
      await turn();
    }
    const bgsaveSeconds = (performance.now() - t0) / 1000;
    delay.disable();
    const facts = p.lastJobFacts as { longest_pause_ms: string; steps: number };
    p.close();
    return { saveSeconds, bgsaveSeconds, longestStepMs: Number(facts.longest_pause_ms), loopDelayMaxMs: delay.max / 1e6, steps: facts.steps };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function redisSnapshot(): Promise<{ saveSeconds: number; bgsaveSeconds: number; forkMs: number } | null> {
  const dir = tempDir('redis-snapshot');
  try {
    const r = await redisIn(dir, ['--save', '', '--appendonly', 'no', '--enable-debug-command', 'yes']);
    try {
      await cli(r.port, ['DEBUG', 'POPULATE', String(KEYS), 'key', '16']);
      let t0 = performance.now();
      await cli(r.port, ['SAVE']);
      const saveSeconds = (performance.now() - t0) / 1000;
      t0 = performance.now();
      await cli(r.port, ['BGSAVE']);
      while ((await cli(r.port, ['INFO', 'persistence'])).includes('rdb_bgsave_in_progress:1')) await new Promise((res) => setTimeout(res, 5));
      const bgsaveSeconds = (performance.now() - t0) / 1000;
      const forkUsec = Number(/latest_fork_usec:(\d+)/.exec(await cli(r.port, ['INFO', 'stats']))![1]);
      return { saveSeconds, bgsaveSeconds, forkMs: forkUsec / 1000 };
    } finally {
      await r.stop();
    }
  } catch {
    return null;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function cli(port: number, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('redis-cli', ['-p', String(port), ...args], { stdio: ['ignore', 'pipe', 'ignore'] });
    let out = '';
    child.stdout!.setEncoding('utf8');
    child.stdout!.on('data', (d: string) => (out += d));
    child.once('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`redis-cli ${args.join(' ')}: ${code}`))));
  });
}

// ---------------------------------------------------------------------------------------------
// 3. Throughput per fsync policy

interface PolicyRow {
  policy: string;
  pipeline: number;
  cairn: number;
  redis: number;
  cairnP99: number;
  redisP99: number;
}

async function throughput(): Promise<PolicyRow[]> {
  const rows: PolicyRow[] = [];
  const requests = quick ? 20_000 : 100_000;
  for (const pipeline of [1, 16]) {
    for (const policy of ['always', 'everysec', 'no', 'off']) {
      const cairnArgs = policy === 'off' ? [] : ['--appendonly', 'yes', '--appendfsync', policy, '--save', ''];
      const redisArgs = policy === 'off' ? [] : ['--appendonly', 'yes', '--appendfsync', policy, '--save', ''];
      const persistence = policy === 'off' ? 'off' : 'default';
      const cairn = await startCairn({ persistence, extraArgs: cairnArgs });
      const redis = await startRedis({ persistence, extraArgs: redisArgs });
      try {
        const spec = { test: 'set', clients: 50, pipeline, requests: requests * pipeline, dataBytes: 64, keyspace: 100_000 };
        const c = await redisBenchmark(cairn.port, spec);
        const r = await redisBenchmark(redis.port, spec);
        rows.push({ policy, pipeline, cairn: c?.ops ?? NaN, redis: r?.ops ?? NaN, cairnP99: c?.p99Ms ?? NaN, redisP99: r?.p99Ms ?? NaN });
      } finally {
        await cairn.stop();
        await redis.stop();
      }
    }
  }
  return rows;
}

// ---------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const facts = machineFacts();
  console.log(`Persistence benchmarks: ${KEYS.toLocaleString('en-US')} keys, ${facts.cpus} cores (${facts.cpuModel}), node ${facts.node}, redis ${facts.redisServer}, load ${facts.loadAverage1m}`);
  console.log(`Data folders on ${os.tmpdir()}.\n`);

  const [cr, rr] = [await cairnReplay(), await redisReplay()];
  console.log(`1. Start-up from a log of ${KEYS.toLocaleString('en-US')} writes (SET, 16-byte values)`);
  console.log(table(['server', 'load time', 'writes/s', 'log size'], [
    ['cairn', `${cr.seconds.toFixed(2)} s`, fmtNumber(KEYS / cr.seconds), `${(cr.bytes / 2 ** 20).toFixed(1)} MiB`],
    ['redis', rr === null ? '-' : `${rr.seconds.toFixed(2)} s`, rr === null ? '-' : fmtNumber(KEYS / rr.seconds), ''],
  ], 1));

  const cs = await cairnSnapshot();
  const rs = await redisSnapshot();
  console.log(`\n2. Snapshot of ${KEYS.toLocaleString('en-US')} keys (16-byte values)`);
  console.log(table(['server', 'SAVE', 'BGSAVE (with writes running)', 'longest pause'], [
    ['cairn', `${cs.saveSeconds.toFixed(2)} s`, `${cs.bgsaveSeconds.toFixed(2)} s in ${cs.steps} steps`, `${cs.longestStepMs.toFixed(2)} ms (event-loop delay max ${cs.loopDelayMaxMs.toFixed(1)} ms)`],
    ['redis', rs === null ? '-' : `${rs.saveSeconds.toFixed(2)} s`, rs === null ? '-' : `${rs.bgsaveSeconds.toFixed(2)} s (fork)`, rs === null ? '-' : `${rs.forkMs.toFixed(2)} ms (fork)`],
  ], 1));

  const rows = await throughput();
  console.log('\n3. SET throughput by fsync policy (redis-benchmark, 50 clients, 64-byte values; "off" = no log)');
  console.log(table(['appendfsync', 'pipeline', 'cairn ops/s', 'redis ops/s', 'cairn/redis', 'cairn p99 ms', 'redis p99 ms'],
    rows.map((r) => [r.policy, String(r.pipeline), fmtNumber(r.cairn), fmtNumber(r.redis), fmtRatio(r.cairn, r.redis), fmtNumber(r.cairnP99), fmtNumber(r.redisP99)])));
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
