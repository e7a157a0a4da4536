// Client-side caching (CLIENT TRACKING) on the in-process engine: what is remembered, who is
// told when a key changes and in what shape, in default, BCAST, OPTIN/OPTOUT, NOLOOP and
// REDIRECT modes; flushes, expiry, transactions; the CLIENT subcommands and their errors.
// Expected replies were taken from redis-server 7.0.15 (the integration test replays the same
// situations against it byte for byte).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { testEngine, type TestEngine } from '../helpers/engine.js';
import { ReplyKind, type Reply } from '../../src/core/reply.js';
import { ReplyBuffer } from '../../src/protocols/resp/encoder.js';
import { decodeReply } from '../../src/server/decode.js';
import type { EmbeddedSession } from '../../src/embedded.js';

function run(s: EmbeddedSession, ...args: Array<string | number>): unknown {
  const r = s.raw(args.map(String));
  return r.k === ReplyKind.Error ? { error: r.v as string } : decodeReply(r, false);
}

function pushed(s: EmbeddedSession): unknown[] {
  return s.takePushed().map((r) => decodeReply(r, false));
}

function wire(r: Reply, resp: 2 | 3): string {
  const out = new ReplyBuffer();
  out.write(r, resp);
  return out.take().toString('latin1');
}

/** A RESP3 session with tracking on, with the given options. */
function tracker(t: TestEngine, ...options: string[]): EmbeddedSession {
  const s = t.session();
  run(s, 'HELLO', '3');
  assert.equal(run(s, 'CLIENT', 'TRACKING', 'ON', ...options), 'OK');
  return s;
}

