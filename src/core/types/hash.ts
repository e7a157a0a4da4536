// Hashes, in Redis's encodings:
//
// - "listpack": while a hash has at most limits.hashMaxListpackEntries fields and no field or value
//   longer than limits.hashMaxListpackValue bytes, fields and values alternate in one array of
//   exactly their number, in insertion order, as in Redis's listpack (HGETALL answers in that
//   order). Lookups scan the array: O(n) over at most 128 fields, as in Redis. A change copies
//   the array (a listpack reallocates too): an array grown by push keeps a third or more of
//   spare slots, which for the many small hashes of session data is most of their memory.
//   Field names are stored as the copy a recent hash already holds (field-names.ts).
// - "listpackex": a compact hash that has had a field TTL (Redis 7.4). A third array holds each
//   field's expiry time (0 = none); fields with a TTL come first, ordered by (expiry, field), the
//   others follow in insertion order. Expired fields are therefore always at the front.
// - "hashtable": a DenseMap, for O(1) field access, uniform random picks and HSCAN cursors that
//   keep Redis's guarantee while the hash changes. Field TTLs, when any, live in a FieldTtls index
//   beside it (a map plus a min-heap), so hashes without TTLs pay nothing for the feature.
//
// A hash only ever converts from compact to hashtable (one field too many, or a field or value
// too long), never back, as in Redis. Conversion keeps the compact order.
//
// Ties among equal expiry times are broken by field name, everywhere. That makes the order of
// TTL'd fields, and the order in which expired fields are removed, a function of the contents
// alone: a replica replaying the effects ends with the same layout as its source.
import { arrayBytes, exactArrayBytes, HEAP_NUMBER_BYTES, MAP_SLOT_BYTES, OBJECT_HEADER_BYTES, stringBytes } from '../memory.js';
import type { Entry } from '../keyspace.js';
import { limits } from '../limits.js';
import { MalformedPayload, type PayloadReader, type PayloadWriter } from '../payload.js';
import type { Rng } from '../rng.js';
import { DenseMap } from './dense-map.js';
import { sharedFieldName } from './field-names.js';
import type { TypeOps } from './registry.js';

export type HashEncoding = 'listpack' | 'listpackex' | 'hashtable';

/** True when (t1, f1) sorts before (t2, f2): the one order of TTL'd fields. */
function expiresBefore(t1: number, f1: string, t2: number, f2: string): boolean {
  return t1 < t2 || (t1 === t2 && f1 < f2);
}

/**
 * Field TTLs of a hashtable-encoded hash: `at` is the truth, the heap finds the earliest expiry.
 * Heap entries are never updated in place: a changed or cleared TTL leaves a stale entry behind,
 * skipped when it surfaces (it no longer matches `at`) and dropped by a rebuild once stale
 * entries outnumber live ones, so every operation stays O(log n) amortized.
 */
/** A field TTL in a hashtable: its Map slot, its boxed time and its two heap slots. */
const FIELD_TTL_BYTES = MAP_SLOT_BYTES + HEAP_NUMBER_BYTES + 16;

class FieldTtls {
  readonly at = new Map<string, number>();
  private times: number[] = [];
  private fields: string[] = [];

  get size(): number {
    return this.at.size;
  }

  get(field: string): number | undefined {
    return this.at.get(field);
  }

  set(field: string, time: number): void {
    this.at.set(field, time);
    this.push(time, field);
    this.compactIfStale();
  }

  delete(field: string): boolean {
    if (!this.at.delete(field)) return false;
    this.compactIfStale();
    return true;
  }

  /** The earliest expiry time, Infinity when no field has a TTL. */
  earliest(): number {
    this.dropStaleTop();
    return this.times.length === 0 ? Infinity : this.times[0]!;
  }

  /** The field with the earliest expiry (call only when earliest() is finite). */
  earliestField(): string {
    this.dropStaleTop();
    return this.fields[0]!;
  }

  private dropStaleTop(): void {
    while (this.times.length > 0 && this.at.get(this.fields[0]!) !== this.times[0]) this.pop();
  }

  private compactIfStale(): void {
    if (this.times.length <= 2 * this.at.size + 32) return;
    this.times = [];
    this.fields = [];
    for (const [field, time] of this.at) {
      this.times.push(time);
      this.fields.push(field);
    }
    for (let i = (this.times.length >> 1) - 1; i >= 0; i--) this.siftDown(i);
  }

