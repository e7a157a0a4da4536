// Starting and stopping the servers a benchmark compares: Cairn (the built executable)
// and a real redis-server, each on a free loopback port with its own temporary folder.
// Every server is stopped by its PID and its folder removed: by stop(), and, should the
// benchmark die half way, by the exit and signal handlers below.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { findOption } from '../src/server/config.js';

/** The repository root: this file runs as dist/bench/servers.js. */
export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/**
 * 'off': no snapshots, no append-only log, on both servers.
 * 'log': the append-only log with appendfsync everysec and no snapshots, on both servers (what
 * the log alone costs: compare with 'off').
 * 'default': whatever each server does when not told (Redis: RDB save points
 * 3600/1, 300/100, 60/10000 and no AOF; Cairn: its own defaults).
 */
export type Persistence = 'off' | 'log' | 'default';

/** The flags of the 'log' configuration, the same on both servers. */
const LOG_ONLY_ARGS = ['--appendonly', 'yes', '--appendfsync', 'everysec', '--save', ''];

export interface ServerOptions {
  readonly persistence?: Persistence;
  readonly extraArgs?: readonly string[];
  /** Cairn only: another built checkout (its root, with dist/ and bin/) to run instead of this one. */
  readonly build?: string;
}

export interface BenchServer<Name extends string = 'cairn' | 'redis'> {
  readonly name: Name;
  readonly port: number;
  readonly pid: number;
  /** Resident set size of the server process right now (VmRSS), in bytes. */
  rss(): number;
  stop(): Promise<void>;
}

interface Running {
  readonly child: ChildProcess;
  readonly dir: string;
  /** False for a folder the caller keeps across restarts (a replica group member's). */
  readonly ownsDir: boolean;
}

/** Servers not stopped yet, for the emergency cleanup. */
const running = new Set<Running>();

/** Private copies of compiled servers by the checkout they come from, see cairnExecutable(). */
const buildCopies = new Map<string, string>();

function cleanUp(): void {
  for (const r of running) killAndRemove(r);
  for (const copy of buildCopies.values()) rmSync(copy, { recursive: true, force: true });
  buildCopies.clear();
}

process.once('exit', cleanUp);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    cleanUp();
    process.exit(130);
  });
}

/**
 * The Cairn executable every server of this run starts from: a copy of bin/ and dist/src/
 * taken at the first start, so that a rebuild of the working tree during a long run cannot
 * change (or half-write) the server under test between two measurements.
 */
function cairnExecutable(build?: string): string {
  // CAIRN_BENCH_BUILD: another built checkout to measure (an earlier commit, for before/after).
  const from = path.resolve(build ?? process.env['CAIRN_BENCH_BUILD'] ?? ROOT);
  let buildCopy = buildCopies.get(from);
  if (buildCopy === undefined) {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'cairn-bench-build-'));
    buildCopy = dir;
    buildCopies.set(from, dir);
    cpSync(path.join(from, 'dist', 'src'), path.join(dir, 'dist', 'src'), { recursive: true });
    cpSync(path.join(from, 'bin'), path.join(dir, 'bin'), { recursive: true });
    writeFileSync(path.join(dir, 'package.json'), '{ "type": "module" }\n');
    // Runtime dependencies (the Lua engine) resolve from the checkout's node_modules.
    symlinkSync(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
  }
  return path.join(buildCopy, 'bin', 'cairn.js');
}

function killAndRemove(r: Running): void {
  try {
    if (r.child.pid !== undefined && r.child.exitCode === null && r.child.signalCode === null) process.kill(r.child.pid, 'SIGKILL');
  } catch {
    // already gone
  }
  if (r.ownsDir) rmSync(r.dir, { recursive: true, force: true });
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

/** VmRSS of a process from /proc, in bytes (0 when the process is gone). */
export function rssOf(pid: number): number {
  try {
    const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, 'latin1'));
    return m === null ? 0 : Number(m[1]) * 1024;
  } catch {
    return 0;
  }
}

/** Clock ticks per second of /proc/<pid>/stat (USER_HZ, 100 on Linux). */
const TICKS_PER_SECOND = 100;

