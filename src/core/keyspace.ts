// The key space: databases of entries, lazy and active expiry, WATCH bookkeeping,
// and the effect log. Deterministic: time and randomness are fields the shell sets.
import { assert } from './assert.js';
import { limits } from './limits.js';
import { Rng } from './rng.js';
import { entryBytes } from './memory.js';
import { valueBytes } from './types/registry.js';
import { lfuDecayed, lfuIncrement } from './lfu.js';
import { ITEM_META_BYTES, type ItemMeta } from './memcached/item-meta.js';

export type ValueType = 'string' | 'list' | 'set' | 'zset' | 'hash' | 'stream';

/**
 * One key and its value. Fields are plain so that V8 keeps one hidden class, and few: with a
 * million keys every field costs 8 MB (docs/design/hot-path.md, "Memory per key").
 *
 * Numbers are kept as small integers where V8 stores them unboxed: a field that ever held a
 * number beyond 31 bits is turned by V8 into a boxed double in *every* Entry (16 more bytes
 * each, even where the field is 0). So the access time is kept in seconds (as Redis's LRU
 * clock, whose resolution is one second), the LFU counter and the encoding flags share one
 * field, and the expiry time, which needs milliseconds, is kept as an offset that fits a small
 * integer (see encodeExpiry below): no TTL and a TTL within 24 days of the first one cost
 * nothing, any other TTL one small box object.
 */
export class Entry {
  /** The expiry time, encoded (encodeExpiry): null when the key does not expire. */
  private expiry: number | FarExpiry | null = null;
  /** Position in the database's dense array (SCAN cursors and random sampling). */
  idx = -1;
  /** Time of last access in seconds since LRU_EPOCH_SECONDS (OBJECT IDLETIME, LRU eviction). */
  private lruSeconds = 0;
  /** LFU counter (low 8 bits) and the flags (RAW_ENCODING, NEVER_INT_ENCODED, ASCII_VALUE). */
  private bits = LFU_INIT_VAL;
  /** Estimated heap bytes of this key (memory.ts), as last accounted in the database's total. */
  bytes = 0;

  constructor(
    readonly key: string,
    public type: ValueType,
    /** The value (read and written through `value`, which keeps ASCII_VALUE true to it). */
    private stored: any,
  ) {}

  get value(): any {
    return this.stored;
  }

  /** Every change of value goes through here, and forgets that the old one was ASCII. */
  set value(value: any) {
    this.stored = value;
    this.bits &= ~ASCII_VALUE;
  }

  /**
   * The string value is known to be ASCII (the same text in latin1 and UTF-8): set by whoever
   * stored it after checking (the embedded typed SET), so that reads for in-process callers skip
   * the check. Unset means unknown; any later change of value unsets it.
   */
  get asciiValue(): boolean {
    return (this.bits & ASCII_VALUE) !== 0;
  }

  markAsciiValue(): void {
    this.bits |= ASCII_VALUE;
  }

  /** A new value: no encoding flag (RAW_ENCODING, NEVER_INT_ENCODED, ASCII_VALUE) applies to it. */
  clearFlags(): void {
    this.bits &= LFU_MASK;
  }

  /** Absolute expiry in ms since the epoch; 0 means the key does not expire. */
  get expiresAt(): number {
    const x = this.expiry;
    if (x === null) return 0;
    return typeof x === 'number' ? x + expiryBase : x.at;
  }

  set expiresAt(ms: number) {
    this.expiry = ms === 0 ? null : encodeExpiry(ms);
  }

  /** Time of last access in ms since the epoch, to the second (OBJECT IDLETIME, LRU eviction). */
  get accessedAt(): number {
    return (this.lruSeconds + LRU_EPOCH_SECONDS) * 1000;
  }

  set accessedAt(ms: number) {
    this.lruSeconds = Math.floor(ms / 1000) - LRU_EPOCH_SECONDS;
  }

