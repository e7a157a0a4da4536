// String commands: replies, error texts, TTLs on the manual clock, and the logged effects.
// Expected replies were taken from a real redis-server 7.0.15.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { testEngine, type TestEngine } from '../helpers/engine.js';
import { stringCommands } from '../../src/core/commands/strings.js';
import { aclCategories } from '../../src/core/commands/registry.js';
import type { Entry } from '../../src/core/keyspace.js';

const INT64_MAX = 9223372036854775807n;
const WRONGTYPE = { error: 'WRONGTYPE Operation against a key holding the wrong kind of value' };
const SYNTAX = { error: 'ERR syntax error' };
const NOT_INT = { error: 'ERR value is not an integer or out of range' };
const NOT_FLOAT = { error: 'ERR value is not a valid float' };
const OVERFLOW = { error: 'ERR increment or decrement would overflow' };
const invalidExpire = (cmd: string) => ({ error: `ERR invalid expire time in '${cmd}' command` });

/** An engine with a list under 'list' (no list commands needed: the entry is made directly). */
function engineWithList(): TestEngine {
  const t = testEngine();
  t.engine.ks.db(0).add('list', 'list', ['x']);
  return t;
}

function entry(t: TestEngine, key: string): Entry | undefined {
  return t.engine.ks.db(0).peek(key);
}

function now(t: TestEngine): number {
  return t.clock.nowMs();
}

/** The logged effects since the last call, as argv arrays. */
function takeEffects(t: TestEngine): string[][] {
  const out = t.effects.map((e) => [...e.argv]);
  t.effects.length = 0;
  return out;
}

describe('declarations', () => {
  test('arity, flags, keys and ACL categories match Redis 7.0 COMMAND INFO', () => {
    const expected: Record<string, [number, string[], [number, number, number], string[]]> = {
      set: [-3, ['write', 'denyoom'], [1, 1, 1], ['write', 'string', 'slow']],
      get: [2, ['readonly', 'fast'], [1, 1, 1], ['read', 'string', 'fast']],
      getex: [-2, ['write', 'fast'], [1, 1, 1], ['write', 'string', 'fast']],
      getdel: [2, ['write', 'fast'], [1, 1, 1], ['write', 'string', 'fast']],
      getset: [3, ['write', 'denyoom', 'fast'], [1, 1, 1], ['write', 'string', 'fast']],
      mget: [-2, ['readonly', 'fast'], [1, -1, 1], ['read', 'string', 'fast']],
      mset: [-3, ['write', 'denyoom'], [1, -1, 2], ['write', 'string', 'slow']],
      msetnx: [-3, ['write', 'denyoom'], [1, -1, 2], ['write', 'string', 'slow']],
      setnx: [3, ['write', 'denyoom', 'fast'], [1, 1, 1], ['write', 'string', 'fast']],
      setex: [4, ['write', 'denyoom'], [1, 1, 1], ['write', 'string', 'slow']],
      psetex: [4, ['write', 'denyoom'], [1, 1, 1], ['write', 'string', 'slow']],
      append: [3, ['write', 'denyoom', 'fast'], [1, 1, 1], ['write', 'string', 'fast']],
      strlen: [2, ['readonly', 'fast'], [1, 1, 1], ['read', 'string', 'fast']],
      getrange: [4, ['readonly'], [1, 1, 1], ['read', 'string', 'slow']],
      setrange: [4, ['write', 'denyoom'], [1, 1, 1], ['write', 'string', 'slow']],
      incr: [2, ['write', 'denyoom', 'fast'], [1, 1, 1], ['write', 'string', 'fast']],
      decr: [2, ['write', 'denyoom', 'fast'], [1, 1, 1], ['write', 'string', 'fast']],
      incrby: [3, ['write', 'denyoom', 'fast'], [1, 1, 1], ['write', 'string', 'fast']],
      decrby: [3, ['write', 'denyoom', 'fast'], [1, 1, 1], ['write', 'string', 'fast']],
      incrbyfloat: [3, ['write', 'denyoom', 'fast'], [1, 1, 1], ['write', 'string', 'fast']],
      lcs: [-3, ['readonly'], [1, 2, 1], ['read', 'string', 'slow']],
      substr: [4, ['readonly'], [1, 1, 1], ['read', 'string', 'slow']],
    };
    assert.deepEqual(stringCommands.map((s) => s.name).sort(), Object.keys(expected).sort());
    for (const spec of stringCommands) {
      const [arity, flags, keys, acl] = expected[spec.name]!;
      assert.equal(spec.arity, arity, spec.name);
      assert.deepEqual([...spec.flags].sort(), [...flags].sort(), spec.name);
      assert.deepEqual([spec.keys!.first, spec.keys!.last, spec.keys!.step], keys, spec.name);
      assert.deepEqual(aclCategories(spec).sort(), [...acl].sort(), spec.name);
    }
  });

  test('arity errors come from the dispatcher with the command name', () => {
    const t = testEngine();
    assert.deepEqual(t.run('get'), { error: "ERR wrong number of arguments for 'get' command" });
    assert.deepEqual(t.run('set', 'k'), { error: "ERR wrong number of arguments for 'set' command" });
    assert.deepEqual(t.run('lcs', 'a'), { error: "ERR wrong number of arguments for 'lcs' command" });
    assert.deepEqual(t.run('getrange', 'a', '1'), { error: "ERR wrong number of arguments for 'getrange' command" });
  });
});

