// Bitmap commands (Redis bitops.c): SETBIT, GETBIT, BITCOUNT, BITPOS, BITOP, BITFIELD and
// BITFIELD_RO. Bitmaps are ordinary string values; bit 0 is the most significant bit of the
// first byte. Writes go through src/core/bits.ts, which keeps long values as ropes so that one
// bit costs O(log n) instead of a copy of the string (see the notes there).
//
// Notifications and effects follow Redis: 'setbit' when SETBIT or BITFIELD changed a bit or
// grew the string, 'set' for a BITOP destination (or 'del' when the result is empty and the
// destination existed). A write that changes nothing logs nothing. Redis does not propagate a
// BITFIELD whose writes all failed with OVERFLOW FAIL even when it created or grew the string;
// Cairn logs it so that replicas keep the same bytes (no notification, as in Redis).
import { bytesForRead, bytesForWrite, copyBytes, keepRope, latin1FromBytes, POPCOUNT, type ByteSource, type ByteStore } from '../bits.js';
import * as errors from '../errors.js';
import type { Entry } from '../keyspace.js';
import { limits } from '../limits.js';
import { parseI64, parseInteger, parseSmallInt } from '../numbers.js';
import { array, int, NIL, ZERO, type Reply } from '../reply.js';
import { written, type CommandSpec, type CoreContext } from './spec.js';

// ---------------------------------------------------------------------------------------
// Shared pieces

/** A keyword as C's strcasecmp sees it: up to the first NUL byte, in upper case. */
function keyword(arg: string): string {
  const nul = arg.indexOf('\0');
  return (nul < 0 ? arg : arg.slice(0, nul)).toUpperCase();
}

/**
 * A bit offset argument (Redis getBitOffsetFromArgument): a non-negative int64 whose byte
 * lies below proto-max-bulk-len. With `hashBits` > 0 (BITFIELD), "#n" means n * hashBits,
 * multiplied with int64 wrap-around as in C. Null when invalid.
 */
function parseBitOffset(arg: string, hashBits = 0): number | null {
  const useHash = hashBits > 0 && arg.charCodeAt(0) === 35; // '#'
  if (!useHash) {
    const small = parseSmallInt(arg);
    if (small === null) return null;
    if (small !== undefined) return small < 0 || byteOf(small) >= limits.protoMaxBulkLenBytes ? null : small;
  }
  let v = parseI64(useHash ? arg.slice(1) : arg);
  if (v === null) return null;
  if (useHash) v = BigInt.asIntN(64, v * BigInt(hashBits));
  if (v < 0n || v >> 3n >= BigInt(limits.protoMaxBulkLenBytes)) return null;
  return Number(v);
}

function byteOf(bitOffset: number): number {
  return Math.floor(bitOffset / 8);
}

/** Redis's sdsgrowzero target for writing bit `maxBit`, refused when V8 cannot hold it. */
function tooLongFor(e: Entry | undefined, maxBit: number): boolean {
  const need = byteOf(maxBit) + 1;
  const have = e === undefined ? 0 : (e.value as string).length;
  return need > have && need > limits.stringValueBytesMax;
}

/**
 * Stores an edited bitmap. A new key is added; an existing entry gets the new value in place,
 * keeping its TTL. Redis builds these strings as raw buffers, so OBJECT ENCODING says "raw".
 */
function storeBitmap(ctx: CoreContext, key: string, e: Entry | undefined, store: ByteStore, touch: boolean): void {
  const value = store.value();
  let target: Entry;
  if (e === undefined) {
    target = ctx.db.add(key, 'string', value);
  } else {
    e.value = value;
    if (touch) ctx.db.touch(key);
    target = e;
  }
  target.rawEncoding = true;
  keepRope(ctx.ks, ctx.db, target, store);
}

// ---------------------------------------------------------------------------------------
// SETBIT / GETBIT

