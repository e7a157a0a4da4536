// List commands (Redis t_list.c): pushes and pops at both ends, index and range access,
// LINSERT/LREM/LTRIM/LPOS, the moves (LMOVE, RPOPLPUSH), LMPOP, and the blocking variants
// BLPOP, BRPOP, BLMOVE, BRPOPLPUSH and BLMPOP.
//
// Values are ListValue deques (src/core/types/list.ts). A list whose last element goes is
// removed from the key space at once, with a "del" event, as Redis does.
//
// Effects: every list write is deterministic, so most commands log their own argv. LMPOP and
// the blocking commands log the concrete non-blocking form of what they did: BLPOP -> LPOP key,
// BRPOP -> RPOP key, BLMOVE -> LMOVE src dst from to, BRPOPLPUSH -> RPOPLPUSH src dst, and
// LMPOP/BLMPOP -> LMPOP 1 key LEFT|RIGHT COUNT n with n the number of elements popped (Redis
// logs the last two as LPOP/RPOP key n; both replay to the same state, this form keeps the
// command's name in the log).
//
// Blocking: a blocking command parses its arguments (errors first), then serves from the first
// non-empty key in order. When nothing can be served it parks the client with ctx.block, or,
// where blocking is not allowed (inside MULTI), answers its timeout reply at once. When a key
// becomes ready the engine runs the same command line again.
import * as errors from '../errors.js';
import type { Entry } from '../keyspace.js';
import { parseLongDouble } from '../long-double.js';
import { INT64_MAX, INT64_MIN, parseI64, parseInteger } from '../numbers.js';
import { array, bulk, bulks, EMPTY_ARRAY, int, isError, NIL, NIL_ARRAY, OK, ZERO, type Reply } from '../reply.js';
import { ListValue } from '../types/list.js';
import { isWord, propagateAs, written, type CommandSpec, type CoreContext } from './spec.js';

// ---------------------------------------------------------------------------------------
// Shared pieces

/** Which end of a list: LEFT is the head (index 0), RIGHT the tail. */
type End = 'left' | 'right';

function endWord(end: End): string {
  return end === 'left' ? 'LEFT' : 'RIGHT';
}

/** Parses LEFT/RIGHT (any case); null for anything else (Redis's syntax error). */
function parseEnd(arg: string): End | null {
  if (isWord(arg, 'LEFT')) return 'left';
  if (isWord(arg, 'RIGHT')) return 'right';
  return null;
}

function isList(e: Entry): boolean {
  return e.type === 'list';
}

function listOf(e: Entry): ListValue {
  return e.value as ListValue;
}

/** A read lookup (hits and misses counted): the entry, undefined when missing, or WRONGTYPE. */
function readList(ctx: CoreContext, key: string): Entry | undefined | Reply {
  const e = ctx.db.lookupRead(key);
  if (e !== undefined && !isList(e)) return errors.wrongType();
  return e;
}

/** A write lookup: the entry, undefined when missing, or WRONGTYPE. */
function writeList(ctx: CoreContext, key: string): Entry | undefined | Reply {
  const e = ctx.db.lookupWrite(key);
  if (e !== undefined && !isList(e)) return errors.wrongType();
  return e;
}

function isReply(r: Entry | undefined | Reply): r is Reply {
  return r !== undefined && (r as Entry).key === undefined;
}

function popEnd(list: ListValue, end: End): string {
  return (end === 'left' ? list.popFront() : list.popBack())!;
}

function pushEnd(list: ListValue, end: End, value: string): void {
  if (end === 'left') list.pushFront(value);
  else list.pushBack(value);
}

/** Pops up to `count` elements from one end, in pop order. */
function popMany(list: ListValue, end: End, count: number): string[] {
  const n = Math.min(count, list.length);
  const out = new Array<string>(n);
  for (let i = 0; i < n; i++) out[i] = popEnd(list, end);
  return out;
}

/**
 * Housekeeping after popping `n` elements (Redis listElementsRemoved): the lpop/rpop event,
 * the key removed with a "del" event when the list is empty, WATCH signalled, dirty counted.
 */
function afterPop(ctx: CoreContext, e: Entry, end: End, n: number): void {
  const key = e.key;
  ctx.ks.notify(ctx.db.id, end === 'left' ? 'lpop' : 'rpop', key);
  deleteIfEmpty(ctx, e);
  ctx.db.touch(key);
  ctx.ks.dirty += n;
}

