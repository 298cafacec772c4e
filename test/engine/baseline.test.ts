// Baselines through the CLI: recorded findings stay quiet across edits that move them, new ones
// are reported, fixed ones are named as removable and pruned with --baseline-update.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { fingerprint, matchBaseline, parseBaseline, serializeBaseline } from '../../server/src/engine/baseline';
import type { Finding } from '../../server/src/engine/types';
import { sendcheck as run } from '../harness/cli';
import { copyMonorepo } from '../harness/monorepo';

const rulesOf = (stdout: string) => (JSON.parse(stdout) as { file: string; line: number; rule: string }[]).map((f) => `${f.file}:${f.line} ${f.rule}`);

function prepend(file: string, text: string): void {
  fs.writeFileSync(file, text + fs.readFileSync(file, 'utf8'));
}

test('a baseline keeps known findings quiet across edits that shift lines, and reports new ones', () => {
  const dir = copyMonorepo();
  const written = run(['--baseline-write', 'sendcheck-baseline.json', '.'], dir);
  assert.equal(written.code, 0);
  assert.equal(written.stderr, 'sendcheck: wrote 3 findings to sendcheck-baseline.json\n');
  const baseline = JSON.parse(fs.readFileSync(path.join(dir, 'sendcheck-baseline.json'), 'utf8'));
  assert.deepEqual(
    baseline.findings.map((e: { file: string; rule: string }) => `${e.file} ${e.rule}`),
    ['packages/api/jobs/run.py py-fork-copy', 'packages/web/src/app.mjs no-function', 'packages/web/src/tasks.py py-thread-lock'],
  );
  assert.ok(baseline.findings.every((e: object) => !('line' in e)), 'no line numbers in the baseline');

  const quiet = run(['--baseline', 'sendcheck-baseline.json', '.'], dir);
  assert.equal(quiet.code, 0);
  assert.equal(quiet.stdout, '3 known problems in the baseline not shown\n');

  // Unrelated edits above every finding: nothing comes back.
  prepend(path.join(dir, 'packages/api/jobs/run.py'), '"""Nightly jobs."""\nimport os\n\n');
  prepend(path.join(dir, 'packages/web/src/app.mjs'), '// The image pipeline.\n\n');
  const shifted = run(['--format', 'json', '--baseline', 'sendcheck-baseline.json', '.'], dir);
  assert.equal(shifted.code, 0, shifted.stdout);
  assert.deepEqual(rulesOf(shifted.stdout), []);

  // A new finding in a file that has a known one: only the new one is reported.
  fs.appendFileSync(path.join(dir, 'packages/web/src/app.mjs'), "worker.postMessage({ format: (n) => n.toFixed(2) });\n");
  const fresh = run(['--format', 'json', '--baseline', 'sendcheck-baseline.json', '.'], dir);
  assert.equal(fresh.code, 1);
  assert.deepEqual(rulesOf(fresh.stdout), ['packages/web/src/app.mjs:7 no-function']);
});

test('fixed entries are named as removable; --baseline-update prunes them and keeps entries of files not checked', () => {
  const dir = copyMonorepo();
  run(['--baseline-write', 'base.json', '.'], dir);
  const tasks = path.join(dir, 'packages/web/src/tasks.py');
  fs.writeFileSync(tasks, fs.readFileSync(tasks, 'utf8').replace('threading.Lock()', 'mp.Lock()'));
  const r = run(['--baseline', 'base.json', '.'], dir);
  assert.equal(r.code, 0, r.stdout);
  assert.equal(r.stderr, 'sendcheck: 1 finding recorded in base.json is fixed; remove it with --baseline-update\n');

  // Checking one package says nothing about the other's entries.
  const partial = run(['--baseline', 'base.json', '--baseline-update', 'packages/web'], dir);
  assert.equal(partial.stderr, 'sendcheck: removed 1 fixed finding from base.json\n');
  const entries = JSON.parse(fs.readFileSync(path.join(dir, 'base.json'), 'utf8')).findings.map((e: { file: string }) => e.file);
  assert.deepEqual(entries, ['packages/api/jobs/run.py', 'packages/web/src/app.mjs']);
  assert.equal(run(['--baseline', 'base.json', '.'], dir).stderr, '');
});

test('a baseline named in the project configuration applies without flags; broken baselines are reported', () => {
  const dir = copyMonorepo();
  run(['--baseline-write', 'packages/api/known.json', 'packages/api'], dir);
  const pyproject = path.join(dir, 'packages/api/pyproject.toml');
  fs.writeFileSync(pyproject, fs.readFileSync(pyproject, 'utf8').replace('[tool.sendcheck]\n', '[tool.sendcheck]\nbaseline = "known.json"\n'));
  const r = run(['--format', 'json', '.'], dir);
  assert.deepEqual(rulesOf(r.stdout), ['packages/web/src/app.mjs:4 no-function', 'packages/web/src/tasks.py:12 py-thread-lock']);

  fs.writeFileSync(path.join(dir, 'packages/api/known.json'), '{ "findings": [] }');
  const broken = run(['--format', 'json', '.'], dir);
  assert.match(broken.stderr, /^sendcheck: baseline packages\/api\/known\.json is not a sendcheck baseline .*; reporting every finding of its files$/m);
  assert.equal(rulesOf(broken.stdout).length, 3);

  const missing = run(['--baseline', 'nope.json', '.'], dir);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /baseline nope\.json cannot be read/);
  assert.equal(run(['--baseline-write', 'b.json', '--baseline', 'b.json', '.'], dir).code, 2);
});

test('fingerprints: same for a moved or re-indented finding, different for other code or another path; duplicates counted', () => {
  const finding = (line: number, file = '/p/a.py', p = 'args[0]'): Finding => ({
    file,
    range: { start: { line, character: 4 }, end: { line, character: 8 } },
    rule: 'py-thread-lock',
    severity: 'error',
    message: 'm',
    path: p,
    related: [],
    fixes: [],
  });
  const a = fingerprint(finding(0), ['Process(target=work, args=(lock,))']);
  assert.equal(fingerprint(finding(5), ['', '', '', '', '', '    Process(target=work,  args=(lock,))']), a);
  assert.notEqual(fingerprint(finding(0), ['Process(target=work, args=(other,))']), a);
  assert.notEqual(fingerprint(finding(0, '/p/a.py', 'args[1]'), ['Process(target=work, args=(lock,))']), a);

  const lines = () => ['pool.map(job, items)', 'pool.map(job, items)'];
  const twice = [finding(0), finding(1)];
  const text = serializeBaseline([{ file: 'a.py', rule: 'py-thread-lock', fingerprint: fingerprint(twice[0], lines()), count: 1, message: 'm' }]);
  const baseline = parseBaseline('/p/base.json', text);
  assert.ok(!('problem' in baseline));
  const m = matchBaseline(twice, baseline, lines, new Set(['/p/a.py']));
  assert.equal(m.known.length, 1, 'an entry with count 1 covers one of two identical findings');
  assert.equal(m.fresh.length, 1);
});
