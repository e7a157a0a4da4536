// Sorted sets, in Redis 7.0's two encodings:
//
// - "listpack": at most limits.zsetMaxListpackEntries members of at most
//   limits.zsetMaxListpackValue bytes each, kept as two parallel arrays sorted by (score, member).
//   Lookups by member are linear, inserts and deletes O(n) over at most 128 slots, as in Redis's
//   listpack. Like Redis, which stores an integral score as an integer there, this encoding does
//   not keep the sign of a zero score: -0 is stored as 0.
// - "skiplist": a member -> score DenseMap (O(1) lookups, uniform random picks, and ZSCAN cursors
//   that keep Redis's guarantee while the set changes) plus an OrderTree (a counted B+tree: O(log n)
//   insert, delete, rank and range start; see order-tree.ts for why not a skiplist). The name is
//   what OBJECT ENCODING reports, as Redis does for the same role.
//
// A sorted set converts from listpack to skiplist when it grows past either bound, never back;
// results built whole (ZUNIONSTORE, RESTORE) start compact when they fit, as in Redis.
import { arrayBytes, OBJECT_HEADER_BYTES, stringBytes } from '../memory.js';
import type { Entry } from '../keyspace.js';
import { limits } from '../limits.js';
import { formatDouble17g } from '../numbers.js';
import { MalformedPayload, type PayloadReader, type PayloadWriter } from '../payload.js';
import type { Rng } from '../rng.js';
import { DenseMap } from './dense-map.js';
import { compareEntries, OrderTree, type PrefixPredicate, type TreeCursor } from './order-tree.js';
import type { TypeOps } from './registry.js';

export type ZSetEncoding = 'listpack' | 'skiplist';

/** What one member costs in the order tree: member and score slots in leaves about 3/4 full, inner nodes. */
const TREE_ENTRY_BYTES = 24;

/** True when a member of this length may live in a listpack. */
function fitsListpack(member: string): boolean {
  return member.length <= limits.zsetMaxListpackValue;
}

/** A listpack stores integral scores as integers, so -0 comes back as 0. */
function listpackScore(score: number): number {
  return score === 0 ? 0 : score;
}

/** Redis's double2ll bound: integral scores within ±2^62 are kept (and printed) as integers in a listpack. */
const LISTPACK_INT_BOUND = 2 ** 62;

/** A score as ZSCAN shows it from a listpack: integer text when stored as an integer, else %.17g. */
export function listpackScoreText(score: number): string {
  if (Number.isInteger(score) && score >= -LISTPACK_INT_BOUND && score <= LISTPACK_INT_BOUND) {
    return BigInt(score).toString();
  }
  return formatDouble17g(score);
}

/** Called for each entry of a walk; returning false stops it. */
export type Visit = (member: string, score: number) => boolean;

export class ZSet {
  /** Listpack encoding: members and scores sorted by (score, member); null once converted. */
  private lpMembers: string[] | null;
  private lpScores: number[] | null;
  /** Skiplist encoding: the order and the member -> score map; null while compact. */
  private tree: OrderTree | null;
  private dict: DenseMap<number> | null;

  private constructor() {
    this.lpMembers = [];
    this.lpScores = [];
    this.tree = null;
    this.dict = null;
  }

  /** An empty sorted set in the compact encoding, as every new key starts. */
  static empty(): ZSet {
    return new ZSet();
  }

  /**
   * A sorted set from entries already in (score, member) order, with unique members: compact
   * when it fits (Redis zsetConvertToListpackIfNeeded), else the skiplist encoding. O(n).
   */
  static fromSorted(members: string[], scores: number[]): ZSet {
    const z = new ZSet();
    if (members.length <= limits.zsetMaxListpackEntries && members.every(fitsListpack)) {
      z.lpMembers = members;
      z.lpScores = scores.map(listpackScore);
    } else {
      z.lpMembers = null;
      z.lpScores = null;
      z.tree = OrderTree.fromSorted(members, scores);
      const dict = new DenseMap<number>();
      for (let i = 0; i < members.length; i++) dict.set(members[i]!, scores[i]!);
      z.dict = dict;
    }
    return z;
  }

