// The Raft state machine of one replica (Ongaro & Ousterhout, "In Search of an Understandable
// Consensus Algorithm", and Ongaro's thesis for pre-vote, CheckQuorum, leadership transfer,
// ReadIndex and leases). Pure and synchronous: input arrives through tick() and step(), output
// accumulates in `msgs` and `readStates` and in the log's unstable part, which RawNode turns
// into Ready batches. Section numbers in comments refer to the paper.
import { assert } from '../assert.js';
import { Rng } from '../rng.js';
import type { RaftConfig } from './config.js';
import { decodeConfChange } from './conf-change.js';
import { RaftLog } from './log.js';
import { progressStatus, type Progress, type ProgressStatus } from './progress.js';
import { ReadOnly, type ConfirmedRead } from './read-only.js';
import { entryBytes, type Storage } from './storage.js';
import { ProgressTracker } from './tracker.js';
import {
  NONE,
  type AppendRequest,
  type AppendResponse,
  type ConfChange,
  type ConfState,
  type Entry,
  type EntryType,
  type HardState,
  type HeartbeatRequest,
  type HeartbeatResponse,
  type Message,
  type NodeId,
  type ProposeResult,
  type ReadState,
  type SnapshotRequest,
  type SoftState,
  type StateRole,
  type VoteRequest,
  type VoteResponse,
} from './types.js';

/** An entry before the leader gives it a term and an index. */
export interface ProposedEntry {
  readonly type: EntryType;
  readonly data: Uint8Array;
}

export type ReadIndexResult =
  | { readonly kind: 'pending' }
  | { readonly kind: 'forwarded'; readonly to: NodeId }
  | { readonly kind: 'dropped'; readonly reason: 'no-leader' };

export interface RaftStatus {
  readonly id: NodeId;
  readonly term: number;
  readonly vote: NodeId;
  readonly commit: number;
  readonly applied: number;
  readonly lastIndex: number;
  readonly firstIndex: number;
  readonly lead: NodeId;
  readonly role: StateRole;
  readonly leadTransferee: NodeId;
  readonly confState: ConfState;
  /** The leader's view of every member (empty on other replicas). */
  readonly progress: ReadonlyMap<NodeId, ProgressStatus>;
  /** Whether a lease read would be answered at once now (leader, lease-based reads). */
  readonly leaseValid: boolean;
}

export class Raft {
  readonly id: NodeId;
  term = 0;
  vote: NodeId = NONE;
  lead: NodeId = NONE;
  role: StateRole = 'follower';
  isLearner = false;
  readonly log: RaftLog;
  readonly tracker: ProgressTracker;
  /** Messages to send once the Ready that carries them is persisted. */
  msgs: Message[] = [];
  /** Reads confirmed since the last Ready. */
  readStates: ReadState[] = [];
  leadTransferee: NodeId = NONE;
  /** The leader may not propose a conf change until it has applied up to here (one at a time). */
  pendingConfIndex = 0;

  private electionElapsed = 0;
  private heartbeatElapsed = 0;
  private randomizedElectionTimeout = 0;
  /** Ticks since this replica started: the clock of the leader lease. */
  private tickCount = 0;
  private uncommittedBytes = 0;
  private readonly readOnly = new ReadOnly();
  /** ReadIndex requests that arrived before this leader committed an entry of its term. */
  private pendingReadIndex: { from: NodeId; context: string }[] = [];
  /** Set once this leader ordered a transfer: voters then skip their lease, so ours is void. */
  private leaseRevoked = false;
  /** This replica applied a change taking it out of the voters (see promotable()). */
  private leftVoters = false;
  private readonly rng: Rng;

  constructor(readonly config: RaftConfig, storage: Storage) {
    this.id = config.id;
    this.rng = new Rng(config.seed);
    this.log = new RaftLog(storage);
    this.tracker = new ProgressTracker(config.maxInflightMsgs, config.maxInflightBytes);
    const { hardState, confState } = storage.initialState();
    this.tracker.reset(confState, this.log.lastIndex() + 1);
    this.isLearner = this.tracker.learners.has(this.id);
    if (hardState.term !== 0 || hardState.vote !== NONE || hardState.commit !== 0) this.loadState(hardState);
    if (config.applied > 0) this.log.appliedTo(config.applied);
    this.becomeFollower(this.term, NONE);
  }

  private loadState(hs: HardState): void {
    assert(hs.commit <= this.log.lastIndex(), `raft: persisted commit ${hs.commit} beyond last index ${this.log.lastIndex()}`);
    if (hs.commit > this.log.committed) this.log.commitTo(hs.commit);
    this.term = hs.term;
    this.vote = hs.vote;
  }

