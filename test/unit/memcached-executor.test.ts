// The memcached executor on the deterministic core: stores, reads, CAS, TTL mapping, incr/decr,
// flush, and the side table of flags/CAS kept right by the key space whichever protocol writes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MemcachedExecutor } from '../../src/core/memcached/executor.js';
import { parseFlags, parseI32, parseItemNumber, parseU64 } from '../../src/core/memcached/numbers.js';
import { testEngine } from '../helpers/engine.js';

function setup() {
  const t = testEngine();
  const mc = new MemcachedExecutor(t.engine.ks, 0, 1024 * 1024);
  const now = () => (t.engine.ks.now = t.clock.nowMs());
  now();
  const set = (key: string, value: string, flags = 0, exptime = 0) => {
    now();
    return mc.store({ mode: 'set', key, value, flags, exptime, cas: 0n });
  };
  return { t, mc, now, set };
}

test('numbers are read as memcached reads them', () => {
  assert.equal(parseU64('18446744073709551615'), (1n << 64n) - 1n);
  assert.equal(parseU64('18446744073709551616'), null);
  assert.equal(parseU64('+3'), 3n);
  assert.equal(parseU64('-1'), null);
  assert.equal(parseU64('-0'), 0n);
  assert.equal(parseU64('12x'), null);
  assert.equal(parseFlags('4294967296'), 0);
  assert.equal(parseFlags('18446744073709551615'), 4294967295);
  assert.equal(parseI32('2147483648'), -2147483648);
  assert.equal(parseI32('5x'), null);
  assert.equal(parseItemNumber('12 34'), 12n);
  assert.equal(parseItemNumber('  '), null);
  assert.equal(parseItemNumber(''), null);
});

test('a RESP write drops flags and changes the CAS; a TTL change keeps them', () => {
  const { t, mc, now, set } = setup();
  const stored = set('k', 'v', 42);
  assert.equal(stored.status, 'STORED');
  const first = mc.fetch('k', { wantCas: true })!;
  assert.equal(first.flags, 42);
  assert.equal(first.cas, stored.cas);
  assert.deepEqual(t.run('MCMETA', 'k'), [42, stored.cas]);
  t.run('EXPIRE', 'k', '100');
  now();
  assert.equal(mc.fetch('k', { wantCas: true })!.cas, stored.cas, 'EXPIRE is no value change');
  t.run('GETEX', 'k', 'EX', '50');
  assert.equal(mc.fetch('k')!.flags, 42);
  t.run('APPEND', 'k', 'w');
  now();
  const after = mc.fetch('k', { wantCas: true })!;
  assert.equal(after.value, 'vw');
  assert.equal(after.flags, 0);
  assert.ok(after.cas > stored.cas);
  assert.equal(mc.store({ mode: 'cas', key: 'k', value: 'x', flags: 0, exptime: 0, cas: BigInt(stored.cas) }).status, 'EXISTS');
  assert.equal(mc.store({ mode: 'cas', key: 'k', value: 'x', flags: 0, exptime: 0, cas: BigInt(after.cas) }).status, 'STORED');
  t.run('DEL', 'k');
  assert.equal(t.engine.ks.db(0).itemMeta?.size ?? 0, 0, 'the record goes with the key');
});

test('records are counted in the memory totals and dropped by FLUSHDB', () => {
  const { t, set } = setup();
  const before = t.engine.ks.usedBytes;
  set('a', '1', 1);
  set('b', '2', 2);
  assert.ok(t.engine.ks.usedBytes > before);
  t.run('FLUSHDB');
  assert.equal(t.engine.ks.usedBytes, 0);
  assert.equal(t.engine.ks.db(0).itemMeta, null);
});

test('writes are logged as RESP effects in absolute form, flags after the value', () => {
  const { t, mc, set } = setup();
  t.effects.length = 0;
  set('k', 'v', 7, 10);
  const at = t.clock.nowMs() + 10_000;
  t.engine.flushEffects(false);
  assert.deepEqual(t.effects.map((e) => e.argv), [['SET', 'k', 'v', 'PXAT', String(at)], ['MCSETFLAGS', 'k', '7']]);
  t.effects.length = 0;
  mc.store({ mode: 'append', key: 'k', value: 'w', flags: 0, exptime: 0, cas: 0n });
  mc.delta({ key: 'n', incr: true, delta: 1n });
  set('n', '9');
  mc.delta({ key: 'n', incr: true, delta: 1n });
  mc.touch('n', 0);
  mc.delete('k');
  t.engine.flushEffects(false);
  assert.deepEqual(t.effects.map((e) => e.argv), [
    ['APPEND', 'k', 'w'], ['MCSETFLAGS', 'k', '7'], ['SET', 'n', '9'], ['SET', 'n', '10', 'KEEPTTL'], ['DEL', 'k'],
  ]);
});

