// Differential test of the collection and analytics commands: seeded random sequences of hash,
// list, set, sorted-set, bitmap, HyperLogLog, blocking, pub/sub and cross-type key commands (with
// transactions mixing types) sent to a real redis-server and to Cairn; every reply must match
// under the rules of normalize.ts and scenarios.ts, documented in docs/differences.md.
//
//   node --test dist/test/differential/collections.diff.test.js        all seeds
//   DIFF_SEED=7 DIFF_COUNT=1000 node --test dist/...collections...      replay one seed
//   DIFF_TRACE=1 ...                                                    print every command
//   DIFF_TARGET=redis ...        redis-server vs a second redis-server (checks the harness; the
//                                commands Cairn does not serve yet are generated too)
//   DIFF_CAIRN=process ...       run Cairn as a child process
//   DIFF_EXCLUDE=SPOP,ZADD ...   leave commands out (to look past a known mismatch; never in CI)
//
// The oracle runs with Cairn's encoding thresholds given explicitly (Redis 7.0's built-in
// hash-max-listpack-entries is 512, Cairn's is 128) and hz 100, so that the blocking timeouts of
// a few ms end within 10 ms instead of Redis's default 100 ms tick. Neither changes a reply.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startRedis, oracleAvailability, type RedisOracle } from '../helpers/redis-oracle.js';
import { startCairnInProcess, startCairnProcess, type CairnServer } from '../helpers/cairn-server.js';
import { RespClient, escapeBytes, argBytes, sameReply, show, type RespValue } from '../helpers/resp-client.js';
import { COLLECTION_COMMANDS, NOT_YET_SERVED_BY_CAIRN, coverageName, generateCollections } from './collections.js';
import { ORACLE_ARGS } from './oracle-config.js';
import { REGRESSIONS, type RegressionStep } from './regressions.js';
import { formatMismatch, respForSeed, runSeed, type Endpoint } from './runner.js';

const TEST_FILE = 'dist/test/differential/collections.diff.test.js';
const DEFAULT_SEEDS = 30;
const DEFAULT_COUNT = 1000;
/** Commands each CI run must send to each server, on top of the strings/keys test's. */
const MIN_COMMANDS_PER_RUN = 20_000;

const env = process.env;
const seeds = env.DIFF_SEED !== undefined ? [Number(env.DIFF_SEED)] : Array.from({ length: DEFAULT_SEEDS }, (_, i) => i + 1);
const count = env.DIFF_COUNT !== undefined ? Number(env.DIFF_COUNT) : DEFAULT_COUNT;
const target = env.DIFF_TARGET === 'redis' ? 'redis' : 'cairn';
const cairnKind = env.DIFF_CAIRN === 'process' ? 'process' : 'in-process';
const exclude = new Set((env.DIFF_EXCLUDE ?? '').split(',').map((s) => s.trim().toUpperCase()).filter((s) => s !== ''));
const trace = env.DIFF_TRACE ? (line: string) => process.stderr.write(line + '\n') : undefined;
const defaultRun = env.DIFF_SEED === undefined && env.DIFF_COUNT === undefined && exclude.size === 0;

if (seeds.some((s) => !Number.isSafeInteger(s) || s < 0)) throw new Error(`DIFF_SEED must be a non-negative integer, got ${env.DIFF_SEED}`);
if (!Number.isSafeInteger(count) || count < 1) throw new Error(`DIFF_COUNT must be a positive integer, got ${env.DIFF_COUNT}`);

function replayEnv(): string {
  const parts: string[] = [];
  if (target === 'redis') parts.push('DIFF_TARGET=redis');
  if (cairnKind === 'process') parts.push('DIFF_CAIRN=process');
  if (exclude.size > 0) parts.push(`DIFF_EXCLUDE=${[...exclude].join(',')}`);
  return parts.join(' ');
}

const generator = (options: { seed: number; count: number; exclude?: ReadonlySet<string> }) =>
  generateCollections({ ...options, includeUnserved: target === 'redis' });

