// The command table is the single declaration of every command: these tests hold it to that.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { allCommandSpecs, buildCommandTable } from '../../src/server/command-list.js';
import { renderCommandDocs } from '../../scripts/command-docs.js';
import { renderConfigDocs } from '../../scripts/config-docs.js';
import { CAIRN_VERSION } from '../../src/version.js';

test('every declaration has a handler or subcommands, and names are unique', () => {
  const table = buildCommandTable(); // validates each spec and throws on duplicates
  assert.equal(table.size, allCommandSpecs().length);
  for (const spec of table.all()) {
    for (const sub of spec.subcommands ?? []) assert.ok(sub.handler, `${spec.name}|${sub.name} has a handler`);
  }
});

test('every declaration documents itself', () => {
  for (const spec of allCommandSpecs()) {
    for (const s of [spec, ...(spec.subcommands ?? [])]) {
      assert.ok(s.summary.length > 0 && s.syntax.length > 0 && s.complexity.length > 0 && s.since.length > 0, `docs of ${s.name}`);
    }
  }
});

test('docs/commands.md matches the declarations (run `npm run docs` after changing a command)', () => {
  const onDisk = readFileSync('docs/commands.md', 'utf8');
  assert.equal(onDisk, renderCommandDocs() + '\n');
});

test('docs/configuration.md matches the option table (run `npm run docs` after changing an option)', () => {
  assert.equal(readFileSync('docs/configuration.md', 'utf8'), renderConfigDocs() + '\n');
});

test('the version Cairn reports is the package version', () => {
  const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string };
  assert.equal(CAIRN_VERSION, pkg.version);
});
