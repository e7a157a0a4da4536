// Membership changes of a replica group, online (docs/design/group-membership.md): the GROUP
// commands, the steps of adding and removing a member on the leader, and what every member does
// when a committed conf change is applied (registry, peer links, cluster view).
//
// GROUP ADD host:port[@busport] on the leader: greet the node (GROUP HELLO over RESP: it answers
// its node id, bus port and Raft id, and learns where the members are), propose it as a learner,
// wait until that is applied and its log is within catchUpSlackEntries of the commit index, then
// propose it as a voter; the client's answer (the new member's node id) comes once that is
// applied. GROUP REMOVE on a follower's name proposes its removal and answers once applied; on the
// leader's own name, leadership is transferred first to the most up-to-date voter and the removal
// is handed to it. One change at a time: anything else while one runs gets an error.
import * as errors from '../../core/errors.js';
import { groupMembershipLimits } from '../../core/limits.js';
import { encodeMessage, type ConfChange, type ConfState, type Entry, type Message } from '../../core/raft/index.js';
import type { MemoryStorage } from '../../core/raft/storage.js';
import { array, bool, bulk, int, mapOf, NIL, OK, ReplyKind, type Reply } from '../../core/reply.js';
import type { ServerContext } from '../../server/context.js';
import type { Engine } from '../../server/engine.js';
import type { GroupAdmin } from '../../server/group-gate.js';
import type { Logger } from '../../server/log.js';
import type { Session } from '../../server/session.js';
import { decodeChangeContext, encodeChangeContext, GroupMembership, isNodeId, joinerRaftId, type ChangeContext, type MemberRecord } from './group-membership.js';
import { requestNode } from './node-request.js';
import type { PeerAddress, PeerLinks } from './peer-links.js';
import type { RaftLoop } from './raft-loop.js';

/** What the admin needs of the replica group it serves. */
export interface MembershipHost {
  readonly engine: Engine;
  readonly loop: RaftLoop;
  readonly links: PeerLinks;
  readonly storage: MemoryStorage;
  readonly log: Logger;
  readonly clusterMode: boolean;
  /** This node's own record (its address as the group knows it, once added). */
  readonly self: MemberRecord;
  /** Raft's leader as this node knows it (0: none). */
  leaderId(): number;
  /** Leader and ready to serve. */
  isServingLeader(): boolean;
  /** The registry changed: refresh the cluster view. */
  membersChanged(): void;
}

type Phase =
  | { step: 'hello' }
  | { step: 'learner'; member: MemberRecord }
  /** `from`: the learner must hold at least this index (its own add-learner entry). */
  | { step: 'catch-up'; member: MemberRecord; from: number; until: number; greetedAt: number }
  | { step: 'voter'; member: MemberRecord }
  | { step: 'removing'; member: MemberRecord }
  | { step: 'transfer'; member: MemberRecord }
  | { step: 'relay'; member: MemberRecord };

interface Pending {
  readonly what: string;
  readonly session: Session;
  phase: Phase;
  /** How long a new learner may take to catch up (GROUP ADD ... TIMEOUT). */
  readonly catchUpMs?: number;
  /** Raft index of the change last proposed for it. */
  proposedIndex?: number;
  /** The current step must be done by then. */
  deadline: number;
}

interface Farewell {
  readonly id: number;
  readonly address: PeerAddress;
  readonly entries: Entry[];
  readonly until: number;
}

/** Answers to a relayed GROUP REMOVE that are worth asking again a moment later. */
const RELAY_AGAIN = /^(TRYAGAIN|MOVED)|already in progress|run on the group's leader/;

/** `host:port[@busport]`, or null when malformed. */
export function parseMemberAddress(text: string): { host: string; port: number; busPort: number | null } | null {
  const m = /^(.+):(\d{1,5})(?:@(\d{1,5}))?$/.exec(text);
  if (m === null) return null;
  const port = Number(m[2]);
  const busPort = m[3] !== undefined ? Number(m[3]) : null;
  if (port < 1 || port > 65535 || (busPort !== null && (busPort < 1 || busPort > 65535))) return null;
  const host = m[1]!.replace(/^\[(.*)\]$/, '$1');
  if (host === '' || /[\s,@]/.test(host)) return null;
  return { host, port, busPort };
}

