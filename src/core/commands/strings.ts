// String commands (Redis t_string.c): SET and its variants, the GET family, counters,
// ranges and LCS. Values are latin1 JS strings, one char per byte.
//
// Effects: every write that depends on the clock or on float formatting is logged in a
// form that replays to the same state: relative TTLs become absolute (SET ... PXAT,
// PEXPIREAT), INCRBYFLOAT becomes SET ... KEEPTTL, GETDEL becomes DEL, and a TTL that is
// already in the past becomes DEL.
import { assert } from '../assert.js';
import * as errors from '../errors.js';
import type { Entry } from '../keyspace.js';
import { limits } from '../limits.js';
import { incrByFloat } from '../long-double.js';
import { INT64_MAX, INT64_MIN, parseI64, parseInteger, parseSmallInt } from '../numbers.js';
import { array, bulk, int, isError, map, NIL, OK, ONE, ZERO, type Reply } from '../reply.js';
import { effectsWanted, isWord, NO_EFFECT, propagateAs, upperCased, written, type CommandSpec, type CoreContext } from './spec.js';

const EMPTY_BULK = bulk('');

// ---------------------------------------------------------------------------------------
// Shared pieces

/** String commands refuse keys of any other type with WRONGTYPE. */
function isString(e: Entry): boolean {
  return e.type === 'string';
}

/**
 * What GET replies for a key: nil when missing, WRONGTYPE for another type, else the
 * value. A read lookup (keyspace hits and misses), as Redis's getGenericCommand. GET's handler;
 * the embedded typed db.get runs the same lookup (stringForGet).
 */
export function readForGet(ctx: CoreContext, key: string): Reply {
  // stringForGet's steps, written out: one call level less keeps the key space's lookup inlined
  // into GET's handler (measured: ~250 more instructions per GET with the call).
  const e = ctx.db.lookupRead(key);
  if (e === undefined) return NIL;
  if (!isString(e)) return errors.wrongType();
  return bulk(e.value as string);
}

/**
 * readForGet's lookup, for the embedded typed db.get: the entry of a string key, undefined when
 * missing, null for another type (WRONGTYPE).
 */
export function stringForGet(ctx: CoreContext, key: string): Entry | undefined | null {
  const e = ctx.db.lookupRead(key);
  if (e === undefined) return undefined;
  return isString(e) ? e : null;
}

/** The bound a string value may grow to: proto-max-bulk-len, and what V8 can hold. */
function tooLong(length: number): boolean {
  return length > limits.protoMaxBulkLenBytes || length > limits.stringValueBytesMax;
}

/** Stores a new value in an existing string entry in place, keeping its TTL (dbOverwrite). */
function overwriteInPlace(ctx: CoreContext, e: Entry, value: string, raw: boolean, neverInt = false): void {
  e.value = value;
  e.rawEncoding = raw;
  e.neverIntEncoded = neverInt;
  e.accessedAt = ctx.ks.now;
  ctx.db.touchEntry(e);
}

// ---------------------------------------------------------------------------------------
// SET / GETEX options (Redis parseExtendedStringArgumentsOrReply)

const NX = 1 << 0;
const XX = 1 << 1;
const EX = 1 << 2;
const PX = 1 << 3;
const KEEPTTL = 1 << 4;
const GET = 1 << 5;
const EXAT = 1 << 6;
const PXAT = 1 << 7;
const PERSIST = 1 << 8;
const ANY_TTL = EX | PX | EXAT | PXAT;

interface ExtendedArgs {
  flags: number;
  /** The argument after EX/PX/EXAT/PXAT (the last one given: a repeated EX wins). */
  expire: string | null;
}

/**
 * Parses the options of SET (forSet) or GETEX. Returns null on any syntax error: unknown
 * word, a word the other command owns, conflicting options, or a TTL word with no value.
 * The same TTL word may repeat (the last value wins), as in Redis.
 */
function parseExtendedArgs(argv: readonly string[], first: number, forSet: boolean): ExtendedArgs | null {
  let flags = 0;
  let expire: string | null = null;
  for (let j = first; j < argv.length; j++) {
    const word = upperCased(argv[j]!);
    const hasNext = j + 1 < argv.length;
    let ttlFlag = 0;
    switch (word) {
      case 'NX':
        if (!forSet || flags & XX) return null;
        flags |= NX;
        continue;
      case 'XX':
        if (!forSet || flags & NX) return null;
        flags |= XX;
        continue;
      case 'GET':
        if (!forSet) return null;
        flags |= GET;
        continue;
      case 'KEEPTTL':
        if (!forSet || flags & (PERSIST | ANY_TTL)) return null;
        flags |= KEEPTTL;
        continue;
      case 'PERSIST':
        if (forSet || flags & (ANY_TTL | KEEPTTL)) return null;
        flags |= PERSIST;
        continue;
      case 'EX': ttlFlag = EX; break;
      case 'PX': ttlFlag = PX; break;
      case 'EXAT': ttlFlag = EXAT; break;
      case 'PXAT': ttlFlag = PXAT; break;
      default:
        return null;
    }
    // A TTL word: incompatible with KEEPTTL, PERSIST and the other three TTL words.
    if (!hasNext || flags & (KEEPTTL | PERSIST | (ANY_TTL & ~ttlFlag))) return null;
    flags |= ttlFlag;
    expire = argv[++j]!;
  }
  return { flags, expire };
}

