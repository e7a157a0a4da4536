// ROLE and WAIT: what this node is in replication, and waiting for replicas to hold a write.
import type { CommandSpec } from '../../core/commands/spec.js';
import { parseTimeoutMs } from '../../core/commands/timeouts.js';
import * as errors from '../../core/errors.js';
import { parseI64 } from '../../core/numbers.js';
import { array, bulk, int, type Reply } from '../../core/reply.js';
import type { ServerContext } from '../context.js';

type Spec = CommandSpec<ServerContext>;

function role(ctx: ServerContext): Reply {
  const status = ctx.engine.replication;
  const primary = status.primary();
  if (status.role() === 'slave' && primary !== null) {
    return array([bulk('slave'), bulk(primary.ip), int(primary.port), bulk('connected'), int(status.offset())]);
  }
  const replicas = status.replicas().map((r) => array([bulk(r.ip), bulk(String(r.port)), bulk(String(r.offset))]));
  return array([bulk('master'), int(status.offset()), array(replicas)]);
}

/**
 * WAIT numreplicas timeout: the number of replicas holding this client's writes, once at least
 * numreplicas do or the timeout passes. Inside MULTI (or wherever the client cannot block) it
 * answers at once, as Redis does.
 */
function wait(ctx: ServerContext, argv: string[]): Reply {
  const status = ctx.engine.replication;
  if (status.role() === 'slave') return errors.waitOnReplica();
  const wanted = parseI64(argv[1]!);
  if (wanted === null) return errors.notInteger();
  const timeoutMs = parseTimeoutMs(argv[2]!);
  if (typeof timeoutMs !== 'number') return timeoutMs;
  const acked = status.acknowledged(ctx.session);
  if (BigInt(acked) >= wanted || !ctx.blockingAllowed) return int(acked);
  return ctx.block([], timeoutMs, int(acked));
}

export const replicationCommands: Spec[] = [
  {
    name: 'role', arity: 1, flags: ['noscript', 'loading', 'stale', 'fast'], acl: ['admin', 'fast', 'dangerous'], group: 'server',
    since: '2.8.12', summary: 'Returns the replication role.', complexity: 'O(1)', syntax: 'ROLE',
    handler: role,
  },
  {
    name: 'wait', arity: 3, flags: ['noscript'], acl: ['slow', 'connection'], group: 'generic',
    since: '3.0.0', summary: 'Blocks until the writes of the connection are held by the given number of replicas, or the timeout passes; returns how many hold them.',
    complexity: 'O(1)', syntax: 'WAIT numreplicas timeout',
    handler: wait,
  },
];
