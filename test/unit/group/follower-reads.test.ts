// A follower's linearizable reads (src/io/group/follower-reads.ts): one ReadIndex request per
// event-loop turn, reads run only once the replica applied the index the leader answered, asked
// again of a new leader, refused once this node leads or when no answer comes in time.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { FollowerReads } from '../../../src/io/group/follower-reads.js';
import type { ReadIndexResult } from '../../../src/core/raft/index.js';
import { bulk, type Reply } from '../../../src/core/reply.js';
import type { Engine } from '../../../src/server/engine.js';
import type { Session } from '../../../src/server/session.js';
import type { CommandSpec } from '../../../src/core/commands/spec.js';
import type { ServerContext } from '../../../src/server/context.js';

const turn = (): Promise<void> => new Promise((r) => setImmediate(r));

function setup(timeoutMs = 60_000) {
  let nowMs = 1000;
  let state = 'old';
  const engine = {
    clock: { nowMs: () => nowMs },
    ks: { now: 0 },
    call: (_s: Session, _spec: unknown, argv: string[]) => bulk(`${argv[1]}=${state}`),
  } as unknown as Engine;
  const asked: string[] = [];
  let applied = 5;
  let following = true;
  const reads = new FollowerReads({
    engine, selfId: 2, timeoutMs, applied: () => applied, following: () => following,
    readIndex: (context): ReadIndexResult => {
      asked.push(context);
      return { kind: 'forwarded', to: 1 };
    },
  });
  const answers: Reply[] = [];
  const read = (key: string) => reads.add({
    session: {} as Session, spec: {} as CommandSpec<ServerContext>, argv: ['GET', key], fullName: 'get',
    serve: (reply) => void answers.push(reply()),
  });
  return {
    reads, asked, answers, read,
    setState: (v: string) => void (state = v),
    setApplied: (i: number) => void (applied = i),
    setFollowing: (f: boolean) => void (following = f),
    advance: (ms: number) => void (nowMs += ms),
  };
}

describe('FollowerReads', () => {
  test("the reads of one turn share a request and run once the leader's index is applied", async () => {
    const t = setup();
    t.read('a');
    t.read('b');
    assert.equal(t.asked.length, 0, 'asked at the end of the turn');
    await turn();
    assert.equal(t.asked.length, 1);
    assert.ok(t.reads.owns(t.asked[0]!));
    assert.equal(t.reads.owns('t1'), false);
    t.reads.readReady({ index: 9, context: t.asked[0]! });
    assert.equal(t.answers.length, 0, 'applied 5 < 9: not yet');
    t.setState('new');
    t.setApplied(9);
    t.reads.appliedThrough(9);
    assert.deepEqual(t.answers, [bulk('a=new'), bulk('b=new')]);
    t.reads.close();
  });

  test('an index already applied is served at once; an unknown context is ignored', async () => {
    const t = setup();
    t.read('a');
    await turn();
    t.reads.readReady({ index: 3, context: 'f9.someone-else.1' });
    assert.equal(t.answers.length, 0);
    t.reads.readReady({ index: 3, context: t.asked[0]! });
    assert.deepEqual(t.answers, [bulk('a=old')]);
    t.reads.close();
  });

  test('a new leader is asked again; the old answer no longer counts', async () => {
    const t = setup();
    t.read('a');
    await turn();
    t.reads.leaderChanged();
    assert.equal(t.asked.length, 2);
    assert.notEqual(t.asked[0], t.asked[1]);
    t.reads.readReady({ index: 1, context: t.asked[0]! });
    assert.equal(t.answers.length, 0);
    t.reads.readReady({ index: 1, context: t.asked[1]! });
    assert.equal(t.answers.length, 1);
    t.reads.close();
  });

  test('a node that became the leader answers TRYAGAIN rather than read its own state', async () => {
    const t = setup();
    t.read('a');
    await turn();
    t.read('b');
    await turn();
    t.reads.readReady({ index: 99, context: t.asked[1]! });
    t.reads.becameLeader();
    assert.equal(t.answers.length, 2);
    for (const a of t.answers) assert.match(String(a.v), /^TRYAGAIN/);
    // An answer racing the change is refused too.
    t.read('c');
    await turn();
    t.setFollowing(false);
    t.reads.readReady({ index: 1, context: t.asked[2]! });
    assert.match(String(t.answers[2]!.v), /^TRYAGAIN/);
    assert.equal(t.reads.pendingCount, 0);
    t.reads.close();
  });

  test('no answer in time: TRYAGAIN', async () => {
    const t = setup(100);
    t.read('a');
    await turn();
    t.advance(150);
    await new Promise((r) => setTimeout(r, 120));
    assert.equal(t.answers.length, 1);
    assert.match(String(t.answers[0]!.v), /^TRYAGAIN/);
    t.reads.close();
  });
});
