// Tests of the differential harness itself: the RESP reader, the comparison rules, the
// generator (deterministic, covers every command), and redis-server vs redis-server, which
// must always agree: a mismatch there is a harness bug, never a Cairn one.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { RespReader, encodeCommand, oneShot, sameReply, show, type RespValue } from '../helpers/resp-client.js';
import { startCairnInProcess, startCairnProcess } from '../helpers/cairn-server.js';
import net from 'node:net';
import { oracleAvailability, pickFreePort, startRedis, type RedisOracle } from '../helpers/redis-oracle.js';
import { COVERED_COMMANDS, NOT_YET_IN_CAIRN, generate, stepArgv, Rng, type Step } from './generator.js';
import { generateCollections } from './collections.js';
import { encodingAfterSpop, isIntsetMember, pickProblem } from './scenarios.js';
import { compareReplies, type Mode } from './normalize.js';
import { formatMismatch, respForSeed, runSeed } from './runner.js';

const bulk = (s: string): RespValue => ({ t: 'bulk', v: Buffer.from(s, 'latin1') });
const int = (n: number): RespValue => ({ t: 'int', v: BigInt(n) });

describe('RESP reader', () => {
  const wire =
    '+OK\r\n-ERR bad\r\n:-42\r\n$3\r\na\x00b\r\n$-1\r\n*-1\r\n_\r\n*2\r\n$1\r\nx\r\n:1\r\n' +
    '%1\r\n+k\r\n,1.5\r\n~1\r\n#t\r\n,inf\r\n#f\r\n(12345678901234567890\r\n!3\r\nERR\r\n' +
    '=7\r\ntxt:abc\r\n>2\r\n+a\r\n+b\r\n|1\r\n+key\r\n+val\r\n:7\r\n$0\r\n\r\n';
  const expected: RespValue[] = [
    { t: 'simple', v: 'OK' },
    { t: 'error', v: 'ERR bad' },
    int(-42),
    bulk('a\x00b'),
    { t: 'null', wire: '$' },
    { t: 'null', wire: '*' },
    { t: 'null', wire: '_' },
    { t: 'array', v: [bulk('x'), int(1)] },
    { t: 'map', v: [[{ t: 'simple', v: 'k' }, { t: 'double', v: '1.5' }]] },
    { t: 'set', v: [{ t: 'bool', v: true }] },
    { t: 'double', v: 'inf' },
    { t: 'bool', v: false },
    { t: 'bignum', v: '12345678901234567890' },
    { t: 'bloberror', v: 'ERR' },
    { t: 'verbatim', format: 'txt', v: Buffer.from('abc') },
    { t: 'push', v: [{ t: 'simple', v: 'a' }, { t: 'simple', v: 'b' }] },
    { t: 'attribute', attrs: [[{ t: 'simple', v: 'key' }, { t: 'simple', v: 'val' }]], v: int(7) },
    bulk(''),
  ];

  test('parses every type, keeping which null it was', () => {
    const reader = new RespReader();
    reader.feed(Buffer.from(wire, 'latin1'));
    const got: RespValue[] = [];
    for (let v = reader.next(); v !== undefined; v = reader.next()) got.push(v);
    assert.equal(got.length, expected.length);
    got.forEach((v, i) => assert.ok(sameReply(v, expected[i]!), `#${i}: ${show(v)} vs ${show(expected[i]!)}`));
  });

  test('gives the same replies when bytes arrive one at a time', () => {
    const reader = new RespReader();
    const got: RespValue[] = [];
    for (const byte of Buffer.from(wire, 'latin1')) {
      reader.feed(Buffer.from([byte]));
      for (let v = reader.next(); v !== undefined; v = reader.next()) got.push(v);
    }
    assert.equal(got.length, expected.length);
    got.forEach((v, i) => assert.ok(sameReply(v, expected[i]!), `#${i}`));
  });

  test('encodes commands as arrays of bulk strings, bytes preserved', () => {
    assert.equal(encodeCommand(['SET', 'k\x00', '\xff']).toString('latin1'), '*3\r\n$3\r\nSET\r\n$2\r\nk\x00\r\n$1\r\n\xff\r\n');
  });

  test('distinguishes $-1 from *-1 and a bulk "1" from :1', () => {
    assert.ok(!sameReply({ t: 'null', wire: '$' }, { t: 'null', wire: '*' }));
    assert.ok(!sameReply(bulk('1'), int(1)));
  });
});

