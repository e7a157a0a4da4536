// Sorted-set commands (Redis 7.0 t_zset.c): ZADD and ZINCRBY, removal, scores and ranks, the
// ZRANGE family (by rank, score and lex, with REV, LIMIT and STORE), counts, pops (plain, multi-key
// and blocking), random members, the algebra (ZUNION/ZINTER/ZDIFF, their STORE forms and
// ZINTERCARD, with plain sets as inputs of score 1) and ZSCAN. The structure and its two
// encodings live in src/core/types/zset.ts.
//
// Scores are IEEE doubles. RESP2 replies print them with %.17g (Redis 7.0's addReplyDouble);
// RESP3 replies send them as doubles where 7.0 does (ZSCORE, ZINCRBY, WITHSCORES pairs, pops).
//
// Effects: ZADD/ZINCRBY (INCR included: the same additions give the same doubles), ZREM, the
// ZREMRANGE family, ZPOPMIN/ZPOPMAX and the STORE commands are deterministic and logged as sent.
// ZMPOP is logged as ZPOPMIN/ZPOPMAX key count, and a served BZPOPMIN/BZPOPMAX/BZMPOP as the
// non-blocking pop of the key it served from, exactly as Redis 7.0 propagates them. ZRANDMEMBER
// only reads (its picks come from the seeded ctx.ks.rng). An empty sorted set never stays in the
// key space.
import * as errors from '../errors.js';
import { globMatch } from '../glob.js';
import type { Entry } from '../keyspace.js';
import { limits } from '../limits.js';
import { formatDouble17g, INT64_MIN, parseI64, parseInteger } from '../numbers.js';
import { array, bulk, double, EMPTY_ARRAY, int, NIL, NIL_ARRAY, ZERO, type Reply } from '../reply.js';
import { compareEntries } from '../types/order-tree.js';
import { SetValue } from '../types/set.js';
import {
  lexAboveMin,
  lexBelowMax,
  lexRangeEmpty,
  parseLexRange,
  parseScore,
  parseScoreRange,
  scoreAboveMin,
  scoreBelowMax,
  scoreRangeEmpty,
  ZSet,
  type LexRange,
  type ScoreRange,
} from '../types/zset.js';
import { parseScanCursor } from './keys.js';
import { EMPTY_SCAN, isScanOptions, parseScanOptions } from './scan-options.js';
import { parseBlockingTimeout } from './lists.js';
import { isWord, propagateAs, written, type CommandSpec, type CoreContext } from './spec.js';

const zsetGroup = { group: 'sorted-set', acl: ['sortedset'] } as const;
const oneKey = { first: 1, last: 1, step: 1 } as const;

/** A member and its score, as ranges and pops return them. */
type Pair = [member: string, score: number];

