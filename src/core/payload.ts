// The two primitives every DUMP body and snapshot record is built from: an unsigned LEB128
// varint (shortest form only) and a length-prefixed byte string, over latin1 strings.

/** A structural problem in the body; caught at the restoreValue boundary, never escapes. */
export class MalformedPayload extends Error {}

/** Builds a payload from chunks (latin1 strings). */
export class PayloadWriter {
  private readonly chunks: string[] = [];

  byte(b: number): void {
    this.chunks.push(String.fromCharCode(b & 0xff));
  }

  /** Unsigned LEB128: seven bits per byte, low bits first, high bit set on all but the last. */
  varint(n: number): void {
    let rest = n;
    let bytes = '';
    while (rest >= 0x80) {
      bytes += String.fromCharCode((rest % 0x80) | 0x80);
      rest = Math.floor(rest / 0x80);
    }
    this.chunks.push(bytes + String.fromCharCode(rest));
  }

  /** A length-prefixed byte string. */
  string(s: string): void {
    this.varint(s.length);
    this.chunks.push(s);
  }

  /** An IEEE-754 double as 8 bytes, little-endian (zset scores: every bit kept, -0 included). */
  double(d: number): void {
    DOUBLE_VIEW.setFloat64(0, d, true);
    let bytes = '';
    for (let i = 0; i < 8; i++) bytes += String.fromCharCode(DOUBLE_BYTES[i]!);
    this.chunks.push(bytes);
  }

  finish(): string {
    return this.chunks.join('');
  }
}

/** Reads a payload body up to `end`; any read past it is a truncated payload. */
export class PayloadReader {
  private pos = 0;

  constructor(
    private readonly data: string,
    private readonly end: number,
  ) {}

  atEnd(): boolean {
    return this.pos === this.end;
  }

  byte(): number {
    if (this.pos >= this.end) throw new MalformedPayload('truncated');
    return this.data.charCodeAt(this.pos++);
  }

  varint(): number {
    let value = 0;
    let scale = 1;
    for (let i = 0; i < VARINT_BYTES_MAX; i++) {
      const b = this.byte();
      value += (b & 0x7f) * scale;
      if ((b & 0x80) === 0) {
        // The shortest form only: a last byte of 0 after others would be a second spelling.
        if (b === 0 && i > 0) throw new MalformedPayload('overlong varint');
        return value;
      }
      scale *= 0x80;
    }
    throw new MalformedPayload('varint too long');
  }

  /** Reads an 8-byte little-endian IEEE-754 double (any bit pattern, NaN included: callers check). */
  double(): number {
    if (this.end - this.pos < 8) throw new MalformedPayload('truncated double');
    for (let i = 0; i < 8; i++) DOUBLE_BYTES[i] = this.data.charCodeAt(this.pos + i);
    this.pos += 8;
    return DOUBLE_VIEW.getFloat64(0, true);
  }

  string(): string {
    const len = this.varint();
    if (len > this.end - this.pos) throw new MalformedPayload('truncated string');
    const s = this.data.slice(this.pos, this.pos + len);
    this.pos += len;
    return s;
  }
}

/** 7 varint bytes carry 49 bits: more than any length a 512 MB string or a collection can have. */
const VARINT_BYTES_MAX = 7;

/** Scratch space for converting doubles to and from their 8 bytes. */
const DOUBLE_BYTES = new Uint8Array(8);
const DOUBLE_VIEW = new DataView(DOUBLE_BYTES.buffer);
