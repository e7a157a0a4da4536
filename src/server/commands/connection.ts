// PING, ECHO, SELECT, QUIT, RESET, AUTH, HELLO: the connection's own state.
import type { CommandSpec } from '../../core/commands/spec.js';
import { isWord } from '../../core/commands/spec.js';
import * as errors from '../../core/errors.js';
import { parseInteger } from '../../core/numbers.js';
import { bulk, EMPTY_ARRAY, int, mapOf, OK, PONG, simple, type Reply } from '../../core/reply.js';
import { REDIS_COMPAT_VERSION } from '../../version.js';
import type { ServerContext } from '../context.js';
import { subscribedPing } from '../pubsub.js';
import type { Session } from '../session.js';

type Spec = CommandSpec<ServerContext>;

const base = { group: 'connection', acl: ['connection'] } as const;

export const connectionCommands: Spec[] = [
  {
    ...base, name: 'ping', arity: -1, flags: ['fast'], since: '1.0.0',
    summary: 'Returns the server\'s liveliness response.', complexity: 'O(1)', syntax: 'PING [message]',
    handler: (ctx, argv) => {
      if (argv.length > 2) return errors.wrongArity('ping');
      const subscribed = subscribedPing(ctx.engine, ctx.session, argv[1]);
      if (subscribed !== null) return subscribed;
      return argv.length === 2 ? bulk(argv[1]!) : PONG;
    },
  },
  {
    ...base, name: 'echo', arity: 2, flags: ['fast'], since: '1.0.0',
    summary: 'Returns the given string.', complexity: 'O(1)', syntax: 'ECHO message',
    handler: (_ctx, argv) => bulk(argv[1]!),
  },
  {
    ...base, name: 'select', arity: 2, flags: ['loading', 'stale', 'fast'], since: '1.0.0',
    summary: 'Changes the selected database.', complexity: 'O(1)', syntax: 'SELECT index',
    handler: (ctx, argv) => {
      const index = parseInteger(argv[1]!);
      if (index === null || index < -2147483648 || index > 2147483647) return errors.notInteger();
      if (ctx.ks.singleDatabase && index !== 0) return errors.selectInClusterMode();
      if (index < 0 || index >= ctx.ks.dbs.length) return errors.dbIndexOutOfRange();
      ctx.session.db = index;
      ctx.db = ctx.ks.dbs[index]!;
      return OK;
    },
  },
  {
    ...base, name: 'quit', arity: -1, flags: ['allow_busy', 'noscript', 'loading', 'stale', 'fast', 'no_auth'], since: '1.0.0',
    summary: 'Closes the connection.', complexity: 'O(1)', syntax: 'QUIT',
    handler: (ctx) => {
      ctx.session.closing = true;
      return OK;
    },
  },
  {
    ...base, name: 'reset', arity: 1, flags: ['noscript', 'loading', 'stale', 'fast', 'no_auth', 'allow_busy'], since: '6.2.0',
    summary: 'Resets the connection.', complexity: 'O(1)', syntax: 'RESET',
    handler: (ctx) => {
      resetSession(ctx, ctx.session);
      return RESET;
    },
  },
  {
    ...base, name: 'auth', arity: -2, flags: ['noscript', 'loading', 'stale', 'fast', 'no_auth', 'allow_busy'], since: '1.0.0',
    summary: 'Authenticates the connection.', complexity: 'O(N) where N is the number of passwords defined for the user',
    syntax: 'AUTH [username] password',
    handler: (ctx, argv) => {
      if (argv.length > 3) return errors.syntax();
      const user = argv.length === 3 ? argv[1]! : 'default';
      const password = argv[argv.length - 1]!;
      if (argv.length === 2 && !ctx.engine.requiresPassword()) return errors.authNotConfigured();
      return authenticate(ctx, user, password) ? OK : errors.wrongPass();
    },
  },
  {
    ...base, name: 'hello', arity: -1, flags: ['noscript', 'loading', 'stale', 'fast', 'no_auth', 'allow_busy'], since: '6.0.0',
    summary: 'Handshakes with the Redis server.', complexity: 'O(1)',
    syntax: 'HELLO [protover [AUTH username password] [SETNAME clientname]]',
    handler: hello,
  },
];

const RESET = simple('RESET');

function authenticate(ctx: ServerContext, user: string, password: string): boolean {
  const required = ctx.engine.config.get('requirepass');
  // Only the default user exists; with no password configured it accepts any password (nopass).
  const ok = user === 'default' && (required === '' || password === required);
  if (ok) {
    ctx.session.authenticated = true;
    ctx.session.user = 'default';
  }
  return ok;
}

function hello(ctx: ServerContext, argv: string[]): Reply {
  let protocol: 2 | 3 = ctx.session.resp;
  let i = 1;
  if (argv.length >= 2) {
    const ver = parseInteger(argv[1]!);
    if (ver === null) return errors.err('Protocol version is not an integer or out of range');
    if (ver < 2 || ver > 3) return errors.noProto();
    protocol = ver as 2 | 3;
    i = 2;
  }
  let auth: [string, string] | null = null;
  let setName: string | null = null;
  for (; i < argv.length; i++) {
    const more = argv.length - i - 1;
    if (isWord(argv[i]!, 'AUTH') && more >= 2) {
      auth = [argv[i + 1]!, argv[i + 2]!];
      i += 2;
    } else if (isWord(argv[i]!, 'SETNAME') && more >= 1) {
      setName = argv[i + 1]!;
      i += 1;
    } else {
      return errors.err(`Syntax error in HELLO option '${argv[i]}'`);
    }
  }
  if (auth !== null && !authenticate(ctx, auth[0], auth[1])) return errors.wrongPass();
  if (!ctx.session.authenticated) {
    return errors.noAuthHello();
  }
  if (setName !== null) {
    if (!isValidClientName(setName)) return errors.clientNameInvalid();
    ctx.session.name = setName;
  }
  ctx.session.resp = protocol;
  return mapOf([
    ['server', bulk('redis')],
    ['version', bulk(REDIS_COMPAT_VERSION)],
    ['proto', int(protocol)],
    ['id', int(ctx.session.id)],
    ['mode', bulk(ctx.engine.cluster === null ? 'standalone' : 'cluster')],
    ['role', bulk('master')],
    ['modules', EMPTY_ARRAY],
  ]);
}

/** Client names may not contain spaces, newlines or other characters outside '!'..'~'. */
export function isValidClientName(name: string): boolean {
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if (c < 33 || c > 126) return false;
  }
  return true;
}

/** RESET: the connection as if new, except that it stays open. */
export function resetSession(ctx: ServerContext, s: Session): void {
  s.multi = null;
  ctx.ks.unwatchAll(s.watch);
  s.db = 0;
  ctx.db = ctx.ks.dbs[0]!;
  s.resp = 2;
  s.name = '';
  s.replyMode = 'on';
  s.skipNextReply = false;
  s.noEvict = false;
  if (s.monitor) {
    s.monitor = false;
    ctx.engine.monitors.delete(s);
  }
  s.authenticated = !ctx.engine.requiresPassword();
  s.user = 'default';
  ctx.engine.tracking.forget(s);
  ctx.engine.pubsub.forget(s);
}
