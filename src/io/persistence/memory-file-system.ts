// An in-memory FileSystem for tests and the simulator: it keeps, per file, what a crash would
// leave (the bytes as of the last fsync) apart from what the process sees, and per folder the
// names as of the last syncDir. Faults come on demand: the next N calls of an operation fail
// with a chosen code, the disk has a capacity (writes past it are partial, then ENOSPC), fsyncs
// can be held until the test releases them, and crash() throws away everything not durable.
import { bytesReadFile, fsError, type AppendFile, type FileSystem, type ReadFile } from './file-system.js';

export type FaultyOp = 'open' | 'write' | 'fsync' | 'truncate' | 'rename' | 'unlink' | 'syncDir';

class Node {
  data = new Uint8Array(64);
  length = 0;
  /** The content a crash would leave. */
  durable = new Uint8Array(0);

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
  }
}

export class MemoryFileSystem implements FileSystem {
  private readonly names = new Map<string, Node>();
  /** Folder -> its entries as of the last syncDir (what a crash leaves). */
  private readonly durableNames = new Map<string, Map<string, Node>>();
  private readonly dirs = new Set<string>(['/']);
  private readonly faults = new Map<FaultyOp, { code: string; times: number }>();
  /** Total bytes the disk holds; writes beyond fail with ENOSPC after a partial write. */
  capacityBytes = Infinity;
  /** When set, fsync callbacks wait for releaseFsyncs() (to test what happens meanwhile). */
  holdFsyncs = false;
  private readonly heldFsyncs: Array<() => void> = [];
  /** Called after every operation that changes the disk (crash-point tests copy the disk there). */
  onOperation: ((op: string) => void) | null = null;
  /** Counts of calls, for tests that check how many fsyncs a workload needed. */
  readonly calls = { fsync: 0, write: 0, syncDir: 0 };

  /** The next `times` calls of `op` fail with `code`. */
  failNext(op: FaultyOp, code = 'EIO', times = 1): void {
    this.faults.set(op, { code, times });
  }

  /** Clears pending faults and the capacity limit (the disk is healthy again). */
  heal(): void {
    this.faults.clear();
    this.capacityBytes = Infinity;
  }

  /** Runs the fsync callbacks held so far (holdFsyncs). */
  releaseFsyncs(): number {
    const waiting = this.heldFsyncs.splice(0, this.heldFsyncs.length);
    for (const run of waiting) run();
    return waiting.length;
  }

  get pendingFsyncs(): number {
    return this.heldFsyncs.length;
  }

  /**
   * The process dies: names revert to the last syncDir of their folder, contents to their last
   * fsync; `tornBytes` keeps that many bytes of each file's unsynced tail (a torn write).
   */
  crash(tornBytes = 0): void {
    this.heldFsyncs.length = 0;
    this.names.clear();
    for (const [dir, entries] of this.durableNames) {
      for (const [name, node] of entries) {
        const current = node.bytes();
        const keep = Math.min(current.length, node.durable.length + tornBytes);
        const prefixOk = sameBytes(current.subarray(0, node.durable.length), node.durable);
        const survived = prefixOk ? current.slice(0, keep) : node.durable.slice();
        const fresh = new Node();
        fresh.append(survived);
        fresh.durable = survived.slice(0, node.durable.length);
        entries.set(name, fresh);
        this.names.set(joinName(dir, name), fresh);
      }
    }
  }

  /** A new disk holding what a crash right now would leave (this one is left as it is). */
  durableCopy(): MemoryFileSystem {
    const copy = new MemoryFileSystem();
    copy.holdFsyncs = this.holdFsyncs;
    for (const [dir, entries] of this.durableNames) {
      copy.mkdirp(dir);
      for (const [name, node] of entries) copy.writeBytes(joinName(dir, name), node.durable);
    }
    for (const dir of this.dirs) copy.dirs.add(dir);
    return copy;
  }

  /** @internal */
  changed(op: string): void {
    this.onOperation?.(op);
  }

  /** A file's bytes as the process sees them (tests write corrupt ones with writeBytes). */
  readBytes(file: string): Uint8Array {
    return this.node(file, 'open').bytes().slice();
  }

  /** Replaces a file's content, durable at once (tests setting up files). */
  writeBytes(file: string, bytes: Uint8Array): void {
    const node = new Node();
    node.append(bytes);
    node.durable = bytes.slice();
    this.names.set(file, node);
    this.remember(file, node);
  }

  openAppend(file: string, truncate: boolean): AppendFile {
    this.maybeFail('open', file);
    let node = this.names.get(file);
    if (node === undefined || truncate) {
      node = new Node();
      this.names.set(file, node);
      this.changed('create');
    }
    return new MemoryAppendFile(this, file, node);
  }

