// How the collections test starts its oracle. Cairn's encoding thresholds are fixed
// (src/core/limits.ts); the oracle gets them explicitly, since Redis 7.0's built-in
// hash-max-listpack-entries is 512, not Cairn's 128 (docs/differences.md). hz 100 makes Redis
// notice a blocking command's timeout within 10 ms instead of its default 100 ms tick, so the
// tiny timeouts of the generated sequences stay cheap; it changes no reply.
export const ORACLE_ARGS: readonly string[] = [
  '--hash-max-listpack-entries', '128',
  '--hash-max-listpack-value', '64',
  '--set-max-intset-entries', '512',
  '--zset-max-listpack-entries', '128',
  '--zset-max-listpack-value', '64',
  '--hll-sparse-max-bytes', '3000',
  '--hz', '100',
];
