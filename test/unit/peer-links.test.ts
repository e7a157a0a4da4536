// Links between group replicas over loopback TCP: order, queuing while a peer is down,
// redialling after a restart, the queue bound, and refusing strangers without disturbing peers.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { PeerLinks, frame, type PeerAddress } from '../../src/io/group/peer-links.js';
import { peerLinkLimits } from '../../src/core/limits.js';
import { pickFreePort } from '../helpers/redis-oracle.js';

interface Node {
  links: PeerLinks;
  inbox: Array<[number, string]>;
  port: number;
}

const open: PeerLinks[] = [];
after(async () => {
  await Promise.all(open.map((l) => l.close()));
});

async function node(id: number, port = 0, group = 'g1'): Promise<Node> {
  const inbox: Array<[number, string]> = [];
  const links = new PeerLinks({ selfId: id, groupName: group, listenHost: '127.0.0.1', listenPort: port, onMessage: (from, p) => inbox.push([from, p.toString('latin1')]) });
  open.push(links);
  return { links, inbox, port: await links.listen() };
}

function addresses(nodes: Record<number, Node | number>): Map<number, PeerAddress> {
  return new Map(Object.entries(nodes).map(([id, n]) => [Number(id), { host: '127.0.0.1', port: typeof n === 'number' ? n : n.port }]));
}

/** Polls until `check` holds, at most `ms`. */
async function until(check: () => boolean, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not reached in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('peer links', () => {
  test('three nodes exchange messages, in order per link', async () => {
    const a = await node(1);
    const b = await node(2);
    const c = await node(3);
    const all = addresses({ 1: a, 2: b, 3: c });
    for (const n of [a, b, c]) n.links.setPeers(all);
    for (let i = 0; i < 500; i++) {
      a.links.send(2, Buffer.from(`a${i}`));
      c.links.send(2, Buffer.from(`c${i}`));
      b.links.send(1, Buffer.from(`b${i}`));
    }
    await until(() => b.inbox.length === 1000 && a.inbox.length === 500);
    assert.deepEqual(b.inbox.filter(([f]) => f === 1).map(([, m]) => m), Array.from({ length: 500 }, (_, i) => `a${i}`));
    assert.deepEqual(b.inbox.filter(([f]) => f === 3).map(([, m]) => m), Array.from({ length: 500 }, (_, i) => `c${i}`));
    assert.equal(a.links.stats(2)?.connected, true);
    assert.equal(a.links.stats(2)?.sentFrames, 500);
    assert.equal(b.links.stats(1)?.receivedFrames, 500);
    assert.equal(a.links.send(9, Buffer.from('x')), false, 'no link to an unknown node');
  });

  test('messages wait for a peer that is not up yet, and flow again after it restarts', async () => {
    const port = await pickFreePort();
    const a = await node(1);
    a.links.setPeers(addresses({ 1: a, 2: port }));
    a.links.send(2, Buffer.from('early'));
    await new Promise((r) => setTimeout(r, 120));
    let b = await node(2, port);
    await until(() => b.inbox.length === 1);
    assert.deepEqual(b.inbox, [[1, 'early']]);
    await b.links.close();
    await until(() => a.links.stats(2)?.connected === false);
    a.links.send(2, Buffer.from('while down'));
    b = await node(2, port);
    await until(() => b.inbox.length === 1);
    assert.deepEqual(b.inbox, [[1, 'while down']]);
  });

  test('a peer that never answers cannot grow the queue past its bound', async () => {
    const saved = peerLinkLimits.queueMaxBytes;
    peerLinkLimits.queueMaxBytes = 1000;
    try {
      const a = await node(1);
      a.links.setPeers(addresses({ 1: a, 2: await pickFreePort() }));
      let accepted = 0;
      for (let i = 0; i < 100; i++) if (a.links.send(2, Buffer.alloc(96))) accepted++;
      assert.equal(accepted, 10); // 100-byte frames: 10 fit in 1000 bytes
      assert.equal(a.links.stats(2)?.droppedFrames, 90);
      assert.equal(a.links.stats(2)?.queuedBytes, 1000);
    } finally {
      peerLinkLimits.queueMaxBytes = saved;
    }
  });

  test('strangers, other groups and oversized frames are refused; peers carry on', async () => {
    const b = await node(2);
    const a = await node(1);
    const strangerLinks = new PeerLinks({ selfId: 1, groupName: 'other group', listenHost: '127.0.0.1', listenPort: 0, onMessage: () => {} });
    open.push(strangerLinks);
    await strangerLinks.listen();
    strangerLinks.setPeers(addresses({ 2: b }));
    strangerLinks.send(2, Buffer.from('from another group'));
    a.links.setPeers(addresses({ 1: a, 2: b }));
    const closedBy = async (bytes: Buffer): Promise<void> => {
      const s = net.connect({ host: '127.0.0.1', port: b.port });
      s.on('error', () => {});
      s.write(bytes);
      await new Promise<void>((resolve) => s.on('close', () => resolve()));
    };
    await closedBy(Buffer.from('*1\r\n$4\r\nPING\r\n'));
    const huge = Buffer.alloc(4);
    huge.writeUInt32BE(peerLinkLimits.frameMaxBytes + 1, 0);
    await closedBy(Buffer.concat([frame(Buffer.from('CAIRN-PEER/1 g1 7')), huge]));
    a.links.send(2, Buffer.from('still here'));
    await until(() => b.inbox.length === 1);
    await new Promise((r) => setTimeout(r, 50));
    assert.deepEqual(b.inbox, [[1, 'still here']], 'only the peer of this group was heard');
  });
});
