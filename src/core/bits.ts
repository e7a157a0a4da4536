// Byte-level access to string values for the bitmap and HyperLogLog commands.
//
// String values are immutable latin1 JS strings (one char per byte), and every other part of
// Cairn reads them as such. Editing one byte of a long string by rebuilding it costs a copy of
// the whole string: measured on Node 20, SETBIT on a 1 MB string took ~700 us, on 8 MB ~5 ms,
// where Redis is O(1). Two representations avoid that while the value stays a real string:
//
// - PatchedString: byte edits kept in a map and applied in one copy when the command ends.
//   Used for values up to ROPE_MIN_BYTES (the copy is a few microseconds) and for the 12 KB
//   dense HyperLogLog (one copy per PFADD, however many registers change).
//
// - ByteRope: a long value as a balanced tree of 1 KB leaves, where each inner node is the
//   concatenation of its two children. V8 represents `a + b` as a cons string without copying,
//   so the root IS the value (a normal string to every reader) and changing one byte rebuilds
//   one leaf and the ~log2(n/1KB) nodes above it: ~0.5-2 us per SETBIT up to 64 MB (measured).
//   A reader that needs flat bytes (GET, DUMP) makes V8 flatten the root once, an O(n) copy
//   that GET pays anyway. Reads by the bit commands go through the leaves, so GETBIT/SETBIT
//   sequences never flatten. Growth pads with one shared zero leaf, so SETBIT at a far offset
//   costs O(n/1KB) tree nodes instead of n zero bytes until something reads the whole value.
//
//   A rope lives in a small per-keyspace cache next to the entry it was made for. It is only
//   used while the entry still holds exactly the rope's root (`===`, a pointer compare in the
//   common case): any other writer (SET, APPEND, SETRANGE, RESTORE ...) replaces the value and
//   so retires the rope without having to know about it. The cache holds at most
//   ROPE_CACHE_MAX ropes and drops stale ones on every bit command, so the extra memory of a
//   retired rope lasts until the next bitmap command at most. Memory while a rope is live:
//   the leaves (n bytes; untouched ones are slices of the string the rope was built from,
//   which keeps that string alive whole: at worst n more) plus, after a reader flattened the
//   root, the flat copy (n bytes) until the next write replaces the root. Edited leaves are
//   flattened at once so they never pin a former value. MEMORY USAGE counts the value's length
//   only, not the rope around it.
import type { Database, Entry, Keyspace } from './keyspace.js';

/** One-char strings for every byte value. */
export const BYTE_CHARS: readonly string[] = Array.from({ length: 256 }, (_, b) => String.fromCharCode(b));

/** Bits set in each byte value. */
export const POPCOUNT = new Uint8Array(256);
for (let b = 1; b < 256; b++) POPCOUNT[b] = (b & 1) + POPCOUNT[b >> 1]!;

/** Read access to the bytes of a value; offsets past the end read as zero. */
export interface ByteSource {
  readonly length: number;
  byteAt(i: number): number;
  /**
   * Calls `visit(piece, from, to)` for consecutive pieces of flat text that cover the bytes
   * [start, end) of the value: bytes piece[from..to). Stops early when visit returns true.
   */
  forEachPiece(start: number, end: number, visit: (piece: string, from: number, to: number) => boolean | void): void;
}

/** A value being edited: the bit commands write through this and store value() at the end. */
export interface ByteStore extends ByteSource {
  setByte(i: number, b: number): void;
  /** Pads with zero bytes up to `length` (no-op when already that long). */
  growTo(length: number): void;
  /** The edited value as a string. */
  value(): string;
}

// ---------------------------------------------------------------------------------------
// Plain strings with pending byte edits

/** Byte edits over an immutable string, applied in one copy by value(). */
export class PatchedString implements ByteStore {
  private patches: Map<number, number> | null = null;

  constructor(private base: string) {}

  get length(): number {
    return this.base.length;
  }

  byteAt(i: number): number {
    if (this.patches !== null) {
      const patched = this.patches.get(i);
      if (patched !== undefined) return patched;
    }
    return i < this.base.length ? this.base.charCodeAt(i) : 0;
  }

  setByte(i: number, b: number): void {
    (this.patches ??= new Map()).set(i, b);
  }

  growTo(length: number): void {
    if (length > this.base.length) this.base += '\0'.repeat(length - this.base.length);
  }

  get edited(): boolean {
    return this.patches !== null && this.patches.size > 0;
  }

  forEachPiece(start: number, end: number, visit: (piece: string, from: number, to: number) => boolean | void): void {
    end = Math.min(end, this.base.length);
    if (start >= end) return;
    // Pending edits are rare on the read paths (reads happen before or without writes): apply them.
    if (this.edited) this.base = this.value();
    visit(this.base, start, end);
  }

  value(): string {
    const patches = this.patches;
    if (patches === null || patches.size === 0) return this.base;
    const positions = [...patches.keys()].sort((a, b) => a - b);
    const parts: string[] = [];
    let from = 0;
    for (const at of positions) {
      parts.push(this.base.slice(from, at), BYTE_CHARS[patches.get(at)!]!);
      from = at + 1;
    }
    parts.push(this.base.slice(from));
    this.base = parts.join(''); // join copies into one flat string
    this.patches = null;
    return this.base;
  }
}

