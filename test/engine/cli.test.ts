import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { collectFiles } from '../../server/src/engine/files';

const root = path.resolve(__dirname, '..', '..');
const bin = path.join(root, 'bin', 'sendcheck.js');

function run(args: string[], cwd = root) {
  const r = spawnSync(process.execPath, [bin, ...args], { cwd, encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function tree(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sendcheck-walk-'));
  for (const [rel, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), text);
  }
  return dir;
}

test('collectFiles skips node_modules, .git, .gitignored paths, exclude globs and declaration files', () => {
  const dir = tree({
    'a.ts': '',
    'b.py': '',
    'c.d.ts': '',
    'readme.md': '',
    'node_modules/x/index.js': '',
    '.git/hooks/h.js': '',
    'gen/out.js': '',
    'sub/.gitignore': 'local.py\n',
    'sub/local.py': '',
    'sub/kept.py': '',
    'vendor/v.js': '',
    '.gitignore': 'gen/\n',
  });
  const files = collectFiles([dir], { exclude: ['vendor/**'] }).map((f) => path.relative(dir, f).split(path.sep).join('/'));
  assert.deepEqual(files.sort(), ['a.ts', 'b.py', 'sub/kept.py']);
});

test('collectFiles skips files over the size limit and says why', () => {
  const dir = tree({ 'big.js': 'x'.repeat(2000), 'small.js': '1' });
  const skipped: string[] = [];
  const files = collectFiles([dir], { maxFileSize: 1000, onSkip: (f, why) => skipped.push(`${path.basename(f)} ${why}`) });
  assert.deepEqual(files.map((f) => path.basename(f)), ['small.js']);
  assert.match(skipped[0], /^big\.js larger than sendcheck\.maxFileSize/);
});

test('CLI: usage errors exit 2 with a message', () => {
  const none = run([]);
  assert.equal(none.code, 2);
  assert.match(none.stderr, /no files or folders given/);
  const fmt = run(['--format', 'xml', '.']);
  assert.equal(fmt.code, 2);
  assert.match(fmt.stderr, /unknown format "xml"/);
  const missing = run(['does-not-exist']);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /no such file or folder: does-not-exist/);
  const badRule = run(['--rule', 'no-function=loud', '.']);
  assert.equal(badRule.code, 2);
  assert.match(badRule.stderr, /setting sendcheck\.rules\.no-function/);
});

test('CLI: a clean folder exits 0 and SARIF output is valid 2.1.0', () => {
  const dir = tree({ 'ok.js': 'const a = 1;\n', 'ok.py': 'x = 1\n' });
  const r = run(['--format', 'sarif', dir]);
  assert.equal(r.code, 0, r.stderr);
  const sarif = JSON.parse(r.stdout);
  assert.equal(sarif.version, '2.1.0');
  assert.equal(sarif.runs[0].tool.driver.name, 'sendcheck');
  assert.deepEqual(sarif.runs[0].results, []);
  assert.equal(run(['--version']).stdout.trim(), JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')).version);
});

test('DiskHost with roots refuses files outside them, including through a symlink', () => {
  const { DiskHost } = require('../../server/src/engine/files') as typeof import('../../server/src/engine/files');
  const outside = tree({ 'secret.ts': 'export const s = 1;\n' });
  const ws = tree({ 'in.ts': 'export const a = 1;\n' });
  fs.symlinkSync(path.join(outside, 'secret.ts'), path.join(ws, 'link.ts'));
  const linkedWs = ws + '-link';
  fs.symlinkSync(ws, linkedWs);
  const host = new DiskHost({ roots: [linkedWs] });
  assert.equal(host.readFile(path.join(linkedWs, 'in.ts')), 'export const a = 1;\n');
  assert.equal(host.readFile(path.join(ws, 'in.ts')), 'export const a = 1;\n');
  assert.equal(host.readFile(path.join(outside, 'secret.ts')), undefined);
  assert.equal(host.readFile(path.join(linkedWs, 'link.ts')), undefined);
  assert.equal(host.fileExists(path.join(linkedWs, '..', path.basename(outside), 'secret.ts')), false);
  assert.deepEqual(host.listDirectory(path.dirname(outside)), { files: [], directories: [] });
});

test('package typings in a node_modules above the checked folder, or linked elsewhere, are read; nothing else there is', () => {
  // A monorepo's hoisted install, or a corpus sharing one install: the package sits in a
  // node_modules above the folder checked (tsc resolves it there), here a symlink to this repo's own.
  const base = tree({
    'app/pool.ts': [`import Piscina from 'piscina';`, `const pool = new Piscina({ filename: new URL('./task.js', import.meta.url).href });`, `await pool.run({ id: 1, onDone: () => console.log('done') });`, ''].join('\n'),
    'app/package.json': JSON.stringify({ type: 'module' }),
    'secret.ts': 'export const s = 1;\n',
  });
  fs.symlinkSync(path.join(root, 'node_modules'), path.join(base, 'node_modules'));
  const app = path.join(base, 'app');
  for (const cwd of [app, os.tmpdir()]) {
    const r = run(['--format', 'json', app], cwd);
    const rules = (JSON.parse(r.stdout) as { rule: string }[]).map((f) => f.rule);
    assert.deepEqual(rules, ['no-function'], `from ${cwd}: ${r.stdout}${r.stderr}`);
  }
  const { DiskHost } = require('../../server/src/engine/files') as typeof import('../../server/src/engine/files');
  const host = new DiskHost({ roots: [app] });
  assert.ok(host.readFile(path.join(base, 'node_modules', 'piscina', 'package.json')));
  assert.equal(host.readFile(path.join(base, 'secret.ts')), undefined);
  assert.equal(host.readFile(path.join(base, 'node_modules', 'piscina', 'dist', 'index.js')), undefined);
  assert.equal(host.isAllowed(path.join(base, 'node_modules', 'x', 'index.d.ts')), false, 'never a place to write');
  fs.rmSync(base, { recursive: true, force: true });
});

test('generated, minified and oversized files are skipped with one log line each', () => {
  const { skipReason } = require('../../server/src/engine/files') as typeof import('../../server/src/engine/files');
  assert.equal(skipReason('const a = 1;\nworker.postMessage(a);\n', 1000), undefined);
  assert.match(skipReason('x'.repeat(2000), 1000) ?? '', /larger than sendcheck\.maxFileSize/);
  assert.match(skipReason('// @generated by protoc\nexport const a = 1;\n', 1e6) ?? '', /generated code/);
  assert.match(skipReason('var a=' + '1,'.repeat(4000) + '1;\n', 1e6) ?? '', /minified/);
  const dir = tree({ 'app.min.js': 'var w=new Worker("x");w.postMessage({f:function(){}});' + ';'.repeat(6000) + '\n' });
  const r = run([dir]);
  assert.equal(r.code, 0);
  assert.match(r.stderr, /skipped .*app\.min\.js: minified or generated/);
});

test('a broken tsconfig falls back to inferred options with a warning', () => {
  const dir = tree({ 'tsconfig.json': '{ "compilerOptions": { "strict": tru', 'a.ts': 'const w = new Worker("x");\nw.postMessage({ f() {} });\n' });
  const r = run(['--format', 'json', dir]);
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stderr, /tsconfig\.json cannot be read \('}' expected\.\); using inferred options/);
  const [f] = JSON.parse(r.stdout);
  assert.deepEqual([f.rule, f.line, f.column], ['no-function', 2, 15]);
});
