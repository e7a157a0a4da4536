// Transactions of a plain client on a follower run on the leader
// (docs/design/follower-transactions.md). WATCH or MULTI hands the session's transaction to the
// leader over its forward link; inside MULTI every command of the session goes there too, in order
// (PING answers QUEUED from the leader), until EXEC or DISCARD ends it; under WATCH alone only the
// transaction's own commands do. WATCH checks, queuing errors, EXECABORT and EXEC's replies are the
// leader's own. The local session stays out of MULTI meanwhile.
//
// The transaction lives in the state of the leader's connection. When that connection is lost (it
// closed, or the leader changed), the transaction is lost with it, and the client must not be led
// to believe otherwise, nor have its following commands run outside the transaction it thinks it
// is in. So a lost MULTI becomes a local, doomed MULTI (the command that met the loss answers
// -TRYAGAIN, later ones QUEUED, and EXEC -EXECABORT, as Redis answers a transaction in which a
// command failed to queue), and a lost WATCH becomes a local WATCH marked broken (the next EXEC
// answers a null array, as when a watched key changed).
import * as errors from '../../core/errors.js';
import { BLOCKED, ReplyKind, type Reply } from '../../core/reply.js';
import type { Consistency } from '../../server/group-gate.js';
import type { Session } from '../../server/session.js';
import type { LeaderForwarder } from './leader-forwarder.js';

interface HandedOver {
  /** The leader connection that holds the transaction (LeaderForwarder.connection), once known. */
  connection: number | null;
  /** The leader answered MULTI: commands are queued there. */
  multi: boolean;
  /** The leader holds WATCHed keys for this session. */
  watching: boolean;
  /** A command refused here while in MULTI: EXEC must not run the transaction. */
  doomed: boolean;
  /** Commands the leader answered QUEUED (positions in EXEC's reply). */
  queued: number;
  /** Queued SELECTs: where in EXEC's reply, and the database each selects. */
  selects: Array<{ at: number; db: number }>;
}

/** A transaction's own commands. */
const TRANSACTION_COMMANDS = new Set(['watch', 'unwatch', 'multi', 'exec', 'discard']);
/** After a lost WATCH, the local session answers these (its WATCH is marked broken). */
const LOCAL_AFTER_LOST_WATCH = TRANSACTION_COMMANDS;
/**
 * Commands that would change the leader connection's protocol state when EXEC runs them, which
 * this follower could not mirror for the client: refused inside a handed-over MULTI (and the
 * transaction then answers EXECABORT, as for any command refused while queuing).
 */
const REFUSED_IN_HANDED_OVER_MULTI = new Set([
  'hello', 'auth', 'consistency', 'subscribe', 'psubscribe', 'ssubscribe', 'unsubscribe', 'punsubscribe', 'sunsubscribe',
  'client|reply', 'client|tracking', 'monitor',
]);

export class FollowerTransactions {
  private readonly handedOver = new WeakMap<Session, HandedOver>();

  constructor(
    private readonly forwarder: LeaderForwarder,
    /** Why no command can be handed to the leader now (no leader, not a member), or null. */
    private readonly refusal: () => Reply | null,
  ) {}

