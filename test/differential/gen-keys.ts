// Key-space commands across all types for the collections generator: TYPE, OBJECT ENCODING,
// DEL/UNLINK/EXISTS, RENAME/RENAMENX/COPY/MOVE between keys of different types, DUMP/RESTORE
// round trips (each side restores its own payload), SORT/SORT_RO, and a few string writes so
// that WRONGTYPE comes from strings too.
import { ALL_KEYS, type CollectionGenerator, type Emit, type Entry } from './gen-core.js';

export const KEYS_ARITY: Record<string, number> = {
  TYPE: 2, OBJECT: -2, DEL: -2, UNLINK: -2, EXISTS: -2, RENAME: 3, RENAMENX: 3, COPY: -3, MOVE: 3, DUMP: 2, RESTORE: -4,
  SORT: -2, SORT_RO: -2, DBSIZE: 1, FLUSHDB: -1, SELECT: 2,
};

/** Patterns for SORT BY / GET: weights in string keys w_<member>, and hash fields. */
const SORT_PATTERNS = ['w_*', 'nosort', 'h*->f1', 'w_*->x', '#', 'missing_*', '*', 'h1->f*'];

/**
 * SORT / SORT_RO options. `readOnly`: no STORE. Returns the options, and whether the reply must
 * be compared as a multiset: Redis leaves the order of some elements open (below).
 */
function sortOptions(g: CollectionGenerator, readOnly: boolean): { options: string[]; unordered: boolean; numeric: boolean } {
  const groups: string[][] = [];
  let by: string | null = null;
  if (g.rng.chance(0.35)) {
    by = g.rng.pick(SORT_PATTERNS.filter((p) => p !== '#'));
    groups.push([g.word('BY'), by]);
  }
  const alpha = g.rng.chance(0.5);
  // - BY nosort returns a set in its own order (a hash table's, for most sets);
  // - ALPHA with a BY pattern leaves ties (equal or missing weights) in qsort's order, unlike
  //   numeric sorting, which breaks ties by comparing the elements.
  // Such replies are compared as multisets, never cut with LIMIT, never STOREd.
  const unordered = by === 'nosort' || (alpha && by !== null);
  if (g.rng.chance(0.3) && !unordered) groups.push([g.word('LIMIT'), g.rng.pick(['0', '1', '2', '-1', 'x']), g.rng.pick(['0', '1', '3', '-1', '10', 'x'])]);
  const gets = g.rng.chance(0.3) ? g.rng.between(1, 2) : 0;
  for (let i = 0; i < gets; i++) groups.push([g.word('GET'), g.rng.pick(SORT_PATTERNS.filter((p) => p !== 'nosort'))]);
  if (g.rng.chance(0.3)) groups.push([g.word(g.rng.pick(['ASC', 'DESC']))]);
  if (alpha) groups.push([g.word('ALPHA')]);
  if (!readOnly && !unordered && g.rng.chance(0.2)) groups.push([g.word('STORE'), g.rng.pick(['l2', '{l}3', 'sorted', 's1'])]);
  if (g.rng.chance(0.03)) groups.push([g.rng.pick(['FOO', 'LIMIT', 'BY', 'STORE'])]);
  return { options: groups.flat(), unordered, numeric: !alpha };
}

/**
 * Redis 7.0's numeric SORT checks errno for ERANGE after strtod without clearing it first, so a
 * float out of range parsed by an earlier command (in the same read of the pipeline) turns a
 * valid SORT into "One or more scores can't be converted into double". A ZADD XX on a key that
 * never exists changes nothing (:0, compared) and clears errno while parsing its score.
 */
function clearRedisErrno(emit: Emit): void {
  emit('ZADD', ['ZADD', 'sort:errno-reset', 'XX', '0', 'm']);
}

function sortCommand(g: CollectionGenerator, emit: Emit, name: 'SORT' | 'SORT_RO', key: string): void {
  const { options, unordered, numeric } = sortOptions(g, name === 'SORT_RO');
  if (numeric) clearRedisErrno(emit);
  emit(name, [name, key, ...options], unordered ? { kind: 'multiset' } : undefined);
}

