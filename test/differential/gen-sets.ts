// Set commands for the collections generator. The key 'si' gets integers mostly (an intset), and
// "grow" makers push it past set-max-intset-entries (512); a non-integer member converts any set
// to a hash table. SMEMBERS is compared in order while both servers report an intset, as a
// multiset otherwise; SINTER/SUNION/SDIFF always as multisets; SPOP and SRANDMEMBER by their
// properties (scenarios.ts).
import { encodingEntry, type CollectionGenerator, type Entry } from './gen-core.js';

export const SET_ARITY: Record<string, number> = {
  SADD: -3, SREM: -3, SMEMBERS: 2, SISMEMBER: 3, SMISMEMBER: -3, SCARD: 2, SPOP: -2, SRANDMEMBER: -2, SMOVE: 4,
  SINTER: -2, SINTERCARD: -3, SUNION: -2, SDIFF: -2, SINTERSTORE: -3, SUNIONSTORE: -3, SDIFFSTORE: -3, SSCAN: -3,
};

/** Members for `key`: integers only for 'si' most of the time, the shared vocabulary otherwise. */
function setMember(g: CollectionGenerator, key: string): string {
  if (key === 'si' && g.rng.chance(0.97)) return g.integerMember();
  return g.member();
}

function setMembers(g: CollectionGenerator, key: string, min: number, max: number): string[] {
  return Array.from({ length: g.rng.between(min, max) }, () => setMember(g, key));
}

/** Around 512 integers in one SADD: crosses set-max-intset-entries, or stays just below. */
function grow(g: CollectionGenerator): string[] {
  const n = g.rng.pick([100, 500, 511, 512, 513, 520]);
  const start = g.rng.between(-50, 50);
  return Array.from({ length: n }, (_, i) => String((start + i) * g.rng.pick([1, 1, 1, 7, -3])));
}

/** SINTERCARD/ZINTERCARD-style arguments: numkeys, keys, maybe LIMIT. */
function cardArgs(g: CollectionGenerator): string[] {
  const keys = g.keys('set', 1, 3);
  const argv = [g.rng.chance(0.92) ? String(keys.length) : g.rng.pick(['0', '-1', 'x', String(keys.length + 1)]), ...keys];
  if (g.rng.chance(0.4)) argv.push(g.word('LIMIT'), g.rng.pick(['0', '1', '2', '5', '-1', 'x']));
  if (g.rng.chance(0.03)) argv.push('FOO');
  return argv;
}

export const SET_ENTRIES: Entry[] = [
  {
    cmd: 'SADD',
    weight: 10,
    family: 'set',
    make: (g, e) => {
      const k = g.key('set');
      e('SADD', ['SADD', k, ...setMembers(g, k, 1, 5)]);
    },
  },
  { cmd: 'SADD', weight: 1, family: 'set', make: (g, e) => e('SADD', ['SADD', g.rng.pick(['si', 'si', 's1']), ...grow(g)]) },
  {
    cmd: 'SREM',
    weight: 4,
    family: 'set',
    make: (g, e) => {
      const k = g.key('set');
      e('SREM', ['SREM', k, ...setMembers(g, k, 1, 4)]);
    },
  },
  {
    cmd: 'SMEMBERS',
    weight: 4,
    family: 'set',
    make: (g, e) => {
      const k = g.key('set');
      g.encodingThenRead(e, k, 'SMEMBERS', ['SMEMBERS', k], false);
    },
  },
  {
    cmd: 'SISMEMBER',
    weight: 3,
    family: 'set',
    make: (g, e) => {
      const k = g.key('set');
      e('SISMEMBER', ['SISMEMBER', k, setMember(g, k)]);
    },
  },
  {
    cmd: 'SMISMEMBER',
    weight: 3,
    family: 'set',
    make: (g, e) => {
      const k = g.key('set');
      e('SMISMEMBER', ['SMISMEMBER', k, ...setMembers(g, k, 1, 4)]);
    },
  },
  { cmd: 'SCARD', weight: 3, family: 'set', make: (g, e) => e('SCARD', ['SCARD', g.key('set')]) },
  {
    cmd: 'SPOP',
    weight: 4,
    family: 'set',
    special: true,
    make: (g, _e, conn) => {
      const r = g.rng.next();
      if (r < 0.3) g.pick(conn, 'SPOP', g.key('set'), null, false);
      else if (r < 0.65) g.pick(conn, 'SPOP', g.key('set'), g.rng.pick(['0', '1', '2', '3', '5', '20', '600', '-1', 'x', '1.5']), false);
      // all but a few members: Redis then rebuilds the set from the remaining ones
      else if (r < 0.95) g.pick(conn, 'SPOP', g.key('set'), '1', false, [], g.rng.pick([1, 1, 2, 3, 5]));
      else g.pick(conn, 'SPOP', g.key('set'), '1', false, [g.rng.pick(['1', 'COUNT'])]);
    },
  },
  {
    cmd: 'SRANDMEMBER',
    weight: 4,
    family: 'set',
    special: true,
    make: (g, _e, conn) => {
      const r = g.rng.next();
      if (r < 0.3) g.pick(conn, 'SRANDMEMBER', g.key('set'), null, false);
      else if (r < 0.97) g.pick(conn, 'SRANDMEMBER', g.key('set'), g.rng.pick(['0', '1', '2', '3', '5', '20', '600', '-1', '-3', '-20', 'x', '-9223372036854775808']), false);
      else g.pick(conn, 'SRANDMEMBER', g.key('set'), '1', false, ['2']);
    },
  },
  {
    cmd: 'SMOVE',
    weight: 3,
    family: 'set',
    make: (g, e) => {
      const src = g.key('set');
      e('SMOVE', ['SMOVE', src, g.key('set'), setMember(g, src)]);
    },
  },
  { cmd: 'SINTER', weight: 3, family: 'set', make: (g, e) => e('SINTER', ['SINTER', ...g.keys('set', 1, 3)], { kind: 'multiset' }) },
  { cmd: 'SUNION', weight: 3, family: 'set', make: (g, e) => e('SUNION', ['SUNION', ...g.keys('set', 1, 3)], { kind: 'multiset' }) },
  { cmd: 'SDIFF', weight: 3, family: 'set', make: (g, e) => e('SDIFF', ['SDIFF', ...g.keys('set', 1, 3)], { kind: 'multiset' }) },
  { cmd: 'SINTERCARD', weight: 3, family: 'set', make: (g, e) => e('SINTERCARD', ['SINTERCARD', ...cardArgs(g)]) },
  { cmd: 'SINTERSTORE', weight: 2, family: 'set', make: (g, e) => e('SINTERSTORE', ['SINTERSTORE', g.key('set'), ...g.keys('set', 1, 3)]) },
  { cmd: 'SUNIONSTORE', weight: 2, family: 'set', make: (g, e) => e('SUNIONSTORE', ['SUNIONSTORE', g.key('set'), ...g.keys('set', 1, 3)]) },
  { cmd: 'SDIFFSTORE', weight: 2, family: 'set', make: (g, e) => e('SDIFFSTORE', ['SDIFFSTORE', g.key('set'), ...g.keys('set', 1, 3)]) },
  { cmd: 'SSCAN', weight: 3, family: 'set', special: true, make: (g, _e, conn) => g.keyScan(conn, 'SSCAN', g.key('set')) },
  encodingEntry('set', 'set', 2),
];
