// Memory per key: a fresh server of each kind is filled with 1M string keys (64-byte values),
// then, fresh again, with 1M small hashes (5 fields each). Reported: growth of the process's
// resident set (VmRSS from /proc) and of INFO used_memory, total and per key.
//
// Redis's used_memory is what its allocator handed out; Cairn's is its accounted estimate (the
// baseline heap at start plus every key's estimated bytes, docs/design/memory-accounting.md),
// the number maxmemory compares against. RSS is the figure to compare across the two;
// bench/memory-accounting.ts checks the estimate against the real heap growth.
//
//   node dist/bench/memory.js [--keys N] [--timeout-s S]
import { busyNote, loadAverage, machineFacts, startCairn, startRedis, type BenchServer } from './servers.js';
import { RespClient } from './resp.js';
import { failRun, flagValue, fmtBytes, fmtNumber, fmtRatio, isMain, log, saveResult, sleep, table } from './report.js';

export interface MemoryOptions {
  readonly keys: number;
  /** Each load stops sending at this bound and reports the keys it got in. */
  readonly loadTimeoutMs: number;
}

interface Measure {
  readonly rss: number;
  readonly usedMemory: number;
}

export interface MemoryRow {
  readonly workload: string;
  readonly server: 'cairn' | 'redis';
  readonly keysLoaded: number;
  readonly loadSeconds: number;
  readonly loadOpsPerSec: number;
  readonly timedOut: boolean;
  readonly errors: number;
  readonly before: Measure;
  readonly after: Measure;
  readonly rssPerKey: number;
  readonly usedMemoryPerKey: number;
}

export interface MemoryResult {
  readonly machine: Record<string, string | number>;
  readonly keys: number;
  readonly note: string;
  readonly rows: readonly MemoryRow[];
}

const VALUE_64 = 'v'.repeat(64);

interface Workload {
  readonly name: string;
  /** Encodes commands [from, to) as one pipelined chunk. */
  readonly encode: (from: number, to: number) => Buffer;
}

/** SET mem:<i> <64 bytes>, written by hand: building 1M commands must not be the bottleneck. */
function encodeSets(from: number, to: number): Buffer {
  let out = '';
  for (let i = from; i < to; i++) {
    const key = `mem:${i}`;
    out += `*3\r\n$3\r\nSET\r\n$${key.length}\r\n${key}\r\n$64\r\n${VALUE_64}\r\n`;
  }
  return Buffer.from(out, 'latin1');
}

/** HSET hash:<i> with 5 short fields: small enough for Redis's listpack encoding. */
const HASH_FIELDS = ['name', 'email', 'city', 'visits', 'plan'];
function encodeHashes(from: number, to: number): Buffer {
  let out = '';
  for (let i = from; i < to; i++) {
    const key = `hash:${i}`;
    out += `*12\r\n$4\r\nHSET\r\n$${key.length}\r\n${key}\r\n`;
    const values = [`user${i}`, `user${i}@example.com`, 'Lisbon', String(i % 1000), 'pro'];
    for (let f = 0; f < HASH_FIELDS.length; f++) {
      const field = HASH_FIELDS[f]!;
      const value = values[f]!;
      out += `$${field.length}\r\n${field}\r\n$${value.length}\r\n${value}\r\n`;
    }
  }
  return Buffer.from(out, 'latin1');
}

const WORKLOADS: readonly Workload[] = [
  { name: 'strings (64-byte values)', encode: encodeSets },
  { name: 'hashes (5 fields, HSET)', encode: encodeHashes },
];

async function measure(server: BenchServer, client: RespClient): Promise<Measure> {
  const info = await client.info('memory');
  return { rss: server.rss(), usedMemory: Number(info.get('used_memory') ?? Number.NaN) };
}

