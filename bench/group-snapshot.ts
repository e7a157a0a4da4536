// Raft snapshots in a 3-node replica group: how long a member takes to snapshot N keys, how big
// the snapshot is, how long the leader's event loop stalls meanwhile (a PING every 5 ms on the
// leader, the longest gap between answers), and how long a follower that was down while the
// keys were written takes to catch up (until DEBUG DIGEST matches the leader's): the appends the
// leader queued toward it while it was down (at most Raft's in-flight bound, 32 MB) arrive
// first, then InstallSnapshot brings the rest. The Raft term before and after says whether an
// election fired.
//
//   node dist/bench/group-snapshot.js [--keys N] [--value-bytes B] [--tick-ms T]
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { RespClient, encodeCommand } from './resp.js';
import { freePort, loadAverage, startCairnAt, type RestartableServer } from './servers.js';
import { failRun, flagValue, fmtBytes, fmtNumber, isMain, log, sleep, table } from './report.js';

interface Member {
  readonly id: number;
  readonly port: number;
  readonly dir: string;
  server: RestartableServer | null;
}

async function info(port: number): Promise<Map<string, string>> {
  const c = await RespClient.connect(port);
  try {
    return await c.info('replication');
  } finally {
    c.close();
  }
}

async function call(port: number, ...args: string[]): Promise<unknown> {
  const c = await RespClient.connect(port);
  try {
    return await c.call(...args);
  } finally {
    c.close();
  }
}

async function waitFor<T>(what: string, check: () => Promise<T | undefined>, ms: number): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    try {
      const v = await check();
      if (v !== undefined) return v;
    } catch {
      // not up yet
    }
    if (Date.now() > deadline) throw new Error(`${what}: not within ${ms} ms`);
    await sleep(20);
  }
}

/** PINGs `port` every 5 ms until stopped; the longest wait for an answer, in ms. */
function stallProbe(port: number): { stop(): Promise<number> } {
  let stopped = false;
  let longest = 0;
  const run = (async () => {
    const c = await RespClient.connect(port);
    try {
      while (!stopped) {
        const t = performance.now();
        await c.call('PING');
        longest = Math.max(longest, performance.now() - t);
        await sleep(5);
      }
    } finally {
      c.close();
    }
  })();
  return {
    stop: async () => {
      stopped = true;
      await run;
      return longest;
    },
  };
}

