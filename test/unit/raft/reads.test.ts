// Linearizable reads without writing to the log: ReadIndex (thesis §6.4) and the leader lease.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Cluster } from './harness.js';
import { appResp, drain, hbResp, makeLeader, ofType, take, testNode, ticks } from './node-helpers.js';

const plain = { preVote: false, checkQuorum: false };
const lease = { readOnlyOption: 'lease-based' as const, checkQuorum: true, preVote: true };

describe('ReadIndex', () => {
  test('a group of one answers at once with its commit index', () => {
    const n = testNode(1, [1]);
    ticks(n, 20);
    drain(n);
    assert.deepEqual(n.raw.readIndex('r1'), { kind: 'pending' });
    const rd = take(n)!;
    assert.deepEqual(rd.readStates, [{ index: 1, context: 'r1' }]);
  });

  test('the leader answers once a majority acknowledged a heartbeat carrying the request', () => {
    const n = testNode(1, [1, 2, 3], plain);
    makeLeader(n, [1, 2, 3]);
    n.raw.step(appResp(2, 1, 1, 1));
    drain(n);
    n.raw.readIndex('r1');
    const hbs = ofType(drain(n), 'heartbeat');
    assert.deepEqual(hbs.map((m) => [m.to, m.context]).sort(), [[2, 'r1'], [3, 'r1']]);
    n.raw.step(hbResp(3, 1, 1, 'other'));
    assert.deepEqual(take(n)?.readStates ?? [], []);
    n.raw.step(hbResp(3, 1, 1, 'r1'));
    assert.deepEqual(take(n)?.readStates, [{ index: 1, context: 'r1' }]);
  });

  test('an ack for a later request confirms the earlier ones too', () => {
    const n = testNode(1, [1, 2, 3], plain);
    makeLeader(n, [1, 2, 3]);
    n.raw.step(appResp(2, 1, 1, 1));
    drain(n);
    n.raw.readIndex('a');
    n.raw.readIndex('b');
    drain(n);
    n.raw.step(hbResp(2, 1, 1, 'b'));
    assert.deepEqual(take(n)?.readStates.map((r) => r.context), ['a', 'b']);
  });

  test('a leader that has not committed an entry of its term holds reads until it has', () => {
    const n = testNode(1, [1, 2, 3], plain);
    makeLeader(n, [1, 2, 3]);
    n.raw.readIndex('early');
    assert.equal(ofType(drain(n), 'heartbeat').length, 0);
    n.raw.step(appResp(2, 1, 1, 1));
    const hbs = ofType(drain(n), 'heartbeat');
    assert.ok(hbs.some((m) => m.context === 'early'));
    n.raw.step(hbResp(2, 1, 1, 'early'));
    assert.deepEqual(take(n)?.readStates, [{ index: 1, context: 'early' }]);
  });

  test('a partitioned leader never answers', () => {
    const c = new Cluster([1, 2, 3], { config: plain });
    const leader = c.electLeader();
    c.isolate(leader.id);
    leader.raw.readIndex('lost');
    for (let i = 0; i < 30; i++) {
      c.tickAll();
      c.stabilize();
    }
    assert.deepEqual(leader.readStates, []);
  });

  test('a follower passes the request to the leader and gets the index to wait for', () => {
    const c = new Cluster([1, 2, 3]);
    const leader = c.electLeader();
    c.propose(leader.id, 'w');
    const f = c.get(c.ids().find((id) => id !== leader.id)!);
    assert.deepEqual(f.raw.readIndex('fr'), { kind: 'forwarded', to: leader.id });
    c.stabilize();
    assert.deepEqual(f.readStates, [{ index: leader.raw.status().commit, context: 'fr' }]);
  });

  test('without a leader the request is dropped', () => {
    const n = testNode(1, [1, 2, 3]);
    assert.deepEqual(n.raw.readIndex('x'), { kind: 'dropped', reason: 'no-leader' });
  });
});

