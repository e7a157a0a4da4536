// Real cairn processes on a data folder the test keeps across restarts: started with --port 0
// (the port comes from the "Cairn started" log line), killed with SIGKILL by PID, or run to
// completion (start-up failures, check-log). Only processes started here are ever signalled.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { Redis } from 'ioredis';
import { repoRoot } from './cairn-server.js';
import { settlesWithin, trackChildProcess } from './redis-oracle.js';

export const BIN = path.join(repoRoot(), 'bin', 'cairn.js');

export interface CairnProcess {
  readonly port: number;
  readonly pid: number;
  readonly child: ChildProcess;
  output(): string;
  /** kill -9, and wait until the process is gone. */
  kill9(): Promise<void>;
  /** SIGTERM (a clean shutdown), waiting for the exit. */
  stop(): Promise<void>;
}

export async function startCairnIn(dir: string, args: string[] = [], timeoutMs = 30_000): Promise<CairnProcess> {
  const child = spawn(process.execPath, [BIN, 'server', '--port', '0', '--bind', '127.0.0.1', '--dir', dir, ...args], {
    cwd: repoRoot(), stdio: ['ignore', 'pipe', 'pipe'],
  });
  trackChildProcess(child);
  let output = '';
  let pending = '';
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no "Cairn started" within ${timeoutMs} ms:\n${output}`)), timeoutMs);
    child.stdout!.on('data', (chunk: Buffer) => {
      const text = chunk.toString('utf8');
      if (output.length < 256 * 1024) output += text;
      pending += text;
      for (let nl = pending.indexOf('\n'); nl >= 0; nl = pending.indexOf('\n')) {
        const line = pending.slice(0, nl);
        pending = pending.slice(nl + 1);
        if (!line.includes('"Cairn started"')) continue;
        clearTimeout(timer);
        resolve((JSON.parse(line) as { port: number }).port);
      }
    });
    child.stderr!.on('data', (chunk: Buffer) => {
      if (output.length < 256 * 1024) output += chunk.toString('utf8');
    });
    void exited.then(() => {
      clearTimeout(timer);
      reject(new Error(`cairn exited during start-up (code ${child.exitCode}):\n${output}`));
    });
  });
  const waitExit = async (): Promise<void> => {
    if (!(await settlesWithin(exited, 10_000))) throw new Error(`process ${child.pid} did not exit`);
  };
  return {
    port,
    pid: child.pid!,
    child,
    output: () => output,
    kill9: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await waitExit();
    },
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await waitExit();
    },
  };
}

/** Runs `cairn <args>` to its exit (bounded), for start-ups expected to fail and check-log. */
export function runCairn(args: string[], timeoutMs = 30_000): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: repoRoot(), stdio: ['ignore', 'pipe', 'pipe'] });
    trackChildProcess(child);
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (c: Buffer) => (stdout += c.toString('utf8')));
    child.stderr!.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** An ioredis client that never retries (a killed server must show up as errors, not waits). */
export function client(port: number): Redis {
  const r = new Redis({ host: '127.0.0.1', port, retryStrategy: () => null, maxRetriesPerRequest: 0, enableOfflineQueue: true });
  r.on('error', () => undefined);
  return r;
}

/** Waits until the server answers PING (it answers LOADING while it loads). */
export async function waitReady(r: Redis, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      if ((await r.ping()) === 'PONG') return;
    } catch (e) {
      if (Date.now() > deadline) throw e;
    }
    await new Promise((res) => setTimeout(res, 20));
  }
}