describe('SET and GET', () => {
  test('set, get, overwrite, missing key, wrong type', () => {
    const t = engineWithList();
    assert.equal(t.run('get', 'k'), null);
    assert.equal(t.run('set', 'k', 'v1'), 'OK');
    assert.equal(t.run('get', 'k'), 'v1');
    assert.equal(t.run('set', 'k', 'v2'), 'OK');
    assert.equal(t.run('get', 'k'), 'v2');
    assert.deepEqual(t.run('get', 'list'), WRONGTYPE);
    assert.equal(t.run('set', 'list', 'now a string'), 'OK'); // plain SET replaces any type
    assert.equal(t.run('get', 'list'), 'now a string');
    assert.deepEqual(takeEffects(t), [['set', 'k', 'v1'], ['set', 'k', 'v2'], ['set', 'list', 'now a string']]);
  });

  test('values are binary-safe latin1 strings', () => {
    const t = testEngine();
    const bytes = Buffer.from([0, 255, 128, 10, 13, 32]);
    t.session().raw(['set', 'b', bytes]);
    const r = t.raw('get', 'b');
    assert.equal(Buffer.from(r.v as string, 'latin1').compare(bytes), 0);
    assert.equal(t.run('strlen', 'b'), 6);
  });

  test('NX and XX', () => {
    const t = testEngine();
    assert.equal(t.run('set', 'k', 'a', 'XX'), null);
    assert.equal(t.run('get', 'k'), null);
    assert.equal(t.run('set', 'k', 'a', 'nx'), 'OK');
    assert.equal(t.run('set', 'k', 'b', 'NX'), null);
    assert.equal(t.run('get', 'k'), 'a');
    assert.equal(t.run('set', 'k', 'c', 'xx'), 'OK');
    assert.equal(t.run('get', 'k'), 'c');
    assert.equal(t.run('set', 'k', 'd', 'NX', 'NX'), null); // repeating a word is allowed
    // Only the successful writes are logged, as sent.
    assert.deepEqual(takeEffects(t), [['set', 'k', 'a', 'nx'], ['set', 'k', 'c', 'xx']]);
  });

  test('GET option: old value, with NX/XX, wrong type, and GET left out of the log', () => {
    const t = engineWithList();
    assert.equal(t.run('set', 'k', 'v1', 'GET'), null);
    assert.equal(t.run('set', 'k', 'v2', 'get', 'GET'), 'v1');
    assert.equal(t.run('set', 'k', 'v3', 'GeT', 'Nx'), 'v2'); // NX aborts but GET still replies
    assert.equal(t.run('get', 'k'), 'v2');
    assert.equal(t.run('set', 'new', 'x', 'XX', 'GET'), null);
    assert.equal(t.run('get', 'new'), null);
    assert.equal(t.run('set', 'k', 'v4', 'XX', 'GET', 'KEEPTTL'), 'v2');
    assert.deepEqual(t.run('set', 'list', 'v', 'GET'), WRONGTYPE);
    assert.deepEqual(t.run('set', 'list', 'v', 'NX', 'GET'), WRONGTYPE);
    assert.equal(t.run('set', 'list', 'v', 'NX'), null);
    assert.deepEqual(takeEffects(t), [
      ['set', 'k', 'v1'],
      ['set', 'k', 'v2'],
      ['set', 'k', 'v4', 'XX', 'KEEPTTL'],
    ]);
  });

  test('syntax errors for unknown words and conflicting options', () => {
    const t = testEngine();
    const bad = [
      ['NX', 'XX'], ['XX', 'NX'], ['KEEPTTL', 'EX', '10'], ['EX', '10', 'KEEPTTL'], ['EX'], ['PX'], ['EXAT'], ['PXAT'],
      ['EX', '10', 'PX', '10'], ['PX', '10', 'EXAT', '10'], ['EXAT', '10', 'PXAT', '10'], ['PXAT', '10', 'EX', '10'],
      ['PERSIST'], ['FOO'], ['EX', '10', 'extra'], ['PX', '100', 'KEEPTTL'], ['NXX'], ['G'],
    ];
    for (const opts of bad) assert.deepEqual(t.run('set', 'k', 'v', ...opts), SYNTAX, opts.join(' '));
    assert.equal(t.run('get', 'k'), null);
    assert.deepEqual(takeEffects(t), []);
  });

  test('TTL argument errors', () => {
    const t = engineWithList();
    assert.deepEqual(t.run('set', 'k', 'v', 'EX', 'abc'), NOT_INT);
    assert.deepEqual(t.run('set', 'k', 'v', 'EX', '1.5'), NOT_INT);
    assert.deepEqual(t.run('set', 'k', 'v', 'EX', ' 10'), NOT_INT);
    assert.deepEqual(t.run('set', 'k', 'v', 'EX', '010'), NOT_INT);
    assert.deepEqual(t.run('set', 'k', 'v', 'EX', '0'), invalidExpire('set'));
    assert.deepEqual(t.run('set', 'k', 'v', 'EX', '-1'), invalidExpire('set'));
    assert.deepEqual(t.run('set', 'k', 'v', 'PX', '-100'), invalidExpire('set'));
    assert.deepEqual(t.run('set', 'k', 'v', 'EXAT', '0'), invalidExpire('set'));
    assert.deepEqual(t.run('set', 'k', 'v', 'PXAT', '0'), invalidExpire('set'));
    assert.deepEqual(t.run('set', 'k', 'v', 'PX', '9223372036854775807'), invalidExpire('set')); // now + ms overflows
    assert.deepEqual(t.run('set', 'k', 'v', 'EX', '9223372036854776'), invalidExpire('set')); // * 1000 overflows
    assert.deepEqual(t.run('set', 'k', 'v', 'EX', '9223372036854775'), invalidExpire('set')); // + now overflows
    assert.deepEqual(t.run('set', 'k', 'v', 'EX', '99999999999999999999'), NOT_INT);
    // The TTL is checked before the GET option looks at the key's type.
    assert.deepEqual(t.run('set', 'list', 'v', 'GET', 'EX', '0'), invalidExpire('set'));
    assert.deepEqual(t.run('set', 'list', 'v', 'GET', 'EX', '10'), WRONGTYPE);
    assert.equal(t.run('get', 'k'), null);
    assert.deepEqual(takeEffects(t), []);
  });

  test('EX and PX set a TTL and are logged as SET ... PXAT <absolute ms>', () => {
    const t = testEngine();
    const t0 = now(t);
    assert.equal(t.run('set', 'a', 'v', 'EX', '10'), 'OK');
    assert.equal(entry(t, 'a')!.expiresAt, t0 + 10_000);
    assert.equal(t.run('set', 'b', 'v', 'px', '1500', 'NX', 'GET'), null);
    assert.equal(entry(t, 'b')!.expiresAt, t0 + 1500);
    assert.equal(t.run('set', 'c', 'v', 'EX', '10', 'EX', '20'), 'OK'); // the last one wins
    assert.equal(entry(t, 'c')!.expiresAt, t0 + 20_000);
    assert.deepEqual(takeEffects(t), [
      ['SET', 'a', 'v', 'PXAT', String(t0 + 10_000)],
      ['SET', 'b', 'v', 'PXAT', String(t0 + 1500)],
      ['SET', 'c', 'v', 'PXAT', String(t0 + 20_000)],
    ]);
    t.clock.advance(1499);
    assert.equal(t.run('get', 'b'), 'v');
    t.clock.advance(1);
    assert.equal(t.run('get', 'b'), null); // due exactly at its expiry time
    t.clock.advance(10_000 - 1500);
    assert.equal(t.run('get', 'a'), null);
    assert.equal(t.run('get', 'c'), 'v');
    // Lazy expiry logs a DEL for each expired key it removes.
    assert.deepEqual(takeEffects(t), [['DEL', 'b'], ['DEL', 'a']]);
  });

  test('EXAT and PXAT, huge timestamps logged exactly', () => {
    const t = testEngine();
    const t0 = now(t);
    const at = Math.floor(t0 / 1000) + 100;
    assert.equal(t.run('set', 'a', 'v', 'EXAT', String(at)), 'OK');
    assert.equal(entry(t, 'a')!.expiresAt, at * 1000);
    assert.equal(t.run('set', 'b', 'v', 'PXAT', String(t0 + 5)), 'OK');
    assert.equal(t.run('set', 'c', 'v', 'PXAT', '9223372036854775807'), 'OK');
    assert.equal(t.run('set', 'd', 'v', 'EXAT', '9223372036854775'), 'OK');
    assert.deepEqual(takeEffects(t), [
      ['SET', 'a', 'v', 'PXAT', String(at * 1000)],
      ['SET', 'b', 'v', 'PXAT', String(t0 + 5)],
      ['SET', 'c', 'v', 'PXAT', '9223372036854775807'],
      ['SET', 'd', 'v', 'PXAT', '9223372036854775000'],
    ]);
    t.clock.advance(5);
    assert.equal(t.run('get', 'b'), null);
    assert.equal(t.run('get', 'c'), 'v');
  });

  test('a TTL already due deletes the key and is logged as DEL', () => {
    const t = testEngine();
    t.run('set', 'k', 'old');
    takeEffects(t);
    assert.equal(t.run('set', 'k', 'v', 'EXAT', '1'), 'OK');
    assert.equal(entry(t, 'k'), undefined);
    assert.equal(t.run('set', 'k2', 'v', 'PXAT', String(now(t))), 'OK'); // due now counts as past
    assert.equal(entry(t, 'k2'), undefined);
    t.run('set', 'k3', 'old');
    assert.equal(t.run('set', 'k3', 'v', 'PXAT', '1', 'GET'), 'old');
    assert.equal(t.run('get', 'k3'), null);
    assert.deepEqual(takeEffects(t), [['DEL', 'k'], ['DEL', 'k2'], ['set', 'k3', 'old'], ['DEL', 'k3']]);
  });

  test('plain SET clears the TTL, KEEPTTL keeps it', () => {
    const t = testEngine();
    const t0 = now(t);
    t.run('set', 'k', 'v', 'PX', '1000');
    t.run('set', 'k', 'w', 'KEEPTTL');
    assert.equal(entry(t, 'k')!.expiresAt, t0 + 1000);
    t.run('set', 'k', 'x', 'keepttl', 'XX');
    assert.equal(entry(t, 'k')!.expiresAt, t0 + 1000);
    t.run('set', 'k', 'y');
    assert.equal(entry(t, 'k')!.expiresAt, 0);
    t.clock.advance(2000);
    assert.equal(t.run('get', 'k'), 'y');
    assert.deepEqual(takeEffects(t).slice(1), [['set', 'k', 'w', 'KEEPTTL'], ['set', 'k', 'x', 'keepttl', 'XX'], ['set', 'k', 'y']]);
  });

  test('NX treats an expired key as missing', () => {
    const t = testEngine();
    t.run('set', 'k', 'v', 'PX', '10');
    t.clock.advance(10);
    assert.equal(t.run('set', 'k', 'w', 'NX'), 'OK');
    assert.equal(t.run('get', 'k'), 'w');
  });

  test('GET counts keyspace hits and misses', () => {
    const t = testEngine();
    const stats = t.engine.ks.stats;
    t.run('set', 'k', 'v');
    const hits = stats.keyspaceHits;
    const misses = stats.keyspaceMisses;
    t.run('get', 'k');
    t.run('get', 'nope');
    t.run('mget', 'k', 'nope', 'k');
    assert.equal(stats.keyspaceHits - hits, 3);
    assert.equal(stats.keyspaceMisses - misses, 2);
  });

  test('plain SET reports a non-raw encoding; the flag is cleared on overwrite', () => {
    const t = testEngine();
    t.run('append', 'k', 'abc');
    t.run('append', 'k', 'def');
    assert.equal(entry(t, 'k')!.rawEncoding, true);
    t.run('set', 'k', 'v');
    assert.equal(entry(t, 'k')!.rawEncoding, false);
  });
});

