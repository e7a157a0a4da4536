// maxmemory eviction, as Redis's evict.c approximates it: sample a few keys per database, keep
// the best candidates in a pool of 16 across calls, evict the best one, repeat until the memory
// in use is back under maxmemory. Deterministic: randomness comes from the keyspace's seeded
// generator and time from ks.now; each eviction is recorded as a DEL effect so the log and
// replicas stay identical (docs/design/eviction.md).
import type { Database, Entry, Keyspace } from './keyspace.js';
import { lfuDecayed } from './lfu.js';

export const EVICTION_POLICIES = [
  'volatile-lru', 'volatile-lfu', 'volatile-random', 'volatile-ttl',
  'allkeys-lru', 'allkeys-lfu', 'allkeys-random', 'noeviction',
] as const;
export type EvictionPolicy = (typeof EVICTION_POLICIES)[number];

export interface EvictionSettings {
  /** Bytes; 0 means no limit. */
  readonly maxmemory: number;
  readonly policy: EvictionPolicy;
  /** Keys sampled per database per round (maxmemory-samples). */
  readonly samples: number;
  /** 0..100: how long one call may keep evicting (maxmemory-eviction-tenacity). */
  readonly tenacity: number;
}

/** ok: under the limit; running: still over but this call's budget is spent; fail: nothing left to evict. */
export type EvictionResult = 'ok' | 'running' | 'fail';

/** Candidates kept between calls (EVPOOL_SIZE). */
export const EVICTION_POOL_SIZE = 16;

interface Candidate {
  /** Higher is a better victim: idle time (LRU), 255 - counter (LFU), closeness of expiry (TTL). */
  score: number;
  db: number;
  key: string;
}

export function isLfuPolicy(policy: string): boolean {
  return policy === 'allkeys-lfu' || policy === 'volatile-lfu';
}

/**
 * Keys one call may evict: Redis bounds a call by time (50 us per tenacity point up to 10, then
 * +15% per point, unbounded at 100) and checks it every 16 keys; the core has no clock, so the
 * bound is in keys at about 2 us per eviction, never fewer than 16.
 */
export function evictionKeyBudget(tenacity: number): number {
  if (tenacity >= 100) return Number.POSITIVE_INFINITY;
  const micros = tenacity <= 10 ? 50 * tenacity : 500 * 1.15 ** (tenacity - 10);
  return Math.max(16, Math.ceil(micros / 2));
}

export class Evictor {
  /** Ascending by score: the best victim is last. */
  readonly pool: Candidate[] = [];
  /** Round robin over databases for the random policies (Redis's static next_db). */
  private nextDb = 0;
  /** Per database, a cursor over its volatile keys (the set it walks, to notice a FLUSHDB). */
  private readonly volatileCursors = new Map<Database, { set: Set<Entry>; it: Iterator<Entry> }>();

  /**
   * Evicts keys until usedMemory() <= maxmemory or the budget is spent. `beforeEvict` runs
   * before each deletion (a running snapshot keeps the key's pre-image).
   */
  perform(
    ks: Keyspace,
    settings: EvictionSettings,
    usedMemory: () => number,
    beforeEvict: (db: number, key: string) => void,
    budget = evictionKeyBudget(settings.tenacity),
  ): EvictionResult {
    if (settings.maxmemory <= 0 || usedMemory() <= settings.maxmemory) return 'ok';
    if (settings.policy === 'noeviction') return 'fail';
    let freed = 0;
    while (usedMemory() > settings.maxmemory) {
      if (freed >= budget) return 'running';
      const victim = this.pickVictim(ks, settings);
      if (victim === null) return 'fail';
      beforeEvict(victim.db, victim.key);
      evictKey(ks, victim.db, victim.key);
      freed++;
    }
    return 'ok';
  }

  /** The next key to evict under the policy, or null when no key qualifies. */
  pickVictim(ks: Keyspace, settings: EvictionSettings): { db: number; key: string } | null {
    const volatileOnly = settings.policy.startsWith('volatile-');
    if (settings.policy.endsWith('-random')) return this.pickRandom(ks, volatileOnly, settings.samples);
    for (;;) {
      let candidates = 0;
      for (const db of ks.dbs) {
        const n = volatileOnly ? db.volatileCount : db.size;
        if (n === 0) continue;
        candidates += n;
        this.populate(ks, db, settings, volatileOnly);
      }
      if (candidates === 0) return null;
      // Best first; a candidate deleted or changed since it was sampled is a ghost: skip it.
      while (this.pool.length > 0) {
        const c = this.pool.pop()!;
        const e = ks.dbs[c.db]!.peek(c.key);
        if (e !== undefined && (!volatileOnly || e.expiresAt !== 0)) return { db: c.db, key: c.key };
      }
    }
  }

