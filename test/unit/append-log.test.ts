// The append-only log's writer: CRC-32C against published check values and the bit-at-a-time
// definition; records written back to back into the log's own buffer read back as the effects
// that went in, byte for byte as encodeRecord writes them; the buffer growing past its chunk for
// a large record without writing over bytes already handed out; the write, retry and flush
// paths writing every record exactly once; and when a turn's records are written (at its end,
// or right after a lone client's read).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Effect } from '../../src/core/keyspace.js';
import { AppendLog, type FsyncPolicy } from '../../src/io/persistence/append-log.js';
import { WindowReader } from '../../src/io/persistence/byte-reader.js';
import { crc32c, crc32cOfWords } from '../../src/io/persistence/crc32c.js';
import { bytesReadFile } from '../../src/io/persistence/file-system.js';
import { LogBuffer } from '../../src/io/persistence/log-buffer.js';
import {
  checkLog, encodeRecord, LOG_HEADER_BYTES, logFileHeader, readRecord, RECORD_HEADER_BYTES, recordEffects, recordPayloadBytes, sealRecords, writeUnsealedRecord,
} from '../../src/io/persistence/log-format.js';
import { MemoryFileSystem } from '../../src/io/persistence/memory-file-system.js';
import { Logger } from '../../src/server/log.js';

/** CRC-32C one bit at a time, as the polynomial defines it. */
function crcReference(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of bytes) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1;
  }
  return (c ^ 0xffffffff) >>> 0;
}

