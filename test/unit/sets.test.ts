// Set commands and the set structure: replies, error texts, encodings, random picks (checked by
// their properties), keyspace events, the logged effects, the DUMP codec, and properties of the
// structure, of SSCAN and of effect replay. Expected replies and wire bytes were taken from a real
// redis-server 7.0.15 (intset members only where order matters: a hashtable's order is Redis's own).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { setCommands } from '../../src/core/commands/sets.js';
import { keyspaceDigest } from '../../src/core/digest.js';
import { crc64, dumpValue, restoreValue } from '../../src/core/dump.js';
import type { Keyspace } from '../../src/core/keyspace.js';
import { limits } from '../../src/core/limits.js';
import { ReplyKind, type Reply } from '../../src/core/reply.js';
import { Rng } from '../../src/core/rng.js';
import { SetValue } from '../../src/core/types/set.js';
import type { EmbeddedSession } from '../../src/embedded.js';
import { encode } from '../../src/protocols/resp/encoder.js';
import { testEngine, type TestEngine } from '../helpers/engine.js';

const WRONGTYPE = { error: 'WRONGTYPE Operation against a key holding the wrong kind of value' };
const SYNTAX = { error: 'ERR syntax error' };
const NOT_INT = { error: 'ERR value is not an integer or out of range' };
const NOT_POSITIVE = { error: 'ERR value is out of range, must be positive' };
const LONG_RANGE = { error: 'ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807' };
const NUMKEYS = { error: 'ERR numkeys should be greater than 0' };
const NUMKEYS_ARGS = { error: "ERR Number of keys can't be greater than number of args" };
const LIMIT_NEGATIVE = { error: "ERR LIMIT can't be negative" };
const INVALID_CURSOR = { error: 'ERR invalid cursor' };

const hex = (latin1: string): string => Buffer.from(latin1, 'latin1').toString('hex');

/** Members of an array or set reply, in reply order. */
function listed(t: TestEngine, ...args: Array<string | number>): string[] {
  const r = t.raw(...args);
  assert.ok(r.k === ReplyKind.Array || r.k === ReplyKind.Set, `${args.join(' ')}: not an array or set: ${JSON.stringify(r)}`);
  return (r.v as Reply[]).map((x) => x.v as string);
}

/** A set reply decoded: the JS Set, checked to be a set reply (RESP3 ~). */
function setReply(t: TestEngine, ...args: Array<string | number>): string[] {
  const r = t.raw(...args);
  assert.equal(r.k, ReplyKind.Set, `${args.join(' ')} must be a set reply`);
  return (r.v as Reply[]).map((x) => x.v as string);
}

const sorted = (xs: readonly string[]): string[] => [...xs].sort();

function takeEffects(t: TestEngine): string[][] {
  const out = t.effects.map((e) => [...e.argv]);
  t.effects.length = 0;
  return out;
}

/** The set commands' own events; 'new' and 'keymiss' (fired by the key space for any type) are left out. */
function events(t: TestEngine): string[] {
  return t.engine.ks.takeEvents().filter((e) => e.event !== 'new' && e.event !== 'keymiss').map((e) => `${e.event} ${e.key}`);
}

function withEvents(): TestEngine {
  const t = testEngine();
  t.engine.ks.collectEvents = true;
  return t;
}

const range = (from: number, to: number): string[] => Array.from({ length: to - from + 1 }, (_, i) => String(from + i));

function encodingOf(t: TestEngine, key: string): unknown {
  return t.run('object', 'encoding', key);
}

/** Raw wire bytes of a command's reply for the given protocol version, as latin1 text. */
function wire(s: EmbeddedSession, resp: 2 | 3, ...args: string[]): string {
  return encode(s.raw(args), resp).toString('latin1');
}

describe('declarations', () => {
  test('arity, flags, key positions and ACL categories as Redis 7.0 COMMAND INFO', () => {
    const t = testEngine();
    const expected: Record<string, [number, string[], [number, number, number], string[]]> = {
      sadd: [-3, ['write', 'denyoom', 'fast'], [1, 1, 1], ['@write', '@set', '@fast']],
      srem: [-3, ['write', 'fast'], [1, 1, 1], ['@write', '@set', '@fast']],
      smembers: [2, ['readonly'], [1, 1, 1], ['@read', '@set', '@slow']],
      sismember: [3, ['readonly', 'fast'], [1, 1, 1], ['@read', '@set', '@fast']],
      smismember: [-3, ['readonly', 'fast'], [1, 1, 1], ['@read', '@set', '@fast']],
      scard: [2, ['readonly', 'fast'], [1, 1, 1], ['@read', '@set', '@fast']],
      spop: [-2, ['write', 'fast'], [1, 1, 1], ['@write', '@set', '@fast']],
      srandmember: [-2, ['readonly'], [1, 1, 1], ['@read', '@set', '@slow']],
      smove: [4, ['write', 'fast'], [1, 2, 1], ['@write', '@set', '@fast']],
      sinter: [-2, ['readonly'], [1, -1, 1], ['@read', '@set', '@slow']],
      sintercard: [-3, ['readonly', 'movablekeys'], [0, 0, 0], ['@read', '@set', '@slow']],
      sunion: [-2, ['readonly'], [1, -1, 1], ['@read', '@set', '@slow']],
      sdiff: [-2, ['readonly'], [1, -1, 1], ['@read', '@set', '@slow']],
      sinterstore: [-3, ['write', 'denyoom'], [1, -1, 1], ['@write', '@set', '@slow']],
      sunionstore: [-3, ['write', 'denyoom'], [1, -1, 1], ['@write', '@set', '@slow']],
      sdiffstore: [-3, ['write', 'denyoom'], [1, -1, 1], ['@write', '@set', '@slow']],
      sscan: [-3, ['readonly'], [1, 1, 1], ['@read', '@set', '@slow']],
    };
    assert.deepEqual(setCommands.map((s) => s.name).sort(), Object.keys(expected).sort());
    for (const [name, [arity, flags, keys, acl]] of Object.entries(expected)) {
      const info = (t.run('command', 'info', name) as unknown[][])[0]!;
      assert.equal(info[0], name);
      assert.equal(info[1], arity, name);
      assert.deepEqual([...(info[2] as Set<string>)], flags, name);
      assert.deepEqual(info.slice(3, 6), keys, name);
      assert.deepEqual([...(info[6] as Set<string>)], acl, name);
    }
  });

  test('COMMAND GETKEYS finds the keys of SINTERCARD from numkeys, and refuses a bad numkeys', () => {
    const t = testEngine();
    const invalid = { error: 'ERR Invalid arguments specified for command' };
    assert.deepEqual(t.run('command', 'getkeys', 'sintercard', '2', 'a', 'b', 'limit', '3'), ['a', 'b']);
    assert.deepEqual(t.run('command', 'getkeys', 'sintercard', '1', 'a', 'b'), ['a']);
    assert.deepEqual(t.run('command', 'getkeys', 'sintercard', '0', 'a'), invalid);
    assert.deepEqual(t.run('command', 'getkeys', 'sintercard', '-1', 'a'), invalid);
    assert.deepEqual(t.run('command', 'getkeys', 'sintercard', '5', 'a'), invalid);
    assert.deepEqual(t.run('command', 'getkeys', 'sintercard', 'x', 'a'), invalid);
    assert.deepEqual(t.run('command', 'getkeys', 'sinterstore', 'd', 'a', 'b'), ['d', 'a', 'b']);
    assert.deepEqual(t.run('command', 'getkeys', 'smove', 'a', 'b', 'm'), ['a', 'b']);
  });

  test('arity errors come from the dispatcher', () => {
    const t = testEngine();
    assert.deepEqual(t.run('sadd', 's'), { error: "ERR wrong number of arguments for 'sadd' command" });
    assert.deepEqual(t.run('smove', 'a', 'b'), { error: "ERR wrong number of arguments for 'smove' command" });
    assert.deepEqual(t.run('sintercard', '1'), { error: "ERR wrong number of arguments for 'sintercard' command" });
    assert.deepEqual(t.run('sscan', 's'), { error: "ERR wrong number of arguments for 'sscan' command" });
  });
});

