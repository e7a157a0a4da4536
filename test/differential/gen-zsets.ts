// Sorted-set commands for the collections generator (BZPOPMIN/BZPOPMAX/BZMPOP are in
// gen-blocking.ts). Scores cover inf, -inf, decimals, exponent forms, and strings that are not
// numbers; range bounds cover exclusive "(" forms and lexicographic "[" / "(" / "-" / "+".
// "Grow" makers cross zset-max-listpack-entries (128) and zset-max-listpack-value (64 bytes).
// Orders are defined for sorted sets, so everything but ZSCAN and ZRANDMEMBER compares exactly.
import { encodingEntry, type CollectionGenerator, type Entry } from './gen-core.js';
import { numkeysAndKeys } from './gen-lists.js';

export const ZSET_ARITY: Record<string, number> = {
  ZADD: -4, ZINCRBY: 4, ZREM: -3, ZCARD: 2, ZSCORE: 3, ZMSCORE: -3, ZRANK: 3, ZREVRANK: 3, ZCOUNT: 4, ZLEXCOUNT: 4,
  ZRANGE: -4, ZRANGESTORE: -5, ZRANGEBYSCORE: -4, ZREVRANGEBYSCORE: -4, ZRANGEBYLEX: -4, ZREVRANGEBYLEX: -4,
  ZREVRANGE: -4, ZREMRANGEBYSCORE: 4, ZREMRANGEBYRANK: 4, ZREMRANGEBYLEX: 4, ZPOPMIN: -2, ZPOPMAX: -2, ZMPOP: -4,
  ZRANDMEMBER: -2, ZUNION: -3, ZINTER: -3, ZDIFF: -3, ZINTERCARD: -3, ZUNIONSTORE: -4, ZINTERSTORE: -4,
  ZDIFFSTORE: -4, ZSCAN: -3,
};

const SCORES = ['0', '1', '-1', '2', '3', '2.5', '-2.5', '10', '1e3', '1E-2', '.5', '3.0', '+inf', '-inf', 'inf', '-Inf', '+INF', '1e308', '-0', '+5', '0.1', '0.30000000000000004', '1.7976931348623157e308', '4.9e-324', '123456789012345678'];
const NOT_SCORES = ['nan', 'NaN', 'abc', '', ' 1', '1 ', '1e400', '1.5x', '--1', '0x10'];
const SCORE_BOUNDS = ['-inf', '+inf', 'inf', '-INF', '0', '1', '2', '-1', '2.5', '(1', '(2.5', '(0', '(-inf', '(+inf', '1e3', '(1e3', '3', '(3', '10', '-0'];
const BAD_SCORE_BOUNDS = ['abc', '(abc', '', '(', '((1', '1.5x', 'nan', '(nan', '[1'];
const LEX_BOUNDS = ['-', '+', '[a', '(a', '[b', '(b', '[c', '(foo', '[foo', '[\x00', '[', '(', '[z', '[1', '(10', '[x', '(y'];
const BAD_LEX_BOUNDS = ['a', '', 'inf', '-inf', '+a', '-a', '1'];

/** Members for sorted sets: the shared vocabulary, which includes 63/64/65-byte members. */
function zmember(g: CollectionGenerator): string {
  return g.member();
}

export function score(g: CollectionGenerator): string {
  return g.rng.chance(0.93) ? g.rng.pick(SCORES) : g.rng.pick(NOT_SCORES);
}

/**
 * The key where every member has the same score, so lexicographic ranges are defined on it
 * (writes from other commands may still break that; the 'lex' step checks before sending).
 */
export const SAME_SCORE_KEY = 'z3';

/** A score to write to `key`: always 0 on the same-score key, but now and then. */
function scoreFor(g: CollectionGenerator, key: string): string {
  return key === SAME_SCORE_KEY && g.rng.chance(0.97) ? '0' : score(g);
}

