// Linearizability of a history of register operations (read, write, compare-and-set per key).
//
// Algorithm: Wing & Gong's backtracking search over the history as a linked list of call and
// return entries, with Lowe's improvement (a memo of visited configurations: the set of
// operations linearized so far and the model state; a configuration seen before has already
// failed, so the search backtracks at once), as in Lowe, "Testing for linearizability" (2017),
// and Porcupine. Around it:
// - P-compositionality: registers on different keys are independent, so each key's sub-history
//   is checked alone (Horn & Kroening, "Faster linearizability checking via P-compositionality").
// - Candidates are only the operations invoked before the earliest return not yet linearized
//   (an operation is linearized just in time, never ahead of a return that must follow it).
// - Operations that never change the state (reads, a cas known not to have swapped) are
//   linearized greedily, without a backtrack point, as soon as they fit the current state: if
//   any completion exists from a configuration where such an operation is a candidate, one
//   exists that places it first (it is concurrent with every remaining operation, fits the
//   state now, and leaves it as it is).
// - Unknown operations (info: timeouts, crashes; and writes at a weak level) return at infinity:
//   they may take effect at any time after their invocation; placing one after every completed
//   operation is the same as it never taking effect. Their output is not checked. Reads with
//   unknown outcome are dropped (they change nothing), as are failed operations.
// - Cost bound: each key's search stops after `maxSteps` steps or `maxMemo` memo entries and
//   reports 'unknown' for that key instead of running on (the search is exponential at worst;
//   many unknown writes on one key are the usual cause, as every subset of them is a state).
//   The whole history gets `maxTotalSteps`; keys checked after it is spent are 'unknown' too.
//   Shortening a counterexample spends from the same budget, at most `maxSteps` per key; when
//   none is left the counterexample is the key's whole history, which is still a valid one.
//
// A key that is not linearizable gets a counterexample: the shortest prefix of its sub-history
// (in real-time order of events) that is already not linearizable (linearizability is closed
// under prefixes, so a binary search finds it), ending at the return of the culprit operation.
import type { Operation, Output, Value } from '../history.js';

export interface LinearizabilityOptions {
  /** Search steps per key before giving up with 'unknown'. */
  maxSteps: number;
  /** Memo entries per key before giving up with 'unknown' (bounds memory). */
  maxMemo: number;
  /** Steps for the whole history, all keys together. */
  maxTotalSteps: number;
}

export const DEFAULT_LINEARIZABILITY_OPTIONS: LinearizabilityOptions = { maxSteps: 2_000_000, maxMemo: 1_000_000, maxTotalSteps: 20_000_000 };

export type Verdict = 'ok' | 'fail' | 'unknown';

export interface Counterexample {
  readonly key: string;
  /** The operation whose completion no linearization can explain. */
  readonly culprit: Operation;
  /** The shortest failing prefix of the key's sub-history, in invocation order. */
  readonly prefix: readonly Operation[];
}

export interface KeyResult {
  readonly key: string;
  readonly verdict: Verdict;
  readonly operations: number;
  readonly steps: number;
}

export interface LinearizabilityResult {
  readonly verdict: Verdict;
  readonly keys: readonly KeyResult[];
  readonly counterexamples: readonly Counterexample[];
  readonly steps: number;
}

/** An operation as the search sees it. */
interface Candidate {
  readonly source: Operation;
  readonly call: number;
  /** Infinity when the outcome is unknown. */
  readonly ret: number;
  /** undefined when the outcome is unknown. */
  readonly output: Output | undefined;
}

