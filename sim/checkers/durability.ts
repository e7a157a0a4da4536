// No acknowledged strong write is lost: at the end of a run, once the replicas have converged,
// each key holds the value of a write that no acknowledged strong write has to supersede.
// Precisely, for a key whose final value v was written by operation P (values are unique):
// - v is nil although some strong write was acknowledged: that write was lost;
// - v was never written by anyone: the replica made it up (or a failed write took effect);
// - P completed before an acknowledged strong write A was invoked: A was lost (it had to be
//   ordered after P, and nothing wrote v again).
// This overlaps with linearizability when the history ends with reads, but names the lost write
// plainly and also covers keys whose last reads were weak or never happened.
import { describeOperation, type Operation, type Value } from '../history.js';

export interface DurabilityFailure {
  readonly key: string;
  readonly node: number;
  readonly finalValue: Value;
  readonly message: string;
}

/** `finalValues`: per node, each key's value in that replica's applied state. */
export function checkDurability(ops: readonly Operation[], finalValues: ReadonlyMap<number, ReadonlyMap<string, Value>>): DurabilityFailure[] {
  const acked = new Map<string, Operation[]>();
  const writerOf = new Map<string, Operation>();
  for (const o of ops) {
    if (o.op.kind === 'read') continue;
    const key = o.op.key;
    writerOf.set(`${key}\0${o.op.value}`, o);
    const swapped = o.op.kind === 'write' || (o.output !== null && 'swapped' in o.output && o.output.swapped);
    if (o.status === 'ok' && o.consistency === 'strong' && swapped) {
      let list = acked.get(key);
      if (list === undefined) acked.set(key, (list = []));
      list.push(o);
    }
  }
  const failures: DurabilityFailure[] = [];
  for (const [node, values] of finalValues) {
    for (const [key, v] of values) {
      const writes = acked.get(key) ?? [];
      if (v === null) {
        if (writes.length > 0) failures.push({ key, node, finalValue: v, message: `n${node}: ${key} is nil, but acknowledged ${describeOperation(writes[writes.length - 1]!)}` });
        continue;
      }
      const writer = writerOf.get(`${key}\0${v}`);
      if (writer === undefined) {
        failures.push({ key, node, finalValue: v, message: `n${node}: ${key} holds ${JSON.stringify(v)}, which no client wrote` });
        continue;
      }
      if (writer.status === 'fail') {
        failures.push({ key, node, finalValue: v, message: `n${node}: ${key} holds the value of a write that was refused: ${describeOperation(writer)}` });
        continue;
      }
      if (writer.status !== 'ok' || writer.consistency !== 'strong') continue; // took effect at an unknown time
      const lost = writes.find((a) => a !== writer && writer.completeIndex < a.invokeIndex);
      if (lost !== undefined) {
        failures.push({ key, node, finalValue: v, message: `n${node}: ${key} holds ${JSON.stringify(v)} from ${describeOperation(writer)}; lost the later acknowledged ${describeOperation(lost)}` });
      }
    }
  }
  return failures;
}
