// A follower's hand-over of transactions, with a stand-in for the leader connection: what goes to
// the leader and in which state the session is left by the leader's answers, by a command refused
// here, and by a lost connection (never a false success, never a command run outside the
// transaction the client believes it is in).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as errors from '../../../src/core/errors.js';
import { BLOCKED, OK, QUEUED, ReplyKind, array, type Reply } from '../../../src/core/reply.js';
import { FollowerTransactions } from '../../../src/io/group/follower-transactions.js';
import type { LeaderForwarder, Settle } from '../../../src/io/group/leader-forwarder.js';
import { DEFAULT_CONSISTENCY } from '../../../src/server/group-gate.js';
import type { Session } from '../../../src/server/session.js';
import { testEngine } from '../../helpers/engine.js';

class FakeLink {
  sent: string[][] = [];
  alive = true;
  /** Which connection is open (a reconnection changes it). */
  serial = 1;
  dropped = 0;
  selected: number | null = null;
  private pending: Settle | null = null;
  readonly forwarder = {
    forward: (_s: Session, argv: readonly string[], _l: unknown, settle?: Settle): boolean => {
      this.sent.push([...argv]);
      this.pending = settle ?? null;
      return true;
    },
    connection: (): number | null => (this.alive ? this.serial : null),
    drop: (): void => void this.dropped++,
    selectedOnLeader: (_s: Session, db: number): void => void (this.selected = db),
  } as unknown as LeaderForwarder;

  /** The leader answers the pending command; returns what the client hears. */
  answer(reply: Reply, lost = false): Reply {
    const settle = this.pending!;
    this.pending = null;
    return settle(reply, lost);
  }
}

function setup(): { link: FakeLink; tx: FollowerTransactions; s: Session; send: (...argv: string[]) => Reply | null | undefined } {
  const link = new FakeLink();
  const tx = new FollowerTransactions(link.forwarder, () => null);
  const s = testEngine().session().session;
  const send = (...argv: string[]): Reply | null | undefined => {
    const name = argv[0]!.toLowerCase() + (argv[0] === 'CLIENT' ? `|${argv[1]!.toLowerCase()}` : '');
    return tx.admit(s, argv, name, DEFAULT_CONSISTENCY, true);
  };
  return { link, tx, s, send };
}

test('outside a transaction only WATCH and MULTI are handed over', () => {
  const { link, send } = setup();
  assert.equal(send('SET', 'a', '1'), undefined);
  assert.equal(send('PING'), undefined);
  assert.equal(send('EXEC'), undefined);
  assert.equal(link.sent.length, 0);
});

test('inside MULTI every command goes to the leader until EXEC ends it', () => {
  const { link, send, s } = setup();
  assert.equal(send('MULTI'), BLOCKED);
  link.answer(OK);
  assert.equal(send('PING'), BLOCKED);
  assert.equal(link.answer(QUEUED), QUEUED);
  assert.equal(send('SET', 'a', '1'), BLOCKED);
  link.answer(QUEUED);
  assert.equal(send('EXEC'), BLOCKED);
  const replies = array([simplePong(), OK]);
  assert.equal(link.answer(replies), replies);
  assert.deepEqual(link.sent, [['MULTI'], ['PING'], ['SET', 'a', '1'], ['EXEC']]);
  assert.equal(s.multi, null);
  // Over: plain commands are no transaction's business again.
  assert.equal(send('PING'), undefined);
});

test('WATCH stays handed over until UNWATCH; a failed MULTI leaves nothing behind', () => {
  const { link, send } = setup();
  assert.equal(send('WATCH', 'k'), BLOCKED);
  link.answer(OK);
  // Under WATCH alone other commands run at once: the usual admission decides where.
  assert.equal(send('GET', 'k'), undefined);
  assert.equal(send('SELECT', '2'), undefined);
  assert.equal(send('EXEC'), BLOCKED, 'EXEC without MULTI is the leader\'s to answer; WATCH stays');
  link.answer(errors.err('EXEC without MULTI'));
  assert.equal(send('UNWATCH'), BLOCKED);
  link.answer(OK);
  assert.equal(send('GET', 'k'), undefined);
  assert.equal(send('MULTI'), BLOCKED);
  link.answer(errors.err('something'));
  assert.equal(send('GET', 'k'), undefined);
});

