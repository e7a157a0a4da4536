// Stream commands, as Redis 7.0 serves them (t_stream.c): XADD, XLEN, XRANGE, XREVRANGE, XDEL,
// XTRIM, XSETID, XREAD, XREADGROUP, XACK, XPENDING, XCLAIM, XAUTOCLAIM, XINFO and XGROUP, with
// Redis 7.4's "+" ID for XREAD. The structure lives in src/core/types/stream.ts.
//
// Effects. Everything logged replays to the same stream, groups and pending entries lists:
// - XADD logs the ID it generated (for "*" and "ms-*"), and an approximate trim (~) as the exact
//   trim that removes the same entries (MAXLEN = <length after>, MINID = <first ID left>), as
//   Redis rewrites it. LIMIT is left out of that form: an exact trim takes no LIMIT.
// - XREADGROUP logs what it changed in Redis's form: XCLAIM ... TIME <ms> RETRYCOUNT <n> FORCE
//   JUSTID LASTID <id> per entry given to the consumer (also for entries of a history read, which
//   Redis leaves unlogged: their delivery time and count change too), then XGROUP SETID ...
//   ENTRIESREAD <n> when the group's last-delivered ID moved (Redis logs it only with NOACK, and
//   then replicas lose entries-read). XCLAIM and XAUTOCLAIM log the same XCLAIM form.
// - A consumer created as a side effect (XREADGROUP, XCLAIM, XAUTOCLAIM) is logged first as
//   XGROUP CREATECONSUMER, so it exists on replicas even when nothing was given to it.
// - Consumers' seen times are not logged, as keys' access times are not: see stream.ts.
// - XREAD writes nothing.
//
// Blocking. XREAD and XREADGROUP with BLOCK park the client on their keys (ctx.block). XADD
// signals the key as ready; the engine then runs the same command line again with ctx.readyKey
// set to that key. So that "$" keeps meaning "what was last when I blocked", the handler rewrites
// each "$" argument in place into the concrete ID before blocking, as Redis rewrites the client's
// argv: the engine re-runs that very array. A wake-up is served as Redis 7.0 serves blocked
// stream clients (serveClientsBlockedOnStreamKey): from the key that woke it only, at most 1000
// entries without COUNT, with Redis's errors for a destroyed group or a stream that is gone, and
// a key of another type leaves XREAD waiting.
import { parseTimeoutMs } from './timeouts.js';
import * as errors from '../errors.js';
import type { Entry } from '../keyspace.js';
import { streamLimits } from '../limits.js';
import { parseI64 } from '../numbers.js';
import { array, bulk, EMPTY_ARRAY, int, map, NIL, NIL_ARRAY, OK, ONE, simple, ZERO, type Reply } from '../reply.js';
import {
  compareIds, Consumer, ConsumerGroup, ENTRIES_READ_UNKNOWN, isZeroId, MAX_ID, nextId, parseIdArg, PendingEntry, prevId,
  StreamId, StreamValue, u64AsSigned, U64_MAX, ZERO_ID, type I64, type ParsedId, type TrimSpec, type U64,
} from '../types/stream.js';
import { isWord, propagateAs, written, type CommandSpec, type CoreContext } from './spec.js';

// ---------------------------------------------------------------------------------------------
// Shared helpers

type Found = StreamValue | Reply | undefined;

/** The stream at a key for reading: undefined when missing, WRONGTYPE when not a stream. */
function readStream(ctx: CoreContext, key: string): Found {
  return asStream(ctx, ctx.db.lookupRead(key));
}

function writeStream(ctx: CoreContext, key: string): Found {
  return asStream(ctx, ctx.db.lookupWrite(key));
}

function asStream(ctx: CoreContext, e: Entry | undefined): Found {
  if (e === undefined) return undefined;
  if (e.type !== 'stream') return errors.wrongType();
  const s = e.value as StreamValue;
  s.stampSeenTimes(ctx.ks.now);
  return s;
}

function idReply(id: StreamId): Reply {
  return bulk(id.toString());
}

function partsReply(ms: U64, seq: U64): Reply {
  return bulk(`${ms}-${seq}`);
}

/** One entry as Redis replies it: [id, [field, value, ...]]. */
function entryReply(ms: U64, seq: U64, pairs: readonly string[]): Reply {
  return array([partsReply(ms, seq), array(pairs.map(bulk))]);
}

function i64Reply(v: I64): Reply {
  return int(v);
}

/** A strict int64 argument (getLongLongFromObjectOrReply), or null. */
function parseLongLong(arg: string): bigint | null {
  return parseI64(arg);
}

/** A range bound: "(" makes it exclusive (then "-" and "+" are refused), as streamParseIntervalIDOrReply. */
function parseIntervalId(arg: string, missingSeq: U64): { id: StreamId; exclusive: boolean } | null {
  const exclusive = arg.length > 1 && arg[0] === '(';
  const parsed = exclusive ? parseIdArg(arg.slice(1), missingSeq, true) : parseIdArg(arg, missingSeq, false);
  return parsed === null ? null : { id: parsed.id, exclusive };
}

/** Inclusive [start, end] from two interval arguments, or the error Redis gives. */
function parseRange(startArg: string, endArg: string): { start: StreamId; end: StreamId } | Reply {
  const s = parseIntervalId(startArg, 0);
  if (s === null) return errors.invalidStreamId();
  let start = s.id;
  if (s.exclusive) {
    const next = nextId(start);
    if (next === null) return errors.invalidStartInterval();
    start = next;
  }
  const e = parseIntervalId(endArg, U64_MAX);
  if (e === null) return errors.invalidStreamId();
  let end = e.id;
  if (e.exclusive) {
    const prev = prevId(end);
    if (prev === null) return errors.invalidEndInterval();
    end = prev;
  }
  return { start, end };
}

function isReply(x: unknown): x is Reply {
  return typeof x === 'object' && x !== null && 'k' in x && 'v' in x;
}

/** Live entries of a range as a reply array (count 0: all). */
function rangeReply(s: StreamValue, start: StreamId, end: StreamId, count: number, rev: boolean): Reply {
  const out: Reply[] = [];
  s.forEachInRange(start, end, rev, (ms, seq, pairs) => {
    out.push(entryReply(ms, seq, pairs));
    return count === 0 || out.length < count;
  });
  return array(out);
}

/** The entry with this ID as a reply, or null when the stream does not hold it. */
function singleEntryReply(s: StreamValue, id: StreamId): Reply | null {
  const pairs = s.get(id);
  return pairs === undefined ? null : entryReply(id.ms, id.seq, pairs);
}

function countArg(v: bigint): number {
  return v > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(v);
}

// ---------------------------------------------------------------------------------------------
// XADD / XTRIM argument parsing (Redis streamParseAddOrTrimArgsOrReply)

interface AddTrimArgs {
  readonly strategy: 'none' | 'maxlen' | 'minid';
  readonly approx: boolean;
  readonly maxlen: number;
  readonly minid: StreamId;
  readonly limit: number;
  /** Position of the MAXLEN count / MINID id (for the rewritten effect), and of LIMIT. */
  readonly strategyArgAt: number;
  readonly limitAt: number;
  readonly noMkstream: boolean;
  /** XADD: the ID argument's position, and the parsed ID (null for "*"). */
  readonly idAt: number;
  readonly id: ParsedId | null;
}

