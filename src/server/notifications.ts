// Keyspace notifications (Redis notify.c): key events recorded by the core become pub/sub
// messages on __keyspace@<db>__:<key> (payload: the event) and __keyevent@<db>__:<event>
// (payload: the key), filtered by the classes in `notify-keyspace-events`.
//
// The core records {db, event, key} with Redis's event names (ctx.ks.notify); the class of an
// event is not recorded with it but looked up here, because Redis's names are unique per class.
import type { KeyEvent } from '../core/keyspace.js';
import type { Engine } from './engine.js';
import type { Session } from './session.js';

/** Class bits, with Redis's values (server.h NOTIFY_*). */
export const NOTIFY = {
  KEYSPACE: 1 << 0, //  K
  KEYEVENT: 1 << 1, //  E
  GENERIC: 1 << 2, //   g
  STRING: 1 << 3, //    $
  LIST: 1 << 4, //      l
  SET: 1 << 5, //       s
  HASH: 1 << 6, //      h
  ZSET: 1 << 7, //      z
  EXPIRED: 1 << 8, //   x
  EVICTED: 1 << 9, //   e
  STREAM: 1 << 10, //   t
  KEY_MISS: 1 << 11, // m (never part of A)
  MODULE: 1 << 13, //   d
  NEW: 1 << 14, //      n (never part of A)
} as const;

/** 'A': every class but key misses and new keys, as Redis defines NOTIFY_ALL. */
export const NOTIFY_ALL =
  NOTIFY.GENERIC | NOTIFY.STRING | NOTIFY.LIST | NOTIFY.SET | NOTIFY.HASH | NOTIFY.ZSET |
  NOTIFY.EXPIRED | NOTIFY.EVICTED | NOTIFY.STREAM | NOTIFY.MODULE;

const FLAG_CHARS: ReadonlyMap<string, number> = new Map([
  ['A', NOTIFY_ALL], ['g', NOTIFY.GENERIC], ['$', NOTIFY.STRING], ['l', NOTIFY.LIST], ['s', NOTIFY.SET],
  ['h', NOTIFY.HASH], ['z', NOTIFY.ZSET], ['x', NOTIFY.EXPIRED], ['e', NOTIFY.EVICTED], ['K', NOTIFY.KEYSPACE],
  ['E', NOTIFY.KEYEVENT], ['t', NOTIFY.STREAM], ['m', NOTIFY.KEY_MISS], ['d', NOTIFY.MODULE], ['n', NOTIFY.NEW],
]);

/** The text of `notify-keyspace-events` as flags; null when a character names no class. */
export function parseKeyspaceEventFlags(text: string): number | null {
  let flags = 0;
  for (const c of text) {
    const bits = FLAG_CHARS.get(c);
    if (bits === undefined) return null;
    flags |= bits;
  }
  return flags;
}

/** Flags back to text, in Redis's canonical order (what CONFIG GET shows): 'KEA' becomes 'AKE'. */
export function keyspaceEventFlagsToString(flags: number): string {
  let out = '';
  if ((flags & NOTIFY_ALL) === NOTIFY_ALL) {
    out += 'A';
  } else {
    const classes: Array<[number, string]> = [
      [NOTIFY.GENERIC, 'g'], [NOTIFY.STRING, '$'], [NOTIFY.LIST, 'l'], [NOTIFY.SET, 's'], [NOTIFY.HASH, 'h'],
      [NOTIFY.ZSET, 'z'], [NOTIFY.EXPIRED, 'x'], [NOTIFY.EVICTED, 'e'], [NOTIFY.STREAM, 't'], [NOTIFY.MODULE, 'd'],
      [NOTIFY.NEW, 'n'],
    ];
    for (const [bit, c] of classes) if (flags & bit) out += c;
  }
  if (flags & NOTIFY.KEYSPACE) out += 'K';
  if (flags & NOTIFY.KEYEVENT) out += 'E';
  if (flags & NOTIFY.KEY_MISS) out += 'm';
  return out;
}

/**
 * Config validation of `notify-keyspace-events`. The stored text names every class it enables
 * (so 'n' survives next to 'A'); CONFIG GET shows Redis's canonical, lossy form instead.
 */
export function normalizeKeyspaceEventsOption(raw: string): { value: string } | { error: string } {
  const flags = parseKeyspaceEventFlags(raw);
  if (flags === null) return { error: 'Invalid event class character. Use \'Ag$lshzxeKEtmdn\'.' };
  let stored = '';
  for (const [c, bits] of FLAG_CHARS) if (c !== 'A' && (flags & bits) !== 0) stored += c;
  return { value: stored };
}

