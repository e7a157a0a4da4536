// Raft snapshots and log compaction in a replica group of three real `cairn server` processes,
// with a snapshot every 20 entries: the leader's log compacts (INFO replication and the size of
// raft.log say so), a follower stopped meanwhile comes back and is caught up by InstallSnapshot,
// and members restarted later load their own snapshot and then the log after it. A node added
// with GROUP ADD after the log was compacted is caught up the same way and gets the member
// registry from the snapshot. DEBUG DIGEST must be identical everywhere, function libraries,
// expiries and memcached flags included.
// Every process is stopped by PID; every wait is bounded.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import path from 'node:path';
import { CairnGroup, type GroupNode } from '../helpers/cairn-group.js';
import { client } from '../helpers/cairn-process.js';
import { until } from '../helpers/until.js';

const SNAPSHOT_ARGS = ['--group-snapshot-entries', '20', '--group-log-keep-entries', '5'];
const groups: CairnGroup[] = [];

after(async () => {
  await Promise.allSettled(groups.map((g) => g.stopAll()));
});

/** A new group of three whose members snapshot every 20 entries. */
async function makeGroup(): Promise<CairnGroup> {
  const group = new CairnGroup(SNAPSHOT_ARGS);
  groups.push(group);
  return group.start();
}

async function withClient<T>(port: number, f: (c: ReturnType<typeof client>) => Promise<T>): Promise<T> {
  const c = client(port);
  try {
    return await f(c);
  } finally {
    c.disconnect();
  }
}

/** The Raft fields of INFO replication, as numbers. */
async function raftInfo(port: number): Promise<Record<string, number>> {
  const text = await withClient(port, (c) => c.info('replication'));
  const out: Record<string, number> = {};
  for (const line of text.split('\r\n')) {
    const m = /^(raft_[a-z_]+):(\d+)$/.exec(line);
    if (m !== null) out[m[1]!] = Number(m[2]);
  }
  return out;
}

async function sameDigest(nodes: readonly GroupNode[]): Promise<string> {
  return until('identical replicas', async () => {
    const ds = await Promise.all(nodes.map((n) => withClient(n.port, async (c) => String(await c.call('DEBUG', 'DIGEST')))));
    return ds.every((d) => d === ds[0]) ? ds[0] : undefined;
  }, 30_000);
}

const LIBRARY = "#!lua name=snaplib\nredis.register_function{function_name='snapget', callback=function(keys) return redis.call('GET', keys[1]) end, flags={'no-writes'}}";

