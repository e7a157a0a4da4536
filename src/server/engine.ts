// The engine: one key space, the command table and the admission pipeline that every
// front door (TCP, embedded) goes through, in Redis's order: lookup, arity, auth,
// MULTI queuing, then the call with its stats, slow log, monitors and effects.
import { findSubcommand } from '../core/commands/registry.js';
import { evictionKeyBudget, Evictor, isLfuPolicy, type EvictionPolicy, type EvictionResult, type EvictionSettings } from '../core/eviction.js';
import type { CommandSpec } from '../core/commands/spec.js';
import * as errors from '../core/errors.js';
import { Keyspace, type Database, type Effect } from '../core/keyspace.js';
import { assertLimitsConsistent, limits } from '../core/limits.js';
import { expireHashFields } from '../core/commands/hashes.js';
import { setTyped, stringForGet } from '../core/commands/strings.js';
import { array, BLOCKED, bulk, NIL, NIL_ARRAY, QUEUED, ReplyKind, simple, type Reply } from '../core/reply.js';
import { BlockingManager } from './blocking.js';
import type { Clock } from './clock.js';
import { buildCommandTable, type ServerCommandTable } from './command-list.js';
import { CommandRuntime, ResolvedCommand } from './command-runtime.js';
import { Config } from './config.js';
import type { ServerContext } from './context.js';
import { Logger } from './log.js';
import { repr } from './repr.js';
import { Session, type SessionTransport } from './session.js';
import { SlowLog } from './slowlog.js';
import { LatencyMonitor } from './latency.js';
import { InstantaneousRates } from './instantaneous.js';
import { ServerStats } from './stats.js';
import { dispatchKeyEvents } from './notifications.js';
import { PubSub } from './pubsub.js';
import { Tracking } from './tracking.js';
import type { PersistenceGate } from './persistence-gate.js';
import type { ClusterState } from './cluster.js';
import type { GroupGate } from './group-gate.js';
import { STANDALONE, type ReplicationStatus } from './replication.js';
import { ScriptRunner } from './scripting/runner.js';

export interface ShutdownRequest {
  readonly save: boolean | null;
  readonly now: boolean;
  readonly force: boolean;
}

/** What the shell lends the engine: the way out of the process and into the event loop. */
export interface EngineHooks {
  /** Stops the server and the process (SHUTDOWN). Returns an error text to refuse. */
  shutdown?(request: ShutdownRequest): string | null;
  /** Receives write effects in order (append-only log, replicas). */
  effects?(effects: readonly Effect[]): void;
  /** Process memory in bytes (INFO memory); absent in embedded mode, where INFO reports zeros. */
  memory?(): { heapUsed: number; rss: number };
  /** CPU time the process used, in microseconds (INFO cpu), as process.cpuUsage() reports it. */
  cpu?(): { user: number; system: number };
  /** Blocks the event loop for `ms` milliseconds (DEBUG SLEEP); tests swap in a fake. */
  sleep?(ms: number): void;
}

export interface EngineOptions {
  clock: Clock;
  /** Seed of the core's random generator (RANDOMKEY, sampling). */
  seed: number;
  config?: Config;
  hooks?: EngineHooks;
  logger?: Logger;
  /** 40 hex chars identifying this run (INFO run_id). */
  runId?: string;
  /** Process facts for INFO server, filled in by the shell. */
  process?: ProcessFacts;
}

/** What INFO server says about the process; os and archBits are optional (empty / 0 when unknown). */
export interface ProcessFacts {
  pid: number;
  tcpPort: number;
  executable: string;
  configFile: string;
  /** e.g. 'Linux 6.1.0 x86_64', as uname would say. */
  os?: string;
  archBits?: number;
}

export interface PauseState {
  readonly untilMs: number;
  readonly writesOnly: boolean;
}

