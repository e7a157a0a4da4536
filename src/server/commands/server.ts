// Server-level commands: INFO, CONFIG, COMMAND, TIME, LASTSAVE, SLOWLOG, LATENCY, MEMORY,
// DEBUG, MONITOR and SHUTDOWN, with Redis 7.0's replies and error texts.
import { aclCategories, findSubcommand, keyPositions } from '../../core/commands/registry.js';
import type { AclCategory, CommandFlag, CommandSpec } from '../../core/commands/spec.js';
import { isWord } from '../../core/commands/spec.js';
import { canDump, dumpValue } from '../../core/dump.js';
import * as errors from '../../core/errors.js';
import { globMatch } from '../../core/glob.js';
import { limits } from '../../core/limits.js';
import { parseI64 } from '../../core/numbers.js';
import {
  array, bulk, bulks, double, EMPTY_ARRAY, int, map, mapOf, NIL, NO_REPLY, OK, ReplyKind, set, simple, verbatim, type Reply,
} from '../../core/reply.js';
import { findOption, OPTIONS, validateOption, type OptionSpec } from '../config.js';
import { describeFsError, rewriteConfigFile } from '../config-rewrite.js';
import type { ServerContext } from '../context.js';
import { infoText, selectInfoSections } from '../info.js';
import { DEFAULT_SAMPLES, estimateEntryBytes } from '../memory.js';
import { KEYSPACE_SLOT_BYTES, VOLATILE_SLOT_BYTES } from '../../core/memory.js';
import { entryDigest, keyspaceDigest } from '../../core/digest.js';
import type { Session } from '../session.js';
import { helpReply } from './client.js';

type Spec = CommandSpec<ServerContext>;

const server = { group: 'server' } as const;
/** The flags Redis gives its admin subcommands. */
const ADMIN: readonly CommandFlag[] = ['admin', 'noscript', 'loading', 'stale'];
const HELP_FLAGS: readonly CommandFlag[] = ['loading', 'stale'];

