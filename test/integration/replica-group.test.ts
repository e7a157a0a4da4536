// Three real `cairn server` processes forming a Raft replica group on loopback: they elect a
// leader, writes acknowledged by the leader are on every replica (DEBUG DIGEST identical), a
// plain client on a follower has its commands handed to the leader, kill -9 of the leader under
// a write load elects a new leader and loses no acknowledged write, and the old leader catches
// up when it comes back. With cluster-enabled, ioredis `Cluster` sees the group as one shard and
// follows MOVED to the new leader after a failover. Every process is stopped by PID; every wait
// is bounded.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Cluster, type Redis } from 'ioredis';
import { CairnGroup, role, type GroupNode } from '../helpers/cairn-group.js';
import { client } from '../helpers/cairn-process.js';
import { until } from '../helpers/until.js';

const groups: CairnGroup[] = [];
const clients: Array<{ disconnect(): void }> = [];

after(async () => {
  for (const c of clients) c.disconnect();
  await Promise.allSettled(groups.map((g) => g.stopAll()));
});

function track<T extends { disconnect(): void }>(c: T): T {
  clients.push(c);
  return c;
}

async function makeGroup(extra: string[] = []): Promise<CairnGroup> {
  const group = new CairnGroup(extra);
  groups.push(group);
  return group.start();
}

async function eventualReader(port: number): Promise<Redis> {
  const c = track(client(port));
  assert.equal(await c.call('CONSISTENCY', 'READS', 'eventual'), 'OK');
  return c;
}

async function digest(port: number): Promise<string> {
  const c = client(port);
  try {
    return String(await c.call('DEBUG', 'DIGEST'));
  } finally {
    c.disconnect();
  }
}

async function sameDigest(nodes: readonly GroupNode[]): Promise<string> {
  return until('identical replicas', async () => {
    const ds = await Promise.all(nodes.map((n) => digest(n.port)));
    return ds.every((d) => d === ds[0]) ? ds[0] : undefined;
  });
}