export class Engine {
  readonly ks: Keyspace;
  readonly commands: ServerCommandTable;
  /** The declarations in the form the per-command path reads (command-runtime.ts). */
  private readonly runtime: CommandRuntime;
  /** Options read on every call, kept current by a config listener instead of parsed per call. */
  private slowlogThresholdMicros = 0;
  private slowlogMaxLen = 0;
  private latencyThresholdMs = 0;
  /**
   * Whether every call is timed. When the clock says reading it is costly (commandNowMs),
   * constant-cost commands (fast or O(1)) are timed one call in TIMING_SAMPLE, unless the slow
   * log wants calls under a millisecond or the latency monitor is on (docs/design/command-clock.md).
   */
  private timeEveryCall = true;
  private readonly clockCachesCommandTime: boolean;
  /** GET and SET, resolved once for the embedded typed calls (typedGet, typedSet). */
  private readonly getCommand: ResolvedCommand;
  private readonly setCommand: ResolvedCommand;
  readonly config: Config;
  readonly clock: Clock;
  readonly stats = new ServerStats();
  readonly slowlog = new SlowLog();
  readonly latency = new LatencyMonitor();
  /** Rates for INFO stats, sampled by cron. */
  readonly rates = new InstantaneousRates();
  readonly sessions = new Map<number, Session>();
  readonly monitors = new Set<Session>();
  readonly blocking = new BlockingManager(this);
  /** Channels, patterns, keyspace notifications and subscribers' output limits (pubsub.ts). */
  readonly pubsub: PubSub;
  /** Client-side caching: which client may hold which key (tracking.ts). */
  readonly tracking = new Tracking(this);
  /** Lua scripts and function libraries (EVAL, FCALL), and the busy state of a long script. */
  readonly scripts: ScriptRunner;
  /** Clients connected over the network, RESP and memcached (maxclients counts these). */
  networkClients = 0;
  /** memcached connections (they have no session; INFO's connected_clients counts them too). */
  memcachedClients = 0;
  /** > 0 while EXEC runs queued commands: blocking commands then answer at once. */
  private execDepth = 0;
  readonly log: Logger;
  readonly startedMs: number;
  readonly runId: string;
  readonly process: ProcessFacts;
  private engineHooks: EngineHooks = {};
  /** The append-only log and snapshots, when the shell set them up (src/io/persistence). */
  persistence: PersistenceGate | null = null;
  /** Cluster mode: the node's view of the cluster and the slot check (cluster.ts); null when standalone. */
  cluster: ClusterState | null = null;
  /** A replica group (src/io/group/replica-group.ts): follower admission, Raft's reply barrier; null when standalone. */
  group: GroupGate | null = null;
  /** ROLE, WAIT and INFO replication read this; a replica group replaces it. */
  replication: ReplicationStatus = STANDALONE;
  /** Unix seconds of the last successful save (LASTSAVE); the start time until a save happens. */
  lastSaveUnix: number;
  activeExpireEnabled = true;
  pause: PauseState | null = null;
  /** Sessions waiting for a CLIENT PAUSE to end; the transport registers a resume callback. */
  readonly postponed = new Map<Session, () => void>();
  private nextClientId = 1;
  /** maxmemory eviction: the candidate pool and the settings it runs with (docs/design/eviction.md). */
  readonly evictor = new Evictor();
  eviction: EvictionSettings = { maxmemory: 0, policy: 'noeviction', samples: 5, tenacity: 10 };
  /** The heap in use when the engine started (0 without a memory hook): used_memory's baseline. */
  readonly startupBytes: number;
  /** The highest used_memory seen (INFO used_memory_peak, MEMORY STATS peak.allocated). */
  peakUsedBytes = 0;

  constructor(options: EngineOptions) {
    assertLimitsConsistent();
    this.clock = options.clock;
    this.clockCachesCommandTime = this.clock.commandNowMs !== undefined;
    this.config = options.config ?? new Config();
    this.ks = new Keyspace({ databases: this.config.int('databases'), seed: options.seed });
    this.commands = buildCommandTable();
    this.runtime = new CommandRuntime(this.commands.all());
    this.getCommand = this.runtime.of(this.commands.get('get')!);
    this.setCommand = this.runtime.of(this.commands.get('set')!);
    this.hooks = options.hooks ?? {};
    this.log = options.logger ?? Logger.silent();
    this.startedMs = this.clock.nowMs();
    // memcached CAS uniques keep increasing across restarts (docs/design/memcached.md).
    this.ks.casNext = Math.max(this.ks.casNext, this.startedMs * 1000 + 1);
    this.lastSaveUnix = Math.floor(this.startedMs / 1000);
    this.runId = options.runId ?? '0'.repeat(40);
    this.process = options.process ?? { pid: 0, tcpPort: 0, executable: '', configFile: '' };
    this.activeExpireEnabled = this.config.bool('active-expire-enabled');
    this.pubsub = new PubSub(this);
    this.scripts = new ScriptRunner(this);
    this.startupBytes = this.hooks.memory?.().heapUsed ?? 0;
    this.readEvictionConfig();
    this.readHotConfig();
    this.config.onChange((name, value) => {
      if (name === 'active-expire-enabled') this.activeExpireEnabled = value === 'yes';
      if (EVICTION_OPTIONS.has(name)) this.readEvictionConfig();
      if (HOT_OPTIONS.has(name)) this.readHotConfig();
    });
  }

  private readHotConfig(): void {
    this.slowlogThresholdMicros = this.config.int('slowlog-log-slower-than');
    this.slowlogMaxLen = this.config.int('slowlog-max-len');
    this.latencyThresholdMs = this.config.int('latency-monitor-threshold');
    this.timeEveryCall = !this.clockCachesCommandTime
      || (this.slowlogThresholdMicros >= 0 && this.slowlogThresholdMicros < SAMPLED_TIMING_MIN_SLOWLOG_MICROS)
      || this.latencyThresholdMs > 0;
  }

  /** The wall-clock time a command runs at (Clock.commandNowMs when the clock has it). */
  commandNowMs(): number {
    return this.clockCachesCommandTime ? this.clock.commandNowMs!() : this.clock.nowMs();
  }

