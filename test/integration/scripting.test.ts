// Scripting through every driver (EVAL family, SCRIPT, FUNCTION, FCALL), then the client
// libraries' own script helpers (ioredis defineCommand, node-redis defineScript and functions),
// then the busy state of a long script: other clients get -BUSY, SCRIPT KILL stops a read-only
// script, a script that wrote is UNKILLABLE. Expected replies are Redis 7.0's.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import { createClient } from 'redis';
import { asMap, bounded, closeIoredis, closeNodeRedis, describeEachDriver, expectError, HOST, ORACLE_MODE, sleep, startTarget, SUITE_TIMEOUT_MS, type Target } from '../helpers/drivers.js';
import { RespClient, show } from '../helpers/resp-client.js';

const LIB = `#!lua name=counters
redis.register_function('bump', function(keys, args) return redis.call('incrby', keys[1], args[1]) end)
redis.register_function{function_name='peek', callback=function(keys) return redis.call('get', keys[1]) end, flags={'no-writes'}, description='reads a counter'}
`;

describeEachDriver('scripting', {}, ({ client }) => {
  it('EVAL runs a script with KEYS and ARGV and converts its reply', async () => {
    const c = client();
    assert.deepEqual(await c.call('EVAL', "redis.call('set', KEYS[1], ARGV[1]) return {redis.call('get', KEYS[1]), 2, 3.7}", '1', 'k', 'v'), ['v', 2, 3]);
    assert.equal(await c.call('EVAL', "return redis.status_reply('FINE')", '0'), 'FINE');
    await expectError(c.call('EVAL', "return redis.error_reply('MY failure')", '0'), 'MY failure');
    await expectError(c.call('EVAL', 'return x', '0'), /Script attempted to access nonexistent global variable 'x'/);
    await expectError(c.call('EVAL', 'return 1', '-1'), "ERR Number of keys can't be negative");
  });

  it('SCRIPT LOAD, EXISTS, EVALSHA, EVALSHA_RO, EVAL_RO and SCRIPT FLUSH', async () => {
    const c = client();
    const sha = await c.call('SCRIPT', 'LOAD', "return redis.call('get', KEYS[1])") as string;
    assert.match(sha, /^[0-9a-f]{40}$/);
    assert.deepEqual(await c.call('SCRIPT', 'EXISTS', sha, 'ffffffffffffffffffffffffffffffffffffffff'), [1, 0]);
    await c.call('SET', 'k', 'v');
    assert.equal(await c.call('EVALSHA', sha, '1', 'k'), 'v');
    assert.equal(await c.call('EVALSHA_RO', sha, '1', 'k'), 'v');
    assert.equal(await c.call('EVAL_RO', "return redis.call('strlen', KEYS[1])", '1', 'k'), 1);
    await expectError(c.call('EVAL_RO', "return redis.call('del', KEYS[1])", '1', 'k'), /Write commands are not allowed from read-only scripts/);
    assert.equal(await c.call('SCRIPT', 'FLUSH', 'ASYNC'), 'OK');
    await expectError(c.call('EVALSHA', sha, '1', 'k'), 'NOSCRIPT No matching script. Please use EVAL.');
    await expectError(c.call('SCRIPT', 'KILL'), 'NOTBUSY No scripts in execution right now.');
  });

  it('FUNCTION LOAD, FCALL, FCALL_RO, LIST, STATS, DUMP, RESTORE, DELETE, FLUSH, KILL', async () => {
    const c = client();
    await c.call('FUNCTION', 'FLUSH');
    assert.equal(await c.call('FUNCTION', 'LOAD', LIB), 'counters');
    await expectError(c.call('FUNCTION', 'LOAD', LIB), "ERR Library 'counters' already exists");
    assert.equal(await c.call('FUNCTION', 'LOAD', 'REPLACE', LIB), 'counters');
    assert.equal(await c.call('FCALL', 'bump', '1', 'n', '5'), 5);
    assert.equal(await c.call('FCALL_RO', 'peek', '1', 'n'), '5');
    await expectError(c.call('FCALL_RO', 'bump', '1', 'n', '1'), 'ERR Can not execute a script with write flag using *_ro command.');
    const list = await c.call('FUNCTION', 'LIST', 'WITHCODE') as unknown[];
    assert.equal(list.length, 1);
    const lib = asMap(list[0]);
    assert.equal(lib['library_name'], 'counters');
    assert.equal(lib['engine'], 'LUA');
    assert.equal(lib['library_code'], LIB);
    assert.equal((lib['functions'] as unknown[]).length, 2);
    const stats = asMap(await c.call('FUNCTION', 'STATS'));
    assert.equal(stats['running_script'], null);
    assert.deepEqual(asMap(asMap(stats['engines'])['LUA']), { libraries_count: 1, functions_count: 2 });
    assert.equal(await c.call('FUNCTION', 'DELETE', 'counters'), 'OK');
    await expectError(c.call('FCALL', 'bump', '1', 'n', '1'), 'ERR Function not found');
    await expectError(c.call('FUNCTION', 'DELETE', 'counters'), 'ERR Library not found');
    assert.equal(await c.call('FUNCTION', 'LOAD', LIB), 'counters');
    assert.equal(await c.call('FUNCTION', 'FLUSH', 'SYNC'), 'OK');
    assert.deepEqual(await c.call('FUNCTION', 'LIST'), []);
    await expectError(c.call('FUNCTION', 'KILL'), 'NOTBUSY No scripts in execution right now.');
  });
});