function setbitCommand(ctx: CoreContext, argv: string[]): Reply {
  const key = argv[1]!;
  const offset = parseBitOffset(argv[2]!);
  if (offset === null) return errors.bitOffsetInvalid();
  const arg = argv[3]!;
  if (arg !== '0' && arg !== '1') return errors.bitValueInvalid();
  const on = arg === '1' ? 1 : 0;
  const e = ctx.db.lookupWrite(key);
  if (e !== undefined && e.type !== 'string') return errors.wrongType();
  if (tooLongFor(e, offset)) return errors.stringTooLong();

  const oldLength = e === undefined ? -1 : (e.value as string).length;
  const byte = byteOf(offset);
  const store = bytesForWrite(ctx.ks, ctx.db, e, byte + 1);
  const mask = 1 << (7 - (offset % 8));
  const old = store.byteAt(byte);
  const was = (old & mask) !== 0 ? 1 : 0;
  // Redis writes (and signals) only when the string is new or grew, or the bit flips.
  if (store.length !== oldLength || was !== on) {
    store.setByte(byte, on ? old | mask : old & ~mask);
    storeBitmap(ctx, key, e, store, true);
    ctx.ks.notify(ctx.db.id, 'setbit', key);
    written(ctx);
  } else {
    e!.rawEncoding = true; // dbUnshareStringValue: the value is raw from now on
  }
  return int(was);
}

function getbitCommand(ctx: CoreContext, argv: string[]): Reply {
  const offset = parseBitOffset(argv[2]!);
  if (offset === null) return errors.bitOffsetInvalid();
  const e = ctx.db.lookupRead(argv[1]!);
  if (e === undefined) return ZERO;
  if (e.type !== 'string') return errors.wrongType();
  const bytes = bytesForRead(ctx.ks, e);
  return int((bytes.byteAt(byteOf(offset)) >> (7 - (offset % 8))) & 1);
}

// ---------------------------------------------------------------------------------------
// BITCOUNT / BITPOS

/** Set bits in bytes [start, end] of a source. */
function popcount(source: ByteSource, start: number, end: number): number {
  let count = 0;
  source.forEachPiece(start, end + 1, (piece, from, to) => {
    for (let i = from; i < to; i++) count += POPCOUNT[piece.charCodeAt(i)]!;
  });
  return count;
}

/** The first bit equal to `bit` in a byte, counting from its most significant bit (8: none). */
function firstBitInByte(b: number, bit: number): number {
  const bits = bit === 1 ? b : ~b & 0xff;
  return bits === 0 ? 8 : Math.clz32(bits) - 24;
}

/**
 * Redis's redisBitpos over `count` bytes from `start`: the position of the first bit equal to
 * `bit`; when there is none, -1 for a one bit, and count*8 for a zero bit (the bytes past the
 * end count as zeros).
 */
function bitposIn(source: ByteSource, start: number, count: number, bit: number): number {
  const skip = bit === 1 ? 0 : 0xff;
  let pos = -1;
  let scanned = 0;
  source.forEachPiece(start, start + count, (piece, from, to) => {
    for (let i = from; i < to; i++) {
      const b = piece.charCodeAt(i);
      if (b !== skip) {
        pos = (scanned + i - from) * 8 + firstBitInByte(b, bit);
        return true;
      }
    }
    scanned += to - from;
    return false;
  });
  if (pos >= 0) return pos;
  return bit === 1 ? -1 : count * 8;
}

/** The range arguments shared by BITCOUNT and BITPOS, after Redis's normalisation. */
interface BitRange {
  /** First and last byte, inclusive. */
  start: number;
  end: number;
  /** Bits of the first / last byte outside a BIT range (0 when none). */
  firstMask: number;
  lastMask: number;
}

/**
 * Turns start/end (negative from the end) into byte bounds over a string of `length` bytes;
 * in BIT mode the edges become masks of the bits outside the range.
 */
function normaliseRange(startArg: number, endArg: number, length: number, isBit: boolean): BitRange {
  const total = isBit ? length * 8 : length;
  let start = startArg < 0 ? total + startArg : startArg;
  let end = endArg < 0 ? total + endArg : endArg;
  if (start < 0) start = 0;
  if (end < 0) end = 0;
  if (end >= total) end = total - 1;
  let firstMask = 0;
  let lastMask = 0;
  if (isBit && start <= end) {
    firstMask = ~((1 << (8 - (start % 8))) - 1) & 0xff;
    lastMask = (1 << (7 - (end % 8))) - 1;
    start = byteOf(start);
    end = byteOf(end);
  }
  return { start, end, firstMask, lastMask };
}

/** BIT or BYTE; null for any other word. */
function parseUnit(arg: string): boolean | null {
  const word = keyword(arg);
  if (word === 'BIT') return true;
  if (word === 'BYTE') return false;
  return null;
}