describe('comparison rules', () => {
  test('TTLs within the tolerance agree; -1 and -2 only exactly', () => {
    const mode = { kind: 'tolerance', within: 1 } as const;
    assert.equal(compareReplies(mode, int(100), int(99)), null);
    assert.notEqual(compareReplies(mode, int(100), int(98)), null);
    assert.notEqual(compareReplies(mode, int(-1), int(0)), null);
    assert.notEqual(compareReplies(mode, int(-2), int(-1)), null);
    assert.notEqual(compareReplies(mode, int(5), bulk('5')), null);
  });

  test('KEYS is compared as a sorted list, duplicates counted', () => {
    const mode = { kind: 'sorted' } as const;
    const arr = (...k: string[]): RespValue => ({ t: 'array', v: k.map(bulk) });
    assert.equal(compareReplies(mode, arr('a', 'b'), arr('b', 'a')), null);
    assert.notEqual(compareReplies(mode, arr('a', 'b'), arr('a', 'a', 'b')), null);
    assert.notEqual(compareReplies(mode, arr('a'), { t: 'set', v: [bulk('a')] }), null);
  });

  test('presence: any two bulks agree, nil and errors only exactly', () => {
    const mode = { kind: 'presence' } as const;
    assert.equal(compareReplies(mode, bulk('x'), bulk('y')), null);
    assert.notEqual(compareReplies(mode, bulk('x'), { t: 'null', wire: '$' }), null);
    assert.equal(compareReplies(mode, { t: 'null', wire: '$' }, { t: 'null', wire: '$' }), null);
  });

  test('EXEC items follow their own rules', () => {
    const mode: Mode = { kind: 'exec', modes: [{ kind: 'exact' }, { kind: 'tolerance', within: 1 }] };
    const arr = (...v: RespValue[]): RespValue => ({ t: 'array', v });
    assert.equal(compareReplies(mode, arr(bulk('a'), int(10)), arr(bulk('a'), int(9))), null);
    assert.notEqual(compareReplies(mode, arr(bulk('a'), int(10)), arr(bulk('b'), int(10))), null);
    assert.notEqual(compareReplies(mode, { t: 'null', wire: '*' }, arr(bulk('a'), int(10))), null);
  });
});

describe('generator', () => {
  test('the PRNG is deterministic and spreads values', () => {
    const a = new Rng(7);
    const b = new Rng(7);
    const xs = Array.from({ length: 1000 }, () => a.int(10));
    assert.deepEqual(xs, Array.from({ length: 1000 }, () => b.int(10)));
    for (let d = 0; d < 10; d++) assert.ok(xs.filter((x) => x === d).length > 50);
  });

  test('the same seed gives the same sequence; a shorter count gives a prefix', () => {
    assert.deepEqual(generate({ seed: 5, count: 500 }), generate({ seed: 5, count: 500 }));
    const long = generate({ seed: 5, count: 500 });
    const short = generate({ seed: 5, count: 200 });
    assert.deepEqual(short.slice(0, 190), long.slice(0, 190));
    assert.notDeepEqual(generate({ seed: 6, count: 100 }), generate({ seed: 5, count: 100 }));
  });

  test('the default run (seeds 1-20, 1000 each) covers every command many times', () => {
    const counts = new Map<string, number>();
    for (let seed = 1; seed <= 20; seed++) {
      for (const step of generate({ seed, count: 1000 })) counts.set(step.cmd, (counts.get(step.cmd) ?? 0) + 1);
    }
    for (const cmd of COVERED_COMMANDS) {
      if (NOT_YET_IN_CAIRN.has(cmd)) continue;
      assert.ok((counts.get(cmd) ?? 0) >= 20, `${cmd} generated ${counts.get(cmd) ?? 0} times`);
    }
  });

  test('every command gets arguments that must be refused too', () => {
    // An error from both servers is the usual outcome of these; here we only check they exist.
    const steps = Array.from({ length: 5 }, (_, i) => generate({ seed: i + 1, count: 1000 })).flat();
    const plain = steps.filter((s): s is Extract<Step, { op: 'cmd' }> => s.op === 'cmd');
    const arityNames = new Set(plain.filter((s) => s.cmd === 'WRONG-ARITY').map((s) => s.argv[0]!.toUpperCase()));
    assert.ok(arityNames.size > 30, `wrong-arity forms of only ${arityNames.size} commands`);
    assert.ok(plain.some((s) => s.cmd === 'SET' && s.argv.some((a) => a.toUpperCase() === 'XX') && s.argv.some((a) => a.toUpperCase() === 'NX')));
    assert.ok(plain.some((s) => s.cmd === 'INCRBY' && s.argv[2] === 'abc'));
  });

  test('relative TTLs are never repeated within a seed (no GT/LT ties between servers)', () => {
    const steps = generate({ seed: 3, count: 5000 }).filter((s): s is Extract<Step, { op: 'cmd' }> => s.op === 'cmd');
    const seen = new Set<number>();
    for (const s of steps) {
      if (s.cmd !== 'EXPIRE' || s.argv.length < 3) continue;
      const secs = Number(s.argv[2]);
      if (!Number.isInteger(secs) || secs < 100 || secs > 200_000) continue;
      assert.ok(!seen.has(secs), `EXPIRE ${secs} twice`);
      seen.add(secs);
    }
    assert.ok(seen.size > 50);
  });
});

