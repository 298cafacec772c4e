import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import * as ts from 'typescript';
import { createChecker } from '../../server/src/check';
import { resolveConfig } from '../../server/src/engine/config';
import { DiskHost } from '../../server/src/engine/files';
import type { Finding } from '../../server/src/engine/types';
import { freeNames, LeanLibs } from '../../server/src/js/lean-libs';
import { fixturesRoot, loadFixtures } from './fixtures';

// A program leaves the DOM library and the chrome typings out until a file names a global they
// declare (server/src/js/lean-libs.ts). The findings must not depend on it: every JS/TS fixture
// and example is checked by a lean checker and by one that builds whole programs, and the two
// must report the same findings, byte for byte.

const root = path.resolve(__dirname, '..', '..');
const host = new DiskHost();

function checkAll(files: { file: string; target: string }[], full: boolean): string[] {
  const before = process.env.SENDCHECK_FULL_LIBS;
  if (full) process.env.SENDCHECK_FULL_LIBS = '1';
  else delete process.env.SENDCHECK_FULL_LIBS;
  try {
    const checker = createChecker();
    return files.map(({ file, target }) => {
      const { config } = resolveConfig({ js: { target } });
      const found: Finding[] = checker.check([file], host, config);
      return JSON.stringify(found);
    });
  } finally {
    if (before === undefined) delete process.env.SENDCHECK_FULL_LIBS;
    else process.env.SENDCHECK_FULL_LIBS = before;
  }
}

function examples(dir: string): string[] {
  const out: string[] = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, e.name);
    if (e.name === 'node_modules' || e.name.startsWith('.')) continue;
    if (e.isDirectory()) out.push(...examples(full));
    else if (/\.(?:[mc]?[jt]sx?)$/.test(e.name) && !e.name.endsWith('.d.ts')) out.push(full);
  }
  return out;
}

test('lean programs report the same findings as whole programs on the fixtures and examples', async () => {
  const files = [
    ...loadFixtures().map((f) => ({ file: f.file, target: f.target })),
    ...examples(path.join(root, 'examples')).map((file) => ({ file, target: 'auto' })),
  ];
  await createChecker().init();
  const lean = checkAll(files, false);
  const full = checkAll(files, true);
  let withFindings = 0;
  for (let i = 0; i < files.length; i++) {
    assert.equal(lean[i], full[i], `${path.relative(root, files[i].file)}: lean and whole programs disagree`);
    if (lean[i] !== '[]') withFindings++;
  }
  assert.ok(withFindings >= 30, `only ${withFindings} files with findings: the comparison proves little`);
});

test('outside any installed packages (fallback typings, shipped Node typings) lean and whole programs agree too', async () => {
  // The fixtures and examples inside the repository see its node_modules; a user's folder without
  // any gets sendcheck's fallback typings, which declare modules (comlink's names a DOM global).
  const tmp = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'sendcheck-lean-')));
  try {
    fs.cpSync(fixturesRoot, path.join(tmp, 'fixtures'), { recursive: true });
    fs.cpSync(path.join(root, 'examples'), path.join(tmp, 'examples'), { recursive: true, filter: (f) => !f.includes(`${path.sep}node_modules`) });
    const files = [
      ...loadFixtures().map((f) => ({ file: path.join(tmp, 'fixtures', path.relative(fixturesRoot, f.file)), target: f.target })),
      ...examples(path.join(tmp, 'examples')).map((file) => ({ file, target: 'auto' })),
    ];
    const lean = checkAll(files, false);
    const full = checkAll(files, true);
    let withFindings = 0;
    for (let i = 0; i < files.length; i++) {
      assert.equal(lean[i], full[i], `${path.relative(tmp, files[i].file)}: lean and whole programs disagree`);
      if (lean[i] !== '[]') withFindings++;
    }
    assert.ok(withFindings >= 30, `only ${withFindings} files with findings: the comparison proves little`);
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
});

test('a typing that declares a module nobody imports brings in no library by the globals it names', () => {
  const typing = "declare module 'pool-lib' { export function channel(): Promise<MessagePort>; }\n";
  assert.equal(program({ '/w/pool-lib.d.ts': typing, '/w/main.ts': "import { Worker } from 'node:worker_threads';\nnew Worker('x').postMessage(1);\n" }), false);
  assert.equal(program({ '/w/pool-lib.d.ts': typing, '/w/main.ts': "import { channel } from 'pool-lib';\nvoid channel();\n" }), true);
  assert.equal(program({ '/w/pool-lib.d.ts': typing, '/w/main.ts': "export type C = typeof import('pool-lib');\n" }), true);
  // An augmentation (in a module) merges into a module that relative imports reach too: its names count.
  const augmentation = "export {};\ndeclare module './store' { interface Store { port: MessagePort } }\n";
  assert.equal(program({ '/w/aug.ts': augmentation, '/w/store.ts': 'export interface Store { id: number }\n', '/w/main.ts': "import type { Store } from './store';\nexport const s: Store | undefined = undefined;\n" }), true);
});

function program(files: Record<string, string>, lib = ['lib.es2023.d.ts', 'lib.dom.d.ts']) {
  const options: ts.CompilerOptions = { lib, allowJs: true, checkJs: true, noEmit: true, types: [], target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.Preserve, moduleResolution: ts.ModuleResolutionKind.Bundler };
  const host = ts.createCompilerHost(options);
  const read = host.readFile;
  host.readFile = (f) => files[f] ?? read(f);
  host.fileExists = (f) => f in files || ts.sys.fileExists(f);
  const getSourceFile = host.getSourceFile;
  host.getSourceFile = (f, v) => (f in files ? ts.createSourceFile(f, files[f], v) : getSourceFile(f, v));
  const lean = new LeanLibs(options, []);
  let p: ts.Program;
  do {
    const shape = lean.shape(Object.keys(files));
    p = ts.createProgram({ rootNames: shape.roots, options: shape.options, host });
  } while (lean.widen(p));
  return p.getSourceFiles().some((sf) => /lib\.dom\.d\.ts$/.test(sf.fileName));
}

test('the DOM library is left out until a file names a DOM global, however deep in the imports', () => {
  assert.equal(program({ '/w/main.ts': "import { Worker } from 'node:worker_threads';\nconst w = new Worker('./w.js');\nw.postMessage({ a: 1 });\nconsole.log(w);\n" }), false);
  assert.equal(program({ '/w/main.ts': "import { send } from './send';\nsend({ a: 1 });\n", '/w/send.ts': 'export function send(v: unknown) { self.postMessage(v); }\n' }), true);
  // A script's own top-level declarations are globals that merge with the DOM's.
  assert.equal(program({ '/w/script.js': 'function postMessage(x) {}\n' }), true);
  // JSDoc types of a JS file name globals too.
  assert.equal(program({ '/w/a.js': "/** @param {MessagePort} port */\nexport function f(port) { return port; }\n" }), true);
  assert.equal(program({ '/w/a.ts': 'export const g = globalThis;\n' }), true);
});

test('member names, declarations and imports of a module do not count as uses of globals', () => {
  const sf = ts.createSourceFile('/w/m.ts', "import { Worker } from 'node:worker_threads';\nexport function f(name: string) { const o = { status: 1, length: 2 }; return o.status + name; }\nnew Worker('x');\n", ts.ScriptTarget.ES2022);
  const names = freeNames(sf);
  for (const n of ['Worker', 'status', 'length']) assert.ok(!names.has(n), n);
  // `name` is referenced inside f: a parameter, but the scan does not resolve scopes (a name too many only costs time).
  assert.ok(names.has('name'));
});
