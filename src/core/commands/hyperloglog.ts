// HyperLogLog commands (Redis hyperloglog.c): PFADD, PFCOUNT, PFMERGE, PFDEBUG, PFSELFTEST.
// An HLL is a string value in Redis's exact byte layout (src/core/hll.ts), so GET, SET, DUMP
// and RESTORE carry it unchanged between Cairn and Redis.
//
// Notifications: 'pfadd' for PFADD when a register changed and for PFMERGE (Redis names the
// merge a mass add). Effects: PFADD and PFMERGE log themselves. PFCOUNT of one key rewrites
// the cardinality cached in the header when it was stale: that changes the bytes, so like
// Redis it is propagated (as itself: replaying it recomputes the same number).
// PFDEBUG GETREG/TODENSE change the encoding and log themselves as well.
import * as errors from '../errors.js';
import {
  cachedCardinality, countOf, countRegisters, decodeSparse, denseRegisters, EMPTY_HLL, encodingOf, HLL_DENSE,
  HLL_REGISTERS, HLL_SPARSE, HllEditor, isValidHll, mergedValue, mergeInto, selfTest, SetResult, sparseToDense,
  withCachedCardinality,
} from '../hll.js';
import type { Entry } from '../keyspace.js';
import { limits } from '../limits.js';
import { array, bulk, int, OK, ONE, simple, ZERO, type Reply } from '../reply.js';
import { propagateAs, written, type CommandSpec, type CoreContext } from './spec.js';

/** The HLL held by an entry, or the error Redis gives (isHLLObjectOrReply). */
function hllOf(e: Entry): string | Reply {
  if (e.type !== 'string') return errors.wrongType();
  const value = e.value as string;
  return isValidHll(value) ? value : errors.hllWrongType();
}

function isReply(v: string | Reply): v is Reply {
  return typeof v !== 'string';
}

/** Redis unshares the string before editing it: from then on OBJECT ENCODING says "raw". */
function replaceValue(ctx: CoreContext, e: Entry, value: string, touch: boolean): void {
  e.value = value;
  e.rawEncoding = true;
  if (touch) ctx.db.touch(e.key);
}

function pfaddCommand(ctx: CoreContext, argv: string[]): Reply {
  const key = argv[1]!;
  const e = ctx.db.lookupWrite(key);
  let value = EMPTY_HLL;
  let updated = 0;
  if (e === undefined) {
    updated++; // creating the key is a change even with no elements
  } else {
    const current = hllOf(e);
    if (isReply(current)) return current;
    value = current;
  }
  const editor = new HllEditor(value, limits.hllSparseMaxBytes);
  for (let j = 2; j < argv.length; j++) {
    const r = editor.add(argv[j]!);
    if (r === SetResult.Corrupt) return keepPartialEdits(ctx, e!, value, editor);
    if (r === SetResult.Changed) updated++;
  }
  if (updated === 0) {
    e!.rawEncoding = true;
    return ZERO;
  }
  const after = editor.value(true);
  if (e === undefined) ctx.db.add(key, 'string', after).rawEncoding = true;
  else replaceValue(ctx, e, after, true);
  ctx.ks.notify(ctx.db.id, 'pfadd', key);
  written(ctx, updated);
  return ONE;
}

/**
 * A corrupt sparse HLL met half way through PFADD: Redis has edited the value in place for
 * the elements before, and keeps those edits without signalling. Cairn keeps them too and
 * logs the command so that a replica ends with the same bytes.
 */
function keepPartialEdits(ctx: CoreContext, e: Entry, before: string, editor: HllEditor): Reply {
  const after = editor.value(false);
  e.rawEncoding = true;
  if (after !== before) {
    e.value = after;
    written(ctx);
  }
  return errors.hllCorrupted();
}

function pfcountCommand(ctx: CoreContext, argv: string[]): Reply {
  if (argv.length > 2) return pfcountUnion(ctx, argv);
  const key = argv[1]!;
  const e = ctx.db.lookupRead(key);
  if (e === undefined) return ZERO;
  const value = hllOf(e);
  if (isReply(value)) return value;
  e.rawEncoding = true;
  const cached = cachedCardinality(value);
  if (cached !== null) return int(cached);
  const card = countOf(value);
  if (card === null) return errors.hllCorrupted();
  replaceValue(ctx, e, withCachedCardinality(value, card), true);
  propagateAs(ctx, argv);
  return int(card);
}

/** PFCOUNT of several keys: the cardinality of their union, nothing cached. */
function pfcountUnion(ctx: CoreContext, argv: string[]): Reply {
  const max = new Uint8Array(HLL_REGISTERS);
  for (let j = 1; j < argv.length; j++) {
    const e = ctx.db.lookupRead(argv[j]!);
    if (e === undefined) continue; // a missing key is an empty HLL
    const value = hllOf(e);
    if (isReply(value)) return value;
    if (!mergeInto(max, value)) return errors.hllCorrupted();
  }
  return int(countRegisters(max));
}

