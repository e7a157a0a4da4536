// memcached on a replica group's follower (docs/design/memcached.md, "In a replica group"):
// memcached has no redirect, so a follower relays the whole connection, byte for byte, to the
// leader's memcached listener, as plain RESP clients' commands are handed to the leader. The
// leader runs every request through the group's admission and reply barrier, so what comes
// back is what a client connected to the leader would get (a write acknowledged once
// committed on a majority). The leader's memcached port is asked of the leader over RESP
// (`CONFIG GET memcached-port`, a fixed port in a group), at its group-peers host; answers are
// cached per leader. When the leader changes or either side closes, the relayed connection is
// closed: a request in flight has an unknown outcome, as with any lost connection, and the
// client's reconnect finds the new leader.
import net from 'node:net';
import { ReplyKind, type Reply } from '../core/reply.js';
import type { Engine } from '../server/engine.js';
import { requestNode } from './group/node-request.js';

/** How long finding the leader's memcached listener may take before the client is let go. */
const CONNECT_TIMEOUT_MS = 3000;

interface Leader {
  readonly host: string;
  readonly port: number;
}

/** The leader's memcached port, asked over its RESP port; null when it cannot be learnt. */
async function askMemcachedPort(leader: Leader, password: string): Promise<number | null> {
  let reply: Reply;
  try {
    reply = await requestNode(leader.host, leader.port, password, ['CONFIG', 'GET', 'memcached-port'], CONNECT_TIMEOUT_MS);
  } catch {
    return null;
  }
  // CONFIG GET answers [name, value] (an array in RESP2).
  const items = reply.k === ReplyKind.Array ? (reply.v as Reply[]) : [];
  const port = Number(items[1]?.v);
  return Number.isInteger(port) && port > 0 && port < 65536 ? port : null;
}

export class MemcachedLeaderProxy {
  /** Leader RESP address -> its memcached port. */
  private readonly ports = new Map<string, number>();
  private readonly relays = new Set<{ client: net.Socket; upstream: net.Socket | null; leader: string }>();

  constructor(private readonly engine: Engine) {}

  get count(): number {
    return this.relays.size;
  }

  /** Relays `client` to the leader's memcached listener; `onClose` runs once when the relay ends. */
  relay(client: net.Socket, onClose: () => void): void {
    const primary = this.engine.replication.primary();
    client.pause();
    client.on('error', () => client.destroy());
    if (primary === null) {
      client.destroy();
      onClose();
      return;
    }
    const leader: Leader = { host: primary.ip, port: primary.port };
    const key = `${leader.host}:${leader.port}`;
    const relay = { client, upstream: null as net.Socket | null, leader: key };
    this.relays.add(relay);
    let closed = false;
    const close = (): void => {
      if (closed) return;
      closed = true;
      this.relays.delete(relay);
      // A reset, not a quiet close: clients with requests in flight see an error at once.
      client.resetAndDestroy();
      relay.upstream?.destroy();
      onClose();
    };
    client.once('close', close);
    void this.portOf(leader, key).then((port) => {
      if (closed) return;
      if (port === null) return close();
      const upstream = net.connect({ host: leader.host, port, noDelay: true });
      relay.upstream = upstream;
      upstream.on('error', () => {
        this.ports.delete(key);
        close();
      });
      upstream.once('close', close);
      upstream.once('connect', () => {
        client.pipe(upstream);
        upstream.pipe(client);
        client.resume();
      });
    });
  }

  /** The leader changed (or this node leads now): relays to any other leader are closed. */
  leaderIs(leader: { ip: string; port: number } | null): void {
    const key = leader === null ? '' : `${leader.ip}:${leader.port}`;
    for (const r of [...this.relays]) if (r.leader !== key || this.engine.replication.role() === 'master') r.client.resetAndDestroy();
  }

  close(): void {
    for (const r of [...this.relays]) r.client.resetAndDestroy();
  }

  private async portOf(leader: Leader, key: string): Promise<number | null> {
    const known = this.ports.get(key);
    if (known !== undefined) return known;
    const port = await askMemcachedPort(leader, this.engine.config.get('requirepass'));
    if (port !== null) this.ports.set(key, port);
    return port;
  }
}
