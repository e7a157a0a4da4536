// DUMP / RESTORE: the payload format (src/core/dump.ts), pinned by golden bytes, and the two
// commands' replies, errors and effects (checked against redis-server 7.0.15).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { crc64, DUMP_FORMAT_VERSION, dumpValue, restoreValue } from '../../src/core/dump.js';
import { ReplyKind } from '../../src/core/reply.js';
import type { EmbeddedSession } from '../../src/embedded.js';
import { decodeReply } from '../../src/server/decode.js';
import { testEngine, type TestEngine } from '../helpers/engine.js';

const hex = (latin1: string): string => Buffer.from(latin1, 'latin1').toString('hex');

function put(t: TestEngine, key: string, value: string, db = 0): void {
  t.engine.ks.now = t.clock.nowMs();
  t.engine.ks.db(db).set(key, 'string', value);
}

const binarySessions = new WeakMap<TestEngine, EmbeddedSession>();

/** Like t.run, but string arguments are latin1 bytes (payloads are binary, not UTF-8 text). */
function runBin(t: TestEngine, ...args: Array<string | number>): unknown {
  let s = binarySessions.get(t);
  if (s === undefined) binarySessions.set(t, (s = t.session()));
  const r = s.raw(args.map((a) => (typeof a === 'string' ? Buffer.from(a, 'latin1') : a)));
  if (r.k === ReplyKind.Error) return { error: r.v as string };
  return decodeReply(r, false);
}

function dumpOf(t: TestEngine, key: string): string {
  const r = t.raw('DUMP', key);
  assert.equal(r.k, ReplyKind.Bulk);
  return r.v as string;
}

const CHECKSUM = { error: 'ERR DUMP payload version or checksum are wrong' };
const BAD_FORMAT = { error: 'ERR Bad data format' };

/** Appends a correct version and checksum to a hand-made body. */
function seal(body: string): string {
  const withVersion = body + '\x01\x00';
  const [hi, lo] = crc64(withVersion);
  let sum = '';
  for (let i = 0; i < 4; i++) sum += String.fromCharCode((lo >>> (8 * i)) & 0xff);
  for (let i = 0; i < 4; i++) sum += String.fromCharCode((hi >>> (8 * i)) & 0xff);
  return withVersion + sum;
}

