// Cairn in-process: the same engine, commands and replies as the server, without a socket.
//
//   import { open } from 'cairn';
//   const db = open();
//   await db.command('SET', 'greeting', 'hello', 'EX', '60');
//   const server = await db.listen({ port: 6379 });   // optional: serve the same data over TCP
import { Buffer } from 'node:buffer';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { Config } from './server/config.js';
import { decodeReply, CairnReplyError, type Decoded } from './server/decode.js';
import { Engine } from './server/engine.js';
import { TYPED_TTL_MAX } from './core/commands/strings.js';
import type { Reply } from './core/reply.js';
import { BLOCKED, NO_REPLY } from './core/reply.js';
import type { Session, SessionTransport } from './server/session.js';
import type { Clock } from './server/clock.js';
import { systemClock } from './io/system-clock.js';
import { realTimer } from './io/timers.js';
import { startServer, type RunningServer } from './io/net-server.js';
import { startMemcachedServer } from './io/memcached-server.js';
import { Persistence } from './io/persistence/manager.js';
import { loadOrCreateNodeId } from './io/cluster-config.js';
import { enableClusterMode } from './server/cluster.js';
import { singleNodeView } from './core/cluster/view.js';

export { CairnReplyError };
export type { Decoded };

export type Arg = string | Buffer | number | bigint;

export interface OpenOptions {
  /** Config options by name, as in redis.conf (`{ maxclients: '100' }`). */
  config?: Record<string, string>;
  /** Seed of the engine's random choices; random by default. */
  seed?: number;
  clock?: Clock;
  /**
   * A data folder: persistence (append-only log, snapshots) is on, loaded here synchronously by
   * open(). Without it (nor a `dir` in config) nothing is written to disk.
   */
  dir?: string;
}

/** A connection-like handle: its own selected database, MULTI state and protocol version. */
export class EmbeddedSession {
  private readonly pushed: Reply[] = [];
  /** Answers of blocking commands that were served after `raw` returned BLOCKED. */
  private readonly unblockedReplies: Reply[] = [];
  private wakeWaiter: ((reply: Reply) => void) | null = null;
  readonly session: Session;

  constructor(private readonly engine: Engine) {
    const pushed = this.pushed;
    let closed = false;
    const transport: SessionTransport = {
      kind: 'embedded',
      deliver: (reply) => {
        if (pushed.length < 10_000) pushed.push(reply);
      },
      close: () => {
        if (!closed) {
          closed = true;
          engine.closeSession(this.session);
        }
      },
      unblocked: (reply) => {
        const wake = this.wakeWaiter;
        this.wakeWaiter = null;
        if (wake !== null) wake(reply);
        else this.unblockedReplies.push(reply);
      },
      queryBufferBytes: () => 0,
      outputBufferBytes: () => 0,
    };
    this.session = engine.createSession(transport, 'embedded', 'embedded');
    this.session.authenticated = true;
  }

  /**
   * Runs a command and returns its raw reply (no decoding). A blocking command that must wait
   * returns BLOCKED; its answer arrives later through takeUnblocked() (or callAsync).
   */
  raw(args: readonly Arg[]): Reply {
    return this.engine.execute(this.session, args.map(toLatin1));
  }

  /** Runs a command; strings come back as UTF-8 text. Error replies throw CairnReplyError. */
  command(...args: Arg[]): Decoded {
    return decode(this.rawNonBlocking(args), false);
  }

  /**
   * GET key, as command('GET', key) answers it (UTF-8 text or null; WRONGTYPE throws), without
   * the generic path's argument list: the call an in-process cache makes most.
   */
  get(key: Arg): string | null {
    const reply = this.engine.typedGet(this.session, toLatin1(key));
    // A string is a value the engine knows to be ASCII: already the caller's text.
    return typeof reply === 'string' ? reply : (decode(reply, false) as string | null);
  }

