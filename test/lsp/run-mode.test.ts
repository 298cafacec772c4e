// When checks run: `sendcheck.run` onType (the default) or onSave, and fix-all on save that
// gives up, saying why in the log, rather than hold a save up beyond 750 ms.
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { test } from 'node:test';
import type { CodeAction, TextDocumentEdit, TextEdit } from 'vscode-languageserver-protocol/node';
import { applyEdits } from '../../server/src/engine/text';
import { defaultCapabilities, fakeEngine, inProcessForFile, tempTree, type TestClient } from './harness';

const start = inProcessForFile();

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const fixAllOnSave = (uri: string) => ({
  textDocument: { uri },
  range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
  // What VS Code sends for "editor.codeActionsOnSave": { "source.fixAll.sendcheck": "explicit" }.
  context: { diagnostics: [], only: ['source.fixAll.sendcheck'], triggerKind: 2 },
});

test('run: onSave checks a document when it is opened and saved, not while typing', async () => {
  const dir = tempTree({ 'a.js': '' });
  const engine = fakeEngine();
  const client = start([engine]);
  client.settings = { run: 'onSave' };
  await client.initialize(dir, defaultCapabilities, { scanOnStart: false, debounceMs: 20 });
  const file = path.join(dir, 'a.js');
  const uri = await client.open(file, 'bad(1);\n', 1);
  assert.equal((await client.diagnosticsFor(uri)).length, 1, 'checked on open');
  const published = () => client.published.filter((p) => p.uri === uri).length;
  const before = published();
  await client.replace(uri, 'bad(1);\nbad(2);\n', 2);
  await client.replace(uri, 'bad(1);\nbad(2);\nbad(3);\n', 3);
  await sleep(400);
  assert.equal(published(), before, 'typing publishes nothing');

  // The lightbulb still works on the text as it is, without showing squiggles for it.
  const actions = (await client.connection.sendRequest('textDocument/codeAction', {
    textDocument: { uri },
    range: { start: { line: 2, character: 0 }, end: { line: 2, character: 3 } },
    context: { diagnostics: [], only: ['source.fixAll'] },
  })) as CodeAction[];
  assert.equal(actions[0].kind, 'source.fixAll.sendcheck');
  await sleep(100);
  assert.equal(published(), before, 'a code action request publishes nothing either');

  await client.connection.sendNotification('textDocument/didSave', { textDocument: { uri } });
  const saved = await client.diagnosticsFor(uri, (p) => p.version === 3);
  assert.equal(saved.length, 3, 'the save shows what the saved text has');
});

test('run: onType (the default) checks as the user types', async () => {
  const dir = tempTree({ 'a.js': '' });
  const client = start([fakeEngine()]);
  await client.initialize(dir, defaultCapabilities, { scanOnStart: false, debounceMs: 20 });
  const uri = await client.open(path.join(dir, 'a.js'), 'bad(1);\n', 1);
  await client.diagnosticsFor(uri);
  await client.replace(uri, 'bad(1);\nbad(2);\n', 2);
  assert.equal((await client.diagnosticsFor(uri, (p) => p.version === 2)).length, 2);
});

test('fix-all on save applies only safe fixes, within the budget', async () => {
  const dir = tempTree({ 'a.js': '' });
  const client = start([fakeEngine()]);
  await client.initialize(dir, defaultCapabilities, { scanOnStart: false, debounceMs: 10_000 });
  const text = 'w.postMessage(bad(a));\nw.postMessage(bad(b));\n';
  const uri = await client.open(path.join(dir, 'a.js'), text, 1);
  const started = Date.now();
  const [action, ...rest] = (await client.connection.sendRequest('textDocument/codeAction', fixAllOnSave(uri))) as CodeAction[];
  assert.ok(Date.now() - started < 750);
  assert.deepEqual(rest, []);
  const edits = (action.edit!.documentChanges as TextDocumentEdit[])[0].edits as TextEdit[];
  // The fake engine offers a safe rename and an unsafe deletion per call: only the renames are applied.
  assert.equal(applyEdits(text, edits).text, text.replaceAll('bad(', 'good('));
});

test('fix-all on save gives up, and logs why, when the check would hold the save beyond 750 ms', async () => {
  const dir = tempTree({ 'a.js': '' });
  // Each check takes a second: too slow for a save. (onSave: no check runs between the edits.)
  const client = start([fakeEngine({ delayMs: 1000 })]);
  client.settings = { run: 'onSave' };
  await client.initialize(dir, defaultCapabilities, { scanOnStart: false, debounceMs: 10_000 });
  const uri = await client.open(path.join(dir, 'a.js'), 'bad(1);\n', 1);

  // Never checked yet: the check is tried, and its result refused once it overran the budget.
  const first = (await client.connection.sendRequest('textDocument/codeAction', fixAllOnSave(uri))) as CodeAction[];
  assert.deepEqual(first, []);
  const overran = await client.waitFor('a log line', () => client.logs.find((l) => l.message.includes('fix-all on save skipped')));
  assert.match(overran.message, /the fixes took \d+ ms, more than the 750 ms a save may wait; the file is saved as it is/);

  // Now the server knows a check of this file takes about a second: after an edit it gives up at once.
  await client.replace(uri, 'bad(1);\nbad(2);\n', 2);
  const started = Date.now();
  const second = (await client.connection.sendRequest('textDocument/codeAction', fixAllOnSave(uri))) as CodeAction[];
  const took = Date.now() - started;
  assert.deepEqual(second, []);
  assert.ok(took < 750, `gave up in ${took} ms, within the budget`);
  const estimated = await client.waitFor('a second log line', () => client.logs.filter((l) => l.message.includes('fix-all on save skipped'))[1]);
  assert.match(estimated.message, /checking it takes about \d{4} ms, more than the 750 ms a save may wait/);

  // Asked for explicitly (not on save), fix-all waits for the check as long as it takes.
  const explicit = (await client.connection.sendRequest('textDocument/codeAction', {
    ...fixAllOnSave(uri),
    context: { diagnostics: [], only: ['source.fixAll.sendcheck'], triggerKind: 1 },
  })) as CodeAction[];
  assert.equal(explicit.length, 1);
});