/** Removes a list whose last element went, with Redis's "del" event. */
function deleteIfEmpty(ctx: CoreContext, e: Entry): boolean {
  if (listOf(e).length !== 0) return false;
  ctx.db.delete(e.key);
  ctx.ks.notify(ctx.db.id, 'del', e.key);
  return true;
}

/** The list at a key for a push, created (and added to the key space) when missing. */
function listForPush(ctx: CoreContext, key: string, existing: Entry | undefined): ListValue {
  if (existing !== undefined) return listOf(existing);
  const list = new ListValue();
  ctx.db.add(key, 'list', list);
  return list;
}

/** Redis's getLongFromObjectOrReply for an index or count: an int64, or "not an integer". */
function parseIndex(arg: string): number | null {
  return parseInteger(arg);
}

/**
 * Resolves an inclusive [start, end] range with negative indexes counting from the tail, as
 * LRANGE and LTRIM do; null when the range is empty.
 */
function resolveRange(start: number, end: number, length: number): [number, number] | null {
  let s = start < 0 ? length + start : start;
  let e = end < 0 ? length + end : end;
  if (s < 0) s = 0;
  if (s > e || s >= length) return null;
  if (e >= length) e = length - 1;
  return [s, e];
}

// ---------------------------------------------------------------------------------------
// The timeout argument of the blocking commands (Redis getTimeoutFromObjectOrReply, seconds)

/**
 * Parses a blocking command's timeout in seconds into milliseconds, 0 meaning "wait forever",
 * exactly as Redis 7.0 on x86-64: the text is read as an 80-bit long double (strtold rules),
 * multiplied by 1000 in long-double precision, rounded up (ceill) and cast to a 64-bit integer;
 * a value the cast cannot hold (infinity, beyond int64) becomes INT64_MIN, hence "negative".
 * So "0.0001" waits 1 ms, "-0.0001" waits forever (ceil gives -0), "inf" is negative.
 */
export function parseBlockingTimeout(arg: string): number | Reply {
  const ld = parseLongDouble(arg);
  if (ld === null || ld.kind === 'nan') return errors.timeoutNotFloat();
  if (ld.kind === 'zero') return 0;
  if (ld.kind === 'inf') return errors.timeoutNegative();
  const ms = ceilTimesThousand(ld.neg, ld.mant, ld.exp);
  if (ms > INT64_MAX || ms < INT64_MIN || ms < 0n) return errors.timeoutNegative();
  return Number(ms);
}

/** Significand bits of the x87 long double. */
const LONG_DOUBLE_MANT_BITS = 64;

/** ceil(±mant·2^exp · 1000) with the product rounded to a long double first (ties to even). */
function ceilTimesThousand(neg: boolean, mant: bigint, exp: number): bigint {
  let p = mant * 1000n;
  let e = exp;
  const extra = p.toString(2).length - LONG_DOUBLE_MANT_BITS;
  if (extra > 0) {
    const shift = BigInt(extra);
    const half = 1n << (shift - 1n);
    const rest = p & ((1n << shift) - 1n);
    p >>= shift;
    if (rest > half || (rest === half && (p & 1n) === 1n)) p += 1n;
    e += extra;
  }
  if (e >= 0) {
    const whole = p << BigInt(e);
    return neg ? -whole : whole;
  }
  const shift = BigInt(-e);
  const whole = p >> shift;
  const fractional = (p & ((1n << shift) - 1n)) !== 0n;
  // ceil rounds a positive value up and a negative one towards zero.
  if (neg) return -whole;
  return fractional ? whole + 1n : whole;
}

function isTimeout(r: number | Reply): r is number {
  return typeof r === 'number';
}

// ---------------------------------------------------------------------------------------
// Pushes (Redis pushGenericCommand)

function pushGeneric(ctx: CoreContext, argv: string[], end: End, onlyIfExists: boolean): Reply {
  const key = argv[1]!;
  const found = writeList(ctx, key);
  if (isReply(found)) return found;
  if (found === undefined && onlyIfExists) return ZERO;
  const list = listForPush(ctx, key, found);
  for (let i = 2; i < argv.length; i++) pushEnd(list, end, argv[i]!);
  ctx.db.touch(key);
  ctx.ks.notify(ctx.db.id, end === 'left' ? 'lpush' : 'rpush', key);
  written(ctx, argv.length - 2);
  return int(list.length);
}

// ---------------------------------------------------------------------------------------
// LPOP / RPOP (Redis popGenericCommand)

