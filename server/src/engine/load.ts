import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vm from 'node:vm';
import Module = require('node:module');

// Loads a bundle of dist/ through V8's code cache: compiling the JS engine's bundle (TypeScript is
// in it) costs more CPU than running a small check, and the CLI's bundle a third of a small run.
// Node ≥ 22.1 caches compiled code itself (module.enableCompileCache); on Node 20 the cache is
// kept here, per user (never a shared temp folder: a cache is code), keyed by the bundle's size
// and mtime, and named after the bundle's folder too: several installs on one machine (the extension,
// a global CLI, a project's own copy, two builds side by side) each keep their own cache instead of
// evicting each other's at every start, which made every start pay the full compile. Any failure
// falls back to a plain require. The server and the CLI bundle this file
// (for the JS engine); bin/sendcheck.js loads the CLI with its own build of it, dist/load.js. A
// bundle loaded this way must not use dynamic import() (functions restored from a code cache
// lose their importer: ERR_VM_DYNAMIC_IMPORT_CALLBACK_MISSING).

const cacheDir = () => process.env.SENDCHECK_CACHE_DIR || path.join(process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache'), 'sendcheck');

type ModuleInternals = typeof Module & {
  wrap(source: string): string;
  _nodeModulePaths(dir: string): string[];
  enableCompileCache?: (dir: string) => unknown;
};

/**
 * `require(file)` through the code cache. The cache is written once the module's code has run
 * (`soon`: on the next turn, for a server that keeps running), or as the process ends (`exit`: a
 * CLI run, whose functions have all been compiled by then).
 */
export function requireCached<T>(file: string, save: 'soon' | 'exit' = 'soon'): T {
  const M = Module as ModuleInternals;
  // Node's own require (a bundler's stand-in has no cache).
  const require = Module.createRequire(__filename);
  if (process.env.SENDCHECK_NO_COMPILE_CACHE) return require(file) as T;
  if (typeof M.enableCompileCache === 'function') {
    try {
      M.enableCompileCache(cacheDir());
    } catch {
      // A cache we cannot write only costs time.
    }
    return require(file) as T;
  }
  const cached = require.cache[file];
  if (cached?.loaded) return cached.exports as T;
  try {
    const st = fs.statSync(file);
    const dir = cacheDir();
    const base = path.basename(file);
    // One cache per install (the bundle's folder), replaced when that install's bundle changes.
    const prefix = `${base}-${nameHash(path.dirname(path.resolve(file)))}-`;
    const cacheFile = path.join(dir, `${prefix}${st.size}-${Math.round(st.mtimeMs)}.v8cache`);
    let cachedData: Buffer | undefined;
    try {
      cachedData = fs.readFileSync(cacheFile);
    } catch {
      cachedData = undefined;
    }
    const script = new vm.Script(M.wrap(fs.readFileSync(file, 'utf8')), { filename: file, cachedData });
    const mod = new Module(file, module) as Module & { filename: string; paths: string[]; loaded: boolean };
    mod.filename = file;
    mod.paths = M._nodeModulePaths(path.dirname(file));
    require.cache[file] = mod;
    const fn = script.runInThisContext({ displayErrors: true }) as (...args: unknown[]) => void;
    fn.call(mod.exports, mod.exports, (id: string) => mod.require(id), mod, file, path.dirname(file));
    mod.loaded = true;
    // After the module's code ran, so the cache holds the functions it compiled.
    if (!cachedData || script.cachedDataRejected) {
      const write = () => saveCache(script, dir, cacheFile, prefix, base);
      if (save === 'soon') setImmediate(write);
      else {
        process.once('beforeExit', write);
        process.once('exit', write);
      }
    }
    return mod.exports as T;
  } catch {
    delete require.cache[file];
    return require(file) as T;
  }
}

/** A short name for an install's folder (FNV-1a; a name, not a secret: a collision only shares a slot). */
function nameHash(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return (h >>> 0).toString(16).padStart(8, '0');
}

function saveCache(script: vm.Script, dir: string, cacheFile: string, prefix: string, base: string): void {
  try {
    if (fs.existsSync(cacheFile)) return;
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    const tmp = `${cacheFile}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, script.createCachedData(), { mode: 0o600 });
    fs.renameSync(tmp, cacheFile);
    // This install's older bundles' caches go: one file per install is enough. So do caches named
    // the old way (`<bundle>-<size>-<mtime>`, no install in the name), which no start reads any more,
    // and other installs' caches untouched for a month (an install since removed: nothing else
    // would ever delete its cache; one still in use only writes its cache again).
    const monthAgo = Date.now() - 30 * 24 * 3600_000;
    for (const f of fs.readdirSync(dir)) {
      const full = path.join(dir, f);
      if (full === cacheFile || !f.startsWith(`${base}-`) || !f.endsWith('.v8cache')) continue;
      if (f.startsWith(prefix) || /^\d+-\d+\.v8cache$/.test(f.slice(base.length + 1)) || fs.statSync(full).mtimeMs < monthAgo) fs.rmSync(full, { force: true });
    }
  } catch {
    // A cache we cannot write only costs time.
  }
}
