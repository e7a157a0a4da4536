// Lint rule for the deterministic core (src/core) and the simulator (sim/): no clock, no
// randomness, no I/O, no async. Time and randomness come in as arguments; anything else breaks
// replay. The simulator's command line (sim/main.ts) reads argv and times the batch, so it is
// the one file left out.
// Uses the TypeScript parser so comments and strings never trigger false alarms.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

const CORE_DIRS = ['src/core', 'sim'];
const EXEMPT = new Set([path.join('sim', 'main.ts')]);
const FORBIDDEN_GLOBALS = new Set([
  'Date', 'process', 'setTimeout', 'setInterval', 'setImmediate', 'queueMicrotask', 'performance',
  'require', 'fetch', 'Buffer', 'globalThis', 'crypto', 'clearTimeout', 'clearInterval',
]);

function files(dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) out.push(...files(full));
    else if (full.endsWith('.ts')) out.push(full);
  }
  return out;
}

const problems = [];
function report(file, sf, node, message) {
  const { line, character } = sf.getLineAndCharacterOfPosition(node.getStart(sf));
  problems.push(`${file}:${line + 1}:${character + 1}: ${message}`);
}

for (const dir of CORE_DIRS) {
  for (const file of files(dir)) {
    if (EXEMPT.has(file)) continue;
    const sf = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.ES2022, true);
    const visit = (node) => {
      if (ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) {
        const spec = node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier) ? node.moduleSpecifier.text : '';
        if (spec !== '' && !spec.startsWith('.')) report(file, sf, node, `core may only import its own modules, not '${spec}'`);
      }
      if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) report(file, sf, node, 'dynamic import in core');
      if (ts.isAwaitExpression(node)) report(file, sf, node, 'await in core');
      if ((ts.isFunctionDeclaration(node) || ts.isMethodDeclaration(node) || ts.isArrowFunction(node) || ts.isFunctionExpression(node))
        && node.modifiers?.some((m) => m.kind === ts.SyntaxKind.AsyncKeyword)) report(file, sf, node, 'async function in core');
      if (ts.isPropertyAccessExpression(node) && ts.isIdentifier(node.expression) && node.expression.text === 'Math' && node.name.text === 'random') {
        report(file, sf, node, 'Math.random in core: use the seeded Rng');
      }
      if (ts.isIdentifier(node) && FORBIDDEN_GLOBALS.has(node.text)) {
        const parent = node.parent;
        const isPropertyName = (ts.isPropertyAccessExpression(parent) && parent.name === node)
          || (ts.isPropertyAssignment(parent) && parent.name === node)
          || ts.isPropertyDeclaration(parent) || ts.isMethodDeclaration(parent)
          || (ts.isPropertySignature?.(parent) ?? false);
        if (!isPropertyName) report(file, sf, node, `'${node.text}' in core: time, randomness and I/O come from the shell`);
      }
      ts.forEachChild(node, visit);
    };
    visit(sf);
  }
}

if (problems.length > 0) {
  console.error(problems.join('\n'));
  console.error(`\n${problems.length} problem(s): the core and the simulator must stay deterministic (see docs/design/deterministic-core.md)`);
  process.exit(1);
}
console.log('lint: core and simulator are deterministic (no clock, randomness, I/O or async)');
