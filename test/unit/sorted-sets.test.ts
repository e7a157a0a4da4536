// Sorted-set commands and the sorted-set structure: replies and error texts (transcripts whose
// expected wire bytes were recorded from a real redis-server 7.0.15, RESP2 and RESP3), encodings
// and their conversion, random members (checked by their properties), blocking pops, keyspace
// events, WATCH, the logged effects, the DUMP codec, and properties of the structure (against a
// naive sorted-array model, across the listpack -> skiplist conversion), of ZSCAN and of replay.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { sortedSetCommands } from '../../src/core/commands/sorted-sets.js';
import { keyspaceDigest } from '../../src/core/digest.js';
import { crc64, dumpValue } from '../../src/core/dump.js';
import type { Keyspace } from '../../src/core/keyspace.js';
import { limits } from '../../src/core/limits.js';
import { BLOCKED, ReplyKind } from '../../src/core/reply.js';
import { Rng } from '../../src/core/rng.js';
import { compareEntries, OrderTree } from '../../src/core/types/order-tree.js';
import { listpackScoreText, parseScore, ZSet } from '../../src/core/types/zset.js';
import type { EmbeddedSession } from '../../src/embedded.js';
import { encode } from '../../src/protocols/resp/encoder.js';
import { decodeReply } from '../../src/server/decode.js';
import { testEngine, type TestEngine } from '../helpers/engine.js';

/** Commands (a space-separated line, or the arguments when one holds spaces or odd bytes) and the exact reply bytes. */
type Transcript = ReadonlyArray<readonly [string | readonly string[], string]>;

/** "1 m1 2 m2 ... n mn": members scored by their number. */
function scoredMembers(from: number, to: number): string {
  const out: string[] = [];
  for (let i = from; i <= to; i++) out.push(`${i} m${i}`);
  return out.join(' ');
}

/** Arguments as latin1 bytes (transcripts hold raw bytes, one char each). */
function latin1Args(cmd: string | readonly string[]): Buffer[] {
  const words = typeof cmd === 'string' ? cmd.split(' ') : cmd;
  return words.map((w) => Buffer.from(w, 'latin1'));
}

/** Runs a transcript on a fresh engine in one session speaking `resp`; every reply must match byte for byte. */
function playTranscript(transcript: Transcript, resp: 2 | 3): void {
  const t = testEngine();
  const s = t.session();
  s.raw(['HELLO', String(resp)]);
  for (const [cmd, expected] of transcript) {
    const got = encode(s.raw(latin1Args(cmd)), resp).toString('latin1');
    assert.equal(got, expected, `${typeof cmd === 'string' ? cmd : JSON.stringify(cmd)}`);
  }
}

/** Raw wire bytes of a reply, as latin1 text. */
function wire(s: EmbeddedSession, resp: 2 | 3, ...args: string[]): string {
  return encode(s.raw(args), resp).toString('latin1');
}

const hex = (latin1: string): string => Buffer.from(latin1, 'latin1').toString('hex');

function takeEffects(t: TestEngine): string[][] {
  const out = t.effects.map((e) => [...e.argv]);
  t.effects.length = 0;
  return out;
}

function zsetAt(t: TestEngine, key: string): ZSet {
  return t.engine.ks.db(0).peek(key)!.value as ZSet;
}

/** A session that answers blocking commands at once (as a synchronous caller or MULTI does). */
function nonBlockingSession(t: TestEngine): EmbeddedSession {
  const s = t.session();
  s.session.canBlock = false;
  return s;
}

/** Every key of every database with its type, encoding, TTL and DUMP payload. */
function exactState(ks: Keyspace): string[] {
  const out: string[] = [];
  for (const db of ks.dbs) {
    for (const e of db.entries.values()) {
      if (e.expiresAt !== 0 && e.expiresAt <= ks.now) continue;
      const encoding = e.type === 'zset' ? (e.value as ZSet).encoding : '';
      out.push(`${db.id} ${e.key} ${e.type} ${encoding} ${e.expiresAt} ${hex(dumpValue(e.type, e.value))}`);
    }
  }
  return out.sort();
}

/** -0 and 0 are the same score for the model comparisons (the listpack keeps no sign of zero). */
const sameZero = (s: number): number => (s === 0 ? 0 : s);

describe('declarations', () => {
  test('arity, flags, key positions and ACL categories as Redis 7.0 COMMAND INFO', () => {
    const t = testEngine();
    const rw = ['@write', '@sortedset'];
    const ro = ['@read', '@sortedset'];
    const expected: Record<string, [number, string[], [number, number, number], string[]]> = {
      zadd: [-4, ['write', 'denyoom', 'fast'], [1, 1, 1], [...rw, '@fast']],
      zincrby: [4, ['write', 'denyoom', 'fast'], [1, 1, 1], [...rw, '@fast']],
      zrem: [-3, ['write', 'fast'], [1, 1, 1], [...rw, '@fast']],
      zcard: [2, ['readonly', 'fast'], [1, 1, 1], [...ro, '@fast']],
      zscore: [3, ['readonly', 'fast'], [1, 1, 1], [...ro, '@fast']],
      zmscore: [-3, ['readonly', 'fast'], [1, 1, 1], [...ro, '@fast']],
      // 7.0 declares 3; WITHSCORE (Redis 7.2) makes it -3, as in 7.2.
      zrank: [-3, ['readonly', 'fast'], [1, 1, 1], [...ro, '@fast']],
      zrevrank: [-3, ['readonly', 'fast'], [1, 1, 1], [...ro, '@fast']],
      zcount: [4, ['readonly', 'fast'], [1, 1, 1], [...ro, '@fast']],
      zlexcount: [4, ['readonly', 'fast'], [1, 1, 1], [...ro, '@fast']],
      zrange: [-4, ['readonly'], [1, 1, 1], [...ro, '@slow']],
      zrangestore: [-5, ['write', 'denyoom'], [1, 2, 1], [...rw, '@slow']],
      zrangebyscore: [-4, ['readonly'], [1, 1, 1], [...ro, '@slow']],
      zrevrangebyscore: [-4, ['readonly'], [1, 1, 1], [...ro, '@slow']],
      zrangebylex: [-4, ['readonly'], [1, 1, 1], [...ro, '@slow']],
      zrevrangebylex: [-4, ['readonly'], [1, 1, 1], [...ro, '@slow']],
      zrevrange: [-4, ['readonly'], [1, 1, 1], [...ro, '@slow']],
      zremrangebyrank: [4, ['write'], [1, 1, 1], [...rw, '@slow']],
      zremrangebyscore: [4, ['write'], [1, 1, 1], [...rw, '@slow']],
      zremrangebylex: [4, ['write'], [1, 1, 1], [...rw, '@slow']],
      zpopmin: [-2, ['write', 'fast'], [1, 1, 1], [...rw, '@fast']],
      zpopmax: [-2, ['write', 'fast'], [1, 1, 1], [...rw, '@fast']],
      zmpop: [-4, ['write', 'movablekeys'], [0, 0, 0], [...rw, '@slow']],
      zrandmember: [-2, ['readonly'], [1, 1, 1], [...ro, '@slow']],
      zunion: [-3, ['readonly', 'movablekeys'], [0, 0, 0], [...ro, '@slow']],
      zinter: [-3, ['readonly', 'movablekeys'], [0, 0, 0], [...ro, '@slow']],
      zdiff: [-3, ['readonly', 'movablekeys'], [0, 0, 0], [...ro, '@slow']],
      zintercard: [-3, ['readonly', 'movablekeys'], [0, 0, 0], [...ro, '@slow']],
      zunionstore: [-4, ['write', 'denyoom', 'movablekeys'], [1, 1, 1], [...rw, '@slow']],
      zinterstore: [-4, ['write', 'denyoom', 'movablekeys'], [1, 1, 1], [...rw, '@slow']],
      zdiffstore: [-4, ['write', 'denyoom', 'movablekeys'], [1, 1, 1], [...rw, '@slow']],
      zscan: [-3, ['readonly'], [1, 1, 1], [...ro, '@slow']],
      bzpopmin: [-3, ['write', 'noscript', 'blocking', 'fast'], [1, -2, 1], [...rw, '@fast', '@blocking']],
      bzpopmax: [-3, ['write', 'noscript', 'blocking', 'fast'], [1, -2, 1], [...rw, '@fast', '@blocking']],
      bzmpop: [-5, ['write', 'blocking', 'movablekeys'], [0, 0, 0], [...rw, '@slow', '@blocking']],
    };
    assert.deepEqual(sortedSetCommands.map((s) => s.name).sort(), Object.keys(expected).sort());
    for (const [name, [arity, flags, keys, acl]] of Object.entries(expected)) {
      const info = (t.run('command', 'info', name) as unknown[][])[0]!;
      assert.equal(info[0], name);
      assert.equal(info[1], arity, name);
      assert.deepEqual([...(info[2] as Set<string>)], flags, name);
      assert.deepEqual(info.slice(3, 6), keys, name);
      assert.deepEqual([...(info[6] as Set<string>)], acl, name);
    }
  });

  test('COMMAND GETKEYS finds the keys of the numkeys forms, and refuses a bad numkeys', () => {
    const t = testEngine();
    const invalid = { error: 'ERR Invalid arguments specified for command' };
    assert.deepEqual(t.run('command', 'getkeys', 'zunion', '2', 'a', 'b', 'WEIGHTS', '1', '2'), ['a', 'b']);
    assert.deepEqual(t.run('command', 'getkeys', 'zintercard', '1', 'a', 'b'), ['a']);
    assert.deepEqual(t.run('command', 'getkeys', 'zunionstore', 'd', '2', 'a', 'b'), ['d', 'a', 'b']);
    assert.deepEqual(t.run('command', 'getkeys', 'zdiffstore', 'd', '1', 'a'), ['d', 'a']);
    assert.deepEqual(t.run('command', 'getkeys', 'zmpop', '2', 'a', 'b', 'MIN'), ['a', 'b']);
    assert.deepEqual(t.run('command', 'getkeys', 'bzmpop', '0', '2', 'a', 'b', 'MIN'), ['a', 'b']);
    assert.deepEqual(t.run('command', 'getkeys', 'bzpopmin', 'a', 'b', '0'), ['a', 'b']);
    assert.deepEqual(t.run('command', 'getkeys', 'zrangestore', 'd', 's', '0', '-1'), ['d', 's']);
    for (const bad of ['0', '-1', '5', 'x']) {
      assert.deepEqual(t.run('command', 'getkeys', 'zunion', bad, 'a'), invalid, bad);
      assert.deepEqual(t.run('command', 'getkeys', 'zinterstore', 'd', bad, 'a'), invalid, bad);
    }
  });

  test('arity errors come from the dispatcher', () => {
    const t = testEngine();
    for (const [cmd, args] of [['zadd', ['z', '1']], ['zincrby', ['z', '1']], ['zrangestore', ['d', 's', '0']], ['bzmpop', ['0', '1', 'z']], ['zscan', ['z']], ['bzpopmin', ['z']]] as const) {
      assert.deepEqual(t.run(cmd, ...args), { error: `ERR wrong number of arguments for '${cmd}' command` });
    }
  });
});

const ZADD_TRANSCRIPT: Transcript = [
  ['ZADD z 1 a 2 b 3 c', ':3\r\n'],
  ['ZADD z 1 a', ':0\r\n'],
  ['ZADD z CH 5 a 2 b 7 d', ':2\r\n'],
  ['ZADD z NX 10 a 11 e', ':1\r\n'],
  ['ZSCORE z a', '$1\r\n5\r\n'],
  ['ZADD z XX 12 a 13 f', ':0\r\n'],
  ['ZSCORE z f', '$-1\r\n'],
  ['ZADD z xx ch 12 a 13 f', ':0\r\n'],
  ['ZADD z XX CH 14 a 13 f', ':1\r\n'],
  ['ZADD z GT 1 a', ':0\r\n'],
  ['ZSCORE z a', '$2\r\n14\r\n'],
  ['ZADD z GT CH 20 a 1 b', ':1\r\n'],
  ['ZADD z LT CH 20 a 1 b', ':1\r\n'],
  ['ZADD z LT 0.5 newm', ':1\r\n'],
  ['ZADD z XX GT CH 30 a', ':1\r\n'],
  ['ZADD z INCR 2 a', '$2\r\n32\r\n'],
  ['ZADD z INCR NX 2 a', '$-1\r\n'],
  ['ZADD z INCR XX 2 nosuch', '$-1\r\n'],
  ['ZADD z INCR GT -5 a', '$-1\r\n'],
  ['ZADD z INCR LT -5 a', '$2\r\n27\r\n'],
  ['ZADD z incr ch 0 a', '$2\r\n27\r\n'],
  ['ZINCRBY z 1.5 a', '$4\r\n28.5\r\n'],
  ['ZINCRBY z 1 brandnew', '$1\r\n1\r\n'],
  ['ZINCRBY z -inf a', '$4\r\n-inf\r\n'],
  ['ZINCRBY z +inf a', '-ERR resulting score is not a number (NaN)\r\n'],
  ['ZADD z INCR inf a', '-ERR resulting score is not a number (NaN)\r\n'],
  ['ZSCORE z a', '$4\r\n-inf\r\n'],
  ['ZADD z NX XX 1 a', '-ERR XX and NX options at the same time are not compatible\r\n'],
  ['ZADD z GT LT 1 a', '-ERR GT, LT, and/or NX options at the same time are not compatible\r\n'],
  ['ZADD z NX GT 1 a', '-ERR GT, LT, and/or NX options at the same time are not compatible\r\n'],
  ['ZADD z NX LT 1 a', '-ERR GT, LT, and/or NX options at the same time are not compatible\r\n'],
  ['ZADD z INCR 1 a 2 b', '-ERR INCR option supports a single increment-element pair\r\n'],
  ['ZADD z 1 a 2', '-ERR syntax error\r\n'],
  ['ZADD z 1', '-ERR wrong number of arguments for \'zadd\' command\r\n'],
  ['ZADD z NX', '-ERR wrong number of arguments for \'zadd\' command\r\n'],
  ['ZADD z NX XX 1', '-ERR syntax error\r\n'],
  ['ZADD z XX NX 1 a 2 b 3', '-ERR syntax error\r\n'],
  ['ZADD z nan a', '-ERR value is not a valid float\r\n'],
  ['ZADD z abc a', '-ERR value is not a valid float\r\n'],
  ['ZADD z 1e400 a', '-ERR value is not a valid float\r\n'],
  ['ZADD z -1e400 a', '-ERR value is not a valid float\r\n'],
  [['ZADD', 'z', '', 'a'], '-ERR value is not a valid float\r\n'],
  [['ZADD', 'z', ' 1', 'a'], '-ERR value is not a valid float\r\n'],
  [['ZADD', 'z', '1 ', 'a'], '-ERR value is not a valid float\r\n'],
  [['ZADD', 'z', '1\x00', 'a'], '-ERR value is not a valid float\r\n'],
  ['ZADD z 1x a', '-ERR value is not a valid float\r\n'],
  ['ZADD z 0x10 hex', ':1\r\n'],
  ['ZADD z inf i -inf ni +inf pi', ':3\r\n'],
  ['ZSCORE z hex', '$2\r\n16\r\n'],
  ['ZADD z 1e-310 tiny', ':1\r\n'],
  ['ZSCORE z tiny', '$23\r\n9.9999999999999694e-311\r\n'],
  ['ZADD z 1e-400 u', '-ERR value is not a valid float\r\n'],
  ['ZADD z 1.5e3 e3', ':1\r\n'],
  ['ZSCORE z e3', '$4\r\n1500\r\n'],
  ['ZADD z -0 negz', ':1\r\n'],
  ['ZSCORE z negz', '$1\r\n0\r\n'],
  ['ZINCRBY z nx a', '-ERR syntax error\r\n'],
  ['ZINCRBY z abc a', '-ERR value is not a valid float\r\n'],
  ['ZINCRBY z 1 a 2', '-ERR wrong number of arguments for \'zincrby\' command\r\n'],
  ['ZADD z 1 a 1 a 2 a', ':0\r\n'],
  ['ZADD z CH 3 a 3 a 4 a', ':2\r\n'],
  ['ZSCORE z a', '$1\r\n4\r\n'],
  ['ZADD nokey XX 1 a', ':0\r\n'],
  ['EXISTS nokey', ':0\r\n'],
  ['ZADD nokey XX INCR 1 a', '$-1\r\n'],
  ['ZADD nokey GT 1 a', ':1\r\n'],
  ['ZADD nokey2 LT INCR 5 a', '$1\r\n5\r\n'],
  ['SET s x', '+OK\r\n'],
  ['ZADD s 1 a', '-WRONGTYPE Operation against a key holding the wrong kind of value\r\n'],
  ['ZINCRBY s 1 a', '-WRONGTYPE Operation against a key holding the wrong kind of value\r\n'],
  ['ZADD s nan a', '-ERR value is not a valid float\r\n'],
  ['ZADD s NX XX 1 a', '-ERR XX and NX options at the same time are not compatible\r\n'],
  ['ZADD s XX 1 a', '-WRONGTYPE Operation against a key holding the wrong kind of value\r\n'],
  ['ZRANGE z 0 -1 WITHSCORES', '*28\r\n$2\r\nni\r\n$4\r\n-inf\r\n$4\r\nnegz\r\n$1\r\n0\r\n$4\r\ntiny\r\n$23\r\n9.9999999999999694e-311\r\n$4\r\nnewm\r\n' +
    '$3\r\n0.5\r\n$1\r\nb\r\n$1\r\n1\r\n$8\r\nbrandnew\r\n$1\r\n1\r\n$1\r\nc\r\n$1\r\n3\r\n$1\r\na\r\n$1\r\n4\r\n$1\r\nd\r\n$1\r\n7\r\n$1\r\n' +
    'e\r\n$2\r\n11\r\n$3\r\nhex\r\n$2\r\n16\r\n$2\r\ne3\r\n$4\r\n1500\r\n$1\r\ni\r\n$3\r\ninf\r\n$2\r\npi\r\n$3\r\ninf\r\n'],
  ['ZCARD z', ':14\r\n'],
  ['ZADD dup 1 m 2 m 3 m', ':1\r\n'],
  ['ZRANGE dup 0 -1 WITHSCORES', '*2\r\n$1\r\nm\r\n$1\r\n3\r\n'],
  ['ZADD dup CH 1 m 2 m 2 m', ':2\r\n'],
  ['ZADD dup INCR -2 m', '$1\r\n0\r\n'],
  ['ZRANGE dup 0 -1 WITHSCORES', '*2\r\n$1\r\nm\r\n$1\r\n0\r\n'],
];

