// The leader's reply barrier: each session's replies wait only for what that session needs
// (its writes' acknowledgement level, its own linearizable reads' rounds), never for another
// client's read round; a connection's replies stay in pipeline order (ReplyHold).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { GroupBarrier } from '../../../src/io/group/group-barrier.js';
import { ReplyHold } from '../../../src/io/persistence/reply-hold.js';
import type { Engine } from '../../../src/server/engine.js';
import type { ReplyBarrier } from '../../../src/server/persistence-gate.js';
import type { Session } from '../../../src/server/session.js';

const noop = (): void => {};

describe('GroupBarrier: a write waits for its own acknowledgement only', () => {
  test("a leader-acknowledged write is not held by another client's read round in its turn", () => {
    const b = new GroupBarrier();
    const writer = b.view(() => 'leader');
    b.noteWrite(noop); // the writer's SET
    b.noteRead(noop); // another client's linearizable GET, same event-loop turn
    const t = b.closeTurn()!;
    b.proposed(t, 3);
    b.persistedThrough(3);
    assert.equal(writer.durableSeq, t.seq, 'on the leader disk: the writer may be answered');
  });

  test("a majority write is not held by another client's read round in its turn", () => {
    const b = new GroupBarrier();
    const writer = b.view(() => 'majority');
    b.noteWrite(noop);
    b.noteRead(noop);
    const t = b.closeTurn()!;
    b.proposed(t, 3);
    b.persistedThrough(3);
    assert.equal(writer.durableSeq, 0, 'not committed yet');
    b.committedThrough(3);
    assert.equal(writer.durableSeq, t.seq, 'committed: the writer may be answered');
  });

  test("a write is not held by a later turn's read round that it saw appended", () => {
    const b = new GroupBarrier();
    const writer = b.view(() => 'leader');
    b.noteWrite(noop);
    const t1 = b.closeTurn()!;
    b.proposed(t1, 7);
    b.noteRead(noop); // another client's read opens the next turn before the writer's reply leaves
    const t2 = b.closeTurn()!;
    b.persistedThrough(7);
    assert.ok(writer.durableSeq >= t2.seq, `durableSeq ${writer.durableSeq} covers what the writer saw (${t2.seq})`);
  });
});

describe('GroupBarrier: linearizable reads', () => {
  test('a read waits for its round and for what it saw to be committed', () => {
    const b = new GroupBarrier();
    let readTurn = 0;
    const reader = b.view(() => 'majority', () => readTurn);
    const other = b.view(() => 'majority');
    b.noteWrite(noop);
    readTurn = b.noteRead(noop);
    const t = b.closeTurn()!;
    b.proposed(t, 4);
    b.persistedThrough(4);
    assert.equal(reader.durableSeq, 0);
    b.readConfirmed(t.seq);
    assert.equal(reader.durableSeq, 0, 'confirmed, but the write it saw is not committed');
    b.committedThrough(4);
    assert.equal(reader.durableSeq, t.seq);
    assert.equal(other.durableSeq, t.seq);
    assert.equal(b.hasPending, false);
  });

  test("a turn that wrote needs no read round: its entry's commit confirms its reads", () => {
    const b = new GroupBarrier();
    let readTurn = 0;
    const reader = b.view(() => 'majority', () => readTurn);
    b.noteWrite(noop);
    readTurn = b.noteRead(noop);
    const t = b.closeTurn()!;
    b.proposed(t, 6);
    assert.equal(reader.durableSeq, t.seq - 1);
    b.committedThrough(6);
    assert.equal(b.confirmedSeq, t.seq);
    assert.equal(reader.durableSeq, t.seq);
  });

  test('a leader-acknowledging session that reads linearizably waits for the commit of what it read', () => {
    const b = new GroupBarrier();
    let readTurn = 0;
    const session = b.view(() => 'leader', () => readTurn);
    b.noteWrite(noop);
    readTurn = b.noteRead(noop);
    const t = b.closeTurn()!;
    b.proposed(t, 2);
    b.persistedThrough(2);
    b.readConfirmed(t.seq);
    assert.equal(session.durableSeq, t.seq - 1);
    b.committedThrough(2);
    assert.equal(session.durableSeq, t.seq);
  });

  test('read-only turns: only the readers wait for the round', () => {
    const b = new GroupBarrier();
    let readTurn = 0;
    const reader = b.view(() => 'majority', () => readTurn);
    const bystander = b.view(() => 'majority');
    readTurn = b.noteRead(noop);
    const t = b.closeTurn()!;
    assert.equal(bystander.durableSeq, t.seq);
    assert.equal(reader.durableSeq, t.seq - 1);
    b.readConfirmed(t.seq);
    assert.equal(reader.durableSeq, t.seq);
  });

  test('abandoning pending turns tells waiters with closed set, then numbering goes on', () => {
    const b = new GroupBarrier();
    const view = b.view(() => 'majority');
    b.noteWrite(noop);
    b.proposed(b.closeTurn()!, 5);
    let sawClosed: boolean | null = null;
    view.whenChanged(() => (sawClosed = view.closed));
    assert.equal(b.uncommittedWrites, true);
    b.abandonPending();
    assert.equal(sawClosed, true);
    assert.equal(view.closed, false);
    assert.equal(view.durableSeq, b.appendedSeq);
    b.noteWrite(noop);
    assert.equal(b.appendedSeq, 2);
  });
});