  private readEvictionConfig(): void {
    const policy = this.config.get('maxmemory-policy') as EvictionPolicy;
    this.eviction = {
      maxmemory: this.config.int('maxmemory'),
      policy,
      samples: this.config.int('maxmemory-samples'),
      tenacity: this.config.int('maxmemory-eviction-tenacity'),
    };
    this.ks.lfu = { enabled: isLfuPolicy(policy), logFactor: this.config.int('lfu-log-factor'), decayMinutes: this.config.int('lfu-decay-time') };
  }

  /**
   * Redis's used_memory: the baseline at start plus the estimated bytes of every key
   * (docs/design/memory-accounting.md). What maxmemory is compared against.
   */
  usedMemory(): number {
    const used = this.startupBytes + this.ks.datasetBytes();
    if (used > this.peakUsedBytes) this.peakUsedBytes = used;
    return used;
  }

  /**
   * Evicts keys while used_memory is over maxmemory (Redis performEvictions). Each eviction is
   * a DEL effect, flushed at once so the log shows it before the command that caused it.
   */
  performEvictions(s: Session | null, budget = evictionKeyBudget(this.eviction.tenacity)): EvictionResult {
    if (this.eviction.maxmemory <= 0) return 'ok';
    const result = this.evictor.perform(this.ks, this.eviction, () => this.usedMemory(), (db, key) => {
      // A background snapshot keeps the pre-image of a key about to go.
      if (this.persistence?.copyOnWrite === true) this.persistence.keyAboutToChange(db, key);
    }, budget);
    if (this.pubsub.keyEventsWanted) dispatchKeyEvents(this, s);
    this.flushEffects(false);
    return result;
  }

  /** Whether an out-of-memory state refuses this command (Redis processCommand's reject_cmd_on_oom). */
  private refusedWhenOutOfMemory(s: Session, rc: ResolvedCommand): boolean {
    const fullName = rc.fullName;
    if (rc.denyoom) return true;
    if (fullName === 'exec') return s.multi?.queue.some((q) => q.spec.flags.includes('denyoom')) ?? false;
    // Queuing in MULTI takes memory too; only the commands that end a transaction pass.
    return s.multi !== null && !TRANSACTION_CONTROL_ON_OOM.has(fullName);
  }

  requiresPassword(): boolean {
    return this.config.get('requirepass') !== '';
  }

  createSession(transport: SessionTransport, addr: string, laddr: string): Session {
    const s = new Session(this.nextClientId++, transport, addr, laddr, this.clock.nowMs(), this.requiresPassword());
    s.ctx = {
      ks: this.ks, db: this.ks.db(0), client: s, session: s, engine: this, effectRewritten: false, blockingAllowed: true, readyKey: null,
      block: (keys, timeoutMs, timeoutReply, waitsFor) => {
        s.blockRequest = { keys, timeoutMs, timeoutReply, waitsFor };
        return BLOCKED;
      },
    };
    this.sessions.set(s.id, s);
    this.stats.totalConnectionsReceived++;
    return s;
  }

  /** Forgets a session whose connection is gone: its WATCH list, MONITOR and pause wait. */
  closeSession(s: Session): void {
    this.ks.unwatchAll(s.watch);
    this.monitors.delete(s);
    this.postponed.delete(s);
    this.blocking.forget(s);
    this.pubsub.forget(s);
    this.tracking.forget(s);
    s.multi = null;
    this.sessions.delete(s.id);
  }

  /** What the shell lends the engine; effects are recorded only while a hook takes them. */
  get hooks(): EngineHooks {
    return this.engineHooks;
  }

  set hooks(hooks: EngineHooks) {
    this.engineHooks = hooks;
    this.ks.recordEffects = hooks.effects !== undefined;
  }

