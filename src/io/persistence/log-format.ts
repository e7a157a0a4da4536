// The append-only log's on-disk format (version 1), pinned by test/golden/log-v1.bin.
//
// File header, 16 bytes:
//   0   8  magic "CAIRNAOF"
//   8   2  format version, u16 little-endian
//   10  2  reserved, zero
//   12  4  CRC-32C of bytes 0..11, u32 LE
//
// Then records, back to back. Record, 12 bytes of header then the payload:
//   0   4  payload length n, u32 LE
//   4   4  CRC-32C of the payload, u32 LE
//   8   4  CRC-32C of bytes 0..7 of this record, u32 LE (guards the length on its own)
//   12  n  payload
//
// Payload: what one command (or one transaction, atomically) changed:
//   varint count of effects (>= 1), then per effect:
//   varint database index, varint argc (>= 1), then argc times: varint length, bytes.
// Varints are unsigned LEB128, shortest form. Arguments are binary strings (latin1 in memory).
//
// Why a separate header checksum: a damaged length field must never be trusted to skip bytes,
// and it lets a reader find the next valid record after a damaged one: a bad record followed
// by a valid one is corruption (start-up stops); a bad record with nothing valid after it is a
// torn tail (cut off with a warning). See docs/design/log-format.md.
import type { Effect } from '../../core/keyspace.js';
import { WindowReader, readVarint, varintBytes, writeLatin1, writeVarint } from './byte-reader.js';
import { crc32c, crc32cOfWords } from './crc32c.js';

export const LOG_MAGIC = 'CAIRNAOF';
export const LOG_FORMAT_VERSION = 1;
export const LOG_HEADER_BYTES = 16;
export const RECORD_HEADER_BYTES = 12;
/** A record's payload length is a u32. */
const PAYLOAD_BYTES_MAX = 0xffff_ffff;

/** The 16 bytes every log file starts with. */
export function logFileHeader(): Buffer {
  const b = Buffer.alloc(LOG_HEADER_BYTES);
  b.write(LOG_MAGIC, 0, 'latin1');
  b.writeUInt16LE(LOG_FORMAT_VERSION, 8);
  b.writeUInt32LE(crc32c(b, 0, 0, 12), 12);
  return b;
}

/** The effects of one command or transaction as one record (MULTI/EXEC wrappers dropped). */
export function encodeRecord(effects: readonly Effect[]): Buffer {
  const inner = recordEffects(effects);
  const payload = recordPayloadBytes(inner);
  const buf = Buffer.allocUnsafe(RECORD_HEADER_BYTES + payload);
  writeRecord(buf, 0, inner, payload);
  return buf;
}

/** The engine wraps a transaction's effects in MULTI ... EXEC; one record is atomic already. */
export function recordEffects(effects: readonly Effect[]): readonly Effect[] {
  const n = effects.length;
  if (n >= 2 && effects[0]!.argv[0] === 'MULTI' && effects[n - 1]!.argv[0] === 'EXEC') return effects.slice(1, n - 1);
  return effects;
}

/** Payload bytes of the record holding `inner` (see recordEffects); throws past the format's limit. */
export function recordPayloadBytes(inner: readonly Effect[]): number {
  let payloadBytes = varintBytes(inner.length);
  for (const e of inner) {
    const argv = e.argv;
    payloadBytes += varintBytes(e.db) + varintBytes(argv.length);
    for (let i = 0; i < argv.length; i++) {
      const n = argv[i]!.length;
      payloadBytes += n + (n < 0x80 ? 1 : varintBytes(n));
    }
  }
  if (payloadBytes > PAYLOAD_BYTES_MAX) throw new Error(`log record of ${payloadBytes} bytes exceeds the format's u32 length`);
  return payloadBytes;
}

/**
 * Writes the record holding `inner` at buf[at], header and checksums included, into a buffer
 * with room for RECORD_HEADER_BYTES + payloadBytes there (recordPayloadBytes); returns where it
 * ends.
 */
export function writeRecord(buf: Buffer, at: number, inner: readonly Effect[], payloadBytes: number): number {
  const end = writeUnsealedRecord(buf, at, inner, payloadBytes);
  sealRecords(buf, at, end);
  return end;
}

/**
 * writeRecord without the checksums: sealRecords must fill them in before the bytes go
 * anywhere. The append-only log encodes a turn's records one after the other into one buffer
 * it reuses, and checksums them all just before the turn's write: the checksum's tables are
 * then read while in the CPU's caches, where between two commands (each looking up a random
 * key) they are not, which made a record's checksum cost three to four times as much
 * (docs/design/log-encoding.md).
 */