describe('Cairn server helpers', () => {
  test('in-process: listens on a free port and answers PING', async () => {
    const server = await startCairnInProcess({ seed: 1 });
    try {
      const replies = await oneShot(server.port, [['PING'], ['ECHO', 'a\x00b']]);
      assert.deepEqual(replies.map(show), ['+PONG', '"a\\x00b"']);
    } finally {
      await server.stop();
    }
  });

  test('child process: port read from the start-up log line, stopped by PID', { timeout: 30_000 }, async () => {
    const server = await startCairnProcess();
    try {
      assert.notEqual(server.pid, process.pid);
      assert.deepEqual((await oneShot(server.port, [['PING']])).map(show), ['+PONG']);
    } finally {
      await server.stop();
    }
    assert.throws(() => process.kill(server.pid, 0), /ESRCH/);
  });
});

const availability = oracleAvailability();
if (!availability.ok && availability.fail) {
  test('harness self-check needs redis-server', () => assert.fail(availability.message));
} else {
  describe('harness self-check: redis-server vs redis-server', { skip: availability.ok ? false : availability.message }, () => {
    let first: RedisOracle;
    let second: RedisOracle;
    before(async () => {
      [first, second] = await Promise.all([startRedis(), startRedis()]);
    });
    after(async () => {
      await Promise.allSettled([first?.stop(), second?.stop()]);
    });

    for (const seed of [2, 3]) {
      test(`seed ${seed} (RESP${respForSeed(seed)}) agrees with itself`, { timeout: 30_000 }, async () => {
        const result = await runSeed({
          seed,
          count: 1000,
          resp: respForSeed(seed),
          reference: { name: 'redis', port: first.port },
          subject: { name: 'redis #2', port: second.port },
        });
        if (result.mismatch !== null) {
          assert.fail('harness bug: ' + formatMismatch(result.mismatch, { count: 1000, names: ['redis', 'redis #2'], testFile: 'dist/test/differential/harness.test.js' }));
        }
        assert.equal(result.steps, 1000);
        assert.ok(result.commandsSent >= 1000);
      });
    }

    test('a port taken between the probe and the bind is retried with another one', async () => {
      const squatter = net.createServer();
      await new Promise<void>((resolve) => squatter.listen(0, '127.0.0.1', resolve));
      const taken = (squatter.address() as net.AddressInfo).port;
      const offered: number[] = [];
      const ports = [taken, await pickFreePort()];
      const oracle = await startRedis({ pickPort: async () => (offered.push(ports[offered.length]!), ports[offered.length - 1]!) });
      try {
        assert.deepEqual(offered, ports);
        assert.equal(oracle.port, ports[1]);
      } finally {
        await oracle.stop();
        squatter.close();
      }
    });

    test('the oracle stops by PID and frees its port', async () => {
      const extra = await startRedis();
      await extra.stop();
      assert.throws(() => process.kill(extra.pid, 0), /ESRCH/);
    });
  });
}

