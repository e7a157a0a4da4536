// The embedded typed calls (engine.typedGet / typedSet, behind db.get and db.set) against
// execute: two engines with the same seed, configuration and clock run the same sequence, one
// with the typed calls and one with the same command lines through execute, and must end with
// the same replies, data, effects, notifications, MONITOR lines, WATCH outcomes, INFO, slow log
// and memory accounting. The clock ticks on every read, so that a different number of clock
// reads (timing, the command time) shows as a difference too.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { keyspaceDigest } from '../../src/core/digest.js';
import type { Effect } from '../../src/core/keyspace.js';
import { bulk, type Reply } from '../../src/core/reply.js';
import type { Clock } from '../../src/server/clock.js';
import { ManualClock } from '../../src/server/clock.js';
import { Config } from '../../src/server/config.js';
import { Engine, typedSetArgv } from '../../src/server/engine.js';
import { CairnReplyError, EmbeddedSession, open } from '../../src/embedded.js';

/**
 * A deterministic clock whose monotonic counter advances on every read (7 µs, and now and then
 * 1.2 ms, so that some calls reach the slow log and the latency monitor). With `commandTime` it
 * also has commandNowMs, which makes the engine time constant-cost commands by sampling.
 */
class TickingClock implements Clock {
  private ms = 1_700_000_000_000;
  private micros = 0;
  private reads = 0;
  commandNowMs?: () => number;
  timePassed?: () => void;

  constructor(commandTime: boolean) {
    if (commandTime) {
      this.commandNowMs = () => this.ms;
      this.timePassed = () => undefined;
    }
  }

  nowMs(): number {
    return this.ms;
  }

  nowMicros(): number {
    return this.ms * 1000 + (this.micros % 1000);
  }

  monotonicMicros(): number {
    this.reads++;
    this.micros += this.reads % 13 === 0 ? 1200 : 7;
    return this.micros;
  }

  advance(ms: number): void {
    this.ms += ms;
  }
}

interface World {
  engine: Engine;
  clock: TickingClock;
  effects: Effect[];
  main: EmbeddedSession;
  watcher: EmbeddedSession;
  subscriber: EmbeddedSession;
  monitor: EmbeddedSession;
  /** How many times execute ran for the main session. */
  executed: number;
}

function world(commandTime: boolean, config: Record<string, string> = {}): World {
  const clock = new TickingClock(commandTime);
  const cfg = new Config();
  for (const [k, v] of Object.entries(config)) assert.equal(cfg.set(k, v, false), null);
  const effects: Effect[] = [];
  const engine = new Engine({ clock, seed: 11, config: cfg, hooks: { effects: (e) => effects.push(...e.map((x) => ({ db: x.db, argv: [...x.argv] }))) } });
  const w: World = {
    engine, clock, effects,
    main: new EmbeddedSession(engine),
    watcher: new EmbeddedSession(engine),
    subscriber: new EmbeddedSession(engine),
    monitor: new EmbeddedSession(engine),
    executed: 0,
  };
  const execute = engine.execute.bind(engine);
  engine.execute = (s, argv) => {
    if (s === w.main.session) w.executed++;
    return execute(s, argv);
  };
  w.subscriber.raw(['PSUBSCRIBE', '__key*__:*']);
  return w;
}

type Op =
  | { op: 'get'; key: string }
  | { op: 'set'; key: string; value: string; ttl: number; inSeconds: boolean }
  | { op: 'cmd'; argv: string[] }
  | { op: 'watch'; key: string }
  | { op: 'exec-watched' }
  | { op: 'monitor' }
  | { op: 'advance'; ms: number };

