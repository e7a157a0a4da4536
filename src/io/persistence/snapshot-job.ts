// A point-in-time snapshot written while the server keeps serving: Node cannot fork, so the
// walk over the key space is cut into small steps (one per event-loop turn) and copy-on-write
// is done per key. See docs/design/snapshot-cow.md.
//
// At the start (T0) the job copies each database's dense array of entries: one pointer per
// key, not the values. It then walks those arrays. Before any write command runs, the engine
// calls preimage() for each key the command declares; if the walk has not reached that key's
// T0 entry yet, its current value (still the T0 value, since nothing changed it before) is
// serialized into a side table and the walk later writes that instead of the live value.
// Keys created after T0 are remembered by name so their later writes cost nothing. Deletions
// by expiry need no pre-image: the log carries the DEL, and a key that expires was going to.
// Commands that change whole databases (FLUSHALL, FLUSHDB, SWAPDB) finish the walk first.
import type { Database, Entry, Keyspace } from '../../core/keyspace.js';
import type { AppendFile } from './file-system.js';
import { ChunkWriter } from './chunk-writer.js';
import { crc32c } from './crc32c.js';

/** How the job turns entries into bytes: the snapshot format, or log records (a log-format base). */
export interface SnapshotEncoding {
  /** Bytes before the first key (header, metadata). */
  header(out: ChunkWriter): void;
  /** Bytes that open a database's keys (nothing if the format needs none). */
  selectDb(db: number, out: ChunkWriter): void;
  /** One key; `mcFlags` are its memcached client flags (0: none, docs/design/memcached.md). */
  entry(db: number, e: Entry, out: ChunkWriter, mcFlags: number): void;
  /** Bytes after the last key; `crcSoFar()` is the CRC-32C of every byte written before the call. */
  footer(keys: number, out: ChunkWriter, crcSoFar: () => number): void;
}

export interface SnapshotJobOptions {
  /** Time of the snapshot (T0): keys already expired then are left out. */
  nowMs: number;
  /** Monotonic microseconds, to bound each step and measure pauses. */
  monotonicMicros: () => number;
  /** Work per step before yielding to the event loop. */
  stepBudgetMicros: number;
  /** Bytes gathered before one write to the file. */
  writeChunkBytes?: number;
}

export class SnapshotJob {
  readonly startedMicros: number;
  keysWritten = 0;
  readonly keysTotal: number;
  /** Bytes of pre-images held right now, and at most (INFO current_cow_size / rdb_last_cow_size). */
  cowBytes = 0;
  cowPeakBytes = 0;
  longestPauseMicros = 0;
  steps = 0;
  done = false;
  private readonly frozen: Entry[][];
  private readonly stash: Array<Map<Entry, Buffer>>;
  private readonly bornAfter: Array<Set<string>>;
  private walkDb = 0;
  private walkIndex = 0;
  private dbOpened = false;
  private crc = 0;
  private readonly out: ChunkWriter;
  /** Serializes pre-images (they wait in the stash until the walk reaches their key). */
  private readonly preimageWriter = new ChunkWriter(null, 4096);

  constructor(
    private readonly ks: Keyspace,
    private readonly encoding: SnapshotEncoding,
    private readonly file: AppendFile,
    private readonly options: SnapshotJobOptions,
  ) {
    const t = options.monotonicMicros();
    this.startedMicros = t;
    this.out = new ChunkWriter((chunk) => {
      this.crc = crc32c(chunk, this.crc);
      this.file.write(chunk);
    }, options.writeChunkBytes ?? 1 << 20);
    this.frozen = ks.dbs.map((db) => db.dense.slice());
    this.keysTotal = this.frozen.reduce((n, a) => n + a.length, 0);
    this.stash = ks.dbs.map(() => new Map());
    this.bornAfter = ks.dbs.map(() => new Set());
    encoding.header(this.out);
    this.notePause(options.monotonicMicros() - t);
  }

