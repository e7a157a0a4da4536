// Runs a group of SimNodes on one timeline: delivers messages, schedules each node's ticks by its
// own clock, crashes and restarts nodes (a restart builds a new node from its disk), routes
// client requests, and keeps a digest of everything that happened so that a replay can be
// compared with the original run event for event.
import { crc32c } from '../src/io/persistence/crc32c.js';
import { SimClock } from './clock.js';
import { SimDisk } from './disk.js';
import type { EventQueue, Micros } from './event-queue.js';
import type { ClientOp, Consistency } from './history.js';
import { SimNetwork, type NodeId } from './network.js';
import type { ClientResult, NodeEnv, SimNode, SimNodeFactory } from './node.js';
import type { Random } from './random.js';

/** One-way delay between a client and a node (clients are not partitioned from nodes). */
const CLIENT_LINK_MIN_US = 50;
const CLIENT_LINK_MAX_US = 1_000;

/** Thrown by env.fatal: the node chose to crash. */
class NodeFatal extends Error {}

interface InFlight {
  readonly lost: (reason: string) => void;
}

export interface Slot {
  readonly id: NodeId;
  readonly disk: SimDisk;
  readonly clock: SimClock;
  node: SimNode | null;
  /** Bumped by each crash and restart; callbacks of an older incarnation are dropped. */
  incarnation: number;
  /** Bumped whenever the tick schedule must be rebuilt (crash, restart, clock rate change). */
  tickGeneration: number;
  nextTickLocal: number;
  crashes: number;
  readonly inFlight: Set<InFlight>;
}

export class Cluster {
  readonly slots: Slot[] = [];
  readonly network: SimNetwork;
  readonly members: readonly NodeId[];
  /** Set when a node threw something other than env.fatal: the run stops and reports it. */
  bug: string | null = null;
  /** Told of every crash (the nemesis restarts nodes that exited by themselves, as a supervisor would). */
  onCrash: ((id: NodeId, reason: string) => void) | null = null;
  private trace = 0x811c9dc5;
  private readonly clientRandom: Random;

  constructor(
    private readonly factory: SimNodeFactory,
    size: number,
    private readonly queue: EventQueue,
    private readonly random: Random,
    private readonly log: ((line: string) => void) | null,
  ) {
    this.clientRandom = random.fork('client-links');
    this.members = Array.from({ length: size }, (_, i) => i + 1);
    this.network = new SimNetwork(queue, random.fork('network'), this.members, (from, to, bytes) => this.deliver(from, to, bytes));
    for (const id of this.members) {
      const disk = new SimDisk(queue, random.fork(`disk-${id}`));
      const slot: Slot = {
        id, disk, clock: new SimClock(() => queue.now, factory.clockDriftBound), node: null,
        incarnation: 0, tickGeneration: 0, nextTickLocal: 0, crashes: 0, inFlight: new Set(),
      };
      disk.callbackGuard = (run) => this.guard(slot, run);
      this.slots.push(slot);
    }
  }

  /** A digest of the events so far (32-bit FNV-1a over their descriptions). */
  get traceDigest(): string {
    return (this.trace >>> 0).toString(16).padStart(8, '0');
  }

  slot(id: NodeId): Slot {
    const s = this.slots[id - 1];
    if (s === undefined) throw new RangeError(`no node ${id}`);
    return s;
  }

  isUp(id: NodeId): boolean {
    return this.slot(id).node !== null;
  }

  /** Starts (or restarts) a node from its disk. */
  start(id: NodeId): void {
    const slot = this.slot(id);
    if (slot.node !== null) return;
    slot.incarnation++;
    const incarnation = slot.incarnation;
    this.note(`start n${id} #${incarnation}`);
    const env: NodeEnv = {
      id,
      members: this.members,
      disk: slot.disk,
      clock: slot.clock,
      random: this.random.fork(`node-${id}-${incarnation}`),
      send: (to, bytes) => {
        if (slot.incarnation !== incarnation) return;
        this.mix(`s${id}>${to}:${bytes.length}:${crc32c(bytes)}`);
        this.log?.(`${this.time()} n${id} -> n${to} ${bytes.length}B`);
        this.network.send(id, to, bytes);
      },
      fatal: (reason) => {
        throw new NodeFatal(reason);
      },
      trace: (text) => this.log?.(`${this.time()} n${id} ${text}`),
    };
    let created: SimNode;
    try {
      created = this.factory.create(env);
    } catch (e) {
      // Recovery gave up (env.fatal) or threw: the process exits before it serves anything.
      slot.incarnation++;
      slot.crashes++;
      slot.disk.crash();
      if (e instanceof NodeFatal) {
        this.note(`n${id} exited while starting: ${e.message}`);
        this.onCrash?.(id, `fatal: ${e.message}`);
      }
      else if (this.bug === null) this.bug = `node ${id} at ${this.time()} while starting: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`;
      return;
    }
    slot.node = created;
    slot.tickGeneration++;
    slot.nextTickLocal = slot.clock.monotonicMicros() + this.factory.tickMicros;
    this.scheduleTick(slot);
  }

