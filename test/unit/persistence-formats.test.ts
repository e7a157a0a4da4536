// On-disk formats: the log and the snapshot are pinned byte for byte by golden files (a change
// must bump the format version and keep reading the old one), every registered value type
// survives a snapshot, and damage is classified the way start-up relies on: a cut anywhere is a
// torn tail, a flipped byte before the last record is corruption.
//
// Regenerate the golden files (only when bumping a format version): CAIRN_UPDATE_GOLDEN=1.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { crc32c } from '../../src/io/persistence/crc32c.js';
import { WindowReader } from '../../src/io/persistence/byte-reader.js';
import { MemoryFileSystem } from '../../src/io/persistence/memory-file-system.js';
import { checkLog, encodeRecord, logFileHeader, LOG_HEADER_BYTES, readRecord } from '../../src/io/persistence/log-format.js';
import { checkSnapshot, SnapshotReader, writeEntry } from '../../src/io/persistence/snapshot-format.js';
import { ChunkWriter } from '../../src/io/persistence/chunk-writer.js';
import { PayloadWriter } from '../../src/core/payload.js';
import { Entry } from '../../src/core/keyspace.js';
import { snapshotEncoding } from '../../src/io/persistence/encodings.js';
import { SnapshotJob } from '../../src/io/persistence/snapshot-job.js';
import { formatManifest, parseManifest } from '../../src/io/persistence/manifest.js';
import { TYPE_OPS } from '../../src/core/types/registry.js';
import type { ValueType } from '../../src/core/keyspace.js';
import type { Effect } from '../../src/core/keyspace.js';
import { keyspaceDigest } from '../../src/core/digest.js';
import { testEngine } from '../helpers/engine.js';
import { repoRoot } from '../helpers/cairn-server.js';

const GOLDEN = path.join(repoRoot(), 'test', 'golden');
const UPDATE = process.env.CAIRN_UPDATE_GOLDEN === '1';

function golden(name: string, actual: Buffer): void {
  const file = path.join(GOLDEN, name);
  if (UPDATE) writeFileSync(file, actual);
  const expected = readFileSync(file);
  assert.ok(expected.equals(actual), `${name} changed: the on-disk format must not drift (bump its version instead)\n` +
    `expected ${expected.toString('hex')}\nactual   ${actual.toString('hex')}`);
}

function reader(bytes: Uint8Array, name = '/f'): WindowReader {
  const fs = new MemoryFileSystem();
  fs.writeBytes(name, bytes);
  return new WindowReader(fs.openRead(name), 7); // a tiny window: records straddle window edges
}

const GOLDEN_EFFECTS: Effect[][] = [
  [{ db: 0, argv: ['SET', 'k', 'v'] }],
  [{ db: 3, argv: ['SADD', 's', 'a', 'b'] }],
  [{ db: 0, argv: ['MULTI'] }, { db: 0, argv: ['INCR', 'n'] }, { db: 0, argv: ['PEXPIREAT', 'n', '1700000000000'] }, { db: 0, argv: ['EXEC'] }],
  [{ db: 1, argv: ['SET', 'bin\x00\xff', '\r\n\x80'] }],
  [{ db: 15, argv: ['SET', 'long', 'x'.repeat(200)] }],
];

function goldenLog(): Buffer {
  return Buffer.concat([logFileHeader(), ...GOLDEN_EFFECTS.map((e) => encodeRecord(e))]);
}

test('CRC-32C matches the standard check values', () => {
  assert.equal(crc32c(Buffer.from('123456789')), 0xe3069283);
  assert.equal(crc32c(Buffer.alloc(32)), 0x8a9136aa);
  const text = Buffer.from('The quick brown fox jumps over the lazy dog');
  assert.equal(crc32c(text.subarray(9), crc32c(text.subarray(0, 9))), crc32c(text), 'incremental equals one shot');
});

test('log format v1 is pinned by test/golden/log-v1.bin', () => {
  const bytes = goldenLog();
  golden('log-v1.bin', bytes);
  const r = reader(bytes);
  const effects: Effect[][] = [];
  for (let offset = LOG_HEADER_BYTES; ;) {
    const step = readRecord(r, offset);
    if (step.kind === 'end') break;
    assert.equal(step.kind, 'record');
    if (step.kind !== 'record') return;
    effects.push(step.effects);
    offset = step.end;
  }
  // A transaction is one record without its MULTI/EXEC wrapper.
  const expected = GOLDEN_EFFECTS.map((list) => list.filter((e) => e.argv[0] !== 'MULTI' && e.argv[0] !== 'EXEC'));
  assert.deepEqual(effects, expected);
});

