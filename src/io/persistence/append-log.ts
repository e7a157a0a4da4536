// Writing the append-only log: records arrive during an event-loop turn, are written together
// at its end (one write call), and made durable by policy:
//   always    one fsync per batch (group commit): every write of the turn shares it, and the
//             TCP layer holds their replies until it completes (reply-hold.ts).
//   everysec  a background fsync once a second.
//   no        never an explicit fsync; the OS flushes when it likes.
// While an fsync runs, new records wait in memory and go out as the next batch, so a write
// never queues behind an fsync on the same file (Redis postpones its writes the same way).
// One exception to waiting for the end of the turn: when a single client is writing (one read
// left records last turn, and this is the first this turn), its records are written as soon as
// its read has been processed (afterRead), so its replies skip the hop to the end of the turn;
// a busier turn goes back to one write for all (docs/design/group-commit.md).
//
// Failures: a write that fails is undone (the file is cut back to its last whole record) and
// kept in memory; a failed fsync leaves the written-but-unsynced bytes in doubt, so they are
// kept in memory too and written again before the next fsync. Until a retry succeeds the
// manager refuses writes with MISCONF; nothing acknowledged is dropped.
import type { Logger } from '../../server/log.js';
import type { Effect } from '../../core/keyspace.js';
import { strerror, type AppendFile } from './file-system.js';
import { LogBuffer } from './log-buffer.js';
import { RECORD_HEADER_BYTES, recordEffects, recordPayloadBytes, sealRecords, writeUnsealedRecord } from './log-format.js';

export type FsyncPolicy = 'always' | 'everysec' | 'no';

export interface LogFailure {
  readonly op: 'write' | 'fsync';
  /** strerror text, as Redis prints it after "Errors writing to the AOF file: ". */
  readonly reason: string;
}

export interface AppendLogOptions {
  policy: FsyncPolicy;
  /** Runs `fn` at the end of the current event-loop turn (setImmediate). */
  endOfTurn: (fn: () => void) => void;
  nowMs: () => number;
  log: Logger;
  /**
   * Embedded mode answers synchronously, so under `always` each write is written and fsynced
   * before the call returns (no group commit is possible without an event loop turn).
   */
  inlineSync?: boolean;
}

/** Under everysec, an fsync starts early once this many written bytes wait for one. */
const UNSYNCED_BYTES_SOFT_MAX = 16 * 1024 * 1024;
/** Writes wait for a running fsync at most this long before going out anyway (as Redis). */
const WRITE_POSTPONE_MS_MAX = 2000;

export class AppendLog {
  appendedSeq = 0;
  writtenSeq = 0;
  durableSeq = 0;
  failure: LogFailure | null = null;
  policy: FsyncPolicy;
  /** Writes postponed because an fsync was running (INFO aof_delayed_fsync). */
  delayedWrites = 0;
  lastFsyncMs = 0;
  /**
   * Records appended and not written yet (after a failed write, not written again yet), and
   * those written but not yet fsynced, kept to write again if an fsync fails.
   */
  private readonly buffer = new LogBuffer(sealRecords);
  /** File bytes made of whole records (a failed write may have left more on disk). */
  private goodBytes: number;
  private durableBytes: number;
  private fsyncStartedMs = -1;
  /** Bumped when the file changes, so a late fsync callback of the old file is ignored. */
  private generation = 0;
  private turnScheduled = false;
  /** Client reads this turn that left records to write (afterRead). */
  private recordReads = 0;
  /** The previous turn had several such reads: records wait for the end of the turn. */
  private batching = false;
  private listeners: Array<() => void> = [];
  private closed = false;

  constructor(
    private file: AppendFile,
    private readonly options: AppendLogOptions,
  ) {
    this.policy = options.policy;
    this.goodBytes = file.size();
    this.durableBytes = this.goodBytes;
  }

  get fileName(): string {
    return this.file.path;
  }

  /** Bytes of the current file, records not yet written included (INFO aof_current_size). */
  get sizeBytes(): number {
    return this.goodBytes + this.buffer.pendingBytes;
  }

  get bufferedBytes(): number {
    return this.buffer.pendingBytes;
  }

  /**
   * The last record a reply may count on: fsynced under `always`; under everysec and no, in
   * the operating system's hands (it survives the process crashing, as in Redis, which writes
   * its log buffer before it sends the replies of an event-loop iteration).
   */
  get acknowledgedSeq(): number {
    return this.policy === 'always' ? this.durableSeq : this.writtenSeq;
  }

  get fsyncInProgress(): boolean {
    return this.fsyncStartedMs >= 0;
  }

