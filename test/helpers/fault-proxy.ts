// A fault-injecting TCP proxy for the peer links of a replica group. Each direction of each
// peer pair gets its own proxy: node A's `group-peers` list names B's bus port as the port of
// the proxy "A->B", which forwards to B's real bus port. A peer link is one-way (the dialer only
// sends, docs/design/replica-group.md), so a proxy controls exactly one direction of traffic.
//
// Faults, per proxy:
// - block(): a partition. Open connections are cut, and new ones are accepted but everything
//   sent on them is discarded (a black hole: the dialer believes it is connected, as across a
//   real partition). unblock() cuts the black-holed connections (their streams lost bytes in the
//   middle of frames, so they cannot resume) and lets the dialer's redial through.
// - refuse(): new connections are reset at once (a node that is down or a firewall's reject).
// - setDelay(ms): every chunk is held ms milliseconds, in order.
// - cut(): drops the open connections and whatever they had in flight.
// Everything is bounded: at most `maxConnections` connections, at most `maxQueuedBytes` held per
// connection (beyond, the connection is cut, as a full network buffer would eventually), and
// close() destroys every socket and timer.
import net from 'node:net';

export interface ProxyTarget {
  readonly host: string;
  readonly port: number;
}

export interface FaultProxyStats {
  readonly connections: number;
  readonly forwardedBytes: number;
  readonly discardedBytes: number;
  readonly cuts: number;
}

type Mode = 'pass' | 'blackhole' | 'refuse';

const MAX_CONNECTIONS = 16;
const MAX_QUEUED_BYTES = 8 * 1024 * 1024;

/** One accepted connection and, when passing, its upstream to the real target. */
class Pipe {
  upstream: net.Socket | null = null;
  private upstreamReady = false;
  private readonly held: Array<{ due: number; chunk: Buffer }> = [];
  private heldBytes = 0;
  private timer: NodeJS.Timeout | null = null;
  private lastDue = 0;
  closed = false;

  constructor(
    readonly downstream: net.Socket,
    readonly blackhole: boolean,
    private readonly proxy: FaultProxy,
  ) {
    downstream.on('error', () => {});
    downstream.on('close', () => this.close());
    if (blackhole) {
      downstream.on('data', (chunk: Buffer) => proxy.counted('discarded', chunk.length));
      return;
    }
    const up = net.connect({ host: proxy.target.host, port: proxy.target.port, noDelay: true });
    this.upstream = up;
    up.on('error', () => {});
    up.on('close', () => this.close());
    up.on('connect', () => {
      this.upstreamReady = true;
      this.pump();
    });
    // The receiving side never answers on a peer link, but pass anything back unchanged.
    up.on('data', (chunk: Buffer) => downstream.write(chunk));
    downstream.on('data', (chunk: Buffer) => this.hold(chunk));
  }

  private hold(chunk: Buffer): void {
    if (this.closed) return;
    if (this.heldBytes + chunk.length > MAX_QUEUED_BYTES) {
      this.proxy.counted('discarded', chunk.length);
      this.proxy.counted('cut', 0);
      this.close();
      return;
    }
    // Due times never go backwards, so a shorter delay set later cannot reorder the stream.
    const due = Math.max(Date.now() + this.proxy.delayMs, this.lastDue);
    this.lastDue = due;
    this.held.push({ due, chunk });
    this.heldBytes += chunk.length;
    this.pump();
  }

  private pump(): void {
    if (this.closed || !this.upstreamReady || this.timer !== null) return;
    const up = this.upstream!;
    const now = Date.now();
    while (this.held.length > 0 && this.held[0]!.due <= now) {
      const { chunk } = this.held.shift()!;
      this.heldBytes -= chunk.length;
      this.proxy.counted('forwarded', chunk.length);
      if (!up.write(chunk)) {
        // Backpressure: stop reading from the dialer until the target drains.
        this.downstream.pause();
        up.once('drain', () => {
          this.downstream.resume();
          this.pump();
        });
        return;
      }
    }
    if (this.held.length > 0) {
      this.timer = setTimeout(() => {
        this.timer = null;
        this.pump();
      }, Math.max(1, this.held[0]!.due - now));
    }
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    this.held.length = 0;
    this.heldBytes = 0;
    this.downstream.destroy();
    this.upstream?.destroy();
    this.proxy.forget(this);
  }
}

export class FaultProxy {
  private readonly server: net.Server;
  private readonly pipes = new Set<Pipe>();
  private mode: Mode = 'pass';
  delayMs = 0;
  private forwardedBytes = 0;
  private discardedBytes = 0;
  private cuts = 0;
  private accepted = 0;
  port = 0;

