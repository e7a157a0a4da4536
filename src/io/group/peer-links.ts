// TCP links between the replicas of a group. Each node dials every peer and uses that
// connection only to send; it accepts the peers' connections only to receive. So a link is one
// direction of one socket, a lost link is redialled with back-off, and nothing waits on a
// request/response pairing: Raft's messages are one-way and Raft copes with loss.
//
// Frames: a 4-byte big-endian length, then the payload. The first frame on a connection is the
// greeting: the magic text, the group name and the sender's node id, so a stray client or a node
// of another group is turned away before any message is read from it.
//
// Backpressure: a peer's messages queue while its socket is busy or down, up to
// peerLinkLimits.queueMaxBytes; past that new messages are dropped and counted.
import net from 'node:net';
import { peerLinkLimits } from '../../core/limits.js';

const MAGIC = 'CAIRN-PEER/1';
/** Frames at least this large are gathered in parts until complete (see onData). */
const GATHER_FRAMES_FROM_BYTES = 1024 * 1024;

export interface PeerAddress {
  readonly host: string;
  readonly port: number;
}

export interface PeerLinksOptions {
  readonly selfId: number;
  /** Nodes of one group share it; a greeting with another name is refused. */
  readonly groupName: string;
  readonly listenHost: string;
  /** 0 picks a free port (tests). */
  readonly listenPort: number;
  readonly onMessage: (from: number, payload: Buffer) => void;
  /** Problems worth a log line (refused greetings, oversized frames); optional. */
  readonly onWarning?: (message: string, fields: Record<string, unknown>) => void;
}

export interface PeerLinkStats {
  readonly connected: boolean;
  readonly sentFrames: number;
  readonly receivedFrames: number;
  readonly droppedFrames: number;
  readonly queuedBytes: number;
}

/** The sending side toward one peer. */
class OutboundLink {
  private socket: net.Socket | null = null;
  private connected = false;
  /** Frames waiting, each as the buffers it is written from. */
  private queue: Array<readonly Buffer[]> = [];
  queuedBytes = 0;
  sentFrames = 0;
  droppedFrames = 0;
  receivedFrames = 0;
  private backoffMs = peerLinkLimits.reconnectMinMs;
  private retry: NodeJS.Timeout | null = null;
  private closed = false;

  constructor(
    private address: PeerAddress,
    private readonly greeting: Buffer,
  ) {
    this.dial();
  }

  get isConnected(): boolean {
    return this.connected;
  }

  moveTo(address: PeerAddress): void {
    if (address.host === this.address.host && address.port === this.address.port) return;
    this.address = address;
    this.socket?.destroy(); // 'close' redials at the new address
  }

  /** One frame, possibly in several buffers (written back to back, never split by another frame). */
  send(frame: readonly Buffer[]): boolean {
    if (this.closed) return false;
    if (this.connected && this.queue.length === 0 && this.socket!.writableNeedDrain === false) {
      const socket = this.socket!;
      // The parts of one frame leave in one write; nothing stays corked past this call (a link
      // closed later in the same tick must not take a frame already sent with it).
      if (frame.length > 1) socket.cork();
      for (const part of frame) socket.write(part);
      if (frame.length > 1) socket.uncork();
      this.sentFrames++;
      return true;
    }
    const bytes = frame.reduce((n, b) => n + b.length, 0);
    if (this.queuedBytes > 0 && this.queuedBytes + bytes > peerLinkLimits.queueMaxBytes) {
      this.droppedFrames++;
      return false;
    }
    this.queue.push(frame);
    this.queuedBytes += bytes;
    if (this.connected) this.flush();
    return true;
  }

  close(): void {
    this.closed = true;
    if (this.retry !== null) clearTimeout(this.retry);
    this.socket?.destroy();
    this.queue = [];
    this.queuedBytes = 0;
  }

  private dial(): void {
    if (this.closed) return;
    const socket = net.connect({ host: this.address.host, port: this.address.port, noDelay: true });
    this.socket = socket;
    socket.on('connect', () => {
      this.connected = true;
      this.backoffMs = peerLinkLimits.reconnectMinMs;
      socket.write(this.greeting);
      this.flush();
    });
    socket.on('drain', () => this.flush());
    socket.on('data', () => {}); // the receiving side never answers on this socket
    socket.on('error', () => {}); // 'close' follows and redials
    socket.on('close', () => {
      this.connected = false;
      if (this.socket === socket) this.socket = null;
      if (this.closed) return;
      this.retry = setTimeout(() => {
        this.retry = null;
        this.dial();
      }, this.backoffMs);
      this.backoffMs = Math.min(this.backoffMs * 2, peerLinkLimits.reconnectMaxMs);
    });
  }

  private flush(): void {
    const socket = this.socket;
    if (socket === null || !this.connected) return;
    while (this.queue.length > 0) {
      const frame = this.queue.shift()!;
      let ok = true;
      for (const part of frame) {
        this.queuedBytes -= part.length;
        ok = socket.write(part) && ok;
      }
      this.sentFrames++;
      if (!ok) return; // wait for 'drain'
    }
  }
}

/** Splits a receiving socket's bytes into frames; the first must be a valid greeting. */
class InboundLink {
  private pending: Buffer = Buffer.alloc(0);
  /** A large frame being gathered: its parts so far, their bytes, and the bytes it needs (0: none). */
  private parts: Buffer[] = [];
  private partBytes = 0;
  private awaited = 0;
  peerId: number | null = null;
  private readonly timer: NodeJS.Timeout;

  constructor(
    readonly socket: net.Socket,
    private readonly owner: PeerLinks,
  ) {
    this.timer = setTimeout(() => {
      if (this.peerId === null) this.refuse('no greeting in time');
    }, peerLinkLimits.handshakeTimeoutMs);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', () => {});
    socket.on('close', () => {
      clearTimeout(this.timer);
      owner.inboundClosed(this);
    });
  }

