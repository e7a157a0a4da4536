// The one place where the differential tests allow a reply from Cairn to differ from Redis's.
// Each rule below is listed, with its reason, in docs/differences.md; anything not covered by
// a rule is compared exactly (type, bytes, null kind, order).
import { sameReply, show, type RespValue } from '../helpers/resp-client.js';

export type Mode =
  /** Byte for byte: type, content, order, and which null ($-1, *-1 or _). */
  | { kind: 'exact' }
  /** KEYS: an array whose order is the key space's hash order, compared as a sorted list. */
  | { kind: 'sorted' }
  /** RANDOMKEY, DUMP: which key / which payload bytes may differ; nil vs non-nil may not. */
  | { kind: 'presence' }
  /**
   * TTL, PTTL, EXPIRETIME, PEXPIRETIME: non-negative integers within `within` of each other
   * (the two servers received the command a few ms apart); -1 and -2 exactly.
   */
  | { kind: 'tolerance'; within: number }
  /** EXEC: each item with the rule of the command queued at its position. */
  | { kind: 'exec'; modes: Mode[] }
  /**
   * SINTER, SUNION, SDIFF, PUBSUB CHANNELS: the same container type and the same items as a
   * multiset (each item compared exactly); their order is the hash table's.
   */
  | { kind: 'multiset' }
  /** HGETALL (and HRANDFIELD-like flat pairs): field/value pairs as a multiset; RESP3 maps too. */
  | { kind: 'pairs' }
  /**
   * SMEMBERS, HKEYS, HVALS, HGETALL: the command right before it on the same connection (or in
   * the same EXEC) is OBJECT ENCODING of the same key. When both servers report the same compact
   * encoding (listpack, intset) the order is defined and compared exactly; otherwise as a
   * multiset of items (`pairs`: of field/value pairs).
   */
  | { kind: 'by-encoding'; pairs: boolean }
  /**
   * OBJECT ENCODING of `key`: exactly, except on a key the runner has seen diverge after a
   * RESTORE (or copied/renamed from one): there Redis may report the compact encoding where
   * Cairn keeps the big one (docs/differences.md, "RESTORE/COPY of a small hash or set").
   */
  | { kind: 'encoding'; key: string }
  /**
   * XINFO CONSUMERS, XPENDING's extended form: exactly, except the milliseconds since a consumer
   * or an entry was last seen (the value after an "idle" field, or the third item of each
   * XPENDING entry), which may differ by the tolerance.
   */
  | { kind: 'idle'; within: number };

/** What some rules need besides the two replies. */
export interface CompareContext {
  /** The replies of the previous command on the same connection (or the previous EXEC item). */
  previous?: [redis: RespValue, cairn: RespValue];
  /** Whether `key`'s encoding may legitimately differ (see the 'encoding' rule). */
  tainted?: (key: string) => boolean;
}

/** null when the replies agree under `mode`, else why they don't. */
export function compareReplies(mode: Mode, redis: RespValue, cairn: RespValue, ctx: CompareContext = {}): string | null {
  switch (mode.kind) {
    case 'exact':
      return exact(redis, cairn);
    case 'sorted':
      return sortedList(redis, cairn);
    case 'presence':
      return presence(redis, cairn);
    case 'tolerance':
      return tolerance(mode.within, redis, cairn);
    case 'exec':
      return execItems(mode.modes, redis, cairn, ctx);
    case 'multiset':
      return multiset(redis, cairn);
    case 'pairs':
      return pairMultiset(redis, cairn);
    case 'by-encoding':
      return byEncoding(mode.pairs, redis, cairn, ctx);
    case 'encoding':
      return encoding(mode.key, redis, cairn, ctx);
    case 'idle':
      return idleTimes(mode.within, redis, cairn);
  }
}

function exact(redis: RespValue, cairn: RespValue): string | null {
  return sameReply(redis, cairn) ? null : 'replies differ';
}

function sortedList(redis: RespValue, cairn: RespValue): string | null {
  if (redis.t !== 'array' || cairn.t !== 'array') return exact(redis, cairn);
  const problem = compareKeySets(bulkItems(redis.v), bulkItems(cairn.v));
  return problem === null ? null : `KEYS results differ as sorted lists: ${problem}`;
}

function bulkItems(items: RespValue[]): Buffer[] | null {
  const out: Buffer[] = [];
  for (const item of items) {
    if (item.t !== 'bulk') return null;
    out.push(item.v);
  }
  return out;
}

/**
 * Compares two lists of keys as sorted multisets (or as sets, with `dedupe`: SCAN may return
 * a key more than once). null when equal.
 */
