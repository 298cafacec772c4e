#!/usr/bin/env node
'use strict';
// Thin launcher: the CLI and the language server are bundled into dist/ by `npm run build`
// (run automatically by `npm install` / `npm ci` through the prepare script).
const path = require('node:path');
const fs = require('node:fs');
const cli = path.join(__dirname, '..', 'dist', 'cli.js');
if (!fs.existsSync(cli)) {
  process.stderr.write('sendcheck: dist/cli.js is missing; run `npm run build` first\n');
  process.exit(2);
}
void require(cli).main();
