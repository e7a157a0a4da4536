// The durability, convergence and liveness checkers on hand-written histories and states.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { checkConvergence } from '../../../sim/checkers/convergence.js';
import { checkDurability } from '../../../sim/checkers/durability.js';
import { checkLiveness } from '../../../sim/checkers/liveness.js';
import type { Value } from '../../../sim/history.js';
import { build, cas, write, type Spec } from './history-builder.js';

const finals = (entries: Record<string, Value>, node = 1): Map<number, Map<string, Value>> => new Map([[node, new Map(Object.entries(entries))]]);

describe('durability', () => {
  test('the last acknowledged write, or one concurrent with it, may be the final value', () => {
    const ops = build([write('x', 'a', 0, 1), write('x', 'b', 2, 10), write('x', 'c', 3, 9)]);
    assert.deepEqual(checkDurability(ops, finals({ x: 'b' })), []);
    assert.deepEqual(checkDurability(ops, finals({ x: 'c' })), []);
  });

  test('an acknowledged write superseded by an older one was lost', () => {
    const ops = build([write('x', 'a', 0, 1), write('x', 'b', 2, 3)]);
    const f = checkDurability(ops, finals({ x: 'a' }));
    assert.equal(f.length, 1);
    assert.match(f[0]!.message, /lost the later acknowledged #1/);
  });

  test('nil after an acknowledged write, and values nobody wrote, are caught', () => {
    const ops = build([write('x', 'a', 0, 1)]);
    assert.equal(checkDurability(ops, finals({ x: null })).length, 1);
    assert.match(checkDurability(ops, finals({ x: 'zzz' }))[0]!.message, /no client wrote/);
  });

  test('a refused write must not take effect; unknown ones may', () => {
    const refused = build([write('x', 'a', 0, 1, 'fail')]);
    assert.match(checkDurability(refused, finals({ x: 'a' }))[0]!.message, /refused/);
    const unknown: Spec[] = [write('x', 'a', 0, 1), write('x', 'b', 2)];
    assert.deepEqual(checkDurability(build(unknown), finals({ x: 'b' })), []);
    assert.deepEqual(checkDurability(build(unknown), finals({ x: 'a' })), []);
  });

  test('a cas that swapped counts as an acknowledged write; one that did not, does not', () => {
    const ops = build([write('x', 'a', 0, 1), cas('x', 'a', 'b', 2, 3, true), cas('x', 'q', 'c', 4, 5, false)]);
    assert.deepEqual(checkDurability(ops, finals({ x: 'b' })), []);
    assert.equal(checkDurability(ops, finals({ x: 'a' })).length, 1);
  });

  test('every replica is checked', () => {
    const ops = build([write('x', 'a', 0, 1), write('x', 'b', 2, 3)]);
    const values = new Map([[1, new Map<string, Value>([['x', 'b']])], [2, new Map<string, Value>([['x', 'a']])]]);
    const f = checkDurability(ops, values);
    assert.deepEqual(f.map((x) => x.node), [2]);
  });
});

describe('convergence', () => {
  test('equal digests and applied indexes converge; any difference is reported', () => {
    assert.equal(checkConvergence([{ node: 1, applied: 5, digest: 'aa' }, { node: 2, applied: 5, digest: 'aa' }]), null);
    assert.match(checkConvergence([{ node: 1, applied: 5, digest: 'aa' }, { node: 2, applied: 5, digest: 'bb' }])!, /n2 applied=5 digest=bb/);
    assert.notEqual(checkConvergence([{ node: 1, applied: 5, digest: 'aa' }, { node: 2, applied: 4, digest: 'aa' }]), null);
    assert.notEqual(checkConvergence([]), null);
  });
});

describe('liveness', () => {
  test('a strong write invoked after the heal must complete within the bound', () => {
    const ops = build([write('x', 'a', 0, 50), write('x', 'b', 100, 130), write('x', 'c', 105, 400)]);
    assert.equal(checkLiveness(ops, 100, 30).failure, null);
    assert.equal(checkLiveness(ops, 100, 30).recoveryUs, 30);
    assert.match(checkLiveness(ops, 100, 29).failure!, /the first completed after/);
    assert.match(checkLiveness(ops, 500, 1000).failure!, /none completed/);
  });
});
