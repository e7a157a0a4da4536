// The append-only log is a set of files described by a manifest, as in Redis 7's multi-part
// AOF: one base file (the data set at some instant) and incremental logs of every write
// since, in order. Names follow Redis: <appendfilename>.<seq>.base.rdb (a snapshot; .aof when
// the base is itself a log), <appendfilename>.<seq>.incr.aof, <appendfilename>.manifest.
//
// The manifest is text, one file per line, in Redis's syntax:
//   file appendonly.aof.3.base.rdb seq 3 type b
//   file appendonly.aof.3.incr.aof seq 3 type i
// Cairn adds a first comment line naming its format version; Redis's parser skips comments,
// so the two read each other's manifests line for line (the files they list differ in format).
// A manifest is replaced only by writing a new one beside it, fsyncing, and renaming over it.

export const MANIFEST_VERSION = 1;

export interface ManifestFile {
  readonly name: string;
  readonly seq: number;
  readonly type: 'b' | 'i';
}

export interface Manifest {
  readonly base: ManifestFile | null;
  /** Incremental logs, oldest first; the last one is the one being appended to. */
  readonly incrs: readonly ManifestFile[];
}

export function formatManifest(m: Manifest): string {
  const lines = [`# cairn-manifest ${MANIFEST_VERSION}`];
  const all = m.base === null ? m.incrs : [m.base, ...m.incrs];
  for (const f of all) lines.push(`file ${quoteName(f.name)} seq ${f.seq} type ${f.type}`);
  return lines.join('\n') + '\n';
}

/** Parses a manifest; a string explains what is wrong with it. */
export function parseManifest(text: string): Manifest | string {
  let base: ManifestFile | null = null;
  const incrs: ManifestFile[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === '') continue;
    if (line.startsWith('#')) {
      const m = /^# cairn-manifest (\d+)$/.exec(line);
      if (m !== null && Number(m[1]) !== MANIFEST_VERSION) return `line ${i + 1}: manifest version ${m[1]}, this Cairn reads version ${MANIFEST_VERSION}`;
      continue;
    }
    const parsed = parseLine(line);
    if (typeof parsed === 'string') return `line ${i + 1}: ${parsed}`;
    // Redis writes history files ('h') for files a rewrite replaced; they are not loaded.
    if (parsed.type === 'h') continue;
    if (parsed.type === 'b') {
      if (base !== null) return `line ${i + 1}: a second base file`;
      base = { name: parsed.name, seq: parsed.seq, type: 'b' };
    } else {
      const last = incrs[incrs.length - 1];
      if (last !== undefined && parsed.seq <= last.seq) return `line ${i + 1}: incremental files out of order`;
      incrs.push({ name: parsed.name, seq: parsed.seq, type: 'i' });
    }
  }
  if (base === null && incrs.length === 0) return 'the manifest lists no files';
  return { base, incrs };
}

function parseLine(line: string): { name: string; seq: number; type: 'b' | 'i' | 'h' } | string {
  const words = splitWords(line);
  if (words === null) return 'unbalanced quotes';
  const fields = new Map<string, string>();
  for (let j = 0; j + 1 < words.length; j += 2) fields.set(words[j]!, words[j + 1]!);
  if (words.length % 2 !== 0) return 'a key without a value';
  const name = fields.get('file');
  const seq = fields.get('seq');
  const type = fields.get('type');
  if (name === undefined || seq === undefined || type === undefined) return 'file, seq and type are required';
  if (!/^\d{1,15}$/.test(seq)) return `bad seq '${seq}'`;
  if (type !== 'b' && type !== 'i' && type !== 'h') return `bad type '${type}'`;
  if (name.includes('/') || name === '' || name === '.' || name === '..') return `bad file name '${name}'`;
  return { name, seq: Number(seq), type };
}

/** Words separated by spaces; a name with spaces is written in double quotes. */
function splitWords(line: string): string[] | null {
  const out: string[] = [];
  let i = 0;
  while (i < line.length) {
    while (line[i] === ' ') i++;
    if (i >= line.length) break;
    if (line[i] === '"') {
      const close = line.indexOf('"', i + 1);
      if (close < 0) return null;
      out.push(line.slice(i + 1, close));
      i = close + 1;
    } else {
      let j = i;
      while (j < line.length && line[j] !== ' ') j++;
      out.push(line.slice(i, j));
      i = j;
    }
  }
  return out;
}

function quoteName(name: string): string {
  return /[\s"]/.test(name) ? `"${name}"` : name;
}

export function baseFileName(appendFilename: string, seq: number, snapshot: boolean): string {
  return `${appendFilename}.${seq}.base.${snapshot ? 'rdb' : 'aof'}`;
}

export function incrFileName(appendFilename: string, seq: number): string {
  return `${appendFilename}.${seq}.incr.aof`;
}

export function manifestFileName(appendFilename: string): string {
  return `${appendFilename}.manifest`;
}
