// List commands and the list structure: replies and error texts (RESP2 and RESP3 wire shapes),
// keyspace events, WATCH, logged effects and their replay, the DUMP codec, the deque against a
// plain array model, big lists, the blocking timeout's parsing, and the blocking commands served
// across sessions. Expected replies were taken from a real redis-server 7.0.15; the oracle block
// below also runs a long script against it, byte for byte, when redis-server is installed.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { listCommands, parseBlockingTimeout } from '../../src/core/commands/lists.js';
import { keyspaceDigest } from '../../src/core/digest.js';
import { crc64, dumpValue, restoreValue } from '../../src/core/dump.js';
import { BLOCKED, ReplyKind, type Reply } from '../../src/core/reply.js';
import { ListValue } from '../../src/core/types/list.js';
import type { EmbeddedSession } from '../../src/embedded.js';
import { encode } from '../../src/protocols/resp/encoder.js';
import { decodeReply } from '../../src/server/decode.js';
import { testEngine, type TestEngine } from '../helpers/engine.js';
import { oracleAvailability, startRedis, type RedisOracle } from '../helpers/redis-oracle.js';
import { RespClient, RespReader, sameReply, show, type RespValue } from '../helpers/resp-client.js';

const WRONGTYPE = { error: 'WRONGTYPE Operation against a key holding the wrong kind of value' };
const SYNTAX = { error: 'ERR syntax error' };
const NOT_INT = { error: 'ERR value is not an integer or out of range' };
const NOT_POSITIVE = { error: 'ERR value is out of range, must be positive' };
const NUMKEYS = { error: 'ERR numkeys should be greater than 0' };
const MPOP_COUNT = { error: 'ERR count should be greater than 0' };
const RANK_ZERO = {
  error: "ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use negative to start from the end of the list",
};
const COUNT_NEGATIVE = { error: "ERR COUNT can't be negative" };
const MAXLEN_NEGATIVE = { error: "ERR MAXLEN can't be negative" };
const TIMEOUT_NOT_FLOAT = { error: 'ERR timeout is not a float or out of range' };
const TIMEOUT_NEGATIVE = { error: 'ERR timeout is negative' };
const arity = (name: string) => ({ error: `ERR wrong number of arguments for '${name}' command` });

const hex = (latin1: string): string => Buffer.from(latin1, 'latin1').toString('hex');

/** Raw wire bytes of a reply for the given protocol version, as latin1 text. */
function wireText(r: Reply, resp: 2 | 3): string {
  return encode(r, resp).toString('latin1');
}

function wire(s: EmbeddedSession, resp: 2 | 3, ...args: string[]): string {
  return wireText(s.raw(args), resp);
}

function takeEffects(t: TestEngine): string[][] {
  const out = t.effects.map((e) => [...e.argv]);
  t.effects.length = 0;
  return out;
}

/** An engine whose key events a subscriber collects (notify-keyspace-events KEA). */
function withEvents(): TestEngine & { events: () => string[] } {
  const t = testEngine({ config: { 'notify-keyspace-events': 'KEA' } });
  const listener = t.session();
  listener.raw(['PSUBSCRIBE', '__keyevent@0__:*']);
  listener.takePushed();
  const events = (): string[] =>
    listener
      .takePushed()
      .map((r) => decodeReply(r, false) as string[])
      .map(([, , channel, key]) => `${channel!.slice('__keyevent@0__:'.length)} ${key}`)
      .filter((line) => !line.startsWith('new '));
  return Object.assign(t, { events });
}

const range = (from: number, to: number): string[] => Array.from({ length: to - from + 1 }, (_, i) => String(from + i));

/** The decoded answers a session got for its blocked commands since the last call. */
function unblocked(s: EmbeddedSession): unknown[] {
  return s.takeUnblocked().map((r) => (r.k === ReplyKind.Error ? { error: r.v as string } : decodeReply(r, false)));
}

/** Runs a command on a session that must block (BLOCKED), for the blocking tests. */
function mustBlock(s: EmbeddedSession, ...args: string[]): void {
  assert.equal(s.raw(args), BLOCKED, `${args.join(' ')} should block`);
}

// ---------------------------------------------------------------------------------------------

describe('declarations', () => {
  test('arity, flags, key positions and ACL categories as Redis 7.0 COMMAND INFO', () => {
    const t = testEngine();
    const W = ['write', 'denyoom', 'fast'];
    const expected: Record<string, [number, string[], [number, number, number], string[]]> = {
      lpush: [-3, W, [1, 1, 1], ['@write', '@list', '@fast']],
      rpush: [-3, W, [1, 1, 1], ['@write', '@list', '@fast']],
      lpushx: [-3, W, [1, 1, 1], ['@write', '@list', '@fast']],
      rpushx: [-3, W, [1, 1, 1], ['@write', '@list', '@fast']],
      lpop: [-2, ['write', 'fast'], [1, 1, 1], ['@write', '@list', '@fast']],
      rpop: [-2, ['write', 'fast'], [1, 1, 1], ['@write', '@list', '@fast']],
      llen: [2, ['readonly', 'fast'], [1, 1, 1], ['@read', '@list', '@fast']],
      lrange: [4, ['readonly'], [1, 1, 1], ['@read', '@list', '@slow']],
      lindex: [3, ['readonly'], [1, 1, 1], ['@read', '@list', '@slow']],
      lset: [4, ['write', 'denyoom'], [1, 1, 1], ['@write', '@list', '@slow']],
      linsert: [5, ['write', 'denyoom'], [1, 1, 1], ['@write', '@list', '@slow']],
      lrem: [4, ['write'], [1, 1, 1], ['@write', '@list', '@slow']],
      ltrim: [4, ['write'], [1, 1, 1], ['@write', '@list', '@slow']],
      lpos: [-3, ['readonly'], [1, 1, 1], ['@read', '@list', '@slow']],
      lmove: [5, ['write', 'denyoom'], [1, 2, 1], ['@write', '@list', '@slow']],
      rpoplpush: [3, ['write', 'denyoom'], [1, 2, 1], ['@write', '@list', '@slow']],
      lmpop: [-4, ['write', 'movablekeys'], [0, 0, 0], ['@write', '@list', '@slow']],
      blpop: [-3, ['write', 'noscript', 'blocking'], [1, -2, 1], ['@write', '@list', '@slow', '@blocking']],
      brpop: [-3, ['write', 'noscript', 'blocking'], [1, -2, 1], ['@write', '@list', '@slow', '@blocking']],
      blmove: [6, ['write', 'denyoom', 'noscript', 'blocking'], [1, 2, 1], ['@write', '@list', '@slow', '@blocking']],
      brpoplpush: [4, ['write', 'denyoom', 'noscript', 'blocking'], [1, 2, 1], ['@write', '@list', '@slow', '@blocking']],
      blmpop: [-5, ['write', 'blocking', 'movablekeys'], [0, 0, 0], ['@write', '@list', '@slow', '@blocking']],
    };
    assert.deepEqual(listCommands.map((c) => c.name).sort(), Object.keys(expected).sort());
    for (const [name, [ar, flags, [first, last, step], acl]] of Object.entries(expected)) {
      const info = (t.run('COMMAND', 'INFO', name) as unknown[][])[0]!;
      assert.equal(info[0], name);
      assert.equal(info[1], ar, `${name} arity`);
      assert.deepEqual([...(info[2] as Set<string>)], flags, `${name} flags`);
      assert.deepEqual([info[3], info[4], info[5]], [first, last, step], `${name} keys`);
      assert.deepEqual([...(info[6] as Set<string>)], acl, `${name} acl`);
    }
  });

  test('COMMAND GETKEYS finds the keys of LMPOP and BLMPOP from numkeys', () => {
    const t = testEngine();
    assert.deepEqual(t.run('COMMAND', 'GETKEYS', 'LMPOP', '2', 'a', 'b', 'LEFT'), ['a', 'b']);
    assert.deepEqual(t.run('COMMAND', 'GETKEYS', 'LMPOP', '3', 'a', 'b', 'LEFT'), ['a', 'b', 'LEFT']);
    assert.deepEqual(t.run('COMMAND', 'GETKEYS', 'BLMPOP', '0', '1', 'a', 'b', 'LEFT'), ['a']);
    assert.deepEqual(t.run('COMMAND', 'GETKEYS', 'BLMPOP', '0', '3', 'a', 'b', 'LEFT'), ['a', 'b', 'LEFT']);
    const invalid = { error: 'ERR Invalid arguments specified for command' };
    assert.deepEqual(t.run('COMMAND', 'GETKEYS', 'LMPOP', '5', 'a', 'b', 'LEFT'), invalid);
    assert.deepEqual(t.run('COMMAND', 'GETKEYS', 'LMPOP', '0', 'a', 'b', 'LEFT'), invalid);
    assert.deepEqual(t.run('COMMAND', 'GETKEYS', 'LMPOP', 'x', 'a', 'b', 'LEFT'), invalid);
    assert.deepEqual(t.run('COMMAND', 'GETKEYS', 'BLPOP', 'a', 'b', '0'), ['a', 'b']);
    assert.deepEqual(t.run('COMMAND', 'GETKEYS', 'BRPOPLPUSH', 'a', 'b', '0'), ['a', 'b']);
  });
});

// ---------------------------------------------------------------------------------------------

