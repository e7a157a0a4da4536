// The replicated state machine of the `raft` adapter: a real Cairn engine (the admission
// pipeline, the command table, the key space) that applies each committed entry's command.
// An entry carries a command in deterministic form plus the proposer's wall-clock time; the
// engine's clock is set to that time before the command runs, so every replica computes the
// same result whatever its own clock says. Compare-and-set is a guarded command: the guard (the
// key's expected value, read with GET) and the SET run in one synchronous apply, so nothing can
// come between them and every replica takes the same branch.
import { keyspaceDigest } from '../../src/core/digest.js';
import { ReplyKind, type Reply } from '../../src/core/reply.js';
import { ManualClock } from '../../src/server/clock.js';
import { Engine } from '../../src/server/engine.js';
import { SILENT_TRANSPORT, type Session } from '../../src/server/session.js';
import { encodeGroupSnapshot } from '../../src/io/group/group-snapshot.js';
import { loadGroupSnapshot } from '../../src/io/group/group-snapshotter.js';
import { Logger } from '../../src/server/log.js';
import { ChunkWriter } from '../../src/io/persistence/chunk-writer.js';
import { crc32c } from '../../src/io/persistence/crc32c.js';
import { writeEntry, writeEof, writeHeader, writeSelectDb } from '../../src/io/persistence/snapshot-format.js';
import type { ClientOp, Output, Value } from '../history.js';

/** What a normal entry carries (JSON, UTF-8): who asked, when, and the command. */
export interface KvCommand {
  /** The proposer's request id: unique across nodes and incarnations. */
  readonly id: string;
  /** The proposer's wall clock (ms) when it proposed: the engine's "now" for this command. */
  readonly at: number;
  /** The command line, e.g. ['SET', key, value]. */
  readonly argv: readonly string[];
  /** Compare-and-set: run argv only when the key's value equals this (null: the key is absent). */
  readonly ifEquals?: { readonly key: string; readonly value: Value };
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export function encodeCommand(c: KvCommand): Uint8Array {
  return encoder.encode(JSON.stringify(c));
}

/** The command in an entry's payload; throws on bytes no Cairn node could have proposed. */
export function decodeCommand(data: Uint8Array): KvCommand {
  const c = JSON.parse(decoder.decode(data)) as KvCommand;
  if (typeof c.id !== 'string' || typeof c.at !== 'number' || !Array.isArray(c.argv)) throw new Error(`not a replicated command: ${decoder.decode(data)}`);
  return c;
}

/** The command a client's write or compare-and-set becomes. */
export function commandFor(op: Exclude<ClientOp, { kind: 'read' }>, id: string, at: number): KvCommand {
  const argv = ['SET', op.key, op.value];
  return op.kind === 'write' ? { id, at, argv } : { id, at, argv, ifEquals: { key: op.key, value: op.expected } };
}

export class KvMachine {
  readonly engine: Engine;
  private readonly clock = new ManualClock(0);
  private readonly session: Session;

  constructor() {
    // The engine's seed must be the same on every replica: commands that pick at random pick alike.
    this.engine = new Engine({ clock: this.clock, seed: 1 });
    this.session = this.engine.createSession(SILENT_TRANSPORT, 'raft', 'raft');
    this.session.authenticated = true;
  }

  /** Applies one committed command; returns what its proposer's client is told. */
  apply(c: KvCommand): Output {
    this.clock.set(c.at);
    if (c.ifEquals !== undefined) {
      if (this.get(c.ifEquals.key) !== c.ifEquals.value) return { swapped: false };
      this.run(c.argv);
      return { swapped: true };
    }
    this.run(c.argv);
    return null;
  }

  /** GET through the engine, as a client's read would run. */
  get(key: string): Value {
    const reply = this.engine.execute(this.session, ['GET', key]);
    if (reply.k === ReplyKind.Nil) return null;
    if (reply.k === ReplyKind.Bulk) return reply.v as string;
    throw new Error(`GET ${key} answered ${describe(reply)}`);
  }

  digest(): string {
    return keyspaceDigest(this.engine.ks);
  }

  /**
   * Raft's snapshot data as a replica group server writes it: the group snapshot envelope
   * (src/io/group/group-snapshot.ts) around the whole key space in Cairn's snapshot format
   * (the format of dump.rdb), with an empty members section (the simulator's membership is
   * Raft's own conf state).
   */
  snapshot(): Uint8Array {
    return encodeGroupSnapshot({ keyspace: this.keyspaceBytes(), members: new Uint8Array(0) });
  }

  private keyspaceBytes(): Uint8Array {
    const out = new ChunkWriter(null, 4096);
    writeHeader(out);
    let keys = 0;
    for (const db of this.engine.ks.dbs) {
      if (db.entries.size === 0) continue;
      writeSelectDb(out, db.id);
      for (const e of db.entries.values()) {
        writeEntry(out, e);
        keys++;
      }
    }
    writeEof(out, keys);
    const body = out.take();
    const bytes = new Uint8Array(body.length + 4);
    bytes.set(body, 0);
    new DataView(bytes.buffer).setUint32(body.length, crc32c(body), true);
    return bytes;
  }

  /** A machine holding a snapshot's state (from this node's disk or from the leader). */
  static fromSnapshot(data: Uint8Array): KvMachine {
    const m = new KvMachine();
    m.load(data);
    return m;
  }

  /** Loads with the server's own snapshot loader (what InstallSnapshot and a restart run there). */
  private load(data: Uint8Array): void {
    loadGroupSnapshot(this.engine, data, Logger.silent()); // an empty envelope: a new group's initial snapshot
  }

  private run(argv: readonly string[]): void {
    const reply = this.engine.execute(this.session, [...argv]);
    // Every replica runs the same command on the same state: an error here would be an error
    // everywhere, and for the commands this adapter proposes it is a bug.
    if (reply.k === ReplyKind.Error) throw new Error(`${argv.join(' ')} failed while applying: ${String(reply.v)}`);
  }
}

function describe(r: Reply): string {
  return `${r.k}:${JSON.stringify(r.v)}`;
}