describe('default mode', () => {
  test('a key read by a tracking client is invalidated once when another client writes it', () => {
    const t = testEngine();
    const c = tracker(t);
    run(c, 'GET', 'k');
    t.run('SET', 'k', 'v');
    const [msg] = c.takePushed();
    assert.equal(wire(msg!, 3), '>2\r\n$10\r\ninvalidate\r\n*1\r\n$1\r\nk\r\n');
    t.run('SET', 'k', 'v2');
    assert.deepEqual(pushed(c), [], 'forgotten after the first invalidation');
    run(c, 'GET', 'k');
    t.run('DEL', 'k');
    assert.deepEqual(pushed(c), [['invalidate', ['k']]]);
  });

  test('every key position of a read-only command is remembered; writes are not reads', () => {
    const t = testEngine();
    const c = tracker(t);
    run(c, 'MGET', 'a', 'b');
    run(c, 'SET', 'w', '1'); // a write: its key is not remembered
    pushed(c);
    t.run('MSET', 'a', '1', 'b', '2', 'w', '3');
    assert.deepEqual(pushed(c), [['invalidate', ['a']], ['invalidate', ['b']]]);
    assert.deepEqual(t.engine.tracking.info(), { clients: 1, keys: 0, items: 0, prefixes: 0 });
  });

  test('a missing key read is tracked too; keys are global across databases', () => {
    const t = testEngine();
    const c = tracker(t);
    run(c, 'GET', 'k');
    t.run('SELECT', '3');
    t.run('SET', 'k', 'other-db');
    assert.deepEqual(pushed(c), [['invalidate', ['k']]]);
  });

  test('a client\'s own write invalidates after its reply; NOLOOP skips its own writes', () => {
    const t = testEngine();
    const c = tracker(t);
    run(c, 'GET', 'k');
    assert.equal(run(c, 'SET', 'k', 'mine'), 'OK');
    assert.deepEqual(pushed(c), [['invalidate', ['k']]]);
    run(c, 'CLIENT', 'TRACKING', 'ON', 'NOLOOP');
    run(c, 'GET', 'k');
    run(c, 'SET', 'k', 'again');
    assert.deepEqual(pushed(c), []);
    t.run('SET', 'k', 'theirs');
    assert.deepEqual(pushed(c), [], 'the own write already removed the key from the table');
  });

  test('inside MULTI a write invalidates at once, and a later read of the transaction tracks again', () => {
    const t = testEngine();
    const c = tracker(t);
    run(c, 'MULTI');
    run(c, 'GET', 'm');
    run(c, 'SET', 'm', 'v');
    run(c, 'GET', 'm');
    assert.deepEqual(run(c, 'EXEC'), [null, 'OK', 'v']);
    assert.deepEqual(pushed(c), [['invalidate', ['m']]]);
    t.run('SET', 'm', 'w');
    assert.deepEqual(pushed(c), [['invalidate', ['m']]], 'the GET after the SET re-tracked it');
  });

  test('expiry invalidates: by the active cycle and on access', () => {
    const t = testEngine();
    const c = tracker(t);
    t.run('SET', 'e', '1', 'PX', '100');
    run(c, 'GET', 'e');
    t.clock.advance(200);
    t.engine.cron();
    assert.deepEqual(pushed(c), [['invalidate', ['e']]]);
    const t2 = testEngine({ config: { 'active-expire-enabled': 'no' } });
    const c2 = tracker(t2);
    t2.run('SET', 'e', '1', 'PX', '100');
    run(c2, 'GET', 'e');
    t2.clock.advance(200);
    t2.run('EXISTS', 'e');
    assert.deepEqual(pushed(c2), [['invalidate', ['e']]]);
  });

  test('FLUSHALL and FLUSHDB invalidate everything with a null, and forget every key', () => {
    const t = testEngine();
    const c = tracker(t);
    const b = tracker(t, 'BCAST');
    run(c, 'GET', 'k');
    t.run('FLUSHDB');
    const [msg] = c.takePushed();
    assert.equal(wire(msg!, 3), '>2\r\n$10\r\ninvalidate\r\n_\r\n');
    assert.deepEqual(pushed(b), [['invalidate', null]]);
    t.run('SET', 'k', 'v');
    assert.deepEqual(pushed(c), [], 'the table was emptied');
    run(c, 'FLUSHALL');
    assert.deepEqual(pushed(c), [['invalidate', null]]);
  });

  test('OFF stops remembering; the table is released when nobody tracks', () => {
    const t = testEngine();
    const c = tracker(t);
    run(c, 'GET', 'k');
    assert.equal(t.engine.tracking.info().keys, 1);
    run(c, 'CLIENT', 'TRACKING', 'OFF');
    assert.deepEqual(t.engine.tracking.info(), { clients: 0, keys: 0, items: 0, prefixes: 0 });
    run(c, 'GET', 'k');
    t.run('SET', 'k', 'v');
    assert.deepEqual(pushed(c), []);
  });

  test('a RESP2 client without redirection hears nothing (RESP2 has no pushes)', () => {
    const t = testEngine();
    const c = t.session();
    run(c, 'CLIENT', 'TRACKING', 'ON');
    run(c, 'GET', 'k');
    t.run('SET', 'k', 'v');
    assert.deepEqual(pushed(c), []);
  });
});

