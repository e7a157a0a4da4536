// Hash commands (Redis t_hash.c): the field/value commands of Redis 7.0, HRANDFIELD and HSCAN,
// and the per-field expiry of Redis 7.4 (HEXPIRE, HPEXPIRE, HEXPIREAT, HPEXPIREAT, HTTL, HPTTL,
// HEXPIRETIME, HPEXPIRETIME, HPERSIST). The structure lives in src/core/types/hash.ts.
//
// Field expiry. An expired field is invisible to every command: whenever a command looks at a
// hash whose earliest field TTL has passed, all its expired fields are deleted first (lazy
// expiry), each logged as `HDEL key field` as Redis propagates a field expiry, and a hash left
// empty is deleted. expireHashFields() is the active side, for the engine's cron.
//
// Effects. HSET, HSETNX, HDEL, HINCRBY and HPERSIST replay as they are. HINCRBYFLOAT is logged as
// HSET of its result (plus an HPEXPIREAT when the field keeps a TTL, since HSET would clear it);
// the HEXPIRE family as one unconditional HPEXPIREAT with the absolute time and only the fields
// whose TTL was set, and an HDEL per field it deleted because the time had already passed.
import * as errors from '../errors.js';
import { globMatch } from '../glob.js';
import type { Database, Entry, Keyspace } from '../keyspace.js';
import { limits } from '../limits.js';
import { incrByFloat, parseLongDouble } from '../long-double.js';
import { INT64_MAX, INT64_MIN, parseI64 } from '../numbers.js';
import { array, bulk, EMPTY_ARRAY, int, map, MINUS_ONE, MINUS_TWO, NIL, OK, ONE, ZERO, type Reply } from '../reply.js';
import type { Rng } from '../rng.js';
import { HashValue } from '../types/hash.js';
import { parseScanCursor } from './keys.js';
import { EMPTY_SCAN, isScanOptions, parseScanOptions } from './scan-options.js';
import { isWord, propagateAs, written, type CommandSpec, type CoreContext } from './spec.js';

const hashGroup = { group: 'hash', acl: ['hash'], keys: { first: 1, last: 1, step: 1 } } as const;
const hashSince74 = { ...hashGroup, since: '7.4.0' } as const;

const FIELDS_SYNTAX = 'FIELDS numfields field [field ...]';
const CONDITION_SYNTAX = '[NX | XX | GT | LT]';

