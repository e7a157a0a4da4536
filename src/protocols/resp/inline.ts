// Splitting a telnet-style ("inline") command line into arguments with the
// quoting rules of Redis's sdssplitargs, so `SET "a b" 'c'` means what it
// means to Redis.
//
// One deliberate difference: Redis works on C strings, so a NUL byte ends its
// view of the line (and in practice stalls the connection). Here NUL is an
// ordinary byte, which keeps inline commands binary safe.

import { latin1At } from './bytes.js';

const SPACE = 32;
const TAB = 9;
const LF = 10;
const VT = 11;
const FF = 12;
const CR = 13;
const DOUBLE_QUOTE = 34;
const SINGLE_QUOTE = 39;
const BACKSLASH = 92;
const LOWER_X = 120;
/** Stands for "past the end of the line" (Redis's terminating NUL). */
const END = -1;

/** C's isspace() in the C locale: blanks skipped between arguments and required after a closing quote. */
function isSpace(byte: number): boolean {
  return byte === SPACE || byte === TAB || byte === LF || byte === VT || byte === FF || byte === CR;
}

/** The bytes that end an unquoted argument. Redis stops at these, not at all of isspace():
 *  a vertical tab or form feed inside an unquoted argument is part of it. */
function endsBareWord(byte: number): boolean {
  return byte === SPACE || byte === LF || byte === CR || byte === TAB || byte === END;
}

function hexValue(byte: number): number {
  if (byte >= 48 && byte <= 57) return byte - 48;
  if (byte >= 97 && byte <= 102) return byte - 87;
  if (byte >= 65 && byte <= 70) return byte - 55;
  return -1;
}

/** The one-letter escapes sdssplitargs knows inside double quotes; others stand for themselves. */
function unescape(byte: number): number {
  switch (byte) {
    case 110: return LF;  // \n
    case 114: return CR;  // \r
    case 116: return TAB; // \t
    case 98: return 8;    // \b
    case 97: return 7;    // \a
    default: return byte;
  }
}

/**
 * Splits line bytes [from, to) (the line terminator already excluded) into
 * arguments. Returns null on unbalanced quotes, or on a closing quote followed
 * by something other than a blank: Redis rejects both the same way.
 */
export function splitInlineArgs(buf: Buffer, from: number, to: number): string[] | null {
  const args: string[] = [];
  let quoted: QuotedWordReader | null = null;
  let p = from;
  for (;;) {
    while (p < to && isSpace(buf[p]!)) p++;
    if (p >= to) return args;

    const bareEnd = scanBareWord(buf, p, to);
    if (bareEnd >= 0) {
      // The common case: no quotes, so the argument is a plain slice of the line.
      args.push(latin1At(buf, p, bareEnd));
      p = bareEnd;
      continue;
    }
    quoted ??= new QuotedWordReader(buf, p, to);
    const word = quoted.read(p);
    if (word === null) return null;
    args.push(word);
    p = quoted.position;
  }
}

/** End of an unquoted argument starting at p, or -1 if the argument contains a quote. */
function scanBareWord(buf: Buffer, p: number, to: number): number {
  for (; p < to; p++) {
    const byte = buf[p]!;
    if (endsBareWord(byte)) return p;
    if (byte === DOUBLE_QUOTE || byte === SINGLE_QUOTE) return -1;
  }
  return to;
}

/** Reads arguments that contain quotes, byte by byte, as sdssplitargs does.
 *  One reader (and one scratch buffer) serves a whole line. */
class QuotedWordReader {
  position = 0;
  private readonly out: Buffer;
  private length = 0;

  constructor(private readonly buf: Buffer, lineStart: number, private readonly to: number) {
    // No argument is longer than the line it comes from.
    this.out = Buffer.allocUnsafe(to - lineStart);
  }

  /** The argument starting at `start`, or null on a quoting error. Leaves position after it. */
  read(start: number): string | null {
    this.position = start;
    this.length = 0;
    let mode: 'bare' | 'double' | 'single' = 'bare';
    for (;;) {
      const byte = this.at(this.position);
      let done = false;
      if (mode === 'double') {
        const result = this.stepInDoubleQuotes(byte);
        if (result === STEP_ERROR) return null;
        done = result === STEP_DONE;
      } else if (mode === 'single') {
        const result = this.stepInSingleQuotes(byte);
        if (result === STEP_ERROR) return null;
        done = result === STEP_DONE;
      } else if (endsBareWord(byte)) {
        done = true;
      } else if (byte === DOUBLE_QUOTE) {
        mode = 'double';
      } else if (byte === SINGLE_QUOTE) {
        mode = 'single';
      } else {
        this.emit(byte);
      }
      if (byte !== END) this.position++;
      if (done) return latin1At(this.out, 0, this.length);
    }
  }

  private stepInDoubleQuotes(byte: number): Step {
    const p = this.position;
    if (byte === BACKSLASH && this.at(p + 1) === LOWER_X) {
      const high = hexValue(this.at(p + 2));
      const low = hexValue(this.at(p + 3));
      if (high >= 0 && low >= 0) {
        this.emit(high * 16 + low);
        this.position += 3;
        return STEP_MORE;
      }
    }
    if (byte === BACKSLASH && this.at(p + 1) !== END) {
      this.position++;
      this.emit(unescape(this.at(this.position)));
      return STEP_MORE;
    }
    if (byte === DOUBLE_QUOTE) return this.closeQuote();
    if (byte === END) return STEP_ERROR; // unterminated quotes
    this.emit(byte);
    return STEP_MORE;
  }

  private stepInSingleQuotes(byte: number): Step {
    if (byte === BACKSLASH && this.at(this.position + 1) === SINGLE_QUOTE) {
      this.position++;
      this.emit(SINGLE_QUOTE);
      return STEP_MORE;
    }
    if (byte === SINGLE_QUOTE) return this.closeQuote();
    if (byte === END) return STEP_ERROR; // unterminated quotes
    this.emit(byte);
    return STEP_MORE;
  }

  /** A closing quote must be followed by a blank or the end of the line. */
  private closeQuote(): Step {
    const next = this.at(this.position + 1);
    return next === END || isSpace(next) ? STEP_DONE : STEP_ERROR;
  }

  private at(index: number): number {
    return index < this.to ? this.buf[index]! : END;
  }

  private emit(byte: number): void {
    this.out[this.length++] = byte;
  }
}

type Step = 0 | 1 | 2;
const STEP_MORE: Step = 0;
const STEP_DONE: Step = 1;
const STEP_ERROR: Step = 2;