function goldenKeyspaceEngine() {
  const t = testEngine();
  t.run('SET', 'str', 'hello');
  t.run('SET', 'int', '12345');
  t.run('SET', 'ttl', 'v', 'PXAT', String(t.engine.clock.nowMs() + 100_000));
  t.run('SET', 'bin', '\x00\xff\r\n');
  t.run('SELECT', '5');
  t.run('SET', 'other', 'x'.repeat(130));
  t.run('SELECT', '0');
  return t;
}

function snapshotBytes(t: ReturnType<typeof testEngine>, aux: Array<[string, string]>, functions: string[] = []): Buffer {
  const fs = new MemoryFileSystem();
  const file = fs.openAppend('/snap', true);
  const job = new SnapshotJob(t.engine.ks, snapshotEncoding(aux, functions), file, {
    nowMs: t.engine.clock.nowMs(), monotonicMicros: () => 0, stepBudgetMicros: 1000,
  });
  job.finishNow();
  return Buffer.from(fs.readBytes('/snap'));
}

/** Everything a snapshot reader yields, as text lines. */
function snapshotItems(bytes: Uint8Array): { aux: string[]; functions: string[]; keys: string[] } {
  const r = new SnapshotReader(reader(bytes));
  const out = { aux: [] as string[], functions: [] as string[], keys: [] as string[] };
  for (;;) {
    const item = r.next();
    if (item.kind === 'end') break;
    assert.notEqual(item.kind, 'corrupt', JSON.stringify(item));
    if (item.kind === 'aux') out.aux.push(`${item.name}=${item.value}`);
    if (item.kind === 'function') out.functions.push(item.code);
    if (item.kind === 'key') out.keys.push(`${item.db}:${item.key}:${item.type}:${item.expiresAt}` + (item.mcFlags !== 0 ? `:f${item.mcFlags}` : ''));
  }
  return out;
}

const GOLDEN_KEYS = ['0:str:string:0', '0:int:string:0', `0:ttl:string:${1_700_000_100_000}`, '0:bin:string:0', '5:other:string:0'];
const GOLDEN_LIBRARY = "#!lua name=golden\nredis.register_function('g', function() return 1 end)\n";

test('snapshot format v2 (function libraries, memcached flags) is pinned by test/golden/snapshot-v2.bin', () => {
  const t = goldenKeyspaceEngine();
  t.run('MCSETFLAGS', 'str', '4294967295');
  t.run('MCSETFLAGS', 'ttl', '7');
  const bytes = snapshotBytes(t, [['cairn-ver', 'golden'], ['ctime-ms', '1700000000000']], [GOLDEN_LIBRARY]);
  golden('snapshot-v2.bin', bytes);
  const items = snapshotItems(bytes);
  assert.deepEqual(items.aux, ['cairn-ver=golden', 'ctime-ms=1700000000000']);
  assert.deepEqual(items.functions, [GOLDEN_LIBRARY]);
  const flagged = GOLDEN_KEYS.map((k) => (k.startsWith('0:str:') ? `${k}:f4294967295` : k.startsWith('0:ttl:') ? `${k}:f7` : k));
  assert.deepEqual(items.keys, flagged);
});

test('snapshot format v1 (test/golden/snapshot-v1.bin, before function libraries and memcached flags) is still read', () => {
  const bytes = readFileSync(path.join(GOLDEN, 'snapshot-v1.bin'));
  assert.equal(bytes.readUInt16LE(8), 1);
  const items = snapshotItems(bytes);
  assert.deepEqual(items.aux, ['cairn-ver=golden', 'ctime-ms=1700000000000']);
  assert.deepEqual(items.functions, []);
  assert.deepEqual(items.keys, GOLDEN_KEYS);
});

