// HyperLogLog as Redis stores it, byte for byte, in a string value (Redis hyperloglog.c), so
// that GET of an HLL built here restores in Redis and the other way round.
//
// Layout: a 16-byte header, "HYLL", one encoding byte (0 dense, 1 sparse), three unused bytes,
// and the cached cardinality as a little-endian uint64 whose top bit marks it stale. Then:
//
// - dense: 16384 registers of 6 bits, packed from the least significant bit of each byte
//   (register r occupies bits 6r..6r+5 of the little-endian bit stream), 12288 bytes;
// - sparse: run-length opcodes. ZERO 00xxxxxx: 1..64 zero registers. XZERO 01xxxxxx yyyyyyyy:
//   1..16384 zero registers. VAL 1vvvvvxx: 1..4 registers of value 1..32.
//
// The sparse form is history dependent: Redis edits it in place (split the opcode that covers
// the register, then merge equal VAL neighbours within a window of five opcodes), so the same
// set of registers can have several encodings. Byte compatibility therefore means doing exactly
// the same edits in the same order, which sparseSet does.
//
// Elements are hashed with MurmurHash64A (seed 0xadc83b19): the low 14 bits pick the register,
// the position of the lowest set bit of the remaining 50 (plus one) is the candidate value.
// The 64-bit arithmetic runs on two 32-bit halves: no BigInt on the PFADD path.
//
// The estimate is Redis 5+'s: Otmar Ertl's improved estimator over the register histogram
// ("New cardinality estimation algorithms for HyperLogLog sketches", arXiv:1702.01284).
import { BYTE_CHARS, latin1FromBytes, PatchedString } from './bits.js';

export const HLL_REGISTERS = 16384;
const HLL_P = 14;
const HLL_Q = 64 - HLL_P;
const HLL_BITS = 6;
const HLL_REGISTER_MAX = 63;
export const HLL_HEADER_BYTES = 16;
export const HLL_DENSE_BYTES = HLL_HEADER_BYTES + (HLL_REGISTERS * HLL_BITS) / 8;
export const HLL_DENSE = 0;
export const HLL_SPARSE = 1;
const ENCODING_BYTE = 4;
const CARD_BYTE = 8;
const CACHE_STALE_BYTE = 15;
const CACHE_STALE_BIT = 0x80;

const SPARSE_VAL_MAX_VALUE = 32;
const SPARSE_VAL_MAX_LEN = 4;
const SPARSE_ZERO_MAX_LEN = 64;
const SPARSE_XZERO_MAX_LEN = 16384;
/** 0.5 / ln(2) */
const ALPHA_INF = 0.72134752044448170368;

// ---------------------------------------------------------------------------------------
// MurmurHash64A on two 32-bit halves

const M_HI = 0xc6a4a793;
const M_LO = 0x5bd1e995;
const SEED = 0xadc83b19;

// Results of mul64 and of the hash, kept in module variables so the hot path allocates nothing.
let productHi = 0;
let productLo = 0;
let hashHi = 0;
let hashLo = 0;

/** (ah:al) * (bh:bl) mod 2^64 into productHi:productLo. */
function mul64(ah: number, al: number, bh: number, bl: number): void {
  const a0 = al & 0xffff;
  const a1 = al >>> 16;
  const b0 = bl & 0xffff;
  const b1 = bl >>> 16;
  const p00 = a0 * b0;
  const p01 = a0 * b1;
  const p10 = a1 * b0;
  const mid = (p00 >>> 16) + (p01 & 0xffff) + (p10 & 0xffff);
  productLo = (((mid & 0xffff) << 16) | (p00 & 0xffff)) >>> 0;
  const lowProductHigh = a1 * b1 + (p01 >>> 16) + (p10 >>> 16) + (mid >>> 16);
  productHi = (lowProductHigh + Math.imul(ah, bl) + Math.imul(al, bh)) >>> 0;
}

