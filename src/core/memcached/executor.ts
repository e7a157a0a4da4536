// The memcached executor: every memcached operation (text, meta and binary protocols parse into
// these calls) against one database of the key space. Deterministic: the time is the key
// space's `now`, set by the caller. Results are statuses and items; the protocol layer turns
// them into bytes. Every write records its effect in RESP form (docs/design/memcached.md).
import type { Database, Entry, Keyspace } from '../keyspace.js';
import { deadlineOf, EXPIRED, NO_EXPIRY, RELATIVE_EXPTIME_MAX_SECONDS, secondsLeft, type Deadline } from './exptime.js';
import { FETCHED, STALE, WIN_SENT, type ItemMeta } from './item-meta.js';
import { parseItemNumber, U64_MAX } from './numbers.js';
import { PrefixStats } from './prefix-stats.js';
import { ItemStats } from './stats.js';

export type StoreMode = 'set' | 'add' | 'replace' | 'append' | 'prepend' | 'cas';
export type StoreStatus = 'STORED' | 'NOT_STORED' | 'EXISTS' | 'NOT_FOUND';

export interface StoreRequest {
  readonly mode: StoreMode;
  readonly key: string;
  readonly flags: number;
  readonly exptime: number;
  readonly value: string;
  /** The CAS unique to compare with; 0n for none. */
  readonly cas: bigint;
  /** ms `I`: a CAS older than the item's still stores, marking the item stale. */
  readonly invalidate?: boolean;
}

/** An item as a read returns it; the `...Before` fields describe it before this access. */
export interface Item {
  readonly key: string;
  readonly value: string;
  readonly flags: number;
  /** 0 when the caller did not ask for the CAS. */
  readonly cas: number;
  readonly expiresAt: number;
  /** The TTL before this read changed it (mg T, N): mg's `t` before those flags reports it. */
  readonly expiresAtBefore: number;
  readonly fetchedBefore: boolean;
  readonly accessedAtBefore: number;
  readonly stale: boolean;
  /** A win token had already been handed out (mg `Z`). */
  readonly winSentBefore: boolean;
  /** This read won the right to recache (mg `W`). */
  readonly won: boolean;
  /** mg `N` created the item on this read. */
  readonly created: boolean;
}

export interface FetchOptions {
  /** gat/gats, mg `T`: the new exptime. */
  readonly touch?: number | null;
  /** false for mg `u`: no LRU bump, not marked as fetched. */
  readonly bump?: boolean;
  readonly wantCas?: boolean;
  /** mg `N`: create an empty item with this exptime on a miss. */
  readonly vivify?: number | null;
  /** mg `R`: win the recache token when the item has less than this TTL left. */
  readonly recache?: number | null;
  /**
   * mg applies T, N and R in the order the flags were sent (memcached walks them in order):
   * true when `T` comes before `R` (R then sees the new TTL) ...
   */
  readonly touchBeforeRecache?: boolean;
  /** ... and when `N` comes after `T` (a created item then keeps N's TTL, not T's). */
  readonly vivifyAfterTouch?: boolean;
  /** An mg (counted as memcached counts meta gets). */
  readonly meta?: boolean;
}

export type DeltaStatus = 'OK' | 'NOT_FOUND' | 'NON_NUMERIC' | 'EXISTS';

export interface DeltaRequest {
  readonly key: string;
  readonly incr: boolean;
  readonly delta: bigint;
  readonly cas?: bigint;
  /** ma `N`: create the item on a miss with this exptime, holding `initial`. */
  readonly vivify?: number | null;
  readonly initial?: bigint;
  /** ma `T`: the new exptime on success. */
  readonly touch?: number | null;
}

export interface DeltaResult {
  readonly status: DeltaStatus;
  /** ma `N` created the item on a miss. */
  readonly created?: boolean;
  readonly value: bigint;
  readonly cas: number;
  readonly expiresAt: number;
}

export type DeleteStatus = 'DELETED' | 'NOT_FOUND' | 'EXISTS';

/** The `me` command's view of an item. */
export interface ItemDebug {
  readonly expiresInSeconds: number;
  readonly idleSeconds: number;
  readonly cas: number;
  readonly fetched: boolean;
  readonly size: number;
}

/** Bytes memcached 1.6 adds to key and value when sizing an item: header 48, CAS 8, NUL 1, CRLF 2. */
const ITEM_OVERHEAD_BYTES = 59;
const FLAGS_BYTES = 4;