export const hashCommands: CommandSpec[] = [
  {
    ...hashGroup, name: 'hset', arity: -4, flags: ['write', 'denyoom', 'fast'], since: '2.0.0',
    summary: 'Sets one or more fields of a hash, creating the hash when needed; answers how many fields are new.',
    complexity: 'O(1) per field/value pair',
    syntax: 'HSET key field value [field value ...]',
    handler: (ctx, argv) => setFields(ctx, argv, false),
  },
  {
    ...hashGroup, name: 'hmset', arity: -4, flags: ['write', 'denyoom', 'fast'], since: '2.0.0',
    summary: 'Sets one or more fields of a hash and answers OK (the older form of HSET).',
    complexity: 'O(1) per field/value pair',
    syntax: 'HMSET key field value [field value ...]',
    handler: (ctx, argv) => setFields(ctx, argv, true),
  },
  {
    ...hashGroup, name: 'hsetnx', arity: 4, flags: ['write', 'denyoom', 'fast'], since: '2.0.0',
    summary: 'Sets a field of a hash only when the field does not exist yet.',
    complexity: 'O(1)',
    syntax: 'HSETNX key field value',
    handler: hsetnx,
  },
  {
    ...hashGroup, name: 'hget', arity: 3, flags: ['readonly', 'fast'], since: '2.0.0',
    summary: 'Returns the value of a field of a hash, or nil.',
    complexity: 'O(1)',
    syntax: 'HGET key field',
    handler: (ctx, argv) => {
      const h = readHash(ctx, argv[1]!);
      if (h === undefined) return NIL;
      if (!(h instanceof HashValue)) return h;
      return valueOrNil(h, argv[2]!);
    },
  },
  {
    ...hashGroup, name: 'hmget', arity: -3, flags: ['readonly', 'fast'], since: '2.0.0',
    summary: 'Returns the values of several fields of a hash, nil for each missing one.',
    complexity: 'O(1) per field',
    syntax: 'HMGET key field [field ...]',
    handler: (ctx, argv) => {
      const h = readHash(ctx, argv[1]!);
      if (h !== undefined && !(h instanceof HashValue)) return h;
      const out: Reply[] = [];
      for (let i = 2; i < argv.length; i++) out.push(h === undefined ? NIL : valueOrNil(h, argv[i]!));
      return array(out);
    },
  },
  {
    ...hashGroup, name: 'hdel', arity: -3, flags: ['write', 'fast'], since: '2.0.0',
    summary: 'Deletes fields of a hash and answers how many existed; an emptied hash is deleted.',
    complexity: 'O(1) per field',
    syntax: 'HDEL key field [field ...]',
    handler: hdel,
  },
  {
    ...hashGroup, name: 'hlen', arity: 2, flags: ['readonly', 'fast'], since: '2.0.0',
    summary: 'Returns the number of fields of a hash.',
    complexity: 'O(1)',
    syntax: 'HLEN key',
    handler: (ctx, argv) => {
      const h = readHash(ctx, argv[1]!);
      if (h === undefined) return ZERO;
      return h instanceof HashValue ? int(h.size) : h;
    },
  },
  {
    ...hashGroup, name: 'hstrlen', arity: 3, flags: ['readonly', 'fast'], since: '3.2.0',
    summary: 'Returns the length in bytes of the value of a field of a hash, 0 when missing.',
    complexity: 'O(1)',
    syntax: 'HSTRLEN key field',
    handler: (ctx, argv) => {
      const h = readHash(ctx, argv[1]!);
      if (h === undefined) return ZERO;
      if (!(h instanceof HashValue)) return h;
      return int(h.get(argv[2]!)?.length ?? 0);
    },
  },
  {
    ...hashGroup, name: 'hexists', arity: 3, flags: ['readonly', 'fast'], since: '2.0.0',
    summary: 'Says whether a field exists in a hash (1) or not (0).',
    complexity: 'O(1)',
    syntax: 'HEXISTS key field',
    handler: (ctx, argv) => {
      const h = readHash(ctx, argv[1]!);
      if (h === undefined) return ZERO;
      if (!(h instanceof HashValue)) return h;
      return h.has(argv[2]!) ? ONE : ZERO;
    },
  },
  {
    ...hashGroup, name: 'hkeys', arity: 2, flags: ['readonly'], since: '2.0.0',
    summary: 'Returns every field name of a hash.',
    complexity: 'O(N) in the number of fields',
    syntax: 'HKEYS key',
    handler: (ctx, argv) => allOf(ctx, argv[1]!, true, false),
  },
  {
    ...hashGroup, name: 'hvals', arity: 2, flags: ['readonly'], since: '2.0.0',
    summary: 'Returns every value of a hash.',
    complexity: 'O(N) in the number of fields',
    syntax: 'HVALS key',
    handler: (ctx, argv) => allOf(ctx, argv[1]!, false, true),
  },
  {
    ...hashGroup, name: 'hgetall', arity: 2, flags: ['readonly'], since: '2.0.0',
    summary: 'Returns every field and value of a hash (a map in RESP3, a flat array in RESP2).',
    complexity: 'O(N) in the number of fields',
    syntax: 'HGETALL key',
    handler: (ctx, argv) => allOf(ctx, argv[1]!, true, true),
  },
  {
    ...hashGroup, name: 'hincrby', arity: 4, flags: ['write', 'denyoom', 'fast'], since: '2.0.0',
    summary: 'Adds an integer to the integer value of a field of a hash (a missing field counts as 0).',
    complexity: 'O(1)',
    syntax: 'HINCRBY key field increment',
    handler: hincrby,
  },
  {
    ...hashGroup, name: 'hincrbyfloat', arity: 4, flags: ['write', 'denyoom', 'fast'], since: '2.6.0',
    summary: 'Adds a decimal number to the numeric value of a field of a hash, in long-double precision.',
    complexity: 'O(1)',
    syntax: 'HINCRBYFLOAT key field increment',
    handler: hincrbyfloat,
  },
  {
    ...hashGroup, name: 'hrandfield', arity: -2, flags: ['readonly'], since: '6.2.0',
    summary: 'Returns one random field of a hash, or a number of them, distinct or not, optionally with values.',
    complexity: 'O(N) in the number of fields returned',
    syntax: 'HRANDFIELD key [count [WITHVALUES]]',
    handler: hrandfield,
  },
  {
    ...hashGroup, name: 'hscan', arity: -3, flags: ['readonly'], since: '2.8.0',
    summary: 'Iterates over the fields and values of a hash with a cursor, optionally filtered by pattern.',
    complexity: 'O(1) per call, O(N) for a complete iteration',
    syntax: 'HSCAN key cursor [MATCH pattern] [COUNT count] [NOVALUES]',
    handler: hscan,
  },
  {
    ...hashSince74, name: 'hexpire', arity: -6, flags: ['write', 'denyoom', 'fast'],
    summary: 'Sets fields of a hash to expire after a number of seconds.',
    complexity: 'O(N) in the number of fields named',
    syntax: `HEXPIRE key seconds ${CONDITION_SYNTAX} ${FIELDS_SYNTAX}`,
    handler: (ctx, argv) => setFieldExpiry(ctx, argv, 'hexpire', true, true),
  },
  {
    ...hashSince74, name: 'hpexpire', arity: -6, flags: ['write', 'denyoom', 'fast'],
    summary: 'Sets fields of a hash to expire after a number of milliseconds.',
    complexity: 'O(N) in the number of fields named',
    syntax: `HPEXPIRE key milliseconds ${CONDITION_SYNTAX} ${FIELDS_SYNTAX}`,
    handler: (ctx, argv) => setFieldExpiry(ctx, argv, 'hpexpire', true, false),
  },
  {
    ...hashSince74, name: 'hexpireat', arity: -6, flags: ['write', 'denyoom', 'fast'],
    summary: 'Sets fields of a hash to expire at a Unix time in seconds.',
    complexity: 'O(N) in the number of fields named',
    syntax: `HEXPIREAT key unix-time-seconds ${CONDITION_SYNTAX} ${FIELDS_SYNTAX}`,
    handler: (ctx, argv) => setFieldExpiry(ctx, argv, 'hexpireat', false, true),
  },
  {
    ...hashSince74, name: 'hpexpireat', arity: -6, flags: ['write', 'denyoom', 'fast'],
    summary: 'Sets fields of a hash to expire at a Unix time in milliseconds.',
    complexity: 'O(N) in the number of fields named',
    syntax: `HPEXPIREAT key unix-time-milliseconds ${CONDITION_SYNTAX} ${FIELDS_SYNTAX}`,
    handler: (ctx, argv) => setFieldExpiry(ctx, argv, 'hpexpireat', false, false),
  },
  {
    ...hashSince74, name: 'httl', arity: -5, flags: ['readonly', 'fast'],
    summary: 'Returns the seconds each field of a hash has left to live: -1 without a TTL, -2 when missing.',
    complexity: 'O(N) in the number of fields named',
    syntax: `HTTL key ${FIELDS_SYNTAX}`,
    handler: (ctx, argv) => fieldTimeToLive(ctx, argv, false, false),
  },
  {
    ...hashSince74, name: 'hpttl', arity: -5, flags: ['readonly', 'fast'],
    summary: 'Returns the milliseconds each field of a hash has left to live: -1 without a TTL, -2 when missing.',
    complexity: 'O(N) in the number of fields named',
    syntax: `HPTTL key ${FIELDS_SYNTAX}`,
    handler: (ctx, argv) => fieldTimeToLive(ctx, argv, true, false),
  },
  {
    ...hashSince74, name: 'hexpiretime', arity: -5, flags: ['readonly', 'fast'],
    summary: 'Returns the Unix time in seconds at which each field of a hash expires: -1 without a TTL, -2 when missing.',
    complexity: 'O(N) in the number of fields named',
    syntax: `HEXPIRETIME key ${FIELDS_SYNTAX}`,
    handler: (ctx, argv) => fieldTimeToLive(ctx, argv, false, true),
  },
  {
    ...hashSince74, name: 'hpexpiretime', arity: -5, flags: ['readonly', 'fast'],
    summary: 'Returns the Unix time in milliseconds at which each field of a hash expires: -1 without a TTL, -2 when missing.',
    complexity: 'O(N) in the number of fields named',
    syntax: `HPEXPIRETIME key ${FIELDS_SYNTAX}`,
    handler: (ctx, argv) => fieldTimeToLive(ctx, argv, true, true),
  },
  {
    ...hashSince74, name: 'hpersist', arity: -5, flags: ['write', 'fast'],
    summary: 'Removes the TTL of fields of a hash so that they never expire.',
    complexity: 'O(N) in the number of fields named',
    syntax: `HPERSIST key ${FIELDS_SYNTAX}`,
    handler: hpersist,
  },
];

