// The `raft` adapter: one replica of a Cairn replica group as its shell drives it, run by the
// simulator. The real Raft core (src/core/raft, RawNode) decides; the real durable Raft log
// (src/io/group/raft-disk.ts) keeps its log, hard state and snapshots on the simulated disk;
// the wire codec (src/core/raft/codec.ts) turns messages into the bytes the simulated network
// carries; a real Cairn engine (kv-machine.ts) applies the committed commands. Only the loop
// around them is written here, and it follows the server's (src/io/group/raft-loop.ts): each
// Ready is persisted (fsync), then its messages are sent, then its committed entries applied,
// then advanced; a snapshot send is reported at once.
//
// Requests (docs/design/simulator.md, "The raft adapter"):
// - Writes and compare-and-set are proposed on the leader and answered when their entry is
//   applied, with the engine's result. A follower answers `fail` with the leader as hint (no
//   forwarding: the client retries there, as a Redis Cluster client follows -MOVED). A request
//   is identified by a unique id inside its entry and by the (index, term) the leader gave it:
//   when another entry is applied at that index, the request certainly did not take effect
//   (`fail`); when the node gives up waiting, or a snapshot covers the index, it may have
//   (`unknown`). Weak writes are answered once the leader's own log holds them durably.
// - Strong reads use ReadIndex (on a follower the core forwards it to the leader) and are served
//   once this replica applied up to the read's index; weak reads read the local state at once.
// - After a crash the node rebuilds from its disk: the latest snapshot, then the log, whose
//   committed entries are applied again. With snapshots on, the state is snapshotted in Cairn's
//   snapshot format every few entries and the log compacted, so followers that fell behind are
//   caught up with InstallSnapshot.
// - An fsync or write error is fatal (env.fatal): the node crashes and restarts from its disk.
import { decodeConfChange, decodeMessage, encodeMessage, RawNode, type ConfChange, type ConfState, type Ready } from '../../src/core/raft/index.js';
import type { MemoryStorage } from '../../src/core/raft/storage.js';
import { RaftDisk, RaftDiskError } from '../../src/io/group/raft-disk.js';
import type { ClientOp, Consistency, Value } from '../history.js';
import type { ClientResult, NodeEnv, NodeStatus, SimNode, SimNodeFactory } from '../node.js';
import type { Random } from '../random.js';
import { commandFor, decodeCommand, encodeCommand, KvMachine } from './kv-machine.js';

export interface RaftKvOptions {
  /** 'safe': every strong read confirms leadership with a heartbeat round; 'lease-based': the leader's lease. */
  readonly readOnly: 'safe' | 'lease-based';
  /** Snapshot the state and compact the log every this many applied entries; 0: never. */
  readonly snapshotEvery: number;
  /** Entries kept in the log behind a snapshot (followers that close are caught up without one). */
  readonly keepEntries: number;
  readonly clockDriftBound: number;
  /** The nemesis also changes the membership: demotes a voter to learner, promotes it back. */
  readonly membershipChanges?: boolean;
  /** A deliberate bug, for proving that the checkers catch it in this adapter (never in CI's list):
   *  'ack-on-append' answers a write once the leader appended it, before any commit;
   *  'leader-local-reads' lets the leader answer strong reads from its own state, without ReadIndex. */
  readonly flaw?: 'ack-on-append' | 'leader-local-reads';
}

const DIR = '/raft';
/** A write still unresolved after this many ticks is answered unknown (the client has timed out by then). */
const WRITE_GIVE_UP_TICKS = 150;
/** A strong read not served after this many ticks is answered fail: it changed nothing. */
const READ_GIVE_UP_TICKS = 60;

export function raftKvFactory(name: string, description: string, options: RaftKvOptions): SimNodeFactory {
  return {
    name, description, tickMicros: 10_000, clockDriftBound: options.clockDriftBound, create: (env) => new RaftKvNode(env, options),
    ...(options.membershipChanges === true ? { faultWeights: { membership: 5 } } : {}),
  };
}

