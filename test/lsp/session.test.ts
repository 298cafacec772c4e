// The language server's mechanics over a real LSP connection, with a fake engine whose findings
// are predictable: push and pull diagnostics, debounce and staleness, code actions pinned to a
// version, workspace scan with progress, settings, cancellation, failures, file watching.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { CancellationTokenSource, type CodeAction, type Diagnostic, type TextDocumentEdit } from 'vscode-languageserver-protocol/node';
import { applyEdits } from '../../server/src/engine/text';
import { defaultCapabilities, fakeEngine, inProcessForFile, pathUri, tempTree, type TestClient } from './harness';

const start = inProcessForFile();

const noScan = { scanOnStart: false, debounceMs: 50 };

function applyAction(text: string, action: CodeAction, uri: string): string {
  const changes = (action.edit?.documentChanges ?? []) as TextDocumentEdit[];
  const edits = changes.filter((c) => c.textDocument.uri === uri).flatMap((c) => c.edits);
  return applyEdits(text, edits as { range: Diagnostic['range']; newText: string }[]).text;
}

test('pushes diagnostics that link home: source, code, doc link, related information, document version', async () => {
  const dir = tempTree({ 'a.js': '' });
  const client = start([fakeEngine()]);
  await client.initialize(dir, defaultCapabilities, noScan);
  const uri = await client.open(path.join(dir, 'a.js'), 'const job = {};\nworker.postMessage(bad(job));\n', 1);
  const [d, ...rest] = await client.diagnosticsFor(uri);
  assert.equal(rest.length, 0);
  assert.deepEqual(d.range, { start: { line: 1, character: 19 }, end: { line: 1, character: 22 } });
  assert.equal(d.source, 'sendcheck');
  assert.equal(d.code, 'no-function');
  assert.equal(d.severity, 1);
  assert.match(d.codeDescription!.href, /docs\/rules\/no-function\.md$/);
  assert.match(String(d.message), /job\.onDone is a function/);
  assert.equal(d.relatedInformation?.[0].location.uri, uri);
  assert.equal(String(d.relatedInformation?.[0].message as unknown), 'onDone is declared here');
  assert.equal(client.published.find((p) => p.uri === uri)?.version, 1);
});

test('debounces typing and never publishes an older version over a newer one', async () => {
  const dir = tempTree({ 'a.js': '' });
  const engine = fakeEngine();
  const client = start([engine], { debounceMs: 150 });
  await client.initialize(dir, defaultCapabilities, { scanOnStart: false });
  const file = path.join(dir, 'a.js');
  const uri = await client.open(file, 'bad(1);\n', 1);
  for (let v = 2; v <= 6; v++) await client.replace(uri, 'bad(1);\n'.repeat(v), v);
  const diagnostics = await client.diagnosticsFor(uri, (p) => p.version === 6);
  assert.equal(diagnostics.length, 6);
  await new Promise((r) => setTimeout(r, 300));
  const versions = client.published.filter((p) => p.uri === uri).map((p) => p.version);
  assert.deepEqual(versions, [6], 'one check for the burst of edits, at the last version');
  assert.equal(engine.calls.filter((c) => c.file === file).length, 1);
});

