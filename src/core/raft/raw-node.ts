// The API the shell (and the simulator) drives: feed ticks, messages and requests in; take a
// Ready out, persist it, send its messages, apply its committed entries; call advance().
// Everything is synchronous and deterministic for a given config (seed included), storage
// contents and sequence of calls.
import { assert } from '../assert.js';
import { raftConfig, type RaftConfigInput } from './config.js';
import { encodeConfChange } from './conf-change.js';
import { Raft, type RaftStatus, type ReadIndexResult } from './raft.js';
import type { Storage } from './storage.js';
import type { ConfChange, ConfState, HardState, Message, NodeId, ProposeResult, Ready, SoftState } from './types.js';

export type SnapshotStatus = 'finish' | 'failure';

export class RawNode {
  private readonly raft: Raft;
  private prevSoftState: SoftState;
  private prevHardState: HardState;
  /** The Ready handed out and not yet advanced. */
  private outstanding: Ready | null = null;
  /** What the outstanding Ready hands out for applying, to mark applied on advance. */
  private outstandingApplied = 0;

  constructor(config: RaftConfigInput, readonly storage: Storage) {
    this.raft = new Raft(raftConfig(config), storage);
    this.prevSoftState = this.raft.softState();
    this.prevHardState = this.raft.hardState();
  }

  get id(): NodeId {
    return this.raft.id;
  }

  /** One unit of logical time: the shell calls this from its timer (e.g. every 100 ms). */
  tick(): void {
    this.raft.tick();
  }

  /** Starts an election now (with pre-vote when configured), as an election timeout would. */
  campaign(): void {
    this.raft.hup(false);
  }

  /** Proposes a command: appended on the leader, passed on by a follower, else dropped. An
   *  appended entry may still be lost (leader change); the shell learns the outcome by seeing
   *  its entry (identified by its own request id inside `data`) among committed entries. */
  propose(data: Uint8Array): ProposeResult {
    return this.raft.propose([{ type: 'normal', data }]);
  }

  /** Proposes one membership change (refused while another is proposed but not applied). */
  proposeConfChange(cc: ConfChange): ProposeResult {
    return this.raft.propose([{ type: 'conf-change', data: encodeConfChange(cc) }]);
  }

  /** A message from a peer. Messages addressed to another node are ignored. */
  step(m: Message): void {
    if (m.to !== this.raft.id) return;
    this.raft.step(m);
  }

  /** Asks the leader (this node, or via a follower) to hand leadership to `to`. */
  transferLeadership(to: NodeId): void {
    this.raft.transferLeadership(to);
  }

  /** A linearizable read: `context` (unique per request) comes back in a ReadState with the
   *  index to apply up to before serving. A request lost to a leader change gets no answer:
   *  the shell times it out and retries. */
  readIndex(context: string): ReadIndexResult {
    assert(context !== '', 'raft: a read context must not be empty');
    return this.raft.readIndex(this.raft.id, context);
  }

  /** Applies a committed conf-change entry's change; returns the membership now in force. */
  applyConfChange(cc: ConfChange): ConfState {
    return this.raft.applyConfChange(cc);
  }

  reportUnreachable(id: NodeId): void {
    this.raft.reportUnreachable(id);
  }

  reportSnapshot(id: NodeId, status: SnapshotStatus): void {
    this.raft.reportSnapshot(id, status);
  }

  status(): RaftStatus {
    return this.raft.status();
  }

  hasReady(): boolean {
    if (this.outstanding !== null) return false;
    const r = this.raft;
    const soft = r.softState();
    if (soft.lead !== this.prevSoftState.lead || soft.role !== this.prevSoftState.role) return true;
    if (!sameHardState(r.hardState(), this.prevHardState)) return true;
    if (r.log.unstableSnapshot() !== null) return true;
    if (r.log.unstableEntries().length > 0) return true;
    if (r.msgs.length > 0 || r.readStates.length > 0) return true;
    return r.log.hasNextCommittedEntries();
  }

  /** The next batch of work (see `Ready` for the order the shell must follow). Call advance()
   *  before asking for another. */
  ready(): Ready {
    assert(this.outstanding === null, 'raft: ready() called again before advance()');
    const r = this.raft;
    const soft = r.softState();
    const hard = r.hardState();
    const softChanged = soft.lead !== this.prevSoftState.lead || soft.role !== this.prevSoftState.role;
    const hardChanged = !sameHardState(hard, this.prevHardState);
    const entries = r.log.unstableEntries();
    const snapshot = r.log.unstableSnapshot();
    const committedEntries = r.log.nextCommittedEntries(r.config.maxCommittedBytesPerReady);
    const rd: Ready = {
      softState: softChanged ? soft : null,
      hardState: hardChanged ? hard : null,
      entries,
      snapshot,
      messages: r.msgs,
      committedEntries,
      readStates: r.readStates,
      mustSync: entries.length > 0 || snapshot !== null
        || hard.term !== this.prevHardState.term || hard.vote !== this.prevHardState.vote,
    };
    // Accept: what is in this Ready is not handed out again.
    this.prevSoftState = soft;
    if (hardChanged) this.prevHardState = hard;
    r.msgs = [];
    r.readStates = [];
    let applied = snapshot === null ? 0 : snapshot.metadata.index;
    if (committedEntries.length > 0) {
      applied = committedEntries[committedEntries.length - 1]!.index;
      r.reduceUncommittedSize(committedEntries);
    }
    if (applied > 0) r.log.acceptApplying(applied);
    this.outstandingApplied = applied;
    this.outstanding = rd;
    return rd;
  }

  /** The shell has persisted, sent and applied `rd`. */
  advance(rd: Ready): void {
    assert(rd === this.outstanding, 'raft: advance() with a Ready that is not the outstanding one');
    const r = this.raft;
    if (rd.snapshot !== null) r.log.stableSnapTo(rd.snapshot.metadata.index);
    if (rd.entries.length > 0) {
      const last = rd.entries[rd.entries.length - 1]!;
      r.log.stableTo(last.index, last.term);
    }
    if (this.outstandingApplied > 0) r.log.appliedTo(this.outstandingApplied);
    this.outstanding = null;
    this.outstandingApplied = 0;
  }
}

function sameHardState(a: HardState, b: HardState): boolean {
  return a.term === b.term && a.vote === b.vote && a.commit === b.commit;
}