describe('REDIRECT', () => {
  test('to a RESP2 client in pub/sub mode: a message on __redis__:invalidate', () => {
    const t = testEngine();
    const target = t.session();
    run(target, 'SUBSCRIBE', '__redis__:invalidate');
    pushed(target);
    const c = t.session();
    assert.equal(run(c, 'CLIENT', 'TRACKING', 'ON', 'REDIRECT', target.session.id), 'OK');
    run(c, 'GET', 'k');
    t.run('SET', 'k', 'v');
    const [msg] = target.takePushed();
    assert.equal(wire(msg!, 2), '*3\r\n$7\r\nmessage\r\n$20\r\n__redis__:invalidate\r\n*1\r\n$1\r\nk\r\n');
    run(c, 'GET', 'k');
    t.run('FLUSHDB');
    const [flush] = target.takePushed();
    assert.equal(wire(flush!, 2), '*3\r\n$7\r\nmessage\r\n$20\r\n__redis__:invalidate\r\n$-1\r\n');
    assert.equal(run(c, 'CLIENT', 'GETREDIR'), target.session.id);
  });

  test('to a RESP2 client subscribed to anything at all, to a RESP2 client not subscribed, to a RESP3 client', () => {
    const t = testEngine();
    const other = t.session();
    run(other, 'SUBSCRIBE', 'some-other-channel');
    pushed(other);
    const plain = t.session();
    const resp3 = t.session();
    run(resp3, 'HELLO', '3');
    const c = t.session();
    const roundTrip = (target: EmbeddedSession): unknown[] => {
      run(c, 'CLIENT', 'TRACKING', 'ON', 'REDIRECT', target.session.id);
      run(c, 'GET', 'k');
      t.run('SET', 'k', 'v');
      return pushed(target);
    };
    assert.deepEqual(roundTrip(other), [['message', '__redis__:invalidate', ['k']]]);
    assert.deepEqual(roundTrip(plain), []);
    assert.deepEqual(roundTrip(resp3), [['invalidate', ['k']]]);
  });

  test('a target that went away: tracking-redir-broken to a RESP3 client, broken_redirect in TRACKINGINFO', () => {
    const t = testEngine();
    const target = t.session();
    const c = tracker(t, 'REDIRECT', String(target.session.id));
    run(c, 'GET', 'k');
    target.close();
    t.run('SET', 'k', 'v');
    const [msg] = c.takePushed();
    assert.equal(wire(msg!, 3), `>2\r\n$21\r\ntracking-redir-broken\r\n:${target.session.id}\r\n`);
    const info = run(c, 'CLIENT', 'TRACKINGINFO') as Map<string, unknown>;
    assert.deepEqual(info.get('flags'), new Set(['on', 'broken_redirect']));
    assert.equal(info.get('redirect'), target.session.id);
    assert.match(t.run('CLIENT', 'LIST', 'ID', String(c.session.id)) as string, / flags=tR /);
  });

  test('errors: missing target, two redirects, not an integer', () => {
    const t = testEngine();
    const a = t.session();
    const b = t.session();
    const c = t.session();
    assert.deepEqual(run(c, 'CLIENT', 'TRACKING', 'ON', 'REDIRECT', '99999'), { error: 'ERR The client ID you want redirect to does not exist' });
    assert.deepEqual(run(c, 'CLIENT', 'TRACKING', 'ON', 'REDIRECT', '0'), { error: 'ERR The client ID you want redirect to does not exist' });
    assert.deepEqual(run(c, 'CLIENT', 'TRACKING', 'ON', 'REDIRECT', 'abc'), { error: 'ERR value is not an integer or out of range' });
    assert.deepEqual(run(c, 'CLIENT', 'TRACKING', 'ON', 'REDIRECT', a.session.id, 'REDIRECT', b.session.id), { error: 'ERR A client can only redirect to a single other client' });
    assert.deepEqual(run(c, 'CLIENT', 'TRACKING', 'OFF', 'REDIRECT', '99999'), { error: 'ERR The client ID you want redirect to does not exist' });
  });
});

