// The append-only log and snapshots end to end on a disk that can fail and crash on demand
// (MemoryFileSystem): group commit, what survives a crash under each fsync policy, torn tails,
// corruption, disk errors (MISCONF, recovery), LOADING, SAVE/BGSAVE/BGREWRITEAOF, save rules,
// and crash safety at every file operation of a rewrite.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { ManualClock } from '../../src/server/clock.js';
import { LoadError } from '../../src/io/persistence/loader.js';
import { MemoryFileSystem } from '../../src/io/persistence/memory-file-system.js';
import { runCheckLog } from '../../src/cli/check-log.js';
import { DATA_DIR, persistentEngine, settle, TickingClock, type PersistentEngine } from '../helpers/persistence.js';

const AOF_DIR = path.join(DATA_DIR, 'appendonlydir');
const INCR1 = path.join(AOF_DIR, 'appendonly.aof.1.incr.aof');

function restart(t: PersistentEngine, config: Record<string, string> = {}): PersistentEngine {
  return persistentEngine({ fs: t.fs, clock: t.clock, config });
}

function info(t: PersistentEngine): Record<string, string> {
  const text = t.run('INFO', 'persistence') as string;
  return Object.fromEntries(text.split('\r\n').filter((l) => l.includes(':')).map((l) => l.split(':') as [string, string]));
}

test('group commit: the writes of one turn share one write call and one fsync', () => {
  const t = persistentEngine({ config: { appendfsync: 'always' } });
  const barrier = () => t.p.replyBarrier()!;
  const writesBefore = t.fs.calls.write;
  for (let i = 0; i < 100; i++) t.run('SET', `k${i}`, String(i));
  assert.equal(barrier().appendedSeq, 100);
  t.p.runTurns(); // the end of the turn: one write, one fsync started
  assert.equal(t.fs.calls.write - writesBefore, 1);
  assert.equal(t.fs.pendingFsyncs, 1);
  assert.equal(barrier().durableSeq, 0, 'not durable before the fsync completes');
  // Writes arriving while the fsync runs wait for it, then go out together as the next batch.
  for (let i = 0; i < 10; i++) t.run('INCR', 'counter');
  t.p.runTurns();
  assert.equal(t.fs.calls.write - writesBefore, 1, 'no write while an fsync is running');
  assert.equal(t.fs.releaseFsyncs(), 1);
  assert.equal(barrier().durableSeq, 100);
  assert.equal(t.fs.calls.write - writesBefore, 2, 'the second batch went out as the fsync completed');
  assert.equal(t.fs.releaseFsyncs(), 1);
  assert.equal(barrier().durableSeq, 110);
  assert.equal(info(t)['aof_delayed_fsync'], '1');
});

test('appendfsync always: a crash keeps every acknowledged write', () => {
  const t = persistentEngine({ config: { appendfsync: 'always' } });
  t.run('SET', 'a', '1');
  t.run('SADD', 's', 'x', 'y');
  t.run('SELECT', '3');
  t.run('SET', 'in3', 'v', 'PX', '100000');
  settle(t);
  const digest = t.digest();
  t.fs.crash();
  const again = restart(t);
  assert.equal(again.digest(), digest);
  assert.equal(again.run('GET', 'a'), '1');
  assert.equal(info(again)['rdb_changes_since_last_save'], '0');
});

test('appendfsync everysec: a machine crash loses what was written since the last fsync, nothing before it', () => {
  const t = persistentEngine();
  t.run('SET', 'durable', '1');
  t.p.runTurns();
  t.p.everySecond();
  settle(t);
  t.run('SET', 'recent', '2');
  t.p.runTurns(); // written to the OS, not fsynced
  const machine = t.fs.durableCopy();
  const afterMachineCrash = persistentEngine({ fs: machine, clock: t.clock });
  assert.equal(afterMachineCrash.run('GET', 'durable'), '1');
  assert.equal(afterMachineCrash.run('GET', 'recent'), null, 'a machine crash loses up to a second of writes');
});