/** An absolute expiry time: the ms value to store and its exact decimal text for the log. */
class AbsoluteExpiry {
  constructor(
    readonly at: number,
    /** The exact text when `at` is beyond 2^53; otherwise made from `at` when the log asks. */
    private readonly exactText: string | null,
  ) {}

  get text(): string {
    return this.exactText ?? String(this.at);
  }
}

// Below this magnitude a TTL argument times 1000 plus the clock stays an exact JS number.
const EXACT_TTL_ARG_MAX = 1e12;

/**
 * Turns the TTL argument of SET/SETEX/PSETEX/GETEX into an absolute time in ms (Redis
 * getExpireMillisecondsOrReply): not an integer -> "value is not an integer"; zero,
 * negative or overflowing int64 -> "invalid expire time in '<command>' command".
 * Beyond 2^53 the arithmetic is done on BigInt so the logged text is exact.
 */
function resolveExpiry(ctx: CoreContext, arg: string, flags: number, command: string): AbsoluteExpiry | Reply {
  const inSeconds = (flags & (EX | EXAT)) !== 0;
  const relative = (flags & (EX | PX)) !== 0;
  const small = parseSmallInt(arg);
  if (small === null) return errors.notInteger();
  if (small !== undefined && small <= EXACT_TTL_ARG_MAX) {
    if (small <= 0) return errors.invalidExpireTime(command);
    let ms = inSeconds ? small * 1000 : small;
    if (relative) ms += ctx.ks.now;
    return new AbsoluteExpiry(ms, null);
  }
  let ms = small !== undefined ? BigInt(small) : parseI64(arg)!;
  if (ms <= 0n || (inSeconds && ms > INT64_MAX / 1000n)) return errors.invalidExpireTime(command);
  if (inSeconds) ms *= 1000n;
  if (relative) ms += BigInt(ctx.ks.now);
  if (ms > INT64_MAX) return errors.invalidExpireTime(command); // Redis: overflow wraps negative
  return new AbsoluteExpiry(Number(ms), ms.toString());
}

function isExpiry(r: AbsoluteExpiry | Reply): r is AbsoluteExpiry {
  return r instanceof AbsoluteExpiry;
}

/** True when an absolute time is already due (Redis checkAlreadyExpired). */
function alreadyDue(ctx: CoreContext, at: number): boolean {
  return at <= ctx.ks.now;
}

/** Deletes a key whose new TTL is already due; the log carries a DEL. */
function deleteAsExpired(ctx: CoreContext, key: string): void {
  if (!ctx.db.delete(key)) ctx.db.touch(key);
  ctx.ks.notify(ctx.db.id, 'del', key);
  propagateAs(ctx, ['DEL', key]);
}

// ---------------------------------------------------------------------------------------
// SET and its variants (Redis setGenericCommand)

interface SetRequest {
  key: string;
  value: string;
  flags: number;
  /** The TTL argument, or null. */
  expire: string | null;
  /** The command's name for the invalid-expire error. */
  command: string;
  ok: Reply;
  aborted: Reply;
}

function setGeneric(ctx: CoreContext, argv: readonly string[], req: SetRequest): Reply {
  let expiry: AbsoluteExpiry | null = null;
  if (req.expire !== null) {
    const resolved = resolveExpiry(ctx, req.expire, req.flags, req.command);
    if (!isExpiry(resolved)) return resolved;
    expiry = resolved;
  }
  return setResolved(ctx, argv, req.key, req.value, req.flags, expiry, req.ok, req.aborted, false);
}

/**
 * SET key value, or SET key value EX/PX ttl, with the TTL already a number (the embedded typed
 * db.set): `ttl` is 0 for none, else an integer in [1, TYPED_TTL_MAX], in seconds when
 * `inSeconds`, else in milliseconds. What SET's handler does with the same words, without
 * parsing them; a TTL outside that range is the caller's to send as SET's argv (its errors).
 */
