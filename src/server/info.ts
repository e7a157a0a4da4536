// INFO: the server's state as `# Section` headers and `field:value` lines (CRLF), with Redis
// 7.0's section order and field names for everything Cairn has a counterpart for. Fields that
// describe machinery Cairn does not have (forks, replication backlog, allocator internals) are
// left out rather than invented; where Redis's honest value is a constant (role:master,
// loading:0) the constant is given.
import { CAIRN_VERSION, REDIS_COMPAT_VERSION } from '../version.js';
import type { Engine } from './engine.js';
import { estimatedUsec } from './stats.js';

/** Every section in the order Redis prints them (7.0 genRedisInfoString). */
export const INFO_SECTIONS = [
  'server', 'clients', 'memory', 'persistence', 'stats', 'replication', 'cpu', 'modules',
  'commandstats', 'errorstats', 'cluster', 'keyspace',
] as const;
export type InfoSection = (typeof INFO_SECTIONS)[number];

/** What INFO without arguments (or with `default`) prints. */
const DEFAULT_SECTIONS: readonly InfoSection[] = [
  'server', 'clients', 'memory', 'persistence', 'stats', 'replication', 'cpu', 'modules', 'errorstats', 'cluster', 'keyspace',
];

const TITLES: Record<InfoSection, string> = {
  server: 'Server', clients: 'Clients', memory: 'Memory', persistence: 'Persistence', stats: 'Stats',
  replication: 'Replication', cpu: 'CPU', modules: 'Modules', commandstats: 'Commandstats',
  errorstats: 'Errorstats', cluster: 'Cluster', keyspace: 'Keyspace',
};

/** Volatile keys examined per database for avg_ttl; beyond this the average is a sample. */
const AVG_TTL_SAMPLE_MAX = 10_000;

/**
 * The sections INFO's arguments select, case-insensitively: names, `default`, `all` and
 * `everything` (Cairn has no module sections, so the last two are the same); unknown names
 * select nothing, as in Redis.
 */
export function selectInfoSections(args: readonly string[]): Set<InfoSection> {
  if (args.length === 0) return new Set(DEFAULT_SECTIONS);
  const out = new Set<InfoSection>();
  for (const raw of args) {
    const name = raw.toLowerCase();
    if (name === 'all' || name === 'everything') for (const s of INFO_SECTIONS) out.add(s);
    else if (name === 'default') for (const s of DEFAULT_SECTIONS) out.add(s);
    else if (name === 'module_list') out.add('modules');
    else if ((INFO_SECTIONS as readonly string[]).includes(name)) out.add(name as InfoSection);
  }
  return out;
}

/** The INFO text for the chosen sections: each ends with CRLF, sections are separated by a blank line. */
export function infoText(engine: Engine, sections: ReadonlySet<InfoSection>): string {
  const parts: string[] = [];
  for (const section of INFO_SECTIONS) {
    if (!sections.has(section)) continue;
    const lines = SECTION_LINES[section](engine);
    parts.push(`# ${TITLES[section]}\r\n` + lines.map((l) => l + '\r\n').join(''));
  }
  return parts.join('\r\n');
}

type Field = readonly [string, string | number];
const asLines = (fields: readonly Field[]): string[] => fields.map(([k, v]) => `${k}:${v}`);

const SECTION_LINES: Record<InfoSection, (engine: Engine) => string[]> = {
  server: (e) => asLines(serverFields(e)),
  clients: (e) => asLines(clientFields(e)),
  memory: (e) => asLines(memoryFields(e)),
  persistence: (e) => asLines(persistenceFields(e)),
  stats: (e) => asLines(statsFields(e)),
  replication: (e) => asLines(replicationFields(e)),
  cpu: (e) => asLines(cpuFields(e)),
  modules: () => [],
  commandstats: commandStatLines,
  errorstats: errorStatLines,
  cluster: (e) => [`cluster_enabled:${e.cluster === null ? 0 : 1}`],
  keyspace: keyspaceLines,
};

function serverFields(e: Engine): Field[] {
  const nowMs = e.clock.nowMs();
  const uptimeSeconds = Math.max(0, Math.floor((nowMs - e.startedMs) / 1000));
  return [
    ['redis_version', REDIS_COMPAT_VERSION],
    ['cairn_version', CAIRN_VERSION],
    ['redis_git_sha1', '00000000'],
    ['redis_git_dirty', 0],
    ['redis_mode', e.cluster === null ? 'standalone' : 'cluster'],
    ['os', e.process.os ?? ''],
    ['arch_bits', e.process.archBits ?? 0],
    ['process_id', e.process.pid],
    ['process_supervised', 'no'],
    ['run_id', e.runId],
    ['tcp_port', e.process.tcpPort],
    ['server_time_usec', e.clock.nowMicros()],
    ['uptime_in_seconds', uptimeSeconds],
    ['uptime_in_days', Math.floor(uptimeSeconds / 86400)],
    ['hz', e.config.int('hz')],
    ['configured_hz', e.config.int('hz')],
    // Redis's LRU clock: seconds, 24 bits.
    ['lru_clock', Math.floor(nowMs / 1000) & 0xffffff],
    ['executable', e.process.executable],
    ['config_file', e.config.file ?? e.process.configFile],
    ['io_threads_active', 0],
  ];
}