export class MemcachedExecutor {
  readonly stats = new ItemStats();
  /** `stats detail`: counters per key prefix. */
  readonly prefixStats = new PrefixStats();
  /** A pending `flush_all <delay>`: the time in ms at which the database is emptied (0: none). */
  flushAtMs = 0;

  constructor(
    readonly ks: Keyspace,
    readonly dbIndex: number,
    /** memcached-item-size-max. */
    public itemSizeMax: number,
  ) {}

  get db(): Database {
    return this.ks.db(this.dbIndex);
  }

  /** memcached's size of an item, the figure item_size_max bounds. */
  itemSize(keyLength: number, valueLength: number, flags: number): number {
    return keyLength + valueLength + ITEM_OVERHEAD_BYTES + (flags !== 0 ? FLAGS_BYTES : 0);
  }

  tooLarge(keyLength: number, valueLength: number, flags: number): boolean {
    return this.itemSize(keyLength, valueLength, flags) > this.itemSizeMax;
  }

  /**
   * A store refused for its size: memcached drops the key's old value on a failed `set` so no
   * stale data outlives it.
   */
  rejectTooLarge(mode: StoreMode, key: string): void {
    this.stats.storeTooLarge++;
    if (mode === 'set') this.remove(key);
  }

  /** `stats reset`: the command counters and the per-prefix ones. */
  resetStats(): void {
    this.stats.reset();
    this.prefixStats.reset();
  }

  /** A store refused because memory is full (maxmemory, nothing evictable). */
  rejectNoMemory(): void {
    this.stats.storeNoMemory++;
  }

  /** A storage command whose data block did not end in CRLF still counts as a set, as in memcached. */
  countBadDataChunk(): void {
    this.stats.cmdSet++;
  }

  /** Applies a `flush_all <delay>` whose time has come; the caller runs this before each command and from a timer. */
  applyDueFlush(): boolean {
    if (this.flushAtMs === 0 || this.ks.now < this.flushAtMs) return false;
    this.flushAtMs = 0;
    this.flushNow();
    return true;
  }

  // -------------------------------------------------------------------------------------
  // Storage

  store(r: StoreRequest): { status: StoreStatus; cas: number } {
    this.stats.cmdSet++;
    const db = this.db;
    const e = this.lookup(r.key);
    const item = e !== undefined && e.type === 'string' ? e : undefined;
    let stale = false;
    if (r.mode === 'add' && e !== undefined) {
      this.ks.recordAccess(e); // memcached bumps the existing item in its LRU
      return NOT_STORED;
    }
    if (item === undefined) {
      if (r.mode === 'cas') {
        this.stats.casMisses++;
        return NOT_FOUND;
      }
      if (r.mode === 'replace' || r.mode === 'append' || r.mode === 'prepend') return NOT_STORED;
    } else if (r.mode === 'cas') {
      const current = BigInt(this.casOf(item));
      if (current === r.cas) this.stats.casHits++;
      else if (r.invalidate === true && r.cas < current) {
        stale = true;
        this.stats.casHits++; // memcached counts the stale store as a CAS hit
      }
      else {
        this.stats.casBadval++;
        return EXISTS;
      }
    } else if ((r.mode === 'append' || r.mode === 'prepend') && r.cas !== 0n && BigInt(this.casOf(item)) !== r.cas) {
      return EXISTS;
    }
    const oldMeta = item === undefined ? undefined : db.itemMetaOf(r.key);
    const concat = r.mode === 'append' || r.mode === 'prepend';
    const value = !concat ? r.value : r.mode === 'append' ? (item!.value as string) + r.value : r.value + (item!.value as string);
    const flags = concat ? (oldMeta?.flags ?? 0) : r.flags;
    if (concat && this.tooLarge(r.key.length, value.length, flags)) return NOT_STORED;
    const cas = this.ks.nextCas();
    this.stats.totalItems++;
    // append/prepend keep the TTL; so does a stale store (ms I with an older CAS): memcached
    // replaces the value but keeps the item's exptime, its stale mark and any win token sent.
    const keepTtl = concat || stale;
    const deadline = keepTtl ? null : deadlineOf(r.exptime, this.ks.now);
    if (deadline === EXPIRED) {
      // Stored and expired at once: whatever was there is gone.
      this.remove(r.key);
      return { status: 'STORED', cas };
    }
    const stored = db.set(r.key, 'string', value, keepTtl);
    if (deadline !== null && deadline !== NO_EXPIRY) db.setExpire(stored, deadline);
    const bits = stale ? STALE | ((oldMeta?.bits ?? 0) & WIN_SENT) : 0;
    db.setItemMeta(r.key, { flags, cas, bits });
    this.ks.notify(this.dbIndex, r.mode === 'append' ? 'append' : 'set', r.key);
    if (r.mode === 'append') this.emit(['APPEND', r.key, r.value]);
    else if (keepTtl) this.emit(['SET', r.key, value, 'KEEPTTL']);
    else if (deadline === NO_EXPIRY) this.emit(['SET', r.key, value]);
    else this.emit(['SET', r.key, value, 'PXAT', String(deadline)]);
    if (flags !== 0) this.emit(['MCSETFLAGS', r.key, String(flags)]);
    return { status: 'STORED', cas };
  }

