// List commands for the collections generator (the blocking ones are in gen-blocking.ts).
// Redis 7.0 encodes every list as a quicklist, so OBJECT ENCODING has one answer; the order of
// elements is always defined and compared exactly.
import { encodingEntry, type CollectionGenerator, type Entry } from './gen-core.js';

export const LIST_ARITY: Record<string, number> = {
  LPUSH: -3, RPUSH: -3, LPUSHX: -3, RPUSHX: -3, LPOP: -2, RPOP: -2, LLEN: 2, LRANGE: 4, LINDEX: 3, LSET: 4, LINSERT: 5,
  LREM: 4, LTRIM: 4, LPOS: -3, LMOVE: 5, RPOPLPUSH: 3, LMPOP: -4,
};

/** LEFT or RIGHT, sometimes in lower case, sometimes neither. */
export function side(g: CollectionGenerator): string {
  if (g.rng.chance(0.04)) return g.rng.pick(['MIDDLE', '', 'LEFTX']);
  return g.word(g.rng.pick(['LEFT', 'RIGHT']));
}

/** numkeys and keys for LMPOP-like commands, sometimes with a numkeys that does not fit. */
export function numkeysAndKeys(g: CollectionGenerator, pool: 'list' | 'zset'): string[] {
  const keys = g.keys(pool, 1, 3);
  if (g.rng.chance(0.08)) return [g.rng.pick(['0', '-1', 'x', String(keys.length + 1), '9223372036854775807']), ...keys];
  return [String(keys.length), ...keys];
}

function popCount(g: CollectionGenerator): string[] {
  const r = g.rng.next();
  if (r < 0.5) return [];
  return [g.count()];
}

function lposOptions(g: CollectionGenerator): string[] {
  const groups: string[][] = [];
  if (g.rng.chance(0.4)) groups.push([g.word('RANK'), g.rng.pick(['1', '2', '-1', '-2', '0', '5', 'x', '-9223372036854775808', '9223372036854775807'])]);
  if (g.rng.chance(0.4)) groups.push([g.word('COUNT'), g.rng.pick(['0', '1', '2', '10', '-1', 'x'])]);
  if (g.rng.chance(0.3)) groups.push([g.word('MAXLEN'), g.rng.pick(['0', '1', '3', '100', '-1', 'x'])]);
  if (g.rng.chance(0.04)) groups.push([g.rng.pick(['FOO', 'RANK', 'COUNT'])]);
  return g.rng.shuffle(groups).flat();
}

/** A list element: the shared member vocabulary, with repeats likely (LREM, LPOS, LINSERT). */
function element(g: CollectionGenerator): string {
  return g.rng.chance(0.5) ? g.rng.pick(['a', 'b', 'c', '1', '2']) : g.member();
}

function elements(g: CollectionGenerator, min: number, max: number): string[] {
  return Array.from({ length: g.rng.between(min, max) }, () => element(g));
}

export const LIST_ENTRIES: Entry[] = [
  { cmd: 'LPUSH', weight: 7, family: 'list', make: (g, e) => e('LPUSH', ['LPUSH', g.key('list'), ...elements(g, 1, 5)]) },
  { cmd: 'RPUSH', weight: 7, family: 'list', make: (g, e) => e('RPUSH', ['RPUSH', g.key('list'), ...elements(g, 1, 5)]) },
  { cmd: 'RPUSH', weight: 0.5, family: 'list', make: (g, e) => e('RPUSH', ['RPUSH', g.rng.pick(['l1', 'l2']), ...Array.from({ length: g.rng.between(100, 300) }, (_, i) => (g.rng.chance(0.01) ? 'w'.repeat(70) : String(i % 37)))]) },
  { cmd: 'LPUSHX', weight: 3, family: 'list', make: (g, e) => e('LPUSHX', ['LPUSHX', g.key('list'), ...elements(g, 1, 3)]) },
  { cmd: 'RPUSHX', weight: 3, family: 'list', make: (g, e) => e('RPUSHX', ['RPUSHX', g.key('list'), ...elements(g, 1, 3)]) },
  { cmd: 'LPOP', weight: 4, family: 'list', make: (g, e) => e('LPOP', ['LPOP', g.key('list'), ...popCount(g)]) },
  { cmd: 'RPOP', weight: 4, family: 'list', make: (g, e) => e('RPOP', ['RPOP', g.key('list'), ...popCount(g)]) },
  { cmd: 'LLEN', weight: 3, family: 'list', make: (g, e) => e('LLEN', ['LLEN', g.key('list')]) },
  { cmd: 'LRANGE', weight: 5, family: 'list', make: (g, e) => e('LRANGE', ['LRANGE', g.key('list'), g.index(), g.rng.chance(0.3) ? '-1' : g.index()]) },
  { cmd: 'LINDEX', weight: 3, family: 'list', make: (g, e) => e('LINDEX', ['LINDEX', g.key('list'), g.index()]) },
  { cmd: 'LSET', weight: 3, family: 'list', make: (g, e) => e('LSET', ['LSET', g.key('list'), g.index(), element(g)]) },
  {
    cmd: 'LINSERT',
    weight: 3,
    family: 'list',
    make: (g, e) => {
      const where = g.rng.chance(0.05) ? g.rng.pick(['MIDDLE', '']) : g.word(g.rng.pick(['BEFORE', 'AFTER']));
      e('LINSERT', ['LINSERT', g.key('list'), where, element(g), element(g)]);
    },
  },
  { cmd: 'LREM', weight: 3, family: 'list', make: (g, e) => e('LREM', ['LREM', g.key('list'), g.rng.chance(0.9) ? String(g.rng.between(-3, 3)) : g.rng.pick(['x', '1.5', '9223372036854775807', '-9223372036854775808']), element(g)]) },
  { cmd: 'LTRIM', weight: 2, family: 'list', make: (g, e) => e('LTRIM', ['LTRIM', g.key('list'), g.index(), g.rng.chance(0.4) ? '-1' : g.index()]) },
  { cmd: 'LPOS', weight: 4, family: 'list', make: (g, e) => e('LPOS', ['LPOS', g.key('list'), element(g), ...lposOptions(g)]) },
  { cmd: 'LMOVE', weight: 3, family: 'list', make: (g, e) => e('LMOVE', ['LMOVE', g.key('list'), g.key('list'), side(g), side(g)]) },
  { cmd: 'RPOPLPUSH', weight: 2, family: 'list', make: (g, e) => e('RPOPLPUSH', ['RPOPLPUSH', g.key('list'), g.key('list')]) },
  {
    cmd: 'LMPOP',
    weight: 3,
    family: 'list',
    make: (g, e) => {
      const argv = ['LMPOP', ...numkeysAndKeys(g, 'list'), side(g)];
      if (g.rng.chance(0.5)) argv.push(g.word('COUNT'), g.count());
      if (g.rng.chance(0.04)) argv.push(g.rng.pick(['COUNT', 'FOO']));
      e('LMPOP', argv);
    },
  },
  encodingEntry('list', 'list', 1),
];