/** A key for a lexicographic range: the same-score key mostly. */
function lexKey(g: CollectionGenerator): string {
  return g.rng.chance(0.6) ? SAME_SCORE_KEY : g.key('zset');
}
function scoreBound(g: CollectionGenerator): string {
  return g.rng.chance(0.93) ? g.rng.pick(SCORE_BOUNDS) : g.rng.pick(BAD_SCORE_BOUNDS);
}
function lexBound(g: CollectionGenerator): string {
  return g.rng.chance(0.93) ? g.rng.pick(LEX_BOUNDS) : g.rng.pick(BAD_LEX_BOUNDS);
}

function limit(g: CollectionGenerator): string[] {
  if (!g.rng.chance(0.35)) return [];
  return [g.word('LIMIT'), g.rng.pick(['0', '1', '2', '-1', '5', 'x']), g.rng.pick(['0', '1', '2', '3', '-1', '-5', '10', 'x'])];
}

function zaddFlags(g: CollectionGenerator): { flags: string[]; incr: boolean } {
  const flags: string[] = [];
  if (g.rng.chance(0.25)) flags.push(g.rng.pick(['NX', 'XX']));
  if (g.rng.chance(0.2)) flags.push(g.rng.pick(['GT', 'LT']));
  if (g.rng.chance(0.25)) flags.push('CH');
  const incr = g.rng.chance(0.15);
  if (incr) flags.push('INCR');
  if (g.rng.chance(0.05)) flags.push(g.rng.pick(['NX', 'GT', 'FOO', 'XX']));
  return { flags: g.rng.shuffle(flags).map((f) => g.word(f)), incr };
}

/** 120-135 members (or some long ones) in one ZADD: around the listpack limits. */
function grow(g: CollectionGenerator, key: string): string[] {
  const n = g.rng.pick([20, 100, 127, 128, 129, 135]);
  const start = g.rng.between(0, 50);
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    const s = key === SAME_SCORE_KEY ? '0' : String(((start + i) * 7) % 101) + (g.rng.chance(0.3) ? '.5' : '');
    out.push(s, g.rng.chance(0.01) ? 'm'.repeat(g.rng.pick([64, 65])) : `m${start + i}`);
  }
  return out;
}

/** ZRANGE's unified form: ranks, or BYSCORE / BYLEX bounds, REV, LIMIT, WITHSCORES. */
function zrangeArgs(g: CollectionGenerator, by: 'rank' | 'score' | 'lex'): string[] {
  const rev = g.rng.chance(0.35);
  let [start, stop] = by === 'score' ? [scoreBound(g), scoreBound(g)] : by === 'lex' ? [lexBound(g), lexBound(g)] : [g.index(), g.rng.chance(0.3) ? '-1' : g.index()];
  if (rev && by !== 'rank' && g.rng.chance(0.6)) [start, stop] = by === 'score' ? ['+inf', '-inf'] : ['+', '-'];
  const options: string[][] = [];
  if (by === 'score') options.push([g.word('BYSCORE')]);
  if (by === 'lex') options.push([g.word('BYLEX')]);
  if (rev) options.push([g.word('REV')]);
  const lim = limit(g);
  if (lim.length > 0 && (by !== 'rank' || g.rng.chance(0.2))) options.push(lim);
  if (g.rng.chance(0.4)) options.push([g.word('WITHSCORES')]);
  if (g.rng.chance(0.03)) options.push([g.rng.pick(['BYSCORE', 'BYLEX', 'FOO'])]);
  return [start, stop, ...options.flat()];
}

