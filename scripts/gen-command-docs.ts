// `npm run docs`: writes docs/commands.md from the command declarations.
import { writeFileSync } from 'node:fs';
import { renderCommandDocs } from './command-docs.js';

writeFileSync('docs/commands.md', renderCommandDocs() + '\n');
console.log('wrote docs/commands.md');