describe('SADD, SREM, SCARD, SISMEMBER, SMISMEMBER, SMEMBERS', () => {
  test('add and remove count only real changes; the emptied set is deleted', () => {
    const t = testEngine();
    assert.equal(t.run('sadd', 's', '3', '1', '2', '1'), 3);
    assert.equal(t.run('sadd', 's', '1'), 0);
    assert.equal(t.run('scard', 's'), 3);
    assert.deepEqual(listed(t, 'smembers', 's'), ['1', '2', '3']);
    assert.equal(t.run('sismember', 's', '2'), 1);
    assert.equal(t.run('sismember', 's', '4'), 0);
    assert.deepEqual(t.run('smismember', 's', '3', '4', '3'), [1, 0, 1]);
    assert.equal(t.run('srem', 's', '9'), 0);
    assert.equal(t.run('srem', 's', '1', '2', '9'), 2);
    assert.equal(t.run('type', 's'), 'set');
    assert.equal(t.run('srem', 's', '3', '3'), 1);
    assert.equal(t.run('exists', 's'), 0);
    assert.deepEqual(takeEffects(t), [
      ['sadd', 's', '3', '1', '2', '1'],
      ['srem', 's', '1', '2', '9'],
      ['srem', 's', '3', '3'],
    ]);
  });

  test('missing keys read as empty sets', () => {
    const t = testEngine();
    assert.equal(t.run('scard', 'no'), 0);
    assert.equal(t.run('sismember', 'no', 'a'), 0);
    assert.deepEqual(t.run('smismember', 'no', 'a', 'b'), [0, 0]);
    assert.deepEqual(setReply(t, 'smembers', 'no'), []);
    assert.equal(t.run('srem', 'no', 'a'), 0);
    assert.equal(t.engine.ks.db(0).size, 0);
    assert.deepEqual(takeEffects(t), []);
  });

  test('WRONGTYPE on keys of another type', () => {
    const t = testEngine();
    t.run('set', 'str', 'x');
    for (const cmd of [
      ['sadd', 'str', '1'], ['srem', 'str', '1'], ['scard', 'str'], ['sismember', 'str', 'a'], ['smismember', 'str', 'a'],
      ['smembers', 'str'], ['spop', 'str'], ['spop', 'str', '1'], ['srandmember', 'str'], ['srandmember', 'str', '1'],
      ['sscan', 'str', '0'], ['sinter', 'str'], ['sunion', 'str'], ['sdiff', 'str'], ['sintercard', '1', 'str'],
    ]) {
      assert.deepEqual(t.run(...cmd), WRONGTYPE, cmd.join(' '));
    }
    assert.equal(t.run('get', 'str'), 'x');
  });

  test('members are binary-safe', () => {
    const t = testEngine();
    const odd = Buffer.from([0, 255, 13, 10, 32]);
    const s = t.session();
    assert.equal(s.command('sadd', 'b', odd, 'x'), 2);
    assert.equal(s.command('sismember', 'b', odd), 1);
    const members = (t.raw('smembers', 'b').v as Reply[]).map((r) => Buffer.from(r.v as string, 'latin1'));
    assert.ok(members.some((m) => m.equals(odd)));
  });

  test('WATCH: a real change breaks the transaction, a no-op SADD does not', () => {
    const t = testEngine();
    const other = t.session();
    t.run('sadd', 's', 'a');
    t.run('watch', 's');
    other.command('sadd', 's', 'a'); // nothing added: no change
    t.run('multi');
    t.run('scard', 's');
    assert.deepEqual(t.run('exec'), [1]);
    t.run('watch', 's');
    other.command('srem', 's', 'zzz'); // nothing removed
    other.command('sadd', 's', 'b');
    t.run('multi');
    t.run('scard', 's');
    assert.equal(t.run('exec'), null);
  });
});

describe('encodings', () => {
  test('intset while every member is a canonical int64 and there are at most 512 of them', () => {
    const t = testEngine();
    t.run('sadd', 'i', '9223372036854775807', '-9223372036854775808', '0', '-1');
    assert.equal(encodingOf(t, 'i'), 'intset');
    assert.deepEqual(listed(t, 'smembers', 'i'), ['-9223372036854775808', '-1', '0', '9223372036854775807']);
    for (const notCanonical of ['01', '-0', '+1', ' 1', '1.0', '9223372036854775808', '-9223372036854775809', '', 'a']) {
      const key = `k${notCanonical}`;
      t.run('sadd', key, '5', notCanonical);
      assert.equal(encodingOf(t, key), 'hashtable', JSON.stringify(notCanonical));
      assert.equal(t.run('sismember', key, notCanonical), 1);
      assert.equal(t.run('sismember', key, '5'), 1);
    }
    t.run('sadd', 'first', 'x', '1');
    assert.equal(encodingOf(t, 'first'), 'hashtable');
  });

  test('one member past set-max-intset-entries converts; removing members never converts back', () => {
    const t = testEngine();
    assert.equal(limits.setMaxIntsetEntries, 512);
    t.run('sadd', 'n', ...range(1, 512));
    assert.equal(encodingOf(t, 'n'), 'intset');
    t.run('sadd', 'n', '513');
    assert.equal(encodingOf(t, 'n'), 'hashtable');
    t.run('srem', 'n', '513', '1');
    assert.equal(encodingOf(t, 'n'), 'hashtable');
    // A result set is built afresh: all integers and few enough makes an intset again.
    assert.equal(t.run('sunionstore', 'u', 'n'), 511);
    assert.equal(encodingOf(t, 'u'), 'intset');
    t.run('sadd', 'h', 'a', '1', '2');
    t.run('srem', 'h', 'a');
    assert.equal(encodingOf(t, 'h'), 'hashtable');
    t.run('sinterstore', 'x', 'h', 'h');
    assert.equal(encodingOf(t, 'x'), 'intset');
    t.run('smove', 'h', 'new', '1');
    assert.equal(encodingOf(t, 'new'), 'intset');
    t.run('sadd', 'j', '01');
    t.run('smove', 'j', 'new2', '01');
    assert.equal(encodingOf(t, 'new2'), 'hashtable');
  });
});

