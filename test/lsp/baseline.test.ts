// The language server honours the baseline named in the settings: recorded findings show as
// hints (or not at all, per sendcheck.baselineFindings), across edits that move them; new ones
// show as usual. The baseline is written by the CLI, as a team would.
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, test } from 'node:test';
import type { Diagnostic } from 'vscode-languageserver-protocol/node';
import { createJsEngine } from '../../server/src/js';
import { createPythonEngine } from '../../server/src/python';
import { copyMonorepo } from '../harness/monorepo';
import { defaultCapabilities, inProcess, root, type TestClient } from './harness';

const clients: TestClient[] = [];
after(() => Promise.all(clients.map((c) => c.dispose())));

/** Generous waits: the real engines start cold, on machines that may be busy. */
const slow = 60_000;

const summary = (ds: Diagnostic[]) => ds.map((d) => `${d.range.start.line + 1} ${d.code} ${['', 'error', 'warning', 'info', 'hint'][d.severity ?? 0]}`);

function workspaceWithBaseline(): string {
  const dir = copyMonorepo();
  const r = spawnSync(process.execPath, [path.join(root, 'bin', 'sendcheck.js'), '--baseline-write', 'packages/web/sendcheck-baseline.json', 'packages/web'], { cwd: dir, encoding: 'utf8', timeout: 60_000 });
  assert.equal(r.status, 0, r.stderr);
  const pkg = path.join(dir, 'packages/web/package.json');
  fs.writeFileSync(pkg, fs.readFileSync(pkg, 'utf8').replace('"sendcheck": {', '"sendcheck": {\n    "baseline": "sendcheck-baseline.json",'));
  return dir;
}

test('baseline findings show as hints, stay hints when lines shift, and new findings show as usual', async () => {
  const dir = workspaceWithBaseline();
  const client = inProcess([createJsEngine(), createPythonEngine()]);
  clients.push(client);
  await client.initialize(dir, defaultCapabilities, { scanOnStart: false, debounceMs: 20 });
  const file = path.join(dir, 'packages/web/src/app.mjs');
  const text = fs.readFileSync(file, 'utf8');
  const uri = await client.open(file, text, 1);
  const [known] = await client.diagnosticsFor(uri, undefined, slow);
  assert.deepEqual(summary([known]), ['4 no-function hint']);
  assert.match(String(known.message), /onDone is a function.*\(in the baseline\)$/);

  await client.replace(uri, `// Thumbnails.\n\n${text}worker.postMessage({ format: (n) => n.toFixed(2) });\n`, 2);
  assert.deepEqual(summary(await client.diagnosticsFor(uri, (p) => p.version === 2, slow)), ['6 no-function hint', '7 no-function warning']);

  const tasks = await client.open(path.join(dir, 'packages/web/src/tasks.py'));
  assert.deepEqual(summary(await client.diagnosticsFor(tasks, undefined, slow)), ['12 py-thread-lock hint']);
  const run = await client.open(path.join(dir, 'packages/api/jobs/run.py'));
  assert.deepEqual(summary(await client.diagnosticsFor(run, undefined, slow)), ['12 py-fork-copy error'], 'packages/api names no baseline');

  // sendcheck.baselineFindings: "hide" leaves only what is new.
  const count = client.published.length;
  client.settings = { baselineFindings: 'hide' };
  await client.connection.sendNotification('workspace/didChangeConfiguration', { settings: null });
  assert.deepEqual(summary(await client.diagnosticsFor(uri, (p) => client.published.length > count && p.diagnostics.length === 1, slow)), ['7 no-function warning']);
  assert.deepEqual(await client.diagnosticsFor(tasks, (p) => p.diagnostics.length === 0, slow), []);
});

test('an unreadable baseline is reported once and every finding shows', async () => {
  const dir = workspaceWithBaseline();
  fs.writeFileSync(path.join(dir, 'packages/web/sendcheck-baseline.json'), '{ "version": 1, "findings": [ ');
  const client = inProcess([createJsEngine(), createPythonEngine()]);
  clients.push(client);
  await client.initialize(dir, defaultCapabilities, { scanOnStart: false, debounceMs: 20 });
  const uri = await client.open(path.join(dir, 'packages/web/src/app.mjs'));
  assert.deepEqual(summary(await client.diagnosticsFor(uri, undefined, slow)), ['4 no-function warning']);
  const warning = await client.waitFor('a warning', () => client.shown.find((m) => m.message.includes('baseline')), slow);
  assert.match(warning.message, /^sendcheck: baseline .*sendcheck-baseline\.json cannot be parsed \(.*\); showing every finding$/);
});