// Redis 7.0 looks the key up before it parses the range: a missing key answers 0 (BITPOS:
// -1 or 0) whatever the other arguments, and a key of another type answers WRONGTYPE.
function bitcountCommand(ctx: CoreContext, argv: string[]): Reply {
  const e = ctx.db.lookupRead(argv[1]!);
  if (e === undefined) return ZERO;
  if (e.type !== 'string') return errors.wrongType();
  const source = bytesForRead(ctx.ks, e);
  let range: BitRange;
  if (argv.length === 4 || argv.length === 5) {
    const start = parseInteger(argv[2]!);
    if (start === null) return errors.notInteger();
    const end = parseInteger(argv[3]!);
    if (end === null) return errors.notInteger();
    // Both negative and in the wrong order: empty, before the unit word is even looked at.
    if (start < 0 && end < 0 && isAfter(argv[2]!, start, argv[3]!, end)) return ZERO;
    let isBit = false;
    if (argv.length === 5) {
      const unit = parseUnit(argv[4]!);
      if (unit === null) return errors.syntax();
      isBit = unit;
    }
    range = normaliseRange(start, end, source.length, isBit);
  } else if (argv.length === 2) {
    range = { start: 0, end: source.length - 1, firstMask: 0, lastMask: 0 };
  } else {
    return errors.syntax();
  }
  if (range.start > range.end) return ZERO;
  let count = popcount(source, range.start, range.end);
  // Subtract the bits of the edge bytes that lie outside a BIT range.
  if (range.firstMask !== 0) count -= POPCOUNT[source.byteAt(range.start) & range.firstMask]!;
  if (range.lastMask !== 0) count -= POPCOUNT[source.byteAt(range.end) & range.lastMask]!;
  return int(count);
}

/** start > end on the exact int64 values (the JS numbers may have been rounded past 2^53). */
function isAfter(startText: string, start: number, endText: string, end: number): boolean {
  if (Number.isSafeInteger(start) && Number.isSafeInteger(end)) return start > end;
  return parseI64(startText)! > parseI64(endText)!;
}

function bitposCommand(ctx: CoreContext, argv: string[]): Reply {
  const bit = parseInteger(argv[2]!);
  if (bit === null) return errors.notInteger();
  if (bit !== 0 && bit !== 1) return errors.bitArgumentInvalid();
  const e = ctx.db.lookupRead(argv[1]!);
  // A missing key is an endless run of zero bits.
  if (e === undefined) return int(bit === 1 ? -1 : 0);
  if (e.type !== 'string') return errors.wrongType();
  const source = bytesForRead(ctx.ks, e);
  const n = argv.length;
  let range: BitRange;
  let endGiven = false;
  if (n >= 4 && n <= 6) {
    const start = parseInteger(argv[3]!);
    if (start === null) return errors.notInteger();
    let isBit = false;
    // Redis checks the unit word before it parses the end.
    if (n === 6) {
      const unit = parseUnit(argv[5]!);
      if (unit === null) return errors.syntax();
      isBit = unit;
    }
    let end = source.length - 1;
    if (n >= 5) {
      const given = parseInteger(argv[4]!);
      if (given === null) return errors.notInteger();
      end = given;
      endGiven = true;
    }
    range = normaliseRange(start, end, source.length, isBit);
  } else if (n === 3) {
    range = { start: 0, end: source.length - 1, firstMask: 0, lastMask: 0 };
  } else {
    return errors.syntax();
  }
  if (range.start > range.end) return int(-1);
  return int(bitposInRange(source, range, bit, endGiven));
}

/**
 * Redis's bitposCommand search over a normalised range: the masked first byte, the whole
 * bytes, then the masked last byte. Without an explicit end, a clear bit may be found just
 * past the range (the string is zero padded on the right); with one, that means -1.
 */