  // -------------------------------------------------------------------------------------
  // Retrieval

  /** get, gets, gat, gats and mg. Counts the stats of one key. */
  fetch(key: string, o: FetchOptions = {}): Item | undefined {
    const touching = o.touch !== undefined && o.touch !== null;
    let e = this.lookup(key);
    let created = false;
    if ((e === undefined || e.type !== 'string') && o.vivify !== undefined && o.vivify !== null && e === undefined) {
      e = this.vivify(key, o.vivify, '');
      created = e !== undefined;
    }
    // memcached's counting: gat/gats are touches, not gets; mg is always a get, and a touch
    // only when it hits with T.
    // cmd_get is always get_hits + get_misses there.
    const meta = o.meta === true;
    if (e === undefined || e.type !== 'string') {
      if (touching && !meta) {
        this.stats.cmdTouch++;
        this.stats.touchMisses++;
      } else {
        this.stats.cmdGet++;
        this.stats.getMisses++;
      }
      return undefined;
    }
    if (touching) {
      this.stats.cmdTouch++;
      this.stats.touchHits++;
    } else {
      this.stats.cmdGet++;
      this.stats.getHits++;
    }
    const record = this.metaOf(e);
    const fetchedBefore = (record.bits & FETCHED) !== 0;
    const accessedAtBefore = e.accessedAt;
    const expiresAtBefore = created ? 0 : e.expiresAt;
    const value = e.value as string;
    const winSentBefore = (record.bits & WIN_SENT) !== 0;
    // R looks at the TTL where it stands among the flags: before or after T changed it.
    let won = created;
    if (o.recache !== undefined && o.recache !== null && !winSentBefore && !created) {
      const seen = touching && o.touchBeforeRecache === true ? deadlineOf(o.touch!, this.ks.now) : e.expiresAt;
      if (recacheWins(seen, o.recache, this.ks.now)) won = true;
    }
    // A created item keeps N's TTL when N comes after T (memcached sets it->exptime in order).
    if (touching && !(created && o.vivifyAfterTouch === true)) {
      const gone = this.applyExptime(e, o.touch!);
      if (gone) return this.itemOf(key, value, record, 0, expiresAtBefore, fetchedBefore, accessedAtBefore, false, false);
    }
    const stale = (record.bits & STALE) !== 0;
    // Only meta gets take part in recaching: get/gets/gat hand out no win token.
    if (stale && !winSentBefore && meta) won = true;
    if (won) record.bits |= WIN_SENT;
    if (o.bump !== false) {
      record.bits |= FETCHED;
      this.ks.recordAccess(e);
    }
    if (o.wantCas === true && record.cas === 0) record.cas = this.ks.nextCas();
    return this.itemOf(key, value, record, e.expiresAt, expiresAtBefore, fetchedBefore, accessedAtBefore, winSentBefore, won, created);
  }

  touch(key: string, exptime: number): boolean {
    this.stats.cmdTouch++;
    const e = this.lookup(key);
    if (e === undefined || e.type !== 'string') {
      this.stats.touchMisses++;
      return false;
    }
    this.stats.touchHits++;
    // A touch counts as a fetch in memcached (mg h shows 1 afterwards); CAS and flags stay.
    this.metaOf(e).bits |= FETCHED;
    this.ks.recordAccess(e);
    this.applyExptime(e, exptime);
    return true;
  }

  // -------------------------------------------------------------------------------------
  // incr / decr, ma

