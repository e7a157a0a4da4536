// Loading the data set at start-up: a snapshot (dump.rdb or the log's base file) then the
// incremental logs, replayed through the real engine by a session of its own, in slices so
// that the server keeps answering (LOADING) meanwhile. A torn last record of the last log is
// cut off with a warning; any other damage stops the load with the file, the byte offset and
// the repair command.
import type { Engine } from '../../server/engine.js';
import { SILENT_TRANSPORT, type Session } from '../../server/session.js';
import { ReplyKind } from '../../core/reply.js';
import type { ValueType } from '../../core/keyspace.js';
import type { Logger } from '../../server/log.js';
import { WindowReader } from './byte-reader.js';
import type { FileSystem } from './file-system.js';
import { checkLogHeader, LOG_HEADER_BYTES, readRecord } from './log-format.js';
import { SNAPSHOT_MAGIC, SnapshotReader } from './snapshot-format.js';

export interface LoadSource {
  readonly path: string;
  /** Only the newest log may end in a torn record: older files were complete before newer began. */
  readonly mayBeTorn: boolean;
  /**
   * Leave out keys already expired (a snapshot loaded on its own, as Redis loads an RDB). A log's
   * base keeps them: the records after it were written while they still existed.
   */
  readonly dropExpired: boolean;
}

/** Why a load stopped, with the message start-up prints. */
export class LoadError extends Error {
  constructor(
    message: string,
    readonly file: string,
    readonly offset: number,
  ) {
    super(message);
  }
}

export interface TruncatedTail {
  readonly file: string;
  readonly offset: number;
  readonly cutBytes: number;
  readonly reason: string;
}

export interface LoadOptions {
  /** aof-load-truncated: cut a torn last record (yes) or refuse to start (no). */
  loadTruncated: boolean;
  log: Logger;
}

/** Replay errors worth logging one by one before only counting them. */
const REPLAY_ERRORS_LOGGED_MAX = 10;

export class LoadJob {
  readonly totalBytes: number;
  loadedBytes = 0;
  keysLoaded = 0;
  keysExpired = 0;
  records = 0;
  replayErrors = 0;
  readonly truncated: TruncatedTail[] = [];
  done = false;
  private index = 0;
  private current: { kind: 'snapshot'; r: WindowReader; reader: SnapshotReader } | { kind: 'log'; r: WindowReader; offset: number } | null = null;
  private doneBytes = 0;
  private readonly session: Session;

  constructor(
    private readonly engine: Engine,
    private readonly fs: FileSystem,
    private readonly sources: readonly LoadSource[],
    private readonly options: LoadOptions,
  ) {
    this.totalBytes = sources.reduce((n, s) => n + fs.size(s.path), 0);
    this.session = engine.createSession(SILENT_TRANSPORT, 'replay', 'replay');
    this.session.authenticated = true;
    this.session.canBlock = false;
  }

  /** Loads for about `budgetMicros`; returns true when everything is loaded. Throws LoadError. */
  step(budgetMicros: number): boolean {
    const clock = this.engine.clock;
    const deadline = clock.monotonicMicros() + budgetMicros;
    this.nowMs = clock.nowMs();
    // Nothing expires while loading (as in Redis): the records were written when those keys
    // still lived, and replaying them against a key that vanished on load would diverge
    // (an APPEND would create a fresh key without its TTL). Expiry resumes once loaded.
    this.engine.ks.now = 0;
    try {
      let n = 0;
      while (!this.done) {
        this.advance();
        if (++n % 256 === 0 && clock.monotonicMicros() >= deadline) break;
      }
    } finally {
      // Effects of the replay are what the log already says; ready keys have no waiters yet.
      this.engine.ks.takeEffects();
      this.engine.ks.takeReadyKeys();
      this.engine.ks.now = this.nowMs;
    }
    if (this.done) this.finish();
    return this.done;
  }

  /** Keys created while the clock read 0 get the load time as their last access (LRU, IDLETIME). */
  private finish(): void {
    this.engine.closeSession(this.session);
    for (const db of this.engine.ks.dbs) {
      for (const e of db.dense) if (e.accessedAt === 0) e.accessedAt = this.nowMs;
    }
  }

  private nowMs = 0;

  /** Loads everything now (embedded mode, tests). */
  runToEnd(): void {
    while (!this.step(1_000_000)) {
      // keep going
    }
  }

  private advance(): void {
    if (this.current === null) {
      if (this.index >= this.sources.length) {
        this.done = true;
        return;
      }
      this.open(this.sources[this.index]!);
      return;
    }
    if (this.current.kind === 'snapshot') this.snapshotItem(this.current.reader);
    else this.logRecord(this.current);
    this.loadedBytes = this.doneBytes + (this.current === null ? 0 : this.current.kind === 'snapshot' ? this.current.reader.offset : this.current.offset);
  }

  private open(source: LoadSource): void {
    const r = new WindowReader(this.fs.openRead(source.path));
    const head = r.view(0, Math.min(8, r.size));
    const magic = head === null ? '' : head.buf.toString('latin1', head.at, head.at + Math.min(8, r.size));
    // Snapshots are named .rdb (dump.rdb, <name>.N.base.rdb); their reader explains a bad header.
    if (magic === SNAPSHOT_MAGIC || source.path.endsWith('.rdb')) {
      this.current = { kind: 'snapshot', r, reader: new SnapshotReader(r) };
      return;
    }
    const problem = checkLogHeader(r);
    if (problem !== null && (problem.kind === 'torn' || problem.kind === 'corrupt')) {
      if (problem.kind === 'torn' && source.mayBeTorn) {
        this.cutTail(r, source, 0, problem.reason);
        this.closeCurrent(r);
        return;
      }
      r.close();
      throw this.damage(source.path, 0, problem.reason, false);
    }
    this.current = { kind: 'log', r, offset: LOG_HEADER_BYTES };
  }

