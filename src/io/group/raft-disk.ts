// The Raft log and hard state on disk, in front of the core's MemoryStorage. What each Ready
// hands the shell is appended to one file of checksummed records and fsynced (when the Ready
// says so) before the shell sends the messages that depend on it; on restart the records are
// replayed into a MemoryStorage. Snapshots live in their own file, replaced atomically.
//
// raft.log: a 16-byte header ("CAIRNRFT", u16 version, u16 zero, CRC-32C of bytes 0..11), then
// records: u32 payload length, u32 CRC-32C of the payload, u32 CRC-32C of those 8 bytes, payload.
// Payload: one kind byte, then the codec's bytes:
//   'E' an entry (entries from an index on replace what the log held from there),
//   'H' the hard state,
//   'I' a snapshot installed from the leader: u8 version, f64 index, f64 term. It replaced the
//       whole log, so on load every entry read before it is dropped (the log restarts from the
//       snapshot file);
//   'C' compaction after a local snapshot: same body; entries up to index are dropped, later
//       ones stay. A rewritten log starts with one (the snapshot it follows).
// raft.snapshot: "CAIRNRSN", u16 version, u16 zero, then the snapshot message bytes of the codec
// (metadata and data), then a CRC-32C of everything before it. A new group's first start writes
// one at index 0 holding the initial membership, before the log is created, so that a restart
// that finds no later snapshot still knows the voters.
//
// A torn last record (a crash mid-append) is cut off with a warning; a bad record with valid
// ones after it is corruption and stops start-up, naming the file and offset.
//
// The log is rewritten after every snapshot (a local one or one installed from the leader), so
// its size stays bounded: raft.log.tmp gets the header, a 'C' record, the entries still held
// and the hard state; it is fsynced and renamed over raft.log, and the folder fsynced. The
// snapshot file is in place (durable) before the rewrite starts, so a crash at any step leaves
// either the old log or the new one beside it, and both load to the same state: entries the
// snapshot covers are skipped on load. Entries kept in memory behind the snapshot (for
// followers that lag a little) are written too but dropped on load: after a restart the log
// starts right after the snapshot.
import { decodeEntry, decodeHardState, decodeMessage, encodeEntry, encodeHardState, encodeSnapshotMessage } from '../../core/raft/codec.js';
import { MemoryStorage } from '../../core/raft/storage.js';
import type { HardState, Ready, Snapshot } from '../../core/raft/types.js';
import { crc32c } from '../persistence/crc32c.js';
import { joinPath, type AppendFile, type FileSystem } from '../persistence/file-system.js';

const LOG_MAGIC = 'CAIRNRFT';
const SNAPSHOT_MAGIC = 'CAIRNRSN';
const VERSION = 1;
const HEADER_BYTES = 16;
const RECORD_HEADER_BYTES = 12;
/** Where a snapshot written in the background waits for its rename (apart from raft.snapshot.tmp,
 *  which a snapshot installed from the leader meanwhile would use). */
const BACKGROUND_SNAPSHOT_TEMP = 'raft.snapshot.local.tmp';
/** Bytes a background snapshot write hands the file per turn of the event loop. */
const BACKGROUND_CHUNK_BYTES = 8 * 1024 * 1024;
/** Entries gathered into one write while the log is rewritten. */
const REWRITE_BATCH_BYTES = 4 * 1024 * 1024;

export class RaftDiskError extends Error {}

function header(magic: string): Buffer {
  const b = Buffer.alloc(HEADER_BYTES);
  b.write(magic, 0, 'latin1');
  b.writeUInt16LE(VERSION, 8);
  b.writeUInt32LE(crc32c(b, 0, 0, 12), 12);
  return b;
}

function record(kind: string, body: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(RECORD_HEADER_BYTES + 1 + body.length);
  out[RECORD_HEADER_BYTES] = kind.charCodeAt(0);
  out.set(body, RECORD_HEADER_BYTES + 1);
  out.writeUInt32LE(1 + body.length, 0);
  out.writeUInt32LE(crc32c(out, 0, RECORD_HEADER_BYTES, out.length), 4);
  out.writeUInt32LE(crc32c(out, 0, 0, 8), 8);
  return out;
}

function compaction(index: number, term: number): Uint8Array {
  const b = Buffer.alloc(17);
  b[0] = VERSION;
  b.writeDoubleBE(index, 1);
  b.writeDoubleBE(term, 9);
  return b;
}

/** The snapshot as a message body, so metadata and data share the codec's format: the head,
 *  then the data itself (not copied). */
function snapshotParts(snapshot: Snapshot): [Uint8Array, Uint8Array] {
  return encodeSnapshotMessage({ type: 'snap', from: 0, to: 0, term: 0, snapshot });
}