// ---------------------------------------------------------------------------------------
// Long values as a balanced tree of cons strings

const LEAF_BITS = 10;
const LEAF_BYTES = 1 << LEAF_BITS;
const LEAF_MASK = LEAF_BYTES - 1;
/** Values longer than this are edited through a rope; shorter ones are copied per command. */
export const ROPE_MIN_BYTES = 4 * LEAF_BYTES;
const ZERO_LEAF = flat('\0'.repeat(LEAF_BYTES));
/** Above this many dirty leaves, value() rebuilds the inner nodes level by level over the dirty span. */
const POINT_REBUILD_MAX = 64;

export class ByteRope implements ByteStore {
  /** Heap-ordered tree: node p has children 2p and 2p+1; leaves at [cap, 2*cap). */
  private tree: string[];
  private cap: number;
  private len: number;
  /** Leaves changed since the inner nodes were last rebuilt. */
  private readonly dirty = new Set<number>();

  constructor(initial: string) {
    this.len = initial.length;
    this.cap = leafCapacity(leafCount(initial.length));
    this.tree = new Array<string>(2 * this.cap).fill('');
    for (let k = 0, n = leafCount(initial.length); k < n; k++) {
      // Slices of a flat string share its bytes: building a rope copies nothing.
      this.tree[this.cap + k] = initial.slice(k * LEAF_BYTES, (k + 1) * LEAF_BYTES);
    }
    this.rebuildAll();
  }

  get length(): number {
    return this.len;
  }

  byteAt(i: number): number {
    if (i >= this.len) return 0;
    return this.tree[this.cap + (i >>> LEAF_BITS)]!.charCodeAt(i & LEAF_MASK);
  }

  setByte(i: number, b: number): void {
    const k = i >>> LEAF_BITS;
    const j = i & LEAF_MASK;
    const leaf = this.tree[this.cap + k]!;
    // Flattened at once (a 1 KB copy): a cons of slices would keep the string the leaf was cut
    // from alive, possibly the whole former value.
    this.tree[this.cap + k] = flat(leaf.slice(0, j) + BYTE_CHARS[b]! + leaf.slice(j + 1));
    this.dirty.add(k);
  }

  growTo(length: number): void {
    if (length <= this.len) return;
    const oldLeaves = leafCount(this.len);
    const newLeaves = leafCount(length);
    if (newLeaves > this.cap) this.resize(leafCapacity(newLeaves));
    // Complete the old last leaf, then add zero leaves; the last one may be partial.
    if (oldLeaves > 0 && this.len % LEAF_BYTES !== 0) {
      const k = oldLeaves - 1;
      const leaf = this.tree[this.cap + k]!;
      const want = Math.min(LEAF_BYTES, length - k * LEAF_BYTES);
      this.tree[this.cap + k] = flat(leaf + ZERO_LEAF.slice(0, want - leaf.length));
      this.dirty.add(k);
    }
    for (let k = oldLeaves; k < newLeaves; k++) {
      const want = Math.min(LEAF_BYTES, length - k * LEAF_BYTES);
      this.tree[this.cap + k] = want === LEAF_BYTES ? ZERO_LEAF : ZERO_LEAF.slice(0, want);
      this.dirty.add(k);
    }
    this.len = length;
  }

  forEachPiece(start: number, end: number, visit: (piece: string, from: number, to: number) => boolean | void): void {
    end = Math.min(end, this.len);
    for (let at = start; at < end; ) {
      const k = at >>> LEAF_BITS;
      const from = at & LEAF_MASK;
      const to = Math.min(LEAF_BYTES, end - k * LEAF_BYTES);
      if (visit(this.tree[this.cap + k]!, from, to) === true) return;
      at = k * LEAF_BYTES + to;
    }
  }

  value(): string {
    if (this.dirty.size > 0) this.rebuildDirty();
    return this.tree[1]!;
  }

  private rebuildDirty(): void {
    const cap = this.cap;
    if (this.dirty.size <= POINT_REBUILD_MAX) {
      // Few edits: rebuild the path above each, sharing nodes already rebuilt at each level.
      let level = [...this.dirty].map((k) => (cap + k) >>> 1);
      while (level.length > 0 && level[0]! >= 1) {
        const next = new Set<number>();
        for (const p of level) {
          this.tree[p] = this.tree[2 * p]! + this.tree[2 * p + 1]!;
          if (p > 1) next.add(p >>> 1);
        }
        level = [...next];
      }
    } else {
      let lo = cap;
      let hi = 0;
      for (const k of this.dirty) {
        lo = Math.min(lo, k);
        hi = Math.max(hi, k);
      }
      for (lo = (cap + lo) >>> 1, hi = (cap + hi) >>> 1; lo >= 1; lo >>>= 1, hi >>>= 1) {
        for (let p = lo; p <= hi; p++) this.tree[p] = this.tree[2 * p]! + this.tree[2 * p + 1]!;
      }
    }
    this.dirty.clear();
  }

