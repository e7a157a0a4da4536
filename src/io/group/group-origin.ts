// How this member entered its group, kept beside its Raft log (`<dir>/raft/group-origin`), so that
// a restart with another origin is refused instead of corrupting the group: the first members'
// Raft ids and node ids come from the order of group-peers, so a member restarted with an edited
// list (say, with a removed member left out) would take another member's id. The current members
// are in the Raft log; group-peers must stay the list the group started with. A node that joined
// must keep group-join (its membership comes from its log alone). Text, versioned:
//   cairn-group-origin 1
//   peers host:port,host:port,...      (the first members' client addresses, in list order)
//   join <node id>                     (or: a node that joined)
import type { FileSystem } from '../persistence/file-system.js';
import { joinPath } from '../persistence/file-system.js';
import type { GroupPlan } from './group-peers.js';

const HEADER = 'cairn-group-origin 1';

function originLine(plan: GroupPlan): string {
  return plan.joinNodeId !== undefined ? `join ${plan.joinNodeId}` : `peers ${plan.members.map((m) => `${m.host}:${m.port}`).join(',')}`;
}

/** Records the origin on a first start; on later starts, a text saying why the plan does not
 *  match what this member started with, or null. */
export function checkGroupOrigin(fs: FileSystem, raftDir: string, plan: GroupPlan): string | null {
  const file = joinPath(raftDir, 'group-origin');
  const line = originLine(plan);
  if (fs.exists(file)) {
    const lines = fs.readText(file).split('\n').filter((l) => l !== '');
    if (lines[0] !== HEADER || lines.length !== 2) return `${file} is not a Cairn group origin file`;
    const kept = lines[1]!;
    if (kept === line) return null;
    if (kept.startsWith('join ')) return `this member joined its group (${kept}): start it with group-join yes and no group-peers, as before`;
    if (line.startsWith('join ')) return `this member started with group-peers ${kept.slice('peers '.length)}: start it with that list, not group-join`;
    return `group-peers differs from the list this member started with (${kept.slice('peers '.length)}); keep that list: members added or removed since are in the Raft log (GROUP MEMBERS)`;
  }
  fs.mkdirp(raftDir);
  const temp = `${file}.tmp`;
  const f = fs.openAppend(temp, true);
  try {
    f.write(Buffer.from(`${HEADER}\n${line}\n`, 'utf8'));
    f.fsyncSync();
  } finally {
    f.close();
  }
  fs.rename(temp, file);
  fs.syncDir(raftDir);
  return null;
}
