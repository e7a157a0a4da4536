// Which node serves a command, by the slots of its keys: Redis Cluster's getNodeByQuery for a
// cluster whose slots are stable (no migration in progress). Pure: the view and the command's
// keys in, a decision out; the admission stage turns the decision into a reply.
import { keyHashSlot } from './slots.js';
import { clusterStateOk, myself, shardPrimary, type ClusterNodeView, type ClusterView } from './view.js';

export type RouteDecision =
  | { readonly kind: 'local' }
  | { readonly kind: 'crossslot' }
  | { readonly kind: 'moved'; readonly slot: number; readonly node: ClusterNodeView }
  | { readonly kind: 'down' }
  | { readonly kind: 'unbound' };

export const LOCAL: RouteDecision = { kind: 'local' };

export interface RouteQuery {
  /** The keys of every command that must run here together (one command, or a whole EXEC). */
  readonly keys: readonly string[];
  /** True when none of those commands writes. */
  readonly readOnly: boolean;
  /** The connection sent READONLY: it accepts reads from a replica of the owning shard. */
  readonly clientReadOnly: boolean;
}

/** Routes one query against a view; `owners` is slotOwners(view), cached by the caller. */
export function route(view: ClusterView, owners: Int16Array, query: RouteQuery): RouteDecision {
  if (query.keys.length === 0) return LOCAL;
  const slot = keyHashSlot(query.keys[0]!);
  for (let i = 1; i < query.keys.length; i++) if (keyHashSlot(query.keys[i]!) !== slot) return { kind: 'crossslot' };
  const shardIndex = owners[slot]!;
  if (shardIndex < 0) return { kind: 'unbound' };
  if (!clusterStateOk(view)) return { kind: 'down' };
  const shard = view.shards[shardIndex]!;
  const primary = shardPrimary(view, shard);
  if (primary === undefined) return { kind: 'down' };
  if (primary.id === view.myId) return LOCAL;
  const me = myself(view);
  if (query.readOnly && query.clientReadOnly && !me.primary && me.primaryId === primary.id) return LOCAL;
  return { kind: 'moved', slot, node: primary };
}

