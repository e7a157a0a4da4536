// Admission for memcached requests: what Engine.execute does for a RESP command, around a call
// into the memcached executor (src/core/memcached). Sets the core's time, refuses while loading
// or when the disk fails, evicts (or refuses with out of memory) before a store, keeps a running
// snapshot's pre-images, then hands the effects to the log and the key events to subscribers and
// client-side caches. Protocol layers turn a refusal into their own wire form.
import type { CommandSpec } from '../core/commands/spec.js';
import { MemcachedExecutor } from '../core/memcached/executor.js';
import type { ServerContext } from './context.js';
import type { Engine } from './engine.js';
import { dispatchKeyEvents } from './notifications.js';
import type { Session } from './session.js';

/**
 * What a request does to the data, for admission: `read` changes nothing a snapshot must keep,
 * `update` changes a key without taking memory (TTL, delete, incr), `store` may be refused when
 * memory is full, `flush` empties the database.
 */
export type RequestKind = 'read' | 'update' | 'store' | 'flush';

export type Refusal = 'loading' | 'disk-error' | 'out-of-memory' | 'group-unavailable';

/** Connection counters for `stats` (the listener fills them in). */
export class ConnectionStats {
  current = 0;
  total = 0;
  rejected = 0;
  bytesRead = 0;
  bytesWritten = 0;
}

export class MemcachedGate {
  readonly executor: MemcachedExecutor;
  readonly connections = new ConnectionStats();
  readonly startedMs: number;
  /** `verbosity N`: kept for `stats settings` (Cairn's log level is the loglevel option). */
  verbosity = 0;
  private readonly setSpec: CommandSpec<ServerContext>;
  private readonly getSpec: CommandSpec<ServerContext>;
  private readonly flushSpec: CommandSpec<ServerContext>;

  constructor(readonly engine: Engine) {
    const config = engine.config;
    this.executor = new MemcachedExecutor(engine.ks, config.int('memcached-db'), config.int('memcached-item-size-max'));
    this.startedMs = engine.clock.nowMs();
    this.setSpec = engine.commands.get('set')!;
    this.getSpec = engine.commands.get('get')!;
    this.flushSpec = engine.commands.get('flushdb')!;
    config.onChange((name, value) => {
      if (name === 'memcached-item-size-max') this.executor.itemSizeMax = Number(value);
    });
  }

  /**
   * Runs one request. `key` is the key a write changes (for snapshot pre-images), null for
   * none or for the whole database (flush). Returns the function's result or a refusal.
   */
  run<T>(kind: RequestKind, key: string | null, fn: (mc: MemcachedExecutor) => T, session: Session | null = null): T | Refusal {
    const engine = this.engine;
    engine.ks.now = engine.commandNowMs();
    if (engine.group !== null) {
      // A replica group: only a serving leader runs requests (followers relay the connection to
      // it, src/io/memcached-proxy.ts). The request is admitted as the RESP command it amounts
      // to, so its reply waits in ReplyHold for the commit (writes) or a read round (reads).
      if (session === null || engine.replication.role() !== 'master') return 'group-unavailable';
      const spec = kind === 'read' ? this.getSpec : kind === 'flush' ? this.flushSpec : this.setSpec;
      if (engine.group.admit(session, spec, [spec.name, key ?? ''], spec.name) !== null) return 'group-unavailable';
    }
    const persistence = engine.persistence;
    if (persistence !== null) {
      // admit() looks at the session only for EXEC; memcached requests are single commands.
      const spec = kind === 'read' ? this.getSpec : this.setSpec;
      const refusal = persistence.admit(undefined as unknown as Session, spec, spec.name);
      if (refusal !== null) return persistence.loading ? 'loading' : 'disk-error';
    }
    this.applyDueFlush();
    if (kind !== 'read' && engine.eviction.maxmemory > 0 && engine.performEvictions(null) === 'fail' && kind === 'store') {
      this.executor.rejectNoMemory();
      return 'out-of-memory';
    }
    if (persistence?.copyOnWrite === true && kind !== 'read') {
      if (kind === 'flush') persistence.beforeWrite(this.executor.dbIndex, this.flushSpec, ['FLUSHDB']);
      else if (key !== null) persistence.keyAboutToChange(this.executor.dbIndex, key);
    }
    const result = fn(this.executor);
    if (kind === 'flush' && engine.tracking.active) engine.tracking.flushed(null);
    this.settle(key);
    return result;
  }

  /** The one-second timer: a delayed flush_all whose time came, with nobody sending commands. */
  cron(): void {
    // In a replica group a write needs a serving leader's admission: a delayed flush applies at
    // the next request instead (memcached-gate run).
    if (this.executor.flushAtMs === 0 || this.engine.persistence?.loading === true || this.engine.group !== null) return;
    this.engine.ks.now = this.engine.commandNowMs();
    if (this.applyDueFlush()) this.settle(null);
  }

  private applyDueFlush(): boolean {
    const mc = this.executor;
    if (mc.flushAtMs === 0 || this.engine.ks.now < mc.flushAtMs) return false;
    if (this.engine.persistence?.copyOnWrite === true) this.engine.persistence.beforeWrite(mc.dbIndex, this.flushSpec, ['FLUSHDB']);
    return mc.applyDueFlush();
  }

  private settle(key: string | null): void {
    const engine = this.engine;
    const ks = engine.ks;
    ks.settleSizes();
    if (key !== null) {
      const db = ks.db(this.executor.dbIndex);
      const e = db.peek(key);
      if (e !== undefined) db.resize(e);
    }
    if (engine.pubsub.keyEventsWanted) dispatchKeyEvents(engine, null);
    // Value and flags of one request are one log record (a transaction), so a torn tail never
    // keeps the value without its flags.
    engine.flushEffects(true);
    engine.blocking.serveReadyKeys();
  }
}
