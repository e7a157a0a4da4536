// Log replication and commitment after the Raft paper (§5.3, §5.4.2, §7), flow control,
// snapshots and compaction, and the Ready contract.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryStorage, RawNode, encodeConfChange, type Message } from '../../../src/core/raft/index.js';
import { Cluster, bytes, text } from './harness.js';
import {
  app, appResp, drain, entry, hbResp, makeLeader, ofType, storageWith, take, testNode, ticks,
} from './node-helpers.js';

const plain = { preVote: false, checkQuorum: false };

describe('log replication (§5.3)', () => {
  test('"The leader appends the command to its log as a new entry, then issues AppendEntries RPCs in parallel"', () => {
    const n = testNode(1, [1, 2, 3], plain);
    makeLeader(n, [1, 2, 3]);
    n.raw.step(appResp(2, 1, 1, 1));
    n.raw.step(appResp(3, 1, 1, 1));
    drain(n);
    const res = n.raw.propose(bytes('x'));
    assert.deepEqual(res, { kind: 'appended', index: 2, term: 1 });
    const apps = ofType(drain(n), 'app');
    assert.deepEqual(apps.map((m) => m.to).sort(), [2, 3]);
    for (const m of apps) {
      assert.equal(m.prevIndex, 1);
      assert.equal(m.prevTerm, 1);
      assert.deepEqual(m.entries.map((e) => [e.index, e.term, text(e.data)]), [[2, 1, 'x']]);
      assert.equal(m.commit, 1);
    }
  });

  test('"A log entry is committed once the leader ... has replicated it on a majority"; committed entries are handed out to apply', () => {
    for (const [size, acks, committed] of [[1, 0, true], [3, 0, false], [3, 1, true], [5, 1, false], [5, 2, true]] as const) {
      const voters = Array.from({ length: size }, (_, i) => i + 1);
      const n = testNode(1, voters, plain);
      makeLeader(n, voters);
      const { index } = n.raw.propose(bytes('v')) as { index: number };
      drain(n);
      for (let i = 0; i < acks; i++) n.raw.step(appResp(i + 2, 1, 1, index));
      drain(n);
      assert.equal(n.raw.status().commit >= index, committed, `${size} voters, ${acks} acks`);
      assert.equal(n.applied.some((e) => text(e.data) === 'v'), committed);
    }
  });

  test('followers learn the commit index from appends and heartbeats, never beyond what they hold', () => {
    const c = new Cluster([1, 2, 3], { config: plain });
    const leader = c.electLeader();
    c.propose(leader.id, 'a');
    c.propose(leader.id, 'b');
    c.tickAll();
    c.stabilize();
    for (const r of c.replicas.values()) assert.deepEqual(r.state, ['a', 'b']);
    const sent: Message[] = [];
    leader.raw.tick();
    for (const m of ofType(leader.raw.ready().messages, 'heartbeat')) sent.push(m);
    for (const m of sent) assert.equal((m as { commit: number }).commit, leader.raw.status().commit);
  });

  test('"If an existing entry conflicts with a new one (same index but different terms), delete the existing entry and all that follow it"', () => {
    // Follower log terms [1, 2, 2]; the leader (term 3) sends entries after index 1.
    const cases: { prev: [number, number]; ents: [number, number][]; log: number[]; last: number | null }[] = [
      { prev: [1, 1], ents: [[2, 3]], log: [1, 3], last: 2 },
      { prev: [1, 1], ents: [[2, 2], [3, 2], [4, 3]], log: [1, 2, 2, 3], last: 4 },
      { prev: [3, 2], ents: [], log: [1, 2, 2], last: 3 },
      { prev: [2, 3], ents: [[3, 3]], log: [1, 2, 2], last: null }, // no match at prevIndex: refused
      { prev: [5, 3], ents: [], log: [1, 2, 2], last: null },
    ];
    for (const c of cases) {
      const n = testNode(1, [1, 2, 3], plain, storageWith([1, 2, 3], [1, 2, 2], 2, 1));
      n.raw.step(app(2, 1, 3, c.prev[0], c.prev[1], c.ents.map(([i, t]) => entry(i, t)), 1));
      const [resp] = ofType(drain(n), 'app-resp');
      const s = n.storage;
      const terms = s.entries(s.firstIndex(), s.lastIndex() + 1, 1e9).map((e) => e.term);
      assert.deepEqual(terms, c.log, JSON.stringify(c));
      if (c.last === null) {
        assert.equal(resp?.reject, true);
        assert.equal(resp?.index, c.prev[0]);
      } else {
        assert.equal(resp?.reject, false);
        assert.equal(resp?.index, c.last);
      }
    }
  });

  test('a refusal hints where the logs may agree, skipping a whole term at once', () => {
    // Follower terms [1, 1, 2, 2, 2]; the leader's entry 5 has term 3, its log [1, 1, 3, 3, 3].
    const n = testNode(1, [1, 2, 3], plain, storageWith([1, 2, 3], [1, 1, 2, 2, 2], 2, 0));
    n.raw.step(app(2, 1, 3, 5, 3));
    const [resp] = ofType(drain(n), 'app-resp');
    assert.equal(resp?.reject, true);
    assert.equal(resp?.rejectHint, 5);
    assert.equal(resp?.logTerm, 2);
  });

  test('"the leader must find the latest log entry where the two logs agree": figure 7 followers all converge', () => {
    // The leader for term 8 and the six follower logs (a)-(f) of figure 7, as terms per index.
    const leaderLog = [1, 1, 1, 4, 4, 5, 5, 6, 6, 6];
    const followers = [
      [1, 1, 1, 4, 4, 5, 5, 6, 6],
      [1, 1, 1, 4],
      [1, 1, 1, 4, 4, 5, 5, 6, 6, 6, 6],
      [1, 1, 1, 4, 4, 5, 5, 6, 6, 6, 7, 7],
      [1, 1, 1, 4, 4, 4, 4],
      [1, 1, 1, 2, 2, 2, 3, 3, 3, 3, 3],
    ];
    for (const f of followers) {
      const c = new Cluster([1, 2, 3], { config: plain });
      // Replace the replicas' storage: 1 is the leader-to-be, 2 the follower, 3 a copy of the leader.
      const logs = new Map([[1, leaderLog], [2, f], [3, leaderLog]]);
      for (const [id, terms] of logs) {
        const s = storageWith([1, 2, 3], terms, 7, 0);
        c.replicas.set(id, { ...c.get(id), raw: new RawNode({ id, ...plain, electionTicks: 10 }, s), storage: s });
      }
      const one = c.get(1);
      one.raw.campaign();
      c.stabilize();
      assert.equal(one.raw.status().role, 'leader', `follower ${JSON.stringify(f)}`);
      c.propose(1, 'next');
      const want = one.storage.entries(1, one.storage.lastIndex() + 1, 1e9).map((e) => e.term);
      const got = c.get(2).storage.entries(1, c.get(2).storage.lastIndex() + 1, 1e9).map((e) => e.term);
      assert.deepEqual(got, want, `follower ${JSON.stringify(f)}`);
    }
  });
});

