// Progress resumes once the faults stop: some strong write or cas invoked after the heal
// completes ok within the bound (a cas that did not swap still went through the log).
import type { Micros } from '../event-queue.js';
import type { Operation } from '../history.js';

export interface LivenessResult {
  /** Time from the heal to the first strong write completed after it, Infinity if none. */
  readonly recoveryUs: Micros;
  /** A failure message, or null. */
  readonly failure: string | null;
}

export function checkLiveness(ops: readonly Operation[], healedAt: Micros, boundUs: Micros): LivenessResult {
  let first = Infinity;
  for (const o of ops) {
    if (o.op.kind === 'read' || o.consistency !== 'strong' || o.status !== 'ok' || o.invokeAt < healedAt) continue;
    first = Math.min(first, o.completeAt);
  }
  const recoveryUs = first - healedAt;
  if (recoveryUs <= boundUs) return { recoveryUs, failure: null };
  const seen = first === Infinity ? 'none completed' : `the first completed after ${(recoveryUs / 1000).toFixed(1)}ms`;
  return { recoveryUs, failure: `no strong write completed within ${(boundUs / 1000).toFixed(0)}ms of healing (${seen})` };
}
