// Expiry commands (src/core/commands/expiry.ts): replies, errors and logged effects, checked
// against a real redis-server 7.0.15.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { testEngine, type TestEngine } from '../helpers/engine.js';

function put(t: TestEngine, key: string, value = 'v', db = 0): void {
  t.engine.ks.now = t.clock.nowMs();
  t.engine.ks.db(db).set(key, 'string', value);
}

const NOT_INT = { error: 'ERR value is not an integer or out of range' };
const NX_CONFLICT = { error: 'ERR NX and XX, GT or LT options at the same time are not compatible' };
const GT_LT_CONFLICT = { error: 'ERR GT and LT options at the same time are not compatible' };

describe('EXPIRE, PEXPIRE, EXPIREAT, PEXPIREAT', () => {
  test('set a TTL that TTL and PTTL report, and the key expires on time', () => {
    const t = testEngine();
    put(t, 'k');
    assert.equal(t.run('EXPIRE', 'k', 10), 1);
    assert.equal(t.run('TTL', 'k'), 10);
    assert.equal(t.run('PTTL', 'k'), 10_000);
    t.clock.advance(9_999);
    assert.equal(t.run('EXISTS', 'k'), 1);
    t.clock.advance(1);
    assert.equal(t.run('EXISTS', 'k'), 0);
    assert.equal(t.run('TTL', 'k'), -2);
  });

  test('each form computes the same absolute time and logs it as PEXPIREAT', () => {
    const t = testEngine();
    const now = t.clock.nowMs();
    const at = now + 60_000;
    for (const k of ['a', 'b', 'c', 'd']) put(t, k);
    assert.equal(t.run('EXPIRE', 'a', 60), 1);
    assert.equal(t.run('PEXPIRE', 'b', 60_000), 1);
    assert.equal(t.run('EXPIREAT', 'c', at / 1000), 1);
    assert.equal(t.run('PEXPIREAT', 'd', at), 1);
    for (const k of ['a', 'b', 'c', 'd']) assert.equal(t.run('PEXPIRETIME', k), at, k);
    assert.deepEqual(t.effects, ['a', 'b', 'c', 'd'].map((k) => ({ db: 0, argv: ['PEXPIREAT', k, String(at)] })));
  });

  test('a missing key answers 0 and logs nothing', () => {
    const t = testEngine();
    assert.equal(t.run('EXPIRE', 'nokey', 10), 0);
    assert.equal(t.run('PEXPIREAT', 'nokey', 1), 0);
    assert.deepEqual(t.effects, []);
  });

  test('a time in the past deletes the key and logs a DEL', () => {
    const t = testEngine();
    for (const k of ['a', 'b', 'c', 'd', 'e']) put(t, k);
    assert.equal(t.run('EXPIRE', 'a', -1), 1);
    assert.equal(t.run('PEXPIRE', 'b', 0), 1);
    assert.equal(t.run('EXPIREAT', 'c', 1), 1);
    assert.equal(t.run('PEXPIREAT', 'd', t.clock.nowMs()), 1);
    assert.equal(t.run('EXPIRE', 'e', '-9223372036854775'), 1);
    assert.equal(t.engine.ks.db(0).size, 0);
    assert.deepEqual(t.effects.map((e) => e.argv), ['a', 'b', 'c', 'd', 'e'].map((k) => ['DEL', k]));
  });

  test('NX, XX, GT, LT', () => {
    const t = testEngine();
    put(t, 'k');
    assert.equal(t.run('EXPIRE', 'k', 100, 'XX'), 0);
    assert.equal(t.run('EXPIRE', 'k', 100, 'GT'), 0); // no TTL counts as infinite
    assert.equal(t.run('EXPIRE', 'k', 100, 'nx'), 1);
    assert.equal(t.run('EXPIRE', 'k', 200, 'NX'), 0);
    assert.equal(t.run('EXPIRE', 'k', 200, 'XX'), 1);
    assert.equal(t.run('EXPIRE', 'k', 150, 'GT'), 0);
    assert.equal(t.run('EXPIRE', 'k', 200, 'GT'), 0); // equal is not greater
    assert.equal(t.run('EXPIRE', 'k', 300, 'GT'), 1);
    assert.equal(t.run('EXPIRE', 'k', 400, 'LT'), 0);
    assert.equal(t.run('EXPIRE', 'k', 300, 'LT'), 0);
    assert.equal(t.run('EXPIRE', 'k', 50, 'lt'), 1);
    assert.equal(t.run('EXPIRE', 'k', 40, 'XX', 'LT'), 1);
    assert.equal(t.run('EXPIRE', 'k', 60, 'XX', 'GT'), 1);
    assert.equal(t.run('EXPIRE', 'k', 70, 'NX', 'NX'), 0);
    assert.equal(t.run('TTL', 'k'), 60);
    put(t, 'p');
    assert.equal(t.run('EXPIRE', 'p', 10, 'LT'), 1); // no TTL: any time is less than forever
    // The logged effect is unconditional: the decision was taken here.
    assert.deepEqual(t.effects.at(-1)!.argv, ['PEXPIREAT', 'p', String(t.clock.nowMs() + 10_000)]);
  });

  test('option errors, checked before the time', () => {
    const t = testEngine();
    put(t, 'k');
    assert.deepEqual(t.run('EXPIRE', 'k', 10, 'foo'), { error: 'ERR Unsupported option foo' });
    assert.deepEqual(t.run('EXPIRE', 'k', 'abc', 'foo'), { error: 'ERR Unsupported option foo' });
    assert.deepEqual(t.run('EXPIRE', 'k', 10, 'NX', 'XX'), NX_CONFLICT);
    assert.deepEqual(t.run('EXPIRE', 'k', 10, 'NX', 'GT'), NX_CONFLICT);
    assert.deepEqual(t.run('PEXPIRE', 'k', 10, 'LT', 'NX'), NX_CONFLICT);
    assert.deepEqual(t.run('EXPIREAT', 'k', 10, 'GT', 'LT'), GT_LT_CONFLICT);
    assert.deepEqual(t.run('EXPIRE', 'k', 'abc'), NOT_INT);
    assert.deepEqual(t.run('EXPIRE', 'k', '1.5'), NOT_INT);
    assert.deepEqual(t.run('EXPIRE', 'k', '9223372036854775808'), NOT_INT);
    assert.deepEqual(t.run('EXPIRE', 'k'), { error: "ERR wrong number of arguments for 'expire' command" });
  });

  test('overflow errors name the command', () => {
    const t = testEngine();
    put(t, 'k');
    assert.deepEqual(t.run('EXPIRE', 'k', '9223372036854775807'), { error: "ERR invalid expire time in 'expire' command" });
    assert.deepEqual(t.run('EXPIRE', 'k', '9223372036854775'), { error: "ERR invalid expire time in 'expire' command" });
    assert.deepEqual(t.run('EXPIRE', 'k', '-9223372036854776'), { error: "ERR invalid expire time in 'expire' command" });
    assert.deepEqual(t.run('PEXPIRE', 'k', '9223372036854775807'), { error: "ERR invalid expire time in 'pexpire' command" });
    assert.deepEqual(t.run('EXPIREAT', 'k', '9223372036854776'), { error: "ERR invalid expire time in 'expireat' command" });
    assert.deepEqual(t.run('EXPIRE', 'nokey', '9223372036854775807'), { error: "ERR invalid expire time in 'expire' command" });
    // The largest times that fit are accepted.
    assert.equal(t.run('EXPIREAT', 'k', '9223372036854775'), 1);
    assert.equal(t.run('PEXPIREAT', 'k', '9223372036854775807'), 1);
  });

  test('extreme expiry times are reported as Redis does (int64, clamped)', () => {
    const t = testEngine();
    put(t, 'k');
    t.run('PEXPIREAT', 'k', '9223372036854775807');
    assert.equal(t.run('PEXPIRETIME', 'k'), 9223372036854775807n);
    assert.equal(t.run('EXPIRETIME', 'k'), 9223372036854776n);
    const expectedTtl = (9223372036854775807n - BigInt(t.clock.nowMs()) + 500n) / 1000n;
    assert.equal(t.run('TTL', 'k'), expectedTtl);
    assert.equal(t.run('EXPIRE', 'k', 10, 'GT'), 0);
    assert.equal(t.run('EXPIRE', 'k', 10, 'LT'), 1);
  });

  test('effects replay to the same state', () => {
    const t = testEngine();
    put(t, 'k');
    t.run('EXPIRE', 'k', 33);
    const replica = testEngine();
    replica.clock.advance(5_000); // the replica applies the log later: same absolute time
    put(replica, 'k');
    for (const e of t.effects) replica.run(...e.argv);
    assert.equal(replica.engine.ks.db(0).peek('k')!.expiresAt, t.engine.ks.db(0).peek('k')!.expiresAt);
  });

  test('property: PEXPIREAT then PEXPIRETIME round trips any future time within 2^53', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER - 1_700_000_000_000 }), (delta) => {
        const t = testEngine();
        put(t, 'k');
        const at = t.clock.nowMs() + delta;
        assert.equal(t.run('PEXPIREAT', 'k', at), 1);
        assert.equal(t.run('PEXPIRETIME', 'k'), at);
        assert.equal(t.run('PTTL', 'k'), delta);
        assert.equal(t.run('TTL', 'k'), Math.floor((delta + 500) / 1000));
      }),
      { numRuns: 300 },
    );
  });
});

