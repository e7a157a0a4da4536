// The stream structure (src/core/types/stream.ts) on its own: 64-bit ID parsing and arithmetic,
// the node array against a naive sorted-array model over random operation sequences (append,
// ranges both ways, delete, exact and approximate trims by MAXLEN and MINID), the ordered index
// the PELs use, the rax node count against an explicit trie, the DUMP codec (golden bytes, round
// trips, corrupt payloads) and MEMORY USAGE.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { crc64, dumpValue, restoreValue } from '../../src/core/dump.js';
import { streamLimits } from '../../src/core/limits.js';
import {
  compareIds, IdIndex, MAX_ID, nextId, parseIdArg, parseU64, prevId, radixTreeNodesFor, StreamId, StreamValue, U64_MAX, ZERO_ID,
  type TrimSpec, type U64,
} from '../../src/core/types/stream.js';
import { testEngine } from '../helpers/engine.js';

const id = (ms: U64, seq: U64): StreamId => new StreamId(ms, seq);
const big = (s: string): U64 => {
  const v = BigInt(s);
  return v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
};
const hex = (s: string): string => Buffer.from(s, 'latin1').toString('hex');

describe('IDs', () => {
  test('parseU64 follows string2ull: strict int64 first, then strtoull (blanks, signs, zeros, wrap)', () => {
    assert.equal(parseU64('0'), 0);
    assert.equal(parseU64('123'), 123);
    assert.equal(parseU64('-1'), null, 'a negative int64 is refused');
    assert.equal(parseU64(' 7'), 7);
    assert.equal(parseU64('+7'), 7);
    assert.equal(parseU64('007'), 7);
    assert.equal(parseU64('-0'), 0);
    assert.equal(parseU64('-01'), U64_MAX, 'strtoull negates modulo 2^64');
    assert.equal(parseU64('18446744073709551615'), U64_MAX);
    assert.equal(parseU64('18446744073709551616'), null, 'ERANGE');
    assert.equal(parseU64('9007199254740991'), Number.MAX_SAFE_INTEGER);
    assert.equal(parseU64('9007199254740992'), 9007199254740992n, 'beyond 2^53-1 stays exact as a bigint');
    for (const bad of ['', ' ', '+', '-', '1 ', '1x', '0x10', '1.0']) assert.equal(parseU64(bad), null, JSON.stringify(bad));
  });

  test('parseIdArg: -, +, ms, ms-seq, ms-*, strictness, 127-byte limit, NUL ends the text', () => {
    assert.deepEqual(parseIdArg('-', 0, false)?.id, ZERO_ID);
    assert.deepEqual(parseIdArg('+', 0, false)?.id, MAX_ID);
    assert.equal(parseIdArg('-', 0, true), null);
    assert.equal(parseIdArg('+', 0, true), null);
    assert.deepEqual(parseIdArg('5', 9, true)?.id, id(5, 9));
    assert.deepEqual(parseIdArg('5-3', 9, true)?.id, id(5, 3));
    assert.deepEqual(parseIdArg('5-*', 0, true, true), { id: id(5, 0), seqGiven: false });
    assert.equal(parseIdArg('5-*', 0, true), null, 'ms-* only where XADD allows it');
    assert.deepEqual(parseIdArg('1--01', 0, true)?.id, id(1, U64_MAX));
    assert.deepEqual(parseIdArg('1-1\0junk', 0, true)?.id, id(1, 1));
    assert.equal(parseIdArg('1'.repeat(128), 0, true), null);
    assert.equal(parseIdArg('-1-0', 0, true), null);
    assert.equal(parseIdArg('1-2-3', 0, true), null);
  });

  test('compare, next and previous are exact across 2^53 and at the ends', () => {
    const a = id(big('9007199254740993'), 0);
    const b = id(big('9007199254740992'), U64_MAX);
    assert.equal(compareIds(a, b), 1);
    assert.deepEqual(nextId(b), id(big('9007199254740993'), 0));
    assert.deepEqual(prevId(a), b);
    assert.deepEqual(nextId(id(Number.MAX_SAFE_INTEGER, 5)), id(Number.MAX_SAFE_INTEGER, 6));
    assert.deepEqual(nextId(id(5, Number.MAX_SAFE_INTEGER)), id(5, 9007199254740992n));
    assert.equal(nextId(MAX_ID), null);
    assert.equal(prevId(ZERO_ID), null);
    assert.equal(id(U64_MAX, U64_MAX).toString(), '18446744073709551615-18446744073709551615');
    assert.equal(compareIds(id(1, 2n ** 60n), id(2, 0)), -1);
  });
});

