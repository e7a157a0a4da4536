// Exact emulation of Redis's long-double arithmetic on x86-64 (INCRBYFLOAT, HINCRBYFLOAT).
//
// Redis parses both operands with string2ld (util.c: glibc strtold into an 80-bit x87
// long double), adds them in long-double precision, rejects a NaN/infinite result, and
// prints with ld2string(LD_STR_HUMAN): snprintf("%.17Lf"), trailing zeros (and a bare '.')
// trimmed, and "-0" turned into "0".
//
// The x87 extended format: 64-bit significand with an explicit integer bit, 15-bit
// exponent (bias 16383). Normal numbers are m * 2^e with 2^63 <= m < 2^64 and
// -16445 <= e <= 16320; subnormals are m * 2^-16445 with 0 < m < 2^63. Rounding is to
// nearest, ties to even, everywhere (strtold, FADD, printf).
//
// Everything is exact rational arithmetic on BigInt. Deterministic core: no I/O, no clock.

/** A finite nonzero value is sign * mant * 2^exp, mant > 0 and odd (canonical form). */
export type LongDouble =
  | { readonly kind: 'zero'; readonly neg: boolean }
  | { readonly kind: 'inf'; readonly neg: boolean }
  | { readonly kind: 'nan' }
  | { readonly kind: 'finite'; readonly neg: boolean; readonly mant: bigint; readonly exp: number };

/** Significand bits of the x87 extended format (integer bit included). */
const MANT_BITS = 64;
/** Exponent of the least significant significand bit of subnormals and of the smallest normals. */
const MIN_LSB_EXP = -16445;
/** Exponent of the least significant significand bit of the largest normals. */
const MAX_LSB_EXP = 16320;
/** Redis's MAX_LONG_DOUBLE_CHARS: string2ld copies into a buffer of this size, NUL included. */
export const MAX_LONG_DOUBLE_CHARS = 5 * 1024;

const ZERO: LongDouble = Object.freeze({ kind: 'zero', neg: false });
const NEG_ZERO: LongDouble = Object.freeze({ kind: 'zero', neg: true });
const INF: LongDouble = Object.freeze({ kind: 'inf', neg: false });
const NEG_INF: LongDouble = Object.freeze({ kind: 'inf', neg: true });
const NAN: LongDouble = Object.freeze({ kind: 'nan' });

const TEN_17 = 10n ** 17n;

// Digits of exponents beyond this are saturated: the operands hold at most 5119 digits,
// so any larger exponent already overflows or underflows.
const EXP_SATURATION = 10_000_000;

function zero(neg: boolean): LongDouble {
  return neg ? NEG_ZERO : ZERO;
}

function inf(neg: boolean): LongDouble {
  return neg ? NEG_INF : INF;
}

/** Number of bits of n > 0. */
function bitLength(n: bigint): number {
  const hex = n.toString(16);
  const lead = parseInt(hex[0] as string, 16);
  return (hex.length - 1) * 4 + (32 - Math.clz32(lead));
}

/** Number of trailing zero bits of n > 0. */
function trailingZeros(n: bigint): number {
  return bitLength(n & -n) - 1;
}

function finite(neg: boolean, mant: bigint, exp: number): LongDouble {
  const tz = trailingZeros(mant);
  if (tz > 0) {
    mant >>= BigInt(tz);
    exp += tz;
  }
  return { kind: 'finite', neg, mant, exp };
}

/**
 * Rounds (q + f) * 2^e to the long-double grid, ties to even, where q >= 0 is an integer
 * and f is a fraction in [0, 1) that is nonzero exactly when `sticky`. Callers keep at
 * least two bits of q below the rounding position whenever sticky is set (a quotient of
 * 66+ bits), so `sticky` only breaks ties. May return zero (underflow) or inf (overflow).
 */
