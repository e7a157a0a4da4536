// The group's membership as configured: `group-peers host:port[@busport],...`, the same list on
// every node. Node ids are 1..n in list order; a node finds itself by its client port and bind
// address. The peer-link (bus) port is the client port + 10000 unless the entry gives `@busport`
// (or, for this node, group-bus-port is set).
export interface GroupMember {
  readonly id: number;
  readonly host: string;
  readonly port: number;
  readonly busPort: number;
}

export interface GroupPlan {
  /** The group's first members (group-peers); empty for a node that joins. */
  readonly members: readonly GroupMember[];
  readonly self: GroupMember;
  /** Set for a node started with group-join: its node id (from cluster-config-file); it waits
   *  for a leader to add it and learns the members from the log (docs/design/group-membership.md). */
  readonly joinNodeId?: string;
}

const GROUP_SIZES = new Set([1, 3, 5]);

/** Parses the list and finds this node in it; a string says what is wrong. */
export function planGroup(list: string, ownPort: number, binds: readonly string[], ownBusPort: number): GroupPlan | string {
  const parts = list.split(',').map((p) => p.trim()).filter((p) => p !== '');
  if (!GROUP_SIZES.has(parts.length)) return `group-peers lists ${parts.length} nodes; a group has 1, 3 or 5`;
  const members: GroupMember[] = [];
  for (const [i, part] of parts.entries()) {
    const m = /^(.+):(\d+)(?:@(\d+))?$/.exec(part);
    if (m === null) return `group-peers entry '${part}' is not host:port or host:port@busport`;
    const port = Number(m[2]);
    const busPort = m[3] !== undefined ? Number(m[3]) : port + 10000;
    if (port < 1 || port > 65535) return `group-peers entry '${part}': port out of range`;
    if (busPort < 1 || busPort > 65535) return `group-peers entry '${part}': peer-link port ${busPort} out of range (give it as host:port@busport)`;
    const host = m[1]!.replace(/^\[(.*)\]$/, '$1');
    if (members.some((o) => o.host === host && o.port === port)) return `group-peers lists ${host}:${port} twice`;
    members.push({ id: i + 1, host, port, busPort });
  }
  if (ownPort === 0) return 'a group member needs a fixed port (port 0 cannot be found in group-peers)';
  const samePort = members.filter((m) => m.port === ownPort);
  const mine = samePort.length === 1 ? samePort : samePort.filter((m) => binds.includes(m.host));
  if (mine.length !== 1) return `this node (port ${ownPort}, bind ${binds.join(' ')}) is not exactly one entry of group-peers`;
  let self = mine[0]!;
  if (ownBusPort > 0 && ownBusPort !== self.busPort) {
    self = { ...self, busPort: ownBusPort };
    members[self.id - 1] = self;
  }
  return { members, self };
}

/** The plan of a node that joins a group: its Raft id comes from its node id; the members come
 *  later, from the leader. */
export function planJoin(nodeId: string, raftId: number, ownPort: number, binds: readonly string[], ownBusPort: number): GroupPlan | string {
  if (ownPort === 0) return 'a node that joins a group needs a fixed port';
  const busPort = ownBusPort > 0 ? ownBusPort : ownPort + 10000;
  if (busPort > 65535) return `peer-link port ${busPort} out of range (set group-bus-port)`;
  const self: GroupMember = { id: raftId, host: binds[0] ?? '127.0.0.1', port: ownPort, busPort };
  return { members: [], self, joinNodeId: nodeId };
}