export const sortedSetCommands: CommandSpec[] = [
  {
    ...zsetGroup, name: 'zadd', arity: -4, flags: ['write', 'denyoom', 'fast'], keys: oneKey, since: '1.2.0',
    summary: 'Adds members with scores to a sorted set or changes their scores; NX/XX/GT/LT choose which, CH counts changes, INCR adds to one score.',
    complexity: 'O(log N) per member added or moved, N the size of the sorted set',
    syntax: 'ZADD key [NX | XX] [GT | LT] [CH] [INCR] score member [score member ...]',
    handler: (ctx, argv) => zaddGeneric(ctx, argv, false),
  },
  {
    ...zsetGroup, name: 'zincrby', arity: 4, flags: ['write', 'denyoom', 'fast'], keys: oneKey, since: '1.2.0',
    summary: 'Adds an increment to the score of a member (a new member starts at 0) and returns the new score.',
    complexity: 'O(log N), N the size of the sorted set',
    syntax: 'ZINCRBY key increment member',
    handler: (ctx, argv) => zaddGeneric(ctx, argv, true),
  },
  {
    ...zsetGroup, name: 'zrem', arity: -3, flags: ['write', 'fast'], keys: oneKey, since: '1.2.0',
    summary: 'Removes members from a sorted set and says how many were there; an emptied set is deleted.',
    complexity: 'O(M log N): M members removed, N the size of the sorted set',
    syntax: 'ZREM key member [member ...]',
    handler: zrem,
  },
  {
    ...zsetGroup, name: 'zcard', arity: 2, flags: ['readonly', 'fast'], keys: oneKey, since: '1.2.0',
    summary: 'Returns the number of members of a sorted set (0 when the key is missing).',
    complexity: 'O(1)',
    syntax: 'ZCARD key',
    handler: (ctx, argv) => {
      const found = readZset(ctx, argv[1]!);
      if (found === undefined) return ZERO;
      return found instanceof ZSet ? int(found.size) : found;
    },
  },
  {
    ...zsetGroup, name: 'zscore', arity: 3, flags: ['readonly', 'fast'], keys: oneKey, since: '1.2.0',
    summary: 'Returns the score of a member, or nil.',
    complexity: 'O(1)',
    syntax: 'ZSCORE key member',
    handler: (ctx, argv) => {
      const found = readZset(ctx, argv[1]!);
      if (found === undefined) return NIL;
      if (!(found instanceof ZSet)) return found;
      const score = found.score(argv[2]!);
      return score === undefined ? NIL : scoreReply(ctx, score);
    },
  },
  {
    ...zsetGroup, name: 'zmscore', arity: -3, flags: ['readonly', 'fast'], keys: oneKey, since: '6.2.0',
    summary: 'Returns the scores of several members, nil for each one that is missing.',
    complexity: 'O(N) in the number of members asked for',
    syntax: 'ZMSCORE key member [member ...]',
    handler: (ctx, argv) => {
      const found = readZset(ctx, argv[1]!);
      if (found !== undefined && !(found instanceof ZSet)) return found;
      const out: Reply[] = [];
      for (let i = 2; i < argv.length; i++) {
        const score = found?.score(argv[i]!);
        out.push(score === undefined ? NIL : scoreReply(ctx, score));
      }
      return array(out);
    },
  },
  {
    ...zsetGroup, name: 'zrank', arity: -3, flags: ['readonly', 'fast'], keys: oneKey, since: '2.0.0',
    summary: 'Returns the 0-based rank of a member by ascending score, and its score with WITHSCORE (Redis 7.2).',
    complexity: 'O(log N)',
    syntax: 'ZRANK key member [WITHSCORE]',
    handler: (ctx, argv) => zrankGeneric(ctx, argv, false),
  },
  {
    ...zsetGroup, name: 'zrevrank', arity: -3, flags: ['readonly', 'fast'], keys: oneKey, since: '2.0.0',
    summary: 'Returns the 0-based rank of a member by descending score, and its score with WITHSCORE (Redis 7.2).',
    complexity: 'O(log N)',
    syntax: 'ZREVRANK key member [WITHSCORE]',
    handler: (ctx, argv) => zrankGeneric(ctx, argv, true),
  },
  {
    ...zsetGroup, name: 'zcount', arity: 4, flags: ['readonly', 'fast'], keys: oneKey, since: '2.0.0',
    summary: 'Counts the members whose score lies between min and max ("(" makes a bound exclusive).',
    complexity: 'O(log N)',
    syntax: 'ZCOUNT key min max',
    handler: zcount,
  },
  {
    ...zsetGroup, name: 'zlexcount', arity: 4, flags: ['readonly', 'fast'], keys: oneKey, since: '2.8.9',
    summary: 'Counts the members between two lexicographic bounds ([ inclusive, ( exclusive, - and +), for members of equal score.',
    complexity: 'O(log N)',
    syntax: 'ZLEXCOUNT key min max',
    handler: zlexcount,
  },
  {
    ...zsetGroup, name: 'zrange', arity: -4, flags: ['readonly'], keys: oneKey, since: '1.2.0',
    summary: 'Returns members by rank, by score (BYSCORE) or lexicographically (BYLEX), optionally reversed, paged and with scores.',
    complexity: 'O(log N + M), M the number of members returned',
    syntax: 'ZRANGE key start stop [BYSCORE | BYLEX] [REV] [LIMIT offset count] [WITHSCORES]',
    handler: (ctx, argv) => zrangeGeneric(ctx, argv, 1, null, RangeKind.Auto, Direction.Auto),
  },
  {
    ...zsetGroup, name: 'zrangestore', arity: -5, flags: ['write', 'denyoom'], keys: { first: 1, last: 2, step: 1 }, since: '6.2.0',
    summary: 'Stores a ZRANGE result (by rank, score or lex) as a new sorted set and returns its size.',
    complexity: 'O(log N + M), M the number of members stored',
    syntax: 'ZRANGESTORE dst src min max [BYSCORE | BYLEX] [REV] [LIMIT offset count]',
    handler: (ctx, argv) => zrangeGeneric(ctx, argv, 2, argv[1]!, RangeKind.Auto, Direction.Auto),
  },
  {
    ...zsetGroup, name: 'zrangebyscore', arity: -4, flags: ['readonly'], keys: oneKey, since: '1.0.5',
    summary: 'Returns the members with a score between min and max, ascending (superseded by ZRANGE BYSCORE).',
    complexity: 'O(log N + M), M the number of members returned',
    syntax: 'ZRANGEBYSCORE key min max [WITHSCORES] [LIMIT offset count]',
    handler: (ctx, argv) => zrangeGeneric(ctx, argv, 1, null, RangeKind.Score, Direction.Forward),
  },
  {
    ...zsetGroup, name: 'zrevrangebyscore', arity: -4, flags: ['readonly'], keys: oneKey, since: '2.2.0',
    summary: 'Returns the members with a score between max and min, descending (superseded by ZRANGE BYSCORE REV).',
    complexity: 'O(log N + M), M the number of members returned',
    syntax: 'ZREVRANGEBYSCORE key max min [WITHSCORES] [LIMIT offset count]',
    handler: (ctx, argv) => zrangeGeneric(ctx, argv, 1, null, RangeKind.Score, Direction.Reverse),
  },
  {
    ...zsetGroup, name: 'zrangebylex', arity: -4, flags: ['readonly'], keys: oneKey, since: '2.8.9',
    summary: 'Returns the members between two lexicographic bounds, ascending (superseded by ZRANGE BYLEX).',
    complexity: 'O(log N + M), M the number of members returned',
    syntax: 'ZRANGEBYLEX key min max [LIMIT offset count]',
    handler: (ctx, argv) => zrangeGeneric(ctx, argv, 1, null, RangeKind.Lex, Direction.Forward),
  },
  {
    ...zsetGroup, name: 'zrevrangebylex', arity: -4, flags: ['readonly'], keys: oneKey, since: '2.8.9',
    summary: 'Returns the members between two lexicographic bounds, descending (superseded by ZRANGE BYLEX REV).',
    complexity: 'O(log N + M), M the number of members returned',
    syntax: 'ZREVRANGEBYLEX key max min [LIMIT offset count]',
    handler: (ctx, argv) => zrangeGeneric(ctx, argv, 1, null, RangeKind.Lex, Direction.Reverse),
  },
  {
    ...zsetGroup, name: 'zrevrange', arity: -4, flags: ['readonly'], keys: oneKey, since: '1.2.0',
    summary: 'Returns members by rank from the highest score down (superseded by ZRANGE REV).',
    complexity: 'O(log N + M), M the number of members returned',
    syntax: 'ZREVRANGE key start stop [WITHSCORES]',
    handler: (ctx, argv) => zrangeGeneric(ctx, argv, 1, null, RangeKind.Rank, Direction.Reverse),
  },
  {
    ...zsetGroup, name: 'zremrangebyrank', arity: 4, flags: ['write'], keys: oneKey, since: '2.0.0',
    summary: 'Removes the members between two ranks (negative ranks count from the highest) and says how many went.',
    complexity: 'O(log N + M), M the number of members removed',
    syntax: 'ZREMRANGEBYRANK key start stop',
    handler: (ctx, argv) => zremrangeGeneric(ctx, argv, RangeKind.Rank),
  },
  {
    ...zsetGroup, name: 'zremrangebyscore', arity: 4, flags: ['write'], keys: oneKey, since: '1.2.0',
    summary: 'Removes the members with a score between min and max and says how many went.',
    complexity: 'O(log N + M), M the number of members removed',
    syntax: 'ZREMRANGEBYSCORE key min max',
    handler: (ctx, argv) => zremrangeGeneric(ctx, argv, RangeKind.Score),
  },
  {
    ...zsetGroup, name: 'zremrangebylex', arity: 4, flags: ['write'], keys: oneKey, since: '2.8.9',
    summary: 'Removes the members between two lexicographic bounds and says how many went.',
    complexity: 'O(log N + M), M the number of members removed',
    syntax: 'ZREMRANGEBYLEX key min max',
    handler: (ctx, argv) => zremrangeGeneric(ctx, argv, RangeKind.Lex),
  },
  {
    ...zsetGroup, name: 'zpopmin', arity: -2, flags: ['write', 'fast'], keys: oneKey, since: '5.0.0',
    summary: 'Removes and returns the members with the lowest scores (one, or count).',
    complexity: 'O(M log N), M the number of members popped',
    syntax: 'ZPOPMIN key [count]',
    handler: (ctx, argv) => zpopMinMax(ctx, argv, false),
  },
  {
    ...zsetGroup, name: 'zpopmax', arity: -2, flags: ['write', 'fast'], keys: oneKey, since: '5.0.0',
    summary: 'Removes and returns the members with the highest scores (one, or count).',
    complexity: 'O(M log N), M the number of members popped',
    syntax: 'ZPOPMAX key [count]',
    handler: (ctx, argv) => zpopMinMax(ctx, argv, true),
  },
  {
    ...zsetGroup, name: 'zmpop', arity: -4, flags: ['write'], movableKeys: (argv) => numkeysKeys(argv, 1), since: '7.0.0',
    summary: 'Pops members with the lowest (MIN) or highest (MAX) scores from the first non-empty of several sorted sets.',
    complexity: 'O(K) + O(M log N): K keys looked at, M members popped',
    syntax: 'ZMPOP numkeys key [key ...] MIN | MAX [COUNT count]',
    handler: (ctx, argv) => zmpopGeneric(ctx, argv, 1, false),
  },
  {
    ...zsetGroup, name: 'bzpopmin', arity: -3, flags: ['write', 'noscript', 'blocking', 'fast'], keys: { first: 1, last: -2, step: 1 }, since: '5.0.0',
    summary: 'Pops the lowest-scored member of the first non-empty sorted set, waiting up to timeout seconds for one.',
    complexity: 'O(log N)',
    syntax: 'BZPOPMIN key [key ...] timeout',
    handler: (ctx, argv) => bzpopMinMax(ctx, argv, false),
  },
  {
    ...zsetGroup, name: 'bzpopmax', arity: -3, flags: ['write', 'noscript', 'blocking', 'fast'], keys: { first: 1, last: -2, step: 1 }, since: '5.0.0',
    summary: 'Pops the highest-scored member of the first non-empty sorted set, waiting up to timeout seconds for one.',
    complexity: 'O(log N)',
    syntax: 'BZPOPMAX key [key ...] timeout',
    handler: (ctx, argv) => bzpopMinMax(ctx, argv, true),
  },
  {
    ...zsetGroup, name: 'bzmpop', arity: -5, flags: ['write', 'blocking'], movableKeys: (argv) => numkeysKeys(argv, 2), since: '7.0.0',
    summary: 'ZMPOP that waits up to timeout seconds when every named sorted set is empty.',
    complexity: 'O(K) + O(M log N): K keys looked at, M members popped',
    syntax: 'BZMPOP timeout numkeys key [key ...] MIN | MAX [COUNT count]',
    handler: (ctx, argv) => zmpopGeneric(ctx, argv, 2, true),
  },
  {
    ...zsetGroup, name: 'zrandmember', arity: -2, flags: ['readonly'], keys: oneKey, since: '6.2.0',
    summary: 'Returns random members: one, count distinct ones, or with a negative count that many picks that may repeat.',
    complexity: 'O(N) in the number of members returned',
    syntax: 'ZRANDMEMBER key [count [WITHSCORES]]',
    handler: zrandmember,
  },
  {
    ...zsetGroup, name: 'zunion', arity: -3, flags: ['readonly'], movableKeys: (argv) => numkeysKeys(argv, 1), since: '6.2.0',
    summary: 'Returns the union of sorted sets (plain sets count with score 1), scores weighted and summed, or their MIN or MAX.',
    complexity: 'O(N) + O(M log M): N the sizes of the inputs, M the size of the result',
    syntax: 'ZUNION numkeys key [key ...] [WEIGHTS weight [weight ...]] [AGGREGATE SUM | MIN | MAX] [WITHSCORES]',
    handler: (ctx, argv) => zsetAlgebra(ctx, argv, SetOp.Union, null, 1, false),
  },
  {
    ...zsetGroup, name: 'zinter', arity: -3, flags: ['readonly'], movableKeys: (argv) => numkeysKeys(argv, 1), since: '6.2.0',
    summary: 'Returns the members common to sorted sets (plain sets count with score 1), scores weighted and aggregated.',
    complexity: 'O(N*K) + O(M log M): N the smallest input, K the inputs, M the size of the result',
    syntax: 'ZINTER numkeys key [key ...] [WEIGHTS weight [weight ...]] [AGGREGATE SUM | MIN | MAX] [WITHSCORES]',
    handler: (ctx, argv) => zsetAlgebra(ctx, argv, SetOp.Inter, null, 1, false),
  },
  {
    ...zsetGroup, name: 'zdiff', arity: -3, flags: ['readonly'], movableKeys: (argv) => numkeysKeys(argv, 1), since: '6.2.0',
    summary: 'Returns the members of the first sorted set that are in none of the others, with their scores.',
    complexity: 'O(L + (N-K) log N): L the sizes of the inputs, N the first, K the result',
    syntax: 'ZDIFF numkeys key [key ...] [WITHSCORES]',
    handler: (ctx, argv) => zsetAlgebra(ctx, argv, SetOp.Diff, null, 1, false),
  },
  {
    ...zsetGroup, name: 'zintercard', arity: -3, flags: ['readonly'], movableKeys: (argv) => numkeysKeys(argv, 1), since: '7.0.0',
    summary: 'Counts the members common to sorted sets, stopping early at an optional limit.',
    complexity: 'O(N*K): N the smallest input, K the inputs',
    syntax: 'ZINTERCARD numkeys key [key ...] [LIMIT limit]',
    handler: (ctx, argv) => zsetAlgebra(ctx, argv, SetOp.Inter, null, 1, true),
  },
  {
    ...zsetGroup, name: 'zunionstore', arity: -4, flags: ['write', 'denyoom'], keys: oneKey, movableKeys: storeKeys, since: '2.0.0',
    summary: 'Stores the union of sorted sets (plain sets count with score 1) at a key and returns its size.',
    complexity: 'O(N) + O(M log M): N the sizes of the inputs, M the size of the result',
    syntax: 'ZUNIONSTORE destination numkeys key [key ...] [WEIGHTS weight [weight ...]] [AGGREGATE SUM | MIN | MAX]',
    handler: (ctx, argv) => zsetAlgebra(ctx, argv, SetOp.Union, argv[1]!, 2, false),
  },
  {
    ...zsetGroup, name: 'zinterstore', arity: -4, flags: ['write', 'denyoom'], keys: oneKey, movableKeys: storeKeys, since: '2.0.0',
    summary: 'Stores the intersection of sorted sets (plain sets count with score 1) at a key and returns its size.',
    complexity: 'O(N*K) + O(M log M): N the smallest input, K the inputs, M the size of the result',
    syntax: 'ZINTERSTORE destination numkeys key [key ...] [WEIGHTS weight [weight ...]] [AGGREGATE SUM | MIN | MAX]',
    handler: (ctx, argv) => zsetAlgebra(ctx, argv, SetOp.Inter, argv[1]!, 2, false),
  },
  {
    ...zsetGroup, name: 'zdiffstore', arity: -4, flags: ['write', 'denyoom'], keys: oneKey, movableKeys: storeKeys, since: '6.2.0',
    summary: 'Stores the members of the first sorted set that are in none of the others at a key and returns its size.',
    complexity: 'O(L + (N-K) log N): L the sizes of the inputs, N the first, K the result',
    syntax: 'ZDIFFSTORE destination numkeys key [key ...]',
    handler: (ctx, argv) => zsetAlgebra(ctx, argv, SetOp.Diff, argv[1]!, 2, false),
  },
  {
    ...zsetGroup, name: 'zscan', arity: -3, flags: ['readonly'], keys: oneKey, since: '2.8.0',
    summary: 'Iterates over the members and scores of a sorted set a few at a time with a cursor.',
    complexity: 'O(1) per call, O(N) for a complete iteration',
    syntax: 'ZSCAN key cursor [MATCH pattern] [COUNT count]',
    handler: zscan,
  },
];

