// CLIENT subcommands on the in-process engine: several sessions, the manual clock, and fake TCP
// transports for what embedded sessions cannot show (addresses, closing). Expected replies and
// error texts were taken from redis-server 7.0.15 (SETINFO and MAXAGE from Redis 7.2 / 7.4).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { testEngine, type TestEngine } from '../helpers/engine.js';
import { NIL_ARRAY, ReplyKind, NO_REPLY, type Reply } from '../../src/core/reply.js';
import { decodeReply } from '../../src/server/decode.js';
import type { Engine } from '../../src/server/engine.js';
import type { Session, SessionTransport } from '../../src/server/session.js';
import type { EmbeddedSession } from '../../src/embedded.js';
import { aclCategories } from '../../src/core/commands/registry.js';
import { startServer } from '../../src/io/net-server.js';

/** Runs a command on a session; decoded value, or { error } for an error reply. */
function run(s: EmbeddedSession, ...args: Array<string | number>): unknown {
  const r = s.raw(args.map(String));
  return r.k === ReplyKind.Error ? { error: r.v as string } : decodeReply(r, false);
}

/** A session behind a fake TCP transport with a chosen address; records closes. */
function fakeTcpClient(engine: Engine, addr: string, laddr = '127.0.0.1:6379'): { session: Session; closed: () => boolean; exec: (...a: string[]) => Reply } {
  let closed = false;
  let session: Session;
  const transport: SessionTransport = {
    kind: 'tcp',
    deliver: () => {},
    close: () => {
      if (closed) return;
      closed = true;
      session.closing = true;
      engine.closeSession(session);
    },
    unblocked: () => {},
    queryBufferBytes: () => 7,
    outputBufferBytes: () => 0,
  };
  session = engine.createSession(transport, addr, laddr);
  return { session, closed: () => closed, exec: (...a) => engine.execute(session, a) };
}

/** CLIENT LIST / CLIENT INFO text as field maps, one per line. */
function parseLines(text: unknown): Array<Map<string, string>> {
  assert.equal(typeof text, 'string');
  const s = text as string;
  assert.ok(s === '' || s.endsWith('\n'), 'every line ends with a newline');
  return s
    .split('\n')
    .filter((l) => l !== '')
    .map((line) => new Map(line.split(' ').map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)] as [string, string])));
}

const REDIS_FIELDS = [
  'id', 'addr', 'laddr', 'fd', 'name', 'age', 'idle', 'flags', 'db', 'sub', 'psub', 'ssub', 'multi', 'qbuf', 'qbuf-free',
  'argv-mem', 'multi-mem', 'rbs', 'rbp', 'obl', 'oll', 'omem', 'tot-mem', 'events', 'cmd', 'user', 'redir', 'resp',
  'lib-name', 'lib-ver',
];

describe('CLIENT ID, SETNAME, GETNAME', () => {
  test('ids are distinct and increasing', () => {
    const t = testEngine();
    const a = t.session();
    const b = t.session();
    const idA = run(a, 'CLIENT', 'ID') as number;
    const idB = run(b, 'CLIENT', 'ID') as number;
    assert.equal(idA, a.session.id);
    assert.ok(idB > idA);
  });

  test('names: nil until set, validated, cleared by an empty name', () => {
    const t = testEngine();
    assert.equal(t.run('CLIENT', 'GETNAME'), null);
    assert.equal(t.run('CLIENT', 'SETNAME', 'worker-1'), 'OK');
    assert.equal(t.run('CLIENT', 'GETNAME'), 'worker-1');
    for (const bad of ['has space', 'new\nline', 'tab\t', '\x7f', 'caf\xe9']) {
      assert.deepEqual(t.run('CLIENT', 'SETNAME', bad), { error: 'ERR Client names cannot contain spaces, newlines or special characters.' });
    }
    assert.equal(t.run('CLIENT', 'GETNAME'), 'worker-1', 'a refused name changes nothing');
    assert.equal(t.run('CLIENT', 'SETNAME', ''), 'OK');
    assert.equal(t.run('CLIENT', 'GETNAME'), null);
    assert.deepEqual(t.run('CLIENT', 'SETNAME'), { error: "ERR wrong number of arguments for 'client|setname' command" });
    assert.deepEqual(t.run('CLIENT', 'GETNAME', 'x'), { error: "ERR wrong number of arguments for 'client|getname' command" });
  });

  test('container errors', () => {
    const t = testEngine();
    assert.deepEqual(t.run('CLIENT'), { error: "ERR wrong number of arguments for 'client' command" });
    assert.deepEqual(t.run('CLIENT', 'NOSUCH'), { error: "ERR unknown subcommand 'NOSUCH'. Try CLIENT HELP." });
  });
});