describe('SETNX, SETEX, PSETEX, GETSET, MSET, MSETNX, MGET', () => {
  test('SETNX', () => {
    const t = engineWithList();
    assert.equal(t.run('setnx', 'k', 'a'), 1);
    assert.equal(t.run('setnx', 'k', 'b'), 0);
    assert.equal(t.run('setnx', 'list', 'b'), 0);
    assert.equal(t.run('get', 'k'), 'a');
    assert.deepEqual(takeEffects(t), [['setnx', 'k', 'a']]);
  });

  test('SETEX and PSETEX', () => {
    const t = testEngine();
    const t0 = now(t);
    assert.equal(t.run('setex', 'a', '10', 'v'), 'OK');
    assert.equal(t.run('psetex', 'b', '250', 'w'), 'OK');
    assert.equal(entry(t, 'a')!.expiresAt, t0 + 10_000);
    assert.equal(entry(t, 'b')!.expiresAt, t0 + 250);
    assert.deepEqual(t.run('setex', 'a', '0', 'v'), invalidExpire('setex'));
    assert.deepEqual(t.run('setex', 'a', 'x', 'v'), NOT_INT);
    assert.deepEqual(t.run('psetex', 'a', '-5', 'v'), invalidExpire('psetex'));
    assert.deepEqual(takeEffects(t), [
      ['SET', 'a', 'v', 'PXAT', String(t0 + 10_000)],
      ['SET', 'b', 'w', 'PXAT', String(t0 + 250)],
    ]);
    t.clock.advance(250);
    assert.equal(t.run('get', 'b'), null);
    assert.equal(t.run('get', 'a'), 'v');
  });

  test('GETSET returns the old value, clears the TTL, and is logged as SET', () => {
    const t = engineWithList();
    assert.equal(t.run('getset', 'k', 'a'), null);
    t.run('set', 'k', 'b', 'EX', '100');
    assert.equal(t.run('getset', 'k', 'c'), 'b');
    assert.equal(entry(t, 'k')!.expiresAt, 0);
    assert.deepEqual(t.run('getset', 'list', 'x'), WRONGTYPE);
    const effects = takeEffects(t);
    assert.deepEqual(effects[0], ['SET', 'k', 'a']);
    assert.deepEqual(effects[2], ['SET', 'k', 'c']);
    assert.equal(effects.length, 3);
  });

  test('MSET, MSETNX and MGET', () => {
    const t = engineWithList();
    assert.equal(t.run('mset', 'a', '1', 'b', '2', 'a', '3'), 'OK'); // the last value of a key wins
    assert.deepEqual(t.run('mget', 'a', 'b', 'list', 'nope'), ['3', '2', null, null]);
    assert.deepEqual(t.run('mset', 'a'), { error: "ERR wrong number of arguments for 'mset' command" });
    assert.deepEqual(t.run('mset', 'a', 'b', 'c'), { error: "ERR wrong number of arguments for 'mset' command" });
    assert.deepEqual(t.run('msetnx', 'a', 'b', 'c'), { error: "ERR wrong number of arguments for 'msetnx' command" });
    assert.equal(t.run('msetnx', 'x', '1', 'a', '9'), 0);
    assert.deepEqual(t.run('mget', 'x', 'a'), [null, '3']);
    assert.equal(t.run('msetnx', 'x', '1', 'y', '2'), 1);
    assert.deepEqual(t.run('mget', 'x', 'y'), ['1', '2']);
    assert.equal(t.run('msetnx', 'list', 'v'), 0); // any existing key blocks, whatever its type
    t.run('set', 'ttl', 'v', 'EX', '10');
    takeEffects(t);
    t.run('mset', 'ttl', 'w');
    assert.equal(entry(t, 'ttl')!.expiresAt, 0);
    assert.deepEqual(takeEffects(t), [['mset', 'ttl', 'w']]);
  });

  test('MSET counts one change per key', () => {
    const t = testEngine();
    const before = t.engine.ks.dirty;
    t.run('mset', 'a', '1', 'b', '2', 'c', '3');
    assert.equal(t.engine.ks.dirty - before, 3);
  });
});

