// Project configuration through the language server, with the real engines: the two-package
// monorepo fixture (a pyproject.toml and a package.json with different rules and start methods),
// editor settings that win over the project file, broken files reported by name and key, a
// changed configuration file re-checking the files it governs, and multi-root workspaces.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import type { Diagnostic } from 'vscode-languageserver-protocol/node';
import { createJsEngine } from '../../server/src/js';
import { createPythonEngine } from '../../server/src/python';
import { copyMonorepo, lockProgram } from '../harness/monorepo';
import { defaultCapabilities, inProcessForFile, pathUri, tempTree, type TestClient } from './harness';

const startWith = inProcessForFile();
const start = (): TestClient => startWith([createJsEngine(), createPythonEngine()]);

/** Generous waits: the real engines start cold, on machines that may be busy. */
const slow = 60_000;

const summary = (ds: Diagnostic[]) => ds.map((d) => `${d.range.start.line + 1} ${d.code} ${['', 'error', 'warning', 'info', 'hint'][d.severity ?? 0]}`);

test('monorepo: each package gets its own project configuration; explicit editor settings win', async () => {
  const dir = copyMonorepo();
  const client = start();
  await client.initialize(dir, defaultCapabilities, { debounceMs: 20 });
  const run = pathUri(path.join(dir, 'packages/api/jobs/run.py'));
  const tasks = pathUri(path.join(dir, 'packages/web/src/tasks.py'));
  const app = pathUri(path.join(dir, 'packages/web/src/app.mjs'));
  assert.deepEqual(summary(await client.diagnosticsFor(run, (p) => p.diagnostics.length > 0, slow)), ['12 py-fork-copy error']);
  assert.deepEqual(summary(await client.diagnosticsFor(tasks, (p) => p.diagnostics.length > 0, slow)), ['12 py-thread-lock error']);
  assert.deepEqual(summary(await client.diagnosticsFor(app, (p) => p.diagnostics.length > 0, slow)), ['4 no-function warning']);
  await client.waitFor('the scan to end', () => client.logs.find((l) => /checked \d+ files/.test(l.message)), slow);
  assert.ok(!client.published.some((p) => p.uri.includes('/generated/') && p.diagnostics.length), 'generated/** is excluded by the pyproject.toml');
  assert.ok(client.logs.some((l) => l.message.endsWith(`from ${path.join(dir, 'packages/api/pyproject.toml')}`)), 'the log names the file that applied');

  const described = (await client.connection.sendRequest('sendcheck/configuration', { uri: app })) as { configFile: string; explicit: string[]; settings: { rules: object } };
  assert.equal(described.configFile, path.join(dir, 'packages/web/package.json'));
  assert.deepEqual(described.explicit, []);

  // The user sets no-function explicitly in the editor: it wins over package.json.
  const count = client.published.length;
  client.settings = { rules: { 'no-function': 'error' } };
  await client.connection.sendNotification('workspace/didChangeConfiguration', { settings: null });
  assert.deepEqual(summary(await client.diagnosticsFor(app, () => client.published.length > count && client.published.at(-1)?.uri === app, slow)), [
    '4 no-function error',
  ]);
  const after = (await client.connection.sendRequest('sendcheck/configuration', { uri: app })) as { explicit: string[]; settings: { rules: object } };
  assert.deepEqual(after.explicit, ['rules']);
  assert.deepEqual(after.settings.rules, { 'no-function': 'error' });
});