function popCommand(ctx: CoreContext, argv: string[], end: End): Reply {
  // The declared arity is -2 so that the count is optional; more than one extra word is an arity error.
  if (argv.length > 3) return errors.wrongArity(end === 'left' ? 'lpop' : 'rpop');
  const hasCount = argv.length === 3;
  let count = 0;
  if (hasCount) {
    const n = parseI64(argv[2]!);
    if (n === null || n < 0n) return errors.setCountNotPositive();
    count = Number(n);
  }
  const found = writeList(ctx, argv[1]!);
  if (isReply(found)) return found;
  if (found === undefined) return hasCount ? NIL_ARRAY : NIL;
  if (hasCount && count === 0) return EMPTY_ARRAY;
  const list = listOf(found);
  if (!hasCount) {
    const value = popEnd(list, end);
    afterPop(ctx, found, end, 1);
    return bulk(value);
  }
  const popped = popMany(list, end, count);
  afterPop(ctx, found, end, popped.length);
  return bulks(popped);
}

// ---------------------------------------------------------------------------------------
// Reads: LLEN, LINDEX, LRANGE, LPOS

function llenCommand(ctx: CoreContext, argv: string[]): Reply {
  const found = readList(ctx, argv[1]!);
  if (isReply(found)) return found;
  return found === undefined ? ZERO : int(listOf(found).length);
}

function lindexCommand(ctx: CoreContext, argv: string[]): Reply {
  const found = readList(ctx, argv[1]!);
  if (isReply(found)) return found;
  if (found === undefined) return NIL;
  const index = parseIndex(argv[2]!);
  if (index === null) return errors.notInteger();
  const list = listOf(found);
  const value = list.at(index < 0 ? list.length + index : index);
  return value === undefined ? NIL : bulk(value);
}

function lrangeCommand(ctx: CoreContext, argv: string[]): Reply {
  const start = parseIndex(argv[2]!);
  const end = parseIndex(argv[3]!);
  if (start === null || end === null) return errors.notInteger();
  const found = readList(ctx, argv[1]!);
  if (isReply(found)) return found;
  if (found === undefined) return EMPTY_ARRAY;
  const list = listOf(found);
  const range = resolveRange(start, end, list.length);
  return range === null ? EMPTY_ARRAY : bulks(list.range(range[0], range[1]));
}

interface LposOptions {
  /** The match to start from, 1-based, counted from the head or (fromTail) from the tail. */
  rank: number;
  fromTail: boolean;
  /** -1 when COUNT was not given; 0 means every match. */
  count: number;
  /** Elements to look at at most; 0 means all. */
  maxlen: number;
  /**
   * RANK -9223372036854775808: Redis negates it in place, which overflows and leaves it
   * negative, so every match qualifies and the COUNT limit is never reached.
   */
  countUnbounded: boolean;
}

function parseLposOptions(argv: readonly string[]): LposOptions | Reply {
  let rank = 1n;
  let count = -1;
  let maxlen = 0;
  for (let j = 3; j < argv.length; j++) {
    const word = argv[j]!;
    const hasValue = j + 1 < argv.length;
    if (isWord(word, 'RANK') && hasValue) {
      const r = parseI64(argv[++j]!);
      if (r === null) return errors.notInteger();
      if (r === 0n) return errors.lposRankZero();
      rank = r;
    } else if (isWord(word, 'COUNT') && hasValue) {
      const c = parseI64(argv[++j]!);
      if (c === null || c < 0n) return errors.lposCountNegative();
      count = Number(c);
    } else if (isWord(word, 'MAXLEN') && hasValue) {
      const m = parseI64(argv[++j]!);
      if (m === null || m < 0n) return errors.lposMaxlenNegative();
      maxlen = Number(m);
    } else {
      return errors.syntax();
    }
  }
  const countUnbounded = rank === INT64_MIN;
  const fromTail = rank < 0n;
  return { rank: countUnbounded ? 1 : Number(fromTail ? -rank : rank), fromTail, count, maxlen, countUnbounded };
}

function isLposOptions(r: LposOptions | Reply): r is LposOptions {
  return (r as LposOptions).rank !== undefined;
}

function lposCommand(ctx: CoreContext, argv: string[]): Reply {
  const opts = parseLposOptions(argv);
  if (!isLposOptions(opts)) return opts;
  const found = readList(ctx, argv[1]!);
  if (isReply(found)) return found;
  const withCount = opts.count !== -1;
  if (found === undefined) return withCount ? EMPTY_ARRAY : NIL;
  const positions = findPositions(listOf(found), argv[2]!, opts);
  if (withCount) return array(positions.map((p) => int(p)));
  return positions.length === 0 ? NIL : int(positions[0]!);
}