describe('GETEX and GETDEL', () => {
  test('GETEX without options is a plain read and logs nothing', () => {
    const t = engineWithList();
    t.run('set', 'k', 'v');
    takeEffects(t);
    assert.equal(t.run('getex', 'k'), 'v');
    assert.equal(t.run('getex', 'nope'), null);
    assert.deepEqual(t.run('getex', 'list'), WRONGTYPE);
    assert.deepEqual(takeEffects(t), []);
  });

  test('GETEX EX/PX/EXAT/PXAT set the TTL, logged as PEXPIREAT', () => {
    const t = testEngine();
    const t0 = now(t);
    t.run('set', 'k', 'v');
    takeEffects(t);
    assert.equal(t.run('getex', 'k', 'EX', '10'), 'v');
    assert.equal(entry(t, 'k')!.expiresAt, t0 + 10_000);
    assert.equal(t.run('getex', 'k', 'px', '500'), 'v');
    assert.equal(entry(t, 'k')!.expiresAt, t0 + 500);
    const at = Math.floor(t0 / 1000) + 60;
    assert.equal(t.run('getex', 'k', 'EXAT', String(at)), 'v');
    assert.equal(t.run('getex', 'k', 'PXAT', String(t0 + 700)), 'v');
    assert.deepEqual(takeEffects(t), [
      ['PEXPIREAT', 'k', String(t0 + 10_000)],
      ['PEXPIREAT', 'k', String(t0 + 500)],
      ['PEXPIREAT', 'k', String(at * 1000)],
      ['PEXPIREAT', 'k', String(t0 + 700)],
    ]);
    t.clock.advance(700);
    assert.equal(t.run('getex', 'k'), null);
  });

  test('GETEX PERSIST removes the TTL and is logged only when there was one', () => {
    const t = testEngine();
    t.run('set', 'k', 'v', 'EX', '10');
    takeEffects(t);
    assert.equal(t.run('getex', 'k', 'PERSIST'), 'v');
    assert.equal(entry(t, 'k')!.expiresAt, 0);
    assert.equal(t.run('getex', 'k', 'persist'), 'v');
    assert.deepEqual(takeEffects(t), [['PERSIST', 'k']]);
    t.clock.advance(20_000);
    assert.equal(t.run('get', 'k'), 'v');
  });

  test('GETEX with a past absolute time deletes the key, logged as DEL', () => {
    const t = testEngine();
    t.run('set', 'k', 'v');
    t.run('set', 'k2', 'v');
    takeEffects(t);
    assert.equal(t.run('getex', 'k', 'EXAT', '1'), 'v');
    assert.equal(entry(t, 'k'), undefined);
    assert.equal(t.run('getex', 'k2', 'PXAT', String(now(t))), 'v');
    assert.equal(entry(t, 'k2'), undefined);
    assert.deepEqual(takeEffects(t), [['DEL', 'k'], ['DEL', 'k2']]);
  });

  test('GETEX errors: syntax first, then missing key, type, and TTL value', () => {
    const t = engineWithList();
    t.run('set', 'k', 'v');
    for (const opts of [['PERSIST', 'EX', '10'], ['EX', '10', 'PERSIST'], ['KEEPTTL'], ['NX'], ['XX'], ['GET'], ['EX'], ['FOO'], ['EX', '1', 'PX', '1']]) {
      assert.deepEqual(t.run('getex', 'k', ...opts), SYNTAX, opts.join(' '));
    }
    assert.deepEqual(t.run('getex', 'nope', 'FOO'), SYNTAX);
    assert.equal(t.run('getex', 'nope', 'EX', '0'), null); // missing key: the TTL is not checked
    assert.deepEqual(t.run('getex', 'list', 'EX', '0'), WRONGTYPE);
    assert.deepEqual(t.run('getex', 'k', 'EX', '0'), invalidExpire('getex'));
    assert.deepEqual(t.run('getex', 'k', 'PX', 'abc'), NOT_INT);
    assert.deepEqual(t.run('getex', 'k', 'EXAT', '-3'), invalidExpire('getex'));
    assert.equal(entry(t, 'k')!.expiresAt, 0);
  });

  test('GETDEL returns and deletes, logged as DEL', () => {
    const t = engineWithList();
    t.run('set', 'k', 'v', 'EX', '10');
    takeEffects(t);
    assert.equal(t.run('getdel', 'k'), 'v');
    assert.equal(entry(t, 'k'), undefined);
    assert.equal(t.run('getdel', 'k'), null);
    assert.deepEqual(t.run('getdel', 'list'), WRONGTYPE);
    assert.deepEqual(takeEffects(t), [['DEL', 'k']]);
  });
});

