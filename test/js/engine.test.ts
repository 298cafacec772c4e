import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { resolveConfig } from '../../server/src/engine/config';
import { DiskHost } from '../../server/src/engine/files';
import type { Finding } from '../../server/src/engine/types';
import { createJsEngine } from '../../server/src/js';
import { ProjectHost } from '../../server/src/js/project';
import { mayContainSinks } from '../../server/src/js/sinks';
import { nodeRangeTarget } from '../../server/src/js/target';

// Engine behaviour beyond the fixtures: projects without typings, broken configs, targets,
// user-declared sinks, and reuse of work between checks.

function tree(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sendcheck-js-'));
  for (const [rel, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), text);
  }
  return dir;
}

function check(files: string[], settings: unknown = {}, host = new DiskHost()): Finding[] {
  return createJsEngine().check({ files, host, config: resolveConfig(settings).config });
}

const callbackJob = `import { Worker } from 'node:worker_threads';
const worker = new Worker('./w.js');
worker.postMessage({ id: 1, onDone: () => {} });
`;

test('a folder without @types/node still gets its sinks from the fallback typings', () => {
  const dir = tree({ 'main.mjs': callbackJob });
  const findings = check([path.join(dir, 'main.mjs')]);
  assert.deepEqual(findings.map((f) => [f.rule, f.severity, f.message.split(':')[0]]), [['no-function', 'error', 'onDone is a function']]);
  assert.equal(findings[0].related.length, 1, 'related information points at the member');
});

test('the fallback typings give the types of a plain JS program: named EventEmitter import, bigint stats, hrtime, crypto Sign', () => {
  const dir = tree({
    'main.mjs': `import { EventEmitter } from 'node:events';
import { fork } from 'node:child_process';
import { statSync } from 'node:fs';
import { createSign } from 'node:crypto';
const bus = new EventEmitter();
bus.on('tick', () => {});
structuredClone({ bus });
const child = fork('./child.mjs');
child.send({ size: statSync('main.mjs', { bigint: true }).size, at: process.hrtime.bigint(), plain: statSync('main.mjs').size });
structuredClone({ signer: createSign('sha256') });
`,
  });
  const findings = check([path.join(dir, 'main.mjs')]);
  assert.deepEqual(
    findings.map((f) => [f.rule, f.message.split(':')[0]]),
    [
      ['no-host-object', 'bus is an EventEmitter host object'],
      ['json-ipc-bigint', 'size is a bigint'],
      ['no-host-object', 'signer is a crypto.Sign object, which Node refuses to clone (DataCloneError'],
    ],
  );
});

test('pool libraries without their package are recognised through fallback typings', () => {
  const dir = tree({
    'pool.mjs': `import Piscina from 'piscina';
const pool = new Piscina({ filename: './task.js' });
await pool.run({ n: 1, onProgress: (p) => p });
`,
  });
  const findings = check([path.join(dir, 'pool.mjs')]);
  assert.deepEqual(findings.map((f) => f.message.split(':')[0]), ['onProgress is a function']);
});

test('Electron IPC, workerpool.workerEmit and untyped Comlink remotes without their packages: fallback typings', () => {
  const dir = tree({
    'preload.cjs': `const { ipcRenderer } = require('electron');
function exportReport(report, onProgress) {
  return ipcRenderer.invoke('report:export', { report, onProgress });
}
exportReport({ id: 3 }, (p) => p);
ipcRenderer.send('report:saved', { id: 3, rows: [] });
`,
    'worker.cjs': `const workerpool = require('workerpool');
function publish(type, payload) { workerpool.workerEmit({ type, ...payload }); }
publish('step', { state: { retry: () => true } });
publish('step', { state: { rows: 2 } });
`,
    'client.mjs': `import * as Comlink from 'comlink';
const api = Comlink.wrap(globalThis.port);
await api.render({ name: 'x', onProgress: Comlink.proxy((p) => p) });
await api.render(Comlink.proxy({ name: 'x', onProgress: (p) => p }));
`,
  });
  const findings = check(['preload.cjs', 'worker.cjs', 'client.mjs'].map((f) => path.join(dir, f)));
  assert.deepEqual(findings.map((f) => `${path.basename(f.file)}:${f.range.start.line + 1} ${f.rule}`).sort(), ['client.mjs:3 no-function', 'preload.cjs:5 no-function', 'worker.cjs:3 no-function']);
});

