// Compaction of the durable Raft log: after a snapshot (taken locally or installed from the
// leader) raft.log is rewritten and really shrinks; a reload gives back the snapshot, the
// entries after it and the hard state; a torn record appended after the rewrite is cut; and a
// crash at any step of saving a snapshot (every disk operation is a crash point) leaves files
// that load to the same log after the snapshot (old or new), never a damaged or gapped one.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { RaftDisk } from '../../../src/io/group/raft-disk.js';
import { MemoryFileSystem } from '../../../src/io/persistence/memory-file-system.js';
import type { MemoryStorage } from '../../../src/core/raft/storage.js';
import type { Entry, HardState, Ready, Snapshot } from '../../../src/core/raft/types.js';

const DIR = '/data/raft';
const LOG = `${DIR}/raft.log`;

function entry(index: number, term: number, size = 1000): Entry {
  const data = Buffer.alloc(size, index % 251);
  data.write(`e${index}.${term}`);
  return { index, term, type: 'normal', data };
}

function ready(parts: { entries?: Entry[]; hardState?: HardState; snapshot?: Snapshot }): Ready {
  return {
    softState: null, messages: [], committedEntries: [], readStates: [],
    entries: parts.entries ?? [], hardState: parts.hardState ?? null, snapshot: parts.snapshot ?? null, mustSync: true,
  };
}

function persist(disk: RaftDisk, storage: MemoryStorage, r: Ready): Promise<void> {
  return new Promise((resolve, reject) => disk.persist(r, storage, (e) => (e === null ? resolve() : reject(e))));
}

/** index.term of every entry held. */
function held(storage: MemoryStorage): string[] {
  if (storage.lastIndex() < storage.firstIndex()) return [];
  return storage.entries(storage.firstIndex(), storage.lastIndex() + 1, Infinity).map((e) => `${e.index}.${e.term}`);
}

/** What a log holds after `index` (the part every valid reload must agree on). */
function after(storage: MemoryStorage, index: number): string[] {
  return held(storage).filter((s) => Number(s.split('.')[0]) > index);
}

async function filled(n: number): Promise<{ fs: MemoryFileSystem; disk: RaftDisk; storage: MemoryStorage }> {
  const fs = new MemoryFileSystem();
  const { disk, storage } = RaftDisk.open(fs, DIR, [1, 2, 3]);
  for (let lo = 1; lo <= n; lo += 50) {
    const batch = Array.from({ length: Math.min(50, n - lo + 1) }, (_, i) => entry(lo + i, 1));
    await persist(disk, storage, ready({ entries: batch, hardState: { term: 1, vote: 1, commit: lo + batch.length - 1 } }));
  }
  return { fs, disk, storage };
}