describe('pushes and pops', () => {
  test('LPUSH / RPUSH build the list and answer its length; the X forms need the key', () => {
    const t = testEngine();
    assert.equal(t.run('RPUSH', 'l', 'a', 'b', 'c'), 3);
    assert.equal(t.run('LPUSH', 'l', 'x', 'y'), 5);
    assert.deepEqual(t.run('LRANGE', 'l', '0', '-1'), ['y', 'x', 'a', 'b', 'c']);
    assert.equal(t.run('LPUSHX', 'nokey', 'a', 'b'), 0);
    assert.equal(t.run('RPUSHX', 'nokey', 'a'), 0);
    assert.equal(t.run('EXISTS', 'nokey'), 0);
    assert.equal(t.run('RPUSHX', 'l', 'p', 'q'), 7);
    assert.equal(t.run('LPUSHX', 'l', 'first'), 8);
    assert.deepEqual(t.run('LRANGE', 'l', '0', '-1'), ['first', 'y', 'x', 'a', 'b', 'c', 'p', 'q']);
    assert.deepEqual(t.run('LPUSH', 'l'), arity('lpush'));
    assert.deepEqual(t.run('RPUSHX', 'l'), arity('rpushx'));
    t.run('SET', 's', 'x');
    for (const cmd of ['LPUSH', 'RPUSH', 'LPUSHX', 'RPUSHX']) assert.deepEqual(t.run(cmd, 's', 'a'), WRONGTYPE, cmd);
    assert.equal(t.run('TYPE', 'l'), 'list');
    assert.equal(t.run('OBJECT', 'ENCODING', 'l'), 'quicklist');
  });

  test('elements are binary-safe and kept exactly (no integer normalisation)', () => {
    const t = testEngine();
    const s = t.session();
    s.raw(['RPUSH', 'b', Buffer.from([0, 0xff]), '007', '-0', '', '1']);
    const got = t.raw('LRANGE', 'b', '0', '-1').v as Reply[];
    assert.deepEqual(got.map((r) => r.v), ['\x00\xff', '007', '-0', '', '1']);
    assert.equal(t.run('LPOS', 'b', '7'), null);
    assert.equal(t.run('LPOS', 'b', '007'), 1);
    assert.equal(t.run('LREM', 'b', '0', '0'), 0);
  });

  test('LPOP / RPOP: one element, or COUNT of them; nil shapes differ with and without COUNT', () => {
    const t = testEngine();
    t.run('RPUSH', 'l', 'a', 'b', 'c', 'd', 'e');
    assert.equal(t.run('LPOP', 'l'), 'a');
    assert.equal(t.run('RPOP', 'l'), 'e');
    assert.deepEqual(t.run('LPOP', 'l', '0'), []);
    assert.deepEqual(t.run('RPOP', 'l', '2'), ['d', 'c']);
    assert.deepEqual(t.run('LPOP', 'l', '9223372036854775807'), ['b']);
    assert.equal(t.run('EXISTS', 'l'), 0);
    assert.equal(t.run('LPOP', 'l'), null);
    const s2 = t.session();
    const s3 = t.session();
    s3.raw(['HELLO', '3']);
    assert.equal(wire(s2, 2, 'LPOP', 'nokey'), '$-1\r\n');
    assert.equal(wire(s2, 2, 'LPOP', 'nokey', '1'), '*-1\r\n');
    assert.equal(wire(s2, 2, 'RPOP', 'nokey', '0'), '*-1\r\n');
    assert.equal(wire(s3, 3, 'LPOP', 'nokey'), '_\r\n');
    assert.equal(wire(s3, 3, 'LPOP', 'nokey', '1'), '_\r\n');
    t.run('RPUSH', 'l', 'a', 'b', 'c');
    assert.equal(wire(s2, 2, 'LPOP', 'l', '0'), '*0\r\n');
    assert.equal(wire(s3, 3, 'LPOP', 'l', '0'), '*0\r\n');
    assert.equal(wire(s3, 3, 'RPOP', 'l', '2'), '*2\r\n$1\r\nc\r\n$1\r\nb\r\n');
    assert.equal(wire(s2, 2, 'RPOP', 'l'), '$1\r\na\r\n');
  });

  test('LPOP / RPOP errors: the count is parsed before the key is looked up', () => {
    const t = testEngine();
    t.run('SET', 's', 'x');
    assert.deepEqual(t.run('LPOP', 'nokey', '-1'), NOT_POSITIVE);
    assert.deepEqual(t.run('LPOP', 'nokey', 'abc'), NOT_POSITIVE);
    assert.deepEqual(t.run('RPOP', 'nokey', '01'), NOT_POSITIVE);
    assert.deepEqual(t.run('RPOP', 'nokey', ' 1'), NOT_POSITIVE);
    assert.deepEqual(t.run('LPOP', 's', '-1'), NOT_POSITIVE);
    assert.deepEqual(t.run('LPOP', 's'), WRONGTYPE);
    assert.deepEqual(t.run('LPOP', 's', '0'), WRONGTYPE);
    assert.deepEqual(t.run('LPOP', 'nokey', '1', '2'), arity('lpop'));
    assert.deepEqual(t.run('RPOP', 'nokey', '1', '2'), arity('rpop'));
    assert.deepEqual(t.run('LPOP'), arity('lpop'));
  });
});

// ---------------------------------------------------------------------------------------------

describe('reads: LLEN, LINDEX, LRANGE', () => {
  test('LLEN counts, 0 for a missing key', () => {
    const t = testEngine();
    t.run('RPUSH', 'l', 'a', 'b');
    t.run('SET', 's', 'x');
    assert.equal(t.run('LLEN', 'l'), 2);
    assert.equal(t.run('LLEN', 'nokey'), 0);
    assert.deepEqual(t.run('LLEN', 's'), WRONGTYPE);
  });

  test('LINDEX from either end; nil out of range; the key is looked up before the index is parsed', () => {
    const t = testEngine();
    t.run('RPUSH', 'l', 'a', 'b', 'c', 'd');
    t.run('SET', 's', 'x');
    assert.equal(t.run('LINDEX', 'l', '0'), 'a');
    assert.equal(t.run('LINDEX', 'l', '3'), 'd');
    assert.equal(t.run('LINDEX', 'l', '-1'), 'd');
    assert.equal(t.run('LINDEX', 'l', '-4'), 'a');
    assert.equal(t.run('LINDEX', 'l', '4'), null);
    assert.equal(t.run('LINDEX', 'l', '-5'), null);
    assert.equal(t.run('LINDEX', 'l', '9223372036854775807'), null);
    assert.deepEqual(t.run('LINDEX', 'l', 'abc'), NOT_INT);
    assert.equal(t.run('LINDEX', 'nokey', 'abc'), null);
    assert.deepEqual(t.run('LINDEX', 's', 'abc'), WRONGTYPE);
    const s3 = t.session();
    s3.raw(['HELLO', '3']);
    assert.equal(wire(s3, 3, 'LINDEX', 'nokey', '0'), '_\r\n');
    assert.equal(wire(t.session(), 2, 'LINDEX', 'l', '10'), '$-1\r\n');
  });

  test('LRANGE clamps and converts negative indexes; the indexes are parsed first', () => {
    const t = testEngine();
    t.run('RPUSH', 'l', 'a', 'b', 'c', 'd', 'e');
    t.run('SET', 's', 'x');
    assert.deepEqual(t.run('LRANGE', 'l', '0', '-1'), ['a', 'b', 'c', 'd', 'e']);
    assert.deepEqual(t.run('LRANGE', 'l', '-100', '100'), ['a', 'b', 'c', 'd', 'e']);
    assert.deepEqual(t.run('LRANGE', 'l', '1', '2'), ['b', 'c']);
    assert.deepEqual(t.run('LRANGE', 'l', '-2', '-1'), ['d', 'e']);
    assert.deepEqual(t.run('LRANGE', 'l', '3', '1'), []);
    assert.deepEqual(t.run('LRANGE', 'l', '5', '10'), []);
    assert.deepEqual(t.run('LRANGE', 'l', '0', '9223372036854775807'), ['a', 'b', 'c', 'd', 'e']);
    assert.deepEqual(t.run('LRANGE', 'l', '-9223372036854775808', '0'), ['a']);
    assert.deepEqual(t.run('LRANGE', 'l', '-9223372036854775808', '-9223372036854775808'), []);
    assert.deepEqual(t.run('LRANGE', 'nokey', '0', '-1'), []);
    assert.deepEqual(t.run('LRANGE', 'l', 'abc', '1'), NOT_INT);
    assert.deepEqual(t.run('LRANGE', 'nokey', '0', 'x'), NOT_INT);
    assert.deepEqual(t.run('LRANGE', 's', 'abc', '1'), NOT_INT);
    assert.deepEqual(t.run('LRANGE', 's', '0', '1'), WRONGTYPE);
  });
});

// ---------------------------------------------------------------------------------------------

describe('LPOS', () => {
  const setup = (): TestEngine => {
    const t = testEngine();
    t.run('RPUSH', 'l', 'a', 'b', 'c', 'a', 'b', 'c', 'a');
    t.run('SET', 's', 'x');
    return t;
  };

  test('RANK picks the n-th match from the head or (negative) from the tail; COUNT lists matches', () => {
    const t = setup();
    assert.equal(t.run('LPOS', 'l', 'a'), 0);
    assert.equal(t.run('LPOS', 'l', 'a', 'RANK', '2'), 3);
    assert.equal(t.run('LPOS', 'l', 'a', 'RANK', '-1'), 6);
    assert.equal(t.run('LPOS', 'l', 'a', 'RANK', '4'), null);
    assert.deepEqual(t.run('LPOS', 'l', 'a', 'RANK', '-2', 'COUNT', '2'), [3, 0]);
    assert.deepEqual(t.run('LPOS', 'l', 'a', 'COUNT', '0'), [0, 3, 6]);
    assert.deepEqual(t.run('LPOS', 'l', 'a', 'COUNT', '2', 'RANK', '2'), [3, 6]);
    assert.deepEqual(t.run('LPOS', 'l', 'z', 'COUNT', '0'), []);
    assert.equal(t.run('LPOS', 'l', 'z'), null);
    assert.deepEqual(t.run('LPOS', 'l', 'a', 'RANK', '2', 'COUNT', '9223372036854775807'), [3, 6]);
    assert.equal(t.run('LPOS', 'l', 'a', 'RANK', '9223372036854775807'), null);
    assert.deepEqual(t.run('LPOS', 'l', 'a', 'RANK', '-9223372036854775807', 'COUNT', '1'), []);
    // Options repeat: the last one wins.
    assert.deepEqual(t.run('LPOS', 'l', 'a', 'RANK', '1', 'COUNT', '1', 'MAXLEN', '0', 'rank', '2'), [3]);
  });

  test('MAXLEN bounds the scan from the chosen end', () => {
    const t = setup();
    assert.deepEqual(t.run('LPOS', 'l', 'a', 'COUNT', '0', 'MAXLEN', '4'), [0, 3]);
    assert.equal(t.run('LPOS', 'l', 'a', 'RANK', '-1', 'MAXLEN', '1'), 6);
    assert.equal(t.run('LPOS', 'l', 'b', 'RANK', '-1', 'MAXLEN', '1'), null);
    assert.equal(t.run('LPOS', 'l', 'a', 'RANK', '3', 'MAXLEN', '9223372036854775807'), 6);
    assert.equal(t.run('LPOS', 'l', 'a', 'RANK', '3', 'MAXLEN', '6'), null);
  });

  test('RANK -9223372036854775808 behaves as Redis: from the tail, every match, COUNT ignored', () => {
    const t = setup();
    assert.equal(t.run('LPOS', 'l', 'a', 'RANK', '-9223372036854775808'), 6);
    assert.deepEqual(t.run('LPOS', 'l', 'a', 'RANK', '-9223372036854775808', 'COUNT', '1'), [6, 3, 0]);
    assert.deepEqual(t.run('LPOS', 'l', 'a', 'RANK', '-9223372036854775808', 'COUNT', '0'), [6, 3, 0]);
    assert.deepEqual(t.run('LPOS', 'l', 'a', 'RANK', '-9223372036854775808', 'COUNT', '1', 'MAXLEN', '3'), [6]);
  });

  test('errors and the missing key: options are checked first', () => {
    const t = setup();
    assert.deepEqual(t.run('LPOS', 'l', 'a', 'RANK', '0'), RANK_ZERO);
    assert.deepEqual(t.run('LPOS', 'nokey', 'a', 'RANK', '0'), RANK_ZERO);
    assert.deepEqual(t.run('LPOS', 's', 'a', 'RANK', '0'), RANK_ZERO);
    assert.deepEqual(t.run('LPOS', 'l', 'a', 'RANK', 'abc'), NOT_INT);
    assert.deepEqual(t.run('LPOS', 'l', 'a', 'RANK', '9223372036854775808'), NOT_INT);
    assert.deepEqual(t.run('LPOS', 'l', 'a', 'COUNT', '-1'), COUNT_NEGATIVE);
    assert.deepEqual(t.run('LPOS', 'l', 'a', 'COUNT', 'abc'), COUNT_NEGATIVE);
    assert.deepEqual(t.run('LPOS', 'l', 'a', 'COUNT', '9223372036854775808'), COUNT_NEGATIVE);
    assert.deepEqual(t.run('LPOS', 'l', 'a', 'MAXLEN', '-1'), MAXLEN_NEGATIVE);
    assert.deepEqual(t.run('LPOS', 'l', 'a', 'MAXLEN', 'abc'), MAXLEN_NEGATIVE);
    assert.deepEqual(t.run('LPOS', 'l', 'a', 'foo'), SYNTAX);
    assert.deepEqual(t.run('LPOS', 'l', 'a', 'RANK'), SYNTAX);
    assert.deepEqual(t.run('LPOS', 'l', 'a', 'COUNT'), SYNTAX);
    assert.deepEqual(t.run('LPOS', 's', 'a'), WRONGTYPE);
    assert.deepEqual(t.run('LPOS', 'l'), arity('lpos'));
    assert.equal(t.run('LPOS', 'nokey', 'a'), null);
    assert.deepEqual(t.run('LPOS', 'nokey', 'a', 'COUNT', '1'), []);
    const s3 = t.session();
    s3.raw(['HELLO', '3']);
    assert.equal(wire(s3, 3, 'LPOS', 'nokey', 'a'), '_\r\n');
    assert.equal(wire(s3, 3, 'LPOS', 'l', 'z', 'COUNT', '0'), '*0\r\n');
    assert.equal(wire(t.session(), 2, 'LPOS', 'l', 'z'), '$-1\r\n');
  });
});