  hardState(): HardState {
    return { term: this.term, vote: this.vote, commit: this.log.committed };
  }

  softState(): SoftState {
    return { lead: this.lead, role: this.role };
  }

  private send(m: Message): void {
    assert(m.to !== this.id, `raft: ${this.id} sending ${m.type} to itself`);
    this.msgs.push(m);
  }

  // ---- time ---------------------------------------------------------------------------------

  tick(): void {
    this.tickCount++;
    if (this.role === 'leader') this.tickHeartbeat();
    else this.tickElection();
  }

  private tickElection(): void {
    this.electionElapsed++;
    if (this.promotable() && this.electionElapsed >= this.randomizedElectionTimeout) {
      this.electionElapsed = 0;
      this.hup(false);
    }
  }

  private tickHeartbeat(): void {
    this.heartbeatElapsed++;
    this.electionElapsed++;
    if (this.electionElapsed >= this.config.electionTicks) {
      this.electionElapsed = 0;
      if (this.config.checkQuorum) {
        // §6.2 of the thesis: a leader cut off from a majority steps down instead of serving on.
        if (!this.tracker.quorumActive(this.id)) {
          this.becomeFollower(this.term, NONE);
          return;
        }
        for (const [id, pr] of this.tracker.progress) if (id !== this.id) pr.recentActive = false;
      }
      // A transfer that did not finish within an election timeout is abandoned.
      if (this.leadTransferee !== NONE) this.leadTransferee = NONE;
    }
    // A leader outside the voters keeps handing over until someone takes over.
    if (this.leadTransferee === NONE && this.mustAbdicate()) this.abdicate();
    if (this.heartbeatElapsed >= this.config.heartbeatTicks) {
      this.heartbeatElapsed = 0;
      this.bcastHeartbeat();
    }
  }

  private resetRandomizedElectionTimeout(): void {
    const base = this.config.electionTicks;
    this.randomizedElectionTimeout = base + this.rng.below(base);
  }

  /** CheckQuorum's other half (§6 of the thesis): a replica that heard from a leader less than
   *  an election timeout ago will not help elect another, so a leader's lease holds. In
   *  lease-based mode a replica also abstains for its first election timeout after a start,
   *  since a restart forgets when it last heard from the leader. */
  private inLease(): boolean {
    if (!this.config.checkQuorum) return false;
    if (this.lead !== NONE && this.electionElapsed < this.config.electionTicks) return true;
    return this.config.readOnlyOption === 'lease-based' && this.tickCount < this.config.electionTicks;
  }

  // ---- roles --------------------------------------------------------------------------------

  private reset(term: number): void {
    if (term !== this.term) {
      this.term = term;
      this.vote = NONE;
    }
    this.lead = NONE;
    this.electionElapsed = 0;
    this.heartbeatElapsed = 0;
    this.resetRandomizedElectionTimeout();
    this.leadTransferee = NONE;
    this.tracker.resetVotes();
    const last = this.log.lastIndex();
    for (const [id, pr] of this.tracker.progress) {
      pr.becomeProbe();
      pr.match = id === this.id ? last : 0;
      pr.next = last + 1;
      pr.recentActive = false;
      pr.leaseAckedTick = -1;
    }
    this.pendingConfIndex = 0;
    this.uncommittedBytes = 0;
    this.readOnly.reset();
    this.pendingReadIndex = [];
    this.leaseRevoked = false;
  }

  becomeFollower(term: number, lead: NodeId): void {
    this.reset(term);
    this.lead = lead;
    this.role = 'follower';
  }

  private becomePreCandidate(): void {
    assert(this.role !== 'leader', 'raft: leader cannot become pre-candidate');
    // Term and vote stay: a pre-vote changes nothing anyone persists.
    this.tracker.resetVotes();
    this.lead = NONE;
    this.role = 'pre-candidate';
  }

  private becomeCandidate(): void {
    assert(this.role !== 'leader', 'raft: leader cannot become candidate');
    this.reset(this.term + 1);
    this.vote = this.id;
    this.role = 'candidate';
  }