describe('collections comparison rules', () => {
  const arr = (...v: RespValue[]): RespValue => ({ t: 'array', v });
  const set = (...v: RespValue[]): RespValue => ({ t: 'set', v });
  const enc = (s: string): RespValue => bulk(s);

  test('multiset: order is free, container type, counts and bytes are not', () => {
    const mode = { kind: 'multiset' } as const;
    assert.equal(compareReplies(mode, arr(bulk('a'), bulk('b')), arr(bulk('b'), bulk('a'))), null);
    assert.equal(compareReplies(mode, set(bulk('a'), int(1)), set(int(1), bulk('a'))), null);
    assert.notEqual(compareReplies(mode, arr(bulk('a'), bulk('b')), set(bulk('b'), bulk('a'))), null);
    assert.notEqual(compareReplies(mode, arr(bulk('a'), bulk('a')), arr(bulk('a'))), null);
    assert.notEqual(compareReplies(mode, arr(bulk('1')), arr(int(1))), null);
  });

  test('pairs: field/value pairs as a multiset, in flat arrays and RESP3 maps', () => {
    const mode = { kind: 'pairs' } as const;
    assert.equal(compareReplies(mode, arr(bulk('f'), bulk('1'), bulk('g'), bulk('2')), arr(bulk('g'), bulk('2'), bulk('f'), bulk('1'))), null);
    assert.notEqual(compareReplies(mode, arr(bulk('f'), bulk('1'), bulk('g'), bulk('2')), arr(bulk('f'), bulk('2'), bulk('g'), bulk('1'))), null);
    const map = (...kv: Array<[string, string]>): RespValue => ({ t: 'map', v: kv.map(([k, v]) => [bulk(k), bulk(v)] as [RespValue, RespValue]) });
    assert.equal(compareReplies(mode, map(['f', '1'], ['g', '2']), map(['g', '2'], ['f', '1'])), null);
    assert.notEqual(compareReplies(mode, map(['f', '1']), arr(bulk('f'), bulk('1'))), null);
  });

  test('by-encoding: exact order while both report the same compact encoding, a multiset otherwise', () => {
    const mode = { kind: 'by-encoding', pairs: false } as const;
    const ab = arr(bulk('a'), bulk('b'));
    const ba = arr(bulk('b'), bulk('a'));
    assert.notEqual(compareReplies(mode, ab, ba, { previous: [enc('listpack'), enc('listpack')] }), null);
    assert.notEqual(compareReplies(mode, ab, ba, { previous: [enc('intset'), enc('intset')] }), null);
    assert.equal(compareReplies(mode, ab, ba, { previous: [enc('hashtable'), enc('hashtable')] }), null);
    assert.equal(compareReplies(mode, ab, ba, { previous: [enc('listpack'), enc('hashtable')] }), null);
    assert.notEqual(compareReplies(mode, ab, arr(bulk('a')), { previous: [enc('hashtable'), enc('hashtable')] }), null);
    // inside EXEC: the previous item is the OBJECT ENCODING reply
    const exec: Mode = { kind: 'exec', modes: [{ kind: 'encoding', key: 'k' }, mode] };
    assert.equal(compareReplies(exec, arr(enc('hashtable'), ab), arr(enc('hashtable'), ba)), null);
    assert.notEqual(compareReplies(exec, arr(enc('listpack'), ab), arr(enc('listpack'), ba)), null);
  });

  test('encoding: exact, but a tainted key may be compact in Redis and big in Cairn (never the other way)', () => {
    const mode = { kind: 'encoding', key: 'k' } as const;
    const tainted = { tainted: (key: string) => key === 'k' };
    assert.notEqual(compareReplies(mode, enc('listpack'), enc('hashtable')), null);
    assert.equal(compareReplies(mode, enc('listpack'), enc('hashtable'), tainted), null);
    assert.equal(compareReplies(mode, enc('intset'), enc('hashtable'), tainted), null);
    assert.equal(compareReplies(mode, enc('listpack'), enc('skiplist'), tainted), null);
    assert.notEqual(compareReplies(mode, enc('hashtable'), enc('listpack'), tainted), null);
    assert.notEqual(compareReplies(mode, enc('listpack'), enc('quicklist'), tainted), null);
  });

  test('random picks are checked by count, membership, values and distinctness', () => {
    type PickStep = Extract<Step, { op: 'pick' }>;
    const step = (cmd: 'SRANDMEMBER' | 'HRANDFIELD', count: number | null, withValues = false): PickStep => ({ op: 'pick', conn: 'a', cmd, argv: [], key: 'k', count, withValues });
    const members = arr(bulk('a'), bulk('b'), bulk('c'));
    assert.equal(pickProblem(step('SRANDMEMBER', 2), arr(bulk('c'), bulk('a')), members), null);
    assert.match(pickProblem(step('SRANDMEMBER', 2), arr(bulk('c'), bulk('c')), members) ?? '', /twice/);
    assert.equal(pickProblem(step('SRANDMEMBER', -4), arr(bulk('c'), bulk('c'), bulk('a'), bulk('c')), members), null);
    assert.match(pickProblem(step('SRANDMEMBER', 5), arr(bulk('a'), bulk('b')), members) ?? '', /expected 3/);
    assert.match(pickProblem(step('SRANDMEMBER', null), bulk('z'), members) ?? '', /not in the collection/);
    const hash = arr(bulk('f'), bulk('1'), bulk('g'), bulk('2'));
    assert.equal(pickProblem(step('HRANDFIELD', 1, true), arr(bulk('g'), bulk('2')), hash), null);
    assert.match(pickProblem(step('HRANDFIELD', 1, true), arr(bulk('g'), bulk('1')), hash) ?? '', /comes with/);
    assert.equal(pickProblem(step('HRANDFIELD', -2, true), arr(arr(bulk('f'), bulk('1')), arr(bulk('f'), bulk('1'))), hash), null);
  });

  test('the encoding after SPOP follows Redis 7.0 (kept, or rebuilt from the few members left)', () => {
    const spop = (count: number | null): Extract<Step, { op: 'pick' }> => ({ op: 'pick', conn: 'a', cmd: 'SPOP', argv: [], key: 'k', count, withValues: false });
    const members = arr(...['1', '2', '3', '4', '5', '6', 'x'].map(bulk));
    assert.equal(encodingAfterSpop(spop(null), 'hashtable', members, bulk('x')), 'hashtable');
    assert.equal(encodingAfterSpop(spop(2), 'hashtable', members, arr(bulk('x'), bulk('1'))), 'hashtable'); // 5 left: one by one
    assert.equal(encodingAfterSpop(spop(6), 'hashtable', members, arr(...['2', '3', '4', '5', '6', 'x'].map(bulk))), 'intset'); // rebuilt
    assert.equal(encodingAfterSpop(spop(6), 'hashtable', members, arr(...['1', '2', '3', '4', '5', '6'].map(bulk))), 'hashtable');
    assert.equal(encodingAfterSpop(spop(9), 'hashtable', members, members), null);
    assert.ok(isIntsetMember('-9223372036854775808') && !isIntsetMember('9223372036854775808') && !isIntsetMember('007') && !isIntsetMember('-0'));
  });

  test('the collections generator never sends what the 7.0 oracle cannot answer', () => {
    for (let seed = 1; seed <= 5; seed++) {
      for (const s of generateCollections({ seed, count: 1000 })) {
        const argv = stepArgv(s).map((a) => a.toUpperCase());
        assert.ok(!argv.includes('NOVALUES') && !argv.includes('WITHSCORE') && !argv.some((a) => a.startsWith('HEXPIRE')), argv.join(' '));
        if (/^Z(REV)?RANK$/.test(argv[0]!)) assert.ok(argv.length <= 3, argv.join(' '));
      }
    }
  });
});
