// The steps of the collections test that are more than "send one command, compare one reply":
// random picks checked by their properties, HSCAN/SSCAN/ZSCAN iterated to the end, blocking
// commands served by a push from another connection, and pub/sub transcripts. Each runs on both
// servers at once and returns the first difference, like runner.ts does for plain commands.
// The comparison rules are listed with their reasons in docs/differences.md.
import net from 'node:net';
import { RespClient, RespReader, encodeCommand, sameReply, show, type RespValue } from '../helpers/resp-client.js';
import { sleep } from '../helpers/redis-oracle.js';
import type { PickCommand, Step } from './generator.js';
import { replyPairs, type Mode } from './normalize.js';
import type { Mismatch, RunOptions, Side } from './runner.js';
import { render } from './runner.js';

/** What the scenario runners need from the seed's run (implemented by runner.ts's SeedRun). */
export interface ScenarioHost {
  readonly options: RunOptions;
  readonly reference: Side;
  readonly subject: Side;
  commandsSent: number;
  compare(mode: Mode, expected: RespValue, actual: RespValue): string | null;
  mismatch(index: number, step: Step, command: string, expected: RespValue, actual: RespValue, reason: string): Mismatch;
  mismatchText(index: number, step: Step, command: string, expected: string, actual: string, reason: string): Mismatch;
  remember(line: string): void;
  trace(line: string): void;
}

const EXACT: Mode = { kind: 'exact' };
/** Longest wait for a waiter to show up in INFO's blocked_clients. */
const BLOCK_WAIT_MS = 3_000;
/** Longest wait for a subscriber's sync marker. */
const MARKER_WAIT_MS = 5_000;

// ---------------------------------------------------------------------------------------------
// Random picks

type PickStep = Extract<Step, { op: 'pick' }>;

/** The read that shows the whole collection a pick draws from, and how to compare that read. */
function contentRead(step: PickStep): { argv: string[]; mode: Mode } {
  switch (step.cmd) {
    case 'SPOP':
    case 'SRANDMEMBER':
      return { argv: ['SMEMBERS', step.key], mode: { kind: 'multiset' } };
    case 'HRANDFIELD':
      return { argv: ['HGETALL', step.key], mode: { kind: 'pairs' } };
    case 'ZRANDMEMBER':
      return { argv: ['ZRANGE', step.key, '0', '-1', 'WITHSCORES'], mode: EXACT };
  }
}

/**
 * The reply with every bulk string and double replaced by a placeholder: two picks must have
 * the same shape (types, nesting, lengths) even when they picked different members.
 */
function shape(v: RespValue): string {
  switch (v.t) {
    case 'bulk':
      return 'B';
    case 'double':
      return 'D';
    case 'array':
    case 'set':
    case 'push':
      return `${v.t}[${v.v.map(shape).join(',')}]`;
    case 'map':
      return `map{${v.v.map(([k, x]) => `${shape(k)}:${shape(x)}`).join(',')}}`;
    default:
      return show(v);
  }
}

/** member (latin1) -> rendering of its value (hash value, score), or '' for set members. */
function contentMap(cmd: PickCommand, content: RespValue): Map<string, string> | null {
  const out = new Map<string, string>();
  if (cmd === 'SPOP' || cmd === 'SRANDMEMBER') {
    if (content.t !== 'array' && content.t !== 'set') return null;
    for (const m of content.v) if (m.t === 'bulk') out.set(m.v.toString('latin1'), '');
    return out;
  }
  if (content.t === 'array' && content.v.length === 0) return out;
  const pairs = replyPairs(content);
  if (pairs === null) return null;
  for (const [k, v] of pairs) if (k.t === 'bulk') out.set(k.v.toString('latin1'), show(v));
  return out;
}

/**
 * Why `reply` is not a valid answer of `step` drawn from `content`, or null. Checks the number
 * of items, that each is in the collection (with its own value or score), and that they are
 * distinct unless the count is negative.
 */
