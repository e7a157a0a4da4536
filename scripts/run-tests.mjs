// Runs the whole compiled test suite with node's test runner, which prints the summary counts.
// Usage: node scripts/run-tests.mjs [folder-or-file-filter ...]   (after `npm run build`)
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';

const root = path.resolve('dist/test');
const filters = process.argv.slice(2);

function collect(dir) {
  const out = [];
  for (const name of readdirSync(dir).sort()) {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) out.push(...collect(full));
    else if (name.endsWith('.test.js')) out.push(full);
  }
  return out;
}

// Only compiled tests whose source still exists: a deleted test must not keep running from dist/.
const hasSource = (f) => existsSync(path.join('test', path.relative(root, f)).replace(/\.js$/, '.ts'));
const files = collect(root).filter(hasSource).filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)));
if (files.length === 0) {
  console.error('no test files found under dist/test (did the build run?)');
  process.exit(1);
}
const result = spawnSync(process.execPath, ['--test', '--test-concurrency=2', ...files], { stdio: 'inherit' });
process.exit(result.status ?? 1);