// ---------------------------------------------------------------------------------------
// Shared pieces

const enum RangeKind { Auto, Rank, Score, Lex }
const enum Direction { Auto, Forward, Reverse }
const enum SetOp { Union, Inter, Diff }


function zsetIn(e: Entry | undefined): ZSet | undefined | Reply {
  if (e === undefined) return undefined;
  return e.type === 'zset' ? (e.value as ZSet) : errors.wrongType();
}

/** The sorted set at a key for a read: undefined when missing, WRONGTYPE for another type. */
function readZset(ctx: CoreContext, key: string): ZSet | undefined | Reply {
  return zsetIn(ctx.db.lookupRead(key));
}

function writeZset(ctx: CoreContext, key: string): ZSet | undefined | Reply {
  return zsetIn(ctx.db.lookupWrite(key));
}

/** A score as Redis 7.0's addReplyDouble sends it: %.17g text in RESP2, a double in RESP3. */
function scoreReply(ctx: CoreContext, score: number): Reply {
  return ctx.client.resp === 3 ? double(score) : bulk(formatDouble17g(score));
}

/**
 * Members, or with scores: a flat member, score, member, score... array in RESP2 and an array
 * of [member, score] pairs in RESP3 (Redis keeps the order, so not a map).
 */
function pairsReply(ctx: CoreContext, pairs: readonly Pair[], withScores: boolean): Reply {
  const out: Reply[] = [];
  if (!withScores) {
    for (const [m] of pairs) out.push(bulk(m));
  } else if (ctx.client.resp === 3) {
    for (const [m, s] of pairs) out.push(array([bulk(m), double(s)]));
  } else {
    for (const [m, s] of pairs) out.push(bulk(m), bulk(formatDouble17g(s)));
  }
  return array(out);
}

