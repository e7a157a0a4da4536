// CLIENT: the connection's own identity (ID, SETNAME, SETINFO, REPLY ...) and the server's
// view of every connection (LIST, INFO, KILL, PAUSE), with Redis 7's replies and error texts.
import type { CommandSpec } from '../../core/commands/spec.js';
import { isWord } from '../../core/commands/spec.js';
import * as errors from '../../core/errors.js';
import { INT64_MAX, parseI64 } from '../../core/numbers.js';
import { array, bulkOrNil, int, NO_REPLY, OK, simple, verbatim, type Reply } from '../../core/reply.js';
import type { ServerContext } from '../context.js';
import type { Engine } from '../engine.js';
import type { Session } from '../session.js';
import { isValidClientName } from './connection.js';
import { trackingSubcommands } from '../tracking.js';

type Spec = CommandSpec<ServerContext>;

/** Redis's client classes (CLIENT LIST TYPE, CLIENT KILL TYPE). */
export type ClientType = 'normal' | 'master' | 'replica' | 'pubsub';

const sub = { group: 'connection', acl: ['connection'], flags: ['noscript', 'loading', 'stale'] } as const;
const adminSub = { group: 'connection', acl: ['connection'], flags: ['admin', 'noscript', 'loading', 'stale'] } as const;

export const clientCommands: Spec[] = [
  {
    name: 'client', arity: -2, flags: [], acl: [], group: 'connection', since: '2.4.0',
    summary: 'A container for commands that inspect and manage client connections.',
    complexity: 'Depends on the subcommand.', syntax: 'CLIENT <subcommand> [arguments ...]',
    subcommands: [
      {
        ...sub, name: 'id', arity: 2, since: '5.0.0',
        summary: 'Returns the unique id of the connection.', complexity: 'O(1)', syntax: 'CLIENT ID',
        handler: (ctx) => int(ctx.session.id),
      },
      {
        ...sub, name: 'setname', arity: 3, since: '2.6.9',
        summary: 'Names the connection; an empty name removes it.', complexity: 'O(1)', syntax: 'CLIENT SETNAME connection-name',
        handler: (ctx, argv) => {
          const name = argv[2]!;
          if (!isValidClientName(name)) return errors.clientNameInvalid();
          ctx.session.name = name;
          return OK;
        },
      },
      {
        ...sub, name: 'getname', arity: 2, since: '2.6.9',
        summary: 'Returns the name of the connection, or nil when it has none.', complexity: 'O(1)', syntax: 'CLIENT GETNAME',
        handler: (ctx) => bulkOrNil(ctx.session.name === '' ? null : ctx.session.name),
      },
      {
        ...sub, name: 'setinfo', arity: 4, since: '7.2.0',
        summary: 'Records the name or version of the client library on the connection.', complexity: 'O(1)',
        syntax: 'CLIENT SETINFO <LIB-NAME libname | LIB-VER libver>',
        handler: setInfo,
      },
      {
        ...adminSub, name: 'list', arity: -2, since: '2.4.0',
        summary: 'Describes every connection, one line each, optionally only of one type or with given ids.',
        complexity: 'O(N) where N is the number of client connections',
        syntax: 'CLIENT LIST [TYPE <NORMAL | MASTER | REPLICA | PUBSUB>] [ID client-id [client-id ...]]',
        handler: list,
      },
      {
        ...sub, name: 'info', arity: 2, since: '6.2.0',
        summary: 'Describes the current connection in the format of CLIENT LIST.', complexity: 'O(1)', syntax: 'CLIENT INFO',
        handler: (ctx, argv) => verbatim(clientInfoLine(ctx.engine, ctx.session, { session: ctx.session, fullName: 'client|info', argv })),
      },
      {
        ...adminSub, name: 'kill', arity: -3, since: '2.4.0',
        summary: 'Closes the connections that match every given filter.',
        complexity: 'O(N) where N is the number of client connections',
        syntax: 'CLIENT KILL <ip:port | <[ID client-id] | [TYPE <NORMAL | MASTER | REPLICA | PUBSUB>] | [USER username] | [ADDR ip:port] | [LADDR ip:port] | [SKIPME <YES | NO>] | [MAXAGE maxage]> [...]>',
        handler: kill,
      },
      {
        ...adminSub, name: 'pause', arity: -3, since: '3.0.0',
        summary: 'Holds back the commands of every client, or only writes, for a number of milliseconds.',
        complexity: 'O(1)', syntax: 'CLIENT PAUSE timeout [WRITE | ALL]',
        handler: pause,
      },
      {
        ...adminSub, name: 'unpause', arity: 2, since: '6.2.0',
        summary: 'Ends a CLIENT PAUSE and lets the held commands run.', complexity: 'O(N) where N is the number of paused clients',
        syntax: 'CLIENT UNPAUSE',
        handler: (ctx) => {
          ctx.engine.unpause();
          return OK;
        },
      },
      {
        ...adminSub, name: 'unblock', arity: -3, since: '5.0.0',
        summary: 'Ends the wait of a client blocked in BLPOP, XREAD BLOCK and the like, as a timeout or an error.',
        complexity: 'O(log N) where N is the number of client connections', syntax: 'CLIENT UNBLOCK client-id [TIMEOUT | ERROR]',
        handler: unblock,
      },
      {
        ...adminSub, name: 'no-evict', arity: 3, since: '7.0.0',
        summary: 'Exempts the connection from client eviction, or makes it subject to it again.', complexity: 'O(1)',
        syntax: 'CLIENT NO-EVICT <ON | OFF>',
        handler: (ctx, argv) => {
          const mode = onOff(argv[2]!);
          if (mode === null) return errors.syntax();
          ctx.session.noEvict = mode;
          return OK;
        },
      },
      {
        ...sub, name: 'reply', arity: 3, since: '3.2.0',
        summary: 'Turns the replies to this connection on or off, or skips the reply to the next command.', complexity: 'O(1)',
        syntax: 'CLIENT REPLY <ON | OFF | SKIP>',
        handler: reply,
      },
      ...trackingSubcommands,
      {
        group: 'connection', acl: ['connection'], flags: ['loading', 'stale'], name: 'help', arity: 2, since: '5.0.0',
        summary: 'Describes the CLIENT subcommands.', complexity: 'O(1)', syntax: 'CLIENT HELP',
        handler: () => helpReply(HELP),
      },
    ],
  },
];