function bitposInRange(source: ByteSource, range: BitRange, bit: number, endGiven: boolean): number {
  let { start } = range;
  const { end, firstMask, lastMask } = range;
  let bytes = end - start + 1;
  let pos: number;
  search: {
    if (firstMask !== 0) {
      let b = bit === 1 ? source.byteAt(start) & ~firstMask & 0xff : source.byteAt(start) | firstMask;
      if (lastMask !== 0 && bytes === 1) b = bit === 1 ? b & ~lastMask & 0xff : b | lastMask;
      pos = firstBitOrNone(b, bit);
      if (bytes === 1 || (pos !== -1 && pos !== 8)) break search;
      start++;
      bytes--;
    }
    const whole = bytes - (lastMask !== 0 ? 1 : 0);
    if (whole > 0) {
      pos = bitposIn(source, start, whole, bit);
      if (bytes === whole || (pos !== -1 && pos !== whole * 8)) break search;
      start += whole;
      bytes -= whole;
    }
    const b = bit === 1 ? source.byteAt(end) & ~lastMask & 0xff : source.byteAt(end) | lastMask;
    pos = firstBitOrNone(b, bit);
  }
  if (endGiven && bit === 0 && pos === bytes * 8) return -1;
  return pos === -1 ? -1 : pos + start * 8;
}

/** redisBitpos over one byte: 0..7, or -1 (one bit) / 8 (zero bit) when there is none. */
function firstBitOrNone(b: number, bit: number): number {
  const pos = firstBitInByte(b, bit);
  return pos === 8 && bit === 1 ? -1 : pos;
}

// ---------------------------------------------------------------------------------------
// BITOP

const enum BitOp {
  And,
  Or,
  Xor,
  Not,
}

function parseBitOp(arg: string): BitOp | null {
  switch (keyword(arg)) {
    case 'AND': return BitOp.And;
    case 'OR': return BitOp.Or;
    case 'XOR': return BitOp.Xor;
    case 'NOT': return BitOp.Not;
    default: return null;
  }
}

function bitopCommand(ctx: CoreContext, argv: string[]): Reply {
  const op = parseBitOp(argv[1]!);
  if (op === null) return errors.syntax();
  if (op === BitOp.Not && argv.length !== 4) return errors.bitopNotSingleSource();
  const dest = argv[2]!;
  const sources: Array<ByteSource | null> = [];
  let maxLength = 0;
  for (let j = 3; j < argv.length; j++) {
    const e = ctx.db.lookupRead(argv[j]!);
    if (e === undefined) {
      sources.push(null); // a missing key is an empty string
      continue;
    }
    if (e.type !== 'string') return errors.wrongType();
    const source = bytesForRead(ctx.ks, e);
    sources.push(source);
    maxLength = Math.max(maxLength, source.length);
  }
  if (maxLength === 0) {
    // An empty result deletes the destination.
    if (ctx.db.delete(dest)) {
      ctx.ks.notify(ctx.db.id, 'del', dest);
      written(ctx);
    }
    return ZERO;
  }
  const result = combine(op, sources, maxLength);
  const stored = ctx.db.set(dest, 'string', latin1FromBytes(result));
  stored.rawEncoding = true;
  ctx.ks.notify(ctx.db.id, 'set', dest);
  written(ctx);
  return int(maxLength);
}

/** The bitwise combination of the sources, each zero padded to `length` bytes. */
function combine(op: BitOp, sources: ReadonlyArray<ByteSource | null>, length: number): Uint8Array {
  const result = new Uint8Array(length);
  const first = sources[0]!;
  if (first !== null) copyBytes(first, 0, first.length, result, 0);
  if (op === BitOp.Not) {
    for (let i = 0; i < length; i++) result[i] = ~result[i]! & 0xff;
    return result;
  }
  for (let j = 1; j < sources.length; j++) {
    const source = sources[j]!;
    const n = source === null ? 0 : source.length;
    if (op === BitOp.And) result.fill(0, n); // zero padding clears everything past the end
    if (source === null || n === 0) continue;
    let i = 0;
    source.forEachPiece(0, n, (piece, from, to) => {
      if (op === BitOp.And) for (let k = from; k < to; k++, i++) result[i]! &= piece.charCodeAt(k);
      else if (op === BitOp.Or) for (let k = from; k < to; k++, i++) result[i]! |= piece.charCodeAt(k);
      else for (let k = from; k < to; k++, i++) result[i]! ^= piece.charCodeAt(k);
    });
  }
  return result;
}

// ---------------------------------------------------------------------------------------
// BITFIELD / BITFIELD_RO

const enum FieldOp {
  Get,
  Set,
  IncrBy,
}

const enum Overflow {
  Wrap,
  Sat,
  Fail,
}