test('a torn last record is cut off with a warning; the writes before it are kept', () => {
  const t = persistentEngine();
  t.run('SET', 'a', '1');
  t.p.runTurns();
  t.p.everySecond();
  settle(t);
  t.run('SET', 'b', 'a-longer-value-that-tears');
  t.p.runTurns();
  const sizeBefore = t.fs.size(INCR1);
  t.fs.crash(9); // 9 bytes of the unsynced record reached the disk
  assert.ok(t.fs.size(INCR1) < sizeBefore && t.fs.size(INCR1) > sizeBefore - 40);
  const again = restart(t);
  assert.equal(again.run('GET', 'a'), '1');
  assert.equal(again.run('GET', 'b'), null);
  assert.ok(again.logs.some((l) => l.includes('Torn record at the end of the append-only file')), again.logs.join('\n'));
  assert.equal(runCheckLog(INCR1, false, { out: () => {} }, again.fs), 0, 'the log is sound after the cut');
  // And it keeps working: new writes append after the cut.
  again.run('SET', 'c', '3');
  settle(again);
  again.p.everySecond();
  settle(again);
  again.fs.crash();
  assert.equal(restart(again).run('GET', 'c'), '3');
});

test('corruption in the middle of the log stops start-up with the offset and the repair command', () => {
  const t = persistentEngine({ config: { appendfsync: 'always' } });
  for (const v of ['one', 'two', 'three']) {
    t.run('RPUSH', 'l', v);
    settle(t);
  }
  const bytes = t.fs.readBytes(INCR1);
  const secondRecord = 16 + 12 + bytes[16]!; // header, then the first record's 12-byte header and payload
  bytes[secondRecord + 14] ^= 0xff;
  t.fs.writeBytes(INCR1, bytes);
  const broken = persistentEngine({ fs: t.fs, clock: t.clock, noStart: true });
  assert.throws(() => broken.p.startSync(), (e: unknown) => {
    assert.ok(e instanceof LoadError);
    assert.match(e.message, new RegExp(`Bad append-only file ${INCR1.replace(/\./g, '\\.')} at byte offset ${secondRecord}: record checksum mismatch`));
    assert.match(e.message, new RegExp(`cairn check-log --fix ${INCR1.replace(/\./g, '\\.')}`));
    return true;
  });
  const out: string[] = [];
  assert.equal(runCheckLog(INCR1, false, { out: (l) => out.push(l) }, t.fs), 1);
  assert.match(out.join('\n'), new RegExp(`1 good records, then corruption at byte offset ${secondRecord}: record checksum mismatch`));
  out.length = 0;
  assert.equal(runCheckLog(INCR1, true, { out: (l) => out.push(l) }, t.fs), 0);
  assert.match(out.join('\n'), new RegExp(`fixed .*: truncated from ${bytes.length} to ${secondRecord} bytes`));
  const repaired = restart(t);
  assert.deepEqual(repaired.run('LRANGE', 'l', '0', '-1'), ['one']);
});

test('a full disk: writes get MISCONF with strerror text, reads keep working, nothing acknowledged is lost', () => {
  const t = persistentEngine({ config: { appendfsync: 'everysec' } });
  t.run('SET', 'before', '1');
  settle(t);
  t.fs.capacityBytes = t.fs.usedBytes() + 20; // room for part of the next batch only
  t.run('SET', 'acked-in-memory', 'x'.repeat(64));
  t.p.runTurns(); // the write fails half way and is undone
  const misconf = 'MISCONF Errors writing to the AOF file: No space left on device';
  assert.deepEqual(t.run('SET', 'refused', '1'), { error: misconf });
  assert.deepEqual(t.run('PING'), { error: misconf }, 'Redis refuses PING too, so monitors notice');
  assert.equal(t.run('GET', 'before'), '1');
  assert.equal(t.run('GET', 'acked-in-memory'), 'x'.repeat(64));
  assert.equal(info(t)['aof_last_write_status'], 'err');
  assert.deepEqual(t.run('MULTI'), 'OK');
  assert.deepEqual(t.run('SET', 'q', '1'), { error: misconf });
  assert.match((t.run('EXEC') as { error: string }).error, /^EXECABORT/);
  assert.equal(runCheckLog(INCR1, false, { out: () => {} }, t.fs), 0, 'the partial write was cut back');
  // The disk is freed; cron retries once a second.
  t.fs.heal();
  (t.clock as ManualClock).advance(1500);
  t.p.cron();
  assert.equal(info(t)['aof_last_write_status'], 'ok');
  assert.equal(t.run('SET', 'after', '1'), 'OK');
  t.p.runTurns();
  t.p.everySecond();
  settle(t);
  t.fs.crash();
  const again = restart(t);
  assert.equal(again.run('GET', 'acked-in-memory'), 'x'.repeat(64));
  assert.equal(again.run('GET', 'after'), '1');
  assert.ok(t.logs.some((l) => l.includes('looks solved')));
});

