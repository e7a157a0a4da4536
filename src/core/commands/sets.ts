// Set commands (Redis 7.0 t_set.c): membership, random picks and pops, moves, the algebra
// (SINTER/SUNION/SDIFF, their STORE forms and SINTERCARD) and SSCAN. The structure and its two
// encodings live in src/core/types/set.ts.
//
// Effects: SPOP picks at random, so it is logged as SREM of the members it popped, in the order
// it removed them (a replica then ends with the same hashtable layout), or as DEL when it took
// the whole set, exactly as Redis 7.0 propagates it. Every other write is deterministic and is
// logged as sent. An empty set never stays in the key space.
import * as errors from '../errors.js';
import { globMatch } from '../glob.js';
import type { Entry } from '../keyspace.js';
import { limits } from '../limits.js';
import { INT64_MIN, parseI64 } from '../numbers.js';
import { array, bulk, bulks, EMPTY_ARRAY, int, NIL, ONE, set as setReply, ZERO, type Reply } from '../reply.js';
import { intsetMember, SetValue } from '../types/set.js';
import { parseScanCursor } from './keys.js';
import { EMPTY_SCAN, isScanOptions, parseScanOptions } from './scan-options.js';
import { isWord, propagateAs, written, type CommandSpec, type CoreContext } from './spec.js';

const setGroup = { group: 'set', acl: ['set'] } as const;
const oneKey = { first: 1, last: 1, step: 1 } as const;
const allKeys = { first: 1, last: -1, step: 1 } as const;

