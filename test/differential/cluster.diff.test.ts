// Differential test of cluster mode: redis-server with cluster-enabled (one node owning every
// slot) against Cairn with cluster-enabled. The strings/keys sequences run on both, so CROSSSLOT,
// the database-0-only rules and transactions across slots are compared command by command; then
// seeded keys (binary, with and without hash tags) are compared by CLUSTER KEYSLOT,
// COUNTKEYSINSLOT and GETKEYSINSLOT, and CLUSTER INFO / SLOTS / SHARDS / NODES by shape.
//
//   node --test dist/test/differential/cluster.diff.test.js
//   DIFF_SEED=3 DIFF_COUNT=1000 node --test dist/test/differential/cluster.diff.test.js
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startRedis, oracleAvailability, type RedisOracle } from '../helpers/redis-oracle.js';
import { startCairnInProcess, type CairnServer } from '../helpers/cairn-server.js';
import { RespClient, show, type RespValue } from '../helpers/resp-client.js';
import { generate, KEYS, Rng, type GenerateOptions, type Step } from './generator.js';
import { formatMismatch, respForSeed, runSeed } from './runner.js';

const TEST_FILE = 'dist/test/differential/cluster.diff.test.js';
const env = process.env;
const seeds = env.DIFF_SEED !== undefined ? [Number(env.DIFF_SEED)] : [101, 102, 103, 104, 105, 106];
const count = env.DIFF_COUNT !== undefined ? Number(env.DIFF_COUNT) : 800;
const KEYS_COMPARED = 3000;
const trace = env.DIFF_TRACE ? (line: string) => process.stderr.write(line + '\n') : undefined;

const availability = oracleAvailability();