interface PendingWrite {
  readonly id: string;
  readonly index: number;
  readonly term: number;
  readonly weak: boolean;
  readonly since: number;
  done: ((result: ClientResult) => void) | null;
}

interface PendingRead {
  readonly key: string;
  readonly since: number;
  /** Set once the leader confirmed it: serve when applied >= index. */
  index: number | null;
  readonly done: (result: ClientResult) => void;
}

class RaftKvNode implements SimNode {
  private readonly raw: RawNode;
  private readonly disk: RaftDisk;
  private readonly storage: MemoryStorage;
  private machine: KvMachine;
  private applied: number;
  private confState: ConfState;
  private snapshotIndex: number;
  private ticks = 0;
  /** A Ready is being persisted (waiting for its fsync): no other is taken before it is advanced. */
  private busy = false;
  private pumping = false;
  private readonly nonce: string;
  private nextRequest = 0;
  /** Proposed writes by the index the leader gave them (a list: after a snapshot replaced the
   *  log, a later term can reuse an index still awaited). */
  private readonly writes = new Map<number, PendingWrite[]>();
  private readonly reads = new Map<string, PendingRead>();

  constructor(
    private readonly env: NodeEnv,
    private readonly options: RaftKvOptions,
  ) {
    let loaded;
    try {
      loaded = RaftDisk.open(env.disk, DIR, env.members);
    } catch (e) {
      // An I/O error is the disk's fault: exit and let the supervisor restart us. Damage that the
      // fault model cannot cause (RaftDiskError) or anything else is a bug and ends the run.
      if (e instanceof RaftDiskError || !isIoError(e)) throw e;
      env.fatal(`opening the Raft log: ${(e as Error).message}`);
    }
    this.disk = loaded.disk;
    this.storage = loaded.storage;
    if (loaded.truncatedAt !== null) env.trace(`cut a torn tail of the Raft log at byte ${loaded.truncatedAt}`);
    const snap = this.storage.snapshot();
    this.machine = KvMachine.fromSnapshot(snap.data);
    this.applied = snap.metadata.index;
    this.snapshotIndex = snap.metadata.index;
    this.confState = snap.metadata.confState;
    this.raw = new RawNode({
      id: env.id,
      seed: env.random.u32(),
      applied: this.applied,
      readOnlyOption: options.readOnly,
      disableProposalForwarding: true,
    }, this.storage);
    this.nonce = env.random.u32().toString(36);
    const hs = this.storage.initialState().hardState;
    env.trace(`raft: started at term ${hs.term}, commit ${hs.commit}, log [${this.storage.firstIndex()}, ${this.storage.lastIndex()}], snapshot ${this.snapshotIndex}`);
    this.pump();
  }

  tick(): void {
    this.ticks++;
    this.raw.tick();
    this.giveUpOnOldRequests();
    this.pump();
  }

  receive(_from: number, bytes: Uint8Array): void {
    const m = decodeMessage(bytes);
    if (m === null) throw new Error(`undecodable Raft message of ${bytes.length} bytes`);
    this.raw.step(m);
    this.pump();
  }

  request(op: ClientOp, consistency: Consistency, done: (result: ClientResult) => void): void {
    if (op.kind === 'read') {
      if (consistency === 'weak' || (this.options.flaw === 'leader-local-reads' && this.raw.status().role === 'leader')) {
        done({ type: 'ok', output: { value: this.machine.get(op.key) } });
        return;
      }
      const context = this.requestId();
      const r = this.raw.readIndex(context);
      if (r.kind === 'dropped') {
        done(this.refusal(`read refused: ${r.reason}`));
        return;
      }
      this.reads.set(context, { key: op.key, since: this.ticks, index: null, done });
      this.pump();
      return;
    }
    const status = this.raw.status();
    if (status.role !== 'leader') {
      done(this.refusal('not the leader'));
      return;
    }
    const id = this.requestId();
    const r = this.raw.propose(encodeCommand(commandFor(op, id, this.env.clock.wallMillis())));
    if (r.kind !== 'appended') {
      done(this.refusal(r.kind === 'dropped' ? `proposal refused: ${r.reason}` : 'proposal forwarded'));
      return;
    }
    const ackEarly = this.options.flaw === 'ack-on-append' && op.kind === 'write';
    const waiting = this.writes.get(r.index) ?? [];
    waiting.push({ id, index: r.index, term: r.term, weak: (consistency === 'weak' || ackEarly) && op.kind === 'write', since: this.ticks, done });
    this.writes.set(r.index, waiting);
    this.pump();
  }

