// The bundled server as any LSP editor starts it (`sendcheck --lsp --stdio`), with the real
// engines, on the editor fixture workspace (test/e2e/workspace, copied). The last tests assert
// what the engines report; their wording may change, so they check rule source, line and the
// member named in the message.
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import type { CodeAction, InitializeResult } from 'vscode-languageserver-protocol/node';
import { copyWorkspace, defaultCapabilities, pathUri, spawnStdio, type TestClient } from './harness';

let dir: string;
let server: ReturnType<typeof spawnStdio>;
let client: TestClient;
let init: InitializeResult;

before(async () => {
  dir = copyWorkspace();
  server = spawnStdio(dir);
  client = server.client;
  init = await client.initialize(dir, defaultCapabilities);
});
after(() => client.dispose());

const thumbnails = () => path.join(dir, 'src', 'thumbnails.mjs');
const crawler = () => path.join(dir, 'jobs', 'crawler.py');

test('initializes over stdio and announces what it serves', () => {
  assert.equal(init.serverInfo?.name, 'sendcheck');
  const actions = init.capabilities.codeActionProvider as { codeActionKinds: string[] };
  assert.deepEqual(actions.codeActionKinds, ['quickfix', 'source.fixAll.sendcheck']);
  assert.deepEqual(init.capabilities.executeCommandProvider?.commands, ['sendcheck.checkWorkspace']);
  assert.equal(init.capabilities.diagnosticProvider, undefined, 'a client without pull support gets pushed diagnostics');
});

test('a clean file gets an empty diagnostic list', async () => {
  const uri = await client.open(path.join(dir, 'src', 'clean.mjs'));
  assert.deepEqual(await client.diagnosticsFor(uri, (p) => p.version === 1, 60_000), []);
});

test('the workspace scan reports the never-opened Python file: the thread queue in args', async () => {
  const diagnostics = await client.diagnosticsFor(pathUri(crawler()), (p) => p.diagnostics.length > 0, 60_000);
  const d = diagnostics.find((x) => x.range.start.line === 15);
  assert.ok(d, `a finding on line 16 (args=(urls,)); got ${JSON.stringify(diagnostics)}`);
  assert.equal(d.source, 'sendcheck');
  assert.match(String(d.message), /urls|Queue/);
  assert.match(d.codeDescription!.href, /docs\/rules\/.+\.md$/);
  assert.ok(!client.published.some((p) => p.uri.includes('node_modules') && p.diagnostics.length), 'node_modules is never checked');
});

test('an opened JS file gets the squiggle on postMessage(job), and the lightbulb offers fixes', async () => {
  const uri = await client.open(thumbnails());
  const diagnostics = await client.diagnosticsFor(uri, (p) => p.version === 1, 60_000);
  const d = diagnostics.find((x) => x.range.start.line === 12);
  assert.ok(d, `a finding on line 13 (worker.postMessage(job)); got ${JSON.stringify(diagnostics)}`);
  assert.equal(d.source, 'sendcheck');
  assert.equal(d.severity, 1);
  assert.match(String(d.message), /onDone/);
  const actions = (await client.connection.sendRequest('textDocument/codeAction', {
    textDocument: { uri },
    range: d.range,
    context: { diagnostics: [d] },
  })) as CodeAction[];
  assert.ok(actions.some((a) => a.title === `Ignore ${d.code} on this line`));
});

test('shuts down and exits cleanly', async () => {
  await client.connection.sendRequest('shutdown');
  await client.connection.sendNotification('exit');
  const code = await new Promise<number | null>((resolve) => {
    if (server.child.exitCode !== null) resolve(server.child.exitCode);
    server.child.on('exit', (c) => resolve(c));
    setTimeout(() => resolve(-1), 10_000);
  });
  assert.equal(code, 0, server.stderr());
});