export function pickProblem(step: PickStep, reply: RespValue, content: RespValue): string | null {
  if (reply.t === 'error') return null; // compared exactly by the caller
  const members = contentMap(step.cmd, content);
  if (members === null) return null; // WRONGTYPE and the like: the pick is compared exactly
  const card = members.size;
  let picked: Array<[string, string | null]>;
  if (step.count === null) {
    if (reply.t === 'null') return card === 0 ? null : `nil from a collection of ${card}`;
    if (reply.t !== 'bulk') return `expected one member, got ${show(reply)}`;
    picked = [[reply.v.toString('latin1'), null]];
  } else {
    if (reply.t !== 'array' && reply.t !== 'set') return `expected an array, got ${show(reply)}`;
    if (step.withValues) {
      const pairs = reply.v.length === 0 ? [] : replyPairs(reply);
      if (pairs === null) return `not a list of pairs: ${show(reply)}`;
      picked = pairs.map(([k, v]) => [k.t === 'bulk' ? k.v.toString('latin1') : show(k), show(v)]);
    } else {
      picked = reply.v.map((m) => [m.t === 'bulk' ? m.v.toString('latin1') : show(m), null]);
    }
  }
  const count = step.count;
  const expectedLength = count === null ? 1 : count >= 0 ? Math.min(count, card) : card === 0 ? 0 : -count;
  if (picked.length !== expectedLength) return `${picked.length} items, expected ${expectedLength} (collection of ${card})`;
  const seen = new Set<string>();
  for (const [member, value] of picked) {
    if (!members.has(member)) return `"${escape(member)}" is not in the collection`;
    if (value !== null && members.get(member) !== value) return `"${escape(member)}" comes with ${value}, the collection has ${members.get(member)}`;
    if (seen.has(member) && (count === null || count >= 0)) return `"${escape(member)}" picked twice`;
    seen.add(member);
  }
  return null;
}

function escape(s: string): string {
  return show({ t: 'bulk', v: Buffer.from(s, 'latin1') }).slice(1, -1);
}

/** The members a SPOP reply removed. */
function popped(reply: RespValue): string[] {
  if (reply.t === 'bulk') return [reply.v.toString('latin1')];
  if (reply.t === 'array' || reply.t === 'set') return reply.v.filter((m) => m.t === 'bulk').map((m) => (m as { v: Buffer }).v.toString('latin1'));
  return [];
}

export async function runPick(host: ScenarioHost, index: number, planned: PickStep): Promise<Mismatch | null> {
  const read = contentRead(planned);
  const spop = planned.cmd === 'SPOP';
  const encodingArgv = ['OBJECT', 'ENCODING', planned.key];
  // SPOP: OBJECT ENCODING before and after too (its strategy may rebuild the set).
  const before = spop ? [encodingArgv, read.argv] : [read.argv];
  const after = spop ? [encodingArgv] : [];
  let expected: RespValue[];
  let actual: RespValue[];
  let step = planned;
  if (planned.countBelowSize === undefined) {
    const commands = [...before, planned.argv, ...after];
    [expected, actual] = await Promise.all([host.reference[step.conn].pipeline(commands), host.subject[step.conn].pipeline(commands)]);
  } else {
    // The count depends on the size: read first (both sides hold the same members, compared below).
    const [refBefore, subBefore] = await Promise.all([host.reference[step.conn].pipeline(before), host.subject[step.conn].pipeline(before)]);
    const size = contentMap(planned.cmd, refBefore[before.length - 1]!)?.size ?? 0;
    const count = Math.max(size - planned.countBelowSize, 1);
    step = { ...planned, count, argv: [...planned.argv.slice(0, 2), String(count), ...planned.argv.slice(3)] };
    const rest = [step.argv, ...after];
    const [refRest, subRest] = await Promise.all([host.reference[step.conn].pipeline(rest), host.subject[step.conn].pipeline(rest)]);
    [expected, actual] = [[...refBefore, ...refRest], [...subBefore, ...subRest]];
  }
  host.commandsSent += before.length + 1 + after.length;
  const at = spop ? 1 : 0;
  const [refContent, refPick] = [expected[at]!, expected[at + 1]!];
  const [subContent, subPick] = [actual[at]!, actual[at + 1]!];
  if (spop) {
    const reason = host.compare({ kind: 'encoding', key: step.key }, expected[0]!, actual[0]!);
    if (reason !== null) return host.mismatch(index, step, `${render(encodingArgv)} (before SPOP)`, expected[0]!, actual[0]!, reason);
  }
  const readCommand = `${render(read.argv)} (read before ${step.cmd})`;
  const contentReason = host.compare(read.mode, refContent, subContent);
  if (contentReason !== null) return host.mismatch(index, step, readCommand, refContent, subContent, contentReason);
  host.remember(`${step.conn}> ${readCommand}  =>  ${show(refContent)}`);

  const command = render(step.argv);
  const line = `${step.conn}> ${command}  =>  ${show(refPick)}`;
  host.trace(line);
  const plain = (v: RespValue): boolean => v.t !== 'bulk' && v.t !== 'array' && v.t !== 'set';
  let reason: string | null;
  if (plain(refPick) || plain(subPick)) reason = host.compare(EXACT, refPick, subPick);
  else if (shape(refPick) !== shape(subPick)) reason = 'the replies differ in shape (type, nesting or length)';
  else {
    const refProblem = pickProblem(step, refPick, refContent);
    if (refProblem !== null) reason = `harness bug: redis's own reply breaks the pick rule: ${refProblem}`;
    else {
      const subProblem = pickProblem(step, subPick, subContent);
      reason = subProblem === null ? null : `invalid pick: ${subProblem}`;
    }
  }
  if (reason !== null) return host.mismatch(index, step, command, refPick, subPick, reason);
  host.remember(line + '  (compared by properties)');
  if (!spop) return null;

  // Each side's encoding after SPOP must follow Redis's rule for its own remaining members.
  for (const [name, replies, content, pick] of [
    ['redis', expected, refContent, refPick],
    ['subject', actual, subContent, subPick],
  ] as const) {
    const want = encodingAfterSpop(step, encodingName(replies[0]!), content, pick);
    const got = encodingName(replies[3]!);
    if (want !== got) {
      const what = `${render(encodingArgv)} (after ${command})`;
      const why =
        `after SPOP the set should be ${want ?? 'gone'} by Redis's rule (same encoding, or rebuilt when few members remain), not ${got ?? 'gone'} ` +
        `(before: redis ${show(expected[0]!)}, cairn ${show(actual[0]!)}; popped: redis ${show(refPick)}, cairn ${show(subPick)})`;
      return name === 'redis'
        ? host.mismatch(index, step, what, replies[3]!, actual[3]!, `harness bug: redis breaks the rule: ${why}`)
        : host.mismatch(index, step, what, expected[3]!, actual[3]!, why);
    }
  }
  return realignAfterSpop(host, index, step, refPick, subPick, expected[3]!);
}

