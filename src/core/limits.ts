// Every bound Cairn enforces, in one module, with Redis's defaults where Redis has one.
// Config options that change a bound at run time start from these values.

export const MB = 1024 * 1024;

export const limits = {
  /** proto-max-bulk-len: the largest bulk string a client may send or a string value may reach. */
  protoMaxBulkLenBytes: 512 * MB,
  /** The most arguments one command may carry (Redis: INT_MAX; we bound it to protect the heap). */
  argumentsMax: 1024 * 1024,
  /** client-query-buffer-limit: unparsed input a client may have buffered. */
  clientQueryBufferBytes: 1024 * MB,
  /** An inline command (telnet style) line, and a RESP header line, may not exceed this. */
  inlineLineBytesMax: 64 * 1024,
  /** maxclients default. */
  maxClients: 10000,
  /** timeout: idle seconds before a client is closed; 0 = never. */
  idleTimeoutSeconds: 0,
  /** Number of logical databases (SELECT 0..n-1). */
  databases: 16,
  /** Redis caps the multibulk length at 1024*1024 for unauthenticated clients. */
  unauthenticatedMultibulkMax: 10,
  unauthenticatedBulkBytesMax: 16384,
  /** Replies to a client are bounded per class (normal clients: none by default, as Redis). */
  clientOutputBufferNormalHardBytes: 0,
  /** Slow log defaults. */
  slowlogLogSlowerThanMicros: 10000,
  slowlogMaxLen: 128,
  /** Active expiry: keys examined per database per cycle, and the share of expired keys
   *  above which the cycle repeats (Redis: ACTIVE_EXPIRE_CYCLE_KEYS_PER_LOOP and 10%). */
  activeExpireKeysPerLoop: 20,
  activeExpireRepeatPercent: 10,
  activeExpireLoopsMax: 16,
  /** Active expiry runs this often (Redis hz 10). */
  hz: 10,
  /** A DEBUG SLEEP may not exceed this, so no test can stall the server for long. */
  debugSleepSecondsMax: 60,
  /** LCS works on a table of len(a)*len(b) cells; refuse larger inputs. */
  lcsCellsMax: 64 * MB,
  /** The longest string value Cairn can hold: V8's maximum string length on 64-bit
   *  ((1 << 29) - 24 chars), just below proto-max-bulk-len. Growing a value beyond it
   *  (APPEND, SETRANGE) gets the proto-max-bulk-len error instead of a crash. */
  stringValueBytesMax: (1 << 29) - 24,
  /** The largest offset a SETRANGE/SETBIT may write to (512 MB string). */
  stringOffsetMax: 512 * MB - 1,
  /** Latency monitor and slow log entries kept per event. */
  latencyHistoryLen: 160,
  /** Keys a single SCAN call may return before it yields its cursor (bounds COUNT). */
  scanCountMax: 1024 * 1024,
  /** Output queued for a client's socket beyond this pauses reading from it until the socket
   *  drains (both front doors, RESP and memcached). */
  outputHighWaterBytes: 32 * MB,
  /** Output this large is written at once even in a busy event-loop turn (io/turn-flusher.ts). */
  turnEndMaxBytes: 16 * 1024,
  /** MONITOR feeds and other internal output for one client may hold this much before the client is dropped. */
  monitorOutputBytesMax: 64 * MB,
  /** The longest idle time RESTORE ... IDLETIME can set, in seconds: Redis keeps access times on a
   *  24-bit clock of seconds (LRU_CLOCK_MAX), so larger idle times cannot be represented there. */
  restoreIdleSecondsMax: (1 << 24) - 1,
  /** set-max-intset-entries: a set of integers stays an "intset" up to this many members. */
  setMaxIntsetEntries: 512,
  /** The most elements one random-pick reply (SRANDMEMBER with a negative count) may hold: Redis
   *  has no bound and would build a reply of any size; Cairn refuses beyond this instead. */
  randomPickReplyMax: 1 << 22,
  /** hash-max-listpack-entries: a hash stays compact ("listpack") up to this many fields. */
  hashMaxListpackEntries: 128,
  /** hash-max-listpack-value: ... and while every field and value is at most this many bytes. */
  hashMaxListpackValue: 64,
  /** hll-sparse-max-bytes: a HyperLogLog whose sparse form (header included) would grow past
   *  this many bytes is converted to the dense form (Redis's default 3000). */
  hllSparseMaxBytes: 3000,
  /** zset-max-listpack-entries: a sorted set stays compact ("listpack") up to this many members. */
  zsetMaxListpackEntries: 128,
  /** zset-max-listpack-value: ... and while every member is at most this many bytes. */
  zsetMaxListpackValue: 64,
  /** tracking-table-max-keys: keys the client-side caching table remembers before it forgets
   *  the oldest (telling their clients, as if they had changed); 0 = no bound. Redis's default. */
  trackingTableMaxKeys: 1_000_000,
  /** busy-reply-threshold (lua-time-limit): after this many ms a running script lets other clients
   *  in, to get -BUSY or to stop it (SCRIPT KILL, FUNCTION KILL, SHUTDOWN NOSAVE); Redis's default. */
  busyReplyThresholdMs: 5000,
  /** A running script's hook fires every this many Lua instructions: it checks the clock (busy
   *  state), a kill request and the memory bound. Redis checks every 100000. */
  scriptHookInstructions: 10_000,
  /** Once busy, a script runs in slices of this many ms between looks at the network. */
  scriptBusySliceMs: 50,
  /** The most heap one script run may add before it is stopped with an error; checked every
   *  scriptMemoryCheckInstructions instructions against the process heap (docs/design/lua-scripting.md). */
  scriptMemoryBytesMax: 1024 * MB,
  scriptMemoryCheckInstructions: 1_000_000,
  /** FUNCTION LOAD runs library code for at most this long (Redis's LOAD_TIMEOUT_MS). */
  functionLoadTimeoutMs: 500,
  /** Nesting a script's return value may have before the reply is cut with an error. */
  scriptReplyDepthMax: 1000,
} as const;

