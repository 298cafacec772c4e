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

// The JS/TS engine (and TypeScript with it) is a bundle of its own, dist/js-engine.js, which the
// server and the CLI load when they first check a JS or TS file (check.ts, lazyJsEngine): a
// Python-only session never compiles TypeScript's 9 MB. Its `require('./js')` names that file.
const lazyJsEngine = {
  name: 'lazy-js-engine',
  setup(build) {
    build.onResolve({ filter: /^\.\/js$/ }, (args) => (/[\\/]server[\\/]src[\\/]check\.ts$/.test(args.importer) ? { path: './js-engine.js', external: true } : undefined));
  },
};

// `import * as ts from 'typescript'` in each of 30-odd modules makes esbuild copy TypeScript's
// 2 000 exports into a fresh namespace object per module (__toESM), half a second of CPU at every
// start. One ES module re-exports TypeScript once and every importer shares it. Its exports are
// named one by one (the names TypeScript exports, read here at build time), not `export *`: a
// CommonJS module's `export *` gives a namespace object whose every property is a getter, and the
// engine's `ts.isCallExpression(n)`-style calls through those getters were about a tenth of an
// edit's CPU; with static names esbuild binds each `ts.x` to a plain variable. The values are read
// once, when the bundle loads (nothing assigns to TypeScript's exports).
const typescriptOnce = {
  name: 'typescript-once',
  setup(build) {
    build.onResolve({ filter: /^typescript$/ }, (args) => (args.namespace === 'typescript-once' ? undefined : { path: 'typescript', namespace: 'typescript-once' }));
    build.onLoad({ filter: /.*/, namespace: 'typescript-once' }, () => {
      const names = Object.keys(require('typescript')).filter((n) => /^[A-Za-z_$][\w$]*$/.test(n) && n !== 'default');
      const contents = `import * as ts from 'typescript';\nexport const { ${names.join(', ')} } = ts;\n`;
      return { contents, resolveDir: process.cwd() };
    });
  },
};

const entries = [
  { entryPoints: ['client/src/extension.ts'], outfile: 'dist/client.js', external: ['vscode'] },
  { entryPoints: ['server/src/server.ts'], outfile: 'dist/server.js', plugins: [lazyJsEngine] },
  { entryPoints: ['server/src/cli.ts'], outfile: 'dist/cli.js', plugins: [lazyJsEngine] },
  // The code-cache loader on its own, for bin/sendcheck.js to load the CLI bundle with.
  { entryPoints: ['server/src/engine/load.ts'], outfile: 'dist/load.js' },
  // Minified in every build: reading, decoding and deserializing 10 MB of bundle was a third of the
  // first TypeScript check's CPU, minified (3.8 MB) about 0.2 s less; the linked source map keeps
  // stack traces readable (node --enable-source-maps).
  { entryPoints: ['server/src/js/index.ts'], outfile: 'dist/js-engine.js', plugins: [typescriptOnce], minify: true },
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
  // Node's real typings (and undici-types, which they import) are the fallback for projects without
  // @types/node: untyped scripts outside any package are judged against the same types as the tests.
  const dts = (src) => fs.statSync(src).isDirectory() || /\.d\.ts$|LICENSE$/.test(src);
  for (const pkg of ['@types/node', 'undici-types']) {
    fs.cpSync(path.dirname(require.resolve(`${pkg}/package.json`)), path.join('dist/typings', pkg), { recursive: true, filter: dts });
  }
}

copyAssets();
if (watch) {
  for (const e of entries) await (await esbuild.context({ ...common, ...e })).watch();
} else {
  await Promise.all(entries.map((e) => esbuild.build({ ...common, ...e })));
}
