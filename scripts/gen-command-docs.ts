// `npm run docs`: writes the generated reference pages from the declarations.
import { writeFileSync } from 'node:fs';
import { renderCommandDocs } from './command-docs.js';
import { renderConfigDocs } from './config-docs.js';

writeFileSync('docs/commands.md', renderCommandDocs() + '\n');
writeFileSync('docs/configuration.md', renderConfigDocs() + '\n');
console.log('wrote docs/commands.md and docs/configuration.md');
