// Transactions of plain clients on a follower run on the leader: three real `cairn server`
// processes; ioredis and node-redis run MULTI/EXEC, WATCH, DISCARD and pipelined transactions on a
// follower, and the results are what the leader holds. A WATCHed key changed by another client on
// the leader fails EXEC; a command refused while queuing gives EXECABORT; a transaction whose
// leader goes away mid-way never succeeds. Every process is stopped by PID; every wait is bounded.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createClient } from 'redis';
import { CairnGroup } from '../helpers/cairn-group.js';
import { closeNodeRedis } from '../helpers/drivers.js';

const group = new CairnGroup();
after(() => group.stopAll());

/** An ioredis reply is [error, value]; a transaction's reply is an array of those. */
function values(result: Array<[Error | null, unknown]> | null): unknown[] | null {
  return result === null ? null : result.map(([e, v]) => (e === null ? v : `error: ${e.message}`));
}

describe('transactions from a plain client on a follower', () => {
  test('ioredis: MULTI/EXEC, WATCH, DISCARD, queue errors and pipelines run on the leader', async () => {
    await group.start();
    const leader = await group.leader();
    const follower = group.nodes.find((n) => n !== leader)!;
    const onLeader = group.client(leader.port);
    const f = group.client(follower.port);

    // A plain transaction: its replies come from the leader, which holds the result.
    assert.deepEqual(values(await f.multi().set('tx:a', '10').incr('tx:a').get('tx:a').ping().exec()), ['OK', 11, '11', 'PONG']);
    assert.equal(await onLeader.get('tx:a'), '11');

    // Commands one by one: PING inside MULTI is queued, as on one server.
    assert.equal(await f.call('MULTI'), 'OK');
    assert.equal(await f.call('PING'), 'QUEUED');
    assert.equal(await f.call('INCRBY', 'tx:a', '5'), 'QUEUED');
    assert.deepEqual(await f.call('EXEC'), ['PONG', 16]);
    assert.equal(await onLeader.get('tx:a'), '16');
    // The transaction is over: EXEC again is an error, and plain commands work as before.
    await assert.rejects(f.call('EXEC'), /EXEC without MULTI/);
    assert.equal(await f.set('tx:plain', 'p'), 'OK');
    assert.equal(await f.get('tx:plain'), 'p');

    // WATCH: a change by another client on the leader fails EXEC (null), nothing queued runs.
    assert.equal(await f.watch('tx:w'), 'OK');
    assert.equal(await onLeader.set('tx:w', 'theirs'), 'OK');
    assert.equal(await f.multi().set('tx:w', 'mine').set('tx:w2', 'mine').exec(), null);
    assert.equal(await onLeader.get('tx:w'), 'theirs');
    assert.equal(await onLeader.exists('tx:w2'), 0);
    // WATCH left untouched: EXEC runs.
    assert.equal(await f.watch('tx:w'), 'OK');
    assert.deepEqual(values(await f.multi().set('tx:w', 'mine').exec()), ['OK']);
    assert.equal(await onLeader.get('tx:w'), 'mine');
    // UNWATCH drops the WATCH: a later change does not fail the transaction.
    assert.equal(await f.watch('tx:w'), 'OK');
    assert.equal(await f.unwatch(), 'OK');
    assert.equal(await onLeader.set('tx:w', 'theirs2'), 'OK');
    assert.deepEqual(values(await f.multi().get('tx:w').exec()), ['theirs2']);

    // Under WATCH alone commands run at once, as on one server: SELECT and CLIENT SETNAME are the
    // client's own, and the transaction then runs in the selected database.
    assert.equal(await f.watch('tx:sel'), 'OK');
    assert.equal(await f.select(2), 'OK');
    assert.equal(await f.client('SETNAME', 'watcher'), 'OK');
    assert.equal(await f.client('GETNAME'), 'watcher');
    assert.deepEqual(values(await f.multi().set('tx:sel', 'in2').exec()), ['OK']);
    assert.equal(await f.get('tx:sel'), 'in2');
    assert.equal(await f.select(0), 'OK');
    assert.equal(await f.exists('tx:sel'), 0);
    assert.equal(await onLeader.exists('tx:sel'), 0);

    // DISCARD: nothing runs.
    assert.equal(await f.call('MULTI'), 'OK');
    assert.equal(await f.call('SET', 'tx:d', 'x'), 'QUEUED');
    assert.equal(await f.call('DISCARD'), 'OK');
    assert.equal(await onLeader.exists('tx:d'), 0);
    await assert.rejects(f.call('EXEC'), /EXEC without MULTI/);

    // A command refused while queuing (wrong arity, unknown command) aborts the transaction.
    assert.equal(await f.call('MULTI'), 'OK');
    assert.equal(await f.call('SET', 'tx:q', 'x'), 'QUEUED');
    await assert.rejects(f.call('SET', 'tx:q'), /wrong number of arguments/);
    await assert.rejects(f.call('EXEC'), /EXECABORT/);
    assert.equal(await onLeader.exists('tx:q'), 0);
    assert.equal(await f.call('MULTI'), 'OK');
    assert.equal(await f.call('SET', 'tx:q', 'x'), 'QUEUED');
    await assert.rejects(f.call('NOSUCHCOMMAND', 'x'), /unknown command/);
    await assert.rejects(f.call('EXEC'), /EXECABORT/);
    assert.equal(await onLeader.exists('tx:q'), 0);
    // Errors of the leader's own: nested MULTI, WATCH inside MULTI; the transaction goes on.
    assert.equal(await f.call('MULTI'), 'OK');
    await assert.rejects(f.call('MULTI'), /MULTI calls can not be nested/);
    await assert.rejects(f.call('WATCH', 'tx:a'), /WATCH inside MULTI is not allowed/);
    assert.equal(await f.call('SET', 'tx:q', 'y'), 'QUEUED');
    assert.deepEqual(await f.call('EXEC'), ['OK']);
    assert.equal(await onLeader.get('tx:q'), 'y');
    // A runtime error inside EXEC is one reply of the array, as in Redis.
    const withError = values(await f.multi().set('tx:s', 'str').lpush('tx:s', 'x').get('tx:s').exec());
    assert.equal(withError![0], 'OK');
    assert.match(String(withError![1]), /WRONGTYPE/);
    assert.equal(withError![2], 'str');

    // SELECT inside a transaction moves the client, as on one server.
    assert.deepEqual(values(await f.multi().select(3).set('tx:db', 'three').exec()), ['OK', 'OK']);
    assert.equal(await f.get('tx:db'), 'three');
    assert.equal(await f.select(0), 'OK');
    assert.equal(await f.exists('tx:db'), 0);

    // Pipelined transactions among plain commands keep their order.
    const piped = await f.pipeline()
      .set('tx:p', '1')
      .call('MULTI').incr('tx:p').incr('tx:p').call('EXEC')
      .get('tx:p')
      .call('MULTI').set('tx:p2', 'v').get('tx:p2').call('EXEC')
      .exec();
    const replies = values(piped);
    assert.deepEqual(replies, ['OK', 'OK', 'QUEUED', 'QUEUED', [2, 3], '3', 'OK', 'QUEUED', 'QUEUED', ['OK', 'v']]);
    assert.equal(await onLeader.get('tx:p'), '3');
    assert.equal(await onLeader.get('tx:p2'), 'v');

    // Many clients incrementing under WATCH with retries: no update is lost.
    const workers = group.nodes.filter((n) => n !== leader).flatMap((n) => [group.client(n.port), group.client(n.port)]);
    const perWorker = 15;
    await Promise.all(workers.map(async (w) => {
      for (let done = 0; done < perWorker;) {
        await w.watch('tx:counter');
        const current = Number((await w.get('tx:counter')) ?? '0');
        const result = await w.multi().set('tx:counter', String(current + 1)).exec();
        if (result !== null) done++;
      }
    }));
    assert.equal(await onLeader.get('tx:counter'), String(workers.length * perWorker));
  });

  test('node-redis: multi().exec() and WATCH on a follower', async () => {
    const leader = await group.leader();
    const follower = group.nodes.find((n) => n !== leader)!;
    const onLeader = group.client(leader.port);
    const f = createClient({ socket: { host: '127.0.0.1', port: follower.port, reconnectStrategy: false } });
    f.on('error', () => undefined);
    await f.connect();
    try {
      assert.deepEqual(await f.multi().set('nr:a', '1').incrBy('nr:a', 41).get('nr:a').exec(), ['OK', 42, '42']);
      assert.equal(await onLeader.get('nr:a'), '42');
      // WATCH broken by another client: node-redis throws its WatchError.
      assert.equal(await f.watch('nr:a'), 'OK');
      assert.equal(await onLeader.set('nr:a', 'other'), 'OK');
      await assert.rejects(f.multi().set('nr:a', 'mine').exec(), (e: Error) => e.constructor.name === 'WatchError');
      assert.equal(await onLeader.get('nr:a'), 'other');
      // WATCH untouched: the transaction runs.
      assert.equal(await f.watch('nr:a'), 'OK');
      assert.deepEqual(await f.multi().append('nr:a', '!').get('nr:a').exec(), [6, 'other!']);
      assert.equal(await onLeader.get('nr:a'), 'other!');
      // A transaction with a queue error is refused as a whole.
      // (node-redis reports the queuing error itself rather than EXECABORT.)
      await assert.rejects(f.multi().set('nr:b', 'x').addCommand(['SET', 'nr:b']).exec(), /EXECABORT|wrong number of arguments/);
      assert.equal(await onLeader.exists('nr:b'), 0);
    } finally {
      await closeNodeRedis(f);
    }
  });

  test('a transaction whose leader goes away never reports success', async () => {
    const leader = await group.leader();
    const follower = group.nodes.find((n) => n !== leader)!;
    const f = group.client(follower.port);
    assert.equal(await f.call('MULTI'), 'OK');
    assert.equal(await f.call('SET', 'lost:a', 'x'), 'QUEUED');
    await group.kill9(leader);
    // The transaction lived on the old leader: the next command hears of the loss, and EXEC
    // refuses; nothing after the loss runs outside the transaction the client believes it is in.
    await assert.rejects(f.call('SET', 'lost:b', 'y'), /TRYAGAIN/);
    assert.equal(await f.call('SET', 'lost:c', 'z'), 'QUEUED');
    await assert.rejects(f.call('EXEC'), /EXECABORT/);
    const next = await group.leader();
    const onNext = group.client(next.port);
    assert.deepEqual(await onNext.exists('lost:a', 'lost:b', 'lost:c'), 0);
    // The session works again, transactions included.
    assert.deepEqual(values(await f.multi().set('lost:d', '1').exec()), ['OK']);
    assert.equal(await onNext.get('lost:d'), '1');

    // A WATCH lost with its leader fails the next EXEC (null), as a changed key would.
    const leader2 = next;
    const f2node = group.nodes.find((n) => n !== leader2 && n.proc !== null)!;
    const f2 = group.client(f2node.port);
    assert.equal(await f2.watch('lost:w'), 'OK');
    await group.startNode(group.nodes.find((n) => n.proc === null)!);
    await group.kill9(leader2);
    await group.leader();
    assert.equal(await f2.multi().set('lost:w', 'x').exec(), null);
    assert.deepEqual(values(await f2.multi().set('lost:w', 'y').exec()), ['OK']);
  });
});
