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