export function setTyped(ctx: CoreContext, key: string, value: string, ttl: number, inSeconds: boolean, asciiValue: boolean): Reply {
  if (ttl === 0) return setResolved(ctx, NO_EFFECT, key, value, 0, null, OK, NIL, asciiValue);
  assert(Number.isSafeInteger(ttl) && ttl > 0 && ttl <= TYPED_TTL_MAX, 'setTyped: TTL out of range');
  // resolveExpiry's small-argument branch, on the number itself.
  const expiry = new AbsoluteExpiry((inSeconds ? ttl * 1000 : ttl) + ctx.ks.now, null);
  return setResolved(ctx, NO_EFFECT, key, value, inSeconds ? EX : PX, expiry, OK, NIL, asciiValue);
}

/** The largest TTL setTyped takes: where resolveExpiry's arithmetic on a plain number is exact. */
export const TYPED_TTL_MAX = EXACT_TTL_ARG_MAX;

/**
 * setGeneric after its TTL argument was turned into an absolute time (or there was none), the
 * request in arguments rather than an object (the typed SET allocates none). `asciiValue`: the
 * caller checked that the value is ASCII (Entry.asciiValue).
 */
function setResolved(ctx: CoreContext, argv: readonly string[], key: string, value: string, flags: number, expiry: AbsoluteExpiry | null, ok: Reply, aborted: Reply, asciiValue: boolean): Reply {
  // SET ... GET replies with the old value, whether or not the write then happens.
  let old: Reply | null = null;
  if (flags & GET) {
    old = readForGet(ctx, key);
    if (isError(old)) return old;
  }
  const found = ctx.db.lookupWrite(key);
  const exists = found !== undefined;
  if ((flags & NX && exists) || (flags & XX && !exists)) return old ?? aborted;

  // A new TTL replaces the old one below: keeping it meanwhile spares the key a trip out of and
  // back into the database's set of volatile keys (a hash-table delete and insert per SET EX).
  const e = ctx.db.replace(found, key, 'string', value, (flags & KEEPTTL) !== 0 || (expiry !== null && !alreadyDue(ctx, expiry.at)));
  if (asciiValue) e.markAsciiValue();
  ctx.ks.notify(ctx.db.id, 'set', key);
  if (expiry !== null) {
    if (alreadyDue(ctx, expiry.at)) {
      deleteAsExpired(ctx, key);
    } else {
      ctx.db.setExpire(e, expiry.at);
      ctx.ks.notify(ctx.db.id, 'expire', key);
      propagateAs(ctx, effectsWanted(ctx) ? ['SET', key, value, 'PXAT', expiry.text] : NO_EFFECT);
    }
  } else if (flags & GET) {
    propagateAs(ctx, withoutGetWords(argv));
  } else {
    written(ctx);
  }
  return old ?? ok;
}

/** SET's argv without its GET words: replicas need no reply. */
function withoutGetWords(argv: readonly string[]): string[] {
  const out: string[] = [];
  for (let j = 0; j < argv.length; j++) {
    if (j >= 3 && isWord(argv[j]!, 'GET')) continue;
    out.push(argv[j]!);
  }
  return out;
}

function setCommand(ctx: CoreContext, argv: string[]): Reply {
  const args = parseExtendedArgs(argv, 3, true);
  if (args === null) return errors.syntax();
  return setGeneric(ctx, argv, {
    key: argv[1]!, value: argv[2]!, flags: args.flags, expire: args.expire, command: 'set', ok: OK, aborted: NIL,
  });
}

function setnxCommand(ctx: CoreContext, argv: string[]): Reply {
  return setGeneric(ctx, argv, { key: argv[1]!, value: argv[2]!, flags: NX, expire: null, command: 'setnx', ok: ONE, aborted: ZERO });
}

function setexCommand(ctx: CoreContext, argv: string[]): Reply {
  return setGeneric(ctx, argv, { key: argv[1]!, value: argv[3]!, flags: EX, expire: argv[2]!, command: 'setex', ok: OK, aborted: NIL });
}

function psetexCommand(ctx: CoreContext, argv: string[]): Reply {
  return setGeneric(ctx, argv, { key: argv[1]!, value: argv[3]!, flags: PX, expire: argv[2]!, command: 'psetex', ok: OK, aborted: NIL });
}

function msetGeneric(ctx: CoreContext, argv: string[], onlyIfNoneExist: boolean): Reply {
  if (argv.length % 2 === 0) return errors.wrongArity(onlyIfNoneExist ? 'msetnx' : 'mset');
  if (onlyIfNoneExist) {
    for (let j = 1; j < argv.length; j += 2) {
      if (ctx.db.lookupWrite(argv[j]!) !== undefined) return ZERO;
    }
  }
  for (let j = 1; j < argv.length; j += 2) {
    ctx.db.set(argv[j]!, 'string', argv[j + 1]!);
    ctx.ks.notify(ctx.db.id, 'set', argv[j]!);
  }
  written(ctx, (argv.length - 1) / 2);
  return onlyIfNoneExist ? ONE : OK;
}

