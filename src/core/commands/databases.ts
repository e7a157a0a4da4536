// Whole-database commands: DBSIZE, FLUSHDB, FLUSHALL, SWAPDB. (SELECT lives with the
// connection commands: it changes the client, not the data.)
import * as errors from '../errors.js';
import { parseInteger } from '../numbers.js';
import { int, OK, type Reply } from '../reply.js';
import { isWord, propagateAs, written, type CommandSpec, type CoreContext } from './spec.js';

const server = { group: 'server', acl: ['keyspace'] } as const;
const dangerous = { group: 'server', acl: ['keyspace', 'dangerous'] } as const;

export const databaseCommands: CommandSpec[] = [
  {
    ...server, name: 'dbsize', arity: 1, flags: ['readonly', 'fast'], since: '1.0.0',
    summary: 'Returns the number of keys in the selected database.',
    complexity: 'O(1)',
    syntax: 'DBSIZE',
    // Like Redis, keys whose TTL has passed but that nobody has touched yet still count.
    handler: (ctx) => int(ctx.db.size),
  },
  {
    ...dangerous, name: 'flushdb', arity: -1, flags: ['write'], since: '1.0.0',
    summary: 'Removes every key from the selected database.',
    complexity: 'O(N) in the number of keys',
    syntax: 'FLUSHDB [ASYNC | SYNC]',
    handler: (ctx, argv) => {
      if (!validFlushMode(argv)) return errors.syntax();
      const removed = ctx.db.clear();
      // Always logged, even when nothing was removed, as Redis forces its propagation.
      propagateAs(ctx, argv, removed);
      return OK;
    },
  },
  {
    ...dangerous, name: 'flushall', arity: -1, flags: ['write'], since: '1.0.0',
    summary: 'Removes every key from every database.',
    complexity: 'O(N) in the total number of keys',
    syntax: 'FLUSHALL [ASYNC | SYNC]',
    handler: (ctx, argv) => {
      if (!validFlushMode(argv)) return errors.syntax();
      let removed = 0;
      for (const db of ctx.ks.dbs) removed += db.clear();
      // Redis counts one change more than the keys removed (the flush itself).
      propagateAs(ctx, argv, removed + 1);
      return OK;
    },
  },
  {
    ...dangerous, name: 'swapdb', arity: 3, flags: ['write', 'fast'], since: '4.0.0',
    summary: 'Exchanges the contents of two databases; clients stay on their index and see the other data.',
    complexity: 'O(N) in the number of clients watching or blocked on keys of the two databases',
    syntax: 'SWAPDB index1 index2',
    handler: swapdb,
  },
];

/**
 * ASYNC and SYNC are accepted and both flush synchronously: Cairn's flush drops references to
 * the old maps in O(1) time, and the garbage collector frees them in the background anyway.
 */
function validFlushMode(argv: readonly string[]): boolean {
  if (argv.length === 1) return true;
  return argv.length === 2 && (isWord(argv[1]!, 'ASYNC') || isWord(argv[1]!, 'SYNC'));
}

function swapdb(ctx: CoreContext, argv: string[]): Reply {
  if (ctx.ks.singleDatabase) return errors.notInClusterMode('SWAPDB');
  const first = parseDbIndex(argv[1]!);
  if (first === null) return errors.invalidFirstDbIndex();
  const second = parseDbIndex(argv[2]!);
  if (second === null) return errors.invalidSecondDbIndex();
  const count = ctx.ks.dbs.length;
  if (first < 0 || first >= count || second < 0 || second >= count) return errors.dbIndexOutOfRange();
  if (first !== second) ctx.ks.db(first).swapContents(ctx.ks.db(second));
  written(ctx);
  return OK;
}

/** An int32 index, or null (SWAPDB reports both "not a number" and "out of int range" the same). */
function parseDbIndex(arg: string): number | null {
  const n = parseInteger(arg);
  if (n === null || n < -2147483648 || n > 2147483647) return null;
  return n;
}
