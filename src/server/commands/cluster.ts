// CLUSTER and the per-connection cluster commands (READONLY, READWRITE, ASKING). In a standalone
// server every one of them answers that cluster support is disabled, as Redis does.
import type { CommandSpec } from '../../core/commands/spec.js';
import { keyHashSlot, SLOT_COUNT } from '../../core/cluster/slots.js';
import { clusterInfoText, clusterNodeLine, clusterNodesText, clusterShardsReply, clusterSlotsReply, nodeById, type ClusterView } from '../../core/cluster/view.js';
import * as errors from '../../core/errors.js';
import { parseInteger } from '../../core/numbers.js';
import { bulk, bulks, int, OK, verbatim, type Reply } from '../../core/reply.js';
import type { ServerContext } from '../context.js';
import { helpReply } from './client.js';

type Spec = CommandSpec<ServerContext>;

const base = { group: 'cluster', acl: ['slow'] } as const;
const READ_FLAGS = ['loading', 'stale'] as const;

const HELP = [
  'CLUSTER <subcommand> [<arg> [value] [opt] ...]. Subcommands are:',
  'COUNTKEYSINSLOT <slot>',
  '    Return the number of keys in <slot>.',
  'GETKEYSINSLOT <slot> <count>',
  '    Return key names stored by current node in a slot.',
  'INFO',
  '    Return information about the cluster.',
  'KEYSLOT <key>',
  '    Return the hash slot for <key>.',
  'MYID',
  '    Return the node id.',
  'NODES',
  '    Return cluster configuration seen by node. Output format:',
  '    <id> <ip:port> <flags> <master> <pings> <pongs> <epoch> <link> <slot> ...',
  'REPLICAS <node-id>',
  '    Return <node-id> replicas.',
  'SLOTS',
  '    Return information about slots range mappings. Each range is made of:',
  '    start, end, master and replicas IP addresses, ports and ids',
  'SHARDS',
  '    Return information about slot range mappings and the nodes associated with them.',
  'HELP',
  '    Prints this help.',
];

/** Runs `body` with the cluster view, or answers that cluster support is disabled. */
function withView(body: (ctx: ServerContext, argv: string[], view: ClusterView) => Reply) {
  return (ctx: ServerContext, argv: string[]): Reply => {
    const cluster = ctx.engine.cluster;
    return cluster === null ? errors.clusterDisabled() : body(ctx, argv, cluster.view);
  };
}

/** A slot argument: an integer (else the integer error), then in range (else `ERR Invalid slot`). */
function parseSlot(text: string): number | Reply {
  const n = parseInteger(text);
  if (n === null) return errors.notInteger();
  return n < 0 || n >= SLOT_COUNT ? errors.invalidSlot() : n;
}

/** Live keys of database 0 in a slot, up to `limit`: a walk of the whole key space, O(N). */
function keysInSlot(ctx: ServerContext, slot: number, limit: number): string[] {
  const out: string[] = [];
  const db = ctx.ks.dbs[0]!;
  for (const e of db.entries.values()) {
    if (out.length >= limit) break;
    if (e.expiresAt !== 0 && e.expiresAt <= ctx.ks.now) continue;
    if (keyHashSlot(e.key) === slot) out.push(e.key);
  }
  return out;
}

function replicasOf(ctx: ServerContext, argv: string[], view: ClusterView): Reply {
  const node = nodeById(view, argv[2]!);
  if (node === undefined) return errors.unknownNode(argv[2]!);
  if (!node.primary) return errors.err('The specified node is not a master');
  return bulks(view.nodes.filter((n) => !n.primary && n.primaryId === node.id).map((n) => clusterNodeLine(view, n)));
}