function encodingName(v: RespValue): string | null {
  return v.t === 'bulk' ? v.v.toString('latin1') : null;
}

/** Whether Redis stores `member` in an intset: a canonical 64-bit integer (string2ll rules). */
export function isIntsetMember(member: string): boolean {
  if (!/^(0|-?[1-9][0-9]*)$/.test(member)) return false;
  const n = BigInt(member);
  return n >= -(2n ** 63n) && n < 2n ** 63n;
}

/**
 * The encoding Redis 7.0 leaves after SPOP (t_set.c, spopWithCountCommand): popping every member
 * deletes the key; a count whose remainder is more than a fifth of it removes members one by one
 * (the encoding stays); otherwise the remaining members are copied into a new set, which is an
 * intset when they are all integers. null: the key is gone.
 */
export function encodingAfterSpop(step: PickStep, before: string | null, content: RespValue, pick: RespValue): string | null {
  if (before === null) return null;
  const all = contentMap(step.cmd, content);
  if (all === null) return before;
  const gone = new Set(popped(pick));
  const remaining = [...all.keys()].filter((m) => !gone.has(m));
  if (remaining.length === 0) return null;
  const count = step.count;
  if (count === null || count === 0) return before;
  if (remaining.length * 5 > count) return before;
  return remaining.every(isIntsetMember) ? 'intset' : 'hashtable';
}

/**
 * Each side popped its own random members. Adds back to the subject what only it popped and
 * removes what the reference popped, so both hold the same members; then gives the subject the
 * reference's encoding if they still differ (an intset is rebuilt from scratch, a hash table is
 * made by adding and removing a non-integer). Nothing here is compared: Cairn's own SPOP was
 * checked before.
 */