interface FieldCommand {
  readonly op: FieldOp;
  readonly signed: boolean;
  readonly bits: number;
  readonly offset: number;
  /** SET value or INCRBY increment, an int64. */
  readonly value: bigint;
  readonly overflow: Overflow;
}

/** i1..i64 or u1..u63 (Redis getBitfieldTypeFromArgument): C-string rules for the number. */
function parseFieldType(arg: string): { signed: boolean; bits: number } | null {
  const sign = arg.charCodeAt(0);
  if (sign !== 105 && sign !== 117) return null; // 'i' or 'u'
  const nul = arg.indexOf('\0', 1);
  const bits = parseI64(nul < 0 ? arg.slice(1) : arg.slice(1, nul));
  const signed = sign === 105;
  if (bits === null || bits < 1n || bits > (signed ? 64n : 63n)) return null;
  return { signed, bits: Number(bits) };
}

/** Parses the subcommands (all of them first, as Redis does): the list, or the error reply. */
function parseFieldCommands(argv: readonly string[]): FieldCommand[] | Reply {
  const out: FieldCommand[] = [];
  let overflow = Overflow.Wrap;
  for (let j = 2; j < argv.length; j++) {
    const remaining = argv.length - j - 1;
    const word = keyword(argv[j]!);
    let op: FieldOp;
    if (word === 'GET' && remaining >= 2) op = FieldOp.Get;
    else if (word === 'SET' && remaining >= 3) op = FieldOp.Set;
    else if (word === 'INCRBY' && remaining >= 3) op = FieldOp.IncrBy;
    else if (word === 'OVERFLOW' && remaining >= 1) {
      const kind = keyword(argv[++j]!);
      if (kind === 'WRAP') overflow = Overflow.Wrap;
      else if (kind === 'SAT') overflow = Overflow.Sat;
      else if (kind === 'FAIL') overflow = Overflow.Fail;
      else return errors.bitfieldOverflowTypeInvalid();
      continue;
    } else {
      return errors.syntax();
    }
    const type = parseFieldType(argv[j + 1]!);
    if (type === null) return errors.bitfieldTypeInvalid();
    const offset = parseBitOffset(argv[j + 2]!, type.bits);
    if (offset === null) return errors.bitOffsetInvalid();
    let value = 0n;
    if (op !== FieldOp.Get) {
      const v = parseI64(argv[j + 3]!);
      if (v === null) return errors.notInteger();
      value = v;
    }
    out.push({ op, signed: type.signed, bits: type.bits, offset, value, overflow });
    j += op === FieldOp.Get ? 2 : 3;
  }
  return out;
}

/** The unsigned value of `bits` bits at bit `offset` (bytes past the end read as zero). */
function readField(source: ByteSource | undefined, offset: number, bits: number): bigint {
  const lastBit = offset + bits - 1;
  let acc = 0n;
  for (let b = byteOf(offset), last = byteOf(lastBit); b <= last; b++) {
    acc = (acc << 8n) | BigInt(source === undefined ? 0 : source.byteAt(b));
  }
  return (acc >> BigInt(7 - (lastBit % 8))) & ((1n << BigInt(bits)) - 1n);
}

/** Writes the low `bits` bits of `value` at bit `offset`; the store is long enough already. */
function writeField(store: ByteStore, offset: number, bits: number, value: bigint): void {
  const first = byteOf(offset);
  const lastBit = offset + bits - 1;
  const last = byteOf(lastBit);
  const shift = BigInt(7 - (lastBit % 8));
  const mask = ((1n << BigInt(bits)) - 1n) << shift;
  let acc = 0n;
  for (let b = first; b <= last; b++) acc = (acc << 8n) | BigInt(store.byteAt(b));
  acc = (acc & ~mask) | ((BigInt.asUintN(bits, value) << shift) & mask);
  for (let b = last; b >= first; b--) {
    const byte = Number(acc & 0xffn);
    if (store.byteAt(b) !== byte) store.setByte(b, byte);
    acc >>= 8n;
  }
}

/** What an overflow check decided: 0 fits, 1 overflow, -1 underflow; `limit` for WRAP/SAT. */
interface OverflowCheck {
  readonly direction: number;
  readonly limit: bigint;
}

const FITS: OverflowCheck = { direction: 0, limit: 0n };