describe('TTL, PTTL, EXPIRETIME, PEXPIRETIME', () => {
  test('-2 for a missing key, -1 without a TTL', () => {
    const t = testEngine();
    put(t, 'k');
    for (const cmd of ['TTL', 'PTTL', 'EXPIRETIME', 'PEXPIRETIME']) {
      assert.equal(t.run(cmd, 'nokey'), -2, cmd);
      assert.equal(t.run(cmd, 'k'), -1, cmd);
    }
  });

  test('seconds are rounded to the nearest second', () => {
    const t = testEngine();
    put(t, 'k');
    t.run('PEXPIRE', 'k', 1499);
    assert.equal(t.run('TTL', 'k'), 1);
    t.run('PEXPIRE', 'k', 1500);
    assert.equal(t.run('TTL', 'k'), 2);
    t.run('PEXPIREAT', 'k', 1_800_000_000_499);
    assert.equal(t.run('EXPIRETIME', 'k'), 1_800_000_000);
    t.run('PEXPIREAT', 'k', 1_800_000_000_500);
    assert.equal(t.run('EXPIRETIME', 'k'), 1_800_000_001);
    assert.equal(t.run('PEXPIRETIME', 'k'), 1_800_000_000_500);
  });

  test('TTL does not refresh the access time', () => {
    const t = testEngine();
    put(t, 'k');
    t.run('EXPIRE', 'k', 100);
    t.clock.advance(4000);
    t.run('TTL', 'k');
    assert.equal(t.run('OBJECT', 'IDLETIME', 'k'), 4);
  });
});

