// Generic key commands (src/core/commands/keys.ts) and the database commands
// (src/core/commands/databases.ts). Expected replies and error texts were checked against
// a real redis-server 7.0.15.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { testEngine, type TestEngine } from '../helpers/engine.js';
import { ReplyKind, type Reply } from '../../src/core/reply.js';
import { parseScanCursor } from '../../src/core/commands/keys.js';

/** Stores a string directly in the key space, so these tests do not depend on SET. */
function put(t: TestEngine, key: string, value: string, db = 0): void {
  t.engine.ks.now = t.clock.nowMs();
  t.engine.ks.db(db).set(key, 'string', value);
}

function stored(t: TestEngine, key: string, db = 0): string | undefined {
  return t.engine.ks.db(db).peek(key)?.value as string | undefined;
}

function sorted(x: unknown): string[] {
  return [...(x as string[])].sort();
}

const SYNTAX = { error: 'ERR syntax error' };
const NOT_INT = { error: 'ERR value is not an integer or out of range' };
const SAME = { error: 'ERR source and destination objects are the same' };
const DB_RANGE = { error: 'ERR DB index is out of range' };
const INT_RANGE = { error: 'ERR value is out of range, value must between -2147483648 and 2147483647' };

describe('DEL and UNLINK', () => {
  for (const cmd of ['DEL', 'UNLINK']) {
    test(`${cmd} counts the keys removed, once per key`, () => {
      const t = testEngine();
      put(t, 'a', '1');
      put(t, 'b', '2');
      assert.equal(t.run(cmd, 'a', 'a', 'b', 'missing'), 2);
      assert.equal(t.engine.ks.db(0).size, 0);
      assert.equal(t.run(cmd, 'a'), 0);
      assert.deepEqual(t.run(cmd), { error: `ERR wrong number of arguments for '${cmd.toLowerCase()}' command` });
    });

    test(`${cmd} of an expired key counts 0 and logs the expiry as DEL`, () => {
      const t = testEngine();
      put(t, 'a', '1');
      t.run('PEXPIRE', 'a', 100);
      t.effects.length = 0;
      t.clock.advance(100);
      assert.equal(t.run(cmd, 'a'), 0);
      assert.deepEqual(t.effects, [{ db: 0, argv: ['DEL', 'a'] }]);
    });
  }

  test('a DEL that removes something is logged as sent; one that removes nothing is not', () => {
    const t = testEngine();
    put(t, 'a', '1');
    t.run('DEL', 'a', 'zz');
    t.run('DEL', 'nothing');
    assert.deepEqual(t.effects, [{ db: 0, argv: ['DEL', 'a', 'zz'] }]);
  });
});

describe('EXISTS, TYPE, TOUCH', () => {
  test('EXISTS counts repeated keys each time', () => {
    const t = testEngine();
    put(t, 'k', 'v');
    assert.equal(t.run('EXISTS', 'k', 'k', 'nokey'), 2);
    assert.equal(t.run('EXISTS', 'nokey'), 0);
  });

  test('EXISTS and TYPE count hits and misses but leave the access time alone', () => {
    const t = testEngine();
    put(t, 'k', 'v');
    t.clock.advance(5000);
    t.run('EXISTS', 'k', 'nokey');
    t.run('TYPE', 'k');
    assert.equal(t.run('OBJECT', 'IDLETIME', 'k'), 5);
    assert.equal(t.engine.ks.stats.keyspaceHits, 3);
    assert.equal(t.engine.ks.stats.keyspaceMisses, 1);
  });

  test('TYPE answers a simple string, none for a missing key', () => {
    const t = testEngine();
    put(t, 'k', 'v');
    const r = t.raw('TYPE', 'k');
    assert.equal(r.k, ReplyKind.Simple);
    assert.equal(r.v, 'string');
    const none = t.raw('TYPE', 'nokey');
    assert.equal(none.k, ReplyKind.Simple);
    assert.equal(none.v, 'none');
  });

  test('TYPE of an expired key is none', () => {
    const t = testEngine();
    put(t, 'k', 'v');
    t.run('PEXPIRE', 'k', 10);
    t.clock.advance(10);
    assert.equal(t.run('TYPE', 'k'), 'none');
  });

  test('TOUCH counts existing keys and refreshes their access time', () => {
    const t = testEngine();
    put(t, 'k', 'v');
    t.clock.advance(3000);
    assert.equal(t.run('TOUCH', 'k', 'nokey', 'k'), 2);
    assert.equal(t.run('OBJECT', 'IDLETIME', 'k'), 0);
  });
});

