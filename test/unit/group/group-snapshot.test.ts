// The group snapshot: its envelope (sections, versions, damage named), the members section, and
// the snapshotter's rules. A capture holds exactly the key space of the instant it began (writes
// during the walk keep their pre-images), keys already expired and function libraries and
// memcached flags included; it reaches Raft only once its index is applied and only if Raft
// still holds the entry of the term it was taken at; a rollback past it discards it.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { keyspaceDigest } from '../../../src/core/digest.js';
import type { Entry, HardState, Ready } from '../../../src/core/raft/types.js';
import { decodeMessage, encodeMessage, encodeSnapshotMessage } from '../../../src/core/raft/codec.js';
import type { MemoryStorage } from '../../../src/core/raft/storage.js';
import { decodeGroupSnapshot, encodeGroupSnapshot, GroupSnapshotError } from '../../../src/io/group/group-snapshot.js';
import { GroupSnapshotter, loadGroupSnapshot } from '../../../src/io/group/group-snapshotter.js';
import { RaftDisk } from '../../../src/io/group/raft-disk.js';
import type { RaftLoop } from '../../../src/io/group/raft-loop.js';
import { MemoryFileSystem } from '../../../src/io/persistence/memory-file-system.js';
import { Logger } from '../../../src/server/log.js';
import { persistentEngine, TickingClock, type PersistentEngine } from '../../helpers/persistence.js';

describe('a snapshot message in parts', () => {
  test('head and data, back to back, are the bytes of encodeMessage', () => {
    const m = { type: 'snap' as const, from: 1, to: 3, term: 7, snapshot: { metadata: { index: 99, term: 6, confState: { voters: [1, 2, 3], learners: [4] } }, data: Buffer.from('the key space') } };
    const [head, data] = encodeSnapshotMessage(m);
    assert.equal(data, m.snapshot.data, 'the data is not copied');
    assert.deepEqual(Buffer.concat([head, data]), Buffer.from(encodeMessage(m)));
    assert.deepEqual(decodeMessage(Buffer.concat([head, data])), m);
  });
});

describe('the group snapshot envelope', () => {
  test('round-trips its sections; an empty envelope is an empty state', () => {
    const keyspace = Buffer.from('CAIRNSNP...keys');
    const members = Buffer.from('the member registry');
    const bytes = encodeGroupSnapshot({ keyspace, members });
    assert.equal(bytes[0], 1, 'version byte first');
    const back = decodeGroupSnapshot(bytes);
    assert.deepEqual(Buffer.from(back.keyspace), keyspace);
    assert.deepEqual(Buffer.from(back.members), members);
    const empty = decodeGroupSnapshot(new Uint8Array(0));
    assert.equal(empty.keyspace.byteLength, 0);
    assert.equal(empty.members.byteLength, 0);
  });

  test('damage is named, never loaded', () => {
    const good = Buffer.from(encodeGroupSnapshot({ keyspace: Buffer.from('abc'), members: Buffer.from('m') }));
    const bad = (mutate: (b: Buffer) => Buffer, why: RegExp): void => {
      assert.throws(() => decodeGroupSnapshot(mutate(Buffer.from(good))), (e: Error) => e instanceof GroupSnapshotError && why.test(e.message));
    };
    bad((b) => { b[0] = 9; return b; }, /version 9/);
    bad((b) => { b[2] = 7; return b; }, /kind 7, which this version cannot read/);
    bad((b) => b.subarray(0, b.length - 1), /runs past the end/);
    bad((b) => b.subarray(0, 4), /ends inside section 1/);
    bad((b) => Buffer.concat([b, Buffer.from([0])]), /1 bytes after the last section/);
    bad((b) => { b[2 + 5 + 3] = 1; return b; }, /two sections of kind 1/);
  });
});

function entry(index: number, term: number): Entry {
  return { index, term, type: 'normal', data: Buffer.from(`e${index}`) };
}

