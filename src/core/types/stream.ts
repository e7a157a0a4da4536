// Streams, as Redis 7.0 keeps them (t_stream.c): entries in ID order, consumer groups with their
// pending entries lists (PELs), and the counters XINFO reports (entries-added, max-deleted-entry-id,
// recorded-first-entry-id, entries-read and lag).
//
// Entries. Redis stores a stream as a radix tree of listpacks: each tree key is the 128-bit ID of
// the first entry of its listpack ("master entry"), and a listpack holds up to
// stream-node-max-entries entries or stream-node-max-bytes bytes. We keep the same shape: an
// array of nodes in ID order, each with up to N entries in parallel arrays, found by binary search
// over the nodes' first IDs and then within the node. So seeking to any ID is O(log n), appending
// is O(1) amortised (push on the last node, or a new node), and a node is removed with a splice of
// the node array (n/N pointers, never the entries themselves).
//
// Deletion works as in Redis: XDEL and trimming inside a node only mark entries deleted
// (tombstones keep their ID, their fields are dropped); a node whose last live entry is deleted
// by XDEL is freed, and trimming drops whole nodes from the head. Approximate trimming (~) only
// drops whole nodes, so where node boundaries fall decides what it removes. To remove exactly what
// Redis removes, each node tracks the size in bytes its listpack would have in Redis (the integer
// and string encodings of listpack.c): Redis opens a new node when the tail listpack would reach
// stream-node-max-bytes, so ours do too, and XINFO's radix-tree-keys matches. radix-tree-nodes is
// the node count of the compressed radix tree over the nodes' 16-byte keys, computed as rax builds
// it.
//
// IDs. An ID is two unsigned 64-bit numbers (ms, seq), and a client may use any of them
// (XADD 18446744073709551615-5). Each half is a JS number while it is at most 2^53-1 and a bigint
// beyond: the common IDs (ms from a clock, small seq) stay plain numbers, cheap to store and
// compare, while large ones stay exact. A value has exactly one form, so === is equality, and
// JavaScript's < and > compare a number with a bigint exactly, so ordering needs no conversion.
//
// Consumer groups and PELs: every pending entry is one object, referenced from the group's PEL and
// from its consumer's PEL, both ordered by ID (IdIndex: chunked sorted arrays, O(log n) lookup,
// insert and delete). Groups and consumers are iterated in name order (bytes), as Redis's rax.
import { walkBytes } from '../memory.js';
import type { Entry } from '../keyspace.js';
import { streamLimits } from '../limits.js';
import { parseI64, parseSmallInt } from '../numbers.js';
import { MalformedPayload, type PayloadReader, type PayloadWriter } from '../payload.js';
import type { TypeOps } from './registry.js';

// ---------------------------------------------------------------------------------------------
// 64-bit integers: a number when it is a safe integer, a bigint otherwise (one form per value)

/** An unsigned 64-bit integer (an ID half, a delivery count). */
export type U64 = number | bigint;
/** A signed 64-bit integer (entries-added, entries-read: -1 means unknown). */
export type I64 = number | bigint;

export const U64_MAX = 0xffff_ffff_ffff_ffffn;
const TWO_64 = 0x1_0000_0000_0000_0000n;
const INT64_MAX = 0x7fff_ffff_ffff_ffffn;
const SAFE_MAX = Number.MAX_SAFE_INTEGER;
const SAFE_MAX_BIG = BigInt(SAFE_MAX);

/** The canonical form of a 64-bit value given as a bigint. */
export function canonical(v: bigint): U64 {
  return v <= SAFE_MAX_BIG && v >= -SAFE_MAX_BIG ? Number(v) : v;
}

/** v + 1, or null when v is 2^64-1. */
export function incU64(v: U64): U64 | null {
  if (typeof v === 'number') return v < SAFE_MAX ? v + 1 : SAFE_MAX_BIG + 1n;
  return v === U64_MAX ? null : v + 1n;
}

/** v - 1, or null when v is 0. */
export function decU64(v: U64): U64 | null {
  if (typeof v === 'number') return v > 0 ? v - 1 : null;
  return canonical(v - 1n);
}

/** a + n for signed counters (entries-added and entries-read stay far below 2^63 in practice). */
export function addI64(a: I64, n: number): I64 {
  if (typeof a === 'number') {
    const r = a + n;
    return Number.isSafeInteger(r) ? r : canonical(BigInt(a) + BigInt(n));
  }
  return canonical(a + BigInt(n));
}

/** a - b for signed counters, exact. */
export function subI64(a: I64, b: I64): I64 {
  if (typeof a === 'number' && typeof b === 'number') {
    const r = a - b;
    if (Number.isSafeInteger(r)) return r;
  }
  return canonical(BigInt(a) - BigInt(b));
}

/** An unsigned 64-bit count as Redis prints it with addReplyLongLong (>= 2^63 wraps negative). */
export function u64AsSigned(v: U64): I64 {
  if (typeof v === 'number') return v;
  return v > INT64_MAX ? canonical(v - TWO_64) : v;
}

/** A delivery counter incremented as Redis's uint64_t, wrapping at 2^64. */
function incCount(v: U64): U64 {
  return incU64(v) ?? 0;
}

/**
 * Redis's string2ull: a strict int64 first (string2ll; a negative one is refused), otherwise C's
 * strtoull, which also takes leading blanks, a '+' or '-' sign (a negated value wraps modulo 2^64)
 * and leading zeros, and refuses values above 2^64-1.
 */
export function parseU64(s: string): U64 | null {
  const small = parseSmallInt(s);
  if (small !== null) {
    if (small !== undefined) return small < 0 ? null : small;
    const big = parseI64(s)!;
    return big < 0n ? null : canonical(big);
  }
  let i = 0;
  while (i < s.length && isCSpace(s.charCodeAt(i))) i++;
  let negative = false;
  if (i < s.length && (s[i] === '+' || s[i] === '-')) {
    negative = s[i] === '-';
    i++;
  }
  const digitsAt = i;
  while (i < s.length && s.charCodeAt(i) >= 48 && s.charCodeAt(i) <= 57) i++;
  if (i === digitsAt || i !== s.length) return null; // no digits, or junk after them
  const magnitude = BigInt(s.slice(digitsAt));
  if (magnitude > U64_MAX) return null; // ERANGE
  return canonical(negative ? (TWO_64 - magnitude) % TWO_64 : magnitude);
}

