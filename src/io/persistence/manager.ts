// Persistence for one engine: the append-only log (multi-part, as Redis 7), snapshots (SAVE,
// BGSAVE, save rules), log rewrites (BGREWRITEAOF, auto-aof-rewrite-*), start-up loading and
// disk failures. It is the shell around the formats and jobs in this folder, and what the
// engine sees as its PersistenceGate.
//
// Files, under `dir`:
//   <dbfilename>                              snapshot (SAVE, BGSAVE)
//   <appenddirname>/<appendfilename>.manifest which files make up the log
//   <appenddirname>/<appendfilename>.N.base.rdb  the data set when the log was last rewritten
//   <appenddirname>/<appendfilename>.N.incr.aof  every write since, in order
// Every new file is written beside its final name, fsynced, renamed, and the folder fsynced; a
// manifest is replaced last, so a crash at any moment leaves a set that loads.
import path from 'node:path';
import * as errors from '../../core/errors.js';
import type { Effect } from '../../core/keyspace.js';
import { keyPositions } from '../../core/commands/registry.js';
import type { CommandSpec } from '../../core/commands/spec.js';
import { OK, simple, type Reply } from '../../core/reply.js';
import type { ServerContext } from '../../server/context.js';
import type { Engine } from '../../server/engine.js';
import { Logger } from '../../server/log.js';
import type { PersistenceGate, ReplyBarrier } from '../../server/persistence-gate.js';
import type { Session } from '../../server/session.js';
import { CAIRN_VERSION } from '../../version.js';
import { AppendLog, type FsyncPolicy } from './append-log.js';
import { logEncoding, snapshotEncoding } from './encodings.js';
import { nodeFileSystem, type AppendFile, type FileSystem } from './file-system.js';
import { LoadError, LoadJob, type LoadSource } from './loader.js';
import { logFileHeader } from './log-format.js';
import { baseFileName, formatManifest, incrFileName, manifestFileName, parseManifest, type Manifest, type ManifestFile } from './manifest.js';
import { parseSaveRules, saveDue } from '../../server/save-rules.js';
import { SnapshotJob, type SnapshotEncoding, type SnapshotJobOptions } from './snapshot-job.js';

export interface PersistenceOptions {
  engine: Engine;
  /** The data folder (config `dir`, resolved). */
  dir: string;
  fs?: FileSystem;
  log?: Logger;
  /** Embedded mode: loads synchronously and, under `always`, fsyncs each write before returning. */
  embedded?: boolean;
  /** Tests drive time: no timers are started and turn ends run only when runTurns() is called. */
  manualTimers?: boolean;
  /** Process id for temp file names (Redis: temp-<pid>.rdb). */
  pid?: number;
  /** Longest slice of a background snapshot's work per event-loop turn. */
  snapshotStepMicros?: number;
  /** Longest slice of loading per event-loop turn (clients get LOADING in between). */
  loadStepMicros?: number;
}

type JobKind = 'rdb' | 'aof';

interface RunningJob {
  readonly kind: JobKind;
  readonly snapshot: SnapshotJob;
  readonly file: AppendFile;
  readonly tempPath: string;
  readonly finalPath: string;
  readonly startedMs: number;
  readonly dirtyAtStart: number;
  /** A rewrite: the base it produces and the incremental log it pairs with (null if the log is off). */
  readonly base: ManifestFile | null;
  readonly incr: ManifestFile | null;
  cancelled: boolean;
}

/** After a failed background save, save rules wait this long before trying again (Redis: 5 s). */
const BGSAVE_RETRY_DELAY_MS = 5000;
/** Commands that replace whole databases: a running snapshot finishes before they run. */
export const WHOLE_DATABASE_WRITES: ReadonlySet<string> = new Set(['flushall', 'flushdb', 'swapdb']);
/** Loading works in slices of this much time between turns of the event loop. */
const LOAD_STEP_MICROS = 20_000;
const SNAPSHOT_STEP_MICROS = 2_000;

export class Persistence implements PersistenceGate {
  loading = false;
  private loadJob: LoadJob | null = null;
  private loadStartedUnix = 0;
  private loadStartedMs = 0;
  private aof: AppendLog | null = null;
  private manifest: Manifest | null = null;
  private job: RunningJob | null = null;
  private rdbScheduled = false;
  private aofRewriteScheduled = false;
  private lastBgsaveOk = true;
  private lastBgsaveTryMs = 0;
  private lastBgsaveSeconds = -1;
  private rdbSaves = 0;
  private lastRdbCowBytes = 0;
  private lastRewriteOk = true;
  private lastRewriteSeconds = -1;
  private rewrites = 0;
  private rewriteFailuresInARow = 0;
  private lastAofCowBytes = 0;
  /** Size of the log right after the last rewrite (auto-aof-rewrite-percentage compares to it). */
  private aofBaseBytes = 0;
  /** Size of the finished files of the log (base and older incrs), the current incr excluded. */
  private aofSealedBytes = 0;
  private lastLoadKeysLoaded = 0;
  private lastLoadKeysExpired = 0;
  private lastRetryMs = 0;
  private tempCounter = 0;
  private closed = false;
  private readonly timers: Array<ReturnType<typeof setInterval>> = [];
  private readonly turnQueue: Array<() => void> = [];
  readonly fs: FileSystem;
  readonly log: Logger;
  private readonly engine: Engine;

