// Connection commands (PING, ECHO, SELECT, AUTH, HELLO, RESET, QUIT) through every driver, and
// authentication against a server started with requirepass.
// Expected replies are Redis 7.0's, checked against a real redis-server (CAIRN_TEST_ORACLE=redis-server).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { asMap, describeEachDriver, driverKinds, expectError, sleep, startTarget, SUITE_TIMEOUT_MS, type Target } from '../helpers/drivers.js';

const NOAUTH = 'NOAUTH Authentication required.';
const WRONGPASS = 'WRONGPASS invalid username-password pair or user is disabled.';
/** Redis 7.0's text (7.2 added "<proto>" after HELLO); Cairn reports itself as 7.0.15. */
const NOAUTH_HELLO =
  'NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol version at the same time';

function assertHelloReply(reply: unknown, proto: number): void {
  const map = asMap(reply);
  assert.deepEqual(Object.keys(map).sort(), ['id', 'mode', 'modules', 'proto', 'role', 'server', 'version']);
  assert.equal(map['server'], 'redis');
  assert.match(String(map['version']), /^\d+\.\d+\.\d+$/);
  assert.equal(map['proto'], proto);
  assert.ok(Number.isInteger(map['id']) && (map['id'] as number) > 0, `id ${String(map['id'])}`);
  assert.equal(map['mode'], 'standalone');
  assert.equal(map['role'], 'master');
  assert.deepEqual(map['modules'], []);
}

describeEachDriver('connection', {}, ({ kind, client, connect }) => {
  it('PING and ECHO', async () => {
    const c = client();
    assert.equal(await c.call('PING'), 'PONG');
    assert.equal(await c.call('PING', 'hello world'), 'hello world');
    assert.equal(await c.call('ECHO', 'Hi there'), 'Hi there');
    assert.equal(await c.call('ECHO', ''), '');
    await expectError(c.call('PING', 'a', 'b'), "ERR wrong number of arguments for 'ping' command");
    await expectError(c.call('ECHO'), "ERR wrong number of arguments for 'echo' command");
  });

  it('SELECT switches the database of this connection only', async () => {
    const c = client();
    const other = await connect();
    assert.equal(await c.call('SELECT', '9'), 'OK');
    assert.equal(await c.call('SET', 'where', 'nine'), 'OK');
    assert.equal(await other.call('GET', 'where'), null, 'the other connection is still on database 0');
    assert.equal(await other.call('SELECT', '9'), 'OK');
    assert.equal(await other.call('GET', 'where'), 'nine');
    assert.equal(await c.call('SELECT', '0'), 'OK');
    assert.equal(await c.call('GET', 'where'), null);
    await expectError(c.call('SELECT', '16'), 'ERR DB index is out of range');
    await expectError(c.call('SELECT', '-1'), 'ERR DB index is out of range');
    await expectError(c.call('SELECT', 'x'), 'ERR value is not an integer or out of range');
    await other.close();
  });

  it('AUTH on a server without a password', async () => {
    const c = client();
    await expectError(
      c.call('AUTH', 'anything'),
      'ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?',
    );
    assert.equal(await c.call('AUTH', 'default', 'anything'), 'OK', 'the default user has nopass');
    await expectError(c.call('AUTH', 'nobody', 'x'), WRONGPASS);
    await expectError(c.call('AUTH', 'a', 'b', 'c'), 'ERR syntax error');
    assert.equal(await c.call('PING'), 'PONG');
  });

  it('HELLO without arguments describes the connection in its current protocol', async () => {
    assertHelloReply(await client().call('HELLO'), kind.resp);
  });

  it('HELLO 3 switches to RESP3 and answers the server map; HELLO SETNAME names the connection', async () => {
    const c = await connect();
    assertHelloReply(await c.call('HELLO', '3'), 3);
    assert.equal(await c.call('PING'), 'PONG');
    assertHelloReply(await c.call('HELLO', '3', 'SETNAME', 'conn-name'), 3);
    assert.equal(await c.call('CLIENT', 'GETNAME'), 'conn-name');
    await c.close();
  });

  it('HELLO errors', async () => {
    const c = client();
    await expectError(c.call('HELLO', '4'), 'NOPROTO unsupported protocol version');
    await expectError(c.call('HELLO', '1'), 'NOPROTO unsupported protocol version');
    await expectError(c.call('HELLO', 'abc'), 'ERR Protocol version is not an integer or out of range');
    await expectError(c.call('HELLO', '3', 'BOGUS'), "ERR Syntax error in HELLO option 'BOGUS'");
    await expectError(c.call('HELLO', '3', 'SETNAME'), "ERR Syntax error in HELLO option 'SETNAME'");
    await expectError(c.call('HELLO', String(kind.resp), 'SETNAME', 'a b'), 'ERR Client names cannot contain spaces, newlines or special characters.');
    await expectError(c.call('HELLO', String(kind.resp), 'AUTH', 'nobody', 'x'), WRONGPASS);
    assert.equal(await c.call('PING'), 'PONG', 'a failed HELLO leaves the connection usable');
  });

  it('RESET returns the connection to its initial state', async () => {
    const c = await connect();
    assert.equal(await c.call('SELECT', '3'), 'OK');
    assert.equal(await c.call('SET', 'in-three', 'v'), 'OK');
    assert.equal(await c.call('CLIENT', 'SETNAME', 'before-reset'), 'OK');
    assert.equal(await c.call('WATCH', 'in-three'), 'OK');
    assert.equal(await c.call('MULTI'), 'OK');
    assert.equal(await c.call('RESET'), 'RESET');
    assert.equal(await c.call('CLIENT', 'GETNAME'), null);
    assert.equal(await c.call('GET', 'in-three'), null, 'back on database 0');
    await expectError(c.call('EXEC'), 'ERR EXEC without MULTI');
    assert.equal(asMap(await c.call('HELLO'))['proto'], 2, 'back on RESP2');
    await c.close();
  });

  it('QUIT answers OK and closes the connection', async () => {
    const c = await connect();
    assert.equal(await c.call('QUIT'), 'OK');
    if (kind.network) {
      await assert.rejects(c.call('PING'), 'a closed connection refuses further commands');
    }
    await c.close();
  });
});