  /**
   * SET key value, with an optional TTL in seconds (`ex`) or milliseconds (`px`): the same as
   * command('SET', key, value, 'EX', ex) (or 'PX'), answering 'OK'.
   */
  set(key: Arg, value: Arg, ttl?: { ex?: number; px?: number }): string | null {
    const k = toLatin1(key);
    const ascii = isAsciiArg(value);
    const v = ascii ? (typeof value === 'string' ? value : String(value)) : toLatin1(value);
    const ex = ttl?.ex;
    const px = ttl?.px;
    // The typed call takes no TTL or one TTL in range; anything else goes as SET's words, for
    // SET's own errors (a TTL not an integer, zero or negative, both EX and PX).
    let reply: Reply;
    if (ex === undefined && px === undefined) reply = this.engine.typedSet(this.session, k, v, 0, false, ascii);
    else if (px === undefined && typedTtl(ex)) reply = this.engine.typedSet(this.session, k, v, ex!, true, ascii);
    else if (ex === undefined && typedTtl(px)) reply = this.engine.typedSet(this.session, k, v, px!, false, ascii);
    else if (px === undefined) reply = this.engine.execute(this.session, ['SET', k, v, 'EX', String(ex)]);
    else if (ex === undefined) reply = this.engine.execute(this.session, ['SET', k, v, 'PX', String(px)]);
    else reply = this.engine.execute(this.session, ['SET', k, v, 'EX', String(ex), 'PX', String(px)]);
    return decode(reply, false) as string | null;
  }

  /** Like command, with strings as Buffers (binary-safe). */
  commandBuffer(...args: Arg[]): Decoded {
    return decode(this.rawNonBlocking(args), true);
  }

  /** Runs a command that may block (BLPOP ...): resolves when it is answered. */
  async commandAsync(...args: Arg[]): Promise<Decoded> {
    const reply = this.raw(args);
    if (reply !== BLOCKED) return decode(reply, false);
    return new Promise((resolve, reject) => {
      this.wakeWaiter = (r) => {
        try {
          resolve(decode(r, false));
        } catch (e) {
          reject(e);
        }
      };
    });
  }

  /** Answers of blocked commands that arrived since the last call. */
  takeUnblocked(): Reply[] {
    return this.unblockedReplies.splice(0, this.unblockedReplies.length);
  }

  /** A synchronous caller cannot wait: blocking commands answer at once, as inside MULTI. */
  private rawNonBlocking(args: readonly Arg[]): Reply {
    this.session.canBlock = false;
    try {
      return this.raw(args);
    } finally {
      this.session.canBlock = true;
    }
  }

  /** Messages delivered outside replies (MONITOR lines, pushes) since the last call. */
  takePushed(): Reply[] {
    return this.pushed.splice(0, this.pushed.length);
  }

  close(): void {
    this.session.transport.close();
  }
}

export class Cairn {
  readonly engine: Engine;
  private readonly main: EmbeddedSession;
  private readonly servers: RunningServer[] = [];
  private readonly timer: NodeJS.Timeout;
  readonly persistence: Persistence | null;

  constructor(options: OpenOptions = {}) {
    const config = new Config();
    for (const [name, value] of Object.entries(options.config ?? {})) {
      const problem = config.set(name, value, false);
      if (problem !== null) throw new Error(`config ${name}: ${problem}`);
    }
    this.engine = new Engine({
      clock: options.clock ?? systemClock,
      seed: options.seed ?? randomBytes(4).readUInt32LE(0),
      config,
      runId: randomBytes(20).toString('hex'),
    });
    this.engine.blocking.scheduler = realTimer;
    const dir = options.dir ?? options.config?.['dir'];
    this.persistence = dir === undefined ? null : new Persistence({ engine: this.engine, dir, embedded: true });
    this.persistence?.attach();
    this.persistence?.startSync();
    if (config.bool('cluster-enabled')) {
      // A one-node cluster: its id kept in the data folder when there is one.
      const id = dir === undefined ? randomBytes(20).toString('hex') : loadOrCreateNodeId(path.join(dir, config.get('cluster-config-file')));
      enableClusterMode(this.engine, singleNodeView(id, config.get('cluster-announce-ip') || '127.0.0.1', 0));
    }
    this.main = new EmbeddedSession(this.engine);
    this.timer = setInterval(() => this.engine.cron(), Math.max(1, Math.floor(1000 / this.engine.config.int('hz'))));
    this.timer.unref();
  }