  /** Runs one command line through the admission pipeline and returns its reply. */
  execute(s: Session, argv: string[]): Reply {
    const now = this.commandNowMs();
    s.lastInteractionMs = now;
    this.ks.now = now;
    if (this.tracking.active) this.tracking.beforeCommand(s, argv);
    const found = this.resolve(argv);
    if (typeof found === 'string') return found === '' ? NIL_ARRAY : this.reject(s, undefined, errorFromResolve(found, argv));
    if (!(found instanceof ResolvedCommand)) return this.reject(s, found.fullName, found.error);
    const { spec, fullName } = found;
    if (!s.authenticated && !found.noAuth) return this.reject(s, fullName, errors.noAuth());
    if (this.cluster !== null) {
      const elsewhere = this.cluster.admit(s, spec, argv, fullName); // CROSSSLOT, MOVED, CLUSTERDOWN
      if (elsewhere !== null) return this.redirect(s, fullName, elsewhere);
    }
    if (this.group !== null) {
      const decision = this.group.admit(s, spec, argv, fullName); // READONLY or TRYAGAIN, or handed to the leader
      if (decision === BLOCKED) {
        this.blocking.park(s, spec, argv, fullName);
        return BLOCKED;
      }
      if (decision !== null) return this.reject(s, fullName, decision);
    }
    if (this.scripts.busy) {
      const busy = this.scripts.admission(spec, fullName, argv); // -BUSY while a long script runs
      if (busy !== null) return this.reject(s, fullName, busy);
    }
    if (s.resp === 2) {
      const notInSubscribedContext = this.pubsub.admission(s, fullName);
      if (notInSubscribedContext !== null) return this.reject(s, fullName, notInSubscribedContext);
    }
    const storageRefusal = this.admitStorage(s, found);
    if (storageRefusal !== null) return storageRefusal;
    if (s.multi !== null && !TRANSACTION_CONTROL.has(fullName)) {
      if (found.noMulti) return this.reject(s, fullName, errors.notAllowedInMulti());
      // As Redis: a transaction already doomed (a refused command, a broken WATCH) queues nothing
      // more, which also keeps those commands out of EXEC's cluster slot check.
      if (!s.multi.aborted && !s.watch.dirty) s.multi.queue.push({ spec, argv, fullName });
      return QUEUED;
    }
    const reply = this.run(s, found, argv);
    // A script past busy-reply-threshold goes on in slices; its effects and wake-ups come at its end.
    if (reply === BLOCKED && this.scripts.suspended?.caller === s) return reply;
    if (reply === BLOCKED) this.blocking.park(s, spec, argv, fullName);
    this.flushEffects(found.logsAsTransaction);
    this.blocking.serveReadyKeys();
    // Embedded callers get pushes apart from replies: nothing to wait for (TCP: afterReply).
    if (s.transport.kind === 'embedded') this.afterReply(s);
    return reply;
  }

  /** The transport has written a command's reply: what must follow it goes out now (tracking.ts). */
  afterReply(s: Session): void {
    this.tracking.afterReply(s);
  }

  // ---------------------------------------------------------------------------------------------
  // The embedded typed calls (docs/design/hot-path.md, "Third round"). db.get(key) is execute(s,
  // ['GET', key]) and db.set(key, value, { ex }) execute(s, ['SET', key, value, 'EX', ex]), with
  // the same replies and side effects; while the session is plain (see plain()) they skip what
  // cannot apply to it: the lookup of the command's name, the admission steps that cannot refuse
  // it, the argument list (built only if the log, a replica or the slow log asks for it), and the
  // per-call hooks of tracking and MONITOR. Otherwise they go through execute. The steps they do
  // take are execute's and run's, in the same order; test/unit/server/typed-calls.test.ts runs
  // the same sequences through both.

  /**
   * GET key, as execute(s, ['GET', key]); a string value known to be ASCII (Entry.asciiValue)
   * comes back as the string itself instead of its bulk reply: the caller need not check it.
   */
  typedGet(s: Session, key: string): Reply | string {
    if (!this.plain(s)) return this.execute(s, ['GET', key]);
    const rc = this.getCommand;
    const refused = this.admitPlain(s, rc);
    if (refused !== null) return refused;
    const ctx = this.prepareCall(s);
    const dirtyBefore = this.ks.dirty;
    const timed = this.isTimed(rc);
    const started = timed ? this.clock.monotonicMicros() : 0;
    let reply: Reply | string;
    try {
      // readForGet (GET's handler), with the value as is when it is known to be ASCII.
      const e = stringForGet(ctx, key);
      reply = e === undefined ? NIL : e === null ? errors.wrongType() : e.asciiValue ? (e.value as string) : bulk(e.value as string);
    } catch (e) {
      reply = this.internalError(rc, e);
    }
    this.finishTyped(s, rc, ctx, reply, timed ? this.elapsedSince(started) : -1, dirtyBefore, key, null, 0, false);
    return reply;
  }

  /**
   * SET key value, with a TTL when `ttl` is not 0: an integer in [1, TYPED_TTL_MAX] (strings.ts),
   * seconds when `inSeconds` (EX), else milliseconds (PX). As execute(s, typedSetArgv(...)).
   */
  typedSet(s: Session, key: string, value: string, ttl: number, inSeconds: boolean, asciiValue: boolean): Reply {
    if (!this.plain(s)) return this.execute(s, typedSetArgv(key, value, ttl, inSeconds));
    const rc = this.setCommand;
    const refused = this.admitPlain(s, rc);
    if (refused !== null) return refused;
    const ctx = this.prepareCall(s);
    const dirtyBefore = this.ks.dirty;
    const timed = this.isTimed(rc);
    const started = timed ? this.clock.monotonicMicros() : 0;
    let reply: Reply;
    try {
      reply = setTyped(ctx, key, value, ttl, inSeconds, asciiValue);
    } catch (e) {
      reply = this.internalError(rc, e);
    }
    this.finishTyped(s, rc, ctx, reply, timed ? this.elapsedSince(started) : -1, dirtyBefore, key, value, ttl, inSeconds);
    return reply;
  }

