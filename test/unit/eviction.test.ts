// maxmemory eviction: each policy picks the victims Redis's sampled approximation would, exactly
// when the samples cover the whole key space; OOM under noeviction; LFU counter formulas;
// evictions replay identically from their DEL effects.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { keyspaceDigest } from '../../src/core/digest.js';
import { evictionKeyBudget } from '../../src/core/eviction.js';
import { lfuDecayed, lfuIncrement } from '../../src/core/lfu.js';
import { ReplyKind } from '../../src/core/reply.js';
import { Rng } from '../../src/core/rng.js';
import { testEngine, type TestEngine } from '../helpers/engine.js';

const OOM = { error: "OOM command not allowed when used memory > 'maxmemory'." };

/** Ten same-sized string keys k0..k9, created a second apart. */
function tenKeys(t: TestEngine, withTtl: (i: number) => number | null = () => null): void {
  for (let i = 0; i < 10; i++) {
    t.run('SET', `k${i}`, 'v'.repeat(20));
    const ttl = withTtl(i);
    if (ttl !== null) t.run('PEXPIRE', `k${i}`, ttl);
    t.clock.advance(1000);
  }
}

/** Sets maxmemory so that exactly `n` of the (same-sized) keys must go, and runs one command. */
function squeeze(t: TestEngine, n: number, policy: string): string[] {
  // Victims are the biggest keys in these tests (a TTL costs a slot): size the squeeze by them.
  const biggest = Math.max(...[...t.engine.ks.db(0).entries.values()].map((e) => e.bytes));
  t.run('CONFIG', 'SET', 'maxmemory-policy', policy);
  t.run('CONFIG', 'SET', 'maxmemory-samples', '64'); // >= key count: exact
  const target = t.engine.usedMemory() - (n - 1) * biggest - 1;
  const before = t.effects.length;
  t.run('CONFIG', 'SET', 'maxmemory', String(target));
  t.run('PING');
  return t.effects.slice(before).filter((e) => e.argv[0] === 'DEL').map((e) => e.argv[1]!);
}