/** Deterministic bytes (xorshift), so a failure repeats. */
function noise(n: number, seed = 0x9e3779b9): Buffer {
  const out = Buffer.alloc(n);
  let x = seed | 0;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

const latin1 = (b: Buffer): string => b.toString('latin1');
const set = (key: string, value: string): Effect[] => [{ db: 0, argv: ['SET', key, value] }];

test('CRC-32C: the check values of RFC 3720 (iSCSI) and of "123456789"', () => {
  assert.equal(crc32c(Buffer.from('123456789')), 0xe3069283);
  assert.equal(crc32c(Buffer.alloc(32, 0)), 0x8a9136aa);
  assert.equal(crc32c(Buffer.alloc(32, 0xff)), 0x62a8ab43);
  assert.equal(crc32c(Buffer.from(Array.from({ length: 32 }, (_, i) => i))), 0x46dd794e);
  assert.equal(crc32c(Buffer.from(Array.from({ length: 32 }, (_, i) => 31 - i))), 0x113fdb5c);
  assert.equal(crc32c(Buffer.alloc(0)), 0);
});

test('CRC-32C: every length up to 300 at every alignment, whole or in two pieces, equals the bit-at-a-time definition', () => {
  const data = noise(340);
  for (let len = 0; len <= 300; len++) {
    for (let offset = 0; offset < 18; offset++) {
      const want = crcReference(data.subarray(offset, offset + len));
      assert.equal(crc32c(data, 0, offset, offset + len), want, `length ${len} at offset ${offset}`);
      const cut = offset + Math.floor(len / 3);
      assert.equal(crc32c(data, crc32c(data, 0, offset, cut), cut, offset + len), want, `length ${len} at offset ${offset}, in two pieces`);
    }
  }
});

test('crc32cOfWords is the CRC-32C of the two words as eight little-endian bytes', () => {
  const words = [0, 1, 0x7fffffff, 0x80000000, 0xffffffff, 0x12345678, 0xdeadbeef];
  const more = noise(64, 7);
  for (let i = 0; i < 64; i += 4) words.push(more.readUInt32LE(i));
  for (const lo of words) {
    for (const hi of words) {
      const b = Buffer.alloc(8);
      b.writeUInt32LE(lo, 0);
      b.writeUInt32LE(hi, 4);
      assert.equal(crc32cOfWords(lo, hi), crcReference(b), `${lo.toString(16)} ${hi.toString(16)}`);
    }
  }
});

/** Records that exercise every branch of the encoder: varint boundaries, binary bytes, long arguments, transactions. */
const CASES: Effect[][] = [
  [{ db: 0, argv: ['SET', 'key:000000012345', 'x'.repeat(64)] }],
  [{ db: 0, argv: ['SET', 'bin', latin1(Buffer.from([0, 1, 13, 10, 0x7f, 0x80, 0xfe, 0xff]))] }],
  [{ db: 3, argv: ['SET', '', ''] }],
  [{ db: 200, argv: ['INCR', 'n'] }],
  [{ db: 1, argv: ['SET', 'a', 'y'.repeat(32)] }],
  [{ db: 1, argv: ['SET', 'a', 'y'.repeat(33)] }],
  [{ db: 0, argv: ['SET', 'v127', 'z'.repeat(127)] }],
  [{ db: 0, argv: ['SET', 'v128', 'z'.repeat(128)] }],
  [{ db: 0, argv: ['SET', 'v16383', latin1(noise(16383, 3))] }],
  [{ db: 0, argv: ['SET', 'v16384', latin1(noise(16384, 4))] }],
  [{ db: 0, argv: ['RPUSH', 'list', ...Array.from({ length: 200 }, (_, i) => `element-${i}`)] }],
  [{ db: 0, argv: ['MULTI'] }, { db: 2, argv: ['INCR', 'n'] }, { db: 5, argv: ['DEL', 'x'] }, { db: 5, argv: ['EXEC'] }],
  [{ db: 0, argv: ['DEL', 'a'] }, { db: 0, argv: ['DEL', 'b'] }],
];

/** Every record of a whole log file's bytes, or the problem found. */
function readAll(bytes: Uint8Array): { effects: Effect[][]; problem: string | null } {
  const r = new WindowReader(bytesReadFile('log', bytes), 4096);
  const check = checkLog(r);
  const effects: Effect[][] = [];
  for (let offset = LOG_HEADER_BYTES; offset < check.goodEnd;) {
    const step = readRecord(r, offset);
    assert.equal(step.kind, 'record');
    if (step.kind !== 'record') break;
    effects.push(step.effects);
    offset = step.end;
  }
  return { effects, problem: check.problem === null ? null : `${check.problem.kind} at ${check.problem.offset}: ${check.problem.reason}` };
}

test('records written back to back into one buffer and sealed together read back as the effects that went in, byte for byte as encodeRecord', () => {
  // A small chunk, so that records also land at the start of fresh chunks and span none.
  const buffer = new LogBuffer(sealRecords, 4096);
  for (const effects of CASES) {
    const inner = recordEffects(effects);
    const payload = recordPayloadBytes(inner);
    const buf = buffer.room(RECORD_HEADER_BYTES + payload);
    const end = writeUnsealedRecord(buf, buffer.writeAt, inner, payload);
    assert.equal(end - buffer.writeAt, RECORD_HEADER_BYTES + payload);
    buffer.wrote(end);
  }
  const written = buffer.pending();
  assert.deepEqual(written, Buffer.concat(CASES.map((e) => encodeRecord(e))));
  const { effects, problem } = readAll(Buffer.concat([logFileHeader(), written]));
  assert.equal(problem, null);
  assert.deepEqual(effects, CASES.map((e) => [...recordEffects(e)]));
  assert.deepEqual(effects[11], [{ db: 2, argv: ['INCR', 'n'] }, { db: 5, argv: ['DEL', 'x'] }], 'MULTI and EXEC are not stored');
});

test('a record not sealed is refused by the reader, and sealing twice changes nothing', () => {
  const inner = recordEffects(set('k', 'v'));
  const payload = recordPayloadBytes(inner);
  const buf = Buffer.alloc(RECORD_HEADER_BYTES + payload);
  writeUnsealedRecord(buf, 0, inner, payload);
  assert.match(readAll(Buffer.concat([logFileHeader(), buf])).problem ?? '', /checksum mismatch/);
  sealRecords(buf, 0, buf.length);
  const sealed = Buffer.from(buf);
  sealRecords(buf, 0, buf.length);
  assert.deepEqual(buf, sealed);
  assert.deepEqual(buf, encodeRecord(set('k', 'v')));
  assert.throws(() => sealRecords(buf, 0, buf.length - 1), /runs past/);
});

test('the log buffer: a record larger than the chunk gets a chunk of its own; bytes kept are never written over', () => {
  const buffer = new LogBuffer(undefined, 64);
  buffer.add(Buffer.alloc(40, 1));
  const first = buffer.pending();
  buffer.written(first, true);
  // Kept (waiting for an fsync): new bytes go after it.
  buffer.add(Buffer.alloc(20, 2));
  assert.deepEqual(first, Buffer.alloc(40, 1));
  // Past the chunk: the 20 pending bytes and a 1000-byte record, in two chunks, read as one.
  buffer.add(Buffer.alloc(1000, 3));
  assert.equal(buffer.pendingBytes, 1020);
  const second = buffer.pending();
  assert.deepEqual(second, Buffer.concat([Buffer.alloc(20, 2), Buffer.alloc(1000, 3)]));
  assert.equal(buffer.pendingBytes, 1020, 'pending() does not hand out');
  buffer.written(second, true);
  assert.equal(buffer.pendingBytes, 0);
  assert.equal(buffer.unsyncedBytes, 1060);
  assert.equal(buffer.unsyncedCount, 2);
  for (let i = 0; i < 10; i++) {
    buffer.add(Buffer.alloc(30, 10 + i));
    buffer.written(buffer.pending(), false);
  }
  assert.deepEqual(first, Buffer.alloc(40, 1), 'kept bytes were not written over');
  assert.deepEqual(second, Buffer.concat([Buffer.alloc(20, 2), Buffer.alloc(1000, 3)]));
  buffer.durable(1);
  assert.equal(buffer.unsyncedBytes, 1020);
  buffer.durableAll();
  assert.equal(buffer.unsyncedBytes, 0);
});

test('the log buffer reuses a chunk once nothing in it is pending or kept, and never one that is', () => {
  const buffer = new LogBuffer(undefined, 100);
  const write = (fill: number, keep: boolean): Buffer => {
    buffer.add(Buffer.alloc(30, fill));
    const data = buffer.pending();
    buffer.written(data, keep);
    return data;
  };
  // Nothing kept: every write starts at the same place of the same chunk.
  const a = write(1, false);
  const b = write(2, false);
  assert.equal(a.buffer, b.buffer);
  assert.equal(a.byteOffset, b.byteOffset);
  // Kept writes fill the chunk, then the next one goes to another chunk.
  const k1 = write(3, true);
  const k2 = write(4, true);
  const k3 = write(5, true);
  const k4 = write(6, true);
  assert.equal(k1.buffer, k3.buffer);
  assert.notEqual(k4.buffer, k1.buffer, 'a full chunk with kept bytes is left alone');
  assert.deepEqual([k1, k2, k3].map((k) => k[0]), [3, 4, 5]);
  // The first chunk's writes become durable: it is spare, and the next full chunk reuses it.
  buffer.durable(3);
  write(7, true);
  write(8, true);
  const k7 = write(9, true);
  assert.equal(k7.buffer, k1.buffer, 'the spare chunk is reused');
  assert.equal(k4[0], 6, 'the chunk holding a kept write was not reused');
  // A failed fsync: the kept bytes become one copy, and their chunks can be reused.
  const copy = buffer.keptCopy();
  assert.deepEqual([...copy].filter((_, i) => i % 30 === 0), [6, 7, 8, 9]);
  assert.equal(buffer.unsyncedCount, 1);
  const next = write(10, false);
  assert.equal(next[0], 10);
  write(11, false);
  assert.equal(next[0], 11, 'a write not kept is written over by the next');
  assert.deepEqual([...copy].filter((_, i) => i % 30 === 0), [6, 7, 8, 9], 'the copy is the log\'s own');
});

test('the log buffer gives back spare chunks not needed for a whole trim interval', () => {
  const buffer = new LogBuffer(undefined, 100);
  const kept: Buffer[] = [];
  for (let i = 0; i < 12; i++) {
    buffer.add(Buffer.alloc(60, i)); // one write per chunk
    const data = buffer.pending();
    buffer.written(data, true);
    kept.push(data);
  }
  const chunks = new Set(kept.map((k) => k.buffer));
  assert.equal(chunks.size, 12);
  buffer.durableAll(); // eleven full chunks become spare (the current one is still current)
  buffer.trim(); // they were all needed before: the first trim only starts counting
  buffer.add(Buffer.alloc(60, 100)); // fits the current chunk after its rewind
  buffer.add(Buffer.alloc(60, 101)); // takes one spare
  buffer.written(buffer.pending(), true);
  buffer.trim(); // the ten spares not used in this interval go
  buffer.durableAll();
  const reused: ArrayBufferLike[] = [];
  for (let i = 0; i < 4; i++) {
    buffer.add(Buffer.alloc(60, 200 + i));
    const data = buffer.pending();
    buffer.written(data, true);
    reused.push(data.buffer);
  }
  // The current chunk, then the spare that went back after the copy above; the ten spares not
  // taken during the last interval were let go, so the other two chunks are new.
  assert.equal(reused.filter((b) => chunks.has(b)).length, 2);
});

interface LogSetup {
  fs: MemoryFileSystem;
  log: AppendLog;
  /** Runs the end-of-turn work queued so far. */
  endTurn(): void;
  fileRecords(): { effects: Effect[][]; problem: string | null };
}

function openLog(policy: FsyncPolicy, inlineSync = false): LogSetup {
  const fs = new MemoryFileSystem();
  fs.mkdirp('/d');
  const file = fs.openAppend('/d/log', true);
  file.write(logFileHeader());
  file.fsyncSync();
  const queue: Array<() => void> = [];
  const log = new AppendLog(file, { policy, endOfTurn: (fn) => queue.push(fn), nowMs: () => 0, log: Logger.silent(), inlineSync });
  return {
    fs, log,
    endTurn: () => {
      for (const fn of queue.splice(0)) fn();
    },
    fileRecords: () => readAll(fs.readBytes('/d/log')),
  };
}

test('appendEffects: a turn\'s records go out in one write and load back, one larger than the buffer\'s chunk too', () => {
  const { fs, log, endTurn, fileRecords } = openLog('no');
  const big = latin1(noise(1_500_000, 11)); // the chunk is 1 MB
  const turns = [[set('a', '1'), set('b', '2')], [set('big', big), set('c', '3')], [set('d', '4')]];
  for (const turn of turns) {
    const writes = fs.calls.write;
    for (const effects of turn) log.appendEffects(effects);
    assert.equal(log.writtenSeq, log.appendedSeq - turn.length, 'nothing is written before the turn ends');
    endTurn();
    assert.equal(fs.calls.write, writes + 1, 'one write per turn');
    assert.equal(log.writtenSeq, log.appendedSeq);
  }
  const { effects, problem } = fileRecords();
  assert.equal(problem, null);
  assert.deepEqual(effects, turns.flat());
});

test('a failed write keeps its records; the retry writes each of them once, with the records appended meanwhile', () => {
  const { fs, log, endTurn, fileRecords } = openLog('everysec');
  log.appendEffects(set('a', '1'));
  endTurn();
  fs.failNext('write');
  log.appendEffects(set('b', '2'));
  log.appendEffects(set('c', '3'));
  endTurn();
  assert.equal(log.failure?.op, 'write');
  assert.equal(log.writtenSeq, 1);
  log.appendEffects(set('d', '4'));
  log.retry();
  assert.equal(log.failure, null);
  assert.equal(log.writtenSeq, 4);
  const { effects, problem } = fileRecords();
  assert.equal(problem, null);
  assert.deepEqual(effects, [set('a', '1'), set('b', '2'), set('c', '3'), set('d', '4')]);
});

test('a failed fsync after writes made durable by flushSync (embedded, always): the retry rewrites only what was not durable', async () => {
  const { fs, log, fileRecords } = openLog('always', true);
  log.appendEffects(set('a', '1')); // written and fsynced before it returns
  log.appendEffects(set('b', '2'));
  assert.equal(log.durableSeq, 2);
  fs.failNext('fsync');
  log.appendEffects(set('c', '3'));
  assert.equal(log.failure?.op, 'fsync');
  log.retry(); // the disk may have dropped c's pages: c is written again, a and b are on disk
  await new Promise<void>((r) => setImmediate(r)); // the retry's fsync completes
  assert.equal(log.failure, null);
  assert.equal(log.durableSeq, 3);
  const { effects, problem } = fileRecords();
  assert.equal(problem, null);
  assert.deepEqual(effects, [set('a', '1'), set('b', '2'), set('c', '3')]);
});

test('everysec: records written while an fsync runs stay intact until it completes, and the file holds each once', async () => {
  const { fs, log, endTurn, fileRecords } = openLog('everysec');
  fs.holdFsyncs = true;
  const want: Effect[][] = [];
  for (let turn = 0; turn < 5; turn++) {
    for (let i = 0; i < 3; i++) {
      const effects = set(`k${turn}-${i}`, latin1(noise(100 + turn * 50 + i, turn * 10 + i + 1)));
      want.push(effects);
      log.appendEffects(effects);
    }
    endTurn();
    if (turn === 1) log.everySecond(); // an fsync of the first two turns starts and is held
  }
  fs.failNext('fsync');
  fs.releaseFsyncs(); // it fails: what it covered, and what came after, is written again
  assert.equal(log.failure?.op, 'fsync');
  fs.holdFsyncs = false;
  log.retry();
  await new Promise<void>((r) => setImmediate(r));
  assert.equal(log.failure, null);
  const { effects, problem } = fileRecords();
  assert.equal(problem, null);
  assert.deepEqual(effects, want);
});

test('a lone client\'s records are written right after its read; a busier turn waits for its end, and so does the next', () => {
  const { fs, log, endTurn } = openLog('everysec');
  const writes = (): number => fs.calls.write;
  log.appendEffects(set('a', '1'));
  const w0 = writes();
  log.afterRead();
  assert.equal(writes(), w0 + 1, 'the first read of a quiet turn writes at once');
  assert.equal(log.writtenSeq, 1);
  endTurn();
  assert.equal(writes(), w0 + 1, 'nothing left for the end of the turn');
  // Two clients' reads in one turn: the first writes at once, the second waits for the turn's end.
  log.appendEffects(set('b', '1'));
  log.afterRead();
  log.appendEffects(set('c', '1'));
  log.afterRead();
  assert.equal(writes(), w0 + 2);
  assert.equal(log.writtenSeq, 2);
  endTurn();
  assert.equal(writes(), w0 + 3);
  assert.equal(log.writtenSeq, 3);
  // After a busy turn even a lone read waits for the end of the turn (group commit)...
  log.appendEffects(set('d', '1'));
  log.afterRead();
  assert.equal(log.writtenSeq, 3);
  endTurn();
  assert.equal(log.writtenSeq, 4);
  // ...and after a quiet one, writes at once again.
  log.appendEffects(set('e', '1'));
  log.afterRead();
  assert.equal(log.writtenSeq, 5);
  endTurn();
  // A read that left no records counts for nothing.
  log.afterRead();
  log.appendEffects(set('f', '1'));
  log.afterRead();
  assert.equal(log.writtenSeq, 6);
  endTurn();
});

test('a lone client\'s read does not write beside a running fsync, nor after a failed write', () => {
  const { fs, log, endTurn } = openLog('always');
  fs.holdFsyncs = true;
  log.appendEffects(set('a', '1'));
  log.afterRead();
  assert.equal(log.writtenSeq, 1);
  assert.ok(log.fsyncInProgress, 'always: the write starts its fsync');
  endTurn();
  log.appendEffects(set('b', '1'));
  log.afterRead();
  endTurn();
  assert.equal(log.writtenSeq, 1, 'records wait for the running fsync and form the next batch');
  assert.equal(log.delayedWrites, 1);
  fs.releaseFsyncs();
  assert.equal(log.durableSeq, 1);
  assert.equal(log.writtenSeq, 2, 'the batch goes out when the fsync is done');
  fs.releaseFsyncs();
  assert.equal(log.durableSeq, 2);
  fs.failNext('write');
  log.appendEffects(set('c', '1'));
  log.afterRead();
  assert.equal(log.failure?.op, 'write');
  endTurn();
  log.appendEffects(set('d', '1'));
  log.afterRead();
  assert.equal(log.writtenSeq, 2, 'nothing is written while the log is failing, until the retry');
  fs.holdFsyncs = false;
  log.retry();
  assert.equal(log.failure, null);
  assert.equal(log.writtenSeq, 4);
});
