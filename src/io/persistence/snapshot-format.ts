// The snapshot file format (version 2), pinned by test/golden/snapshot-v2.bin; version 1 files
// (test/golden/snapshot-v1.bin, written before function libraries and memcached flags existed)
// are still read. A snapshot is
// the whole data set at one instant: `dump.rdb` (SAVE, BGSAVE) and the base file of the
// append-only log (`appendonly.aof.N.base.rdb`) both use it. It is Cairn's own format, not
// Redis's RDB, though it borrows RDB's opcode layout.
//
// Header, 16 bytes:
//   0   8  magic "CAIRNSNP"
//   8   2  format version, u16 little-endian
//   10  2  reserved, zero
//   12  4  CRC-32C of bytes 0..11, u32 LE
//
// Body, a sequence of opcodes:
//   0xFA AUX        varint-string name, varint-string value (metadata: cairn-ver, ctime-ms ...)
//   0xF5 FUNCTION   varint-string: the source code of one function library (FUNCTION LOAD),
//                   after the AUX records and before any key (version 2)
//   0xFE SELECTDB   varint database index; the keys that follow belong to it
//   0xFC EXPIRE_MS  u64 LE absolute expiry in ms; applies to the next key only
//   0xF0 MC_FLAGS   u32 LE memcached client flags (not 0); applies to the next key only (v2)
//   1..6 KEY        (the type's DUMP tag: string 1, list 2, set 3, zset 4, hash 5, stream 6)
//                   varint payload length, then the payload: varint-string key, value body
//                   as the type's codec writes it (src/core/types/*.ts, the DUMP bodies)
//   0xFF EOF        u64 LE number of keys, u32 LE CRC-32C of every byte before it
//
// A varint-string is a varint length followed by that many bytes. The length in front of each
// key lets a reader skip or hand a key's bytes to the codec without decoding the whole file as
// one string, and the single checksum at the end covers everything, header included.
import { MalformedPayload, PayloadReader, PayloadWriter } from '../../core/payload.js';
import type { Entry, ValueType } from '../../core/keyspace.js';
import type { ChunkWriter } from './chunk-writer.js';
import { TYPE_OPS } from '../../core/types/registry.js';
import { WindowReader, readVarint, varintBytes } from './byte-reader.js';
import { crc32c } from './crc32c.js';

export const SNAPSHOT_MAGIC = 'CAIRNSNP';
export const SNAPSHOT_FORMAT_VERSION = 2;
/** Versions this Cairn reads: 1 has neither FUNCTION nor MC_FLAGS records, 2 adds both. */
export const SNAPSHOT_READABLE_VERSIONS: readonly number[] = [1, 2];
export const SNAPSHOT_HEADER_BYTES = 16;

export const OP_MC_FLAGS = 0xf0;
export const OP_AUX = 0xfa;
export const OP_FUNCTION = 0xf5;
export const OP_EXPIRE_MS = 0xfc;
export const OP_SELECTDB = 0xfe;
export const OP_EOF = 0xff;

const TYPE_BY_TAG = new Map<number, ValueType>(
  (Object.keys(TYPE_OPS) as ValueType[]).map((type) => [TYPE_OPS[type]!.tag, type]),
);

/** The 16 header bytes. */
export function writeHeader(out: ChunkWriter): void {
  const b = Buffer.alloc(SNAPSHOT_HEADER_BYTES);
  b.write(SNAPSHOT_MAGIC, 0, 'latin1');
  b.writeUInt16LE(SNAPSHOT_FORMAT_VERSION, 8);
  b.writeUInt32LE(crc32c(b, 0, 0, 12), 12);
  out.raw(b);
}

export function writeAux(out: ChunkWriter, name: string, value: string): void {
  out.byte(OP_AUX);
  out.string(name);
  out.string(value);
}

/** One function library's code (version 2). */
export function writeFunction(out: ChunkWriter, code: string): void {
  out.byte(OP_FUNCTION);
  out.string(code);
}

export function writeSelectDb(out: ChunkWriter, db: number): void {
  out.byte(OP_SELECTDB);
  out.varint(db);
}