describe('payload format', () => {
  test('CRC-64/Jones check value', () => {
    const [hi, lo] = crc64('123456789');
    assert.equal(hi.toString(16).padStart(8, '0') + lo.toString(16).padStart(8, '0'), 'e9c6d914c4b8d9ca');
  });

  test('golden bytes: the format must never drift silently', () => {
    assert.equal(DUMP_FORMAT_VERSION, 1);
    // [tag 01][varint length][bytes][version 01 00][CRC-64/Jones, little-endian]
    assert.equal(hex(dumpValue('string', '')), '0100' + '0100' + '6fbcc4ff9ef70805');
    assert.equal(hex(dumpValue('string', 'hello')), '0105' + '68656c6c6f' + '0100' + 'f3c2d8b259f61146');
    assert.equal(hex(dumpValue('string', '12345')), '0105' + '3132333435' + '0100' + '1ea8dd6daab4ec92');
    assert.equal(hex(dumpValue('string', '\x00\xff')), '0102' + '00ff' + '0100' + '9525328b1e1fe3cd');
    assert.equal(hex(dumpValue('string', 'x'.repeat(200))), '01c801' + '78'.repeat(200) + '0100' + '1183dd802ae33906');
  });

  test('DUMP through the engine gives the same bytes', () => {
    const t = testEngine();
    put(t, 'k', 'hello');
    assert.equal(hex(dumpOf(t, 'k')), '010568656c6c6f0100f3c2d8b259f61146');
  });

  test('varint lengths across byte boundaries', () => {
    for (const len of [0, 1, 127, 128, 255, 16383, 16384, 70000]) {
      const value = 'a'.repeat(len);
      const restored = restoreValue(dumpValue('string', value));
      assert.deepEqual(restored, { ok: true, type: 'string', value }, String(len));
    }
  });

  test('rejects a wrong version, a wrong checksum and a short payload as checksum errors', () => {
    const good = dumpValue('string', 'hello');
    const flip = (s: string, at: number): string => s.slice(0, at) + String.fromCharCode(s.charCodeAt(at) ^ 1) + s.slice(at + 1);
    for (let i = 0; i < good.length; i++) assert.deepEqual(restoreValue(flip(good, i)), { ok: false, reason: 'checksum' }, `byte ${i}`);
    assert.deepEqual(restoreValue(''), { ok: false, reason: 'checksum' });
    assert.deepEqual(restoreValue('abc'), { ok: false, reason: 'checksum' });
    assert.deepEqual(restoreValue(good.slice(1)), { ok: false, reason: 'checksum' });
    assert.deepEqual(restoreValue(good + '\x00'), { ok: false, reason: 'checksum' });
    // A correct checksum over a version we do not know.
    const v2 = '\x01\x01a\x02\x00';
    const [hi, lo] = crc64(v2);
    let sum = '';
    for (let i = 0; i < 4; i++) sum += String.fromCharCode((lo >>> (8 * i)) & 0xff);
    for (let i = 0; i < 4; i++) sum += String.fromCharCode((hi >>> (8 * i)) & 0xff);
    assert.deepEqual(restoreValue(v2 + sum), { ok: false, reason: 'checksum' });
  });

  test('rejects well-sealed bodies that are truncated, have trailing bytes or an unknown tag', () => {
    assert.deepEqual(restoreValue(seal('\x01\x05hell')), { ok: false, reason: 'format' }); // truncated string
    assert.deepEqual(restoreValue(seal('\x01\x03abcd')), { ok: false, reason: 'format' }); // trailing byte
    assert.deepEqual(restoreValue(seal('')), { ok: false, reason: 'format' }); // no tag
    assert.deepEqual(restoreValue(seal('\x01')), { ok: false, reason: 'format' }); // no length
    assert.deepEqual(restoreValue(seal('\x01\x80')), { ok: false, reason: 'format' }); // unfinished varint
    assert.deepEqual(restoreValue(seal('\x01\x81\x00a')), { ok: false, reason: 'format' }); // overlong varint
    assert.deepEqual(restoreValue(seal('\x01' + '\xff'.repeat(8))), { ok: false, reason: 'format' }); // varint too long
    assert.deepEqual(restoreValue(seal('\x09\x01a')), { ok: false, reason: 'format' }); // unknown tag
    assert.deepEqual(restoreValue(seal('\x00\x01a')), { ok: false, reason: 'format' }); // 0 is never a tag
    // A zero byte prepended keeps the CRC (zero init) but fails on the tag.
    assert.deepEqual(restoreValue('\x00' + dumpValue('string', 'a')), { ok: false, reason: 'format' });
    assert.deepEqual(restoreValue(seal('\x01\x01a')), { ok: true, type: 'string', value: 'a' });
  });

  test('property: any binary string round trips, and its payload is canonical', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 600 }), (bytes) => {
        const value = Buffer.from(bytes).toString('latin1');
        const payload = dumpValue('string', value);
        assert.deepEqual(restoreValue(payload), { ok: true, type: 'string', value });
        assert.equal(payload.length, 1 + (value.length < 128 ? 1 : 2) + value.length + 10);
      }),
      { numRuns: 500 },
    );
  });

  test('property: random corruption never throws and never yields a different value silently', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), fc.nat(), fc.integer({ min: 1, max: 255 }), (bytes, at, mask) => {
        const value = Buffer.from(bytes).toString('latin1');
        const payload = dumpValue('string', value);
        const i = at % payload.length;
        const corrupted = payload.slice(0, i) + String.fromCharCode(payload.charCodeAt(i) ^ mask) + payload.slice(i + 1);
        const r = restoreValue(corrupted);
        assert.equal(r.ok, false);
      }),
    );
  });
});

describe('DUMP', () => {
  test('nil for a missing or expired key', () => {
    const t = testEngine();
    assert.equal(t.raw('DUMP', 'nokey').k, ReplyKind.Nil);
    put(t, 'k', 'v');
    t.run('PEXPIRE', 'k', 1);
    t.clock.advance(1);
    assert.equal(t.raw('DUMP', 'k').k, ReplyKind.Nil);
  });
});