function parseAddOrTrimArgs(argv: readonly string[], xadd: boolean): AddTrimArgs | Reply {
  let strategy: AddTrimArgs['strategy'] = 'none';
  let approx = false;
  let maxlen = 0;
  let minid = ZERO_ID;
  let limit = 0n;
  let limitGiven = false;
  let strategyArgAt = -1;
  let limitAt = -1;
  let noMkstream = false;
  let id: ParsedId | null = null;
  let i = 2;
  for (; i < argv.length; i++) {
    const moreArgs = argv.length - 1 - i;
    const opt = argv[i]!;
    if (xadd && opt[0] === '*' && (opt.length === 1 || opt[1] === '\0')) {
      break; // the common auto-generated ID
    } else if (isWord(opt, 'MAXLEN') && moreArgs > 0) {
      if (strategy !== 'none') return errors.trimStrategyConflict();
      approx = false;
      const next = argv[i + 1]!;
      if (moreArgs >= 2 && next === '~') {
        approx = true;
        i++;
      } else if (moreArgs >= 2 && next === '=') {
        i++;
      }
      const n = parseLongLong(argv[i + 1]!);
      if (n === null) return errors.notInteger();
      if (n < 0n) return errors.trimMaxlenNegative();
      maxlen = countArg(n);
      i++;
      strategy = 'maxlen';
      strategyArgAt = i;
    } else if (isWord(opt, 'MINID') && moreArgs > 0) {
      if (strategy !== 'none') return errors.trimStrategyConflict();
      approx = false;
      const next = argv[i + 1]!;
      if (moreArgs >= 2 && next === '~') {
        approx = true;
        i++;
      } else if (moreArgs >= 2 && next === '=') {
        i++;
      }
      const parsed = parseIdArg(argv[i + 1]!, 0, true);
      if (parsed === null) return errors.invalidStreamId();
      minid = parsed.id;
      i++;
      strategy = 'minid';
      strategyArgAt = i;
    } else if (isWord(opt, 'LIMIT') && moreArgs > 0) {
      const n = parseLongLong(argv[i + 1]!);
      if (n === null) return errors.notInteger();
      if (n < 0n) return errors.trimLimitNegative();
      limit = n;
      limitGiven = true;
      limitAt = i;
      i++;
    } else if (xadd && isWord(opt, 'NOMKSTREAM')) {
      noMkstream = true;
    } else if (xadd) {
      const parsed = parseIdArg(opt, 0, true, true);
      if (parsed === null) return errors.invalidStreamId();
      id = parsed;
      break;
    } else {
      return errors.syntax();
    }
  }
  if (limit !== 0n && strategy === 'none') return errors.trimLimitWithoutStrategy();
  if (!xadd && strategy === 'none') return errors.xtrimWithoutStrategy();
  let effectiveLimit = 0;
  if (limitGiven) {
    if (!approx) return errors.trimLimitWithoutApprox();
    effectiveLimit = countArg(limit);
  } else if (approx) {
    // Redis caps an approximate trim's work at 100 nodes' worth of entries.
    effectiveLimit = 100 * streamLimits.streamNodeMaxEntries;
    if (effectiveLimit <= 0) effectiveLimit = 10000;
    if (effectiveLimit > 1000000) effectiveLimit = 1000000;
  }
  return { strategy, approx, maxlen, minid, limit: effectiveLimit, strategyArgAt, limitAt, noMkstream, idAt: i, id };
}

function trimSpec(a: AddTrimArgs): TrimSpec {
  return { strategy: a.strategy as 'maxlen' | 'minid', maxlen: a.maxlen, minid: a.minid, approx: a.approx, limit: a.limit };
}

/**
 * The effect of an XADD/XTRIM with an approximate trim: "~" becomes "=" and the count (or ID) what
 * the trim left, so a replica trims exactly the same entries; LIMIT goes, an exact trim refuses it.
 */
function rewriteApproxTrim(argv: readonly string[], a: AddTrimArgs, s: StreamValue): string[] {
  const out = [...argv];
  out[a.strategyArgAt - 1] = '=';
  out[a.strategyArgAt] = a.strategy === 'maxlen' ? String(s.length) : s.firstSlotId().toString();
  if (a.limitAt >= 0) out.splice(a.limitAt, 2);
  return out;
}

// ---------------------------------------------------------------------------------------------
// XADD

/** The ID an XADD gets, or the error (Redis streamAppendItem's checks). */
function newEntryId(s: StreamValue, given: ParsedId | null, now: number): StreamId | Reply {
  let id: StreamId;
  if (given === null) {
    id = now > s.lastId.ms ? new StreamId(now, 0) : nextId(s.lastId) ?? ZERO_ID;
  } else if (!given.seqGiven) {
    if (s.lastId.ms === given.id.ms) {
      // Redis 7.0 fails here without setting errno, so XADD reports the other error it knows.
      if (s.lastId.seq === U64_MAX) return errors.streamElementsTooLarge();
      id = nextId(s.lastId)!;
    } else {
      id = given.id;
    }
  } else {
    id = given.id;
  }
  if (compareIds(id, s.lastId) <= 0) return errors.xaddIdTooSmall();
  return id;
}

/** Redis refuses an entry whose fields and values add up to more than a listpack may hold. */
const STREAM_LISTPACK_MAX_SIZE = 1 << 30;

function xadd(ctx: CoreContext, argv: string[]): Reply {
  const a = parseAddOrTrimArgs(argv, true);
  if (isReply(a)) return a;
  const fieldsAt = a.idAt + 1;
  const fieldArgs = argv.length - fieldsAt;
  if (fieldArgs < 2 || fieldArgs % 2 === 1) return errors.wrongArity('xadd');
  if (a.id !== null && a.id.seqGiven && isZeroId(a.id.id)) return errors.xaddIdZero();
  const key = argv[1]!;
  let s = writeStream(ctx, key);
  if (isReply(s)) return s;
  const existed = s !== undefined;
  if (s === undefined) {
    if (a.noMkstream) return NIL;
    s = new StreamValue();
    ctx.db.add(key, 'stream', s);
  }
  if (s.lastId.ms === U64_MAX && s.lastId.seq === U64_MAX) return errors.streamIdsExhausted();
  const id = newEntryId(s, a.id, ctx.ks.now);
  if (isReply(id)) return id;
  let bytes = 0;
  for (let i = fieldsAt; i < argv.length; i++) bytes += argv[i]!.length;
  if (bytes > STREAM_LISTPACK_MAX_SIZE) return errors.streamElementsTooLarge();
  s.append(id, argv.slice(fieldsAt));
  const idText = id.toString();
  // A new stream was added empty: its size is measured again with the entry in it.
  ctx.db.touch(key);
  ctx.ks.notify(ctx.db.id, 'xadd', key);
  let effect: string[] | null = null;
  if (a.strategy !== 'none') {
    if (s.trim(trimSpec(a)) > 0) ctx.ks.notify(ctx.db.id, 'xtrim', key);
    if (a.approx) effect = rewriteApproxTrim(argv, a, s);
  }
  if (a.id === null || !a.id.seqGiven) {
    effect ??= [...argv];
    // The ID keeps its position: a rewrite above only removed LIMIT, which comes before it.
    effect[a.idAt - (a.approx && a.limitAt >= 0 ? 2 : 0)] = idText;
  }
  if (effect === null) written(ctx);
  else propagateAs(ctx, effect);
  // A new key wakes its waiters through db.add; an existing one must be signalled.
  if (existed) ctx.ks.signalReady(ctx.db.id, key);
  return bulk(idText);
}

// ---------------------------------------------------------------------------------------------
// XTRIM, XDEL, XLEN, XRANGE, XREVRANGE

function xtrim(ctx: CoreContext, argv: string[]): Reply {
  const a = parseAddOrTrimArgs(argv, false);
  if (isReply(a)) return a;
  const key = argv[1]!;
  const s = writeStream(ctx, key);
  if (s === undefined) return ZERO;
  if (isReply(s)) return s;
  const deleted = s.trim(trimSpec(a));
  if (deleted > 0) {
    ctx.ks.notify(ctx.db.id, 'xtrim', key);
    ctx.db.touch(key);
    if (a.approx) propagateAs(ctx, rewriteApproxTrim(argv, a, s), deleted);
    else written(ctx, deleted);
  }
  return int(deleted);
}

function xdel(ctx: CoreContext, argv: string[]): Reply {
  const key = argv[1]!;
  const s = writeStream(ctx, key);
  if (s === undefined) return ZERO;
  if (isReply(s)) return s;
  // Every ID is checked first: an invalid one must not leave the command half done.
  const ids: StreamId[] = [];
  for (let i = 2; i < argv.length; i++) {
    const parsed = parseIdArg(argv[i]!, 0, true);
    if (parsed === null) return errors.invalidStreamId();
    ids.push(parsed.id);
  }
  const deleted = s.deleteIds(ids);
  if (deleted > 0) {
    ctx.db.touch(key);
    ctx.ks.notify(ctx.db.id, 'xdel', key);
    written(ctx, deleted);
  }
  return int(deleted);
}

function xlen(ctx: CoreContext, argv: string[]): Reply {
  const s = readStream(ctx, argv[1]!);
  if (s === undefined) return ZERO;
  if (isReply(s)) return s;
  return int(s.length);
}

