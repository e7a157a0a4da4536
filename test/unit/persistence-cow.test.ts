// Copy-on-write snapshots: a background snapshot taken while random writes run holds exactly
// the data set of the instant it started (compared by keyspace digest against a copy made at
// that instant through DUMP, independently of the snapshot code), and a log rewrite under the
// same writes replays to the live data set.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import fc from 'fast-check';
import { dumpValue, restoreValue } from '../../src/core/dump.js';
import { keyspaceDigest } from '../../src/core/digest.js';
import { Keyspace } from '../../src/core/keyspace.js';
import { WHOLE_DATABASE_WRITES } from '../../src/io/persistence/manager.js';
import { buildCommandTable } from '../../src/server/command-list.js';
import { DATA_DIR, persistentEngine, settle, TickingClock, type PersistentEngine } from '../helpers/persistence.js';

interface SavedKey {
  db: number;
  key: string;
  payload: string;
  expiresAt: number;
}

/** The data set as DUMP payloads: the oracle, independent of the snapshot format and job. */
function copyOf(t: PersistentEngine): SavedKey[] {
  const out: SavedKey[] = [];
  for (const db of t.engine.ks.dbs) {
    for (const e of db.entries.values()) out.push({ db: db.id, key: e.key, payload: dumpValue(e.type, e.value), expiresAt: e.expiresAt });
  }
  return out;
}

function digestOf(saved: SavedKey[], nowMs: number): string {
  const ks = new Keyspace({ databases: 16 });
  ks.now = nowMs;
  for (const s of saved) {
    const r = restoreValue(s.payload);
    if (!r.ok) throw new Error('oracle payload');
    const e = ks.dbs[s.db]!.add(s.key, r.type, r.value);
    if (s.expiresAt !== 0) ks.dbs[s.db]!.setExpire(e, s.expiresAt);
  }
  return keyspaceDigest(ks);
}

const KEYS = Array.from({ length: 40 }, (_, i) => `k${i}`);
const key = fc.constantFrom(...KEYS);
const db = fc.constantFrom('0', '1', '2');
const value = fc.string({ maxLength: 12 });
const write = fc.oneof(
  { weight: 6, arbitrary: fc.tuple(fc.constant('SET'), key, value) },
  { weight: 2, arbitrary: fc.tuple(fc.constant('APPEND'), key, value) },
  { weight: 2, arbitrary: fc.tuple(fc.constant('INCR'), key) },
  { weight: 3, arbitrary: fc.tuple(fc.constant('DEL'), key, key) },
  { weight: 3, arbitrary: fc.tuple(fc.constant('SADD'), key, value, value) },
  { weight: 2, arbitrary: fc.tuple(fc.constant('SREM'), key, value) },
  { weight: 3, arbitrary: fc.tuple(fc.constant('HSET'), key, value, value) },
  { weight: 2, arbitrary: fc.tuple(fc.constant('PEXPIRE'), key, fc.integer({ min: 1, max: 100_000 }).map(String)) },
  { weight: 1, arbitrary: fc.tuple(fc.constant('PERSIST'), key) },
  { weight: 2, arbitrary: fc.tuple(fc.constant('RENAME'), key, key) },
  { weight: 2, arbitrary: fc.tuple(fc.constant('MOVE'), key, db) },
  { weight: 2, arbitrary: fc.tuple(fc.constant('COPY'), key, key, fc.constant('DB'), db, fc.constant('REPLACE')) },
  { weight: 2, arbitrary: fc.tuple(fc.constant('SELECT'), db) },
  { weight: 1, arbitrary: fc.tuple(fc.constant('SWAPDB'), db, db) },
  { weight: 1, arbitrary: fc.tuple(fc.constant('FLUSHDB')) },
  { weight: 2, arbitrary: fc.tuple(fc.constant('MULTI')) },
  { weight: 2, arbitrary: fc.tuple(fc.constant('EXEC')) },
  { weight: 1, arbitrary: fc.tuple(fc.constant('ADVANCE'), fc.integer({ min: 1, max: 20_000 })) },
  { weight: 8, arbitrary: fc.tuple(fc.constant('STEP')) },
);

function populate(t: PersistentEngine, keysPerDb: number): void {
  for (const d of ['0', '1', '2']) {
    t.run('SELECT', d);
    for (let i = 0; i < keysPerDb; i++) {
      const k = KEYS[i % KEYS.length]! + (i >= KEYS.length ? `:${i}` : '');
      if (i % 3 === 0) t.run('SADD', k, 'a', String(i), 'b');
      else if (i % 3 === 1) t.run('HSET', k, 'f', String(i));
      else t.run('SET', k, 'v'.repeat(i % 9));
      if (i % 5 === 0) t.run('PEXPIRE', k, String(10_000 + i * 100));
    }
  }
  t.run('SELECT', '0');
}

/** Runs random writes interleaved with the background job's steps until it is done. */
function writeWhileSnapshotting(t: PersistentEngine, commands: Array<readonly (string | number)[]>): void {
  const clock = t.clock as TickingClock;
  for (const argv of commands) {
    if (argv[0] === 'STEP') t.p.runTurns();
    else if (argv[0] === 'ADVANCE') clock.advance(argv[1] as number);
    else t.run(...(argv as string[]));
  }
  t.run('DISCARD');
  settle(t);
}

