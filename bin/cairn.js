#!/usr/bin/env node
// Entry point of the cairn executable: runs the compiled server.
import { main } from '../dist/src/main.js';

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error) => {
    process.stderr.write(`cairn: fatal: ${error?.stack ?? error}\n`);
    process.exit(1);
  },
);
