// Expiry commands: EXPIRE, PEXPIRE, EXPIREAT, PEXPIREAT (with NX, XX, GT, LT), TTL, PTTL,
// EXPIRETIME, PEXPIRETIME and PERSIST.
//
// Times are computed in int64 (BigInt) exactly as Redis does, so the overflow checks and their
// errors match. Entry.expiresAt is a JS number: an absolute time beyond 2^53 ms (the year
// 287396) is stored rounded to the nearest double; replies clamp it back into int64.
import * as errors from '../errors.js';
import type { Entry } from '../keyspace.js';
import { INT64_MAX, INT64_MIN, parseI64 } from '../numbers.js';
import { int, MINUS_ONE, MINUS_TWO, ONE, ZERO, type Reply } from '../reply.js';
import { lookupNoTouch } from './keys.js';
import { isWord, propagateAs, written, type CommandSpec, type CoreContext } from './spec.js';

const expiry = { group: 'generic', acl: ['keyspace'], keys: { first: 1, last: 1, step: 1 } } as const;

const EXPIRE_SYNTAX_OPTIONS = '[NX | XX | GT | LT]';

export const expiryCommands: CommandSpec[] = [
  {
    ...expiry, name: 'expire', arity: -3, flags: ['write', 'fast'], since: '1.0.0',
    summary: 'Sets a key to expire after a number of seconds.',
    complexity: 'O(1)',
    syntax: `EXPIRE key seconds ${EXPIRE_SYNTAX_OPTIONS}`,
    handler: (ctx, argv) => setExpiry(ctx, argv, 'expire', BigInt(ctx.ks.now), true),
  },
  {
    ...expiry, name: 'pexpire', arity: -3, flags: ['write', 'fast'], since: '2.6.0',
    summary: 'Sets a key to expire after a number of milliseconds.',
    complexity: 'O(1)',
    syntax: `PEXPIRE key milliseconds ${EXPIRE_SYNTAX_OPTIONS}`,
    handler: (ctx, argv) => setExpiry(ctx, argv, 'pexpire', BigInt(ctx.ks.now), false),
  },
  {
    ...expiry, name: 'expireat', arity: -3, flags: ['write', 'fast'], since: '1.2.0',
    summary: 'Sets a key to expire at a Unix time in seconds.',
    complexity: 'O(1)',
    syntax: `EXPIREAT key unix-time-seconds ${EXPIRE_SYNTAX_OPTIONS}`,
    handler: (ctx, argv) => setExpiry(ctx, argv, 'expireat', 0n, true),
  },
  {
    ...expiry, name: 'pexpireat', arity: -3, flags: ['write', 'fast'], since: '2.6.0',
    summary: 'Sets a key to expire at a Unix time in milliseconds.',
    complexity: 'O(1)',
    syntax: `PEXPIREAT key unix-time-milliseconds ${EXPIRE_SYNTAX_OPTIONS}`,
    handler: (ctx, argv) => setExpiry(ctx, argv, 'pexpireat', 0n, false),
  },
  {
    ...expiry, name: 'ttl', arity: 2, flags: ['readonly', 'fast'], since: '1.0.0',
    summary: 'Returns the seconds a key has left to live, -1 without a TTL, -2 when missing.',
    complexity: 'O(1)',
    syntax: 'TTL key',
    handler: (ctx, argv) => timeToLive(ctx, argv[1]!, false, false),
  },
  {
    ...expiry, name: 'pttl', arity: 2, flags: ['readonly', 'fast'], since: '2.6.0',
    summary: 'Returns the milliseconds a key has left to live, -1 without a TTL, -2 when missing.',
    complexity: 'O(1)',
    syntax: 'PTTL key',
    handler: (ctx, argv) => timeToLive(ctx, argv[1]!, true, false),
  },
  {
    ...expiry, name: 'expiretime', arity: 2, flags: ['readonly', 'fast'], since: '7.0.0',
    summary: 'Returns the Unix time in seconds at which a key expires, -1 without a TTL, -2 when missing.',
    complexity: 'O(1)',
    syntax: 'EXPIRETIME key',
    handler: (ctx, argv) => timeToLive(ctx, argv[1]!, false, true),
  },
  {
    ...expiry, name: 'pexpiretime', arity: 2, flags: ['readonly', 'fast'], since: '7.0.0',
    summary: 'Returns the Unix time in milliseconds at which a key expires, -1 without a TTL, -2 when missing.',
    complexity: 'O(1)',
    syntax: 'PEXPIRETIME key',
    handler: (ctx, argv) => timeToLive(ctx, argv[1]!, true, true),
  },
  {
    ...expiry, name: 'persist', arity: 2, flags: ['write', 'fast'], since: '2.2.0',
    summary: 'Removes the TTL of a key so that it never expires.',
    complexity: 'O(1)',
    syntax: 'PERSIST key',
    handler: (ctx, argv) => {
      const key = argv[1]!;
      const e = ctx.db.lookupWrite(key);
      if (e === undefined || !ctx.db.clearExpire(e)) return ZERO;
      ctx.ks.notify(ctx.db.id, 'persist', key);
      written(ctx);
      return ONE;
    },
  },
];

