// Client processes issuing reads, writes and compare-and-set on a pool of keys, recording every
// invocation and completion in the history. Each process has one operation in flight; it waits
// for an answer or its timeout (then the outcome is unknown and, as in Jepsen, the process is
// replaced by a fresh one, since the old one might still be acting). Written values are unique,
// so a read names the write it saw. Processes stick to one node and follow leader hints.
import type { Cluster } from './cluster.js';
import type { EventQueue, Micros } from './event-queue.js';
import type { ClientOp, Consistency, History, Operation, Value } from './history.js';
import type { NodeId } from './network.js';
import type { ClientResult } from './node.js';
import type { Random } from './random.js';

export interface WorkloadOptions {
  /** Concurrent client processes. */
  readonly clients: number;
  /** Keys k0..k{n-1}; half of the operations go to the first eighth (hot keys collide more). */
  readonly keys: number;
  readonly readWeight: number;
  readonly writeWeight: number;
  readonly casWeight: number;
  /** Fraction of operations at the weak level (not held to linearizability). */
  readonly weakFraction: number;
  readonly thinkMinUs: Micros;
  readonly thinkMaxUs: Micros;
  /** After this long without an answer the outcome is recorded as unknown. */
  readonly timeoutUs: Micros;
}

export const DEFAULT_WORKLOAD: WorkloadOptions = {
  clients: 8,
  keys: 16,
  readWeight: 4,
  writeWeight: 3,
  casWeight: 2,
  weakFraction: 0,
  thinkMinUs: 0,
  thinkMaxUs: 20_000,
  timeoutUs: 1_000_000,
};

interface Client {
  process: number;
  target: NodeId;
  busy: boolean;
}

export class Workload {
  private readonly clients: Client[] = [];
  private nextProcess = 0;
  private nextValue = 0;
  private running = false;
  /** The last value each key was seen to hold (cas uses it as its expected value). */
  private readonly lastSeen = new Map<string, Value>();

  constructor(
    private readonly cluster: Cluster,
    private readonly queue: EventQueue,
    private readonly history: History,
    private readonly random: Random,
    private readonly options: WorkloadOptions,
  ) {}

  start(): void {
    this.running = true;
    for (let i = 0; i < this.options.clients; i++) {
      const client: Client = { process: this.nextProcess++, target: this.random.pick(this.cluster.members), busy: false };
      this.clients.push(client);
      this.schedule(client);
    }
  }

  /** No new operations; those in flight still complete or time out. */
  stop(): void {
    this.running = false;
  }

  get inFlight(): number {
    return this.clients.filter((c) => c.busy).length;
  }

  private schedule(client: Client): void {
    const think = this.random.int(this.options.thinkMinUs, Math.max(this.options.thinkMinUs, this.options.thinkMaxUs));
    this.queue.after(think, () => this.issue(client));
  }

  private issue(client: Client): void {
    if (!this.running || client.busy) return;
    const op = this.nextOp();
    const consistency: Consistency = this.random.chance(this.options.weakFraction) ? 'weak' : 'strong';
    const record = this.history.invoke(client.process, client.target, op, consistency, this.queue.now);
    client.busy = true;
    let open = true;
    const finish = (status: 'ok' | 'fail' | 'info', output: Operation['output'], note: string): void => {
      if (!open) return;
      open = false;
      this.history.complete(record, status, this.queue.now, output, note);
      client.busy = false;
      if (status === 'info') {
        // The old process may still take effect: a new one continues in its place.
        client.process = this.nextProcess++;
        client.target = this.random.pick(this.cluster.members);
      }
      this.schedule(client);
    };
    this.queue.after(this.options.timeoutUs, () => finish('info', null, 'timeout'));
    this.cluster.request(client.target, op, consistency, (result: ClientResult) => {
      if (!open) return;
      switch (result.type) {
        case 'ok':
          if (op.kind === 'read' && result.output !== null && 'value' in result.output) this.lastSeen.set(op.key, result.output.value);
          if (op.kind === 'write' || (op.kind === 'cas' && result.output !== null && 'swapped' in result.output && result.output.swapped)) {
            this.lastSeen.set(op.key, op.value);
          }
          finish('ok', result.output, '');
          break;
        case 'fail':
          client.target = result.leaderHint ?? this.random.pick(this.cluster.members);
          finish('fail', null, result.reason);
          break;
        case 'unknown':
          finish('info', null, result.reason);
          break;
      }
    });
  }

  private nextOp(): ClientOp {
    const o = this.options;
    const hot = Math.max(1, Math.floor(o.keys / 8));
    const key = `k${this.random.chance(0.5) ? this.random.int(0, hot - 1) : this.random.int(0, o.keys - 1)}`;
    const kind = this.random.weighted([[o.readWeight, 'read'], [o.writeWeight, 'write'], [o.casWeight, 'cas']] as const);
    if (kind === 'read') return { kind, key };
    const value = `v${this.nextValue++}`;
    if (kind === 'write') return { kind, key, value };
    return { kind, key, expected: this.lastSeen.get(key) ?? null, value };
  }
}