const HELP = [
  'CLIENT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:',
  'CACHING (YES|NO)',
  '    Enable/disable tracking of the keys for next command in OPTIN/OPTOUT modes.',
  'GETREDIR',
  '    Return the client ID we are redirecting to when tracking is enabled.',
  'GETNAME',
  '    Return the name of the current connection.',
  'ID',
  '    Return the ID of the current connection.',
  'INFO',
  '    Return information about the current client connection.',
  'KILL <ip:port>',
  '    Kill connection made from <ip:port>.',
  'KILL <option> <value> [<option> <value> [...]]',
  '    Kill connections. Options are:',
  '    * ADDR (<ip:port>|<unixsocket>:0)',
  '      Kill connections made from the specified address',
  '    * LADDR (<ip:port>|<unixsocket>:0)',
  '      Kill connections made to specified local address',
  '    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)',
  '      Kill connections by type.',
  '    * USER <username>',
  '      Kill connections authenticated by <username>.',
  '    * SKIPME (YES|NO)',
  '      Skip killing current connection (default: yes).',
  '    * ID <client-id>',
  '      Kill connections by client id.',
  '    * MAXAGE <maxage>',
  '      Kill connections older than the specified age.',
  'LIST [options ...]',
  '    Return information about client connections. Options:',
  '    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)',
  '      Return clients of specified type.',
  '    * ID <client-id> [<client-id> ...]',
  '      Return clients with the specified IDs.',
  'UNPAUSE',
  '    Stop the current client pause, resuming traffic.',
  'UNBLOCK <clientid> [TIMEOUT|ERROR]',
  '    Unblock the specified blocked client.',
  'PAUSE <timeout> [WRITE|ALL]',
  '    Suspend all, or just write, clients for <timeout> milliseconds.',
  'REPLY (ON|OFF|SKIP)',
  '    Control the replies sent to the current connection.',
  'SETNAME <name>',
  '    Assign the name <name> to the current connection.',
  'SETINFO <option> <value>',
  '    Set client meta attr. Options are:',
  '    * LIB-NAME: the client lib name.',
  '    * LIB-VER: the client lib version.',
  'TRACKING (ON|OFF) [REDIRECT <id>] [BCAST] [PREFIX <prefix> [...]]',
  '         [OPTIN] [OPTOUT] [NOLOOP]',
  '    Control server assisted client side caching.',
  'TRACKINGINFO',
  '    Report tracking status for the current connection.',
  'NO-EVICT (ON|OFF)',
  '    Protect current client connection from eviction.',
  'HELP',
  '    Prints this help.',
];