/** A command that creates a value of each type: a new type must be added here to be covered. */
const CREATE: Record<ValueType, string[][]> = {
  string: [['SET', 'a:string', 'v'], ['SET', 'b:string', '123']],
  set: [['SADD', 'a:set', '1', '2', '3'], ['SADD', 'b:set', 'x', 'y', '42']],
  hash: [['HSET', 'a:hash', 'f', 'v', 'g', 'w'], ['HSET', 'b:hash', 'big', 'x'.repeat(100)]],
  list: [['RPUSH', 'a:list', 'a', 'b', 'c'], ['RPUSH', 'b:list', ...Array.from({ length: 200 }, (_, i) => `e${i}`)]],
  zset: [['ZADD', 'a:zset', '1', 'a', '2.5', 'b'], ['ZADD', 'b:zset', '-inf', 'lo', '+inf', 'hi']],
  stream: [['XADD', 'a:stream', '1-1', 'f', 'v'], ['XADD', 'a:stream', '2-0', 'g', 'w']],
};

test('every registered value type survives a snapshot (the DUMP codecs carry it)', (ctx) => {
  const t = testEngine();
  const covered: string[] = [];
  for (const type of Object.keys(TYPE_OPS) as ValueType[]) {
    const commands = CREATE[type];
    assert.ok(commands !== undefined, `add a command creating a ${type} to CREATE in this test`);
    if (t.engine.commands.get(commands[0]![0]!) === undefined) {
      // The type module is registered before its commands are: covered once they exist.
      ctx.diagnostic(`${type}: no ${commands[0]![0]} command yet, not covered`);
      continue;
    }
    for (const argv of commands) {
      const r = t.run(...argv);
      assert.ok(!(typeof r === 'object' && r !== null && 'error' in r), `${argv.join(' ')}: ${JSON.stringify(r)}`);
    }
    assert.equal(t.run('TYPE', commands[0]![1]!), type);
    covered.push(type);
  }
  t.run('PEXPIRE', 'a:string', '50000');
  const bytes = snapshotBytes(t, []);
  assert.equal(checkSnapshot(reader(bytes)).problem, null);
  // Load into a fresh engine the way start-up does, and compare the digests.
  const copy = testEngine();
  const r = new SnapshotReader(reader(bytes));
  for (let item = r.next(); item.kind !== 'end'; item = r.next()) {
    assert.notEqual(item.kind, 'corrupt');
    if (item.kind !== 'key') continue;
    const e = copy.engine.ks.dbs[item.db]!.add(item.key, item.type, item.value);
    if (item.expiresAt !== 0) copy.engine.ks.dbs[item.db]!.setExpire(e, item.expiresAt);
  }
  assert.equal(keyspaceDigest(copy.engine.ks), keyspaceDigest(t.engine.ks));
  assert.ok(covered.length >= 1);
});

test('a log cut at any byte is a torn tail at the last whole record, never corruption', () => {
  const bytes = goldenLog();
  const boundaries = recordBoundaries(bytes);
  for (let cut = 0; cut < bytes.length; cut++) {
    const check = checkLog(reader(bytes.subarray(0, cut)));
    if (boundaries.includes(cut)) {
      assert.equal(check.problem, null, `a cut between records (${cut}) is a shorter, sound log`);
      continue;
    }
    assert.ok(check.problem !== null, `cut at ${cut}`);
    assert.equal(check.problem!.kind, 'torn', `cut at ${cut}: ${check.problem!.reason}`);
    const lastWhole = Math.max(...boundaries.filter((b) => b <= cut));
    assert.equal(check.goodEnd, cut < LOG_HEADER_BYTES ? 0 : lastWhole, `cut at ${cut}`);
  }
  assert.equal(checkLog(reader(bytes)).problem, null);
});

test('a flipped byte before the last record is corruption; in the last record a torn tail', () => {
  const bytes = goldenLog();
  const boundaries = recordBoundaries(bytes);
  const lastStart = boundaries[boundaries.length - 2]!;
  fc.assert(
    fc.property(fc.integer({ min: 0, max: bytes.length - 1 }), fc.integer({ min: 1, max: 255 }), (at, flip) => {
      const damaged = Buffer.from(bytes);
      damaged[at] = damaged[at]! ^ flip;
      const check = checkLog(reader(damaged));
      assert.ok(check.problem !== null, `flip at ${at} went unnoticed`);
      const recordStart = Math.max(...boundaries.filter((b) => b <= at));
      assert.equal(check.problem!.offset, at < LOG_HEADER_BYTES ? 0 : recordStart);
      if (at >= lastStart) assert.equal(check.problem!.kind, 'torn', `flip at ${at}`);
      else assert.equal(check.problem!.kind, 'corrupt', `flip at ${at}`);
    }),
    { numRuns: 400 },
  );
});

