// Blocking commands for the collections generator, in two forms:
// - in the flow of commands: with data present they answer at once; on empty keys they use a
//   tiny timeout (5-20 ms) and answer nil; inside MULTI they never block (any timeout, 0 too);
// - across connections ('block' steps, see scenarios.ts): fresh connections block with a timeout
//   of seconds, connection a then pushes (plain, in MULTI, through LMOVE, after a WRONGTYPE
//   detour, ...), and the waiters' replies are compared. One scenario in eight has no push
//   that serves the waiter and ends by its short timeout.
import type { CollectionGenerator, Entry } from './gen-core.js';
import { numkeysAndKeys, side } from './gen-lists.js';
import { freshStreamId } from './gen-streams.js';
import { score } from './gen-zsets.js';

/**
 * XREAD / XREADGROUP with BLOCK: the waiter reads from "$" (or ">" of a group made first), then
 * connection a adds entries with explicit IDs.
 */
function streamScenario(g: CollectionGenerator): void {
  const emit = g.emitter('a');
  emit('DEL', ['DEL', 'x1', 'x2']);
  const timedOut = g.rng.chance(0.12);
  const block = timedOut ? g.rng.pick(['100', '200']) : g.rng.pick(['2000', '3000']);
  const keys = g.rng.chance(0.3) ? ['x1', 'x2'] : ['x1'];
  let waiter: string[];
  if (g.rng.chance(0.5)) {
    waiter = ['XREAD', ...(g.rng.chance(0.4) ? ['COUNT', '2'] : []), 'BLOCK', block, 'STREAMS', ...keys, ...keys.map(() => '$')];
  } else {
    for (const k of keys) emit('XGROUP', ['XGROUP', 'CREATE', k, 'g1', '$', 'MKSTREAM']);
    waiter = ['XREADGROUP', 'GROUP', 'g1', 'c1', ...(g.rng.chance(0.4) ? ['COUNT', '2'] : []), ...(g.rng.chance(0.2) ? ['NOACK'] : []), 'BLOCK', block, 'STREAMS', ...keys, ...keys.map(() => '>')];
  }
  const target = g.rng.pick(keys);
  let pushes: string[][] = [];
  if (!timedOut) {
    const r = g.rng.next();
    if (r < 0.6) pushes = [['XADD', target, freshStreamId(g), 'f', g.member()]];
    else if (r < 0.8) pushes = [['MULTI'], ['XADD', target, freshStreamId(g), 'a', '1'], ['XADD', target, freshStreamId(g), 'b', '2'], ['EXEC']];
    else pushes = [['XADD', 'x9', freshStreamId(g), 'not', 'watched'], ['XADD', target, freshStreamId(g), 'f', 'v']];
  }
  g.block([waiter], pushes);
}

export const BLOCKING_ARITY: Record<string, number> = {
  BLPOP: -3, BRPOP: -3, BLMOVE: 6, BRPOPLPUSH: 4, BLMPOP: -5, BZPOPMIN: -3, BZPOPMAX: -3, BZMPOP: -5,
};

function listWaiter(g: CollectionGenerator, keys: string[], timeout: string): string[] {
  const r = g.rng.next();
  if (r < 0.3) return ['BLPOP', ...keys, timeout];
  if (r < 0.5) return ['BRPOP', ...keys, timeout];
  if (r < 0.65) return ['BLMOVE', keys[0]!, g.rng.pick(['l2', '{l}3', 'l1']), g.rng.pick(['LEFT', 'RIGHT']), g.rng.pick(['LEFT', 'RIGHT']), timeout];
  if (r < 0.75) return ['BRPOPLPUSH', keys[0]!, g.rng.pick(['l2', '{l}3']), timeout];
  const argv = ['BLMPOP', timeout, String(keys.length), ...keys, g.rng.pick(['LEFT', 'RIGHT'])];
  if (g.rng.chance(0.6)) argv.push('COUNT', String(g.rng.between(1, 4)));
  return argv;
}

function zsetWaiter(g: CollectionGenerator, keys: string[], timeout: string): string[] {
  const r = g.rng.next();
  if (r < 0.35) return ['BZPOPMIN', ...keys, timeout];
  if (r < 0.7) return ['BZPOPMAX', ...keys, timeout];
  const argv = ['BZMPOP', timeout, String(keys.length), ...keys, g.rng.pick(['MIN', 'MAX'])];
  if (g.rng.chance(0.6)) argv.push('COUNT', String(g.rng.between(1, 4)));
  return argv;
}

/** Writes that may wake a list waiter on `key`, in the forms Redis handles differently. */
function listPushes(g: CollectionGenerator, key: string): string[][] {
  const values = Array.from({ length: g.rng.between(1, 3) }, () => g.rng.pick(['a', 'b', 'c', '1', '\x00x', '']));
  const r = g.rng.next();
  if (r < 0.35) return [[g.rng.pick(['RPUSH', 'LPUSH']), key, ...values]];
  if (r < 0.5) return [['MULTI'], ['LPUSH', key, 'm1'], ['RPUSH', key, 'm2'], [g.rng.pick(['LPOP', 'LLEN']), key], ['EXEC']];
  if (r < 0.6) return [['SET', key, 'not a list'], ['DEL', key], ['RPUSH', key, ...values]];
  if (r < 0.7) return [['RPUSH', 'l2', ...values], ['LMOVE', 'l2', key, 'LEFT', 'RIGHT']];
  if (r < 0.78) return [['RPUSH', 'nokey-other', 'x'], ['LPUSH', key, ...values]]; // a push elsewhere first
  if (r < 0.86) return [['MULTI'], ['RPUSH', key, 'x'], ['DEL', key], ['EXEC'], ['RPUSH', key, ...values]];
  return [['RPUSH', key, ...values], ['RPUSH', key, 'later']];
}