  /** Hands over one record, already encoded (sealed again with the others: the same bytes); returns its sequence number. */
  append(record: Uint8Array): number {
    this.buffer.add(record);
    return this.appended();
  }

  /**
   * Encodes the effects of one command or transaction as one record, straight into the log's
   * buffer (log-format.ts; its checksums are filled in with the other pending records' just
   * before they are written); returns its sequence number.
   */
  appendEffects(effects: readonly Effect[]): number {
    const inner = recordEffects(effects);
    const payloadBytes = recordPayloadBytes(inner);
    const buf = this.buffer.room(RECORD_HEADER_BYTES + payloadBytes);
    this.buffer.wrote(writeUnsealedRecord(buf, this.buffer.writeAt, inner, payloadBytes));
    return this.appended();
  }

  private appended(): number {
    this.appendedSeq++;
    if (this.options.inlineSync === true && this.policy === 'always') this.flushSync();
    else this.scheduleTurn();
    return this.appendedSeq;
  }

  /**
   * A client's read has been processed, its replies are about to be flushed. Its records are
   * written now when it is the first read of the turn to leave any and the previous turn had at
   * most one: no other connection's records are likely to join them, and its replies need not
   * wait for the end of the turn. Otherwise they wait for it and go out with the others.
   */
  afterRead(): void {
    if (this.buffer.pendingBytes === 0) return;
    this.recordReads++;
    if (this.recordReads === 1 && !this.batching && !this.fsyncInProgress) this.writeBatch();
  }

  /** Calls `cb` once, when durableSeq or the failure state next changes. */
  whenChanged(cb: () => void): void {
    this.listeners.push(cb);
  }

  setPolicy(policy: FsyncPolicy): void {
    this.policy = policy;
    if (policy === 'no' && this.failure === null) {
      this.buffer.durableAll();
      this.markDurable(this.writtenSeq, this.goodBytes);
    }
    this.scheduleTurn();
  }

  /** The everysec tick: an fsync in the background if anything was written since the last; spare memory given back. */
  everySecond(): void {
    this.buffer.trim();
    if (this.policy === 'everysec') this.startFsync(false);
  }

  /** Cron's retry of a failed write or fsync (Redis retries once a second too). */
  retry(): void {
    if (this.failure === null || this.fsyncInProgress || this.closed) return;
    try {
      this.repair();
    } catch (e) {
      this.fail(this.failure.op, e);
      return;
    }
    const wasFsync = this.failure.op === 'fsync';
    if (!wasFsync) this.recovered();
    if (!this.writePending()) return;
    if (wasFsync || this.policy === 'always') this.startFsync(true);
  }

  /**
   * Writes and fsyncs everything now, on this turn (rewrite switch-over, shutdown, embedded
   * always). Returns false when the disk refused; the failure is then recorded as usual.
   */
  flushSync(): boolean {
    if (this.failure !== null) {
      this.retryInline();
      if (this.failure !== null) return false;
    }
    if (!this.writePending()) return false;
    if (this.policy === 'no' || this.writtenSeq === this.durableSeq) return true;
    try {
      this.file.fsyncSync();
    } catch (e) {
      this.fail('fsync', e);
      return false;
    }
    this.generation++; // an fsync still running on the thread pool can only say less than this
    this.fsyncStartedMs = -1;
    // Everything written is on disk: nothing to write again should a later fsync fail.
    this.buffer.durableAll();
    this.markDurable(this.writtenSeq, this.goodBytes);
    return true;
  }

  /** Starts a new file (a rewrite's new incremental log); call after flushSync succeeded. */
  switchTo(file: AppendFile): void {
    this.file.close();
    this.file = file;
    this.generation++;
    this.fsyncStartedMs = -1;
    this.goodBytes = file.size();
    this.durableBytes = this.goodBytes;
    this.buffer.durableAll();
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.generation++;
    this.file.close();
    this.notify();
  }

  private scheduleTurn(): void {
    if (this.turnScheduled || this.closed) return;
    this.turnScheduled = true;
    this.options.endOfTurn(() => {
      this.turnScheduled = false;
      this.batching = this.recordReads > 1;
      this.recordReads = 0;
      this.writeBatch();
    });
  }

  /** Writes what is pending (end of a turn, a lone client's read, an fsync done) and starts an fsync if due. */
  private writeBatch(): void {
    if (this.failure !== null || this.closed || this.buffer.pendingBytes === 0) return;
    if (this.fsyncInProgress) {
      // The fsync's completion writes this batch; past the limit, write beside it anyway.
      if (this.options.nowMs() - this.fsyncStartedMs < WRITE_POSTPONE_MS_MAX) {
        this.delayedWrites++;
        return;
      }
    }
    if (!this.writePending()) return;
    if (this.policy === 'always') this.startFsync(false);
    else if (this.policy === 'everysec' && this.buffer.unsyncedBytes > UNSYNCED_BYTES_SOFT_MAX) this.startFsync(false);
  }

