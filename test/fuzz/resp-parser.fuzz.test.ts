// Property tests for RespParser: it never throws, never desynchronises on valid
// input however the bytes are split, and delivers valid commands ahead of garbage.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { RespParser, isProtocolError, type RespParserOptions } from '../../src/protocols/resp/parser.js';

interface Parsed {
  commands: string[][];
  /** The protocol error that ended parsing, or null if the parser just wants more bytes. */
  error: string | null;
}

const KNOWN_ERRORS = new Set([
  'invalid multibulk length',
  'invalid bulk length',
  'unbalanced quotes in request',
  'too big inline request',
  'too big mbulk count string',
  'too big bulk count string',
]);
const isKnownError = (text: string): boolean => KNOWN_ERRORS.has(text) || /^expected '\$', got '[\s\S]'$/.test(text);

/** Feeds bytes in chunks of the given sizes (cycled), draining the parser after every chunk. */
function parseInChunks(bytes: Buffer, chunkSizes: readonly number[], opts?: RespParserOptions): Parsed {
  const parser = new RespParser(opts);
  const commands: string[][] = [];
  let at = 0;
  for (let i = 0; at < bytes.length; i++) {
    const size = chunkSizes[i % chunkSizes.length]!;
    parser.feed(bytes.subarray(at, at + size));
    at += size;
    for (;;) {
      const result = parser.next();
      if (result === null) break;
      if (isProtocolError(result)) return { commands, error: result.error };
      assertArgv(result);
      commands.push(result);
    }
  }
  return { commands, error: null };
}

function assertArgv(argv: unknown): asserts argv is string[] {
  assert.ok(Array.isArray(argv) && argv.length > 0, 'a command has at least one argument');
  for (const arg of argv) assert.equal(typeof arg, 'string');
}

const latin1 = (bytes: Uint8Array): string => Buffer.from(bytes).toString('latin1');
const toBytes = (text: string): Buffer => Buffer.from(text, 'latin1');

function encodeCommand(argv: readonly string[]): string {
  let out = `*${argv.length}\r\n`;
  for (const arg of argv) out += `$${arg.length}\r\n${arg}\r\n`;
  return out;
}

// ---- arbitraries -------------------------------------------------------------

/** Pieces that look like protocol, so random input reaches deep parser states. */
const respishPiece = fc.constantFrom(
  '*', '$', '\r\n', '\r', '\n', '0', '1', '2', '3', '9', '-', '+', ' ', '\t', '"', "'", '\\', 'x', 'a', 'SET', '\0', '\xff',
  '*1\r\n', '*2\r\n', '$3\r\n', '$0\r\n', '*-1\r\n', '*0\r\n', 'foo', '\\x4', '\x0b',
);
const respishBytes = fc.array(respishPiece, { maxLength: 80 }).map((pieces) => toBytes(pieces.join('')));
const randomBytes = fc.uint8Array({ maxLength: 400 }).map((bytes) => Buffer.from(bytes));
const anyInput = fc.oneof(randomBytes, respishBytes);

const chunkSizes = fc.array(fc.integer({ min: 1, max: 48 }), { minLength: 1, maxLength: 16 });

/** Arguments mixing arbitrary bytes with protocol-looking text (CR, LF, '*', '$', empty). */
const binaryArg = fc.oneof(
  { weight: 3, arbitrary: fc.uint8Array({ maxLength: 40 }).map(latin1) },
  { weight: 1, arbitrary: fc.string({ unit: fc.constantFrom('\r', '\n', '*', '$', '1', '-', ' ', '"'), maxLength: 8 }) },
);
const respCommand = fc.array(binaryArg, { minLength: 1, maxLength: 6 });
/** A request stream: commands, with "*0" / "*-1" (no command) mixed in. */
const respStream = fc.array(fc.oneof({ weight: 6, arbitrary: respCommand }, { weight: 1, arbitrary: fc.constantFrom('*0\r\n', '*-1\r\n') }), {
  maxLength: 20,
});

/** A long argument of varied bytes, cheap to generate. */
function patterned(length: number, seed: number): string {
  const bytes = Buffer.allocUnsafe(length);
  for (let i = 0; i < length; i++) bytes[i] = (seed + i * 131 + (i >> 7)) & 0xff;
  return bytes.toString('latin1');
}

function encodeStream(stream: ReadonlyArray<string[] | string>): { bytes: Buffer; commands: string[][] } {
  let text = '';
  const commands: string[][] = [];
  for (const item of stream) {
    if (typeof item === 'string') {
      text += item;
    } else {
      text += encodeCommand(item);
      commands.push(item);
    }
  }
  return { bytes: toBytes(text), commands };
}

const SAFE_TOKEN_CHARS = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.:-{}'.split('');
const safeToken = fc.string({ unit: fc.constantFrom(...SAFE_TOKEN_CHARS), minLength: 1, maxLength: 12 });
const blanks = fc.string({ unit: fc.constantFrom(' ', '\t'), minLength: 1, maxLength: 3 });
const optionalBlanks = fc.string({ unit: fc.constantFrom(' ', '\t'), maxLength: 2 });
const lineEnd = fc.constantFrom('\r\n', '\n');

/** An inline line: its arguments and its text. An empty argument list is a blank line. */
const inlineLine = fc
  .tuple(fc.array(fc.tuple(safeToken, blanks), { maxLength: 6 }), optionalBlanks, lineEnd)
  .map(([words, lead, end]) => ({
    args: words.map(([word]) => word),
    text: lead + words.map(([word, gap]) => word + gap).join('') + end,
  }));

