// The shell around one replica's Raft core: ticks from a timer, messages from the peer links,
// and each Ready handled in the order Raft requires: persist (fsync) first, then send, then
// apply, then advance. The state machine it drives is given by the caller (a Cairn engine in a
// replica group, a small log in tests); this file knows nothing of keys or commands.
import { decodeConfChange, decodeMessage, encodeMessage, encodeSnapshotMessage, RawNode, type ConfChange, type ConfState, type Entry, type NodeId, type ProposeResult, type RaftConfigInput, type RaftStatus, type ReadIndexResult, type ReadState, type Ready, type Snapshot, type SoftState } from '../../core/raft/index.js';
import type { MemoryStorage } from '../../core/raft/storage.js';
import type { PeerLinks } from './peer-links.js';
import type { RaftDisk } from './raft-disk.js';

/** What the group replicates: committed entries are applied in log order on every replica. */
export interface StateMachine {
  /** A committed normal entry (an empty payload is a new leader's no-op). */
  apply(entry: Entry): void;
  /** A committed membership change, before Raft applies it: changes to apply first (a node that
   *  joined learns the membership it never saw this way), usually none. */
  beforeConfChange?(change: ConfChange, current: ConfState): readonly ConfChange[];
  /** A committed membership change, after Raft applied it. */
  applyConfChange(change: ConfChange, state: ConfState, entry: Entry): void;
  /** A snapshot from the leader replaces the state machine's whole state. */
  restore(snapshot: Snapshot): void;
  /** The log is durable up to `lastIndex` (called after each persisted Ready, before sending). */
  persisted?(lastIndex: number): void;
  /** Leadership or the known leader changed. */
  roleChanged?(soft: SoftState): void;
  /** A ReadIndex request is ready: serve it once `readState.index` is applied (it is, here). */
  readReady?(readState: ReadState): void;
}

export interface RaftLoopOptions {
  readonly raft: RaftConfigInput;
  readonly storage: MemoryStorage;
  readonly disk: RaftDisk;
  readonly links: PeerLinks;
  readonly machine: StateMachine;
  /** Milliseconds per Raft tick (election after raftLimits.electionTicks ticks). */
  readonly tickMs: number;
  /** The disk failed: Raft cannot go on safely; the caller stops the node. */
  readonly onFatal: (error: Error) => void;
}

export class RaftLoop {
  readonly node: RawNode;
  private readonly timer: NodeJS.Timeout;
  /** A Ready is being persisted; no other is taken until it has been advanced. */
  private busy = false;
  private scheduled = false;
  private stopped = false;
  /** Work that must not overlap a Ready being persisted (saving a snapshot rewrites the log). */
  private idleTasks: Array<() => void> = [];
  /** Highest index applied to the state machine. */
  applied: number;

  constructor(private readonly options: RaftLoopOptions) {
    this.node = new RawNode(options.raft, options.storage);
    this.applied = options.raft.applied ?? 0;
    this.timer = setInterval(() => {
      this.node.tick();
      this.pump();
    }, options.tickMs);
    this.timer.unref();
  }

  /** A message from a peer link; bytes that are not a message are dropped. */
  receive(bytes: Uint8Array): void {
    if (this.stopped) return;
    const m = decodeMessage(bytes);
    if (m === null) return;
    this.node.step(m);
    this.pump();
  }

  propose(data: Uint8Array): ProposeResult {
    const result = this.node.propose(data);
    this.pump();
    return result;
  }

  proposeConfChange(change: ConfChange): ProposeResult {
    const result = this.node.proposeConfChange(change);
    this.pump();
    return result;
  }

  readIndex(context: string): ReadIndexResult {
    const result = this.node.readIndex(context);
    this.pump();
    return result;
  }

  transferLeadership(to: NodeId): void {
    this.node.transferLeadership(to);
    this.pump();
  }

  campaign(): void {
    this.node.campaign();
    this.pump();
  }

  status(): RaftStatus {
    return this.node.status();
  }

  /**
   * Runs `task` once no Ready is being persisted: now if none is, else right after the current
   * one is advanced and before the next is taken. The task must not throw.
   */
  runWhenIdle(task: () => void): void {
    if (this.stopped) return;
    if (!this.busy) {
      task();
      return;
    }
    this.idleTasks.push(task);
  }

  stop(): void {
    this.stopped = true;
    this.idleTasks = [];
    clearInterval(this.timer);
  }

  /** Handles Readies until none is left; batches calls made in one turn of the event loop. */
  private pump(): void {
    if (this.scheduled || this.stopped) return;
    this.scheduled = true;
    queueMicrotask(() => {
      this.scheduled = false;
      this.handleReady();
    });
  }

  private handleReady(): void {
    if (this.busy || this.stopped || !this.node.hasReady()) return;
    this.busy = true;
    const rd = this.node.ready();
    this.options.disk.persist(rd, this.options.storage, (error) => {
      if (this.stopped) return;
      if (error !== null) {
        this.stop();
        this.options.onFatal(error);
        return;
      }
      this.afterPersist(rd);
      this.busy = false;
      const tasks = this.idleTasks;
      this.idleTasks = [];
      for (const task of tasks) if (!this.stopped) task();
      this.handleReady();
    });
  }

  private afterPersist(rd: Ready): void {
    if (rd.entries.length > 0) this.options.machine.persisted?.(this.options.storage.lastIndex());
    for (const m of rd.messages) {
      // A snapshot is framed from its parts: its data (maybe hundreds of MB) is not copied.
      const sent = this.options.links.send(m.to, m.type === 'snap' ? encodeSnapshotMessage(m) : encodeMessage(m));
      if (!sent) this.node.reportUnreachable(m.to);
      // Raft pauses a follower while a snapshot is on its way: say how the send went (a lost
      // snapshot shows later as the follower's rejection, and Raft probes again).
      if (m.type === 'snap') this.node.reportSnapshot(m.to, sent ? 'finish' : 'failure');
    }
    if (rd.softState !== null) this.options.machine.roleChanged?.(rd.softState);
    if (rd.snapshot !== null) {
      this.options.machine.restore(rd.snapshot);
      this.applied = rd.snapshot.metadata.index;
    }
    for (const entry of rd.committedEntries) {
      if (entry.type === 'conf-change') {
        const change = decodeConfChange(entry.data);
        if (change !== null) {
          for (const seed of this.options.machine.beforeConfChange?.(change, this.node.status().confState) ?? []) this.node.applyConfChange(seed);
          this.options.machine.applyConfChange(change, this.node.applyConfChange(change), entry);
        }
      } else {
        this.options.machine.apply(entry);
      }
      this.applied = entry.index;
    }
    for (const rs of rd.readStates) this.options.machine.readReady?.(rs);
    this.node.advance(rd);
  }
}