  private becomeLeader(): void {
    assert(this.role === 'candidate', `raft: ${this.role} cannot become leader`);
    this.reset(this.term);
    this.lead = this.id;
    this.role = 'leader';
    const self = this.tracker.progress.get(this.id);
    if (self !== undefined) {
      self.becomeReplicate();
      self.recentActive = true;
    }
    // An entry of the new term, so that earlier entries commit through it (§5.4.2) and
    // ReadIndex can learn the commit index (§8).
    this.appendEntries([{ type: 'normal', data: new Uint8Array(0) }]);
    // No conf change until that entry is applied: every change of earlier terms is then applied
    // too, and a leader proposes a change only once it committed in its own term (the fix to
    // single-server changes from the Raft mailing list, 2015).
    this.pendingConfIndex = this.log.lastIndex();
  }

  /** Voters campaign; so does a replica that applied its own removal or demotion: it may hold
   *  entries the remaining voters lack (it led when it removed itself), and they, counting only
   *  themselves, must be able to elect it so that it hands over. Other learners and replicas
   *  that joined through a snapshot never campaign. */
  private promotable(): boolean {
    if (this.log.unstableSnapshot() !== null) return false;
    if (this.tracker.voters.has(this.id)) return true;
    return this.leftVoters && this.tracker.voters.size > 0;
  }

  /** Conf changes committed but not applied: campaigning on an out-of-date membership could
   *  let two majorities form, so a replica waits until they are applied. */
  private hasUnappliedConfChanges(): boolean {
    if (this.log.applied >= this.log.committed) return false;
    const lo = Math.max(this.log.applied + 1, this.log.firstIndex());
    if (lo > this.log.committed) return false;
    const ents = this.log.slice(lo, this.log.committed + 1, Number.MAX_SAFE_INTEGER) ?? [];
    return ents.some((e) => e.type === 'conf-change');
  }

  /** Starts an election (with a pre-vote first, unless ordered by the leader). */
  hup(transfer: boolean): void {
    if (this.role === 'leader') return;
    if (!this.promotable()) return;
    if (this.hasUnappliedConfChanges()) return;
    if (this.config.preVote && !transfer) this.campaign('pre-vote', false);
    else this.campaign('vote', transfer);
  }

  private campaign(kind: 'pre-vote' | 'vote', transfer: boolean): void {
    let term: number;
    if (kind === 'pre-vote') {
      this.becomePreCandidate();
      term = this.term + 1;
    } else {
      this.becomeCandidate();
      term = this.term;
    }
    this.tracker.recordVote(this.id, true);
    if (this.tracker.tallyVotes().result === 'won') {
      // A group of one wins at once.
      if (kind === 'pre-vote') this.campaign('vote', transfer);
      else this.becomeLeader();
      return;
    }
    const lastLogIndex = this.log.lastIndex();
    const lastLogTerm = this.log.lastTerm();
    for (const id of [...this.tracker.voters].sort((a, b) => a - b)) {
      if (id === this.id) continue;
      this.send({ type: kind, from: this.id, to: id, term, lastLogIndex, lastLogTerm, transfer });
    }
  }

  // ---- input --------------------------------------------------------------------------------

  step(m: Message): void {
    if (m.type === 'prop' || m.type === 'read-index' || m.type === 'transfer-leader') {
      // Forwarded requests carry no term: the leader judges them as its own.
    } else if (m.term > this.term) {
      if ((m.type === 'vote' || m.type === 'pre-vote') && !m.transfer && this.inLease()) return;
      if (m.type === 'pre-vote') {
        // Never change term because of a pre-vote.
      } else if (m.type === 'pre-vote-resp' && !m.reject) {
        // The future term we asked about; the real campaign will move to it.
      } else if (m.type === 'app' || m.type === 'heartbeat' || m.type === 'snap') {
        this.becomeFollower(m.term, m.from);
      } else {
        this.becomeFollower(m.term, NONE);
      }
    } else if (m.term < this.term) {
      this.stepStale(m);
      return;
    }

    if (m.type === 'vote' || m.type === 'pre-vote') {
      this.handleVoteRequest(m);
      return;
    }
    switch (this.role) {
      case 'leader': this.stepLeader(m); break;
      case 'candidate':
      case 'pre-candidate': this.stepCandidate(m); break;
      case 'follower': this.stepFollower(m); break;
    }
  }

  /** A message from an older term. A stale leader's appends get an answer in our term so it
   *  steps down (with pre-vote or CheckQuorum it would otherwise never learn of the newer
   *  term); a stale pre-vote gets a refusal so its sender learns our term. */
  private stepStale(m: Message): void {
    if ((this.config.checkQuorum || this.config.preVote) && (m.type === 'app' || m.type === 'heartbeat')) {
      this.send({ type: 'app-resp', from: this.id, to: m.from, term: this.term, index: 0, reject: false, rejectHint: 0, logTerm: 0 });
    } else if (m.type === 'pre-vote') {
      this.send({ type: 'pre-vote-resp', from: this.id, to: m.from, term: this.term, reject: true });
    }
  }