test('a command refused here dooms the transaction: EXEC discards it on the leader and answers EXECABORT', () => {
  const { link, tx, send, s } = setup();
  send('MULTI');
  link.answer(OK);
  send('SET', 'a', '1');
  link.answer(QUEUED);
  tx.refusedBeforeAdmission(s); // e.g. an unknown command
  assert.equal(send('EXEC'), BLOCKED);
  assert.deepEqual(link.sent.at(-1), ['DISCARD']);
  const heard = link.answer(OK);
  assert.equal(heard.k, ReplyKind.Error);
  assert.match(String(heard.v), /^EXECABORT/);
  assert.equal(send('PING'), undefined);
});

test('a command that would change the leader connection is refused inside MULTI and dooms it', () => {
  const { link, send } = setup();
  send('MULTI');
  link.answer(OK);
  const refused = send('CLIENT', 'TRACKING', 'on') as Reply;
  assert.match(String(refused.v), /not allowed inside a transaction/);
  assert.deepEqual(link.sent, [['MULTI']]);
  send('EXEC');
  assert.deepEqual(link.sent.at(-1), ['DISCARD']);
  assert.match(String(link.answer(OK).v), /^EXECABORT/);
});

test('a connection lost inside MULTI leaves a doomed local MULTI: EXEC can only fail', () => {
  const { link, send, s } = setup();
  send('MULTI');
  link.answer(OK);
  send('SET', 'a', '1');
  const heard = link.answer(errors.groupForwardFailed('closed'), true);
  assert.match(String(heard.v), /^TRYAGAIN/);
  assert.deepEqual(s.multi, { queue: [], aborted: true });
  // The engine runs what follows here: queued nothing, EXECABORT at EXEC.
  assert.equal(send('SET', 'b', '2'), null);
  assert.equal(send('EXEC'), null);
});

test('a connection lost between two commands of a MULTI: the next one hears it', () => {
  const { link, send, s } = setup();
  send('MULTI');
  link.answer(OK);
  link.alive = false;
  const heard = send('SET', 'a', '1');
  assert.match(String((heard as Reply).v), /^TRYAGAIN/);
  assert.notEqual(s.multi, null);
  assert.equal(s.multi!.aborted, true);
});

test('an EXEC lost on its way ends the transaction (its outcome is unknown, as any lost reply)', () => {
  const { link, send, s } = setup();
  send('MULTI');
  link.answer(OK);
  send('EXEC');
  link.answer(errors.groupForwardFailed('closed'), true);
  assert.equal(s.multi, null);
  assert.equal(s.watch.dirty, false);
});

test('a WATCH whose connection was replaced by a new one (a plain write reconnected) is lost', () => {
  const { link, send, s } = setup();
  send('WATCH', 'k');
  link.answer(OK);
  link.serial = 2;
  assert.equal(send('MULTI'), null, 'the local session answers, its WATCH broken');
  assert.equal(s.watch.dirty, true);
  assert.equal(link.sent.length, 1);
});

test('a lost WATCH breaks the next EXEC, which runs here', () => {
  const { link, send, s } = setup();
  send('WATCH', 'k');
  link.answer(OK);
  link.alive = false;
  assert.equal(send('GET', 'k'), undefined, 'plain commands are forwarded as usual');
  assert.equal(s.watch.dirty, true);
  assert.equal(send('MULTI'), null);
  assert.equal(send('EXEC'), null);
});

test('SELECT run by EXEC moves the client; RESET drops the leader side', () => {
  const { link, send, s } = setup();
  send('MULTI');
  link.answer(OK);
  send('SELECT', '4');
  link.answer(QUEUED);
  send('EXEC');
  link.answer(array([OK]));
  assert.equal(s.db, 4);
  assert.equal(link.selected, 4);
  send('WATCH', 'x');
  link.answer(OK);
  assert.equal(send('RESET'), null);
  assert.equal(link.dropped, 1);
  assert.equal(send('GET', 'x'), undefined);
});

function simplePong(): Reply {
  return { k: ReplyKind.Simple, v: 'PONG' } as Reply;
}
