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

/** Slots of the command-name cache (a power of two). */
const NAME_CACHE_SLOTS = 512;
/** Longest word the cache holds: command names are short, keys and values are not cached. */
const NAME_CACHE_MAX_BYTES = 24;
const nameCache: string[] = new Array<string>(NAME_CACHE_SLOTS).fill('');

/**
 * Bytes [start, end) of buf as a latin1 string, for a word that repeats from request to request
 * (a command name). A small direct-mapped cache hands back the same string object each time, so
 * a repeated name costs a byte compare instead of a new string, and the engine's lookup by name
 * finds the string's hash already computed.
 */
export function cachedWordAt(buf: Buffer, start: number, end: number): string {
  const length = end - start;
  if (length === 0 || length > NAME_CACHE_MAX_BYTES) return latin1At(buf, start, end);
  const first = buf[start]!;
  const last = buf[end - 1]!;
  const slot = ((first << 4) ^ (buf[start + (length >>> 1)]! << 2) ^ last ^ (length << 6)) & (NAME_CACHE_SLOTS - 1);
  const cached = nameCache[slot]!;
  if (cached.length === length) {
    let i = 0;
    while (i < length && cached.charCodeAt(i) === buf[start + i]) i++;
    if (i === length) return cached;
  }
  const text = latin1At(buf, start, end);
  nameCache[slot] = text;
  return text;
}