describe('RESP2 and RESP3 shapes', () => {
  test('set replies are ~ in RESP3 and * in RESP2; SRANDMEMBER and SSCAN stay arrays', () => {
    const t = testEngine();
    const r2 = t.session();
    const r3 = t.session();
    r3.raw(['HELLO', '3']);
    r2.raw(['SADD', 's', '5', '-1', '3']);
    r2.raw(['SADD', 't', '3', '5', '9']);
    const cases: Array<[string[], string, string]> = [
      [['SMEMBERS', 's'], '*3\r\n$2\r\n-1\r\n$1\r\n3\r\n$1\r\n5\r\n', '~3\r\n$2\r\n-1\r\n$1\r\n3\r\n$1\r\n5\r\n'],
      [['SMEMBERS', 'no'], '*0\r\n', '~0\r\n'],
      [['SINTER', 's', 't'], '*2\r\n$1\r\n3\r\n$1\r\n5\r\n', '~2\r\n$1\r\n3\r\n$1\r\n5\r\n'],
      [['SINTER', 's', 'no'], '*0\r\n', '~0\r\n'],
      [['SUNION', 's', 't'], '*4\r\n$2\r\n-1\r\n$1\r\n3\r\n$1\r\n5\r\n$1\r\n9\r\n', '~4\r\n$2\r\n-1\r\n$1\r\n3\r\n$1\r\n5\r\n$1\r\n9\r\n'],
      [['SDIFF', 's', 't'], '*1\r\n$2\r\n-1\r\n', '~1\r\n$2\r\n-1\r\n'],
      [['SRANDMEMBER', 's', '5'], '*3\r\n$2\r\n-1\r\n$1\r\n3\r\n$1\r\n5\r\n', '*3\r\n$2\r\n-1\r\n$1\r\n3\r\n$1\r\n5\r\n'],
      [['SRANDMEMBER', 'no', '5'], '*0\r\n', '*0\r\n'],
      [['SRANDMEMBER', 'no'], '$-1\r\n', '_\r\n'],
      [['SPOP', 'no'], '$-1\r\n', '_\r\n'],
      [['SPOP', 'no', '1'], '*0\r\n', '~0\r\n'],
      [['SPOP', 's', '0'], '*0\r\n', '~0\r\n'],
      [['SMISMEMBER', 's', '3', '4'], '*2\r\n:1\r\n:0\r\n', '*2\r\n:1\r\n:0\r\n'],
      [['SSCAN', 's', '0'], '*2\r\n$1\r\n0\r\n*3\r\n$2\r\n-1\r\n$1\r\n3\r\n$1\r\n5\r\n', '*2\r\n$1\r\n0\r\n*3\r\n$2\r\n-1\r\n$1\r\n3\r\n$1\r\n5\r\n'],
      [['SSCAN', 'no', '0'], '*2\r\n$1\r\n0\r\n*0\r\n', '*2\r\n$1\r\n0\r\n*0\r\n'],
      [['SINTERCARD', '1', 's'], ':3\r\n', ':3\r\n'],
      [['SCARD', 's'], ':3\r\n', ':3\r\n'],
    ];
    for (const [cmd, resp2, resp3] of cases) {
      assert.equal(wire(r2, 2, ...cmd), resp2, `RESP2 ${cmd.join(' ')}`);
      assert.equal(wire(r3, 3, ...cmd), resp3, `RESP3 ${cmd.join(' ')}`);
    }
    // SPOP of the whole set replies with a set too (Redis answers through its SUNION code).
    assert.equal(wire(r3, 3, 'SPOP', 't', '3'), '~3\r\n$1\r\n3\r\n$1\r\n5\r\n$1\r\n9\r\n');
    r2.raw(['SADD', 't', '3', '5', '9']);
    assert.equal(wire(r2, 2, 'SPOP', 't', '3'), '*3\r\n$1\r\n3\r\n$1\r\n5\r\n$1\r\n9\r\n');
  });
});

describe('SPOP', () => {
  test('without count: a member, removed, logged as SREM of it; the last one deletes the key', () => {
    const t = withEvents();
    t.run('sadd', 's', 'a', 'b', 'c');
    takeEffects(t);
    events(t);
    const seen = new Set<string>();
    for (let i = 0; i < 3; i++) {
      const m = t.run('spop', 's') as string;
      assert.ok(['a', 'b', 'c'].includes(m));
      assert.ok(!seen.has(m));
      seen.add(m);
      assert.equal(t.run('sismember', 's', m), 0);
    }
    assert.equal(t.run('exists', 's'), 0);
    assert.equal(t.run('spop', 's'), null);
    const popped = [...seen];
    assert.deepEqual(takeEffects(t), popped.map((m) => ['SREM', 's', m]));
    assert.deepEqual(events(t), ['spop s', 'spop s', 'spop s', 'del s']);
  });

  test('count errors and extra arguments, checked before the key', () => {
    const t = testEngine();
    t.run('sadd', 's', '1', '2', '3');
    t.run('set', 'str', 'x');
    assert.deepEqual(t.run('spop', 's', '-1'), NOT_POSITIVE);
    assert.deepEqual(t.run('spop', 's', 'x'), NOT_POSITIVE);
    assert.deepEqual(t.run('spop', 's', '9223372036854775808'), NOT_POSITIVE);
    assert.deepEqual(t.run('spop', 'str', '-1'), NOT_POSITIVE);
    assert.deepEqual(t.run('spop', 'no', '-1'), NOT_POSITIVE);
    assert.deepEqual(t.run('spop', 's', '1', '2'), SYNTAX);
    assert.deepEqual(t.run('spop', 'str', '0'), WRONGTYPE);
    assert.deepEqual(setReply(t, 'spop', 's', '0'), []);
    assert.deepEqual(setReply(t, 'spop', 'no', '3'), []);
    assert.equal(t.run('scard', 's'), 3);
    assert.deepEqual(takeEffects(t), [['sadd', 's', '1', '2', '3'], ['set', 'str', 'x']]); // no SPOP wrote anything
  });

  test('a count >= the size returns the whole set, deletes the key and is logged as DEL', () => {
    const t = withEvents();
    t.run('sadd', 's', '3', '1', '2');
    takeEffects(t);
    events(t);
    assert.deepEqual(setReply(t, 'spop', 's', '9223372036854775807'), ['1', '2', '3']);
    assert.equal(t.run('exists', 's'), 0);
    assert.deepEqual(takeEffects(t), [['DEL', 's']]);
    assert.deepEqual(events(t), ['spop s', 'del s']);
    t.run('sadd', 'h', 'x', 'y');
    takeEffects(t);
    assert.deepEqual(sorted(setReply(t, 'spop', 'h', '2')), ['x', 'y']);
    assert.deepEqual(takeEffects(t), [['DEL', 'h']]);
  });

  test('a few members out of many: distinct, removed, logged as one SREM in removal order', () => {
    const t = withEvents();
    const all = range(1, 100).map((n) => `m${n}`);
    t.run('sadd', 'h', ...all);
    takeEffects(t);
    events(t);
    const popped = setReply(t, 'spop', 'h', '7');
    assert.equal(popped.length, 7);
    assert.equal(new Set(popped).size, 7);
    for (const m of popped) {
      assert.ok(all.includes(m));
      assert.equal(t.run('sismember', 'h', m), 0);
    }
    assert.equal(t.run('scard', 'h'), 93);
    assert.deepEqual(takeEffects(t), [['SREM', 'h', ...popped]]);
    assert.deepEqual(events(t), ['spop h']);
  });

  test('most of an intset: the popped members come out ascending, as from Redis', () => {
    const t = testEngine();
    for (let round = 0; round < 20; round++) {
      t.run('del', 'big');
      t.run('sadd', 'big', ...range(1, 10));
      const popped = setReply(t, 'spop', 'big', '9');
      assert.deepEqual(popped, [...popped].sort((a, b) => Number(a) - Number(b)));
      assert.equal(new Set(popped).size, 9);
      const [left] = listed(t, 'smembers', 'big');
      assert.ok(!popped.includes(left!));
      assert.deepEqual(sorted([...popped, left!]), sorted(range(1, 10)));
    }
  });

  test('every member is equally likely to be popped', () => {
    const t = testEngine();
    const hits = new Map<string, number>();
    for (let round = 0; round < 3000; round++) {
      t.run('sadd', 's', 'a', 'b', 'c');
      const m = t.run('spop', 's') as string;
      hits.set(m, (hits.get(m) ?? 0) + 1);
      t.run('del', 's');
    }
    for (const m of ['a', 'b', 'c']) assert.ok(hits.get(m)! > 850 && hits.get(m)! < 1150, `${m}: ${hits.get(m)}`);
  });
});

