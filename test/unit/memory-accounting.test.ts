// Memory accounting: every key's estimate is kept up to date by each write, the per-database
// and overall sums equal the sum of fresh estimates, and MEMORY USAGE reports the same number.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { entryBytes } from '../../src/core/memory.js';
import { valueBytes } from '../../src/core/types/registry.js';
import { testEngine, type TestEngine } from '../helpers/engine.js';

function freshSum(t: TestEngine): { total: number; perDb: number[] } {
  const perDb = t.engine.ks.dbs.map((db) => {
    let sum = 0;
    for (const e of db.entries.values()) sum += entryBytes(e, valueBytes(e.type, e.value));
    return sum;
  });
  return { total: perDb.reduce((a, b) => a + b, 0), perDb };
}

describe('MEMORY USAGE', () => {
  const grow: Record<string, (i: number) => Array<string | number>> = {
    string: (i) => ['APPEND', 'k', 'x'.repeat(i)],
    list: (i) => ['RPUSH', 'k', `element-${i}`],
    set: (i) => ['SADD', 'k', `member-${i}`],
    intset: (i) => ['SADD', 'k', i],
    hash: (i) => ['HSET', 'k', `field-${i}`, `value-${i}`],
    zset: (i) => ['ZADD', 'k', i, `member-${i}`],
    stream: (i) => ['XADD', 'k', '*', 'field', `value-${i}`],
  };
  for (const [type, command] of Object.entries(grow)) {
    test(`${type}: grows with the value, through each encoding change, and equals the accounted bytes`, () => {
      const t = testEngine();
      let last = 0;
      for (let i = 1; i <= 600; i++) {
        t.run(...command(i));
        if (i % 7 === 0) t.clock.advance(1);
        if (i % 20 !== 0) continue;
        const usage = t.run('MEMORY', 'USAGE', 'k') as number;
        // A stream is sampled (its first nodes scaled by the node count), as Redis samples it:
        // it grows with each new node, not with each entry.
        if (type === 'stream') assert.ok(usage >= last, `${type} at ${i}: ${usage} after ${last}`);
        else assert.ok(usage > last, `${type} at ${i}: ${usage} after ${last}`);
        assert.equal(usage, t.engine.ks.db(0).peek('k')!.bytes);
        last = usage;
      }
      assert.equal(t.engine.ks.datasetBytes(), last);
      assert.ok(last > (t.run('MEMORY', 'USAGE', 'k') as number) / 2 && last > 20_000, `${type}: ${last}`);
    });
  }

  test('an empty key space accounts nothing; deleting every key returns to zero', () => {
    const t = testEngine();
    assert.equal(t.engine.ks.datasetBytes(), 0);
    t.run('SET', 'a', '1');
    t.run('RPUSH', 'l', 'a', 'b');
    t.run('HSET', 'h', 'f', 'v');
    assert.ok(t.engine.ks.datasetBytes() > 0);
    t.run('DEL', 'a', 'l', 'h');
    assert.equal(t.engine.ks.datasetBytes(), 0);
    t.run('SET', 'a', '1');
    t.run('FLUSHALL');
    assert.equal(t.engine.ks.datasetBytes(), 0);
  });
});