describe('BCAST', () => {
  test('prefixes: one message per prefix per command, keys sorted; no prefix means every key', () => {
    const t = testEngine();
    const c = tracker(t, 'BCAST', 'PREFIX', 'user:', 'PREFIX', 'obj:');
    const all = tracker(t, 'BCAST');
    t.run('MSET', 'user:2', 'a', 'user:1', 'b', 'obj:1', 'c', 'other', 'd');
    assert.deepEqual(pushed(c), [['invalidate', ['obj:1']], ['invalidate', ['user:1', 'user:2']]]);
    assert.deepEqual(pushed(all), [['invalidate', ['obj:1', 'other', 'user:1', 'user:2']]]);
    run(c, 'GET', 'user:1');
    assert.equal(t.engine.tracking.info().keys, 0, 'BCAST clients do not fill the key table');
  });

  test('NOLOOP leaves out the keys the client itself changed last', () => {
    const t = testEngine();
    const c = tracker(t, 'BCAST', 'NOLOOP');
    const other = tracker(t, 'BCAST');
    run(c, 'SET', 'mine', '1');
    assert.deepEqual(pushed(c), []);
    assert.deepEqual(pushed(other), [['invalidate', ['mine']]]);
    run(other, 'MSET', 'mine', '2', 'theirs', '1');
    assert.deepEqual(pushed(c), [['invalidate', ['mine', 'theirs']]]);
    assert.deepEqual(pushed(other), [['invalidate', ['mine', 'theirs']]], 'without NOLOOP a client hears of its own writes');
  });

  test('prefix rules and errors', () => {
    const t = testEngine();
    const c = tracker(t, 'BCAST', 'PREFIX', 'user:');
    const overlap = (p: string, q: string, kind: string): { error: string } => ({
      error: `ERR Prefix '${p}' overlaps with ${kind} prefix '${q}'. Prefixes for a single client must not overlap.`,
    });
    assert.deepEqual(run(c, 'CLIENT', 'TRACKING', 'ON', 'BCAST', 'PREFIX', 'user:x'), overlap('user:x', 'user:', 'an existing'));
    assert.deepEqual(run(c, 'CLIENT', 'TRACKING', 'ON', 'BCAST', 'PREFIX', 'us'), overlap('us', 'user:', 'an existing'));
    assert.deepEqual(run(c, 'CLIENT', 'TRACKING', 'ON', 'BCAST', 'PREFIX', 'user:'), overlap('user:', 'user:', 'an existing'));
    assert.deepEqual(run(c, 'CLIENT', 'TRACKING', 'ON', 'BCAST', 'PREFIX', 'a', 'PREFIX', 'ab'), overlap('a', 'ab', 'another provided'));
    assert.equal(run(c, 'CLIENT', 'TRACKING', 'ON', 'BCAST', 'PREFIX', 'zz'), 'OK', 'prefixes accumulate');
    assert.deepEqual(run(c, 'CLIENT', 'TRACKING', 'ON'), {
      error: "ERR You can't switch BCAST mode on/off before disabling tracking for this client, and then re-enabling it with a different mode.",
    });
    assert.deepEqual(run(c, 'CLIENT', 'TRACKING', 'ON', 'BCAST', 'OPTIN'), { error: 'ERR OPTIN and OPTOUT are not compatible with BCAST' });
    const info = run(c, 'CLIENT', 'TRACKINGINFO') as Map<string, unknown>;
    assert.deepEqual(info.get('flags'), new Set(['on', 'bcast']));
    assert.deepEqual(info.get('prefixes'), ['user:', 'zz']);
    assert.equal(t.engine.tracking.info().prefixes, 2);
    run(c, 'CLIENT', 'TRACKING', 'OFF');
    assert.equal(t.engine.tracking.info().prefixes, 0);
  });

  test('an expiry seen by the cron is broadcast by the cron', () => {
    const t = testEngine();
    const c = tracker(t, 'BCAST');
    t.run('SET', 'k', 'v', 'PX', '50');
    pushed(c);
    t.clock.advance(100);
    t.engine.cron();
    assert.deepEqual(pushed(c), [['invalidate', ['k']]]);
  });
});