// ---------------------------------------------------------------------------------------
// The GET family

function getCommand(ctx: CoreContext, argv: string[]): Reply {
  return readForGet(ctx, argv[1]!);
}

function getexCommand(ctx: CoreContext, argv: string[]): Reply {
  const args = parseExtendedArgs(argv, 2, false);
  if (args === null) return errors.syntax();
  const key = argv[1]!;
  const e = ctx.db.lookupRead(key);
  if (e === undefined) return NIL;
  if (!isString(e)) return errors.wrongType();
  let expiry: AbsoluteExpiry | null = null;
  if (args.expire !== null) {
    const resolved = resolveExpiry(ctx, args.expire, args.flags, 'getex');
    if (!isExpiry(resolved)) return resolved;
    expiry = resolved;
  }
  const reply = bulk(e.value as string);
  if (expiry !== null) {
    if (alreadyDue(ctx, expiry.at)) {
      deleteAsExpired(ctx, key);
    } else {
      ctx.db.setExpire(e, expiry.at); // a TTL change only: memcached flags and CAS stay
      ctx.ks.notify(ctx.db.id, 'expire', key);
      propagateAs(ctx, effectsWanted(ctx) ? ['PEXPIREAT', key, expiry.text] : NO_EFFECT);
    }
  } else if (args.flags & PERSIST && ctx.db.clearExpire(e)) {
    ctx.ks.notify(ctx.db.id, 'persist', key);
    propagateAs(ctx, ['PERSIST', key]);
  }
  return reply;
}

function getdelCommand(ctx: CoreContext, argv: string[]): Reply {
  const key = argv[1]!;
  const reply = readForGet(ctx, key);
  if (reply === NIL || isError(reply)) return reply;
  ctx.db.delete(key);
  ctx.ks.notify(ctx.db.id, 'del', key);
  propagateAs(ctx, ['DEL', key]);
  return reply;
}

function getsetCommand(ctx: CoreContext, argv: string[]): Reply {
  const key = argv[1]!;
  const value = argv[2]!;
  const reply = readForGet(ctx, key);
  if (isError(reply)) return reply;
  ctx.db.set(key, 'string', value);
  ctx.ks.notify(ctx.db.id, 'set', key);
  propagateAs(ctx, ['SET', key, value]);
  return reply;
}

function mgetCommand(ctx: CoreContext, argv: string[]): Reply {
  const out: Reply[] = new Array(argv.length - 1);
  for (let j = 1; j < argv.length; j++) {
    const e = ctx.db.lookupRead(argv[j]!);
    out[j - 1] = e !== undefined && isString(e) ? bulk(e.value as string) : NIL;
  }
  return array(out);
}

function strlenCommand(ctx: CoreContext, argv: string[]): Reply {
  const e = ctx.db.lookupRead(argv[1]!);
  if (e === undefined) return ZERO;
  if (!isString(e)) return errors.wrongType();
  return int((e.value as string).length);
}

// ---------------------------------------------------------------------------------------
// Ranges and in-place edits

/** GETRANGE and SUBSTR: inclusive byte range, negative indexes from the end, clamped. */
function getrangeCommand(ctx: CoreContext, argv: string[]): Reply {
  let start = parseInteger(argv[2]!);
  if (start === null) return errors.notInteger();
  let end = parseInteger(argv[3]!);
  if (end === null) return errors.notInteger();
  const e = ctx.db.lookupRead(argv[1]!);
  if (e === undefined) return EMPTY_BULK;
  if (!isString(e)) return errors.wrongType();
  const s = e.value as string;
  const len = s.length;
  if (start < 0 && end < 0 && start > end) return EMPTY_BULK;
  if (start < 0) start = len + start;
  if (end < 0) end = len + end;
  if (start < 0) start = 0;
  if (end < 0) end = 0;
  if (end >= len) end = len - 1;
  if (start > end || len === 0) return EMPTY_BULK;
  return bulk(s.slice(start, end + 1));
}

function setrangeCommand(ctx: CoreContext, argv: string[]): Reply {
  const key = argv[1]!;
  const offset = parseInteger(argv[2]!);
  if (offset === null) return errors.notInteger();
  if (offset < 0) return errors.offsetOutOfRange();
  const patch = argv[3]!;
  const e = ctx.db.lookupWrite(key);
  if (e === undefined) {
    // Writing nothing to a missing key creates nothing.
    if (patch.length === 0) return ZERO;
    if (tooLong(offset + patch.length)) return errors.stringTooLong();
    const created = ctx.db.add(key, 'string', '\0'.repeat(offset) + patch);
    created.rawEncoding = true; // Redis builds it as a raw buffer, then copies into it
    return afterSetrange(ctx, key, offset + patch.length);
  }
  if (!isString(e)) return errors.wrongType();
  const current = e.value as string;
  if (patch.length === 0) return int(current.length);
  if (tooLong(offset + patch.length)) return errors.stringTooLong();
  overwriteInPlace(ctx, e, spliceBytes(current, offset, patch), true);
  return afterSetrange(ctx, key, (e.value as string).length);
}

