// The command table, built from the declarations. Lookup is by lower-case name; the
// table also derives what Redis derives from flags (implicit ACL categories).
import { assert } from '../assert.js';
import type { AclCategory, CommandSpec } from './spec.js';

export class CommandTable<C> {
  private readonly byName = new Map<string, CommandSpec<C>>();

  constructor(specs: ReadonlyArray<CommandSpec<C>>) {
    for (const spec of specs) {
      assert(!this.byName.has(spec.name), `command declared twice: ${spec.name}`);
      validateSpec(spec, undefined);
      this.byName.set(spec.name, spec);
    }
  }

  /** Lookup by name as the client sent it (any case). */
  get(name: string): CommandSpec<C> | undefined {
    return this.byName.get(name) ?? this.byName.get(name.toLowerCase());
  }

  get size(): number {
    return this.byName.size;
  }

  all(): IterableIterator<CommandSpec<C>> {
    return this.byName.values();
  }
}

/** Finds a subcommand of a container (CLIENT SETNAME ...) by the word the client sent. */
export function findSubcommand<C>(container: CommandSpec<C>, word: string): CommandSpec<C> | undefined {
  const lower = word.toLowerCase();
  return container.subcommands?.find((s) => s.name === lower);
}

/** The ACL categories COMMAND INFO reports: declared ones plus those Redis derives from flags. */
export function aclCategories<C>(spec: CommandSpec<C>): AclCategory[] {
  const out = new Set<AclCategory>(spec.acl);
  const f = new Set(spec.flags);
  if (f.has('write')) out.add('write');
  if (f.has('readonly') && !out.has('scripting')) out.add('read');
  if (f.has('admin')) {
    out.add('admin');
    out.add('dangerous');
  }
  if (f.has('pubsub')) out.add('pubsub');
  if (f.has('fast')) out.add('fast');
  if (f.has('blocking')) out.add('blocking');
  if (!f.has('fast')) out.add('slow');
  return [...out];
}

/** Key positions of a command line, from its declaration (COMMAND GETKEYS, routing, ACL). */
export function keyPositions<C>(spec: CommandSpec<C>, argv: readonly string[]): number[] {
  if (spec.movableKeys !== undefined) return spec.movableKeys(argv);
  const k = spec.keys;
  if (k === undefined || k.first === 0) return [];
  const last = k.last < 0 ? argv.length + k.last : k.last;
  const out: number[] = [];
  for (let i = k.first; i <= last && i < argv.length; i += k.step) out.push(i);
  return out;
}

function validateSpec<C>(spec: CommandSpec<C>, parent: string | undefined): void {
  const full = parent === undefined ? spec.name : `${parent}|${spec.name}`;
  assert(spec.name === spec.name.toLowerCase(), `command name must be lower case: ${full}`);
  assert(spec.arity !== 0, `arity 0 is not allowed: ${full}`);
  const hasSubs = spec.subcommands !== undefined && spec.subcommands.length > 0;
  // A container may also have a handler: it serves the container called alone (bare COMMAND).
  assert(hasSubs || spec.handler !== undefined, `a handler or subcommands are needed: ${full}`);
  assert(parent === undefined || !hasSubs, `subcommands nest one level only: ${full}`);
  if (spec.keys !== undefined) assert(spec.keys.step > 0 || spec.keys.first === 0, `key step: ${full}`);
  const wr = spec.flags.includes('write');
  const ro = spec.flags.includes('readonly');
  assert(!(wr && ro), `write and readonly: ${full}`);
  for (const sub of spec.subcommands ?? []) validateSpec(sub, spec.name);
}