describe('OPTIN and OPTOUT', () => {
  test('OPTIN remembers only the command right after CLIENT CACHING YES', () => {
    const t = testEngine();
    const c = tracker(t, 'OPTIN');
    run(c, 'GET', 'a');
    t.run('SET', 'a', '1');
    assert.deepEqual(pushed(c), []);
    run(c, 'CLIENT', 'CACHING', 'YES');
    run(c, 'GET', 'a');
    t.run('SET', 'a', '2');
    assert.deepEqual(pushed(c), [['invalidate', ['a']]]);
    run(c, 'CLIENT', 'CACHING', 'YES');
    run(c, 'PING');
    run(c, 'GET', 'a');
    t.run('SET', 'a', '3');
    assert.deepEqual(pushed(c), [], 'the PING used up the CACHING YES');
    run(c, 'CLIENT', 'CACHING', 'YES');
    run(c, 'CLIENT', 'GETREDIR');
    run(c, 'GET', 'a');
    t.run('SET', 'a', '4');
    assert.deepEqual(pushed(c), [['invalidate', ['a']]], 'CLIENT commands do not use it up');
  });

  test('CLIENT CACHING YES before MULTI covers the whole transaction', () => {
    const t = testEngine();
    const c = tracker(t, 'OPTIN');
    run(c, 'CLIENT', 'CACHING', 'YES');
    run(c, 'MULTI');
    run(c, 'GET', 'b');
    run(c, 'GET', 'c');
    run(c, 'EXEC');
    t.run('MSET', 'b', '1', 'c', '1');
    assert.deepEqual(pushed(c), [['invalidate', ['b']], ['invalidate', ['c']]]);
    run(c, 'GET', 'b');
    t.run('SET', 'b', '2');
    assert.deepEqual(pushed(c), [], 'and ends with it');
  });

  test('OPTOUT remembers everything but the command after CLIENT CACHING NO', () => {
    const t = testEngine();
    const c = tracker(t, 'OPTOUT');
    run(c, 'GET', 'x');
    t.run('SET', 'x', '1');
    assert.deepEqual(pushed(c), [['invalidate', ['x']]]);
    run(c, 'CLIENT', 'CACHING', 'NO');
    run(c, 'GET', 'x');
    t.run('SET', 'x', '2');
    assert.deepEqual(pushed(c), []);
    run(c, 'CLIENT', 'CACHING', 'NO');
    const info = run(c, 'CLIENT', 'TRACKINGINFO') as Map<string, unknown>;
    assert.deepEqual(info.get('flags'), new Set(['on', 'optout', 'caching-no']));
  });

  test('CLIENT CACHING errors', () => {
    const t = testEngine();
    const none = t.session();
    assert.deepEqual(run(none, 'CLIENT', 'CACHING', 'YES'), {
      error: 'ERR CLIENT CACHING can be called only when the client is in tracking mode with OPTIN or OPTOUT mode enabled',
    });
    const optin = tracker(t, 'OPTIN');
    assert.deepEqual(run(optin, 'CLIENT', 'CACHING', 'NO'), { error: 'ERR CLIENT CACHING NO is only valid when tracking is enabled in OPTOUT mode.' });
    assert.deepEqual(run(optin, 'CLIENT', 'CACHING', 'MAYBE'), { error: 'ERR syntax error' });
    assert.deepEqual(run(optin, 'CLIENT', 'CACHING', 'YES', 'YES'), { error: "ERR wrong number of arguments for 'client|caching' command" });
    const optout = tracker(t, 'OPTOUT');
    assert.deepEqual(run(optout, 'CLIENT', 'CACHING', 'YES'), { error: 'ERR CLIENT CACHING YES is only valid when tracking is enabled in OPTIN mode.' });
    const plain = tracker(t);
    assert.deepEqual(run(plain, 'CLIENT', 'CACHING', 'YES'), { error: 'ERR CLIENT CACHING YES is only valid when tracking is enabled in OPTIN mode.' });
  });

  test('OPTIN/OPTOUT switching errors', () => {
    const t = testEngine();
    const c = tracker(t, 'OPTIN');
    assert.deepEqual(run(c, 'CLIENT', 'TRACKING', 'ON', 'OPTOUT'), {
      error: "ERR You can't switch OPTIN/OPTOUT mode before disabling tracking for this client, and then re-enabling it with a different mode.",
    });
    assert.deepEqual(run(c, 'CLIENT', 'TRACKING', 'ON', 'OPTIN', 'OPTOUT'), { error: "ERR You can't specify both OPTIN mode and OPTOUT mode" });
  });
});