function isCSpace(c: number): boolean {
  return c === 32 || (c >= 9 && c <= 13);
}

// ---------------------------------------------------------------------------------------------
// Stream IDs

export class StreamId {
  constructor(
    readonly ms: U64,
    readonly seq: U64,
  ) {}

  toString(): string {
    return `${this.ms}-${this.seq}`;
  }
}

export const ZERO_ID = new StreamId(0, 0);
export const MAX_ID = new StreamId(U64_MAX, U64_MAX);

export function compareIds(a: StreamId, b: StreamId): number {
  return compareParts(a.ms, a.seq, b.ms, b.seq);
}

export function compareParts(ams: U64, aseq: U64, bms: U64, bseq: U64): number {
  if (ams !== bms) return ams < bms ? -1 : 1;
  if (aseq !== bseq) return aseq < bseq ? -1 : 1;
  return 0;
}

export function isZeroId(id: StreamId): boolean {
  return id.ms === 0 && id.seq === 0;
}

/** The ID right after `id`, or null when `id` is the largest (Redis streamIncrID fails). */
export function nextId(id: StreamId): StreamId | null {
  const seq = incU64(id.seq);
  if (seq !== null) return new StreamId(id.ms, seq);
  const ms = incU64(id.ms);
  return ms === null ? null : new StreamId(ms, 0);
}

/** The ID right before `id`, or null when `id` is 0-0 (Redis streamDecrID fails). */
export function prevId(id: StreamId): StreamId | null {
  const seq = decU64(id.seq);
  if (seq !== null) return new StreamId(id.ms, seq);
  const ms = decU64(id.ms);
  return ms === null ? null : new StreamId(ms, U64_MAX);
}

/** A parsed ID argument; seqGiven is false for the "ms-*" form XADD accepts. */
export interface ParsedId {
  readonly id: StreamId;
  readonly seqGiven: boolean;
}

/**
 * Parses an ID argument as Redis's streamGenericParseIDOrReply: "-" and "+" (unless strict),
 * "ms" (the sequence is then `missingSeq`), "ms-seq", and "ms-*" when allowed. Redis copies the
 * argument into a 128-byte C buffer, so longer ones are invalid and a NUL byte ends it.
 */
export function parseIdArg(arg: string, missingSeq: U64, strict: boolean, allowSeqStar = false): ParsedId | null {
  if (arg.length > 127) return null;
  const nul = arg.indexOf('\0');
  const text = nul < 0 ? arg : arg.slice(0, nul);
  if (text === '-' || text === '+') {
    if (strict) return null;
    return { id: text === '-' ? ZERO_ID : MAX_ID, seqGiven: true };
  }
  const dash = text.indexOf('-');
  const ms = parseU64(dash < 0 ? text : text.slice(0, dash));
  if (ms === null) return null;
  if (dash < 0) return { id: new StreamId(ms, missingSeq), seqGiven: true };
  const seqText = text.slice(dash + 1);
  if (allowSeqStar && seqText === '*') return { id: new StreamId(ms, 0), seqGiven: false };
  const seq = parseU64(seqText);
  return seq === null ? null : { id: new StreamId(ms, seq), seqGiven: true };
}

// ---------------------------------------------------------------------------------------------
// Listpack sizes (Redis listpack.c), to split nodes exactly where Redis does

const LP_HEADER_AND_END = 6 + 1;

/** Bytes of an integer element (encoding plus its one-byte back-length). */
function lpIntBytes(v: number | bigint): number {
  if (typeof v === 'bigint') return 10; // only values beyond ±2^53 are bigints
  if (v >= 0 && v <= 127) return 2;
  if (v >= -4096 && v <= 4095) return 3;
  if (v >= -32768 && v <= 32767) return 4;
  if (v >= -8388608 && v <= 8388607) return 5;
  if (v >= -2147483648 && v <= 2147483647) return 6;
  return 10;
}

/** Bytes of a string element: a canonical int64 text is stored as an integer, as lpAppend does. */
function lpStringBytes(s: string): number {
  if (s.length <= 20) {
    const n = parseSmallInt(s);
    if (n !== null) return n === undefined ? 10 : lpIntBytes(n);
  }
  const len = s.length;
  const enc = len < 64 ? 1 + len : len < 4096 ? 2 + len : 5 + len;
  return enc + lpBacklenBytes(enc);
}

function lpBacklenBytes(l: number): number {
  if (l <= 127) return 1;
  if (l < 16383) return 2;
  if (l < 2097151) return 3;
  if (l < 268435455) return 4;
  return 5;
}

/** a - b of two ID halves as the int64 Redis stores (uint64 subtraction, then signed). */
function deltaBytes(a: U64, b: U64): number {
  if (typeof a === 'number' && typeof b === 'number') return lpIntBytes(a - b);
  let d = (BigInt(a) - BigInt(b) + TWO_64) % TWO_64;
  if (d > INT64_MAX) d -= TWO_64;
  return lpIntBytes(canonical(d));
}

/** The master entry's bytes apart from its two counters: field count, fields, terminator. */
function masterBytes(fields: readonly string[]): number {
  let n = lpIntBytes(fields.length) + lpIntBytes(0);
  for (const f of fields) n += lpStringBytes(f);
  return n;
}

// ---------------------------------------------------------------------------------------------
// Nodes

/** Up to stream-node-max-entries entries (live or deleted), in ID order. */
export class StreamNode {
  readonly ms: U64[] = [];
  readonly seq: U64[] = [];
  /** Field/value pairs per entry, flat; null marks a deleted entry (tombstone). */
  readonly data: Array<string[] | null> = [];
  /** Live (not deleted) entries. */
  live = 0;
  /** The listpack's bytes apart from header, end byte and the live/deleted counters. */
  bodyBytes: number;

  constructor(readonly masterFields: readonly string[]) {
    this.bodyBytes = masterBytes(masterFields);
  }

  get slots(): number {
    return this.ms.length;
  }

  get deleted(): number {
    return this.ms.length - this.live;
  }

  /** What lpBytes() would answer for this node's listpack in Redis. */
  get listpackBytes(): number {
    return LP_HEADER_AND_END + lpIntBytes(this.live) + lpIntBytes(this.deleted) + this.bodyBytes;
  }