describe('APPEND, STRLEN, GETRANGE, SUBSTR, SETRANGE', () => {
  test('APPEND creates, grows in place (raw encoding), keeps the TTL', () => {
    const t = engineWithList();
    assert.equal(t.run('append', 'k', 'hello'), 5);
    assert.equal(entry(t, 'k')!.rawEncoding, false);
    assert.equal(t.run('append', 'k', ' world'), 11);
    assert.equal(entry(t, 'k')!.rawEncoding, true);
    assert.equal(t.run('get', 'k'), 'hello world');
    assert.equal(t.run('append', 'e', ''), 0); // an empty append still creates the key
    assert.equal(t.run('get', 'e'), '');
    assert.deepEqual(t.run('append', 'list', 'x'), WRONGTYPE);
    t.run('set', 'ttl', 'a', 'EX', '10');
    const at = entry(t, 'ttl')!.expiresAt;
    t.run('append', 'ttl', 'b');
    assert.equal(entry(t, 'ttl')!.expiresAt, at);
    const effects = takeEffects(t);
    assert.deepEqual(effects.slice(0, 3), [['append', 'k', 'hello'], ['append', 'k', ' world'], ['append', 'e', '']]);
    assert.deepEqual(effects[effects.length - 1], ['append', 'ttl', 'b']);
  });

  test('STRLEN', () => {
    const t = engineWithList();
    assert.equal(t.run('strlen', 'nope'), 0);
    t.run('set', 'k', 'hello');
    assert.equal(t.run('strlen', 'k'), 5);
    assert.deepEqual(t.run('strlen', 'list'), WRONGTYPE);
  });

  test('GETRANGE and SUBSTR follow Redis index rules', () => {
    const t = engineWithList();
    t.run('set', 's', 'hello');
    const cases: Array<[string, string, string]> = [
      ['0', '-1', 'hello'], ['0', '0', 'h'], ['1', '3', 'ell'], ['-3', '-1', 'llo'], ['-1', '-5', ''],
      ['0', '-100', 'h'], ['-100', '-100', 'h'], ['-100', '2', 'hel'], ['3', '1000', 'lo'], ['5', '10', ''],
      ['2', '1', ''], ['-9223372036854775808', '9223372036854775807', 'hello'],
    ];
    for (const [start, end, expected] of cases) {
      assert.equal(t.run('getrange', 's', start, end), expected, `${start} ${end}`);
      assert.equal(t.run('substr', 's', start, end), expected, `substr ${start} ${end}`);
    }
    assert.equal(t.run('getrange', 'nope', '0', '1'), '');
    t.run('set', 'empty', '');
    assert.equal(t.run('getrange', 'empty', '0', '-1'), '');
    assert.deepEqual(t.run('getrange', 's', 'a', '1'), NOT_INT);
    assert.deepEqual(t.run('getrange', 's', '3', '1000000000000000000000'), NOT_INT);
    assert.deepEqual(t.run('getrange', 'list', 'a', '1'), NOT_INT); // arguments first
    assert.deepEqual(t.run('getrange', 'list', '0', '1'), WRONGTYPE);
  });

  test('SETRANGE overwrites, pads with zero bytes, keeps the TTL', () => {
    const t = engineWithList();
    t.run('set', 's', 'Hello World', 'EX', '100');
    const at = entry(t, 's')!.expiresAt;
    takeEffects(t);
    assert.equal(t.run('setrange', 's', '6', 'Redis'), 11);
    assert.equal(t.run('get', 's'), 'Hello Redis');
    assert.equal(entry(t, 's')!.rawEncoding, true);
    assert.equal(entry(t, 's')!.expiresAt, at);
    assert.equal(t.run('setrange', 's', '9', 'XYZ'), 12);
    assert.equal(t.run('get', 's'), 'Hello RedXYZ');
    assert.equal(t.run('setrange', 'p', '3', 'ab'), 5);
    assert.equal(t.raw('get', 'p').v, '\0\0\0ab');
    assert.equal(entry(t, 'p')!.rawEncoding, true);
    assert.equal(t.run('setrange', 'p', '7', 'c'), 8);
    assert.equal(t.raw('get', 'p').v, '\0\0\0ab\0\0c');
    assert.equal(t.run('setrange', 'p', '0', ''), 8); // nothing to write: the length, no change
    assert.equal(t.run('setrange', 'missing', '5', ''), 0); // and no key is created
    assert.equal(entry(t, 'missing'), undefined);
    assert.deepEqual(takeEffects(t), [
      ['setrange', 's', '6', 'Redis'], ['setrange', 's', '9', 'XYZ'], ['setrange', 'p', '3', 'ab'], ['setrange', 'p', '7', 'c'],
    ]);
  });

  test('SETRANGE errors and the 512 MB bound', () => {
    const t = engineWithList();
    t.run('set', 's', 'hello');
    assert.deepEqual(t.run('setrange', 's', 'a', 'x'), NOT_INT);
    assert.deepEqual(t.run('setrange', 'list', 'a', 'x'), NOT_INT);
    assert.deepEqual(t.run('setrange', 's', '-1', 'x'), { error: 'ERR offset is out of range' });
    assert.deepEqual(t.run('setrange', 'list', '-1', 'x'), { error: 'ERR offset is out of range' });
    const tooLong = { error: 'ERR string exceeds maximum allowed size (proto-max-bulk-len)' };
    assert.deepEqual(t.run('setrange', 's', '536870912', 'x'), tooLong);
    assert.deepEqual(t.run('setrange', 'new', '536870912', 'x'), tooLong);
    assert.deepEqual(t.run('setrange', 's', '9223372036854775807', 'x'), tooLong);
    assert.equal(t.run('setrange', 's', '536870912', ''), 5);
    assert.equal(t.run('setrange', 'new', '536870912', ''), 0);
    assert.deepEqual(t.run('setrange', 'list', '536870912', ''), WRONGTYPE);
    assert.deepEqual(t.run('setrange', 'list', '0', 'x'), WRONGTYPE);
    assert.equal(t.run('get', 's'), 'hello');
    assert.deepEqual(takeEffects(t), [['set', 's', 'hello']]);
  });

  test('lengths V8 cannot hold get the same error instead of a crash', () => {
    const t = testEngine();
    // Just past V8's longest string ((1 << 29) - 24 chars) but within 512 MB.
    assert.deepEqual(t.run('setrange', 'big', String((1 << 29) - 24), 'x'), { error: 'ERR string exceeds maximum allowed size (proto-max-bulk-len)' });
    assert.equal(entry(t, 'big'), undefined);
  });
});