test('exptime: relative up to 30 days, absolute beyond, negative already expired', () => {
  const { t, mc, set } = setup();
  set('rel', 'v', 0, 2592000);
  assert.equal(t.engine.ks.db(0).peek('rel')!.expiresAt, t.clock.nowMs() + 2592000 * 1000);
  const abs = Math.floor(t.clock.nowMs() / 1000) + 2592001 + 100;
  set('abs', 'v', 0, abs);
  assert.equal(t.engine.ks.db(0).peek('abs')!.expiresAt, abs * 1000);
  set('old', 'v', 0, 2592001);
  assert.equal(t.engine.ks.db(0).peek('old'), undefined, 'an absolute time in the past');
  set('neg', 'v');
  assert.equal(set('neg', 'w', 0, -1).status, 'STORED');
  assert.equal(mc.fetch('neg'), undefined);
});

test('incr wraps at 2^64, decr stops at 0, non-numeric values refuse', () => {
  const { mc, set, t } = setup();
  set('n', '18446744073709551615');
  assert.equal(mc.delta({ key: 'n', incr: true, delta: 2n }).value, 1n);
  assert.equal(mc.delta({ key: 'n', incr: false, delta: 5n }).value, 0n);
  assert.equal(t.run('GET', 'n'), '0');
  set('s', 'abc');
  assert.equal(mc.delta({ key: 's', incr: true, delta: 1n }).status, 'NON_NUMERIC');
  assert.equal(mc.delta({ key: 'none', incr: true, delta: 1n }).status, 'NOT_FOUND');
});

test('add, replace, append on non-string keys: invisible except that the key exists', () => {
  const { t, mc, set } = setup();
  t.run('RPUSH', 'l', 'x');
  assert.equal(mc.fetch('l'), undefined);
  assert.equal(mc.store({ mode: 'add', key: 'l', value: 'v', flags: 0, exptime: 0, cas: 0n }).status, 'NOT_STORED');
  assert.equal(mc.store({ mode: 'replace', key: 'l', value: 'v', flags: 0, exptime: 0, cas: 0n }).status, 'NOT_STORED');
  assert.equal(mc.delete('l'), 'NOT_FOUND');
  assert.equal(set('l', 'v').status, 'STORED');
  assert.equal(t.run('TYPE', 'l'), 'string');
});

test('flush_all with a delay empties the database once the time comes', () => {
  const { t, mc, now, set } = setup();
  set('a', '1');
  mc.flushAll(10);
  t.clock.advance(9_000);
  now();
  assert.equal(mc.applyDueFlush(), false);
  assert.ok(mc.fetch('a') !== undefined);
  t.clock.advance(1_000);
  now();
  assert.equal(mc.applyDueFlush(), true);
  assert.equal(mc.fetch('a'), undefined);
});

test('meta bits: vivify wins once, recache wins below the TTL, invalidate marks stale', () => {
  const { mc, set } = setup();
  const first = mc.fetch('v', { vivify: 30, meta: true })!;
  assert.equal(first.won, true);
  assert.equal(first.value, '');
  const second = mc.fetch('v', { vivify: 30, meta: true })!;
  assert.equal(second.won, false);
  assert.equal(second.winSentBefore, true);
  set('r', 'x', 0, 100);
  assert.equal(mc.fetch('r', { recache: 200, meta: true })!.won, true);
  assert.equal(mc.fetch('r', { recache: 200, meta: true })!.won, false);
  set('s', 'x');
  assert.equal(mc.delete('s', { invalidate: true }), 'DELETED');
  assert.equal(mc.fetch('s')!.won, false, 'get/gets take no part in recaching');
  const stale = mc.fetch('s', { meta: true })!;
  assert.equal(stale.stale, true);
  assert.equal(stale.won, true);
});