describe('RENAME and RENAMENX', () => {
  test('RENAME moves the value and keeps the TTL', () => {
    const t = testEngine();
    put(t, 'a', 'v');
    t.run('PEXPIRE', 'a', 5000);
    assert.equal(t.run('RENAME', 'a', 'b'), 'OK');
    assert.equal(stored(t, 'a'), undefined);
    assert.equal(stored(t, 'b'), 'v');
    assert.equal(t.run('PTTL', 'b'), 5000);
  });

  test('RENAME replaces an existing destination, and its TTL', () => {
    const t = testEngine();
    put(t, 'a', 'new');
    put(t, 'b', 'old');
    t.run('EXPIRE', 'b', 100);
    assert.equal(t.run('RENAME', 'a', 'b'), 'OK');
    assert.equal(stored(t, 'b'), 'new');
    assert.equal(t.run('TTL', 'b'), -1);
    assert.equal(t.engine.ks.db(0).size, 1);
  });

  test('RENAME of a missing or expired key is an error', () => {
    const t = testEngine();
    assert.deepEqual(t.run('RENAME', 'nokey', 'x'), { error: 'ERR no such key' });
    assert.deepEqual(t.run('RENAMENX', 'nokey', 'x'), { error: 'ERR no such key' });
    put(t, 'a', 'v');
    t.run('PEXPIRE', 'a', 1);
    t.clock.advance(1);
    assert.deepEqual(t.run('RENAME', 'a', 'x'), { error: 'ERR no such key' });
  });

  test('renaming a key to itself changes nothing and is not logged', () => {
    const t = testEngine();
    put(t, 'a', 'v');
    assert.equal(t.run('RENAME', 'a', 'a'), 'OK');
    assert.equal(t.run('RENAMENX', 'a', 'a'), 0);
    assert.equal(stored(t, 'a'), 'v');
    assert.deepEqual(t.effects, []);
  });

  test('RENAMENX refuses an existing destination', () => {
    const t = testEngine();
    put(t, 'a', '1');
    put(t, 'b', '2');
    assert.equal(t.run('RENAMENX', 'a', 'b'), 0);
    assert.equal(stored(t, 'b'), '2');
    assert.equal(t.run('RENAMENX', 'a', 'c'), 1);
    assert.equal(stored(t, 'c'), '1');
    assert.deepEqual(t.effects, [{ db: 0, argv: ['RENAMENX', 'a', 'c'] }]);
  });

  test('RENAMENX onto an expired key succeeds', () => {
    const t = testEngine();
    put(t, 'a', '1');
    put(t, 'b', '2');
    t.run('PEXPIRE', 'b', 1);
    t.clock.advance(1);
    assert.equal(t.run('RENAMENX', 'a', 'b'), 1);
    assert.equal(stored(t, 'b'), '1');
  });

  test('RENAME keeps the raw encoding of a string changed in place', () => {
    const t = testEngine();
    put(t, 'a', '12');
    t.engine.ks.db(0).peek('a')!.rawEncoding = true;
    t.run('RENAME', 'a', 'b');
    assert.equal(t.run('OBJECT', 'ENCODING', 'b'), 'raw');
  });
});