  /**
   * Whether execute would pass this session's GET or SET through admission unchanged up to the
   * persistence step (signed in, no transaction, no cluster or group routing, no busy script, no
   * RESP2 subscription), and nothing needs to see each call with its argv (tracking, MONITOR, a
   * background snapshot's copy-on-write).
   */
  private plain(s: Session): boolean {
    return s.multi === null && s.authenticated && this.cluster === null && this.group === null
      && !this.scripts.busy && this.monitors.size === 0 && !this.tracking.active
      && (s.resp !== 2 || !this.pubsub.isSubscribed(s))
      && (this.persistence === null || !this.persistence.copyOnWrite);
  }

  /** execute's steps before the call for a plain session: the command time, persistence, eviction. */
  private admitPlain(s: Session, rc: ResolvedCommand): Reply | null {
    const now = this.commandNowMs();
    s.lastInteractionMs = now;
    this.ks.now = now;
    return this.admitStorage(s, rc);
  }

  /** The admission steps of persistence (MISCONF, LOADING) and of maxmemory (eviction, OOM). */
  private admitStorage(s: Session, rc: ResolvedCommand): Reply | null {
    if (this.persistence !== null) {
      const persistenceRefusal = this.persistence.admit(s, rc.spec, rc.fullName);
      if (persistenceRefusal !== null) return this.reject(s, rc.fullName, persistenceRefusal);
    }
    if (this.eviction.maxmemory > 0 && this.persistence?.loading !== true) {
      const outOfMemory = this.performEvictions(s) === 'fail';
      if (outOfMemory && this.refusedWhenOutOfMemory(s, rc)) return this.reject(s, rc.fullName, errors.oom());
    }
    return null;
  }

  /** run's and execute's steps after a typed call; the argv is built only for whoever reads it. */
  private finishTyped(s: Session, rc: ResolvedCommand, ctx: ServerContext, reply: Reply | string, elapsed: number, dirtyBefore: number, key: string, value: string | null, ttl: number, inSeconds: boolean): void {
    const changed = this.ks.dirty !== dirtyBefore;
    if (changed && !ctx.effectRewritten && rc.write && this.ks.recordEffects) this.ks.emit(ctx.db.id, typedArgv(key, value, ttl, inSeconds));
    // GET and SET measure the keys they change themselves (Database.replace, add, delete), so
    // run's second measurement of declared keys never applies here.
    this.ks.settleSizes();
    if (this.pubsub.keyEventsWanted) dispatchKeyEvents(this, s);
    this.countCall(s, rc, reply, elapsed);
    if (this.slowlogWants(rc, elapsed)) this.recordSlow(s, typedArgv(key, value, ttl, inSeconds), elapsed);
    this.recordLatency(rc, elapsed);
    this.flushEffects(rc.logsAsTransaction);
    if (this.ks.readyKeysPending) this.blocking.serveReadyKeys();
    if (s.transport.kind === 'embedded') this.afterReply(s);
  }

  /**
   * True when a CLIENT PAUSE holds this command back; the transport then waits for the
   * resume callback before feeding the session's next command.
   */
  mustPostpone(s: Session, argv: readonly string[]): boolean {
    const p = this.pause;
    if (p === null) return false;
    if (this.clock.nowMs() >= p.untilMs) {
      this.unpause();
      return false;
    }
    if (!p.writesOnly) return true;
    const found = this.resolve(argv);
    if (!(found instanceof ResolvedCommand)) return false;
    if (found.fullName === 'exec') return s.multi?.queue.some((q) => this.runtime.of(q.spec).writeLike) ?? false;
    return s.multi === null && found.writeLike;
  }

  postpone(s: Session, resume: () => void): void {
    this.postponed.set(s, resume);
  }

  unpause(): void {
    this.pause = null;
    const waiting = [...this.postponed.values()];
    this.postponed.clear();
    for (const resume of waiting) resume();
  }

  /** Drops an open transaction and its WATCHes (DISCARD, or an EXEC refused before it ran). */
  discardTransaction(s: Session): void {
    s.multi = null;
    this.ks.unwatchAll(s.watch);
  }

  /** Runs the queued commands of a MULTI atomically (EXEC). */
  exec(s: Session): Reply {
    const multi = s.multi;
    if (multi === null) return errors.execWithoutMulti();
    s.multi = null;
    if (multi.aborted) {
      this.ks.unwatchAll(s.watch);
      return errors.execAbort();
    }
    if (this.ks.watchBroken(s.watch)) {
      this.ks.unwatchAll(s.watch);
      return NIL_ARRAY;
    }
    this.ks.unwatchAll(s.watch);
    const replies: Reply[] = [];
    this.execDepth++;
    try {
      for (const q of multi.queue) replies.push(this.call(s, q.spec, q.argv, q.fullName));
    } finally {
      this.execDepth--;
    }
    return array(replies);
  }

  /** The call proper: handler, effects, stats, slow log, monitors. */
  call(s: Session, spec: CommandSpec<ServerContext>, argv: string[], fullName: string): Reply {
    const rc = this.runtime.of(spec);
    return this.run(s, rc.fullName === fullName ? rc : new ResolvedCommand(spec, fullName), argv);
  }

