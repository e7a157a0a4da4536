// SORT and SORT_RO through every driver (ioredis and node-redis over RESP2/RESP3, embedded API),
// plus each library's own API. Expected replies are Redis 7.0's, checked against a real
// redis-server (CAIRN_TEST_ORACLE=redis-server).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { describeEachDriver, expectError, SUITE_TIMEOUT_MS, libraryClients } from '../helpers/drivers.js';

describeEachDriver('sort', {}, ({ client }) => {
  it('numeric and ALPHA order, DESC, LIMIT', async () => {
    const c = client();
    assert.equal(await c.call('RPUSH', 'l', '3', '1', '2', '10'), 4);
    assert.deepEqual(await c.call('SORT', 'l'), ['1', '2', '3', '10']);
    assert.deepEqual(await c.call('SORT', 'l', 'ALPHA'), ['1', '10', '2', '3']);
    assert.deepEqual(await c.call('SORT', 'l', 'DESC', 'LIMIT', '1', '2'), ['3', '2']);
    assert.deepEqual(await c.call('SORT', 'l', 'LIMIT', '0', '-1'), ['1', '2', '3', '10'], 'a negative count means all');
    assert.deepEqual(await c.call('SORT', 'l', 'LIMIT', '-1', '2'), ['1', '2'], 'a negative offset counts as 0');
    assert.deepEqual(await c.call('SORT', 'nokey'), []);
    assert.equal(await c.call('RPUSH', 'words', 'b', 'a', 'c'), 3);
    await expectError(c.call('SORT', 'words'), "ERR One or more scores can't be converted into double");
    assert.deepEqual(await c.call('SORT', 'words', 'ALPHA', 'DESC'), ['c', 'b', 'a']);
    await expectError(c.call('SORT', 'l', 'LIMIT', '1'), 'ERR syntax error');
    await expectError(c.call('SORT', 'l', 'BOGUS'), 'ERR syntax error');
    assert.equal(await c.call('SET', 'str', 'x'), 'OK');
    await expectError(c.call('SORT', 'str'), 'WRONGTYPE Operation against a key holding the wrong kind of value');
  });

  it('sets and sorted sets; BY nosort keeps a sorted set\'s order', async () => {
    const c = client();
    assert.equal(await c.call('SADD', 's', 'c', 'a', 'b'), 3);
    assert.deepEqual(await c.call('SORT', 's', 'ALPHA'), ['a', 'b', 'c']);
    assert.equal(await c.call('ZADD', 'z', '3', 'a', '1', 'b', '2', 'c'), 3);
    assert.deepEqual(await c.call('SORT', 'z', 'ALPHA', 'DESC'), ['c', 'b', 'a']);
    assert.deepEqual(await c.call('SORT', 'z', 'BY', 'nosort'), ['b', 'c', 'a']);
    assert.deepEqual(await c.call('SORT', 'z', 'BY', 'nosort', 'DESC', 'LIMIT', '0', '2'), ['a', 'c']);
  });

  it('BY and GET patterns, with # and hash fields; missing weights count as 0', async () => {
    const c = client();
    assert.equal(await c.call('RPUSH', 'l', '3', '1', '2', '10'), 4);
    assert.equal(await c.call('MSET', 'weight_1', '30', 'weight_2', '20', 'weight_3', '10', 'weight_10', '5', 'obj_1', 'one', 'obj_2', 'two'), 'OK');
    assert.deepEqual(await c.call('SORT', 'l', 'BY', 'weight_*', 'GET', '#', 'GET', 'obj_*'), ['10', null, '3', null, '2', 'two', '1', 'one']);
    assert.equal(await c.call('HSET', 'h_1', 'f', '9'), 1);
    assert.equal(await c.call('HSET', 'h_2', 'f', '8'), 1);
    assert.deepEqual(await c.call('SORT', 'l', 'BY', 'h_*->f', 'GET', 'h_*->f'), [null, null, '8', '9'], 'equal weights fall back to comparing the elements');
    assert.deepEqual(await c.call('SORT', 'l', 'BY', 'nosort', 'GET', '#'), ['3', '1', '2', '10'], 'a list keeps its order');
  });

  it('STORE writes a list and answers its length; SORT_RO refuses STORE', async () => {
    const c = client();
    assert.equal(await c.call('RPUSH', 'l', '3', '1', '2'), 3);
    assert.equal(await c.call('SORT', 'l', 'DESC', 'STORE', 'dst'), 3);
    assert.deepEqual(await c.call('LRANGE', 'dst', '0', '-1'), ['3', '2', '1']);
    assert.equal(await c.call('SORT', 'nokey', 'STORE', 'dst'), 0);
    assert.equal(await c.call('EXISTS', 'dst'), 0, 'an empty result deletes the destination');
    assert.deepEqual(await c.call('SORT_RO', 'l', 'DESC', 'LIMIT', '0', '2'), ['3', '2']);
    await expectError(c.call('SORT_RO', 'l', 'STORE', 'x'), 'ERR syntax error');
  });
});

describe('sort through each library\'s own API', { timeout: SUITE_TIMEOUT_MS }, () => {
  const lib = libraryClients();

  it('ioredis sort with BY, LIMIT and ALPHA', async () => {
    assert.equal(await lib.io.rpush('lib:l', 'b', 'c', 'a'), 3);
    assert.deepEqual(await lib.io.sort('lib:l', 'LIMIT', 0, 2, 'ALPHA'), ['a', 'b']);
  });

  it('node-redis sort and sortStore', async () => {
    assert.equal(await lib.nr.rPush('lib:n', ['5', '4', '6']), 3);
    assert.deepEqual(await lib.nr.sort('lib:n', { DIRECTION: 'DESC' }), ['6', '5', '4']);
    assert.equal(await lib.nr.sortStore('lib:n', 'lib:sorted'), 3);
    assert.deepEqual(await lib.nr.lRange('lib:sorted', 0, -1), ['4', '5', '6']);
  });
});
