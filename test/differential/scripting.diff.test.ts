// Differential test for Lua scripting: a corpus of scripts (conversion rules both ways, errors
// inside scripts, pcall, error_reply/status_reply, cjson/cmsgpack/bit/struct, flags, global
// protection, functions) sent to a real redis-server and to Cairn over RESP2 and RESP3; every
// reply must be byte-identical.
//
//   node --test dist/test/differential/scripting.diff.test.js
//   DIFF_CASE=cjson node --test ...      run only the cases whose name contains the text
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startRedis, oracleAvailability, type RedisOracle } from '../helpers/redis-oracle.js';
import { startCairnInProcess, type CairnServer } from '../helpers/cairn-server.js';
import { RespClient, show, type Arg } from '../helpers/resp-client.js';

type Case = { readonly name: string; readonly commands: ReadonlyArray<readonly Arg[]> };

const evalCase = (name: string, script: string, keys: string[] = [], args: Arg[] = []): Case =>
  ({ name, commands: [['EVAL', script, keys.length, ...keys, ...args]] });

const LIB = `#!lua name=lib
redis.register_function('setget', function(keys, args) redis.call('set', keys[1], args[1]) return redis.call('get', keys[1]) end)
redis.register_function{function_name='ro', callback=function(keys, args) return redis.call('get', keys[1]) end, flags={'no-writes'}, description='reads'}
redis.register_function('boom', function(keys, args) error('oops') end)
redis.register_function('cerr', function(keys, args) return redis.call('incr', keys[1]) end)
`;

