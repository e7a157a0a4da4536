// HyperLogLog: declarations, MurmurHash64A against a BigInt reference, accuracy, notifications
// and effects, and byte-for-byte compatibility with a real redis-server 7.0 (the oracle, when
// installed): the same adds must give the same replies and the same GET bytes, sparse and dense.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { testEngine, type TestEngine } from '../helpers/engine.js';
import type { EmbeddedSession } from '../../src/embedded.js';
import { hyperLogLogCommands } from '../../src/core/commands/hyperloglog.js';
import { aclCategories } from '../../src/core/commands/registry.js';
import { keyspaceDigest } from '../../src/core/digest.js';
import { elementPattern, EMPTY_HLL, HLL_REGISTERS, murmurHash64A, selfTest } from '../../src/core/hll.js';
import { ReplyKind, type Reply } from '../../src/core/reply.js';
import { oracleAvailability, startRedis, type RedisOracle } from '../helpers/redis-oracle.js';
import { startCairnInProcess, type CairnServer } from '../helpers/cairn-server.js';
import { escapeBytes, RespClient, sameReply, show, type Arg } from '../helpers/resp-client.js';

const WRONGTYPE = { error: 'WRONGTYPE Operation against a key holding the wrong kind of value' };
const HLL_WRONGTYPE = { error: 'WRONGTYPE Key is not a valid HyperLogLog string value.' };
const CORRUPT = { error: 'INVALIDOBJ Corrupted HLL object detected' };

const binarySessions = new WeakMap<TestEngine, EmbeddedSession>();

/** Runs a command whose string arguments are latin1 bytes, on one session per engine. */
function exec(t: TestEngine, ...args: Array<string | number>): Reply {
  let s = binarySessions.get(t);
  if (s === undefined) binarySessions.set(t, (s = t.session()));
  return s.raw(args.map((a) => (typeof a === 'string' ? Buffer.from(a, 'latin1') : a)));
}

function plain(r: Reply): unknown {
  switch (r.k) {
    case ReplyKind.Error:
      return { error: r.v };
    case ReplyKind.Int:
      return Number(r.v);
    case ReplyKind.Nil:
      return null;
    case ReplyKind.Array:
      return (r.v as Reply[]).map(plain);
    default:
      return r.v;
  }
}

function call(t: TestEngine, ...args: Array<string | number>): unknown {
  return plain(exec(t, ...args));
}

function bytesOf(t: TestEngine, key: string): string {
  return exec(t, 'GET', key).v as string;
}

const hex = (s: string): string => Buffer.from(s, 'latin1').toString('hex');

describe('declarations', () => {
  test('arity, flags, key positions and ACL categories match Redis 7.0 COMMAND INFO', () => {
    const expected: Record<string, [number, string[], [number, number, number] | null, string[]]> = {
      pfadd: [-2, ['write', 'denyoom', 'fast'], [1, 1, 1], ['write', 'hyperloglog', 'fast']],
      pfcount: [-2, ['readonly'], [1, -1, 1], ['read', 'hyperloglog', 'slow']],
      pfmerge: [-2, ['write', 'denyoom'], [1, -1, 1], ['write', 'hyperloglog', 'slow']],
      pfdebug: [3, ['write', 'denyoom', 'admin'], [2, 2, 1], ['write', 'hyperloglog', 'admin', 'slow', 'dangerous']],
      pfselftest: [1, ['admin'], null, ['hyperloglog', 'admin', 'slow', 'dangerous']],
    };
    assert.deepEqual(hyperLogLogCommands.map((c) => c.name).sort(), Object.keys(expected).sort());
    for (const spec of hyperLogLogCommands) {
      const [arity, flags, keys, acl] = expected[spec.name]!;
      assert.equal(spec.arity, arity, spec.name);
      assert.deepEqual([...spec.flags].sort(), [...flags].sort(), spec.name);
      assert.deepEqual(spec.keys === undefined ? null : [spec.keys.first, spec.keys.last, spec.keys.step], keys, spec.name);
      assert.deepEqual(aclCategories(spec).sort(), [...acl].sort(), spec.name);
    }
  });
});

// ---------------------------------------------------------------------------------------
// The hash