/** The indexes LPOS answers: the rank-th match on, up to COUNT of them (one without COUNT). */
function findPositions(list: ListValue, element: string, opts: LposOptions): number[] {
  const out: number[] = [];
  const length = list.length;
  const wanted = opts.count === -1 ? 1 : opts.count;
  let matches = 0;
  for (let scanned = 0; scanned < length && (opts.maxlen === 0 || scanned < opts.maxlen); scanned++) {
    const index = opts.fromTail ? length - 1 - scanned : scanned;
    if (list.at(index) !== element) continue;
    matches++;
    if (matches < opts.rank) continue;
    out.push(index);
    if (opts.countUnbounded && opts.count !== -1) continue;
    if (wanted !== 0 && out.length >= wanted) break;
  }
  return out;
}

// ---------------------------------------------------------------------------------------
// In-place edits: LSET, LINSERT, LREM, LTRIM

function lsetCommand(ctx: CoreContext, argv: string[]): Reply {
  const key = argv[1]!;
  const found = writeList(ctx, key);
  if (isReply(found)) return found;
  if (found === undefined) return errors.noSuchKey();
  const index = parseIndex(argv[2]!);
  if (index === null) return errors.notInteger();
  const list = listOf(found);
  if (!list.set(index < 0 ? list.length + index : index, argv[3]!)) return errors.indexOutOfRange();
  ctx.db.touch(key);
  ctx.ks.notify(ctx.db.id, 'lset', key);
  written(ctx);
  return OK;
}

function linsertCommand(ctx: CoreContext, argv: string[]): Reply {
  const where = argv[2]!;
  const after = isWord(where, 'AFTER');
  if (!after && !isWord(where, 'BEFORE')) return errors.syntax();
  const key = argv[1]!;
  const found = writeList(ctx, key);
  if (isReply(found)) return found;
  if (found === undefined) return ZERO;
  const list = listOf(found);
  const pivot = list.indexOf(argv[3]!);
  if (pivot < 0) return int(-1);
  list.insertAt(after ? pivot + 1 : pivot, argv[4]!);
  ctx.db.touch(key);
  ctx.ks.notify(ctx.db.id, 'linsert', key);
  written(ctx);
  return int(list.length);
}

function lremCommand(ctx: CoreContext, argv: string[]): Reply {
  const toRemove = parseIndex(argv[2]!);
  if (toRemove === null) return errors.notInteger();
  const key = argv[1]!;
  const found = writeList(ctx, key);
  if (isReply(found)) return found;
  if (found === undefined) return ZERO;
  const limit = toRemove === 0 ? Infinity : Math.abs(toRemove);
  const removed = listOf(found).removeMatching(argv[3]!, limit, toRemove < 0);
  if (removed > 0) {
    ctx.db.touch(key);
    ctx.ks.notify(ctx.db.id, 'lrem', key);
  }
  deleteIfEmpty(ctx, found);
  written(ctx, removed);
  return int(removed);
}

function ltrimCommand(ctx: CoreContext, argv: string[]): Reply {
  const start = parseIndex(argv[2]!);
  const end = parseIndex(argv[3]!);
  if (start === null || end === null) return errors.notInteger();
  const key = argv[1]!;
  const found = writeList(ctx, key);
  if (isReply(found)) return found;
  if (found === undefined) return OK;
  const list = listOf(found);
  const length = list.length;
  const range = resolveRange(start, end, length);
  const fromHead = range === null ? length : range[0];
  const fromTail = range === null ? 0 : length - range[1] - 1;
  list.dropFront(fromHead);
  list.dropBack(fromTail);
  // Redis signals the key and sends the event even when nothing was trimmed.
  ctx.ks.notify(ctx.db.id, 'ltrim', key);
  deleteIfEmpty(ctx, found);
  ctx.db.touch(key);
  written(ctx, fromHead + fromTail);
  return OK;
}

// ---------------------------------------------------------------------------------------
// LMOVE / RPOPLPUSH (Redis lmoveGenericCommand) and their blocking forms

/**
 * Moves one element from an end of `src` to an end of `dst`; nil when `src` is missing. The
 * destination's type is checked before anything moves. Both keys may be the same list.
 */
