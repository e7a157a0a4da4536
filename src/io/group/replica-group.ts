// One replica of a Raft replica group of Cairn servers (docs/design/replica-group.md): the
// shell that joins the engine to its Raft loop.
//
// - The leader runs commands as a single server does; the effects of each event-loop turn
//   become one Raft entry, and replies wait in ReplyHold until the GroupBarrier says the turn is
//   committed (or, for leader-acknowledged writes, on the leader's disk).
// - Followers apply committed entries through a replay session with the key space's clock at 0
//   and never expire keys themselves (Keyspace.replicaExpiry).
// - A leader that loses leadership with writes not yet committed drops the clients waiting on
//   them and rebuilds its key space from its newest Raft snapshot and the committed log after it.
// - Every member snapshots its key space into Raft and compacts its log (group-snapshotter.ts,
//   docs/design/group-snapshots.md); a follower too far behind gets the leader's snapshot.
import { randomBytes } from 'node:crypto';
import type { CommandSpec } from '../../core/commands/spec.js';
import { SLOT_COUNT } from '../../core/cluster/slots.js';
import type { ClusterNodeView, ClusterView } from '../../core/cluster/view.js';
import * as errors from '../../core/errors.js';
import type { Effect } from '../../core/keyspace.js';
import { BLOCKED, int, OK, ReplyKind, type Reply } from '../../core/reply.js';
import type { ConfChange, ConfState, Entry, ReadState, Snapshot, SoftState, StateRole } from '../../core/raft/index.js';
import type { MemoryStorage } from '../../core/raft/storage.js';
import type { ServerContext } from '../../server/context.js';
import type { Engine } from '../../server/engine.js';
import { DEFAULT_CONSISTENCY, type Consistency, type GroupGate } from '../../server/group-gate.js';
import type { Logger } from '../../server/log.js';
import type { ReplyBarrier } from '../../server/persistence-gate.js';
import type { ReplicaInfo, ReplicationStatus } from '../../server/replication.js';
import { SILENT_TRANSPORT, type Session } from '../../server/session.js';
import { nodeFileSystem, type FileSystem } from '../persistence/file-system.js';
import { encodeRecord } from '../persistence/log-format.js';
import { decodeEntryBatch, encodeEntryBatch } from './entry-batch.js';
import { GroupBarrier } from './group-barrier.js';
import { GroupMembership, type MemberRecord } from './group-membership.js';
import { checkGroupOrigin } from './group-origin.js';
import type { GroupPlan } from './group-peers.js';
import { FollowerReads, servedByFollower } from './follower-reads.js';
import { GroupSnapshotter, loadGroupSnapshot } from './group-snapshotter.js';
import { LeaderForwarder } from './leader-forwarder.js';
import { FollowerTransactions } from './follower-transactions.js';
import { MembershipAdmin } from './membership-admin.js';
import { PeerLinks } from './peer-links.js';
import { RaftDisk } from './raft-disk.js';
import { RaftLoop, type StateMachine } from './raft-loop.js';

type Spec = CommandSpec<ServerContext>;

export interface ReplicaGroupOptions {
  readonly engine: Engine;
  readonly plan: GroupPlan;
  /** Folder of the Raft log and snapshot (`<dir>/raft`). */
  readonly raftDir: string;
  readonly fs?: FileSystem;
  readonly log: Logger;
  /** Milliseconds per Raft tick; an election starts after 10 to 20 ticks without a leader. */
  readonly tickMs: number;
  /** Cluster mode: the group shows as one shard owning every slot, the leader as its primary. */
  readonly clusterMode: boolean;
  /** Raft cannot go on (the disk failed): the caller stops the process. */
  readonly onFatal: (error: Error) => void;
}

/** Commands that read data (and so need a ReadIndex round under linearizable reads). */
const SCRIPT_CALLS = new Set(['eval', 'evalsha', 'eval_ro', 'evalsha_ro', 'fcall', 'fcall_ro']);

interface SessionLevels {
  base: Consistency;
  next: Partial<Consistency> | null;
  /** The command being admitted runs with these. */
  current: Consistency;
  /** Majority acknowledgement is owed up to this turn even if the connection now asks for less. */
  majorityThrough: number;
  /** The turn of the session's last write (WAIT). */
  lastWriteSeq: number;
  /** The latest turn in which the session ran a linearizable read on this leader. */
  readTurn: number;
  view: ReplyBarrier | null;
}