export function compareKeySets(redis: Buffer[] | null, cairn: Buffer[] | null, dedupe = false): string | null {
  if (redis === null || cairn === null) return 'an item is not a bulk string';
  const norm = (keys: Buffer[]): string[] => {
    const text = keys.map((k) => k.toString('latin1'));
    return (dedupe ? [...new Set(text)] : text).sort();
  };
  const a = norm(redis);
  const b = norm(cairn);
  if (a.length === b.length && a.every((k, i) => k === b[i])) return null;
  const onlyRedis = a.filter((k) => !b.includes(k));
  const onlyCairn = b.filter((k) => !a.includes(k));
  return `only in redis: ${JSON.stringify(onlyRedis)}, only in cairn: ${JSON.stringify(onlyCairn)} (counts ${a.length} vs ${b.length})`;
}

function presence(redis: RespValue, cairn: RespValue): string | null {
  if (redis.t === 'bulk' && cairn.t === 'bulk') return null;
  return exact(redis, cairn);
}

function tolerance(within: number, redis: RespValue, cairn: RespValue): string | null {
  if (redis.t !== 'int' || cairn.t !== 'int') return exact(redis, cairn);
  if (redis.v < 0n || cairn.v < 0n) return exact(redis, cairn);
  const gap = redis.v > cairn.v ? redis.v - cairn.v : cairn.v - redis.v;
  return gap <= BigInt(within) ? null : `differ by ${gap}, more than the tolerance of ${within}`;
}

function execItems(modes: Mode[], redis: RespValue, cairn: RespValue, ctx: CompareContext): string | null {
  if (redis.t !== 'array' || cairn.t !== 'array' || redis.v.length !== modes.length || cairn.v.length !== modes.length) {
    return exact(redis, cairn);
  }
  for (let i = 0; i < modes.length; i++) {
    const previous: [RespValue, RespValue] | undefined = i > 0 ? [redis.v[i - 1]!, cairn.v[i - 1]!] : undefined;
    const problem = compareReplies(modes[i]!, redis.v[i]!, cairn.v[i]!, { ...ctx, ...(previous ? { previous } : {}) });
    if (problem !== null) return `EXEC item ${i}: ${problem} (redis ${show(redis.v[i]!)}, cairn ${show(cairn.v[i]!)})`;
  }
  return null;
}

/** The items of an array or RESP3 set, with the container's type; null for any other reply. */
function listItems(v: RespValue): { t: 'array' | 'set'; items: RespValue[] } | null {
  if (v.t === 'array' || v.t === 'set') return { t: v.t, items: v.v };
  return null;
}

/** Sorted renderings: two multisets are equal when these lists are. */
function canonical(items: RespValue[]): string[] {
  return items.map(show).sort();
}

function multisetDiff(a: string[], b: string[]): string | null {
  if (a.length === b.length && a.every((x, i) => x === b[i])) return null;
  const count = (xs: string[]): Map<string, number> => {
    const m = new Map<string, number>();
    for (const x of xs) m.set(x, (m.get(x) ?? 0) + 1);
    return m;
  };
  const ca = count(a);
  const cb = count(b);
  const onlyRedis: string[] = [];
  const onlyCairn: string[] = [];
  for (const [x, n] of ca) for (let i = cb.get(x) ?? 0; i < n; i++) onlyRedis.push(x);
  for (const [x, n] of cb) for (let i = ca.get(x) ?? 0; i < n; i++) onlyCairn.push(x);
  const cut = (xs: string[]): string => (xs.length > 10 ? `${xs.slice(0, 10).join(', ')}, ... (${xs.length})` : xs.join(', '));
  return `as multisets: only in redis [${cut(onlyRedis)}], only in cairn [${cut(onlyCairn)}] (sizes ${a.length} vs ${b.length})`;
}

function multiset(redis: RespValue, cairn: RespValue): string | null {
  const r = listItems(redis);
  const c = listItems(cairn);
  if (r === null || c === null || r.t !== c.t) return exact(redis, cairn);
  return multisetDiff(canonical(r.items), canonical(c.items));
}

/**
 * Field/value pairs of a reply: a RESP3 map, a flat array of even length, or an array of
 * two-element arrays. null when the reply has none of these shapes.
 */
