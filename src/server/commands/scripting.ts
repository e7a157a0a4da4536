// EVAL, EVALSHA, EVAL_RO, EVALSHA_RO, FCALL, FCALL_RO, SCRIPT and FUNCTION: Lua scripting as
// Redis 7.0 offers it. The scripting machinery lives in src/server/scripting; these are the
// command declarations and their argument handling.
import { written, isWord, type CommandSpec } from '../../core/commands/spec.js';
import { dumpFunctions, restoreFunctions } from '../../core/dump.js';
import * as errors from '../../core/errors.js';
import { globMatch } from '../../core/glob.js';
import { array, bulk, bulkOrNil, bulks, int, map, NIL, OK, set, simple, type Reply } from '../../core/reply.js';
import type { ServerContext } from '../context.js';
import { flagWords } from '../scripting/shebang.js';
import { helpReply } from './client.js';

type Spec = CommandSpec<ServerContext>;

const base = { group: 'scripting', acl: ['scripting'] } as const;

/** EVAL-style key positions: numkeys at argv[2], then that many keys. */
function scriptKeys(argv: readonly string[]): number[] {
  const n = Number(argv[2]);
  if (!Number.isInteger(n) || n < 1 || n > argv.length - 3) return [];
  return Array.from({ length: n }, (_, i) => 3 + i);
}

const noFixedKeys = { first: 0, last: 0, step: 0 };

function callSpec(name: string, syntax: string, summary: string, readOnly: boolean, since: string, handler: Spec['handler']): Spec {
  return {
    ...base, name, arity: -3, flags: readOnly ? ['readonly', 'noscript', 'stale', 'skip_monitor', 'no_mandatory_keys'] : ['noscript', 'stale', 'skip_monitor', 'no_mandatory_keys'],
    keys: noFixedKeys, movableKeys: scriptKeys, since, summary, complexity: 'Depends on the script that is executed.', syntax, handler,
  };
}

