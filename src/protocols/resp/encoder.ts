// RESP2/RESP3 reply encoder. A connection keeps one ReplyBuffer, writes every
// reply of a pipeline into it, and hands the bytes to the socket with one
// take(): one write syscall per batch instead of one per reply.
//
// How each ReplyKind looks on the wire, per protocol version:
//   kind      RESP3                         RESP2
//   Simple    +text                         same
//   Error     -text (CR/LF become spaces)   same
//   Int       :n                            same
//   Bulk      $len text                     same
//   Nil       _                             $-1
//   NilArray  _                             *-1
//   Array     *n items                      same
//   Map       %pairs k v k v ...            *2*pairs k v k v ...
//   Set       ~n items                      *n items
//   Double    ,repr                         $len repr
//   Bool      #t / #f                       :1 / :0
//   Verbatim  =len txt:text                 $len text
//   Push      >n items                      *n items
//   BigNum    (digits                       $len digits

import { formatDouble17g } from '../../core/numbers.js';
import { ReplyKind, type Reply } from '../../core/reply.js';
import { CR, LF, writeLatin1 } from './bytes.js';

export type RespVersion = 2 | 3;

/**
 * Text for a double, the same in RESP2 (as a bulk) and RESP3 (after ','): `%.17g`, as
 * redis-server 7.0 (Cairn's compatibility target, docs/design/redis-version.md) prints scores,
 * with inf, -inf and nan spelled as Redis spells them.
 */
export const formatDouble = formatDouble17g;

/** Encodes one reply into a fresh Buffer. For many replies, use a ReplyBuffer. */
export function encode(r: Reply, resp: RespVersion): Buffer {
  const out = new ReplyBuffer(64);
  out.write(r, resp);
  return out.take();
}

const PLUS = 43;
const MINUS = 45;
const COLON = 58;
const DOLLAR = 36;
const STAR = 42;
const PERCENT = 37;
const TILDE = 126;
const COMMA = 44;
const EQUALS = 61;
const GREATER = 62;
const LEFT_PAREN = 40;
const SPACE = 32;

const MIN_CHUNK_BYTES = 16 * 1024;
/** After take(), a buffer larger than this is let go rather than reused, so a
 *  client that once received a huge reply does not pin that memory. */
const KEEP_BUFFER_MAX_BYTES = 1024 * 1024;
/** Bytes an integer needs at most: sign and 19 digits, or 20 digits. */
const INT_TEXT_MAX_BYTES = 20;

// ---- pre-encoded replies ---------------------------------------------------

/** ":0\r\n" .. ":9999\r\n" in one Buffer, with start offsets (entry i ends where i+1 starts). */
const SMALL_INT_COUNT = 10000;
const SMALL_INT_OFFSETS = new Uint32Array(SMALL_INT_COUNT + 1);
const SMALL_INT_BYTES = buildSmallIntTable();

function buildSmallIntTable(): Buffer {
  let text = '';
  for (let i = 0; i < SMALL_INT_COUNT; i++) {
    SMALL_INT_OFFSETS[i] = text.length;
    text += `:${i}\r\n`;
  }
  SMALL_INT_OFFSETS[SMALL_INT_COUNT] = text.length;
  return Buffer.from(text, 'latin1');
}

/** The status replies sent most often, by text. */
const COMMON_SIMPLE = new Map<string, Buffer>(
  ['OK', 'PONG', 'QUEUED'].map((text) => [text, Buffer.from(`+${text}\r\n`, 'latin1')]),
);
const RESP2_NIL = Buffer.from('$-1\r\n', 'latin1');
const RESP2_NIL_ARRAY = Buffer.from('*-1\r\n', 'latin1');
const RESP3_NULL = Buffer.from('_\r\n', 'latin1');
const RESP3_TRUE = Buffer.from('#t\r\n', 'latin1');
const RESP3_FALSE = Buffer.from('#f\r\n', 'latin1');

const EMPTY_BUFFER = Buffer.alloc(0);

