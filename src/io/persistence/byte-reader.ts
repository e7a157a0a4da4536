// Reading a file in windows: persistence files can be far larger than one Buffer or string,
// so readers ask for byte ranges and this keeps a window of the file in memory around them.
import type { ReadFile } from './file-system.js';

export class WindowReader {
  private buf: Buffer = Buffer.alloc(0);
  /** File offset of buf[0]. */
  private start = 0;

  constructor(
    private readonly file: ReadFile,
    private readonly windowBytes = 1 << 20,
  ) {}

  get size(): number {
    return this.file.size;
  }

  get path(): string {
    return this.file.path;
  }

  /**
   * Makes bytes [pos, pos + n) readable: returns the buffer holding them and where pos sits in
   * it, or null when the file ends before pos + n.
   */
  view(pos: number, n: number): { buf: Buffer; at: number } | null {
    if (pos + n > this.file.size) return null;
    if (pos >= this.start && pos + n <= this.start + this.buf.length) return { buf: this.buf, at: pos - this.start };
    const length = Math.min(Math.max(this.windowBytes, n), this.file.size - pos);
    const buf = Buffer.allocUnsafe(length);
    let filled = 0;
    while (filled < length) {
      const got = this.file.read(buf.subarray(filled), pos + filled);
      if (got <= 0) return null; // the file shrank under us
      filled += got;
    }
    this.buf = buf;
    this.start = pos;
    return { buf, at: 0 };
  }

  /** True when every byte from pos to the end of the file is zero. */
  zerosFrom(pos: number): boolean {
    for (let at = pos; at < this.file.size; ) {
      const n = Math.min(this.windowBytes, this.file.size - at);
      const v = this.view(at, n);
      if (v === null) return false;
      for (let i = 0; i < n; i++) if (v.buf[v.at + i] !== 0) return false;
      at += n;
    }
    return true;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.file.close();
  }

  private closed = false;
}

/** An unsigned LEB128 varint at buf[at]: [value, bytes used], or null when malformed or cut short. */
export function readVarint(buf: Uint8Array, at: number, end: number): [number, number] | null {
  let value = 0;
  let scale = 1;
  for (let i = 0; i < 7; i++) {
    if (at + i >= end) return null;
    const b = buf[at + i]!;
    value += (b & 0x7f) * scale;
    if ((b & 0x80) === 0) {
      if (b === 0 && i > 0) return null; // overlong: one value, one spelling
      return [value, i + 1];
    }
    scale *= 0x80;
  }
  return null;
}

/** Bytes an unsigned LEB128 varint of n takes. */
export function varintBytes(n: number): number {
  let bytes = 1;
  while (n >= 0x80) {
    n = Math.floor(n / 0x80);
    bytes++;
  }
  return bytes;
}

/** Writes n as an unsigned LEB128 varint at buf[at]; returns the offset after it. */
export function writeVarint(buf: Uint8Array, at: number, n: number): number {
  while (n >= 0x80) {
    buf[at++] = (n % 0x80) | 0x80;
    n = Math.floor(n / 0x80);
  }
  buf[at++] = n;
  return at;
}

/** Node ships this on Buffer.prototype; @types/node does not declare it. */
interface FastLatin1Buffer {
  latin1Write(text: string, offset: number, length: number): number;
}

/** Writes a latin1 string's chars as bytes at buf[at]; returns the offset after it. */
export function writeLatin1(buf: Buffer, at: number, s: string): number {
  // latin1Write is Buffer.write without its argument checks and encoding lookup: every log
  // record goes through here (a 64-byte value costs half as much this way).
  if (s.length > 32) return at + (buf as unknown as FastLatin1Buffer).latin1Write(s, at, s.length);
  for (let i = 0; i < s.length; i++) buf[at + i] = s.charCodeAt(i);
  return at + s.length;
}