/** Writes any bytes as a double-quoted inline argument, escaping what must be escaped. */
function doubleQuote(arg: string): string {
  let out = '"';
  for (const ch of arg) {
    const code = ch.charCodeAt(0);
    if (ch === '"' || ch === '\\') out += '\\' + ch;
    else if (code >= 0x20 && code < 0x7f) out += ch;
    else out += '\\x' + code.toString(16).padStart(2, '0');
  }
  return out + '"';
}

// ---- properties --------------------------------------------------------------

describe('RespParser properties', () => {
  test('(a) random bytes in random chunks never throw and end in commands, an error, or a wait', () => {
    fc.assert(
      fc.property(anyInput, chunkSizes, (bytes, sizes) => {
        const parsed = parseInChunks(bytes, sizes);
        if (parsed.error !== null) assert.ok(isKnownError(parsed.error), `unexpected error text ${JSON.stringify(parsed.error)}`);
        // Splitting must not change the outcome: compare with the whole input at once.
        assert.deepEqual(parseInChunks(bytes, [bytes.length || 1]), parsed);
      }),
      { numRuns: 1000 },
    );
  });

  test('(a) also under tight limits, where every limit check is reachable', () => {
    const tight: RespParserOptions = { maxArgs: 3, maxBulkBytes: 8, maxInlineBytes: 16, maxQueryBufferBytes: 64 };
    fc.assert(
      fc.property(anyInput, chunkSizes, (bytes, sizes) => {
        const parsed = parseInChunks(bytes, sizes, tight);
        if (parsed.error !== null) assert.ok(isKnownError(parsed.error), `unexpected error text ${JSON.stringify(parsed.error)}`);
      }),
      { numRuns: 500 },
    );
  });

  test('(b) a valid RESP stream split at random points parses back to exactly the same argv list', () => {
    fc.assert(
      fc.property(respStream, chunkSizes, (stream, sizes) => {
        const { bytes, commands } = encodeStream(stream);
        assert.deepEqual(parseInChunks(bytes, sizes), { commands, error: null });
      }),
      { numRuns: 1000 },
    );
  });

  test('(b) big arguments (past the reserve-up-front threshold) survive any split', () => {
    const bigArg = fc
      .tuple(fc.integer({ min: 32 * 1024 - 4, max: 80 * 1024 }), fc.integer({ min: 0, max: 255 }))
      .map(([length, seed]) => patterned(length, seed));
    const command = fc.array(fc.oneof(binaryArg, bigArg), { minLength: 1, maxLength: 3 });
    const bigChunks = fc.array(fc.integer({ min: 1, max: 40_000 }), { minLength: 1, maxLength: 8 });
    fc.assert(
      fc.property(fc.array(command, { minLength: 1, maxLength: 4 }), bigChunks, (stream, sizes) => {
        const { bytes, commands } = encodeStream(stream);
        assert.deepEqual(parseInChunks(bytes, sizes), { commands, error: null });
      }),
      { numRuns: 40 },
    );
  });

  test('(b) long pipelines (buffer compaction and regrowth) parse back exactly', () => {
    // Lengths drawn explicitly: fast-check's default size keeps generated arrays short.
    const mediumArg = fc.tuple(fc.integer({ min: 50, max: 1500 }), fc.integer({ min: 0, max: 255 })).map(([length, seed]) => patterned(length, seed));
    const command = fc.array(fc.oneof(binaryArg, mediumArg), { minLength: 1, maxLength: 4, size: 'max' });
    const mediumChunks = fc.array(fc.integer({ min: 1, max: 9000 }), { minLength: 1, maxLength: 8 });
    fc.assert(
      fc.property(fc.array(command, { minLength: 50, maxLength: 150, size: 'max' }), mediumChunks, (stream, sizes) => {
        const { bytes, commands } = encodeStream(stream);
        assert.deepEqual(parseInChunks(bytes, sizes), { commands, error: null });
      }),
      { numRuns: 60 },
    );
  });

  test('(c) inline commands of safe tokens split at random points parse back exactly', () => {
    fc.assert(
      fc.property(fc.array(inlineLine, { maxLength: 15 }), chunkSizes, (lines, sizes) => {
        const bytes = toBytes(lines.map((line) => line.text).join(''));
        const commands = lines.map((line) => line.args).filter((args) => args.length > 0);
        assert.deepEqual(parseInChunks(bytes, sizes), { commands, error: null });
      }),
      { numRuns: 1000 },
    );
  });

  test('(c) double-quoted inline arguments of arbitrary bytes parse back exactly', () => {
    fc.assert(
      fc.property(fc.array(fc.array(binaryArg, { minLength: 1, maxLength: 5 }), { maxLength: 10 }), chunkSizes, (commands, sizes) => {
        const text = commands.map((argv) => argv.map(doubleQuote).join(' ') + '\r\n').join('');
        assert.deepEqual(parseInChunks(toBytes(text), sizes), { commands, error: null });
      }),
      { numRuns: 500 },
    );
  });

  test('(d) a valid stream followed by garbage yields every valid command first', () => {
    fc.assert(
      fc.property(respStream, anyInput, chunkSizes, (stream, garbage, sizes) => {
        const { bytes, commands } = encodeStream(stream);
        const parsed = parseInChunks(Buffer.concat([bytes, garbage]), sizes);
        assert.deepEqual(parsed.commands.slice(0, commands.length), commands);
        if (parsed.error !== null) assert.ok(isKnownError(parsed.error));
      }),
      { numRuns: 1000 },
    );
  });
});