/** MurmurHash64A on BigInt, written from the algorithm's definition: the reference. */
function murmurReference(data: Buffer, seed: bigint): bigint {
  const M = 0xc6a4a7935bd1e995n;
  const mask = (1n << 64n) - 1n;
  const mul = (a: bigint, b: bigint): bigint => (a * b) & mask;
  let h = (seed ^ mul(BigInt(data.length), M)) & mask;
  const blocks = data.length - (data.length % 8);
  for (let i = 0; i < blocks; i += 8) {
    let k = data.readBigUInt64LE(i);
    k = mul(k, M);
    k ^= k >> 47n;
    k = mul(k, M);
    h ^= k;
    h = mul(h, M);
  }
  const rest = data.length % 8;
  if (rest > 0) {
    for (let j = rest - 1; j >= 0; j--) h ^= BigInt(data[blocks + j]!) << BigInt(8 * j);
    h = mul(h, M);
  }
  h ^= h >> 47n;
  h = mul(h, M);
  h ^= h >> 47n;
  return h;
}

describe('MurmurHash64A', () => {
  test('the two-halves implementation equals a BigInt reference', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 40 }), fc.constantFrom(0xadc83b19, 0, 0xffffffff, 1), (bytes, seed) => {
        const text = Buffer.from(bytes).toString('latin1');
        const [hi, lo] = murmurHash64A(text, seed);
        const expected = murmurReference(Buffer.from(bytes), BigInt(seed));
        assert.equal((BigInt(hi) << 32n) | BigInt(lo), expected);
      }),
      { numRuns: 2000 },
    );
  });

  test('register index and run length as Redis derives them', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 20 }), (s) => {
        const text = Buffer.from(s, 'utf8').toString('latin1');
        const h = murmurReference(Buffer.from(text, 'latin1'), 0xadc83b19n);
        let rest = (h >> 14n) | (1n << 50n);
        let count = 1;
        while ((rest & 1n) === 0n) {
          count++;
          rest >>= 1n;
        }
        assert.equal(elementPattern(text), count * HLL_REGISTERS + Number(h & 16383n));
      }),
      { numRuns: 1000 },
    );
  });
});

// ---------------------------------------------------------------------------------------
// Commands