/** HELP replies are arrays of status lines in Redis. */
export function helpReply(lines: readonly string[]): Reply {
  return array(lines.map(simple));
}

/** The command being answered, so CLIENT LIST / INFO can show it on the caller's own line. */
export interface CurrentCall {
  readonly session: Session;
  readonly fullName: string;
  readonly argv: readonly string[];
}

/**
 * One CLIENT LIST line, with Redis 7's fields in Redis's order (plus 7.2's lib-name/lib-ver).
 * Fields Cairn has no counterpart for are honest constants: fd=-1 (Node does not expose the
 * descriptor), reply-buffer sizes 0.
 */
export function clientInfoLine(engine: Engine, s: Session, current: CurrentCall | null): string {
  const nowMs = engine.clock.nowMs();
  const isCaller = current !== null && current.session === s;
  const qbuf = s.transport.queryBufferBytes();
  const argvMem = isCaller ? bytesOf(current.argv) : 0;
  const multiMem = s.multi === null ? 0 : s.multi.queue.reduce((sum, q) => sum + bytesOf(q.argv), 0);
  const omem = s.transport.outputBufferBytes();
  const fields: Array<[string, string | number]> = [
    ['id', s.id],
    ['addr', s.addr],
    ['laddr', s.laddr],
    ['fd', -1],
    ['name', s.name],
    ['age', Math.max(0, Math.floor((nowMs - s.createdMs) / 1000))],
    ['idle', Math.max(0, Math.floor((nowMs - s.lastInteractionMs) / 1000))],
    ['flags', clientFlags(engine, s)],
    ['db', s.db],
    ['sub', engine.pubsub.counts(s).channels],
    ['psub', engine.pubsub.counts(s).patterns],
    ['ssub', engine.pubsub.counts(s).shardChannels],
    ['multi', s.multi === null ? -1 : s.multi.queue.length],
    ['qbuf', qbuf],
    ['qbuf-free', 0],
    ['argv-mem', argvMem],
    ['multi-mem', multiMem],
    ['rbs', 0],
    ['rbp', 0],
    ['obl', 0],
    ['oll', 0],
    ['omem', omem],
    ['tot-mem', qbuf + argvMem + multiMem + omem],
    ['events', events(s, omem)],
    ['cmd', isCaller ? current.fullName : s.lastCommand],
    ['user', s.user],
    ['redir', engine.tracking.redirectOf(s)],
    ['resp', s.resp],
    ['lib-name', s.libName],
    ['lib-ver', s.libVersion],
  ];
  return fields.map(([k, v]) => `${k}=${v}`).join(' ') + '\n';
}

/** Cairn has no replica links yet: a session is a pub/sub client while it has subscriptions, else normal. */
export function clientType(s: Session, engine: Engine): ClientType {
  return engine.pubsub.isSubscribed(s) ? 'pubsub' : 'normal';
}

/** The flags field, in Redis's order, for the states Cairn has. */
function clientFlags(engine: Engine, s: Session): string {
  let f = '';
  if (s.monitor) f += 'O';
  if (engine.pubsub.isSubscribed(s)) f += 'P';
  if (s.multi !== null) f += 'x';
  if (engine.blocking.isBlocked(s)) f += 'b';
  f += engine.tracking.clientListFlags(s);
  if (s.watch.dirty) f += 'd';
  if (s.closing) f += 'c';
  if (s.noEvict) f += 'e';
  return f === '' ? 'N' : f;
}

function events(s: Session, omem: number): string {
  if (s.transport.kind === 'embedded') return '';
  return omem > 0 ? 'rw' : 'r';
}

function bytesOf(argv: readonly string[]): number {
  let n = 0;
  for (const a of argv) n += a.length;
  return n;
}

/** Redis's getClientTypeByName: 'slave' is accepted as the old name of 'replica'. */
function parseClientType(word: string): ClientType | null {
  const w = word.toLowerCase();
  if (w === 'normal' || w === 'master' || w === 'replica' || w === 'pubsub') return w;
  if (w === 'slave') return 'replica';
  return null;
}