  /** Kills a node: its memory and page cache are gone; requests in flight become unknown. */
  crash(id: NodeId, reason: string): void {
    const slot = this.slot(id);
    if (slot.node === null) return;
    this.note(`crash n${id}: ${reason}`);
    slot.node = null;
    slot.incarnation++;
    slot.tickGeneration++;
    slot.crashes++;
    slot.disk.crash();
    const lost = [...slot.inFlight];
    slot.inFlight.clear();
    for (const f of lost) f.lost(`node ${id} crashed`);
    this.onCrash?.(id, reason);
  }

  /** The clock rate changed: rebuild the node's tick schedule from now. */
  retime(id: NodeId): void {
    const slot = this.slot(id);
    if (slot.node === null) return;
    slot.tickGeneration++;
    this.scheduleTick(slot);
  }

  /**
   * A client request to node `id`, which reaches it after a client-link delay. `done` gets the
   * node's answer (after the same kind of delay), or an unknown outcome when the node crashes
   * first; a node that is down when the request arrives refuses the connection (certainly not
   * applied).
   */
  request(id: NodeId, op: ClientOp, consistency: Consistency, done: (result: ClientResult) => void): void {
    const slot = this.slot(id);
    this.queue.after(this.clientDelay(), () => {
      if (slot.node === null) {
        done({ type: 'fail', reason: `node ${id} is down` });
        return;
      }
      this.log?.(`${this.time()} n${id} gets ${JSON.stringify(op)} (${consistency})`);
      const incarnation = slot.incarnation;
      let finished = false;
      const entry: InFlight = {
        lost: (reason) => {
          if (finished) return;
          finished = true;
          done({ type: 'unknown', reason });
        },
      };
      slot.inFlight.add(entry);
      const node = slot.node;
      this.guard(slot, () =>
        node.request(op, consistency, (result) => {
          if (slot.incarnation !== incarnation) return;
          if (finished) {
            this.fail(slot, `answered a request twice (${JSON.stringify(result)})`);
            return;
          }
          finished = true;
          slot.inFlight.delete(entry);
          this.mix(`r${id}:${result.type}`);
          this.log?.(`${this.time()} n${id} answers ${JSON.stringify(result)}`);
          // The answer is on the wire: it arrives even if the node crashes meanwhile.
          this.queue.after(this.clientDelay(), () => done(result));
        }),
      );
    });
  }

  private clientDelay(): Micros {
    return this.clientRandom.int(CLIENT_LINK_MIN_US, CLIENT_LINK_MAX_US);
  }

  private deliver(from: NodeId, to: NodeId, bytes: Uint8Array): boolean {
    const slot = this.slot(to);
    const node = slot.node;
    if (node === null) return false;
    this.mix(`d${from}>${to}:${bytes.length}`);
    this.log?.(`${this.time()} n${to} <- n${from} ${bytes.length}B`);
    this.guard(slot, () => node.receive(from, bytes));
    return true;
  }

  private scheduleTick(slot: Slot): void {
    const generation = slot.tickGeneration;
    const at = Math.max(this.queue.now, slot.clock.globalAt(slot.nextTickLocal));
    this.queue.at(at, () => {
      if (slot.tickGeneration !== generation || slot.node === null) return;
      slot.nextTickLocal += this.factory.tickMicros;
      const node = slot.node;
      this.guard(slot, () => node.tick());
      if (slot.tickGeneration === generation) this.scheduleTick(slot);
    });
  }

  /** Asks a live node something (status, digest, a local read); an exception is a bug like any other. */
  inspect<T>(id: NodeId, ask: (node: SimNode) => T): T | null {
    const slot = this.slot(id);
    const node = slot.node;
    if (node === null) return null;
    let answer: T | null = null;
    this.guard(slot, () => {
      answer = ask(node);
    });
    return answer;
  }

  /** Runs node code: env.fatal crashes the node, anything else is a bug that ends the run. */
  private guard(slot: Slot, run: () => void): void {
    try {
      run();
    } catch (e) {
      if (e instanceof NodeFatal) {
        this.crash(slot.id, `fatal: ${e.message}`);
        return;
      }
      this.fail(slot, e instanceof Error ? (e.stack ?? e.message) : String(e));
    }
  }

  private fail(slot: Slot, what: string): void {
    if (this.bug === null) this.bug = `node ${slot.id} at ${this.time()}: ${what}`;
    this.crash(slot.id, 'bug');
  }

  /** Adds an event to the trace digest (and the printed trace when on). */
  note(text: string): void {
    this.mix(text);
    this.log?.(`${this.time()} ${text}`);
  }

  private mix(text: string): void {
    let h = this.trace ^ (this.queue.now & 0xffffffff);
    h = Math.imul(h, 0x01000193);
    for (let i = 0; i < text.length; i++) {
      h ^= text.charCodeAt(i);
      h = Math.imul(h, 0x01000193);
    }
    this.trace = h >>> 0;
  }

  private time(): string {
    return `${(this.queue.now / 1000).toFixed(3)}ms`;
  }
}
