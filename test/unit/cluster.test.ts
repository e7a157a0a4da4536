// Hash slots, the cluster view's CLUSTER replies, slot routing, and cluster mode at admission.
// Expected slots and reply shapes were checked against redis-server 7.0.15 in cluster mode.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { crc16, keyHashSlot, SLOT_COUNT } from '../../src/core/cluster/slots.js';
import { route, type RouteQuery } from '../../src/core/cluster/routing.js';
import {
  clusterInfoText, clusterNodesText, clusterShardsReply, clusterSlotsReply, singleNodeView, slotOwners,
  type ClusterNodeView, type ClusterView,
} from '../../src/core/cluster/view.js';
import { decodeReply } from '../../src/server/decode.js';
import { enableClusterMode } from '../../src/server/cluster.js';
import { testEngine } from '../helpers/engine.js';

const A = 'a'.repeat(40);
const B = 'b'.repeat(40);
const C = 'c'.repeat(40);

function node(id: string, port: number, primary: boolean, primaryId: string | null, extra: Partial<ClusterNodeView> = {}): ClusterNodeView {
  return { id, ip: '127.0.0.1', port, busPort: port + 10000, primary, primaryId, connected: true, failed: false, configEpoch: 1, replicationOffset: 7, ...extra };
}

/** A replica group of three seen from `me`: A leads, B and C follow. */
function groupView(me: string, overrides: Partial<Record<string, Partial<ClusterNodeView>>> = {}): ClusterView {
  return {
    myId: me,
    currentEpoch: 3,
    nodes: [node(A, 7001, true, null, overrides[A]), node(B, 7002, false, A, overrides[B]), node(C, 7003, false, A, overrides[C])],
    shards: [{ ranges: [[0, SLOT_COUNT - 1]], nodeIds: [A, B, C] }],
    messagesSent: 10,
    messagesReceived: 12,
  };
}

describe('hash slots', () => {
  test('CRC16-XMODEM check value', () => {
    assert.equal(crc16('123456789'), 0x31c3);
    assert.equal(crc16(''), 0);
  });

  test('slots of keys as redis-server computes them', () => {
    // Recorded from CLUSTER KEYSLOT on redis-server 7.0.15.
    assert.equal(keyHashSlot('foo'), 12182);
    assert.equal(keyHashSlot('{}a{b}'), 16175);
    assert.equal(keyHashSlot('somekey'), 11058);
    assert.equal(keyHashSlot(''), 0);
  });

  test('hash tags: the first {...} with content decides', () => {
    assert.equal(keyHashSlot('{user1000}.following'), keyHashSlot('user1000'));
    assert.equal(keyHashSlot('{user1000}.followers'), keyHashSlot('{user1000}.following'));
    assert.equal(keyHashSlot('foo{}{bar}'), crc16('foo{}{bar}') % SLOT_COUNT); // empty first tag: whole key
    assert.equal(keyHashSlot('foo{{bar}}zap'), keyHashSlot('{bar')); // tag is '{bar'
    assert.equal(keyHashSlot('foo{bar}{zap}'), keyHashSlot('bar'));
    assert.equal(keyHashSlot('no-close{tag'), crc16('no-close{tag') % SLOT_COUNT);
  });

  test('binary keys hash by byte', () => {
    assert.equal(keyHashSlot('\u00ff\u0000\u0080'), crc16('\u00ff\u0000\u0080') & (SLOT_COUNT - 1));
    for (let i = 0; i < 256; i++) assert.ok(keyHashSlot(String.fromCharCode(i)) < SLOT_COUNT);
  });
});