/** Runs one step; the typed world uses the typed calls for get and set, the other execute. */
function step(w: World, o: Op, typed: boolean): Reply | null {
  const s = w.main.session;
  switch (o.op) {
    case 'get': {
      if (!typed) return w.engine.execute(s, ['GET', o.key]);
      const r = w.engine.typedGet(s, o.key);
      if (typeof r !== 'string') return r;
      // A value handed back as is must be ASCII (Entry.asciiValue): otherwise it needed decoding.
      assert.ok(isAscii(r), `typedGet returned a non-ASCII value as is: ${JSON.stringify(r)}`);
      return bulk(r);
    }
    case 'set':
      return typed ? w.engine.typedSet(s, o.key, o.value, o.ttl, o.inSeconds, isAscii(o.value)) : w.engine.execute(s, typedSetArgv(o.key, o.value, o.ttl, o.inSeconds));
    case 'cmd':
      return w.engine.execute(s, [...o.argv]);
    case 'watch':
      w.watcher.raw(['WATCH', o.key]);
      return null;
    case 'exec-watched':
      w.watcher.raw(['MULTI']);
      w.watcher.raw(['INCR', 'counter']);
      return w.watcher.raw(['EXEC']);
    case 'monitor':
      return w.monitor.raw(['MONITOR']);
    case 'advance':
      w.clock.advance(o.ms);
      return null;
  }
}

/** Everything observable of a world, as comparable values. */
function observe(w: World): Record<string, unknown> {
  const probe = new EmbeddedSession(w.engine);
  const out = {
    digest: (() => {
      w.engine.ks.now = w.clock.nowMs();
      return keyspaceDigest(w.engine.ks);
    })(),
    usedMemory: w.engine.usedMemory(),
    keyspaceStats: { ...w.engine.ks.stats },
    dirty: w.engine.ks.dirty,
    effects: w.effects,
    notifications: w.subscriber.takePushed(),
    monitorLines: w.monitor.takePushed(),
    mainPushed: w.main.takePushed(),
    clientList: probe.raw(['CLIENT', 'LIST']),
    info: probe.raw(['INFO', 'everything']),
    slowlog: probe.raw(['SLOWLOG', 'GET', '-1']),
    latency: probe.raw(['LATENCY', 'LATEST']),
    dbsize: [0, 1].map((db) => w.engine.ks.db(db).size),
  };
  probe.close();
  return out;
}

