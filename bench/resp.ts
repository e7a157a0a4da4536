// A small RESP2 client for the benchmarks: one-off commands (INFO, FLUSHALL, probes) and a
// pipelined bulk loader that keeps a window of commands in flight, so that a million SETs
// load in seconds without a promise per command. Replies are decoded from chunks of any size.
import net from 'node:net';

export class RespError {
  constructor(readonly message: string) {}
}

/** Bulk strings come back as latin1 text (one char per byte). */
export type RespValue = string | number | null | RespError | RespValue[];

const INCOMPLETE = Symbol('incomplete');
type Parsed = { value: RespValue; end: number } | typeof INCOMPLETE;

/** Decodes RESP2 replies from a byte stream; calls onReply for each complete one. */
export class ReplyReader {
  private pending: Buffer = Buffer.alloc(0);

  constructor(private readonly onReply: (value: RespValue) => void) {}

  feed(chunk: Buffer): void {
    const buf = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    let at = 0;
    for (;;) {
      const parsed = parseValue(buf, at);
      if (parsed === INCOMPLETE) break;
      at = parsed.end;
      this.onReply(parsed.value);
    }
    this.pending = at === buf.length ? Buffer.alloc(0) : buf.subarray(at);
  }
}

function parseValue(buf: Buffer, at: number): Parsed {
  if (at >= buf.length) return INCOMPLETE;
  const lineEnd = buf.indexOf('\r\n', at);
  if (lineEnd < 0) return INCOMPLETE;
  const type = buf[at];
  const line = buf.toString('latin1', at + 1, lineEnd);
  const next = lineEnd + 2;
  switch (type) {
    case 43: // +
      return { value: line, end: next };
    case 45: // -
      return { value: new RespError(line), end: next };
    case 58: // :
      return { value: Number(line), end: next };
    case 36: { // $
      const len = Number(line);
      if (len < 0) return { value: null, end: next };
      if (buf.length < next + len + 2) return INCOMPLETE;
      return { value: buf.toString('latin1', next, next + len), end: next + len + 2 };
    }
    case 42: { // *
      const count = Number(line);
      if (count < 0) return { value: null, end: next };
      const items: RespValue[] = [];
      let pos = next;
      for (let i = 0; i < count; i++) {
        const item = parseValue(buf, pos);
        if (item === INCOMPLETE) return INCOMPLETE;
        items.push(item.value);
        pos = item.end;
      }
      return { value: items, end: pos };
    }
    default:
      throw new Error(`unexpected RESP type byte ${type} in reply`);
  }
}

/** One command in RESP2 form, as latin1 text. */
export function encodeCommand(args: readonly string[]): string {
  let out = `*${args.length}\r\n`;
  for (const a of args) out += `$${Buffer.byteLength(a, 'latin1')}\r\n${a}\r\n`;
  return out;
}

export interface LoadResult {
  readonly sent: number;
  readonly replies: number;
  readonly errors: number;
  readonly firstError: string | null;
  readonly ms: number;
  readonly timedOut: boolean;
}

interface LoadState {
  replies: number;
  errors: number;
  firstError: string | null;
  /** The loader waiting for replies to reach wakeAt, if any. */
  waiter: { resolve: () => void; reject: (e: Error) => void } | null;
  wakeAt: number;
}

export class RespClient {
  private readonly waiting: Array<(v: RespValue) => void> = [];
  /** While a bulk load runs, replies are only counted. */
  private counting: LoadState | null = null;
  private closedError: Error | null = null;

  private constructor(private readonly socket: net.Socket) {
    const reader = new ReplyReader((v) => this.deliver(v));
    socket.on('data', (chunk) => reader.feed(chunk));
    socket.on('error', (e) => this.fail(e));
    socket.on('close', () => this.fail(new Error('connection closed')));
  }

