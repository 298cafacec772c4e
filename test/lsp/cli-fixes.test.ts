// Every fix the CLI applies is the edit the lightbulb offers: `--fix` the preferred (safe) one,
// `--fix --unsafe-fixes` also the first fix of a finding without a safe one. Checked on the
// bundled examples with the real engines: the CLI's JSON edits against the language server's
// code actions, and the files `--fix --unsafe-fixes` writes against the actions applied.
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, test } from 'node:test';
import type { CodeAction, Diagnostic, TextDocumentEdit, TextEdit } from 'vscode-languageserver-protocol/node';
import { applyEdits } from '../../server/src/engine/text';
import { createJsEngine } from '../../server/src/js';
import { createPythonEngine } from '../../server/src/python';
import { defaultCapabilities, inProcess, pathUri, root, type TestClient } from './harness';

const clients: TestClient[] = [];
after(() => Promise.all(clients.map((c) => c.dispose())));

function copyExamples(): string {
  const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'sendcheck-fixes-')));
  fs.cpSync(path.join(root, 'examples'), dir, { recursive: true });
  return dir;
}

function cli(args: string[], cwd: string) {
  const r = spawnSync(process.execPath, [path.join(root, 'bin', 'sendcheck.js'), ...args], { cwd, encoding: 'utf8', timeout: 120_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

interface JsonEdit {
  file: string;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  newText: string;
}
interface JsonFinding {
  file: string;
  line: number;
  column: number;
  rule: string;
  message: string;
  fixes: { id: string; title: string; preferred: boolean; edits: JsonEdit[] }[];
}

/** The lightbulb's pick, as a person pressing it would: the preferred action, else the first that is not "Ignore …". */
function lightbulbPick(actions: CodeAction[], unsafe: boolean): CodeAction | undefined {
  return actions.find((a) => a.isPreferred) ?? (unsafe ? actions.find((a) => !a.title.startsWith('Ignore ')) : undefined);
}

function actionEdits(action: CodeAction, dir: string): JsonEdit[] {
  return ((action.edit?.documentChanges ?? []) as TextDocumentEdit[]).flatMap((c) =>
    (c.edits as TextEdit[]).map((e) => ({
      file: path.relative(dir, new URL(c.textDocument.uri).pathname),
      line: e.range.start.line + 1,
      column: e.range.start.character + 1,
      endLine: e.range.end.line + 1,
      endColumn: e.range.end.character + 1,
      newText: e.newText,
    })),
  );
}

async function actionsFor(client: TestClient, uri: string, d: Diagnostic): Promise<CodeAction[]> {
  return (await client.connection.sendRequest('textDocument/codeAction', { textDocument: { uri }, range: d.range, context: { diagnostics: [d] } })) as CodeAction[];
}

test('the CLI applies, edit for edit, the fix the lightbulb offers for every finding of the examples', async () => {
  const dir = copyExamples();
  const findings = JSON.parse(cli(['--format', 'json', '.'], dir).stdout) as JsonFinding[];
  assert.ok(findings.length >= 10, `${findings.length} findings`);
  const client = inProcess([createJsEngine(), createPythonEngine()]);
  clients.push(client);
  await client.initialize(dir, defaultCapabilities, { scanOnStart: false, debounceMs: 20 });
  let safe = 0;
  let unsafe = 0;
  // The CLI's summary counts the notebooks' fixes too.
  for (const f of findings.filter((x) => x.file.endsWith('.ipynb'))) {
    if (f.fixes.some((x) => x.preferred)) safe++;
    else if (f.fixes.length) unsafe++;
  }
  // A notebook reaches the server as a notebook document, never as a text file: test/lsp/notebooks covers its cells' actions.
  for (const file of [...new Set(findings.map((f) => f.file))].filter((f) => !f.endsWith('.ipynb'))) {
    const uri = await client.open(path.join(dir, file));
    const diagnostics = await client.diagnosticsFor(uri, undefined, 60_000);
    const mine = findings.filter((f) => f.file === file);
    assert.equal(diagnostics.length, mine.length, file);
    for (const f of mine) {
      const d = diagnostics.find((x) => x.code === f.rule && x.range.start.line + 1 === f.line && x.range.start.character + 1 === f.column && x.message === f.message);
      assert.ok(d, `${file}:${f.line} ${f.rule} has a diagnostic`);
      const actions = await actionsFor(client, uri, d);
      const cliSafe = f.fixes.find((x) => x.preferred);
      const cliAny = cliSafe ?? f.fixes[0];
      for (const [isUnsafe, cliFix] of [
        [false, cliSafe],
        [true, cliAny],
      ] as const) {
        const picked = lightbulbPick(actions, isUnsafe);
        assert.equal(picked?.title, cliFix?.title, `${file}:${f.line} ${f.rule} (unsafe: ${isUnsafe})`);
        if (picked && cliFix) assert.deepEqual(actionEdits(picked, dir), cliFix.edits, `${file}:${f.line} ${f.rule}: the same edits`);
      }
      if (cliSafe) safe++;
      else if (cliAny) unsafe++;
    }
  }
  assert.ok(safe >= 3 && unsafe >= 5, `safe ${safe}, unsafe ${unsafe}`);
  const summary = cli(['.'], dir).stdout;
  assert.match(summary, new RegExp(`^${safe} fixable with --fix \\(${unsafe} more with --unsafe-fixes\\)$`, 'm'));
});

test('--fix leaves an unsafe-only fix alone; --fix --unsafe-fixes writes exactly what the lightbulb action gives', async () => {
  const dir = copyExamples();
  const file = path.join(dir, 'js', 'thumbnails.mjs');
  const original = fs.readFileSync(file, 'utf8');
  const safeOnly = cli(['--fix', 'js/thumbnails.mjs'], dir);
  assert.equal(safeOnly.code, 1);
  assert.match(safeOnly.stdout, /^0 fixable with --fix \(1 more with --unsafe-fixes\)$/m);
  assert.equal(fs.readFileSync(file, 'utf8'), original);
  assert.equal(cli(['--unsafe-fixes', 'js/thumbnails.mjs'], dir).code, 2, '--unsafe-fixes goes with --fix');

  const client = inProcess([createJsEngine(), createPythonEngine()]);
  clients.push(client);
  await client.initialize(dir, defaultCapabilities, { scanOnStart: false, debounceMs: 20 });
  const uri = await client.open(file, original);
  const [d] = await client.diagnosticsFor(uri, undefined, 60_000);
  const action = lightbulbPick(await actionsFor(client, uri, d), true)!;
  const edits = ((action.edit!.documentChanges ?? []) as TextDocumentEdit[]).filter((c) => c.textDocument.uri === pathUri(file)).flatMap((c) => c.edits as TextEdit[]);
  const expected = applyEdits(original, edits).text;

  const fixed = cli(['--fix', '--unsafe-fixes', 'js/thumbnails.mjs'], dir);
  assert.equal(fixed.code, 0, fixed.stdout);
  assert.equal(fixed.stderr, 'sendcheck: fixed 1 file\n');
  assert.equal(fs.readFileSync(file, 'utf8'), expected);
  assert.notEqual(expected, original);
});