export const setCommands: CommandSpec[] = [
  {
    ...setGroup, name: 'sadd', arity: -3, flags: ['write', 'denyoom', 'fast'], keys: oneKey, since: '1.0.0',
    summary: 'Adds members to a set, creating it when needed, and says how many were new.',
    complexity: 'O(1) per member added',
    syntax: 'SADD key member [member ...]',
    handler: sadd,
  },
  {
    ...setGroup, name: 'srem', arity: -3, flags: ['write', 'fast'], keys: oneKey, since: '1.0.0',
    summary: 'Removes members from a set and says how many were there; an emptied set is deleted.',
    complexity: 'O(1) per member removed',
    syntax: 'SREM key member [member ...]',
    handler: srem,
  },
  {
    ...setGroup, name: 'smembers', arity: 2, flags: ['readonly'], keys: oneKey, since: '1.0.0',
    summary: 'Returns every member of a set.',
    complexity: 'O(N) in the size of the set',
    syntax: 'SMEMBERS key',
    handler: (ctx, argv) => {
      const found = readSet(ctx, argv[1]!);
      if (found === undefined) return EMPTY_SET;
      if (!(found instanceof SetValue)) return found;
      return setOfMembers(found.members());
    },
  },
  {
    ...setGroup, name: 'sismember', arity: 3, flags: ['readonly', 'fast'], keys: oneKey, since: '1.0.0',
    summary: 'Says whether a value is a member of a set.',
    complexity: 'O(1)',
    syntax: 'SISMEMBER key member',
    handler: (ctx, argv) => {
      const found = readSet(ctx, argv[1]!);
      if (found === undefined) return ZERO;
      if (!(found instanceof SetValue)) return found;
      return found.has(argv[2]!) ? ONE : ZERO;
    },
  },
  {
    ...setGroup, name: 'smismember', arity: -3, flags: ['readonly', 'fast'], keys: oneKey, since: '6.2.0',
    summary: 'Says, for each value given, whether it is a member of a set (1 or 0).',
    complexity: 'O(N) in the number of values asked about',
    syntax: 'SMISMEMBER key member [member ...]',
    handler: (ctx, argv) => {
      // A missing key is an empty set: every answer is 0.
      const found = readSet(ctx, argv[1]!);
      if (found !== undefined && !(found instanceof SetValue)) return found;
      const answers: Reply[] = [];
      for (let i = 2; i < argv.length; i++) answers.push(found?.has(argv[i]!) === true ? ONE : ZERO);
      return array(answers);
    },
  },
  {
    ...setGroup, name: 'scard', arity: 2, flags: ['readonly', 'fast'], keys: oneKey, since: '1.0.0',
    summary: 'Returns the number of members of a set (0 when the key does not exist).',
    complexity: 'O(1)',
    syntax: 'SCARD key',
    handler: (ctx, argv) => {
      const found = readSet(ctx, argv[1]!);
      if (found === undefined) return ZERO;
      if (!(found instanceof SetValue)) return found;
      return int(found.size);
    },
  },
  {
    ...setGroup, name: 'spop', arity: -2, flags: ['write', 'fast'], keys: oneKey, since: '1.0.0',
    summary: 'Removes and returns one random member of a set, or several distinct ones with a count.',
    complexity: 'O(1) without a count, O(N) in the count with one',
    syntax: 'SPOP key [count]',
    handler: spop,
  },
  {
    ...setGroup, name: 'srandmember', arity: -2, flags: ['readonly'], keys: oneKey, since: '1.0.0',
    summary: 'Returns random members of a set without removing them: distinct ones for a positive count, possibly repeated ones for a negative count.',
    complexity: 'O(1) without a count, O(N) in the absolute count with one',
    syntax: 'SRANDMEMBER key [count]',
    handler: srandmember,
  },
  {
    ...setGroup, name: 'smove', arity: 4, flags: ['write', 'fast'], keys: { first: 1, last: 2, step: 1 }, since: '1.0.0',
    summary: 'Moves a member from one set to another, creating the destination when needed.',
    complexity: 'O(1)',
    syntax: 'SMOVE source destination member',
    handler: smove,
  },
  {
    ...setGroup, name: 'sinter', arity: -2, flags: ['readonly'], keys: allKeys, since: '1.0.0',
    summary: 'Returns the members common to all the given sets; a missing key is an empty set.',
    complexity: 'O(N*M): N the size of the smallest set, M the number of sets',
    syntax: 'SINTER key [key ...]',
    handler: (ctx, argv) => {
      const sets = readSets(ctx, argv.slice(1));
      if (!Array.isArray(sets)) return sets;
      const common: string[] = [];
      if (!sets.includes(null)) intersect(sets as SetValue[], 0, (m) => common.push(m));
      return setOfMembers(common);
    },
  },
  {
    ...setGroup, name: 'sintercard', arity: -3, flags: ['readonly'], movableKeys: sintercardKeys, since: '7.0.0',
    summary: 'Counts the members common to the given sets, stopping early at an optional limit.',
    complexity: 'O(N*M): N the size of the smallest set, M the number of sets',
    syntax: 'SINTERCARD numkeys key [key ...] [LIMIT limit]',
    handler: sintercard,
  },
  {
    ...setGroup, name: 'sunion', arity: -2, flags: ['readonly'], keys: allKeys, since: '1.0.0',
    summary: 'Returns the members of all the given sets together.',
    complexity: 'O(N) in the total number of members of the given sets',
    syntax: 'SUNION key [key ...]',
    handler: (ctx, argv) => {
      const sets = readSets(ctx, argv.slice(1));
      if (!Array.isArray(sets)) return sets;
      return setOfMembers(union(sets).members());
    },
  },
  {
    ...setGroup, name: 'sdiff', arity: -2, flags: ['readonly'], keys: allKeys, since: '1.0.0',
    summary: 'Returns the members of the first set that are in none of the following sets.',
    complexity: 'O(N) in the total number of members of the given sets',
    syntax: 'SDIFF key [key ...]',
    handler: (ctx, argv) => {
      const sets = readSets(ctx, argv.slice(1));
      if (!Array.isArray(sets)) return sets;
      return setOfMembers(difference(sets).members());
    },
  },
  {
    ...setGroup, name: 'sinterstore', arity: -3, flags: ['write', 'denyoom'], keys: allKeys, since: '1.0.0',
    summary: 'Stores the intersection of the given sets at the destination key and returns its size.',
    complexity: 'O(N*M): N the size of the smallest set, M the number of sets',
    syntax: 'SINTERSTORE destination key [key ...]',
    handler: (ctx, argv) => {
      const sets = readSets(ctx, argv.slice(2));
      if (!Array.isArray(sets)) return sets;
      const result = SetValue.emptyIntset();
      if (!sets.includes(null)) intersect(sets as SetValue[], 0, (m) => result.add(m));
      return storeResult(ctx, argv[1]!, result, 'sinterstore');
    },
  },
  {
    ...setGroup, name: 'sunionstore', arity: -3, flags: ['write', 'denyoom'], keys: allKeys, since: '1.0.0',
    summary: 'Stores the union of the given sets at the destination key and returns its size.',
    complexity: 'O(N) in the total number of members of the given sets',
    syntax: 'SUNIONSTORE destination key [key ...]',
    handler: (ctx, argv) => {
      const sets = readSets(ctx, argv.slice(2));
      if (!Array.isArray(sets)) return sets;
      return storeResult(ctx, argv[1]!, union(sets), 'sunionstore');
    },
  },
  {
    ...setGroup, name: 'sdiffstore', arity: -3, flags: ['write', 'denyoom'], keys: allKeys, since: '1.0.0',
    summary: 'Stores the difference of the first set and the following ones at the destination key and returns its size.',
    complexity: 'O(N) in the total number of members of the given sets',
    syntax: 'SDIFFSTORE destination key [key ...]',
    handler: (ctx, argv) => {
      const sets = readSets(ctx, argv.slice(2));
      if (!Array.isArray(sets)) return sets;
      return storeResult(ctx, argv[1]!, difference(sets), 'sdiffstore');
    },
  },
  {
    ...setGroup, name: 'sscan', arity: -3, flags: ['readonly'], keys: oneKey, since: '2.8.0',
    summary: 'Iterates over the members of a set a few at a time with a cursor, optionally filtered by pattern.',
    complexity: 'O(1) per call, O(N) for a complete iteration',
    syntax: 'SSCAN key cursor [MATCH pattern] [COUNT count]',
    handler: sscan,
  },
];