function afterSetrange(ctx: CoreContext, key: string, length: number): Reply {
  ctx.ks.notify(ctx.db.id, 'setrange', key);
  written(ctx);
  return int(length);
}

/** `s` with `patch` written at `offset`, zero-padded when the offset is past the end. */
function spliceBytes(s: string, offset: number, patch: string): string {
  if (offset >= s.length) return s + '\0'.repeat(offset - s.length) + patch;
  return s.slice(0, offset) + patch + s.slice(offset + patch.length);
}

function appendCommand(ctx: CoreContext, argv: string[]): Reply {
  const key = argv[1]!;
  const tail = argv[2]!;
  const e = ctx.db.lookupWrite(key);
  let length: number;
  if (e === undefined) {
    ctx.db.add(key, 'string', tail); // even an empty tail creates the key, as in Redis
    length = tail.length;
  } else {
    if (!isString(e)) return errors.wrongType();
    length = (e.value as string).length + tail.length;
    if (tooLong(length)) return errors.stringTooLong();
    overwriteInPlace(ctx, e, (e.value as string) + tail, true);
  }
  ctx.ks.notify(ctx.db.id, 'append', key);
  written(ctx);
  return int(length);
}

// ---------------------------------------------------------------------------------------
// Counters

/**
 * An int64 argument: a JS number when it has at most 15 digits (exact, and the common
 * case), a bigint otherwise; null when it is not an integer (string2ll rules).
 */
function parseCounterArg(s: string): number | bigint | null {
  const small = parseSmallInt(s);
  if (small !== undefined) return small;
  return parseI64(s);
}

/**
 * INCR, DECR, INCRBY, DECRBY (Redis incrDecrCommand). The fast path adds two numbers of at
 * most 15 digits, which is exact in a double; anything larger goes through BigInt with
 * the int64 overflow check. The TTL is kept.
 */
function incrDecr(ctx: CoreContext, key: string, by: number | bigint): Reply {
  const e = ctx.db.lookupWrite(key);
  let current: number | bigint = 0;
  if (e !== undefined) {
    if (!isString(e)) return errors.wrongType();
    const parsed = parseCounterArg(e.value as string);
    if (parsed === null) return errors.notInteger();
    current = parsed;
  }
  let next: number | bigint;
  if (typeof current === 'number' && typeof by === 'number') {
    next = current + by;
  } else {
    const sum = BigInt(current) + BigInt(by);
    if (sum > INT64_MAX || sum < INT64_MIN) return errors.overflow();
    next = sum >= -MAX_SAFE && sum <= MAX_SAFE ? Number(sum) : sum;
  }
  const text = String(next);
  if (e !== undefined) overwriteInPlace(ctx, e, text, false);
  else ctx.db.add(key, 'string', text);
  ctx.ks.notify(ctx.db.id, 'incrby', key);
  written(ctx);
  return int(next);
}

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

function incrbyCommand(ctx: CoreContext, argv: string[]): Reply {
  const by = parseCounterArg(argv[2]!);
  if (by === null) return errors.notInteger();
  return incrDecr(ctx, argv[1]!, by);
}

function decrbyCommand(ctx: CoreContext, argv: string[]): Reply {
  const by = parseCounterArg(argv[2]!);
  if (by === null) return errors.notInteger();
  if (by === INT64_MIN) return errors.decrementOverflow(); // its negation is not an int64
  const negated = typeof by === 'number' ? (by === 0 ? 0 : -by) : -by;
  return incrDecr(ctx, argv[1]!, negated);
}

/** INCRBYFLOAT: x87 long-double arithmetic, logged as the value set (SET ... KEEPTTL). */
function incrbyfloatCommand(ctx: CoreContext, argv: string[]): Reply {
  const key = argv[1]!;
  const e = ctx.db.lookupWrite(key);
  if (e !== undefined && !isString(e)) return errors.wrongType();
  const result = incrByFloat(e === undefined ? null : (e.value as string), argv[2]!);
  if ('error' in result) return result.error === 'not-float' ? errors.notFloat() : errors.nanOrInfinity();
  const value = result.ok;
  // Redis builds the result with createStringObjectFromLongDouble: embstr or raw, never int.
  if (e !== undefined) overwriteInPlace(ctx, e, value, false, true);
  else ctx.db.add(key, 'string', value).neverIntEncoded = true;
  ctx.ks.notify(ctx.db.id, 'incrbyfloat', key);
  propagateAs(ctx, ['SET', key, value, 'KEEPTTL']);
  return bulk(value);
}