describe('COPY', () => {
  test('copies value and TTL within a database', () => {
    const t = testEngine();
    put(t, 'a', 'v');
    t.run('PEXPIRE', 'a', 7000);
    assert.equal(t.run('COPY', 'a', 'b'), 1);
    assert.equal(stored(t, 'a'), 'v');
    assert.equal(stored(t, 'b'), 'v');
    assert.equal(t.run('PTTL', 'b'), 7000);
  });

  test('refuses an existing destination unless REPLACE', () => {
    const t = testEngine();
    put(t, 'a', 'new');
    put(t, 'b', 'old');
    assert.equal(t.run('COPY', 'a', 'b'), 0);
    assert.equal(stored(t, 'b'), 'old');
    assert.equal(t.run('COPY', 'a', 'b', 'replace'), 1);
    assert.equal(stored(t, 'b'), 'new');
  });

  test('copies to another database with DB', () => {
    const t = testEngine();
    put(t, 'a', 'v');
    assert.equal(t.run('COPY', 'a', 'a', 'DB', 3), 1);
    assert.equal(stored(t, 'a', 3), 'v');
    assert.equal(t.run('COPY', 'a', 'a', 'DB', 3), 0);
    assert.equal(t.run('COPY', 'a', 'a', 'DB', 3, 'REPLACE'), 1);
    assert.deepEqual(t.effects.map((e) => e.argv), [['COPY', 'a', 'a', 'DB', '3'], ['COPY', 'a', 'a', 'DB', '3', 'REPLACE']]);
  });

  test('a missing source copies nothing', () => {
    const t = testEngine();
    assert.equal(t.run('COPY', 'nokey', 'b'), 0);
    assert.deepEqual(t.effects, []);
  });

  test('errors, in Redis order', () => {
    const t = testEngine();
    put(t, 'k', 'v');
    assert.deepEqual(t.run('COPY', 'k', 'k'), SAME);
    assert.deepEqual(t.run('COPY', 'nokey', 'nokey'), SAME);
    assert.deepEqual(t.run('COPY', 'k', 'k', 'DB', 0), SAME);
    assert.deepEqual(t.run('COPY', 'k', 'k2', 'DB', 99), DB_RANGE);
    assert.deepEqual(t.run('COPY', 'k', 'k2', 'DB', -1), DB_RANGE);
    assert.deepEqual(t.run('COPY', 'k', 'k2', 'DB', 'x'), NOT_INT);
    assert.deepEqual(t.run('COPY', 'k', 'k2', 'DB', '99999999999'), INT_RANGE);
    assert.deepEqual(t.run('COPY', 'k', 'k2', 'foo'), SYNTAX);
    assert.deepEqual(t.run('COPY', 'k', 'k2', 'DB'), SYNTAX);
    assert.deepEqual(t.run('COPY', 'k'), { error: "ERR wrong number of arguments for 'copy' command" });
  });

  test('the copy is independent: the encoding flag travels, the access time is fresh', () => {
    const t = testEngine();
    put(t, 'a', '5');
    t.engine.ks.db(0).peek('a')!.rawEncoding = true;
    t.clock.advance(4000);
    t.run('COPY', 'a', 'b');
    assert.equal(t.run('OBJECT', 'ENCODING', 'b'), 'raw');
    assert.equal(t.run('OBJECT', 'IDLETIME', 'b'), 0);
  });
});

describe('MOVE', () => {
  test('moves a key with its TTL to another database', () => {
    const t = testEngine();
    put(t, 'k', 'v');
    t.run('PEXPIRE', 'k', 9000);
    assert.equal(t.run('MOVE', 'k', 2), 1);
    assert.equal(stored(t, 'k'), undefined);
    assert.equal(stored(t, 'k', 2), 'v');
    assert.equal(t.engine.ks.db(2).peek('k')!.expiresAt, t.clock.nowMs() + 9000);
  });

  test('does nothing when the key is missing or exists in the target', () => {
    const t = testEngine();
    assert.equal(t.run('MOVE', 'k', 1), 0);
    put(t, 'k', 'here');
    put(t, 'k', 'there', 1);
    assert.equal(t.run('MOVE', 'k', 1), 0);
    assert.equal(stored(t, 'k'), 'here');
    assert.equal(stored(t, 'k', 1), 'there');
  });

  test('errors, in Redis order', () => {
    const t = testEngine();
    put(t, 'k', 'v');
    assert.deepEqual(t.run('MOVE', 'k', 0), SAME);
    assert.deepEqual(t.run('MOVE', 'nokey', 0), SAME);
    assert.deepEqual(t.run('MOVE', 'k', 16), DB_RANGE);
    assert.deepEqual(t.run('MOVE', 'k', -1), DB_RANGE);
    assert.deepEqual(t.run('MOVE', 'k', 'abc'), NOT_INT);
    assert.deepEqual(t.run('MOVE', 'k', '99999999999'), INT_RANGE);
  });

  test('moves from the selected database', () => {
    const t = testEngine();
    put(t, 'k', 'v', 5);
    t.run('SELECT', 5);
    assert.equal(t.run('MOVE', 'k', 0), 1);
    assert.equal(stored(t, 'k', 0), 'v');
    assert.deepEqual(t.effects, [{ db: 5, argv: ['MOVE', 'k', '0'] }]);
  });
});