  private handleVoteRequest(m: VoteRequest): void {
    const respType = m.type === 'vote' ? 'vote-resp' : 'pre-vote-resp';
    // We may grant: a repeat of our vote, a first vote in a term without a known leader, or a
    // pre-vote for a later term (nothing is promised by it).
    const canVote = this.vote === m.from
      || (this.vote === NONE && this.lead === NONE)
      || (m.type === 'pre-vote' && m.term > this.term);
    if (canVote && this.log.isUpToDate(m.lastLogIndex, m.lastLogTerm)) {
      // The response carries the request's term: a pre-candidate counts it for the future term.
      this.send({ type: respType, from: this.id, to: m.from, term: m.term, reject: false });
      if (m.type === 'vote') {
        this.electionElapsed = 0;
        this.vote = m.from;
      }
    } else {
      this.send({ type: respType, from: this.id, to: m.from, term: this.term, reject: true });
    }
  }

  private stepLeader(m: Message): void {
    switch (m.type) {
      case 'prop': this.propose(m.entries); return;
      case 'read-index': this.readIndex(m.from, m.context); return;
      case 'transfer-leader': this.transferLeadership(m.transferee); return;
      case 'app-resp': this.handleAppendResponse(m); return;
      case 'heartbeat-resp': this.handleHeartbeatResponse(m); return;
      default: return; // Vote answers after winning, and the like: nothing to do.
    }
  }

  private stepCandidate(m: Message): void {
    switch (m.type) {
      case 'app':
        this.becomeFollower(m.term, m.from);
        this.handleAppendEntries(m);
        return;
      case 'heartbeat':
        this.becomeFollower(m.term, m.from);
        this.handleHeartbeat(m);
        return;
      case 'snap':
        this.becomeFollower(m.term, m.from);
        this.handleSnapshot(m);
        return;
      case 'vote-resp':
      case 'pre-vote-resp':
        this.handleVoteResponse(m);
        return;
      default: return; // Proposals and reads are refused by the API; TimeoutNow is moot.
    }
  }

  private handleVoteResponse(m: VoteResponse): void {
    const expected = this.role === 'pre-candidate' ? 'pre-vote-resp' : 'vote-resp';
    if (m.type !== expected) return;
    this.tracker.recordVote(m.from, !m.reject);
    const { result } = this.tracker.tallyVotes();
    if (result === 'won') {
      if (this.role === 'pre-candidate') {
        this.campaign('vote', false);
      } else {
        this.becomeLeader();
        this.bcastAppend();
      }
    } else if (result === 'lost') {
      // A pre-candidate keeps its term; a candidate stays in the term it moved to.
      this.becomeFollower(this.term, NONE);
    }
  }

  private stepFollower(m: Message): void {
    switch (m.type) {
      case 'prop': this.propose(m.entries); return;
      case 'app':
        this.electionElapsed = 0;
        this.lead = m.from;
        this.handleAppendEntries(m);
        return;
      case 'heartbeat':
        this.electionElapsed = 0;
        this.lead = m.from;
        this.handleHeartbeat(m);
        return;
      case 'snap':
        this.electionElapsed = 0;
        this.lead = m.from;
        this.handleSnapshot(m);
        return;
      case 'transfer-leader': this.transferLeadership(m.transferee); return;
      case 'timeout-now':
        // The leader chose us: campaign now, without pre-vote, and voters skip their lease.
        this.hup(true);
        return;
      case 'read-index': this.readIndex(m.from, m.context); return;
      case 'read-index-resp':
        this.readStates.push({ index: m.index, context: m.context });
        return;
      default: return;
    }
  }

  // ---- follower side of replication ---------------------------------------------------------

  private handleAppendEntries(m: AppendRequest): void {
    const reply = (index: number, reject: boolean, rejectHint = 0, logTerm = 0): void =>
      this.send({ type: 'app-resp', from: this.id, to: m.from, term: this.term, index, reject, rejectHint, logTerm });
    // Everything up to our commit index is known to match.
    if (m.prevIndex < this.log.committed) {
      reply(this.log.committed, false);
      return;
    }
    const lastNew = this.log.maybeAppend(m.prevIndex, m.prevTerm, m.commit, m.entries);
    if (lastNew !== null) {
      reply(lastNew, false);
      return;
    }
    // Log matching failed at prevIndex (§5.3). Hint the leader where we may agree: the last
    // entry at or below prevIndex whose term is at most prevTerm.
    const hint = this.log.findConflictByTerm(Math.min(m.prevIndex, this.log.lastIndex()), m.prevTerm);
    reply(m.prevIndex, true, hint.index, hint.term);
  }