/** Deletes the key of a sorted set that became empty, with Redis's "del" event. */
function deleteIfEmpty(ctx: CoreContext, key: string, z: ZSet): boolean {
  if (z.size !== 0) return false;
  ctx.db.delete(key);
  ctx.ks.notify(ctx.db.id, 'del', key);
  return true;
}

/** Key positions of `numkeys key [key ...]` with numkeys at `at` (ZUNION, ZMPOP, BZMPOP ...). */
function numkeysKeys(argv: readonly string[], at: number): number[] {
  const numkeys = parseI64(argv[at] ?? '');
  if (numkeys === null || numkeys < 1n || numkeys > BigInt(argv.length - at - 1)) return [];
  const out: number[] = [];
  for (let i = 0; i < Number(numkeys); i++) out.push(at + 1 + i);
  return out;
}

/** ZUNIONSTORE and friends: the destination, then the numkeys source keys. */
function storeKeys(argv: readonly string[]): number[] {
  const sources = numkeysKeys(argv, 2);
  return sources.length === 0 ? [] : [1, ...sources];
}

// ---------------------------------------------------------------------------------------
// ZADD, ZINCRBY (Redis zaddGenericCommand and zsetAdd)

interface AddOptions {
  nx: boolean;
  xx: boolean;
  gt: boolean;
  lt: boolean;
  incr: boolean;
}

const enum AddOutcome { Added, Updated, Unchanged, Nop, NaN }

/**
 * Adds or updates one member under the ZADD options. Returns the outcome and the score the
 * member has now (the reply of INCR).
 */
function addOne(z: ZSet, score: number, member: string, o: AddOptions): [AddOutcome, number] {
  const current = z.score(member);
  if (current !== undefined) {
    if (o.nx) return [AddOutcome.Nop, current];
    let next = score;
    if (o.incr) {
      next += current;
      if (Number.isNaN(next)) return [AddOutcome.NaN, current];
    }
    if ((o.lt && next >= current) || (o.gt && next <= current)) return [AddOutcome.Nop, current];
    // -0 and 0 are the same score here, as in C: the stored one stays.
    if (next !== current) {
      z.rescore(member, current, next);
      return [AddOutcome.Updated, next];
    }
    return [AddOutcome.Unchanged, next];
  }
  if (o.xx) return [AddOutcome.Nop, score];
  z.insert(member, score);
  return [AddOutcome.Added, score];
}

function zaddGeneric(ctx: CoreContext, argv: string[], incrCommand: boolean): Reply {
  const key = argv[1]!;
  const o: AddOptions = { nx: false, xx: false, gt: false, lt: false, incr: incrCommand };
  let ch = false;
  // ZINCRBY goes through the same option loop in Redis, so "ZINCRBY key nx member" is a syntax error.
  let scoreAt = 2;
  for (; scoreAt < argv.length; scoreAt++) {
    const word = argv[scoreAt]!;
    if (isWord(word, 'NX')) o.nx = true;
    else if (isWord(word, 'XX')) o.xx = true;
    else if (isWord(word, 'CH')) ch = true;
    else if (isWord(word, 'INCR')) o.incr = true;
    else if (isWord(word, 'GT')) o.gt = true;
    else if (isWord(word, 'LT')) o.lt = true;
    else break;
  }
  const words = argv.length - scoreAt;
  if (words === 0 || words % 2 !== 0) return errors.syntax();
  if (o.nx && o.xx) return errors.zaddNxXxConflict();
  if ((o.gt && o.nx) || (o.lt && o.nx) || (o.gt && o.lt)) return errors.zaddGtLtNxConflict();
  const pairs = words / 2;
  if (o.incr && pairs > 1) return errors.zaddIncrSinglePair();
  // Every score is checked before anything changes: the command applies fully or not at all.
  const scores: number[] = [];
  for (let j = 0; j < pairs; j++) {
    const s = parseScore(argv[scoreAt + 2 * j]!);
    if (s === null) return errors.notFloat();
    scores.push(s);
  }
  const found = writeZset(ctx, key);
  if (found !== undefined && !(found instanceof ZSet)) return found;
  if (found === undefined && o.xx) return o.incr ? NIL : ZERO;
  const z = found ?? ZSet.empty();
  let added = 0;
  let updated = 0;
  let processed = 0;
  let lastScore = 0;
  let failed = false;
  for (let j = 0; j < pairs; j++) {
    const [outcome, score] = addOne(z, scores[j]!, argv[scoreAt + 2 * j + 1]!, o);
    if (outcome === AddOutcome.NaN) {
      failed = true;
      break;
    }
    if (outcome === AddOutcome.Added) added++;
    if (outcome === AddOutcome.Updated) updated++;
    if (outcome !== AddOutcome.Nop) processed++;
    lastScore = score;
  }
  const changes = added + updated;
  if (found === undefined && z.size > 0) ctx.db.add(key, 'zset', z);
  else if (changes > 0) ctx.db.touch(key);
  if (changes > 0) {
    written(ctx, changes);
    ctx.ks.notify(ctx.db.id, o.incr ? 'zincr' : 'zadd', key);
  }
  if (failed) return errors.zsetScoreNaN();
  if (o.incr) return processed > 0 ? scoreReply(ctx, lastScore) : NIL;
  return int(ch ? changes : added);
}

// ---------------------------------------------------------------------------------------
// ZREM, ZRANK, ZCOUNT, ZLEXCOUNT

function zrem(ctx: CoreContext, argv: string[]): Reply {
  const key = argv[1]!;
  const found = writeZset(ctx, key);
  if (found === undefined) return ZERO;
  if (!(found instanceof ZSet)) return found;
  let deleted = 0;
  for (let i = 2; i < argv.length && found.size > 0; i++) {
    if (found.remove(argv[i]!)) deleted++;
  }
  if (deleted > 0) {
    ctx.ks.notify(ctx.db.id, 'zrem', key);
    if (!deleteIfEmpty(ctx, key, found)) ctx.db.touch(key);
    written(ctx, deleted);
  }
  return int(deleted);
}

function zrankGeneric(ctx: CoreContext, argv: string[], reverse: boolean): Reply {
  if (argv.length > 4) return errors.wrongArity(reverse ? 'zrevrank' : 'zrank');
  let withScore = false;
  if (argv.length === 4) {
    if (!isWord(argv[3]!, 'WITHSCORE')) return errors.syntax();
    withScore = true;
  }
  const missing = withScore ? NIL_ARRAY : NIL;
  const found = readZset(ctx, argv[1]!);
  if (found === undefined) return missing;
  if (!(found instanceof ZSet)) return found;
  const member = argv[2]!;
  const rank = found.rank(member);
  if (rank < 0) return missing;
  const shown = reverse ? found.size - 1 - rank : rank;
  if (!withScore) return int(shown);
  return array([int(shown), scoreReply(ctx, found.score(member)!)]);
}

/** Rank of the first member whose score is in range, or -1 (zslFirstInRange). */
function firstInScoreRange(z: ZSet, r: ScoreRange): number {
  if (z.size === 0 || scoreRangeEmpty(r)) return -1;
  const rank = z.countWhile((s) => !scoreAboveMin(s, r));
  if (rank >= z.size || !scoreBelowMax(z.entryAt(rank)[1], r)) return -1;
  return rank;
}