describe('ReplyHold over the group barrier', () => {
  /** A connection's hold whose barrier is `view`; `onAbandon` runs if it drops the connection. */
  function holdOn(view: ReplyBarrier, onAbandon: () => void = () => assert.fail('nothing is abandoned here')): ReplyHold {
    const engine = { group: { replyBarrier: () => view }, persistence: null } as unknown as Engine;
    return new ReplyHold(engine, onAbandon, {} as Session);
  }

  /** A command run through `hold`, its effect on the barrier done by `run`. */
  function command(hold: ReplyHold, run: () => void): void {
    const mark = hold.beforeCommand();
    run();
    hold.afterCommand(mark);
  }

  test('a reply queued for the end of the turn, from a turn abandoned before it asks, is dropped', () => {
    const b = new GroupBarrier();
    let readTurn = 0;
    let dropped = 0;
    const reader = holdOn(b.view(() => 'majority', () => readTurn), () => dropped++);
    // A strong CAS that did not swap: a read-only turn whose read round is pending.
    command(reader, () => (readTurn = b.noteRead(noop)));
    b.closeTurn();
    // Leadership is lost before the connection's turn-end flush asks.
    b.abandonPending();
    assert.ok(b.durableFor('majority', readTurn) >= readTurn, 'the frontiers moved past the dropped turn');
    assert.equal(reader.mayWrite(noop), false, 'the reply must not go out');
    assert.equal(dropped, 1, 'the connection is dropped');
  });

  for (const ack of ['leader', 'majority'] as const) {
    test(`a connection whose replies all went out is not dropped by a later abandonment (${ack} writes)`, () => {
      const b = new GroupBarrier();
      const writer = holdOn(b.view(() => ack));
      command(writer, () => b.noteWrite(noop));
      const t = b.closeTurn()!;
      b.proposed(t, 4);
      // On the leader's disk is all a leader-acknowledged write needs; a majority one, the commit.
      if (ack === 'leader') b.persistedThrough(4);
      else b.committedThrough(4);
      assert.equal(writer.mayWrite(noop), true);
      // Another client's turn is pending when leadership goes; the writer's next reply (a GET
      // of committed data, produced after the abandonment) is unaffected.
      b.noteWrite(noop);
      b.closeTurn();
      b.abandonPending();
      command(writer, noop);
      assert.equal(writer.mayWrite(noop), true);
    });
  }

  test("a reply produced before an abandonment is dropped even after a later command's sequence numbers", () => {
    const b = new GroupBarrier();
    let dropped = 0;
    const writer = holdOn(b.view(() => 'majority'), () => dropped++);
    command(writer, () => b.noteWrite(noop)); // not committed when leadership goes
    b.closeTurn();
    b.abandonPending();
    command(writer, () => b.noteWrite(noop)); // the same pipeline goes on in the next epoch
    b.closeTurn();
    assert.equal(writer.mayWrite(noop), false);
    assert.equal(dropped, 1);
  });

  test("one connection keeps pipeline order; another connection is not held by its read", () => {
    const b = new GroupBarrier();
    let readTurn = 0;
    const pipelined = holdOn(b.view(() => 'leader', () => readTurn));
    const writerOnly = holdOn(b.view(() => 'leader'));
    // Connection A: GET (linearizable) then SET (leader-acknowledged) in one pipeline.
    let mark = pipelined.beforeCommand();
    readTurn = b.noteRead(noop);
    pipelined.afterCommand(mark);
    mark = pipelined.beforeCommand();
    b.noteWrite(noop);
    pipelined.afterCommand(mark);
    // Connection B: a SET in the same turn.
    const markB = writerOnly.beforeCommand();
    b.noteWrite(noop);
    writerOnly.afterCommand(markB);
    let resumedA = 0;
    let resumedB = 0;
    assert.equal(pipelined.mayWrite(() => resumedA++), false);
    assert.equal(writerOnly.mayWrite(() => resumedB++), false);
    const t = b.closeTurn()!;
    b.proposed(t, 9);
    b.persistedThrough(9);
    assert.equal(resumedB, 1, 'B was woken');
    assert.equal(writerOnly.mayWrite(() => resumedB++), true, "B's write is on the leader's disk");
    assert.equal(pipelined.mayWrite(() => resumedA++), false, "A's GET (and the SET behind it) wait for the read round");
    b.readConfirmed(t.seq);
    assert.equal(pipelined.mayWrite(() => resumedA++), false, 'and for the commit of what the GET saw');
    b.committedThrough(9);
    assert.equal(pipelined.mayWrite(() => resumedA++), true);
  });
});
