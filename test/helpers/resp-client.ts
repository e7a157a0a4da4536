// A tiny RESP client for tests: raw node:net, commands sent as RESP arrays of bulk strings,
// replies parsed into a tagged tree that keeps the exact wire type, so that two servers can be
// compared on meaning without a client library smoothing over differences ($-1 vs *-1, an
// integer vs a bulk "1", a RESP3 double vs a bulk string, and so on).
//
// Independent of src/ on purpose: the tests must not judge Cairn with Cairn's own parser.
import net from 'node:net';

/** One reply, tagged with its RESP type. Strings that may hold any byte are Buffers. */
export type RespValue =
  | { t: 'simple'; v: string }
  | { t: 'error'; v: string }
  /** `!` blob errors (RESP3); compared like simple errors. */
  | { t: 'bloberror'; v: string }
  | { t: 'int'; v: bigint }
  | { t: 'bulk'; v: Buffer }
  /** `wire` keeps which null it was: RESP2 `$-1` or `*-1`, or RESP3 `_`. */
  | { t: 'null'; wire: '$' | '*' | '_' }
  | { t: 'array'; v: RespValue[] }
  | { t: 'map'; v: Array<[RespValue, RespValue]> }
  | { t: 'set'; v: RespValue[] }
  /** The double's text exactly as sent (`,1.5`, `,inf`), so formatting differences show. */
  | { t: 'double'; v: string }
  | { t: 'bool'; v: boolean }
  | { t: 'verbatim'; format: string; v: Buffer }
  | { t: 'bignum'; v: string }
  | { t: 'push'; v: RespValue[] }
  /** A RESP3 attribute (`|`) and the reply it annotates. */
  | { t: 'attribute'; attrs: Array<[RespValue, RespValue]>; v: RespValue };

export type Arg = string | Buffer | number | bigint;

/** Turns an argument into its bytes. Strings are taken as latin1: one char per byte. */
export function argBytes(a: Arg): Buffer {
  if (Buffer.isBuffer(a)) return a;
  return Buffer.from(typeof a === 'string' ? a : String(a), 'latin1');
}

/** Encodes one command as a RESP array of bulk strings. */
export function encodeCommand(argv: readonly Arg[]): Buffer {
  const parts: Buffer[] = [Buffer.from(`*${argv.length}\r\n`, 'latin1')];
  for (const a of argv) {
    const bytes = argBytes(a);
    parts.push(Buffer.from(`$${bytes.length}\r\n`, 'latin1'), bytes, CRLF);
  }
  return Buffer.concat(parts);
}

const CRLF = Buffer.from('\r\n', 'latin1');

/** Thrown by the parser when a buffer holds only part of a reply: wait for more bytes. */
const INCOMPLETE = Symbol('incomplete');

/** Incremental reply parser: feed bytes, take complete replies. */
export class RespReader {
  private buf: Buffer = Buffer.alloc(0);
  private pos = 0;

  feed(chunk: Buffer): void {
    this.buf = this.pos < this.buf.length ? Buffer.concat([this.buf.subarray(this.pos), chunk]) : chunk;
    this.pos = 0;
  }

  /** The next complete reply, or undefined when more bytes are needed. Throws on bad protocol. */
  next(): RespValue | undefined {
    const start = this.pos;
    try {
      return this.value();
    } catch (e) {
      if (e === INCOMPLETE) {
        this.pos = start;
        return undefined;
      }
      throw e;
    }
  }

  private line(): string {
    const end = this.buf.indexOf(CRLF, this.pos);
    if (end < 0) throw INCOMPLETE;
    const text = this.buf.toString('latin1', this.pos, end);
    this.pos = end + 2;
    return text;
  }

  private bytes(n: number): Buffer {
    if (this.pos + n + 2 > this.buf.length) throw INCOMPLETE;
    const out = Buffer.from(this.buf.subarray(this.pos, this.pos + n));
    if (this.buf[this.pos + n] !== 13 || this.buf[this.pos + n + 1] !== 10) throw new Error('RESP: bulk not followed by CRLF');
    this.pos += n + 2;
    return out;
  }

  private count(text: string): number {
    if (!/^-?\d+$/.test(text)) throw new Error(`RESP: bad length ${JSON.stringify(text)}`);
    return Number(text);
  }

  private items(n: number): RespValue[] {
    const out: RespValue[] = [];
    for (let i = 0; i < n; i++) out.push(this.value());
    return out;
  }

  private pairs(n: number): Array<[RespValue, RespValue]> {
    const out: Array<[RespValue, RespValue]> = [];
    for (let i = 0; i < n; i++) out.push([this.value(), this.value()]);
    return out;
  }

