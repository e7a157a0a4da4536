// Hash commands through every driver (ioredis and node-redis over RESP2/RESP3, embedded API),
// plus each library's own hash API. Expected replies are Redis 7.0's, checked against a real
// redis-server (CAIRN_TEST_ORACLE=redis-server); the 7.4 field-expiry family runs against Cairn only.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { asMap, asNumber, describeEachDriver, expectError, ORACLE_MODE, SUITE_TIMEOUT_MS, libraryClients } from '../helpers/drivers.js';

const WRONGTYPE = 'WRONGTYPE Operation against a key holding the wrong kind of value';
const sorted = (value: unknown): unknown[] => [...(value as unknown[])].sort();

describeEachDriver('hashes', {}, ({ client, kind }) => {
  it('HSET, HGET, HMGET, HSETNX, HMSET', async () => {
    const c = client();
    assert.equal(await c.call('HSET', 'h', 'f1', 'v1', 'f2', 'v2'), 2);
    assert.equal(await c.call('HSET', 'h', 'f1', 'new', 'f3', 'v3'), 1, 'only new fields count');
    assert.equal(await c.call('HGET', 'h', 'f1'), 'new');
    assert.equal(await c.call('HGET', 'h', 'nofield'), null);
    assert.equal(await c.call('HGET', 'nokey', 'f1'), null);
    assert.deepEqual(await c.call('HMGET', 'h', 'f2', 'nofield', 'f3'), ['v2', null, 'v3']);
    assert.deepEqual(await c.call('HMGET', 'nokey', 'a', 'b'), [null, null]);
    assert.equal(await c.call('HSETNX', 'h', 'f1', 'x'), 0);
    assert.equal(await c.call('HSETNX', 'h', 'f4', 'v4'), 1);
    assert.equal(await c.call('HMSET', 'h', 'f5', 'v5'), 'OK');
    assert.equal(await c.call('HLEN', 'h'), 5);
    await expectError(c.call('HSET', 'h', 'f1'), "ERR wrong number of arguments for 'hset' command");
    await expectError(c.call('HMSET', 'h', 'a', '1', 'b'), "ERR wrong number of arguments for 'hmset' command");
  });

  it('HGETALL is a map in RESP3 and a flat array in RESP2', async () => {
    const c = client();
    // The embedded API decodes maps as Maps whatever the protocol; connections see the wire shape.
    if (kind.network) assert.deepEqual(await c.call('HGETALL', 'nokey'), kind.resp === 3 ? {} : []);
    assert.deepEqual(asMap(await c.call('HGETALL', 'nokey')), {});
    assert.equal(await c.call('HSET', 'h', 'name', 'cairn', 'kind', 'store', 'n', '1'), 3);
    const reply = await c.call('HGETALL', 'h');
    if (kind.network && kind.resp === 3) assert.ok(!Array.isArray(reply), 'RESP3 answers a map');
    if (kind.network && kind.resp === 2) assert.deepEqual(reply, ['name', 'cairn', 'kind', 'store', 'n', '1'], 'small hashes keep insertion order');
    assert.deepEqual(asMap(reply), { name: 'cairn', kind: 'store', n: '1' });
    assert.deepEqual(await c.call('HKEYS', 'h'), ['name', 'kind', 'n']);
    assert.deepEqual(await c.call('HVALS', 'h'), ['cairn', 'store', '1']);
    assert.deepEqual(await c.call('HKEYS', 'nokey'), []);
  });

  it('HDEL, HEXISTS, HLEN, HSTRLEN; the key goes away with its last field', async () => {
    const c = client();
    assert.equal(await c.call('HSET', 'h', 'a', 'hello', 'b', '', 'c', 'ü'), 3);
    assert.equal(await c.call('HSTRLEN', 'h', 'a'), 5);
    assert.equal(await c.call('HSTRLEN', 'h', 'b'), 0);
    assert.equal(await c.call('HSTRLEN', 'h', 'c'), 2, 'bytes, not characters');
    assert.equal(await c.call('HSTRLEN', 'h', 'none'), 0);
    assert.equal(await c.call('HEXISTS', 'h', 'a'), 1);
    assert.equal(await c.call('HEXISTS', 'h', 'none'), 0);
    assert.equal(await c.call('HDEL', 'h', 'a', 'none', 'a'), 1);
    assert.equal(await c.call('HLEN', 'h'), 2);
    assert.equal(await c.call('HDEL', 'h', 'b', 'c'), 2);
    assert.equal(await c.call('EXISTS', 'h'), 0);
    assert.equal(await c.call('HLEN', 'h'), 0);
    assert.equal(await c.call('HDEL', 'h', 'x'), 0);
  });

  it('HINCRBY and HINCRBYFLOAT with their errors', async () => {
    const c = client();
    assert.equal(await c.call('HINCRBY', 'h', 'n', '5'), 5);
    assert.equal(await c.call('HINCRBY', 'h', 'n', '-7'), -2);
    assert.equal(await c.call('HSET', 'h', 'word', 'abc', 'big', '9223372036854775807'), 2);
    await expectError(c.call('HINCRBY', 'h', 'word', '1'), 'ERR hash value is not an integer');
    await expectError(c.call('HINCRBY', 'h', 'big', '1'), 'ERR increment or decrement would overflow');
    await expectError(c.call('HINCRBY', 'h', 'n', 'x'), 'ERR value is not an integer or out of range');
    assert.equal(await c.call('HSET', 'h', 'f', '10.50'), 1);
    assert.equal(await c.call('HINCRBYFLOAT', 'h', 'f', '0.1'), '10.6', 'a bulk string in both protocols');
    assert.equal(await c.call('HINCRBYFLOAT', 'h', 'g', '3.0e1'), '30');
    assert.equal(await c.call('HGET', 'h', 'g'), '30');
    await expectError(c.call('HINCRBYFLOAT', 'h', 'word', '1'), 'ERR hash value is not a float');
    await expectError(c.call('HINCRBYFLOAT', 'h', 'f', 'abc'), 'ERR value is not a valid float');
    await expectError(c.call('HINCRBYFLOAT', 'h', 'f', '+inf'), 'ERR value is NaN or Infinity');
  });

  it('HRANDFIELD with counts and WITHVALUES (pairs in RESP3, flat in RESP2)', async () => {
    const c = client();
    assert.equal(await c.call('HRANDFIELD', 'nokey'), null);
    assert.deepEqual(await c.call('HRANDFIELD', 'nokey', '3'), []);
    assert.equal(await c.call('HSET', 'h', 'a', '1', 'b', '2', 'c', '3'), 3);
    assert.ok(['a', 'b', 'c'].includes((await c.call('HRANDFIELD', 'h')) as string));
    assert.deepEqual(sorted(await c.call('HRANDFIELD', 'h', '10')), ['a', 'b', 'c'], 'a positive count gives distinct fields');
    assert.equal(((await c.call('HRANDFIELD', 'h', '-7')) as unknown[]).length, 7, 'a negative count may repeat');
    assert.deepEqual(await c.call('HRANDFIELD', 'h', '0'), []);
    const withValues = (await c.call('HRANDFIELD', 'h', '3', 'WITHVALUES')) as unknown[];
    const pairs = kind.resp === 3 ? (withValues as [string, string][]) : Object.entries(asMap(withValues));
    assert.deepEqual(pairs.map(([f, v]) => `${f}=${v}`).sort(), ['a=1', 'b=2', 'c=3']);
    await expectError(c.call('HRANDFIELD', 'h', '1', 'WITHSCORES'), 'ERR syntax error');
  });

  it('HSCAN walks a small hash in one call', async () => {
    const c = client();
    assert.equal(await c.call('HSET', 'h', 'k1', 'v1', 'k2', 'v2', 'x', 'y'), 3);
    const [cursor, items] = (await c.call('HSCAN', 'h', '0')) as [string, string[]];
    assert.equal(cursor, '0');
    assert.deepEqual(asMap(items), { k1: 'v1', k2: 'v2', x: 'y' });
    const [, matched] = (await c.call('HSCAN', 'h', '0', 'MATCH', 'k*', 'COUNT', '100')) as [string, string[]];
    assert.deepEqual(asMap(matched), { k1: 'v1', k2: 'v2' });
    await expectError(c.call('HSCAN', 'h', 'abc'), 'ERR invalid cursor');
  });

  it('hash commands on a key of another type answer WRONGTYPE', async () => {
    const c = client();
    assert.equal(await c.call('SET', 's', 'v'), 'OK');
    await expectError(c.call('HGET', 's', 'f'), WRONGTYPE);
    await expectError(c.call('HSET', 's', 'f', 'v'), WRONGTYPE);
    await expectError(c.call('HGETALL', 's'), WRONGTYPE);
    assert.equal(await c.call('HSET', 'h', 'f', 'v'), 1);
    await expectError(c.call('GET', 'h'), WRONGTYPE);
  });

  it('HEXPIRE, HTTL, HPERSIST, HEXPIRETIME (Redis 7.4)', { skip: ORACLE_MODE && 'redis-server 7.0 has no hash field expiry' }, async () => {
    const c = client();
    assert.equal(await c.call('HSET', 'h', 'a', '1', 'b', '2', 'c', '3'), 3);
    assert.deepEqual(await c.call('HEXPIRE', 'h', '100', 'FIELDS', '2', 'a', 'nofield'), [1, -2]);
    const [ttlA, ttlB] = (await c.call('HTTL', 'h', 'FIELDS', '2', 'a', 'b')) as number[];
    assert.ok(ttlA! > 90 && ttlA! <= 100, `HTTL ${ttlA}`);
    assert.equal(ttlB, -1, 'a field without a TTL');
    const [pttl] = (await c.call('HPTTL', 'h', 'FIELDS', '1', 'a')) as number[];
    assert.ok(pttl! > 90_000 && pttl! <= 100_000, `HPTTL ${pttl}`);
    const [at] = (await c.call('HEXPIRETIME', 'h', 'FIELDS', '1', 'a')) as number[];
    assert.ok(at! > Date.now() / 1000, 'an absolute Unix time in the future');
    assert.deepEqual(await c.call('HEXPIRE', 'h', '200', 'NX', 'FIELDS', '1', 'a'), [0], 'NX: already has a TTL');
    assert.deepEqual(await c.call('HPERSIST', 'h', 'FIELDS', '2', 'a', 'b'), [1, -1]);
    assert.deepEqual(await c.call('HTTL', 'h', 'FIELDS', '1', 'a'), [-1]);
    assert.deepEqual(await c.call('HEXPIRE', 'h', '0', 'FIELDS', '1', 'c'), [2], 'a TTL of 0 deletes the field now');
    assert.equal(await c.call('HEXISTS', 'h', 'c'), 0);
    assert.deepEqual(await c.call('HPEXPIREAT', 'h', '1', 'FIELDS', '2', 'a', 'b'), [2, 2], 'a time in the past deletes');
    assert.equal(await c.call('EXISTS', 'h'), 0, 'the hash went away with its last field');
  });
});

describe('hashes through each library\'s own API', { timeout: SUITE_TIMEOUT_MS }, () => {
  const lib = libraryClients();

  it('ioredis hset with an object and hgetall as an object', async () => {
    assert.equal(await lib.io.hset('lib:h', { name: 'cairn', version: '1' }), 2);
    assert.deepEqual(await lib.io.hgetall('lib:h'), { name: 'cairn', version: '1' });
    assert.deepEqual(await lib.io.hgetall('lib:none'), {});
    assert.equal(await lib.io.hincrbyfloat('lib:h', 'version', '0.5'), '1.5');
  });

  it('node-redis hSet, hGetAll, hIncrBy', async () => {
    assert.equal(await lib.nr.hSet('lib:n', { a: '1', b: 'two' }), 2);
    assert.deepEqual({ ...(await lib.nr.hGetAll('lib:n')) }, { a: '1', b: 'two' });
    assert.equal(await lib.nr.hIncrBy('lib:n', 'a', 41), 42);
    assert.deepEqual(await lib.nr.hmGet('lib:n', ['a', 'zzz']), ['42', null]);
    assert.equal(asNumber(await lib.nr.hLen('lib:n')), 2);
  });
});
