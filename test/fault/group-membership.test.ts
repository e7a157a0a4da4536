// Jepsen-style fault test of membership changes in a replica group of real `cairn server`
// processes on loopback, under a client workload of reads, writes and compare-and-set
// (test/helpers/group-workload.ts). The first three members' peer links run through
// fault-injecting proxies (test/helpers/fault-proxy.ts); nodes that join talk to them directly.
// Schedule: steady state; a fourth node joins (GROUP ADD: learner, then voter); a first member is
// partitioned from the others for a while, then healed; that member is removed (GROUP REMOVE);
// the leader removes itself (leadership handed over first); a fifth node joins; kill -9 of the
// leader, a new one is elected, the killed node restarts; final reads. Checks: the history is
// linearizable per key (sim/checkers/linearizability.ts), no acknowledged write is lost
// (sim/checkers/durability.ts on every remaining member's final values), and the members are
// identical at the end (DEBUG DIGEST).
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { startCairnIn, type CairnProcess } from '../helpers/cairn-process.js';
import { pickFreePort } from '../helpers/redis-oracle.js';
import { FaultNet } from '../helpers/fault-proxy.js';
import { ask, connect, disconnectAll, finalValues, GroupWorkload, identicalDigest, nowUs, sleep } from '../helpers/group-workload.js';
import { describeOperation } from '../../sim/history.js';
import { checkLinearizability } from '../../sim/checkers/linearizability.js';
import { checkDurability } from '../../sim/checkers/durability.js';
import { Rng } from '../../src/core/rng.js';
import { until } from '../helpers/until.js';

const CLIENTS = 6;
const KEYS = ['k0', 'k1', 'k2', 'k3', 'k4', 'k5', 'k6', 'k7'];

