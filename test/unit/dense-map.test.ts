// DenseMap keeps each value's size beside it for memory accounting: after any sequence of sets,
// overwrites and deletions (which swap the last entry into the hole), its size estimate equals
// that of a map built afresh with the same contents, and lookups agree with a plain Map.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { DenseMap } from '../../src/core/types/dense-map.js';

type Op = { kind: 'set'; key: string; value: string | number | null } | { kind: 'delete'; key: string };

const key = fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f', 'longer-field-name');
const value = fc.oneof(fc.string({ maxLength: 40 }), fc.integer(), fc.double({ noNaN: true }), fc.constant(null));
const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constant('set' as const), key, value }),
  fc.record({ kind: fc.constant('delete' as const), key }),
);

test('the size estimate after any changes equals that of the same contents set afresh', () => {
  fc.assert(
    fc.property(fc.array(op, { maxLength: 60 }), (ops) => {
      const dense = new DenseMap<string | number | null>();
      const model = new Map<string, string | number | null>();
      for (const o of ops) {
        if (o.kind === 'set') assert.equal(dense.set(o.key, o.value), !model.has(o.key));
        else assert.equal(dense.delete(o.key), model.has(o.key));
        if (o.kind === 'set') model.set(o.key, o.value);
        else model.delete(o.key);
      }
      const fresh = new DenseMap<string | number | null>();
      for (const [k, v] of model) fresh.set(k, v);
      assert.equal(dense.bytes, fresh.bytes);
      assert.equal(dense.size, model.size);
      for (const [k, v] of model) assert.equal(dense.get(k), v);
    }),
    { numRuns: 300 },
  );
});