  /** One change at a time, as GROUP ADD/REMOVE make them: with no learner, a random voter other
   *  than this leader is demoted to learner (when at least three voters are there, so two stay);
   *  with a learner, it is promoted back. The core refuses while an earlier change is not applied. */
  changeMembership(random: Random): string | null {
    const s = this.raw.status();
    if (s.role !== 'leader') return null;
    const { voters, learners } = s.confState;
    let change: ConfChange;
    if (learners.length > 0) change = { type: 'add-node', nodeId: learners[0]!, context: new Uint8Array(0) };
    else {
      const others = voters.filter((v) => v !== this.env.id);
      if (voters.length < 3 || others.length === 0) return null;
      change = { type: 'add-learner', nodeId: random.pick(others), context: new Uint8Array(0) };
    }
    const r = this.raw.proposeConfChange(change);
    this.pump();
    const what = `${change.type === 'add-node' ? 'promote' : 'demote'} n${change.nodeId}`;
    return r.kind === 'appended' ? `${what} (index ${r.index})` : `${what}: ${r.kind === 'dropped' ? r.reason : 'forwarded'}`;
  }

  digest(): string {
    return this.machine.digest();
  }

  readLocal(key: string): Value {
    return this.machine.get(key);
  }

  status(): NodeStatus {
    const s = this.raw.status();
    return { role: s.role, applied: this.applied, term: s.term };
  }

  private requestId(): string {
    return `n${this.env.id}.${this.nonce}.${this.nextRequest++}`;
  }

  /** A refusal: nothing was proposed. The hint names the leader when this node knows one. */
  private refusal(reason: string): ClientResult {
    const lead = this.raw.status().lead;
    return lead !== 0 && lead !== this.env.id ? { type: 'fail', reason, leaderHint: lead } : { type: 'fail', reason };
  }

  /** Handles Readies until none is left or one waits for its fsync (the disk callback resumes). */
  private pump(): void {
    if (this.pumping) return;
    this.pumping = true;
    try {
      while (!this.busy && this.raw.hasReady()) {
        const rd = this.raw.ready();
        this.busy = true;
        let synchronous = true;
        this.disk.persist(rd, this.storage, (error) => {
          if (error !== null) this.env.fatal(`persisting the Raft log failed: ${error.message}`);
          this.afterPersist(rd);
          this.busy = false;
          if (!synchronous) this.pump();
        });
        synchronous = false;
      }
    } finally {
      this.pumping = false;
    }
  }

