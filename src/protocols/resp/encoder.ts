// RESP2/RESP3 reply encoder. A connection keeps one ReplyBuffer, writes every
// reply of an event-loop turn into it, and hands the result to the socket at once:
// one write syscall per batch instead of one per reply.
//
// Replies are built as latin1 text (one char per byte), not copied into a Buffer byte by
// byte: V8 joins strings without copying them (a rope), and the socket writes a string
// with one call into C++, which copies it straight into the kernel. Copying each bulk into
// a Buffer from JavaScript costs a call into C++ per bulk (about as much as the copy of a
// 64-byte value itself), and that dominated long replies such as LRANGE. Text beyond a
// bound is spilled into Buffers so that no string grows past V8's string length limit.
// docs/design/hot-path.md has the measurements.
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

export type RespVersion = 2 | 3;

/**
 * Text for a double, the same in RESP2 (as a bulk) and RESP3 (after ','): `%.17g`, as
 * redis-server 7.0 (Cairn's compatibility target, docs/design/redis-version.md) prints scores,
 * with inf, -inf and nan spelled as Redis spells them.
 */
export const formatDouble = formatDouble17g;

/** Encodes one reply into a fresh Buffer. For many replies, use a ReplyBuffer. */
export function encode(r: Reply, resp: RespVersion): Buffer {
  const out = new ReplyBuffer();
  out.write(r, resp);
  return out.take();
}

const CRLF = '\r\n';

/** Text kept as a string before it is spilled into a Buffer chunk: below the size where the
 *  allocator maps fresh pages for each chunk (measured: page faults dominated at 256 KB). */
const SPILL_CHARS = 64 * 1024;

// ---- pre-encoded replies ---------------------------------------------------

/** ":0\r\n" .. ":9999\r\n", built once: the integer replies sent most often. */
const SMALL_INT_COUNT = 10000;
const SMALL_INTS: string[] = Array.from({ length: SMALL_INT_COUNT }, (_, i) => `:${i}\r\n`);
/** "$0\r\n" .. "$1023\r\n": bulk headers of values up to 1 KB. */
const BULK_HEADER_COUNT = 1024;
const BULK_HEADERS: string[] = Array.from({ length: BULK_HEADER_COUNT }, (_, i) => `$${i}\r\n`);
/** "*0\r\n" .. "*1023\r\n": array headers. */
const ARRAY_HEADERS: string[] = Array.from({ length: BULK_HEADER_COUNT }, (_, i) => `*${i}\r\n`);

/** The status replies sent most often, by text. */
const COMMON_SIMPLE = new Map<string, string>(['OK', 'PONG', 'QUEUED'].map((text) => [text, `+${text}\r\n`]));
const RESP2_NIL = '$-1\r\n';
const RESP2_NIL_ARRAY = '*-1\r\n';
const RESP3_NULL = '_\r\n';
const RESP3_TRUE = '#t\r\n';
const RESP3_FALSE = '#f\r\n';

const EMPTY_BUFFER = Buffer.alloc(0);

/** Where drain() hands the encoded output, in order. */
export interface ReplySink {
  (chunk: Buffer | string): void;
}

/**
 * Accumulates encoded replies. take() returns what was written since the last take() as one
 * Buffer; drain() hands it out as it is held (Buffers for spilled text, then a latin1 string),
 * which a socket writes without another copy.
 */
export class ReplyBuffer {
  /** Text written since the last spill: latin1, one char per byte. */
  private text = '';
  /** Older output, already spilled into Buffers, in order. */
  private chunks: Buffer[] = [];
  private chunkBytes = 0;

  /** Bytes written since the last take() or drain(). */
  get length(): number {
    return this.chunkBytes + this.text.length;
  }

