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

test('the check-workspace command reports work-done progress with file counts', async () => {
  const before = client.progress.length;
  const result = (await client.connection.sendRequest('workspace/executeCommand', { command: 'sendcheck.checkWorkspace', arguments: [] })) as { files: number; findings: number };
  assert.equal(result.files, 4, 'thumbnails.mjs, thumbnail-worker.mjs, clean.mjs, crawler.py; node_modules skipped');
  const mine = client.progress.slice(before).map((p) => p.value);
  assert.equal(mine[0]?.kind, 'begin');
  assert.equal(mine[0].message, '0/4 files');
  assert.equal(mine.filter((v) => v.kind === 'report').at(-1)?.message, '4/4 files');
  assert.equal(mine.filter((v) => v.kind === 'report').at(-1)?.percentage, 100);
  await client.waitFor('progress end', () => client.progress.slice(before).find((p) => p.value.kind === 'end'));
});

test('a settings change applies live: the rule turned off, the squiggle goes; back on, it returns', async () => {
  const uri = pathUri(thumbnails());
  const [d] = (await client.diagnosticsFor(uri, (p) => p.diagnostics.length > 0, 60_000)).filter((x) => x.range.start.line === 12);
  client.settings = { rules: { [String(d.code)]: 'off' } };
  await client.connection.sendNotification('workspace/didChangeConfiguration', { settings: null });
  await client.diagnosticsFor(uri, (p) => !p.diagnostics.some((x) => x.code === d.code), 60_000);
  client.settings = {};
  await client.connection.sendNotification('workspace/didChangeConfiguration', { settings: null });
  await client.diagnosticsFor(uri, (p) => p.diagnostics.some((x) => x.code === d.code), 60_000);
});

test('a client that pulls gets textDocument/diagnostic reports instead of pushes', async (t) => {
  const pulling = spawnStdio(dir);
  t.after(() => pulling.client.dispose());
  const caps = { ...defaultCapabilities, textDocument: { ...defaultCapabilities.textDocument, diagnostic: {} } };
  const r = await pulling.client.initialize(dir, caps, { scanOnStart: false });
  assert.ok(r.capabilities.diagnosticProvider);
  const uri = await pulling.client.open(thumbnails());
  const report = (await pulling.client.connection.sendRequest('textDocument/diagnostic', { textDocument: { uri } })) as {
    kind: string;
    items: { range: { start: { line: number } }; source: string; message: string }[];
  };
  assert.equal(report.kind, 'full');
  const d = report.items.find((x) => x.range.start.line === 12);
  assert.ok(d, JSON.stringify(report.items));
  assert.equal(d.source, 'sendcheck');
  assert.match(String(d.message), /onDone/);
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
