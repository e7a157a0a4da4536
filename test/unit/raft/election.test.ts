// Leader election, after the Raft paper (§5.1, §5.2, §5.4.1) and the thesis (pre-vote, §9.6;
// CheckQuorum, §6.2): each test quotes the rule it checks.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Cluster } from './harness.js';
import { app, drain, entry, makeLeader, ofType, storageWith, testNode, ticks, voteReq, voteResp } from './node-helpers.js';

const plain = { preVote: false, checkQuorum: false };

describe('terms (§5.1)', () => {
  test('"If one server\'s current term is smaller than the other\'s, then it updates its current term to the larger value"', () => {
    for (const role of ['follower', 'candidate', 'leader'] as const) {
      const n = testNode(1, [1, 2, 3], plain);
      if (role === 'candidate') n.raw.campaign();
      if (role === 'leader') makeLeader(n, [1, 2, 3]);
      drain(n);
      n.raw.step(app(2, 1, 5, 0, 0));
      const s = n.raw.status();
      assert.equal(s.term, 5, role);
      assert.equal(s.role, 'follower', role);
      assert.equal(s.lead, 2, role);
    }
  });

  test('"If a server receives a request with a stale term number, it rejects the request"', () => {
    const n = testNode(1, [1, 2, 3], plain);
    n.raw.step(app(2, 1, 3, 0, 0));
    drain(n);
    n.raw.step(voteReq(3, 1, 2, 10, 2));
    assert.deepEqual(drain(n), [], 'a stale vote request gets no answer');
    assert.equal(n.raw.status().term, 3);
    assert.equal(n.raw.status().vote, 0);
  });

  test('a stale leader is told the newer term (with pre-vote or CheckQuorum), so it steps down', () => {
    const n = testNode(1, [1, 2, 3], { preVote: true });
    n.raw.step(app(2, 1, 3, 0, 0));
    drain(n);
    n.raw.step(app(3, 1, 2, 0, 0));
    const [resp] = ofType(drain(n), 'app-resp').filter((m) => m.to === 3);
    assert.equal(resp?.term, 3);
  });
});

