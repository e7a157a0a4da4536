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
  const text = `${db}\0${e.key.length}\0${e.key}\0${e.type}\0${e.expiresAt}\0${dumpValue(e.type, e.value)}`;
  return crc64(text);
}
