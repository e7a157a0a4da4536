// Linearizable reads served by a follower (Raft's ReadIndex from a follower, §6.4 of the
// thesis; docs/design/replica-group.md). The follower asks the leader for a read index: the
// leader records its commit index, confirms with a heartbeat round that it still leads, and
// answers with that index. Once this replica has applied the log up to it, the read runs here,
// on a state that holds every write committed before the read began: linearizable. The
// session waits meanwhile as a blocked client does (its pipeline stays in order) and its answer
// comes through the blocking mechanism.
//
// Reads of one event-loop turn share one request. A request lost to a leader change gets no
// answer (Raft's rule): it is asked again of the new leader; one that finds no leader for
// `timeoutMs` answers -TRYAGAIN. If this node becomes the leader, waiting reads answer
// -TRYAGAIN too: a leader's state may hold writes not committed yet, which such a read must not
// see (the client retries, and the leader path serves it with its own reply barrier).
import { randomBytes } from 'node:crypto';
import type { CommandSpec } from '../../core/commands/spec.js';
import * as errors from '../../core/errors.js';
import type { ReadIndexResult, ReadState } from '../../core/raft/index.js';
import type { Reply } from '../../core/reply.js';
import type { ServerContext } from '../../server/context.js';
import type { Engine } from '../../server/engine.js';
import type { Session } from '../../server/session.js';

type Spec = CommandSpec<ServerContext>;

interface PendingRead {
  readonly session: Session;
  readonly spec: Spec;
  readonly argv: string[];
  readonly fullName: string;
  /** Runs the read on this replica and delivers its reply (RESP: the blocking mechanism). */
  readonly serve: (reply: () => Reply) => void;
}

interface Batch {
  context: string;
  readonly reads: PendingRead[];
  /** The leader's answer: the index to reach before serving; -1 until it came. */
  index: number;
  readonly deadlineMs: number;
}

export interface FollowerReadsOptions {
  readonly engine: Engine;
  /** This node's Raft id (part of every request's context, which must be unique in the group). */
  readonly selfId: number;
  readonly readIndex: (context: string) => ReadIndexResult;
  /** Highest index applied to the key space. */
  readonly applied: () => number;
  /** How long a read may wait for a leader's answer before it answers -TRYAGAIN. */
  readonly timeoutMs: number;
  /** False while this node leads: its state may hold uncommitted writes (see the header). */
  readonly following: () => boolean;
}

const SCRIPTS = new Set(['eval', 'evalsha', 'eval_ro', 'evalsha_ro', 'fcall', 'fcall_ro']);

/** Whether a read-only command may run here after a ReadIndex round: scripts and blocking reads go to the leader. */
export function servedByFollower(spec: Spec, fullName: string): boolean {
  return !SCRIPTS.has(fullName) && fullName !== 'exec' && !spec.flags.includes('blocking');
}

export class FollowerReads {
  /** Node id and a random part: a context of an earlier run still pending at the leader must not match. */
  private readonly prefix: string;
  private next = 0;
  private open: Batch | null = null;
  /** Requests sent, by context. */
  private readonly asked = new Map<string, Batch>();
  /** Answered batches waiting for the applied index to reach theirs, oldest first. */
  private waiting: Batch[] = [];
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly options: FollowerReadsOptions) {
    this.prefix = `f${options.selfId}.${randomBytes(6).toString('hex')}.`;
    this.timer = setInterval(() => this.expire(), Math.max(50, Math.floor(options.timeoutMs / 4)));
    this.timer.unref();
  }

  /** Whether a ReadIndex context is one of this component's. */
  owns(context: string): boolean {
    return context.startsWith(this.prefix);
  }

  /** Queues a read; it runs once the leader confirmed an index and this replica applied it. */
  add(read: PendingRead): void {
    if (this.open === null) {
      const batch: Batch = { context: '', reads: [], index: -1, deadlineMs: this.options.engine.clock.nowMs() + this.options.timeoutMs };
      this.open = batch;
      setImmediate(() => {
        if (this.open === batch) this.open = null;
        this.ask(batch);
      });
    }
    this.open.reads.push(read);
  }

  /** Raft's answer to one of this node's requests. */
  readReady(rs: ReadState): void {
    const batch = this.asked.get(rs.context);
    if (batch === undefined) return;
    this.asked.delete(rs.context);
    batch.index = rs.index;
    this.waiting.push(batch);
    this.waiting.sort((a, b) => a.index - b.index);
    this.appliedThrough(this.options.applied());
  }

  /** The key space holds every entry up to `index`: the reads waiting for it run now. */
  appliedThrough(index: number): void {
    while (this.waiting.length > 0 && this.waiting[0]!.index <= index) {
      const batch = this.waiting.shift()!;
      if (!this.options.following()) this.fail(batch, errors.groupReadUnconfirmed('this node became the leader'));
      else for (const read of batch.reads) this.run(read);
    }
  }

  /** A new leader is known: requests the old one did not answer are asked again. */
  leaderChanged(): void {
    const unanswered = [...this.asked.values()];
    this.asked.clear();
    for (const batch of unanswered) this.ask(batch);
  }

  /** This node leads now: nothing waiting may be served from its state (see the header). */
  becameLeader(): void {
    const all = [...this.asked.values(), ...this.waiting];
    this.asked.clear();
    this.waiting = [];
    for (const batch of all) this.fail(batch, errors.groupReadUnconfirmed('this node became the leader'));
  }

  close(): void {
    clearInterval(this.timer);
    const all = [...this.asked.values(), ...this.waiting];
    this.asked.clear();
    this.waiting = [];
    for (const batch of all) this.fail(batch, errors.groupReadUnconfirmed('the server is shutting down'));
  }

  get pendingCount(): number {
    let n = 0;
    for (const b of this.asked.values()) n += b.reads.length;
    for (const b of this.waiting) n += b.reads.length;
    return n;
  }

  private ask(batch: Batch): void {
    batch.context = `${this.prefix}${++this.next}`;
    const result = this.options.readIndex(batch.context);
    // 'forwarded' (a follower) or 'pending' (a leader confirms it itself): the answer comes
    // through readReady. 'dropped': no leader now; leaderChanged asks again, or it times out.
    this.asked.set(batch.context, batch);
    void result;
  }

  /** Reads without an answer, or whose index this replica does not reach, in time answer -TRYAGAIN. */
  private expire(): void {
    const now = this.options.engine.clock.nowMs();
    for (const [context, batch] of this.asked) {
      if (batch.deadlineMs > now) continue;
      this.asked.delete(context);
      this.fail(batch, errors.groupReadUnconfirmed('no answer from a leader in time'));
    }
    const late = this.waiting.filter((b) => b.deadlineMs <= now);
    if (late.length === 0) return;
    this.waiting = this.waiting.filter((b) => b.deadlineMs > now);
    for (const batch of late) this.fail(batch, errors.groupReadUnconfirmed('this replica did not catch up with the leader in time'));
  }

  private run(read: PendingRead): void {
    const engine = this.options.engine;
    read.serve(() => {
      engine.ks.now = engine.clock.nowMs();
      return engine.call(read.session, read.spec, read.argv, read.fullName);
    });
  }

  private fail(batch: Batch, reply: Reply): void {
    for (const read of batch.reads) read.serve(() => reply);
  }
}