export const scriptingCommands: Spec[] = [
  callSpec('eval', 'EVAL script numkeys [key [key ...]] [arg [arg ...]]', 'Runs a Lua script on the server; the script is cached by its SHA1.', false, '2.6.0',
    (ctx, argv) => ctx.engine.scripts.eval(ctx, argv, { bySha: false, readOnly: false })),
  callSpec('evalsha', 'EVALSHA sha1 numkeys [key [key ...]] [arg [arg ...]]', 'Runs a cached Lua script by its SHA1.', false, '2.6.0',
    (ctx, argv) => ctx.engine.scripts.eval(ctx, argv, { bySha: true, readOnly: false })),
  callSpec('eval_ro', 'EVAL_RO script numkeys [key [key ...]] [arg [arg ...]]', 'Runs a read-only Lua script on the server.', true, '7.0.0',
    (ctx, argv) => ctx.engine.scripts.eval(ctx, argv, { bySha: false, readOnly: true })),
  callSpec('evalsha_ro', 'EVALSHA_RO sha1 numkeys [key [key ...]] [arg [arg ...]]', 'Runs a cached read-only Lua script by its SHA1.', true, '7.0.0',
    (ctx, argv) => ctx.engine.scripts.eval(ctx, argv, { bySha: true, readOnly: true })),
  callSpec('fcall', 'FCALL function numkeys [key [key ...]] [arg [arg ...]]', 'Calls a function of a loaded library.', false, '7.0.0',
    (ctx, argv) => ctx.engine.scripts.fcall(ctx, argv, false)),
  callSpec('fcall_ro', 'FCALL_RO function numkeys [key [key ...]] [arg [arg ...]]', 'Calls a read-only function of a loaded library.', true, '7.0.0',
    (ctx, argv) => ctx.engine.scripts.fcall(ctx, argv, true)),
  {
    group: 'scripting', acl: [], name: 'script', arity: -2, flags: [], since: '2.6.0', summary: 'A container for Lua script cache commands.',
    complexity: 'Depends on subcommand.', syntax: 'SCRIPT <subcommand> [arguments]',
    subcommands: [
      {
        ...base, name: 'load', arity: 3, flags: ['noscript', 'stale'], since: '2.6.0', summary: 'Compiles a Lua script and caches it; returns its SHA1.',
        complexity: 'O(N) with N being the length in bytes of the script body.', syntax: 'SCRIPT LOAD script',
        handler: (ctx, argv) => {
          const loaded = ctx.engine.scripts.load(argv[2]!);
          return 'error' in loaded ? loaded.error : bulk(loaded.sha);
        },
      },
      {
        ...base, name: 'exists', arity: -3, flags: ['noscript'], since: '2.6.0', summary: 'Tells, for each SHA1, whether the script is in the cache (1) or not (0).',
        complexity: 'O(N) with N being the number of scripts to check.', syntax: 'SCRIPT EXISTS sha1 [sha1 ...]',
        handler: (ctx, argv) => array(argv.slice(2).map((sha) => int(ctx.engine.scripts.exists(sha) ? 1 : 0))),
      },
      {
        ...base, name: 'flush', arity: -2, flags: ['noscript'], since: '2.6.0', summary: 'Empties the script cache.',
        complexity: 'O(N) with N being the number of scripts in cache', syntax: 'SCRIPT FLUSH [ASYNC | SYNC]',
        handler: (ctx, argv) => {
          if (argv.length > 3 || (argv.length === 3 && !isWord(argv[2]!, 'ASYNC') && !isWord(argv[2]!, 'SYNC'))) return errors.scriptFlushOption();
          ctx.engine.scripts.flushScripts();
          return OK;
        },
      },
      {
        ...base, name: 'kill', arity: 2, flags: ['noscript', 'allow_busy'], since: '2.6.0', summary: 'Stops the running script when it has not written anything.',
        complexity: 'O(1)', syntax: 'SCRIPT KILL',
        handler: (ctx) => ctx.engine.scripts.kill(true),
      },
      {
        ...base, name: 'help', arity: 2, flags: ['loading', 'stale'], since: '5.0.0', summary: 'Describes the SCRIPT subcommands.',
        complexity: 'O(1)', syntax: 'SCRIPT HELP', handler: () => helpReply(SCRIPT_HELP),
      },
    ],
  },
  {
    group: 'scripting', acl: [], name: 'function', arity: -2, flags: [], since: '7.0.0', summary: 'A container for function library commands.',
    complexity: 'Depends on subcommand.', syntax: 'FUNCTION <subcommand> [arguments]',
    subcommands: [
      {
        ...base, name: 'load', arity: -3, flags: ['write', 'denyoom', 'noscript'], since: '7.0.0', summary: 'Loads a library of functions; REPLACE swaps a library of the same name.',
        complexity: 'O(1) (considering compilation time is redundant)', syntax: 'FUNCTION LOAD [REPLACE] function-code',
        handler: functionLoad,
      },
      {
        ...base, name: 'delete', arity: 3, flags: ['write', 'noscript'], since: '7.0.0', summary: 'Deletes a library and its functions.',
        complexity: 'O(1)', syntax: 'FUNCTION DELETE library-name',
        handler: (ctx, argv) => {
          if (!ctx.engine.scripts.deleteLibrary(argv[2]!)) return errors.libraryNotFound();
          written(ctx);
          return OK;
        },
      },
      {
        ...base, name: 'flush', arity: -2, flags: ['write', 'noscript'], since: '7.0.0', summary: 'Deletes every library.',
        complexity: 'O(N) where N is the number of functions deleted', syntax: 'FUNCTION FLUSH [ASYNC | SYNC]',
        handler: (ctx, argv) => {
          if (argv.length > 3 || (argv.length === 3 && !isWord(argv[2]!, 'ASYNC') && !isWord(argv[2]!, 'SYNC'))) return errors.functionFlushOption();
          ctx.engine.scripts.flushFunctions();
          written(ctx);
          return OK;
        },
      },
      {
        ...base, name: 'list', arity: -2, flags: ['noscript'], since: '7.0.0', summary: 'Lists the libraries, their functions and optionally their code.',
        complexity: 'O(N) where N is the number of functions', syntax: 'FUNCTION LIST [LIBRARYNAME library-name-pattern] [WITHCODE]',
        handler: functionList,
      },
      {
        ...base, name: 'dump', arity: 2, flags: ['noscript'], since: '7.0.0', summary: 'Serializes every library into a payload for FUNCTION RESTORE.',
        complexity: 'O(N) where N is the number of functions', syntax: 'FUNCTION DUMP',
        handler: (ctx) => bulk(dumpFunctions([...ctx.engine.scripts.functions.libraries.values()].map((l) => l.code))),
      },
      {
        ...base, name: 'restore', arity: -3, flags: ['write', 'denyoom', 'noscript'], since: '7.0.0', summary: 'Restores libraries from a FUNCTION DUMP payload.',
        complexity: 'O(N) where N is the number of functions on the payload', syntax: 'FUNCTION RESTORE serialized-value [FLUSH | APPEND | REPLACE]',
        handler: functionRestore,
      },
      {
        ...base, name: 'stats', arity: 2, flags: ['noscript', 'allow_busy'], since: '7.0.0', summary: 'Tells which function runs now and how many libraries and functions are loaded.',
        complexity: 'O(1)', syntax: 'FUNCTION STATS',
        handler: functionStats,
      },
      {
        ...base, name: 'kill', arity: 2, flags: ['noscript', 'allow_busy'], since: '7.0.0', summary: 'Stops the running function when it has not written anything.',
        complexity: 'O(1)', syntax: 'FUNCTION KILL',
        handler: (ctx) => ctx.engine.scripts.kill(false),
      },
      {
        ...base, name: 'help', arity: 2, flags: ['loading', 'stale'], since: '7.0.0', summary: 'Describes the FUNCTION subcommands.',
        complexity: 'O(1)', syntax: 'FUNCTION HELP', handler: () => helpReply(FUNCTION_HELP),
      },
    ],
  },
];

