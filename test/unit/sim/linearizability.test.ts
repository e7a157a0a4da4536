// The linearizability checker: hand-written histories with known verdicts, a differential test
// against a brute-force checker on small random histories, histories generated from sequential
// executions with random overlaps (must pass) and mutated ones (must fail), and the cost bound.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { checkLinearizability } from '../../../sim/checkers/linearizability.js';
import type { ClientOp, Operation, Value } from '../../../sim/history.js';
import { build, cas, read, write, type Spec } from './history-builder.js';

const verdict = (specs: readonly Spec[]): string => checkLinearizability(build(specs)).verdict;

describe('linearizability: hand-written histories', () => {
  test('sequential write then read of the written value', () => {
    assert.equal(verdict([write('x', '1', 0, 1), read('x', 2, 3, '1')]), 'ok');
  });

  test('a read of a key never written sees nil', () => {
    assert.equal(verdict([read('x', 0, 1, null)]), 'ok');
    assert.equal(verdict([read('x', 0, 1, '1')]), 'fail');
  });

  test('stale read: an older value after a newer write completed', () => {
    const r = checkLinearizability(build([write('x', '1', 0, 1), write('x', '2', 2, 3), read('x', 4, 5, '1')]));
    assert.equal(r.verdict, 'fail');
    assert.equal(r.counterexamples.length, 1);
    assert.equal(r.counterexamples[0]!.culprit.id, 2);
    assert.equal(r.counterexamples[0]!.key, 'x');
  });

  test('lost write: nil after an acknowledged write', () => {
    assert.equal(verdict([write('x', '1', 0, 1), read('x', 2, 3, null)]), 'fail');
  });

  test('a read concurrent with a write may see either value', () => {
    assert.equal(verdict([write('x', '1', 0, 10), read('x', 2, 3, '1')]), 'ok');
    assert.equal(verdict([write('x', '1', 0, 10), read('x', 2, 3, null)]), 'ok');
  });

  test('new-then-old inversion between two reads during one write', () => {
    // r1 sees the new value and completes; r2 starts afterwards and sees the old one.
    assert.equal(verdict([write('x', '1', 0, 10), read('x', 1, 2, '1'), read('x', 3, 4, null)]), 'fail');
    // The other order is fine: the write took effect between the reads.
    assert.equal(verdict([write('x', '1', 0, 10), read('x', 1, 2, null), read('x', 3, 4, '1')]), 'ok');
  });

  test('two concurrent writes: reads must agree on one order', () => {
    const base = [write('x', 'a', 0, 10), write('x', 'b', 0, 10)];
    assert.equal(verdict([...base, read('x', 11, 12, 'a')]), 'ok');
    assert.equal(verdict([...base, read('x', 11, 12, 'b')]), 'ok');
    assert.equal(verdict([...base, read('x', 1, 2, 'a'), read('x', 3, 4, 'b'), read('x', 11, 12, 'b')]), 'ok');
    // a then b then a again is impossible: each write takes effect once.
    assert.equal(verdict([...base, read('x', 1, 2, 'a'), read('x', 3, 4, 'b'), read('x', 5, 6, 'a')]), 'fail');
  });

  test('cas: swaps exactly when the value matches', () => {
    assert.equal(verdict([write('x', 'a', 0, 1), cas('x', 'a', 'b', 2, 3, true), read('x', 4, 5, 'b')]), 'ok');
    assert.equal(verdict([cas('x', null, 'b', 0, 1, true), read('x', 2, 3, 'b')]), 'ok');
    // Reported as not swapped although the value matched.
    assert.equal(verdict([write('x', 'a', 0, 1), cas('x', 'a', 'b', 2, 3, false)]), 'fail');
    // Two sequential cas from the same expected value cannot both swap.
    assert.equal(verdict([write('x', 'a', 0, 1), cas('x', 'a', 'b', 2, 3, true), cas('x', 'a', 'c', 4, 5, true)]), 'fail');
    // Concurrent ones cannot both swap either.
    assert.equal(verdict([write('x', 'a', 0, 1), cas('x', 'a', 'b', 2, 9, true), cas('x', 'a', 'c', 3, 8, true)]), 'fail');
    assert.equal(verdict([write('x', 'a', 0, 1), cas('x', 'a', 'b', 2, 9, true), cas('x', 'a', 'c', 3, 8, false), read('x', 10, 11, 'b')]), 'ok');
    // A cas that did not swap is a read that the value differed.
    assert.equal(verdict([write('x', 'a', 0, 1), cas('x', 'z', 'b', 2, 3, false), read('x', 4, 5, 'a')]), 'ok');
  });

  test('an unknown write may take effect at any time after its invocation, or never', () => {
    assert.equal(verdict([write('x', '1', 0), read('x', 5, 6, '1')]), 'ok');
    assert.equal(verdict([write('x', '1', 0), read('x', 5, 6, null), read('x', 7, 8, '1')]), 'ok');
    assert.equal(verdict([write('x', '1', 0), read('x', 5, 6, null)]), 'ok');
    // ...but only once, and not before it was invoked.
    assert.equal(verdict([write('x', '1', 0), read('x', 5, 6, '1'), read('x', 7, 8, null)]), 'fail');
    assert.equal(verdict([read('x', 0, 1, '1'), write('x', '1', 2)]), 'fail');
  });

  test('an unknown cas takes effect by its own rule', () => {
    assert.equal(verdict([write('x', 'a', 0, 1), cas('x', 'a', 'b', 2, undefined), read('x', 5, 6, 'b')]), 'ok');
    assert.equal(verdict([write('x', 'z', 0, 1), cas('x', 'a', 'b', 2, undefined), read('x', 5, 6, 'b')]), 'fail');
  });

  test('a failed write never takes effect', () => {
    assert.equal(verdict([write('x', '1', 0, 1, 'fail'), read('x', 2, 3, null)]), 'ok');
    assert.equal(verdict([write('x', '1', 0, 1, 'fail'), read('x', 2, 3, '1')]), 'fail');
  });

  test('weak reads are not checked; weak writes count as unknown', () => {
    const weakRead: Spec = { ...read('x', 2, 3, 'bogus'), consistency: 'weak' };
    assert.equal(verdict([write('x', '1', 0, 1), weakRead]), 'ok');
    const weakWrite: Spec = { ...write('x', '1', 0, 1), consistency: 'weak' };
    // Acknowledged at a weak level and then not seen: allowed.
    assert.equal(verdict([weakWrite, read('x', 2, 3, null)]), 'ok');
    assert.equal(verdict([weakWrite, read('x', 2, 3, '1')]), 'ok');
  });

  test('keys are checked independently and the counterexample names the key', () => {
    const r = checkLinearizability(build([
      write('x', '1', 0, 1), read('x', 2, 3, '1'),
      write('y', '1', 0, 1), write('y', '2', 2, 3), read('y', 4, 5, '1'),
    ]));
    assert.equal(r.verdict, 'fail');
    assert.deepEqual(r.keys.map((k) => [k.key, k.verdict]), [['x', 'ok'], ['y', 'fail']]);
    assert.equal(r.counterexamples[0]!.key, 'y');
  });

  test('the counterexample is the shortest failing prefix', () => {
    const specs: Spec[] = [];
    let t = 0;
    for (let i = 0; i < 40; i++) {
      specs.push(write('x', `v${i}`, t, t + 3));
      specs.push(read('x', t + 4, t + 5, `v${i}`));
      t += 10;
    }
    specs.push(read('x', t, t + 1, 'v3')); // stale: index 80
    for (let i = 0; i < 10; i++) specs.push(write('x', `w${i}`, t + 10 + 10 * i, t + 12 + 10 * i));
    const r = checkLinearizability(build(specs));
    assert.equal(r.verdict, 'fail');
    const ce = r.counterexamples[0]!;
    assert.equal(ce.culprit.id, 80);
    assert.equal(ce.prefix.length, 81);
    assert.ok(ce.prefix.every((o) => o.id <= 80));
  });

  test('a search over its bound reports unknown instead of running on', () => {
    // Many concurrent writes of distinct values, then a read of a value no one wrote: the search
    // must try every order before it can say no.
    const specs: Spec[] = [];
    for (let i = 0; i < 24; i++) specs.push(write('x', `v${i}`, 0, 100));
    specs.push(read('x', 101, 102, 'nobody'));
    const r = checkLinearizability(build(specs), { maxSteps: 10_000, maxMemo: 1_000_000, maxTotalSteps: 1_000_000 });
    assert.equal(r.verdict, 'unknown');
    assert.equal(r.counterexamples.length, 0);
  });

  test('the whole history has a budget too: keys past it are unknown, not skipped silently', () => {
    const specs: Spec[] = [];
    for (const key of ['a', 'b', 'c']) {
      for (let i = 0; i < 20; i++) specs.push(write(key, `${key}${i}`, 0, 100));
      specs.push(read(key, 101, 102, 'nobody'));
    }
    const r = checkLinearizability(build(specs), { maxSteps: 1_000_000, maxMemo: 10_000_000, maxTotalSteps: 50_000 });
    assert.equal(r.verdict, 'unknown');
    assert.ok(r.steps <= 50_000 + 3);
    assert.ok(r.keys.every((k) => k.verdict === 'unknown'));
  });
});