describe('CLIENT SETINFO', () => {
  test('records the library name and version, shown by CLIENT INFO', () => {
    const t = testEngine();
    assert.equal(t.run('CLIENT', 'SETINFO', 'LIB-NAME', 'node-redis'), 'OK');
    assert.equal(t.run('CLIENT', 'SETINFO', 'lib-ver', '5.12.1'), 'OK');
    const [line] = parseLines(t.run('CLIENT', 'INFO'));
    assert.equal(line!.get('lib-name'), 'node-redis');
    assert.equal(line!.get('lib-ver'), '5.12.1');
    assert.equal(t.run('CLIENT', 'SETINFO', 'lib-ver', ''), 'OK', 'an empty value clears it');
    assert.equal(parseLines(t.run('CLIENT', 'INFO'))[0]!.get('lib-ver'), '');
  });

  test('errors name the attribute as the client typed it (Redis 7.2 clientSetinfoCommand)', () => {
    const t = testEngine();
    assert.deepEqual(t.run('CLIENT', 'SETINFO', 'COLOR', 'red'), { error: "ERR Unrecognized option 'COLOR'" });
    assert.deepEqual(t.run('CLIENT', 'SETINFO', 'lib-name', 'with space'), { error: 'ERR lib-name cannot contain spaces, newlines or special characters.' });
    assert.deepEqual(t.run('CLIENT', 'SETINFO', 'LIB-VER', '1\n2'), { error: 'ERR LIB-VER cannot contain spaces, newlines or special characters.' });
    assert.deepEqual(t.run('CLIENT', 'SETINFO', 'lib-name'), { error: "ERR wrong number of arguments for 'client|setinfo' command" });
  });
});

