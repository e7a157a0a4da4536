// Idle connections: what 10,000 connected, silent clients cost a server, in resident memory
// per connection and in the throughput left for 50 busy clients (redis-benchmark SET and GET).
// Throughput without and with the idle clients is measured back to back, in rounds that
// alternate between the servers; the idle sockets are held by one server at a time (holding
// 10,000 to both at once would need twice the file descriptors).
//
//   node dist/bench/connections.js [--idle N] [--rounds R]
import { spawnSync } from 'node:child_process';
import net from 'node:net';
import { busyNote, loadAverage, machineFacts, startCairn, startRedis, type BenchServer } from './servers.js';
import { redisBenchmark, type BenchmarkSpec } from './redis-benchmark.js';
import { RespClient } from './resp.js';
import { failRun, flagValue, fmtBytes, fmtNumber, isMain, log, median, saveResult, sleep, table } from './report.js';

export interface ConnectionsOptions {
  readonly idle: number;
  readonly rounds: number;
}

export interface ConnectionsRow {
  readonly server: 'cairn' | 'redis';
  readonly idleRequested: number;
  readonly idleOpened: number;
  readonly connectedClients: number;
  readonly rssBefore: number;
  readonly rssWithIdle: number;
  readonly rssPerIdle: number;
  readonly usedMemoryPerIdle: number;
  /** Median ops/s per test, without and with the idle connections. */
  readonly baseline: Record<string, number>;
  readonly withIdle: Record<string, number>;
}

export interface ConnectionsResult {
  readonly machine: Record<string, string | number>;
  readonly fdLimit: string;
  readonly note: string;
  readonly rounds: number;
  readonly loadAfter: number;
  readonly rows: readonly ConnectionsRow[];
}

const LOAD_TESTS = ['set', 'get'];
const LOAD: Omit<BenchmarkSpec, 'test'> = { clients: 50, pipeline: 1, requests: 100_000, dataBytes: 64, keyspace: 100_000 };
/** File descriptors kept free for the process's own needs (files, the benchmark's pipes). */
const FD_RESERVE = 300;

/** The soft limit on open files this process (and the servers it starts) inherit. */
export function fdLimit(): string {
  return spawnSync('sh', ['-c', 'ulimit -n'], { encoding: 'utf8' }).stdout.trim();
}

function idleAllowed(wanted: number, limit: string): number {
  const n = Number(limit);
  return Number.isFinite(n) ? Math.max(0, Math.min(wanted, n - FD_RESERVE)) : wanted;
}

/** Opens connections that each say PING once (so the server has set the client up) and then stay silent. */
async function openIdle(port: number, count: number): Promise<net.Socket[]> {
  const sockets: net.Socket[] = [];
  const BATCH = 250;
  for (let i = 0; i < count; i += BATCH) {
    const batch = Array.from({ length: Math.min(BATCH, count - i) }, () => pingOnce(port));
    for (const s of await Promise.all(batch)) if (s !== null) sockets.push(s);
  }
  return sockets;
}

function pingOnce(port: number): Promise<net.Socket | null> {
  return new Promise((resolve) => {
    const sock = net.connect(port, '127.0.0.1');
    const fail = (): void => {
      sock.destroy();
      resolve(null);
    };
    sock.once('error', fail);
    sock.once('connect', () => sock.write('PING\r\n'));
    sock.once('data', (d) => {
      if (!d.toString('latin1').startsWith('+PONG')) return fail();
      sock.removeListener('error', fail);
      sock.on('error', () => {}); // a reset later is counted by INFO clients, not thrown
      resolve(sock);
    });
  });
}

interface RoundResult {
  readonly opened: number;
  readonly connectedClients: number;
  readonly rssBefore: number;
  readonly rssWithIdle: number;
  readonly usedBefore: number;
  readonly usedWithIdle: number;
  readonly baseline: Record<string, number>;
  readonly withIdle: Record<string, number>;
}

/** One round on one server: load without idle clients, open them, load again, close them. */
async function round(server: BenchServer, control: RespClient, idle: number): Promise<RoundResult> {
  const baseline = await loadOnce(server.port);
  await sleep(500);
  const rssBefore = server.rss();
  const usedBefore = Number((await control.info('memory')).get('used_memory'));
  let sockets: net.Socket[] = [];
  try {
    log(`connections: ${server.name}: opening ${fmtNumber(idle)} idle connections...`);
    sockets = await openIdle(server.port, idle);
    await sleep(2000);
    const rssWithIdle = server.rss();
    const usedWithIdle = Number((await control.info('memory')).get('used_memory'));
    const connectedClients = Number((await control.info('clients')).get('connected_clients'));
    const withIdle = await loadOnce(server.port);
    return { opened: sockets.length, connectedClients, rssBefore, rssWithIdle, usedBefore, usedWithIdle, baseline, withIdle };
  } finally {
    for (const s of sockets) s.destroy();
    await sleep(1000); // let the server see the closes before the next measurement
  }
}