const keyArb = fc.constantFrom('k0', 'k1', 'k2', 'k3', 'list', 'counter', 'caf\xc3\xa9', 'bin\x00\xff');
/** Values as the engine holds them: latin1 strings, one char per byte, binary included. */
const valueArb = fc.oneof(
  fc.constantFrom('', 'v', 'x'.repeat(64), '12345', '\xff\xfe\x00', 'caf\xc3\xa9'),
  fc.uint8Array({ maxLength: 80 }).map((b) => Buffer.from(b).toString('latin1')),
);
const ttlArb = fc.oneof(fc.constant(0), fc.constantFrom(1, 2, 3, 600, 1e12), fc.integer({ min: 1, max: 5000 }));
const commandArb = fc.constantFrom(
  ['LPUSH', 'list', 'x'], ['LPUSH', 'k1', 'x'], ['DEL', 'k0'], ['DEL', 'k1', 'k2'], ['PEXPIRE', 'k0', '50'], ['EXPIRE', 'k2', '1'],
  ['PERSIST', 'k0'], ['SELECT', '1'], ['SELECT', '0'], ['MULTI'], ['EXEC'], ['DISCARD'], ['FLUSHALL'],
  ['CONFIG', 'SET', 'maxmemory', '3000'], ['CONFIG', 'SET', 'maxmemory', '0'], ['CONFIG', 'SET', 'maxmemory-policy', 'allkeys-lru'],
  ['CONFIG', 'SET', 'maxmemory-policy', 'noeviction'], ['CONFIG', 'SET', 'maxmemory-policy', 'allkeys-lfu'],
  ['CONFIG', 'SET', 'maxmemory-policy', 'volatile-ttl'],
  ['CONFIG', 'SET', 'notify-keyspace-events', 'KEA'], ['CONFIG', 'SET', 'notify-keyspace-events', 'Em'], ['CONFIG', 'SET', 'notify-keyspace-events', ''],
  ['CONFIG', 'SET', 'slowlog-log-slower-than', '0'], ['CONFIG', 'SET', 'slowlog-log-slower-than', '1000'], ['CONFIG', 'SET', 'slowlog-log-slower-than', '-1'],
  ['CONFIG', 'SET', 'slowlog-log-slower-than', '10000'], ['CONFIG', 'SET', 'latency-monitor-threshold', '1'], ['CONFIG', 'SET', 'latency-monitor-threshold', '0'],
  ['CONFIG', 'RESETSTAT'], ['CLIENT', 'TRACKING', 'ON'], ['CLIENT', 'TRACKING', 'OFF'], ['CLIENT', 'TRACKING', 'ON', 'BCAST'],
  ['SUBSCRIBE', 'ch'], ['UNSUBSCRIBE'], ['HELLO', '3'], ['HELLO', '2'],
  ['CONFIG', 'SET', 'requirepass', 'pw'], ['CONFIG', 'SET', 'requirepass', ''], ['RESET'], ['AUTH', 'pw'],
  ['OBJECT', 'FREQ', 'k0'], ['OBJECT', 'IDLETIME', 'k1'], ['TTL', 'k0'], ['PTTL', 'k2'], ['GET', 'k0'], ['SET', 'k3', 'plain'],
  // Changes of a string value in place or by moving keys: an ASCII value may stop being one.
  ['APPEND', 'k0', '\xe9'], ['APPEND', 'k1', 'ok'], ['SETRANGE', 'k0', '1', '\xff'], ['SETRANGE', 'k2', '0', 'ab'], ['INCR', 'k2'],
  ['INCRBYFLOAT', 'k3', '1.5'], ['SETBIT', 'k1', '7', '1'], ['SETBIT', 'k0', '0', '1'], ['GETSET', 'k0', '\xc3\xa9'], ['GETDEL', 'k1'],
  ['MSET', 'k0', '\xff', 'k1', 'x'], ['RENAME', 'k0', 'k1'], ['COPY', 'k2', 'k3'], ['MOVE', 'k0', '1'], ['SWAPDB', '0', '1'],
  ['SET', 'k2', '\x80', 'KEEPTTL'], ['GETEX', 'k0', 'PERSIST'], ['PFADD', 'k3', 'a'], ['LPOP', 'list'],
);
const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 6, arbitrary: keyArb.map((key) => ({ op: 'get' as const, key })) },
  { weight: 6, arbitrary: fc.record({ key: keyArb, value: valueArb, ttl: ttlArb, inSeconds: fc.boolean() }).map((r) => ({ op: 'set' as const, ...r })) },
  { weight: 4, arbitrary: commandArb.map((argv) => ({ op: 'cmd' as const, argv: [...argv] })) },
  { weight: 1, arbitrary: keyArb.map((key) => ({ op: 'watch' as const, key })) },
  { weight: 1, arbitrary: fc.constant({ op: 'exec-watched' as const }) },
  { weight: 1, arbitrary: fc.constant({ op: 'monitor' as const }) },
  { weight: 2, arbitrary: fc.integer({ min: 1, max: 2500 }).map((ms) => ({ op: 'advance' as const, ms })) },
);

function runBoth(ops: readonly Op[], commandTime: boolean, config: Record<string, string> = {}): { typed: World; generic: World } {
  const typed = world(commandTime, config);
  const generic = world(commandTime, config);
  ops.forEach((o, i) => {
    const a = step(typed, o, true);
    const b = step(generic, o, false);
    assert.deepEqual(a, b, `step ${i}: ${JSON.stringify(o)}`);
  });
  assert.deepEqual(observe(typed), observe(generic));
  return { typed, generic };
}

