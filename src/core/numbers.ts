// Number parsing and formatting with Redis's exact rules (util.c string2ll, string2l,
// ld2string). Integers that fit in 53 bits stay JS numbers; int64 edges use BigInt.

export const INT64_MAX = 9223372036854775807n;
export const INT64_MIN = -9223372036854775808n;

/**
 * Parses a signed 64-bit integer the way Redis's string2ll does: optional '-', digits,
 * no '+', no leading zeros, no spaces, at most 20 chars. Returns null when invalid.
 */
export function parseI64(s: string): bigint | null {
  const len = s.length;
  if (len === 0 || len > 20) return null;
  if (len === 1 && s.charCodeAt(0) === 48) return 0n;
  let i = 0;
  if (s.charCodeAt(0) === 45) {
    i = 1;
    if (len === 1) return null;
  }
  const first = s.charCodeAt(i);
  if (first < 49 || first > 57) return null; // 1-9: no leading zero
  for (let j = i + 1; j < len; j++) {
    const c = s.charCodeAt(j);
    if (c < 48 || c > 57) return null;
  }
  const v = BigInt(s);
  if (v > INT64_MAX || v < INT64_MIN) return null;
  return v;
}

/**
 * Fast path of parseI64 for the hot commands: a JS number when the text is a valid int64
 * and within 2^53; `undefined` when the caller must fall back to parseI64 (big values);
 * null when the text is not an integer at all.
 */
export function parseSmallInt(s: string): number | null | undefined {
  const len = s.length;
  if (len === 0 || len > 20) return null;
  if (len > 15) return parseI64(s) === null ? null : undefined;
  let i = 0;
  let neg = false;
  if (s.charCodeAt(0) === 45) {
    if (len === 1) return null;
    neg = true;
    i = 1;
  }
  let c = s.charCodeAt(i);
  if (c === 48) return len === 1 ? 0 : null;
  if (c < 49 || c > 57) return null;
  let n = c - 48;
  for (let j = i + 1; j < len; j++) {
    c = s.charCodeAt(j);
    if (c < 48 || c > 57) return null;
    n = n * 10 + (c - 48);
  }
  return neg ? -n : n;
}

/**
 * An int64 argument as a JS number (Redis getLongLongFromObject). Values beyond 2^53 are
 * rounded; callers that must be exact at the int64 edges use parseI64.
 */
export function parseInteger(s: string): number | null {
  const fast = parseSmallInt(s);
  if (fast !== undefined) return fast;
  const big = parseI64(s);
  return big === null ? null : Number(big);
}

/** Redis's string2l: a 32-bit signed long on the parsing side (LONG_MIN..LONG_MAX is 64-bit on Linux). */
export const parseLong = parseInteger;

/** True when `s` is exactly how Redis would print the integer it holds (OBJECT ENCODING int). */
export function isCanonicalInt64(s: string): boolean {
  if (s.length > 20) return false;
  return parseSmallInt(s) !== null;
}

/**
 * Parses a double as Redis's getDoubleFromObject (strtod): no leading space, no trailing
 * garbage, not NaN. Accepts inf/-inf/infinity. Returns null when invalid.
 */
export function parseDouble(s: string): number | null {
  if (s.length === 0 || s.length > 5 * 1024) return null;
  const c0 = s.charCodeAt(0);
  if (c0 === 32 || (c0 >= 9 && c0 <= 13)) return null;
  const lower = s.toLowerCase();
  let sign = 1;
  let body = lower;
  if (body[0] === '+' || body[0] === '-') {
    sign = body[0] === '-' ? -1 : 1;
    body = body.slice(1);
  }
  if (body === 'inf' || body === 'infinity') return sign * Infinity;
  if (!/^(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/.test(body)) {
    if (/^0x[0-9a-f]*\.?[0-9a-f]*(p[+-]?\d+)?$/.test(body)) return hexFloat(body, sign);
    return null;
  }
  const v = sign * Number(body);
  if (Number.isNaN(v)) return null;
  // strtod reports overflow and underflow (ERANGE), which Redis refuses: 1e400, 1e-400.
  if (!Number.isFinite(v)) return null;
  if (v === 0 && /[1-9]/.test(body.split('e')[0]!)) return null;
  return v;
}

function hexFloat(body: string, sign: number): number | null {
  const m = /^0x([0-9a-f]*)\.?([0-9a-f]*)(?:p([+-]?\d+))?$/.exec(body);
  if (m === null || (m[1] === '' && m[2] === '')) return null;
  const digits = (m[1] ?? '') + (m[2] ?? '');
  const exp = Number(m[3] ?? '0') - 4 * (m[2] ?? '').length;
  return sign * Number(BigInt('0x' + digits)) * 2 ** exp;
}

/** Formats a double as Redis 7.0 does in replies (`%.17g`), with inf/-inf/nan. */
export function formatDouble17g(d: number): string {
  if (d === Infinity) return 'inf';
  if (d === -Infinity) return '-inf';
  if (Number.isNaN(d)) return 'nan';
  if (d === 0) return Object.is(d, -0) ? '-0' : '0';
  const [digits, exp] = seventeenDigits(Math.abs(d));
  const sign = d < 0 ? '-' : '';
  // %g: exponent form when the exponent is below -4 or at least the precision (17).
  if (exp < -4 || exp >= 17) {
    const mantissa = trimZeros(digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits);
    return `${sign}${mantissa}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
  }
  if (exp < 0) return sign + trimZeros(`0.${'0'.repeat(-exp - 1)}${digits}`);
  const int = digits.slice(0, exp + 1);
  const frac = digits.slice(exp + 1);
  return sign + (frac === '' ? int : trimZeros(`${int}.${frac}`));
}

/**
 * The 17 significant digits of a positive double and its decimal exponent, rounded half to even
 * on the exact binary value as glibc's printf does (toPrecision rounds exact ties up).
 */
function seventeenDigits(x: number): [string, number] {
  const [m, e] = x.toExponential(16).split('e') as [string, string];
  let digits = m.replace('.', '');
  let exp = Number(e);
  // An exact tie needs the value's full decimal expansion to end in 5 at the 18th digit;
  // toPrecision(40) shows it exactly when it is that short.
  const [m40, e40] = x.toExponential(39).split('e') as [string, string];
  const long = m40.replace('.', '');
  if (Number(e40) === exp || Number(e40) === exp - 1) {
    const base = Number(e40) === exp ? long : null;
    if (base !== null && base[17] === '5' && /^0*$/.test(base.slice(18)) && Number(base[16]) % 2 === 0) {
      digits = base.slice(0, 17); // round the tie down to the even digit
      exp = Number(e40);
    }
  }
  return [digits, exp];
}

function trimZeros(s: string): string {
  if (!s.includes('.')) return s;
  return s.replace(/\.?0+$/, '');
}

/** Formats an int64 that may be a bigint. */
export function formatInt(n: number | bigint): string {
  return typeof n === 'bigint' ? n.toString() : String(n);
}