export class ReplicaGroup implements GroupGate, StateMachine, ReplicationStatus {
  readonly loop: RaftLoop;
  readonly links: PeerLinks;
  readonly barrier = new GroupBarrier();
  private readonly engine: Engine;
  private readonly disk: RaftDisk;
  /** Members, their addresses and node ids, and the GROUP commands (membership-admin.ts). */
  readonly admin: MembershipAdmin;
  private readonly self: MemberRecord;
  private readonly replay: Session;
  private readonly levels = new WeakMap<Session, SessionLevels>();
  private readonly forwarder: LeaderForwarder;
  private readonly transactions: FollowerTransactions;
  private readonly followerReads: FollowerReads;
  private readonly viewTimer: NodeJS.Timeout;
  private readonly waitTimer: NodeJS.Timeout;
  /** Highest Raft index whose effects are in the key space (ahead of commit on a leader), and its term. */
  private executedThrough = 0;
  private executedTerm = 0;
  readonly snapshots: GroupSnapshotter;
  private snapshotCheckScheduled = false;
  /** Records of the turn being filled (leader). */
  private turnRecords: Buffer[] = [];
  private raftRole: StateRole = 'follower';
  private lead = 0;
  /** A leader serves only once it applied every entry of earlier terms. */
  private leaderReady = false;
  /** Turn sequence -> Raft index of its entry, for WAIT (recent turns only). */
  private readonly turnIndex = new Map<number, number>();
  private stopped = false;

  private constructor(
    private readonly options: ReplicaGroupOptions,
    disk: RaftDisk,
    private readonly storage: MemoryStorage,
  ) {
    this.engine = options.engine;
    this.disk = disk;
    const plan = options.plan;
    const registry = plan.joinNodeId !== undefined ? new GroupMembership() : GroupMembership.bootstrap(plan.members);
    this.self = registry.get(plan.self.id) ?? { ...plan.self, nodeId: plan.joinNodeId ?? '', role: 'learner' };
    this.replay = this.engine.createSession(SILENT_TRANSPORT, 'raft-apply', 'raft-apply');
    this.replay.authenticated = true;
    this.replay.canBlock = false;
    this.engine.ks.replicaExpiry = true;
    this.forwarder = new LeaderForwarder(this.engine, () => this.leaderAddress());
    this.transactions = new FollowerTransactions(this.forwarder, () => this.forwardRefusal());
    // The newest snapshot first (Raft's applied index starts there), then Raft hands over the
    // committed entries after it.
    const snap = storage.snapshot();
    const snapshotMembers = snap.data.byteLength > 0 ? loadGroupSnapshot(this.engine, snap.data, options.log) : new Uint8Array(0);
    this.executedThrough = snap.metadata.index;
    this.executedTerm = snap.metadata.term;
    this.snapshots = new GroupSnapshotter({
      engine: this.engine, storage, disk, log: options.log, members: () => this.membersSnapshot(), onFatal: (e) => options.onFatal(e),
    });
    let loop: RaftLoop | null = null;
    this.links = new PeerLinks({
      selfId: this.self.id,
      groupName: 'cairn',
      listenHost: this.self.host,
      listenPort: this.self.busPort,
      onMessage: (_from, bytes) => loop?.receive(bytes),
      onWarning: (message, fields) => options.log.warning(message, fields),
    });
    this.loop = loop = new RaftLoop({
      raft: { id: this.self.id, seed: randomBytes(4).readUInt32LE(0) & 0x7fffffff, applied: snap.metadata.index },
      storage,
      disk,
      links: this.links,
      machine: this,
      tickMs: options.tickMs,
      onFatal: (e) => options.onFatal(e),
    });
    this.admin = new MembershipAdmin({
      engine: this.engine, loop: this.loop, links: this.links, storage, log: options.log, clusterMode: options.clusterMode, self: this.self,
      leaderId: () => this.lead,
      isServingLeader: () => this.raftRole === 'leader' && this.leaderReady,
      membersChanged: () => this.publishView(),
    }, registry, options.tickMs);
    this.restoreMembers(snapshotMembers); // the registry as of the snapshot; conf changes after it follow
    this.followerReads = new FollowerReads({
      engine: this.engine, selfId: this.self.id, readIndex: (context) => this.loop.readIndex(context),
      applied: () => this.executedThrough, timeoutMs: 20 * options.tickMs, following: () => this.raftRole !== 'leader',
    });
    this.viewTimer = setInterval(() => this.publishView(), 1000);
    this.viewTimer.unref();
    // Followers' acknowledgements arrive between commits: WAIT looks again every tick.
    this.waitTimer = setInterval(() => this.serveWaits(), options.tickMs);
    this.waitTimer.unref();
  }

