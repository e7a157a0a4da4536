// The data of a replica group's Raft snapshot (docs/design/group-snapshots.md): what Raft keeps
// in raft.snapshot and sends to a follower that fell behind (InstallSnapshot). An envelope of
// sections, so that what a group member must know besides its keys travels with them:
//
//   u8  envelope version (1)
//   u8  number of sections
//   per section: u8 kind, u32 LE length, that many bytes
//
// Kinds: 1 the key space, in the snapshot format of dump.rdb (snapshot-format.ts, version 2:
// function libraries and memcached flags included, keys already expired kept); 2 the group's
// members, as ReplicaGroup.membersSnapshot() writes them. Each kind appears at most once; a kind
// this version does not know stops the load (skipping it could leave a replica that differs).
// An empty envelope (zero bytes) is the initial snapshot of a new group: no keys yet.
//
// The key-space section carries its own CRC-32C; the envelope adds none (raft.snapshot has a
// checksum of its own, and peer links run over TCP).

export const GROUP_SNAPSHOT_VERSION = 1;
export const SECTION_KEYSPACE = 1;
export const SECTION_MEMBERS = 2;
const KNOWN_SECTIONS: ReadonlySet<number> = new Set([SECTION_KEYSPACE, SECTION_MEMBERS]);

export interface GroupSnapshotData {
  /** The key space in snapshot format (empty: no keys, no libraries). */
  readonly keyspace: Uint8Array;
  /** The members section (empty: none recorded). */
  readonly members: Uint8Array;
}

export class GroupSnapshotError extends Error {}

export function encodeGroupSnapshot(data: GroupSnapshotData): Uint8Array {
  const sections: Array<[number, Uint8Array]> = [[SECTION_KEYSPACE, data.keyspace], [SECTION_MEMBERS, data.members]];
  const total = 2 + sections.reduce((n, [, bytes]) => n + 5 + bytes.byteLength, 0);
  const out = Buffer.allocUnsafe(total);
  out[0] = GROUP_SNAPSHOT_VERSION;
  out[1] = sections.length;
  let at = 2;
  for (const [kind, bytes] of sections) {
    out[at] = kind;
    out.writeUInt32LE(bytes.byteLength, at + 1);
    out.set(bytes, at + 5);
    at += 5 + bytes.byteLength;
  }
  return out;
}

/** Reads an envelope; throws GroupSnapshotError naming what is wrong. Sections are views, not copies. */
export function decodeGroupSnapshot(bytes: Uint8Array): GroupSnapshotData {
  if (bytes.byteLength === 0) return { keyspace: new Uint8Array(0), members: new Uint8Array(0) };
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (b.length < 2) throw new GroupSnapshotError('the group snapshot is shorter than its header');
  if (b[0] !== GROUP_SNAPSHOT_VERSION) throw new GroupSnapshotError(`group snapshot version ${b[0]}, this Cairn reads version ${GROUP_SNAPSHOT_VERSION}`);
  const count = b[1]!;
  const found = new Map<number, Uint8Array>();
  let at = 2;
  for (let i = 0; i < count; i++) {
    if (b.length - at < 5) throw new GroupSnapshotError(`the group snapshot ends inside section ${i + 1}'s header (byte ${at})`);
    const kind = b[at]!;
    const length = b.readUInt32LE(at + 1);
    if (b.length - at - 5 < length) throw new GroupSnapshotError(`section ${i + 1} (kind ${kind}) runs past the end of the group snapshot`);
    if (!KNOWN_SECTIONS.has(kind)) throw new GroupSnapshotError(`the group snapshot holds a section of kind ${kind}, which this version cannot read`);
    if (found.has(kind)) throw new GroupSnapshotError(`the group snapshot holds two sections of kind ${kind}`);
    found.set(kind, b.subarray(at + 5, at + 5 + length));
    at += 5 + length;
  }
  if (at !== b.length) throw new GroupSnapshotError(`${b.length - at} bytes after the last section of the group snapshot`);
  return { keyspace: found.get(SECTION_KEYSPACE) ?? new Uint8Array(0), members: found.get(SECTION_MEMBERS) ?? new Uint8Array(0) };
}

/** A member as the members section records it (the fields of group-peers.ts's GroupMember). */
export interface SnapshotMember {
  readonly id: number;
  readonly host: string;
  readonly port: number;
  readonly busPort: number;
}

/** The members section: u16 LE count, then per member u32 id, u16 port, u16 bus port, u16 host length, host (UTF-8). */
export function encodeMembers(members: readonly SnapshotMember[]): Uint8Array {
  const hosts = members.map((m) => Buffer.from(m.host, 'utf8'));
  const out = Buffer.allocUnsafe(2 + hosts.reduce((n, h) => n + 10 + h.length, 0));
  out.writeUInt16LE(members.length, 0);
  let at = 2;
  members.forEach((m, i) => {
    out.writeUInt32LE(m.id, at);
    out.writeUInt16LE(m.port, at + 4);
    out.writeUInt16LE(m.busPort, at + 6);
    out.writeUInt16LE(hosts[i]!.length, at + 8);
    out.set(hosts[i]!, at + 10);
    at += 10 + hosts[i]!.length;
  });
  return out;
}

export function decodeMembers(bytes: Uint8Array): SnapshotMember[] {
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (b.length === 0) return [];
  if (b.length < 2) throw new GroupSnapshotError('the members section is shorter than its count');
  const count = b.readUInt16LE(0);
  const out: SnapshotMember[] = [];
  let at = 2;
  for (let i = 0; i < count; i++) {
    if (b.length - at < 10) throw new GroupSnapshotError(`the members section ends inside member ${i + 1}`);
    const length = b.readUInt16LE(at + 8);
    if (b.length - at - 10 < length) throw new GroupSnapshotError(`the members section ends inside member ${i + 1}'s host`);
    out.push({ id: b.readUInt32LE(at), port: b.readUInt16LE(at + 4), busPort: b.readUInt16LE(at + 6), host: b.toString('utf8', at + 10, at + 10 + length) });
    at += 10 + length;
  }
  if (at !== b.length) throw new GroupSnapshotError(`${b.length - at} bytes after the last member of the members section`);
  return out;
}
