// memcached for tests: a real `memcached` (Debian package) started on a free loopback port as
// the differential oracle, stopped by PID; Cairn serving memcached in this process; and a raw
// text-protocol client that reads one command's whole reply by following it with a barrier (an
// mg miss with a unique opaque token, answered once everything before it is answered).
import { spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { open, type Cairn } from '../../src/embedded.js';
import { pickFreePort, settlesWithin, stopProcess, trackChildProcess } from './redis-oracle.js';

export function findMemcached(): string | null {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (dir === '') continue;
    const candidate = path.join(dir, 'memcached');
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return null;
}

export interface MemcachedProcess {
  readonly port: number;
  readonly pid: number;
  stop(): Promise<void>;
}

/** `memcached -p PORT -U 0 -l 127.0.0.1 -m 64` (plus `-u root` when run as root, which it requires). */
export async function startMemcached(extraArgs: string[] = []): Promise<MemcachedProcess> {
  const exe = findMemcached();
  if (exe === null) throw new Error('memcached is not installed (Debian package memcached)');
  for (let attempt = 0; attempt < 5; attempt++) {
    const port = await pickFreePort();
    const args = ['-p', String(port), '-U', '0', '-l', '127.0.0.1', '-m', '64', ...extraArgs];
    if (process.getuid?.() === 0) args.push('-u', 'root');
    const child = spawn(exe, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    trackChildProcess(child);
    let stderr = '';
    child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
    const exited = new Promise<void>((r) => child.once('exit', () => r()));
    const stop = () => stopProcess(child, exited, 5_000);
    if (await waitForPort(port, exited, 5_000)) return { port, pid: child.pid!, stop };
    await stop();
    if (!stderr.includes('Address already in use')) throw new Error(`memcached did not start: ${stderr}`);
  }
  throw new Error('memcached: no free port after 5 attempts');
}

async function waitForPort(port: number, exited: Promise<void>, timeoutMs: number): Promise<boolean> {
  let gone = false;
  void exited.then(() => (gone = true));
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && !gone) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.connect(port, '127.0.0.1');
      s.once('connect', () => (s.destroy(), resolve(true)));
      s.once('error', () => resolve(false));
    });
    if (ok) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return false;
}

export interface CairnMemcached {
  readonly db: Cairn;
  readonly port: number;
  readonly respPort: number;
  stop(): Promise<void>;
}

/** Cairn in this process serving memcached (and RESP) on free loopback ports. */
export async function startCairnMemcached(options: { config?: Record<string, string>; dir?: string } = {}): Promise<CairnMemcached> {
  const db = open({ seed: 1, ...(options.config ? { config: options.config } : {}), ...(options.dir ? { dir: options.dir } : {}) });
  const mc = await db.listenMemcached({ port: 0 });
  const resp = await db.listen({ port: 0 });
  return { db, port: mc.port, respPort: resp.port, stop: () => db.close() };
}

/** A raw text-protocol connection. */
export class McTextClient {
  private buf = Buffer.alloc(0);
  private waiter: (() => void) | null = null;
  private closed = false;

  private constructor(private readonly socket: net.Socket) {
    socket.on('data', (c: Buffer) => {
      this.buf = Buffer.concat([this.buf, c]);
      this.waiter?.();
    });
    socket.on('close', () => {
      this.closed = true;
      this.waiter?.();
    });
    socket.on('error', () => {});
  }

  static connect(port: number): Promise<McTextClient> {
    return new Promise((resolve, reject) => {
      const s = net.connect(port, '127.0.0.1', () => resolve(new McTextClient(s)));
      s.once('error', reject);
    });
  }

  private barriers = 0;

  /**
   * Sends raw bytes (latin1) and returns everything answered before the barrier that follows
   * them: an `mg` miss with a unique opaque token, answered `EN O<token>` once all before it is.
   */
  async send(text: string, timeoutMs = 10_000): Promise<string> {
    const token = `b${++this.barriers}`;
    const marker = `EN O${token}\r\n`;
    this.socket.write(Buffer.from(`${text}mg __barrier__ O${token}\r\n`, 'latin1'));
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const s = this.buf.toString('latin1');
      const at = s.startsWith(marker) ? 0 : s.indexOf('\r\n' + marker);
      if (at >= 0) {
        const end = at === 0 ? 0 : at + 2;
        this.buf = this.buf.subarray(end + marker.length);
        return s.slice(0, end);
      }
      if (this.closed) return s + '<closed>';
      if (Date.now() > deadline) throw new Error(`no barrier within ${timeoutMs} ms; got ${JSON.stringify(s.slice(0, 500))}`);
      await new Promise<void>((resolve) => {
        this.waiter = resolve;
        setTimeout(resolve, 100);
      });
      this.waiter = null;
    }
  }

  close(): void {
    this.socket.destroy();
  }
}

export { settlesWithin };
