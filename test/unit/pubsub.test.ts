// Pub/sub on the in-process engine: (un)subscribe confirmations, messages, PUBSUB, the RESP2
// subscribed context, shard channels, RESET/disconnect, CLIENT LIST fields and output buffer
// limits. Expected replies (bytes included) were taken from redis-server 7.0.15.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { testEngine, type TestEngine } from '../helpers/engine.js';
import { ReplyKind, type Reply } from '../../src/core/reply.js';
import { ReplyBuffer } from '../../src/protocols/resp/encoder.js';
import { decodeReply } from '../../src/server/decode.js';
import type { Engine } from '../../src/server/engine.js';
import type { Session, SessionTransport } from '../../src/server/session.js';
import type { EmbeddedSession } from '../../src/embedded.js';
import { normalizeOutputBufferLimitOption } from '../../src/server/pubsub.js';

/** A command's reply, decoded, or { error }. */
function run(s: EmbeddedSession, ...args: Array<string | number>): unknown {
  const r = s.raw(args.map(String));
  return r.k === ReplyKind.Error ? { error: r.v as string } : decodeReply(r, false);
}

/** The messages delivered to a session since the last call, decoded. */
function pushed(s: EmbeddedSession): unknown[] {
  return s.takePushed().map((r) => decodeReply(r, false));
}

/** The bytes a reply becomes on the wire in the given protocol. */
function wire(r: Reply, resp: 2 | 3): string {
  const out = new ReplyBuffer();
  out.write(r, resp);
  return out.take().toString('latin1');
}

const CONTEXT_ERROR = (cmd: string): { error: string } => ({
  error: `ERR Can't execute '${cmd}': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context`,
});

describe('SUBSCRIBE and UNSUBSCRIBE', () => {
  test('one confirmation per channel, in order; the count includes patterns', () => {
    const t = testEngine();
    const a = t.session();
    // The last confirmation is the reply; the earlier ones were delivered before it.
    assert.deepEqual(run(a, 'SUBSCRIBE', 'a', 'b'), ['subscribe', 'b', 2]);
    assert.deepEqual(pushed(a), [['subscribe', 'a', 1]]);
    assert.deepEqual(run(a, 'PSUBSCRIBE', 'p*'), ['psubscribe', 'p*', 3]);
    assert.deepEqual(run(a, 'SUBSCRIBE', 'a'), ['subscribe', 'a', 3], 'subscribing twice changes nothing');
    assert.deepEqual(run(a, 'UNSUBSCRIBE', 'a', 'zz'), ['unsubscribe', 'zz', 2]);
    assert.deepEqual(pushed(a), [['unsubscribe', 'a', 2]]);
    assert.deepEqual(run(a, 'UNSUBSCRIBE'), ['unsubscribe', 'b', 1]);
    assert.deepEqual(run(a, 'PUNSUBSCRIBE'), ['punsubscribe', 'p*', 0]);
  });

  test('unsubscribing from everything with no subscriptions answers once with a nil name', () => {
    const t = testEngine();
    const a = t.session();
    for (const cmd of ['UNSUBSCRIBE', 'PUNSUBSCRIBE', 'SUNSUBSCRIBE']) {
      const r = a.raw([cmd]);
      const word = cmd.toLowerCase();
      assert.equal(wire(r, 2), `*3\r\n$${word.length}\r\n${word}\r\n$-1\r\n:0\r\n`);
      assert.equal(wire(r, 3), `>3\r\n$${word.length}\r\n${word}\r\n_\r\n:0\r\n`);
    }
    assert.deepEqual(pushed(a), []);
  });

  test('PUNSUBSCRIBE without arguments leaves patterns in subscription order', () => {
    const t = testEngine();
    const a = t.session();
    run(a, 'PSUBSCRIBE', 'p*', 'q*', 'a?');
    assert.deepEqual(run(a, 'PUNSUBSCRIBE'), ['punsubscribe', 'a?', 0]);
    assert.deepEqual(pushed(a), [['psubscribe', 'p*', 1], ['psubscribe', 'q*', 2], ['punsubscribe', 'p*', 2], ['punsubscribe', 'q*', 1]]);
  });

  test('confirmations are arrays in RESP2 and pushes in RESP3', () => {
    const t = testEngine();
    const a = t.session();
    const r = a.raw(['SUBSCRIBE', 'ch']);
    assert.equal(r.k, ReplyKind.Push);
    assert.equal(wire(r, 2), '*3\r\n$9\r\nsubscribe\r\n$2\r\nch\r\n:1\r\n');
    assert.equal(wire(r, 3), '>3\r\n$9\r\nsubscribe\r\n$2\r\nch\r\n:1\r\n');
  });

  test('arity errors', () => {
    const t = testEngine();
    assert.deepEqual(t.run('SUBSCRIBE'), { error: "ERR wrong number of arguments for 'subscribe' command" });
    assert.deepEqual(t.run('PSUBSCRIBE'), { error: "ERR wrong number of arguments for 'psubscribe' command" });
    assert.deepEqual(t.run('SSUBSCRIBE'), { error: "ERR wrong number of arguments for 'ssubscribe' command" });
    assert.deepEqual(t.run('PUBLISH', 'x'), { error: "ERR wrong number of arguments for 'publish' command" });
    assert.deepEqual(t.run('SPUBLISH', 'x'), { error: "ERR wrong number of arguments for 'spublish' command" });
    assert.deepEqual(t.run('PUBLISH', 'x', 'y', 'z'), { error: "ERR wrong number of arguments for 'publish' command" });
  });
});

