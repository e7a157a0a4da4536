// Jepsen-style fault test of a replica group of three real `cairn server` processes on
// loopback. Every peer link runs through a fault-injecting proxy (test/helpers/fault-proxy.ts)
// that the test controls. Client processes run reads, writes and compare-and-set on a few keys
// with unique values, each recording invocation and completion (real monotonic time) in a
// history; errors whose outcome is unknown (timeouts, closed connections, a command that may
// have reached the leader) are recorded as indeterminate. Schedule: steady state; the leader
// partitioned away in both directions; heal; every peer link slowed for a while; the leader's
// outgoing links alone blocked (an asymmetric partition); heal; kill -9 of the leader under
// load; restart; final reads. Checks: the history is linearizable per key
// (sim/checkers/linearizability.ts), no acknowledged write is lost (sim/checkers/durability.ts
// on every replica's final values), and replicas are identical once healed (DEBUG DIGEST). The
// longest stretch without a successful write after the leader kill is measured and printed
// (never asserted: no timing assertions).
//
// Membership changes (adding and removing a node) under the same kind of workload are in
// test/fault/group-membership.test.ts.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { startCairnIn, type CairnProcess } from '../helpers/cairn-process.js';
import { pickFreePort } from '../helpers/redis-oracle.js';
import { FaultNet } from '../helpers/fault-proxy.js';
import { describeOperation, type Operation } from '../../sim/history.js';
import { checkLinearizability } from '../../sim/checkers/linearizability.js';
import { checkDurability } from '../../sim/checkers/durability.js';
import { Rng } from '../../src/core/rng.js';
import { until } from '../helpers/until.js';
import { ask, connect, disconnectAll, finalValues, GroupWorkload, identicalDigest, nowUs, sleep } from '../helpers/group-workload.js';

const CLIENTS = 6;
const KEYS = ['k0', 'k1', 'k2', 'k3', 'k4', 'k5', 'k6', 'k7'];
interface Node {
  readonly id: number;
  readonly dir: string;
  readonly port: number;
  readonly busPort: number;
  proc: CairnProcess | null;
}

const live = new Set<CairnProcess>();
const dirs: string[] = [];
let net: FaultNet | null = null;

