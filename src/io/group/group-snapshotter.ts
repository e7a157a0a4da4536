// Raft snapshots of a replica group member's key space, and log compaction behind them
// (docs/design/group-snapshots.md).
//
// When the log has grown past `group-snapshot-entries` entries or `group-snapshot-bytes` bytes
// since the last snapshot, the replica group calls capture() at a moment when its key space is
// exactly the state after Raft index X (its executedThrough, with no write of the current turn
// pending). The key space is frozen there with the copy-on-write walk that BGSAVE uses
// (snapshot-job.ts, docs/design/snapshot-cow.md), so serving goes on while it is written, in
// the snapshot format of dump.rdb, into memory. On a leader X may not be committed yet (writes
// run before they commit): the snapshot is handed to Raft (createSnapshot, raft.snapshot,
// compaction and a rewrite of raft.log) only once X is applied, and only if the entry Raft
// holds at X is still the one of the term seen at capture (log matching: then every entry up to
// X is the one the key space had run). A rollback that drops X discards it.
import type { CommandSpec } from '../../core/commands/spec.js';
import { keyPositions } from '../../core/commands/registry.js';
import type { ConfState, Entry } from '../../core/raft/index.js';
import { entryBytes, type MemoryStorage } from '../../core/raft/storage.js';
import { groupSnapshotLimits } from '../../core/limits.js';
import type { Reply } from '../../core/reply.js';
import type { ServerContext } from '../../server/context.js';
import type { Engine } from '../../server/engine.js';
import type { Logger } from '../../server/log.js';
import type { PersistenceGate, ReplyBarrier } from '../../server/persistence-gate.js';
import type { Session } from '../../server/session.js';
import { CAIRN_VERSION } from '../../version.js';
import { snapshotEncoding } from '../persistence/encodings.js';
import { bytesReadFile, type AppendFile, type FileSystem, type ReadFile } from '../persistence/file-system.js';
import { LoadJob } from '../persistence/loader.js';
import { WHOLE_DATABASE_WRITES } from '../persistence/manager.js';
import { SnapshotJob } from '../persistence/snapshot-job.js';
import { decodeGroupSnapshot, encodeGroupSnapshot } from './group-snapshot.js';
import type { RaftDisk } from './raft-disk.js';
import type { RaftLoop } from './raft-loop.js';

/** Work per step of the walk before yielding to the event loop (as BGSAVE's). */
const WALK_STEP_MICROS = 2_000;

export interface GroupSnapshotterOptions {
  readonly engine: Engine;
  readonly storage: MemoryStorage;
  readonly disk: RaftDisk;
  readonly log: Logger;
  /** The membership section of the snapshot (ReplicaGroup.membersSnapshot). */
  readonly members: () => Uint8Array;
  /** Saving failed on disk: Raft cannot go on (the caller stops the node). */
  readonly onFatal: (error: Error) => void;
}

interface Capture {
  readonly index: number;
  readonly term: number;
  readonly job: SnapshotJob;
  readonly sink: MemorySink;
  readonly startedMs: number;
  bytes: Uint8Array | null;
  walkMs: number;
}

export class GroupSnapshotter {
  /** Index of the newest snapshot Raft holds (taken here, installed from the leader, or loaded). */
  snapshotIndex: number;
  /** Entry bytes applied since the newest capture began (the byte trigger). */
  private bytesSince = 0;
  private capture: Capture | null = null;
  /** A snapshot file is being written in the background (one at a time: they share a file). */
  private writing = false;
  private loop: RaftLoop | null = null;
  /** The membership as of the last applied conf change, and that change's index. */
  private confState: ConfState;
  private confIndex: number;
  // INFO
  taken = 0;
  installs = 0;
  discarded = 0;
  lastBytes = 0;
  lastWalkMs = 0;
  lastSaveMs = 0;

  constructor(private readonly options: GroupSnapshotterOptions) {
    const snap = options.storage.snapshot().metadata;
    this.snapshotIndex = snap.index;
    this.confState = snap.confState;
    this.confIndex = snap.index;
  }

  attach(loop: RaftLoop): void {
    this.loop = loop;
    const inner = this.options.engine.persistence;
    if (inner === null) throw new Error('a replica group needs the persistence layer attached first');
    this.options.engine.persistence = new GroupCowGate(inner, this);
  }

  private get config(): { entries: number; bytes: number; keep: number } {
    const c = this.options.engine.config;
    return { entries: c.int('group-snapshot-entries'), bytes: c.int('group-snapshot-bytes'), keep: c.int('group-log-keep-entries') };
  }

