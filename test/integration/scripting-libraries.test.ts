// Real libraries built on Redis scripting, running their normal flows against Cairn:
// BullMQ (whose job queue is a state machine in Lua scripts) and Redlock (lock release and
// extension are scripts). Both talk to Cairn over TCP through ioredis.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import { Queue, QueueEvents, Worker, type Job } from 'bullmq';
import { Redlock } from '@sesamecare-oss/redlock';
import { bounded, closeIoredis, HOST, startTarget, SUITE_TIMEOUT_MS, type Target } from '../helpers/drivers.js';

describe('BullMQ on Cairn', { timeout: SUITE_TIMEOUT_MS }, () => {
  let target: Target;
  const connection = () => ({ host: HOST, port: target.port, maxRetriesPerRequest: null });
  const closers: Array<() => Promise<unknown>> = [];

  before(async () => {
    target = await startTarget();
  });
  after(async () => {
    for (const close of closers.reverse()) await close().catch(() => undefined);
    await target.close();
  });

  it('adds jobs, a worker processes them and completion events arrive', async () => {
    const queue = new Queue('basic', { connection: connection() });
    const events = new QueueEvents('basic', { connection: connection() });
    closers.push(() => queue.close(), () => events.close());
    await events.waitUntilReady();
    const completed: string[] = [];
    events.on('completed', ({ jobId }) => completed.push(jobId));
    const worker = new Worker('basic', async (job: Job) => ({ doubled: (job.data as { n: number }).n * 2 }), { connection: connection() });
    closers.push(() => worker.close());
    const jobs = await Promise.all([1, 2, 3].map((n) => queue.add('double', { n })));
    const results = await bounded(Promise.all(jobs.map((j) => j.waitUntilFinished(events, 20_000))), 25_000, 'jobs to finish');
    assert.deepEqual(results, [{ doubled: 2 }, { doubled: 4 }, { doubled: 6 }]);
    assert.equal(await queue.getCompletedCount(), 3);
    const counts = await queue.getJobCounts('waiting', 'active', 'completed', 'failed', 'delayed');
    assert.deepEqual(counts, { waiting: 0, active: 0, completed: 3, failed: 0, delayed: 0 });
    await bounded((async () => { while (completed.length < 3) await new Promise((r) => setTimeout(r, 20)); })(), 10_000, 'completed events');
    assert.deepEqual([...completed].sort(), jobs.map((j) => j.id!).sort());
  });

  it('retries a failing job with backoff until it succeeds', async () => {
    const queue = new Queue('retries', { connection: connection() });
    const events = new QueueEvents('retries', { connection: connection() });
    closers.push(() => queue.close(), () => events.close());
    await events.waitUntilReady();
    let attempts = 0;
    const worker = new Worker('retries', async () => {
      attempts++;
      if (attempts < 3) throw new Error(`attempt ${attempts} fails`);
      return 'ok';
    }, { connection: connection() });
    closers.push(() => worker.close());
    const job = await queue.add('flaky', {}, { attempts: 5, backoff: { type: 'fixed', delay: 50 } });
    const result = await bounded(job.waitUntilFinished(events, 20_000), 25_000, 'retried job');
    assert.equal(result, 'ok');
    assert.equal(attempts, 3);
    const done = await queue.getJob(job.id!);
    assert.equal(done?.attemptsMade, 3);
  });

  it('keeps a job that exhausts its attempts as failed', async () => {
    const queue = new Queue('failing', { connection: connection() });
    closers.push(() => queue.close());
    const worker = new Worker('failing', async () => {
      throw new Error('always');
    }, { connection: connection() });
    closers.push(() => worker.close());
    const failed = new Promise<string>((resolve) => worker.on('failed', (job, err) => {
      if (job !== undefined && job.attemptsMade >= 2) resolve(err.message);
    }));
    await queue.add('bad', {}, { attempts: 2 });
    assert.equal(await bounded(failed, 20_000, 'failed job'), 'always');
    assert.equal(await queue.getFailedCount(), 1);
  });

  it('runs a delayed job only after its delay', async () => {
    const queue = new Queue('delayed', { connection: connection() });
    const events = new QueueEvents('delayed', { connection: connection() });
    closers.push(() => queue.close(), () => events.close());
    await events.waitUntilReady();
    const worker = new Worker('delayed', async (job: Job) => Date.now() - job.timestamp, { connection: connection() });
    closers.push(() => worker.close());
    const job = await queue.add('later', {}, { delay: 300 });
    assert.equal(await queue.getDelayedCount(), 1);
    const waited = await bounded(job.waitUntilFinished(events, 20_000), 25_000, 'delayed job') as number;
    assert.ok(waited >= 300, `ran after ${waited} ms`);
  });
});

describe('Redlock on Cairn', { timeout: SUITE_TIMEOUT_MS }, () => {
  let target: Target;
  let client: Redis;

  before(async () => {
    target = await startTarget();
    client = new Redis({ host: HOST, port: target.port });
  });
  after(async () => {
    await closeIoredis(client);
    await target.close();
  });

  it('acquires, extends and releases a lock; a second acquirer waits its turn', async () => {
    const redlock = new Redlock([client], { retryCount: 50, retryDelay: 20, retryJitter: 5 });
    const lock = await redlock.acquire(['resource:a'], 2000);
    assert.equal(await client.get('resource:a'), lock.value);
    const extended = await lock.extend(5000);
    const ttl = await client.pttl('resource:a');
    assert.ok(ttl > 2000 && ttl <= 5000, `ttl ${ttl}`);
    const contender = redlock.acquire(['resource:a'], 1000);
    await new Promise((r) => setTimeout(r, 100));
    await extended.release();
    const second = await bounded(contender, 5000, 'second lock');
    assert.equal(await client.get('resource:a'), second.value);
    assert.notEqual(second.value, lock.value);
    await second.release();
    assert.equal(await client.exists('resource:a'), 0);
  });

  it('refuses to release a lock that another holder owns', async () => {
    const redlock = new Redlock([client], { retryCount: 0 });
    const lock = await redlock.acquire(['resource:b'], 5000);
    await client.set('resource:b', 'someone-else');
    await assert.rejects(lock.release());
    assert.equal(await client.get('resource:b'), 'someone-else');
  });

  it('using() runs a routine under an auto-extended lock', async () => {
    const redlock = new Redlock([client], { retryCount: 10, retryDelay: 20, automaticExtensionThreshold: 100 });
    const value = await redlock.using(['resource:c'], 300, async () => {
      await new Promise((r) => setTimeout(r, 500));
      return client.exists('resource:c');
    });
    assert.equal(value, 1);
    assert.equal(await client.exists('resource:c'), 0);
  });
});