  private push(time: number, field: string): void {
    this.times.push(time);
    this.fields.push(field);
    let i = this.times.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!expiresBefore(this.times[i]!, this.fields[i]!, this.times[parent]!, this.fields[parent]!)) break;
      this.swap(i, parent);
      i = parent;
    }
  }

  private pop(): void {
    const last = this.times.length - 1;
    this.swap(0, last);
    this.times.pop();
    this.fields.pop();
    this.siftDown(0);
  }

  private siftDown(start: number): void {
    const n = this.times.length;
    let i = start;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let least = i;
      if (l < n && expiresBefore(this.times[l]!, this.fields[l]!, this.times[least]!, this.fields[least]!)) least = l;
      if (r < n && expiresBefore(this.times[r]!, this.fields[r]!, this.times[least]!, this.fields[least]!)) least = r;
      if (least === i) return;
      this.swap(i, least);
      i = least;
    }
  }

  private swap(i: number, j: number): void {
    const t = this.times[i]!;
    this.times[i] = this.times[j]!;
    this.times[j] = t;
    const f = this.fields[i]!;
    this.fields[i] = this.fields[j]!;
    this.fields[j] = f;
  }
}

/** True when a field or value is too long for the compact encoding. */
function tooLongForCompact(s: string): boolean {
  return s.length > limits.hashMaxListpackValue;
}

/** A copy of a compact pair array with (field, value) inserted at pair position `at`, at exact size. */
function withPair(pairs: readonly string[], at: number, field: string, value: string): string[] {
  const n = pairs.length;
  const out = new Array<string>(n + 2);
  const split = 2 * at;
  for (let i = 0; i < split; i++) out[i] = pairs[i]!;
  out[split] = field;
  out[split + 1] = value;
  for (let i = split; i < n; i++) out[i + 2] = pairs[i]!;
  return out;
}

/** A copy of a compact pair array without the pair at position `at`, at exact size. */
function withoutPair(pairs: readonly string[], at: number): string[] {
  const n = pairs.length;
  const out = new Array<string>(n - 2);
  const split = 2 * at;
  for (let i = 0; i < split; i++) out[i] = pairs[i]!;
  for (let i = split + 2; i < n; i++) out[i - 2] = pairs[i]!;
  return out;
}

export class HashValue {
  /** Compact form: field, value, field, value...; null once the hash is a hashtable. */
  private pairs: string[] | null = [];
  /** Compact form's expiry column (listpackex), one per pair; 0 = no TTL. */
  private expires: number[] | null = null;
  /** Hashtable form. */
  private table: DenseMap<string> | null = null;
  private ttls: FieldTtls | null = null;

  get size(): number {
    return this.pairs !== null ? this.pairs.length >> 1 : this.table!.size;
  }

  /**
   * Estimated heap bytes. A hashtable keeps a running count (DenseMap); a compact hash is walked,
   * which is bounded by hash-max-listpack-entries and -value, as Redis's own listpack updates are.
   */
  get bytes(): number {
    let total = OBJECT_HEADER_BYTES + 4 * 8;
    if (this.table !== null) {
      total += this.table.bytes;
      if (this.ttls !== null) total += OBJECT_HEADER_BYTES * 4 + this.ttls.size * FIELD_TTL_BYTES;
      return total;
    }
    const pairs = this.pairs!;
    total += exactArrayBytes(pairs.length);
    // Field names are counted whole although most are shared with other hashes
    // (field-names.ts): whether one is depends on the others, and over is the safe side for
    // maxmemory.
    for (let i = 0; i < pairs.length; i++) total += stringBytes(pairs[i]!.length);
    if (this.expires !== null) total += arrayBytes(this.expires.length);
    return total;
  }

  get encoding(): HashEncoding {
    if (this.table !== null) return 'hashtable';
    return this.expires !== null ? 'listpackex' : 'listpack';
  }

  get(field: string): string | undefined {
    if (this.table !== null) return this.table.get(field);
    const i = this.compactIndexOf(field);
    return i < 0 ? undefined : this.pairs![2 * i + 1];
  }

  has(field: string): boolean {
    return this.table !== null ? this.table.has(field) : this.compactIndexOf(field) >= 0;
  }

  /** The field at a position, 0 <= i < size, in HGETALL order. */
  fieldAt(i: number): string {
    return this.table !== null ? this.table.keyAt(i) : this.pairs![2 * i]!;
  }

  valueAt(i: number): string {
    return this.table !== null ? this.table.valueAt(i) : this.pairs![2 * i + 1]!;
  }

  /** A uniformly random position (the hash must not be empty). */
  randomIndex(rng: Rng): number {
    return rng.below(this.size);
  }

  /**
   * Redis 7.0's hashTypeTryConversion, before a command writes the field/value arguments
   * args[first..last]: any of them too long converts now. (7.0 does not count the pairs up front:
   * an HSET of 200 pairs that repeat one field stays a listpack.)
   */
  prepareForPairs(args: readonly string[], first: number, last: number): void {
    if (this.table !== null) return;
    for (let i = first; i <= last; i++) {
      if (tooLongForCompact(args[i]!)) {
        this.convertToTable();
        return;
      }
    }
  }