/** Checks a history: ok when every key's sub-history is linearizable. */
export function checkLinearizability(ops: readonly Operation[], options: LinearizabilityOptions = DEFAULT_LINEARIZABILITY_OPTIONS): LinearizabilityResult {
  const byKey = new Map<string, Candidate[]>();
  for (const op of ops) {
    const c = candidateOf(op);
    if (c === null) continue;
    let list = byKey.get(op.op.key);
    if (list === undefined) byKey.set(op.op.key, (list = []));
    list.push(c);
  }
  const keys: KeyResult[] = [];
  const counterexamples: Counterexample[] = [];
  let steps = 0;
  for (const key of [...byKey.keys()].sort()) {
    const list = byKey.get(key)!;
    const budget = Math.max(0, Math.min(options.maxSteps, options.maxTotalSteps - steps));
    const r = search(list, budget, options.maxMemo);
    steps += r.steps;
    keys.push({ key, verdict: r.verdict, operations: list.length, steps: r.steps });
    if (r.verdict === 'fail') {
      const shortened = shortestFailingPrefix(key, list, Math.max(0, Math.min(options.maxSteps, options.maxTotalSteps - steps)), options.maxMemo);
      steps += shortened.steps;
      counterexamples.push(shortened.counterexample);
    }
  }
  const verdict: Verdict = counterexamples.length > 0 ? 'fail' : keys.some((k) => k.verdict === 'unknown') ? 'unknown' : 'ok';
  return { verdict, keys, counterexamples, steps };
}

/** How an operation enters the search, or null when it cannot constrain it. */
function candidateOf(op: Operation): Candidate | null {
  if (op.status === 'fail') return null;
  const known = op.status === 'ok' && op.consistency === 'strong';
  if (!known && op.op.kind === 'read') return null;
  if (known) return { source: op, call: op.invokeIndex, ret: op.completeIndex, output: op.output };
  return { source: op, call: op.invokeIndex, ret: Infinity, output: undefined };
}

/** The register model: the next state, or undefined when the recorded output is impossible. */
function step(state: Value, c: Candidate): Value | undefined {
  const op = c.source.op;
  switch (op.kind) {
    case 'read':
      if (c.output === undefined) return state;
      return c.output !== null && 'value' in c.output && c.output.value === state ? state : undefined;
    case 'write':
      return op.value;
    case 'cas': {
      const swaps = state === op.expected;
      if (c.output !== undefined && (c.output === null || !('swapped' in c.output) || c.output.swapped !== swaps)) return undefined;
      return swaps ? op.value : state;
    }
  }
}

/**
 * True for operations that leave the state as it is wherever they are placed: reads, and cas
 * known not to have swapped. (An unknown cas may swap later even if it would not now.)
 */
function neverChangesState(c: Candidate): boolean {
  const kind = c.source.op.kind;
  return kind === 'read' || (kind === 'cas' && c.output !== undefined && c.output !== null && 'swapped' in c.output && !c.output.swapped);
}

class Entry {
  prev: Entry | null = null;
  next: Entry | null = null;
  match: Entry | null = null;
  constructor(
    readonly op: number,
    readonly isCall: boolean,
  ) {}
}

interface SearchResult {
  verdict: Verdict;
  steps: number;
}

/** Wing & Gong / Lowe over one key's operations. */
function search(ops: readonly Candidate[], maxSteps: number, maxMemo: number): SearchResult {
  const head = buildList(ops);
  const bits = new Uint32Array(Math.ceil(ops.length / 32) + 1);
  // Zobrist hashing of the linearized set: one random word pair per operation, XOR-ed in and out.
  const zobrist = zobristTable(ops.length);
  let h1 = 0;
  let h2 = 0;
  const memo = new Map<string, Uint32Array[]>();
  let memoSize = 0;
  const stack: Array<{ entry: Entry; state: Value; forced: boolean }> = [];
  let state: Value = null;
  let entry = head.next;
  let steps = 0;
  const flip = (op: number): void => {
    bits[op >>> 5]! ^= 1 << (op & 31);
    h1 = (h1 ^ zobrist[2 * op]!) >>> 0;
    h2 = (h2 ^ zobrist[2 * op + 1]!) >>> 0;
  };
  /** Records the configuration; false when it was seen before. */
  const remember = (s: Value): boolean => {
    const k = `${h1}:${h2}:${s === null ? '' : 's' + s}`;
    let seen = memo.get(k);
    if (seen === undefined) memo.set(k, (seen = []));
    for (const b of seen) if (sameBits(b, bits)) return false;
    seen.push(bits.slice());
    memoSize++;
    return true;
  };

  while (head.next !== null) {
    if (++steps > maxSteps || memoSize > maxMemo) return { verdict: 'unknown', steps };
    let backtrack = entry!.isCall === false;
    if (!backtrack) {
      const e = entry!;
      const next = step(state, ops[e.op]!);
      if (next !== undefined) {
        const forced = neverChangesState(ops[e.op]!);
        flip(e.op);
        if (remember(next)) {
          stack.push({ entry: e, state, forced });
          state = next;
          lift(e);
          entry = head.next;
          continue;
        }
        flip(e.op);
        // A state-preserving operation that leads to a configuration already explored means
        // this configuration fails too (see the greedy rule above).
        backtrack = forced;
      }
      if (!backtrack) {
        entry = e.next;
        continue;
      }
    }
    for (;;) {
      const top = stack.pop();
      if (top === undefined) return { verdict: 'fail', steps };
      flip(top.entry.op);
      state = top.state;
      unlift(top.entry);
      if (!top.forced) {
        entry = top.entry.next;
        break;
      }
    }
  }
  return { verdict: 'ok', steps };
}