// ---- brute force reference -------------------------------------------------------------

/** Tries every order of the operations that respects real time; exponential, for tiny histories. */
function bruteForce(ops: readonly Operation[]): boolean {
  const live = ops.filter((o) => o.status !== 'fail' && !(o.op.kind === 'read' && (o.status !== 'ok' || o.consistency !== 'strong')));
  const known = (o: Operation): boolean => o.status === 'ok' && o.consistency === 'strong';
  const ret = (o: Operation): number => (known(o) ? o.completeIndex : Infinity);
  const used = new Array<boolean>(live.length).fill(false);
  const go = (state: Value, depth: number): boolean => {
    if (depth === live.length) return true;
    for (let i = 0; i < live.length; i++) {
      if (used[i]) continue;
      const o = live[i]!;
      // o can go next only if no unused operation returned before o was invoked.
      if (live.some((p, j) => !used[j] && j !== i && ret(p) < o.invokeIndex)) continue;
      let next: Value | undefined;
      const op = o.op;
      if (op.kind === 'read') next = o.output !== null && 'value' in o.output && o.output.value === state ? state : undefined;
      else if (op.kind === 'write') next = op.value;
      else {
        const swaps = state === op.expected;
        next = !known(o) || (o.output !== null && 'swapped' in o.output && o.output.swapped === swaps) ? (swaps ? op.value : state) : undefined;
      }
      if (next === undefined) continue;
      used[i] = true;
      if (go(next, depth + 1)) return true;
      used[i] = false;
    }
    return false;
  };
  return go(null, 0);
}