  /** The Ready is durable: send, apply, serve reads, advance; then maybe snapshot. */
  private afterPersist(rd: Ready): void {
    for (const m of rd.messages) {
      this.env.send(m.to, encodeMessage(m));
      // The simulated network gives no delivery report: a lost snapshot shows later as the
      // follower's rejection, and the leader probes again.
      if (m.type === 'snap') this.raw.reportSnapshot(m.to, 'finish');
    }
    if (rd.softState !== null) this.env.trace(`raft: ${rd.softState.role}, leader n${rd.softState.lead}`);
    // Weak writes: acknowledged once the leader's own log holds them durably.
    for (const e of rd.entries) {
      for (const w of this.writes.get(e.index) ?? []) {
        if (w.weak && w.term === e.term && w.done !== null) {
          w.done({ type: 'ok', output: null });
          w.done = null;
        }
      }
    }
    if (rd.snapshot !== null) {
      const meta = rd.snapshot.metadata;
      this.env.trace(`raft: installing a snapshot at index ${meta.index} (term ${meta.term})`);
      this.machine = KvMachine.fromSnapshot(rd.snapshot.data);
      this.applied = meta.index;
      this.snapshotIndex = meta.index;
      this.confState = meta.confState;
      // Whatever was awaited up to there is inside the snapshot or was replaced: no way to tell.
      for (const [index, waiting] of this.writes) {
        if (index > meta.index) continue;
        for (const w of waiting) w.done?.({ type: 'unknown', reason: 'a snapshot replaced the log' });
        this.writes.delete(index);
      }
    }
    for (const e of rd.committedEntries) {
      if (e.index !== this.applied + 1) throw new Error(`applying entry ${e.index} after ${this.applied}`);
      this.applied = e.index;
      let output: ClientResult | null = null;
      let id = '';
      if (e.type === 'conf-change') {
        const cc = decodeConfChange(e.data);
        if (cc === null) throw new Error(`undecodable conf change at index ${e.index}`);
        this.confState = this.raw.applyConfChange(cc);
      } else if (e.data.length > 0) {
        const command = decodeCommand(e.data);
        id = command.id;
        output = { type: 'ok', output: this.machine.apply(command) };
      }
      const waiting = this.writes.get(e.index);
      if (waiting === undefined) continue;
      this.writes.delete(e.index);
      for (const w of waiting) {
        if (w.term === e.term) {
          // Log matching: the entry at (index, term) is the one this node proposed.
          if (w.id !== id || output === null) throw new Error(`entry ${e.index} of term ${e.term} is not request ${w.id}`);
          w.done?.(output);
        } else {
          w.done?.({ type: 'fail', reason: `another entry (term ${e.term}) was committed at index ${e.index}` });
        }
      }
    }
    for (const rs of rd.readStates) {
      const r = this.reads.get(rs.context);
      if (r !== undefined) r.index = rs.index;
    }
    this.serveReads();
    this.raw.advance(rd);
    this.maybeSnapshot();
  }

  private serveReads(): void {
    for (const [context, r] of this.reads) {
      if (r.index === null || r.index > this.applied) continue;
      this.reads.delete(context);
      r.done({ type: 'ok', output: { value: this.machine.get(r.key) } });
    }
  }

  private giveUpOnOldRequests(): void {
    for (const [index, waiting] of this.writes) {
      const keep = waiting.filter((w) => {
        if (this.ticks - w.since < WRITE_GIVE_UP_TICKS) return true;
        w.done?.({ type: 'unknown', reason: `entry ${w.index} not applied after ${WRITE_GIVE_UP_TICKS} ticks` });
        return false;
      });
      if (keep.length === 0) this.writes.delete(index);
      else this.writes.set(index, keep);
    }
    for (const [context, r] of this.reads) {
      if (this.ticks - r.since < READ_GIVE_UP_TICKS) continue;
      this.reads.delete(context);
      r.done({ type: 'fail', reason: r.index === null ? 'read index not confirmed' : `not applied up to ${r.index} in time` });
    }
  }

  /** Snapshots the state machine at the applied index and compacts the log behind it. */
  private maybeSnapshot(): void {
    const every = this.options.snapshotEvery;
    if (every === 0 || this.applied - this.snapshotIndex < every) return;
    const created = this.storage.createSnapshot(this.applied, this.confState, this.machine.snapshot());
    if (created === 'out-of-date') return;
    try {
      this.disk.saveSnapshot(created, this.storage, this.applied - this.options.keepEntries);
    } catch (e) {
      if (!isIoError(e)) throw e;
      this.env.fatal(`saving a Raft snapshot failed: ${(e as Error).message}`);
    }
    this.snapshotIndex = this.applied;
    this.env.trace(`raft: snapshot at index ${this.applied}, log now [${this.storage.firstIndex()}, ${this.storage.lastIndex()}]`);
  }
}

function isIoError(e: unknown): boolean {
  return e instanceof Error && typeof (e as { code?: unknown }).code === 'string';
}
