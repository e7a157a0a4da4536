// The command clock (system-clock.ts, engine.ts): command time served from a recent read, fast
// and O(1) commands timed by sampling, and the exact stats and slow log where they must be.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { ManualClock } from '../../src/server/clock.js';
import { Engine } from '../../src/server/engine.js';
import { Config } from '../../src/server/config.js';
import { EmbeddedSession, open } from '../../src/embedded.js';
import { systemClock } from '../../src/io/system-clock.js';
import { Entry } from '../../src/core/keyspace.js';

/** A manual clock that serves command time from a value the test sets and counts its reads. */
class CachingClock extends ManualClock {
  commandTime = 1_700_000_000_000;
  monotonicReads = 0;
  timePassedCalls = 0;
  /** Microseconds each monotonic read moves the clock by (the duration of a timed call). */
  stepMicros = 3;
  private micros = 0;
  commandNowMs(): number {
    return this.commandTime;
  }
  override monotonicMicros(): number {
    this.monotonicReads++;
    this.micros += this.stepMicros;
    return this.micros;
  }
  timePassed(): void {
    this.timePassedCalls++;
  }
}

function setup(config: Record<string, string> = {}): { engine: Engine; clock: CachingClock; session: EmbeddedSession } {
  const clock = new CachingClock();
  const c = new Config();
  for (const [k, v] of Object.entries(config)) assert.equal(c.set(k, v, false), null);
  const engine = new Engine({ clock, seed: 1, config: c });
  return { engine, clock, session: new EmbeddedSession(engine) };
}

function commandStat(session: EmbeddedSession, name: string): string {
  const line = String(session.command('INFO', 'commandstats')).split('\r\n').find((l) => l.startsWith(`cmdstat_${name}:`));
  assert.ok(line !== undefined, `no stats for ${name}`);
  return line;
}

test('constant-cost commands are timed one call in 16; calls stay exact and usec is scaled from the sample', () => {
  const { clock, session } = setup();
  session.command('SET', 'k', 'v');
  clock.monotonicReads = 0;
  for (let i = 0; i < 31; i++) session.command('GET', 'k'); // 32 GETs with the one below
  session.command('GET', 'k');
  assert.equal(clock.monotonicReads, 2 * 2, 'two timed GETs (the 1st and the 17th), two reads each');
  // Each timed call measured 3 µs: 2 samples of 32 calls -> 96 µs estimated in all.
  assert.match(commandStat(session, 'get'), /^cmdstat_get:calls=32,usec=96,usec_per_call=3\.00,/);
});

test('commands that are neither fast nor O(1) are timed on every call', () => {
  const { clock, session } = setup();
  clock.monotonicReads = 0;
  for (let i = 0; i < 5; i++) session.command('KEYS', '*');
  assert.equal(clock.monotonicReads, 10);
  assert.match(commandStat(session, 'keys'), /^cmdstat_keys:calls=5,usec=15,/);
});

test('a slow-log threshold under 1 ms or the latency monitor times every call', () => {
  const configs: Array<Record<string, string>> = [{ 'slowlog-log-slower-than': '0' }, { 'latency-monitor-threshold': '5' }];
  for (const config of configs) {
    const { clock, session } = setup(config);
    clock.monotonicReads = 0;
    for (let i = 0; i < 20; i++) session.command('GET', 'k');
    assert.equal(clock.monotonicReads, 40, JSON.stringify(config));
  }
  const { session } = setup({ 'slowlog-log-slower-than': '0' });
  for (let i = 0; i < 20; i++) session.command('GET', 'k');
  assert.equal(session.command('SLOWLOG', 'LEN'), 20);
  // Changing the option at run time switches the timing mode too.
  const live = setup();
  live.session.command('CONFIG', 'SET', 'slowlog-log-slower-than', '0');
  live.clock.monotonicReads = 0;
  for (let i = 0; i < 3; i++) live.session.command('GET', 'k');
  assert.equal(live.clock.monotonicReads, 6);
});

test('commands run at the clock\'s command time; a call of a millisecond or more makes it read the clock again', () => {
  const { engine, clock, session } = setup();
  clock.commandTime = 1_800_000_000_000;
  session.command('SET', 'k', 'v', 'PX', '100');
  assert.equal(engine.ks.now, 1_800_000_000_000);
  assert.equal(session.command('PEXPIRETIME', 'k'), 1_800_000_000_100);
  clock.commandTime += 100;
  assert.equal(session.command('GET', 'k'), null);
  assert.equal(clock.timePassedCalls, 0);
  clock.stepMicros = 1500; // every timed call now lasts 1.5 ms
  session.command('KEYS', '*');
  assert.equal(clock.timePassedCalls, 1);
});

test('a clock without command time (tests, the simulator) times every call and reads nowMs', () => {
  const clock = new ManualClock(1_750_000_000_000);
  const engine = new Engine({ clock, seed: 1 });
  const s = new EmbeddedSession(engine);
  s.command('SET', 'k', 'v', 'PX', '10');
  clock.advance(10);
  assert.equal(s.command('GET', 'k'), null);
  for (let i = 0; i < 20; i++) s.command('GET', 'k');
  assert.match(String(s.command('INFO', 'commandstats')), /cmdstat_get:calls=21,usec=0,/);
});

test('the system clock serves one command time per synchronous stretch and a fresh one after it', async () => {
  const commandNowMs = systemClock.commandNowMs!.bind(systemClock);
  const first = commandNowMs();
  assert.equal(commandNowMs(), first);
  assert.ok(first <= Date.now());
  await sleep(5);
  const later = commandNowMs();
  assert.ok(later > first, `${later} > ${first}`);
  assert.ok(later <= Date.now());
  // Bounded by count within one stretch too: after 64 reads the clock is read again.
  for (let i = 0; i < 64; i++) commandNowMs();
  systemClock.timePassed!();
  assert.ok(commandNowMs() >= later);
});

test('embedded keys expire across awaits with the cached command time', async () => {
  const db = open({ seed: 1 });
  try {
    db.set('k', 'v', { px: 20 });
    assert.equal(db.get('k'), 'v');
    await sleep(40);
    assert.equal(db.get('k'), null);
  } finally {
    await db.close();
  }
});

test('expiry times round-trip exactly in every form (small offset or boxed)', () => {
  const e = new Entry('k', 'string', 'v');
  assert.equal(e.expiresAt, 0);
  const base = 1_700_000_000_000;
  const times = [base, base + 1, base + 2 ** 31 - 2 ** 20 - 1, base + 2 ** 31, base - 2 ** 21, 1, 2 ** 31, 2 ** 53 - 1, 2 ** 60, 9_223_372_036_854_775_807, 0.5 + base];
  for (const t of times) {
    e.expiresAt = t;
    assert.equal(e.expiresAt, t, `round trip of ${t}`);
  }
  e.expiresAt = 0;
  assert.equal(e.expiresAt, 0);
});
