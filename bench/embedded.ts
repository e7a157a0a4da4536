// Embedded use: GET and SET-with-TTL per second inside one Node process, through Cairn's
// in-process API (db.command, and the typed db.get / db.set), next to lru-cache (a plain
// in-memory cache with a TTL, the floor of what a JS cache costs) and next to a network round
// trip with ioredis to a redis-server on loopback (what embedding saves). All in one run, same
// keys and values. The in-process contenders run in alternating rounds (Cairn, Cairn typed,
// lru-cache, then again), so that a busy spell of a shared machine hits all of them; ops/s are
// the medians of the rounds and the ratios to lru-cache the medians of the per-round ratios.
//
//   node dist/bench/embedded.js [--quick] [--rounds N]
import { LRUCache } from 'lru-cache';
import { Redis } from 'ioredis';
import { open } from '../src/embedded.js';
import { busyNote, loadAverage, machineFacts, startCairn, startRedis, type BenchServer } from './servers.js';
import { failRun, flagValue, fmtNumber, fmtRatio, hasFlag, isMain, log, median, saveResult, table } from './report.js';

export interface EmbeddedOptions {
  /** How long each measurement runs. */
  readonly durationMs: number;
  /** Alternating rounds of the in-process contenders (default 3). */
  readonly rounds?: number;
}

export interface EmbeddedRow {
  readonly name: string;
  readonly setOpsPerSec: number;
  readonly getOpsPerSec: number;
  /** Medians of the per-round ratios to lru-cache (in-process contenders only). */
  readonly setVsLru?: number;
  readonly getVsLru?: number;
  /** Each round's ops/s, SET and GET. */
  readonly rounds?: ReadonlyArray<{ set: number; get: number }>;
}

export interface EmbeddedResult {
  readonly machine: Record<string, string | number>;
  readonly durationMs: number;
  readonly rounds: number;
  readonly loadAfter: number;
  readonly rows: readonly EmbeddedRow[];
}

export const KEYS = 100_000;
export const TTL_SECONDS = 600;
export const VALUE = 'x'.repeat(64);

/** The keys, drawn in a fixed pseudo-random order so that every contender sees the same sequence. */
export function keySequence(): string[] {
  const out: string[] = [];
  let x = 0x9e3779b9;
  for (let i = 0; i < 1 << 16; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out.push(`key:${(x >>> 0) % KEYS}`);
  }
  return out;
}
const SEQUENCE = keySequence();
const MASK = SEQUENCE.length - 1;

/** Calls op in batches until durationMs has passed (after a short warm-up); ops per second. */
function timeSync(durationMs: number, op: (key: string) => void): number {
  const run = (ms: number): number => {
    let n = 0;
    const start = performance.now();
    let elapsed = 0;
    do {
      for (let i = 0; i < 1000; i++) op(SEQUENCE[(n + i) & MASK]!);
      n += 1000;
      elapsed = performance.now() - start;
    } while (elapsed < ms);
    return (n * 1000) / elapsed;
  };
  run(Math.min(300, durationMs / 3));
  return run(durationMs);
}

/** Like timeSync for a client that answers asynchronously, `inFlight` requests at a time. */
async function timeAsync(durationMs: number, inFlight: number, op: (key: string) => Promise<unknown>): Promise<number> {
  const run = async (ms: number): Promise<number> => {
    let n = 0;
    const start = performance.now();
    const deadline = start + ms;
    const worker = async (): Promise<void> => {
      while (performance.now() < deadline) await op(SEQUENCE[n++ & MASK]!);
    };
    await Promise.all(Array.from({ length: inFlight }, worker));
    return (n * 1000) / (performance.now() - start);
  };
  await run(Math.min(300, durationMs / 3));
  return run(durationMs);
}

/** An in-process contender: SET with a TTL and GET of one key. */
interface InProcess {
  readonly name: string;
  set(key: string): void;
  get(key: string): void;
  close(): Promise<void>;
}

function cairnCommand(): InProcess {
  const db = open(); // no data folder: in memory only, as lru-cache
  const ttl = String(TTL_SECONDS);
  return {
    name: 'Cairn embedded (db.command)',
    set: (k) => void db.command('SET', k, VALUE, 'EX', ttl),
    get: (k) => void db.command('GET', k),
    close: () => db.close(),
  };
}

/** The typed calls (db.set with a TTL, db.get): the same commands without the generic argument list. */
function cairnTyped(): InProcess {
  const db = open();
  const ttl = { ex: TTL_SECONDS };
  return {
    name: 'Cairn embedded (db.set / db.get)',
    set: (k) => void db.set(k, VALUE, ttl),
    get: (k) => void db.get(k),
    close: () => db.close(),
  };
}

function lruCache(): InProcess {
  const cache = new LRUCache<string, string>({ max: KEYS * 2, ttl: TTL_SECONDS * 1000 });
  return {
    name: 'lru-cache (ttl)',
    set: (k) => void cache.set(k, VALUE),
    get: (k) => void cache.get(k),
    close: async () => {},
  };
}

