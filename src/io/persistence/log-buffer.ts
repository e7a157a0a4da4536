// The append-only log's bytes between the command that made them and the disk: records are
// encoded one after the other into a chunk the log owns (instead of a Buffer per record joined
// by a copy at the end of the turn), a turn's bytes go to write(2) as one view of the chunk,
// and that view is kept until an fsync makes it durable (a failed fsync writes it again).
// Bytes still pending or kept are never written over: new records go after them, or into
// another chunk once this one is full. Chunks are reused once nothing in them is pending or
// kept: a chunk is memory outside V8's heap, which only a full garbage collection gives back,
// so allocating a fresh one per megabyte of log made V8 run full collections it otherwise did
// not need. Records may be written without their checksums: the `seal` function given to the
// buffer fills them in for all pending records at once, just before they are handed out (while
// the checksum's tables are in the CPU's caches). See docs/design/log-encoding.md.

/** Size of a chunk; a record larger than this gets a chunk of its own size. */
const CHUNK_BYTES = 1 << 20;
/**
 * Free chunks kept for reuse; more are left to the garbage collector. Under everysec up to
 * 16 MB wait for an fsync (append-log.ts), so as many chunks can be in use at once.
 */
const SPARE_CHUNKS_MAX = 16;

interface Chunk {
  readonly buf: Buffer;
  /** Views of it still needed: pending bytes of a full chunk, and kept (unsynced) writes. */
  refs: number;
}

export class LogBuffer {
  private chunk: Chunk;
  /** Where the next record goes in the current chunk. */
  private end = 0;
  /** Start of the current chunk's pending bytes (from here to `end`). */
  private start = 0;
  /** Pending bytes of full chunks, in order (a turn that filled a chunk). */
  private earlier: Array<{ view: Buffer; chunk: Chunk }> = [];
  private earlierBytes = 0;
  /** Written, not yet durable, in order; `chunk` null for a copy the log owns outright. */
  private kept: Array<{ view: Buffer; chunk: Chunk | null }> = [];
  private keptBytes = 0;
  private readonly spare: Chunk[] = [];
  /** Fewest spare chunks since the last trim(): that many were not needed meanwhile. */
  private spareLow = 0;
  /** The current chunk's bytes before this are sealed. */
  private sealedTo = 0;

  /**
   * `seal` completes the records in a range of bytes before they are handed out (for the log:
   * their checksums); `chunkBytes` is the size of a chunk.
   */
  constructor(
    private readonly seal: (bytes: Buffer, start: number, end: number) => void = () => {},
    private readonly chunkBytes = CHUNK_BYTES,
  ) {
    this.chunk = { buf: Buffer.allocUnsafeSlow(chunkBytes), refs: 0 };
  }

  /** Bytes appended and not written yet. */
  get pendingBytes(): number {
    return this.earlierBytes + this.end - this.start;
  }

  /** Bytes written and kept until they are durable. */
  get unsyncedBytes(): number {
    return this.keptBytes;
  }

  /** How many writes are kept (a mark for durable()). */
  get unsyncedCount(): number {
    return this.kept.length;
  }

  /**
   * Makes room for `n` bytes and returns the buffer to write them into, at `writeAt`; then call
   * `wrote` with where they end.
   */
  room(n: number): Buffer {
    if (this.end + n <= this.chunk.buf.length) return this.chunk.buf;
    const full = this.chunk;
    this.sealPending();
    if (this.end > this.start) {
      this.earlier.push({ view: full.buf.subarray(this.start, this.end), chunk: full });
      this.earlierBytes += this.end - this.start;
      full.refs++;
    }
    this.chunk = this.freshChunk(n);
    this.start = 0;
    this.end = 0;
    this.sealedTo = 0;
    this.retire(full);
    return this.chunk.buf;
  }

  /** Where bytes written into room()'s buffer start. */
  get writeAt(): number {
    return this.end;
  }

  /** Bytes up to `end` of room()'s buffer are written. */
  wrote(end: number): void {
    this.end = end;
  }

  /** Copies bytes in (records encoded elsewhere). */
  add(bytes: Uint8Array): void {
    const buf = this.room(bytes.length);
    buf.set(bytes, this.end);
    this.end += bytes.length;
  }

  /**
   * The pending bytes as one Buffer (a view of the chunk; a copy when they span chunks). They
   * stay pending until written() is called with it.
   */
  pending(): Buffer {
    this.sealPending();
    const current = this.chunk.buf.subarray(this.start, this.end);
    if (this.earlier.length === 0) return current;
    return Buffer.concat([...this.earlier.map((e) => e.view), current], this.pendingBytes);
  }

  /**
   * `data`, what pending() returned, was written: it is no longer pending. With `keep`, it is
   * kept (not written over) until durable() or durableAll() lets it go.
   */
  written(data: Buffer, keep: boolean): void {
    const isView = this.earlier.length === 0;
    for (const e of this.earlier) this.unref(e.chunk);
    this.earlier = [];
    this.earlierBytes = 0;
    this.start = this.end;
    if (keep) {
      const chunk = isView ? this.chunk : null;
      if (chunk !== null) chunk.refs++;
      this.kept.push({ view: data, chunk });
      this.keptBytes += data.length;
    }
    this.rewind();
  }

  /** The oldest `count` kept writes are durable. */
  durable(count: number): void {
    const done = this.kept.splice(0, count);
    for (const k of done) {
      this.keptBytes -= k.view.length;
      if (k.chunk !== null) this.unref(k.chunk);
    }
    this.rewind();
  }

  /** Every kept write is durable (or will never need writing again). */
  durableAll(): void {
    this.durable(this.kept.length);
  }

  /**
   * The kept bytes as one copy, which replaces them (after a failed fsync they are written
   * again, and the chunks they were in can be reused meanwhile).
   */
  keptCopy(): Buffer {
    const copy = Buffer.concat(this.kept.map((k) => k.view), this.keptBytes);
    this.durableAll();
    this.kept.push({ view: copy, chunk: null });
    this.keptBytes = copy.length;
    return copy;
  }

  private sealPending(): void {
    if (this.sealedTo < this.end) {
      this.seal(this.chunk.buf, Math.max(this.sealedTo, this.start), this.end);
      this.sealedTo = this.end;
    }
  }

  /** Lets go of the spare chunks not needed since the last call (the log calls it once a second). */
  trim(): void {
    this.spare.splice(0, this.spareLow);
    this.spareLow = this.spare.length;
  }

  private unref(chunk: Chunk): void {
    chunk.refs--;
    if (chunk !== this.chunk) this.retire(chunk);
  }

  /** A chunk no longer current: spare once nothing in it is needed. */
  private retire(chunk: Chunk): void {
    if (chunk.refs === 0 && chunk.buf.length === this.chunkBytes && this.spare.length < SPARE_CHUNKS_MAX) this.spare.push(chunk);
  }

  /** When nothing in the current chunk is pending or kept, the next record goes at its start. */
  private rewind(): void {
    if (this.chunk.refs === 0 && this.end === this.start) {
      this.start = 0;
      this.end = 0;
      this.sealedTo = 0;
    }
  }

  private freshChunk(n: number): Chunk {
    if (n <= this.chunkBytes) {
      const reused = this.spare.pop();
      if (this.spare.length < this.spareLow) this.spareLow = this.spare.length;
      if (reused !== undefined) return reused;
    }
    return { buf: Buffer.allocUnsafeSlow(Math.max(this.chunkBytes, n)), refs: 0 };
  }
}