after(async () => {
  disconnectAll();
  await Promise.allSettled([...live].map((p) => p.kill9()));
  await net?.close();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

async function startNode(n: Node): Promise<void> {
  n.proc = await startCairnIn(n.dir, ['--port', String(n.port), '--group-peers', net!.peersFor(n.id), '--group-tick-ms', '100', '--enable-debug-command', 'yes']);
  live.add(n.proc);
}

async function kill9(n: Node): Promise<void> {
  const p = n.proc!;
  await p.kill9();
  live.delete(p);
  n.proc = null;
}

async function roleOf(n: Node): Promise<string> {
  return ask(n.port, async (r) => String(((await r.call('ROLE')) as unknown[])[0]));
}

/** The one node that the given running members agree is the leader, once it takes writes. */
async function leaderAmong(nodes: Node[], what: string): Promise<Node> {
  return until(what, async () => {
    const roles = await Promise.all(nodes.map((n) => roleOf(n)));
    const masters = nodes.filter((_, i) => roles[i] === 'master');
    if (masters.length !== 1) return undefined;
    return (await ask(masters[0]!.port, (r) => r.set('__probe', String(Date.now())))) === 'OK' ? masters[0] : undefined;
  });
}

/** The longest stretch (ms) from `from` to `to` without a write acknowledgement, and the first one after `from`. */
function writeGaps(acks: readonly number[], from: number, to: number): { firstAfterMs: number; lastBeforeMs: number; longestMs: number } {
  const sorted = [...acks].sort((a, b) => a - b);
  const before = sorted.filter((t) => t <= from);
  const inside = sorted.filter((t) => t > from && t <= to);
  let longest = 0;
  let prev = before.length > 0 ? before[before.length - 1]! : from;
  for (const t of inside) {
    longest = Math.max(longest, t - prev);
    prev = t;
  }
  longest = Math.max(longest, to - prev);
  return {
    firstAfterMs: inside.length > 0 ? Math.round(inside[0]! - from) : Infinity,
    lastBeforeMs: before.length > 0 ? Math.round(from - before[before.length - 1]!) : Infinity,
    longestMs: Math.round(longest),
  };
}

test('a replica group under partitions and a leader kill: linearizable, no acknowledged write lost, replicas identical', { timeout: 120_000 }, async (t) => {
  const rng = new Rng(20240607);
  const nodes: Node[] = [];
  for (let id = 1; id <= 3; id++) {
    const dir = mkdtempSync(path.join(os.tmpdir(), `cairn-groupfault-${id}-`));
    dirs.push(dir);
    nodes.push({ id, dir, port: await pickFreePort(), busPort: await pickFreePort(), proc: null });
  }
  net = await FaultNet.start(nodes);
  await Promise.all(nodes.map((n) => startNode(n)));
  const log = (line: string): void => t.diagnostic(line);
  const t0 = performance.now();
  const at = (): string => `${((performance.now() - t0) / 1000).toFixed(1)}s`;

  const first = await leaderAmong(nodes, 'a first leader');
  log(`${at()} leader n${first.id}`);
  // Half the clients send everything to a follower; a node that is down has no role.
  const roleOfRunning = async (n: { id: number }): Promise<string> => {
    const node = nodes.find((m) => m.id === n.id)!;
    return node.proc === null ? 'down' : roleOf(node);
  };
  const workload = new GroupWorkload(() => nodes, KEYS, rng, { followerClients: roleOfRunning });
  t.after(() => workload.stop()); // a failed step must not leave its clients running (the process would not exit)
  workload.start(CLIENTS);
  await sleep(3000);

  // Partition the leader away from both followers.
  const partitionAt = performance.now();
  net.isolate(first.id);
  log(`${at()} n${first.id} isolated`);
  const others = nodes.filter((n) => n !== first);
  const second = await leaderAmong(others, 'a leader on the majority side');
  log(`${at()} n${second.id} leads the majority side`);
  // CheckQuorum: the cut-off leader steps down within an election timeout or two.
  await until('the isolated leader steps down', async () => (await roleOf(first)) !== 'master');
  log(`${at()} n${first.id} stepped down`);
  await sleep(2000);
  net.heal();
  const healedAt = performance.now();
  log(`${at()} healed`);
  await leaderAmong(nodes, 'one leader after healing');
  await sleep(1500);

  // A slow network: every peer message held 40 ms.
  for (const from of nodes) for (const to of nodes) if (from !== to) net.link(from.id, to.id).setDelay(40);
  log(`${at()} every peer link delayed 40 ms`);
  await sleep(2000);
  net.heal();

  // An asymmetric partition: the leader still hears the followers but nothing it sends arrives.
  const mute = await leaderAmong(nodes, 'the leader to mute');
  for (const n of nodes) if (n !== mute) net.link(mute.id, n.id).block();
  log(`${at()} n${mute.id}'s outgoing links blocked`);
  const unmuted = await leaderAmong(nodes.filter((n) => n !== mute), 'a leader while the old one is muted');
  log(`${at()} n${unmuted.id} leads the others`);
  await sleep(1000);
  net.heal();
  log(`${at()} healed`);
  await leaderAmong(nodes, 'one leader after the asymmetric partition');
  await sleep(1500);

  // kill -9 the leader under load.
  const victim = await leaderAmong(nodes, 'the leader to kill');
  const killAt = performance.now();
  await kill9(victim);
  log(`${at()} n${victim.id} killed`);
  const survivors = nodes.filter((n) => n !== victim);
  const third = await leaderAmong(survivors, 'a leader after the kill');
  log(`${at()} n${third.id} leads after the kill`);
  await sleep(2000);
  const restartAt = performance.now();
  await startNode(victim);
  log(`${at()} n${victim.id} restarted`);
  await sleep(3000);
  await workload.stop();
  const stoppedAt = performance.now();
  log(`${at()} workload stopped`);

  // Final linearizable reads through the leader, part of the history.
  const leader = await leaderAmong(nodes, 'a leader for the final reads');
  const reader = connect(leader.port, 10_000);
  const finalProcess = 1_000_000;
  for (const key of KEYS) {
    const record = workload.history.invoke(finalProcess, leader.id, { kind: 'read', key }, 'strong', nowUs());
    workload.history.complete(record, 'ok', nowUs(), { value: await reader.get(key) });
  }
  reader.disconnect();

  // Replicas identical once healed, and each one's final values.
  const digest = await identicalDigest(nodes, 'identical replicas');
  log(`${at()} replicas identical (digest ${digest})`);
  const finalValuesById = await finalValues(nodes, KEYS);

  // The checks.
  const history = workload.history;
  const ops = history.ops;
  const counts = { ok: history.count('ok'), fail: history.count('fail'), info: history.count('info') };
  const writesOk = ops.filter((o) => o.status === 'ok' && o.op.kind !== 'read').length;
  log(`history: ${ops.length} operations (${counts.ok} ok, ${counts.fail} failed, ${counts.info} indeterminate; ${writesOk} writes and cas answered)`);
  const lin = checkLinearizability(ops);
  log(`linearizability: ${lin.verdict} (${lin.steps} search steps; ${lin.keys.map((k) => `${k.key}:${k.operations}:${k.verdict}`).join(' ')})`);
  for (const c of lin.counterexamples) {
    log(`counterexample on ${c.key}, culprit ${describeOperation(c.culprit)}:`);
    for (const o of c.prefix.slice(-40)) log(`  ${describeOperation(o)}`);
  }
  const lost = checkDurability(ops, finalValuesById);
  for (const f of lost) log(`durability: ${f.message}`);
  const partition = writeGaps(workload.writeAcks, partitionAt, healedAt);
  const kill = writeGaps(workload.writeAcks, killAt, restartAt);
  const restart = writeGaps(workload.writeAcks, restartAt, stoppedAt);
  log(`partition of the leader: last write ${partition.lastBeforeMs} ms before, first after ${partition.firstAfterMs} ms, longest gap ${partition.longestMs} ms`);
  log(`kill -9 of the leader: last write ${kill.lastBeforeMs} ms before, first after ${kill.firstAfterMs} ms, longest window without a successful write ${kill.longestMs} ms`);
  log(`restart of the killed node: longest gap between writes ${restart.longestMs} ms`);
  log(`reads answered by followers: ${workload.followerReadsOk}`);
  log(`summary: ${JSON.stringify({ operations: ops.length, followerReads: workload.followerReadsOk, ...counts, linearizable: lin.verdict, lost: lost.length, killWindowMs: kill.longestMs, partitionWindowMs: partition.longestMs })}`);

  assert.equal(lin.counterexamples.length, 0, `not linearizable: ${lin.counterexamples.map((c) => `${c.key} (${describeOperation(c.culprit)})`).join(', ')}`);
  assert.equal(lin.verdict, 'ok', 'the checker could not decide every key within its budget');
  assert.deepEqual(lost.map((f) => f.message), [], 'acknowledged writes lost');
  // The workload did run through the faults: writes succeeded both before and after each one.
  assert.ok(writesOk > 50, `only ${writesOk} writes answered`);
  assert.ok(workload.followerReadsOk > 50, `only ${workload.followerReadsOk} reads answered by followers`);
  assert.ok(Number.isFinite(kill.firstAfterMs), 'no write succeeded after the leader kill');
  assert.ok(Number.isFinite(partition.firstAfterMs), 'no write succeeded during the partition');
  const unchecked: Operation[] = ops.filter((o) => o.status === 'pending');
  assert.equal(unchecked.length, 0);
});