test('a zero-filled tail (what a filesystem leaves after a crash) is a torn tail', () => {
  const bytes = Buffer.concat([goldenLog(), Buffer.alloc(4096)]);
  const check = checkLog(reader(bytes));
  assert.equal(check.problem?.kind, 'torn');
  assert.equal(check.goodEnd, goldenLog().length);
});

test('a snapshot with any byte changed or cut short is refused', () => {
  const bytes = snapshotBytes(goldenKeyspaceEngine(), [['cairn-ver', 'golden']]);
  for (let at = 0; at < bytes.length; at++) {
    const damaged = Buffer.from(bytes);
    damaged[at] = damaged[at]! ^ 0x41;
    assert.ok(checkSnapshot(reader(damaged)).problem !== null, `flip at ${at}`);
    assert.ok(checkSnapshot(reader(bytes.subarray(0, at))).problem !== null, `cut at ${at}`);
  }
  assert.ok(checkSnapshot(reader(Buffer.concat([bytes, Buffer.from([0])]))).problem !== null, 'trailing byte');
});

test('manifests: Redis 7 syntax, a version comment, history lines skipped, bad ones explained', () => {
  const m = { base: { name: 'appendonly.aof.2.base.rdb', seq: 2, type: 'b' as const }, incrs: [{ name: 'appendonly.aof.2.incr.aof', seq: 2, type: 'i' as const }, { name: 'appendonly.aof.3.incr.aof', seq: 3, type: 'i' as const }] };
  const text = formatManifest(m);
  assert.equal(text, '# cairn-manifest 1\nfile appendonly.aof.2.base.rdb seq 2 type b\nfile appendonly.aof.2.incr.aof seq 2 type i\nfile appendonly.aof.3.incr.aof seq 3 type i\n');
  assert.deepEqual(parseManifest(text), m);
  const redis = 'file appendonly.aof.1.base.rdb seq 1 type h\nfile appendonly.aof.2.base.rdb seq 2 type b\nfile appendonly.aof.2.incr.aof seq 2 type i\n';
  assert.deepEqual(parseManifest(redis), { base: m.base, incrs: [m.incrs[0]] });
  assert.deepEqual(parseManifest('file "a name.aof" seq 1 type i\n'), { base: null, incrs: [{ name: 'a name.aof', seq: 1, type: 'i' }] });
  assert.match(parseManifest('') as string, /no files/);
  assert.match(parseManifest('file x seq 1 type q') as string, /bad type/);
  assert.match(parseManifest('file ../x seq 1 type i') as string, /bad file name/);
  assert.match(parseManifest('file a seq 2 type i\nfile b seq 1 type i') as string, /out of order/);
  assert.match(parseManifest('# cairn-manifest 9\nfile a seq 1 type i') as string, /version 9/);
});

test('the snapshot writes strings without building them first, byte for byte as the string codec would', () => {
  fc.assert(
    fc.property(fc.string({ maxLength: 300, unit: 'binary' }), fc.string({ maxLength: 300, unit: 'binary' }), fc.option(fc.integer({ min: 1, max: 2 ** 45 })), (rawKey, rawValue, ttl) => {
      const latin1 = (u: string) => Buffer.from(u, 'utf8').toString('latin1');
      const e = new Entry(latin1(rawKey), 'string', latin1(rawValue));
      if (ttl !== null) e.expiresAt = ttl;
      const fast = new ChunkWriter(null, 16);
      writeEntry(fast, e);
      const generic = new PayloadWriter();
      generic.string(e.key);
      TYPE_OPS.string!.encode(e.value, generic);
      const body = generic.finish();
      const expected = new ChunkWriter(null, 16);
      if (ttl !== null) {
        expected.byte(0xfc);
        expected.u64(ttl);
      }
      expected.byte(TYPE_OPS.string!.tag);
      expected.varint(body.length);
      expected.latin1(body);
      assert.ok(fast.take().equals(expected.take()));
    }),
    { numRuns: 300 },
  );
});

/** Offsets where records start, plus the end of the file. */
function recordBoundaries(bytes: Buffer): number[] {
  const out = [LOG_HEADER_BYTES];
  let at = LOG_HEADER_BYTES;
  while (at < bytes.length) {
    at += 12 + bytes.readUInt32LE(at);
    out.push(at);
  }
  return out;
}