export interface RaftDiskLoad {
  readonly disk: RaftDisk;
  readonly storage: MemoryStorage;
  /** Set when a torn tail was cut off: the byte offset where the log now ends. */
  readonly truncatedAt: number | null;
}

export class RaftDisk {
  private constructor(
    private readonly fs: FileSystem,
    private readonly dir: string,
    private file: AppendFile,
  ) {}

  get logPath(): string {
    return joinPath(this.dir, 'raft.log');
  }

  /**
   * Opens (or creates) the Raft files in `dir` and loads them into a MemoryStorage. A new
   * group's first start passes its initial voters; a joining node passes none and learns the
   * membership from the leader's snapshot.
   */
  static open(fs: FileSystem, dir: string, bootstrapVoters: readonly number[] = []): RaftDiskLoad {
    fs.mkdirp(dir);
    const logPath = joinPath(dir, 'raft.log');
    const snapPath = joinPath(dir, 'raft.snapshot');
    // Leftovers of a rewrite or a snapshot save that a crash interrupted: never renamed, so unused.
    for (const temp of [`${logPath}.tmp`, `${snapPath}.tmp`, joinPath(dir, BACKGROUND_SNAPSHOT_TEMP)]) if (fs.exists(temp)) fs.unlink(temp);
    if (!fs.exists(logPath)) {
      const storage = MemoryStorage.bootstrap(bootstrapVoters);
      // The initial membership is written down before the log exists: a restart must find it
      // on disk (a node that forgot it would count no voters and never campaign again). A
      // joining node has none to write; it learns the membership from the leader's snapshot.
      if (bootstrapVoters.length > 0) writeSnapshotFile(fs, dir, storage.snapshot());
      const f = fs.openAppend(logPath, true);
      f.write(header(LOG_MAGIC));
      f.fsyncSync();
      fs.syncDir(dir);
      return { disk: new RaftDisk(fs, dir, f), storage, truncatedAt: null };
    }
    const snapshot = fs.exists(snapPath) ? readSnapshotFile(fs, snapPath) : null;
    const fromSnapshot = (): MemoryStorage => {
      if (snapshot === null) return new MemoryStorage();
      const { index, confState } = snapshot.metadata;
      if (index === 0) return MemoryStorage.bootstrap(confState.voters, confState.learners); // the initial membership
      const s = new MemoryStorage();
      s.applySnapshot(snapshot);
      return s;
    };
    const { storage, truncatedAt } = replayLog(readAll(fs, logPath), logPath, fromSnapshot);
    if (truncatedAt !== null) fs.truncate(logPath, truncatedAt);
    return { disk: new RaftDisk(fs, dir, fs.openAppend(logPath, false)), storage, truncatedAt };
  }

  /**
   * Writes what a Ready asks to persist (snapshot, entries, hard state), mirrors it into
   * `storage`, and calls `done` once it is durable: from the file's fsync callback, or before
   * returning when the Ready needs no fsync (no timers or microtasks, so the simulator can run
   * this code in virtual time). Write errors are returned to `done` too; the shell must then
   * stop (Raft cannot go on with a log it cannot trust).
   */
  persist(ready: Ready, storage: MemoryStorage, done: (error: Error | null) => void): void {
    try {
      if (ready.snapshot !== null) {
        this.writeSnapshotFile(ready.snapshot);
        storage.applySnapshot(ready.snapshot);
        this.file.write(record('I', compaction(ready.snapshot.metadata.index, ready.snapshot.metadata.term)));
      }
      if (ready.entries.length > 0) {
        const parts = ready.entries.map((e) => record('E', encodeEntry(e)));
        this.file.write(parts.length === 1 ? parts[0]! : Buffer.concat(parts));
        storage.append(ready.entries);
      }
      if (ready.hardState !== null) {
        this.file.write(record('H', encodeHardState(ready.hardState)));
        storage.setHardState(ready.hardState);
      }
      if (ready.snapshot !== null) {
        // The 'I' record must be durable before the log is rewritten: until the rename, a crash
        // leaves the old file, and its entries after the snapshot's index (which may not follow
        // the snapshot's prefix) must be dropped on load.
        this.file.fsyncSync();
        this.rewrite(storage);
        done(null);
        return;
      }
    } catch (e) {
      done(e as Error);
      return;
    }
    if (ready.mustSync) this.file.fsync(done);
    else done(null);
  }