  constructor(private readonly options: PersistenceOptions) {
    this.engine = options.engine;
    this.fs = options.fs ?? nodeFileSystem;
    this.log = options.log ?? Logger.silent();
  }

  // -------------------------------------------------------------------------------------------
  // Set-up and start-up

  /** Hooks into the engine: effects go to the log, admission and INFO ask this object. */
  attach(): void {
    const engine = this.engine;
    const previous = engine.hooks.effects;
    engine.hooks = {
      ...engine.hooks,
      effects: (effects) => {
        previous?.(effects);
        this.onEffects(effects);
      },
    };
    engine.persistence = this;
    engine.config.onChange((name, value) => this.onConfigChange(name, value));
  }

  /**
   * Loads the data set and opens the log. Server mode: in slices while clients get LOADING;
   * resolves when done, rejects with a LoadError (start-up must stop). Embedded: synchronous.
   */
  async start(): Promise<void> {
    const sources = this.prepareLoad();
    if (sources.length > 0) {
      this.beginLoad(sources);
      while (this.loadJob !== null) {
        await new Promise<void>((resolve) => setImmediate(resolve));
        if (this.closed) {
          // Shut down while loading: nothing was changed on disk, nothing to finish.
          this.loadJob = null;
          this.loading = false;
          return;
        }
        this.loadSlice(this.options.loadStepMicros ?? LOAD_STEP_MICROS);
      }
    }
    if (this.closed) return;
    this.afterLoad(sources.length > 0);
  }

  /** start() for embedded mode and tests: everything on this turn. */
  startSync(): void {
    const sources = this.prepareLoad();
    if (sources.length > 0) {
      this.beginLoad(sources);
      while (this.loadJob !== null) this.loadSlice(1_000_000);
    }
    this.afterLoad(sources.length > 0);
  }

  private get dir(): string {
    return this.options.dir;
  }

  private get aofDir(): string {
    return path.join(this.dir, this.engine.config.get('appenddirname'));
  }

  private get appendFilename(): string {
    return this.engine.config.get('appendfilename');
  }

  private get dumpPath(): string {
    return path.join(this.dir, this.engine.config.get('dbfilename'));
  }

  private get aofWanted(): boolean {
    return this.engine.config.bool('appendonly');
  }

  /** Which files to load, oldest first, from the manifest or the snapshot. */
  private prepareLoad(): LoadSource[] {
    this.fs.mkdirp(this.dir);
    if (this.aofWanted) {
      this.fs.mkdirp(this.aofDir);
      const manifestPath = path.join(this.aofDir, manifestFileName(this.appendFilename));
      if (this.fs.exists(manifestPath)) {
        const parsed = parseManifest(this.fs.readText(manifestPath));
        if (typeof parsed === 'string') {
          throw new LoadError(`Bad manifest ${manifestPath}: ${parsed}. Start-up stopped; fix or remove the manifest.`, manifestPath, 0);
        }
        this.manifest = parsed;
        const files = parsed.base === null ? parsed.incrs : [parsed.base, ...parsed.incrs];
        return files.map((f, i) => {
          const p = path.join(this.aofDir, f.name);
          if (!this.fs.exists(p)) throw new LoadError(`The manifest ${manifestPath} lists ${f.name}, which is missing. Start-up stopped.`, p, 0);
          return { path: p, mayBeTorn: f.type === 'i' && i === files.length - 1, dropExpired: false };
        });
      }
    }
    // No log yet: the snapshot, if any (switching appendonly on keeps the data it holds).
    return this.fs.exists(this.dumpPath) ? [{ path: this.dumpPath, mayBeTorn: false, dropExpired: true }] : [];
  }

  private beginLoad(sources: LoadSource[]): void {
    this.loading = true;
    this.loadStartedMs = this.engine.clock.nowMs();
    this.loadStartedUnix = Math.floor(this.loadStartedMs / 1000);
    this.loadJob = new LoadJob(this.engine, this.fs, sources, {
      loadTruncated: this.engine.config.bool('aof-load-truncated'),
      log: this.log,
    });
    this.log.notice('Loading the data set from disk', { files: sources.map((s) => s.path), bytes: this.loadJob.totalBytes });
  }

  private loadSlice(budgetMicros: number): void {
    const job = this.loadJob!;
    try {
      if (!job.step(budgetMicros)) return;
    } catch (e) {
      this.loadJob = null;
      this.loading = false;
      throw e;
    }
    this.loadJob = null;
    this.loading = false;
    this.lastLoadKeysLoaded = job.keysLoaded;
    this.lastLoadKeysExpired = job.keysExpired;
    const seconds = Math.max(0, (this.engine.clock.nowMs() - this.loadStartedMs) / 1000);
    this.log.notice(`DB loaded from disk: ${seconds.toFixed(3)} seconds`, {
      keys_loaded: job.keysLoaded, keys_expired: job.keysExpired, records_replayed: job.records, replay_errors: job.replayErrors,
    });
  }

