// The durable Raft log: what a Ready persisted comes back after a restart, unsynced writes are
// lost by a crash but never corrupt the log, a torn tail is cut, damage in the middle stops the
// load with its offset, and snapshots (installed or taken) survive with the entries after them.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { RaftDisk, RaftDiskError } from '../../../src/io/group/raft-disk.js';
import { MemoryFileSystem } from '../../../src/io/persistence/memory-file-system.js';
import type { MemoryStorage } from '../../../src/core/raft/storage.js';
import type { Entry, HardState, Ready, Snapshot } from '../../../src/core/raft/types.js';

const DIR = '/data/raft';

function entry(index: number, term: number, text = `e${index}.${term}`): Entry {
  return { index, term, type: 'normal', data: Buffer.from(text) };
}

function ready(parts: { entries?: Entry[]; hardState?: HardState; snapshot?: Snapshot; mustSync?: boolean }): Ready {
  return {
    softState: null, messages: [], committedEntries: [], readStates: [],
    entries: parts.entries ?? [], hardState: parts.hardState ?? null, snapshot: parts.snapshot ?? null, mustSync: parts.mustSync ?? true,
  };
}

function persist(disk: RaftDisk, storage: MemoryStorage, r: Ready): Promise<void> {
  return new Promise((resolve, reject) => disk.persist(r, storage, (e) => (e === null ? resolve() : reject(e))));
}

function held(storage: MemoryStorage): string[] {
  if (storage.lastIndex() < storage.firstIndex()) return [];
  return storage.entries(storage.firstIndex(), storage.lastIndex() + 1, Infinity).map((e) => Buffer.from(e.data).toString());
}

function reopen(fs: MemoryFileSystem) {
  return RaftDisk.open(fs, DIR);
}