  /**
   * Sets a field's value; true when the field is new. HSET clears the field's TTL (keepTtl
   * false); HINCRBY and HINCRBYFLOAT keep it (Redis 7.4's HASH_SET_KEEP_TTL).
   */
  set(field: string, value: string, keepTtl = false): boolean {
    if (this.table === null && (tooLongForCompact(field) || tooLongForCompact(value))) this.convertToTable();
    if (this.table !== null) {
      const isNew = this.table.set(field, value);
      if (!keepTtl && !isNew && this.ttls !== null) this.ttls.delete(field);
      return isNew;
    }
    const i = this.compactIndexOf(field);
    if (i >= 0) {
      this.pairs![2 * i + 1] = value;
      // A TTL'd field that loses its TTL moves behind the TTL'd ones, as listpackExPersist does.
      if (!keepTtl && this.expires !== null && this.expires[i] !== 0) this.moveCompact(i, 0);
      return false;
    }
    this.pairs = withPair(this.pairs!, this.pairs!.length >> 1, sharedFieldName(field), value);
    this.expires?.push(0);
    if (this.pairs.length >> 1 > limits.hashMaxListpackEntries) this.convertToTable();
    return true;
  }

  delete(field: string): boolean {
    if (this.table !== null) {
      if (!this.table.delete(field)) return false;
      if (this.ttls !== null) this.ttls.delete(field);
      return true;
    }
    const i = this.compactIndexOf(field);
    if (i < 0) return false;
    this.removeCompactAt(i);
    return true;
  }

  /**
   * One HSCAN step. A compact hash is returned whole with cursor 0, as Redis does for listpacks;
   * a hashtable walks its DenseMap from the top (see dense-map.ts for the guarantee).
   */
  scan(cursor: number, count: number, visit: (field: string, value: string) => void): number {
    if (this.table !== null) return this.table.scan(cursor, count, visit);
    const pairs = this.pairs!;
    for (let i = 0; i < pairs.length; i += 2) visit(pairs[i]!, pairs[i + 1]!);
    return 0;
  }

  // -------------------------------------------------------------------------------------------
  // Field TTLs (Redis 7.4 hash field expiration). Times are absolute ms; 0 means "no TTL".

  hasFieldTtls(): boolean {
    if (this.table !== null) return this.ttls !== null && this.ttls.size > 0;
    return this.expires !== null && this.expires.length > 0 && this.expires[0] !== 0;
  }

  /** The field's expiry time, 0 when it has none (or does not exist). */
  ttlOf(field: string): number {
    if (this.table !== null) return this.ttls?.get(field) ?? 0;
    if (this.expires === null) return 0;
    const i = this.compactIndexOf(field);
    return i < 0 ? 0 : this.expires[i]!;
  }

  /** Gives an existing field a TTL (time > 0). A compact hash becomes "listpackex" for good. */
  setTtl(field: string, time: number): void {
    if (this.table !== null) {
      if (this.ttls === null) this.ttls = new FieldTtls();
      this.ttls.set(field, time);
      return;
    }
    const i = this.compactIndexOf(field);
    if (i < 0) return;
    if (this.expires === null) this.expires = new Array<number>(this.size).fill(0);
    this.moveCompact(i, time);
  }

  /** Removes a field's TTL; false when it had none. */
  clearTtl(field: string): boolean {
    if (this.table !== null) return this.ttls !== null && this.ttls.delete(field);
    if (this.expires === null) return false;
    const i = this.compactIndexOf(field);
    if (i < 0 || this.expires[i] === 0) return false;
    this.moveCompact(i, 0);
    return true;
  }

  /** The earliest field expiry time, Infinity when no field has a TTL. O(1) amortized. */
  nextExpiry(): number {
    if (this.table !== null) return this.ttls === null ? Infinity : this.ttls.earliest();
    const first = this.expires?.[0];
    return first === undefined || first === 0 ? Infinity : first;
  }

  /**
   * Deletes every field whose expiry time is <= now, earliest first (ties by field name), and
   * reports each one. Returns how many were removed.
   */
  removeExpired(now: number, removed: (field: string) => void): number {
    let n = 0;
    while (this.nextExpiry() <= now) {
      const field = this.table !== null ? this.ttls!.earliestField() : this.pairs![0]!;
      this.delete(field);
      removed(field);
      n++;
    }
    return n;
  }

  // -------------------------------------------------------------------------------------------
  // Compact-form internals.

  /** The pair position of a field in the compact form, -1 when absent. */
  private compactIndexOf(field: string): number {
    const pairs = this.pairs!;
    for (let i = 0; i < pairs.length; i += 2) if (pairs[i] === field) return i >> 1;
    return -1;
  }