function xrange(ctx: CoreContext, argv: string[], rev: boolean): Reply {
  const range = parseRange(rev ? argv[3]! : argv[2]!, rev ? argv[2]! : argv[3]!);
  if (isReply(range)) return range;
  let count = -1;
  for (let j = 4; j < argv.length; j++) {
    if (isWord(argv[j]!, 'COUNT') && argv.length - j - 1 >= 1) {
      const n = parseLongLong(argv[j + 1]!);
      if (n === null) return errors.notInteger();
      count = n < 0n ? 0 : countArg(n);
      j++;
    } else {
      return errors.syntax();
    }
  }
  const s = readStream(ctx, argv[1]!);
  if (s === undefined) return EMPTY_ARRAY;
  if (isReply(s)) return s;
  if (count === 0) return NIL_ARRAY;
  return rangeReply(s, range.start, range.end, count === -1 ? 0 : count, rev);
}

// ---------------------------------------------------------------------------------------------
// XREAD / XREADGROUP

/** Redis serves a woken XREAD/XREADGROUP without COUNT at most this many entries per stream. */
const BLOCKED_DEFAULT_COUNT = 1000;

/** What one stream of an XREAD/XREADGROUP asks for. */
interface ReadTarget {
  readonly key: string;
  /** Entries after this ID; for a group, MAX_ID means ">" (new entries), as in Redis. */
  after: StreamId;
  readonly group: ConsumerGroup | null;
}

interface ReadArgs {
  readonly timeoutMs: number | null;
  readonly count: number;
  readonly streamsAt: number;
  readonly streams: number;
  readonly noack: boolean;
  readonly groupName: string | null;
  readonly consumerName: string | null;
}

function parseReadArgs(argv: readonly string[], group: boolean): ReadArgs | Reply {
  let timeoutMs: number | null = null;
  let count = 0;
  let streamsAt = 0;
  let streams = 0;
  let noack = false;
  let groupName: string | null = null;
  let consumerName: string | null = null;
  for (let i = 1; i < argv.length; i++) {
    const moreArgs = argv.length - i - 1;
    const o = argv[i]!;
    if (isWord(o, 'BLOCK') && moreArgs > 0) {
      i++;
      const t = parseTimeoutMs(argv[i]!);
      if (isReply(t)) return t;
      timeoutMs = t;
    } else if (isWord(o, 'COUNT') && moreArgs > 0) {
      i++;
      const n = parseLongLong(argv[i]!);
      if (n === null) return errors.notInteger();
      count = n < 0n ? 0 : countArg(n);
    } else if (isWord(o, 'STREAMS') && moreArgs > 0) {
      streamsAt = i + 1;
      streams = argv.length - streamsAt;
      if (streams % 2 !== 0) return errors.xreadUnbalanced();
      streams /= 2;
      break;
    } else if (isWord(o, 'GROUP') && moreArgs >= 2) {
      if (!group) return errors.xreadGroupOption();
      groupName = argv[i + 1]!;
      consumerName = argv[i + 2]!;
      i += 2;
    } else if (isWord(o, 'NOACK')) {
      if (!group) return errors.xreadNoackOption();
      noack = true;
    } else {
      return errors.syntax();
    }
  }
  if (streamsAt === 0) return errors.syntax();
  if (group && groupName === null) return errors.xreadgroupMissingGroup();
  return { timeoutMs, count, streamsAt, streams, noack, groupName, consumerName };
}

/** Resolves every stream's key, group and ID before anything is read, in Redis's order of checks. */
function resolveTargets(ctx: CoreContext, argv: string[], a: ReadArgs, group: boolean): ReadTarget[] | Reply {
  const targets: ReadTarget[] = [];
  for (let k = 0; k < a.streams; k++) {
    const key = argv[a.streamsAt + k]!;
    const e = ctx.db.lookupRead(key);
    if (e !== undefined && e.type !== 'stream') return errors.wrongType();
    const s = e === undefined ? undefined : (e.value as StreamValue);
    s?.stampSeenTimes(ctx.ks.now);
    let g: ConsumerGroup | null = null;
    if (group) {
      g = s?.groups.get(a.groupName!) ?? null;
      if (g === null) return errors.xreadgroupNoGroup(key, a.groupName!);
    }
    const after = readPosition(argv[a.streamsAt + a.streams + k]!, s, group);
    if (isReply(after)) return after;
    targets.push({ key, after, group: g });
  }
  return targets;
}

/** What an ID argument of XREAD/XREADGROUP reads after: $, + (7.4), > (MAX_ID) or an ID. */
function readPosition(idArg: string, s: StreamValue | undefined, group: boolean): StreamId | Reply {
  if (idArg === '$') {
    if (group) return errors.xreadgroupDollarId();
    return s !== undefined ? s.lastId : ZERO_ID;
  }
  if (idArg === '+') {
    // Redis 7.4: the last entry, read as "everything after the ID just before the last one".
    if (group) return errors.xreadgroupPlusId();
    if (s === undefined) return ZERO_ID;
    return prevId(s.lastId) ?? errors.xreadLastIdZero();
  }
  if (idArg === '>') return group ? MAX_ID : errors.xreadGreaterId();
  const parsed = parseIdArg(idArg, 0, true);
  return parsed === null ? errors.invalidStreamId() : parsed.id;
}

function xread(ctx: CoreContext, argv: string[], group: boolean): Reply {
  const a = parseReadArgs(argv, group);
  if (isReply(a)) return a;
  if (ctx.readyKey !== null) return wakeUp(ctx, argv, a, group, ctx.readyKey);
  const targets = resolveTargets(ctx, argv, a, group);
  if (isReply(targets)) return targets;
  const served: Array<[string, Reply]> = [];
  for (const t of targets) {
    const e = ctx.db.lookupRead(t.key);
    if (e === undefined) continue;
    const s = e.value as StreamValue;
    const result = t.group === null ? readPlain(s, t, a.count) : readGroup(ctx, s, t, a, a.count);
    if (result !== null) served.push([t.key, result]);
  }
  if (served.length > 0) return readReply(ctx, served);
  if (a.timeoutMs === null) return NIL_ARRAY;
  if (!ctx.blockingAllowed) return NIL_ARRAY;
  // "$" must keep meaning the last ID as of now when the engine runs this line again.
  for (let k = 0; k < a.streams; k++) {
    const at = a.streamsAt + a.streams + k;
    if (argv[at] === '$') argv[at] = targets[k]!.after.toString();
  }
  return ctx.block(streamKeys(argv, a), a.timeoutMs, NIL_ARRAY);
}

function streamKeys(argv: readonly string[], a: ReadArgs): string[] {
  return argv.slice(a.streamsAt, a.streamsAt + a.streams);
}

/** XREAD's reply: per stream served, [key, entries] (RESP2) or key => entries (RESP3). */
function readReply(ctx: CoreContext, served: ReadonlyArray<readonly [string, Reply]>): Reply {
  if (ctx.client.resp === 3) return map(served.flatMap(([key, r]) => [bulk(key), r]));
  return array(served.map(([key, r]) => array([bulk(key), r])));
}

/**
 * A parked XREAD/XREADGROUP run again because `key` became ready, served as Redis 7.0 serves
 * blocked stream clients: from that key only, when its last ID is past the waiter's position
 * (the group's last-delivered ID for XREADGROUP), with at most 1000 entries unless COUNT says
 * otherwise. Otherwise the client keeps waiting (ctx.block again keeps its place and deadline).
 */
function wakeUp(ctx: CoreContext, argv: string[], a: ReadArgs, group: boolean, key: string): Reply {
  const keys = streamKeys(argv, a);
  const k = keys.indexOf(key);
  const wait = (): Reply => ctx.block(keys, a.timeoutMs ?? 0, NIL_ARRAY);
  if (k < 0) return wait();
  const e = ctx.db.lookupWrite(key);
  if (e === undefined || e.type !== 'stream') return group ? errors.blockedStreamGone() : wait();
  const s = e.value as StreamValue;
  s.stampSeenTimes(ctx.ks.now);
  const count = a.count === 0 ? BLOCKED_DEFAULT_COUNT : a.count;
  let after: StreamId;
  let g: ConsumerGroup | null = null;
  if (group) {
    g = s.groups.get(a.groupName!) ?? null;
    if (g === null) return errors.blockedGroupGone();
    after = g.lastId;
  } else {
    const position = readPosition(argv[a.streamsAt + a.streams + k]!, s, false);
    if (isReply(position)) return position;
    after = position;
  }
  if (compareIds(s.lastId, after) <= 0) return wait();
  const start = nextId(after) ?? ZERO_ID;
  const entries = g === null
    ? rangeReply(s, start, MAX_ID, count, false)
    : serveGroup(ctx, s, key, a, g, start, count, false);
  return readReply(ctx, [[key, entries]]);
}