const READ_TRANSCRIPT: Transcript = [
  ['ZADD z 1 a 2 b 3 c 0.1 d', ':4\r\n'],
  ['ZCARD z', ':4\r\n'],
  ['ZCARD nokey', ':0\r\n'],
  ['ZSCORE z d', '$19\r\n0.10000000000000001\r\n'],
  ['ZSCORE z nosuch', '$-1\r\n'],
  ['ZSCORE nokey a', '$-1\r\n'],
  ['ZMSCORE z a nosuch d', '*3\r\n$1\r\n1\r\n$-1\r\n$19\r\n0.10000000000000001\r\n'],
  ['ZMSCORE nokey a b', '*2\r\n$-1\r\n$-1\r\n'],
  ['ZRANK z a', ':1\r\n'],
  ['ZRANK z d', ':0\r\n'],
  ['ZRANK z nosuch', '$-1\r\n'],
  ['ZRANK nokey a', '$-1\r\n'],
  ['ZREVRANK z a', ':2\r\n'],
  ['ZREVRANK z c', ':0\r\n'],
  ['ZREVRANK z nosuch', '$-1\r\n'],
  ['SET s x', '+OK\r\n'],
  ['ZCARD s', '-WRONGTYPE Operation against a key holding the wrong kind of value\r\n'],
  ['ZSCORE s a', '-WRONGTYPE Operation against a key holding the wrong kind of value\r\n'],
  ['ZMSCORE s a', '-WRONGTYPE Operation against a key holding the wrong kind of value\r\n'],
  ['ZRANK s a', '-WRONGTYPE Operation against a key holding the wrong kind of value\r\n'],
  ['ZREVRANK s a', '-WRONGTYPE Operation against a key holding the wrong kind of value\r\n'],
  ['ZMSCORE z', '-ERR wrong number of arguments for \'zmscore\' command\r\n'],
  ['ZSCORE z', '-ERR wrong number of arguments for \'zscore\' command\r\n'],
];

const RANK_RANGES_TRANSCRIPT: Transcript = [
  ['ZADD z 1 a 2 b 3 c 4 d 5 e', ':5\r\n'],
  ['ZRANGE z 0 -1', '*5\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\nd\r\n$1\r\ne\r\n'],
  ['ZRANGE z 0 -1 WITHSCORES', '*10\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nb\r\n$1\r\n2\r\n$1\r\nc\r\n$1\r\n3\r\n$1\r\nd\r\n$1\r\n4\r\n$1\r\ne\r\n$1\r\n5\r\n'],
  ['ZRANGE z 1 2', '*2\r\n$1\r\nb\r\n$1\r\nc\r\n'],
  ['ZRANGE z -2 -1', '*2\r\n$1\r\nd\r\n$1\r\ne\r\n'],
  ['ZRANGE z -100 100', '*5\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\nd\r\n$1\r\ne\r\n'],
  ['ZRANGE z 3 1', '*0\r\n'],
  ['ZRANGE z 5 10', '*0\r\n'],
  ['ZRANGE z -1 -2', '*0\r\n'],
  ['ZRANGE z 0 -1 REV', '*5\r\n$1\r\ne\r\n$1\r\nd\r\n$1\r\nc\r\n$1\r\nb\r\n$1\r\na\r\n'],
  ['ZRANGE z 0 1 REV WITHSCORES', '*4\r\n$1\r\ne\r\n$1\r\n5\r\n$1\r\nd\r\n$1\r\n4\r\n'],
  ['ZRANGE z 0 1 withscores rev', '*4\r\n$1\r\ne\r\n$1\r\n5\r\n$1\r\nd\r\n$1\r\n4\r\n'],
  ['ZREVRANGE z 0 1', '*2\r\n$1\r\ne\r\n$1\r\nd\r\n'],
  ['ZREVRANGE z 0 -1 WITHSCORES', '*10\r\n$1\r\ne\r\n$1\r\n5\r\n$1\r\nd\r\n$1\r\n4\r\n$1\r\nc\r\n$1\r\n3\r\n$1\r\nb\r\n$1\r\n2\r\n$1\r\na\r\n$1\r\n1\r\n'],
  ['ZREVRANGE z -2 10', '*2\r\n$1\r\nb\r\n$1\r\na\r\n'],
  ['ZRANGE z a 1', '-ERR value is not an integer or out of range\r\n'],
  ['ZRANGE z 0 b', '-ERR value is not an integer or out of range\r\n'],
  ['ZRANGE z 0 1 LIMIT 0 1', '-ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX\r\n'],
  ['ZRANGE z 0 1 LIMIT 0 -1', '*2\r\n$1\r\na\r\n$1\r\nb\r\n'],
  ['ZRANGE z 0 1 LIMIT 0', '-ERR syntax error\r\n'],
  ['ZRANGE z 0 1 LIMIT x 1', '-ERR value is not an integer or out of range\r\n'],
  ['ZRANGE z 0 1 LIMIT 1 x', '-ERR value is not an integer or out of range\r\n'],
  ['ZRANGE z 0 1 REV REV', '-ERR syntax error\r\n'],
  ['ZRANGE z 0 1 foo', '-ERR syntax error\r\n'],
  ['ZREVRANGE z 0 1 REV', '-ERR syntax error\r\n'],
  ['ZREVRANGE z 0 1 BYSCORE', '-ERR syntax error\r\n'],
  ['ZREVRANGE z 0 1 LIMIT 0 1', '-ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX\r\n'],
  ['ZRANGE nokey 0 -1', '*0\r\n'],
  ['ZRANGE nokey a b', '-ERR value is not an integer or out of range\r\n'],
  ['SET s x', '+OK\r\n'],
  ['ZRANGE s 0 1', '-WRONGTYPE Operation against a key holding the wrong kind of value\r\n'],
  ['ZREVRANGE s 0 1', '-WRONGTYPE Operation against a key holding the wrong kind of value\r\n'],
  ['ZRANGE s a 1', '-ERR value is not an integer or out of range\r\n'],
  ['ZRANGE z 0 9223372036854775807', '*5\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\nd\r\n$1\r\ne\r\n'],
  ['ZRANGE z -9223372036854775808 -1', '*5\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\nd\r\n$1\r\ne\r\n'],
  ['ZRANGE z 0 99999999999999999999', '-ERR value is not an integer or out of range\r\n'],
  ['ZRANGE z 0 -1 WITHSCORES WITHSCORES', '*10\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nb\r\n$1\r\n2\r\n$1\r\nc\r\n$1\r\n3\r\n$1\r\nd\r\n$1\r\n4\r\n$1\r\ne\r\n$1\r\n5\r\n'],
];

const SCORE_RANGES_TRANSCRIPT: Transcript = [
  ['ZADD z 1 a 2 b 3 c 4 d 5 e -inf ninf +inf pinf', ':7\r\n'],
  ['ZRANGEBYSCORE z 2 4', '*3\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\nd\r\n'],
  ['ZRANGEBYSCORE z (2 4', '*2\r\n$1\r\nc\r\n$1\r\nd\r\n'],
  ['ZRANGEBYSCORE z 2 (4', '*2\r\n$1\r\nb\r\n$1\r\nc\r\n'],
  ['ZRANGEBYSCORE z (2 (4', '*1\r\n$1\r\nc\r\n'],
  ['ZRANGEBYSCORE z -inf +inf WITHSCORES', '*14\r\n$4\r\nninf\r\n$4\r\n-inf\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nb\r\n$1\r\n2\r\n$1\r\nc\r\n$1\r\n3\r\n$1\r\nd\r\n$1\r\n4\r\n$1\r\ne\r\n' +
    '$1\r\n5\r\n$4\r\npinf\r\n$3\r\ninf\r\n'],
  ['ZRANGEBYSCORE z (3 (3', '*0\r\n'],
  ['ZRANGEBYSCORE z 3 3', '*1\r\n$1\r\nc\r\n'],
  ['ZRANGEBYSCORE z 4 2', '*0\r\n'],
  ['ZRANGEBYSCORE z -inf +inf LIMIT 1 2', '*2\r\n$1\r\na\r\n$1\r\nb\r\n'],
  ['ZRANGEBYSCORE z -inf +inf LIMIT 0 0', '*0\r\n'],
  ['ZRANGEBYSCORE z -inf +inf LIMIT 0 -1', '*7\r\n$4\r\nninf\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\nd\r\n$1\r\ne\r\n$4\r\npinf\r\n'],
  ['ZRANGEBYSCORE z -inf +inf LIMIT -1 2', '*0\r\n'],
  ['ZRANGEBYSCORE z -inf +inf LIMIT 1 -5', '*6\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\nd\r\n$1\r\ne\r\n$4\r\npinf\r\n'],
  ['ZRANGEBYSCORE z -inf +inf LIMIT 10 1', '*0\r\n'],
  ['ZRANGEBYSCORE z -inf +inf LIMIT 6 5', '*1\r\n$4\r\npinf\r\n'],
  ['ZRANGEBYSCORE z -inf +inf WITHSCORES LIMIT 2 2 WITHSCORES', '*4\r\n$1\r\nb\r\n$1\r\n2\r\n$1\r\nc\r\n$1\r\n3\r\n'],
  ['ZRANGEBYSCORE z 1 5 LIMIT 1 1 LIMIT 2 2', '*2\r\n$1\r\nc\r\n$1\r\nd\r\n'],
  ['ZREVRANGEBYSCORE z 4 2', '*3\r\n$1\r\nd\r\n$1\r\nc\r\n$1\r\nb\r\n'],
  ['ZREVRANGEBYSCORE z 2 4', '*0\r\n'],
  ['ZREVRANGEBYSCORE z +inf -inf LIMIT 1 2 WITHSCORES', '*4\r\n$1\r\ne\r\n$1\r\n5\r\n$1\r\nd\r\n$1\r\n4\r\n'],
  ['ZREVRANGEBYSCORE z (4 (1', '*2\r\n$1\r\nc\r\n$1\r\nb\r\n'],
  ['ZREVRANGEBYSCORE z 4 2 LIMIT 5 1', '*0\r\n'],
  ['ZRANGE z 2 4 BYSCORE', '*3\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\nd\r\n'],
  ['ZRANGE z 4 2 BYSCORE REV', '*3\r\n$1\r\nd\r\n$1\r\nc\r\n$1\r\nb\r\n'],
  ['ZRANGE z 4 2 REV BYSCORE', '*3\r\n$1\r\nd\r\n$1\r\nc\r\n$1\r\nb\r\n'],
  ['ZRANGE z (1 +inf BYSCORE LIMIT 1 2 WITHSCORES', '*4\r\n$1\r\nc\r\n$1\r\n3\r\n$1\r\nd\r\n$1\r\n4\r\n'],
  ['ZRANGE z +inf -inf BYSCORE REV LIMIT 0 3', '*3\r\n$4\r\npinf\r\n$1\r\ne\r\n$1\r\nd\r\n'],
  ['ZRANGE z 1 2 BYSCORE BYSCORE', '-ERR syntax error\r\n'],
  ['ZRANGE z 1 2 BYSCORE BYLEX', '-ERR syntax error\r\n'],
  ['ZRANGEBYSCORE z a 1', '-ERR min or max is not a float\r\n'],
  ['ZRANGEBYSCORE z 1 nan', '-ERR min or max is not a float\r\n'],
  ['ZRANGEBYSCORE z (nan 1', '-ERR min or max is not a float\r\n'],
  ['ZRANGEBYSCORE z ( 3', '*3\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n'],
  [['ZRANGEBYSCORE', 'z', '', '3'], '*3\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n'],
  [['ZRANGEBYSCORE', 'z', ' 2', '3'], '*2\r\n$1\r\nb\r\n$1\r\nc\r\n'],
  [['ZRANGEBYSCORE', 'z', '2 ', '3'], '-ERR min or max is not a float\r\n'],
  [['ZRANGEBYSCORE', 'z', '2\x00junk', '3'], '*2\r\n$1\r\nb\r\n$1\r\nc\r\n'],
  [['ZRANGEBYSCORE', 'z', ' ', '3'], '-ERR min or max is not a float\r\n'],
  [['ZRANGEBYSCORE', 'z', '(2', '( 4'], '*1\r\n$1\r\nc\r\n'],
  ['ZRANGEBYSCORE z 0x2 0x3', '*2\r\n$1\r\nb\r\n$1\r\nc\r\n'],
  ['ZRANGEBYSCORE z (1e400 inf', '*0\r\n'],
  ['ZRANGEBYSCORE z -1e400 1', '*2\r\n$4\r\nninf\r\n$1\r\na\r\n'],
  ['ZRANGEBYSCORE z -INF +Infinity', '*7\r\n$4\r\nninf\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\nd\r\n$1\r\ne\r\n$4\r\npinf\r\n'],
  ['ZRANGEBYSCORE z 1e0 .3e1', '*3\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n'],
  ['ZRANGEBYSCORE z 1. 2', '*2\r\n$1\r\na\r\n$1\r\nb\r\n'],
  ['ZRANGEBYSCORE z + 2', '-ERR min or max is not a float\r\n'],
  ['ZRANGEBYSCORE z 1 2 BYSCORE', '-ERR syntax error\r\n'],
  ['ZRANGEBYSCORE z 1 2 REV', '-ERR syntax error\r\n'],
  ['ZRANGEBYSCORE z 1 2 LIMIT 1', '-ERR syntax error\r\n'],
  ['ZRANGEBYSCORE z 1 2 LIMIT a b', '-ERR value is not an integer or out of range\r\n'],
  ['ZRANGEBYSCORE nokey 1 2', '*0\r\n'],
  ['ZRANGEBYSCORE nokey a b', '-ERR min or max is not a float\r\n'],
  ['SET s x', '+OK\r\n'],
  ['ZRANGEBYSCORE s 1 2', '-WRONGTYPE Operation against a key holding the wrong kind of value\r\n'],
  ['ZREVRANGEBYSCORE s 1 2', '-WRONGTYPE Operation against a key holding the wrong kind of value\r\n'],
  ['ZCOUNT z -inf +inf', ':7\r\n'],
  ['ZCOUNT z (1 3', ':2\r\n'],
  ['ZCOUNT z 3 1', ':0\r\n'],
  ['ZCOUNT z (2 (2', ':0\r\n'],
  ['ZCOUNT z 2 2', ':1\r\n'],
  ['ZCOUNT z (-inf (+inf', ':5\r\n'],
  ['ZCOUNT z a b', '-ERR min or max is not a float\r\n'],
  ['ZCOUNT nokey 0 1', ':0\r\n'],
  ['ZCOUNT nokey a 1', '-ERR min or max is not a float\r\n'],
  ['ZCOUNT s 0 1', '-WRONGTYPE Operation against a key holding the wrong kind of value\r\n'],
];

