// Bundles the three entry points into dist/: the VS Code client, the language server and the
// CLI. `vscode` stays external (the editor provides it); everything else, TypeScript included,
// is bundled so the .vsix needs no node_modules. TypeScript finds its lib.*.d.ts files next to
// the executing script, and web-tree-sitter its .wasm through Parser.init({ locateFile }), so
// both are copied beside the bundles.
import * as esbuild from 'esbuild';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const pkg = JSON.parse(fs.readFileSync('package.json', 'utf8'));
const watch = process.argv.includes('--watch');
const production = process.argv.includes('--production');

const common = {
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  sourcemap: production ? false : 'linked',
  minify: production,
  logLevel: 'warning',
  define: { SENDCHECK_VERSION: JSON.stringify(pkg.version) },
};

const entries = [
  { entryPoints: ['client/src/extension.ts'], outfile: 'dist/client.js', external: ['vscode'] },
  { entryPoints: ['server/src/server.ts'], outfile: 'dist/server.js' },
  { entryPoints: ['server/src/cli.ts'], outfile: 'dist/cli.js' },
];

function copyAssets() {
  fs.mkdirSync('dist', { recursive: true });
  const tsLib = path.dirname(require.resolve('typescript'));
  for (const f of fs.readdirSync(tsLib)) if (/^lib\..*\.d\.ts$/.test(f)) fs.copyFileSync(path.join(tsLib, f), path.join('dist', f));
  fs.copyFileSync(require.resolve('web-tree-sitter/web-tree-sitter.wasm'), 'dist/web-tree-sitter.wasm');
  fs.copyFileSync(require.resolve('tree-sitter-python/tree-sitter-python.wasm'), 'dist/tree-sitter-python.wasm');
  // Generated knowledge tables (tools/gen): read lazily at run time, not bundled into the code.
  fs.cpSync('server/generated', 'dist/generated', { recursive: true });
  const typings = 'server/typings';
  if (fs.existsSync(typings)) fs.cpSync(typings, 'dist/typings', { recursive: true });
}

copyAssets();
if (watch) {
  for (const e of entries) await (await esbuild.context({ ...common, ...e })).watch();
} else {
  await Promise.all(entries.map((e) => esbuild.build({ ...common, ...e })));
}
