// Replica group: what Raft costs. A 3-node group on loopback next to a single node
// (appendfsync everysec, and always for reference): ops/s and p50/p99 of SET with majority and
// leader-append acknowledgement, and GET with linearizable and leader-local reads, at 50
// connections unpipelined and with 16 in flight each; then failover: kill -9 of the leader
// under a steady majority-write load, the longest window without a successful write and the
// time until every client writes on the new leader.
//
// redis-benchmark cannot send a setup command on each of its connections, and the levels are
// set per connection (CONSISTENCY), so the load comes from loadDriver() below: N connections,
// each sending its CONSISTENCY first, then P requests at a time, the latency of a request
// measured from the moment its batch was written (as redis-benchmark does with -P).
//
//   node dist/bench/group.js [--quick] [--rounds N] [--seconds S] [--failovers N] [--skip-failover]
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { Latencies, longestGap, quantile } from './latency.js';
import { ReplyReader, RespClient, RespError, encodeCommand, type RespValue } from './resp.js';
import { busyNote, freePort, loadAverage, machineFacts, startCairn, startCairnAt, type BenchServer, type RestartableServer } from './servers.js';
import { failRun, flagValue, fmtNumber, fmtRatio, hasFlag, isMain, log, median, saveResult, sleep, table } from './report.js';

export interface GroupBenchOptions {
  readonly quick: boolean;
  readonly rounds: number;
  /** Measured seconds per load run (after a short warm-up). */
  readonly seconds: number;
  /** kill -9 repetitions; 0 skips the failover part. */
  readonly failovers: number;
}

// ---------------------------------------------------------------------------------------------
// The load driver

export interface LoadSpec {
  readonly port: number;
  readonly connections: number;
  readonly pipeline: number;
  /** Commands each connection sends (and must see answered without an error) before the load. */
  readonly setup: ReadonlyArray<readonly string[]>;
  /** The i-th request of a connection, as RESP. */
  readonly request: (random: number) => string;
  readonly warmupMs: number;
  readonly durationMs: number;
}

export interface LoadSample {
  readonly ops: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly errors: number;
  readonly firstError: string | null;
}

/** One connection of the load: setup commands, then batches of `pipeline` requests. */
interface LoadShared {
  measuring: boolean;
  stopping: boolean;
  readonly lat: Latencies;
  errors: number;
  firstError: string | null;
  readonly sockets: Set<net.Socket>;
}

function loadConnection(spec: LoadSpec, shared: LoadShared): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(spec.port, '127.0.0.1');
    shared.sockets.add(socket);
    socket.setNoDelay(true);
    let setupLeft = spec.setup.length;
    let outstanding = 0;
    let batchStart = 0;
    let done = false;
    const finish = (e?: Error): void => {
      if (done) return;
      done = true;
      socket.destroy();
      shared.sockets.delete(socket);
      if (e === undefined) resolve();
      else reject(e);
    };
    const sendBatch = (): void => {
      if (shared.stopping) {
        finish();
        return;
      }
      let out = '';
      for (let i = 0; i < spec.pipeline; i++) out += spec.request(Math.random());
      outstanding = spec.pipeline;
      batchStart = performance.now();
      socket.write(out, 'latin1');
    };
    const reader = new ReplyReader((v: RespValue) => {
      if (setupLeft > 0) {
        if (v instanceof RespError) {
          finish(new Error(`setup command answered -${v.message}`));
          return;
        }
        if (--setupLeft === 0) sendBatch();
        return;
      }
      if (shared.measuring) {
        shared.lat.push(performance.now() - batchStart);
        if (v instanceof RespError) {
          shared.errors++;
          shared.firstError ??= v.message;
        }
      }
      if (--outstanding === 0) sendBatch();
    });
    socket.on('data', (chunk) => reader.feed(chunk));
    socket.once('error', (e) => finish(e));
    socket.once('close', () => finish(shared.stopping ? undefined : new Error('connection closed during the load')));
    socket.once('connect', () => {
      if (spec.setup.length === 0) sendBatch();
      else socket.write(spec.setup.map((c) => encodeCommand(c)).join(''), 'latin1');
    });
  });
}

