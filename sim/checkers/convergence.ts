// Replicas are identical after healing: every live node reports the same applied index and the
// same digest of its state (the adapter computes both; for Cairn, the key space digest that
// DEBUG DIGEST prints).

export interface ReplicaState {
  readonly node: number;
  readonly applied: number;
  readonly digest: string;
}

/** A failure message, or null when every replica agrees. */
export function checkConvergence(replicas: readonly ReplicaState[]): string | null {
  if (replicas.length === 0) return 'no replica is up to compare';
  const first = replicas[0]!;
  if (replicas.every((r) => r.digest === first.digest && r.applied === first.applied)) return null;
  return `replicas differ after healing: ${replicas.map((r) => `n${r.node} applied=${r.applied} digest=${r.digest}`).join('; ')}`;
}