describe('CLIENT LIST and CLIENT INFO', () => {
  test('one line per client with Redis 7 fields in order, verbatim reply', () => {
    const t = testEngine();
    const other = t.session();
    run(other, 'CLIENT', 'SETNAME', 'other');
    run(other, 'SELECT', '3');
    const raw = t.raw('CLIENT', 'LIST');
    assert.equal(raw.k, ReplyKind.Verbatim);
    const lines = parseLines(decodeReply(raw, false));
    assert.equal(lines.length, 2);
    for (const line of lines) assert.deepEqual([...line.keys()], REDIS_FIELDS);
    const [me, them] = lines as [Map<string, string>, Map<string, string>];
    assert.equal(me.get('cmd'), 'client|list', 'the caller shows the command it is running');
    assert.equal(me.get('argv-mem'), String('CLIENT'.length + 'LIST'.length));
    assert.equal(them.get('name'), 'other');
    assert.equal(them.get('db'), '3');
    assert.equal(them.get('cmd'), 'select');
    assert.equal(them.get('fd'), '-1');
    assert.equal(them.get('flags'), 'N');
    assert.equal(them.get('multi'), '-1');
    assert.equal(them.get('user'), 'default');
    assert.equal(them.get('resp'), '2');
    assert.equal(them.get('redir'), '-1');
  });

  test('age and idle follow the clock; MULTI shows in flags, multi and multi-mem', () => {
    const t = testEngine();
    const other = t.session();
    t.clock.advance(5000);
    run(other, 'MULTI');
    run(other, 'SET', 'k', 'value');
    t.clock.advance(3000);
    const them = parseLines(t.run('CLIENT', 'LIST', 'ID', String(other.session.id)))[0]!;
    assert.equal(them.get('age'), '8');
    assert.equal(them.get('idle'), '3');
    assert.equal(them.get('flags'), 'x');
    assert.equal(them.get('multi'), '1');
    assert.equal(them.get('multi-mem'), String('SET'.length + 'k'.length + 'value'.length));
  });

  test('flags show NO-EVICT and MONITOR', () => {
    const t = testEngine();
    assert.equal(t.run('CLIENT', 'NO-EVICT', 'on'), 'OK');
    assert.equal(parseLines(t.run('CLIENT', 'INFO'))[0]!.get('flags'), 'e');
    assert.equal(t.run('CLIENT', 'NO-EVICT', 'OFF'), 'OK');
    assert.equal(parseLines(t.run('CLIENT', 'INFO'))[0]!.get('flags'), 'N');
    assert.deepEqual(t.run('CLIENT', 'NO-EVICT', 'maybe'), { error: 'ERR syntax error' });
  });

  test('TYPE and ID filters', () => {
    const t = testEngine();
    const b = t.session();
    t.session();
    assert.equal(parseLines(t.run('CLIENT', 'LIST', 'TYPE', 'normal')).length, 3);
    for (const type of ['master', 'replica', 'slave', 'PUBSUB']) assert.equal(t.run('CLIENT', 'LIST', 'TYPE', type), '');
    assert.deepEqual(t.run('CLIENT', 'LIST', 'TYPE', 'foo'), { error: "ERR Unknown client type 'foo'" });
    const ids = parseLines(t.run('CLIENT', 'LIST', 'ID', String(b.session.id), '999', '0', '-4')).map((l) => l.get('id'));
    assert.deepEqual(ids, [String(b.session.id)]);
    assert.deepEqual(t.run('CLIENT', 'LIST', 'ID', '1', 'abc'), { error: 'ERR Invalid client ID' });
    assert.deepEqual(t.run('CLIENT', 'LIST', 'foo'), { error: 'ERR syntax error' });
    assert.deepEqual(t.run('CLIENT', 'LIST', 'ID'), { error: 'ERR syntax error' });
    assert.deepEqual(t.run('CLIENT', 'LIST', 'TYPE', 'normal', 'extra'), { error: 'ERR syntax error' });
  });

  test('CLIENT INFO is the caller line alone', () => {
    const t = testEngine();
    t.session();
    const raw = t.raw('CLIENT', 'INFO');
    assert.equal(raw.k, ReplyKind.Verbatim);
    const lines = parseLines(decodeReply(raw, false));
    assert.equal(lines.length, 1);
    assert.equal(lines[0]!.get('cmd'), 'client|info');
    assert.deepEqual(t.run('CLIENT', 'INFO', 'x'), { error: "ERR wrong number of arguments for 'client|info' command" });
  });
});