const VALUES = ['a', 'b', 'c'] as const;
const smallSpec: fc.Arbitrary<Spec> = fc.record({
  kind: fc.constantFrom('read', 'write', 'cas'),
  from: fc.integer({ min: 0, max: 20 }),
  len: fc.integer({ min: 0, max: 8 }),
  value: fc.constantFrom(...VALUES),
  expected: fc.constantFrom(null, ...VALUES),
  readValue: fc.constantFrom(null, ...VALUES),
  swapped: fc.boolean(),
  status: fc.constantFrom('ok', 'ok', 'ok', 'info', 'fail'),
}).map((r): Spec => {
  const op: ClientOp = r.kind === 'read' ? { kind: 'read', key: 'k' } : r.kind === 'write' ? { kind: 'write', key: 'k', value: r.value } : { kind: 'cas', key: 'k', expected: r.expected, value: r.value };
  const status = r.status as Spec['status'];
  return { op, from: r.from, to: status === 'info' ? undefined : r.from + r.len, status, read: r.readValue, swapped: r.swapped };
});

describe('linearizability: against a brute-force checker', () => {
  test('same verdict on small random histories (fast-check, fixed seed)', () => {
    fc.assert(
      fc.property(fc.array(smallSpec, { minLength: 1, maxLength: 7 }), (specs) => {
        const ops = build(specs);
        const expected = bruteForce(ops) ? 'ok' : 'fail';
        assert.equal(checkLinearizability(ops).verdict, expected);
      }),
      { seed: 7, numRuns: 3000 },
    );
  });
});

// ---- generated from sequential executions -----------------------------------------------

interface Generated {
  specs: Spec[];
}

/**
 * Runs random operations one after another on registers, giving each a linearization point;
 * then widens each into an interval around its point, turns some into unknowns and adds failed
 * writes that never happened. The result is linearizable by construction.
 */