/**
 * Accumulates encoded replies in one growing Buffer. take() returns what was
 * written since the last take() without copying; later writes go after it (or
 * into a new buffer), never over bytes already handed out.
 */
export class ReplyBuffer {
  private buf: Buffer = EMPTY_BUFFER;
  /** Bytes written but not yet taken are buf[base, pos). */
  private base = 0;
  private pos = 0;

  constructor(private readonly minChunkBytes: number = MIN_CHUNK_BYTES) {}

  /** Bytes written since the last take(). */
  get length(): number {
    return this.pos - this.base;
  }

  /** The bytes written since the last take(); the ReplyBuffer never writes over them. */
  take(): Buffer {
    const taken = this.buf.subarray(this.base, this.pos);
    if (this.buf.length > KEEP_BUFFER_MAX_BYTES) {
      this.buf = EMPTY_BUFFER;
      this.pos = 0;
    }
    this.base = this.pos;
    return taken;
  }

  /** Appends bytes encoded elsewhere (e.g. a cached reply or a MONITOR line). */
  writeRaw(bytes: Uint8Array): void {
    this.putBytes(bytes, 0, bytes.length);
  }

  write(r: Reply, resp: RespVersion): void {
    switch (r.k) {
      case ReplyKind.Simple: return this.writeSimple(r.v as string);
      case ReplyKind.Error: return this.putSanitizedLine(MINUS, r.v as string);
      case ReplyKind.Int: return this.writeInt(r.v as number | bigint);
      case ReplyKind.Bulk: return this.putBulk(r.v as string);
      case ReplyKind.Nil: return this.writeRaw(resp === 3 ? RESP3_NULL : RESP2_NIL);
      case ReplyKind.NilArray: return this.writeRaw(resp === 3 ? RESP3_NULL : RESP2_NIL_ARRAY);
      case ReplyKind.Array: return this.writeItems(STAR, r.v as Reply[], resp);
      case ReplyKind.Map: return this.writeMap(r.v as Reply[], resp);
      case ReplyKind.Set: return this.writeItems(resp === 3 ? TILDE : STAR, r.v as Reply[], resp);
      case ReplyKind.Double: return this.writeDouble(r.v as number | string, resp);
      case ReplyKind.Bool: return this.writeBool(r.v as boolean, resp);
      case ReplyKind.Verbatim: return this.writeVerbatim(r.v as string, resp);
      case ReplyKind.Push: return this.writeItems(resp === 3 ? GREATER : STAR, r.v as Reply[], resp);
      case ReplyKind.BigNum: return resp === 3 ? this.putLine(LEFT_PAREN, r.v as string) : this.putBulk(r.v as string);
      default: throw new Error(`ReplyBuffer: unknown reply kind ${String((r as Reply).k)}`);
    }
  }

  // ---- reply kinds --------------------------------------------------------

  private writeSimple(text: string): void {
    const common = COMMON_SIMPLE.get(text);
    if (common !== undefined) return this.writeRaw(common);
    // Redis trusts callers here; sanitising costs little and a stray CR/LF
    // would desynchronise the client.
    this.putSanitizedLine(PLUS, text);
  }

  private writeInt(n: number | bigint): void {
    if (typeof n === 'number' && n >= 0 && n < SMALL_INT_COUNT && Number.isInteger(n)) {
      const start = SMALL_INT_OFFSETS[n]!;
      return this.putBytes(SMALL_INT_BYTES, start, SMALL_INT_OFFSETS[n + 1]!);
    }
    this.putIntLine(COLON, n);
  }

  private writeItems(marker: number, items: readonly Reply[], resp: RespVersion): void {
    this.putIntLine(marker, items.length);
    for (let i = 0; i < items.length; i++) this.write(items[i]!, resp);
  }

  /** RESP3 counts pairs; RESP2 has no map type and sends the flat key/value array. */
  private writeMap(flatPairs: readonly Reply[], resp: RespVersion): void {
    if (resp === 3) this.putIntLine(PERCENT, flatPairs.length >>> 1);
    else this.putIntLine(STAR, flatPairs.length);
    for (let i = 0; i < flatPairs.length; i++) this.write(flatPairs[i]!, resp);
  }