function pfmergeCommand(ctx: CoreContext, argv: string[]): Reply {
  const max = new Uint8Array(HLL_REGISTERS);
  let anyDense = false;
  // The destination is the first source: its registers are part of the union.
  for (let j = 1; j < argv.length; j++) {
    const e = ctx.db.lookupRead(argv[j]!);
    if (e === undefined) continue;
    const value = hllOf(e);
    if (isReply(value)) return value;
    if (encodingOf(value) === HLL_DENSE) anyDense = true;
    if (!mergeInto(max, value)) return errors.hllCorrupted();
  }
  const dest = argv[1]!;
  const e = ctx.db.lookupWrite(dest);
  const merged = mergedValue(e === undefined ? EMPTY_HLL : (e.value as string), max, anyDense, limits.hllSparseMaxBytes);
  if (merged === null) return errors.hllCorrupted();
  if (e === undefined) ctx.db.add(dest, 'string', merged).rawEncoding = true;
  else replaceValue(ctx, e, merged, true);
  ctx.ks.notify(ctx.db.id, 'pfadd', dest);
  written(ctx);
  return OK;
}

function pfdebugCommand(ctx: CoreContext, argv: string[]): Reply {
  const sub = argv[1]!;
  const e = ctx.db.lookupWrite(argv[2]!);
  if (e === undefined) return errors.pfdebugNoSuchKey();
  const value = hllOf(e);
  if (isReply(value)) return value;
  e.rawEncoding = true;
  const nul = sub.indexOf('\0');
  switch ((nul < 0 ? sub : sub.slice(0, nul)).toUpperCase()) {
    case 'GETREG': {
      const dense = toDenseForDebug(ctx, e, value);
      if (dense === null) return errors.hllCorrupted();
      return array(denseRegisters(dense).map((r) => int(r)));
    }
    case 'DECODE':
      if (encodingOf(value) !== HLL_SPARSE) return errors.hllNotSparse();
      return bulk(decodeSparse(value));
    case 'ENCODING':
      return simple(encodingOf(value) === HLL_DENSE ? 'dense' : 'sparse');
    case 'TODENSE': {
      const wasSparse = encodingOf(value) === HLL_SPARSE;
      if (toDenseForDebug(ctx, e, value) === null) return errors.hllCorrupted();
      return wasSparse ? ONE : ZERO;
    }
    default:
      return errors.pfdebugUnknownSubcommand(sub);
  }
}

/** The dense form of the value, stored (and logged) when it was sparse; null when corrupt. */
function toDenseForDebug(ctx: CoreContext, e: Entry, value: string): string | null {
  if (encodingOf(value) === HLL_DENSE) return value;
  const dense = sparseToDense(value);
  if (dense === null) return null;
  replaceValue(ctx, e, dense, false); // Redis changes the encoding without signalling the key
  written(ctx);
  return dense;
}

function pfselftestCommand(ctx: CoreContext): Reply {
  const failure = selfTest(() => ctx.ks.rng.nextU32(), limits.hllSparseMaxBytes);
  return failure === null ? OK : errors.hllSelfTestFailed(failure);
}

// ---------------------------------------------------------------------------------------
// Declarations (flags, arity and key positions as Redis 7.0's COMMAND INFO)

const base = { group: 'hyperloglog', acl: ['hyperloglog'] } as const;

export const hyperLogLogCommands: CommandSpec[] = [
  {
    ...base, name: 'pfadd', arity: -2, flags: ['write', 'denyoom', 'fast'], keys: { first: 1, last: 1, step: 1 }, since: '2.8.9',
    summary: 'Adds elements to a HyperLogLog, creating it when missing; returns 1 when its estimate may have changed.',
    complexity: 'O(1) for each element',
    syntax: 'PFADD key [element [element ...]]',
    handler: pfaddCommand,
  },
  {
    ...base, name: 'pfcount', arity: -2, flags: ['readonly'], keys: { first: 1, last: -1, step: 1 }, since: '2.8.9',
    summary: 'Estimates the number of distinct elements added to a HyperLogLog, or to the union of several.',
    complexity: 'O(1) with a cached estimate for one key, else O(N) where N is the number of keys',
    syntax: 'PFCOUNT key [key ...]',
    handler: pfcountCommand,
  },
  {
    ...base, name: 'pfmerge', arity: -2, flags: ['write', 'denyoom'], keys: { first: 1, last: -1, step: 1 }, since: '2.8.9',
    summary: 'Stores the union of HyperLogLogs under the destination key (which takes part in the union).',
    complexity: 'O(N) where N is the number of HyperLogLogs merged',
    syntax: 'PFMERGE destkey [sourcekey [sourcekey ...]]',
    handler: pfmergeCommand,
  },
  {
    ...base, name: 'pfdebug', arity: 3, flags: ['write', 'denyoom', 'admin'], keys: { first: 2, last: 2, step: 1 }, since: '2.8.9',
    summary: 'Inspects a HyperLogLog: its registers (GETREG), opcodes (DECODE), encoding (ENCODING), or converts it to dense (TODENSE).',
    complexity: 'O(N) where N is the number of registers',
    syntax: 'PFDEBUG <GETREG | DECODE | ENCODING | TODENSE> key',
    handler: pfdebugCommand,
  },
  {
    ...base, name: 'pfselftest', arity: 1, flags: ['admin'], since: '2.8.9',
    summary: 'Checks the HyperLogLog register packing and estimator against random data.',
    complexity: 'O(1): a fixed amount of work',
    syntax: 'PFSELFTEST',
    handler: (ctx) => pfselftestCommand(ctx),
  },
];