  /** The log is opened (or created) once the data is in memory. */
  private afterLoad(loadedSomething: boolean): void {
    this.engine.ks.dirty = 0;
    this.cleanTempFiles();
    if (this.aofWanted) this.openLog(loadedSomething);
    this.startTimers();
  }

  private openLog(loadedSomething: boolean): void {
    const m = this.manifest;
    if (m === null || m.incrs.length === 0) {
      // First start with the log on (or a base without incrementals): write the data set as
      // the base now, so the log starts from a known point.
      if (loadedSomething || m === null) this.log.notice('Creating the append-only file base on start-up', { dir: this.aofDir });
      this.rewriteNow();
      return;
    }
    const last = m.incrs[m.incrs.length - 1]!;
    const p = path.join(this.aofDir, last.name);
    let file: AppendFile;
    if (this.fs.size(p) < logFileHeader().length) {
      // Its header was torn by a crash (and cut on load): give it a fresh one.
      file = this.fs.openAppend(p, true);
      file.write(logFileHeader());
      file.fsyncSync();
    } else {
      file = this.fs.openAppend(p, false);
    }
    this.aof = this.newAppendLog(file);
    this.aofSealedBytes = this.filesBytes(m, false);
    this.aofBaseBytes = this.filesBytes(m, true);
    this.removeUnlistedLogFiles(m);
  }

  private newAppendLog(file: AppendFile): AppendLog {
    return new AppendLog(file, {
      policy: this.engine.config.get('appendfsync') as FsyncPolicy,
      endOfTurn: (fn) => this.endOfTurn(fn),
      nowMs: () => this.engine.clock.nowMs(),
      log: this.log,
      inlineSync: this.options.embedded === true,
    });
  }

  private startTimers(): void {
    if (this.options.manualTimers === true || this.closed) return;
    const cron = setInterval(() => this.cron(), 100);
    const everysec = setInterval(() => this.everySecond(), 1000);
    cron.unref();
    everysec.unref();
    this.timers.push(cron, everysec);
  }

  private endOfTurn(fn: () => void): void {
    if (this.options.manualTimers === true) this.turnQueue.push(fn);
    else setImmediate(fn);
  }

  /** Tests with manual timers: ends the turn (runs what was scheduled for then; new work waits for the next call). */
  runTurns(): number {
    const due = this.turnQueue.splice(0, this.turnQueue.length);
    for (const fn of due) fn();
    return due.length;
  }

  // -------------------------------------------------------------------------------------------
  // The engine's side: effects, admission, copy-on-write, INFO

  private onEffects(effects: readonly Effect[]): void {
    // While loading, the effects are the replay's own; they are on disk already.
    if (this.loading || this.aof === null || this.closed) return;
    this.aof.appendEffects(effects);
  }

  admit(s: Session, spec: CommandSpec<ServerContext>, fullName: string): Reply | null {
    const isWrite = spec.flags.includes('write') || (fullName === 'exec' && (s.multi?.queue.some((q) => q.spec.flags.includes('write')) ?? false));
    if (isWrite || fullName === 'ping') {
      const refusal = this.diskErrorRefusal();
      if (refusal !== null) return refusal;
    }
    if (this.loading) {
      const denied = !spec.flags.includes('loading') || (fullName === 'exec' && (s.multi?.queue.some((q) => !q.spec.flags.includes('loading')) ?? false));
      if (denied) return errors.loading();
    }
    return null;
  }

  /** Redis's writeCommandsDeniedByDiskError: a failed snapshot (if save points are set), then the log. */
  private diskErrorRefusal(): Reply | null {
    const config = this.engine.config;
    if (!this.lastBgsaveOk && config.bool('stop-writes-on-bgsave-error') && parseSaveRules(config.get('save')).length > 0) return errors.misconfRdb();
    const failure = this.aof?.failure;
    if (failure !== undefined && failure !== null) return errors.misconfAof(failure.reason);
    return null;
  }

  get copyOnWrite(): boolean {
    return this.job !== null && !this.job.snapshot.done;
  }

  beforeWrite(dbIndex: number, spec: CommandSpec<ServerContext>, argv: readonly string[]): void {
    const job = this.job;
    if (job === null || job.snapshot.done) return;
    if (WHOLE_DATABASE_WRITES.has(spec.name)) {
      this.finishJobNow(job);
      return;
    }
    const snapshot = job.snapshot;
    for (const i of keyPositions(spec, argv)) snapshot.preimage(dbIndex, argv[i]!);
    // COPY ... DB n writes a key of another database than the one its positions name.
    if (spec.name === 'copy') {
      for (let i = 3; i + 1 < argv.length; i++) {
        if (argv[i]!.toUpperCase() === 'DB' && /^\d{1,4}$/.test(argv[i + 1]!)) snapshot.preimage(Number(argv[i + 1]), argv[2]!);
      }
    }
  }

  keyAboutToChange(dbIndex: number, key: string): void {
    const job = this.job;
    if (job !== null && !job.snapshot.done) job.snapshot.preimage(dbIndex, key);
  }