function moveGeneric(ctx: CoreContext, src: string, dst: string, from: End, to: End): Reply {
  const source = writeList(ctx, src);
  if (isReply(source)) return source;
  if (source === undefined) return NIL;
  return moveFrom(ctx, source, dst, from, to);
}

function moveFrom(ctx: CoreContext, source: Entry, dst: string, from: End, to: End): Reply {
  const target = writeList(ctx, dst);
  if (isReply(target)) return target;
  const value = popEnd(listOf(source), from);
  // The push comes first: with src == dst a one-element list must not be deleted in between.
  pushEnd(listForPush(ctx, dst, target), to, value);
  ctx.db.touch(dst);
  ctx.ks.notify(ctx.db.id, to === 'left' ? 'lpush' : 'rpush', dst);
  ctx.ks.notify(ctx.db.id, from === 'left' ? 'lpop' : 'rpop', source.key);
  deleteIfEmpty(ctx, source);
  ctx.db.touch(source.key);
  ctx.ks.dirty += 1;
  return bulk(value);
}

function lmoveCommand(ctx: CoreContext, argv: string[]): Reply {
  const from = parseEnd(argv[3]!);
  const to = parseEnd(argv[4]!);
  if (from === null || to === null) return errors.syntax();
  return moveGeneric(ctx, argv[1]!, argv[2]!, from, to);
}

function rpoplpushCommand(ctx: CoreContext, argv: string[]): Reply {
  return moveGeneric(ctx, argv[1]!, argv[2]!, 'right', 'left');
}

/**
 * BLMOVE and BRPOPLPUSH (Redis blmoveGenericCommand): a plain move when the source has
 * elements, else a wait on the source key. The effect is the non-blocking command.
 */
function blockingMove(ctx: CoreContext, argv: string[], from: End, to: End, timeoutArg: string, asRpoplpush: boolean): Reply {
  const timeout = parseBlockingTimeout(timeoutArg);
  if (!isTimeout(timeout)) return timeout;
  const src = argv[1]!;
  const dst = argv[2]!;
  const source = writeList(ctx, src);
  if (isReply(source)) return source;
  if (source === undefined) {
    // Inside MULTI Redis answers a plain nil here; a wait that times out answers a nil array.
    if (!ctx.blockingAllowed) return NIL;
    return ctx.block([src], timeout, NIL_ARRAY, 'list');
  }
  const reply = moveFrom(ctx, source, dst, from, to);
  if (!isError(reply)) {
    // moveFrom counted the write; this only replaces the logged command line.
    propagateAs(ctx, asRpoplpush ? ['RPOPLPUSH', src, dst] : ['LMOVE', src, dst, endWord(from), endWord(to)], 0);
  }
  return reply;
}

function blmoveCommand(ctx: CoreContext, argv: string[]): Reply {
  const from = parseEnd(argv[3]!);
  const to = parseEnd(argv[4]!);
  if (from === null || to === null) return errors.syntax();
  return blockingMove(ctx, argv, from, to, argv[5]!, false);
}

function brpoplpushCommand(ctx: CoreContext, argv: string[]): Reply {
  return blockingMove(ctx, argv, 'right', 'left', argv[3]!, true);
}

// ---------------------------------------------------------------------------------------
// LMPOP / BLMPOP (Redis lmpopGenericCommand) and BLPOP / BRPOP (blockingPopGenericCommand)

interface MpopArgs {
  keys: string[];
  end: End;
  count: number;
}

/** Parses `numkeys key [key ...] LEFT|RIGHT [COUNT count]` starting at argv[numkeysAt]. */
function parseMpop(argv: readonly string[], numkeysAt: number): MpopArgs | Reply {
  const numkeys = parseI64(argv[numkeysAt]!);
  if (numkeys === null || numkeys < 1n) return errors.setNumkeysNotPositive();
  if (numkeys >= BigInt(argv.length - numkeysAt - 1)) return errors.syntax();
  const endAt = numkeysAt + Number(numkeys) + 1;
  const end = parseEnd(argv[endAt]!);
  if (end === null) return errors.syntax();
  let count = -1;
  for (let j = endAt + 1; j < argv.length; j++) {
    if (count === -1 && isWord(argv[j]!, 'COUNT') && j + 1 < argv.length) {
      const n = parseI64(argv[++j]!);
      if (n === null || n < 1n) return errors.mpopCountNotPositive();
      count = Number(n);
    } else {
      return errors.syntax();
    }
  }
  return { keys: argv.slice(numkeysAt + 1, endAt), end, count: count === -1 ? 1 : count };
}