  /** Copy-on-write: keeps the T0 value of a key about to change, unless the walk has it already. */
  preimage(dbIndex: number, key: string): void {
    if (this.done || dbIndex < this.walkDb) return;
    const db = this.ks.dbs[dbIndex];
    if (db === undefined) return;
    const e = db.entries.get(key);
    const born = this.bornAfter[dbIndex]!;
    if (e === undefined) {
      born.add(key); // whatever is created under this name now did not exist at T0
      return;
    }
    if (born.has(key)) return;
    const stash = this.stash[dbIndex]!;
    if (stash.has(e)) return;
    const frozen = this.frozen[dbIndex]!;
    if (dbIndex === this.walkDb && frozen[e.idx] === e && e.idx < this.walkIndex) return; // already written
    if (this.expiredAtStart(e)) return;
    this.encoding.entry(dbIndex, e, this.preimageWriter, db.itemMetaOf(key)?.flags ?? 0);
    const bytes = this.preimageWriter.take();
    stash.set(e, bytes);
    this.cowBytes += bytes.length;
    if (this.cowBytes > this.cowPeakBytes) this.cowPeakBytes = this.cowBytes;
  }

  /** One slice of the walk; returns true when the snapshot is complete (footer written). */
  step(): boolean {
    if (this.done) return true;
    const t0 = this.options.monotonicMicros();
    const deadline = t0 + this.options.stepBudgetMicros;
    let sinceCheck = 0;
    while (this.walkDb < this.frozen.length) {
      if (++sinceCheck >= 64) {
        sinceCheck = 0;
        if (this.options.monotonicMicros() >= deadline) break;
      }
      this.visitNext();
    }
    if (this.walkDb >= this.frozen.length) this.finish();
    this.steps++;
    this.notePause(this.options.monotonicMicros() - t0);
    return this.done;
  }

  /** Runs the walk to the end now (SAVE, or before a command that changes whole databases). */
  finishNow(): void {
    const t0 = this.options.monotonicMicros();
    while (this.walkDb < this.frozen.length) this.visitNext();
    if (!this.done) this.finish();
    this.notePause(this.options.monotonicMicros() - t0);
  }

  private visitNext(): void {
    const frozen = this.frozen[this.walkDb]!;
    if (this.walkIndex >= frozen.length) {
      this.closeDb();
      return;
    }
    const e = frozen[this.walkIndex]!;
    const db = this.ks.dbs[this.walkDb]!;
    const saved = this.stash[this.walkDb]!.get(e);
    this.walkIndex++;
    if (saved !== undefined) {
      this.stash[this.walkDb]!.delete(e);
      this.cowBytes -= saved.length;
      this.openDb();
      this.out.raw(saved);
      this.keysWritten++;
      return;
    }
    if (!isLive(db, e) || this.expiredAtStart(e)) return; // expired (and deleted) since T0
    this.openDb();
    this.encoding.entry(this.walkDb, e, this.out, db.itemMetaOf(e.key)?.flags ?? 0);
    this.keysWritten++;
  }

  private openDb(): void {
    if (this.dbOpened) return;
    this.dbOpened = true;
    this.encoding.selectDb(this.walkDb, this.out);
  }

  /** A database is done: its leftovers (pre-images of keys the walk had passed) are dropped. */
  private closeDb(): void {
    for (const saved of this.stash[this.walkDb]!.values()) this.cowBytes -= saved.length;
    this.stash[this.walkDb]!.clear();
    this.bornAfter[this.walkDb]!.clear();
    this.frozen[this.walkDb] = [];
    this.walkDb++;
    this.walkIndex = 0;
    this.dbOpened = false;
  }

  private finish(): void {
    this.encoding.footer(this.keysWritten, this.out, () => {
      this.out.flush();
      return this.crc;
    });
    this.out.flush();
    this.done = true;
  }

  private expiredAtStart(e: Entry): boolean {
    return e.expiresAt !== 0 && e.expiresAt <= this.options.nowMs;
  }

  private notePause(micros: number): void {
    if (micros > this.longestPauseMicros) this.longestPauseMicros = micros;
  }
}

function isLive(db: Database, e: Entry): boolean {
  return db.entries.get(e.key) === e;
}