/** Rank of the last member whose score is in range, or -1 (zslLastInRange). */
function lastInScoreRange(z: ZSet, r: ScoreRange): number {
  if (z.size === 0 || scoreRangeEmpty(r)) return -1;
  const rank = z.countWhile((s) => scoreBelowMax(s, r)) - 1;
  if (rank < 0 || !scoreAboveMin(z.entryAt(rank)[1], r)) return -1;
  return rank;
}

/** zslIsInLexRange / zzlIsInLexRange: the range is not empty and overlaps the set's ends. */
function lexRangeOverlaps(z: ZSet, r: LexRange): boolean {
  if (z.size === 0 || lexRangeEmpty(r)) return false;
  return lexAboveMin(z.entryAt(z.size - 1)[0], r) && lexBelowMax(z.entryAt(0)[0], r);
}

/**
 * Rank of the first member in a lex range, or -1. Lex ranges assume equal scores; with mixed
 * scores the answer depends on how it is searched, so the compact encoding scans from the head
 * as Redis's listpack code does, and the skiplist encoding descends the tree.
 */
function firstInLexRange(z: ZSet, r: LexRange): number {
  if (!lexRangeOverlaps(z, r)) return -1;
  let rank = -1;
  if (z.encoding === 'listpack') {
    let i = 0;
    z.walk(0, false, (m) => {
      if (lexAboveMin(m, r)) {
        rank = i;
        return false;
      }
      i++;
      return true;
    });
  } else {
    rank = z.countWhile((_s, m) => !lexAboveMin(m, r));
  }
  if (rank < 0 || rank >= z.size || !lexBelowMax(z.entryAt(rank)[0], r)) return -1;
  return rank;
}

/** Rank of the last member in a lex range, or -1 (scanning from the tail in the compact encoding). */
function lastInLexRange(z: ZSet, r: LexRange): number {
  if (!lexRangeOverlaps(z, r)) return -1;
  let rank = -1;
  if (z.encoding === 'listpack') {
    let i = z.size - 1;
    z.walk(i, true, (m) => {
      if (lexBelowMax(m, r)) {
        rank = i;
        return false;
      }
      i--;
      return true;
    });
  } else {
    rank = z.countWhile((_s, m) => lexBelowMax(m, r)) - 1;
  }
  if (rank < 0 || !lexAboveMin(z.entryAt(rank)[0], r)) return -1;
  return rank;
}

/** How many consecutive entries from a rank satisfy a test (walking up). */
function runLength(z: ZSet, rank: number, test: (member: string, score: number) => boolean): number {
  let n = 0;
  z.walk(rank, false, (m, s) => {
    if (!test(m, s)) return false;
    n++;
    return true;
  });
  return n;
}

function zcount(ctx: CoreContext, argv: string[]): Reply {
  const range = parseScoreRange(argv[2]!, argv[3]!);
  if (range === null) return errors.zsetMinMaxNotFloat();
  const found = readZset(ctx, argv[1]!);
  if (found === undefined) return ZERO;
  if (!(found instanceof ZSet)) return found;
  const first = firstInScoreRange(found, range);
  if (first < 0) return ZERO;
  return int(lastInScoreRange(found, range) - first + 1);
}

function zlexcount(ctx: CoreContext, argv: string[]): Reply {
  const range = parseLexRange(argv[2]!, argv[3]!);
  if (range === null) return errors.zsetMinMaxNotLex();
  const found = readZset(ctx, argv[1]!);
  if (found === undefined) return ZERO;
  if (!(found instanceof ZSet)) return found;
  const first = firstInLexRange(found, range);
  if (first < 0) return ZERO;
  if (found.encoding === 'listpack') return int(runLength(found, first, (m) => lexBelowMax(m, range)));
  const last = lastInLexRange(found, range);
  return int(last < 0 ? found.size - first : last - first + 1);
}

// ---------------------------------------------------------------------------------------
// The ZRANGE family (Redis zrangeGenericCommand)

/** Parsed range: ranks, a score interval or a lex interval. */
type ParsedRange =
  | { kind: RangeKind.Rank; start: number; end: number }
  | { kind: RangeKind.Score; range: ScoreRange }
  | { kind: RangeKind.Lex; range: LexRange };

/**
 * ZRANGE and its older forms. `srcAt` is the source key's index; `dst` is ZRANGESTORE's
 * destination (null for the replying forms). `kind` and `dir` are fixed by the older commands
 * and Auto for ZRANGE/ZRANGESTORE, which take BYSCORE/BYLEX/REV as options.
 */
function zrangeGeneric(ctx: CoreContext, argv: string[], srcAt: number, dst: string | null, kindIn: RangeKind, dirIn: Direction): Reply {
  let kind = kindIn;
  let dir = dirIn;
  let withScores = false;
  let offset = 0;
  let limit = -1;
  for (let j = srcAt + 3; j < argv.length; j++) {
    const left = argv.length - j - 1;
    const word = argv[j]!;
    if (dst === null && isWord(word, 'WITHSCORES')) {
      withScores = true;
    } else if (isWord(word, 'LIMIT') && left >= 2) {
      const o = parseInteger(argv[j + 1]!);
      if (o === null) return errors.notInteger();
      const l = parseInteger(argv[j + 2]!);
      if (l === null) return errors.notInteger();
      offset = o;
      limit = l;
      j += 2;
    } else if (dir === Direction.Auto && isWord(word, 'REV')) {
      dir = Direction.Reverse;
    } else if (kind === RangeKind.Auto && isWord(word, 'BYLEX')) {
      kind = RangeKind.Lex;
    } else if (kind === RangeKind.Auto && isWord(word, 'BYSCORE')) {
      kind = RangeKind.Score;
    } else {
      return errors.syntax();
    }
  }
  if (dir === Direction.Auto) dir = Direction.Forward;
  if (kind === RangeKind.Auto) kind = RangeKind.Rank;
  // As in Redis, "LIMIT x -1" reads as no limit, so it passes this check.
  if (limit !== -1 && kind === RangeKind.Rank) return errors.zrangeLimitNeedsByScoreOrLex();
  if (withScores && kind === RangeKind.Lex) return errors.zrangeWithscoresWithBylex();
  const reverse = dir === Direction.Reverse;
  // Reversed score and lex ranges are given as max then min.
  const swap = reverse && kind !== RangeKind.Rank;
  const minArg = argv[swap ? srcAt + 2 : srcAt + 1]!;
  const maxArg = argv[swap ? srcAt + 1 : srcAt + 2]!;
  let parsed: ParsedRange;
  if (kind === RangeKind.Rank) {
    const start = parseInteger(minArg);
    if (start === null) return errors.notInteger();
    const end = parseInteger(maxArg);
    if (end === null) return errors.notInteger();
    parsed = { kind, start, end };
  } else if (kind === RangeKind.Score) {
    const range = parseScoreRange(minArg, maxArg);
    if (range === null) return errors.zsetMinMaxNotFloat();
    parsed = { kind, range };
  } else {
    const range = parseLexRange(minArg, maxArg);
    if (range === null) return errors.zsetMinMaxNotLex();
    parsed = { kind: RangeKind.Lex, range };
  }
  const found = readZset(ctx, argv[srcAt]!);
  if (found !== undefined && !(found instanceof ZSet)) return found;
  let pairs: Pair[] = [];
  if (found !== undefined) {
    if (parsed.kind === RangeKind.Rank) pairs = rankRange(found, parsed.start, parsed.end, reverse);
    else if (parsed.kind === RangeKind.Score) pairs = scoreRange(found, parsed.range, offset, limit, reverse);
    else pairs = lexRange(found, parsed.range, offset, limit, reverse);
  }
  if (dst !== null) return storeRange(ctx, dst, pairs);
  return pairsReply(ctx, pairs, withScores);
}

