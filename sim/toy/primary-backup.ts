// A toy replicated register store that proves the simulator end to end before the real Raft
// group exists: node 1 is the primary forever; it logs each write durably, replicates it to
// every backup, and answers only when all of them have it on disk. It refuses writes while a
// backup has been silent for a while, and serves reads from its own applied state. That is
// linearizable (one fixed serialization point that never loses a durable entry) but not
// available under partitions, which is fine for a toy.
//
// Each flaw turns it into a classic bug that a checker must catch from some seed:
// - staleReads: backups answer strong reads from their own, possibly lagging, state;
// - ackBeforeDurable: the primary answers a write before fsync and replication;
// - swallowFsyncErrors: an fsync error is logged and ignored instead of crashing;
// - applyOutOfOrder: backups apply entries as they arrive, ignoring positions;
// - noRetransmit: entries are sent once; a lost message is never resent.
import type { ClientOp, Consistency, Value } from '../history.js';
import type { ClientResult, NodeEnv, NodeId, NodeStatus, SimNode, SimNodeFactory } from '../node.js';
import { RecordLog } from '../record-log.js';

export interface ToyFlaws {
  readonly staleReads?: boolean;
  readonly ackBeforeDurable?: boolean;
  readonly swallowFsyncErrors?: boolean;
  readonly applyOutOfOrder?: boolean;
  readonly noRetransmit?: boolean;
}

const LOG_PATH = '/data/replication.log';
/** Ticks without a word from a backup before the primary refuses new writes. */
const REFUSE_AFTER_TICKS = 20;
const RESEND_EVERY_TICKS = 3;
const PING_EVERY_TICKS = 5;
const BATCH_ENTRIES = 64;
/** Writes waiting for replication before new ones are refused. */
const MAX_WAITING = 256;

type Message = { readonly t: 'rep'; readonly from: number; readonly ops: readonly ClientOp[] } | { readonly t: 'ack'; readonly upTo: number };

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const encode = (value: unknown): Uint8Array => encoder.encode(JSON.stringify(value));
const decode = <T>(bytes: Uint8Array): T => JSON.parse(decoder.decode(bytes)) as T;

export function toyFactory(name: string, description: string, flaws: ToyFlaws = {}): SimNodeFactory {
  return { name, description, tickMicros: 10_000, clockDriftBound: 0.01, create: (env) => new ToyNode(env, flaws) };
}

class ToyNode implements SimNode {
  private readonly primary: NodeId;
  private readonly backups: NodeId[];
  private readonly log: RecordLog;
  private readonly entries: ClientOp[] = [];
  private durable = 0;
  private syncing = false;
  private syncAgain = false;
  private readonly state = new Map<string, string>();
  private applied = 0;
  private ticks = 0;
  // Primary only.
  private readonly acked = new Map<NodeId, number>();
  private readonly lastHeard = new Map<NodeId, number>();
  private readonly lastSent = new Map<NodeId, number>();
  private readonly nextSend = new Map<NodeId, number>();
  private readonly waiting = new Map<number, (result: ClientResult) => void>();

  constructor(
    private readonly env: NodeEnv,
    private readonly flaws: ToyFlaws,
  ) {
    this.primary = env.members[0]!;
    this.backups = env.members.filter((m) => m !== this.primary);
    env.disk.mkdirp('/data');
    const opened = RecordLog.open(env.disk, LOG_PATH);
    this.log = opened.log;
    for (const r of opened.records) this.entries.push(decode<ClientOp>(r));
    if (opened.tornBytes > 0) env.trace(`cut a torn tail of ${opened.tornBytes} bytes`);
    // What survived the crash is on disk. The primary's log is the truth: entries it holds are
    // final (no client was told otherwise), so it applies them all at once.
    this.durable = this.entries.length;
    this.applyUpTo(this.entries.length);
    for (const b of this.backups) {
      this.acked.set(b, 0);
      this.lastHeard.set(b, 0);
      this.lastSent.set(b, -RESEND_EVERY_TICKS);
      this.nextSend.set(b, this.durable + 1);
    }
  }

  private get isPrimary(): boolean {
    return this.env.id === this.primary;
  }

  tick(): void {
    this.ticks++;
    if (this.flaws.ackBeforeDurable && this.durable < this.entries.length) this.requestSync();
    if (!this.isPrimary) return;
    for (const b of this.backups) {
      const acked = this.acked.get(b)!;
      const since = this.ticks - this.lastSent.get(b)!;
      if (acked < this.durable && !this.flaws.noRetransmit && since >= RESEND_EVERY_TICKS) {
        this.sendEntries(b, acked + 1, Math.min(this.durable, acked + BATCH_ENTRIES));
      } else if (since >= PING_EVERY_TICKS) {
        this.sendEntries(b, this.durable + 1, this.durable);
      }
    }
  }