async function realignAfterSpop(host: ScenarioHost, index: number, step: PickStep, refPick: RespValue, subPick: RespValue, refEncoding: RespValue): Promise<Mismatch | null> {
  const byRef = new Set(popped(refPick));
  const bySub = new Set(popped(subPick));
  const remove = [...byRef].filter((m) => !bySub.has(m));
  const add = [...bySub].filter((m) => !byRef.has(m));
  const client = host.subject[step.conn];
  const run = async (argv: string[], want: (v: RespValue) => boolean): Promise<Mismatch | null> => {
    const reply = await client.send(...argv);
    return want(reply) ? null : host.mismatchText(index, step, `${render(argv)} (re-aligning the subject after SPOP)`, '(success)', show(reply), 'the subject did not take the re-alignment');
  };
  const isInt = (n: number) => (v: RespValue) => v.t === 'int' && Number(v.v) === n;
  let problem: Mismatch | null = null;
  if (add.length > 0) problem ??= await run(['SADD', step.key, ...add], isInt(add.length));
  if (remove.length > 0) problem ??= await run(['SREM', step.key, ...remove], isInt(remove.length));
  if (problem !== null || (add.length === 0 && remove.length === 0)) return problem;
  const target = encodingName(refEncoding);
  const now = encodingName(await client.send('OBJECT', 'ENCODING', step.key));
  if (now === target || target === null) return null;
  if (target === 'hashtable') {
    const filler = 'realign:not-an-integer';
    return (await run(['SADD', step.key, filler], isInt(1))) ?? (await run(['SREM', step.key, filler], isInt(1)));
  }
  const members = await client.send('SMEMBERS', step.key);
  const list = members.t === 'array' || members.t === 'set' ? members.v.map((m) => (m.t === 'bulk' ? m.v.toString('latin1') : '')) : [];
  return (await run(['DEL', step.key], isInt(1))) ?? (await run(['SADD', step.key, ...list], isInt(list.length)));
}

// ---------------------------------------------------------------------------------------------
// HSCAN / SSCAN / ZSCAN

type KeyScanStep = Extract<Step, { op: 'kscan' }>;

interface KeyScanOutcome {
  encoding: RespValue;
  first: RespValue;
  /** field/member -> value ('' for SSCAN), or null when the first reply was not a page. */
  items: Map<string, string> | null;
  calls: number;
  problem: string | null;
}

const COMPACT = new Set(['listpack', 'intset', 'ziplist']);
const MAX_SCAN_CALLS = 10_000;

function parsePage(reply: RespValue, pairs: boolean): { cursor: string; items: Array<[string, string]> } | null {
  if (reply.t !== 'array' || reply.v.length !== 2) return null;
  const [cursor, list] = reply.v;
  if (cursor?.t !== 'bulk' || list?.t !== 'array') return null;
  const bulks: string[] = [];
  for (const x of list.v) {
    if (x.t !== 'bulk') return null;
    bulks.push(x.v.toString('latin1'));
  }
  const items: Array<[string, string]> = [];
  if (pairs) {
    if (bulks.length % 2 !== 0) return null;
    for (let i = 0; i < bulks.length; i += 2) items.push([bulks[i]!, bulks[i + 1]!]);
  } else {
    for (const b of bulks) items.push([b, '']);
  }
  return { cursor: cursor.v.toString('latin1'), items };
}

async function keyScanAll(host: ScenarioHost, client: RespClient, step: KeyScanStep): Promise<KeyScanOutcome> {
  const pairs = step.cmd !== 'SSCAN';
  const [encoding, first] = (await client.pipeline([
    ['OBJECT', 'ENCODING', step.key],
    [step.cmd, step.key, step.cursor, ...step.options],
  ])) as [RespValue, RespValue];
  const page = parsePage(first, pairs);
  if (page === null) return { encoding, first, items: null, calls: 1, problem: null };
  const items = new Map<string, string>();
  const add = (list: Array<[string, string]>): string | null => {
    for (const [k, v] of list) {
      const had = items.get(k);
      if (had !== undefined && had !== v) return `"${escape(k)}" returned with two values`;
      items.set(k, v);
    }
    return null;
  };
  let problem = add(page.items);
  let next = page.cursor;
  let calls = 1;
  while (problem === null && step.cursor === '0' && next !== '0') {
    if (calls >= MAX_SCAN_CALLS) return { encoding, first, items, calls, problem: `cursor did not return to 0 after ${calls} calls` };
    const reply = await client.send(step.cmd, step.key, next, ...step.options);
    host.commandsSent++;
    calls++;
    const more = parsePage(reply, pairs);
    if (more === null) return { encoding, first, items, calls, problem: `${step.cmd} ${next} answered ${show(reply)}` };
    problem = add(more.items);
    next = more.cursor;
  }
  return { encoding, first, items, calls, problem };
}

