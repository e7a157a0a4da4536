// A simulated disk per node that implements Cairn's FileSystem interface, so the same persistence
// code runs on it and on node:fs. What the process sees (the page cache) is kept apart from what
// a crash leaves (the durable content):
// - write() lands in the page cache; only fsync makes it durable. fsync completes after a sampled
//   latency in virtual time, and may fail (EIO).
// - A crash keeps, per file, a prefix of the unsynced writes (each survives with a probability,
//   in order) and may leave the first lost one torn: a prefix of its bytes on disk.
// - Folder entries (creations, renames, unlinks) are durable after syncDir; a crash keeps either
//   a folder's last synced listing or its current one, as a journal commit would.
// - After a failed fsync the file is poisoned until the next crash: later fsyncs report success
//   yet nothing more reaches the disk (what Linux did to PostgreSQL, "fsyncgate"). Code that
//   carries on after an fsync error loses data here; code that treats it as fatal does not.
import { bytesReadFile, fsError, type AppendFile, type FileSystem, type ReadFile } from '../src/io/persistence/file-system.js';
import type { EventQueue, Micros } from './event-queue.js';
import type { Random } from './random.js';

export interface DiskFaults {
  /** Chance that an fsync fails with EIO (and poisons the file). */
  fsyncErrorProbability: number;
  /** Chance that a write stores a prefix of its bytes, then throws EIO. */
  writeErrorProbability: number;
  /** On a crash, the chance that each unsynced write (in order) made it to the disk anyway. */
  unsyncedSurvivalProbability: number;
  /** On a crash, the chance that the first lost write left a torn prefix behind. */
  tornWriteProbability: number;
  fsyncMinUs: Micros;
  fsyncMaxUs: Micros;
}

export const HEALTHY_DISK: DiskFaults = {
  fsyncErrorProbability: 0,
  writeErrorProbability: 0,
  unsyncedSurvivalProbability: 0.3,
  tornWriteProbability: 0.5,
  fsyncMinUs: 100,
  fsyncMaxUs: 2_000,
};

export interface DiskStats {
  writes: number;
  bytesWritten: number;
  fsyncs: number;
  fsyncErrors: number;
  writeErrors: number;
  crashes: number;
  tornWrites: number;
  /** Bytes the process had written that a crash threw away. */
  bytesLost: number;
}

class Inode {
  data = new Uint8Array(256);
  length = 0;
  /** Durable content is data[0, durableLength) unless a truncate cut into it (then durableCopy). */
  durableLength = 0;
  durableCopy: Uint8Array | null = null;
  /** End offsets of the writes since the last fsync (a crash may keep some of them). */
  pendingEnds: number[] = [];
  poisoned = false;

  bytes(): Uint8Array {
    return this.data.subarray(0, this.length);
  }

  append(src: Uint8Array): void {
    if (this.length + src.length > this.data.length) {
      const grown = new Uint8Array(Math.max(this.data.length * 2, this.length + src.length));
      grown.set(this.bytes());
      this.data = grown;
    }
    this.data.set(src, this.length);
    this.length += src.length;
    this.pendingEnds.push(this.length);
  }

  truncate(size: number): void {
    if (size >= this.length) return;
    if (this.durableCopy === null && size < this.durableLength) this.durableCopy = this.data.slice(0, this.durableLength);
    this.length = size;
    this.pendingEnds = this.pendingEnds.filter((e) => e <= size);
  }

  /** Makes the content up to `upTo` durable (what was written before the fsync was issued). */
  sync(upTo: number): void {
    if (this.poisoned) return;
    if (this.durableCopy !== null) {
      this.durableCopy = null;
      this.durableLength = this.length;
      this.pendingEnds = [];
      return;
    }
    this.durableLength = Math.max(this.durableLength, Math.min(upTo, this.length));
    this.pendingEnds = this.pendingEnds.filter((e) => e > this.durableLength);
  }

  durable(): Uint8Array {
    return this.durableCopy ?? this.data.subarray(0, this.durableLength);
  }