/** Mixes one 8-byte block (little endian k = kh:kl) into hashHi:hashLo. */
function mixBlock(kh: number, kl: number): void {
  mul64(kh, kl, M_HI, M_LO);
  kh = productHi;
  kl = (productLo ^ (productHi >>> 15)) >>> 0; // k ^= k >> 47
  mul64(kh, kl, M_HI, M_LO);
  mul64((hashHi ^ productHi) >>> 0, (hashLo ^ productLo) >>> 0, M_HI, M_LO);
  hashHi = productHi;
  hashLo = productLo;
}

function startHash(length: number, seed: number): void {
  mul64(0, length, M_HI, M_LO);
  hashHi = productHi;
  hashLo = (productLo ^ seed) >>> 0;
}

function finishHash(): void {
  mul64(hashHi, (hashLo ^ (hashHi >>> 15)) >>> 0, M_HI, M_LO);
  hashHi = productHi;
  hashLo = (productLo ^ (productHi >>> 15)) >>> 0;
}

/** MurmurHash64A of a latin1 string's bytes; the result is left in hashHi:hashLo. */
function murmurString(data: string, seed: number): void {
  const length = data.length;
  startHash(length, seed);
  const blocks = length - (length & 7);
  let i = 0;
  for (; i < blocks; i += 8) {
    const kl = (data.charCodeAt(i) | (data.charCodeAt(i + 1) << 8) | (data.charCodeAt(i + 2) << 16) | (data.charCodeAt(i + 3) << 24)) >>> 0;
    const kh = (data.charCodeAt(i + 4) | (data.charCodeAt(i + 5) << 8) | (data.charCodeAt(i + 6) << 16) | (data.charCodeAt(i + 7) << 24)) >>> 0;
    mixBlock(kh, kl);
  }
  const rest = length & 7;
  if (rest > 0) {
    let th = 0;
    let tl = 0;
    for (let j = rest - 1; j >= 0; j--) {
      const b = data.charCodeAt(i + j);
      if (j >= 4) th |= b << (8 * (j - 4));
      else tl |= b << (8 * j);
    }
    mul64((hashHi ^ th) >>> 0, (hashLo ^ tl) >>> 0, M_HI, M_LO);
    hashHi = productHi;
    hashLo = productLo;
  }
  finishHash();
}

/** MurmurHash64A of a string's bytes as [high 32 bits, low 32 bits] (tests, debugging). */
export function murmurHash64A(data: string, seed = SEED): [number, number] {
  murmurString(data, seed);
  return [hashHi, hashLo];
}

/** Register index and run length of a hash in hashHi:hashLo, packed as count * 2^14 + index. */
function patternOfHash(): number {
  const index = hashLo & (HLL_REGISTERS - 1);
  // Drop the 14 index bits, then set bit 50 so that the count stops at Q + 1 at most.
  const lo = ((hashLo >>> HLL_P) | (hashHi << (32 - HLL_P))) >>> 0;
  const hi = ((hashHi >>> HLL_P) | (1 << (HLL_Q - 32))) >>> 0;
  const count = lo !== 0 ? trailingZeros(lo) + 1 : trailingZeros(hi) + 33;
  return count * HLL_REGISTERS + index;
}

function trailingZeros(x: number): number {
  return 31 - Math.clz32(x & -x);
}

/** Redis's hllPatLen for an element: count * 16384 + register index. */
export function elementPattern(element: string): number {
  murmurString(element, SEED);
  return patternOfHash();
}

/** The same for an 8-byte little-endian integer element (PFSELFTEST's elements). */
function u64Pattern(hi: number, lo: number): number {
  startHash(8, SEED);
  mixBlock(hi, lo);
  finishHash();
  return patternOfHash();
}

// ---------------------------------------------------------------------------------------
// Header

