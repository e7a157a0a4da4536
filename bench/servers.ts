// Starting and stopping the servers a benchmark compares: Cairn (the built executable)
// and a real redis-server, each on a free loopback port, each stopped by its PID.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

export interface BenchServer {
  readonly name: string;
  readonly port: number;
  readonly pid: number;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

async function waitForPing(port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const ok = await new Promise<boolean>((resolve) => {
      const sock = net.connect(port, '127.0.0.1');
      sock.once('error', () => resolve(false));
      sock.once('connect', () => sock.write('PING\r\n'));
      sock.once('data', (d) => {
        sock.destroy();
        resolve(d.toString().startsWith('+PONG'));
      });
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`server on port ${port} did not answer PING within ${timeoutMs} ms`);
}

function stopper(child: ChildProcess, dir: string): () => Promise<void> {
  return async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise<void>((r) => child.once('exit', () => r()));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    }
    rmSync(dir, { recursive: true, force: true });
  };
}

export async function startRedis(extraArgs: string[] = []): Promise<BenchServer> {
  const port = await freePort();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'cairn-bench-redis-'));
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, ...extraArgs], { stdio: 'ignore' });
  await waitForPing(port, 10_000);
  return { name: 'redis', port, pid: child.pid!, stop: stopper(child, dir) };
}

export async function startCairn(extraArgs: string[] = []): Promise<BenchServer> {
  const port = await freePort();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'cairn-bench-cairn-'));
  const child = spawn(process.execPath, ['bin/cairn.js', 'server', '--port', String(port), '--dir', dir, '--loglevel', 'warning', ...extraArgs], { stdio: 'ignore' });
  await waitForPing(port, 10_000);
  return { name: 'cairn', port, pid: child.pid!, stop: stopper(child, dir) };
}