/** XREAD of one stream: the entries after the ID, or null when there is none. */
function readPlain(s: StreamValue, t: ReadTarget, count: number): Reply | null {
  if (s.length === 0) return null;
  const last = s.lastLiveId()!;
  if (compareIds(last, t.after) <= 0) return null;
  return rangeReply(s, nextId(t.after) ?? ZERO_ID, MAX_ID, count, false);
}

/**
 * XREADGROUP of one stream (Redis xreadCommand's serving part and streamReplyWithRange with a
 * group): new entries for ">" when the stream has some past the group's last-delivered ID, or the
 * consumer's own history for any other ID. Null when nothing is served (no reply element).
 */
function readGroup(ctx: CoreContext, s: StreamValue, t: ReadTarget, a: ReadArgs, count: number): Reply | null {
  const g = t.group!;
  const history = compareIds(t.after, MAX_ID) !== 0;
  let after = t.after;
  if (!history) {
    if (s.length === 0) return null;
    if (compareIds(s.lastLiveId()!, g.lastId) <= 0) return null;
    after = g.lastId;
  }
  return serveGroup(ctx, s, t.key, a, g, nextId(after) ?? ZERO_ID, count, history);
}

/**
 * Serves a consumer from `start` on: its own pending entries (history), or new entries, which
 * move the group's last-delivered ID and become pending (unless NOACK). The consumer is seen, or
 * created, here: Redis 7.0 creates it only when it serves it.
 */
function serveGroup(ctx: CoreContext, s: StreamValue, key: string, a: ReadArgs, g: ConsumerGroup, start: StreamId, count: number, history: boolean): Reply {
  const now = ctx.ks.now;
  const groupName = a.groupName!;
  const name = a.consumerName!;
  let consumer = g.consumers.get(name);
  if (consumer === undefined) consumer = createConsumer(ctx, key, groupName, g, name);
  else consumer.seenTime = now;
  if (history) return readHistory(ctx, s, key, groupName, g, consumer, start, count);
  const reader = consumer;
  const out: Reply[] = [];
  let advanced = false;
  s.forEachInRange(start, MAX_ID, false, (ms, seq, pairs) => {
    const id = new StreamId(ms, seq);
    if (compareIds(id, g.lastId) > 0) {
      s.advanceGroup(g, id);
      advanced = true;
    }
    out.push(entryReply(ms, seq, pairs));
    if (!a.noack) logClaim(ctx, key, groupName, g, deliverNew(g, reader, id, now));
    return count === 0 || out.length < count;
  });
  if (advanced) logGroupPosition(ctx, key, groupName, g);
  return array(out);
}

/** Puts a delivered entry in the PELs: a new pending entry, or one taken over from its owner. */
function deliverNew(g: ConsumerGroup, consumer: Consumer, id: StreamId, now: number): PendingEntry {
  const existing = g.pel.get(id);
  if (existing === undefined) {
    const p = new PendingEntry(id, consumer, now, 1);
    g.addPending(p);
    return p;
  }
  // XGROUP SETID can make a group deliver an entry again: its new owner starts over.
  g.reassign(existing, consumer);
  existing.deliveryTime = now;
  existing.deliveryCount = 1;
  return existing;
}

/** A consumer's own pending entries from `start` (streamReplyWithRangeFromConsumerPEL). */
function readHistory(ctx: CoreContext, s: StreamValue, key: string, groupName: string, g: ConsumerGroup, consumer: Consumer, start: StreamId, count: number): Reply {
  const now = ctx.ks.now;
  const pending: PendingEntry[] = [];
  consumer.pel.forEachFrom(start, (p) => {
    pending.push(p);
    return count === 0 || pending.length < count;
  });
  const out: Reply[] = [];
  for (const p of pending) {
    const entry = singleEntryReply(s, p.id);
    if (entry === null) {
      // Still pending but gone from the stream (XDEL, trimming): the ID with no fields.
      out.push(array([idReply(p.id), NIL_ARRAY]));
      continue;
    }
    out.push(entry);
    p.delivered(now);
    logClaim(ctx, key, groupName, g, p);
  }
  return array(out);
}

function createConsumer(ctx: CoreContext, key: string, groupName: string, g: ConsumerGroup, name: string): Consumer {
  const c = g.createConsumer(name, ctx.ks.now);
  ctx.ks.notify(ctx.db.id, 'xgroup-createconsumer', key);
  propagateAs(ctx, ['XGROUP', 'CREATECONSUMER', key, groupName, name]);
  return c;
}

/** The consumer a claim goes to: looked up (and seen now) or created. */
function claimingConsumer(ctx: CoreContext, key: string, groupName: string, g: ConsumerGroup, name: string): Consumer {
  const c = g.consumers.get(name);
  if (c === undefined) return createConsumer(ctx, key, groupName, g, name);
  c.seenTime = ctx.ks.now;
  return c;
}

/** Logs a pending entry's state as Redis's idempotent XCLAIM (streamPropagateXCLAIM). */
function logClaim(ctx: CoreContext, key: string, groupName: string, g: ConsumerGroup, p: PendingEntry): void {
  propagateAs(ctx, [
    'XCLAIM', key, groupName, p.consumer.name, '0', p.id.toString(),
    'TIME', String(p.deliveryTime), 'RETRYCOUNT', String(u64AsSigned(p.deliveryCount)),
    'FORCE', 'JUSTID', 'LASTID', g.lastId.toString(),
  ]);
}

/** Logs the group's last-delivered ID and read counter (streamPropagateGroupID). */
function logGroupPosition(ctx: CoreContext, key: string, groupName: string, g: ConsumerGroup): void {
  propagateAs(ctx, ['XGROUP', 'SETID', key, groupName, g.lastId.toString(), 'ENTRIESREAD', String(g.entriesRead)]);
}

/** Key positions of XREAD/XREADGROUP: the first half of what follows STREAMS (Redis xreadGetKeys). */
function xreadKeys(argv: readonly string[]): number[] {
  let streamsAt = -1;
  for (let i = 1; i < argv.length; i++) {
    const a = argv[i]!;
    if (isWord(a, 'BLOCK') || isWord(a, 'COUNT')) i++;
    else if (isWord(a, 'GROUP')) i += 2;
    else if (isWord(a, 'NOACK')) continue;
    else if (isWord(a, 'STREAMS')) {
      streamsAt = i;
      break;
    } else break;
  }
  const n = argv.length - streamsAt - 1;
  if (streamsAt === -1 || n === 0 || n % 2 !== 0) return [];
  return Array.from({ length: n / 2 }, (_, i) => streamsAt + 1 + i);
}

// ---------------------------------------------------------------------------------------------
// XGROUP

interface GroupTarget {
  readonly s: StreamValue | undefined;
  readonly g: ConsumerGroup | undefined;
  readonly mkstream: boolean;
  readonly entriesRead: I64;
}

/** The checks every XGROUP subcommand shares, in Redis's order (xgroupCommand's preamble). */
function xgroupTarget(ctx: CoreContext, argv: string[], sub: 'create' | 'setid' | 'destroy' | 'createconsumer' | 'delconsumer'): GroupTarget | Reply {
  let mkstream = false;
  let entriesRead: I64 = ENTRIES_READ_UNKNOWN;
  for (let i = 5; i < argv.length;) {
    if (sub === 'create' && isWord(argv[i]!, 'MKSTREAM')) {
      mkstream = true;
      i++;
    } else if ((sub === 'create' || sub === 'setid') && isWord(argv[i]!, 'ENTRIESREAD') && i + 1 < argv.length) {
      const n = parseLongLong(argv[i + 1]!);
      if (n === null) return errors.notInteger();
      if (n < 0n && n !== -1n) return errors.entriesReadInvalid();
      entriesRead = n >= -BigInt(Number.MAX_SAFE_INTEGER) && n <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(n) : n;
      i += 2;
    } else {
      return errors.unknownSubcommandOrArity('xgroup', argv[1]!);
    }
  }
  const found = writeStream(ctx, argv[2]!);
  if (isReply(found)) return found;
  const g = found?.groups.get(argv[3]!);
  if (!mkstream) {
    if (found === undefined) return errors.xgroupKeyMissing();
    if (g === undefined && (sub === 'setid' || sub === 'createconsumer' || sub === 'delconsumer')) {
      return errors.noSuchGroupForKey(argv[3]!, argv[2]!);
    }
  }
  return { s: found, g, mkstream, entriesRead };
}

