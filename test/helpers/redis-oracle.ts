// A real redis-server for differential tests: started on a free loopback port with no
// persistence, in its own temp folder, and stopped by PID. Every wait is bounded.
import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants, mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { RespClient } from './resp-client.js';

export interface RedisOracle {
  readonly port: number;
  readonly pid: number;
  readonly version: string;
  /** What the server printed, for failure messages. */
  log(): string;
  stop(): Promise<void>;
}

export interface OracleOptions {
  /** Extra arguments for redis-server, e.g. ['--databases', '16']. */
  args?: string[];
  startTimeoutMs?: number;
  stopTimeoutMs?: number;
  /** How many ports to try when the one we picked was taken in between. */
  portAttempts?: number;
  /** Where ports come from (tests of the retry); pickFreePort by default. */
  pickPort?: () => Promise<number>;
}

/** The redis-server executable on PATH, or null. */
export function findRedisServer(): string | null {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (dir === '') continue;
    const candidate = path.join(dir, 'redis-server');
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not in this folder
    }
  }
  return null;
}

/**
 * Whether differential tests can run. Without redis-server they are skipped on a developer's
 * machine, but in CI (process.env.CI set) a missing oracle is a failure: a green build must
 * not mean "nothing was compared".
 */
export function oracleAvailability(): { ok: true; path: string } | { ok: false; fail: boolean; message: string } {
  const found = findRedisServer();
  if (found !== null) return { ok: true, path: found };
  const message =
    'redis-server is not installed (not found on PATH): the differential tests need it as the oracle. ' +
    'Install it (Debian/Ubuntu: apt-get install redis-server) and run again.';
  return { ok: false, fail: Boolean(process.env.CI), message };
}

/** A port that was free a moment ago: listen on port 0, read the port, close. */
export function pickFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.unref();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const port = (probe.address() as net.AddressInfo).port;
      probe.close(() => resolve(port));
    });
  });
}

/** Processes started here, killed if the test process exits without stopping them. */
const live = new Set<ChildProcess>();
let exitHookInstalled = false;
function track(child: ChildProcess): void {
  live.add(child);
  child.once('exit', () => live.delete(child));
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const c of live) if (c.pid !== undefined && c.exitCode === null) c.kill('SIGKILL');
  });
}

export { track as trackChildProcess };

export async function startRedis(options: OracleOptions = {}): Promise<RedisOracle> {
  const executable = findRedisServer();
  if (executable === null) {
    const availability = oracleAvailability();
    throw new Error(availability.ok ? 'redis-server vanished from PATH' : availability.message);
  }
  const attempts = options.portAttempts ?? 5;
  let lastError: Error | null = null;
  for (let attempt = 0; attempt < attempts; attempt++) {
    const port = await (options.pickPort ?? pickFreePort)();
    const dir = mkdtempSync(path.join(os.tmpdir(), 'cairn-oracle-'));
    try {
      return await launch(executable, port, dir, options);
    } catch (e) {
      rmSync(dir, { recursive: true, force: true });
      lastError = e as Error;
      // Someone took the port between our probe and redis-server's bind: try another one.
      if (!(e instanceof PortTaken)) throw e;
    }
  }
  throw new Error(`redis-server: no free port after ${attempts} attempts: ${lastError?.message}`);
}

class PortTaken extends Error {}

async function launch(executable: string, port: number, dir: string, options: OracleOptions): Promise<RedisOracle> {
  const args = [
    '--save', '',
    '--appendonly', 'no',
    '--port', String(port),
    '--bind', '127.0.0.1',
    '--daemonize', 'no',
    '--dir', dir,
    ...(options.args ?? []),
  ];
  const child = spawn(executable, args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  track(child);
  let output = '';
  const collect = (chunk: Buffer): void => {
    if (output.length < 64 * 1024) output += chunk.toString('utf8');
  };
  child.stdout!.on('data', collect);
  child.stderr!.on('data', collect);
  let exited: { code: number | null; signal: NodeJS.Signals | null } | null = null;
  const exitPromise = new Promise<void>((resolve) =>
    child.once('exit', (code, signal) => {
      exited = { code, signal };
      resolve();
    }),
  );
  child.once('error', (e) => {
    output += `\nspawn error: ${e.message}`;
  });

  const stop = async (): Promise<void> => {
    await stopProcess(child, exitPromise, options.stopTimeoutMs ?? 5_000);
    rmSync(dir, { recursive: true, force: true });
  };

  const deadline = Date.now() + (options.startTimeoutMs ?? 10_000);
  let version = '';
  for (;;) {
    if (exited !== null) {
      const why = `redis-server exited during start-up (${JSON.stringify(exited)}):\n${output}`;
      rmSync(dir, { recursive: true, force: true });
      if (/Address already in use/i.test(output)) throw new PortTaken(why);
      throw new Error(why);
    }
    const reply = await tryPing(port, child.pid);
    if (reply !== null) {
      version = reply;
      break;
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`redis-server did not answer PING on port ${port} within ${options.startTimeoutMs ?? 10_000} ms:\n${output}`);
    }
    await sleep(50);
  }
  return { port, pid: child.pid!, version, log: () => output, stop };
}

/**
 * PING, then INFO server's version; null while the server is not ready. The answer must come
 * from our child (process_id): if another process grabbed the port between our probe and the
 * child's bind, that one would answer PING while our child exits with "Address already in use".
 */
async function tryPing(port: number, pid: number | undefined): Promise<string | null> {
  let client: RespClient | null = null;
  try {
    client = await RespClient.connect(port, { timeoutMs: 1_000 });
    const [pong, info] = await client.pipeline([['PING'], ['INFO', 'server']]);
    if (pong?.t !== 'simple' || pong.v !== 'PONG' || info?.t !== 'bulk') return null;
    const text = info.v.toString('latin1');
    if (/process_id:(\d+)/.exec(text)?.[1] !== String(pid)) return null;
    return /redis_version:(\S+)/.exec(text)?.[1] ?? 'unknown';
  } catch {
    return null;
  } finally {
    client?.close();
  }
}

/** SIGTERM, then SIGKILL if the process has not exited within the timeout. */
export async function stopProcess(child: ChildProcess, exited: Promise<void>, timeoutMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  if (await settlesWithin(exited, timeoutMs)) return;
  child.kill('SIGKILL');
  if (!(await settlesWithin(exited, timeoutMs))) throw new Error(`process ${child.pid} survived SIGKILL for ${timeoutMs} ms`);
}

/** Whether the promise settles within ms; the timer is cleared so it never holds the process open. */
export function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    promise.then(
      () => {
        clearTimeout(timer);
        resolve(true);
      },
      () => {
        clearTimeout(timer);
        resolve(true);
      },
    );
  });
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
