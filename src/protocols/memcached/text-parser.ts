// Framing of memcached's text protocol (classic and meta commands): lines ended by "\n" (a "\r"
// before it is dropped), and data blocks of an exact byte count followed by "\r\n". Which
// lines carry a data block, and how long, is the command handler's call: after reading a
// storage line it calls readData(n) (or swallow(n) to drop a refused block) and the next frame
// is that block. Bytes are latin1 strings, one char per byte, as everywhere in Cairn.
import { memcachedLimits } from '../../core/limits.js';

export type TextFrame =
  | { readonly kind: 'line'; readonly line: string }
  /** A data block; `ok` is false when the two bytes after it are not "\r\n" (bad data chunk). */
  | { readonly kind: 'data'; readonly data: string; readonly ok: boolean }
  /** A line too long to be a command: the connection must be closed (memcached does). */
  | { readonly kind: 'close'; readonly reason: string };

const EMPTY = Buffer.alloc(0);
const LF = 0x0a;

export class TextParser {
  private chunks: Buffer[] = [];
  private buf: Buffer = EMPTY;
  private pos = 0;
  private queued = 0;
  /** Bytes of the data block expected next (its CRLF included), or -1. */
  private want = -1;
  private swallowLeft = 0;

  feed(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.queued += chunk.length;
  }

  /** Bytes received and not yet framed (for the query buffer bound). */
  bufferedBytes(): number {
    return this.buf.length - this.pos + this.queued;
  }

  /** The next frame is a data block of `bytes` bytes plus "\r\n". */
  readData(bytes: number): void {
    this.want = bytes + 2;
  }

  /** Drops the next `bytes` bytes plus "\r\n" (a refused store's data). */
  swallow(bytes: number): void {
    this.swallowLeft = bytes + 2;
  }

  next(): TextFrame | null {
    if (this.swallowLeft > 0) {
      this.skip();
      if (this.swallowLeft > 0) return null;
    }
    if (this.want >= 0) return this.dataBlock();
    return this.line();
  }

  private available(): number {
    return this.buf.length - this.pos + this.queued;
  }

  /** Moves to the next queued chunk once `buf` is used up. */
  private nextChunk(): void {
    const c = this.chunks.shift()!;
    this.queued -= c.length;
    this.buf = c;
    this.pos = 0;
  }

  private skip(): void {
    while (this.swallowLeft > 0) {
      if (this.pos === this.buf.length) {
        if (this.chunks.length === 0) return;
        this.nextChunk();
      }
      const n = Math.min(this.buf.length - this.pos, this.swallowLeft);
      this.pos += n;
      this.swallowLeft -= n;
    }
  }

  /**
   * The next `n` bytes as a latin1 string. Each received chunk is decoded where it lies: a block
   * inside one chunk is one slice-and-decode, and one that spans chunks is decoded piece by piece,
   * never joined into a new Buffer first (4 KB values often span reads).
   */
  private take(n: number): string {
    const end = this.pos + n;
    if (end <= this.buf.length) {
      const s = this.buf.toString('latin1', this.pos, end);
      this.pos = end;
      return s;
    }
    let out = '';
    while (n > 0) {
      if (this.pos === this.buf.length) this.nextChunk();
      const k = Math.min(this.buf.length - this.pos, n);
      out += this.buf.toString('latin1', this.pos, this.pos + k);
      this.pos += k;
      n -= k;
    }
    return out;
  }

  private takeByte(): number {
    if (this.pos === this.buf.length) this.nextChunk();
    return this.buf[this.pos++]!;
  }

  private dataBlock(): TextFrame | null {
    const want = this.want;
    if (this.available() < want) return null;
    const data = this.take(want - 2);
    const cr = this.takeByte();
    const lf = this.takeByte();
    this.want = -1;
    this.release();
    return { kind: 'data', data, ok: cr === 0x0d && lf === LF };
  }

  private line(): TextFrame | null {
    let nl = this.buf.indexOf(LF, this.pos);
    let text: string;
    if (nl >= 0) {
      text = this.buf.toString('latin1', this.pos, nl);
      this.pos = nl + 1;
    } else {
      // The line goes on into queued chunks: find its end there, decode the pieces, join nothing.
      let ci = 0;
      for (; ci < this.chunks.length; ci++) {
        nl = this.chunks[ci]!.indexOf(LF);
        if (nl >= 0) break;
      }
      if (nl < 0) return this.partialLine();
      text = this.buf.toString('latin1', this.pos);
      for (let i = 0; i < ci; i++) text += this.chunks[i]!.toString('latin1');
      for (let i = 0; i < ci; i++) this.nextChunk();
      this.nextChunk();
      text += this.buf.toString('latin1', 0, nl);
      this.pos = nl + 1;
    }
    if (text.length > 0 && text.charCodeAt(text.length - 1) === 0x0d) text = text.slice(0, -1);
    this.release();
    return { kind: 'line', line: text };
  }

  /** No newline received yet: wait, unless the line is already longer than memcached allows. */
  private partialLine(): TextFrame | null {
    const pending = this.available();
    if (pending > memcachedLimits.lineBytesMax && (!this.startsAsGet() || pending > memcachedLimits.getLineBytesMax)) {
      return { kind: 'close', reason: 'line too long' };
    }
    return null;
  }

  /** Drops the reference to a fully read buffer. */
  private release(): void {
    if (this.pos === this.buf.length && this.queued === 0) {
      this.buf = EMPTY;
      this.pos = 0;
    }
  }

  /** memcached lets only multi-key retrievals grow past the line bound (up to 100 leading spaces). */
  private startsAsGet(): boolean {
    const bytes = this.head(106);
    let p = 0;
    while (p < bytes.length && bytes[p] === 0x20 && p <= 100) p++;
    const head = bytes.toString('latin1', p, Math.min(p + 5, bytes.length));
    return head.startsWith('get ') || head.startsWith('gets ') || head.startsWith('gat ') || head.startsWith('gats ');
  }

  /** A copy of at most the first `n` pending bytes, wherever they lie. */
  private head(n: number): Buffer {
    const parts: Buffer[] = [this.buf.subarray(this.pos, this.pos + n)];
    let have = parts[0]!.length;
    for (let i = 0; i < this.chunks.length && have < n; i++) {
      const part = this.chunks[i]!.subarray(0, n - have);
      parts.push(part);
      have += part.length;
    }
    return Buffer.concat(parts);
  }
}

/** Splits a command line on spaces, as memcached's tokenizer does (runs of spaces count once). */
export function tokenize(line: string): string[] {
  const out: string[] = [];
  let start = -1;
  for (let i = 0; i < line.length; i++) {
    if (line.charCodeAt(i) === 0x20) {
      if (start >= 0) {
        out.push(line.slice(start, i));
        start = -1;
      }
    } else if (start < 0) start = i;
  }
  if (start >= 0) out.push(line.slice(start));
  return out;
}

/**
 * A text-protocol key: 1 to 250 bytes. Spaces and line ends cannot occur (they split the line);
 * other control characters are accepted as memcached 1.6 accepts them (protocol.txt asks clients
 * not to send them, but memcaslap's keys start with 0x10 bytes).
 */
export function validKey(key: string): boolean {
  return key.length > 0 && key.length <= memcachedLimits.keyBytesMax;
}