  private handleHeartbeat(m: HeartbeatRequest): void {
    this.log.commitTo(m.commit);
    this.send({ type: 'heartbeat-resp', from: this.id, to: m.from, term: this.term, context: m.context, sentAtTick: m.sentAtTick });
  }

  private handleSnapshot(m: SnapshotRequest): void {
    const index = this.restore(m) ? this.log.lastIndex() : this.log.committed;
    this.send({ type: 'app-resp', from: this.id, to: m.from, term: this.term, index, reject: false, rejectHint: 0, logTerm: 0 });
  }

  /** Installs a leader's snapshot unless we already hold what it covers. */
  private restore(m: SnapshotRequest): boolean {
    const meta = m.snapshot.metadata;
    if (meta.index <= this.log.committed) return false;
    const cs = meta.confState;
    // A snapshot whose membership leaves us out is still installed: a node added after the
    // leader's latest snapshot was taken learns of its own membership from the entries that
    // follow it (refusing would leave the leader resending the snapshot forever).
    if (this.log.matchTerm(meta.index, meta.term)) {
      // We hold the entry: the snapshot only tells us it is committed.
      this.log.commitTo(meta.index);
      return false;
    }
    this.log.restore(m.snapshot);
    this.tracker.reset(cs, this.log.lastIndex() + 1);
    this.isLearner = this.tracker.learners.has(this.id);
    return true;
  }

  // ---- leader side of replication -----------------------------------------------------------

  /** Appends proposals (with this leader's term) and sends them. Returns false when the
   *  uncommitted-bytes bound refuses them (a leader's no-op is never refused). */
  private appendEntries(proposed: readonly ProposedEntry[]): { index: number; term: number } | null {
    let bytes = 0;
    for (const e of proposed) bytes += e.data.byteLength;
    if (bytes > 0 && this.uncommittedBytes > 0 && this.uncommittedBytes + bytes > this.config.maxUncommittedEntriesBytes) {
      return null;
    }
    this.uncommittedBytes += bytes;
    let index = this.log.lastIndex();
    const ents: Entry[] = proposed.map((e) => ({ term: this.term, index: ++index, type: e.type, data: e.data }));
    this.log.append(ents);
    // (A removed replica leading only to hand over has no progress of its own.)
    this.tracker.progress.get(this.id)?.maybeUpdate(this.log.lastIndex());
    this.maybeCommit();
    return { index: this.log.lastIndex(), term: this.term };
  }

  /** Committed entries handed to the shell no longer count against the uncommitted bound. */
  reduceUncommittedSize(ents: readonly Entry[]): void {
    if (this.uncommittedBytes === 0) return;
    let bytes = 0;
    for (const e of ents) bytes += e.data.byteLength;
    this.uncommittedBytes = Math.max(0, this.uncommittedBytes - bytes);
  }

  private maybeCommit(): boolean {
    return this.log.maybeCommit(this.tracker.committedIndex(), this.term);
  }

  private handleAppendResponse(m: AppendResponse): void {
    const pr = this.tracker.progress.get(m.from);
    if (pr === undefined) return;
    pr.recentActive = true;
    if (m.reject) {
      let nextProbe = m.rejectHint;
      if (m.logTerm > 0) nextProbe = this.log.findConflictByTerm(m.rejectHint, m.logTerm).index;
      if (pr.maybeDecrTo(m.index, nextProbe)) {
        if (pr.state === 'replicate') pr.becomeProbe();
        this.sendAppend(m.from, pr);
      }
      return;
    }
    const wasPaused = pr.isPaused();
    if (!pr.maybeUpdate(m.index) && !(pr.match === m.index && pr.state === 'probe')) return;
    if (pr.state === 'probe') {
      pr.becomeReplicate();
    } else if (pr.state === 'snapshot' && pr.match + 1 >= this.log.firstIndex()) {
      // The follower caught up through the snapshot (or otherwise): stream from its match.
      pr.becomeProbe();
      pr.becomeReplicate();
    } else if (pr.state === 'replicate') {
      pr.inflights.freeLE(m.index);
    }
    if (this.maybeCommit()) {
      this.releasePendingReadIndex();
      this.bcastAppend();
    } else if (wasPaused) {
      this.sendAppend(m.from, pr);
    }
    // Fill the window the ack opened.
    while (this.maybeSendAppend(m.from, pr, false)) { /* until paused or nothing left */ }
    if (m.from === this.leadTransferee && pr.match === this.log.lastIndex()) this.sendTimeoutNow(m.from);
  }

