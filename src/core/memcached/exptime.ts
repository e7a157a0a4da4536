// memcached expiration times to Cairn's absolute milliseconds (docs/design/memcached.md).

/** Relative exptimes go up to 30 days; larger numbers are absolute Unix times (memcached's REALTIME_MAXDELTA). */
export const RELATIVE_EXPTIME_MAX_SECONDS = 60 * 60 * 24 * 30;

/** The TTL an exptime asks for: 0 = none, -1 = already expired, else an absolute time in ms. */
export type Deadline = number;
export const NO_EXPIRY: Deadline = 0;
export const EXPIRED: Deadline = -1;

export function deadlineOf(exptimeSeconds: number, nowMs: number): Deadline {
  if (exptimeSeconds === 0) return NO_EXPIRY;
  if (exptimeSeconds < 0) return EXPIRED;
  if (exptimeSeconds > RELATIVE_EXPTIME_MAX_SECONDS) {
    const at = exptimeSeconds * 1000;
    return at <= nowMs ? EXPIRED : at;
  }
  return nowMs + exptimeSeconds * 1000;
}

/** Seconds left before a key expires, rounded up; -1 when it does not expire. */
export function secondsLeft(expiresAtMs: number, nowMs: number): number {
  if (expiresAtMs === 0) return -1;
  return Math.max(0, Math.ceil((expiresAtMs - nowMs) / 1000));
}
