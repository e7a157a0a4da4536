// Renders the command reference (docs/commands.md) from the declarations, so the docs
// cannot drift from what the server serves. `npm run docs` rewrites the file; a test
// fails when the checked-in file differs from what this renders.
import { aclCategories } from '../src/core/commands/registry.js';
import type { CommandSpec } from '../src/core/commands/spec.js';
import { allCommandSpecs } from '../src/server/command-list.js';
import type { ServerContext } from '../src/server/context.js';

const GROUP_TITLES: Record<string, string> = {
  string: 'Strings', generic: 'Keys', connection: 'Connection', server: 'Server', transactions: 'Transactions',
  list: 'Lists', set: 'Sets', 'sorted-set': 'Sorted sets', hash: 'Hashes', bitmap: 'Bitmaps',
  hyperloglog: 'HyperLogLog', pubsub: 'Pub/sub', stream: 'Streams', geo: 'Geo', scripting: 'Scripting', cluster: 'Cluster',
};

export function renderCommandDocs(): string {
  const specs = allCommandSpecs();
  const byGroup = new Map<string, Array<CommandSpec<ServerContext>>>();
  for (const s of specs) {
    const list = byGroup.get(s.group) ?? [];
    list.push(s);
    byGroup.set(s.group, list);
  }
  const lines: string[] = [
    '# Command reference',
    '',
    '<!-- Generated from the command declarations by `npm run docs`; do not edit by hand. -->',
    '',
    `Cairn serves ${specs.length} commands (COMMAND COUNT). Replies and errors match Redis 7; the few`,
    'justified differences are listed in [differences.md](differences.md).',
    '',
  ];
  for (const group of [...byGroup.keys()].sort()) {
    lines.push(`## ${GROUP_TITLES[group] ?? group}`, '');
    for (const s of byGroup.get(group)!.sort((a, b) => a.name.localeCompare(b.name))) renderSpec(lines, s, undefined);
  }
  return lines.join('\n');
}

function renderSpec(lines: string[], s: CommandSpec<ServerContext>, parent: string | undefined): void {
  const title = parent === undefined ? s.name.toUpperCase() : `${parent.toUpperCase()} ${s.name.toUpperCase()}`;
  lines.push(`### ${title}`, '');
  lines.push(`\`${s.syntax}\``, '');
  lines.push(s.summary, '');
  lines.push(`- Complexity: ${s.complexity}`);
  lines.push(`- Since (Redis): ${s.since}`);
  lines.push(`- Arity: ${s.arity}`);
  if (s.flags.length > 0) lines.push(`- Flags: ${s.flags.join(', ')}`);
  lines.push(`- ACL categories: ${aclCategories(s).map((c) => '@' + c).join(', ')}`);
  lines.push('');
  for (const sub of s.subcommands ?? []) renderSpec(lines, sub, s.name);
}