function isMpopArgs(r: MpopArgs | Reply): r is MpopArgs {
  return (r as MpopArgs).keys !== undefined;
}

/**
 * The first key among `keys` that holds a non-empty list; undefined when none does, or
 * WRONGTYPE as soon as a key (before any list) holds another type.
 */
function firstNonEmpty(ctx: CoreContext, keys: readonly string[]): Entry | undefined | Reply {
  // Woken by a key becoming ready: serve from that key first, as Redis 7.0 does.
  if (ctx.readyKey !== null && keys.includes(ctx.readyKey)) {
    const woke = writeList(ctx, ctx.readyKey);
    if (woke !== undefined && !isReply(woke) && listOf(woke).length > 0) return woke;
  }
  for (const key of keys) {
    const found = writeList(ctx, key);
    if (found === undefined) continue;
    if (isReply(found)) return found;
    if (listOf(found).length > 0) return found;
  }
  return undefined;
}

/** Pops up to `count` from the first non-empty list: [key, [elements]], logged as LMPOP 1 key. */
function mpopServe(ctx: CoreContext, e: Entry, end: End, count: number): Reply {
  const key = e.key;
  const popped = popMany(listOf(e), end, count);
  afterPop(ctx, e, end, 0);
  propagateAs(ctx, ['LMPOP', '1', key, endWord(end), 'COUNT', String(popped.length)], popped.length);
  return array([bulk(key), bulks(popped)]);
}

function lmpopCommand(ctx: CoreContext, argv: string[]): Reply {
  const args = parseMpop(argv, 1);
  if (!isMpopArgs(args)) return args;
  const found = firstNonEmpty(ctx, args.keys);
  if (isReply(found)) return found;
  if (found === undefined) return NIL_ARRAY;
  return mpopServe(ctx, found, args.end, args.count);
}

function blmpopCommand(ctx: CoreContext, argv: string[]): Reply {
  const args = parseMpop(argv, 2);
  if (!isMpopArgs(args)) return args;
  const timeout = parseBlockingTimeout(argv[1]!);
  if (!isTimeout(timeout)) return timeout;
  const found = firstNonEmpty(ctx, args.keys);
  if (isReply(found)) return found;
  if (found !== undefined) return mpopServe(ctx, found, args.end, args.count);
  if (!ctx.blockingAllowed) return NIL_ARRAY;
  return ctx.block(args.keys, timeout, NIL_ARRAY, 'list');
}

/** BLPOP / BRPOP: [key, element] from the first non-empty list, logged as LPOP/RPOP key. */
function blockingPop(ctx: CoreContext, argv: string[], end: End): Reply {
  const timeout = parseBlockingTimeout(argv[argv.length - 1]!);
  if (!isTimeout(timeout)) return timeout;
  const keys = argv.slice(1, -1);
  const found = firstNonEmpty(ctx, keys);
  if (isReply(found)) return found;
  if (found === undefined) {
    if (!ctx.blockingAllowed) return NIL_ARRAY;
    return ctx.block(keys, timeout, NIL_ARRAY, 'list');
  }
  const value = popEnd(listOf(found), end);
  afterPop(ctx, found, end, 0);
  propagateAs(ctx, [end === 'left' ? 'LPOP' : 'RPOP', found.key]);
  return array([bulk(found.key), bulk(value)]);
}

// ---------------------------------------------------------------------------------------
// Declarations

const base = { group: 'list', acl: ['list'] } as const;
const oneKey = { first: 1, last: 1, step: 1 } as const;
const twoKeys = { first: 1, last: 2, step: 1 } as const;
const noFixedKeys = { first: 0, last: 0, step: 0 } as const;

/** Key positions of LMPOP / BLMPOP: `numkeys` keys after the numkeys argument. */
function mpopKeys(numkeysAt: number): (argv: readonly string[]) => number[] {
  return (argv) => {
    const n = parseI64(argv[numkeysAt] ?? '');
    if (n === null || n < 1n || n > BigInt(argv.length - numkeysAt - 1)) return [];
    return Array.from({ length: Number(n) }, (_, i) => numkeysAt + 1 + i);
  };
}