/** The entries between two ranks (negative counting from the end), in the walk's direction. */
function rankRange(z: ZSet, startIn: number, endIn: number, reverse: boolean): Pair[] {
  const n = z.size;
  let start = startIn < 0 ? n + startIn : startIn;
  let end = endIn < 0 ? n + endIn : endIn;
  if (start < 0) start = 0;
  if (start > end || start >= n) return [];
  if (end >= n) end = n - 1;
  const count = end - start + 1;
  return collect(z, reverse ? n - 1 - start : start, reverse, count, () => true);
}

/** Up to `limit` entries (negative: all) from a rank while `inRange` holds. */
function collect(z: ZSet, rank: number, reverse: boolean, limit: number, inRange: (m: string, s: number) => boolean): Pair[] {
  const out: Pair[] = [];
  if (limit === 0) return out;
  z.walk(rank, reverse, (m, s) => {
    if (!inRange(m, s)) return false;
    out.push([m, s]);
    return out.length !== limit;
  });
  return out;
}

/** A start rank moved past `offset` entries in the walk's direction; -1 when it leaves the set. */
function skip(z: ZSet, start: number, offset: number, reverse: boolean): number {
  // Redis steps `offset` times with a signed counter: a negative offset runs off the end.
  if (start < 0 || offset < 0) return -1;
  const rank = reverse ? start - offset : start + offset;
  return rank < 0 || rank >= z.size ? -1 : rank;
}

function scoreRange(z: ZSet, r: ScoreRange, offset: number, limit: number, reverse: boolean): Pair[] {
  const start = reverse ? lastInScoreRange(z, r) : firstInScoreRange(z, r);
  const rank = skip(z, start, offset, reverse);
  if (rank < 0) return [];
  return collect(z, rank, reverse, limit, (_m, s) => (reverse ? scoreAboveMin(s, r) : scoreBelowMax(s, r)));
}

function lexRange(z: ZSet, r: LexRange, offset: number, limit: number, reverse: boolean): Pair[] {
  const start = reverse ? lastInLexRange(z, r) : firstInLexRange(z, r);
  const rank = skip(z, start, offset, reverse);
  if (rank < 0) return [];
  return collect(z, rank, reverse, limit, (m) => (reverse ? lexAboveMin(m, r) : lexBelowMax(m, r)));
}

/**
 * ZRANGESTORE's result: the entries are added one by one in range order to a new compact set,
 * as Redis does, so the set converts (and keeps later -0 scores) at the same point.
 */
function storeRange(ctx: CoreContext, dst: string, pairs: readonly Pair[]): Reply {
  if (pairs.length === 0) return clearDestination(ctx, dst);
  const z = ZSet.empty();
  for (const [m, s] of pairs) z.insert(m, s);
  ctx.db.set(dst, 'zset', z);
  ctx.ks.notify(ctx.db.id, 'zrangestore', dst);
  written(ctx);
  return int(z.size);
}

/** An empty result deletes the destination, if there was one. */
function clearDestination(ctx: CoreContext, dst: string): Reply {
  if (ctx.db.delete(dst)) {
    ctx.ks.notify(ctx.db.id, 'del', dst);
    written(ctx);
  }
  return ZERO;
}

// ---------------------------------------------------------------------------------------
// ZREMRANGEBYRANK, ZREMRANGEBYSCORE, ZREMRANGEBYLEX

function zremrangeGeneric(ctx: CoreContext, argv: string[], kind: RangeKind): Reply {
  const key = argv[1]!;
  let event: string;
  let parsed: ParsedRange;
  if (kind === RangeKind.Rank) {
    event = 'zremrangebyrank';
    const start = parseInteger(argv[2]!);
    if (start === null) return errors.notInteger();
    const end = parseInteger(argv[3]!);
    if (end === null) return errors.notInteger();
    parsed = { kind, start, end };
  } else if (kind === RangeKind.Score) {
    event = 'zremrangebyscore';
    const range = parseScoreRange(argv[2]!, argv[3]!);
    if (range === null) return errors.zsetMinMaxNotFloat();
    parsed = { kind, range };
  } else {
    event = 'zremrangebylex';
    const range = parseLexRange(argv[2]!, argv[3]!);
    if (range === null) return errors.zsetMinMaxNotLex();
    parsed = { kind: RangeKind.Lex, range };
  }
  const found = writeZset(ctx, key);
  if (found === undefined) return ZERO;
  if (!(found instanceof ZSet)) return found;
  const z = found;
  let first: number;
  let count: number;
  if (parsed.kind === RangeKind.Rank) {
    const n = z.size;
    let start = parsed.start < 0 ? n + parsed.start : parsed.start;
    let end = parsed.end < 0 ? n + parsed.end : parsed.end;
    if (start < 0) start = 0;
    if (start > end || start >= n) return ZERO;
    if (end >= n) end = n - 1;
    first = start;
    count = end - start + 1;
  } else if (parsed.kind === RangeKind.Score) {
    first = firstInScoreRange(z, parsed.range);
    count = first < 0 ? 0 : lastInScoreRange(z, parsed.range) - first + 1;
  } else {
    // Redis deletes from the first member in range for as long as members stay below max.
    const range = parsed.range;
    first = firstInLexRange(z, range);
    count = first < 0 ? 0 : runLength(z, first, (m) => lexBelowMax(m, range));
  }
  if (count <= 0) return ZERO;
  z.removeRankRange(first, first + count - 1);
  ctx.ks.notify(ctx.db.id, event, key);
  if (!deleteIfEmpty(ctx, key, z)) ctx.db.touch(key);
  written(ctx, count);
  return int(count);
}

// ---------------------------------------------------------------------------------------
// Pops: ZPOPMIN/ZPOPMAX, ZMPOP, and the blocking forms (Redis genericZpopCommand)

/** Removes up to `count` entries from the low (or high) end, in popping order. */
function popEntries(ctx: CoreContext, key: string, z: ZSet, count: number, fromMax: boolean): Pair[] {
  const n = Math.min(count, z.size);
  const popped = collect(z, fromMax ? z.size - 1 : 0, fromMax, n, () => true);
  if (fromMax) z.removeRankRange(z.size - n, z.size - 1);
  else z.removeRankRange(0, n - 1);
  ctx.ks.notify(ctx.db.id, fromMax ? 'zpopmax' : 'zpopmin', key);
  if (!deleteIfEmpty(ctx, key, z)) ctx.db.touch(key);
  return popped;
}

/** Popped pairs as a flat member, score... array (both protocols). */
function flatPairs(ctx: CoreContext, pairs: readonly Pair[]): Reply[] {
  const out: Reply[] = [];
  for (const [m, s] of pairs) out.push(bulk(m), scoreReply(ctx, s));
  return out;
}

/** Popped pairs as an array of [member, score] arrays (both protocols). */
function nestedPairs(ctx: CoreContext, pairs: readonly Pair[]): Reply {
  return array(pairs.map(([m, s]) => array([bulk(m), scoreReply(ctx, s)])));
}