describe('collections generator', () => {
  test('the default run covers every command many times', () => {
    const counts = new Map<string, number>();
    for (let seed = 1; seed <= DEFAULT_SEEDS; seed++) {
      for (const step of generateCollections({ seed, count: DEFAULT_COUNT })) counts.set(coverageName(step), (counts.get(coverageName(step)) ?? 0) + 1);
    }
    const rare = COLLECTION_COMMANDS.filter((cmd) => !NOT_YET_SERVED_BY_CAIRN.has(cmd) && (counts.get(cmd) ?? 0) < 15);
    assert.deepEqual(rare.map((cmd) => `${cmd}: ${counts.get(cmd) ?? 0}`), [], 'commands generated fewer than 15 times');
  });

  test('the same seed gives the same sequence', () => {
    assert.deepEqual(generateCollections({ seed: 4, count: 400 }), generateCollections({ seed: 4, count: 400 }));
    assert.notDeepEqual(generateCollections({ seed: 5, count: 100 }), generateCollections({ seed: 4, count: 100 }));
  });

  test('nothing blocks for long outside MULTI: timeouts there are tiny or invalid', () => {
    const blocking = /^(BLPOP|BRPOP|BLMOVE|BRPOPLPUSH|BLMPOP|BZPOPMIN|BZPOPMAX|BZMPOP)$/i;
    for (let seed = 1; seed <= DEFAULT_SEEDS; seed++) {
      let inMulti = false;
      for (const step of generateCollections({ seed, count: DEFAULT_COUNT })) {
        if (step.op !== 'cmd') continue;
        const name = step.argv[0]!.toUpperCase();
        if (step.conn === 'a' && name === 'MULTI') inMulti = true;
        if (step.conn === 'a' && (name === 'EXEC' || name === 'DISCARD')) inMulti = false;
        if (!blocking.test(name) || (inMulti && step.conn === 'a') || step.cmd === 'WRONG-ARITY') continue;
        const timeout = /^B.MPOP$/i.test(name) ? step.argv[1]! : step.argv[step.argv.length - 1]!;
        const long = ['0', '-0', '1e-400', '0x10'].includes(timeout) || (/^[0-9.]+$/.test(timeout) && Number(timeout) >= 0.1);
        assert.ok(!long, `seed ${seed}: ${step.argv.join(' ')}`);
      }
    }
  });
});

const availability = oracleAvailability();

