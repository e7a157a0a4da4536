// Linearizable reads served by followers (Raft's ReadIndex from a follower): three real
// `cairn server` processes; plain clients on followers read right after writes acknowledged by
// the leader (their own, handed over, and other clients') and always see them; INFO
// commandstats shows the reads ran on the follower. With group-follower-reads off, the reads
// are handed to the leader again. Every process is stopped by PID; every wait is bounded.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { CairnGroup, commandCalls } from '../helpers/cairn-group.js';

const group = new CairnGroup();
after(() => group.stopAll());

describe('follower-served linearizable reads', () => {
  test('a read on a follower sees every write acknowledged before it began', async () => {
    await group.start();
    const leader = await group.leader();
    const followers = group.nodes.filter((n) => n !== leader);
    const onLeader = group.client(leader.port);
    const onFollowers = followers.map((f) => group.client(f.port));
    const getsBefore = await Promise.all(followers.map((f) => commandCalls(f.port, 'get')));

    const rounds = 150;
    for (let i = 0; i < rounds; i++) {
      // Another client's write on the leader, then a read on a follower.
      const reader = onFollowers[i % 2]!;
      assert.equal(await onLeader.set('shared', `v${i}`), 'OK');
      assert.equal(await reader.get('shared'), `v${i}`, `round ${i}: the follower's read sees the leader's acknowledged write`);
      // The follower client's own write (handed to the leader), then its read on the follower.
      assert.equal(await reader.set(`own${i % 7}`, `w${i}`), 'OK');
      assert.equal(await reader.get(`own${i % 7}`), `w${i}`, `round ${i}: read-your-writes through a follower`);
      // Pipelined: write and read in one batch keep their order.
      const [[, set], [, got], [, len]] = (await reader.pipeline().set('p', `x${i}`).get('p').strlen('p').exec())!;
      assert.deepEqual([set, got, len], ['OK', `x${i}`, `x${i}`.length]);
    }
    const getsAfter = await Promise.all(followers.map((f) => commandCalls(f.port, 'get')));
    const served = getsAfter.reduce((a, b) => a + b, 0) - getsBefore.reduce((a, b) => a + b, 0);
    assert.ok(served >= 3 * rounds, `the followers ran the GETs themselves (${served})`);

    // Keys past their expiry read as gone on a follower.
    assert.equal(await onLeader.set('short', 'x', 'PX', 150), 'OK');
    await new Promise((r) => setTimeout(r, 400));
    assert.equal(await onFollowers[0]!.get('short'), null);
    assert.equal(await onFollowers[0]!.exists('short'), 0);

    // A script is still handed to the leader; its reads see the writes.
    const f0 = onFollowers[0]!;
    assert.equal(await f0.eval("return redis.call('GET', KEYS[1])", 1, 'shared'), `v${rounds - 1}`);

    // Switched off: the follower hands its reads to the leader.
    for (const f of followers) assert.equal(await group.client(f.port).config('SET', 'group-follower-reads', 'no'), 'OK');
    const before = await commandCalls(followers[0]!.port, 'get');
    for (let i = 0; i < 20; i++) {
      assert.equal(await onLeader.set('shared', `off${i}`), 'OK');
      assert.equal(await f0.get('shared'), `off${i}`);
    }
    assert.equal(await commandCalls(followers[0]!.port, 'get'), before, 'no GET ran on the follower');
  });
});