test('code actions: the engine fixes keyed by the diagnostic, preferred only when safe, ignore-line, fix-all', async () => {
  const dir = tempTree({ 'a.js': '' });
  const client = start([fakeEngine()]);
  await client.initialize(dir, defaultCapabilities, noScan);
  const text = 'function f() {\n  w.postMessage(bad(a));\n  w.postMessage(bad(b));\n}\n';
  const uri = await client.open(path.join(dir, 'a.js'), text, 1);
  const diagnostics = await client.diagnosticsFor(uri);
  assert.equal(diagnostics.length, 2);
  const actions = (await client.connection.sendRequest('textDocument/codeAction', {
    textDocument: { uri },
    range: diagnostics[1].range,
    context: { diagnostics: [diagnostics[1]] },
  })) as CodeAction[];
  assert.deepEqual(
    actions.map((a) => [a.title, a.kind, a.isPreferred ?? false]),
    [
      ['Replace bad with good', 'quickfix', true],
      ['Delete the call', 'quickfix', false],
      ['Ignore no-function on this line', 'quickfix', false],
    ],
  );
  for (const a of actions) assert.deepEqual(a.diagnostics, [diagnostics[1]]);
  for (const a of actions) assert.equal((a.edit!.documentChanges![0] as TextDocumentEdit).textDocument.version, 1);
  assert.equal(applyAction(text, actions[0], uri), 'function f() {\n  w.postMessage(bad(a));\n  w.postMessage(good(b));\n}\n');
  assert.equal(applyAction(text, actions[1], uri), 'function f() {\n  w.postMessage(bad(a));\n}\n');
  assert.equal(
    applyAction(text, actions[2], uri),
    'function f() {\n  w.postMessage(bad(a));\n  // sendcheck-ignore-next-line no-function\n  w.postMessage(bad(b));\n}\n',
  );

  const fixAll = (await client.connection.sendRequest('textDocument/codeAction', {
    textDocument: { uri },
    range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
    context: { diagnostics: [], only: ['source.fixAll'] },
  })) as CodeAction[];
  assert.deepEqual(fixAll.map((a) => [a.title, a.kind]), [['Fix all sendcheck problems in file', 'source.fixAll.sendcheck']]);
  assert.equal(applyAction(text, fixAll[0], uri), text.replaceAll('bad(', 'good('));
});

test('code actions are computed for the version they are requested at, never from stale findings', async () => {
  const dir = tempTree({ 'a.js': '' });
  const client = start([fakeEngine()], { debounceMs: 10_000 });
  await client.initialize(dir, defaultCapabilities, { scanOnStart: false });
  const uri = await client.open(path.join(dir, 'a.js'), 'x(bad(1));\n', 1);
  // Version 1 is checked on demand (the debounce is long); its diagnostic is then replayed after an edit moved the call.
  const first = (await client.connection.sendRequest('textDocument/codeAction', {
    textDocument: { uri },
    range: { start: { line: 0, character: 2 }, end: { line: 0, character: 5 } },
    context: { diagnostics: [] },
  })) as CodeAction[];
  assert.deepEqual(first, []);
  const v1 = await client.diagnosticsFor(uri, (p) => p.version === 1);
  await client.replace(uri, '// moved\n\nx(bad(1));\n', 2);
  const stale = (await client.connection.sendRequest('textDocument/codeAction', {
    textDocument: { uri },
    range: v1[0].range,
    context: { diagnostics: v1 },
  })) as CodeAction[];
  assert.deepEqual(stale, [], 'the old diagnostic names no finding of version 2, so nothing is offered');
  const v2 = await client.diagnosticsFor(uri, (p) => p.version === 2);
  assert.equal(v2[0].range.start.line, 2);
  const fresh = (await client.connection.sendRequest('textDocument/codeAction', {
    textDocument: { uri },
    range: v2[0].range,
    context: { diagnostics: v2 },
  })) as CodeAction[];
  assert.equal((fresh[0].edit!.documentChanges![0] as TextDocumentEdit).textDocument.version, 2);
  assert.equal((fresh[0].edit!.documentChanges![0] as TextDocumentEdit).edits[0].range.start.line, 2);
});

test('scans the workspace on start with progress, skipping node_modules, .gitignore and files.exclude', async () => {
  const dir = tempTree({
    'src/a.js': 'bad(1);\n',
    'src/clean.js': 'ok();\n',
    'node_modules/m/index.js': 'bad(1);\n',
    'gen/out.js': 'bad(1);\n',
    '.gitignore': 'gen/\n',
    'vendor/v.js': 'bad(1);\n',
    'notes.md': 'bad(1)\n',
  });
  const engine = fakeEngine();
  const client = start([engine], { scanBatchSize: 1 });
  client.filesExclude = { '**/vendor': true, '**/off': false };
  await client.initialize(dir, defaultCapabilities, { debounceMs: 50 });
  const end = await client.waitFor('progress end', () => client.progress.find((p) => p.value.kind === 'end'));
  const mine = client.progress.filter((p) => p.token === end.token).map((p) => p.value);
  assert.equal(mine[0].kind, 'begin');
  assert.equal(mine[0].title, 'sendcheck');
  assert.equal(mine[0].percentage, 0);
  assert.equal(mine[0].message, '0/2 files');
  assert.equal(mine[0].cancellable, true);
  assert.deepEqual(
    mine.filter((v) => v.kind === 'report').map((v) => [v.percentage, v.message]),
    [
      [50, '1/2 files'],
      [100, '2/2 files'],
    ],
  );
  const scanned = engine.calls.filter((c) => c.file.startsWith(dir + path.sep)); // the rest is the engine warm-up
  assert.deepEqual(scanned.map((c) => path.relative(dir, c.file)).sort(), ['src/a.js', 'src/clean.js']);
  const published = client.published.filter((p) => p.diagnostics.length > 0);
  assert.deepEqual(published.map((p) => p.uri), [pathUri(path.join(dir, 'src/a.js'))]);
  assert.equal(published[0].version, undefined, 'a closed file has no document version');
  const status = await client.waitFor('idle status', () => {
    const last = client.notifications.filter((n) => n.method === 'sendcheck/status').at(-1)?.params as { state: string } | undefined;
    return last?.state === 'idle' && last;
  });
  assert.deepEqual(status, { state: 'idle', files: 2, findings: 1 });
});