describe('PFADD, PFCOUNT, PFMERGE', () => {
  test('a new HLL is sparse with a stale cache; PFCOUNT caches the estimate in the header', () => {
    const t = testEngine();
    assert.equal(call(t, 'PFADD', 'e'), 1);
    const header = '48594c4c' + '01' + '000000' + '0000000000000080'; // HYLL, sparse, unused, stale cache
    assert.equal(hex(bytesOf(t, 'e')), header + '7fff');
    assert.equal(call(t, 'PFADD', 'e'), 0);
    assert.equal(call(t, 'PFADD', 'h', 'a', 'b', 'c'), 1);
    assert.equal(call(t, 'PFADD', 'h', 'a'), 0);
    assert.equal(hex(bytesOf(t, 'h')), header + '60f38050b1844bfb80425a');
    assert.equal(call(t, 'PFCOUNT', 'h'), 3);
    assert.equal(hex(bytesOf(t, 'h')).slice(16, 32), '0300000000000000');
    assert.equal(call(t, 'PFCOUNT', 'h', 'missing'), 3);
    assert.equal(call(t, 'PFCOUNT', 'missing'), 0);
    assert.equal(call(t, 'OBJECT', 'ENCODING', 'h'), 'raw');
    assert.equal(call(t, 'PFDEBUG', 'DECODE', 'h'), 'Z:8436 v:1,1 Z:4274 v:2,1 Z:3068 v:1,1 Z:603');
  });

  test('errors: other types, strings that are not HLLs, corrupt sparse values', () => {
    const t = testEngine();
    exec(t, 'SADD', 'set', 'x');
    exec(t, 'SET', 'str', 'hello');
    assert.deepEqual(call(t, 'PFADD', 'set', 'a'), WRONGTYPE);
    assert.deepEqual(call(t, 'PFADD', 'str', 'a'), HLL_WRONGTYPE);
    assert.deepEqual(call(t, 'PFCOUNT', 'str'), HLL_WRONGTYPE);
    assert.deepEqual(call(t, 'PFCOUNT', 'missing', 'set'), WRONGTYPE);
    assert.deepEqual(call(t, 'PFMERGE', 'd', 'str'), HLL_WRONGTYPE);
    assert.equal(exec(t, 'EXISTS', 'd').v, 0);
    // A sparse body whose runs cover 16383 registers instead of 16384.
    exec(t, 'SET', 'bad', 'HYLL\x01' + '\0'.repeat(10) + '\x80\x7f\xfe');
    assert.deepEqual(call(t, 'PFCOUNT', 'bad'), CORRUPT);
    assert.deepEqual(call(t, 'PFCOUNT', 'bad', 'missing'), CORRUPT);
    assert.deepEqual(call(t, 'PFMERGE', 'd', 'bad'), CORRUPT);
    // A dense HLL must be exactly 12304 bytes long.
    exec(t, 'SET', 'short', 'HYLL\x00' + '\0'.repeat(20));
    assert.deepEqual(call(t, 'PFCOUNT', 'short'), HLL_WRONGTYPE);
    exec(t, 'SET', 'enc', 'HYLL\x02' + '\0'.repeat(20));
    assert.deepEqual(call(t, 'PFADD', 'enc', 'x'), HLL_WRONGTYPE);
  });

  test('PFMERGE takes the destination into the union and turns dense when a source is', () => {
    const t = testEngine();
    exec(t, 'PFADD', 'a', 'x', 'y');
    exec(t, 'PFADD', 'b', 'y', 'z');
    assert.equal(call(t, 'PFMERGE', 'a', 'b', 'missing'), 'OK');
    assert.equal(call(t, 'PFCOUNT', 'a'), 3);
    assert.equal(call(t, 'PFDEBUG', 'ENCODING', 'a'), 'sparse');
    exec(t, 'PFADD', 'big', ...Array.from({ length: 3000 }, (_, i) => `e${i}`));
    assert.equal(call(t, 'PFDEBUG', 'ENCODING', 'big'), 'dense');
    assert.equal(call(t, 'PFMERGE', 'm', 'a', 'big'), 'OK');
    assert.equal(call(t, 'PFDEBUG', 'ENCODING', 'm'), 'dense');
    assert.equal(call(t, 'PFCOUNT', 'm'), call(t, 'PFCOUNT', 'a', 'big'));
    assert.equal(call(t, 'PFMERGE', 'empty'), 'OK');
    assert.equal(call(t, 'PFCOUNT', 'empty'), 0);
  });

  test('PFDEBUG', () => {
    const t = testEngine();
    exec(t, 'PFADD', 'h', 'a', 'b');
    assert.equal(call(t, 'PFDEBUG', 'encoding', 'h'), 'sparse');
    assert.deepEqual(call(t, 'PFDEBUG', 'GETREG', 'missing'), { error: 'ERR The specified key does not exist' });
    assert.deepEqual(call(t, 'PFDEBUG', 'NOPE', 'h'), { error: "ERR Unknown PFDEBUG subcommand 'NOPE'" });
    assert.deepEqual(call(t, 'PFDEBUG', 'NOPE', 'missing'), { error: 'ERR The specified key does not exist' });
    const registers = call(t, 'PFDEBUG', 'GETREG', 'h') as number[];
    assert.equal(registers.length, HLL_REGISTERS);
    assert.equal(registers.filter((r) => r !== 0).length, 2);
    assert.equal(call(t, 'PFDEBUG', 'ENCODING', 'h'), 'dense'); // GETREG converts, as in Redis
    assert.deepEqual(call(t, 'PFDEBUG', 'DECODE', 'h'), { error: 'ERR HLL encoding is not sparse' });
    assert.equal(call(t, 'PFDEBUG', 'TODENSE', 'h'), 0);
    exec(t, 'PFADD', 'h2', 'a');
    assert.equal(call(t, 'PFDEBUG', 'TODENSE', 'h2'), 1);
    assert.equal(bytesOf(t, 'h2').length, 12304);
  });

  test('100k distinct elements are estimated within a few percent (standard error 0.81%)', () => {
    const t = testEngine();
    const n = 100_000;
    for (let i = 0; i < n; i += 1000) {
      exec(t, 'PFADD', 'h', ...Array.from({ length: 1000 }, (_, j) => `element:${i + j}`));
    }
    const estimate = call(t, 'PFCOUNT', 'h') as number;
    const error = Math.abs(estimate - n) / n;
    assert.ok(error < 0.03, `estimate ${estimate} for ${n}: error ${(error * 100).toFixed(2)}%`);
    // Adding the same elements again changes nothing.
    assert.equal(call(t, 'PFADD', 'h', 'element:1', 'element:99999'), 0);
  });

  test('PFSELFTEST passes', () => {
    const t = testEngine();
    assert.equal(call(t, 'PFSELFTEST'), 'OK');
    // The self test itself fails when the estimator is off: a broken random source still passes
    // test 1 and 2 only if the code is right, so run a short variant with another seed.
    let x = 12345;
    assert.equal(selfTest(() => (x = (Math.imul(x, 1103515245) + 12345) >>> 0), 3000, 10, 100_000), null);
  });
});