export async function runKeyScan(host: ScenarioHost, index: number, step: KeyScanStep): Promise<Mismatch | null> {
  const [expected, actual] = await Promise.all([keyScanAll(host, host.reference[step.conn], step), keyScanAll(host, host.subject[step.conn], step)]);
  host.commandsSent += 2;
  const encodingCommand = `${render(['OBJECT', 'ENCODING', step.key])} (before ${step.cmd})`;
  const encodingReason = host.compare({ kind: 'encoding', key: step.key }, expected.encoding, actual.encoding);
  if (encodingReason !== null) return host.mismatch(index, step, encodingCommand, expected.encoding, actual.encoding, encodingReason);

  const command = render([step.cmd, step.key, step.cursor, ...step.options]) + (step.cursor === '0' ? '  (iterated to cursor 0)' : '');
  const encodingOf = (o: KeyScanOutcome): string => (o.encoding.t === 'bulk' ? o.encoding.v.toString('latin1') : '');
  const bothCompact = COMPACT.has(encodingOf(expected)) && encodingOf(expected) === encodingOf(actual);
  let reason: string | null;
  if (expected.items === null || actual.items === null || bothCompact) {
    // errors, or a compact encoding: one page with everything, in a defined order
    reason = host.compare(EXACT, expected.first, actual.first);
  } else if (step.cursor !== '0') {
    reason = null; // resumed from an arbitrary cursor of a hash table: only "a page" is comparable
  } else {
    reason = compareItemMaps(expected.items, actual.items);
  }
  if (expected.problem !== null || actual.problem !== null) reason = `${step.cmd} failed: redis: ${expected.problem}; cairn: ${actual.problem}`;
  const summary = (o: KeyScanOutcome): string =>
    o.items === null || bothCompact
      ? show(o.first)
      : `${o.calls} calls, {${[...o.items].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([k, v]) => (pairsOf(step) ? `"${escape(k)}": "${escape(v)}"` : `"${escape(k)}"`)).join(', ')}}`;
  const line = `${step.conn}> ${command}  =>  ${summary(expected)}`;
  host.trace(line);
  if (reason !== null) return host.mismatchText(index, step, command, summary(expected), summary(actual), reason);
  host.remember(line);
  return null;
}

function pairsOf(step: KeyScanStep): boolean {
  return step.cmd !== 'SSCAN';
}

function compareItemMaps(redis: Map<string, string>, cairn: Map<string, string>): string | null {
  const onlyRedis = [...redis].filter(([k, v]) => cairn.get(k) !== v).map(([k, v]) => `${escape(k)}=${escape(v)}`);
  const onlyCairn = [...cairn].filter(([k, v]) => redis.get(k) !== v).map(([k, v]) => `${escape(k)}=${escape(v)}`);
  if (onlyRedis.length === 0 && onlyCairn.length === 0) return null;
  return `union of the pages differs: only in redis [${onlyRedis.slice(0, 10).join(', ')}], only in cairn [${onlyCairn.slice(0, 10).join(', ')}]`;
}

// ---------------------------------------------------------------------------------------------
// Blocking across connections

type BlockStep = Extract<Step, { op: 'block' }>;

async function openExtra(host: ScenarioHost, side: Side): Promise<RespClient> {
  const client = await RespClient.connect(side.endpoint.port, { timeoutMs: 20_000 });
  if (host.options.resp === 3) {
    const hello = await client.send('HELLO', '3');
    if (hello.t !== 'map') throw new Error(`${side.endpoint.name}: HELLO 3 answered ${show(hello)}`);
  }
  return client;
}

async function blockedClients(client: RespClient): Promise<number> {
  const info = await client.send('INFO', 'clients');
  const text = info.t === 'bulk' || info.t === 'verbatim' ? info.v.toString('latin1') : '';
  return Number(/blocked_clients:(\d+)/.exec(text)?.[1] ?? -1);
}

interface BlockOutcome {
  pushes: RespValue[];
  waiters: RespValue[];
  problem: string | null;
}

async function blockOn(host: ScenarioHost, side: Side, step: BlockStep): Promise<BlockOutcome> {
  const conns: RespClient[] = [];
  try {
    for (let i = 0; i < step.waiters.length; i++) conns.push(await openExtra(host, side));
    const replies: Array<Promise<RespValue>> = [];
    const settled: boolean[] = [];
    for (let i = 0; i < step.waiters.length; i++) {
      settled.push(false);
      const reply = conns[i]!.send(...step.waiters[i]!);
      reply.then(
        () => (settled[i] = true),
        () => (settled[i] = true),
      );
      replies.push(reply);
      // Wait until this waiter is blocked (or already answered), so the order of waiters and
      // the moment of the push are the same on both servers.
      const deadline = Date.now() + BLOCK_WAIT_MS;
      for (;;) {
        await sleep(2);
        if (settled[i]) break;
        const stillWaiting = settled.slice(0, i + 1).filter((s) => !s).length;
        if ((await blockedClients(side.a)) >= stillWaiting) break;
        if (Date.now() > deadline) return { pushes: [], waiters: [], problem: `waiter ${i + 1} neither answered nor showed in blocked_clients within ${BLOCK_WAIT_MS} ms` };
      }
    }
    const pushes = await side.a.pipeline(step.pushes);
    const waiters = await Promise.all(replies);
    return { pushes, waiters, problem: null };
  } finally {
    for (const c of conns) c.close();
  }
}