describe('commitment (§5.4.2)', () => {
  test('"Raft never commits log entries from previous terms by counting replicas"', () => {
    // The leader (term 3) holds an entry of term 2 at index 2; its no-op of term 3 is index 3.
    const n = testNode(1, [1, 2, 3], plain, storageWith([1, 2, 3], [1, 2], 2, 1));
    makeLeader(n, [1, 2, 3]);
    assert.equal(n.raw.status().term, 3);
    n.raw.step(appResp(2, 1, 3, 2));
    drain(n);
    assert.equal(n.raw.status().commit, 1, 'index 2 is on a majority but of an older term: not committed');
    n.raw.step(appResp(2, 1, 3, 3));
    drain(n);
    assert.equal(n.raw.status().commit, 3, '"all prior entries are committed indirectly"');
    assert.deepEqual(n.applied.map((e) => e.index), [1, 2, 3]);
  });

  test('figure 8: an old-term entry stored on a majority is not committed, and may be overwritten', () => {
    // One entry per append, so the test can let some through and hold others back.
    const c = new Cluster([1, 2, 3, 4, 5], { config: { ...plain, maxSizePerMsgBytes: 1 }, checkInvariants: true });
    const onlyTo = (allowed: (m: Message) => boolean): void => {
      c.inFlight = c.inFlight.filter(allowed);
    };
    // (a) S1 leads; index 1 commits everywhere; index 2 reaches only S2.
    c.get(1).raw.campaign();
    c.stabilize();
    c.partition([1, 2]);
    c.get(1).raw.propose(bytes('from-1'));
    c.stabilize();
    // (b) S1 crashes; S5 wins with S3, S4 and writes its own index 2, which reaches nobody.
    c.crash(1);
    c.heal();
    c.partition([3, 4, 5]);
    c.get(5).raw.campaign();
    c.processAll();
    while (c.get(5).raw.status().role !== 'leader') {
      c.deliverAt(0);
      c.processAll();
    }
    onlyTo((m) => m.type !== 'app');
    c.isolate(5);
    c.get(5).raw.propose(bytes('from-5'));
    c.stabilize();
    // (c) S5 crashes; S1 restarts and wins a later term with S2, S3, S4; it sends its index 2 to S3
    // but its own new-term entry (index 3) reaches nobody: index 2 is on S1, S2, S3.
    c.crash(5);
    c.heal();
    c.restart(1);
    c.partition([1, 2, 3, 4]);
    for (let i = 0; i < 3 && c.get(1).raw.status().role !== 'leader'; i++) {
      c.get(1).raw.campaign();
      c.processAll();
      for (let k = 0; k < 50 && c.get(1).raw.status().role !== 'leader' && c.inFlight.length > 0; k++) {
        onlyTo((m) => m.type !== 'app');
        c.deliverAt(0);
        c.processAll();
      }
    }
    assert.equal(c.get(1).raw.status().role, 'leader');
    for (let k = 0; k < 200 && c.inFlight.length > 0; k++) {
      // Appends that would place index 3 are held back (a refused probe may pass).
      onlyTo((m) => !(m.type === 'app' && m.entries.some((e) => e.index >= 3) && c.get(m.to).storage.lastIndex() >= m.prevIndex));
      if (c.inFlight.length > 0) c.deliverAt(0);
      c.processAll();
    }
    assert.equal(c.get(3).storage.lastIndex(), 2);
    assert.equal(text(c.get(3).storage.entries(2, 3, 1e9)[0]!.data), 'from-1');
    assert.equal(c.get(1).raw.status().commit, 1, 'on a majority, but of an older term: not committed');
    // (d) S1 crashes; S5 restarts and wins with S2, S3, S4 (its last term is newer): its index 2
    // replaces S1's everywhere, and that is safe because nobody applied S1's.
    c.crash(1);
    c.heal();
    c.restart(5);
    for (let i = 0; i < 5 && c.get(5).raw.status().role !== 'leader'; i++) {
      c.get(5).raw.campaign();
      c.stabilize();
    }
    assert.equal(c.get(5).raw.status().role, 'leader');
    c.restart(1);
    for (let i = 0; i < 5; i++) {
      c.tickAll();
      c.stabilize();
    }
    for (const r of c.replicas.values()) assert.deepEqual(r.state, ['from-5'], `replica ${r.id}`);
  });
});

