// Lists: a deque of latin1 strings kept in a ring buffer whose capacity is a power of two.
//
// Complexity, as Redis's quicklist or better:
// - push and pop at either end: O(1) amortized (the buffer doubles when full and halves when
//   three quarters empty, so a list that shrinks gives its memory back: capacity < 4 * length);
// - index from either end (LINDEX, LSET, LRANGE's start): O(1), where Redis walks the quicklist;
// - insert in the middle (LINSERT): O(min(i, n - i)), shifting the shorter side;
// - removal of matches (LREM): one compacting pass, O(n);
// - trimming k elements off an end (LTRIM, LPOP count): O(k).
// Never Array.shift/unshift/splice, which are O(n) per call on large arrays.
//
// Redis 7.0 reports every list as "quicklist" (it has no listpack lists yet), so OBJECT ENCODING
// has one answer. DUMP body: varint(count), then each element as a length-prefixed string, head
// to tail. An empty list is never stored, so a payload with count 0 is malformed (Redis's RESTORE
// refuses an empty list too).
import type { Entry } from '../keyspace.js';
import { MalformedPayload, type PayloadReader, type PayloadWriter } from '../payload.js';
import type { TypeOps } from './registry.js';
import { ARRAY_HEADER_BYTES, OBJECT_HEADER_BYTES, stringBytes } from '../memory.js';

/** The smallest buffer a list keeps: small lists stay small, and halving stops here. */
const MIN_CAPACITY = 4;

export class ListValue {
  /** Slots; those outside the live window hold undefined so popped strings can be collected. */
  private slots: Array<string | undefined>;
  /** capacity - 1: capacity is a power of two, so wrapping an index is a bitwise AND. */
  private mask: number;
  /** Slot of the first (leftmost, index 0) element. */
  private head = 0;
  private count = 0;
  /** Sum of the elements' string sizes, kept as the list changes (memory accounting in O(1)). */
  private elementBytes = 0;

  constructor(capacity = MIN_CAPACITY) {
    const cap = capacityFor(capacity);
    this.slots = new Array<string | undefined>(cap).fill(undefined);
    this.mask = cap - 1;
  }

  /** A list holding `items` in order, head first. */
  static from(items: readonly string[]): ListValue {
    const list = new ListValue(items.length);
    for (const item of items) list.pushBack(item);
    return list;
  }

  get length(): number {
    return this.count;
  }

  /** Estimated heap bytes: this object, its slot buffer and the element strings. */
  get bytes(): number {
    return OBJECT_HEADER_BYTES + 5 * 8 + ARRAY_HEADER_BYTES + 8 * this.capacity + this.elementBytes;
  }

  /** Slots allocated (tests use it to check that the buffer grows and shrinks). */
  get capacity(): number {
    return this.mask + 1;
  }

  pushFront(value: string): void {
    if (this.count === this.capacity) this.resize(this.capacity * 2);
    this.head = (this.head - 1) & this.mask;
    this.slots[this.head] = value;
    this.count++;
    this.elementBytes += stringBytes(value.length);
  }

  pushBack(value: string): void {
    if (this.count === this.capacity) this.resize(this.capacity * 2);
    this.slots[(this.head + this.count) & this.mask] = value;
    this.count++;
    this.elementBytes += stringBytes(value.length);
  }

  /** Removes and returns the first element; undefined when empty. */
  popFront(): string | undefined {
    if (this.count === 0) return undefined;
    const value = this.slots[this.head];
    this.slots[this.head] = undefined;
    this.elementBytes -= stringBytes(value!.length);
    this.head = (this.head + 1) & this.mask;
    this.count--;
    this.shrinkIfSparse();
    return value;
  }

  /** Removes and returns the last element; undefined when empty. */
  popBack(): string | undefined {
    if (this.count === 0) return undefined;
    const slot = (this.head + this.count - 1) & this.mask;
    const value = this.slots[slot];
    this.slots[slot] = undefined;
    this.elementBytes -= stringBytes(value!.length);
    this.count--;
    this.shrinkIfSparse();
    return value;
  }

  /** The element at a 0-based index from the head; undefined when out of range. */
  at(index: number): string | undefined {
    if (index < 0 || index >= this.count) return undefined;
    return this.slots[(this.head + index) & this.mask];
  }

  /** Replaces the element at an index; false when the index is out of range. */
  set(index: number, value: string): boolean {
    if (index < 0 || index >= this.count) return false;
    const slot = (this.head + index) & this.mask;
    this.elementBytes += stringBytes(value.length) - stringBytes(this.slots[slot]!.length);
    this.slots[slot] = value;
    return true;
  }

  /**
   * Inserts so that the new element ends up at `index` (0 <= index <= length), moving the
   * shorter side of the list by one slot.
   */
  insertAt(index: number, value: string): void {
    if (index < 0 || index > this.count) throw new RangeError(`insertAt: index ${index} out of range`);
    if (this.count === this.capacity) this.resize(this.capacity * 2);
    const { slots, mask } = this;
    if (index < this.count - index) {
      // Shift the first `index` elements one slot to the left.
      this.head = (this.head - 1) & mask;
      for (let i = 0; i < index; i++) {
        slots[(this.head + i) & mask] = slots[(this.head + i + 1) & mask];
      }
    } else {
      // Shift the elements from `index` on one slot to the right.
      for (let i = this.count; i > index; i--) {
        slots[(this.head + i) & mask] = slots[(this.head + i - 1) & mask];
      }
    }
    slots[(this.head + index) & mask] = value;
    this.count++;
    this.elementBytes += stringBytes(value.length);
  }

