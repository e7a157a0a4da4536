// The payload of one Raft entry: the write effects of one event-loop turn on the leader, as a
// version byte followed by append-only log records (src/io/persistence/log-format.ts), one per
// command or transaction. An empty payload is a new leader's no-op entry. The Raft log has its
// own checksums, so the records' are written but not checked again here.
import type { Effect } from '../../core/keyspace.js';
import { decodePayload, RECORD_HEADER_BYTES } from '../persistence/log-format.js';

export const ENTRY_BATCH_VERSION = 1;

export function encodeEntryBatch(records: readonly Buffer[]): Buffer {
  return Buffer.concat([Buffer.of(ENTRY_BATCH_VERSION), ...records]);
}

/** The effects of each record, in order; null when the payload is not a batch this version reads. */
export function decodeEntryBatch(data: Uint8Array): Effect[][] | null {
  const b = Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  if (b.length === 0 || b[0] !== ENTRY_BATCH_VERSION) return null;
  const out: Effect[][] = [];
  let at = 1;
  while (at < b.length) {
    if (b.length - at < RECORD_HEADER_BYTES) return null;
    const length = b.readUInt32LE(at);
    const start = at + RECORD_HEADER_BYTES;
    const end = start + length;
    if (end > b.length) return null;
    const effects = decodePayload(b, start, end);
    if (effects === null) return null;
    out.push(effects);
    at = end;
  }
  return out.length > 0 ? out : null;
}
