import type { CommandSpec } from './spec.js';

export const databaseCommands: CommandSpec[] = [];