function clientFields(e: Engine): Field[] {
  let maxInput = 0;
  let maxOutput = 0;
  for (const s of e.sessions.values()) {
    maxInput = Math.max(maxInput, s.transport.queryBufferBytes());
    maxOutput = Math.max(maxOutput, s.transport.outputBufferBytes());
  }
  return [
    // memcached connections are clients too (docs/design/memcached.md, Connections).
    ['connected_clients', e.sessions.size + e.memcachedClients],
    ['cluster_connections', 0],
    ['maxclients', e.config.int('maxclients')],
    ['client_recent_max_input_buffer', maxInput],
    ['client_recent_max_output_buffer', maxOutput],
    ['blocked_clients', e.blocking.count],
    ['tracking_clients', e.tracking.info().clients],
    ['clients_in_timeout_table', 0],
  ];
}

/** Memory comes from the shell's hook (V8 heap in use, process RSS); zeros when there is none. */
function memoryFields(e: Engine): Field[] {
  const m = e.hooks.memory?.() ?? { heapUsed: 0, rss: 0 };
  // used_memory is the accounted estimate (memory-accounting.md), what maxmemory is compared to.
  const used = e.usedMemory();
  const dataset = e.ks.datasetBytes();
  const maxmemory = e.eviction.maxmemory;
  return [
    ['used_memory', used],
    ['used_memory_human', bytesToHuman(used)],
    ['used_memory_rss', m.rss],
    ['used_memory_rss_human', bytesToHuman(m.rss)],
    ['used_memory_peak', e.peakUsedBytes],
    ['used_memory_peak_human', bytesToHuman(e.peakUsedBytes)],
    ['used_memory_peak_perc', `${formatFixed(e.peakUsedBytes === 0 ? 0 : (used * 100) / e.peakUsedBytes, 2)}%`],
    ['used_memory_startup', e.startupBytes],
    ['used_memory_dataset', dataset],
    ['used_memory_dataset_perc', `${formatFixed(used - e.startupBytes <= 0 ? 0 : (dataset * 100) / (used - e.startupBytes), 2)}%`],
    ['used_memory_heap', m.heapUsed],
    ['maxmemory', maxmemory],
    ['maxmemory_human', bytesToHuman(maxmemory)],
    ['maxmemory_policy', e.eviction.policy],
  ];
}

function persistenceFields(e: Engine): Field[] {
  // With persistence set up (src/io/persistence), it reports its own state; otherwise nothing runs.
  if (e.persistence !== null) return e.persistence.infoFields();
  return [
    ['loading', 0],
    ['async_loading', 0],
    ['rdb_changes_since_last_save', e.ks.dirty],
    ['rdb_bgsave_in_progress', 0],
    ['rdb_last_save_time', e.lastSaveUnix],
    ['rdb_last_bgsave_status', 'ok'],
    ['aof_enabled', 0],
    ['aof_rewrite_in_progress', 0],
    ['aof_rewrite_scheduled', 0],
    ['aof_last_bgrewrite_status', 'ok'],
    ['aof_last_write_status', 'ok'],
  ];
}

function statsFields(e: Engine): Field[] {
  const st = e.stats;
  const ks = e.ks.stats;
  return [
    ['total_connections_received', st.totalConnectionsReceived],
    ['total_commands_processed', st.totalCommandsProcessed],
    ['instantaneous_ops_per_sec', Math.floor(e.rates.ops.perSecond())],
    ['total_net_input_bytes', st.netInputBytes],
    ['total_net_output_bytes', st.netOutputBytes],
    ['instantaneous_input_kbps', formatFixed(Math.floor(e.rates.netInput.perSecond()) / 1024, 2)],
    ['instantaneous_output_kbps', formatFixed(Math.floor(e.rates.netOutput.perSecond()) / 1024, 2)],
    ['rejected_connections', st.rejectedConnections],
    ['expired_keys', ks.expiredKeys],
    ['evicted_keys', ks.evictedKeys],
    ['evicted_clients', 0],
    ['keyspace_hits', ks.keyspaceHits],
    ['keyspace_misses', ks.keyspaceMisses],
    ['pubsub_channels', e.pubsub.channelCount],
    ['pubsub_patterns', e.pubsub.patternCount],
    ['pubsubshard_channels', e.pubsub.shardChannelCount],
    ['tracking_total_keys', e.tracking.info().keys],
    ['tracking_total_items', e.tracking.info().items],
    ['tracking_total_prefixes', e.tracking.info().prefixes],
    ['total_error_replies', st.totalErrorReplies],
  ];
}