  replyBarrier(): ReplyBarrier | null {
    if (this.closed || this.aof !== null) return this.barrier;
    return null;
  }

  private readonly barrier: ReplyBarrier = logBarrier({
    log: () => this.aof,
    closed: () => this.closed,
  });

  infoFields(): Array<readonly [string, string | number]> {
    const e = this.engine;
    const nowMs = e.clock.nowMs();
    const job = this.job;
    const rdbJob = job?.kind === 'rdb' ? job : null;
    const aofJob = job?.kind === 'aof' ? job : null;
    const processed = job?.snapshot.keysWritten ?? 0;
    const total = job?.snapshot.keysTotal ?? 0;
    const fields: Array<readonly [string, string | number]> = [
      ['loading', this.loading ? 1 : 0],
      ['async_loading', 0],
      // Cairn's copy-on-write is per key: these count the bytes of pre-images held.
      ['current_cow_peak', job?.snapshot.cowPeakBytes ?? 0],
      ['current_cow_size', job?.snapshot.cowBytes ?? 0],
      ['current_cow_size_age', 0],
      ['current_fork_perc', (total === 0 ? 0 : (processed / total) * 100).toFixed(2)],
      ['current_save_keys_processed', processed],
      ['current_save_keys_total', total],
      ['rdb_changes_since_last_save', e.ks.dirty],
      ['rdb_bgsave_in_progress', rdbJob !== null ? 1 : 0],
      ['rdb_last_save_time', e.lastSaveUnix],
      ['rdb_last_bgsave_status', this.lastBgsaveOk ? 'ok' : 'err'],
      ['rdb_last_bgsave_time_sec', this.lastBgsaveSeconds],
      ['rdb_current_bgsave_time_sec', rdbJob !== null ? Math.floor((nowMs - rdbJob.startedMs) / 1000) : -1],
      ['rdb_saves', this.rdbSaves],
      ['rdb_last_cow_size', this.lastRdbCowBytes],
      ['rdb_last_load_keys_expired', this.lastLoadKeysExpired],
      ['rdb_last_load_keys_loaded', this.lastLoadKeysLoaded],
      ['aof_enabled', this.aofWanted ? 1 : 0],
      ['aof_rewrite_in_progress', aofJob !== null ? 1 : 0],
      ['aof_rewrite_scheduled', this.aofRewriteScheduled ? 1 : 0],
      ['aof_last_rewrite_time_sec', this.lastRewriteSeconds],
      ['aof_current_rewrite_time_sec', aofJob !== null ? Math.floor((nowMs - aofJob.startedMs) / 1000) : -1],
      ['aof_last_bgrewrite_status', this.lastRewriteOk ? 'ok' : 'err'],
      ['aof_rewrites', this.rewrites],
      ['aof_rewrites_consecutive_failures', this.rewriteFailuresInARow],
      ['aof_last_write_status', (this.aof?.failure ?? null) === null ? 'ok' : 'err'],
      ['aof_last_cow_size', this.lastAofCowBytes],
    ];
    if (this.aof !== null) {
      fields.push(
        ['aof_current_size', this.aofCurrentBytes()],
        ['aof_base_size', this.aofBaseBytes],
        ['aof_pending_rewrite', this.aofRewriteScheduled ? 1 : 0],
        ['aof_buffer_length', this.aof.bufferedBytes],
        ['aof_pending_bio_fsync', this.aof.fsyncInProgress ? 1 : 0],
        ['aof_delayed_fsync', this.aof.delayedWrites],
      );
    }
    const load = this.loadJob;
    if (this.loading && load !== null) {
      // Redis's estimate (1 when there is nothing to go on), from milliseconds rather than whole
      // seconds: clients such as ioredis sleep for this long before asking again.
      const elapsedMs = nowMs - this.loadStartedMs;
      const remaining = load.totalBytes - load.loadedBytes;
      const eta = elapsedMs <= 0 || load.loadedBytes === 0 ? 1 : Math.floor((elapsedMs * remaining) / load.loadedBytes / 1000);
      fields.push(
        ['loading_start_time', this.loadStartedUnix],
        ['loading_total_bytes', load.totalBytes],
        ['loading_loaded_bytes', load.loadedBytes],
        ['loading_loaded_perc', (load.totalBytes === 0 ? 0 : (load.loadedBytes / load.totalBytes) * 100).toFixed(2)],
        ['loading_eta_seconds', eta],
      );
    }
    return fields;
  }

  private aofCurrentBytes(): number {
    return this.aofSealedBytes + (this.aof?.sizeBytes ?? 0);
  }

  // -------------------------------------------------------------------------------------------
  // SAVE, BGSAVE, BGREWRITEAOF

  save(): Reply {
    if (this.job?.kind === 'rdb') return errors.bgsaveInProgress();
    return this.saveSnapshotNow() ? OK : errors.saveFailed();
  }

  bgsave(schedule: boolean): Reply {
    if (this.job?.kind === 'rdb') return errors.bgsaveInProgress();
    if (this.job !== null || this.midCommand()) {
      if (!schedule && this.job !== null) return errors.bgsaveWhileRewriting();
      this.rdbScheduled = true;
      return simple('Background saving scheduled');
    }
    return this.startBgsave() ? simple('Background saving started') : errors.saveFailed();
  }