  /** Logarithmic access counter (OBJECT FREQ, LFU eviction), 0..255. */
  get freq(): number {
    return this.bits & LFU_MASK;
  }

  set freq(counter: number) {
    this.bits = (this.bits & ~LFU_MASK) | (counter & LFU_MASK);
  }

  /** A string changed in place (APPEND, SETRANGE) reports the raw encoding, as Redis does. */
  get rawEncoding(): boolean {
    return (this.bits & RAW_ENCODING) !== 0;
  }

  set rawEncoding(on: boolean) {
    this.bits = on ? this.bits | RAW_ENCODING : this.bits & ~RAW_ENCODING;
  }

  /** INCRBYFLOAT stores its result as plain text, never int-encoded, even when it reads as an integer. */
  get neverIntEncoded(): boolean {
    return (this.bits & NEVER_INT_ENCODED) !== 0;
  }

  set neverIntEncoded(on: boolean) {
    this.bits = on ? this.bits | NEVER_INT_ENCODED : this.bits & ~NEVER_INT_ENCODED;
  }
}

/** Base of Entry's access time in seconds, so that it stays a small integer until 2088. */
const LRU_EPOCH_SECONDS = 1_600_000_000;
/** A new key's LFU counter, as Redis's LFU_INIT_VAL. */
const LFU_INIT_VAL = 5;
const LFU_MASK = 0xff;
const RAW_ENCODING = 1 << 8;
const NEVER_INT_ENCODED = 1 << 9;
const ASCII_VALUE = 1 << 10;

/**
 * Expiry times as small integers. A time in ms since the epoch needs 41 bits, and V8 keeps a
 * number beyond 31 bits as a heap number: 16 bytes allocated per TTL write (which survives a
 * young-generation GC with its key) and one more pointer to follow, a likely cache miss, on
 * every lookup of a key with a TTL. So Entry keeps the expiry as an offset from expiryBase when
 * it falls within [expiryBase, expiryBase + 2^31) ms (24.8 days): a small integer stored in
 * place. The base is set by the first TTL stored in the process (17 minutes before it), so TTLs
 * set within about 24 days of it take the fast form. Any other time is stored exactly in a small
 * box object (FarExpiry), as a heap number was before. docs/design/expiry-encoding.md.
 */
let expiryBase = Number.NaN;
const EXPIRY_BASE_MARGIN_MS = 1 << 20;
const SMALL_OFFSET_LIMIT = 2 ** 31;

class FarExpiry {
  constructor(readonly at: number) {}
}

function encodeExpiry(ms: number): number | FarExpiry {
  if (Number.isNaN(expiryBase) && Number.isSafeInteger(ms)) expiryBase = ms - EXPIRY_BASE_MARGIN_MS;
  const offset = ms - expiryBase;
  return offset >= 0 && offset < SMALL_OFFSET_LIMIT && Number.isInteger(offset) ? offset : new FarExpiry(ms);
}

/**
 * Makes V8 store Entry's expiry and size fields as tagged values: a small integer in place, any
 * other number as its own heap number. Left alone, V8 would switch such a field to an unboxed-
 * double representation the first time any key got a TTL, which costs a 16-byte box in every
 * Entry, TTL or not (measured: 136 against 88 bytes per Entry). Storing a non-number once
 * generalizes the field for the class, in place; this throwaway Entry is never stored.
 */
function keepTagged(): void {
  const probe = new Entry('', 'string', '') as unknown as { expiry: unknown; bytes: unknown };
  probe.expiry = null;
  probe.bytes = null;
}
keepTagged();

/** A write in deterministic form, as the append-only log and replicas carry it. */
export interface Effect {
  readonly db: number;
  readonly argv: readonly string[];
}

/** A client's WATCH list; the key space marks it dirty when a watched key changes. */
export class WatchState {
  dirty = false;
  readonly keys: WatchedKey[] = [];
}