/** Redis's checkUnsignedBitfieldOverflow with C's uint64/int64 arithmetic. */
function checkUnsigned(value: bigint, incr: bigint, bits: number, overflow: Overflow): OverflowCheck {
  const max = (1n << BigInt(bits)) - 1n;
  const maxIncr = BigInt.asIntN(64, max - value);
  const minIncr = BigInt.asIntN(64, -value);
  let direction = 0;
  if (value > max || (incr > 0n && incr > maxIncr)) direction = 1;
  else if (incr < 0n && incr < minIncr) direction = -1;
  else return FITS;
  if (overflow === Overflow.Wrap) return { direction, limit: BigInt.asUintN(bits, value + incr) };
  return { direction, limit: direction > 0 ? max : 0n };
}

/** Redis's checkSignedBitfieldOverflow, including its int64 wrap-arounds. */
function checkSigned(value: bigint, incr: bigint, bits: number, overflow: Overflow): OverflowCheck {
  const max = bits === 64 ? 0x7fffffffffffffffn : (1n << BigInt(bits - 1)) - 1n;
  const min = -max - 1n;
  const maxIncr = BigInt.asIntN(64, max - value);
  const minIncr = BigInt.asIntN(64, min - value);
  let direction = 0;
  if (value > max || (bits !== 64 && incr > maxIncr) || (value >= 0n && incr > 0n && incr > maxIncr)) direction = 1;
  else if (value < min || (bits !== 64 && incr < minIncr) || (value < 0n && incr < 0n && incr < minIncr)) direction = -1;
  else return FITS;
  if (overflow === Overflow.Wrap) return { direction, limit: BigInt.asIntN(bits, value + incr) };
  return { direction, limit: direction > 0 ? max : min };
}

function intReply(v: bigint): Reply {
  const n = Number(v);
  return int(Number.isSafeInteger(n) ? n : v);
}

/** One SET or INCRBY: [reply, changed]. The reply is nil when OVERFLOW FAIL refused it. */
function applyWrite(store: ByteStore, c: FieldCommand, grew: boolean): [Reply, boolean] {
  const stored = readField(store, c.offset, c.bits);
  const old = c.signed ? BigInt.asIntN(c.bits, stored) : stored;
  let next: bigint;
  let check: OverflowCheck;
  if (c.op === FieldOp.IncrBy) {
    check = c.signed ? checkSigned(old, c.value, c.bits, c.overflow) : checkUnsigned(old, c.value, c.bits, c.overflow);
    next = check.direction !== 0 ? check.limit : old + c.value;
  } else {
    // An unsigned SET takes the int64 argument as C's uint64 would.
    const value = c.signed ? c.value : BigInt.asUintN(64, c.value);
    check = c.signed ? checkSigned(value, 0n, c.bits, c.overflow) : checkUnsigned(value, 0n, c.bits, c.overflow);
    next = check.direction !== 0 ? check.limit : value;
  }
  if (check.direction !== 0 && c.overflow === Overflow.Fail) return [NIL, false];
  writeField(store, c.offset, c.bits, next);
  const reply = intReply(c.op === FieldOp.IncrBy ? next : old);
  return [reply, grew || next !== old];
}

function bitfieldGeneric(ctx: CoreContext, argv: string[], readOnly: boolean): Reply {
  const key = argv[1]!;
  const parsed = parseFieldCommands(argv);
  if (!Array.isArray(parsed)) return parsed;
  const commands = parsed;
  const writes = commands.filter((c) => c.op !== FieldOp.Get);

  if (writes.length === 0) {
    const e = ctx.db.lookupRead(key);
    if (e !== undefined && e.type !== 'string') return errors.wrongType();
    const source = e === undefined ? undefined : bytesForRead(ctx.ks, e);
    return array(commands.map((c) => fieldGet(source, c)));
  }
  if (readOnly) return errors.bitfieldRoGetOnly();

  const e = ctx.db.lookupWrite(key);
  if (e !== undefined && e.type !== 'string') return errors.wrongType();
  let maxBit = 0;
  for (const c of writes) maxBit = Math.max(maxBit, c.offset + c.bits - 1);
  if (tooLongFor(e, maxBit)) return errors.stringTooLong();
  const oldLength = e === undefined ? -1 : (e.value as string).length;
  const store = bytesForWrite(ctx.ks, ctx.db, e, byteOf(maxBit) + 1);
  const grew = store.length !== oldLength;
  let changes = 0;
  const replies = commands.map((c) => {
    if (c.op === FieldOp.Get) return fieldGet(store, c);
    const [reply, changed] = applyWrite(store, c, grew);
    if (changed) changes++;
    return reply;
  });
  if (changes > 0 || grew) {
    storeBitmap(ctx, key, e, store, changes > 0);
    if (changes > 0) ctx.ks.notify(ctx.db.id, 'setbit', key);
    written(ctx, Math.max(changes, 1));
  } else {
    e!.rawEncoding = true; // dbUnshareStringValue: the value is raw from now on
  }
  return array(replies);
}

