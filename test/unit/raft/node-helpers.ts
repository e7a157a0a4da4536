// Helpers for driving one RawNode by hand: build it on in-memory storage, take its Ready
// (persisting it as the shell would), and write messages tersely.
import {
  MemoryStorage,
  RawNode,
  decodeConfChange,
  type AppendRequest,
  type AppendResponse,
  type Entry,
  type HeartbeatResponse,
  type Message,
  type NodeId,
  type RaftConfigInput,
  type Ready,
  type VoteRequest,
  type VoteResponse,
} from '../../../src/core/raft/index.js';
import { bytes } from './harness.js';

export interface TestNode {
  readonly raw: RawNode;
  readonly storage: MemoryStorage;
  /** Everything applied so far (committed entries handed out), in order. */
  readonly applied: Entry[];
}

export function testNode(id: NodeId, voters: readonly NodeId[] = [1, 2, 3], config: Omit<RaftConfigInput, 'id'> = {},
  storage: MemoryStorage = MemoryStorage.bootstrap(voters)): TestNode {
  return { raw: new RawNode({ electionTicks: 10, heartbeatTicks: 1, ...config, id }, storage), storage, applied: [] };
}

/** Takes one Ready if there is one, persisting and applying it as a shell would. */
export function take(n: TestNode): Ready | null {
  if (!n.raw.hasReady()) return null;
  const rd = n.raw.ready();
  if (rd.snapshot !== null) n.storage.applySnapshot(rd.snapshot);
  n.storage.append(rd.entries);
  if (rd.hardState !== null) n.storage.setHardState(rd.hardState);
  for (const e of rd.committedEntries) {
    n.applied.push(e);
    if (e.type === 'conf-change') {
      const cc = decodeConfChange(e.data);
      if (cc !== null) n.raw.applyConfChange(cc);
    }
  }
  n.raw.advance(rd);
  return rd;
}

/** Takes every pending Ready; returns the messages they carried. */
export function drain(n: TestNode): Message[] {
  const out: Message[] = [];
  for (let rd = take(n); rd !== null; rd = take(n)) out.push(...rd.messages);
  return out;
}

export function ofType<T extends Message['type']>(ms: readonly Message[], type: T): (Message & { type: T })[] {
  return ms.filter((m) => m.type === type) as (Message & { type: T })[];
}

export function entry(index: number, term: number, data = ''): Entry {
  return { index, term, type: 'normal', data: bytes(data) };
}

/** Storage already holding entries (with these terms, at indexes 1..n) and a hard state. */
export function storageWith(voters: readonly NodeId[], terms: readonly number[], term = terms[terms.length - 1] ?? 0,
  commit = 0): MemoryStorage {
  const s = MemoryStorage.bootstrap(voters);
  s.append(terms.map((t, i) => entry(i + 1, t, `e${i + 1}`)));
  s.setHardState({ term, vote: 0, commit });
  return s;
}

export function voteResp(from: NodeId, to: NodeId, term: number, reject = false, pre = false): VoteResponse {
  return { type: pre ? 'pre-vote-resp' : 'vote-resp', from, to, term, reject };
}

export function voteReq(from: NodeId, to: NodeId, term: number, lastLogIndex: number, lastLogTerm: number,
  pre = false, transfer = false): VoteRequest {
  return { type: pre ? 'pre-vote' : 'vote', from, to, term, lastLogIndex, lastLogTerm, transfer };
}

export function app(from: NodeId, to: NodeId, term: number, prevIndex: number, prevTerm: number,
  entries: Entry[] = [], commit = 0): AppendRequest {
  return { type: 'app', from, to, term, prevIndex, prevTerm, entries, commit };
}

export function appResp(from: NodeId, to: NodeId, term: number, index: number, reject = false, rejectHint = 0,
  logTerm = 0): AppendResponse {
  return { type: 'app-resp', from, to, term, index, reject, rejectHint, logTerm };
}

export function hbResp(from: NodeId, to: NodeId, term: number, context = '', sentAtTick = 0): HeartbeatResponse {
  return { type: 'heartbeat-resp', from, to, term, context, sentAtTick };
}

/** Makes `n` leader of its group by campaigning (no pre-vote) and collecting votes from
 *  `voters` (others than itself). Returns the messages sent on becoming leader. */
export function makeLeader(n: TestNode, voters: readonly NodeId[]): Message[] {
  n.raw.campaign();
  drain(n);
  const term = n.raw.status().term;
  for (const v of voters) if (v !== n.raw.id) n.raw.step(voteResp(v, n.raw.id, term));
  return drain(n);
}

export function ticks(n: TestNode, count: number): void {
  for (let i = 0; i < count; i++) n.raw.tick();
}