describe('CLUSTER replies from a view', () => {
  test('a single node owns every slot', () => {
    const view = singleNodeView(A, '127.0.0.1', 7000);
    assert.deepEqual(decodeReply(clusterSlotsReply(view), false), [[0, 16383, ['127.0.0.1', 7000, A, new Map()]]]);
    assert.match(clusterInfoText(view), /^cluster_state:ok\r\ncluster_slots_assigned:16384\r\ncluster_slots_ok:16384\r\n/);
    assert.equal(clusterNodesText(view), `${A} 127.0.0.1:7000@17000 myself,master - 0 0 0 connected 0-16383\n`);
  });

  test('a group of three: leader first, replicas after, in SLOTS and SHARDS', () => {
    const view = groupView(B);
    assert.deepEqual(decodeReply(clusterSlotsReply(view), false), [[0, 16383, ['127.0.0.1', 7001, A, new Map()], ['127.0.0.1', 7002, B, new Map()], ['127.0.0.1', 7003, C, new Map()]]]);
    const shards = decodeReply(clusterShardsReply(view), false) as Array<Map<string, unknown>>;
    assert.equal(shards.length, 1);
    assert.deepEqual([...shards[0]!.keys()], ['slots', 'nodes']);
    assert.deepEqual(shards[0]!.get('slots'), [0, 16383]);
    const nodes = shards[0]!.get('nodes') as Array<Map<string, unknown>>;
    assert.deepEqual([...nodes[1]!.entries()], [
      ['id', B], ['port', 7002], ['ip', '127.0.0.1'], ['endpoint', '127.0.0.1'], ['role', 'replica'], ['replication-offset', 7], ['health', 'online'],
    ]);
    const lines = clusterNodesText(view).split('\n');
    assert.equal(lines[0], `${A} 127.0.0.1:7001@17001 master - 0 0 1 connected 0-16383`);
    assert.equal(lines[1], `${B} 127.0.0.1:7002@17002 myself,slave ${A} 0 0 1 connected`);
    assert.match(clusterInfoText(view), /cluster_known_nodes:3\r\ncluster_size:1\r\ncluster_current_epoch:3\r\ncluster_my_epoch:1\r\ncluster_stats_messages_sent:10\r\n/);
  });

  test('without a live leader the cluster is down and SLOTS lists nothing', () => {
    const view = groupView(B, { [A]: { failed: true, connected: false } });
    assert.deepEqual(decodeReply(clusterSlotsReply(view), false), []);
    assert.match(clusterInfoText(view), /cluster_state:fail\r\n.*\r\ncluster_slots_ok:0\r\n.*\r\ncluster_slots_fail:16384\r\n/);
    assert.match(clusterNodesText(view), new RegExp(`^${A} 127.0.0.1:7001@17001 master,fail - 0 0 1 disconnected 0-16383\\n`));
  });
});

describe('routing', () => {
  const q = (keys: string[], readOnly = false, clientReadOnly = false): RouteQuery => ({ keys, readOnly, clientReadOnly });

  test('the leader serves; keys in two slots are refused', () => {
    const view = groupView(A);
    const owners = slotOwners(view);
    assert.deepEqual(route(view, owners, q(['foo'])), { kind: 'local' });
    assert.deepEqual(route(view, owners, q([])), { kind: 'local' });
    assert.deepEqual(route(view, owners, q(['{t}a', '{t}b'])), { kind: 'local' });
    assert.deepEqual(route(view, owners, q(['a', 'b'])), { kind: 'crossslot' });
  });

  test('a follower redirects to the leader, except READONLY reads', () => {
    const view = groupView(C);
    const owners = slotOwners(view);
    const moved = route(view, owners, q(['foo']));
    assert.equal(moved.kind, 'moved');
    assert.equal(moved.kind === 'moved' && moved.slot, 12182);
    assert.equal(moved.kind === 'moved' && moved.node.port, 7001);
    assert.equal(route(view, owners, q(['foo'], true, false)).kind, 'moved');
    assert.equal(route(view, owners, q(['foo'], true, true)).kind, 'local');
    assert.equal(route(view, owners, q(['foo'], false, true)).kind, 'moved');
  });

  test('unowned slots and a leaderless cluster', () => {
    const partial: ClusterView = { ...groupView(A), shards: [{ ranges: [[0, 100]], nodeIds: [A, B, C] }] };
    assert.equal(route(partial, slotOwners(partial), q(['foo'])).kind, 'unbound');
    const down = groupView(B, { [A]: { failed: true } });
    assert.equal(route(down, slotOwners(down), q(['foo'])).kind, 'down');
  });
});