interface WatchedKey {
  readonly db: Database;
  readonly key: string;
  /** The key was already logically expired when watched: its deletion is not a change. */
  expiredAtWatch: boolean;
}

export interface KeyspaceStats {
  keyspaceHits: number;
  keyspaceMisses: number;
  expiredKeys: number;
  expiredStaleKeysSampled: number;
  evictedKeys: number;
}

export class Database {
  entries = new Map<string, Entry>();
  /** Entries in a dense array: SCAN walks it from the top so swap-removal never hides a key. */
  dense: Entry[] = [];
  /** Entries that carry a TTL, for the active expiry cycle. */
  volatile = new Set<Entry>();
  /** Persistent cursor of the active expiry cycle over `volatile`. */
  private expireCursor: Iterator<Entry> | null = null;
  /** Watched keys of this database: key -> the clients' watch states. */
  readonly watched = new Map<string, Set<WatchState>>();
  /** Keys some client is blocked on (BLPOP ...), with how many clients wait on each. */
  readonly blockingKeys = new Map<string, number>();
  /** Sum of the entries' estimated bytes (memory accounting; the keyspace keeps the overall sum). */
  usedBytes = 0;
  /**
   * memcached's flags, CAS and meta bits, only for keys memcached stored or read (created on first
   * use). A record is dropped whenever its key's value changes or the key goes, whoever does it
   * (docs/design/memcached.md); a TTL change alone keeps it.
   */
  itemMeta: Map<string, ItemMeta> | null = null;

  constructor(
    readonly id: number,
    private readonly ks: Keyspace,
  ) {}

  get size(): number {
    return this.entries.size;
  }

  get volatileCount(): number {
    return this.volatile.size;
  }

  /** The entry as stored, expired or not, without side effects. */
  peek(key: string): Entry | undefined {
    return this.entries.get(key);
  }

  /** The live entry for a key; an expired one is deleted on the way (lazy expiry). */
  get(key: string): Entry | undefined {
    const e = this.entries.get(key);
    if (e === undefined) return undefined;
    const at = e.expiresAt;
    if (at !== 0 && at <= this.ks.now) {
      // A replica hides the key but leaves its deletion to the primary's DEL (Redis does too).
      if (!this.ks.replicaExpiry) this.expireEntry(e);
      return undefined;
    }
    return e;
  }

  /** A read lookup: counts hits and misses and refreshes the access time. */
  lookupRead(key: string): Entry | undefined {
    const e = this.get(key);
    if (e === undefined) {
      this.ks.stats.keyspaceMisses++;
      this.ks.notify(this.id, 'keymiss', key); // Redis fires it wherever it counts a read miss
      return undefined;
    }
    this.ks.stats.keyspaceHits++;
    this.ks.recordAccess(e);
    return e;
  }

  /** A write lookup: refreshes the access time, counts nothing. */
  lookupWrite(key: string): Entry | undefined {
    const e = this.get(key);
    if (e !== undefined) this.ks.recordAccess(e);
    return e;
  }

  /** Creates a key that must not exist yet. */
  add(key: string, type: ValueType, value: unknown): Entry {
    assert(!this.entries.has(key), `add: key exists`);
    const e = new Entry(key, type, value);
    e.accessedAt = this.ks.now;
    e.idx = this.dense.length;
    this.dense.push(e);
    this.entries.set(key, e);
    this.resize(e);
    this.markWatchersDirty(key);
    this.ks.notify(this.id, 'new', key); // Redis dbAdd: every key creation
    // A new key is the only way an empty list, zset or stream comes to be: wake its waiters.
    if (this.blockingKeys.size !== 0 && this.blockingKeys.has(key)) this.ks.signalReady(this.id, key);
    return e;
  }

  /**
   * Stores a value under a key, replacing whatever was there (Redis setKey).
   * The TTL is cleared unless keepTtl is set.
   */
  set(key: string, type: ValueType, value: unknown, keepTtl = false): Entry {
    return this.replace(this.entries.get(key), key, type, value, keepTtl);
  }

