// MEMORY USAGE: an estimate of the bytes one key costs in V8's heap. JavaScript cannot measure
// an object's size, so the estimate adds up sizes V8 uses on 64-bit builds without pointer
// compression (Node's default): string headers, object headers, Map/Set slots and array slots.
// It is documented as an estimate (docs/design/server-commands.md); what it guarantees is that
// bigger values report more bytes and that an empty key space costs nothing.
import type { Entry } from '../core/keyspace.js';
import { estimateStreamBytes, type StreamValue } from '../core/types/stream.js';

/** The Entry object: header (map, properties, elements) plus eight in-object fields. */
const ENTRY_OBJECT_BYTES = 24 + 8 * 8;
/** One slot in the database's Map (key, value, chain link) at its load factor of 2. */
const MAP_SLOT_BYTES = 36;
/** One slot in the database's dense array (SCAN, sampling). */
const DENSE_SLOT_BYTES = 8;
/** One slot in the set of keys with a TTL. */
const VOLATILE_SLOT_BYTES = 28;
/** A heap object's header: map, properties and elements pointers. */
const OBJECT_HEADER_BYTES = 24;
/** A string's header (map, hash, length); the bytes follow, rounded up to 8. */
const STRING_HEADER_BYTES = 16;
/** Nodes a single estimate may visit, so a huge nested value cannot stall the server. */
const VISIT_BUDGET = 100_000;

/** Redis's default number of sampled elements of a collection (MEMORY USAGE ... SAMPLES 5). */
export const DEFAULT_SAMPLES = 5;

/**
 * Estimated bytes of a key with its value and bookkeeping. Collections are sampled: `samples`
 * elements are measured and the average is multiplied by the size (0 measures every element).
 */
export function estimateEntryBytes(e: Entry, samples: number): number {
  const bookkeeping = ENTRY_OBJECT_BYTES + MAP_SLOT_BYTES + DENSE_SLOT_BYTES + (e.expiresAt !== 0 ? VOLATILE_SLOT_BYTES : 0);
  if (e.type === 'stream') return bookkeeping + stringBytes(e.key.length) + estimateStreamBytes(e.value as StreamValue, samples, (v) => estimateValueBytes(v, 0));
  return bookkeeping + stringBytes(e.key.length) + estimateValueBytes(e.value, samples);
}

export function stringBytes(length: number): number {
  return STRING_HEADER_BYTES + Math.ceil(length / 8) * 8;
}

/** Size of any JavaScript value a type module may store: strings, numbers, arrays, maps, sets, objects. */
export function estimateValueBytes(value: unknown, samples: number): number {
  const walker = new Walker(samples <= 0 ? Number.POSITIVE_INFINITY : samples);
  return walker.size(value);
}

class Walker {
  private readonly seen = new Set<object>();
  private budget = VISIT_BUDGET;

  constructor(private readonly samples: number) {}

  size(value: unknown): number {
    if (--this.budget < 0) return 0;
    switch (typeof value) {
      case 'string':
        return stringBytes(value.length);
      case 'number':
        // Small integers live in the pointer itself; other numbers are boxed.
        return Number.isInteger(value) && Math.abs(value) < 2 ** 31 ? 0 : 16;
      case 'bigint':
        return 16 + 8 * Math.ceil(value.toString(16).length / 16);
      case 'object':
        return value === null ? 0 : this.objectSize(value);
      default:
        return 0;
    }
  }

  private objectSize(o: object): number {
    if (this.seen.has(o)) return 0;
    this.seen.add(o);
    if (ArrayBuffer.isView(o)) return OBJECT_HEADER_BYTES + 40 + o.byteLength;
    if (Array.isArray(o)) return OBJECT_HEADER_BYTES + 8 * o.length + this.sampled(o, o.length, (x) => this.size(x));
    if (o instanceof Map) {
      return OBJECT_HEADER_BYTES + MAP_SLOT_BYTES * o.size + this.sampled(o.entries(), o.size, ([k, v]) => this.size(k) + this.size(v));
    }
    if (o instanceof Set) return OBJECT_HEADER_BYTES + 28 * o.size + this.sampled(o.values(), o.size, (x) => this.size(x));
    const values = Object.values(o);
    let total = OBJECT_HEADER_BYTES + 8 * values.length;
    for (const v of values) total += this.size(v);
    return total;
  }

  /** Measures up to `samples` elements and extrapolates to `count`, as Redis samples collections. */
  private sampled<T>(items: Iterable<T>, count: number, measure: (item: T) => number): number {
    if (count === 0) return 0;
    let measured = 0;
    let sum = 0;
    for (const item of items) {
      if (measured >= this.samples) break;
      sum += measure(item);
      measured++;
    }
    return measured === 0 ? 0 : Math.round((sum / measured) * count);
  }
}