const EMPTY_MAP = map([]);

// ---------------------------------------------------------------------------------------
// Lookups and lazy field expiry

/** The hash at an entry with its expired fields purged: undefined when missing (or emptied). */
function hashIn(ctx: CoreContext, e: Entry | undefined): HashValue | undefined | Reply {
  if (e === undefined) return undefined;
  if (e.type !== 'hash') return errors.wrongType();
  return liveHash(ctx.ks, ctx.db, e);
}

/** A read lookup (keyspace hits and misses), as Redis's lookupKeyRead. */
function readHash(ctx: CoreContext, key: string): HashValue | undefined | Reply {
  return hashIn(ctx, ctx.db.lookupRead(key));
}

function writeHash(ctx: CoreContext, key: string): HashValue | undefined | Reply {
  return hashIn(ctx, ctx.db.lookupWrite(key));
}

/** The entry of a hash without purging yet, for commands that parse arguments after the type check. */
function hashEntry(e: Entry | undefined): Entry | undefined | Reply {
  if (e === undefined || e.type === 'hash') return e;
  return errors.wrongType();
}

function isEntry(x: Entry | undefined | Reply): x is Entry {
  return x !== undefined && 'key' in x;
}

/**
 * Deletes the expired fields of a hash entry (lazy expiry) and returns what is left, or
 * undefined when nothing is: the emptied hash is deleted. A hash that still has field TTLs is
 * (re)registered for the active expiry, which also covers a hash renamed or moved since.
 */