  private value(): RespValue {
    if (this.pos >= this.buf.length) throw INCOMPLETE;
    const type = String.fromCharCode(this.buf[this.pos]!);
    this.pos++;
    const head = this.line();
    switch (type) {
      case '+':
        return { t: 'simple', v: head };
      case '-':
        return { t: 'error', v: head };
      case ':':
        return { t: 'int', v: BigInt(head) };
      case '$': {
        const n = this.count(head);
        return n < 0 ? { t: 'null', wire: '$' } : { t: 'bulk', v: this.bytes(n) };
      }
      case '*': {
        const n = this.count(head);
        return n < 0 ? { t: 'null', wire: '*' } : { t: 'array', v: this.items(n) };
      }
      case '_':
        return { t: 'null', wire: '_' };
      case '%':
        return { t: 'map', v: this.pairs(this.count(head)) };
      case '~':
        return { t: 'set', v: this.items(this.count(head)) };
      case '>':
        return { t: 'push', v: this.items(this.count(head)) };
      case ',':
        return { t: 'double', v: head };
      case '#':
        if (head !== 't' && head !== 'f') throw new Error(`RESP: bad boolean ${JSON.stringify(head)}`);
        return { t: 'bool', v: head === 't' };
      case '(':
        return { t: 'bignum', v: head };
      case '!':
        return { t: 'bloberror', v: this.bytes(this.count(head)).toString('latin1') };
      case '=': {
        const body = this.bytes(this.count(head));
        return { t: 'verbatim', format: body.toString('latin1', 0, 3), v: body.subarray(4) };
      }
      case '|': {
        const attrs = this.pairs(this.count(head));
        return { t: 'attribute', attrs, v: this.value() };
      }
      default:
        throw new Error(`RESP: unknown type byte ${JSON.stringify(type)}`);
    }
  }
}

interface Pending {
  resolve: (v: RespValue) => void;
  reject: (e: Error) => void;
}

export interface ClientOptions {
  host?: string;
  /** Longest wait for the connection, and for each reply. */
  timeoutMs?: number;
}

/**
 * One connection. Every call to send() writes at once and waits for its reply in order, so
 * several sends without awaiting in between are a pipeline; pipeline() writes a batch in one go.
 */
export class RespClient {
  private readonly reader = new RespReader();
  private readonly pending: Pending[] = [];
  /** RESP3 push messages that arrived outside replies. */
  readonly pushes: RespValue[] = [];
  private failure: Error | null = null;
  private timer: NodeJS.Timeout | null = null;

  private constructor(
    private readonly socket: net.Socket,
    private readonly timeoutMs: number,
    readonly label: string,
  ) {
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', (e) => this.fail(new Error(`${label}: ${e.message}`)));
    socket.on('close', () => this.fail(new Error(`${label}: connection closed`)));
  }

  static connect(port: number, options: ClientOptions = {}): Promise<RespClient> {
    const host = options.host ?? '127.0.0.1';
    const timeoutMs = options.timeoutMs ?? 10_000;
    return new Promise((resolve, reject) => {
      const socket = net.connect({ port, host, noDelay: true });
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new Error(`connect to ${host}:${port} timed out after ${timeoutMs} ms`));
      }, timeoutMs);
      socket.once('error', (e) => {
        clearTimeout(timer);
        reject(e);
      });
      socket.once('connect', () => {
        clearTimeout(timer);
        socket.removeAllListeners('error');
        resolve(new RespClient(socket, timeoutMs, `${host}:${port}`));
      });
    });
  }

  /** Sends one command; resolves with its reply. */
  send(...argv: Arg[]): Promise<RespValue> {
    return this.pipeline([argv]).then((r) => r[0]!);
  }

  /** Writes every command in one write; resolves with the replies in order. */
  pipeline(commands: ReadonlyArray<readonly Arg[]>): Promise<RespValue[]> {
    if (this.failure !== null) return Promise.reject(this.failure);
    if (commands.length === 0) return Promise.resolve([]);
    const replies = commands.map(
      () =>
        new Promise<RespValue>((resolve, reject) => {
          this.pending.push({ resolve, reject });
        }),
    );
    this.socket.write(Buffer.concat(commands.map(encodeCommand)));
    this.armTimer();
    return Promise.all(replies);
  }

  /** Writes bytes as they are (inline commands, broken protocol) and expects `replies` replies. */
  writeRaw(bytes: Buffer, replies: number): Promise<RespValue[]> {
    if (this.failure !== null) return Promise.reject(this.failure);
    const out: Array<Promise<RespValue>> = [];
    for (let i = 0; i < replies; i++) out.push(new Promise((resolve, reject) => this.pending.push({ resolve, reject })));
    this.socket.write(bytes);
    this.armTimer();
    return Promise.all(out);
  }

  close(): void {
    this.failure ??= new Error(`${this.label}: closed by the test`);
    this.clearTimer();
    this.socket.destroy();
  }

  private onData(chunk: Buffer): void {
    this.reader.feed(chunk);
    for (;;) {
      let value: RespValue | undefined;
      try {
        value = this.reader.next();
      } catch (e) {
        this.fail(e as Error);
        this.socket.destroy();
        return;
      }
      if (value === undefined) break;
      if (value.t === 'push') {
        this.pushes.push(value);
        continue;
      }
      const waiter = this.pending.shift();
      if (waiter === undefined) {
        this.fail(new Error(`${this.label}: reply without a request: ${show(value)}`));
        return;
      }
      waiter.resolve(value);
    }
    if (this.pending.length === 0) this.clearTimer();
    else this.armTimer();
  }

  /** Restarts the reply timeout: it measures silence while replies are owed. */
  private armTimer(): void {
    this.clearTimer();
    this.timer = setTimeout(() => {
      this.fail(new Error(`${this.label}: no reply within ${this.timeoutMs} ms (${this.pending.length} owed)`));
      this.socket.destroy();
    }, this.timeoutMs);
  }

  private clearTimer(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }

  private fail(e: Error): void {
    this.clearTimer();
    this.failure ??= e;
    for (const p of this.pending.splice(0)) p.reject(e);
  }
}