  /** What a crash leaves of this file; returns [bytes kept, torn?]. */
  crash(random: Random, faults: DiskFaults): { kept: Uint8Array; torn: boolean } {
    if (this.poisoned || this.durableCopy !== null) return { kept: this.durable().slice(), torn: false };
    let end = this.durableLength;
    let torn = false;
    for (const writeEnd of this.pendingEnds) {
      if (random.chance(faults.unsyncedSurvivalProbability)) {
        end = writeEnd;
        continue;
      }
      if (writeEnd - end > 1 && random.chance(faults.tornWriteProbability)) {
        end = random.int(end + 1, writeEnd - 1);
        torn = true;
      }
      break;
    }
    return { kept: this.data.slice(0, end), torn };
  }

  reset(content: Uint8Array): void {
    this.data = new Uint8Array(Math.max(256, content.length));
    this.data.set(content);
    this.length = content.length;
    this.durableLength = content.length;
    this.durableCopy = null;
    this.pendingEnds = [];
    this.poisoned = false;
  }
}

export class SimDisk implements FileSystem {
  private names = new Map<string, Inode>();
  /** Folder -> its entries as of the last syncDir. */
  private readonly durableNames = new Map<string, Map<string, Inode>>();
  private readonly dirs = new Set<string>(['/']);
  /** Bumped by every crash: fsyncs issued before it never call back. */
  private generation = 0;
  faults: DiskFaults = { ...HEALTHY_DISK };
  /** Runs fsync callbacks; the cluster sets it so that a node's failure there is handled as anywhere else. */
  callbackGuard: (run: () => void) => void = (run) => run();
  readonly stats: DiskStats = { writes: 0, bytesWritten: 0, fsyncs: 0, fsyncErrors: 0, writeErrors: 0, crashes: 0, tornWrites: 0, bytesLost: 0 };

  constructor(
    private readonly queue: EventQueue,
    private readonly random: Random,
  ) {}

  /** The process died: the page cache is gone, the disk keeps what the fault model allows. */
  crash(): void {
    this.generation++;
    this.stats.crashes++;
    const survivors = new Map<string, Inode>();
    const allDirs = new Set<string>([...this.durableNames.keys()]);
    for (const path of this.names.keys()) allDirs.add(parentOf(path));
    for (const dir of [...allDirs].sort()) {
      const keepCurrent = this.random.chance(this.faults.unsyncedSurvivalProbability);
      const listing = keepCurrent ? this.currentListing(dir) : (this.durableNames.get(dir) ?? new Map<string, Inode>());
      for (const [name, inode] of listing) survivors.set(joinName(dir, name), inode);
      this.durableNames.set(dir, new Map(listing));
    }
    const done = new Set<Inode>();
    for (const path of [...survivors.keys()].sort()) {
      const inode = survivors.get(path)!;
      if (done.has(inode)) continue;
      done.add(inode);
      const before = inode.length;
      const { kept, torn } = inode.crash(this.random, this.faults);
      if (torn) this.stats.tornWrites++;
      this.stats.bytesLost += Math.max(0, before - kept.length);
      inode.reset(kept);
    }
    this.names = survivors;
  }

  openAppend(file: string, truncate: boolean): AppendFile {
    let inode = this.names.get(file);
    if (inode === undefined) {
      inode = new Inode();
      this.names.set(file, inode);
    } else if (truncate) {
      inode.truncate(0);
    }
    return new SimAppendFile(this, file, inode);
  }

  openRead(file: string): ReadFile {
    const bytes = this.inode(file, 'open').bytes().slice();
    return bytesReadFile(file, bytes);
  }

  /** A whole file's bytes as the process sees them. */
  readBytes(file: string): Uint8Array {
    return this.inode(file, 'open').bytes().slice();
  }

  readText(file: string): string {
    const bytes = this.inode(file, 'open').bytes();
    let out = '';
    for (let i = 0; i < bytes.length; i += 8192) out += String.fromCharCode(...bytes.subarray(i, i + 8192));
    return out;
  }