function ready(entries: Entry[], hardState: HardState): Ready {
  return { softState: null, messages: [], committedEntries: [], readStates: [], entries, hardState, snapshot: null, mustSync: true };
}

/** An engine with data, a Raft log of entries 1..10 (term 1) and a snapshotter whose loop the test moves. */
async function setup(): Promise<{ t: PersistentEngine; storage: MemoryStorage; disk: RaftDisk; loop: { applied: number; runWhenIdle(task: () => void): void }; snapshots: GroupSnapshotter; fatal: Error[] }> {
  const t = persistentEngine({ config: { appendonly: 'no', 'group-snapshot-entries': '5', 'group-log-keep-entries': '2' }, clock: new TickingClock(1_700_000_000_000, 50) });
  for (let i = 0; i < 6000; i++) t.run('SET', `k${i}`, `v${i}`);
  t.run('HSET', 'h', 'a', '1', 'b', '2');
  t.run('SET', 'soon', 'gone', 'PX', '10');
  t.run('FUNCTION', 'LOAD', "#!lua name=lib1\nredis.register_function('f1', function() return 1 end)");
  t.run('MCSETFLAGS', 'k1', '77');
  (t.clock as TickingClock).advance(1000); // 'soon' has expired; nothing deleted it yet
  const fs = new MemoryFileSystem();
  const { disk, storage } = RaftDisk.open(fs, '/raft', [1]);
  filesOf.set(disk, fs);
  await new Promise<void>((resolve, reject) => disk.persist(ready(Array.from({ length: 10 }, (_, i) => entry(i + 1, 1)), { term: 1, vote: 1, commit: 10 }), storage, (e) => (e === null ? resolve() : reject(e))));
  const loop = { applied: 4, runWhenIdle: (task: () => void) => task() };
  const fatal: Error[] = [];
  const snapshots = new GroupSnapshotter({
    engine: t.engine, storage, disk, log: Logger.silent(), members: () => Buffer.from('registry'), onFatal: (e) => fatal.push(e),
  });
  snapshots.attach(loop as unknown as RaftLoop);
  return { t, storage, disk, loop, snapshots, fatal };
}

const filesOf = new WeakMap<RaftDisk, MemoryFileSystem>();
function diskFs(disk: RaftDisk): MemoryFileSystem {
  return filesOf.get(disk)!;
}

async function walkDone(snapshots: GroupSnapshotter): Promise<void> {
  for (let i = 0; i < 10_000 && snapshots.walking; i++) await new Promise((r) => setImmediate(r));
  assert.equal(snapshots.walking, false);
}

