// What a node tells clients about replication (ROLE, WAIT, INFO replication). A server on its
// own is a primary without replicas; a replica group installs a status of its own.
import type { Session } from './session.js';

export interface ReplicaInfo {
  readonly ip: string;
  readonly port: number;
  /** How far the replica has applied the primary's stream (log position). */
  readonly offset: number;
}

export interface ReplicationStatus {
  /** 'master' on a primary (group leader), 'slave' on a replica, as Redis names them. */
  role(): 'master' | 'slave';
  /** The primary a replica follows; null on a primary. */
  primary(): { ip: string; port: number } | null;
  /** This node's replication offset (master_repl_offset). */
  offset(): number;
  replicas(): readonly ReplicaInfo[];
  /** WAIT: how many replicas hold every write this session made so far. */
  acknowledged(s: Session): number;
  /** Extra INFO replication fields (a replica group's Raft log and snapshots). */
  groupInfoFields?(): Array<readonly [string, string | number]>;
}

/** A server with no replicas: WAIT finds no one to wait for. */
export const STANDALONE: ReplicationStatus = {
  role: () => 'master',
  primary: () => null,
  offset: () => 0,
  replicas: () => [],
  acknowledged: () => 0,
};