export function isValidHll(value: string): boolean {
  if (value.length < HLL_HEADER_BYTES) return false;
  if (value.charCodeAt(0) !== 72 || value.charCodeAt(1) !== 89 || value.charCodeAt(2) !== 76 || value.charCodeAt(3) !== 76) return false;
  const encoding = value.charCodeAt(ENCODING_BYTE);
  if (encoding > HLL_SPARSE) return false;
  return encoding !== HLL_DENSE || value.length === HLL_DENSE_BYTES;
}

export function encodingOf(value: string): number {
  return value.charCodeAt(ENCODING_BYTE);
}

/** A new HLL: sparse, every register zero (one XZERO opcode of 16384). */
export const EMPTY_HLL: string = 'HYLL' + BYTE_CHARS[HLL_SPARSE] + '\0'.repeat(11) + sparseXZero(Math.min(HLL_REGISTERS, SPARSE_XZERO_MAX_LEN));

/** The cached cardinality, or null when the cache is marked stale. */
export function cachedCardinality(value: string): number | bigint | null {
  if ((value.charCodeAt(CACHE_STALE_BYTE) & CACHE_STALE_BIT) !== 0) return null;
  let lo = 0;
  let hi = 0;
  for (let i = 3; i >= 0; i--) {
    lo = lo * 256 + value.charCodeAt(CARD_BYTE + i);
    hi = hi * 256 + value.charCodeAt(CARD_BYTE + 4 + i);
  }
  const n = hi * 2 ** 32 + lo;
  return Number.isSafeInteger(n) ? n : (BigInt(hi) << 32n) | BigInt(lo);
}

/** The value with `card` cached in its header (valid: top bit clear). */
export function withCachedCardinality(value: string, card: number): string {
  let bytes = '';
  let rest = card;
  for (let i = 0; i < 8; i++) {
    bytes += BYTE_CHARS[rest % 256]!;
    rest = Math.floor(rest / 256);
  }
  return value.slice(0, CARD_BYTE) + bytes + value.slice(CARD_BYTE + 8);
}

function withStaleCache(value: string): string {
  const b = value.charCodeAt(CACHE_STALE_BYTE);
  if ((b & CACHE_STALE_BIT) !== 0) return value;
  return value.slice(0, CACHE_STALE_BYTE) + BYTE_CHARS[b | CACHE_STALE_BIT]! + value.slice(CACHE_STALE_BYTE + 1);
}

// ---------------------------------------------------------------------------------------
// Dense registers

interface Bytes {
  readonly length: number;
  byteAt(i: number): number;
  setByte(i: number, b: number): void;
}

function denseGet(bytes: Bytes, index: number): number {
  const at = HLL_HEADER_BYTES + ((index * HLL_BITS) >>> 3);
  const fb = (index * HLL_BITS) & 7;
  const b0 = bytes.byteAt(at);
  // The last register reads one byte past the end, where Redis's sds has its terminating zero.
  const b1 = at + 1 < bytes.length ? bytes.byteAt(at + 1) : 0;
  return ((b0 >>> fb) | (b1 << (8 - fb))) & HLL_REGISTER_MAX;
}

function denseSet(bytes: Bytes, index: number, value: number): void {
  const at = HLL_HEADER_BYTES + ((index * HLL_BITS) >>> 3);
  const fb = (index * HLL_BITS) & 7;
  bytes.setByte(at, ((bytes.byteAt(at) & ~(HLL_REGISTER_MAX << fb)) | (value << fb)) & 0xff);
  if (at + 1 < bytes.length) {
    const fb8 = 8 - fb;
    bytes.setByte(at + 1, ((bytes.byteAt(at + 1) & ~(HLL_REGISTER_MAX >>> fb8)) | (value >>> fb8)) & 0xff);
  }
}

/** Uint8Array as Bytes (PFSELFTEST and conversions). */
class ArrayBytes implements Bytes {
  constructor(readonly array: Uint8Array) {}
  get length(): number {
    return this.array.length;
  }
  byteAt(i: number): number {
    return this.array[i]!;
  }
  setByte(i: number, b: number): void {
    this.array[i] = b;
  }
}