/** ZUNION/ZINTER/ZDIFF arguments (after the command, or after the destination). */
function setOpArgs(g: CollectionGenerator, op: 'union' | 'inter' | 'diff', withScores: boolean): string[] {
  // sets are valid inputs of ZUNION/ZINTER (every member with score 1)
  const keys = Array.from({ length: g.rng.between(1, 3) }, () => (g.rng.chance(0.15) ? g.key('set') : g.key('zset')));
  const argv = [g.rng.chance(0.93) ? String(keys.length) : g.rng.pick(['0', '-1', 'x', String(keys.length + 1)]), ...keys];
  const options: string[][] = [];
  if (op !== 'diff' && g.rng.chance(0.35)) {
    const weights = keys.map(() => g.rng.pick(['1', '2', '0', '-1', '0.5', 'inf', '-inf', '1e3', 'x']));
    if (g.rng.chance(0.05)) weights.pop();
    options.push([g.word('WEIGHTS'), ...weights]);
  }
  if (op !== 'diff' && g.rng.chance(0.35)) options.push([g.word('AGGREGATE'), g.rng.chance(0.95) ? g.word(g.rng.pick(['SUM', 'MIN', 'MAX'])) : 'AVG']);
  if (withScores && g.rng.chance(0.5)) options.push([g.word('WITHSCORES')]);
  if (g.rng.chance(0.03)) options.push([g.rng.pick(['FOO', 'WEIGHTS', 'AGGREGATE', 'WITHSCORES'])]);
  return [...argv, ...options.flat()];
}

function popCount(g: CollectionGenerator): string[] {
  return g.rng.chance(0.5) ? [] : [g.count()];
}