function liveHash(ks: Keyspace, db: Database, e: Entry): HashValue | undefined {
  const h = e.value as HashValue;
  // A replica leaves expired fields to the primary's logged HDELs (as it does keys).
  if (h.nextExpiry() <= ks.now && !ks.replicaExpiry && purgeExpiredFields(ks, db, e)) return undefined;
  if (h.hasFieldTtls()) trackVolatileHash(db, e.key);
  return h;
}

/**
 * Removes every expired field of the hash at `e`, logging `HDEL key field` for each (a replica
 * then deletes the same fields) and sending the hexpired event. Returns true when the hash became
 * empty and its key was deleted.
 */
function purgeExpiredFields(ks: Keyspace, db: Database, e: Entry): boolean {
  const h = e.value as HashValue;
  const key = e.key;
  const removed = h.removeExpired(ks.now, (field) => ks.emit(db.id, ['HDEL', key, field]));
  if (removed === 0) return false;
  ks.notify(db.id, 'hexpired', key);
  if (h.size === 0) {
    db.delete(key);
    ks.notify(db.id, 'del', key);
    return true;
  }
  db.touch(key);
  return false;
}

// ---------------------------------------------------------------------------------------
// Active field expiry
//
// Each database keeps the keys of hashes that have field TTLs. A cron pass walks them with a
// persistent cursor (as Database.activeExpirePass walks volatile keys) and purges the hashes
// whose earliest field TTL has passed. A hash is registered whenever a hash command sees it with
// TTLs; a short sweep over the key space each pass finds the ones that moved without a hash
// command (RENAME, MOVE, COPY, RESTORE, SWAPDB), so none is left behind for good.

interface VolatileHashes {
  readonly keys: Set<string>;
  cursor: Iterator<string> | null;
  /** Next position of the backstop sweep over db.dense, counting down (0 = start at the top). */
  sweepAt: number;
}

const volatileHashes = new WeakMap<Database, VolatileHashes>();

function volatileStateOf(db: Database): VolatileHashes {
  let state = volatileHashes.get(db);
  if (state === undefined) {
    state = { keys: new Set(), cursor: null, sweepAt: 0 };
    volatileHashes.set(db, state);
  }
  return state;
}

function trackVolatileHash(db: Database, key: string): void {
  volatileStateOf(db).keys.add(key);
}

/**
 * Active expiry of hash fields, for the engine's cron: in each database, examines up to
 * `maxFields` registered hashes and deletes their expired fields, stopping once `maxFields`
 * fields were deleted there. A hash it starts is purged whole, so that a replica applying the
 * logged HDELs (each of which purges the same hash) ends in the same state. Returns the number
 * of fields deleted.
 */
export function expireHashFields(ks: Keyspace, maxFields: number): number {
  let total = 0;
  for (const db of ks.dbs) {
    const state = volatileHashes.get(db);
    if (db.size === 0) {
      if (state !== undefined) volatileHashes.delete(db);
      continue;
    }
    const sweeping = state ?? volatileStateOf(db);
    sweepForVolatileHashes(db, sweeping, maxFields);
    total += expireFieldsIn(ks, db, sweeping, maxFields);
  }
  return total;
}

function expireFieldsIn(ks: Keyspace, db: Database, state: VolatileHashes, maxFields: number): number {
  let expired = 0;
  let examined = 0;
  if (state.keys.size === 0) return 0;
  if (state.cursor === null) state.cursor = state.keys.values();
  while (examined < maxFields && expired < maxFields) {
    const step = state.cursor.next();
    if (step.done) {
      state.cursor = null;
      break;
    }
    examined++;
    const key = step.value;
    const e = db.peek(key);
    if (e === undefined || e.type !== 'hash' || !(e.value as HashValue).hasFieldTtls()) {
      state.keys.delete(key);
      continue;
    }
    // A key whose own TTL has passed is left to the key-level expiry, which deletes it whole.
    if (e.expiresAt !== 0 && e.expiresAt <= ks.now) continue;
    const h = e.value as HashValue;
    if (h.nextExpiry() > ks.now) continue;
    const before = h.size;
    const emptied = purgeExpiredFields(ks, db, e);
    expired += emptied ? before : before - h.size;
    if (emptied || !h.hasFieldTtls()) state.keys.delete(key);
  }
  return expired;
}

