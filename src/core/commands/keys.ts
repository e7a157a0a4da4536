// Generic key commands: DEL, UNLINK, EXISTS, TYPE, RENAME, RENAMENX, COPY, MOVE, KEYS, SCAN,
// RANDOMKEY, TOUCH, DUMP, RESTORE and OBJECT. They work on any value type; whatever depends
// on the type (copying, serializing, encodings) goes through src/core/dump.ts or one switch here.
import { lfuDecayed } from '../lfu.js';
import { assert } from '../assert.js';
import { cloneValue, dumpValue, restoreValue } from '../dump.js';
import { TYPE_OPS } from '../types/registry.js';
import * as errors from '../errors.js';
import { globMatch } from '../glob.js';
import type { Database, Entry } from '../keyspace.js';
import { limits } from '../limits.js';
import { parseI64, parseInteger, parseSmallInt } from '../numbers.js';
import { array, bulk, int, NIL, OK, ONE, simple, ZERO, type Reply } from '../reply.js';
import { isWord, propagateAs, written, type CommandSpec, type CoreContext } from './spec.js';

const generic = { group: 'generic', acl: ['keyspace'] } as const;

export const keyCommands: CommandSpec[] = [
  {
    ...generic, name: 'del', arity: -2, flags: ['write'], keys: { first: 1, last: -1, step: 1 }, since: '1.0.0',
    summary: 'Removes one or more keys and says how many existed.',
    complexity: 'O(N) in the number of keys, plus the size of each removed value',
    syntax: 'DEL key [key ...]',
    handler: deleteKeys,
  },
  {
    ...generic, name: 'unlink', arity: -2, flags: ['write', 'fast'], keys: { first: 1, last: -1, step: 1 }, since: '4.0.0',
    summary: 'Removes one or more keys; Redis frees large values in the background, Cairn answers the same way.',
    complexity: 'O(1) per key',
    syntax: 'UNLINK key [key ...]',
    handler: deleteKeys,
  },
  {
    ...generic, name: 'exists', arity: -2, flags: ['readonly', 'fast'], keys: { first: 1, last: -1, step: 1 }, since: '1.0.0',
    summary: 'Counts how many of the named keys exist; a key named twice counts twice.',
    complexity: 'O(N) in the number of keys',
    syntax: 'EXISTS key [key ...]',
    handler: (ctx, argv) => {
      let found = 0;
      for (let i = 1; i < argv.length; i++) if (lookupNoTouch(ctx, argv[i]!) !== undefined) found++;
      return int(found);
    },
  },
  {
    ...generic, name: 'type', arity: 2, flags: ['readonly', 'fast'], keys: { first: 1, last: 1, step: 1 }, since: '1.0.0',
    summary: 'Names the type of the value at a key, or none.',
    complexity: 'O(1)',
    syntax: 'TYPE key',
    handler: (ctx, argv) => {
      const e = lookupNoTouch(ctx, argv[1]!);
      return e === undefined ? NONE : simple(e.type);
    },
  },
  {
    ...generic, name: 'rename', arity: 3, flags: ['write'], keys: { first: 1, last: 2, step: 1 }, since: '1.0.0',
    summary: 'Gives a key a new name, replacing any key already there; the TTL moves with it.',
    complexity: 'O(1), plus freeing the replaced value',
    syntax: 'RENAME key newkey',
    handler: (ctx, argv) => rename(ctx, argv[1]!, argv[2]!, false),
  },
  {
    ...generic, name: 'renamenx', arity: 3, flags: ['write', 'fast'], keys: { first: 1, last: 2, step: 1 }, since: '1.0.0',
    summary: 'Gives a key a new name only when no key has that name yet.',
    complexity: 'O(1)',
    syntax: 'RENAMENX key newkey',
    handler: (ctx, argv) => rename(ctx, argv[1]!, argv[2]!, true),
  },
  {
    ...generic, name: 'copy', arity: -3, flags: ['write', 'denyoom'], keys: { first: 1, last: 2, step: 1 }, since: '6.2.0',
    summary: 'Copies the value of a key, with its TTL, to another key, possibly in another database.',
    complexity: 'O(N) in the size of the copied value',
    syntax: 'COPY source destination [DB destination-db] [REPLACE]',
    handler: copy,
  },
  {
    ...generic, name: 'move', arity: 3, flags: ['write', 'fast'], keys: { first: 1, last: 1, step: 1 }, since: '1.0.0',
    summary: 'Moves a key to another database unless the key exists there already.',
    complexity: 'O(1)',
    syntax: 'MOVE key db',
    handler: move,
  },
  {
    group: 'generic', acl: ['keyspace', 'dangerous'], name: 'keys', arity: 2, flags: ['readonly'], since: '1.0.0',
    summary: 'Lists every key that matches a glob-style pattern, in one reply.',
    complexity: 'O(N) in the number of keys in the database',
    syntax: 'KEYS pattern',
    handler: (ctx, argv) => {
      const pattern = argv[1]!;
      const everything = pattern === '*';
      const now = ctx.ks.now;
      const out: Reply[] = [];
      // KEYS does not delete expired keys on its way (Redis neither): it only skips them.
      for (const e of ctx.db.dense) {
        if (e.expiresAt !== 0 && e.expiresAt <= now) continue;
        if (everything || globMatch(pattern, e.key)) out.push(bulk(e.key));
      }
      return array(out);
    },
  },
  {
    ...generic, name: 'scan', arity: -2, flags: ['readonly'], since: '2.8.0',
    summary: 'Iterates over the keys a few at a time with a cursor, optionally filtered by pattern and type.',
    complexity: 'O(1) per call, O(N) for a complete iteration',
    syntax: 'SCAN cursor [MATCH pattern] [COUNT count] [TYPE type]',
    handler: scan,
  },
  {
    ...generic, name: 'randomkey', arity: 1, flags: ['readonly'], since: '1.0.0',
    summary: 'Returns a key picked at random, or nil when the database is empty.',
    complexity: 'O(1)',
    syntax: 'RANDOMKEY',
    handler: (ctx) => {
      const e = ctx.db.randomEntry();
      return e === undefined ? NIL : bulk(e.key);
    },
  },
  {
    ...generic, name: 'touch', arity: -2, flags: ['readonly', 'fast'], keys: { first: 1, last: -1, step: 1 }, since: '3.2.1',
    summary: 'Marks keys as just accessed and counts how many exist.',
    complexity: 'O(N) in the number of keys',
    syntax: 'TOUCH key [key ...]',
    handler: (ctx, argv) => {
      let found = 0;
      for (let i = 1; i < argv.length; i++) if (ctx.db.lookupRead(argv[i]!) !== undefined) found++;
      return int(found);
    },
  },
  {
    ...generic, name: 'dump', arity: 2, flags: ['readonly'], keys: { first: 1, last: 1, step: 1 }, since: '2.6.0',
    summary: 'Serializes the value at a key into a checksummed payload that RESTORE accepts.',
    complexity: 'O(1) to find the key, O(N*M) to serialize N elements of M bytes',
    syntax: 'DUMP key',
    handler: (ctx, argv) => {
      const e = ctx.db.lookupRead(argv[1]!);
      return e === undefined ? NIL : bulk(dumpValue(e.type, e.value));
    },
  },
  {
    group: 'generic', acl: ['keyspace', 'dangerous'], name: 'restore', arity: -4, flags: ['write', 'denyoom'],
    keys: { first: 1, last: 1, step: 1 }, since: '2.6.0',
    summary: 'Creates a key from a DUMP payload, with an optional TTL, idle time or access frequency.',
    complexity: 'O(1) to create the key, O(N*M) to deserialize N elements of M bytes',
    syntax: 'RESTORE key ttl serialized-value [REPLACE] [ABSTTL] [IDLETIME seconds] [FREQ frequency]',
    handler: restore,
  },
  {
    group: 'generic', acl: [], name: 'object', arity: -2, flags: [], since: '2.2.3',
    summary: 'Inspects the internal state of the value at a key.',
    complexity: 'Depends on the subcommand',
    syntax: 'OBJECT <ENCODING | FREQ | IDLETIME | REFCOUNT | HELP> ...',
    subcommands: [
      {
        ...generic, name: 'encoding', arity: 3, flags: ['readonly'], keys: { first: 2, last: 2, step: 1 }, since: '2.2.3',
        summary: 'Names the internal representation of the value at a key.',
        complexity: 'O(1)',
        syntax: 'OBJECT ENCODING key',
        handler: (ctx, argv) => {
          const e = lookupNoTouch(ctx, argv[2]!);
          return e === undefined ? NIL : bulk(encodingOf(e));
        },
      },
      {
        ...generic, name: 'freq', arity: 3, flags: ['readonly'], keys: { first: 2, last: 2, step: 1 }, since: '4.0.0',
        summary: 'Returns the logarithmic access frequency of a key (needs an LFU maxmemory policy).',
        complexity: 'O(1)',
        syntax: 'OBJECT FREQ key',
        // The counter as it stands after decay, without counting this look as an access.
        handler: (ctx, argv) => {
          const e = lookupNoTouch(ctx, argv[2]!);
          if (e === undefined) return NIL;
          if (!ctx.ks.lfu.enabled) return errors.lfuNotSelected();
          return int(lfuDecayed(e.freq, e.accessedAt, ctx.ks.now, ctx.ks.lfu.decayMinutes));
        },
      },
      {
        ...generic, name: 'idletime', arity: 3, flags: ['readonly'], keys: { first: 2, last: 2, step: 1 }, since: '2.2.3',
        summary: 'Returns the seconds since a key was last read or written.',
        complexity: 'O(1)',
        syntax: 'OBJECT IDLETIME key',
        handler: (ctx, argv) => {
          const e = lookupNoTouch(ctx, argv[2]!);
          if (e === undefined) return NIL;
          if (ctx.ks.lfu.enabled) return errors.lfuSelectedNoIdleTime();
          return int(Math.max(0, Math.floor((ctx.ks.now - e.accessedAt) / 1000)));
        },
      },
      {
        ...generic, name: 'refcount', arity: 3, flags: ['readonly'], keys: { first: 2, last: 2, step: 1 }, since: '2.2.3',
        summary: 'Returns how many references the value at a key has (shared small integers report INT_MAX).',
        complexity: 'O(1)',
        syntax: 'OBJECT REFCOUNT key',
        handler: (ctx, argv) => {
          const e = lookupNoTouch(ctx, argv[2]!);
          if (e === undefined) return NIL;
          return isSharedInteger(e) ? SHARED_REFCOUNT : ONE;
        },
      },
      {
        ...generic, name: 'help', arity: 2, flags: ['loading', 'stale'], since: '6.2.0',
        summary: 'Lists the OBJECT subcommands.',
        complexity: 'O(1)',
        syntax: 'OBJECT HELP',
        handler: () => OBJECT_HELP,
      },
    ],
  },
];