// ---------------------------------------------------------------------------------------------
// StreamValue against a naive model

interface ModelEntry {
  readonly id: StreamId;
  readonly pairs: string[];
}

type Op =
  | { kind: 'append'; gapMs: number; gapSeq: number; pairs: string[] }
  | { kind: 'delete'; picks: number[] }
  | { kind: 'trim'; strategy: 'maxlen' | 'minid'; n: number; approx: boolean; limit: number }
  | { kind: 'range'; a: number; b: number; rev: boolean; count: number };

const value = fc.oneof(
  fc.constantFrom('1', '-5', '4096', '12345678901', 'x', ''),
  fc.string({ maxLength: 8 }),
  fc.integer({ min: 0, max: 3000 }).map((n) => 'v'.repeat(n)),
);
const pairsArb = fc.oneof(
  value.map((v) => ['f', v]),
  fc.tuple(value, value).map(([a, b]) => ['f', a, 'g', b]),
  fc.tuple(fc.constantFrom('f', 'g', 'h'), value).map(([f, v]) => [f, v]),
);
const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ kind: fc.constant('append' as const), gapMs: fc.constantFrom(0, 0, 1, 7, 1000, 2 ** 40), gapSeq: fc.constantFrom(1, 1, 2, 2 ** 33), pairs: pairsArb }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('delete' as const), picks: fc.array(fc.nat(), { minLength: 1, maxLength: 4 }) }) },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('trim' as const), strategy: fc.constantFrom('maxlen' as const, 'minid' as const),
      n: fc.nat({ max: 400 }), approx: fc.boolean(), limit: fc.constantFrom(0, 0, 50, 150),
    }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('range' as const), a: fc.nat(), b: fc.nat(), rev: fc.boolean(), count: fc.nat({ max: 5 }) }) },
);