describe('CLIENT KILL', () => {
  function setup(): { t: TestEngine; a: ReturnType<typeof fakeTcpClient>; b: ReturnType<typeof fakeTcpClient>; me: ReturnType<typeof fakeTcpClient> } {
    const t = testEngine();
    const me = fakeTcpClient(t.engine, '127.0.0.1:40000');
    const a = fakeTcpClient(t.engine, '10.0.0.1:5000', '127.0.0.1:6379');
    const b = fakeTcpClient(t.engine, '10.0.0.2:5001', '127.0.0.1:6380');
    return { t, me, a, b };
  }
  const value = (r: Reply): unknown => (r.k === ReplyKind.Error ? { error: r.v } : decodeReply(r, false));

  test('old form: OK and the client is closed, or No such client', () => {
    const { t, me, a, b } = setup();
    assert.equal(value(me.exec('CLIENT', 'KILL', '10.0.0.1:5000')), 'OK');
    assert.ok(a.closed() && !b.closed());
    assert.ok(!t.engine.sessions.has(a.session.id));
    assert.deepEqual(value(me.exec('CLIENT', 'KILL', '10.0.0.1:5000')), { error: 'ERR No such client' });
  });

  test('old form may kill the caller, which closes after its reply', () => {
    const { me } = setup();
    assert.equal(value(me.exec('CLIENT', 'KILL', '127.0.0.1:40000')), 'OK');
    assert.equal(me.session.closing, true);
    assert.equal(me.closed(), false, 'closed by the transport once the reply is written');
  });

  test('new form filters return counts; SKIPME defaults to yes', () => {
    const { me, a, b } = setup();
    assert.equal(value(me.exec('CLIENT', 'KILL', 'ID', String(a.session.id))), 1);
    assert.equal(value(me.exec('CLIENT', 'KILL', 'ID', String(a.session.id))), 0);
    assert.equal(value(me.exec('CLIENT', 'KILL', 'LADDR', '127.0.0.1:6380')), 1);
    assert.ok(b.closed());
    assert.equal(value(me.exec('CLIENT', 'KILL', 'ADDR', '127.0.0.1:40000')), 0, 'SKIPME yes spares the caller');
    assert.equal(value(me.exec('CLIENT', 'KILL', 'ADDR', '127.0.0.1:40000', 'SKIPME', 'no')), 1);
    assert.equal(me.session.closing, true);
  });

  test('TYPE, USER and MAXAGE filters', () => {
    const { t, me, a, b } = setup();
    assert.equal(value(me.exec('CLIENT', 'KILL', 'TYPE', 'master')), 0);
    assert.equal(value(me.exec('CLIENT', 'KILL', 'TYPE', 'pubsub')), 0);
    t.clock.advance(10_000);
    const young = fakeTcpClient(t.engine, '10.0.0.3:5002');
    // a, b and the test engine's own session are 10 s old; the young one is not, the caller is skipped.
    assert.equal(value(me.exec('CLIENT', 'KILL', 'MAXAGE', '10', 'USER', 'default')), 3);
    assert.ok(a.closed() && b.closed() && !young.closed());
    assert.equal(value(me.exec('CLIENT', 'KILL', 'TYPE', 'normal')), 1, 'every normal client but the caller');
    assert.ok(young.closed());
  });

  test('error texts', () => {
    const { me } = setup();
    const cases: Array<[string[], string]> = [
      [['ID', '0'], 'ERR client-id should be greater than 0'],
      [['ID', '-3'], 'ERR client-id should be greater than 0'],
      [['ID', 'abc'], 'ERR client-id should be greater than 0'],
      [['TYPE', 'foo'], "ERR Unknown client type 'foo'"],
      [['USER', 'bob'], "ERR No such user 'bob'"],
      [['SKIPME', 'maybe'], 'ERR syntax error'],
      [['MAXAGE', 'x'], 'ERR maxage is not an integer or out of range'],
      [['MAXAGE', '0'], 'ERR maxage should be greater than 0'],
      [['FOO', 'bar'], 'ERR syntax error'],
      [['ID', '1', 'SKIPME'], 'ERR syntax error'],
    ];
    for (const [args, error] of cases) assert.deepEqual(value(me.exec('CLIENT', 'KILL', ...args)), { error }, args.join(' '));
    assert.deepEqual(value(me.exec('CLIENT', 'KILL')), { error: "ERR wrong number of arguments for 'client|kill' command" });
  });

  test('killing an embedded session forgets it', () => {
    const t = testEngine();
    const victim = t.session();
    assert.equal(t.run('CLIENT', 'KILL', 'ID', String(victim.session.id)), 1);
    assert.ok(!t.engine.sessions.has(victim.session.id));
  });
});