function sweepForVolatileHashes(db: Database, state: VolatileHashes, budget: number): void {
  let at = state.sweepAt === 0 || state.sweepAt > db.dense.length ? db.dense.length : state.sweepAt;
  for (let n = 0; n < budget && at > 0; n++) {
    at--;
    const e = db.dense[at]!;
    if (e.type === 'hash' && (e.value as HashValue).hasFieldTtls()) state.keys.add(e.key);
  }
  state.sweepAt = at;
}

// ---------------------------------------------------------------------------------------
// HSET, HMSET, HSETNX, HDEL

function setFields(ctx: CoreContext, argv: string[], okReply: boolean): Reply {
  // An odd number of words is Redis's arity error, with the command's own name.
  if (argv.length % 2 === 1) return errors.wrongArity(okReply ? 'hmset' : 'hset');
  const key = argv[1]!;
  const found = writeHash(ctx, key);
  if (found !== undefined && !(found instanceof HashValue)) return found;
  const h = found ?? new HashValue();
  h.prepareForPairs(argv, 2, argv.length - 1);
  let created = 0;
  for (let i = 2; i < argv.length; i += 2) if (h.set(argv[i]!, argv[i + 1]!)) created++;
  storeHash(ctx, key, h, found === undefined);
  ctx.ks.notify(ctx.db.id, 'hset', key);
  written(ctx, (argv.length - 2) / 2);
  return okReply ? OK : int(created);
}

/** Adds a new hash to the database, or marks an existing one as changed (WATCH). */
function storeHash(ctx: CoreContext, key: string, h: HashValue, isNew: boolean): void {
  if (isNew) ctx.db.add(key, 'hash', h);
  else ctx.db.touch(key);
}

function hsetnx(ctx: CoreContext, argv: string[]): Reply {
  const key = argv[1]!;
  const field = argv[2]!;
  const found = writeHash(ctx, key);
  if (found !== undefined && !(found instanceof HashValue)) return found;
  if (found !== undefined && found.has(field)) return ZERO;
  const h = found ?? new HashValue();
  h.prepareForPairs(argv, 2, 3);
  h.set(field, argv[3]!);
  storeHash(ctx, key, h, found === undefined);
  ctx.ks.notify(ctx.db.id, 'hset', key);
  written(ctx);
  return ONE;
}

function hdel(ctx: CoreContext, argv: string[]): Reply {
  const key = argv[1]!;
  const h = writeHash(ctx, key);
  if (h === undefined) return ZERO;
  if (!(h instanceof HashValue)) return h;
  let deleted = 0;
  let keyRemoved = false;
  for (let i = 2; i < argv.length; i++) {
    if (!h.delete(argv[i]!)) continue;
    deleted++;
    if (h.size === 0) {
      ctx.db.delete(key);
      keyRemoved = true;
      break;
    }
  }
  if (deleted > 0) {
    if (!keyRemoved) ctx.db.touch(key);
    ctx.ks.notify(ctx.db.id, 'hdel', key);
    if (keyRemoved) ctx.ks.notify(ctx.db.id, 'del', key);
    written(ctx, deleted);
  }
  return int(deleted);
}

// ---------------------------------------------------------------------------------------
// Reads

function valueOrNil(h: HashValue, field: string): Reply {
  const v = h.get(field);
  return v === undefined ? NIL : bulk(v);
}

/** HKEYS, HVALS, HGETALL: the whole hash in its order; HGETALL is a map (flat in RESP2). */
function allOf(ctx: CoreContext, key: string, fields: boolean, values: boolean): Reply {
  const both = fields && values;
  const h = readHash(ctx, key);
  if (h === undefined) return both ? EMPTY_MAP : EMPTY_ARRAY;
  if (!(h instanceof HashValue)) return h;
  const out: Reply[] = [];
  for (let i = 0; i < h.size; i++) {
    if (fields) out.push(bulk(h.fieldAt(i)));
    if (values) out.push(bulk(h.valueAt(i)));
  }
  return both ? map(out) : array(out);
}

// ---------------------------------------------------------------------------------------
// HINCRBY, HINCRBYFLOAT