/** Packs 16384 one-byte registers into a dense value after the given 16-byte header. */
function denseFromRegisters(header: string, registers: Uint8Array): string {
  const out = new Uint8Array(HLL_DENSE_BYTES);
  for (let i = 0; i < HLL_HEADER_BYTES; i++) out[i] = header.charCodeAt(i);
  out[ENCODING_BYTE] = HLL_DENSE;
  for (let r = 0, at = HLL_HEADER_BYTES; r < HLL_REGISTERS; r += 4, at += 3) {
    const r0 = registers[r]!;
    const r1 = registers[r + 1]!;
    const r2 = registers[r + 2]!;
    const r3 = registers[r + 3]!;
    out[at] = (r0 | (r1 << 6)) & 0xff;
    out[at + 1] = ((r1 >>> 2) | (r2 << 4)) & 0xff;
    out[at + 2] = ((r2 >>> 4) | (r3 << 2)) & 0xff;
  }
  return latin1FromBytes(out);
}

// ---------------------------------------------------------------------------------------
// Sparse opcodes

const isZero = (op: number): boolean => (op & 0xc0) === 0;
const isXZero = (op: number): boolean => (op & 0xc0) === 0x40;
const isVal = (op: number): boolean => (op & 0x80) !== 0;
const zeroLen = (op: number): number => (op & 0x3f) + 1;
const xzeroLen = (op: number, next: number): number => (((op & 0x3f) << 8) | next) + 1;
const valValue = (op: number): number => ((op >>> 2) & 0x1f) + 1;
const valLen = (op: number): number => (op & 0x3) + 1;

function sparseVal(value: number, length: number): string {
  return BYTE_CHARS[(((value - 1) << 2) | (length - 1)) | 0x80]!;
}

function sparseZero(length: number): string {
  return BYTE_CHARS[length - 1]!;
}

function sparseXZero(length: number): string {
  const l = length - 1;
  return BYTE_CHARS[(l >>> 8) | 0x40]! + BYTE_CHARS[l & 0xff]!;
}

/** A zero run as ZERO or XZERO, as Redis writes the parts of a split opcode. */
function zeroRun(length: number): string {
  return length > SPARSE_ZERO_MAX_LEN ? sparseXZero(length) : sparseZero(length);
}

/** Reads the byte at i of a sparse value; past the end reads zero (sds's terminator). */
function byteOr0(s: string, i: number): number {
  return i < s.length ? s.charCodeAt(i) : 0;
}

/** Walks the opcodes of a sparse value; false when the runs do not cover exactly 16384 registers. */
/**
 * Walks the runs of a sparse value. `strict` (PFMERGE, as redis-server 7.0.15 with its HLL
 * hardening) treats a value run that overshoots the registers as corruption; the other walkers
 * stop there and judge by the final count.
 */
function forEachRun(s: string, visit: (first: number, length: number, value: number) => boolean, strict = false): boolean {
  let index = 0;
  for (let p = HLL_HEADER_BYTES; p < s.length; ) {
    const op = s.charCodeAt(p);
    if (isZero(op)) {
      const n = zeroLen(op);
      index += n;
      p++;
    } else if (isXZero(op)) {
      const n = xzeroLen(op, byteOr0(s, p + 1));
      index += n;
      p += 2;
    } else {
      const n = valLen(op);
      // Zero runs may overshoot (caught at the end); a value run past the end stops the walk.
      if (index + n > HLL_REGISTERS) {
        if (strict) return false;
        break;
      }
      if (!visit(index, n, valValue(op))) return false;
      index += n;
      p++;
    }
  }
  return index === HLL_REGISTERS;
}

/** Sparse to dense (Redis hllSparseToDense): null when the sparse runs are corrupt. */
export function sparseToDense(s: string): string | null {
  const registers = new Uint8Array(HLL_REGISTERS);
  const ok = forEachRun(s, (first, length, value) => {
    registers.fill(value, first, first + length);
    return true;
  });
  return ok ? denseFromRegisters(s, registers) : null;
}

