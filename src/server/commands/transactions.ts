// MULTI, EXEC, DISCARD, WATCH, UNWATCH: the session's transaction state around the engine.
import type { CommandSpec } from '../../core/commands/spec.js';
import * as errors from '../../core/errors.js';
import { OK } from '../../core/reply.js';
import type { ServerContext } from '../context.js';

type Spec = CommandSpec<ServerContext>;

const base = { group: 'transactions', acl: ['transaction'] } as const;

export const transactionCommands: Spec[] = [
  {
    ...base, name: 'multi', arity: 1, flags: ['noscript', 'loading', 'stale', 'fast', 'allow_busy'],
    since: '1.2.0', summary: 'Starts a transaction.', complexity: 'O(1)', syntax: 'MULTI',
    handler: (ctx) => {
      if (ctx.session.multi !== null) return errors.nestedMulti();
      ctx.session.multi = { queue: [], aborted: false };
      return OK;
    },
  },
  {
    ...base, name: 'exec', arity: 1, flags: ['noscript', 'loading', 'stale', 'skip_slowlog'],
    since: '1.2.0', summary: 'Executes all commands in a transaction.', complexity: 'Depends on commands in the transaction',
    syntax: 'EXEC',
    handler: (ctx) => ctx.engine.exec(ctx.session),
  },
  {
    ...base, name: 'discard', arity: 1, flags: ['noscript', 'loading', 'stale', 'fast', 'allow_busy'],
    since: '2.0.0', summary: 'Discards a transaction.', complexity: 'O(N), when N is the number of queued commands',
    syntax: 'DISCARD',
    handler: (ctx) => {
      if (ctx.session.multi === null) return errors.discardWithoutMulti();
      ctx.engine.discardTransaction(ctx.session);
      return OK;
    },
  },
  {
    ...base, name: 'watch', arity: -2, flags: ['noscript', 'loading', 'stale', 'fast', 'allow_busy'],
    keys: { first: 1, last: -1, step: 1 },
    since: '2.2.0', summary: 'Monitors changes to keys to determine the execution of a transaction.',
    complexity: 'O(1) for every key.', syntax: 'WATCH key [key ...]',
    handler: (ctx, argv) => {
      if (ctx.session.multi !== null) return errors.watchInMulti();
      for (let i = 1; i < argv.length; i++) ctx.ks.watch(ctx.session.watch, ctx.db, argv[i]!);
      return OK;
    },
  },
  {
    ...base, name: 'unwatch', arity: 1, flags: ['noscript', 'loading', 'stale', 'fast', 'allow_busy'],
    since: '2.2.0', summary: 'Forgets about watched keys of a transaction.', complexity: 'O(1)', syntax: 'UNWATCH',
    handler: (ctx) => {
      ctx.ks.unwatchAll(ctx.session.watch);
      return OK;
    },
  },
];