  openRead(file: string): ReadFile {
    const node = this.node(file, 'open');
    const bytes = node.bytes().slice();
    return bytesReadFile(file, bytes);
  }

  readText(file: string): string {
    return Buffer.from(this.node(file, 'open').bytes()).toString('latin1');
  }

  exists(file: string): boolean {
    return this.names.has(file) || this.dirs.has(file);
  }

  size(file: string): number {
    return this.node(file, 'stat').length;
  }

  list(dir: string): string[] {
    const prefix = dir.endsWith('/') ? dir : dir + '/';
    const out: string[] = [];
    for (const name of this.names.keys()) {
      if (name.startsWith(prefix) && !name.slice(prefix.length).includes('/')) out.push(name.slice(prefix.length));
    }
    return out.sort();
  }

  mkdirp(dir: string): void {
    this.dirs.add(dir);
  }

  rename(from: string, to: string): void {
    this.maybeFail('rename', from);
    const node = this.node(from, 'rename');
    this.names.delete(from);
    this.names.set(to, node);
    this.changed('rename');
  }

  unlink(file: string): void {
    this.maybeFail('unlink', file);
    this.names.delete(file);
    this.changed('unlink');
  }

  truncate(file: string, size: number): void {
    this.maybeFail('truncate', file);
    const node = this.node(file, 'truncate');
    node.length = Math.min(node.length, size);
    if (node.durable.length > size) node.durable = node.durable.slice(0, size);
  }

  syncDir(dir: string): void {
    this.calls.syncDir++;
    this.maybeFail('syncDir', dir);
    const entries = new Map<string, Node>();
    for (const name of this.list(dir)) entries.set(name, this.names.get(joinName(dir, name))!);
    this.durableNames.set(dir, entries);
    this.changed('syncDir');
  }

  /** @internal used by MemoryAppendFile */
  maybeFail(op: FaultyOp, file: string): void {
    const fault = this.faults.get(op);
    if (fault === undefined || fault.times <= 0) return;
    fault.times--;
    throw fsError(fault.code, op, file);
  }

  /** @internal bytes in use on the disk, for the capacity limit. */
  usedBytes(): number {
    let total = 0;
    for (const node of this.names.values()) total += node.length;
    return total;
  }

  /** @internal */
  scheduleFsync(run: () => void): void {
    if (this.holdFsyncs) this.heldFsyncs.push(run);
    else setImmediate(run);
  }

  private node(file: string, syscall: string): Node {
    const node = this.names.get(file);
    if (node === undefined) throw fsError('ENOENT', syscall, file);
    return node;
  }

  private remember(file: string, node: Node): void {
    const slash = file.lastIndexOf('/');
    const dir = slash <= 0 ? '/' : file.slice(0, slash);
    let entries = this.durableNames.get(dir);
    if (entries === undefined) this.durableNames.set(dir, (entries = new Map()));
    entries.set(file.slice(slash + 1), node);
  }
}

class MemoryAppendFile implements AppendFile {
  constructor(
    private readonly fs: MemoryFileSystem,
    readonly path: string,
    private readonly node: Node,
  ) {}

  size(): number {
    return this.node.length;
  }

  write(data: Uint8Array): void {
    this.fs.calls.write++;
    this.fs.maybeFail('write', this.path);
    const room = this.fs.capacityBytes - this.fs.usedBytes();
    if (data.length > room) {
      // A full disk takes what fits, then refuses: the caller sees a partial write.
      this.node.append(data.subarray(0, Math.max(0, room)));
      this.fs.changed('write');
      throw fsError('ENOSPC', 'write', this.path);
    }
    this.node.append(data);
    this.fs.changed('write');
  }

  truncate(size: number): void {
    this.fs.maybeFail('truncate', this.path);
    this.node.length = Math.min(this.node.length, size);
    if (this.node.durable.length > size) this.node.durable = this.node.durable.slice(0, size);
  }

  fsync(done: (error: Error | null) => void): void {
    // The outcome is decided when the disk finishes, as with a real fsync.
    this.fs.scheduleFsync(() => {
      try {
        this.fsyncSync();
        done(null);
      } catch (e) {
        done(e as Error);
      }
    });
  }

  fsyncSync(): void {
    this.fs.calls.fsync++;
    this.fs.maybeFail('fsync', this.path);
    this.node.durable = this.node.bytes().slice();
    this.fs.changed('fsync');
  }

  close(): void {}
}

function joinName(dir: string, name: string): string {
  return dir.endsWith('/') ? dir + name : `${dir}/${name}`;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