test('a failed fsync: the unsynced bytes are written again before the retry, so nothing is lost', () => {
  const t = persistentEngine({ config: { appendfsync: 'always' } });
  t.run('SET', 'a', '1');
  settle(t);
  t.run('SET', 'b', '2');
  t.p.runTurns();
  t.fs.failNext('fsync', 'EIO');
  t.fs.releaseFsyncs();
  const barrier = t.p.replyBarrier()!;
  assert.equal(barrier.failing, true);
  assert.ok(barrier.durableSeq < barrier.appendedSeq, 'the write of b is not acknowledged');
  assert.deepEqual(t.run('SET', 'c', '3'), { error: 'MISCONF Errors writing to the AOF file: Input/output error' });
  (t.clock as ManualClock).advance(1000);
  t.p.cron(); // truncate to the durable size, write the unsynced bytes again, fsync
  settle(t);
  assert.equal(barrier.failing, false);
  assert.equal(barrier.durableSeq, barrier.appendedSeq);
  t.fs.crash();
  assert.equal(restart(t).run('GET', 'b'), '2');
});

test('LOADING: while the data set loads, commands without the loading flag are refused and INFO shows progress', async () => {
  const seed = persistentEngine({ config: { appendfsync: 'always' } });
  for (let i = 0; i < 3000; i++) seed.run('SET', `key:${i}`, String(i));
  settle(seed);
  const clock = new TickingClock(1_700_000_000_000, 50);
  const t = persistentEngine({ fs: seed.fs, clock, noStart: true, loadStepMicros: 200 });
  const started = t.p.start();
  assert.equal(t.p.loading, true);
  assert.deepEqual(t.run('GET', 'key:1'), { error: 'LOADING Redis is loading the dataset in memory' });
  assert.deepEqual(t.run('SET', 'x', '1'), { error: 'LOADING Redis is loading the dataset in memory' });
  const during = info(t);
  assert.equal(during['loading'], '1');
  assert.ok(Number(during['loading_total_bytes']) > 0);
  assert.ok('loading_loaded_perc' in during && 'loading_eta_seconds' in during && 'loading_loaded_bytes' in during);
  await new Promise((r) => setImmediate(r));
  await new Promise((r) => setImmediate(r));
  assert.equal(t.p.loading, true, 'loads in slices, yielding to the event loop');
  assert.ok(Number(info(t)['loading_loaded_bytes']) > 0);
  await started;
  assert.equal(t.p.loading, false);
  assert.equal(t.run('GET', 'key:2999'), '2999');
  assert.equal(info(t)['loading'], '0');
});

