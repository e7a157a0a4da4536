// Membership, each member's progress, and the votes of the current election, with the
// majority arithmetic over the voters.
import { Progress } from './progress.js';
import type { ConfChange, ConfState, NodeId } from './types.js';

export type VoteResult = 'won' | 'lost' | 'pending';

export class ProgressTracker {
  readonly voters = new Set<NodeId>();
  readonly learners = new Set<NodeId>();
  readonly progress = new Map<NodeId, Progress>();
  private readonly votes = new Map<NodeId, boolean>();

  constructor(private readonly maxInflightMsgs: number, private readonly maxInflightBytes: number) {}

  confState(): ConfState {
    return { voters: [...this.voters].sort((a, b) => a - b), learners: [...this.learners].sort((a, b) => a - b) };
  }

  quorum(): number {
    return Math.floor(this.voters.size / 2) + 1;
  }

  isMember(id: NodeId): boolean {
    return this.voters.has(id) || this.learners.has(id);
  }

  /** Replaces the membership (from a snapshot or at start-up); progress of members kept. */
  reset(cs: ConfState, nextIndex: number): void {
    this.voters.clear();
    this.learners.clear();
    for (const id of cs.voters) this.voters.add(id);
    for (const id of cs.learners) if (!this.voters.has(id)) this.learners.add(id);
    for (const id of [...this.progress.keys()]) if (!this.isMember(id)) this.progress.delete(id);
    for (const id of [...this.voters, ...this.learners]) {
      const p = this.progress.get(id);
      if (p === undefined) this.progress.set(id, this.newProgress(nextIndex, this.learners.has(id)));
      else p.isLearner = this.learners.has(id);
    }
  }

  private newProgress(next: number, isLearner: boolean): Progress {
    return new Progress(next, isLearner, this.maxInflightMsgs, this.maxInflightBytes);
  }

  /** Whether `cc` may be proposed now: it must leave at least one voter. */
  validate(cc: ConfChange): boolean {
    if (cc.type === 'add-node') return true;
    if (!this.voters.has(cc.nodeId)) return true;
    return this.voters.size > 1;
  }

  /** Applies one change. A new member starts probing at `nextIndex`. Returns false (and
   *  changes nothing) for a change that would leave no voter. */
  apply(cc: ConfChange, nextIndex: number): boolean {
    if (!this.validate(cc)) return false;
    const id = cc.nodeId;
    switch (cc.type) {
      case 'add-node':
        this.learners.delete(id);
        this.voters.add(id);
        break;
      case 'add-learner':
        this.voters.delete(id);
        this.learners.add(id);
        break;
      case 'remove-node':
        this.voters.delete(id);
        this.learners.delete(id);
        this.progress.delete(id);
        return true;
    }
    const p = this.progress.get(id);
    if (p === undefined) {
      const fresh = this.newProgress(nextIndex, cc.type === 'add-learner');
      // Counted as active until the next CheckQuorum round, so that adding a member does not
      // make the leader step down at once, and so that it may be sent a snapshot.
      fresh.recentActive = true;
      this.progress.set(id, fresh);
    } else {
      p.isLearner = cc.type === 'add-learner';
    }
    return true;
  }

  /** The highest index stored on a majority of voters. */
  committedIndex(): number {
    const matches = [...this.voters].map((id) => this.progress.get(id)?.match ?? 0).sort((a, b) => b - a);
    if (matches.length === 0) return 0;
    return matches[this.quorum() - 1]!;
  }

  /** The newest leader tick a majority of voters acknowledged (this node counts as `now`). */
  quorumLeaseTick(self: NodeId, now: number): number {
    const ticks = [...this.voters].map((id) => (id === self ? now : this.progress.get(id)?.leaseAckedTick ?? -1))
      .sort((a, b) => b - a);
    if (ticks.length === 0) return -1;
    return ticks[this.quorum() - 1]!;
  }

  /** Whether a majority of voters was heard from (recentActive) since the last check. */
  quorumActive(self: NodeId): boolean {
    let active = 0;
    for (const id of this.voters) if (id === self || this.progress.get(id)?.recentActive === true) active++;
    return active >= this.quorum();
  }

  resetVotes(): void {
    this.votes.clear();
  }

  recordVote(id: NodeId, granted: boolean): void {
    if (!this.votes.has(id)) this.votes.set(id, granted);
  }

  tallyVotes(): { granted: number; rejected: number; result: VoteResult } {
    let granted = 0;
    let rejected = 0;
    for (const id of this.voters) {
      const v = this.votes.get(id);
      if (v === true) granted++;
      else if (v === false) rejected++;
    }
    const q = this.quorum();
    const result: VoteResult = granted >= q ? 'won' : this.voters.size - rejected < q ? 'lost' : 'pending';
    return { granted, rejected, result };
  }
}
