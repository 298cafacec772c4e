// `node bench/beds.mjs [name...]` installs the real code the bench measures into bench/.beds/
// (ignored by git: no third-party code is committed). Each bed is pinned, so two machines measure
// the same lines:
//   ts-effect   effect@3.22.4's src/ (the TypeScript sources the npm package ships, ~235 k lines)
//   ts-rxjs     rxjs@7.8.2's src/
//   ts-piscina  piscina@5.3.2's src/: a worker_threads pool, so the sinks are real
//   py-stdlib   CPython's standard library from Debian (/usr/lib/python3.11, without tests)
//   py-dask     dask + distributed from Debian (python3-dask, python3-distributed)
// A TS bed gets the package's own dependencies (npm install, no scripts) and one uniform
// tsconfig (NodeNext, strict, noEmit, skipLibCheck), so `tsc --noEmit -p <bed>` is the reference.
// Python beds copy the Debian files (apt-get installs them when missing and we are root) and get a
// pyrightconfig.json for the type-aware reference, pyright (npm, pinned, into bench/.beds/.tools).
// Exported for bench/run.mjs: `ensureBeds(names)` returns [{ name, lang, dir }].
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
export const bedsDir = path.join(root, 'bench', '.beds');
const PYRIGHT = '1.1.414';
const TYPES_NODE = '20.19.43';

