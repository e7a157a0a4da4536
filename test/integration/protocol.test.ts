// The Redis protocol over a raw socket: inline commands, requests split anywhere, deep
// pipelines, protocol errors, maxclients, the query buffer limit and the idle timeout.
// Every misbehaving client must be closed alone while the others keep working.
// Expected bytes are Redis 7's, checked against a real redis-server (CAIRN_TEST_ORACLE=redis-server).
import { after, afterEach, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { HOST, sleep, startTarget, SUITE_TIMEOUT_MS, type Target } from '../helpers/drivers.js';

/** A RESP2 reply as plain data; errors as { error }. */
type Resp = string | number | null | { error: string } | Resp[];

/** A socket with a RESP2 reply reader, for tests that need the exact bytes. */
class RawClient {
  private readonly socket: net.Socket;
  private received = Buffer.alloc(0);
  private offset = 0;
  private waiters: Array<() => void> = [];
  closed = false;
  private readonly ready: Promise<void>;

  constructor(port: number) {
    this.socket = net.connect(port, HOST);
    this.socket.setNoDelay(true);
    this.ready = new Promise((resolve, reject) => {
      this.socket.once('connect', () => resolve());
      this.socket.once('error', reject);
    });
    this.socket.on('error', () => undefined);
    this.socket.on('data', (d: Buffer) => {
      this.received = Buffer.concat([this.received, d]);
      this.wake();
    });
    this.socket.on('close', () => {
      this.closed = true;
      this.wake();
    });
  }

  connected(): Promise<void> {
    return this.ready;
  }

  async write(data: string | Buffer): Promise<void> {
    await this.ready;
    if (this.closed) return;
    await new Promise<void>((resolve) => this.socket.write(data, () => resolve()));
  }

  /** Everything received so far, as latin1 text. */
  text(): string {
    return this.received.toString('latin1');
  }

  /** Reads the next `count` replies; fails if they do not all arrive within `timeoutMs`. */
  async replies(count: number, timeoutMs = 5000): Promise<Resp[]> {
    const out: Resp[] = [];
    const deadline = Date.now() + timeoutMs;
    while (out.length < count) {
      const parsed = this.parseOne();
      if (parsed !== undefined) {
        out.push(parsed);
        continue;
      }
      if (this.closed) assert.fail(`connection closed after ${out.length} of ${count} replies; received ${JSON.stringify(this.text().slice(-200))}`);
      if (Date.now() > deadline) assert.fail(`only ${out.length} of ${count} replies within ${timeoutMs} ms`);
      await this.waitForData(deadline - Date.now());
    }
    return out;
  }

  async reply(timeoutMs = 5000): Promise<Resp> {
    return (await this.replies(1, timeoutMs))[0]!;
  }

  /** Sends one command as a multibulk and reads its reply. */
  async command(...args: string[]): Promise<Resp> {
    await this.write(encodeCommand(args));
    return this.reply();
  }

  /** Waits (bounded) for the server to close the connection; returns whether it did. */
  async waitClosed(timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (!this.closed && Date.now() < deadline) await this.waitForData(deadline - Date.now());
    return this.closed;
  }

  destroy(): void {
    this.socket.destroy();
  }

  private wake(): void {
    for (const w of this.waiters.splice(0)) w();
  }

  private waitForData(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, Math.max(1, ms));
      this.waiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  /** Parses one reply at `offset`, or returns undefined if it is not complete yet. */
  private parseOne(): Resp | undefined {
    const result = parseResp(this.received, this.offset);
    if (result === undefined) return undefined;
    this.offset = result.next;
    if (this.offset > 1024 * 1024) {
      this.received = this.received.subarray(this.offset);
      this.offset = 0;
    }
    return result.value;
  }
}

function parseResp(buf: Buffer, at: number): { value: Resp; next: number } | undefined {
  const eol = buf.indexOf('\r\n', at, 'latin1');
  if (eol < 0) return undefined;
  const type = String.fromCharCode(buf[at]!);
  const line = buf.toString('latin1', at + 1, eol);
  const next = eol + 2;
  switch (type) {
    case '+':
      return { value: line, next };
    case '-':
      return { value: { error: line }, next };
    case ':':
      return { value: Number(line), next };
    case '$': {
      const len = Number(line);
      if (len < 0) return { value: null, next };
      if (buf.length < next + len + 2) return undefined;
      return { value: buf.toString('latin1', next, next + len), next: next + len + 2 };
    }
    case '*': {
      const count = Number(line);
      if (count < 0) return { value: null, next };
      const items: Resp[] = [];
      let pos = next;
      for (let i = 0; i < count; i++) {
        const item = parseResp(buf, pos);
        if (item === undefined) return undefined;
        items.push(item.value);
        pos = item.next;
      }
      return { value: items, next: pos };
    }
    default:
      throw new Error(`unexpected reply type ${JSON.stringify(type)} in ${JSON.stringify(buf.toString('latin1', at, at + 80))}`);
  }
}

function encodeCommand(args: readonly string[]): string {
  let out = `*${args.length}\r\n`;
  for (const a of args) out += `$${Buffer.byteLength(a, 'latin1')}\r\n${a}\r\n`;
  return out;
}

/** Opens clients and closes them all after each test. */
function clientPool(port: () => number): { open(): RawClient; closeAll(): void } {
  const open: RawClient[] = [];
  return {
    open: () => {
      const c = new RawClient(port());
      open.push(c);
      return c;
    },
    closeAll: () => {
      for (const c of open.splice(0)) c.destroy();
    },
  };
}

describe('protocol over a raw socket', { timeout: SUITE_TIMEOUT_MS }, () => {
  let target: Target;
  const pool = clientPool(() => target.port);
  before(async () => {
    target = await startTarget();
  });
  afterEach(() => pool.closeAll());
  after(async () => {
    await target.close();
  });

  it('inline (telnet style) commands, with quoting rules', async () => {
    const c = pool.open();
    await c.write('PING\r\n');
    assert.equal(await c.reply(), 'PONG');
    await c.write('  ping   \n');
    assert.equal(await c.reply(), 'PONG', 'LF alone ends a line; extra spaces are ignored');
    await c.write('SET inline:k "hello world"\r\nGET inline:k\r\n');
    assert.deepEqual(await c.replies(2), ['OK', 'hello world']);
    await c.write('ECHO "a\\x41\\n\\t\\"q\\""\r\n');
    assert.equal(await c.reply(), 'aA\n\t"q"', 'double quotes understand \\xHH, \\n, \\t and \\"');
    await c.write("ECHO 'it\\'s'\r\n");
    assert.equal(await c.reply(), "it's", "single quotes understand \\'");
    await c.write('ECHO ""\r\n');
    assert.equal(await c.reply(), '');
    await c.write('\r\n\r\nPING\r\n');
    assert.equal(await c.reply(), 'PONG', 'empty lines are skipped');
    await c.write('*-1\r\n*0\r\nPING\r\n');
    assert.equal(await c.reply(), 'PONG', 'empty and null multibulks are skipped');
  });

  it('an inline command with unbalanced quotes is a protocol error', async () => {
    const c = pool.open();
    await c.write('SET k "unbalanced\r\nPING\r\n');
    assert.deepEqual(await c.reply(), { error: 'ERR Protocol error: unbalanced quotes in request' });
    assert.equal(await c.waitClosed(5000), true);
    const d = pool.open();
    await d.write('ECHO "a"b\r\n');
    assert.deepEqual(await d.reply(), { error: 'ERR Protocol error: unbalanced quotes in request' });
  });

  it('a command split byte by byte is parsed once complete', async () => {
    const c = pool.open();
    const bytes = Buffer.from(encodeCommand(['SET', 'split:k', 'value with\r\nCRLF']) + encodeCommand(['GET', 'split:k']) + 'PING\r\n', 'latin1');
    for (let i = 0; i < bytes.length; i++) {
      await c.write(bytes.subarray(i, i + 1));
      if (i % 8 === 0) await sleep(1);
    }
    assert.deepEqual(await c.replies(3), ['OK', 'value with\r\nCRLF', 'PONG']);
    assert.equal(c.text(), '+OK\r\n$16\r\nvalue with\r\nCRLF\r\n+PONG\r\n');
  });

  it('a 10,000-deep pipeline is answered in order', async () => {
    const c = pool.open();
    const DEPTH = 10_000;
    let batch = encodeCommand(['DEL', 'pipeline:counter']);
    for (let i = 0; i < DEPTH; i++) batch += i % 2 === 0 ? encodeCommand(['INCR', 'pipeline:counter']) : encodeCommand(['ECHO', `echo-${i}`]);
    await c.write(batch);
    const replies = await c.replies(DEPTH + 1, 30_000);
    assert.ok(replies[0] === 0 || replies[0] === 1);
    for (let i = 0; i < DEPTH; i++) {
      const expected = i % 2 === 0 ? i / 2 + 1 : `echo-${i}`;
      if (replies[i + 1] !== expected) assert.fail(`reply ${i}: expected ${expected}, got ${JSON.stringify(replies[i + 1])}`);
    }
  });

  it('a protocol error answers -ERR Protocol error and closes only that connection', async () => {
    const bystander = pool.open();
    assert.equal(await bystander.command('SET', 'bystander', 'alive'), 'OK');
    const cases: Array<[string, string]> = [
      ['*1\r\n$x\r\n', 'ERR Protocol error: invalid bulk length'],
      ['*x\r\n', 'ERR Protocol error: invalid multibulk length'],
      ['*1\r\nfoo\r\n', "ERR Protocol error: expected '$', got 'f'"],
      ['*1\r\n$-1\r\n', 'ERR Protocol error: invalid bulk length'],
      ['*1\r\n$536870913\r\n', 'ERR Protocol error: invalid bulk length'],
    ];
    for (const [request, error] of cases) {
      const bad = pool.open();
      await bad.write(`PING\r\n${request}PING\r\n`);
      assert.deepEqual(await bad.replies(2), ['PONG', { error }], JSON.stringify(request));
      assert.equal(await bad.waitClosed(5000), true, `closed after ${JSON.stringify(request)}`);
      assert.equal(bad.text(), `+PONG\r\n-${error}\r\n`, 'nothing after the error is answered');
    }
    assert.equal(await bystander.command('GET', 'bystander'), 'alive');
    const fresh = pool.open();
    assert.equal(await fresh.command('PING'), 'PONG');
  });

  it('an inline line longer than 64 KB without a newline is a protocol error', async () => {
    const c = pool.open();
    await c.write('X'.repeat(70 * 1024));
    assert.deepEqual(await c.reply(), { error: 'ERR Protocol error: too big inline request' });
    assert.equal(await c.waitClosed(5000), true);
  });
});

describe('protocol: unauthenticated clients get small request limits', { timeout: SUITE_TIMEOUT_MS }, () => {
  let target: Target;
  const pool = clientPool(() => target.port);
  before(async () => {
    target = await startTarget({ config: { requirepass: 'secret' } });
  });
  afterEach(() => pool.closeAll());
  after(async () => {
    await target.close();
  });

  it('more than 10 arguments before AUTH', async () => {
    const c = pool.open();
    await c.write('*11\r\n');
    assert.deepEqual(await c.reply(), { error: 'ERR Protocol error: unauthenticated multibulk length' });
    assert.equal(await c.waitClosed(5000), true);
  });

  it('a bulk longer than 16 KB before AUTH', async () => {
    const c = pool.open();
    await c.write('*2\r\n$4\r\nAUTH\r\n$16385\r\n');
    assert.deepEqual(await c.reply(), { error: 'ERR Protocol error: unauthenticated bulk length' });
    assert.equal(await c.waitClosed(5000), true);
  });

  it('the same requests are fine after AUTH', async () => {
    const c = pool.open();
    assert.equal(await c.command('AUTH', 'secret'), 'OK');
    assert.equal(await c.command('MSET', 'a', '1', 'b', '2', 'c', '3', 'd', '4', 'e', '5'), 'OK');
    assert.equal(await c.command('SET', 'big', 'x'.repeat(20_000)), 'OK');
  });
});

describe('protocol: maxclients', { timeout: SUITE_TIMEOUT_MS }, () => {
  let target: Target;
  const pool = clientPool(() => target.port);
  before(async () => {
    target = await startTarget({ config: { maxclients: '2' } });
  });
  afterEach(() => pool.closeAll());
  after(async () => {
    await target.close();
  });

  /** Opens a client that answers PING, retrying while the server still counts a closed one. */
  async function admit(): Promise<RawClient | null> {
    for (let attempt = 0; attempt < 50; attempt++) {
      const next = pool.open();
      await next.write('PING\r\n');
      const answer = await next.reply(2000).catch(() => null);
      if (answer === 'PONG') return next;
      next.destroy();
      await sleep(50);
    }
    return null;
  }

  it('the connection beyond maxclients gets -ERR max number of clients reached', async () => {
    const first = await admit();
    const second = await admit();
    assert.ok(first !== null && second !== null, 'two clients fit');
    const third = pool.open();
    await third.connected();
    assert.equal(await third.waitClosed(5000), true, 'the third connection is closed');
    assert.equal(third.text(), '-ERR max number of clients reached\r\n');
    assert.equal(await first.command('PING'), 'PONG', 'the others keep working');
    assert.equal(await second.command('PING'), 'PONG');

    // Once a client leaves, there is room again (the server notices the close asynchronously).
    first.destroy();
    assert.notEqual(await admit(), null);
  });
});

describe('protocol: client-query-buffer-limit', { timeout: SUITE_TIMEOUT_MS }, () => {
  let target: Target;
  const pool = clientPool(() => target.port);
  before(async () => {
    target = await startTarget({ config: { 'client-query-buffer-limit': '1mb' } });
  });
  afterEach(() => pool.closeAll());
  after(async () => {
    await target.close();
  });

  it('a client whose pending request outgrows the limit is closed; others are not', async () => {
    const bystander = pool.open();
    assert.equal(await bystander.command('PING'), 'PONG');
    const greedy = pool.open();
    await greedy.write('*3\r\n$3\r\nSET\r\n$6\r\ngreedy\r\n$3000000\r\n');
    const chunk = Buffer.alloc(64 * 1024, 0x61);
    for (let sent = 0; sent < 2_000_000 && !greedy.closed; sent += chunk.length) await greedy.write(chunk);
    assert.equal(await greedy.waitClosed(5000), true, 'the greedy client is closed');
    assert.equal(await bystander.command('EXISTS', 'greedy'), 0);
    assert.equal(await bystander.command('PING'), 'PONG');
  });

  it('a value larger than the limit still fits when sent in one piece it can parse as it goes', async () => {
    const c = pool.open();
    // Complete commands are consumed as they arrive, so many small ones never fill the buffer.
    let batch = '';
    for (let i = 0; i < 3000; i++) batch += encodeCommand(['SET', `many:${i}`, 'x'.repeat(1000)]);
    await c.write(batch);
    const replies = await c.replies(3000, 30_000);
    assert.ok(replies.every((r) => r === 'OK'));
  });
});

describe('protocol: idle timeout', { timeout: SUITE_TIMEOUT_MS }, () => {
  let target: Target;
  const pool = clientPool(() => target.port);
  before(async () => {
    target = await startTarget({ config: { timeout: '1' } });
  });
  afterEach(() => pool.closeAll());
  after(async () => {
    await target.close();
  });

  it('a client idle longer than timeout is closed', async () => {
    const idle = pool.open();
    assert.equal(await idle.command('PING'), 'PONG');
    assert.equal(await idle.waitClosed(5000), true, 'closed within a few seconds of going idle');
    const fresh = pool.open();
    assert.equal(await fresh.command('PING'), 'PONG', 'the server still accepts clients');
  });

  it('a client that keeps talking stays open', async () => {
    const busy = pool.open();
    const until = Date.now() + 2500;
    while (Date.now() < until) {
      assert.equal(await busy.command('PING'), 'PONG');
      await sleep(200);
    }
    assert.equal(busy.closed, false);
  });
});