// ---------------------------------------------------------------------------------------------

describe('in-place edits: LSET, LINSERT, LREM, LTRIM', () => {
  test('LSET from either end; errors in Redis order (key, type, index, range)', () => {
    const t = testEngine();
    t.run('RPUSH', 'l', 'a', 'b', 'c');
    t.run('SET', 's', 'x');
    assert.equal(t.run('LSET', 'l', '0', 'A'), 'OK');
    assert.equal(t.run('LSET', 'l', '-1', 'C'), 'OK');
    assert.deepEqual(t.run('LRANGE', 'l', '0', '-1'), ['A', 'b', 'C']);
    assert.deepEqual(t.run('LSET', 'l', '3', 'q'), { error: 'ERR index out of range' });
    assert.deepEqual(t.run('LSET', 'l', '-4', 'q'), { error: 'ERR index out of range' });
    assert.deepEqual(t.run('LSET', 'l', 'abc', 'q'), NOT_INT);
    assert.deepEqual(t.run('LSET', 'nokey', '0', 'q'), { error: 'ERR no such key' });
    assert.deepEqual(t.run('LSET', 'nokey', 'abc', 'q'), { error: 'ERR no such key' });
    assert.deepEqual(t.run('LSET', 's', 'abc', 'q'), WRONGTYPE);
  });

  test('LINSERT before or after the first pivot; -1 without it, 0 without the key', () => {
    const t = testEngine();
    t.run('RPUSH', 'l', 'a', 'b', 'c', 'b');
    t.run('SET', 's', 'x');
    assert.equal(t.run('LINSERT', 'l', 'BEFORE', 'b', 'z'), 5);
    assert.equal(t.run('LINSERT', 'l', 'after', 'b', 'y'), 6);
    assert.deepEqual(t.run('LRANGE', 'l', '0', '-1'), ['a', 'z', 'b', 'y', 'c', 'b']);
    assert.equal(t.run('LINSERT', 'l', 'AFTER', 'b', 'last'), 7);
    assert.equal(t.run('LINSERT', 'l', 'BEFORE', 'a', 'first'), 8);
    assert.deepEqual(t.run('LRANGE', 'l', '0', '-1'), ['first', 'a', 'z', 'b', 'last', 'y', 'c', 'b']);
    assert.equal(t.run('LINSERT', 'l', 'AFTER', 'nope', 'q'), -1);
    assert.equal(t.run('LINSERT', 'nokey', 'AFTER', 'a', 'q'), 0);
    assert.deepEqual(t.run('LINSERT', 'l', 'middle', 'a', 'q'), SYNTAX);
    assert.deepEqual(t.run('LINSERT', 'nokey', 'middle', 'a', 'q'), SYNTAX);
    assert.deepEqual(t.run('LINSERT', 's', 'middle', 'a', 'q'), SYNTAX);
    assert.deepEqual(t.run('LINSERT', 's', 'AFTER', 'a', 'q'), WRONGTYPE);
    assert.equal(t.run('EXISTS', 'nokey'), 0);
  });

  test('LREM from the head, from the tail, or all; the key goes with its last element', () => {
    const t = testEngine();
    t.run('RPUSH', 'l', 'a', 'b', 'a', 'c', 'a', 'd', 'a');
    t.run('SET', 's', 'x');
    assert.equal(t.run('LREM', 'l', '2', 'a'), 2);
    assert.deepEqual(t.run('LRANGE', 'l', '0', '-1'), ['b', 'c', 'a', 'd', 'a']);
    assert.equal(t.run('LREM', 'l', '-1', 'a'), 1);
    assert.deepEqual(t.run('LRANGE', 'l', '0', '-1'), ['b', 'c', 'a', 'd']);
    assert.equal(t.run('LREM', 'l', '0', 'a'), 1);
    assert.equal(t.run('LREM', 'l', '0', 'zz'), 0);
    assert.equal(t.run('LREM', 'l', '-9223372036854775808', 'b'), 1);
    assert.equal(t.run('LREM', 'l', '0', 'c'), 1);
    assert.equal(t.run('LREM', 'l', '5', 'd'), 1);
    assert.equal(t.run('EXISTS', 'l'), 0);
    assert.equal(t.run('LREM', 'nokey', '0', 'x'), 0);
    assert.deepEqual(t.run('LREM', 'nokey', 'abc', 'x'), NOT_INT);
    assert.deepEqual(t.run('LREM', 's', 'abc', 'x'), NOT_INT);
    assert.deepEqual(t.run('LREM', 's', '0', 'x'), WRONGTYPE);
  });

  test('LTRIM keeps an inclusive range; an empty range removes the key', () => {
    const t = testEngine();
    t.run('RPUSH', 'l', ...range(1, 9));
    t.run('SET', 's', 'x');
    assert.equal(t.run('LTRIM', 'l', '2', '-3'), 'OK');
    assert.deepEqual(t.run('LRANGE', 'l', '0', '-1'), ['3', '4', '5', '6', '7']);
    assert.equal(t.run('LTRIM', 'l', '-100', '100'), 'OK');
    assert.equal(t.run('LLEN', 'l'), 5);
    assert.equal(t.run('LTRIM', 'l', '1', '1'), 'OK');
    assert.deepEqual(t.run('LRANGE', 'l', '0', '-1'), ['4']);
    assert.equal(t.run('LTRIM', 'l', '5', '1'), 'OK');
    assert.equal(t.run('EXISTS', 'l'), 0);
    assert.equal(t.run('LTRIM', 'nokey', '0', '1'), 'OK');
    assert.deepEqual(t.run('LTRIM', 'nokey', 'abc', '1'), NOT_INT);
    assert.deepEqual(t.run('LTRIM', 's', '0', 'x'), NOT_INT);
    assert.deepEqual(t.run('LTRIM', 's', '0', '1'), WRONGTYPE);
  });
});

// ---------------------------------------------------------------------------------------------

describe('LMOVE, RPOPLPUSH, LMPOP', () => {
  test('LMOVE between lists and within one; the source goes when emptied', () => {
    const t = testEngine();
    t.run('RPUSH', 'a', '1', '2', '3');
    assert.equal(t.run('LMOVE', 'a', 'b', 'LEFT', 'RIGHT'), '1');
    assert.equal(t.run('LMOVE', 'a', 'b', 'right', 'left'), '3');
    assert.equal(t.run('LMOVE', 'a', 'a', 'LEFT', 'RIGHT'), '2');
    assert.deepEqual(t.run('LRANGE', 'a', '0', '-1'), ['2']);
    assert.deepEqual(t.run('LRANGE', 'b', '0', '-1'), ['3', '1']);
    // A one-element list rotated onto itself stays.
    assert.equal(t.run('RPOPLPUSH', 'a', 'a'), '2');
    assert.equal(t.run('LMOVE', 'a', 'a', 'LEFT', 'LEFT'), '2');
    assert.deepEqual(t.run('LRANGE', 'a', '0', '-1'), ['2']);
    assert.equal(t.run('RPOPLPUSH', 'a', 'b'), '2');
    assert.equal(t.run('EXISTS', 'a'), 0);
    assert.deepEqual(t.run('LRANGE', 'b', '0', '-1'), ['2', '3', '1']);
    assert.equal(t.run('OBJECT', 'ENCODING', 'b'), 'quicklist');
  });

  test('LMOVE / RPOPLPUSH errors: directions first, a missing source is nil before the destination is checked', () => {
    const t = testEngine();
    t.run('RPUSH', 'a', '1');
    t.run('SET', 's', 'x');
    assert.deepEqual(t.run('LMOVE', 'a', 'b', 'UP', 'LEFT'), SYNTAX);
    assert.deepEqual(t.run('LMOVE', 'a', 'b', 'LEFT', 'UP'), SYNTAX);
    assert.equal(t.run('LMOVE', 'nokey', 'b', 'LEFT', 'LEFT'), null);
    assert.equal(t.run('LMOVE', 'nokey', 's', 'LEFT', 'LEFT'), null);
    assert.deepEqual(t.run('LMOVE', 'a', 's', 'LEFT', 'LEFT'), WRONGTYPE);
    assert.deepEqual(t.run('LMOVE', 's', 'a', 'LEFT', 'LEFT'), WRONGTYPE);
    assert.deepEqual(t.run('RPOPLPUSH', 'a', 's'), WRONGTYPE);
    assert.deepEqual(t.run('RPOPLPUSH', 's', 'a'), WRONGTYPE);
    assert.equal(t.run('RPOPLPUSH', 'nokey', 'a'), null);
    assert.deepEqual(t.run('LRANGE', 'a', '0', '-1'), ['1'], 'a refused move leaves the source alone');
    const s3 = t.session();
    s3.raw(['HELLO', '3']);
    assert.equal(wire(s3, 3, 'LMOVE', 'nokey', 'x', 'LEFT', 'LEFT'), '_\r\n');
    assert.equal(wire(t.session(), 2, 'RPOPLPUSH', 'nokey', 'x'), '$-1\r\n');
  });

  test('LMPOP pops from the first non-empty list: [key, [elements]]', () => {
    const t = testEngine();
    t.run('RPUSH', 'l', 'a', 'b', 'c', 'd');
    t.run('SET', 's', 'x');
    assert.deepEqual(t.run('LMPOP', '2', 'nokey', 'l', 'LEFT'), ['l', ['a']]);
    assert.deepEqual(t.run('LMPOP', '1', 'l', 'RIGHT', 'COUNT', '2'), ['l', ['d', 'c']]);
    assert.deepEqual(t.run('LMPOP', '2', 'l', 's', 'left', 'count', '100'), ['l', ['b']]);
    assert.equal(t.run('EXISTS', 'l'), 0);
    assert.equal(t.run('LMPOP', '1', 'l', 'LEFT'), null);
    assert.deepEqual(t.run('LMPOP', '2', 'nokey', 's', 'LEFT'), WRONGTYPE);
    const s3 = t.session();
    s3.raw(['HELLO', '3']);
    assert.equal(wire(s3, 3, 'LMPOP', '1', 'nokey', 'LEFT'), '_\r\n');
    assert.equal(wire(t.session(), 2, 'LMPOP', '1', 'nokey', 'LEFT'), '*-1\r\n');
    t.run('RPUSH', 'l', 'a');
    assert.equal(wire(s3, 3, 'LMPOP', '1', 'l', 'LEFT'), '*2\r\n$1\r\nl\r\n*1\r\n$1\r\na\r\n');
  });

  test('LMPOP / BLMPOP argument errors in Redis order', () => {
    const t = testEngine();
    t.run('RPUSH', 'l', 'a');
    for (const n of ['0', '-1', 'abc']) assert.deepEqual(t.run('LMPOP', n, 'l', 'LEFT'), NUMKEYS, n);
    assert.deepEqual(t.run('LMPOP', '1', 'l'), arity('lmpop'));
    assert.deepEqual(t.run('LMPOP', '2', 'l', 'LEFT'), SYNTAX);
    assert.deepEqual(t.run('LMPOP', '9223372036854775807', 'l', 'LEFT'), SYNTAX);
    assert.deepEqual(t.run('LMPOP', '1', 'l', 'UP'), SYNTAX);
    assert.deepEqual(t.run('LMPOP', '1', 'l', 'LEFT', 'COUNT'), SYNTAX);
    assert.deepEqual(t.run('LMPOP', '1', 'l', 'LEFT', 'FOO'), SYNTAX);
    assert.deepEqual(t.run('LMPOP', '1', 'l', 'LEFT', 'COUNT', '1', 'COUNT', '1'), SYNTAX);
    for (const c of ['0', '-1', 'abc', '9223372036854775808']) assert.deepEqual(t.run('LMPOP', '1', 'l', 'LEFT', 'COUNT', c), MPOP_COUNT, c);
    // BLMPOP parses numkeys, direction and COUNT before the timeout.
    assert.deepEqual(t.run('BLMPOP', 'abc', '0', 'l', 'LEFT'), NUMKEYS);
    assert.deepEqual(t.run('BLMPOP', 'abc', '1', 'l', 'UP'), SYNTAX);
    assert.deepEqual(t.run('BLMPOP', 'abc', '1', 'l', 'LEFT', 'COUNT', '0'), MPOP_COUNT);
    assert.deepEqual(t.run('BLMPOP', 'abc', '1', 'l', 'LEFT'), TIMEOUT_NOT_FLOAT);
    assert.deepEqual(t.run('BLMPOP', '-1', '1', 'l', 'LEFT'), TIMEOUT_NEGATIVE);
    assert.deepEqual(t.run('BLMPOP', '0', '1', 'l'), arity('blmpop'));
    assert.deepEqual(t.run('LRANGE', 'l', '0', '-1'), ['a']);
  });
});