interface Node {
  readonly id: number;
  readonly dir: string;
  readonly port: number;
  readonly busPort: number;
  proc: CairnProcess | null;
  args: string[];
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

async function newNode(id: number): Promise<Node> {
  const dir = mkdtempSync(path.join(os.tmpdir(), `cairn-memberfault-${id}-`));
  dirs.push(dir);
  return { id, dir, port: await pickFreePort(), busPort: await pickFreePort(), proc: null, args: [] };
}

async function startNode(n: Node): Promise<void> {
  n.proc = await startCairnIn(n.dir, ['--port', String(n.port), ...n.args, '--group-tick-ms', '100', '--enable-debug-command', 'yes']);
  live.add(n.proc);
}

async function stopNode(n: Node, how: 'kill9' | 'stop'): Promise<void> {
  const p = n.proc!;
  await (how === 'kill9' ? p.kill9() : p.stop());
  live.delete(p);
  n.proc = null;
}

async function roleOf(n: Node): Promise<string> {
  return ask(n.port, async (r) => String(((await r.call('ROLE')) as unknown[])[0]));
}

async function leaderAmong(nodes: readonly Node[], what: string): Promise<Node> {
  return until(what, async () => {
    const up = nodes.filter((n) => n.proc !== null);
    const roles = await Promise.all(up.map((n) => roleOf(n)));
    const masters = up.filter((_, i) => roles[i] === 'master');
    if (masters.length !== 1) return undefined;
    return (await ask(masters[0]!.port, (r) => r.set('__probe', String(Date.now())))) === 'OK' ? masters[0] : undefined;
  }, 30_000);
}

/** Runs a GROUP change on whoever leads, retrying while a leader is being elected. */
async function change(members: readonly Node[], argv: string[], expect: (reply: string) => boolean, what: string): Promise<string> {
  return until(what, async () => {
    const leader = await leaderAmong(members, `a leader for ${what}`);
    const reply = await ask(leader.port, async (r) => String(await r.call('GROUP', ...argv)), 60_000);
    if (!expect(reply)) throw new Error(`${what}: unexpected reply ${reply}`);
    return reply;
  }, 90_000);
}

async function memberCount(n: Node): Promise<number> {
  return ask(n.port, async (r) => ((await r.call('GROUP', 'MEMBERS')) as unknown[]).length);
}

test('membership changes under a client workload and faults: linearizable, no acknowledged write lost, members identical', { timeout: 240_000 }, async (t) => {
  const rng = new Rng(20251125);
  const first = [await newNode(1), await newNode(2), await newNode(3)];
  net = await FaultNet.start(first);
  for (const n of first) n.args = ['--group-peers', net.peersFor(n.id)];
  await Promise.all(first.map((n) => startNode(n)));
  const members: Node[] = [...first];
  const log = (line: string): void => t.diagnostic(line);
  const t0 = performance.now();
  const at = (): string => `${((performance.now() - t0) / 1000).toFixed(1)}s`;

  const leader0 = await leaderAmong(members, 'a first leader');
  log(`${at()} leader n${leader0.id}`);
  const workload = new GroupWorkload(() => members.filter((n) => n.proc !== null), KEYS, rng);
  t.after(() => workload.stop()); // a failed step must not leave its clients running (the process would not exit)
  workload.start(CLIENTS);
  await sleep(2000);

  // A fourth node joins while clients run.
  const n4 = await newNode(4);
  n4.args = ['--group-join', 'yes', '--group-bus-port', String(n4.busPort)];
  await startNode(n4);
  const n4Id = await change(members, ['ADD', `127.0.0.1:${n4.port}`], (r) => /^[0-9a-f]{40}$/.test(r), 'GROUP ADD n4');
  members.push(n4);
  log(`${at()} n4 added as ${n4Id}`);
  await sleep(1500);

  // A first member cut off from the other first members (four voters: the rest still commit).
  const leaderA = await leaderAmong(members, 'the leader before the partition');
  const cut = first.find((n) => n !== leaderA)!;
  net.isolate(cut.id);
  log(`${at()} n${cut.id} partitioned from the other first members`);
  await sleep(2500);
  net.heal();
  log(`${at()} healed`);
  await sleep(1000);

  // Remove that member.
  await change(members, ['REMOVE', `127.0.0.1:${cut.port}`], (r) => r === 'OK', `GROUP REMOVE n${cut.id}`);
  members.splice(members.indexOf(cut), 1);
  log(`${at()} n${cut.id} removed`);
  await sleep(1000);
  await stopNode(cut, 'stop');

  // The leader removes itself: leadership moves first.
  const leaderB = await leaderAmong(members, 'the leader to remove');
  const reply = await ask(leaderB.port, async (r) => String(await r.call('GROUP', 'REMOVE', `127.0.0.1:${leaderB.port}`)), 60_000);
  assert.equal(reply, 'OK');
  members.splice(members.indexOf(leaderB), 1);
  log(`${at()} the leader n${leaderB.id} removed itself`);
  await sleep(1000);
  await stopNode(leaderB, 'stop');

  // A fifth node joins the two that are left.
  const n5 = await newNode(5);
  n5.args = ['--group-join', 'yes', '--group-bus-port', String(n5.busPort)];
  await startNode(n5);
  await change(members, ['ADD', `127.0.0.1:${n5.port}`], (r) => /^[0-9a-f]{40}$/.test(r), 'GROUP ADD n5');
  members.push(n5);
  log(`${at()} n5 added`);
  await sleep(1500);

  // kill -9 the leader; the other two elect one; the killed node comes back.
  const victim = await leaderAmong(members, 'the leader to kill');
  await stopNode(victim, 'kill9');
  log(`${at()} n${victim.id} killed`);
  const after = await leaderAmong(members, 'a leader after the kill');
  log(`${at()} n${after.id} leads`);
  await sleep(1500);
  await startNode(victim);
  log(`${at()} n${victim.id} restarted`);
  await sleep(2500);
  await workload.stop();
  log(`${at()} workload stopped`);

  // Final linearizable reads through the leader, part of the history.
  const leader = await leaderAmong(members, 'a leader for the final reads');
  const reader = connect(leader.port, 10_000);
  for (const key of KEYS) {
    const record = workload.history.invoke(1_000_000, leader.id, { kind: 'read', key }, 'strong', nowUs());
    workload.history.complete(record, 'ok', nowUs(), { value: await reader.get(key) });
  }
  reader.disconnect();

  assert.equal(members.length, 3);
  for (const n of members) await until(`n${n.id} lists three members`, async () => (await memberCount(n)) === 3);
  const digest = await identicalDigest(members, 'identical members');
  log(`${at()} members identical (digest ${digest})`);
  const finalValuesById = await finalValues(members, KEYS);

  const history = workload.history;
  const ops = history.ops;
  const counts = { ok: history.count('ok'), fail: history.count('fail'), info: history.count('info') };
  log(`history: ${ops.length} operations (${counts.ok} ok, ${counts.fail} failed, ${counts.info} indeterminate; ${workload.writesOk} writes acknowledged)`);
  const lin = checkLinearizability(ops);
  log(`linearizability: ${lin.verdict} (${lin.steps} search steps)`);
  for (const c of lin.counterexamples) {
    log(`counterexample on ${c.key}, culprit ${describeOperation(c.culprit)}:`);
    for (const o of c.prefix.slice(-40)) log(`  ${describeOperation(o)}`);
  }
  const lost = checkDurability(ops, finalValuesById);
  for (const f of lost) log(`durability: ${f.message}`);

  assert.equal(lin.counterexamples.length, 0, `not linearizable: ${lin.counterexamples.map((c) => `${c.key} (${describeOperation(c.culprit)})`).join(', ')}`);
  assert.equal(lin.verdict, 'ok', 'the checker could not decide every key within its budget');
  assert.deepEqual(lost.map((f) => f.message), [], 'acknowledged writes lost');
  assert.ok(workload.writesOk > 50, `only ${workload.writesOk} writes acknowledged`);
  assert.equal(ops.filter((o) => o.status === 'pending').length, 0);
});