function roundToLongDouble(neg: boolean, q: bigint, e: number, sticky: boolean): LongDouble {
  if (q === 0n) return zero(neg); // only reached with sticky false from callers, or true underflow
  let n = bitLength(q);
  if (n < MANT_BITS && !sticky) {
    // Exact: widen so the generic path below sees a full significand.
    const widen = MANT_BITS - n;
    q <<= BigInt(widen);
    e -= widen;
    n = MANT_BITS;
  }
  let drop = n - MANT_BITS;
  if (e + drop < MIN_LSB_EXP) drop = MIN_LSB_EXP - e; // subnormal range: fixed lsb exponent
  let kept: bigint;
  if (drop <= 0) {
    // Nothing to round away (drop < 0 only when sticky is false and q fits already).
    kept = drop === 0 ? q : q << BigInt(-drop);
  } else {
    const d = BigInt(drop);
    kept = q >> d;
    const rem = q - (kept << d);
    const half = 1n << (d - 1n);
    if (rem > half || (rem === half && (sticky || (kept & 1n) === 1n))) kept += 1n;
  }
  let lsbExp = e + drop;
  if (kept === 0n) return zero(neg);
  if (kept >> BigInt(MANT_BITS) !== 0n) {
    // Carry out of the top bit: 2^64 -> 2^63 with a larger exponent (exact).
    kept >>= 1n;
    lsbExp += 1;
  }
  if (lsbExp > MAX_LSB_EXP) return inf(neg);
  return finite(neg, kept, lsbExp);
}

