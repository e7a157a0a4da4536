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
  | { kind: 'exec'; modes: Mode[] };

/** null when the replies agree under `mode`, else why they don't. */
export function compareReplies(mode: Mode, redis: RespValue, cairn: RespValue): string | null {
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
      return execItems(mode.modes, redis, cairn);
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

function execItems(modes: Mode[], redis: RespValue, cairn: RespValue): string | null {
  if (redis.t !== 'array' || cairn.t !== 'array' || redis.v.length !== modes.length || cairn.v.length !== modes.length) {
    return exact(redis, cairn);
  }
  for (let i = 0; i < modes.length; i++) {
    const problem = compareReplies(modes[i]!, redis.v[i]!, cairn.v[i]!);
    if (problem !== null) return `EXEC item ${i}: ${problem} (redis ${show(redis.v[i]!)}, cairn ${show(cairn.v[i]!)})`;
  }
  return null;
}