  private snapshotItem(reader: SnapshotReader): void {
    const item = reader.next();
    const r = this.current!.r;
    switch (item.kind) {
      case 'aux':
        return;
      case 'function': {
        const reply = this.engine.scripts.loadLibrary(item.code, true);
        if (reply.k === ReplyKind.Error) this.options.log.warning('a function library in the snapshot failed to load', { file: r.path, error: String(reply.v) });
        return;
      }
      case 'corrupt':
        r.close();
        throw this.damage(r.path, item.offset, item.reason, true);
      case 'end':
        this.closeCurrent(r);
        return;
      case 'key':
        this.addKey(r.path, reader.offset, item.db, item.key, item.type, item.value, item.expiresAt, item.mcFlags);
        return;
    }
  }

  private addKey(file: string, offset: number, dbIndex: number, key: string, type: ValueType, value: unknown, expiresAt: number, mcFlags: number): void {
    const db = this.engine.ks.dbs[dbIndex];
    if (db === undefined) throw this.damage(file, offset, `database ${dbIndex} is out of range (databases is ${this.engine.ks.dbs.length})`, true);
    if (expiresAt !== 0 && expiresAt <= this.nowMs) {
      this.keysExpired++;
      // A snapshot on its own leaves expired keys out, as Redis loads an RDB; a log's base keeps them.
      if (this.sources[this.index]!.dropExpired) return;
    }
    if (db.peek(key) !== undefined) throw this.damage(file, offset, `key appears twice in database ${dbIndex}`, true);
    const e = db.add(key, type, value);
    if (expiresAt !== 0) db.setExpire(e, expiresAt);
    if (mcFlags !== 0) db.setItemMeta(key, { flags: mcFlags, cas: this.engine.ks.nextCas(), bits: 0 });
    this.keysLoaded++;
  }

  private logRecord(cur: { r: WindowReader; offset: number }): void {
    const step = readRecord(cur.r, cur.offset);
    const source = this.sources[this.index]!;
    if (step.kind === 'end') {
      this.closeCurrent(cur.r);
      return;
    }
    if (step.kind === 'torn') {
      if (!source.mayBeTorn) throw this.damage(cur.r.path, step.offset, step.reason, false);
      this.cutTail(cur.r, source, step.offset, step.reason);
      this.closeCurrent(cur.r);
      return;
    }
    if (step.kind === 'corrupt') throw this.damage(cur.r.path, step.offset, step.reason, false);
    for (const effect of step.effects) this.replay(cur.r.path, step.offset, effect.db, effect.argv as string[]);
    this.records++;
    cur.offset = step.end;
  }

  private replay(file: string, offset: number, db: number, argv: string[]): void {
    const engine = this.engine;
    if (db >= engine.ks.dbs.length) throw this.damage(file, offset, `database ${db} is out of range (databases is ${engine.ks.dbs.length})`, false);
    const found = engine.resolve(argv);
    if (typeof found === 'string' || 'error' in found) {
      throw this.damage(file, offset, `the record holds a command this server cannot run ('${argv[0]?.slice(0, 64)}')`, false);
    }
    this.session.db = db;
    this.engine.ks.now = 0;
    const reply = engine.call(this.session, found.spec, argv, found.fullName);
    if (reply.k === ReplyKind.Error) {
      // A logged effect that fails on replay means the log and this version disagree: keep
      // loading (the data is still the best there is) but say so loudly.
      this.replayErrors++;
      if (this.replayErrors <= REPLAY_ERRORS_LOGGED_MAX) {
        this.options.log.warning('a logged write failed on replay', { file, offset, command: argv[0], error: String(reply.v) });
      }
    }
  }

  private cutTail(r: WindowReader, source: LoadSource, offset: number, reason: string): void {
    if (!this.options.loadTruncated) {
      throw new LoadError(
        `The append-only file ${source.path} ends in a torn record at byte offset ${offset} (${reason}) and aof-load-truncated is no. ` +
          `To repair it, run: cairn check-log --fix ${source.path} (it cuts the file at offset ${offset}), or start with --aof-load-truncated yes.`,
        source.path,
        offset,
      );
    }
    const size = r.size;
    this.truncated.push({ file: source.path, offset, cutBytes: size - offset, reason });
    this.options.log.warning(
      `Torn record at the end of the append-only file (${reason}): truncating it from ${size} to ${offset} bytes. ` +
        'It held a write that was never acknowledged as durable.',
      { file: source.path, offset, cut_bytes: size - offset },
    );
    this.fs.truncate(source.path, offset);
  }

  private closeCurrent(r: WindowReader): void {
    r.close();
    this.doneBytes += r.size;
    this.current = null;
    this.index++;
  }

  private damage(file: string, offset: number, reason: string, snapshot: boolean): LoadError {
    this.current?.r.close();
    this.current = null;
    const repair = snapshot
      ? 'A snapshot cannot be repaired in place: restore it from a backup, or move it aside to start without it' +
        ` (check it with: cairn check-log ${file}).`
      : `To repair it, run: cairn check-log --fix ${file} (it cuts the file at the last good record, offset ${offset}; the writes after it are lost).`;
    return new LoadError(`Bad ${snapshot ? 'snapshot' : 'append-only'} file ${file} at byte offset ${offset}: ${reason}. Start-up stopped rather than skip data. ${repair}`, file, offset);
  }
}