test('mg R: the recache token is won in whole seconds, as memcached compares its exptime', () => {
  const { t, mc, now, set } = setup();
  set('r', 'x', 0, 30);
  t.clock.advance(5);
  now();
  // 29.995 s left is still 30 in memcached's one-second clock: not below R30.
  assert.equal(mc.fetch('r', { recache: 30, meta: true })!.won, false);
  t.clock.advance(1_000);
  now();
  assert.equal(mc.fetch('r', { recache: 30, meta: true })!.won, true);
  set('z', 'x', 0, 30);
  assert.equal(mc.fetch('z', { recache: 0, meta: true })!.won, false, 'R0 never wins');
  assert.equal(mc.fetch('z', { recache: -1, meta: true })!.won, false, 'a negative R never wins');
  set('n', 'x');
  assert.equal(mc.fetch('n', { recache: 60, meta: true })!.won, false, 'an item without a TTL never wins by R');
});

test('mg R sees the TTL where it stands among the flags: after a T before it, else the old one', () => {
  const { mc, set } = setup();
  set('a', 'x', 0, 100);
  assert.equal(mc.fetch('a', { touch: 10, recache: 30, touchBeforeRecache: true, meta: true })!.won, true, 'T10 R30');
  set('b', 'x', 0, 100);
  const b = mc.fetch('b', { touch: 10, recache: 30, touchBeforeRecache: false, meta: true })!;
  assert.equal(b.won, false, 'R30 T10 compares with the 100 s TTL');
  assert.ok(b.expiresAt > 0, 'T still applies');
});

test('mg N and T on a created item: the later flag sets its TTL', () => {
  const { t, mc, now } = setup();
  now();
  const tFirst = mc.fetch('a', { touch: 0, vivify: 30, vivifyAfterTouch: true, meta: true })!;
  assert.equal(tFirst.created, true);
  assert.equal(tFirst.expiresAt, t.engine.ks.now + 30_000, 'T0 N30: N comes last');
  const nFirst = mc.fetch('b', { touch: 0, vivify: 30, vivifyAfterTouch: false, meta: true })!;
  assert.equal(nFirst.expiresAt, 0, 'N30 T0: T comes last');
  assert.equal(mc.debug('b')!.expiresInSeconds, -1);
});

test('incr/decr keep the meta bits when the digits fit in the item (in place), not when they grow', () => {
  const { mc, set } = setup();
  const bits = (key: string) => {
    const item = mc.fetch(key, { meta: true, bump: false })!;
    return `${item.winSentBefore ? 'Z' : ''}${item.stale ? 'X' : ''}`;
  };
  set('n', '10');
  mc.delete('n', { invalidate: true });
  assert.equal(mc.fetch('n', { meta: true })!.won, true);
  assert.equal(mc.delta({ key: 'n', incr: false, delta: 1n }).value, 9n);
  assert.equal(bits('n'), 'ZX', '"10" decr 1 is rewritten in place');
  // memcached's item still holds two bytes ("9 "): "10" fits again.
  assert.equal(mc.delta({ key: 'n', incr: true, delta: 1n }).value, 10n);
  assert.equal(bits('n'), 'ZX');
  assert.equal(mc.delta({ key: 'n', incr: true, delta: 90n }).value, 100n);
  assert.equal(bits('n'), '', 'a longer number is a new item: no win token, not stale');
  assert.equal(mc.fetch('n', { meta: true })!.fetchedBefore, false, 'and not fetched');
});

test('a stale store (ms I with an older CAS) keeps the TTL, as memcached keeps the exptime', () => {
  const { mc, set } = setup();
  set('k', 'old', 0, 100);
  const cas = BigInt(mc.fetch('k', { wantCas: true })!.cas);
  set('k', 'newer', 0, 100);
  const r = mc.store({ mode: 'cas', key: 'k', flags: 0, exptime: 0, value: 'stale', cas, invalidate: true });
  assert.equal(r.status, 'STORED');
  const d = mc.debug('k')!;
  assert.ok(d.expiresInSeconds > 0, 'exptime 0 on the stale store does not clear the TTL');
  assert.equal(mc.fetch('k', { meta: true })!.stale, true);
});

test('me size counts the room a shortened number keeps in memcached', () => {
  const { mc, set } = setup();
  set('n', '1000');
  const before = mc.debug('n')!.size;
  mc.delta({ key: 'n', incr: false, delta: 999n });
  assert.equal(mc.fetch('n')!.value, '1');
  assert.equal(mc.debug('n')!.size, before, 'memcached rewrote "1   " in place');
});