  /** Runs a command on the default session. */
  command(...args: Arg[]): Decoded {
    return this.main.command(...args);
  }

  commandBuffer(...args: Arg[]): Decoded {
    return this.main.commandBuffer(...args);
  }

  /** GET on the default session (EmbeddedSession.get). */
  get(key: Arg): string | null {
    return this.main.get(key);
  }

  /** SET with an optional TTL on the default session (EmbeddedSession.set). */
  set(key: Arg, value: Arg, ttl?: { ex?: number; px?: number }): string | null {
    return this.main.set(key, value, ttl);
  }

  /** A separate session, for MULTI/EXEC or SELECT without disturbing the default one. */
  session(): EmbeddedSession {
    return new EmbeddedSession(this.engine);
  }

  /** Serves this engine's data over the Redis protocol too. */
  async listen(options: { port?: number; host?: string } = {}): Promise<RunningServer> {
    const host = options.host ?? '127.0.0.1';
    const server = await startServer(this.engine, { port: options.port ?? 0, host });
    this.servers.push(server);
    const cluster = this.engine.cluster;
    if (cluster !== null && this.servers.length === 1) {
      // Clients are sent to the address the node listens on, unless one is announced.
      cluster.setView(singleNodeView(cluster.view.myId, this.engine.config.get('cluster-announce-ip') || host, server.port));
    }
    return server;
  }

  /** Serves this engine's data over the memcached protocols (text, meta, binary) too. */
  async listenMemcached(options: { port?: number; host?: string } = {}): Promise<RunningServer> {
    const host = options.host ?? '127.0.0.1';
    const mc = await startMemcachedServer(this.engine, { port: options.port ?? 0, hosts: [host] });
    const server: RunningServer = { port: mc.port, host, close: () => mc.close() };
    this.servers.push(server);
    return server;
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    for (const s of this.servers) await s.close();
    this.persistence?.prepareShutdown(null);
    this.persistence?.close();
    this.main.close();
  }
}

export function open(options: OpenOptions = {}): Cairn {
  return new Cairn(options);
}

function decode(reply: Reply, asBuffers: boolean): Decoded {
  return reply === NO_REPLY ? null : decodeReply(reply, asBuffers);
}

/** A TTL the typed SET takes as a number: what SET's parser reads as an integer in (0, TYPED_TTL_MAX]. */
function typedTtl(ttl: number | undefined): boolean {
  return typeof ttl === 'number' && Number.isSafeInteger(ttl) && ttl > 0 && ttl <= TYPED_TTL_MAX;
}

function toLatin1(a: Arg): string {
  if (typeof a === 'string') {
    // ASCII text is already its own latin1 form; anything else goes through UTF-8 bytes.
    return isAscii(a) ? a : Buffer.from(a, 'utf8').toString('latin1');
  }
  if (Buffer.isBuffer(a)) return a.toString('latin1');
  return String(a);
}

/** An argument whose latin1 form is ASCII, known without converting it: ASCII text, a number. */
function isAsciiArg(a: Arg): boolean {
  if (typeof a === 'string') return isAscii(a);
  return typeof a === 'number' || typeof a === 'bigint';
}

/**
 * Whether every character is ASCII: its UTF-8 length equals its length exactly then. V8 counts
 * that in native code, about twice as fast as a regular expression on 64 characters. (A scan in
 * JavaScript for short keys was tried: callgrind could not tell it apart from this.)
 */
function isAscii(s: string): boolean {
  return Buffer.byteLength(s, 'utf8') === s.length;
}
