// The simulator's building blocks: seeded streams, the event queue, the network (delays, loss,
// duplication, ordering, partitions) and the clocks.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { SimClock } from '../../../sim/clock.js';
import { EventQueue } from '../../../sim/event-queue.js';
import { CALM_LINK, SimNetwork, type LinkConfig, type NodeId } from '../../../sim/network.js';
import { Random } from '../../../sim/random.js';

describe('Random', () => {
  test('the same seed gives the same stream; different seeds differ', () => {
    const a = new Random(42);
    const b = new Random(42);
    const c = new Random(43);
    const xs = Array.from({ length: 50 }, () => a.u32());
    assert.deepEqual(Array.from({ length: 50 }, () => b.u32()), xs);
    assert.notDeepEqual(Array.from({ length: 50 }, () => c.u32()), xs);
  });

  test('seeds beyond 32 bits are distinct', () => {
    assert.notEqual(new Random(1).u32(), new Random(1 + 2 ** 32).u32());
  });

  test('forks depend on the seed and the label only, not on draws made before', () => {
    const a = new Random(7);
    a.u32();
    a.u32();
    const b = new Random(7);
    assert.equal(a.fork('net').u32(), b.fork('net').u32());
    assert.notEqual(b.fork('net').u32(), b.fork('disk').u32());
  });

  test('helpers stay in range', () => {
    const r = new Random(3);
    for (let i = 0; i < 2000; i++) {
      const n = r.int(-3, 4);
      assert.ok(n >= -3 && n <= 4 && Number.isInteger(n));
      const f = r.float();
      assert.ok(f >= 0 && f < 1);
    }
    assert.equal(r.chance(0), false);
    assert.equal(r.chance(1), true);
    assert.deepEqual(r.shuffle([1, 2, 3, 4, 5]).sort(), [1, 2, 3, 4, 5]);
    for (let i = 0; i < 100; i++) assert.equal(r.weighted([[0, 'never'], [1, 'always']]), 'always');
    assert.throws(() => r.pick([]), RangeError);
    assert.throws(() => new Random(-1), RangeError);
  });
});

describe('EventQueue', () => {
  test('runs events by time, ties in scheduling order', () => {
    const q = new EventQueue();
    const seen: string[] = [];
    q.at(5, () => seen.push('a5'));
    q.at(1, () => seen.push('b1'));
    q.at(5, () => seen.push('c5'));
    q.at(1, () => {
      seen.push('d1');
      q.after(0, () => seen.push('e1'));
    });
    q.runUntil(10);
    assert.deepEqual(seen, ['b1', 'd1', 'e1', 'a5', 'c5']);
    assert.equal(q.now, 10);
    assert.throws(() => q.at(3, () => {}), RangeError);
  });
});

/** A network over nodes 1..3 that records arrivals. */
function net(seed = 1, link: LinkConfig = CALM_LINK, down: ReadonlySet<NodeId> = new Set()): { q: EventQueue; n: SimNetwork; got: Array<[NodeId, NodeId, string, number]> } {
  const q = new EventQueue();
  const got: Array<[NodeId, NodeId, string, number]> = [];
  const n = new SimNetwork(q, new Random(seed), [1, 2, 3], (from, to, bytes) => {
    if (down.has(to)) return false;
    got.push([from, to, new TextDecoder().decode(bytes), q.now]);
    return true;
  }, link);
  return { q, n, got };
}

const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);

