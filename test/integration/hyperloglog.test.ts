// HyperLogLog commands through every driver (ioredis and node-redis over RESP2/RESP3, embedded
// API), plus each library's own API. Expected replies are Redis 7.0's, checked against a real
// redis-server (CAIRN_TEST_ORACLE=redis-server): the estimates are deterministic (the same hash
// and registers as Redis), so the exact counts of redis-server are expected.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { describeEachDriver, expectError, SUITE_TIMEOUT_MS, libraryClients } from '../helpers/drivers.js';

const items = (from: number, to: number): string[] => Array.from({ length: to - from + 1 }, (_, i) => `item:${from + i}`);
const NOT_HLL = 'WRONGTYPE Key is not a valid HyperLogLog string value.';

describeEachDriver('hyperloglog', {}, ({ client }) => {
  it('PFADD answers whether a register changed; PFCOUNT of small sets is exact', async () => {
    const c = client();
    assert.equal(await c.call('PFADD', 'h', 'a', 'b', 'c'), 1);
    assert.equal(await c.call('PFADD', 'h', 'a', 'b'), 0);
    assert.equal(await c.call('PFCOUNT', 'h'), 3);
    assert.equal(await c.call('PFADD', 'empty'), 1, 'creates an empty HyperLogLog');
    assert.equal(await c.call('PFADD', 'empty'), 0);
    assert.equal(await c.call('PFCOUNT', 'empty'), 0);
    assert.equal(await c.call('PFCOUNT', 'nokey'), 0);
    assert.equal(await c.call('GETRANGE', 'h', '0', '3'), 'HYLL', 'stored as a Redis HLL string');
    assert.equal(await c.call('TYPE', 'h'), 'string');
  });

  it('PFCOUNT estimates match redis-server exactly, over one key and a union', async () => {
    const c = client();
    assert.equal(await c.call('PFADD', 'h1', ...items(1, 1000)), 1);
    assert.equal(await c.call('PFADD', 'h2', ...items(500, 1800)), 1);
    assert.equal(await c.call('PFCOUNT', 'h1'), 1002);
    assert.equal(await c.call('PFCOUNT', 'h2'), 1306);
    assert.equal(await c.call('PFCOUNT', 'h1', 'h2'), 1806);
    assert.equal(await c.call('PFCOUNT', 'h1', 'nokey'), 1002);
  });

  it('PFMERGE', async () => {
    const c = client();
    assert.equal(await c.call('PFADD', 'h1', ...items(1, 1000)), 1);
    assert.equal(await c.call('PFADD', 'h2', ...items(500, 1800)), 1);
    assert.equal(await c.call('PFMERGE', 'm', 'h1', 'h2'), 'OK');
    assert.equal(await c.call('PFCOUNT', 'm'), 1806);
    assert.equal(await c.call('PFMERGE', 'copy', 'h1', 'nokey'), 'OK');
    assert.equal(await c.call('PFCOUNT', 'copy'), 1002);
    assert.equal(await c.call('PFMERGE', 'fresh'), 'OK', 'a merge of nothing creates an empty HyperLogLog');
    assert.equal(await c.call('PFCOUNT', 'fresh'), 0);
    assert.equal(await c.call('PFADD', 'small', 'x'), 1);
    assert.equal(await c.call('PFMERGE', 'small', 'h1'), 'OK', 'merging into an existing key keeps its registers');
    assert.equal(await c.call('PFCOUNT', 'small'), 1003);
  });

  it('a string that is not a HyperLogLog and other types are refused', async () => {
    const c = client();
    assert.equal(await c.call('SET', 'str', 'abc'), 'OK');
    await expectError(c.call('PFADD', 'str', 'x'), NOT_HLL);
    await expectError(c.call('PFCOUNT', 'str'), NOT_HLL);
    await expectError(c.call('PFMERGE', 'dest', 'str'), NOT_HLL);
    assert.equal(await c.call('RPUSH', 'list', 'x'), 1);
    await expectError(c.call('PFADD', 'list', 'x'), 'WRONGTYPE Operation against a key holding the wrong kind of value');
    await expectError(c.call('PFCOUNT'), "ERR wrong number of arguments for 'pfcount' command");
  });

  it('COPY copies a HyperLogLog byte for byte', async () => {
    const c = client();
    assert.equal(await c.call('PFADD', 'h', ...items(1, 100)), 1);
    const before = await c.call('GET', 'h');
    assert.equal(await c.call('COPY', 'h', 'h2'), 1);
    assert.equal(await c.call('GET', 'h2'), before);
    assert.equal(await c.call('PFCOUNT', 'h2'), await c.call('PFCOUNT', 'h'));
  });
});

describe('hyperloglog through each library\'s own API', { timeout: SUITE_TIMEOUT_MS }, () => {
  const lib = libraryClients();

  it('ioredis pfadd and pfcount', async () => {
    assert.equal(await lib.io.pfadd('lib:h', ...items(1, 1000)), 1);
    assert.equal(await lib.io.pfcount('lib:h'), 1002);
  });

  it('node-redis pfAdd, pfMerge, pfCount', async () => {
    assert.equal(await lib.nr.pfAdd('lib:a', items(1, 1000)), 1);
    assert.equal(await lib.nr.pfAdd('lib:b', items(500, 1800)), 1);
    assert.equal(await lib.nr.pfMerge('lib:m', ['lib:a', 'lib:b']), 'OK');
    assert.equal(await lib.nr.pfCount('lib:m'), 1806);
  });
});