describe('the group snapshotter', () => {
  test('holds the key space of the instant it began, and reaches Raft only once its index is applied', async () => {
    const { t, storage, loop, snapshots, fatal } = await setup();
    assert.equal(snapshots.due(4), false, '4 entries since the snapshot at 0, threshold 5');
    assert.equal(snapshots.due(5), true);
    const atStart = keyspaceDigest(t.engine.ks);
    snapshots.start(10, 1);
    assert.equal(snapshots.walking, true);
    // Writes while the walk runs: before its first step, and between steps.
    t.run('SET', 'k0', 'changed');
    t.run('DEL', 'k5999');
    t.run('HSET', 'h', 'c', '3');
    t.run('SET', 'new', 'x');
    await new Promise((r) => setImmediate(r));
    t.run('APPEND', 'k3000', '-more');
    t.run('FLUSHDB'); // finishes the walk first
    await walkDone(snapshots);
    assert.equal(storage.snapshot().metadata.index, 0, 'index 10 is not applied yet: nothing handed to Raft');
    loop.applied = 10;
    snapshots.handOff();
    // The file is written in the background, then renamed and the log compacted.
    for (let i = 0; i < 1000 && storage.snapshot().metadata.index === 0; i++) await new Promise((r) => setImmediate(r));
    assert.deepEqual(fatal, []);
    const snap = storage.snapshot();
    assert.equal(snap.metadata.index, 10);
    assert.equal(snap.metadata.term, 1);
    assert.equal(storage.firstIndex(), 9, 'two entries kept behind the snapshot');
    assert.equal(snapshots.taken, 1);
    // Loaded into an empty engine it is the key space of the start, expired key and all.
    const fresh = persistentEngine({ config: { appendonly: 'no' } });
    const members = loadGroupSnapshot(fresh.engine, snap.data, Logger.silent());
    assert.equal(Buffer.from(members).toString(), 'registry', 'the members section comes back as the hook gave it');
    assert.equal(keyspaceDigest(fresh.engine.ks), atStart);
    assert.equal(fresh.engine.ks.dbs[0]!.peek('soon')?.value, 'gone', 'a key already expired stays until the log deletes it');
    assert.deepEqual(fresh.run('FCALL', 'f1', '0'), 1);
    assert.equal(fresh.engine.ks.dbs[0]!.itemMetaOf('k1')?.flags, 77);
  });

  test('a capture whose entry was replaced by another term is discarded', async () => {
    const { storage, disk, loop, snapshots } = await setup();
    snapshots.start(10, 1);
    await walkDone(snapshots);
    // A new leader's entries replaced 9 and 10.
    await new Promise<void>((resolve, reject) => disk.persist(ready([entry(9, 2), entry(10, 2)], { term: 2, vote: 2, commit: 10 }), storage, (e) => (e === null ? resolve() : reject(e))));
    loop.applied = 10;
    snapshots.handOff();
    for (let i = 0; i < 100; i++) await new Promise((r) => setImmediate(r));
    assert.equal(storage.snapshot().metadata.index, 0);
    assert.equal(snapshots.discarded, 1);
    assert.equal(snapshots.walking, false);
    assert.equal(snapshots.due(10), true, 'another one may start');
  });

  test('a snapshot installed from the leader while one is written in the background wins; the older file is dropped', async () => {
    const { storage, disk, loop, snapshots, fatal } = await setup();
    snapshots.start(10, 1);
    await walkDone(snapshots);
    loop.applied = 10;
    snapshots.handOff();
    assert.equal(snapshots.due(11), false, 'one snapshot at a time');
    // Before the background write completes, the leader's snapshot at 20 is persisted and installed.
    const leaders = { metadata: { index: 20, term: 2, confState: { voters: [1], learners: [] } }, data: encodeGroupSnapshot({ keyspace: new Uint8Array(0), members: new Uint8Array(0) }) };
    await new Promise<void>((resolve, reject) => disk.persist({ ...ready([], { term: 2, vote: 0, commit: 20 }), snapshot: leaders }, storage, (e) => (e === null ? resolve() : reject(e))));
    snapshots.installed(20, leaders.metadata.confState);
    for (let i = 0; i < 200; i++) await new Promise((r) => setImmediate(r));
    assert.deepEqual(fatal, []);
    assert.equal(storage.snapshot().metadata.index, 20);
    assert.equal(snapshots.taken, 0);
    const reloaded = RaftDisk.open(diskFs(disk), '/raft');
    assert.equal(reloaded.storage.snapshot().metadata.index, 20, 'raft.snapshot on disk is the leader\'s');
    assert.equal(diskFs(disk).exists('/raft/raft.snapshot.local.tmp'), false);
  });

  test('a rollback below the capture index discards it; one at or above keeps it', async () => {
    const { storage, loop, snapshots } = await setup();
    snapshots.start(8, 1);
    snapshots.rolledBack(8);
    await walkDone(snapshots);
    snapshots.rolledBack(7);
    loop.applied = 10;
    snapshots.handOff();
    for (let i = 0; i < 100; i++) await new Promise((r) => setImmediate(r));
    assert.equal(storage.snapshot().metadata.index, 0);
    assert.equal(snapshots.discarded, 1);
  });
});
