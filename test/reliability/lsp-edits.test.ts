// Code actions carry what they were computed from: each file they edit at the version it was
// read at (a versioned TextDocumentEdit; an action whose other file moved on is not offered),
// and a file they create is created with `overwrite: false, ignoreIfExists: false`, so the
// client refuses rather than write into a file of that name. A file that exists by the time the
// action is asked for is never created over; clients that cannot create files get no such action.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, test } from 'node:test';
import type { ClientCapabilities, CodeAction, CreateFile, TextDocumentEdit } from 'vscode-languageserver-protocol/node';
import type { Finding, LanguageEngine } from '../../server/src/engine/types';
import { defaultCapabilities, inProcess, pathUri, tempTree, type TestClient } from '../lsp/harness';

const clients: TestClient[] = [];
after(() => Promise.all(clients.map((c) => c.dispose())));

/** Every `move(` gets a fix that creates helpers.js, and one that edits other.js. */
function crossFileEngine(): LanguageEngine {
  return {
    language: 'js',
    rules: [{ id: 'no-function', language: 'js', defaultSeverity: 'error', summary: 'functions cannot be cloned' }],
    handles: (file) => file.endsWith('.js'),
    check({ files, host }) {
      const out: Finding[] = [];
      for (const file of files) {
        const dir = path.dirname(file);
        (host.readFile(file) ?? '').split('\n').forEach((line, i) => {
          const c = line.indexOf('move(');
          if (c < 0) return;
          const range = { start: { line: i, character: c }, end: { line: i, character: c + 4 } };
          const start = { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };
          out.push({
            file,
            range,
            rule: 'no-function',
            severity: 'error',
            message: 'm',
            related: [],
            fixes: [
              {
                title: 'Move the function to helpers.js',
                id: 'move-to-module',
                preferred: false,
                edits: [
                  { file, range: start, newText: "import { f } from './helpers.js';\n" },
                  { file: path.join(dir, 'helpers.js'), range: start, newText: 'export function f() {}\n' },
                ],
              },
              { title: 'Register it in other.js', id: 'register', preferred: false, edits: [{ file: path.join(dir, 'other.js'), range: start, newText: 'register(f);\n' }] },
            ],
          });
        });
      }
      return out;
    },
  };
}

async function start(caps: ClientCapabilities = withCreate): Promise<{ client: TestClient; dir: string; uri: string }> {
  const dir = tempTree({ 'a.js': 'w.postMessage(move(f));\n', 'other.js': '// other\n' });
  const client = inProcess([crossFileEngine()], { debounceMs: 10 });
  clients.push(client);
  await client.initialize(dir, caps, { scanOnStart: false });
  const uri = await client.open(path.join(dir, 'a.js'));
  await client.diagnosticsFor(uri, (p) => p.diagnostics.length === 1);
  return { client, dir, uri };
}

const withCreate: ClientCapabilities = { ...defaultCapabilities, workspace: { ...defaultCapabilities.workspace, workspaceEdit: { documentChanges: true, resourceOperations: ['create'] } } };

async function actions(client: TestClient, uri: string): Promise<CodeAction[]> {
  const diagnostics = client.published.filter((p) => p.uri === uri).at(-1)!.diagnostics;
  return (await client.connection.sendRequest('textDocument/codeAction', { textDocument: { uri }, range: diagnostics[0].range, context: { diagnostics } })) as CodeAction[];
}

test('a fix that creates a file: CreateFile that refuses an existing file, then the edits, each pinned to its version', async () => {
  const { client, dir, uri } = await start();
  const move = (await actions(client, uri)).find((a) => a.title.startsWith('Move'))!;
  const changes = move.edit!.documentChanges!;
  assert.deepEqual(changes[0], { kind: 'create', uri: pathUri(path.join(dir, 'helpers.js')), options: { overwrite: false, ignoreIfExists: false } } satisfies CreateFile);
  const edits = changes.slice(1) as TextDocumentEdit[];
  assert.deepEqual(
    edits.map((e) => [path.basename(e.textDocument.uri), e.textDocument.version]),
    [
      ['a.js', 1],
      ['helpers.js', null],
    ],
  );
  const register = (await actions(client, uri)).find((a) => a.title.startsWith('Register'))!;
  assert.deepEqual((register.edit!.documentChanges as TextDocumentEdit[]).map((e) => [path.basename(e.textDocument.uri), e.textDocument.version]), [['other.js', null]]);

  // helpers.js appears before the user picks the fix: it is no longer offered, never written into.
  fs.writeFileSync(path.join(dir, 'helpers.js'), 'export const mine = 1;\n');
  const later = await actions(client, uri);
  assert.deepEqual(later.map((a) => a.title), ['Register it in other.js', 'Ignore no-function on this line']);
  assert.ok(client.logs.some((l) => /Move the function to helpers\.js" not offered: it would create .*helpers\.js, which exists now/.test(l.message)));
});

test('clients that cannot create files are not offered fixes that would', async () => {
  const { client, uri } = await start(defaultCapabilities);
  assert.deepEqual((await actions(client, uri)).map((a) => a.title), ['Register it in other.js', 'Ignore no-function on this line']);
});

test('a fix that edits another open document is pinned to its version, and withdrawn once that document changes', async () => {
  const { client, dir, uri } = await start();
  const otherUri = await client.open(path.join(dir, 'other.js'), '// other\n', 3);
  // a.js is checked again (its text unchanged) so that its findings know other.js at version 3.
  await client.replace(uri, 'w.postMessage(move(f));\n\n', 2);
  await client.diagnosticsFor(uri, (p) => p.version === 2);
  const register = (await actions(client, uri)).find((a) => a.title.startsWith('Register'))!;
  assert.deepEqual((register.edit!.documentChanges as TextDocumentEdit[]).map((e) => [e.textDocument.uri, e.textDocument.version]), [[otherUri, 3]]);
  // The user types in other.js; a.js's findings stay current, but their edit to other.js is not.
  await client.replace(otherUri, '// other, edited\n', 4);
  await client.diagnosticsFor(otherUri, (p) => p.version === 4);
  const after = await actions(client, uri);
  assert.ok(!after.some((a) => a.title.startsWith('Register')), after.map((a) => a.title).join(', '));
});
