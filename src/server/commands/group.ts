// GROUP: the membership of a replica group, online (docs/design/group-membership.md). MEMBERS
// lists the members; ADD and REMOVE change them one at a time on the leader and answer once the
// change is applied; HELLO is what a leader sends a node before adding it.
import type { CommandSpec } from '../../core/commands/spec.js';
import * as errors from '../../core/errors.js';
import { groupMembershipLimits } from '../../core/limits.js';
import type { Reply } from '../../core/reply.js';
import type { ServerContext } from '../context.js';
import type { GroupAdmin } from '../group-gate.js';
import { helpReply } from './client.js';

type Spec = CommandSpec<ServerContext>;

const base = { group: 'server', acl: ['admin', 'slow', 'dangerous'] } as const;
const SINCE = '7.0.0';

const HELP = [
  'GROUP <subcommand> [<arg> [value] [opt] ...]. Subcommands are:',
  'MEMBERS',
  '    Return the members of the replica group: id, node id, address, bus port, role, match index.',
  'ADD <host:port[@busport]> [TIMEOUT <milliseconds>]',
  '    Add a node started with --group-join yes: as a learner, then as a voter once it caught up',
  '    (within TIMEOUT, 60000 by default; otherwise it stays a learner and ADD again promotes it).',
  'REMOVE <node-id|host:port>',
  '    Remove a member (the leader hands its leadership over first when it is the one removed).',
  'HELLO <registry>',
  '    Sent by a leader to a node it is about to add (the node answers its node id, bus port and Raft id).',
  'HELP',
  '    Print this help.',
];

function withAdmin(fn: (admin: GroupAdmin, ctx: ServerContext, argv: string[]) => Reply): (ctx: ServerContext, argv: string[]) => Reply {
  return (ctx, argv) => {
    const group = ctx.engine.group;
    if (group === null) return errors.groupOnly('GROUP');
    return fn(group.admin, ctx, argv);
  };
}

export const groupCommands: Spec[] = [
  {
    ...base, name: 'group', arity: -2, flags: [], since: SINCE,
    summary: 'A container for replica group membership commands (Cairn).', complexity: 'Depends on subcommand.', syntax: 'GROUP <subcommand>',
    subcommands: [
      {
        ...base, name: 'members', arity: 2, flags: ['loading', 'stale'], since: SINCE,
        summary: 'Returns the members of the replica group with their role, address and replication progress (Cairn).',
        complexity: 'O(N) where N is the number of members', syntax: 'GROUP MEMBERS',
        handler: withAdmin((admin) => admin.members()),
      },
      {
        ...base, name: 'add', arity: -3, flags: ['noscript'], since: SINCE,
        summary: 'Adds a node to the replica group as a learner, then promotes it to voter once it caught up (within TIMEOUT ms, 60000 by default); answers its node id (Cairn).',
        complexity: 'O(1)', syntax: 'GROUP ADD host:port[@busport] [TIMEOUT milliseconds]',
        handler: withAdmin((admin, ctx, argv) => {
          let catchUpMs: number = groupMembershipLimits.catchUpTimeoutMs;
          if (argv.length !== 3) {
            const ms = argv.length === 5 && argv[3]!.toLowerCase() === 'timeout' && /^[0-9]{1,7}$/.test(argv[4]!) ? Number(argv[4]) : 0;
            if (ms < 1 || ms > groupMembershipLimits.catchUpTimeoutMaxMs) return errors.groupAddSyntax();
            catchUpMs = ms;
          }
          return admin.add(ctx, argv[2]!, catchUpMs);
        }),
      },
      {
        ...base, name: 'remove', arity: 3, flags: ['noscript'], since: SINCE,
        summary: 'Removes a member from the replica group, the leader itself after handing its leadership over (Cairn).',
        complexity: 'O(1)', syntax: 'GROUP REMOVE node-id|host:port',
        handler: withAdmin((admin, ctx, argv) => admin.remove(ctx, argv[2]!)),
      },
      {
        ...base, name: 'hello', arity: 3, flags: ['noscript', 'loading', 'stale'], since: SINCE,
        summary: 'Sent by a replica group leader to a node it is about to add; answers the node\'s node id, bus port and Raft id (Cairn).',
        complexity: 'O(N) where N is the number of members', syntax: 'GROUP HELLO registry',
        handler: withAdmin((admin, _ctx, argv) => admin.hello(argv[2]!)),
      },
      {
        ...base, name: 'help', arity: 2, flags: ['loading', 'stale'], since: SINCE,
        summary: 'Returns helpful text about the different subcommands.', complexity: 'O(1)', syntax: 'GROUP HELP',
        handler: () => helpReply(HELP),
      },
    ],
  },
];
