// Blocking commands with several real clients: FIFO wake-up, fractional timeouts, a blocked
// client that disconnects, CLIENT UNBLOCK, and a push inside MULTI/EXEC waking a waiter.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import { createClient } from 'redis';
import { bounded, closeIoredis, closeNodeRedis, HOST, sleep, startTarget, SUITE_TIMEOUT_MS, type Target } from '../helpers/drivers.js';

describe('blocking commands with several clients', { timeout: SUITE_TIMEOUT_MS }, () => {
  let target: Target;
  const clients: Redis[] = [];
  const connect = (): Redis => {
    const c = new Redis({ host: HOST, port: target.port, maxRetriesPerRequest: 0, enableOfflineQueue: true });
    clients.push(c);
    return c;
  };

  before(async () => {
    target = await startTarget();
  });
  after(async () => {
    for (const c of clients) await closeIoredis(c);
    await target.close();
  });

  test('waiters on one key are served in arrival order, one element each', async () => {
    const producer = connect();
    const waiters = [connect(), connect(), connect()];
    for (const w of waiters) await w.ping();
    const results: Array<Promise<unknown>> = [];
    for (const w of waiters) {
      results.push(w.blpop('fifo', 5));
      await sleep(30); // arrival order is what FIFO is about
    }
    await producer.rpush('fifo', 'a', 'b', 'c');
    const served = await bounded(Promise.all(results), 5000, 'BLPOP waiters');
    assert.deepEqual(served, [['fifo', 'a'], ['fifo', 'b'], ['fifo', 'c']]);
    assert.equal(await producer.exists('fifo'), 0);
  });

  test('a fractional timeout answers nil', async () => {
    const c = connect();
    const started = Date.now();
    assert.equal(await c.blpop('never', 0.2), null);
    assert.ok(Date.now() - started >= 150, 'waited about the timeout');
  });

  test('BLMOVE waits for the source and moves into the destination', async () => {
    const mover = connect();
    const producer = connect();
    const moved = mover.blmove('src', 'dst', 'LEFT', 'RIGHT', 5);
    await sleep(30);
    await producer.lpush('src', 'x');
    assert.equal(await bounded(moved, 5000, 'BLMOVE'), 'x');
    assert.deepEqual(await producer.lrange('dst', 0, -1), ['x']);
  });

  test('a client that disconnects while blocked leaves no trace', async () => {
    const quitter = connect();
    await quitter.ping();
    void quitter.blpop('gone', 0).catch(() => undefined);
    await sleep(50);
    quitter.disconnect();
    await sleep(50);
    const producer = connect();
    await producer.rpush('gone', 'kept');
    assert.deepEqual(await producer.lrange('gone', 0, -1), ['kept'], 'nobody took the element');
    const info = await producer.info('clients');
    assert.match(info, /blocked_clients:0/);
  });

  test('CLIENT UNBLOCK answers the timeout reply, or an error with ERROR', async () => {
    const waiter = connect();
    const admin = connect();
    const id = Number(await waiter.client('ID'));
    const pending = waiter.blpop('unblock-me', 0);
    await sleep(30);
    assert.equal(await admin.client('UNBLOCK', id), 1);
    assert.equal(await bounded(pending, 5000, 'unblocked BLPOP'), null);
    // Settle into a value at once: the rejection arrives while this test awaits UNBLOCK.
    const again = waiter.blpop('unblock-me', 0).then(() => null, (e: Error) => e);
    await sleep(30);
    assert.equal(await admin.client('UNBLOCK', id, 'ERROR'), 1);
    const error = await bounded(again, 5000, 'unblocked BLPOP');
    assert.match(String(error?.message), /^UNBLOCKED client unblocked via CLIENT UNBLOCK$/);
    assert.equal(await admin.client('UNBLOCK', id), 0);
  });

  test('a push inside MULTI/EXEC wakes a waiter after the transaction', async () => {
    const waiter = connect();
    const writer = connect();
    const pending = waiter.brpop('tx-list', 5);
    await sleep(30);
    const replies = await writer.multi().rpush('tx-list', 'one').rpush('tx-list', 'two').exec();
    assert.deepEqual(replies, [[null, 1], [null, 2]]);
    assert.deepEqual(await bounded(pending, 5000, 'BRPOP'), ['tx-list', 'two']);
  });

  test('node-redis: a blocked BLPOP on its own connection is woken by another client', async () => {
    const url = `redis://${HOST}:${target.port}`;
    const a = createClient({ url });
    const b = createClient({ url });
    await a.connect();
    await b.connect();
    try {
      const pending = a.blPop('nr-list', 5);
      await sleep(30);
      await b.lPush('nr-list', 'hello');
      assert.deepEqual(await bounded(pending, 5000, 'node-redis blPop'), { key: 'nr-list', element: 'hello' });
    } finally {
      await closeNodeRedis(a);
      await closeNodeRedis(b);
    }
  });
});
