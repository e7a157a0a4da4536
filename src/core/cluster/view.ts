// What a node knows of its cluster, as plain data, and the CLUSTER replies rendered from it.
// The shell (a replica group, or a single node) fills the view in; the rendering is pure so
// that every node answers CLUSTER SLOTS, SHARDS, NODES and INFO the same way for the same view.
import { assert } from '../assert.js';
import { array, bulk, int, map, mapOf, type Reply } from '../reply.js';
import { SLOT_COUNT } from './slots.js';

export interface ClusterNodeView {
  /** 40 lower-case hex chars, stable for the node's lifetime. */
  readonly id: string;
  readonly ip: string;
  readonly port: number;
  /** The peer-link port (CLUSTER NODES prints it after '@'). */
  readonly busPort: number;
  /** Primary of its shard (the group's leader) or replica. */
  readonly primary: boolean;
  /** The shard's primary, for a replica; null when the shard has none right now. */
  readonly primaryId: string | null;
  /** Whether this node's link to that node is up (always true for itself). */
  readonly connected: boolean;
  /** Whether the node is believed down (CLUSTER NODES 'fail', SHARDS health 'fail'). */
  readonly failed: boolean;
  readonly configEpoch: number;
  /** Applied log position: CLUSTER SHARDS replication-offset. */
  readonly replicationOffset: number;
}

export interface ClusterShardView {
  /** Inclusive slot ranges, ascending and disjoint. */
  readonly ranges: ReadonlyArray<readonly [number, number]>;
  /** The shard's nodes; the primary, if any, first. */
  readonly nodeIds: readonly string[];
}

export interface ClusterView {
  readonly myId: string;
  readonly currentEpoch: number;
  readonly nodes: readonly ClusterNodeView[];
  readonly shards: readonly ClusterShardView[];
  readonly messagesSent: number;
  readonly messagesReceived: number;
}

/** A cluster of one node owning every slot: a server started with cluster-enabled and no peers. */
export function singleNodeView(id: string, ip: string, port: number): ClusterView {
  const me: ClusterNodeView = {
    id, ip, port, busPort: port + 10000, primary: true, primaryId: null, connected: true, failed: false, configEpoch: 0, replicationOffset: 0,
  };
  return { myId: id, currentEpoch: 0, nodes: [me], shards: [{ ranges: [[0, SLOT_COUNT - 1]], nodeIds: [id] }], messagesSent: 0, messagesReceived: 0 };
}

export function nodeById(view: ClusterView, id: string): ClusterNodeView | undefined {
  return view.nodes.find((n) => n.id === id);
}

export function myself(view: ClusterView): ClusterNodeView {
  const me = nodeById(view, view.myId);
  assert(me !== undefined, 'the cluster view lists this node');
  return me;
}

/** The shard owning each slot (index into view.shards), or -1 where no shard owns it. */
export function slotOwners(view: ClusterView): Int16Array {
  const owners = new Int16Array(SLOT_COUNT).fill(-1);
  view.shards.forEach((shard, index) => {
    for (const [lo, hi] of shard.ranges) owners.fill(index, lo, hi + 1);
  });
  return owners;
}

function assignedSlots(view: ClusterView): number {
  let n = 0;
  for (const shard of view.shards) for (const [lo, hi] of shard.ranges) n += hi - lo + 1;
  return n;
}

/** The shard's primary, when it has one that is up. */
export function shardPrimary(view: ClusterView, shard: ClusterShardView): ClusterNodeView | undefined {
  const first = shard.nodeIds[0];
  const node = first === undefined ? undefined : nodeById(view, first);
  return node !== undefined && node.primary ? node : undefined;
}

/** Whether every slot is owned by a shard with a live primary: cluster_state ok. */
export function clusterStateOk(view: ClusterView): boolean {
  if (assignedSlots(view) !== SLOT_COUNT) return false;
  return view.shards.every((shard) => shard.ranges.length === 0 || (shardPrimary(view, shard)?.failed === false));
}

