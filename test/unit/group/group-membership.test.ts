// The replica group's member registry and the context of its conf changes: byte formats (round
// trips, damaged bytes decode to null and never throw), bootstrap ids every member agrees on,
// applying changes, and seeding the Raft membership of a node that joined with none.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { decodeConfChange, encodeConfChange } from '../../../src/core/raft/conf-change.js';
import { RawNode } from '../../../src/core/raft/raw-node.js';
import { MemoryStorage } from '../../../src/core/raft/storage.js';
import { decodeChangeContext, encodeChangeContext, GroupMembership, isNodeId, joinerRaftId, memberNodeId, type MemberRecord } from '../../../src/io/group/group-membership.js';
import { planGroup, planJoin } from '../../../src/io/group/group-peers.js';
import { checkGroupOrigin } from '../../../src/io/group/group-origin.js';
import { MemoryFileSystem } from '../../../src/io/persistence/memory-file-system.js';
import { MembershipAdmin, parseMemberAddress, type MembershipHost } from '../../../src/io/group/membership-admin.js';
import { mulberry32 } from '../../helpers/mulberry32.js';
import { testEngine } from '../../helpers/engine.js';
import { repoRoot } from '../../helpers/cairn-server.js';

function plan(port: number) {
  const p = planGroup('127.0.0.1:7001,127.0.0.1:7002@17777,127.0.0.1:7003', port, ['127.0.0.1'], 0);
  assert.ok(typeof p !== 'string');
  return p;
}

const joiner: MemberRecord = { id: joinerRaftId('ab'.repeat(20)), nodeId: 'ab'.repeat(20), host: '10.0.0.4', port: 7004, busPort: 17004, role: 'learner' };

describe('member registry', () => {
  test('every member of group-peers bootstraps the same registry, with derived node ids', () => {
    const a = GroupMembership.bootstrap(plan(7001).members);
    const b = GroupMembership.bootstrap(plan(7003).members);
    assert.deepEqual(Buffer.from(a.encode()), Buffer.from(b.encode()));
    assert.deepEqual(a.list().map((m) => [m.id, m.port, m.busPort, m.role]), [[1, 7001, 17001, 'voter'], [2, 7002, 17777, 'voter'], [3, 7003, 17003, 'voter']]);
    assert.equal(a.get(2)!.nodeId, memberNodeId(plan(7001).members, 2));
    assert.ok(a.list().every((m) => isNodeId(m.nodeId)));
    assert.equal(new Set(a.list().map((m) => m.nodeId)).size, 3);
  });

  test('encode/decode round trip (the snapshot hook carries these bytes)', () => {
    const r = GroupMembership.bootstrap(plan(7001).members);
    r.replace([...r.list(), joiner]);
    const back = GroupMembership.decode(r.encode());
    assert.ok(back !== null);
    assert.deepEqual(back.list(), r.list());
    assert.deepEqual(GroupMembership.decode(new GroupMembership().encode())!.list(), []);
  });

  test('damaged registries decode to null, never throw', () => {
    const good = GroupMembership.bootstrap(plan(7001).members).encode();
    assert.equal(GroupMembership.decode(good.subarray(0, good.length - 1)), null, 'truncated');
    assert.equal(GroupMembership.decode(Uint8Array.from([...good, 0])), null, 'trailing byte');
    const v2 = good.slice();
    v2[0] = 2;
    assert.equal(GroupMembership.decode(v2), null, 'unknown version');
    const role = good.slice();
    role[1 + 4 + 8] = 7; // the first member's role byte
    assert.equal(GroupMembership.decode(role), null, 'bad role');
    const badId = good.slice();
    badId[1 + 4 + 8 + 1 + 2] = 'Z'.charCodeAt(0); // first character of the first node id
    assert.equal(GroupMembership.decode(badId), null, 'node id not hex');
    const dup = new GroupMembership([joiner]);
    const bytes = Buffer.from(dup.encode());
    const twice = Buffer.concat([bytes.subarray(0, 1), Buffer.from([0, 0, 0, 2]), bytes.subarray(5), bytes.subarray(5)]);
    assert.equal(GroupMembership.decode(twice), null, 'the same id twice');
    const rnd = mulberry32(7);
    for (let i = 0; i < 2000; i++) {
      const b = Uint8Array.from(good);
      const flips = 1 + Math.floor(rnd() * 4);
      for (let f = 0; f < flips; f++) b[Math.floor(rnd() * b.length)] = Math.floor(rnd() * 256);
      const cut = rnd() < 0.3 ? b.subarray(0, Math.floor(rnd() * b.length)) : b;
      const d = GroupMembership.decode(cut); // must not throw
      if (d !== null) assert.ok(d.list().every((m) => isNodeId(m.nodeId) && m.port > 0 && m.busPort > 0));
    }
  });

  test('applying changes: learner, voter, removal; roles follow Raft', () => {
    const r = GroupMembership.bootstrap(plan(7001).members);
    const ctx = { member: joiner, before: r.list() };
    r.applyChange({ type: 'add-learner', nodeId: joiner.id, context: encodeChangeContext(ctx) }, ctx, { voters: [1, 2, 3], learners: [joiner.id] });
    assert.equal(r.get(joiner.id)!.role, 'learner');
    assert.equal(r.find('10.0.0.4:7004')!.id, joiner.id);
    assert.equal(r.find('ab'.repeat(20))!.id, joiner.id);
    assert.equal(r.find('AB'.repeat(20))!.id, joiner.id, 'node ids are matched without case');
    r.applyChange({ type: 'add-node', nodeId: joiner.id, context: new Uint8Array(0) }, null, { voters: [1, 2, 3, joiner.id], learners: [] });
    assert.equal(r.get(joiner.id)!.role, 'voter');
    assert.equal(r.get(joiner.id)!.host, '10.0.0.4', 'the address stays without a context');
    r.applyChange({ type: 'remove-node', nodeId: 2, context: new Uint8Array(0) }, null, { voters: [1, 3, joiner.id], learners: [] });
    assert.deepEqual(r.list().map((m) => m.id), [1, 3, joiner.id]);
    assert.equal(r.find('127.0.0.1:7002'), undefined);
  });
});