  /** Opens the Raft files, starts the peer links and the Raft loop, and hooks into the engine. */
  static async start(options: ReplicaGroupOptions): Promise<ReplicaGroup> {
    const fs = options.fs ?? nodeFileSystem;
    const wrongOrigin = checkGroupOrigin(fs, options.raftDir, options.plan);
    if (wrongOrigin !== null) throw new Error(wrongOrigin);
    const { disk, storage, truncatedAt } = RaftDisk.open(fs, options.raftDir, options.plan.joinNodeId !== undefined ? [] : options.plan.members.map((m) => m.id));
    if (truncatedAt !== null) options.log.warning('the Raft log ended in a torn record; it was cut off', { offset: truncatedAt });
    const group = new ReplicaGroup(options, disk, storage);
    group.snapshots.attach(group.loop);
    await group.links.listen();
    group.links.setPeers(group.admin.peerAddresses());
    const engine = options.engine;
    const previous = engine.hooks.effects;
    engine.hooks = {
      ...engine.hooks,
      effects: (effects) => {
        previous?.(effects);
        group.onEffects(effects);
      },
    };
    engine.group = group;
    engine.replication = group;
    group.publishView();
    return group;
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    clearInterval(this.viewTimer);
    clearInterval(this.waitTimer);
    this.admin.close();
    this.loop.stop();
    this.forwarder.close();
    this.followerReads.close();
    await this.links.close();
    this.disk.close();
  }

  // ---------------------------------------------------------------------------------------------
  // The engine's side

  private levelsOf(s: Session): SessionLevels {
    let l = this.levels.get(s);
    if (l === undefined) {
      l = { base: DEFAULT_CONSISTENCY, next: null, current: DEFAULT_CONSISTENCY, majorityThrough: 0, lastWriteSeq: 0, readTurn: 0, view: null };
      this.levels.set(s, l);
    }
    return l;
  }

  consistency(s: Session): Consistency {
    return this.levelsOf(s).base;
  }

  setConsistency(s: Session, levels: Partial<Consistency>, next: boolean): void {
    const l = this.levelsOf(s);
    if (next) l.next = { ...l.next, ...levels };
    else l.base = { ...l.base, ...levels };
  }

  replyBarrier(s: Session): ReplyBarrier {
    const l = this.levelsOf(s);
    if (l.view === null) {
      l.view = this.barrier.view(
        (committedSeq) => (l.base.writes === 'majority' || l.majorityThrough > committedSeq ? 'majority' : 'leader'),
        () => l.readTurn,
      );
    }
    return l.view;
  }

  admit(s: Session, spec: Spec, argv: readonly string[], fullName: string): Reply | null {
    if (s === this.replay) return null;
    const l = this.levelsOf(s);
    l.current = l.next === null ? l.base : { ...l.base, ...l.next };
    if (fullName !== 'consistency') l.next = null;
    if (!this.options.clusterMode) {
      // WATCH and MULTI on a follower hand the transaction to the leader (follower-transactions.ts).
      const handed = this.transactions.admit(s, argv, fullName, l.current, this.raftRole !== 'leader');
      if (handed !== undefined) return handed;
    }
    const writes = isWrite(s, spec, fullName);
    const reads = !writes && readsData(s, spec, fullName);
    if (!writes && !reads) return null;
    if (this.admin.removed) return errors.groupRemovedMember();
    if (!this.admin.isMember) return errors.groupNotYetMember();
    if (this.raftRole !== 'leader') {
      // Cluster mode routed this already (MOVED, or a READONLY connection's read).
      if (this.options.clusterMode) return writes ? errors.readOnlyReplica() : null;
      if (reads && (l.current.reads === 'eventual' || s.clusterReadOnly)) return null;
      if (this.lead === 0) return errors.groupNoLeader();
      if (reads && l.current.reads === 'linearizable' && this.engine.config.bool('group-follower-reads') && servedByFollower(spec, fullName)) {
        // Raft's ReadIndex from a follower: the read runs here once this replica caught up (follower-reads.ts).
        s.blockRequest = { keys: [], timeoutMs: 0, timeoutReply: errors.groupReadUnconfirmed('unblocked'), waitsFor: undefined };
        const blocking = this.engine.blocking;
        this.followerReads.add({ session: s, spec, argv: [...argv], fullName, serve: (reply) => void (blocking.isBlocked(s) && blocking.answer(s, reply())) });
        return BLOCKED;
      }
      return this.forwarder.forward(s, argv, l.current) ? BLOCKED : errors.readOnlyReplica();
    }
    if (!this.leaderReady) return errors.groupLeaderCatchingUp();
    if (s.multi !== null && fullName !== 'exec') return null; // queued: EXEC is what runs
    const turn = this.barrier.nextTurnSeq;
    if (writes) {
      l.lastWriteSeq = turn;
      if (l.current.writes === 'majority') l.majorityThrough = turn;
    }
    // A leader-acknowledged write answers from the leader's state once on its disk: no read round.
    if (l.current.reads === 'linearizable' && !(writes && l.current.writes === 'leader')) l.readTurn = this.barrier.noteRead(() => this.scheduleTurnEnd());
    return null;
  }