  private handleHeartbeatResponse(m: HeartbeatResponse): void {
    const pr = this.tracker.progress.get(m.from);
    if (pr === undefined) return;
    pr.recentActive = true;
    pr.probeSent = false;
    if (m.sentAtTick > pr.leaseAckedTick) pr.leaseAckedTick = m.sentAtTick;
    // Appends or their answers may have been lost with the window full: a heartbeat answer shows
    // the follower is alive, so let one more append through; a gap makes it refuse, which
    // sends the leader back to probing.
    if (pr.state === 'replicate' && pr.inflights.full()) pr.inflights.freeFirstOne();
    if (pr.match < this.log.lastIndex() || pr.state === 'probe') this.sendAppend(m.from, pr);
    if (m.context === '') return;
    const acks = this.readOnly.recvAck(m.from, m.context);
    if (acks === null) return;
    let voterAcks = 0;
    for (const id of acks) if (this.tracker.voters.has(id)) voterAcks++;
    if (voterAcks < this.tracker.quorum()) return;
    for (const read of this.readOnly.advance(m.context)) this.answerRead(read);
  }

  private sendAppend(to: NodeId, pr: Progress): void {
    this.maybeSendAppend(to, pr, true);
  }

  /** Sends the next append to `to` unless its progress is paused; an empty one only when
   *  `sendIfEmpty` (it carries the commit index). Falls back to a snapshot when the entries
   *  are compacted away. Returns whether a message went out. */
  private maybeSendAppend(to: NodeId, pr: Progress, sendIfEmpty: boolean): boolean {
    if (pr.isPaused()) return false;
    const prevIndex = pr.next - 1;
    const prevTerm = this.log.term(prevIndex);
    const entries = prevTerm === null ? null : this.log.entriesFrom(pr.next, this.config.maxSizePerMsgBytes);
    if (prevTerm === null || entries === null) return this.maybeSendSnapshot(to, pr);
    if (entries.length === 0 && !sendIfEmpty) return false;
    let bytes = 0;
    for (const e of entries) bytes += entryBytes(e);
    this.send({ type: 'app', from: this.id, to, term: this.term, prevIndex, prevTerm, entries, commit: this.log.committed });
    pr.sentEntries(entries.length, prevIndex + entries.length, bytes);
    return true;
  }

  private maybeSendSnapshot(to: NodeId, pr: Progress): boolean {
    // Not for a follower we have not heard from: it may be down, and snapshots are costly.
    if (!pr.recentActive) return false;
    const snapshot = this.log.snapshot();
    if (snapshot === null) return false; // being made; the next heartbeat answer retries
    assert(snapshot.metadata.index > 0, 'raft: compacted log without a snapshot');
    pr.becomeSnapshot(snapshot.metadata.index);
    this.send({ type: 'snap', from: this.id, to, term: this.term, snapshot });
    return true;
  }

  private bcastAppend(): void {
    for (const [id, pr] of this.tracker.progress) if (id !== this.id) this.sendAppend(id, pr);
  }

  private bcastHeartbeat(): void {
    this.bcastHeartbeatWithContext(this.readOnly.lastPendingContext());
  }

  private bcastHeartbeatWithContext(context: string): void {
    for (const [id, pr] of this.tracker.progress) {
      if (id === this.id) continue;
      // Never tell a follower to commit beyond what it is known to hold.
      const commit = Math.min(pr.match, this.log.committed);
      this.send({ type: 'heartbeat', from: this.id, to: id, term: this.term, commit, context, sentAtTick: this.tickCount });
    }
  }

  // ---- client requests ----------------------------------------------------------------------

  propose(entries: readonly ProposedEntry[]): ProposeResult {
    assert(entries.length > 0, 'raft: empty proposal');
    if (this.role === 'leader') return this.proposeAsLeader(entries);
    if (this.role !== 'follower' || this.lead === NONE) return { kind: 'dropped', reason: 'no-leader' };
    if (this.config.disableProposalForwarding) return { kind: 'dropped', reason: 'not-leader' };
    const forwarded = entries.map((e) => ({ term: 0, index: 0, type: e.type, data: e.data }));
    this.send({ type: 'prop', from: this.id, to: this.lead, term: 0, entries: forwarded });
    return { kind: 'forwarded', to: this.lead };
  }