test('fallback typings: EventEmitter through require() and named imports, crypto streams, node:sqlite handles', () => {
  const dir = tree({
    'cjs.cjs': `const { EventEmitter } = require('node:events');
const { Worker } = require('node:worker_threads');
const progress = new EventEmitter();
progress.on('tick', () => {});
new Worker('./w.js').postMessage({ progress });
`,
    'esm.mjs': `import { EventEmitter } from 'node:events';
import { createSign, createHash } from 'node:crypto';
import { DatabaseSync } from 'node:sqlite';
structuredClone({ bus: new EventEmitter() });
structuredClone({ sign: createSign('sha256') });
structuredClone({ digest: createHash('sha256') });
structuredClone({ db: new DatabaseSync(':memory:') });
`,
  });
  const findings = check(['cjs.cjs', 'esm.mjs'].map((f) => path.join(dir, f)), { js: { target: 'node22' } });
  assert.deepEqual(
    findings.map((f) => [path.basename(f.file), f.range.start.line, f.rule, f.severity]),
    [
      ['cjs.cjs', 4, 'no-host-object', 'error'],
      // No listener is ever registered on this emitter: it clones, as a plain object (measured).
      ['esm.mjs', 3, 'class-instance-loss', 'warning'],
      ['esm.mjs', 4, 'no-host-object', 'error'],
      // A Hash arrives as a plain object (measured): its methods are lost, nothing throws.
      ['esm.mjs', 5, 'class-instance-loss', 'warning'],
      ['esm.mjs', 6, 'no-host-object', 'error'],
    ],
  );
  assert.match(findings[4].message, /sqlite\.DatabaseSync object, which Node refuses to clone/);
});

test('syntax errors, a broken tsconfig and oversized files never throw out of check', () => {
  const dir = tree({
    'tsconfig.json': '{ "compilerOptions": { "strict": tru',
    'broken.ts': 'worker.postMessage({ a: () => 1 ',
    'main.ts': callbackJob,
    'big.js': `structuredClone(() => 1);\n${'// padding\n'.repeat(2000)}`,
  });
  const files = ['broken.ts', 'main.ts', 'big.js'].map((f) => path.join(dir, f));
  const findings = check(files, { maxFileSize: 10_000 });
  assert.deepEqual(findings.map((f) => path.basename(f.file)), ['main.ts']);
});

test('a file outside its tsconfig "include" gets an inferred project', () => {
  const dir = tree({ 'tsconfig.json': '{ "include": ["src"] }', 'scripts/job.mjs': callbackJob });
  assert.equal(check([path.join(dir, 'scripts', 'job.mjs')]).length, 1);
});

test('engines.node decides between Node 20 (copies URL to {}) and Node 22+ (throws)', () => {
  const src = "structuredClone({ url: new URL('https://example.org') });\n";
  const old = tree({ 'package.json': '{ "engines": { "node": "20.x" } }', 'a.mjs': src });
  const cur = tree({ 'package.json': '{ "engines": { "node": ">=20" } }', 'a.mjs': src });
  assert.equal(check([path.join(old, 'a.mjs')])[0].severity, 'warning');
  assert.equal(check([path.join(cur, 'a.mjs')])[0].severity, 'error');
  assert.equal(check([path.join(old, 'a.mjs')], { js: { target: 'node22' } })[0].severity, 'error');
});

test('nodeRangeTarget reads semver ranges', () => {
  const cases: [string, string][] = [['20.x', 'node20'], ['^20.11', 'node20'], ['>=20 <21', 'node20'], ['^18 || ^20', 'node20'], ['>=20', 'node22'], ['^20 || ^22', 'node22'], ['22', 'node22'], ['*', 'node22']];
  for (const [range, want] of cases) assert.equal(nodeRangeTarget(range), want, range);
});

test('a tsconfig with the DOM lib means browser semantics: AbortController throws there', () => {
  const dir = tree({
    'tsconfig.json': '{ "compilerOptions": { "lib": ["ES2022", "DOM"], "strict": true }, "include": ["*.ts"] }',
    'app.ts': `const worker = new Worker('w.js');
const controller = new AbortController();
worker.postMessage({ controller });
window.postMessage({ fn: () => 1 }, '*');
`,
  });
  const findings = check([path.join(dir, 'app.ts')]);
  assert.deepEqual(findings.map((f) => [f.rule, f.severity]), [['platform-object', 'error'], ['no-function', 'error']]);
});