  private onData(chunk: Buffer): void {
    if (this.awaited > 0) {
      // A large frame (a snapshot) arrives in many chunks: gather them and join them once, not
      // on every chunk (that would copy the frame over and over).
      this.parts.push(chunk);
      this.partBytes += chunk.length;
      if (this.partBytes < this.awaited) return;
      chunk = Buffer.concat(this.parts, this.partBytes);
      this.parts = [];
      this.partBytes = 0;
      this.awaited = 0;
    }
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    let offset = 0;
    while (this.pending.length - offset >= 4) {
      const length = this.pending.readUInt32BE(offset);
      if (length > peerLinkLimits.frameMaxBytes) return this.refuse(`frame of ${length} bytes is over the limit`);
      if (this.pending.length - offset - 4 < length) {
        if (length >= GATHER_FRAMES_FROM_BYTES) {
          this.parts = [this.pending.subarray(offset)];
          this.partBytes = this.pending.length - offset;
          this.awaited = 4 + length;
          this.pending = Buffer.alloc(0);
          return;
        }
        break;
      }
      const payload = this.pending.subarray(offset + 4, offset + 4 + length);
      offset += 4 + length;
      if (this.peerId === null) {
        const id = this.owner.acceptGreeting(payload);
        if (id === null) return this.refuse('bad greeting');
        this.peerId = id;
        clearTimeout(this.timer);
      } else {
        this.owner.deliver(this.peerId, payload);
      }
      if (this.socket.destroyed) return;
    }
    this.pending = offset === this.pending.length ? Buffer.alloc(0) : this.pending.subarray(offset);
  }

  private refuse(why: string): void {
    this.owner.warn('peer connection refused', { why, remote: `${this.socket.remoteAddress}:${this.socket.remotePort}` });
    this.socket.destroy();
  }
}

export function frame(payload: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(4 + payload.length);
  out.writeUInt32BE(payload.length, 0);
  out.set(payload, 4);
  return out;
}

export class PeerLinks {
  private readonly server: net.Server;
  private readonly outbound = new Map<number, OutboundLink>();
  private readonly inbound = new Set<InboundLink>();
  private readonly received = new Map<number, number>();
  private readonly greeting: Buffer;
  private port = 0;

  constructor(private readonly options: PeerLinksOptions) {
    this.greeting = frame(Buffer.from(`${MAGIC} ${options.groupName} ${options.selfId}`, 'latin1'));
    this.server = net.createServer((socket) => {
      socket.setNoDelay(true);
      this.inbound.add(new InboundLink(socket, this));
    });
  }

  /** Starts accepting peers; resolves with the port bound. */
  listen(): Promise<number> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.options.listenPort, this.options.listenHost, () => {
        this.server.off('error', reject);
        this.port = (this.server.address() as net.AddressInfo).port;
        resolve(this.port);
      });
    });
  }

  get listenPort(): number {
    return this.port;
  }

  /** The peers to send to, by node id; links to peers no longer listed are closed. */
  setPeers(peers: ReadonlyMap<number, PeerAddress>): void {
    for (const [id, link] of this.outbound) {
      if (!peers.has(id)) {
        link.close();
        this.outbound.delete(id);
      }
    }
    for (const [id, address] of peers) {
      if (id === this.options.selfId) continue;
      const link = this.outbound.get(id);
      if (link === undefined) this.outbound.set(id, new OutboundLink(address, this.greeting));
      else link.moveTo(address);
    }
  }

  /** Queues a message for a peer; false when it was dropped (unknown peer or full queue). */
  /** One message; given as parts (a snapshot's head and its data), they are framed as one
   *  payload without being copied together. */
  send(to: number, payload: Uint8Array | readonly Uint8Array[]): boolean {
    const link = this.outbound.get(to);
    if (link === undefined) return false;
    if (payload instanceof Uint8Array) return link.send([frame(payload)]);
    const length = payload.reduce((n, p) => n + p.byteLength, 0);
    const head = Buffer.allocUnsafe(4);
    head.writeUInt32BE(length, 0);
    return link.send([head, ...payload.map((p) => Buffer.from(p.buffer, p.byteOffset, p.byteLength))]);
  }

  stats(id: number): PeerLinkStats | null {
    const link = this.outbound.get(id);
    if (link === undefined) return null;
    return {
      connected: link.isConnected,
      sentFrames: link.sentFrames,
      receivedFrames: this.received.get(id) ?? 0,
      droppedFrames: link.droppedFrames,
      queuedBytes: link.queuedBytes,
    };
  }

  async close(): Promise<void> {
    for (const link of this.outbound.values()) link.close();
    this.outbound.clear();
    for (const link of this.inbound) link.socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** @internal The node id a greeting names, or null when it is not from a peer of this group. */
  acceptGreeting(payload: Buffer): number | null {
    const text = payload.toString('latin1');
    const first = text.indexOf(' ');
    const last = text.lastIndexOf(' ');
    if (first < 0 || last <= first || text.slice(0, first) !== MAGIC || text.slice(first + 1, last) !== this.options.groupName) return null;
    const id = Number(text.slice(last + 1));
    return Number.isSafeInteger(id) && id > 0 && id !== this.options.selfId ? id : null;
  }

  /** @internal */
  deliver(from: number, payload: Buffer): void {
    this.received.set(from, (this.received.get(from) ?? 0) + 1);
    this.options.onMessage(from, payload);
  }

  /** @internal */
  inboundClosed(link: InboundLink): void {
    this.inbound.delete(link);
  }

  /** @internal */
  warn(message: string, fields: Record<string, unknown>): void {
    this.options.onWarning?.(message, fields);
  }
}