  private run(s: Session, rc: ResolvedCommand, argv: string[]): Reply {
    // The typed calls (typedGet, typedSet, finishTyped) take these same steps through small
    // helpers; they stay written out here, on the path of every command of every client, where
    // V8 would not inline all of those helpers (a call each).
    const { spec, fullName } = rc;
    const ctx = s.ctx;
    ctx.db = this.ks.dbs[s.db]!;
    ctx.effectRewritten = false;
    ctx.blockingAllowed = s.canBlock && this.execDepth === 0;
    // A background snapshot keeps the pre-image of the keys this write is about to change.
    if (this.persistence?.copyOnWrite === true && rc.write) this.persistence.beforeWrite(ctx.db.id, spec, argv);
    const dirtyBefore = this.ks.dirty;
    const sizeNotesBefore = this.ks.sizeNotes;
    const timed = this.timeEveryCall || !rc.constantCost || (rc.statIn(this.stats).calls & (TIMING_SAMPLE - 1)) === 0;
    const started = timed ? this.clock.monotonicMicros() : 0;
    let reply: Reply;
    try {
      reply = spec.handler!(ctx, argv);
    } catch (e) {
      reply = this.internalError(rc, e);
    }
    // -1: not timed (a sampled-out constant-cost call); the slow log and latency monitor skip it.
    let elapsed = -1;
    if (timed) {
      elapsed = Math.max(0, Math.round(this.clock.monotonicMicros() - started));
      if (elapsed >= 1000) this.clock.timePassed?.();
    }
    // EXEC and other non-write commands that run writes inside them log nothing of their own.
    if (this.ks.dirty !== dirtyBefore && !ctx.effectRewritten && rc.write) this.ks.emit(ctx.db.id, argv);
    if (this.ks.dirty !== dirtyBefore && this.ks.sizeNotes === sizeNotesBefore) this.refreshKeySizes(ctx.db, spec, argv);
    else this.ks.settleSizes();
    // Key events go out per call, not per command line: inside EXEC a read must find the
    // tracking table as the earlier writes of the same transaction left it (notifications.ts).
    if (this.pubsub.keyEventsWanted) dispatchKeyEvents(this, s);
    if (this.tracking.active) this.tracking.afterCall(s, spec, argv, fullName, reply);
    const stat = rc.statIn(this.stats);
    stat.calls++;
    if (elapsed >= 0) {
      stat.usec += elapsed;
      stat.timedCalls++;
    }
    this.stats.totalCommandsProcessed++;
    s.totalCommands++;
    s.lastCommand = fullName;
    if (reply.k === ReplyKind.Error) {
      stat.failedCalls++;
      this.stats.countError(reply.v as string);
    }
    this.afterCall(s, rc, argv, elapsed);
    return reply;
  }

  /** The session's context, set up for a call (as run does). */
  private prepareCall(s: Session): ServerContext {
    const ctx = s.ctx;
    ctx.db = this.ks.dbs[s.db]!;
    ctx.effectRewritten = false;
    ctx.blockingAllowed = s.canBlock && this.execDepth === 0;
    return ctx;
  }

  /** Whether this call is timed: every call, or one in TIMING_SAMPLE of a constant-cost command. */
  private isTimed(rc: ResolvedCommand): boolean {
    return this.timeEveryCall || !rc.constantCost || (rc.statIn(this.stats).calls & (TIMING_SAMPLE - 1)) === 0;
  }

  /** Microseconds since `started` (monotonicMicros); a call of a millisecond or more refreshes the command clock. */
  private elapsedSince(started: number): number {
    const elapsed = Math.max(0, Math.round(this.clock.monotonicMicros() - started));
    if (elapsed >= 1000) this.clock.timePassed?.();
    return elapsed;
  }

  /** A handler bug must not take the server down; it is logged loudly and reported. */
  private internalError(rc: ResolvedCommand, e: unknown): Reply {
    this.log.error('command failed with an internal error', { command: rc.fullName, error: String((e as Error)?.stack ?? e) });
    return errors.err(`internal error while running '${rc.fullName}'`);
  }

  /** INFO commandstats and errorstats, and the session's counters, for one call (a string: a bulk reply). */
  private countCall(s: Session, rc: ResolvedCommand, reply: Reply | string, elapsed: number): void {
    const stat = rc.statIn(this.stats);
    stat.calls++;
    if (elapsed >= 0) {
      stat.usec += elapsed;
      stat.timedCalls++;
    }
    this.stats.totalCommandsProcessed++;
    s.totalCommands++;
    s.lastCommand = rc.fullName;
    if (typeof reply !== 'string' && reply.k === ReplyKind.Error) {
      stat.failedCalls++;
      this.stats.countError(reply.v as string);
    }
  }

  /**
   * Brings the memory estimates of a write's keys up to date when the write refreshed none
   * itself: every key the core marked as changed, and the declared keys (a safety net for
   * in-place changes nobody signalled). A write that touched or resized its keys skips it:
   * measuring them again cost a second key-space lookup per key (MSET, INCR). O(1) per key
   * (memory.ts).
   */
  private refreshKeySizes(db: Database, spec: CommandSpec<ServerContext>, argv: readonly string[]): void {
    this.ks.settleSizes();
    const k = spec.keys;
    if (spec.movableKeys !== undefined || k === undefined || k.first === 0) return;
    const last = k.last < 0 ? argv.length + k.last : k.last;
    for (let i = k.first; i <= last && i < argv.length; i += k.step) {
      const e = db.peek(argv[i]!);
      if (e !== undefined) db.resize(e);
    }
  }

