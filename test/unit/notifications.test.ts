// Keyspace notifications on the in-process engine: `notify-keyspace-events` parsing and its
// CONFIG GET form, the events each command fires (names, order, database), class filtering,
// expiry by time, and the switch that keeps the core from collecting events nobody reads.
// Expected values were recorded from redis-server 7.0.15 with the same command sequence.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { testEngine, type TestEngine } from '../helpers/engine.js';
import { decodeReply } from '../../src/server/decode.js';
import type { EmbeddedSession } from '../../src/embedded.js';
import {
  displayKeyspaceEventsOption, eventClass, isKnownEvent, keyspaceEventFlagsToString, normalizeKeyspaceEventsOption,
  NOTIFY, parseKeyspaceEventFlags,
} from '../../src/server/notifications.js';

/** What CONFIG GET shows after CONFIG SET notify-keyspace-events <input>, from redis-server 7.0.15. */
const CONFIG_FORMS: Array<[string, string]> = [
  ['A', 'A'], ['KEA', 'AKE'], ['Kn', 'nK'], ['Kd', 'dK'], ['Km', 'Km'], ['g$lshzxetd', 'A'], ['g$lshzxet', 'g$lshzxet'],
  ['AK', 'AK'], ['AnK', 'AK'], ['E', 'E'], ['x', 'x'], ['Ex', 'xE'], ['Kz', 'zK'], ['KEAm', 'AKEm'], ['nE', 'nE'], ['', ''],
  ['AKEnm', 'AKEm'], ['hhhK', 'hK'],
];