const LEX_RANGES_TRANSCRIPT: Transcript = [
  ['ZADD z 0 a 0 b 0 c 0 d 0 e 0 aa', ':6\r\n'],
  ['ZRANGEBYLEX z - +', '*6\r\n$1\r\na\r\n$2\r\naa\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\nd\r\n$1\r\ne\r\n'],
  ['ZRANGEBYLEX z [b [d', '*3\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\nd\r\n'],
  ['ZRANGEBYLEX z (b (d', '*1\r\n$1\r\nc\r\n'],
  ['ZRANGEBYLEX z [aa (c', '*2\r\n$2\r\naa\r\n$1\r\nb\r\n'],
  ['ZRANGEBYLEX z - (c', '*3\r\n$1\r\na\r\n$2\r\naa\r\n$1\r\nb\r\n'],
  ['ZRANGEBYLEX z (c +', '*2\r\n$1\r\nd\r\n$1\r\ne\r\n'],
  ['ZRANGEBYLEX z + -', '*0\r\n'],
  ['ZRANGEBYLEX z - -', '*0\r\n'],
  ['ZRANGEBYLEX z + +', '*0\r\n'],
  ['ZRANGEBYLEX z [c [c', '*1\r\n$1\r\nc\r\n'],
  ['ZRANGEBYLEX z (c [c', '*0\r\n'],
  ['ZRANGEBYLEX z [d [b', '*0\r\n'],
  ['ZRANGEBYLEX z [ +', '*6\r\n$1\r\na\r\n$2\r\naa\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\nd\r\n$1\r\ne\r\n'],
  ['ZRANGEBYLEX z ( +', '*6\r\n$1\r\na\r\n$2\r\naa\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\nd\r\n$1\r\ne\r\n'],
  ['ZRANGEBYLEX z - [', '*0\r\n'],
  ['ZRANGEBYLEX z - + LIMIT 1 2', '*2\r\n$2\r\naa\r\n$1\r\nb\r\n'],
  ['ZRANGEBYLEX z - + LIMIT -1 1', '*0\r\n'],
  ['ZRANGEBYLEX z - + LIMIT 0 -1', '*6\r\n$1\r\na\r\n$2\r\naa\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\nd\r\n$1\r\ne\r\n'],
  ['ZRANGEBYLEX z - + LIMIT 7 1', '*0\r\n'],
  ['ZREVRANGEBYLEX z + -', '*6\r\n$1\r\ne\r\n$1\r\nd\r\n$1\r\nc\r\n$1\r\nb\r\n$2\r\naa\r\n$1\r\na\r\n'],
  ['ZREVRANGEBYLEX z [d (a LIMIT 1 2', '*2\r\n$1\r\nc\r\n$1\r\nb\r\n'],
  ['ZREVRANGEBYLEX z - +', '*0\r\n'],
  ['ZRANGE z [b [d BYLEX', '*3\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\nd\r\n'],
  ['ZRANGE z [d [b BYLEX REV', '*3\r\n$1\r\nd\r\n$1\r\nc\r\n$1\r\nb\r\n'],
  ['ZRANGE z - + BYLEX LIMIT 2 2', '*2\r\n$1\r\nb\r\n$1\r\nc\r\n'],
  ['ZRANGE z - + BYLEX WITHSCORES', '-ERR syntax error, WITHSCORES not supported in combination with BYLEX\r\n'],
  ['ZRANGEBYLEX z - + WITHSCORES', '-ERR syntax error, WITHSCORES not supported in combination with BYLEX\r\n'],
  ['ZRANGEBYLEX z a b', '-ERR min or max not valid string range item\r\n'],
  ['ZRANGEBYLEX z [a b', '-ERR min or max not valid string range item\r\n'],
  [['ZRANGEBYLEX', 'z', '', '+'], '-ERR min or max not valid string range item\r\n'],
  ['ZRANGEBYLEX z -a +', '-ERR min or max not valid string range item\r\n'],
  ['ZRANGEBYLEX z - ++', '-ERR min or max not valid string range item\r\n'],
  [['ZRANGEBYLEX', 'z', '-\x00x', '+'], '*6\r\n$1\r\na\r\n$2\r\naa\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\nd\r\n$1\r\ne\r\n'],
  ['ZRANGEBYLEX z - + REV', '-ERR syntax error\r\n'],
  ['ZRANGEBYLEX z - + BYLEX', '-ERR syntax error\r\n'],
  ['ZRANGEBYLEX nokey - +', '*0\r\n'],
  ['ZRANGEBYLEX nokey a b', '-ERR min or max not valid string range item\r\n'],
  ['SET s x', '+OK\r\n'],
  ['ZRANGEBYLEX s - +', '-WRONGTYPE Operation against a key holding the wrong kind of value\r\n'],
  ['ZREVRANGEBYLEX s + -', '-WRONGTYPE Operation against a key holding the wrong kind of value\r\n'],
  ['ZLEXCOUNT z - +', ':6\r\n'],
  ['ZLEXCOUNT z [b (d', ':2\r\n'],
  ['ZLEXCOUNT z (z +', ':0\r\n'],
  ['ZLEXCOUNT z [d [b', ':0\r\n'],
  ['ZLEXCOUNT z a b', '-ERR min or max not valid string range item\r\n'],
  ['ZLEXCOUNT nokey - +', ':0\r\n'],
  ['ZLEXCOUNT nokey a b', '-ERR min or max not valid string range item\r\n'],
  ['ZLEXCOUNT s - +', '-WRONGTYPE Operation against a key holding the wrong kind of value\r\n'],
  ['ZADD m 1 a 2 b 0 c 3 d', ':4\r\n'],
  ['ZRANGEBYLEX m - +', '*4\r\n$1\r\nc\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nd\r\n'],
  ['ZRANGEBYLEX m [b +', '*4\r\n$1\r\nc\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nd\r\n'],
  ['ZRANGEBYLEX m (a [c', '*3\r\n$1\r\nc\r\n$1\r\na\r\n$1\r\nb\r\n'],
  ['ZRANGEBYLEX m [a [b', '*0\r\n'],
  ['ZLEXCOUNT m [b +', ':4\r\n'],
  ['ZLEXCOUNT m [a [d', ':4\r\n'],
  ['ZREVRANGEBYLEX m [c -', '*3\r\n$1\r\nb\r\n$1\r\na\r\n$1\r\nc\r\n'],
  ['ZREVRANGEBYLEX m + [b', '*2\r\n$1\r\nd\r\n$1\r\nb\r\n'],
  ['ZREMRANGEBYLEX m [a [c', ':3\r\n'],
  ['ZRANGE m 0 -1', '*1\r\n$1\r\nd\r\n'],
  [['ZADD', 'bin', '0', 'a\x00b', '0', 'a', '0', '\xff', '0', 'a\x00'], ':4\r\n'],
  [['ZRANGEBYLEX', 'bin', '[a\x00', '+'], '*3\r\n$2\r\na\x00\r\n$3\r\na\x00b\r\n$1\r\n\xff\r\n'],
  [['ZRANGEBYLEX', 'bin', '(a', '(\xff'], '*2\r\n$2\r\na\x00\r\n$3\r\na\x00b\r\n'],
];

const RANGESTORE_TRANSCRIPT: Transcript = [
  ['ZADD src 1 a 2 b 3 c 4 d', ':4\r\n'],
  ['ZRANGESTORE dst src 0 -1', ':4\r\n'],
  ['ZRANGE dst 0 -1 WITHSCORES', '*8\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nb\r\n$1\r\n2\r\n$1\r\nc\r\n$1\r\n3\r\n$1\r\nd\r\n$1\r\n4\r\n'],
  ['ZRANGESTORE dst src 1 2 REV', ':2\r\n'],
  ['ZRANGE dst 0 -1 WITHSCORES', '*4\r\n$1\r\nb\r\n$1\r\n2\r\n$1\r\nc\r\n$1\r\n3\r\n'],
  ['ZRANGESTORE dst src 2 3 BYSCORE', ':2\r\n'],
  ['ZRANGE dst 0 -1 WITHSCORES', '*4\r\n$1\r\nb\r\n$1\r\n2\r\n$1\r\nc\r\n$1\r\n3\r\n'],
  ['ZRANGESTORE dst src (4 1 BYSCORE REV LIMIT 0 1', ':1\r\n'],
  ['ZRANGE dst 0 -1 WITHSCORES', '*2\r\n$1\r\nc\r\n$1\r\n3\r\n'],
  ['ZRANGESTORE dst src [a [b BYLEX', ':2\r\n'],
  ['ZRANGE dst 0 -1', '*2\r\n$1\r\na\r\n$1\r\nb\r\n'],
  ['ZRANGESTORE dst src 5 10', ':0\r\n'],
  ['EXISTS dst', ':0\r\n'],
  ['ZRANGESTORE dst src 5 10', ':0\r\n'],
  ['ZRANGESTORE dst src 0 -1 WITHSCORES', '-ERR syntax error\r\n'],
  ['ZRANGESTORE dst nokey 0 -1', ':0\r\n'],
  ['SET str x', '+OK\r\n'],
  ['ZRANGESTORE dst str 0 -1', '-WRONGTYPE Operation against a key holding the wrong kind of value\r\n'],
  ['ZRANGESTORE str src 0 0', ':1\r\n'],
  ['TYPE str', '+zset\r\n'],
  ['SET dst2 x EX 100', '+OK\r\n'],
  ['ZRANGESTORE dst2 src 0 0', ':1\r\n'],
  ['TTL dst2', ':-1\r\n'],
  ['ZRANGESTORE dst src 0 1 LIMIT 0 1', '-ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX\r\n'],
  ['ZRANGESTORE dst src a 1', '-ERR value is not an integer or out of range\r\n'],
  ['ZRANGESTORE dst src 0', '-ERR wrong number of arguments for \'zrangestore\' command\r\n'],
  ['ZRANGESTORE src src 1 2', ':2\r\n'],
  ['ZRANGE src 0 -1 WITHSCORES', '*4\r\n$1\r\nb\r\n$1\r\n2\r\n$1\r\nc\r\n$1\r\n3\r\n'],
];

const REMOVAL_TRANSCRIPT: Transcript = [
  ['ZADD z 1 a 2 b 3 c 4 d 5 e 6 f', ':6\r\n'],
  ['ZREM z a nosuch b', ':2\r\n'],
  ['ZREM z nosuch', ':0\r\n'],
  ['ZREM nokey a', ':0\r\n'],
  ['ZREMRANGEBYRANK z 0 0', ':1\r\n'],
  ['ZRANGE z 0 -1', '*3\r\n$1\r\nd\r\n$1\r\ne\r\n$1\r\nf\r\n'],
  ['ZREMRANGEBYRANK z -1 -1', ':1\r\n'],
  ['ZREMRANGEBYRANK z 5 10', ':0\r\n'],
  ['ZREMRANGEBYRANK z 1 0', ':0\r\n'],
  ['ZREMRANGEBYRANK z a 1', '-ERR value is not an integer or out of range\r\n'],
  ['ZREMRANGEBYRANK z 0 a', '-ERR value is not an integer or out of range\r\n'],
  ['ZREMRANGEBYSCORE z (3 4', ':1\r\n'],
  ['ZREMRANGEBYSCORE z a b', '-ERR min or max is not a float\r\n'],
  ['ZREMRANGEBYSCORE z 10 20', ':0\r\n'],
  ['ZREMRANGEBYSCORE z (5 (5', ':0\r\n'],
  ['ZADD z 0 x 0 y 0 z', ':3\r\n'],
  ['ZRANGE z 0 -1', '*4\r\n$1\r\nx\r\n$1\r\ny\r\n$1\r\nz\r\n$1\r\ne\r\n'],
  ['ZREMRANGEBYLEX z [x (z', ':0\r\n'],
  ['ZRANGE z 0 -1', '*4\r\n$1\r\nx\r\n$1\r\ny\r\n$1\r\nz\r\n$1\r\ne\r\n'],
  ['ZREMRANGEBYLEX z a b', '-ERR min or max not valid string range item\r\n'],
  ['ZREMRANGEBYLEX z [zz +', ':0\r\n'],
  ['ZREMRANGEBYLEX z + -', ':0\r\n'],
  ['ZREMRANGEBYRANK z 0 -1', ':4\r\n'],
  ['EXISTS z', ':0\r\n'],
  ['ZADD w 1 a 2 b', ':2\r\n'],
  ['ZREM w a b c', ':2\r\n'],
  ['EXISTS w', ':0\r\n'],
  ['ZADD w 1 a 2 b', ':2\r\n'],
  ['ZREMRANGEBYSCORE w -inf +inf', ':2\r\n'],
  ['EXISTS w', ':0\r\n'],
  ['ZADD w 0 a 0 b', ':2\r\n'],
  ['ZREMRANGEBYLEX w - +', ':2\r\n'],
  ['EXISTS w', ':0\r\n'],
  ['ZREMRANGEBYRANK nokey 0 -1', ':0\r\n'],
  ['ZREMRANGEBYSCORE nokey 0 1', ':0\r\n'],
  ['ZREMRANGEBYLEX nokey - +', ':0\r\n'],
  ['ZREMRANGEBYSCORE nokey a 1', '-ERR min or max is not a float\r\n'],
  ['ZREMRANGEBYLEX nokey a b', '-ERR min or max not valid string range item\r\n'],
  ['SET s x', '+OK\r\n'],
  ['ZREM s a', '-WRONGTYPE Operation against a key holding the wrong kind of value\r\n'],
  ['ZREMRANGEBYRANK s 0 1', '-WRONGTYPE Operation against a key holding the wrong kind of value\r\n'],
  ['ZREMRANGEBYSCORE s 0 1', '-WRONGTYPE Operation against a key holding the wrong kind of value\r\n'],
  ['ZREMRANGEBYLEX s - +', '-WRONGTYPE Operation against a key holding the wrong kind of value\r\n'],
];