// ---------------------------------------------------------------------------------------
// Notifications and effects

function listen(t: TestEngine): string[] {
  const seen: string[] = [];
  const ks = t.engine.ks;
  const original = ks.notify.bind(ks);
  ks.notify = (db, event, key) => {
    if (event !== 'new' && event !== 'keymiss') seen.push(`${event} ${key}`);
    original(db, event, key);
  };
  return seen;
}

describe('notifications and effects', () => {
  test('pfadd on a change, pfadd for PFMERGE, nothing for PFCOUNT', () => {
    const t = testEngine();
    const events = listen(t);
    exec(t, 'PFADD', 'h', 'a');
    exec(t, 'PFADD', 'h', 'a');
    exec(t, 'PFCOUNT', 'h');
    exec(t, 'PFMERGE', 'm', 'h');
    exec(t, 'PFDEBUG', 'TODENSE', 'h');
    assert.deepEqual(events, ['pfadd h', 'pfadd m']);
  });

  test('PFCOUNT logs itself when it rewrites the cached cardinality', () => {
    const t = testEngine();
    exec(t, 'PFADD', 'h', 'a');
    exec(t, 'PFCOUNT', 'h');
    exec(t, 'PFCOUNT', 'h'); // cached: no change, no effect
    exec(t, 'PFADD', 'h', 'a'); // no change
    assert.deepEqual(t.effects.map((e) => e.argv), [['PFADD', 'h', 'a'], ['PFCOUNT', 'h']]);
  });

  test('PFCOUNT invalidates WATCH when it updates the cache', () => {
    const t = testEngine();
    exec(t, 'PFADD', 'h', 'a');
    const s = t.session();
    s.raw(['WATCH', 'h']);
    exec(t, 'PFCOUNT', 'h');
    s.raw(['MULTI']);
    s.raw(['PING']);
    assert.equal(s.raw(['EXEC']).k, ReplyKind.NilArray);
  });

  const key = fc.constantFrom('a', 'b', 'c');
  const elements = fc.array(fc.oneof(fc.integer({ min: 0, max: 5000 }).map((n) => `e${n}`), fc.string({ maxLength: 4 })), { maxLength: 400 });
  const command = fc.oneof(
    fc.tuple(fc.constant('PFADD'), key, elements).map(([c, k, els]) => [c, k, ...els]),
    fc.tuple(fc.constant('PFCOUNT'), key).map((c) => [...c]),
    fc.tuple(fc.constant('PFCOUNT'), key, key).map((c) => [...c]),
    fc.tuple(fc.constant('PFMERGE'), key, key, key).map((c) => [...c]),
    fc.tuple(fc.constant('PFDEBUG'), fc.constantFrom('TODENSE', 'GETREG', 'ENCODING'), key).map((c) => [...c]),
    fc.tuple(fc.constant('DEL'), key).map((c) => [...c]),
  );

  test('replaying the effects of random HLL commands gives identical data', () => {
    fc.assert(
      fc.property(fc.array(command, { minLength: 1, maxLength: 25 }), (cmds) => {
        const source = testEngine({ seed: 5 });
        for (const c of cmds) exec(source, ...c);
        const replica = testEngine({ seed: 6 });
        for (const e of source.effects) {
          const r = exec(replica, ...(e.argv as string[]));
          assert.notEqual(r.k, ReplyKind.Error, `${e.argv.slice(0, 3).join(' ')} failed on replay: ${r.v}`);
        }
        assert.equal(keyspaceDigest(replica.engine.ks), keyspaceDigest(source.engine.ks));
      }),
      { numRuns: 60 },
    );
  });
});

// ---------------------------------------------------------------------------------------
// Byte compatibility with redis-server