describe('CLIENT TRACKING, GETREDIR, TRACKINGINFO', () => {
  test('TRACKINGINFO and GETREDIR when off and on; RESP2 and RESP3 shapes', () => {
    const t = testEngine();
    const c = t.session();
    const off = c.raw(['CLIENT', 'TRACKINGINFO']);
    assert.equal(wire(off, 2), '*6\r\n$5\r\nflags\r\n*1\r\n$3\r\noff\r\n$8\r\nredirect\r\n:-1\r\n$8\r\nprefixes\r\n*0\r\n');
    assert.equal(wire(off, 3), '%3\r\n$5\r\nflags\r\n~1\r\n$3\r\noff\r\n$8\r\nredirect\r\n:-1\r\n$8\r\nprefixes\r\n*0\r\n');
    assert.equal(run(c, 'CLIENT', 'GETREDIR'), -1);
    run(c, 'CLIENT', 'TRACKING', 'ON');
    assert.equal(run(c, 'CLIENT', 'GETREDIR'), 0);
    const on = c.raw(['CLIENT', 'TRACKINGINFO']);
    assert.equal(wire(on, 2), '*6\r\n$5\r\nflags\r\n*1\r\n$2\r\non\r\n$8\r\nredirect\r\n:0\r\n$8\r\nprefixes\r\n*0\r\n');
    run(c, 'CLIENT', 'TRACKING', 'OFF');
    run(c, 'CLIENT', 'TRACKING', 'ON', 'BCAST', 'PREFIX', 'b', 'PREFIX', 'a', 'NOLOOP');
    const bcast = c.raw(['CLIENT', 'TRACKINGINFO']);
    assert.equal(wire(bcast, 3), '%3\r\n$5\r\nflags\r\n~3\r\n$2\r\non\r\n$5\r\nbcast\r\n$6\r\nnoloop\r\n$8\r\nredirect\r\n:0\r\n$8\r\nprefixes\r\n*2\r\n$1\r\na\r\n$1\r\nb\r\n');
  });

  test('option errors, checked before ON/OFF; arity', () => {
    const t = testEngine();
    const c = t.session();
    const e = (...args: string[]): unknown => run(c, 'CLIENT', 'TRACKING', ...args);
    assert.deepEqual(e('ON', 'PREFIX', 'a'), { error: 'ERR PREFIX option requires BCAST mode to be enabled' });
    assert.deepEqual(e('ON', 'FOO'), { error: 'ERR syntax error' });
    assert.deepEqual(e('MAYBE'), { error: 'ERR syntax error' });
    assert.deepEqual(e('ON', 'REDIRECT'), { error: 'ERR syntax error' });
    assert.deepEqual(e('ON', 'PREFIX'), { error: 'ERR syntax error' });
    assert.equal(e('OFF', 'PREFIX', 'x'), 'OK', 'options are parsed, then ignored by OFF');
    assert.deepEqual(run(c, 'CLIENT', 'TRACKING'), { error: "ERR wrong number of arguments for 'client|tracking' command" });
    assert.deepEqual(run(c, 'CLIENT', 'GETREDIR', 'x'), { error: "ERR wrong number of arguments for 'client|getredir' command" });
    assert.deepEqual(run(c, 'CLIENT', 'TRACKINGINFO', 'x'), { error: "ERR wrong number of arguments for 'client|trackinginfo' command" });
  });

  test('CLIENT LIST shows t and B flags and the redirect; RESET turns tracking off', () => {
    const t = testEngine();
    const target = t.session();
    const c = tracker(t, 'BCAST', 'REDIRECT', String(target.session.id));
    const line = t.run('CLIENT', 'LIST', 'ID', String(c.session.id)) as string;
    assert.match(line, / flags=tB /);
    assert.match(line, new RegExp(` redir=${target.session.id} `));
    assert.match(t.run('CLIENT', 'LIST', 'ID', String(target.session.id)) as string, / redir=-1 /);
    run(c, 'RESET');
    assert.equal(run(c, 'CLIENT', 'GETREDIR'), -1);
    assert.equal(t.engine.tracking.info().clients, 0);
  });

  test('tracking-table-max-keys: over the bound the oldest keys are forgotten and invalidated', () => {
    const t = testEngine({ config: { 'tracking-table-max-keys': '2' } });
    const c = tracker(t);
    const other = tracker(t);
    run(other, 'GET', 'a');
    run(c, 'MGET', 'b', 'c');
    assert.deepEqual(pushed(other), [['invalidate', ['a']]], 'the oldest key went; its client was told at once');
    assert.deepEqual(pushed(c), []);
    assert.equal(t.engine.tracking.info().keys, 2);
    run(c, 'GET', 'd');
    assert.deepEqual(pushed(c), [['invalidate', ['b']]], 'told after the reply that made room');
    assert.deepEqual(t.run('CONFIG', 'SET', 'tracking-table-max-keys', '-1'), {
      error: "ERR CONFIG SET failed (possibly related to argument 'tracking-table-max-keys') - argument must be between 0 and 9223372036854775807 inclusive",
    });
    assert.equal((t.run('CONFIG', 'GET', 'tracking-table-max-keys') as Map<string, string>).get('tracking-table-max-keys'), '2');
    assert.equal(testEngine().engine.config.get('tracking-table-max-keys'), '1000000');
  });

  test('a closed tracking client leaves its keys behind harmlessly; writes skip it', () => {
    const t = testEngine();
    const c = tracker(t);
    const d = tracker(t);
    run(c, 'GET', 'k');
    run(d, 'GET', 'k');
    c.close();
    t.run('SET', 'k', 'v');
    assert.deepEqual(pushed(d), [['invalidate', ['k']]]);
    assert.equal(t.engine.tracking.info().clients, 1);
  });
});