  delta(r: DeltaRequest): DeltaResult {
    const e = this.lookup(r.key);
    if (e === undefined || e.type !== 'string') {
      const vivify = e === undefined && r.vivify !== undefined && r.vivify !== null;
      // memcached counts a miss only when it does not create the item.
      if (!vivify && r.incr) this.stats.incrMisses++;
      else if (!vivify) this.stats.decrMisses++;
      if (vivify) {
        const initial = r.initial ?? 0n;
        const created = this.vivify(r.key, r.vivify, initial.toString());
        if (created === undefined) return { status: 'OK', created: true, value: initial, cas: 0, expiresAt: 0 };
        return { status: 'OK', created: true, value: initial, cas: this.metaOf(created).cas, expiresAt: created.expiresAt };
      }
      return { status: 'NOT_FOUND', value: 0n, cas: 0, expiresAt: 0 };
    }
    const meta = this.metaOf(e);
    if (r.cas !== undefined && r.cas !== 0n && BigInt(this.casOf(e)) !== r.cas) return { status: 'EXISTS', value: 0n, cas: 0, expiresAt: 0 };
    const current = parseItemNumber(e.value as string);
    if (current === null) return { status: 'NON_NUMERIC', value: 0n, cas: 0, expiresAt: 0 };
    const next = r.incr ? (current + r.delta) & U64_MAX : r.delta > current ? 0n : current - r.delta;
    if (r.incr) this.stats.incrHits++;
    else this.stats.decrHits++;
    const text = next.toString();
    const { flags, bits } = meta;
    // memcached's do_add_delta rewrites the number in place when its digits fit in the item
    // (keeping the item's fetched, stale and win bits); a longer number is a new item without them.
    const width = meta.width ?? (e.value as string).length;
    const inPlace = text.length <= width;
    this.db.set(r.key, 'string', text, true);
    const cas = this.ks.nextCas();
    const record: ItemMeta = { flags, cas, bits: inPlace ? bits : 0 };
    if (inPlace && text.length < width) record.width = width;
    this.db.setItemMeta(r.key, record);
    this.ks.notify(this.dbIndex, r.incr ? 'incrby' : 'decrby', r.key);
    this.emit(['SET', r.key, text, 'KEEPTTL']);
    if (flags !== 0) this.emit(['MCSETFLAGS', r.key, String(flags)]);
    if (r.touch !== undefined && r.touch !== null && this.applyExptime(e, r.touch)) return { status: 'OK', value: next, cas, expiresAt: 0 };
    return { status: 'OK', value: next, cas, expiresAt: e.expiresAt };
  }

  // -------------------------------------------------------------------------------------
  // delete, md

  delete(key: string, o: { cas?: bigint; invalidate?: boolean; touch?: number | null } = {}): DeleteStatus {
    const e = this.lookup(key);
    if (e === undefined || e.type !== 'string') {
      this.stats.deleteMisses++;
      return 'NOT_FOUND';
    }
    if (o.cas !== undefined && o.cas !== 0n && BigInt(this.casOf(e)) !== o.cas) {
      this.stats.deleteMisses++; // memcached counts a CAS mismatch as a delete miss
      return 'EXISTS';
    }
    if (o.invalidate === true) {
      // Marked stale with a new CAS; the next reader wins the right to recache.
      const meta = this.metaOf(e);
      meta.bits = (meta.bits | STALE) & ~WIN_SENT;
      meta.cas = this.ks.nextCas();
      if (o.touch !== undefined && o.touch !== null) this.applyExptime(e, o.touch);
      return 'DELETED';
    }
    this.stats.deleteHits++;
    this.remove(key);
    return 'DELETED';
  }

  // -------------------------------------------------------------------------------------
  // flush_all, me

  /** flush_all [delay]: now when the delay is absent or not positive, else at that time. */
  flushAll(delaySeconds: number): void {
    this.stats.cmdFlush++;
    if (delaySeconds <= 0) {
      this.flushAtMs = 0;
      this.flushNow();
      return;
    }
    const at = deadlineOf(delaySeconds, this.ks.now);
    if (at === EXPIRED) {
      this.flushAtMs = 0;
      this.flushNow();
    } else this.flushAtMs = at;
  }

  debug(key: string): ItemDebug | undefined {
    const e = this.lookup(key);
    if (e === undefined || e.type !== 'string') return undefined;
    const meta = this.metaOf(e);
    return {
      expiresInSeconds: secondsLeft(e.expiresAt, this.ks.now),
      idleSeconds: Math.max(0, Math.floor((this.ks.now - e.accessedAt) / 1000)),
      cas: this.casOf(e),
      fetched: (meta.bits & FETCHED) !== 0,
      size: this.itemSize(key.length, meta.width ?? (e.value as string).length, meta.flags),
    };
  }

