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
// member registry, as ReplicaGroup.membersSnapshot() writes it (group-membership.ts's format). Each kind appears at most once; a kind
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