describe('accounted sums', () => {
  test('property: after any workload the sums equal the fresh estimates of every key', () => {
    const key = fc.constantFrom('a', 'b', 'c', 'd');
    const str = fc.string({ maxLength: 80 });
    const cmd = fc.oneof(
      fc.tuple(fc.constantFrom('SET', 'APPEND', 'GETSET'), key, str),
      fc.tuple(fc.constant('SETRANGE'), key, fc.integer({ min: 0, max: 100 }).map(String), str),
      fc.tuple(fc.constantFrom('INCR', 'DEL', 'PERSIST', 'LPOP', 'RPOP', 'SPOP', 'ZPOPMIN', 'GETDEL'), key),
      fc.tuple(fc.constantFrom('LPUSH', 'RPUSH', 'SADD', 'SREM'), key, str, str),
      fc.tuple(fc.constant('LTRIM'), key, fc.constantFrom('0', '1', '-3'), fc.constantFrom('-1', '2', '5')),
      fc.tuple(fc.constant('LSET'), key, fc.constantFrom('0', '-1'), str),
      fc.tuple(fc.constant('LREM'), key, fc.constantFrom('0', '1', '-1'), str),
      fc.tuple(fc.constant('LINSERT'), key, fc.constantFrom('BEFORE', 'AFTER'), str, str),
      fc.tuple(fc.constantFrom('HSET'), key, str, str),
      fc.tuple(fc.constant('HSET'), key, str, fc.string({ minLength: 65, maxLength: 70 })),
      fc.tuple(fc.constant('HDEL'), key, str),
      fc.tuple(fc.constant('HINCRBY'), key, fc.constantFrom('n', 'm'), fc.constantFrom('1', '1000000')),
      fc.tuple(fc.constant('ZADD'), key, fc.integer({ min: -50, max: 50 }).map(String), str),
      fc.tuple(fc.constant('ZINCRBY'), key, fc.constant('1.5'), str),
      fc.tuple(fc.constant('ZREMRANGEBYRANK'), key, fc.constant('0'), fc.constantFrom('0', '3')),
      fc.tuple(fc.constant('XADD'), key, fc.constant('*'), str, str),
      fc.tuple(fc.constant('XTRIM'), key, fc.constant('MAXLEN'), fc.constantFrom('0', '2')),
      fc.tuple(fc.constantFrom('PEXPIRE'), key, fc.integer({ min: 1, max: 500 }).map(String)),
      fc.tuple(fc.constantFrom('RENAME', 'COPY', 'SUNIONSTORE', 'ZUNIONSTORE'), key, key),
      fc.tuple(fc.constant('MOVE'), key, fc.constantFrom('1')),
      fc.tuple(fc.constant('SWAPDB'), fc.constant('0'), fc.constant('1')),
      fc.tuple(fc.constant('SORT'), key, fc.constant('ALPHA'), fc.constant('STORE'), key),
      fc.tuple(fc.constant('ADVANCE'), fc.integer({ min: 1, max: 300 })),
    );
    fc.assert(
      fc.property(fc.array(cmd, { minLength: 1, maxLength: 100 }), (cmds) => {
        const t = testEngine();
        for (const [name, ...args] of cmds as Array<[string, ...Array<string | number>]>) {
          if (name === 'ADVANCE') {
            t.clock.advance(args[0] as number);
            t.engine.cron();
            continue;
          }
          if (name === 'ZUNIONSTORE') t.run(name, args[0]!, 1, args[1]!);
          else t.run(name, ...args);
        }
        const fresh = freshSum(t);
        assert.equal(t.engine.ks.datasetBytes(), fresh.total);
        assert.deepEqual(t.engine.ks.dbs.map((db) => db.usedBytes), fresh.perDb);
      }),
      { numRuns: 200 },
    );
  });
});

describe('INFO memory and MEMORY STATS', () => {
  test('used_memory is the baseline plus the accounted data set; MEMORY STATS in Redis field order', () => {
    const t = testEngine();
    for (let i = 0; i < 100; i++) t.run('SET', `key:${i}`, 'v'.repeat(50));
    t.run('EXPIRE', 'key:1', 100);
    const used = t.engine.usedMemory();
    const info = t.run('INFO', 'memory') as string;
    assert.match(info, new RegExp(`used_memory:${used}\\r\\n`));
    assert.match(info, new RegExp(`used_memory_dataset:${t.engine.ks.datasetBytes()}\\r\\n`));
    const stats = t.run('MEMORY', 'STATS') as Map<string, unknown>;
    const names = [...stats.keys()];
    assert.deepEqual(names.slice(0, 11), ['peak.allocated', 'total.allocated', 'startup.allocated', 'replication.backlog',
      'clients.slaves', 'clients.normal', 'cluster.links', 'aof.buffer', 'lua.caches', 'functions.caches', 'db.0']);
    assert.equal(stats.get('total.allocated'), used);
    assert.equal(stats.get('keys.count'), 100);
    assert.equal(stats.get('keys.bytes-per-key'), Math.floor(used / 100));
    const db0 = stats.get('db.0') as Map<string, number>;
    assert.ok(db0.get('overhead.hashtable.main')! > 0 && db0.get('overhead.hashtable.expires')! > 0);
    assert.ok((stats.get('dataset.bytes') as number) > 0);
    assert.ok((stats.get('peak.allocated') as number) >= used);
  });
});