describe('eviction policies', () => {
  test('allkeys-lru evicts the least recently accessed keys first', () => {
    const t = testEngine();
    tenKeys(t);
    // Touch every key but k3, k7 and k1, most recently last.
    for (const i of [0, 2, 4, 5, 6, 8, 9]) {
      t.run('GET', `k${i}`);
      t.clock.advance(1000);
    }
    assert.deepEqual(squeeze(t, 3, 'allkeys-lru'), ['k1', 'k3', 'k7']);
    assert.equal(t.engine.ks.stats.evictedKeys, 3);
    assert.ok(t.engine.usedMemory() <= t.engine.eviction.maxmemory);
    const info = t.run('INFO', 'stats') as string;
    assert.match(info, /evicted_keys:3\r\n/);
  });

  test('volatile-lru evicts only keys with a TTL, least recently used first', () => {
    const t = testEngine();
    tenKeys(t, (i) => (i % 2 === 0 ? 1_000_000 : null));
    t.run('GET', 'k0');
    assert.deepEqual(squeeze(t, 2, 'volatile-lru'), ['k2', 'k4']);
  });

  test('volatile-ttl evicts the keys closest to expiry', () => {
    const t = testEngine();
    tenKeys(t, (i) => (i < 5 ? null : 1_000_000 - i * 10_000));
    assert.deepEqual(squeeze(t, 2, 'volatile-ttl'), ['k9', 'k8']);
  });

  test('allkeys-lfu evicts the least frequently used keys; volatile-lfu keeps keys without TTL', () => {
    const t = testEngine({ config: { 'maxmemory-policy': 'allkeys-lfu', 'lfu-log-factor': '0' } });
    tenKeys(t);
    // With lfu-log-factor 0 every access adds one: k<i> is read i times (k0 and k1 stay lowest).
    for (let i = 0; i < 10; i++) for (let n = 0; n < i; n++) t.run('GET', `k${i}`);
    assert.equal(t.run('OBJECT', 'FREQ', 'k4'), 5 + 4);
    assert.deepEqual(squeeze(t, 2, 'allkeys-lfu'), ['k0', 'k1']);

    const v = testEngine({ config: { 'maxmemory-policy': 'volatile-lfu', 'lfu-log-factor': '0' } });
    tenKeys(v, (i) => (i >= 6 ? 1_000_000 : null));
    for (let i = 0; i < 10; i++) for (let n = 0; n < 10 - i; n++) v.run('GET', `k${i}`);
    assert.deepEqual(squeeze(v, 2, 'volatile-lfu'), ['k9', 'k8']);
  });

  test('allkeys-random evicts until under the limit; volatile-random only keys with a TTL', () => {
    const t = testEngine();
    tenKeys(t);
    assert.equal(squeeze(t, 4, 'allkeys-random').length, 4);
    assert.equal(t.engine.ks.db(0).size, 6);

    const v = testEngine();
    tenKeys(v, (i) => (i < 3 ? 1_000_000 : null));
    const victims = squeeze(v, 2, 'volatile-random');
    assert.equal(victims.length, 2);
    for (const k of victims) assert.ok(['k0', 'k1', 'k2'].includes(k), k);
  });

  test('volatile-* never evict keys without a TTL: OOM when none is left', () => {
    for (const policy of ['volatile-lru', 'volatile-lfu', 'volatile-random', 'volatile-ttl']) {
      const t = testEngine();
      tenKeys(t, (i) => (i === 0 ? 1_000_000 : null));
      t.run('CONFIG', 'SET', 'maxmemory-policy', policy);
      t.run('CONFIG', 'SET', 'maxmemory', String(t.engine.usedMemory() - 1000));
      assert.deepEqual(t.run('SET', 'new', 'x'), OOM, policy);
      assert.equal(t.engine.ks.db(0).size, 9, `${policy}: only the key with a TTL went`);
      assert.equal(t.engine.ks.db(0).peek('k0'), undefined);
    }
  });

  test('sampling with the default 5 samples still prefers idle keys (pool of 16 across calls)', () => {
    const t = testEngine({ seed: 3 });
    for (let i = 0; i < 200; i++) t.run('SET', `k${i}`, 'v'.repeat(20));
    t.clock.advance(100_000);
    for (let i = 100; i < 200; i++) t.run('GET', `k${i}`); // the upper half is recent
    t.run('CONFIG', 'SET', 'maxmemory-policy', 'allkeys-lru');
    const perKey = t.engine.ks.db(0).peek('k0')!.bytes;
    t.run('CONFIG', 'SET', 'maxmemory', String(t.engine.usedMemory() - 49 * perKey - 1));
    const before = t.effects.length;
    t.run('PING');
    const victims = t.effects.slice(before).map((e) => Number(e.argv[1]!.slice(1)));
    assert.equal(victims.length, 50);
    const old = victims.filter((i) => i < 100).length;
    assert.ok(old >= 45, `most victims are idle keys: ${old}/50`);
  });
});

