// A Jepsen-style client workload against a replica group of real `cairn server` processes whose
// members change while it runs: clients read, write and compare-and-set a few keys with unique
// values, each recording invocation and completion (real monotonic time) in a history (the
// simulator's History, checked by its linearizability and durability checkers). Errors that say
// the command certainly did not run are failures; every other error (timeouts, closed
// connections, a command that may have reached the leader) is indeterminate. Clients pick their
// node from a list the test changes as members come and go.
import { performance } from 'node:perf_hooks';
import { Redis } from 'ioredis';
import { History, type ClientOp, type Output, type Value } from '../../sim/history.js';
import type { Rng } from '../../src/core/rng.js';
import { until } from './until.js';

/** A command without an answer after this long is recorded as indeterminate. */
export const COMMAND_TIMEOUT_MS = 1500;
/** Pause between a client's operations (keeps the history small enough to check exhaustively). */
const THINK_MAX_MS = 15;
/** Pause after an error before the next operation, on a fresh connection. */
const BACKOFF_MS = 100;
const CAS_SCRIPT = "if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('SET', KEYS[1], ARGV[2]) return 1 else return 0 end";

export interface WorkloadNode {
  readonly id: number;
  readonly port: number;
}

/** Microseconds on the monotonic clock, for the history's timestamps. */
export const nowUs = (): number => Math.round(performance.now() * 1000);
export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

const sockets = new Set<Redis>();

/** A client that never retries and gives up on a command after `timeoutMs`. */
export function connect(port: number, timeoutMs = COMMAND_TIMEOUT_MS): Redis {
  const r = new Redis({ host: '127.0.0.1', port, retryStrategy: () => null, maxRetriesPerRequest: 0, commandTimeout: timeoutMs, connectTimeout: timeoutMs, lazyConnect: false });
  r.on('error', () => undefined);
  sockets.add(r);
  r.once('end', () => sockets.delete(r));
  return r;
}

export function disconnectAll(): void {
  for (const c of sockets) c.disconnect();
}

export async function ask<T>(port: number, f: (r: Redis) => Promise<T>, timeoutMs = COMMAND_TIMEOUT_MS): Promise<T> {
  const r = connect(port, timeoutMs);
  try {
    return await f(r);
  } finally {
    r.disconnect();
  }
}

/** Waits until every node reports the same DEBUG DIGEST, and returns it. */
export async function identicalDigest(nodes: readonly WorkloadNode[], what: string): Promise<string> {
  return until(what, async () => {
    const ds = await Promise.all(nodes.map((n) => ask(n.port, (r) => r.call('DEBUG', 'DIGEST'))));
    return ds.every((d) => d === ds[0]) ? String(ds[0]) : undefined;
  });
}

/** Each node's own values of `keys` (an eventual read: what that replica holds). */
export async function finalValues(nodes: readonly WorkloadNode[], keys: readonly string[]): Promise<Map<number, Map<string, Value>>> {
  const out = new Map<number, Map<string, Value>>();
  for (const n of nodes) {
    const values = await ask(n.port, async (r) => {
      if ((await r.call('CONSISTENCY', 'READS', 'eventual')) !== 'OK') throw new Error('CONSISTENCY READS eventual was refused');
      return r.mget(...keys);
    });
    out.set(n.id, new Map(keys.map((k, i) => [k, values[i] ?? null])));
  }
  return out;
}

/** Errors that say the command certainly did not run anywhere. */
export function certainlyNotRun(message: string): boolean {
  return message.startsWith('READONLY') || message.includes('has no leader right now') || message.includes('still applying entries of earlier terms') ||
    message.includes('removed from its replica group') || message.includes('waiting to be added to a replica group');
}

export interface WorkloadOptions {
  /**
   * Clients in the second half send everything to a follower (writes are handed to the leader,
   * linearizable reads are served by the follower after a ReadIndex round); the workload polls
   * each node's ROLE with this to find one.
   */
  readonly followerClients?: (node: WorkloadNode) => Promise<string>;
}

export class GroupWorkload {
  readonly history = new History();
  private stopped = false;
  private nextProcess = 0;
  private nextValue = 0;
  private readonly lastSeen = new Map<string, Value>();
  private readonly runners: Array<Promise<void>> = [];
  private clients = 0;
  /** Monotonic ms at which each successful write (write, or cas that swapped) completed. */
  readonly writeAcks: number[] = [];
  /** Each node's role as last polled (follower clients only). */
  private readonly roles = new Map<number, string>();
  /** Reads answered by a node that was a follower when they were sent and when they completed. */
  followerReadsOk = 0;

