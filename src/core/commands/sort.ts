// SORT and SORT_RO: sort the elements of a list, set or sorted set, by their own value or by
// values looked up through a pattern, with LIMIT, GET patterns and STORE, as Redis 7.0 does
// (sort.c: sortCommandGeneric, lookupKeyByPattern, sortCompare).
import type { CommandSpec, CoreContext } from './spec.js';
import { isWord, written } from './spec.js';
import * as errors from '../errors.js';
import type { Database } from '../keyspace.js';
import { parseDouble, parseInteger } from '../numbers.js';
import { array, bulk, int, NIL, type Reply } from '../reply.js';
import type { HashValue } from '../types/hash.js';
import { ListValue } from '../types/list.js';
import type { SetValue } from '../types/set.js';
import type { ZSet } from '../types/zset.js';

interface SortOptions {
  desc: boolean;
  alpha: boolean;
  limitOffset: number;
  limitCount: number;
  /** The BY pattern; null sorts by the elements themselves. */
  by: string | null;
  /** BY with a pattern that has no '*': keep the input order. */
  dontSort: boolean;
  gets: string[];
  store: string | null;
}

/** One element with what it sorts by: a number, or (ALPHA BY) a string or nothing. */
interface Item {
  readonly element: string;
  score: number;
  text: string | null;
}

function parseOptions(argv: readonly string[], readOnly: boolean): SortOptions | Reply {
  const o: SortOptions = { desc: false, alpha: false, limitOffset: 0, limitCount: -1, by: null, dontSort: false, gets: [], store: null };
  for (let j = 2; j < argv.length; j++) {
    const arg = argv[j]!;
    const left = argv.length - j - 1;
    if (isWord(arg, 'ASC')) o.desc = false;
    else if (isWord(arg, 'DESC')) o.desc = true;
    else if (isWord(arg, 'ALPHA')) o.alpha = true;
    else if (isWord(arg, 'LIMIT') && left >= 2) {
      const offset = parseInteger(argv[j + 1]!);
      const count = parseInteger(argv[j + 2]!);
      if (offset === null || count === null) return errors.notInteger();
      o.limitOffset = offset;
      o.limitCount = count;
      j += 2;
    } else if (isWord(arg, 'STORE') && left >= 1 && !readOnly) {
      o.store = argv[++j]!;
    } else if (isWord(arg, 'BY') && left >= 1) {
      o.by = argv[++j]!;
      // A pattern without '*' names one key for every element: nothing to sort by.
      if (!o.by.includes('*')) o.dontSort = true;
    } else if (isWord(arg, 'GET') && left >= 1) {
      o.gets.push(argv[++j]!);
    } else {
      return errors.syntax();
    }
  }
  return o;
}

/**
 * The value a pattern points at for one element: '#' is the element itself; otherwise the
 * first '*' is replaced by the element, and a '->field' suffix reads a hash field.
 */
function lookupByPattern(ctx: CoreContext, db: Database, pattern: string, element: string): string | undefined {
  if (pattern === '#') return element;
  const star = pattern.indexOf('*');
  if (star < 0) return undefined;
  const arrow = pattern.indexOf('->', star + 1);
  const hasField = arrow >= 0 && arrow + 2 < pattern.length;
  const keyEnd = hasField ? arrow : pattern.length;
  const key = pattern.slice(0, star) + element + pattern.slice(star + 1, keyEnd);
  const e = db.lookupRead(key);
  if (e === undefined) return undefined;
  if (!hasField) return e.type === 'string' ? (e.value as string) : undefined;
  if (e.type !== 'hash') return undefined;
  const hash = e.value as HashValue;
  const field = pattern.slice(arrow + 2);
  const ttl = hash.ttlOf(field);
  if (ttl !== 0 && ttl <= ctx.ks.now) return undefined; // an expired field is gone
  return hash.get(field);
}

/** The smallest normal double: strtod reports ERANGE below it (glibc), which SORT refuses. */
const DBL_MIN = 2.2250738585072014e-308;

/**
 * Redis reads sort keys with strtod: the C string ends at the first NUL byte, leading blanks are
 * skipped, empty text is 0, and NaN, overflow and underflow (subnormals) are refused.
 */
function sortScore(text: string): number | null {
  const nul = text.indexOf('\0');
  const cText = nul < 0 ? text : text.slice(0, nul);
  const trimmed = cText.replace(/^[ \t\n\v\f\r]+/, '');
  if (trimmed === '') return 0;
  const v = parseDouble(trimmed);
  if (v === null || Number.isNaN(v)) return null;
  return v !== 0 && Math.abs(v) < DBL_MIN ? null : v;
}