const NONE = simple('none');

/**
 * A read that counts a hit or a miss but leaves the access time alone (Redis LOOKUP_NOTOUCH):
 * EXISTS, TYPE, TTL and OBJECT must not make a key look recently used.
 */
export function lookupNoTouch(ctx: CoreContext, key: string): Entry | undefined {
  const e = ctx.db.get(key);
  if (e === undefined) {
    ctx.ks.stats.keyspaceMisses++;
    ctx.ks.notify(ctx.db.id, 'keymiss', key);
  } else {
    ctx.ks.stats.keyspaceHits++;
  }
  return e;
}

/**
 * A database index or other int argument, as Redis's getIntFromObjectOrReply: not an integer
 * -> the generic integer error; outside int32 -> Redis 7.0's range error.
 */
export function parseIntArgument(arg: string): number | Reply {
  const n = parseInteger(arg);
  if (n === null) return errors.notInteger();
  if (n < INT32_MIN || n > INT32_MAX) return errors.intOutOfRange();
  return n;
}

const INT32_MIN = -2147483648;
const INT32_MAX = 2147483647;

/** The database an index argument names: an int argument within 0..databases-1. */
function databaseArgument(ctx: CoreContext, arg: string): Database | Reply {
  const index = parseIntArgument(arg);
  if (typeof index !== 'number') return index;
  if (index < 0 || index >= ctx.ks.dbs.length) return errors.dbIndexOutOfRange();
  return ctx.ks.db(index);
}

