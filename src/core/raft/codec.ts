// The bytes of Raft's messages on peer links and of the hard state on disk. Fixed format,
// version 1, big-endian; numbers are float64 so any safe integer (ids, terms, indexes) fits.
// Decoding never throws: bytes from the network that are not a valid message give null, and
// the shell drops them (Raft recovers from a lost message).
//
//   message  = u8 version | u8 type | f64 from | f64 to | f64 term | fields of the type
//   entry    = f64 term | f64 index | u8 kind (0 normal, 1 conf-change) | bytes data
//   snapshot = f64 index | f64 term | ids voters | ids learners | bytes data
//   bytes    = u32 length | length bytes;  ids = u32 count | count f64;  text = bytes (UTF-8)
import type { ConfState, Entry, HardState, Message, MessageType, Snapshot, SnapshotRequest } from './types.js';

const VERSION = 1;

const TYPE_CODES: Record<MessageType, number> = {
  'vote': 1, 'pre-vote': 2, 'vote-resp': 3, 'pre-vote-resp': 4, 'app': 5, 'app-resp': 6,
  'heartbeat': 7, 'heartbeat-resp': 8, 'snap': 9, 'timeout-now': 10, 'prop': 11,
  'read-index': 12, 'read-index-resp': 13, 'transfer-leader': 14,
};
// One of each for the module: building a TextDecoder costs far more than decoding a short text.
const TEXT_ENCODER = new TextEncoder();
const TEXT_DECODER = new TextDecoder('utf-8', { fatal: true });

const TYPES_BY_CODE = new Map(Object.entries(TYPE_CODES).map(([t, c]) => [c, t as MessageType]));

class Writer {
  private buf = new Uint8Array(256);
  private view = new DataView(this.buf.buffer);
  at = 0;

  private room(n: number): void {
    if (this.at + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.at + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.at));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }

  u8(v: number): void {
    this.room(1);
    this.view.setUint8(this.at, v);
    this.at += 1;
  }

  f64(v: number): void {
    this.room(8);
    this.view.setFloat64(this.at, v);
    this.at += 8;
  }

  bytes(data: Uint8Array): void {
    this.room(4 + data.byteLength);
    this.view.setUint32(this.at, data.byteLength);
    this.buf.set(data, this.at + 4);
    this.at += 4 + data.byteLength;
  }

  text(s: string): void {
    this.bytes(TEXT_ENCODER.encode(s));
  }

  ids(list: readonly number[]): void {
    this.room(4);
    this.view.setUint32(this.at, list.length);
    this.at += 4;
    for (const id of list) this.f64(id);
  }

  done(): Uint8Array {
    return this.buf.slice(0, this.at);
  }
}

/** Thrown only inside this module and caught by the decoders. */
class Malformed extends Error {}

class Reader {
  private readonly view: DataView;
  at = 0;

  constructor(private readonly buf: Uint8Array) {
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }

  private need(n: number): void {
    if (this.at + n > this.buf.byteLength) throw new Malformed();
  }

  u8(): number {
    this.need(1);
    return this.view.getUint8(this.at++);
  }

  f64(): number {
    this.need(8);
    const v = this.view.getFloat64(this.at);
    this.at += 8;
    return v;
  }

  /** A non-negative safe integer (ids, terms, indexes, ticks). */
  count(): number {
    const v = this.f64();
    if (!Number.isSafeInteger(v) || v < 0) throw new Malformed();
    return v;
  }

  bool(): boolean {
    const v = this.u8();
    if (v > 1) throw new Malformed();
    return v === 1;
  }

  bytes(): Uint8Array {
    this.need(4);
    const n = this.view.getUint32(this.at);
    this.at += 4;
    this.need(n);
    const out = this.buf.slice(this.at, this.at + n);
    this.at += n;
    return out;
  }

  text(): string {
    try {
      return TEXT_DECODER.decode(this.bytes());
    } catch (e) {
      if (e instanceof Malformed) throw e;
      throw new Malformed();
    }
  }

  ids(): number[] {
    this.need(4);
    const n = this.view.getUint32(this.at);
    this.at += 4;
    if (n * 8 > this.buf.byteLength - this.at) throw new Malformed();
    const out: number[] = [];
    for (let i = 0; i < n; i++) out.push(this.count());
    return out;
  }

  end(): void {
    if (this.at !== this.buf.byteLength) throw new Malformed();
  }
}

function writeEntry(w: Writer, e: Entry): void {
  w.f64(e.term);
  w.f64(e.index);
  w.u8(e.type === 'normal' ? 0 : 1);
  w.bytes(e.data);
}

function readEntry(r: Reader): Entry {
  const term = r.count();
  const index = r.count();
  const kind = r.u8();
  if (kind > 1) throw new Malformed();
  return { term, index, type: kind === 0 ? 'normal' : 'conf-change', data: r.bytes() };
}

function writeEntries(w: Writer, entries: readonly Entry[]): void {
  w.f64(entries.length);
  for (const e of entries) writeEntry(w, e);
}

function readEntries(r: Reader): Entry[] {
  const n = r.count();
  const out: Entry[] = [];
  for (let i = 0; i < n; i++) out.push(readEntry(r));
  return out;
}

function writeSnapshot(w: Writer, s: Snapshot): void {
  w.f64(s.metadata.index);
  w.f64(s.metadata.term);
  w.ids(s.metadata.confState.voters);
  w.ids(s.metadata.confState.learners);
  w.bytes(s.data);
}

function readSnapshot(r: Reader): Snapshot {
  const index = r.count();
  const term = r.count();
  const confState: ConfState = { voters: r.ids(), learners: r.ids() };
  return { metadata: { index, term, confState }, data: r.bytes() };
}