describe('conf-change context', () => {
  test('round trip inside a conf change entry', () => {
    const before = GroupMembership.bootstrap(plan(7001).members).list();
    const context = encodeChangeContext({ member: joiner, before });
    const cc = decodeConfChange(encodeConfChange({ type: 'add-learner', nodeId: joiner.id, context }));
    assert.ok(cc !== null);
    assert.deepEqual(decodeChangeContext(cc.context), { member: joiner, before });
  });

  test('damaged contexts decode to null, never throw', () => {
    const context = encodeChangeContext({ member: joiner, before: GroupMembership.bootstrap(plan(7001).members).list() });
    assert.equal(decodeChangeContext(new Uint8Array(0)), null);
    assert.equal(decodeChangeContext(context.subarray(0, context.length - 3)), null);
    assert.equal(decodeChangeContext(Uint8Array.from([...context, 1])), null);
    const rnd = mulberry32(11);
    for (let i = 0; i < 2000; i++) {
      const b = Uint8Array.from(context);
      b[Math.floor(rnd() * b.length)] = Math.floor(rnd() * 256);
      decodeChangeContext(rnd() < 0.5 ? b : b.subarray(0, Math.floor(rnd() * b.length)));
    }
  });

  test('a node that joined with an empty log gets the group\'s membership from the first change it applies', () => {
    // Its storage is empty: the first members were in the leader's initial snapshot, not in the log.
    const node = new RawNode({ id: joiner.id, seed: 1 }, new MemoryStorage());
    const before = GroupMembership.bootstrap(plan(7001).members);
    const ctx = decodeChangeContext(encodeChangeContext({ member: joiner, before: before.list() }))!;
    const registry = new GroupMembership();
    registry.replace(ctx.before);
    for (const seed of registry.seedChanges()) node.applyConfChange(seed);
    const state = node.applyConfChange({ type: 'add-learner', nodeId: joiner.id, context: new Uint8Array(0) });
    assert.deepEqual(state, { voters: [1, 2, 3], learners: [joiner.id] });
    // Without the seed it would believe itself the only voter once promoted, and elect itself.
    const unseeded = new RawNode({ id: joiner.id, seed: 1 }, new MemoryStorage());
    unseeded.applyConfChange({ type: 'add-learner', nodeId: joiner.id, context: new Uint8Array(0) });
    assert.deepEqual(unseeded.applyConfChange({ type: 'add-node', nodeId: joiner.id, context: new Uint8Array(0) }), { voters: [joiner.id], learners: [] });
  });
});

describe('joining ids and addresses', () => {
  test('a joiner\'s Raft id comes from its node id, above every group-peers id', () => {
    assert.equal(joinerRaftId('00'.repeat(20)), 256);
    assert.equal(joinerRaftId('ff'.repeat(20)), 2 ** 48 - 1 + 256);
    assert.ok(Number.isSafeInteger(joinerRaftId('ff'.repeat(20))));
    assert.notEqual(joinerRaftId('ab'.repeat(20)), joinerRaftId('ac'.repeat(20)));
  });

  test('GROUP ADD addresses', () => {
    assert.deepEqual(parseMemberAddress('127.0.0.1:7004'), { host: '127.0.0.1', port: 7004, busPort: null });
    assert.deepEqual(parseMemberAddress('node-4.example:7004@17100'), { host: 'node-4.example', port: 7004, busPort: 17100 });
    assert.deepEqual(parseMemberAddress('[::1]:7004'), { host: '::1', port: 7004, busPort: null });
    for (const bad of ['7004', ':7004', 'h:0', 'h:65536', 'h:1@0', 'h:1@70000', 'a b:1', 'h:x', 'h:1,h:2']) assert.equal(parseMemberAddress(bad), null, bad);
  });
});