  /** A double, or the exact text of one when a command formats its own (reply.doubleText). */
  private writeDouble(n: number | string, resp: RespVersion): void {
    const text = typeof n === 'string' ? n : formatDouble(n);
    if (resp === 3) this.putLine(COMMA, text);
    else this.putBulk(text);
  }

  private writeBool(b: boolean, resp: RespVersion): void {
    if (resp === 3) this.writeRaw(b ? RESP3_TRUE : RESP3_FALSE);
    else this.writeInt(b ? 1 : 0);
  }

  private writeVerbatim(text: string, resp: RespVersion): void {
    if (resp !== 3) return this.putBulk(text);
    this.putIntLine(EQUALS, text.length + 4);
    this.putText('txt:');
    this.putText(text);
    this.putCrLf();
  }

  // ---- wire pieces --------------------------------------------------------

  /** $len\r\ntext\r\n */
  private putBulk(text: string): void {
    this.putIntLine(DOLLAR, text.length);
    this.putText(text);
    this.putCrLf();
  }

  /** marker + text + CRLF, text written as is. */
  private putLine(marker: number, text: string): void {
    this.putByte(marker);
    this.putText(text);
    this.putCrLf();
  }

  /** marker + text + CRLF, with any CR or LF in text turned into a space so
   *  the line cannot end early (Redis does the same for error replies). */
  private putSanitizedLine(marker: number, text: string): void {
    if (text.indexOf('\r') < 0 && text.indexOf('\n') < 0) return this.putLine(marker, text);
    this.putByte(marker);
    const start = this.pos;
    this.putText(text);
    for (let i = start; i < this.pos; i++) {
      const byte = this.buf[i];
      if (byte === CR || byte === LF) this.buf[i] = SPACE;
    }
    this.putCrLf();
  }

  /** marker + decimal n + CRLF: the header of every aggregate and of bulks. */
  private putIntLine(marker: number, n: number | bigint): void {
    this.ensure(1 + INT_TEXT_MAX_BYTES + 2);
    this.buf[this.pos++] = marker;
    if (typeof n === 'number' && Number.isSafeInteger(n)) this.putSafeInteger(n);
    else this.putText(String(n));
    this.putCrLf();
  }

  /** Digits of a safe integer, by hand: cheaper than String(n) plus a copy. */
  private putSafeInteger(n: number): void {
    const buf = this.buf;
    if (n < 0) {
      buf[this.pos++] = MINUS;
      n = -n;
    }
    let digits = 1;
    for (let rest = n; rest >= 10; rest = Math.floor(rest / 10)) digits++;
    let at = this.pos + digits - 1;
    do {
      buf[at--] = 48 + (n % 10);
      n = Math.floor(n / 10);
    } while (n > 0);
    this.pos += digits;
  }

  private putText(text: string): void {
    this.ensure(text.length);
    this.pos += writeLatin1(this.buf, this.pos, text);
  }

  private putByte(byte: number): void {
    this.ensure(1);
    this.buf[this.pos++] = byte;
  }

  private putCrLf(): void {
    this.ensure(2);
    this.buf[this.pos++] = CR;
    this.buf[this.pos++] = LF;
  }

  private putBytes(source: Uint8Array, start: number, end: number): void {
    const length = end - start;
    this.ensure(length);
    if (length <= 16) {
      for (let i = 0; i < length; i++) this.buf[this.pos + i] = source[start + i]!;
    } else {
      this.buf.set(source.subarray(start, end), this.pos);
    }
    this.pos += length;
  }

  /** Makes room for n more bytes. Untaken bytes move to a bigger buffer if
   *  needed; taken ones stay where they are, as the caller may still hold them. */
  private ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const pending = this.pos - this.base;
    const needed = pending + n;
    const capacity = Math.max(this.minChunkBytes, needed + (needed >>> 1));
    const grown = Buffer.allocUnsafe(capacity);
    this.buf.copy(grown, 0, this.base, this.pos);
    this.buf = grown;
    this.base = 0;
    this.pos = pending;
  }
}