describe('INCR, DECR, INCRBY, DECRBY', () => {
  test('basic counting, creation at 0, replies as integers', () => {
    const t = testEngine();
    assert.equal(t.run('incr', 'n'), 1);
    assert.equal(t.run('incr', 'n'), 2);
    assert.equal(t.run('decr', 'n'), 1);
    assert.equal(t.run('incrby', 'n', '10'), 11);
    assert.equal(t.run('decrby', 'n', '20'), -9);
    assert.equal(t.run('decrby', 'n', '-9'), 0);
    assert.equal(t.run('incrby', 'n', '0'), 0);
    assert.equal(t.run('decrby', 'n', '0'), 0);
    assert.equal(t.run('get', 'n'), '0');
    assert.equal(t.run('decr', 'm'), -1);
    assert.equal(t.run('get', 'm'), '-1');
    assert.deepEqual(takeEffects(t), [
      ['incr', 'n'], ['incr', 'n'], ['decr', 'n'], ['incrby', 'n', '10'], ['decrby', 'n', '20'], ['decrby', 'n', '-9'],
      ['incrby', 'n', '0'], ['decrby', 'n', '0'], ['decr', 'm'],
    ]);
  });

  test('values that are not canonical int64 text are refused (string2ll)', () => {
    const t = engineWithList();
    for (const v of ['abc', ' 1', '1 ', '01', '+1', '1.0', '', '-', '-0', '9223372036854775808', '1e3', '0x10']) {
      t.run('set', 'k', v);
      assert.deepEqual(t.run('incr', 'k'), NOT_INT, JSON.stringify(v));
    }
    assert.deepEqual(t.run('incr', 'list'), WRONGTYPE);
    assert.deepEqual(t.run('incrby', 'n', 'x'), NOT_INT);
    assert.deepEqual(t.run('incrby', 'n', '9223372036854775808'), NOT_INT);
    assert.deepEqual(t.run('incrby', 'n', ' 1'), NOT_INT);
    assert.deepEqual(t.run('decrby', 'n', '1.5'), NOT_INT);
    assert.deepEqual(t.run('incrby', 'list', 'x'), NOT_INT); // the increment is checked first
  });

  test('int64 edges are exact and overflow is refused', () => {
    const t = testEngine();
    t.run('set', 'k', '9223372036854775806');
    assert.equal(t.run('incr', 'k'), 9223372036854775807n);
    assert.deepEqual(t.run('incr', 'k'), OVERFLOW);
    assert.equal(t.run('get', 'k'), '9223372036854775807');
    assert.equal(t.run('incrby', 'k', '-1'), 9223372036854775806n);
    t.run('set', 'k', '-9223372036854775808');
    assert.deepEqual(t.run('decr', 'k'), OVERFLOW);
    assert.deepEqual(t.run('incrby', 'k', '-1'), OVERFLOW);
    assert.equal(t.run('incrby', 'k', '9223372036854775807'), -1);
    t.run('set', 'k', '9007199254740993'); // 2^53 + 1: not representable as a double
    assert.equal(t.run('incr', 'k'), 9007199254740994n);
    assert.equal(t.run('get', 'k'), '9007199254740994');
    assert.equal(t.run('incrby', 'k', '-9007199254740994'), 0);
    assert.equal(t.run('incrby', 'z', '9223372036854775807'), 9223372036854775807n);
    assert.equal(t.run('decrby', 'z', '9223372036854775807'), 0);
    t.run('set', 'k', '999999999999999'); // 15 digits: the fast path
    assert.equal(t.run('incrby', 'k', '999999999999999'), 1999999999999998);
    assert.equal(t.run('get', 'k'), '1999999999999998');
  });

  test('DECRBY of INT64_MIN is refused before the key is read', () => {
    const t = engineWithList();
    t.run('set', 'k', 'not a number');
    const err = { error: 'ERR decrement would overflow' };
    assert.deepEqual(t.run('decrby', 'k', '-9223372036854775808'), err);
    assert.deepEqual(t.run('decrby', 'list', '-9223372036854775808'), err);
    t.run('set', 'n', '1');
    assert.deepEqual(t.run('decrby', 'n', '-9223372036854775808'), err);
  });

  test('counters keep the TTL and are stored as plain (non-raw) strings', () => {
    const t = testEngine();
    t.run('set', 'k', '10', 'EX', '100');
    t.run('append', 'k', '0');
    assert.equal(entry(t, 'k')!.rawEncoding, true);
    const at = entry(t, 'k')!.expiresAt;
    assert.equal(t.run('incr', 'k'), 101);
    assert.equal(entry(t, 'k')!.expiresAt, at);
    assert.equal(entry(t, 'k')!.rawEncoding, false);
    t.clock.advance(100_000);
    assert.equal(t.run('incr', 'k'), 1); // expired: counts from 0 again, without a TTL
    assert.equal(entry(t, 'k')!.expiresAt, 0);
  });
});