if (!availability.ok && availability.fail) {
  test('differential tests need redis-server', () => {
    assert.fail(`${availability.message} (CI is set, so this is a failure, not a skip)`);
  });
} else {
  const skip = availability.ok ? false : availability.message;
  describe(`differential: collections, redis-server vs ${target === 'redis' ? 'redis-server' : `Cairn (${cairnKind})`}`, { skip }, () => {
    let oracle: RedisOracle;
    let subject: { port: number; stop(): Promise<void> };
    let names: [string, string];
    let sent = 0;
    let clean = 0;

    before(async () => {
      oracle = await startRedis({ args: [...ORACLE_ARGS] });
      if (target === 'redis') subject = await startRedis({ args: [...ORACLE_ARGS] });
      else subject = cairnKind === 'process' ? await startCairnProcess() : await startCairnInProcess({ seed: 1 });
      names = [`redis ${oracle.version}`, target === 'redis' ? 'redis #2' : 'cairn'];
    });

    after(async () => {
      await Promise.allSettled([oracle?.stop(), subject?.stop()]);
    });

    test('the oracle runs with Cairn\'s encoding thresholds', async () => {
      const client = await RespClient.connect(oracle.port);
      try {
        const reply = await client.send('CONFIG', 'GET', '*-max-*');
        assert.equal(reply.t, 'array');
        const config = new Map<string, string>();
        if (reply.t === 'array') for (let i = 0; i + 1 < reply.v.length; i += 2) config.set(show(reply.v[i]!), show(reply.v[i + 1]!));
        for (let i = 0; i < ORACLE_ARGS.length; i += 2) {
          const name = ORACLE_ARGS[i]!.slice(2);
          if (name === 'hz') continue;
          assert.equal(config.get(`"${name}"`), `"${ORACLE_ARGS[i + 1]}"`, name);
        }
      } finally {
        client.close();
      }
    });

    if (target === 'cairn') {
      // TEMPORARY, while NOT_YET_SERVED_BY_CAIRN is not empty. This test fails as soon as Cairn
      // serves one of them, so the exclusion cannot outlive its reason...
      test('commands left out of the sequences are still unknown to Cairn', async () => {
        const client = await RespClient.connect(subject.port);
        try {
          const served: string[] = [];
          for (const cmd of NOT_YET_SERVED_BY_CAIRN) {
            const reply = await client.send(cmd, 'l1');
            if (!(reply.t === 'error' && reply.v.startsWith('ERR unknown command'))) served.push(`${cmd} (${show(reply)})`);
          }
          assert.deepEqual(served, [], 'Cairn serves these now: remove them from NOT_YET_SERVED_BY_CAIRN in test/differential/collections.ts');
        } finally {
          client.close();
        }
      });
      // ... and this one keeps the list visible in every run (a to-do does not fail the run).
      test(`commands left out until Cairn serves them: ${[...NOT_YET_SERVED_BY_CAIRN].join(', ') || 'none'}`, { todo: NOT_YET_SERVED_BY_CAIRN.size > 0 }, () => {
        assert.equal(NOT_YET_SERVED_BY_CAIRN.size, 0, 'commands still left out of the sequences');
      });
    }

    // Sequences distilled from differences found by the survey (regressions.ts), every run.
    if (env.DIFF_SEED === undefined) {
      for (const regression of REGRESSIONS) {
        test(`regression: ${regression.name}`, async () => {
          const [expected, actual] = await Promise.all([replay(oracle.port, regression.steps), replay(subject.port, regression.steps)]);
          for (let i = 0; i < regression.steps.length; i++) {
            const step = regression.steps[i]!;
            const same = step.compare === 'type' ? sameShape(expected[i]!, actual[i]!) : sameReply(expected[i]!, actual[i]!);
            if (!same) {
              const command = step.argv.map((a) => `"${escapeBytes(argBytes(a))}"`).join(' ');
              assert.fail(
                [
                  `Differential mismatch in a fixed sequence (${regression.found}): step ${i + 1} of ${regression.steps.length}`,
                  `  command: ${command.length > 300 ? command.slice(0, 300) + '...' : command}`,
                  `  ${names[0]}: ${show(expected[i]!)}`,
                  `  ${names[1]}: ${show(actual[i]!)}`,
                  `  the whole sequence (from an empty database): test/differential/regressions.ts, "${regression.name}"`,
                ].join('\n'),
              );
            }
          }
        });
      }
    }

    for (const seed of seeds) {
      const resp = respForSeed(seed);
      test(`seed ${seed}: ${count} steps over RESP${resp}`, { timeout: 60_000 }, async (t) => {
        const reference: Endpoint = { name: names[0], port: oracle.port };
        const other: Endpoint = { name: names[1], port: subject.port };
        const result = await runSeed({ seed, count, resp, reference, subject: other, exclude, generator, trackEncodings: true, ...(trace ? { trace } : {}) });
        sent += result.commandsSent;
        t.diagnostic(`${result.commandsSent} commands sent to each server`);
        if (result.mismatch !== null) {
          const where = ((subject as Partial<CairnServer>).log?.() ?? '').slice(-2000);
          assert.fail(formatMismatch(result.mismatch, { count, names, testFile: TEST_FILE, extraEnv: replayEnv() }) + (where ? `\n  server log (tail):\n${where}` : ''));
        }
        clean++;
      });
    }

    test(`a full run sends at least ${MIN_COMMANDS_PER_RUN} commands to each server`, (t) => {
      t.diagnostic(`${sent} commands sent to each server over ${seeds.length} seed(s), ${clean} clean`);
      if (!defaultRun || clean < seeds.length) {
        t.skip(defaultRun ? 'some seeds stopped at a mismatch' : 'not the default run');
        return;
      }
      assert.ok(sent >= MIN_COMMANDS_PER_RUN, `only ${sent} commands`);
    });
  });
}

/** Runs a fixed sequence from an empty server on a fresh connection (RESP2). */
async function replay(port: number, steps: readonly RegressionStep[]): Promise<RespValue[]> {
  const client = await RespClient.connect(port, { timeoutMs: 20_000 });
  try {
    await client.send('FLUSHALL');
    return await client.pipeline(steps.map((s) => s.argv));
  } finally {
    client.close();
  }
}

/** Same RESP type and, for aggregates, the same length (for random replies). */
function sameShape(a: RespValue, b: RespValue): boolean {
  if (a.t !== b.t) return false;
  if ((a.t === 'array' || a.t === 'set') && (b.t === 'array' || b.t === 'set')) return a.v.length === b.v.length;
  return a.t === 'bulk' || sameReply(a, b);
}