describe('SRANDMEMBER', () => {
  test('without count: one member or nil; nothing changes', () => {
    const t = testEngine();
    assert.equal(t.run('srandmember', 'no'), null);
    t.run('sadd', 's', 'a', 'b');
    takeEffects(t);
    for (let i = 0; i < 20; i++) assert.ok(['a', 'b'].includes(t.run('srandmember', 's') as string));
    assert.equal(t.run('scard', 's'), 2);
    assert.deepEqual(takeEffects(t), []);
  });

  test('errors: not an integer, LONG_MIN, extra arguments', () => {
    const t = testEngine();
    t.run('sadd', 's', '1');
    t.run('set', 'str', 'x');
    assert.deepEqual(t.run('srandmember', 's', 'x'), NOT_INT);
    assert.deepEqual(t.run('srandmember', 'str', 'x'), NOT_INT);
    assert.deepEqual(t.run('srandmember', 's', '-9223372036854775808'), LONG_RANGE);
    assert.deepEqual(t.run('srandmember', 'no', '-9223372036854775808'), LONG_RANGE);
    assert.deepEqual(t.run('srandmember', 's', '1', '2'), SYNTAX);
    assert.deepEqual(t.run('srandmember', 'str', '1'), WRONGTYPE);
    assert.deepEqual(t.run('srandmember', 'no', '-9223372036854775807'), []);
    assert.deepEqual(t.run('srandmember', 's', '0'), []);
  });

  test('a positive count gives distinct members, every case of Redis\'s algorithm', () => {
    const t = testEngine();
    const all = range(1, 100).map((n) => `m${n}`);
    t.run('sadd', 'h', ...all);
    t.run('sadd', 'i', ...range(1, 100));
    for (const key of ['h', 'i']) {
      const members = new Set(listed(t, 'smembers', key));
      // 1: a single pick; 10: draw until distinct; 50 and 99: copy and drop; 100, 1000: everything.
      for (const count of [1, 10, 50, 99, 100, 1000]) {
        const got = listed(t, 'srandmember', key, String(count));
        assert.equal(got.length, Math.min(count, 100), `${key} ${count}`);
        assert.equal(new Set(got).size, got.length, `${key} ${count} distinct`);
        for (const m of got) assert.ok(members.has(m));
      }
      // The whole set comes in the set's own order (ascending for an intset).
      assert.deepEqual(listed(t, 'srandmember', key, '100'), listed(t, 'smembers', key));
    }
  });

  test('a negative count allows repeats and gives exactly that many, uniformly', () => {
    const t = testEngine();
    t.run('sadd', 's', 'a', 'b', 'c');
    const got = listed(t, 'srandmember', 's', '-3000');
    assert.equal(got.length, 3000);
    const counts = new Map<string, number>();
    for (const m of got) counts.set(m, (counts.get(m) ?? 0) + 1);
    assert.deepEqual(sorted([...counts.keys()]), ['a', 'b', 'c']);
    for (const n of counts.values()) assert.ok(n > 850 && n < 1150, String(n));
    assert.deepEqual(listed(t, 'srandmember', 's', '-1').length, 1);
    assert.equal(t.run('scard', 's'), 3);
  });

  test('a negative count beyond Cairn\'s reply bound is refused (Redis has no bound)', () => {
    const t = testEngine();
    t.run('sadd', 's', 'a');
    const max = limits.randomPickReplyMax;
    const refused = t.run('srandmember', 's', String(-(max + 1))) as { error: string };
    assert.match(refused.error, /^ERR count is out of range/);
    assert.deepEqual(t.run('srandmember', 'no', String(-(max + 1))), []);
    assert.equal(listed(t, 'srandmember', 's', '9223372036854775807').length, 1);
  });
});

describe('SMOVE', () => {
  test('moves, creates and deletes keys, with Redis\'s events and dirty counts', () => {
    const t = withEvents();
    t.run('sadd', 's', '1', '2', '3');
    t.run('set', 'str', 'x');
    takeEffects(t);
    events(t);
    assert.deepEqual(t.run('smove', 's', 'str', '1'), WRONGTYPE);
    assert.deepEqual(t.run('smove', 'str', 's', '1'), WRONGTYPE);
    assert.equal(t.run('smove', 'no', 'str', '1'), 0); // a missing source answers before type checks
    assert.equal(t.run('smove', 's', 'no2', '9'), 0);
    assert.equal(t.run('exists', 'no2'), 0);
    assert.equal(t.run('smove', 's', 'd', '1'), 1);
    assert.equal(t.run('smove', 's', 'd', '2'), 1);
    assert.equal(t.run('smove', 's', 'd', '3'), 1);
    assert.equal(t.run('exists', 's'), 0);
    assert.deepEqual(listed(t, 'smembers', 'd'), ['1', '2', '3']);
    t.run('sadd', 's', '3');
    assert.equal(t.run('smove', 's', 's', '3'), 1); // same set: only a membership test
    assert.equal(t.run('smove', 's', 's', '4'), 0);
    assert.equal(t.run('smove', 'd', 's', '3'), 1); // already in the destination
    assert.deepEqual(listed(t, 'smembers', 's'), ['3']);
    assert.deepEqual(listed(t, 'smembers', 'd'), ['1', '2']);
    assert.deepEqual(events(t), [
      'srem s', 'sadd d', 'srem s', 'sadd d', 'srem s', 'del s', 'sadd d', 'sadd s', 'srem d',
    ]);
    assert.deepEqual(takeEffects(t), [
      ['smove', 's', 'd', '1'], ['smove', 's', 'd', '2'], ['smove', 's', 'd', '3'], ['sadd', 's', '3'], ['smove', 'd', 's', '3'],
    ]);
    // Dirty counts as Redis: one for the removal, one more when the destination gained the member.
    t.run('sadd', 'p', 'm', 'n');
    t.run('sadd', 'q', 'n');
    const before = t.engine.ks.dirty;
    t.run('smove', 'p', 'q', 'm');
    assert.equal(t.engine.ks.dirty - before, 2);
    t.run('smove', 'p', 'q', 'n');
    assert.equal(t.engine.ks.dirty - before, 3);
  });
});

