// The small parts of a replica group: the member list, the entry payload and the reader of a
// leader's RESP replies (the reply barrier: group-barrier.test.ts).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { planGroup } from '../../../src/io/group/group-peers.js';
import { decodeEntryBatch, encodeEntryBatch } from '../../../src/io/group/entry-batch.js';
import { encodeRecord } from '../../../src/io/persistence/log-format.js';
import { ReplyReader } from '../../../src/protocols/resp/reply-reader.js';
import { ReplyBuffer } from '../../../src/protocols/resp/encoder.js';
import { array, bignum, bool, bulk, doubleText, int, map, NIL, NIL_ARRAY, set, simple, verbatim, type Reply } from '../../../src/core/reply.js';
import * as errors from '../../../src/core/errors.js';

describe('group-peers', () => {
  test('ids by list order, bus ports, finding this node', () => {
    const plan = planGroup('127.0.0.1:7001,127.0.0.1:7002@9000,127.0.0.1:7003', 7002, ['127.0.0.1'], 0);
    assert.ok(typeof plan !== 'string');
    assert.deepEqual(plan.members.map((m) => [m.id, m.port, m.busPort]), [[1, 7001, 17001], [2, 7002, 9000], [3, 7003, 17003]]);
    assert.equal(plan.self.id, 2);
    const bus = planGroup('a:1', 1, ['a'], 5555);
    assert.ok(typeof bus !== 'string' && bus.self.busPort === 5555);
  });

  test('bad lists are refused with a reason', () => {
    assert.match(planGroup('a:1,a:2', 1, [], 0) as string, /1, 3 or 5/);
    assert.match(planGroup('a:1,b,c:3', 1, [], 0) as string, /not host:port/);
    assert.match(planGroup('a:1,a:1,a:3', 1, [], 0) as string, /twice/);
    assert.match(planGroup('a:1,b:2,c:3', 9, [], 0) as string, /not exactly one entry/);
    assert.match(planGroup('a:1,b:2,c:3', 0, [], 0) as string, /fixed port/);
    assert.match(planGroup('a:60000,b:2,c:3', 60000, [], 0) as string, /out of range/);
    const twoHosts = planGroup('10.0.0.1:7000,10.0.0.2:7000,10.0.0.3:7000', 7000, ['10.0.0.2'], 0);
    assert.ok(typeof twoHosts !== 'string' && twoHosts.self.id === 2, 'same port on several hosts: the bind address decides');
  });
});

describe('entry batches', () => {
  test('round trip of several records, transactions unwrapped', () => {
    const records = [
      encodeRecord([{ db: 0, argv: ['SET', 'k', 'v\x00\xff'] }]),
      encodeRecord([{ db: 0, argv: ['MULTI'] }, { db: 2, argv: ['INCR', 'n'] }, { db: 2, argv: ['DEL', 'x'] }, { db: 2, argv: ['EXEC'] }]),
    ];
    assert.deepEqual(decodeEntryBatch(encodeEntryBatch(records)), [
      [{ db: 0, argv: ['SET', 'k', 'v\x00\xff'] }],
      [{ db: 2, argv: ['INCR', 'n'] }, { db: 2, argv: ['DEL', 'x'] }],
    ]);
  });

  test('damaged payloads decode to null, never throw', () => {
    const good = encodeEntryBatch([encodeRecord([{ db: 0, argv: ['SET', 'a', 'b'] }])]);
    assert.equal(decodeEntryBatch(new Uint8Array(0)), null);
    assert.equal(decodeEntryBatch(Buffer.from([9])), null);
    for (let cut = 1; cut < good.length; cut++) assert.equal(decodeEntryBatch(good.subarray(0, cut)), null, `cut at ${cut}`);
  });
});

describe('ReplyReader', () => {
  const samples: Reply[] = [
    simple('OK'), errors.wrongType(), int(42), int(-7n * 10n ** 20n), bulk('a\r\nb\x00\xff'), NIL, NIL_ARRAY,
    array([int(1), array([bulk('x'), NIL])]), map([bulk('k'), int(1)]), set([bulk('m')]), doubleText('1.5'), bool(true), bool(false),
    verbatim('text'), bignum('123456789012345678901234567890'), array([]),
  ];
  for (const resp of [2, 3] as const) {
    test(`reads back what the encoder writes (RESP${resp}), a byte at a time too`, () => {
      const out = new ReplyBuffer();
      for (const r of samples) out.write(r, resp);
      const bytes = out.take();
      const expected = samples.map((r) => {
        const one = new ReplyBuffer();
        one.write(r, resp);
        const reader = new ReplyReader();
        reader.feed(one.take());
        return reader.next();
      });
      const reader = new ReplyReader();
      const got: Reply[] = [];
      for (let i = 0; i < bytes.length; i++) {
        reader.feed(bytes.subarray(i, i + 1));
        for (let r = reader.next(); r !== null; r = reader.next()) got.push(r);
      }
      assert.deepEqual(got, expected);
      const again = new ReplyBuffer();
      for (const r of got) again.write(r, resp);
      assert.deepEqual(again.take(), bytes, 'encoding what was read gives the same bytes');
    });
  }

  test('bytes that are not RESP throw', () => {
    const reader = new ReplyReader();
    reader.feed(Buffer.from('?what\r\n'));
    assert.throws(() => reader.next(), /not a RESP reply/);
  });
});
