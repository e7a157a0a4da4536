// A replica's Raft settings, with defaults from src/core/limits.ts and the relations among
// them checked once, when the node is created.
import { assert } from '../assert.js';
import { raftLimits } from '../limits.js';
import type { NodeId } from './types.js';

/** 'safe': every ReadIndex confirms leadership with a round of heartbeats.
 *  'lease-based': the leader answers at once while its lease holds (needs CheckQuorum, and
 *  assumes bounded tick-rate drift; see docs/design/raft-core.md). */
export type ReadOnlyOption = 'safe' | 'lease-based';

export interface RaftConfig {
  readonly id: NodeId;
  /** Seeds the generator that randomises election timeouts: the only randomness in the core. */
  readonly seed: number;
  readonly electionTicks: number;
  readonly heartbeatTicks: number;
  /** The highest index the state machine had applied when this node was (re)started; entries
   *  up to here are not handed out again. 0 for a fresh state machine. */
  readonly applied: number;
  readonly maxSizePerMsgBytes: number;
  readonly maxInflightMsgs: number;
  readonly maxInflightBytes: number;
  readonly maxUncommittedEntriesBytes: number;
  readonly maxCommittedBytesPerReady: number;
  /** A candidate first asks whether it could win (pre-vote) and only then raises its term, so
   *  a partitioned node rejoining cannot depose a working leader. */
  readonly preVote: boolean;
  /** A leader that has not heard from a quorum for an election timeout steps down, and a
   *  follower that heard from its leader within an election timeout refuses to vote. */
  readonly checkQuorum: boolean;
  readonly readOnlyOption: ReadOnlyOption;
  readonly leaseMarginTicks: number;
  /** Followers refuse proposals instead of passing them on to the leader. */
  readonly disableProposalForwarding: boolean;
  /** A leader removed or demoted hands leadership to the most up-to-date voter (TimeoutNow)
   *  and so steps down; otherwise it keeps leading the voters from outside until shut down. */
  readonly stepDownOnRemoval: boolean;
}

export type RaftConfigInput = Partial<RaftConfig> & Pick<RaftConfig, 'id'>;

export function raftConfig(input: RaftConfigInput): RaftConfig {
  const config: RaftConfig = {
    seed: input.id,
    electionTicks: raftLimits.electionTicks,
    heartbeatTicks: raftLimits.heartbeatTicks,
    applied: 0,
    maxSizePerMsgBytes: raftLimits.maxSizePerMsgBytes,
    maxInflightMsgs: raftLimits.maxInflightMsgs,
    maxInflightBytes: raftLimits.maxInflightBytes,
    maxUncommittedEntriesBytes: raftLimits.maxUncommittedEntriesBytes,
    maxCommittedBytesPerReady: raftLimits.maxCommittedBytesPerReady,
    preVote: true,
    checkQuorum: true,
    readOnlyOption: 'safe',
    leaseMarginTicks: raftLimits.leaseMarginTicks,
    disableProposalForwarding: false,
    stepDownOnRemoval: true,
    ...input,
  };
  validateRaftConfig(config);
  return config;
}

/** Refuses settings under which Raft would misbehave. Throws an AssertionError: a bad
 *  configuration is the caller's bug, caught when the node is created. */
export function validateRaftConfig(c: RaftConfig): void {
  const positiveInt = (n: number): boolean => Number.isSafeInteger(n) && n > 0;
  assert(positiveInt(c.id), `raft config: id must be a positive integer, got ${c.id}`);
  assert(Number.isSafeInteger(c.seed), 'raft config: seed must be an integer');
  assert(positiveInt(c.heartbeatTicks), 'raft config: heartbeatTicks must be positive');
  assert(c.electionTicks > c.heartbeatTicks && Number.isSafeInteger(c.electionTicks),
    'raft config: electionTicks must be an integer greater than heartbeatTicks');
  assert(Number.isSafeInteger(c.applied) && c.applied >= 0, 'raft config: applied must be >= 0');
  assert(positiveInt(c.maxSizePerMsgBytes), 'raft config: maxSizePerMsgBytes must be positive');
  assert(positiveInt(c.maxInflightMsgs), 'raft config: maxInflightMsgs must be positive');
  assert(c.maxInflightBytes >= c.maxSizePerMsgBytes,
    'raft config: maxInflightBytes must hold at least one full message');
  assert(positiveInt(c.maxUncommittedEntriesBytes), 'raft config: maxUncommittedEntriesBytes must be positive');
  assert(positiveInt(c.maxCommittedBytesPerReady), 'raft config: maxCommittedBytesPerReady must be positive');
  assert(Number.isSafeInteger(c.leaseMarginTicks) && c.leaseMarginTicks >= 0,
    'raft config: leaseMarginTicks must be >= 0');
  if (c.readOnlyOption === 'lease-based') {
    assert(c.checkQuorum, 'raft config: lease-based reads need checkQuorum');
    assert(c.leaseMarginTicks < c.electionTicks, 'raft config: leaseMarginTicks must be below electionTicks');
  }
}
