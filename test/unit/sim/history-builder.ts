// Builds histories for checker tests from intervals: each operation has an invocation time and,
// unless its outcome is unknown, a completion time; event indexes follow the times.
import type { ClientOp, Consistency, Operation, OpStatus, Output, Value } from '../../../sim/history.js';

export interface Spec {
  readonly op: ClientOp;
  readonly from: number;
  /** Completion time; omitted for info operations (never completed). */
  readonly to?: number;
  readonly status?: Exclude<OpStatus, 'pending'>;
  /** read value, cas swapped flag. */
  readonly read?: Value;
  readonly swapped?: boolean;
  readonly consistency?: Consistency;
  readonly process?: number;
}

export const read = (key: string, from: number, to: number, value: Value): Spec => ({ op: { kind: 'read', key }, from, to, read: value });
export const write = (key: string, value: string, from: number, to?: number, status?: Spec['status']): Spec =>
  ({ op: { kind: 'write', key, value }, from, to, status: status ?? (to === undefined ? 'info' : 'ok') });
export const cas = (key: string, expected: Value, value: string, from: number, to: number | undefined, swapped?: boolean): Spec =>
  ({ op: { kind: 'cas', key, expected, value }, from, to, swapped, status: to === undefined ? 'info' : 'ok' });

/** Operations with event indexes ordered by time; [0,5] and [5,9] are sequential. */
export function build(specs: readonly Spec[]): Operation[] {
  // Order at equal times: completions of earlier operations, invocations, completions of
  // operations that took no time (each still completes after its own invocation).
  const events: Array<{ t: number; kind: 0 | 1 | 2; i: number }> = [];
  specs.forEach((s, i) => {
    events.push({ t: s.from, kind: 1, i });
    if (s.to !== undefined) {
      if (s.to < s.from) throw new Error(`spec ${i} completes before it starts`);
      events.push({ t: s.to, kind: s.to === s.from ? 2 : 0, i });
    }
  });
  events.sort((a, b) => a.t - b.t || a.kind - b.kind || a.i - b.i);
  const invokeIndex = new Array<number>(specs.length);
  const completeIndex = new Array<number>(specs.length).fill(Infinity);
  events.forEach((e, index) => {
    if (e.kind === 1) invokeIndex[e.i] = index;
    else completeIndex[e.i] = index;
  });
  return specs.map((s, i) => {
    const status = s.status ?? (s.to === undefined ? 'info' : 'ok');
    let output: Output = null;
    if (status === 'ok' && s.op.kind === 'read') output = { value: s.read ?? null };
    if (status === 'ok' && s.op.kind === 'cas') output = { swapped: s.swapped ?? false };
    return {
      id: i, process: s.process ?? i, node: 1, op: s.op, consistency: s.consistency ?? 'strong',
      invokeAt: s.from, invokeIndex: invokeIndex[i]!, status, completeAt: s.to ?? Infinity,
      completeIndex: status === 'info' ? Infinity : completeIndex[i]!, output, note: '',
    };
  });
}