/** Applies one operation to both and compares what they answer. */
function step(s: StreamValue, model: ModelEntry[], op: Op, clock: { ms: U64; seq: U64 }, everAdded: StreamId[]): void {
  switch (op.kind) {
    case 'append': {
      if (op.gapMs > 0) {
        clock.ms = typeof clock.ms === 'bigint' ? clock.ms + BigInt(op.gapMs) : big(String(BigInt(clock.ms) + BigInt(op.gapMs)));
        clock.seq = 0;
      } else {
        clock.seq = big(String(BigInt(clock.seq) + BigInt(op.gapSeq)));
      }
      const newId = id(clock.ms, clock.seq);
      s.append(newId, [...op.pairs]);
      model.push({ id: newId, pairs: op.pairs });
      everAdded.push(newId);
      break;
    }
    case 'delete': {
      const ids = op.picks.map((p) => everAdded[p % Math.max(1, everAdded.length)] ?? id(1, 1));
      const expected = new Set<string>();
      for (const x of ids) if (model.some((e) => compareIds(e.id, x) === 0)) expected.add(x.toString());
      const deleted = s.deleteIds(ids);
      assert.equal(deleted, expected.size);
      for (let i = model.length - 1; i >= 0; i--) if (expected.has(model[i]!.id.toString())) model.splice(i, 1);
      break;
    }
    case 'trim': {
      const minid = everAdded.length === 0 ? id(1, 0) : everAdded[op.n % everAdded.length]!;
      const spec: TrimSpec = { strategy: op.strategy, maxlen: op.n, minid, approx: op.approx, limit: op.approx ? op.limit : 0 };
      const exactCount = op.strategy === 'maxlen'
        ? Math.max(0, model.length - op.n)
        : model.filter((e) => compareIds(e.id, minid) < 0).length;
      const removed = s.trim(spec);
      if (op.approx) {
        // Whole nodes only: never more than an exact trim, and never past the LIMIT.
        assert.ok(removed <= exactCount, `approximate trim removed ${removed} > ${exactCount}`);
        if (op.limit > 0) assert.ok(removed <= op.limit);
      } else {
        assert.equal(removed, exactCount);
      }
      model.splice(0, removed);
      break;
    }
    case 'range': {
      const pickId = (n: number): StreamId => (everAdded.length === 0 ? ZERO_ID : n % 7 === 0 ? MAX_ID : everAdded[n % everAdded.length]!);
      const lo = pickId(op.a);
      const hi = pickId(op.b);
      const got: string[] = [];
      s.forEachInRange(lo, hi, op.rev, (ms, seq, pairs) => {
        got.push(`${ms}-${seq}:${pairs.join(',')}`);
        return op.count === 0 || got.length < op.count;
      });
      let want = model.filter((e) => compareIds(e.id, lo) >= 0 && compareIds(e.id, hi) <= 0);
      if (op.rev) want = want.reverse();
      if (op.count > 0) want = want.slice(0, op.count);
      assert.deepEqual(got, want.map((e) => `${e.id}:${e.pairs.join(',')}`));
      break;
    }
  }
}

