// memcached's per-prefix statistics (`stats detail on|off|dump`): gets, hits, sets and deletes
// counted per key prefix (the bytes before the first ':'), while detail is on. The dump lists
// prefixes in memcached's order, so the output matches it byte for byte: its 256-bucket table
// indexed by MurmurHash3 (x86, 32-bit, seed 0; memcached 1.6's default hash) of the prefix,
// newest first within a bucket.
import { fmix32 } from '../digest.js';

/** memcached's prefix delimiter (its -D option; Cairn uses the default). */
const DELIMITER = 0x3a; // ':'
const BUCKETS = 256;

interface PrefixCounts {
  readonly prefix: string;
  gets: number;
  hits: number;
  sets: number;
  deletes: number;
}

export class PrefixStats {
  /** `stats detail on|off`. */
  enabled = false;
  private readonly byPrefix = new Map<string, PrefixCounts>();
  private buckets: PrefixCounts[][] = [];

  recordGet(key: string, hit: boolean): void {
    const c = this.counts(key);
    if (c === null) return;
    c.gets++;
    if (hit) c.hits++;
  }

  recordSet(key: string): void {
    const c = this.counts(key);
    if (c !== null) c.sets++;
  }

  recordDelete(key: string): void {
    const c = this.counts(key);
    if (c !== null) c.deletes++;
  }

  /** `stats detail dump`: one line per prefix, in memcached's order. */
  dump(): string[] {
    const lines: string[] = [];
    for (const bucket of this.buckets) {
      if (bucket === undefined) continue;
      for (let i = bucket.length - 1; i >= 0; i--) {
        const c = bucket[i]!;
        lines.push(`PREFIX ${c.prefix} get ${c.gets} hit ${c.hits} set ${c.sets} del ${c.deletes}`);
      }
    }
    return lines;
  }

  /** `stats reset` forgets every prefix (detail stays as it was). */
  reset(): void {
    this.byPrefix.clear();
    this.buckets = [];
  }

  /** The key's prefix record, created on first use; null when detail is off or the key has no delimiter. */
  private counts(key: string): PrefixCounts | null {
    if (!this.enabled) return null;
    let end = 0;
    while (end < key.length && key.charCodeAt(end) !== DELIMITER) end++;
    if (end === key.length) return null;
    const prefix = key.slice(0, end);
    let c = this.byPrefix.get(prefix);
    if (c === undefined) {
      c = { prefix, gets: 0, hits: 0, sets: 0, deletes: 0 };
      this.byPrefix.set(prefix, c);
      const b = murmur3(prefix) % BUCKETS;
      (this.buckets[b] ??= []).push(c);
    }
    return c;
  }
}

/** MurmurHash3 x86 32-bit with seed 0 over the latin1 bytes of `s`. */
export function murmur3(s: string): number {
  const c1 = 0xcc9e2d51;
  const c2 = 0x1b873593;
  const n = s.length;
  let h = 0;
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    let k = (s.charCodeAt(i) & 0xff) | ((s.charCodeAt(i + 1) & 0xff) << 8) | ((s.charCodeAt(i + 2) & 0xff) << 16) | ((s.charCodeAt(i + 3) & 0xff) << 24);
    k = Math.imul(k, c1);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, c2);
    h ^= k;
    h = (h << 13) | (h >>> 19);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  }
  const tail = n & 3;
  if (tail > 0) {
    let k = 0;
    if (tail === 3) k ^= (s.charCodeAt(i + 2) & 0xff) << 16;
    if (tail >= 2) k ^= (s.charCodeAt(i + 1) & 0xff) << 8;
    k ^= s.charCodeAt(i) & 0xff;
    k = Math.imul(k, c1);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, c2);
    h ^= k;
  }
  return fmix32(h ^ n);
}