// ---------------------------------------------------------------------------------------
// LCS

interface LcsOptions {
  len: boolean;
  idx: boolean;
  withMatchLen: boolean;
  minMatchLen: number;
}

function parseLcsOptions(argv: readonly string[]): LcsOptions | Reply {
  const opts: LcsOptions = { len: false, idx: false, withMatchLen: false, minMatchLen: 0 };
  for (let j = 3; j < argv.length; j++) {
    const word = upperCased(argv[j]!);
    if (word === 'IDX') opts.idx = true;
    else if (word === 'LEN') opts.len = true;
    else if (word === 'WITHMATCHLEN') opts.withMatchLen = true;
    else if (word === 'MINMATCHLEN' && j + 1 < argv.length) {
      const n = parseInteger(argv[++j]!);
      if (n === null) return errors.notInteger();
      opts.minMatchLen = n < 0 ? 0 : n;
    } else {
      return errors.syntax();
    }
  }
  return opts;
}

/**
 * The dynamic-programming table of LCS lengths: cell (i, j) holds the LCS length of
 * a[0..i) and b[0..j), stored row-major with rows of b.length + 1 cells. A cell never
 * exceeds the shorter length, so 16-bit cells suffice for all but huge inputs.
 */
function lcsTable(a: string, b: string): Uint16Array | Uint32Array {
  const alen = a.length;
  const blen = b.length;
  const width = blen + 1;
  const cells = (alen + 1) * width;
  const table = Math.min(alen, blen) <= 0xffff ? new Uint16Array(cells) : new Uint32Array(cells);
  for (let i = 1; i <= alen; i++) {
    const ac = a.charCodeAt(i - 1);
    const row = i * width;
    const prev = row - width;
    for (let j = 1; j <= blen; j++) {
      if (ac === b.charCodeAt(j - 1)) {
        table[row + j] = table[prev + j - 1]! + 1;
      } else {
        const up = table[prev + j]!;
        const left = table[row + j - 1]!;
        table[row + j] = up > left ? up : left;
      }
    }
  }
  return table;
}

/**
 * Walks the table back from the end, as Redis does, collecting the common subsequence
 * and the matching ranges (last match first). Ties between the two directions move along
 * b, so the result and ranges are the ones Redis reports.
 */
function lcsWalk(a: string, b: string, table: Uint16Array | Uint32Array, opts: LcsOptions): { text: string; matches: Reply[] } {
  const alen = a.length;
  const width = b.length + 1;
  const cell = (i: number, j: number): number => table[i * width + j]!;
  const chars: string[] = [];
  const matches: Reply[] = [];
  const unset = alen; // aStart === alen means no range is open
  let aStart = unset;
  let aEnd = 0;
  let bStart = 0;
  let bEnd = 0;
  let i = alen;
  let j = b.length;
  while (i > 0 && j > 0) {
    let emit = false;
    if (a.charCodeAt(i - 1) === b.charCodeAt(j - 1)) {
      chars.push(a[i - 1]!);
      if (aStart === unset) {
        aStart = aEnd = i - 1;
        bStart = bEnd = j - 1;
      } else if (aStart === i && bStart === j) {
        aStart--; // the range grows backwards while matches stay contiguous
        bStart--;
      } else {
        emit = true;
      }
      if (aStart === 0 || bStart === 0) emit = true;
      i--;
      j--;
    } else {
      if (cell(i - 1, j) > cell(i, j - 1)) i--;
      else j--;
      if (aStart !== unset) emit = true;
    }
    if (emit) {
      const matchLen = aEnd - aStart + 1;
      if (opts.idx && (opts.minMatchLen === 0 || matchLen >= opts.minMatchLen)) {
        const item = [array([int(aStart), int(aEnd)]), array([int(bStart), int(bEnd)])];
        if (opts.withMatchLen) item.push(int(matchLen));
        matches.push(array(item));
      }
      aStart = unset;
    }
  }
  return { text: chars.reverse().join(''), matches };
}