// ---------------------------------------------------------------------------------------------

describe('keyspace events, WATCH, effects', () => {
  test('each command fires Redis\'s events, with del when a list is emptied', () => {
    const t = withEvents();
    t.run('RPUSH', 'l', 'a', 'b', 'c');
    t.run('LPUSH', 'l', 'z');
    t.run('LPUSHX', 'nokey', 'z');
    assert.deepEqual(t.events(), ['rpush l', 'lpush l']);
    t.run('LINSERT', 'l', 'AFTER', 'a', 'q');
    t.run('LINSERT', 'l', 'AFTER', 'nope', 'q');
    t.run('LSET', 'l', '0', 'Z');
    t.run('LREM', 'l', '0', 'q');
    t.run('LREM', 'l', '0', 'nope');
    assert.deepEqual(t.events(), ['linsert l', 'lset l', 'lrem l']);
    t.run('LTRIM', 'l', '0', '-1');
    t.run('LPOP', 'l');
    t.run('RPOP', 'l', '0');
    t.run('RPOP', 'l', '5');
    assert.deepEqual(t.events(), ['ltrim l', 'lpop l', 'rpop l', 'del l']);
    t.run('RPUSH', 'src', 'x');
    t.events();
    t.run('LMOVE', 'src', 'dst', 'RIGHT', 'LEFT');
    assert.deepEqual(t.events(), ['lpush dst', 'rpop src', 'del src']);
    t.run('RPOPLPUSH', 'dst', 'dst');
    assert.deepEqual(t.events(), ['lpush dst', 'rpop dst']);
    t.run('LMPOP', '1', 'dst', 'LEFT', 'COUNT', '3');
    assert.deepEqual(t.events(), ['lpop dst', 'del dst']);
    t.run('RPUSH', 'l', 'a', 'b');
    t.run('LTRIM', 'l', '1', '0');
    assert.deepEqual(t.events(), ['rpush l', 'ltrim l', 'del l']);
    t.run('RPUSH', 'l', 'a', 'b');
    t.run('LREM', 'l', '0', 'a');
    t.run('LREM', 'l', '0', 'b');
    assert.deepEqual(t.events(), ['rpush l', 'lrem l', 'lrem l', 'del l']);
    t.run('RPUSH', 'l', 'a');
    t.run('BLPOP', 'l', '0');
    assert.deepEqual(t.events(), ['rpush l', 'lpop l', 'del l']);
  });

  test('a list change breaks WATCH; a refused or empty command does not', () => {
    const t = testEngine();
    t.run('RPUSH', 'l', 'a', 'b');
    const cases: Array<[string[], boolean]> = [
      [['LPUSH', 'l', 'x'], true],
      [['LSET', 'l', '0', 'y'], true],
      [['LINSERT', 'l', 'BEFORE', 'a', 'q'], true],
      [['LINSERT', 'l', 'BEFORE', 'nope', 'q'], false],
      [['LREM', 'l', '0', 'q'], true],
      [['LREM', 'l', '0', 'nope'], false],
      [['LTRIM', 'l', '0', '-1'], true], // Redis signals the key even when nothing is trimmed
      [['LPOP', 'l', '0'], false],
      [['LPOS', 'l', 'a'], false],
      [['LMOVE', 'l', 'other', 'LEFT', 'LEFT'], true],
      [['RPOPLPUSH', 'nokey', 'l'], false],
    ];
    for (const [cmd, breaks] of cases) {
      const s = t.session();
      s.raw(['WATCH', 'l']);
      t.run(...cmd);
      s.raw(['MULTI']);
      s.raw(['PING']);
      const reply = s.raw(['EXEC']);
      assert.equal(reply.k === ReplyKind.NilArray, breaks, `${cmd.join(' ')} ${breaks ? 'breaks' : 'keeps'} the watch`);
    }
  });

  test('logged effects: argv for plain writes, the concrete form for LMPOP and nothing for no-ops', () => {
    const t = testEngine();
    t.run('RPUSH', 'l', 'a', 'b', 'c', 'd');
    t.run('LPUSHX', 'nokey', 'a');
    t.run('LPOP', 'l', '0');
    t.run('LPOP', 'nokey');
    t.run('LTRIM', 'l', '0', '-1');
    t.run('LREM', 'l', '0', 'zz');
    t.run('LINSERT', 'l', 'AFTER', 'zz', 'q');
    assert.deepEqual(takeEffects(t), [['RPUSH', 'l', 'a', 'b', 'c', 'd']]);
    t.run('LMPOP', '2', 'nokey', 'l', 'RIGHT', 'COUNT', '3');
    t.run('RPUSH', 'l', 'x', 'y');
    t.run('LMPOP', '1', 'l', 'left', 'COUNT', '10');
    assert.deepEqual(takeEffects(t), [
      ['LMPOP', '1', 'l', 'RIGHT', 'COUNT', '3'],
      ['RPUSH', 'l', 'x', 'y'],
      ['LMPOP', '1', 'l', 'LEFT', 'COUNT', '3'],
    ]);
    t.run('RPUSH', 'l', 'a', 'b', 'c');
    t.run('LMOVE', 'l', 'm', 'LEFT', 'RIGHT');
    t.run('RPOPLPUSH', 'l', 'm');
    t.run('BLPOP', 'nokey', 'l', '0');
    t.run('RPUSH', 'l', 'a', 'b');
    t.run('BRPOP', 'l', '0');
    t.run('BLMOVE', 'm', 'l', 'RIGHT', 'LEFT', '0');
    t.run('BRPOPLPUSH', 'm', 'l', '0');
    t.run('BLMPOP', '0', '1', 'l', 'RIGHT', 'COUNT', '2');
    assert.deepEqual(takeEffects(t), [
      ['RPUSH', 'l', 'a', 'b', 'c'],
      ['LMOVE', 'l', 'm', 'LEFT', 'RIGHT'],
      ['RPOPLPUSH', 'l', 'm'],
      ['LPOP', 'l'],
      ['RPUSH', 'l', 'a', 'b'],
      ['RPOP', 'l'],
      ['LMOVE', 'm', 'l', 'RIGHT', 'LEFT'],
      ['RPOPLPUSH', 'm', 'l'],
      ['LMPOP', '1', 'l', 'RIGHT', 'COUNT', '2'],
    ]);
  });

  test('dirty counts elements, as Redis server.dirty', () => {
    const t = testEngine();
    const dirty = (): number => t.engine.ks.dirty;
    let before = dirty();
    t.run('RPUSH', 'l', 'a', 'b', 'c', 'd', 'e');
    assert.equal(dirty() - before, 5);
    before = dirty();
    t.run('LPOP', 'l', '2');
    assert.equal(dirty() - before, 2);
    before = dirty();
    t.run('LTRIM', 'l', '1', '1');
    assert.equal(dirty() - before, 2);
    before = dirty();
    t.run('LTRIM', 'l', '0', '-1');
    assert.equal(dirty() - before, 0);
  });
});

// ---------------------------------------------------------------------------------------------

