// Redis's string2ll, on bytes: the rule every RESP length header must pass.

const MINUS = 45;
const DIGIT_0 = 48;
const DIGIT_1 = 49;
const DIGIT_9 = 57;

/** Digits of 2^63 - 1 and 2^63: the largest magnitudes a long long can hold. */
const INT64_MAX_DIGITS = '9223372036854775807';
const INT64_MIN_DIGITS = '9223372036854775808';
const INT64_DIGITS = 19;

/**
 * Parses bytes [start, end) as Redis's string2ll does: an optional '-', then
 * either a lone "0" or a digit 1-9 followed by digits. No '+', no spaces, no
 * leading zeros, no "-0", and the value must fit in a signed 64-bit integer.
 * Returns NaN when the text is not such a number.
 *
 * Values beyond 2^53 come back rounded; that is harmless because callers only
 * compare them with limits far below 2^53.
 */
export function parseRedisInteger(buf: Uint8Array, start: number, end: number): number {
  if (start >= end) return NaN;
  if (end - start === 1 && buf[start] === DIGIT_0) return 0;

  const negative = buf[start] === MINUS;
  const digitsStart = negative ? start + 1 : start;
  if (digitsStart >= end) return NaN;

  const first = buf[digitsStart]!;
  if (first < DIGIT_1 || first > DIGIT_9) return NaN;

  let value = 0;
  for (let i = digitsStart; i < end; i++) {
    const digit = buf[i]! - DIGIT_0;
    if (digit < 0 || digit > 9) return NaN;
    value = value * 10 + digit;
  }

  const digitCount = end - digitsStart;
  if (digitCount > INT64_DIGITS) return NaN;
  if (digitCount === INT64_DIGITS && exceeds(buf, digitsStart, negative ? INT64_MIN_DIGITS : INT64_MAX_DIGITS)) {
    return NaN;
  }
  return negative ? -value : value;
}

/** Whether the 19 digits at buf[start] are greater than limitDigits (same length, so compare lexically). */
function exceeds(buf: Uint8Array, start: number, limitDigits: string): boolean {
  for (let i = 0; i < INT64_DIGITS; i++) {
    const have = buf[start + i]!;
    const limit = limitDigits.charCodeAt(i);
    if (have !== limit) return have > limit;
  }
  return false;
}