  /**
   * An independent copy in the same encoding (Redis's zsetDup, as COPY uses it: unlike a DUMP
   * and RESTORE round trip, a skiplist that has shrunk stays a skiplist). O(n).
   */
  clone(): ZSet {
    const z = new ZSet();
    if (this.lpMembers !== null) {
      z.lpMembers = [...this.lpMembers];
      z.lpScores = [...this.lpScores!];
      return z;
    }
    const { members, scores } = this.tree!.toArrays();
    z.lpMembers = null;
    z.lpScores = null;
    z.tree = OrderTree.fromSorted(members, scores);
    const dict = new DenseMap<number>();
    for (let i = 0; i < members.length; i++) dict.set(members[i]!, scores[i]!);
    z.dict = dict;
    return z;
  }

  /**
   * Estimated heap bytes. The skiplist encoding keeps a running count (DenseMap; the tree shares
   * its member strings and adds its slots); a listpack is walked, bounded by zset-max-listpack-*.
   */
  get bytes(): number {
    let total = OBJECT_HEADER_BYTES + 4 * 8;
    if (this.dict !== null) return total + this.dict.bytes + OBJECT_HEADER_BYTES + TREE_ENTRY_BYTES * this.dict.size;
    const members = this.lpMembers!;
    total += 2 * arrayBytes(members.length);
    for (const m of members) total += stringBytes(m.length);
    return total;
  }

  get encoding(): ZSetEncoding {
    return this.lpMembers !== null ? 'listpack' : 'skiplist';
  }

  get size(): number {
    return this.lpMembers !== null ? this.lpMembers.length : this.dict!.size;
  }

  /** The score of a member, or undefined. */
  score(member: string): number | undefined {
    if (this.dict !== null) return this.dict.get(member);
    const i = this.lpMembers!.indexOf(member);
    return i < 0 ? undefined : this.lpScores![i];
  }

  /** Adds a member that is not in the set. Converts to the skiplist encoding when it must. */
  insert(member: string, score: number): void {
    const members = this.lpMembers;
    if (members !== null) {
      if (members.length + 1 <= limits.zsetMaxListpackEntries && fitsListpack(member)) {
        const s = listpackScore(score);
        const at = this.listpackPosition(s, member);
        members.splice(at, 0, member);
        this.lpScores!.splice(at, 0, s);
        return;
      }
      this.convertToSkiplist();
    }
    this.tree!.insert(score, member);
    this.dict!.set(member, score);
  }

  /** Gives a member of the set a new score. */
  rescore(member: string, oldScore: number, newScore: number): void {
    if (this.lpMembers !== null) {
      this.removeFromListpack(member);
      this.insert(member, newScore);
      return;
    }
    this.tree!.delete(oldScore, member);
    this.tree!.insert(newScore, member);
    this.dict!.set(member, newScore);
  }

  /** Removes a member; false when it was not there. */
  remove(member: string): boolean {
    if (this.lpMembers !== null) return this.removeFromListpack(member);
    const score = this.dict!.get(member);
    if (score === undefined) return false;
    this.dict!.delete(member);
    this.tree!.delete(score, member);
    return true;
  }

  /** The 0-based rank of a member in ascending order, or -1. */
  rank(member: string): number {
    if (this.lpMembers !== null) return this.lpMembers.indexOf(member);
    const score = this.dict!.get(member);
    return score === undefined ? -1 : this.tree!.rankOf(score, member);
  }

