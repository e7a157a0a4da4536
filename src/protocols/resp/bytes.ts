// Byte-level helpers shared by the RESP parser and encoder.
// Strings in Cairn are latin1: one JS char per byte, so any byte sequence
// round-trips through a string without loss.

/** Node ships these on Buffer.prototype (they skip the argument checks of
 *  toString/write) but @types/node does not declare them. */
interface FastLatin1Buffer {
  latin1Slice(start: number, end: number): string;
  latin1Write(text: string, offset: number, length: number): number;
}

/** Below this length a JS loop beats the C++ call (measured on Node 20). */
const SHORT_READ_BYTES = 6;
const SHORT_WRITE_CHARS = 16;

/** Bytes [start, end) of buf as a latin1 string. */
export function latin1At(buf: Buffer, start: number, end: number): string {
  const length = end - start;
  if (length <= SHORT_READ_BYTES) {
    if (length === 1) return String.fromCharCode(buf[start]!);
    let text = '';
    for (let i = start; i < end; i++) text += String.fromCharCode(buf[i]!);
    return text;
  }
  return (buf as unknown as FastLatin1Buffer).latin1Slice(start, end);
}

/** Writes text (latin1) into buf at offset; the caller has made room. Returns bytes written. */
export function writeLatin1(buf: Buffer, offset: number, text: string): number {
  const length = text.length;
  if (length <= SHORT_WRITE_CHARS) {
    for (let i = 0; i < length; i++) buf[offset + i] = text.charCodeAt(i);
    return length;
  }
  return (buf as unknown as FastLatin1Buffer).latin1Write(text, offset, length);
}

export const CR = 13;
export const LF = 10;
