// Damaged files at random offsets, with real processes: a log cut anywhere starts with its torn
// tail truncated (and a warning); a flipped byte before the last record stops start-up with the
// file, the byte offset and the repair command; `cairn check-log --fix` repairs it; a damaged
// snapshot is refused. After every start the data is an exact prefix of the history.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync, appendFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { client, runCairn, startCairnIn, waitReady } from '../helpers/cairn-process.js';
import { Rng } from '../../src/core/rng.js';
import { LOG_HEADER_BYTES } from '../../src/io/persistence/log-format.js';

const TRANSACTIONS = 300;
let root: string;
let pristine: string;
let incrName: string;
let baseName: string;

before(async () => {
  root = mkdtempSync(path.join(os.tmpdir(), 'cairn-corrupt-'));
  pristine = path.join(root, 'pristine');
  const proc = await startCairnIn(pristine, ['--appendfsync', 'always', '--save', '']);
  const r = client(proc.port);
  await waitReady(r);
  await r.set('base-key', 'in the base after a rewrite');
  await r.bgrewriteaof();
  while ((await r.info('persistence')).includes('aof_rewrite_in_progress:1')) await new Promise((res) => setTimeout(res, 10));
  for (let i = 1; i <= TRANSACTIONS; i++) await r.multi().set(`w:${i}`, String(i)).incr('n').exec();
  r.disconnect();
  await proc.kill9();
  const manifest = readFileSync(path.join(pristine, 'appendonlydir', 'appendonly.aof.manifest'), 'latin1');
  incrName = /file (\S+) seq \d+ type i/.exec(manifest)![1]!;
  baseName = /file (\S+) seq \d+ type b/.exec(manifest)![1]!;
});

after(() => rmSync(root, { recursive: true, force: true }));

let copies = 0;
function copy(): { dir: string; incr: string; base: string } {
  const dir = path.join(root, `copy-${copies++}`);
  cpSync(pristine, dir, { recursive: true });
  return { dir, incr: path.join(dir, 'appendonlydir', incrName), base: path.join(dir, 'appendonlydir', baseName) };
}

/** Record start offsets of a log file, and its end. */
function recordStarts(file: string): number[] {
  const bytes = readFileSync(file);
  const out: number[] = [];
  for (let at = LOG_HEADER_BYTES; at < bytes.length; at += 12 + bytes.readUInt32LE(at)) out.push(at);
  out.push(bytes.length);
  return out;
}

/** Starts the server on `dir` and checks the data is the first `n` transactions exactly. */
async function expectPrefix(dir: string, n: number): Promise<string> {
  const proc = await startCairnIn(dir, ['--appendfsync', 'always', '--save', '']);
  const r = client(proc.port);
  try {
    await waitReady(r);
    assert.equal(Number((await r.get('n')) ?? '0'), n);
    if (n > 0) assert.equal(await r.exists(...Array.from({ length: n }, (_, i) => `w:${i + 1}`)), n);
    assert.equal(await r.exists(`w:${n + 1}`), 0);
    assert.equal(await r.get('base-key'), 'in the base after a rewrite');
  } finally {
    r.disconnect();
    await proc.stop();
  }
  return proc.output();
}

test('a log cut at random offsets: start-up truncates the torn tail and keeps every whole record', { timeout: 60_000 }, async () => {
  const rng = new Rng(11);
  for (let trial = 0; trial < 6; trial++) {
    const c = copy();
    const starts = recordStarts(c.incr);
    const size = statSync(c.incr).size;
    const cut = LOG_HEADER_BYTES + 1 + rng.below(size - LOG_HEADER_BYTES - 1);
    truncateSync(c.incr, cut);
    const whole = starts.filter((s) => s <= cut).length - 1;
    const output = await expectPrefix(c.dir, whole);
    if (!starts.includes(cut)) assert.match(output, /Torn record at the end of the append-only file/);
    assert.equal(statSync(c.incr).size, starts[whole], 'the file was cut back to its last whole record');
  }
});

test('zeros after the last record (a filesystem after a crash) are a torn tail', { timeout: 30_000 }, async () => {
  const c = copy();
  appendFileSync(c.incr, Buffer.alloc(8192));
  assert.match(await expectPrefix(c.dir, TRANSACTIONS), /zero|Torn record/);
});

test('a flipped byte before the last record stops start-up with file, offset and repair command; check-log --fix repairs', { timeout: 90_000 }, async () => {
  const rng = new Rng(23);
  for (let trial = 0; trial < 5; trial++) {
    const c = copy();
    const starts = recordStarts(c.incr);
    const bytes = readFileSync(c.incr);
    const lastStart = starts[starts.length - 2]!;
    const at = LOG_HEADER_BYTES + rng.below(lastStart - LOG_HEADER_BYTES);
    bytes[at] = bytes[at]! ^ (1 + rng.below(255));
    writeFileSync(c.incr, bytes);
    const damagedRecord = starts.filter((s) => s <= at).length - 1;
    const offset = starts[damagedRecord]!;
    const failed = await runCairn(['server', '--port', '0', '--bind', '127.0.0.1', '--dir', c.dir, '--save', '']);
    assert.equal(failed.code, 1, `start-up should refuse:\n${failed.stdout}${failed.stderr}`);
    assert.ok(failed.stderr.includes(`Bad append-only file ${c.incr} at byte offset ${offset}:`), failed.stderr);
    assert.ok(failed.stderr.includes(`cairn check-log --fix ${c.incr}`), failed.stderr);
    const check = await runCairn(['check-log', c.incr]);
    assert.equal(check.code, 1);
    assert.match(check.stdout, new RegExp(`${damagedRecord} good records, then corruption at byte offset ${offset}`));
    const fix = await runCairn(['check-log', '--fix', c.incr]);
    assert.equal(fix.code, 0, fix.stdout);
    assert.match(fix.stdout, new RegExp(`truncated from ${bytes.length} to ${offset} bytes`));
    await expectPrefix(c.dir, damagedRecord);
  }
});

test('a flipped byte in the last record is a torn tail: that write alone is dropped', { timeout: 30_000 }, async () => {
  const c = copy();
  const starts = recordStarts(c.incr);
  const bytes = readFileSync(c.incr);
  const lastStart = starts[starts.length - 2]!;
  bytes[lastStart + 20] = bytes[lastStart + 20]! ^ 0x55;
  writeFileSync(c.incr, bytes);
  await expectPrefix(c.dir, TRANSACTIONS - 1);
});

test('a damaged base snapshot is refused, with the file and offset', { timeout: 30_000 }, async () => {
  const c = copy();
  const bytes = readFileSync(c.base);
  bytes[Math.floor(bytes.length / 2)] ^= 0x10;
  writeFileSync(c.base, bytes);
  const failed = await runCairn(['server', '--port', '0', '--bind', '127.0.0.1', '--dir', c.dir, '--save', '']);
  assert.equal(failed.code, 1);
  assert.ok(failed.stderr.includes(`Bad snapshot file ${c.base} at byte offset`), failed.stderr);
  const check = await runCairn(['check-log', c.base]);
  assert.equal(check.code, 1);
  assert.match(check.stdout, /bad snapshot at byte offset \d+/);
});
