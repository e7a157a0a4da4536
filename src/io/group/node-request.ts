// One request to another Cairn node over an ordinary RESP connection, answered once: the group
// leader greets a node that is to join (GROUP HELLO) and hands a leader's own removal to the
// leader it transferred leadership to; a follower asks the leader its memcached port
// (memcached-proxy.ts). The connection is closed after the answer or the timeout.
import net from 'node:net';
import type { Reply } from '../../core/reply.js';
import { ReplyReader } from '../../protocols/resp/reply-reader.js';
import { encodeCommand } from './leader-forwarder.js';

/** Sends `argv` (after AUTH when a password is given) and resolves with its reply; rejects with
 *  an Error saying what went wrong (refused, closed, timed out, unreadable). */
export function requestNode(host: string, port: number, password: string, argv: readonly string[], timeoutMs: number): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host, port, noDelay: true });
    const reader = new ReplyReader();
    let skip = password !== '' ? 1 : 0;
    let settled = false;
    const finish = (error: Error | null, reply?: Reply): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      if (error !== null) reject(error);
      else resolve(reply!);
    };
    const timer = setTimeout(() => finish(new Error(`no answer from ${host}:${port} within ${timeoutMs} ms`)), timeoutMs);
    socket.on('connect', () => {
      if (password !== '') socket.write(encodeCommand(['AUTH', password]));
      socket.write(encodeCommand(argv));
    });
    socket.on('data', (chunk: Buffer) => {
      reader.feed(chunk);
      for (;;) {
        let reply: Reply | null;
        try {
          reply = reader.next();
        } catch (e) {
          finish(new Error(`unreadable answer from ${host}:${port}: ${(e as Error).message}`));
          return;
        }
        if (reply === null) return;
        if (skip > 0) {
          skip--;
          continue;
        }
        finish(null, reply);
        return;
      }
    });
    socket.on('error', (e) => finish(new Error(`${host}:${port}: ${e.message}`)));
    socket.on('close', () => finish(new Error(`${host}:${port} closed the connection`)));
  });
}