  /**
   * Keeps a snapshot the application took, drops from memory the entries up to `keepIndex`
   * (at most the snapshot's index; later ones stay for followers that lag a little), and
   * rewrites the log file so that it holds only what is left. Must not run while a Ready is
   * being persisted (the shell waits until its loop is idle). Throws on I/O errors: the shell
   * must then stop.
   */
  saveSnapshot(snapshot: Snapshot, storage: MemoryStorage, keepIndex: number, writtenInBackground = false): void {
    if (writtenInBackground) {
      this.fs.rename(joinPath(this.dir, BACKGROUND_SNAPSHOT_TEMP), joinPath(this.dir, 'raft.snapshot'));
      this.fs.syncDir(this.dir);
    } else {
      this.writeSnapshotFile(snapshot);
    }
    this.file.write(record('C', compaction(snapshot.metadata.index, snapshot.metadata.term)));
    if (keepIndex > storage.firstIndex() - 1) storage.compact(Math.min(keepIndex, snapshot.metadata.index));
    this.rewrite(storage);
  }

  /**
   * Writes the file of a snapshot about to be taken without holding the event loop for long:
   * a piece of BACKGROUND_CHUNK_BYTES per `schedule`d step, the checksum computed as it goes,
   * then an fsync in the background; `done` follows. Nothing else changes: the caller then calls
   * saveSnapshot(..., true), which renames the file into place, or dropBackgroundSnapshot().
   */
  writeSnapshotInBackground(snapshot: Snapshot, schedule: (step: () => void) => void, done: (error: Error | null) => void): void {
    const [messageHead, body] = snapshotParts(snapshot);
    const head = Buffer.concat([header(SNAPSHOT_MAGIC), messageHead]);
    let crc = crc32c(head);
    let f: AppendFile;
    try {
      f = this.fs.openAppend(joinPath(this.dir, BACKGROUND_SNAPSHOT_TEMP), true);
      f.write(head);
    } catch (e) {
      done(e as Error);
      return;
    }
    const fail = (e: Error): void => {
      f.close();
      done(e);
    };
    let at = 0;
    const step = (): void => {
      try {
        const end = Math.min(body.length, at + BACKGROUND_CHUNK_BYTES);
        const piece = body.subarray(at, end);
        crc = crc32c(piece, crc);
        f.write(piece);
        at = end;
        if (at < body.length) {
          schedule(step);
          return;
        }
        const tail = Buffer.alloc(4);
        tail.writeUInt32LE(crc, 0);
        f.write(tail);
      } catch (e) {
        fail(e as Error);
        return;
      }
      f.fsync((error) => {
        f.close();
        done(error);
      });
    };
    schedule(step);
  }

  /** A snapshot written in the background is not wanted after all. */
  dropBackgroundSnapshot(): void {
    const temp = joinPath(this.dir, BACKGROUND_SNAPSHOT_TEMP);
    if (this.fs.exists(temp)) this.fs.unlink(temp);
  }

  /** Bytes in raft.log now. */
  logBytes(): number {
    return this.file.size();
  }

  /**
   * Replaces raft.log with a file holding only what `storage` holds: the snapshot it follows
   * (a 'C' record), its entries and its hard state. Written beside, fsynced, renamed, folder
   * fsynced; the old file is closed only once the new one is complete.
   */
  private rewrite(storage: MemoryStorage): void {
    const logPath = this.logPath;
    const temp = `${logPath}.tmp`;
    const snap = storage.snapshot().metadata;
    const f = this.fs.openAppend(temp, true);
    try {
      f.write(header(LOG_MAGIC));
      f.write(record('C', compaction(snap.index, snap.term)));
      const last = storage.lastIndex();
      for (let lo = storage.firstIndex(); lo <= last; ) {
        const batch = storage.entries(lo, last + 1, REWRITE_BATCH_BYTES);
        f.write(Buffer.concat(batch.map((e) => record('E', encodeEntry(e)))));
        lo += batch.length;
      }
      f.write(record('H', encodeHardState(storage.initialState().hardState)));
      f.fsyncSync();
    } finally {
      f.close();
    }
    this.file.close();
    this.fs.rename(temp, logPath);
    this.fs.syncDir(this.dir);
    this.file = this.fs.openAppend(logPath, false);
  }

  close(): void {
    this.file.close();
  }

  private writeSnapshotFile(snapshot: Snapshot): void {
    writeSnapshotFile(this.fs, this.dir, snapshot);
  }
}

/** Replaces raft.snapshot atomically: a temporary file, fsync, rename, fsync of the folder. */
function writeSnapshotFile(fs: FileSystem, dir: string, snapshot: Snapshot): void {
  const [messageHead, data] = snapshotParts(snapshot);
  const head = Buffer.concat([header(SNAPSHOT_MAGIC), messageHead]);
  const tail = Buffer.alloc(4);
  tail.writeUInt32LE(crc32c(data, crc32c(head)), 0);
  const target = joinPath(dir, 'raft.snapshot');
  const temp = `${target}.tmp`;
  const f = fs.openAppend(temp, true);
  try {
    f.write(head);
    f.write(data);
    f.write(tail);
    f.fsyncSync();
  } finally {
    f.close();
  }
  fs.rename(temp, target);
  fs.syncDir(dir);
}

