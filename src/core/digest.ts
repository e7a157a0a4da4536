// A digest of the whole data set: equal digests mean equal data (keys, types, values, TTLs).
// Replicas and replayed logs prove they are identical by comparing it (DEBUG DIGEST).
import { crc64, dumpValue } from './dump.js';
import type { Entry, Keyspace } from './keyspace.js';

/** 16 hex chars; all zeros for an empty key space. Independent of insertion order. */
export function keyspaceDigest(ks: Keyspace): string {
  let hi = 0;
  let lo = 0;
  for (const db of ks.dbs) {
    for (const e of db.entries.values()) {
      if (e.expiresAt !== 0 && e.expiresAt <= ks.now) continue; // logically gone
      const [h, l] = entryDigest(db.id, e);
      // XOR keeps the result independent of iteration order, as Redis's DEBUG DIGEST does.
      hi = (hi ^ h) >>> 0;
      lo = (lo ^ l) >>> 0;
    }
  }
  return hi.toString(16).padStart(8, '0') + lo.toString(16).padStart(8, '0');
}

/** The digest of one key (DEBUG DIGEST-VALUE). */
export function entryDigest(db: number, e: Entry): [number, number] {
  // The payload without its own CRC trailer: a CRC over data followed by that data's CRC is a
  // constant, which would make every value of the same length digest alike.
  const body = dumpValue(e.type, e.value).slice(0, -8);
  const text = `${db}\0${e.key.length}\0${e.key}\0${e.type}\0${e.expiresAt}\0${body}`;
  // A CRC is linear over XOR, so XOR-combining raw CRCs would let swapped values cancel out
  // ({x:1, y:2} vs {x:2, y:1}); a non-linear finaliser per key breaks that.
  const [hi, lo] = crc64(text);
  const a = fmix32((hi ^ Math.imul(lo, 0x9e3779b1)) >>> 0);
  const b = fmix32((lo ^ Math.imul(a, 0x85ebca6b)) >>> 0);
  return [a, b];
}

/** MurmurHash3's 32-bit finaliser: every input bit affects every output bit. */
export function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