/** The outcome of one sparse register update. */
const enum SparseOutcome {
  Unchanged,
  Updated,
  Corrupt,
  /** The value or the new length does not fit the sparse form: convert to dense, then set. */
  Promote,
}

/**
 * Raises register `index` to `count` in a sparse value, as Redis's hllSparseSet edits it in
 * place: find the opcode covering the register, replace it by up to three opcodes (the run
 * before, the new VAL, the run after), then merge equal adjacent VALs near the edit.
 */
function sparseSet(s: string, index: number, count: number, maxBytes: number): { outcome: SparseOutcome; value: string } {
  if (count > SPARSE_VAL_MAX_VALUE) return { outcome: SparseOutcome.Promote, value: s };
  let end = s.length;
  let p = HLL_HEADER_BYTES;
  let prev = -1;
  let first = 0;
  let span = 0;
  while (p < end) {
    const op = s.charCodeAt(p);
    let oplen = 1;
    if (isZero(op)) span = zeroLen(op);
    else if (isVal(op)) span = valLen(op);
    else {
      span = xzeroLen(op, byteOr0(s, p + 1));
      oplen = 2;
    }
    if (index <= first + span - 1) break;
    prev = p;
    p += oplen;
    first += span;
  }
  if (span === 0 || p >= end) return { outcome: SparseOutcome.Corrupt, value: s };

  const op = s.charCodeAt(p);
  const last = first + span - 1;
  let seq: string;
  if (isVal(op)) {
    const current = valValue(op);
    if (current >= count) return { outcome: SparseOutcome.Unchanged, value: s };
    const runlen = valLen(op);
    if (runlen === 1) {
      seq = sparseVal(count, 1);
    } else {
      seq = (index !== first ? sparseVal(current, index - first) : '') + sparseVal(count, 1) + (index !== last ? sparseVal(current, last - index) : '');
    }
  } else if (isZero(op) && zeroLen(op) === 1) {
    seq = sparseVal(count, 1);
  } else {
    seq = (index !== first ? zeroRun(index - first) : '') + sparseVal(count, 1) + (index !== last ? zeroRun(last - index) : '');
  }

  // The trivial in-place cases replace one byte with one byte: nothing moves.
  const oldlen = isXZero(op) ? 2 : 1;
  const delta = seq.length - oldlen;
  if (delta > 0 && s.length + delta > maxBytes) return { outcome: SparseOutcome.Promote, value: s };
  // Redis moves the tail and adjusts the length by delta; for a truncated final XZERO the
  // length, not the bytes written, decides what remains, hence the final slice.
  s = (s.slice(0, p) + seq + s.slice(p + oldlen)).slice(0, s.length + delta);
  end += delta;

  // Merge adjacent VALs with the same value, scanning at most five opcodes from the previous one.
  p = prev >= 0 ? prev : HLL_HEADER_BYTES;
  for (let scan = 5; p < end && scan > 0; scan--) {
    const here = s.charCodeAt(p);
    if (isXZero(here)) {
      p += 2;
      continue;
    }
    if (isZero(here)) {
      p++;
      continue;
    }
    if (p + 1 < end && isVal(s.charCodeAt(p + 1))) {
      const next = s.charCodeAt(p + 1);
      const v = valValue(here);
      const merged = valLen(here) + valLen(next);
      if (v === valValue(next) && merged <= SPARSE_VAL_MAX_LEN) {
        s = s.slice(0, p) + sparseVal(v, merged) + s.slice(p + 2);
        end--;
        continue; // try again from the same place: the merged run may merge to the right too
      }
    }
    p++;
  }
  return { outcome: SparseOutcome.Updated, value: withStaleCache(s) };
}

// ---------------------------------------------------------------------------------------
// Editing a value

/** Set result: the register changed, did not need to, or the sparse form is corrupt. */
export const enum SetResult {
  Unchanged = 0,
  Changed = 1,
  Corrupt = -1,
}