function isDatabase(x: Database | Reply): x is Database {
  return 'dense' in x;
}

// DEL and UNLINK: a key that has expired is already gone and does not count.
function deleteKeys(ctx: CoreContext, argv: string[]): Reply {
  let deleted = 0;
  for (let i = 1; i < argv.length; i++) {
    const key = argv[i]!;
    if (ctx.db.get(key) === undefined) continue;
    ctx.db.delete(key);
    ctx.ks.notify(ctx.db.id, 'del', key);
    deleted++;
  }
  if (deleted > 0) written(ctx, deleted);
  return int(deleted);
}

/**
 * Stores a value that lives on under another name or in another database (RENAME, MOVE):
 * same value, TTL, encoding flag and access counters.
 */
function transplant(from: Entry, to: Database, key: string): void {
  const e = to.add(key, from.type, from.value);
  e.rawEncoding = from.rawEncoding;
  e.neverIntEncoded = from.neverIntEncoded;
  e.freq = from.freq;
  if (from.expiresAt !== 0) to.setExpire(e, from.expiresAt);
}

function rename(ctx: CoreContext, from: string, to: string, onlyIfAbsent: boolean): Reply {
  const source = ctx.db.lookupWrite(from);
  if (source === undefined) return errors.noSuchKey();
  // Renaming a key to itself changes nothing (and is not logged), as in Redis.
  if (from === to) return onlyIfAbsent ? ZERO : OK;
  if (ctx.db.lookupWrite(to) !== undefined) {
    if (onlyIfAbsent) return ZERO;
    ctx.db.delete(to);
  }
  transplant(source, ctx.db, to);
  ctx.db.delete(from);
  ctx.ks.notify(ctx.db.id, 'rename_from', from);
  ctx.ks.notify(ctx.db.id, 'rename_to', to);
  written(ctx);
  return onlyIfAbsent ? ONE : OK;
}

