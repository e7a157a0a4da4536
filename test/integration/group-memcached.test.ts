// memcached in a replica group: three real `cairn server` processes with memcached listeners.
// memjs (binary protocol) writes through the leader and through a follower (which relays the
// connection to the leader), the `memcached` package (text protocol) reads through a follower;
// writes are acknowledged once committed, so after kill -9 of the leader every acknowledged
// write (with its flags) is on the new leader. Every process is stopped by PID; every wait is
// bounded.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import Memcached from 'memcached';
import { CairnGroup, type GroupNode } from '../helpers/cairn-group.js';
import { client } from '../helpers/cairn-process.js';
import { until } from '../helpers/until.js';

const require = createRequire(import.meta.url);
// memjs ships no type declarations; the calls below are its documented promise API.
const memjs = require('memjs') as {
  Client: { create(servers: string, options?: Record<string, unknown>): any };
};

const group = new CairnGroup([], true);
const closers: Array<() => void> = [];
after(async () => {
  for (const c of closers) c();
  await group.stopAll();
});

function memjsTo(n: GroupNode): any {
  const mc = memjs.Client.create(`127.0.0.1:${n.memcachedPort}`, { retries: 0, timeout: 3, logger: { log: () => {} } });
  closers.push(() => mc.close());
  return mc;
}

function textClientTo(n: GroupNode): Memcached {
  const mc = new Memcached(`127.0.0.1:${n.memcachedPort}`, { retries: 0, timeout: 3000, reconnect: 200, failures: 1000, idle: 60_000 });
  closers.push(() => mc.end());
  return mc;
}

/** memjs leaves a request unanswered forever when the server closes without an error: bounded here. */
function within<T>(p: Promise<T>, ms = 3000): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
    p.then((v) => (clearTimeout(timer), resolve(v)), (e: unknown) => (clearTimeout(timer), reject(e)));
  });
}

const textGet = (mc: Memcached, key: string): Promise<unknown> =>
  new Promise((resolve, reject) => mc.get(key, (err, data) => (err ? reject(err) : resolve(data))));

describe('memcached in a replica group', () => {
  test('writes via the leader or a follower, reads via a follower, nothing acknowledged lost on failover', { timeout: 120_000 }, async () => {
    await group.start();
    const leader = await group.leader();
    const followers = group.nodes.filter((n) => n !== leader);
    const onLeader = memjsTo(leader);
    const viaFollower = memjsTo(followers[0]!);
    const textOnFollower = textClientTo(followers[1]!);

    assert.equal(await onLeader.set('mc:a', 'alpha', { expires: 0 }), true);
    const got = await viaFollower.get('mc:a');
    assert.equal(got.value.toString(), 'alpha', 'a read through a follower sees the acknowledged write');
    assert.equal(await textGet(textOnFollower, 'mc:a'), 'alpha');
    // Writes through a follower reach the leader; flags travel with the item (the memcached
    // package stores an object as JSON with flags 2).
    await new Promise<void>((resolve, reject) => textOnFollower.set('mc:flags', { f: 1 }, 0, (err) => (err ? reject(err) : resolve())));
    assert.equal((await onLeader.get('mc:flags')).flags.readUInt32BE(0), 2);
    assert.deepEqual(await textGet(textOnFollower, 'mc:flags'), { f: 1 });
    assert.deepEqual(await viaFollower.increment('mc:n', 5, { initial: 10 }), { success: true, value: 10 });
    assert.deepEqual(await onLeader.increment('mc:n', 5, {}), { success: true, value: 15 });
    // Write on the leader, read through a follower, again and again: always seen.
    for (let i = 0; i < 50; i++) {
      assert.equal(await onLeader.set('mc:seq', `s${i}`), true);
      assert.equal((await viaFollower.get('mc:seq')).value.toString(), `s${i}`);
      assert.equal(await textGet(textOnFollower, 'mc:seq'), `s${i}`);
    }
    // RESP and memcached see the same items on every replica.
    const resp = client(followers[0]!.port);
    closers.push(() => resp.disconnect());
    await resp.call('CONSISTENCY', 'READS', 'eventual');
    await until('the item on a follower', async () => (await resp.get('mc:flags')) === '{"f":1}');

    // kill -9 the leader under a write load from both doors: every acknowledged write survives.
    const acknowledged = new Map<string, string>();
    let stop = false;
    const writer = async (mc: any, prefix: string): Promise<void> => {
      for (let i = 0; !stop; i++) {
        const key = `${prefix}${i}`;
        try {
          if ((await within(mc.set(key, `v${i}`))) === true) acknowledged.set(key, `v${i}`);
        } catch {
          return; // the connection to the leader is gone
        }
      }
    };
    const writers = [writer(onLeader, 'direct:'), writer(viaFollower, 'relayed:')];
    await until('writes under load from both', async () => [...acknowledged.keys()].filter((k) => k.startsWith('relayed:')).length >= 20 && acknowledged.size >= 60);
    await group.kill9(leader);
    stop = true;
    await Promise.all(writers);
    const next = await group.leader();
    assert.notEqual(next, leader);
    const onNext = memjsTo(next);
    let checked = 0;
    for (const [key, value] of acknowledged) {
      const item = await onNext.get(key);
      assert.equal(item.value?.toString(), value, `acknowledged write ${key} survived`);
      checked++;
    }
    assert.ok(checked >= 60);
    assert.equal((await onNext.get('mc:a')).value.toString(), 'alpha');
    assert.equal((await onNext.get('mc:flags')).flags.readUInt32BE(0), 2, 'flags survive the failover');
    // A client on the remaining follower is relayed to the new leader.
    const other = group.nodes.find((n) => n !== leader && n !== next)!;
    const viaOther = memjsTo(other);
    await until('the follower relays to the new leader', async () => {
      try {
        return (await within(viaOther.set('mc:after', 'yes'))) === true;
      } catch {
        return false;
      }
    });
    assert.equal((await onNext.get('mc:after')).value.toString(), 'yes');
  });
});
