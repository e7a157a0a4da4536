// The node's cluster identity on disk (cluster-config-file in dir): created with a fresh random
// id the first time cluster mode starts, read back on every restart, so clients and peers keep
// seeing the same node id. Cairn's own small text format, versioned:
//   cairn-cluster-config 1
//   myself <40 hex chars>
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';

const HEADER = 'cairn-cluster-config 1';
const NODE_ID = /^[0-9a-f]{40}$/;

/** The node id kept in `file`, creating the file when it does not exist. Throws on a damaged file. */
export function loadOrCreateNodeId(file: string): string {
  if (existsSync(file)) {
    const lines = readFileSync(file, 'utf8').split('\n').filter((l) => l !== '');
    if (lines[0] !== HEADER) throw new Error(`${file}: not a Cairn cluster config file (first line should be '${HEADER}')`);
    const mine = lines.find((l) => l.startsWith('myself '))?.slice('myself '.length) ?? '';
    if (!NODE_ID.test(mine)) throw new Error(`${file}: no valid 'myself <node id>' line`);
    return mine;
  }
  const id = randomBytes(20).toString('hex');
  const temp = `${file}.tmp-${process.pid}`;
  writeFileSync(temp, `${HEADER}\nmyself ${id}\n`, { flush: true });
  renameSync(temp, file);
  return id;
}
