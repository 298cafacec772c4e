// Every edit of an open document ends in a publish for its version, whatever else the server is
// doing: a workspace scan, code actions cancelled at once, files changed on disk, pulls, a close
// and a reopen. The bench once waited 60 s for an edit's diagnostics under load; these tests hold
// the server to "each version the client waits for is published" with a slow engine.
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { test } from 'node:test';
import { CancellationTokenSource } from 'vscode-languageserver-protocol/node';
import { defaultCapabilities, fakeEngine, inProcessForFile, pathUri, tempTree, type TestClient } from './harness';

const start = inProcessForFile();

/** A small deterministic generator, so a failure can be replayed. */
function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

test('each awaited edit is published for its version during a scan, cancelled requests and disk changes', async () => {
  const files: Record<string, string> = { 'hot.js': 'bad(1);\n' };
  for (let i = 0; i < 60; i++) files[`closed${i}.js`] = 'bad(1);\n';
  const dir = tempTree(files);
  // Each file costs the engine 15 ms of synchronous work: a loaded machine, in small.
  const client = start([fakeEngine({ delayMs: 15 })], { scanBatchSize: 1 });
  await client.initialize(dir, defaultCapabilities, { debounceMs: 30 });
  const file = path.join(dir, 'hot.js');
  const uri = await client.open(file, 'bad(1);\n', 1);
  await client.diagnosticsFor(uri, (p) => p.version === 1);
  const random = rng(7);
  let text = 'bad(1);\n';
  for (let version = 2; version <= 40; version++) {
    text = random() < 0.5 ? `${text}bad(${version});\n` : text.replace(/bad\(\d+\);\n$/, '') || 'bad(1);\n';
    await client.replace(uri, text, version);
    const r = random();
    if (r < 0.3) {
      // A code action asked and cancelled at once, as an editor does when the cursor moves on.
      const source = new CancellationTokenSource();
      const asked = client.connection.sendRequest('textDocument/codeAction', { textDocument: { uri }, range: { start: { line: 0, character: 0 }, end: { line: 0, character: 3 } }, context: { diagnostics: [] } }, source.token);
      source.cancel();
      await asked.catch(() => undefined);
    } else if (r < 0.45) {
      await client.connection.sendNotification('workspace/didChangeWatchedFiles', { changes: [{ uri: pathUri(path.join(dir, `closed${version % 60}.js`)), type: 2 }] });
    } else if (r < 0.5) {
      await client.connection.sendRequest('workspace/executeCommand', { command: 'sendcheck.checkWorkspace', arguments: [] }).catch(() => undefined);
    }
    const expected = (text.match(/bad\(/g) ?? []).length;
    const diagnostics = await client.diagnosticsFor(uri, (p) => p.version === version, 10_000);
    assert.equal(diagnostics.length, expected, `version ${version}`);
  }
});

test('a document closed and opened again at the same version number is checked again, not served the old findings', async () => {
  const dir = tempTree({ 'a.js': 'bad(1);\n' });
  const client = start([fakeEngine()], { scanBatchSize: 1 });
  await client.initialize(dir, defaultCapabilities, { debounceMs: 30 });
  // The workspace scan makes a.js a workspace file: on close it goes back to the disk's view.
  await client.waitFor('the scan to end', () => client.progress.some((p) => p.value.kind === 'end'));
  const file = path.join(dir, 'a.js');
  const uri = await client.open(file, 'bad(1);\nbad(2);\n', 1);
  assert.equal((await client.diagnosticsFor(uri, (p) => p.version === 1)).length, 2);
  // Closed and opened again at once, with other text and the same version number (a client that
  // counts versions per open). Nothing of the first open may answer for the second.
  await client.connection.sendNotification('textDocument/didClose', { textDocument: { uri } });
  await client.open(file, 'bad(1);\nbad(2);\nbad(3);\n', 1);
  const last = await client.waitFor('diagnostics for the reopened text', () => {
    const mine = client.published.filter((p) => p.uri === uri && p.version === 1);
    return mine.length >= 2 ? mine[mine.length - 1] : undefined;
  });
  assert.equal(last.diagnostics.length, 3);
});

test('a notebook opened as text gets an empty pull report at once, never "changed, ask again"', async () => {
  const dir = tempTree({ 'nb.ipynb': '{"cells": [ {"cell_type": "code", "source": ["import pickle\\n", ' });
  const client = start([fakeEngine()]);
  const caps = { ...defaultCapabilities, textDocument: { ...defaultCapabilities.textDocument, diagnostic: {} } };
  await client.initialize(dir, caps, { scanOnStart: false, debounceMs: 30 });
  // Start-up done (watchers registered, status sent): nothing of it is left in flight at the end.
  await client.waitFor('the idle status', () => client.notifications.some((n) => (n.params as { state?: string }).state === 'idle'));
  const uri = pathUri(path.join(dir, 'nb.ipynb'));
  await client.connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'json', version: 1, text: '{"cells": [' } });
  // ServerCancelled with retriggerRequest would make the editor ask again for ever.
  const report = (await client.connection.sendRequest('textDocument/diagnostic', { textDocument: { uri } })) as { kind: string; items: unknown[] };
  assert.deepEqual(report, { kind: 'full', items: [] });
});