export const CORPUS: readonly Case[] = [
  // Lua -> reply
  evalCase('integer', 'return 42'),
  evalCase('float truncated', 'return 3.99'),
  evalCase('negative float truncated', 'return -3.99'),
  evalCase('string', "return 'hello'"),
  evalCase('binary string', 'return "a\\0b\\255"'),
  evalCase('true', 'return true'),
  evalCase('false', 'return false'),
  evalCase('nil', 'return nil'),
  evalCase('no return', 'local x = 1'),
  evalCase('array stops at nil', "return {1, 2, 3.5, 'x', true, false, nil, 9}"),
  evalCase('nested arrays', "return {1, {2, {3, {'four'}}}, {}}"),
  evalCase('status table', "return {ok='FINE'}"),
  evalCase('error table', "return {err='MYERR bad things'}"),
  evalCase('error table without code', "return {err='bad'}"),
  evalCase('status_reply', "return redis.status_reply('PONG')"),
  evalCase('error_reply with code', "return redis.error_reply('FOO bar')"),
  evalCase('error_reply without code', "return redis.error_reply('bar')"),
  evalCase('error_reply with dash', "return redis.error_reply('-X y')"),
  evalCase('error_reply wrong args', 'return redis.error_reply(1, 2)'),
  evalCase('table with hash part only', "return {a=1}"),
  evalCase('double table', 'return {double=3.5}'),
  evalCase('map table', "return {map={a=1}}"),
  evalCase('set table', "return {set={a=true}}"),
  evalCase('big number table', "return {big_number='123456789012345678901234567890'}"),
  evalCase('verbatim table', "return {verbatim_string={format='txt', string='hello'}}"),
  evalCase('nested error in array', "return {1, {err='X inner'}}"),
  // reply -> Lua
  { name: 'call returns int/bulk/nil', commands: [['SET', 'k', 'v'], ['EVAL', "return {redis.call('get', KEYS[1]), type(redis.call('get', 'nokey')), redis.call('incr', 'n')}", 1, 'k']] },
  evalCase('call status reply', "local r = redis.call('set', 'a', '1') return {type(r), r.ok}"),
  evalCase('call array reply', "redis.call('rpush', 'l', 'a', 'b', 'c') return redis.call('lrange', 'l', 0, -1)"),
  evalCase('call empty array', "return redis.call('lrange', 'nolist', 0, -1)"),
  evalCase('call hgetall', "redis.call('hset', 'h', 'f', 'v') return redis.call('hgetall', 'h')"),
  evalCase('numbers to arguments', "redis.call('set', 'a', 3.5) local x = redis.call('get', 'a') redis.call('set', 'b', 1/3) redis.call('set', 'c', 10/2) redis.call('set', 'd', 2^53) return {x, redis.call('get','b'), redis.call('get','c'), redis.call('get','d')}"),
  evalCase('infinity argument', "redis.call('set', 'a', 1/0) return redis.call('get', 'a')"),
  evalCase('zscore double', "redis.call('zadd', 'z', 1.5, 'm') return redis.call('zscore', 'z', 'm')"),
  evalCase('setresp 3 map', "redis.setresp(3) redis.call('hset', 'h', 'f', 'v') local r = redis.call('hgetall', 'h') return {type(r), type(r.map), r.map.f}"),
  evalCase('setresp 3 double', "redis.setresp(3) redis.call('zadd', 'z', 2.5, 'm') local r = redis.call('zscore', 'z', 'm') return {type(r), tostring(r.double)}"),
  evalCase('setresp 3 null', "redis.setresp(3) return {type(redis.call('get', 'nokey'))}"),
  evalCase('setresp 3 set', "redis.setresp(3) redis.call('sadd', 's', 'a') local r = redis.call('smembers', 's') return {type(r.set), tostring(r.set.a)}"),
  evalCase('setresp 3 boolean out', 'redis.setresp(3) return true'),
  evalCase('setresp 3 false out', 'redis.setresp(3) return false'),
  evalCase('setresp bad', 'redis.setresp(4)'),
  evalCase('call with table arg', 'return redis.call({})'),
  evalCase('call without args', 'return redis.call()'),
  evalCase('unknown command', "return redis.call('nosuch')"),
  evalCase('pcall unknown command', "return redis.pcall('nosuch')"),
  evalCase('wrong arity', "return redis.call('incr', 'a', 'b')"),
  evalCase('noscript command', "return redis.call('multi')"),
  evalCase('wrongtype raised', "redis.call('set', 'a', 'x') return redis.call('lpush', 'a', 'y')"),
  evalCase('wrongtype via pcall', "redis.call('set', 'a', 'x') local r = redis.pcall('lpush', 'a', 'y') return {type(r), r.err}"),
  evalCase('lua pcall of redis.call', "local ok, e = pcall(redis.call, 'nosuch') return {tostring(ok), e}"),
  evalCase('lua pcall of error', "local ok, e = pcall(error, 'x') return {tostring(ok), e}"),
  evalCase('error string', "error('boom')"),
  evalCase('error table raised', "error({err='MY boom'})"),
  evalCase('runtime error', 'local t = nil return t.x'),
  evalCase('compile error', 'return ('),
  evalCase('error on line 3', "local a = 1\nlocal b = 2\nerror('third')"),
  // globals and sandbox
  evalCase('nonexistent global', 'return x'),
  evalCase('create global', 'x = 1'),
  evalCase('modify redis table', 'redis.call = nil'),
  evalCase('modify string table', 'string.foo = 1'),
  evalCase('os is absent', 'return os.time()'),
  evalCase('io is absent', 'return io'),
  evalCase('require is absent', "return require('x')"),
  evalCase('loadstring', "return loadstring('return 7')()"),
  evalCase('unpack and table.getn', 'return {unpack({1, 2, 3}), table.getn({1, 2})}'),
  evalCase('math.mod', 'return math.mod(7, 3)'),
  evalCase('integral float prints like 5.1', 'return tostring(10/2) .. "|" .. (7/2) .. "|" .. tostring(2^31)'),
  evalCase('format %d of float', "return string.format('%d|%5.2f|%s', 3.7, 2.5, 'x')"),
  evalCase('tonumber', "return {tonumber('10'), tonumber('0x10'), tonumber('1e3'), tostring(tonumber('abc'))}"),
  evalCase('KEYS and ARGV', 'return {KEYS[1], KEYS[2], ARGV[1], #ARGV}', ['k1', 'k2'], ['a1', 'a2']),
  evalCase('random after randomseed', 'math.randomseed(42) return {math.random(100), math.random(1, 10), math.floor(math.random() * 1000)}'),
  evalCase('sha1hex', "return redis.sha1hex('abc')"),
  evalCase('sha1hex no args', 'return redis.sha1hex()'),
  evalCase('redis.log', "redis.log(redis.LOG_WARNING, 'from a script') return 1"),
  evalCase('redis.log bad level', "redis.log(99, 'x')"),
  evalCase('set_repl bad flags', 'redis.set_repl(77)'),
  evalCase('set_repl none', "redis.set_repl(redis.REPL_NONE) redis.call('set', 'a', '1') return redis.call('get', 'a')"),
  evalCase('replicate_commands', 'return redis.replicate_commands()'),
  evalCase('version num', 'return redis.REDIS_VERSION_NUM'),
  // libraries
  evalCase('cjson encode', "return cjson.encode({1, 2, 'x/y', true, {a='b'}})"),
  evalCase('cjson empty table', 'return cjson.encode({})'),
  evalCase('cjson floats', 'return cjson.encode({0.1, 1e20, -3, 1/3})'),
  evalCase('cjson decode', "local t = cjson.decode('{\"a\":[1,2,{\"b\":null}],\"c\":\"d\"}') return {t.a[1], t.a[2], t.c, tostring(t.a[3].b == cjson.null)}"),
  evalCase('cjson decode unicode', "return cjson.decode('\"\\\\u00e9\\\\u4e2d\"')"),
  evalCase('cjson decode error', "return cjson.decode('{bad')"),
  evalCase('cjson sparse', 'return cjson.encode({[1]=1, [100]=2})'),
  evalCase('cmsgpack round trip', "local a, b, c = cmsgpack.unpack(cmsgpack.pack({1, 2, 3}, 'x', -5)) return {a[3], b, c}"),
  evalCase('cmsgpack bytes', "return cmsgpack.pack({1, 2}, 300, -200, 1.5, 'abc', true)"),
  evalCase('cmsgpack map', "local t = cmsgpack.unpack(cmsgpack.pack({a=1})) return t.a"),
  evalCase('cmsgpack long string', "return cmsgpack.pack(string.rep('x', 40))"),
  evalCase('bit ops', 'return {bit.band(0xff, 0x0f), bit.bor(1, 2, 4), bit.bxor(5, 3), bit.bnot(0), bit.lshift(1, 4), bit.rshift(-1, 28), bit.arshift(-16, 2), bit.rol(1, 33), bit.ror(1, 1)}'),
  evalCase('bit tohex tobit', "return {bit.tohex(255), bit.tohex(-1, -4), bit.tobit(2^32 + 5)}"),
  evalCase('struct', "local s = struct.pack('>I2i4', 513, -2) local a, b, n = struct.unpack('>I2i4', s) return {s, a, b, n, struct.size('>I2i4')}"),
  evalCase('struct string', "return {struct.unpack('c3', 'abcdef')}"),
  // flags
  evalCase('no-writes with a write', "#!lua flags=no-writes\nreturn redis.call('set', 'a', '1')"),
  evalCase('no-writes with a read', "#!lua flags=no-writes\nreturn redis.call('get', 'a')"),
  evalCase('unknown flag', '#!lua flags=bogus\nreturn 1'),
  evalCase('shebang option', '#!lua name=x\nreturn 1'),
  evalCase('shebang engine', '#!nope\nreturn 1'),
  evalCase('shebang error line', "#!lua\nerror('here')"),
  { name: 'eval_ro with a write', commands: [['EVAL_RO', "return redis.call('set', 'a', '1')", 0]] },
  { name: 'eval_ro with write-flagged script', commands: [['EVAL_RO', "#!lua\nreturn 1", 0]] },
  { name: 'evalsha', commands: [['SCRIPT', 'LOAD', 'return ARGV[1]'], ['EVALSHA', 'a0a6d06d2ea1e1b1e21b1f4bb4ad8a5e9d1b1f8e', 0], ['EVALSHA', '2e8a4f93e4a6d5d1ec62f7ad8e3c8e8a2e6e3e6e', 0], ['SCRIPT', 'EXISTS', 'nope']] },
  { name: 'evalsha by load', commands: [['SCRIPT', 'LOAD', 'return ARGV[1]'], ['EVALSHA', 'A2A9B4C5D1A1E7F5B3F1C0E6D3B7A6F2C8E9D0A1', 0], ['EVAL', 'return 1', 0], ['SCRIPT', 'EXISTS', 'e0e1f9fabfc9d4800c877a703b823ac0578ff8db', 'ffffffffffffffffffffffffffffffffffffffff'], ['SCRIPT', 'FLUSH'], ['SCRIPT', 'EXISTS', 'e0e1f9fabfc9d4800c877a703b823ac0578ff8db']] },
  { name: 'numkeys errors', commands: [['EVAL', 'return 1', -1], ['EVAL', 'return 1', 2, 'a'], ['EVAL', 'return 1', 'x']] },
  { name: 'script subcommand errors', commands: [['SCRIPT', 'FLUSH', 'bad'], ['SCRIPT', 'KILL'], ['FUNCTION', 'KILL'], ['SCRIPT', 'LOAD', 'return (']] },
  // functions
  { name: 'function load and call', commands: [['FUNCTION', 'LOAD', LIB], ['FCALL', 'setget', 1, 'k', 'v'], ['FCALL_RO', 'ro', 1, 'k'], ['FCALL', 'boom', 0], ['FCALL', 'nosuch', 0], ['FCALL_RO', 'setget', 1, 'k', 'v']] },
  { name: 'function errors', commands: [['FUNCTION', 'LOAD', LIB], ['FUNCTION', 'LOAD', LIB], ['SET', 'k', 'x'], ['FCALL', 'cerr', 1, 'k'], ['FUNCTION', 'DELETE', 'nosuch'], ['FUNCTION', 'DELETE', 'lib'], ['FCALL', 'setget', 1, 'k', 'v']] },
  { name: 'function load errors', commands: [
    ['FUNCTION', 'LOAD', '#!lua name=l2\nredis.call("ping")'],
    ['FUNCTION', 'LOAD', '#!lua name=l3\nreturn 1'],
    ['FUNCTION', 'LOAD', '#!lua\nreturn 1'],
    ['FUNCTION', 'LOAD', 'return 1'],
    ['FUNCTION', 'LOAD', '#!js name=x\n'],
    ['FUNCTION', 'LOAD', '#!lua name=a name=b\n'],
    ['FUNCTION', 'LOAD', '#!lua name=l7 foo=bar\n'],
    ['FUNCTION', 'LOAD', '#!lua name=l5\nx = 1'],
    ['FUNCTION', 'LOAD', '#!lua name=l6\nlocal a =\n'],
    ['FUNCTION', 'LOAD', "#!lua name=l8\nredis.register_function('bad name!', function() end)"],
    ['FUNCTION', 'LOAD', "#!lua name=l9\nredis.register_function('g', function() end, 'x')"],
    ['FUNCTION', 'LOAD', "#!lua name=l10\nredis.register_function{function_name='g', callback=function() end, flags={'nope'}}"],
    ['FUNCTION', 'LOAD', '#!lua name=bad-name\nredis.register_function("g", function() end)'],
  ] },
  { name: 'function list and stats', commands: [['FUNCTION', 'LOAD', "#!lua name=only\nredis.register_function{function_name='f', callback=function() return 1 end, flags={'no-writes', 'allow-oom'}, description='d'}"], ['FUNCTION', 'LIST'], ['FUNCTION', 'LIST', 'WITHCODE', 'LIBRARYNAME', 'on*'], ['FUNCTION', 'LIST', 'LIBRARYNAME', 'zzz'], ['FUNCTION', 'LIST', 'bad'], ['FUNCTION', 'STATS'], ['FUNCTION', 'FLUSH', 'bad'], ['FUNCTION', 'FLUSH'], ['FUNCTION', 'LIST']] },
  { name: 'function restore policies', commands: [['FUNCTION', 'RESTORE', 'garbage'], ['FUNCTION', 'RESTORE', 'garbage', 'BAD']] },
];