  bgrewriteaof(): Reply {
    if (this.job?.kind === 'aof') return errors.bgrewriteaofInProgress();
    if (this.job !== null || this.midCommand()) {
      this.aofRewriteScheduled = true;
      return simple('Background append only file rewriting scheduled');
    }
    return this.startRewrite() ? simple('Background append only file rewriting started') : errors.bgrewriteaofFailed();
  }

  /**
   * True inside a transaction that has already written: a snapshot started now would hold
   * half of it, so the job is scheduled for right after (Redis schedules in EXEC too).
   */
  private midCommand(): boolean {
    const pending = this.engine.ks.takeEffects();
    for (const e of pending) this.engine.ks.emit(e.db, e.argv);
    return pending.length > 0;
  }

  /** SAVE: the whole data set, now, on this turn. */
  private saveSnapshotNow(): boolean {
    const temp = path.join(this.dir, `temp-${this.pid()}.rdb`);
    try {
      const file = this.fs.openAppend(temp, true);
      const job = new SnapshotJob(this.engine.ks, this.snapshotEncodingFor('dump'), file, this.snapshotOptions());
      job.finishNow();
      file.fsyncSync();
      file.close();
      this.fs.rename(temp, this.dumpPath);
      this.fs.syncDir(this.dir);
    } catch (e) {
      this.log.warning(`Failed saving the snapshot: ${String((e as Error).message ?? e)}`, { file: this.dumpPath });
      this.safeUnlink(temp);
      this.lastBgsaveOk = false;
      return false;
    }
    this.log.notice('DB saved on disk', { file: this.dumpPath });
    this.engine.ks.dirty = 0;
    this.engine.lastSaveUnix = Math.floor(this.engine.clock.nowMs() / 1000);
    this.lastBgsaveOk = true;
    return true;
  }

  private startBgsave(): boolean {
    this.lastBgsaveTryMs = this.engine.clock.nowMs();
    const temp = path.join(this.dir, `temp-${this.pid()}-${++this.tempCounter}.rdb`);
    let file: AppendFile;
    try {
      file = this.fs.openAppend(temp, true);
    } catch (e) {
      this.bgsaveFailed(`cannot create ${temp}: ${String((e as Error).message ?? e)}`);
      return false;
    }
    this.log.notice('Background saving started');
    return this.startJob('rdb', file, temp, this.dumpPath, this.snapshotEncodingFor('dump'), null, null);
  }

  /**
   * BGREWRITEAOF: the log switches to a new incremental file at once (listed in the manifest
   * before any write lands in it), and the data set of this instant is written as the new base
   * in the background. Until the base is done, the manifest lists the old base, the old
   * incrementals and the new one: a complete history at every moment.
   */
  private startRewrite(): boolean {
    this.aofRewriteScheduled = false;
    const aofOn = this.aof !== null;
    try {
      this.fs.mkdirp(this.aofDir);
      const m = this.manifest;
      const baseSeq = (m?.base?.seq ?? 0) + 1;
      const preamble = this.engine.config.bool('aof-use-rdb-preamble');
      const base: ManifestFile = { name: baseFileName(this.appendFilename, baseSeq, preamble), seq: baseSeq, type: 'b' };
      let incr: ManifestFile | null = null;
      if (aofOn && m !== null) {
        incr = this.switchToNewIncr(m);
      }
      const temp = path.join(this.aofDir, `temp-rewriteaof-bg-${this.pid()}.${preamble ? 'rdb' : 'aof'}`);
      const file = this.fs.openAppend(temp, true);
      const encoding = preamble ? this.snapshotEncodingFor('aof-base') : logEncoding(this.engine.scripts.libraryCodes());
      this.log.notice('Background append only file rewriting started');
      return this.startJob('aof', file, temp, path.join(this.aofDir, base.name), encoding, base, incr);
    } catch (e) {
      this.rewriteFailed(String((e as Error).message ?? e));
      return false;
    }
  }

  /** Seals the current incremental log and starts the next; the manifest lists both. */
  private switchToNewIncr(m: Manifest): ManifestFile {
    const aof = this.aof!;
    if (!aof.flushSync()) throw new Error(`the current log cannot be flushed: ${aof.failure?.reason ?? 'unknown error'}`);
    const last = m.incrs[m.incrs.length - 1];
    const seq = (last?.seq ?? 0) + 1;
    const incr: ManifestFile = { name: incrFileName(this.appendFilename, seq), seq, type: 'i' };
    const file = this.createLogFile(path.join(this.aofDir, incr.name));
    this.writeManifest({ base: m.base, incrs: [...m.incrs, incr] });
    this.aofSealedBytes += aof.sizeBytes;
    aof.switchTo(file);
    return incr;
  }

  /** A new, empty log file with its header, durable before anything refers to it. */
  private createLogFile(p: string): AppendFile {
    const file = this.fs.openAppend(p, true);
    file.write(logFileHeader());
    file.fsyncSync();
    this.fs.syncDir(path.dirname(p));
    return file;
  }

