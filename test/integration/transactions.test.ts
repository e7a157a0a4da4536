// MULTI / EXEC / DISCARD / WATCH through every driver, across two connections.
// Expected replies are Redis 7's, checked against a real redis-server (CAIRN_TEST_ORACLE=redis-server).
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { describeEachDriver, expectError, sleep } from '../helpers/drivers.js';

const EXECABORT = 'EXECABORT Transaction discarded because of previous errors.';

describeEachDriver('transactions', {}, ({ client, connect }) => {
  it('MULTI queues, EXEC runs the commands in order and returns their replies', async () => {
    const c = client();
    assert.equal(await c.call('MULTI'), 'OK');
    assert.equal(await c.call('SET', 'k', '1'), 'QUEUED');
    assert.equal(await c.call('INCR', 'k'), 'QUEUED');
    assert.equal(await c.call('GET', 'k'), 'QUEUED');
    assert.equal(await c.call('GET', 'missing'), 'QUEUED');
    assert.deepEqual(await c.call('EXEC'), ['OK', 2, '2', null]);
    assert.deepEqual(await c.call('MULTI'), 'OK');
    assert.deepEqual(await c.call('EXEC'), [], 'an empty transaction');
  });

  it('another client does not see queued writes before EXEC', async () => {
    const c = client();
    const other = await connect();
    assert.equal(await c.call('MULTI'), 'OK');
    assert.equal(await c.call('INCR', 'counter'), 'QUEUED');
    assert.equal(await other.call('GET', 'counter'), null);
    assert.equal(await other.call('SET', 'counter', '10'), 'OK', 'another client is not blocked by an open MULTI');
    assert.deepEqual(await c.call('EXEC'), [11]);
    assert.equal(await other.call('GET', 'counter'), '11');
    await other.close();
  });

  it('a run-time error inside EXEC fails that command only', async () => {
    const c = client();
    assert.equal(await c.call('SET', 'word', 'abc'), 'OK');
    assert.equal(await c.call('MULTI'), 'OK');
    assert.equal(await c.call('SET', 'a', '1'), 'QUEUED');
    assert.equal(await c.call('INCR', 'word'), 'QUEUED');
    assert.equal(await c.call('INCR', 'a'), 'QUEUED');
    assert.deepEqual(await c.call('EXEC'), ['OK', { error: 'ERR value is not an integer or out of range' }, 2]);
    assert.equal(await c.call('GET', 'a'), '2');
  });

  it('a queuing error (arity, unknown command) aborts the transaction with EXECABORT', async () => {
    const c = client();
    assert.equal(await c.call('MULTI'), 'OK');
    assert.equal(await c.call('SET', 'a', '1'), 'QUEUED');
    await expectError(c.call('SET', 'b'), "ERR wrong number of arguments for 'set' command");
    assert.equal(await c.call('SET', 'c', '1'), 'QUEUED', 'commands are still queued after the error');
    await expectError(c.call('EXEC'), EXECABORT);
    assert.equal(await c.call('EXISTS', 'a', 'b', 'c'), 0, 'nothing ran');

    assert.equal(await c.call('MULTI'), 'OK');
    await expectError(c.call('NOSUCHCMD', 'x'), "ERR unknown command 'NOSUCHCMD', with args beginning with: 'x' ");
    await expectError(c.call('EXEC'), EXECABORT);
    assert.equal(await c.call('SET', 'after', 'ok'), 'OK', 'the connection left the transaction');
  });

  it('DISCARD, and EXEC/DISCARD without MULTI, nested MULTI, WATCH inside MULTI', async () => {
    const c = client();
    assert.equal(await c.call('MULTI'), 'OK');
    assert.equal(await c.call('SET', 'k', 'v'), 'QUEUED');
    assert.equal(await c.call('DISCARD'), 'OK');
    assert.equal(await c.call('EXISTS', 'k'), 0);
    await expectError(c.call('EXEC'), 'ERR EXEC without MULTI');
    await expectError(c.call('DISCARD'), 'ERR DISCARD without MULTI');
    assert.equal(await c.call('MULTI'), 'OK');
    await expectError(c.call('MULTI'), 'ERR MULTI calls can not be nested');
    await expectError(c.call('WATCH', 'k'), 'ERR WATCH inside MULTI is not allowed');
    assert.equal(await c.call('SET', 'k', 'v'), 'QUEUED');
    assert.deepEqual(await c.call('EXEC'), ['OK'], 'neither error aborts the transaction');
  });

  it('WATCH: another client writing the key makes EXEC return nil', async () => {
    const c = client();
    const other = await connect();
    assert.equal(await c.call('SET', 'balance', '100'), 'OK');
    assert.equal(await c.call('WATCH', 'balance'), 'OK');
    assert.equal(await other.call('INCRBY', 'balance', '5'), 105);
    assert.equal(await c.call('MULTI'), 'OK');
    assert.equal(await c.call('SET', 'balance', '0'), 'QUEUED');
    assert.equal(await c.call('EXEC'), null);
    assert.equal(await c.call('GET', 'balance'), '105');

    // After EXEC the keys are unwatched: the same transaction now goes through.
    assert.equal(await c.call('MULTI'), 'OK');
    assert.equal(await c.call('SET', 'balance', '0'), 'QUEUED');
    assert.deepEqual(await c.call('EXEC'), ['OK']);
    await other.close();
  });

  it('WATCH: untouched keys let EXEC run; UNWATCH forgets; a missing key that gets created counts', async () => {
    const c = client();
    const other = await connect();
    assert.equal(await c.call('WATCH', 'quiet', 'unborn'), 'OK');
    assert.equal(await other.call('SET', 'elsewhere', '1'), 'OK');
    assert.equal(await c.call('MULTI'), 'OK');
    assert.equal(await c.call('SET', 'quiet', '1'), 'QUEUED');
    assert.deepEqual(await c.call('EXEC'), ['OK']);

    assert.equal(await c.call('WATCH', 'quiet'), 'OK');
    assert.equal(await other.call('SET', 'quiet', '2'), 'OK');
    assert.equal(await c.call('UNWATCH'), 'OK');
    assert.equal(await c.call('MULTI'), 'OK');
    assert.equal(await c.call('GET', 'quiet'), 'QUEUED');
    assert.deepEqual(await c.call('EXEC'), ['2']);

    assert.equal(await c.call('WATCH', 'unborn'), 'OK');
    assert.equal(await other.call('SET', 'unborn', 'now'), 'OK');
    assert.equal(await c.call('MULTI'), 'OK');
    assert.equal(await c.call('GET', 'unborn'), 'QUEUED');
    assert.equal(await c.call('EXEC'), null);
    await other.close();
  });

  it('WATCH: the watching client\'s own write, DISCARD unwatching', async () => {
    const c = client();
    assert.equal(await c.call('WATCH', 'mine'), 'OK');
    assert.equal(await c.call('SET', 'mine', '1'), 'OK');
    assert.equal(await c.call('MULTI'), 'OK');
    assert.equal(await c.call('GET', 'mine'), 'QUEUED');
    assert.equal(await c.call('EXEC'), null);

    assert.equal(await c.call('WATCH', 'mine'), 'OK');
    assert.equal(await c.call('MULTI'), 'OK');
    assert.equal(await c.call('DISCARD'), 'OK');
    assert.equal(await c.call('SET', 'mine', '2'), 'OK');
    assert.equal(await c.call('MULTI'), 'OK');
    assert.equal(await c.call('GET', 'mine'), 'QUEUED');
    assert.deepEqual(await c.call('EXEC'), ['2'], 'DISCARD unwatched the key');
  });

  it('WATCH: a watched key that expires makes EXEC return nil', async () => {
    const c = client();
    assert.equal(await c.call('SET', 'fleeting', 'v', 'PX', '100'), 'OK');
    assert.equal(await c.call('WATCH', 'fleeting'), 'OK');
    await sleep(300);
    assert.equal(await c.call('MULTI'), 'OK');
    assert.equal(await c.call('SET', 'result', 'ran'), 'QUEUED');
    assert.equal(await c.call('EXEC'), null);
    assert.equal(await c.call('EXISTS', 'result'), 0);
  });

  it('WATCH: FLUSHDB and FLUSHALL by another client make EXEC return nil', async () => {
    const c = client();
    const other = await connect();
    for (const flush of ['FLUSHDB', 'FLUSHALL']) {
      assert.equal(await c.call('SET', 'watched', 'v'), 'OK');
      assert.equal(await c.call('WATCH', 'watched'), 'OK');
      assert.equal(await other.call(flush), 'OK');
      assert.equal(await c.call('MULTI'), 'OK');
      assert.equal(await c.call('SET', 'result', flush), 'QUEUED');
      assert.equal(await c.call('EXEC'), null, `${flush} touches the watched key`);
    }
    await other.close();
  });

  it('WATCH across databases: a write to the same name in another database does not count', async () => {
    const c = client();
    const other = await connect();
    assert.equal(await c.call('WATCH', 'shared-name'), 'OK');
    assert.equal(await other.call('SELECT', '5'), 'OK');
    assert.equal(await other.call('SET', 'shared-name', 'x'), 'OK');
    assert.equal(await c.call('MULTI'), 'OK');
    assert.equal(await c.call('SET', 'result', 'ran'), 'QUEUED');
    assert.deepEqual(await c.call('EXEC'), ['OK']);
    await other.close();
  });

  it('MULTI/EXEC with SELECT inside applies the SELECT to the connection', async () => {
    const c = client();
    assert.equal(await c.call('MULTI'), 'OK');
    assert.equal(await c.call('SELECT', '2'), 'QUEUED');
    assert.equal(await c.call('SET', 'in-two', 'yes'), 'QUEUED');
    assert.deepEqual(await c.call('EXEC'), ['OK', 'OK']);
    assert.equal(await c.call('GET', 'in-two'), 'yes');
    assert.equal(await c.call('SELECT', '0'), 'OK');
    assert.equal(await c.call('GET', 'in-two'), null);
  });
});