function zsetPushes(g: CollectionGenerator, key: string): string[][] {
  const r = g.rng.next();
  const pairs = Array.from({ length: g.rng.between(1, 3) }, () => [score(g), g.rng.pick(['a', 'b', 'c', 'm1'])]).flat();
  if (r < 0.5) return [['ZADD', key, ...pairs]];
  if (r < 0.65) return [['MULTI'], ['ZADD', key, '1', 'a', '2', 'b'], ['ZREM', key, 'a'], ['EXEC']];
  if (r < 0.75) return [['ZINCRBY', key, '5', 'x']];
  if (r < 0.85) return [['ZADD', 'z2', '1', 'q', '2', 'r'], ['ZUNIONSTORE', key, '1', 'z2']];
  return [['SET', key, 'str'], ['DEL', key], ['ZADD', key, ...pairs]];
}

/**
 * One cross-connection scenario: the keys are emptied first (a plain DEL, compared), the
 * waiters block, connection a writes.
 */
function blockingScenario(g: CollectionGenerator): void {
  const emit = g.emitter('a');
  const zset = g.rng.chance(0.35);
  const pool = zset ? ['z1', 'z2', 'z3'] : ['l1', 'l2', '{l}3'];
  const keys = g.rng.shuffle([...pool]).slice(0, g.rng.between(1, 2));
  const target = g.rng.pick(keys);
  emit('DEL', ['DEL', ...pool, 'nokey-other']);
  const timedOut = g.rng.chance(0.12);
  const timeout = timedOut ? g.rng.pick(['0.1', '0.2']) : g.rng.pick(['2', '3']);
  const waiter = (): string[] => (zset ? zsetWaiter(g, keys, timeout) : listWaiter(g, keys, timeout));
  const waiters = [waiter()];
  const r = g.rng.next();
  if (r < 0.2) waiters.push(waiter()); // two clients on the same keys: served in order
  else if (r < 0.28 && !zset) waiters.push(['BLPOP', waiters[0]![0] === 'BLMOVE' ? waiters[0]![2]! : target, timeout]); // a chain through BLMOVE
  let pushes: string[][];
  if (timedOut) pushes = g.rng.chance(0.5) ? [] : [['RPUSH', 'nokey-other', 'x']];
  else pushes = zset ? zsetPushes(g, target) : listPushes(g, target);
  // A second waiter may need a second element.
  if (!timedOut && waiters.length > 1) pushes.push([zset ? 'ZADD' : 'RPUSH', ...(zset ? [target, '9', 'late'] : [target, 'late'])]);
  g.block(waiters, pushes);
}

export const BLOCKING_ENTRIES: Entry[] = [
  { cmd: 'BLPOP', weight: 2, family: 'blocking', make: (g, e) => e('BLPOP', ['BLPOP', ...g.keys('list', 1, 3), g.timeout()]) },
  { cmd: 'BRPOP', weight: 2, family: 'blocking', make: (g, e) => e('BRPOP', ['BRPOP', ...g.keys('list', 1, 3), g.timeout()]) },
  { cmd: 'BLMOVE', weight: 1.5, family: 'blocking', make: (g, e) => e('BLMOVE', ['BLMOVE', g.key('list'), g.key('list'), side(g), side(g), g.timeout()]) },
  { cmd: 'BRPOPLPUSH', weight: 1.5, family: 'blocking', make: (g, e) => e('BRPOPLPUSH', ['BRPOPLPUSH', g.key('list'), g.key('list'), g.timeout()]) },
  {
    cmd: 'BLMPOP',
    weight: 1.5,
    family: 'blocking',
    make: (g, e) => {
      const argv = ['BLMPOP', g.timeout(), ...numkeysAndKeys(g, 'list'), side(g)];
      if (g.rng.chance(0.5)) argv.push(g.word('COUNT'), g.count());
      e('BLMPOP', argv);
    },
  },
  { cmd: 'BZPOPMIN', weight: 1.5, family: 'blocking', make: (g, e) => e('BZPOPMIN', ['BZPOPMIN', ...g.keys('zset', 1, 3), g.timeout()]) },
  { cmd: 'BZPOPMAX', weight: 1.5, family: 'blocking', make: (g, e) => e('BZPOPMAX', ['BZPOPMAX', ...g.keys('zset', 1, 3), g.timeout()]) },
  {
    cmd: 'BZMPOP',
    weight: 1.5,
    family: 'blocking',
    make: (g, e) => {
      const argv = ['BZMPOP', g.timeout(), ...numkeysAndKeys(g, 'zset'), g.rng.chance(0.96) ? g.word(g.rng.pick(['MIN', 'MAX'])) : 'MID'];
      if (g.rng.chance(0.5)) argv.push(g.word('COUNT'), g.count());
      e('BZMPOP', argv);
    },
  },
  { cmd: 'BLOCKING-SCENARIO', weight: 1.2, family: 'blocking', special: true, make: (g) => blockingScenario(g) },
  { cmd: 'BLOCKING-SCENARIO', weight: 0.4, family: 'blocking', special: true, make: (g) => streamScenario(g) },
];