const POPS_TRANSCRIPT: Transcript = [
  ['ZADD z 1 a 2 b 3 c 4 d 5 e', ':5\r\n'],
  ['ZPOPMIN z', '*2\r\n$1\r\na\r\n$1\r\n1\r\n'],
  ['ZPOPMAX z', '*2\r\n$1\r\ne\r\n$1\r\n5\r\n'],
  ['ZPOPMIN z 2', '*4\r\n$1\r\nb\r\n$1\r\n2\r\n$1\r\nc\r\n$1\r\n3\r\n'],
  ['ZPOPMAX z 0', '*0\r\n'],
  ['ZPOPMIN z -1', '-ERR value is out of range, must be positive\r\n'],
  ['ZPOPMIN z a', '-ERR value is out of range, must be positive\r\n'],
  ['ZPOPMIN z 1 2', '-ERR syntax error\r\n'],
  ['ZPOPMIN nokey', '*0\r\n'],
  ['ZPOPMIN nokey 3', '*0\r\n'],
  ['ZPOPMIN nokey 0', '*0\r\n'],
  ['ZPOPMAX z 10', '*2\r\n$1\r\nd\r\n$1\r\n4\r\n'],
  ['EXISTS z', ':0\r\n'],
  ['SET s x', '+OK\r\n'],
  ['ZPOPMIN s', '-WRONGTYPE Operation against a key holding the wrong kind of value\r\n'],
  ['ZPOPMIN s 0', '-WRONGTYPE Operation against a key holding the wrong kind of value\r\n'],
  ['ZPOPMIN s -1', '-ERR value is out of range, must be positive\r\n'],
  ['ZPOPMAX s 2', '-WRONGTYPE Operation against a key holding the wrong kind of value\r\n'],
  ['ZADD a 1 x 2 y 3 z', ':3\r\n'],
  ['ZADD b 10 p', ':1\r\n'],
  ['ZMPOP 2 nokey a MIN', '*2\r\n$1\r\na\r\n*1\r\n*2\r\n$1\r\nx\r\n$1\r\n1\r\n'],
  ['ZMPOP 2 nokey a max COUNT 10', '*2\r\n$1\r\na\r\n*2\r\n*2\r\n$1\r\nz\r\n$1\r\n3\r\n*2\r\n$1\r\ny\r\n$1\r\n2\r\n'],
  ['EXISTS a', ':0\r\n'],
  ['ZMPOP 2 a b min count 5', '*2\r\n$1\r\nb\r\n*1\r\n*2\r\n$1\r\np\r\n$2\r\n10\r\n'],
  ['EXISTS b', ':0\r\n'],
  ['ZMPOP 1 nokey MIN', '*-1\r\n'],
  ['ZMPOP 0 a MIN', '-ERR numkeys should be greater than 0\r\n'],
  ['ZMPOP -1 a MIN', '-ERR numkeys should be greater than 0\r\n'],
  ['ZMPOP x a MIN', '-ERR numkeys should be greater than 0\r\n'],
  ['ZMPOP 2 a MIN', '-ERR syntax error\r\n'],
  ['ZMPOP 1 a MID', '-ERR syntax error\r\n'],
  ['ZMPOP 1 a MIN COUNT 0', '-ERR count should be greater than 0\r\n'],
  ['ZMPOP 1 a MIN COUNT -1', '-ERR count should be greater than 0\r\n'],
  ['ZMPOP 1 a MIN COUNT x', '-ERR count should be greater than 0\r\n'],
  ['ZMPOP 1 a MIN COUNT 1 COUNT 1', '-ERR syntax error\r\n'],
  ['ZMPOP 1 a MIN foo', '-ERR syntax error\r\n'],
  ['ZMPOP 1 a MIN COUNT', '-ERR syntax error\r\n'],
  ['ZMPOP 99999999999999999999 a MIN', '-ERR numkeys should be greater than 0\r\n'],
  ['ZMPOP 2 s a MIN', '-WRONGTYPE Operation against a key holding the wrong kind of value\r\n'],
  ['ZMPOP 2 nokey s MIN', '-WRONGTYPE Operation against a key holding the wrong kind of value\r\n'],
  ['ZADD a 1 x', ':1\r\n'],
  ['ZMPOP 2 a s MIN', '*2\r\n$1\r\na\r\n*1\r\n*2\r\n$1\r\nx\r\n$1\r\n1\r\n'],
  ['ZMPOP 2 s a MIN COUNT 0', '-ERR count should be greater than 0\r\n'],
  ['ZADD z 1 a 2 b', ':2\r\n'],
  ['BZPOPMIN nokey z 0', '*3\r\n$1\r\nz\r\n$1\r\na\r\n$1\r\n1\r\n'],
  ['BZPOPMAX z 1', '*3\r\n$1\r\nz\r\n$1\r\nb\r\n$1\r\n2\r\n'],
  ['EXISTS z', ':0\r\n'],
  ['BZPOPMIN z -1', '-ERR timeout is negative\r\n'],
  ['BZPOPMIN z abc', '-ERR timeout is not a float or out of range\r\n'],
  ['BZPOPMIN z inf', '-ERR timeout is negative\r\n'],
  ['BZPOPMIN z 1e400', '-ERR timeout is negative\r\n'],
  [['BZPOPMIN', 'z', ''], '-ERR timeout is not a float or out of range\r\n'],
  [['BZPOPMIN', 'z', ' 1'], '-ERR timeout is not a float or out of range\r\n'],
  ['ZADD z 1 a 2 b 3 c', ':3\r\n'],
  ['BZMPOP 0 1 z MIN COUNT 2', '*2\r\n$1\r\nz\r\n*2\r\n*2\r\n$1\r\na\r\n$1\r\n1\r\n*2\r\n$1\r\nb\r\n$1\r\n2\r\n'],
  ['BZMPOP 0.5 2 nokey z MAX', '*2\r\n$1\r\nz\r\n*1\r\n*2\r\n$1\r\nc\r\n$1\r\n3\r\n'],
  ['EXISTS z', ':0\r\n'],
  ['BZMPOP 0 0 z MIN', '-ERR numkeys should be greater than 0\r\n'],
  ['BZMPOP x 1 z MIN', '-ERR timeout is not a float or out of range\r\n'],
  ['BZMPOP -1 1 z MIN', '-ERR timeout is negative\r\n'],
  ['BZMPOP 0 1 z MID', '-ERR syntax error\r\n'],
  ['BZMPOP x 1 z MID', '-ERR syntax error\r\n'],
  ['BZMPOP 0 2 z MIN', '-ERR syntax error\r\n'],
  ['BZMPOP 0 1 z MIN COUNT 0', '-ERR count should be greater than 0\r\n'],
  ['BZPOPMIN s 0', '-WRONGTYPE Operation against a key holding the wrong kind of value\r\n'],
  ['BZPOPMIN nokey s 0', '-WRONGTYPE Operation against a key holding the wrong kind of value\r\n'],
  ['BZMPOP 0 1 s MIN', '-WRONGTYPE Operation against a key holding the wrong kind of value\r\n'],
  ['BZPOPMAX s -1', '-ERR timeout is negative\r\n'],
  ['MULTI', '+OK\r\n'],
  ['BZPOPMIN nokey 0', '+QUEUED\r\n'],
  ['BZPOPMAX nokey 0', '+QUEUED\r\n'],
  ['BZMPOP 0 1 nokey MIN', '+QUEUED\r\n'],
  ['EXEC', '*3\r\n*-1\r\n*-1\r\n*-1\r\n'],
];

const ALGEBRA_TRANSCRIPT: Transcript = [
  ['ZADD a 1 x 2 y 3 z', ':3\r\n'],
  ['ZADD b 10 y 20 z 30 w', ':3\r\n'],
  ['SADD s z w q', ':3\r\n'],
  ['SADD ints 3 1 2', ':3\r\n'],
  ['ZUNION 2 a b', '*4\r\n$1\r\nx\r\n$1\r\ny\r\n$1\r\nz\r\n$1\r\nw\r\n'],
  ['ZUNION 2 a b WITHSCORES', '*8\r\n$1\r\nx\r\n$1\r\n1\r\n$1\r\ny\r\n$2\r\n12\r\n$1\r\nz\r\n$2\r\n23\r\n$1\r\nw\r\n$2\r\n30\r\n'],
  ['ZUNION 2 a b WEIGHTS 2 0.5 WITHSCORES', '*8\r\n$1\r\nx\r\n$1\r\n2\r\n$1\r\ny\r\n$1\r\n9\r\n$1\r\nw\r\n$2\r\n15\r\n$1\r\nz\r\n$2\r\n16\r\n'],
  ['ZUNION 2 a b AGGREGATE MIN WITHSCORES', '*8\r\n$1\r\nx\r\n$1\r\n1\r\n$1\r\ny\r\n$1\r\n2\r\n$1\r\nz\r\n$1\r\n3\r\n$1\r\nw\r\n$2\r\n30\r\n'],
  ['ZUNION 2 a b aggregate max withscores', '*8\r\n$1\r\nx\r\n$1\r\n1\r\n$1\r\ny\r\n$2\r\n10\r\n$1\r\nz\r\n$2\r\n20\r\n$1\r\nw\r\n$2\r\n30\r\n'],
  ['ZUNION 3 a b s WITHSCORES', '*10\r\n$1\r\nq\r\n$1\r\n1\r\n$1\r\nx\r\n$1\r\n1\r\n$1\r\ny\r\n$2\r\n12\r\n$1\r\nz\r\n$2\r\n24\r\n$1\r\nw\r\n$2\r\n31\r\n'],
  ['ZUNION 2 ints a WITHSCORES', '*12\r\n$1\r\n1\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n1\r\n$1\r\n3\r\n$1\r\n1\r\n$1\r\nx\r\n$1\r\n1\r\n$1\r\ny\r\n$1\r\n2\r\n$1\r\nz\r\n$1\r\n3\r\n'],
  ['ZUNION 1 s WITHSCORES', '*6\r\n$1\r\nq\r\n$1\r\n1\r\n$1\r\nw\r\n$1\r\n1\r\n$1\r\nz\r\n$1\r\n1\r\n'],
  ['ZINTER 2 a b WITHSCORES', '*4\r\n$1\r\ny\r\n$2\r\n12\r\n$1\r\nz\r\n$2\r\n23\r\n'],
  ['ZINTER 3 a b s WITHSCORES', '*2\r\n$1\r\nz\r\n$2\r\n24\r\n'],
  ['ZINTER 2 a s AGGREGATE MAX WEIGHTS 1 5 WITHSCORES', '*2\r\n$1\r\nz\r\n$1\r\n5\r\n'],
  ['ZINTER 2 a nokey', '*0\r\n'],
  ['ZINTER 2 a a WEIGHTS 1 2 WITHSCORES', '*6\r\n$1\r\nx\r\n$1\r\n3\r\n$1\r\ny\r\n$1\r\n6\r\n$1\r\nz\r\n$1\r\n9\r\n'],
  ['ZDIFF 2 a b WITHSCORES', '*2\r\n$1\r\nx\r\n$1\r\n1\r\n'],
  ['ZDIFF 2 b s', '*1\r\n$1\r\ny\r\n'],
  ['ZDIFF 3 a nokey b WITHSCORES', '*2\r\n$1\r\nx\r\n$1\r\n1\r\n'],
  ['ZDIFF 2 a a', '*0\r\n'],
  ['ZDIFF 1 s WITHSCORES', '*6\r\n$1\r\nq\r\n$1\r\n1\r\n$1\r\nw\r\n$1\r\n1\r\n$1\r\nz\r\n$1\r\n1\r\n'],
  ['ZDIFF 2 nokey a', '*0\r\n'],
  ['ZINTERCARD 2 a b', ':2\r\n'],
  ['ZINTERCARD 2 a b LIMIT 1', ':1\r\n'],
  ['ZINTERCARD 3 a b s', ':1\r\n'],
  ['ZINTERCARD 2 a b LIMIT 0', ':2\r\n'],
  ['ZINTERCARD 2 a nokey', ':0\r\n'],
  ['ZINTERCARD 1 a LIMIT 1 LIMIT 2', ':2\r\n'],
  ['ZUNIONSTORE d 2 a b', ':4\r\n'],
  ['ZRANGE d 0 -1 WITHSCORES', '*8\r\n$1\r\nx\r\n$1\r\n1\r\n$1\r\ny\r\n$2\r\n12\r\n$1\r\nz\r\n$2\r\n23\r\n$1\r\nw\r\n$2\r\n30\r\n'],
  ['ZINTERSTORE d 2 a b WEIGHTS 1 -1', ':2\r\n'],
  ['ZRANGE d 0 -1 WITHSCORES', '*4\r\n$1\r\nz\r\n$3\r\n-17\r\n$1\r\ny\r\n$2\r\n-8\r\n'],
  ['ZDIFFSTORE d 2 a b', ':1\r\n'],
  ['ZRANGE d 0 -1 WITHSCORES', '*2\r\n$1\r\nx\r\n$1\r\n1\r\n'],
  ['ZINTERSTORE d 2 a nokey', ':0\r\n'],
  ['EXISTS d', ':0\r\n'],
  ['ZINTERSTORE d 2 a nokey', ':0\r\n'],
  ['ZUNIONSTORE a 2 a b', ':4\r\n'],
  ['ZRANGE a 0 -1 WITHSCORES', '*8\r\n$1\r\nx\r\n$1\r\n1\r\n$1\r\ny\r\n$2\r\n12\r\n$1\r\nz\r\n$2\r\n23\r\n$1\r\nw\r\n$2\r\n30\r\n'],
  ['SET d2 x EX 100', '+OK\r\n'],
  ['ZUNIONSTORE d2 1 a', ':4\r\n'],
  ['TTL d2', ':-1\r\n'],
  ['TYPE d2', '+zset\r\n'],
  ['ZADD i1 inf m', ':1\r\n'],
  ['ZADD i2 -inf m', ':1\r\n'],
  ['ZUNION 2 i1 i2 WITHSCORES', '*2\r\n$1\r\nm\r\n$1\r\n0\r\n'],
  ['ZUNION 1 i1 WEIGHTS 0 WITHSCORES', '*2\r\n$1\r\nm\r\n$1\r\n0\r\n'],
  ['ZINTER 2 i1 i2 WITHSCORES', '*2\r\n$1\r\nm\r\n$1\r\n0\r\n'],
  ['ZINTER 2 i1 i1 WEIGHTS 1 0 WITHSCORES', '*2\r\n$1\r\nm\r\n$1\r\n0\r\n'],
  ['ZINTER 2 i1 i1 WEIGHTS 1 0 AGGREGATE MIN WITHSCORES', '*2\r\n$1\r\nm\r\n$3\r\ninf\r\n'],
  ['ZINTER 2 i1 i1 WEIGHTS 1 0 AGGREGATE MAX WITHSCORES', '*2\r\n$1\r\nm\r\n$3\r\ninf\r\n'],
  ['ZINTER 2 i2 i1 AGGREGATE MIN WITHSCORES', '*2\r\n$1\r\nm\r\n$4\r\n-inf\r\n'],
  ['ZUNION 2 i1 i2 AGGREGATE MAX WITHSCORES', '*2\r\n$1\r\nm\r\n$3\r\ninf\r\n'],
  ['ZUNION 2 a b WEIGHTS 1 1 WEIGHTS 2 2 WITHSCORES', '*8\r\n$1\r\nx\r\n$1\r\n2\r\n$1\r\ny\r\n$2\r\n44\r\n$1\r\nz\r\n$2\r\n86\r\n$1\r\nw\r\n$3\r\n120\r\n'],
  ['ZUNION 1 a WITHSCORES WITHSCORES', '*8\r\n$1\r\nx\r\n$1\r\n1\r\n$1\r\ny\r\n$2\r\n12\r\n$1\r\nz\r\n$2\r\n23\r\n$1\r\nw\r\n$2\r\n30\r\n'],
  ['ZUNION 0 a', '-ERR at least 1 input key is needed for \'zunion\' command\r\n'],
  ['ZUNION -1 a', '-ERR at least 1 input key is needed for \'zunion\' command\r\n'],
  ['ZUNION x a', '-ERR value is not an integer or out of range\r\n'],
  ['ZUNION 3 a b', '-ERR syntax error\r\n'],
  ['ZUNION 1 a WEIGHTS x', '-ERR weight value is not a float\r\n'],
  ['ZUNION 1 a WEIGHTS nan', '-ERR weight value is not a float\r\n'],
  ['ZUNION 1 a WEIGHTS 1e400', '-ERR weight value is not a float\r\n'],
  ['ZUNION 1 a WEIGHTS 1 2', '-ERR syntax error\r\n'],
  ['ZUNION 1 a WEIGHTS', '-ERR syntax error\r\n'],
  ['ZUNION 1 a AGGREGATE foo', '-ERR syntax error\r\n'],
  ['ZUNION 1 a AGGREGATE', '-ERR syntax error\r\n'],
  ['ZUNIONSTORE d 1 a WITHSCORES', '-ERR syntax error\r\n'],
  ['ZDIFF 1 a WEIGHTS 1', '-ERR syntax error\r\n'],
  ['ZDIFF 1 a AGGREGATE SUM', '-ERR syntax error\r\n'],
  ['ZINTERCARD 0 a', '-ERR at least 1 input key is needed for \'zintercard\' command\r\n'],
  ['ZINTERCARD 1 a LIMIT -1', '-ERR LIMIT can\'t be negative\r\n'],
  ['ZINTERCARD 1 a LIMIT x', '-ERR LIMIT can\'t be negative\r\n'],
  ['ZINTERCARD 1 a WITHSCORES', '-ERR syntax error\r\n'],
  ['ZINTERCARD 1 a WEIGHTS 1', '-ERR syntax error\r\n'],
  ['ZINTERSTORE d 0 a', '-ERR at least 1 input key is needed for \'zinterstore\' command\r\n'],
  ['ZDIFFSTORE d 0 a', '-ERR at least 1 input key is needed for \'zdiffstore\' command\r\n'],
  ['ZUNIONSTORE d -5 a', '-ERR at least 1 input key is needed for \'zunionstore\' command\r\n'],
  ['ZDIFF 0 a', '-ERR at least 1 input key is needed for \'zdiff\' command\r\n'],
  ['ZINTER 0 a', '-ERR at least 1 input key is needed for \'zinter\' command\r\n'],
  ['SET str x', '+OK\r\n'],
  ['ZUNION 2 a str', '-WRONGTYPE Operation against a key holding the wrong kind of value\r\n'],
  ['ZUNION 2 str nokey AGGREGATE foo', '-WRONGTYPE Operation against a key holding the wrong kind of value\r\n'],
  ['ZUNIONSTORE d 2 a str', '-WRONGTYPE Operation against a key holding the wrong kind of value\r\n'],
  ['HSET h f v', ':1\r\n'],
  ['ZINTER 2 a h', '-WRONGTYPE Operation against a key holding the wrong kind of value\r\n'],
  ['ZINTERCARD 2 h a', '-WRONGTYPE Operation against a key holding the wrong kind of value\r\n'],
  ['ZDIFF 2 a h', '-WRONGTYPE Operation against a key holding the wrong kind of value\r\n'],
  ['ZUNIONSTORE str 1 a', ':4\r\n'],
  ['TYPE str', '+zset\r\n'],
];