export function writeUnsealedRecord(buf: Buffer, at: number, inner: readonly Effect[], payloadBytes: number): number {
  const start = at + RECORD_HEADER_BYTES;
  let p = writeVarint(buf, start, inner.length);
  for (const e of inner) {
    const argv = e.argv;
    p = writeVarint(buf, p, e.db);
    p = writeVarint(buf, p, argv.length);
    for (let i = 0; i < argv.length; i++) {
      const arg = argv[i]!;
      if (arg.length < 0x80) buf[p++] = arg.length;
      else p = writeVarint(buf, p, arg.length);
      p = writeLatin1(buf, p, arg);
    }
  }
  const end = start + payloadBytes;
  if (p !== end) throw new Error(`log record encoding wrote ${p - start} of ${payloadBytes} payload bytes`);
  putU32(buf, at, payloadBytes);
  return end;
}

/**
 * Fills in the checksums of the records lying back to back in buf[start, end), each written
 * by writeUnsealedRecord (records already sealed are sealed again to the same bytes).
 */
export function sealRecords(buf: Uint8Array, start: number, end: number): void {
  let at = start;
  while (at < end) {
    const payloadBytes = (buf[at]! | (buf[at + 1]! << 8) | (buf[at + 2]! << 16) | (buf[at + 3]! << 24)) >>> 0;
    const payloadStart = at + RECORD_HEADER_BYTES;
    const recordEnd = payloadStart + payloadBytes;
    if (recordEnd > end) throw new Error(`log record at ${at} runs past the bytes to seal (${recordEnd} > ${end})`);
    const payloadCrc = crc32c(buf, 0, payloadStart, recordEnd);
    putU32(buf, at + 4, payloadCrc);
    putU32(buf, at + 8, crc32cOfWords(payloadBytes, payloadCrc));
    at = recordEnd;
  }
}

/** A u32 little-endian, without Buffer.writeUInt32LE's argument checks (the callers' values are u32). */
function putU32(buf: Uint8Array, at: number, v: number): void {
  buf[at] = v;
  buf[at + 1] = v >>> 8;
  buf[at + 2] = v >>> 16;
  buf[at + 3] = v >>> 24;
}

/** Decodes a payload; null when its structure is wrong (a bug or a foreign file, not a crash). */
export function decodePayload(buf: Uint8Array, start: number, end: number): Effect[] | null {
  const b = Buffer.isBuffer(buf) ? buf : Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  let at = start;
  const count = readVarint(b, at, end);
  if (count === null || count[0] < 1) return null;
  at += count[1];
  const effects: Effect[] = [];
  for (let i = 0; i < count[0]; i++) {
    const db = readVarint(b, at, end);
    if (db === null) return null;
    at += db[1];
    const argc = readVarint(b, at, end);
    if (argc === null || argc[0] < 1) return null;
    at += argc[1];
    const argv: string[] = [];
    for (let j = 0; j < argc[0]; j++) {
      const len = readVarint(b, at, end);
      if (len === null) return null;
      at += len[1];
      if (len[0] > end - at) return null;
      argv.push(b.toString('latin1', at, at + len[0]));
      at += len[0];
    }
    effects.push({ db: db[0], argv });
  }
  return at === end ? effects : null;
}

/** One step of reading a log: a record, the clean end, or a damaged place and what kind. */
export type LogStep =
  | { readonly kind: 'record'; readonly offset: number; readonly end: number; readonly effects: Effect[] }
  | { readonly kind: 'end'; readonly offset: number }
  /** Damage a crash explains (an unfinished last write): safe to cut off here. */
  | { readonly kind: 'torn'; readonly offset: number; readonly reason: string }
  /** Damage a crash cannot explain: start-up stops and names the offset. */
  | { readonly kind: 'corrupt'; readonly offset: number; readonly reason: string };

