// The TCP front door for memcached (memcached-port, off by default): text, meta and binary
// protocols on the same port, picked per connection by its first byte (0x80: binary), as
// memcached's auto-negotiation does. Each read is parsed as far as it goes and answered with one
// socket write (at the end of a busy event-loop turn, as the RESP listener's: turn-flusher.ts);
// a client that stops reading is paused; garbage closes only its own connection.
import net from 'node:net';
import { limits } from '../core/limits.js';
import { memcachedErrors } from '../core/errors.js';
import type { MemcachedExecutor } from '../core/memcached/executor.js';
import type { MemcachedBackend, Refusal, RequestKind } from '../protocols/memcached/backend.js';
import { BinaryParser, BinarySession, REQUEST_MAGIC } from '../protocols/memcached/binary.js';
import { TextParser } from '../protocols/memcached/text-parser.js';
import { TextSession } from '../protocols/memcached/text-session.js';
import type { Engine } from '../server/engine.js';
import { MemcachedGate } from '../server/memcached-gate.js';
import { Session, SILENT_TRANSPORT } from '../server/session.js';
import { MemcachedLeaderProxy } from './memcached-proxy.js';
import { statsSection, type ConnectionView } from './memcached-stats.js';
import { ReplyHold } from './persistence/reply-hold.js';
import { turnFlusher, type Flushable } from './turn-flusher.js';

/** A delayed flush_all is applied by this timer when no command comes to apply it. */
const CRON_INTERVAL_MS = 1000;

export interface MemcachedListener {
  readonly port: number;
  readonly hosts: readonly string[];
  close(): Promise<void>;
}

/** Opens the memcached listener on every host (one port for all, as the RESP listener does). */
export async function startMemcachedServer(engine: Engine, options: { port: number; hosts: readonly string[] }): Promise<MemcachedListener> {
  const service = new MemcachedService(engine);
  const servers: net.Server[] = [];
  let port = options.port;
  try {
    for (const host of options.hosts) {
      const server = net.createServer({ noDelay: true }, (socket) => service.accept(socket));
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          server.off('error', reject);
          server.on('error', (e) => engine.log.warning('memcached listener error', { error: String(e) }));
          resolve();
        });
      });
      port = (server.address() as net.AddressInfo).port;
      servers.push(server);
    }
  } catch (e) {
    for (const s of servers) s.close();
    service.stop();
    throw e;
  }
  service.port = port;
  service.bind = options.hosts.join(' ');
  return {
    port,
    hosts: options.hosts,
    close: async () => {
      service.stop();
      await Promise.all(servers.map((s) => new Promise<void>((done) => s.close(() => done()))));
    },
  };
}

class MemcachedService implements MemcachedBackend {
  readonly gate: MemcachedGate;
  readonly connections = new Set<McConnection>();
  /** In a replica group: a follower relays memcached connections to the leader. */
  readonly proxy: MemcachedLeaderProxy | null;
  private readonly timer: NodeJS.Timeout;
  private nextId = 1;
  port = 0;
  bind = '';

  constructor(readonly engine: Engine) {
    this.gate = new MemcachedGate(engine);
    this.proxy = engine.group === null ? null : new MemcachedLeaderProxy(engine);
    this.timer = setInterval(() => this.cron(), CRON_INTERVAL_MS);
    this.timer.unref();
  }

  get verbosity(): number {
    return this.gate.verbosity;
  }

  set verbosity(level: number) {
    this.gate.verbosity = level;
  }

  run<T>(kind: RequestKind, key: string | null, fn: (mc: MemcachedExecutor) => T): T | Refusal {
    return this.gate.run(kind, key, fn);
  }

  stats(section: string): Array<readonly [string, string]> | null {
    return statsSection(section, {
      gate: this.gate, port: this.port, bind: this.bind, verbosity: this.gate.verbosity,
      connections: (): ConnectionView[] => [...this.connections].map((c) => c.view()),
    });
  }

  statsReset(): void {
    this.gate.executor.resetStats();
    const c = this.gate.connections;
    c.total = 0;
    c.rejected = 0;
    c.bytesRead = 0;
    c.bytesWritten = 0;
  }