export function encodeMessage(m: Message): Uint8Array {
  const w = new Writer();
  w.u8(VERSION);
  w.u8(TYPE_CODES[m.type]);
  w.f64(m.from);
  w.f64(m.to);
  w.f64(m.term);
  switch (m.type) {
    case 'vote':
    case 'pre-vote':
      w.f64(m.lastLogIndex);
      w.f64(m.lastLogTerm);
      w.u8(m.transfer ? 1 : 0);
      break;
    case 'vote-resp':
    case 'pre-vote-resp':
      w.u8(m.reject ? 1 : 0);
      break;
    case 'app':
      w.f64(m.prevIndex);
      w.f64(m.prevTerm);
      w.f64(m.commit);
      writeEntries(w, m.entries);
      break;
    case 'app-resp':
      w.f64(m.index);
      w.u8(m.reject ? 1 : 0);
      w.f64(m.rejectHint);
      w.f64(m.logTerm);
      break;
    case 'heartbeat':
      w.f64(m.commit);
      w.text(m.context);
      w.f64(m.sentAtTick);
      break;
    case 'heartbeat-resp':
      w.text(m.context);
      w.f64(m.sentAtTick);
      break;
    case 'snap':
      writeSnapshot(w, m.snapshot);
      break;
    case 'timeout-now':
      break;
    case 'prop':
      writeEntries(w, m.entries);
      break;
    case 'read-index':
      w.text(m.context);
      break;
    case 'read-index-resp':
      w.text(m.context);
      w.f64(m.index);
      break;
    case 'transfer-leader':
      w.f64(m.transferee);
      break;
  }
  return w.done();
}

/** The message in `bytes`, or null when they are not one (wrong version, truncated, trailing bytes). */
/**
 * A snapshot message as two parts whose concatenation is exactly encodeMessage(m): everything
 * before the snapshot data (its length included), then the data itself, not copied. A large
 * snapshot is then written to disk or framed for a peer without copying it.
 */
export function encodeSnapshotMessage(m: SnapshotRequest): [Uint8Array, Uint8Array] {
  const head = encodeMessage({ ...m, snapshot: { metadata: m.snapshot.metadata, data: new Uint8Array(0) } });
  // The data is the message's last field: a u32 length (written as 0 here), then the bytes.
  new DataView(head.buffer, head.byteOffset, head.byteLength).setUint32(head.byteLength - 4, m.snapshot.data.byteLength);
  return [head, m.snapshot.data];
}

export function decodeMessage(bytes: Uint8Array): Message | null {
  try {
    const r = new Reader(bytes);
    if (r.u8() !== VERSION) return null;
    const type = TYPES_BY_CODE.get(r.u8());
    if (type === undefined) return null;
    // Plain fields rather than spreading a shared envelope: V8's object spread is a slow path here.
    const from = r.count();
    const to = r.count();
    const term = r.count();
    let m: Message;
    switch (type) {
      case 'vote':
      case 'pre-vote':
        m = { from, to, term, type, lastLogIndex: r.count(), lastLogTerm: r.count(), transfer: r.bool() };
        break;
      case 'vote-resp':
      case 'pre-vote-resp':
        m = { from, to, term, type, reject: r.bool() };
        break;
      case 'app': {
        const prevIndex = r.count();
        const prevTerm = r.count();
        const commit = r.count();
        m = { from, to, term, type, prevIndex, prevTerm, commit, entries: readEntries(r) };
        break;
      }
      case 'app-resp':
        m = { from, to, term, type, index: r.count(), reject: r.bool(), rejectHint: r.count(), logTerm: r.count() };
        break;
      case 'heartbeat':
        m = { from, to, term, type, commit: r.count(), context: r.text(), sentAtTick: r.count() };
        break;
      case 'heartbeat-resp':
        m = { from, to, term, type, context: r.text(), sentAtTick: r.count() };
        break;
      case 'snap':
        m = { from, to, term, type, snapshot: readSnapshot(r) };
        break;
      case 'timeout-now':
        m = { from, to, term, type };
        break;
      case 'prop':
        m = { from, to, term, type, entries: readEntries(r) };
        break;
      case 'read-index':
        m = { from, to, term, type, context: r.text() };
        break;
      case 'read-index-resp':
        m = { from, to, term, type, context: r.text(), index: r.count() };
        break;
      case 'transfer-leader':
        m = { from, to, term, type, transferee: r.count() };
        break;
    }
    r.end();
    return m;
  } catch (e) {
    if (e instanceof Malformed) return null;
    throw e;
  }
}

export function encodeHardState(hs: HardState): Uint8Array {
  const w = new Writer();
  w.u8(VERSION);
  w.f64(hs.term);
  w.f64(hs.vote);
  w.f64(hs.commit);
  return w.done();
}

export function decodeHardState(bytes: Uint8Array): HardState | null {
  try {
    const r = new Reader(bytes);
    if (r.u8() !== VERSION) return null;
    const hs = { term: r.count(), vote: r.count(), commit: r.count() };
    r.end();
    return hs;
  } catch (e) {
    if (e instanceof Malformed) return null;
    throw e;
  }
}

/** One log entry on its own (the durable Raft log stores entries one record each). */
export function encodeEntry(e: Entry): Uint8Array {
  const w = new Writer();
  w.u8(VERSION);
  writeEntry(w, e);
  return w.done();
}

export function decodeEntry(bytes: Uint8Array): Entry | null {
  try {
    const r = new Reader(bytes);
    if (r.u8() !== VERSION) return null;
    const e = readEntry(r);
    r.end();
    return e;
  } catch (e) {
    if (e instanceof Malformed) return null;
    throw e;
  }
}
