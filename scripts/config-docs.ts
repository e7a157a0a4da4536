// Renders docs/configuration.md from the option table in src/server/config.ts.
import { OPTIONS } from '../src/server/config.js';

export function renderConfigDocs(): string {
  const lines = [
    '# Configuration',
    '',
    '<!-- Generated from src/server/config.ts by `npm run docs`; do not edit by hand. -->',
    '',
    'Each option can be set in a config file in redis.conf syntax (`name value` per line, `#` comments),',
    'as `--name value` on the command line (which wins over the file), and at run time with',
    '`CONFIG SET name value` unless it is marked immutable. `CONFIG REWRITE` writes run-time changes',
    'back into the config file the server was started with.',
    '',
    '| option | default | immutable | meaning |',
    '| --- | --- | --- | --- |',
  ];
  for (const o of OPTIONS) {
    const shown = o.default === '' ? '(empty)' : o.default;
    lines.push(`| ${o.name} | ${shown} | ${o.immutable === true ? 'yes' : ''} | ${o.description} |`);
  }
  return lines.join('\n');
}
