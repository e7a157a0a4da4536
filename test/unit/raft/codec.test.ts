// The Raft wire and hard-state format: every message type round-trips, and bytes that are not
// a message (truncated, extended, random, another version) decode to null without throwing.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { decodeEntry, decodeHardState, decodeMessage, encodeEntry, encodeHardState, encodeMessage } from '../../../src/core/raft/codec.js';
import type { Entry, Message } from '../../../src/core/raft/types.js';

const n = fc.nat({ max: Number.MAX_SAFE_INTEGER });
const id = fc.integer({ min: 1, max: 1000 });
const bytes = fc.uint8Array({ maxLength: 64 });
const text = fc.string({ maxLength: 20 });
const entry: fc.Arbitrary<Entry> = fc.record({ term: n, index: n, type: fc.constantFrom('normal' as const, 'conf-change' as const), data: bytes });
const entries = fc.array(entry, { maxLength: 5 });
const env = { from: id, to: id, term: n };

const message: fc.Arbitrary<Message> = fc.oneof(
  fc.record({ ...env, type: fc.constantFrom('vote' as const, 'pre-vote' as const), lastLogIndex: n, lastLogTerm: n, transfer: fc.boolean() }),
  fc.record({ ...env, type: fc.constantFrom('vote-resp' as const, 'pre-vote-resp' as const), reject: fc.boolean() }),
  fc.record({ ...env, type: fc.constant('app' as const), prevIndex: n, prevTerm: n, commit: n, entries }),
  fc.record({ ...env, type: fc.constant('app-resp' as const), index: n, reject: fc.boolean(), rejectHint: n, logTerm: n }),
  fc.record({ ...env, type: fc.constant('heartbeat' as const), commit: n, context: text, sentAtTick: n }),
  fc.record({ ...env, type: fc.constant('heartbeat-resp' as const), context: text, sentAtTick: n }),
  fc.record({
    ...env, type: fc.constant('snap' as const),
    snapshot: fc.record({ metadata: fc.record({ index: n, term: n, confState: fc.record({ voters: fc.array(id, { maxLength: 5 }), learners: fc.array(id, { maxLength: 3 }) }) }), data: bytes }),
  }),
  fc.record({ ...env, type: fc.constant('timeout-now' as const) }),
  fc.record({ ...env, type: fc.constant('prop' as const), entries }),
  fc.record({ ...env, type: fc.constant('read-index' as const), context: text }),
  fc.record({ ...env, type: fc.constant('read-index-resp' as const), context: text, index: n }),
  fc.record({ ...env, type: fc.constant('transfer-leader' as const), transferee: id }),
);

/** Uint8Arrays compare by content; plain objects by field. */
function normal(v: unknown): unknown {
  return JSON.parse(JSON.stringify(v, (_k, x) => (x instanceof Uint8Array ? { bytes: [...x] } : x)));
}

describe('raft codec', () => {
  test('every message round-trips', () => {
    fc.assert(fc.property(message, (m) => {
      assert.deepEqual(normal(decodeMessage(encodeMessage(m))), normal(m));
    }), { seed: 7, numRuns: 2000 });
  });

  test('a truncated or extended message is refused, never thrown', () => {
    fc.assert(fc.property(message, fc.nat(), (m, cut) => {
      const b = encodeMessage(m);
      assert.equal(decodeMessage(b.subarray(0, cut % b.length)), null);
      assert.equal(decodeMessage(new Uint8Array([...b, 0])), null);
    }), { seed: 8, numRuns: 1000 });
  });

  test('random bytes never throw', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 200 }), (b) => {
      decodeMessage(b);
      decodeHardState(b);
      decodeEntry(b);
    }), { seed: 9, numRuns: 5000 });
  });

  test('another version, an unknown type and a fractional term are refused', () => {
    const good = encodeMessage({ type: 'timeout-now', from: 1, to: 2, term: 3 });
    assert.notEqual(decodeMessage(good), null);
    assert.equal(decodeMessage(Uint8Array.from([2, ...good.subarray(1)])), null);
    assert.equal(decodeMessage(Uint8Array.from([1, 99, ...good.subarray(2)])), null);
    const fractional = Uint8Array.from(good);
    new DataView(fractional.buffer).setFloat64(18, 2.5);
    assert.equal(decodeMessage(fractional), null);
  });

  test('hard state and entries round-trip', () => {
    fc.assert(fc.property(n, id, n, entry, (term, vote, commit, e) => {
      assert.deepEqual(decodeHardState(encodeHardState({ term, vote, commit })), { term, vote, commit });
      assert.deepEqual(normal(decodeEntry(encodeEntry(e))), normal(e));
    }), { seed: 10, numRuns: 500 });
  });
});