  /**
   * set() for a caller that has just looked the key up (lookupWrite): `old` is what that lookup
   * found, so the key is not looked up a second time.
   */
  replace(old: Entry | undefined, key: string, type: ValueType, value: unknown, keepTtl = false): Entry {
    if (old === undefined) return this.add(key, type, value);
    assert(old.key === key && this.dense[old.idx] === old, 'replace: entry not in database');
    old.type = type;
    old.value = value;
    old.clearFlags();
    old.accessedAt = this.ks.now;
    if (this.itemMeta !== null) this.dropItemMeta(key);
    if (!keepTtl && old.expiresAt !== 0) this.clearExpire(old);
    this.resize(old);
    this.markWatchersDirty(key);
    if (this.blockingKeys.size !== 0 && this.blockingKeys.has(key)) this.ks.signalReady(this.id, key);
    return old;
  }

  /** Deletes a key if present (expired or not); true when something was removed. */
  delete(key: string): boolean {
    const e = this.entries.get(key);
    if (e === undefined) return false;
    this.removeEntry(e);
    this.touch(key);
    return true;
  }

  /** Gives a key a TTL; a change of TTL is a change of the key for WATCH. */
  setExpire(e: Entry, atMs: number): void {
    // The dense array holds exactly the database's entries: an index check, not a second lookup.
    assert(this.dense[e.idx] === e, 'setExpire: entry not in database');
    if (e.expiresAt === 0) this.volatile.add(e);
    e.expiresAt = atMs;
    this.resize(e);
    this.markWatchersDirty(e.key);
  }

  clearExpire(e: Entry): boolean {
    if (e.expiresAt === 0) return false;
    e.expiresAt = 0;
    this.volatile.delete(e);
    this.resize(e);
    this.markWatchersDirty(e.key);
    return true;
  }

  /**
   * Recomputes an entry's estimated bytes and moves the difference into the totals. O(1): each
   * type keeps its own running count (memory.ts).
   */
  resize(e: Entry): void {
    this.ks.sizeNotes++;
    const bytes = entryBytes(e, valueBytes(e.type, e.value));
    const delta = bytes - e.bytes;
    if (delta === 0) return;
    e.bytes = bytes;
    this.usedBytes += delta;
    this.ks.usedBytes += delta;
  }

  /** Signals that a key changed: WATCH states over it turn dirty, and its size is due for a refresh. */
  touch(key: string): void {
    if (this.itemMeta !== null) this.dropItemMeta(key);
    this.ks.sizeMayHaveChanged(this, key);
    this.markWatchersDirty(key);
  }

  /**
   * touch() for a caller holding the key's entry, done changing it: its size is refreshed now,
   * without the lookup the deferred refresh would make.
   */
  touchEntry(e: Entry): void {
    assert(this.dense[e.idx] === e, 'touchEntry: entry not in database');
    if (this.itemMeta !== null) this.dropItemMeta(e.key);
    this.resize(e);
    this.markWatchersDirty(e.key);
  }

  /**
   * A change Redis does not signal to WATCH (consumer-group bookkeeping): only the key's size
   * estimate is refreshed.
   */
  sizeChanged(key: string): void {
    this.ks.sizeMayHaveChanged(this, key);
  }

  /** The memcached record of a key, if memcached used it since its value last changed. */
  itemMetaOf(key: string): ItemMeta | undefined {
    return this.itemMeta === null ? undefined : this.itemMeta.get(key);
  }

  /** Stores a key's memcached record (the key must exist), counted in the memory totals. */
  setItemMeta(key: string, meta: ItemMeta): void {
    assert(this.entries.has(key), 'setItemMeta: no such key');
    if (this.itemMeta === null) this.itemMeta = new Map();
    const size = this.itemMeta.size;
    this.itemMeta.set(key, meta);
    if (this.itemMeta.size !== size) this.accountItemMeta(ITEM_META_BYTES);
  }