describe('PERSIST', () => {
  test('removes a TTL once', () => {
    const t = testEngine();
    put(t, 'k');
    assert.equal(t.run('PERSIST', 'k'), 0);
    assert.equal(t.run('PERSIST', 'nokey'), 0);
    t.run('EXPIRE', 'k', 10);
    assert.equal(t.run('PERSIST', 'k'), 1);
    assert.equal(t.run('TTL', 'k'), -1);
    assert.equal(t.run('PERSIST', 'k'), 0);
    t.clock.advance(20_000);
    assert.equal(t.run('EXISTS', 'k'), 1);
    assert.deepEqual(t.effects.map((e) => e.argv[0]), ['PEXPIREAT', 'PERSIST']);
  });

  test('cannot save a key that has already expired', () => {
    const t = testEngine();
    put(t, 'k');
    t.run('PEXPIRE', 'k', 5);
    t.clock.advance(5);
    assert.equal(t.run('PERSIST', 'k'), 0);
    assert.equal(t.run('EXISTS', 'k'), 0);
  });
});

describe('active expiry', () => {
  test('the cron removes expired keys nobody reads, logging DEL', () => {
    const t = testEngine();
    for (let i = 0; i < 50; i++) put(t, `k${i}`);
    for (let i = 0; i < 50; i++) t.run('PEXPIRE', `k${i}`, 10);
    t.effects.length = 0;
    t.clock.advance(10);
    for (let i = 0; i < 10 && t.engine.ks.db(0).size > 0; i++) t.engine.cron();
    assert.equal(t.engine.ks.db(0).size, 0);
    assert.equal(t.effects.length, 50);
    assert.ok(t.effects.every((e) => e.argv[0] === 'DEL'));
  });
});

describe('declarations', () => {
  test('flags, arity and key positions as Redis 7 COMMAND INFO', () => {
    const t = testEngine();
    const expect: Array<[string, number, string[]]> = [
      ['expire', -3, ['write', 'fast']],
      ['pexpire', -3, ['write', 'fast']],
      ['expireat', -3, ['write', 'fast']],
      ['pexpireat', -3, ['write', 'fast']],
      ['ttl', 2, ['readonly', 'fast']],
      ['pttl', 2, ['readonly', 'fast']],
      ['expiretime', 2, ['readonly', 'fast']],
      ['pexpiretime', 2, ['readonly', 'fast']],
      ['persist', 2, ['write', 'fast']],
    ];
    for (const [name, arity, flags] of expect) {
      const spec = t.engine.commands.get(name)!;
      assert.equal(spec.arity, arity, name);
      assert.deepEqual([...spec.flags], flags, name);
      assert.deepEqual(spec.keys, { first: 1, last: 1, step: 1 }, name);
    }
  });
});