describe('typed calls against execute', () => {
  test('random sequences: same replies, data, effects, notifications, MONITOR, WATCH, INFO, slow log, memory', () => {
    fc.assert(
      fc.property(fc.array(opArb, { minLength: 1, maxLength: 80 }), fc.boolean(), (ops, commandTime) => {
        runBoth(ops, commandTime);
      }),
      { numRuns: 300 },
    );
  });

  test('random sequences under maxmemory with eviction (LRU, LFU, TTL)', () => {
    const policy = fc.constantFrom('allkeys-lru', 'allkeys-lfu', 'volatile-ttl', 'noeviction', 'allkeys-random');
    fc.assert(
      fc.property(fc.array(opArb, { minLength: 1, maxLength: 80 }), fc.boolean(), policy, (ops, commandTime, p) => {
        runBoth(ops, commandTime, { maxmemory: '2500', 'maxmemory-policy': p });
      }),
      { numRuns: 150 },
    );
  });

  test('a plain session takes the direct path; each condition that is not plain goes through execute', () => {
    const { typed } = runBoth([
      { op: 'set', key: 'k0', value: 'v', ttl: 600, inSeconds: true },
      { op: 'get', key: 'k0' },
      { op: 'set', key: 'k1', value: 'w', ttl: 0, inSeconds: false },
    ], true);
    assert.equal(typed.executed, 0);
    const notPlain: Array<{ setup: string[][]; undo: string[][] }> = [
      { setup: [['MULTI']], undo: [['DISCARD']] },
      { setup: [['CLIENT', 'TRACKING', 'ON']], undo: [['CLIENT', 'TRACKING', 'OFF']] },
      { setup: [['SUBSCRIBE', 'ch']], undo: [['UNSUBSCRIBE']] },
      { setup: [['CONFIG', 'SET', 'requirepass', 'pw'], ['RESET']], undo: [['AUTH', 'pw'], ['CONFIG', 'SET', 'requirepass', '']] },
    ];
    for (const { setup, undo } of notPlain) {
      const w = world(true);
      for (const argv of setup) w.engine.execute(w.main.session, argv);
      const before = w.executed;
      w.engine.typedGet(w.main.session, 'k');
      w.engine.typedSet(w.main.session, 'k', 'v', 0, false, true);
      assert.equal(w.executed, before + 2, JSON.stringify(setup));
      for (const argv of undo) w.engine.execute(w.main.session, argv);
      const after = w.executed;
      w.engine.typedGet(w.main.session, 'k');
      assert.equal(w.executed, after, `plain again after ${JSON.stringify(undo)}`);
    }
    const monitored = world(true);
    monitored.monitor.raw(['MONITOR']);
    monitored.engine.typedGet(monitored.main.session, 'k');
    assert.equal(monitored.executed, 1);
  });

  test('the sequences the embedded benchmark runs, with the log on: same effects (SET ... PXAT) and stats', () => {
    const ops: Op[] = [];
    for (let i = 0; i < 300; i++) {
      ops.push({ op: 'set', key: `key:${(i * 7919) % 50}`, value: 'x'.repeat(64), ttl: 600, inSeconds: true });
      ops.push({ op: 'get', key: `key:${(i * 104729) % 60}` });
      if (i % 25 === 0) ops.push({ op: 'advance', ms: 650_000 });
    }
    for (const commandTime of [false, true]) {
      const { typed } = runBoth(ops, commandTime);
      assert.ok(typed.effects.some((e) => e.argv[0] === 'SET' && e.argv[3] === 'PXAT'));
      assert.ok(typed.effects.some((e) => e.argv[0] === 'DEL'), 'expired keys are logged as DEL');
      assert.equal(typed.executed, 0);
    }
  });

  test('a value changed in place after a typed SET is read back through its bulk reply', () => {
    const ops: Op[] = [];
    const changes = [['APPEND', 'k0', '\xe9'], ['SETRANGE', 'k0', '0', '\xff'], ['SETBIT', 'k0', '0', '1'], ['INCRBYFLOAT', 'k0', '1'], ['GETSET', 'k0', '\x80']];
    for (const argv of changes) {
      ops.push({ op: 'set', key: 'k0', value: '7', ttl: 0, inSeconds: false }, { op: 'get', key: 'k0' }, { op: 'cmd', argv }, { op: 'get', key: 'k0' });
    }
    runBoth(ops, true);
  });

  test('WRONGTYPE, and a key expiring exactly at its TTL, are the same through both', () => {
    runBoth([
      { op: 'cmd', argv: ['LPUSH', 'list', 'a'] },
      { op: 'get', key: 'list' },
      { op: 'set', key: 'list', value: 'now a string', ttl: 1000, inSeconds: false },
      { op: 'get', key: 'list' },
      { op: 'advance', ms: 999 },
      { op: 'get', key: 'list' },
      { op: 'advance', ms: 1 },
      { op: 'get', key: 'list' },
      { op: 'cmd', argv: ['INFO', 'stats'] },
    ], false);
  });
});