  noteApplied(entry: Entry): void {
    this.bytesSince += entry.data.byteLength;
  }

  noteConfChange(index: number, state: ConfState): void {
    this.confIndex = index;
    this.confState = state;
  }

  /** Whether the log has grown enough since the last snapshot to take another. */
  due(applied: number): boolean {
    if (this.capture !== null || this.writing || this.loop === null) return false;
    const { entries, bytes } = this.config;
    return (entries > 0 && applied - this.snapshotIndex >= entries) || (bytes > 0 && this.bytesSince >= bytes);
  }

  /**
   * Freezes the key space, which the caller guarantees is exactly the state after entry
   * (index, term), and starts writing it.
   */
  start(index: number, term: number): void {
    if (this.capture !== null || index <= this.snapshotIndex) return;
    const engine = this.options.engine;
    const sink = new MemorySink();
    // nowMs 0: keys already expired stay in. Followers keep them until the leader's DEL, and so
    // must a replica that loads this; only the log deletes (docs/design/replica-group.md).
    const job = new SnapshotJob(engine.ks, snapshotEncoding([['cairn-ver', CAIRN_VERSION], ['kind', 'raft'], ['raft-index', String(index)]], engine.scripts.libraryCodes()), sink, {
      nowMs: 0,
      monotonicMicros: () => engine.clock.monotonicMicros(),
      stepBudgetMicros: WALK_STEP_MICROS,
    });
    this.capture = { index, term, job, sink, startedMs: Date.now(), bytes: null, walkMs: 0 };
    this.bytesSince = 0;
    this.scheduleStep(this.capture);
  }

  /** True while the walk needs pre-images of keys about to change. */
  get walking(): boolean {
    return this.capture !== null && !this.capture.job.done;
  }

  beforeWrite(dbIndex: number, spec: CommandSpec<ServerContext>, argv: readonly string[]): void {
    const c = this.capture;
    if (c === null || c.job.done) return;
    if (WHOLE_DATABASE_WRITES.has(spec.name)) {
      this.finishWalk(c, () => c.job.finishNow());
      return;
    }
    for (const i of keyPositions(spec, argv)) c.job.preimage(dbIndex, argv[i]!);
    // COPY ... DB n writes a key of another database than the one its positions name.
    if (spec.name === 'copy') {
      for (let i = 3; i + 1 < argv.length; i++) {
        if (argv[i]!.toUpperCase() === 'DB' && /^\d{1,4}$/.test(argv[i + 1]!)) c.job.preimage(Number(argv[i + 1]), argv[2]!);
      }
    }
  }

  keyAboutToChange(dbIndex: number, key: string): void {
    const c = this.capture;
    if (c !== null && !c.job.done) c.job.preimage(dbIndex, key);
  }

  private scheduleStep(c: Capture): void {
    setImmediate(() => {
      if (this.capture !== c || c.job.done) return;
      this.finishWalk(c, () => c.job.step());
      if (!c.job.done) this.scheduleStep(c);
    });
  }

  private finishWalk(c: Capture, run: () => void): void {
    try {
      run();
    } catch (e) {
      this.options.log.warning('a Raft snapshot of the key space failed; it will be retried', { error: String((e as Error).message ?? e) });
      this.drop();
      return;
    }
    if (!c.job.done) return;
    c.bytes = c.sink.take();
    c.walkMs = Date.now() - c.startedMs;
    this.handOff();
  }