describe('CLIENT PAUSE and UNPAUSE', () => {
  test('WRITE pauses only writes; ALL pauses everything; the pause ends on time', () => {
    const t = testEngine();
    const other = t.session().session;
    assert.equal(t.run('CLIENT', 'PAUSE', '1000', 'WRITE'), 'OK');
    assert.deepEqual(t.engine.pause, { untilMs: t.clock.nowMs() + 1000, writesOnly: true });
    assert.equal(t.engine.mustPostpone(other, ['SET', 'k', 'v']), true);
    assert.equal(t.engine.mustPostpone(other, ['GET', 'k']), false);
    assert.equal(t.run('CLIENT', 'PAUSE', '500', 'all'), 'OK');
    assert.deepEqual(t.engine.pause, { untilMs: t.clock.nowMs() + 1000, writesOnly: false }, 'never shortened, ALL wins');
    assert.equal(t.engine.mustPostpone(other, ['GET', 'k']), true);
    t.clock.advance(1000);
    assert.equal(t.engine.mustPostpone(other, ['SET', 'k', 'v']), false);
    assert.equal(t.engine.pause, null);
  });

  test('UNPAUSE resumes the clients that waited', () => {
    const t = testEngine();
    const other = t.session().session;
    assert.equal(t.run('CLIENT', 'PAUSE', '60000'), 'OK');
    let resumed = false;
    t.engine.postpone(other, () => (resumed = true));
    assert.equal(t.run('CLIENT', 'UNPAUSE'), 'OK');
    assert.equal(resumed, true);
    assert.equal(t.engine.pause, null);
  });

  test('a timeout of 0 holds nothing', () => {
    const t = testEngine();
    assert.equal(t.run('CLIENT', 'PAUSE', '0'), 'OK');
    assert.equal(t.engine.pause, null);
  });

  test('error texts, the mode checked before the timeout', () => {
    const t = testEngine();
    assert.deepEqual(t.run('CLIENT', 'PAUSE', 'abc', 'foo'), { error: 'ERR CLIENT PAUSE mode must be WRITE or ALL' });
    assert.deepEqual(t.run('CLIENT', 'PAUSE', 'abc'), { error: 'ERR timeout is not an integer or out of range' });
    assert.deepEqual(t.run('CLIENT', 'PAUSE', '-1'), { error: 'ERR timeout is negative' });
    assert.deepEqual(t.run('CLIENT', 'PAUSE', '9223372036854775807'), { error: 'ERR timeout is out of range' });
    assert.deepEqual(t.run('CLIENT', 'PAUSE', '10', 'write', 'extra'), {
      error: "ERR unknown subcommand or wrong number of arguments for 'PAUSE'. Try CLIENT HELP.",
    });
    assert.deepEqual(t.run('CLIENT', 'PAUSE'), { error: "ERR wrong number of arguments for 'client|pause' command" });
    assert.equal(t.engine.pause, null);
  });
});

describe('CLIENT UNBLOCK', () => {
  /** Parks a session as a blocking command would (no blocking command is needed for the test). */
  function park(t: TestEngine, s: EmbeddedSession, timeoutReply: Reply): void {
    s.session.blockRequest = { keys: ['queue'], timeoutMs: 0, timeoutReply, waitsFor: undefined };
    t.engine.blocking.park(s.session, t.engine.commands.get('get')!, ['GET', 'queue'], 'get');
  }

  test('answers a blocked client with its timeout reply, or with the UNBLOCKED error', () => {
    const t = testEngine();
    const waiter = t.session();
    park(t, waiter, NIL_ARRAY);
    assert.match(t.run('CLIENT', 'LIST', 'ID', String(waiter.session.id)) as string, / flags=b /);
    assert.match(t.run('INFO', 'clients') as string, /\r\nblocked_clients:1\r\n/);
    assert.equal(t.run('CLIENT', 'UNBLOCK', String(waiter.session.id)), 1);
    assert.deepEqual(waiter.takeUnblocked(), [NIL_ARRAY]);
    assert.equal(t.run('CLIENT', 'UNBLOCK', String(waiter.session.id)), 0, 'no longer blocked');
    park(t, waiter, NIL_ARRAY);
    assert.equal(t.run('CLIENT', 'UNBLOCK', String(waiter.session.id), 'error'), 1);
    assert.deepEqual(waiter.takeUnblocked().map((r) => r.v), ['UNBLOCKED client unblocked via CLIENT UNBLOCK']);
    assert.equal(t.run('CLIENT', 'UNBLOCK', '99999', 'TIMEOUT'), 0);
  });

  test('error texts, the reason checked before the id', () => {
    const t = testEngine();
    assert.deepEqual(t.run('CLIENT', 'UNBLOCK', 'abc', 'foo'), { error: 'ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR' });
    assert.deepEqual(t.run('CLIENT', 'UNBLOCK', 'abc'), { error: 'ERR value is not an integer or out of range' });
    assert.deepEqual(t.run('CLIENT', 'unblock', '1', 'timeout', 'x'), {
      error: "ERR unknown subcommand or wrong number of arguments for 'unblock'. Try CLIENT HELP.",
    });
  });
});

