// Incremental RESP request parser: bytes in (in chunks of any size, split
// anywhere), commands out as argv arrays of latin1 strings.
//
// The rules and error texts follow Redis's processMultibulkBuffer and
// processInlineBuffer (networking.c), quirks included, so clients see the same
// behaviour:
//  - A request starting with '*' is a multibulk (RESP array of bulk strings);
//    anything else is an inline (telnet style) line ending in "\n" or "\r\n".
//  - A header line ("*N", "$N") ends at the first '\r'; the byte after it is
//    skipped without being checked, as is the two-byte terminator after a bulk
//    string's payload. Redis never verifies those bytes either.
//  - Lengths follow string2ll: no '+', no leading zeros, 64-bit range.
//  - "*0" and negative counts ("*-1", "*-10") are accepted and produce no
//    command; so do empty inline lines.
//  - A header line with no '\r' is tolerated until more than maxInlineBytes
//    are buffered; likewise an inline line with no '\n'. A longer line whose
//    terminator is already buffered is accepted, as in Redis.
//  - Inline quoting follows sdssplitargs (see inline.ts).
//
// Differences from Redis, on purpose: the argument count is bounded by
// maxArgs (Redis: INT_MAX), bulks by the longest JS string, and a NUL byte in
// an inline line is an ordinary byte (Redis stalls on it).
//
// After a protocol error the parser is dead: next() keeps returning the same
// error and feed() drops its input, since the server closes the connection
// once the error reply is written.

import { limits } from '../../core/limits.js';
import { constants as bufferConstants } from 'node:buffer';
import { CR, LF, cachedWordAt, latin1At } from './bytes.js';
import { parseRedisInteger } from './integer.js';
import { splitInlineArgs } from './inline.js';

/** What went wrong, as the text Redis puts after "ERR Protocol error: ". */
export interface ProtocolError {
  readonly error: string;
}

export interface RespParserOptions {
  /** proto-max-bulk-len: a larger bulk length is "invalid bulk length". Capped at
   *  buffer.constants.MAX_STRING_LENGTH (2^29-24 on 64-bit Node), since arguments are
   *  JS strings: so a bulk of exactly 512 MB, which Redis accepts, is refused here. */
  maxBulkBytes?: number;
  /** A larger multibulk count is "invalid multibulk length". */
  maxArgs?: number;
  /** How much may be buffered without finding the end of a header or inline line. */
  maxInlineBytes?: number;
  /** client-query-buffer-limit: see exceedsQueryBufferLimit(). */
  maxQueryBufferBytes?: number;
}