export const clusterCommands: Spec[] = [
  {
    ...base, name: 'cluster', arity: -2, flags: [], since: '3.0.0',
    summary: 'A container for Redis Cluster commands.', complexity: 'Depends on subcommand.', syntax: 'CLUSTER <subcommand>',
    subcommands: [
      {
        ...base, name: 'info', arity: 2, flags: [...READ_FLAGS], since: '3.0.0',
        summary: 'Returns information about the state of a node.', complexity: 'O(1)', syntax: 'CLUSTER INFO',
        handler: withView((_ctx, _argv, view) => verbatim(clusterInfoText(view))),
      },
      {
        ...base, name: 'myid', arity: 2, flags: [...READ_FLAGS], since: '3.0.0',
        summary: 'Returns the ID of a node.', complexity: 'O(1)', syntax: 'CLUSTER MYID',
        handler: withView((_ctx, _argv, view) => bulk(view.myId)),
      },
      {
        ...base, name: 'nodes', arity: 2, flags: [...READ_FLAGS], since: '3.0.0',
        summary: 'Returns the cluster configuration for a node.', complexity: 'O(N) where N is the total number of Cluster nodes',
        syntax: 'CLUSTER NODES',
        handler: withView((_ctx, _argv, view) => verbatim(clusterNodesText(view))),
      },
      {
        ...base, name: 'slots', arity: 2, flags: [...READ_FLAGS], since: '3.0.0',
        summary: 'Returns the mapping of cluster slots to nodes.', complexity: 'O(N) where N is the total number of Cluster nodes',
        syntax: 'CLUSTER SLOTS',
        handler: withView((_ctx, _argv, view) => clusterSlotsReply(view)),
      },
      {
        ...base, name: 'shards', arity: 2, flags: [...READ_FLAGS], since: '7.0.0',
        summary: 'Returns the mapping of cluster slots to shards.', complexity: 'O(N) where N is the total number of cluster nodes',
        syntax: 'CLUSTER SHARDS',
        handler: withView((_ctx, _argv, view) => clusterShardsReply(view)),
      },
      {
        ...base, name: 'replicas', arity: 3, flags: ['admin', ...READ_FLAGS], since: '5.0.0',
        summary: 'Lists the replica nodes of a master node.', complexity: 'O(1)', syntax: 'CLUSTER REPLICAS node-id',
        handler: withView(replicasOf),
      },
      {
        ...base, name: 'slaves', arity: 3, flags: ['admin', ...READ_FLAGS], since: '3.0.0',
        summary: 'Lists the replica nodes of a master node (old name of CLUSTER REPLICAS).', complexity: 'O(1)',
        syntax: 'CLUSTER SLAVES node-id',
        handler: withView(replicasOf),
      },
      {
        ...base, name: 'keyslot', arity: 3, flags: ['stale'], since: '3.0.0',
        summary: 'Returns the hash slot for a key.', complexity: 'O(N) where N is the number of bytes in the key',
        syntax: 'CLUSTER KEYSLOT key',
        handler: withView((_ctx, argv) => int(keyHashSlot(argv[2]!))),
      },
      {
        ...base, name: 'countkeysinslot', arity: 3, flags: ['stale'], since: '3.0.0',
        summary: 'Returns the number of keys in a hash slot.', complexity: 'O(N) where N is the number of keys in the database',
        syntax: 'CLUSTER COUNTKEYSINSLOT slot',
        handler: withView((ctx, argv) => {
          const slot = parseSlot(argv[2]!);
          return typeof slot === 'number' ? int(keysInSlot(ctx, slot, Infinity).length) : slot;
        }),
      },
      {
        ...base, name: 'getkeysinslot', arity: 4, flags: ['stale'], since: '3.0.0',
        summary: 'Returns the key names in a hash slot.', complexity: 'O(N) where N is the number of keys in the database',
        syntax: 'CLUSTER GETKEYSINSLOT slot count',
        handler: withView((ctx, argv) => {
          const slot = parseInteger(argv[2]!);
          const count = parseInteger(argv[3]!);
          if (slot === null || count === null) return errors.notInteger();
          if (count < 0 || slot < 0 || slot >= SLOT_COUNT) return errors.invalidSlotOrCount();
          return bulks(keysInSlot(ctx, slot, count));
        }),
      },
      {
        ...base, name: 'failover', arity: -2, flags: ['admin', 'stale'], since: '3.0.0',
        summary: 'Moves the leadership of the replica group to this node (Raft leadership transfer); FORCE and TAKEOVER do the same.',
        complexity: 'O(1)', syntax: 'CLUSTER FAILOVER [FORCE|TAKEOVER]',
        handler: withView((ctx, argv) => {
          if (argv.length > 3 || (argv.length === 3 && !['force', 'takeover'].includes(argv[2]!.toLowerCase()))) return errors.syntax();
          return ctx.engine.group === null ? errors.failoverOnLeader() : ctx.engine.group.failover(ctx.session);
        }),
      },
      {
        ...base, name: 'help', arity: 2, flags: [...READ_FLAGS], since: '5.0.0',
        summary: 'Returns helpful text about the different subcommands.', complexity: 'O(1)', syntax: 'CLUSTER HELP',
        handler: withView(() => helpReply(HELP)),
      },
    ],
  },
  {
    ...base, acl: ['keyspace', 'fast'], name: 'readonly', arity: 1, flags: ['loading', 'stale', 'fast'], since: '3.0.0',
    summary: 'Enables read-only queries for a connection to a Redis Cluster replica node.', complexity: 'O(1)', syntax: 'READONLY',
    handler: withView((ctx) => {
      ctx.session.clusterReadOnly = true;
      return OK;
    }),
  },
  {
    ...base, acl: ['keyspace', 'fast'], name: 'readwrite', arity: 1, flags: ['loading', 'stale', 'fast'], since: '3.0.0',
    summary: 'Enables read-write queries for a connection to a Redis Cluster replica node.', complexity: 'O(1)', syntax: 'READWRITE',
    handler: withView((ctx) => {
      ctx.session.clusterReadOnly = false;
      return OK;
    }),
  },
];