export async function runBlock(host: ScenarioHost, index: number, step: BlockStep): Promise<Mismatch | null> {
  const [expected, actual] = await Promise.all([blockOn(host, host.reference, step), blockOn(host, host.subject, step)]);
  host.commandsSent += step.waiters.length + step.pushes.length;
  if (expected.problem !== null || actual.problem !== null) {
    return host.mismatchText(index, step, describeBlock(step), `${expected.problem}`, `${actual.problem}`, 'the blocking scenario did not run');
  }
  for (let i = 0; i < step.pushes.length; i++) {
    const reason = host.compare(EXACT, expected.pushes[i]!, actual.pushes[i]!);
    const command = `${render(step.pushes[i]!)} (connection a, while ${step.waiters.length} waiter(s) block: ${describeBlock(step)})`;
    if (reason !== null) return host.mismatch(index, step, command, expected.pushes[i]!, actual.pushes[i]!, reason);
  }
  for (let i = 0; i < step.waiters.length; i++) {
    const reason = host.compare(EXACT, expected.waiters[i]!, actual.waiters[i]!);
    const command = `waiter ${i + 1}: ${render(step.waiters[i]!)} (in ${describeBlock(step)})`;
    const line = `w${i + 1}> ${render(step.waiters[i]!)}  =>  ${show(expected.waiters[i]!)}`;
    host.trace(line);
    if (reason !== null) return host.mismatch(index, step, command, expected.waiters[i]!, actual.waiters[i]!, reason);
    host.remember(line);
  }
  return null;
}

function describeBlock(step: BlockStep): string {
  const waiters = step.waiters.map((w, i) => `w${i + 1}: ${render(w)}`);
  const pushes = step.pushes.map((p) => `a: ${render(p)}`);
  return [...waiters, ...pushes].join('; ');
}

// ---------------------------------------------------------------------------------------------
// Pub/sub

type PubsubStep = Extract<Step, { op: 'pubsub' }>;

/** A raw connection that records every value it receives (replies and pushes alike). */
class Transcript {
  readonly values: RespValue[] = [];
  private readonly reader = new RespReader();
  private failure: string | null = null;

  private constructor(private readonly socket: net.Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.reader.feed(chunk);
      try {
        for (let v = this.reader.next(); v !== undefined; v = this.reader.next()) this.values.push(v);
      } catch (e) {
        this.failure = (e as Error).message;
      }
    });
    socket.on('error', (e) => (this.failure ??= e.message));
    socket.on('close', () => (this.failure ??= 'connection closed'));
  }

  static open(port: number): Promise<Transcript> {
    return new Promise((resolve, reject) => {
      const socket = net.connect({ port, host: '127.0.0.1', noDelay: true });
      socket.once('error', reject);
      socket.once('connect', () => {
        socket.removeAllListeners('error');
        resolve(new Transcript(socket));
      });
    });
  }

  write(argv: readonly string[]): void {
    this.socket.write(encodeCommand(argv));
  }

  /** Waits until a received value (at any depth) is the bulk string `marker`. */
  async waitFor(marker: string, from: number): Promise<string | null> {
    const deadline = Date.now() + MARKER_WAIT_MS;
    const bytes = Buffer.from(marker, 'latin1');
    const holds = (v: RespValue): boolean =>
      (v.t === 'bulk' && v.v.equals(bytes)) || ((v.t === 'array' || v.t === 'push' || v.t === 'set') && v.v.some(holds));
    for (;;) {
      for (let i = from; i < this.values.length; i++) if (holds(this.values[i]!)) return null;
      if (this.failure !== null) return this.failure;
      if (Date.now() > deadline) return `no reply to PING ${marker} within ${MARKER_WAIT_MS} ms`;
      await sleep(1);
    }
  }

  close(): void {
    this.socket.destroy();
  }
}

interface PubsubTurn {
  who: 'sub' | 'a';
  argvs: string[][];
  modes: Mode[];
  /** Connection a's replies (who = 'a'). */
  replies: RespValue[];
  /** What the subscriber received during the turn, its sync PING's reply included. */
  received: RespValue[];
}