  private writeManifest(m: Manifest): void {
    const final = path.join(this.aofDir, manifestFileName(this.appendFilename));
    const temp = path.join(this.aofDir, `temp-${manifestFileName(this.appendFilename)}`);
    const file = this.fs.openAppend(temp, true);
    try {
      file.write(Buffer.from(formatManifest(m), 'latin1'));
      file.fsyncSync();
    } finally {
      file.close();
    }
    this.fs.rename(temp, final);
    this.fs.syncDir(this.aofDir);
    this.manifest = m;
  }

  private startJob(kind: JobKind, file: AppendFile, tempPath: string, finalPath: string, encoding: SnapshotEncoding, base: ManifestFile | null, incr: ManifestFile | null): boolean {
    let snapshot: SnapshotJob;
    try {
      snapshot = new SnapshotJob(this.engine.ks, encoding, file, this.snapshotOptions());
    } catch (e) {
      file.close();
      this.safeUnlink(tempPath);
      this.jobFailed(kind, String((e as Error).message ?? e));
      return false;
    }
    const job: RunningJob = {
      kind, snapshot, file, tempPath, finalPath, startedMs: this.engine.clock.nowMs(), dirtyAtStart: this.engine.ks.dirty,
      base, incr, cancelled: false,
    };
    this.job = job;
    this.scheduleStep(job);
    return true;
  }

  private scheduleStep(job: RunningJob): void {
    this.endOfTurn(() => this.stepJob(job));
  }

  private stepJob(job: RunningJob): void {
    if (job.cancelled || this.job !== job) return;
    let done: boolean;
    try {
      done = job.snapshot.step();
    } catch (e) {
      this.abortJob(job, String((e as Error).message ?? e));
      return;
    }
    if (done) this.completeJob(job);
    else this.scheduleStep(job);
  }

  /** A command that changes whole databases is about to run: the walk ends first. */
  private finishJobNow(job: RunningJob): void {
    try {
      job.snapshot.finishNow();
    } catch (e) {
      this.abortJob(job, String((e as Error).message ?? e));
      return;
    }
    this.completeJob(job);
  }

  /** The walk is done: fsync in the background, then rename into place. */
  private completeJob(job: RunningJob): void {
    job.file.fsync((error) => {
      if (job.cancelled || this.job !== job) return;
      if (error !== null) {
        this.abortJob(job, `fsync: ${error.message}`);
        return;
      }
      try {
        job.file.close();
        this.fs.rename(job.tempPath, job.finalPath);
        this.fs.syncDir(path.dirname(job.finalPath));
        if (job.kind === 'aof') this.installRewrite(job);
      } catch (e) {
        this.abortJob(job, String((e as Error).message ?? e));
        return;
      }
      this.jobSucceeded(job);
    });
  }

  /** The new base is in place: the manifest now names it and the incremental log begun with it. */
  private installRewrite(job: RunningJob): void {
    const old = this.manifest;
    const incrs = job.incr === null ? [] : [job.incr];
    this.writeManifest({ base: job.base, incrs });
    if (old !== null) {
      const keep = new Set([job.base!.name, ...incrs.map((f) => f.name)]);
      for (const f of old.base === null ? old.incrs : [old.base, ...old.incrs]) {
        if (!keep.has(f.name)) this.safeUnlink(path.join(this.aofDir, f.name));
      }
    }
    this.aofSealedBytes = this.fs.size(job.finalPath);
    this.aofBaseBytes = this.aofCurrentBytes();
  }

  private jobSucceeded(job: RunningJob): void {
    this.job = null;
    const seconds = Math.round((this.engine.clock.nowMs() - job.startedMs) / 1000);
    const snap = job.snapshot;
    const facts = { keys: snap.keysWritten, steps: snap.steps, longest_pause_ms: (snap.longestPauseMicros / 1000).toFixed(3), cow_peak_bytes: snap.cowPeakBytes };
    if (job.kind === 'rdb') {
      this.lastBgsaveOk = true;
      this.lastBgsaveSeconds = seconds;
      this.rdbSaves++;
      this.lastRdbCowBytes = snap.cowPeakBytes;
      this.engine.ks.dirty = Math.max(0, this.engine.ks.dirty - job.dirtyAtStart);
      this.engine.lastSaveUnix = Math.floor(this.engine.clock.nowMs() / 1000);
      this.log.notice('Background saving terminated with success', facts);
    } else {
      this.lastRewriteOk = true;
      this.lastRewriteSeconds = seconds;
      this.rewrites++;
      this.rewriteFailuresInARow = 0;
      this.lastAofCowBytes = snap.cowPeakBytes;
      this.log.notice('Background AOF rewrite terminated with success', facts);
    }
    this.lastJobFacts = facts;
    this.startScheduled();
  }

  /** What the last finished background job measured (benchmarks and tests read it). */
  lastJobFacts: Record<string, unknown> | null = null;

  private abortJob(job: RunningJob, why: string): void {
    job.cancelled = true;
    if (this.job === job) this.job = null;
    try {
      job.file.close();
    } catch {
      // already failing
    }
    this.safeUnlink(job.tempPath);
    this.jobFailed(job.kind, why);
    this.startScheduled();
  }