function zpopMinMax(ctx: CoreContext, argv: string[], fromMax: boolean): Reply {
  if (argv.length > 3) return errors.syntax();
  let count = -1; // no count given: a single pop, always a flat reply
  if (argv.length === 3) {
    const n = parseInteger(argv[2]!);
    if (n === null || n < 0) return errors.setCountNotPositive();
    count = n;
  }
  const key = argv[1]!;
  const found = writeZset(ctx, key);
  if (found === undefined) return EMPTY_ARRAY;
  if (!(found instanceof ZSet)) return found;
  if (count === 0) return EMPTY_ARRAY;
  const popped = popEntries(ctx, key, found, count === -1 ? 1 : count, fromMax);
  written(ctx, popped.length);
  if (ctx.client.resp === 3 && count !== -1) return nestedPairs(ctx, popped);
  return array(flatPairs(ctx, popped));
}

/** ZMPOP/BZMPOP arguments after numkeys: the keys, MIN|MAX and COUNT. */
interface MpopArgs {
  keys: string[];
  fromMax: boolean;
  count: number;
}

function parseMpop(argv: string[], numkeysAt: number): MpopArgs | Reply {
  const numkeys = parseInteger(argv[numkeysAt]!);
  if (numkeys === null || numkeys < 1) return errors.setNumkeysNotPositive();
  const whereAt = numkeysAt + numkeys + 1;
  if (whereAt >= argv.length) return errors.syntax();
  const where = argv[whereAt]!;
  let fromMax: boolean;
  if (isWord(where, 'MIN')) fromMax = false;
  else if (isWord(where, 'MAX')) fromMax = true;
  else return errors.syntax();
  let count = -1;
  for (let j = whereAt + 1; j < argv.length; j++) {
    if (count === -1 && isWord(argv[j]!, 'COUNT') && j + 1 < argv.length) {
      const n = parseInteger(argv[++j]!);
      if (n === null || n < 1) return errors.mpopCountNotPositive();
      count = n;
    } else {
      return errors.syntax();
    }
  }
  return { keys: argv.slice(numkeysAt + 1, whereAt), fromMax, count: count === -1 ? 1 : count };
}

/** Pops from one key for ZMPOP/BZMPOP; logged as ZPOPMIN/ZPOPMAX key count, as Redis propagates it. */
function mpopFrom(ctx: CoreContext, key: string, z: ZSet, fromMax: boolean, count: number): Reply {
  const popped = popEntries(ctx, key, z, count, fromMax);
  propagateAs(ctx, [fromMax ? 'ZPOPMAX' : 'ZPOPMIN', key, String(popped.length)], popped.length);
  return array([bulk(key), nestedPairs(ctx, popped)]);
}

function zmpopGeneric(ctx: CoreContext, argv: string[], numkeysAt: number, blocking: boolean): Reply {
  const args = parseMpop(argv, numkeysAt);
  if (!('keys' in args)) return args;
  let timeoutMs = 0;
  if (blocking) {
    const t = parseBlockingTimeout(argv[1]!);
    if (typeof t !== 'number') return t;
    timeoutMs = t;
  }
  for (const key of args.keys) {
    const found = writeZset(ctx, key);
    if (found === undefined) continue;
    if (!(found instanceof ZSet)) return found;
    // ZMPOP pops from (and type-checks) the first key that exists; every zset in the key space
    // holds members, so that is also the first non-empty one.
    return mpopFrom(ctx, key, found, args.fromMax, args.count);
  }
  if (!blocking || !ctx.blockingAllowed) return NIL_ARRAY;
  return ctx.block(args.keys, timeoutMs, NIL_ARRAY, 'zset');
}

function bzpopMinMax(ctx: CoreContext, argv: string[], fromMax: boolean): Reply {
  const timeout = parseBlockingTimeout(argv[argv.length - 1]!);
  if (typeof timeout !== 'number') return timeout;
  const keys = argv.slice(1, -1);
  for (const key of keys) {
    const found = writeZset(ctx, key);
    if (found === undefined) continue;
    if (!(found instanceof ZSet)) return found;
    const popped = popEntries(ctx, key, found, 1, fromMax);
    propagateAs(ctx, [fromMax ? 'ZPOPMAX' : 'ZPOPMIN', key], 1);
    return array([bulk(key), ...flatPairs(ctx, popped)]);
  }
  if (!ctx.blockingAllowed) return NIL_ARRAY;
  return ctx.block(keys, timeout, NIL_ARRAY, 'zset');
}

// ---------------------------------------------------------------------------------------
// ZRANDMEMBER (Redis zrandmemberCommand / zrandmemberWithCountCommand)

/** Redis's LONG_MAX / 2: a WITHSCORES reply holds two items per pick. */
const HALF_LONG_MAX = 4611686018427387903n;

function zrandmember(ctx: CoreContext, argv: string[]): Reply {
  if (argv.length === 2) {
    const found = readZset(ctx, argv[1]!);
    if (found === undefined) return NIL;
    if (!(found instanceof ZSet)) return found;
    return bulk(found.randomEntry(ctx.ks.rng)[0]);
  }
  const requested = parseI64(argv[2]!);
  if (requested === null) return errors.notInteger();
  if (requested === INT64_MIN) return errors.setCountOutOfLongRange();
  if (argv.length > 4 || (argv.length === 4 && !isWord(argv[3]!, 'WITHSCORES'))) return errors.syntax();
  const withScores = argv.length === 4;
  if (withScores && (requested < -HALF_LONG_MAX || requested > HALF_LONG_MAX)) return errors.zrandmemberCountOutOfRange();
  const found = readZset(ctx, argv[1]!);
  if (found === undefined) return EMPTY_ARRAY;
  if (!(found instanceof ZSet)) return found;
  if (requested === 0n) return EMPTY_ARRAY;
  const z = found;
  const rng = ctx.ks.rng;
  if (requested < 0n || requested === 1n) {
    // Picks that may repeat, as many as asked: bounded so a reply cannot exhaust the heap.
    const picks = requested < 0n ? -requested : requested;
    if (picks > BigInt(limits.randomPickReplyMax)) return errors.setRandomCountTooLarge(limits.randomPickReplyMax);
    const out: Pair[] = [];
    for (let i = 0; i < Number(picks); i++) out.push(z.randomEntry(rng));
    return pairsReply(ctx, out, withScores);
  }
  const size = z.size;
  if (requested >= BigInt(size)) {
    // The whole set, from the highest score down, as Redis walks it.
    return pairsReply(ctx, collect(z, size - 1, true, size, () => true), withScores);
  }
  const count = Number(requested);
  if (count * 3 > size) {
    // Most of the set: choose `count` positions by a partial Fisher-Yates shuffle.
    const { members, scores } = z.toArrays();
    const order = members.map((_m, i) => i);
    const out: Pair[] = [];
    for (let i = 0; i < count; i++) {
      const j = i + rng.below(size - i);
      [order[i], order[j]] = [order[j]!, order[i]!];
      out.push([members[order[i]!]!, scores[order[i]!]!]);
    }
    return pairsReply(ctx, out, withScores);
  }
  // A few of many: random picks, skipping repeats.
  const seen = new Set<string>();
  const out: Pair[] = [];
  while (out.length < count) {
    const pick = z.randomEntry(rng);
    if (seen.has(pick[0])) continue;
    seen.add(pick[0]);
    out.push(pick);
  }
  return pairsReply(ctx, out, withScores);
}

// ---------------------------------------------------------------------------------------
// ZUNION, ZINTER, ZDIFF, their STORE forms and ZINTERCARD (Redis zunionInterDiffGenericCommand)

/** One input of the algebra: a sorted set, a plain set (every score 1) or a missing key. */
interface Source {
  readonly size: number;
  weight: number;
  /** The member's score in this input, or undefined. */
  scoreOf(member: string): number | undefined;
  /** Visits every member; a visit that returns false stops the walk. */
  forEach(visit: (member: string, score: number) => boolean | void): void;
}