const EMPTY_SET = setReply([]);

/** Members as a RESP3 set reply (an array in RESP2), as SMEMBERS, SINTER and SPOP with a count reply. */
function setOfMembers(members: readonly string[]): Reply {
  return setReply(members.map(bulk));
}

// ---------------------------------------------------------------------------------------
// Lookups

/** The set at an entry: undefined for no key, the WRONGTYPE error for another type. */
function setIn(e: Entry | undefined): SetValue | undefined | Reply {
  if (e === undefined) return undefined;
  return e.type === 'set' ? (e.value as SetValue) : errors.wrongType();
}

/** A read lookup (keyspace hits and misses), as Redis's lookupKeyRead. */
function readSet(ctx: CoreContext, key: string): SetValue | undefined | Reply {
  return setIn(ctx.db.lookupRead(key));
}

function writeSet(ctx: CoreContext, key: string): SetValue | undefined | Reply {
  return setIn(ctx.db.lookupWrite(key));
}

/**
 * The sets named by keys, for the set algebra: null for a missing key (an empty set). Stops at
 * the first key of another type with WRONGTYPE, as Redis does, whatever the other keys hold.
 */
function readSets(ctx: CoreContext, keys: readonly string[]): Array<SetValue | null> | Reply {
  const sets: Array<SetValue | null> = [];
  for (const key of keys) {
    const found = readSet(ctx, key);
    if (found !== undefined && !(found instanceof SetValue)) return found;
    sets.push(found ?? null);
  }
  return sets;
}

// ---------------------------------------------------------------------------------------
// SADD, SREM, SMOVE

function sadd(ctx: CoreContext, argv: string[]): Reply {
  const key = argv[1]!;
  const found = writeSet(ctx, key);
  if (found !== undefined && !(found instanceof SetValue)) return found;
  // A new set starts as an intset when its first member is an integer (Redis setTypeCreate).
  const set = found ?? (ctx.db.add(key, 'set', SetValue.for(argv[2]!)).value as SetValue);
  let added = 0;
  for (let i = 2; i < argv.length; i++) if (set.add(argv[i]!)) added++;
  if (added > 0) {
    ctx.db.touch(key);
    ctx.ks.notify(ctx.db.id, 'sadd', key);
    written(ctx, added);
  }
  return int(added);
}

function srem(ctx: CoreContext, argv: string[]): Reply {
  const key = argv[1]!;
  const found = writeSet(ctx, key);
  if (found === undefined) return ZERO;
  if (!(found instanceof SetValue)) return found;
  let removed = 0;
  let keyRemoved = false;
  for (let i = 2; i < argv.length; i++) {
    if (!found.remove(argv[i]!)) continue;
    removed++;
    if (found.size === 0) {
      // Redis stops here: the members named after the last one are not even looked at.
      ctx.db.delete(key);
      keyRemoved = true;
      break;
    }
  }
  if (removed > 0) {
    ctx.db.touch(key);
    ctx.ks.notify(ctx.db.id, 'srem', key);
    if (keyRemoved) ctx.ks.notify(ctx.db.id, 'del', key);
    written(ctx, removed);
  }
  return int(removed);
}

