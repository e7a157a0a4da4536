// Hash commands for the collections generator. Fields collide on a small vocabulary; "grow"
// makers cross hash-max-listpack-entries (128 fields) and hash-max-listpack-value (64 bytes) so
// both encodings and the conversion are compared (OBJECT ENCODING, and the order of HKEYS,
// HVALS, HGETALL while the hash is a listpack).
import { encodingEntry, type CollectionGenerator, type Entry } from './gen-core.js';

export const HASH_ARITY: Record<string, number> = {
  HSET: -4, HSETNX: 4, HGET: 3, HMGET: -3, HMSET: -4, HDEL: -3, HLEN: 2, HSTRLEN: 3, HEXISTS: 3, HKEYS: 2, HVALS: 2,
  HGETALL: 2, HINCRBY: 4, HINCRBYFLOAT: 4, HRANDFIELD: -2, HSCAN: -3,
};

/** A hash value: members, numbers (for HINCRBY*), and long ones (past 64 bytes). */
function value(g: CollectionGenerator): string {
  const r = g.rng.next();
  if (r < 0.25) return g.integer();
  if (r < 0.35) return g.float();
  if (r < 0.9) return g.member();
  return g.text(g.rng.between(60, 70));
}

function fieldValues(g: CollectionGenerator, min: number, max: number): string[] {
  const n = g.rng.between(min, max);
  const out: string[] = [];
  for (let i = 0; i < n; i++) out.push(g.member(), value(g));
  return out;
}

/** Many fields in one HSET: around 128 in total, so the listpack limit is crossed (or not). */
function grow(g: CollectionGenerator): string[] {
  const n = g.rng.pick([20, 60, 120, 127, 128, 129, 140]);
  const start = g.rng.between(0, 100);
  const out: string[] = [];
  for (let i = 0; i < n; i++) out.push(`f${start + i}`, g.rng.chance(0.02) ? 'v'.repeat(g.rng.pick([64, 65])) : String(i));
  return out;
}

export const HASH_ENTRIES: Entry[] = [
  {
    cmd: 'HSET',
    weight: 10,
    family: 'hash',
    make: (g, e) => {
      const argv = ['HSET', g.key('hash'), ...fieldValues(g, 1, 4)];
      if (g.rng.chance(0.05)) argv.push(g.member()); // odd number of field/value arguments
      e('HSET', argv);
    },
  },
  { cmd: 'HSET', weight: 1.2, family: 'hash', make: (g, e) => e('HSET', ['HSET', g.rng.pick(['h1', 'h2', '{h}3']), ...grow(g)]) },
  { cmd: 'HSETNX', weight: 3, family: 'hash', make: (g, e) => e('HSETNX', ['HSETNX', g.key('hash'), g.member(), value(g)]) },
  { cmd: 'HGET', weight: 5, family: 'hash', make: (g, e) => e('HGET', ['HGET', g.key('hash'), g.rng.chance(0.2) ? `f${g.rng.between(0, 150)}` : g.member()]) },
  { cmd: 'HMGET', weight: 3, family: 'hash', make: (g, e) => e('HMGET', ['HMGET', g.key('hash'), ...g.members(1, 5)]) },
  {
    cmd: 'HMSET',
    weight: 3,
    family: 'hash',
    make: (g, e) => {
      const argv = ['HMSET', g.key('hash'), ...fieldValues(g, 1, 3)];
      if (g.rng.chance(0.05)) argv.push(g.member());
      e('HMSET', argv);
    },
  },
  { cmd: 'HDEL', weight: 4, family: 'hash', make: (g, e) => e('HDEL', ['HDEL', g.key('hash'), ...(g.rng.chance(0.15) ? Array.from({ length: 40 }, (_, i) => `f${g.rng.between(0, 150) + i}`) : g.members(1, 4))]) },
  { cmd: 'HLEN', weight: 3, family: 'hash', make: (g, e) => e('HLEN', ['HLEN', g.key('hash')]) },
  { cmd: 'HSTRLEN', weight: 2, family: 'hash', make: (g, e) => e('HSTRLEN', ['HSTRLEN', g.key('hash'), g.member()]) },
  { cmd: 'HEXISTS', weight: 2, family: 'hash', make: (g, e) => e('HEXISTS', ['HEXISTS', g.key('hash'), g.member()]) },
  {
    cmd: 'HKEYS',
    weight: 3,
    family: 'hash',
    make: (g, e) => {
      const k = g.key('hash');
      g.encodingThenRead(e, k, 'HKEYS', ['HKEYS', k], false);
    },
  },
  {
    cmd: 'HVALS',
    weight: 3,
    family: 'hash',
    make: (g, e) => {
      const k = g.key('hash');
      g.encodingThenRead(e, k, 'HVALS', ['HVALS', k], false);
    },
  },
  {
    cmd: 'HGETALL',
    weight: 4,
    family: 'hash',
    make: (g, e) => {
      const k = g.key('hash');
      g.encodingThenRead(e, k, 'HGETALL', ['HGETALL', k], true);
    },
  },
  { cmd: 'HINCRBY', weight: 4, family: 'hash', make: (g, e) => e('HINCRBY', ['HINCRBY', g.key('hash'), g.rng.chance(0.6) ? g.rng.pick(['n', 'm', '1']) : g.member(), g.integer()]) },
  { cmd: 'HINCRBYFLOAT', weight: 4, family: 'hash', make: (g, e) => e('HINCRBYFLOAT', ['HINCRBYFLOAT', g.key('hash'), g.rng.chance(0.6) ? g.rng.pick(['n', 'fl', '1']) : g.member(), g.float()]) },
  {
    cmd: 'HRANDFIELD',
    weight: 4,
    family: 'hash',
    special: true,
    make: (g, _e, conn) => {
      const r = g.rng.next();
      const key = g.key('hash');
      if (r < 0.25) g.pick(conn, 'HRANDFIELD', key, null, false);
      else if (r < 0.55) g.pick(conn, 'HRANDFIELD', key, g.count(), false);
      else if (r < 0.92) g.pick(conn, 'HRANDFIELD', key, g.rng.pick(['1', '3', '-3', '5', '-10', '200', '0', '-1']), true);
      else g.pick(conn, 'HRANDFIELD', key, g.rng.pick(['1', 'x']), false, [g.rng.pick(['WITHSCORES', 'FOO', 'WITHVALUES'])].concat(g.rng.chance(0.5) ? ['x'] : []));
    },
  },
  { cmd: 'HSCAN', weight: 3, family: 'hash', special: true, make: (g, _e, conn) => g.keyScan(conn, 'HSCAN', g.key('hash')) },
  encodingEntry('hash', 'hash', 2),
];
