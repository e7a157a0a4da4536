// The append-only log's records between the command that made them and the write(2) that hands
// them to the OS: encoded one after the other into a chunk the log owns, instead of a Buffer
// per record joined by a copy at the end of the turn. A turn's bytes go out as one view of the
// chunk; that view is kept (unwritten after a failure, unsynced until an fsync) and the bytes
// behind it are never written over: new records go after it, or into a fresh chunk once this
// one is full. When nothing handed out is kept any more, the chunk is reused from its start.
// See docs/design/log-encoding.md.

/** Size of a chunk; a record larger than this gets a chunk of its own size. */
const CHUNK_BYTES = 1 << 20;

export class LogBuffer {
  private chunk: Buffer;
  /** Where the next record goes in the chunk. */
  private end = 0;
  /** Start of the chunk's bytes not handed out yet (everything from here to `end` is pending). */
  private start = 0;
  /** Pending bytes of chunks that filled up before they were handed out (a turn larger than a chunk). */
  private earlier: Buffer[] = [];
  private earlierBytes = 0;

  constructor(private readonly chunkBytes = CHUNK_BYTES) {
    this.chunk = Buffer.allocUnsafeSlow(chunkBytes);
  }

  /** Bytes not handed out yet. */
  get pendingBytes(): number {
    return this.earlierBytes + this.end - this.start;
  }

  /**
   * Makes room for `n` bytes and returns the buffer to write them into, at `writeAt`; then call
   * `wrote` with where they end.
   */
  room(n: number): Buffer {
    if (this.end + n <= this.chunk.length) return this.chunk;
    if (this.end > this.start) {
      this.earlier.push(this.chunk.subarray(this.start, this.end));
      this.earlierBytes += this.end - this.start;
    }
    // The old chunk stays alive as long as views of it are kept; it is never written again.
    this.chunk = Buffer.allocUnsafeSlow(Math.max(this.chunkBytes, n));
    this.start = 0;
    this.end = 0;
    return this.chunk;
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
   * The pending bytes as one Buffer, still pending until handedOut(). Its bytes stay as they
   * are until recycle() (a view of the chunk; a copy only when the pending bytes span chunks).
   */
  pending(): Buffer {
    const current = this.chunk.subarray(this.start, this.end);
    if (this.earlier.length === 0) return current;
    return Buffer.concat([...this.earlier, current], this.pendingBytes);
  }

  /** The bytes pending() returned were written: they are no longer pending. */
  handedOut(): void {
    this.start = this.end;
    this.earlier = [];
    this.earlierBytes = 0;
  }

  /**
   * The caller keeps no view of bytes handed out any more (they are durable, or dropped):
   * when nothing is pending either, the chunk is written again from its start.
   */
  recycle(): void {
    if (this.end === this.start && this.earlier.length === 0) {
      this.start = 0;
      this.end = 0;
    }
  }
}
