// appendfsync always over TCP: replies to writes leave only after the fsync of their turn, in
// order per connection; a read never shows a write that is not durable yet; one fsync serves
// every write of a turn (group commit); a failing disk refuses writes while reads go on. Under
// everysec a reply waits for its record's write, also when a lone client's records are written
// right after its read.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { Config } from '../../src/server/config.js';
import { Engine } from '../../src/server/engine.js';
import { startServer, type RunningServer } from '../../src/io/net-server.js';
import { MemoryFileSystem } from '../../src/io/persistence/memory-file-system.js';
import { Persistence } from '../../src/io/persistence/manager.js';
import { systemClock } from '../../src/io/system-clock.js';

interface Setup {
  server: RunningServer;
  fs: MemoryFileSystem;
  p: Persistence;
  stop(): Promise<void>;
}

async function setup(holdFsyncs: boolean, policy: 'always' | 'everysec' = 'always'): Promise<Setup> {
  const config = new Config();
  config.set('appendfsync', policy, false);
  config.set('save', '', false);
  const engine = new Engine({ clock: systemClock, seed: 1, config });
  const fs = new MemoryFileSystem();
  fs.holdFsyncs = holdFsyncs;
  const p = new Persistence({ engine, dir: '/data', fs, pid: 1 });
  p.attach();
  p.startSync();
  const server = await startServer(engine, { port: 0, host: '127.0.0.1' });
  return {
    server, fs, p,
    stop: async () => {
      fs.holdFsyncs = false;
      fs.releaseFsyncs();
      const closing = server.close();
      p.close();
      await closing;
    },
  };
}

/** A raw connection that collects every byte it receives. */
class Raw {
  readonly socket: net.Socket;
  received = '';
  private waiters: Array<() => void> = [];

  constructor(port: number) {
    this.socket = net.connect(port, '127.0.0.1');
    this.socket.setEncoding('latin1');
    this.socket.on('data', (d: string) => {
      this.received += d;
      for (const w of this.waiters.splice(0)) w();
    });
  }

  async ready(): Promise<void> {
    await new Promise<void>((r) => this.socket.once('connect', () => r()));
  }

  send(...commands: string[][]): void {
    let out = '';
    for (const argv of commands) {
      out += `*${argv.length}\r\n`;
      for (const a of argv) out += `$${Buffer.byteLength(a, 'latin1')}\r\n${a}\r\n`;
    }
    this.socket.write(out, 'latin1');
  }

  /** Waits until `text` has arrived (bounded). */
  async until(text: string, timeoutMs = 3000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!this.received.includes(text)) {
      if (Date.now() > deadline) throw new Error(`did not receive ${JSON.stringify(text)}; got ${JSON.stringify(this.received)}`);
      await new Promise<void>((r) => {
        this.waiters.push(r);
        setTimeout(r, 20);
      });
    }
  }

  close(): void {
    this.socket.destroy();
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('a pipeline waits for the fsync of its writes, then its replies leave in order', async () => {
  const s = await setup(true);
  const a = new Raw(s.server.port);
  await a.ready();
  a.send(['SET', 'k', '1'], ['GET', 'k'], ['PING'], ['INCR', 'n']);
  await sleep(100);
  assert.equal(a.received, '', 'nothing is acknowledged before the fsync');
  assert.ok(s.fs.pendingFsyncs >= 1);
  s.fs.releaseFsyncs();
  await sleep(30);
  s.fs.releaseFsyncs(); // a second batch, if the turn split the pipeline
  await a.until(':1\r\n');
  assert.equal(a.received, '+OK\r\n$1\r\n1\r\n+PONG\r\n:1\r\n');
  a.close();
  await s.stop();
});

test('a reader on another connection does not see a write before it is durable', async () => {
  const s = await setup(true);
  const writer = new Raw(s.server.port);
  const reader = new Raw(s.server.port);
  await Promise.all([writer.ready(), reader.ready()]);
  writer.send(['SET', 'k', 'new']);
  await sleep(50);
  reader.send(['GET', 'k']);
  await sleep(80);
  assert.equal(writer.received, '');
  assert.equal(reader.received, '', 'the read waits for the write it can see');
  while (s.fs.pendingFsyncs > 0) {
    s.fs.releaseFsyncs();
    await sleep(20);
  }
  await writer.until('+OK\r\n');
  await reader.until('$3\r\nnew\r\n');
  writer.close();
  reader.close();
  await s.stop();
});

test('a failing fsync: the write waits, other writes get MISCONF, reads are answered, the retry acknowledges', async () => {
  const s = await setup(true);
  const writer = new Raw(s.server.port);
  const other = new Raw(s.server.port);
  await Promise.all([writer.ready(), other.ready()]);
  other.send(['SET', 'before', '1']);
  await sleep(30);
  s.fs.releaseFsyncs();
  await other.until('+OK\r\n');
  s.fs.failNext('fsync', 'EIO');
  writer.send(['SET', 'x', '1']);
  await sleep(50);
  s.fs.releaseFsyncs(); // fails
  await sleep(30);
  other.send(['GET', 'before'], ['SET', 'y', '1']);
  await other.until('$1\r\n1\r\n-MISCONF Errors writing to the AOF file: Input/output error\r\n');
  assert.equal(writer.received, '', 'a write that is not durable is not acknowledged');
  s.p.cron(); // the retry: writes the unsynced bytes again and fsyncs
  await sleep(20);
  s.fs.releaseFsyncs();
  await writer.until('+OK\r\n');
  writer.close();
  other.close();
  await s.stop();
});

test('group commit: many clients writing at once share fsyncs', async () => {
  const s = await setup(false);
  const clients = await Promise.all(Array.from({ length: 20 }, async () => {
    const c = new Raw(s.server.port);
    await c.ready();
    return c;
  }));
  const fsyncsBefore = s.fs.calls.fsync;
  const rounds = 25;
  for (let round = 0; round < rounds; round++) {
    clients.forEach((c, i) => c.send(['INCR', `c${i}`]));
    await Promise.all(clients.map((c) => c.until(`:${round + 1}\r\n`)));
  }
  const fsyncs = s.fs.calls.fsync - fsyncsBefore;
  const writes = rounds * clients.length;
  assert.ok(fsyncs < writes / 3, `${writes} writes took ${fsyncs} fsyncs`);
  for (const c of clients) c.close();
  await s.stop();
});

test('QUIT after a write: the held reply still goes out before the connection closes', async () => {
  const s = await setup(true);
  const a = new Raw(s.server.port);
  await a.ready();
  a.send(['SET', 'k', 'v'], ['QUIT']);
  await sleep(60);
  assert.equal(a.received, '');
  s.fs.releaseFsyncs();
  await a.until('+OK\r\n+OK\r\n');
  a.close();
  await s.stop();
});

test('everysec, a lone client: a write whose record could not be written is not answered until the retry writes it', async () => {
  const s = await setup(false, 'everysec');
  const a = new Raw(s.server.port);
  await a.ready();
  a.send(['SET', 'k', '1']);
  await a.until('+OK\r\n');
  s.fs.failNext('write', 'ENOSPC');
  a.send(['INCR', 'n']);
  await sleep(80);
  assert.equal(a.received, '+OK\r\n', 'the reply waits for its record');
  const b = new Raw(s.server.port);
  await b.ready();
  b.send(['SET', 'other', '1']);
  await b.until('-MISCONF Errors writing to the AOF file: No space left on device\r\n');
  s.p.cron(); // the retry writes the record
  await a.until(':1\r\n');
  assert.equal(a.received, '+OK\r\n:1\r\n');
  a.close();
  b.close();
  await s.stop();
});