describe('Raft snapshots in a replica group', () => {
  test('the leader compacts its log; a stopped follower catches up by InstallSnapshot; restarts load snapshot and log tail', async () => {
    const group = await makeGroup();
    const nodes = group.nodes;
    const leader = await group.leader();
    const lagging = nodes.find((n) => n !== leader)!;
    await group.kill9(lagging);

    const value = 'v'.repeat(1000);
    const written = await withClient(leader.port, async (c) => {
      let bytes = 0;
      await c.call('FUNCTION', 'LOAD', LIBRARY);
      for (let i = 0; i < 300; i++) {
        await c.set(`key:${i}`, `${i}:${value}`);
        bytes += 1000;
        if (i % 10 === 0) await c.hset(`hash:${i % 7}`, `f${i}`, String(i));
        if (i % 25 === 0) await c.set(`ttl:${i}`, 'x', 'PX', 600_000);
        if (i % 50 === 0) await c.call('MCSETFLAGS', `key:${i}`, String(1000 + i));
      }
      await c.incrby('counter', 42);
      return bytes;
    });

    // Compaction: the log starts after a snapshot, and the file holds far less than was written.
    const info = await until('the leader compacted its log', async () => {
      const r = await raftInfo(leader.port);
      // At most 20 entries (the threshold) and a snapshot being written past the newest snapshot.
      return r.raft_snapshot_index! > 0 && r.raft_log_last_index! - r.raft_snapshot_index! <= 40 ? r : undefined;
    });
    assert.ok(info.raft_log_first_index! <= info.raft_snapshot_index! + 1, 'the log starts at or before the entry after the snapshot');
    const logBytes = statSync(path.join(leader.dir, 'raft', 'raft.log')).size;
    assert.ok(logBytes < written / 3, `raft.log holds ${logBytes} bytes after ${written} bytes of values were written`);
    assert.ok(info.raft_snapshots_taken! >= 2 && info.raft_log_first_index! > 2, JSON.stringify(info));
    assert.ok(statSync(path.join(leader.dir, 'raft', 'raft.snapshot')).size > written / 2, 'raft.snapshot holds the key space');

    // The follower comes back behind the leader's log: only a snapshot can catch it up.
    await group.startNode(lagging);
    const installed = await until('the follower installed the leader\'s snapshot', async () => {
      const r = await raftInfo(lagging.port);
      return r.raft_snapshots_installed! >= 1 ? r : undefined;
    }, 30_000);
    assert.ok(installed.raft_snapshot_index! > 0);
    const d1 = await sameDigest(nodes);
    await withClient(lagging.port, async (c) => {
      assert.equal(await c.call('CONSISTENCY', 'READS', 'eventual'), 'OK');
      assert.equal(await c.get('key:299'), `299:${value}`);
      assert.equal(await c.call('FCALL_RO', 'snapget', '1', 'key:7'), `7:${value}`);
      const meta = (await c.call('MCMETA', 'key:50')) as unknown[];
      assert.ok(JSON.stringify(meta).includes('1050'), `memcached flags survive the snapshot: ${JSON.stringify(meta)}`);
      assert.ok((await c.pttl('ttl:275')) > 0);
    });

    // A few more writes stay in the log after the newest snapshot (fewer than 20).
    await withClient(leader.port, async (c) => {
      for (let i = 0; i < 5; i++) await c.set(`tail:${i}`, String(i));
    });
    const d2 = await sameDigest(nodes);
    assert.notEqual(d1, d2);

    // A member restarted now loads its own snapshot, then the entries after it.
    const restarted = nodes.find((n) => n !== leader && n !== lagging)!;
    await group.kill9(restarted);
    await group.startNode(restarted);
    const own = await raftInfo(restarted.port);
    assert.ok(own.raft_snapshot_index! > 0 && own.raft_log_first_index! === own.raft_snapshot_index! + 1, `started from its own snapshot: ${JSON.stringify(own)}`);
    assert.equal(own.raft_snapshots_installed, 0);
    assert.equal(await sameDigest(nodes), d2);

    // The whole group stopped and started again: every member from its own files.
    for (const n of nodes) await group.kill9(n);
    await Promise.all(nodes.map((n) => group.startNode(n)));
    await group.leader();
    const d3 = await sameDigest(nodes);
    await withClient(nodes[0]!.port, async (c) => {
      assert.equal(await c.call('CONSISTENCY', 'READS', 'eventual'), 'OK');
      assert.equal(await c.get('tail:4'), '4');
      assert.equal(await c.get('counter'), '42');
    });
    assert.notEqual(d3, '');
  });

  test('a node added after the log was compacted catches up from the leader\'s snapshot, members included, and restarts from its own', async () => {
    const group = await makeGroup();
    const nodes = [...group.nodes];
    const leader = await group.leader();
    await withClient(leader.port, async (c) => {
      for (let i = 0; i < 120; i++) await c.set(`j:${i}`, String(i));
    });
    await until('the leader compacted its log', async () => {
      const r = await raftInfo(leader.port);
      return r.raft_snapshot_index! > 0 && r.raft_log_first_index! > 2 ? r : undefined;
    });
    const joiner = await group.startJoiner();
    const port = joiner.port;
    assert.match(String(await withClient(leader.port, (c) => c.call('GROUP', 'ADD', `127.0.0.1:${port}`))), /^[0-9a-f]{40}$/);
    const all = [...nodes, joiner];
    await until('the new member installed a snapshot', async () => ((await raftInfo(port)).raft_snapshots_installed! >= 1 ? true : undefined), 30_000);
    const d1 = await sameDigest(all);
    const membersOf = async (p: number): Promise<number> => ((await withClient(p, (c) => c.call('GROUP', 'MEMBERS'))) as unknown[]).length;
    assert.equal(await membersOf(port), 4);

    // More writes, so that the new member snapshots on its own, then a restart from its files.
    await withClient(leader.port, async (c) => {
      for (let i = 0; i < 60; i++) await c.set(`after:${i}`, String(i));
    });
    await until('the new member took a snapshot of its own', async () => ((await raftInfo(port)).raft_snapshots_taken! >= 1 ? true : undefined), 30_000);
    const d2 = await sameDigest(all);
    assert.notEqual(d1, d2);
    await group.kill9(joiner);
    await group.startNode(joiner);
    const own = await raftInfo(port);
    assert.ok(own.raft_snapshot_index! > 0 && own.raft_snapshots_installed === 0, `restarted from its own snapshot: ${JSON.stringify(own)}`);
    assert.equal(await membersOf(port), 4, 'the member registry came back from the snapshot');
    assert.equal(await sameDigest(all), d2);
  });
});