function lcsCommand(ctx: CoreContext, argv: string[]): Reply {
  const ea = ctx.db.lookupRead(argv[1]!);
  const eb = ctx.db.lookupRead(argv[2]!);
  if ((ea !== undefined && !isString(ea)) || (eb !== undefined && !isString(eb))) return errors.lcsNotStrings();
  const opts = parseLcsOptions(argv);
  if (!isLcsOptions(opts)) return opts;
  if (opts.len && opts.idx) return errors.lcsLenWithIdx();
  const a = ea === undefined ? '' : (ea.value as string);
  const b = eb === undefined ? '' : (eb.value as string);
  if ((a.length + 1) * (b.length + 1) > limits.lcsCellsMax) return errors.lcsTooLarge();
  const table = lcsTable(a, b);
  const length = table[table.length - 1]!;
  if (opts.len) return int(length);
  const { text, matches } = lcsWalk(a, b, table, opts);
  if (!opts.idx) return bulk(text);
  return map([bulk('matches'), array(matches), bulk('len'), int(length)]);
}

function isLcsOptions(r: LcsOptions | Reply): r is LcsOptions {
  return (r as LcsOptions).minMatchLen !== undefined;
}

// ---------------------------------------------------------------------------------------
// Declarations

const base = { group: 'string', acl: ['string'] } as const;
const oneKey = { first: 1, last: 1, step: 1 } as const;