function copy(ctx: CoreContext, argv: string[]): Reply {
  const from = argv[1]!;
  const to = argv[2]!;
  let target = ctx.db;
  let replace = false;
  for (let i = 3; i < argv.length; i++) {
    const more = argv.length - i - 1;
    if (isWord(argv[i]!, 'REPLACE')) {
      replace = true;
    } else if (isWord(argv[i]!, 'DB') && more >= 1) {
      const db = databaseArgument(ctx, argv[++i]!);
      if (!isDatabase(db)) return db;
      target = db;
    } else {
      return errors.syntax();
    }
  }
  if (ctx.ks.singleDatabase && (ctx.db.id !== 0 || target.id !== 0)) return errors.copyAcrossDatabasesInClusterMode();
  if (target === ctx.db && from === to) return errors.sameObject();
  const source = ctx.db.lookupRead(from);
  if (source === undefined) return ZERO;
  const existing = target.lookupWrite(to);
  if (existing !== undefined && !replace) return ZERO;
  const value = cloneValue(source.type, source.value);
  if (existing !== undefined) target.delete(to);
  // A copy is a new object: fresh access counters, but the same encoding and TTL.
  const e = target.add(to, source.type, value);
  e.rawEncoding = source.rawEncoding;
  e.neverIntEncoded = source.neverIntEncoded;
  if (source.expiresAt !== 0) target.setExpire(e, source.expiresAt);
  ctx.ks.notify(target.id, 'copy_to', to);
  written(ctx);
  return ONE;
}

