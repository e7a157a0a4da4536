// Cluster-aware clients against a Cairn server started with cluster-enabled: ioredis `Cluster`
// and node-redis `createCluster` discover the node with CLUSTER SLOTS, route keys by slot, and
// surface CROSSSLOT as Redis Cluster does. The node id survives a restart (nodes.conf in dir).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Cluster } from 'ioredis';
import { createCluster } from 'redis';
import { startCairnProcess, type CairnServer } from '../helpers/cairn-server.js';
import { startCairnIn, client } from '../helpers/cairn-process.js';
import { mkdtempSync, rmSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

describe('cluster-aware clients on a one-node Cairn cluster', () => {
  let server: CairnServer;

  before(async () => {
    server = await startCairnProcess({ args: ['--cluster-enabled', 'yes', '--appendonly', 'no', '--save', ''] });
  });

  after(async () => {
    await server?.stop();
  });

  test('ioredis Cluster: discovery, routing, hash tags, pipelines and CROSSSLOT', async () => {
    const cluster = new Cluster([{ host: '127.0.0.1', port: server.port }], { clusterRetryStrategy: () => null, enableOfflineQueue: true });
    try {
      assert.equal(await cluster.set('user:1', 'ann'), 'OK');
      assert.equal(await cluster.get('user:1'), 'ann');
      assert.equal(await cluster.mset('{u1}.name', 'ann', '{u1}.age', '41'), 'OK');
      assert.deepEqual(await cluster.mget('{u1}.name', '{u1}.age'), ['ann', '41']);
      const results = await cluster.pipeline().incr('{c}n').incr('{c}n').get('{c}n').exec();
      assert.deepEqual(results?.map(([e, v]) => [e, v]), [[null, 1], [null, 2], [null, '2']]);
      const nodes = cluster.nodes('master');
      assert.equal(nodes.length, 1);
      assert.equal(nodes[0]!.options.port, server.port);
      // ioredis refuses keys of different slots in one command itself; the server must as well.
      await assert.rejects(cluster.call('MSET', 'a', '1', 'b', '2'), /CROSSSLOT/);
      const info = await cluster.cluster('INFO');
      assert.match(String(info), /cluster_state:ok/);
    } finally {
      cluster.disconnect();
    }
  });

  test('node-redis createCluster: discovery, routing and transactions in one slot', async () => {
    const cluster = createCluster({ rootNodes: [{ url: `redis://127.0.0.1:${server.port}` }] });
    cluster.on('error', () => {});
    await cluster.connect();
    try {
      assert.equal(await cluster.set('greeting', 'hello'), 'OK');
      assert.equal(await cluster.get('greeting'), 'hello');
      const replies = await cluster.multi().set('{cart}:1', 'a').set('{cart}:2', 'b').mGet(['{cart}:1', '{cart}:2']).exec();
      assert.deepEqual(replies, ['OK', 'OK', ['a', 'b']]);
      assert.equal(cluster.masters.length, 1);
      assert.equal(cluster.masters[0]!.port, server.port);
    } finally {
      await cluster.close();
    }
  });
});

describe('the node id is kept in the data folder', () => {
  test('restart with the same dir keeps CLUSTER MYID', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'cairn-cluster-id-'));
    try {
      const ids: string[] = [];
      for (let i = 0; i < 2; i++) {
        const p = await startCairnIn(dir, ['--cluster-enabled', 'yes']);
        const r = client(p.port);
        try {
          ids.push(String(await r.call('CLUSTER', 'MYID')));
        } finally {
          r.disconnect();
          await p.stop();
        }
      }
      assert.match(ids[0]!, /^[0-9a-f]{40}$/);
      assert.equal(ids[1], ids[0]);
      assert.match(readFileSync(path.join(dir, 'nodes.conf'), 'utf8'), new RegExp(`^cairn-cluster-config 1\nmyself ${ids[0]}\n$`));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