describe('leader lease', () => {
  test('while the lease holds the leader answers without a round of heartbeats', () => {
    const c = new Cluster([1, 2, 3], { config: lease });
    c.tickAll(10); // a fresh replica abstains from voting for its first election timeout
    const leader = c.electLeader();
    c.tickAll();
    c.stabilize();
    assert.equal(leader.raw.status().leaseValid, true);
    leader.raw.readIndex('fast');
    c.processAll();
    assert.deepEqual(leader.readStates, [{ index: leader.raw.status().commit, context: 'fast' }]);
    assert.ok(!c.inFlight.some((m) => m.type === 'heartbeat' && m.context === 'fast'));
  });

  test('an isolated leader\'s lease ends before any other replica can be elected', () => {
    const c = new Cluster([1, 2, 3, 4, 5], { config: lease });
    c.tickAll(10);
    const leader = c.electLeader();
    c.tickAll();
    c.stabilize();
    c.isolate(leader.id);
    let leaseEnded = -1;
    for (let t = 0; t < 60; t++) {
      c.tickAll();
      c.stabilize();
      const valid = leader.raw.status().leaseValid;
      if (!valid && leaseEnded < 0) leaseEnded = t;
      const other = [...c.replicas.values()].find((r) => r.id !== leader.id && r.raw.status().role === 'leader');
      if (other !== undefined) {
        assert.equal(valid, false, `a new leader (${other.id}) exists at tick ${t} while the old lease holds`);
        assert.ok(leaseEnded >= 0 && leaseEnded < t);
        return;
      }
    }
    assert.fail('the majority never elected a new leader');
  });

  test('a read on an expired lease falls back to a heartbeat round', () => {
    const n = testNode(1, [1, 2, 3], { ...lease, preVote: false });
    ticks(n, 10);
    makeLeader(n, [1, 2, 3]);
    assert.equal(n.raw.status().role, 'leader');
    n.raw.step(appResp(2, 1, 1, 1));
    drain(n);
    ticks(n, 10); // heartbeats sent, none acknowledged
    drain(n);
    assert.equal(n.raw.status().leaseValid, false);
    n.raw.readIndex('slow');
    assert.ok(ofType(drain(n), 'heartbeat').some((m) => m.context === 'slow'));
  });

  test('a leader that ordered a transfer stops serving lease reads (voters skip their lease for the target)', () => {
    const c = new Cluster([1, 2, 3], { config: lease });
    c.tickAll(10);
    const leader = c.electLeader();
    c.tickAll();
    c.stabilize();
    assert.equal(leader.raw.status().leaseValid, true);
    const target = c.ids().find((id) => id !== leader.id)!;
    c.cutLink(target, leader.id); // the target's campaign happens; the old leader hears late
    leader.raw.transferLeadership(target);
    c.processAll();
    assert.equal(leader.raw.status().leaseValid, false);
  });

  test('a restarted replica abstains from voting for one election timeout in lease mode', () => {
    const n = testNode(1, [1, 2, 3], { ...lease, preVote: false });
    n.raw.step({ type: 'vote', from: 2, to: 1, term: 5, lastLogIndex: 0, lastLogTerm: 0, transfer: false });
    assert.deepEqual(drain(n), []);
    ticks(n, 10);
    drain(n);
    assert.equal(n.raw.status().role, 'follower', 'this seed times out later than 10 ticks');
    n.raw.step({ type: 'vote', from: 2, to: 1, term: 5, lastLogIndex: 0, lastLogTerm: 0, transfer: false });
    assert.deepEqual(ofType(drain(n), 'vote-resp').map((m) => m.reject), [false]);
  });

  test('lease-based reads require CheckQuorum', () => {
    assert.throws(() => testNode(1, [1, 2, 3], { readOnlyOption: 'lease-based', checkQuorum: false }), /checkQuorum/);
  });
});