describe('PUBLISH', () => {
  test('counts every delivery: a client matching by channel and by pattern counts twice', () => {
    const t = testEngine();
    const a = t.session();
    const b = t.session();
    run(a, 'SUBSCRIBE', 'news');
    run(b, 'PSUBSCRIBE', 'n*');
    run(b, 'PSUBSCRIBE', 'ne*');
    run(b, 'SUBSCRIBE', 'news');
    pushed(a);
    pushed(b);
    assert.equal(t.run('PUBLISH', 'news', 'hello'), 4);
    assert.deepEqual(pushed(a), [['message', 'news', 'hello']]);
    // Channel subscribers first, then each matching pattern.
    assert.deepEqual(pushed(b), [['message', 'news', 'hello'], ['pmessage', 'n*', 'news', 'hello'], ['pmessage', 'ne*', 'news', 'hello']]);
    assert.equal(t.run('PUBLISH', 'nothing-here', 'x'), 1);
    assert.equal(t.run('PUBLISH', 'zzz', 'x'), 0);
  });

  test('message and pmessage bytes in both protocols, binary payloads intact', () => {
    const t = testEngine();
    const a = t.session();
    run(a, 'SUBSCRIBE', 'c');
    run(a, 'PSUBSCRIBE', 'c*');
    pushed(a);
    t.session().raw(['PUBLISH', 'c', Buffer.from('a\r\n\x00\xff', 'latin1')]);
    const [m, pm] = a.takePushed();
    assert.equal(wire(m!, 2), '*3\r\n$7\r\nmessage\r\n$1\r\nc\r\n$5\r\na\r\n\x00\xff\r\n');
    assert.equal(wire(m!, 3), '>3\r\n$7\r\nmessage\r\n$1\r\nc\r\n$5\r\na\r\n\x00\xff\r\n');
    assert.equal(wire(pm!, 2), '*4\r\n$8\r\npmessage\r\n$2\r\nc*\r\n$1\r\nc\r\n$5\r\na\r\n\x00\xff\r\n');
    assert.equal(wire(pm!, 3), '>4\r\n$8\r\npmessage\r\n$2\r\nc*\r\n$1\r\nc\r\n$5\r\na\r\n\x00\xff\r\n');
  });

  test('patterns are Redis globs: ? [set] [^set] [a-z] and escapes', () => {
    const t = testEngine();
    const a = t.session();
    run(a, 'PSUBSCRIBE', 'h?llo', 'h[ae]y', 'x[^0-9]', 'lit\\*');
    pushed(a);
    const hits = (channel: string): number => t.run('PUBLISH', channel, '') as number;
    assert.equal(hits('hello'), 1);
    assert.equal(hits('hllo'), 0);
    assert.equal(hits('hey'), 1);
    assert.equal(hits('hoy'), 0);
    assert.equal(hits('xa'), 1);
    assert.equal(hits('x1'), 0);
    assert.equal(hits('lit*'), 1);
    assert.equal(hits('litx'), 0);
  });

  test('a publish from inside MULTI is delivered when EXEC runs', () => {
    const t = testEngine();
    const a = t.session();
    run(a, 'SUBSCRIBE', 'c');
    pushed(a);
    t.run('MULTI');
    t.run('PUBLISH', 'c', 'queued');
    assert.deepEqual(pushed(a), []);
    assert.deepEqual(t.run('EXEC'), [1]);
    assert.deepEqual(pushed(a), [['message', 'c', 'queued']]);
  });
});

