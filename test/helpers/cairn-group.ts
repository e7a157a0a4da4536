// A replica group of three real `cairn server` processes on loopback for integration tests:
// free ports, one data folder each, start, kill -9 and restart by PID, nodes that join later
// (`group-join`), the serving leader. Callers register `stopAll` with `after`.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Redis } from 'ioredis';
import { client, startCairnIn, type CairnProcess } from './cairn-process.js';
import { pickFreePort } from './redis-oracle.js';
import { until } from './until.js';

export interface GroupNode {
  readonly id: number;
  readonly dir: string;
  readonly port: number;
  readonly bus: number;
  /** Started with `group-join yes` (added by GROUP ADD) rather than from the first member list. */
  readonly joins: boolean;
  /** The memcached port when the group was made with one. */
  readonly memcachedPort: number | null;
  proc: CairnProcess | null;
}

/** Start-ups of a group tried before a port taken between picking and binding fails the test. */
const START_ATTEMPTS = 3;

export class CairnGroup {
  private readonly live = new Set<CairnProcess>();
  private readonly dirs: string[] = [];
  readonly nodes: GroupNode[] = [];
  private peers = '';
  private readonly clients: Array<{ disconnect(): void }> = [];

  constructor(private readonly extra: string[] = [], private readonly withMemcached = false) {}

  /**
   * Picks the three members' ports and starts them. The members must know each other's ports
   * before any starts, so a port is free when picked but bound only later; another test's
   * process may take it meanwhile. Such a start-up (EADDRINUSE) is retried with fresh ports,
   * a bounded number of times.
   */
  async start(): Promise<this> {
    for (let attempt = 1; ; attempt++) {
      const entries: string[] = [];
      for (let id = 1; id <= 3; id++) {
        const dir = mkdtempSync(path.join(os.tmpdir(), `cairn-group-${id}-`));
        this.dirs.push(dir);
        const port = await pickFreePort();
        const bus = await pickFreePort();
        const memcachedPort = this.withMemcached ? await pickFreePort() : null;
        this.nodes.push({ id, dir, port, bus, joins: false, memcachedPort, proc: null });
        entries.push(`127.0.0.1:${port}@${bus}`);
      }
      this.peers = entries.join(',');
      const started = await Promise.allSettled(this.nodes.map((n) => this.startNode(n)));
      const failure = started.find((r): r is PromiseRejectedResult => r.status === 'rejected');
      if (failure === undefined) return this;
      if (attempt >= START_ATTEMPTS || !String(failure.reason).includes('EADDRINUSE')) throw failure.reason;
      for (const n of this.nodes) if (n.proc !== null) await this.kill9(n);
      this.nodes.length = 0;
    }
  }

  async startNode(n: GroupNode): Promise<void> {
    const mc = n.memcachedPort === null ? [] : ['--memcached-port', String(n.memcachedPort)];
    const membership = n.joins ? ['--group-join', 'yes', '--group-bus-port', String(n.bus)] : ['--group-peers', this.peers];
    n.proc = await startCairnIn(n.dir, ['--port', String(n.port), ...membership, '--group-tick-ms', '100', '--enable-debug-command', 'yes', ...mc, ...this.extra]);
    this.live.add(n.proc);
  }

  /** Starts a new node waiting to be added (GROUP ADD on the leader); it counts among `nodes`. */
  async startJoiner(): Promise<GroupNode> {
    const id = this.nodes.length + 1;
    const dir = mkdtempSync(path.join(os.tmpdir(), `cairn-group-${id}-`));
    this.dirs.push(dir);
    const n: GroupNode = { id, dir, port: await pickFreePort(), bus: await pickFreePort(), joins: true, memcachedPort: null, proc: null };
    this.nodes.push(n);
    await this.startNode(n);
    return n;
  }

  async kill9(n: GroupNode): Promise<void> {
    const p = n.proc!;
    await p.kill9();
    this.live.delete(p);
    n.proc = null;
  }

  /** An ioredis client of one node, disconnected by stopAll. */
  client(port: number): Redis {
    const c = client(port);
    this.clients.push(c);
    return c;
  }

  async stopAll(): Promise<void> {
    for (const c of this.clients) c.disconnect();
    await Promise.allSettled([...this.live].map((p) => p.kill9()));
    this.live.clear();
    for (const d of this.dirs) rmSync(d, { recursive: true, force: true });
  }

  /** The one node all running members agree is the leader, once it serves writes. */
  async leader(): Promise<GroupNode> {
    return until('a serving leader', async () => {
      const up = this.nodes.filter((n) => n.proc !== null);
      const roles = await Promise.all(up.map((n) => role(n.port)));
      const masters = up.filter((_, i) => roles[i] === 'master');
      if (masters.length !== 1) return undefined;
      const c = client(masters[0]!.port);
      try {
        return (await c.set('__probe', '1')) === 'OK' ? masters[0] : undefined;
      } catch {
        return undefined;
      } finally {
        c.disconnect();
      }
    }, 30_000);
  }
}

export async function role(port: number): Promise<string> {
  const c = client(port);
  try {
    const r = (await c.call('ROLE')) as unknown[];
    return String(r[0]);
  } catch {
    return 'down';
  } finally {
    c.disconnect();
  }
}

/** calls of one command on a node, from INFO commandstats (0 when never called). */
export async function commandCalls(port: number, command: string): Promise<number> {
  const c = client(port);
  try {
    const info = String(await c.info('commandstats'));
    const m = new RegExp(`^cmdstat_${command}:calls=(\\d+)`, 'm').exec(info);
    return m === null ? 0 : Number(m[1]);
  } finally {
    c.disconnect();
  }
}
