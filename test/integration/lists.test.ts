// List commands through every driver (ioredis and node-redis over RESP2/RESP3, embedded API),
// plus each library's own list API. Expected replies are Redis 7.0's, checked against a real
// redis-server (CAIRN_TEST_ORACLE=redis-server). Blocking with several clients: blocking.test.ts.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { bounded, describeEachDriver, expectError, sleep, SUITE_TIMEOUT_MS, libraryClients } from '../helpers/drivers.js';

const WRONGTYPE = 'WRONGTYPE Operation against a key holding the wrong kind of value';

describeEachDriver('lists', {}, ({ client, connect, kind }) => {
  it('LPUSH, RPUSH, LRANGE, LLEN, LINDEX', async () => {
    const c = client();
    assert.equal(await c.call('RPUSH', 'l', 'b', 'c'), 2);
    assert.equal(await c.call('LPUSH', 'l', 'a', 'z'), 4);
    assert.deepEqual(await c.call('LRANGE', 'l', '0', '-1'), ['z', 'a', 'b', 'c']);
    assert.deepEqual(await c.call('LRANGE', 'l', '-2', '100'), ['b', 'c']);
    assert.deepEqual(await c.call('LRANGE', 'l', '5', '10'), []);
    assert.deepEqual(await c.call('LRANGE', 'nokey', '0', '-1'), []);
    assert.equal(await c.call('LLEN', 'l'), 4);
    assert.equal(await c.call('LLEN', 'nokey'), 0);
    assert.equal(await c.call('LINDEX', 'l', '0'), 'z');
    assert.equal(await c.call('LINDEX', 'l', '-1'), 'c');
    assert.equal(await c.call('LINDEX', 'l', '99'), null);
    await expectError(c.call('LINDEX', 'l', 'x'), 'ERR value is not an integer or out of range');
    assert.equal(await c.call('LPUSHX', 'nokey', 'a'), 0);
    assert.equal(await c.call('RPUSHX', 'l', 'd'), 5);
    assert.equal(await c.call('EXISTS', 'nokey'), 0);
  });

  it('LPOP and RPOP with and without a count', async () => {
    const c = client();
    assert.equal(await c.call('RPUSH', 'l', '1', '2', '3', '4', '5'), 5);
    assert.equal(await c.call('LPOP', 'l'), '1');
    assert.equal(await c.call('RPOP', 'l'), '5');
    assert.deepEqual(await c.call('LPOP', 'l', '2'), ['2', '3']);
    assert.deepEqual(await c.call('RPOP', 'l', '0'), []);
    assert.deepEqual(await c.call('RPOP', 'l', '10'), ['4']);
    assert.equal(await c.call('EXISTS', 'l'), 0, 'the key goes away with its last element');
    assert.equal(await c.call('LPOP', 'l'), null);
    assert.equal(await c.call('LPOP', 'l', '2'), null, 'a missing key answers a null array');
    await expectError(c.call('LPOP', 'l', '-1'), 'ERR value is out of range, must be positive');
  });

  it('LSET, LINSERT, LREM, LTRIM', async () => {
    const c = client();
    assert.equal(await c.call('RPUSH', 'l', 'a', 'b', 'a', 'c', 'a'), 5);
    assert.equal(await c.call('LSET', 'l', '1', 'B'), 'OK');
    await expectError(c.call('LSET', 'l', '10', 'x'), 'ERR index out of range');
    await expectError(c.call('LSET', 'nokey', '0', 'x'), 'ERR no such key');
    assert.equal(await c.call('LINSERT', 'l', 'BEFORE', 'c', 'x'), 6);
    assert.equal(await c.call('LINSERT', 'l', 'AFTER', 'c', 'y'), 7);
    assert.equal(await c.call('LINSERT', 'l', 'AFTER', 'nothere', 'y'), -1);
    assert.equal(await c.call('LINSERT', 'nokey', 'AFTER', 'c', 'y'), 0);
    await expectError(c.call('LINSERT', 'l', 'MIDDLE', 'c', 'y'), 'ERR syntax error');
    assert.deepEqual(await c.call('LRANGE', 'l', '0', '-1'), ['a', 'B', 'a', 'x', 'c', 'y', 'a']);
    assert.equal(await c.call('LREM', 'l', '-1', 'a'), 1, 'a negative count removes from the tail');
    assert.equal(await c.call('LREM', 'l', '0', 'a'), 2);
    assert.deepEqual(await c.call('LRANGE', 'l', '0', '-1'), ['B', 'x', 'c', 'y']);
    assert.equal(await c.call('LTRIM', 'l', '1', '-2'), 'OK');
    assert.deepEqual(await c.call('LRANGE', 'l', '0', '-1'), ['x', 'c']);
    assert.equal(await c.call('LTRIM', 'l', '5', '10'), 'OK');
    assert.equal(await c.call('EXISTS', 'l'), 0);
  });

  it('LPOS with RANK, COUNT and MAXLEN', async () => {
    const c = client();
    assert.equal(await c.call('RPUSH', 'l', 'a', 'b', 'c', 'b', 'd', 'b'), 6);
    assert.equal(await c.call('LPOS', 'l', 'b'), 1);
    assert.equal(await c.call('LPOS', 'l', 'b', 'RANK', '2'), 3);
    assert.equal(await c.call('LPOS', 'l', 'b', 'RANK', '-1'), 5);
    assert.equal(await c.call('LPOS', 'l', 'zzz'), null);
    assert.deepEqual(await c.call('LPOS', 'l', 'b', 'COUNT', '0'), [1, 3, 5]);
    assert.deepEqual(await c.call('LPOS', 'l', 'b', 'COUNT', '2', 'RANK', '-1'), [5, 3]);
    assert.deepEqual(await c.call('LPOS', 'l', 'b', 'COUNT', '0', 'MAXLEN', '3'), [1]);
    assert.deepEqual(await c.call('LPOS', 'l', 'zzz', 'COUNT', '1'), []);
    await expectError(
      c.call('LPOS', 'l', 'b', 'RANK', '0'),
      "ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use negative to start from the end of the list",
    );
    await expectError(c.call('LPOS', 'l', 'b', 'COUNT', '-1'), "ERR COUNT can't be negative");
    await expectError(c.call('LPOS', 'l', 'b', 'MAXLEN', '-1'), "ERR MAXLEN can't be negative");
  });

  it('LMOVE, RPOPLPUSH, LMPOP', async () => {
    const c = client();
    assert.equal(await c.call('RPUSH', 'src', '1', '2', '3'), 3);
    assert.equal(await c.call('LMOVE', 'src', 'dst', 'LEFT', 'RIGHT'), '1');
    assert.equal(await c.call('LMOVE', 'src', 'dst', 'RIGHT', 'LEFT'), '3');
    assert.equal(await c.call('RPOPLPUSH', 'src', 'dst'), '2');
    assert.deepEqual(await c.call('LRANGE', 'dst', '0', '-1'), ['2', '3', '1']);
    assert.equal(await c.call('LMOVE', 'src', 'dst', 'LEFT', 'LEFT'), null);
    assert.equal(await c.call('LMOVE', 'dst', 'dst', 'LEFT', 'RIGHT'), '2', 'rotation');
    assert.deepEqual(await c.call('LRANGE', 'dst', '0', '-1'), ['3', '1', '2']);
    await expectError(c.call('LMOVE', 'dst', 'x', 'UP', 'LEFT'), 'ERR syntax error');
    assert.deepEqual(await c.call('LMPOP', '2', 'none', 'dst', 'RIGHT', 'COUNT', '2'), ['dst', ['2', '1']]);
    assert.equal(await c.call('LMPOP', '1', 'none', 'LEFT'), null);
    await expectError(c.call('LMPOP', '0', 'dst', 'LEFT'), 'ERR numkeys should be greater than 0');
    await expectError(c.call('LMPOP', '1', 'dst', 'LEFT', 'COUNT', '0'), 'ERR count should be greater than 0');
  });

  it('BLPOP and BLMPOP answer at once when there is data and nil on timeout', async () => {
    const c = client();
    assert.equal(await c.call('RPUSH', 'l', 'x', 'y'), 2);
    assert.deepEqual(await c.call('BLPOP', 'none', 'l', '1'), ['l', 'x']);
    assert.deepEqual(await c.call('BLMPOP', '1', '1', 'l', 'RIGHT'), ['l', ['y']]);
    assert.equal(await bounded(c.call('BRPOP', 'l', '0.05'), 5000, 'BRPOP'), null);
    await expectError(c.call('BLPOP', 'l', '-1'), 'ERR timeout is negative');
    await expectError(c.call('BLPOP', 'l', 'abc'), 'ERR timeout is not a float or out of range');
  });

  it('a BRPOP on one connection is woken by an RPUSH on another', { skip: !kind.network && 'the embedded session answers blocking commands at once' }, async () => {
    const waiter = await connect();
    const pending = waiter.call('BRPOP', 'wake', '5');
    await sleep(30);
    assert.equal(await client().call('RPUSH', 'wake', 'hello'), 1);
    assert.deepEqual(await bounded(pending, 5000, 'BRPOP'), ['wake', 'hello']);
  });

  it('list commands on a key of another type answer WRONGTYPE', async () => {
    const c = client();
    assert.equal(await c.call('SET', 's', 'v'), 'OK');
    await expectError(c.call('LPUSH', 's', 'x'), WRONGTYPE);
    await expectError(c.call('LRANGE', 's', '0', '-1'), WRONGTYPE);
    await expectError(c.call('LLEN', 's'), WRONGTYPE);
  });
});

describe('lists through each library\'s own API', { timeout: SUITE_TIMEOUT_MS }, () => {
  const lib = libraryClients();

  it('ioredis rpush, lrange, lpop with a count', async () => {
    assert.equal(await lib.io.rpush('lib:l', 'a', 'b', 'c'), 3);
    assert.deepEqual(await lib.io.lrange('lib:l', 0, -1), ['a', 'b', 'c']);
    assert.deepEqual(await lib.io.lpop('lib:l', 2), ['a', 'b']);
  });

  it('node-redis rPush, lPos with COUNT, lMPop', async () => {
    assert.equal(await lib.nr.rPush('lib:n', ['x', 'y', 'x']), 3);
    assert.deepEqual(await lib.nr.lPosCount('lib:n', 'x', 0), [0, 2]);
    assert.deepEqual(await lib.nr.lmPop('lib:n', 'LEFT', { COUNT: 2 }), ['lib:n', ['x', 'y']]);
  });
});
