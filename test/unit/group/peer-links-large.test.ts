// A Raft snapshot travels as one peer-link frame: a 100 MB frame arrives whole and in order with
// the small frames around it, and one frame larger than the queue bound is still queued when
// nothing else waits (while a second one is dropped). The time the transfer took is printed
// for the design note; nothing asserts on it.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { PeerLinks } from '../../../src/io/group/peer-links.js';
import { peerLinkLimits } from '../../../src/core/limits.js';
import { pickFreePort } from '../../helpers/redis-oracle.js';
import { until } from '../../helpers/until.js';

const open: PeerLinks[] = [];
after(async () => {
  await Promise.all(open.map((l) => l.close()));
});

async function node(id: number, onMessage: (from: number, payload: Buffer) => void): Promise<{ links: PeerLinks; port: number }> {
  const links = new PeerLinks({ selfId: id, groupName: 'big', listenHost: '127.0.0.1', listenPort: 0, onMessage });
  open.push(links);
  return { links, port: await links.listen() };
}

describe('large peer-link frames', () => {
  test('a 100 MB frame arrives whole, in order with the small frames around it', async () => {
    const got: Buffer[] = [];
    const b = await node(2, (_from, p) => got.push(p));
    const a = await node(1, () => {});
    a.links.setPeers(new Map([[2, { host: '127.0.0.1', port: b.port }]]));
    const big = Buffer.alloc(100 * 1024 * 1024);
    for (let i = 0; i < big.length; i += 4096) big.writeUInt32LE(i, i);
    const started = Date.now();
    assert.equal(a.links.send(2, Buffer.from('before')), true);
    assert.equal(a.links.send(2, big), true);
    assert.equal(a.links.send(2, Buffer.from('after')), true);
    // A message given in parts (a snapshot's head and data) arrives as one payload.
    assert.equal(a.links.send(2, [Buffer.from('head|'), big.subarray(0, 3 * 1024 * 1024)]), true);
    await until('four frames', async () => got.length === 4, 60_000);
    process.stdout.write(`# 100 MB frame over loopback: ${Date.now() - started} ms\n`);
    assert.equal(got[0]!.toString(), 'before');
    assert.equal(got[1]!.length, big.length);
    assert.ok(got[1]!.equals(big));
    assert.equal(got[2]!.toString(), 'after');
    assert.ok(got[3]!.equals(Buffer.concat([Buffer.from('head|'), big.subarray(0, 3 * 1024 * 1024)])));
  });

  test('one frame over the queue bound is queued toward a peer that is down; a second is dropped', async () => {
    const saved = peerLinkLimits.queueMaxBytes;
    peerLinkLimits.queueMaxBytes = 1000;
    try {
      const a = await node(1, () => {});
      a.links.setPeers(new Map([[2, { host: '127.0.0.1', port: await pickFreePort() }]]));
      assert.equal(a.links.send(2, Buffer.alloc(5000)), true);
      assert.equal(a.links.send(2, Buffer.alloc(5000)), false);
      assert.equal(a.links.send(2, Buffer.alloc(10)), false);
      assert.equal(a.links.stats(2)?.droppedFrames, 2);
    } finally {
      peerLinkLimits.queueMaxBytes = saved;
    }
  });
});