export const stringCommands: CommandSpec[] = [
  {
    ...base, name: 'set', arity: -3, flags: ['write', 'denyoom'], keys: oneKey, since: '1.0.0',
    summary: 'Stores a string under a key, optionally with a TTL, a condition on the key\'s existence, or returning the old value.',
    complexity: 'O(1)',
    syntax: 'SET key value [NX | XX] [GET] [EX seconds | PX milliseconds | EXAT unix-time-seconds | PXAT unix-time-milliseconds | KEEPTTL]',
    handler: setCommand,
  },
  {
    ...base, name: 'get', arity: 2, flags: ['readonly', 'fast'], keys: oneKey, since: '1.0.0',
    summary: 'Returns the string stored at a key, or nil when the key does not exist.',
    complexity: 'O(1)', syntax: 'GET key',
    handler: getCommand,
  },
  {
    ...base, name: 'getex', arity: -2, flags: ['write', 'fast'], keys: oneKey, since: '6.2.0',
    summary: 'Returns the string stored at a key and sets or removes its TTL.',
    complexity: 'O(1)',
    syntax: 'GETEX key [EX seconds | PX milliseconds | EXAT unix-time-seconds | PXAT unix-time-milliseconds | PERSIST]',
    handler: getexCommand,
  },
  {
    ...base, name: 'getdel', arity: 2, flags: ['write', 'fast'], keys: oneKey, since: '6.2.0',
    summary: 'Returns the string stored at a key and deletes the key.',
    complexity: 'O(1)', syntax: 'GETDEL key',
    handler: getdelCommand,
  },
  {
    ...base, name: 'getset', arity: 3, flags: ['write', 'denyoom', 'fast'], keys: oneKey, since: '1.0.0',
    summary: 'Stores a string under a key and returns the string it replaced (deprecated: SET with GET).',
    complexity: 'O(1)', syntax: 'GETSET key value',
    handler: getsetCommand,
  },
  {
    ...base, name: 'mget', arity: -2, flags: ['readonly', 'fast'], keys: { first: 1, last: -1, step: 1 }, since: '1.0.0',
    summary: 'Returns the strings stored at several keys; nil for a key that is missing or holds another type.',
    complexity: 'O(N) where N is the number of keys', syntax: 'MGET key [key ...]',
    handler: mgetCommand,
  },
  {
    ...base, name: 'mset', arity: -3, flags: ['write', 'denyoom'], keys: { first: 1, last: -1, step: 2 }, since: '1.0.1',
    summary: 'Stores several strings at once, replacing existing values.',
    complexity: 'O(N) where N is the number of keys', syntax: 'MSET key value [key value ...]',
    handler: (ctx, argv) => msetGeneric(ctx, argv, false),
  },
  {
    ...base, name: 'msetnx', arity: -3, flags: ['write', 'denyoom'], keys: { first: 1, last: -1, step: 2 }, since: '1.0.1',
    summary: 'Stores several strings at once, only when none of the keys exists.',
    complexity: 'O(N) where N is the number of keys', syntax: 'MSETNX key value [key value ...]',
    handler: (ctx, argv) => msetGeneric(ctx, argv, true),
  },
  {
    ...base, name: 'setnx', arity: 3, flags: ['write', 'denyoom', 'fast'], keys: oneKey, since: '1.0.0',
    summary: 'Stores a string under a key only when the key does not exist (deprecated: SET with NX).',
    complexity: 'O(1)', syntax: 'SETNX key value',
    handler: setnxCommand,
  },
  {
    ...base, name: 'setex', arity: 4, flags: ['write', 'denyoom'], keys: oneKey, since: '2.0.0',
    summary: 'Stores a string under a key with a TTL in seconds (deprecated: SET with EX).',
    complexity: 'O(1)', syntax: 'SETEX key seconds value',
    handler: setexCommand,
  },
  {
    ...base, name: 'psetex', arity: 4, flags: ['write', 'denyoom'], keys: oneKey, since: '2.6.0',
    summary: 'Stores a string under a key with a TTL in milliseconds (deprecated: SET with PX).',
    complexity: 'O(1)', syntax: 'PSETEX key milliseconds value',
    handler: psetexCommand,
  },
  {
    ...base, name: 'append', arity: 3, flags: ['write', 'denyoom', 'fast'], keys: oneKey, since: '2.0.0',
    summary: 'Adds bytes to the end of a string, creating the key when missing; returns the new length.',
    complexity: 'O(1), amortized: the string grows in place', syntax: 'APPEND key value',
    handler: appendCommand,
  },
  {
    ...base, name: 'strlen', arity: 2, flags: ['readonly', 'fast'], keys: oneKey, since: '2.2.0',
    summary: 'Returns the length in bytes of the string stored at a key (0 when missing).',
    complexity: 'O(1)', syntax: 'STRLEN key',
    handler: strlenCommand,
  },
  {
    ...base, name: 'getrange', arity: 4, flags: ['readonly'], keys: oneKey, since: '2.4.0',
    summary: 'Returns the bytes of a string between two inclusive offsets; negative offsets count from the end.',
    complexity: 'O(N) where N is the length of the returned range', syntax: 'GETRANGE key start end',
    handler: getrangeCommand,
  },
  {
    ...base, name: 'setrange', arity: 4, flags: ['write', 'denyoom'], keys: oneKey, since: '2.2.0',
    summary: 'Overwrites part of a string from an offset on, padding with zero bytes; returns the new length.',
    complexity: 'O(1) not counting the copy of the new bytes; O(M) when the string must grow to M bytes',
    syntax: 'SETRANGE key offset value',
    handler: setrangeCommand,
  },
  {
    ...base, name: 'incr', arity: 2, flags: ['write', 'denyoom', 'fast'], keys: oneKey, since: '1.0.0',
    summary: 'Adds one to the 64-bit integer stored at a key (0 when missing); returns the result.',
    complexity: 'O(1)', syntax: 'INCR key',
    handler: (ctx, argv) => incrDecr(ctx, argv[1]!, 1),
  },
  {
    ...base, name: 'decr', arity: 2, flags: ['write', 'denyoom', 'fast'], keys: oneKey, since: '1.0.0',
    summary: 'Subtracts one from the 64-bit integer stored at a key (0 when missing); returns the result.',
    complexity: 'O(1)', syntax: 'DECR key',
    handler: (ctx, argv) => incrDecr(ctx, argv[1]!, -1),
  },
  {
    ...base, name: 'incrby', arity: 3, flags: ['write', 'denyoom', 'fast'], keys: oneKey, since: '1.0.0',
    summary: 'Adds an integer to the 64-bit integer stored at a key (0 when missing); returns the result.',
    complexity: 'O(1)', syntax: 'INCRBY key increment',
    handler: incrbyCommand,
  },
  {
    ...base, name: 'decrby', arity: 3, flags: ['write', 'denyoom', 'fast'], keys: oneKey, since: '1.0.0',
    summary: 'Subtracts an integer from the 64-bit integer stored at a key (0 when missing); returns the result.',
    complexity: 'O(1)', syntax: 'DECRBY key decrement',
    handler: decrbyCommand,
  },
  {
    ...base, name: 'incrbyfloat', arity: 3, flags: ['write', 'denyoom', 'fast'], keys: oneKey, since: '2.6.0',
    summary: 'Adds a decimal number to the number stored at a key (0 when missing), in long-double precision; returns the result.',
    complexity: 'O(1)', syntax: 'INCRBYFLOAT key increment',
    handler: incrbyfloatCommand,
  },
  {
    ...base, name: 'lcs', arity: -3, flags: ['readonly'], keys: { first: 1, last: 2, step: 1 }, since: '7.0.0',
    summary: 'Finds the longest common subsequence of the strings at two keys, its length, or the matching ranges.',
    complexity: 'O(N*M) where N and M are the lengths of the two strings',
    syntax: 'LCS key1 key2 [LEN] [IDX] [MINMATCHLEN min-match-len] [WITHMATCHLEN]',
    handler: lcsCommand,
  },
  {
    ...base, name: 'substr', arity: 4, flags: ['readonly'], keys: oneKey, since: '1.0.0',
    summary: 'Returns the bytes of a string between two inclusive offsets (deprecated: GETRANGE).',
    complexity: 'O(N) where N is the length of the returned range', syntax: 'SUBSTR key start end',
    handler: getrangeCommand,
  },
];