describe('db.get and db.set against db.command', () => {
  /** The same call on two instances: typed on one, db.command on the other; same value or same error. */
  function same(a: () => unknown, b: () => unknown, what: string): void {
    const run = (f: () => unknown): { ok: unknown } | { error: string } => {
      try {
        return { ok: f() };
      } catch (e) {
        assert.ok(e instanceof CairnReplyError, `${what}: ${String(e)}`);
        return { error: e.message };
      }
    };
    assert.deepEqual(run(a), run(b), what);
  }

  test('text, binary, numbers and every TTL shape answer alike', async () => {
    const typed = open({ seed: 3, clock: new ManualClock() });
    const generic = open({ seed: 3, clock: new ManualClock() });
    try {
      const keys: Array<string | Buffer | number> = ['k', 'ключ', Buffer.from([0, 0xff, 0x80]), 42, 'caf\u00e9'];
      const values: Array<string | Buffer | number | bigint> = ['v', 'значение ✓', Buffer.from([0xc3, 0x28]), 7, 12n, 'x'.repeat(100)];
      const ttls: Array<{ ex?: number; px?: number } | undefined> = [
        undefined, {}, { ex: 600 }, { px: 1500 }, { ex: 0 }, { px: -1 }, { ex: 1.5 }, { ex: Number.NaN }, { ex: 1e12 }, { ex: 1e12 + 1 },
        { px: 2 ** 53 }, { ex: 1, px: 1 }, { ex: '600' as unknown as number }, { ex: 2 ** 62 }, { ex: Infinity },
      ];
      for (const k of keys) {
        for (const v of values) {
          for (const ttl of ttls) {
            const what = `${String(k)} ${String(v)} ${JSON.stringify(ttl)}`;
            same(() => typed.set(k, v, ttl), () => generic.command('SET', k, v, ...ttlWords(ttl)), what);
            same(() => typed.get(k), () => generic.command('GET', k), what);
            // The value changed in place by a command: the typed read must decode it again.
            same(() => typed.command('APPEND', k, 'é'), () => generic.command('APPEND', k, 'é'), what);
            same(() => typed.get(k), () => generic.command('GET', k), what);
            same(() => typed.command('PTTL', k), () => generic.command('PTTL', k), what);
          }
        }
      }
      typed.command('LPUSH', 'l', 'x');
      generic.command('LPUSH', 'l', 'x');
      same(() => typed.get('l'), () => generic.command('GET', 'l'), 'WRONGTYPE');
      same(() => typed.command('DEBUG', 'DIGEST'), () => generic.command('DEBUG', 'DIGEST'), 'digest');
    } finally {
      await typed.close();
      await generic.close();
    }
  });
});

function isAscii(s: string): boolean {
  return /^[\x00-\x7f]*$/.test(s);
}

function ttlWords(ttl: { ex?: number; px?: number } | undefined): string[] {
  const out: string[] = [];
  if (ttl?.ex !== undefined) out.push('EX', String(ttl.ex));
  if (ttl?.px !== undefined) out.push('PX', String(ttl.px));
  return out;
}
