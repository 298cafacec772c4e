import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { parseExpectations } from '../harness/expectations';
import { fixtureDir } from './fixture-files';

// The seed documents' scenarios, through the bundled command line as a user runs it: each
// seed fixture gets exactly the rules its expectations name, and the examples fail the check.
const root = path.resolve(__dirname, '..', '..');
const bin = path.join(root, 'bin', 'sendcheck.js');

function cli(args: string[]) {
  const r = spawnSync(process.execPath, [bin, ...args], { cwd: root, encoding: 'utf8', timeout: 120_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('sendcheck reports every seed scenario with its rule', () => {
  const seeds = fs.readdirSync(fixtureDir).filter((f) => /^(err|clean)_seed\d+_.*\.py$/.test(f));
  assert.ok(seeds.length >= 15, `only ${seeds.length} seed fixtures`);
  const r = cli(['--format', 'json', ...seeds.map((f) => path.join('test', 'fixtures', 'py', f))]);
  assert.equal(r.code, 1, r.stderr);
  const findings = JSON.parse(r.stdout) as { file: string; rule: string; line: number }[];
  for (const f of seeds) {
    const text = fs.readFileSync(path.join(fixtureDir, f), 'utf8');
    const expected = parseExpectations(text, 'python').map((e) => `${e.line} ${e.rule}`);
    // JSON lines are 1-based.
    const actual = findings.filter((x) => path.basename(x.file) === f).map((x) => `${x.line - 1} ${x.rule}`);
    assert.deepEqual(actual, expected, f);
  }
});

test('sendcheck examples/python fails with the crawler, scoring, notebook and DataLoader findings', () => {
  const r = cli(['examples/python']);
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stdout, /crawler\.py:21:\d+\s+error\s+.*py-thread-queue/);
  assert.match(r.stdout, /scoring\.py:\d+:\d+\s+error\s+.*py-thread-lock/);
  assert.match(r.stdout, /scoring\.py:\d+:\d+\s+error\s+.*py-lambda/);
  assert.match(r.stdout, /scoring\.py:\d+:\d+\s+error\s+.*py-main-guard-object/);
  assert.match(r.stdout, /notebooks\/survey_scoring\.ipynb:cell 6:5:28\s+error\s+.*py-notebook-definition/);
  // The DataLoader example: the dataset keeps the file it opened in __init__.
  assert.match(r.stdout, /train_loader\.py:30:\d+\s+error\s+.*self\.source.*py-open-handle/);
});