interface ExpireConditions {
  nx: boolean;
  xx: boolean;
  gt: boolean;
  lt: boolean;
}

/** NX | XX | GT | LT after the time, in any order and number, with Redis's conflict errors. */
function parseConditions(argv: readonly string[]): ExpireConditions | Reply {
  const c: ExpireConditions = { nx: false, xx: false, gt: false, lt: false };
  for (let i = 3; i < argv.length; i++) {
    const option = argv[i]!;
    if (isWord(option, 'NX')) c.nx = true;
    else if (isWord(option, 'XX')) c.xx = true;
    else if (isWord(option, 'GT')) c.gt = true;
    else if (isWord(option, 'LT')) c.lt = true;
    else return errors.unsupportedOption(option);
  }
  if (c.nx && (c.xx || c.gt || c.lt)) return errors.expireFlagsConflict();
  if (c.gt && c.lt) return errors.gtLtConflict();
  return c;
}

function isConditions(x: ExpireConditions | Reply): x is ExpireConditions {
  return 'nx' in x;
}

const SECONDS_MAX = INT64_MAX / 1000n;
const SECONDS_MIN = INT64_MIN / 1000n; // BigInt division truncates toward zero, as C does

/**
 * The common body of the four EXPIRE commands: `base` is added to the time (now for the
 * relative forms, 0 for the absolute ones), `seconds` says the time is in seconds.
 */
function setExpiry(ctx: CoreContext, argv: string[], command: string, base: bigint, seconds: boolean): Reply {
  const key = argv[1]!;
  const conditions = parseConditions(argv);
  if (!isConditions(conditions)) return conditions;
  let when = parseI64(argv[2]!);
  if (when === null) return errors.notInteger();
  if (seconds) {
    if (when > SECONDS_MAX || when < SECONDS_MIN) return errors.invalidExpireTime(command);
    when *= 1000n;
  }
  if (when > INT64_MAX - base) return errors.invalidExpireTime(command);
  when += base;

  const e = ctx.db.lookupWrite(key);
  if (e === undefined) return ZERO;
  if (!conditionsHold(conditions, e, when)) return ZERO;

  if (when <= BigInt(ctx.ks.now)) {
    // A time already past deletes the key; the log carries the deletion, not the time.
    ctx.db.delete(key);
    ctx.ks.notify(ctx.db.id, 'del', key);
    propagateAs(ctx, ['DEL', key]);
    return ONE;
  }
  ctx.db.setExpire(e, Number(when));
  ctx.ks.notify(ctx.db.id, 'expire', key);
  // Logged as an absolute, unconditional PEXPIREAT: the conditions were decided here, and a
  // replay at another time must land on the same instant.
  propagateAs(ctx, ['PEXPIREAT', key, when.toString()]);
  return ONE;
}

/** The NX/XX/GT/LT checks; a key without a TTL counts as expiring never (infinitely late). */
function conditionsHold(c: ExpireConditions, e: Entry, when: bigint): boolean {
  const hasTtl = e.expiresAt !== 0;
  if (c.nx && hasTtl) return false;
  if (c.xx && !hasTtl) return false;
  if (c.gt && (!hasTtl || when <= expiryAsInt64(e))) return false;
  if (c.lt && hasTtl && when >= expiryAsInt64(e)) return false;
  return true;
}

/** TTL, PTTL, EXPIRETIME, PEXPIRETIME: -2 missing, -1 no TTL, else the time rounded as Redis. */
function timeToLive(ctx: CoreContext, key: string, milliseconds: boolean, absolute: boolean): Reply {
  const e = lookupNoTouch(ctx, key);
  if (e === undefined) return MINUS_TWO;
  if (e.expiresAt === 0) return MINUS_ONE;
  let t = absolute ? expiryAsInt64(e) : expiryAsInt64(e) - BigInt(ctx.ks.now);
  if (t < 0n) t = 0n;
  // Seconds are rounded to the nearest second, as Redis does ((ms + 500) / 1000).
  return int64Reply(milliseconds ? t : (t + 500n) / 1000n);
}

/** An absolute expiry time as Redis would report it: an int64, clamped at its maximum. */
function expiryAsInt64(e: Entry): bigint {
  const t = BigInt(e.expiresAt);
  return t > INT64_MAX ? INT64_MAX : t;
}

function int64Reply(n: bigint): Reply {
  return n <= MAX_SAFE && n >= -MAX_SAFE ? int(Number(n)) : int(n);
}

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);
