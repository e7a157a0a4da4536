// String commands through every driver (ioredis and node-redis over RESP2/RESP3, embedded API).
// Expected replies are Redis 7's, checked against a real redis-server (CAIRN_TEST_ORACLE=redis-server).
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { asNumber, describeEachDriver, expectError } from '../helpers/drivers.js';

describeEachDriver('strings', {}, ({ client }) => {
  it('SET and GET round trip; GET of a missing key is nil', async () => {
    const c = client();
    assert.equal(await c.call('SET', 'greeting', 'hello'), 'OK');
    assert.equal(await c.call('GET', 'greeting'), 'hello');
    assert.equal(await c.call('GET', 'missing'), null);
    assert.equal(await c.call('SET', 'greeting', ''), 'OK');
    assert.equal(await c.call('GET', 'greeting'), '');
  });

  it('SET NX, XX and GET options', async () => {
    const c = client();
    assert.equal(await c.call('SET', 'k', 'v1', 'NX'), 'OK');
    assert.equal(await c.call('SET', 'k', 'v2', 'NX'), null);
    assert.equal(await c.call('SET', 'other', 'v', 'XX'), null);
    assert.equal(await c.call('EXISTS', 'other'), 0);
    assert.equal(await c.call('SET', 'k', 'v3', 'XX'), 'OK');
    assert.equal(await c.call('SET', 'k', 'v4', 'GET'), 'v3');
    assert.equal(await c.call('SET', 'fresh', 'v', 'GET'), null);
    assert.equal(await c.call('SET', 'k', 'v5', 'NX', 'GET'), 'v4');
    assert.equal(await c.call('GET', 'k'), 'v4');
  });

  it('SET expiry options and their errors', async () => {
    const c = client();
    assert.equal(await c.call('SET', 'k', 'v', 'EX', '100'), 'OK');
    const ttl = (await c.call('TTL', 'k')) as number;
    assert.ok(ttl > 90 && ttl <= 100, `TTL ${ttl}`);
    assert.equal(await c.call('SET', 'k', 'v2', 'KEEPTTL'), 'OK');
    assert.ok(((await c.call('TTL', 'k')) as number) > 90);
    assert.equal(await c.call('SET', 'k', 'v3'), 'OK');
    assert.equal(await c.call('TTL', 'k'), -1);
    assert.equal(await c.call('SET', 'k', 'v', 'PX', '100000'), 'OK');
    assert.ok(((await c.call('PTTL', 'k')) as number) > 90000);
    await expectError(c.call('SET', 'k', 'v', 'EX', '0'), "ERR invalid expire time in 'set' command");
    await expectError(c.call('SET', 'k', 'v', 'PX', '-5'), "ERR invalid expire time in 'set' command");
    await expectError(c.call('SET', 'k', 'v', 'EX', 'ten'), 'ERR value is not an integer or out of range');
    await expectError(c.call('SET', 'k', 'v', 'EX', '10', 'PX', '10'), 'ERR syntax error');
    await expectError(c.call('SET', 'k', 'v', 'NX', 'XX'), 'ERR syntax error');
    await expectError(c.call('SET', 'k', 'v', 'EX'), 'ERR syntax error');
    await expectError(c.call('SET', 'k', 'v', 'BOGUS'), 'ERR syntax error');
  });

  it('SETNX, SETEX, PSETEX, GETSET', async () => {
    const c = client();
    assert.equal(await c.call('SETNX', 'k', 'a'), 1);
    assert.equal(await c.call('SETNX', 'k', 'b'), 0);
    assert.equal(await c.call('SETEX', 'e', '100', 'v'), 'OK');
    assert.ok(((await c.call('TTL', 'e')) as number) > 90);
    assert.equal(await c.call('PSETEX', 'p', '100000', 'v'), 'OK');
    assert.ok(((await c.call('PTTL', 'p')) as number) > 90000);
    await expectError(c.call('SETEX', 'e', '0', 'v'), "ERR invalid expire time in 'setex' command");
    await expectError(c.call('PSETEX', 'p', '-1', 'v'), "ERR invalid expire time in 'psetex' command");
    await expectError(c.call('SETEX', 'e', 'x', 'v'), 'ERR value is not an integer or out of range');
    assert.equal(await c.call('GETSET', 'k', 'c'), 'a');
    assert.equal(await c.call('GETSET', 'nokey', 'c'), null);
    assert.equal(await c.call('GET', 'nokey'), 'c');
  });

  it('MSET, MGET, MSETNX', async () => {
    const c = client();
    assert.equal(await c.call('MSET', 'a', '1', 'b', '2', 'c', '3'), 'OK');
    assert.deepEqual(await c.call('MGET', 'a', 'nope', 'c', 'b'), ['1', null, '3', '2']);
    await expectError(c.call('MSET', 'a', '1', 'b'), "ERR wrong number of arguments for 'mset' command");
    assert.equal(await c.call('MSETNX', 'x', '1', 'a', '9'), 0);
    assert.equal(await c.call('GET', 'x'), null);
    assert.equal(await c.call('MSETNX', 'x', '1', 'y', '2'), 1);
    assert.deepEqual(await c.call('MGET', 'x', 'y'), ['1', '2']);
  });

  it('APPEND, STRLEN, GETRANGE, SETRANGE, SUBSTR', async () => {
    const c = client();
    assert.equal(await c.call('APPEND', 's', 'Hello'), 5);
    assert.equal(await c.call('APPEND', 's', ' World'), 11);
    assert.equal(await c.call('STRLEN', 's'), 11);
    assert.equal(await c.call('STRLEN', 'missing'), 0);
    assert.equal(await c.call('GETRANGE', 's', '0', '4'), 'Hello');
    assert.equal(await c.call('GETRANGE', 's', '-5', '-1'), 'World');
    assert.equal(await c.call('GETRANGE', 's', '5', '2'), '');
    assert.equal(await c.call('GETRANGE', 's', '0', '1000'), 'Hello World');
    assert.equal(await c.call('GETRANGE', 'missing', '0', '-1'), '');
    assert.equal(await c.call('SUBSTR', 's', '6', '-1'), 'World');
    assert.equal(await c.call('SETRANGE', 's', '6', 'Redis'), 11);
    assert.equal(await c.call('GET', 's'), 'Hello Redis');
    assert.equal(await c.call('SETRANGE', 'pad', '3', 'x'), 4);
    assert.equal(await c.call('GET', 'pad'), '\u0000\u0000\u0000x');
    assert.equal(await c.call('SETRANGE', 'empty', '5', ''), 0);
    assert.equal(await c.call('EXISTS', 'empty'), 0);
    await expectError(c.call('SETRANGE', 's', '-1', 'x'), 'ERR offset is out of range');
    await expectError(c.call('GETRANGE', 's', 'a', '1'), 'ERR value is not an integer or out of range');
  });

  it('INCR, DECR, INCRBY, DECRBY and their errors', async () => {
    const c = client();
    assert.equal(await c.call('INCR', 'n'), 1);
    assert.equal(await c.call('INCRBY', 'n', '41'), 42);
    assert.equal(await c.call('DECR', 'n'), 41);
    assert.equal(await c.call('DECRBY', 'n', '50'), -9);
    assert.equal(await c.call('GET', 'n'), '-9');
    assert.equal(await c.call('SET', 'n', '9223372036854775806'), 'OK');
    assert.equal(await c.call('INCR', 'n'), 9223372036854775807);
    await expectError(c.call('INCR', 'n'), 'ERR increment or decrement would overflow');
    assert.equal(await c.call('GET', 'n'), '9223372036854775807');
    assert.equal(await c.call('SET', 'word', 'abc'), 'OK');
    await expectError(c.call('INCR', 'word'), 'ERR value is not an integer or out of range');
    assert.equal(await c.call('SET', 'spaced', ' 1'), 'OK');
    await expectError(c.call('INCR', 'spaced'), 'ERR value is not an integer or out of range');
    await expectError(c.call('INCRBY', 'x', '1.5'), 'ERR value is not an integer or out of range');
    await expectError(c.call('DECRBY', 'x', '-9223372036854775808'), 'ERR decrement would overflow');
  });

  it('INCRBYFLOAT', async () => {
    const c = client();
    assert.equal(await c.call('SET', 'f', '10.50'), 'OK');
    assert.equal(await c.call('INCRBYFLOAT', 'f', '0.1'), '10.6');
    assert.equal(await c.call('INCRBYFLOAT', 'f', '-5'), '5.6');
    assert.equal(await c.call('SET', 'f', '5.0e3'), 'OK');
    assert.equal(await c.call('INCRBYFLOAT', 'f', '2.0e2'), '5200');
    assert.equal(await c.call('GET', 'f'), '5200');
    assert.equal(asNumber(await c.call('INCRBYFLOAT', 'new', '3')), 3);
    await expectError(c.call('INCRBYFLOAT', 'f', 'abc'), 'ERR value is not a valid float');
    assert.equal(await c.call('SET', 'word', 'abc'), 'OK');
    await expectError(c.call('INCRBYFLOAT', 'word', '1'), 'ERR value is not a valid float');
    await expectError(c.call('INCRBYFLOAT', 'f', 'inf'), 'ERR increment would produce NaN or Infinity');
  });

  it('GETDEL and GETEX', async () => {
    const c = client();
    assert.equal(await c.call('SET', 'k', 'v'), 'OK');
    assert.equal(await c.call('GETDEL', 'k'), 'v');
    assert.equal(await c.call('EXISTS', 'k'), 0);
    assert.equal(await c.call('GETDEL', 'k'), null);
    assert.equal(await c.call('SET', 'k', 'v'), 'OK');
    assert.equal(await c.call('GETEX', 'k', 'EX', '100'), 'v');
    assert.ok(((await c.call('TTL', 'k')) as number) > 90);
    assert.equal(await c.call('GETEX', 'k', 'PERSIST'), 'v');
    assert.equal(await c.call('TTL', 'k'), -1);
    assert.equal(await c.call('GETEX', 'missing', 'EX', '10'), null);
    await expectError(c.call('GETEX', 'k', 'EX', '0'), "ERR invalid expire time in 'getex' command");
    await expectError(c.call('GETEX', 'k', 'EX', '10', 'PERSIST'), 'ERR syntax error');
  });

  it('LCS', async () => {
    const c = client();
    assert.equal(await c.call('MSET', 'key1', 'ohmytext', 'key2', 'mynewtext'), 'OK');
    assert.equal(await c.call('LCS', 'key1', 'key2'), 'mytext');
    assert.equal(await c.call('LCS', 'key1', 'key2', 'LEN'), 6);
    assert.equal(await c.call('LCS', 'key1', 'nokey'), '');
  });

  it('UTF-8 text is stored as bytes', async () => {
    const c = client();
    assert.equal(await c.call('SET', 'clé', 'naïve ☕'), 'OK');
    assert.equal(await c.call('GET', 'clé'), 'naïve ☕');
    assert.equal(await c.call('STRLEN', 'clé'), 10);
  });

  it('arity and unknown command errors', async () => {
    const c = client();
    await expectError(c.call('GET'), "ERR wrong number of arguments for 'get' command");
    await expectError(c.call('SET', 'k'), "ERR wrong number of arguments for 'set' command");
    await expectError(c.call('GET', 'a', 'b'), "ERR wrong number of arguments for 'get' command");
    await expectError(c.call('NOSUCHCMD', 'a', 'b'), "ERR unknown command 'NOSUCHCMD', with args beginning with: 'a' 'b' ");
  });
});