describe('KEYS', () => {
  test('matches glob patterns and skips expired keys', () => {
    const t = testEngine();
    for (const k of ['one', 'two', 'three', 'four']) put(t, k, 'v');
    t.run('PEXPIRE', 'four', 5);
    assert.deepEqual(sorted(t.run('KEYS', '*')), ['four', 'one', 'three', 'two']);
    assert.deepEqual(sorted(t.run('KEYS', 't*')), ['three', 'two']);
    assert.deepEqual(sorted(t.run('KEYS', '?o*')), ['four']);
    assert.deepEqual(sorted(t.run('KEYS', '[ot][nw]*')), ['one', 'two']);
    t.clock.advance(5);
    assert.deepEqual(sorted(t.run('KEYS', '*')), ['one', 'three', 'two']);
    assert.deepEqual(t.run('KEYS', 'x*'), []);
  });

  test('the empty key matches only * (the shortcut) and the empty pattern, as in Redis', () => {
    const t = testEngine();
    put(t, '', 'v');
    put(t, 'a', 'v');
    assert.deepEqual(sorted(t.run('KEYS', '*')), ['', 'a']);
    assert.deepEqual(t.run('KEYS', '**'), ['a']);
    assert.deepEqual(t.run('KEYS', '*?'), ['a']);
    assert.deepEqual(t.run('KEYS', ''), ['']);
    assert.deepEqual(t.run('SCAN', 0, 'MATCH', '**'), ['0', ['a']]);
    assert.deepEqual(sorted((t.run('SCAN', 0, 'MATCH', '*') as [string, string[]])[1]), ['', 'a']);
  });

  test('is binary safe', () => {
    const t = testEngine();
    put(t, 'a\x00\xff', 'v');
    const r = t.raw('KEYS', '*');
    assert.deepEqual((r.v as Reply[]).map((x) => x.v), ['a\x00\xff']);
  });
});