/** memcached protocol bounds (src/protocols/memcached), memcached 1.6's where it has one. */
export const memcachedLimits = {
  /** KEY_MAX_LENGTH: a key is at most 250 bytes. */
  keyBytesMax: 250,
  /** item_size_max default (memcached -I): the largest item, key and overhead included. */
  itemSizeMaxDefault: 1 * MB,
  /** A command line without its newline after this many bytes closes the connection (memcached:
   *  2048), unless it is a get/gets/gat/gats line, bounded by getLineBytesMax instead. */
  lineBytesMax: 2048,
  getLineBytesMax: 8 * MB,
  /** Meta protocol opaque tokens (O) are at most 32 bytes (MFLAG_MAX_OPAQUE_LENGTH). */
  opaqueBytesMax: 32,
  /** Binary protocol: a request body (extras, key, value) larger than this closes the connection. */
  binaryBodyBytesMax: 1024 * MB,
  /** Command tokens memcached's tokenizer keeps (MAX_TOKENS 24, the terminal one included). */
  tokensMax: 24,
} as const;

/** Bounds that must hold among the limits above; checked at start-up and in a test. */
export function assertLimitsConsistent(): void {
  const l = limits;
  if (!(l.unauthenticatedBulkBytesMax < l.protoMaxBulkLenBytes)) throw new Error('limits: unauthenticated bulk must be below proto-max-bulk-len');
  if (!(l.inlineLineBytesMax <= l.clientQueryBufferBytes)) throw new Error('limits: inline line above query buffer');
  if (!(l.databases >= 1 && l.databases <= 1024)) throw new Error('limits: databases out of range');
  if (!(l.activeExpireKeysPerLoop > 0)) throw new Error('limits: active expire keys per loop');
}

/** Stream bounds (Redis's defaults; Cairn has no CONFIG SET for them yet). */
export const streamLimits = {
  /** stream-node-max-bytes: a stream node (Redis: listpack) holds at most this many bytes; 0: no limit. */
  streamNodeMaxBytes: 4096,
  /** stream-node-max-entries: ... and at most this many entries, deleted ones included; 0: no limit. */
  streamNodeMaxEntries: 100,
  /** XAUTOCLAIM keeps the IDs it deletes in an array of COUNT 16-byte slots, which Redis allocates
   *  up front and refuses ("COUNT too high") when the allocation fails. Cairn refuses the same
   *  beyond a 1 GiB array, a fixed bound instead of whatever the machine would allow. */
  xautoclaimCountMax: (1024 * 1024 * 1024) / 16,
} as const;

