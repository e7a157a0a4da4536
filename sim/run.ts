// One simulated run from one seed: start the group, run clients and the nemesis for the chaos
// phase, heal everything, check that progress resumes, let operations drain and replicas
// converge, then run every checker. Everything is a function of the options, so the same options
// give the same run, event for event (the trace digest shows it).
import { checkConvergence, type ReplicaState } from './checkers/convergence.js';
import { checkDurability } from './checkers/durability.js';
import { checkLinearizability, DEFAULT_LINEARIZABILITY_OPTIONS, type LinearizabilityOptions, type LinearizabilityResult } from './checkers/linearizability.js';
import { checkLiveness } from './checkers/liveness.js';
import { Cluster } from './cluster.js';
import { EventQueue, type Micros } from './event-queue.js';
import { describeOperation, History, type Value } from './history.js';
import { DEFAULT_NEMESIS, Nemesis, type NemesisOptions } from './nemesis.js';
import type { NetworkStats } from './network.js';
import type { SimNodeFactory } from './node.js';
import { Random } from './random.js';
import { DEFAULT_WORKLOAD, Workload, type WorkloadOptions } from './workload.js';

export interface RunOptions {
  readonly seed: number;
  readonly factory: SimNodeFactory;
  readonly nodes: number;
  /** Length of the chaos phase, in ticks of the nodes' tick interval. */
  readonly ticks: number;
  /** After the heal, a strong write must complete within this many ticks. */
  readonly livenessTicks: number;
  /** After the clients stop, replicas must agree within this many ticks. */
  readonly convergenceTicks: number;
  readonly workload: WorkloadOptions;
  readonly nemesis: NemesisOptions;
  readonly linearizability: LinearizabilityOptions;
  /** Receives the trace lines when set. */
  readonly trace: ((line: string) => void) | null;
}

export const DEFAULT_RUN = {
  nodes: 3,
  ticks: 1_000,
  livenessTicks: 300,
  convergenceTicks: 300,
  workload: DEFAULT_WORKLOAD,
  nemesis: DEFAULT_NEMESIS,
  linearizability: DEFAULT_LINEARIZABILITY_OPTIONS,
  trace: null,
} as const;

export interface RunResult {
  readonly seed: number;
  readonly ok: boolean;
  /** One message per violated property (empty when ok). */
  readonly failures: readonly string[];
  /** Linearizability gave up on some key (search bound): not a failure, but not a proof. */
  readonly unknownKeys: readonly string[];
  readonly traceDigest: string;
  readonly virtualMs: number;
  readonly events: number;
  readonly operations: { readonly ok: number; readonly fail: number; readonly info: number };
  readonly recoveryMs: number;
  readonly crashes: number;
  readonly faults: Readonly<Record<string, number>>;
  readonly network: Readonly<NetworkStats>;
  readonly linearizability: LinearizabilityResult;
  readonly history: History;
}

/** Linearizability counterexamples printed in full; the others are listed by key. */
const SHOWN_COUNTEREXAMPLES = 2;