/** What CONFIG GET shows for the stored classes: 'AKEn' reads back as 'AKE' (Redis omits n next to A). */
export function displayKeyspaceEventsOption(stored: string): string {
  return keyspaceEventFlagsToString(parseKeyspaceEventFlags(stored) ?? 0);
}

/**
 * The class of each event name Redis fires (notifyKeyspaceEvent calls across t_*.c, db.c,
 * expire.c, evict.c, sort.c, geo.c, hyperloglog.c, bitops.c). A name is unique to its class.
 */
const EVENT_CLASS: ReadonlyMap<string, number> = new Map([
  ...['del', 'expire', 'persist', 'rename_from', 'rename_to', 'move_from', 'move_to', 'copy_to', 'restore'].map(
    (e) => [e, NOTIFY.GENERIC] as const),
  ...['set', 'setrange', 'append', 'incrby', 'incrbyfloat', 'setbit', 'pfadd', 'pfdebug'].map((e) => [e, NOTIFY.STRING] as const),
  ...['lpush', 'rpush', 'lpop', 'rpop', 'linsert', 'lset', 'lrem', 'ltrim', 'sortstore'].map((e) => [e, NOTIFY.LIST] as const),
  ...['sadd', 'srem', 'spop', 'sinterstore', 'sunionstore', 'sdiffstore'].map((e) => [e, NOTIFY.SET] as const),
  ...['hset', 'hdel', 'hincrby', 'hincrbyfloat', 'hexpire', 'hpersist', 'hexpired'].map((e) => [e, NOTIFY.HASH] as const),
  ...['zadd', 'zincr', 'zrem', 'zremrangebyscore', 'zremrangebyrank', 'zremrangebylex', 'zinterstore', 'zunionstore',
    'zdiffstore', 'zrangestore', 'zpopmin', 'zpopmax', 'georadiusstore', 'geosearchstore'].map((e) => [e, NOTIFY.ZSET] as const),
  ...['xadd', 'xtrim', 'xdel', 'xsetid', 'xgroup-create', 'xgroup-createconsumer', 'xgroup-delconsumer', 'xgroup-destroy',
    'xgroup-setid', 'xclaim', 'xautoclaim'].map((e) => [e, NOTIFY.STREAM] as const),
  ['expired', NOTIFY.EXPIRED],
  ['evicted', NOTIFY.EVICTED],
  ['new', NOTIFY.NEW],
  ['keymiss', NOTIFY.KEY_MISS],
]);

/** The class bit of an event name; an unknown name counts as generic. */
export function eventClass(event: string): number {
  return EVENT_CLASS.get(event) ?? NOTIFY.GENERIC;
}

/** True for event names Redis fires (used by tests to check every name the core uses). */
export function isKnownEvent(event: string): boolean {
  return EVENT_CLASS.has(event);
}

/** Publishes one key event according to the configured classes (Redis notifyKeyspaceEvent). */
export function publishKeyEvent(engine: Engine, flags: number, ev: KeyEvent): void {
  if ((flags & eventClass(ev.event)) === 0) return;
  if (flags & NOTIFY.KEYSPACE) engine.pubsub.publish(`__keyspace@${ev.db}__:${ev.key}`, ev.event);
  if (flags & NOTIFY.KEYEVENT) engine.pubsub.publish(`__keyevent@${ev.db}__:${ev.event}`, ev.key);
}

/**
 * Takes the key events the core recorded and hands each to its two listeners: keyspace
 * notifications and client-side caching invalidation. `current` is the session whose command
 * produced them (null for the cron's active expiry): NOLOOP and the ordering of a client's own
 * invalidations after its reply depend on it.
 *
 * Tracking learns about written keys from these events rather than from the effects, because
 * an event names the key that changed (and its database) directly: effects would have to be
 * taken apart with each command's key positions, would miss MOVE's target database, and carry
 * expiries as DELs only once they are logged; every write in Redis that calls
 * signalModifiedKey also fires a notification with the same key, and the core mirrors that.
 */
export function dispatchKeyEvents(engine: Engine, current: Session | null): void {
  const events = engine.ks.takeEvents();
  if (events.length === 0) return;
  const flags = engine.pubsub.notifyFlags;
  const tracking = engine.tracking;
  for (const ev of events) {
    if (flags !== 0) publishKeyEvent(engine, flags, ev);
    // A key miss reads; it changes nothing a client may have cached.
    if (tracking.active && ev.event !== 'keymiss') tracking.keyModified(ev.key, current);
  }
}
