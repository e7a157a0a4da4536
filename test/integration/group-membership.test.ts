// Membership changes of a running replica group, with real `cairn server` processes in cluster
// mode: three members take writes, a fourth node started with --group-join is added with GROUP
// ADD (learner, then voter), ends with every key (DEBUG DIGEST identical) and shows in CLUSTER
// NODES everywhere; a follower and then the leader itself are removed with GROUP REMOVE; a writer
// keeps writing with majority acknowledgement through all of it and no acknowledged write is
// lost; the joined node keeps its membership across a restart. Error cases: a bad address, an
// unknown member, a second change while one is under way, a change sent to a follower (MOVED).
// Outside cluster mode: redirect errors, a learner that cannot catch up in time stays one until
// GROUP ADD promotes it, a joined member forwards writes to the leader and finally leads alone.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { Redis } from 'ioredis';
import { client, runCairn, startCairnIn, type CairnProcess } from '../helpers/cairn-process.js';
import { FaultProxy } from '../helpers/fault-proxy.js';
import { pickFreePort } from '../helpers/redis-oracle.js';
import { until } from '../helpers/until.js';

interface Node {
  readonly name: string;
  readonly dir: string;
  readonly port: number;
  readonly bus: number;
  readonly args: string[];
  proc: CairnProcess | null;
}

const live = new Set<CairnProcess>();
const dirs: string[] = [];
const clients: Redis[] = [];
const servers: net.Server[] = [];
const proxies: FaultProxy[] = [];

