// Differential test: seeded random sequences of string, key, expiry, database and transaction
// commands, sent to a real redis-server and to Cairn; every reply must match (under the rules
// of normalize.ts, documented in docs/differences.md).
//
//   node --test dist/test/differential/strings-keys.diff.test.js        all seeds
//   DIFF_SEED=7 DIFF_COUNT=1000 node --test dist/...diff.test.js        replay one seed
//   DIFF_TRACE=1 ...                                                    print every command
//   DIFF_TARGET=redis ...        compare redis-server with a second redis-server (harness check)
//   DIFF_CAIRN=process ...       run Cairn as a child process (node bin/cairn.js server)
//   DIFF_EXCLUDE=LCS,SCAN ...    leave commands out (to look past a known mismatch; never in CI)
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startRedis, oracleAvailability, type RedisOracle } from '../helpers/redis-oracle.js';
import { startCairnInProcess, startCairnProcess, type CairnServer } from '../helpers/cairn-server.js';
import { NOT_YET_IN_CAIRN } from './generator.js';
import { formatMismatch, respForSeed, runSeed, type Endpoint } from './runner.js';

const TEST_FILE = 'dist/test/differential/strings-keys.diff.test.js';
const DEFAULT_SEEDS = 40;
const DEFAULT_COUNT = 1000;

const env = process.env;
const seeds = env.DIFF_SEED !== undefined ? [Number(env.DIFF_SEED)] : Array.from({ length: DEFAULT_SEEDS }, (_, i) => i + 1);
const count = env.DIFF_COUNT !== undefined ? Number(env.DIFF_COUNT) : DEFAULT_COUNT;
const target = env.DIFF_TARGET === 'redis' ? 'redis' : 'cairn';
const cairnKind = env.DIFF_CAIRN === 'process' ? 'process' : 'in-process';
const exclude = new Set((env.DIFF_EXCLUDE ?? '').split(',').map((s) => s.trim().toUpperCase()).filter((s) => s !== ''));
const trace = env.DIFF_TRACE ? (line: string) => process.stderr.write(line + '\n') : undefined;

if (seeds.some((s) => !Number.isSafeInteger(s) || s < 0)) throw new Error(`DIFF_SEED must be a non-negative integer, got ${env.DIFF_SEED}`);
if (!Number.isSafeInteger(count) || count < 1) throw new Error(`DIFF_COUNT must be a positive integer, got ${env.DIFF_COUNT}`);

/** The settings of this run that a replay needs besides the seed and count. */
function replayEnv(): string {
  const parts: string[] = [];
  if (target === 'redis') parts.push('DIFF_TARGET=redis');
  if (cairnKind === 'process') parts.push('DIFF_CAIRN=process');
  if (exclude.size > 0) parts.push(`DIFF_EXCLUDE=${[...exclude].join(',')}`);
  return parts.join(' ');
}

const availability = oracleAvailability();

if (!availability.ok && availability.fail) {
  test('differential tests need redis-server', () => {
    assert.fail(`${availability.message} (CI is set, so this is a failure, not a skip)`);
  });
} else {
  const skip = availability.ok ? false : availability.message;
  describe(`differential: strings and keys, redis-server vs ${target === 'redis' ? 'redis-server' : `Cairn (${cairnKind})`}`, { skip }, () => {
    let oracle: RedisOracle;
    let subject: { port: number; stop(): Promise<void> };
    let names: [string, string];

    before(async () => {
      oracle = await startRedis();
      if (target === 'redis') subject = await startRedis();
      else subject = cairnKind === 'process' ? await startCairnProcess() : await startCairnInProcess({ seed: 1 });
      names = [`redis ${oracle.version}`, target === 'redis' ? 'redis #2' : 'cairn'];
    });

    after(async () => {
      await Promise.allSettled([oracle?.stop(), subject?.stop()]);
    });

    test('no command is left out of the generator (NOT_YET_IN_CAIRN is empty)', () => {
      assert.deepEqual([...NOT_YET_IN_CAIRN], [], 'commands still excluded while Cairn implements them');
    });

    for (const seed of seeds) {
      const resp = respForSeed(seed);
      test(`seed ${seed}: ${count} commands over RESP${resp}`, { timeout: 60_000 }, async () => {
        const reference: Endpoint = { name: names[0], port: oracle.port };
        const other: Endpoint = { name: names[1], port: subject.port };
        const result = await runSeed({ seed, count, resp, reference, subject: other, exclude, ...(trace ? { trace } : {}) });
        if (result.mismatch !== null) {
          const where = ((subject as Partial<CairnServer>).log?.() ?? '').slice(-2000);
          assert.fail(formatMismatch(result.mismatch, { count, names, testFile: TEST_FILE, extraEnv: replayEnv() }) + (where ? `\n  server log (tail):\n${where}` : ''));
        }
      });
    }
  });
}