function smove(ctx: CoreContext, argv: string[]): Reply {
  const from = argv[1]!;
  const to = argv[2]!;
  const member = argv[3]!;
  const source = writeSet(ctx, from);
  const target = writeSet(ctx, to);
  // A missing source answers 0 before any type check, even when the destination is no set.
  if (source === undefined) return ZERO;
  if (!(source instanceof SetValue)) return source;
  if (target !== undefined && !(target instanceof SetValue)) return target;
  // Moving within one set changes nothing: the answer is only whether the member is there.
  if (source === target) return source.has(member) ? ONE : ZERO;
  if (!source.remove(member)) return ZERO;
  ctx.ks.notify(ctx.db.id, 'srem', from);
  if (source.size === 0) {
    ctx.db.delete(from);
    ctx.ks.notify(ctx.db.id, 'del', from);
  }
  const destination = target ?? (ctx.db.add(to, 'set', SetValue.for(member)).value as SetValue);
  ctx.db.touch(from);
  let changes = 1;
  if (destination.add(member)) {
    changes++;
    ctx.db.touch(to);
    ctx.ks.notify(ctx.db.id, 'sadd', to);
  }
  written(ctx, changes);
  return ONE;
}

// ---------------------------------------------------------------------------------------
// SPOP, SRANDMEMBER

/** Redis's SPOP_MOVE_STRATEGY_MUL: with few members left, Redis pops by keeping the rest. */
const SPOP_MOVE_STRATEGY_MUL = 5;
/** Redis's SRANDMEMBER_SUB_STRATEGY_MUL: a count close to the size copies the set and drops members. */
const SRANDMEMBER_SUB_STRATEGY_MUL = 3;

function spop(ctx: CoreContext, argv: string[]): Reply {
  if (argv.length === 3) return spopWithCount(ctx, argv);
  if (argv.length > 3) return errors.syntax();
  const key = argv[1]!;
  const found = writeSet(ctx, key);
  if (found === undefined) return NIL;
  if (!(found instanceof SetValue)) return found;
  const member = found.popRandom(ctx.ks.rng);
  ctx.ks.notify(ctx.db.id, 'spop', key);
  propagateAs(ctx, ['SREM', key, member]);
  if (found.size === 0) {
    ctx.db.delete(key);
    ctx.ks.notify(ctx.db.id, 'del', key);
  } else {
    ctx.db.touch(key);
  }
  return bulk(member);
}

function spopWithCount(ctx: CoreContext, argv: string[]): Reply {
  const key = argv[1]!;
  const requested = parseI64(argv[2]!);
  if (requested === null || requested < 0n) return errors.setCountNotPositive();
  const found = writeSet(ctx, key);
  if (found === undefined) return EMPTY_SET;
  if (!(found instanceof SetValue)) return found;
  if (requested === 0n) return EMPTY_SET;
  const size = found.size;
  ctx.ks.notify(ctx.db.id, 'spop', key);
  if (requested >= BigInt(size)) {
    // The whole set: reply with it, delete the key, and log a DEL (Redis 7.0 propagates DEL here).
    const all = setOfMembers(found.members());
    ctx.db.delete(key);
    ctx.ks.notify(ctx.db.id, 'del', key);
    propagateAs(ctx, ['DEL', key], size);
    return all;
  }
  const count = Number(requested);
  const popped: string[] = [];
  for (let i = 0; i < count; i++) popped.push(found.popRandom(ctx.ks.rng));
  const keepsFew = (size - count) * SPOP_MOVE_STRATEGY_MUL <= count;
  // With few members left Redis keeps a random rest and returns the others in the set's own
  // order, which for an intset is ascending; an intset's layout does not depend on the order
  // of removal, so sorting changes nothing a replica could see.
  if (found.encoding === 'intset' && keepsFew) popped.sort(compareIntMembers);
  if (keepsFew && found.encoding === 'hashtable') {
    rebuildFromKept(ctx, key, found, count);
  } else {
    ctx.db.touch(key);
    propagateAs(ctx, ['SREM', key, ...popped], count);
  }
  return setOfMembers(popped);
}

/**
 * Redis 7.0 builds a new set from the members SPOP keeps, so a hashtable whose kept members are
 * all integers becomes an intset again. Logged as DEL + SADD (+ PEXPIREAT) so that replicas and
 * the log rebuild exactly the same set.
 */