async function loadOne(kind: 'cairn' | 'redis', workload: Workload, opts: MemoryOptions): Promise<MemoryRow> {
  const server = kind === 'cairn' ? await startCairn({ persistence: 'off' }) : await startRedis({ persistence: 'off' });
  let client: RespClient | null = null;
  try {
    client = await RespClient.connect(server.port);
    await sleep(1000);
    const before = await measure(server, client);
    const loaded = await client.load(opts.keys, workload.encode, { batch: 2000, window: 20_000, deadline: Date.now() + opts.loadTimeoutMs });
    // Let the server settle (a Cairn heap growing by hundreds of MB finishes its GC cycle).
    await sleep(2000);
    const keysLoaded = Number(await client.call('DBSIZE'));
    const after = await measure(server, client);
    const per = (a: number, b: number): number => (keysLoaded > 0 ? (a - b) / keysLoaded : Number.NaN);
    return {
      workload: workload.name, server: kind, keysLoaded, loadSeconds: loaded.ms / 1000, loadOpsPerSec: loaded.sent / (loaded.ms / 1000),
      timedOut: loaded.timedOut, errors: loaded.errors, before, after,
      rssPerKey: per(after.rss, before.rss), usedMemoryPerKey: per(after.usedMemory, before.usedMemory),
    };
  } finally {
    client?.close();
    await server.stop();
  }
}

export async function runMemory(opts: MemoryOptions): Promise<MemoryResult> {
  const rows: MemoryRow[] = [];
  for (const w of WORKLOADS) {
    for (const kind of ['cairn', 'redis'] as const) {
      log(`memory: ${fmtNumber(opts.keys)} ${w.name} into ${kind}...`);
      const row = await loadOne(kind, w, opts);
      if (row.errors > 0) log(`  ${row.errors} error replies while loading ${kind}`);
      if (row.timedOut) log(`  load into ${kind} hit the ${opts.loadTimeoutMs / 1000} s bound at ${fmtNumber(row.keysLoaded)} keys`);
      rows.push(row);
    }
  }
  return {
    machine: machineFacts(), keys: opts.keys, rows,
    note: `persistence off on both. Cairn used_memory = startup heap + accounted key bytes (memory-accounting.md).`,
  };
}

export function printMemory(result: MemoryResult): string {
  const file = saveResult('memory', result);
  console.log(`\n== Memory: ${fmtNumber(result.keys)} keys per workload, fresh server each ==`);
  const rows: string[][] = [];
  for (const w of WORKLOADS) {
    const c = result.rows.find((r) => r.workload === w.name && r.server === 'cairn');
    const r = result.rows.find((x) => x.workload === w.name && x.server === 'redis');
    for (const row of [c, r]) {
      if (row === undefined) continue;
      const other = row === c ? r : c;
      rows.push([
        w.name, row.server, fmtNumber(row.keysLoaded), `${row.loadSeconds.toFixed(1)} s`, fmtNumber(row.loadOpsPerSec),
        fmtBytes(row.after.rss), fmtBytes(row.after.usedMemory), `${fmtNumber(row.rssPerKey)} B`, `${fmtNumber(row.usedMemoryPerKey)} B`,
        row === c && other !== undefined ? fmtRatio(row.rssPerKey, other.rssPerKey) : '',
      ]);
    }
  }
  console.log(table(['workload', 'server', 'keys', 'load', 'load ops/s', 'RSS', 'used_memory', 'RSS/key', 'used_memory/key', 'RSS/key ratio'], rows, 2));
  console.log(`per key = (after - before) / keys; ratio = Cairn / Redis. ${result.note}`);
  console.log(busyNote(result.machine, loadAverage()));
  console.log(`saved ${file}`);
  return file;
}

if (isMain(import.meta.url)) {
  const keys = Number(flagValue('--keys') ?? 1_000_000);
  const loadTimeoutMs = Number(flagValue('--timeout-s') ?? 180) * 1000;
  runMemory({ keys, loadTimeoutMs }).then(printMemory).catch(failRun);
}