describe('leader election (§5.2)', () => {
  test('"When servers start up, they begin as followers"', () => {
    const s = testNode(1).raw.status();
    assert.equal(s.role, 'follower');
    assert.equal(s.term, 0);
    assert.equal(s.lead, 0);
  });

  test('"If a follower receives no communication over a period of time called the election timeout, then it ... begins an election"', () => {
    const n = testNode(1, [1, 2, 3], plain);
    ticks(n, 20); // the randomized timeout is below 2 * electionTicks
    const s = n.raw.status();
    assert.equal(s.role, 'candidate');
    assert.equal(s.term, 1);
    assert.equal(s.vote, 1, '"It then votes for itself"');
    const votes = ofType(drain(n), 'vote');
    assert.deepEqual(votes.map((m) => m.to).sort(), [2, 3], '"issues RequestVote RPCs in parallel to each of the other servers"');
    for (const v of votes) {
      assert.equal(v.term, 1);
      assert.equal(v.lastLogIndex, 0);
    }
    const hs = n.storage.initialState().hardState;
    assert.deepEqual([hs.term, hs.vote], [1, 1], 'term and vote are persisted before the requests go out');
  });

  test('"Raft uses randomized election timeouts": replicas with different seeds time out at different ticks in [T, 2T)', () => {
    const seen = new Set<number>();
    for (let seed = 1; seed <= 40; seed++) {
      const n = testNode(1, [1, 2, 3], { ...plain, seed });
      let t = 0;
      while (n.raw.status().role === 'follower') {
        n.raw.tick();
        t++;
      }
      assert.ok(t >= 10 && t < 20, `timeout ${t}`);
      seen.add(t);
    }
    assert.ok(seen.size >= 5, `timeouts spread (${[...seen].join(',')})`);
  });

  test('"A candidate wins an election if it receives votes from a majority of the servers"', () => {
    const cases: { size: number; grants: number[]; rejects: number[]; role: string }[] = [
      { size: 1, grants: [], rejects: [], role: 'leader' },
      { size: 3, grants: [2], rejects: [], role: 'leader' },
      { size: 3, grants: [], rejects: [2], role: 'candidate' },
      { size: 3, grants: [], rejects: [2, 3], role: 'follower' },
      { size: 5, grants: [2], rejects: [3], role: 'candidate' },
      { size: 5, grants: [2, 3], rejects: [4, 5], role: 'leader' },
      { size: 5, grants: [2], rejects: [3, 4, 5], role: 'follower' },
    ];
    for (const c of cases) {
      const voters = Array.from({ length: c.size }, (_, i) => i + 1);
      const n = testNode(1, voters, plain);
      n.raw.campaign();
      for (const g of c.grants) n.raw.step(voteResp(g, 1, 1));
      for (const r of c.rejects) n.raw.step(voteResp(r, 1, 1, true));
      assert.equal(n.raw.status().role, c.role, JSON.stringify(c));
    }
  });

  test('a new leader appends an empty entry of its term and sends it to everyone', () => {
    const n = testNode(1, [1, 2, 3], plain);
    const sent = ofType(makeLeader(n, [1, 2, 3]), 'app');
    assert.deepEqual(sent.map((m) => m.to).sort(), [2, 3]);
    for (const m of sent) {
      assert.equal(m.entries.length, 1);
      assert.equal(m.entries[0]!.term, 1);
      assert.equal(m.entries[0]!.data.byteLength, 0);
    }
  });

  test('"Each server will vote for at most one candidate in a given term, on a first-come-first-served basis"', () => {
    const n = testNode(1, [1, 2, 3], plain);
    n.raw.step(voteReq(2, 1, 1, 0, 0));
    n.raw.step(voteReq(3, 1, 1, 0, 0));
    n.raw.step(voteReq(2, 1, 1, 0, 0)); // a retry of the granted request is granted again
    const resps = ofType(drain(n), 'vote-resp');
    assert.deepEqual(resps.map((m) => [m.to, m.reject]), [[2, false], [3, true], [2, false]]);
    assert.equal(n.storage.initialState().hardState.vote, 2);
  });

  test('a restarted replica remembers its vote and does not vote twice in a term', () => {
    const n = testNode(1, [1, 2, 3], plain);
    n.raw.step(voteReq(2, 1, 1, 0, 0));
    drain(n);
    const again = testNode(1, [1, 2, 3], plain, n.storage);
    again.raw.step(voteReq(3, 1, 1, 0, 0));
    assert.deepEqual(ofType(drain(again), 'vote-resp').map((m) => m.reject), [true]);
  });

  test('"If the AppendEntries RPC is from a leader whose term is at least as large as the candidate\'s ... the candidate ... returns to follower state"', () => {
    const n = testNode(1, [1, 2, 3], plain);
    n.raw.campaign();
    n.raw.step(app(2, 1, 1, 0, 0));
    assert.equal(n.raw.status().role, 'follower');
    assert.equal(n.raw.status().lead, 2);
  });

  test('"the voter denies its vote if its own log is more up-to-date than that of the candidate" (§5.4.1)', () => {
    // The voter's log: terms [1, 1, 2].
    const cases: [number, number, boolean][] = [
      [3, 2, false], [4, 2, false], [2, 2, true], [5, 1, true], [2, 3, false], [1, 3, false],
    ];
    for (const [index, term, reject] of cases) {
      const n = testNode(1, [1, 2, 3], plain, storageWith([1, 2, 3], [1, 1, 2], 2));
      n.raw.step(voteReq(2, 1, 3, index, term));
      const [resp] = ofType(drain(n), 'vote-resp');
      assert.equal(resp?.reject, reject, `candidate log ends at (${index}, ${term})`);
    }
  });

  test('a learner never campaigns', () => {
    const c = new Cluster([1, 2, 3, 4], { learners: [4], config: plain });
    for (let i = 0; i < 100; i++) c.tick(4);
    c.stabilize();
    assert.equal(c.get(4).raw.status().role, 'follower');
    assert.equal(c.get(4).raw.status().term, 0);
  });

  test('a group of one elects itself at its first timeout', () => {
    const n = testNode(1, [1]);
    ticks(n, 20);
    assert.equal(n.raw.status().role, 'leader');
  });
});