describe('StreamValue against a sorted-array model', () => {
  test('random appends, deletes, trims (exact and ~, MAXLEN and MINID, LIMIT) and ranges agree', () => {
    fc.assert(
      fc.property(fc.array(opArb, { minLength: 1, maxLength: 400 }), fc.constantFrom<U64>(1, 1_700_000_000_000, 9007199254740000), (ops, startMs) => {
        const s = new StreamValue();
        const model: ModelEntry[] = [];
        const clock = { ms: startMs, seq: 0 as U64 };
        const everAdded: StreamId[] = [];
        for (const op of ops) {
          step(s, model, op, clock, everAdded);
          s.checkInvariants();
          assert.equal(s.length, model.length);
          assert.deepEqual(s.lastLiveId(), model.length === 0 ? null : model[model.length - 1]!.id);
          assert.deepEqual(s.firstId, model.length === 0 ? ZERO_ID : model[0]!.id);
          for (const probe of everAdded.slice(-3)) {
            const m = model.find((e) => compareIds(e.id, probe) === 0);
            assert.deepEqual(s.get(probe), m?.pairs);
          }
        }
      }),
      { numRuns: 150 },
    );
  });

  test('a node holds stream-node-max-entries entries, deleted ones included; bytes split it too', () => {
    const s = new StreamValue();
    for (let i = 1; i <= streamLimits.streamNodeMaxEntries; i++) s.append(id(1, i), ['f', 'v']);
    assert.equal(s.radixTreeKeys, 1);
    s.deleteIds([id(1, 5)]);
    s.append(id(2, 0), ['f', 'v']);
    assert.equal(s.radixTreeKeys, 2, 'the deleted entry still takes its slot');
    const b = new StreamValue();
    for (let i = 1; i <= 5; i++) b.append(id(1, i), ['f', 'x'.repeat(1000)]);
    // Three 1 KB entries make a 3054-byte listpack: a 4th (1001 more bytes) stays below 4096,
    // a 5th would not (Redis checks the listpack's size plus the new fields' and values' bytes).
    assert.equal(b.radixTreeKeys, 2);
    assert.equal(b.nodes[0]!.slots, 4);
  });

  test('listpack sizes follow listpack.c: integers by range, strings by length, entries sharing the master fields', () => {
    const s = new StreamValue();
    s.append(id(1, 1), ['a', '1']);
    // header 6 + end 1 + live 1 (2) + deleted 0 (2) + master: count 1 (2), "a" (3), 0 (2)
    // + entry: flags (2), ms delta (2), seq delta (2), value 1 (2), lp-count 4 (2)
    assert.equal(s.nodes[0]!.listpackBytes, 7 + 2 + 2 + 7 + 10);
    s.append(id(1, 2), ['b', '1']); // other fields: field count (2) and the field (3) are stored
    assert.equal(s.nodes[0]!.listpackBytes, 28 + 2 + 2 + 2 + 2 + 3 + 2 + 2);
    s.append(id(70000, 0), ['a', 'x'.repeat(64)]); // ms delta 69999 (5), a 64-byte string (2+64+1)
    assert.equal(s.nodes[0]!.listpackBytes, 43 + 2 + 5 + 3 + 67 + 2);
  });

  test('XDEL frees a node whose last live entry goes; the recorded first ID follows', () => {
    const s = new StreamValue();
    for (let i = 1; i <= 150; i++) s.append(id(i, 0), ['f', String(i)]);
    assert.equal(s.radixTreeKeys, 2);
    assert.equal(s.deleteIds(Array.from({ length: 100 }, (_, i) => id(i + 1, 0))), 100);
    assert.equal(s.radixTreeKeys, 1);
    assert.deepEqual(s.firstId, id(101, 0));
    assert.deepEqual(s.maxDeletedId, id(100, 0));
    s.checkInvariants();
  });

  test('an exact MINID trim can leave a node of tombstones, as Redis does', () => {
    const s = new StreamValue();
    for (let i = 1; i <= 10; i++) s.append(id(i, 0), ['f', 'v']);
    s.deleteIds([id(10, 0)]);
    assert.equal(s.trim({ strategy: 'minid', minid: id(10, 0), maxlen: 0, approx: false, limit: 0 }), 9);
    assert.equal(s.length, 0);
    assert.equal(s.radixTreeKeys, 1, 'the node keeps its tombstones');
    s.append(id(11, 0), ['f', 'v']);
    assert.equal(s.radixTreeKeys, 1);
    s.checkInvariants();
  });
});

// ---------------------------------------------------------------------------------------------

describe('IdIndex (the PELs)', () => {
  test('insert, remove, get, ordered walks and firstAfter agree with a sorted array', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.constantFrom('ins', 'ins', 'del', 'walk'), fc.nat({ max: 3000 })), { maxLength: 1500 }), (ops) => {
        const index = new IdIndex<{ id: StreamId }>();
        const model: number[] = [];
        for (const [kind, n] of ops) {
          const key = id(Math.floor(n / 10), n % 10);
          const at = model.indexOf(n);
          if (kind === 'ins') {
            if (at < 0) {
              index.insert({ id: key });
              model.push(n);
              model.sort((a, b) => a - b);
            }
          } else if (kind === 'del') {
            assert.equal(index.remove(key) !== undefined, at >= 0);
            if (at >= 0) model.splice(at, 1);
          } else {
            const got = index.collectFrom(key, 5).map((v) => v.id.toString());
            const want = model.filter((m) => m >= n).slice(0, 5).map((m) => id(Math.floor(m / 10), m % 10).toString());
            assert.deepEqual(got, want);
            const after = model.find((m) => m > n);
            assert.equal(index.firstAfter(key)?.id.toString(), after === undefined ? undefined : id(Math.floor(after / 10), after % 10).toString());
          }
          assert.equal(index.size, model.length);
          assert.equal(index.get(key) !== undefined, model.includes(n));
        }
        assert.deepEqual(index.values().map((v) => v.id.toString()), model.map((m) => id(Math.floor(m / 10), m % 10).toString()));
      }),
      { numRuns: 60 },
    );
  });
});