test('the check-workspace command rescans and can be cancelled from its progress', async () => {
  const files: Record<string, string> = {};
  for (let i = 0; i < 40; i++) files[`f${i}.js`] = 'bad(1);\n';
  const dir = tempTree(files);
  const engine = fakeEngine({ delayMs: 30 });
  const client = start([engine], { scanBatchSize: 1 });
  await client.initialize(dir, defaultCapabilities, noScan);
  const run = client.connection.sendRequest('workspace/executeCommand', { command: 'sendcheck.checkWorkspace', arguments: [] });
  const begin = await client.waitFor('progress begin', () => client.progress.find((p) => p.value.kind === 'begin'));
  await client.waitFor('a few files', () => engine.calls.length >= 3);
  await client.connection.sendNotification('window/workDoneProgress/cancel', { token: begin.token });
  await run;
  await client.waitFor('progress end', () => client.progress.find((p) => p.value.kind === 'end'));
  assert.ok(engine.calls.length < 40, `cancelled after ${engine.calls.length} of 40 files`);
});

test('pull diagnostics: document and workspace reports, unchanged result ids, cancellation', async () => {
  const files: Record<string, string> = { 'open.js': 'bad(1);\n' };
  for (let i = 0; i < 30; i++) files[`closed${i}.js`] = 'bad(1);\n';
  const dir = tempTree(files);
  const engine = fakeEngine({ delayMs: 20 });
  const client = start([engine], { scanBatchSize: 1 });
  const caps = { ...defaultCapabilities, textDocument: { ...defaultCapabilities.textDocument, diagnostic: { relatedDocumentSupport: false } } };
  const init = await client.initialize(dir, caps, noScan);
  assert.equal(init.capabilities.diagnosticProvider && (init.capabilities.diagnosticProvider as { workspaceDiagnostics: boolean }).workspaceDiagnostics, true);

  const source = new CancellationTokenSource();
  const cancelled = client.connection.sendRequest('workspace/diagnostic', { previousResultIds: [] }, source.token);
  await client.waitFor('the scan to start', () => engine.calls.filter((c) => c.file.includes('closed')).length >= 2);
  source.cancel();
  await assert.rejects(cancelled, (e: { code: number }) => e.code === -32800);
  assert.ok(engine.calls.length < 31, `stopped after ${engine.calls.length} files`);

  const uri = await client.open(path.join(dir, 'open.js'));
  const report = (await client.connection.sendRequest('textDocument/diagnostic', { textDocument: { uri } })) as { kind: string; resultId: string; items: Diagnostic[] };
  assert.equal(report.kind, 'full');
  assert.equal(report.items[0].code, 'no-function');
  const again = (await client.connection.sendRequest('textDocument/diagnostic', { textDocument: { uri }, previousResultId: report.resultId })) as { kind: string };
  assert.equal(again.kind, 'unchanged');
  assert.equal(client.published.filter((p) => p.uri === uri && p.diagnostics.length).length, 0, 'a pulling client gets no pushed duplicates');

  const workspace = (await client.connection.sendRequest('workspace/diagnostic', { previousResultIds: [] })) as {
    items: { uri: string; kind: string; items: Diagnostic[] }[];
  };
  const closed = workspace.items.filter((i) => i.uri.includes('/closed'));
  assert.equal(closed.length, 30);
  assert.ok(closed.every((i) => i.kind === 'full' && i.items[0].code === 'no-function'));
  assert.ok(!workspace.items.some((i) => i.uri === uri), 'open documents are reported by textDocument/diagnostic');
});