/** CLUSTER INFO: the fields Redis 7.0 prints, in its order. */
export function clusterInfoText(view: ClusterView): string {
  const slots = assignedSlots(view);
  let failing = 0;
  for (const shard of view.shards) {
    const primary = shardPrimary(view, shard);
    if (primary === undefined || primary.failed) for (const [lo, hi] of shard.ranges) failing += hi - lo + 1;
  }
  const me = myself(view);
  const lines = [
    `cluster_state:${clusterStateOk(view) ? 'ok' : 'fail'}`,
    `cluster_slots_assigned:${slots}`,
    `cluster_slots_ok:${slots - failing}`,
    'cluster_slots_pfail:0',
    `cluster_slots_fail:${failing}`,
    `cluster_known_nodes:${view.nodes.length}`,
    `cluster_size:${view.shards.filter((s) => s.ranges.length > 0).length}`,
    `cluster_current_epoch:${view.currentEpoch}`,
    `cluster_my_epoch:${me.configEpoch}`,
    `cluster_stats_messages_sent:${view.messagesSent}`,
    `cluster_stats_messages_received:${view.messagesReceived}`,
    'total_cluster_links_buffer_limit_exceeded:0',
  ];
  return lines.join('\r\n') + '\r\n';
}

function nodeEntry(node: ClusterNodeView): Reply {
  // The fourth element holds extra networking metadata (hostname); Cairn announces none.
  return array([bulk(node.ip), int(node.port), bulk(node.id), map([])]);
}

/** CLUSTER SLOTS: one entry per slot range: start, end, primary, then replicas. */
export function clusterSlotsReply(view: ClusterView): Reply {
  const entries: Reply[] = [];
  const ordered: Array<{ lo: number; hi: number; shard: ClusterShardView }> = [];
  for (const shard of view.shards) for (const [lo, hi] of shard.ranges) ordered.push({ lo, hi, shard });
  ordered.sort((a, b) => a.lo - b.lo);
  for (const { lo, hi, shard } of ordered) {
    const nodes = shard.nodeIds.map((id) => nodeById(view, id)).filter((n): n is ClusterNodeView => n !== undefined && !n.failed);
    if (nodes.length === 0 || !nodes[0]!.primary) continue; // a range without a primary is not served
    entries.push(array([int(lo), int(hi), ...nodes.map(nodeEntry)]));
  }
  return array(entries);
}

/** CLUSTER SHARDS: per shard its slot ranges and its nodes with role, offset and health. */
export function clusterShardsReply(view: ClusterView): Reply {
  return array(view.shards.map((shard) => {
    const slots: Reply[] = [];
    for (const [lo, hi] of shard.ranges) slots.push(int(lo), int(hi));
    const nodes = shard.nodeIds.map((id) => nodeById(view, id)).filter((n): n is ClusterNodeView => n !== undefined);
    return mapOf([
      ['slots', array(slots)],
      ['nodes', array(nodes.map((n) => mapOf([
        ['id', bulk(n.id)],
        ['port', int(n.port)],
        ['ip', bulk(n.ip)],
        ['endpoint', bulk(n.ip)],
        ['role', bulk(n.primary ? 'master' : 'replica')],
        ['replication-offset', int(n.replicationOffset)],
        ['health', bulk(n.failed ? 'fail' : 'online')],
      ])))],
    ]);
  }));
}

function rangesText(ranges: ReadonlyArray<readonly [number, number]>): string {
  return ranges.map(([lo, hi]) => (lo === hi ? ` ${lo}` : ` ${lo}-${hi}`)).join('');
}

/** One CLUSTER NODES line (without its newline): `<id> <ip:port@bus> <flags> <primary> <ping> <pong> <epoch> <link> <slots>`. */
export function clusterNodeLine(view: ClusterView, n: ClusterNodeView): string {
  const flags = [n.id === view.myId ? 'myself' : '', n.primary ? 'master' : 'slave', n.failed ? 'fail' : ''].filter((f) => f !== '').join(',');
  const shard = n.primary ? view.shards.find((s) => s.nodeIds.includes(n.id)) : undefined;
  const slots = shard === undefined ? '' : rangesText(shard.ranges);
  const link = n.connected ? 'connected' : 'disconnected';
  return `${n.id} ${n.ip}:${n.port}@${n.busPort} ${flags} ${n.primaryId ?? '-'} 0 0 ${n.configEpoch} ${link}${slots}`;
}

/** CLUSTER NODES: every node's line. */
export function clusterNodesText(view: ClusterView): string {
  return view.nodes.map((n) => clusterNodeLine(view, n) + '\n').join('');
}