  /** How many entries, from the lowest, satisfy a predicate that holds for a prefix of the order. */
  countWhile(pred: PrefixPredicate): number {
    if (this.tree !== null) return this.tree.countWhile(pred);
    const members = this.lpMembers!;
    const scores = this.lpScores!;
    let lo = 0;
    let hi = members.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (pred(scores[mid]!, members[mid]!)) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /**
   * Visits entries from a rank (0 <= rank < size), ascending or descending, while `visit` returns
   * true. O(log n) to start, O(1) per entry.
   */
  walk(rank: number, reverse: boolean, visit: Visit): void {
    if (rank < 0 || rank >= this.size) return;
    if (this.lpMembers !== null) {
      const members = this.lpMembers;
      const scores = this.lpScores!;
      const step = reverse ? -1 : 1;
      for (let i = rank; i >= 0 && i < members.length; i += step) {
        if (!visit(members[i]!, scores[i]!)) return;
      }
      return;
    }
    const tree = this.tree!;
    const c: TreeCursor = tree.cursorAt(rank);
    while (c.leaf !== null) {
      if (!visit(tree.memberAt(c), tree.scoreAt(c))) return;
      if (reverse) tree.backward(c);
      else tree.forward(c);
    }
  }

  /** The entry at a rank (0 <= rank < size). */
  entryAt(rank: number): [string, number] {
    if (this.lpMembers !== null) return [this.lpMembers[rank]!, this.lpScores![rank]!];
    const c = this.tree!.cursorAt(rank);
    return [this.tree!.memberAt(c), this.tree!.scoreAt(c)];
  }

  /**
   * Removes the entries of ranks start..end (inclusive, within bounds) and returns how many went.
   * O(log n) per entry removed; when most of the set goes, the tree is rebuilt from what stays.
   */
  removeRankRange(start: number, end: number): number {
    const n = end - start + 1;
    if (n <= 0) return 0;
    if (this.lpMembers !== null) {
      this.lpMembers.splice(start, n);
      this.lpScores!.splice(start, n);
      return n;
    }
    const doomed: Array<[string, number]> = [];
    this.walk(start, false, (m, s) => {
      doomed.push([m, s]);
      return doomed.length < n;
    });
    for (const [m] of doomed) this.dict!.delete(m);
    if (n * 4 >= this.tree!.size) {
      const all = this.tree!.toArrays();
      all.members.splice(start, n);
      all.scores.splice(start, n);
      this.tree = OrderTree.fromSorted(all.members, all.scores);
    } else {
      for (const [m, s] of doomed) this.tree!.delete(s, m);
    }
    return n;
  }

  /** A uniformly random entry; the set must not be empty. */
  randomEntry(rng: Rng): [string, number] {
    if (this.lpMembers !== null) {
      const i = rng.below(this.lpMembers.length);
      return [this.lpMembers[i]!, this.lpScores![i]!];
    }
    const i = this.dict!.randomIndex(rng);
    return [this.dict!.keyAt(i), this.dict!.valueAt(i)];
  }

  /**
   * One ZSCAN step; `visit` gets each member with its score as ZSCAN prints it. A listpack is
   * returned whole with cursor 0, as Redis does for its compact encodings. The skiplist encoding
   * walks the DenseMap downwards (docs/design/scan-cursor.md), so a member present for the whole
   * scan is returned at least once, even across growth, shrinking and conversion (which only
   * happens from listpack, whose scans end in one call). Returns the next cursor.
   */
  scan(cursor: number, count: number, visit: (member: string, scoreText: string) => void): number {
    if (this.lpMembers !== null) {
      for (let i = 0; i < this.lpMembers.length; i++) visit(this.lpMembers[i]!, listpackScoreText(this.lpScores![i]!));
      return 0;
    }
    return this.dict!.scan(cursor, count, (m, s) => visit(m, formatDouble17g(s)));
  }

  /** Every entry in order, as two parallel arrays (fresh copies). O(n). */
  toArrays(): { members: string[]; scores: number[] } {
    if (this.lpMembers !== null) return { members: [...this.lpMembers], scores: [...this.lpScores!] };
    return this.tree!.toArrays();
  }

  /** Throws when the two halves of the skiplist encoding disagree (tests). */
  checkInvariants(): void {
    if (this.tree === null) {
      const m = this.lpMembers!;
      const s = this.lpScores!;
      if (m.length > limits.zsetMaxListpackEntries) throw new Error('listpack too long');
      for (let i = 0; i < m.length; i++) {
        if (!fitsListpack(m[i]!)) throw new Error('listpack member too long');
        if (Object.is(s[i], -0)) throw new Error('listpack keeps -0');
        if (i > 0 && compareEntries(s[i - 1]!, m[i - 1]!, s[i]!, m[i]!) >= 0) throw new Error('listpack out of order');
      }
      return;
    }
    this.tree.checkInvariants();
    if (this.tree.size !== this.dict!.size) throw new Error('tree and dict sizes differ');
    const { members, scores } = this.tree.toArrays();
    for (let i = 0; i < members.length; i++) {
      if (!Object.is(this.dict!.get(members[i]!), scores[i])) throw new Error('tree and dict scores differ');
    }
  }

  // -------------------------------------------------------------------------------------------

  /** Where (score, member) goes in the listpack arrays (binary search). */
  private listpackPosition(score: number, member: string): number {
    const members = this.lpMembers!;
    const scores = this.lpScores!;
    let lo = 0;
    let hi = members.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (compareEntries(scores[mid]!, members[mid]!, score, member) < 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  private removeFromListpack(member: string): boolean {
    const i = this.lpMembers!.indexOf(member);
    if (i < 0) return false;
    this.lpMembers!.splice(i, 1);
    this.lpScores!.splice(i, 1);
    return true;
  }

  /** SORT's destructive conversion (Redis 7.0 zsetConvert before sorting): listpack becomes skiplist. */
  forceSkiplist(): boolean {
    if (this.lpMembers === null) return false;
    this.convertToSkiplist();
    return true;
  }

  private convertToSkiplist(): void {
    const members = this.lpMembers!;
    const scores = this.lpScores!;
    this.tree = OrderTree.fromSorted(members, scores);
    const dict = new DenseMap<number>();
    for (let i = 0; i < members.length; i++) dict.set(members[i]!, scores[i]!);
    this.dict = dict;
    this.lpMembers = null;
    this.lpScores = null;
  }
}

// ---------------------------------------------------------------------------------------------
// Parsing scores and ranges with Redis's rules

/** A float literal as C's strtod reads a whole string; null when it is not one. */
interface FloatLiteral {
  readonly value: number;
  /** inf / infinity / nan spelled out (never an overflow). */
  readonly word: boolean;
  /** Some digit of the significand is not zero (a result of 0 then means underflow). */
  readonly nonzero: boolean;
}

const DECIMAL_LITERAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const HEX_LITERAL = /^([+-]?)0[xX]([0-9a-fA-F]*)\.?([0-9a-fA-F]*)(?:[pP]([+-]?\d+))?$/;
const WORD_LITERAL = /^([+-]?)(inf|infinity|nan)$/i;

/** Reads the whole string as strtod would (C locale); null when any of it is left over. */
function readFloatLiteral(s: string): FloatLiteral | null {
  if (DECIMAL_LITERAL.test(s)) {
    const mantissa = s.replace(/[eE].*$/, '');
    return { value: Number(s), word: false, nonzero: /[1-9]/.test(mantissa) };
  }
  const hex = HEX_LITERAL.exec(s);
  if (hex !== null) {
    const intPart = hex[2]!;
    const fracPart = hex[3]!;
    if (intPart === '' && fracPart === '') return null;
    const digits = BigInt('0x' + intPart + fracPart);
    const exp = Number(hex[4] ?? '0') - 4 * fracPart.length;
    const magnitude = digits === 0n ? 0 : scaleByPowerOfTwo(Number(digits), exp);
    return { value: hex[1] === '-' ? -magnitude : magnitude, word: false, nonzero: digits !== 0n };
  }
  const word = WORD_LITERAL.exec(s);
  if (word !== null) {
    const v = word[2]!.toLowerCase() === 'nan' ? NaN : Infinity;
    return { value: word[1] === '-' ? -v : v, word: true, nonzero: true };
  }
  return null;
}

/**
 * A score written as a plain integer of at most 15 digits (what most clients send), read
 * without the literal's regular expressions: exact, as strtod reads it ("-0" is -0, leading
 * zeros count for nothing). Null for anything else, which takes the full path.
 */
function shortInteger(s: string): number | null {
  const n = s.length;
  if (n > 16) return null;
  let i = 0;
  let negative = false;
  const first = s.charCodeAt(0);
  if (first === 0x2d || first === 0x2b) {
    negative = first === 0x2d;
    i = 1;
  }
  if (i === n || n - i > 15) return null;
  let v = 0;
  for (; i < n; i++) {
    const d = s.charCodeAt(i) - 0x30;
    if (d < 0 || d > 9) return null;
    v = v * 10 + d;
  }
  return negative ? -v : v;
}

/** x * 2^exp without overflowing the intermediate power of two. */
function scaleByPowerOfTwo(x: number, exp: number): number {
  let v = x;
  let e = exp;
  while (e > 1000) {
    v *= 2 ** 1000;
    e -= 1000;
  }
  while (e < -1000) {
    v *= 2 ** -1000;
    e += 1000;
  }
  return v * 2 ** e;
}

/**
 * A score or weight argument, as Redis's getDoubleFromObject reads it: the whole string is a
 * float (inf and hex included), no leading space, not NaN, and not out of a double's range
 * (1e400 and 1e-400 are refused; denormals are kept). Null when invalid.
 */
export function parseScore(s: string): number | null {
  if (s.length === 0) return null;
  const c = s.charCodeAt(0);
  if (c === 32 || (c >= 9 && c <= 13)) return null;
  const quick = shortInteger(s);
  if (quick !== null) return quick;
  const lit = readFloatLiteral(s);
  if (lit === null || Number.isNaN(lit.value)) return null;
  if (!lit.word && !Number.isFinite(lit.value)) return null; // overflow (ERANGE)
  if (lit.value === 0 && lit.nonzero) return null; // underflow to zero (ERANGE)
  return lit.value;
}

/**
 * A range bound as zslParseRange reads it with strtod: leading spaces skipped, the empty string
 * is 0, the text ends at the end or at a NUL byte, overflow gives ±inf, NaN is refused.
 */
function parseStrtodBound(s: string): number | null {
  const nul = s.indexOf('\0');
  let text = nul < 0 ? s : s.slice(0, nul);
  let i = 0;
  while (i < text.length && isCSpace(text.charCodeAt(i))) i++;
  if (i === text.length) {
    // Nothing to convert: strtod returns 0 and leaves its end pointer at the start, which is
    // the end of the string only when the string held nothing at all before any NUL.
    return text.length === 0 ? 0 : null;
  }
  text = text.slice(i);
  const lit = readFloatLiteral(text);
  if (lit === null || Number.isNaN(lit.value)) return null;
  return lit.value;
}

function isCSpace(c: number): boolean {
  return c === 32 || (c >= 9 && c <= 13);
}

/** A score interval; min/max exclusive when given with "(". */
export interface ScoreRange {
  readonly min: number;
  readonly minExclusive: boolean;
  readonly max: number;
  readonly maxExclusive: boolean;
}

/** ZRANGEBYSCORE/ZCOUNT bounds: "(" makes one exclusive. Null when either is not a float. */
export function parseScoreRange(min: string, max: string): ScoreRange | null {
  const lo = parseScoreBound(min);
  const hi = parseScoreBound(max);
  if (lo === null || hi === null) return null;
  return { min: lo.value, minExclusive: lo.exclusive, max: hi.value, maxExclusive: hi.exclusive };
}

function parseScoreBound(s: string): { value: number; exclusive: boolean } | null {
  const exclusive = s.startsWith('(');
  const value = parseStrtodBound(exclusive ? s.slice(1) : s);
  return value === null ? null : { value, exclusive };
}

export function scoreAboveMin(score: number, r: ScoreRange): boolean {
  return r.minExclusive ? score > r.min : score >= r.min;
}

export function scoreBelowMax(score: number, r: ScoreRange): boolean {
  return r.maxExclusive ? score < r.max : score <= r.max;
}

/** True when no score can be in the range (zslIsInRange's first test). */
export function scoreRangeEmpty(r: ScoreRange): boolean {
  return r.min > r.max || (r.min === r.max && (r.minExclusive || r.maxExclusive));
}

/** A lexicographic bound: "-" (below everything), "+" (above everything), or a string. */
export interface LexBound {
  /** -1 for "-", 1 for "+", 0 for a string bound. */
  readonly infinite: -1 | 0 | 1;
  readonly text: string;
  readonly exclusive: boolean;
}

export interface LexRange {
  readonly min: LexBound;
  readonly max: LexBound;
}

/** ZRANGEBYLEX bounds: "[x" inclusive, "(x" exclusive, "-" and "+". Null when either is invalid. */
export function parseLexRange(min: string, max: string): LexRange | null {
  const lo = parseLexBound(min);
  const hi = parseLexBound(max);
  return lo === null || hi === null ? null : { min: lo, max: hi };
}

function parseLexBound(s: string): LexBound | null {
  // Redis reads these as C strings: "+" or "-" must be followed by the end or a NUL byte.
  const alone = s.length === 1 || s.charCodeAt(1) === 0;
  switch (s[0]) {
    case '+':
      return alone ? { infinite: 1, text: '', exclusive: true } : null;
    case '-':
      return alone ? { infinite: -1, text: '', exclusive: true } : null;
    case '(':
      return { infinite: 0, text: s.slice(1), exclusive: true };
    case '[':
      return { infinite: 0, text: s.slice(1), exclusive: false };
    default:
      return null;
  }
}

/** Compares a bound with a member (or two bounds): "-" is below all, "+" above all. */
function compareLex(a: LexBound, b: string | LexBound): number {
  const bInf = typeof b === 'string' ? 0 : b.infinite;
  if (a.infinite !== 0 || bInf !== 0) {
    if (a.infinite === bInf) return 0; // the same shared sentinel, as Redis compares pointers
    return a.infinite === -1 || bInf === 1 ? -1 : 1;
  }
  const bText = typeof b === 'string' ? b : b.text;
  return a.text < bText ? -1 : a.text > bText ? 1 : 0;
}

export function lexAboveMin(member: string, r: LexRange): boolean {
  const c = -compareLex(r.min, member);
  return r.min.exclusive ? c > 0 : c >= 0;
}

export function lexBelowMax(member: string, r: LexRange): boolean {
  const c = -compareLex(r.max, member);
  return r.max.exclusive ? c < 0 : c <= 0;
}

/** True when no member can be in the range (zslIsInLexRange's first test). */
export function lexRangeEmpty(r: LexRange): boolean {
  const c = compareLex(r.min, r.max);
  return c > 0 || (c === 0 && (r.min.exclusive || r.max.exclusive));
}

// ---------------------------------------------------------------------------------------------
// DUMP codec

/**
 * DUMP body (tag 4): varint(member count), then per entry in (score, member) order the member as
 * a length-prefixed string and the score as an 8-byte little-endian IEEE double. The order makes
 * the payload canonical; reading requires it (strictly ascending, so no repeated member), refuses
 * an empty set and NaN scores, and picks the encoding as Redis's loader does: compact when the
 * set fits the listpack bounds.
 */
export const zsetType: TypeOps = {
  tag: 4,
  clone: (value) => (value as ZSet).clone(),
  encode: (value, out: PayloadWriter) => {
    const z = value as ZSet;
    const { members, scores } = z.toArrays();
    out.varint(members.length);
    for (let i = 0; i < members.length; i++) {
      out.string(members[i]!);
      out.double(scores[i]!);
    }
  },
  decode: (input: PayloadReader) => {
    const count = input.varint();
    if (count === 0) throw new MalformedPayload('empty zset');
    const members: string[] = [];
    const scores: number[] = [];
    for (let i = 0; i < count; i++) {
      const member = input.string();
      const score = input.double();
      if (Number.isNaN(score)) throw new MalformedPayload('NaN score');
      if (i > 0 && compareEntries(scores[i - 1]!, members[i - 1]!, score, member) >= 0) {
        throw new MalformedPayload('zset entries out of order');
      }
      members.push(member);
      scores.push(score);
    }
    // Entries sorted by (score, member) can still repeat a member under two scores.
    if (new Set(members).size !== members.length) throw new MalformedPayload('duplicate zset member');
    return ZSet.fromSorted(members, scores);
  },
  encodingOf: (e: Entry) => (e.value as ZSet).encoding,
  memoryOf: (value) => (value as ZSet).bytes,
};