  /** Samples a database and offers each sampled key to the pool (evictionPoolPopulate). */
  private populate(ks: Keyspace, db: Database, settings: EvictionSettings, volatileOnly: boolean): void {
    for (const e of this.sample(ks, db, settings.samples, volatileOnly)) {
      this.offer({ score: victimScore(ks, e, settings.policy), db: db.id, key: e.key });
    }
  }

  /**
   * Up to `count` keys of a database: every key when there are no more than that, otherwise
   * random picks from the dense array (all keys) or the next ones of a rotating cursor over the
   * keys with a TTL (the volatile set has no random access).
   */
  private sample(ks: Keyspace, db: Database, count: number, volatileOnly: boolean): Entry[] {
    if (!volatileOnly) {
      if (db.dense.length <= count) return db.dense.slice();
      const out: Entry[] = [];
      for (let i = 0; i < count; i++) out.push(db.dense[ks.rng.below(db.dense.length)]!);
      return out;
    }
    if (db.volatile.size <= count) return [...db.volatile];
    const out: Entry[] = [];
    while (out.length < count) out.push(this.nextVolatile(db));
    return out;
  }

  private nextVolatile(db: Database): Entry {
    let cursor = this.volatileCursors.get(db);
    if (cursor === undefined || cursor.set !== db.volatile) {
      cursor = { set: db.volatile, it: db.volatile.values() };
      this.volatileCursors.set(db, cursor);
    }
    let step = cursor.it.next();
    if (step.done === true) {
      cursor.it = db.volatile.values();
      step = cursor.it.next();
    }
    return step.value as Entry;
  }

  /** Inserts a candidate in score order; when the pool is full it displaces the worst one. */
  private offer(c: Candidate): void {
    const pool = this.pool;
    const dup = pool.findIndex((p) => p.db === c.db && p.key === c.key);
    if (dup >= 0) pool.splice(dup, 1);
    let k = 0;
    while (k < pool.length && pool[k]!.score < c.score) k++;
    if (pool.length < EVICTION_POOL_SIZE) {
      pool.splice(k, 0, c);
    } else if (k > 0) {
      pool.shift(); // drop the worst to make room
      pool.splice(k - 1, 0, c);
    }
  }

  private pickRandom(ks: Keyspace, volatileOnly: boolean, _samples: number): { db: number; key: string } | null {
    const n = ks.dbs.length;
    for (let i = 0; i < n; i++) {
      this.nextDb = (this.nextDb + 1) % n;
      const db = ks.dbs[this.nextDb]!;
      if (volatileOnly) {
        if (db.volatileCount === 0) continue;
        // One random step forward of the rotating cursor keeps this O(1) without random access.
        let e = this.nextVolatile(db);
        for (let skip = ks.rng.below(Math.min(db.volatileCount, 16)); skip > 0; skip--) e = this.nextVolatile(db);
        return { db: db.id, key: e.key };
      }
      if (db.dense.length === 0) continue;
      return { db: db.id, key: db.dense[ks.rng.below(db.dense.length)]!.key };
    }
    return null;
  }
}

/** How good a victim a key is under a pool policy: higher is evicted first. */
export function victimScore(ks: Keyspace, e: Entry, policy: EvictionPolicy): number {
  if (policy.endsWith('-lru')) return ks.now - e.accessedAt;
  if (policy.endsWith('-lfu')) return 255 - lfuDecayed(e.freq, e.accessedAt, ks.now, ks.lfu.decayMinutes);
  // volatile-ttl: the sooner it expires, the better.
  return Number.MAX_SAFE_INTEGER - e.expiresAt;
}

/** Deletes an evicted key as Redis does: DEL effect, 'evicted' event, WATCH and stats. */
export function evictKey(ks: Keyspace, dbIndex: number, key: string): void {
  const db = ks.dbs[dbIndex]!;
  if (!db.delete(key)) return;
  ks.stats.evictedKeys++;
  ks.emit(dbIndex, ['DEL', key]);
  ks.notify(dbIndex, 'evicted', key);
}