  private constructor(
    readonly target: ProxyTarget,
    readonly label: string,
  ) {
    this.server = net.createServer((socket) => this.accept(socket));
  }

  /** Listens on a free loopback port and forwards to `target`. */
  static async start(target: ProxyTarget, label: string): Promise<FaultProxy> {
    const proxy = new FaultProxy(target, label);
    await new Promise<void>((resolve, reject) => {
      proxy.server.once('error', reject);
      proxy.server.listen(0, '127.0.0.1', () => {
        proxy.server.off('error', reject);
        resolve();
      });
    });
    proxy.port = (proxy.server.address() as net.AddressInfo).port;
    return proxy;
  }

  /** Partition this direction: traffic disappears, connections look alive. */
  block(): void {
    if (this.mode === 'blackhole') return;
    this.mode = 'blackhole';
    this.cut();
  }

  /** Reset every new connection (and cut the open ones). */
  refuse(): void {
    this.mode = 'refuse';
    this.cut();
  }

  /** Back to passing traffic; black-holed connections are cut so the dialer starts a clean stream. */
  unblock(): void {
    if (this.mode === 'pass') return;
    this.mode = 'pass';
    this.cut();
  }

  setDelay(ms: number): void {
    this.delayMs = Math.max(0, ms);
  }

  get blocked(): boolean {
    return this.mode !== 'pass';
  }

  /** Drops every open connection with whatever it had in flight. */
  cut(): void {
    for (const p of [...this.pipes]) {
      p.close();
      this.cuts++;
    }
  }

  stats(): FaultProxyStats {
    return { connections: this.accepted, forwardedBytes: this.forwardedBytes, discardedBytes: this.discardedBytes, cuts: this.cuts };
  }

  async close(): Promise<void> {
    this.mode = 'refuse';
    this.cut();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** @internal */
  counted(what: 'forwarded' | 'discarded' | 'cut', bytes: number): void {
    if (what === 'forwarded') this.forwardedBytes += bytes;
    else if (what === 'discarded') this.discardedBytes += bytes;
    else this.cuts++;
  }

  /** @internal */
  forget(pipe: Pipe): void {
    this.pipes.delete(pipe);
  }

  private accept(socket: net.Socket): void {
    socket.setNoDelay(true);
    if (this.mode === 'refuse' || this.pipes.size >= MAX_CONNECTIONS) {
      socket.on('error', () => {});
      socket.resetAndDestroy();
      return;
    }
    this.accepted++;
    this.pipes.add(new Pipe(socket, this.mode === 'blackhole', this));
  }
}

export interface PeerNode {
  readonly id: number;
  /** Client port. */
  readonly port: number;
  /** The port the node's own peer-link listener binds. */
  readonly busPort: number;
}

/**
 * The proxies of a whole group: one per ordered pair of nodes. `peersFor(id)` is the
 * `group-peers` list node `id` starts with: its own entry names its real bus port, every other
 * entry names the proxy that carries id's traffic to that node.
 */
export class FaultNet {
  private constructor(
    private readonly nodes: readonly PeerNode[],
    private readonly links: ReadonlyMap<string, FaultProxy>,
  ) {}

  static async start(nodes: readonly PeerNode[]): Promise<FaultNet> {
    const links = new Map<string, FaultProxy>();
    try {
      for (const from of nodes) {
        for (const to of nodes) {
          if (from === to) continue;
          links.set(`${from.id}->${to.id}`, await FaultProxy.start({ host: '127.0.0.1', port: to.busPort }, `${from.id}->${to.id}`));
        }
      }
    } catch (e) {
      await Promise.all([...links.values()].map((l) => l.close()));
      throw e;
    }
    return new FaultNet(nodes, links);
  }

  peersFor(id: number): string {
    return this.nodes.map((n) => `127.0.0.1:${n.port}@${n.id === id ? n.busPort : this.link(id, n.id).port}`).join(',');
  }

  link(from: number, to: number): FaultProxy {
    const l = this.links.get(`${from}->${to}`);
    if (l === undefined) throw new Error(`no link ${from}->${to}`);
    return l;
  }

  /** Cuts `id` off from every other node, both directions. */
  isolate(id: number): void {
    for (const n of this.nodes) {
      if (n.id === id) continue;
      this.link(id, n.id).block();
      this.link(n.id, id).block();
    }
  }

  /** Every link passes traffic again, without delay. */
  heal(): void {
    for (const l of this.links.values()) {
      l.setDelay(0);
      l.unblock();
    }
  }

  stats(): Record<string, FaultProxyStats> {
    return Object.fromEntries([...this.links].map(([k, l]) => [k, l.stats()]));
  }

  async close(): Promise<void> {
    await Promise.all([...this.links.values()].map((l) => l.close()));
  }
}
