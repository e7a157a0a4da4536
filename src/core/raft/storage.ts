// The stable log as the Raft core reads it, and an in-memory implementation. The shell owns
// the real storage: it writes what each Ready hands it and the core only reads through this
// interface. The core checks index bounds before each call, so implementations may assume
// the preconditions written below (and should assert them).
import { assert } from '../assert.js';
import { raftLimits } from '../limits.js';
import { EMPTY_HARD_STATE, type ConfState, type Entry, type HardState, type Snapshot } from './types.js';

export interface Storage {
  /** The persisted hard state and the membership as of the latest snapshot/conf change. */
  initialState(): { hardState: HardState; confState: ConfState };
  /** Entries [lo, hi), stopping before the total passes maxBytes but always returning at least
   *  the first. Precondition: firstIndex() <= lo < hi <= lastIndex() + 1. */
  entries(lo: number, hi: number, maxBytes: number): Entry[];
  /** The term of entry i. Precondition: firstIndex() - 1 <= i <= lastIndex() (firstIndex() - 1
   *  is the snapshot's index, whose term is kept). */
  term(i: number): number;
  /** The first index still held (the snapshot's index + 1). */
  firstIndex(): number;
  /** The last index held; firstIndex() - 1 when the log is empty. */
  lastIndex(): number;
  /** The latest snapshot, or null when one is being made and the caller should retry later. */
  snapshot(): Snapshot | null;
}

/** The size Raft counts for an entry against its byte bounds. */
export function entryBytes(e: Entry): number {
  return e.data.byteLength + raftLimits.entryOverheadBytes;
}

/** Cuts `entries` so that its total size stays within maxBytes, keeping at least one. */
export function limitBytes<T extends Entry>(entries: T[], maxBytes: number): T[] {
  let total = 0;
  for (let i = 0; i < entries.length; i++) {
    total += entryBytes(entries[i]!);
    if (i > 0 && total > maxBytes) return entries.slice(0, i);
  }
  return entries;
}

export type StorageResult = 'ok' | 'compacted' | 'out-of-date';

const EMPTY_CONF: ConfState = { voters: [], learners: [] };

/**
 * A Storage held in memory: the reference implementation, used by tests, the simulator, and
 * as the shell's cache in front of its disk. `ents[0]` is a dummy entry standing for the
 * snapshot (its index and term), so term(firstIndex - 1) needs no special case.
 */
export class MemoryStorage implements Storage {
  private hardState: HardState = EMPTY_HARD_STATE;
  private snap: Snapshot = { metadata: { index: 0, term: 0, confState: EMPTY_CONF }, data: new Uint8Array(0) };
  private ents: Entry[] = [{ term: 0, index: 0, type: 'normal', data: new Uint8Array(0) }];

  /** A storage for a brand-new group: `voters` start as members, as if a snapshot at index 0
   *  said so. Empty for a node that joins an existing group (it learns members from a snapshot). */
  static bootstrap(voters: readonly number[], learners: readonly number[] = []): MemoryStorage {
    const s = new MemoryStorage();
    s.snap = { metadata: { index: 0, term: 0, confState: { voters: [...voters], learners: [...learners] } }, data: new Uint8Array(0) };
    return s;
  }

  initialState(): { hardState: HardState; confState: ConfState } {
    return { hardState: this.hardState, confState: this.snap.metadata.confState };
  }

  setHardState(hs: HardState): void {
    this.hardState = hs;
  }

  private offset(): number {
    return this.ents[0]!.index;
  }

  firstIndex(): number {
    return this.offset() + 1;
  }

  lastIndex(): number {
    return this.offset() + this.ents.length - 1;
  }

  term(i: number): number {
    assert(i >= this.offset() && i <= this.lastIndex(), `storage.term(${i}) outside [${this.offset()}, ${this.lastIndex()}]`);
    return this.ents[i - this.offset()]!.term;
  }

  entries(lo: number, hi: number, maxBytes: number): Entry[] {
    assert(lo >= this.firstIndex() && lo < hi && hi <= this.lastIndex() + 1,
      `storage.entries(${lo}, ${hi}) outside [${this.firstIndex()}, ${this.lastIndex() + 1}]`);
    return limitBytes(this.ents.slice(lo - this.offset(), hi - this.offset()), maxBytes);
  }

  snapshot(): Snapshot {
    return this.snap;
  }

  /** Persists entries from a Ready: any held entries from entries[0].index on are replaced. */
  append(entries: readonly Entry[]): void {
    if (entries.length === 0) return;
    const first = entries[0]!.index;
    assert(first <= this.lastIndex() + 1, `storage.append: gap (last ${this.lastIndex()}, appending ${first})`);
    // Entries already folded into the snapshot stay as they are.
    const fresh = entries.filter((e) => e.index > this.offset());
    if (fresh.length === 0) return;
    this.ents = this.ents.slice(0, fresh[0]!.index - this.offset()).concat(fresh);
  }

  /** Replaces the whole log with a snapshot received from the leader. */
  applySnapshot(snapshot: Snapshot): StorageResult {
    if (snapshot.metadata.index <= this.snap.metadata.index) return 'out-of-date';
    this.snap = snapshot;
    this.ents = [{ term: snapshot.metadata.term, index: snapshot.metadata.index, type: 'normal', data: new Uint8Array(0) }];
    return 'ok';
  }

  /** Records a snapshot the application took of its state at `index` (<= applied), and
   *  returns it. The log is not compacted: call compact() for that. */
  createSnapshot(index: number, confState: ConfState, data: Uint8Array): Snapshot | 'out-of-date' {
    if (index <= this.snap.metadata.index) return 'out-of-date';
    assert(index <= this.lastIndex(), `createSnapshot(${index}) beyond last index ${this.lastIndex()}`);
    this.snap = { metadata: { index, term: this.term(index), confState }, data };
    return this.snap;
  }

  /** Drops entries before `index` (kept: index itself, as the new dummy). The application must
   *  not compact beyond what it has applied, nor beyond its latest snapshot if lagging
   *  followers are to catch up. */
  compact(index: number): StorageResult {
    if (index <= this.offset()) return 'compacted';
    assert(index <= this.lastIndex(), `compact(${index}) beyond last index ${this.lastIndex()}`);
    const at = index - this.offset();
    const dummy = this.ents[at]!;
    this.ents = [{ term: dummy.term, index: dummy.index, type: 'normal', data: new Uint8Array(0) }, ...this.ents.slice(at + 1)];
    return 'ok';
  }
}
