// The typed embedded calls (db.get, db.set) answer exactly as the generic db.command does.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { open, CairnReplyError } from '../../src/embedded.js';

test('db.set and db.get behave as SET and GET through db.command', async () => {
  const db = open({ seed: 1 });
  try {
    assert.equal(db.get('missing'), null);
    assert.equal(db.set('k', 'v'), 'OK');
    assert.equal(db.get('k'), 'v');
    assert.equal(db.command('GET', 'k'), 'v');
    assert.equal(db.command('TTL', 'k'), -1);
    // Non-ASCII text goes in as UTF-8 and comes back as the same text.
    assert.equal(db.set('ключ', 'значение ✓'), 'OK');
    assert.equal(db.get('ключ'), 'значение ✓');
    assert.equal(db.command('STRLEN', 'ключ'), Buffer.byteLength('значение ✓'));
    // Buffers and numbers are arguments as in command().
    db.set(Buffer.from('b'), 42);
    assert.equal(db.get('b'), '42');
  } finally {
    await db.close();
  }
});

test('db.set with a TTL sets it as EX or PX; a plain db.set clears it, as SET does', async () => {
  const db = open({ seed: 1 });
  try {
    db.set('a', '1', { ex: 600 });
    assert.equal(db.command('TTL', 'a'), 600);
    db.set('a', '2', { px: 5000 });
    const pttl = db.command('PTTL', 'a') as number;
    assert.ok(pttl > 4000 && pttl <= 5000, `PTTL ${pttl}`);
    db.set('a', '3');
    assert.equal(db.command('TTL', 'a'), -1);
    assert.throws(() => db.set('a', '4', { ex: 0 }), (e: unknown) => e instanceof CairnReplyError && /invalid expire time in 'set'/.test(e.message));
  } finally {
    await db.close();
  }
});

test('db.get of another type throws WRONGTYPE; both calls are counted as get and set', async () => {
  const db = open({ seed: 1 });
  try {
    db.command('LPUSH', 'list', 'x');
    assert.throws(() => db.get('list'), (e: unknown) => e instanceof CairnReplyError && e.message.startsWith('WRONGTYPE'));
    db.set('s', 'v');
    db.get('s');
    const stats = String(db.command('INFO', 'commandstats'));
    assert.match(stats, /cmdstat_get:calls=2,/);
    assert.match(stats, /cmdstat_set:calls=1,/);
  } finally {
    await db.close();
  }
});