describe('compaction of the durable Raft log', () => {
  test('a local snapshot rewrites raft.log: the file shrinks, and a reload starts after the snapshot', async () => {
    const { fs, disk, storage } = await filled(200);
    const before = fs.size(LOG);
    const snap = storage.createSnapshot(190, { voters: [1, 2, 3], learners: [] }, Buffer.from('state@190'));
    assert.notEqual(snap, 'out-of-date');
    disk.saveSnapshot(snap as Snapshot, storage, 185);
    // In memory: a tail of 5 entries behind the snapshot stays for followers a little behind.
    assert.equal(storage.firstIndex(), 186);
    assert.equal(disk.logBytes(), fs.size(LOG));
    assert.ok(fs.size(LOG) < before / 10, `raft.log went from ${before} to ${fs.size(LOG)} bytes`);
    assert.equal(fs.exists(`${LOG}.tmp`), false);
    // New entries go to the rewritten file.
    await persist(disk, storage, ready({ entries: [entry(201, 2), entry(202, 2)], hardState: { term: 2, vote: 3, commit: 201 } }));
    disk.close();
    const again = RaftDisk.open(fs, DIR);
    assert.equal(again.truncatedAt, null);
    assert.equal(again.storage.firstIndex(), 191, 'after a restart the log starts right after the snapshot');
    assert.deepEqual(held(again.storage), [...Array.from({ length: 10 }, (_, i) => `${191 + i}.1`), '201.2', '202.2']);
    assert.deepEqual(again.storage.initialState().hardState, { term: 2, vote: 3, commit: 201 });
    assert.equal(Buffer.from(again.storage.snapshot().data).toString(), 'state@190');
    assert.equal(again.storage.term(190), 1);
    again.disk.close();
  });

  test('the hard state survives a rewrite with no record after it', async () => {
    const { fs, disk, storage } = await filled(60);
    const snap = storage.createSnapshot(60, { voters: [1, 2, 3], learners: [] }, Buffer.from('s60')) as Snapshot;
    disk.saveSnapshot(snap, storage, 60);
    disk.close();
    const again = RaftDisk.open(fs, DIR);
    assert.deepEqual(again.storage.initialState().hardState, { term: 1, vote: 1, commit: 60 });
    assert.equal(again.storage.firstIndex(), 61);
    assert.equal(again.storage.lastIndex(), 60);
  });

  test('a torn record appended after a rewrite is cut; the records before it stay', async () => {
    const { fs, disk, storage } = await filled(100);
    disk.saveSnapshot(storage.createSnapshot(90, { voters: [1, 2, 3], learners: [] }, Buffer.from('s90')) as Snapshot, storage, 80);
    await persist(disk, storage, ready({ entries: [entry(101, 1)] }));
    fs.holdFsyncs = true;
    disk.persist(ready({ entries: [entry(102, 1)] }), storage, () => {});
    fs.crash(50); // 50 bytes of the unsynced record survive
    fs.holdFsyncs = false;
    const again = RaftDisk.open(fs, DIR);
    assert.notEqual(again.truncatedAt, null);
    assert.deepEqual(after(again.storage, 90), Array.from({ length: 11 }, (_, i) => `${91 + i}.1`));
    await persist(again.disk, again.storage, ready({ entries: [entry(102, 3)] }));
    again.disk.close();
    assert.deepEqual(after(RaftDisk.open(fs, DIR).storage, 100), ['101.1', '102.3']);
  });

  test('a crash at any step of saving a local snapshot leaves a log that loads to the same entries', async () => {
    const { fs, disk, storage } = await filled(120);
    const expected = after(storage, 100);
    const points: MemoryFileSystem[] = [];
    fs.onOperation = () => points.push(fs.durableCopy());
    disk.saveSnapshot(storage.createSnapshot(100, { voters: [1, 2, 3], learners: [] }, Buffer.from('s100')) as Snapshot, storage, 95);
    fs.onOperation = null;
    assert.ok(points.length >= 6, `${points.length} crash points`);
    let old = 0;
    let rewritten = 0;
    for (const [i, disk2] of points.entries()) {
      const loaded = RaftDisk.open(disk2, DIR);
      const snapIndex = loaded.storage.snapshot().metadata.index;
      assert.ok(snapIndex === 0 || snapIndex === 100, `crash point ${i}: snapshot at ${snapIndex}`);
      assert.deepEqual(after(loaded.storage, 100), expected, `crash point ${i}: the entries after the snapshot`);
      if (snapIndex === 0) assert.equal(loaded.storage.firstIndex(), 1, `crash point ${i}: without the new snapshot the whole log is there`);
      assert.deepEqual(loaded.storage.initialState().hardState, { term: 1, vote: 1, commit: 120 });
      assert.equal(disk2.exists(`${LOG}.tmp`), false, 'a leftover temporary file is removed');
      if (disk2.size(LOG) < fs.size(LOG) * 2) rewritten++;
      else old++;
      loaded.disk.close();
    }
    assert.ok(old > 0 && rewritten > 0, `crash points before (${old}) and after (${rewritten}) the rename were tried`);
  });

  test('a snapshot installed from the leader rewrites the log too; a crash at any step drops the replaced entries', async () => {
    const { fs, disk, storage } = await filled(80);
    const before = fs.size(LOG);
    const snapshot: Snapshot = { metadata: { index: 150, term: 4, confState: { voters: [1, 2, 3], learners: [] } }, data: Buffer.from('leader@150') };
    const points: MemoryFileSystem[] = [];
    fs.onOperation = () => points.push(fs.durableCopy());
    await persist(disk, storage, ready({ snapshot, entries: [entry(151, 4)], hardState: { term: 4, vote: 0, commit: 150 } }));
    fs.onOperation = null;
    assert.ok(fs.size(LOG) < before / 10, `raft.log went from ${before} to ${fs.size(LOG)} bytes`);
    for (const [i, disk2] of points.entries()) {
      const loaded = RaftDisk.open(disk2, DIR);
      const s = loaded.storage;
      if (s.snapshot().metadata.index === 150) {
        // Once the snapshot is there, nothing of the replaced log comes back.
        assert.ok(held(s).every((e) => Number(e.split('.')[0]) > 150), `crash point ${i}: ${held(s).slice(0, 3).join(' ')}`);
      } else {
        assert.equal(s.lastIndex(), 80, `crash point ${i}: before the snapshot file, the old log`);
      }
      loaded.disk.close();
    }
    disk.close();
    const again = RaftDisk.open(fs, DIR);
    assert.deepEqual(held(again.storage), ['151.4']);
    assert.deepEqual(again.storage.initialState().hardState, { term: 4, vote: 0, commit: 150 });
  });

  test('a write error while saving a snapshot reaches the caller', async () => {
    const { fs, disk, storage } = await filled(30);
    fs.failNext('rename', 'EIO');
    assert.throws(() => disk.saveSnapshot(storage.createSnapshot(20, { voters: [1, 2, 3], learners: [] }, Buffer.from('s20')) as Snapshot, storage, 20), /EIO/);
  });
});