/** The call and return entries in real-time order behind a sentinel head. */
function buildList(ops: readonly Candidate[]): Entry {
  const events: Array<{ at: number; tie: number; entry: Entry }> = [];
  ops.forEach((c, i) => {
    const call = new Entry(i, true);
    const ret = new Entry(i, false);
    call.match = ret;
    events.push({ at: c.call, tie: i, entry: call });
    events.push({ at: c.ret, tie: i, entry: ret });
  });
  events.sort((a, b) => (a.at !== b.at ? a.at - b.at : a.tie - b.tie));
  const head = new Entry(-1, false);
  let last = head;
  for (const { entry } of events) {
    last.next = entry;
    entry.prev = last;
    last = entry;
  }
  return head;
}

function lift(call: Entry): void {
  call.prev!.next = call.next;
  call.next!.prev = call.prev;
  const ret = call.match!;
  ret.prev!.next = ret.next;
  if (ret.next !== null) ret.next.prev = ret.prev;
}

function unlift(call: Entry): void {
  const ret = call.match!;
  ret.prev!.next = ret;
  if (ret.next !== null) ret.next.prev = ret;
  call.prev!.next = call;
  call.next!.prev = call;
}

function sameBits(a: Uint32Array, b: Uint32Array): boolean {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function zobristTable(n: number): Uint32Array {
  const out = new Uint32Array(2 * n);
  let s = 0x9e3779b9;
  for (let i = 0; i < out.length; i++) {
    s = (s + 0x6d2b79f5) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 15), z | 1);
    z ^= z + Math.imul(z ^ (z >>> 7), z | 61);
    out[i] = (z ^ (z >>> 14)) >>> 0;
  }
  return out;
}

/** The shortest prefix of one key's events that is already not linearizable. */
function shortestFailingPrefix(key: string, ops: readonly Candidate[], maxSteps: number, maxMemo: number): { counterexample: Counterexample; steps: number } {
  const events: Array<{ at: number; op: number; isCall: boolean }> = [];
  ops.forEach((c, i) => {
    events.push({ at: c.call, op: i, isCall: true });
    if (c.ret !== Infinity) events.push({ at: c.ret, op: i, isCall: false });
  });
  events.sort((a, b) => a.at - b.at);
  const prefixOf = (cut: number): Candidate[] => {
    const returned = new Set<number>();
    const called: number[] = [];
    for (let i = 0; i < cut; i++) {
      const e = events[i]!;
      if (e.isCall) called.push(e.op);
      else returned.add(e.op);
    }
    const out: Candidate[] = [];
    for (const i of called) {
      const c = ops[i]!;
      if (returned.has(i)) out.push(c);
      else if (c.source.op.kind !== 'read') out.push({ source: c.source, call: c.call, ret: Infinity, output: undefined });
    }
    return out;
  };
  // Invariant: the prefix of `hi` events fails; the prefix of `lo` events was not shown to fail.
  // When the budget runs out the prefix found so far is still a valid counterexample.
  let lo = 0;
  let hi = events.length;
  let steps = 0;
  while (hi - lo > 1 && steps < maxSteps) {
    const mid = (lo + hi) >>> 1;
    const r = search(prefixOf(mid), maxSteps - steps, maxMemo);
    steps += r.steps;
    if (r.verdict === 'fail') hi = mid;
    else lo = mid;
  }
  const last = events[hi - 1]!;
  const prefix = prefixOf(hi).map((c) => c.source);
  return { counterexample: { key, culprit: ops[last.op]!.source, prefix }, steps };
}