function compareBytes(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function sortGeneric(ctx: CoreContext, argv: string[], readOnly: boolean): Reply {
  const o = parseOptions(argv, readOnly);
  if (!('desc' in o)) return o;
  const db = ctx.db;
  const source = o.store !== null ? db.lookupWrite(argv[1]!) : db.lookupRead(argv[1]!);
  if (source !== undefined && source.type !== 'list' && source.type !== 'set' && source.type !== 'zset') return errors.wrongType();
  // A set has no order of its own: when its output is stored, sort it so replicas agree.
  if (o.dontSort && source?.type === 'set' && o.store !== null) {
    o.dontSort = false;
    o.alpha = true;
    o.by = null;
  }
  // Redis 7.0 converts a sorted set to its skiplist encoding before sorting it, for good.
  // The new encoding has another size: account it (no WATCH signal, the data did not change).
  if (source?.type === 'zset' && (source.value as ZSet).forceSkiplist()) ctx.ks.sizeMayHaveChanged(db, source.key);
  const elements = loadElements(source?.type, source?.value, o);
  let start = o.limitOffset < 0 ? 0 : o.limitOffset;
  let end = o.limitCount < 0 ? elements.length - 1 : start + o.limitCount - 1;
  if (start >= elements.length) {
    start = elements.length - 1;
    end = elements.length - 2;
  }
  if (end >= elements.length) end = elements.length - 1;
  if (source?.type === 'zset' && o.dontSort) {
    // loadElements already cut the LIMIT range out of the sorted set, in its order.
    end -= start;
    start = 0;
  }
  const items: Item[] = elements.map((element) => ({ element, score: 0, text: null }));
  if (!o.dontSort) {
    let conversionError = false;
    for (const item of items) {
      const by = o.by === null ? item.element : lookupByPattern(ctx, db, o.by, item.element);
      if (by === undefined) continue;
      if (o.alpha) {
        if (o.by !== null) item.text = by;
      } else {
        const score = sortScore(by);
        if (score === null) conversionError = true;
        else item.score = score;
      }
    }
    if (conversionError) return errors.sortScoresNotDouble();
    items.sort((a, b) => compareItems(a, b, o));
  }
  const picked = items.slice(start, end + 1);
  if (o.store === null) {
    const out: Reply[] = [];
    for (const item of picked) {
      if (o.gets.length === 0) out.push(bulk(item.element));
      for (const pattern of o.gets) {
        const v = lookupByPattern(ctx, db, pattern, item.element);
        out.push(v === undefined ? NIL : bulk(v));
      }
    }
    return array(out);
  }
  return store(ctx, o.store, picked, o.gets);
}

function compareItems(a: Item, b: Item, o: SortOptions): number {
  let cmp: number;
  if (!o.alpha) {
    // Equal scores fall back to the elements' bytes, so the result is deterministic.
    cmp = a.score > b.score ? 1 : a.score < b.score ? -1 : compareBytes(a.element, b.element);
  } else if (o.by !== null) {
    if (a.text === null || b.text === null) cmp = a.text === b.text ? 0 : a.text === null ? -1 : 1;
    else cmp = compareBytes(a.text, b.text);
  } else {
    cmp = compareBytes(a.element, b.element);
  }
  return o.desc ? -cmp : cmp;
}

/** The elements to sort, in the source's own order (a zset left unsorted yields only the LIMIT range). */
function loadElements(type: string | undefined, value: unknown, o: SortOptions): string[] {
  if (type === 'list') return (value as ListValue).toArray();
  if (type === 'set') return (value as SetValue).members();
  if (type !== 'zset') return [];
  const z = value as ZSet;
  const n = z.size;
  if (!o.dontSort) return z.toArrays().members;
  const start = o.limitOffset < 0 ? 0 : o.limitOffset;
  let end = o.limitCount < 0 ? n - 1 : start + o.limitCount - 1;
  if (start >= n) return [];
  if (end >= n) end = n - 1;
  const out: string[] = [];
  if (end < start) return out;
  z.walk(o.desc ? n - 1 - start : start, o.desc, (member: string) => {
    out.push(member);
    return out.length < end - start + 1;
  });
  return out;
}

/** SORT ... STORE: the result replaces the destination as a list (missing GET values become ""). */
function store(ctx: CoreContext, dest: string, picked: readonly Item[], gets: readonly string[]): Reply {
  const list = new ListValue();
  for (const item of picked) {
    if (gets.length === 0) list.pushBack(item.element);
    for (const pattern of gets) list.pushBack(lookupByPattern(ctx, ctx.db, pattern, item.element) ?? '');
  }
  if (list.length > 0) {
    ctx.db.set(dest, 'list', list);
    ctx.ks.notify(ctx.db.id, 'sortstore', dest);
    written(ctx, list.length);
  } else if (ctx.db.delete(dest)) {
    ctx.ks.notify(ctx.db.id, 'del', dest);
    written(ctx);
  }
  return int(list.length);
}

/** SORT's keys: the source, and the STORE destination when there is one. */
function sortKeys(argv: readonly string[]): number[] {
  const keys = [1];
  for (let j = 2; j < argv.length; j++) {
    const arg = argv[j]!;
    if (isWord(arg, 'STORE') && j + 1 < argv.length) {
      keys.push(j + 1);
      j++;
    } else if ((isWord(arg, 'BY') || isWord(arg, 'GET')) && j + 1 < argv.length) {
      j++;
    } else if (isWord(arg, 'LIMIT') && j + 2 < argv.length) {
      j += 2;
    }
  }
  return keys;
}

const SYNTAX = 'key [BY pattern] [LIMIT offset count] [GET pattern [GET pattern ...]] [ASC | DESC] [ALPHA]';

export const sortCommands: CommandSpec[] = [
  {
    name: 'sort', arity: -2, flags: ['write', 'denyoom'], movableKeys: sortKeys,
    acl: ['set', 'sortedset', 'list', 'dangerous'], group: 'generic', since: '1.0.0',
    summary: 'Sorts the elements of a list, set or sorted set, optionally storing the result as a list.',
    complexity: 'O(N+M*log(M)) where N is the number of elements to sort and M the number returned',
    syntax: `SORT ${SYNTAX} [STORE destination]`,
    handler: (ctx, argv) => sortGeneric(ctx, argv, false),
  },
  {
    name: 'sort_ro', arity: -2, flags: ['readonly'], keys: { first: 1, last: 1, step: 1 },
    acl: ['set', 'sortedset', 'list', 'dangerous'], group: 'generic', since: '7.0.0',
    summary: 'Sorts the elements of a list, set or sorted set (read-only variant of SORT, no STORE).',
    complexity: 'O(N+M*log(M)) where N is the number of elements to sort and M the number returned',
    syntax: `SORT_RO ${SYNTAX}`,
    handler: (ctx, argv) => sortGeneric(ctx, argv, true),
  },
];