  private removeCompactAt(i: number): void {
    this.pairs = withoutPair(this.pairs!, i);
    this.expires?.splice(i, 1);
  }

  /**
   * Moves the compact entry at `i` to where an entry with expiry `time` belongs: TTL'd entries
   * ordered by (time, field) first, then the others, a TTL-less entry going last.
   */
  private moveCompact(i: number, time: number): void {
    const field = this.pairs![2 * i]!;
    const value = this.pairs![2 * i + 1]!;
    this.removeCompactAt(i);
    const expires = this.expires!;
    let at = expires.length;
    if (time !== 0) {
      at = 0;
      while (at < expires.length && expires[at] !== 0 && !expiresBefore(time, field, expires[at]!, this.pairs![2 * at]!)) at++;
    }
    this.pairs = withPair(this.pairs!, at, field, value);
    expires.splice(at, 0, time);
  }

  private convertToTable(): void {
    const table = new DenseMap<string>();
    const pairs = this.pairs!;
    for (let i = 0; i < pairs.length; i += 2) table.set(pairs[i]!, pairs[i + 1]!);
    if (this.expires !== null) {
      for (let i = 0; i < this.expires.length; i++) {
        const time = this.expires[i]!;
        if (time === 0) continue;
        if (this.ttls === null) this.ttls = new FieldTtls();
        this.ttls.set(pairs[2 * i]!, time);
      }
    }
    this.table = table;
    this.pairs = null;
    this.expires = null;
  }

  /** For the codec: restores the encoding a payload asks for. */
  static decodeInto(encoding: HashEncoding): HashValue {
    const h = new HashValue();
    if (encoding === 'hashtable') h.convertToTable();
    else if (encoding === 'listpackex') h.expires = [];
    return h;
  }
}

// ---------------------------------------------------------------------------------------------
// DUMP body (tag 5):
//
//   [flags: 1 byte][varint field count][per field: string field, string value, and when flag 4 is
//   set a varint expiry time (0 = none)]
//
// Flags: 1 = hashtable encoding, 2 = listpackex (compact with an expiry column), 4 = expiry times
// follow each value. Fields come in HGETALL order, so a restored hash answers in the same order.
// A compact payload that breaks the compact limits (a hand-made one) is converted on restore, as
// Redis converts when it loads such a listpack.

const FLAG_TABLE = 1;
const FLAG_EX = 2;
const FLAG_TTLS = 4;

function encodeHash(value: unknown, out: PayloadWriter): void {
  const h = value as HashValue;
  const withTtls = h.hasFieldTtls();
  const encoding = h.encoding;
  let flags = withTtls ? FLAG_TTLS : 0;
  if (encoding === 'hashtable') flags |= FLAG_TABLE;
  if (encoding === 'listpackex') flags |= FLAG_EX;
  out.byte(flags);
  const n = h.size;
  out.varint(n);
  for (let i = 0; i < n; i++) {
    const field = h.fieldAt(i);
    out.string(field);
    out.string(h.valueAt(i));
    if (withTtls) out.varint(h.ttlOf(field));
  }
}

function decodeHash(input: PayloadReader): HashValue {
  const flags = input.byte();
  if ((flags & ~(FLAG_TABLE | FLAG_EX | FLAG_TTLS)) !== 0) throw new MalformedPayload('hash flags');
  if ((flags & FLAG_TABLE) !== 0 && (flags & FLAG_EX) !== 0) throw new MalformedPayload('hash encoding');
  const withTtls = (flags & FLAG_TTLS) !== 0;
  // TTLs in a compact hash need the expiry column: listpackex.
  if (withTtls && (flags & (FLAG_TABLE | FLAG_EX)) === 0) throw new MalformedPayload('hash ttl encoding');
  const n = input.varint();
  if (n === 0) throw new MalformedPayload('empty hash');
  const encoding: HashEncoding = (flags & FLAG_TABLE) !== 0 ? 'hashtable' : (flags & FLAG_EX) !== 0 ? 'listpackex' : 'listpack';
  const h = HashValue.decodeInto(encoding);
  const timed: Array<[string, number]> = [];
  for (let i = 0; i < n; i++) {
    const field = input.string();
    const value = input.string();
    if (!h.set(field, value)) throw new MalformedPayload('duplicate hash field');
    if (withTtls) {
      const time = input.varint();
      if (time !== 0) timed.push([field, time]);
    }
  }
  if (withTtls && timed.length === 0) throw new MalformedPayload('hash ttl flag without ttls');
  for (const [field, time] of timed) h.setTtl(field, time);
  return h;
}

export const hashType: TypeOps = {
  tag: 5,
  encode: encodeHash,
  decode: decodeHash,
  encodingOf: (e: Entry): string => (e.value as HashValue).encoding,
  memoryOf: (value) => (value as HashValue).bytes,
};
