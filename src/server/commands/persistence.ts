// SAVE, BGSAVE and BGREWRITEAOF (LASTSAVE lives with the server commands). The work is done by
// the shell's persistence (src/io/persistence/manager.ts), reached through the engine's gate;
// without one (embedded mode without a data folder) they say that persistence is off.
import type { CommandFlag, CommandSpec } from '../../core/commands/spec.js';
import { isWord } from '../../core/commands/spec.js';
import * as errors from '../../core/errors.js';
import type { Reply } from '../../core/reply.js';
import type { ServerContext } from '../context.js';

type Spec = CommandSpec<ServerContext>;

const server = { group: 'server', acl: [] } as const;
/** Redis 7.0 also flags these no_async_loading, a flag Cairn does not have (it never loads asynchronously). */
const BACKGROUND: readonly CommandFlag[] = ['admin', 'noscript'];

export const persistenceCommands: Spec[] = [
  {
    ...server, name: 'save', arity: 1, flags: [...BACKGROUND, 'no_multi'], since: '1.0.0',
    summary: 'Writes a snapshot of the whole data set to disk now, blocking every client until it is done.',
    complexity: 'O(N) where N is the total number of keys in all databases',
    syntax: 'SAVE',
    handler: (ctx) => ctx.engine.persistence?.save() ?? errors.persistenceOff(),
  },
  {
    ...server, name: 'bgsave', arity: -1, flags: BACKGROUND, since: '1.0.0',
    summary: 'Writes a snapshot of the data set as it is now to disk, in the background, while clients keep being served.',
    complexity: 'O(1) to start; the background work is O(N) in the total number of keys',
    syntax: 'BGSAVE [SCHEDULE]',
    handler: bgsave,
  },
  {
    ...server, name: 'bgrewriteaof', arity: 1, flags: BACKGROUND, since: '1.0.0',
    summary: 'Compacts the append-only log: writes the data set as a new base file in the background and starts a new incremental log.',
    complexity: 'O(1) to start; the background work is O(N) in the total number of keys',
    syntax: 'BGREWRITEAOF',
    handler: (ctx) => ctx.engine.persistence?.bgrewriteaof() ?? errors.persistenceOff(),
  },
];

function bgsave(ctx: ServerContext, argv: string[]): Reply {
  let schedule = false;
  if (argv.length > 1) {
    if (argv.length === 2 && isWord(argv[1]!, 'SCHEDULE')) schedule = true;
    else return errors.syntax();
  }
  return ctx.engine.persistence?.bgsave(schedule) ?? errors.persistenceOff();
}