  /**
   * Hands a finished capture to Raft once its index is applied (called again after each apply,
   * with the index just applied: the loop counts it only after the state machine returns).
   */
  handOff(applied = this.loop?.applied ?? 0): void {
    const c = this.capture;
    const loop = this.loop;
    if (c === null || c.bytes === null || loop === null || this.writing || Math.max(applied, loop.applied) < c.index) return;
    const storage = this.options.storage;
    const held = c.index >= storage.firstIndex() - 1 && c.index <= storage.lastIndex();
    if (!held || storage.term(c.index) !== c.term || c.index <= storage.snapshot().metadata.index) {
      this.discard(`the entry at index ${c.index} is not the one of term ${c.term} any more`);
      return;
    }
    if (this.confIndex > c.index) {
      this.discard('the membership changed after the snapshot index');
      return;
    }
    const data = encodeGroupSnapshot({ keyspace: c.bytes, members: this.options.members() });
    const confState = this.confState;
    const disk = this.options.disk;
    const started = Date.now();
    // The file is written in pieces, one per turn, and fsynced in the background, so that the
    // leader keeps sending heartbeats; only the rename, the compaction and the (small) rewrite
    // of raft.log then run at once, between two Readies.
    this.writing = true;
    disk.writeSnapshotInBackground({ metadata: { index: c.index, term: c.term, confState }, data }, (step) => setImmediate(step), (error) => {
      if (error !== null) {
        this.writing = false;
        this.options.onFatal(new Error(`writing a Raft snapshot failed: ${error.message}`));
        return;
      }
      loop.runWhenIdle(() => {
        this.writing = false;
        try {
          if (this.capture !== c || storage.snapshot().metadata.index >= c.index) {
            // Replaced meanwhile by a snapshot from the leader: this one is older.
            disk.dropBackgroundSnapshot();
            if (this.capture === c) this.discard('a newer snapshot arrived while it was written');
            return;
          }
          this.capture = null;
          const created = storage.createSnapshot(c.index, confState, data);
          if (created === 'out-of-date') {
            disk.dropBackgroundSnapshot();
            return;
          }
          disk.saveSnapshot(created, storage, this.keepFrom(c.index), true);
        } catch (e) {
          this.options.onFatal(new Error(`saving a Raft snapshot failed: ${(e as Error).message}`));
          return;
        }
        this.snapshotIndex = c.index;
        this.taken++;
        this.lastBytes = data.byteLength;
        this.lastWalkMs = c.walkMs;
        this.lastSaveMs = Date.now() - started;
        this.options.log.notice('Raft snapshot taken, log compacted', {
          index: c.index, bytes: data.byteLength, keys: c.job.keysWritten, walk_ms: c.walkMs, save_ms: this.lastSaveMs,
          log_first_index: storage.firstIndex(), log_bytes: disk.logBytes(),
        });
      });
    });
  }

  /**
   * The index up to which the log is compacted behind a snapshot at `index`: the newest
   * group-log-keep-entries entries stay (followers a little behind catch up from them), as long
   * as they hold at most groupSnapshotLimits.keptTailMaxBytes.
   */
  private keepFrom(index: number): number {
    const storage = this.options.storage;
    const floor = Math.max(storage.firstIndex() - 1, index - this.config.keep, 0);
    let bytes = 0;
    for (let i = index; i > floor; i--) {
      bytes += entryBytes(storage.entries(i, i + 1, Infinity)[0]!);
      if (bytes > groupSnapshotLimits.keptTailMaxBytes) return i;
    }
    return floor;
  }

  /** A rollback undid the entries after `applied`: a capture beyond them never happened. */
  rolledBack(applied: number): void {
    if (this.capture !== null && this.capture.index > applied) this.discard(`rolled back to index ${applied}`);
  }

  /** A snapshot from the leader replaced the state (or one was loaded at start). */
  installed(index: number, confState: ConfState): void {
    this.drop();
    this.snapshotIndex = index;
    this.confIndex = index;
    this.confState = confState;
    this.bytesSince = 0;
  }

  private discard(why: string): void {
    this.discarded++;
    this.options.log.verbose('a Raft snapshot was discarded', { index: this.capture?.index, why });
    this.drop();
  }

  private drop(): void {
    this.capture = null;
  }

  infoFields(): Array<readonly [string, string | number]> {
    const storage = this.options.storage;
    return [
      ['raft_term', this.loop?.status().term ?? 0],
      ['raft_snapshot_index', storage.snapshot().metadata.index],
      ['raft_log_first_index', storage.firstIndex()],
      ['raft_log_last_index', storage.lastIndex()],
      ['raft_applied_index', this.loop?.applied ?? 0],
      ['raft_log_bytes', this.options.disk.logBytes()],
      ['raft_snapshot_bytes', storage.snapshot().data.byteLength],
      ['raft_snapshot_in_progress', this.capture === null && !this.writing ? 0 : 1],
      ['raft_snapshots_taken', this.taken],
      ['raft_snapshots_installed', this.installs],
      ['raft_snapshots_discarded', this.discarded],
      ['raft_last_snapshot_walk_ms', this.lastWalkMs],
      ['raft_last_snapshot_save_ms', this.lastSaveMs],
    ];
  }
}

/**
 * Loads a group snapshot's key space into an empty engine with the loader that loads dump.rdb
 * (keys expired or not, as written), and returns its members section. Throws on damage.
 */