  private dropItemMeta(key: string): void {
    if (this.itemMeta!.delete(key)) this.accountItemMeta(-ITEM_META_BYTES);
  }

  private accountItemMeta(delta: number): void {
    this.usedBytes += delta;
    this.ks.usedBytes += delta;
  }

  /** touch() without the size refresh, for changes that re-measured the entry already. */
  private markWatchersDirty(key: string): void {
    if (this.watched.size === 0) return;
    const states = this.watched.get(key);
    if (states === undefined) return;
    for (const state of states) {
      if (state.dirty) continue;
      const wk = state.keys.find((k) => k.db === this && k.key === key);
      if (wk !== undefined && wk.expiredAtWatch && !this.entries.has(key)) {
        wk.expiredAtWatch = false; // the expired key is now gone: logically nothing changed
        continue;
      }
      state.dirty = true;
    }
  }

  /** Deletes an expired entry and records the effect, as Redis propagates a DEL. */
  expireEntry(e: Entry): void {
    this.removeEntry(e);
    this.ks.stats.expiredKeys++;
    this.ks.emit(this.id, ['DEL', e.key]);
    this.ks.notify(this.id, 'expired', e.key);
    this.touch(e.key);
  }

  /** True when the key exists but its TTL has passed (it is still stored). */
  isLogicallyExpired(key: string): boolean {
    const e = this.entries.get(key);
    return e !== undefined && e.expiresAt !== 0 && e.expiresAt <= this.ks.now;
  }

  /** A uniformly random live entry, or undefined when the database is empty. */
  randomEntry(): Entry | undefined {
    // Bounded retries: a database full of expired keys still answers quickly.
    for (let tries = 0; tries < 100 && this.dense.length > 0; tries++) {
      const e = this.dense[this.ks.rng.below(this.dense.length)]!;
      if (e.expiresAt !== 0 && e.expiresAt <= this.ks.now) {
        if (!this.ks.replicaExpiry) this.expireEntry(e);
        continue;
      }
      return e;
    }
    // Many expired keys: fall back to a scan that expires as it goes.
    for (let i = this.dense.length - 1; i >= 0; i = Math.min(i - 1, this.dense.length - 1)) {
      const live = this.get(this.dense[i]!.key);
      if (live !== undefined) return live;
    }
    return undefined;
  }

  /**
   * One SCAN step. The cursor counts down from the top of the dense array: removal swaps
   * the last entry into the hole, which moves it only from the visited region into the
   * unvisited one, so an entry present for the whole scan is returned at least once.
   * Returns the next cursor (0 when done). `visit` sees each live entry in range.
   */
  scan(cursor: number, count: number, visit: (e: Entry) => void): number {
    let next = cursor === 0 ? this.dense.length : Math.min(cursor, this.dense.length);
    let budget = count;
    while (next > 0 && budget > 0) {
      next--;
      budget--;
      const e = this.dense[next]!;
      if (e.expiresAt !== 0 && e.expiresAt <= this.ks.now) {
        if (!this.ks.replicaExpiry) this.expireEntry(e);
        continue;
      }
      visit(e);
    }
    return next;
  }

  /** Removes every key; returns how many there were. */
  clear(): number {
    const n = this.entries.size;
    const watchedKeys = this.watched.size > 0 ? [...this.watched.keys()].filter((k) => this.entries.has(k)) : [];
    const waitedOn = this.blockingKeys.size > 0 ? [...this.blockingKeys.keys()].filter((k) => this.entries.has(k)) : [];
    this.entries = new Map();
    this.dense = [];
    this.volatile = new Set();
    this.itemMeta = null;
    this.expireCursor = null;
    this.ks.usedBytes -= this.usedBytes;
    this.usedBytes = 0;
    for (const k of watchedKeys) this.touch(k);
    for (const k of waitedOn) this.ks.signalReady(this.id, k);
    return n;
  }

