// Membership changes (one at a time, applied when committed) and leadership transfer.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeConfChange, encodeConfChange, type ConfChange, type NodeId } from '../../../src/core/raft/index.js';
import { Cluster, bytes, type Replica } from './harness.js';
import { appResp, drain, makeLeader, testNode } from './node-helpers.js';

const none = new Uint8Array(0);
const cc = (type: ConfChange['type'], nodeId: NodeId): ConfChange => ({ type, nodeId, context: none });

function settle(c: Cluster, rounds = 10): void {
  for (let i = 0; i < rounds; i++) {
    c.tickAll();
    c.stabilize();
  }
}

function change(c: Cluster, leader: Replica, change: ConfChange): void {
  const res = leader.raw.proposeConfChange(change);
  assert.equal(res.kind, 'appended', JSON.stringify(res));
  c.stabilize();
}

describe('conf-change encoding', () => {
  test('round trip, and garbage decodes to null', () => {
    const a: ConfChange = { type: 'add-learner', nodeId: 2 ** 40 + 3, context: bytes('127.0.0.1:7001') };
    assert.deepEqual(decodeConfChange(encodeConfChange(a)), a);
    assert.equal(decodeConfChange(new Uint8Array([1, 2])), null);
    const bad = encodeConfChange(a);
    bad[1] = 9;
    assert.equal(decodeConfChange(bad), null);
    const v2 = encodeConfChange(a);
    v2[0] = 2;
    assert.equal(decodeConfChange(v2), null);
  });
});

describe('membership changes', () => {
  test('add a learner, let it catch up (from a snapshot), promote it; it then counts in the majority', () => {
    const c = new Cluster([1, 2, 3], { compactEvery: 4, checkInvariants: true });
    const leader = c.electLeader();
    for (let i = 0; i < 10; i++) c.propose(leader.id, `v${i}`);
    const four = c.addBlank(4);
    change(c, leader, cc('add-learner', 4));
    settle(c);
    assert.deepEqual(leader.raw.status().confState, { voters: [1, 2, 3], learners: [4] });
    const st = leader.raw.status().progress.get(4)!;
    assert.equal(st.isLearner, true);
    assert.equal(st.match, leader.raw.status().lastIndex, 'the learner caught up');
    assert.ok(c.stats.snapshotsInstalled >= 1, 'through a snapshot: the leader had compacted');
    assert.deepEqual(four.state, leader.state);
    assert.equal(four.raw.status().role, 'follower');
    // A learner does not count: with two voters down, nothing commits.
    const others = [1, 2, 3].filter((id) => id !== leader.id);
    c.crash(others[0]!);
    c.crash(others[1]!);
    const res = leader.raw.propose(bytes('blocked'));
    assert.equal(res.kind, 'appended');
    settle(c, 3);
    assert.ok(!leader.state.includes('blocked'));
    c.restart(others[0]!);
    c.restart(others[1]!);
    settle(c);
    // Promote: now 4 voters, majority 3.
    const l = c.leader()!;
    change(c, l, cc('add-node', 4));
    settle(c);
    assert.deepEqual(l.raw.status().confState, { voters: [1, 2, 3, 4], learners: [] });
    c.crash(others[0]!);
    l.raw.propose(bytes('with-4'));
    settle(c, 3);
    assert.ok(c.leader()!.state.includes('with-4'), 'committed by 3 of 4 voters including the promoted one');
  });

  test('only one change at a time: the next is refused until the previous is applied', () => {
    const c = new Cluster([1, 2, 3]);
    const leader = c.electLeader();
    c.addBlank(4);
    c.addBlank(5);
    assert.equal(leader.raw.proposeConfChange(cc('add-learner', 4)).kind, 'appended');
    assert.deepEqual(leader.raw.proposeConfChange(cc('add-learner', 5)), { kind: 'dropped', reason: 'conf-change-pending' });
    c.stabilize();
    assert.equal(leader.raw.proposeConfChange(cc('add-learner', 5)).kind, 'appended');
  });

  test('a new leader may not propose a change before it applied everything of earlier terms', () => {
    const n = testNode(1, [1, 2, 3], { preVote: false, checkQuorum: false });
    makeLeader(n, [1, 2, 3]);
    assert.deepEqual(n.raw.proposeConfChange(cc('add-learner', 4)), { kind: 'dropped', reason: 'conf-change-pending' });
    n.raw.step(appResp(2, 1, 1, 1));
    drain(n);
    assert.equal(n.raw.proposeConfChange(cc('add-learner', 4)).kind, 'appended', 'once its own first entry is applied');
  });

  test('removing the last voter is refused; so is garbage in a conf-change entry', () => {
    const c = new Cluster([1]);
    const leader = c.electLeader();
    assert.deepEqual(leader.raw.proposeConfChange(cc('remove-node', 1)), { kind: 'dropped', reason: 'invalid-conf-change' });
    assert.deepEqual(leader.raw.proposeConfChange(cc('add-learner', 1)), { kind: 'dropped', reason: 'invalid-conf-change' });
  });

  test('remove a follower: the majority shrinks and the removed node gets nothing more', () => {
    const c = new Cluster([1, 2, 3, 4, 5]);
    const leader = c.electLeader();
    const gone = c.ids().find((id) => id !== leader.id)!;
    change(c, leader, cc('remove-node', gone));
    settle(c, 3);
    assert.equal(leader.raw.status().confState.voters.length, 4);
    assert.equal(leader.raw.status().progress.has(gone), false);
    c.propose(leader.id, 'after');
    assert.ok(!c.get(gone).state.includes('after'));
    // 4 voters: two more down leaves 2 of 4, no majority; one down leaves 3 of 4.
    const rest = c.ids().filter((id) => id !== leader.id && id !== gone);
    c.crash(rest[0]!);
    c.propose(leader.id, 'three-of-four');
    settle(c, 2);
    assert.ok(leader.state.includes('three-of-four'));
  });

  test('remove the leader: once the change applies it hands leadership to a remaining voter', () => {
    const c = new Cluster([1, 2, 3]);
    const leader = c.electLeader();
    change(c, leader, cc('remove-node', leader.id));
    settle(c, 12);
    assert.equal(leader.raw.status().role, 'follower');
    c.crash(leader.id);
    const next = c.leader();
    assert.ok(next !== null && next.id !== leader.id);
    assert.deepEqual(next.raw.status().confState.voters, [1, 2, 3].filter((id) => id !== leader.id));
    c.propose(next.id, 'two-voters');
    assert.ok(next.state.includes('two-voters'));
  });

  test('two voters, the leader demotes itself: the other learns the commit and takes over', () => {
    const c = new Cluster([1, 2], { config: { preVote: false, checkQuorum: false } });
    const leader = c.electLeader();
    const other = c.get(leader.id === 1 ? 2 : 1);
    change(c, leader, cc('add-learner', leader.id));
    settle(c, 25);
    assert.equal(c.leader()?.id, other.id);
    assert.deepEqual(other.raw.status().confState, { voters: [other.id], learners: [leader.id] });
    c.propose(other.id, 'alone');
    assert.ok(leader.state.includes('alone'), 'the learner still receives the log');
  });

  test('demote a voter to learner', () => {
    const c = new Cluster([1, 2, 3]);
    const leader = c.electLeader();
    const other = c.ids().find((id) => id !== leader.id)!;
    change(c, leader, cc('add-learner', other));
    settle(c, 2);
    assert.deepEqual(c.get(other).raw.status().confState.learners, [other]);
    for (let i = 0; i < 50; i++) c.tick(other);
    c.stabilize();
    assert.notEqual(c.get(other).raw.status().role, 'candidate');
  });
});

