#!/usr/bin/env node
'use strict';
// Thin launcher: the CLI and the language server are bundled into dist/ by `npm run build`
// (run automatically by `npm install` / `npm ci` through the prepare script).
const path = require('node:path');
const fs = require('node:fs');
// `--version` alone answers from package.json: loading the bundle (TypeScript and the tree-sitter
// runtime in it) costs half a second, which a version probe in a script should not pay.
const args = process.argv.slice(2);
if (args.length === 1 && (args[0] === '--version' || args[0] === '-v')) {
  try {
    process.stdout.write(`${JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'package.json'), 'utf8')).version}\n`);
    process.exit(0);
  } catch {
    // No readable package.json beside us: the bundle knows its version too.
  }
}
const cli = path.join(__dirname, '..', 'dist', 'cli.js');
if (!fs.existsSync(cli)) {
  process.stderr.write('sendcheck: dist/cli.js is missing; run `npm run build` first\n');
  process.exit(2);
}
// dist/load.js: the bundles' code-cache loader (server/src/engine/load.ts), the cache written as the run ends.
const { requireCached } = require(path.join(__dirname, '..', 'dist', 'load.js'));
void requireCached(cli, 'exit').main();