describe('pre-vote (thesis §9.6)', () => {
  test('a pre-candidate does not raise its term, and raises it only once a majority would vote', () => {
    const n = testNode(1, [1, 2, 3], { preVote: true });
    n.raw.campaign();
    assert.equal(n.raw.status().role, 'pre-candidate');
    assert.equal(n.raw.status().term, 0);
    const pre = ofType(drain(n), 'pre-vote');
    assert.equal(pre.length, 2);
    assert.equal(pre[0]!.term, 1, 'asks about the next term');
    n.raw.step(voteResp(2, 1, 1, false, true));
    assert.equal(n.raw.status().role, 'candidate');
    assert.equal(n.raw.status().term, 1);
    assert.equal(ofType(drain(n), 'vote').length, 2);
  });

  test('a pre-vote changes neither the voter\'s term nor its vote', () => {
    const n = testNode(1, [1, 2, 3], { preVote: true, checkQuorum: false });
    n.raw.step(voteReq(2, 1, 5, 0, 0, true));
    const [resp] = ofType(drain(n), 'pre-vote-resp');
    assert.equal(resp?.reject, false);
    assert.equal(resp?.term, 5);
    assert.equal(n.raw.status().term, 0);
    assert.equal(n.raw.status().vote, 0);
  });

  test('a partitioned replica rejoining does not disrupt the leader', () => {
    const c = new Cluster([1, 2, 3], { config: { preVote: true, checkQuorum: true } });
    const leader = c.electLeader();
    const term = leader.raw.status().term;
    const out = c.ids().find((id) => id !== leader.id)!;
    c.isolate(out);
    for (let i = 0; i < 100; i++) {
      c.tickAll();
      c.stabilize();
    }
    assert.equal(c.get(out).raw.status().term, term, 'pre-votes failed, so the term did not move');
    c.heal();
    for (let i = 0; i < 30; i++) {
      c.tickAll();
      c.stabilize();
    }
    assert.equal(c.leader()?.id, leader.id);
    assert.equal(c.leader()?.raw.status().term, term);
  });

  test('without pre-vote, the same rejoining replica forces an election (the disruption pre-vote prevents)', () => {
    const c = new Cluster([1, 2, 3], { config: plain });
    const leader = c.electLeader();
    const term = leader.raw.status().term;
    const out = c.ids().find((id) => id !== leader.id)!;
    c.isolate(out);
    for (let i = 0; i < 100; i++) {
      c.tickAll();
      c.stabilize();
    }
    assert.ok(c.get(out).raw.status().term > term);
    c.heal();
    for (let i = 0; i < 30; i++) {
      c.tickAll();
      c.stabilize();
    }
    assert.ok(c.leader()!.raw.status().term > term);
  });
});

describe('CheckQuorum (thesis §6.2)', () => {
  test('a leader that hears from no majority for an election timeout steps down', () => {
    const c = new Cluster([1, 2, 3], { config: { checkQuorum: true } });
    const leader = c.electLeader();
    c.isolate(leader.id);
    for (let i = 0; i < 21; i++) {
      c.tickAll();
      c.stabilize();
    }
    assert.equal(leader.raw.status().role, 'follower');
    const other = c.leader();
    assert.ok(other !== null && other.id !== leader.id, 'the majority elected another leader');
  });

  test('without CheckQuorum an isolated leader keeps believing it leads', () => {
    const c = new Cluster([1, 2, 3], { config: plain });
    const leader = c.electLeader();
    c.isolate(leader.id);
    for (let i = 0; i < 50; i++) {
      c.tickAll();
      c.stabilize();
    }
    assert.equal(leader.raw.status().role, 'leader');
  });

  test('a follower that heard from its leader within an election timeout ignores vote requests', () => {
    const n = testNode(1, [1, 2, 3], { checkQuorum: true, preVote: false });
    n.raw.step(app(2, 1, 1, 0, 0));
    drain(n);
    n.raw.step(voteReq(3, 1, 2, 5, 1));
    assert.deepEqual(drain(n), []);
    assert.equal(n.raw.status().term, 1);
    // ...but a campaign ordered by the leader (transfer) is heard.
    n.raw.step(voteReq(3, 1, 2, 5, 1, false, true));
    assert.deepEqual(ofType(drain(n), 'vote-resp').map((m) => m.reject), [false]);
  });

  test('once the election timeout passed without the leader, the follower votes again', () => {
    const n = testNode(1, [1, 2, 3], { checkQuorum: true, preVote: false, seed: 3 });
    n.raw.step(app(2, 1, 1, 0, 0, [entry(1, 1)]));
    drain(n);
    // 9 ticks: still in lease, no campaign of its own yet (randomized timeout >= 10).
    ticks(n, 9);
    n.raw.step(voteReq(3, 1, 2, 5, 1));
    assert.deepEqual(drain(n), []);
    ticks(n, 1);
    drain(n);
    assert.equal(n.raw.status().role, 'follower', 'this seed times out later than 10 ticks');
    n.raw.step(voteReq(3, 1, 2, 5, 1));
    assert.deepEqual(ofType(drain(n), 'vote-resp').map((m) => m.reject), [false]);
  });
});