export function runSimulation(options: RunOptions): RunResult {
  const root = new Random(options.seed);
  const queue = new EventQueue();
  const tick = options.factory.tickMicros;
  const cluster = new Cluster(options.factory, options.nodes, queue, root.fork('cluster'), options.trace);
  const history = new History();
  const traced = options.trace;
  const workload = new Workload(cluster, queue, history, root.fork('workload'), options.workload);
  const weights = { ...options.nemesis.weights, ...options.factory.faultWeights };
  const nemesis = new Nemesis(cluster, queue, root.fork('nemesis'), { ...options.nemesis, weights });

  for (const id of cluster.members) cluster.start(id);
  workload.start();
  nemesis.start();
  const runUntil = (t: Micros): void => {
    while (queue.peekTime() <= t && cluster.bug === null) queue.step();
    if (cluster.bug === null) queue.runUntil(t);
  };
  runUntil(options.ticks * tick);

  nemesis.heal();
  const healedAt = queue.now;
  runUntil(healedAt + options.livenessTicks * tick);
  workload.stop();
  // Let every operation in flight finish or time out, then give replicas time to agree.
  runUntil(queue.now + options.workload.timeoutUs);
  const convergeBy = queue.now + options.convergenceTicks * tick;
  while (cluster.bug === null && queue.now < convergeBy && checkConvergence(replicaStates(cluster)) !== null) runUntil(queue.now + tick);
  history.closePending(queue.now);

  const failures: string[] = [];
  if (cluster.bug !== null) failures.push(`exception in a node: ${cluster.bug}`);
  const lin = checkLinearizability(history.ops, options.linearizability);
  // The earliest anomalies in full; the other keys by name (each has its own counterexample).
  const byTime = [...lin.counterexamples].sort((a, b) => a.culprit.completeIndex - b.culprit.completeIndex);
  for (const ce of byTime.slice(0, SHOWN_COUNTEREXAMPLES)) {
    const shown = ce.prefix.slice(-12);
    failures.push(
      `not linearizable on key ${ce.key}: no order explains ${describeOperation(ce.culprit)}\n` +
      `    shortest failing prefix: ${ce.prefix.length} operations on ${ce.key}` +
      (shown.length < ce.prefix.length ? ` (last ${shown.length} shown)` : '') + '\n' +
      shown.map((o) => `      ${describeOperation(o)}`).join('\n'),
    );
  }
  if (byTime.length > SHOWN_COUNTEREXAMPLES) {
    failures.push(`not linearizable on ${byTime.length - SHOWN_COUNTEREXAMPLES} more key(s): ${byTime.slice(SHOWN_COUNTEREXAMPLES).map((c) => c.key).join(', ')}`);
  }
  let recoveryMs = NaN;
  if (cluster.bug === null) {
    const live = checkLiveness(history.ops, healedAt, options.livenessTicks * tick);
    recoveryMs = live.recoveryUs / 1000;
    if (live.failure !== null) failures.push(`liveness: ${live.failure}`);
    const convergence = checkConvergence(replicaStates(cluster));
    if (convergence !== null) failures.push(`convergence: ${convergence}`);
    else {
      for (const f of checkDurability(history.ops, finalValues(cluster, history))) failures.push(`durability: ${f.message}`);
    }
    if (cluster.bug !== null) failures.push(`exception in a node: ${cluster.bug}`);
  }
  traced?.(`end: ${failures.length === 0 ? 'ok' : `${failures.length} failure(s)`} trace=${cluster.traceDigest}`);
  return {
    seed: options.seed,
    ok: failures.length === 0,
    failures,
    unknownKeys: lin.keys.filter((k) => k.verdict === 'unknown').map((k) => k.key),
    traceDigest: cluster.traceDigest,
    virtualMs: queue.now / 1000,
    events: queue.processed,
    operations: { ok: history.count('ok'), fail: history.count('fail'), info: history.count('info') },
    recoveryMs,
    crashes: cluster.slots.reduce((n, s) => n + s.crashes, 0),
    faults: { ...nemesis.counts },
    network: { ...cluster.network.stats },
    linearizability: lin,
    history,
  };
}

function replicaStates(cluster: Cluster): ReplicaState[] {
  const out: ReplicaState[] = [];
  for (const id of cluster.members) {
    const state = cluster.inspect(id, (node) => ({ node: id, applied: node.status().applied, digest: node.digest() }));
    if (state !== null) out.push(state);
  }
  return out;
}

function finalValues(cluster: Cluster, history: History): Map<number, Map<string, Value>> {
  const keys = [...new Set(history.ops.map((o) => o.op.key))].sort();
  const out = new Map<number, Map<string, Value>>();
  for (const id of cluster.members) {
    const values = cluster.inspect(id, (node) => new Map<string, Value>(keys.map((key) => [key, node.readLocal(key)])));
    if (values !== null) out.set(id, values);
  }
  return out;
}
