// The record of what clients asked and what they were told, Jepsen style: each operation is
// invoked, then completes as ok (it took effect, with its output), fail (it certainly did not
// take effect) or info (unknown: a timeout or a crash; it may take effect at any time after its
// invocation, or never). Events are numbered in the order the simulator processed them, which
// is the real-time order the checkers use; virtual times are kept for the reports.
import type { Micros } from './event-queue.js';
import type { NodeId } from './network.js';

/** A register's value; null when the key does not exist. */
export type Value = string | null;

export type ClientOp =
  | { readonly kind: 'read'; readonly key: string }
  | { readonly kind: 'write'; readonly key: string; readonly value: string }
  /** Sets value when the current value equals expected (null: the key is absent). */
  | { readonly kind: 'cas'; readonly key: string; readonly expected: Value; readonly value: string };

/**
 * strong: linearizable reads, writes acknowledged after a majority commit (the checkers hold
 * these to linearizability). weak: any weaker level (leader-local or replica reads, writes
 * acknowledged by the leader alone); promises nothing about order or survival.
 */
export type Consistency = 'strong' | 'weak';

/** What an ok operation returned: the value read, or whether a cas swapped; nothing for a write. */
export type Output = { readonly value: Value } | { readonly swapped: boolean } | null;

export type OpStatus = 'pending' | 'ok' | 'fail' | 'info';

export interface Operation {
  readonly id: number;
  /** The client process (a process has at most one operation in flight). */
  readonly process: number;
  readonly node: NodeId;
  readonly op: ClientOp;
  readonly consistency: Consistency;
  readonly invokeAt: Micros;
  readonly invokeIndex: number;
  status: OpStatus;
  completeAt: Micros;
  completeIndex: number;
  output: Output;
  /** Why it failed or is unknown. */
  note: string;
}

export class History {
  readonly ops: Operation[] = [];
  private events = 0;

  invoke(client: number, node: NodeId, op: ClientOp, consistency: Consistency, at: Micros): Operation {
    const record: Operation = {
      id: this.ops.length, process: client, node, op, consistency, invokeAt: at, invokeIndex: this.events++,
      status: 'pending', completeAt: Infinity, completeIndex: Infinity, output: null, note: '',
    };
    this.ops.push(record);
    return record;
  }

  complete(record: Operation, status: 'ok' | 'fail' | 'info', at: Micros, output: Output, note = ''): void {
    if (record.status !== 'pending') throw new Error(`operation ${record.id} completed twice (${record.status}, then ${status})`);
    record.status = status;
    record.completeAt = at;
    record.completeIndex = this.events++;
    record.output = output;
    record.note = note;
  }

  /** Every operation still pending becomes info (the run ended before it did). */
  closePending(at: Micros): void {
    for (const op of this.ops) if (op.status === 'pending') this.complete(op, 'info', at, null, 'still pending when the run ended');
  }

  count(status: OpStatus): number {
    let n = 0;
    for (const op of this.ops) if (op.status === status) n++;
    return n;
  }
}

/** One line per operation, for failure reports. */
export function describeOperation(o: Operation): string {
  const when = `${ms(o.invokeAt)}..${o.completeAt === Infinity ? '?' : ms(o.completeAt)}`;
  let out = '';
  if (o.status === 'ok' && o.output !== null) {
    out = 'value' in o.output ? ` -> ${show(o.output.value)}` : ` -> ${o.output.swapped ? 'swapped' : 'not swapped'}`;
  }
  const note = o.note === '' ? '' : ` (${o.note})`;
  return `#${o.id} p${o.process}@n${o.node} ${describeClientOp(o.op)} ${o.consistency} ${o.status}${out} [${when}]${note}`;
}

export function describeClientOp(op: ClientOp): string {
  switch (op.kind) {
    case 'read':
      return `read ${op.key}`;
    case 'write':
      return `write ${op.key}=${show(op.value)}`;
    case 'cas':
      return `cas ${op.key} ${show(op.expected)}->${show(op.value)}`;
  }
}

function show(v: Value): string {
  return v === null ? 'nil' : JSON.stringify(v);
}

function ms(us: Micros): string {
  return `${(us / 1000).toFixed(3)}ms`;
}
