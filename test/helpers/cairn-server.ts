// Cairn for tests that talk to it over TCP: either in this process (open().listen on port 0),
// or as a child process `node bin/cairn.js server --port 0`, whose port we learn from the
// "Cairn started" JSON log line. Every wait is bounded; the child is stopped by PID.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { open } from '../../src/embedded.js';
import { settlesWithin, stopProcess, trackChildProcess } from './redis-oracle.js';

export interface CairnServer {
  readonly port: number;
  /** The child's PID, or this process's PID for the in-process variant. */
  readonly pid: number;
  readonly kind: 'in-process' | 'child-process';
  /** What the server logged (child variant), for failure messages. */
  log(): string;
  stop(): Promise<void>;
}

/** Cairn in this process, serving TCP on a free loopback port. */
export async function startCairnInProcess(options: { seed?: number; config?: Record<string, string>; startTimeoutMs?: number } = {}): Promise<CairnServer> {
  const db = open({ seed: options.seed ?? 1, ...(options.config ? { config: options.config } : {}) });
  const timeoutMs = options.startTimeoutMs ?? 10_000;
  const listening = db.listen({ port: 0, host: '127.0.0.1' });
  if (!(await settlesWithin(listening, timeoutMs))) {
    await db.close();
    throw new Error(`in-process Cairn did not listen within ${timeoutMs} ms`);
  }
  const server = await listening;
  return {
    port: server.port,
    pid: process.pid,
    kind: 'in-process',
    log: () => '',
    stop: () => db.close(),
  };
}

/** The repository root, found from this file's place in dist/test/helpers/. */
export function repoRoot(): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  return path.resolve(here, '..', '..', '..');
}

/** `node bin/cairn.js server --port 0 --dir <temp> ...extraArgs` as a child process. */
export async function startCairnProcess(options: { args?: string[]; startTimeoutMs?: number; stopTimeoutMs?: number } = {}): Promise<CairnServer> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'cairn-server-'));
  const root = repoRoot();
  const args = [path.join(root, 'bin', 'cairn.js'), 'server', '--port', '0', '--bind', '127.0.0.1', '--dir', dir, ...(options.args ?? [])];
  const child = spawn(process.execPath, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  trackChildProcess(child);
  let output = '';
  let pending = '';
  let resolvePort: (port: number) => void = () => {};
  const portPromise = new Promise<number>((r) => (resolvePort = r));
  child.stdout!.on('data', (chunk: Buffer) => {
    const text = chunk.toString('utf8');
    if (output.length < 64 * 1024) output += text;
    pending += text;
    let nl: number;
    while ((nl = pending.indexOf('\n')) >= 0) {
      const line = pending.slice(0, nl);
      pending = pending.slice(nl + 1);
      const port = startedPort(line);
      if (port !== null) resolvePort(port);
    }
  });
  child.stderr!.on('data', (chunk: Buffer) => {
    if (output.length < 64 * 1024) output += chunk.toString('utf8');
  });
  let exitInfo = '';
  const exited = new Promise<void>((resolve) =>
    child.once('exit', (code, signal) => {
      exitInfo = `code ${code}, signal ${signal}`;
      resolve();
    }),
  );
  child.once('error', (e) => {
    output += `\nspawn error: ${e.message}`;
  });
  const stop = async (): Promise<void> => {
    await stopProcess(child, exited, options.stopTimeoutMs ?? 5_000);
    rmSync(dir, { recursive: true, force: true });
  };

  const timeoutMs = options.startTimeoutMs ?? 10_000;
  const outcome = await new Promise<number | 'exited' | 'timeout'>((resolve) => {
    const timer = setTimeout(() => resolve('timeout'), timeoutMs);
    portPromise.then((p) => {
      clearTimeout(timer);
      resolve(p);
    });
    exited.then(() => {
      clearTimeout(timer);
      resolve('exited');
    });
  });
  if (typeof outcome !== 'number') {
    await stop();
    const why = outcome === 'exited' ? `exited during start-up (${exitInfo})` : `did not log "Cairn started" within ${timeoutMs} ms`;
    throw new Error(`cairn server ${why}:\n${output}`);
  }
  return { port: outcome, pid: child.pid!, kind: 'child-process', log: () => output, stop };
}

/** The port from a `{"msg":"Cairn started","port":N,...}` log line, else null. */
function startedPort(line: string): number | null {
  if (!line.startsWith('{')) return null;
  try {
    const record = JSON.parse(line) as { msg?: unknown; port?: unknown };
    return record.msg === 'Cairn started' && typeof record.port === 'number' ? record.port : null;
  } catch {
    return null;
  }
}
