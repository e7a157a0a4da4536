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

  /** Makes every received byte contiguous in `buf`. */
  private gather(): void {
    if (this.queued === 0) return;
    const rest = this.pos < this.buf.length ? [this.buf.subarray(this.pos)] : [];
    this.buf = this.chunks.length === 1 && rest.length === 0 ? this.chunks[0]! : Buffer.concat([...rest, ...this.chunks]);
    this.pos = 0;
    this.chunks = [];
    this.queued = 0;
  }

  private skip(): void {
    const inBuf = Math.min(this.buf.length - this.pos, this.swallowLeft);
    this.pos += inBuf;
    this.swallowLeft -= inBuf;
    while (this.swallowLeft > 0 && this.chunks.length > 0) {
      const c = this.chunks[0]!;
      if (c.length <= this.swallowLeft) {
        this.swallowLeft -= c.length;
        this.queued -= c.length;
        this.chunks.shift();
      } else {
        this.chunks[0] = c.subarray(this.swallowLeft);
        this.queued -= this.swallowLeft;
        this.swallowLeft = 0;
      }
    }
  }

  private dataBlock(): TextFrame | null {
    const want = this.want;
    if (this.available() < want) return null;
    if (this.buf.length - this.pos < want) this.gather();
    const start = this.pos;
    const end = start + want - 2;
    const ok = this.buf[end] === 0x0d && this.buf[end + 1] === LF;
    const data = this.buf.toString('latin1', start, end);
    this.pos += want;
    this.want = -1;
    return { kind: 'data', data, ok };
  }

  private line(): TextFrame | null {
    let nl = this.buf.indexOf(LF, this.pos);
    if (nl < 0 && this.queued > 0) {
      this.gather();
      nl = this.buf.indexOf(LF, this.pos);
    }
    if (nl < 0) {
      const pending = this.buf.length - this.pos;
      if (pending > memcachedLimits.lineBytesMax && (!this.startsAsGet() || pending > memcachedLimits.getLineBytesMax)) {
        return { kind: 'close', reason: 'line too long' };
      }
      return null;
    }
    let end = nl;
    if (end > this.pos && this.buf[end - 1] === 0x0d) end--;
    const line = this.buf.toString('latin1', this.pos, end);
    this.pos = nl + 1;
    if (this.pos === this.buf.length && this.queued === 0) {
      this.buf = EMPTY;
      this.pos = 0;
    }
    return { kind: 'line', line };
  }

  /** memcached lets only multi-key retrievals grow past the line bound (up to 100 leading spaces). */
  private startsAsGet(): boolean {
    let p = this.pos;
    while (p < this.buf.length && this.buf[p] === 0x20 && p - this.pos <= 100) p++;
    const head = this.buf.toString('latin1', p, Math.min(p + 5, this.buf.length));
    return head.startsWith('get ') || head.startsWith('gets ') || head.startsWith('gat ') || head.startsWith('gats ');
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