describe('DUMP / RESTORE codec (tag 2)', () => {
  test('golden bytes', () => {
    assert.equal(hex(dumpValue('list', ListValue.from(['a', 'bc', '']))), '02030161026263000100cd6cb86970efb51e');
    assert.equal(
      hex(dumpValue('list', ListValue.from(['\x00\xff', 'x'.repeat(200)]))),
      '02020200ffc801' + '78'.repeat(200) + '0100be99a417ca896670',
    );
  });

  test('round trip through DUMP / RESTORE and COPY keeps order and bytes', () => {
    const t = testEngine();
    const s = t.session();
    const items = ['\x00', 'b', '', '\xff'.repeat(300), ...range(1, 50)];
    s.raw(['RPUSH', 'l', ...items.map((x) => Buffer.from(x, 'latin1'))]);
    const payload = t.raw('DUMP', 'l').v as string;
    assert.equal(payload.charCodeAt(0), 2);
    assert.equal(s.raw(['RESTORE', 'copy', '0', Buffer.from(payload, 'latin1')]).v, 'OK');
    const restored = (t.raw('LRANGE', 'copy', '0', '-1').v as Reply[]).map((r) => r.v as string);
    assert.deepEqual(restored, items);
    assert.equal(t.run('COPY', 'l', 'c2'), 1);
    t.run('LPUSH', 'c2', 'new');
    assert.equal(t.run('LLEN', 'l'), items.length, 'COPY is deep: the copy changes alone');
    assert.equal(t.run('OBJECT', 'ENCODING', 'copy'), 'quicklist');
  });

  test('malformed bodies are refused: empty list, truncation, trailing bytes', () => {
    /** A payload around a forged body, with a valid version and checksum. */
    const payloadFor = (body: string): string => {
      const signed = body + '\x01\x00';
      const [hi, lo] = crc64(signed);
      let sum = '';
      for (let i = 0; i < 4; i++) sum += String.fromCharCode((lo >>> (8 * i)) & 0xff);
      for (let i = 0; i < 4; i++) sum += String.fromCharCode((hi >>> (8 * i)) & 0xff);
      return signed + sum;
    };
    const good = restoreValue(payloadFor('\x02\x02\x01a\x00'));
    assert.ok(good.ok && good.type === 'list');
    assert.deepEqual((good.value as ListValue).toArray(), ['a', '']);
    const format = { ok: false, reason: 'format' };
    assert.deepEqual(restoreValue(payloadFor('\x02\x00')), format, 'an empty list');
    assert.deepEqual(restoreValue(payloadFor('\x02\x02\x01a')), format, 'fewer elements than counted');
    assert.deepEqual(restoreValue(payloadFor('\x02\x01\x01ab')), format, 'trailing bytes');
    assert.deepEqual(restoreValue(payloadFor('\x02\x01\x05ab')), format, 'a truncated element');
    assert.deepEqual(restoreValue(payloadFor('\x02\xff\xff\xff\xff\x0f')), format, 'a huge count with no elements');
    const t = testEngine();
    assert.equal(t.session().raw(['RESTORE', 'k', '0', Buffer.from(payloadFor('\x02\x00'), 'latin1')]).v, 'ERR Bad data format');
    assert.equal(t.run('EXISTS', 'k'), 0);
  });
});

// ---------------------------------------------------------------------------------------------

describe('the deque', () => {
  test('ring buffer basics: both ends, index, wrap-around', () => {
    const l = new ListValue();
    for (let i = 0; i < 3; i++) l.pushBack(`b${i}`);
    for (let i = 0; i < 3; i++) l.pushFront(`f${i}`);
    assert.deepEqual(l.toArray(), ['f2', 'f1', 'f0', 'b0', 'b1', 'b2']);
    assert.equal(l.at(0), 'f2');
    assert.equal(l.at(5), 'b2');
    assert.equal(l.at(6), undefined);
    assert.equal(l.at(-1), undefined);
    assert.equal(l.set(2, 'X'), true);
    assert.equal(l.set(6, 'X'), false);
    l.insertAt(1, 'i1');
    l.insertAt(6, 'i6');
    assert.deepEqual(l.toArray(), ['f2', 'i1', 'f1', 'X', 'b0', 'b1', 'i6', 'b2']);
    assert.equal(l.popFront(), 'f2');
    assert.equal(l.popBack(), 'b2');
    assert.equal(l.indexOf('b0'), 3);
    assert.equal(l.removeMatching('X', Infinity, false), 1);
    l.dropFront(1);
    l.dropBack(1);
    assert.deepEqual(l.toArray(), ['f1', 'b0', 'b1']);
    assert.throws(() => l.insertAt(5, 'x'), RangeError);
  });

  test('capacity doubles when full and halves when three quarters empty', () => {
    const l = new ListValue();
    assert.equal(l.capacity, 4);
    for (let i = 0; i < 1000; i++) l.pushBack(String(i));
    assert.equal(l.capacity, 1024);
    l.dropFront(990);
    assert.equal(l.length, 10);
    assert.ok(l.capacity < 40 && l.capacity >= 10, `capacity ${l.capacity} after a bulk removal`);
    for (let i = 0; i < 10; i++) l.popBack();
    assert.equal(l.capacity, 4);
  });

  type Op =
    | { op: 'pushFront' | 'pushBack'; v: string }
    | { op: 'popFront' | 'popBack' }
    | { op: 'at'; i: number }
    | { op: 'set'; i: number; v: string }
    | { op: 'insert'; i: number; v: string }
    | { op: 'remove'; v: string; limit: number; fromTail: boolean }
    | { op: 'dropFront' | 'dropBack'; n: number }
    | { op: 'range'; s: number; e: number };

  const value = fc.constantFrom('a', 'b', 'c', '', '\x00');
  const index = fc.integer({ min: -2, max: 40 });
  const opArb: fc.Arbitrary<Op> = fc.oneof(
    { weight: 5, arbitrary: fc.record({ op: fc.constantFrom('pushFront' as const, 'pushBack' as const), v: value }) },
    { weight: 3, arbitrary: fc.record({ op: fc.constantFrom('popFront' as const, 'popBack' as const) }) },
    fc.record({ op: fc.constant('at' as const), i: index }),
    fc.record({ op: fc.constant('set' as const), i: index, v: value }),
    fc.record({ op: fc.constant('insert' as const), i: index, v: value }),
    fc.record({ op: fc.constant('remove' as const), v: value, limit: fc.constantFrom(1, 2, 5, Infinity), fromTail: fc.boolean() }),
    fc.record({ op: fc.constantFrom('dropFront' as const, 'dropBack' as const), n: fc.integer({ min: -1, max: 12 }) }),
    fc.record({ op: fc.constant('range' as const), s: index, e: index }),
  );

  /** The same operation on a plain array: the model. */
  function applyModel(model: string[], o: Op): unknown {
    switch (o.op) {
      case 'pushFront': model.unshift(o.v); return undefined;
      case 'pushBack': model.push(o.v); return undefined;
      case 'popFront': return model.shift();
      case 'popBack': return model.pop();
      case 'at': return o.i >= 0 && o.i < model.length ? model[o.i] : undefined;
      case 'set': if (o.i < 0 || o.i >= model.length) return false; model[o.i] = o.v; return true;
      case 'insert': if (o.i < 0 || o.i > model.length) return 'skip'; model.splice(o.i, 0, o.v); return undefined;
      case 'remove': {
        let removed = 0;
        const order = o.fromTail ? [...model.keys()].reverse() : [...model.keys()];
        const drop = new Set<number>();
        for (const i of order) if (removed < o.limit && model[i] === o.v) { drop.add(i); removed++; }
        const kept = model.filter((_, i) => !drop.has(i));
        model.length = 0;
        model.push(...kept);
        return removed;
      }
      case 'dropFront': model.splice(0, Math.max(0, Math.min(o.n, model.length))); return undefined;
      case 'dropBack': model.splice(model.length - Math.max(0, Math.min(o.n, model.length)), Math.max(0, Math.min(o.n, model.length))); return undefined;
      case 'range': return o.e < 0 ? [] : model.slice(Math.max(o.s, 0), o.e + 1);
    }
  }

  function applyDeque(l: ListValue, o: Op): unknown {
    switch (o.op) {
      case 'pushFront': l.pushFront(o.v); return undefined;
      case 'pushBack': l.pushBack(o.v); return undefined;
      case 'popFront': return l.popFront();
      case 'popBack': return l.popBack();
      case 'at': return l.at(o.i);
      case 'set': return l.set(o.i, o.v);
      case 'insert': if (o.i < 0 || o.i > l.length) return 'skip'; l.insertAt(o.i, o.v); return undefined;
      case 'remove': return l.removeMatching(o.v, o.limit, o.fromTail);
      case 'dropFront': l.dropFront(o.n); return undefined;
      case 'dropBack': l.dropBack(o.n); return undefined;
      case 'range': return l.range(o.s, o.e);
    }
  }

  test('property: the deque behaves as a plain array under any sequence of operations', () => {
    fc.assert(
      fc.property(fc.array(opArb, { maxLength: 200, size: 'large' }), (ops) => {
        const l = new ListValue();
        const model: string[] = [];
        for (const o of ops) {
          assert.deepEqual(applyDeque(l, o), applyModel(model, o), JSON.stringify(o));
          assert.equal(l.length, model.length);
          // Memory stays proportional to the length: capacity < 4 * length above the minimum.
          const cap = l.capacity;
          assert.ok((cap & (cap - 1)) === 0 && cap >= l.length, `capacity ${cap} for ${l.length}`);
          assert.ok(cap === 4 || cap < 4 * l.length, `capacity ${cap} too large for ${l.length}`);
        }
        assert.deepEqual(l.toArray(), model);
        const round = restoreValue(dumpValue('list', l));
        if (model.length === 0) assert.equal(round.ok, false);
        else assert.deepEqual(round.ok ? (round.value as ListValue).toArray() : null, model);
      }),
      { numRuns: 500 },
    );
  });

  test('property: the list commands agree with an array model', () => {
    const cmd = fc.oneof(
      fc.tuple(fc.constantFrom('LPUSH', 'RPUSH', 'LPUSHX', 'RPUSHX'), fc.array(value, { minLength: 1, maxLength: 4 })),
      fc.tuple(fc.constantFrom('LPOP', 'RPOP'), fc.constantFrom([], ['0'], ['1'], ['3'])),
      fc.tuple(fc.constant('LSET'), fc.tuple(fc.integer({ min: -8, max: 8 }).map(String), value)),
      fc.tuple(fc.constant('LINSERT'), fc.tuple(fc.constantFrom('BEFORE', 'AFTER'), value, value)),
      fc.tuple(fc.constant('LREM'), fc.tuple(fc.integer({ min: -3, max: 3 }).map(String), value)),
      fc.tuple(fc.constant('LTRIM'), fc.tuple(fc.integer({ min: -8, max: 8 }).map(String), fc.integer({ min: -8, max: 8 }).map(String))),
    );
    fc.assert(
      fc.property(fc.array(cmd, { maxLength: 60, size: 'large' }), (cmds) => {
        const t = testEngine();
        let model: string[] = [];
        for (const [name, rawArgs] of cmds) {
          const args = rawArgs as string[];
          const reply = t.run(name, 'k', ...args);
          switch (name) {
            case 'LPUSH': case 'LPUSHX':
              if (name === 'LPUSH' || model.length > 0) for (const v of args) model.unshift(v);
              break;
            case 'RPUSH': case 'RPUSHX':
              if (name === 'RPUSH' || model.length > 0) model.push(...args);
              break;
            case 'LPOP': case 'RPOP': {
              const n = args.length === 0 ? 1 : Number(args[0]);
              for (let i = 0; i < n && model.length > 0; i++) name === 'LPOP' ? model.shift() : model.pop();
              break;
            }
            case 'LSET': {
              const i = Number(args[0]) < 0 ? model.length + Number(args[0]) : Number(args[0]);
              if (i >= 0 && i < model.length) model[i] = args[1]!;
              break;
            }
            case 'LINSERT': {
              const p = model.indexOf(args[1]!);
              if (p >= 0) model.splice(args[0] === 'AFTER' ? p + 1 : p, 0, args[2]!);
              break;
            }
            case 'LREM': {
              const c = Number(args[0]);
              const limit = c === 0 ? Infinity : Math.abs(c);
              const idx = c < 0 ? [...model.keys()].reverse() : [...model.keys()];
              const drop = new Set<number>();
              for (const i of idx) if (drop.size < limit && model[i] === args[1]) drop.add(i);
              model = model.filter((_, i) => !drop.has(i));
              break;
            }
            case 'LTRIM': {
              let s = Number(args[0]);
              let e = Number(args[1]);
              if (s < 0) s += model.length;
              if (e < 0) e += model.length;
              if (s < 0) s = 0;
              model = s > e || s >= model.length ? [] : model.slice(s, Math.min(e, model.length - 1) + 1);
              break;
            }
          }
          void reply;
          assert.deepEqual(t.run('LRANGE', 'k', '0', '-1'), model, `${name} ${args.join(' ')}`);
          assert.equal(t.run('EXISTS', 'k'), model.length > 0 ? 1 : 0, 'an empty list never stays');
        }
      }),
      { numRuns: 200 },
    );
  });

  test('big lists: 100k pushes and pops at both ends, index access across the whole list', () => {
    const t = testEngine();
    const N = 100_000;
    for (let i = 0; i < N; i++) {
      t.raw('RPUSH', 'big', String(i));
      t.raw('LPUSH', 'big', String(-i - 1));
    }
    assert.equal(t.run('LLEN', 'big'), 2 * N);
    assert.equal(t.run('LINDEX', 'big', '0'), String(-N));
    assert.equal(t.run('LINDEX', 'big', '-1'), String(N - 1));
    assert.equal(t.run('LINDEX', 'big', String(N)), '0');
    assert.equal(t.run('LSET', 'big', String(N + 5), 'five'), 'OK');
    assert.deepEqual(t.run('LRANGE', 'big', String(N + 4), String(N + 6)), ['4', 'five', '6']);
    for (let i = 0; i < N - 1; i++) {
      t.raw('LPOP', 'big');
      t.raw('RPOP', 'big');
    }
    assert.deepEqual(t.run('LRANGE', 'big', '0', '-1'), ['-1', '0']);
    const list = t.engine.ks.db(0).peek('big')!.value as ListValue;
    assert.ok(list.capacity <= 8, `the buffer shrank back (capacity ${list.capacity})`);
    // A queue that drifts: pushes at one end, pops at the other, never more than a few at once.
    const q = new ListValue();
    for (let i = 0; i < 10 * N; i++) {
      q.pushBack(String(i));
      if (i >= 3) assert.equal(q.popFront(), String(i - 3));
    }
    assert.equal(q.length, 3);
    assert.ok(q.capacity <= 8);
    // LINSERT in the middle of a big list moves the shorter side only; LREM is one pass.
    const m = ListValue.from(range(1, N));
    m.insertAt(10, 'near-head');
    m.insertAt(m.length - 10, 'near-tail');
    assert.equal(m.at(10), 'near-head');
    assert.equal(m.at(m.length - 11), 'near-tail');
    assert.equal(m.removeMatching('near-head', Infinity, false), 1);
    assert.equal(m.length, N + 1);
  });
});