function onOff(word: string): boolean | null {
  if (isWord(word, 'ON')) return true;
  if (isWord(word, 'OFF')) return false;
  return null;
}

function setInfo(ctx: ServerContext, argv: string[]): Reply {
  const attr = argv[2]!;
  const value = argv[3]!;
  const isName = isWord(attr, 'LIB-NAME');
  if (!isName && !isWord(attr, 'LIB-VER')) return errors.unrecognizedOption(attr);
  // Redis 7.2 validates both attributes as client names are validated.
  if (!isValidClientName(value)) return errors.clientAttrInvalid(attr);
  if (isName) ctx.session.libName = value;
  else ctx.session.libVersion = value;
  return OK;
}

function list(ctx: ServerContext, argv: string[]): Reply {
  const current: CurrentCall = { session: ctx.session, fullName: 'client|list', argv };
  const sessions = ctx.engine.sessions;
  let chosen: Session[];
  if (argv.length === 4 && isWord(argv[2]!, 'TYPE')) {
    const type = parseClientType(argv[3]!);
    if (type === null) return errors.unknownClientType(argv[3]!);
    chosen = [...sessions.values()].filter((s) => clientType(s, ctx.engine) === type);
  } else if (argv.length > 3 && isWord(argv[2]!, 'ID')) {
    chosen = [];
    for (let i = 3; i < argv.length; i++) {
      const id = parseI64(argv[i]!);
      if (id === null) return errors.invalidClientId();
      const s = id > 0n && id <= BigInt(Number.MAX_SAFE_INTEGER) ? sessions.get(Number(id)) : undefined;
      if (s !== undefined) chosen.push(s);
    }
  } else if (argv.length !== 2) {
    return errors.syntax();
  } else {
    chosen = [...sessions.values()];
  }
  return verbatim(chosen.map((s) => clientInfoLine(ctx.engine, s, current)).join(''));
}

interface KillFilter {
  addr: string | null;
  laddr: string | null;
  id: number | null;
  type: ClientType | null;
  user: string | null;
  skipMe: boolean;
  maxAgeSeconds: number | null;
}

/** CLIENT KILL addr:port (old form: OK or an error) or CLIENT KILL <filter> <value> ... (a count). */
function kill(ctx: ServerContext, argv: string[]): Reply {
  const oldForm = argv.length === 3;
  let filter: KillFilter;
  if (oldForm) {
    // With the old form a client may kill itself.
    filter = { addr: argv[2]!, laddr: null, id: null, type: null, user: null, skipMe: false, maxAgeSeconds: null };
  } else {
    const parsed = parseKillFilter(argv);
    if ('error' in parsed) return parsed.error;
    filter = parsed.filter;
  }
  const victims = [...ctx.engine.sessions.values()].filter((s) => killMatches(ctx, s, filter));
  for (const s of victims) closeClient(ctx, s);
  if (oldForm) return victims.length === 0 ? errors.noSuchClient() : OK;
  return int(victims.length);
}

function parseKillFilter(argv: readonly string[]): { filter: KillFilter } | { error: Reply } {
  const filter: KillFilter = { addr: null, laddr: null, id: null, type: null, user: null, skipMe: true, maxAgeSeconds: null };
  for (let i = 2; i < argv.length; i += 2) {
    if (i + 1 >= argv.length) return { error: errors.syntax() };
    const option = argv[i]!;
    const value = argv[i + 1]!;
    if (isWord(option, 'ID')) {
      const id = parseI64(value);
      if (id === null || id < 1n || id > INT64_MAX) return { error: errors.clientIdNotPositive() };
      filter.id = id > BigInt(Number.MAX_SAFE_INTEGER) ? -1 : Number(id); // no session has such an id
    } else if (isWord(option, 'TYPE')) {
      const type = parseClientType(value);
      if (type === null) return { error: errors.unknownClientType(value) };
      filter.type = type;
    } else if (isWord(option, 'ADDR')) {
      filter.addr = value;
    } else if (isWord(option, 'LADDR')) {
      filter.laddr = value;
    } else if (isWord(option, 'USER')) {
      // Only the default user exists until ACL users arrive.
      if (value !== 'default') return { error: errors.noSuchUser(value) };
      filter.user = value;
    } else if (isWord(option, 'SKIPME')) {
      if (isWord(value, 'YES')) filter.skipMe = true;
      else if (isWord(value, 'NO')) filter.skipMe = false;
      else return { error: errors.syntax() };
    } else if (isWord(option, 'MAXAGE')) {
      const age = parseI64(value);
      if (age === null) return { error: errors.maxAgeNotInteger() };
      if (age <= 0n) return { error: errors.maxAgeNotPositive() };
      filter.maxAgeSeconds = Number(age);
    } else {
      return { error: errors.syntax() };
    }
  }
  return { filter };
}

