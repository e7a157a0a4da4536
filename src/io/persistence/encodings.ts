// The two ways a snapshot job can write the data set: the snapshot format (dump.rdb and the
// log's base file with aof-use-rdb-preamble yes), or log records (a base file in log format
// when aof-use-rdb-preamble is no): one RESTORE per key, with its absolute expiry, so every
// value type that DUMP covers is covered here too; memcached flags follow as MCSETFLAGS.
import { dumpValue } from '../../core/dump.js';
import type { Entry } from '../../core/keyspace.js';
import { encodeRecord, logFileHeader } from './log-format.js';
import { writeAux, writeEntry, writeEof, writeFunction, writeHeader, writeSelectDb } from './snapshot-format.js';
import type { SnapshotEncoding } from './snapshot-job.js';

/** Metadata written at the start of a snapshot (AUX records), in this order. */
export type SnapshotAux = ReadonlyArray<readonly [string, string]>;

/** `functions`: the function libraries' code, taken when the snapshot starts (its instant). */
export function snapshotEncoding(aux: SnapshotAux, functions: readonly string[] = []): SnapshotEncoding {
  return {
    header: (out) => {
      writeHeader(out);
      for (const [name, value] of aux) writeAux(out, name, value);
      for (const code of functions) writeFunction(out, code);
    },
    selectDb: (db, out) => writeSelectDb(out, db),
    entry: (_db, e, out, mcFlags) => writeEntry(out, e, mcFlags),
    footer: (keys, out, crcSoFar) => {
      writeEof(out, keys);
      out.u32(crcSoFar()); // the CRC of every byte before it, the EOF record included
    },
  };
}

/** A base file in log format: the function libraries first (FUNCTION LOAD REPLACE), then one RESTORE per key. */
export function logEncoding(functions: readonly string[] = []): SnapshotEncoding {
  return {
  header: (out) => {
    out.raw(logFileHeader());
    for (const code of functions) out.raw(encodeRecord([{ db: 0, argv: ['FUNCTION', 'LOAD', 'REPLACE', code] }]));
  },
  selectDb: () => {},
  entry: (db: number, e: Entry, out, mcFlags) => {
    const restore = { db, argv: ['RESTORE', e.key, String(e.expiresAt), dumpValue(e.type, e.value), 'ABSTTL', 'REPLACE'] };
    out.raw(encodeRecord(mcFlags === 0 ? [restore] : [restore, { db, argv: ['MCSETFLAGS', e.key, String(mcFlags)] }]));
  },
  footer: () => {},
  };
}
