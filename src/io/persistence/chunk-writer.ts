// Building file bytes without a string or Buffer per record: values go straight into one
// reused chunk that is handed to the file when full. A snapshot of a million keys then makes
// almost no garbage, which keeps V8's collector (and its pauses) out of the way.
import { writeVarint } from './byte-reader.js';

export class ChunkWriter {
  private buf: Buffer;
  private at = 0;

  /**
   * `drain` receives full chunks and must be done with them when it returns (the buffer is
   * reused); without one the writer grows and take() returns everything written.
   */
  constructor(
    private readonly drain: ((chunk: Buffer) => void) | null,
    size = 1 << 20,
  ) {
    this.buf = Buffer.allocUnsafe(size);
  }

  get pending(): number {
    return this.at;
  }

  byte(b: number): void {
    this.room(1);
    this.buf[this.at++] = b & 0xff;
  }

  varint(n: number): void {
    this.room(8);
    this.at = writeVarint(this.buf, this.at, n);
  }

  /** A latin1 string's chars as bytes. */
  latin1(s: string): void {
    this.room(s.length);
    const buf = this.buf;
    let at = this.at;
    if (s.length > 48) at += buf.write(s, at, 'latin1');
    else for (let i = 0; i < s.length; i++) buf[at++] = s.charCodeAt(i);
    this.at = at;
  }

  /** A varint length then the string. */
  string(s: string): void {
    this.varint(s.length);
    this.latin1(s);
  }

  raw(bytes: Uint8Array): void {
    this.room(bytes.length);
    this.buf.set(bytes, this.at);
    this.at += bytes.length;
  }

  u32(n: number): void {
    this.room(4);
    this.buf.writeUInt32LE(n >>> 0, this.at);
    this.at += 4;
  }

  u64(n: number): void {
    this.room(8);
    this.buf.writeBigUInt64LE(BigInt(Math.trunc(n)), this.at);
    this.at += 8;
  }

  /** Hands what is buffered to the drain. */
  flush(): void {
    if (this.at === 0 || this.drain === null) return;
    this.drain(this.buf.subarray(0, this.at));
    this.at = 0;
  }

  /** A copy of everything written (writers without a drain). */
  take(): Buffer {
    const out = Buffer.from(this.buf.subarray(0, this.at));
    this.at = 0;
    return out;
  }

  private room(n: number): void {
    if (this.at + n <= this.buf.length) return;
    if (this.drain !== null && this.at > 0) this.flush();
    if (this.at + n > this.buf.length) {
      const grown = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.at + n));
      this.buf.copy(grown, 0, 0, this.at);
      this.buf = grown;
    }
  }
}
