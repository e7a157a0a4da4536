// The data the Raft core exchanges with its shell: log entries, persistent state, messages,
// membership and snapshots. Everything here is plain data (no classes), so the shell can
// encode it for disks and peer links and the simulator can copy, delay and reorder it.

/** A replica's identity within its group: a positive safe integer. `NONE` (0) means nobody. */
export type NodeId = number;
export const NONE: NodeId = 0;

/** Normal entries carry the application's commands; conf-change entries carry an encoded
 *  `ConfChange` (see conf-change.ts) that each replica applies when the entry is applied. */
export type EntryType = 'normal' | 'conf-change';

export interface Entry {
  readonly term: number;
  readonly index: number;
  readonly type: EntryType;
  /** Opaque to Raft (for 'normal'). An empty payload is the leader's no-op of a new term. */
  readonly data: Uint8Array;
}

/** What must be on stable storage before any message that depends on it is sent. */
export interface HardState {
  readonly term: number;
  /** Whom this replica voted for in `term`, or NONE. */
  readonly vote: NodeId;
  /** The highest index known committed (persisting it is an optimisation, never a safety need). */
  readonly commit: number;
}

export const EMPTY_HARD_STATE: HardState = { term: 0, vote: NONE, commit: 0 };

/** Membership: the voters decide elections and commitment; learners only receive the log. */
export interface ConfState {
  readonly voters: readonly NodeId[];
  readonly learners: readonly NodeId[];
}

/** One membership change (one at a time: see docs/design/raft-core.md). `add-node` on a learner
 *  promotes it; `add-learner` on a voter demotes it. */
export interface ConfChange {
  readonly type: 'add-node' | 'add-learner' | 'remove-node';
  readonly nodeId: NodeId;
  /** Opaque to Raft: what the shell needs to reach the node (an address), for example. */
  readonly context: Uint8Array;
}

export interface SnapshotMetadata {
  /** The last log index the snapshot covers, and that entry's term. */
  readonly index: number;
  readonly term: number;
  /** The membership as of `index`. */
  readonly confState: ConfState;
}

export interface Snapshot {
  readonly metadata: SnapshotMetadata;
  /** The application's state as of `metadata.index`, in the shell's own format. */
  readonly data: Uint8Array;
}

/** Every message between replicas. `term` is the sender's term, except on forwarded requests
 *  ('prop', 'read-index', 'transfer-leader'), which carry term 0 and are judged by the leader. */
export type Message =
  | VoteRequest
  | VoteResponse
  | AppendRequest
  | AppendResponse
  | HeartbeatRequest
  | HeartbeatResponse
  | SnapshotRequest
  | TimeoutNowRequest
  | ProposalForward
  | ReadIndexForward
  | ReadIndexResponse
  | TransferForward;

export type MessageType = Message['type'];

interface Envelope {
  readonly from: NodeId;
  readonly to: NodeId;
  readonly term: number;
}

/** A (pre-)vote request. A pre-vote carries the term the sender would campaign in, without
 *  having moved to it; nobody changes term or vote because of a pre-vote. */
export interface VoteRequest extends Envelope {
  readonly type: 'vote' | 'pre-vote';
  readonly lastLogIndex: number;
  readonly lastLogTerm: number;
  /** Set when the campaign was ordered by the leader (TimeoutNow): voters skip their lease. */
  readonly transfer: boolean;
}

export interface VoteResponse extends Envelope {
  readonly type: 'vote-resp' | 'pre-vote-resp';
  readonly reject: boolean;
}

export interface AppendRequest extends Envelope {
  readonly type: 'app';
  /** The entry just before `entries`, which the follower must hold for them to apply. */
  readonly prevIndex: number;
  readonly prevTerm: number;
  readonly entries: readonly Entry[];
  /** The leader's commit index. */
  readonly commit: number;
}