export const serverCommands: Spec[] = [
  {
    ...server, name: 'info', arity: -1, flags: ['loading', 'stale'], acl: ['dangerous'], since: '1.0.0',
    summary: 'Reports the server\'s state and counters, by section.', complexity: 'O(1)',
    syntax: 'INFO [section [section ...]]',
    handler: (ctx, argv) => verbatim(infoText(ctx.engine, selectInfoSections(argv.slice(1)))),
  },
  {
    ...server, name: 'config', arity: -2, flags: [], acl: [], since: '2.0.0',
    summary: 'A container for commands that read and change the configuration.', complexity: 'Depends on the subcommand.',
    syntax: 'CONFIG <subcommand> [arguments ...]',
    subcommands: [
      {
        ...server, name: 'get', arity: -3, flags: ADMIN, acl: [], since: '2.0.0',
        summary: 'Returns the options whose names match any of the glob patterns, with their values.',
        complexity: 'O(N) when N is the number of configuration parameters provided', syntax: 'CONFIG GET parameter [parameter ...]',
        handler: configGet,
      },
      {
        ...server, name: 'set', arity: -4, flags: ADMIN, acl: [], since: '2.0.0',
        summary: 'Changes options at run time; either every pair applies or none does.',
        complexity: 'O(N) when N is the number of configuration parameters provided',
        syntax: 'CONFIG SET parameter value [parameter value ...]',
        handler: configSet,
      },
      {
        ...server, name: 'rewrite', arity: 2, flags: ADMIN, acl: [], since: '2.8.0',
        summary: 'Writes the running configuration into the config file the server started with.', complexity: 'O(1)',
        syntax: 'CONFIG REWRITE',
        handler: configRewrite,
      },
      {
        ...server, name: 'resetstat', arity: 2, flags: ADMIN, acl: [], since: '2.0.0',
        summary: 'Zeroes the counters INFO reports.', complexity: 'O(1)', syntax: 'CONFIG RESETSTAT',
        handler: (ctx) => {
          ctx.engine.resetStats();
          return OK;
        },
      },
      {
        ...server, name: 'help', arity: 2, flags: HELP_FLAGS, acl: [], since: '5.0.0',
        summary: 'Describes the CONFIG subcommands.', complexity: 'O(1)', syntax: 'CONFIG HELP',
        handler: () => helpReply(CONFIG_HELP),
      },
    ],
  },
  {
    ...server, name: 'command', arity: -1, flags: ['loading', 'stale'], acl: ['connection'], since: '2.8.13',
    summary: 'Describes every command the server serves.', complexity: 'O(N) where N is the total number of commands',
    syntax: 'COMMAND [<subcommand> [arguments ...]]',
    handler: (ctx) => array([...ctx.engine.commands.all()].map((s) => commandInfo(s, s.name))),
    subcommands: [
      {
        ...server, name: 'count', arity: 2, flags: HELP_FLAGS, acl: ['connection'], since: '2.8.13',
        summary: 'Returns the number of commands (subcommands not counted).', complexity: 'O(1)', syntax: 'COMMAND COUNT',
        handler: (ctx) => int(ctx.engine.commands.size),
      },
      {
        ...server, name: 'info', arity: -2, flags: HELP_FLAGS, acl: ['connection'], since: '2.8.13',
        summary: 'Describes the named commands, or every command when none is named.',
        complexity: 'O(N) where N is the number of commands to look up', syntax: 'COMMAND INFO [command-name [command-name ...]]',
        handler: commandInfoCommand,
      },
      {
        ...server, name: 'docs', arity: -2, flags: HELP_FLAGS, acl: ['connection'], since: '7.0.0',
        summary: 'Returns the documentation of the named commands, or of every command when none is named.',
        complexity: 'O(N) where N is the number of commands to look up', syntax: 'COMMAND DOCS [command-name [command-name ...]]',
        handler: commandDocsCommand,
      },
      {
        ...server, name: 'list', arity: -2, flags: HELP_FLAGS, acl: ['connection'], since: '7.0.0',
        summary: 'Lists command names, subcommands included, optionally filtered.',
        complexity: 'O(N) where N is the total number of commands',
        syntax: 'COMMAND LIST [FILTERBY <MODULE module-name | ACLCAT category | PATTERN pattern>]',
        handler: commandList,
      },
      {
        ...server, name: 'getkeys', arity: -4, flags: HELP_FLAGS, acl: ['connection'], since: '2.8.13',
        summary: 'Returns the keys a full command line would access.', complexity: 'O(N) where N is the number of arguments to the command',
        syntax: 'COMMAND GETKEYS command [arg [arg ...]]',
        handler: (ctx, argv) => getKeys(ctx, argv, false),
      },
      {
        ...server, name: 'getkeysandflags', arity: -4, flags: HELP_FLAGS, acl: ['connection'], since: '7.0.0',
        summary: 'Returns the keys a full command line would access, with how each is accessed.',
        complexity: 'O(N) where N is the number of arguments to the command',
        syntax: 'COMMAND GETKEYSANDFLAGS command [arg [arg ...]]',
        handler: (ctx, argv) => getKeys(ctx, argv, true),
      },
      {
        ...server, name: 'help', arity: 2, flags: HELP_FLAGS, acl: ['connection'], since: '5.0.0',
        summary: 'Describes the COMMAND subcommands.', complexity: 'O(1)', syntax: 'COMMAND HELP',
        handler: () => helpReply(COMMAND_HELP),
      },
    ],
  },
  {
    ...server, name: 'time', arity: 1, flags: ['loading', 'stale', 'fast'], acl: [], since: '2.6.0',
    summary: 'Returns the server\'s time as Unix seconds and microseconds.', complexity: 'O(1)', syntax: 'TIME',
    handler: (ctx) => {
      const micros = ctx.engine.clock.nowMicros();
      const seconds = Math.floor(micros / 1e6);
      return bulks([String(seconds), String(micros - seconds * 1e6)]);
    },
  },
  {
    ...server, name: 'lastsave', arity: 1, flags: ['loading', 'stale', 'fast'], acl: ['admin', 'dangerous'], since: '1.0.0',
    summary: 'Returns the Unix time of the last successful save to disk.', complexity: 'O(1)', syntax: 'LASTSAVE',
    handler: (ctx) => int(ctx.engine.lastSaveUnix),
  },
  {
    ...server, name: 'slowlog', arity: -2, flags: [], acl: [], since: '2.2.12',
    summary: 'A container for commands that read and clear the slow log.', complexity: 'Depends on the subcommand.',
    syntax: 'SLOWLOG <subcommand> [arguments ...]',
    subcommands: [
      {
        ...server, name: 'get', arity: -2, flags: ['admin', 'loading', 'stale'], acl: [], since: '2.2.12',
        summary: 'Returns the newest slow log entries (10 by default, -1 for all).',
        complexity: 'O(N) where N is the number of entries returned', syntax: 'SLOWLOG GET [count]',
        handler: slowlogGet,
      },
      {
        ...server, name: 'len', arity: 2, flags: ['admin', 'loading', 'stale'], acl: [], since: '2.2.12',
        summary: 'Returns the number of entries in the slow log.', complexity: 'O(1)', syntax: 'SLOWLOG LEN',
        handler: (ctx) => int(ctx.engine.slowlog.length),
      },
      {
        ...server, name: 'reset', arity: 2, flags: ['admin', 'loading', 'stale'], acl: [], since: '2.2.12',
        summary: 'Empties the slow log.', complexity: 'O(N) where N is the number of entries in the slowlog', syntax: 'SLOWLOG RESET',
        handler: (ctx) => {
          ctx.engine.slowlog.reset();
          return OK;
        },
      },
      {
        ...server, name: 'help', arity: 2, flags: HELP_FLAGS, acl: [], since: '6.2.0',
        summary: 'Describes the SLOWLOG subcommands.', complexity: 'O(1)', syntax: 'SLOWLOG HELP',
        handler: () => helpReply(SLOWLOG_HELP),
      },
    ],
  },
  {
    ...server, name: 'latency', arity: -2, flags: [], acl: [], since: '2.8.13',
    summary: 'A container for commands of the latency monitor.', complexity: 'Depends on the subcommand.',
    syntax: 'LATENCY <subcommand> [arguments ...]',
    subcommands: [
      {
        ...server, name: 'latest', arity: 2, flags: ADMIN, acl: [], since: '2.8.13',
        summary: 'Returns the latest and the largest latency of every event.', complexity: 'O(1)', syntax: 'LATENCY LATEST',
        handler: (ctx) =>
          array(ctx.engine.latency.latest().map((e) => array([bulk(e.event), int(e.latest.unixSeconds), int(e.latest.ms), int(e.maxMs)]))),
      },
      {
        ...server, name: 'history', arity: 3, flags: ADMIN, acl: [], since: '2.8.13',
        summary: 'Returns the recorded samples of one event as [time, latency] pairs.', complexity: 'O(1)',
        syntax: 'LATENCY HISTORY event',
        handler: (ctx, argv) => array(ctx.engine.latency.history(argv[2]!).map((s) => array([int(s.unixSeconds), int(s.ms)]))),
      },
      {
        ...server, name: 'reset', arity: -2, flags: ADMIN, acl: [], since: '2.8.13',
        summary: 'Forgets the samples of the named events, or of every event.', complexity: 'O(1)',
        syntax: 'LATENCY RESET [event [event ...]]',
        handler: (ctx, argv) => int(ctx.engine.latency.reset(argv.slice(2))),
      },
      {
        ...server, name: 'help', arity: 2, flags: HELP_FLAGS, acl: [], since: '2.8.13',
        summary: 'Describes the LATENCY subcommands.', complexity: 'O(1)', syntax: 'LATENCY HELP',
        handler: () => helpReply(LATENCY_HELP),
      },
    ],
  },
  {
    ...server, name: 'memory', arity: -2, flags: [], acl: [], since: '4.0.0',
    summary: 'A container for memory introspection commands.', complexity: 'Depends on the subcommand.',
    syntax: 'MEMORY <subcommand> [arguments ...]',
    subcommands: [
      {
        ...server, name: 'usage', arity: -3, flags: ['readonly'], acl: [], keys: { first: 2, last: 2, step: 1 }, since: '4.0.0',
        summary: 'Estimates the bytes a key and its value take in memory.',
        complexity: 'O(N) where N is the number of samples.', syntax: 'MEMORY USAGE key [SAMPLES count]',
        handler: memoryUsage,
      },
      {
        ...server, name: 'stats', arity: 2, flags: [], acl: [], since: '4.0.0',
        summary: 'Reports how memory is used: baseline, per-database overhead, data set, peak and process figures.',
        complexity: 'O(1)', syntax: 'MEMORY STATS',
        handler: memoryStats,
      },
      {
        ...server, name: 'doctor', arity: 2, flags: [], acl: [], since: '4.0.0',
        summary: 'Reports memory problems the server can see.', complexity: 'O(1)', syntax: 'MEMORY DOCTOR',
        handler: (ctx) => verbatim(memoryDoctor(ctx)),
      },
      {
        ...server, name: 'help', arity: 2, flags: HELP_FLAGS, acl: [], since: '4.0.0',
        summary: 'Describes the MEMORY subcommands.', complexity: 'O(1)', syntax: 'MEMORY HELP',
        handler: () => helpReply(MEMORY_HELP),
      },
    ],
  },
  {
    ...server, name: 'debug', arity: -2, flags: ADMIN, acl: [], since: '1.0.0',
    summary: 'Testing and introspection helpers: SLEEP, OBJECT, SET-ACTIVE-EXPIRE.', complexity: 'Depends on the subcommand.',
    syntax: 'DEBUG <SLEEP seconds | OBJECT key | SET-ACTIVE-EXPIRE <0 | 1> | DIGEST | DIGEST-VALUE key [key ...] | HELP>',
    handler: debug,
  },
  {
    ...server, name: 'monitor', arity: 1, flags: ADMIN, acl: [], since: '1.0.0',
    summary: 'Streams every command the server runs to this connection.', complexity: 'O(1)', syntax: 'MONITOR',
    handler: (ctx) => {
      const s = ctx.session;
      // A second MONITOR on a monitoring connection is ignored without a reply, as in Redis.
      if (s.monitor) return NO_REPLY;
      s.monitor = true;
      ctx.engine.monitors.add(s);
      return OK;
    },
  },
  {
    ...server, name: 'shutdown', arity: -1, flags: [...ADMIN, 'no_multi', 'allow_busy'], acl: [], since: '1.0.0',
    summary: 'Stops the server, saving first unless told not to.', complexity: 'O(N) when saving, where N is the total number of keys in all databases',
    syntax: 'SHUTDOWN [NOSAVE | SAVE] [NOW] [FORCE] [ABORT]',
    handler: shutdown,
  },
];

