// The cairn executable end to end: start-up with --port 0, redis-cli and ioredis against it,
// --config FILE, --help/--version, SHUTDOWN, SIGTERM and a bad option.
// Every process started here is stopped by its PID in an after hook, with bounded waits.
import { after, afterEach, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { closeIoredis, HOST, sleep, stopChild, SUITE_TIMEOUT_MS } from '../helpers/drivers.js';

/** The repository root: this file runs from dist/test/integration/. */
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const BIN = path.join(ROOT, 'bin', 'cairn.js');
const START_TIMEOUT_MS = 15_000;

const hasRedisCli = spawnSync('redis-cli', ['--version'], { stdio: 'ignore' }).status === 0;

interface Started {
  child: ChildProcess;
  port: number;
  /** Everything the process wrote so far. */
  stdout: () => string;
  stderr: () => string;
  exited: Promise<number | null>;
}

/** Starts `cairn server ...args` and waits for the start-up log line that names the port. */
async function startCairn(args: string[], started: Started[]): Promise<Started> {
  const child = spawn(process.execPath, [BIN, 'server', ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString('utf8')));
  child.stderr!.on('data', (d: Buffer) => (err += d.toString('utf8')));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const entry: Started = { child, port: 0, stdout: () => out, stderr: () => err, exited };
  started.push(entry);
  const deadline = Date.now() + START_TIMEOUT_MS;
  for (;;) {
    const port = startedPort(out);
    if (port !== null) {
      entry.port = port;
      return entry;
    }
    if (child.exitCode !== null) assert.fail(`cairn exited with ${child.exitCode} before starting: ${err}${out}`);
    if (Date.now() > deadline) assert.fail(`no "Cairn started" line within ${START_TIMEOUT_MS} ms: ${out}${err}`);
    await sleep(20);
  }
}

/** The port from the JSON line {"msg":"Cairn started","port":N}, once it has been written. */
function startedPort(stdout: string): number | null {
  for (const line of stdout.split('\n')) {
    if (!line.startsWith('{')) continue;
    try {
      const record = JSON.parse(line) as { msg?: string; port?: number };
      if (record.msg === 'Cairn started' && typeof record.port === 'number') return record.port;
    } catch {
      // a line still being written
    }
  }
  return null;
}

/** Waits (bounded) for a started process to exit; returns its exit code or 'timeout'. */
async function exitWithin(s: Started, ms: number): Promise<number | null | 'timeout'> {
  return Promise.race([s.exited, sleep(ms).then(() => 'timeout' as const)]);
}

function run(file: string, args: string[], timeoutMs = 15_000): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(file, args, { cwd: ROOT, timeout: timeoutMs }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === 'number' ? error.code : null;
      resolve({ code, stdout, stderr });
    });
  });
}

function ioredis(port: number): Redis {
  const r = new Redis({ host: HOST, port, retryStrategy: () => null, maxRetriesPerRequest: 0 });
  r.on('error', () => undefined);
  return r;
}

describe('cairn executable', { timeout: SUITE_TIMEOUT_MS }, () => {
  let dir: string;
  const started: Started[] = [];
  const clients: Redis[] = [];

  before(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'cairn-cli-test-'));
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map(closeIoredis));
    for (const s of started.splice(0)) await stopChild(s.child, 5000);
  });
  after(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('cairn --help and cairn --version exit 0', async () => {
    const help = await run(process.execPath, [BIN, '--help']);
    assert.equal(help.code, 0, help.stderr);
    assert.match(help.stdout, /Usage:/);
    assert.match(help.stdout, /cairn server/);
    const version = await run(process.execPath, [BIN, '--version']);
    assert.equal(version.code, 0, version.stderr);
    assert.match(version.stdout, /^cairn \d+\.\d+\.\d+/);
  });

  it('an unknown option exits non-zero with a message', async () => {
    const bad = await run(process.execPath, [BIN, 'server', '--no-such-option', '1', '--port', '0', '--dir', dir]);
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /no-such-option/);
    const badValue = await run(process.execPath, [BIN, 'server', '--maxclients', 'lots', '--port', '0', '--dir', dir]);
    assert.notEqual(badValue.code, 0);
    assert.match(badValue.stderr, /maxclients/);
  });

  it('serves with --port 0: redis-cli and ioredis', async () => {
    const s = await startCairn(['--port', '0', '--dir', dir], started);
    assert.ok(s.port > 0);
    if (hasRedisCli) {
      const ping = await run('redis-cli', ['-p', String(s.port), 'ping']);
      assert.equal(ping.stdout, 'PONG\n');
      const set = await run('redis-cli', ['-p', String(s.port), 'set', 'from-cli', 'hello world']);
      assert.equal(set.stdout, 'OK\n');
    }
    const r = ioredis(s.port);
    clients.push(r);
    if (hasRedisCli) assert.equal(await r.get('from-cli'), 'hello world');
    assert.equal(await r.set('from-ioredis', 'v'), 'OK');
    assert.equal(await r.get('from-ioredis'), 'v');
    if (hasRedisCli) {
      const get = await run('redis-cli', ['-p', String(s.port), 'get', 'from-ioredis']);
      assert.equal(get.stdout, 'v\n');
    }
  });

  it('--config FILE reads redis.conf syntax', async () => {
    const file = path.join(dir, 'cairn.conf');
    writeFileSync(file, `# a test configuration\nport 0\nmaxclients 1000\n\ndir "${dir}"\ntimeout 0\n`);
    const s = await startCairn(['--config', file], started);
    const r = ioredis(s.port);
    clients.push(r);
    assert.deepEqual(await r.config('GET', 'maxclients'), ['maxclients', '1000']);
    assert.deepEqual(await r.config('GET', 'timeout'), ['timeout', '0']);
  });

  it('command-line options override the config file', async () => {
    const file = path.join(dir, 'override.conf');
    writeFileSync(file, 'port 0\nmaxclients 1000\n');
    const s = await startCairn(['--config', file, '--maxclients', '77', '--dir', dir], started);
    const r = ioredis(s.port);
    clients.push(r);
    assert.deepEqual(await r.config('GET', 'maxclients'), ['maxclients', '77']);
  });

  it('SHUTDOWN makes the process exit 0', async () => {
    const s = await startCairn(['--port', '0', '--dir', dir], started);
    const r = ioredis(s.port);
    clients.push(r);
    assert.equal(await r.ping(), 'PONG');
    // SHUTDOWN answers nothing on success: the connection just closes.
    await r.call('SHUTDOWN').catch(() => undefined);
    assert.equal(await exitWithin(s, 10_000), 0);
  });

  it('SIGTERM makes the process exit 0', async () => {
    const s = await startCairn(['--port', '0', '--dir', dir], started);
    const r = ioredis(s.port);
    clients.push(r);
    assert.equal(await r.ping(), 'PONG');
    s.child.kill('SIGTERM');
    assert.equal(await exitWithin(s, 10_000), 0);
  });
});
