// ROLE and WAIT: what this node is in replication, and waiting for replicas to hold a write.
import type { CommandSpec } from '../../core/commands/spec.js';
import { parseTimeoutMs } from '../../core/commands/timeouts.js';
import * as errors from '../../core/errors.js';
import { parseI64 } from '../../core/numbers.js';
import { array, bulk, int, mapOf, OK, type Reply } from '../../core/reply.js';
import type { Consistency, ReadLevel, WriteLevel } from '../group-gate.js';
import type { ServerContext } from '../context.js';

type Spec = CommandSpec<ServerContext>;

function role(ctx: ServerContext): Reply {
  const status = ctx.engine.replication;
  const primary = status.primary();
  if (status.role() === 'slave') {
    // A replica group member during an election knows no primary yet: Redis's 'connect' state.
    if (primary === null) return array([bulk('slave'), bulk(''), int(0), bulk('connect'), int(status.offset())]);
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

const READ_LEVELS: readonly ReadLevel[] = ['linearizable', 'leader', 'eventual'];
const WRITE_LEVELS: readonly WriteLevel[] = ['majority', 'leader'];

/**
 * CONSISTENCY [NEXT] [READS linearizable|leader|eventual] [WRITES majority|leader]: the levels a
 * connection's commands run with in a replica group (README, "Consistency"); NEXT sets them for
 * the next command only. Without arguments: the connection's levels.
 */
function consistency(ctx: ServerContext, argv: string[]): Reply {
  const group = ctx.engine.group;
  if (group === null) return errors.groupOnly('CONSISTENCY');
  if (argv.length === 1) {
    const c = group.consistency(ctx.session);
    return mapOf([['reads', bulk(c.reads)], ['writes', bulk(c.writes)]]);
  }
  let i = 1;
  const next = argv[1]!.toLowerCase() === 'next';
  if (next) i++;
  const levels: { reads?: ReadLevel; writes?: WriteLevel } = {};
  if (i >= argv.length) return errors.consistencySyntax();
  for (; i < argv.length; i += 2) {
    const what = argv[i]!.toLowerCase();
    const value = argv[i + 1]?.toLowerCase();
    if (what === 'reads' && READ_LEVELS.includes(value as ReadLevel) && levels.reads === undefined) levels.reads = value as ReadLevel;
    else if (what === 'writes' && WRITE_LEVELS.includes(value as WriteLevel) && levels.writes === undefined) levels.writes = value as WriteLevel;
    else return errors.consistencySyntax();
  }
  group.setConsistency(ctx.session, levels as Partial<Consistency>, next);
  return OK;
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
  {
    name: 'consistency', arity: -1, flags: ['noscript', 'loading', 'stale', 'fast'], acl: ['fast', 'connection'], group: 'connection',
    since: '7.0.0', summary: 'Sets or shows the consistency levels of the connection\'s reads and writes in a replica group, for all its commands or the next one (Cairn).',
    complexity: 'O(1)', syntax: 'CONSISTENCY [NEXT] [READS linearizable|leader|eventual] [WRITES majority|leader]',
    handler: consistency,
  },
];