  /** Once a second: a due delayed flush_all, and idle connections closed as RESP's `timeout` closes them. */
  private cron(): void {
    this.gate.cron();
    if (this.proxy !== null) {
      // Leadership moved: relays to another node end, and so do direct connections to a node
      // that no longer leads (their clients reconnect and are relayed to the new leader).
      this.proxy.leaderIs(this.engine.replication.primary());
      if (!this.leads()) for (const c of [...this.connections]) c.drop();
    }
    const timeoutSeconds = this.engine.config.int('timeout');
    if (timeoutSeconds <= 0) return;
    const now = this.engine.clock.nowMs();
    for (const c of [...this.connections]) {
      if (now - c.lastInteractionMs > timeoutSeconds * 1000) c.closeIdle();
    }
  }

  accept(socket: net.Socket): void {
    const stats = this.gate.connections;
    if (this.engine.networkClients >= this.engine.config.int('maxclients')) {
      stats.rejected++;
      socket.on('error', () => socket.destroy());
      socket.end(memcachedErrors.tooManyConnections + '\r\n');
      socket.resume();
      return;
    }
    if (this.proxy !== null && !this.leads()) {
      // A follower: the connection is relayed to the leader (memcached-proxy.ts).
      const engine = this.engine;
      engine.networkClients++;
      engine.memcachedClients++;
      stats.current++;
      stats.total++;
      this.proxy.relay(socket, () => {
        engine.networkClients--;
        engine.memcachedClients--;
        stats.current--;
      });
      return;
    }
    const conn = new McConnection(this, socket, this.nextId++);
    this.connections.add(conn);
  }

  /** In a replica group: whether this node leads (and so runs memcached requests itself). */
  leads(): boolean {
    return this.engine.replication.role() === 'master';
  }

  /** One connection's view of the backend: in a replica group its requests are admitted with its session. */
  backendFor(session: Session | null): MemcachedBackend {
    if (session === null) return this;
    const service = this;
    return {
      run<T>(kind: RequestKind, key: string | null, fn: (mc: MemcachedExecutor) => T): T | Refusal {
        return service.gate.run(kind, key, fn, session);
      },
      stats: (section) => service.stats(section),
      statsReset: () => service.statsReset(),
      get verbosity() {
        return service.verbosity;
      },
      set verbosity(level: number) {
        service.verbosity = level;
      },
    };
  }

  stop(): void {
    clearInterval(this.timer);
    this.proxy?.close();
    for (const c of [...this.connections]) c.shutdown();
  }
}

class McConnection implements Flushable {
  private text: { parser: TextParser; session: TextSession } | null = null;
  private binary: { parser: BinaryParser; session: BinarySession } | null = null;
  private out: Array<string | Buffer> = [];
  private outBytes = 0;
  private closed = false;
  private ending = false;
  private readonly hold: ReplyHold;
  /** In a replica group: the session whose consistency levels and turns the reply barrier follows. */
  private readonly groupSession: Session | null;
  private lastCommandMs: number;
  /** The last time the client sent anything (the `timeout` option measures idleness from it). */
  lastInteractionMs: number;
  private readonly addr: string;
  private readonly listenAddr: string;

  constructor(
    private readonly service: MemcachedService,
    private readonly socket: net.Socket,
    readonly id: number,
  ) {
    const engine = service.engine;
    engine.networkClients++;
    engine.memcachedClients++;
    service.gate.connections.current++;
    service.gate.connections.total++;
    this.addr = `${socket.remoteAddress}:${socket.remotePort}`;
    this.listenAddr = `${socket.localAddress}:${socket.localPort}`;
    this.lastCommandMs = engine.clock.nowMs();
    this.lastInteractionMs = this.lastCommandMs;
    // Not registered with the engine: CLIENT LIST shows RESP sessions only (docs/design/memcached.md).
    this.groupSession = engine.group === null ? null : new Session(0, SILENT_TRANSPORT, this.addr, this.listenAddr, this.lastCommandMs, false);
    this.hold = new ReplyHold(engine, () => socket.destroy(), this.groupSession);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('drain', () => socket.resume());
    socket.on('error', () => this.teardown());
    socket.on('close', () => this.teardown());
  }

  view(): ConnectionView {
    return { id: this.id, addr: this.addr, listenAddr: this.listenAddr, lastCommandMs: this.lastCommandMs };
  }

  /** The `timeout` option: closed as an idle RESP client is (no reply, the socket ends). */
  closeIdle(): void {
    this.service.engine.log.verbose('closing idle memcached client', { addr: this.addr });
    this.end();
  }

  shutdown(): void {
    this.flush();
    this.end();
  }

