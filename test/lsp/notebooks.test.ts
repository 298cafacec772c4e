// Jupyter notebooks over LSP 3.17 notebook document sync, with the real Python engine: the cells
// are checked as one module, diagnostics are published on each cell's URI, code actions asked on
// a cell edit the cells (versioned) and create the module beside the notebook, edits re-check,
// closing clears.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, test } from 'node:test';
import type { CodeAction, CreateFile, Diagnostic, TextDocumentEdit } from 'vscode-languageserver-protocol/node';
import { createPythonEngine } from '../../server/src/python';
import { applyEdits } from '../../server/src/engine/text';
import { defaultCapabilities, inProcess, pathUri, tempTree, type TestClient } from './harness';

const clients: TestClient[] = [];
after(() => Promise.all(clients.map((c) => c.dispose())));

const capabilities = {
  ...defaultCapabilities,
  workspace: { ...defaultCapabilities.workspace, workspaceEdit: { documentChanges: true, resourceOperations: ['create' as const] } },
  notebookDocument: { synchronization: { dynamicRegistration: false } },
};

const cells = [
  'import math\nfrom concurrent.futures import ProcessPoolExecutor\n',
  'def score_row(row):\n    return math.ceil(row["answers"] / 2)\n',
  'rows = [{"answers": 3}]\nwith ProcessPoolExecutor() as pool:\n    print(list(pool.map(score_row, rows)))\n',
];

test('a notebook: diagnostics per cell, a fix that creates the module and edits the cells, re-check on edit, cleared on close', async () => {
  const dir = tempTree({ 'other.py': '' });
  const client = inProcess([createPythonEngine()], { debounceMs: 20 });
  clients.push(client);
  const init = await client.initialize(dir, capabilities, { scanOnStart: false, debounceMs: 20 });
  assert.deepEqual(init.capabilities.notebookDocumentSync, { notebookSelector: [{ notebook: { notebookType: 'jupyter-notebook' }, cells: [{ language: 'python' }] }] });

  const nbUri = pathUri(path.join(dir, 'survey.ipynb'));
  const cellUri = (i: number) => `vscode-notebook-cell:${path.join(dir, 'survey.ipynb')}#cell${i}`;
  await client.connection.sendNotification('notebookDocument/didOpen', {
    notebookDocument: { uri: nbUri, notebookType: 'jupyter-notebook', version: 1, cells: cells.map((_, i) => ({ kind: 2, document: cellUri(i) })) },
    cellTextDocuments: cells.map((text, i) => ({ uri: cellUri(i), languageId: 'python', version: 1, text })),
  });
  const [d, ...more] = await client.diagnosticsFor(cellUri(2), (p) => p.diagnostics.length > 0);
  assert.equal(more.length, 0);
  assert.equal(d.code, 'py-notebook-definition');
  assert.deepEqual(d.range, { start: { line: 2, character: 24 }, end: { line: 2, character: 33 } });
  assert.match(String(d.message), /Can't get attribute 'score_row' on <module '__main__' \(built-in\)>/);
  // The related place (the def) is in another cell: its URI, not the notebook file's.
  assert.equal(d.relatedInformation?.[0].location.uri, cellUri(1));
  assert.deepEqual((await client.diagnosticsFor(cellUri(0))).length, 0);

  const actions = (await client.connection.sendRequest('textDocument/codeAction', {
    textDocument: { uri: cellUri(2) },
    range: d.range,
    context: { diagnostics: [d] },
  })) as CodeAction[];
  const move = actions.find((a) => a.title.startsWith('Move `score_row`'));
  assert.ok(move, actions.map((a) => a.title).join(', '));
  assert.equal(move.isPreferred, true);
  assert.ok(actions.some((a) => a.title === 'Ignore py-notebook-definition on this line'));
  const changes = move.edit!.documentChanges as (TextDocumentEdit | CreateFile)[];
  const helpers = path.join(dir, 'survey_helpers.py');
  assert.deepEqual(changes[0], { kind: 'create', uri: pathUri(helpers), options: { overwrite: false, ignoreIfExists: false } });
  const created = changes.filter((c): c is TextDocumentEdit => 'textDocument' in c && c.textDocument.uri === pathUri(helpers)).flatMap((c) => c.edits);
  const cellEdit = changes.find((c): c is TextDocumentEdit => 'textDocument' in c && c.textDocument.uri === cellUri(1));
  assert.ok(cellEdit, 'the fix edits the cell that defines score_row');
  assert.equal(cellEdit.textDocument.version, 1);

  // Apply it as the editor would: the new module on disk, the cell's text changed.
  fs.writeFileSync(helpers, created.map((e) => ('newText' in e ? e.newText : '')).join(''));
  assert.equal(fs.readFileSync(helpers, 'utf8'), 'import math\n\n\ndef score_row(row):\n    return math.ceil(row["answers"] / 2)\n');
  const fixedCell = applyEdits(cells[1], cellEdit.edits as { range: Diagnostic['range']; newText: string }[]).text;
  assert.equal(fixedCell, 'from survey_helpers import score_row\n');
  await client.connection.sendNotification('notebookDocument/didChange', {
    notebookDocument: { uri: nbUri, version: 2 },
    change: { cells: { textContent: [{ document: { uri: cellUri(1), version: 2 }, changes: [{ text: fixedCell }] }] } },
  });
  await client.diagnosticsFor(cellUri(2), (p) => p.diagnostics.length === 0);

  // A cell edit that brings the problem back is seen, in the cell it is in.
  await client.connection.sendNotification('notebookDocument/didChange', {
    notebookDocument: { uri: nbUri, version: 3 },
    change: { cells: { textContent: [{ document: { uri: cellUri(1), version: 3 }, changes: [{ text: 'def score_row(row):\n    return 1\n' }] }] } },
  });
  await client.diagnosticsFor(cellUri(2), (p) => p.diagnostics.length === 1);

  await client.connection.sendNotification('notebookDocument/didClose', { notebookDocument: { uri: nbUri }, cellTextDocuments: cells.map((_, i) => ({ uri: cellUri(i) })) });
  await client.diagnosticsFor(cellUri(2), (p) => p.diagnostics.length === 0);
});