test('a changed configuration file re-checks the files under it, and only when its settings changed', async () => {
  const dir = copyMonorepo();
  const client = start();
  await client.initialize(dir, defaultCapabilities, { debounceMs: 20 });
  const run = pathUri(path.join(dir, 'packages/api/jobs/run.py'));
  const tasks = pathUri(path.join(dir, 'packages/web/src/tasks.py'));
  await client.diagnosticsFor(tasks, (p) => p.diagnostics.length > 0, slow);
  await client.waitFor('the scan to end', () => client.logs.find((l) => /checked \d+ files/.test(l.message)), slow);
  const pkg = path.join(dir, 'packages/web/package.json');
  const publishedFor = (uri: string) => client.published.filter((p) => p.uri === uri).length;
  const runBefore = publishedFor(run);

  // An edit outside the "sendcheck" key: nothing to check again.
  const tasksBefore = publishedFor(tasks);
  fs.writeFileSync(pkg, fs.readFileSync(pkg, 'utf8').replace('"private": true', '"private": true, "version": "1.0.1"'));
  await client.connection.sendNotification('workspace/didChangeWatchedFiles', { changes: [{ uri: pathUri(pkg), type: 2 }] });
  await new Promise((r) => setTimeout(r, 800));
  assert.equal(publishedFor(tasks), tasksBefore);

  fs.writeFileSync(pkg, fs.readFileSync(pkg, 'utf8').replace('"startMethod": "spawn"', '"startMethod": "fork"'));
  await client.connection.sendNotification('workspace/didChangeWatchedFiles', { changes: [{ uri: pathUri(pkg), type: 2 }] });
  assert.deepEqual(summary(await client.diagnosticsFor(tasks, (p) => p.diagnostics[0]?.code === 'py-fork-copy', slow)), ['12 py-fork-copy warning']);
  await client.waitFor('the partial scan to end', () => client.logs.filter((l) => /checked \d+ files/.test(l.message)).length >= 2, slow);
  assert.equal(publishedFor(run), runBefore, 'packages/api is governed by its own pyproject.toml: not checked again');

  // The file goes: the defaults apply again (spawn).
  fs.rmSync(pkg);
  await client.connection.sendNotification('workspace/didChangeWatchedFiles', { changes: [{ uri: pathUri(pkg), type: 3 }] });
  assert.deepEqual(summary(await client.diagnosticsFor(tasks, (p) => p.diagnostics[0]?.code === 'py-thread-lock', slow)), ['12 py-thread-lock error']);
});

test('a broken project file is reported by name and key; the defaults stand in; an excluded open file shows nothing', async () => {
  const program = lockProgram;
  const dir = tempTree({
    'svc/pyproject.toml': '[tool.sendcheck]\nexclude = ["legacy/**"]\n[tool.sendcheck.python]\nstartMethod = "threads"\n',
    'svc/run.py': program,
    'svc/legacy/old.py': program,
  });
  const client = start();
  await client.initialize(dir, defaultCapabilities, { scanOnStart: false, debounceMs: 20 });
  const uri = await client.open(path.join(dir, 'svc/run.py'));
  assert.deepEqual(summary(await client.diagnosticsFor(uri, undefined, slow)), ['12 py-thread-lock error'], 'spawn, the default, stands in');
  const warning = await client.waitFor('a warning', () => client.shown.find((m) => m.message.includes('pyproject.toml')), slow);
  assert.equal(warning.message, 'sendcheck: svc/pyproject.toml: [tool.sendcheck] python.startMethod must be one of auto, spawn, forkserver, fork; using the default');
  assert.equal(warning.type, 2);
  const old = await client.open(path.join(dir, 'svc/legacy/old.py'));
  assert.deepEqual(await client.diagnosticsFor(old, undefined, slow), []);
});

test('multi-root: each workspace folder has its own project configuration and tsconfig', async () => {
  const main = 'const worker = new Worker("./worker.js");\nexport function start(onDone: () => void) {\n  worker.postMessage({ onDone });\n}\n';
  const dir = tempTree({
    'web/tsconfig.json': '{ "compilerOptions": { "lib": ["es2022", "dom"], "strict": true } }',
    'web/sendcheck.json': '{ "rules": { "no-function": "warning" } }',
    'web/main.ts': main,
    // No DOM library in this folder's tsconfig: `Worker` is no sink here.
    'lib/tsconfig.json': '{ "compilerOptions": { "lib": ["es2022"], "types": [], "strict": true } }',
    'lib/main.ts': main,
  });
  const client = start();
  const folders = ['web', 'lib'].map((f) => ({ uri: pathUri(path.join(dir, f)), name: f }));
  await client.connection.sendRequest('initialize', {
    processId: null,
    rootUri: null,
    workspaceFolders: folders,
    capabilities: defaultCapabilities,
    initializationOptions: { debounceMs: 20 },
  });
  await client.connection.sendNotification('initialized', {});
  await client.waitFor('the scan to end', () => client.logs.find((l) => /checked 2 files/.test(l.message)), slow);
  const web = pathUri(path.join(dir, 'web/main.ts'));
  assert.deepEqual(summary(await client.diagnosticsFor(web, undefined, slow)), ['3 no-function warning']);
  assert.ok(!client.published.some((p) => p.uri === pathUri(path.join(dir, 'lib/main.ts')) && p.diagnostics.length));
  const lib = await client.open(path.join(dir, 'lib/main.ts'));
  assert.deepEqual(await client.diagnosticsFor(lib, undefined, slow), []);
  const described = (await client.connection.sendRequest('sendcheck/configuration', { uri: lib })) as { configFile: string | null };
  assert.equal(described.configFile, null);
});