describe('out of memory', () => {
  test('noeviction: denyoom commands get OOM; reads and deletions go on', () => {
    const t = testEngine();
    tenKeys(t);
    t.run('CONFIG', 'SET', 'maxmemory', String(t.engine.usedMemory() - 1));
    assert.deepEqual(t.run('SET', 'x', 'y'), OOM);
    assert.deepEqual(t.run('LPUSH', 'l', 'y'), OOM);
    assert.equal(t.run('GET', 'k1'), 'v'.repeat(20));
    assert.equal(t.run('DEL', 'k1'), 1, 'DEL is not denyoom');
    assert.equal(t.engine.ks.stats.evictedKeys, 0);
    assert.equal(t.run('SET', 'x', 'y'), 'OK', 'under the limit again');
    const info = t.run('INFO', 'memory') as string;
    assert.match(info, /maxmemory_policy:noeviction/);
  });

  test('MULTI: commands are refused at queue time; EXEC with a denyoom command is refused', () => {
    const t = testEngine();
    tenKeys(t);
    const admin = t.session();
    assert.equal(t.run('MULTI'), 'OK');
    assert.equal(t.run('SET', 'a', 'b'), 'QUEUED');
    admin.raw(['CONFIG', 'SET', 'maxmemory', String(t.engine.usedMemory() - 1)]);
    assert.deepEqual(t.run('EXEC'), { error: `EXECABORT Transaction discarded because of: ${OOM.error}` });
    assert.equal(t.run('MULTI'), 'OK');
    assert.deepEqual(t.run('GET', 'k1'), OOM, 'queuing itself is refused in MULTI');
    assert.deepEqual(t.run('DISCARD'), 'OK');
    assert.equal(t.run('GET', 'k1'), 'v'.repeat(20), 'reads outside MULTI go on');
  });

  test('maxmemory 0 means no limit', () => {
    const t = testEngine();
    tenKeys(t);
    assert.equal(t.engine.eviction.maxmemory, 0);
    assert.equal(t.run('SET', 'x', 'y'), 'OK');
  });
});

describe('LFU counter (Redis formulas)', () => {
  test('growth is logarithmic: about 10 after 100 hits and 18 after 1000 with lfu-log-factor 10', () => {
    const rng = new Rng(11);
    let c = 5;
    const at: number[] = [];
    for (let hits = 1; hits <= 100_000; hits++) {
      c = lfuIncrement(c, 10, rng);
      if (hits === 100 || hits === 1000 || hits === 100_000) at.push(c);
    }
    // redis.conf's table for factor 10: 100 hits -> 10, 1K -> 18, 100K -> 142.
    assert.ok(at[0]! >= 8 && at[0]! <= 12, `100 hits: ${at[0]}`);
    assert.ok(at[1]! >= 15 && at[1]! <= 21, `1000 hits: ${at[1]}`);
    assert.ok(at[2]! >= 125 && at[2]! <= 160, `100K hits: ${at[2]}`);
    assert.equal(lfuIncrement(255, 10, rng), 255);
    assert.equal(lfuIncrement(3, 10, new Rng(1)), 4, 'below LFU_INIT_VAL every hit counts');
  });

  test('decay: one point per lfu-decay-time minutes, never below 0; 0 disables', () => {
    const m = 60_000;
    assert.equal(lfuDecayed(20, 0, 59_999, 1), 20);
    assert.equal(lfuDecayed(20, 0, 3 * m, 1), 17);
    assert.equal(lfuDecayed(20, 0, 10 * m, 2), 15);
    assert.equal(lfuDecayed(3, 0, 10 * m, 1), 0);
    assert.equal(lfuDecayed(20, 0, 100 * m, 0), 20);
  });

  test('OBJECT FREQ reads the decayed counter under LFU; OBJECT IDLETIME errors then', () => {
    const t = testEngine({ config: { 'maxmemory-policy': 'allkeys-lfu', 'lfu-log-factor': '0' } });
    t.run('SET', 'k', 'v');
    assert.equal(t.run('OBJECT', 'FREQ', 'k'), 5);
    t.run('GET', 'k');
    t.run('GET', 'k');
    assert.equal(t.run('OBJECT', 'FREQ', 'k'), 7);
    t.clock.advance(3 * 60_000);
    assert.equal(t.run('OBJECT', 'FREQ', 'k'), 4);
    assert.match((t.run('OBJECT', 'IDLETIME', 'k') as { error: string }).error, /^ERR An LFU maxmemory policy is selected, idle time not tracked/);
    t.run('CONFIG', 'SET', 'maxmemory-policy', 'allkeys-lru');
    assert.match((t.run('OBJECT', 'FREQ', 'k') as { error: string }).error, /^ERR An LFU maxmemory policy is not selected/);
    assert.equal(t.run('OBJECT', 'IDLETIME', 'k'), 180);
  });
});

