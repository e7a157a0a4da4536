// The file layer persistence runs on, as a small interface: the real one over node:fs, and an
// in-memory one (memory-file-system.ts) that tests and the simulator use to fail writes and
// fsyncs on demand, fill the disk, or crash and lose what was never fsynced.
//
// Contracts every implementation keeps:
// - write() writes all the bytes or throws; after a throw the file may hold any prefix of them
//   (a partial write), and size() tells how much it really holds.
// - fsync() is the only asynchronous call: its callback runs later, never inside the call, so
//   the event loop keeps serving clients while the disk works (group commit depends on it).
// - Errors carry a Node-style `code` ('ENOSPC', 'EIO' ...), which becomes Redis's strerror text.
// - rename() replaces the target atomically; syncDir() makes renames and creations durable.
import fs from 'node:fs';
import path from 'node:path';

/** A file opened for appending. */
export interface AppendFile {
  readonly path: string;
  /** Bytes in the file, including everything written through this handle. */
  size(): number;
  write(data: Uint8Array): void;
  /** Cuts the file back to `size` bytes (undoes a partial write). */
  truncate(size: number): void;
  fsync(done: (error: Error | null) => void): void;
  fsyncSync(): void;
  close(): void;
}

/** A file opened for reading in pieces. */
export interface ReadFile {
  readonly path: string;
  readonly size: number;
  /** Reads up to target.length bytes at `position`; returns how many were read (0 at the end). */
  read(target: Uint8Array, position: number): number;
  close(): void;
}

/** A ReadFile over bytes already in memory (in-memory file systems, a snapshot received whole). */
export function bytesReadFile(path: string, bytes: Uint8Array): ReadFile {
  return {
    path,
    size: bytes.byteLength,
    read: (target, position) => {
      const n = Math.max(0, Math.min(target.byteLength, bytes.byteLength - position));
      target.set(bytes.subarray(position, position + n));
      return n;
    },
    close: () => {},
  };
}

export interface FileSystem {
  /** Opens for appending; `truncate` empties an existing file first, otherwise it is created if missing. */
  openAppend(file: string, truncate: boolean): AppendFile;
  openRead(file: string): ReadFile;
  readText(file: string): string;
  exists(file: string): boolean;
  size(file: string): number;
  /** Names of the entries of a folder (not paths); empty when it does not exist. */
  list(dir: string): string[];
  mkdirp(dir: string): void;
  rename(from: string, to: string): void;
  unlink(file: string): void;
  truncate(file: string, size: number): void;
  /** Makes the creations, renames and deletions in a folder durable. */
  syncDir(dir: string): void;
}

/** An error as node:fs raises them, for implementations that are not node:fs. */
export function fsError(code: string, syscall: string, file: string): Error {
  const text = STRERROR[code] ?? code;
  return Object.assign(new Error(`${code}: ${text.toLowerCase()}, ${syscall} '${file}'`), { code, syscall, path: file });
}

/**
 * The text C's strerror gives for an error code: what Redis puts after "Errors writing to the
 * AOF file: ". Unknown codes fall back to the error's own message.
 */
export function strerror(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && STRERROR[code] !== undefined) return STRERROR[code]!;
  return error instanceof Error ? error.message : String(error);
}

const STRERROR: Record<string, string> = {
  ENOSPC: 'No space left on device',
  EIO: 'Input/output error',
  EDQUOT: 'Disk quota exceeded',
  EROFS: 'Read-only file system',
  EACCES: 'Permission denied',
  EPERM: 'Operation not permitted',
  EBADF: 'Bad file descriptor',
  EFBIG: 'File too large',
  ENOENT: 'No such file or directory',
  EEXIST: 'File exists',
  EISDIR: 'Is a directory',
  ENOTDIR: 'Not a directory',
  EMFILE: 'Too many open files',
  EINVAL: 'Invalid argument',
};

class NodeAppendFile implements AppendFile {
  private bytes: number;
  private closed = false;

  constructor(
    readonly path: string,
    private readonly fd: number,
  ) {
    this.bytes = fs.fstatSync(fd).size;
  }

  size(): number {
    return this.bytes;
  }

  write(data: Uint8Array): void {
    let done = 0;
    try {
      while (done < data.length) {
        const n = fs.writeSync(this.fd, data, done, data.length - done);
        if (n <= 0) throw fsError('EIO', 'write', this.path);
        done += n;
      }
    } finally {
      this.bytes += done;
    }
  }

  truncate(size: number): void {
    fs.ftruncateSync(this.fd, size);
    this.bytes = size;
  }

  fsync(done: (error: Error | null) => void): void {
    // fdatasync: the data and the size, without the timestamps a full fsync would also flush.
    fs.fdatasync(this.fd, (e) => done(e ?? null));
  }

  fsyncSync(): void {
    fs.fdatasyncSync(this.fd);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    fs.closeSync(this.fd);
  }
}

class NodeReadFile implements ReadFile {
  constructor(
    readonly path: string,
    private readonly fd: number,
    readonly size: number,
  ) {}

  read(target: Uint8Array, position: number): number {
    return fs.readSync(this.fd, target, 0, target.length, position);
  }

  close(): void {
    fs.closeSync(this.fd);
  }
}

/** The real file system. */
export const nodeFileSystem: FileSystem = {
  openAppend: (file, truncate) => new NodeAppendFile(file, fs.openSync(file, truncate ? 'w' : 'a')),
  openRead: (file) => {
    const fd = fs.openSync(file, 'r');
    return new NodeReadFile(file, fd, fs.fstatSync(fd).size);
  },
  readText: (file) => fs.readFileSync(file, 'latin1'),
  exists: (file) => fs.existsSync(file),
  size: (file) => fs.statSync(file).size,
  list: (dir) => (fs.existsSync(dir) ? fs.readdirSync(dir) : []),
  mkdirp: (dir) => void fs.mkdirSync(dir, { recursive: true }),
  rename: (from, to) => fs.renameSync(from, to),
  unlink: (file) => fs.rmSync(file, { force: true }),
  truncate: (file, size) => fs.truncateSync(file, size),
  syncDir: (dir) => {
    const fd = fs.openSync(dir, 'r');
    try {
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
  },
};

/** Joins folder and file name (kept here so persistence code never builds paths by hand). */
export function joinPath(dir: string, name: string): string {
  return path.join(dir, name);
}
