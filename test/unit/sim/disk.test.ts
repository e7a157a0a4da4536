// The simulated disk: what survives a crash (synced data, sometimes unsynced data, torn tails),
// fsync errors that poison a file, folder entries that need syncDir, and the record log and
// atomic small-file replacement built on it.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { HEALTHY_DISK, SimDisk, type DiskFaults } from '../../../sim/disk.js';
import { EventQueue } from '../../../sim/event-queue.js';
import { Random } from '../../../sim/random.js';
import { readFile, RecordLog, replaceFile } from '../../../sim/record-log.js';

function disk(faults: Partial<DiskFaults> = {}, seed = 1): { q: EventQueue; d: SimDisk } {
  const q = new EventQueue();
  const d = new SimDisk(q, new Random(seed));
  d.faults = { ...HEALTHY_DISK, ...faults };
  d.mkdirp('/data');
  return { q, d };
}

const text = (b: Uint8Array): string => new TextDecoder().decode(b);
const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);

/** Creates a file whose name is durable. */
function created(d: SimDisk, path: string) {
  const f = d.openAppend(path, false);
  d.syncDir('/data');
  return f;
}

describe('SimDisk', () => {
  test('fsynced data survives a crash, unsynced data is lost', () => {
    const { q, d } = disk({ unsyncedSurvivalProbability: 0, tornWriteProbability: 0 });
    const f = created(d, '/data/a');
    f.write(bytes('durable;'));
    let synced = false;
    f.fsync((e) => {
      assert.equal(e, null);
      synced = true;
    });
    q.runUntil(1_000_000);
    assert.ok(synced);
    f.write(bytes('volatile;'));
    assert.equal(text(d.readBytes('/data/a')), 'durable;volatile;');
    d.crash();
    assert.equal(text(d.readBytes('/data/a')), 'durable;');
  });

  test('an fsync in flight when the process crashes never calls back and persists nothing', () => {
    const { q, d } = disk({ unsyncedSurvivalProbability: 0, tornWriteProbability: 0 });
    const f = created(d, '/data/a');
    f.write(bytes('x'));
    let called = false;
    f.fsync(() => (called = true));
    d.crash();
    q.runUntil(1_000_000);
    assert.equal(called, false);
    assert.equal(d.size('/data/a'), 0);
  });

  test('a crash may keep unsynced writes in order and tear the first one lost', () => {
    const outcomes = new Set<string>();
    for (let seed = 1; seed <= 60; seed++) {
      const { d } = disk({ unsyncedSurvivalProbability: 0.5, tornWriteProbability: 0.5 }, seed);
      const f = created(d, '/data/a');
      f.write(bytes('aaaa'));
      f.write(bytes('bbbb'));
      f.write(bytes('cccc'));
      d.crash();
      const left = text(d.readBytes('/data/a'));
      assert.ok('aaaabbbbcccc'.startsWith(left), left);
      outcomes.add(left);
    }
    // Whole writes kept, torn ones, and nothing at all all happen.
    assert.ok(outcomes.has(''));
    assert.ok(outcomes.has('aaaabbbbcccc'));
    assert.ok([...outcomes].some((o) => o.length % 4 !== 0));
  });

  test('after a failed fsync, later fsyncs report success but nothing more reaches the disk', () => {
    const { q, d } = disk({ fsyncErrorProbability: 1, unsyncedSurvivalProbability: 1 });
    const f = created(d, '/data/a');
    f.write(bytes('first;'));
    const errors: Array<string | null> = [];
    f.fsync((e) => errors.push(e === null ? null : (e as Error & { code: string }).code));
    q.runUntil(1_000_000);
    d.faults = { ...d.faults, fsyncErrorProbability: 0 };
    f.write(bytes('second;'));
    f.fsync((e) => errors.push(e === null ? null : 'error'));
    q.runUntil(2_000_000);
    assert.deepEqual(errors, ['EIO', null]);
    assert.equal(d.stats.fsyncErrors, 1);
    d.crash();
    assert.equal(d.size('/data/a'), 0);
  });

  test('a file created without syncDir may vanish in a crash', () => {
    const { q, d } = disk({ unsyncedSurvivalProbability: 0 });
    const f = d.openAppend('/data/new', false);
    f.write(bytes('x'));
    f.fsync(() => {});
    q.runUntil(1_000_000);
    d.crash();
    assert.equal(d.exists('/data/new'), false);
  });

  test('a truncate into synced data is undone by a crash before the next fsync', () => {
    const { q, d } = disk({ unsyncedSurvivalProbability: 0 });
    const f = created(d, '/data/a');
    f.write(bytes('0123456789'));
    f.fsyncSync();
    f.truncate(4);
    f.write(bytes('xy'));
    assert.equal(text(d.readBytes('/data/a')), '0123xy');
    d.crash();
    assert.equal(text(d.readBytes('/data/a')), '0123456789');
    q.runUntil(1);
  });

  test('a failed write leaves a prefix and throws EIO', () => {
    const { d } = disk({ writeErrorProbability: 1 });
    const f = created(d, '/data/a');
    assert.throws(() => f.write(bytes('abcdef')), (e: Error & { code?: string }) => e.code === 'EIO');
    assert.ok('abcdef'.startsWith(text(d.readBytes('/data/a'))));
  });
});

describe('RecordLog and replaceFile', () => {
  test('records read back after a crash; a torn tail is cut and appends continue after it', () => {
    for (let seed = 1; seed <= 30; seed++) {
      const { q, d } = disk({ unsyncedSurvivalProbability: 0, tornWriteProbability: 1 }, seed);
      const { log } = RecordLog.open(d, '/data/log');
      log.append(bytes('one'));
      log.append(bytes('two'));
      log.sync(() => {});
      q.runUntil(1_000_000);
      log.append(bytes('three, which will be torn'));
      d.crash();
      const reopened = RecordLog.open(d, '/data/log');
      assert.deepEqual(reopened.records.map(text), ['one', 'two']);
      assert.ok(reopened.tornBytes > 0, `seed ${seed}: the torn prefix is reported`);
      reopened.log.append(bytes('four'));
      reopened.log.sync(() => {});
      q.runUntil(2_000_000);
      d.crash();
      assert.deepEqual(RecordLog.open(d, '/data/log').records.map(text), ['one', 'two', 'four']);
    }
  });

  test('truncateTo keeps the first records', () => {
    const { d } = disk();
    const { log } = RecordLog.open(d, '/data/log');
    for (const r of ['a', 'b', 'c', 'd']) log.append(bytes(r));
    log.truncateTo(2);
    log.append(bytes('e'));
    assert.equal(log.count, 3);
    assert.deepEqual(RecordLog.open(d, '/data/log').records.map(text), ['a', 'b', 'e']);
  });

  test('a replaced file holds the old or the new content after a crash, never a mix', () => {
    const seen = new Set<string>();
    for (let seed = 1; seed <= 40; seed++) {
      const { q, d } = disk({ unsyncedSurvivalProbability: 0.5, tornWriteProbability: 1 }, seed);
      let done = false;
      replaceFile(d, '/data/hard-state', bytes('term=1'), () => (done = true));
      q.runUntil(1_000_000);
      assert.ok(done);
      replaceFile(d, '/data/hard-state', bytes('term=2'), () => {});
      // Crash at a random point of the second replacement.
      q.runUntil(1_000_000 + new Random(seed).int(0, 3_000));
      d.crash();
      const now = text(readFile(d, '/data/hard-state')!);
      assert.ok(now === 'term=1' || now === 'term=2', now);
      seen.add(now);
    }
    assert.deepEqual([...seen].sort(), ['term=1', 'term=2']);
  });
});
