// The README's copy-paste examples, executed: each fenced block after an
// `<!-- example: name -->` marker is taken as written and run the way a user would run it.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { sendcheck, tempProject as project } from './harness/cli';
import { copyMonorepo, lockProgram } from './harness/monorepo';
import { commands, example } from './harness/readme';

test('README configuration: the pyproject.toml example applies as described', () => {
  const dir = project({ 'pyproject.toml': example('pyproject'), 'jobs/run.py': lockProgram, 'build/run.py': lockProgram });
  const shown = sendcheck(['--show-config', 'jobs/run.py'], dir);
  assert.equal(shown.stderr, '');
  const { configFile, settings } = JSON.parse(shown.stdout);
  assert.equal(configFile, 'pyproject.toml');
  assert.equal(settings.python.startMethod, 'fork');
  const r = sendcheck(['--format', 'json', '.'], dir);
  assert.equal(r.stderr, '');
  assert.deepEqual(
    JSON.parse(r.stdout).map((f: { file: string; rule: string; severity: string }) => `${f.file} ${f.rule} ${f.severity}`),
    ['jobs/run.py py-fork-copy error'],
    'fork: the lock is copied, reported as an error; build/ is excluded',
  );
});

test('README configuration: the package.json example is valid and applies', () => {
  const dir = project({ 'package.json': example('package-json'), 'src/app.mjs': "new Worker('w.js').postMessage({ at: new URL('https://x') });\n" });
  const shown = sendcheck(['--show-config', 'src/app.mjs'], dir);
  assert.equal(shown.stderr, '');
  const { configFile, settings } = JSON.parse(shown.stdout);
  assert.equal(configFile, 'package.json');
  assert.equal(settings.js.target, 'browser');
  assert.equal(settings.rules['class-instance-loss'], 'off');
});

test('README baseline: record, then only new findings fail, then fixed entries are pruned', () => {
  const dir = copyMonorepo();
  const [write, check, update] = commands(example('baseline'));
  assert.equal(sendcheck(write, dir).code, 0);
  assert.ok(fs.existsSync(path.join(dir, 'sendcheck-baseline.json')));
  assert.equal(sendcheck(check, dir).code, 0, 'nothing new');
  const app = path.join(dir, 'packages/web/src/app.mjs');
  fs.writeFileSync(app, `// moved down\n${fs.readFileSync(app, 'utf8')}worker.postMessage({ log: console.log });\n`);
  const fresh = sendcheck(check, dir);
  assert.equal(fresh.code, 1, 'a new finding fails');
  assert.match(fresh.stdout, /app\.mjs:6:\d+ +warning +log is a function/);
  const tasks = path.join(dir, 'packages/web/src/tasks.py');
  fs.writeFileSync(tasks, fs.readFileSync(tasks, 'utf8').replace('threading.Lock()', 'mp.Lock()'));
  assert.match(sendcheck(check, dir).stderr, /1 finding recorded in sendcheck-baseline\.json is fixed; remove it with --baseline-update/);
  sendcheck(update, dir);
  assert.equal(JSON.parse(fs.readFileSync(path.join(dir, 'sendcheck-baseline.json'), 'utf8')).findings.length, 2);
});

test('README CI: the workflow\'s sendcheck step annotates and writes the SARIF file the upload step reads', () => {
  const workflow = example('github-workflow');
  const steps = [...workflow.matchAll(/^\s*- run: (.*)$/gm)].map((m) => m[1]);
  const mine = steps.filter((c) => c.startsWith('npx sendcheck'));
  assert.equal(mine.length, 1, steps.join('\n'));
  const [args] = commands(mine[0]);
  const sarifFile = /sarif_file: (\S+)/.exec(workflow)?.[1];
  assert.ok(sarifFile);
  const dir = copyMonorepo();
  const r = sendcheck(args, dir);
  assert.equal(r.code, 1, 'findings fail the step; the upload step runs anyway (if: always())');
  assert.match(r.stdout, /^::error file=packages\/web\/src\/tasks\.py,line=12,/m);
  const sarif = JSON.parse(fs.readFileSync(path.join(dir, sarifFile), 'utf8'));
  assert.equal(sarif.runs[0].results.length, 3);
  assert.ok(sarif.runs[0].results.every((x: { partialFingerprints?: object }) => x.partialFingerprints));
});