test('a background snapshot holds the data set of the instant it started, whatever writes run meanwhile', () => {
  let withPreimages = 0;
  fc.assert(
    fc.property(fc.array(write, { minLength: 20, maxLength: 160 }), fc.integer({ min: 20, max: 300 }), (commands, keysPerDb) => {
      const t = persistentEngine({ clock: new TickingClock(1_700_000_000_000, 40), snapshotStepMicros: 80, config: { appendonly: 'no' } });
      populate(t, keysPerDb);
      const atStart = copyOf(t);
      const startMs = t.clock.nowMs();
      assert.equal(t.run('BGSAVE'), 'Background saving started');
      writeWhileSnapshotting(t, commands);
      // Load the snapshot alone; compare at the latest time, when keys expired since T0 are gone either way.
      const endMs = t.clock.nowMs();
      const loaded = persistentEngine({ fs: t.fs, clock: t.clock, config: { appendonly: 'no' } });
      assert.equal(loaded.digest(), digestOf(atStart, endMs), `snapshot of ${startMs} differs (commands ${JSON.stringify(commands)})`);
      const facts = t.p.lastJobFacts as { cow_peak_bytes: number; steps: number } | null;
      if (facts !== null && facts.cow_peak_bytes > 0 && facts.steps > 1) withPreimages++;
    }),
    { numRuns: 60 },
  );
  assert.ok(withPreimages >= 10, `only ${withPreimages} runs kept pre-images over several steps`);
});

test('the pre-images cost memory only for keys written before the walk reached them', () => {
  const t = persistentEngine({ clock: new TickingClock(1_700_000_000_000, 40), snapshotStepMicros: 400, config: { appendonly: 'no' } });
  for (let i = 0; i < 2000; i++) t.run('SET', `key:${i}`, 'x'.repeat(50));
  const atStart = copyOf(t);
  t.run('BGSAVE');
  t.p.runTurns(); // the walk starts
  for (let i = 1999; i >= 1900; i--) t.run('SET', `key:${i}`, 'changed'); // keys the walk has not reached
  const info = t.run('INFO', 'persistence') as string;
  const cow = Number(/current_cow_size:(\d+)/.exec(info)![1]);
  assert.ok(cow > 100 * 50 && cow < 100 * 80, `pre-images of 100 keys: ${cow} bytes`);
  settle(t);
  assert.match(t.run('INFO', 'persistence') as string, /rdb_last_cow_size:[1-9]/);
  const loaded = persistentEngine({ fs: t.fs, clock: t.clock, config: { appendonly: 'no' } });
  assert.equal(loaded.digest(), digestOf(atStart, t.clock.nowMs()));
});

test('a log rewrite while writes run replays to the live data set, and its base is the data set at its start', () => {
  fc.assert(
    fc.property(fc.array(write, { minLength: 20, maxLength: 120 }), (commands) => {
      const t = persistentEngine({ clock: new TickingClock(1_700_000_000_000, 40), snapshotStepMicros: 200, config: { appendfsync: 'always' } });
      populate(t, 60);
      settle(t);
      const atStart = copyOf(t);
      assert.equal(t.run('BGREWRITEAOF'), 'Background append only file rewriting started');
      writeWhileSnapshotting(t, commands);
      const live = t.digest();
      t.fs.crash();
      const again = persistentEngine({ fs: t.fs, clock: t.clock });
      assert.equal(again.digest(), live);
      // The base alone is the data set at the rewrite's start.
      const base = path.join(DATA_DIR, 'appendonlydir', 'appendonly.aof.2.base.rdb');
      const alone = persistentEngine({ clock: t.clock, config: { appendonly: 'no' } });
      alone.fs.writeBytes(path.join(DATA_DIR, 'dump.rdb'), t.fs.readBytes(base));
      const fromBase = persistentEngine({ fs: alone.fs, clock: t.clock, config: { appendonly: 'no' } });
      assert.equal(fromBase.digest(), digestOf(atStart, t.clock.nowMs()));
    }),
    { numRuns: 40 },
  );
});

/** Writes that change function libraries, not keys: a snapshot takes the libraries at its start. */
const LIBRARY_WRITES = new Set(['function|load', 'function|delete', 'function|flush', 'function|restore']);

test('every write command names its keys (or is one that finishes a running snapshot first)', () => {
  const missing: string[] = [];
  for (const spec of buildCommandTable().all()) {
    for (const s of [spec, ...(spec.subcommands ?? [])]) {
      if (!s.flags.includes('write') || LIBRARY_WRITES.has(`${spec.name}|${s.name}`)) continue;
      const hasKeys = s.movableKeys !== undefined || (s.keys !== undefined && s.keys.first > 0);
      if (!hasKeys && !WHOLE_DATABASE_WRITES.has(s.name)) missing.push(s.name);
    }
  }
  assert.deepEqual(missing, [], 'a write command without key positions would change keys a snapshot cannot see coming');
});