  refusedBeforeAdmission(s: Session): void {
    this.transactions.refusedBeforeAdmission(s);
  }

  /** Why a follower cannot hand a command to the leader now, or null. */
  private forwardRefusal(): Reply | null {
    if (this.admin.removed) return errors.groupRemovedMember();
    if (!this.admin.isMember) return errors.groupNotYetMember();
    if (this.lead === 0) return errors.groupNoLeader();
    return null;
  }

  /**
   * CLUSTER FAILOVER on a follower: Raft's leadership transfer to this node (the request goes to
   * the leader, which brings this node up to date and tells it to campaign). As in Redis, OK
   * means the failover started; ROLE shows when it is done.
   */
  failover(s: Session): Reply {
    void s;
    if (this.raftRole === 'leader') return errors.failoverOnLeader();
    if (this.lead === 0) return errors.failoverNoLeader();
    this.loop.transferLeadership(this.self.id);
    return OK;
  }

  private onEffects(effects: readonly Effect[]): void {
    if (this.stopped) return;
    if (this.raftRole !== 'leader' || !this.leaderReady) {
      // Only a serving leader writes; anything else would make this replica diverge.
      this.options.log.warning('a write outside a serving leader was dropped; the replica will be rebuilt', { command: effects[0]?.argv[0] });
      this.needsRebuild = true;
      return;
    }
    this.turnRecords.push(encodeRecord(effects));
    this.barrier.noteWrite(() => this.scheduleTurnEnd());
  }

  private needsRebuild = false;

  private scheduleTurnEnd(): void {
    setImmediate(() => this.endTurn());
  }

  /** Proposes the turn's writes as one entry and starts its read round. */
  private endTurn(): void {
    const t = this.barrier.closeTurn();
    if (t === null || this.stopped) return;
    if (this.raftRole !== 'leader') return; // the step-down already dealt with it
    if (t.wrote) {
      const records = this.turnRecords;
      this.turnRecords = [];
      const result = this.loop.propose(encodeEntryBatch(records));
      if (result.kind !== 'appended') {
        this.rollBack(`the proposal was ${result.kind}`);
        return;
      }
      this.barrier.proposed(t, result.index);
      this.executedThrough = result.index;
      this.executedTerm = result.term;
      this.turnIndex.set(t.seq, result.index);
      if (this.turnIndex.size > 100_000) this.turnIndex.delete(this.turnIndex.keys().next().value!);
    }
    if (t.read && !t.wrote) { // a turn that wrote has its reads confirmed by its entry's commit (group-barrier.ts)
      const result = this.loop.readIndex(`t${t.seq}`);
      if (result.kind !== 'pending') this.barrier.abandonPending();
    }
    this.maybeSnapshot();
  }

  /**
   * Starts a Raft snapshot if the log has grown enough, at a moment when the key space is
   * exactly the state after executedThrough: no write of this turn waits to be proposed and no
   * stray write awaits a rebuild. On a leader that index may not be committed yet; the
   * snapshotter hands the snapshot to Raft only once it is (docs/design/group-snapshots.md).
   */
  private maybeSnapshot(): void {
    if (this.stopped || this.needsRebuild || this.turnRecords.length > 0) return;
    if (!this.snapshots.due(this.loop.applied)) return;
    this.snapshots.start(this.executedThrough, this.executedTerm);
  }