describe('SCAN', () => {
  function scanAll(t: TestEngine, ...options: Array<string | number>): string[] {
    const seen: string[] = [];
    let cursor = '0';
    let calls = 0;
    do {
      const [next, keys] = t.run('SCAN', cursor, ...options) as [string, string[]];
      seen.push(...keys);
      cursor = next;
      assert.ok(++calls < 10_000, 'scan terminates');
    } while (cursor !== '0');
    return seen;
  }

  test('reply shape: a cursor string and an array of keys', () => {
    const t = testEngine();
    put(t, 'k', 'v');
    const r = t.raw('SCAN', 0);
    assert.equal(r.k, ReplyKind.Array);
    const [cursor, keys] = r.v as Reply[];
    assert.equal(cursor!.k, ReplyKind.Bulk);
    assert.equal(cursor!.v, '0');
    assert.equal(keys!.k, ReplyKind.Array);
    assert.deepEqual(t.run('SCAN', 0), ['0', ['k']]);
  });

  test('a full iteration returns every key, COUNT bounds each step', () => {
    const t = testEngine();
    const all = Array.from({ length: 57 }, (_, i) => `key:${i}`);
    for (const k of all) put(t, k, 'v');
    const first = t.run('SCAN', 0, 'COUNT', 5) as [string, string[]];
    assert.equal(first[1].length, 5);
    assert.notEqual(first[0], '0');
    assert.deepEqual(scanAll(t).sort(), [...all].sort());
    assert.deepEqual(scanAll(t, 'COUNT', 1).sort(), [...all].sort());
    assert.deepEqual(scanAll(t, 'COUNT', 1000).sort(), [...all].sort());
  });

  test('MATCH and TYPE filter; an unknown type matches nothing; TYPE is case-insensitive', () => {
    const t = testEngine();
    for (let i = 0; i < 20; i++) put(t, `${i % 2 === 0 ? 'even' : 'odd'}:${i}`, 'v');
    assert.equal(scanAll(t, 'MATCH', 'even:*').length, 10);
    assert.equal(scanAll(t, 'MATCH', '*').length, 20);
    assert.equal(scanAll(t, 'TYPE', 'string').length, 20);
    assert.equal(scanAll(t, 'TYPE', 'STRING').length, 20);
    assert.equal(scanAll(t, 'TYPE', 'list').length, 0);
    assert.equal(scanAll(t, 'TYPE', 'foo').length, 0);
    assert.equal(scanAll(t, 'match', 'odd:1*', 'count', 3, 'type', 'string').length, 6); // 1, 11, 13, 15, 17, 19
  });

  test('skips expired keys', () => {
    const t = testEngine();
    put(t, 'live', 'v');
    put(t, 'dead', 'v');
    t.run('PEXPIRE', 'dead', 1);
    t.clock.advance(1);
    assert.deepEqual(scanAll(t), ['live']);
  });

  test('cursor parsing follows strtoul', () => {
    const t = testEngine();
    put(t, 'k', 'v');
    for (const bad of ['abc', ' 0', '-', '+', '1x', '0x10', '18446744073709551616']) {
      assert.deepEqual(t.run('SCAN', bad), { error: 'ERR invalid cursor' }, bad);
    }
    for (const ok of ['', '+0', '-0', '-1', '007', '18446744073709551615']) {
      assert.deepEqual(t.run('SCAN', ok), ['0', ['k']], ok);
    }
    assert.equal(parseScanCursor('-1'), 2 ** 64);
    assert.equal(parseScanCursor('12'), 12);
  });

  test('option errors', () => {
    const t = testEngine();
    assert.deepEqual(t.run('SCAN', 0, 'COUNT', 0), SYNTAX);
    assert.deepEqual(t.run('SCAN', 0, 'COUNT', -5), SYNTAX);
    assert.deepEqual(t.run('SCAN', 0, 'COUNT', 'x'), NOT_INT);
    assert.deepEqual(t.run('SCAN', 0, 'MATCH'), SYNTAX);
    assert.deepEqual(t.run('SCAN', 0, 'COUNT', 5, 'MATCH'), SYNTAX);
    assert.deepEqual(t.run('SCAN', 0, 'foo', 'bar'), SYNTAX);
    assert.deepEqual(t.run('SCAN', 'x', 'COUNT', 0), { error: 'ERR invalid cursor' });
    assert.deepEqual(t.run('SCAN'), { error: "ERR wrong number of arguments for 'scan' command" });
  });

  test('property: a key present for the whole iteration is returned at least once', () => {
    const op = fc.oneof(
      fc.record({ add: fc.integer({ min: 0, max: 200 }) }),
      fc.record({ del: fc.integer({ min: 0, max: 200 }) }),
    );
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.integer({ min: 0, max: 200 }), { maxLength: 120 }),
        fc.integer({ min: 1, max: 20 }),
        fc.array(fc.array(op, { maxLength: 8 }), { maxLength: 200 }),
        (initial, count, between) => {
          const t = testEngine();
          for (const n of initial) put(t, `k${n}`, 'v');
          const touched = new Set<string>();
          const seen = new Set<string>();
          let cursor = '0';
          let step = 0;
          do {
            const [next, keys] = t.run('SCAN', cursor, 'COUNT', count) as [string, string[]];
            for (const k of keys) seen.add(k);
            cursor = next;
            // Random writes between calls; any key they touch is no longer "present throughout".
            for (const o of between[step++ % Math.max(1, between.length)] ?? []) {
              const key = `k${'add' in o ? o.add : o.del}`;
              touched.add(key);
              if ('add' in o) put(t, key, 'v');
              else t.engine.ks.db(0).delete(key);
            }
            assert.ok(step < 10_000);
          } while (cursor !== '0');
          for (const n of initial) {
            const key = `k${n}`;
            if (!touched.has(key)) assert.ok(seen.has(key), `missed ${key}`);
          }
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('RANDOMKEY', () => {
  test('nil on an empty database, a live key otherwise', () => {
    const t = testEngine();
    assert.equal(t.run('RANDOMKEY'), null);
    for (const k of ['a', 'b', 'c']) put(t, k, 'v');
    const picks = new Set<unknown>();
    for (let i = 0; i < 100; i++) picks.add(t.run('RANDOMKEY'));
    assert.deepEqual([...picks].sort(), ['a', 'b', 'c']);
  });

  test('never returns an expired key, and the same seed picks the same keys', () => {
    const picks = (): unknown[] => {
      const t = testEngine({ seed: 7 });
      for (let i = 0; i < 10; i++) put(t, `k${i}`, 'v');
      for (let i = 0; i < 9; i++) t.run('PEXPIRE', `k${i}`, 1);
      t.clock.advance(1);
      return Array.from({ length: 5 }, () => t.run('RANDOMKEY'));
    };
    assert.deepEqual(picks(), ['k9', 'k9', 'k9', 'k9', 'k9']);
    assert.deepEqual(picks(), picks());
  });
});

describe('OBJECT', () => {
  test('ENCODING of strings: int, embstr, raw', () => {
    const t = testEngine();
    const cases: Array<[string, string]> = [
      ['123', 'int'],
      ['-9223372036854775808', 'int'],
      ['9223372036854775807', 'int'],
      ['9223372036854775808', 'embstr'],
      ['12345678901234567890', 'embstr'],
      ['0123', 'embstr'],
      ['-0', 'embstr'],
      ['1.5', 'embstr'],
      ['', 'embstr'],
      ['x'.repeat(44), 'embstr'],
      ['x'.repeat(45), 'raw'],
    ];
    for (const [value, encoding] of cases) {
      put(t, 'k', value);
      assert.equal(t.run('OBJECT', 'ENCODING', 'k'), encoding, value);
    }
  });

  test('ENCODING of a string changed in place is raw, even a number (APPEND on 1)', () => {
    const t = testEngine();
    put(t, 'k', '12');
    t.engine.ks.db(0).peek('k')!.rawEncoding = true;
    assert.equal(t.run('OBJECT', 'ENCODING', 'k'), 'raw');
    assert.equal(t.run('OBJECT', 'REFCOUNT', 'k'), 1);
  });

  test('REFCOUNT: shared integers 0..9999 report INT_MAX', () => {
    const t = testEngine();
    const cases: Array<[string, number]> = [['0', 2147483647], ['9999', 2147483647], ['10000', 1], ['-1', 1], ['abc', 1], ['007', 1]];
    for (const [value, refcount] of cases) {
      put(t, 'k', value);
      assert.equal(t.run('OBJECT', 'REFCOUNT', 'k'), refcount, value);
    }
  });

  test('IDLETIME counts whole seconds since the last access and does not touch', () => {
    const t = testEngine();
    put(t, 'k', 'v');
    t.clock.advance(2999);
    assert.equal(t.run('OBJECT', 'IDLETIME', 'k'), 2);
    t.clock.advance(1);
    assert.equal(t.run('OBJECT', 'IDLETIME', 'k'), 3);
    assert.equal(t.run('OBJECT', 'ENCODING', 'k'), 'embstr');
    assert.equal(t.run('OBJECT', 'IDLETIME', 'k'), 3);
  });

  test('FREQ needs an LFU policy, which Cairn has not', () => {
    const t = testEngine();
    put(t, 'k', 'v');
    assert.deepEqual(t.run('OBJECT', 'FREQ', 'k'), {
      error: 'ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.',
    });
  });

  test('a missing key answers nil for every subcommand', () => {
    const t = testEngine();
    for (const sub of ['ENCODING', 'FREQ', 'IDLETIME', 'REFCOUNT']) {
      assert.equal(t.raw('OBJECT', sub, 'nokey').k, ReplyKind.Nil, sub);
    }
  });

  test('HELP, unknown subcommands and arity', () => {
    const t = testEngine();
    const help = t.raw('OBJECT', 'help');
    assert.equal((help.v as Reply[])[0]!.k, ReplyKind.Simple);
    assert.deepEqual(t.run('OBJECT', 'HELP'), [
      'OBJECT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:',
      'ENCODING <key>',
      '    Return the kind of internal representation used in order to store the value',
      '    associated with a <key>.',
      'FREQ <key>',
      '    Return the access frequency index of the <key>. The returned integer is',
      '    proportional to the logarithm of the recent access frequency of the key.',
      'IDLETIME <key>',
      '    Return the idle time of the <key>, that is the approximated number of',
      '    seconds elapsed since the last access to the key.',
      'REFCOUNT <key>',
      '    Return the number of references of the value associated with the specified',
      '    <key>.',
      'HELP',
      '    Prints this help.',
    ]);
    assert.deepEqual(t.run('OBJECT', 'foo', 'k'), { error: "ERR unknown subcommand 'foo'. Try OBJECT HELP." });
    assert.deepEqual(t.run('OBJECT'), { error: "ERR wrong number of arguments for 'object' command" });
    assert.deepEqual(t.run('OBJECT', 'ENCODING'), { error: "ERR wrong number of arguments for 'object|encoding' command" });
    assert.deepEqual(t.run('OBJECT', 'ENCODING', 'a', 'b'), { error: "ERR wrong number of arguments for 'object|encoding' command" });
    assert.deepEqual(t.run('OBJECT', 'HELP', 'x'), { error: "ERR wrong number of arguments for 'object|help' command" });
  });
});

describe('DBSIZE, FLUSHDB, FLUSHALL, SWAPDB', () => {
  test('DBSIZE counts the selected database, expired-but-unseen keys included', () => {
    const t = testEngine();
    put(t, 'a', '1');
    put(t, 'b', '2');
    put(t, 'c', '3', 1);
    assert.equal(t.run('DBSIZE'), 2);
    t.run('PEXPIRE', 'a', 1);
    t.clock.advance(1);
    assert.equal(t.run('DBSIZE'), 2);
    t.run('EXISTS', 'a'); // lazy expiry removes it
    assert.equal(t.run('DBSIZE'), 1);
    t.run('SELECT', 1);
    assert.equal(t.run('DBSIZE'), 1);
  });

  test('FLUSHDB empties the selected database only; always logged', () => {
    const t = testEngine();
    put(t, 'a', '1');
    put(t, 'b', '2', 1);
    assert.equal(t.run('FLUSHDB'), 'OK');
    assert.equal(t.engine.ks.db(0).size, 0);
    assert.equal(t.engine.ks.db(1).size, 1);
    assert.equal(t.run('FLUSHDB', 'async'), 'OK');
    assert.equal(t.run('FLUSHDB', 'SYNC'), 'OK');
    assert.deepEqual(t.effects.map((e) => e.argv), [['FLUSHDB'], ['FLUSHDB', 'async'], ['FLUSHDB', 'SYNC']]);
    assert.deepEqual(t.run('FLUSHDB', 'foo'), SYNTAX);
    assert.deepEqual(t.run('FLUSHDB', 'ASYNC', 'SYNC'), SYNTAX);
  });

  test('FLUSHALL empties every database', () => {
    const t = testEngine();
    put(t, 'a', '1');
    put(t, 'b', '2', 7);
    assert.equal(t.run('FLUSHALL', 'ASYNC'), 'OK');
    assert.equal(t.engine.ks.db(0).size + t.engine.ks.db(7).size, 0);
    assert.equal(t.run('FLUSHALL'), 'OK');
    assert.deepEqual(t.run('FLUSHALL', 'sync', 'extra'), SYNTAX);
    assert.equal(t.effects.length, 2);
  });

  test('FLUSHDB breaks a WATCH on a key it removes', () => {
    const t = testEngine();
    put(t, 'a', '1');
    t.run('WATCH', 'a');
    t.run('FLUSHDB');
    t.run('MULTI');
    t.run('PING');
    assert.equal(t.run('EXEC'), null);
  });

  test('SWAPDB exchanges contents; the client stays on its index', () => {
    const t = testEngine();
    put(t, 'in0', 'zero');
    put(t, 'in1', 'one', 1);
    assert.equal(t.run('SWAPDB', 0, 1), 'OK');
    assert.equal(stored(t, 'in1', 0), 'one');
    assert.equal(stored(t, 'in0', 1), 'zero');
    assert.equal(t.run('EXISTS', 'in1'), 1);
    assert.equal(t.run('SWAPDB', 3, 3), 'OK');
    assert.deepEqual(t.effects.map((e) => e.argv), [['SWAPDB', '0', '1'], ['SWAPDB', '3', '3']]);
  });

  test('SWAPDB errors', () => {
    const t = testEngine();
    assert.deepEqual(t.run('SWAPDB', 'a', 1), { error: 'ERR invalid first DB index' });
    assert.deepEqual(t.run('SWAPDB', 1, 'a'), { error: 'ERR invalid second DB index' });
    assert.deepEqual(t.run('SWAPDB', '99999999999', 1), { error: 'ERR invalid first DB index' });
    assert.deepEqual(t.run('SWAPDB', 1, '99999999999'), { error: 'ERR invalid second DB index' });
    assert.deepEqual(t.run('SWAPDB', 1, 99), DB_RANGE);
    assert.deepEqual(t.run('SWAPDB', -1, 0), DB_RANGE);
    assert.deepEqual(t.run('SWAPDB', 'a', 99), { error: 'ERR invalid first DB index' });
  });
});

describe('declarations', () => {
  test('flags, arity and key positions as Redis 7 COMMAND INFO', () => {
    const t = testEngine();
    const table = t.engine.commands;
    const expect: Array<[string, number, string[], [number, number, number]]> = [
      ['del', -2, ['write'], [1, -1, 1]],
      ['unlink', -2, ['write', 'fast'], [1, -1, 1]],
      ['exists', -2, ['readonly', 'fast'], [1, -1, 1]],
      ['type', 2, ['readonly', 'fast'], [1, 1, 1]],
      ['rename', 3, ['write'], [1, 2, 1]],
      ['renamenx', 3, ['write', 'fast'], [1, 2, 1]],
      ['copy', -3, ['write', 'denyoom'], [1, 2, 1]],
      ['move', 3, ['write', 'fast'], [1, 1, 1]],
      ['keys', 2, ['readonly'], [0, 0, 0]],
      ['scan', -2, ['readonly'], [0, 0, 0]],
      ['randomkey', 1, ['readonly'], [0, 0, 0]],
      ['touch', -2, ['readonly', 'fast'], [1, -1, 1]],
      ['dump', 2, ['readonly'], [1, 1, 1]],
      ['restore', -4, ['write', 'denyoom'], [1, 1, 1]],
      ['object', -2, [], [0, 0, 0]],
      ['dbsize', 1, ['readonly', 'fast'], [0, 0, 0]],
      ['flushdb', -1, ['write'], [0, 0, 0]],
      ['flushall', -1, ['write'], [0, 0, 0]],
      ['swapdb', 3, ['write', 'fast'], [0, 0, 0]],
    ];
    for (const [name, arity, flags, [first, last, step]] of expect) {
      const spec = table.get(name)!;
      assert.ok(spec, name);
      assert.equal(spec.arity, arity, name);
      assert.deepEqual([...spec.flags].sort(), [...flags].sort(), name);
      assert.deepEqual(spec.keys ?? { first: 0, last: 0, step: 0 }, { first, last, step }, name);
    }
    const object = table.get('object')!;
    for (const sub of ['encoding', 'freq', 'idletime', 'refcount']) {
      const s = object.subcommands!.find((x) => x.name === sub)!;
      assert.equal(s.arity, 3);
      assert.deepEqual(s.keys, { first: 2, last: 2, step: 1 });
      assert.deepEqual(s.flags, ['readonly']);
    }
  });
});