describe('SimNetwork', () => {
  test('delays stay within the link distribution and bytes are counted', () => {
    const { q, n, got } = net();
    for (let i = 0; i < 100; i++) n.send(1, 2, bytes(`m${i}`));
    q.runUntil(1_000_000);
    assert.equal(got.length, 100);
    for (const [, , , at] of got) assert.ok(at >= CALM_LINK.delay.minUs && at <= CALM_LINK.delay.maxUs);
    assert.equal(n.stats.sent, 100);
    assert.equal(n.stats.delivered, 100);
    assert.equal(n.stats.sentBytes, got.reduce((s, g) => s + g[2].length, 0));
    assert.equal(n.stats.inFlight, 0);
  });

  test('a FIFO link keeps order; a reordering link does not', () => {
    const fifo = net(2, { ...CALM_LINK, delay: { minUs: 10, maxUs: 50_000, tailProbability: 0, tailMaxUs: 0 } });
    for (let i = 0; i < 50; i++) fifo.n.send(1, 2, bytes(String(i)));
    fifo.q.runUntil(1_000_000);
    assert.deepEqual(fifo.got.map((g) => Number(g[2])), Array.from({ length: 50 }, (_, i) => i));
    const loose = net(2, { ...CALM_LINK, fifo: false, delay: { minUs: 10, maxUs: 50_000, tailProbability: 0, tailMaxUs: 0 } });
    for (let i = 0; i < 50; i++) loose.n.send(1, 2, bytes(String(i)));
    loose.q.runUntil(1_000_000);
    const order = loose.got.map((g) => Number(g[2]));
    assert.equal(order.length, 50);
    assert.notDeepEqual(order, [...order].sort((a, b) => a - b));
  });

  test('loss drops, duplication delivers twice', () => {
    const lossy = net(3, { ...CALM_LINK, lossProbability: 1 });
    lossy.n.send(1, 2, bytes('x'));
    lossy.q.runUntil(1_000_000);
    assert.equal(lossy.got.length, 0);
    assert.equal(lossy.n.stats.droppedLoss, 1);
    const dup = net(3, { ...CALM_LINK, duplicateProbability: 1 });
    dup.n.send(1, 2, bytes('x'));
    dup.q.runUntil(1_000_000);
    assert.equal(dup.got.length, 2);
    assert.equal(dup.n.stats.duplicated, 1);
  });

  test('one-way partitions block one direction only', () => {
    const { q, n, got } = net();
    n.blockOneWay(1, 2);
    n.send(1, 2, bytes('lost'));
    n.send(2, 1, bytes('arrives'));
    n.send(1, 3, bytes('arrives too'));
    q.runUntil(1_000_000);
    assert.deepEqual(got.map((g) => g[2]).sort(), ['arrives', 'arrives too']);
    assert.equal(n.describePartitions(), '1->2');
  });

  test('isolate, split and heal', () => {
    const { q, n, got } = net();
    n.isolate(3);
    assert.ok(n.isBlocked(1, 3) && n.isBlocked(3, 2) && !n.isBlocked(1, 2));
    n.heal();
    n.split([[1], [2, 3]]);
    assert.ok(n.isBlocked(1, 2) && n.isBlocked(3, 1) && !n.isBlocked(2, 3));
    n.heal();
    n.send(1, 3, bytes('ok'));
    q.runUntil(1_000_000);
    assert.equal(got.length, 1);
  });

  test('a partition that starts while a message travels drops it', () => {
    const { q, n, got } = net();
    n.send(1, 2, bytes('in flight'));
    n.blockBoth(1, 2);
    q.runUntil(1_000_000);
    assert.equal(got.length, 0);
    assert.equal(n.stats.droppedPartition, 1);
  });

  test('messages to a node that is down are dropped and counted', () => {
    const { q, n, got } = net(1, CALM_LINK, new Set([2]));
    n.send(1, 2, bytes('x'));
    q.runUntil(1_000_000);
    assert.equal(got.length, 0);
    assert.equal(n.stats.droppedNodeDown, 1);
  });

  test('bandwidth serializes large messages on a link', () => {
    const { q, n, got } = net(1, { ...CALM_LINK, delay: { minUs: 0, maxUs: 0, tailProbability: 0, tailMaxUs: 0 }, bytesPerMs: 1000 });
    n.send(1, 2, new Uint8Array(1000));
    n.send(1, 2, new Uint8Array(1000));
    q.runUntil(10_000_000);
    assert.deepEqual(got.map((g) => g[3]), [0, 1000]);
  });
});

describe('SimClock', () => {
  test('rates stay within the bound; the monotonic clock never goes back', () => {
    let now = 0;
    const c = new SimClock(() => now, 0.01);
    c.setRate(5);
    assert.equal(c.driftRate, 1.01);
    now = 1_000_000;
    assert.equal(c.monotonicMicros(), 1_010_000);
    c.setRate(0.5);
    assert.equal(c.driftRate, 0.99);
    now = 2_000_000;
    assert.equal(c.monotonicMicros(), 1_010_000 + 990_000);
    const at = c.globalAt(2_500_000);
    now = at;
    assert.ok(c.monotonicMicros() >= 2_499_999 && c.monotonicMicros() <= 2_500_001);
  });

  test('a wall-clock step leaves the monotonic clock alone', () => {
    let now = 5_000;
    const c = new SimClock(() => now, 0);
    const mono = c.monotonicMicros();
    const wall = c.wallMillis();
    c.stepWall(-1500);
    assert.equal(c.monotonicMicros(), mono);
    assert.equal(c.wallMillis(), wall - 1500);
    now += 1000;
    assert.equal(c.wallMillis(), wall - 1499);
  });
});