test('settings: severity overrides and rule off apply live; invalid values are reported and ignored', async () => {
  const dir = tempTree({ 'a.js': '' });
  const client = start([fakeEngine()]);
  await client.initialize(dir, defaultCapabilities, noScan);
  const uri = await client.open(path.join(dir, 'a.js'), 'bad(1);\n', 1);
  assert.equal((await client.diagnosticsFor(uri))[0].severity, 1);
  const count = client.published.length;
  client.settings = { rules: { 'no-function': 'warning' } };
  await client.connection.sendNotification('workspace/didChangeConfiguration', { settings: null });
  assert.equal((await client.diagnosticsFor(uri, () => client.published.length > count))[0].severity, 2);
  client.settings = { rules: { 'no-function': 'off' } };
  await client.connection.sendNotification('workspace/didChangeConfiguration', { settings: null });
  assert.deepEqual(await client.diagnosticsFor(uri, (p) => p.diagnostics.length === 0), []);
  client.settings = { rules: { 'no-function': 'loud' }, python: { startMethod: 'threads' } };
  await client.connection.sendNotification('workspace/didChangeConfiguration', { settings: null });
  const warning = await client.waitFor('a settings warning', () => client.shown.find((m) => m.message.includes('sendcheck.rules.no-function')));
  assert.equal(warning.type, 2);
  await client.waitFor('the second warning', () => client.shown.find((m) => m.message.includes('sendcheck.python.startMethod')));
  assert.equal((await client.diagnosticsFor(uri, (p) => p.diagnostics.length === 1))[0].severity, 1, 'the invalid override falls back to the default');
});

test('clients without workspace/configuration pass settings in initializationOptions', async () => {
  const dir = tempTree({ 'a.js': '' });
  const client = start([fakeEngine()]);
  await client.initialize(dir, { window: {} }, { ...noScan, settings: { rules: { 'no-function': 'hint' } } });
  const uri = await client.open(path.join(dir, 'a.js'), 'bad(1);\n', 1);
  assert.equal((await client.diagnosticsFor(uri))[0].severity, 4);
});

test('an engine failure is logged and the server keeps serving other files', async () => {
  const dir = tempTree({ 'a.js': '', 'b.js': '' });
  const client = start([fakeEngine()]);
  await client.initialize(dir, defaultCapabilities, noScan);
  await client.open(path.join(dir, 'a.js'), 'explode();\n', 1);
  const error = await client.waitFor('an error log', () => client.logs.find((l) => l.message.includes('the fake engine exploded')));
  assert.match(error.message, /engine failed/);
  const uri = await client.open(path.join(dir, 'b.js'), 'bad(1);\n', 1);
  assert.equal((await client.diagnosticsFor(uri)).length, 1);
});

test('keeps closed files current when they change on disk', async () => {
  const dir = tempTree({ 'a.js': 'bad(1);\n', 'b.js': 'ok();\n' });
  const client = start([fakeEngine()]);
  await client.initialize(dir, defaultCapabilities, { debounceMs: 20 });
  const a = pathUri(path.join(dir, 'a.js'));
  const b = pathUri(path.join(dir, 'b.js'));
  await client.diagnosticsFor(a, (p) => p.diagnostics.length === 1);
  fs.writeFileSync(path.join(dir, 'b.js'), 'bad(1); bad(2);\n');
  await client.connection.sendNotification('workspace/didChangeWatchedFiles', { changes: [{ uri: b, type: 2 }] });
  assert.equal((await client.diagnosticsFor(b, (p) => p.diagnostics.length === 2)).length, 2);
  fs.rmSync(path.join(dir, 'a.js'));
  await client.connection.sendNotification('workspace/didChangeWatchedFiles', { changes: [{ uri: a, type: 3 }] });
  assert.deepEqual(await client.diagnosticsFor(a, (p) => p.diagnostics.length === 0), []);
});