export const listCommands: CommandSpec[] = [
  {
    ...base, name: 'lpush', arity: -3, flags: ['write', 'denyoom', 'fast'], keys: oneKey, since: '1.0.0',
    summary: 'Adds elements at the head of a list, creating it when missing; returns the new length.',
    complexity: 'O(1) per element', syntax: 'LPUSH key element [element ...]',
    handler: (ctx, argv) => pushGeneric(ctx, argv, 'left', false),
  },
  {
    ...base, name: 'rpush', arity: -3, flags: ['write', 'denyoom', 'fast'], keys: oneKey, since: '1.0.0',
    summary: 'Adds elements at the tail of a list, creating it when missing; returns the new length.',
    complexity: 'O(1) per element', syntax: 'RPUSH key element [element ...]',
    handler: (ctx, argv) => pushGeneric(ctx, argv, 'right', false),
  },
  {
    ...base, name: 'lpushx', arity: -3, flags: ['write', 'denyoom', 'fast'], keys: oneKey, since: '2.2.0',
    summary: 'Adds elements at the head of a list only when the list exists; returns the new length (0 when missing).',
    complexity: 'O(1) per element', syntax: 'LPUSHX key element [element ...]',
    handler: (ctx, argv) => pushGeneric(ctx, argv, 'left', true),
  },
  {
    ...base, name: 'rpushx', arity: -3, flags: ['write', 'denyoom', 'fast'], keys: oneKey, since: '2.2.0',
    summary: 'Adds elements at the tail of a list only when the list exists; returns the new length (0 when missing).',
    complexity: 'O(1) per element', syntax: 'RPUSHX key element [element ...]',
    handler: (ctx, argv) => pushGeneric(ctx, argv, 'right', true),
  },
  {
    ...base, name: 'lpop', arity: -2, flags: ['write', 'fast'], keys: oneKey, since: '1.0.0',
    summary: 'Removes and returns the first element of a list, or the first count elements as an array.',
    complexity: 'O(N) where N is the number of elements returned', syntax: 'LPOP key [count]',
    handler: (ctx, argv) => popCommand(ctx, argv, 'left'),
  },
  {
    ...base, name: 'rpop', arity: -2, flags: ['write', 'fast'], keys: oneKey, since: '1.0.0',
    summary: 'Removes and returns the last element of a list, or the last count elements as an array, tail first.',
    complexity: 'O(N) where N is the number of elements returned', syntax: 'RPOP key [count]',
    handler: (ctx, argv) => popCommand(ctx, argv, 'right'),
  },
  {
    ...base, name: 'llen', arity: 2, flags: ['readonly', 'fast'], keys: oneKey, since: '1.0.0',
    summary: 'Returns the number of elements of a list (0 when missing).',
    complexity: 'O(1)', syntax: 'LLEN key',
    handler: llenCommand,
  },
  {
    ...base, name: 'lrange', arity: 4, flags: ['readonly'], keys: oneKey, since: '1.0.0',
    summary: 'Returns the elements between two inclusive indexes; negative indexes count from the tail.',
    complexity: 'O(N) where N is the number of elements returned', syntax: 'LRANGE key start stop',
    handler: lrangeCommand,
  },
  {
    ...base, name: 'lindex', arity: 3, flags: ['readonly'], keys: oneKey, since: '1.0.0',
    summary: 'Returns the element at an index (negative counts from the tail), or nil when out of range.',
    complexity: 'O(1): the list is a ring buffer', syntax: 'LINDEX key index',
    handler: lindexCommand,
  },
  {
    ...base, name: 'lset', arity: 4, flags: ['write', 'denyoom'], keys: oneKey, since: '1.0.0',
    summary: 'Replaces the element at an index (negative counts from the tail); an error when out of range.',
    complexity: 'O(1): the list is a ring buffer', syntax: 'LSET key index element',
    handler: lsetCommand,
  },
  {
    ...base, name: 'linsert', arity: 5, flags: ['write', 'denyoom'], keys: oneKey, since: '2.2.0',
    summary: 'Inserts an element before or after the first occurrence of a pivot; returns the new length, or -1 without the pivot.',
    complexity: 'O(N) to find the pivot, plus moving the shorter side of the list',
    syntax: 'LINSERT key <BEFORE | AFTER> pivot element',
    handler: linsertCommand,
  },
  {
    ...base, name: 'lrem', arity: 4, flags: ['write'], keys: oneKey, since: '1.0.0',
    summary: 'Removes up to count occurrences of an element, from the head (count > 0), the tail (count < 0), or all (0).',
    complexity: 'O(N) where N is the length of the list', syntax: 'LREM key count element',
    handler: lremCommand,
  },
  {
    ...base, name: 'ltrim', arity: 4, flags: ['write'], keys: oneKey, since: '1.0.0',
    summary: 'Keeps only the elements between two inclusive indexes, removing the key when nothing remains.',
    complexity: 'O(N) where N is the number of elements removed', syntax: 'LTRIM key start stop',
    handler: ltrimCommand,
  },
  {
    ...base, name: 'lpos', arity: -3, flags: ['readonly'], keys: oneKey, since: '6.0.6',
    summary: 'Returns the index of matching elements, from a given match on, scanning from either end, optionally within a bound.',
    complexity: 'O(N) where N is the number of elements scanned',
    syntax: 'LPOS key element [RANK rank] [COUNT num-matches] [MAXLEN len]',
    handler: lposCommand,
  },
  {
    ...base, name: 'lmove', arity: 5, flags: ['write', 'denyoom'], keys: twoKeys, since: '6.2.0',
    summary: 'Pops an element from one end of a list and pushes it at one end of another (or the same) list; returns it.',
    complexity: 'O(1)', syntax: 'LMOVE source destination <LEFT | RIGHT> <LEFT | RIGHT>',
    handler: lmoveCommand,
  },
  {
    ...base, name: 'rpoplpush', arity: 3, flags: ['write', 'denyoom'], keys: twoKeys, since: '1.2.0',
    summary: 'Pops the last element of a list and pushes it at the head of another list; returns it (deprecated: LMOVE).',
    complexity: 'O(1)', syntax: 'RPOPLPUSH source destination',
    handler: rpoplpushCommand,
  },
  {
    ...base, name: 'lmpop', arity: -4, flags: ['write'], keys: noFixedKeys, movableKeys: mpopKeys(1), since: '7.0.0',
    summary: 'Pops up to count elements from one end of the first non-empty list among several keys; returns the key and the elements.',
    complexity: 'O(N+M) where N is the number of keys and M the number of elements returned',
    syntax: 'LMPOP numkeys key [key ...] <LEFT | RIGHT> [COUNT count]',
    handler: lmpopCommand,
  },
  {
    ...base, name: 'blpop', arity: -3, flags: ['write', 'noscript', 'blocking'], keys: { first: 1, last: -2, step: 1 }, since: '2.0.0',
    summary: 'Pops the first element of the first non-empty list among several keys, waiting until one has elements or the timeout passes.',
    complexity: 'O(N) where N is the number of keys', syntax: 'BLPOP key [key ...] timeout',
    handler: (ctx, argv) => blockingPop(ctx, argv, 'left'),
  },
  {
    ...base, name: 'brpop', arity: -3, flags: ['write', 'noscript', 'blocking'], keys: { first: 1, last: -2, step: 1 }, since: '2.0.0',
    summary: 'Pops the last element of the first non-empty list among several keys, waiting until one has elements or the timeout passes.',
    complexity: 'O(N) where N is the number of keys', syntax: 'BRPOP key [key ...] timeout',
    handler: (ctx, argv) => blockingPop(ctx, argv, 'right'),
  },
  {
    ...base, name: 'blmove', arity: 6, flags: ['write', 'denyoom', 'noscript', 'blocking'], keys: twoKeys, since: '6.2.0',
    summary: 'LMOVE that waits for the source list to have an element, up to a timeout.',
    complexity: 'O(1)', syntax: 'BLMOVE source destination <LEFT | RIGHT> <LEFT | RIGHT> timeout',
    handler: blmoveCommand,
  },
  {
    ...base, name: 'brpoplpush', arity: 4, flags: ['write', 'denyoom', 'noscript', 'blocking'], keys: twoKeys, since: '2.2.0',
    summary: 'RPOPLPUSH that waits for the source list to have an element, up to a timeout (deprecated: BLMOVE).',
    complexity: 'O(1)', syntax: 'BRPOPLPUSH source destination timeout',
    handler: brpoplpushCommand,
  },
  {
    ...base, name: 'blmpop', arity: -5, flags: ['write', 'blocking'], keys: noFixedKeys, movableKeys: mpopKeys(2), since: '7.0.0',
    summary: 'LMPOP that waits for one of the lists to have elements, up to a timeout.',
    complexity: 'O(N+M) where N is the number of keys and M the number of elements returned',
    syntax: 'BLMPOP timeout numkeys key [key ...] <LEFT | RIGHT> [COUNT count]',
    handler: blmpopCommand,
  },
];