describe('CLIENT REPLY', () => {
  test('ON replies OK; OFF and SKIP reply nothing and set the mode', () => {
    const t = testEngine();
    const s = t.session();
    assert.equal(s.raw(['CLIENT', 'REPLY', 'SKIP']), NO_REPLY);
    assert.equal(s.session.replyMode, 'skip');
    assert.equal(s.raw(['CLIENT', 'REPLY', 'off']), NO_REPLY);
    assert.equal(s.session.replyMode, 'off');
    assert.equal(s.raw(['CLIENT', 'REPLY', 'skip']), NO_REPLY);
    assert.equal(s.session.replyMode, 'off', 'SKIP while OFF changes nothing');
    assert.equal(run(s, 'CLIENT', 'REPLY', 'on'), 'OK');
    assert.equal(s.session.replyMode, 'on');
    assert.deepEqual(run(s, 'CLIENT', 'REPLY', 'maybe'), { error: 'ERR syntax error' });
  });
});

describe('CLIENT HELP and declarations', () => {
  test('HELP is an array of status lines', () => {
    const t = testEngine();
    const r = t.raw('CLIENT', 'HELP');
    assert.equal(r.k, ReplyKind.Array);
    const lines = r.v as Reply[];
    assert.ok(lines.every((l) => l.k === ReplyKind.Simple));
    assert.equal(lines[0]!.v, 'CLIENT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:');
    assert.equal(lines[lines.length - 1]!.v, '    Prints this help.');
    const text = lines.map((l) => l.v as string);
    for (const sub of ['GETNAME', 'ID', 'INFO', 'LIST [options ...]', 'UNPAUSE', 'SETNAME <name>', 'SETINFO <option> <value>', 'NO-EVICT (ON|OFF)', 'HELP']) {
      assert.ok(text.includes(sub), sub);
    }
  });

  test('arity, flags and ACL categories match Redis 7 (COMMAND INFO on redis-server)', () => {
    const t = testEngine();
    const client = t.engine.commands.get('client')!;
    assert.equal(client.arity, -2);
    assert.deepEqual(aclCategories(client), ['slow']);
    const expected: Record<string, [number, string[], string[]]> = {
      id: [2, ['noscript', 'loading', 'stale'], ['slow', 'connection']],
      setname: [3, ['noscript', 'loading', 'stale'], ['slow', 'connection']],
      getname: [2, ['noscript', 'loading', 'stale'], ['slow', 'connection']],
      setinfo: [4, ['noscript', 'loading', 'stale'], ['slow', 'connection']],
      list: [-2, ['admin', 'noscript', 'loading', 'stale'], ['admin', 'slow', 'dangerous', 'connection']],
      info: [2, ['noscript', 'loading', 'stale'], ['slow', 'connection']],
      kill: [-3, ['admin', 'noscript', 'loading', 'stale'], ['admin', 'slow', 'dangerous', 'connection']],
      pause: [-3, ['admin', 'noscript', 'loading', 'stale'], ['admin', 'slow', 'dangerous', 'connection']],
      unpause: [2, ['admin', 'noscript', 'loading', 'stale'], ['admin', 'slow', 'dangerous', 'connection']],
      unblock: [-3, ['admin', 'noscript', 'loading', 'stale'], ['admin', 'slow', 'dangerous', 'connection']],
      'no-evict': [3, ['admin', 'noscript', 'loading', 'stale'], ['admin', 'slow', 'dangerous', 'connection']],
      reply: [3, ['noscript', 'loading', 'stale'], ['slow', 'connection']],
      help: [2, ['loading', 'stale'], ['slow', 'connection']],
      tracking: [-3, ['noscript', 'loading', 'stale'], ['slow', 'connection']],
      caching: [3, ['noscript', 'loading', 'stale'], ['slow', 'connection']],
      getredir: [2, ['noscript', 'loading', 'stale'], ['slow', 'connection']],
      trackinginfo: [2, ['noscript', 'loading', 'stale'], ['slow', 'connection']],
    };
    const order = ['admin', 'slow', 'dangerous', 'connection'];
    for (const sub of client.subcommands!) {
      const want = expected[sub.name];
      assert.ok(want !== undefined, `unexpected subcommand ${sub.name}`);
      assert.equal(sub.arity, want[0], `${sub.name} arity`);
      assert.deepEqual([...sub.flags], want[1], `${sub.name} flags`);
      assert.deepEqual(aclCategories(sub).sort((x, y) => order.indexOf(x) - order.indexOf(y)), want[2], `${sub.name} acl`);
    }
    assert.equal(client.subcommands!.length, Object.keys(expected).length);
  });
});