describe('SINTER, SUNION, SDIFF and their STORE forms', () => {
  function setup(): TestEngine {
    const t = withEvents();
    t.run('sadd', 'a', '1', '2', 'x');
    t.run('sadd', 'b', '2', 'x', 'y');
    t.run('sadd', 'i', '5', '-1', '3');
    t.run('sadd', 'j', '3', '5', '9');
    t.run('set', 'str', 'v');
    takeEffects(t);
    events(t);
    return t;
  }

  test('results, with missing keys as empty sets', () => {
    const t = setup();
    assert.deepEqual(sorted(setReply(t, 'sinter', 'a', 'b')), ['2', 'x']);
    assert.deepEqual(sorted(setReply(t, 'sunion', 'a', 'b')), ['1', '2', 'x', 'y']);
    assert.deepEqual(sorted(setReply(t, 'sdiff', 'a', 'b')), ['1']);
    assert.deepEqual(setReply(t, 'sinter', 'a', 'no'), []);
    assert.deepEqual(sorted(setReply(t, 'sunion', 'a', 'no')), ['1', '2', 'x']);
    assert.deepEqual(sorted(setReply(t, 'sdiff', 'a', 'no')), ['1', '2', 'x']);
    assert.deepEqual(setReply(t, 'sdiff', 'no', 'a'), []);
    assert.deepEqual(setReply(t, 'sdiff', 'a', 'a'), []);
    assert.deepEqual(setReply(t, 'sdiff', 'a', 'b', 'a'), []);
    assert.deepEqual(sorted(setReply(t, 'sinter', 'a', 'a')), ['1', '2', 'x']);
    // Intsets come out ascending, as Redis's intset result sets.
    assert.deepEqual(setReply(t, 'sinter', 'i', 'j'), ['3', '5']);
    assert.deepEqual(setReply(t, 'sunion', 'i', 'j'), ['-1', '3', '5', '9']);
    assert.deepEqual(setReply(t, 'sdiff', 'i', 'j'), ['-1']);
    assert.deepEqual(setReply(t, 'sunion', 'j', 'i', 'no'), ['-1', '3', '5', '9']);
  });

  test('SDIFF agrees between its two algorithms', () => {
    const t = testEngine();
    // A small first set against big others (probing) and a big first set against small ones (copying).
    t.run('sadd', 'small', 'a', 'b', 'c', 'zz');
    t.run('sadd', 'big', ...range(1, 300).map((n) => `k${n}`), 'a');
    t.run('sadd', 'big2', ...range(1, 300).map((n) => `k${n}`), 'b');
    assert.deepEqual(sorted(setReply(t, 'sdiff', 'small', 'big', 'big2')), ['c', 'zz']);
    assert.deepEqual(sorted(setReply(t, 'sdiff', 'big', 'small', 'no')), range(1, 300).map((n) => `k${n}`).sort());
    assert.deepEqual(sorted(setReply(t, 'sdiff', 'big2', 'big')), ['b']);
  });

  test('WRONGTYPE from any key, even after a missing one', () => {
    const t = setup();
    assert.deepEqual(t.run('sinter', 'no', 'str'), WRONGTYPE);
    assert.deepEqual(t.run('sinter', 'str', 'no'), WRONGTYPE);
    assert.deepEqual(t.run('sunion', 'no', 'str'), WRONGTYPE);
    assert.deepEqual(t.run('sdiff', 'no', 'str'), WRONGTYPE);
    assert.deepEqual(t.run('sinterstore', 'd', 'a', 'str'), WRONGTYPE);
    assert.deepEqual(t.run('sunionstore', 'd', 'str'), WRONGTYPE);
    assert.deepEqual(t.run('sdiffstore', 'd', 'a', 'str'), WRONGTYPE);
    assert.deepEqual(t.run('sintercard', '2', 'no', 'str'), WRONGTYPE);
    assert.equal(t.run('exists', 'd'), 0);
  });

  test('STORE replaces the destination (any type, TTL cleared) or deletes it when the result is empty', () => {
    const t = setup();
    assert.equal(t.run('sinterstore', 'dst', 'a', 'b'), 2);
    assert.deepEqual(sorted(listed(t, 'smembers', 'dst')), ['2', 'x']);
    assert.equal(t.run('sinterstore', 'dst', 'a', 'no'), 0);
    assert.equal(t.run('exists', 'dst'), 0);
    assert.equal(t.run('sinterstore', 'dst', 'a', 'no'), 0); // nothing to delete: no write
    t.run('set', 'dst', 'v', 'EX', '100');
    assert.equal(t.run('sinterstore', 'dst', 'a', 'b'), 2);
    assert.equal(t.run('type', 'dst'), 'set');
    assert.equal(t.run('ttl', 'dst'), -1);
    assert.equal(t.run('sunionstore', 'dst', 'a', 'b'), 4);
    assert.equal(t.run('sdiffstore', 'dst', 'a', 'b'), 1);
    assert.deepEqual(listed(t, 'smembers', 'dst'), ['1']);
    assert.equal(t.run('sdiffstore', 'dst', 'a', 'a'), 0);
    assert.equal(t.run('sunionstore', 'dst', 'no'), 0);
    // The destination may be one of the sources.
    assert.equal(t.run('sunionstore', 'a', 'a', 'b'), 4);
    assert.deepEqual(sorted(listed(t, 'smembers', 'a')), ['1', '2', 'x', 'y']);
    assert.deepEqual(events(t).filter((e) => !e.startsWith('set ') && !e.startsWith('expire ')), [
      'sinterstore dst', 'del dst', 'sinterstore dst', 'sunionstore dst', 'sdiffstore dst', 'del dst', 'sunionstore a',
    ]);
    assert.deepEqual(takeEffects(t).filter((e) => e[0]!.toLowerCase() !== 'set'), [
      ['sinterstore', 'dst', 'a', 'b'], ['sinterstore', 'dst', 'a', 'no'], ['sinterstore', 'dst', 'a', 'b'],
      ['sunionstore', 'dst', 'a', 'b'], ['sdiffstore', 'dst', 'a', 'b'], ['sdiffstore', 'dst', 'a', 'a'],
      ['sunionstore', 'a', 'a', 'b'],
    ]);
  });

  test('a destination past its TTL is expired before it is replaced', () => {
    const t = setup();
    t.run('set', 'dst', 'v', 'PX', '10');
    t.clock.advance(20);
    takeEffects(t);
    assert.equal(t.run('sunionstore', 'dst', 'a'), 3);
    assert.deepEqual(takeEffects(t), [['DEL', 'dst'], ['sunionstore', 'dst', 'a']]);
    // An empty result deletes the stale key itself, as Redis's dbDelete: one logged write, no DEL first.
    t.run('set', 'dst2', 'v', 'PX', '10');
    t.clock.advance(20);
    takeEffects(t);
    events(t);
    assert.equal(t.run('sinterstore', 'dst2', 'a', 'no'), 0);
    assert.deepEqual(takeEffects(t), [['sinterstore', 'dst2', 'a', 'no']]);
    assert.deepEqual(events(t), ['del dst2']);
  });
});

