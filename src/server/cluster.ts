// Cluster mode at the admission stage: the node's current view of the cluster, and the check
// Redis Cluster makes before running a command (CROSSSLOT, MOVED, CLUSTERDOWN). Present on the
// engine only when cluster mode is on; a standalone server has none and routes nothing.
import { keyPositions } from '../core/commands/registry.js';
import type { CommandSpec } from '../core/commands/spec.js';
import { route, type RouteDecision } from '../core/cluster/routing.js';
import { slotOwners, type ClusterView } from '../core/cluster/view.js';
import * as errors from '../core/errors.js';
import type { Reply } from '../core/reply.js';
import type { ServerContext } from './context.js';
import type { Engine } from './engine.js';
import type { QueuedCommand, Session } from './session.js';

type Spec = CommandSpec<ServerContext>;

export class ClusterState {
  private current: ClusterView;
  private owners: Int16Array;

  constructor(view: ClusterView) {
    this.current = view;
    this.owners = slotOwners(view);
  }

  get view(): ClusterView {
    return this.current;
  }

  /** The shell replaces the view whenever membership, leadership or links change. */
  setView(view: ClusterView): void {
    this.current = view;
    this.owners = slotOwners(view);
  }

  /**
   * Redis's cluster redirection check, or null when this node serves the command. EXEC checks
   * every queued command together: a transaction runs on one node.
   */
  admit(s: Session, spec: Spec, argv: readonly string[], fullName: string): Reply | null {
    let decision: RouteDecision;
    if (fullName === 'exec') {
      if (s.multi === null) return null;
      decision = this.routeAll(s, s.multi.queue);
    } else {
      if (!hasKeys(spec)) return null;
      decision = this.routeAll(s, [{ spec, argv: argv as string[], fullName }]);
    }
    return refusalOf(decision);
  }

  private routeAll(s: Session, commands: readonly QueuedCommand[]): RouteDecision {
    const keys: string[] = [];
    let readOnly = true;
    for (const q of commands) {
      for (const i of keyPositions(q.spec, q.argv)) keys.push(q.argv[i]!);
      if (!q.spec.flags.includes('readonly')) readOnly = false;
    }
    return route(this.current, this.owners, { keys, readOnly, clientReadOnly: s.clusterReadOnly });
  }
}

/** Turns cluster mode on: slot routing at admission, database 0 only. */
export function enableClusterMode(engine: Engine, view: ClusterView): void {
  engine.cluster = new ClusterState(view);
  engine.ks.singleDatabase = true;
}

function hasKeys(spec: Spec): boolean {
  return spec.movableKeys !== undefined || (spec.keys !== undefined && spec.keys.first > 0);
}

function refusalOf(decision: RouteDecision): Reply | null {
  switch (decision.kind) {
    case 'local': return null;
    case 'crossslot': return errors.crossSlot();
    case 'moved': return errors.moved(decision.slot, decision.node.ip, decision.node.port);
    case 'down': return errors.clusterDown();
    case 'unbound': return errors.slotNotServed();
  }
}