describe('CLIENT over TCP', () => {
  /** A raw socket: send RESP, then collect what arrives until a quiet period passes or the socket closes. */
  class RawConnection {
    private text = '';
    closed = false;
    private constructor(private readonly socket: net.Socket) {
      socket.on('data', (d) => (this.text += d.toString('latin1')));
      socket.on('close', () => (this.closed = true));
    }

    static async open(port: number): Promise<RawConnection> {
      const socket = net.connect(port, '127.0.0.1');
      await new Promise<void>((resolve, reject) => {
        socket.once('connect', () => resolve());
        socket.once('error', reject);
      });
      return new RawConnection(socket);
    }

    async send(payload: string, quietMs = 150): Promise<string> {
      this.text = '';
      this.socket.write(payload);
      const deadline = Date.now() + 5000;
      let seen = -1;
      while (Date.now() < deadline && !this.closed) {
        await new Promise((r) => setTimeout(r, quietMs));
        if (this.text.length === seen && seen > 0) break;
        seen = this.text.length;
      }
      return this.text;
    }

    destroy(): void {
      this.socket.destroy();
    }
  }
  const cmd = (...a: string[]): string => `*${a.length}\r\n` + a.map((x) => `$${Buffer.byteLength(x)}\r\n${x}\r\n`).join('');

  test('REPLY OFF silences replies until REPLY ON; SKIP silences one; KILL of self closes after the reply', async () => {
    const t = testEngine();
    const server = await startServer(t.engine, { port: 0, host: '127.0.0.1' });
    const c = await RawConnection.open(server.port);
    try {
      assert.equal(await c.send(cmd('CLIENT', 'REPLY', 'OFF') + cmd('PING') + cmd('CLIENT', 'REPLY', 'ON') + cmd('PING', 'a')), '+OK\r\n$1\r\na\r\n');
      assert.equal(await c.send(cmd('CLIENT', 'REPLY', 'SKIP') + cmd('PING', 'x') + cmd('PING', 'y')), '$1\r\ny\r\n');
      const info = await c.send(cmd('CLIENT', 'SETINFO', 'LIB-NAME', 'raw') + cmd('CLIENT', 'INFO'));
      assert.match(info, /^\+OK\r\n\$\d+\r\nid=\d+ addr=127\.0\.0\.1:\d+ laddr=127\.0\.0\.1:\d+ fd=-1 .* events=rw? cmd=client\|info .* lib-name=raw lib-ver=\n\r\n$/);
      const id = /^:(\d+)\r\n$/.exec(await c.send(cmd('CLIENT', 'ID')))![1]!;
      assert.equal(await c.send(cmd('CLIENT', 'KILL', 'ID', id, 'SKIPME', 'no') + cmd('PING')), ':1\r\n', 'the count arrives, then nothing more');
      assert.equal(c.closed, true);
      assert.ok(!t.engine.sessions.has(Number(id)));
    } finally {
      c.destroy();
      await server.close();
    }
  });
});