function xgroupCreate(ctx: CoreContext, argv: string[]): Reply {
  const t = xgroupTarget(ctx, argv, 'create');
  if (isReply(t)) return t;
  if (argv.length > 8) return errors.unknownSubcommandOrArity('xgroup', argv[1]!);
  const key = argv[2]!;
  let id: StreamId;
  if (argv[4] === '$') {
    id = t.s !== undefined ? t.s.lastId : ZERO_ID;
  } else {
    const parsed = parseIdArg(argv[4]!, 0, true);
    if (parsed === null) return errors.invalidStreamId();
    id = parsed.id;
  }
  let s = t.s;
  if (s === undefined) {
    s = new StreamValue();
    ctx.db.add(key, 'stream', s);
  }
  if (s.groups.has(argv[3]!)) return errors.busyGroup();
  s.groups.set(argv[3]!, new ConsumerGroup(id, t.entriesRead));
  // Not a change Redis signals to WATCH, but one the size estimate must see (MKSTREAM added
  // the stream before the group was in it).
  ctx.db.sizeChanged(key);
  written(ctx);
  ctx.ks.notify(ctx.db.id, 'xgroup-create', key);
  return OK;
}

function xgroupSetid(ctx: CoreContext, argv: string[]): Reply {
  const t = xgroupTarget(ctx, argv, 'setid');
  if (isReply(t)) return t;
  if (argv.length !== 5 && argv.length !== 7) return errors.unknownSubcommandOrArity('xgroup', argv[1]!);
  let id: StreamId;
  if (argv[4] === '$') {
    id = t.s!.lastId;
  } else {
    const parsed = parseIdArg(argv[4]!, 0, false);
    if (parsed === null) return errors.invalidStreamId();
    id = parsed.id;
  }
  t.g!.lastId = id;
  t.g!.entriesRead = t.entriesRead;
  written(ctx);
  ctx.ks.notify(ctx.db.id, 'xgroup-setid', argv[2]!);
  return OK;
}

function xgroupDestroy(ctx: CoreContext, argv: string[]): Reply {
  const t = xgroupTarget(ctx, argv, 'destroy');
  if (isReply(t)) return t;
  if (t.g === undefined) return ZERO;
  const key = argv[2]!;
  t.s!.groups.delete(argv[3]!);
  written(ctx);
  ctx.ks.notify(ctx.db.id, 'xgroup-destroy', key);
  // XREADGROUP clients blocked on this group run again and get NOGROUP.
  ctx.ks.signalReady(ctx.db.id, key);
  return ONE;
}

function xgroupCreateConsumer(ctx: CoreContext, argv: string[]): Reply {
  const t = xgroupTarget(ctx, argv, 'createconsumer');
  if (isReply(t)) return t;
  const g = t.g!;
  if (g.consumers.has(argv[4]!)) return ZERO;
  g.createConsumer(argv[4]!, ctx.ks.now);
  written(ctx);
  ctx.ks.notify(ctx.db.id, 'xgroup-createconsumer', argv[2]!);
  return ONE;
}

function xgroupDelConsumer(ctx: CoreContext, argv: string[]): Reply {
  const t = xgroupTarget(ctx, argv, 'delconsumer');
  if (isReply(t)) return t;
  const g = t.g!;
  const c = g.consumers.get(argv[4]!);
  if (c === undefined) return ZERO;
  const pending = g.deleteConsumer(c);
  written(ctx);
  ctx.ks.notify(ctx.db.id, 'xgroup-delconsumer', argv[2]!);
  return int(pending);
}

// ---------------------------------------------------------------------------------------------
// XSETID

function xsetid(ctx: CoreContext, argv: string[]): Reply {
  const parsed = parseIdArg(argv[2]!, 0, true);
  if (parsed === null) return errors.invalidStreamId();
  const id = parsed.id;
  let entriesAdded: I64 = -1;
  let maxDeleted = ZERO_ID;
  for (let i = 3; i < argv.length;) {
    const moreArgs = argv.length - 1 - i;
    const opt = argv[i]!;
    if (isWord(opt, 'ENTRIESADDED') && moreArgs > 0) {
      const n = parseLongLong(argv[i + 1]!);
      if (n === null) return errors.notInteger();
      if (n < 0n) return errors.entriesAddedNegative();
      entriesAdded = n <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(n) : n;
      i += 2;
    } else if (isWord(opt, 'MAXDELETEDID') && moreArgs > 0) {
      const p = parseIdArg(argv[i + 1]!, 0, true);
      if (p === null) return errors.invalidStreamId();
      if (compareIds(id, p.id) < 0) return errors.xsetidBelowGivenMaxDeleted();
      maxDeleted = p.id;
      i += 2;
    } else {
      return errors.syntax();
    }
  }
  const s = writeStream(ctx, argv[1]!);
  if (s === undefined) return errors.noSuchKey();
  if (isReply(s)) return s;
  if (s.length > 0) {
    if (compareIds(id, s.lastLiveId()!) < 0) return errors.xsetidBelowTopItem();
    if (entriesAdded !== -1 && s.length > entriesAdded) return errors.xsetidEntriesAddedBelowLength();
  }
  s.lastId = id;
  if (entriesAdded !== -1) s.entriesAdded = entriesAdded;
  if (!isZeroId(maxDeleted)) s.maxDeletedId = maxDeleted;
  written(ctx);
  ctx.ks.notify(ctx.db.id, 'xsetid', argv[1]!);
  return OK;
}

// ---------------------------------------------------------------------------------------------
// XACK, XPENDING

function xack(ctx: CoreContext, argv: string[]): Reply {
  const s = readStream(ctx, argv[1]!);
  if (isReply(s)) return s;
  const g = s?.groups.get(argv[2]!);
  if (g === undefined) return ZERO;
  // All IDs are checked first: the reply cannot be an error once some were acknowledged.
  const ids: StreamId[] = [];
  for (let j = 3; j < argv.length; j++) {
    const parsed = parseIdArg(argv[j]!, 0, true);
    if (parsed === null) return errors.invalidStreamId();
    ids.push(parsed.id);
  }
  let acked = 0;
  for (const id of ids) {
    const p = g.pel.get(id);
    if (p === undefined) continue;
    g.removePending(p);
    acked++;
  }
  if (acked > 0) written(ctx, acked);
  return int(acked);
}

function xpending(ctx: CoreContext, argv: string[]): Reply {
  const summary = argv.length === 3;
  if (argv.length !== 3 && (argv.length < 6 || argv.length > 9)) return errors.syntax();
  let start = ZERO_ID;
  let end = MAX_ID;
  let count = 0;
  let minIdle = 0n;
  let consumerName: string | null = null;
  if (argv.length >= 6) {
    let at = 3;
    if (isWord(argv[3]!, 'IDLE')) {
      const n = parseLongLong(argv[4]!);
      if (n === null) return errors.notInteger();
      minIdle = n;
      if (argv.length < 8) return errors.syntax();
      at += 2;
    }
    const n = parseLongLong(argv[at + 2]!);
    if (n === null) return errors.notInteger();
    count = n < 0n ? 0 : countArg(n);
    const range = parseRange(argv[at]!, argv[at + 1]!);
    if (isReply(range)) return range;
    start = range.start;
    end = range.end;
    if (at + 3 < argv.length) consumerName = argv[at + 3]!;
  }
  const s = readStream(ctx, argv[1]!);
  if (isReply(s)) return s;
  const g = s?.groups.get(argv[2]!);
  if (g === undefined) return errors.noSuchKeyOrGroup(argv[1]!, argv[2]!);
  if (summary) return pendingSummary(g);
  let pel = g.pel;
  if (consumerName !== null) {
    const c = g.consumers.get(consumerName);
    if (c === undefined) return EMPTY_ARRAY;
    pel = c.pel;
  }
  const now = ctx.ks.now;
  const out: Reply[] = [];
  if (count > 0) {
    pel.forEachFrom(start, (p) => {
      if (compareIds(p.id, end) > 0) return false;
      if (minIdle !== 0n && BigInt(now - p.deliveryTime) < minIdle) return true;
      out.push(array([idReply(p.id), bulk(p.consumer.name), int(Math.max(0, now - p.deliveryTime)), i64Reply(u64AsSigned(p.deliveryCount))]));
      return out.length < count;
    });
  }
  return array(out);
}

