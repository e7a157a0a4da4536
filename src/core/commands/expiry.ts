import type { CommandSpec } from './spec.js';

export const expiryCommands: CommandSpec[] = [];
