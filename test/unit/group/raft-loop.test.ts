// Three replicas in this process, each with its own Raft loop, disk (in memory) and TCP peer
// links on loopback: a leader is elected, proposals commit in one order everywhere, a follower
// forwards proposals, a new leader takes over when the old one stops, and a restarted replica
// recovers its log from disk and catches up.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { RaftLoop, type StateMachine } from '../../../src/io/group/raft-loop.js';
import { PeerLinks, type PeerAddress } from '../../../src/io/group/peer-links.js';
import { RaftDisk } from '../../../src/io/group/raft-disk.js';
import { MemoryFileSystem } from '../../../src/io/persistence/memory-file-system.js';
import { pickFreePort } from '../../helpers/redis-oracle.js';
import type { Entry } from '../../../src/core/raft/types.js';

class LogMachine implements StateMachine {
  readonly applied: string[] = [];
  apply(entry: Entry): void {
    if (entry.data.byteLength > 0) this.applied.push(Buffer.from(entry.data).toString());
  }
  applyConfChange(): void {}
  restore(): void {
    throw new Error('no snapshots in this test');
  }
}

interface Replica {
  id: number;
  loop: RaftLoop;
  links: PeerLinks;
  machine: LogMachine;
  fs: MemoryFileSystem;
}

const IDS = [1, 2, 3];
const live = new Set<Replica>();

async function startReplica(id: number, ports: Map<number, PeerAddress>, fs = new MemoryFileSystem()): Promise<Replica> {
  const { disk, storage } = RaftDisk.open(fs, '/raft', IDS);
  const machine = new LogMachine();
  let loop: RaftLoop | null = null;
  const links = new PeerLinks({ selfId: id, groupName: 'test', listenHost: '127.0.0.1', listenPort: ports.get(id)!.port, onMessage: (_from, bytes) => loop?.receive(bytes) });
  await links.listen();
  links.setPeers(ports);
  loop = new RaftLoop({ raft: { id, seed: id * 7919 }, storage, disk, links, machine, tickMs: 10, onFatal: (e) => { throw e; } });
  const replica = { id, loop, links, machine, fs };
  live.add(replica);
  return replica;
}

async function stopReplica(r: Replica): Promise<void> {
  r.loop.stop();
  await r.links.close();
  live.delete(r);
}

after(async () => {
  await Promise.all([...live].map(stopReplica));
});

async function until<T>(what: string, check: () => T | undefined | null | false, ms = 10_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = check();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`${what}: not reached within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

function leaderOf(replicas: Replica[]): Replica | undefined {
  return replicas.find((r) => r.loop.status().role === 'leader');
}

describe('Raft loops over real links', () => {
  test('election, ordered commits, forwarding, failover and recovery from disk', async () => {
    const ports = new Map<number, PeerAddress>();
    for (const id of IDS) ports.set(id, { host: '127.0.0.1', port: await pickFreePort() });
    const replicas = await Promise.all(IDS.map((id) => startReplica(id, ports)));

    const leader = await until('a leader', () => leaderOf(replicas));
    for (let i = 0; i < 50; i++) assert.equal(leader.loop.propose(Buffer.from(`w${i}`)).kind, 'appended');
    await until('50 writes applied everywhere', () => replicas.every((r) => r.machine.applied.length === 50));
    for (const r of replicas) assert.deepEqual(r.machine.applied, Array.from({ length: 50 }, (_, i) => `w${i}`));

    const follower = replicas.find((r) => r !== leader)!;
    assert.equal(follower.loop.propose(Buffer.from('via follower')).kind, 'forwarded');
    await until('the forwarded write applied everywhere', () => replicas.every((r) => r.machine.applied.at(-1) === 'via follower'));

    await stopReplica(leader);
    const rest = replicas.filter((r) => r !== leader);
    const next = await until('a new leader among the two left', () => {
      const l = leaderOf(rest);
      return l !== undefined && l.loop.status().term > leader.loop.status().term ? l : undefined;
    });
    assert.equal(next.loop.propose(Buffer.from('after failover')).kind, 'appended');
    await until('the write after failover applied on both', () => rest.every((r) => r.machine.applied.at(-1) === 'after failover'));

    const back = await startReplica(leader.id, ports, leader.fs);
    await until('the restarted replica caught up', () => back.machine.applied.at(-1) === 'after failover');
    assert.deepEqual(back.machine.applied, rest[0]!.machine.applied, 'the same log, in the same order');
  });
});