  private scheduleSnapshotCheck(): void {
    if (this.snapshotCheckScheduled) return;
    this.snapshotCheckScheduled = true;
    setImmediate(() => {
      this.snapshotCheckScheduled = false;
      this.maybeSnapshot();
    });
  }

  // ---------------------------------------------------------------------------------------------
  // Raft's side (StateMachine)

  apply(entry: Entry): void {
    if (entry.index > this.executedThrough) {
      if (entry.data.byteLength > 0) this.applyBatch(entry);
      this.executedThrough = entry.index;
      this.executedTerm = entry.term;
    }
    this.barrier.committedThrough(entry.index);
    this.snapshots.noteApplied(entry);
    this.snapshots.handOff(entry.index);
    this.scheduleSnapshotCheck();
    this.followerReads.appliedThrough(this.executedThrough);
    if (this.raftRole === 'leader' && !this.leaderReady && this.executedThrough >= this.loop.node.status().lastIndex) this.becomeReady();
    this.serveWaits();
  }

  beforeConfChange(change: ConfChange, current: ConfState): readonly ConfChange[] {
    return this.admin.beforeConfChange(change, current);
  }

  applyConfChange(change: ConfChange, state: ConfState, entry: Entry): void {
    if (entry.index > this.executedThrough) {
      this.executedThrough = entry.index;
      this.executedTerm = entry.term;
    }
    this.barrier.committedThrough(entry.index);
    this.admin.applied(change, state, entry);
    this.snapshots.noteConfChange(entry.index, state);
  }

  /** InstallSnapshot: the leader's snapshot replaces the whole key space (Raft persisted it already). */
  restore(snapshot: Snapshot): void {
    const { index, term } = snapshot.metadata;
    const started = Date.now();
    this.turnRecords = [];
    this.needsRebuild = false;
    this.flushKeyspace();
    try {
      this.restoreMembers(loadGroupSnapshot(this.engine, snapshot.data, this.options.log));
    } catch (e) {
      this.options.onFatal(new Error(`the Raft snapshot at index ${index} from the leader cannot be loaded: ${(e as Error).message}`));
      return;
    }
    this.executedThrough = index;
    this.executedTerm = term;
    this.snapshots.installed(index, snapshot.metadata.confState);
    this.snapshots.installs++;
    this.barrier.committedThrough(index);
    this.followerReads.appliedThrough(index);
    this.options.log.notice('installed a Raft snapshot from the leader', { index, term, bytes: snapshot.data.byteLength, ms: Date.now() - started });
  }

  /** The members section of this group's Raft snapshots: the member registry (membership-admin.ts). */
  membersSnapshot(): Uint8Array {
    return this.admin.membersSnapshot();
  }

  /** A snapshot's members section (from this node's disk or from the leader) replaces the registry. */
  restoreMembers(bytes: Uint8Array): void {
    if (bytes.byteLength === 0) return;
    if (!this.admin.restoreMembers(bytes)) this.options.log.warning('the members section of a Raft snapshot is not a registry this version reads; the members were kept');
  }

  persisted(lastIndex: number): void {
    this.barrier.persistedThrough(lastIndex);
  }

  roleChanged(soft: SoftState): void {
    const wasLeader = this.raftRole === 'leader';
    const leaderChanged = soft.lead !== this.lead;
    if (leaderChanged) this.forwarder.leaderChanged();
    this.raftRole = soft.role;
    this.lead = soft.lead;
    if (soft.role === 'leader') this.followerReads.becameLeader();
    else if (leaderChanged && soft.lead !== 0) this.followerReads.leaderChanged();
    if (wasLeader && soft.role !== 'leader') this.rollBack('leadership lost');
    if (soft.role === 'leader') {
      this.leaderReady = false;
      if (this.executedThrough >= this.loop.node.status().lastIndex) this.becomeReady();
    } else {
      this.leaderReady = false;
      this.engine.ks.replicaExpiry = true;
    }
    this.options.log.notice('replica group role changed', { role: soft.role, leader: soft.lead, term: this.loop.node.status().term });
    this.publishView();
  }

  readReady(rs: ReadState): void {
    if (rs.context.startsWith('t')) this.barrier.readConfirmed(Number(rs.context.slice(1)));
    else if (this.followerReads.owns(rs.context)) this.followerReads.readReady(rs);
  }