/** User and system CPU seconds the process has used so far. */
export function cpuSeconds(pid: number): { user: number; sys: number } {
  const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
  // Fields after the command name (which may hold spaces) start at field 3; utime is 14, stime 15.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return { user: Number(fields[11]) / TICKS_PER_SECOND, sys: Number(fields[12]) / TICKS_PER_SECOND };
}

/**
 * What Cairn's persistence switches look like in this build: the options exist in
 * src/server/config.ts or they do not (persistence is landing while this is written).
 */
export function cairnPersistenceSupport(): { save: boolean; appendonly: boolean } {
  return { save: findOption('save') !== undefined, appendonly: findOption('appendonly') !== undefined };
}

/** One line for reports: how the two persistence configurations are set up on each server. */
export function describePersistence(): string {
  const s = cairnPersistenceSupport();
  if (!s.save && !s.appendonly) return 'Cairn has no save/appendonly options yet: it keeps data in memory only, so its "default" runs equal its "off" runs';
  const off = [s.appendonly ? '--appendonly no' : null, s.save ? '--save ""' : null].filter((x) => x !== null).join(' ');
  const defaults = ['appendonly', 'appendfsync', 'save']
    .map((name) => findOption(name))
    .filter((o) => o !== undefined)
    .map((o) => `${o.name} ${o.default === '' ? '""' : o.default.includes(' ') ? `"${o.default}"` : o.default}`)
    .join(', ');
  return `persistence off = Cairn ${off}, Redis --save "" --appendonly no; log = both ${LOG_ONLY_ARGS.map((a) => (a === '' ? '""' : a)).join(' ')}; default = Cairn ${defaults}; Redis save "3600 1 300 100 60 10000", appendonly no`;
}

function cairnPersistenceArgs(p: Persistence): string[] {
  if (p === 'default') return [];
  if (p === 'log') return LOG_ONLY_ARGS;
  const s = cairnPersistenceSupport();
  return [...(s.appendonly ? ['--appendonly', 'no'] : []), ...(s.save ? ['--save', ''] : [])];
}

function redisPersistenceArgs(p: Persistence): string[] {
  if (p === 'log') return LOG_ONLY_ARGS;
  return p === 'off' ? ['--save', '', '--appendonly', 'no'] : [];
}

export async function startRedis(options: ServerOptions = {}): Promise<BenchServer> {
  const args = ['--bind', '127.0.0.1', ...redisPersistenceArgs(options.persistence ?? 'off'), ...(options.extraArgs ?? [])];
  return launch('redis', 'redis-server', (port, dir) => ['--port', String(port), '--dir', dir, ...args]);
}

export async function startCairn(options: ServerOptions = {}): Promise<BenchServer> {
  const args = ['--loglevel', 'warning', ...cairnPersistenceArgs(options.persistence ?? 'off'), ...(options.extraArgs ?? [])];
  const cli = cairnExecutable(options.build);
  return launch('cairn', process.execPath, (port, dir) => [cli, 'server', '--port', String(port), '--dir', dir, ...args]);
}

/** The plain Node ceiling (bench/lean-server.ts): not Cairn, a yardstick for Node's sockets. */
export async function startLean(): Promise<BenchServer<'lean'>> {
  const script = path.join(ROOT, 'dist', 'bench', 'lean-server.js');
  return launch('lean', process.execPath, (port) => [script, String(port)]);
}

/** A Cairn process the caller can kill -9 and start again on the same port and folder. */
export interface RestartableServer extends BenchServer {
  /** SIGKILL by PID, then wait (bounded) until the process is gone. */
  kill9(): Promise<void>;
}

/**
 * A Cairn server on a given port and folder (a replica group member: its peers know its port,
 * and its Raft log must survive a kill -9). The folder is the caller's to remove.
 */