test('SAVE, BGSAVE, LASTSAVE, BGREWRITEAOF replies and INFO fields as Redis 7', () => {
  const t = persistentEngine();
  t.run('SET', 'k', 'v');
  (t.clock as ManualClock).advance(5000);
  assert.equal(t.run('SAVE'), 'OK');
  assert.equal(t.run('LASTSAVE'), Math.floor(t.clock.nowMs() / 1000));
  assert.equal(info(t)['rdb_changes_since_last_save'], '0');
  t.run('SET', 'k2', 'v');
  assert.equal(t.run('BGSAVE'), 'Background saving started');
  assert.deepEqual(t.run('BGSAVE'), { error: 'ERR Background save already in progress' });
  assert.deepEqual(t.run('SAVE'), { error: 'ERR Background save already in progress' });
  assert.equal(info(t)['rdb_bgsave_in_progress'], '1');
  assert.equal(t.run('BGREWRITEAOF'), 'Background append only file rewriting scheduled');
  assert.equal(info(t)['aof_rewrite_scheduled'], '1');
  assert.deepEqual(t.run('BGSAVE', 'NOW'), { error: 'ERR syntax error' });
  settle(t);
  assert.equal(info(t)['rdb_bgsave_in_progress'], '0');
  assert.equal(info(t)['rdb_last_bgsave_status'], 'ok');
  assert.equal(info(t)['rdb_saves'], '1');
  assert.equal(info(t)['aof_rewrites'], '1', 'the scheduled rewrite ran once the save was done');
  assert.equal(t.run('BGREWRITEAOF'), 'Background append only file rewriting started');
  assert.equal(info(t)['aof_rewrite_in_progress'], '1');
  assert.deepEqual(t.run('BGREWRITEAOF'), { error: 'ERR Background append only file rewriting already in progress' });
  assert.deepEqual(t.run('BGSAVE'), { error: "ERR Another child process is active (AOF?): can't BGSAVE right now. Use BGSAVE SCHEDULE in order to schedule a BGSAVE whenever possible." });
  assert.equal(t.run('BGSAVE', 'SCHEDULE'), 'Background saving scheduled');
  settle(t);
  assert.equal(info(t)['aof_rewrites'], '2');
  assert.equal(info(t)['rdb_saves'], '2', 'the scheduled BGSAVE ran after the rewrite');
  assert.deepEqual(t.fs.list(AOF_DIR), ['appendonly.aof.3.base.rdb', 'appendonly.aof.3.incr.aof', 'appendonly.aof.manifest']);
  const fields = Object.keys(info(t));
  assert.deepEqual(fields.slice(0, 9), ['loading', 'async_loading', 'current_cow_peak', 'current_cow_size', 'current_cow_size_age', 'current_fork_perc', 'current_save_keys_processed', 'current_save_keys_total', 'rdb_changes_since_last_save']);
  assert.ok(fields.includes('aof_current_size') && fields.includes('aof_base_size') && fields.includes('aof_last_write_status'));
});

test('save rules: a snapshot after <seconds> when at least <changes> writes happened', () => {
  const t = persistentEngine({ config: { save: '10 2' } });
  assert.equal(t.engine.config.get('save'), '10 2');
  t.run('SET', 'a', '1');
  (t.clock as ManualClock).advance(11_000);
  t.p.cron();
  assert.equal(info(t)['rdb_bgsave_in_progress'], '0', 'one change is not enough');
  t.run('SET', 'b', '1');
  t.p.cron();
  assert.equal(info(t)['rdb_bgsave_in_progress'], '1');
  settle(t);
  assert.ok(t.fs.exists(path.join(DATA_DIR, 'dump.rdb')));
  assert.equal(info(t)['rdb_changes_since_last_save'], '0');
  assert.deepEqual(t.run('CONFIG', 'SET', 'save', '10 1 5'), { error: "ERR CONFIG SET failed (possibly related to argument 'save') - Invalid save parameters" });
  assert.equal(t.run('CONFIG', 'SET', 'save', ''), 'OK');
});