describe('shard channels', () => {
  test('SSUBSCRIBE counts only shard channels; SPUBLISH reaches only shard subscribers', () => {
    const t = testEngine();
    const a = t.session();
    run(a, 'SUBSCRIBE', 's1');
    run(a, 'PSUBSCRIBE', 's*');
    assert.deepEqual(run(a, 'SSUBSCRIBE', 's1', 's2'), ['ssubscribe', 's2', 2]);
    pushed(a);
    assert.equal(t.run('SPUBLISH', 's1', 'm'), 1);
    assert.deepEqual(pushed(a), [['smessage', 's1', 'm']]);
    assert.equal(t.run('PUBLISH', 's1', 'p'), 2, 'PUBLISH does not reach shard subscribers');
    assert.deepEqual(pushed(a), [['message', 's1', 'p'], ['pmessage', 's*', 's1', 'p']]);
    assert.deepEqual(run(a, 'UNSUBSCRIBE', 's1'), ['unsubscribe', 's1', 1]);
    assert.deepEqual(run(a, 'SUNSUBSCRIBE'), ['sunsubscribe', 's2', 0]);
    assert.deepEqual(pushed(a), [['sunsubscribe', 's1', 1]]);
  });

  test('a client with only shard subscriptions is still in the subscribed context', () => {
    const t = testEngine();
    const a = t.session();
    run(a, 'SUBSCRIBE', 'a');
    run(a, 'SSUBSCRIBE', 's');
    assert.deepEqual(run(a, 'UNSUBSCRIBE', 'a'), ['unsubscribe', 'a', 0]);
    assert.deepEqual(run(a, 'GET', 'x'), CONTEXT_ERROR('get'));
    run(a, 'SUNSUBSCRIBE');
    assert.equal(run(a, 'GET', 'x'), null);
  });

  test('smessage bytes', () => {
    const t = testEngine();
    const a = t.session();
    run(a, 'SSUBSCRIBE', 'sh');
    t.run('SPUBLISH', 'sh', 'v');
    const [m] = a.takePushed();
    assert.equal(wire(m!, 2), '*3\r\n$8\r\nsmessage\r\n$2\r\nsh\r\n$1\r\nv\r\n');
    assert.equal(wire(m!, 3), '>3\r\n$8\r\nsmessage\r\n$2\r\nsh\r\n$1\r\nv\r\n');
  });
});

describe('MULTI and subscriptions', () => {
  test('SSUBSCRIBE inside EXEC gets the DENY BLOCKING error; SUBSCRIBE works and is counted', () => {
    const t = testEngine();
    const a = t.session();
    run(a, 'MULTI');
    run(a, 'SSUBSCRIBE', 'x');
    run(a, 'SUBSCRIBE', 'y');
    const r = a.raw(['EXEC']);
    assert.equal(r.k, ReplyKind.Array);
    const [first, second] = r.v as Reply[];
    assert.deepEqual(first, { k: ReplyKind.Error, v: "ERR SSUBSCRIBE isn't allowed for a DENY BLOCKING client" });
    assert.deepEqual(decodeReply(second!, false), ['subscribe', 'y', 1]);
    assert.deepEqual(t.run('PUBSUB', 'NUMSUB', 'y'), ['y', 1]);
  });
});

