// A replica's view of its log: what the shell has persisted (Storage) followed by what it has
// not yet (the unstable part: at most one snapshot, then entries). Also tracks the commit
// index and how far the shell has applied.
import { assert } from '../assert.js';
import { limitBytes, type Storage } from './storage.js';
import type { Entry, Snapshot } from './types.js';

/** Entries and possibly a snapshot not yet handed to storage. `offset` is the index of the
 *  first unstable entry; with a snapshot it is snapshot.index + 1. */
class Unstable {
  snapshot: Snapshot | null = null;
  entries: Entry[] = [];
  constructor(public offset: number) {}

  maybeFirstIndex(): number | null {
    return this.snapshot === null ? null : this.snapshot.metadata.index + 1;
  }

  maybeLastIndex(): number | null {
    if (this.entries.length > 0) return this.offset + this.entries.length - 1;
    return this.snapshot === null ? null : this.snapshot.metadata.index;
  }

  maybeTerm(i: number): number | null {
    if (i < this.offset) {
      if (this.snapshot !== null && this.snapshot.metadata.index === i) return this.snapshot.metadata.term;
      return null;
    }
    const last = this.maybeLastIndex();
    if (last === null || i > last) return null;
    return this.entries[i - this.offset]!.term;
  }

  /** The shell persisted entries up to (index, term): drop them, unless they were replaced
   *  by a leader's entries in the meantime (the term tells). */
  stableTo(index: number, term: number): void {
    const t = this.maybeTerm(index);
    if (t === null || t !== term || index < this.offset) return;
    this.entries = this.entries.slice(index + 1 - this.offset);
    this.offset = index + 1;
  }

  stableSnapTo(index: number): void {
    if (this.snapshot !== null && this.snapshot.metadata.index === index) this.snapshot = null;
  }

  restore(s: Snapshot): void {
    this.offset = s.metadata.index + 1;
    this.entries = [];
    this.snapshot = s;
  }

  truncateAndAppend(ents: readonly Entry[]): void {
    const first = ents[0]!.index;
    if (first === this.offset + this.entries.length) {
      this.entries.push(...ents);
    } else if (first <= this.offset) {
      // Replaces everything unstable; storage entries from `first` on are superseded too.
      this.offset = first;
      this.entries = [...ents];
    } else {
      this.entries = this.entries.slice(0, first - this.offset).concat(ents);
    }
  }

  slice(lo: number, hi: number): Entry[] {
    assert(lo >= this.offset && hi <= this.offset + this.entries.length && lo <= hi,
      `unstable.slice(${lo}, ${hi}) outside [${this.offset}, ${this.offset + this.entries.length}]`);
    return this.entries.slice(lo - this.offset, hi - this.offset);
  }
}

export class RaftLog {
  private readonly unstable: Unstable;
  /** The highest index known to be stored on a quorum. */
  committed: number;
  /** The highest index handed to the shell to apply (in a Ready not yet advanced). */
  applying: number;
  /** The highest index the shell has applied (advanced). */
  applied: number;

  constructor(readonly storage: Storage) {
    const first = storage.firstIndex();
    const last = storage.lastIndex();
    this.unstable = new Unstable(last + 1);
    // Everything up to the snapshot is committed and applied by construction.
    this.committed = first - 1;
    this.applied = Math.max(first - 1, 0);
    this.applying = this.applied;
  }

  firstIndex(): number {
    return this.unstable.maybeFirstIndex() ?? this.storage.firstIndex();
  }

  lastIndex(): number {
    return this.unstable.maybeLastIndex() ?? this.storage.lastIndex();
  }

  lastTerm(): number {
    const t = this.term(this.lastIndex());
    assert(t !== null, 'raft log: the last entry has no term');
    return t;
  }

  /** The term of entry i, or null when i is compacted away or beyond the log. */
  term(i: number): number | null {
    const dummy = this.firstIndex() - 1;
    if (i < dummy || i > this.lastIndex()) return null;
    const t = this.unstable.maybeTerm(i);
    if (t !== null) return t;
    return this.storage.term(i);
  }

  matchTerm(i: number, term: number): boolean {
    return this.term(i) === term;
  }

  /** Whether a candidate whose log ends at (lastIndex, lastTerm) is at least as up to date (§5.4.1). */
  isUpToDate(lastIndex: number, lastTerm: number): boolean {
    const myTerm = this.lastTerm();
    return lastTerm > myTerm || (lastTerm === myTerm && lastIndex >= this.lastIndex());
  }

  /** The follower side of AppendEntries. Returns the index of the last new entry when the
   *  log holds (prevIndex, prevTerm), else null (the leader must back off). */
  maybeAppend(prevIndex: number, prevTerm: number, committed: number, ents: readonly Entry[]): number | null {
    if (!this.matchTerm(prevIndex, prevTerm)) return null;
    const lastNew = prevIndex + ents.length;
    const conflict = this.findConflict(ents);
    if (conflict !== 0) {
      assert(conflict > this.committed, `raft log: entry ${conflict} conflicts with committed ${this.committed}`);
      this.append(ents.slice(conflict - (prevIndex + 1)));
    }
    this.commitTo(Math.min(committed, lastNew));
    return lastNew;
  }

