// The replica group's member registry (docs/design/group-membership.md): for every member its
// Raft id, Redis Cluster node id, client address, peer-link (bus) port and role. Every member
// holds the same registry because it changes only when a committed conf change is applied, and
// each conf change carries in its context the member it concerns and the whole registry as it
// was just before (so a node that joins learns every member from the first change it applies).
//
// Formats (big-endian, fixed; a version byte first so that a later version can be told apart):
//   registry = u8 version (1) | u32 count | count x member
//   member   = f64 raft id | u8 role (0 voter, 1 learner) | text node id | text host | u16 port | u16 bus port
//   context  = u8 version (1) | member (the one the change adds, promotes or removes) | registry (before)
//   text     = u16 length | UTF-8 bytes
import { createHash } from 'node:crypto';
import type { ConfChange, ConfState } from '../../core/raft/index.js';
import type { GroupMember } from './group-peers.js';

export type MemberRole = 'voter' | 'learner';

export interface MemberRecord {
  /** Raft id: 1..n for the members listed in group-peers, derived from the node id for joiners. */
  readonly id: number;
  /** Redis Cluster node id (40 hex characters). */
  readonly nodeId: string;
  readonly host: string;
  readonly port: number;
  readonly busPort: number;
  readonly role: MemberRole;
}

export interface ChangeContext {
  /** The member the change adds, promotes or removes. */
  readonly member: MemberRecord;
  /** The registry just before the change. */
  readonly before: readonly MemberRecord[];
}

const VERSION = 1;
const NODE_ID = /^[0-9a-f]{40}$/;
/** Joiners' Raft ids start above every id group-peers can give (1..5). */
const JOINER_ID_BASE = 256;

/** Redis Cluster node ids of the members listed in group-peers: derived from the list, so that
 *  every member names every other alike without exchanging anything. */
export function memberNodeId(members: readonly GroupMember[], id: number): string {
  const list = members.map((m) => `${m.host}:${m.port}`).join(',');
  return createHash('sha1').update(`cairn-group ${list} ${id}`).digest('hex');
}

/** The Raft id of a node that joins: the first 48 bits of its node id, above the list's ids. A
 *  node knows it before anyone contacts it, and the leader checks it against the node id. */
export function joinerRaftId(nodeId: string): number {
  return Number.parseInt(nodeId.slice(0, 12), 16) + JOINER_ID_BASE;
}

export function isNodeId(text: string): boolean {
  return NODE_ID.test(text);
}

class Writer {
  private readonly parts: Buffer[] = [];

  u8(v: number): void {
    this.parts.push(Buffer.from([v]));
  }

  u16(v: number): void {
    const b = Buffer.alloc(2);
    b.writeUInt16BE(v);
    this.parts.push(b);
  }

  u32(v: number): void {
    const b = Buffer.alloc(4);
    b.writeUInt32BE(v);
    this.parts.push(b);
  }

  f64(v: number): void {
    const b = Buffer.alloc(8);
    b.writeDoubleBE(v);
    this.parts.push(b);
  }

  text(s: string): void {
    const b = Buffer.from(s, 'utf8');
    this.u16(b.length);
    this.parts.push(b);
  }

  done(): Uint8Array {
    return new Uint8Array(Buffer.concat(this.parts));
  }
}

class Malformed extends Error {}

class Reader {
  private at = 0;
  private readonly buf: Buffer;

