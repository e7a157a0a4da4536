// The `stats` sections of the memcached listener, with memcached 1.6's field names and order for
// what Cairn has: counters, connections, memory, settings. Slab and LRU internals that Cairn does
// not have are left out rather than faked (docs/differences.md, memcached section).
import { MEMCACHED_COMPAT_VERSION } from '../version.js';
import type { MemcachedGate } from '../server/memcached-gate.js';

export interface ConnectionView {
  readonly id: number;
  readonly addr: string;
  readonly listenAddr: string;
  readonly lastCommandMs: number;
}

export interface StatsFacts {
  readonly gate: MemcachedGate;
  readonly port: number;
  readonly bind: string;
  readonly verbosity: number;
  connections(): ConnectionView[];
}

type Pairs = Array<readonly [string, string]>;

function seconds(micros: number): string {
  return `${Math.floor(micros / 1e6)}.${String(Math.floor(micros % 1e6)).padStart(6, '0')}`;
}

export function statsSection(section: string, f: StatsFacts): Pairs | null {
  switch (section) {
    case '':
      return general(f);
    case 'settings':
      return settings(f);
    case 'items':
      return items(f);
    case 'slabs':
      return slabs(f);
    case 'sizes':
      return [['sizes_status', 'disabled']];
    case 'conns':
      return conns(f);
    default:
      return null;
  }
}

function general(f: StatsFacts): Pairs {
  const { gate } = f;
  const engine = gate.engine;
  const mc = gate.executor;
  const s = mc.stats;
  const now = engine.clock.nowMs();
  const cpu = engine.hooks.cpu?.() ?? { user: 0, system: 0 };
  const c = gate.connections;
  return [
    ['pid', String(engine.process.pid)],
    ['uptime', String(Math.floor((now - gate.startedMs) / 1000))],
    ['time', String(Math.floor(now / 1000))],
    ['version', MEMCACHED_COMPAT_VERSION],
    ['pointer_size', '64'],
    ['rusage_user', seconds(cpu.user)],
    ['rusage_system', seconds(cpu.system)],
    ['max_connections', String(engine.config.int('maxclients'))],
    ['curr_connections', String(c.current)],
    ['total_connections', String(c.total)],
    ['rejected_connections', String(c.rejected)],
    ['cmd_get', String(s.cmdGet)],
    ['cmd_set', String(s.cmdSet)],
    ['cmd_flush', String(s.cmdFlush)],
    ['cmd_touch', String(s.cmdTouch)],
    ['cmd_meta', String(s.cmdMeta)],
    ['get_hits', String(s.getHits)],
    ['get_misses', String(s.getMisses)],
    ['get_expired', String(s.getExpired)],
    ['get_flushed', String(s.getFlushed)],
    ['delete_misses', String(s.deleteMisses)],
    ['delete_hits', String(s.deleteHits)],
    ['incr_misses', String(s.incrMisses)],
    ['incr_hits', String(s.incrHits)],
    ['decr_misses', String(s.decrMisses)],
    ['decr_hits', String(s.decrHits)],
    ['cas_misses', String(s.casMisses)],
    ['cas_hits', String(s.casHits)],
    ['cas_badval', String(s.casBadval)],
    ['touch_hits', String(s.touchHits)],
    ['touch_misses', String(s.touchMisses)],
    ['store_too_large', String(s.storeTooLarge)],
    ['store_no_memory', String(s.storeNoMemory)],
    ['auth_cmds', '0'],
    ['auth_errors', '0'],
    ['bytes_read', String(c.bytesRead)],
    ['bytes_written', String(c.bytesWritten)],
    ['limit_maxbytes', String(engine.eviction.maxmemory)],
    ['accepting_conns', '1'],
    ['threads', '1'],
    ['bytes', String(mc.db.usedBytes)],
    ['curr_items', String(mc.currentItems())],
    ['total_items', String(s.totalItems)],
    ['evictions', String(engine.ks.stats.evictedKeys)],
  ];
}

function settings(f: StatsFacts): Pairs {
  const engine = f.gate.engine;
  return [
    ['maxbytes', String(engine.eviction.maxmemory)],
    ['maxconns', String(engine.config.int('maxclients'))],
    ['tcpport', String(f.port)],
    ['udpport', '0'],
    ['inter', f.bind],
    ['verbosity', String(f.verbosity)],
    ['evictions', engine.eviction.policy === 'noeviction' ? 'off' : 'on'],
    ['cas_enabled', 'yes'],
    ['binding_protocol', 'auto-negotiate'],
    ['item_size_max', String(f.gate.executor.itemSizeMax)],
    ['num_threads', '1'],
    ['stat_key_prefix', ':'],
    ['detail_enabled', f.gate.executor.prefixStats.enabled ? 'yes' : 'no'],
    ['flush_enabled', 'yes'],
    ['idle_timeout', String(engine.config.int('timeout'))],
    ['memcached_db', String(f.gate.executor.dbIndex)],
    ['maxmemory_policy', engine.eviction.policy],
  ];
}

/** One pseudo slab class (1): Cairn has no slabs, so every item is counted there. */
function items(f: StatsFacts): Pairs {
  const mc = f.gate.executor;
  const n = mc.currentItems();
  if (n === 0) return [];
  const now = f.gate.engine.clock.nowMs();
  let oldest = now;
  for (const e of mc.db.dense) if (e.accessedAt < oldest) oldest = e.accessedAt;
  return [
    ['items:1:number', String(n)],
    ['items:1:age', String(Math.floor((now - oldest) / 1000))],
    ['items:1:mem_requested', String(mc.db.usedBytes)],
    ['items:1:evicted', String(f.gate.engine.ks.stats.evictedKeys)],
    ['items:1:outofmemory', String(mc.stats.storeNoMemory)],
  ];
}

function slabs(f: StatsFacts): Pairs {
  const mc = f.gate.executor;
  const s = mc.stats;
  const n = mc.currentItems();
  const out: Pairs = [];
  if (n > 0) {
    out.push(
      ['1:used_chunks', String(n)],
      ['1:get_hits', String(s.getHits)],
      ['1:cmd_set', String(s.cmdSet)],
      ['1:delete_hits', String(s.deleteHits)],
      ['1:incr_hits', String(s.incrHits)],
      ['1:decr_hits', String(s.decrHits)],
      ['1:cas_hits', String(s.casHits)],
      ['1:cas_badval', String(s.casBadval)],
      ['1:touch_hits', String(s.touchHits)],
    );
  }
  out.push(['active_slabs', n > 0 ? '1' : '0'], ['total_malloced', String(mc.db.usedBytes)]);
  return out;
}

function conns(f: StatsFacts): Pairs {
  const now = f.gate.engine.clock.nowMs();
  const out: Pairs = [];
  for (const c of f.connections()) {
    out.push(
      [`${c.id}:addr`, `tcp:${c.addr}`],
      [`${c.id}:listen_addr`, `tcp:${c.listenAddr}`],
      [`${c.id}:state`, 'conn_parse_cmd'],
      [`${c.id}:secs_since_last_cmd`, String(Math.floor((now - c.lastCommandMs) / 1000))],
    );
  }
  return out;
}
