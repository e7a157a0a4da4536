// The compact hash form (one exact-size array of field, value pairs, plus an expiry column once
// a field had a TTL) against a plain model of Redis's listpack order: fields with a TTL first,
// by (expiry, field), then the others in insertion order.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { HashValue } from '../../src/core/types/hash.js';
import { sharedFieldName } from '../../src/core/types/field-names.js';

interface ModelField {
  field: string;
  value: string;
  time: number;
}

function sortsBefore(t1: number, f1: string, t2: number, f2: string): boolean {
  return t1 < t2 || (t1 === t2 && f1 < f2);
}

/** Where a field with expiry `time` goes: behind the TTL'd fields that sort before it, or last. */
function placeFor(model: ModelField[], f: ModelField): number {
  if (f.time === 0) return model.length;
  let at = 0;
  while (at < model.length && model[at]!.time !== 0 && !sortsBefore(f.time, f.field, model[at]!.time, model[at]!.field)) at++;
  return at;
}

function move(model: ModelField[], i: number, time: number): void {
  const [f] = model.splice(i, 1);
  f!.time = time;
  model.splice(placeFor(model, f!), 0, f!);
}

const op = fc.oneof(
  fc.record({ kind: fc.constant('set' as const), field: fc.integer({ min: 0, max: 12 }), value: fc.string({ maxLength: 4 }), keepTtl: fc.boolean() }),
  fc.record({ kind: fc.constant('delete' as const), field: fc.integer({ min: 0, max: 12 }) }),
  fc.record({ kind: fc.constant('ttl' as const), field: fc.integer({ min: 0, max: 12 }), time: fc.integer({ min: 1, max: 6 }) }),
  fc.record({ kind: fc.constant('persist' as const), field: fc.integer({ min: 0, max: 12 }) }),
  fc.record({ kind: fc.constant('expire' as const), now: fc.integer({ min: 0, max: 6 }) }),
);

describe('compact hashes', () => {
  test('keep the listpack order, values and expiry times through any sequence of changes', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 80 }), (ops) => {
        const h = new HashValue();
        const model: ModelField[] = [];
        for (const o of ops) {
          if (o.kind === 'expire') {
            const removed: string[] = [];
            h.removeExpired(o.now, (f) => removed.push(f));
            const expected = model.filter((m) => m.time !== 0 && m.time <= o.now).map((m) => m.field);
            for (const f of expected) model.splice(model.findIndex((m) => m.field === f), 1);
            assert.deepEqual(removed, expected);
            continue;
          }
          const field = `f${o.field}`;
          const i = model.findIndex((m) => m.field === field);
          if (o.kind === 'set') {
            assert.equal(h.set(field, o.value, o.keepTtl), i < 0);
            if (i < 0) model.push({ field, value: o.value, time: 0 });
            else {
              model[i]!.value = o.value;
              if (!o.keepTtl && model[i]!.time !== 0) move(model, i, 0);
            }
          } else if (o.kind === 'delete') {
            assert.equal(h.delete(field), i >= 0);
            if (i >= 0) model.splice(i, 1);
          } else if (o.kind === 'ttl') {
            h.setTtl(field, o.time);
            if (i >= 0) move(model, i, o.time);
          } else {
            assert.equal(h.clearTtl(field), i >= 0 && model[i]!.time !== 0);
            if (i >= 0 && model[i]!.time !== 0) move(model, i, 0);
          }
        }
        assert.notEqual(h.encoding, 'hashtable');
        assert.equal(h.size, model.length);
        const seen = Array.from({ length: h.size }, (_, i) => ({ field: h.fieldAt(i), value: h.valueAt(i), time: h.ttlOf(h.fieldAt(i)) }));
        assert.deepEqual(seen, model);
        for (const m of model) assert.equal(h.get(m.field), m.value);
        assert.equal(h.get('absent'), undefined);
      }),
      { numRuns: 300 },
    );
  });

  test('field names are shared between hashes; values and long names are kept as given', () => {
    const name = (s: string): string => [...s].join(''); // a distinct string object
    const a = new HashValue();
    const b = new HashValue();
    a.set(name('email'), name('a@example.com'));
    b.set(name('email'), name('b@example.com'));
    assert.equal(a.fieldAt(0), 'email');
    assert.equal(b.fieldAt(0), 'email');
    const long = 'x'.repeat(33);
    assert.equal(sharedFieldName(long), long);
    assert.equal(sharedFieldName(''), '');
    // Two different names that meet in one cache slot each come back as themselves.
    for (let i = 0; i < 5000; i++) assert.equal(sharedFieldName(`k${i}`), `k${i}`);
  });
});