/** Consecutive actions of the same connection form one turn. */
function turnsOf(step: PubsubStep): PubsubTurn[] {
  const turns: PubsubTurn[] = [];
  for (const action of step.actions) {
    const last = turns[turns.length - 1];
    if (last !== undefined && last.who === action.who) {
      last.argvs.push(action.argv);
      last.modes.push(action.mode ?? EXACT);
    } else {
      turns.push({ who: action.who, argvs: [action.argv], modes: [action.mode ?? EXACT], replies: [], received: [] });
    }
  }
  return turns;
}

async function pubsubOn(host: ScenarioHost, side: Side, step: PubsubStep): Promise<{ turns: PubsubTurn[]; problem: string | null }> {
  const turns = turnsOf(step);
  const sub = await Transcript.open(side.endpoint.port);
  try {
    let seen = 0;
    if (host.options.resp === 3) {
      sub.write(['HELLO', '3']);
      sub.write(['PING', 'hello-done']);
      const problem = await sub.waitFor('hello-done', 0);
      if (problem !== null) return { turns, problem };
      seen = sub.values.length;
    }
    for (let t = 0; t < turns.length; t++) {
      const turn = turns[t]!;
      if (turn.who === 'a') turn.replies = await side.a.pipeline(turn.argvs);
      else for (const argv of turn.argvs) sub.write(argv);
      // A PING on the subscriber marks the end of the turn: everything published before it
      // has been delivered by then, on both servers.
      const marker = `turn-${t}`;
      sub.write(['PING', marker]);
      const problem = await sub.waitFor(marker, seen);
      if (problem !== null) return { turns, problem };
      turn.received = sub.values.slice(seen);
      seen = sub.values.length;
    }
    return { turns, problem: null };
  } finally {
    sub.close();
  }
}

/** A bare UNSUBSCRIBE / PUNSUBSCRIBE / SUNSUBSCRIBE: its confirmations come in hash-table order. */
function isBareUnsubscribe(argv: readonly string[]): boolean {
  return argv.length === 1 && /^(p|s)?unsubscribe$/i.test(argv[0]!);
}

/**
 * Within each run of consecutive confirmations of the same kind (`unsubscribe`, ...), sorts the
 * channel names and keeps the counts where they are: the counts must still go down one by one.
 */
function sortUnsubscribeRuns(values: RespValue[]): RespValue[] {
  const kindOf = (v: RespValue): string | null => {
    if ((v.t !== 'array' && v.t !== 'push') || v.v.length !== 3) return null;
    const head = v.v[0]!;
    const kind = head.t === 'bulk' ? head.v.toString('latin1') : null;
    return kind !== null && /unsubscribe$/.test(kind) ? kind : null;
  };
  const out = [...values];
  let i = 0;
  while (i < out.length) {
    const kind = kindOf(out[i]!);
    if (kind === null) {
      i++;
      continue;
    }
    let j = i;
    while (j < out.length && kindOf(out[j]!) === kind) j++;
    const run = out.slice(i, j) as Array<{ t: 'array' | 'push'; v: RespValue[] }>;
    const names = run.map((v) => v.v[1]!).sort((x, y) => (show(x) < show(y) ? -1 : show(x) > show(y) ? 1 : 0));
    for (let k = 0; k < run.length; k++) out[i + k] = { t: run[k]!.t, v: [run[k]!.v[0]!, names[k]!, run[k]!.v[2]!] } as RespValue;
    i = j;
  }
  return out;
}

/**
 * Sorts each run of consecutive pmessages of the same channel and message by pattern: Redis
 * delivers one message to the patterns it matches in the order of its pattern dictionary.
 */
function sortPatternRuns(values: RespValue[]): RespValue[] {
  const keyOf = (v: RespValue): string | null => {
    if ((v.t !== 'array' && v.t !== 'push') || v.v.length !== 4) return null;
    const [kind, , channel, message] = v.v;
    return kind?.t === 'bulk' && kind.v.toString('latin1') === 'pmessage' ? `${show(channel!)} ${show(message!)}` : null;
  };
  const out = [...values];
  let i = 0;
  while (i < out.length) {
    const key = keyOf(out[i]!);
    let j = i + 1;
    if (key !== null) while (j < out.length && keyOf(out[j]!) === key) j++;
    if (j - i > 1) {
      const run = out.slice(i, j).sort((x, y) => (show(x) < show(y) ? -1 : show(x) > show(y) ? 1 : 0));
      out.splice(i, j - i, ...run);
    }
    i = j;
  }
  return out;
}