export const BEDS = {
  'ts-effect': { lang: 'ts', pkg: 'effect', version: '3.22.4', about: "effect's src/ (npm effect@3.22.4)" },
  // rxjs writes extensionless relative imports: resolved as a bundler would.
  'ts-rxjs': { lang: 'ts', pkg: 'rxjs', version: '7.8.2', about: "rxjs's src/ (npm rxjs@7.8.2)", tsOptions: { module: 'ESNext', moduleResolution: 'Bundler' } },
  'ts-piscina': { lang: 'ts', pkg: 'piscina', version: '5.3.2', about: "piscina's src/ (npm piscina@5.3.2, worker_threads)" },
  'py-stdlib': { lang: 'py', debian: [], from: ['/usr/lib/python3.11'], about: 'CPython 3.11 standard library (Debian, /usr/lib/python3.11, tests excluded)' },
  'py-dask': { lang: 'py', debian: ['python3-dask', 'python3-distributed'], from: ['/usr/lib/python3/dist-packages/dask', '/usr/lib/python3/dist-packages/distributed'], about: 'dask + distributed (Debian python3-dask, python3-distributed)' },
};

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 15 * 60_000, ...opts });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status ?? r.signal}):\n${r.stderr || r.stdout}`);
  return r.stdout;
}

const marker = (dir) => path.join(dir, '.bed-ready');

function installTsBed(name, bed) {
  const dir = path.join(bedsDir, name);
  const stage = path.join(bedsDir, '.stage', name);
  fs.rmSync(dir, { recursive: true, force: true });
  fs.rmSync(stage, { recursive: true, force: true });
  fs.mkdirSync(stage, { recursive: true });
  fs.writeFileSync(path.join(stage, 'package.json'), JSON.stringify({ name: `bed-${name}`, private: true }));
  // The package itself brings its runtime dependencies as siblings; @types/node for the Node APIs.
  run('npm', ['install', '--ignore-scripts', '--no-audit', '--no-fund', '--save-exact', `${bed.pkg}@${bed.version}`, `@types/node@${TYPES_NODE}`], { cwd: stage });
  const pkgDir = path.join(stage, 'node_modules', bed.pkg);
  if (!fs.existsSync(path.join(pkgDir, 'src'))) throw new Error(`${bed.pkg}@${bed.version} ships no src/ folder`);
  fs.mkdirSync(dir, { recursive: true });
  fs.cpSync(path.join(pkgDir, 'src'), path.join(dir, 'src'), { recursive: true });
  // The dependencies stay resolvable from the copied sources: the stage's node_modules moves in.
  fs.renameSync(path.join(stage, 'node_modules'), path.join(dir, 'node_modules'));
  fs.rmSync(path.join(dir, 'node_modules', bed.pkg), { recursive: true, force: true });
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: `bed-${name}`, private: true, type: 'module' }, null, 2));
  fs.writeFileSync(
    path.join(dir, 'tsconfig.json'),
    JSON.stringify({ compilerOptions: { target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, noEmit: true, skipLibCheck: true, types: ['node'], lib: ['ES2022', 'DOM'], ...bed.tsOptions }, include: ['src'] }, null, 2),
  );
  fs.rmSync(stage, { recursive: true, force: true });
}

function installPyBed(name, bed) {
  const missing = bed.from.filter((p) => !fs.existsSync(p));
  if (missing.length && bed.debian.length) {
    if (process.getuid?.() !== 0) throw new Error(`${name} needs ${bed.debian.join(' ')}: sudo apt-get install -y ${bed.debian.join(' ')}`);
    run('apt-get', ['install', '-y', '-qq', ...bed.debian], { env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  }
  const still = bed.from.filter((p) => !fs.existsSync(p));
  if (still.length) throw new Error(`${name}: ${still.join(', ')} not found`);
  const dir = path.join(bedsDir, name);
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  // Tests, bytecode and installed third-party packages are not part of a bed.
  const skip = /(^|\/)(__pycache__|test|tests|idle_test|site-packages|dist-packages|config-3\.\d+-[^/]*)$/;
  for (const src of bed.from)
    fs.cpSync(src, path.join(dir, path.basename(src)), { recursive: true, dereference: false, filter: (p) => !skip.test(p) && (fs.lstatSync(p).isDirectory() || p.endsWith('.py')) });
  fs.writeFileSync(path.join(dir, 'pyrightconfig.json'), JSON.stringify({ include: ['.'], pythonVersion: '3.11', typeCheckingMode: 'standard' }, null, 2));
}

/** The pinned pyright CLI (the Python reference); returns the path of its entry script. */
export function ensurePyright() {
  const tools = path.join(bedsDir, '.tools');
  const entry = path.join(tools, 'node_modules', 'pyright', 'index.js');
  const pkg = path.join(tools, 'node_modules', 'pyright', 'package.json');
  if (fs.existsSync(pkg) && JSON.parse(fs.readFileSync(pkg, 'utf8')).version === PYRIGHT) return entry;
  fs.mkdirSync(tools, { recursive: true });
  if (!fs.existsSync(path.join(tools, 'package.json'))) fs.writeFileSync(path.join(tools, 'package.json'), JSON.stringify({ name: 'bench-tools', private: true }));
  run('npm', ['install', '--ignore-scripts', '--no-audit', '--no-fund', '--save-exact', `pyright@${PYRIGHT}`], { cwd: tools });
  return entry;
}

/** Installs the named beds that are not there yet (or all of them); returns their folders. */
export function ensureBeds(names = Object.keys(BEDS)) {
  const out = [];
  for (const name of names) {
    const bed = BEDS[name];
    if (!bed) throw new Error(`unknown bed ${name}; beds: ${Object.keys(BEDS).join(', ')}`);
    const dir = path.join(bedsDir, name);
    const id = JSON.stringify(bed);
    if (!fs.existsSync(marker(dir)) || fs.readFileSync(marker(dir), 'utf8') !== id) {
      console.error(`bench: installing bed ${name} (${bed.about})`);
      if (bed.lang === 'ts') installTsBed(name, bed);
      else installPyBed(name, bed);
      fs.writeFileSync(marker(dir), id);
    }
    out.push({ name, lang: bed.lang, dir, about: bed.about });
  }
  return out;
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(new URL(import.meta.url).pathname)) {
  const names = process.argv.slice(2);
  const beds = ensureBeds(names.length ? names : undefined);
  if (beds.some((b) => b.lang === 'py')) ensurePyright();
  for (const b of beds) console.log(`${b.name}\t${b.dir}`);
}