  /** Exchanges contents with another database (SWAPDB); watch lists stay with their index. */
  swapContents(other: Database): void {
    const touchedHere = [...this.watched.keys()].filter((k) => this.entries.has(k) || other.entries.has(k));
    const touchedThere = [...other.watched.keys()].filter((k) => this.entries.has(k) || other.entries.has(k));
    [this.entries, other.entries] = [other.entries, this.entries];
    [this.dense, other.dense] = [other.dense, this.dense];
    [this.volatile, other.volatile] = [other.volatile, this.volatile];
    [this.usedBytes, other.usedBytes] = [other.usedBytes, this.usedBytes];
    [this.itemMeta, other.itemMeta] = [other.itemMeta, this.itemMeta];
    this.expireCursor = null;
    other.expireCursor = null;
    for (const k of touchedHere) this.touch(k);
    for (const k of touchedThere) other.touch(k);
    // Keys that waiters block on may exist now in either database.
    for (const db of [this, other]) {
      for (const k of db.blockingKeys.keys()) if (db.entries.has(k)) this.ks.signalReady(db.id, k);
    }
  }

  /**
   * One pass of active expiry over at most `keysPerLoop` volatile keys, resuming where the
   * previous pass stopped (as Redis's expires cursor). Returns [examined, expired].
   */
  activeExpirePass(keysPerLoop: number): [number, number] {
    let examined = 0;
    let expired = 0;
    if (this.volatile.size === 0) return [0, 0];
    if (this.expireCursor === null) this.expireCursor = this.volatile.values();
    while (examined < keysPerLoop) {
      const step = this.expireCursor.next();
      if (step.done) {
        this.expireCursor = this.volatile.size > 0 ? this.volatile.values() : null;
        break;
      }
      const e = step.value;
      examined++;
      if (e.expiresAt !== 0 && e.expiresAt <= this.ks.now) {
        this.expireEntry(e);
        expired++;
      }
    }
    return [examined, expired];
  }

  private removeEntry(e: Entry): void {
    // Waiters on a stream must learn it is gone (XREADGROUP answers an error), so deletion
    // signals too; list and zset waiters simply block again.
    if (this.blockingKeys.size !== 0 && this.blockingKeys.has(e.key)) this.ks.signalReady(this.id, e.key);
    this.entries.delete(e.key);
    if (this.itemMeta !== null) this.dropItemMeta(e.key);
    if (e.expiresAt !== 0) this.volatile.delete(e);
    this.usedBytes -= e.bytes;
    this.ks.usedBytes -= e.bytes;
    e.bytes = 0;
    const last = this.dense.pop()!;
    if (last !== e) {
      this.dense[e.idx] = last;
      last.idx = e.idx;
    }
    e.idx = -1;
  }
}

export interface KeyspaceOptions {
  databases?: number;
  seed?: number;
}

/** Slots Keyspace keeps for keys whose size is due for a refresh, between two settleSizes(). */
const RESIZE_SLOTS_KEPT = 1024;

/** A keyspace event for notifications (issue of pub/sub): database, event name, key. */
export interface KeyEvent {
  readonly db: number;
  readonly event: string;
  readonly key: string;
}