/** Sends commands on a fresh connection and closes it. */
export async function oneShot(port: number, commands: ReadonlyArray<readonly Arg[]>, options: ClientOptions = {}): Promise<RespValue[]> {
  const c = await RespClient.connect(port, options);
  try {
    return await c.pipeline(commands);
  } finally {
    c.close();
  }
}

/** Escapes bytes the way redis-cli prints them: printable ASCII as is, the rest as \xHH. */
export function escapeBytes(bytes: Buffer | string): string {
  const b = typeof bytes === 'string' ? Buffer.from(bytes, 'latin1') : bytes;
  let out = '';
  for (const c of b) {
    if (c === 0x5c) out += '\\\\';
    else if (c === 0x22) out += '\\"';
    else if (c === 0x0a) out += '\\n';
    else if (c === 0x0d) out += '\\r';
    else if (c === 0x09) out += '\\t';
    else if (c >= 0x20 && c < 0x7f) out += String.fromCharCode(c);
    else out += '\\x' + c.toString(16).padStart(2, '0');
  }
  return out;
}

/**
 * A one-line rendering of a reply, for failure messages and traces: the RESP type prefix and
 * the content, bulk strings quoted with bytes escaped: +OK  :3  "a\x00b"  $-1  [:1, "x"]  {"k": ,1.5}
 */
export function show(v: RespValue): string {
  switch (v.t) {
    case 'simple':
      return `+${escapeBytes(v.v)}`;
    case 'error':
      return `-${escapeBytes(v.v)}`;
    case 'bloberror':
      return `!${escapeBytes(v.v)}`;
    case 'int':
      return `:${v.v}`;
    case 'bulk':
      return `"${escapeBytes(v.v)}"`;
    case 'null':
      return v.wire === '_' ? '_' : `${v.wire}-1`;
    case 'array':
      return `[${v.v.map(show).join(', ')}]`;
    case 'set':
      return `~[${v.v.map(show).join(', ')}]`;
    case 'push':
      return `>[${v.v.map(show).join(', ')}]`;
    case 'map':
      return `{${v.v.map(([k, x]) => `${show(k)}: ${show(x)}`).join(', ')}}`;
    case 'double':
      return `,${v.v}`;
    case 'bool':
      return v.v ? '#t' : '#f';
    case 'verbatim':
      return `=${v.format}:"${escapeBytes(v.v)}"`;
    case 'bignum':
      return `(${v.v}`;
    case 'attribute':
      return `|{${v.attrs.map(([k, x]) => `${show(k)}: ${show(x)}`).join(', ')}} ${show(v.v)}`;
  }
}

/** Exact structural equality of two replies (bytes, types and null kinds included). */
export function sameReply(a: RespValue, b: RespValue): boolean {
  if (a.t !== b.t) return false;
  switch (a.t) {
    case 'simple':
    case 'error':
    case 'bloberror':
    case 'double':
    case 'bignum':
      return a.v === (b as typeof a).v;
    case 'int':
      return a.v === (b as typeof a).v;
    case 'bool':
      return a.v === (b as typeof a).v;
    case 'bulk':
      return a.v.equals((b as typeof a).v);
    case 'verbatim':
      return a.format === (b as typeof a).format && a.v.equals((b as typeof a).v);
    case 'null':
      return a.wire === (b as typeof a).wire;
    case 'array':
    case 'set':
    case 'push': {
      const bb = (b as typeof a).v;
      return a.v.length === bb.length && a.v.every((x, i) => sameReply(x, bb[i]!));
    }
    case 'map': {
      const bb = (b as typeof a).v;
      return a.v.length === bb.length && a.v.every(([k, x], i) => sameReply(k, bb[i]![0]) && sameReply(x, bb[i]![1]));
    }
    case 'attribute': {
      const bb = b as typeof a;
      return sameReply({ t: 'map', v: a.attrs }, { t: 'map', v: bb.attrs }) && sameReply(a.v, bb.v);
    }
  }
}