describe('RESTORE', () => {
  test('creates the key from a payload, without a TTL when ttl is 0', () => {
    const t = testEngine();
    put(t, 'src', 'some \x00 bytes \xff');
    const payload = dumpOf(t, 'src');
    assert.equal(runBin(t, 'RESTORE', 'dst', 0, payload), 'OK');
    assert.equal(t.engine.ks.db(0).peek('dst')!.value, 'some \x00 bytes \xff');
    assert.equal(t.run('TTL', 'dst'), -1);
    assert.deepEqual(t.effects.at(-1), { db: 0, argv: ['RESTORE', 'dst', '0', payload] });
  });

  test('a relative TTL is applied and logged as an absolute one with ABSTTL', () => {
    const t = testEngine();
    put(t, 'src', 'v');
    const payload = dumpOf(t, 'src');
    assert.equal(runBin(t, 'RESTORE', 'dst', 5000, payload, 'REPLACE'), 'OK');
    assert.equal(t.run('PTTL', 'dst'), 5000);
    const at = String(t.clock.nowMs() + 5000);
    assert.deepEqual(t.effects.at(-1), { db: 0, argv: ['RESTORE', 'dst', at, payload, 'REPLACE', 'ABSTTL'] });
  });

  test('ABSTTL takes an absolute time', () => {
    const t = testEngine();
    put(t, 'src', 'v');
    const payload = dumpOf(t, 'src');
    const at = t.clock.nowMs() + 1234;
    assert.equal(runBin(t, 'RESTORE', 'dst', at, payload, 'absttl'), 'OK');
    assert.equal(t.run('PEXPIRETIME', 'dst'), at);
    assert.deepEqual(t.effects.at(-1)!.argv, ['RESTORE', 'dst', String(at), payload, 'absttl']);
  });

  test('an already expired time creates nothing; with REPLACE the old key is deleted and a DEL logged', () => {
    const t = testEngine();
    put(t, 'src', 'v');
    const payload = dumpOf(t, 'src');
    assert.equal(runBin(t, 'RESTORE', 'dst', 1, payload, 'ABSTTL'), 'OK');
    assert.equal(t.run('EXISTS', 'dst'), 0);
    assert.deepEqual(t.effects, []);
    put(t, 'dst', 'old');
    assert.equal(runBin(t, 'RESTORE', 'dst', t.clock.nowMs(), payload, 'ABSTTL', 'REPLACE'), 'OK');
    assert.equal(t.run('EXISTS', 'dst'), 0);
    assert.deepEqual(t.effects, [{ db: 0, argv: ['DEL', 'dst'] }]);
    // A relative TTL past int64 wraps to a negative time in Redis: already expired.
    assert.equal(runBin(t, 'RESTORE', 'dst', '9223372036854775807', payload), 'OK');
    assert.equal(t.run('EXISTS', 'dst'), 0);
  });

  test('BUSYKEY unless REPLACE; REPLACE drops the old TTL', () => {
    const t = testEngine();
    put(t, 'k', 'old');
    t.run('EXPIRE', 'k', 100);
    const payload = dumpValue('string', 'new');
    assert.deepEqual(runBin(t, 'RESTORE', 'k', 0, payload), { error: 'BUSYKEY Target key name already exists.' });
    assert.equal(runBin(t, 'RESTORE', 'k', 0, payload, 'REPLACE'), 'OK');
    assert.equal(t.engine.ks.db(0).peek('k')!.value, 'new');
    assert.equal(t.run('TTL', 'k'), -1);
  });

  test('RESTORE onto an expired key needs no REPLACE', () => {
    const t = testEngine();
    put(t, 'k', 'old');
    t.run('PEXPIRE', 'k', 1);
    t.clock.advance(1);
    assert.equal(runBin(t, 'RESTORE', 'k', 0, dumpValue('string', 'new')), 'OK');
  });

  test('IDLETIME sets the access time; FREQ applies under an LFU policy only (objectSetLRUOrLFU)', () => {
    const t = testEngine();
    const payload = dumpValue('string', 'v');
    assert.equal(runBin(t, 'RESTORE', 'a', 0, payload, 'IDLETIME', 1000), 'OK');
    assert.equal(t.run('OBJECT', 'IDLETIME', 'a'), 1000);
    assert.equal(runBin(t, 'RESTORE', 'b', 0, payload, 'FREQ', 100), 'OK');
    assert.equal(t.engine.ks.db(0).peek('b')!.freq, 5);
    t.run('CONFIG', 'SET', 'maxmemory-policy', 'allkeys-lfu');
    assert.equal(runBin(t, 'RESTORE', 'b2', 0, payload, 'FREQ', 100), 'OK');
    assert.equal(t.run('OBJECT', 'FREQ', 'b2'), 100);
    t.run('CONFIG', 'SET', 'maxmemory-policy', 'noeviction');
    assert.equal(runBin(t, 'RESTORE', 'c', 0, payload, 'IDLETIME', '9223372036854775807'), 'OK');
    assert.equal(t.run('OBJECT', 'IDLETIME', 'c'), 16777215);
  });

  test('errors, in Redis order', () => {
    const t = testEngine();
    put(t, 'k', 'v');
    const payload = dumpValue('string', 'v');
    assert.deepEqual(runBin(t, 'RESTORE', 'nokey', 0, 'abc'), CHECKSUM);
    assert.deepEqual(runBin(t, 'RESTORE', 'k', 0, 'abc'), { error: 'BUSYKEY Target key name already exists.' });
    assert.deepEqual(runBin(t, 'RESTORE', 'k', -1, 'abc', 'REPLACE'), { error: 'ERR Invalid TTL value, must be >= 0' });
    assert.deepEqual(runBin(t, 'RESTORE', 'k', 'x', 'abc', 'REPLACE'), { error: 'ERR value is not an integer or out of range' });
    assert.deepEqual(runBin(t, 'RESTORE', 'k', 0, 'abc', 'IDLETIME', -1), { error: 'ERR Invalid IDLETIME value, must be >= 0' });
    assert.deepEqual(runBin(t, 'RESTORE', 'k', 0, 'abc', 'IDLETIME', 'x'), { error: 'ERR value is not an integer or out of range' });
    assert.deepEqual(runBin(t, 'RESTORE', 'k', 0, 'abc', 'FREQ', 256), { error: 'ERR Invalid FREQ value, must be >= 0 and <= 255' });
    assert.deepEqual(runBin(t, 'RESTORE', 'k', 0, 'abc', 'FREQ', -1), { error: 'ERR Invalid FREQ value, must be >= 0 and <= 255' });
    assert.deepEqual(runBin(t, 'RESTORE', 'k', 0, 'abc', 'IDLETIME', 1, 'FREQ', 1), { error: 'ERR syntax error' });
    assert.deepEqual(runBin(t, 'RESTORE', 'k', 0, 'abc', 'FREQ', 1, 'IDLETIME', 1), { error: 'ERR syntax error' });
    assert.deepEqual(runBin(t, 'RESTORE', 'k', 0, 'abc', 'IDLETIME'), { error: 'ERR syntax error' });
    assert.deepEqual(runBin(t, 'RESTORE', 'k', 0, 'abc', 'foo'), { error: 'ERR syntax error' });
    assert.deepEqual(runBin(t, 'RESTORE', 'nokey', 0, seal('\x01\x05hell')), BAD_FORMAT);
    assert.deepEqual(runBin(t, 'RESTORE', 'nokey', 0, payload.slice(0, -1)), CHECKSUM);
    assert.deepEqual(runBin(t, 'RESTORE', 'k', 0), { error: "ERR wrong number of arguments for 'restore' command" });
    assert.equal(t.engine.ks.db(0).peek('nokey'), undefined);
  });

  test('property: DUMP then RESTORE round trips values and TTLs', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 300 }),
        fc.option(fc.integer({ min: 1, max: 10 ** 12 }), { nil: undefined }),
        fc.boolean(),
        (bytes, ttl, raw) => {
          const t = testEngine();
          const value = Buffer.from(bytes).toString('latin1');
          put(t, 'src', value);
          t.engine.ks.db(0).peek('src')!.rawEncoding = raw;
          if (ttl !== undefined) t.run('PEXPIRE', 'src', ttl);
          const payload = dumpOf(t, 'src');
          const pttl = t.run('PTTL', 'src') as number;
          assert.equal(runBin(t, 'RESTORE', 'dst', Math.max(0, pttl), payload), 'OK');
          const dst = t.engine.ks.db(0).peek('dst')!;
          assert.equal(dst.value, value);
          assert.equal(dst.type, 'string');
          assert.equal(dst.expiresAt, t.engine.ks.db(0).peek('src')!.expiresAt);
          // The dump of the copy is byte-identical: the format is canonical.
          assert.equal(dumpOf(t, 'dst'), payload);
        },
      ),
      { numRuns: 300 },
    );
  });

  test('declarations', () => {
    const t = testEngine();
    const dump = t.engine.commands.get('dump')!;
    assert.deepEqual([dump.arity, [...dump.flags]], [2, ['readonly']]);
    const restore = t.engine.commands.get('restore')!;
    assert.deepEqual([restore.arity, [...restore.flags].sort()], [-4, ['denyoom', 'write']]);
    assert.deepEqual(restore.acl, ['keyspace', 'dangerous']);
  });
});
