// A follower hands a plain client's command to the group's leader and relays the answer
// (docs/design/replica-group.md): one RESP connection to the leader per client session that
// needs it, so the leader sees the client's commands in order; the session waits meanwhile as a
// blocked client does, and its answer comes through the blocking mechanism. SELECT, HELLO 3 and
// AUTH are sent first when the session needs them. A lost connection or a leader change answers
// the waiting command with -TRYAGAIN (the command may or may not have run, as with any lost reply).
import net from 'node:net';
import * as errors from '../../core/errors.js';
import type { Reply } from '../../core/reply.js';
import { ReplyReader } from '../../protocols/resp/reply-reader.js';
import type { Engine } from '../../server/engine.js';
import type { Session } from '../../server/session.js';
import { DEFAULT_CONSISTENCY, type Consistency } from '../../server/group-gate.js';

export interface LeaderAddress {
  readonly host: string;
  readonly port: number;
}

export function encodeCommand(argv: readonly string[]): Buffer {
  let head = `*${argv.length}\r\n`;
  const parts: Buffer[] = [];
  for (const a of argv) {
    head += `$${a.length}\r\n`;
    parts.push(Buffer.from(head, 'latin1'), Buffer.from(a, 'latin1'), Buffer.from('\r\n', 'latin1'));
    head = '';
  }
  return Buffer.concat(parts);
}

let linkSerial = 0;

class ForwardLink {
  readonly socket: net.Socket;
  /** Tells this connection from a later one of the same session. */
  readonly serial = ++linkSerial;
  private readonly reader = new ReplyReader();
  /** Replies to skip (SELECT, HELLO, AUTH) before the awaited one. */
  private skip = 0;
  private waiting: ((reply: Reply, lost: boolean) => void) | null = null;
  db = 0;
  resp: 2 | 3 = 2;
  /** The consistency levels this link's connection runs with on the leader (its defaults at first). */
  levels: Consistency = DEFAULT_CONSISTENCY;
  closed = false;

  constructor(readonly address: LeaderAddress, password: string) {
    this.socket = net.connect({ host: address.host, port: address.port, noDelay: true });
    this.socket.on('data', (chunk: Buffer) => this.onData(chunk));
    this.socket.on('error', () => {});
    this.socket.on('close', () => this.fail('the connection to the leader closed'));
    if (password !== '') this.send(['AUTH', password], true);
  }

  send(argv: readonly string[], skipReply: boolean): void {
    if (skipReply) this.skip++;
    this.socket.write(encodeCommand(argv));
  }

  request(argv: readonly string[], done: (reply: Reply, lost: boolean) => void): void {
    this.waiting = done;
    this.send(argv, false);
  }

  close(): void {
    this.fail('the group leader changed');
    this.socket.destroy();
  }

  private onData(chunk: Buffer): void {
    this.reader.feed(chunk);
    for (;;) {
      let reply: Reply | null;
      try {
        reply = this.reader.next();
      } catch (e) {
        this.fail(`the leader's reply could not be read: ${(e as Error).message}`);
        this.socket.destroy();
        return;
      }
      if (reply === null) return;
      if (this.skip > 0) {
        this.skip--;
        continue;
      }
      const done = this.waiting;
      this.waiting = null;
      done?.(reply, false);
    }
  }

  private fail(why: string): void {
    this.closed = true;
    const done = this.waiting;
    this.waiting = null;
    done?.(errors.groupForwardFailed(why), true);
  }
}

/** Turns the leader's reply (or, when `lost`, the -TRYAGAIN of a lost connection) into the client's. */
export type Settle = (reply: Reply, lost: boolean) => Reply;

function sameLeader(link: ForwardLink, address: LeaderAddress): boolean {
  return !link.closed && link.address.host === address.host && link.address.port === address.port;
}

export class LeaderForwarder {
  private readonly links = new Map<Session, ForwardLink>();
  private readonly sweep: NodeJS.Timeout;

  constructor(
    private readonly engine: Engine,
    private readonly leader: () => LeaderAddress | null,
  ) {
    // Links of sessions that are gone are closed now and then.
    this.sweep = setInterval(() => {
      for (const [s, link] of this.links) {
        if (!engine.sessions.has(s.id) || link.closed) {
          link.socket.destroy();
          this.links.delete(s);
        }
      }
    }, 5000);
    this.sweep.unref();
  }

  /**
   * Hands `argv` to the leader, to run there with `levels` (the client's, for this command); the
   * session must then be parked (true), or false when no leader is known.
   */
  forward(s: Session, argv: readonly string[], levels: Consistency, settle?: Settle): boolean {
    const address = this.leader();
    if (address === null) return false;
    let link = this.links.get(s);
    if (link !== undefined && !sameLeader(link, address)) {
      link.close();
      link = undefined;
    }
    if (link === undefined) {
      link = new ForwardLink(address, this.engine.config.get('requirepass'));
      this.links.set(s, link);
    }
    if (link.resp !== s.resp) {
      link.send(['HELLO', String(s.resp)], true);
      link.resp = s.resp;
    }
    if (link.db !== s.db) {
      link.send(['SELECT', String(s.db)], true);
      link.db = s.db;
    }
    if (link.levels.reads !== levels.reads || link.levels.writes !== levels.writes) {
      link.send(['CONSISTENCY', 'READS', levels.reads, 'WRITES', levels.writes], true);
      link.levels = levels;
    }
    s.blockRequest = { keys: [], timeoutMs: 0, timeoutReply: errors.groupForwardFailed('unblocked'), waitsFor: undefined };
    link.request(argv, (reply, lost) => {
      // The session may have gone, or been unblocked by CLIENT UNBLOCK meanwhile.
      this.engine.blocking.answer(s, settle === undefined ? reply : settle(reply, lost));
    });
    return true;
  }

  /**
   * The session's connection to the current leader, if open (a number that changes when a new
   * connection replaces it), or null. A transaction handed over lives in one connection's state.
   */
  connection(s: Session): number | null {
    const link = this.links.get(s);
    const address = this.leader();
    return link !== undefined && address !== null && sameLeader(link, address) ? link.serial : null;
  }

  /** The leader's side of the session is dropped (RESET): its transaction and WATCHes go with it. */
  drop(s: Session): void {
    this.links.get(s)?.close();
    this.links.delete(s);
  }

  /** A transaction on the leader ran SELECT: the connection there is now on `db`. */
  selectedOnLeader(s: Session, db: number): void {
    const link = this.links.get(s);
    if (link !== undefined) link.db = db;
  }

  /** The leader changed: links to the old one are closed (their waiting commands get -TRYAGAIN). */
  leaderChanged(): void {
    for (const link of this.links.values()) link.close();
    this.links.clear();
  }

  close(): void {
    clearInterval(this.sweep);
    this.leaderChanged();
  }
}
