// Expiry commands through every driver, and keys that really expire (passively and actively).
// Expected replies are Redis 7's, checked against a real redis-server (CAIRN_TEST_ORACLE=redis-server).
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { describeEachDriver, expectError, sleep, type Driver } from '../helpers/drivers.js';

/** Polls until `check` holds, up to `timeoutMs`; returns whether it did. */
async function eventually(check: () => Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return true;
    if (Date.now() > deadline) return false;
    await sleep(25);
  }
}

async function ttl(c: Driver, key: string): Promise<number> {
  return (await c.call('TTL', key)) as number;
}

describeEachDriver('expiry', {}, ({ client }) => {
  it('TTL and PTTL: -2 for a missing key, -1 without expiry', async () => {
    const c = client();
    assert.equal(await c.call('TTL', 'missing'), -2);
    assert.equal(await c.call('PTTL', 'missing'), -2);
    assert.equal(await c.call('SET', 'k', 'v'), 'OK');
    assert.equal(await c.call('TTL', 'k'), -1);
    assert.equal(await c.call('PTTL', 'k'), -1);
    assert.equal(await c.call('EXPIRETIME', 'k'), -1);
    assert.equal(await c.call('PEXPIRETIME', 'missing'), -2);
  });

  it('EXPIRE, PEXPIRE, EXPIREAT, PEXPIREAT, EXPIRETIME, PERSIST', async () => {
    const c = client();
    assert.equal(await c.call('SET', 'k', 'v'), 'OK');
    assert.equal(await c.call('EXPIRE', 'k', '100'), 1);
    const t = await ttl(c, 'k');
    assert.ok(t > 90 && t <= 100, `TTL ${t}`);
    assert.equal(await c.call('PEXPIRE', 'k', '200000'), 1);
    const pt = (await c.call('PTTL', 'k')) as number;
    assert.ok(pt > 190_000 && pt <= 200_000, `PTTL ${pt}`);
    const at = Math.floor(Date.now() / 1000) + 1000;
    assert.equal(await c.call('EXPIREAT', 'k', String(at)), 1);
    assert.equal(await c.call('EXPIRETIME', 'k'), at);
    assert.equal(await c.call('PEXPIRETIME', 'k'), at * 1000);
    assert.equal(await c.call('PEXPIREAT', 'k', String(at * 1000 + 500)), 1);
    assert.equal(await c.call('PEXPIRETIME', 'k'), at * 1000 + 500);
    assert.equal(await c.call('EXPIRETIME', 'k'), at + 1, 'EXPIRETIME rounds to the nearest second');
    assert.equal(await c.call('PERSIST', 'k'), 1);
    assert.equal(await c.call('PERSIST', 'k'), 0);
    assert.equal(await c.call('TTL', 'k'), -1);
    assert.equal(await c.call('EXPIRE', 'missing', '100'), 0);
    assert.equal(await c.call('PERSIST', 'missing'), 0);
  });

  it('an expire time in the past deletes the key', async () => {
    const c = client();
    assert.equal(await c.call('MSET', 'a', '1', 'b', '2', 'c', '3'), 'OK');
    assert.equal(await c.call('EXPIRE', 'a', '-1'), 1);
    assert.equal(await c.call('PEXPIRE', 'b', '0'), 1);
    assert.equal(await c.call('EXPIREAT', 'c', '1'), 1);
    assert.equal(await c.call('EXISTS', 'a', 'b', 'c'), 0);
    assert.equal(await c.call('DBSIZE'), 0);
  });

  it('NX, XX, GT and LT', async () => {
    const c = client();
    assert.equal(await c.call('SET', 'k', 'v'), 'OK');
    assert.equal(await c.call('EXPIRE', 'k', '100', 'XX'), 0, 'XX: no TTL yet');
    assert.equal(await c.call('EXPIRE', 'k', '100', 'GT'), 0, 'GT: no TTL counts as infinite');
    assert.equal(await c.call('EXPIRE', 'k', '100', 'NX'), 1);
    assert.equal(await c.call('EXPIRE', 'k', '200', 'NX'), 0);
    assert.equal(await c.call('EXPIRE', 'k', '200', 'XX'), 1);
    assert.equal(await c.call('EXPIRE', 'k', '100', 'GT'), 0);
    assert.equal(await c.call('EXPIRE', 'k', '300', 'GT'), 1);
    assert.equal(await c.call('EXPIRE', 'k', '400', 'LT'), 0);
    assert.equal(await c.call('EXPIRE', 'k', '50', 'LT'), 1);
    assert.ok((await ttl(c, 'k')) <= 50);
    assert.equal(await c.call('PERSIST', 'k'), 1);
    assert.equal(await c.call('EXPIRE', 'k', '100', 'LT'), 1, 'LT: any TTL is less than none');
    assert.equal(await c.call('EXPIRE', 'k', '50', 'xx', 'gt'), 0, 'options are case-insensitive and combine');
    await expectError(c.call('EXPIRE', 'k', '100', 'NX', 'XX'), 'ERR NX and XX, GT or LT options at the same time are not compatible');
    await expectError(c.call('EXPIRE', 'k', '100', 'NX', 'GT'), 'ERR NX and XX, GT or LT options at the same time are not compatible');
    await expectError(c.call('EXPIRE', 'k', '100', 'GT', 'LT'), 'ERR GT and LT options at the same time are not compatible');
    await expectError(c.call('EXPIRE', 'k', '100', 'SOON'), 'ERR Unsupported option SOON');
  });

  it('bad expire arguments', async () => {
    const c = client();
    assert.equal(await c.call('SET', 'k', 'v'), 'OK');
    await expectError(c.call('EXPIRE', 'k', 'ten'), 'ERR value is not an integer or out of range');
    await expectError(c.call('EXPIRE', 'k', '1.5'), 'ERR value is not an integer or out of range');
    await expectError(c.call('EXPIRE', 'k', '9223372036854775807'), "ERR invalid expire time in 'expire' command");
    await expectError(c.call('EXPIREAT', 'k', '9223372036854775807'), "ERR invalid expire time in 'expireat' command");
    await expectError(c.call('PEXPIRE', 'k', '9223372036854775807'), "ERR invalid expire time in 'pexpire' command");
    await expectError(c.call('EXPIRE', 'k', '-9223372036854775808'), "ERR invalid expire time in 'expire' command");
    await expectError(c.call('EXPIRE', 'k'), "ERR wrong number of arguments for 'expire' command");
    assert.equal(await c.call('TTL', 'k'), -1, 'a refused EXPIRE changes nothing');
  });

  it('writes that replace a value clear the TTL; in-place updates keep it', async () => {
    const c = client();
    assert.equal(await c.call('SET', 'k', '1', 'EX', '100'), 'OK');
    assert.equal(await c.call('INCR', 'k'), 2);
    assert.equal(await c.call('APPEND', 'k', '0'), 2);
    assert.equal(await c.call('SETRANGE', 'k', '0', '3'), 2);
    assert.ok((await ttl(c, 'k')) > 90, 'INCR, APPEND and SETRANGE keep the TTL');
    assert.equal(await c.call('SET', 'k', 'new'), 'OK');
    assert.equal(await ttl(c, 'k'), -1, 'SET clears the TTL');
    assert.equal(await c.call('SETEX', 'k', '100', 'v'), 'OK');
    assert.equal(await c.call('GETSET', 'k', 'w'), 'v');
    assert.equal(await ttl(c, 'k'), -1, 'GETSET clears the TTL');
  });

  it('a key with a short TTL disappears (passive expiry)', async () => {
    const c = client();
    assert.equal(await c.call('SET', 'short', 'v', 'PX', '100'), 'OK');
    assert.equal(await c.call('SET', 'long', 'v', 'EX', '100'), 'OK');
    assert.equal(await eventually(async () => (await c.call('GET', 'short')) === null, 5000), true);
    assert.equal(await c.call('EXISTS', 'short'), 0);
    assert.equal(await c.call('TTL', 'short'), -2);
    assert.equal(await c.call('GET', 'long'), 'v');
  });

  it('expired keys are removed without being accessed (active expiry)', async () => {
    const c = client();
    for (let i = 0; i < 30; i++) assert.equal(await c.call('SET', `gone:${i}`, 'v', 'PX', '50'), 'OK');
    assert.equal(await c.call('SET', 'stays', 'v'), 'OK');
    // DBSIZE counts keys without checking their expiry: it only drops when the server's own
    // expiry cycle deletes them.
    assert.equal(await eventually(async () => (await c.call('DBSIZE')) === 1, 10_000), true);
    assert.equal(await c.call('GET', 'stays'), 'v');
  });
});