  private jobFailed(kind: JobKind, why: string): void {
    if (kind === 'rdb') this.bgsaveFailed(why);
    else this.rewriteFailed(why);
  }

  private bgsaveFailed(why: string): void {
    this.lastBgsaveOk = false;
    this.log.warning(`Background saving error: ${why}`);
  }

  private rewriteFailed(why: string): void {
    this.lastRewriteOk = false;
    this.rewriteFailuresInARow++;
    this.log.warning(`Background AOF rewrite failed: ${why}`);
  }

  private startScheduled(): void {
    if (this.job !== null || this.closed || this.loading) return;
    if (this.aofRewriteScheduled) this.startRewrite();
    else if (this.rdbScheduled) {
      this.rdbScheduled = false;
      this.startBgsave();
    }
  }

  /** Writes the log's base synchronously (start-up, and a rewrite with no log running yet). */
  private rewriteNow(): void {
    const m = this.manifest;
    const baseSeq = (m?.base?.seq ?? 0) + 1;
    const incrSeq = (m?.incrs[m.incrs.length - 1]?.seq ?? 0) + 1;
    const preamble = this.engine.config.bool('aof-use-rdb-preamble');
    const base: ManifestFile = { name: baseFileName(this.appendFilename, baseSeq, preamble), seq: baseSeq, type: 'b' };
    const incr: ManifestFile = { name: incrFileName(this.appendFilename, incrSeq), seq: incrSeq, type: 'i' };
    const basePath = path.join(this.aofDir, base.name);
    const temp = path.join(this.aofDir, `temp-rewriteaof-${this.pid()}.${preamble ? 'rdb' : 'aof'}`);
    const file = this.fs.openAppend(temp, true);
    const job = new SnapshotJob(this.engine.ks, preamble ? this.snapshotEncodingFor('aof-base') : logEncoding(this.engine.scripts.libraryCodes()), file, this.snapshotOptions());
    job.finishNow();
    file.fsyncSync();
    file.close();
    this.fs.rename(temp, basePath);
    const incrFile = this.createLogFile(path.join(this.aofDir, incr.name));
    const old = m;
    this.writeManifest({ base, incrs: [incr] });
    if (old !== null) {
      for (const f of old.base === null ? old.incrs : [old.base, ...old.incrs]) {
        if (f.name !== base.name && f.name !== incr.name) this.safeUnlink(path.join(this.aofDir, f.name));
      }
    }
    this.aof?.close();
    this.aof = this.newAppendLog(incrFile);
    this.aofSealedBytes = this.fs.size(basePath);
    this.aofBaseBytes = this.aofCurrentBytes();
  }

  private snapshotEncodingFor(kind: 'dump' | 'aof-base'): SnapshotEncoding {
    const nowMs = this.engine.clock.nowMs();
    return snapshotEncoding([
      ['cairn-ver', CAIRN_VERSION],
      ['ctime-ms', String(nowMs)],
      ['kind', kind],
    ], this.engine.scripts.libraryCodes());
  }

  private snapshotOptions(): SnapshotJobOptions {
    return {
      nowMs: this.engine.clock.nowMs(),
      monotonicMicros: () => this.engine.clock.monotonicMicros(),
      stepBudgetMicros: this.options.snapshotStepMicros ?? SNAPSHOT_STEP_MICROS,
    };
  }

  // -------------------------------------------------------------------------------------------
  // Cron, config changes, shutdown

  /** Save rules, scheduled jobs, automatic rewrites and retries of a failing log (every 100 ms). */
  cron(): void {
    if (this.loading || this.closed) return;
    const nowMs = this.engine.clock.nowMs();
    if (this.aof?.failure != null && nowMs - this.lastRetryMs >= 1000) {
      this.lastRetryMs = nowMs;
      this.aof.retry();
    }
    if (this.job !== null) return;
    if (this.aofRewriteScheduled || this.rdbScheduled) {
      this.startScheduled();
      return;
    }
    const config = this.engine.config;
    const rules = parseSaveRules(config.get('save'));
    const sinceSave = Math.floor(nowMs / 1000) - this.engine.lastSaveUnix;
    const retryOk = this.lastBgsaveOk || nowMs - this.lastBgsaveTryMs > BGSAVE_RETRY_DELAY_MS;
    if (rules.length > 0 && retryOk && saveDue(rules, this.engine.ks.dirty, sinceSave)) {
      this.log.notice(`${this.engine.ks.dirty} changes since the last save: saving`);
      this.startBgsave();
      return;
    }
    this.maybeAutoRewrite();
  }

  private maybeAutoRewrite(): void {
    if (this.aof === null) return;
    const config = this.engine.config;
    const percent = config.int('auto-aof-rewrite-percentage');
    const size = this.aofCurrentBytes();
    if (percent === 0 || size < config.int('auto-aof-rewrite-min-size')) return;
    const base = Math.max(1, this.aofBaseBytes);
    const growth = Math.floor(((size - base) * 100) / base);
    if (growth < percent) return;
    this.log.notice(`Starting automatic rewriting of AOF on ${growth}% growth`);
    this.startRewrite();
  }