  static connect(port: number, host = '127.0.0.1'): Promise<RespClient> {
    return new Promise((resolve, reject) => {
      const socket = net.connect(port, host);
      socket.setNoDelay(true);
      socket.once('error', reject);
      socket.once('connect', () => {
        socket.off('error', reject);
        resolve(new RespClient(socket));
      });
    });
  }

  call(...args: string[]): Promise<RespValue> {
    if (this.closedError !== null) return Promise.reject(this.closedError);
    return new Promise((resolve) => {
      this.waiting.push(resolve);
      this.socket.write(encodeCommand(args), 'latin1');
    });
  }

  /** INFO <section> as a field map. */
  async info(section: string): Promise<Map<string, string>> {
    const text = await this.call('INFO', section);
    const out = new Map<string, string>();
    if (typeof text !== 'string') return out;
    for (const line of text.split('\r\n')) {
      const colon = line.indexOf(':');
      if (colon > 0) out.set(line.slice(0, colon), line.slice(colon + 1));
    }
    return out;
  }

  /**
   * Sends `total` commands, encoded `batch` at a time by encodeBatch(from, to), keeping at
   * most `window` unanswered. Stops sending at the deadline and reports what got through.
   */
  async load(total: number, encodeBatch: (from: number, to: number) => Buffer, opts: { batch: number; window: number; deadline: number }): Promise<LoadResult> {
    const started = Date.now();
    const state: LoadState = { replies: 0, errors: 0, firstError: null, waiter: null, wakeAt: 0 };
    this.counting = state;
    let sent = 0;
    let timedOut = false;
    try {
      while (sent < total) {
        if (Date.now() > opts.deadline) {
          timedOut = true;
          break;
        }
        const to = Math.min(total, sent + opts.batch);
        const ok = this.socket.write(encodeBatch(sent, to));
        sent = to;
        if (!ok) await this.drained();
        await this.repliesAtLeast(state, sent - opts.window);
      }
      await this.repliesAtLeast(state, sent);
    } finally {
      this.counting = null;
    }
    return { sent, replies: state.replies, errors: state.errors, firstError: state.firstError, ms: Date.now() - started, timedOut };
  }

  private drained(): Promise<void> {
    return new Promise((resolve, reject) => {
      const onDrain = (): void => {
        this.socket.off('close', onClose);
        resolve();
      };
      const onClose = (): void => {
        this.socket.off('drain', onDrain);
        reject(this.closedError ?? new Error('connection closed'));
      };
      this.socket.once('drain', onDrain);
      this.socket.once('close', onClose);
    });
  }

  private repliesAtLeast(state: LoadState, n: number): Promise<void> {
    if (state.replies >= n) return Promise.resolve();
    if (this.closedError !== null) return Promise.reject(this.closedError);
    return new Promise((resolve, reject) => {
      state.wakeAt = n;
      state.waiter = { resolve, reject };
    });
  }

  private deliver(v: RespValue): void {
    const c = this.counting;
    if (c !== null) {
      c.replies++;
      if (v instanceof RespError) {
        c.errors++;
        c.firstError ??= v.message;
      }
      if (c.waiter !== null && c.replies >= c.wakeAt) {
        const { resolve } = c.waiter;
        c.waiter = null;
        resolve();
      }
      return;
    }
    this.waiting.shift()?.(v);
  }

  private fail(e: Error): void {
    if (this.closedError !== null) return;
    this.closedError = e;
    for (const w of this.waiting.splice(0)) w(new RespError(`client: ${e.message}`));
    const waiter = this.counting?.waiter;
    if (waiter) {
      this.counting!.waiter = null;
      waiter.reject(e);
    }
  }

  close(): void {
    this.socket.destroy();
  }
}

/** Runs one command on a fresh connection. */
export async function oneCommand(port: number, ...args: string[]): Promise<RespValue> {
  const c = await RespClient.connect(port);
  try {
    return await c.call(...args);
  } finally {
    c.close();
  }
}