  /** The index of the first entry in `ents` that is not in the log (a term mismatch or beyond
   *  the end), or 0 when the log already holds them all. */
  private findConflict(ents: readonly Entry[]): number {
    for (const e of ents) {
      if (!this.matchTerm(e.index, e.term)) return e.index;
    }
    return 0;
  }

  /** The last index <= index whose term is <= term, with its term: where a leader whose entry
   *  at `index` has `term` may find agreement with this log. (Indexes below the first held one
   *  end the search: the snapshot's index is committed and agreed.) */
  findConflictByTerm(index: number, term: number): { index: number; term: number } {
    for (let i = index; ; i--) {
      const t = this.term(i);
      if (t === null) return { index: i, term: 0 };
      if (t <= term) return { index: i, term: t };
    }
  }

  append(ents: readonly Entry[]): number {
    if (ents.length === 0) return this.lastIndex();
    const after = ents[0]!.index - 1;
    assert(after >= this.committed, `raft log: appending after ${after} would overwrite committed ${this.committed}`);
    this.unstable.truncateAndAppend(ents);
    return this.lastIndex();
  }

  unstableEntries(): Entry[] {
    return this.unstable.entries.slice();
  }

  unstableSnapshot(): Snapshot | null {
    return this.unstable.snapshot;
  }

  /** The snapshot a lagging follower should get: an unstable one first, else storage's. */
  snapshot(): Snapshot | null {
    return this.unstable.snapshot ?? this.storage.snapshot();
  }

  /** Entries from lo (up to the end), within maxBytes; null when lo is compacted away. */
  entriesFrom(lo: number, maxBytes: number): Entry[] | null {
    if (lo > this.lastIndex()) return [];
    return this.slice(lo, this.lastIndex() + 1, maxBytes);
  }

  /** Entries [lo, hi) within maxBytes (at least one); null when lo is compacted away. */
  slice(lo: number, hi: number, maxBytes: number): Entry[] | null {
    if (lo < this.firstIndex()) return null;
    assert(hi <= this.lastIndex() + 1 && lo <= hi, `raft log: slice(${lo}, ${hi}) beyond ${this.lastIndex()}`);
    if (lo === hi) return [];
    const off = this.unstable.offset;
    let out: Entry[] = [];
    if (lo < off) {
      out = this.storage.entries(lo, Math.min(hi, off), maxBytes);
      // Storage stopped early on the byte bound: do not add unstable entries after a gap.
      if (out.length < Math.min(hi, off) - lo) return out;
    }
    if (hi > off) out = out.concat(this.unstable.slice(Math.max(lo, off), hi));
    return limitBytes(out, maxBytes);
  }

  commitTo(index: number): void {
    if (index <= this.committed) return;
    assert(index <= this.lastIndex(), `raft log: commit ${index} beyond last index ${this.lastIndex()}`);
    this.committed = index;
  }

  /** Commits up to maxIndex if that entry is from `term` (a leader only counts replicas for
   *  entries of its own term, §5.4.2). */
  maybeCommit(maxIndex: number, term: number): boolean {
    if (maxIndex > this.committed && this.term(maxIndex) === term) {
      this.commitTo(maxIndex);
      return true;
    }
    return false;
  }

  hasNextCommittedEntries(): boolean {
    return this.committed >= Math.max(this.applying + 1, this.firstIndex());
  }

  /** Committed entries not yet handed out for applying, within maxBytes (at least one). */
  nextCommittedEntries(maxBytes: number): Entry[] {
    const lo = Math.max(this.applying + 1, this.firstIndex());
    if (this.committed < lo) return [];
    return this.slice(lo, this.committed + 1, maxBytes) ?? [];
  }

  acceptApplying(index: number): void {
    assert(index <= this.committed, `raft log: applying ${index} beyond commit ${this.committed}`);
    if (index > this.applying) this.applying = index;
  }

  appliedTo(index: number): void {
    if (index === 0) return;
    assert(index <= this.committed, `raft log: applied ${index} beyond commit ${this.committed}`);
    if (index > this.applied) this.applied = index;
    if (index > this.applying) this.applying = index;
  }

  stableTo(index: number, term: number): void {
    this.unstable.stableTo(index, term);
  }

  stableSnapTo(index: number): void {
    this.unstable.stableSnapTo(index);
  }

  /** Installs a leader's snapshot: the whole log is replaced and everything up to it committed. */
  restore(s: Snapshot): void {
    this.committed = s.metadata.index;
    this.unstable.restore(s);
  }
}