describe('the RESP2 subscribed context', () => {
  test('only (P|S)SUBSCRIBE, (P|S)UNSUBSCRIBE, PING, QUIT and RESET run; others get Redis\'s error', () => {
    const t = testEngine();
    const a = t.session();
    run(a, 'SUBSCRIBE', 'c');
    assert.deepEqual(run(a, 'GET', 'x'), CONTEXT_ERROR('get'));
    assert.deepEqual(run(a, 'CLIENT', 'ID'), CONTEXT_ERROR('client|id'));
    assert.deepEqual(run(a, 'MULTI'), CONTEXT_ERROR('multi'));
    assert.deepEqual(run(a, 'HELLO', '3'), CONTEXT_ERROR('hello'));
    for (const cmd of [['PSUBSCRIBE', 'p'], ['PUNSUBSCRIBE'], ['SSUBSCRIBE', 's'], ['SUNSUBSCRIBE'], ['SUBSCRIBE', 'd']]) {
      assert.ok(!('error' in (run(a, ...cmd) as object)), cmd.join(' '));
    }
    // Unknown commands and arity errors come first, as in Redis.
    assert.deepEqual(run(a, 'NOSUCH'), { error: "ERR unknown command 'NOSUCH', with args beginning with: " });
    assert.deepEqual(run(a, 'GET'), { error: "ERR wrong number of arguments for 'get' command" });
  });

  test('PING answers ["pong", message] while subscribed in RESP2, and as usual in RESP3', () => {
    const t = testEngine();
    const a = t.session();
    run(a, 'SUBSCRIBE', 'c');
    const pong = a.raw(['PING']);
    assert.equal(wire(pong, 2), '*2\r\n$4\r\npong\r\n$0\r\n\r\n');
    assert.deepEqual(run(a, 'PING', 'hi'), ['pong', 'hi']);
    const b = t.session();
    run(b, 'HELLO', '3');
    run(b, 'SUBSCRIBE', 'c');
    assert.equal(run(b, 'PING'), 'PONG');
    assert.equal(run(b, 'PING', 'x'), 'x');
    assert.equal(run(b, 'SET', 'k', 'v'), 'OK', 'RESP3 clients may run anything');
  });

  test('the rejection counts as a rejected call and in the error stats', () => {
    const t = testEngine();
    const a = t.session();
    run(a, 'SUBSCRIBE', 'c');
    run(a, 'GET', 'x');
    const stats = t.run('INFO', 'commandstats') as string;
    assert.match(stats, /cmdstat_get:calls=0,.*rejected_calls=1/);
  });

  test('RESET drops every subscription and leaves the subscribed context', () => {
    const t = testEngine();
    const a = t.session();
    run(a, 'SUBSCRIBE', 'c');
    run(a, 'PSUBSCRIBE', 'p*');
    run(a, 'SSUBSCRIBE', 's');
    assert.equal(run(a, 'RESET'), 'RESET');
    assert.deepEqual(pushed(a).length, 0);
    assert.equal(run(a, 'GET', 'x'), null);
    assert.deepEqual(t.run('PUBSUB', 'NUMSUB', 'c'), ['c', 0]);
    assert.equal(t.run('PUBSUB', 'NUMPAT'), 0);
    assert.deepEqual(t.run('PUBSUB', 'SHARDCHANNELS'), []);
  });

  test('a closed session leaves no subscription behind', () => {
    const t = testEngine();
    const a = t.session();
    run(a, 'SUBSCRIBE', 'c');
    run(a, 'PSUBSCRIBE', 'p*');
    a.close();
    assert.equal(t.run('PUBLISH', 'c', 'x'), 0);
    assert.equal(t.run('PUBLISH', 'px', 'x'), 0);
    assert.deepEqual(t.run('PUBSUB', 'CHANNELS'), []);
  });
});