describe('the durable Raft log', () => {
  test('the initial membership survives a restart (a restarted node knows its voters and can campaign)', () => {
    const fs = new MemoryFileSystem();
    const first = RaftDisk.open(fs, '/raft', [1, 2, 3]);
    assert.deepEqual(first.storage.initialState().confState.voters, [1, 2, 3]);
    first.disk.close();
    const again = RaftDisk.open(fs, '/raft', []);
    assert.deepEqual(again.storage.initialState().confState.voters, [1, 2, 3]);
    assert.equal(again.storage.lastIndex(), 0);
    again.disk.close();
  });

  test('entries and hard state come back after a restart; a later suffix replaces an earlier one', async () => {
    const fs = new MemoryFileSystem();
    const { disk, storage } = RaftDisk.open(fs, DIR, [1, 2, 3]);
    assert.deepEqual(storage.initialState().confState.voters, [1, 2, 3]);
    await persist(disk, storage, ready({ entries: [1, 2, 3, 4, 5].map((i) => entry(i, 1)), hardState: { term: 1, vote: 2, commit: 3 } }));
    await persist(disk, storage, ready({ entries: [entry(4, 2), entry(5, 2), entry(6, 2)], hardState: { term: 2, vote: 1, commit: 5 } }));
    disk.close();
    const again = reopen(fs);
    assert.equal(again.truncatedAt, null);
    assert.deepEqual(held(again.storage), ['e1.1', 'e2.1', 'e3.1', 'e4.2', 'e5.2', 'e6.2']);
    assert.deepEqual(again.storage.initialState().hardState, { term: 2, vote: 1, commit: 5 });
    assert.deepEqual(held(again.storage), held(storage), 'the reloaded log is the one kept in memory');
  });

  test('the initial membership survives a restart that finds no later snapshot', async () => {
    const fs = new MemoryFileSystem();
    const { disk, storage } = RaftDisk.open(fs, DIR, [1, 2, 3]);
    await persist(disk, storage, ready({ entries: [entry(1, 1)], hardState: { term: 1, vote: 1, commit: 1 } }));
    disk.close();
    // Reopened without being told the voters, as a restarted process that trusts its disk.
    const again = reopen(fs);
    assert.deepEqual(again.storage.initialState().confState, { voters: [1, 2, 3], learners: [] });
    assert.deepEqual(held(again.storage), ['e1.1']);
    assert.equal(again.storage.firstIndex(), 1);
  });

  test('a crash loses only what was not fsynced, and a torn last record is cut', async () => {
    const fs = new MemoryFileSystem();
    const { disk, storage } = RaftDisk.open(fs, DIR, [1]);
    await persist(disk, storage, ready({ entries: [entry(1, 1), entry(2, 1)], hardState: { term: 1, vote: 1, commit: 0 } }));
    fs.holdFsyncs = true;
    disk.persist(ready({ entries: [entry(3, 1)] }), storage, () => {});
    fs.crash(7); // 7 bytes of the unsynced record survive
    fs.holdFsyncs = false;
    const again = reopen(fs);
    assert.deepEqual(held(again.storage), ['e1.1', 'e2.1']);
    assert.notEqual(again.truncatedAt, null);
    assert.deepEqual(again.storage.initialState().hardState, { term: 1, vote: 1, commit: 0 });
    // After the cut the log takes new records normally.
    await persist(again.disk, again.storage, ready({ entries: [entry(3, 2)] }));
    assert.deepEqual(held(reopen(fs).storage), ['e1.1', 'e2.1', 'e3.2']);
  });

  test('a damaged record followed by valid ones stops the load and names the offset', async () => {
    const fs = new MemoryFileSystem();
    const { disk, storage } = RaftDisk.open(fs, DIR, [1]);
    await persist(disk, storage, ready({ entries: [entry(1, 1), entry(2, 1), entry(3, 1)] }));
    disk.close();
    const bytes = fs.readBytes(`${DIR}/raft.log`);
    bytes[16 + 12 + 3] ^= 0xff; // inside the first record's payload
    fs.writeBytes(`${DIR}/raft.log`, bytes);
    assert.throws(() => reopen(fs), (e: Error) => e instanceof RaftDiskError && /damaged record at byte offset 16 /.test(e.message));
  });

  test('a snapshot from the leader replaces the log; what follows it is kept', async () => {
    const fs = new MemoryFileSystem();
    const { disk, storage } = RaftDisk.open(fs, DIR, [1, 2, 3]);
    await persist(disk, storage, ready({ entries: [1, 2, 3, 4].map((i) => entry(i, 1)) }));
    const snapshot: Snapshot = { metadata: { index: 10, term: 3, confState: { voters: [1, 2, 3], learners: [4] } }, data: Buffer.from('state@10') };
    await persist(disk, storage, ready({ snapshot, hardState: { term: 3, vote: 0, commit: 10 } }));
    await persist(disk, storage, ready({ entries: [entry(11, 3), entry(12, 3)] }));
    disk.close();
    const again = reopen(fs);
    assert.equal(again.storage.firstIndex(), 11);
    assert.deepEqual(held(again.storage), ['e11.3', 'e12.3']);
    assert.equal(Buffer.from(again.storage.snapshot().data).toString(), 'state@10');
    assert.deepEqual(again.storage.initialState().confState, { voters: [1, 2, 3], learners: [4] });
    assert.equal(again.storage.term(10), 3);
  });

  test('entries that conflicted with an installed snapshot do not come back', async () => {
    const fs = new MemoryFileSystem();
    const { disk, storage } = RaftDisk.open(fs, DIR, [1, 2, 3]);
    await persist(disk, storage, ready({ entries: [1, 2, 3, 4, 5, 6].map((i) => entry(i, 1)) }));
    const snapshot: Snapshot = { metadata: { index: 4, term: 2, confState: { voters: [1, 2, 3], learners: [] } }, data: Buffer.from('s4') };
    await persist(disk, storage, ready({ snapshot }));
    disk.close();
    const again = reopen(fs);
    assert.deepEqual(held(again.storage), [], 'entries 5 and 6 of term 1 were replaced by the snapshot');
    assert.equal(again.storage.lastIndex(), 4);
  });

  test('a local snapshot compacts the log and survives a restart', async () => {
    const fs = new MemoryFileSystem();
    const { disk, storage } = RaftDisk.open(fs, DIR, [1]);
    await persist(disk, storage, ready({ entries: [1, 2, 3, 4, 5].map((i) => entry(i, 1)), hardState: { term: 1, vote: 1, commit: 5 } }));
    const taken = storage.createSnapshot(3, { voters: [1], learners: [] }, Buffer.from('state@3'));
    assert.notEqual(taken, 'out-of-date');
    disk.saveSnapshot(taken as Snapshot, storage, 3);
    assert.equal(storage.firstIndex(), 4);
    disk.close();
    const again = reopen(fs);
    assert.equal(again.storage.firstIndex(), 4);
    assert.deepEqual(held(again.storage), ['e4.1', 'e5.1']);
    assert.equal(Buffer.from(again.storage.snapshot().data).toString(), 'state@3');
  });

  test('a write error reaches the caller instead of a false durable', async () => {
    const fs = new MemoryFileSystem();
    const { disk, storage } = RaftDisk.open(fs, DIR, [1]);
    fs.failNext('fsync', 'EIO');
    await assert.rejects(persist(disk, storage, ready({ entries: [entry(1, 1)] })), /EIO/);
    fs.failNext('write', 'ENOSPC');
    await assert.rejects(persist(disk, storage, ready({ entries: [entry(2, 1)] })), /ENOSPC/);
  });
});