/** Runs the load: warm-up, then `durationMs` measured; every connection closed at the end. */
export async function loadDriver(spec: LoadSpec): Promise<LoadSample> {
  const shared: LoadShared = { measuring: false, stopping: false, lat: new Latencies(), errors: 0, firstError: null, sockets: new Set() };
  const conns = Array.from({ length: spec.connections }, () => loadConnection(spec, shared));
  const failed = Promise.race(conns.map((c) => c.then(() => new Promise<never>(() => {}))));
  failed.catch(() => {}); // a failure after the measurement ended is not the load's
  let measuredMs = 0;
  const timing = (async () => {
    await sleep(spec.warmupMs);
    shared.measuring = true;
    const t0 = performance.now();
    await sleep(spec.durationMs);
    shared.measuring = false;
    measuredMs = performance.now() - t0;
  })();
  try {
    await Promise.race([timing, failed]);
  } finally {
    shared.stopping = true;
    // Each connection finishes when its batch in flight is answered; bounded in case one hangs.
    await Promise.race([Promise.allSettled(conns), sleep(10_000)]);
    for (const socket of shared.sockets) socket.destroy();
  }
  const sorted = shared.lat.sorted();
  return { ops: sorted.length / (measuredMs / 1000), p50Ms: quantile(sorted, 0.5), p99Ms: quantile(sorted, 0.99), errors: shared.errors, firstError: shared.firstError };
}

const VALUE = 'x'.repeat(64);
const KEYSPACE = 100_000;
const key = (random: number): string => `key:${Math.floor(random * KEYSPACE)}`;
const SET = (random: number): string => encodeCommand(['SET', key(random), VALUE]);
const GET = (random: number): string => encodeCommand(['GET', key(random)]);

// ---------------------------------------------------------------------------------------------
// The group

export interface GroupNode {
  readonly id: number;
  readonly port: number;
  readonly dir: string;
  server: RestartableServer | null;
}

export interface Group {
  readonly nodes: GroupNode[];
  readonly args: readonly string[];
}

const groupDirs = new Set<string>();
process.once('exit', () => {
  for (const d of groupDirs) rmSync(d, { recursive: true, force: true });
});

export async function startGroup(size: number): Promise<Group> {
  const nodes: GroupNode[] = [];
  const entries: string[] = [];
  for (let id = 1; id <= size; id++) {
    const dir = mkdtempSync(path.join(os.tmpdir(), `cairn-bench-group-${id}-`));
    groupDirs.add(dir);
    const port = await freePort();
    const bus = await freePort();
    nodes.push({ id, port, dir, server: null });
    entries.push(`127.0.0.1:${port}@${bus}`);
  }
  const group: Group = { nodes, args: ['--bind', '127.0.0.1', '--group-peers', entries.join(','), '--save', ''] };
  try {
    await Promise.all(nodes.map((n) => startNode(group, n)));
  } catch (e) {
    await stopGroup(group);
    throw e;
  }
  return group;
}

async function startNode(group: Group, n: GroupNode): Promise<void> {
  n.server = await startCairnAt(n.port, n.dir, group.args);
}

export async function stopGroup(group: Group): Promise<void> {
  await Promise.allSettled(group.nodes.map((n) => n.server?.stop()));
  for (const n of group.nodes) {
    n.server = null;
    rmSync(n.dir, { recursive: true, force: true });
    groupDirs.delete(n.dir);
  }
}

async function command(port: number, args: string[], timeoutMs = 2000): Promise<RespValue> {
  let client: RespClient | null = null;
  const timer = sleep(timeoutMs).then(() => new RespError('bench: no answer in time'));
  try {
    const answer = (async () => {
      client = await RespClient.connect(port);
      return client.call(...args);
    })();
    return await Promise.race([answer, timer]);
  } catch (e) {
    return new RespError(`bench: ${(e as Error).message}`);
  } finally {
    (client as RespClient | null)?.close();
  }
}

/** The member that says it is master and acknowledges a write, among the running ones. */
export async function leaderOf(group: Group, timeoutMs = 20_000): Promise<GroupNode> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const up = group.nodes.filter((n) => n.server !== null);
    const roles = await Promise.all(up.map((n) => command(n.port, ['ROLE'])));
    const masters = up.filter((_, i) => Array.isArray(roles[i]) && (roles[i] as RespValue[])[0] === 'master');
    if (masters.length === 1 && (await command(masters[0]!.port, ['SET', '__bench_probe', '1'])) === 'OK') return masters[0]!;
    await sleep(50);
  }
  throw new Error(`no serving leader within ${timeoutMs} ms`);
}

