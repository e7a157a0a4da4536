// Every command Cairn serves, gathered from the per-group declaration files.
// Adding a command means adding its declaration to a group file; nothing else lists commands.
import { databaseCommands } from '../core/commands/databases.js';
import { expiryCommands } from '../core/commands/expiry.js';
import { keyCommands } from '../core/commands/keys.js';
import { CommandTable } from '../core/commands/registry.js';
import type { CommandSpec } from '../core/commands/spec.js';
import { sortCommands } from '../core/commands/sort.js';
import { stringCommands } from '../core/commands/strings.js';
import { bitmapCommands } from '../core/commands/bitmaps.js';
import { hyperLogLogCommands } from '../core/commands/hyperloglog.js';
import { setCommands } from '../core/commands/sets.js';
import { sortedSetCommands } from '../core/commands/sorted-sets.js';
import { hashCommands } from '../core/commands/hashes.js';
import { listCommands } from '../core/commands/lists.js';
import { streamCommands } from '../core/commands/streams.js';
import { geoCommands } from '../core/commands/geo.js';
import { memcachedCommands } from '../core/commands/memcached.js';
import { clientCommands } from './commands/client.js';
import { clusterCommands } from './commands/cluster.js';
import { groupCommands } from './commands/group.js';
import { replicationCommands } from './commands/replication.js';
import { connectionCommands } from './commands/connection.js';
import { pubsubCommands } from './commands/pubsub.js';
import { persistenceCommands } from './commands/persistence.js';
import { scriptingCommands } from './commands/scripting.js';
import { serverCommands } from './commands/server.js';
import { transactionCommands } from './commands/transactions.js';
import type { ServerContext } from './context.js';

export type ServerCommandTable = CommandTable<ServerContext>;

export function allCommandSpecs(): Array<CommandSpec<ServerContext>> {
  return [
    ...(stringCommands as Array<CommandSpec<ServerContext>>),
    ...(bitmapCommands as Array<CommandSpec<ServerContext>>),
    ...(hyperLogLogCommands as Array<CommandSpec<ServerContext>>),
    ...(keyCommands as Array<CommandSpec<ServerContext>>),
    ...(sortCommands as Array<CommandSpec<ServerContext>>),
    ...(expiryCommands as Array<CommandSpec<ServerContext>>),
    ...(databaseCommands as Array<CommandSpec<ServerContext>>),
    ...(setCommands as Array<CommandSpec<ServerContext>>),
    ...(sortedSetCommands as Array<CommandSpec<ServerContext>>),
    ...(hashCommands as Array<CommandSpec<ServerContext>>),
    ...(listCommands as Array<CommandSpec<ServerContext>>),
    ...(streamCommands as Array<CommandSpec<ServerContext>>),
    ...(geoCommands as Array<CommandSpec<ServerContext>>),
    ...(memcachedCommands as Array<CommandSpec<ServerContext>>),
    ...connectionCommands,
    ...clientCommands,
    ...pubsubCommands,
    ...transactionCommands,
    ...serverCommands,
    ...persistenceCommands,
    ...clusterCommands,
    ...groupCommands,
    ...replicationCommands,
    ...scriptingCommands,
  ];
}

export function buildCommandTable(): ServerCommandTable {
  return new CommandTable(allCommandSpecs());
}