describe('effects', () => {
  test('each eviction is a DEL effect, an evicted event and a WATCH change', () => {
    const t = testEngine();
    tenKeys(t);
    t.run('CONFIG', 'SET', 'notify-keyspace-events', 'Ee');
    const sub = t.session();
    sub.raw(['SUBSCRIBE', '__keyevent@0__:evicted']);
    const watcher = t.session();
    watcher.raw(['WATCH', 'k0']);
    watcher.raw(['MULTI']);
    watcher.raw(['SET', 'z', '1']);
    const victims = squeeze(t, 1, 'allkeys-lru');
    assert.deepEqual(victims, ['k0']);
    assert.equal(watcher.raw(['EXEC']).k, ReplyKind.NilArray, 'eviction breaks WATCH');
  });

  test('replaying effects with evictions gives identical data (random workloads)', () => {
    const key = fc.integer({ min: 0, max: 40 }).map((i) => `k${i}`);
    const cmd = fc.oneof(
      fc.tuple(fc.constant('SET'), key, fc.integer({ min: 0, max: 300 }).map((n) => 'x'.repeat(n))),
      fc.tuple(fc.constant('RPUSH'), key, fc.string({ maxLength: 20 })),
      fc.tuple(fc.constant('HSET'), key, fc.string({ maxLength: 5 }), fc.string({ maxLength: 40 })),
      fc.tuple(fc.constant('SADD'), key, fc.string({ maxLength: 8 })),
      fc.tuple(fc.constant('ZADD'), key, fc.integer({ min: 0, max: 100 }).map(String), fc.string({ maxLength: 8 })),
      fc.tuple(fc.constant('GET'), key),
      fc.tuple(fc.constant('PEXPIRE'), key, fc.integer({ min: 1, max: 5000 }).map(String)),
      fc.tuple(fc.constant('ADVANCE'), fc.integer({ min: 1, max: 2000 })),
    );
    const policy = fc.constantFrom('allkeys-lru', 'allkeys-lfu', 'allkeys-random', 'volatile-lru', 'volatile-ttl', 'volatile-random', 'volatile-lfu');
    fc.assert(
      fc.property(policy, fc.array(cmd, { minLength: 1, maxLength: 120 }), (p, cmds) => {
        const source = testEngine({ seed: 5, config: { maxmemory: '6000', 'maxmemory-policy': p } });
        const replica = testEngine({ seed: 77 });
        const replay = replica.session();
        for (const [name, ...args] of cmds as Array<[string, ...Array<string | number>]>) {
          if (name === 'ADVANCE') {
            source.clock.advance(args[0] as number);
            replica.clock.advance(args[0] as number);
            continue;
          }
          source.raw(name, ...args);
        }
        replica.engine.ks.now = replica.clock.nowMs();
        for (const e of source.effects) {
          assert.equal(e.db, 0);
          const r = replay.raw(e.argv as string[]);
          assert.notEqual(r.k, ReplyKind.Error, `${e.argv.join(' ')}: ${r.v}`);
        }
        source.engine.ks.now = source.clock.nowMs();
        assert.equal(keyspaceDigest(replica.engine.ks), keyspaceDigest(source.engine.ks));
        assert.ok(source.engine.usedMemory() <= 6000 || source.engine.ks.db(0).size <= 1 || p.startsWith('volatile'));
      }),
      { numRuns: 150 },
    );
  });

  test('tenacity bounds one call in keys; 100 means no bound', () => {
    assert.equal(evictionKeyBudget(0), 16);
    assert.equal(evictionKeyBudget(10), 250);
    assert.ok(evictionKeyBudget(50) > evictionKeyBudget(10));
    assert.equal(evictionKeyBudget(100), Number.POSITIVE_INFINITY);
  });
});