describe('flow control', () => {
  test('in replicate state at most maxInflightMsgs appends are outstanding, freed by acks', () => {
    const n = testNode(1, [1, 2], { ...plain, maxInflightMsgs: 3 });
    makeLeader(n, [1, 2]);
    n.raw.step(appResp(2, 1, 1, 1)); // probe answered: replicate
    drain(n);
    for (let i = 0; i < 10; i++) n.raw.propose(bytes(`p${i}`));
    const apps = ofType(drain(n), 'app').filter((m) => m.entries.length > 0);
    assert.equal(apps.length, 3);
    assert.equal(n.raw.status().progress.get(2)?.paused, true);
    n.raw.step(appResp(2, 1, 1, apps[0]!.prevIndex + apps[0]!.entries.length));
    const more = ofType(drain(n), 'app').filter((m) => m.entries.length > 0);
    assert.ok(more.length >= 1, 'an ack opens the window');
    assert.ok(n.raw.status().progress.get(2)!.inflightMsgs <= 3);
  });

  test('appends carry at most maxSizePerMsgBytes of entries (one entry always fits) and in-flight bytes are bounded', () => {
    const n = testNode(1, [1, 2], { ...plain, maxSizePerMsgBytes: 100, maxInflightBytes: 250, maxInflightMsgs: 100 });
    makeLeader(n, [1, 2]);
    n.raw.step(appResp(2, 1, 1, 1));
    drain(n);
    for (let i = 0; i < 20; i++) n.raw.propose(new Uint8Array(40)); // 64 bytes counted per entry
    const apps = ofType(drain(n), 'app').filter((m) => m.entries.length > 0);
    for (const m of apps) assert.ok(m.entries.length === 1 || m.entries.length * 64 <= 100, `${m.entries.length} entries`);
    const st = n.raw.status().progress.get(2)!;
    assert.ok(st.paused);
    assert.ok(st.inflightBytes >= 250 && st.inflightBytes < 250 + 100, `${st.inflightBytes} bytes in flight`);
    n.raw.propose(new Uint8Array(500));
  });

  test('in probe state one append at a time, until the follower answers or a heartbeat comes back', () => {
    const n = testNode(1, [1, 2], plain);
    makeLeader(n, [1, 2]);
    n.raw.propose(bytes('a'));
    n.raw.propose(bytes('b'));
    assert.equal(ofType(drain(n), 'app').filter((m) => m.entries.length > 0).length, 0, 'the first probe is outstanding');
    n.raw.step(hbResp(2, 1, 1));
    const apps = ofType(drain(n), 'app');
    assert.equal(apps.length, 1, 'a heartbeat answer lets one probe through');
  });

  test('proposals beyond the uncommitted-bytes bound are dropped until entries commit', () => {
    const n = testNode(1, [1, 2, 3], { ...plain, maxUncommittedEntriesBytes: 100 });
    makeLeader(n, [1, 2, 3]);
    drain(n);
    assert.equal(n.raw.propose(new Uint8Array(60)).kind, 'appended');
    assert.equal(n.raw.propose(new Uint8Array(60)).kind, 'dropped');
    n.raw.step(appResp(2, 1, 1, 2));
    drain(n);
    assert.equal(n.raw.propose(new Uint8Array(60)).kind, 'appended', 'committed bytes no longer count');
  });

  test('an unreachable follower drops back to probing', () => {
    const n = testNode(1, [1, 2], plain);
    makeLeader(n, [1, 2]);
    n.raw.step(appResp(2, 1, 1, 1));
    drain(n);
    assert.equal(n.raw.status().progress.get(2)?.state, 'replicate');
    n.raw.reportUnreachable(2);
    assert.equal(n.raw.status().progress.get(2)?.state, 'probe');
  });
});