/** XPENDING key group: count, smallest and largest ID, and the consumers with pending entries. */
function pendingSummary(g: ConsumerGroup): Reply {
  if (g.pel.size === 0) return array([ZERO, NIL, NIL, NIL_ARRAY]);
  const owners: Reply[] = [];
  for (const c of g.consumersInOrder()) {
    if (c.pel.size === 0) continue;
    owners.push(array([bulk(c.name), bulk(String(c.pel.size))]));
  }
  return array([int(g.pel.size), idReply(g.pel.first()!.id), idReply(g.pel.last()!.id), array(owners)]);
}

// ---------------------------------------------------------------------------------------------
// XCLAIM, XAUTOCLAIM

function xclaim(ctx: CoreContext, argv: string[]): Reply {
  const key = argv[1]!;
  const groupName = argv[2]!;
  const s = readStream(ctx, key);
  if (isReply(s)) return s;
  const g = s?.groups.get(groupName);
  if (s === undefined || g === undefined) return errors.noSuchKeyOrGroup(key, groupName);
  const idle = parseLongLong(argv[4]!);
  if (idle === null) return errors.streamArgumentInvalid('Invalid min-idle-time argument for XCLAIM');
  const minIdle = idle < 0n ? 0n : idle;
  // IDs run until the first argument that is not one; the options follow.
  const ids: StreamId[] = [];
  let j = 5;
  for (; j < argv.length; j++) {
    const parsed = parseIdArg(argv[j]!, 0, true);
    if (parsed === null) break;
    ids.push(parsed.id);
  }
  const now = ctx.ks.now;
  let deliveryTime: bigint | null = null;
  let retryCount = -1n;
  let force = false;
  let justId = false;
  let lastId = ZERO_ID;
  for (; j < argv.length; j++) {
    const moreArgs = argv.length - 1 - j;
    const opt = argv[j]!;
    if (isWord(opt, 'FORCE')) {
      force = true;
    } else if (isWord(opt, 'JUSTID')) {
      justId = true;
    } else if (isWord(opt, 'IDLE') && moreArgs > 0) {
      const n = parseLongLong(argv[++j]!);
      if (n === null) return errors.streamArgumentInvalid('Invalid IDLE option argument for XCLAIM');
      deliveryTime = BigInt(now) - n;
    } else if (isWord(opt, 'TIME') && moreArgs > 0) {
      const n = parseLongLong(argv[++j]!);
      if (n === null) return errors.streamArgumentInvalid('Invalid TIME option argument for XCLAIM');
      deliveryTime = n;
    } else if (isWord(opt, 'RETRYCOUNT') && moreArgs > 0) {
      const n = parseLongLong(argv[++j]!);
      if (n === null) return errors.streamArgumentInvalid('Invalid RETRYCOUNT option argument for XCLAIM');
      retryCount = n;
    } else if (isWord(opt, 'LASTID') && moreArgs > 0) {
      const parsed = parseIdArg(argv[++j]!, 0, true);
      if (parsed === null) return errors.invalidStreamId();
      lastId = parsed.id;
    } else {
      return errors.xclaimUnknownOption(opt);
    }
  }
  let logLastId = false;
  if (compareIds(lastId, g.lastId) > 0) {
    g.lastId = lastId;
    logLastId = true;
  }
  // A delivery time outside [0, now] (a client's clock ahead of ours) means now, as in Redis.
  const when = deliveryTime === null || deliveryTime < 0n || deliveryTime > BigInt(now) ? now : Number(deliveryTime);
  // The consumer is looked up (seen) or created on the first claim only, as in Redis 7.0.
  let consumer: Consumer | null = null;
  const out: Reply[] = [];
  for (const id of ids) {
    let p = g.pel.get(id);
    if (!s.has(id)) {
      // Pending but gone from the stream: the PEL forgets it (logged before it goes).
      if (p !== undefined) {
        logClaim(ctx, key, groupName, g, p);
        logLastId = false;
        g.removePending(p);
      }
      continue;
    }
    let forced = false;
    if (p === undefined) {
      if (!force) continue;
      consumer ??= claimingConsumer(ctx, key, groupName, g, argv[3]!);
      p = new PendingEntry(id, consumer, now, 1);
      g.addPending(p);
      forced = true;
    }
    if (!forced && minIdle !== 0n && BigInt(now - p.deliveryTime) < minIdle) continue;
    consumer ??= claimingConsumer(ctx, key, groupName, g, argv[3]!);
    g.reassign(p, consumer);
    p.deliveryTime = when;
    if (retryCount >= 0n) p.deliveryCount = retryCount <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(retryCount) : retryCount;
    else if (!justId) p.delivered(when);
    out.push(justId ? idReply(id) : singleEntryReply(s, id)!);
    logClaim(ctx, key, groupName, g, p);
    logLastId = false;
  }
  if (logLastId) logGroupPosition(ctx, key, groupName, g);
  return array(out);
}

function xautoclaim(ctx: CoreContext, argv: string[]): Reply {
  const key = argv[1]!;
  const groupName = argv[2]!;
  const idle = parseLongLong(argv[4]!);
  if (idle === null) return errors.streamArgumentInvalid('Invalid min-idle-time argument for XAUTOCLAIM');
  const minIdle = idle < 0n ? 0n : idle;
  const s0 = parseIntervalId(argv[5]!, 0);
  if (s0 === null) return errors.invalidStreamId();
  let start = s0.id;
  if (s0.exclusive) {
    const next = nextId(start);
    if (next === null) return errors.invalidStartInterval();
    start = next;
  }
  let count = 100;
  let justId = false;
  for (let j = 6; j < argv.length; j++) {
    const moreArgs = argv.length - 1 - j;
    const opt = argv[j]!;
    if (isWord(opt, 'COUNT') && moreArgs > 0) {
      const n = parseLongLong(argv[j + 1]!);
      // getRangeLongFromObjectOrReply(1, LONG_MAX / 16): one message for every refusal.
      if (n === null || n < 1n || n > XAUTOCLAIM_COUNT_MAX) return errors.streamArgumentInvalid('COUNT must be > 0');
      count = countArg(n);
      j++;
    } else if (isWord(opt, 'JUSTID')) {
      justId = true;
    } else {
      return errors.syntax();
    }
  }
  const s = readStream(ctx, key);
  if (isReply(s)) return s;
  const g = s?.groups.get(groupName);
  if (s === undefined || g === undefined) return errors.noSuchKeyOrGroup(key, groupName);
  if (count > streamLimits.xautoclaimCountMax) return errors.xautoclaimCountTooHigh();
  const now = ctx.ks.now;
  let consumer: Consumer | null = null;
  // Redis examines at most count*10 pending entries, so an idle-time filter cannot stall it.
  const candidates = g.pel.collectFrom(start, count * 10);
  const claimed: Reply[] = [];
  const deleted: Reply[] = [];
  let lastExamined: StreamId | null = null;
  for (const p of candidates) {
    if (count === 0) break;
    lastExamined = p.id;
    if (!s.has(p.id)) {
      logClaim(ctx, key, groupName, g, p);
      g.removePending(p);
      deleted.push(idReply(p.id));
      count--;
      continue;
    }
    if (minIdle !== 0n && BigInt(now - p.deliveryTime) < minIdle) continue;
    consumer ??= claimingConsumer(ctx, key, groupName, g, argv[3]!);
    g.reassign(p, consumer);
    p.deliveryTime = now;
    if (!justId) p.delivered(now);
    claimed.push(justId ? idReply(p.id) : singleEntryReply(s, p.id)!);
    count--;
    logClaim(ctx, key, groupName, g, p);
  }
  // The cursor: the first pending entry after the last one examined, 0-0 when none is left.
  const next = lastExamined === null ? undefined : g.pel.firstAfter(lastExamined);
  return array([idReply(next?.id ?? ZERO_ID), array(claimed), array(deleted)]);
}