  constructor(bytes: Uint8Array) {
    this.buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  private need(n: number): void {
    if (this.at + n > this.buf.length) throw new Malformed();
  }

  u8(): number {
    this.need(1);
    return this.buf[this.at++]!;
  }

  u16(): number {
    this.need(2);
    const v = this.buf.readUInt16BE(this.at);
    this.at += 2;
    return v;
  }

  u32(): number {
    this.need(4);
    const v = this.buf.readUInt32BE(this.at);
    this.at += 4;
    return v;
  }

  f64(): number {
    this.need(8);
    const v = this.buf.readDoubleBE(this.at);
    this.at += 8;
    return v;
  }

  text(): string {
    const n = this.u16();
    this.need(n);
    const s = this.buf.toString('utf8', this.at, this.at + n);
    this.at += n;
    return s;
  }

  end(): void {
    if (this.at !== this.buf.length) throw new Malformed();
  }
}

function writeMember(w: Writer, m: MemberRecord): void {
  w.f64(m.id);
  w.u8(m.role === 'voter' ? 0 : 1);
  w.text(m.nodeId);
  w.text(m.host);
  w.u16(m.port);
  w.u16(m.busPort);
}

function readMember(r: Reader): MemberRecord {
  const id = r.f64();
  if (!Number.isSafeInteger(id) || id <= 0) throw new Malformed();
  const roleCode = r.u8();
  if (roleCode > 1) throw new Malformed();
  const nodeId = r.text();
  if (!NODE_ID.test(nodeId)) throw new Malformed();
  const host = r.text();
  if (host === '') throw new Malformed();
  const port = r.u16();
  const busPort = r.u16();
  if (port === 0 || busPort === 0) throw new Malformed();
  return { id, nodeId, host, port, busPort, role: roleCode === 0 ? 'voter' : 'learner' };
}

function writeMembers(w: Writer, members: readonly MemberRecord[]): void {
  w.u32(members.length);
  for (const m of members) writeMember(w, m);
}

function readMembers(r: Reader): MemberRecord[] {
  const n = r.u32();
  const out: MemberRecord[] = [];
  for (let i = 0; i < n; i++) {
    const m = readMember(r);
    if (out.some((o) => o.id === m.id)) throw new Malformed();
    out.push(m);
  }
  return out;
}

export function encodeChangeContext(ctx: ChangeContext): Uint8Array {
  const w = new Writer();
  w.u8(VERSION);
  writeMember(w, ctx.member);
  writeMembers(w, ctx.before);
  return w.done();
}

/** The context in `bytes`, or null when they are not one this version reads. */
export function decodeChangeContext(bytes: Uint8Array): ChangeContext | null {
  try {
    const r = new Reader(bytes);
    if (r.u8() !== VERSION) return null;
    const member = readMember(r);
    const before = readMembers(r);
    r.end();
    return { member, before };
  } catch (e) {
    if (e instanceof Malformed) return null;
    throw e;
  }
}

/** The registry one member holds. Changed only by `applyChange` (committed conf changes, in log
 *  order) and `restore` (a snapshot's members section), so every member holds the same. */
export class GroupMembership {
  private readonly byId = new Map<number, MemberRecord>();

  constructor(members: readonly MemberRecord[] = []) {
    for (const m of members) this.byId.set(m.id, m);
  }

  /** The registry of a group's first start: every member of group-peers is a voter. */
  static bootstrap(members: readonly GroupMember[]): GroupMembership {
    return new GroupMembership(members.map((m) => ({ id: m.id, nodeId: memberNodeId(members, m.id), host: m.host, port: m.port, busPort: m.busPort, role: 'voter' as const })));
  }

  /** Members in Raft id order. */
  list(): MemberRecord[] {
    return [...this.byId.values()].sort((a, b) => a.id - b.id);
  }

  get size(): number {
    return this.byId.size;
  }

  get(id: number): MemberRecord | undefined {
    return this.byId.get(id);
  }

  has(id: number): boolean {
    return this.byId.has(id);
  }

  /** A member named by its node id, its Raft id or its client address `host:port`. */
  find(name: string): MemberRecord | undefined {
    const lower = name.toLowerCase();
    for (const m of this.byId.values()) {
      if (m.nodeId === lower || `${m.host}:${m.port}` === name || String(m.id) === name) return m;
    }
    return undefined;
  }

  /** The raft membership this registry describes (to seed a node that joined with none). */
  seedChanges(): ConfChange[] {
    return this.list().map((m) => ({ type: m.role === 'voter' ? 'add-node' : 'add-learner', nodeId: m.id, context: new Uint8Array(0) }));
  }

  /**
   * Applies a committed change: the member from the context is added or updated (add-node,
   * add-learner) or dropped (remove-node); then every role is set from Raft's own membership
   * after the change, which is what counts.
   */
  applyChange(change: ConfChange, ctx: ChangeContext | null, state: ConfState): void {
    if (change.type === 'remove-node') {
      this.byId.delete(change.nodeId);
    } else {
      const known = this.byId.get(change.nodeId);
      const record = ctx !== null && ctx.member.id === change.nodeId ? ctx.member : known;
      if (record !== undefined) this.byId.set(change.nodeId, { ...record, role: change.type === 'add-node' ? 'voter' : 'learner' });
    }
    const voters = new Set(state.voters);
    const learners = new Set(state.learners);
    for (const [id, m] of this.byId) {
      if (voters.has(id)) this.byId.set(id, { ...m, role: 'voter' });
      else if (learners.has(id)) this.byId.set(id, { ...m, role: 'learner' });
      else this.byId.delete(id);
    }
  }

  /** Replaces the whole registry (a node that joins, from a change's context; a snapshot). */
  replace(members: readonly MemberRecord[]): void {
    this.byId.clear();
    for (const m of members) this.byId.set(m.id, m);
  }

  encode(): Uint8Array {
    const w = new Writer();
    w.u8(VERSION);
    writeMembers(w, this.list());
    return w.done();
  }

  /** The registry in `bytes`, or null when they are not one this version reads. */
  static decode(bytes: Uint8Array): GroupMembership | null {
    try {
      const r = new Reader(bytes);
      if (r.u8() !== VERSION) return null;
      const members = readMembers(r);
      r.end();
      return new GroupMembership(members);
    } catch (e) {
      if (e instanceof Malformed) return null;
      throw e;
    }
  }
}