/** One key with its expiry, memcached flags (0: none) and value. */
export function writeEntry(out: ChunkWriter, e: Entry, mcFlags = 0): void {
  const codec = TYPE_OPS[e.type];
  if (codec === undefined) throw new Error(`snapshot: no codec for type ${e.type}`);
  if (mcFlags !== 0) {
    out.byte(OP_MC_FLAGS);
    out.u32(mcFlags);
  }
  if (e.expiresAt !== 0) {
    out.byte(OP_EXPIRE_MS);
    out.u64(e.expiresAt);
  }
  out.byte(codec.tag);
  if (e.type === 'string') {
    // The string codec's body is a varint-string; written here without building it first.
    const key = e.key;
    const value = e.value as string;
    out.varint(varintBytes(key.length) + key.length + varintBytes(value.length) + value.length);
    out.string(key);
    out.string(value);
    return;
  }
  const payload = new PayloadWriter();
  payload.string(e.key);
  codec.encode(e.value, payload);
  const body = payload.finish();
  out.varint(body.length);
  out.latin1(body);
}

/** The EOF opcode and key count (the CRC of everything up to here follows: writeCrc). */
export function writeEof(out: ChunkWriter, keys: number): void {
  out.byte(OP_EOF);
  out.u64(keys);
}

/** What a snapshot reader yields, one item at a time. */
export type SnapshotItem =
  | { readonly kind: 'aux'; readonly name: string; readonly value: string }
  | { readonly kind: 'function'; readonly code: string }
  | { readonly kind: 'key'; readonly db: number; readonly key: string; readonly type: ValueType; readonly value: unknown; readonly expiresAt: number; readonly mcFlags: number }
  | { readonly kind: 'end'; readonly keys: number }
  | { readonly kind: 'corrupt'; readonly offset: number; readonly reason: string };

/**
 * Reads a snapshot file item by item, checking the running checksum against the footer. A
 * snapshot is only ever renamed into place once complete and fsynced, so any damage, the
 * end included, is corruption: there is no torn tail to forgive.
 */
export class SnapshotReader {
  private pos = 0;
  private version = SNAPSHOT_FORMAT_VERSION;
  private crc = 0;
  private db = 0;
  private keys = 0;
  private done = false;

  constructor(private readonly r: WindowReader) {}

  /** Bytes consumed so far (loading progress). */
  get offset(): number {
    return this.pos;
  }

  next(): SnapshotItem {
    if (this.done) throw new Error('snapshot reader: read past the end');
    try {
      if (this.pos === 0) {
        const problem = this.readHeader();
        if (problem !== null) return this.fail(problem, 0);
      }
      return this.readItem();
    } catch (e) {
      if (e instanceof Damage) return this.fail(e.message, e.offset);
      if (e instanceof MalformedPayload) return this.fail(`malformed value (${e.message})`, this.pos);
      throw e;
    }
  }

  private fail(reason: string, offset: number): SnapshotItem {
    this.done = true;
    return { kind: 'corrupt', offset, reason };
  }

  private readHeader(): string | null {
    const v = this.r.view(0, SNAPSHOT_HEADER_BYTES);
    if (v === null) return 'the file is shorter than a snapshot header';
    if (v.buf.toString('latin1', v.at, v.at + 8) !== SNAPSHOT_MAGIC) return 'not a Cairn snapshot (bad magic)';
    if (v.buf.readUInt32LE(v.at + 12) !== crc32c(v.buf, 0, v.at, v.at + 12)) return 'snapshot header checksum mismatch';
    const version = v.buf.readUInt16LE(v.at + 8);
    if (!SNAPSHOT_READABLE_VERSIONS.includes(version)) return `snapshot format version ${version}, this Cairn reads versions ${SNAPSHOT_READABLE_VERSIONS.join(' and ')}`;
    this.version = version;
    this.consume(SNAPSHOT_HEADER_BYTES);
    return null;
  }

