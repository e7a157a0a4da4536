// Cairn's memcached listener against a real memcached (Debian package), side by side in the same
// run, driven by libmemcached's memcaslap: set-only and get-heavy (90% get) workloads with 64-byte
// and 4 KB values over 50 concurrent connections. Rounds alternate between the servers; the
// table shows medians of ops/s and of the mean latency (µs), and Cairn's ratio to memcached.
// Usage: npm run bench:memcached [-- --quick] [-- --seconds N] [-- --rounds N]
// Results also go to bench/results/memcached-latest.json.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { ROOT } from './servers.js';

interface Workload {
  readonly name: string;
  readonly valueBytes: number;
  /** memcaslap's cmd proportions: set, get. */
  readonly set: number;
  readonly get: number;
}

const WORKLOADS: readonly Workload[] = [
  { name: 'set 64 B', valueBytes: 64, set: 1, get: 0 },
  { name: 'get 64 B (90% get)', valueBytes: 64, set: 0.1, get: 0.9 },
  { name: 'set 4 KB', valueBytes: 4096, set: 1, get: 0 },
  { name: 'get 4 KB (90% get)', valueBytes: 4096, set: 0.1, get: 0.9 },
];
const CONCURRENCY = 50;

interface Server {
  readonly name: 'cairn' | 'memcached';
  readonly port: number;
  stop(): Promise<void>;
}

function argValue(name: string, fallback: number): number {
  const i = process.argv.indexOf(name);
  return i >= 0 && i + 1 < process.argv.length ? Number(process.argv[i + 1]) : fallback;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
    s.once('error', reject);
  });
}

function stopChild(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

async function waitForPort(port: number): Promise<void> {
  for (let i = 0; i < 200; i++) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.connect(port, '127.0.0.1', () => (s.destroy(), resolve(true)));
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`nothing listens on ${port}`);
}

async function startMemcached(): Promise<Server> {
  const port = await freePort();
  const args = ['-p', String(port), '-U', '0', '-l', '127.0.0.1', '-m', '1024', '-t', '1'];
  if (process.getuid?.() === 0) args.push('-u', 'root');
  const child = spawn('memcached', args, { stdio: 'ignore' });
  await waitForPort(port);
  return { name: 'memcached', port, stop: () => stopChild(child) };
}

async function startCairn(): Promise<Server> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'cairn-bench-mc-'));
  const port = await freePort();
  const args = [path.join(ROOT, 'bin', 'cairn.js'), 'server', '--port', '0', '--memcached-port', String(port), '--dir', dir,
    '--appendonly', 'no', '--save', '', '--loglevel', 'warning'];
  const child = spawn(process.execPath, args, { stdio: 'ignore' });
  await waitForPort(port);
  return {
    name: 'cairn',
    port,
    stop: async () => {
      await stopChild(child);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

interface Measure {
  readonly opsPerSec: number;
  /** memcaslap's mean latency of the workload's main command, in µs. */
  readonly meanLatencyMicros: number;
}

function runMemcaslap(server: Server, w: Workload, seconds: number, cfgDir: string): Measure {
  const cfg = path.join(cfgDir, `${w.valueBytes}-${w.set}.cfg`);
  const lines = ['key', '16 16 1', 'value', `${w.valueBytes} ${w.valueBytes} 1`, 'cmd'];
  if (w.set > 0) lines.push(`0 ${w.set}`);
  if (w.get > 0) lines.push(`1 ${w.get}`);
  writeFileSync(cfg, lines.join('\n') + '\n');
  const r = spawnSync('memcaslap', ['-s', `127.0.0.1:${server.port}`, '-c', String(CONCURRENCY), '-T', '2', '-t', `${seconds}s`, '-F', cfg, '-S', `${seconds}s`], {
    encoding: 'utf8', timeout: (seconds + 30) * 1000,
  });
  const out = r.stdout ?? '';
  const tps = /TPS: (\d+)/.exec(out);
  const section = w.get > 0 ? 'Get Statistics' : 'Set Statistics';
  const at = out.lastIndexOf(section);
  const avg = at >= 0 ? /Avg:\s+(\d+)/.exec(out.slice(at)) : null;
  if (tps === null || avg === null) throw new Error(`memcaslap output not understood for ${server.name} ${w.name}:\n${out}\n${r.stderr}`);
  return { opsPerSec: Number(tps[1]), meanLatencyMicros: Number(avg[1]) };
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

async function main(): Promise<void> {
  if (spawnSync('memcaslap', ['--version']).error !== undefined) throw new Error('memcaslap not found (Debian package libmemcached-tools)');
  const quick = process.argv.includes('--quick');
  const rounds = argValue('--rounds', quick ? 1 : 3);
  const seconds = argValue('--seconds', quick ? 2 : 5);
  const cfgDir = mkdtempSync(path.join(os.tmpdir(), 'cairn-memcaslap-'));
  const servers = [await startMemcached(), await startCairn()];
  const results: Record<string, Record<string, Measure[]>> = {};
  try {
    for (const w of WORKLOADS) {
      results[w.name] = { memcached: [], cairn: [] };
      for (let round = 0; round < rounds; round++) {
        // Alternate which server goes first, so neither always runs on a warmer machine.
        const order = round % 2 === 0 ? servers : [...servers].reverse();
        for (const s of order) results[w.name]![s.name]!.push(runMemcaslap(s, w, seconds, cfgDir));
      }
    }
  } finally {
    for (const s of servers) await s.stop();
    rmSync(cfgDir, { recursive: true, force: true });
  }
  const rows = WORKLOADS.map((w) => {
    const m = results[w.name]!.memcached!;
    const c = results[w.name]!.cairn!;
    const mOps = median(m.map((x) => x.opsPerSec));
    const cOps = median(c.map((x) => x.opsPerSec));
    return {
      workload: w.name,
      memcachedOps: mOps, cairnOps: cOps, ratio: cOps / mOps,
      memcachedMeanMicros: median(m.map((x) => x.meanLatencyMicros)), cairnMeanMicros: median(c.map((x) => x.meanLatencyMicros)),
    };
  });
  const header = `memcaslap, ${CONCURRENCY} connections, ${rounds} round(s) of ${seconds}s per server, medians`;
  console.log(header);
  console.log('| workload | memcached ops/s | Cairn ops/s | Cairn/memcached | memcached mean µs | Cairn mean µs |');
  console.log('| --- | ---: | ---: | ---: | ---: | ---: |');
  for (const r of rows) {
    console.log(`| ${r.workload} | ${Math.round(r.memcachedOps)} | ${Math.round(r.cairnOps)} | ${r.ratio.toFixed(2)} | ${r.memcachedMeanMicros} | ${r.cairnMeanMicros} |`);
  }
  mkdirSync(path.join(ROOT, 'bench', 'results'), { recursive: true });
  writeFileSync(path.join(ROOT, 'bench', 'results', 'memcached-latest.json'), JSON.stringify({ header, rows, raw: results }, null, 2) + '\n');
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