describe('GROUP on a server outside a group', () => {
  test('every subcommand but HELP says it needs a group; arity is checked', () => {
    const t = testEngine();
    for (const argv of [['GROUP', 'MEMBERS'], ['GROUP', 'ADD', '127.0.0.1:7000'], ['GROUP', 'REMOVE', '127.0.0.1:7000'], ['GROUP', 'HELLO', '00']]) {
      assert.deepEqual(t.run(...argv), { error: 'ERR GROUP is only available on a replica group member (cairn server --group-peers)' }, argv.join(' '));
    }
    assert.match(String((t.run('GROUP', 'ADD') as { error: string }).error), /wrong number of arguments/);
    assert.ok((t.run('GROUP', 'HELP') as string[]).some((l) => l.startsWith('ADD <host:port[@busport]>')));
  });
});

describe('the members section of a Raft snapshot', () => {
  test('membersSnapshot / restoreMembers: a round trip that sets the peer links; bad bytes change nothing', () => {
    const peerSets: Array<Map<number, { host: string; port: number }>> = [];
    let changed = 0;
    const members = GroupMembership.bootstrap(plan(7001).members);
    const host = {
      self: members.get(1)!,
      links: { setPeers: (p: Map<number, { host: string; port: number }>) => peerSets.push(p) },
      membersChanged: () => changed++,
    } as unknown as MembershipHost;
    const admin = new MembershipAdmin(host, new GroupMembership(), 1000);
    try {
      assert.equal(admin.isMember, false);
      const bytes = members.encode();
      assert.equal(admin.restoreMembers(bytes), true);
      assert.equal(admin.isMember, true);
      assert.deepEqual(admin.registry.list(), members.list());
      assert.deepEqual(Buffer.from(admin.membersSnapshot()), Buffer.from(bytes));
      assert.deepEqual([...peerSets.at(-1)!.entries()], [[2, { host: '127.0.0.1', port: 17777 }], [3, { host: '127.0.0.1', port: 17003 }]]);
      assert.equal(changed, 1);
      assert.equal(admin.restoreMembers(bytes.subarray(1)), false);
      assert.deepEqual(admin.registry.list(), members.list());
      assert.equal(changed, 1);
    } finally {
      admin.close();
    }
  });
});

describe('group origin', () => {
  test('recorded on the first start; a restart with another list or mode is refused with the reason', () => {
    const fs = new MemoryFileSystem();
    assert.equal(checkGroupOrigin(fs, '/d/raft', plan(7001)), null);
    assert.equal(checkGroupOrigin(fs, '/d/raft', plan(7001)), null, 'the same list again');
    const busMoved = planGroup('127.0.0.1:7001@9001,127.0.0.1:7002,127.0.0.1:7003', 7001, ['127.0.0.1'], 0);
    assert.ok(typeof busMoved !== 'string');
    assert.equal(checkGroupOrigin(fs, '/d/raft', busMoved), null, 'bus ports may change');
    const shorter = planGroup('127.0.0.1:7001', 7001, ['127.0.0.1'], 0);
    assert.ok(typeof shorter !== 'string');
    assert.match(checkGroupOrigin(fs, '/d/raft', shorter)!, /group-peers differs from the list this member started with \(127\.0\.0\.1:7001,127\.0\.0\.1:7002,127\.0\.0\.1:7003\)/);
    const join = planJoin('ab'.repeat(20), joinerRaftId('ab'.repeat(20)), 7001, ['127.0.0.1'], 0);
    assert.ok(typeof join !== 'string');
    assert.match(checkGroupOrigin(fs, '/d/raft', join)!, /start it with that list, not group-join/);
    assert.equal(checkGroupOrigin(fs, '/j/raft', join), null);
    assert.equal(checkGroupOrigin(fs, '/j/raft', join), null);
    assert.match(checkGroupOrigin(fs, '/j/raft', plan(7001))!, /joined its group \(join abab/);
    const other = planJoin('cd'.repeat(20), joinerRaftId('cd'.repeat(20)), 7001, ['127.0.0.1'], 0);
    assert.ok(typeof other !== 'string');
    assert.match(checkGroupOrigin(fs, '/j/raft', other)!, /joined its group/, 'another node id (nodes.conf replaced)');
  });
});

describe('pinned formats', () => {
  // Conf-change contexts live in the Raft log on disk and registries will live in Raft snapshots:
  // their bytes must not drift (a change bumps the version and keeps reading version 1).
  // Regenerate only when bumping a version: CAIRN_UPDATE_GOLDEN=1.
  const golden = (name: string, actual: Uint8Array): void => {
    const file = path.join(repoRoot(), 'test', 'golden', name);
    if (process.env.CAIRN_UPDATE_GOLDEN === '1') writeFileSync(file, actual);
    assert.equal(Buffer.from(actual).toString('hex'), readFileSync(file).toString('hex'), `${name} changed: the format must not drift (bump its version instead)`);
  };

  test('the member registry and the conf-change context, byte for byte', () => {
    const registry = GroupMembership.bootstrap(plan(7001).members);
    golden('group-members-v1.bin', registry.encode());
    const context = encodeChangeContext({ member: joiner, before: registry.list() });
    golden('group-change-context-v1.bin', context);
    assert.deepEqual(decodeChangeContext(readFileSync(path.join(repoRoot(), 'test', 'golden', 'group-change-context-v1.bin'))), { member: joiner, before: registry.list() });
  });
});