describe('INCRBYFLOAT', () => {
  test('adds in long-double precision and is logged as SET ... KEEPTTL', () => {
    const t = testEngine();
    assert.equal(t.run('incrbyfloat', 'f', '1.5'), '1.5');
    assert.equal(t.run('incrbyfloat', 'f', '0.1'), '1.6');
    t.run('set', 'g', '10.5');
    assert.equal(t.run('incrbyfloat', 'g', '0.1'), '10.6');
    t.run('set', 'h', '5.0e3');
    assert.equal(t.run('incrbyfloat', 'h', '2.0e2'), '5200');
    t.run('set', 'i', '1');
    assert.equal(t.run('incrbyfloat', 'i', '-1'), '0');
    assert.deepEqual(takeEffects(t), [
      ['SET', 'f', '1.5', 'KEEPTTL'],
      ['SET', 'f', '1.6', 'KEEPTTL'],
      ['set', 'g', '10.5'],
      ['SET', 'g', '10.6', 'KEEPTTL'],
      ['set', 'h', '5.0e3'],
      ['SET', 'h', '5200', 'KEEPTTL'],
      ['set', 'i', '1'],
      ['SET', 'i', '0', 'KEEPTTL'],
    ]);
  });

  test('errors', () => {
    const t = engineWithList();
    t.run('set', 'k', 'abc');
    assert.deepEqual(t.run('incrbyfloat', 'k', '1'), NOT_FLOAT);
    assert.deepEqual(t.run('incrbyfloat', 'n', 'abc'), NOT_FLOAT);
    assert.deepEqual(t.run('incrbyfloat', 'n', ' 1'), NOT_FLOAT);
    assert.deepEqual(t.run('incrbyfloat', 'list', '1'), WRONGTYPE);
    assert.deepEqual(t.run('incrbyfloat', 'n', 'inf'), { error: 'ERR increment would produce NaN or Infinity' });
    assert.equal(entry(t, 'n'), undefined);
    t.run('set', 'n', '1e4932');
    assert.deepEqual(t.run('incrbyfloat', 'n', '1e4932'), { error: 'ERR increment would produce NaN or Infinity' });
    assert.equal(t.run('get', 'n'), '1e4932');
  });

  test('keeps the TTL', () => {
    const t = testEngine();
    t.run('set', 'k', '1', 'PX', '1000');
    const at = entry(t, 'k')!.expiresAt;
    assert.equal(t.run('incrbyfloat', 'k', '2.5'), '3.5');
    assert.equal(entry(t, 'k')!.expiresAt, at);
    t.clock.advance(1000);
    assert.equal(t.run('get', 'k'), null);
  });
});

describe('LCS', () => {
  function lcsEngine(): TestEngine {
    const t = engineWithList();
    t.run('mset', 'key1', 'ohmytext', 'key2', 'mynewtext', 'a1', 'abcabcabc', 'b1', 'cbacba');
    return t;
  }

  test('the subsequence and its length', () => {
    const t = lcsEngine();
    assert.equal(t.run('lcs', 'key1', 'key2'), 'mytext');
    assert.equal(t.run('lcs', 'key1', 'key2', 'LEN'), 6);
    assert.equal(t.run('lcs', 'key1', 'key2', 'withmatchlen', 'len'), 6);
    assert.equal(t.run('lcs', 'a1', 'b1'), 'cbac');
    assert.equal(t.run('lcs', 'key1', 'nope'), '');
    assert.equal(t.run('lcs', 'nope', 'nope', 'len'), 0);
  });

  test('IDX ranges, MINMATCHLEN and WITHMATCHLEN (vectors from Redis 7.0.15)', () => {
    const t = lcsEngine();
    assert.deepEqual(t.run('lcs', 'key1', 'key2', 'IDX'), new Map<unknown, unknown>([
      ['matches', [[[4, 7], [5, 8]], [[2, 3], [0, 1]]]],
      ['len', 6],
    ]));
    assert.deepEqual(t.run('lcs', 'key1', 'key2', 'idx', 'minmatchlen', '4', 'withmatchlen'), new Map<unknown, unknown>([
      ['matches', [[[4, 7], [5, 8], 4]]],
      ['len', 6],
    ]));
    assert.deepEqual(t.run('lcs', 'key1', 'key2', 'idx', 'withmatchlen', 'minmatchlen', '-5'), new Map<unknown, unknown>([
      ['matches', [[[4, 7], [5, 8], 4], [[2, 3], [0, 1], 2]]],
      ['len', 6],
    ]));
    assert.deepEqual(t.run('lcs', 'a1', 'b1', 'IDX', 'WITHMATCHLEN'), new Map<unknown, unknown>([
      ['matches', [[[8, 8], [3, 3], 1], [[6, 6], [2, 2], 1], [[4, 4], [1, 1], 1], [[2, 2], [0, 0], 1]]],
      ['len', 4],
    ]));
    assert.deepEqual(t.run('lcs', 'key1', 'nope', 'IDX'), new Map<unknown, unknown>([['matches', []], ['len', 0]]));
  });

  test('errors', () => {
    const t = lcsEngine();
    const notStrings = { error: 'ERR The specified keys must contain string values' };
    assert.deepEqual(t.run('lcs', 'list', 'key1'), notStrings);
    assert.deepEqual(t.run('lcs', 'key1', 'list', 'bogus'), notStrings); // type before options
    assert.deepEqual(t.run('lcs', 'key1', 'key2', 'LEN', 'IDX'), { error: 'ERR If you want both the length and indexes, please just use IDX.' });
    assert.deepEqual(t.run('lcs', 'key1', 'key2', 'MINMATCHLEN', 'x'), NOT_INT);
    assert.deepEqual(t.run('lcs', 'key1', 'key2', 'MINMATCHLEN'), SYNTAX);
    assert.deepEqual(t.run('lcs', 'key1', 'key2', 'foo'), SYNTAX);
  });

  test('the table size is bounded', () => {
    const t = testEngine();
    t.run('set', 'a', 'a'.repeat(20_000));
    t.run('set', 'b', 'b'.repeat(20_000));
    assert.deepEqual(t.run('lcs', 'a', 'b'), { error: 'ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len' });
  });

  test('matches a reference LCS length on random strings', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom('a', 'b', 'c'), maxLength: 30 }), fc.string({ unit: fc.constantFrom('a', 'b', 'c'), maxLength: 30 }), (a, b) => {
        const t = testEngine();
        t.run('mset', 'a', a, 'b', b);
        const text = t.run('lcs', 'a', 'b') as string;
        assert.equal(text.length, referenceLcsLength(a, b));
        assert.ok(isSubsequence(text, a) && isSubsequence(text, b));
        assert.equal(t.run('lcs', 'a', 'b', 'LEN'), text.length);
      }),
      { numRuns: 100, seed: 7 },
    );
  });
});

