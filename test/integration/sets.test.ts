// Set commands through every driver (ioredis and node-redis over RESP2/RESP3, embedded API),
// plus each library's own set API. Expected replies are Redis 7.0's, checked against a real
// redis-server (CAIRN_TEST_ORACLE=redis-server). Set replies are unordered: compared sorted.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { describeEachDriver, expectError, SUITE_TIMEOUT_MS, libraryClients } from '../helpers/drivers.js';

const WRONGTYPE = 'WRONGTYPE Operation against a key holding the wrong kind of value';
const sorted = (value: unknown): unknown[] => {
  assert.ok(Array.isArray(value), `expected a set or array reply, got ${JSON.stringify(value)}`);
  return [...value].sort();
};

describeEachDriver('sets', {}, ({ client }) => {
  it('SADD, SREM, SCARD, SMEMBERS (a set in RESP3, an array in RESP2)', async () => {
    const c = client();
    assert.equal(await c.call('SADD', 's', 'a', 'b', 'c', 'a'), 3);
    assert.equal(await c.call('SADD', 's', 'c', 'd'), 1);
    assert.equal(await c.call('SCARD', 's'), 4);
    assert.deepEqual(sorted(await c.call('SMEMBERS', 's')), ['a', 'b', 'c', 'd']);
    assert.equal(await c.call('SREM', 's', 'a', 'zzz'), 1);
    assert.deepEqual(sorted(await c.call('SMEMBERS', 's')), ['b', 'c', 'd']);
    assert.deepEqual(await c.call('SMEMBERS', 'nokey'), []);
    assert.equal(await c.call('SCARD', 'nokey'), 0);
    assert.equal(await c.call('SREM', 's', 'b', 'c', 'd'), 3);
    assert.equal(await c.call('EXISTS', 's'), 0);
    assert.equal(await c.call('SADD', 'ints', '3', '1', '2'), 3, 'an intset');
    assert.deepEqual(await c.call('SMEMBERS', 'ints'), ['1', '2', '3'], 'intsets answer in numeric order');
  });

  it('SISMEMBER and SMISMEMBER', async () => {
    const c = client();
    assert.equal(await c.call('SADD', 's', 'a', 'b'), 2);
    assert.equal(await c.call('SISMEMBER', 's', 'a'), 1);
    assert.equal(await c.call('SISMEMBER', 's', 'z'), 0);
    assert.equal(await c.call('SISMEMBER', 'nokey', 'a'), 0);
    assert.deepEqual(await c.call('SMISMEMBER', 's', 'a', 'z', 'b'), [1, 0, 1]);
    assert.deepEqual(await c.call('SMISMEMBER', 'nokey', 'a'), [0]);
  });

  it('SPOP and SRANDMEMBER with counts', async () => {
    const c = client();
    assert.equal(await c.call('SPOP', 'nokey'), null);
    assert.deepEqual(await c.call('SPOP', 'nokey', '2'), []);
    assert.equal(await c.call('SRANDMEMBER', 'nokey'), null);
    assert.equal(await c.call('SADD', 's', 'a', 'b', 'c', 'd', 'e'), 5);
    const one = (await c.call('SRANDMEMBER', 's')) as string;
    assert.ok('abcde'.includes(one));
    assert.deepEqual(sorted(await c.call('SRANDMEMBER', 's', '10')), ['a', 'b', 'c', 'd', 'e']);
    assert.equal(((await c.call('SRANDMEMBER', 's', '-8')) as unknown[]).length, 8);
    assert.equal(await c.call('SCARD', 's'), 5, 'SRANDMEMBER does not remove');
    const popped = (await c.call('SPOP', 's')) as string;
    const more = (await c.call('SPOP', 's', '2')) as string[];
    assert.equal(more.length, 2);
    assert.equal(await c.call('SCARD', 's'), 2);
    const rest = (await c.call('SMEMBERS', 's')) as string[];
    assert.deepEqual([popped, ...more, ...rest].sort(), ['a', 'b', 'c', 'd', 'e']);
    assert.deepEqual(sorted(await c.call('SPOP', 's', '10')), [...rest].sort());
    assert.equal(await c.call('EXISTS', 's'), 0);
    await expectError(c.call('SPOP', 's', '-1'), 'ERR value is out of range, must be positive');
  });

  it('SMOVE', async () => {
    const c = client();
    assert.equal(await c.call('SADD', 'from', 'a', 'b'), 2);
    assert.equal(await c.call('SMOVE', 'from', 'to', 'a'), 1);
    assert.equal(await c.call('SMOVE', 'from', 'to', 'zzz'), 0);
    assert.equal(await c.call('SMOVE', 'nokey', 'to', 'a'), 0);
    assert.deepEqual(sorted(await c.call('SMEMBERS', 'to')), ['a']);
    assert.equal(await c.call('SET', 'str', 'x'), 'OK');
    await expectError(c.call('SMOVE', 'from', 'str', 'b'), WRONGTYPE);
  });

  it('SINTER, SUNION, SDIFF and their STORE forms', async () => {
    const c = client();
    assert.equal(await c.call('SADD', 'k1', 'a', 'b', 'c', 'd'), 4);
    assert.equal(await c.call('SADD', 'k2', 'c', 'd', 'e'), 3);
    assert.deepEqual(sorted(await c.call('SINTER', 'k1', 'k2')), ['c', 'd']);
    assert.deepEqual(await c.call('SINTER', 'k1', 'nokey'), []);
    assert.deepEqual(sorted(await c.call('SUNION', 'k1', 'k2', 'nokey')), ['a', 'b', 'c', 'd', 'e']);
    assert.deepEqual(sorted(await c.call('SDIFF', 'k1', 'k2')), ['a', 'b']);
    assert.deepEqual(sorted(await c.call('SDIFF', 'k1', 'nokey')), ['a', 'b', 'c', 'd']);
    assert.equal(await c.call('SINTERSTORE', 'out', 'k1', 'k2'), 2);
    assert.deepEqual(sorted(await c.call('SMEMBERS', 'out')), ['c', 'd']);
    assert.equal(await c.call('SUNIONSTORE', 'out', 'k1', 'k2'), 5);
    assert.equal(await c.call('SDIFFSTORE', 'out', 'k2', 'k1'), 1);
    assert.deepEqual(await c.call('SMEMBERS', 'out'), ['e']);
    assert.equal(await c.call('SINTERSTORE', 'out', 'k1', 'nokey'), 0);
    assert.equal(await c.call('EXISTS', 'out'), 0, 'an empty result deletes the destination');
    assert.equal(await c.call('SET', 'str', 'x'), 'OK');
    await expectError(c.call('SUNION', 'k1', 'str'), WRONGTYPE);
  });

  it('SINTERCARD with LIMIT and its errors', async () => {
    const c = client();
    assert.equal(await c.call('SADD', 'k1', 'a', 'b', 'c', 'd'), 4);
    assert.equal(await c.call('SADD', 'k2', 'b', 'c', 'd', 'e'), 4);
    assert.equal(await c.call('SINTERCARD', '2', 'k1', 'k2'), 3);
    assert.equal(await c.call('SINTERCARD', '2', 'k1', 'k2', 'LIMIT', '2'), 2);
    assert.equal(await c.call('SINTERCARD', '2', 'k1', 'nokey'), 0);
    await expectError(c.call('SINTERCARD', '0', 'k1'), 'ERR numkeys should be greater than 0');
    await expectError(c.call('SINTERCARD', '3', 'k1', 'k2'), "ERR Number of keys can't be greater than number of args");
    await expectError(c.call('SINTERCARD', '2', 'k1', 'k2', 'LIMIT', '-1'), "ERR LIMIT can't be negative");
  });

  it('SSCAN', async () => {
    const c = client();
    assert.equal(await c.call('SADD', 's', 'apple', 'avocado', 'banana'), 3);
    const [cursor, members] = (await c.call('SSCAN', 's', '0', 'MATCH', 'a*')) as [string, string[]];
    assert.equal(cursor, '0');
    assert.deepEqual([...members].sort(), ['apple', 'avocado']);
    assert.deepEqual(await c.call('SSCAN', 'nokey', '0'), ['0', []]);
  });
});

describe('sets through each library\'s own API', { timeout: SUITE_TIMEOUT_MS }, () => {
  const lib = libraryClients();

  it('ioredis sadd, smembers, sismember', async () => {
    assert.equal(await lib.io.sadd('lib:s', 'x', 'y', 'z'), 3);
    assert.deepEqual((await lib.io.smembers('lib:s')).sort(), ['x', 'y', 'z']);
    assert.equal(await lib.io.sismember('lib:s', 'y'), 1);
  });

  it('node-redis sAdd and sMembers over RESP2 and RESP3', async () => {
    assert.equal(await lib.nr.sAdd('lib:n', ['p', 'q']), 2);
    assert.deepEqual([...(await lib.nr.sMembers('lib:n'))].sort(), ['p', 'q']);
    assert.deepEqual([...(await lib.nr3.sMembers('lib:n'))].sort(), ['p', 'q']);
    assert.deepEqual(await lib.nr.smIsMember('lib:n', ['p', 'r']), [1, 0]);
  });
});
