// The Raft core's public surface: what the server's shell and the simulator import.
export * from './types.js';
export { RawNode, type SnapshotStatus } from './raw-node.js';
export type { RaftStatus, ReadIndexResult } from './raft.js';
export { raftConfig, validateRaftConfig, type RaftConfig, type RaftConfigInput, type ReadOnlyOption } from './config.js';
export { MemoryStorage, entryBytes, type Storage, type StorageResult } from './storage.js';
export { encodeConfChange, decodeConfChange } from './conf-change.js';
export { encodeMessage, encodeSnapshotMessage, decodeMessage, encodeHardState, decodeHardState, encodeEntry, decodeEntry } from './codec.js';
export type { ProgressStatus, ProgressState } from './progress.js';
