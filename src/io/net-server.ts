// The TCP front door for the Redis protocol: sockets in, engine calls, replies out.
// One write per connection per event-loop turn (replies of a pipeline are batched, and a busy
// turn's replies go out together at its end: TurnFlusher), backpressure when a client stops
// reading, and protocol errors that close only the offending connection.
import net from 'node:net';
import { limits } from '../core/limits.js';
import { protocol as protocolError, maxClients as maxClientsError } from '../core/errors.js';
import { BLOCKED, NO_REPLY, type Reply } from '../core/reply.js';
import { RespParser, isProtocolError } from '../protocols/resp/parser.js';
import { ReplyBuffer } from '../protocols/resp/encoder.js';
import type { Engine } from '../server/engine.js';
import type { Session, SessionTransport } from '../server/session.js';
import { ReplyHold } from './persistence/reply-hold.js';
import { turnFlusher, type TurnFlusher } from './turn-flusher.js';

export interface ServerOptions {
  port: number;
  host: string;
}

export interface RunningServer {
  readonly port: number;
  readonly host: string;
  /** Stops accepting, flushes every client's pending replies, closes them. */
  close(): Promise<void>;
}


export function startServer(engine: Engine, options: ServerOptions): Promise<RunningServer> {
  const connections = new Set<Connection>();
  const server = net.createServer({ noDelay: true }, (socket) => {
    // Only network clients count against maxclients (embedded sessions are the host's own).
    if (engine.networkClients >= engine.config.int('maxclients')) {
      engine.stats.rejectedConnections++;
      const out = new ReplyBuffer();
      out.write(maxClientsError(), 2);
      socket.on('error', () => socket.destroy());
      socket.end(out.take());
      socket.resume(); // drain its input so the socket can finish closing
      return;
    }
    const conn = new Connection(engine, socket, turnFlusher, () => connections.delete(conn));
    connections.add(conn);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      server.on('error', (e) => engine.log.warning('listener error', { error: String(e) }));
      const addr = server.address() as net.AddressInfo;
      resolve({
        port: addr.port,
        host: options.host,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            for (const c of connections) c.shutdown();
          }),
      });
    });
  });
}

class Connection implements SessionTransport {
  readonly kind = 'tcp';
  private readonly session: Session;
  private readonly parser: RespParser;
  private readonly out = new ReplyBuffer();
  private closed = false;
  /** Set while a CLIENT PAUSE holds this client's next command. */
  private waitingForUnpause = false;
  /** Set while a blocking command (BLPOP ...) waits; input is buffered, not processed. */
  private blocked = false;
  private flushScheduled = false;
  /** Under appendfsync always, output waits for the fsync of the writes it depends on. */
  private readonly hold: ReplyHold;

  constructor(
    private readonly engine: Engine,
    private readonly socket: net.Socket,
    private readonly flusher: TurnFlusher,
    private readonly onGone: () => void,
  ) {
    const local = `${socket.localAddress}:${socket.localPort}`;
    const remote = `${socket.remoteAddress}:${socket.remotePort}`;
    this.session = engine.createSession(this, remote, local);
    this.hold = new ReplyHold(engine, () => socket.destroy(), this.session);
    engine.networkClients++;
    this.parser = new RespParser({
      maxBulkBytes: engine.config.int('proto-max-bulk-len'),
      maxQueryBufferBytes: engine.config.int('client-query-buffer-limit'),
    });
    const keepAliveSeconds = engine.config.int('tcp-keepalive');
    if (keepAliveSeconds > 0) socket.setKeepAlive(true, keepAliveSeconds * 1000);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('drain', () => socket.resume());
    socket.on('error', () => this.teardown());
    socket.on('close', () => this.teardown());
  }

