// MEMORY USAGE and INFO memory read the core's memory accounting (src/core/memory.ts): one
// estimate per key, the same number that used_memory sums and maxmemory eviction compares.
import type { Entry } from '../core/keyspace.js';
import { entryBytes } from '../core/memory.js';
import { valueBytes } from '../core/types/registry.js';

/** Redis's default number of sampled elements of a collection (MEMORY USAGE ... SAMPLES 5). */
export const DEFAULT_SAMPLES = 5;

/**
 * Estimated bytes of a key with its value and bookkeeping. Collections keep a running byte count,
 * so the estimate needs no sampling: `samples` is accepted for compatibility and changes nothing.
 */
export function estimateEntryBytes(e: Entry, samples: number): number {
  void samples;
  return entryBytes(e, valueBytes(e.type, e.value));
}