/** Rounds of SET then GET for each contender in turn; medians per contender and of the ratios. */
async function measureInProcess(durationMs: number, rounds: number): Promise<EmbeddedRow[]> {
  const contenders = [cairnCommand(), cairnTyped(), lruCache()];
  const lru = contenders.length - 1;
  const samples = contenders.map(() => [] as Array<{ set: number; get: number }>);
  try {
    for (let r = 0; r < rounds; r++) {
      contenders.forEach((c, i) => {
        const set = timeSync(durationMs, c.set);
        const get = timeSync(durationMs, c.get);
        samples[i]!.push({ set, get });
      });
    }
  } finally {
    for (const c of contenders) await c.close();
  }
  return contenders.map((c, i) => ({
    name: c.name,
    setOpsPerSec: median(samples[i]!.map((x) => x.set)),
    getOpsPerSec: median(samples[i]!.map((x) => x.get)),
    setVsLru: median(samples[i]!.map((x, r) => x.set / samples[lru]![r]!.set)),
    getVsLru: median(samples[i]!.map((x, r) => x.get / samples[lru]![r]!.get)),
    rounds: samples[i]!,
  }));
}

async function measureIoredis(name: string, server: BenchServer, durationMs: number, inFlight: number): Promise<EmbeddedRow> {
  const client = new Redis({ port: server.port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 0 });
  await client.connect();
  try {
    const setOpsPerSec = await timeAsync(durationMs, inFlight, (k) => client.set(k, VALUE, 'EX', TTL_SECONDS));
    const getOpsPerSec = await timeAsync(durationMs, inFlight, (k) => client.get(k));
    return { name, setOpsPerSec, getOpsPerSec };
  } finally {
    client.disconnect();
  }
}

export async function runEmbedded(opts: EmbeddedOptions): Promise<EmbeddedResult> {
  const rounds = opts.rounds ?? 3;
  log(`embedded: Cairn in-process and lru-cache (${rounds} alternating rounds), ioredis over loopback...`);
  const rows: EmbeddedRow[] = await measureInProcess(opts.durationMs, rounds);
  const started: BenchServer[] = [];
  try {
    const redis = await startRedis({ persistence: 'off' });
    started.push(redis);
    const cairn = await startCairn({ persistence: 'off' });
    started.push(cairn);
    rows.push(await measureIoredis('ioredis -> redis-server, 1 in flight', redis, opts.durationMs, 1));
    rows.push(await measureIoredis('ioredis -> cairn server, 1 in flight', cairn, opts.durationMs, 1));
    rows.push(await measureIoredis('ioredis -> redis-server, 64 in flight', redis, opts.durationMs, 64));
  } finally {
    for (const s of started) await s.stop();
  }
  return { machine: machineFacts(), durationMs: opts.durationMs, rounds, loadAfter: loadAverage(), rows };
}

export function printEmbedded(result: EmbeddedResult): string {
  const file = saveResult('embedded', result);
  const lru = result.rows.find((r) => r.name.startsWith('lru-cache'))!;
  const rtt = result.rows.find((r) => r.name === 'ioredis -> redis-server, 1 in flight')!;
  console.log(`\n== Embedded: SET key v EX ${TTL_SECONDS} / GET, in one process (${result.durationMs} ms each, ${result.rounds} rounds) ==`);
  console.log(table(
    ['contender', 'SET ops/s', 'GET ops/s', 'SET vs lru-cache', 'GET vs lru-cache', 'SET vs ioredis RTT', 'GET vs ioredis RTT'],
    result.rows.map((r) => [
      r.name, fmtNumber(r.setOpsPerSec), fmtNumber(r.getOpsPerSec),
      r.setVsLru !== undefined ? fmtRatio(r.setVsLru, 1) : fmtRatio(r.setOpsPerSec, lru.setOpsPerSec),
      r.getVsLru !== undefined ? fmtRatio(r.getVsLru, 1) : fmtRatio(r.getOpsPerSec, lru.getOpsPerSec),
      fmtRatio(r.setOpsPerSec, rtt.setOpsPerSec), fmtRatio(r.getOpsPerSec, rtt.getOpsPerSec),
    ]),
    1,
  ));
  console.log(`keys drawn from ${fmtNumber(KEYS)}, 64-byte values; "ioredis RTT" = one request at a time to redis-server on loopback.`);
  console.log('in-process rows: median ops/s of the rounds; "vs lru-cache": median of the per-round ratios.');
  console.log(busyNote(result.machine, result.loadAfter));
  console.log(`saved ${file}`);
  return file;
}

if (isMain(import.meta.url)) {
  const rounds = Number(flagValue('--rounds') ?? (hasFlag('--quick') ? 1 : 3));
  runEmbedded({ durationMs: hasFlag('--quick') ? 500 : 2000, rounds }).then(printEmbedded).catch(failRun);
}