export class Keyspace {
  /** Current time in ms, set by the shell before each command (the core never reads a clock). */
  now = 0;
  readonly rng: Rng;
  readonly dbs: Database[];
  readonly stats: KeyspaceStats = { keyspaceHits: 0, keyspaceMisses: 0, expiredKeys: 0, expiredStaleKeysSampled: 0, evictedKeys: 0 };
  /** Writes since the last save (Redis `dirty`). */
  dirty = 0;
  /**
   * The next memcached CAS unique. Not persisted: the shell starts it from the clock so that it
   * keeps increasing across restarts (docs/design/memcached.md).
   */
  casNext = 1;
  /** Estimated heap bytes of every key of every database (memory accounting, memory.ts). */
  usedBytes = 0;
  /** Keys changed since the last settleSizes(), whose estimate may be stale. */
  private resizeDbs: Database[] = [];
  private resizeKeys: string[] = [];
  /**
   * How many of the slots above are in use: the arrays are reused between calls instead of being
   * truncated (setting an array's length to 0 frees its store, and the next write's push
   * allocates a new one: a call into the runtime and an allocation per write command).
   */
  private resizeCount = 0;
  /**
   * Counts every size refresh asked for or done (touch, resize). The engine compares it before
   * and after a write: a write that refreshed nothing changed its keys in place without saying
   * so (consumer-group bookkeeping, encoding changes Redis does not signal to WATCH), and only
   * then are its declared keys measured again.
   */
  sizeNotes = 0;
  /**
   * Access tracking for eviction (maxmemory-policy): under an LFU policy every access updates
   * Entry.freq with Redis's logarithmic counter; accessedAt is the last access time either way.
   */
  lfu = { enabled: false, logFactor: 10, decayMinutes: 1 };
  /** Cluster mode: clients see database 0 only (SELECT, MOVE, SWAPDB and COPY ... DB refuse others). */
  singleDatabase = false;
  /**
   * Set on a replica of a group: keys past their time are hidden from reads but never deleted
   * here (no lazy or active expiry); only the primary's logged DEL removes them, so every write
   * the primary ran on a key it still saw alive applies identically on the replica.
   */
  replicaExpiry = false;
  /** Effects not yet taken by the shell. */
  private effects: Effect[] = [];
  /**
   * Whether effects are kept at all. The shell turns it off when nothing takes them (no log, no
   * replica), and handlers may then skip building an effect's argv (see effectsWanted).
   */
  recordEffects = true;
  /** Key events not yet taken by the shell; collected only while someone listens. */
  private events: KeyEvent[] = [];
  collectEvents = false;

  constructor(options: KeyspaceOptions = {}) {
    const n = options.databases ?? limits.databases;
    this.rng = new Rng(options.seed ?? 1);
    this.dbs = Array.from({ length: n }, (_, i) => new Database(i, this));
  }

  db(index: number): Database {
    const d = this.dbs[index];
    assert(d !== undefined, `no database ${index}`);
    return d;
  }

  /** Records a read or write access to a key: its access time and, under LFU, its counter. */
  recordAccess(e: Entry): void {
    if (this.lfu.enabled) {
      const decayed = lfuDecayed(e.freq, e.accessedAt, this.now, this.lfu.decayMinutes);
      e.freq = lfuIncrement(decayed, this.lfu.logFactor, this.rng);
    }
    e.accessedAt = this.now;
  }

  /** A key changed (Database.touch): its size is refreshed at the next settleSizes(). */
  sizeMayHaveChanged(db: Database, key: string): void {
    this.sizeNotes++;
    const n = this.resizeCount++;
    if (n < this.resizeKeys.length) {
      this.resizeDbs[n] = db;
      this.resizeKeys[n] = key;
    } else {
      this.resizeDbs.push(db);
      this.resizeKeys.push(key);
    }
  }

  /** Brings the estimates of the keys changed since the last call up to date. */
  settleSizes(): void {
    const n = this.resizeCount;
    if (n === 0) return;
    this.resizeCount = 0;
    const keys = this.resizeKeys;
    for (let i = 0; i < n; i++) {
      const e = this.resizeDbs[i]!.peek(keys[i]!);
      if (e !== undefined) this.resizeDbs[i]!.resize(e);
      keys[i] = ''; // the slot must not keep a deleted key's name alive
    }
    // After a very large batch (an MSET of many keys) the arrays give their memory back.
    if (keys.length > RESIZE_SLOTS_KEPT) {
      this.resizeDbs.length = 0;
      keys.length = 0;
    }
  }

  /** Estimated bytes of the whole data set, every pending change accounted. */
  datasetBytes(): number {
    this.settleSizes();
    return this.usedBytes;
  }