  exists(file: string): boolean {
    return this.names.has(file) || this.dirs.has(file);
  }

  size(file: string): number {
    return this.inode(file, 'stat').length;
  }

  list(dir: string): string[] {
    return [...this.currentListing(dir).keys()].sort();
  }

  mkdirp(dir: string): void {
    // Folders are durable at once: the fault model is about file data and entries.
    this.dirs.add(dir);
  }

  rename(from: string, to: string): void {
    const inode = this.inode(from, 'rename');
    this.names.delete(from);
    this.names.set(to, inode);
  }

  unlink(file: string): void {
    this.names.delete(file);
  }

  truncate(file: string, size: number): void {
    this.inode(file, 'truncate').truncate(size);
  }

  syncDir(dir: string): void {
    this.durableNames.set(dir, this.currentListing(dir));
  }

  /** @internal SimAppendFile's fsync: completes later, in virtual time, unless a crash comes first. */
  scheduleFsync(file: string, inode: Inode, done: (error: Error | null) => void): void {
    const generation = this.generation;
    const upTo = inode.length;
    const latency = this.random.int(this.faults.fsyncMinUs, Math.max(this.faults.fsyncMinUs, this.faults.fsyncMaxUs));
    this.queue.after(latency, () => {
      if (generation !== this.generation) return;
      let error: Error | null = null;
      try {
        this.syncNow(file, inode, upTo);
      } catch (e) {
        error = e as Error;
      }
      this.callbackGuard(() => done(error));
    });
  }

  /** @internal */
  syncNow(file: string, inode: Inode, upTo: number): void {
    this.stats.fsyncs++;
    if (!inode.poisoned && this.random.chance(this.faults.fsyncErrorProbability)) {
      this.stats.fsyncErrors++;
      inode.poisoned = true;
      throw fsError('EIO', 'fsync', file);
    }
    inode.sync(upTo);
  }

  /** @internal */
  write(file: string, inode: Inode, data: Uint8Array): void {
    this.stats.writes++;
    if (this.random.chance(this.faults.writeErrorProbability)) {
      this.stats.writeErrors++;
      const part = this.random.int(0, data.length);
      if (part > 0) inode.append(data.subarray(0, part));
      this.stats.bytesWritten += part;
      throw fsError('EIO', 'write', file);
    }
    inode.append(data);
    this.stats.bytesWritten += data.length;
  }

  private currentListing(dir: string): Map<string, Inode> {
    const prefix = dir.endsWith('/') ? dir : dir + '/';
    const out = new Map<string, Inode>();
    for (const [path, inode] of this.names) {
      if (path.startsWith(prefix) && !path.slice(prefix.length).includes('/')) out.set(path.slice(prefix.length), inode);
    }
    return out;
  }

  private inode(file: string, syscall: string): Inode {
    const inode = this.names.get(file);
    if (inode === undefined) throw fsError('ENOENT', syscall, file);
    return inode;
  }
}

class SimAppendFile implements AppendFile {
  constructor(
    private readonly disk: SimDisk,
    readonly path: string,
    private readonly inode: Inode,
  ) {}

  size(): number {
    return this.inode.length;
  }

  write(data: Uint8Array): void {
    this.disk.write(this.path, this.inode, data);
  }

  truncate(size: number): void {
    this.inode.truncate(size);
  }

  fsync(done: (error: Error | null) => void): void {
    this.disk.scheduleFsync(this.path, this.inode, done);
  }

  fsyncSync(): void {
    this.disk.syncNow(this.path, this.inode, this.inode.length);
  }

  close(): void {}
}

function parentOf(path: string): string {
  const slash = path.lastIndexOf('/');
  return slash <= 0 ? '/' : path.slice(0, slash);
}

function joinName(dir: string, name: string): string {
  return dir.endsWith('/') ? dir + name : `${dir}/${name}`;
}