  private proposeAsLeader(entries: readonly ProposedEntry[]): ProposeResult {
    if (!this.tracker.progress.has(this.id)) return { kind: 'dropped', reason: 'not-a-member' };
    if (this.leadTransferee !== NONE) return { kind: 'dropped', reason: 'transfer-in-progress' };
    const changes = entries.filter((e) => e.type === 'conf-change');
    if (changes.length > 0) {
      // One membership change at a time: the next waits until the previous one is applied.
      if (changes.length > 1) return { kind: 'dropped', reason: 'invalid-conf-change' };
      if (this.pendingConfIndex > this.log.applied) return { kind: 'dropped', reason: 'conf-change-pending' };
      const cc = decodeConfChange(changes[0]!.data);
      if (cc === null || !this.tracker.validate(cc)) return { kind: 'dropped', reason: 'invalid-conf-change' };
    }
    const appended = this.appendEntries(entries);
    if (appended === null) return { kind: 'dropped', reason: 'uncommitted-bytes-exceeded' };
    if (changes.length > 0) this.pendingConfIndex = appended.index;
    this.bcastAppend();
    return { kind: 'appended', index: appended.index, term: appended.term };
  }

  /** A linearizable read (§6.4 of the thesis): once confirmed, a ReadState tells the index the
   *  state machine must reach before the read may be served. */
  readIndex(from: NodeId, context: string): ReadIndexResult {
    if (this.role === 'follower') {
      if (this.lead === NONE) return { kind: 'dropped', reason: 'no-leader' };
      this.send({ type: 'read-index', from: this.id, to: this.lead, term: 0, context });
      return { kind: 'forwarded', to: this.lead };
    }
    if (this.role !== 'leader') return { kind: 'dropped', reason: 'no-leader' };
    if (this.tracker.voters.size === 1 && this.tracker.voters.has(this.id)) {
      this.answerRead({ index: this.log.committed, from, context });
      return { kind: 'pending' };
    }
    // Until an entry of this term is committed, the leader does not know the commit index.
    if (!this.committedEntryInCurrentTerm()) {
      this.pendingReadIndex.push({ from, context });
      return { kind: 'pending' };
    }
    this.confirmRead(from, context);
    return { kind: 'pending' };
  }

  private committedEntryInCurrentTerm(): boolean {
    return this.log.term(this.log.committed) === this.term;
  }

  private confirmRead(from: NodeId, context: string): void {
    if (this.leaseValid()) {
      this.answerRead({ index: this.log.committed, from, context });
      return;
    }
    this.readOnly.addRequest(this.log.committed, from, context);
    this.readOnly.recvAck(this.id, context);
    this.bcastHeartbeatWithContext(context);
  }

  private releasePendingReadIndex(): void {
    if (this.pendingReadIndex.length === 0 || !this.committedEntryInCurrentTerm()) return;
    const pending = this.pendingReadIndex;
    this.pendingReadIndex = [];
    for (const p of pending) this.confirmRead(p.from, p.context);
  }

  private answerRead(read: ConfirmedRead): void {
    if (read.from === this.id || read.from === NONE) {
      this.readStates.push({ index: read.index, context: read.context });
    } else {
      this.send({ type: 'read-index-resp', from: this.id, to: read.from, term: this.term, context: read.context, index: read.index });
    }
  }

  /**
   * The lease: every voter that acknowledged a heartbeat sent at leader tick T reset its
   * election timer on receipt (at or after T) and, with CheckQuorum, refuses to vote for
   * anyone else for electionTicks of its own ticks. So while a majority acknowledged a
   * heartbeat sent at T, no other leader can exist before T + electionTicks — provided the
   * voters' ticks do not run faster than ours by more than leaseMarginTicks over that span.
   */
  leaseValid(): boolean {
    if (this.role !== 'leader' || this.config.readOnlyOption !== 'lease-based') return false;
    if (this.leaseRevoked || this.leadTransferee !== NONE) return false;
    const since = this.tracker.quorumLeaseTick(this.id, this.tickCount);
    if (since < 0) return false;
    return since + this.config.electionTicks - this.config.leaseMarginTicks > this.tickCount;
  }