  everySecond(): void {
    if (!this.loading) this.aof?.everySecond();
  }

  private onConfigChange(name: string, value: string): void {
    if (this.closed) return;
    if (name === 'appendfsync') this.aof?.setPolicy(value as FsyncPolicy);
    else if (name === 'appendonly') {
      if (value === 'yes' && this.aof === null && !this.loading) this.enableLog();
      else if (value === 'no' && this.aof !== null) this.disableLog();
    }
  }

  /** CONFIG SET appendonly yes: a fresh base of the current data, then the log runs. */
  private enableLog(): void {
    if (this.job?.kind === 'aof') this.cancelJob(this.job);
    try {
      this.fs.mkdirp(this.aofDir);
      this.rewriteNow();
      this.log.notice('Append-only log enabled');
    } catch (e) {
      this.rewriteFailed(String((e as Error).message ?? e));
    }
  }

  private disableLog(): void {
    if (this.job?.kind === 'aof') this.cancelJob(this.job);
    this.aof!.flushSync();
    this.aof!.close();
    this.aof = null;
    this.log.notice('Append-only log disabled');
  }

  private cancelJob(job: RunningJob): void {
    job.cancelled = true;
    this.job = null;
    try {
      job.file.close();
    } catch {
      // nothing to keep
    }
    this.safeUnlink(job.tempPath);
  }

  /**
   * SHUTDOWN and signals: the log is written and fsynced; a snapshot is saved when asked
   * (`save` true), or by default when save points are set (as Redis, log or no log).
   * Returns an error text when that failed.
   */
  prepareShutdown(save: boolean | null): string | null {
    if (this.closed || this.loading || this.shutdownPrepared) return null;
    if (this.job !== null) this.cancelJob(this.job);
    const problems: string[] = [];
    if (this.aof !== null && !this.aof.flushSync()) problems.push(`Errors writing to the AOF file: ${this.aof.failure?.reason ?? 'unknown'}`);
    const wantSave = save ?? parseSaveRules(this.engine.config.get('save')).length > 0;
    if (wantSave && !this.saveSnapshotNow()) problems.push('Error trying to save the DB');
    if (problems.length > 0) return problems.join('; ');
    this.shutdownPrepared = true;
    return null;
  }

  private shutdownPrepared = false;

  /** Stops timers and closes files. Replies still waiting for an fsync are abandoned. */
  close(): void {
    if (this.closed) return;
    if (this.job !== null) this.cancelJob(this.job);
    this.closed = true;
    for (const t of this.timers) clearInterval(t);
    if (this.aof !== null) {
      this.aof.flushSync();
      this.aof.close();
    }
  }

  // -------------------------------------------------------------------------------------------
  // Small helpers

  private pid(): number {
    return this.options.pid ?? process.pid;
  }

  private safeUnlink(p: string): void {
    try {
      this.fs.unlink(p);
    } catch {
      // a leftover temp file is harmless; the next start-up removes it
    }
  }

  private filesBytes(m: Manifest, includeLast: boolean): number {
    const files = m.base === null ? [...m.incrs] : [m.base, ...m.incrs];
    if (!includeLast) files.pop();
    let total = 0;
    for (const f of files) {
      const p = path.join(this.aofDir, f.name);
      if (this.fs.exists(p)) total += this.fs.size(p);
    }
    return total;
  }

  /** Temp files a crash left behind (Redis leaves them; they only take room). */
  private cleanTempFiles(): void {
    for (const dir of [this.dir, this.aofDir]) {
      for (const name of this.fs.list(dir)) {
        if (name.startsWith('temp-')) this.safeUnlink(path.join(dir, name));
      }
    }
  }

  /** Log files a crashed rewrite created but no manifest lists. */
  private removeUnlistedLogFiles(m: Manifest): void {
    const listed = new Set([...(m.base === null ? [] : [m.base.name]), ...m.incrs.map((f) => f.name)]);
    const prefix = this.appendFilename + '.';
    for (const name of this.fs.list(this.aofDir)) {
      if (!name.startsWith(prefix) || listed.has(name)) continue;
      if (/^\d+\.(base\.(rdb|aof)|incr\.aof)$/.test(name.slice(prefix.length))) this.safeUnlink(path.join(this.aofDir, name));
    }
  }
}

/** The durability barrier over whichever log is current. */
function logBarrier(source: { log: () => AppendLog | null; closed: () => boolean }): ReplyBarrier {
  return {
    get appendedSeq() {
      return source.log()?.appendedSeq ?? 0;
    },
    get durableSeq() {
      return source.log()?.acknowledgedSeq ?? 0;
    },
    get failing() {
      return (source.log()?.failure ?? null) !== null;
    },
    get closed() {
      return source.closed();
    },
    whenChanged: (cb) => {
      const log = source.log();
      if (log === null || source.closed()) setImmediate(cb);
      else log.whenChanged(cb);
    },
    afterRead: () => {
      if (!source.closed()) source.log()?.afterRead();
    },
  };
}