  /** Drops `n` elements from the head (n is clamped to the length). O(n). */
  dropFront(n: number): void {
    const k = Math.min(Math.max(n, 0), this.count);
    for (let i = 0; i < k; i++) {
      const slot = (this.head + i) & this.mask;
      this.elementBytes -= stringBytes(this.slots[slot]!.length);
      this.slots[slot] = undefined;
    }
    this.head = (this.head + k) & this.mask;
    this.count -= k;
    this.shrinkIfSparse();
  }

  /** Drops `n` elements from the tail (n is clamped to the length). O(n). */
  dropBack(n: number): void {
    const k = Math.min(Math.max(n, 0), this.count);
    for (let i = 1; i <= k; i++) {
      const slot = (this.head + this.count - i) & this.mask;
      this.elementBytes -= stringBytes(this.slots[slot]!.length);
      this.slots[slot] = undefined;
    }
    this.count -= k;
    this.shrinkIfSparse();
  }

  /**
   * Removes up to `limit` elements equal to `value` (all of them when limit is Infinity),
   * scanning from the head or, with fromTail, from the tail. One compacting pass: O(n).
   * Returns how many were removed.
   */
  removeMatching(value: string, limit: number, fromTail: boolean): number {
    const { slots, mask } = this;
    const n = this.count;
    let removed = 0;
    if (!fromTail) {
      // Survivors slide towards the head; the tail end is vacated.
      let write = 0;
      for (let read = 0; read < n; read++) {
        const slot = (this.head + read) & mask;
        const item = slots[slot];
        if (removed < limit && item === value) {
          removed++;
          continue;
        }
        if (write !== read) slots[(this.head + write) & mask] = item;
        write++;
      }
      for (let i = write; i < n; i++) slots[(this.head + i) & mask] = undefined;
    } else {
      // Survivors slide towards the tail; the head end is vacated.
      let write = n - 1;
      for (let read = n - 1; read >= 0; read--) {
        const slot = (this.head + read) & mask;
        const item = slots[slot];
        if (removed < limit && item === value) {
          removed++;
          continue;
        }
        if (write !== read) slots[(this.head + write) & mask] = item;
        write--;
      }
      for (let i = 0; i < removed; i++) slots[(this.head + i) & mask] = undefined;
      this.head = (this.head + removed) & mask;
    }
    this.count -= removed;
    this.elementBytes -= removed * stringBytes(value.length);
    this.shrinkIfSparse();
    return removed;
  }

  /** Index of the first element equal to `value` from the head, or -1. O(n). */
  indexOf(value: string): number {
    for (let i = 0; i < this.count; i++) {
      if (this.slots[(this.head + i) & this.mask] === value) return i;
    }
    return -1;
  }

  /** Elements from index `start` to `end` inclusive (already clamped by the caller), head first. */
  range(start: number, end: number): string[] {
    const out: string[] = [];
    for (let i = Math.max(start, 0); i <= end && i < this.count; i++) {
      out.push(this.slots[(this.head + i) & this.mask]!);
    }
    return out;
  }

  /** Every element, head first. */
  toArray(): string[] {
    return this.range(0, this.count - 1);
  }

  /**
   * Halves the buffer (repeatedly, after a bulk removal) while three quarters of it are empty,
   * so capacity < 4 * length always holds above the minimum. Amortized O(1), as the doubling:
   * after a resize the list is half full, and at least capacity/4 more pops or pushes must
   * happen before the next one.
   */
  private shrinkIfSparse(): void {
    let cap = this.capacity;
    while (cap > MIN_CAPACITY && this.count * 4 <= cap) cap /= 2;
    if (cap !== this.capacity) this.resize(cap);
  }

  /** Copies the live window into a fresh buffer of `capacity` slots, head at slot 0. */
  private resize(capacity: number): void {
    const cap = capacityFor(Math.max(capacity, this.count));
    const next = new Array<string | undefined>(cap).fill(undefined);
    for (let i = 0; i < this.count; i++) next[i] = this.slots[(this.head + i) & this.mask];
    this.slots = next;
    this.mask = cap - 1;
    this.head = 0;
  }
}

/** The smallest power of two >= max(n, MIN_CAPACITY). */
function capacityFor(n: number): number {
  let cap = MIN_CAPACITY;
  while (cap < n) cap *= 2;
  return cap;
}

export const listType: TypeOps = {
  tag: 2,
  encode: (value, out: PayloadWriter) => {
    const list = value as ListValue;
    out.varint(list.length);
    for (let i = 0; i < list.length; i++) out.string(list.at(i)!);
  },
  decode: (input: PayloadReader) => {
    const count = input.varint();
    if (count === 0) throw new MalformedPayload('empty list');
    // Grow as elements arrive: a forged count must not make us allocate up front.
    const list = new ListValue();
    for (let i = 0; i < count; i++) list.pushBack(input.string());
    return list;
  },
  encodingOf: (_e: Entry): string => 'quicklist',
  memoryOf: (value) => (value as ListValue).bytes,
};