function fieldGet(source: ByteSource | undefined, c: FieldCommand): Reply {
  const raw = readField(source, c.offset, c.bits);
  return intReply(c.signed ? BigInt.asIntN(c.bits, raw) : raw);
}

// ---------------------------------------------------------------------------------------
// Declarations (flags, arity and key positions as Redis 7.0's COMMAND INFO)

const base = { group: 'bitmap', acl: ['bitmap'] } as const;
const oneKey = { first: 1, last: 1, step: 1 } as const;

export const bitmapCommands: CommandSpec[] = [
  {
    ...base, name: 'setbit', arity: 4, flags: ['write', 'denyoom'], keys: oneKey, since: '2.2.0',
    summary: 'Sets or clears one bit of a string, growing it with zero bytes as needed; returns the bit it replaced.',
    complexity: 'O(1); O(log N) for strings longer than a few KB, N being their length',
    syntax: 'SETBIT key offset value',
    handler: setbitCommand,
  },
  {
    ...base, name: 'getbit', arity: 3, flags: ['readonly', 'fast'], keys: oneKey, since: '2.2.0',
    summary: 'Returns one bit of a string (0 past its end or for a missing key).',
    complexity: 'O(1)',
    syntax: 'GETBIT key offset',
    handler: getbitCommand,
  },
  {
    ...base, name: 'bitcount', arity: -2, flags: ['readonly'], keys: oneKey, since: '2.6.0',
    summary: 'Counts the bits set to one in a string, or in a range of its bytes or bits.',
    complexity: 'O(N) where N is the number of bytes in the range',
    syntax: 'BITCOUNT key [start end [BYTE | BIT]]',
    handler: bitcountCommand,
  },
  {
    ...base, name: 'bitpos', arity: -3, flags: ['readonly'], keys: oneKey, since: '2.8.7',
    summary: 'Finds the first bit set to one or zero in a string, or in a range of its bytes or bits.',
    complexity: 'O(N) where N is the number of bytes in the range',
    syntax: 'BITPOS key bit [start [end [BYTE | BIT]]]',
    handler: bitposCommand,
  },
  {
    ...base, name: 'bitop', arity: -4, flags: ['write', 'denyoom'], keys: { first: 2, last: -1, step: 1 }, since: '2.6.0',
    summary: 'Stores the bitwise AND, OR, XOR of strings, or the NOT of one, under a destination key; returns its length.',
    complexity: 'O(N) where N is the length of the longest source string',
    syntax: 'BITOP <AND | OR | XOR | NOT> destkey key [key ...]',
    handler: bitopCommand,
  },
  {
    ...base, name: 'bitfield', arity: -2, flags: ['write', 'denyoom'], keys: oneKey, since: '3.2.0',
    summary: 'Reads, writes and increments integer fields of any width up to 64 bits at any bit offset of a string.',
    complexity: 'O(1) for each subcommand',
    syntax: 'BITFIELD key [GET encoding offset | [OVERFLOW <WRAP | SAT | FAIL>] <SET encoding offset value | INCRBY encoding offset increment> ...]',
    handler: (ctx, argv) => bitfieldGeneric(ctx, argv, false),
  },
  {
    ...base, name: 'bitfield_ro', arity: -2, flags: ['readonly', 'fast'], keys: oneKey, since: '6.0.0',
    summary: 'The read-only form of BITFIELD: GET subcommands only.',
    complexity: 'O(1) for each subcommand',
    syntax: 'BITFIELD_RO key [GET encoding offset ...]',
    handler: (ctx, argv) => bitfieldGeneric(ctx, argv, true),
  },
];