function rebuildFromKept(ctx: CoreContext, key: string, old: SetValue, popped: number): void {
  const kept = old.members();
  const fresh = SetValue.for(kept[0]!);
  for (const m of kept) fresh.add(m);
  const e = ctx.db.peek(key)!;
  e.value = fresh;
  ctx.db.touch(key);
  ctx.ks.emit(ctx.db.id, ['DEL', key]);
  ctx.ks.emit(ctx.db.id, ['SADD', key, ...kept]);
  if (e.expiresAt !== 0) ctx.ks.emit(ctx.db.id, ['PEXPIREAT', key, String(e.expiresAt)]);
  ctx.effectRewritten = true;
  written(ctx, popped);
}

function compareIntMembers(a: string, b: string): number {
  const x = intsetMember(a)!;
  const y = intsetMember(b)!;
  return x < y ? -1 : x > y ? 1 : 0;
}

function srandmember(ctx: CoreContext, argv: string[]): Reply {
  if (argv.length === 3) return srandmemberWithCount(ctx, argv);
  if (argv.length > 3) return errors.syntax();
  const found = readSet(ctx, argv[1]!);
  if (found === undefined) return NIL;
  if (!(found instanceof SetValue)) return found;
  return bulk(found.randomMember(ctx.ks.rng));
}

function srandmemberWithCount(ctx: CoreContext, argv: string[]): Reply {
  const requested = parseI64(argv[2]!);
  if (requested === null) return errors.notInteger();
  // The count is negated for "repeats allowed", so Redis refuses LONG_MIN.
  if (requested === INT64_MIN) return errors.setCountOutOfLongRange();
  const distinct = requested >= 0n;
  const magnitude = distinct ? requested : -requested;
  const found = readSet(ctx, argv[1]!);
  if (found === undefined) return EMPTY_ARRAY;
  if (!(found instanceof SetValue)) return found;
  if (magnitude === 0n) return EMPTY_ARRAY;
  const rng = ctx.ks.rng;

  // Repeats allowed (or a single pick): independent uniform picks, in the order drawn.
  if (!distinct || magnitude === 1n) {
    if (magnitude > BigInt(limits.randomPickReplyMax)) return errors.setRandomCountTooLarge(limits.randomPickReplyMax);
    const picks: Reply[] = [];
    for (let i = Number(magnitude); i > 0; i--) picks.push(bulk(found.randomMember(rng)));
    return array(picks);
  }
  const size = found.size;
  if (magnitude >= BigInt(size)) return bulks(found.members());
  const count = Number(magnitude);

  // A count close to the size: copy every member, then drop random ones until count remain.
  if (count * SRANDMEMBER_SUB_STRATEGY_MUL > size) {
    const pool = found.members();
    while (pool.length > count) {
      const at = rng.below(pool.length);
      pool[at] = pool[pool.length - 1]!;
      pool.pop();
    }
    return bulks(pool);
  }
  // A count small against the size: draw until count distinct members came up.
  const picked = new Set<string>();
  while (picked.size < count) picked.add(found.randomMember(rng));
  return bulks([...picked]);
}

// ---------------------------------------------------------------------------------------
// The set algebra

/**
 * Visits the members common to every set, walking the smallest one (Redis sorts the sets by
 * size first). `limit` > 0 stops after that many; returns how many were visited.
 */
function intersect(sets: readonly SetValue[], limit: number, visit: (member: string) => void): number {
  const bySize = [...sets].sort((a, b) => a.size - b.size);
  const smallest = bySize[0]!;
  let found = 0;
  members: for (let i = 0; i < smallest.size; i++) {
    const member = smallest.memberAt(i);
    for (let j = 1; j < bySize.length; j++) {
      const other = bySize[j]!;
      if (other !== smallest && !other.has(member)) continue members;
    }
    visit(member);
    found++;
    if (limit > 0 && found >= limit) break;
  }
  return found;
}

/** Every member of the sets, in a new set that starts as an intset (as Redis's result set). */
function union(sets: ReadonlyArray<SetValue | null>): SetValue {
  const result = SetValue.emptyIntset();
  for (const set of sets) {
    if (set === null) continue;
    for (let i = 0; i < set.size; i++) result.add(set.memberAt(i));
  }
  return result;
}

