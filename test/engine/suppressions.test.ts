// Suppression comments: reasons after `--`, and the ones that silence nothing reported
// (--report-unused-ignores in the CLI, a faded hint in the editor) with a fix that removes them.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, test } from 'node:test';
import type { CodeAction, TextDocumentEdit, TextEdit } from 'vscode-languageserver-protocol/node';
import { FileSuppressions, parseSuppressions } from '../../server/src/engine/suppressions';
import { applyEdits } from '../../server/src/engine/text';
import { createJsEngine } from '../../server/src/js';
import { createPythonEngine } from '../../server/src/python';
import { sendcheck as run, tempProject as tree } from '../harness/cli';
import { defaultCapabilities, inProcess, type TestClient } from '../lsp/harness';

const python = [
  'from multiprocessing import Pool',
  '',
  '',
  'def double(x):',
  '    return x * 2',
  '',
  '',
  'if __name__ == "__main__":',
  '    with Pool(2) as pool:',
  '        print(pool.map(lambda x: x + 1, range(3)))  # sendcheck: ignore[py-lambda] -- a joblib backend in production',
  '        print(pool.map(double, range(3)))  # sendcheck: ignore[py-lambda]',
  '        # sendcheck: ignore -- left over from the lambda days',
  '        print(pool.map(double, range(3)))',
  '        print(pool.map(lambda y: y, range(3)))  # sendcheck: ignore[py-lambda, py-lamda]',
  '',
].join('\n');

const js = [
  "import { Worker } from 'node:worker_threads';",
  '',
  "const worker = new Worker(new URL('./resize.mjs', import.meta.url));",
  '// sendcheck-ignore-next-line no-function -- the test double runs in-process',
  "worker.postMessage({ onDone: () => console.log('done') });",
  '// sendcheck-ignore-next-line no-function',
  'worker.postMessage({ width: 64 });',
  '',
].join('\n');

test('a reason after -- is not read as rule ids', () => {
  const [s] = parseSuppressions(js.split('\n'), 'js');
  assert.deepEqual(s.rules.map((r) => r.id), ['no-function']);
  assert.equal(s.reason, 'the test double runs in-process');
  const finding = { file: 'a.mjs', range: { start: { line: 4, character: 19 }, end: { line: 4, character: 56 } }, rule: 'no-function', severity: 'error' as const, message: '', related: [], fixes: [] };
  assert.equal(new FileSuppressions([s]).suppresses(finding), true);
  const py = parseSuppressions(python.split('\n'), 'python');
  assert.deepEqual(py.map((p) => [p.target, p.rules.map((r) => r.id), p.reason ?? null]), [
    [9, ['py-lambda'], 'a joblib backend in production'],
    [10, ['py-lambda'], null],
    [12, [], 'left over from the lambda days'],
    [13, ['py-lambda', 'py-lamda'], null],
  ]);
});

test('--report-unused-ignores reports what silences nothing; --fix removes it', () => {
  const dir = tree({ 'score.py': python, 'resize.mjs': js });
  assert.equal(run(['score.py', 'resize.mjs'], dir).code, 0, 'nothing to report without the flag');
  const r = run(['--report-unused-ignores', '--format', 'json', 'score.py', 'resize.mjs'], dir);
  assert.equal(r.code, 1);
  assert.deepEqual(
    JSON.parse(r.stdout).map((f: { file: string; line: number; column: number; rule: string; severity: string; message: string }) => `${f.file}:${f.line}:${f.column} ${f.severity} ${f.message}`),
    [
      'resize.mjs:6:1 warning This sendcheck suppression suppresses nothing (no-function is not reported here)',
      'score.py:11:44 warning This sendcheck suppression suppresses nothing (py-lambda is not reported here)',
      'score.py:12:9 warning This sendcheck suppression suppresses nothing',
      'score.py:14:80 warning py-lamda is not a sendcheck rule (a reason goes after `--`): this part of the suppression is unused',
    ],
  );
  const fixed = run(['--report-unused-ignores', '--fix', 'score.py', 'resize.mjs'], dir);
  assert.equal(fixed.code, 0, fixed.stdout);
  const lines = fs.readFileSync(path.join(dir, 'score.py'), 'utf8').split('\n');
  assert.deepEqual(lines.slice(9, 13), [
    '        print(pool.map(lambda x: x + 1, range(3)))  # sendcheck: ignore[py-lambda] -- a joblib backend in production',
    '        print(pool.map(double, range(3)))',
    '        print(pool.map(double, range(3)))',
    '        print(pool.map(lambda y: y, range(3)))  # sendcheck: ignore[py-lambda]',
  ]);
  assert.equal(fs.readFileSync(path.join(dir, 'resize.mjs'), 'utf8'), js.replace('// sendcheck-ignore-next-line no-function\nworker.postMessage({ width', 'worker.postMessage({ width'));
});

const clients: TestClient[] = [];
after(() => Promise.all(clients.map((c) => c.dispose())));

test('the editor shows an unused suppression as a faded hint whose quick fix removes it', async () => {
  const dir = tree({ 'score.py': python });
  const client = inProcess([createJsEngine(), createPythonEngine()]);
  clients.push(client);
  await client.initialize(dir, defaultCapabilities, { scanOnStart: false, debounceMs: 20 });
  const uri = await client.open(path.join(dir, 'score.py'), python);
  const diagnostics = await client.diagnosticsFor(uri, undefined, 60_000);
  assert.deepEqual(
    diagnostics.map((d) => [d.range.start.line + 1, d.code, d.severity, d.tags]),
    [
      [11, 'unused-suppression', 4, [1]],
      [12, 'unused-suppression', 4, [1]],
      [14, 'unused-suppression', 4, [1]],
    ],
  );
  const actions = (await client.connection.sendRequest('textDocument/codeAction', {
    textDocument: { uri },
    range: diagnostics[1].range,
    context: { diagnostics: [diagnostics[1]] },
  })) as CodeAction[];
  assert.deepEqual(actions.map((a) => [a.title, a.isPreferred]), [['Remove the unused suppression', true]], 'no "Ignore" for a comment about comments');
  const edits = (actions[0].edit!.documentChanges as TextDocumentEdit[])[0].edits as TextEdit[];
  assert.equal(applyEdits(python, edits).text, python.replace('        # sendcheck: ignore -- left over from the lambda days\n', ''));
});