describe('FUNCTION DUMP and RESTORE carry binary payloads', { timeout: SUITE_TIMEOUT_MS }, () => {
  let target: Target;
  let redis: Redis;
  before(async () => {
    target = await startTarget();
    redis = new Redis({ host: HOST, port: target.port });
  });
  after(async () => {
    await closeIoredis(redis);
    await target.close();
  });

  it('restores with APPEND, REPLACE and FLUSH', async () => {
    await redis.function('FLUSH');
    await redis.function('LOAD', LIB);
    const payload = await redis.callBuffer('FUNCTION', 'DUMP') as Buffer;
    await assert.rejects(redis.call('FUNCTION', 'RESTORE', payload), /ERR Library counters already exists$/);
    assert.equal(await redis.call('FUNCTION', 'RESTORE', payload, 'REPLACE'), 'OK');
    assert.equal(await redis.call('FUNCTION', 'RESTORE', payload, 'FLUSH'), 'OK');
    await redis.function('FLUSH');
    assert.equal(await redis.call('FUNCTION', 'RESTORE', payload), 'OK');
    assert.equal(await redis.fcall('bump', 1, 'x', 2), 2);
    await assert.rejects(redis.call('FUNCTION', 'RESTORE', 'not a payload'), /payload version or checksum are wrong/);
  });
});

describe('client libraries\' script helpers', { timeout: SUITE_TIMEOUT_MS }, () => {
  let target: Target;
  before(async () => {
    target = await startTarget();
  });
  after(async () => {
    await target.close();
  });

  it('ioredis defineCommand (EVALSHA with a NOSCRIPT fallback to EVAL)', async () => {
    const redis = new Redis({ host: HOST, port: target.port });
    try {
      redis.defineCommand('rateLimit', {
        numberOfKeys: 1,
        lua: `local n = redis.call('incr', KEYS[1])
if n == 1 then redis.call('pexpire', KEYS[1], ARGV[1]) end
if n > tonumber(ARGV[2]) then return 0 end
return 1`,
      });
      const limited = redis as Redis & { rateLimit(key: string, windowMs: number, max: number): Promise<number> };
      await redis.script('FLUSH');
      const results: number[] = [];
      for (let i = 0; i < 5; i++) results.push(await limited.rateLimit('rl:user', 10_000, 3));
      assert.deepEqual(results, [1, 1, 1, 0, 0]);
      const ttl = await redis.pttl('rl:user');
      assert.ok(ttl > 0 && ttl <= 10_000);
      await redis.script('FLUSH');
      assert.equal(await limited.rateLimit('rl:other', 10_000, 3), 1); // NOSCRIPT, then EVAL
    } finally {
      await closeIoredis(redis);
    }
  });

  it('node-redis defineScript and functions', async () => {
    const { defineScript } = await import('redis');
    const client = createClient({
      socket: { host: HOST, port: target.port, reconnectStrategy: false },
      scripts: {
        getset: defineScript({
          NUMBER_OF_KEYS: 1,
          SCRIPT: "local old = redis.call('get', KEYS[1]) redis.call('set', KEYS[1], ARGV[1]) return old",
          parseCommand(parser, key: string, value: string) {
            parser.pushKey(key);
            parser.push(value);
          },
          transformReply: undefined as unknown as () => string | null,
        }),
      },
    });
    client.on('error', () => undefined);
    await client.connect();
    try {
      await client.flushAll();
      assert.equal(await client.getset('s', 'one'), null);
      assert.equal(await client.getset('s', 'two'), 'one');
      await client.functionFlush();
      assert.equal(await client.functionLoad(LIB), 'counters');
      assert.equal(await client.fCall('bump', { keys: ['c'], arguments: ['7'] }), 7);
      assert.equal(await client.fCallRo('peek', { keys: ['c'], arguments: [] }), '7');
      const list = await client.functionList();
      assert.equal(list[0]!.library_name, 'counters');
    } finally {
      await closeNodeRedis(client);
    }
  });
});