// ---------------------------------------------------------------------------------------------

describe('the timeout argument of blocking commands', () => {
  test('seconds as a long double, times 1000, rounded up, as Redis 7.0 on x86-64', () => {
    const cases: Array<[string, number | string]> = [
      ['0', 0], ['1', 1000], ['1.5', 1500], ['0.001', 1], ['.001', 1], ['0.0001', 1], ['1e-4940', 1],
      ['4.9406564584124654e-324', 1], ['0x1p-20', 1], ['0x10', 16000], ['-0', 0], ['-0.0001', 0], ['-1e-4940', 0],
      ['1e15', 1e18], ['9223372036854775.807', 9223372036854775807],
      ['9223372036854775.8075', 'negative'], ['9223372036854775.808', 'negative'], ['9223372036854776', 'negative'],
      ['9223372036854775807', 'negative'], ['inf', 'negative'], ['-inf', 'negative'], ['1e400', 'negative'], ['-1', 'negative'],
      ['nan', 'float'], ['abc', 'float'], ['', 'float'], [' 1', 'float'], ['1 ', 'float'], ['1e4933', 'float'],
    ];
    for (const [arg, want] of cases) {
      const got = parseBlockingTimeout(arg);
      if (typeof want === 'number') assert.equal(got, want, arg);
      else assert.deepEqual({ error: (got as Reply).v }, want === 'negative' ? TIMEOUT_NEGATIVE : TIMEOUT_NOT_FLOAT, arg);
    }
  });

  test('every blocking command parses it with the same errors', () => {
    const t = testEngine();
    t.run('RPUSH', 'l', 'a');
    assert.deepEqual(t.run('BLPOP', 'l', 'abc'), TIMEOUT_NOT_FLOAT);
    assert.deepEqual(t.run('BRPOP', 'l', '-1'), TIMEOUT_NEGATIVE);
    assert.deepEqual(t.run('BLMOVE', 'l', 'x', 'LEFT', 'LEFT', 'abc'), TIMEOUT_NOT_FLOAT);
    assert.deepEqual(t.run('BLMOVE', 'l', 'x', 'UP', 'LEFT', 'abc'), SYNTAX);
    assert.deepEqual(t.run('BLMOVE', 'l', 'x', 'LEFT', 'UP', 'abc'), SYNTAX);
    assert.deepEqual(t.run('BRPOPLPUSH', 'l', 'x', 'inf'), TIMEOUT_NEGATIVE);
    assert.deepEqual(t.run('BLMPOP', 'nan', '1', 'l', 'LEFT'), TIMEOUT_NOT_FLOAT);
    assert.deepEqual(t.run('BLPOP', 'l'), arity('blpop'));
    assert.deepEqual(t.run('LRANGE', 'l', '0', '-1'), ['a']);
  });
});

// ---------------------------------------------------------------------------------------------