test('a failed background save refuses writes with the RDB MISCONF while save points are set', () => {
  const t = persistentEngine({ config: { save: '3600 1', appendonly: 'no' } });
  t.run('SET', 'a', '1');
  t.fs.failNext('fsync', 'EIO');
  assert.equal(t.run('BGSAVE'), 'Background saving started');
  settle(t);
  assert.equal(info(t)['rdb_last_bgsave_status'], 'err');
  assert.match((t.run('SET', 'b', '1') as { error: string }).error, /^MISCONF Redis is configured to save RDB snapshots, but it's currently unable to persist to disk/);
  assert.equal(t.run('GET', 'a'), '1');
  assert.equal(t.run('SAVE'), 'OK', 'a successful save clears the error');
  assert.equal(t.run('SET', 'b', '1'), 'OK');
});

test('switching appendonly on keeps the data of the snapshot; off and on again at run time', () => {
  const t = persistentEngine({ config: { appendonly: 'no' } });
  t.run('SET', 'a', '1');
  assert.equal(t.run('SAVE'), 'OK');
  const on = persistentEngine({ fs: t.fs, clock: t.clock, config: { appendonly: 'yes' } });
  assert.equal(on.run('GET', 'a'), '1', 'the snapshot is loaded when the log does not exist yet');
  on.run('SET', 'b', '2');
  assert.equal(on.run('CONFIG', 'SET', 'appendonly', 'no'), 'OK');
  on.run('SET', 'c', 'not logged');
  assert.equal(on.run('CONFIG', 'SET', 'appendonly', 'yes'), 'OK'); // a fresh base of everything now
  on.run('SET', 'd', '4');
  on.p.runTurns();
  on.p.everySecond();
  settle(on);
  on.fs.crash();
  const again = restart(on);
  assert.deepEqual([again.run('GET', 'a'), again.run('GET', 'b'), again.run('GET', 'c'), again.run('GET', 'd')], ['1', '2', 'not logged', '4']);
});

test('aof-use-rdb-preamble no: the base is written as RESTORE records and loads the same', () => {
  const t = persistentEngine({ config: { 'aof-use-rdb-preamble': 'no', appendfsync: 'always' } });
  t.run('SET', 'a', '1', 'PX', '500000');
  t.run('SADD', 's', '1', '2', 'three');
  t.run('HSET', 'h', 'f', 'v');
  assert.equal(t.run('BGREWRITEAOF'), 'Background append only file rewriting started');
  settle(t);
  assert.ok(t.fs.list(AOF_DIR).includes('appendonly.aof.2.base.aof'));
  t.run('SET', 'after', 'x');
  settle(t);
  const digest = t.digest();
  t.fs.crash();
  assert.equal(restart(t).digest(), digest);
});

test('a crash at any file operation of a rewrite leaves a set that loads with every acknowledged write', () => {
  const t = persistentEngine({ config: { appendfsync: 'always' }, snapshotStepMicros: 1 });
  for (let i = 0; i < 200; i++) t.run('SET', `k${i}`, 'v'.repeat(i % 7));
  settle(t);
  const crashPoints: Array<{ disk: MemoryFileSystem; acked: string; pending: string }> = [];
  let acked = t.digest();
  let pending = acked;
  t.fs.onOperation = () => crashPoints.push({ disk: t.fs.durableCopy(), acked, pending });
  t.run('BGREWRITEAOF');
  for (let round = 0; round < 30; round++) {
    t.run('SET', `k${round}`, `changed-${round}`);
    t.run('DEL', `k${100 + round}`);
    pending = t.digest();
    t.p.runTurns(); // the write (and a step of the rewrite)
    t.fs.releaseFsyncs();
    acked = t.digest();
  }
  settle(t);
  t.fs.onOperation = null;
  assert.ok(crashPoints.length > 20, `${crashPoints.length} crash points`);
  for (const [i, point] of crashPoints.entries()) {
    const again = persistentEngine({ fs: point.disk, clock: t.clock });
    const digest = again.digest();
    assert.ok(digest === point.acked || digest === point.pending, `crash point ${i}: the data set after restart is neither the acknowledged state nor the one being fsynced`);
  }
});

test('an embedded instance under appendfsync always fsyncs each write before returning', () => {
  const t = persistentEngine({ config: { appendfsync: 'always' }, embedded: true });
  t.fs.holdFsyncs = false;
  const fsyncs = t.fs.calls.fsync;
  t.run('SET', 'a', '1');
  assert.equal(t.fs.calls.fsync, fsyncs + 1);
  const barrier = t.p.replyBarrier()!;
  assert.equal(barrier.durableSeq, barrier.appendedSeq);
  t.fs.crash();
  assert.equal(restart(t).run('GET', 'a'), '1');
});