// ---------------------------------------------------------------------------------------------
// HELP texts (Redis's layout: a header line, then each subcommand and its description).

const CONFIG_HELP = [
  'CONFIG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:',
  'GET <pattern>',
  '    Return parameters matching the glob-like <pattern> and their values.',
  'SET <directive> <value>',
  '    Set the configuration <directive> to <value>.',
  'RESETSTAT',
  '    Reset statistics reported by the INFO command.',
  'REWRITE',
  '    Rewrite the configuration file.',
  'HELP',
  '    Prints this help.',
];

const COMMAND_HELP = [
  'COMMAND <subcommand> [<arg> [value] [opt] ...]. Subcommands are:',
  '(no subcommand)',
  '    Return details about all Redis commands.',
  'COUNT',
  '    Return the total number of commands in this Redis server.',
  'LIST',
  '    Return a list of all commands in this Redis server.',
  'INFO [<command-name> ...]',
  '    Return details about multiple Redis commands.',
  '    If no command names are given, documentation details for all',
  '    commands are returned.',
  'DOCS [<command-name> ...]',
  '    Return documentation details about multiple Redis commands.',
  '    If no command names are given, documentation details for all',
  '    commands are returned.',
  'GETKEYS <full-command>',
  '    Return the keys from a full Redis command.',
  'GETKEYSANDFLAGS <full-command>',
  '    Return the keys and the access flags from a full Redis command.',
  'HELP',
  '    Prints this help.',
];