describe('blocking commands', () => {
  test('served at once when a list has elements: the first non-empty key in order', () => {
    const t = testEngine();
    t.run('RPUSH', 'b', '1', '2');
    t.run('SET', 's', 'x');
    assert.deepEqual(t.run('BLPOP', 'nokey', 'b', '0'), ['b', '1']);
    assert.deepEqual(t.run('BRPOP', 'b', '0'), ['b', '2']);
    assert.equal(t.run('EXISTS', 'b'), 0);
    assert.deepEqual(t.run('BLPOP', 'nokey', 's', '0'), WRONGTYPE);
    assert.deepEqual(t.run('BLPOP', 's', 'b', '0'), WRONGTYPE);
    t.run('RPUSH', 'b', '1');
    assert.deepEqual(t.run('BLPOP', 'b', 's', '0'), ['b', '1'], 'a list before the wrong type is served');
    t.run('RPUSH', 'b', '1', '2', '3');
    assert.deepEqual(t.run('BLMPOP', '0', '2', 'nokey', 'b', 'RIGHT', 'COUNT', '2'), ['b', ['3', '2']]);
    assert.equal(t.run('BLMOVE', 'b', 'c', 'LEFT', 'RIGHT', '0'), '1');
    assert.equal(t.run('BRPOPLPUSH', 'c', 'c', '0'), '1');
    assert.deepEqual(t.run('BLMOVE', 's', 'c', 'LEFT', 'RIGHT', '0'), WRONGTYPE);
    assert.deepEqual(t.run('BLMOVE', 'c', 's', 'LEFT', 'RIGHT', '0'), WRONGTYPE);
    assert.deepEqual(t.run('LRANGE', 'c', '0', '-1'), ['1']);
  });

  test('inside MULTI nothing blocks: the timeout reply at once (nil for BLMOVE/BRPOPLPUSH)', () => {
    const t = testEngine();
    t.run('SET', 's', 'x');
    for (const resp of [2, 3] as const) {
      const s = t.session();
      if (resp === 3) s.raw(['HELLO', '3']);
      s.raw(['MULTI']);
      s.raw(['BLMOVE', 'nokey', 'x', 'LEFT', 'LEFT', '0']);
      s.raw(['BRPOPLPUSH', 'nokey', 'x', '0']);
      s.raw(['BLPOP', 'nokey', '0']);
      s.raw(['BRPOP', 'nokey', '0']);
      s.raw(['BLMPOP', '0', '1', 'nokey', 'LEFT']);
      s.raw(['BLMOVE', 'nokey', 's', 'LEFT', 'LEFT', '0']);
      s.raw(['BLPOP', 'nokey', '-1']);
      s.raw(['RPUSH', 'l', 'a', 'b']);
      s.raw(['BLPOP', 'l', '0']);
      s.raw(['BLMOVE', 'l', 's', 'LEFT', 'LEFT', '0']);
      s.raw(['BLMPOP', '0', '1', 'l', 'RIGHT', 'COUNT', '3']);
      const got = wire(s, resp, 'EXEC');
      const nil = resp === 2 ? '$-1\r\n' : '_\r\n';
      const nilArray = resp === 2 ? '*-1\r\n' : '_\r\n';
      assert.equal(
        got,
        `*11\r\n${nil}${nil}${nilArray}${nilArray}${nilArray}${nil}-ERR timeout is negative\r\n:2\r\n` +
          '*2\r\n$1\r\nl\r\n$1\r\na\r\n-WRONGTYPE Operation against a key holding the wrong kind of value\r\n' +
          '*2\r\n$1\r\nl\r\n*1\r\n$1\r\nb\r\n',
        `RESP${resp}`,
      );
    }
  });

  test('a synchronous embedded call answers the timeout reply at once', () => {
    const t = testEngine();
    const s = t.session();
    assert.equal(s.command('BLPOP', 'nokey', '0'), null);
    assert.equal(s.command('BLMOVE', 'nokey', 'x', 'LEFT', 'LEFT', '0'), null);
  });

  test('waiters are served in arrival order when a push makes the key ready', () => {
    const t = testEngine();
    const [s1, s2, s3] = [t.session(), t.session(), t.session()];
    mustBlock(s1, 'BLPOP', 'k', '0');
    mustBlock(s2, 'BRPOP', 'k', '0');
    mustBlock(s3, 'BLPOP', 'k', 'other', '0');
    assert.equal(t.run('RPUSH', 'k', 'a', 'b'), 2);
    assert.deepEqual(unblocked(s1), [['k', 'a']]);
    assert.deepEqual(unblocked(s2), [['k', 'b']]);
    assert.deepEqual(unblocked(s3), [], 'nothing left for the third');
    assert.equal(t.run('EXISTS', 'k'), 0);
    t.run('LPUSH', 'other', 'x');
    assert.deepEqual(unblocked(s3), [['other', 'x']]);
    assert.equal(t.engine.blocking.count, 0);
  });

  test('LPUSH of several elements: each waiter takes the current head', () => {
    const t = testEngine();
    const [s1, s2] = [t.session(), t.session()];
    mustBlock(s1, 'BLPOP', 'k', '0');
    mustBlock(s2, 'BLPOP', 'k', '0');
    t.run('LPUSH', 'k', 'x', 'y', 'z');
    assert.deepEqual(unblocked(s1), [['k', 'z']]);
    assert.deepEqual(unblocked(s2), [['k', 'y']]);
    assert.deepEqual(t.run('LRANGE', 'k', '0', '-1'), ['x']);
  });

  test('timeouts answer a nil array once the deadline passes (cron), in RESP2 and RESP3', () => {
    const t = testEngine();
    const s2 = t.session();
    const s3 = t.session();
    s3.raw(['HELLO', '3']);
    mustBlock(s2, 'BLPOP', 'k', '1.5');
    mustBlock(s3, 'BLMOVE', 'k', 'd', 'LEFT', 'LEFT', '1');
    const forever = t.session();
    mustBlock(forever, 'BRPOPLPUSH', 'k', 'd', '0');
    t.clock.advance(999);
    t.engine.cron();
    assert.deepEqual(s3.takeUnblocked(), []);
    t.clock.advance(1);
    t.engine.cron();
    assert.deepEqual(s3.takeUnblocked().map((r) => wireText(r, 3)), ['_\r\n']);
    assert.deepEqual(s2.takeUnblocked(), []);
    t.clock.advance(500);
    t.engine.cron();
    assert.deepEqual(s2.takeUnblocked().map((r) => wireText(r, 2)), ['*-1\r\n']);
    t.clock.advance(1_000_000);
    t.engine.cron();
    assert.deepEqual(forever.takeUnblocked(), [], 'timeout 0 waits forever');
    t.run('RPUSH', 'k', 'v');
    assert.deepEqual(unblocked(forever), ['v']);
    assert.deepEqual(t.run('LRANGE', 'd', '0', '-1'), ['v']);
  });

  test('a BLMOVE chain: the pushed destination serves its own waiter in the same round', () => {
    const t = withEvents();
    const [mover, popper] = [t.session(), t.session()];
    mustBlock(mover, 'BLMOVE', 'a', 'b', 'LEFT', 'RIGHT', '0');
    mustBlock(popper, 'BLPOP', 'b', '0');
    takeEffects(t);
    t.run('RPUSH', 'a', '1', '2');
    assert.deepEqual(unblocked(mover), ['1']);
    assert.deepEqual(unblocked(popper), [['b', '1']]);
    assert.deepEqual(t.run('LRANGE', 'a', '0', '-1'), ['2']);
    assert.equal(t.run('EXISTS', 'b'), 0);
    assert.deepEqual(takeEffects(t), [['RPUSH', 'a', '1', '2'], ['LMOVE', 'a', 'b', 'LEFT', 'RIGHT'], ['LPOP', 'b']]);
    assert.deepEqual(t.events(), ['rpush a', 'rpush b', 'lpop a', 'lpop b', 'del b']);
  });

  test('served commands log their non-blocking form', () => {
    const t = testEngine();
    const ss = [t.session(), t.session(), t.session(), t.session(), t.session()];
    mustBlock(ss[0]!, 'BRPOP', 'k', '0');
    mustBlock(ss[1]!, 'BLMPOP', '0', '2', 'nokey', 'k', 'LEFT', 'COUNT', '2');
    mustBlock(ss[2]!, 'BRPOPLPUSH', 'k', 'dst', '0');
    mustBlock(ss[3]!, 'BLMOVE', 'k', 'dst', 'RIGHT', 'RIGHT', '0');
    mustBlock(ss[4]!, 'BLPOP', 'k', '0');
    takeEffects(t);
    t.run('RPUSH', 'k', ...range(1, 6));
    assert.deepEqual(unblocked(ss[0]!), [['k', '6']]);
    assert.deepEqual(unblocked(ss[1]!), [['k', ['1', '2']]]);
    assert.deepEqual(unblocked(ss[2]!), ['5']);
    assert.deepEqual(unblocked(ss[3]!), ['4']);
    assert.deepEqual(unblocked(ss[4]!), [['k', '3']]);
    assert.deepEqual(takeEffects(t), [
      ['RPUSH', 'k', '1', '2', '3', '4', '5', '6'],
      ['RPOP', 'k'],
      ['LMPOP', '1', 'k', 'LEFT', 'COUNT', '2'],
      ['RPOPLPUSH', 'k', 'dst'],
      ['LMOVE', 'k', 'dst', 'RIGHT', 'RIGHT'],
      ['LPOP', 'k'],
    ]);
    assert.deepEqual(t.run('LRANGE', 'dst', '0', '-1'), ['5', '4']);
    assert.equal(t.run('EXISTS', 'k'), 0);
  });

  test('a served BLMOVE whose destination holds another type gets WRONGTYPE; the element stays', () => {
    const t = testEngine();
    const [mover, popper] = [t.session(), t.session()];
    mustBlock(mover, 'BLMOVE', 'a', 's', 'LEFT', 'LEFT', '0');
    mustBlock(popper, 'BLPOP', 'a', '0');
    t.run('SET', 's', 'x');
    t.run('RPUSH', 'a', 'v');
    assert.deepEqual(unblocked(mover), [WRONGTYPE]);
    assert.deepEqual(unblocked(popper), [['a', 'v']]);
  });

  test('a key that becomes a list by RENAME or inside EXEC wakes its waiters', () => {
    const t = testEngine();
    const [s1, s2] = [t.session(), t.session()];
    mustBlock(s1, 'BLPOP', 'k', '0');
    t.run('RPUSH', 'tmp', 'x');
    t.run('RENAME', 'tmp', 'k');
    assert.deepEqual(unblocked(s1), [['k', 'x']]);
    mustBlock(s2, 'BLPOP', 'k', '0');
    const m = t.session();
    m.raw(['MULTI']);
    m.raw(['RPUSH', 'k', 'a', 'b']);
    m.raw(['LPOP', 'k']);
    assert.deepEqual(unblocked(s2), []);
    m.raw(['EXEC']);
    assert.deepEqual(unblocked(s2), [['k', 'b']]);
    // Pushed and popped again in the same transaction: the key is gone, the waiter keeps waiting.
    const s3 = t.session();
    mustBlock(s3, 'BLPOP', 'k', '0');
    m.raw(['MULTI']);
    m.raw(['RPUSH', 'k', 'a']);
    m.raw(['LPOP', 'k']);
    m.raw(['EXEC']);
    assert.deepEqual(unblocked(s3), []);
    assert.equal(t.engine.blocking.count, 1);
  });
});

// ---------------------------------------------------------------------------------------------
// Effects replay: random list workloads (with blocked sessions served by later pushes, and
// timeouts) logged on one engine, replayed on another: the data must be identical.

describe('effects replay', () => {
  const KEYS = ['a', 'b', 'c', 's'];
  const key = fc.constantFrom(...KEYS);
  const value = fc.constantFrom('x', 'y', 'z', '1', '');
  const idx = fc.integer({ min: -4, max: 4 }).map(String);
  const end = fc.constantFrom('LEFT', 'RIGHT');
  const timeout = fc.constantFrom('0', '0.5', '1', '2');
  const command = fc.oneof(
    { weight: 6, arbitrary: fc.tuple(fc.constantFrom('LPUSH', 'RPUSH', 'LPUSHX', 'RPUSHX'), key, value, value) },
    fc.tuple(fc.constantFrom('LPOP', 'RPOP'), key),
    fc.tuple(fc.constantFrom('LPOP', 'RPOP'), key, fc.constantFrom('0', '1', '2', '5')),
    fc.tuple(fc.constant('LSET'), key, idx, value),
    fc.tuple(fc.constant('LINSERT'), key, fc.constantFrom('BEFORE', 'AFTER'), value, value),
    fc.tuple(fc.constant('LREM'), key, idx, value),
    fc.tuple(fc.constant('LTRIM'), key, idx, idx),
    fc.tuple(fc.constant('LMOVE'), key, key, end, end),
    fc.tuple(fc.constant('RPOPLPUSH'), key, key),
    fc.tuple(fc.constant('LMPOP'), fc.constant('2'), key, key, end, fc.constant('COUNT'), fc.constantFrom('1', '3')),
    fc.tuple(fc.constant('BLOCK'), fc.integer({ min: 0, max: 2 }), fc.constantFrom('BLPOP', 'BRPOP'), key, key, timeout),
    fc.tuple(fc.constant('BLOCK'), fc.integer({ min: 0, max: 2 }), fc.constant('BLMOVE'), key, key, end, end, timeout),
    fc.tuple(fc.constant('BLOCK'), fc.integer({ min: 0, max: 2 }), fc.constant('BRPOPLPUSH'), key, key, timeout),
    fc.tuple(fc.constant('BLOCK'), fc.integer({ min: 0, max: 2 }), fc.constant('BLMPOP'), timeout, fc.constant('2'), key, key, end, fc.constant('COUNT'), fc.constantFrom('1', '2')),
    fc.tuple(fc.constant('SET'), fc.constant('s'), value),
    fc.tuple(fc.constantFrom('DEL', 'EXISTS'), key),
    fc.tuple(fc.constantFrom('RENAME', 'COPY'), key, key),
    fc.tuple(fc.constant('MULTI')),
    fc.tuple(fc.constant('EXEC')),
    fc.tuple(fc.constant('ADVANCE'), fc.integer({ min: 100, max: 1500 })),
  );

  test('replaying the effects of random list workloads gives identical data', () => {
    fc.assert(
      fc.property(fc.array(command, { minLength: 1, maxLength: 60, size: 'large' }), (cmds) => {
        const source = testEngine({ seed: 7 });
        const replica = testEngine({ seed: 99 });
        const replay = replica.session();
        const blockers = [source.session(), source.session(), source.session()];
        const blocked = [false, false, false];
        let replicaDb = 0;
        let applied = 0;
        const catchUp = (): void => {
          for (; applied < source.effects.length; applied++) {
            const effect = source.effects[applied]!;
            if (effect.db !== replicaDb) {
              replay.raw(['SELECT', String(effect.db)]);
              replicaDb = effect.db;
            }
            const reply = replay.raw(effect.argv as string[]);
            assert.notEqual(reply.k, ReplyKind.Error, `effect ${effect.argv.join(' ')} failed on replay: ${reply.v}`);
          }
        };
        for (const c of cmds) {
          const [name, ...args] = c as [string, ...Array<string | number>];
          if (name === 'ADVANCE') {
            source.clock.advance(args[0] as number);
            replica.clock.advance(args[0] as number);
            source.engine.cron();
          } else if (name === 'BLOCK') {
            const i = args[0] as number;
            if (!blocked[i]) blocked[i] = blockers[i]!.raw(args.slice(1).map(String)) === BLOCKED;
          } else {
            source.raw(name, ...args);
          }
          blockers.forEach((b, i) => {
            if (b.takeUnblocked().length > 0) blocked[i] = false;
          });
          catchUp();
        }
        source.raw('EXEC');
        catchUp();
        assert.equal(keyspaceDigest(replica.engine.ks), keyspaceDigest(source.engine.ks));
      }),
      { numRuns: 300 },
    );
  });
});