export interface AppendResponse extends Envelope {
  readonly type: 'app-resp';
  /** Accepted: the follower's log now matches the leader's up to `index`.
   *  Rejected: the `prevIndex` of the refused request. */
  readonly index: number;
  readonly reject: boolean;
  /** On a rejection, a guess where the logs may agree: the largest index <= rejectHint whose
   *  term is <= logTerm, so the leader skips whole terms instead of one entry per round trip. */
  readonly rejectHint: number;
  readonly logTerm: number;
}

export interface HeartbeatRequest extends Envelope {
  readonly type: 'heartbeat';
  /** min(leader commit, follower's known match): a follower never commits what it may not have. */
  readonly commit: number;
  /** The newest pending ReadIndex context, or '' when none: its ack confirms leadership. */
  readonly context: string;
  /** The leader's tick count when it sent this; echoed back to measure the lease. */
  readonly sentAtTick: number;
}

export interface HeartbeatResponse extends Envelope {
  readonly type: 'heartbeat-resp';
  readonly context: string;
  readonly sentAtTick: number;
}

/** InstallSnapshot: the follower needs entries the leader has compacted away. The follower's
 *  answer is an 'app-resp' at its new last index; the shell reports the transfer's outcome
 *  on the leader with `reportSnapshot`. */
export interface SnapshotRequest extends Envelope {
  readonly type: 'snap';
  readonly snapshot: Snapshot;
}

/** Leadership transfer: the leader tells an up-to-date follower to campaign at once. */
export interface TimeoutNowRequest extends Envelope {
  readonly type: 'timeout-now';
}

/** A proposal a follower passes on to its leader. */
export interface ProposalForward extends Envelope {
  readonly type: 'prop';
  readonly entries: readonly Entry[];
}

/** A ReadIndex request a follower passes on to its leader. */
export interface ReadIndexForward extends Envelope {
  readonly type: 'read-index';
  readonly context: string;
}

export interface ReadIndexResponse extends Envelope {
  readonly type: 'read-index-resp';
  readonly context: string;
  /** The leader's commit index once it confirmed leadership: the read is linearizable once the
   *  follower has applied up to here. */
  readonly index: number;
}

/** A transfer request reaching a follower is passed on to the leader. */
export interface TransferForward extends Envelope {
  readonly type: 'transfer-leader';
  readonly transferee: NodeId;
}

export type StateRole = 'follower' | 'pre-candidate' | 'candidate' | 'leader';

/** Volatile state worth telling the shell about when it changes. */
export interface SoftState {
  readonly lead: NodeId;
  readonly role: StateRole;
}

/** A read that may be served once the local state machine has applied `index`. */
export interface ReadState {
  readonly index: number;
  readonly context: string;
}

/**
 * One batch of work for the shell, in this order:
 * 1. persist `snapshot` (if any), `entries` (appending, replacing any suffix from
 *    `entries[0].index` on) and `hardState` (if any); fsync when `mustSync`;
 * 2. send `messages`;
 * 3. apply `snapshot` then `committedEntries` to the state machine (calling
 *    `applyConfChange` for conf-change entries), serve `readStates` once applied;
 * 4. call `advance(ready)`.
 */
export interface Ready {
  readonly softState: SoftState | null;
  readonly hardState: HardState | null;
  readonly entries: readonly Entry[];
  readonly snapshot: Snapshot | null;
  readonly messages: readonly Message[];
  readonly committedEntries: readonly Entry[];
  readonly readStates: readonly ReadState[];
  /** True when the hard state's term or vote changed or entries were appended: fsync needed. */
  readonly mustSync: boolean;
}

/** Why the core refused a proposal, a read or a transfer. Retriable unless noted. */
export type DropReason =
  | 'no-leader'
  | 'not-leader'
  | 'transfer-in-progress'
  | 'not-a-member'
  | 'uncommitted-bytes-exceeded'
  | 'conf-change-pending'
  /** Never retriable: the change itself is invalid (removes the last voter, demotes the leader). */
  | 'invalid-conf-change';

export type ProposeResult =
  | { readonly kind: 'appended'; readonly index: number; readonly term: number }
  | { readonly kind: 'forwarded'; readonly to: NodeId }
  | { readonly kind: 'dropped'; readonly reason: DropReason };