  private rebuildAll(): void {
    for (let p = this.cap - 1; p >= 1; p--) this.tree[p] = this.tree[2 * p]! + this.tree[2 * p + 1]!;
    this.dirty.clear();
  }

  private resize(cap: number): void {
    const tree = new Array<string>(2 * cap).fill('');
    for (let k = 0; k < this.cap; k++) tree[cap + k] = this.tree[this.cap + k]!;
    this.tree = tree;
    this.cap = cap;
    this.rebuildAll();
  }
}

function leafCount(bytes: number): number {
  return Math.ceil(bytes / LEAF_BYTES);
}

/** A power of two >= n, at least 1 (the root then is the only leaf). */
function leafCapacity(n: number): number {
  let cap = 1;
  while (cap < n) cap *= 2;
  return cap;
}

/** Makes V8 store a string flat (its first read flattens a cons string in place). */
function flat(s: string): string {
  s.charCodeAt(0);
  return s;
}

// ---------------------------------------------------------------------------------------
// The per-keyspace rope cache

/**
 * Ropes kept per keyspace: enough for the hot bitmaps of most workloads, few enough to sweep
 * on every bitmap command (a live rope costs little beyond the value: its leaves are the value).
 */
const ROPE_CACHE_MAX = 16;

interface CachedRope {
  readonly db: Database;
  readonly rope: ByteRope;
}

const ropeCaches = new WeakMap<Keyspace, Map<Entry, CachedRope>>();

function cacheOf(ks: Keyspace): Map<Entry, CachedRope> {
  let cache = ropeCaches.get(ks);
  if (cache === undefined) ropeCaches.set(ks, (cache = new Map()));
  return cache;
}

/** True while the entry is still in its database and holds exactly the rope's value. */
function stillCurrent(e: Entry, c: CachedRope): boolean {
  return e.type === 'string' && c.db.peek(e.key) === e && e.value === c.rope.value();
}

/** Drops the ropes whose entries were deleted or given another value by any other command. */
function sweep(cache: Map<Entry, CachedRope>): void {
  for (const [e, c] of cache) if (!stillCurrent(e, c)) cache.delete(e);
}

/** The live rope of an entry, if the bit commands made one and nothing replaced the value since. */
function liveRope(ks: Keyspace, e: Entry): ByteRope | undefined {
  const cache = cacheOf(ks);
  sweep(cache);
  const hit = cache.get(e);
  if (hit === undefined) return undefined;
  // Refresh its place in the insertion order: the least recently used rope goes first.
  cache.delete(e);
  cache.set(e, hit);
  return hit.rope;
}

/** Read access to a string entry's bytes (its rope when one is live: no flattening). */
export function bytesForRead(ks: Keyspace, e: Entry): ByteSource {
  return liveRope(ks, e) ?? new PatchedString(e.value as string);
}

/**
 * Write access to a string value that will be at least `minLength` bytes long. `e` is the
 * entry the result will be stored in (undefined for a key being created, `initial` then '').
 * Long values get a rope, cached for the next command once the caller stores the value.
 */
export function bytesForWrite(ks: Keyspace, db: Database, e: Entry | undefined, minLength: number): ByteStore {
  const current = e === undefined ? '' : (e.value as string);
  const length = Math.max(current.length, minLength);
  if (length <= ROPE_MIN_BYTES) {
    const edit = new PatchedString(current);
    edit.growTo(length);
    return edit;
  }
  let rope = e === undefined ? undefined : liveRope(ks, e);
  if (rope === undefined) rope = new ByteRope(current);
  rope.growTo(length);
  return rope;
}

/** Remembers the rope behind a value just stored in `e`, for the next bit command on it. */
export function keepRope(ks: Keyspace, db: Database, e: Entry, store: ByteStore): void {
  if (!(store instanceof ByteRope)) return;
  const cache = cacheOf(ks);
  cache.delete(e);
  cache.set(e, { db, rope: store });
  while (cache.size > ROPE_CACHE_MAX) cache.delete(cache.keys().next().value!);
}

// ---------------------------------------------------------------------------------------
// Conversions

/** Bytes to a latin1 string (String.fromCharCode in chunks: the argument count is bounded). */
export function latin1FromBytes(bytes: Uint8Array, start = 0, end = bytes.length): string {
  const CHUNK = 4096;
  if (end - start <= CHUNK) return String.fromCharCode.apply(null, bytes.subarray(start, end) as unknown as number[]);
  const parts: string[] = [];
  for (let i = start; i < end; i += CHUNK) {
    parts.push(String.fromCharCode.apply(null, bytes.subarray(i, Math.min(end, i + CHUNK)) as unknown as number[]));
  }
  return parts.join('');
}

/** Copies bytes [start, end) of a source into `out` at `at` (for BITOP and HLL merges). */
export function copyBytes(source: ByteSource, start: number, end: number, out: Uint8Array, at: number): void {
  let o = at;
  source.forEachPiece(start, end, (piece, from, to) => {
    for (let i = from; i < to; i++) out[o++] = piece.charCodeAt(i);
  });
}