export function loadGroupSnapshot(engine: Engine, data: Uint8Array, log: Logger): Uint8Array {
  const { keyspace, members } = decodeGroupSnapshot(data);
  if (keyspace.byteLength > 0) {
    const path = 'raft.snapshot#keyspace.rdb';
    const job = new LoadJob(engine, new OneFileSystem(path, keyspace), [{ path, mayBeTorn: false, dropExpired: false }], { loadTruncated: false, log });
    job.runToEnd();
  }
  return members;
}

/** Where the walk writes: chunks kept in memory (the ChunkWriter reuses its buffer, so copied). */
class MemorySink implements AppendFile {
  readonly path = 'raft-snapshot (memory)';
  private chunks: Buffer[] = [];
  private bytes = 0;

  size(): number {
    return this.bytes;
  }

  write(data: Uint8Array): void {
    this.chunks.push(Buffer.from(data));
    this.bytes += data.byteLength;
  }

  truncate(size: number): void {
    if (size !== this.bytes) throw new Error('a Raft snapshot in memory is never cut back');
  }

  fsync(done: (error: Error | null) => void): void {
    setImmediate(() => done(null));
  }

  fsyncSync(): void {}

  close(): void {}

  take(): Uint8Array {
    const out = Buffer.concat(this.chunks, this.bytes);
    this.chunks = [];
    return out;
  }
}

/** A file system of one read-only file held in memory: what the loader reads a snapshot from. */
class OneFileSystem implements FileSystem {
  constructor(
    private readonly name: string,
    private readonly bytes: Uint8Array,
  ) {}

  openRead(file: string): ReadFile {
    this.check(file);
    return bytesReadFile(file, this.bytes);
  }

  size(file: string): number {
    this.check(file);
    return this.bytes.byteLength;
  }

  exists(file: string): boolean {
    return file === this.name;
  }

  list(): string[] {
    return [this.name];
  }

  readText(file: string): string {
    this.check(file);
    return Buffer.from(this.bytes.buffer, this.bytes.byteOffset, this.bytes.byteLength).toString('latin1');
  }

  openAppend(): AppendFile {
    throw this.readOnly();
  }

  mkdirp(): void {
    throw this.readOnly();
  }

  rename(): void {
    throw this.readOnly();
  }

  unlink(): void {
    throw this.readOnly();
  }

  truncate(): void {
    throw this.readOnly();
  }

  syncDir(): void {
    throw this.readOnly();
  }

  private check(file: string): void {
    if (file !== this.name) throw Object.assign(new Error(`ENOENT: no such file, '${file}'`), { code: 'ENOENT' });
  }

  private readOnly(): Error {
    return Object.assign(new Error('EROFS: a snapshot in memory is read-only'), { code: 'EROFS' });
  }
}

/**
 * The engine's persistence gate with the group snapshot's copy-on-write added: writes keep
 * the pre-images that a running walk (a BGSAVE, or this group snapshot, or both) needs.
 */
class GroupCowGate implements PersistenceGate {
  constructor(
    private readonly inner: PersistenceGate,
    private readonly snapshotter: GroupSnapshotter,
  ) {}

  get loading(): boolean {
    return this.inner.loading;
  }

  get copyOnWrite(): boolean {
    return this.inner.copyOnWrite || this.snapshotter.walking;
  }

  admit(s: Session, spec: CommandSpec<ServerContext>, fullName: string): Reply | null {
    return this.inner.admit(s, spec, fullName);
  }

  beforeWrite(dbIndex: number, spec: CommandSpec<ServerContext>, argv: readonly string[]): void {
    if (this.inner.copyOnWrite) this.inner.beforeWrite(dbIndex, spec, argv);
    this.snapshotter.beforeWrite(dbIndex, spec, argv);
  }

  keyAboutToChange(dbIndex: number, key: string): void {
    if (this.inner.copyOnWrite) this.inner.keyAboutToChange(dbIndex, key);
    this.snapshotter.keyAboutToChange(dbIndex, key);
  }

  save(): Reply {
    return this.inner.save();
  }

  bgsave(schedule: boolean): Reply {
    return this.inner.bgsave(schedule);
  }

  bgrewriteaof(): Reply {
    return this.inner.bgrewriteaof();
  }

  infoFields(): Array<readonly [string, string | number]> {
    return this.inner.infoFields();
  }

  replyBarrier(): ReplyBarrier | null {
    return this.inner.replyBarrier();
  }
}