describe('snapshots and compaction (§7)', () => {
  test('a follower behind the leader\'s compacted log gets a snapshot and ends identical', () => {
    const c = new Cluster([1, 2, 3], { config: plain, compactEvery: 5, checkInvariants: true });
    const leader = c.electLeader();
    const lagging = c.ids().find((id) => id !== leader.id)!;
    c.crash(lagging);
    for (let i = 0; i < 20; i++) c.propose(leader.id, `v${i}`);
    assert.ok(leader.storage.firstIndex() > 2, 'the leader compacted its log');
    c.restart(lagging);
    for (let i = 0; i < 5; i++) {
      c.tickAll();
      c.stabilize();
    }
    assert.ok(c.stats.snapshotsInstalled >= 1);
    const want = Array.from({ length: 20 }, (_, i) => `v${i}`);
    for (const r of c.replicas.values()) assert.deepEqual(r.state, want, `replica ${r.id}`);
    assert.equal(c.get(lagging).raw.status().commit, leader.raw.status().commit);
  });

  test('the snapshot state pauses appends until the transfer is reported; a failure resends it', () => {
    const n = testNode(1, [1, 2], plain);
    makeLeader(n, [1, 2]);
    for (let i = 0; i < 5; i++) n.raw.propose(bytes(`v${i}`));
    drain(n);
    n.storage.createSnapshot(3, { voters: [1, 2], learners: [] }, bytes('state@3'));
    n.storage.compact(3);
    // The follower answers a heartbeat (so it is active) and holds nothing: the entries it
    // needs are compacted away.
    n.raw.step(hbResp(2, 1, 1));
    const snaps = ofType(drain(n), 'snap');
    assert.equal(snaps.length, 1);
    assert.equal(snaps[0]!.snapshot.metadata.index, 3);
    assert.equal(n.raw.status().progress.get(2)?.state, 'snapshot');
    n.raw.propose(bytes('more'));
    assert.equal(ofType(drain(n), 'app').length, 0, 'nothing else while the snapshot is in flight');
    n.raw.reportSnapshot(2, 'failure');
    assert.equal(n.raw.status().progress.get(2)?.state, 'probe');
    n.raw.step(hbResp(2, 1, 1));
    assert.equal(ofType(drain(n), 'snap').length, 1, 'sent again');
    n.raw.reportSnapshot(2, 'finish');
    n.raw.step(appResp(2, 1, 1, 3));
    drain(n);
    assert.equal(n.raw.status().progress.get(2)?.state, 'replicate');
  });

  test('a follower installs a snapshot: its log is replaced and its commit index moves to the snapshot', () => {
    const n = testNode(2, [1, 2], plain, storageWith([1, 2], [1, 1], 1, 1));
    const snapshot = { metadata: { index: 10, term: 3, confState: { voters: [1, 2], learners: [] } }, data: bytes('S') };
    n.raw.step({ type: 'snap', from: 1, to: 2, term: 3, snapshot });
    const rd = take(n)!;
    assert.equal(rd.snapshot?.metadata.index, 10);
    assert.equal(rd.committedEntries.length, 0);
    const [resp] = ofType(rd.messages, 'app-resp');
    assert.equal(resp?.index, 10);
    assert.equal(n.storage.firstIndex(), 11);
    assert.equal(n.raw.status().applied, 10);
    // An older snapshot, or one we hold the entries of, changes nothing.
    n.raw.step({ type: 'snap', from: 1, to: 2, term: 3, snapshot: { ...snapshot, metadata: { ...snapshot.metadata, index: 5 } } });
    const [again] = ofType(drain(n), 'app-resp');
    assert.equal(again?.index, 10);
  });

  test('a node added after the snapshot was taken installs it, then learns its membership from the log', () => {
    const n = testNode(4, [1, 2], plain, new MemoryStorage());
    const snapshot = { metadata: { index: 10, term: 3, confState: { voters: [1, 2], learners: [] } }, data: bytes('S') };
    n.raw.step({ type: 'snap', from: 1, to: 4, term: 3, snapshot });
    const rd = take(n)!;
    assert.equal(rd.snapshot?.metadata.index, 10);
    assert.deepEqual(n.raw.status().confState, { voters: [1, 2], learners: [] });
    for (let i = 0; i < 30; i++) n.raw.tick();
    assert.equal(n.raw.status().role, 'follower', 'not a voter: it never campaigns');
    const add = { term: 3, index: 11, type: 'conf-change' as const, data: encodeConfChange({ type: 'add-learner', nodeId: 4, context: new Uint8Array(0) }) };
    n.raw.step(app(1, 4, 3, 10, 3, [add], 11));
    drain(n);
    assert.deepEqual(n.raw.status().confState, { voters: [1, 2], learners: [4] });
  });
});