after(async () => {
  for (const c of clients) c.disconnect();
  for (const s of servers) s.close();
  await Promise.allSettled(proxies.map((p) => p.close()));
  await Promise.allSettled([...live].map((p) => p.kill9()));
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function track(c: Redis): Redis {
  clients.push(c);
  return c;
}

async function newNode(name: string): Promise<Node> {
  const dir = mkdtempSync(path.join(os.tmpdir(), `cairn-member-${name}-`));
  dirs.push(dir);
  return { name, dir, port: await pickFreePort(), bus: await pickFreePort(), args: [], proc: null };
}

const COMMON = ['--group-tick-ms', '50', '--enable-debug-command', 'yes'];
const CLUSTER = ['--cluster-enabled', 'yes'];

async function start(n: Node, extra = CLUSTER): Promise<void> {
  n.proc = await startCairnIn(n.dir, ['--port', String(n.port), ...n.args, ...COMMON, ...extra]);
  live.add(n.proc);
}

async function stop(n: Node): Promise<void> {
  await n.proc!.stop();
  live.delete(n.proc!);
  n.proc = null;
}

async function call(port: number, ...argv: string[]): Promise<unknown> {
  const c = client(port);
  try {
    return await c.call(argv[0]!, ...argv.slice(1));
  } finally {
    c.disconnect();
  }
}

async function callError(port: number, ...argv: string[]): Promise<string> {
  try {
    const r = await call(port, ...argv);
    return `no error: ${JSON.stringify(r)}`;
  } catch (e) {
    return (e as Error).message;
  }
}

/** The member that says it is master and takes a write. */
async function leaderOf(nodes: Node[]): Promise<Node> {
  return until('a serving leader', async () => {
    for (const n of nodes) {
      if (n.proc === null) continue;
      const r = (await call(n.port, 'ROLE').catch(() => null)) as unknown[] | null;
      if (r === null || r[0] !== 'master') continue;
      if ((await call(n.port, 'SET', '{probe}', '1').catch(() => null)) === 'OK') return n;
    }
    return undefined;
  }, 30_000);
}

type Member = Record<string, unknown>;

async function members(port: number): Promise<Member[]> {
  const raw = (await call(port, 'GROUP', 'MEMBERS')) as unknown[][];
  return raw.map((flat) => {
    const m: Member = {};
    for (let i = 0; i < flat.length; i += 2) m[String(flat[i])] = flat[i + 1];
    return m;
  });
}

async function clusterNodeIds(port: number): Promise<string[]> {
  const text = String(await call(port, 'CLUSTER', 'NODES'));
  return text.split('\n').filter((l) => l !== '').map((l) => l.split(' ')[0]!).sort();
}

/** Writes key w<i> = v<i> to whoever leads, one at a time, retrying refused or lost writes; keeps
 *  the acknowledged ones. */
class Writer {
  readonly acked = new Map<string, string>();
  private running = true;
  private done: Promise<void>;
  private i = 0;

  constructor(private readonly nodes: () => Node[]) {
    this.done = this.run();
  }

  private async run(): Promise<void> {
    let target: Redis | null = null;
    let targetPort = 0;
    while (this.running) {
      const key = `w${this.i}`;
      const value = `v${this.i}`;
      try {
        if (target === null) {
          const up = this.nodes().filter((n) => n.proc !== null);
          const n = up[this.i % up.length]!;
          target = track(client(n.port));
          targetPort = n.port;
        }
        const r = await target.set(key, value);
        if (r === 'OK') {
          this.acked.set(key, value);
          this.i++;
        }
      } catch (e) {
        const message = (e as Error).message;
        const moved = /^MOVED \d+ [^:]+:(\d+)/.exec(message);
        target?.disconnect();
        target = null;
        if (moved !== null && Number(moved[1]) !== targetPort) {
          target = track(client(Number(moved[1])));
          targetPort = Number(moved[1]);
        } else {
          this.i += 1000; // a write whose fate is unknown is never reused
          await new Promise((r) => setTimeout(r, 20));
        }
      }
    }
    target?.disconnect();
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.done;
  }
}

describe('replica group membership changes', () => {
  test('add a joining node, remove a follower and the leader, under writes; errors; restart', async () => {
    const first = await Promise.all([1, 2, 3].map((i) => newNode(`n${i}`)));
    const peers = first.map((n) => `127.0.0.1:${n.port}@${n.bus}`).join(',');
    for (const n of first) n.args.push('--group-peers', peers);
    await Promise.all(first.map((n) => start(n)));
    const all = [...first];
    let leader = await leaderOf(all);

    const seed = track(client(leader.port));
    for (let i = 0; i < 200; i++) assert.equal(await seed.set(`k${i}`, `value-${i}`), 'OK');
    const writer = new Writer(() => all);

    // Error cases that change nothing.
    assert.match(await callError(leader.port, 'GROUP', 'ADD', 'not-an-address'), /is not host:port/);
    assert.match(await callError(leader.port, 'GROUP', 'ADD', '127.0.0.1:70000'), /is not host:port/);
    assert.match(await callError(leader.port, 'GROUP', 'REMOVE', 'f'.repeat(40)), /no member/);
    assert.match(await callError(leader.port, 'GROUP', 'REMOVE', '127.0.0.1:1'), /no member/);
    const follower = first.find((n) => n !== leader)!;
    assert.match(await callError(follower.port, 'GROUP', 'ADD', '127.0.0.1:1'), new RegExp(`^MOVED 0 127\\.0\\.0\\.1:${leader.port}$`));
    assert.match(await callError(leader.port, 'GROUP', 'ADD', `127.0.0.1:${leader.port}`), /already a voter/);
    const closedPort = await pickFreePort();
    assert.match(await callError(leader.port, 'GROUP', 'ADD', `127.0.0.1:${closedPort}`), /cannot join the replica group/);

    // A node that never answers GROUP HELLO keeps the first change pending: a second is refused.
    let greeted = false;
    const silent = net.createServer((socket) => {
      greeted = true;
      socket.on('error', () => {});
    });
    servers.push(silent);
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', () => r()));
    const silentPort = (silent.address() as net.AddressInfo).port;
    const stuck = callError(leader.port, 'GROUP', 'ADD', `127.0.0.1:${silentPort}`);
    await until('the leader greets the silent node', async () => greeted);
    assert.match(await callError(leader.port, 'GROUP', 'ADD', `127.0.0.1:${closedPort}`), /already in progress/);
    assert.match(await callError(leader.port, 'GROUP', 'REMOVE', `127.0.0.1:${follower.port}`), /already in progress/);
    assert.match(await stuck, /cannot join the replica group: no answer/);

    // The fourth node joins.
    const fourth = await newNode('n4');
    fourth.args.push('--group-join', 'yes', '--group-bus-port', String(fourth.bus));
    await start(fourth);
    assert.match(await callError(fourth.port, 'GET', 'k1'), /CLUSTERDOWN|waiting to be added/);
    const myId = String(await call(fourth.port, 'CLUSTER', 'MYID'));
    assert.equal(await call(leader.port, 'GROUP', 'ADD', `127.0.0.1:${fourth.port}`), myId);
    all.push(fourth);
    const afterAdd = await members(leader.port);
    assert.equal(afterAdd.length, 4);
    const added = afterAdd.find((m) => m['node-id'] === myId)!;
    assert.equal(added.role, 'voter');
    assert.equal(added.address, `127.0.0.1:${fourth.port}`);
    assert.equal(added['bus-port'], fourth.bus);
    for (const n of all) {
      await until(`CLUSTER NODES on ${n.name} shows the new member`, async () => (await clusterNodeIds(n.port)).includes(myId) && (await clusterNodeIds(n.port)).length === 4);
      await until(`GROUP MEMBERS on ${n.name} lists four members`, async () => (await members(n.port)).length === 4);
    }
    assert.match(await callError(leader.port, 'GROUP', 'ADD', `127.0.0.1:${fourth.port}`), /already a voter/);
    // CLUSTER SLOTS and SHARDS, ROLE and INFO replication on the leader name it too.
    await until('CLUSTER SLOTS lists four nodes', async () => {
      const slots = (await call(leader.port, 'CLUSTER', 'SLOTS')) as unknown[][];
      return slots.length === 1 && slots[0]!.length === 2 + 4 && slots[0]!.slice(2).some((n) => (n as unknown[])[1] === fourth.port);
    });
    const shards = String(JSON.stringify(await call(leader.port, 'CLUSTER', 'SHARDS')));
    assert.ok(shards.includes(myId), 'CLUSTER SHARDS names the new member');
    await until('ROLE lists the new replica', async () => {
      const role = (await call(leader.port, 'ROLE')) as [string, number, string[][]];
      return role[0] === 'master' && role[2].some((r) => r[1] === String(fourth.port));
    });
    assert.match(String(await call(leader.port, 'INFO', 'replication')), new RegExp(`port=${fourth.port},`));

    // Remove a follower (not the new member).
    const gone = first.find((n) => n !== leader)!;
    const goneId = String(await call(gone.port, 'CLUSTER', 'MYID'));
    assert.equal(await call(leader.port, 'GROUP', 'REMOVE', `127.0.0.1:${gone.port}`), 'OK');
    all.splice(all.indexOf(gone), 1);
    assert.equal((await members(leader.port)).length, 3);
    for (const n of all) await until(`CLUSTER NODES on ${n.name} drops the removed member`, async () => !(await clusterNodeIds(n.port)).includes(goneId));
    await until('the removed member knows it was removed', async () => /removed from its replica group|CLUSTERDOWN/.test(await callError(gone.port, 'GET', 'k1')));
    await stop(gone);

    // Remove the leader itself: leadership moves first, then the old leader is removed.
    const oldLeader = leader;
    const oldLeaderId = String(await call(oldLeader.port, 'CLUSTER', 'MYID'));
    assert.equal(await call(oldLeader.port, 'GROUP', 'REMOVE', oldLeaderId), 'OK');
    all.splice(all.indexOf(oldLeader), 1);
    leader = await leaderOf(all);
    assert.notEqual(leader, oldLeader);
    const final = await members(leader.port);
    assert.equal(final.length, 2);
    assert.ok(final.every((m) => m['node-id'] !== oldLeaderId && m.role === 'voter'));
    for (const n of all) await until(`CLUSTER NODES on ${n.name} drops the old leader`, async () => (await clusterNodeIds(n.port)).length === 2);
    await stop(oldLeader);

    // Writes go on with majority acknowledgement on the two remaining members.
    await until('the writer acknowledges writes on the new leader', async () => {
      const before = writer.acked.size;
      await new Promise((r) => setTimeout(r, 300));
      return writer.acked.size > before + 5;
    }, 30_000);
    await writer.stop();
    assert.ok(writer.acked.size > 20, `only ${writer.acked.size} writes acknowledged`);

    const digests = await until('identical replicas', async () => {
      const ds = await Promise.all(all.map((n) => call(n.port, 'DEBUG', 'DIGEST')));
      return ds.every((d) => d === ds[0]) ? ds : undefined;
    });
    assert.equal(digests.length, 2);
    // Every acknowledged write is there, and the keys written before the join too.
    const check = track(client(leader.port));
    for (const [k, v] of writer.acked) assert.equal(await check.get(k), v, `acknowledged write ${k} lost`);
    for (let i = 0; i < 200; i += 17) assert.equal(await check.get(`k${i}`), `value-${i}`);
    check.disconnect();

    // Both remaining members restart (the joined one and one of the first three) and still know
    // the members: they are rebuilt from the Raft log.
    for (const n of [...all]) {
      await stop(n);
      await start(n);
      await until(`the restarted ${n.name} lists the two members`, async () => (await members(n.port)).length === 2);
    }
    leader = await leaderOf(all);
    const after = track(client(leader.port));
    assert.equal(await after.set('after-restart', 'yes'), 'OK');
    await until('the restarted member has the new write', async () => {
      const ds = await Promise.all(all.map((n) => call(n.port, 'DEBUG', 'DIGEST')));
      return ds.every((d) => d === ds[0]) && ds[0] !== digests[0];
    });
  });

  test('outside cluster mode: redirect errors, a joined member forwards to the leader and ends up leading alone', async () => {
    const first = await Promise.all([1, 2, 3].map((i) => newNode(`p${i}`)));
    const peers = first.map((n) => `127.0.0.1:${n.port}@${n.bus}`).join(',');
    for (const n of first) n.args.push('--group-peers', peers);
    await Promise.all(first.map((n) => start(n, [])));
    const all = [...first];
    let leader = await leaderOf(all);
    const follower = first.find((n) => n !== leader)!;
    assert.equal(
      await callError(follower.port, 'GROUP', 'REMOVE', `127.0.0.1:${leader.port}`),
      `ERR membership changes run on the group's leader: send GROUP ADD/REMOVE to 127.0.0.1:${leader.port}`,
    );
    assert.match(await callError(leader.port, 'GROUP', 'HELLO', '00'), /not waiting to join/);
    const both = await runCairn(['server', '--port', '0', '--dir', first[0]!.dir, '--group-join', 'yes', '--group-peers', peers]);
    assert.equal(both.code, 2);
    assert.match(both.stderr, /group-join takes no group-peers/);

    // A learner that cannot catch up (its peer link black-holed) is left a learner once TIMEOUT
    // passes; GROUP ADD again promotes it once it has caught up.
    assert.match(await callError(leader.port, 'GROUP', 'ADD', '127.0.0.1:1', 'TIMEOUT', 'soon'), /syntax: GROUP ADD/);
    assert.match(await callError(leader.port, 'GROUP', 'ADD', '127.0.0.1:1', 'WAIT', '10'), /syntax: GROUP ADD/);
    assert.match(await callError(leader.port, 'GROUP', 'ADD', '127.0.0.1:1', 'TIMEOUT', '0'), /syntax: GROUP ADD/);
    const slow = await newNode('p5');
    slow.args.push('--group-join', 'yes', '--group-bus-port', String(slow.bus));
    await start(slow, []);
    const hole = await FaultProxy.start({ host: '127.0.0.1', port: slow.bus }, 'to-p5');
    proxies.push(hole);
    hole.block();
    const slowAddress = `127.0.0.1:${slow.port}@${hole.port}`;
    assert.match(await callError(leader.port, 'GROUP', 'ADD', slowAddress, 'TIMEOUT', '1500'), /did not catch up within 1500 ms .*it stays a learner/);
    const learner = (await members(leader.port)).find((m) => m.address === `127.0.0.1:${slow.port}`)!;
    assert.equal(learner.role, 'learner');
    assert.equal(learner['bus-port'], hole.port);
    assert.match(await callError(slow.port, 'GET', 'x'), /waiting to be added/, 'it has not heard of its addition');
    hole.unblock();
    assert.equal(await call(leader.port, 'GROUP', 'ADD', `127.0.0.1:${slow.port}`), learner['node-id']);
    assert.equal((await members(leader.port)).find((m) => m['node-id'] === learner['node-id'])!.role, 'voter');
    await until('the promoted learner knows the members', async () => (await members(slow.port)).length === 4);
    assert.equal(await call(leader.port, 'GROUP', 'REMOVE', learner['node-id'] as string), 'OK');
    await until('p5 refuses data once removed', async () => /removed from its replica group/.test(await callError(slow.port, 'GET', 'x')));
    await stop(slow);

    // The joiner's bus port is not given to GROUP ADD: it comes from the node's answer to GROUP HELLO.
    const joined = await newNode('p4');
    joined.args.push('--group-join', 'yes', '--group-bus-port', String(joined.bus));
    await start(joined, []);
    assert.match(await callError(joined.port, 'SET', 'x', '1'), /^TRYAGAIN this node is waiting to be added/);
    assert.match(await callError(joined.port, 'GROUP', 'ADD', `127.0.0.1:${leader.port}`), /waiting to be added/);
    assert.match(await callError(joined.port, 'GROUP', 'HELLO', 'zz'), /sent by a group's leader/);
    const nodeId = String(await call(leader.port, 'GROUP', 'ADD', `127.0.0.1:${joined.port}`));
    all.push(joined);
    const seen = await until('the joined node lists every member, itself as a voter', async () => {
      const ms = await members(joined.port);
      return ms.length === 4 && ms.find((m) => m['node-id'] === nodeId)?.role === 'voter' ? ms : undefined;
    });
    const self = seen.find((m) => m['node-id'] === nodeId)!;
    assert.equal(self['bus-port'], joined.bus);
    assert.equal(self.role, 'voter');
    assert.equal(self.connected, 1);
    // A plain client of the joined member: its writes go to the leader, found in the registry.
    const viaJoined = track(client(joined.port));
    assert.equal(await viaJoined.set('through-joined', 'yes'), 'OK');
    assert.equal(await call(leader.port, 'GET', 'through-joined'), 'yes');
    const role = (await call(joined.port, 'ROLE')) as unknown[];
    assert.deepEqual(role.slice(0, 3), ['slave', '127.0.0.1', leader.port]);

    // Remove the leader until the joined member is the one left leading.
    for (let round = 0; round < 3 && all.length > 1; round++) {
      leader = await leaderOf(all);
      const victim = leader === joined ? all.find((n) => n !== joined)! : leader;
      assert.equal(await call(leader.port, 'GROUP', 'REMOVE', `127.0.0.1:${victim.port}`), 'OK');
      all.splice(all.indexOf(victim), 1);
      await until(`${victim.name} refuses data once removed`, async () => /removed from its replica group/.test(await callError(victim.port, 'GET', 'through-joined')));
      await stop(victim);
    }
    assert.deepEqual(all, [joined]);
    leader = await leaderOf(all);
    assert.equal(leader, joined);
    assert.equal(await viaJoined.get('through-joined'), 'yes');
    assert.equal(await viaJoined.set('alone', 'yes'), 'OK');
    assert.match(await callError(joined.port, 'GROUP', 'REMOVE', `127.0.0.1:${joined.port}`), /last voter/);
    assert.equal((await members(joined.port)).length, 1);
  });
});