test('a plain JS file without a DOM tsconfig is judged by its own evidence: DOM globals, Node imports, an index.html or bundler config beside it', () => {
  const send = 'structuredClone({ saving: new AbortController() });\n';
  const severity = (files: Record<string, string>, file = 'a.mjs'): string | undefined => {
    const dir = tree({ 'package.json': '{ "private": true }', ...files });
    return check([path.join(dir, file)])[0]?.severity;
  };
  // AbortController: Node copies it to `{}` (a warning), a browser throws (an error).
  assert.equal(severity({ 'a.mjs': `document.title = 'draft';\n${send}` }), 'error');
  assert.equal(severity({ 'a.mjs': `self.onmessage = () => {};\n${send}` }), 'error');
  assert.equal(severity({ 'a.mjs': `import { readFileSync } from 'node:fs';\nconsole.log(typeof readFileSync, typeof document);\n${send}` }), 'warning');
  assert.equal(severity({ 'a.mjs': send }), 'warning');
  assert.equal(severity({ 'a.mjs': send, 'index.html': '<script type="module" src="a.mjs"></script>' }), 'error');
  assert.equal(severity({ 'src/a.mjs': send, 'vite.config.js': 'export default {};' }, 'src/a.mjs'), 'error');
  // A parameter called `window` is not the page's window.
  assert.equal(severity({ 'a.mjs': `export function report(window) { return window.webContents; }\n${send}` }), 'warning');
});

test('the history package: push/replace state is cloned by a browser history, kept as is by a memory history', () => {
  // The package's own declarations, reduced to what the sink reads (history 5.x).
  const typings = `export interface History { push(to: string, state?: any): void; replace(to: string, state?: any): void; }
export interface BrowserHistory extends History {}
export interface MemoryHistory extends History { index: number; }
export declare function createBrowserHistory(): BrowserHistory;
export declare function createMemoryHistory(): MemoryHistory;
`;
  const dir = tree({
    'package.json': '{ "private": true }',
    'node_modules/history/package.json': '{ "name": "history", "version": "5.3.0", "types": "index.d.ts" }',
    'node_modules/history/index.d.ts': typings,
    'history.js': "import { createBrowserHistory, createMemoryHistory } from 'history';\nexport const history = createBrowserHistory();\nexport const memory = createMemoryHistory();\n",
    'reports.js': `import { history, memory } from './history.js';
export function openReport(id) {
  history.push('/reports/' + id, { from: '/', callback: (data) => console.log(data) });
  memory.push('/reports/' + id, { from: '/', callback: (data) => console.log(data) });
  history.replace('/reports/' + id, { from: '/', reportId: id });
}
`,
  });
  const findings = check([path.join(dir, 'reports.js')]);
  assert.deepEqual(findings.map((f) => [f.rule, f.severity, f.range.start.line]), [['no-function', 'error', 2]]);
});

test('user-declared sinks from settings', () => {
  const dir = tree({
    'node_modules/rpc-lib/package.json': '{ "name": "rpc-lib", "types": "index.d.ts" }',
    'node_modules/rpc-lib/index.d.ts': 'export declare function callRemote(method: string, payload: unknown): Promise<unknown>;\n',
    'client.mjs': "import { callRemote } from 'rpc-lib';\ncallRemote('save', { onSaved: () => {} });\n",
  });
  const file = path.join(dir, 'client.mjs');
  assert.equal(check([file]).length, 0);
  const sinks = [{ language: 'js', module: 'rpc-lib', function: 'callRemote', args: [1] }];
  assert.deepEqual(check([file], { sinks }).map((f) => f.message.split(':')[0]), ['onSaved is a function']);
});

test('files that mention no sink API cost no type work', () => {
  assert.equal(mayContainSinks('export const add = (a, b) => a + b;\n', []), false);
  assert.equal(mayContainSinks('port.postMessage(x)', []), true);
});

test('unchanged files reuse the program; an edited buffer is re-checked', () => {
  const dir = tree({ 'main.mjs': callbackJob });
  const file = path.join(dir, 'main.mjs');
  const host = new DiskHost();
  const projects = new ProjectHost(host);
  const project = projects.projectFor(file);
  const first = projects.programFor(project, [file]);
  assert.equal(projects.programFor(project, [file]), first, 'same program when nothing changed');
  host.setOverlay(file, callbackJob.replace('onDone: () => {}', "onDone: 'done'"), 2);
  const second = projects.programFor(project, [file]);
  assert.notEqual(second, first);

  const engine = createJsEngine();
  const config = resolveConfig({}).config;
  assert.equal(engine.check({ files: [file], host, config }).length, 0);
  host.setOverlay(file, callbackJob, 3);
  assert.equal(engine.check({ files: [file], host, config }).length, 1);
});