describe('PUBSUB', () => {
  function setup(): TestEngine {
    const t = testEngine();
    const a = t.session();
    const b = t.session();
    const c = t.session();
    run(a, 'SUBSCRIBE', 'ch1', 'ch2', 'xy');
    run(b, 'SUBSCRIBE', 'ch1');
    run(b, 'PSUBSCRIBE', 'p*');
    run(c, 'SSUBSCRIBE', 's1');
    run(c, 'PSUBSCRIBE', 'p*', 'q*');
    return t;
  }

  test('CHANNELS, NUMSUB, NUMPAT (distinct patterns), SHARDCHANNELS, SHARDNUMSUB', () => {
    const t = setup();
    assert.deepEqual(new Set(t.run('PUBSUB', 'CHANNELS') as string[]), new Set(['ch1', 'ch2', 'xy']));
    assert.deepEqual(new Set(t.run('PUBSUB', 'CHANNELS', 'ch*') as string[]), new Set(['ch1', 'ch2']));
    assert.deepEqual(t.run('PUBSUB', 'CHANNELS', 'nope*'), []);
    assert.deepEqual(t.run('PUBSUB', 'NUMSUB'), []);
    assert.deepEqual(t.run('PUBSUB', 'NUMSUB', 'ch1', 'ch2', 'none'), ['ch1', 2, 'ch2', 1, 'none', 0]);
    assert.equal(t.run('PUBSUB', 'NUMPAT'), 2);
    assert.deepEqual(t.run('PUBSUB', 'SHARDCHANNELS'), ['s1']);
    assert.deepEqual(t.run('PUBSUB', 'SHARDCHANNELS', 's*'), ['s1']);
    assert.deepEqual(t.run('PUBSUB', 'SHARDCHANNELS', 'x*'), []);
    assert.deepEqual(t.run('PUBSUB', 'SHARDNUMSUB', 's1', 'x'), ['s1', 1, 'x', 0]);
    assert.deepEqual(t.run('PUBSUB', 'SHARDNUMSUB'), []);
  });

  test('NUMSUB is a flat array in RESP3 too (Redis 7.0)', () => {
    const t = setup();
    const s = t.session();
    run(s, 'HELLO', '3');
    const r = s.raw(['PUBSUB', 'NUMSUB', 'ch1']);
    assert.equal(wire(r, 3), '*2\r\n$3\r\nch1\r\n:2\r\n');
  });

  test('errors and HELP', () => {
    const t = setup();
    assert.deepEqual(t.run('PUBSUB', 'CHANNELS', 'a', 'b'), { error: "ERR unknown subcommand or wrong number of arguments for 'CHANNELS'. Try PUBSUB HELP." });
    assert.deepEqual(t.run('PUBSUB', 'shardchannels', 'a', 'b'), { error: "ERR unknown subcommand or wrong number of arguments for 'shardchannels'. Try PUBSUB HELP." });
    assert.deepEqual(t.run('PUBSUB', 'NUMPAT', 'x'), { error: "ERR wrong number of arguments for 'pubsub|numpat' command" });
    assert.deepEqual(t.run('PUBSUB', 'HELP', 'x'), { error: "ERR wrong number of arguments for 'pubsub|help' command" });
    assert.deepEqual(t.run('PUBSUB', 'foo'), { error: "ERR unknown subcommand 'foo'. Try PUBSUB HELP." });
    assert.deepEqual(t.run('PUBSUB'), { error: "ERR wrong number of arguments for 'pubsub' command" });
    const help = t.run('PUBSUB', 'HELP') as string[];
    assert.equal(help.length, 14);
    assert.equal(help[0], 'PUBSUB <subcommand> [<arg> [value] [opt] ...]. Subcommands are:');
    assert.equal(help[13], '    Prints this help.');
  });
});