/**
 * One command's edits of an HLL value (validated with isValidHll). Sparse values are rewritten
 * per edit (they are small); dense ones collect byte patches applied in one copy by value().
 */
export class HllEditor {
  private sparse: string | null;
  private dense: PatchedString | null;

  constructor(
    value: string,
    private readonly sparseMaxBytes: number,
  ) {
    const isDense = encodingOf(value) === HLL_DENSE;
    this.sparse = isDense ? null : value;
    this.dense = isDense ? new PatchedString(value) : null;
  }

  get isDense(): boolean {
    return this.dense !== null;
  }

  add(element: string): SetResult {
    const pattern = elementPattern(element);
    return this.set(pattern % HLL_REGISTERS, Math.floor(pattern / HLL_REGISTERS));
  }

  /** Raises a register to `count` when it is lower (Redis hllSparseSet / hllDenseSet). */
  set(index: number, count: number): SetResult {
    if (this.dense !== null) return setDense(this.dense, index, count);
    const r = sparseSet(this.sparse!, index, count, this.sparseMaxBytes);
    switch (r.outcome) {
      case SparseOutcome.Unchanged:
        return SetResult.Unchanged;
      case SparseOutcome.Updated:
        this.sparse = r.value;
        return SetResult.Changed;
      case SparseOutcome.Corrupt:
        return SetResult.Corrupt;
      case SparseOutcome.Promote:
        if (!this.toDense()) return SetResult.Corrupt;
        // A promotion only happens for a register that must change: the dense set succeeds.
        return setDense(this.dense!, index, count);
    }
  }

  /** Converts to the dense form; false when the sparse form is corrupt. */
  toDense(): boolean {
    if (this.dense !== null) return true;
    const dense = sparseToDense(this.sparse!);
    if (dense === null) return false;
    this.dense = new PatchedString(dense);
    this.sparse = null;
    return true;
  }

  /** The edited value, with the cached cardinality marked stale when `stale` is set. */
  value(stale: boolean): string {
    const v = this.dense !== null ? this.dense.value() : this.sparse!;
    return stale ? withStaleCache(v) : v;
  }
}

function setDense(bytes: Bytes, index: number, count: number): SetResult {
  if (denseGet(bytes, index) >= count) return SetResult.Unchanged;
  denseSet(bytes, index, count);
  return SetResult.Changed;
}

// ---------------------------------------------------------------------------------------
// Registers, merges and the estimate

/**
 * Raises `max` to the registers of an HLL value (Redis hllMerge); false when a sparse value
 * is corrupt (its runs do not cover exactly 16384 registers).
 */
export function mergeInto(max: Uint8Array, value: string): boolean {
  if (encodingOf(value) === HLL_DENSE) {
    for (let r = 0, at = HLL_HEADER_BYTES; r < HLL_REGISTERS; r += 4, at += 3) {
      const b0 = value.charCodeAt(at);
      const b1 = value.charCodeAt(at + 1);
      const b2 = value.charCodeAt(at + 2);
      raise(max, r, b0 & 63);
      raise(max, r + 1, ((b0 >>> 6) | (b1 << 2)) & 63);
      raise(max, r + 2, ((b1 >>> 4) | (b2 << 4)) & 63);
      raise(max, r + 3, b2 >>> 2);
    }
    return true;
  }
  return forEachRun(value, (first, length, v) => {
    for (let r = first; r < first + length; r++) raise(max, r, v);
    return true;
  }, true);
}

function raise(max: Uint8Array, r: number, v: number): void {
  if (v > max[r]!) max[r] = v;
}

/** The registers of a value as one byte each (PFMERGE needs the destination's). */
export function registersOf(value: string): Uint8Array | null {
  const registers = new Uint8Array(HLL_REGISTERS);
  return mergeInto(registers, value) ? registers : null;
}

