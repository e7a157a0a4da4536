// Micro benchmarks of the hot paths, with tinybench: the RESP request parser, the reply
// encoder, the key space, the whole request path through the engine without sockets, and the
// embedded API's typed calls.
// Each result is compared with the previous run stored in bench/results/micro-latest.json
// (which this run then replaces): a quick way to see whether a change to one of these files
// made it faster or slower on this machine.
//
//   node dist/bench/micro.js [--quick]
import { existsSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { Bench } from 'tinybench';
import { RespParser } from '../src/protocols/resp/parser.js';
import { ReplyBuffer } from '../src/protocols/resp/encoder.js';
import { array, bulk, int, type Reply } from '../src/core/reply.js';
import { Keyspace } from '../src/core/keyspace.js';
import { Engine } from '../src/server/engine.js';
import type { SessionTransport } from '../src/server/session.js';
import { systemClock } from '../src/io/system-clock.js';
import { open } from '../src/embedded.js';
import { busyNote, loadAverage, machineFacts } from './servers.js';
import { failRun, fmtNumber, hasFlag, isMain, log, RESULTS_DIR, saveResult, table } from './report.js';

export interface MicroOptions {
  /** Milliseconds of measurement per task. */
  readonly timeMs: number;
}

export interface MicroRow {
  readonly name: string;
  /** Task calls per second (mean of tinybench's samples). */
  readonly opsPerSec: number;
  /** Items (commands, replies, keys) each call handles. */
  readonly itemsPerOp: number;
  /** Relative margin of error of the mean, in percent. */
  readonly rme: number;
  readonly previousOpsPerSec: number | null;
}

export interface MicroResult {
  readonly machine: Record<string, string | number>;
  readonly timeMs: number;
  readonly previousDate: string | null;
  readonly rows: readonly MicroRow[];
}

const LATEST = path.join(RESULTS_DIR, 'micro-latest.json');
const VALUE_64 = 'v'.repeat(64);

function encodeCommands(argvs: ReadonlyArray<readonly string[]>): Buffer {
  let out = '';
  for (const argv of argvs) {
    out += `*${argv.length}\r\n`;
    for (const a of argv) out += `$${a.length}\r\n${a}\r\n`;
  }
  return Buffer.from(out, 'latin1');
}

/** Feeds one chunk and drains every command from it; returns how many came out. */
function parseAll(parser: RespParser, chunk: Buffer): number {
  parser.feed(chunk);
  let n = 0;
  for (;;) {
    const cmd = parser.next();
    if (cmd === null) return n;
    if (!Array.isArray(cmd)) throw new Error(`micro: protocol error ${cmd.error}`);
    n++;
  }
}

interface Task {
  readonly name: string;
  readonly itemsPerOp: number;
  readonly fn: () => void;
}

function parserTasks(): Task[] {
  const parser = new RespParser();
  const sets = encodeCommands(Array.from({ length: 100 }, (_, i) => ['SET', `key:${100000 + i}`, VALUE_64]));
  const gets = encodeCommands(Array.from({ length: 100 }, (_, i) => ['GET', `key:${100000 + i}`]));
  const big = encodeCommands([['SET', 'big', 'x'.repeat(100_000)]]);
  const inline = Buffer.from('PING\r\n'.repeat(100), 'latin1');
  // A pipeline split in 1 KB chunks, as a socket may deliver it.
  const split: Buffer[] = [];
  for (let i = 0; i < sets.length; i += 1024) split.push(sets.subarray(i, i + 1024));
  return [
    { name: 'parser: 100 x SET 64 B, one chunk', itemsPerOp: 100, fn: () => parseAll(parser, sets) },
    { name: 'parser: 100 x SET 64 B, 1 KB chunks', itemsPerOp: 100, fn: () => split.forEach((c) => parseAll(parser, c)) },
    { name: 'parser: 100 x GET', itemsPerOp: 100, fn: () => parseAll(parser, gets) },
    { name: 'parser: 100 x inline PING', itemsPerOp: 100, fn: () => parseAll(parser, inline) },
    { name: 'parser: SET with 100 kB value', itemsPerOp: 1, fn: () => parseAll(parser, big) },
  ];
}

function encoderTasks(): Task[] {
  const out = new ReplyBuffer();
  const bulks: Reply[] = Array.from({ length: 100 }, (_, i) => bulk(`${VALUE_64.slice(0, 60)}${1000 + i}`));
  const ints: Reply[] = Array.from({ length: 100 }, (_, i) => int(i * 7919));
  const lrange100 = array(bulks);
  const writeAll = (replies: readonly Reply[]): void => {
    for (const r of replies) out.write(r, 2);
    out.take();
  };
  return [
    { name: 'encoder: 100 bulk replies 64 B', itemsPerOp: 100, fn: () => writeAll(bulks) },
    { name: 'encoder: 100 integer replies', itemsPerOp: 100, fn: () => writeAll(ints) },
    { name: 'encoder: array of 100 bulks (LRANGE_100)', itemsPerOp: 1, fn: () => writeAll([lrange100]) },
    { name: 'encoder: array of 100 bulks, RESP3', itemsPerOp: 1, fn: () => { out.write(lrange100, 3); out.take(); } },
  ];
}

function keyspaceTasks(): Task[] {
  const KEYS = 100_000;
  const ks = new Keyspace({ databases: 2, seed: 1 });
  ks.now = 1_700_000_000_000;
  const db = ks.db(0);
  const keys = Array.from({ length: KEYS }, (_, i) => `key:${i}`);
  for (const k of keys) db.set(k, 'string', VALUE_64);
  // A fixed scramble of the key order, so lookups do not walk the map in insertion order.
  const order = Array.from({ length: 1 << 16 }, (_, i) => keys[(i * 48271) % KEYS]!);
  const mask = order.length - 1;
  let at = 0;
  const next = (): string => order[at++ & mask]!;
  // A second database whose keys all carry a TTL (SET ... EX), looked up in the same order.
  const volatileDb = ks.db(1);
  for (const k of keys) volatileDb.setExpire(volatileDb.set(k, 'string', VALUE_64), ks.now + 600_000);
  let atVolatile = 0;
  const nextVolatile = (): string => order[atVolatile++ & mask]!;
  return [
    { name: 'keyspace: set existing key', itemsPerOp: 1, fn: () => void db.set(next(), 'string', VALUE_64) },
    { name: 'keyspace: set + setExpire', itemsPerOp: 1, fn: () => db.setExpire(db.set(next(), 'string', VALUE_64), ks.now + 60_000) },
    { name: 'keyspace: lookupRead hit', itemsPerOp: 1, fn: () => void db.lookupRead(next()) },
    { name: 'keyspace: lookupRead hit, key with TTL', itemsPerOp: 1, fn: () => void volatileDb.lookupRead(nextVolatile()) },
    { name: 'keyspace: lookupRead miss', itemsPerOp: 1, fn: () => void db.lookupRead(`missing:${at++ & mask}`) },
    {
      name: 'keyspace: add + delete new key', itemsPerOp: 1,
      fn: () => {
        const k = `new:${at++ & mask}`;
        db.set(k, 'string', VALUE_64);
        db.delete(k);
      },
    },
  ];
}

/**
 * The whole request path without sockets: parser -> engine (admission, command, stats, effects)
 * -> encoder, 16 pipelined commands per chunk as redis-benchmark -P 16 sends them, keys drawn
 * from 100,000. What a request costs the server's JavaScript, apart from the socket layer.
 */
function engineTasks(): Task[] {
  const KEYS = 100_000;
  const engine = new Engine({ clock: systemClock, seed: 1 });
  const transport: SessionTransport = {
    kind: 'tcp', deliver: () => {}, close: () => {}, unblocked: () => {}, queryBufferBytes: () => 0, outputBufferBytes: () => 0,
  };
  const session = engine.createSession(transport, 'micro', 'micro');
  const parser = new RespParser();
  const out = new ReplyBuffer();
  let x = 12345;
  const key = (): string => {
    x = (x * 48271) % 2147483647;
    return `key:${String(x % KEYS).padStart(12, '0')}`;
  };
  const chunks = (make: () => string[]): Buffer[] =>
    Array.from({ length: 256 }, () => encodeCommands(Array.from({ length: 16 }, make)));
  for (let i = 0; i < KEYS; i++) engine.execute(session, ['SET', `key:${String(i).padStart(12, '0')}`, VALUE_64]);
  for (let i = 0; i < 600; i++) engine.execute(session, ['LPUSH', 'mylist', VALUE_64]);
  const run = (batches: Buffer[]): (() => void) => {
    let at = 0;
    return () => {
      parser.feed(batches[at++ & 255]!);
      for (let argv = parser.next(); argv !== null; argv = parser.next()) {
        if (!Array.isArray(argv)) throw new Error(`micro: protocol error ${argv.error}`);
        out.write(engine.execute(session, argv), session.resp);
      }
      out.take();
    };
  };
  return [
    { name: 'engine: 16 x SET 64 B pipelined', itemsPerOp: 16, fn: run(chunks(() => ['SET', key(), VALUE_64])) },
    { name: 'engine: 16 x GET pipelined', itemsPerOp: 16, fn: run(chunks(() => ['GET', key()])) },
    { name: 'engine: 16 x INCR pipelined', itemsPerOp: 16, fn: run(chunks(() => ['INCR', `counter:${x++ % 1000}`])) },
    { name: 'engine: 16 x LRANGE_100 pipelined', itemsPerOp: 16, fn: run(chunks(() => ['LRANGE', 'mylist', '0', '99'])) },
  ];
}

/**
 * The in-process API (src/embedded.ts) as an application calls it: db.set with a TTL and db.get,
 * keys drawn from 100,000, the workload of bench/embedded.ts without lru-cache beside it.
 */
function embeddedTasks(): Task[] {
  const KEYS = 100_000;
  const db = open({ seed: 1 });
  const ttl = { ex: 600 };
  const order = Array.from({ length: 1 << 16 }, (_, i) => `key:${(i * 48271) % KEYS}`);
  for (let i = 0; i < KEYS; i++) db.set(`key:${i}`, VALUE_64, ttl);
  const mask = order.length - 1;
  let at = 0;
  return [
    { name: 'embedded: db.set(k, v, { ex: 600 })', itemsPerOp: 1, fn: () => void db.set(order[at++ & mask]!, VALUE_64, ttl) },
    { name: 'embedded: db.get(k), key with TTL', itemsPerOp: 1, fn: () => void db.get(order[at++ & mask]!) },
    { name: "embedded: db.command('GET', k)", itemsPerOp: 1, fn: () => void db.command('GET', order[at++ & mask]!) },
  ];
}

function readPrevious(): { date: string | null; ops: Map<string, number> } {
  if (!existsSync(LATEST)) return { date: null, ops: new Map() };
  try {
    const prev = JSON.parse(readFileSync(LATEST, 'utf8')) as MicroResult;
    return { date: String(prev.machine?.date ?? null), ops: new Map(prev.rows.map((r) => [r.name, r.opsPerSec])) };
  } catch {
    return { date: null, ops: new Map() };
  }
}

export async function runMicro(opts: MicroOptions): Promise<MicroResult> {
  log('micro: parser, encoder, keyspace, engine, embedded (tinybench)...');
  const tasks = [...parserTasks(), ...encoderTasks(), ...keyspaceTasks(), ...engineTasks(), ...embeddedTasks()];
  const bench = new Bench({ time: opts.timeMs, warmupTime: Math.min(200, opts.timeMs / 2) });
  for (const t of tasks) bench.add(t.name, t.fn);
  await bench.run();
  const previous = readPrevious();
  const rows: MicroRow[] = tasks.map((t) => {
    const task = bench.getTask(t.name);
    const result = task?.result;
    const ok = result !== undefined && (result.state === 'completed' || result.state === 'aborted-with-statistics');
    return {
      name: t.name, itemsPerOp: t.itemsPerOp,
      opsPerSec: ok ? result.throughput.mean : Number.NaN,
      rme: ok ? result.latency.rme : Number.NaN,
      previousOpsPerSec: previous.ops.get(t.name) ?? null,
    };
  });
  return { machine: machineFacts(), timeMs: opts.timeMs, previousDate: previous.date, rows };
}

export function printMicro(result: MicroResult): string {
  const file = saveResult('micro', result);
  mkdirSync(RESULTS_DIR, { recursive: true });
  writeFileSync(LATEST, JSON.stringify(result, null, 2) + '\n');
  console.log(`\n== Micro benchmarks (tinybench, ${result.timeMs} ms per task) ==`);
  const rows = result.rows.map((r) => {
    const change = r.previousOpsPerSec !== null && r.previousOpsPerSec > 0 ? (r.opsPerSec - r.previousOpsPerSec) / r.previousOpsPerSec : null;
    return [
      r.name, fmtNumber(r.opsPerSec), `±${r.rme.toFixed(1)}%`, r.itemsPerOp > 1 ? fmtNumber(r.opsPerSec * r.itemsPerOp) : '',
      r.previousOpsPerSec === null ? '-' : fmtNumber(r.previousOpsPerSec),
      change === null ? '-' : `${change >= 0 ? '+' : ''}${(change * 100).toFixed(1)}%`,
    ];
  });
  console.log(table(['task', 'ops/s', 'rme', 'items/s', 'previous ops/s', 'change'], rows, 1));
  console.log(result.previousDate === null ? 'no previous run to compare with' : `previous: ${result.previousDate}`);
  console.log(busyNote(result.machine, loadAverage()));
  console.log(`saved ${file} and bench/results/micro-latest.json`);
  return file;
}

if (isMain(import.meta.url)) {
  runMicro({ timeMs: hasFlag('--quick') ? 200 : 1000 }).then(printMicro).catch(failRun);
}