/** Raft snapshots in a replica group (src/io/group/group-snapshotter.ts). */
export const groupSnapshotLimits = {
  /** Bytes of entries kept behind a snapshot at most, whatever group-log-keep-entries says:
   *  raft.log is rewritten with them at once after each snapshot (a synchronous write). */
  keptTailMaxBytes: 16 * MB,
};

/** Links between the replicas of a group (src/io/group/peer-links.ts). */
export const peerLinkLimits = {
  /** The largest frame a peer may send: a batch of entries, or a whole Raft snapshot (the
   *  key space in snapshot format), which travels as one frame. A group whose snapshot is
   *  larger cannot catch a follower up by InstallSnapshot (docs/design/group-snapshots.md). */
  frameMaxBytes: 1024 * MB,
  /** Bytes queued toward one peer that is slow or unreachable; beyond it messages are dropped
   *  (Raft resends what matters), so a dead peer never grows the heap. One frame larger than
   *  this (a snapshot) is still queued when nothing else is. */
  queueMaxBytes: 256 * MB,
  /** Reconnect back-off after a failed or lost connection: doubles from min to max. */
  reconnectMinMs: 50,
  reconnectMaxMs: 2000,
  /** A connection that has not sent its greeting by then is closed. */
  handshakeTimeoutMs: 5000,
};

/** Membership changes of a replica group (src/io/group/membership-admin.ts). */
export const groupMembershipLimits = {
  /** How long the leader waits for a node's answer to GROUP HELLO (and for a relayed GROUP REMOVE). */
  requestTimeoutMs: 5000,
  /** How long a new learner may take to catch up before GROUP ADD gives up (it stays a learner;
   *  GROUP ADD again promotes it once it has caught up). */
  catchUpTimeoutMs: 60_000,
  /** The most GROUP ADD ... TIMEOUT may ask for. */
  catchUpTimeoutMaxMs: 3_600_000,
  /** A learner is promoted once its match index is within this many entries of the leader's
   *  commit index: close enough that, as a voter, it does not hold commits back for long. */
  catchUpSlackEntries: 16,
  /** How long a proposed change (or a leadership transfer before removing the leader) may take
   *  to be applied before GROUP ADD/REMOVE answers an error. */
  changeTimeoutMs: 20_000,
  /** For this long after removing a member, the leader keeps telling it the change committed,
   *  so that it learns of its removal and stops (the leader no longer replicates to it). */
  farewellMs: 5000,
} as const;

/** Raft defaults (src/core/raft/config.ts), in ticks of the shell's timer and in bytes. The
 *  relations among them are checked by `validateRaftConfig`. */
export const raftLimits = {
  /** A follower that hears nothing from a leader for this many ticks (randomised up to twice
   *  this) starts an election; a leader with CheckQuorum steps down after this many ticks
   *  without hearing from a quorum. etcd's default is 10 ticks of 100 ms. */
  electionTicks: 10,
  /** A leader sends heartbeats every this many ticks. */
  heartbeatTicks: 1,
  /** A lease read is refused this many ticks before the lease would end, to absorb tick-rate
   *  differences between the leader and its followers (see docs/design/raft-core.md). */
  leaseMarginTicks: 2,
  /** The most entry bytes one append message carries (one entry always fits, however large). */
  maxSizePerMsgBytes: 1 * MB,
  /** Append messages a leader keeps in flight to one follower before waiting for acks. */
  maxInflightMsgs: 256,
  /** Entry bytes a leader keeps in flight to one follower before waiting for acks. */
  maxInflightBytes: 32 * MB,
  /** Proposals beyond this many uncommitted entry bytes on the leader are dropped (backpressure). */
  maxUncommittedEntriesBytes: 64 * MB,
  /** Committed entries handed to the shell in one Ready at most (one entry always fits). */
  maxCommittedBytesPerReady: 64 * MB,
  /** Fixed bytes counted per entry on top of its payload (term, index, type, framing), so that
   *  empty entries still count against the byte bounds. */
  entryOverheadBytes: 24,
} as const;