describe('storage', () => {
  test('MemoryStorage: append replaces a suffix, compact keeps the term of the new first index - 1', () => {
    const s = MemoryStorage.bootstrap([1]);
    s.append([entry(1, 1), entry(2, 1), entry(3, 2)]);
    s.append([entry(3, 3), entry(4, 3)]);
    assert.deepEqual(s.entries(1, 5, 1e9).map((e) => e.term), [1, 1, 3, 3]);
    assert.equal(s.compact(2), 'ok');
    assert.equal(s.firstIndex(), 3);
    assert.equal(s.term(2), 1);
    assert.equal(s.compact(2), 'compacted');
    assert.throws(() => s.entries(2, 3, 1e9), /outside/);
    assert.throws(() => s.compact(9), /beyond/);
    assert.equal(s.entries(3, 5, 1).length, 1, 'one entry even over the byte bound');
    assert.equal(s.entries(3, 5, 1e9).length, 2);
  });

  test('MemoryStorage: snapshots', () => {
    const s = MemoryStorage.bootstrap([1]);
    s.append([entry(1, 1), entry(2, 2), entry(3, 2)]);
    const snap = s.createSnapshot(2, { voters: [1], learners: [] }, bytes('two'));
    assert.ok(snap !== 'out-of-date');
    assert.equal(snap.metadata.term, 2);
    assert.equal(s.createSnapshot(1, { voters: [1], learners: [] }, bytes('one')), 'out-of-date');
    assert.equal(s.applySnapshot(snap), 'out-of-date');
    const newer = { metadata: { index: 9, term: 4, confState: { voters: [1], learners: [] } }, data: bytes('nine') };
    assert.equal(s.applySnapshot(newer), 'ok');
    assert.equal(s.firstIndex(), 10);
    assert.equal(s.lastIndex(), 9);
    assert.equal(s.term(9), 4);
  });

  test('a replica restarts from its storage: term, vote, commit and log survive; applied entries are not handed out again', () => {
    const c = new Cluster([1, 2, 3], { config: plain });
    const leader = c.electLeader();
    for (let i = 0; i < 3; i++) c.propose(leader.id, `v${i}`);
    c.tickAll();
    c.stabilize();
    const before = leader.raw.status();
    const again = new RawNode({ id: leader.id, ...plain, applied: before.applied }, leader.storage);
    const s = again.status();
    assert.deepEqual([s.term, s.vote, s.commit, s.lastIndex, s.role], [before.term, before.vote, before.commit, before.lastIndex, 'follower']);
    const rd = again.ready();
    assert.equal(rd.committedEntries.length, 0);
  });
});