const sequentialHistory = fc.record({
  steps: fc.array(fc.record({
    kind: fc.constantFrom('read', 'read', 'write', 'cas'),
    key: fc.constantFrom('x', 'y', 'z'),
    before: fc.integer({ min: 0, max: 30 }),
    after: fc.integer({ min: 0, max: 30 }),
    pickExpected: fc.nat(),
    unknown: fc.integer({ min: 0, max: 9 }),
    failed: fc.integer({ min: 0, max: 14 }),
  }), { minLength: 1, maxLength: 60 }),
}).map(({ steps }): Generated => {
  const state = new Map<string, Value>();
  const written = new Map<string, Value[]>();
  const specs: Spec[] = [];
  steps.forEach((s, i) => {
    const point = i * 10 + 5;
    const from = point - s.before;
    const to = point + s.after;
    const current = state.get(s.key) ?? null;
    const history = written.get(s.key) ?? [null];
    if (s.kind === 'read') {
      specs.push(read(s.key, from, to, current));
    } else if (s.kind === 'write') {
      const value = `w${i}`;
      state.set(s.key, value);
      history.push(value);
      specs.push(s.unknown === 0 ? write(s.key, value, from) : write(s.key, value, from, to));
    } else {
      const expected = history[s.pickExpected % history.length]!;
      const value = `c${i}`;
      const swapped = expected === current;
      if (swapped) {
        state.set(s.key, value);
        history.push(value);
      }
      specs.push(cas(s.key, expected, value, from, s.unknown === 0 ? undefined : to, swapped));
    }
    written.set(s.key, history);
    if (s.failed === 0) specs.push(write(s.key, `f${i}`, from, to, 'fail'));
  });
  return { specs };
});

describe('linearizability: generated histories', () => {
  test('sequential executions with random overlaps are linearizable', () => {
    fc.assert(
      fc.property(sequentialHistory, ({ specs }) => {
        assert.equal(checkLinearizability(build(specs)).verdict, 'ok');
      }),
      { seed: 11, numRuns: 400 },
    );
  });

  test('a read moved to an overwritten value is caught', () => {
    fc.assert(
      fc.property(sequentialHistory, fc.nat(), ({ specs }, pick) => {
        const ops = build(specs);
        // A read r and two completed writes w1 -> w2 -> r in real time: r returning w1's value is stale.
        const targets: Array<[number, string]> = [];
        for (const r of ops) {
          if (r.op.kind !== 'read' || r.status !== 'ok') continue;
          for (const w1 of ops) {
            if (w1.op.kind !== 'write' || w1.op.key !== r.op.key || w1.status !== 'ok') continue;
            const superseded = ops.some((w2) => w2.op.kind === 'write' && w2.op.key === r.op.key && w2.status === 'ok'
              && w1.completeIndex < w2.invokeIndex && w2.completeIndex < r.invokeIndex);
            if (superseded) targets.push([r.id, w1.op.value]);
          }
        }
        fc.pre(targets.length > 0);
        const [readId, stale] = targets[pick % targets.length]!;
        const mutated = specs.map((s, i) => (i === readId ? { ...s, read: stale } : s));
        assert.equal(checkLinearizability(build(mutated)).verdict, 'fail');
      }),
      { seed: 12, numRuns: 300 },
    );
  });

  test('an acknowledged write dropped from the history is caught when a later read saw it', () => {
    fc.assert(
      fc.property(sequentialHistory, fc.nat(), ({ specs }, pick) => {
        const ops = build(specs);
        const seen = ops.filter((o) => o.op.kind === 'write' && o.status === 'ok'
          && ops.some((r) => r.op.kind === 'read' && r.status === 'ok' && r.output !== null && 'value' in r.output && r.output.value === (o.op as { value: string }).value));
        fc.pre(seen.length > 0);
        const drop = seen[pick % seen.length]!.id;
        // As if the write had failed: a read of its value then has no writer.
        const mutated = specs.map((s, i) => (i === drop ? { ...s, status: 'fail' as const } : s));
        assert.equal(checkLinearizability(build(mutated)).verdict, 'fail');
      }),
      { seed: 13, numRuns: 300 },
    );
  });
});