// ---------------------------------------------------------------------------------------------

/** Nodes of a rax for these byte keys, counted on an explicit one-byte-per-level trie. */
function naiveRaxNodes(keys: number[][]): number {
  if (keys.length === 0) return 1;
  interface T { children: Map<number, T>; depth: number }
  const root: T = { children: new Map(), depth: 0 };
  for (const k of keys) {
    let t = root;
    for (const b of k) {
      let c = t.children.get(b);
      if (c === undefined) t.children.set(b, (c = { children: new Map(), depth: t.depth + 1 }));
      t = c;
    }
  }
  // A rax node per branching point or key; a chain of single-child levels between a branching
  // node and the next such point becomes one compressed node (unless it hangs off the head).
  let count = 1;
  const walk = (t: T, branchAbove: boolean, chainStart: number): void => {
    for (const child of t.children.values()) {
      const significant = child.children.size !== 1; // a leaf (key) or a branch
      if (significant) {
        count++;
        if (branchAbove && child.depth - chainStart >= 2) count++;
        walk(child, child.children.size >= 2, child.depth);
      } else {
        walk(child, branchAbove, chainStart);
      }
    }
  };
  walk(root, root.children.size >= 2, 0);
  return count;
}

function keyBytes(x: StreamId): number[] {
  const out: number[] = [];
  for (const part of [x.ms, x.seq]) {
    const v = BigInt(part);
    for (let i = 7; i >= 0; i--) out.push(Number((v >> BigInt(8 * i)) & 0xffn));
  }
  return out;
}

describe('radix-tree-nodes', () => {
  test('the node count of rax over listpack keys matches an explicit trie', () => {
    const part = fc.oneof(fc.nat({ max: 300 }), fc.constantFrom(0x1_0000_0000, 2 ** 40, 2 ** 52 + 3), fc.bigInt({ min: 2n ** 53n, max: 2n ** 64n - 1n }).map((v) => v as U64));
    fc.assert(
      fc.property(fc.uniqueArray(fc.tuple(part, part), { maxLength: 60, selector: ([a, b]) => `${a}-${b}` }), (pairs) => {
        const ids = pairs.map(([a, b]) => id(a, b)).sort(compareIds);
        assert.equal(radixTreeNodesFor(ids), naiveRaxNodes(ids.map(keyBytes)));
      }),
      { numRuns: 300 },
    );
    assert.equal(radixTreeNodesFor([]), 1);
    assert.equal(radixTreeNodesFor([id(1, 1)]), 2, 'the head is compressed over the whole key');
  });
});

// ---------------------------------------------------------------------------------------------

/** A DUMP payload around a body (tag included): format version 1 and the CRC-64 trailer. */
function seal(body: string): string {
  const data = body + '\x01\x00';
  const [hi, lo] = crc64(data);
  let trailer = '';
  for (let i = 0; i < 4; i++) trailer += String.fromCharCode((lo >>> (8 * i)) & 0xff);
  for (let i = 0; i < 4; i++) trailer += String.fromCharCode((hi >>> (8 * i)) & 0xff);
  return data + trailer;
}

const fromHex = (h: string): string => Buffer.from(h, 'hex').toString('latin1');