export function replyPairs(v: RespValue): Array<[RespValue, RespValue]> | null {
  if (v.t === 'map') return v.v;
  if (v.t !== 'array') return null;
  if (v.v.every((x) => x.t === 'array' && x.v.length === 2)) return v.v.map((x) => (x as { v: RespValue[] }).v as [RespValue, RespValue]);
  if (v.v.length % 2 !== 0) return null;
  const out: Array<[RespValue, RespValue]> = [];
  for (let i = 0; i < v.v.length; i += 2) out.push([v.v[i]!, v.v[i + 1]!]);
  return out;
}

function pairMultiset(redis: RespValue, cairn: RespValue): string | null {
  if (redis.t !== cairn.t) return exact(redis, cairn);
  const r = replyPairs(redis);
  const c = replyPairs(cairn);
  if (r === null || c === null) return exact(redis, cairn);
  const render = (ps: Array<[RespValue, RespValue]>): string[] => ps.map(([k, v]) => `${show(k)} => ${show(v)}`).sort();
  return multisetDiff(render(r), render(c));
}

/** Encodings whose iteration order Redis defines (insertion order, or sorted for intsets). */
const ORDERED_ENCODINGS = new Set(['listpack', 'intset', 'ziplist']);

function encodingName(v: RespValue | undefined): string | null {
  return v !== undefined && v.t === 'bulk' ? v.v.toString('latin1') : null;
}

function byEncoding(pairs: boolean, redis: RespValue, cairn: RespValue, ctx: CompareContext): string | null {
  const [redisEnc, cairnEnc] = [encodingName(ctx.previous?.[0]), encodingName(ctx.previous?.[1])];
  if (redisEnc !== null && redisEnc === cairnEnc && ORDERED_ENCODINGS.has(redisEnc)) {
    const problem = exact(redis, cairn);
    return problem === null ? null : `${problem} (both ${redisEnc}: the order is defined)`;
  }
  return pairs ? pairMultiset(redis, cairn) : multiset(redis, cairn);
}

/** Encoding pairs (redis, cairn) allowed on a tainted key: Redis compact, Cairn not. */
const RESTORE_DIVERGENCE = new Set(['listpack/hashtable', 'intset/hashtable', 'listpack/skiplist']);

/** Whether OBJECT ENCODING may answer `redis` on Redis and `cairn` on Cairn for a tainted key. */
export function allowedEncodingDivergence(redis: RespValue, cairn: RespValue): boolean {
  const [r, c] = [encodingName(redis), encodingName(cairn)];
  return r !== null && c !== null && RESTORE_DIVERGENCE.has(`${r}/${c}`);
}

function encoding(key: string, redis: RespValue, cairn: RespValue, ctx: CompareContext): string | null {
  const problem = exact(redis, cairn);
  if (problem === null) return null;
  if (ctx.tainted?.(key) && allowedEncodingDivergence(redis, cairn)) return null;
  return problem;
}

/** Whether two integers are within `within` of each other. */
function close(within: number, a: RespValue, b: RespValue): boolean {
  if (a.t !== 'int' || b.t !== 'int' || a.v < 0n || b.v < 0n) return false;
  return (a.v > b.v ? a.v - b.v : b.v - a.v) <= BigInt(within);
}

/**
 * Walks both replies together: equal everywhere, except integers that are idle times (after a
 * bulk/simple "idle" in a flat list or a map, or third in a four-item [id, consumer, idle,
 * deliveries] list) may differ by `within`.
 */
function idleTimes(within: number, redis: RespValue, cairn: RespValue): string | null {
  const isIdleKey = (v: RespValue | undefined): boolean => v !== undefined && (v.t === 'bulk' || v.t === 'simple') && v.v.toString() === 'idle';
  const walk = (r: RespValue, c: RespValue): boolean => {
    if (r.t === 'map' && c.t === 'map') {
      return r.v.length === c.v.length && r.v.every(([k, x], i) => sameReply(k, c.v[i]![0]) && (isIdleKey(k) ? close(within, x, c.v[i]![1]) : walk(x, c.v[i]![1])));
    }
    if (r.t === 'array' && c.t === 'array' && r.v.length === c.v.length) {
      const pendingEntry = r.v.length === 4 && r.v[0]!.t === 'bulk' && r.v[1]!.t === 'bulk' && r.v[2]!.t === 'int' && r.v[3]!.t === 'int';
      return r.v.every((x, i) => {
        const y = c.v[i]!;
        if ((pendingEntry && i === 2) || isIdleKey(r.v[i - 1])) return sameReply(x, y) || close(within, x, y);
        return walk(x, y);
      });
    }
    return sameReply(r, c);
  };
  return walk(redis, cairn) ? null : `replies differ (idle times may differ by ${within} ms, nothing else)`;
}