/** Elements whose hash lands on registers [0, span): dense neighbourhoods for sparse merges. */
function clusteredElements(span: number, count: number): string[] {
  const out: string[] = [];
  for (let i = 0; out.length < count; i++) {
    const e = `c${i}`;
    if (elementPattern(e) % HLL_REGISTERS < span) out.push(e);
  }
  return out;
}

const availability = oracleAvailability();
// Without redis-server the suite is skipped, except in CI (availability.fail), where it fails.
const skipOracle = availability.ok || availability.fail ? false : availability.message;

describe('against redis-server', { skip: skipOracle }, () => {
  let oracle: RedisOracle;
  let cairn: CairnServer;
  let redisClient: RespClient;
  let cairnClient: RespClient;

  before(async () => {
    if (!availability.ok) throw new Error(availability.message);
    oracle = await startRedis();
    cairn = await startCairnInProcess({ seed: 1 });
    // PFSELFTEST works for about a second on each side; on a loaded machine several, so replies
    // get a generous bound here rather than the default 10 s.
    redisClient = await RespClient.connect(oracle.port, { timeoutMs: 60_000 });
    cairnClient = await RespClient.connect(cairn.port, { timeoutMs: 60_000 });
  });

  after(async () => {
    redisClient?.close();
    cairnClient?.close();
    await Promise.allSettled([oracle?.stop(), cairn?.stop()]);
  });

  const render = (argv: readonly Arg[]): string => {
    const shown = argv.slice(0, 6).map((a) => (typeof a === 'string' ? `"${escapeBytes(a).slice(0, 80)}"` : String(a))).join(' ');
    return argv.length > 6 ? `${shown} ... (${argv.length} args)` : shown;
  };

  async function same(commands: Arg[][]): Promise<void> {
    const [expected, actual] = await Promise.all([redisClient.pipeline(commands), cairnClient.pipeline(commands)]);
    for (let i = 0; i < commands.length; i++) {
      if (!sameReply(expected[i]!, actual[i]!)) {
        assert.fail(`${render(commands[i]!)}\n  redis: ${show(expected[i]!).slice(0, 400)}\n  cairn: ${show(actual[i]!).slice(0, 400)}`);
      }
    }
  }

  /** The reply of redis-server alone (to copy its bytes into Cairn). */
  async function fromRedis(...argv: Arg[]): Promise<Buffer> {
    const r = await redisClient.send(...argv);
    assert.equal(r.t, 'bulk');
    return (r as { v: Buffer }).v;
  }

  const inspect = (key: string): Arg[][] => [['GET', key], ['PFDEBUG', 'ENCODING', key], ['PFCOUNT', key], ['GET', key]];

  test('one element at a time: identical bytes through the sparse edits and the promotion', async () => {
    await same([['FLUSHALL']]);
    let batch: Arg[][] = [];
    for (let i = 0; i < 4000; i++) {
      batch.push(['PFADD', 'h', `one:${i}`]);
      if (i % 7 === 0) batch.push(['GET', 'h']);
      if (i % 97 === 0) batch.push(...inspect('h'));
      if (batch.length > 400) {
        await same(batch);
        batch = [];
      }
    }
    await same([...batch, ...inspect('h')]);
  });

  test('batches of many elements, up to a large dense HLL', async () => {
    await same([['FLUSHALL']]);
    let next = 0;
    for (const size of [0, 1, 2, 5, 10, 50, 100, 300, 700, 1500, 3000, 10_000, 50_000]) {
      const elements = Array.from({ length: size }, () => `batch:${next++}`);
      await same([['PFADD', 'h', ...elements], ...inspect('h'), ['PFADD', 'h', ...elements.slice(0, 3)], ['GET', 'h']]);
    }
  });

  test('clustered registers exercise the VAL merges and splits', async () => {
    for (const span of [4, 12, 40, 200]) {
      const pool = clusteredElements(span, 120);
      await same([['FLUSHALL']]);
      const batch: Arg[][] = [];
      for (let i = 0; i < pool.length; i++) {
        // A permutation of the pool, one or two at a time, so that runs grow from both sides.
        const e = pool[(i * 37) % pool.length]!;
        batch.push(i % 3 === 0 ? ['PFADD', 'h', e, pool[(i * 11) % pool.length]!] : ['PFADD', 'h', e], ['GET', 'h'], ['PFDEBUG', 'DECODE', 'h']);
      }
      await same([...batch, ...inspect('h')]);
    }
  });

  test('PFMERGE: new and existing destinations, sparse and dense sources', async () => {
    const many = (prefix: string, n: number): string[] => Array.from({ length: n }, (_, i) => `${prefix}${i}`);
    await same([
      ['FLUSHALL'], ['PFADD', 's1', ...many('a', 50)], ['PFADD', 's2', ...many('b', 80)], ['PFADD', 'd1', ...many('c', 5000)],
      ['PFCOUNT', 's1'], ['PFMERGE', 'm1', 's1', 's2'], ...inspect('m1'),
      ['PFMERGE', 's1', 's2'], ...inspect('s1'),
      ['PFMERGE', 'm2', 's2', 'd1'], ...inspect('m2'),
      ['PFADD', 'm3', 'x'], ['PFCOUNT', 'm3'], ['PFMERGE', 'm3', 'd1'], ...inspect('m3'),
      ['PFMERGE', 'm4'], ...inspect('m4'), ['PFMERGE', 'm4', 'nokey'], ...inspect('m4'),
      ['PFADD', 'mid', ...many('d', 700)], ['PFADD', 'mid2', ...many('e', 700)], ['PFMERGE', 'mid', 'mid2'], ...inspect('mid'),
      ['PFCOUNT', 's1', 's2', 'd1', 'nokey'], ['PFCOUNT', 'm1', 'm2'], ['PFCOUNT', 'nokey', 'nokey2'],
      ['SADD', 'set', 'x'], ['PFMERGE', 'm1', 'set'], ['PFMERGE', 'set', 's1'], ['PFCOUNT', 's1', 'set'],
      ['SET', 'str', 'hello'], ['PFMERGE', 'str', 's1'], ['PFMERGE', 'm1', 's1', 'str'], ['PFCOUNT', 'm1', 'str'], ...inspect('m1'),
    ]);
  });

  test('PFDEBUG, PFSELFTEST and arity errors', async () => {
    await same([
      ['FLUSHALL'], ['PFADD', 'h', 'a', 'b', 'c'], ['PFDEBUG', 'DECODE', 'h'], ['PFDEBUG', 'decode', 'h'], ['PFDEBUG', 'ENCODING', 'h'],
      ['PFDEBUG', 'GETREG', 'h'], ['PFDEBUG', 'ENCODING', 'h'], ['GET', 'h'], ['PFDEBUG', 'DECODE', 'h'], ['PFDEBUG', 'TODENSE', 'h'],
      ['PFADD', 'h2', 'x'], ['PFDEBUG', 'TODENSE', 'h2'], ['GET', 'h2'], ['PFDEBUG', 'GETREG', 'nokey'], ['PFDEBUG', 'FOO', 'nokey'],
      ['PFDEBUG', 'FOO', 'h'], ['PFDEBUG', 'FOO\0bar', 'h'], ['PFDEBUG', 'getreg\0x', 'h2'], ['PFDEBUG', 'FOO\r\nX', 'h'],
      ['SADD', 'set', 'x'], ['PFDEBUG', 'GETREG', 'set'], ['SET', 'str', 'x'], ['PFDEBUG', 'ENCODING', 'str'],
      ['PFDEBUG', 'GETREG'], ['PFDEBUG', 'GETREG', 'h', 'x'], ['PFADD'], ['PFCOUNT'], ['PFMERGE'], ['PFSELFTEST', 'x'],
      ['PFSELFTEST'],
    ]);
  });

  test("Redis's bytes load into Cairn and keep working; corrupt values fail the same way", async () => {
    await same([['FLUSHALL'], ['PFADD', 'sparse', 'a', 'b'], ['PFADD', 'dense', ...Array.from({ length: 4000 }, (_, i) => `z${i}`)]]);
    for (const key of ['sparse', 'dense']) {
      const bytes = await fromRedis('GET', key);
      await cairnClient.send('SET', `copy:${key}`, bytes);
      await redisClient.send('SET', `copy:${key}`, bytes);
      await same([['PFCOUNT', `copy:${key}`], ['PFADD', `copy:${key}`, 'more', 'elements'], ['GET', `copy:${key}`], ['PFCOUNT', `copy:${key}`, key]]);
    }
    const header = (encoding: number, card = '\0'.repeat(7) + '\x80'): string => 'HYLL' + String.fromCharCode(encoding) + '\0\0\0' + card;
    const corrupt: Record<string, string> = {
      short: header(1).slice(0, 10),
      magic: 'HYLX' + header(1).slice(4) + '\x7f\xff',
      badEncoding: header(2) + '\x7f\xff',
      denseShort: header(0) + '\0'.repeat(100),
      runsShort: header(1) + '\x7f\xfe',
      runsLong: header(1) + '\x7f\xff\x00',
      valOverflow: header(1) + '\x7f\xfe\x83',
      truncatedXZero: header(1) + '\x7f',
      truncatedXZeroEnd: header(1) + '\x7f\xfe\x40',
      validCache: header(1, '\x05' + '\0'.repeat(7)) + '\x7f\xff',
      hugeCache: header(1, '\xff'.repeat(7) + '\x7f') + '\x7f\xff',
      xzeroLenOne: header(1) + '\x40\x00\x7f\xfe',
      zeroRuns: header(1) + '\x3f'.repeat(256),
      valRuns: header(1) + '\x83'.repeat(4096),
      empty: '',
    };
    const checks: Arg[][] = [];
    for (const [name, value] of Object.entries(corrupt)) {
      const k = `bad:${name}`;
      checks.push(['SET', k, value], ['PFCOUNT', k], ['GET', k], ['PFADD', k, 'a'], ['GET', k], ['PFADD', k, 'b', 'c', 'd'], ['GET', k]);
      checks.push(['PFCOUNT', k, 'sparse'], ['PFMERGE', `m:${name}`, k], ['PFMERGE', k, 'sparse'], ['GET', k]);
      checks.push(['PFDEBUG', 'DECODE', k], ['PFDEBUG', 'ENCODING', k], ['PFDEBUG', 'TODENSE', k], ['GET', k], ['PFDEBUG', 'GETREG', k]);
    }
    await same(checks);
  });

  const key = fc.constantFrom('a', 'b', 'c');
  const pool = clusteredElements(64, 200);
  const element = fc.oneof(fc.constantFrom(...pool), fc.integer({ min: 0, max: 3000 }).map((n) => `r${n}`));
  const command: fc.Arbitrary<Arg[]> = fc.oneof(
    fc.tuple(key, fc.array(element, { maxLength: 30 })).map(([k, els]) => ['PFADD', k, ...els]),
    fc.tuple(key, fc.array(element, { minLength: 100, maxLength: 1200 })).map(([k, els]) => ['PFADD', k, ...els]),
    key.map((k) => ['PFCOUNT', k]),
    fc.tuple(key, key).map(([a, b]) => ['PFCOUNT', a, b]),
    fc.tuple(key, key, key).map(([a, b, c]) => ['PFMERGE', a, b, c]),
    key.map((k) => ['PFMERGE', k]),
    key.map((k) => ['GET', k]),
    key.map((k) => ['PFDEBUG', 'DECODE', k]),
    key.map((k) => ['PFDEBUG', 'TODENSE', k]),
    key.map((k) => ['DEL', k]),
  );

  test('random HLL command sequences give the same replies and bytes', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(command, { minLength: 1, maxLength: 25 }), async (cmds) => {
        await same([['FLUSHALL'], ...cmds, ['GET', 'a'], ['GET', 'b'], ['GET', 'c']]);
      }),
      { numRuns: 120 },
    );
  });

  test('the empty HLL constant is what Redis creates', async () => {
    await redisClient.send('DEL', 'fresh');
    await redisClient.send('PFADD', 'fresh');
    const bytes = await fromRedis('GET', 'fresh');
    // PFADD marks the cache stale on the new key; the template itself has a clean header.
    const template = Buffer.from(EMPTY_HLL, 'latin1');
    template[15] = 0x80;
    assert.deepEqual(bytes, template);
  });
});

test('PFMERGE refuses a sparse HLL whose value run overshoots the registers, writing nothing (redis-server 7.0.15)', () => {
  const t = testEngine();
  t.run('PFADD', 'h', ...Array.from({ length: 600 }, (_, i) => `e${i}`));
  t.run('SETRANGE', 'h', '134', '@'); // an XZERO opcode that pushes a later run past register 16383
  assert.deepEqual(t.run('PFMERGE', 'd', 'h'), { error: 'INVALIDOBJ Corrupted HLL object detected' });
  assert.equal(t.run('EXISTS', 'd'), 0);
});