/** Tells next()'s error result from a command (an array) and from null. */
export function isProtocolError(value: unknown): value is ProtocolError {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const STAR = 42;
const DOLLAR = 36;

/** Redis's limits for a client that still has to AUTH (authRequired() in networking.c). */
const UNAUTHENTICATED_ARGS_MAX = limits.unauthenticatedMultibulkMax;
const UNAUTHENTICATED_BULK_BYTES_MAX = limits.unauthenticatedBulkBytesMax;

/** A bulk at least this big gets its whole buffer reserved up front, so its
 *  bytes are copied once as they arrive instead of on every regrowth. */
const BIG_BULK_BYTES = 32 * 1024;
/** Line length up to which the terminator is searched for in JS. */
const SHORT_LINE_BYTES = 32;
/** Smallest buffer the parser allocates when it has to copy. */
const MIN_BUFFER_BYTES = 16 * 1024;
/** An owned buffer larger than this is dropped once drained rather than kept for reuse. */
const KEEP_BUFFER_MAX_BYTES = 256 * 1024;

/** A JS string cannot be longer than this, so neither can an argument. */
const MAX_STRING_BYTES = bufferConstants.MAX_STRING_LENGTH;

const EMPTY_BUFFER = Buffer.alloc(0);

/** Internal result of one parsing step: a request that produced no command
 *  ("*0", "*-1", an empty inline line), so the caller should keep going. */
const NOTHING: string[] = [];
type Step = string[] | null | ProtocolError;

export class RespParser {
  private readonly maxBulkBytes: number;
  private readonly maxArgs: number;
  private readonly maxInlineBytes: number;
  private readonly maxQueryBufferBytes: number;

  /** Unparsed input is buf[start, end). */
  private buf: Buffer = EMPTY_BUFFER;
  private start = 0;
  private end = 0;
  /** Whether buf was allocated here, so bytes past `end` may be written. A
   *  chunk adopted from feed() is only read. */
  private ownsBuffer = false;
  /** An owned buffer set aside while parsing straight from an adopted chunk;
   *  the next copy reuses it instead of allocating. */
  private spare: Buffer | null = null;
  /** Bytes from `start` already searched for the current line's terminator,
   *  so a line arriving a byte at a time is not rescanned from its start. */
  private scannedBytes = 0;

  /** Multibulk in progress: arguments still to read (0 between commands). */
  private argsRemaining = 0;
  /** Length of the bulk being read, or -1 while its "$N" header is pending. */
  private bulkLength = -1;
  private argv: string[] = NOTHING;
  /** Bytes held by argv, counted against the query buffer limit as Redis does. */
  private argvBytes = 0;

  private failure: ProtocolError | null = null;
  private unauthenticated = false;

  constructor(opts: RespParserOptions = {}) {
    this.maxBulkBytes = Math.min(opts.maxBulkBytes ?? limits.protoMaxBulkLenBytes, MAX_STRING_BYTES);
    this.maxArgs = opts.maxArgs ?? limits.argumentsMax;
    this.maxInlineBytes = opts.maxInlineBytes ?? limits.inlineLineBytesMax;
    this.maxQueryBufferBytes = opts.maxQueryBufferBytes ?? limits.clientQueryBufferBytes;
  }

  /**
   * Appends bytes. The parser may keep a reference to `chunk` instead of
   * copying it, so the caller must not modify it afterwards (socket chunks
   * are never reused, so this holds for data events).
   */
  feed(chunk: Buffer): void {
    if (this.failure !== null || chunk.length === 0) return;
    if (this.start === this.end && !this.awaitsBigBulkBeyond(chunk.length)) {
      // Nothing pending: parse straight from the caller's chunk, no copy.
      if (this.ownsBuffer && this.buf.length <= KEEP_BUFFER_MAX_BYTES) this.spare = this.buf;
      this.buf = chunk;
      this.start = 0;
      this.end = chunk.length;
      this.ownsBuffer = false;
      return;
    }
    this.reserve(chunk.length);
    chunk.copy(this.buf, this.end);
    this.end += chunk.length;
  }

  /** Whether a big bulk is being read whose bytes will not all be in a chunk of
   *  this size; its reserved buffer should then be filled instead of replaced. */
  private awaitsBigBulkBeyond(chunkLength: number): boolean {
    return this.bulkLength >= BIG_BULK_BYTES && chunkLength < this.bulkLength + 2;
  }

  /**
   * The next complete command, null if more bytes are needed, or the protocol
   * error that killed the parser.
   */
  next(): string[] | null | ProtocolError {
    if (this.failure !== null) return this.failure;
    for (;;) {
      const step = this.argsRemaining > 0 ? this.readBulks() : this.readRequest();
      if (step !== NOTHING) return step;
    }
  }

  /** Unparsed bytes held (CLIENT LIST qbuf). */
  bufferedBytes(): number {
    return this.end - this.start;
  }

  /**
   * Whether the client went past client-query-buffer-limit. As in Redis the
   * arguments already read for an incomplete command count too; the server
   * closes such a client without a reply.
   */
  exceedsQueryBufferLimit(): boolean {
    return this.end - this.start + this.argvBytes > this.maxQueryBufferBytes;
  }

  /** Pass false while the client must still AUTH: Redis then accepts at most
   *  10 arguments and bulks of at most 16384 bytes ("unauthenticated multibulk
   *  length" / "unauthenticated bulk length"). Clients start authenticated. */
  setAuthenticated(authenticated: boolean): void {
    this.unauthenticated = !authenticated;
  }

  /** Whether a protocol error has been reported. */
  isDead(): boolean {
    return this.failure !== null;
  }

  // ---- requests --------------------------------------------------------

  private readRequest(): Step {
    if (this.start === this.end) {
      this.dropDrainedBuffer();
      return null;
    }
    return this.buf[this.start] === STAR ? this.readMultibulkHeader() : this.readInline();
  }

  private readInline(): Step {
    const newline = this.findLineEnd(LF);
    if (newline < 0) return this.lineIncomplete('too big inline request');
    const lineEnd = newline > this.start && this.buf[newline - 1] === CR ? newline - 1 : newline;
    const args = splitInlineArgs(this.buf, this.start, lineEnd);
    if (args === null) return this.fail('unbalanced quotes in request');
    this.consumeTo(newline + 1);
    return args.length === 0 ? NOTHING : args;
  }

  private readMultibulkHeader(): Step {
    const cr = this.findLineEnd(CR);
    if (cr < 0) return this.lineIncomplete('too big mbulk count string');
    if (cr + 1 >= this.end) return null; // the byte after '\r' has not arrived

    const count = parseRedisInteger(this.buf, this.start + 1, cr);
    if (!(count <= this.maxArgs)) return this.fail('invalid multibulk length'); // NaN fails too
    if (this.unauthenticated && count > UNAUTHENTICATED_ARGS_MAX) {
      return this.fail('unauthenticated multibulk length');
    }
    this.consumeTo(cr + 2);
    if (count <= 0) return NOTHING;

    this.argsRemaining = count;
    this.argv = [];
    this.argvBytes = 0;
    return this.readBulks();
  }

  /** Reads bulk arguments of the current multibulk until it is complete or input runs out. */
  private readBulks(): Step {
    while (this.argsRemaining > 0) {
      if (this.bulkLength < 0) {
        const header = this.readBulkHeader();
        if (header !== NOTHING) return header;
      }
      const length = this.bulkLength;
      if (this.end - this.start < length + 2) return null;
      const argv = this.argv;
      // The command name repeats from request to request: cached, it is not a new string each time.
      argv.push(argv.length === 0 ? cachedWordAt(this.buf, this.start, this.start + length) : latin1At(this.buf, this.start, this.start + length));
      this.argvBytes += length;
      this.consumeTo(this.start + length + 2);
      this.bulkLength = -1;
      this.argsRemaining--;
    }
    const argv = this.argv;
    this.argv = NOTHING;
    this.argvBytes = 0;
    return argv;
  }

  /** Reads a "$N" line into bulkLength; NOTHING on success, else null or an error. */
  private readBulkHeader(): Step {
    const cr = this.findLineEnd(CR);
    if (cr < 0) return this.lineIncomplete('too big bulk count string');
    if (cr + 1 >= this.end) return null;

    const marker = this.buf[this.start]!;
    if (marker !== DOLLAR) return this.fail(`expected '$', got '${String.fromCharCode(marker)}'`);

    const length = parseRedisInteger(this.buf, this.start + 1, cr);
    if (!(length >= 0 && length <= this.maxBulkBytes)) return this.fail('invalid bulk length');
    if (this.unauthenticated && length > UNAUTHENTICATED_BULK_BYTES_MAX) {
      return this.fail('unauthenticated bulk length');
    }
    this.consumeTo(cr + 2);
    this.bulkLength = length;
    // Like Redis (PROTO_MBULK_BIG_ARG), size the buffer for a big argument as
    // soon as its length is known, so its bytes are copied in once as they arrive.
    if (length >= BIG_BULK_BYTES) this.reserve(length + 2 - (this.end - this.start));
    return NOTHING;
  }

  // ---- lines -----------------------------------------------------------

  /** Index of the first `terminator` byte at or after start, or -1. */
  private findLineEnd(terminator: number): number {
    const from = this.start + this.scannedBytes;
    const end = this.end;
    const buf = this.buf;
    // Header lines are a few bytes: a JS loop beats a native call for those.
    const quickEnd = Math.min(end, from + SHORT_LINE_BYTES);
    for (let i = from; i < quickEnd; i++) {
      if (buf[i] === terminator) return i;
    }
    if (quickEnd < end) {
      // A long line: let memchr do the rest. subarray bounds the search,
      // since bytes past `end` in an owned buffer are stale.
      const offset = buf.subarray(quickEnd, end).indexOf(terminator);
      if (offset >= 0) return quickEnd + offset;
    }
    this.scannedBytes = end - this.start;
    return -1;
  }

  /** No terminator yet: wait for more bytes, unless the line is already too long. */
  private lineIncomplete(tooBigError: string): Step {
    return this.end - this.start > this.maxInlineBytes ? this.fail(tooBigError) : null;
  }

  private fail(error: string): ProtocolError {
    this.failure = { error };
    this.buf = EMPTY_BUFFER;
    this.spare = null;
    this.start = this.end = 0;
    this.argv = NOTHING;
    this.argvBytes = 0;
    return this.failure;
  }

  // ---- buffer management -----------------------------------------------

  private consumeTo(position: number): void {
    this.start = position;
    this.scannedBytes = 0;
  }

  /** Ensures room for `extra` more bytes after `end`, compacting or regrowing into an owned buffer. */
  private reserve(extra: number): void {
    if (extra <= 0) return;
    const pending = this.end - this.start;
    if (this.ownsBuffer && this.end + extra <= this.buf.length) return;
    if (this.ownsBuffer && pending + extra <= this.buf.length && this.start >= pending) {
      // Reclaiming the consumed prefix makes room. Requiring the prefix to be at
      // least as long as what we move keeps repeated compaction amortised O(1).
      this.buf.copy(this.buf, 0, this.start, this.end);
    } else {
      const grown = this.takeSpareOrAllocate(pending + extra);
      this.buf.copy(grown, 0, this.start, this.end);
      this.buf = grown;
      this.ownsBuffer = true;
    }
    this.start = 0;
    this.end = pending;
  }

  /** A buffer of at least `needed` bytes that is not the current one. */
  private takeSpareOrAllocate(needed: number): Buffer {
    const spare = this.spare;
    this.spare = null;
    if (spare !== null && spare !== this.buf && spare.length >= needed) return spare;
    return Buffer.allocUnsafe(Math.max(MIN_BUFFER_BYTES, this.growthTarget(needed)));
  }

  /** Capacity to allocate when `needed` bytes must fit. While a bulk is being
   *  read, exactly the room for it (a 500 MB argument must not cost 750 MB);
   *  otherwise half as much again, so appends stay amortised O(1). */
  private growthTarget(needed: number): number {
    const bulkBytes = this.bulkLength >= 0 ? this.bulkLength + 2 : 0;
    if (needed <= bulkBytes) return bulkBytes;
    return needed + (needed >>> 1);
  }

  /** Once everything is parsed, let go of adopted chunks and of big buffers. */
  private dropDrainedBuffer(): void {
    if (!this.ownsBuffer || this.buf.length > KEEP_BUFFER_MAX_BYTES) {
      this.buf = EMPTY_BUFFER;
      this.ownsBuffer = false;
    }
    this.start = this.end = 0;
  }
}
