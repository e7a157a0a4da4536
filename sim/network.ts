// A simulated network of opaque messages between nodes. Each directed link has its own delay
// distribution, loss, duplication and ordering; partitions block links one way or both ways.
// A message is judged twice: when sent (a blocked link drops it at once) and when it would
// arrive (a partition that started meanwhile drops it too, as a cut cable loses what is on it).
import type { EventQueue, Micros } from './event-queue.js';
import type { Random } from './random.js';

export type NodeId = number;

/** Delay of one message: uniform in [minUs, maxUs], with a rare long tail up to tailMaxUs. */
export interface DelayDistribution {
  readonly minUs: Micros;
  readonly maxUs: Micros;
  readonly tailProbability: number;
  readonly tailMaxUs: Micros;
}

export interface LinkConfig {
  readonly delay: DelayDistribution;
  readonly lossProbability: number;
  readonly duplicateProbability: number;
  /** When false, messages on the link may overtake each other (independent delays). */
  readonly fifo: boolean;
  /** Serialization cost: bytes per millisecond on the link, Infinity for none. */
  readonly bytesPerMs: number;
}

export const CALM_LINK: LinkConfig = {
  delay: { minUs: 200, maxUs: 2_000, tailProbability: 0, tailMaxUs: 2_000 },
  lossProbability: 0,
  duplicateProbability: 0,
  fifo: true,
  bytesPerMs: Infinity,
};

export interface NetworkStats {
  sent: number;
  sentBytes: number;
  delivered: number;
  deliveredBytes: number;
  droppedPartition: number;
  droppedLoss: number;
  droppedNodeDown: number;
  duplicated: number;
  inFlight: number;
  inFlightBytes: number;
  maxInFlightBytes: number;
  largestMessage: number;
}

export type Deliver = (from: NodeId, to: NodeId, bytes: Uint8Array) => void;

export class SimNetwork {
  private readonly links = new Map<number, LinkConfig>();
  /** Directed links that drop everything: key(from, to). */
  private readonly blocked = new Set<number>();
  /** Per directed link: when its last message arrives (FIFO) and when it is free to send (bandwidth). */
  private readonly lastArrival = new Map<number, Micros>();
  private readonly busyUntil = new Map<number, Micros>();
  readonly stats: NetworkStats = {
    sent: 0, sentBytes: 0, delivered: 0, deliveredBytes: 0, droppedPartition: 0, droppedLoss: 0,
    droppedNodeDown: 0, duplicated: 0, inFlight: 0, inFlightBytes: 0, maxInFlightBytes: 0, largestMessage: 0,
  };

  constructor(
    private readonly queue: EventQueue,
    private readonly random: Random,
    readonly nodes: readonly NodeId[],
    /** Called on arrival; returns false when the receiver is down (the message is dropped). */
    private readonly deliver: (from: NodeId, to: NodeId, bytes: Uint8Array) => boolean,
    private defaultLink: LinkConfig = CALM_LINK,
  ) {}

  send(from: NodeId, to: NodeId, bytes: Uint8Array): void {
    const k = key(from, to);
    const s = this.stats;
    s.sent++;
    s.sentBytes += bytes.length;
    if (bytes.length > s.largestMessage) s.largestMessage = bytes.length;
    if (this.blocked.has(k)) {
      s.droppedPartition++;
      return;
    }
    const link = this.link(from, to);
    if (this.random.chance(link.lossProbability)) {
      s.droppedLoss++;
      return;
    }
    // The receiver owns its copy: a node that mutates a buffer after sending cannot reach back.
    const copy = bytes.slice();
    this.schedule(from, to, copy, link);
    if (this.random.chance(link.duplicateProbability)) {
      s.duplicated++;
      this.schedule(from, to, copy.slice(), link);
    }
  }

  private schedule(from: NodeId, to: NodeId, bytes: Uint8Array, link: LinkConfig): void {
    const k = key(from, to);
    const now = this.queue.now;
    let start = now;
    if (link.bytesPerMs !== Infinity) {
      start = Math.max(now, this.busyUntil.get(k) ?? 0);
      this.busyUntil.set(k, start + Math.ceil((bytes.length * 1000) / link.bytesPerMs));
    }
    let arrival = start + this.sampleDelay(link.delay);
    if (link.fifo) arrival = Math.max(arrival, this.lastArrival.get(k) ?? 0);
    this.lastArrival.set(k, Math.max(arrival, this.lastArrival.get(k) ?? 0));
    const s = this.stats;
    s.inFlight++;
    s.inFlightBytes += bytes.length;
    if (s.inFlightBytes > s.maxInFlightBytes) s.maxInFlightBytes = s.inFlightBytes;
    this.queue.at(arrival, () => {
      s.inFlight--;
      s.inFlightBytes -= bytes.length;
      if (this.blocked.has(k)) {
        s.droppedPartition++;
        return;
      }
      if (!this.deliver(from, to, bytes)) {
        s.droppedNodeDown++;
        return;
      }
      s.delivered++;
      s.deliveredBytes += bytes.length;
    });
  }

  private sampleDelay(d: DelayDistribution): Micros {
    if (this.random.chance(d.tailProbability)) return this.random.int(d.maxUs, Math.max(d.maxUs, d.tailMaxUs));
    return this.random.int(d.minUs, Math.max(d.minUs, d.maxUs));
  }

  link(from: NodeId, to: NodeId): LinkConfig {
    return this.links.get(key(from, to)) ?? this.defaultLink;
  }

  /** Sets one directed link's behaviour. */
  setLink(from: NodeId, to: NodeId, config: LinkConfig): void {
    this.links.set(key(from, to), config);
  }

  /** Sets every link's behaviour (per-link settings are dropped). */
  setAllLinks(config: LinkConfig): void {
    this.links.clear();
    this.defaultLink = config;
  }

  /** Drops everything from `from` to `to` (one way). */
  blockOneWay(from: NodeId, to: NodeId): void {
    if (from !== to) this.blocked.add(key(from, to));
  }

  /** Drops everything between a and b, both ways. */
  blockBoth(a: NodeId, b: NodeId): void {
    this.blockOneWay(a, b);
    this.blockOneWay(b, a);
  }

  /** Cuts `node` off from every other node. */
  isolate(node: NodeId): void {
    for (const other of this.nodes) this.blockBoth(node, other);
  }

  /** Splits the nodes into groups that only talk within themselves (nodes not named form one more group). */
  split(groups: ReadonlyArray<readonly NodeId[]>): void {
    const groupOf = new Map<NodeId, number>();
    groups.forEach((g, i) => g.forEach((n) => groupOf.set(n, i)));
    for (const a of this.nodes) {
      for (const b of this.nodes) {
        if ((groupOf.get(a) ?? -1) !== (groupOf.get(b) ?? -1)) this.blockOneWay(a, b);
      }
    }
  }

  /** Removes every partition (link behaviours stay). */
  heal(): void {
    this.blocked.clear();
  }

  isBlocked(from: NodeId, to: NodeId): boolean {
    return this.blocked.has(key(from, to));
  }

  /** A short description of the current partitions, e.g. "1->2 2->1". */
  describePartitions(): string {
    const out: string[] = [];
    for (const a of this.nodes) for (const b of this.nodes) if (this.blocked.has(key(a, b))) out.push(`${a}->${b}`);
    return out.length === 0 ? 'none' : out.join(' ');
  }
}

function key(from: NodeId, to: NodeId): number {
  return from * 65536 + to;
}
