// The follower's hand-off to the leader: a command goes over the session's own connection with
// the session's protocol, database and consistency levels set first, and the leader's reply
// comes back to the parked session.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { LeaderForwarder } from '../../../src/io/group/leader-forwarder.js';
import { RespReader } from '../../helpers/resp-client.js';
import { testEngine } from '../../helpers/engine.js';
import { DEFAULT_CONSISTENCY } from '../../../src/server/group-gate.js';

const servers: net.Server[] = [];
after(() => {
  for (const s of servers) s.close();
});

/** A stand-in leader that records every command line and answers +OK. */
async function fakeLeader(): Promise<{ port: number; received: string[][] }> {
  const received: string[][] = [];
  const server = net.createServer((socket) => {
    const reader = new RespReader();
    // The forwarder may reset its connection when the test closes it: that ends this socket.
    socket.on('error', () => socket.destroy());
    socket.on('data', (chunk: Buffer) => {
      reader.feed(chunk);
      for (let v = reader.next(); v !== undefined; v = reader.next()) {
        if (v.t === 'array') received.push(v.v.map((x) => (x.t === 'bulk' ? x.v.toString('latin1') : '?')));
        socket.write('+OK\r\n');
      }
    });
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return { port: (server.address() as net.AddressInfo).port, received };
}

test('a forwarded command carries the client\'s consistency levels, sent only when they change', async () => {
  const leader = await fakeLeader();
  const t = testEngine();
  const forwarder = new LeaderForwarder(t.engine, () => ({ host: '127.0.0.1', port: leader.port }));
  try {
    const s = t.session().session;
    assert.equal(forwarder.forward(s, ['SET', 'a', '1'], DEFAULT_CONSISTENCY), true);
    assert.equal(forwarder.forward(s, ['SET', 'b', '2'], { reads: 'leader', writes: 'leader' }), true);
    assert.equal(forwarder.forward(s, ['SET', 'c', '3'], { reads: 'leader', writes: 'leader' }), true);
    const deadline = Date.now() + 5000;
    while (leader.received.length < 4 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    assert.deepEqual(leader.received, [
      ['SET', 'a', '1'],
      ['CONSISTENCY', 'READS', 'leader', 'WRITES', 'leader'],
      ['SET', 'b', '2'],
      ['SET', 'c', '3'],
    ]);
  } finally {
    forwarder.close();
  }
});
