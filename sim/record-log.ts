// The small storage API simulated nodes use (and real shells may): an append-only file of
// checksummed records and a small file replaced atomically, both over the FileSystem interface.
// Record frame: [u32 payload length][u32 CRC-32C of payload][payload], little endian. Reading
// stops at the first frame that is cut short or fails its checksum (a torn tail) and cuts the
// file there, so appends continue after the last whole record.
import { crc32c } from '../src/io/persistence/crc32c.js';
import type { AppendFile, FileSystem } from '../src/io/persistence/file-system.js';

const FRAME_HEADER_BYTES = 8;

export interface OpenedLog {
  readonly log: RecordLog;
  readonly records: Uint8Array[];
  /** Bytes cut from the end (a torn or corrupt tail), 0 when the file ended on a record. */
  readonly tornBytes: number;
}

export class RecordLog {
  /** Start offset of each record, so the log can be cut back to a record count. */
  private readonly offsets: number[];

  private constructor(
    private readonly file: AppendFile,
    offsets: number[],
  ) {
    this.offsets = offsets;
  }

  /** Opens (creating if missing) and reads back every whole record. */
  static open(fs: FileSystem, path: string): OpenedLog {
    const records: Uint8Array[] = [];
    const offsets: number[] = [];
    let valid = 0;
    let total = 0;
    const existed = fs.exists(path);
    if (existed) {
      const reader = fs.openRead(path);
      const bytes = new Uint8Array(reader.size);
      reader.read(bytes, 0);
      reader.close();
      total = bytes.length;
      const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      while (valid + FRAME_HEADER_BYTES <= bytes.length) {
        const length = view.getUint32(valid, true);
        const crc = view.getUint32(valid + 4, true);
        const end = valid + FRAME_HEADER_BYTES + length;
        if (end > bytes.length) break;
        const payload = bytes.slice(valid + FRAME_HEADER_BYTES, end);
        if (crc32c(payload) !== crc) break;
        offsets.push(valid);
        records.push(payload);
        valid = end;
      }
    }
    const file = fs.openAppend(path, false);
    // A new file's name is durable only once its folder is synced: without this a crash could
    // take records that were fsynced along with the name.
    if (!existed) fs.syncDir(folderOf(path));
    if (valid < total) file.truncate(valid);
    return { log: new RecordLog(file, offsets), records, tornBytes: total - valid };
  }

  get count(): number {
    return this.offsets.length;
  }

  append(payload: Uint8Array): void {
    const frame = new Uint8Array(FRAME_HEADER_BYTES + payload.length);
    const view = new DataView(frame.buffer);
    view.setUint32(0, payload.length, true);
    view.setUint32(4, crc32c(payload), true);
    frame.set(payload, FRAME_HEADER_BYTES);
    const at = this.file.size();
    try {
      this.file.write(frame);
    } catch (e) {
      // A partial frame must not stay in front of the next one.
      this.file.truncate(at);
      throw e;
    }
    this.offsets.push(at);
  }

  /** Keeps the first `count` records. */
  truncateTo(count: number): void {
    if (count >= this.offsets.length) return;
    this.file.truncate(this.offsets[count]!);
    this.offsets.length = count;
  }

  /** Makes every record appended so far durable; `done` gets the fsync's error, if any. */
  sync(done: (error: Error | null) => void): void {
    this.file.fsync(done);
  }
}

/** Replaces a small file atomically: temp file, fsync, rename, fsync of the folder. */
export function replaceFile(fs: FileSystem, path: string, bytes: Uint8Array, done: (error: Error | null) => void): void {
  const temp = `${path}.tmp`;
  let file: AppendFile;
  try {
    file = fs.openAppend(temp, true);
    file.write(bytes);
  } catch (e) {
    done(e as Error);
    return;
  }
  file.fsync((error) => {
    file.close();
    if (error !== null) return done(error);
    try {
      fs.rename(temp, path);
      fs.syncDir(folderOf(path));
    } catch (e) {
      return done(e as Error);
    }
    done(null);
  });
}

/** A small file's bytes, or null when it does not exist. */
export function readFile(fs: FileSystem, path: string): Uint8Array | null {
  if (!fs.exists(path)) return null;
  const reader = fs.openRead(path);
  const bytes = new Uint8Array(reader.size);
  reader.read(bytes, 0);
  reader.close();
  return bytes;
}

function folderOf(path: string): string {
  const slash = path.lastIndexOf('/');
  return slash <= 0 ? '/' : path.slice(0, slash);
}
