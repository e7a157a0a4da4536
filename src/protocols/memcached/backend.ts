// What the memcached protocol handlers need from the server: a way to run an executor call
// through admission (src/server/memcached-gate.ts), and the stats sections. An interface, so
// the protocol layer never imports the server layer.
import { memcachedErrors } from '../../core/errors.js';
import type { MemcachedExecutor } from '../../core/memcached/executor.js';

/** read: no memory check, no snapshot pre-image; update: a change that takes no memory (TTL,
 *  delete, incr); store: may be refused for memory; flush: the whole database. */
export type RequestKind = 'read' | 'update' | 'store' | 'flush';

/** group-unavailable: a replica group member that cannot serve now (docs/design/memcached.md). */
export type Refusal = 'loading' | 'disk-error' | 'out-of-memory' | 'group-unavailable';

export interface MemcachedBackend {
  run<T>(kind: RequestKind, key: string | null, fn: (mc: MemcachedExecutor) => T): T | Refusal;
  /** `stats [section]`: name/value pairs, or null for an unknown section. `conn` asks for this connection's view. */
  stats(section: string): Array<readonly [string, string]> | null;
  statsReset(): void;
  /** `verbosity N` (kept for `stats settings`). */
  verbosity: number;
}

export function isRefusal<T>(r: T | Refusal): r is Refusal {
  return r === 'loading' || r === 'disk-error' || r === 'out-of-memory' || r === 'group-unavailable';
}

/** A refusal as a text-protocol error line. */
export function refusalText(r: Refusal): string {
  switch (r) {
    case 'loading': return memcachedErrors.loading;
    case 'disk-error': return memcachedErrors.diskError;
    case 'out-of-memory': return memcachedErrors.outOfMemory;
    case 'group-unavailable': return memcachedErrors.groupUnavailable;
  }
}