const availability = oracleAvailability();
const only = process.env.DIFF_CASE;

if (!availability.ok && availability.fail) {
  test('scripting differential tests need redis-server', () => assert.fail(availability.message));
} else {
  describe('differential: Lua scripting, redis-server vs Cairn', { skip: availability.ok ? false : availability.message }, () => {
    let oracle: RedisOracle;
    let cairn: CairnServer;
    before(async () => {
      oracle = await startRedis();
      cairn = await startCairnInProcess({ seed: 1 });
    });
    after(async () => {
      await Promise.allSettled([oracle?.stop(), cairn?.stop()]);
    });

    for (const resp of [2, 3] as const) {
      for (const c of CORPUS) {
        if (only !== undefined && !c.name.includes(only)) continue;
        test(`RESP${resp}: ${c.name}`, { timeout: 20_000 }, async () => {
          const replies: string[][] = [];
          for (const port of [oracle.port, cairn.port]) {
            const client = await RespClient.connect(port);
            try {
              if (resp === 3) await client.send('HELLO', '3');
              await client.send('FLUSHALL');
              await client.send('SCRIPT', 'FLUSH');
              await client.send('FUNCTION', 'FLUSH');
              const out: string[] = [];
              for (const cmd of c.commands) out.push(show(await client.send(...cmd)));
              replies.push(out);
            } finally {
              client.close();
            }
          }
          assert.deepEqual(replies[1], replies[0], `commands: ${JSON.stringify(c.commands.map((x) => x.map(String)))}`);
        });
      }
    }
  });
}
