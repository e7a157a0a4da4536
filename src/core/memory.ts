// Memory accounting: what a key costs in V8's heap, estimated in O(1) per write.
//
// JavaScript cannot measure an object, so the estimate adds up the sizes V8 uses on 64-bit
// builds without pointer compression (Node's default): object headers, string headers, Map and
// array slots. The constants are calibrated against process.memoryUsage().heapUsed deltas by
// bench/memory-accounting.ts (docs/design/memory-accounting.md). Each collection keeps its own
// byte count up to date as it changes (or is small enough to walk: compact encodings are bounded
// by their *-max-listpack-entries limit), so refreshing a key after a write costs O(1).
import type { Entry } from './keyspace.js';

/**
 * Everything a key costs besides its value and its name: the Entry object (header and eight
 * in-object fields, all unboxed: see Entry), its slot in the database's Map (a hash table at load
 * factor ~2, three words per entry plus buckets) and its slot in the dense array used by SCAN and
 * sampling.
 */
export const ENTRY_OBJECT_BYTES = 24 + 8 * 8;
/** The key's slots in the database's Map and dense array (MEMORY STATS overhead.hashtable.main). */
export const KEYSPACE_SLOT_BYTES = 40 + 8;
export const ENTRY_OVERHEAD_BYTES = ENTRY_OBJECT_BYTES + KEYSPACE_SLOT_BYTES;
/** A key with a TTL also sits in the database's set of volatile keys. */
export const VOLATILE_SLOT_BYTES = 48;
/** A heap object's header: map, properties and elements pointers. */
export const OBJECT_HEADER_BYTES = 24;
/** A JS array's backing store header (map, length). */
export const ARRAY_HEADER_BYTES = 16;
/** One slot of a Map or Set (an OrderedHashMap: key, value, chain link, plus buckets at load 2). */
export const MAP_SLOT_BYTES = 36;
/** One slot of a Set (key and chain link, plus buckets). */
export const SET_SLOT_BYTES = 28;
/**
 * A small JS array grown by push or splice: the JSArray object (map, properties, elements,
 * length) and its backing store, which V8 allocates with at least 17 slots on the first push
 * and grows by half plus 16; arrays built whole (slice, map) are exact, so this is an average.
 */
export function arrayBytes(length: number): number {
  const slots = length <= 17 ? 17 : length + (length >> 2);
  return 32 + ARRAY_HEADER_BYTES + 8 * slots;
}

/** An array built at its final length (new Array(n) filled, slice): no spare slots. */
export function exactArrayBytes(length: number): number {
  return 32 + ARRAY_HEADER_BYTES + 8 * length;
}

/** A boxed double (HeapNumber): numbers that are not small integers. */
export const HEAP_NUMBER_BYTES = 16;

/** A sequential one-byte string: header (map, hash, length) then the bytes, rounded up to 8. */
export function stringBytes(length: number): number {
  return 16 + ((length + 7) & ~7);
}

/** A number stored in an array or object slot: small integers live in the pointer itself. */
export function numberBytes(n: number): number {
  return (n | 0) === n && !Object.is(n, -0) ? 0 : HEAP_NUMBER_BYTES;
}

/** What one value costs; each type module answers for its own structure (TypeOps.memoryOf). */
export type MemoryOf = (type: Entry['type'], value: unknown) => number;

/** Bytes of a key: bookkeeping, name, value and TTL slot. */
export function entryBytes(e: Entry, valueBytes: number): number {
  return ENTRY_OVERHEAD_BYTES + stringBytes(e.key.length) + valueBytes + (e.expiresAt !== 0 ? VOLATILE_SLOT_BYTES + HEAP_NUMBER_BYTES : 0);
}

/** Nodes a single generic walk may visit, so a huge nested value cannot stall the server. */
const VISIT_BUDGET = 10_000;

/**
 * Size of a plain JavaScript value by walking it (strings, numbers, arrays, maps, sets, objects),
 * for the parts of a structure that keep no running count (stream nodes are sampled with it).
 */
export function walkBytes(value: unknown): number {
  const seen = new Set<object>();
  let budget = VISIT_BUDGET;
  const size = (v: unknown): number => {
    if (--budget < 0) return 0;
    switch (typeof v) {
      case 'string':
        return stringBytes(v.length);
      case 'number':
        return numberBytes(v);
      case 'bigint':
        return 16 + 8 * Math.ceil(v.toString(16).length / 16);
      case 'object': {
        if (v === null || seen.has(v)) return 0;
        seen.add(v);
        if (ArrayBuffer.isView(v)) return OBJECT_HEADER_BYTES + 40 + v.byteLength;
        if (Array.isArray(v)) {
          let total = OBJECT_HEADER_BYTES + ARRAY_HEADER_BYTES + 8 * v.length;
          for (const x of v) total += size(x);
          return total;
        }
        if (v instanceof Map) {
          let total = OBJECT_HEADER_BYTES + MAP_SLOT_BYTES * v.size;
          for (const [k, x] of v) total += size(k) + size(x);
          return total;
        }
        if (v instanceof Set) {
          let total = OBJECT_HEADER_BYTES + SET_SLOT_BYTES * v.size;
          for (const x of v) total += size(x);
          return total;
        }
        const values = Object.values(v);
        let total = OBJECT_HEADER_BYTES + 8 * values.length;
        for (const x of values) total += size(x);
        return total;
      }
      default:
        return 0;
    }
  };
  return size(value);
}