describe('DUMP codec (tag 6)', () => {
  const GOLDEN_BODY =
    '06' + '0200' + '0102' + '03' + // last ID 2-0, max deleted 1-2, entries added 3
    '01' + '01' + '0161' + '2d' + '03' + // one node: master fields [a], 45 listpack body bytes, 3 slots
    '0101' + '01' + '0131' + // 1-1 with the master's fields: value "1"
    '0102' + '02' + // 1-2 deleted
    '0200' + '00' + '01' + '0162' + '027879' + // 2-0 with its own fields: b=xy
    '01' + '0167' + '0101' + '00' + // one group "g": last delivered 1-1, entries-read unknown (-1, stored +1)
    '01' + '0163' + // one consumer "c"
    '01' + '0101' + '00' + '80d095ffbc31' + '01'; // pending 1-1, consumer #0, delivered 1700000000000, once

  test('golden bytes: entries, a tombstone, a group with a consumer and a pending entry', () => {
    const t = testEngine();
    t.run('XADD', 's', '1-1', 'a', '1');
    t.run('XADD', 's', '1-2', 'a', '2');
    t.run('XADD', 's', '2-0', 'b', 'xy');
    t.run('XDEL', 's', '1-2');
    t.run('XGROUP', 'CREATE', 's', 'g', '0');
    t.run('XREADGROUP', 'GROUP', 'g', 'c', 'COUNT', '1', 'STREAMS', 's', '>');
    const payload = t.raw('DUMP', 's').v as string;
    assert.equal(hex(payload), GOLDEN_BODY + '0100' + '45a86c22ff9f7529');
    const restored = restoreValue(payload);
    assert.ok(restored.ok);
    assert.equal(hex(dumpValue('stream', restored.value)), hex(payload));
  });

  test('RESTORE and COPY give back entries, node layout, counters, groups and PELs', () => {
    const t = testEngine();
    for (let i = 1; i <= 250; i++) t.run('XADD', 's', `${i}-0`, 'f', String(i), ...(i % 3 === 0 ? ['g', 'x'] : []));
    t.run('XDEL', 's', '5-0', '120-0');
    t.run('XSETID', 's', '900-0', 'ENTRIESADDED', '1000', 'MAXDELETEDID', '800-0');
    t.run('XGROUP', 'CREATE', 's', 'g1', '0');
    t.run('XGROUP', 'CREATE', 's', 'g2', '$', 'ENTRIESREAD', '7');
    t.run('XREADGROUP', 'GROUP', 'g1', 'alice', 'COUNT', '10', 'STREAMS', 's', '>');
    t.run('XREADGROUP', 'GROUP', 'g1', 'bob', 'COUNT', '5', 'STREAMS', 's', '>');
    t.run('XCLAIM', 's', 'g1', 'bob', '0', '3-0', 'RETRYCOUNT', '9');
    t.run('XGROUP', 'CREATECONSUMER', 's', 'g2', 'idle');
    const s = t.session();
    const payload = t.raw('DUMP', 's').v as string;
    assert.equal(s.raw(['RESTORE', 'r', '0', Buffer.from(payload, 'latin1')]).v, 'OK');
    assert.equal(t.run('COPY', 's', 'c'), 1);
    t.clock.advance(5000);
    // Everything but the consumers' seen times (not in payloads: see stream.ts).
    const full = (key: string): unknown => {
      const info = t.run('XINFO', 'STREAM', key, 'FULL', 'COUNT', '0') as Map<string, unknown>;
      for (const g of info.get('groups') as Array<Map<string, unknown>>) {
        for (const c of g.get('consumers') as Array<Map<string, unknown>>) c.delete('seen-time');
      }
      return info;
    };
    for (const key of ['r', 'c']) {
      assert.deepEqual(full(key), full('s'), key);
      assert.deepEqual(t.run('XINFO', 'STREAM', key), t.run('XINFO', 'STREAM', 's'));
      assert.deepEqual(t.run('XPENDING', key, 'g1', '-', '+', '100'), t.run('XPENDING', 's', 'g1', '-', '+', '100'));
      assert.equal(hex(t.raw('DUMP', key).v as string), hex(payload));
    }
  });

  test('consumers restored from a payload count as seen at their first use (seen times are not stored)', () => {
    const t = testEngine();
    t.run('XADD', 's', '1-1', 'f', 'v');
    t.run('XGROUP', 'CREATE', 's', 'g', '0');
    t.run('XGROUP', 'CREATECONSUMER', 's', 'g', 'c');
    t.clock.advance(60_000);
    assert.equal(t.run('COPY', 's', 'copy'), 1);
    t.clock.advance(1_000);
    const idle = (key: string): unknown => (t.run('XINFO', 'CONSUMERS', key, 'g') as Array<Map<string, unknown>>)[0]!.get('idle');
    assert.equal(idle('s'), 61_000);
    assert.equal(idle('copy'), 0);
  });

  test('corrupt bodies with a valid trailer, and truncated payloads, are refused', () => {
    assert.ok(restoreValue(seal(fromHex(GOLDEN_BODY))).ok, 'the golden body is valid');
    const bad: Array<[string, string]> = [
      ['slot kind 7', GOLDEN_BODY.replace('010101310102', '010107310102')],
      ['IDs out of order', GOLDEN_BODY.replace('0101010131' + '010202', '0101010131' + '010002')],
      ['pending owner missing', GOLDEN_BODY.slice(0, GOLDEN_BODY.length - 16) + '05' + GOLDEN_BODY.slice(GOLDEN_BODY.length - 14)],
      ['trailing byte', GOLDEN_BODY + '00'],
      ['empty node', '06000000000000' + '01' + '00' + '07' + '00' + '00'],
      ['entry without fields', '06' + '0100' + '0000' + '01' + '01' + '00' + '07' + '01' + '0100' + '00' + '00' + '00'],
      ['node size below its content', GOLDEN_BODY.replace('01612d', '016101')],
      ['groups out of order', '06' + '0000' + '0000' + '00' + '00' + '02' + '0162' + '0000' + '00' + '00' + '00' + '0161' + '0000' + '00' + '00' + '00'],
    ];
    for (const [why, body] of bad) {
      assert.equal(restoreValue(seal(fromHex(body))).ok, false, why);
    }
    const t = testEngine();
    for (let i = 1; i <= 30; i++) t.run('XADD', 's', `${i}-0`, 'f', String(i));
    t.run('XGROUP', 'CREATE', 's', 'g', '0');
    t.run('XREADGROUP', 'GROUP', 'g', 'c', 'COUNT', '3', 'STREAMS', 's', '>');
    const good = t.raw('DUMP', 's').v as string;
    const body = good.slice(0, -10);
    for (let cut = 1; cut < body.length; cut++) assert.equal(restoreValue(seal(body.slice(0, cut))).ok, false, `cut at ${cut}`);
    const s = t.session();
    assert.match(String(s.raw(['RESTORE', 'x', '0', Buffer.from(good.slice(0, -1) + 'x', 'latin1')]).v), /^ERR /);
  });
});

describe('MEMORY USAGE', () => {
  test('grows with entries and groups and shrinks when trimming frees nodes', () => {
    const t = testEngine();
    for (let i = 0; i < 3000; i++) t.run('XADD', 's', '*', 'field', `value-${i}`);
    const full = t.run('MEMORY', 'USAGE', 's') as number;
    assert.ok(full > 3000 * 30, `${full}`);
    assert.ok(Math.abs((t.run('MEMORY', 'USAGE', 's', 'SAMPLES', '0') as number) - full) < full * 0.1, 'sampling extrapolates well');
    t.run('XTRIM', 's', 'MAXLEN', '300');
    const trimmed = t.run('MEMORY', 'USAGE', 's') as number;
    assert.ok(trimmed < full / 5, `${trimmed} after trimming, ${full} before`);
    t.run('XGROUP', 'CREATE', 's', 'g', '0');
    t.run('XREADGROUP', 'GROUP', 'g', 'c', 'STREAMS', 's', '>');
    const withPel = t.run('MEMORY', 'USAGE', 's') as number;
    assert.ok(withPel > trimmed + 300 * 50 && withPel < trimmed + 300 * 400, `${withPel}`);
  });
});