  /** A fresh memcached CAS unique, larger than every one given before. */
  nextCas(): number {
    return this.casNext++;
  }

  emit(db: number, argv: readonly string[]): void {
    if (this.recordEffects) this.effects.push({ db, argv });
  }

  /** Keys written while clients were blocked on them; the engine serves their waiters. */
  private ready: Array<{ db: number; key: string }> = [];

  /** Marks a key as ready for its blocked clients (a push, a new key, XADD). */
  signalReady(db: number, key: string): void {
    if (this.dbs[db]!.blockingKeys.has(key)) this.ready.push({ db, key });
  }

  /** Whether keys were signalled ready since the last takeReadyKeys. */
  get readyKeysPending(): boolean {
    return this.ready.length !== 0;
  }

  takeReadyKeys(): Array<{ db: number; key: string }> {
    if (this.ready.length === 0) return NO_READY;
    const out = this.ready;
    this.ready = [];
    return out;
  }

  notify(db: number, event: string, key: string): void {
    if (this.collectEvents) this.events.push({ db, event, key });
  }

  /** How many effects are waiting to be taken (a mark for dropEffectsFrom). */
  pendingEffects(): number {
    return this.effects.length;
  }

  /** Forgets the effects recorded after `mark` (a script's redis.set_repl(redis.REPL_NONE)). */
  dropEffectsFrom(mark: number): void {
    if (mark < this.effects.length) this.effects.length = mark;
  }

  /** Takes the effects recorded since the last call. */
  takeEffects(): Effect[] {
    if (this.effects.length === 0) return NO_EFFECTS;
    const out = this.effects;
    this.effects = [];
    return out;
  }

  takeEvents(): KeyEvent[] {
    if (this.events.length === 0) return NO_EVENTS;
    const out = this.events;
    this.events = [];
    return out;
  }

  /** Registers a client's interest in a key for WATCH. */
  watch(state: WatchState, db: Database, key: string): void {
    if (state.keys.some((k) => k.db === db && k.key === key)) return;
    state.keys.push({ db, key, expiredAtWatch: db.isLogicallyExpired(key) });
    let set = db.watched.get(key);
    if (set === undefined) db.watched.set(key, (set = new Set()));
    set.add(state);
  }

  unwatchAll(state: WatchState): void {
    for (const { db, key } of state.keys) {
      const set = db.watched.get(key);
      if (set === undefined) continue;
      set.delete(state);
      if (set.size === 0) db.watched.delete(key);
    }
    state.keys.length = 0;
    state.dirty = false;
  }

  /** EXEC's check: a watched key changed, or expired since it was watched. */
  watchBroken(state: WatchState): boolean {
    if (state.dirty) return true;
    for (const wk of state.keys) {
      if (!wk.expiredAtWatch && wk.db.isLogicallyExpired(wk.key)) return true;
    }
    return false;
  }

  /** Active expiry over every database, with Redis's repeat rule; returns keys expired. */
  activeExpireCycle(): number {
    let total = 0;
    if (this.replicaExpiry) return 0; // a replica waits for the primary's DELs
    for (const db of this.dbs) {
      for (let loop = 0; loop < limits.activeExpireLoopsMax; loop++) {
        const [examined, expired] = db.activeExpirePass(limits.activeExpireKeysPerLoop);
        total += expired;
        this.stats.expiredStaleKeysSampled += examined;
        if (examined === 0 || expired * 100 <= examined * limits.activeExpireRepeatPercent) break;
      }
    }
    return total;
  }

  /** Keys and keys-with-TTL per database (INFO keyspace). */
  keyspaceInfo(): Array<{ db: number; keys: number; expires: number }> {
    return this.dbs.filter((d) => d.size > 0).map((d) => ({ db: d.id, keys: d.size, expires: d.volatileCount }));
  }
}

const NO_EFFECTS: Effect[] = [];
const NO_EVENTS: KeyEvent[] = [];
const NO_READY: Array<{ db: number; key: string }> = [];