const SCAN_TRANSCRIPT: Transcript = [
  ['ZADD z 1 a 2 b 0.1 c 1e20 d -0 e inf f 123456789012345678 g 1e18 h 4611686018427387904 i 9223372036854775808 j -4611686018427387904 k', ':11\r\n'],
  ['ZSCAN z 0', '*2\r\n$1\r\n0\r\n*22\r\n$1\r\nk\r\n$20\r\n-4611686018427387904\r\n$1\r\ne\r\n$1\r\n0\r\n$1\r\nc\r\n$19\r\n' +
    '0.10000000000000001\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nb\r\n$1\r\n2\r\n$1\r\ng\r\n$18\r\n123456789012345680\r\n$1\r\nh\r\n' +
    '$19\r\n1000000000000000000\r\n$1\r\ni\r\n$19\r\n4611686018427387904\r\n$1\r\nj\r\n$22\r\n' +
    '9.2233720368547758e+18\r\n$1\r\nd\r\n$5\r\n1e+20\r\n$1\r\nf\r\n$3\r\ninf\r\n'],
  ['ZSCAN z 0 MATCH [ab]', '*2\r\n$1\r\n0\r\n*4\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nb\r\n$1\r\n2\r\n'],
  ['ZSCAN z 0 COUNT 1', '*2\r\n$1\r\n0\r\n*22\r\n$1\r\nk\r\n$20\r\n-4611686018427387904\r\n$1\r\ne\r\n$1\r\n0\r\n$1\r\nc\r\n$19\r\n' +
    '0.10000000000000001\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nb\r\n$1\r\n2\r\n$1\r\ng\r\n$18\r\n123456789012345680\r\n$1\r\nh\r\n' +
    '$19\r\n1000000000000000000\r\n$1\r\ni\r\n$19\r\n4611686018427387904\r\n$1\r\nj\r\n$22\r\n' +
    '9.2233720368547758e+18\r\n$1\r\nd\r\n$5\r\n1e+20\r\n$1\r\nf\r\n$3\r\ninf\r\n'],
  ['ZSCAN z 99', '*2\r\n$1\r\n0\r\n*22\r\n$1\r\nk\r\n$20\r\n-4611686018427387904\r\n$1\r\ne\r\n$1\r\n0\r\n$1\r\nc\r\n$19\r\n' +
    '0.10000000000000001\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nb\r\n$1\r\n2\r\n$1\r\ng\r\n$18\r\n123456789012345680\r\n$1\r\nh\r\n' +
    '$19\r\n1000000000000000000\r\n$1\r\ni\r\n$19\r\n4611686018427387904\r\n$1\r\nj\r\n$22\r\n' +
    '9.2233720368547758e+18\r\n$1\r\nd\r\n$5\r\n1e+20\r\n$1\r\nf\r\n$3\r\ninf\r\n'],
  ['ZSCAN z abc', '-ERR invalid cursor\r\n'],
  ['ZSCAN z 0 COUNT 0', '-ERR syntax error\r\n'],
  ['ZSCAN z 0 COUNT x', '-ERR value is not an integer or out of range\r\n'],
  ['ZSCAN z 0 TYPE zset', '-ERR syntax error\r\n'],
  ['ZSCAN z 0 MATCH', '-ERR syntax error\r\n'],
  ['ZSCAN z 0 COUNT 1 MATCH *', '*2\r\n$1\r\n0\r\n*22\r\n$1\r\nk\r\n$20\r\n-4611686018427387904\r\n$1\r\ne\r\n$1\r\n0\r\n$1\r\nc\r\n$19\r\n' +
    '0.10000000000000001\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nb\r\n$1\r\n2\r\n$1\r\ng\r\n$18\r\n123456789012345680\r\n$1\r\nh\r\n' +
    '$19\r\n1000000000000000000\r\n$1\r\ni\r\n$19\r\n4611686018427387904\r\n$1\r\nj\r\n$22\r\n' +
    '9.2233720368547758e+18\r\n$1\r\nd\r\n$5\r\n1e+20\r\n$1\r\nf\r\n$3\r\ninf\r\n'],
  ['ZSCAN nokey 0 COUNT 0', '*2\r\n$1\r\n0\r\n*0\r\n'],
  ['ZSCAN nokey abc', '-ERR invalid cursor\r\n'],
  ['SET s x', '+OK\r\n'],
  ['ZSCAN s 0', '-WRONGTYPE Operation against a key holding the wrong kind of value\r\n'],
  ['ZSCAN s 0 COUNT 0', '-WRONGTYPE Operation against a key holding the wrong kind of value\r\n'],
  ['ZSCAN z -1', '*2\r\n$1\r\n0\r\n*22\r\n$1\r\nk\r\n$20\r\n-4611686018427387904\r\n$1\r\ne\r\n$1\r\n0\r\n$1\r\nc\r\n$19\r\n' +
    '0.10000000000000001\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nb\r\n$1\r\n2\r\n$1\r\ng\r\n$18\r\n123456789012345680\r\n$1\r\nh\r\n' +
    '$19\r\n1000000000000000000\r\n$1\r\ni\r\n$19\r\n4611686018427387904\r\n$1\r\nj\r\n$22\r\n' +
    '9.2233720368547758e+18\r\n$1\r\nd\r\n$5\r\n1e+20\r\n$1\r\nf\r\n$3\r\ninf\r\n'],
  [['ZSCAN', 'z', ''], '*2\r\n$1\r\n0\r\n*22\r\n$1\r\nk\r\n$20\r\n-4611686018427387904\r\n$1\r\ne\r\n$1\r\n0\r\n$1\r\nc\r\n$19\r\n' +
    '0.10000000000000001\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nb\r\n$1\r\n2\r\n$1\r\ng\r\n$18\r\n123456789012345680\r\n$1\r\nh\r\n' +
    '$19\r\n1000000000000000000\r\n$1\r\ni\r\n$19\r\n4611686018427387904\r\n$1\r\nj\r\n$22\r\n' +
    '9.2233720368547758e+18\r\n$1\r\nd\r\n$5\r\n1e+20\r\n$1\r\nf\r\n$3\r\ninf\r\n'],
  ['ZSCAN z 18446744073709551616', '-ERR invalid cursor\r\n'],
  ['ZRANGE z 0 -1 WITHSCORES', '*22\r\n$1\r\nk\r\n$23\r\n-4.6116860184273879e+18\r\n$1\r\ne\r\n$1\r\n0\r\n$1\r\nc\r\n$19\r\n0.10000000000000001\r\n' +
    '$1\r\na\r\n$1\r\n1\r\n$1\r\nb\r\n$1\r\n2\r\n$1\r\ng\r\n$22\r\n1.2345678901234568e+17\r\n$1\r\nh\r\n$5\r\n1e+18\r\n$1\r\ni\r\n' +
    '$22\r\n4.6116860184273879e+18\r\n$1\r\nj\r\n$22\r\n9.2233720368547758e+18\r\n$1\r\nd\r\n$5\r\n1e+20\r\n$1\r\nf\r\n' +
    '$3\r\ninf\r\n'],
];

const ENCODINGS_TRANSCRIPT: Transcript = [
  ['ZADD z ' + scoredMembers(1, 128), ':128\r\n'],
  ['OBJECT ENCODING z', '$8\r\nlistpack\r\n'],
  ['ZADD z 129 m129', ':1\r\n'],
  ['OBJECT ENCODING z', '$8\r\nskiplist\r\n'],
  ['ZREMRANGEBYRANK z 1 -1', ':128\r\n'],
  ['OBJECT ENCODING z', '$8\r\nskiplist\r\n'],
  ['ZCARD z', ':1\r\n'],
  ['ZADD y 1 ' + 'x'.repeat(64), ':1\r\n'],
  ['OBJECT ENCODING y', '$8\r\nlistpack\r\n'],
  ['ZADD y 2 ' + 'x'.repeat(65), ':1\r\n'],
  ['OBJECT ENCODING y', '$8\r\nskiplist\r\n'],
  ['ZREM y ' + 'x'.repeat(65), ':1\r\n'],
  ['OBJECT ENCODING y', '$8\r\nskiplist\r\n'],
  ['ZADD big ' + scoredMembers(1, 130), ':130\r\n'],
  ['ZADD big -0 negz', ':1\r\n'],
  ['ZSCORE big negz', '$2\r\n-0\r\n'],
  ['ZINCRBY big 0 negz', '$1\r\n0\r\n'],
  ['ZSCORE big negz', '$2\r\n-0\r\n'],
  ['ZADD big 0 negz', ':0\r\n'],
  ['ZSCORE big negz', '$2\r\n-0\r\n'],
  ['ZRANGE big 0 0 WITHSCORES', '*2\r\n$4\r\nnegz\r\n$2\r\n-0\r\n'],
  ['ZADD small -0 negz', ':1\r\n'],
  ['ZSCORE small negz', '$1\r\n0\r\n'],
  ['ZINCRBY small -0 negz2', '$2\r\n-0\r\n'],
  ['ZSCORE small negz2', '$1\r\n0\r\n'],
  ['ZUNIONSTORE u 1 big', ':131\r\n'],
  ['OBJECT ENCODING u', '$8\r\nskiplist\r\n'],
  ['ZRANGESTORE r big 0 9', ':10\r\n'],
  ['OBJECT ENCODING r', '$8\r\nlistpack\r\n'],
  ['ZRANGESTORE r big 0 -1', ':131\r\n'],
  ['OBJECT ENCODING r', '$8\r\nskiplist\r\n'],
  ['ZINTERSTORE i 2 big big', ':131\r\n'],
  ['OBJECT ENCODING i', '$8\r\nskiplist\r\n'],
  ['ZRANGESTORE r2 big -5 -1', ':5\r\n'],
  ['OBJECT ENCODING r2', '$8\r\nlistpack\r\n'],
  ['ZREMRANGEBYRANK big 0 -3', ':129\r\n'],
  ['OBJECT ENCODING big', '$8\r\nskiplist\r\n'],
  ['ZUNIONSTORE u2 1 big', ':2\r\n'],
  ['OBJECT ENCODING u2', '$8\r\nlistpack\r\n'],
  ['ZSCORE u2 negz', '$-1\r\n'],
  ['ZRANGE u2 0 -1 WITHSCORES', '*4\r\n$4\r\nm129\r\n$3\r\n129\r\n$4\r\nm130\r\n$3\r\n130\r\n'],
  ['ZUNION 1 big WITHSCORES', '*4\r\n$4\r\nm129\r\n$3\r\n129\r\n$4\r\nm130\r\n$3\r\n130\r\n'],
  ['ZRANGE big 0 -1 WITHSCORES', '*4\r\n$4\r\nm129\r\n$3\r\n129\r\n$4\r\nm130\r\n$3\r\n130\r\n'],
  ['ZRANGESTORE r3 big 0 -1', ':2\r\n'],
  ['ZRANGE r3 0 -1 WITHSCORES', '*4\r\n$4\r\nm129\r\n$3\r\n129\r\n$4\r\nm130\r\n$3\r\n130\r\n'],
  ['ZADD lp 1 a', ':1\r\n'],
  ['ZADD lp 2 ' + 'y'.repeat(70), ':1\r\n'],
  ['ZREM lp ' + 'y'.repeat(70), ':1\r\n'],
  ['ZUNIONSTORE lp2 1 lp', ':1\r\n'],
  ['OBJECT ENCODING lp', '$8\r\nskiplist\r\n'],
  ['OBJECT ENCODING lp2', '$8\r\nlistpack\r\n'],
];

const RANDMEMBER_TRANSCRIPT: Transcript = [
  ['ZADD one 5 m', ':1\r\n'],
  ['ZRANDMEMBER one', '$1\r\nm\r\n'],
  ['ZRANDMEMBER one 3', '*1\r\n$1\r\nm\r\n'],
  ['ZRANDMEMBER one -3 WITHSCORES', '*6\r\n$1\r\nm\r\n$1\r\n5\r\n$1\r\nm\r\n$1\r\n5\r\n$1\r\nm\r\n$1\r\n5\r\n'],
  ['ZRANDMEMBER one 1 WITHSCORES', '*2\r\n$1\r\nm\r\n$1\r\n5\r\n'],
  ['ZRANDMEMBER one -1', '*1\r\n$1\r\nm\r\n'],
  ['ZRANDMEMBER one x', '-ERR value is not an integer or out of range\r\n'],
  ['ZRANDMEMBER one -9223372036854775808', '-ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807\r\n'],
  ['ZRANDMEMBER one 9223372036854775808', '-ERR value is not an integer or out of range\r\n'],
  ['ZRANDMEMBER one 1 withscore', '-ERR syntax error\r\n'],
  ['ZRANDMEMBER one 1 WITHSCORES x', '-ERR syntax error\r\n'],
  ['ZRANDMEMBER one 9223372036854775807 WITHSCORES', '-ERR value is out of range\r\n'],
  ['ZRANDMEMBER one -4611686018427387904 WITHSCORES', '-ERR value is out of range\r\n'],
  ['ZRANDMEMBER one 4611686018427387903 WITHSCORES', '*2\r\n$1\r\nm\r\n$1\r\n5\r\n'],
  ['ZRANDMEMBER nokey', '$-1\r\n'],
  ['ZRANDMEMBER nokey 5', '*0\r\n'],
  ['ZRANDMEMBER nokey -9223372036854775807', '*0\r\n'],
  ['ZRANDMEMBER nokey 1 WITHSCORES x', '-ERR syntax error\r\n'],
  ['ZRANDMEMBER one 0', '*0\r\n'],
  ['ZRANDMEMBER one 0 WITHSCORES', '*0\r\n'],
  ['SET s x', '+OK\r\n'],
  ['ZRANDMEMBER s', '-WRONGTYPE Operation against a key holding the wrong kind of value\r\n'],
  ['ZRANDMEMBER s 1', '-WRONGTYPE Operation against a key holding the wrong kind of value\r\n'],
  ['ZRANDMEMBER s x', '-ERR value is not an integer or out of range\r\n'],
  ['ZRANDMEMBER s 0', '-WRONGTYPE Operation against a key holding the wrong kind of value\r\n'],
  ['ZADD three 1 a 2 b 3 c', ':3\r\n'],
  ['ZRANDMEMBER three 3 WITHSCORES', '*6\r\n$1\r\nc\r\n$1\r\n3\r\n$1\r\nb\r\n$1\r\n2\r\n$1\r\na\r\n$1\r\n1\r\n'],
  ['ZRANDMEMBER three 10', '*3\r\n$1\r\nc\r\n$1\r\nb\r\n$1\r\na\r\n'],
  ['ZRANDMEMBER three 9223372036854775807', '*3\r\n$1\r\nc\r\n$1\r\nb\r\n$1\r\na\r\n'],
];