function replicationFields(e: Engine): Field[] {
  const r = e.replication;
  const primary = r.primary();
  // A replica's link to its primary, and a primary's replicas, in Redis's field names.
  const replicaFields: Field[] = r.role() !== 'slave' ? [] : [
    ['master_host', primary?.ip ?? ''],
    ['master_port', primary?.port ?? 0],
    ['master_link_status', primary === null ? 'down' : 'up'],
    ['slave_repl_offset', r.offset()],
    ['slave_read_only', 1],
  ];
  const replicas = r.replicas();
  return [
    ['role', r.role()],
    ...replicaFields,
    ['connected_slaves', replicas.length],
    ...replicas.map((x, i): Field => [`slave${i}`, `ip=${x.ip},port=${x.port},state=online,offset=${x.offset},lag=0`]),
    ['master_failover_state', 'no-failover'],
    ['master_replid', e.runId],
    ['master_replid2', '0'.repeat(40)],
    ['master_repl_offset', e.replication.offset()],
    ['second_repl_offset', -1],
    ['repl_backlog_active', 0],
    ...(r.groupInfoFields?.() ?? []),
  ];
}

/** CPU time from the shell's hook (process.cpuUsage, microseconds), printed as seconds like Redis. */
function cpuFields(e: Engine): Field[] {
  const cpu = e.hooks.cpu?.() ?? { user: 0, system: 0 };
  return [
    ['used_cpu_sys', microsAsSeconds(cpu.system)],
    ['used_cpu_user', microsAsSeconds(cpu.user)],
    ['used_cpu_sys_children', '0.000000'],
    ['used_cpu_user_children', '0.000000'],
  ];
}

/** cmdstat_<name> for every command (and subcommand, as container|sub) that was called or refused. */
function commandStatLines(e: Engine): string[] {
  const lines: string[] = [];
  const add = (fullName: string): void => {
    const s = e.stats.commands.get(fullName);
    if (s === undefined || (s.calls === 0 && s.failedCalls === 0 && s.rejectedCalls === 0)) return;
    const usec = estimatedUsec(s);
    const perCall = s.calls === 0 ? 0 : usec / s.calls;
    lines.push(
      `cmdstat_${fullName}:calls=${s.calls},usec=${usec},usec_per_call=${formatFixed(perCall, 2)},` +
        `rejected_calls=${s.rejectedCalls},failed_calls=${s.failedCalls}`,
    );
  };
  for (const spec of e.commands.all()) {
    add(spec.name);
    for (const sub of spec.subcommands ?? []) add(`${spec.name}|${sub.name}`);
  }
  return lines;
}

/** errorstat_<PREFIX>:count=N, sorted by prefix as Redis's radix tree yields them. */
function errorStatLines(e: Engine): string[] {
  return [...e.stats.errors.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([prefix, count]) => `errorstat_${prefix}:count=${count}`);
}

function keyspaceLines(e: Engine): string[] {
  const now = e.clock.nowMs();
  return e.ks.dbs
    .filter((db) => db.size > 0)
    .map((db) => {
      let ttlSum = 0;
      let sampled = 0;
      for (const entry of db.volatile) {
        if (sampled >= AVG_TTL_SAMPLE_MAX) break;
        const ttl = entry.expiresAt - now;
        if (ttl > 0) {
          ttlSum += ttl;
          sampled++;
        }
      }
      const avgTtl = sampled === 0 ? 0 : Math.floor(ttlSum / sampled);
      return `db${db.id}:keys=${db.size},expires=${db.volatileCount},avg_ttl=${avgTtl}`;
    });
}

function microsAsSeconds(micros: number): string {
  const whole = Math.floor(micros / 1e6);
  return `${whole}.${String(Math.floor(micros - whole * 1e6)).padStart(6, '0')}`;
}

/** Redis's bytesToHuman: B below 1 KiB, then K, M, G, T, P with two decimals. */
export function bytesToHuman(n: number): string {
  if (n < 1024) return `${n}B`;
  const units = ['K', 'M', 'G', 'T', 'P'];
  let value = n / 1024;
  let i = 0;
  while (value >= 1024 && i < units.length - 1) {
    value /= 1024;
    i++;
  }
  return formatFixed(value, 2) + units[i]!;
}

/**
 * printf("%.*f"): JS toFixed rounds an exact tie up, C rounds it to even (0.125 -> "0.12").
 * A tie is exact only when the double's decimal expansion ends right after the 5.
 */
export function formatFixed(x: number, digits: number): string {
  const rounded = x.toFixed(digits);
  if (!Number.isFinite(x) || x < 0) return rounded;
  const exact = x.toFixed(Math.min(100, digits + 40));
  const dot = exact.indexOf('.');
  const tail = exact.slice(dot + 1 + digits);
  if (!/^50*$/.test(tail)) return rounded;
  const truncated = exact.slice(0, dot + 1 + digits).replace(/\.$/, '');
  const lastDigit = Number(truncated[truncated.length - 1]);
  return lastDigit % 2 === 0 ? truncated : rounded;
}
