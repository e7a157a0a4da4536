// Sets, in Redis 7.0's two encodings (7.0 has no listpack sets):
//
// - "intset": every member is a canonical int64 (Redis's string2ll rules: no sign '+', no leading
//   zero, no "-0") and there are at most limits.setMaxIntsetEntries of them. Kept as a sorted
//   array of numbers, or bigints beyond 2^53, so members come out in ascending order as from
//   Redis's intset. Insert and delete are O(n) over at most 512 slots, as in Redis.
// - "hashtable": a DenseMap, for O(1) add, remove, membership and uniform random picks, and SSCAN
//   cursors that keep Redis's guarantee while the set changes.
//
// A set only ever converts from intset to hashtable (a non-integer member, or one member too
// many), never back, as in Redis. Conversion inserts the integers in ascending order.
import type { Entry } from '../keyspace.js';
import { limits } from '../limits.js';
import { parseI64, parseSmallInt } from '../numbers.js';
import { MalformedPayload, type PayloadReader, type PayloadWriter } from '../payload.js';
import type { Rng } from '../rng.js';
import { DenseMap } from './dense-map.js';
import type { TypeOps } from './registry.js';
import { arrayBytes, numberBytes, OBJECT_HEADER_BYTES } from '../memory.js';

/** An intset member: a JS number within ±2^53, a bigint outside, so each value has one form. */
type IntMember = number | bigint;

const SAFE_MAX = BigInt(Number.MAX_SAFE_INTEGER);

/** The member as an intset holds it, or null when it is not a canonical int64. */
export function intsetMember(member: string): IntMember | null {
  const small = parseSmallInt(member);
  if (small !== undefined) return small;
  // parseSmallInt leaves valid integers of 16+ characters to parseI64.
  const big = parseI64(member)!;
  return big >= -SAFE_MAX && big <= SAFE_MAX ? Number(big) : big;
}

/** Redis caps set-max-intset-entries at 2^30 (intset internals). */
function intsetCapacity(): number {
  return Math.min(limits.setMaxIntsetEntries, 1 << 30);
}

export class SetValue {
  /** Sorted ascending while the set is an intset; null once it is a hashtable. */
  private ints: IntMember[] | null;
  /** The members once the set is a hashtable; null while it is an intset. */
  private table: DenseMap<null> | null;

  private constructor(ints: IntMember[] | null, table: DenseMap<null> | null) {
    this.ints = ints;
    this.table = table;
  }

  /** An empty intset: the result set of SINTERSTORE, SUNION and friends starts this way in Redis. */
  static emptyIntset(): SetValue {
    return new SetValue([], null);
  }

  static emptyHashtable(): SetValue {
    return new SetValue(null, new DenseMap<null>());
  }

  /** The set a new key starts with, chosen by its first member (Redis setTypeCreate). */
  static for(firstMember: string): SetValue {
    return intsetMember(firstMember) === null ? SetValue.emptyHashtable() : SetValue.emptyIntset();
  }

  get size(): number {
    return this.ints !== null ? this.ints.length : this.table!.size;
  }

  /**
   * Estimated heap bytes. A hashtable keeps a running count; an intset is walked, which is
   * bounded by set-max-intset-entries as Redis's own intset inserts are.
   */
  get bytes(): number {
    if (this.table !== null) return OBJECT_HEADER_BYTES + 16 + this.table.bytes;
    let total = OBJECT_HEADER_BYTES + 16 + arrayBytes(this.ints!.length);
    for (const v of this.ints!) total += typeof v === 'number' ? numberBytes(v) : 24;
    return total;
  }

  get encoding(): 'intset' | 'hashtable' {
    return this.ints !== null ? 'intset' : 'hashtable';
  }

  has(member: string): boolean {
    if (this.table !== null) return this.table.has(member);
    const v = intsetMember(member);
    return v !== null && searchSorted(this.ints!, v) >= 0;
  }