export const ZSET_ENTRIES: Entry[] = [
  {
    cmd: 'ZADD',
    weight: 10,
    family: 'zset',
    make: (g, e) => {
      const { flags, incr } = zaddFlags(g);
      const pairs = incr && g.rng.chance(0.9) ? 1 : g.rng.between(1, 4);
      const key = g.key('zset');
      const argv = ['ZADD', key, ...flags];
      for (let i = 0; i < pairs; i++) argv.push(scoreFor(g, key), zmember(g));
      if (g.rng.chance(0.04)) argv.push(score(g)); // a score without a member
      e('ZADD', argv);
    },
  },
  {
    cmd: 'ZADD',
    weight: 1.2,
    family: 'zset',
    make: (g, e) => {
      const key = g.rng.pick(['z1', 'z2', 'z3']);
      e('ZADD', ['ZADD', key, ...grow(g, key)]);
    },
  },
  {
    cmd: 'ZINCRBY',
    weight: 4,
    family: 'zset',
    make: (g, e) => {
      const key = g.key('zset');
      e('ZINCRBY', ['ZINCRBY', key, scoreFor(g, key), zmember(g)]);
    },
  },
  { cmd: 'ZREM', weight: 4, family: 'zset', make: (g, e) => e('ZREM', ['ZREM', g.key('zset'), ...g.members(1, 4)]) },
  { cmd: 'ZCARD', weight: 3, family: 'zset', make: (g, e) => e('ZCARD', ['ZCARD', g.key('zset')]) },
  { cmd: 'ZSCORE', weight: 3, family: 'zset', make: (g, e) => e('ZSCORE', ['ZSCORE', g.key('zset'), zmember(g)]) },
  { cmd: 'ZMSCORE', weight: 3, family: 'zset', make: (g, e) => e('ZMSCORE', ['ZMSCORE', g.key('zset'), ...g.members(1, 4)]) },
  { cmd: 'ZRANK', weight: 3, family: 'zset', make: (g, e) => e('ZRANK', ['ZRANK', g.key('zset'), zmember(g)]) },
  { cmd: 'ZREVRANK', weight: 3, family: 'zset', make: (g, e) => e('ZREVRANK', ['ZREVRANK', g.key('zset'), zmember(g)]) },
  { cmd: 'ZCOUNT', weight: 3, family: 'zset', make: (g, e) => e('ZCOUNT', ['ZCOUNT', g.key('zset'), scoreBound(g), scoreBound(g)]) },
  {
    cmd: 'ZLEXCOUNT',
    weight: 3,
    family: 'zset',
    special: true,
    make: (g, _e, conn) => {
      const key = lexKey(g);
      g.lex(conn, 'ZLEXCOUNT', ['ZLEXCOUNT', key, lexBound(g), lexBound(g)], key);
    },
  },
  { cmd: 'ZRANGE', weight: 7, family: 'zset', make: (g, e) => e('ZRANGE', ['ZRANGE', g.key('zset'), ...zrangeArgs(g, g.rng.pick(['rank', 'rank', 'score']))]) },
  {
    cmd: 'ZRANGE',
    weight: 2,
    family: 'zset',
    special: true,
    make: (g, _e, conn) => {
      const key = lexKey(g);
      g.lex(conn, 'ZRANGE', ['ZRANGE', key, ...zrangeArgs(g, 'lex')], key);
    },
  },
  {
    cmd: 'ZRANGESTORE',
    weight: 3,
    family: 'zset',
    make: (g, e) => e('ZRANGESTORE', ['ZRANGESTORE', g.key('zset'), g.key('zset'), ...zrangeArgs(g, g.rng.pick(['rank', 'score'])).filter((a) => a.toUpperCase() !== 'WITHSCORES' || g.rng.chance(0.1))]),
  },
  {
    cmd: 'ZRANGESTORE',
    weight: 1,
    family: 'zset',
    special: true,
    make: (g, _e, conn) => {
      const key = lexKey(g);
      g.lex(conn, 'ZRANGESTORE', ['ZRANGESTORE', g.key('zset'), key, ...zrangeArgs(g, 'lex').filter((a) => a.toUpperCase() !== 'WITHSCORES' || g.rng.chance(0.1))], key);
    },
  },
  {
    cmd: 'ZRANGEBYSCORE',
    weight: 3,
    family: 'zset',
    make: (g, e) => e('ZRANGEBYSCORE', ['ZRANGEBYSCORE', g.key('zset'), scoreBound(g), scoreBound(g), ...g.rng.shuffle([g.rng.chance(0.4) ? [g.word('WITHSCORES')] : [], limit(g)]).flat()]),
  },
  {
    cmd: 'ZREVRANGEBYSCORE',
    weight: 3,
    family: 'zset',
    make: (g, e) => e('ZREVRANGEBYSCORE', ['ZREVRANGEBYSCORE', g.key('zset'), scoreBound(g), scoreBound(g), ...g.rng.shuffle([g.rng.chance(0.4) ? [g.word('WITHSCORES')] : [], limit(g)]).flat()]),
  },
  {
    cmd: 'ZRANGEBYLEX',
    weight: 3,
    family: 'zset',
    special: true,
    make: (g, _e, conn) => {
      const key = lexKey(g);
      g.lex(conn, 'ZRANGEBYLEX', ['ZRANGEBYLEX', key, lexBound(g), lexBound(g), ...limit(g)], key);
    },
  },
  {
    cmd: 'ZREVRANGEBYLEX',
    weight: 3,
    family: 'zset',
    special: true,
    make: (g, _e, conn) => {
      const key = lexKey(g);
      g.lex(conn, 'ZREVRANGEBYLEX', ['ZREVRANGEBYLEX', key, lexBound(g), lexBound(g), ...limit(g)], key);
    },
  },
  { cmd: 'ZREVRANGE', weight: 3, family: 'zset', make: (g, e) => e('ZREVRANGE', ['ZREVRANGE', g.key('zset'), g.index(), g.index(), ...(g.rng.chance(0.4) ? [g.word('WITHSCORES')] : g.rng.chance(0.03) ? ['FOO'] : [])]) },
  { cmd: 'ZREMRANGEBYSCORE', weight: 2, family: 'zset', make: (g, e) => e('ZREMRANGEBYSCORE', ['ZREMRANGEBYSCORE', g.key('zset'), scoreBound(g), scoreBound(g)]) },
  { cmd: 'ZREMRANGEBYRANK', weight: 2, family: 'zset', make: (g, e) => e('ZREMRANGEBYRANK', ['ZREMRANGEBYRANK', g.key('zset'), g.index(), g.index()]) },
  {
    cmd: 'ZREMRANGEBYLEX',
    weight: 2,
    family: 'zset',
    special: true,
    make: (g, _e, conn) => {
      const key = lexKey(g);
      g.lex(conn, 'ZREMRANGEBYLEX', ['ZREMRANGEBYLEX', key, lexBound(g), lexBound(g)], key);
    },
  },
  { cmd: 'ZPOPMIN', weight: 3, family: 'zset', make: (g, e) => e('ZPOPMIN', ['ZPOPMIN', g.key('zset'), ...popCount(g)]) },
  { cmd: 'ZPOPMAX', weight: 3, family: 'zset', make: (g, e) => e('ZPOPMAX', ['ZPOPMAX', g.key('zset'), ...popCount(g)]) },
  {
    cmd: 'ZMPOP',
    weight: 3,
    family: 'zset',
    make: (g, e) => {
      const argv = ['ZMPOP', ...numkeysAndKeys(g, 'zset'), g.rng.chance(0.96) ? g.word(g.rng.pick(['MIN', 'MAX'])) : 'MID'];
      if (g.rng.chance(0.5)) argv.push(g.word('COUNT'), g.count());
      e('ZMPOP', argv);
    },
  },
  {
    cmd: 'ZRANDMEMBER',
    weight: 4,
    family: 'zset',
    special: true,
    make: (g, _e, conn) => {
      const r = g.rng.next();
      const key = g.key('zset');
      if (r < 0.25) g.pick(conn, 'ZRANDMEMBER', key, null, false);
      else if (r < 0.55) g.pick(conn, 'ZRANDMEMBER', key, g.count(), false);
      else if (r < 0.95) g.pick(conn, 'ZRANDMEMBER', key, g.rng.pick(['1', '3', '-3', '5', '-10', '200', '0', '-1']), true);
      else g.pick(conn, 'ZRANDMEMBER', key, '2', false, [g.rng.pick(['WITHVALUES', 'FOO'])]);
    },
  },
  { cmd: 'ZUNION', weight: 3, family: 'zset', make: (g, e) => e('ZUNION', ['ZUNION', ...setOpArgs(g, 'union', true)]) },
  { cmd: 'ZINTER', weight: 3, family: 'zset', make: (g, e) => e('ZINTER', ['ZINTER', ...setOpArgs(g, 'inter', true)]) },
  { cmd: 'ZDIFF', weight: 3, family: 'zset', make: (g, e) => e('ZDIFF', ['ZDIFF', ...setOpArgs(g, 'diff', true)]) },
  {
    cmd: 'ZINTERCARD',
    weight: 2,
    family: 'zset',
    make: (g, e) => {
      const keys = g.keys('zset', 1, 3);
      const argv = ['ZINTERCARD', g.rng.chance(0.92) ? String(keys.length) : g.rng.pick(['0', '-1', 'x']), ...keys];
      if (g.rng.chance(0.4)) argv.push(g.word('LIMIT'), g.rng.pick(['0', '1', '3', '-1', 'x']));
      e('ZINTERCARD', argv);
    },
  },
  { cmd: 'ZUNIONSTORE', weight: 2, family: 'zset', make: (g, e) => e('ZUNIONSTORE', ['ZUNIONSTORE', g.key('zset'), ...setOpArgs(g, 'union', false)]) },
  { cmd: 'ZINTERSTORE', weight: 2, family: 'zset', make: (g, e) => e('ZINTERSTORE', ['ZINTERSTORE', g.key('zset'), ...setOpArgs(g, 'inter', false)]) },
  { cmd: 'ZDIFFSTORE', weight: 2, family: 'zset', make: (g, e) => e('ZDIFFSTORE', ['ZDIFFSTORE', g.key('zset'), ...setOpArgs(g, 'diff', false)]) },
  { cmd: 'ZSCAN', weight: 3, family: 'zset', special: true, make: (g, _e, conn) => g.keyScan(conn, 'ZSCAN', g.key('zset')) },
  encodingEntry('zset', 'zset', 2.5),
];
