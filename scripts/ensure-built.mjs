// Makes `npm start` and `npm test` work on a fresh clone by themselves: installs the
// dependencies when they are missing, then compiles the TypeScript sources.
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';

function run(cmd, args) {
  const r = spawnSync(cmd, args, { stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

if (!existsSync('node_modules/typescript/bin/tsc')) {
  console.error('cairn: installing dependencies (first run)...');
  run('npm', existsSync('package-lock.json') ? ['ci', '--no-audit', '--no-fund'] : ['install', '--no-audit', '--no-fund']);
}
run(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.json']);