  receive(from: NodeId, bytes: Uint8Array): void {
    const m = decode<Message>(bytes);
    if (m.t === 'ack') {
      if (!this.isPrimary) return;
      this.lastHeard.set(from, this.ticks);
      this.acked.set(from, Math.max(this.acked.get(from) ?? 0, Math.min(m.upTo, this.durable)));
      this.advance();
      return;
    }
    if (this.isPrimary || from !== this.primary) return;
    let appended = false;
    m.ops.forEach((op, i) => {
      const index = m.from + i;
      if (!this.flaws.applyOutOfOrder && index !== this.entries.length + 1) return;
      try {
        this.append(op);
      } catch (e) {
        this.env.fatal(`log write failed: ${(e as Error).message}`);
      }
      appended = true;
    });
    if (appended) this.requestSync();
    else this.env.send(this.primary, encode({ t: 'ack', upTo: this.durable }));
  }

  request(op: ClientOp, consistency: Consistency, done: (result: ClientResult) => void): void {
    if (op.kind === 'read' && (this.isPrimary || consistency === 'weak' || this.flaws.staleReads)) {
      done({ type: 'ok', output: { value: this.readLocal(op.key) } });
      return;
    }
    if (!this.isPrimary) {
      done({ type: 'fail', reason: 'not the primary', leaderHint: this.primary });
      return;
    }
    if (op.kind === 'read') throw new Error('unreachable: reads are answered above');
    const silent = this.backups.find((b) => this.ticks - this.lastHeard.get(b)! > REFUSE_AFTER_TICKS);
    if (silent !== undefined) {
      done({ type: 'fail', reason: `backup n${silent} is unreachable` });
      return;
    }
    if (this.waiting.size >= MAX_WAITING) {
      done({ type: 'fail', reason: 'too many writes waiting' });
      return;
    }
    try {
      this.append(op);
    } catch (e) {
      done({ type: 'fail', reason: `log write failed: ${(e as Error).message}` });
      return;
    }
    const index = this.entries.length;
    if (this.flaws.ackBeforeDurable) {
      this.applyUpTo(index);
      done({ type: 'ok', output: this.lastOutput });
      return;
    }
    this.waiting.set(index, done);
    this.requestSync();
  }

  digest(): string {
    let h = 0x811c9dc5;
    for (const key of [...this.state.keys()].sort()) {
      const text = `${key}=${this.state.get(key)};`;
      for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
    }
    return (h >>> 0).toString(16).padStart(8, '0');
  }

  readLocal(key: string): Value {
    return this.state.get(key) ?? null;
  }

  status(): NodeStatus {
    return { role: this.isPrimary ? 'primary' : 'backup', applied: this.applied };
  }

  private append(op: ClientOp): void {
    this.log.append(encode(op));
    this.entries.push(op);
  }

  /** One fsync at a time; writes that arrive meanwhile wait for the next (group commit). */
  private requestSync(): void {
    if (this.syncing) {
      this.syncAgain = true;
      return;
    }
    this.syncing = true;
    const upTo = this.entries.length;
    this.log.sync((error) => {
      this.syncing = false;
      if (error !== null) {
        if (!this.flaws.swallowFsyncErrors) this.env.fatal(`fsync failed: ${error.message}`);
        this.env.trace(`ignoring fsync error: ${error.message}`);
      }
      this.durable = Math.max(this.durable, upTo);
      this.onDurable();
      if (this.syncAgain) {
        this.syncAgain = false;
        this.requestSync();
      }
    });
  }

  private onDurable(): void {
    if (!this.isPrimary) {
      this.applyUpTo(this.durable);
      this.env.send(this.primary, encode({ t: 'ack', upTo: this.durable }));
      return;
    }
    for (const b of this.backups) {
      const from = this.nextSend.get(b)!;
      if (from <= this.durable) this.sendEntries(b, from, this.durable);
    }
    this.advance();
  }

  private sendEntries(to: NodeId, from: number, upTo: number): void {
    this.env.send(to, encode({ t: 'rep', from, ops: this.entries.slice(from - 1, upTo) }));
    this.lastSent.set(to, this.ticks);
    this.nextSend.set(to, Math.max(this.nextSend.get(to)!, upTo + 1));
  }

  /** Applies what every replica holds durably and answers the writes waiting for it. */
  private advance(): void {
    let commit = this.durable;
    for (const b of this.backups) commit = Math.min(commit, this.acked.get(b)!);
    while (this.applied < commit) {
      this.applyUpTo(this.applied + 1);
      const done = this.waiting.get(this.applied);
      if (done !== undefined) {
        this.waiting.delete(this.applied);
        done({ type: 'ok', output: this.lastOutput });
      }
    }
  }

  private lastOutput: { value: Value } | { swapped: boolean } | null = null;

  private applyUpTo(index: number): void {
    while (this.applied < index) {
      const op = this.entries[this.applied]!;
      this.applied++;
      if (op.kind === 'write') {
        this.state.set(op.key, op.value);
        this.lastOutput = null;
      } else if (op.kind === 'cas') {
        const swapped = (this.state.get(op.key) ?? null) === op.expected;
        if (swapped) this.state.set(op.key, op.value);
        this.lastOutput = { swapped };
      }
    }
  }
}