describe('the Ready contract', () => {
  test('ready() twice without advance() and advance() with another Ready are refused', () => {
    const n = testNode(1, [1, 2, 3], plain);
    n.raw.campaign();
    const rd = n.raw.ready();
    assert.equal(n.raw.hasReady(), false, 'nothing more until advance');
    assert.throws(() => n.raw.ready(), /before advance/);
    assert.throws(() => n.raw.advance({ ...rd }), /not the outstanding/);
    n.raw.advance(rd);
  });

  test('mustSync when term, vote or entries change; not for commit alone', () => {
    const n = testNode(1, [1, 2, 3], plain);
    n.raw.campaign();
    const rd = take(n)!;
    assert.equal(rd.mustSync, true);
    assert.deepEqual(rd.hardState, { term: 1, vote: 1, commit: 0 });
    assert.equal(rd.softState?.role, 'candidate');
    const f = testNode(2, [1, 2, 3], plain);
    f.raw.step(app(1, 2, 1, 0, 0, [entry(1, 1)], 0));
    take(f);
    f.raw.step(app(1, 2, 1, 1, 1, [], 1));
    const rd2 = take(f)!;
    assert.equal(rd2.mustSync, false);
    assert.equal(rd2.hardState?.commit, 1);
    assert.deepEqual(rd2.committedEntries.map((e) => e.index), [1]);
  });

  test('committed entries per Ready are bounded by maxCommittedBytesPerReady', () => {
    const n = testNode(1, [1], { maxCommittedBytesPerReady: 100 });
    ticks(n, 20);
    drain(n);
    for (let i = 0; i < 10; i++) n.raw.propose(new Uint8Array(30));
    const sizes: number[] = [];
    for (let rd = take(n); rd !== null; rd = take(n)) if (rd.committedEntries.length > 0) sizes.push(rd.committedEntries.length);
    assert.ok(sizes.length > 1, `${sizes}`);
    assert.equal(sizes.reduce((a, b) => a + b, 0), 10);
  });

  test('the same seed and inputs give the same output, message for message', () => {
    const runOnce = (): string => {
      const c = new Cluster([1, 2, 3, 4, 5], { config: { seed: 42 } });
      const out: string[] = [];
      for (let t = 0; t < 200; t++) {
        c.tickAll();
        if (t % 7 === 0) c.leader()?.raw.propose(bytes(`t${t}`));
        for (const m of c.inFlight) out.push(JSON.stringify(m, (k, v) => (v instanceof Uint8Array ? text(v) : v)));
        c.stabilize();
      }
      return out.join('\n');
    };
    assert.equal(runOnce(), runOnce());
  });
});