/**
 * The members of the first set in none of the others, with Redis's choice of algorithm: test
 * each member of the first set against the others (O(N*M)), or copy the first set and remove
 * the others' members (O(total)), whichever Redis's estimate says is cheaper.
 */
function difference(sets: ReadonlyArray<SetValue | null>): SetValue {
  const result = SetValue.emptyIntset();
  const first = sets[0];
  if (first === null || first === undefined) return result;
  let probeWork = 0;
  let copyWork = 0;
  for (const set of sets) {
    if (set === null) continue;
    probeWork += first.size;
    copyWork += set.size;
  }
  // Probing has better constants and stops early on common members: Redis gives it a 2x edge.
  if (Math.floor(probeWork / 2) <= copyWork) {
    // Larger sets first: a member that is elsewhere is found sooner.
    const others = sets.slice(1).sort((a, b) => (b?.size ?? 0) - (a?.size ?? 0));
    members: for (let i = 0; i < first.size; i++) {
      const member = first.memberAt(i);
      for (const other of others) {
        if (other === null) continue;
        if (other === first || other.has(member)) continue members;
      }
      result.add(member);
    }
    return result;
  }
  for (let j = 0; j < sets.length; j++) {
    const set = sets[j];
    if (set === null || set === undefined) continue;
    for (let i = 0; i < set.size; i++) {
      if (j === 0) result.add(set.memberAt(i));
      else result.remove(set.memberAt(i));
    }
    if (result.size === 0) break;
  }
  return result;
}

/**
 * The STORE forms: a non-empty result replaces the destination (any type, TTL cleared, as
 * Redis's setKey); an empty one deletes it. Returns the size stored.
 */
function storeResult(ctx: CoreContext, destination: string, result: SetValue, event: string): Reply {
  if (result.size > 0) {
    ctx.db.lookupWrite(destination); // a destination past its TTL expires first, as in setKey
    ctx.db.set(destination, 'set', result);
    ctx.ks.notify(ctx.db.id, event, destination);
    written(ctx);
    return int(result.size);
  }
  if (ctx.db.delete(destination)) {
    ctx.ks.notify(ctx.db.id, 'del', destination);
    written(ctx);
  }
  return ZERO;
}

function sintercard(ctx: CoreContext, argv: string[]): Reply {
  const numkeys = parseI64(argv[1]!);
  if (numkeys === null || numkeys < 1n) return errors.setNumkeysNotPositive();
  if (numkeys > BigInt(argv.length - 2)) return errors.setNumkeysAboveArgs();
  const keysEnd = 2 + Number(numkeys);
  let limit = 0;
  for (let i = keysEnd; i < argv.length; i++) {
    if (isWord(argv[i]!, 'LIMIT') && i + 1 < argv.length) {
      const n = parseI64(argv[++i]!);
      if (n === null || n < 0n) return errors.setLimitNegative();
      limit = n > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(n);
    } else {
      return errors.syntax();
    }
  }
  const sets = readSets(ctx, argv.slice(2, keysEnd));
  if (!Array.isArray(sets)) return sets;
  if (sets.includes(null)) return ZERO;
  return int(intersect(sets as SetValue[], limit, () => {}));
}

/** SINTERCARD's keys: numkeys of them after it; none when numkeys is not a valid count. */
function sintercardKeys(argv: readonly string[]): number[] {
  const numkeys = parseI64(argv[1] ?? '');
  if (numkeys === null || numkeys < 1n || numkeys > BigInt(argv.length - 2)) return [];
  const positions: number[] = [];
  for (let i = 0; i < Number(numkeys); i++) positions.push(2 + i);
  return positions;
}

// ---------------------------------------------------------------------------------------
// SSCAN

function sscan(ctx: CoreContext, argv: string[]): Reply {
  const cursor = parseScanCursor(argv[2]!);
  if (cursor === null) return errors.invalidCursor();
  // Redis looks the key up before it reads the options: a missing key ignores bad options.
  const found = readSet(ctx, argv[1]!);
  if (found === undefined) return EMPTY_SCAN;
  if (!(found instanceof SetValue)) return found;
  const opts = parseScanOptions(argv, 3);
  if (!isScanOptions(opts)) return opts;
  const { pattern } = opts;
  const members: Reply[] = [];
  const next = found.scan(cursor, opts.count, (member) => {
    if (pattern === null || globMatch(pattern, member)) members.push(bulk(member));
  });
  return array([bulk(String(next)), array(members)]);
}