function move(ctx: CoreContext, argv: string[]): Reply {
  if (ctx.ks.singleDatabase) return errors.notInClusterMode('MOVE');
  const key = argv[1]!;
  const target = databaseArgument(ctx, argv[2]!);
  if (!isDatabase(target)) return target;
  if (target === ctx.db) return errors.sameObject();
  const source = ctx.db.lookupWrite(key);
  if (source === undefined) return ZERO;
  if (target.lookupWrite(key) !== undefined) return ZERO;
  transplant(source, target, key);
  ctx.db.delete(key);
  ctx.ks.notify(ctx.db.id, 'move_from', key);
  ctx.ks.notify(target.id, 'move_to', key);
  written(ctx);
  return ONE;
}

function scan(ctx: CoreContext, argv: string[]): Reply {
  const cursor = parseScanCursor(argv[1]!);
  if (cursor === null) return errors.invalidCursor();
  let count = 10;
  let pattern: string | null = null;
  let typeName: string | null = null;
  for (let i = 2; i < argv.length; i++) {
    const more = argv.length - i - 1;
    const option = argv[i]!;
    if (isWord(option, 'COUNT') && more >= 1) {
      const n = parseInteger(argv[++i]!);
      if (n === null) return errors.notInteger();
      if (n < 1) return errors.syntax();
      count = n;
    } else if (isWord(option, 'MATCH') && more >= 1) {
      const p = argv[++i]!;
      pattern = p === '*' ? null : p;
    } else if (isWord(option, 'TYPE') && more >= 1) {
      typeName = argv[++i]!.toLowerCase();
    } else {
      return errors.syntax();
    }
  }
  const keys: Reply[] = [];
  // Expired keys in the range are deleted by Database.scan and never seen here.
  const next = ctx.db.scan(cursor, Math.min(count, limits.scanCountMax), (e) => {
    if (pattern !== null && !globMatch(pattern, e.key)) return;
    if (typeName !== null && e.type !== typeName) return; // an unknown type matches nothing, as in 7.0
    keys.push(bulk(e.key));
  });
  return array([bulk(String(next)), array(keys)]);
}

/**
 * A SCAN cursor as Redis reads it (strtoul, base 10): no leading space, an optional sign (a
 * negative cursor wraps modulo 2^64), digits to the end; the empty string is cursor 0.
 * Returns null for an invalid cursor. Values past 2^53 lose precision, which is harmless:
 * every cursor beyond the key count means "from the top".
 */
export function parseScanCursor(s: string): number | null {
  if (s.length === 0) return 0;
  if (isCSpace(s.charCodeAt(0))) return null;
  let i = 0;
  let negative = false;
  if (s[0] === '+' || s[0] === '-') {
    negative = s[0] === '-';
    i = 1;
  }
  if (i === s.length) return null;
  for (let j = i; j < s.length; j++) {
    const c = s.charCodeAt(j);
    if (c < 48 || c > 57) return null;
  }
  const magnitude = BigInt(s.slice(i));
  if (magnitude > UINT64_MAX) return null; // ERANGE
  const value = negative && magnitude !== 0n ? (UINT64_MAX + 1n - magnitude) : magnitude;
  return Number(value);
}

const UINT64_MAX = 2n ** 64n - 1n;

function isCSpace(c: number): boolean {
  return c === 32 || (c >= 9 && c <= 13);
}