export const KEYS_ENTRIES: Entry[] = [
  { cmd: 'TYPE', weight: 4, family: 'keys', make: (g, e) => e('TYPE', ['TYPE', g.anyKey()]) },
  {
    cmd: 'OBJECT',
    weight: 6,
    family: 'keys',
    make: (g, e) => {
      const key = g.anyKey();
      if (g.rng.chance(0.95)) e('OBJECT', ['OBJECT', g.word('ENCODING'), key], { kind: 'encoding', key });
      else e('OBJECT', ['OBJECT', ...g.rng.pick([['ENCODING'], ['ENCODING', key, key], ['FOO', key]])]);
    },
  },
  { cmd: 'DEL', weight: 4, family: 'keys', make: (g, e) => e('DEL', ['DEL', ...Array.from({ length: g.rng.between(1, 3) }, () => g.anyKey())]) },
  { cmd: 'UNLINK', weight: 1.5, family: 'keys', make: (g, e) => e('UNLINK', ['UNLINK', ...Array.from({ length: g.rng.between(1, 3) }, () => g.anyKey())]) },
  { cmd: 'EXISTS', weight: 3, family: 'keys', make: (g, e) => e('EXISTS', ['EXISTS', ...Array.from({ length: g.rng.between(1, 4) }, () => g.anyKey())]) },
  { cmd: 'RENAME', weight: 2.5, family: 'keys', make: (g, e) => e('RENAME', ['RENAME', g.anyKey(), g.anyKey()]) },
  { cmd: 'RENAMENX', weight: 1.5, family: 'keys', make: (g, e) => e('RENAMENX', ['RENAMENX', g.anyKey(), g.anyKey()]) },
  {
    cmd: 'COPY',
    weight: 3,
    family: 'keys',
    make: (g, e) => {
      const options: string[][] = [];
      if (g.rng.chance(0.5)) options.push([g.word('REPLACE')]);
      if (g.rng.chance(0.2)) options.push([g.word('DB'), g.rng.pick(['0', '1', '1', 'x', '16'])]);
      e('COPY', ['COPY', g.anyKey(), g.anyKey(), ...g.rng.shuffle(options).flat()]);
    },
  },
  { cmd: 'MOVE', weight: 1.5, family: 'keys', make: (g, e) => e('MOVE', ['MOVE', g.anyKey(), g.rng.chance(0.9) ? '1' : g.rng.pick(['0', 'x', '16'])]) },
  {
    // Look at database 1 (where MOVE and COPY ... DB 1 put keys) and bring a key back.
    cmd: 'SELECT',
    weight: 1,
    family: 'keys',
    aOnly: true,
    make: (g, e) => {
      const key = g.anyKey();
      e('SELECT', ['SELECT', '1']);
      e('TYPE', ['TYPE', key]);
      if (g.rng.chance(0.5)) e('OBJECT', ['OBJECT', 'ENCODING', key], { kind: 'encoding', key });
      if (g.rng.chance(0.2)) e('FLUSHDB', ['FLUSHDB']);
      else e('MOVE', ['MOVE', key, '0']);
      e('SELECT', ['SELECT', '0']);
    },
  },
  { cmd: 'DUMP', weight: 1.5, family: 'keys', make: (g, e) => e('DUMP', ['DUMP', g.anyKey()], { kind: 'presence' }) },
  { cmd: 'RESTORE', weight: 4, family: 'keys', special: true, make: (g, _e, conn) => g.dumpRestore(conn, g.anyKey(), g.rng.chance(0.7) ? g.anyKey() : 'restored') },
  { cmd: 'SORT', weight: 3, family: 'keys', make: (g, e) => sortCommand(g, e, 'SORT', g.rng.pick([...ALL_KEYS, 'l1', 'l1', 's1', 'si', 'z1'].filter((k) => k !== ''))) },
  { cmd: 'SORT_RO', weight: 1.5, family: 'keys', make: (g, e) => sortCommand(g, e, 'SORT_RO', g.rng.pick(['l1', 'l2', 's1', 'si', 'z1', 'h1', 'nokey'])) },
  { cmd: 'SET', weight: 1.5, family: 'keys', make: (g, e) => e('SET', ['SET', g.rng.chance(0.6) ? `w_${g.member()}` : g.anyKey(), g.rng.pick(['1', '2', '-3', '10', '2.5', 'abc', ''])]) },
  {
    cmd: 'DBSIZE',
    weight: 0.6,
    family: 'keys',
    make: (_g, e) => {
      e('EXISTS', ['EXISTS', ...ALL_KEYS]);
      e('DBSIZE', ['DBSIZE']);
    },
  },
  { cmd: 'FLUSHDB', weight: 0.2, family: 'keys', make: (_g, e) => e('FLUSHDB', ['FLUSHDB']) },
];