  /** Leadership transfer (§3.10 of the thesis): bring the target up to date, then tell it to
   *  campaign at once. Proposals are refused meanwhile; given up after an election timeout. */
  transferLeadership(target: NodeId): void {
    if (this.role === 'follower') {
      if (this.lead !== NONE) {
        this.send({ type: 'transfer-leader', from: this.id, to: this.lead, term: 0, transferee: target });
      }
      return;
    }
    if (this.role !== 'leader') return;
    const pr = this.tracker.progress.get(target);
    if (pr === undefined || pr.isLearner) return;
    if (this.leadTransferee !== NONE) {
      if (this.leadTransferee === target) return;
      this.leadTransferee = NONE;
    }
    if (target === this.id) return;
    this.electionElapsed = 0;
    this.leadTransferee = target;
    if (pr.match === this.log.lastIndex()) this.sendTimeoutNow(target);
    else this.sendAppend(target, pr);
  }

  private mustAbdicate(): boolean {
    return this.role === 'leader' && this.config.stepDownOnRemoval && !this.tracker.voters.has(this.id);
  }

  /** A leader removed or demoted by a change it committed is the one replica sure to know the
   *  change committed: stepping down at once could leave the remaining voters unable to elect
   *  anyone (they may still count the old members). So it goes on replicating, and hands
   *  leadership to the most up-to-date voter, which campaigns once it applied the change. */
  private abdicate(): void {
    let best = NONE;
    let bestMatch = -1;
    for (const id of [...this.tracker.voters].sort((a, b) => a - b)) {
      const pr = this.tracker.progress.get(id);
      if (pr !== undefined && pr.match > bestMatch) {
        best = id;
        bestMatch = pr.match;
      }
    }
    if (best !== NONE) this.transferLeadership(best);
  }

  private sendTimeoutNow(to: NodeId): void {
    this.leaseRevoked = true;
    this.send({ type: 'timeout-now', from: this.id, to, term: this.term });
  }

  // ---- membership and reports from the shell ------------------------------------------------

  /** Applies a committed conf change (the shell calls this when it applies the entry). */
  applyConfChange(cc: ConfChange): ConfState {
    const wasVoter = this.tracker.voters.has(this.id);
    this.tracker.apply(cc, this.log.lastIndex() + 1);
    if (wasVoter && !this.tracker.voters.has(this.id)) this.leftVoters = true;
    if (this.tracker.voters.has(this.id)) this.leftVoters = false;
    this.isLearner = this.tracker.learners.has(this.id);
    const cs = this.tracker.confState();
    if (this.role !== 'leader') return cs;
    if (!this.tracker.voters.has(this.id)) {
      // Removed or demoted: tell everyone the commit index, then hand leadership over.
      this.maybeCommit();
      this.bcastAppend();
      if (this.mustAbdicate()) this.abdicate();
      return cs;
    }
    // The majority changed: something may commit now, and new members need the log.
    if (this.maybeCommit()) {
      this.releasePendingReadIndex();
      this.bcastAppend();
    } else {
      for (const [id, pr] of this.tracker.progress) if (id !== this.id) this.maybeSendAppend(id, pr, false);
    }
    if (this.leadTransferee !== NONE && !this.tracker.voters.has(this.leadTransferee)) this.leadTransferee = NONE;
    return cs;
  }

  /** The shell could not deliver to `id`: stop streaming to it optimistically. */
  reportUnreachable(id: NodeId): void {
    if (this.role !== 'leader') return;
    const pr = this.tracker.progress.get(id);
    if (pr !== undefined && pr.state === 'replicate') pr.becomeProbe();
  }

  /** The shell finished (or failed) sending a snapshot to `id`. Either way probe next: after a
   *  success the follower's answer moves it on, after a failure the snapshot is sent again. */
  reportSnapshot(id: NodeId, status: 'finish' | 'failure'): void {
    if (this.role !== 'leader') return;
    const pr = this.tracker.progress.get(id);
    if (pr === undefined || pr.state !== 'snapshot') return;
    if (status === 'failure') pr.pendingSnapshot = 0;
    pr.becomeProbe();
    // Wait for the follower's answer (or the next heartbeat) before probing.
    pr.probeSent = true;
  }

  status(): RaftStatus {
    const progress = new Map<NodeId, ProgressStatus>();
    if (this.role === 'leader') for (const [id, pr] of this.tracker.progress) progress.set(id, progressStatus(pr));
    return {
      id: this.id, term: this.term, vote: this.vote, commit: this.log.committed, applied: this.log.applied,
      lastIndex: this.log.lastIndex(), firstIndex: this.log.firstIndex(), lead: this.lead, role: this.role,
      leadTransferee: this.leadTransferee, confState: this.tracker.confState(), progress, leaseValid: this.leaseValid(),
    };
  }
}
