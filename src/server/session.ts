// One client's state, whatever front door it came through (TCP, embedded).
import type { CoreClient, CommandSpec } from '../core/commands/spec.js';
import { WatchState } from '../core/keyspace.js';
import type { Reply } from '../core/reply.js';
import type { ServerContext } from './context.js';

/** How a session reaches its client. The TCP layer and the embedded API implement it. */
export interface SessionTransport {
  readonly kind: 'tcp' | 'embedded';
  /** Sends an out-of-band message (MONITOR line, push) outside the request/reply flow. */
  deliver(reply: Reply): void;
  /** Closes the connection once the replies already written have been flushed. */
  close(): void;
  /** A blocked command got its answer (served, timed out or unblocked): send it, resume input. */
  unblocked(reply: Reply): void;
  /** Bytes received but not parsed yet (CLIENT LIST qbuf). */
  queryBufferBytes(): number;
  /** Bytes of replies waiting to be written (CLIENT LIST omem). */
  outputBufferBytes(): number;
}

/**
 * The transport of a session that answers nobody: the log loader's replay, a replica applying
 * entries, a script's inner calls. Their replies are read from the return value, never sent.
 */
export const SILENT_TRANSPORT: SessionTransport = {
  kind: 'embedded',
  deliver: () => undefined,
  close: () => undefined,
  unblocked: () => undefined,
  queryBufferBytes: () => 0,
  outputBufferBytes: () => 0,
};

export interface QueuedCommand {
  readonly spec: CommandSpec<ServerContext>;
  readonly argv: string[];
  readonly fullName: string;
}

export type ReplyMode = 'on' | 'off' | 'skip';

export class Session implements CoreClient {
  db = 0;
  resp: 2 | 3 = 2;
  readonly watch = new WatchState();
  name = '';
  libName = '';
  libVersion = '';
  user = 'default';
  authenticated: boolean;
  /** The commands of an open MULTI, and whether a queuing error doomed it. */
  multi: { queue: QueuedCommand[]; aborted: boolean } | null = null;
  replyMode: ReplyMode = 'on';
  /** READONLY: this cluster-mode connection accepts reads served by a replica. */
  clusterReadOnly = false;
  /** CLIENT REPLY SKIP applies to the next command only. */
  skipNextReply = false;
  monitor = false;
  noEvict = false;
  /** QUIT, CLIENT KILL and protocol errors close after the pending replies. */
  closing = false;
  lastCommand = 'NULL';
  lastInteractionMs: number;
  totalCommands = 0;
  /** False for callers that cannot wait (synchronous embedded calls): blocking commands answer at once. */
  canBlock = true;
  /** What the last command asked to block on (ctx.block); the engine takes it. */
  blockRequest: import('../core/commands/spec.js').BlockRequest | null = null;
  /** Filled in by the engine: the context object reused for every command of this session. */
  ctx!: ServerContext;

  constructor(
    readonly id: number,
    readonly transport: SessionTransport,
    readonly addr: string,
    readonly laddr: string,
    readonly createdMs: number,
    requiresAuth: boolean,
  ) {
    this.authenticated = !requiresAuth;
    this.lastInteractionMs = createdMs;
  }

  /** The flags field of CLIENT LIST (subset Cairn has). */
  flags(): string {
    let f = '';
    if (this.monitor) f += 'O';
    if (this.multi !== null) f += 'x';
    if (this.closing) f += 'c';
    if (this.watch.dirty) f += 'd';
    if (this.noEvict) f += 'e';
    return f === '' ? 'N' : f;
  }
}