export async function startCairnAt(port: number, dir: string, extraArgs: readonly string[]): Promise<RestartableServer> {
  const cli = cairnExecutable();
  const server = await launch('cairn', process.execPath, (p, d) => [cli, 'server', '--port', String(p), '--dir', d, '--loglevel', 'warning', ...extraArgs], { port, dir });
  const entry = [...running].find((r) => r.child.pid === server.pid);
  return {
    ...server,
    kill9: async () => {
      if (entry === undefined) return;
      const { child } = entry;
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise<void>((r) => child.once('exit', () => r()));
        process.kill(child.pid!, 'SIGKILL');
        await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
      }
      running.delete(entry);
    },
  };
}

async function launch<Name extends 'cairn' | 'redis' | 'lean'>(name: Name, executable: string, argsFor: (port: number, dir: string) => string[], fixed?: { port: number; dir: string }): Promise<BenchServer<Name>> {
  const port = fixed?.port ?? await freePort();
  const dir = fixed?.dir ?? mkdtempSync(path.join(os.tmpdir(), `cairn-bench-${name}-`));
  const child = spawn(executable, argsFor(port, dir), { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
  const entry: Running = { child, dir, ownsDir: fixed === undefined };
  running.add(entry);
  let stderr = '';
  child.stderr!.setEncoding('utf8');
  child.stderr!.on('data', (d: string) => {
    stderr = (stderr + d).slice(-4000);
  });
  const stop = stopper(entry);
  try {
    await waitForPing(port, child, 15_000);
  } catch (e) {
    await stop();
    throw new Error(`${name} did not start: ${(e as Error).message}${stderr === '' ? '' : `\n${stderr}`}`);
  }
  const pid = child.pid!;
  return { name, port, pid, rss: () => rssOf(pid), stop };
}

async function waitForPing(port: number, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`exited with ${child.exitCode ?? child.signalCode}`);
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
  throw new Error(`no PONG on port ${port} within ${timeoutMs} ms`);
}

/** SIGTERM, then SIGKILL after 10 s (Redis saves on shutdown when it has save points). */
function stopper(entry: Running): () => Promise<void> {
  return async () => {
    const { child } = entry;
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise<void>((r) => child.once('exit', () => r()));
      process.kill(child.pid!, 'SIGTERM');
      const timer = setTimeout(() => {
        if (child.exitCode === null && child.signalCode === null) process.kill(child.pid!, 'SIGKILL');
      }, 10_000);
      await exited;
      clearTimeout(timer);
    }
    if (entry.ownsDir) rmSync(entry.dir, { recursive: true, force: true });
    running.delete(entry);
  };
}

/** Facts about this machine and the two servers, stored with every result. */
export function machineFacts(): Record<string, string | number> {
  const redis = spawnSync('redis-server', ['--version'], { encoding: 'utf8' }).stdout.match(/v=(\S+)/)?.[1] ?? 'unknown';
  const cpus = os.cpus();
  return {
    date: new Date().toISOString(),
    node: process.version,
    redisServer: redis,
    cpus: cpus.length,
    cpuModel: cpus[0]?.model.trim() ?? 'unknown',
    memoryGB: Math.round(os.totalmem() / 2 ** 30),
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    loadAverage1m: loadAverage(),
    cairnCommit: gitDescription(),
  };
}

export function loadAverage(): number {
  return Number(os.loadavg()[0]!.toFixed(2));
}

/**
 * Other processes competing for the cores skew absolute numbers (and, less, the ratios):
 * says so when the load average was high before the run started. (At the end it includes
 * the benchmark's own server and client, so only the start tells about other work.)
 */
export function busyNote(machine: Record<string, string | number>, loadAfter: number): string {
  const cpus = Number(machine.cpus);
  const before = Number(machine.loadAverage1m);
  const busy = before > cpus * 0.5;
  return `load average ${before} at the start, ${loadAfter} at the end, ${cpus} cores${busy ? ': the machine was busy with other work, expect noise' : ''}.`;
}

/** The commit the working tree is on, and whether it has uncommitted changes (read-only git). */
function gitDescription(): string {
  const head = spawnSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' });
  if (head.status !== 0) return 'unknown';
  const dirty = spawnSync('git', ['status', '--porcelain', '--untracked-files=no'], { cwd: ROOT, encoding: 'utf8' }).stdout.trim() !== '';
  return `${head.stdout.trim()}${dirty ? ' + uncommitted changes' : ''}`;
}