async function waitClusterOk(client: RespClient): Promise<void> {
  for (let i = 0; i < 200; i++) {
    const info = await client.send('CLUSTER', 'INFO');
    if (info.t === 'bulk' && info.v.toString('latin1').startsWith('cluster_state:ok')) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('redis-server did not reach cluster_state:ok within 10 s');
}

/**
 * The strings/keys sequences, made slot-safe where the generator relies on multi-key commands
 * for housekeeping: before DBSIZE (and SCAN TYPE none) it touches every key with one EXISTS so
 * that both servers reclaim keys set with a past EXAT; in cluster mode that EXISTS would be
 * refused (CROSSSLOT), so it becomes one EXISTS per key.
 */
function clusterSafeSequence(options: GenerateOptions): Step[] {
  const allKeys = KEYS.join('\u0000');
  const touchesAll = (argv: readonly string[]) => argv[0]!.toUpperCase() === 'EXISTS' && argv.slice(1).join('\u0000') === allKeys;
  return generate(options).flatMap((step): Step[] =>
    step.op === 'cmd' && touchesAll(step.argv) ? KEYS.map((key) => ({ ...step, argv: ['EXISTS', key] })) : [step],
  );
}

/** A random key: printable, binary, or around hash tags. */
function randomKey(rng: Rng): string {
  const alphabet = ['a', 'b', '{', '}', 'x', '\x00', '\xff', ':', '1'];
  const n = rng.int(13);
  let key = '';
  for (let i = 0; i < n; i++) key += rng.chance(0.7) ? rng.pick(alphabet) : String.fromCharCode(rng.int(256));
  return key;
}

if (!availability.ok && availability.fail) {
  test('the cluster differential test needs redis-server', () => {
    assert.fail(`${availability.message} (CI is set, so this is a failure, not a skip)`);
  });
} else {
  const skip = availability.ok ? false : availability.message;
  describe('differential: cluster mode, redis-server vs Cairn', { skip }, () => {
    let oracle: RedisOracle;
    let cairn: CairnServer;
    let r: RespClient;
    let c: RespClient;

    before(async () => {
      oracle = await startRedis({ args: ['--cluster-enabled', 'yes', '--cluster-config-file', 'nodes.conf'] });
      cairn = await startCairnInProcess({ seed: 1, config: { 'cluster-enabled': 'yes' } });
      r = await RespClient.connect(oracle.port);
      c = await RespClient.connect(cairn.port);
      assert.equal(show(await r.send('CLUSTER', 'ADDSLOTSRANGE', '0', '16383')), '+OK');
      await waitClusterOk(r);
    });

    after(async () => {
      r?.close();
      c?.close();
      await Promise.allSettled([oracle?.stop(), cairn?.stop()]);
    });

    for (const seed of seeds) {
      const resp = respForSeed(seed);
      test(`strings and keys in cluster mode, seed ${seed}: ${count} commands over RESP${resp}`, { timeout: 60_000 }, async () => {
        const result = await runSeed({
          seed, count, resp, reference: { name: `redis ${oracle.version}`, port: oracle.port }, subject: { name: 'cairn', port: cairn.port },
          generator: clusterSafeSequence,
          ...(trace ? { trace } : {}),
        });
        if (result.mismatch !== null) assert.fail(formatMismatch(result.mismatch, { count, names: [`redis ${oracle.version}`, 'cairn'], testFile: TEST_FILE }));
      });
    }

    test(`CLUSTER KEYSLOT, COUNTKEYSINSLOT and GETKEYSINSLOT agree on ${KEYS_COMPARED} seeded keys`, { timeout: 60_000 }, async () => {
      const rng = new Rng(4242);
      await r.send('FLUSHALL');
      await c.send('FLUSHALL');
      const slots = new Set<number>();
      for (let i = 0; i < KEYS_COMPARED; i++) {
        const key = randomKey(rng);
        const [expected, actual] = await Promise.all([r.send('CLUSTER', 'KEYSLOT', key), c.send('CLUSTER', 'KEYSLOT', key)]);
        assert.deepEqual(actual, expected, `CLUSTER KEYSLOT ${JSON.stringify(key)}`);
        if (i % 3 === 0) {
          await Promise.all([r.send('SET', key, 'v'), c.send('SET', key, 'v')]);
          assert.equal(expected.t, 'int');
          slots.add(Number((expected as { v: bigint }).v));
        }
      }
      for (const slot of slots) {
        const [expected, actual] = await Promise.all([r.send('CLUSTER', 'COUNTKEYSINSLOT', String(slot)), c.send('CLUSTER', 'COUNTKEYSINSLOT', String(slot))]);
        assert.deepEqual(actual, expected, `CLUSTER COUNTKEYSINSLOT ${slot}`);
        const sorted = (v: RespValue) => (v.t === 'array' ? v.v.map(show).sort() : [show(v)]);
        const [keysR, keysC] = await Promise.all([r.send('CLUSTER', 'GETKEYSINSLOT', String(slot), '1000'), c.send('CLUSTER', 'GETKEYSINSLOT', String(slot), '1000')]);
        assert.deepEqual(sorted(keysC), sorted(keysR), `CLUSTER GETKEYSINSLOT ${slot}`);
      }
    });

    test('argument errors and per-connection commands answer alike', async () => {
      const cases: string[][] = [
        ['CLUSTER', 'COUNTKEYSINSLOT', '16384'], ['CLUSTER', 'COUNTKEYSINSLOT', '-1'], ['CLUSTER', 'COUNTKEYSINSLOT', 'x'],
        ['CLUSTER', 'GETKEYSINSLOT', '0', '-1'], ['CLUSTER', 'GETKEYSINSLOT', 'x', '1'], ['CLUSTER', 'GETKEYSINSLOT', '16384', '1'],
        ['CLUSTER', 'KEYSLOT'], ['CLUSTER', 'NOSUCH'], ['CLUSTER', 'REPLICAS', 'abc'], ['READONLY'], ['READWRITE'], ['READONLY', 'x'],
        ['SELECT', '0'], ['SELECT', '1'], ['SELECT', 'x'], ['MOVE', 'k', '1'], ['SWAPDB', '0', '1'], ['COPY', 'a', 'b', 'DB', '0'],
        ['COPY', '{a}x', '{a}y', 'DB', '1'], ['MSET', 'a', '1', 'b', '2'], ['MSET', '{a}1', '1', '{a}2', '2'], ['GET', '{a}1'],
      ];
      for (const argv of cases) {
        const [expected, actual] = await Promise.all([r.send(...argv), c.send(...argv)]);
        assert.equal(show(actual), show(expected), argv.join(' '));
      }
    });

    test('CLUSTER INFO, SLOTS, SHARDS and NODES have the same shape (ids, addresses and ports aside)', async () => {
      const [infoR, infoC] = await Promise.all([r.send('CLUSTER', 'INFO'), c.send('CLUSTER', 'INFO')]);
      assert.equal(show(infoC), show(infoR));
      const text = (v: RespValue) => (v.t === 'bulk' ? v.v.toString('latin1') : show(v));
      const [myR, myC] = (await Promise.all([r.send('CLUSTER', 'MYID'), c.send('CLUSTER', 'MYID')])).map(text) as [string, string];
      const normalise = (text: string, id: string, port: number) =>
        text.split(id).join('<id>').replace(/127\.0\.0\.1/g, '').split(String(port + 10000)).join('<bus>').split(String(port)).join('<port>');
      for (const sub of ['SLOTS', 'SHARDS', 'NODES']) {
        const [expected, actual] = await Promise.all([r.send('CLUSTER', sub), c.send('CLUSTER', sub)]);
        assert.equal(normalise(show(actual), myC, cairn.port), normalise(show(expected), myR, oracle.port), `CLUSTER ${sub}`);
      }
    });
  });
}