  /** Items in the database (every key: memcached's curr_items). */
  currentItems(): number {
    return this.db.size;
  }

  // -------------------------------------------------------------------------------------
  // Internals

  /** The live entry (lazily expiring it), counting memcached's get_expired on the way. */
  private lookup(key: string): Entry | undefined {
    const db = this.db;
    if (db.isLogicallyExpired(key)) this.stats.getExpired++;
    return db.get(key);
  }

  /** The item's memcached record, created (flags 0, no CAS yet) for a key memcached had not used. */
  private metaOf(e: Entry): ItemMeta {
    const db = this.db;
    let meta = db.itemMetaOf(e.key);
    if (meta === undefined) {
      meta = { flags: 0, cas: 0, bits: 0 };
      db.setItemMeta(e.key, meta);
    }
    return meta;
  }

  private casOf(e: Entry): number {
    const meta = this.metaOf(e);
    if (meta.cas === 0) meta.cas = this.ks.nextCas();
    return meta.cas;
  }

  private itemOf(key: string, value: string, meta: ItemMeta, expiresAt: number, expiresAtBefore: number, fetchedBefore: boolean, accessedAtBefore: number, winSentBefore: boolean, won: boolean, created = false): Item {
    return { key, value, flags: meta.flags, cas: meta.cas, expiresAt, expiresAtBefore, fetchedBefore, accessedAtBefore, stale: (meta.bits & STALE) !== 0, winSentBefore, won, created };
  }

  /** mg/ma `N`: a new item on a miss; undefined when its exptime is already past. */
  private vivify(key: string, exptime: number, value: string): Entry | undefined {
    const deadline = deadlineOf(exptime, this.ks.now);
    this.stats.totalItems++;
    if (deadline === EXPIRED) return undefined;
    const e = this.db.set(key, 'string', value);
    if (deadline !== NO_EXPIRY) this.db.setExpire(e, deadline);
    this.db.setItemMeta(key, { flags: 0, cas: this.ks.nextCas(), bits: 0 });
    this.ks.notify(this.dbIndex, 'set', key);
    this.emit(deadline === NO_EXPIRY ? ['SET', key, value] : ['SET', key, value, 'PXAT', String(deadline)]);
    return e;
  }

  /** A new TTL for an existing item (touch, gat, mg T, ma T, md I T); true when that removed it. */
  private applyExptime(e: Entry, exptime: number): boolean {
    const deadline: Deadline = deadlineOf(exptime, this.ks.now);
    if (deadline === EXPIRED) {
      this.remove(e.key);
      return true;
    }
    if (deadline === NO_EXPIRY) {
      if (this.db.clearExpire(e)) {
        this.ks.notify(this.dbIndex, 'persist', e.key);
        this.emit(['PERSIST', e.key]);
      }
      return false;
    }
    this.db.setExpire(e, deadline);
    this.ks.notify(this.dbIndex, 'expire', e.key);
    this.emit(['PEXPIREAT', e.key, String(deadline)]);
    return false;
  }

  /** Deletes a key if present, logging a DEL. */
  private remove(key: string): void {
    if (!this.db.delete(key)) return;
    this.ks.notify(this.dbIndex, 'del', key);
    this.emit(['DEL', key]);
  }

  private flushNow(): void {
    this.db.clear();
    this.emit(['FLUSHDB']);
  }

  private emit(argv: string[]): void {
    this.ks.dirty++;
    this.ks.emit(this.dbIndex, argv);
  }
}

/**
 * mg `R<ttl>`: memcached hands out the recache token when the item's expiry, in its whole-second
 * clock, is below the token's time (`it->exptime < realtime(R)`): never for an item without a
 * TTL, nor for R 0 or a negative R (realtime maps both below any live item's expiry).
 */
function recacheWins(expiresAtMs: number, recache: number, nowMs: number): boolean {
  if (expiresAtMs === 0 || recache <= 0) return false;
  if (recache > RELATIVE_EXPTIME_MAX_SECONDS) return Math.ceil(expiresAtMs / 1000) < recache;
  return secondsLeft(expiresAtMs, nowMs) < recache;
}

const NOT_STORED = { status: 'NOT_STORED', cas: 0 } as const;
const NOT_FOUND = { status: 'NOT_FOUND', cas: 0 } as const;
const EXISTS = { status: 'EXISTS', cas: 0 } as const;