describe('SINTERCARD', () => {
  test('counts, LIMIT, and missing keys', () => {
    const t = testEngine();
    t.run('sadd', 'a', '1', '2', '3', 'x');
    t.run('sadd', 'b', '2', '3', 'x', 'y');
    assert.equal(t.run('sintercard', '2', 'a', 'b'), 3);
    assert.equal(t.run('sintercard', '2', 'a', 'b', 'LIMIT', '2'), 2);
    assert.equal(t.run('sintercard', '2', 'a', 'b', 'limit', '0'), 3);
    assert.equal(t.run('sintercard', '2', 'a', 'b', 'limit', '100'), 3);
    assert.equal(t.run('sintercard', '2', 'a', 'b', 'limit', '1', 'limit', '9'), 3); // the last LIMIT wins
    assert.equal(t.run('sintercard', '1', 'a'), 4);
    assert.equal(t.run('sintercard', '2', 'a', 'no'), 0);
    assert.equal(t.run('sintercard', '1', 'a', 'limit', '9223372036854775807'), 4);
  });

  test('errors, in Redis\'s order', () => {
    const t = testEngine();
    t.run('sadd', 's', '1');
    t.run('set', 'str', 'x');
    assert.deepEqual(t.run('sintercard', '0', 's'), NUMKEYS);
    assert.deepEqual(t.run('sintercard', '-1', 's'), NUMKEYS);
    assert.deepEqual(t.run('sintercard', 'x', 's'), NUMKEYS);
    assert.deepEqual(t.run('sintercard', '9223372036854775808', 's'), NUMKEYS);
    assert.deepEqual(t.run('sintercard', '2', 's'), NUMKEYS_ARGS);
    assert.deepEqual(t.run('sintercard', '1', 's', 'LIMIT'), SYNTAX);
    assert.deepEqual(t.run('sintercard', '1', 's', 'LIMIT', '-1'), LIMIT_NEGATIVE);
    assert.deepEqual(t.run('sintercard', '1', 's', 'LIMIT', 'x'), LIMIT_NEGATIVE);
    assert.deepEqual(t.run('sintercard', '1', 's', 'LIMIT', '9223372036854775808'), LIMIT_NEGATIVE);
    assert.deepEqual(t.run('sintercard', '1', 's', 'FOO', '1'), SYNTAX);
    assert.deepEqual(t.run('sintercard', '1', 'str', 'FOO', '1'), SYNTAX); // options before keys
    assert.deepEqual(t.run('sintercard', '1', 'str'), WRONGTYPE);
  });
});

describe('SSCAN', () => {
  test('errors and option parsing as Redis (the key is looked up before the options)', () => {
    const t = testEngine();
    t.run('sadd', 's', '1', '2', '3');
    t.run('set', 'str', 'x');
    assert.deepEqual(t.run('sscan', 's', 'x'), INVALID_CURSOR);
    assert.deepEqual(t.run('sscan', 'no', 'x'), INVALID_CURSOR);
    assert.deepEqual(t.run('sscan', 's', '18446744073709551616'), INVALID_CURSOR);
    assert.deepEqual(t.run('sscan', 'str', '0'), WRONGTYPE);
    assert.deepEqual(t.run('sscan', 'str', 'x'), INVALID_CURSOR);
    assert.deepEqual(t.run('sscan', 's', '0', 'count', '0'), SYNTAX);
    assert.deepEqual(t.run('sscan', 's', '0', 'count', '-1'), SYNTAX);
    assert.deepEqual(t.run('sscan', 's', '0', 'count', 'x'), NOT_INT);
    assert.deepEqual(t.run('sscan', 's', '0', 'match'), SYNTAX);
    assert.deepEqual(t.run('sscan', 's', '0', 'foo', '1'), SYNTAX);
    assert.deepEqual(t.run('sscan', 's', '0', 'type', 'string'), SYNTAX);
    assert.deepEqual(t.run('sscan', 'no', '0', 'foo'), ['0', []]);
    assert.deepEqual(t.run('sscan', 'no', '0', 'count', '0'), ['0', []]);
  });

  test('an intset comes whole in one call with cursor 0, whatever the cursor and count', () => {
    const t = testEngine();
    t.run('sadd', 's', '3', '1', '2');
    assert.deepEqual(t.run('sscan', 's', '0'), ['0', ['1', '2', '3']]);
    assert.deepEqual(t.run('sscan', 's', '5', 'count', '1'), ['0', ['1', '2', '3']]);
    assert.deepEqual(t.run('sscan', 's', '-1'), ['0', ['1', '2', '3']]);
    assert.deepEqual(t.run('sscan', 's', ''), ['0', ['1', '2', '3']]);
    assert.deepEqual(t.run('sscan', 's', '0', 'match', '1*'), ['0', ['1']]);
    assert.deepEqual(t.run('sscan', 's', '0', 'count', '1', 'count', '5'), ['0', ['1', '2', '3']]);
  });

  test('a hashtable is walked with a cursor; MATCH filters, COUNT bounds each step', () => {
    const t = testEngine();
    const all = range(1, 50).map((n) => `m${n}`);
    t.run('sadd', 'h', ...all, 'a', 'b');
    const seen: string[] = [];
    let cursor = '0';
    let calls = 0;
    do {
      const [next, batch] = t.run('sscan', 'h', cursor, 'COUNT', '7') as [string, string[]];
      assert.ok(batch.length <= 7);
      seen.push(...batch);
      cursor = next;
      calls++;
    } while (cursor !== '0');
    assert.ok(calls >= 8);
    assert.deepEqual(sorted(seen), sorted([...all, 'a', 'b']));
    const [done, matched] = t.run('sscan', 'h', '0', 'MATCH', '[ab]', 'COUNT', '1000') as [string, string[]];
    assert.equal(done, '0');
    assert.deepEqual(sorted(matched), ['a', 'b']);
  });

  test('property: a member present for the whole scan is returned, while the set grows, shrinks and converts', () => {
    const op = fc.oneof(
      fc.record({ kind: fc.constant('add' as const), members: fc.array(fc.integer({ min: 0, max: 700 }).map((n) => `${n}`), { minLength: 1, maxLength: 40 }) }),
      fc.record({ kind: fc.constant('addText' as const), member: fc.constantFrom('a', 'b', 'c', 'zz') }),
      fc.record({ kind: fc.constant('remove' as const), members: fc.array(fc.integer({ min: 0, max: 700 }).map((n) => `${n}`), { minLength: 1, maxLength: 40 }) }),
    );
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 700 }), { minLength: 1, maxLength: 600, size: 'max' }),
        fc.boolean(),
        fc.array(fc.tuple(fc.integer({ min: 1, max: 20 }), fc.array(op, { maxLength: 3 })), { maxLength: 200, size: 'max' }),
        (initial, textual, steps) => {
          const t = testEngine();
          const stable = new Set(initial.map(String));
          t.run('sadd', 's', ...stable);
          if (textual) t.run('sadd', 's', 'text'); // starts as a hashtable
          // 'stable' members are never removed below; the others may come and go.
          const everSeen = new Set<string>([...stable, 'text']);
          const returned = new Set<string>();
          let cursor = '0';
          for (let i = 0; ; i++) {
            const [count, ops] = steps[i] ?? [10, []];
            const [next, batch] = t.run('sscan', 's', cursor, 'COUNT', String(count)) as [string, string[]];
            for (const m of batch) {
              assert.ok(everSeen.has(m), `phantom member ${m}`);
              returned.add(m);
            }
            cursor = next;
            if (cursor === '0') break;
            for (const o of ops) {
              if (o.kind === 'add') {
                t.run('sadd', 's', ...o.members);
                for (const m of o.members) everSeen.add(m);
              } else if (o.kind === 'addText') {
                t.run('sadd', 's', o.member);
                everSeen.add(o.member);
              } else {
                const removable = o.members.filter((m) => !stable.has(m));
                if (removable.length > 0) t.run('srem', 's', ...removable);
              }
            }
          }
          for (const m of stable) assert.ok(returned.has(m), `member ${m} was never returned`);
        },
      ),
      { numRuns: 150 },
    );
  });
});