describe('a long script makes the server busy', { timeout: SUITE_TIMEOUT_MS, skip: ORACLE_MODE ? 'timing of redis-server differs' : false }, () => {
  let target: Target;
  before(async () => {
    target = await startTarget({ config: { 'busy-reply-threshold': '100' } });
  });
  after(async () => {
    await target.close();
  });

  it('other clients get -BUSY, FUNCTION KILL is refused, SCRIPT KILL stops a read-only script', async () => {
    const runner = await RespClient.connect(target.port, { timeoutMs: 30_000 });
    const other = await RespClient.connect(target.port);
    try {
      const long = runner.send('EVAL', 'local i = 0 while true do i = i + 1 end', '0');
      let reply = '';
      for (let i = 0; i < 100 && !reply.startsWith('-BUSY'); i++) {
        await sleep(50);
        reply = show(await other.send('PING'));
      }
      assert.equal(reply, '-BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.');
      assert.equal(show(await other.send('FUNCTION', 'KILL')), '-BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.');
      assert.match(show(await other.send('FUNCTION', 'STATS')), /running_script/);
      assert.equal(show(await other.send('SCRIPT', 'KILL')), '+OK');
      assert.match(show(await bounded(long, 10_000, 'killed script')), /^-ERR Script killed by user with SCRIPT KILL\.\.\. script: [0-9a-f]{40}, on @user_script:1\.$/);
      assert.equal(show(await other.send('PING')), '+PONG');
    } finally {
      runner.close();
      other.close();
    }
  });

  it('FUNCTION KILL stops a running read-only function; SCRIPT KILL is refused for it', async () => {
    const runner = await RespClient.connect(target.port, { timeoutMs: 30_000 });
    const other = await RespClient.connect(target.port);
    try {
      const library = "#!lua name=spin\nredis.register_function{function_name='spin', callback=function() while true do end end, flags={'no-writes'}}";
      assert.equal(show(await other.send('FUNCTION', 'LOAD', 'REPLACE', library)), '"spin"');
      const long = runner.send('FCALL', 'spin', '0');
      let reply = '';
      for (let i = 0; i < 100 && !reply.startsWith('-BUSY'); i++) {
        await sleep(50);
        reply = show(await other.send('PING'));
      }
      assert.equal(reply, '-BUSY Redis is busy running a script. You can only call FUNCTION KILL or SHUTDOWN NOSAVE.');
      assert.equal(show(await other.send('SCRIPT', 'KILL')), '-BUSY Redis is busy running a script. You can only call FUNCTION KILL or SHUTDOWN NOSAVE.');
      assert.equal(show(await other.send('FUNCTION', 'KILL')), '+OK');
      // Redis 7.0.15 words it so for functions too (checked against redis-server).
      assert.equal(show(await bounded(long, 10_000, 'killed function')), '-ERR Script killed by user with SCRIPT KILL... script: spin, on @user_function:2.');
      assert.equal(show(await other.send('PING')), '+PONG');
    } finally {
      runner.close();
      other.close();
    }
  });

  // The loop runs for about 2 s, well past the 100 ms threshold, so SCRIPT KILL meets it running.
  it('a script that wrote cannot be killed and runs to its end, atomically', async () => {
    const runner = await RespClient.connect(target.port, { timeoutMs: 60_000 });
    const other = await RespClient.connect(target.port);
    try {
      await other.send('SET', 'seen', 'before');
      const long = runner.send('EVAL', "redis.call('set', 'seen', 'during') local i = 0 for n = 1, 20000000 do i = i + 1 end redis.call('set', 'seen', 'after') return i", '0');
      let reply = '';
      for (let i = 0; i < 200 && !reply.startsWith('-BUSY'); i++) {
        await sleep(20);
        reply = show(await other.send('GET', 'seen'));
        assert.notEqual(reply, '"during"', 'a client saw the middle of a script');
      }
      if (reply.startsWith('-BUSY')) assert.match(show(await other.send('SCRIPT', 'KILL')), /^-UNKILLABLE Sorry the script already executed write commands/);
      assert.equal(show(await bounded(long, 60_000, 'long script')), ':20000000');
      assert.equal(show(await other.send('GET', 'seen')), '"after"');
    } finally {
      runner.close();
      other.close();
    }
  });
});