function referenceLcsLength(a: string, b: string): number {
  let prev = new Array<number>(b.length + 1).fill(0);
  for (let i = 1; i <= a.length; i++) {
    const cur = new Array<number>(b.length + 1).fill(0);
    for (let j = 1; j <= b.length; j++) cur[j] = a[i - 1] === b[j - 1] ? prev[j - 1]! + 1 : Math.max(prev[j]!, cur[j - 1]!);
    prev = cur;
  }
  return prev[b.length]!;
}

function isSubsequence(sub: string, s: string): boolean {
  let i = 0;
  for (let j = 0; j < s.length && i < sub.length; j++) if (s[j] === sub[i]) i++;
  return i === sub.length;
}

describe('WATCH sees in-place changes', () => {
  for (const [name, args] of [
    ['append', ['append', 'w', 'x']],
    ['setrange', ['setrange', 'w', '0', 'x']],
    ['incr', ['incr', 'w']],
    ['incrbyfloat', ['incrbyfloat', 'w', '1']],
    ['getex', ['getex', 'w', 'EX', '100']],
  ] as const) {
    test(name, () => {
      const t = testEngine();
      t.run('set', 'w', '1');
      const other = t.session();
      assert.equal(t.run('watch', 'w'), 'OK');
      other.command(...args);
      assert.equal(t.run('multi'), 'OK');
      assert.equal(t.run('get', 'w'), 'QUEUED');
      assert.equal(t.run('exec'), null);
    });
  }
});

describe('model check', () => {
  type Op =
    | { kind: 'set'; key: string; value: string }
    | { kind: 'append'; key: string; value: string }
    | { kind: 'setrange'; key: string; offset: number; value: string }
    | { kind: 'incrby'; key: string; by: number }
    | { kind: 'getrange'; key: string; start: number; end: number }
    | { kind: 'get'; key: string };

  const key = fc.constantFrom('a', 'b', 'c');
  const value = fc.oneof(fc.string({ maxLength: 6 }), fc.integer({ min: -1000, max: 1000 }).map(String));
  const op: fc.Arbitrary<Op> = fc.oneof(
    fc.record({ kind: fc.constant('set' as const), key, value }),
    fc.record({ kind: fc.constant('append' as const), key, value }),
    fc.record({ kind: fc.constant('setrange' as const), key, offset: fc.integer({ min: 0, max: 12 }), value }),
    fc.record({ kind: fc.constant('incrby' as const), key, by: fc.integer({ min: -50, max: 50 }) }),
    fc.record({ kind: fc.constant('getrange' as const), key, start: fc.integer({ min: -12, max: 12 }), end: fc.integer({ min: -12, max: 12 }) }),
    fc.record({ kind: fc.constant('get' as const), key }),
  );

  /** The naive model: a Map of strings, with Redis's semantics written the obvious way. */
  function apply(model: Map<string, string>, o: Op): unknown {
    const cur = model.get(o.key);
    switch (o.kind) {
      case 'set':
        model.set(o.key, o.value);
        return 'OK';
      case 'append':
        model.set(o.key, (cur ?? '') + o.value);
        return model.get(o.key)!.length;
      case 'setrange': {
        if (o.value === '') return (cur ?? '').length;
        const base = (cur ?? '').padEnd(o.offset, '\0');
        const next = base.slice(0, o.offset) + o.value + base.slice(o.offset + o.value.length);
        model.set(o.key, next);
        return next.length;
      }
      case 'incrby': {
        const s = cur ?? '0';
        if (!/^(0|-?[1-9][0-9]*)$/.test(s) || s.length > 20) return NOT_INT;
        const v = BigInt(s);
        if (v > INT64_MAX || v < -INT64_MAX - 1n) return NOT_INT;
        const n = v + BigInt(o.by);
        if (n > INT64_MAX || n < -INT64_MAX - 1n) return OVERFLOW;
        model.set(o.key, String(n));
        return String(n);
      }
      case 'getrange': {
        const s = cur ?? '';
        const len = s.length;
        if (o.start < 0 && o.end < 0 && o.start > o.end) return '';
        const start = Math.max(0, o.start < 0 ? len + o.start : o.start);
        const end = Math.min(len - 1, Math.max(0, o.end < 0 ? len + o.end : o.end));
        return start > end || len === 0 ? '' : s.slice(start, end + 1);
      }
      case 'get':
        return cur ?? null;
    }
  }

  function run(t: TestEngine, o: Op): unknown {
    switch (o.kind) {
      case 'set': return t.raw('set', o.key, o.value).v;
      case 'append': return t.raw('append', o.key, o.value).v;
      case 'setrange': return t.raw('setrange', o.key, o.offset, o.value).v;
      case 'incrby': {
        const r = t.run('incrby', o.key, o.by);
        return typeof r === 'number' || typeof r === 'bigint' ? String(r) : r;
      }
      case 'getrange': return t.raw('getrange', o.key, o.start, o.end).v;
      case 'get': return t.raw('get', o.key).v;
    }
  }

  test('random SET/APPEND/SETRANGE/INCRBY/GETRANGE sequences agree with a Map model', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 40 }), (ops) => {
        const t = testEngine();
        const model = new Map<string, string>();
        for (const o of ops) {
          const expected = apply(model, o);
          const actual = run(t, o);
          assert.deepEqual(actual, expected, JSON.stringify(o));
        }
        for (const k of ['a', 'b', 'c']) assert.equal(t.raw('get', k).v, model.get(k) ?? null);
      }),
      { numRuns: 300, seed: 42 },
    );
  });
});