/** Rounds (num / den) * 2^e, num > 0, den > 0. */
function roundQuotient(neg: boolean, num: bigint, den: bigint, e: number): LongDouble {
  if (den === 1n) return roundToLongDouble(neg, num, e, false);
  // Scale so that the quotient has 66 or 67 bits: two bits below the significand at least.
  const s = MANT_BITS + 2 - (bitLength(num) - bitLength(den));
  let q: bigint;
  let r: bigint;
  if (s >= 0) {
    const scaled = num << BigInt(s);
    q = scaled / den;
    r = scaled - q * den;
  } else {
    const scaledDen = den << BigInt(-s);
    q = num / scaledDen;
    r = num - q * scaledDen;
  }
  return roundToLongDouble(neg, q, e - s, r !== 0n);
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

function hexValue(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  if (c >= 65 && c <= 70) return c - 55;
  return -1;
}

/**
 * Parses an optional exponent: marker already consumed at s[i-1]. Returns the saturated
 * signed value and the index after it, or null when no digits follow (strtold then leaves
 * the marker unconsumed, which for Redis means trailing garbage).
 */
function parseExponent(s: string, i: number): { value: number; end: number } | null {
  let neg = false;
  const c = s.charCodeAt(i);
  if (c === 43 || c === 45) {
    neg = c === 45;
    i++;
  }
  if (!isDigit(s.charCodeAt(i))) return null;
  let v = 0;
  while (i < s.length && isDigit(s.charCodeAt(i))) {
    if (v < EXP_SATURATION) v = v * 10 + (s.charCodeAt(i) - 48);
    i++;
  }
  if (v > EXP_SATURATION) v = EXP_SATURATION;
  return { value: neg ? -v : v, end: i };
}

function parseDecimalBody(s: string, i: number, neg: boolean): LongDouble | null {
  const len = s.length;
  const intStart = i;
  while (i < len && isDigit(s.charCodeAt(i))) i++;
  const intDigits = s.slice(intStart, i);
  let fracDigits = '';
  if (i < len && s.charCodeAt(i) === 46) {
    const fracStart = ++i;
    while (i < len && isDigit(s.charCodeAt(i))) i++;
    fracDigits = s.slice(fracStart, i);
  }
  if (intDigits.length === 0 && fracDigits.length === 0) return null; // no conversion
  let exp10 = 0;
  if (i < len && (s.charCodeAt(i) | 0x20) === 101) {
    const ex = parseExponent(s, i + 1);
    if (ex === null) return null; // "1e", "1e+": the 'e' is left as garbage
    exp10 = ex.value;
    i = ex.end;
  }
  if (i !== len) return null; // trailing garbage
  let digits = intDigits + fracDigits;
  exp10 -= fracDigits.length;
  // Strip leading zeros (they do not change the value) and trailing zeros (into exp10).
  let a = 0;
  while (a < digits.length && digits.charCodeAt(a) === 48) a++;
  if (a === digits.length) return zero(neg);
  let b = digits.length;
  while (digits.charCodeAt(b - 1) === 48) b--;
  exp10 += digits.length - b;
  digits = digits.slice(a, b);
  const k = digits.length;
  // value in [10^(k-1+exp10), 10^(k+exp10)). Max finite ~1.19e4932, min subnormal ~3.6e-4951.
  if (k - 1 + exp10 >= 4933) return null; // overflow: ERANGE with HUGE_VALL
  if (k + exp10 <= -4952) return null; // underflow to zero: ERANGE with 0
  const d = BigInt(digits);
  const r = exp10 >= 0
    ? roundToLongDouble(neg, d * 10n ** BigInt(exp10), 0, false)
    : roundQuotient(neg, d, 10n ** BigInt(-exp10), 0);
  // strtold sets ERANGE on overflow and on a tiny inexact result; Redis rejects the
  // overflow (±HUGE_VAL) and the result rounded to zero, but keeps nonzero subnormals.
  if (r.kind === 'inf' || r.kind === 'zero') return null;
  return r;
}

function parseHexBody(s: string, i: number, neg: boolean): LongDouble | null {
  // s[i..i+1] is "0x"/"0X". Without a hex digit after it, strtold reads just "0" and
  // leaves "x..." as garbage, which Redis rejects.
  const len = s.length;
  let j = i + 2;
  const intStart = j;
  while (j < len && hexValue(s.charCodeAt(j)) >= 0) j++;
  const intDigits = s.slice(intStart, j);
  let fracDigits = '';
  if (j < len && s.charCodeAt(j) === 46) {
    const fracStart = ++j;
    while (j < len && hexValue(s.charCodeAt(j)) >= 0) j++;
    fracDigits = s.slice(fracStart, j);
  }
  if (intDigits.length === 0 && fracDigits.length === 0) return null;
  let exp2 = 0;
  if (j < len && (s.charCodeAt(j) | 0x20) === 112) {
    const ex = parseExponent(s, j + 1);
    if (ex === null) return null;
    exp2 = ex.value;
    j = ex.end;
  }
  if (j !== len) return null;
  const m = BigInt('0x' + (intDigits + fracDigits));
  if (m === 0n) return zero(neg);
  exp2 -= 4 * fracDigits.length;
  const n = bitLength(m);
  // value in [2^(n-1+exp2), 2^(n+exp2)). Max finite < 2^16384; half the min subnormal is 2^-16446.
  if (n - 1 + exp2 >= 16384) return null;
  if (n + exp2 <= -16446) return null;
  const r = roundToLongDouble(neg, m, exp2, false);
  if (r.kind === 'inf' || r.kind === 'zero') return null;
  return r;
}

/**
 * Redis's string2ld: glibc strtold on the whole string, rejecting an empty string, a
 * string of MAX_LONG_DOUBLE_CHARS bytes or more, a leading space, trailing garbage
 * (including an embedded NUL), NaN, overflow, and an underflow to zero. Accepts decimal
 * and hex floats with optional sign and exponent, and "inf"/"infinity" in any case.
 * `s` is a byte string (one char per byte, as Cairn stores values). Returns null when
 * Redis would reply "ERR value is not a valid float".
 */
export function parseLongDouble(s: string): LongDouble | null {
  const len = s.length;
  if (len === 0 || len >= MAX_LONG_DOUBLE_CHARS) return null;
  let i = 0;
  let neg = false;
  const c0 = s.charCodeAt(0);
  if (c0 === 43 || c0 === 45) {
    neg = c0 === 45;
    i = 1;
  }
  const c = s.charCodeAt(i);
  if (c === 105 || c === 73) { // 'i'
    const rest = s.slice(i).toLowerCase();
    return rest === 'inf' || rest === 'infinity' ? inf(neg) : null;
  }
  if (c === 48 && (s.charCodeAt(i + 1) | 0x20) === 120 && hexStarts(s, i + 2)) {
    return parseHexBody(s, i, neg);
  }
  // Anything else (NaN, spaces, letters) fails the decimal grammar.
  return parseDecimalBody(s, i, neg);
}

/** True when a hex significand (a hex digit, or '.' then a hex digit) starts at s[i]. */
function hexStarts(s: string, i: number): boolean {
  if (hexValue(s.charCodeAt(i)) >= 0) return true;
  return s.charCodeAt(i) === 46 && hexValue(s.charCodeAt(i + 1)) >= 0;
}

/** x87 FADD in round-to-nearest-even, 64-bit precision control. */
export function addLongDouble(a: LongDouble, b: LongDouble): LongDouble {
  if (a.kind === 'nan' || b.kind === 'nan') return NAN;
  if (a.kind === 'inf') {
    if (b.kind === 'inf' && b.neg !== a.neg) return NAN;
    return a;
  }
  if (b.kind === 'inf') return b;
  if (a.kind === 'zero') {
    if (b.kind === 'zero') return zero(a.neg && b.neg);
    return b;
  }
  if (b.kind === 'zero') return a;
  // Both finite and nonzero: exact sum on the finer grid, then one rounding.
  const e = Math.min(a.exp, b.exp);
  const ma = a.mant << BigInt(a.exp - e);
  const mb = b.mant << BigInt(b.exp - e);
  const sa = a.neg ? -ma : ma;
  const sb = b.neg ? -mb : mb;
  const sum = sa + sb;
  if (sum === 0n) return ZERO; // x + (-x) is +0 in round-to-nearest
  const neg = sum < 0n;
  return roundToLongDouble(neg, neg ? -sum : sum, e, false);
}

export function isFiniteLongDouble(x: LongDouble): boolean {
  return x.kind === 'zero' || x.kind === 'finite';
}

/**
 * Redis's ld2string(LD_STR_HUMAN): "inf"/"-inf" for infinities, otherwise "%.17Lf" (the
 * exact value rounded half-to-even to 17 fractional digits, as glibc printf does) with
 * trailing zeros and a bare '.' removed, and "-0" printed as "0". NaN (never stored by
 * Redis) prints as glibc would: "nan" (the sign of a NaN is not tracked here).
 */
export function formatLongDoubleHuman(x: LongDouble): string {
  switch (x.kind) {
    case 'inf':
      return x.neg ? '-inf' : 'inf';
    case 'nan':
      return 'nan';
    case 'zero':
      return '0';
    case 'finite':
      break;
  }
  let intPart: bigint;
  let frac: bigint;
  if (x.exp >= 0) {
    intPart = x.mant << BigInt(x.exp);
    frac = 0n;
  } else {
    const k = BigInt(-x.exp);
    const scaled = x.mant * TEN_17;
    let q = scaled >> k;
    const rem = scaled - (q << k);
    const half = 1n << (k - 1n);
    if (rem > half || (rem === half && (q & 1n) === 1n)) q += 1n;
    intPart = q / TEN_17;
    frac = q - intPart * TEN_17;
  }
  let out = (x.neg ? '-' : '') + intPart.toString();
  if (frac !== 0n) out += '.' + frac.toString().padStart(17, '0').replace(/0+$/, '');
  return out === '-0' ? '0' : out;
}

export type IncrByFloatResult = { ok: string } | { error: 'not-float' | 'nan-or-inf' };

/**
 * INCRBYFLOAT's arithmetic (t_string.c incrbyfloatCommand): `current` is the stored string
 * (null when the key is missing, which counts as 0). 'not-float' maps to "ERR value is not
 * a valid float", 'nan-or-inf' to "ERR increment would produce NaN or Infinity"; an
 * operand that is itself "inf" parses fine and fails on the result check.
 */
export function incrByFloat(current: string | null, increment: string): IncrByFloatResult {
  const value = current === null ? ZERO : parseLongDouble(current);
  if (value === null) return { error: 'not-float' };
  const incr = parseLongDouble(increment);
  if (incr === null) return { error: 'not-float' };
  const sum = addLongDouble(value, incr);
  if (!isFiniteLongDouble(sum)) return { error: 'nan-or-inf' };
  return { ok: formatLongDoubleHuman(sum) };
}