const RESP3_TRANSCRIPT: Transcript = [
  ['ZADD z 1 a 2.5 b inf c', ':3\r\n'],
  ['ZSCORE z b', ',2.5\r\n'],
  ['ZSCORE z c', ',inf\r\n'],
  ['ZSCORE z nosuch', '_\r\n'],
  ['ZSCORE nokey a', '_\r\n'],
  ['ZMSCORE z a x', '*2\r\n,1\r\n_\r\n'],
  ['ZINCRBY z 1 a', ',2\r\n'],
  ['ZADD z INCR 1 a', ',3\r\n'],
  ['ZADD z INCR NX 1 a', '_\r\n'],
  ['ZRANGE z 0 -1 WITHSCORES', '*3\r\n*2\r\n$1\r\nb\r\n,2.5\r\n*2\r\n$1\r\na\r\n,3\r\n*2\r\n$1\r\nc\r\n,inf\r\n'],
  ['ZRANGEBYSCORE z -inf +inf WITHSCORES LIMIT 0 1', '*1\r\n*2\r\n$1\r\nb\r\n,2.5\r\n'],
  ['ZREVRANGE z 0 0 WITHSCORES', '*1\r\n*2\r\n$1\r\nc\r\n,inf\r\n'],
  ['ZRANGE z 0 -1', '*3\r\n$1\r\nb\r\n$1\r\na\r\n$1\r\nc\r\n'],
  ['ZPOPMIN z', '*2\r\n$1\r\nb\r\n,2.5\r\n'],
  ['ZPOPMAX z 1', '*1\r\n*2\r\n$1\r\nc\r\n,inf\r\n'],
  ['ZPOPMIN nokey', '*0\r\n'],
  ['ZPOPMIN z 0', '*0\r\n'],
  ['ZADD z 1 a 2 b', ':1\r\n'],
  ['ZADD z 3 c', ':1\r\n'],
  ['ZMPOP 1 z MIN COUNT 1', '*2\r\n$1\r\nz\r\n*1\r\n*2\r\n$1\r\na\r\n,1\r\n'],
  ['BZPOPMAX z 0', '*3\r\n$1\r\nz\r\n$1\r\nc\r\n,3\r\n'],
  ['BZMPOP 0 1 z MIN', '*2\r\n$1\r\nz\r\n*1\r\n*2\r\n$1\r\nb\r\n,2\r\n'],
  ['ZMPOP 1 nokey MIN', '_\r\n'],
  ['ZRANK z nosuch', '_\r\n'],
  ['ZADD z 7 q', ':1\r\n'],
  ['ZUNION 1 z WITHSCORES', '*1\r\n*2\r\n$1\r\nq\r\n,7\r\n'],
  ['ZINTER 1 z WITHSCORES', '*1\r\n*2\r\n$1\r\nq\r\n,7\r\n'],
  ['ZDIFF 1 z WITHSCORES', '*1\r\n*2\r\n$1\r\nq\r\n,7\r\n'],
  ['ZRANDMEMBER z 1 WITHSCORES', '*1\r\n*2\r\n$1\r\nq\r\n,7\r\n'],
  ['ZRANDMEMBER z -2 WITHSCORES', '*2\r\n*2\r\n$1\r\nq\r\n,7\r\n*2\r\n$1\r\nq\r\n,7\r\n'],
  ['ZRANDMEMBER z 5 WITHSCORES', '*1\r\n*2\r\n$1\r\nq\r\n,7\r\n'],
  ['ZRANDMEMBER z 5', '*1\r\n$1\r\nq\r\n'],
  ['ZRANDMEMBER z', '$1\r\nq\r\n'],
  ['ZRANDMEMBER nokey', '_\r\n'],
  ['ZSCAN z 0', '*2\r\n$1\r\n0\r\n*2\r\n$1\r\nq\r\n$1\r\n7\r\n'],
  ['ZCARD z', ':1\r\n'],
  ['MULTI', '+OK\r\n'],
  ['BZPOPMIN nokey 0', '+QUEUED\r\n'],
  ['EXEC', '*1\r\n_\r\n'],
  ['ZADD neg -2.5 m', ':1\r\n'],
  ['ZRANGE neg 0 -1 WITHSCORES', '*1\r\n*2\r\n$1\r\nm\r\n,-2.5\r\n'],
];


describe('transcripts recorded from redis-server 7.0.15', () => {
  const cases: Array<[string, Transcript, 2 | 3]> = [
    ['ZADD and ZINCRBY: NX XX GT LT CH INCR, conflicts, score parsing, NaN, WRONGTYPE', ZADD_TRANSCRIPT, 2],
    ['ZCARD, ZSCORE, ZMSCORE, ZRANK, ZREVRANK', READ_TRANSCRIPT, 2],
    ['ZRANGE and ZREVRANGE by rank: bounds, REV, WITHSCORES, option errors', RANK_RANGES_TRANSCRIPT, 2],
    ['ZRANGEBYSCORE, ZREVRANGEBYSCORE, ZRANGE BYSCORE, ZCOUNT: bounds, LIMIT, strtod parsing', SCORE_RANGES_TRANSCRIPT, 2],
    ['ZRANGEBYLEX, ZREVRANGEBYLEX, ZRANGE BYLEX, ZLEXCOUNT, mixed scores, binary members', LEX_RANGES_TRANSCRIPT, 2],
    ['ZRANGESTORE', RANGESTORE_TRANSCRIPT, 2],
    ['ZREM and the ZREMRANGEBY family; an emptied set is deleted', REMOVAL_TRANSCRIPT, 2],
    ['ZPOPMIN, ZPOPMAX, ZMPOP, BZPOPMIN, BZPOPMAX, BZMPOP served at once, in MULTI, and their errors', POPS_TRANSCRIPT, 2],
    ['ZUNION, ZINTER, ZDIFF, ZINTERCARD and the STORE forms, sets as inputs, WEIGHTS, AGGREGATE, inf', ALGEBRA_TRANSCRIPT, 2],
    ['ZSCAN of a listpack: one call, integer-form scores, options and errors', SCAN_TRANSCRIPT, 2],
    ['encodings: listpack -> skiplist at 129 members or a 65-byte member, never back; -0 in each', ENCODINGS_TRANSCRIPT, 2],
    ['ZRANDMEMBER: errors, bounds, and the cases without choice', RANDMEMBER_TRANSCRIPT, 2],
    ['RESP3: scores as doubles, [member, score] pairs, null replies', RESP3_TRANSCRIPT, 3],
  ];
  for (const [name, transcript, resp] of cases) test(name, () => playTranscript(transcript, resp));
});

describe('RESP3 double text', () => {
  test('a RESP3 score is a double reply; RESP2 prints it with %.17g', () => {
    const t = testEngine();
    const r2 = t.session();
    const r3 = t.session();
    r3.raw(['HELLO', '3']);
    r2.raw(['ZADD', 'z', '0.1', 'a', '-1e300', 'b']);
    assert.equal(wire(r2, 2, 'ZSCORE', 'z', 'a'), '$19\r\n0.10000000000000001\r\n');
    assert.equal(wire(r2, 2, 'ZSCORE', 'z', 'b'), '$24\r\n-1.0000000000000001e+300\r\n');
    // Redis 7.0 writes ",0.10000000000000001": the same double; the digits are the encoder's choice.
    for (const [member, value] of [['a', 0.1], ['b', -1e300]] as const) {
      const reply = r3.raw(['ZSCORE', 'z', member]);
      assert.equal(reply.k, ReplyKind.Double);
      assert.equal(reply.v, value);
    }
  });
});

describe('ZRANK / ZREVRANK WITHSCORE (Redis 7.2)', () => {
  test('the rank and the score, nil arrays when missing, Redis 7.2\'s errors', () => {
    const t = testEngine();
    const r2 = t.session();
    const r3 = t.session();
    r3.raw(['HELLO', '3']);
    r2.raw(['ZADD', 'z', '1', 'a', '2.5', 'b', '3', 'c']);
    r2.raw(['SET', 's', 'x']);
    const cases: Array<[string[], string, string]> = [
      [['ZRANK', 'z', 'b', 'WITHSCORE'], '*2\r\n:1\r\n$3\r\n2.5\r\n', '*2\r\n:1\r\n,2.5\r\n'],
      [['ZRANK', 'z', 'b', 'withscore'], '*2\r\n:1\r\n$3\r\n2.5\r\n', '*2\r\n:1\r\n,2.5\r\n'],
      [['ZREVRANK', 'z', 'a', 'WITHSCORE'], '*2\r\n:2\r\n$1\r\n1\r\n', '*2\r\n:2\r\n,1\r\n'],
      [['ZRANK', 'z', 'nosuch', 'WITHSCORE'], '*-1\r\n', '_\r\n'],
      [['ZRANK', 'nokey', 'a', 'WITHSCORE'], '*-1\r\n', '_\r\n'],
      [['ZRANK', 'nokey', 'a'], '$-1\r\n', '_\r\n'],
      [['ZRANK', 'z', 'b', 'WITHSCORES'], '-ERR syntax error\r\n', '-ERR syntax error\r\n'],
      [['ZRANK', 'z', 'b', 'WITHSCORE', 'x'], "-ERR wrong number of arguments for 'zrank' command\r\n", "-ERR wrong number of arguments for 'zrank' command\r\n"],
      [['ZREVRANK', 'z', 'b', 'WITHSCORE', 'x'], "-ERR wrong number of arguments for 'zrevrank' command\r\n", "-ERR wrong number of arguments for 'zrevrank' command\r\n"],
      [['ZRANK', 's', 'a', 'WITHSCORE'], '-WRONGTYPE Operation against a key holding the wrong kind of value\r\n', '-WRONGTYPE Operation against a key holding the wrong kind of value\r\n'],
    ];
    for (const [cmd, resp2, resp3] of cases) {
      assert.equal(wire(r2, 2, ...cmd), resp2, `RESP2 ${cmd.join(' ')}`);
      assert.equal(wire(r3, 3, ...cmd), resp3, `RESP3 ${cmd.join(' ')}`);
    }
  });

  test('ranks agree with the order on the skiplist encoding too', () => {
    const t = testEngine();
    t.run('ZADD', 'z', ...scoredMembers(1, 300).split(' '));
    assert.equal(t.run('OBJECT', 'ENCODING', 'z'), 'skiplist');
    for (const i of [1, 2, 150, 299, 300]) {
      assert.deepEqual(t.run('ZRANK', 'z', `m${i}`, 'WITHSCORE'), [i - 1, String(i)]);
      assert.deepEqual(t.run('ZREVRANK', 'z', `m${i}`), 300 - i);
    }
  });
});