/** What a missing key contributes: nothing (each use copies it, as the weight is per input). */
const MISSING_KEY_SOURCE = {
  size: 0,
  scoreOf: (): number | undefined => undefined,
  forEach: (): void => {},
};

function sourceOf(value: ZSet | SetValue | null): Source {
  if (value === null) return { ...MISSING_KEY_SOURCE, weight: 1 };
  if (value instanceof ZSet) {
    return {
      size: value.size,
      weight: 1,
      scoreOf: (m) => value.score(m),
      forEach: (visit) => value.walk(0, false, (m, s) => visit(m, s) !== false),
    };
  }
  return {
    size: value.size,
    weight: 1,
    scoreOf: (m) => (value.has(m) ? 1 : undefined),
    forEach: (visit) => {
      for (let i = 0; i < value.size; i++) if (visit(value.memberAt(i), 1) === false) return;
    },
  };
}

const enum Aggregate { Sum, Min, Max }

/** Combines a member's running score with the next input's, as zunionInterAggregate does. */
function aggregate(target: number, value: number, how: Aggregate): number {
  if (how === Aggregate.Sum) {
    const sum = target + value;
    return Number.isNaN(sum) ? 0 : sum; // inf + -inf: Redis keeps 0
  }
  if (how === Aggregate.Min) return value < target ? value : target;
  return value > target ? value : target;
}

function zsetAlgebra(ctx: CoreContext, argv: string[], op: SetOp, dst: string | null, numkeysAt: number, cardinalityOnly: boolean): Reply {
  const numkeys = parseInteger(argv[numkeysAt]!);
  if (numkeys === null) return errors.notInteger();
  if (numkeys < 1) return errors.zsetAtLeastOneKey(argv[0]!.toLowerCase());
  if (numkeys > argv.length - (numkeysAt + 1)) return errors.syntax();
  // Every input is looked up (and type-checked) before the options are read, as in Redis.
  const sources: Source[] = [];
  for (let i = 0; i < numkeys; i++) {
    const e = ctx.db.lookupRead(argv[numkeysAt + 1 + i]!);
    if (e === undefined) sources.push(sourceOf(null));
    else if (e.type === 'zset' || e.type === 'set') sources.push(sourceOf(e.value as ZSet | SetValue));
    else return errors.wrongType();
  }
  let how = Aggregate.Sum;
  let withScores = false;
  let limit = 0;
  for (let j = numkeysAt + 1 + numkeys; j < argv.length; ) {
    const remaining = argv.length - j;
    const word = argv[j]!;
    if (op !== SetOp.Diff && !cardinalityOnly && remaining >= numkeys + 1 && isWord(word, 'WEIGHTS')) {
      j++;
      for (let i = 0; i < numkeys; i++, j++) {
        const w = parseScore(argv[j]!);
        if (w === null) return errors.zsetWeightNotFloat();
        sources[i]!.weight = w;
      }
    } else if (op !== SetOp.Diff && !cardinalityOnly && remaining >= 2 && isWord(word, 'AGGREGATE')) {
      const kind = argv[j + 1]!;
      if (isWord(kind, 'SUM')) how = Aggregate.Sum;
      else if (isWord(kind, 'MIN')) how = Aggregate.Min;
      else if (isWord(kind, 'MAX')) how = Aggregate.Max;
      else return errors.syntax();
      j += 2;
    } else if (dst === null && !cardinalityOnly && isWord(word, 'WITHSCORES')) {
      withScores = true;
      j++;
    } else if (cardinalityOnly && remaining >= 2 && isWord(word, 'LIMIT')) {
      const n = parseInteger(argv[j + 1]!);
      if (n === null || n < 0) return errors.setLimitNegative();
      limit = n;
      j += 2;
    } else {
      return errors.syntax();
    }
  }
  // Smallest inputs first, as Redis orders them (a stable sort: equal sizes keep their order).
  const ordered = op === SetOp.Diff ? sources : [...sources].sort((a, b) => a.size - b.size);
  if (cardinalityOnly) return int(interCardinality(ordered, limit));
  const result =
    op === SetOp.Union ? unionOf(ordered, how) : op === SetOp.Inter ? interOf(ordered, how) : diffOf(ordered);
  const pairs: Pair[] = [...result];
  pairs.sort((a, b) => compareEntries(a[1], a[0], b[1], b[0]));
  if (dst === null) return pairsReply(ctx, pairs, withScores);
  if (pairs.length === 0) return clearDestination(ctx, dst);
  const z = ZSet.fromSorted(pairs.map((p) => p[0]), pairs.map((p) => p[1]));
  ctx.db.set(dst, 'zset', z);
  ctx.ks.notify(ctx.db.id, op === SetOp.Union ? 'zunionstore' : op === SetOp.Inter ? 'zinterstore' : 'zdiffstore', dst);
  written(ctx);
  return int(z.size);
}

/** The weight times the score, with NaN (0 * inf) read as 0. */
function weighted(src: Source, score: number): number {
  const v = src.weight * score;
  return Number.isNaN(v) ? 0 : v;
}

function unionOf(sources: readonly Source[], how: Aggregate): Map<string, number> {
  const acc = new Map<string, number>();
  for (const src of sources) {
    src.forEach((m, s) => {
      const v = weighted(src, s);
      const cur = acc.get(m);
      acc.set(m, cur === undefined ? v : aggregate(cur, v, how));
    });
  }
  return acc;
}

function interOf(sources: readonly Source[], how: Aggregate): Map<string, number> {
  const acc = new Map<string, number>();
  const [smallest, ...rest] = sources;
  smallest!.forEach((m, s) => {
    let score = weighted(smallest!, s);
    for (const other of rest) {
      const found = other.scoreOf(m);
      if (found === undefined) return;
      // Redis multiplies the other inputs' scores without the NaN fix-up; aggregate handles it.
      score = aggregate(score, found * other.weight, how);
    }
    acc.set(m, score);
  });
  return acc;
}

function interCardinality(sources: readonly Source[], limit: number): number {
  const [smallest, ...rest] = sources;
  let count = 0;
  smallest!.forEach((m) => {
    for (const other of rest) if (other.scoreOf(m) === undefined) return true;
    count++;
    return limit === 0 || count < limit; // stop once the limit is reached
  });
  return count;
}

function diffOf(sources: readonly Source[]): Map<string, number> {
  const acc = new Map<string, number>();
  const [first, ...rest] = sources;
  first!.forEach((m, s) => {
    for (const other of rest) if (other.scoreOf(m) !== undefined) return;
    acc.set(m, s);
  });
  return acc;
}

// ---------------------------------------------------------------------------------------
// ZSCAN

function zscan(ctx: CoreContext, argv: string[]): Reply {
  const cursor = parseScanCursor(argv[2]!);
  if (cursor === null) return errors.invalidCursor();
  // Redis looks the key up before it reads the options: a missing key ignores bad options.
  const found = readZset(ctx, argv[1]!);
  if (found === undefined) return EMPTY_SCAN;
  if (!(found instanceof ZSet)) return found;
  const opts = parseScanOptions(argv, 3);
  if (!isScanOptions(opts)) return opts;
  const { pattern } = opts;
  const items: Reply[] = [];
  const next = found.scan(cursor, opts.count, (member, scoreText) => {
    if (pattern === null || globMatch(pattern, member)) items.push(bulk(member), bulk(scoreText));
  });
  return array([bulk(String(next)), array(items)]);
}