  /** Active expiry and idle-client checks; the shell calls this `hz` times a second. */
  cron(): void {
    if (this.persistence?.loading === true) return; // as Redis: no expiry or timeouts while loading
    if (this.scripts.busy) return; // nothing may change the data set between a script's slices
    const now = this.commandNowMs();
    this.ks.now = now;
    if (this.activeExpireEnabled && !this.ks.replicaExpiry) {
      this.ks.activeExpireCycle();
      expireHashFields(this.ks, limits.activeExpireKeysPerLoop * limits.activeExpireLoopsMax);
    }
    // Eviction goes on between commands, as Redis's eviction time proc, with a larger budget.
    if (this.eviction.maxmemory > 0) this.performEvictions(null, evictionKeyBudget(this.eviction.tenacity) * 16);
    else this.usedMemory(); // keeps the peak current
    if (this.pubsub.keyEventsWanted) dispatchKeyEvents(this, null);
    this.pubsub.cron();
    this.tracking.flushBroadcasts();
    this.flushEffects(false);
    this.blocking.expire(now);
    this.blocking.serveReadyKeys();
    this.rates.sampleIfDue(now, {
      commands: this.stats.totalCommandsProcessed,
      netInputBytes: this.stats.netInputBytes,
      netOutputBytes: this.stats.netOutputBytes,
    });
    if (this.pause !== null && now >= this.pause.untilMs) this.unpause();
    const timeoutSeconds = this.config.int('timeout');
    if (timeoutSeconds > 0) {
      for (const s of this.sessions.values()) {
        if (s.transport.kind === 'tcp' && !s.monitor && now - s.lastInteractionMs > timeoutSeconds * 1000) {
          this.log.verbose('closing idle client', { id: s.id, addr: s.addr });
          s.transport.close();
        }
      }
    }
  }

  resetStats(): void {
    this.stats.reset();
    this.rates.reset();
    this.ks.stats.keyspaceHits = 0;
    this.ks.stats.keyspaceMisses = 0;
    this.ks.stats.expiredKeys = 0;
    this.ks.stats.expiredStaleKeysSampled = 0;
    this.ks.stats.evictedKeys = 0;
  }

  /** Finds the declaration of a command line; '' for an empty line, 'unknown' when no such command. */
  resolve(argv: readonly string[]):
    | '' | 'unknown'
    | ResolvedCommand
    | { error: Reply; fullName: string | undefined } {
    if (argv.length === 0) return '';
    const resolved = this.runtime.top(argv[0]!, this.lookupCommand);
    if (resolved === undefined) return 'unknown';
    const top = resolved.spec;
    // A container called alone runs its own handler when it has one (bare COMMAND), as Redis does.
    if (top.subcommands === undefined || (argv.length === 1 && top.handler !== undefined)) {
      if (!arityOk(top.arity, argv.length)) return { error: errors.wrongArity(top.name), fullName: top.name };
      return resolved;
    }
    if (argv.length < 2) return { error: errors.wrongArity(top.name), fullName: top.name };
    const sub = findSubcommand(top, argv[1]!);
    if (sub === undefined) return { error: errors.unknownSubcommand(top.name, argv[1]!), fullName: undefined };
    const rc = this.runtime.of(sub);
    if (!arityOk(sub.arity, argv.length)) return { error: errors.wrongArity(rc.fullName), fullName: rc.fullName };
    return rc;
  }

  private readonly lookupCommand = (name: string): CommandSpec<ServerContext> | undefined => this.commands.get(name);

  private reject(s: Session, fullName: string | undefined, reply: Reply): Reply {
    if (s.multi !== null) s.multi.aborted = true;
    else this.group?.refusedBeforeAdmission(s);
    if (fullName !== undefined) this.stats.command(fullName).rejectedCalls++;
    if (fullName === 'exec') {
      // A rejected EXEC ends the transaction, in or out of MULTI, as Redis's execCommandAbort.
      this.discardTransaction(s);
      reply = errors.execAbortBecause(reply);
    }
    this.stats.countError(reply.v as string);
    return reply;
  }

  /**
   * A command another node must serve (cluster mode). As Redis's cluster redirection: the reply
   * is the plain redirection, an EXEC so refused drops its transaction, a queued command dooms it.
   */
  private redirect(s: Session, fullName: string, reply: Reply): Reply {
    this.stats.command(fullName).rejectedCalls++;
    if (fullName === 'exec') this.discardTransaction(s);
    else if (s.multi !== null) s.multi.aborted = true;
    this.stats.countError(reply.v as string);
    return reply;
  }