const XAUTOCLAIM_COUNT_MAX = 9223372036854775807n / 16n;

// ---------------------------------------------------------------------------------------------
// XINFO

function xinfoStream(ctx: CoreContext, argv: string[]): Reply {
  const s = readStream(ctx, argv[2]!);
  if (s === undefined) return errors.noSuchKey();
  if (isReply(s)) return s;
  const options = argv.length - 3;
  let full = false;
  let count = 10;
  if (options > 0) {
    if ((options !== 1 && options !== 3) || !isWord(argv[3]!, 'FULL')) return errors.unknownSubcommandOrArity('xinfo', argv[1]!);
    full = true;
    if (options === 3) {
      if (!isWord(argv[4]!, 'COUNT')) return errors.unknownSubcommandOrArity('xinfo', argv[1]!);
      const n = parseLongLong(argv[5]!);
      if (n === null) return errors.notInteger();
      count = n < 0n ? 10 : countArg(n);
    }
  }
  const head: Array<[string, Reply]> = [
    ['length', int(s.length)],
    ['radix-tree-keys', int(s.radixTreeKeys)],
    ['radix-tree-nodes', int(s.radixTreeNodes)],
    ['last-generated-id', idReply(s.lastId)],
    ['max-deleted-entry-id', idReply(s.maxDeletedId)],
    ['entries-added', i64Reply(s.entriesAdded)],
    ['recorded-first-entry-id', idReply(s.firstId)],
  ];
  if (!full) {
    return mapReply([
      ...head,
      ['groups', int(s.groups.size)],
      ['first-entry', edgeEntry(s, false)],
      ['last-entry', edgeEntry(s, true)],
    ]);
  }
  return mapReply([
    ...head,
    ['entries', rangeReply(s, ZERO_ID, MAX_ID, count, false)],
    ['groups', array(s.groupsInOrder().map(([name, g]) => fullGroupInfo(s, name, g, count)))],
  ]);
}

function mapReply(pairs: ReadonlyArray<readonly [string, Reply]>): Reply {
  const flat: Reply[] = [];
  for (const [k, v] of pairs) flat.push(bulk(k), v);
  return map(flat);
}

function edgeEntry(s: StreamValue, last: boolean): Reply {
  let found: Reply = NIL;
  s.forEachInRange(ZERO_ID, MAX_ID, last, (ms, seq, pairs) => {
    found = entryReply(ms, seq, pairs);
    return false;
  });
  return found;
}

function lagReply(s: StreamValue, g: ConsumerGroup): Reply {
  const lag = s.lagOf(g);
  return lag === null ? NIL : i64Reply(lag);
}

function entriesReadReply(g: ConsumerGroup): Reply {
  return g.entriesRead === ENTRIES_READ_UNKNOWN ? NIL : i64Reply(g.entriesRead);
}

function fullGroupInfo(s: StreamValue, name: string, g: ConsumerGroup, count: number): Reply {
  const pending: Reply[] = [];
  g.pel.forEachFrom(ZERO_ID, (p) => {
    pending.push(array([idReply(p.id), bulk(p.consumer.name), int(p.deliveryTime), i64Reply(u64AsSigned(p.deliveryCount))]));
    return count === 0 || pending.length < count;
  });
  const consumers = g.consumersInOrder().map((c) => {
    const own: Reply[] = [];
    c.pel.forEachFrom(ZERO_ID, (p) => {
      own.push(array([idReply(p.id), int(p.deliveryTime), i64Reply(u64AsSigned(p.deliveryCount))]));
      return count === 0 || own.length < count;
    });
    return mapReply([['name', bulk(c.name)], ['seen-time', int(c.seenTime)], ['pel-count', int(c.pel.size)], ['pending', array(own)]]);
  });
  return mapReply([
    ['name', bulk(name)],
    ['last-delivered-id', idReply(g.lastId)],
    ['entries-read', entriesReadReply(g)],
    ['lag', lagReply(s, g)],
    ['pel-count', int(g.pel.size)],
    ['pending', array(pending)],
    ['consumers', array(consumers)],
  ]);
}

function xinfoGroups(ctx: CoreContext, argv: string[]): Reply {
  const s = readStream(ctx, argv[2]!);
  if (s === undefined) return errors.noSuchKey();
  if (isReply(s)) return s;
  return array(s.groupsInOrder().map(([name, g]) => mapReply([
    ['name', bulk(name)],
    ['consumers', int(g.consumers.size)],
    ['pending', int(g.pel.size)],
    ['last-delivered-id', idReply(g.lastId)],
    ['entries-read', entriesReadReply(g)],
    ['lag', lagReply(s, g)],
  ])));
}

function xinfoConsumers(ctx: CoreContext, argv: string[]): Reply {
  const s = readStream(ctx, argv[2]!);
  if (s === undefined) return errors.noSuchKey();
  if (isReply(s)) return s;
  const g = s.groups.get(argv[3]!);
  if (g === undefined) return errors.noSuchGroupForKey(argv[3]!, argv[2]!);
  const now = ctx.ks.now;
  return array(g.consumersInOrder().map((c) => mapReply([
    ['name', bulk(c.name)],
    ['pending', int(c.pel.size)],
    ['idle', int(Math.max(0, now - c.seenTime))],
  ])));
}

const XINFO_HELP = [
  'XINFO <subcommand> [<arg> [value] [opt] ...]. Subcommands are:',
  'CONSUMERS <key> <groupname>',
  '    Show consumers of <groupname>.',
  'GROUPS <key>',
  '    Show the stream consumer groups.',
  'STREAM <key> [FULL [COUNT <count>]',
  '    Show information about the stream.',
  'HELP',
  '    Prints this help.',
];

const XGROUP_HELP = [
  'XGROUP <subcommand> [<arg> [value] [opt] ...]. Subcommands are:',
  'CREATE <key> <groupname> <id|$> [option]',
  '    Create a new consumer group. Options are:',
  '    * MKSTREAM',
  '      Create the empty stream if it does not exist.',
  '    * ENTRIESREAD entries_read',
  "      Set the group's entries_read counter (internal use).",
  'CREATECONSUMER <key> <groupname> <consumer>',
  '    Create a new consumer in the specified group.',
  'DELCONSUMER <key> <groupname> <consumer>',
  '    Remove the specified consumer.',
  'DESTROY <key> <groupname>',
  '    Remove the specified group.',
  'SETID <key> <groupname> <id|$> [ENTRIESREAD entries_read]',
  '    Set the current group ID and entries_read counter.',
  'HELP',
  '    Prints this help.',
];

function helpReply(lines: readonly string[]): Reply {
  return array(lines.map(simple));
}

// ---------------------------------------------------------------------------------------------
// Declarations

const base = { group: 'stream', acl: ['stream'] } as const;
const oneKey = { first: 1, last: 1, step: 1 } as const;
const subKey = { first: 2, last: 2, step: 1 } as const;
const noFixedKeys = { first: 0, last: 0, step: 0 } as const;