export class MembershipAdmin implements GroupAdmin {
  readonly registry: GroupMembership;
  /** This node applied its own removal: it serves no data and its Raft loop is stopped. */
  removed = false;
  private loopStopped = false;
  private pending: Pending | null = null;
  /** Members seen in a GROUP HELLO, to answer the leader before this node has applied anything. */
  private helloPeers: MemberRecord[] = [];
  private farewells: Farewell[] = [];
  /** Match index of a member being removed, taken just before Raft forgets it (for its farewell). */
  private removedMatch = new Map<number, number>();
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly host: MembershipHost,
    registry: GroupMembership,
    tickMs: number,
  ) {
    this.registry = registry;
    this.timer = setInterval(() => this.tick(), tickMs);
    this.timer.unref();
  }

  close(): void {
    clearInterval(this.timer);
    const p = this.pending;
    this.pending = null;
    if (p !== null) this.host.engine.blocking.answer(p.session, errors.groupChangeFailed('the server is shutting down'));
  }

  /** Whether this node is a member (a node started with group-join is not until it is added). */
  get isMember(): boolean {
    return this.registry.has(this.host.self.id);
  }

  /** The peers to keep links to: the members, plus members being told of their removal. */
  peerAddresses(): Map<number, PeerAddress> {
    const out = new Map<number, PeerAddress>();
    if (this.loopStopped) return out;
    const members = this.registry.size > 0 ? this.registry.list() : this.helloPeers;
    for (const m of members) if (m.id !== this.host.self.id) out.set(m.id, { host: m.host, port: m.busPort });
    for (const f of this.farewells) if (!out.has(f.id)) out.set(f.id, f.address);
    return out;
  }

  // ---------------------------------------------------------------------------------------------
  // Applying committed changes (every member)

  /**
   * Before Raft applies a committed change: a node that joined knows no membership yet (its log
   * starts at 1 and the group's first members were never in it), so it takes the registry the
   * change carries as it was before the change, and returns the changes that give Raft the same
   * membership. On the leader, remembers how far a member being removed had got.
   */
  beforeConfChange(change: ConfChange, current: ConfState): ConfChange[] {
    if (change.type === 'remove-node') {
      const match = this.host.loop.status().progress.get(change.nodeId)?.match;
      if (match !== undefined) this.removedMatch.set(change.nodeId, match);
    }
    if (current.voters.length > 0 || current.learners.length > 0) return [];
    const ctx = decodeChangeContext(change.context);
    if (ctx === null || ctx.before.length === 0) return [];
    this.registry.replace(ctx.before);
    return this.registry.seedChanges();
  }

  /** A committed change was applied by Raft (`state` is the membership after it). */
  applied(change: ConfChange, state: ConfState, entry: Entry): void {
    const ctx = decodeChangeContext(change.context);
    this.registry.applyChange(change, ctx, state);
    const name = ctx?.member !== undefined && ctx.member.id === change.nodeId ? `${ctx.member.host}:${ctx.member.port}` : String(change.nodeId);
    this.host.log.notice('replica group membership changed', { change: change.type, member: name, index: entry.index, members: this.registry.size });
    if (change.type === 'remove-node') {
      if (change.nodeId === this.host.self.id) {
        this.leaveGroup();
        return;
      }
      this.sayFarewell(change.nodeId, ctx, entry);
    }
    this.host.links.setPeers(this.peerAddresses());
    this.host.membersChanged();
    // After Raft's advance (a next change may be proposed only once this one counts as applied).
    setImmediate(() => this.tick());
  }

  /** This node is out of the group: data commands are refused at once; its Raft loop stops and its
   *  links close once it does not lead (a removed node that won an election before it learned
   *  of its removal hands leadership over first, see docs/design/raft-core.md). */
  private leaveGroup(): void {
    this.removed = true;
    this.host.log.warning('this node was removed from its replica group; it now serves no data');
    this.host.membersChanged();
    this.stopIfOut();
  }

  private stopIfOut(): void {
    if (!this.removed || this.loopStopped || this.host.loop.status().role === 'leader') return;
    this.loopStopped = true;
    // The current Ready finishes (its messages are already sent); nothing runs after it.
    this.host.loop.stop();
    this.host.links.setPeers(new Map());
  }

  /**
   * The leader stops replicating to a member once it applied its removal, so that member might
   * never learn the removal committed. For a while the leader sends it the entries up to the
   * change with the change's index as commit index: an ordinary append of the current term.
   */
  private sayFarewell(id: number, ctx: ChangeContext | null, entry: Entry): void {
    const match = this.removedMatch.get(id);
    this.removedMatch.delete(id);
    const member = ctx?.member.id === id ? ctx.member : ctx?.before.find((m) => m.id === id);
    if (match === undefined || member === undefined || this.host.loop.status().role !== 'leader') return;
    const storage = this.host.storage;
    const from = Math.max(match + 1, storage.firstIndex());
    if (from > entry.index) return;
    const entries = storage.entries(from, entry.index + 1, 8 * 1024 * 1024);
    if (entries[entries.length - 1]?.index !== entry.index) return; // too much to send in one go
    this.farewells.push({ id, address: { host: member.host, port: member.busPort }, entries, until: Date.now() + groupMembershipLimits.farewellMs });
  }

  private sendFarewells(now: number): void {
    if (this.farewells.length === 0) return;
    const before = this.farewells.length;
    this.farewells = this.farewells.filter((f) => f.until > now && !this.registry.has(f.id));
    if (this.farewells.length !== before) this.host.links.setPeers(this.peerAddresses());
    const status = this.host.loop.status();
    if (status.role !== 'leader') return;
    for (const f of this.farewells) {
      const first = f.entries[0]!;
      const last = f.entries[f.entries.length - 1]!;
      const prevIndex = first.index - 1;
      if (prevIndex < this.host.storage.firstIndex() - 1) continue;
      const m: Message = {
        type: 'app', from: this.host.self.id, to: f.id, term: status.term, prevIndex,
        prevTerm: this.host.storage.term(prevIndex), entries: f.entries, commit: Math.min(last.index, status.commit),
      };
      this.host.links.send(f.id, encodeMessage(m));
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Raft snapshots: the members section

  /** The registry as of the state being snapshotted (its bytes go in the snapshot). */
  membersSnapshot(): Uint8Array {
    return this.registry.encode();
  }

  /** Installs the registry of a snapshot from the leader; false (nothing changed) when the bytes
   *  are not a registry this version reads. */
  restoreMembers(bytes: Uint8Array): boolean {
    const decoded = GroupMembership.decode(bytes);
    if (decoded === null) return false;
    this.registry.replace(decoded.list());
    if (!this.removed) this.host.links.setPeers(this.peerAddresses());
    this.host.membersChanged();
    return true;
  }

  // ---------------------------------------------------------------------------------------------
  // GROUP MEMBERS

  members(): Reply {
    const status = this.host.loop.status();
    const leader = status.role === 'leader';
    const selfId = this.host.self.id;
    return array(this.registry.list().map((m) => {
      const isSelf = m.id === selfId;
      const match = isSelf ? status.lastIndex : leader ? status.progress.get(m.id)?.match : undefined;
      return mapOf([
        ['id', int(m.id)],
        ['node-id', bulk(m.nodeId)],
        ['address', bulk(`${m.host}:${m.port}`)],
        ['bus-port', int(m.busPort)],
        ['role', bulk(m.role)],
        ['leader', bool(m.id === status.lead)],
        ['match-index', match === undefined ? NIL : int(match)],
        ['connected', bool(isSelf || this.host.links.stats(m.id)?.connected === true)],
      ]);
    }));
  }

  // ---------------------------------------------------------------------------------------------
  // GROUP HELLO (on the node that is to join)

  hello(registryHex: string): Reply {
    if (this.registry.size > 0 || this.removed) return errors.groupNotJoining();
    const st = this.host.loop.status().confState;
    if (st.voters.length > 0 || st.learners.length > 0 || this.host.self.nodeId === '') return errors.groupNotJoining();
    const decoded = /^[0-9a-f]*$/.test(registryHex) && registryHex.length % 2 === 0 ? GroupMembership.decode(Buffer.from(registryHex, 'hex')) : null;
    if (decoded === null || decoded.size === 0) return errors.groupHelloSyntax();
    // Links to the members now, so that this node can answer the leader's first messages.
    this.helloPeers = decoded.list();
    this.host.links.setPeers(this.peerAddresses());
    const self = this.host.self;
    return array([bulk(self.nodeId), int(self.busPort), int(self.id)]);
  }

  // ---------------------------------------------------------------------------------------------
  // GROUP ADD / GROUP REMOVE (on the leader)

  /** Why a change cannot start here, or null. */
  private refusal(ctx: ServerContext): Reply | null {
    if (this.removed) return errors.groupRemovedMember();
    if (!this.isMember) return errors.groupNotYetMember();
    if (!ctx.blockingAllowed) return errors.groupChangeInMulti();
    if (this.host.loop.status().role !== 'leader') {
      const lead = this.registry.get(this.host.leaderId());
      if (lead === undefined) return errors.groupNoLeader();
      return this.host.clusterMode ? errors.moved(0, lead.host, lead.port) : errors.groupChangeOnFollower(lead.host, lead.port);
    }
    if (!this.host.isServingLeader()) return errors.groupLeaderCatchingUp();
    if (this.pending !== null) return errors.groupChangePending(this.pending.what);
    return null;
  }

  add(ctx: ServerContext, address: string, catchUpMs: number): Reply {
    const parsed = parseMemberAddress(address);
    if (parsed === null) return errors.groupBadAddress(address);
    const refused = this.refusal(ctx);
    if (refused !== null) return refused;
    const existing = this.registry.find(`${parsed.host}:${parsed.port}`);
    if (existing?.role === 'voter') return errors.groupAlreadyVoter(address);
    const what = `GROUP ADD ${parsed.host}:${parsed.port}`;
    if (existing !== undefined) {
      // A learner already (an earlier GROUP ADD gave up waiting): promote it once caught up.
      const reply = ctx.block([], 0, errors.groupChangeFailed('unblocked'));
      this.pending = { what, session: ctx.session, catchUpMs, phase: { step: 'catch-up', member: existing, from: 0, until: Date.now() + catchUpMs, greetedAt: 0 }, deadline: Infinity };
      this.tick();
      return reply;
    }
    const reply = ctx.block([], 0, errors.groupChangeFailed('unblocked'));
    const pending: Pending = { what, session: ctx.session, phase: { step: 'hello' }, deadline: Infinity, catchUpMs };
    this.pending = pending;
    this.greet(parsed.host, parsed.port).then(
      (answer) => this.greeted(pending, parsed, answer),
      (e: Error) => this.finish(pending, errors.groupJoinFailed(address, e.message)),
    );
    return reply;
  }

  /** GROUP HELLO to a node, with this node's registry. */
  private greet(host: string, port: number): Promise<Reply> {
    const registry = Buffer.from(this.registry.encode()).toString('hex');
    return requestNode(host, port, this.host.engine.config.get('requirepass'), ['GROUP', 'HELLO', registry], groupMembershipLimits.requestTimeoutMs);
  }

  /** The node answered GROUP HELLO: check it and propose it as a learner. */
  private greeted(pending: Pending, address: { host: string; port: number; busPort: number | null }, answer: Reply): void {
    if (this.pending !== pending) return;
    const name = `${address.host}:${address.port}`;
    if (answer.k === ReplyKind.Error) return this.finish(pending, errors.groupJoinFailed(name, String(answer.v).replace(/^\S+ /, '')));
    const items = answer.k === ReplyKind.Array ? (answer.v as Reply[]) : [];
    const nodeId = items[0]?.k === ReplyKind.Bulk ? String(items[0].v) : '';
    const busPort = items[1]?.k === ReplyKind.Int ? Number(items[1].v) : 0;
    const id = items[2]?.k === ReplyKind.Int ? Number(items[2].v) : 0;
    if (!isNodeId(nodeId) || busPort < 1 || busPort > 65535 || id !== joinerRaftId(nodeId)) {
      return this.finish(pending, errors.groupJoinFailed(name, 'its answer to GROUP HELLO is not one of a Cairn node waiting to join'));
    }
    if (this.registry.has(id) || this.registry.list().some((m) => m.nodeId === nodeId)) {
      return this.finish(pending, errors.groupJoinFailed(name, `node ${nodeId} is already a member`));
    }
    const member: MemberRecord = { id, nodeId, host: address.host, port: address.port, busPort: address.busPort ?? busPort, role: 'learner' };
    this.propose(pending, 'add-learner', member, { step: 'learner', member });
  }

  remove(ctx: ServerContext, name: string): Reply {
    const refused = this.refusal(ctx);
    if (refused !== null) return refused;
    const member = this.registry.find(name);
    if (member === undefined) return errors.groupUnknownMember(name);
    const what = `GROUP REMOVE ${member.host}:${member.port}`;
    if (member.id !== this.host.self.id) {
      const voters = this.registry.list().filter((m) => m.role === 'voter');
      if (member.role === 'voter' && voters.length === 1) return errors.groupLastVoter();
      const reply = ctx.block([], 0, errors.groupChangeFailed('unblocked'));
      const pending: Pending = { what, session: ctx.session, phase: { step: 'removing', member }, deadline: Infinity };
      this.pending = pending;
      this.propose(pending, 'remove-node', member, { step: 'removing', member });
      return reply;
    }
    // The leader itself: hand leadership to the most up-to-date voter, which then removes it.
    const progress = this.host.loop.status().progress;
    let target: MemberRecord | null = null;
    let best = -1;
    for (const m of this.registry.list()) {
      const match = progress.get(m.id)?.match ?? -1;
      if (m.role === 'voter' && m.id !== member.id && match > best) {
        target = m;
        best = match;
      }
    }
    if (target === null) return errors.groupLastVoter();
    const reply = ctx.block([], 0, errors.groupChangeFailed('unblocked'));
    this.pending = { what, session: ctx.session, phase: { step: 'transfer', member }, deadline: Date.now() + groupMembershipLimits.changeTimeoutMs };
    this.host.log.notice('handing leadership over before removing this node', { to: `${target.host}:${target.port}` });
    this.host.loop.transferLeadership(target.id);
    return reply;
  }

  private propose(pending: Pending, type: ConfChange['type'], member: MemberRecord, next: Phase): void {
    if (this.host.loop.status().role !== 'leader') return this.finish(pending, errors.groupChangeFailed('this node lost the leadership before proposing the change'));
    const context = encodeChangeContext({ member, before: this.registry.list() });
    const result = this.host.loop.proposeConfChange({ type, nodeId: member.id, context });
    if (result.kind !== 'appended') {
      const why = result.kind === 'dropped' ? result.reason : `${result.kind} to ${result.to}`;
      if (result.kind === 'dropped' && result.reason === 'conf-change-pending') return this.finish(pending, errors.groupChangePending('an earlier change is not applied yet'));
      if (result.kind === 'dropped' && result.reason === 'invalid-conf-change') return this.finish(pending, errors.groupLastVoter());
      return this.finish(pending, errors.groupChangeFailed(`Raft did not take the change (${why})`));
    }
    pending.phase = next;
    pending.deadline = Date.now() + groupMembershipLimits.changeTimeoutMs;
    pending.proposedIndex = result.index;
  }

  private finish(pending: Pending, reply: Reply): void {
    if (this.pending !== pending) return;
    this.pending = null;
    this.host.engine.blocking.answer(pending.session, reply);
  }

  /** Moves the change under way along (every tick, and after each applied change). */
  private tick(): void {
    const now = Date.now();
    this.stopIfOut();
    this.sendFarewells(now);
    const p = this.pending;
    if (p === null) return;
    if (!this.host.engine.sessions.has(p.session.id) && p.phase.step !== 'relay') {
      // The client left; the change goes on only as far as Raft already took it.
      if (p.phase.step === 'hello' || p.phase.step === 'catch-up' || p.phase.step === 'transfer') this.pending = null;
    }
    const leader = this.host.loop.status().role === 'leader';
    const phase = p.phase;
    switch (phase.step) {
      case 'hello':
        return;
      case 'learner':
        if (this.registry.get(phase.member.id)?.role === 'learner') {
          p.phase = { step: 'catch-up', member: phase.member, from: p.proposedIndex ?? 0, until: now + (p.catchUpMs ?? groupMembershipLimits.catchUpTimeoutMs), greetedAt: now };
          p.deadline = Infinity;
          return this.tick();
        }
        break;
      case 'catch-up': {
        if (!leader) return this.finish(p, errors.groupChangeFailed(`leadership moved while ${phase.member.host}:${phase.member.port} was catching up; it is a learner, GROUP ADD it again on the leader`));
        const status = this.host.loop.status();
        const match = status.progress.get(phase.member.id)?.match ?? 0;
        if (match >= phase.from && match + groupMembershipLimits.catchUpSlackEntries >= status.commit) {
          const member = { ...phase.member, role: 'voter' as const };
          return this.propose(p, 'add-node', member, { step: 'voter', member });
        }
        if (match === 0 && now - phase.greetedAt > groupMembershipLimits.requestTimeoutMs) {
          // Nothing heard from the learner: if it restarted before it applied a change, it lost the
          // addresses of the greeting and cannot answer; greet it again (a node that has them
          // answers that it is not waiting, which changes nothing).
          phase.greetedAt = now;
          this.greet(phase.member.host, phase.member.port).catch(() => {});
        }
        if (now > phase.until) return this.finish(p, errors.groupChangeFailed(`${phase.member.host}:${phase.member.port} did not catch up within ${p.catchUpMs ?? groupMembershipLimits.catchUpTimeoutMs} ms (match ${match}, commit ${status.commit}); it stays a learner, GROUP ADD it again to promote it`));
        return;
      }
      case 'voter':
        if (this.registry.get(phase.member.id)?.role === 'voter') return this.finish(p, bulk(phase.member.nodeId));
        break;
      case 'removing':
        if (!this.registry.has(phase.member.id)) return this.finish(p, OK);
        break;
      case 'transfer': {
        const lead = this.host.leaderId();
        if (!leader && lead !== 0 && lead !== this.host.self.id) {
          const to = this.registry.get(lead);
          if (to === undefined) break;
          p.phase = { step: 'relay', member: phase.member };
          requestNode(to.host, to.port, this.host.engine.config.get('requirepass'), ['GROUP', 'REMOVE', phase.member.nodeId], groupMembershipLimits.changeTimeoutMs + groupMembershipLimits.requestTimeoutMs).then(
            (answer) => {
              // A new leader still applying its first entry (or leadership moving on) is a
              // matter of moments: ask again, while the change's time lasts.
              if (answer.k === ReplyKind.Error && RELAY_AGAIN.test(String(answer.v)) && Date.now() < p.deadline && this.pending === p) {
                p.phase = { step: 'transfer', member: phase.member };
                return;
              }
              this.finish(p, answer);
            },
            (e: Error) => this.finish(p, errors.groupChangeFailed(`leadership moved to ${to.host}:${to.port}, which could not be asked to remove this node: ${e.message}`)),
          );
          return;
        }
        break;
      }
      case 'relay':
        return;
    }
    if (now > p.deadline) {
      const why = phase.step === 'transfer' ? 'the leadership transfer did not complete in time' : `the change was not applied within ${groupMembershipLimits.changeTimeoutMs} ms${leader ? '' : ' (this node lost the leadership)'}`;
      this.finish(p, errors.groupChangeFailed(why));
    }
  }
}