  private becomeReady(): void {
    this.leaderReady = true;
    this.engine.ks.replicaExpiry = false;
    this.publishView();
  }

  /** Replays one committed entry's effects, as the append-only log's loader does. */
  private applyBatch(entry: Entry): void {
    const batch = decodeEntryBatch(entry.data);
    if (batch === null) {
      this.options.onFatal(new Error(`Raft entry ${entry.index} is not a batch of effects this version can read`));
      return;
    }
    const engine = this.engine;
    const savedNow = engine.ks.now;
    engine.ks.now = 0;
    try {
      for (const effects of batch) {
        for (const effect of effects) {
          const found = engine.resolve(effect.argv);
          if (typeof found === 'string' || 'error' in found) {
            this.options.log.warning('a replicated write names a command this server cannot run', { index: entry.index, command: effect.argv[0]?.slice(0, 64) });
            continue;
          }
          this.replay.db = effect.db;
          engine.ks.now = 0;
          const reply = engine.call(this.replay, found.spec, effect.argv as string[], found.fullName);
          if (reply.k === ReplyKind.Error) this.options.log.warning('a replicated write failed', { index: entry.index, command: effect.argv[0], error: String(reply.v) });
        }
      }
    } finally {
      engine.ks.takeEffects(); // what the leader logged already
      engine.ks.takeReadyKeys();
      engine.ks.now = savedNow;
    }
  }

  /**
   * Speculative writes (executed, not committed) must not survive: clients waiting on them are
   * dropped, and the key space is rebuilt from the committed log (the entries up to the last one
   * applied; later committed entries arrive through apply()).
   */
  private rollBack(why: string): void {
    this.snapshots.rolledBack(this.loop.applied);
    const speculative = this.executedThrough > this.loop.applied || this.turnRecords.length > 0 || this.barrier.uncommittedWrites || this.needsRebuild;
    this.turnRecords = [];
    this.barrier.closeTurn();
    this.barrier.abandonPending();
    this.leaderReady = false;
    this.engine.ks.replicaExpiry = true;
    if (!speculative) return;
    this.options.log.warning('rolling back writes that were not committed', { why, executed: this.executedThrough, applied: this.loop.applied });
    this.rebuild(this.loop.applied);
  }

  /** The key space from the newest snapshot and the committed entries after it, up to `through`. */
  private rebuild(through: number): void {
    this.needsRebuild = false;
    this.flushKeyspace();
    const storage = this.storage;
    const snap = storage.snapshot();
    try {
      if (snap.data.byteLength > 0) loadGroupSnapshot(this.engine, snap.data, this.options.log);
    } catch (e) {
      this.options.onFatal(new Error(`the Raft snapshot at index ${snap.metadata.index} cannot be loaded: ${(e as Error).message}`));
      return;
    }
    // Entries kept behind the snapshot (for lagging followers) are already in it.
    for (let lo = Math.max(storage.firstIndex(), snap.metadata.index + 1); lo <= through; ) {
      const batch = storage.entries(lo, through + 1, 64 * 1024 * 1024);
      for (const e of batch) if (e.type === 'normal' && e.data.byteLength > 0) this.applyBatch(e);
      lo += batch.length;
    }
    this.executedThrough = through;
    this.executedTerm = storage.term(through);
  }

  /** Empties the key space, the function libraries and the script cache (replay session, no effects). */
  private flushKeyspace(): void {
    const engine = this.engine;
    for (const argv of [['FLUSHALL', 'SYNC'], ['FUNCTION', 'FLUSH', 'SYNC'], ['SCRIPT', 'FLUSH', 'SYNC']]) {
      const found = engine.resolve(argv);
      if (typeof found !== 'string' && !('error' in found)) engine.call(this.replay, found.spec, argv, found.fullName);
    }
    engine.ks.takeEffects();
  }

  // ---------------------------------------------------------------------------------------------
  // ReplicationStatus (ROLE, WAIT, INFO replication)

  role(): 'master' | 'slave' {
    return this.raftRole === 'leader' ? 'master' : 'slave';
  }

  primary(): { ip: string; port: number } | null {
    const m = this.leaderAddress();
    return m === null ? null : { ip: m.host, port: m.port };
  }

  offset(): number {
    return this.executedThrough;
  }

