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
void loadCached(cli).main();

/**
 * Loads the bundle with V8's code cache: compiling the 11 MB bundle is a third of a small run.
 * Node ≥ 22.1 does this itself (module.enableCompileCache); on Node 20 the cache is kept by hand,
 * per user (never a shared temp folder: a cache is code), keyed by the bundle's size and mtime.
 * Any failure falls back to a plain require. The bundle must not use dynamic import() on this
 * path (functions restored from a code cache lose their importer: ERR_VM_DYNAMIC_IMPORT_CALLBACK_MISSING).
 */
function loadCached(file) {
  const Module = require('node:module');
  const cacheDir = process.env.SENDCHECK_CACHE_DIR || path.join(process.env.XDG_CACHE_HOME || path.join(require('node:os').homedir(), '.cache'), 'sendcheck');
  if (process.env.SENDCHECK_NO_COMPILE_CACHE) return require(file);
  if (typeof Module.enableCompileCache === 'function') {
    try {
      Module.enableCompileCache(cacheDir);
    } catch {
      // A cache we cannot write only costs time.
    }
    return require(file);
  }
  try {
    const vm = require('node:vm');
    const st = fs.statSync(file);
    const cacheFile = path.join(cacheDir, `${path.basename(file)}-${st.size}-${Math.round(st.mtimeMs)}.v8cache`);
    let cachedData;
    try {
      cachedData = fs.readFileSync(cacheFile);
    } catch {
      cachedData = undefined;
    }
    const source = fs.readFileSync(file, 'utf8');
    const script = new vm.Script(Module.wrap(source), { filename: file, cachedData });
    const mod = new Module(file, module);
    mod.filename = file;
    mod.paths = Module._nodeModulePaths(path.dirname(file));
    require.cache[file] = mod;
    const fn = script.runInThisContext({ displayErrors: true });
    fn.call(mod.exports, mod.exports, (id) => mod.require(id), mod, file, path.dirname(file));
    mod.loaded = true;
    if (!cachedData || script.cachedDataRejected) {
      // After the run's module code has executed, so the cache holds the functions it compiled.
      process.once('beforeExit', () => saveCache(script, cacheDir, cacheFile));
      process.once('exit', () => saveCache(script, cacheDir, cacheFile));
    }
    return mod.exports;
  } catch {
    delete require.cache[file];
    return require(file);
  }
}

function saveCache(script, cacheDir, cacheFile) {
  try {
    if (fs.existsSync(cacheFile)) return;
    fs.mkdirSync(cacheDir, { recursive: true, mode: 0o700 });
    const tmp = `${cacheFile}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, script.createCachedData(), { mode: 0o600 });
    fs.renameSync(tmp, cacheFile);
    // Old bundles' caches go: one file per bundle version is enough.
    for (const f of fs.readdirSync(cacheDir)) if (f.startsWith('cli.js-') && path.join(cacheDir, f) !== cacheFile) fs.rmSync(path.join(cacheDir, f), { force: true });
  } catch {
    // A cache we cannot write only costs time.
  }
}