  private readItem(): SnapshotItem {
    let expiresAt = 0;
    let mcFlags = 0;
    for (;;) {
      const at = this.pos;
      const op = this.bytes(1)[0]!;
      if (mcFlags !== 0 && (op === OP_AUX || op === OP_FUNCTION || op === OP_SELECTDB || op === OP_EOF)) throw new Damage('memcached flags not followed by a key', at);
      if (op === OP_MC_FLAGS) {
        if (this.version < 2) throw new Damage(`unknown opcode 0x${op.toString(16)} in a version ${this.version} snapshot`, at);
        if (mcFlags !== 0) throw new Damage('two memcached flags for one key', at);
        mcFlags = this.bytes(4).readUInt32LE(0);
        if (mcFlags === 0) throw new Damage('memcached flags of 0', at);
        continue;
      }
      if (op === OP_AUX) {
        if (expiresAt !== 0) throw new Damage('an expiry not followed by a key', at);
        return { kind: 'aux', name: this.varString(), value: this.varString() };
      }
      if (op === OP_FUNCTION && this.version >= 2) {
        if (expiresAt !== 0) throw new Damage('an expiry not followed by a key', at);
        return { kind: 'function', code: this.varString() };
      }
      if (op === OP_SELECTDB) {
        if (expiresAt !== 0) throw new Damage('an expiry not followed by a key', at);
        this.db = this.varint();
        continue;
      }
      if (op === OP_EXPIRE_MS) {
        if (expiresAt !== 0) throw new Damage('two expiries for one key', at);
        const b = this.bytes(8);
        expiresAt = Number(b.readBigUInt64LE(0));
        if (expiresAt === 0) throw new Damage('an expiry of 0', at);
        continue;
      }
      if (op === OP_EOF) return this.readFooter(at, expiresAt);
      const type = TYPE_BY_TAG.get(op);
      if (type === undefined) throw new Damage(`unknown opcode 0x${op.toString(16).padStart(2, '0')}`, at);
      return this.readKey(type, expiresAt, mcFlags);
    }
  }

  private readKey(type: ValueType, expiresAt: number, mcFlags: number): SnapshotItem {
    const length = this.varint();
    const start = this.pos;
    const payload = this.bytes(length).toString('latin1', 0, length);
    const input = new PayloadReader(payload, payload.length);
    const key = input.string();
    const value = TYPE_OPS[type]!.decode(input);
    if (!input.atEnd()) throw new Damage('trailing bytes after a value', start);
    this.keys++;
    if (mcFlags !== 0 && type !== 'string') throw new Damage('memcached flags on a key that is not a string', start);
    return { kind: 'key', db: this.db, key, type, value, expiresAt, mcFlags };
  }

  private readFooter(at: number, expiresAt: number): SnapshotItem {
    if (expiresAt !== 0) throw new Damage('an expiry not followed by a key', at);
    const count = Number(this.bytes(8).readBigUInt64LE(0));
    const expected = this.crc;
    const v = this.r.view(this.pos, 4);
    if (v === null) throw new Damage('the file ends inside the footer', this.pos);
    if (v.buf.readUInt32LE(v.at) !== expected) throw new Damage('snapshot checksum mismatch', this.pos);
    if (count !== this.keys) throw new Damage(`the footer counts ${count} keys, the file holds ${this.keys}`, at);
    this.pos += 4;
    if (this.pos !== this.r.size) throw new Damage('bytes after the end of the snapshot', this.pos);
    this.done = true;
    return { kind: 'end', keys: count };
  }

  private bytes(n: number): Buffer {
    const v = this.r.view(this.pos, n);
    if (v === null) throw new Damage('the file ends before the snapshot does (no EOF record)', this.pos);
    const out = v.buf.subarray(v.at, v.at + n);
    this.crc = crc32c(v.buf, this.crc, v.at, v.at + n);
    this.pos += n;
    return out;
  }

  private consume(n: number): void {
    this.bytes(n);
  }

  private varint(): number {
    const v = this.r.view(this.pos, Math.min(7, this.r.size - this.pos));
    if (v === null) throw new Damage('the file ends inside a length', this.pos);
    const got = readVarint(v.buf, v.at, v.at + Math.min(7, this.r.size - this.pos));
    if (got === null) throw new Damage('a malformed length', this.pos);
    this.bytes(got[1]);
    return got[0];
  }

  private varString(): string {
    const n = this.varint();
    return this.bytes(n).toString('latin1', 0, n);
  }
}

class Damage extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message);
  }
}

/** Checks a whole snapshot file: its key count, or the first damaged offset. */
export function checkSnapshot(r: WindowReader): { keys: number; problem: { offset: number; reason: string } | null } {
  const reader = new SnapshotReader(r);
  for (;;) {
    const item = reader.next();
    if (item.kind === 'end') return { keys: item.keys, problem: null };
    if (item.kind === 'corrupt') return { keys: 0, problem: { offset: item.offset, reason: item.reason } };
  }
}