/**
 * The value after PFMERGE raised its registers to `max` (which already includes the value's
 * own registers): Redis sets each non-zero register in order, on the sparse form until it
 * must turn dense. Dense results are exactly `max` under the old header.
 */
export function mergedValue(value: string, max: Uint8Array, toDense: boolean, sparseMaxBytes: number): string | null {
  let current = value;
  if (encodingOf(current) === HLL_SPARSE && !toDense) {
    const own = registersOf(current);
    if (own === null) return null;
    for (let r = 0; r < HLL_REGISTERS; r++) {
      // Registers already at the maximum are left alone by hllSparseSet: skip the walk.
      if (max[r] === 0 || own[r]! >= max[r]!) continue;
      const step = sparseSet(current, r, max[r]!, sparseMaxBytes);
      if (step.outcome === SparseOutcome.Updated) current = step.value;
      else if (step.outcome === SparseOutcome.Promote) return withStaleCache(denseFromRegisters(current, max));
      else if (step.outcome === SparseOutcome.Corrupt) return null;
    }
    return withStaleCache(current);
  }
  // The caller merged this value into `max` already, which validated a sparse form.
  return withStaleCache(denseFromRegisters(current, max));
}

/** The register histogram of a value; null when a sparse value is corrupt. */
function histogramOf(value: string): Float64Array | null {
  const histo = new Float64Array(64);
  if (encodingOf(value) === HLL_DENSE) {
    for (let at = HLL_HEADER_BYTES; at < HLL_DENSE_BYTES; at += 3) {
      const b0 = value.charCodeAt(at);
      const b1 = value.charCodeAt(at + 1);
      const b2 = value.charCodeAt(at + 2);
      histo[b0 & 63]!++;
      histo[((b0 >>> 6) | (b1 << 2)) & 63]!++;
      histo[((b1 >>> 4) | (b2 << 4)) & 63]!++;
      histo[b2 >>> 2]!++;
    }
    return histo;
  }
  // Unlike merges, Redis's sparse histogram walks every opcode and only checks the total.
  let index = 0;
  for (let p = HLL_HEADER_BYTES; p < value.length; ) {
    const op = value.charCodeAt(p);
    if (isZero(op)) {
      const n = zeroLen(op);
      histo[0]! += n;
      index += n;
      p++;
    } else if (isXZero(op)) {
      const n = xzeroLen(op, byteOr0(value, p + 1));
      histo[0]! += n;
      index += n;
      p += 2;
    } else {
      const n = valLen(op);
      histo[valValue(op)]! += n;
      index += n;
      p++;
    }
  }
  return index === HLL_REGISTERS ? histo : null;
}

/** The cardinality estimate of one HLL value; null when it is corrupt. */
export function countOf(value: string): number | null {
  const histo = histogramOf(value);
  return histo === null ? null : estimate(histo);
}

/** The cardinality estimate of one-byte registers (PFCOUNT of several keys). */
export function countRegisters(registers: Uint8Array): number {
  const histo = new Float64Array(64);
  for (let r = 0; r < HLL_REGISTERS; r++) histo[registers[r]!]!++;
  return estimate(histo);
}

function estimate(histo: Float64Array): number {
  const m = HLL_REGISTERS;
  let z = m * tau((m - histo[HLL_Q + 1]!) / m);
  for (let j = HLL_Q; j >= 1; j--) {
    z += histo[j]!;
    z *= 0.5;
  }
  z += m * sigma(histo[0]! / m);
  // llroundl: halves away from zero; the operand is positive, where Math.round agrees.
  return Math.round((ALPHA_INF * m * m) / z);
}

function sigma(x: number): number {
  if (x === 1) return Infinity;
  let zPrime: number;
  let y = 1;
  let z = x;
  do {
    x *= x;
    zPrime = z;
    z += x * y;
    y += y;
  } while (zPrime !== z);
  return z;
}