describe('notify-keyspace-events', () => {
  test('CONFIG SET / GET normalise the classes as Redis does', () => {
    const t = testEngine();
    for (const [input, shown] of CONFIG_FORMS) {
      assert.equal(t.run('CONFIG', 'SET', 'notify-keyspace-events', input), 'OK', input);
      assert.equal((t.run('CONFIG', 'GET', 'notify-keyspace-events') as Map<string, string>).get('notify-keyspace-events'), shown, input);
    }
  });

  test('an unknown class character is refused with Redis\'s text, and nothing changes', () => {
    const t = testEngine({ config: { 'notify-keyspace-events': 'KEA' } });
    assert.deepEqual(t.run('CONFIG', 'SET', 'notify-keyspace-events', 'KQ'), {
      error: "ERR CONFIG SET failed (possibly related to argument 'notify-keyspace-events') - Invalid event class character. Use 'Ag$lshzxeKEtmdn'.",
    });
    assert.equal((t.run('CONFIG', 'GET', 'notify-keyspace-events') as Map<string, string>).get('notify-keyspace-events'), 'AKE');
  });

  test('"n" next to "A" is hidden by CONFIG GET but still applies', () => {
    const t = testEngine({ config: { 'notify-keyspace-events': 'AnE' } });
    const s = t.session();
    s.raw(['SUBSCRIBE', '__keyevent@0__:new']);
    s.takePushed();
    t.run('SET', 'fresh', '1');
    assert.deepEqual(s.takePushed().map((r) => decodeReply(r, false)), [['message', '__keyevent@0__:new', 'fresh']]);
  });

  test('parse / format round trips for every single class', () => {
    for (const c of 'g$lshzxetdnmKE') {
      const flags = parseKeyspaceEventFlags(c)!;
      assert.notEqual(flags, 0, c);
      assert.equal(keyspaceEventFlagsToString(flags), c);
    }
    assert.equal(parseKeyspaceEventFlags('KE?'), null);
    const stored = normalizeKeyspaceEventsOption('AKEn') as { value: string };
    assert.equal(parseKeyspaceEventFlags(stored.value), parseKeyspaceEventFlags('AKEn'), 'the stored form keeps every class');
    assert.equal(displayKeyspaceEventsOption('g$lshzxetdnKE'), 'AKE');
  });

  test('event classes: names are unique per class', () => {
    assert.equal(eventClass('set'), NOTIFY.STRING);
    assert.equal(eventClass('del'), NOTIFY.GENERIC);
    assert.equal(eventClass('expired'), NOTIFY.EXPIRED);
    assert.equal(eventClass('evicted'), NOTIFY.EVICTED);
    assert.equal(eventClass('new'), NOTIFY.NEW);
    assert.equal(eventClass('keymiss'), NOTIFY.KEY_MISS);
    assert.equal(eventClass('lpush'), NOTIFY.LIST);
    assert.equal(eventClass('sadd'), NOTIFY.SET);
    assert.equal(eventClass('hexpired'), NOTIFY.HASH);
    assert.equal(eventClass('zincr'), NOTIFY.ZSET);
    assert.equal(eventClass('xadd'), NOTIFY.STREAM);
  });

  test('every event name the core fires is one Redis fires', () => {
    const dir = path.resolve('src/core/commands');
    const names = new Set<string>();
    const files = [...readdirSync(dir).map((f) => path.join(dir, f)), path.resolve('src/core/keyspace.ts')];
    for (const file of files.filter((f) => f.endsWith('.ts'))) {
      for (const m of readFileSync(file, 'utf8').matchAll(/\.notify\([^,]+,\s*'([^']+)'/g)) names.add(m[1]!);
    }
    assert.ok(names.size > 10, 'found the notify calls');
    for (const n of names) assert.ok(isKnownEvent(n), `unknown event name '${n}'`);
  });
});

/** Subscribes a session to every keyevent channel; returns a reader of "event:key[@db]" lines. */
function listen(t: TestEngine): () => string[] {
  const s = t.session();
  s.raw(['PSUBSCRIBE', '__keyevent@*']);
  s.takePushed();
  return () => s.takePushed().map((r) => {
    const [, , channel, key] = decodeReply(r, false) as string[];
    const m = /^__keyevent@(\d+)__:(.*)$/.exec(channel!)!;
    return `${m[2]}:${key}${m[1] === '0' ? '' : '@' + m[1]}`;
  });
}

/**
 * Commands and the events redis-server 7.0.15 fired for each, with notify-keyspace-events
 * 'AKEnm'. ['+ms', n] advances the clock by n ms and runs the cron (active expiry).
 */
const SEQUENCE: Array<[Array<string | number>, string[]]> = [
  [['set', 'a', '1'], ['new:a', 'set:a']],
  [['set', 'a', '2', 'ex', '100'], ['set:a', 'expire:a']],
  [['set', 'a', '3', 'keepttl'], ['set:a']],
  [['setnx', 'a', 'x'], []],
  [['setnx', 'b', 'x'], ['new:b', 'set:b']],
  [['get', 'nokey'], ['keymiss:nokey']],
  [['get', 'a'], []],
  [['mget', 'a', 'zz'], ['keymiss:zz']],
  [['getdel', 'b'], ['del:b']],
  [['getex', 'a', 'persist'], ['persist:a']],
  [['getex', 'a', 'ex', '10'], ['expire:a']],
  [['getex', 'a', 'pxat', '1'], ['del:a']],
  [['set', 'a', '1'], ['new:a', 'set:a']],
  [['incr', 'a'], ['incrby:a']],
  [['incrby', 'a', '5'], ['incrby:a']],
  [['decr', 'a'], ['incrby:a']],
  [['decrby', 'a', '2'], ['incrby:a']],
  [['incrbyfloat', 'a', '1.5'], ['incrbyfloat:a']],
  [['append', 'a', 'x'], ['append:a']],
  [['append', 'n', 'x'], ['new:n', 'append:n']],
  [['setrange', 'a', '0', 'y'], ['setrange:a']],
  [['setrange', 'n2', '3', 'y'], ['new:n2', 'setrange:n2']],
  [['setrange', 'n3', '0', ''], []],
  [['getset', 'a', 'q'], ['set:a']],
  [['mset', 'a', '1', 'b', '2'], ['set:a', 'new:b', 'set:b']],
  [['msetnx', 'c', '1', 'd', '2'], ['new:c', 'set:c', 'new:d', 'set:d']],
  [['setex', 'e', '10', 'v'], ['new:e', 'set:e', 'expire:e']],
  [['psetex', 'e', '10000', 'v'], ['set:e', 'expire:e']],
  [['del', 'a', 'b', 'zz'], ['del:a', 'del:b']],
  [['unlink', 'c'], ['del:c']],
  [['expire', 'd', '100'], ['expire:d']],
  [['expire', 'd', '0'], ['del:d']],
  [['pexpire', 'e', '-1'], ['del:e']],
  [['set', 'f', '1'], ['new:f', 'set:f']],
  [['persist', 'f'], []],
  [['expire', 'f', '10'], ['expire:f']],
  [['persist', 'f'], ['persist:f']],
  [['expireat', 'f', '1'], ['del:f']],
  [['set', 'g', '1', 'px', '50'], ['new:g', 'set:g', 'expire:g']],
  [['+ms', 200], ['expired:g']],
  [['get', 'g'], ['keymiss:g']],
  [['set', 'r1', 'v'], ['new:r1', 'set:r1']],
  [['rename', 'r1', 'r2'], ['new:r2', 'rename_from:r1', 'rename_to:r2']],
  [['set', 'r3', 'v'], ['new:r3', 'set:r3']],
  [['rename', 'r2', 'r3'], ['new:r3', 'rename_from:r2', 'rename_to:r3']],
  [['renamenx', 'r3', 'r4'], ['new:r4', 'rename_from:r3', 'rename_to:r4']],
  [['set', 'r5', 'x'], ['new:r5', 'set:r5']],
  [['renamenx', 'r4', 'r5'], []],
  [['rename', 'r4', 'r4'], []],
  [['copy', 'r4', 'r6'], ['new:r6', 'copy_to:r6']],
  [['copy', 'r4', 'r6', 'replace'], ['new:r6', 'copy_to:r6']],
  [['copy', 'r4', 'r7', 'db', '1'], ['new:r7@1', 'copy_to:r7@1']],
  [['move', 'r7', '2'], []],
  [['move', 'r4', '1'], ['new:r4@1', 'move_from:r4', 'move_to:r4@1']],
  [['flushall'], []],
  [['set', 'k', 'v'], ['new:k', 'set:k']],
  [['getrange', 'k', '0', '1'], []],
  [['strlen', 'nokey'], ['keymiss:nokey']],
  [['dump', 'nokey'], ['keymiss:nokey']],
  [['set', 'k', 'v', 'get'], ['set:k']],
  [['set', 'k2', 'v', 'nx', 'get'], ['keymiss:k2', 'new:k2', 'set:k2']],
  [['set', 'k2', 'v', 'xx', 'get'], ['set:k2']],
  [['set', 'a', '1'], ['new:a', 'set:a']],
  [['touch', 'a', 'zz'], ['keymiss:zz']],
  [['lcs', 'a', 'zz'], ['keymiss:zz']],
  [['sadd', 's', 'a', 'b'], ['new:s', 'sadd:s']],
  [['srem', 's', 'a'], ['srem:s']],
  [['srem', 's', 'b'], ['srem:s', 'del:s']],
  [['swapdb', '0', '1'], []],
  [['flushdb'], []],
];

describe('events fired by the commands', () => {
  test('names, order and databases match redis-server for the string, key and expiry commands', () => {
    const t = testEngine({ config: { 'notify-keyspace-events': 'AKEnm' } });
    const events = listen(t);
    for (const [cmd, expected] of SEQUENCE) {
      if (cmd[0] === '+ms') {
        t.clock.advance(cmd[1] as number);
        t.engine.cron();
      } else {
        t.run(...cmd);
      }
      assert.deepEqual(events(), expected, cmd.join(' '));
    }
  });

  test('a key found expired by a read fires expired, then keymiss', () => {
    const t = testEngine({ config: { 'notify-keyspace-events': 'AKEnm', 'active-expire-enabled': 'no' } });
    const events = listen(t);
    t.run('SET', 'k', 'v', 'PX', '10');
    events();
    t.clock.advance(20);
    assert.equal(t.run('GET', 'k'), null);
    assert.deepEqual(events(), ['expired:k', 'keymiss:k']);
  });

  test('keyspace channels carry the event, keyevent channels the key; SELECTed db in the name', () => {
    const t = testEngine({ config: { 'notify-keyspace-events': 'KE$' } });
    const s = t.session();
    s.raw(['PSUBSCRIBE', '__key*']);
    s.takePushed();
    t.run('SELECT', '3');
    t.run('SET', 'k', 'v');
    assert.deepEqual(s.takePushed().map((r) => decodeReply(r, false)), [
      ['pmessage', '__key*', '__keyspace@3__:k', 'set'],
      ['pmessage', '__key*', '__keyevent@3__:set', 'k'],
    ]);
  });

  test('only the enabled classes are published, and only on the enabled kinds of channel', () => {
    const check = (flags: string, expected: string[]): void => {
      const t = testEngine({ config: { 'notify-keyspace-events': flags } });
      const s = t.session();
      s.raw(['PSUBSCRIBE', '__key*']);
      s.takePushed();
      t.run('SET', 'k', 'v');
      t.run('DEL', 'k');
      t.run('GET', 'k');
      assert.deepEqual(s.takePushed().map((r) => (decodeReply(r, false) as string[]).slice(2).join(' ')), expected, flags);
    };
    check('K$', ['__keyspace@0__:k set']);
    check('Eg', ['__keyevent@0__:del k']);
    check('Em', ['__keyevent@0__:keymiss k']);
    check('KA', ['__keyspace@0__:k set', '__keyspace@0__:k del']);
    check('g$', []); // no K or E: nothing is published
    check('KE', []); // no class
  });

  test('events of a transaction go out while EXEC runs', () => {
    const t = testEngine({ config: { 'notify-keyspace-events': 'E$' } });
    const s = t.session();
    s.raw(['SUBSCRIBE', '__keyevent@0__:set']);
    s.takePushed();
    t.run('MULTI');
    t.run('SET', 'a', '1');
    t.run('SET', 'b', '2');
    assert.equal(s.takePushed().length, 0);
    t.run('EXEC');
    assert.deepEqual(s.takePushed().map((r) => (decodeReply(r, false) as string[])[2]), ['a', 'b']);
  });

  test('expiry by the active cycle is published from the cron', () => {
    const t = testEngine({ config: { 'notify-keyspace-events': 'Ex' } });
    const s = t.session();
    s.raw(['SUBSCRIBE', '__keyevent@0__:expired']);
    s.takePushed();
    t.run('SET', 'k', 'v', 'PX', '100');
    t.clock.advance(150);
    assert.equal(s.takePushed().length, 0);
    t.engine.cron();
    assert.deepEqual(s.takePushed().map((r) => decodeReply(r, false)), [['message', '__keyevent@0__:expired', 'k']]);
  });
});

describe('event collection', () => {
  test('the core collects events only while notifications are on or a client tracks keys', () => {
    const t = testEngine();
    assert.equal(t.engine.ks.collectEvents, false);
    t.run('CONFIG', 'SET', 'notify-keyspace-events', 'KEA');
    assert.equal(t.engine.ks.collectEvents, true);
    t.run('CONFIG', 'SET', 'notify-keyspace-events', '');
    assert.equal(t.engine.ks.collectEvents, false);
    const s = t.session();
    s.raw(['CLIENT', 'TRACKING', 'ON']);
    assert.equal(t.engine.ks.collectEvents, true);
    s.raw(['CLIENT', 'TRACKING', 'OFF']);
    assert.equal(t.engine.ks.collectEvents, false);
    t.run('SET', 'k', 'v');
    assert.deepEqual(t.engine.ks.takeEvents(), [], 'nothing was recorded');
  });

  test('with collection off, commands pay nothing and publish nothing', () => {
    const t = testEngine();
    const s: EmbeddedSession = t.session();
    s.raw(['PSUBSCRIBE', '*']);
    s.takePushed();
    t.run('SET', 'k', 'v');
    assert.deepEqual(s.takePushed(), []);
  });
});