async function loadOnce(port: number): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const test of LOAD_TESTS) out[test] = (await redisBenchmark(port, { test, ...LOAD }))?.ops ?? Number.NaN;
  return out;
}

function medianOf(rounds: readonly RoundResult[], pick: (r: RoundResult) => Record<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const t of LOAD_TESTS) out[t] = median(rounds.map((r) => pick(r)[t]!).filter((x) => Number.isFinite(x)));
  return out;
}

function summarizeRounds(kind: 'cairn' | 'redis', idle: number, rounds: readonly RoundResult[]): ConnectionsRow {
  // Memory is read on the first opening: later rounds reuse what the first one left allocated.
  const first = rounds[0]!;
  return {
    server: kind, idleRequested: idle, idleOpened: first.opened, connectedClients: first.connectedClients,
    rssBefore: first.rssBefore, rssWithIdle: first.rssWithIdle,
    rssPerIdle: first.opened > 0 ? (first.rssWithIdle - first.rssBefore) / first.opened : Number.NaN,
    usedMemoryPerIdle: first.opened > 0 ? (first.usedWithIdle - first.usedBefore) / first.opened : Number.NaN,
    baseline: medianOf(rounds, (r) => r.baseline),
    withIdle: medianOf(rounds, (r) => r.withIdle),
  };
}

/**
 * Both servers run side by side; each round measures Cairn, then Redis, each without and then
 * with the idle connections (opened for that measurement and closed after it, so that only one
 * server holds them at a time). Throughput is the median over rounds; memory comes from the first.
 */
export async function runConnections(opts: ConnectionsOptions): Promise<ConnectionsResult> {
  const limit = fdLimit();
  const idle = idleAllowed(opts.idle, limit);
  const note = idle < opts.idle
    ? `ulimit -n is ${limit}: ${idle} idle connections instead of ${opts.idle} (raise it with ulimit -n ${opts.idle + 1000})`
    : `ulimit -n is ${limit}: enough for ${opts.idle} idle connections`;
  log(`connections: ${note}`);
  // Both accept the idle clients plus the benchmark's 50 plus our control connection.
  const extraArgs = ['--maxclients', String(idle + 200)];
  const servers: BenchServer[] = [];
  const controls: RespClient[] = [];
  const machine = machineFacts();
  try {
    servers.push(await startCairn({ persistence: 'off', extraArgs }));
    servers.push(await startRedis({ persistence: 'off', extraArgs }));
    for (const s of servers) controls.push(await RespClient.connect(s.port));
    const results: RoundResult[][] = servers.map(() => []);
    for (let r = 0; r < opts.rounds; r++) {
      for (let i = 0; i < servers.length; i++) results[i]!.push(await round(servers[i]!, controls[i]!, idle));
    }
    const rows = servers.map((s, i) => summarizeRounds(s.name, idle, results[i]!));
    return { machine, fdLimit: limit, note, rounds: opts.rounds, loadAfter: loadAverage(), rows };
  } finally {
    for (const c of controls) c.close();
    for (const s of servers) await s.stop();
  }
}

export function printConnections(result: ConnectionsResult): string {
  const file = saveResult('connections', result);
  console.log('\n== Idle connections + 50 busy clients (redis-benchmark) ==');
  const change = (a: number, b: number): string => (b > 0 ? `${(((a - b) / b) * 100).toFixed(1)}%` : '-');
  const rows = result.rows.map((r) => [
    r.server, fmtNumber(r.idleOpened), fmtNumber(r.connectedClients), fmtBytes(r.rssBefore), fmtBytes(r.rssWithIdle),
    `${fmtNumber(r.rssPerIdle)} B`, `${fmtNumber(r.usedMemoryPerIdle)} B`,
    ...LOAD_TESTS.flatMap((t) => [fmtNumber(r.baseline[t]!), fmtNumber(r.withIdle[t]!), change(r.withIdle[t]!, r.baseline[t]!)]),
  ]);
  const header = ['server', 'idle', 'clients', 'RSS before', 'RSS idle', 'RSS/conn', 'used_memory/conn',
    ...LOAD_TESTS.flatMap((t) => [`${t.toUpperCase()} ops/s`, `with idle`, 'change'])];
  console.log(table(header, rows, 1));
  console.log(`${result.note}; ops/s = median of ${result.rounds} round(s), each measuring without and then with the idle clients; memory from the first opening.`);
  console.log(busyNote(result.machine, result.loadAfter));
  console.log(`saved ${file}`);
  return file;
}

if (isMain(import.meta.url)) {
  const idle = Number(flagValue('--idle') ?? 10_000);
  const rounds = Number(flagValue('--rounds') ?? 3);
  runConnections({ idle, rounds }).then(printConnections).catch(failRun);
}