export const streamCommands: CommandSpec[] = [
  {
    ...base, name: 'xadd', arity: -5, flags: ['write', 'denyoom', 'fast'], keys: oneKey, since: '5.0.0',
    summary: 'Appends an entry to a stream, creating it unless NOMKSTREAM, and optionally trims it; returns the new ID.',
    complexity: 'O(1) to add the entry; O(N) in the entries a trim removes',
    syntax: 'XADD key [NOMKSTREAM] [<MAXLEN | MINID> [= | ~] threshold [LIMIT count]] <* | id> field value [field value ...]',
    handler: xadd,
  },
  {
    ...base, name: 'xlen', arity: 2, flags: ['readonly', 'fast'], keys: oneKey, since: '5.0.0',
    summary: 'Counts the entries of a stream.', complexity: 'O(1)', syntax: 'XLEN key', handler: xlen,
  },
  {
    ...base, name: 'xrange', arity: -4, flags: ['readonly'], keys: oneKey, since: '5.0.0',
    summary: 'Returns the entries of a stream between two IDs (inclusive, or exclusive with "("), oldest first.',
    complexity: 'O(log N) to find the start, then O(M) for the M entries returned',
    syntax: 'XRANGE key start end [COUNT count]',
    handler: (ctx, argv) => xrange(ctx, argv, false),
  },
  {
    ...base, name: 'xrevrange', arity: -4, flags: ['readonly'], keys: oneKey, since: '5.0.0',
    summary: 'Returns the entries of a stream between two IDs, newest first.',
    complexity: 'O(log N) to find the start, then O(M) for the M entries returned',
    syntax: 'XREVRANGE key end start [COUNT count]',
    handler: (ctx, argv) => xrange(ctx, argv, true),
  },
  {
    ...base, name: 'xdel', arity: -3, flags: ['write', 'fast'], keys: oneKey, since: '5.0.0',
    summary: 'Deletes entries of a stream by ID and says how many existed.',
    complexity: 'O(log N) per ID', syntax: 'XDEL key id [id ...]', handler: xdel,
  },
  {
    ...base, name: 'xtrim', arity: -4, flags: ['write'], keys: oneKey, since: '5.0.0',
    summary: 'Removes the oldest entries of a stream down to a length or up to an ID, exactly or by whole nodes (~).',
    complexity: 'O(N) in the entries removed',
    syntax: 'XTRIM key <MAXLEN | MINID> [= | ~] threshold [LIMIT count]', handler: xtrim,
  },
  {
    ...base, name: 'xsetid', arity: -3, flags: ['write', 'denyoom', 'fast'], keys: oneKey, since: '5.0.0',
    summary: 'Sets the last generated ID of a stream, and optionally its entries-added count and largest deleted ID.',
    complexity: 'O(1)', syntax: 'XSETID key last-id [ENTRIESADDED entries-added] [MAXDELETEDID max-deleted-id]', handler: xsetid,
  },
  {
    ...base, name: 'xread', arity: -4, flags: ['readonly', 'blocking'], keys: noFixedKeys, movableKeys: xreadKeys, since: '5.0.0',
    summary: 'Returns entries newer than given IDs from one or more streams, optionally waiting for some to arrive.',
    complexity: 'O(log N + M) per stream for M entries returned',
    syntax: 'XREAD [COUNT count] [BLOCK milliseconds] STREAMS key [key ...] id [id ...]',
    handler: (ctx, argv) => xread(ctx, argv, false),
  },
  {
    ...base, name: 'xreadgroup', arity: -7, flags: ['write', 'blocking'], keys: noFixedKeys, movableKeys: xreadKeys, since: '5.0.0',
    summary: 'Reads new entries (">") for a consumer of a group, recording them as pending, or re-reads its pending ones.',
    complexity: 'O(log N + M) per stream for M entries returned',
    syntax: 'XREADGROUP GROUP group consumer [COUNT count] [BLOCK milliseconds] [NOACK] STREAMS key [key ...] id [id ...]',
    handler: (ctx, argv) => xread(ctx, argv, true),
  },
  {
    ...base, name: 'xack', arity: -4, flags: ['write', 'fast'], keys: oneKey, since: '5.0.0',
    summary: 'Acknowledges entries of a group: removes them from its pending entries list; says how many were pending.',
    complexity: 'O(log N) per ID', syntax: 'XACK key group id [id ...]', handler: xack,
  },
  {
    ...base, name: 'xpending', arity: -3, flags: ['readonly'], keys: oneKey, since: '5.0.0',
    summary: 'Describes the pending entries of a group: a summary, or the entries in a range, optionally by idle time and consumer.',
    complexity: 'O(N) in the entries returned; O(log N) to find the start',
    syntax: 'XPENDING key group [[IDLE min-idle-time] start end count [consumer]]', handler: xpending,
  },
  {
    ...base, name: 'xclaim', arity: -6, flags: ['write', 'fast'], keys: oneKey, since: '5.0.0',
    summary: 'Gives pending entries idle long enough to another consumer of the group.',
    complexity: 'O(log N) per ID',
    syntax: 'XCLAIM key group consumer min-idle-time id [id ...] [IDLE ms] [TIME unix-time-milliseconds] [RETRYCOUNT count] [FORCE] [JUSTID] [LASTID lastid]',
    handler: xclaim,
  },
  {
    ...base, name: 'xautoclaim', arity: -6, flags: ['write', 'fast'], keys: oneKey, since: '6.2.0',
    summary: 'Claims the pending entries idle long enough from an ID on, and returns a cursor to continue from.',
    complexity: 'O(1) per entry examined, at most COUNT*10',
    syntax: 'XAUTOCLAIM key group consumer min-idle-time start [COUNT count] [JUSTID]', handler: xautoclaim,
  },
  {
    group: 'stream', acl: [], name: 'xinfo', arity: -2, flags: [], since: '5.0.0',
    summary: 'Describes a stream, its consumer groups or the consumers of a group.',
    complexity: 'Depends on the subcommand', syntax: 'XINFO <STREAM | GROUPS | CONSUMERS | HELP> ...',
    subcommands: [
      {
        ...base, name: 'stream', arity: -3, flags: ['readonly'], keys: subKey, since: '5.0.0',
        summary: 'Describes a stream; FULL adds its entries, groups, pending entries and consumers.',
        complexity: 'O(log N) with N the nodes; FULL: O(N) in what it returns', syntax: 'XINFO STREAM key [FULL [COUNT count]]',
        handler: xinfoStream,
      },
      {
        ...base, name: 'groups', arity: 3, flags: ['readonly'], keys: subKey, since: '5.0.0',
        summary: 'Lists the consumer groups of a stream.', complexity: 'O(1) per group', syntax: 'XINFO GROUPS key',
        handler: xinfoGroups,
      },
      {
        ...base, name: 'consumers', arity: 4, flags: ['readonly'], keys: subKey, since: '5.0.0',
        summary: 'Lists the consumers of a group.', complexity: 'O(1) per consumer', syntax: 'XINFO CONSUMERS key group',
        handler: xinfoConsumers,
      },
      {
        ...base, name: 'help', arity: 2, flags: ['loading', 'stale'], since: '5.0.0',
        summary: 'Lists the XINFO subcommands.', complexity: 'O(1)', syntax: 'XINFO HELP',
        handler: () => helpReply(XINFO_HELP),
      },
    ],
  },
  {
    group: 'stream', acl: [], name: 'xgroup', arity: -2, flags: [], since: '5.0.0',
    summary: 'Creates, changes and destroys consumer groups and their consumers.',
    complexity: 'Depends on the subcommand', syntax: 'XGROUP <CREATE | SETID | DESTROY | CREATECONSUMER | DELCONSUMER | HELP> ...',
    subcommands: [
      {
        ...base, name: 'create', arity: -5, flags: ['write', 'denyoom'], keys: subKey, since: '5.0.0',
        summary: 'Creates a consumer group that starts after an ID ($: the last one), optionally creating the stream.',
        complexity: 'O(1)', syntax: 'XGROUP CREATE key group <id | $> [MKSTREAM] [ENTRIESREAD entries-read]',
        handler: xgroupCreate,
      },
      {
        ...base, name: 'setid', arity: -5, flags: ['write'], keys: subKey, since: '5.0.0',
        summary: "Moves a group's last delivered ID.", complexity: 'O(1)',
        syntax: 'XGROUP SETID key group <id | $> [ENTRIESREAD entries-read]', handler: xgroupSetid,
      },
      {
        ...base, name: 'destroy', arity: 4, flags: ['write'], keys: subKey, since: '5.0.0',
        summary: 'Deletes a consumer group with its consumers and pending entries.',
        complexity: 'O(N) in its pending entries and consumers', syntax: 'XGROUP DESTROY key group', handler: xgroupDestroy,
      },
      {
        ...base, name: 'createconsumer', arity: 5, flags: ['write', 'denyoom'], keys: subKey, since: '6.2.0',
        summary: 'Creates a consumer in a group.', complexity: 'O(1)', syntax: 'XGROUP CREATECONSUMER key group consumer',
        handler: xgroupCreateConsumer,
      },
      {
        ...base, name: 'delconsumer', arity: 5, flags: ['write'], keys: subKey, since: '5.0.0',
        summary: 'Deletes a consumer and its pending entries; returns how many it had.',
        complexity: 'O(N) in its pending entries', syntax: 'XGROUP DELCONSUMER key group consumer', handler: xgroupDelConsumer,
      },
      {
        ...base, name: 'help', arity: 2, flags: ['loading', 'stale'], since: '5.0.0',
        summary: 'Lists the XGROUP subcommands.', complexity: 'O(1)', syntax: 'XGROUP HELP',
        handler: () => helpReply(XGROUP_HELP),
      },
    ],
  },
];