function tau(x: number): number {
  if (x === 0 || x === 1) return 0;
  let zPrime: number;
  let y = 1.0;
  let z = 1 - x;
  do {
    x = Math.sqrt(x);
    zPrime = z;
    y *= 0.5;
    z -= (1 - x) * (1 - x) * y; // pow(1 - x, 2): compilers emit the exact square
  } while (zPrime !== z);
  return z / 3;
}

// ---------------------------------------------------------------------------------------
// PFDEBUG DECODE and PFSELFTEST

/** The opcodes of a sparse value as Redis's PFDEBUG DECODE prints them. */
export function decodeSparse(s: string): string {
  const parts: string[] = [];
  for (let p = HLL_HEADER_BYTES; p < s.length; ) {
    const op = s.charCodeAt(p);
    if (isZero(op)) {
      parts.push(`z:${zeroLen(op)}`);
      p++;
    } else if (isXZero(op)) {
      parts.push(`Z:${xzeroLen(op, byteOr0(s, p + 1))}`);
      p += 2;
    } else {
      parts.push(`v:${valValue(op)},${valLen(op)}`);
      p++;
    }
  }
  return parts.join(' ');
}

/** The 16384 registers of a dense value. */
export function denseRegisters(value: string): number[] {
  const bytes = new PatchedString(value);
  const out: number[] = new Array(HLL_REGISTERS);
  for (let r = 0; r < HLL_REGISTERS; r++) out[r] = denseGet(bytes, r);
  return out;
}

/**
 * Redis's PFSELFTEST: (1) random register values survive a set/get round trip without
 * disturbing neighbours; (2) adding unique elements to a dense HLL and to an HLL that starts
 * sparse keeps both estimates equal and within a few standard errors. Returns null on success
 * or the failure text. `random` supplies 32-bit random numbers.
 */
export function selfTest(random: () => number, sparseMaxBytes: number, cycles = 1000, elements = 10_000_000): string | null {
  const dense = new ArrayBytes(new Uint8Array(HLL_DENSE_BYTES));
  const expected = new Uint8Array(HLL_REGISTERS);
  for (let cycle = 0; cycle < cycles; cycle++) {
    for (let r = 0; r < HLL_REGISTERS; r++) {
      const v = random() & HLL_REGISTER_MAX;
      expected[r] = v;
      denseSet(dense, r, v);
    }
    for (let r = 0; r < HLL_REGISTERS; r++) {
      const got = denseGet(dense, r);
      if (got !== expected[r]) return `TESTFAILED Register ${r} should be ${expected[r]} but is ${got}`;
    }
  }

  dense.array.fill(0, HLL_HEADER_BYTES);
  const grown = new HllEditor(EMPTY_HLL, sparseMaxBytes);
  const relativeError = 1.04 / Math.sqrt(HLL_REGISTERS);
  const seedLo = random();
  const seedHi = random();
  let checkpoint = 1;
  for (let j = 1; j <= elements; j++) {
    // The element is the 8 bytes of j ^ seed; j stays below 2^32.
    const lo = (j ^ seedLo) >>> 0;
    const pattern = u64Pattern(seedHi, lo);
    const index = pattern % HLL_REGISTERS;
    const count = Math.floor(pattern / HLL_REGISTERS);
    setDense(dense, index, count);
    grown.set(index, count);
    if (j !== checkpoint) continue;
    if (j < sparseMaxBytes / 2 && grown.isDense) return 'TESTFAILED sparse encoding not used';
    const denseCount = countOf(latin1FromBytes(dense.array))!;
    if (denseCount !== countOf(grown.value(false))) return 'TESTFAILED dense/sparse disagree';
    let maxError = Math.ceil(relativeError * 6 * checkpoint);
    // Collisions make cardinality 10 noisy: Redis allows an error of 1 there.
    if (j === 10) maxError = 1;
    const absError = Math.abs(checkpoint - denseCount);
    if (absError > maxError) return `TESTFAILED Too big error. card:${checkpoint} abserr:${absError}`;
    checkpoint *= 10;
  }
  return null;
}