function hincrby(ctx: CoreContext, argv: string[]): Reply {
  const key = argv[1]!;
  const field = argv[2]!;
  const increment = parseI64(argv[3]!);
  if (increment === null) return errors.notInteger();
  const found = writeHash(ctx, key);
  if (found !== undefined && !(found instanceof HashValue)) return found;
  const stored = found?.get(field);
  let current = 0n;
  if (stored !== undefined) {
    const parsed = parseI64(stored);
    if (parsed === null) return errors.hashValueNotInteger();
    current = parsed;
  }
  const result = current + increment;
  if (result > INT64_MAX || result < INT64_MIN) return errors.overflow();
  const h = found ?? new HashValue();
  h.set(field, result.toString(), true);
  storeHash(ctx, key, h, found === undefined);
  ctx.ks.notify(ctx.db.id, 'hincrby', key);
  written(ctx);
  return int(result >= MIN_SAFE && result <= MAX_SAFE ? Number(result) : result);
}

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);
const MIN_SAFE = -MAX_SAFE;

function hincrbyfloat(ctx: CoreContext, argv: string[]): Reply {
  const key = argv[1]!;
  const field = argv[2]!;
  const increment = argv[3]!;
  // Redis reads the increment before the key, and refuses an infinite one outright.
  const incr = parseLongDouble(increment);
  if (incr === null) return errors.notFloat();
  if (incr.kind === 'inf') return errors.incrementNanOrInfinity();
  const found = writeHash(ctx, key);
  if (found !== undefined && !(found instanceof HashValue)) return found;
  const stored = found?.get(field);
  if (stored !== undefined && parseLongDouble(stored) === null) return errors.hashValueNotFloat();
  const sum = incrByFloat(stored ?? null, increment);
  if ('error' in sum) return sum.error === 'nan-or-inf' ? errors.nanOrInfinity() : errors.hashValueNotFloat();
  const h = found ?? new HashValue();
  h.set(field, sum.ok, true);
  storeHash(ctx, key, h, found === undefined);
  ctx.ks.notify(ctx.db.id, 'hincrbyfloat', key);
  // Logged as HSET of the result, so float formatting never differs between replicas; HSET
  // clears a field TTL, which HINCRBYFLOAT kept, so the TTL follows as an absolute time.
  propagateAs(ctx, ['HSET', key, field, sum.ok]);
  const ttl = h.ttlOf(field);
  if (ttl !== 0) ctx.ks.emit(ctx.db.id, ['HPEXPIREAT', key, String(ttl), 'FIELDS', '1', field]);
  return bulk(sum.ok);
}

// ---------------------------------------------------------------------------------------
// HRANDFIELD (Redis's hrandfieldWithCountCommand cases, with the key space's seeded generator)

/** Above this ratio of hash size to count, picking at random beats copying and discarding. */
const HRANDFIELD_SUB_STRATEGY_MUL = 3;
/** LONG_MAX: the count must lie in -LONG_MAX..LONG_MAX; with WITHVALUES, half of that. */
const LONG_MAX = INT64_MAX;

function hrandfield(ctx: CoreContext, argv: string[]): Reply {
  if (argv.length === 2) {
    const h = readHash(ctx, argv[1]!);
    if (h === undefined) return NIL;
    if (!(h instanceof HashValue)) return h;
    return bulk(h.fieldAt(h.randomIndex(ctx.ks.rng)));
  }
  const count = parseI64(argv[2]!);
  if (count === null) return errors.notInteger();
  if (count < -LONG_MAX) return errors.setCountOutOfLongRange();
  if (argv.length > 4 || (argv.length === 4 && !isWord(argv[3]!, 'WITHVALUES'))) return errors.syntax();
  const withValues = argv.length === 4;
  if (withValues && (count < -LONG_MAX / 2n || count > LONG_MAX / 2n)) return errors.valueOutOfRange('value');
  const h = readHash(ctx, argv[1]!);
  if (h === undefined) return EMPTY_ARRAY;
  if (!(h instanceof HashValue)) return h;
  if (count === 0n) return EMPTY_ARRAY;
  const resp3 = ctx.client.resp === 3;
  if (count < 0n || count === 1n) {
    const picks = count < 0n ? -count : count;
    if (picks > BigInt(limits.randomPickReplyMax)) return errors.setRandomCountTooLarge(limits.randomPickReplyMax);
    const positions: number[] = [];
    for (let i = 0; i < Number(picks); i++) positions.push(h.randomIndex(ctx.ks.rng));
    return randomFieldsReply(h, positions, withValues, resp3);
  }
  const distinct = count < BigInt(h.size) ? Number(count) : h.size;
  return randomFieldsReply(h, distinctRandomPositions(h, distinct, ctx.ks.rng), withValues, resp3);
}