  /** The bytes written since the last take(), as one Buffer. */
  take(): Buffer {
    if (this.chunks.length === 0) {
      const text = this.text;
      this.text = '';
      return text.length === 0 ? EMPTY_BUFFER : Buffer.from(text, 'latin1');
    }
    this.spill();
    const out = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks, this.chunkBytes);
    this.chunks = [];
    this.chunkBytes = 0;
    return out;
  }

  /** Hands the bytes written since the last take() to `sink` in order, and forgets them. */
  drain(sink: ReplySink): void {
    if (this.chunks.length !== 0) {
      const chunks = this.chunks;
      this.chunks = [];
      this.chunkBytes = 0;
      for (const c of chunks) sink(c);
    }
    if (this.text.length !== 0) {
      const text = this.text;
      this.text = '';
      sink(text);
    }
  }

  /** Drops everything written since the last take(). */
  clear(): void {
    this.text = '';
    this.chunks = [];
    this.chunkBytes = 0;
  }

  /** Appends bytes encoded elsewhere (e.g. a cached reply or a MONITOR line). */
  writeRaw(bytes: Uint8Array): void {
    this.put(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1'));
  }

  write(r: Reply, resp: RespVersion): void {
    switch (r.k) {
      case ReplyKind.Simple: return this.writeSimple(r.v as string);
      case ReplyKind.Error: return this.put(`-${sanitized(r.v as string)}\r\n`);
      case ReplyKind.Int: return this.writeInt(r.v as number | bigint);
      case ReplyKind.Bulk: return this.putBulk(r.v as string);
      case ReplyKind.Nil: return this.put(resp === 3 ? RESP3_NULL : RESP2_NIL);
      case ReplyKind.NilArray: return this.put(resp === 3 ? RESP3_NULL : RESP2_NIL_ARRAY);
      case ReplyKind.Array: return this.writeItems('*', r.v as Reply[], resp);
      case ReplyKind.Map: return this.writeMap(r.v as Reply[], resp);
      case ReplyKind.Set: return this.writeItems(resp === 3 ? '~' : '*', r.v as Reply[], resp);
      case ReplyKind.Double: return this.writeDouble(r.v as number | string, resp);
      case ReplyKind.Bool: return this.writeBool(r.v as boolean, resp);
      case ReplyKind.Verbatim: return this.writeVerbatim(r.v as string, resp);
      case ReplyKind.Push: return this.writeItems(resp === 3 ? '>' : '*', r.v as Reply[], resp);
      case ReplyKind.BigNum: return resp === 3 ? this.put(`(${r.v as string}\r\n`) : this.putBulk(r.v as string);
      default: throw new Error(`ReplyBuffer: unknown reply kind ${String((r as Reply).k)}`);
    }
  }

  // ---- reply kinds --------------------------------------------------------

  private writeSimple(text: string): void {
    const common = COMMON_SIMPLE.get(text);
    // Redis trusts callers here; sanitising costs little and a stray CR/LF
    // would desynchronise the client.
    this.put(common ?? `+${sanitized(text)}\r\n`);
  }

  private writeInt(n: number | bigint): void {
    if (typeof n === 'number' && n >= 0 && n < SMALL_INT_COUNT && Number.isInteger(n)) return this.put(SMALL_INTS[n]!);
    this.put(`:${intText(n)}\r\n`);
  }

  private writeItems(marker: string, items: readonly Reply[], resp: RespVersion): void {
    const n = items.length;
    this.put(marker === '*' && n < BULK_HEADER_COUNT ? ARRAY_HEADERS[n]! : `${marker}${n}\r\n`);
    for (let i = 0; i < n; i++) {
      const item = items[i]!;
      // Arrays of bulks (LRANGE, MGET, HGETALL ...) are the long replies: no dispatch for them.
      if (item.k === ReplyKind.Bulk) this.putBulk(item.v as string);
      else this.write(item, resp);
    }
  }

  /** RESP3 counts pairs; RESP2 has no map type and sends the flat key/value array. */
  private writeMap(flatPairs: readonly Reply[], resp: RespVersion): void {
    if (resp === 3) this.writeItemsAfter(`%${flatPairs.length >>> 1}\r\n`, flatPairs, resp);
    else this.writeItems('*', flatPairs, resp);
  }

  private writeItemsAfter(header: string, items: readonly Reply[], resp: RespVersion): void {
    this.put(header);
    for (let i = 0; i < items.length; i++) this.write(items[i]!, resp);
  }

  /** A double, or the exact text of one when a command formats its own (reply.doubleText). */
  private writeDouble(n: number | string, resp: RespVersion): void {
    const text = typeof n === 'string' ? n : formatDouble(n);
    if (resp === 3) this.put(`,${text}\r\n`);
    else this.putBulk(text);
  }

  private writeBool(b: boolean, resp: RespVersion): void {
    if (resp === 3) this.put(b ? RESP3_TRUE : RESP3_FALSE);
    else this.writeInt(b ? 1 : 0);
  }

  private writeVerbatim(text: string, resp: RespVersion): void {
    if (resp !== 3) return this.putBulk(text);
    this.put(`=${text.length + 4}\r\ntxt:`);
    this.put(text);
    this.put(CRLF);
  }

  // ---- wire pieces --------------------------------------------------------

  /** $len\r\ntext\r\n */
  private putBulk(text: string): void {
    const length = text.length;
    if (length < BULK_HEADER_COUNT) {
      this.text = this.text + BULK_HEADERS[length]! + text + CRLF;
      if (this.text.length > SPILL_CHARS) this.spill();
      return;
    }
    this.put(`$${length}\r\n`);
    if (length > SPILL_CHARS) {
      // A big value goes out as its own chunk: the text never grows past V8's string limit.
      this.spill();
      this.pushChunk(Buffer.from(text, 'latin1'));
    } else {
      this.put(text);
    }
    this.put(CRLF);
  }

  private put(piece: string): void {
    this.text += piece;
    if (this.text.length > SPILL_CHARS) this.spill();
  }

  /** Moves the pending text into a Buffer chunk. */
  private spill(): void {
    if (this.text.length === 0) return;
    this.pushChunk(Buffer.from(this.text, 'latin1'));
    this.text = '';
  }

  private pushChunk(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.chunkBytes += chunk.length;
  }
}

/** Decimal text of an integer reply. */
function intText(n: number | bigint): string {
  return String(n);
}

/** Text with CR and LF turned into spaces, so a status or error line cannot end early (Redis does the same for errors). */
function sanitized(text: string): string {
  if (text.indexOf('\r') < 0 && text.indexOf('\n') < 0) return text;
  return text.replace(/[\r\n]/g, ' ');
}