describe('DUMP, RESTORE and COPY', () => {
  test('golden bytes: tag 3, member count, members in iteration order', () => {
    const ints = SetValue.emptyIntset();
    for (const m of ['3', '1', '2']) ints.add(m);
    assert.equal(hex(dumpValue('set', ints)), '03' + '03' + '0131' + '0132' + '0133' + '0100' + '843d5ac2a6a45a3e');
    const table = SetValue.emptyIntset();
    for (const m of ['b', 'a']) table.add(m);
    assert.equal(hex(dumpValue('set', table)), '03' + '02' + '0162' + '0161' + '0100' + '05d91379b918090e');
  });

  test('round trips keep members and encodings; a large hashtable keeps its layout', () => {
    const t = testEngine();
    t.run('sadd', 'i', '5', '-9223372036854775808', '9223372036854775807');
    t.run('sadd', 'h', 'x', 'y', '1');
    t.run('sadd', 'big', ...range(1, 600));
    t.run('srem', 'big', '17', '300');
    for (const key of ['i', 'h', 'big']) {
      const payload = t.raw('dump', key).v as string;
      const restored = restoreValue(payload);
      assert.ok(restored.ok);
      assert.equal(restored.type, 'set');
      const copy = restored.value as SetValue;
      const original = t.engine.ks.db(0).peek(key)!.value as SetValue;
      assert.deepEqual(copy.members(), original.members(), key);
      assert.equal(copy.encoding, original.encoding, key);
    }
  });

  test('RESTORE follows Redis\'s loader: a small all-integer hashtable comes back as an intset', () => {
    const t = testEngine();
    t.run('sadd', 'h', 'a', '2', '1');
    t.run('srem', 'h', 'a');
    assert.equal(encodingOf(t, 'h'), 'hashtable');
    const payload = t.raw('dump', 'h').v as string;
    const s = t.session();
    assert.equal(s.command('restore', 'r', '0', Buffer.from(payload, 'latin1')), 'OK');
    assert.equal(encodingOf(t, 'r'), 'intset');
    assert.deepEqual(listed(t, 'smembers', 'r'), ['1', '2']);
  });

  test('malformed bodies are refused: no members, a repeated member, truncation', () => {
    const t = testEngine();
    const s = t.session();
    const badFormat = { error: 'ERR Bad data format' };
    for (const body of ['\x03\x00', '\x03\x02\x01a\x01a', '\x03\x02\x011\x011', '\x03\x02\x01a', '\x03\x05\x01a']) {
      const payload = withTrailer(body);
      const r = s.raw(['restore', 'k', '0', Buffer.from(payload, 'latin1')]);
      assert.equal(r.k, ReplyKind.Error, hex(body));
      assert.equal(r.v, badFormat.error, hex(body));
    }
    assert.equal(t.run('exists', 'k'), 0);
  });

  test('COPY makes an independent set', () => {
    const t = testEngine();
    t.run('sadd', 's', 'a', 'b');
    assert.equal(t.run('copy', 's', 'c'), 1);
    t.run('sadd', 'c', 'z');
    t.run('srem', 's', 'a');
    assert.deepEqual(sorted(listed(t, 'smembers', 's')), ['b']);
    assert.deepEqual(sorted(listed(t, 'smembers', 'c')), ['a', 'b', 'z']);
  });
});

/** A DUMP payload around a hand-made body: format version 1 and the CRC-64/Jones trailer. */
function withTrailer(body: string): string {
  const versioned = body + '\x01\x00';
  const [hi, lo] = crc64(versioned);
  let sum = '';
  for (let i = 0; i < 4; i++) sum += String.fromCharCode((lo >>> (8 * i)) & 0xff);
  for (let i = 0; i < 4; i++) sum += String.fromCharCode((hi >>> (8 * i)) & 0xff);
  return versioned + sum;
}

