// `cairn check-log [--fix] <file>`: checks every record of an append-only log file (or a
// snapshot, or every file a manifest lists) and reports the first damaged byte offset. With
// --fix it cuts a log at its last good record, without asking, and says what it cut.
import path from 'node:path';
import { WindowReader } from '../io/persistence/byte-reader.js';
import { nodeFileSystem, type FileSystem } from '../io/persistence/file-system.js';
import { checkLog, LOG_HEADER_BYTES, LOG_MAGIC, logFileHeader } from '../io/persistence/log-format.js';
import { parseManifest } from '../io/persistence/manifest.js';
import { checkSnapshot, SNAPSHOT_MAGIC } from '../io/persistence/snapshot-format.js';

export interface CheckLogOutput {
  out: (line: string) => void;
}

/** Returns the exit code: 0 sound (or repaired), 1 damaged, 2 unreadable. */
export function runCheckLog(file: string, fix: boolean, io: CheckLogOutput, fs: FileSystem = nodeFileSystem): number {
  if (!fs.exists(file)) {
    io.out(`cannot open ${file}: no such file`);
    return 2;
  }
  const kind = fileKind(file, fs);
  if (kind === 'manifest') return checkManifest(file, fix, io, fs);
  if (kind === 'snapshot') return checkSnapshotFile(file, fix, io, fs);
  return checkLogFile(file, fix, io, fs);
}

function fileKind(file: string, fs: FileSystem): 'log' | 'snapshot' | 'manifest' {
  const r = new WindowReader(fs.openRead(file));
  try {
    const v = r.view(0, Math.min(16, r.size));
    const head = v === null ? '' : v.buf.toString('latin1', v.at, v.at + Math.min(16, r.size));
    if (head.startsWith(SNAPSHOT_MAGIC) || (file.endsWith('.rdb') && !head.startsWith(LOG_MAGIC))) return 'snapshot';
    if (head.startsWith(LOG_MAGIC)) return 'log';
    if (file.endsWith('.manifest') || head.startsWith('# cairn-manifest') || head.startsWith('file ')) return 'manifest';
    return 'log';
  } finally {
    r.close();
  }
}

function checkLogFile(file: string, fix: boolean, io: CheckLogOutput, fs: FileSystem): number {
  const r = new WindowReader(fs.openRead(file));
  let result;
  try {
    result = checkLog(r);
  } finally {
    r.close();
  }
  const { records, size, goodEnd, problem } = result;
  if (problem === null) {
    io.out(`${file}: OK, ${records} records, ${size} bytes`);
    return 0;
  }
  const what = problem.kind === 'torn' ? 'torn tail (an unfinished last write)' : 'corruption';
  io.out(`${file}: ${records} good records, then ${what} at byte offset ${problem.offset}: ${problem.reason}`);
  if (!fix) {
    io.out(`run \`cairn check-log --fix ${file}\` to cut the file at byte offset ${goodEnd} (drops ${size - goodEnd} bytes: the writes from there on)`);
    return 1;
  }
  if (goodEnd < LOG_HEADER_BYTES) {
    if (problem.reason.includes('bad magic')) {
      io.out(`${file}: not a Cairn log file; left untouched`);
      return 1;
    }
    // The header itself is damaged: the file keeps no record; a fresh header makes it a valid empty log.
    const out = fs.openAppend(file, true);
    out.write(logFileHeader());
    out.fsyncSync();
    out.close();
    io.out(`fixed ${file}: the header was damaged; it now holds a fresh header and no records (cut ${size} bytes)`);
    return 0;
  }
  fs.truncate(file, goodEnd);
  io.out(`fixed ${file}: truncated from ${size} to ${goodEnd} bytes, cutting ${size - goodEnd} bytes after the last good record (${records} records kept)`);
  return 0;
}

function checkSnapshotFile(file: string, fix: boolean, io: CheckLogOutput, fs: FileSystem): number {
  const r = new WindowReader(fs.openRead(file));
  try {
    const { keys, problem } = checkSnapshot(r);
    if (problem === null) {
      io.out(`${file}: OK, snapshot of ${keys} keys, ${r.size} bytes`);
      return 0;
    }
    io.out(`${file}: bad snapshot at byte offset ${problem.offset}: ${problem.reason}`);
    if (fix) io.out('a snapshot cannot be repaired in place: restore it from a backup, or move it aside');
    return 1;
  } finally {
    r.close();
  }
}

function checkManifest(file: string, fix: boolean, io: CheckLogOutput, fs: FileSystem): number {
  const parsed = parseManifest(fs.readText(file));
  if (typeof parsed === 'string') {
    io.out(`${file}: bad manifest: ${parsed}`);
    return 1;
  }
  io.out(`${file}: manifest OK`);
  const dir = path.dirname(file);
  let worst = 0;
  for (const f of parsed.base === null ? parsed.incrs : [parsed.base, ...parsed.incrs]) {
    const p = path.join(dir, f.name);
    const code = runCheckLog(p, fix, io, fs);
    worst = Math.max(worst, code);
  }
  return worst;
}