/** The distinct-fields cases: whole hash, listpack sampling, copy-and-discard, or picking. */
function distinctRandomPositions(h: HashValue, count: number, rng: Rng): number[] {
  const size = h.size;
  let positions: number[];
  if (count >= size) {
    // The whole hash, in its order.
    positions = Array.from({ length: size }, (_, i) => i);
  } else if (h.encoding !== 'hashtable') {
    // A compact hash: selection sampling, which keeps the listpack order (lpRandomPairsUnique).
    positions = [];
    let needed = count;
    for (let i = 0; i < size && needed > 0; i++) {
      if (rng.below(size - i) < needed) {
        positions.push(i);
        needed--;
      }
    }
  } else if (count * HRANDFIELD_SUB_STRATEGY_MUL > size) {
    // Most of the hash: copy every position, then discard random ones until count are left.
    positions = Array.from({ length: size }, (_, i) => i);
    while (positions.length > count) {
      const victim = rng.below(positions.length);
      positions[victim] = positions[positions.length - 1]!;
      positions.pop();
    }
  } else {
    // A small part of a big hash: pick at random, skipping repeats, in pick order.
    const seen = new Set<number>();
    positions = [];
    while (positions.length < count) {
      const i = h.randomIndex(rng);
      if (seen.has(i)) continue;
      seen.add(i);
      positions.push(i);
    }
  }
  return positions;
}

/** Fields (and values) at the given positions: RESP3 nests each pair, RESP2 flattens them. */
function randomFieldsReply(h: HashValue, positions: readonly number[], withValues: boolean, resp3: boolean): Reply {
  const out: Reply[] = [];
  for (const i of positions) {
    const field = bulk(h.fieldAt(i));
    if (!withValues) out.push(field);
    else if (resp3) out.push(array([field, bulk(h.valueAt(i))]));
    else out.push(field, bulk(h.valueAt(i)));
  }
  return array(out);
}

// ---------------------------------------------------------------------------------------
// HSCAN

function hscan(ctx: CoreContext, argv: string[]): Reply {
  const cursor = parseScanCursor(argv[2]!);
  if (cursor === null) return errors.invalidCursor();
  // Redis looks the key up before it reads the options: a missing key ignores bad options.
  const h = readHash(ctx, argv[1]!);
  if (h === undefined) return EMPTY_SCAN;
  if (!(h instanceof HashValue)) return h;
  const opts = parseScanOptions(argv, 3, true);
  if (!isScanOptions(opts)) return opts;
  const { pattern } = opts;
  const out: Reply[] = [];
  const next = h.scan(cursor, opts.count, (field, value) => {
    if (pattern !== null && !globMatch(pattern, field)) return;
    out.push(bulk(field));
    if (!opts.noValues) out.push(bulk(value));
  });
  return array([bulk(String(next)), array(out)]);
}

// ---------------------------------------------------------------------------------------
// Field expiry (Redis 7.4)

/** Redis keeps field expiry times below 2^48 and reserves two bits: 2^46 - 1 ms at most. */
const FIELD_EXPIRE_MAX_MS = 2n ** 46n - 1n;

type Condition = 'NX' | 'XX' | 'GT' | 'LT' | null;

/**
 * `FIELDS numfields field...` starting at argv[at]: the fields, or Redis's error. The write
 * commands and the read commands word the numfields error differently.
 */
function parseFieldsClause(argv: readonly string[], at: number, forWrite: boolean): string[] | Reply {
  if (!isWord(argv[at] ?? '', 'FIELDS')) return errors.fieldsArgumentMissing();
  const n = parseI64(argv[at + 1] ?? '');
  if (n === null || n < 1n) return forWrite ? errors.numFieldsNotPositive() : errors.numFieldsNotPositiveInteger();
  if (n !== BigInt(argv.length - at - 2)) return errors.numFieldsMismatch();
  return argv.slice(at + 2);
}

/** The absolute expiry time in ms of HEXPIRE & co, with Redis's checks in Redis's order. */
function parseFieldExpireTime(arg: string, seconds: boolean, base: bigint, command: string): bigint | Reply {
  let when = parseI64(arg);
  if (when === null) return errors.notInteger();
  if (when < 0n) return errors.expireTimeNegative();
  if (seconds) {
    if (when > FIELD_EXPIRE_MAX_MS / 1000n) return errors.invalidExpireTime(command);
    when *= 1000n;
  }
  if (when > FIELD_EXPIRE_MAX_MS - base) return errors.invalidExpireTime(command);
  return when + base;
}

function parseCondition(word: string): Condition {
  for (const c of ['NX', 'XX', 'GT', 'LT'] as const) if (isWord(word, c)) return c;
  return null;
}

