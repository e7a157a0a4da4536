// DUMP / RESTORE payloads: Cairn's own versioned serialization of one value.
//
// Layout (every payload, as a latin1 string, one char per byte):
//
//   [type tag: 1 byte][value body: per type][format version: 2 bytes LE][checksum: 8 bytes LE]
//
// The body of each type is built from two primitives: an unsigned LEB128 varint (lengths and
// counts; the shortest encoding only, so a value has exactly one payload) and a length-prefixed
// byte string. A string value is `varint(len) bytes`. Collections will be `varint(count)`
// followed by their elements, each a length-prefixed string (a zset member adds its score as an
// 8-byte IEEE-754 double, a hash entry is field then value).
//
// Checksum: CRC-64/Jones (reflected, polynomial 0xad93d23594c935a9, init 0, no final xor), the
// one Redis puts at the end of its DUMP payloads, over every byte before it. We chose it over
// CRC-32C because the payload travels through clients and scripts that may mangle it, and 64
// bits make an undetected corruption negligible even across very many restores; matching Redis
// also means anyone who knows its payload layout can recognise ours. The version comes before
// the checksum so a payload from a future format is rejected as a whole, as Redis does; a Redis
// payload carries an RDB version (9..11), which Cairn's version 1 never equals, so feeding one
// to RESTORE fails cleanly with the "version or checksum" error.
//
// Not Redis's RDB encoding: Cairn's values have their own in-memory representation, and the
// snapshot format (src/io) is a separate, separately versioned file format.
import type { ValueType } from './keyspace.js';
import { MalformedPayload, PayloadReader, PayloadWriter } from './payload.js';
import { TYPE_OPS } from './types/registry.js';

/** The version written into every payload; bump it when any body encoding changes. */
export const DUMP_FORMAT_VERSION = 1;

/** Bytes after the body: 2 of version, 8 of checksum. */
const TRAILER_BYTES = 10;

/**
 * The per-type encodings live with each type (src/core/types/*.ts, collected in
 * src/core/types/registry.ts). Tags are fixed forever once released: string 1, list 2, set 3,
 * zset 4, hash 5, stream 6. No tag is 0: a CRC with a zero initial value cannot see leading
 * zero bytes, so a payload that starts with 0 (a zero byte prepended to a valid one) must fail
 * on its tag instead.
 */
const CODECS = TYPE_OPS;

/** Tag byte -> type, derived from CODECS so the two can never disagree. */
const TYPE_BY_TAG = new Map<number, ValueType>(
  (Object.keys(CODECS) as ValueType[]).map((type) => [CODECS[type]!.tag, type]),
);

/** True when values of this type can be dumped (every stored type must be). */
export function canDump(type: ValueType): boolean {
  return CODECS[type] !== undefined;
}

/** Serializes a value into a DUMP payload (latin1 string). */
export function dumpValue(type: ValueType, value: unknown): string {
  const codec = CODECS[type];
  if (codec === undefined) throw new Error(`dump: no codec for type ${type}`);
  const out = new PayloadWriter();
  out.byte(codec.tag);
  codec.encode(value, out);
  out.byte(DUMP_FORMAT_VERSION & 0xff);
  out.byte(DUMP_FORMAT_VERSION >>> 8);
  const body = out.finish();
  return body + checksumBytes(body, body.length);
}

export type RestoreResult =
  | { readonly ok: true; readonly type: ValueType; readonly value: unknown }
  /** 'checksum': wrong version or checksum (or too short to hold them); 'format': a bad body. */
  | { readonly ok: false; readonly reason: 'checksum' | 'format' };

/** Parses a DUMP payload: version and checksum first, then the body, which must be consumed exactly. */
export function restoreValue(payload: string): RestoreResult {
  if (!verifyTrailer(payload)) return CHECKSUM_ERROR;
  const bodyEnd = payload.length - TRAILER_BYTES;
  const input = new PayloadReader(payload, bodyEnd);
  try {
    const type = TYPE_BY_TAG.get(input.byte());
    if (type === undefined) return FORMAT_ERROR;
    const value = CODECS[type]!.decode(input);
    if (!input.atEnd()) return FORMAT_ERROR; // trailing bytes after the value
    return { ok: true, type, value };
  } catch (e) {
    if (e instanceof MalformedPayload) return FORMAT_ERROR;
    throw e;
  }
}