export async function runPubsub(host: ScenarioHost, index: number, step: PubsubStep): Promise<Mismatch | null> {
  const [expected, actual] = await Promise.all([pubsubOn(host, host.reference, step), pubsubOn(host, host.subject, step)]);
  host.commandsSent += step.actions.length;
  if (expected.problem !== null || actual.problem !== null) {
    return host.mismatchText(index, step, 'pub/sub scenario', `${expected.problem}`, `${actual.problem}`, 'the pub/sub scenario did not run');
  }
  for (let t = 0; t < expected.turns.length; t++) {
    const [r, c] = [expected.turns[t]!, actual.turns[t]!];
    const who = r.who === 'a' ? 'a' : 'sub';
    for (let k = 0; k < r.replies.length; k++) {
      const reason = host.compare(r.modes[k]!, r.replies[k]!, c.replies[k]!);
      const line = `a> ${render(r.argvs[k]!)}  =>  ${show(r.replies[k]!)}`;
      host.trace(line);
      if (reason !== null) return host.mismatch(index, step, `${render(r.argvs[k]!)} (connection a, pub/sub scenario turn ${t + 1})`, r.replies[k]!, c.replies[k]!, reason);
      host.remember(line);
    }
    const bare = r.argvs.some(isBareUnsubscribe);
    const norm = (vs: RespValue[]): RespValue[] => sortPatternRuns(bare ? sortUnsubscribeRuns(vs) : vs);
    const [rv, cv] = [norm(r.received), norm(c.received)];
    const same = rv.length === cv.length && rv.every((v, i) => sameReply(v, cv[i]!));
    const command = `subscriber transcript of turn ${t + 1} (${who}: ${r.argvs.map(render).join('; ')}; then PING turn-${t})`;
    const line = `sub> ${r.who === 'sub' ? r.argvs.map(render).join('; ') : '(after a)'}  =>  ${r.received.map(show).join(' ')}`;
    host.trace(line);
    if (!same) {
      return host.mismatchText(index, step, command, `[${r.received.map(show).join(', ')}]`, `[${c.received.map(show).join(', ')}]`, 'the subscriber received something else');
    }
    host.remember(line);
  }
  return null;
}


// ---------------------------------------------------------------------------------------------
// Lexicographic ranges

type LexStep = Extract<Step, { op: 'lex' }>;

/** The score of a one-member ZRANGE ... WITHSCORES reply, rendered; null when there is none. */
function onlyScore(reply: RespValue): string | null {
  if (reply.t !== 'array') return null;
  if (reply.v.length === 2 && reply.v[1]!.t !== 'array') return show(reply.v[1]!); // RESP2: member, score
  if (reply.v.length === 1 && reply.v[0]!.t === 'array' && reply.v[0]!.v.length === 2) return show(reply.v[0]!.v[1]!); // RESP3
  return null;
}

/**
 * Reads the lowest and highest score of the key on both sides (compared), then sends the lex
 * command only when they are equal, or when the key holds no sorted set (errors, empty replies).
 */
export async function runLex(host: ScenarioHost, index: number, step: LexStep): Promise<Mismatch | null> {
  const probes = [
    ['ZRANGE', step.key, '0', '0', 'WITHSCORES'],
    ['ZRANGE', step.key, '-1', '-1', 'WITHSCORES'],
  ];
  const [expected, actual] = await Promise.all([host.reference[step.conn].pipeline(probes), host.subject[step.conn].pipeline(probes)]);
  host.commandsSent += 2;
  for (let i = 0; i < probes.length; i++) {
    const reason = host.compare(EXACT, expected[i]!, actual[i]!);
    const command = `${render(probes[i]!)} (score check before ${step.cmd})`;
    if (reason !== null) return host.mismatch(index, step, command, expected[i]!, actual[i]!, reason);
  }
  const [low, high] = [onlyScore(expected[0]!), onlyScore(expected[1]!)];
  const command = render(step.argv);
  if (low !== null && high !== null && low !== high) {
    const line = `${step.conn}> ${command}  =>  (not sent: scores from ${low} to ${high}, the lex order is not defined)`;
    host.trace(line);
    host.remember(line);
    return null;
  }
  const [ref, sub] = await Promise.all([host.reference[step.conn].send(...step.argv), host.subject[step.conn].send(...step.argv)]);
  host.commandsSent++;
  const reason = host.compare(EXACT, ref, sub);
  const line = `${step.conn}> ${command}  =>  ${show(ref)}`;
  host.trace(line);
  if (reason !== null) return host.mismatch(index, step, command, ref, sub, reason);
  host.remember(line);
  return null;
}