/** Until the leader's ROLE lists every other member with its offset at the leader's. */
async function caughtUp(group: Group, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const leader = await leaderOf(group, Math.max(1, deadline - Date.now()));
    const role = await command(leader.port, ['ROLE']);
    if (Array.isArray(role)) {
      const offset = Number(role[1]);
      const replicas = Array.isArray(role[2]) ? (role[2] as RespValue[][]) : [];
      if (replicas.length === group.nodes.length - 1 && replicas.every((r) => Number(r[2]) >= offset)) return;
    }
    await sleep(100);
  }
  throw new Error(`the members did not catch up with the leader within ${timeoutMs} ms`);
}

// ---------------------------------------------------------------------------------------------
// Throughput and latency

type Op = 'SET' | 'GET';

interface RowSpec {
  readonly config: 'single everysec' | 'single always' | 'group of 3';
  readonly op: Op;
  /** The CONSISTENCY a group connection sends first; '-' on a single node. */
  readonly consistency: string;
  readonly setup: ReadonlyArray<readonly string[]>;
  readonly pipeline: number;
}

export interface GroupRow {
  readonly config: string;
  readonly op: Op;
  readonly consistency: string;
  readonly pipeline: number;
  readonly ops: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  /** Median of the per-round ratios to the single node (everysec), same op and pipeline. */
  readonly ratioToSingle: number;
  readonly errors: number;
  readonly firstError: string | null;
  readonly rounds: readonly LoadSample[];
}

export interface FailoverRun {
  /** The longest time (ms) without any successful majority write around the kill. */
  readonly longestGapMs: number;
  /** kill -9 to the first successful write on the new leader. */
  readonly firstWriteMs: number;
  /** kill -9 to the moment every client had written on the new leader. */
  readonly allClientsMs: number;
}

export interface GroupBenchResult {
  readonly machine: Record<string, string | number>;
  readonly settings: Record<string, string | number>;
  readonly rows: readonly GroupRow[];
  readonly failover: readonly FailoverRun[];
  readonly note: string;
}

function rowSpecs(pipelines: readonly number[]): RowSpec[] {
  const specs: RowSpec[] = [];
  for (const pipeline of pipelines) {
    for (const op of ['SET', 'GET'] as const) {
      specs.push({ config: 'single everysec', op, consistency: '-', setup: [], pipeline });
      specs.push({ config: 'single always', op, consistency: '-', setup: [], pipeline });
    }
    for (const writes of ['majority', 'leader']) specs.push({ config: 'group of 3', op: 'SET', consistency: `writes ${writes}`, setup: [['CONSISTENCY', 'WRITES', writes]], pipeline });
    for (const reads of ['linearizable', 'leader']) specs.push({ config: 'group of 3', op: 'GET', consistency: `reads ${reads}`, setup: [['CONSISTENCY', 'READS', reads]], pipeline });
  }
  return specs;
}

