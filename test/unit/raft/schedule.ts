// Random schedules for the Raft cluster harness: the actions fast-check generates, and the
// interpreter that plays them (then heals everything and checks liveness).
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Cluster, type ClusterOptions, type Replica } from './harness.js';

export type Action =
  | { k: 'tick'; node: number; times: number }
  | { k: 'tickAll'; times: number }
  | { k: 'deliver'; pick: number; count: number }
  | { k: 'drop'; pick: number }
  | { k: 'dup'; pick: number }
  | { k: 'propose'; node: number }
  | { k: 'read'; node: number }
  | { k: 'partition'; mask: number }
  | { k: 'heal' }
  | { k: 'crash'; node: number }
  | { k: 'restart'; node: number }
  | { k: 'transfer'; node: number; to: number }
  | { k: 'conf'; node: number; target: number; change: 0 | 1 | 2 };

export const action = (n: number): fc.Arbitrary<Action> => fc.oneof(
  { weight: 10, arbitrary: fc.record({ k: fc.constant('tick' as const), node: fc.nat(n - 1), times: fc.integer({ min: 1, max: 12 }) }) },
  { weight: 20, arbitrary: fc.record({ k: fc.constant('tickAll' as const), times: fc.integer({ min: 1, max: 4 }) }) },
  { weight: 40, arbitrary: fc.record({ k: fc.constant('deliver' as const), pick: fc.nat(), count: fc.integer({ min: 1, max: 30 }) }) },
  { weight: 5, arbitrary: fc.record({ k: fc.constant('drop' as const), pick: fc.nat() }) },
  { weight: 4, arbitrary: fc.record({ k: fc.constant('dup' as const), pick: fc.nat() }) },
  { weight: 12, arbitrary: fc.record({ k: fc.constant('propose' as const), node: fc.nat(n - 1) }) },
  { weight: 3, arbitrary: fc.record({ k: fc.constant('read' as const), node: fc.nat(n - 1) }) },
  { weight: 2, arbitrary: fc.record({ k: fc.constant('partition' as const), mask: fc.nat((1 << n) - 1) }) },
  { weight: 2, arbitrary: fc.record({ k: fc.constant('heal' as const) }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('crash' as const), node: fc.nat(n - 1) }) },
  { weight: 2, arbitrary: fc.record({ k: fc.constant('restart' as const), node: fc.nat(n - 1) }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('transfer' as const), node: fc.nat(n - 1), to: fc.nat(n - 1) }) },
  { weight: 2, arbitrary: fc.record({ k: fc.constant('conf' as const), node: fc.nat(n - 1), target: fc.nat(n - 1), change: fc.constantFrom(0 as const, 1 as const, 2 as const) }) },
);

const CHANGES = ['add-node', 'add-learner', 'remove-node'] as const;

export interface RunStats {
  readonly terms: number;
  readonly applied: number;
  readonly snapshotsInstalled: number;
  readonly readStates: number;
}

export function run(n: number, actions: Action[], options: ClusterOptions & { membershipChanges?: boolean }): RunStats {
  const ids = Array.from({ length: n }, (_, i) => i + 1);
  const c = new Cluster(ids, { ...options, checkInvariants: true });
  const leaseReads = options.config?.readOnlyOption === 'lease-based';
  let proposals = 0;
  let reads = 0;
  for (const a of actions) {
    switch (a.k) {
      case 'tick':
        // Lease reads assume tick rates agree within leaseMarginTicks per election timeout: with
        // them, one replica's clock does not run ahead of the others.
        if (leaseReads) c.tickAll(1);
        else for (let i = 0; i < a.times; i++) c.tick(a.node + 1);
        break;
      case 'tickAll': c.tickAll(a.times); break;
      case 'deliver':
        for (let i = 0; i < a.count && c.inFlight.length > 0; i++) c.deliverAt((a.pick + i * 7) % c.inFlight.length);
        break;
      case 'drop': if (c.inFlight.length > 0) c.dropAt(a.pick % c.inFlight.length); break;
      case 'dup': if (c.inFlight.length > 0) c.inFlight.push(c.inFlight[a.pick % c.inFlight.length]!); break;
      case 'propose': {
        const r = c.get(a.node + 1);
        if (r.up) r.raw.propose(new TextEncoder().encode(`p${proposals++}`));
        break;
      }
      case 'read': {
        const r = c.get(a.node + 1);
        if (r.up) c.readIndex(r.id, `r${reads++}`);
        break;
      }
      case 'partition': c.heal(); c.partition(ids.filter((id) => (a.mask >> (id - 1)) & 1)); break;
      case 'heal': c.heal(); break;
      case 'crash': c.crash(a.node + 1); break;
      case 'restart': if (!c.get(a.node + 1).up) c.restart(a.node + 1); break;
      case 'transfer': { const r = c.get(a.node + 1); if (r.up) r.raw.transferLeadership(a.to + 1); break; }
      case 'conf': {
        if (!options.membershipChanges) break;
        const r = c.get(a.node + 1);
        if (r.up) r.raw.proposeConfChange({ type: CHANGES[a.change], nodeId: a.target + 1, context: new Uint8Array(0) });
        break;
      }
    }
    c.processAll();
  }
  // Liveness: with every member up and the network whole, a leader emerges and commits. Nodes
  // removed from the group are shut down, as an operator would.
  c.heal();
  for (const id of ids) if (!c.get(id).up) c.restart(id);
  // A client retries until its write is applied: an appended entry may still be lost.
  const live = (): Replica[] => {
    if (options.membershipChanges) {
      const l = c.leader();
      if (l !== null) {
        const cs = l.raw.status().confState;
        for (const id of ids) if (!cs.voters.includes(id) && !cs.learners.includes(id) && c.get(id).up) c.crash(id);
      }
    }
    return [...c.replicas.values()].filter((r) => r.up);
  };
  const everywhere = (): boolean => live().every((r) => r.state.includes('final'));
  for (let attempt = 0; attempt < 20 && !everywhere(); attempt++) {
    const leader = c.electLeader(400);
    leader.raw.propose(new TextEncoder().encode('final'));
    for (let t = 0; t < 30 && !everywhere(); t++) {
      c.stabilize();
      c.tickAll();
    }
  }
  for (const r of live()) {
    assert.ok(r.state.includes('final'), `replica ${r.id} applied the final proposal\n${c.describe()}`);
  }
  // All replicas hold the same state once caught up.
  const states = live().map((r) => JSON.stringify(r.state));
  assert.equal(new Set(states).size, 1, 'replicas identical after healing');
  // Election safety was checked for every term as it happened; make sure elections happened.
  assert.ok(c.leaderOfTerm.size >= 1);
  return {
    terms: c.leaderOfTerm.size, applied: c.appliedByIndex.size, snapshotsInstalled: c.stats.snapshotsInstalled,
    readStates: [...c.replicas.values()].reduce((n, r) => n + r.readStates.length, 0),
  };
}