describe('cluster mode at admission', () => {
  function clusterEngine() {
    const t = testEngine();
    enableClusterMode(t.engine, singleNodeView(A, '127.0.0.1', 7000));
    return t;
  }

  test('standalone: every cluster command says cluster support is disabled', () => {
    const t = testEngine();
    const disabled = { error: 'ERR This instance has cluster support disabled' };
    assert.deepEqual(t.run('CLUSTER', 'KEYSLOT', 'foo'), disabled);
    assert.deepEqual(t.run('CLUSTER', 'INFO'), disabled);
    assert.deepEqual(t.run('CLUSTER', 'HELP'), disabled);
    assert.deepEqual(t.run('READONLY'), disabled);
    assert.deepEqual(t.run('MSET', 'a', '1', 'b', '2'), 'OK');
    assert.deepEqual(t.run('SELECT', '1'), 'OK');
  });

  test('CROSSSLOT for multi-key commands, one slot is fine', () => {
    const t = clusterEngine();
    assert.deepEqual(t.run('MSET', 'a', '1', 'b', '2'), { error: 'CROSSSLOT Keys in request don\'t hash to the same slot' });
    assert.equal(t.run('MSET', '{u}a', '1', '{u}b', '2'), 'OK');
    assert.deepEqual(t.run('MGET', '{u}a', '{u}b'), ['1', '2']);
    assert.equal(t.run('CLUSTER', 'KEYSLOT', 'foo'), 12182);
    assert.equal(t.run('CLUSTER', 'COUNTKEYSINSLOT', String(keyHashSlot('u'))), 2);
    assert.deepEqual((t.run('CLUSTER', 'GETKEYSINSLOT', String(keyHashSlot('u')), '10') as string[]).sort(), ['{u}a', '{u}b']);
    assert.deepEqual(t.run('CLUSTER', 'GETKEYSINSLOT', String(keyHashSlot('u')), '1'), ['{u}a']);
    assert.deepEqual(t.run('CLUSTER', 'COUNTKEYSINSLOT', '16384'), { error: 'ERR Invalid slot' });
    assert.deepEqual(t.run('CLUSTER', 'COUNTKEYSINSLOT', 'x'), { error: 'ERR value is not an integer or out of range' });
    assert.deepEqual(t.run('CLUSTER', 'GETKEYSINSLOT', '1', '-1'), { error: 'ERR Invalid slot or number of keys' });
    assert.deepEqual(t.run('CLUSTER', 'REPLICAS', 'nope'), { error: 'ERR Unknown node nope' });
    assert.deepEqual(t.run('CLUSTER', 'REPLICAS', A), []);
  });

  test('a transaction runs in one slot: a refused queued command dooms it, EXEC checks them all', () => {
    const t = clusterEngine();
    assert.equal(t.run('MULTI'), 'OK');
    assert.deepEqual(t.run('MSET', 'a', '1', 'b', '2'), { error: 'CROSSSLOT Keys in request don\'t hash to the same slot' });
    assert.deepEqual(t.run('EXEC'), { error: 'EXECABORT Transaction discarded because of previous errors.' });
    assert.equal(t.run('MULTI'), 'OK');
    assert.equal(t.run('SET', 'a', '1'), 'QUEUED');
    assert.equal(t.run('SET', 'b', '1'), 'QUEUED');
    assert.deepEqual(t.run('EXEC'), { error: 'CROSSSLOT Keys in request don\'t hash to the same slot' });
    assert.deepEqual(t.run('EXEC'), { error: 'ERR EXEC without MULTI' });
    assert.equal(t.run('GET', 'a'), null);
  });

  test('only database 0', () => {
    const t = clusterEngine();
    assert.equal(t.run('SELECT', '0'), 'OK');
    assert.deepEqual(t.run('SELECT', '1'), { error: 'ERR SELECT is not allowed in cluster mode' });
    assert.deepEqual(t.run('MOVE', 'k', '1'), { error: 'ERR MOVE is not allowed in cluster mode' });
    assert.deepEqual(t.run('SWAPDB', '0', '1'), { error: 'ERR SWAPDB is not allowed in cluster mode' });
    assert.deepEqual(t.run('COPY', 'k', '{k}x', 'DB', '1'), { error: 'ERR Copying to another database is not allowed in cluster mode' });
    assert.equal(t.run('READONLY'), 'OK');
    assert.equal(t.run('READWRITE'), 'OK');
    assert.match(t.run('INFO', 'cluster') as string, /cluster_enabled:1/);
  });
});