describe('CLIENT LIST and CLIENT KILL see pub/sub clients', () => {
  test('sub, psub, ssub counts and the P flag; TYPE pubsub', () => {
    const t = testEngine();
    const a = t.session();
    run(a, 'SUBSCRIBE', 'a', 'b');
    run(a, 'PSUBSCRIBE', 'p*');
    run(a, 'SSUBSCRIBE', 's');
    const line = (t.run('CLIENT', 'LIST', 'ID', String(a.session.id)) as string).trim();
    assert.match(line, / flags=P /);
    assert.match(line, / sub=2 psub=1 ssub=1 /);
    const pubsubIds = (t.run('CLIENT', 'LIST', 'TYPE', 'pubsub') as string).trim().split('\n').map((l) => /^id=(\d+)/.exec(l)![1]);
    assert.deepEqual(pubsubIds, [String(a.session.id)]);
    assert.equal(t.run('CLIENT', 'KILL', 'TYPE', 'pubsub'), 1);
    assert.equal(t.run('PUBLISH', 'a', 'x'), 0);
  });
});

/** A session behind a fake TCP transport whose pending output the test controls. */
function fakeSubscriber(engine: Engine): { session: Session; setOutput: (n: number) => void; aborted: () => boolean } {
  let output = 0;
  let aborted = false;
  let session: Session;
  const transport: SessionTransport & { abort(): void } = {
    kind: 'tcp',
    deliver: () => {},
    close: () => engine.closeSession(session),
    abort: () => {
      aborted = true;
      engine.closeSession(session);
    },
    unblocked: () => {},
    queryBufferBytes: () => 0,
    outputBufferBytes: () => output,
  };
  session = engine.createSession(transport, '127.0.0.1:5000', '127.0.0.1:6379');
  return { session, setOutput: (n) => (output = n), aborted: () => aborted };
}