function restore(ctx: CoreContext, argv: string[]): Reply {
  const key = argv[1]!;
  let replace = false;
  let absoluteTtl = false;
  let idleSeconds: bigint | null = null;
  let freq: bigint | null = null;
  for (let i = 4; i < argv.length; i++) {
    const more = argv.length - i - 1;
    const option = argv[i]!;
    if (isWord(option, 'REPLACE')) {
      replace = true;
    } else if (isWord(option, 'ABSTTL')) {
      absoluteTtl = true;
    } else if (isWord(option, 'IDLETIME') && more >= 1 && freq === null) {
      idleSeconds = parseI64(argv[++i]!);
      if (idleSeconds === null) return errors.notInteger();
      if (idleSeconds < 0n) return errors.invalidIdleTime();
    } else if (isWord(option, 'FREQ') && more >= 1 && idleSeconds === null) {
      freq = parseI64(argv[++i]!);
      if (freq === null) return errors.notInteger();
      if (freq < 0n || freq > 255n) return errors.invalidFreq();
    } else {
      return errors.syntax();
    }
  }
  if (!replace && ctx.db.lookupWrite(key) !== undefined) return errors.busyKey();
  const ttl = parseI64(argv[2]!);
  if (ttl === null) return errors.notInteger();
  if (ttl < 0n) return errors.invalidTtl();
  const restored = restoreValue(argv[3]!);
  if (!restored.ok) return restored.reason === 'checksum' ? errors.dumpPayloadInvalid() : errors.badRestorePayload();

  const deleted = replace && ctx.db.delete(key);
  const now = BigInt(ctx.ks.now);
  // A relative TTL becomes absolute; past int64 it wraps negative, i.e. already expired, as in C.
  const expiresAt = ttl !== 0n && !absoluteTtl ? BigInt.asIntN(64, ttl + now) : ttl;
  if (ttl !== 0n && expiresAt <= now) {
    // Restored already expired: nothing is created; a replaced key is simply gone.
    if (deleted) {
      ctx.ks.notify(ctx.db.id, 'del', key);
      propagateAs(ctx, ['DEL', key]);
    }
    return OK;
  }
  const e = ctx.db.add(key, restored.type, restored.value);
  if (ttl !== 0n) ctx.db.setExpire(e, Number(expiresAt));
  // As Redis's objectSetLRUOrLFU: FREQ applies under an LFU policy, IDLETIME under the others.
  if (idleSeconds !== null && !ctx.ks.lfu.enabled) {
    const idle = Math.min(Number(idleSeconds), limits.restoreIdleSecondsMax);
    e.accessedAt = ctx.ks.now - idle * 1000;
  }
  if (freq !== null && ctx.ks.lfu.enabled) e.freq = Number(freq);
  ctx.ks.notify(ctx.db.id, 'restore', key);
  if (ttl !== 0n && !absoluteTtl) {
    // Replicas and the log get the absolute expiry time, so a replay lands on the same instant.
    const rewritten = [...argv];
    rewritten[2] = expiresAt.toString();
    rewritten.push('ABSTTL');
    propagateAs(ctx, rewritten);
  } else {
    written(ctx);
  }
  return OK;
}

/** Redis shares the integers 0..9999 (OBJ_SHARED_INTEGERS) between all keys. */
const SHARED_INTEGERS = 10000;
const SHARED_REFCOUNT = int(2147483647);

/** The encoding OBJECT ENCODING reports, as the value's type module declares it. */
function encodingOf(e: Entry): string {
  const ops = TYPE_OPS[e.type];
  assert(ops !== undefined, `OBJECT ENCODING: type ${e.type} has no type module`);
  return ops.encodingOf(e);
}

function isSharedInteger(e: Entry): boolean {
  if (e.type !== 'string' || e.rawEncoding || e.neverIntEncoded) return false;
  const n = parseSmallInt(e.value as string);
  return typeof n === 'number' && n >= 0 && n < SHARED_INTEGERS;
}

const OBJECT_HELP = array(
  [
    'OBJECT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:',
    'ENCODING <key>',
    '    Return the kind of internal representation used in order to store the value',
    '    associated with a <key>.',
    'FREQ <key>',
    '    Return the access frequency index of the <key>. The returned integer is',
    '    proportional to the logarithm of the recent access frequency of the key.',
    'IDLETIME <key>',
    '    Return the idle time of the <key>, that is the approximated number of',
    '    seconds elapsed since the last access to the key.',
    'REFCOUNT <key>',
    '    Return the number of references of the value associated with the specified',
    '    <key>.',
    'HELP',
    '    Prints this help.',
  ].map(simple),
);
