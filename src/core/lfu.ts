// Redis's LFU access counter (evict.c): an 8-bit logarithmic counter that starts at 5 for a new
// key, grows with probability 1 / ((counter - 5) * lfu-log-factor + 1) on each access, and loses
// one point per lfu-decay-time minutes without access. The decay clock is the key's last access
// time (Entry.accessedAt), which Redis keeps in the same 24 bits as the counter.
import type { Rng } from './rng.js';

/** A new key's counter, so it is not evicted before it had a chance to be accessed (LFU_INIT_VAL). */
export const LFU_INIT_VAL = 5;
const LFU_MAX = 255;
const MINUTE_MS = 60_000;

/** The counter after decaying for the whole minutes elapsed since the last access (LFUDecrAndReturn). */
export function lfuDecayed(counter: number, lastAccessMs: number, nowMs: number, decayMinutes: number): number {
  if (decayMinutes <= 0) return counter;
  const elapsedMinutes = Math.floor(nowMs / MINUTE_MS) - Math.floor(lastAccessMs / MINUTE_MS);
  if (elapsedMinutes <= 0) return counter;
  const periods = Math.floor(elapsedMinutes / decayMinutes);
  return periods >= counter ? 0 : counter - periods;
}

/** One logarithmic increment (LFULogIncr); the random draw comes from the core's seeded generator. */
export function lfuIncrement(counter: number, logFactor: number, rng: Rng): number {
  if (counter >= LFU_MAX) return LFU_MAX;
  const base = Math.max(0, counter - LFU_INIT_VAL);
  const p = 1 / (base * logFactor + 1);
  return rng.nextFloat() < p ? counter + 1 : counter;
}