  /** First slot >= (ms, seq), or slots when none. */
  lowerBound(ms: U64, seq: U64): number {
    let lo = 0;
    let hi = this.ms.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (compareParts(this.ms[mid]!, this.seq[mid]!, ms, seq) < 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** First slot > (ms, seq), or slots when none. */
  upperBound(ms: U64, seq: U64): number {
    let lo = 0;
    let hi = this.ms.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (compareParts(this.ms[mid]!, this.seq[mid]!, ms, seq) <= 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  idAt(slot: number): StreamId {
    return new StreamId(this.ms[slot]!, this.seq[slot]!);
  }

  /** Appends an entry; `pairs` is flat field/value. Returns nothing: the caller counts length. */
  push(id: StreamId, pairs: string[]): void {
    const sameFields = sameAsMaster(this.masterFields, pairs);
    // Entries with the master's fields share its field strings (Redis omits them altogether).
    if (sameFields) for (let i = 0; i < this.masterFields.length; i++) pairs[2 * i] = this.masterFields[i]!;
    this.bodyBytes += entryBytes(this, id, pairs, sameFields);
    this.ms.push(id.ms);
    this.seq.push(id.seq);
    this.data.push(pairs);
    this.live++;
  }

  /** Marks a live slot deleted; its ID and its listpack bytes stay, as in Redis. */
  markDeleted(slot: number): void {
    this.data[slot] = null;
    this.live--;
  }
}

function sameAsMaster(master: readonly string[], pairs: readonly string[]): boolean {
  if (pairs.length !== master.length * 2) return false;
  for (let i = 0; i < master.length; i++) if (pairs[2 * i] !== master[i]) return false;
  return true;
}

/** The listpack bytes of one entry: flags, ID deltas, [field count, fields], values, lp-count. */
function entryBytes(node: StreamNode, id: StreamId, pairs: readonly string[], sameFields: boolean): number {
  const fieldCount = pairs.length / 2;
  const masterMs = node.ms.length > 0 ? node.ms[0]! : id.ms;
  const masterSeq = node.seq.length > 0 ? node.seq[0]! : id.seq;
  let n = lpIntBytes(sameFields ? 2 : 0) + deltaBytes(id.ms, masterMs) + deltaBytes(id.seq, masterSeq);
  if (!sameFields) n += lpIntBytes(fieldCount);
  for (let i = 0; i < pairs.length; i += 2) {
    if (!sameFields) n += lpStringBytes(pairs[i]!);
    n += lpStringBytes(pairs[i + 1]!);
  }
  const lpCount = sameFields ? fieldCount + 3 : fieldCount * 2 + 4;
  return n + lpIntBytes(lpCount);
}

// ---------------------------------------------------------------------------------------------
// Ordered index by ID (PELs): chunked sorted arrays

const CHUNK_MAX = 128;
const CHUNK_MERGE_BELOW = 32;

/** Values ordered by their `id`, with O(log n) lookup, insert and delete. */
export class IdIndex<V extends { readonly id: StreamId }> {
  private chunks: V[][] = [];
  private count = 0;

  get size(): number {
    return this.count;
  }

  /** Index of the last chunk whose first ID is <= id (0 when id precedes everything). */
  private chunkFor(id: StreamId): number {
    let lo = 0;
    let hi = this.chunks.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (compareIds(this.chunks[mid]![0]!.id, id) <= 0) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  /** First position in a chunk with ID >= id. */
  private static position<V extends { readonly id: StreamId }>(chunk: V[], id: StreamId): number {
    let lo = 0;
    let hi = chunk.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (compareIds(chunk[mid]!.id, id) < 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  get(id: StreamId): V | undefined {
    if (this.count === 0) return undefined;
    const chunk = this.chunks[this.chunkFor(id)]!;
    const at = IdIndex.position(chunk, id);
    const v = chunk[at];
    return v !== undefined && compareIds(v.id, id) === 0 ? v : undefined;
  }

  /** Inserts a value whose ID is not present yet. */
  insert(v: V): void {
    this.count++;
    if (this.chunks.length === 0) {
      this.chunks.push([v]);
      return;
    }
    const ci = this.chunkFor(v.id);
    const chunk = this.chunks[ci]!;
    const at = IdIndex.position(chunk, v.id);
    if (at === chunk.length && ci === this.chunks.length - 1 && chunk.length >= CHUNK_MAX) {
      this.chunks.push([v]); // appending in ID order fills chunks completely
      return;
    }
    chunk.splice(at, 0, v);
    if (chunk.length > CHUNK_MAX) this.chunks.splice(ci + 1, 0, chunk.splice(CHUNK_MAX >> 1));
  }

  /** Removes and returns the value with this ID, if present. */
  remove(id: StreamId): V | undefined {
    if (this.count === 0) return undefined;
    const ci = this.chunkFor(id);
    const chunk = this.chunks[ci]!;
    const at = IdIndex.position(chunk, id);
    const v = chunk[at];
    if (v === undefined || compareIds(v.id, id) !== 0) return undefined;
    chunk.splice(at, 1);
    this.count--;
    if (chunk.length === 0) this.chunks.splice(ci, 1);
    else if (chunk.length < CHUNK_MERGE_BELOW) this.mergeSmall(ci);
    return v;
  }

  /** Keeps chunks from thinning out: a small chunk joins a neighbour when both fit in one. */
  private mergeSmall(ci: number): void {
    const chunk = this.chunks[ci]!;
    const next = this.chunks[ci + 1];
    if (next !== undefined && chunk.length + next.length <= CHUNK_MAX) {
      chunk.push(...next);
      this.chunks.splice(ci + 1, 1);
      return;
    }
    const prev = this.chunks[ci - 1];
    if (prev !== undefined && chunk.length + prev.length <= CHUNK_MAX) {
      prev.push(...chunk);
      this.chunks.splice(ci, 1);
    }
  }

  first(): V | undefined {
    return this.chunks[0]?.[0];
  }

  last(): V | undefined {
    const chunk = this.chunks[this.chunks.length - 1];
    return chunk?.[chunk.length - 1];
  }

  /** Visits values with ID >= start in order while `visit` returns true. Do not change the index meanwhile. */
  forEachFrom(start: StreamId, visit: (v: V) => boolean): void {
    if (this.count === 0) return;
    let ci = this.chunkFor(start);
    let at = IdIndex.position(this.chunks[ci]!, start);
    for (; ci < this.chunks.length; ci++, at = 0) {
      const chunk = this.chunks[ci]!;
      for (; at < chunk.length; at++) if (!visit(chunk[at]!)) return;
    }
  }

  /** Up to `limit` values with ID >= start, in order. */
  collectFrom(start: StreamId, limit: number): V[] {
    const out: V[] = [];
    if (limit <= 0) return out;
    this.forEachFrom(start, (v) => {
      out.push(v);
      return out.length < limit;
    });
    return out;
  }

  /** The first value with ID > id. */
  firstAfter(id: StreamId): V | undefined {
    let found: V | undefined;
    this.forEachFrom(id, (v) => {
      if (compareIds(v.id, id) === 0) return true;
      found = v;
      return false;
    });
    return found;
  }

  values(): V[] {
    const out: V[] = [];
    for (const chunk of this.chunks) for (const v of chunk) out.push(v);
    return out;
  }
}

// ---------------------------------------------------------------------------------------------
// Consumer groups

/** A delivered, not yet acknowledged entry (Redis streamNACK). */
export class PendingEntry {
  constructor(
    readonly id: StreamId,
    public consumer: Consumer,
    /** When it was last delivered, ms since the epoch. */
    public deliveryTime: number,
    /** How many times it was delivered (uint64 in Redis). */
    public deliveryCount: U64,
  ) {}

  delivered(now: number): void {
    this.deliveryTime = now;
    this.deliveryCount = incCount(this.deliveryCount);
  }
}

export class Consumer {
  readonly pel = new IdIndex<PendingEntry>();
  constructor(
    readonly name: string,
    /** Last time the consumer read or claimed (XINFO idle). Not in DUMP payloads: see encodeStream. */
    public seenTime: number,
  ) {}
}

/** SCG_INVALID_ENTRIES_READ: the group's read counter is not known. */
export const ENTRIES_READ_UNKNOWN = -1;

export class ConsumerGroup {
  readonly pel = new IdIndex<PendingEntry>();
  readonly consumers = new Map<string, Consumer>();

  constructor(
    public lastId: StreamId,
    /** Entries the group has read, counting from the first entry ever added; -1 unknown. */
    public entriesRead: I64,
  ) {}

  /** Consumers in name order (bytes), as Redis's rax iterates them. */
  consumersInOrder(): Consumer[] {
    return [...this.consumers.values()].sort((a, b) => byBytes(a.name, b.name));
  }

  createConsumer(name: string, now: number): Consumer {
    const c = new Consumer(name, now);
    this.consumers.set(name, c);
    return c;
  }

  /** Adds a pending entry to the group and its consumer. */
  addPending(p: PendingEntry): void {
    this.pel.insert(p);
    p.consumer.pel.insert(p);
  }

  /** Removes a pending entry from the group and its consumer. */
  removePending(p: PendingEntry): void {
    this.pel.remove(p.id);
    p.consumer.pel.remove(p.id);
  }

  /** Gives a pending entry to another consumer. */
  reassign(p: PendingEntry, to: Consumer): void {
    if (p.consumer === to) return;
    p.consumer.pel.remove(p.id);
    p.consumer = to;
    to.pel.insert(p);
  }

  /** Deletes a consumer and its pending entries (XGROUP DELCONSUMER); returns how many it had. */
  deleteConsumer(c: Consumer): number {
    const pending = c.pel.size;
    for (const p of c.pel.values()) this.pel.remove(p.id);
    this.consumers.delete(c.name);
    return pending;
  }
}

function byBytes(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

// ---------------------------------------------------------------------------------------------
// The stream

/** What a trim asks for (Redis streamAddTrimArgs). */
export interface TrimSpec {
  readonly strategy: 'maxlen' | 'minid';
  readonly maxlen: number;
  readonly minid: StreamId;
  readonly approx: boolean;
  /** Most entries to remove; 0: no limit. */
  readonly limit: number;
}

export class StreamValue {
  readonly nodes: StreamNode[] = [];
  /** Live entries. */
  length = 0;
  lastId: StreamId = ZERO_ID;
  /** recorded-first-entry-id: the first live entry, 0-0 when empty (as Redis maintains it). */
  firstId: StreamId = ZERO_ID;
  maxDeletedId: StreamId = ZERO_ID;
  entriesAdded: I64 = 0;
  readonly groups = new Map<string, ConsumerGroup>();
  /** Set by decode: consumers' seen times are not in payloads and are stamped on first use. */
  seenTimesUnknown = false;
  /** Cached radix-tree-nodes (null after the node set changed). */
  private raxNodesCache: number | null = null;

  // -- lookup ---------------------------------------------------------------------------------

  /** Index of the last node whose first ID is <= (ms, seq), or -1. */
  nodeFor(ms: U64, seq: U64): number {
    let lo = 0;
    let hi = this.nodes.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const n = this.nodes[mid]!;
      if (compareParts(n.ms[0]!, n.seq[0]!, ms, seq) <= 0) {
        found = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return found;
  }

  /** The live entry with this ID: its field/value pairs, or undefined. */
  get(id: StreamId): string[] | undefined {
    const ni = this.nodeFor(id.ms, id.seq);
    if (ni < 0) return undefined;
    const node = this.nodes[ni]!;
    const slot = node.lowerBound(id.ms, id.seq);
    if (slot >= node.slots || node.ms[slot] !== id.ms || node.seq[slot] !== id.seq) return undefined;
    return node.data[slot] ?? undefined;
  }

  has(id: StreamId): boolean {
    return this.get(id) !== undefined;
  }

  /**
   * Visits live entries with start <= ID <= end, in ID order or reversed, while `visit` returns
   * true. Do not change the stream meanwhile.
   */
  forEachInRange(start: StreamId, end: StreamId, rev: boolean, visit: (ms: U64, seq: U64, pairs: string[]) => boolean): void {
    if (compareIds(start, end) > 0) return;
    if (!rev) {
      const from = Math.max(0, this.nodeFor(start.ms, start.seq));
      for (let ni = from; ni < this.nodes.length; ni++) {
        const node = this.nodes[ni]!;
        for (let s = ni === from ? node.lowerBound(start.ms, start.seq) : 0; s < node.slots; s++) {
          if (compareParts(node.ms[s]!, node.seq[s]!, end.ms, end.seq) > 0) return;
          const pairs = node.data[s];
          if (pairs === null || pairs === undefined) continue;
          if (!visit(node.ms[s]!, node.seq[s]!, pairs)) return;
        }
      }
      return;
    }
    let ni = this.nodeFor(end.ms, end.seq);
    let first = true;
    for (; ni >= 0; ni--) {
      const node = this.nodes[ni]!;
      let s = first ? node.upperBound(end.ms, end.seq) - 1 : node.slots - 1;
      first = false;
      for (; s >= 0; s--) {
        if (compareParts(node.ms[s]!, node.seq[s]!, start.ms, start.seq) < 0) return;
        const pairs = node.data[s];
        if (pairs === null || pairs === undefined) continue;
        if (!visit(node.ms[s]!, node.seq[s]!, pairs)) return;
      }
    }
  }

  /** The last live entry's ID (streamLastValidID), or null when the stream is empty. */
  lastLiveId(): StreamId | null {
    for (let ni = this.nodes.length - 1; ni >= 0; ni--) {
      const node = this.nodes[ni]!;
      if (node.live === 0) continue;
      for (let s = node.slots - 1; s >= 0; s--) if (node.data[s] !== null) return node.idAt(s);
    }
    return null;
  }

  /** The first live entry's ID, or null when the stream is empty. */
  firstLiveId(): StreamId | null {
    for (const node of this.nodes) {
      if (node.live === 0) continue;
      for (let s = 0; s < node.slots; s++) if (node.data[s] !== null) return node.idAt(s);
    }
    return null;
  }

  /** The first ID stored, deleted entries included (streamGetEdgeID without skipping tombstones). */
  firstSlotId(): StreamId {
    const node = this.nodes[0];
    return node === undefined ? MAX_ID : node.idAt(0);
  }

  // -- writing --------------------------------------------------------------------------------

  /**
   * Appends an entry whose ID is greater than lastId (the caller checks), opening a new node
   * when the tail one is full by Redis's rules (stream-node-max-bytes, stream-node-max-entries,
   * deleted entries counted).
   */
  append(id: StreamId, pairs: string[]): void {
    let tail: StreamNode | undefined = this.nodes[this.nodes.length - 1];
    if (tail !== undefined && this.tailIsFull(tail, pairs)) tail = undefined;
    if (tail === undefined) {
      const fields: string[] = [];
      for (let i = 0; i < pairs.length; i += 2) fields.push(pairs[i]!);
      tail = new StreamNode(fields);
      this.nodes.push(tail);
      this.raxNodesCache = null;
    }
    tail.push(id, pairs);
    this.length++;
    this.entriesAdded = addI64(this.entriesAdded, 1);
    this.lastId = id;
    if (this.length === 1) this.firstId = id;
  }

  private tailIsFull(tail: StreamNode, pairs: readonly string[]): boolean {
    let newBytes = 0;
    for (const p of pairs) newBytes += p.length;
    const configured: number = streamLimits.streamNodeMaxBytes;
    const maxBytes = configured === 0 || configured > STREAM_LISTPACK_MAX_SIZE ? STREAM_LISTPACK_MAX_SIZE : configured;
    if (tail.listpackBytes + newBytes >= maxBytes) return true;
    const maxEntries: number = streamLimits.streamNodeMaxEntries;
    return maxEntries !== 0 && tail.slots >= maxEntries;
  }

  /** XDEL of one ID: true when a live entry was deleted. Frees a node left without live entries. */
  delete(id: StreamId): boolean {
    const ni = this.nodeFor(id.ms, id.seq);
    if (ni < 0) return false;
    const node = this.nodes[ni]!;
    const slot = node.lowerBound(id.ms, id.seq);
    if (slot >= node.slots || node.ms[slot] !== id.ms || node.seq[slot] !== id.seq || node.data[slot] === null) return false;
    if (node.live === 1) {
      this.nodes.splice(ni, 1);
      this.raxNodesCache = null;
    } else {
      node.markDeleted(slot);
    }
    this.length--;
    return true;
  }

  /**
   * XDEL: deletes the live entries with these IDs, keeping max-deleted-entry-id and
   * recorded-first-entry-id as Redis does. Returns how many were deleted.
   */
  deleteIds(ids: readonly StreamId[]): number {
    let deleted = 0;
    let firstDeleted = false;
    for (const id of ids) {
      if (!this.delete(id)) continue;
      if (compareIds(id, this.firstId) === 0) firstDeleted = true;
      if (compareIds(id, this.maxDeletedId) > 0) this.maxDeletedId = id;
      deleted++;
    }
    if (deleted > 0) {
      if (this.length === 0) this.firstId = ZERO_ID;
      else if (firstDeleted) this.firstId = this.firstLiveId()!;
    }
    return deleted;
  }

  /**
   * Trims from the head as Redis's streamTrim: whole nodes while they can go, then, unless
   * approximate, marks entries deleted inside the next node. Returns how many entries went.
   */
  trim(spec: TrimSpec): number {
    let deleted = 0;
    let ni = 0;
    while (ni < this.nodes.length) {
      if (spec.strategy === 'maxlen' && this.length <= spec.maxlen) break;
      const node = this.nodes[ni]!;
      const entries = node.live;
      if (spec.limit !== 0 && deleted + entries > spec.limit) break;
      const removeNode = spec.strategy === 'maxlen'
        ? this.length - entries >= spec.maxlen
        : compareParts(node.ms[node.slots - 1]!, node.seq[node.slots - 1]!, spec.minid.ms, spec.minid.seq) < 0;
      if (removeNode) {
        ni++;
        this.length -= entries;
        deleted += entries;
        continue;
      }
      if (spec.approx) break;
      for (let s = 0; s < node.slots; s++) {
        const stop = spec.strategy === 'maxlen'
          ? this.length <= spec.maxlen
          : compareParts(node.ms[s]!, node.seq[s]!, spec.minid.ms, spec.minid.seq) >= 0;
        if (stop) break;
        if (node.data[s] !== null) {
          node.markDeleted(s);
          this.length--;
          deleted++;
        }
      }
      break;
    }
    if (ni > 0) {
      this.nodes.splice(0, ni);
      this.raxNodesCache = null;
    }
    if (this.length === 0) this.firstId = ZERO_ID;
    else if (deleted > 0) this.firstId = this.firstLiveId()!;
    return deleted;
  }

  /** Throws when the structure is inconsistent (tests). */
  checkInvariants(): void {
    const fail = (why: string): never => {
      throw new Error(`stream invariant: ${why}`);
    };
    let live = 0;
    let prev: StreamId | null = null;
    const maxEntries: number = streamLimits.streamNodeMaxEntries;
    for (const node of this.nodes) {
      if (node.slots === 0) fail('empty node');
      if (maxEntries !== 0 && node.slots > maxEntries) fail('node over stream-node-max-entries');
      if (node.ms.length !== node.seq.length || node.ms.length !== node.data.length) fail('node arrays differ');
      let nodeLive = 0;
      for (let i = 0; i < node.slots; i++) {
        const id = node.idAt(i);
        if (prev !== null && compareIds(prev, id) >= 0) fail(`IDs out of order at ${id}`);
        prev = id;
        if (node.data[i] !== null) nodeLive++;
      }
      if (nodeLive !== node.live) fail('node live count');
      live += nodeLive;
    }
    if (live !== this.length) fail(`length ${this.length} but ${live} live entries`);
    if (prev !== null && compareIds(prev, this.lastId) > 0) fail('entry after last-generated-id');
    const first = this.firstLiveId() ?? ZERO_ID;
    if (compareIds(first, this.firstId) !== 0) fail(`recorded first ID ${this.firstId}, first entry ${first}`);
    for (const g of this.groups.values()) {
      let owned = 0;
      for (const c of g.consumers.values()) {
        for (const p of c.pel.values()) if (p.consumer !== c || g.pel.get(p.id) !== p) fail('consumer PEL entry not in group PEL');
        owned += c.pel.size;
      }
      if (owned !== g.pel.size) fail('group PEL entries without an owner');
    }
  }

  // -- XINFO internals ------------------------------------------------------------------------

  /** radix-tree-keys: the listpacks. */
  get radixTreeKeys(): number {
    return this.nodes.length;
  }

  /** radix-tree-nodes: nodes of Redis's rax over the 16-byte big-endian keys of the listpacks. */
  get radixTreeNodes(): number {
    this.raxNodesCache ??= raxNodeCount(this.nodes);
    return this.raxNodesCache;
  }

  // -- consumer groups ------------------------------------------------------------------------

  groupsInOrder(): Array<[string, ConsumerGroup]> {
    return [...this.groups.entries()].sort((a, b) => byBytes(a[0], b[0]));
  }

  /** Consumers restored from a payload have no seen time: they count as seen now. */
  stampSeenTimes(now: number): void {
    if (!this.seenTimesUnknown) return;
    this.seenTimesUnknown = false;
    for (const g of this.groups.values()) for (const c of g.consumers.values()) if (c.seenTime < 0) c.seenTime = now;
  }

  /** True when start <= max-deleted-entry-id <= end, i.e. a tombstone may sit in the range (7.0). */
  rangeHasTombstones(start: StreamId | null, end: StreamId | null): boolean {
    if (this.length === 0 || isZeroId(this.maxDeletedId)) return false;
    if (compareIds(this.firstId, this.maxDeletedId) > 0) return false; // the latest tombstone precedes the first entry
    const from = start ?? ZERO_ID;
    const to = end ?? MAX_ID;
    return compareIds(from, this.maxDeletedId) <= 0 && compareIds(this.maxDeletedId, to) <= 0;
  }

  /**
   * The logical read counter of an ID: how many entries precede it, counting from the first ever
   * added, when that can be known (Redis 7.0 streamEstimateDistanceFromFirstEverEntry), else -1.
   */
  estimateDistanceFromFirstEverEntry(id: StreamId): I64 {
    if (this.entriesAdded === 0) return 0;
    if (this.length === 0 && compareIds(id, this.lastId) < 1) return this.entriesAdded;
    const cmpLast = compareIds(id, this.lastId);
    if (cmpLast === 0) return this.entriesAdded;
    if (cmpLast > 0) return ENTRIES_READ_UNKNOWN;
    const cmpIdFirst = compareIds(id, this.firstId);
    const cmpXdelFirst = compareIds(this.maxDeletedId, this.firstId);
    if (isZeroId(this.maxDeletedId) || cmpXdelFirst < 0) {
      if (cmpIdFirst < 0) return subI64(this.entriesAdded, this.length);
      if (cmpIdFirst === 0) return addI64(subI64(this.entriesAdded, this.length), 1);
    }
    return ENTRIES_READ_UNKNOWN;
  }

  /** The group's lag as XINFO reports it, or null when it cannot be known (Redis 7.0). */
  lagOf(g: ConsumerGroup): I64 | null {
    if (this.entriesAdded === 0) return 0;
    if (g.entriesRead !== ENTRIES_READ_UNKNOWN && !this.rangeHasTombstones(g.lastId, null)) {
      return subI64(this.entriesAdded, g.entriesRead);
    }
    const read = this.estimateDistanceFromFirstEverEntry(g.lastId);
    return read === ENTRIES_READ_UNKNOWN ? null : subI64(this.entriesAdded, read);
  }

  /** Moves the group's last-delivered ID forward past a delivered entry, keeping entries-read (7.0). */
  advanceGroup(g: ConsumerGroup, id: StreamId): void {
    if (g.entriesRead !== ENTRIES_READ_UNKNOWN && !this.rangeHasTombstones(id, null)) {
      g.entriesRead = addI64(g.entriesRead, 1);
    } else if (this.entriesAdded !== 0) {
      g.entriesRead = this.estimateDistanceFromFirstEverEntry(id);
    }
    g.lastId = id;
  }
}

/** Redis's hard cap on a listpack's size (STREAM_LISTPACK_MAX_SIZE). */
const STREAM_LISTPACK_MAX_SIZE = 1 << 30;

// ---------------------------------------------------------------------------------------------
// radix-tree-nodes: the compressed radix tree (rax) over the nodes' keys

/** The 16-byte key of a node as four 32-bit words (ms high, ms low, seq high, seq low). */
function keyWords(ms: U64, seq: U64): [number, number, number, number] {
  const [a, b] = words64(ms);
  const [c, d] = words64(seq);
  return [a, b, c, d];
}

function words64(v: U64): [number, number] {
  if (typeof v === 'number') {
    const hi = Math.floor(v / 4294967296);
    return [hi, v - hi * 4294967296];
  }
  return [Number(v >> 32n), Number(v & 0xffffffffn)];
}

/** Length in bytes of the common prefix of two different keys. */
function commonPrefixBytes(x: readonly number[], y: readonly number[]): number {
  for (let w = 0; w < 4; w++) {
    const diff = (x[w]! ^ y[w]!) >>> 0;
    if (diff !== 0) return w * 4 + (Math.clz32(diff) >> 3);
  }
  return 16;
}

/**
 * Nodes of a rax holding these keys (sorted, distinct, 16 bytes each). The rax is canonical: a
 * branching node wherever keys diverge, a leaf node per key, and between a branching node and a
 * child more than one byte away one compressed node holding the bytes in between; a head with a
 * single child is itself that compressed node. Built from adjacent common prefixes with a stack.
 */
function raxNodeCount(nodes: readonly StreamNode[]): number {
  return raxNodeCountOf(nodes.length, (i) => keyWords(nodes[i]!.ms[0]!, nodes[i]!.seq[0]!));
}

/** radix-tree-nodes for listpacks starting at these IDs (sorted, distinct); exported for tests. */
export function radixTreeNodesFor(firstIds: readonly StreamId[]): number {
  return raxNodeCountOf(firstIds.length, (i) => keyWords(firstIds[i]!.ms, firstIds[i]!.seq));
}

function raxNodeCountOf(m: number, keyAt: (i: number) => number[]): number {
  if (m === 0) return 1;
  const depth: number[] = [0];
  const parent: number[] = [-1];
  const children: number[] = [0];
  const newNode = (d: number, p: number): number => {
    depth.push(d);
    parent.push(p);
    children.push(0);
    return depth.length - 1;
  };
  const stack: number[] = [0];
  let prev = keyAt(0);
  const leaf0 = newNode(16, 0);
  children[0]!++;
  stack.push(leaf0);
  for (let i = 1; i < m; i++) {
    const key = keyAt(i);
    const l = commonPrefixBytes(prev, key);
    prev = key;
    let last = -1;
    while (depth[stack[stack.length - 1]!]! > l) last = stack.pop()!;
    let top = stack[stack.length - 1]!;
    if (depth[top]! < l) {
      const branch = newNode(l, top);
      parent[last] = branch;
      children[branch] = 1;
      stack.push(branch);
      top = branch;
    }
    const leaf = newNode(16, top);
    children[top]!++;
    stack.push(leaf);
  }
  let count = depth.length;
  for (let n = 1; n < depth.length; n++) {
    const p = parent[n]!;
    if (children[p]! >= 2 && depth[n]! - depth[p]! >= 2) count++;
  }
  return count;
}

// ---------------------------------------------------------------------------------------------
// MEMORY USAGE

/** Heap bytes of one pending entry: the object, its ID object and a slot in both PELs. */
const PENDING_ENTRY_BYTES = (24 + 4 * 8) + (24 + 2 * 8) + 2 * 8;
/** A consumer or group object with its Map slot and its PEL's own arrays. */
const CONSUMER_BYTES = 24 + 3 * 8 + 36 + 64;
const GROUP_BYTES = 24 + 4 * 8 + 36 + 64 + 24 + 36 + 24;

/** A node object with its three parallel arrays. */
const NODE_BYTES = 24 + 6 * 8 + 3 * (32 + 16);
/** One entry slot besides its listpack bytes: its ID's two slots (boxed past 2^31) and its data array. */
const NODE_SLOT_BYTES = 2 * (8 + 16) + 32 + 16 + 8;
/** Nodes measured per estimate: the first few and the last (where appends go). */
const NODE_SAMPLES = 5;

/**
 * Estimated heap bytes of a stream for memory accounting and MEMORY USAGE, in O(1) for the entries:
 * a few nodes are measured from their running listpack size (bodyBytes) and slot count, and the
 * average is scaled by the node count (as Redis samples nodes); groups and consumers are counted.
 * Calibrated by bench/memory-accounting.ts.
 */
export function streamBytes(s: StreamValue): number {
  const n = s.nodes.length;
  let total = 24 + 12 * 8 + 8 * n;
  if (n > 0) {
    let sum = 0;
    let measured = 0;
    const visit = (node: StreamNode): void => {
      sum += NODE_BYTES + node.slots * NODE_SLOT_BYTES + node.bodyBytes + walkBytes(node.masterFields);
      measured++;
    };
    for (let i = 0; i < Math.min(NODE_SAMPLES, n - 1); i++) visit(s.nodes[i]!);
    visit(s.nodes[n - 1]!);
    total += Math.round((sum / measured) * n);
  }
  for (const [name, g] of s.groups) {
    total += GROUP_BYTES + walkBytes(name) + PENDING_ENTRY_BYTES * g.pel.size;
    for (const c of g.consumers.values()) total += CONSUMER_BYTES + walkBytes(c.name) + 8 * c.pel.size;
  }
  return total;
}

// ---------------------------------------------------------------------------------------------
// DUMP payload (tag 6)
//
//   u64 lastId.ms, lastId.seq, maxDeletedId.ms, maxDeletedId.seq, varint entriesAdded
//   varint nodes; per node:
//     varint masterFields, strings; varint bodyBytes (listpack bytes, deleted entries included)
//     varint slots; per slot: u64 ms, u64 seq, byte kind (0 live, 1 live with the master's
//     fields, 2 deleted); live: varint pairs (kind 0) then fields and values / values only
//   varint groups (name order); per group: string name, u64 ms, u64 seq, varint entriesRead+1,
//     varint consumers (name order), strings; varint pending (ID order);
//     per pending entry: u64 ms, u64 seq, varint consumer index, varint deliveryTime, u64 count
//
// u64 is an unsigned LEB128 of up to 10 bytes (shortest form only). Consumers' seen times are
// left out on purpose: like a key's access time they change on reads (XREADGROUP) that log no
// effect, and the payload is what the keyspace digest hashes, so replicas replaying the same
// effects must produce the same payload. A restored consumer counts as seen when first used.

function writeU64(out: PayloadWriter, v: U64 | I64): void {
  if (typeof v === 'number') {
    out.varint(v);
    return;
  }
  let rest = v;
  while (rest >= 0x80n) {
    out.byte(Number(rest & 0x7fn) | 0x80);
    rest >>= 7n;
  }
  out.byte(Number(rest));
}

function readU64(input: PayloadReader): U64 {
  let value = 0n;
  let shift = 0n;
  for (let i = 0; i < 10; i++) {
    const b = input.byte();
    value |= BigInt(b & 0x7f) << shift;
    if ((b & 0x80) === 0) {
      if (b === 0 && i > 0) throw new MalformedPayload('overlong varint');
      if (value > U64_MAX) throw new MalformedPayload('u64 out of range');
      return canonical(value);
    }
    shift += 7n;
  }
  throw new MalformedPayload('varint too long');
}

function writeId(out: PayloadWriter, ms: U64, seq: U64): void {
  writeU64(out, ms);
  writeU64(out, seq);
}

function readId(input: PayloadReader): StreamId {
  const ms = readU64(input);
  return new StreamId(ms, readU64(input));
}

const SLOT_LIVE = 0;
const SLOT_LIVE_MASTER_FIELDS = 1;
const SLOT_DELETED = 2;

export function encodeStream(value: unknown, out: PayloadWriter): void {
  const s = value as StreamValue;
  writeId(out, s.lastId.ms, s.lastId.seq);
  writeId(out, s.maxDeletedId.ms, s.maxDeletedId.seq);
  writeU64(out, s.entriesAdded);
  out.varint(s.nodes.length);
  for (const node of s.nodes) {
    out.varint(node.masterFields.length);
    for (const f of node.masterFields) out.string(f);
    out.varint(node.bodyBytes);
    out.varint(node.slots);
    for (let i = 0; i < node.slots; i++) {
      writeId(out, node.ms[i]!, node.seq[i]!);
      const pairs = node.data[i];
      if (pairs === null || pairs === undefined) {
        out.byte(SLOT_DELETED);
      } else if (sameAsMaster(node.masterFields, pairs)) {
        out.byte(SLOT_LIVE_MASTER_FIELDS);
        for (let p = 1; p < pairs.length; p += 2) out.string(pairs[p]!);
      } else {
        out.byte(SLOT_LIVE);
        out.varint(pairs.length / 2);
        for (const p of pairs) out.string(p);
      }
    }
  }
  const groups = s.groupsInOrder();
  out.varint(groups.length);
  for (const [name, g] of groups) {
    out.string(name);
    writeId(out, g.lastId.ms, g.lastId.seq);
    writeU64(out, addI64(g.entriesRead, 1));
    const consumers = g.consumersInOrder();
    const index = new Map<Consumer, number>();
    out.varint(consumers.length);
    consumers.forEach((c, i) => {
      index.set(c, i);
      out.string(c.name);
    });
    const pending = g.pel.values();
    out.varint(pending.length);
    for (const p of pending) {
      writeId(out, p.id.ms, p.id.seq);
      out.varint(index.get(p.consumer)!);
      out.varint(p.deliveryTime);
      writeU64(out, p.deliveryCount);
    }
  }
}

export function decodeStream(input: PayloadReader): StreamValue {
  const s = new StreamValue();
  s.lastId = readId(input);
  s.maxDeletedId = readId(input);
  s.entriesAdded = readU64(input);
  if (typeof s.entriesAdded === 'bigint' && s.entriesAdded > INT64_MAX) throw new MalformedPayload('entries added');
  let prev: StreamId | null = null;
  const nodeCount = input.varint();
  for (let n = 0; n < nodeCount; n++) {
    const fieldCount = input.varint();
    const fields: string[] = [];
    for (let i = 0; i < fieldCount; i++) fields.push(input.string());
    const node = new StreamNode(fields);
    const bodyBytes = input.varint();
    const slots = input.varint();
    if (slots === 0) throw new MalformedPayload('empty stream node');
    for (let i = 0; i < slots; i++) {
      const id = readId(input);
      if (prev !== null && compareIds(prev, id) >= 0) throw new MalformedPayload('stream IDs out of order');
      prev = id;
      const kind = input.byte();
      if (kind === SLOT_DELETED) {
        node.ms.push(id.ms);
        node.seq.push(id.seq);
        node.data.push(null);
        continue;
      }
      const pairs: string[] = [];
      if (kind === SLOT_LIVE_MASTER_FIELDS) {
        if (fields.length === 0) throw new MalformedPayload('entry without fields');
        for (const f of fields) pairs.push(f, input.string());
      } else if (kind === SLOT_LIVE) {
        const pairCount = input.varint();
        if (pairCount === 0) throw new MalformedPayload('entry without fields');
        for (let p = 0; p < pairCount * 2; p++) pairs.push(input.string());
        if (sameAsMaster(fields, pairs)) throw new MalformedPayload('non-canonical entry');
      } else {
        throw new MalformedPayload('bad entry kind');
      }
      node.push(id, pairs);
      s.length++;
    }
    // The stored size counts deleted entries, whose fields are gone: it must cover at least the
    // live ones plus the smallest possible deleted entry (10 bytes) for each tombstone.
    if (bodyBytes < node.bodyBytes + 10 * node.deleted) throw new MalformedPayload('node size');
    node.bodyBytes = bodyBytes;
    s.nodes.push(node);
  }
  if (prev !== null && compareIds(prev, s.lastId) > 0) throw new MalformedPayload('entry after the last ID');
  s.firstId = s.firstLiveId() ?? ZERO_ID;
  const groupCount = input.varint();
  let prevName: string | null = null;
  for (let gi = 0; gi < groupCount; gi++) {
    const name = input.string();
    if (prevName !== null && byBytes(prevName, name) >= 0) throw new MalformedPayload('groups out of order');
    prevName = name;
    const lastId = readId(input);
    const readPlusOne = readU64(input);
    if (typeof readPlusOne === 'bigint' && readPlusOne > INT64_MAX) throw new MalformedPayload('entries read');
    const g = new ConsumerGroup(lastId, subI64(readPlusOne, 1));
    const consumers: Consumer[] = [];
    const consumerCount = input.varint();
    for (let ci = 0; ci < consumerCount; ci++) {
      const cname = input.string();
      if (ci > 0 && byBytes(consumers[ci - 1]!.name, cname) >= 0) throw new MalformedPayload('consumers out of order');
      consumers.push(g.createConsumer(cname, -1));
    }
    const pendingCount = input.varint();
    let prevPending: StreamId | null = null;
    for (let pi = 0; pi < pendingCount; pi++) {
      const id = readId(input);
      if (isZeroId(id) || (prevPending !== null && compareIds(prevPending, id) >= 0)) throw new MalformedPayload('pending entries out of order');
      prevPending = id;
      const owner = consumers[input.varint()];
      if (owner === undefined) throw new MalformedPayload('pending entry without consumer');
      const deliveryTime = input.varint();
      g.addPending(new PendingEntry(id, owner, deliveryTime, readU64(input)));
    }
    s.groups.set(name, g);
  }
  s.seenTimesUnknown = groupCount > 0;
  return s;
}

export const streamType: TypeOps = {
  tag: 6,
  encode: encodeStream,
  decode: decodeStream,
  encodingOf: (_e: Entry): string => 'stream',
  memoryOf: (value) => streamBytes(value as StreamValue),
};