function readAll(fs: FileSystem, file: string): Buffer {
  const f = fs.openRead(file);
  try {
    const out = Buffer.alloc(f.size);
    let at = 0;
    while (at < out.length) {
      const n = f.read(out.subarray(at), at);
      if (n === 0) break;
      at += n;
    }
    return out.subarray(0, at);
  } finally {
    f.close();
  }
}

function readSnapshotFile(fs: FileSystem, file: string): Snapshot {
  const bytes = readAll(fs, file);
  const bad = (why: string) => new RaftDiskError(`${file}: ${why}; the Raft snapshot cannot be used`);
  if (bytes.length < HEADER_BYTES + 4 || bytes.toString('latin1', 0, 8) !== SNAPSHOT_MAGIC) throw bad('not a Cairn Raft snapshot');
  if (bytes.readUInt16LE(8) !== VERSION) throw bad(`format version ${bytes.readUInt16LE(8)} is not ${VERSION}`);
  const end = bytes.length - 4;
  if (crc32c(bytes, 0, 0, end) !== bytes.readUInt32LE(end)) throw bad('checksum mismatch');
  const m = decodeMessage(bytes.subarray(HEADER_BYTES, end));
  if (m === null || m.type !== 'snap') throw bad('undecodable body');
  return m.snapshot;
}

/** A complete, checksummed record at `at`, or null. */
function recordAt(bytes: Buffer, at: number): { kind: number; body: Buffer; next: number } | null {
  if (bytes.length - at < RECORD_HEADER_BYTES) return null;
  if (crc32c(bytes, 0, at, at + 8) !== bytes.readUInt32LE(at + 8)) return null;
  const length = bytes.readUInt32LE(at);
  const end = at + RECORD_HEADER_BYTES + length;
  if (length < 1 || end > bytes.length) return null;
  if (crc32c(bytes, 0, at + RECORD_HEADER_BYTES, end) !== bytes.readUInt32LE(at + 4)) return null;
  return { kind: bytes[at + RECORD_HEADER_BYTES]!, body: bytes.subarray(at + RECORD_HEADER_BYTES + 1, end), next: end };
}

/** Whether any valid record starts after `from`: then a bad record is corruption, not a torn tail. */
function validRecordAfter(bytes: Buffer, from: number): boolean {
  for (let at = from + 1; at + RECORD_HEADER_BYTES <= bytes.length; at++) if (recordAt(bytes, at) !== null) return true;
  return false;
}

/** Replays the log into a storage made by `fresh`; says where a torn tail starts, if any. */
function replayLog(bytes: Buffer, file: string, fresh: () => MemoryStorage): { storage: MemoryStorage; truncatedAt: number | null } {
  let storage = fresh();
  if (bytes.length < HEADER_BYTES || bytes.toString('latin1', 0, 8) !== LOG_MAGIC || crc32c(bytes, 0, 0, 12) !== bytes.readUInt32LE(12)) {
    throw new RaftDiskError(`${file}: not a Cairn Raft log (bad header)`);
  }
  if (bytes.readUInt16LE(8) !== VERSION) throw new RaftDiskError(`${file}: format version ${bytes.readUInt16LE(8)} is not ${VERSION}`);
  let at = HEADER_BYTES;
  let hardState: HardState | null = null;
  while (at < bytes.length) {
    const r = recordAt(bytes, at);
    if (r === null) {
      if (validRecordAfter(bytes, at)) throw new RaftDiskError(`${file}: damaged record at byte offset ${at} with valid records after it`);
      break;
    }
    const corrupt = () => new RaftDiskError(`${file}: undecodable record at byte offset ${at}`);
    switch (String.fromCharCode(r.kind)) {
      case 'E': {
        const e = decodeEntry(r.body);
        if (e === null) throw corrupt();
        if (e.index <= storage.firstIndex() - 1) break; // already covered by the snapshot
        if (e.index > storage.lastIndex() + 1) throw new RaftDiskError(`${file}: entry ${e.index} at byte offset ${at} leaves a gap after ${storage.lastIndex()}`);
        storage.append([e]);
        break;
      }
      case 'H': {
        hardState = decodeHardState(r.body);
        if (hardState === null) throw corrupt();
        break;
      }
      case 'I':
      case 'C': {
        if (r.body.length !== 17 || r.body[0] !== VERSION) throw corrupt();
        const index = r.body.readDoubleBE(1);
        if (r.kind === 0x49) storage = fresh(); // 'I': what came before was replaced by the snapshot
        else if (index > storage.firstIndex() - 1 && index <= storage.lastIndex()) storage.compact(index);
        break;
      }
      default:
        throw corrupt();
    }
    at = r.next;
  }
  if (hardState !== null) storage.setHardState(hardState);
  return { storage, truncatedAt: at < bytes.length ? at : null };
}