  /**
   * Admission of a command (not in cluster mode; `follower` false on the leader, where only a
   * transaction lost by the change of role is dealt with): BLOCKED when it went to the leader, a
   * refusal, null to run it here, or undefined when transactions have nothing to say about it.
   */
  admit(s: Session, argv: readonly string[], fullName: string, levels: Consistency, follower: boolean): Reply | null | undefined {
    let tx = this.handedOver.get(s);
    if (tx !== undefined && (!follower || this.forwarder.connection(s) !== tx.connection)) {
      // The connection that held the transaction went away between two commands (or this node
      // became the leader meanwhile, which closed it). Inside MULTI the client hears of it now.
      const inMulti = tx.multi;
      this.lose(s, tx, inMulti ? fullName : '');
      tx = undefined;
      if (inMulti) return errors.groupForwardFailed('the connection to the leader that held the transaction closed');
    }
    if (tx === undefined) {
      // A leader runs transactions itself; a lost one, now local, is the engine's as any other.
      if (!follower) return undefined;
      // A lost transaction ends here, in the local session (see the top of the file).
      if (s.multi !== null) return null;
      if (s.watch.dirty && LOCAL_AFTER_LOST_WATCH.has(fullName)) return null;
      if (fullName !== 'watch' && fullName !== 'multi') return undefined;
      const refused = this.refusal();
      if (refused !== null) {
        if (fullName === 'multi') s.multi = { queue: [], aborted: true };
        return refused;
      }
      tx = { connection: null, multi: false, watching: false, doomed: false, queued: 0, selects: [] };
      this.handedOver.set(s, tx);
    } else {
      if (fullName === 'quit') return null;
      if (fullName === 'reset') {
        // RESET ends the transaction and the WATCHes: the leader's side of the session goes.
        this.forwarder.drop(s);
        this.handedOver.delete(s);
        return null;
      }
      // Under WATCH alone commands run at once, as on one server: the usual admission decides
      // (writes go to the leader over the same connection; SELECT, CLIENT ... stay here, so the
      // connection's state is the session's). Only the transaction's own commands are handed over.
      if (!tx.multi && !TRANSACTION_COMMANDS.has(fullName)) return undefined;
      if (tx.multi && REFUSED_IN_HANDED_OVER_MULTI.has(fullName)) {
        tx.doomed = true;
        return errors.notAllowedInMulti();
      }
      if (tx.multi && tx.doomed && fullName === 'exec') return this.abort(s, tx, levels);
    }
    const open = tx;
    const name = fullName;
    const sent = [...argv];
    if (!this.forwarder.forward(s, sent, levels, (reply, lost) => this.settle(s, open, name, sent, reply, lost))) {
      this.lose(s, open, name);
      return errors.groupNoLeader();
    }
    open.connection ??= this.forwarder.connection(s);
    return BLOCKED;
  }

  /** A command of this session was refused before the group saw it (unknown, wrong arity): a handed-over MULTI is doomed, as in Redis. */
  refusedBeforeAdmission(s: Session): void {
    const tx = this.handedOver.get(s);
    if (tx?.multi === true) tx.doomed = true;
  }

  /** EXEC of a doomed transaction: the leader discards it, the client hears EXECABORT. */
  private abort(s: Session, tx: HandedOver, levels: Consistency): Reply {
    const settle = (reply: Reply, lost: boolean): Reply => {
      this.handedOver.delete(s);
      return lost ? reply : errors.execAbort();
    };
    if (!this.forwarder.forward(s, ['DISCARD'], levels, settle)) {
      this.lose(s, tx, 'exec');
      return errors.groupNoLeader();
    }
    return BLOCKED;
  }

  /** Follows the transaction's state from the leader's answers; returns the reply for the client. */
  private settle(s: Session, tx: HandedOver, fullName: string, argv: readonly string[], reply: Reply, lost: boolean): Reply {
    if (lost) {
      this.lose(s, tx, fullName);
      return reply;
    }
    const failed = reply.k === ReplyKind.Error;
    if (fullName === 'watch') {
      if (!failed) tx.watching = true;
    } else if (fullName === 'multi') {
      if (!failed) tx.multi = true;
    } else if ((fullName === 'exec' || fullName === 'discard') && tx.multi) {
      // Whatever the answer, the leader's transaction and its WATCHes are over.
      if (fullName === 'exec' && reply.k === ReplyKind.Array) this.applySelects(s, tx, reply);
      tx.multi = false;
      tx.watching = false;
    } else if (fullName === 'unwatch' && !tx.multi) {
      tx.watching = false;
    } else if (tx.multi && reply.k === ReplyKind.Simple && reply.v === 'QUEUED') {
      if (fullName === 'select') tx.selects.push({ at: tx.queued, db: Number(argv[1]) });
      tx.queued++;
    }
    if (!tx.multi && !tx.watching && this.handedOver.get(s) === tx) this.handedOver.delete(s);
    return reply;
  }

  /** A SELECT that EXEC ran on the leader moves the client here too, as it would on one server. */
  private applySelects(s: Session, tx: HandedOver, reply: Reply): void {
    const replies = reply.v as readonly Reply[];
    for (const { at, db } of tx.selects) {
      const r = replies[at];
      if (r !== undefined && r.k !== ReplyKind.Error) {
        s.db = db;
        this.forwarder.selectedOnLeader(s, db);
      }
    }
  }

  /** The transaction was lost with the leader's connection while `fullName` was on its way. */
  private lose(s: Session, tx: HandedOver, fullName: string): void {
    if (this.handedOver.get(s) === tx) this.handedOver.delete(s);
    // An EXEC or DISCARD that met the loss ended the transaction in the client's eyes.
    const ended = tx.multi && (fullName === 'exec' || fullName === 'discard');
    if (ended) return;
    if (tx.multi || fullName === 'multi') s.multi = { queue: [], aborted: true };
    else if (tx.watching || fullName === 'watch') s.watch.dirty = true;
  }
}