const SLOWLOG_HELP = [
  'SLOWLOG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:',
  'GET [<count>]',
  '    Return top <count> entries from the slowlog (default: 10, -1 mean all).',
  '    Entries are made of:',
  '    id, timestamp, time in microseconds, arguments array, client IP and port,',
  '    client name',
  'LEN',
  '    Return the length of the slowlog.',
  'RESET',
  '    Reset the slowlog.',
  'HELP',
  '    Prints this help.',
];

const LATENCY_HELP = [
  'LATENCY <subcommand> [<arg> [value] [opt] ...]. Subcommands are:',
  'HISTORY <event>',
  '    Return time-latency samples for the <event> class.',
  'LATEST',
  '    Return the latest latency samples for all events.',
  'RESET [<event> ...]',
  '    Reset latency data of one or more <event> classes.',
  '    (default: reset all data for all event classes)',
  'HELP',
  '    Prints this help.',
];

const MEMORY_HELP = [
  'MEMORY <subcommand> [<arg> [value] [opt] ...]. Subcommands are:',
  'DOCTOR',
  '    Return memory problems reports.',
  'STATS',
  '    Return information about the memory usage of the server.',
  'USAGE <key> [SAMPLES <count>]',
  '    Return an estimate of the memory in bytes used by <key> and its value.',
  '    Collections keep a running byte count, so <count> (default: 5) changes nothing.',
  'HELP',
  '    Prints this help.',
];

const DEBUG_HELP = [
  'DEBUG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:',
  'DIGEST',
  '    Output a hex signature representing the current DB content.',
  'DIGEST-VALUE <key> [<key> ...]',
  '    Output a hex signature of the values of all the specified keys.',
  'OBJECT <key>',
  '    Show low level info about `key` and associated value.',
  'SET-ACTIVE-EXPIRE <0|1>',
  '    Setting it to 0 disables expiring keys in background when they are not',
  '    accessed (otherwise the Redis behavior). Setting it to 1 reenables back the',
  '    default.',
  'SLEEP <seconds>',
  '    Stop the server for <seconds>. Decimals allowed.',
  'HELP',
  '    Prints this help.',
];

// ---------------------------------------------------------------------------------------------
// CONFIG