/** Checks a log file's header; a problem is reported the same way as a bad record at offset 0. */
export function checkLogHeader(r: WindowReader): LogStep | null {
  if (r.size < LOG_HEADER_BYTES) {
    return r.zerosFrom(0) || startsLikeHeader(r)
      ? { kind: 'torn', offset: 0, reason: 'the file header is incomplete' }
      : { kind: 'corrupt', offset: 0, reason: 'not a Cairn log file (bad magic)' };
  }
  const v = r.view(0, LOG_HEADER_BYTES)!;
  if (v.buf.toString('latin1', v.at, v.at + 8) !== LOG_MAGIC) {
    if (r.zerosFrom(0)) return { kind: 'torn', offset: 0, reason: 'the file header was never written (zero-filled file)' };
    return { kind: 'corrupt', offset: 0, reason: 'not a Cairn log file (bad magic)' };
  }
  if (v.buf.readUInt32LE(v.at + 12) !== crc32c(v.buf, 0, v.at, v.at + 12)) {
    return { kind: 'corrupt', offset: 0, reason: 'file header checksum mismatch' };
  }
  const version = v.buf.readUInt16LE(v.at + 8);
  if (version !== LOG_FORMAT_VERSION) {
    return { kind: 'corrupt', offset: 0, reason: `log format version ${version}, this Cairn reads version ${LOG_FORMAT_VERSION}` };
  }
  return null;
}

function startsLikeHeader(r: WindowReader): boolean {
  const v = r.view(0, r.size);
  if (v === null) return false;
  return LOG_MAGIC.startsWith(v.buf.toString('latin1', v.at, v.at + Math.min(8, r.size)));
}

/** Reads the record at `offset` (a record boundary). */
export function readRecord(r: WindowReader, offset: number): LogStep {
  const size = r.size;
  if (offset === size) return { kind: 'end', offset };
  if (size - offset < RECORD_HEADER_BYTES) return damaged(r, offset, `an incomplete record header (${size - offset} of ${RECORD_HEADER_BYTES} bytes)`);
  const h = r.view(offset, RECORD_HEADER_BYTES)!;
  const length = h.buf.readUInt32LE(h.at);
  const payloadCrc = h.buf.readUInt32LE(h.at + 4);
  if (h.buf.readUInt32LE(h.at + 8) !== crc32c(h.buf, 0, h.at, h.at + 8)) return damaged(r, offset, 'record header checksum mismatch');
  const end = offset + RECORD_HEADER_BYTES + length;
  if (end > size) return damaged(r, offset, `the record runs past the end of the file (${size - offset - RECORD_HEADER_BYTES} of ${length} payload bytes)`);
  const p = r.view(offset + RECORD_HEADER_BYTES, length)!;
  if (crc32c(p.buf, 0, p.at, p.at + length) !== payloadCrc) return damaged(r, offset, 'record checksum mismatch');
  const effects = decodePayload(p.buf, p.at, p.at + length);
  if (effects === null) return { kind: 'corrupt', offset, reason: 'malformed record payload' };
  return { kind: 'record', offset, end, effects };
}

/**
 * A bad record is a torn tail when nothing valid follows it: a crash interrupts only the last
 * write, so everything after the damage is part of it (or zeros a filesystem left). A valid
 * record further on means the damage is in the middle of the history: corruption.
 */
function damaged(r: WindowReader, offset: number, reason: string): LogStep {
  return validRecordAfter(r, offset + 1) ? { kind: 'corrupt', offset, reason } : { kind: 'torn', offset, reason };
}

function validRecordAfter(r: WindowReader, from: number): boolean {
  for (let at = from; at + RECORD_HEADER_BYTES <= r.size; at++) {
    const h = r.view(at, RECORD_HEADER_BYTES)!;
    if (h.buf.readUInt32LE(h.at + 8) !== crc32c(h.buf, 0, h.at, h.at + 8)) continue;
    const length = h.buf.readUInt32LE(h.at);
    if (at + RECORD_HEADER_BYTES + length > r.size) continue;
    const p = r.view(at + RECORD_HEADER_BYTES, length)!;
    if (crc32c(p.buf, 0, p.at, p.at + length) === h.buf.readUInt32LE(h.at + 4)) return true;
  }
  return false;
}

/** The result of checking a whole log file (cairn check-log, start-up). */
export interface LogCheck {
  readonly records: number;
  readonly size: number;
  /** Where the last good record ends: everything after it is damaged (or nothing is). */
  readonly goodEnd: number;
  readonly problem: Extract<LogStep, { kind: 'torn' | 'corrupt' }> | null;
}

/** Reads every record of a log file; stops at the first damaged place. */
export function checkLog(r: WindowReader): LogCheck {
  const header = checkLogHeader(r);
  if (header !== null && header.kind !== 'end' && header.kind !== 'record') return { records: 0, size: r.size, goodEnd: 0, problem: header };
  let offset = LOG_HEADER_BYTES;
  let records = 0;
  for (;;) {
    const step = readRecord(r, offset);
    if (step.kind === 'end') return { records, size: r.size, goodEnd: offset, problem: null };
    if (step.kind !== 'record') return { records, size: r.size, goodEnd: offset, problem: step };
    records++;
    offset = step.end;
  }
}
