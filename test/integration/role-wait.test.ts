// ROLE and WAIT on a server without replicas, compared reply for reply with redis-server 7.0:
// WAIT waits out its timeout and answers 0, answers at once when nothing is wanted or inside
// MULTI, and checks its arguments as Redis does.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { oracleAvailability, startRedis, type RedisOracle } from '../helpers/redis-oracle.js';
import { startCairnInProcess, type CairnServer } from '../helpers/cairn-server.js';
import { RespClient, show } from '../helpers/resp-client.js';

const availability = oracleAvailability();

describe('ROLE and WAIT without replicas, against redis-server', { skip: availability.ok ? false : availability.fail ? false : availability.message }, () => {
  let oracle: RedisOracle;
  let cairn: CairnServer;
  let r: RespClient;
  let c: RespClient;

  before(async () => {
    if (!availability.ok) assert.fail(availability.message);
    oracle = await startRedis();
    cairn = await startCairnInProcess();
    r = await RespClient.connect(oracle.port);
    c = await RespClient.connect(cairn.port);
  });

  after(async () => {
    r?.close();
    c?.close();
    await Promise.allSettled([oracle?.stop(), cairn?.stop()]);
  });

  const cases: string[][] = [
    ['ROLE'], ['ROLE', 'x'], ['WAIT', '0', '0'], ['WAIT', '0', '100'], ['WAIT', '-3', '0'], ['WAIT', '1', '30'], ['WAIT', '2', '1'],
    ['WAIT', 'x', '10'], ['WAIT', '1', '-1'], ['WAIT', '1', 'x'], ['WAIT', '1'], ['WAIT', '1', '1.5'],
    ['MULTI'], ['SET', 'k', 'v'], ['WAIT', '5', '0'], ['EXEC'],
  ];
  for (const argv of cases) {
    test(argv.join(' '), async () => {
      const [expected, actual] = await Promise.all([r.send(...argv), c.send(...argv)]);
      assert.equal(show(actual), show(expected));
    });
  }

  test('WAIT 1 0 blocks until CLIENT UNBLOCK, then answers 0', async () => {
    const waiter = await RespClient.connect(cairn.port);
    try {
      const id = await waiter.send('CLIENT', 'ID');
      const pending = waiter.send('WAIT', '1', '0');
      let answered = false;
      void pending.then(() => (answered = true));
      await new Promise((resolve) => setTimeout(resolve, 100));
      assert.equal(answered, false, 'WAIT with timeout 0 waits while no replica acknowledges');
      assert.equal(show(await c.send('CLIENT', 'UNBLOCK', show(id).slice(1))), ':1');
      assert.equal(show(await pending), ':0');
    } finally {
      waiter.close();
    }
  });
});