// ---------------------------------------------------------------------------------------------
// The real redis-server as the oracle: the same deterministic script on both, in RESP2 and in
// RESP3, compared reply by reply on the wire. Blocking commands here either find data or time out
// after a millisecond; Cairn's manual clock is moved past their deadline.

function script(text: string): string[][] {
  const subst: Record<string, string> = { '<empty>': '', '<sp1>': ' 1', '<1sp>': '1 ' };
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => line.split(/\s+/).map((w) => subst[w] ?? w));
}

const BIG = Array.from({ length: 300 }, (_, i) => String(i % 7));

const ORACLE_SCRIPT: string[][] = [
  ...script(`
    set s x
    lpop nokey
    lpop nokey 0
    lpop nokey 1
    lpop nokey -1
    lpop nokey abc
    lpop s
    lpop s 0
    lpop s -1
    lpop nokey 1 2
    rpush l a b c
    lpop l 0
    lpop l 9223372036854775807
    exists l
    rpush l a b c
    rpop l 2
    rpop l
    rpop l
    exists l
    lpop l 01
    lpop l <sp1>
    rpush l a b c a b c a
    lpos l a
    lpos l a rank 2
    lpos l a rank -1
    lpos l a rank -2 count 2
    lpos l a count 0
    lpos l a count 2 rank 2
    lpos l a count 0 maxlen 4
    lpos l a rank -1 maxlen 2
    lpos l a rank -1 maxlen 1
    lpos l a rank 0
    lpos l a rank abc
    lpos l a count -1
    lpos l a count abc
    lpos l a maxlen -1
    lpos l a maxlen abc
    lpos l a foo
    lpos l a rank
    lpos l a count
    lpos s a
    lpos s a rank 0
    lpos nokey a rank 0
    lpos nokey a
    lpos nokey a count 1
    lpos l z
    lpos l z count 0
    lpos l a rank -9223372036854775808
    lpos l a rank 9223372036854775807
    lpos l a rank 9223372036854775808
    lpos l a count 9223372036854775808
    lpos l a rank -9223372036854775808 count 1
    lpos l a rank -9223372036854775808 count 2
    lpos l a rank -9223372036854775808 count 0
    lpos l a rank -9223372036854775808 count 1 maxlen 3
    lpos l a rank -9223372036854775807 count 1
    lpos l a rank 2 count 9223372036854775807
    lpos l a rank 3 maxlen 9223372036854775807
    lpos l a RANK 1 COUNT 1 MAXLEN 0 rank 2
    lmpop 0 l left
    lmpop -1 l left
    lmpop abc l left
    lmpop 1 l
    lmpop 2 l left
    lmpop 2 l nokey
    lmpop 1 l up
    lmpop 1 l left count
    lmpop 1 l left count 0
    lmpop 1 l left count -1
    lmpop 1 l left count abc
    lmpop 1 l left count 1 count 1
    lmpop 1 l left foo
    lmpop 1 s left
    lmpop 2 nokey s left
    lmpop 2 l s left
    lmpop 9223372036854775807 l left
    lmpop 9223372036854775806 l left
    lmpop 4611686018427387904 l left
    lmpop 1 l right count 2
    lmpop 1 l left count 9223372036854775808
    lmpop 1 nokey left
    lmpop 2 nokey l RIGHT COUNT 100
    exists l
    blmpop 0 0 l left
    blmpop abc 1 l left
    blmpop abc 1 l up
    blmpop abc 0 l left
    blmpop abc 1 l left count 0
    blmpop -1 1 l left
    rpush l a b c
    blmpop 0 1 l right count 2
    blmpop 0 2 nokey l left count 2
    exists l
    lpush s a
    rpushx s a
    lpushx nokey a b
    rpush l a b c
    lpushx l x y
    rpushx l p q
    lrange l 0 -1
    linsert l before a z
    linsert l after c z
    linsert l middle c z
    linsert l after nope z
    linsert nokey after c z
    linsert s after c z
    linsert nokey middle c z
    linsert s middle c z
    linsert l BEFORE y first
    linsert l AFTER q last
    lrange l 0 -1
    lset l 0 A
    lset l -1 Z
    lset l 100 q
    lset l -100 q
    lset l abc q
    lset nokey 0 q
    lset nokey abc q
    lset s 0 q
    lset s abc q
    lrange l 0 -1
    lindex l -1
    lindex l 0
    lindex l 3
    lindex l -3
    lindex l 100
    lindex l -100
    lindex l abc
    lindex nokey abc
    lindex s abc
    lindex s 0
    lrange l abc 1
    lrange nokey abc 1
    lrange s 0 1
    lrange s abc 1
    lrange l -100 100
    lrange l 5 2
    lrange l -2 -1
    lrange l 0 9223372036854775807
    lrange l -9223372036854775808 0
    lrange l -9223372036854775808 -9223372036854775808
    lrange l 9223372036854775807 9223372036854775807
    lrem l abc x
    lrem nokey abc x
    lrem nokey 0 x
    lrem s 0 x
    lrem s abc x
    ltrim l abc 1
    ltrim nokey abc 1
    ltrim nokey 0 1
    ltrim s 0 1
    ltrim s abc 1
    llen s
    llen nokey
    llen l
    del l
    rpush l a b a c a d a
    lrem l 2 a
    lrange l 0 -1
    lrem l -1 a
    lrange l 0 -1
    lrem l 0 a
    lrange l 0 -1
    lrem l 0 b
    lrem l 0 c
    lrem l 0 d
    exists l
    rpush l 1 2 3 4 5 6 7 8 9
    ltrim l 2 -3
    lrange l 0 -1
    ltrim l 1 1
    lrange l 0 -1
    ltrim l 5 1
    exists l
    rpush l 1 2 3
    ltrim l -100 100
    lrange l 0 -1
    ltrim l 0 -1
    ltrim l -1 -2
    exists l
    rpush a 1 2 3
    lmove a b left right
    lmove a b right left
    lmove a a left right
    lrange a 0 -1
    lrange b 0 -1
    lmove a b up left
    lmove a b left up
    lmove nokey b left left
    lmove nokey s left left
    lmove a s left left
    lmove s a left left
    rpoplpush a a
    rpoplpush a b
    exists a
    lrange b 0 -1
    rpoplpush nokey b
    rpoplpush s b
    rpoplpush b s
    object encoding b
    type b
    rpush one x
    rpoplpush one one
    lrange one 0 -1
    lmove one one left left
    lmove one other left right
    exists one
    lrange other 0 -1
    brpoplpush other other 0
    blmove other x right left 0
    lrange x 0 -1
    blpop x s 0
    rpush x q r
    blpop nokey x 0
    blpop x 0
    blpop s 0
    brpop s 0
    brpop abc
    blpop a abc
    blpop a -1
    blpop a inf
    blpop a nan
    blpop a 1e400
    blpop a 1e5000
    blpop a 9223372036854775807
    blpop a 9223372036854775.807e3
    blpop a <empty>
    blpop a <sp1>
    blpop a <1sp>
    blmpop 0.001 1 nokey left
    blpop nokey 0.001
    brpop nokey 0.001
    blmove nokey x left left 0.001
    brpoplpush nokey x 0.001
    blmpop 0.001 2 nokey other right count 2
    multi
    blmove nokey x left left 0
    brpoplpush nokey x 0
    blpop nokey 0
    brpop nokey 0
    blmpop 0 1 nokey left
    blmpop 0 1 nokey left count 3
    rpush l a b c
    blpop l 0
    blmove s x left left 0
    blmove l s left left 0
    blmove nokey s left left 0
    blpop nokey -1
    blmpop 0 1 l right count 3
    exec
    blmove s x left left abc
    blmove l x up left abc
    blmove l x left up abc
    blmove l x left left abc
    brpoplpush l x abc
  `),
  ['RPUSH', 'bin', '\x00\xff', '', 'a\r\nb', '007'],
  ['LRANGE', 'bin', '0', '-1'], ['LPOS', 'bin', '007'], ['LPOS', 'bin', '7'], ['LREM', 'bin', '0', ''], ['LINDEX', 'bin', '0'],
  ['RPUSH', 'big', ...BIG],
  ['LPOS', 'big', '3', 'COUNT', '0'], ['LPOS', 'big', '3', 'RANK', '-5', 'COUNT', '4'], ['LPOS', 'big', '6', 'RANK', '3', 'MAXLEN', '30'],
  ['LREM', 'big', '5', '3'], ['LREM', 'big', '-5', '4'], ['LINSERT', 'big', 'BEFORE', '6', 'x'], ['LINSERT', 'big', 'AFTER', '5', 'y'],
  ['LRANGE', 'big', '0', '-1'], ['LTRIM', 'big', '10', '-10'], ['LRANGE', 'big', '0', '-1'],
  ['LINDEX', 'big', '100'], ['LSET', 'big', '-50', 'z'], ['LRANGE', 'big', '-60', '-40'],
  ['LMPOP', '1', 'big', 'RIGHT', 'COUNT', '20'], ['LPOP', 'big', '30'], ['LREM', 'big', '0', '0'], ['LLEN', 'big'],
  ['LRANGE', 'big', '0', '-1'],
];

const availability = oracleAvailability();

describe('replies match redis-server 7.0 byte for byte (RESP2 and RESP3)', { skip: availability.ok ? false : availability.fail ? false : availability.message }, () => {
  let oracle: RedisOracle | undefined;
  before(async () => {
    if (!availability.ok) throw new Error(availability.message);
    oracle = await startRedis();
  });
  after(async () => {
    await oracle?.stop();
  });

  for (const resp of [2, 3] as const) {
    test(`RESP${resp}: ${ORACLE_SCRIPT.length} commands`, async () => {
      const client = await RespClient.connect(oracle!.port);
      try {
        await client.send('FLUSHALL');
        if (resp === 3) await client.send('HELLO', '3');
        const expected = await client.pipeline(ORACLE_SCRIPT);
        const t = testEngine();
        const session = t.session();
        if (resp === 3) session.raw(['HELLO', '3']);
        const mismatches: string[] = [];
        ORACLE_SCRIPT.forEach((argv, i) => {
          let reply = session.raw(argv.map((a) => Buffer.from(a, 'latin1')));
          if (reply === BLOCKED) {
            t.clock.advance(1000);
            t.engine.cron();
            reply = session.takeUnblocked()[0] ?? reply;
          }
          const reader = new RespReader();
          reader.feed(encode(reply, resp));
          const got = reader.next() as RespValue;
          if (!sameReply(expected[i]!, got)) {
            mismatches.push(`${argv.map((a) => (a.length > 20 ? `${a.slice(0, 20)}…` : a)).join(' ')}\n    redis: ${show(expected[i]!)}\n    cairn: ${show(got)}`);
          }
        });
        assert.deepEqual(mismatches, []);
      } finally {
        client.close();
      }
    });
  }
});