export async function runGroupBench(options: GroupBenchOptions): Promise<GroupBenchResult> {
  const machine = machineFacts();
  const connections = 50;
  const pipelines = [1, 16];
  const warmupMs = options.quick ? 300 : 500;
  const durationMs = options.seconds * 1000;
  const specs = rowSpecs(pipelines);
  const samples = specs.map(() => [] as LoadSample[]);

  const servers: BenchServer[] = [];
  let group: Group | null = null;
  const failover: FailoverRun[] = [];
  try {
    const everysec = await startCairn({ persistence: 'default', extraArgs: ['--appendonly', 'yes', '--appendfsync', 'everysec', '--save', ''] });
    servers.push(everysec);
    const always = await startCairn({ persistence: 'default', extraArgs: ['--appendonly', 'yes', '--appendfsync', 'always', '--save', ''] });
    servers.push(always);
    group = await startGroup(3);
    const leader = await leaderOf(group);
    const portOf = (s: RowSpec): number => (s.config === 'single everysec' ? everysec.port : s.config === 'single always' ? always.port : leader.port);

    // Rounds alternate over every row, so a slow spell of the machine spreads over all of them.
    for (let round = 0; round < options.rounds; round++) {
      for (let i = 0; i < specs.length; i++) {
        const s = specs[i]!;
        const sample = await loadDriver({ port: portOf(s), connections, pipeline: s.pipeline, setup: s.setup, request: s.op === 'SET' ? SET : GET, warmupMs, durationMs });
        samples[i]!.push(sample);
        log(`  round ${round + 1}/${options.rounds}: ${s.config}, ${s.op}, ${s.consistency}, pipeline ${s.pipeline}: ${fmtNumber(sample.ops)} ops/s, p50 ${sample.p50Ms.toFixed(2)} ms, p99 ${sample.p99Ms.toFixed(2)} ms${sample.errors > 0 ? `, ${sample.errors} errors (${sample.firstError})` : ''}`);
      }
    }
    await Promise.allSettled(servers.splice(0).map((s) => s.stop()));

    if (options.failovers > 0) {
      for (let k = 0; k < options.failovers; k++) {
        const run = await measureFailover(group);
        failover.push(run);
        log(`  failover ${k + 1}/${options.failovers}: no write for ${run.longestGapMs.toFixed(0)} ms, first write ${run.firstWriteMs.toFixed(0)} ms, all clients ${run.allClientsMs.toFixed(0)} ms after the kill`);
      }
    }
  } finally {
    await Promise.allSettled(servers.map((s) => s.stop()));
    if (group !== null) await stopGroup(group);
  }

  const rows: GroupRow[] = specs.map((s, i) => {
    const mine = samples[i]!;
    const ref = samples[specs.findIndex((r) => r.config === 'single everysec' && r.op === s.op && r.pipeline === s.pipeline)]!;
    return {
      config: s.config, op: s.op, consistency: s.consistency, pipeline: s.pipeline,
      ops: median(mine.map((x) => x.ops)), p50Ms: median(mine.map((x) => x.p50Ms)), p99Ms: median(mine.map((x) => x.p99Ms)),
      ratioToSingle: median(mine.map((x, r) => x.ops / ref[r]!.ops)),
      errors: mine.reduce((a, x) => a + x.errors, 0), firstError: mine.find((x) => x.firstError !== null)?.firstError ?? null,
      rounds: mine,
    };
  });
  return {
    machine,
    settings: { connections, pipelines: pipelines.join(','), rounds: options.rounds, measuredSeconds: options.seconds, warmupMs, valueBytes: VALUE.length, keyspace: KEYSPACE, groupTickMs: 100, failoverClients: FAILOVER_CLIENTS },
    rows, failover, note: busyNote(machine, loadAverage()),
  };
}

// ---------------------------------------------------------------------------------------------
// Failover

const FAILOVER_CLIENTS = 10;

interface WriterState {
  stopping: boolean;
  killedAt: number;
  killedPort: number;
  /** Completion times of every successful write (performance.now()). */
  readonly successes: number[];
  /** Per client: the first successful write on a member other than the killed one, after the kill. */
  readonly movedAt: number[];
}

/** The running members' ports, the killed one excluded, the one answering ROLE master first. */
async function connectToLeader(ports: readonly number[]): Promise<{ client: RespClient; port: number } | null> {
  const roles = await Promise.all(ports.map((p) => command(p, ['ROLE'], 500)));
  const port = ports.find((_, i) => Array.isArray(roles[i]) && (roles[i] as RespValue[])[0] === 'master');
  if (port === undefined) return null;
  try {
    return { client: await RespClient.connect(port), port };
  } catch {
    return null;
  }
}

/** One client: majority SETs, one at a time; on a lost connection it looks for the new leader. */
async function writer(index: number, group: Group, state: WriterState): Promise<void> {
  let conn: { client: RespClient; port: number } | null = null;
  let i = 0;
  while (!state.stopping) {
    if (conn === null) {
      const ports = group.nodes.filter((n) => n.server !== null && n.port !== state.killedPort).map((n) => n.port);
      conn = await connectToLeader(ports);
      if (conn === null) {
        await sleep(10);
        continue;
      }
    }
    const reply = await Promise.race([conn.client.call('SET', `fo:${index}:${i++}`, VALUE), sleep(5000).then(() => new RespError('bench: no answer in 5 s'))]);
    const now = performance.now();
    if (reply === 'OK') {
      state.successes.push(now);
      if (state.killedAt > 0 && conn.port !== state.killedPort && Number.isNaN(state.movedAt[index]!)) state.movedAt[index] = now;
    } else {
      // A closed connection, -TRYAGAIN from a leader not ready yet, -MOVED, a timeout: look again.
      conn.client.close();
      conn = null;
      await sleep(10);
    }
  }
  conn?.client.close();
}