export async function runGroupSnapshotBench(keys: number, valueBytes: number, tickMs: number): Promise<void> {
  const members: Member[] = [];
  const entries: string[] = [];
  for (let id = 1; id <= 3; id++) {
    members.push({ id, port: await freePort(), dir: mkdtempSync(path.join(os.tmpdir(), `cairn-bench-gsnap-${id}-`)), server: null });
    entries.push(`127.0.0.1:${members[id - 1]!.port}@${await freePort()}`);
  }
  // No snapshot while loading (the thresholds are lowered afterwards with CONFIG SET).
  const args = ['--bind', '127.0.0.1', '--save', '', '--group-peers', entries.join(','), '--group-tick-ms', String(tickMs), '--enable-debug-command', 'yes',
    '--group-snapshot-entries', '0', '--group-snapshot-bytes', '0', '--group-log-keep-entries', '0'];
  const start = async (m: Member): Promise<void> => {
    m.server = await startCairnAt(m.port, m.dir, args);
  };
  try {
    await Promise.all(members.map(start));
    const leader = await waitFor('a leader', async () => {
      for (const m of members) {
        const r = await info(m.port);
        if (r.get('role') === 'master' && (await call(m.port, 'SET', '__probe', '1')) === 'OK') return m;
      }
      return undefined;
    }, 30_000);
    const lagging = members.find((m) => m !== leader)!;
    await lagging.server!.kill9();
    lagging.server = null;

    const value = 'v'.repeat(valueBytes);
    const loader = await RespClient.connect(leader.port);
    const perMset = 500;
    const loaded = await loader.load(Math.ceil(keys / perMset), (from, to) => {
      const parts: string[] = [];
      for (let b = from; b < to; b++) {
        const argv = ['MSET'];
        for (let k = b * perMset; k < Math.min(keys, (b + 1) * perMset); k++) argv.push(`key:${k}`, value);
        parts.push(encodeCommand(argv));
      }
      return Buffer.from(parts.join(''), 'latin1');
    }, { batch: 4, window: 32, deadline: Date.now() + 600_000 });
    loader.close();
    if (loaded.errors > 0) throw new Error(`loading failed: ${loaded.firstError}`);
    log(`loaded ${fmtNumber(keys)} keys of ${valueBytes} bytes in ${loaded.ms} ms`);
    const before = await info(leader.port);
    const termBefore = before.get('raft_term');

    // Snapshot now: the next applied entry is past the threshold.
    const probe = stallProbe(leader.port);
    await sleep(200);
    const started = performance.now();
    for (const m of members) if (m.server !== null) await call(m.port, 'CONFIG', 'SET', 'group-snapshot-entries', '1');
    await call(leader.port, 'SET', 'trigger', '1');
    const taken = await waitFor('the leader\'s snapshot', async () => {
      const r = await info(leader.port);
      return Number(r.get('raft_snapshots_taken')) >= 1 ? r : undefined;
    }, 300_000);
    const snapshotMs = performance.now() - started;
    await sleep(300);
    const stallSnapshot = await probe.stop();
    for (const m of members) if (m.server !== null) await call(m.port, 'CONFIG', 'SET', 'group-snapshot-entries', '0');

    // The lagging follower returns: only the snapshot can catch it up.
    const probe2 = stallProbe(leader.port);
    const restarted = performance.now();
    await start(lagging);
    const leaderDigest = String(await call(leader.port, 'DEBUG', 'DIGEST'));
    const caughtUp = await waitFor('the follower caught up', async () => {
      const r = await info(lagging.port);
      return String(await call(lagging.port, 'DEBUG', 'DIGEST')) === leaderDigest ? r : undefined;
    }, 600_000);
    const catchUpMs = performance.now() - restarted;
    const stallInstall = await probe2.stop();
    const after = await info(leader.port);
    const snapFile = statSync(path.join(leader.dir, 'raft', 'raft.snapshot')).size;
    const logFile = statSync(path.join(leader.dir, 'raft', 'raft.log')).size;

    console.log(table(['measure', 'value'], [
      ['keys', fmtNumber(keys)],
      ['value bytes', String(valueBytes)],
      ['snapshot bytes (raft.snapshot)', fmtBytes(snapFile)],
      ['raft.log after compaction', fmtBytes(logFile)],
      ['leader: snapshot taken (trigger to saved)', `${snapshotMs.toFixed(0)} ms`],
      ['leader: walk (copy-on-write, in steps)', `${taken.get('raft_last_snapshot_walk_ms')} ms`],
      ['leader: save (raft.snapshot + log rewrite)', `${taken.get('raft_last_snapshot_save_ms')} ms`],
      ['leader: longest PING wait while snapshotting', `${stallSnapshot.toFixed(0)} ms`],
      ['follower: restart to identical digest', `${catchUpMs.toFixed(0)} ms`],
      ['follower: snapshots installed (0: the queued appends sufficed)', String(caughtUp.get('raft_snapshots_installed'))],
      ['leader: longest PING wait while sending', `${stallInstall.toFixed(0)} ms`],
      ['Raft term before / after (same: no election)', `${termBefore} / ${after.get('raft_term')}`],
      ['election timeout', `${10 * tickMs}-${20 * tickMs} ms`],
      ['load average', loadAverage().toFixed(1)],
    ], 1));
  } finally {
    await Promise.allSettled(members.map((m) => m.server?.stop()));
    for (const m of members) rmSync(m.dir, { recursive: true, force: true });
  }
}

if (isMain(import.meta.url)) {
  const keys = Number(flagValue('--keys') ?? '1000000');
  const valueBytes = Number(flagValue('--value-bytes') ?? '100');
  const tickMs = Number(flagValue('--tick-ms') ?? '100');
  runGroupSnapshotBench(keys, valueBytes, tickMs).catch(failRun);
}