  replicas(): readonly ReplicaInfo[] {
    if (this.raftRole !== 'leader') return [];
    const progress = this.loop.node.status().progress;
    const out: ReplicaInfo[] = [];
    for (const m of this.admin.registry.list()) {
      if (m.id === this.self.id) continue;
      const p = progress.get(m.id);
      if (p !== undefined && this.links.stats(m.id)?.connected === true) out.push({ ip: m.host, port: m.port, offset: p.match });
    }
    return out;
  }

  /** INFO replication: where the Raft log starts and the snapshots behind it. */
  groupInfoFields(): Array<readonly [string, string | number]> {
    return this.snapshots.infoFields();
  }

  acknowledged(s: Session): number {
    const seq = this.levelsOf(s).lastWriteSeq;
    const index = seq === 0 ? 0 : this.turnIndex.get(seq) ?? (seq <= this.barrier.committedSeq ? 0 : Infinity);
    return this.replicas().filter((r) => r.offset >= index).length;
  }

  /** Answers WAITs that now have enough replicas, or whose time is up (with the count now, as Redis). */
  private serveWaits(): void {
    if (this.raftRole !== 'leader' || this.engine.blocking.count === 0) return;
    const now = this.engine.clock.nowMs();
    for (const { session, argv, deadlineMs } of this.engine.blocking.blockedIn('wait')) {
      const acked = this.acknowledged(session);
      if (BigInt(acked) >= BigInt(argv[1]!) || deadlineMs <= now) this.engine.blocking.answer(session, int(acked));
    }
  }

  leaderAddress(): MemberRecord | null {
    return this.admin.registry.get(this.lead) ?? null;
  }

  // ---------------------------------------------------------------------------------------------
  // Cluster view

  private publishView(): void {
    const cluster = this.engine.cluster;
    if (cluster === null || this.stopped) return;
    cluster.setView(this.view());
  }

  view(): ClusterView {
    const status = this.loop.node.status();
    const registry = this.admin.registry;
    const leaderId = registry.get(this.lead)?.nodeId ?? null;
    // A node not (or no longer) a member shows only itself, serving no slot.
    const members = this.admin.isMember ? registry.list() : [this.self];
    const nodes: ClusterNodeView[] = members.map((m) => {
      const isSelf = m.id === this.self.id;
      const connected = isSelf || this.links.stats(m.id)?.connected === true;
      const primary = m.id === this.lead && (m.id !== this.self.id || this.leaderReady);
      return {
        id: m.nodeId, ip: m.host, port: m.port, busPort: m.busPort, primary,
        primaryId: primary ? null : leaderId, connected, failed: !connected, configEpoch: status.term,
        replicationOffset: isSelf ? this.executedThrough : status.progress.get(m.id)?.match ?? 0,
      };
    });
    const ordered = [...nodes].sort((a, b) => Number(b.primary) - Number(a.primary));
    let sent = 0;
    let received = 0;
    for (const m of members) {
      const st = this.links.stats(m.id);
      if (st !== null) {
        sent += st.sentFrames;
        received += st.receivedFrames;
      }
    }
    return {
      myId: this.self.nodeId, currentEpoch: status.term, nodes,
      shards: this.admin.isMember ? [{ ranges: [[0, SLOT_COUNT - 1]], nodeIds: ordered.map((n) => n.id) }] : [],
      messagesSent: sent, messagesReceived: received,
    };
  }

  get myNodeId(): string {
    return this.self.nodeId;
  }
}

function isWrite(s: Session, spec: Spec, fullName: string): boolean {
  const writeLike = (sp: Spec): boolean => sp.flags.includes('write') || sp.flags.includes('may_replicate');
  if (fullName === 'exec') return s.multi?.queue.some((q) => writeLike(q.spec)) ?? false;
  if (fullName === 'eval_ro' || fullName === 'evalsha_ro' || fullName === 'fcall_ro') return false;
  // Messages are not replicated: a member delivers them to its own subscribers.
  if (fullName === 'publish' || fullName === 'spublish') return false;
  return writeLike(spec);
}

function readsData(s: Session, spec: Spec, fullName: string): boolean {
  if (fullName === 'exec') return s.multi !== null && s.multi.queue.length > 0;
  if (SCRIPT_CALLS.has(fullName)) return true;
  return spec.acl.includes('read') || spec.movableKeys !== undefined || (spec.keys !== undefined && spec.keys.first > 0);
}