const GLOB_CHARS = /[[*?]/;

function configGet(ctx: ServerContext, argv: string[]): Reply {
  const config = ctx.engine.config;
  // Shown name -> option, in the order found; a name matched twice is shown once.
  const found = new Map<string, { shown: string; option: OptionSpec }>();
  const add = (shown: string, option: OptionSpec): void => {
    const key = shown.toLowerCase();
    if (!found.has(key)) found.set(key, { shown, option });
  };
  for (let i = 2; i < argv.length; i++) {
    const pattern = argv[i]!;
    if (!GLOB_CHARS.test(pattern)) {
      // An exact name is looked up directly and shown as the client typed it (Redis does the same).
      const option = findOption(pattern);
      if (option !== undefined) add(pattern, option);
      continue;
    }
    for (const option of OPTIONS) {
      if (globMatch(pattern, option.name, true)) add(option.name, option);
      for (const alias of option.aliases ?? []) if (globMatch(pattern, alias, true)) add(alias, option);
    }
  }
  const flat: Reply[] = [];
  for (const { shown, option } of found.values()) flat.push(bulk(shown), bulk(config.get(option.name)));
  return map(flat);
}

/** CONFIG SET: every name is checked, then every value, and only then is anything applied. */
function configSet(ctx: ServerContext, argv: string[]): Reply {
  if ((argv.length - 2) % 2 !== 0) return errors.syntax();
  const chosen: Array<{ option: OptionSpec; value: string }> = [];
  let unknownName: string | null = null;
  let refusal: { name: string; why: string } | null = null;
  for (let i = 2; i < argv.length; i += 2) {
    const name = argv[i]!;
    const option = findOption(name);
    if (option === undefined) {
      if (unknownName === null && refusal === null) unknownName = name;
      continue;
    }
    if (unknownName !== null || refusal !== null) continue;
    if (option.immutable === true) refusal = { name, why: 'can\'t set immutable config' };
    else if (chosen.some((c) => c.option === option)) refusal = { name, why: 'duplicate parameter' };
    else chosen.push({ option, value: argv[i + 1]! });
  }
  if (unknownName !== null) return errors.unknownConfig(unknownName);
  if (refusal !== null) return errors.configSetFailed(refusal.name, refusal.why);
  for (const { option, value } of chosen) {
    const checked = validateOption(option, value);
    if ('error' in checked) return errors.configSetFailed(option.name, checked.error);
  }
  for (const { option, value } of chosen) ctx.engine.config.set(option.name, value, true);
  return OK;
}

function configRewrite(ctx: ServerContext): Reply {
  const config = ctx.engine.config;
  if (config.file === null) return errors.configRewriteNoFile();
  try {
    rewriteConfigFile(config.file, config);
  } catch (e) {
    const why = describeFsError(e);
    ctx.engine.log.warning('CONFIG REWRITE failed', { file: config.file, error: why });
    return errors.configRewriteFailed(why);
  }
  ctx.engine.log.notice('CONFIG REWRITE executed with success.');
  return OK;
}

// ---------------------------------------------------------------------------------------------
// COMMAND

/** Flags in the order Redis prints them; may_replicate stays hidden, as in Redis. */
const FLAG_ORDER: ReadonlyArray<CommandFlag | 'movablekeys'> = [
  'write', 'readonly', 'denyoom', 'admin', 'pubsub', 'noscript', 'blocking', 'loading', 'stale',
  'skip_monitor', 'skip_slowlog', 'fast', 'no_auth', 'no_mandatory_keys', 'no_multi', 'movablekeys', 'allow_busy',
];

/** ACL categories in the order of Redis's category table. */
const ACL_ORDER: readonly AclCategory[] = [
  'keyspace', 'read', 'write', 'set', 'sortedset', 'list', 'hash', 'string', 'bitmap', 'hyperloglog', 'geo',
  'stream', 'pubsub', 'admin', 'fast', 'slow', 'blocking', 'dangerous', 'connection', 'transaction', 'scripting',
];

function shownFlags(spec: Spec): string[] {
  const has = new Set<string>(spec.flags);
  if (spec.movableKeys !== undefined) has.add('movablekeys');
  return FLAG_ORDER.filter((f) => has.has(f));
}

function orderedCategories(spec: Spec): string[] {
  const cats = new Set(aclCategories(spec));
  return ACL_ORDER.filter((c) => cats.has(c)).map((c) => '@' + c);
}

/**
 * How a command accesses its keys. Cairn's declarations only say read-only or write, so this is
 * the common case of each (Redis's GET is "RO access", its INCR "RW access update"); commands
 * such as DEL ("RM delete") are described less precisely than Redis does.
 */
function keyAccessFlags(spec: Spec): string[] {
  if (spec.flags.includes('write')) return ['RW', 'access', 'update'];
  return spec.flags.includes('readonly') ? ['RO', 'access'] : ['RO'];
}

/** A key spec equivalent to the declared (first, last, step) range, as Redis would write it. */
function keySpecs(spec: Spec): Reply[] {
  const k = spec.keys;
  if (k === undefined || k.first <= 0) return [];
  return [
    mapOf([
      ['flags', set(keyAccessFlags(spec).map(simple))],
      ['begin_search', mapOf([['type', bulk('index')], ['spec', mapOf([['index', int(k.first)]])]])],
      [
        'find_keys',
        mapOf([
          ['type', bulk('range')],
          ['spec', mapOf([['lastkey', int(k.last < 0 ? k.last : k.last - k.first)], ['keystep', int(k.step)], ['limit', int(0)]])],
        ]),
      ],
    ]),
  ];
}

/** One COMMAND INFO entry: name, arity, flags, first, last, step, categories, tips, key specs, subcommands. */
function commandInfo(spec: Spec, fullName: string): Reply {
  const k = spec.keys;
  const subs = spec.subcommands;
  return array([
    bulk(fullName),
    int(spec.arity),
    set(shownFlags(spec).map(simple)),
    int(k?.first ?? 0),
    int(k?.last ?? 0),
    int(k?.step ?? 0),
    set(orderedCategories(spec).map(simple)),
    set([]),
    set(keySpecs(spec)),
    subs === undefined || subs.length === 0 ? set([]) : array(subs.map((s) => commandInfo(s, `${fullName}|${s.name}`))),
  ]);
}

/** Finds a command by full name ('get', 'config|get'), any case. */
function lookupFullName(ctx: ServerContext, name: string): Spec | undefined {
  const parts = name.split('|');
  if (parts.length > 2) return undefined;
  const top = ctx.engine.commands.get(parts[0]!);
  if (top === undefined || parts.length === 1) return top;
  if (top.subcommands === undefined) return undefined;
  return findSubcommand(top, parts[1]!);
}

function commandInfoCommand(ctx: ServerContext, argv: string[]): Reply {
  if (argv.length === 2) return array([...ctx.engine.commands.all()].map((s) => commandInfo(s, s.name)));
  const out: Reply[] = [];
  for (let i = 2; i < argv.length; i++) {
    const spec = lookupFullName(ctx, argv[i]!);
    out.push(spec === undefined ? NIL : commandInfo(spec, fullNameOf(ctx, argv[i]!, spec)));
  }
  return array(out);
}

/** The canonical full name of a looked-up spec ('CONFIG|GET' -> 'config|get'). */
function fullNameOf(ctx: ServerContext, typed: string, spec: Spec): string {
  const bar = typed.indexOf('|');
  if (bar < 0) return spec.name;
  const top = ctx.engine.commands.get(typed.slice(0, bar))!;
  return `${top.name}|${spec.name}`;
}

function commandDocs(spec: Spec, fullName: string): Reply {
  const fields: Array<[string, Reply]> = [
    ['summary', bulk(spec.summary)],
    ['since', bulk(spec.since)],
    ['group', bulk(spec.group)],
    ['complexity', bulk(spec.complexity)],
  ];
  const subs = spec.subcommands ?? [];
  if (subs.length > 0) {
    const flat: Reply[] = [];
    for (const s of subs) flat.push(bulk(`${fullName}|${s.name}`), commandDocs(s, `${fullName}|${s.name}`));
    fields.push(['subcommands', map(flat)]);
  }
  return mapOf(fields);
}

function commandDocsCommand(ctx: ServerContext, argv: string[]): Reply {
  const flat: Reply[] = [];
  if (argv.length === 2) {
    for (const s of ctx.engine.commands.all()) flat.push(bulk(s.name), commandDocs(s, s.name));
    return map(flat);
  }
  for (let i = 2; i < argv.length; i++) {
    const spec = lookupFullName(ctx, argv[i]!);
    if (spec === undefined) continue;
    const fullName = fullNameOf(ctx, argv[i]!, spec);
    flat.push(bulk(fullName), commandDocs(spec, fullName));
  }
  return map(flat);
}

function commandList(ctx: ServerContext, argv: string[]): Reply {
  let keep: (spec: Spec, fullName: string) => boolean = () => true;
  if (argv.length !== 2) {
    if (argv.length !== 5 || !isWord(argv[2]!, 'FILTERBY')) return errors.syntax();
    const kind = argv[3]!;
    const arg = argv[4]!;
    if (isWord(kind, 'MODULE')) {
      keep = () => false; // Cairn has no modules.
    } else if (isWord(kind, 'ACLCAT')) {
      const category = arg.toLowerCase();
      keep = (spec) => (aclCategories(spec) as string[]).includes(category);
    } else if (isWord(kind, 'PATTERN')) {
      keep = (_spec, fullName) => globMatch(arg, fullName, true);
    } else {
      return errors.syntax();
    }
  }
  const names: string[] = [];
  for (const spec of ctx.engine.commands.all()) {
    if (keep(spec, spec.name)) names.push(spec.name);
    for (const s of spec.subcommands ?? []) {
      const fullName = `${spec.name}|${s.name}`;
      if (keep(s, fullName)) names.push(fullName);
    }
  }
  return bulks(names);
}

function getKeys(ctx: ServerContext, argv: string[], withFlags: boolean): Reply {
  const target = argv.slice(2);
  const top = ctx.engine.commands.get(target[0]!);
  const spec = top === undefined ? undefined : target.length === 1 || top.subcommands === undefined ? top : findSubcommand(top, target[1]!);
  if (spec === undefined) return errors.invalidCommandSpecified();
  const hasKeys = spec.movableKeys !== undefined || (spec.keys !== undefined && spec.keys.first > 0);
  if (!hasKeys) return errors.commandHasNoKeys();
  const n = target.length;
  if ((spec.arity > 0 && spec.arity !== n) || n < -spec.arity) return errors.invalidCommandArgCount();
  const positions = keyPositions(spec, target);
  if (positions.length === 0) {
    return spec.flags.includes('no_mandatory_keys') ? EMPTY_ARRAY : errors.invalidCommandArgs();
  }
  if (!withFlags) return bulks(positions.map((i) => target[i]!));
  const flags = set(keyAccessFlags(spec).map(simple));
  return array(positions.map((i) => array([bulk(target[i]!), flags])));
}

// ---------------------------------------------------------------------------------------------
// SLOWLOG

const SLOWLOG_DEFAULT_COUNT = 10;

function slowlogGet(ctx: ServerContext, argv: string[]): Reply {
  if (argv.length > 3) return errors.unknownSubcommandOrArity('slowlog', argv[1]!);
  let count = SLOWLOG_DEFAULT_COUNT;
  if (argv.length === 3) {
    const n = parseI64(argv[2]!);
    if (n === null || n < -1n) return errors.slowlogCountRange();
    count = Number(n);
  }
  return array(
    ctx.engine.slowlog.get(count).map((e) =>
      array([int(e.id), int(e.unixSeconds), int(e.durationMicros), bulks(e.argv), bulk(e.addr), bulk(e.clientName)]),
    ),
  );
}

// ---------------------------------------------------------------------------------------------
// MEMORY

function memoryUsage(ctx: ServerContext, argv: string[]): Reply {
  let samples = DEFAULT_SAMPLES;
  for (let i = 3; i < argv.length; i++) {
    if (isWord(argv[i]!, 'SAMPLES') && i + 1 < argv.length) {
      const n = parseI64(argv[i + 1]!);
      if (n === null) return errors.notInteger();
      if (n < 0n) return errors.syntax();
      samples = n === 0n ? 0 : Number(n);
      i++;
    } else {
      return errors.syntax();
    }
  }
  // Redis 7.0 reads the dictionary directly: no hit or miss counted, no access time, no lazy expiry.
  const entry = ctx.db.peek(argv[2]!);
  return entry === undefined ? NIL : int(estimateEntryBytes(entry, samples));
}

/**
 * MEMORY STATS in Redis 7.0's field order. The allocator is V8's heap: allocated and active are
 * its heap in use, resident the process RSS (zeros without the shell's memory hook).
 */
function memoryStats(ctx: ServerContext): Reply {
  const engine = ctx.engine;
  const total = engine.usedMemory();
  const startup = engine.startupBytes;
  const peak = engine.peakUsedBytes;
  const process = engine.hooks.memory?.() ?? { heapUsed: 0, rss: 0 };
  const pairs: Array<readonly [string, Reply]> = [
    ['peak.allocated', int(peak)],
    ['total.allocated', int(total)],
    ['startup.allocated', int(startup)],
    ['replication.backlog', int(0)],
    ['clients.slaves', int(0)],
    ['clients.normal', int(0)],
    ['cluster.links', int(0)],
    ['aof.buffer', int(0)],
    ['lua.caches', int(0)],
    ['functions.caches', int(0)],
  ];
  let overhead = startup;
  let keys = 0;
  for (const db of ctx.ks.dbs) {
    if (db.size === 0) continue;
    const main = db.size * KEYSPACE_SLOT_BYTES;
    const expires = db.volatileCount * VOLATILE_SLOT_BYTES;
    overhead += main + expires;
    keys += db.size;
    pairs.push([`db.${db.id}`, mapOf([
      ['overhead.hashtable.main', int(main)],
      ['overhead.hashtable.expires', int(expires)],
    ])]);
  }
  const dataset = Math.max(0, total - overhead);
  const net = total - startup;
  pairs.push(
    ['overhead.total', int(overhead)],
    ['keys.count', int(keys)],
    ['keys.bytes-per-key', int(keys === 0 ? 0 : Math.floor(net / keys))],
    ['dataset.bytes', int(dataset)],
    ['dataset.percentage', double(net <= 0 ? 0 : (dataset * 100) / net)],
    ['peak.percentage', double(peak === 0 ? 0 : (total * 100) / peak)],
    ['allocator.allocated', int(process.heapUsed)],
    ['allocator.active', int(process.heapUsed)],
    ['allocator.resident', int(process.rss)],
    ['allocator-fragmentation.ratio', double(1)],
    ['allocator-fragmentation.bytes', int(0)],
    ['allocator-rss.ratio', double(process.heapUsed === 0 ? 0 : process.rss / process.heapUsed)],
    ['allocator-rss.bytes', int(process.rss - process.heapUsed)],
    ['rss-overhead.ratio', double(1)],
    ['rss-overhead.bytes', int(0)],
    ['fragmentation', double(total === 0 ? 0 : process.rss / total)],
    ['fragmentation.bytes', int(process.rss === 0 ? 0 : process.rss - total)],
  );
  return mapOf(pairs);
}

/** Above this, an instance is big enough for the report to mean something (Redis uses 5 MB). */
const DOCTOR_MIN_MEMORY_BYTES = 5 * 1024 * 1024;
/** Output or input buffers above this, on average per client, are worth a warning. */
const DOCTOR_CLIENT_BUFFER_BYTES = 200 * 1024;

function memoryDoctor(ctx: ServerContext): string {
  const engine = ctx.engine;
  const memory = engine.hooks.memory?.();
  if (memory === undefined) {
    return 'Memory figures are not available in this mode (embedded without a memory hook), so there is nothing to diagnose.\n';
  }
  if (memory.heapUsed < DOCTOR_MIN_MEMORY_BYTES) {
    return 'This instance is empty or uses very little memory, so there is nothing to diagnose yet.\n';
  }
  const sessions = [...engine.sessions.values()];
  const issues: string[] = [];
  if (sessions.length > 0) {
    const avgOut = sessions.reduce((sum, s) => sum + s.transport.outputBufferBytes(), 0) / sessions.length;
    const avgIn = sessions.reduce((sum, s) => sum + s.transport.queryBufferBytes(), 0) / sessions.length;
    if (avgOut > DOCTOR_CLIENT_BUFFER_BYTES) {
      issues.push(' * Big client output buffers: clients hold on average more than 200 KB of unsent replies. Slow readers, MONITOR or large replies are the usual causes.');
    }
    if (avgIn > DOCTOR_CLIENT_BUFFER_BYTES) {
      issues.push(' * Big client query buffers: clients hold on average more than 200 KB of unparsed input. Very large pipelines or arguments are the usual causes.');
    }
  }
  if (memory.rss > 0 && memory.rss > memory.heapUsed * 4) {
    issues.push(` * High RSS compared with the heap in use: the process holds ${Math.round(memory.rss / memory.heapUsed)} times the memory its JavaScript heap uses. Large Buffers outside the heap, or memory V8 has not returned to the system after a peak, explain this.`);
  }
  if (issues.length === 0) return 'No memory issue found in this instance.\n';
  return `Memory issues found in this instance:\n\n${issues.join('\n\n')}\n`;
}

// ---------------------------------------------------------------------------------------------
// DEBUG

function debug(ctx: ServerContext, argv: string[]): Reply {
  if (!debugAllowed(ctx)) return errors.debugNotAllowed();
  const sub = argv[1]!;
  if (isWord(sub, 'HELP') && argv.length === 2) return helpReply(DEBUG_HELP);
  if (isWord(sub, 'SLEEP') && argv.length === 3) return debugSleep(ctx, argv[2]!);
  if (isWord(sub, 'OBJECT') && argv.length === 3) return debugObject(ctx, argv[2]!);
  // Replicas and replayed logs prove they hold the same data by comparing digests.
  if (isWord(sub, 'DIGEST') && argv.length === 2) return bulk(keyspaceDigest(ctx.ks));
  if (isWord(sub, 'DIGEST-VALUE') && argv.length >= 3) {
    return array(argv.slice(2).map((key) => {
      const e = ctx.db.peek(key);
      if (e === undefined || ctx.db.isLogicallyExpired(key)) return bulk('0'.repeat(16));
      const [hi, lo] = entryDigest(ctx.db.id, e);
      return bulk(hi.toString(16).padStart(8, '0') + lo.toString(16).padStart(8, '0'));
    }));
  }
  if (isWord(sub, 'SET-ACTIVE-EXPIRE') && argv.length === 3) {
    // Redis reads the flag with atoi: anything but a non-zero number turns active expiry off.
    ctx.engine.config.set('active-expire-enabled', atoi(argv[2]!) !== 0 ? 'yes' : 'no', true);
    return OK;
  }
  return errors.unknownSubcommandOrArity('debug', sub);
}

/** enable-debug-command: no, yes, or local (loopback TCP clients and embedded sessions). */
function debugAllowed(ctx: ServerContext): boolean {
  const setting = ctx.engine.config.get('enable-debug-command');
  if (setting === 'yes') return true;
  if (setting === 'no') return false;
  return isLocalSession(ctx.session);
}

function isLocalSession(s: Session): boolean {
  if (s.transport.kind === 'embedded') return true;
  const host = s.addr.slice(0, s.addr.lastIndexOf(':')).replace(/^\[|\]$/g, '');
  return host.startsWith('127.') || host === '::1' || host.startsWith('::ffff:127.');
}

/** DEBUG SLEEP blocks the whole server, as Redis does; the duration is capped by limits. */
function debugSleep(ctx: ServerContext, text: string): Reply {
  const seconds = strtod(text);
  const ms = Math.min(Math.max(0, seconds * 1000), limits.debugSleepSecondsMax * 1000);
  if (ms > 0) (ctx.engine.hooks.sleep ?? blockFor)(ms);
  return OK;
}

/** Blocks the event loop (Atomics.wait is allowed on Node's main thread). */
function blockFor(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/**
 * Redis's "Value at:... refcount:... encoding:... serializedlength:... lru:... lru_seconds_idle:..."
 * with Cairn's values: the address is the entry's slot in its database (JavaScript has no
 * pointers), encoding and refcount are what OBJECT reports, and serializedlength is the size
 * of the value's body in a DUMP payload.
 */
function debugObject(ctx: ServerContext, key: string): Reply {
  const e = ctx.db.get(key);
  if (e === undefined) return errors.noSuchKey();
  const encoding = objectSubcommand(ctx, 'encoding', key);
  const refcount = objectSubcommand(ctx, 'refcount', key);
  const serialized = canDump(e.type) ? dumpValue(e.type, e.value).length - DUMP_FRAMING_BYTES : 0;
  const nowMs = ctx.engine.clock.nowMs();
  const lru = Math.floor(e.accessedAt / 1000) & 0xffffff;
  const idle = Math.max(0, Math.floor((nowMs - e.accessedAt) / 1000));
  return simple(
    `Value at:0x${e.idx.toString(16)} refcount:${refcount ?? 1} encoding:${encoding ?? e.type} ` +
      `serializedlength:${serialized} lru:${lru} lru_seconds_idle:${idle}`,
  );
}

/** A DUMP payload's type tag (1 byte), format version (2) and checksum (8) around the body. */
const DUMP_FRAMING_BYTES = 11;

/**
 * What OBJECT <sub> key answers, so DEBUG OBJECT and OBJECT never disagree. OBJECT counts a
 * keyspace hit (as Redis's does); DEBUG OBJECT must not (Redis reads the dictionary directly),
 * so the counters are put back.
 */
function objectSubcommand(ctx: ServerContext, sub: string, key: string): string | undefined {
  const object = ctx.engine.commands.get('object');
  const spec = object === undefined ? undefined : findSubcommand(object, sub);
  if (spec?.handler === undefined) return undefined;
  const { keyspaceHits, keyspaceMisses } = ctx.ks.stats;
  const r = spec.handler(ctx, ['OBJECT', sub.toUpperCase(), key]);
  ctx.ks.stats.keyspaceHits = keyspaceHits;
  ctx.ks.stats.keyspaceMisses = keyspaceMisses;
  return r.k === ReplyKind.Bulk || r.k === ReplyKind.Int || r.k === ReplyKind.Simple ? String(r.v) : undefined;
}

/** C's strtod on a prefix: "1.5abc" is 1.5, "abc" is 0. */
function strtod(text: string): number {
  const m = /^[\t\n\v\f\r ]*([+-]?(?:\d+\.?\d*(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?|inf(?:inity)?|nan))/i.exec(text);
  if (m === null) return 0;
  const n = Number(m[1]!.replace(/^([+-]?)inf(inity)?$/i, '$1Infinity'));
  return Number.isNaN(n) ? 0 : n;
}

/** C's atoi: optional spaces and sign, then digits; anything else reads as 0. */
function atoi(text: string): number {
  const m = /^[\t\n\v\f\r ]*([+-]?\d+)/.exec(text);
  return m === null ? 0 : Number(m[1]!);
}

// ---------------------------------------------------------------------------------------------
// SHUTDOWN

function shutdown(ctx: ServerContext, argv: string[]): Reply {
  let save = false;
  let nosave = false;
  let now = false;
  let force = false;
  let abort = false;
  for (let i = 1; i < argv.length; i++) {
    const word = argv[i]!;
    if (isWord(word, 'NOSAVE')) nosave = true;
    else if (isWord(word, 'SAVE')) save = true;
    else if (isWord(word, 'NOW')) now = true;
    else if (isWord(word, 'FORCE')) force = true;
    else if (isWord(word, 'ABORT')) abort = true;
    else return errors.syntax();
  }
  if ((abort && (save || nosave || now || force)) || (save && nosave)) return errors.syntax();
  // Cairn shuts down at once, so there is never a pending shutdown to abort.
  if (abort) return errors.noShutdownInProgress();
  const hook = ctx.engine.hooks.shutdown;
  if (hook === undefined) return errors.shutdownUnavailableEmbedded();
  const refusal = hook({ save: save ? true : nosave ? false : null, now, force });
  if (refusal !== null) return errors.shutdownRefused(refusal);
  return NO_REPLY;
}