describe('leadership transfer (thesis §3.10)', () => {
  test('to an up-to-date follower: TimeoutNow, and it wins at once in the next term', () => {
    const c = new Cluster([1, 2, 3]);
    const leader = c.electLeader();
    c.propose(leader.id, 'x');
    settle(c, 2);
    const term = leader.raw.status().term;
    const target = c.ids().find((id) => id !== leader.id)!;
    leader.raw.transferLeadership(target);
    c.processAll();
    assert.ok(c.inFlight.some((m) => m.type === 'timeout-now' && m.to === target));
    c.stabilize();
    assert.equal(c.leader()?.id, target);
    assert.equal(c.get(target).raw.status().term, term + 1, 'no pre-vote round, and voters skip their lease');
    assert.equal(leader.raw.status().role, 'follower');
  });

  test('to a lagging follower: the leader first brings it up to date', () => {
    const c = new Cluster([1, 2, 3], { checkInvariants: true });
    const leader = c.electLeader();
    const target = c.ids().find((id) => id !== leader.id)!;
    c.crash(target);
    for (let i = 0; i < 5; i++) c.propose(leader.id, `v${i}`);
    c.restart(target);
    leader.raw.transferLeadership(target);
    c.processAll();
    assert.ok(!c.inFlight.some((m) => m.type === 'timeout-now'), 'not before it caught up');
    settle(c, 3);
    assert.equal(c.leader()?.id, target);
    assert.deepEqual(c.get(target).state, ['v0', 'v1', 'v2', 'v3', 'v4']);
  });

  test('proposals are refused during a transfer, which is abandoned after an election timeout', () => {
    const c = new Cluster([1, 2, 3]);
    const leader = c.electLeader();
    const target = c.ids().find((id) => id !== leader.id)!;
    c.isolate(target);
    c.get(target).raw.propose(bytes('nothing')); // no effect: isolated
    c.propose(leader.id, 'lagging');
    leader.raw.transferLeadership(target);
    assert.equal(leader.raw.status().leadTransferee, target);
    assert.deepEqual(leader.raw.propose(bytes('x')), { kind: 'dropped', reason: 'transfer-in-progress' });
    for (let i = 0; i < 10; i++) {
      leader.raw.tick();
      c.stabilize();
    }
    assert.equal(leader.raw.status().leadTransferee, 0);
    assert.equal(leader.raw.propose(bytes('y')).kind, 'appended');
    assert.equal(c.leader()?.id, leader.id);
  });

  test('a follower passes a transfer request on to the leader; learners and the leader itself are not targets', () => {
    const c = new Cluster([1, 2, 3, 4], { learners: [4] });
    const leader = c.electLeader();
    const [a, b] = [1, 2, 3].filter((id) => id !== leader.id) as [number, number];
    c.get(a).raw.transferLeadership(4);
    c.stabilize();
    assert.equal(leader.raw.status().leadTransferee, 0, 'a learner cannot lead');
    leader.raw.transferLeadership(leader.id);
    assert.equal(leader.raw.status().leadTransferee, 0);
    c.get(a).raw.transferLeadership(b);
    c.stabilize();
    assert.equal(c.leader()?.id, b);
  });
});
