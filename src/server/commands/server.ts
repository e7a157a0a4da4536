import type { CommandSpec } from '../../core/commands/spec.js';
import type { ServerContext } from '../context.js';

export const serverCommands: Array<CommandSpec<ServerContext>> = [];
