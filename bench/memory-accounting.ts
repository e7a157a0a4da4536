// Calibration of the memory accounting (docs/design/memory-accounting.md): loads workloads into
// an in-process engine and prints the accounted data set next to the real V8 heap growth
// (process.memoryUsage().heapUsed after a full GC). Run with:
//
//   node --expose-gc dist/bench/memory-accounting.js [scale]     (scale 1 = 1M keys / elements)
//
// Values and keys are made the way the RESP parser makes them (Buffer -> latin1 string), so they
// are flat sequential strings, as in the server.
import { ManualClock } from '../src/server/clock.js';
import { Engine } from '../src/server/engine.js';
import { EmbeddedSession } from '../src/embedded.js';

const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) {
  console.error('run with node --expose-gc');
  process.exit(1);
}

const scale = Number(process.argv[2] ?? '1');
const M = Math.round(1_000_000 * scale);

/** A flat latin1 string, as buffer.toString('latin1') gives the parser. */
const flat = (s: string): string => Buffer.from(s, 'latin1').toString('latin1');

interface Workload {
  name: string;
  run(session: EmbeddedSession): void;
}

const value = (i: number, n: number): string => flat(`${i}:`.padEnd(n, 'x'));

const WORKLOADS: Workload[] = [
  { name: `${M} strings (16-byte keys, 32-byte values)`, run: (s) => { for (let i = 0; i < M; i++) s.raw(['SET', flat(`key:${String(i).padStart(12, '0')}`), value(i, 32)]); } },
  { name: `${M} small ints (SET key:i i)`, run: (s) => { for (let i = 0; i < M; i++) s.raw(['SET', flat(`key:${i}`), flat(String(i))]); } },
  { name: `${M / 10} small hashes (3 fields of 10 bytes)`, run: (s) => { for (let i = 0; i < M / 10; i++) s.raw(['HSET', flat(`h:${i}`), flat('f1'), value(i, 10), flat('f2'), value(i + 1, 10), flat('f3'), value(i + 2, 10)]); } },
  { name: `${M / 10} strings with a TTL`, run: (s) => { for (let i = 0; i < M / 10; i++) s.raw(['SET', flat(`t:${i}`), value(i, 32), 'EX', '100000']); } },
  { name: `1 list of ${M} elements (20 bytes)`, run: (s) => { for (let i = 0; i < M; i += 100) s.raw(['RPUSH', 'list', ...Array.from({ length: 100 }, (_, j) => value(i + j, 20))]); } },
  { name: `1 set of ${M} members (20 bytes)`, run: (s) => { for (let i = 0; i < M; i += 100) s.raw(['SADD', 'set', ...Array.from({ length: 100 }, (_, j) => value(i + j, 20))]); } },
  { name: `1 hash of ${M} fields`, run: (s) => { for (let i = 0; i < M; i += 100) s.raw(['HSET', 'hash', ...Array.from({ length: 100 }, (_, j) => [value(i + j, 20), value(j, 10)]).flat()]); } },
  { name: `1 zset of ${M} members (20 bytes)`, run: (s) => { for (let i = 0; i < M; i += 100) s.raw(['ZADD', 'zset', ...Array.from({ length: 100 }, (_, j) => [String((i + j) * 1.5), value(i + j, 20)]).flat()]); } },
  { name: `${M / 10} small zsets (5 members)`, run: (s) => { for (let i = 0; i < M / 10; i++) s.raw(['ZADD', flat(`z:${i}`), '1', flat('a'), '2', flat('b'), '3', flat('c'), '4', flat('d'), '5', flat('e')]); } },
  { name: `1 stream of ${M / 10} entries`, run: (s) => { for (let i = 0; i < M / 10; i++) s.raw(['XADD', 'stream', '*', 'field', value(i, 16)]); } },
];

function heap(): number {
  gc!();
  gc!();
  return process.memoryUsage().heapUsed;
}

const rows: string[][] = [];
for (const w of WORKLOADS) {
  const engine = new Engine({ clock: new ManualClock(), seed: 1 });
  const session = new EmbeddedSession(engine);
  const before = heap();
  const t0 = Date.now();
  w.run(session);
  const loadMs = Date.now() - t0;
  const real = heap() - before;
  const estimate = engine.ks.datasetBytes();
  rows.push([w.name, String(real), String(estimate), `${((estimate / real) * 100).toFixed(1)}%`, `${loadMs} ms`]);
  console.log(rows[rows.length - 1]!.join('  |  '));
  engine.ks.dbs.forEach((db) => db.clear());
}
console.log('\nworkload | real heap delta | accounted | accounted/real | load time');
for (const r of rows) console.log(r.join(' | '));