  private afterCall(s: Session, rc: ResolvedCommand, argv: string[], elapsedMicros: number): void {
    const threshold = this.slowlogThresholdMicros;
    if (threshold >= 0 && elapsedMicros >= threshold && elapsedMicros >= 0 && !rc.skipSlowlog) {
      this.slowlog.record(argv, elapsedMicros, Math.floor(this.clock.nowMs() / 1000), s.addr, s.name, this.slowlogMaxLen);
    }
    // Redis samples slow commands as 'command' or 'fast-command' events for LATENCY.
    if (this.latencyThresholdMs > 0 && elapsedMicros >= 0) {
      this.latency.recordIfSlow(rc.latencyEvent, Math.floor(elapsedMicros / 1000), this.latencyThresholdMs, Math.floor(this.clock.nowMs() / 1000));
    }
    if (this.monitors.size > 0 && rc.monitored) this.feedMonitors(s, argv);
  }

  // afterCall's steps for the typed calls, which build the argv only when the slow log takes it.

  /** Whether the slow log takes this call (elapsed -1: not timed). */
  private slowlogWants(rc: ResolvedCommand, elapsedMicros: number): boolean {
    const threshold = this.slowlogThresholdMicros;
    return threshold >= 0 && elapsedMicros >= threshold && elapsedMicros >= 0 && !rc.skipSlowlog;
  }

  private recordSlow(s: Session, argv: readonly string[], elapsedMicros: number): void {
    this.slowlog.record(argv, elapsedMicros, Math.floor(this.clock.nowMs() / 1000), s.addr, s.name, this.slowlogMaxLen);
  }

  /** Redis samples slow commands as 'command' or 'fast-command' events for LATENCY. */
  private recordLatency(rc: ResolvedCommand, elapsedMicros: number): void {
    if (this.latencyThresholdMs > 0 && elapsedMicros >= 0) {
      this.latency.recordIfSlow(rc.latencyEvent, Math.floor(elapsedMicros / 1000), this.latencyThresholdMs, Math.floor(this.clock.nowMs() / 1000));
    }
  }

  private feedMonitors(s: Session, argv: readonly string[]): void {
    const micros = this.clock.nowMicros();
    const secs = Math.floor(micros / 1e6);
    const frac = String(micros % 1e6).padStart(6, '0');
    const where = s.transport.kind === 'embedded' ? 'embedded' : s.addr;
    const line = simple(`${secs}.${frac} [${s.db} ${where}] ${argv.map(repr).join(' ')}`);
    for (const m of this.monitors) m.transport.deliver(line);
  }

  /** Hands the effects recorded since the last flush to the log and replicas. */
  flushEffects(transaction: boolean): void {
    const effects = this.ks.takeEffects();
    if (effects.length === 0 || this.hooks.effects === undefined) return;
    if (transaction && effects.length > 1) {
      const db = effects[0]!.db;
      this.hooks.effects([{ db, argv: ['MULTI'] }, ...effects, { db: effects[effects.length - 1]!.db, argv: ['EXEC'] }]);
    } else {
      this.hooks.effects(effects);
    }
  }
}

/** Constant-cost commands are timed one call in this many (a power of two) when the clock is costly. */
const TIMING_SAMPLE = 16;
/** A slow-log threshold under this (µs) times every call, so that the log misses none. */
const SAMPLED_TIMING_MIN_SLOWLOG_MICROS = 1000;

/** Commands that act on the transaction itself instead of being queued (Redis processCommand). */
const TRANSACTION_CONTROL = new Set(['exec', 'discard', 'multi', 'watch', 'quit', 'reset']);
/** Commands a client in MULTI may still send while out of memory (the rest would be queued). */
const TRANSACTION_CONTROL_ON_OOM = new Set(['exec', 'discard', 'quit', 'reset']);
/** Options that change how eviction runs. */
/** Options the per-command path reads (readHotConfig). */
const HOT_OPTIONS = new Set(['slowlog-log-slower-than', 'slowlog-max-len', 'latency-monitor-threshold']);
const EVICTION_OPTIONS = new Set(['maxmemory', 'maxmemory-policy', 'maxmemory-samples', 'maxmemory-eviction-tenacity', 'lfu-log-factor', 'lfu-decay-time']);

/** The argv execute would get for a typed SET (engine.typedSet): SET key value [EX|PX ttl]. */
export function typedSetArgv(key: string, value: string, ttl: number, inSeconds: boolean): string[] {
  return ttl === 0 ? ['SET', key, value] : ['SET', key, value, inSeconds ? 'EX' : 'PX', String(ttl)];
}

/** The argv of a typed call: GET key when value is null, else typedSetArgv. */
function typedArgv(key: string, value: string | null, ttl: number, inSeconds: boolean): string[] {
  return value === null ? ['GET', key] : typedSetArgv(key, value, ttl, inSeconds);
}

function arityOk(arity: number, argc: number): boolean {
  return arity > 0 ? argc === arity : argc >= -arity;
}

function errorFromResolve(kind: 'unknown', argv: readonly string[]): Reply {
  void kind;
  return errors.unknownCommand(argv[0]!, argv.slice(1));
}