/** Per-field reply codes of the HEXPIRE family. */
const NO_FIELD = MINUS_TWO;
const CONDITION_NOT_MET = ZERO;
const TTL_SET = ONE;
const FIELD_DELETED = int(2);

/** Whether NX/XX/GT/LT lets a new expiry time replace `current` (0 = no TTL, i.e. infinite). */
function conditionHolds(condition: Condition, current: number, when: number): boolean {
  switch (condition) {
    case 'NX':
      return current === 0;
    case 'XX':
      return current !== 0;
    case 'GT':
      return current !== 0 && when > current;
    case 'LT':
      return current === 0 || when < current;
    default:
      return true;
  }
}

function setFieldExpiry(ctx: CoreContext, argv: string[], command: string, relative: boolean, seconds: boolean): Reply {
  const key = argv[1]!;
  const e = hashEntry(ctx.db.lookupWrite(key));
  if (e !== undefined && !isEntry(e)) return e;
  const now = ctx.ks.now;
  const parsedWhen = parseFieldExpireTime(argv[2]!, seconds, relative ? BigInt(now) : 0n, command);
  if (typeof parsedWhen !== 'bigint') return parsedWhen;
  const when = Number(parsedWhen);
  const condition = parseCondition(argv[3]!);
  const fields = parseFieldsClause(argv, condition === null ? 3 : 4, true);
  if (!Array.isArray(fields)) return fields;
  const h = e === undefined ? undefined : liveHash(ctx.ks, ctx.db, e);
  if (h === undefined) return array(fields.map(() => NO_FIELD));

  const codes: Reply[] = [];
  const updated: string[] = [];
  let deleted = 0;
  for (const field of fields) {
    if (!h.has(field)) {
      codes.push(NO_FIELD);
    } else if (!conditionHolds(condition, h.ttlOf(field), when)) {
      codes.push(CONDITION_NOT_MET);
    } else if (when <= now) {
      // A time already past deletes the field; the log carries the deletion, not the time.
      h.delete(field);
      deleted++;
      propagateAs(ctx, ['HDEL', key, field]);
      codes.push(FIELD_DELETED);
    } else {
      h.setTtl(field, when);
      updated.push(field);
      codes.push(TTL_SET);
    }
  }
  if (deleted + updated.length > 0) {
    ctx.ks.notify(ctx.db.id, deleted > 0 ? 'hdel' : 'hexpire', key);
    if (h.size === 0) {
      ctx.db.delete(key);
      ctx.ks.notify(ctx.db.id, 'del', key);
    } else {
      ctx.db.touch(key);
    }
  }
  if (updated.length > 0) {
    trackVolatileHash(ctx.db, key);
    // One unconditional HPEXPIREAT with the absolute time and only the fields whose TTL was set:
    // the conditions were decided here, and a replay at another time lands on the same instant.
    propagateAs(ctx, ['HPEXPIREAT', key, String(when), 'FIELDS', String(updated.length), ...updated], updated.length);
  }
  return array(codes);
}

function fieldTimeToLive(ctx: CoreContext, argv: string[], milliseconds: boolean, absolute: boolean): Reply {
  const e = hashEntry(ctx.db.lookupRead(argv[1]!));
  if (e !== undefined && !isEntry(e)) return e;
  const fields = parseFieldsClause(argv, 2, false);
  if (!Array.isArray(fields)) return fields;
  const h = e === undefined ? undefined : liveHash(ctx.ks, ctx.db, e);
  const now = ctx.ks.now;
  return array(
    fields.map((field) => {
      if (h === undefined || !h.has(field)) return MINUS_TWO;
      const at = h.ttlOf(field);
      if (at === 0) return MINUS_ONE;
      const t = absolute ? at : at - now;
      // Seconds round up, as Redis's (expire + 999 - base) / 1000.
      return int(milliseconds ? t : Math.floor((t + 999) / 1000));
    }),
  );
}

function hpersist(ctx: CoreContext, argv: string[]): Reply {
  const key = argv[1]!;
  const e = hashEntry(ctx.db.lookupWrite(key));
  if (e !== undefined && !isEntry(e)) return e;
  const fields = parseFieldsClause(argv, 2, false);
  if (!Array.isArray(fields)) return fields;
  const h = e === undefined ? undefined : liveHash(ctx.ks, ctx.db, e);
  let changed = false;
  const codes = fields.map((field) => {
    if (h === undefined || !h.has(field)) return MINUS_TWO;
    if (!h.clearTtl(field)) return MINUS_ONE;
    changed = true;
    return ONE;
  });
  if (changed) {
    ctx.ks.notify(ctx.db.id, 'hpersist', key);
    ctx.db.touch(key);
    written(ctx);
  }
  return array(codes);
}