  /** Adds a member; false when it was there already. May convert the set to a hashtable. */
  add(member: string): boolean {
    if (this.table !== null) return this.table.set(member, null);
    const ints = this.ints!;
    const v = intsetMember(member);
    if (v === null) {
      this.convertToHashtable();
      return this.table!.set(member, null);
    }
    const at = searchSorted(ints, v);
    if (at >= 0) return false;
    ints.splice(-at - 1, 0, v);
    if (ints.length > intsetCapacity()) this.convertToHashtable();
    return true;
  }

  /** Removes a member; false when it was not there. */
  remove(member: string): boolean {
    if (this.table !== null) return this.table.delete(member);
    const v = intsetMember(member);
    if (v === null) return false;
    const at = searchSorted(this.ints!, v);
    if (at < 0) return false;
    this.ints!.splice(at, 1);
    return true;
  }

  /**
   * The member at a position of the iteration order (0 <= i < size): ascending for an intset,
   * the dense array's order for a hashtable. Stable while the set is not modified.
   */
  memberAt(i: number): string {
    return this.ints !== null ? String(this.ints[i]!) : this.table!.keyAt(i);
  }

  /** Every member, in iteration order. */
  members(): string[] {
    return this.ints !== null ? this.ints.map(String) : [...this.table!.keys()];
  }

  /** A uniformly random member; the set must not be empty. */
  randomMember(rng: Rng): string {
    return this.memberAt(this.randomPosition(rng));
  }

  /** Removes and returns a uniformly random member; the set must not be empty. O(1) for a hashtable. */
  popRandom(rng: Rng): string {
    const at = this.randomPosition(rng);
    if (this.ints !== null) return String(this.ints.splice(at, 1)[0]!);
    const member = this.table!.keyAt(at);
    this.table!.delete(member);
    return member;
  }

  /**
   * One SSCAN step. An intset is returned whole with cursor 0, as Redis does for its compact
   * encodings. A hashtable walks the dense array downwards (docs/design/scan-cursor.md), so a
   * member present for the whole scan is returned at least once. Returns the next cursor.
   */
  scan(cursor: number, count: number, visit: (member: string) => void): number {
    if (this.ints !== null) {
      for (const v of this.ints) visit(String(v));
      return 0;
    }
    return this.table!.scan(cursor, count, visit);
  }

  private randomPosition(rng: Rng): number {
    return this.ints !== null ? rng.below(this.ints.length) : this.table!.randomIndex(rng);
  }

  private convertToHashtable(): void {
    const table = new DenseMap<null>();
    for (const v of this.ints!) table.set(String(v), null);
    this.table = table;
    this.ints = null;
  }
}

/**
 * Binary search in an ascending array of int64 members (numbers and bigints compare exactly
 * with < and >). Returns the index when found, else -(insertion point) - 1.
 */
function searchSorted(a: readonly IntMember[], v: IntMember): number {
  let lo = 0;
  let hi = a.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const x = a[mid]!;
    if (x < v) lo = mid + 1;
    else if (x > v) hi = mid - 1;
    else return mid;
  }
  return -lo - 1;
}

/**
 * DUMP body: varint(member count), then each member as a length-prefixed string, in iteration
 * order. Reading follows Redis's RDB loader: more members than set-max-intset-entries start a
 * hashtable (whose layout then matches the dumped one), fewer start an intset that converts at
 * the first non-integer. An empty set or a repeated member is a malformed payload.
 */
export const setType: TypeOps = {
  tag: 3,
  encode: (value, out: PayloadWriter) => {
    const set = value as SetValue;
    const n = set.size;
    out.varint(n);
    for (let i = 0; i < n; i++) out.string(set.memberAt(i));
  },
  decode: (input: PayloadReader) => {
    const count = input.varint();
    if (count === 0) throw new MalformedPayload('empty set');
    const set = count > intsetCapacity() ? SetValue.emptyHashtable() : SetValue.emptyIntset();
    for (let i = 0; i < count; i++) {
      if (!set.add(input.string())) throw new MalformedPayload('duplicate set member');
    }
    return set;
  },
  encodingOf: (e: Entry) => (e.value as SetValue).encoding,
  memoryOf: (value) => (value as SetValue).bytes,
};