describe('client-output-buffer-limit', () => {
  test('CONFIG GET shows Redis 7.0\'s default; SET changes only the classes it names', () => {
    const t = testEngine();
    const get = (): string => (t.run('CONFIG', 'GET', 'client-output-buffer-limit') as Map<string, string>).get('client-output-buffer-limit')!;
    assert.equal(get(), 'normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60');
    assert.equal(t.run('CONFIG', 'SET', 'client-output-buffer-limit', 'pubsub 1mb 500kb 10'), 'OK');
    assert.equal(get(), 'normal 0 0 0 slave 268435456 67108864 60 pubsub 1048576 512000 10');
    t.run('CONFIG', 'SET', 'client-output-buffer-limit', 'normal 1 2 3 slave 4 5 6');
    assert.equal(get(), 'normal 1 2 3 slave 4 5 6 pubsub 1048576 512000 10');
    t.run('CONFIG', 'SET', 'client-output-buffer-limit', 'replica 1k 2 3');
    assert.equal(get(), 'normal 1 2 3 slave 1000 2 3 pubsub 1048576 512000 10');
    t.run('CONFIG', 'SET', 'client-output-buffer-limit', 'PUBSUB 1MB 2 3');
    assert.equal(get(), 'normal 1 2 3 slave 1000 2 3 pubsub 1048576 2 3');
    assert.equal(t.run('CONFIG', 'SET', 'client-output-buffer-limit', ''), 'OK');
    assert.equal(get(), 'normal 1 2 3 slave 1000 2 3 pubsub 1048576 2 3');
  });

  test('Redis\'s error texts', () => {
    const t = testEngine();
    const err = (why: string): { error: string } => ({ error: `ERR CONFIG SET failed (possibly related to argument 'client-output-buffer-limit') - ${why}` });
    const set = (v: string): unknown => t.run('CONFIG', 'SET', 'client-output-buffer-limit', v);
    assert.deepEqual(set('master 1 2 3'), err('Invalid client class specified in buffer limit configuration.'));
    assert.deepEqual(set('foo 0 0 0'), err('Invalid client class specified in buffer limit configuration.'));
    assert.deepEqual(set('pubsub 1 2'), err('Wrong number of arguments in buffer limit configuration.'));
    for (const bad of ['pubsub x 2 3', 'pubsub 1 2 x', 'pubsub 1 2 -3', 'pubsub 1 -2 3', 'normal -1 0 0']) {
      assert.deepEqual(set(bad), err('Error in hard, soft or soft_seconds setting in buffer limit configuration.'), bad);
    }
    // A bad group anywhere refuses the whole value.
    assert.deepEqual(set('normal 1 1 1 pubsub 1 x 1'), err('Error in hard, soft or soft_seconds setting in buffer limit configuration.'));
    assert.equal((t.run('CONFIG', 'GET', 'client-output-buffer-limit') as Map<string, string>).get('client-output-buffer-limit'),
      'normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60');
  });

  test('the normaliser alone: classes merge into the current setting', () => {
    assert.deepEqual(normalizeOutputBufferLimitOption('slave 0 0 0', 'normal 1 2 3 slave 4 5 6 pubsub 7 8 9'), { value: 'normal 1 2 3 slave 0 0 0 pubsub 7 8 9' });
    assert.deepEqual(normalizeOutputBufferLimitOption('pubsub 1gb 1g +5', 'normal 0 0 0 slave 0 0 0 pubsub 0 0 0'), { value: 'normal 0 0 0 slave 0 0 0 pubsub 1073741824 1000000000 5' });
  });

  test('a subscriber over the hard limit is closed at once, its output dropped', () => {
    const t = testEngine({ config: { 'client-output-buffer-limit': 'pubsub 1000 0 0' } });
    const sub = fakeSubscriber(t.engine);
    t.engine.execute(sub.session, ['SUBSCRIBE', 'c']);
    sub.setOutput(999);
    assert.equal(t.run('PUBLISH', 'c', 'x'), 1);
    assert.equal(sub.aborted(), false);
    sub.setOutput(1000);
    assert.equal(t.run('PUBLISH', 'c', 'x'), 1, 'the message counts: it was handed to the client');
    assert.equal(sub.aborted(), true);
    assert.equal(t.engine.sessions.has(sub.session.id), false);
    assert.equal(t.run('PUBLISH', 'c', 'x'), 0);
    assert.equal(t.engine.pubsub.outputLimitDisconnections, 1);
  });

  test('over the soft limit for longer than soft-seconds: closed, by a publish or by the cron', () => {
    const t = testEngine({ config: { 'client-output-buffer-limit': 'pubsub 0 100 2' } });
    const sub = fakeSubscriber(t.engine);
    t.engine.execute(sub.session, ['SUBSCRIBE', 'c']);
    sub.setOutput(150);
    t.run('PUBLISH', 'c', 'x'); // starts the clock
    t.clock.advance(2000);
    t.engine.cron();
    assert.equal(sub.aborted(), false, 'exactly soft-seconds is still allowed');
    sub.setOutput(50); // drained below the limit: the clock resets
    t.run('PUBLISH', 'c', 'x');
    sub.setOutput(150);
    t.run('PUBLISH', 'c', 'x');
    t.clock.advance(2000);
    t.engine.cron();
    assert.equal(sub.aborted(), false);
    t.clock.advance(1000);
    t.engine.cron();
    assert.equal(sub.aborted(), true);
  });

  test('normal clients are not limited by default, and a non-subscriber is judged by the normal class', () => {
    const t = testEngine({ config: { 'client-output-buffer-limit': 'pubsub 10 0 0' } });
    const other = fakeSubscriber(t.engine);
    other.setOutput(1_000_000);
    t.engine.execute(other.session, ['HELLO', '3']);
    t.engine.execute(other.session, ['CLIENT', 'TRACKING', 'ON']);
    t.engine.execute(other.session, ['GET', 'k']);
    t.run('SET', 'k', 'v'); // delivers an invalidation to a normal (not subscribed) client
    assert.equal(other.aborted(), false);
  });
});