  constructor(
    private readonly nodes: () => readonly WorkloadNode[],
    private readonly keys: readonly string[],
    private readonly rng: Rng,
    private readonly options: WorkloadOptions = {},
  ) {}

  /** Successful writes (write, or cas that swapped). */
  get writesOk(): number {
    return this.writeAcks.length;
  }

  start(clients: number): void {
    this.clients = clients;
    if (this.options.followerClients !== undefined) this.runners.push(this.pollRoles(this.options.followerClients));
    for (let i = 0; i < clients; i++) this.runners.push(this.run(i));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.all(this.runners);
  }

  private async pollRoles(roleOf: (node: WorkloadNode) => Promise<string>): Promise<void> {
    while (!this.stopped) {
      await Promise.all(this.nodes().map(async (n) => this.roles.set(n.id, await roleOf(n).catch(() => 'down'))));
      await sleep(200);
    }
  }

  /** The turn whose node is a follower, for a follower client (its current one while it still is one). */
  private followerTurn(slot: number, turn: number): number {
    const list = this.nodes();
    if (this.roles.get(list[turn % list.length]!.id) === 'slave') return turn;
    for (let i = 1; i <= list.length; i++) {
      if (this.roles.get(list[(turn + i + slot) % list.length]!.id) === 'slave') return turn + i + slot;
    }
    return turn;
  }

  /** One client: sticks to a node until an error, then moves on to another on a fresh connection. */
  private async run(slot: number): Promise<void> {
    const followerClient = this.options.followerClients !== undefined && slot >= this.clients / 2;
    let turn = slot;
    let node: WorkloadNode | null = null;
    let conn: Redis | null = null;
    let process = this.nextProcess++;
    while (!this.stopped) {
      if (followerClient) {
        const next = this.followerTurn(slot, turn);
        if (next !== turn) {
          conn?.disconnect();
          conn = null;
          turn = next;
        }
      }
      if (conn === null || node === null) {
        const list = this.nodes();
        node = list[turn % list.length]!;
        conn = connect(node.port);
      }
      const onFollower = this.roles.get(node.id) === 'slave';
      const key = this.keys[this.rng.below(this.keys.length)]!;
      const roll = this.rng.below(10);
      let op: ClientOp;
      if (roll < 4) op = { kind: 'read', key };
      else if (roll < 7) op = { kind: 'write', key, value: `v${this.nextValue++}` };
      else op = { kind: 'cas', key, expected: this.lastSeen.get(key) ?? null, value: `v${this.nextValue++}` };
      const record = this.history.invoke(process, node.id, op, 'strong', nowUs());
      try {
        const output = await perform(conn, op);
        this.history.complete(record, 'ok', nowUs(), output);
        if (op.kind === 'read') this.lastSeen.set(key, (output as { value: Value }).value);
        if (op.kind === 'read' && onFollower && this.roles.get(node.id) === 'slave') this.followerReadsOk++;
        if (op.kind === 'write' || (op.kind === 'cas' && (output as { swapped: boolean }).swapped)) {
          this.lastSeen.set(key, op.value);
          this.writeAcks.push(performance.now());
        }
      } catch (e) {
        const message = (e as Error).message ?? String(e);
        this.history.complete(record, certainlyNotRun(message) ? 'fail' : 'info', nowUs(), null, message.slice(0, 120));
        // The old connection may still deliver a late answer: never reuse it. After an
        // indeterminate operation the client is a new process (the old one may still act).
        conn.disconnect();
        conn = null;
        if (record.status === 'info') process = this.nextProcess++;
        turn++;
        await sleep(BACKOFF_MS);
        continue;
      }
      await sleep(this.rng.below(THINK_MAX_MS + 1));
    }
    conn?.disconnect();
  }
}

async function perform(r: Redis, op: ClientOp): Promise<Output> {
  switch (op.kind) {
    case 'read':
      return { value: await r.get(op.key) };
    case 'write': {
      const reply = await r.set(op.key, op.value);
      if (reply !== 'OK') throw new Error(`SET answered ${String(reply)}`);
      return null;
    }
    case 'cas': {
      if (op.expected === null) return { swapped: (await r.set(op.key, op.value, 'NX')) === 'OK' };
      const reply = await r.eval(CAS_SCRIPT, 1, op.key, op.expected, op.value);
      if (reply !== 0 && reply !== 1) throw new Error(`CAS script answered ${String(reply)}`);
      return { swapped: reply === 1 };
    }
  }
}