/** An independent copy of a value (COPY), made through its codec so every dumpable type is covered. */
export function cloneValue(type: ValueType, value: unknown): unknown {
  // Strings are immutable JS strings: sharing them is a copy.
  if (type === 'string') return value;
  const own = TYPE_OPS[type]?.clone;
  if (own !== undefined) return own(value);
  const restored = restoreValue(dumpValue(type, value));
  if (!restored.ok) throw new Error(`clone: ${type} did not survive its own codec`);
  return restored.value;
}

const CHECKSUM_ERROR: RestoreResult = { ok: false, reason: 'checksum' };
const FORMAT_ERROR: RestoreResult = { ok: false, reason: 'format' };

function verifyTrailer(payload: string): boolean {
  if (payload.length < TRAILER_BYTES) return false; // too short to hold a version and a checksum
  const versionAt = payload.length - TRAILER_BYTES;
  const version = payload.charCodeAt(versionAt) | (payload.charCodeAt(versionAt + 1) << 8);
  if (version !== DUMP_FORMAT_VERSION) return false;
  const checksumAt = payload.length - 8;
  return payload.slice(checksumAt) === checksumBytes(payload, checksumAt);
}

// CRC-64/Jones, table driven, on two 32-bit halves (BigInt per byte would be far slower).
const CRC_TABLE_HI = new Uint32Array(256);
const CRC_TABLE_LO = new Uint32Array(256);
{
  // The polynomial 0xad93d23594c935a9 bit-reversed, as a reflected CRC uses it.
  const POLY_HI = 0x95ac9329;
  const POLY_LO = 0xac4bc9b5;
  for (let n = 0; n < 256; n++) {
    let hi = 0;
    let lo = n;
    for (let bit = 0; bit < 8; bit++) {
      const carry = lo & 1;
      lo = ((lo >>> 1) | ((hi & 1) << 31)) >>> 0;
      hi = hi >>> 1;
      if (carry) {
        hi = (hi ^ POLY_HI) >>> 0;
        lo = (lo ^ POLY_LO) >>> 0;
      }
    }
    CRC_TABLE_HI[n] = hi;
    CRC_TABLE_LO[n] = lo;
  }
}

/** CRC-64/Jones of the first `end` bytes of a latin1 string, as [high 32 bits, low 32 bits]. */
export function crc64(data: string, end = data.length): [number, number] {
  let hi = 0;
  let lo = 0;
  for (let i = 0; i < end; i++) {
    const idx = (lo ^ data.charCodeAt(i)) & 0xff;
    lo = (((lo >>> 8) | (hi << 24)) ^ CRC_TABLE_LO[idx]!) >>> 0;
    hi = ((hi >>> 8) ^ CRC_TABLE_HI[idx]!) >>> 0;
  }
  return [hi, lo];
}

/** The checksum of the first `end` bytes, as 8 little-endian bytes. */
function checksumBytes(data: string, end: number): string {
  const [hi, lo] = crc64(data, end);
  let s = '';
  for (let i = 0; i < 4; i++) s += String.fromCharCode((lo >>> (8 * i)) & 0xff);
  for (let i = 0; i < 4; i++) s += String.fromCharCode((hi >>> (8 * i)) & 0xff);
  return s;
}

/** Tag of a FUNCTION DUMP payload (the libraries' source code), never a key's type tag. */
const FUNCTIONS_TAG = 0xf5;

/** Serializes function libraries (their source code, in order) into a FUNCTION DUMP payload. */
export function dumpFunctions(codes: readonly string[]): string {
  const out = new PayloadWriter();
  out.byte(FUNCTIONS_TAG);
  out.varint(codes.length);
  for (const code of codes) out.string(code);
  out.byte(DUMP_FORMAT_VERSION & 0xff);
  out.byte(DUMP_FORMAT_VERSION >>> 8);
  const body = out.finish();
  return body + checksumBytes(body, body.length);
}

/** Parses a FUNCTION DUMP payload into the libraries' source code; null when damaged. */
export function restoreFunctions(payload: string): string[] | null {
  if (!verifyTrailer(payload)) return null;
  const input = new PayloadReader(payload, payload.length - TRAILER_BYTES);
  try {
    if (input.byte() !== FUNCTIONS_TAG) return null;
    const n = input.varint();
    const codes: string[] = [];
    for (let i = 0; i < n; i++) codes.push(input.string());
    return input.atEnd() ? codes : null;
  } catch (e) {
    if (e instanceof MalformedPayload) return null;
    throw e;
  }
}