async function measureFailover(group: Group): Promise<FailoverRun> {
  // Every member up and holding the leader's log, so that each kill starts from the same state.
  for (const n of group.nodes) if (n.server === null) await startNode(group, n);
  await caughtUp(group);
  const leader = await leaderOf(group);
  const state: WriterState = { stopping: false, killedAt: 0, killedPort: -1, successes: [], movedAt: Array.from({ length: FAILOVER_CLIENTS }, () => Number.NaN) };
  const writers = Array.from({ length: FAILOVER_CLIENTS }, (_, i) => writer(i, group, state));
  try {
    await sleep(1000); // a steady load first
    state.killedPort = leader.port;
    state.killedAt = performance.now();
    await leader.server!.kill9();
    leader.server = null;
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline && state.movedAt.some((t) => Number.isNaN(t))) await sleep(20);
    await sleep(500); // the load carries on for a while on the new leader
  } finally {
    state.stopping = true;
    await Promise.race([Promise.allSettled(writers), sleep(10_000)]);
  }
  const around = state.successes.filter((t) => t >= state.killedAt - 1000);
  const after = state.successes.filter((t) => t > state.killedAt);
  return {
    longestGapMs: longestGap(around).gapMs,
    firstWriteMs: after.length === 0 ? Number.NaN : Math.min(...after) - state.killedAt,
    allClientsMs: Math.max(...state.movedAt) - state.killedAt,
  };
}

// ---------------------------------------------------------------------------------------------
// Report

export function printGroupBench(result: GroupBenchResult): void {
  const s = result.settings;
  log(`\nReplica group of 3 vs a single node (${s.connections} connections, SET/GET of ${s.valueBytes}-byte values on ${fmtNumber(Number(s.keyspace))} random keys, median of ${s.rounds} alternating round(s) of ${s.measuredSeconds} s)`);
  log(table(
    ['config', 'op', 'consistency', 'pipeline', 'ops/s', 'p50 ms', 'p99 ms', 'vs single everysec'],
    result.rows.map((r) => [
      r.config, r.op, r.consistency, String(r.pipeline), fmtNumber(r.ops), r.p50Ms.toFixed(2), r.p99Ms.toFixed(2),
      r.config === 'single everysec' ? '1.00' : fmtRatio(r.ratioToSingle, 1),
    ]),
    3,
  ));
  for (const r of result.rows) if (r.errors > 0) log(`  ${r.config} ${r.op} ${r.consistency} pipeline ${r.pipeline}: ${r.errors} error replies, first: ${r.firstError}`);
  if (result.failover.length > 0) {
    const f = result.failover;
    const stat = (xs: number[]): string[] => [fmtNumber(Math.min(...xs)), fmtNumber(median(xs)), fmtNumber(Math.max(...xs))];
    log(`\nFailover: kill -9 of the leader under ${s.failoverClients} clients of majority SETs (group-tick-ms ${s.groupTickMs}), ${f.length} kill(s)`);
    log(table(
      ['measure', 'min ms', 'median ms', 'max ms'],
      [
        ['longest window without a successful write', ...stat(f.map((x) => x.longestGapMs))],
        ['kill -> first write on the new leader', ...stat(f.map((x) => x.firstWriteMs))],
        ['kill -> every client writing on the new leader', ...stat(f.map((x) => x.allClientsMs))],
      ],
      1,
    ));
  }
  log(result.note);
  log(`saved ${saveResult('group', result)}`);
}

if (isMain(import.meta.url)) {
  const quick = hasFlag('--quick');
  runGroupBench({
    quick,
    rounds: Number(flagValue('--rounds') ?? (quick ? 1 : 3)),
    seconds: Number(flagValue('--seconds') ?? (quick ? 1.5 : 3)),
    failovers: hasFlag('--skip-failover') ? 0 : Number(flagValue('--failovers') ?? (quick ? 1 : 3)),
  }).then(printGroupBench, failRun);
}