describe('a replica group of three cairn servers', () => {
  test('elects, replicates, forwards from followers, fails over without losing acknowledged writes, and catches up', async () => {
    const group = await makeGroup();
    const nodes = group.nodes;
    const leader = await group.leader();
    const followers = nodes.filter((n) => n !== leader);

    // Writes on the leader are on every replica once acknowledged.
    const w = track(client(leader.port));
    for (let i = 0; i < 100; i++) assert.equal(await w.set(`k${i}`, `v${i}`), 'OK');
    assert.equal(await w.incrby('counter', 5), 5);
    assert.equal(await w.set('ttl', 'x', 'PX', 60_000), 'OK');
    await w.hset('h', 'a', '1', 'b', '2');
    for (const f of followers) {
      const r = await eventualReader(f.port);
      await until(`writes applied on node ${f.id}`, async () => (await r.get('k99')) === 'v99' && (await r.get('counter')) === '5' && (await r.exists('h')) === 1);
      assert.deepEqual(await r.hgetall('h'), { a: '1', b: '2' });
      const pttl = await r.pttl('ttl');
      assert.ok(pttl > 0 && pttl <= 60_000, `the TTL travels as an absolute time (${pttl})`);
    }
    await sameDigest(nodes);

    // A plain client on a follower: writes and linearizable reads are handed to the leader.
    const plain = track(client(followers[0]!.port));
    assert.equal(await plain.set('via-follower', 'yes'), 'OK');
    assert.equal(await plain.get('via-follower'), 'yes', 'a read after the write sees it');
    assert.equal(await plain.incr('counter'), 6);
    await assert.rejects(plain.call('WAIT', '1', '10'), /WAIT cannot be used with replica/);
    assert.equal(String((await plain.call('ROLE') as unknown[])[0]), 'slave');
    // WAIT on the leader counts the followers holding the client's last write.
    assert.equal(await w.set('waited', '1'), 'OK');
    assert.equal(await w.call('WAIT', '2', '5000'), 2);

    // kill -9 the leader while a writer runs: every acknowledged write survives.
    const acknowledged = new Map<string, string>();
    let stop = false;
    const writer = (async () => {
      let i = 0;
      while (!stop) {
        const key = `load${i}`;
        try {
          if ((await w.set(key, String(i))) === 'OK') acknowledged.set(key, String(i));
        } catch {
          return; // the leader is gone
        }
        i++;
      }
    })();
    await until('some writes under load', async () => acknowledged.size >= 50);
    await group.kill9(leader);
    stop = true;
    await writer;
    const next = await group.leader();
    assert.notEqual(next, leader);
    const r2 = track(client(next.port));
    for (const [key, value] of acknowledged) assert.equal(await r2.get(key), value, `acknowledged write ${key} survived`);
    assert.equal(await r2.get('via-follower'), 'yes');
    assert.equal(await r2.incr('counter'), 7);

    // The old leader comes back, catches up and ends identical.
    await group.startNode(leader);
    await sameDigest(nodes);
    const back = await eventualReader(leader.port);
    assert.equal(await back.get('counter'), '7');
    assert.equal(await role(leader.port), 'slave');

    // The restarted member is a full voter again: without the current leader, it and the last
    // member elect one of themselves.
    await group.kill9(next);
    const third = await group.leader();
    assert.notEqual(third, next);
    const r3 = track(client(third.port));
    assert.equal(await r3.incr('counter'), 8);
    await group.startNode(next);
    await sameDigest(nodes);

    // CLUSTER FAILOVER is refused without cluster mode; consistency levels are per connection.
    assert.deepEqual(await back.call('CONSISTENCY'), ['reads', 'eventual', 'writes', 'majority']);
    await assert.rejects(back.call('CONSISTENCY', 'READS', 'sometimes'), /syntax/);
  });

  test('a leader cut off with an uncommitted write never acknowledges it, steps down and rolls it back', async () => {
    const group = await makeGroup();
    const nodes = group.nodes;
    const leader = await group.leader();
    const followers = nodes.filter((n) => n !== leader);
    const w = track(client(leader.port));
    assert.equal(await w.set('committed', '1'), 'OK');
    await sameDigest(nodes);
    // Freeze both followers: the leader can append but never commit.
    for (const f of followers) process.kill(f.proc!.pid, 'SIGSTOP');
    let resumed = false;
    try {
      const write = w.set('speculative', 'x').then((v) => `answered ${v}`, (e: Error) => `failed: ${e.message}`);
      const reader = track(client(leader.port));
      const read = reader.get('speculative').then((v) => `answered ${v}`, (e: Error) => `failed: ${e.message}`);
      // CheckQuorum makes the cut-off leader step down within an election timeout.
      assert.match(await write, /^failed/, 'the uncommitted write is never acknowledged');
      assert.match(await read, /^failed/, 'a read that saw the uncommitted write is not answered either');
      await until('the old leader stepped down', async () => (await role(leader.port)) === 'slave');
      const old = await eventualReader(leader.port);
      assert.equal(await old.get('speculative'), null, 'the old leader rolled its state back to the committed log');
      assert.equal(await old.get('committed'), '1');
      for (const f of followers) process.kill(f.proc!.pid, 'SIGCONT');
      resumed = true;
      // The entry is still in the old leader's log: if it wins the next election it commits it
      // (the write was never acknowledged, so either outcome is allowed), else it is replaced.
      const next = await group.leader();
      const r = track(client(next.port));
      assert.equal(await r.get('committed'), '1');
      const outcome = await r.get('speculative');
      assert.ok(outcome === null || outcome === 'x', `speculative is ${outcome}`);
      await sameDigest(nodes);
      await until('the old leader agrees', async () => (await old.get('speculative')) === outcome);
    } finally {
      if (!resumed) for (const f of followers) if (f.proc !== null) process.kill(f.proc.pid, 'SIGCONT');
    }
  });

  test('cluster mode: ioredis Cluster sees one shard and follows MOVED after CLUSTER FAILOVER and after a kill', async () => {
    const group = await makeGroup(['--cluster-enabled', 'yes']);
    const nodes = group.nodes;
    const leader = await group.leader();
    const cluster = track(new Cluster([{ host: '127.0.0.1', port: nodes[0]!.port }], { clusterRetryStrategy: () => 200, retryDelayOnMoved: 50, retryDelayOnClusterDown: 200, retryDelayOnTryAgain: 200, maxRedirections: 50 }));
    cluster.on('error', () => {});
    assert.equal(await cluster.set('a', '1'), 'OK');
    assert.equal(await cluster.get('a'), '1');
    // Links between members come up within a few redials; then the shard lists all three.
    const slots = await until('CLUSTER SLOTS lists the master and two replicas', async () => {
      const s = (await cluster.cluster('SLOTS')) as unknown[][];
      return s.length === 1 && s[0]!.length === 5 ? s : undefined;
    });
    assert.equal(slots[0]![0], 0);
    assert.equal(slots[0]![1], 16383);
    assert.equal((slots[0]![2] as unknown[])[1], leader.port, 'the leader is the master');

    // A follower answers MOVED to the leader; READONLY reads are served there.
    const f = nodes.find((n) => n !== leader)!;
    const raw = track(client(f.port));
    await assert.rejects(raw.set('b', '2'), new RegExp(`MOVED \\d+ 127.0.0.1:${leader.port}`));
    assert.equal(await raw.call('READONLY'), 'OK');
    await until('READONLY read on a follower', async () => (await raw.get('a')) === '1');

    // Manual failover to that follower.
    assert.equal(await raw.call('CLUSTER', 'FAILOVER'), 'OK');
    await until('the follower took over', async () => (await role(f.port)) === 'master');
    assert.equal(await cluster.set('after-failover', 'x'), 'OK');
    assert.equal(await cluster.get('after-failover'), 'x');
    assert.equal(await cluster.get('a'), '1');

    // kill -9 the new leader: the client follows MOVED to the next one.
    await group.kill9(f);
    const next = await group.leader();
    assert.notEqual(next, f);
    await until('the client writes through the new leader', async () => (await cluster.set('after-kill', 'y')) === 'OK', 30_000);
    assert.equal(await cluster.get('after-failover'), 'x');
    assert.equal(await cluster.get('after-kill'), 'y');
  });
});