function killMatches(ctx: ServerContext, s: Session, f: KillFilter): boolean {
  if (f.addr !== null && s.addr !== f.addr) return false;
  if (f.laddr !== null && s.laddr !== f.laddr) return false;
  if (f.type !== null && clientType(s, ctx.engine) !== f.type) return false;
  if (f.id !== null && s.id !== f.id) return false;
  if (f.user !== null && s.user !== f.user) return false;
  if (f.skipMe && s === ctx.session) return false;
  if (f.maxAgeSeconds !== null) {
    const ageSeconds = Math.floor((ctx.engine.clock.nowMs() - s.createdMs) / 1000);
    if (ageSeconds < f.maxAgeSeconds) return false;
  }
  return true;
}

/**
 * Closes a client. The caller itself is closed after its reply: over TCP the connection ends
 * once the reply is flushed; an embedded session has no later moment, so it closes now and
 * still receives the reply as the return value.
 */
function closeClient(ctx: ServerContext, s: Session): void {
  if (s === ctx.session) {
    s.closing = true;
    if (s.transport.kind === 'embedded') s.transport.close();
    return;
  }
  s.transport.close();
}

function pause(ctx: ServerContext, argv: string[]): Reply {
  if (argv.length > 4) return errors.unknownSubcommandOrArity('client', argv[1]!);
  let writesOnly = false;
  if (argv.length === 4) {
    if (isWord(argv[3]!, 'WRITE')) writesOnly = true;
    else if (!isWord(argv[3]!, 'ALL')) return errors.clientPauseMode();
  }
  const timeout = parseI64(argv[2]!);
  if (timeout === null) return errors.timeoutNotInteger();
  if (timeout < 0n) return errors.timeoutNegative();
  const nowMs = ctx.engine.clock.nowMs();
  if (timeout > 0n && timeout > INT64_MAX - BigInt(nowMs)) return errors.timeoutOutOfRange();
  // Redis keeps a timeout of 0 as an end time of 0: already over, so nothing is held.
  const requestedUntilMs = timeout === 0n ? 0 : nowMs + Number(timeout);
  // A new pause never shortens or weakens one in force (Redis pauseClients).
  const current = ctx.engine.pause;
  const active = current !== null && current.untilMs > nowMs ? current : null;
  const untilMs = Math.max(requestedUntilMs, active?.untilMs ?? 0);
  if (untilMs > nowMs) ctx.engine.pause = { untilMs, writesOnly: writesOnly && (active?.writesOnly ?? true) };
  return OK;
}

/** CLIENT UNBLOCK id [TIMEOUT|ERROR]: 1 when the client was blocked and is now answered. */
function unblock(ctx: ServerContext, argv: string[]): Reply {
  if (argv.length > 4) return errors.unknownSubcommandOrArity('client', argv[1]!);
  let withError = false;
  if (argv.length === 4) {
    if (isWord(argv[3]!, 'ERROR')) withError = true;
    else if (!isWord(argv[3]!, 'TIMEOUT')) return errors.unblockReason();
  }
  const id = parseI64(argv[2]!);
  if (id === null) return errors.notInteger();
  const target = id > 0n && id <= BigInt(Number.MAX_SAFE_INTEGER) ? ctx.engine.sessions.get(Number(id)) : undefined;
  return int(target !== undefined && ctx.engine.blocking.unblock(target, withError) ? 1 : 0);
}

function reply(ctx: ServerContext, argv: string[]): Reply {
  const s = ctx.session;
  const mode = argv[2]!;
  if (isWord(mode, 'ON')) {
    s.replyMode = 'on';
    s.skipNextReply = false;
    return OK;
  }
  if (isWord(mode, 'OFF')) {
    s.replyMode = 'off';
    return NO_REPLY;
  }
  if (isWord(mode, 'SKIP')) {
    // SKIP while replies are OFF changes nothing (Redis ignores it then).
    if (s.replyMode !== 'off') s.replyMode = 'skip';
    return NO_REPLY;
  }
  return errors.syntax();
}