describe('ZSCAN', () => {
  test('the skiplist encoding is walked with a cursor; scores print with %.17g; MATCH filters; COUNT bounds each step', () => {
    const t = testEngine();
    const args: string[] = [];
    for (let i = 0; i < 300; i++) args.push(String(i % 3 === 0 ? i / 10 : i * 1e15), `m${i}`);
    t.run('ZADD', 'z', ...args);
    assert.equal(t.run('OBJECT', 'ENCODING', 'z'), 'skiplist');
    // Each score as ZSCORE prints it in RESP2 (%.17g), which is how ZSCAN of a skiplist prints it.
    const expected = new Map<string, string>();
    for (let i = 0; i < 300; i++) expected.set(`m${i}`, t.run('ZSCORE', 'z', `m${i}`) as string);
    const seen = new Map<string, string>();
    let cursor = '0';
    let steps = 0;
    do {
      const [next, items] = t.run('ZSCAN', 'z', cursor, 'COUNT', '7') as [string, string[]];
      assert.ok(items.length <= 14, 'at most COUNT pairs per step');
      for (let i = 0; i < items.length; i += 2) seen.set(items[i]!, items[i + 1]!);
      cursor = next;
      steps++;
    } while (cursor !== '0');
    assert.ok(steps > 40);
    assert.deepEqual(new Map([...seen].sort()), new Map([...expected].sort()));
    assert.equal(expected.get('m1'), '1000000000000000');
    assert.equal(expected.get('m3'), '0.29999999999999999');
    const matched = new Set<string>();
    cursor = '0';
    do {
      const [next, items] = t.run('ZSCAN', 'z', cursor, 'MATCH', 'm1?', 'COUNT', '50') as [string, string[]];
      for (let i = 0; i < items.length; i += 2) matched.add(items[i]!);
      cursor = next;
    } while (cursor !== '0');
    assert.deepEqual([...matched].sort(), ['m10', 'm11', 'm12', 'm13', 'm14', 'm15', 'm16', 'm17', 'm18', 'm19']);
  });

  test('listpack scores print as Redis stores them: integers within ±2^62 as integers, others with %.17g', () => {
    assert.equal(listpackScoreText(123456789012345678), '123456789012345680');
    assert.equal(listpackScoreText(2 ** 62), '4611686018427387904');
    assert.equal(listpackScoreText(-(2 ** 62)), '-4611686018427387904');
    assert.equal(listpackScoreText(2 ** 63), '9.2233720368547758e+18');
    assert.equal(listpackScoreText(1e20), '1e+20');
    assert.equal(listpackScoreText(0.1), '0.10000000000000001');
    assert.equal(listpackScoreText(Infinity), 'inf');
    assert.equal(listpackScoreText(-Infinity), '-inf');
  });

  test('property: a member present for the whole scan is returned, while the set grows, shrinks, rescores and converts', () => {
    const op = fc.oneof(
      fc.record({ kind: fc.constant('add' as const), members: fc.array(fc.integer({ min: 0, max: 900 }), { minLength: 1, maxLength: 40 }) }),
      fc.record({ kind: fc.constant('long' as const), n: fc.integer({ min: 0, max: 3 }) }),
      fc.record({ kind: fc.constant('remove' as const), members: fc.array(fc.integer({ min: 0, max: 900 }), { minLength: 1, maxLength: 40 }) }),
      fc.record({ kind: fc.constant('rescore' as const), member: fc.integer({ min: 0, max: 900 }), by: fc.integer({ min: -50, max: 50 }) }),
    );
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.integer({ min: 0, max: 900 }), { minLength: 1, maxLength: 400, size: 'max' }),
        fc.array(fc.tuple(fc.integer({ min: 1, max: 25 }), fc.array(op, { maxLength: 3 })), { maxLength: 200, size: 'max' }),
        (initial, steps) => {
          const t = testEngine();
          const stable = new Set(initial.map((n) => `s${n}`));
          t.run('ZADD', 'z', ...[...stable].flatMap((m, i) => [String(i), m]));
          const everSeen = new Set<string>(stable);
          const returned = new Set<string>();
          let cursor = '0';
          for (let i = 0; ; i++) {
            const [count, ops] = steps[i] ?? [10, []];
            const [next, batch] = t.run('ZSCAN', 'z', cursor, 'COUNT', String(count)) as [string, string[]];
            for (let j = 0; j < batch.length; j += 2) {
              assert.ok(everSeen.has(batch[j]!), `phantom member ${batch[j]}`);
              returned.add(batch[j]!);
            }
            cursor = next;
            if (cursor === '0') break;
            for (const o of ops) {
              if (o.kind === 'add') {
                const ms = o.members.map((n) => `v${n}`);
                t.run('ZADD', 'z', ...ms.flatMap((m, k) => [String(k), m]));
                for (const m of ms) everSeen.add(m);
              } else if (o.kind === 'long') {
                const m = 'L'.repeat(65 + o.n); // converts a listpack
                t.run('ZADD', 'z', '1', m);
                everSeen.add(m);
              } else if (o.kind === 'remove') {
                t.run('ZREM', 'z', ...o.members.map((n) => `v${n}`));
              } else {
                t.run('ZINCRBY', 'z', String(o.by), `s${o.member}`);
                everSeen.add(`s${o.member}`); // may create a new member; the stable ones just move
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

describe('ZRANDMEMBER', () => {
  function fill(t: TestEngine, key: string, n: number, long = false): void {
    t.run('ZADD', key, ...scoredMembers(1, n).split(' '));
    if (long) t.run('ZADD', key, '0', 'L'.repeat(70));
  }

  test('distinct members for a positive count, in every case of Redis\'s algorithm and both encodings', () => {
    const t = testEngine();
    fill(t, 'small', 20);
    fill(t, 'big', 200);
    fill(t, 'tiny', 5, true); // 6 members, skiplist
    assert.equal(t.run('OBJECT', 'ENCODING', 'small'), 'listpack');
    assert.equal(t.run('OBJECT', 'ENCODING', 'tiny'), 'skiplist');
    for (const [key, size] of [['small', 20], ['big', 200], ['tiny', 6]] as const) {
      for (const count of [1, 2, Math.floor(size / 3), Math.floor(size / 3) + 1, size - 1, size, size + 5]) {
        const picks = t.run('ZRANDMEMBER', key, String(count), 'WITHSCORES') as string[];
        const members = picks.filter((_x, i) => i % 2 === 0);
        assert.equal(members.length, Math.min(count, size), `${key} ${count}`);
        assert.equal(new Set(members).size, members.length, `${key} ${count}: distinct`);
        for (let i = 0; i < picks.length; i += 2) assert.equal(picks[i + 1], t.run('ZSCORE', key, picks[i]!), `${key}: score of ${picks[i]}`);
      }
      // The whole set comes from the highest score down, as Redis walks it.
      const all = t.run('ZRANDMEMBER', key, String(size)) as string[];
      assert.deepEqual(all, (t.run('ZRANGE', key, '0', '-1', 'REV') as string[]));
    }
  });

  test('a negative count gives exactly that many picks, repeats allowed, about uniformly', () => {
    const t = testEngine();
    fill(t, 'z', 10);
    fill(t, 'big', 150);
    for (const key of ['z', 'big']) {
      const picks = t.run('ZRANDMEMBER', key, '-5000') as string[];
      assert.equal(picks.length, 5000);
      const counts = new Map<string, number>();
      for (const p of picks) counts.set(p, (counts.get(p) ?? 0) + 1);
      const size = key === 'z' ? 10 : 150;
      assert.ok(counts.size <= size);
      if (key === 'z') for (const c of counts.values()) assert.ok(c > 350 && c < 650, `count ${c} out of a uniform range`);
    }
    const withScores = t.run('ZRANDMEMBER', 'z', '-3', 'WITHSCORES') as string[];
    assert.equal(withScores.length, 6);
  });

  test('picks come from the seeded generator: the same seed gives the same picks; nothing is logged', () => {
    const a = testEngine({ seed: 5 });
    const b = testEngine({ seed: 5 });
    for (const t of [a, b]) fill(t, 'z', 50);
    takeEffects(a);
    const pa = [a.run('ZRANDMEMBER', 'z'), a.run('ZRANDMEMBER', 'z', '7'), a.run('ZRANDMEMBER', 'z', '-7', 'WITHSCORES'), a.run('ZRANDMEMBER', 'z', '30')];
    const pb = [b.run('ZRANDMEMBER', 'z'), b.run('ZRANDMEMBER', 'z', '7'), b.run('ZRANDMEMBER', 'z', '-7', 'WITHSCORES'), b.run('ZRANDMEMBER', 'z', '30')];
    assert.deepEqual(pa, pb);
    assert.deepEqual(takeEffects(a), []);
  });

  test('a negative count beyond Cairn\'s reply bound is refused (Redis has no bound); a missing key is still empty', () => {
    const t = testEngine();
    fill(t, 'z', 3);
    const over = String(-(limits.randomPickReplyMax + 1));
    assert.deepEqual(t.run('ZRANDMEMBER', 'z', over), {
      error: `ERR count is out of range, a reply may hold at most ${limits.randomPickReplyMax} random elements`,
    });
    assert.deepEqual(t.run('ZRANDMEMBER', 'nokey', over), []);
    assert.equal((t.run('ZRANDMEMBER', 'z', String(-limits.randomPickReplyMax)) as string[]).length, limits.randomPickReplyMax);
  });
});

describe('blocking pops', () => {
  test('BZPOPMIN waits, is served by a ZADD from another client, and is logged as ZPOPMIN', () => {
    const t = testEngine();
    const waiter = t.session();
    const writer = t.session();
    assert.equal(waiter.raw(['BZPOPMIN', 'a', 'z', '0']), BLOCKED);
    takeEffects(t);
    writer.raw(['ZADD', 'z', '2', 'y', '1', 'x']);
    assert.deepEqual(waiter.takeUnblocked().map((r) => decodeReply(r, false)), [['z', 'x', '1']]);
    assert.deepEqual(takeEffects(t), [['ZADD', 'z', '2', 'y', '1', 'x'], ['ZPOPMIN', 'z']]);
    assert.deepEqual(t.run('ZRANGE', 'z', '0', '-1'), ['y']);
  });

  test('waiters are served oldest first; a pop that empties the set deletes it and the next keeps waiting', () => {
    const t = testEngine();
    const first = t.session();
    const second = t.session();
    assert.equal(first.raw(['BZPOPMAX', 'z', '0']), BLOCKED);
    assert.equal(second.raw(['BZPOPMAX', 'z', '0']), BLOCKED);
    t.run('ZADD', 'z', '5', 'only');
    assert.deepEqual(first.takeUnblocked().map((r) => decodeReply(r, false)), [['z', 'only', '5']]);
    assert.deepEqual(second.takeUnblocked(), []);
    assert.equal(t.run('EXISTS', 'z'), 0);
    t.run('ZADD', 'z', '1', 'a', '2', 'b');
    assert.deepEqual(second.takeUnblocked().map((r) => decodeReply(r, false)), [['z', 'b', '2']]);
  });

  test('BZMPOP is served with up to COUNT members and logged as ZPOPMIN/ZPOPMAX key count', () => {
    const t = testEngine();
    const waiter = t.session();
    assert.equal(waiter.raw(['BZMPOP', '0', '2', 'p', 'q', 'MAX', 'COUNT', '5']), BLOCKED);
    takeEffects(t);
    t.run('ZADD', 'q', '1', 'a', '2', 'b');
    assert.deepEqual(waiter.takeUnblocked().map((r) => decodeReply(r, false)), [['q', [['b', '2'], ['a', '1']]]]);
    assert.deepEqual(takeEffects(t), [['ZADD', 'q', '1', 'a', '2', 'b'], ['ZPOPMAX', 'q', '2']]);
  });

  test('a timeout answers a nil array; a fractional timeout counts in milliseconds, rounded up', () => {
    const t = testEngine();
    const waiter = t.session();
    assert.equal(waiter.raw(['BZPOPMIN', 'z', '0.0015']), BLOCKED);
    t.clock.advance(1);
    t.engine.cron();
    assert.deepEqual(waiter.takeUnblocked(), []);
    t.clock.advance(1);
    t.engine.cron();
    const [reply] = waiter.takeUnblocked();
    assert.equal(encode(reply!, 2).toString('latin1'), '*-1\r\n');
    assert.equal(waiter.raw(['BZMPOP', '1', '1', 'z', 'MIN']), BLOCKED);
    t.clock.advance(1000);
    t.engine.cron();
    assert.equal(encode(waiter.takeUnblocked()[0]!, 3).toString('latin1'), '_\r\n');
  });

  test('served at once, the pops are logged as the non-blocking pop; ZMPOP as ZPOPMIN/ZPOPMAX key count', () => {
    const t = testEngine();
    t.run('ZADD', 'z', '1', 'a', '2', 'b', '3', 'c', '4', 'd');
    takeEffects(t);
    t.run('BZPOPMIN', 'nokey', 'z', '0');
    t.run('BZPOPMAX', 'z', '0');
    t.run('BZMPOP', '0', '1', 'z', 'MIN', 'COUNT', '1');
    t.run('ZMPOP', '1', 'z', 'MAX', 'COUNT', '10');
    assert.deepEqual(takeEffects(t), [['ZPOPMIN', 'z'], ['ZPOPMAX', 'z'], ['ZPOPMIN', 'z', '1'], ['ZPOPMAX', 'z', '1']]);
    assert.equal(t.run('EXISTS', 'z'), 0);
  });
});

describe('keyspace events', () => {
  test('each write fires Redis\'s events, in Redis\'s order (recorded from redis-server 7.0.15)', () => {
    const t = testEngine({ config: { 'notify-keyspace-events': 'Ezg' } });
    const listener = t.session();
    listener.raw(['PSUBSCRIBE', '__keyevent@0__:*']);
    listener.takePushed();
    const commands = [
      'ZADD z 1 a 2 b', 'ZADD z 1 a', 'ZADD z CH 5 a', 'ZINCRBY z 1 a', 'ZADD z INCR 1 b', 'ZADD z NX 1 a', 'ZREM z nosuch', 'ZREM z a',
      'ZADD z 3 c 4 d 5 e', 'ZREMRANGEBYRANK z 0 0', 'ZREMRANGEBYSCORE z 3 3', 'ZREMRANGEBYLEX z [d [d', 'ZREMRANGEBYSCORE z 100 200', 'ZPOPMIN z',
      'ZADD z 1 a 2 b 3 c', 'ZPOPMAX z 2', 'ZMPOP 1 z MIN COUNT 5', 'ZADD y 1 a', 'BZPOPMAX y 0', 'ZADD y 1 a 2 b', 'BZMPOP 0 1 y MIN COUNT 1',
      'ZUNIONSTORE d 1 y', 'ZINTERSTORE d 1 y', 'ZDIFFSTORE d 1 y', 'ZRANGESTORE d y 0 -1', 'ZRANGESTORE d y 5 6', 'ZUNIONSTORE d 1 nokey', 'ZREM y b',
      'ZADD w 1 a', 'ZREMRANGEBYRANK w 0 -1', 'ZADD v 1 a', 'ZADD v INCR -1 a', 'ZADD v XX 5 nosuch',
    ];
    for (const c of commands) t.run(...c.split(' '));
    const fired = listener.takePushed().map((r) => {
      const [, , channel, key] = decodeReply(r, false) as string[];
      return `${channel!.slice('__keyevent@0__:'.length)} ${key}`;
    });
    assert.deepEqual(fired, [
      'zadd z', 'zadd z', 'zincr z', 'zincr z', 'zrem z', 'zadd z', 'zremrangebyrank z', 'zremrangebyscore z', 'zremrangebylex z', 'zpopmin z',
      'del z', 'zadd z', 'zpopmax z', 'zpopmin z', 'del z', 'zadd y', 'zpopmax y', 'del y', 'zadd y', 'zpopmin y', 'zunionstore d', 'zinterstore d',
      'zdiffstore d', 'zrangestore d', 'del d', 'zrem y', 'del y', 'zadd w', 'zremrangebyrank w', 'del w', 'zadd v', 'zincr v',
    ]);
  });
});

describe('WATCH', () => {
  test('a real change breaks the transaction; a write that changes nothing does not', () => {
    const t = testEngine();
    t.run('ZADD', 'z', '1', 'a', '2', 'b');
    const noops = [['ZADD', 'z', '1', 'a'], ['ZADD', 'z', 'NX', '5', 'a'], ['ZADD', 'z', 'XX', '5', 'new'], ['ZREM', 'z', 'nosuch'],
      ['ZREMRANGEBYSCORE', 'z', '10', '20'], ['ZPOPMIN', 'z', '0'], ['ZADD', 'z', 'GT', '0', 'b'], ['ZUNIONSTORE', 'z2', '1', 'nokey']];
    for (const noop of noops) {
      const s = t.session();
      s.raw(['WATCH', 'z', 'z2']);
      t.run(...noop);
      s.raw(['MULTI']);
      s.raw(['PING']);
      assert.equal(encode(s.raw(['EXEC']), 2).toString('latin1'), '*1\r\n+PONG\r\n', noop.join(' '));
    }
    const changes = [['ZADD', 'z', '3', 'a'], ['ZINCRBY', 'z', '1', 'b'], ['ZREM', 'z', 'a'], ['ZPOPMAX', 'z'], ['ZADD', 'z', '1', 'n'],
      ['ZREMRANGEBYRANK', 'z', '0', '0'], ['ZUNIONSTORE', 'z', '1', 'z'], ['BZPOPMIN', 'z', '0']];
    for (const change of changes) {
      t.run('ZADD', 'z', '1', 'keep', '2', 'keep2');
      const s = t.session();
      s.raw(['WATCH', 'z']);
      t.run(...change);
      s.raw(['MULTI']);
      s.raw(['PING']);
      assert.equal(encode(s.raw(['EXEC']), 2).toString('latin1'), '*-1\r\n', change.join(' '));
    }
  });
});

describe('effects', () => {
  test('writes that change nothing log nothing', () => {
    const t = testEngine();
    t.run('ZADD', 'z', '1', 'a');
    takeEffects(t);
    for (const c of ['ZADD z 1 a', 'ZADD nokey XX 1 a', 'ZREM z nosuch', 'ZREM nokey a', 'ZPOPMIN nokey', 'ZPOPMIN z 0', 'ZMPOP 1 nokey MIN',
      'ZREMRANGEBYSCORE z 5 6', 'ZREMRANGEBYLEX z [x [y', 'ZREMRANGEBYRANK z 3 4', 'ZUNIONSTORE d 1 nokey', 'ZRANGESTORE d z 5 6', 'ZADD z GT 0 a', 'ZINCRBY z 0 a']) {
      t.run(...c.split(' '));
    }
    assert.deepEqual(takeEffects(t), []);
  });

  test('property: replaying the logged effects gives the same sorted sets, scores, encodings and TTLs', () => {
    const KEYS = ['z', 'y', 'w', 's', 'str'];
    const key = fc.constantFrom(...KEYS);
    const member = fc.oneof(
      { weight: 6, arbitrary: fc.integer({ min: 0, max: 12 }).map((n) => `m${n}`) },
      { weight: 1, arbitrary: fc.constant('L'.repeat(70)) },
    );
    const score = fc.constantFrom('1', '2', '-1', '0', '-0', '1.5', '0.1', 'inf', '-inf', '1e-5', '3', '1e300');
    const pair = fc.tuple(score, member);
    const zaddOpts = fc.subarray(['NX', 'XX', 'GT', 'LT', 'CH']);
    const command = fc.oneof(
      { weight: 5, arbitrary: fc.tuple(key, zaddOpts, fc.array(pair, { minLength: 1, maxLength: 6 })).map(([k, o, ps]) => ['ZADD', k, ...o, ...ps.flat()]) },
      { weight: 1, arbitrary: fc.tuple(key, fc.integer({ min: 0, max: 200 })).map(([k, n]) => ['ZADD', k, ...scoredMembers(n, n + 130).split(' ')]) },
      { weight: 2, arbitrary: fc.tuple(key, zaddOpts, pair).map(([k, o, p]) => ['ZADD', k, 'INCR', ...o, ...p]) },
      { weight: 2, arbitrary: fc.tuple(key, pair).map(([k, p]) => ['ZINCRBY', k, ...p]) },
      { weight: 2, arbitrary: fc.tuple(key, fc.array(member, { minLength: 1, maxLength: 5 })).map(([k, ms]) => ['ZREM', k, ...ms]) },
      { weight: 2, arbitrary: fc.tuple(fc.constantFrom('ZPOPMIN', 'ZPOPMAX'), key, fc.option(fc.integer({ min: 0, max: 6 }).map(String))).map(([c, k, n]) => (n === null ? [c, k] : [c, k, n])) },
      { weight: 1, arbitrary: fc.tuple(key, key, fc.constantFrom('MIN', 'MAX'), fc.integer({ min: 1, max: 200 })).map(([a, b, w, n]) => ['ZMPOP', '2', a, b, w, 'COUNT', String(n)]) },
      { weight: 1, arbitrary: fc.tuple(fc.constantFrom('BZPOPMIN', 'BZPOPMAX'), key, key).map(([c, a, b]) => [c, a, b, '0']) },
      { weight: 1, arbitrary: fc.tuple(key, fc.constantFrom('MIN', 'MAX'), fc.integer({ min: 1, max: 5 })).map(([k, w, n]) => ['BZMPOP', '0', '1', k, w, 'COUNT', String(n)]) },
      { weight: 1, arbitrary: fc.tuple(key, fc.integer({ min: -5, max: 5 }), fc.integer({ min: -5, max: 5 })).map(([k, a, b]) => ['ZREMRANGEBYRANK', k, String(a), String(b)]) },
      { weight: 1, arbitrary: fc.tuple(key, score, score).map(([k, a, b]) => ['ZREMRANGEBYSCORE', k, a, `(${b}`]) },
      { weight: 1, arbitrary: fc.tuple(key, member, member).map(([k, a, b]) => ['ZREMRANGEBYLEX', k, `[${a}`, `(${b}`]) },
      { weight: 1, arbitrary: fc.tuple(key, key, fc.constantFrom(['0', '-1'], ['1', '3', 'REV'], ['-inf', '2', 'BYSCORE'], ['-', '[m5', 'BYLEX'])).map(([d, s, r]) => ['ZRANGESTORE', d, s, ...r]) },
      {
        weight: 2,
        arbitrary: fc.tuple(fc.constantFrom('ZUNIONSTORE', 'ZINTERSTORE', 'ZDIFFSTORE'), key, key, key, fc.constantFrom([], ['WEIGHTS', '2', '-1'], ['AGGREGATE', 'MAX'], ['WEIGHTS', '0', 'inf', 'AGGREGATE', 'MIN']))
          .map(([c, d, a, b, o]) => [c, d, '2', a, b, ...(c === 'ZDIFFSTORE' ? [] : o)]),
      },
      { weight: 1, arbitrary: fc.tuple(key, fc.integer({ min: -4, max: 4 })).map(([k, n]) => ['ZRANDMEMBER', k, String(n)]) },
      { weight: 1, arbitrary: fc.tuple(fc.array(member, { minLength: 1, maxLength: 4 })).map(([ms]) => ['SADD', 's', ...ms]) },
      { weight: 1, arbitrary: fc.constantFrom(['SET', 'str', 'v'], ['DEL', 'z'], ['EXPIRE', 'y', '2'], ['MULTI'], ['EXEC'], ['ADVANCE'], ['COPY', 'z', 'w', 'REPLACE']) },
    );
    fc.assert(
      fc.property(fc.array(command, { minLength: 1, maxLength: 60, size: 'max' }), (cmds) => {
        const source = testEngine({ seed: 3 });
        const replica = testEngine({ seed: 77 });
        const client = nonBlockingSession(source);
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
            client.raw(c);
          }
          replica.engine.ks.now = replica.clock.nowMs();
          catchUp();
        }
        client.raw(['EXEC']);
        catchUp();
        source.engine.ks.now = source.clock.nowMs();
        replica.engine.ks.now = replica.clock.nowMs();
        assert.equal(keyspaceDigest(replica.engine.ks), keyspaceDigest(source.engine.ks));
        assert.deepEqual(exactState(replica.engine.ks), exactState(source.engine.ks));
        for (const db of source.engine.ks.dbs) {
          for (const e of db.entries.values()) if (e.type === 'zset') (e.value as ZSet).checkInvariants();
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe('DUMP, RESTORE and COPY', () => {
  test('golden bytes: tag 4, member count, then each member and its score as a little-endian double, in order', () => {
    const z = ZSet.empty();
    z.insert('b', 2.5);
    z.insert('a', 1);
    assert.equal(hex(dumpValue('zset', z)), '04' + '02' + '0161' + '000000000000f03f' + '0162' + '0000000000000440' + '0100' + crcHex('04020161000000000000f03f016200000000000004400100'));
    // The skiplist encoding dumps the same way, and keeps a -0 score's sign bit.
    const big = ZSet.fromSorted(Array.from({ length: 130 }, (_v, i) => `m${String(i).padStart(3, '0')}`), Array.from({ length: 130 }, () => -0));
    assert.equal(big.encoding, 'skiplist');
    const body = hex(dumpValue('zset', big));
    assert.ok(body.startsWith('04' + '8201' + '046d303030' + '0000000000000080'), body.slice(0, 40));
  });

  test('round trips keep members, scores and encodings; RESTORE picks the encoding as Redis\'s loader does', () => {
    const t = testEngine();
    const s = t.session();
    t.run('ZADD', 'lp', '0.1', 'a', '-inf', 'b', '1e300', 'c');
    t.run('ZADD', 'sl', ...scoredMembers(1, 200).split(' '));
    t.run('ZADD', 'shrunk', ...scoredMembers(1, 200).split(' '));
    t.run('ZADD', 'shrunk', '-0', 'negz');
    t.run('ZREMRANGEBYRANK', 'shrunk', '10', '-1');
    assert.equal(t.run('OBJECT', 'ENCODING', 'shrunk'), 'skiplist');
    assert.equal(t.run('ZSCORE', 'shrunk', 'negz'), '-0');
    for (const [key, encoding] of [['lp', 'listpack'], ['sl', 'skiplist'], ['shrunk', 'listpack']] as const) {
      const payload = t.raw('DUMP', key).v as string;
      assert.equal(s.command('RESTORE', `${key}.copy`, '0', Buffer.from(payload, 'latin1')), 'OK');
      assert.equal(t.run('OBJECT', 'ENCODING', `${key}.copy`), encoding, key);
      assert.deepEqual(t.run('ZRANGE', `${key}.copy`, '0', '-1', 'WITHSCORES'), key === 'shrunk'
        ? (t.run('ZRANGE', key, '0', '-1', 'WITHSCORES') as string[]).map((x) => (x === '-0' ? '0' : x))
        : t.run('ZRANGE', key, '0', '-1', 'WITHSCORES'), key);
      zsetAt(t, `${key}.copy`).checkInvariants();
    }
    // A compact set loses the sign of a zero score, as a listpack stores it as the integer 0.
    assert.equal(t.run('ZSCORE', 'shrunk.copy', 'negz'), '0');
  });

  test('malformed bodies are refused: empty, NaN score, out of order, a repeated member, truncation', () => {
    const t = testEngine();
    const s = t.session();
    const one = '000000000000f03f';
    const two = '0000000000000040';
    const nan = '000000000000f87f';
    const bodies = [
      '0400', `040101610000`, `040101${'61'}${nan}`, `04020162${two}0161${one}`, `04020161${one}0161${one}`, `04020161${two}0161${one}`,
      `04020161${one}0162${one}`.slice(0, -2), `04030161${one}0162${two}`,
    ];
    for (const body of bodies) {
      const r = s.raw(['RESTORE', 'k', '0', Buffer.from(withTrailer(Buffer.from(body, 'hex').toString('latin1')), 'latin1')]);
      assert.equal(r.k, ReplyKind.Error, body);
      assert.equal(r.v, 'ERR Bad data format', body);
    }
    // The same member twice under two scores, in order by score.
    const r = s.raw(['RESTORE', 'k', '0', Buffer.from(withTrailer(Buffer.from(`04020161${one}0161${two}`, 'hex').toString('latin1')), 'latin1')]);
    assert.equal(r.v, 'ERR Bad data format');
    assert.equal(t.run('EXISTS', 'k'), 0);
    // A well-formed body restores.
    assert.equal(s.command('RESTORE', 'k', '0', Buffer.from(withTrailer(Buffer.from(`04020161${one}0162${two}`, 'hex').toString('latin1')), 'latin1')), 'OK');
    assert.deepEqual(t.run('ZRANGE', 'k', '0', '-1', 'WITHSCORES'), ['a', '1', 'b', '2']);
  });

  test('ZSet.clone keeps the encoding (Redis zsetDup) and shares nothing', () => {
    const shrunk = ZSet.fromSorted(Array.from({ length: 200 }, (_v, i) => `m${String(i).padStart(3, '0')}`), Array.from({ length: 200 }, (_v, i) => i));
    shrunk.removeRankRange(0, 189);
    const small = ZSet.empty();
    small.insert('a', 1);
    for (const z of [shrunk, small]) {
      const copy = z.clone();
      assert.equal(copy.encoding, z.encoding);
      assert.deepEqual(copy.toArrays(), z.toArrays());
      copy.insert('new', 5);
      copy.checkInvariants();
      assert.equal(z.score('new'), undefined);
    }
    assert.equal(shrunk.clone().encoding, 'skiplist');
  });

  test('COPY makes an independent sorted set', () => {
    const t = testEngine();
    t.run('ZADD', 'z', '1', 'a', '2', 'b');
    assert.equal(t.run('COPY', 'z', 'c'), 1);
    t.run('ZADD', 'c', '3', 'x');
    t.run('ZREM', 'z', 'a');
    assert.deepEqual(t.run('ZRANGE', 'z', '0', '-1'), ['b']);
    assert.deepEqual(t.run('ZRANGE', 'c', '0', '-1'), ['a', 'b', 'x']);
  });
});

/** CRC-64/Jones of a hex body, as the 8 trailer bytes in hex. */
function crcHex(bodyHex: string): string {
  const [hi, lo] = crc64(Buffer.from(bodyHex, 'hex').toString('latin1'));
  let out = '';
  for (let i = 0; i < 4; i++) out += ((lo >>> (8 * i)) & 0xff).toString(16).padStart(2, '0');
  for (let i = 0; i < 4; i++) out += ((hi >>> (8 * i)) & 0xff).toString(16).padStart(2, '0');
  return out;
}

/** A DUMP payload around a hand-made body: format version 1 and the CRC-64/Jones trailer. */
function withTrailer(body: string): string {
  const versioned = body + '\x01\x00';
  return versioned + Buffer.from(crcHex(hex(versioned)), 'hex').toString('latin1');
}

describe('the sorted-set structure', () => {
  type ModelEntry = [member: string, score: number];
  const byOrder = (a: ModelEntry, b: ModelEntry): number => compareEntries(a[1], a[0], b[1], b[0]);

  test('property: ZSet behaves as a sorted array through inserts, rescoring, removals and queries, across the conversion', () => {
    const member = fc.oneof(
      { weight: 12, arbitrary: fc.integer({ min: 0, max: 199 }).map((n) => `m${n}`) },
      { weight: 1, arbitrary: fc.integer({ min: 0, max: 4 }).map((n) => 'L'.repeat(62 + n)) }, // 62..66 bytes
    );
    const score = fc.oneof(
      fc.constantFrom(0, -0, 1, -1, 2.5, Infinity, -Infinity, 1e-300, 5e-324),
      fc.integer({ min: -20, max: 20 }),
      fc.double({ noNaN: true }),
    );
    const op = fc.oneof(
      { weight: 8, arbitrary: fc.record({ kind: fc.constant('set' as const), member, score }) },
      { weight: 3, arbitrary: fc.record({ kind: fc.constant('remove' as const), member }) },
      { weight: 1, arbitrary: fc.record({ kind: fc.constant('removeRange' as const), a: fc.nat(300), b: fc.nat(300) }) },
      { weight: 1, arbitrary: fc.record({ kind: fc.constant('bulk' as const), from: fc.nat(200), n: fc.nat(140) }) },
      { weight: 3, arbitrary: fc.record({ kind: fc.constant('query' as const), pick: fc.nat(), x: score, reverse: fc.boolean() }) },
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 150, size: 'max' }), (ops) => {
        const z = ZSet.empty();
        let model: ModelEntry[] = [];
        let mustBeSkiplist = false;
        const put = (m: string, s: number): void => {
          const i = model.findIndex((e) => e[0] === m);
          if (i >= 0) {
            z.rescore(m, z.score(m)!, s);
            model.splice(i, 1);
          } else {
            if (model.length + 1 > limits.zsetMaxListpackEntries || m.length > limits.zsetMaxListpackValue) mustBeSkiplist = true;
            z.insert(m, s);
          }
          model.push([m, s]);
          model.sort(byOrder);
        };
        for (const o of ops) {
          if (o.kind === 'set') {
            put(o.member, o.score);
          } else if (o.kind === 'bulk') {
            for (let i = 0; i < o.n; i++) put(`m${o.from + i}`, i);
          } else if (o.kind === 'remove') {
            const i = model.findIndex((e) => e[0] === o.member);
            assert.equal(z.remove(o.member), i >= 0);
            if (i >= 0) model.splice(i, 1);
          } else if (o.kind === 'removeRange') {
            if (model.length > 0) {
              const a = Math.min(o.a, o.b) % model.length;
              const b = Math.min(Math.max(o.a, o.b), model.length - 1);
              assert.equal(z.removeRankRange(a, b), b - a + 1);
              model.splice(a, b - a + 1);
            }
          } else if (model.length > 0) {
            // Point queries on one member, a rank walk, and a score boundary.
            const [m, s] = model[o.pick % model.length]!;
            const rank = model.findIndex((e) => e[0] === m);
            assert.equal(z.rank(m), rank);
            assert.equal(sameZero(z.score(m)!), sameZero(s));
            assert.deepEqual(z.entryAt(rank).map((v) => (typeof v === 'number' ? sameZero(v) : v)), [m, sameZero(s)]);
            const walked: ModelEntry[] = [];
            z.walk(rank, o.reverse, (wm, ws) => {
              walked.push([wm, sameZero(ws)]);
              return walked.length < 10;
            });
            const expected = (o.reverse ? model.slice(Math.max(0, rank - 9), rank + 1).reverse() : model.slice(rank, rank + 10)).map(([em, es]) => [em, sameZero(es)]);
            assert.deepEqual(walked, expected);
            assert.equal(z.countWhile((ws) => ws < o.x), model.filter((e) => e[1] < o.x).length);
            assert.equal(z.countWhile((ws, wm) => compareEntries(ws, wm, s, m) <= 0), rank + 1);
          }
          assert.equal(z.size, model.length);
          assert.equal(z.encoding, mustBeSkiplist ? 'skiplist' : 'listpack');
          z.checkInvariants();
          assert.equal(z.score('never-there'), undefined);
          assert.equal(z.rank('never-there'), -1);
        }
        const { members, scores } = z.toArrays();
        assert.deepEqual(members, model.map((e) => e[0]));
        assert.deepEqual(scores.map(sameZero), model.map((e) => sameZero(e[1])));
        for (let i = 0; i < model.length; i++) assert.equal(z.rank(model[i]![0]), i);
      }),
      { numRuns: 250 },
    );
  });

  test('OrderTree: tens of thousands of random inserts and deletes keep every invariant, rank and range', () => {
    const rng = new Rng(20240611);
    const tree = new OrderTree();
    const model: ModelEntry[] = [];
    const present = new Set<string>();
    const search = (e: ModelEntry): number => {
      let lo = 0;
      let hi = model.length;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (byOrder(model[mid]!, e) < 0) lo = mid + 1;
        else hi = mid;
      }
      return lo;
    };
    for (let step = 0; step < 40000; step++) {
      const growing = step < 20000 ? 0.75 : 0.25;
      if (model.length === 0 || rng.nextFloat() < growing) {
        const m = `k${rng.below(60000)}`;
        if (present.has(m)) continue;
        const s = rng.below(50) - 25; // many equal scores: the member decides
        tree.insert(s, m);
        model.splice(search([m, s]), 0, [m, s]);
        present.add(m);
      } else {
        const [m, s] = model[rng.below(model.length)]!;
        assert.equal(tree.delete(s, m), true);
        assert.equal(tree.delete(s, m), false);
        model.splice(search([m, s]), 1);
        present.delete(m);
      }
      if (step % 2500 === 0 || step === 39999) {
        tree.checkInvariants();
        assert.equal(tree.size, model.length);
        const { members, scores } = tree.toArrays();
        assert.deepEqual(members, model.map((e) => e[0]));
        assert.deepEqual(scores, model.map((e) => e[1]));
        for (let k = 0; k < 200 && model.length > 0; k++) {
          const r = rng.below(model.length);
          const [m, s] = model[r]!;
          assert.equal(tree.rankOf(s, m), r);
          const c = tree.cursorAt(r);
          assert.equal(tree.memberAt(c), m);
          const x = rng.below(50) - 25;
          assert.equal(tree.countWhile((ts) => ts < x), search(['', x]));
        }
      }
    }
  });

  test('OrderTree.fromSorted builds a valid tree of any size; cursors walk it both ways', () => {
    for (const n of [0, 1, 63, 64, 65, 128, 129, 4095, 4096, 4097, 10000]) {
      const members = Array.from({ length: n }, (_v, i) => `m${String(i).padStart(6, '0')}`);
      const scores = members.map(() => 1);
      const tree = OrderTree.fromSorted(members, scores);
      tree.checkInvariants();
      assert.equal(tree.size, n);
      if (n === 0) continue;
      const c = tree.cursorAt(0);
      let count = 0;
      while (c.leaf !== null) {
        assert.equal(tree.memberAt(c), members[count]);
        tree.forward(c);
        count++;
      }
      assert.equal(count, n);
      const back = tree.cursorAt(n - 1);
      count = 0;
      while (back.leaf !== null) {
        assert.equal(tree.memberAt(back), members[n - 1 - count]);
        tree.backward(back);
        count++;
      }
      assert.equal(count, n);
    }
  });

  test('removing rank ranges of every size, by deletions or by a rebuild, keeps the halves in step', () => {
    for (const [size, start, end] of [[1000, 0, 999], [1000, 10, 20], [1000, 0, 300], [1000, 700, 999], [300, 150, 150], [5000, 100, 4000]] as const) {
      const z = ZSet.fromSorted(Array.from({ length: size }, (_v, i) => `m${String(i).padStart(5, '0')}`), Array.from({ length: size }, (_v, i) => i));
      assert.equal(z.removeRankRange(start, end), end - start + 1);
      z.checkInvariants();
      const kept = Array.from({ length: size }, (_v, i) => i).filter((i) => i < start || i > end);
      const { members, scores } = z.toArrays();
      assert.deepEqual(scores, kept);
      assert.deepEqual(members, kept.map((i) => `m${String(i).padStart(5, '0')}`));
      for (let i = start; i <= end; i++) assert.equal(z.score(`m${String(i).padStart(5, '0')}`), undefined);
    }
  });

  test('score arguments follow getDoubleFromObject: overflow and underflow refused, denormals and hex kept', () => {
    const cases: Array<[string, number | null]> = [
      ['1', 1], ['-1.5', -1.5], ['+2', 2], ['.5', 0.5], ['5.', 5], ['1e3', 1000], ['1E-3', 0.001], ['0x10', 16], ['0x1p-2', 0.25], ['0X.8', 0.5],
      ['inf', Infinity], ['-INF', -Infinity], ['+Infinity', Infinity], ['1e308', 1e308], ['1e-310', 1e-310], ['0e-999', 0], ['-0', -0],
      ['nan', null], ['NaN', null], ['1e309', null], ['-1e400', null], ['1e-400', null], ['', null], [' 1', null], ['1 ', null], ['1\x00', null],
      ['0x', null], ['1e', null], ['e1', null], ['.', null], ['--1', null], ['infinit', null], ['0x1p', null], ['1_000', null],
    ];
    for (const [text, value] of cases) {
      const got = parseScore(text);
      if (value === null) assert.equal(got, null, JSON.stringify(text));
      else assert.ok(Object.is(got, value), `${JSON.stringify(text)}: ${got}`);
    }
  });

  test('integer scores read without the literal parser give what strtod gives, up to 20 digits', () => {
    const digits = fc.stringMatching(/^[0-9]{1,20}$/);
    fc.assert(
      fc.property(fc.constantFrom('', '-', '+'), digits, (sign, d) => {
        const text = sign + d;
        assert.ok(Object.is(parseScore(text), Number(text)), text);
      }),
      { numRuns: 2000 },
    );
    for (const text of ['-', '+', '1-', '12a', '٣']) assert.equal(parseScore(text), null, text);
  });
});