function functionLoad(ctx: ServerContext, argv: string[]): Reply {
  let replace = false;
  let i = 2;
  for (; i < argv.length - 1; i++) {
    if (isWord(argv[i]!, 'REPLACE')) replace = true;
    else return errors.functionUnknownOption(argv[i]!);
  }
  if (i !== argv.length - 1) return errors.functionCodeMissing();
  const reply = ctx.engine.scripts.loadLibrary(argv[i]!, replace);
  if (reply.k !== 1) written(ctx); // anything but an error: the library changed
  return reply;
}

function functionList(ctx: ServerContext, argv: string[]): Reply {
  let pattern: string | null = null;
  let withCode = false;
  for (let i = 2; i < argv.length; i++) {
    if (isWord(argv[i]!, 'WITHCODE')) withCode = true;
    else if (isWord(argv[i]!, 'LIBRARYNAME')) {
      if (i + 1 >= argv.length) return errors.functionListLibraryMissing();
      pattern = argv[++i]!;
    } else return errors.functionListArgument(argv[i]!);
  }
  const out: Reply[] = [];
  for (const lib of ctx.engine.scripts.functions.libraries.values()) {
    if (pattern !== null && !globMatch(pattern, lib.name, true)) continue;
    const fns = [...lib.functions.values()].map((fn) => map([
      bulk('name'), bulk(fn.name),
      bulk('description'), bulkOrNil(fn.description),
      bulk('flags'), set(flagWords(fn.flags).map(simple)),
    ]));
    const fields: Reply[] = [bulk('library_name'), bulk(lib.name), bulk('engine'), bulk('LUA'), bulk('functions'), array(fns)];
    if (withCode) fields.push(bulk('library_code'), bulk(lib.code));
    out.push(map(fields));
  }
  return array(out);
}

function functionRestore(ctx: ServerContext, argv: string[]): Reply {
  if (argv.length > 4) return errors.syntax();
  let policy: 'APPEND' | 'FLUSH' | 'REPLACE' = 'APPEND';
  if (argv.length === 4) {
    const p = argv[3]!.toUpperCase();
    if (p !== 'APPEND' && p !== 'FLUSH' && p !== 'REPLACE') return errors.functionRestorePolicy();
    policy = p;
  }
  const codes = restoreFunctions(argv[2]!);
  if (codes === null) return errors.dumpPayloadInvalid();
  const reply = ctx.engine.scripts.restoreLibraries(codes, policy);
  if (reply.k !== 1) written(ctx);
  return reply;
}

function functionStats(ctx: ServerContext): Reply {
  const running = ctx.engine.scripts.runningFunction();
  const fns = ctx.engine.scripts.functions;
  return map([
    bulk('running_script'),
    running === null ? NIL : map([bulk('name'), bulk(running.name), bulk('command'), bulks([...running.argv]), bulk('duration_ms'), int(running.durationMs)]),
    bulk('engines'),
    map([bulk('LUA'), map([bulk('libraries_count'), int(fns.libraries.size), bulk('functions_count'), int(fns.functionCount)])]),
  ]);
}

const SCRIPT_HELP = [
  'SCRIPT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:',
  'EXISTS <sha1> [<sha1> ...]',
  '    Return information about the existence of the scripts in the script cache.',
  'FLUSH [ASYNC|SYNC]',
  '    Flush the Lua scripts cache.',
  'KILL',
  '    Kill the currently executing Lua script.',
  'LOAD <script>',
  '    Load a script into the scripts cache without executing it.',
];

const FUNCTION_HELP = [
  'FUNCTION <subcommand> [<arg> [value] [opt] ...]. Subcommands are:',
  'LOAD [REPLACE] <FUNCTION CODE>',
  '    Create a new library with the given library name and code.',
  'DELETE <LIBRARY NAME>',
  '    Delete the given library.',
  'LIST [LIBRARYNAME PATTERN] [WITHCODE]',
  '    Return general information on all the libraries.',
  'FCALL <FUNCTION NAME> <NUMKEYS> <KEY1 .. KEYN> <ARG1 .. ARGN>',
  '    Call the given function.',
  'FCALL_RO <FUNCTION NAME> <NUMKEYS> <KEY1 .. KEYN> <ARG1 .. ARGN>',
  '    Call the given function, can only call read only functions.',
  'FLUSH [ASYNC|SYNC]',
  '    Delete all the libraries.',
  'KILL',
  '    Kill the current running function.',
  'STATS',
  '    Return information about the current function running.',
  'DUMP',
  '    Return a serialized payload representing the current libraries.',
  'RESTORE <PAYLOAD> [FLUSH|APPEND|REPLACE]',
  '    Restore the libraries represented by the given payload.',
];
