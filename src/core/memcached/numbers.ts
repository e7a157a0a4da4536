// Numbers as memcached reads them: its safe_strtoull / safe_strtoul / safe_strtol, which wrap
// C's strtoull/strtol. Texts are latin1 strings (one char per byte). The quirks are memcached's
// and clients can see them: a leading '+' is fine, "-0" is 0, a flags value up to 2^64-1 is
// accepted and truncated to 32 bits, an exptime is truncated to 32 signed bits.

export const U64_MAX = (1n << 64n) - 1n;
const I64_MAX = (1n << 63n) - 1n;
const I64_MIN = -(1n << 63n);

function isSpace(c: string | undefined): boolean {
  return c === ' ' || c === '\t' || c === '\n' || c === '\v' || c === '\f' || c === '\r';
}

function isDigit(c: string | undefined): boolean {
  return c !== undefined && c >= '0' && c <= '9';
}

/** C's strtoull/strtol scan: the sign, the digits' value and where the number ends; null when no digits. */
function scan(s: string): { negative: boolean; magnitude: bigint; end: number } | null {
  let p = 0;
  while (isSpace(s[p])) p++;
  let negative = false;
  if (s[p] === '+' || s[p] === '-') {
    negative = s[p] === '-';
    p++;
  }
  const start = p;
  while (isDigit(s[p])) p++;
  if (p === start) return null;
  // Leading zeros cannot overflow; cap the work on absurdly long digit runs.
  const digits = s.slice(start, p).replace(/^0+(?=\d)/, '');
  const magnitude = digits.length > 40 ? U64_MAX + 1n : BigInt(digits);
  return { negative, magnitude, end: p };
}

/** What may follow a number: the end of the text, a NUL (C stops there) or whitespace. */
function endsWell(s: string, end: number): boolean {
  return end === s.length || s[end] === '\0' || isSpace(s[end]);
}

/** safe_strtoull: an unsigned 64-bit number, or null. */
export function parseU64(s: string): bigint | null {
  const r = scan(s);
  if (r === null || r.magnitude > U64_MAX || !endsWell(s, r.end)) return null;
  const value = r.negative ? (U64_MAX + 1n - r.magnitude) & U64_MAX : r.magnitude;
  // A value that reads as negative when signed is refused if a minus sign was written.
  if (value > I64_MAX && r.negative) return null;
  return value;
}

/** safe_strtoul into a uint32_t: client flags. */
export function parseFlags(s: string): number | null {
  const v = parseU64(s);
  return v === null ? null : Number(v & 0xffffffffn);
}

/** safe_strtol into an int32_t: exptime and delays (a long truncated to 32 bits, as memcached does). */
export function parseI32(s: string): number | null {
  const r = scan(s);
  if (r === null || !endsWell(s, r.end)) return null;
  const value = r.negative ? -r.magnitude : r.magnitude;
  if (value > I64_MAX || value < I64_MIN) return null;
  return Number(BigInt.asIntN(32, value));
}

/** A number stored in an item, for incr/decr: the data as memcached sees it (followed by CRLF). */
export function parseItemNumber(data: string): bigint | null {
  if (data.length === 0) return null;
  return parseU64(data + '\r\n');
}

/** A length or count token: plain decimal digits that fit in 32 signed bits (memcached's safe_strtol). */
export function parseLength(s: string): number | null {
  const v = parseI32(s);
  return v === null || v < 0 ? null : v;
}