describeEachDriver('connection with requirepass', { config: { requirepass: 'secret' }, only: (k) => k.network }, ({ kind, client, connect, target }) => {
  it('a client without the password is refused with NOAUTH', async () => {
    if (kind.resp === 3) {
      // RESP3 drivers open with HELLO 3, which needs authentication first.
      await expectError(kind.connect(target()), NOAUTH_HELLO);
    } else if (kind.name.startsWith('ioredis')) {
      // ioredis checks readiness with INFO before the connection is usable.
      await expectError(kind.connect(target()), NOAUTH);
    } else {
      const c = await connect();
      await expectError(c.call('GET', 'k'), NOAUTH);
      await expectError(c.call('PING'), NOAUTH);
      await expectError(c.call('AUTH', 'wrong'), WRONGPASS);
      await expectError(c.call('GET', 'k'), NOAUTH);
      assert.equal(await c.call('AUTH', 'secret'), 'OK');
      assert.equal(await c.call('GET', 'k'), null);
      await c.close();
    }
  });

  it('a client with a wrong password is refused with WRONGPASS', async () => {
    await expectError(kind.connect(target(), { password: 'wrong' }), WRONGPASS);
  });

  it('a client with the password works; a later failed AUTH does not log it out', async () => {
    const c = client();
    assert.equal(await c.call('SET', 'k', 'v'), 'OK');
    await expectError(c.call('AUTH', 'wrong'), WRONGPASS);
    assert.equal(await c.call('GET', 'k'), 'v');
    assert.equal(await c.call('AUTH', 'default', 'secret'), 'OK');
  });

  it('RESET logs the connection out', async () => {
    const c = await connect({ password: 'secret' });
    assert.equal(await c.call('RESET'), 'RESET');
    await expectError(c.call('GET', 'k'), NOAUTH);
    assert.equal(await c.call('AUTH', 'secret'), 'OK');
    assert.equal(await c.call('PING'), 'PONG');
    await c.close();
  });
});

/** Writes `text` on a fresh socket and collects what comes back until the socket closes or `ms` pass. */
async function exchange(port: number, text: string, ms = 500): Promise<{ reply: string; closed: boolean }> {
  const socket = net.connect(port, '127.0.0.1');
  let reply = '';
  let closed = false;
  socket.on('data', (d: Buffer) => (reply += d.toString('latin1')));
  socket.on('error', () => undefined);
  const gone = new Promise<void>((resolve) => socket.on('close', () => ((closed = true), resolve())));
  socket.write(text);
  await Promise.race([gone, sleep(ms)]);
  socket.destroy();
  return { reply, closed };
}

describe('connection with requirepass [raw socket]', { skip: driverKinds((k) => k.network).length === 0, timeout: SUITE_TIMEOUT_MS }, () => {
  let target: Target;
  before(async () => {
    target = await startTarget({ config: { requirepass: 'secret' } });
  });
  after(async () => {
    await target.close();
  });

  it('only AUTH, HELLO, QUIT and RESET run before authentication', async () => {
    const { reply } = await exchange(
      target.port,
      'PING\r\nGET k\r\nHELLO 3\r\nAUTH nope\r\nAUTH default nope\r\nAUTH a b c\r\nAUTH secret\r\nPING\r\nQUIT\r\n',
    );
    assert.equal(
      reply,
      `-${NOAUTH}\r\n-${NOAUTH}\r\n-${NOAUTH_HELLO}\r\n-${WRONGPASS}\r\n-${WRONGPASS}\r\n-ERR syntax error\r\n+OK\r\n+PONG\r\n+OK\r\n`,
    );
  });

  it('HELLO with AUTH authenticates and switches protocol at once', async () => {
    const { reply } = await exchange(target.port, 'HELLO 3 AUTH default wrong\r\nHELLO 3 AUTH default secret\r\nPING\r\n');
    assert.ok(reply.startsWith(`-${WRONGPASS}\r\n%7\r\n$6\r\nserver\r\n$5\r\nredis\r\n`), JSON.stringify(reply));
    assert.ok(reply.endsWith('+PONG\r\n'), JSON.stringify(reply));
  });
});