  /** This node stopped leading: the connection closes now (held replies are never sent). */
  drop(): void {
    this.socket.resetAndDestroy(); // a reset: clients with requests in flight see an error at once
    this.teardown();
  }

  private onData(chunk: Buffer): void {
    if (this.closed || this.ending) return;
    this.service.gate.connections.bytesRead += chunk.length;
    this.lastInteractionMs = this.service.engine.clock.nowMs();
    if (this.text === null && this.binary === null) this.choose(chunk[0]!);
    if (this.text !== null) this.text.parser.feed(chunk);
    else this.binary!.parser.feed(chunk);
    this.process();
  }

  /** memcached's auto-negotiation: a binary request starts with its magic byte. */
  private choose(first: number): void {
    const backend = this.service.backendFor(this.groupSession);
    if (first === REQUEST_MAGIC) {
      this.binary = { parser: new BinaryParser(), session: new BinarySession(backend, (b) => this.write(b)) };
    } else {
      const parser = new TextParser();
      this.text = { parser, session: new TextSession(backend, parser, (s) => this.write(s)) };
    }
  }

  private process(): void {
    const engine = this.service.engine;
    if (this.groupSession !== null && !this.service.leads()) return this.drop();
    let outcome: 'continue' | 'close' = 'continue';
    while (outcome === 'continue' && !this.closed) {
      const mark = this.hold.beforeCommand();
      if (this.text !== null) {
        const frame = this.text.parser.next();
        if (frame === null) break;
        if (frame.kind === 'close') engine.log.verbose('closing memcached client', { addr: this.addr, reason: frame.reason });
        outcome = this.text.session.handle(frame);
      } else {
        const frame = this.binary!.parser.next();
        if (frame === null) break;
        if ('close' in frame) engine.log.verbose('closing memcached client', { addr: this.addr, reason: frame.close });
        outcome = this.binary!.session.handle(frame);
      }
      this.hold.afterCommand(mark);
      this.lastCommandMs = engine.clock.nowMs();
    }
    const buffered = this.text?.parser.bufferedBytes() ?? this.binary!.parser.bufferedBytes();
    if (outcome === 'continue' && buffered > engine.config.int('client-query-buffer-limit')) {
      engine.log.warning('closing memcached client that reached max query buffer length', { addr: this.addr });
      outcome = 'close';
    }
    // A busy turn's replies go out together at its end, a lone read's at once (turn-flusher.ts).
    turnFlusher.afterRead(this);
    if (outcome === 'close') this.end();
  }

  private write(part: string | Buffer): void {
    if (part.length === 0) return;
    this.out.push(part);
    this.outBytes += part.length;
  }

  pendingOutputBytes(): number {
    return this.outBytes;
  }

  flush(): void {
    if (this.closed || this.outBytes === 0) return;
    if (!this.hold.mayWrite(() => this.flush())) return;
    const parts = this.out;
    const total = this.outBytes;
    this.out = [];
    this.outBytes = 0;
    const bytes = parts.length === 1 && typeof parts[0] !== 'string' ? parts[0]! : joinParts(parts, total);
    this.service.gate.connections.bytesWritten += bytes.length;
    this.service.engine.stats.netOutputBytes += bytes.length;
    this.socket.write(bytes);
    if (this.socket.writableLength > limits.outputHighWaterBytes) this.socket.pause();
  }

  /** Ends the connection once what was answered is written (and, under appendfsync always, durable). */
  private end(): void {
    if (this.closed) return;
    this.ending = true;
    if (this.outBytes > 0 && !this.hold.mayWrite(() => this.end())) return;
    this.flush();
    this.socket.end();
    this.teardown();
  }

  private teardown(): void {
    if (this.closed) return;
    this.closed = true;
    this.service.engine.networkClients--;
    this.service.engine.memcachedClients--;
    this.service.gate.connections.current--;
    this.service.connections.delete(this);
    if (!this.socket.destroyed) this.socket.once('finish', () => this.socket.destroy());
  }
}

/** The replies of one read as one Buffer: strings are written into it as latin1, one copy each. */
function joinParts(parts: ReadonlyArray<string | Buffer>, total: number): Buffer {
  const out = Buffer.allocUnsafe(total);
  let at = 0;
  for (const p of parts) at += typeof p === 'string' ? out.write(p, at, 'latin1') : p.copy(out, at);
  return out;
}
