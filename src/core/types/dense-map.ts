// A string-keyed map that also keeps its entries in a dense array, for collections that need
// SCAN cursors with Redis's guarantee and O(1) random picks (hash fields, set members).
// Removal swaps the last entry into the hole; a cursor counts down from the top, so an entry
// present for a whole scan is returned at least once (docs/design/scan-cursor.md).
import type { Rng } from '../rng.js';
import { ARRAY_HEADER_BYTES, MAP_SLOT_BYTES, numberBytes, OBJECT_HEADER_BYTES, stringBytes } from '../memory.js';

/** Heap bytes of a stored key or value (strings and numbers; null costs nothing). */
function heldBytes(v: unknown): number {
  return typeof v === 'string' ? stringBytes(v.length) : typeof v === 'number' ? numberBytes(v) : 0;
}

export class DenseMap<V> {
  private readonly index = new Map<string, number>();
  private readonly keyList: string[] = [];
  private readonly valueList: V[] = [];
  /**
   * Each value's heldBytes, beside it: replacing a value must take the old one's size off, and
   * reading it here (small integers in one dense array, mostly in the CPU's caches) instead of
   * from the old value (a string anywhere in the heap) saves a cache miss on every overwrite.
   */
  private readonly valueBytes: number[] = [];
  /** Sum of the keys' and values' own sizes, kept as the map changes (memory accounting). */
  private contentBytes = 0;

  /** Estimated heap bytes: the index Map, the three dense arrays and the keys and values. */
  get bytes(): number {
    return 5 * OBJECT_HEADER_BYTES + 3 * ARRAY_HEADER_BYTES + this.keyList.length * (MAP_SLOT_BYTES + 24) + this.contentBytes;
  }

  get size(): number {
    return this.keyList.length;
  }

  has(key: string): boolean {
    return this.index.has(key);
  }

  get(key: string): V | undefined {
    const i = this.index.get(key);
    return i === undefined ? undefined : this.valueList[i];
  }

  /** Sets a value; returns true when the key is new. */
  set(key: string, value: V): boolean {
    const i = this.index.get(key);
    const held = heldBytes(value);
    if (i !== undefined) {
      this.contentBytes += held - this.valueBytes[i]!;
      this.valueList[i] = value;
      this.valueBytes[i] = held;
      return false;
    }
    this.contentBytes += stringBytes(key.length) + held;
    this.index.set(key, this.keyList.length);
    this.keyList.push(key);
    this.valueList.push(value);
    this.valueBytes.push(held);
    return true;
  }

  delete(key: string): boolean {
    const i = this.index.get(key);
    if (i === undefined) return false;
    this.contentBytes -= stringBytes(key.length) + this.valueBytes[i]!;
    this.index.delete(key);
    const lastKey = this.keyList.pop()!;
    const lastValue = this.valueList.pop()!;
    const lastHeld = this.valueBytes.pop()!;
    if (i < this.keyList.length) {
      this.keyList[i] = lastKey;
      this.valueList[i] = lastValue;
      this.valueBytes[i] = lastHeld;
      this.index.set(lastKey, i);
    }
    return true;
  }

  keyAt(i: number): string {
    return this.keyList[i]!;
  }

  valueAt(i: number): V {
    return this.valueList[i]!;
  }

  /** A uniformly random position (the map must not be empty). */
  randomIndex(rng: Rng): number {
    return rng.below(this.keyList.length);
  }

  /**
   * One SCAN step over at most `count` positions, counting down from the top. Cursor 0 starts a
   * scan; the returned cursor is 0 when the scan is complete.
   */
  scan(cursor: number, count: number, visit: (key: string, value: V) => void): number {
    let next = cursor === 0 ? this.keyList.length : Math.min(cursor, this.keyList.length);
    for (let budget = count; next > 0 && budget > 0; budget--) {
      next--;
      visit(this.keyList[next]!, this.valueList[next]!);
    }
    return next;
  }

  keys(): readonly string[] {
    return this.keyList;
  }

  values(): readonly V[] {
    return this.valueList;
  }
}