describe('the set structure', () => {
  test('property: behaves as a JS Set across the intset -> hashtable conversion', () => {
    const member = fc.oneof(
      { weight: 6, arbitrary: fc.integer({ min: -40, max: 700 }).map(String) },
      { weight: 1, arbitrary: fc.constantFrom('9223372036854775807', '-9223372036854775808', '9007199254740993', '-9007199254740993', '01', '-0', 'a', '') },
    );
    const op = fc.oneof(
      { weight: 4, arbitrary: fc.record({ kind: fc.constant('add' as const), member }) },
      { weight: 1, arbitrary: fc.record({ kind: fc.constant('addRange' as const), from: fc.integer({ min: 0, max: 400 }), n: fc.integer({ min: 1, max: 300 }) }) },
      { weight: 3, arbitrary: fc.record({ kind: fc.constant('remove' as const), member }) },
      { weight: 1, arbitrary: fc.record({ kind: fc.constant('pop' as const) }) },
      { weight: 1, arbitrary: fc.record({ kind: fc.constant('has' as const), member }) },
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 120, size: 'max' }), fc.integer(), (ops, seed) => {
        const rng = new Rng(seed);
        const set = SetValue.emptyIntset();
        const model = new Set<string>();
        let mustBeHashtable = false;
        const canonical = (m: string): boolean => /^(0|-?[1-9][0-9]*)$/.test(m) && BigInt(m) >= -(2n ** 63n) && BigInt(m) < 2n ** 63n;
        const add = (m: string): void => {
          assert.equal(set.add(m), !model.has(m));
          model.add(m);
          if (!canonical(m) || model.size > 512) mustBeHashtable = true;
        };
        for (const o of ops) {
          if (o.kind === 'add') add(o.member);
          else if (o.kind === 'addRange') for (let i = 0; i < o.n; i++) add(String(o.from + i));
          else if (o.kind === 'remove') {
            assert.equal(set.remove(o.member), model.has(o.member));
            model.delete(o.member);
          } else if (o.kind === 'pop') {
            if (model.size === 0) continue;
            const m = set.popRandom(rng);
            assert.ok(model.has(m));
            model.delete(m);
          } else {
            assert.equal(set.has(o.member), model.has(o.member));
          }
          assert.equal(set.size, model.size);
          assert.equal(set.encoding, mustBeHashtable ? 'hashtable' : 'intset');
        }
        const members = set.members();
        assert.deepEqual(sorted(members), sorted([...model]));
        if (set.encoding === 'intset') {
          const asc = [...members].sort((x, y) => (BigInt(x) < BigInt(y) ? -1 : 1));
          assert.deepEqual(members, asc);
        }
        for (let i = 0; i < set.size; i++) assert.equal(set.memberAt(i), members[i]);
        if (model.size > 0) assert.ok(model.has(set.randomMember(rng)));
      }),
      { numRuns: 300 },
    );
  });
});

/** Every live key with its type, TTL, encoding and exact DUMP bytes (a set's member order included). */
function exactState(ks: Keyspace): string[] {
  const out: string[] = [];
  for (const db of ks.dbs) {
    for (const e of db.entries.values()) {
      if (e.expiresAt !== 0 && e.expiresAt <= ks.now) continue;
      const encoding = e.type === 'set' ? (e.value as SetValue).encoding : '';
      out.push(`${db.id} ${e.key} ${e.type} ${encoding} ${e.expiresAt} ${hex(dumpValue(e.type, e.value))}`);
    }
  }
  return out.sort();
}

describe('effects', () => {
  test('property: replaying the logged effects, SPOP included, gives byte-identical sets', () => {
    const KEYS = ['s', 't', 'u', 'str'];
    const key = fc.constantFrom(...KEYS);
    const member = fc.oneof(
      fc.integer({ min: 0, max: 30 }).map(String),
      fc.constantFrom('a', 'b', 'c', 'd', 'e', 'x', 'y'),
      fc.integer({ min: 0, max: 40 }).map((n) => `k${n}`),
    );
    const members = fc.array(member, { minLength: 1, maxLength: 12 });
    const command = fc.oneof(
      { weight: 4, arbitrary: fc.tuple(fc.constant('SADD'), key, members).map(([c, k, ms]) => [c, k, ...ms]) },
      { weight: 1, arbitrary: fc.tuple(fc.constant('SADD'), key, fc.integer({ min: 0, max: 600 })).map(([c, k, n]) => [c, k, ...range(n, n + 40)]) },
      { weight: 2, arbitrary: fc.tuple(fc.constant('SREM'), key, members).map(([c, k, ms]) => [c, k, ...ms]) },
      { weight: 3, arbitrary: fc.tuple(fc.constant('SPOP'), key).map((x) => [...x]) },
      { weight: 3, arbitrary: fc.tuple(fc.constant('SPOP'), key, fc.integer({ min: 0, max: 8 }).map(String)).map((x) => [...x]) },
      { weight: 1, arbitrary: fc.tuple(fc.constant('SPOP'), key, fc.integer({ min: 0, max: 60 }).map(String)).map((x) => [...x]) },
      { weight: 1, arbitrary: fc.tuple(fc.constant('SRANDMEMBER'), key, fc.integer({ min: -5, max: 5 }).map(String)).map((x) => [...x]) },
      { weight: 2, arbitrary: fc.tuple(fc.constant('SMOVE'), key, key, member).map((x) => [...x]) },
      { weight: 2, arbitrary: fc.tuple(fc.constantFrom('SINTERSTORE', 'SUNIONSTORE', 'SDIFFSTORE'), key, key, key).map((x) => [...x]) },
      { weight: 1, arbitrary: fc.tuple(fc.constant('SET'), key, fc.constant('v')).map((x) => [...x]) },
      { weight: 1, arbitrary: fc.tuple(fc.constantFrom('DEL', 'EXPIRE'), key).map(([c, k]) => (c === 'EXPIRE' ? [c, k, '2'] : [c, k])) },
      { weight: 1, arbitrary: fc.tuple(fc.constant('COPY'), key, key).map((x) => [...x]) },
      { weight: 1, arbitrary: fc.constantFrom(['MULTI'], ['EXEC'], ['ADVANCE']) },
    );
    fc.assert(
      fc.property(fc.array(command, { minLength: 1, maxLength: 80, size: 'max' }), (cmds) => {
        const source = testEngine({ seed: 3 });
        const replica = testEngine({ seed: 77 }); // another seed: the effects must carry every random pick
        const replay = replica.session();
        let applied = 0;
        const catchUp = (): void => {
          for (; applied < source.effects.length; applied++) {
            const effect = source.effects[applied]!;
            const reply = replay.raw(effect.argv as string[]);
            assert.notEqual(reply.k, ReplyKind.Error, `effect ${effect.argv.join(' ')} failed on replay: ${reply.v}`);
          }
        };
        for (const c of cmds) {
          if (c[0] === 'ADVANCE') {
            source.clock.advance(1500);
            replica.clock.advance(1500);
          } else {
            source.raw(...c);
          }
          replica.engine.ks.now = replica.clock.nowMs();
          catchUp();
        }
        source.raw('EXEC');
        catchUp();
        source.engine.ks.now = source.clock.nowMs();
        replica.engine.ks.now = replica.clock.nowMs();
        assert.equal(keyspaceDigest(replica.engine.ks), keyspaceDigest(source.engine.ks));
        // The digest hashes each DUMP payload with its own CRC trailer, which makes it blind to
        // content of equal length; compare the payloads themselves (member order included).
        assert.deepEqual(exactState(replica.engine.ks), exactState(source.engine.ks));
      }),
      { numRuns: 300 },
    );
  });

  test('SPOP inside MULTI is logged as SREM/DEL within the transaction', () => {
    const t = testEngine();
    t.run('sadd', 's', 'a', 'b', 'c');
    takeEffects(t);
    t.run('multi');
    t.run('spop', 's');
    t.run('spop', 's', '5');
    const [one, rest] = t.run('exec') as [string, Set<string>];
    assert.deepEqual(sorted([one, ...rest]), ['a', 'b', 'c']);
    assert.deepEqual(takeEffects(t), [['MULTI'], ['SREM', 's', one], ['DEL', 's'], ['EXEC']]);
  });
});