  deliver(reply: Reply): void {
    if (this.closed) return;
    this.out.write(reply, this.session.resp);
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(() => {
        this.flushScheduled = false;
        this.flush();
      });
    }
  }

  close(): void {
    this.session.closing = true;
    this.flush();
    this.endSocket();
  }

  unblocked(reply: Reply): void {
    this.blocked = false;
    this.hold.afterUnblocked();
    if (this.closed) return;
    this.writeReply(reply);
    this.engine.afterReply(this.session);
    this.processInput();
  }

  /** Closes at once, dropping unsent output: a client over its output buffer limit (pubsub.ts). */
  abort(): void {
    if (this.closed) return;
    this.out.clear();
    this.teardown();
    this.socket.destroy();
  }

  queryBufferBytes(): number {
    return this.parser.bufferedBytes();
  }

  outputBufferBytes(): number {
    return this.out.length + this.socket.writableLength;
  }

  /** Server shutdown: answer what was already parsed, then close. */
  shutdown(): void {
    this.flush();
    this.endSocket();
  }

  private onData(chunk: Buffer): void {
    if (this.closed) return;
    this.engine.stats.netInputBytes += chunk.length;
    this.parser.feed(chunk);
    this.processInput();
  }

  private processInput(): void {
    this.parser.setAuthenticated?.(this.session.authenticated);
    while (!this.closed && !this.session.closing && !this.waitingForUnpause && !this.blocked) {
      const cmd = this.parser.next();
      if (cmd === null) break;
      if (isProtocolError(cmd)) {
        this.out.write(protocolError(cmd.error), this.session.resp);
        this.engine.stats.countError('ERR');
        this.close();
        return;
      }
      if (this.engine.mustPostpone(this.session, cmd)) {
        // Input keeps being read (and bounded by the query buffer limit) but not processed,
        // so a client that disconnects while paused is still noticed.
        this.waitingForUnpause = true;
        this.engine.postpone(this.session, () => {
          this.waitingForUnpause = false;
          this.executeOne(cmd);
          this.processInput();
        });
        break;
      }
      this.executeOne(cmd);
      this.parser.setAuthenticated?.(this.session.authenticated);
    }
    if (this.parser.exceedsQueryBufferLimit?.() === true) {
      this.engine.log.warning('closing client that reached max query buffer length', { id: this.session.id, addr: this.session.addr });
      this.close();
      return;
    }
    this.hold.afterRead(); // a lone writer's records may go to the log now, before its replies
    this.flusher.afterRead(this);
    if (this.session.closing) this.endSocket();
  }

  private executeOne(argv: string[]): void {
    const mark = this.hold.beforeCommand();
    const reply = this.engine.execute(this.session, argv);
    if (reply === BLOCKED) {
      this.hold.afterCommand(mark, false);
      this.blocked = true;
      return;
    }
    this.hold.afterCommand(mark, this.writeReply(reply));
    this.engine.afterReply(this.session); // e.g. invalidations of the client's own reads come after its reply
  }

  /** Writes a command's reply, honouring CLIENT REPLY OFF|SKIP; true when it wrote one. */
  private writeReply(reply: Reply): boolean {
    if (reply === NO_REPLY) return false;
    const s = this.session;
    if (s.skipNextReply) {
      s.skipNextReply = false;
      return false;
    }
    if (s.replyMode === 'on') {
      this.out.write(reply, s.resp);
      return true;
    }
    if (s.replyMode === 'skip') {
      s.replyMode = 'on';
      s.skipNextReply = false;
    }
    return false;
  }

  pendingOutputBytes(): number {
    return this.out.length;
  }

  flush(): void {
    if (this.closed || this.out.length === 0) return;
    if (!this.hold.mayWrite(this.flushLater)) return;
    this.engine.stats.netOutputBytes += this.out.length;
    this.out.drain(this.writeChunk);
    if (this.socket.writableLength > limits.outputHighWaterBytes) this.socket.pause();
  }

  /** flush, bound once: the reply hold keeps it when output must wait for the log. */
  private readonly flushLater = (): void => this.flush();

  /** Text goes to the socket as latin1 (one byte per char): copied once, in C++. */
  private readonly writeChunk = (chunk: Buffer | string): void => {
    if (typeof chunk === 'string') this.socket.write(chunk, 'latin1');
    else this.socket.write(chunk);
  };

  private endSocket(): void {
    if (this.closed) return;
    // Replies held for an fsync go out before the end; input stops meanwhile.
    if (this.out.length > 0 && !this.hold.mayWrite(() => this.endSocket())) return void (this.session.closing = true);
    this.flush();
    this.socket.end();
    this.teardown();
  }

  private teardown(): void {
    if (this.closed) return;
    this.closed = true;
    this.engine.networkClients--;
    this.engine.closeSession(this.session);
    this.onGone();
    if (!this.socket.destroyed) this.socket.once('finish', () => this.socket.destroy());
  }
}