  /**
   * Writes the pending batch with one write call; false (and a recorded failure) on error, the
   * batch then stays pending.
   */
  private writePending(): boolean {
    if (this.buffer.pendingBytes === 0) return true;
    const data = this.buffer.pending();
    try {
      if (this.file.size() !== this.goodBytes) this.file.truncate(this.goodBytes);
      this.file.write(data);
    } catch (e) {
      this.undoPartialWrite();
      this.fail('write', e);
      return false;
    }
    this.buffer.written(data, this.policy !== 'no');
    this.goodBytes += data.length;
    this.writtenSeq = this.appendedSeq;
    if (this.policy === 'no') {
      this.markDurable(this.writtenSeq, this.goodBytes);
    } else {
      this.notify(); // replies under everysec wait for this: the OS has the records
    }
    return true;
  }

  /** Cuts a partial write off; if even that fails, retry() tries again before any new write. */
  private undoPartialWrite(): void {
    try {
      if (this.file.size() !== this.goodBytes) this.file.truncate(this.goodBytes);
    } catch {
      // recorded by the caller's failure; writePending and repair check the size again
    }
  }

  private startFsync(repairing: boolean): void {
    if (this.fsyncInProgress || this.closed) return;
    if (this.failure !== null && !repairing) return;
    if (this.writtenSeq === this.durableSeq && !repairing) return;
    const seq = this.writtenSeq;
    const bytes = this.goodBytes;
    const chunks = this.buffer.unsyncedCount;
    const generation = this.generation;
    this.fsyncStartedMs = this.options.nowMs();
    this.file.fsync((error) => {
      if (generation !== this.generation) return;
      this.fsyncStartedMs = -1;
      if (error !== null) {
        this.fail('fsync', error);
        return;
      }
      this.buffer.durable(chunks);
      this.lastFsyncMs = this.options.nowMs();
      if (this.failure?.op === 'fsync') this.recovered();
      this.markDurable(seq, bytes);
      // Records that arrived during the fsync form the next batch; records written beside a
      // slow fsync (past the postpone limit) still need one of their own.
      if (this.buffer.pendingBytes > 0) this.writeBatch();
      else if (this.policy === 'always' && this.writtenSeq > this.durableSeq) this.startFsync(false);
    });
  }

  /** Puts the file back in a known state before retrying: whole records, unsynced bytes rewritten. */
  private repair(): void {
    if (this.failure?.op === 'fsync') {
      // After a failed fsync the kernel may have dropped the dirty pages: write them again.
      this.file.truncate(this.durableBytes);
      this.goodBytes = this.durableBytes;
      if (this.buffer.unsyncedBytes > 0) {
        const data = this.buffer.keptCopy();
        this.file.write(data);
        this.goodBytes += data.length;
      }
    } else if (this.file.size() !== this.goodBytes) {
      this.file.truncate(this.goodBytes);
    }
  }

  private retryInline(): void {
    const wasFsync = this.failure?.op === 'fsync';
    try {
      this.repair();
      if (wasFsync) {
        this.file.fsyncSync();
        this.buffer.durableAll();
        this.markDurable(this.writtenSeq, this.goodBytes);
      }
      this.recovered();
    } catch (e) {
      this.fail(wasFsync ? 'fsync' : 'write', e);
    }
  }

  private fail(op: 'write' | 'fsync', error: unknown): void {
    const reason = strerror(error);
    if (this.failure === null || this.failure.reason !== reason) {
      this.options.log.warning(`Error ${op === 'write' ? 'writing to' : 'fsyncing'} the append-only file: ${reason}; writes are refused until it works again`, { file: this.file.path });
    }
    this.failure = { op, reason };
    this.notify();
  }

  private recovered(): void {
    if (this.failure === null) return;
    this.options.log.warning('Append-only file write error looks solved: writes accepted again', { file: this.file.path });
    this.failure = null;
    this.notify();
  }

  private markDurable(seq: number, bytes: number): void {
    if (seq > this.durableSeq) this.durableSeq = seq;
    this.durableBytes = bytes;
    this.notify();
  }

  private notify(): void {
    if (this.listeners.length === 0) return;
    const waiting = this.listeners;
    this.listeners = [];
    for (const cb of waiting) cb();
  }
}
