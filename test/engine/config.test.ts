// Project configuration through the CLI: the nearest sendcheck.json / .sendcheckrc.json /
// pyproject.toml [tool.sendcheck] / package.json "sendcheck" above each file applies, flags win
// over it, and a broken file is reported by name and key while the defaults stand in.
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { test } from 'node:test';
import { ConfigResolver, ProjectConfigFinder, readProjectConfig } from '../../server/src/engine/project-config';
import { resolveConfig } from '../../server/src/engine/config';
import { sendcheck as run, tempProject as tree } from '../harness/cli';
import { copyMonorepo, lockProgram } from '../harness/monorepo';

function findings(stdout: string): string[] {
  return (JSON.parse(stdout) as { file: string; line: number; rule: string; severity: string }[]).map((f) => `${f.file}:${f.line} ${f.rule} ${f.severity}`);
}

test('monorepo: each package is checked with the configuration nearest above its files', () => {
  const dir = copyMonorepo();
  const r = run(['--format', 'json', '.'], dir);
  assert.equal(r.code, 1, r.stderr);
  assert.equal(r.stderr, '');
  assert.deepEqual(findings(r.stdout), [
    // pyproject.toml: fork, so the lock is copied rather than pickled; py-fork-copy raised to an error; generated/** excluded.
    'packages/api/jobs/run.py:12 py-fork-copy error',
    // package.json: no-function lowered to a warning; spawn, so the lock must be pickled.
    'packages/web/src/app.mjs:4 no-function warning',
    'packages/web/src/tasks.py:12 py-thread-lock error',
  ]);
});

test('flags win over the project file; --show-config names the file that applied', () => {
  const dir = copyMonorepo();
  const r = run(['--format', 'json', '--rule', 'no-function=error', '--start-method', 'spawn', 'packages'], dir);
  assert.deepEqual(findings(r.stdout), [
    'packages/api/jobs/run.py:12 py-thread-lock error',
    'packages/web/src/app.mjs:4 no-function error',
    'packages/web/src/tasks.py:12 py-thread-lock error',
  ]);
  const shown = run(['--show-config', 'packages/api/jobs/run.py', '--rule', 'py-lambda=off'], dir);
  assert.equal(shown.code, 0, shown.stderr);
  const info = JSON.parse(shown.stdout);
  assert.equal(info.configFile, 'packages/api/pyproject.toml');
  assert.deepEqual(info.explicit, ['rules']);
  assert.equal(info.settings.python.startMethod, 'fork');
  assert.deepEqual(info.settings.rules, { 'py-fork-copy': 'error', 'py-lambda': 'off' }, 'rule severities merge rule by rule');
  assert.deepEqual(info.settings.exclude, ['packages/api/generated/**'], 'globs are relative to the file that wrote them');
  const web = JSON.parse(run(['--show-config', 'packages/web/src/app.mjs'], dir).stdout);
  assert.equal(web.configFile, 'packages/web/package.json');
  const none = JSON.parse(run(['--show-config', 'README.md'], dir).stdout);
  assert.equal(none.configFile, null);
});

test('invalid configuration: the file and key are named, the defaults stand in, nothing crashes', () => {
  const dir = tree({
    'svc/pyproject.toml': '[tool.sendcheck]\nstart-method = "fork"\n[tool.sendcheck.python]\nstartMethod = "threads"\n[tool.sendcheck.rules]\npy-thread-lock = "loud"\n',
    'svc/run.py': lockProgram,
    'broken/sendcheck.json': '{ "rules": { "py-thread-lock": "off" ',
    'broken/run.py': lockProgram,
  });
  const r = run(['--format', 'json', '.'], dir);
  assert.equal(r.code, 1, 'findings, not a usage error');
  const lines = r.stderr.trim().split('\n').sort();
  assert.equal(lines.length, 4, r.stderr);
  assert.match(lines[0], /^sendcheck: broken\/sendcheck\.json: cannot be parsed \(.+\); using the defaults$/);
  assert.deepEqual(lines.slice(1), [
    'sendcheck: svc/pyproject.toml: [tool.sendcheck] python.startMethod must be one of auto, spawn, forkserver, fork; using the default',
    'sendcheck: svc/pyproject.toml: [tool.sendcheck] rules.py-thread-lock must be one of off, hint, info, warning, error; using the default',
    'sendcheck: svc/pyproject.toml: [tool.sendcheck] start-method is not a sendcheck setting (did you mean startMethod?); using the default',
  ]);
  // Defaults: spawn and py-thread-lock as an error, in both folders.
  assert.deepEqual(findings(r.stdout), ['broken/run.py:12 py-thread-lock error', 'svc/run.py:12 py-thread-lock error']);
});

test('a pyproject.toml or package.json without sendcheck settings is not a configuration; the search goes on up', () => {
  const dir = tree({
    '.sendcheckrc.json': '{ "python": { "startMethod": "fork" } }',
    'pkg/pyproject.toml': '[project]\nname = "pkg"\n',
    'pkg/package.json': '{ "name": "pkg" }',
    'pkg/broken/pyproject.toml': '[project\nname = ',
    'pkg/broken/run.py': lockProgram,
    'pkg/run.py': lockProgram,
  });
  const r = run(['--format', 'json', '.'], dir);
  assert.equal(r.stderr, '', 'a broken pyproject.toml that never mentions sendcheck is none of our business');
  assert.deepEqual(findings(r.stdout), ['pkg/broken/run.py:12 py-fork-copy warning', 'pkg/run.py:12 py-fork-copy warning']);
});

test('one folder, several configuration files: sendcheck.json is used and the others are named as unused', () => {
  const dir = tree({
    'sendcheck.json': '{ "rules": { "py-thread-lock": "warning" } }',
    'pyproject.toml': '[tool.sendcheck.rules]\npy-thread-lock = "off"\n',
    'run.py': lockProgram,
  });
  const r = run(['--format', 'json', '.'], dir);
  assert.match(r.stderr, /^sendcheck: pyproject\.toml: \[tool\.sendcheck\] is not used: sendcheck\.json in the same folder holds sendcheck settings too, and wins$/m);
  assert.deepEqual(findings(r.stdout), ['run.py:12 py-thread-lock warning']);
});

test('nothing above the working folder is read, and --config replaces the search', () => {
  const dir = tree({ 'sendcheck.json': '{ "rules": { "py-thread-lock": "off" } }', 'app/run.py': lockProgram, 'settings/team.json': '{ "sendcheck": { "rules": { "py-thread-lock": "hint" } } }' });
  assert.deepEqual(findings(run(['--format', 'json', '.'], path.join(dir, 'app')).stdout), ['run.py:12 py-thread-lock error']);
  assert.deepEqual(findings(run(['--format', 'json', '.'], dir).stdout), []);
  assert.deepEqual(findings(run(['--format', 'json', '--config', 'settings/team.json', '.'], dir).stdout), ['app/run.py:12 py-thread-lock hint']);
  const missing = run(['--config', 'nope.toml', '.'], dir);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /--config nope\.toml: ENOENT/);
});

test('the resolver: precedence, list merging, rebased globs and baseline paths', () => {
  const files: Record<string, string> = {
    '/ws/pkg/pyproject.toml': '[tool.sendcheck]\nexclude = ["gen/**"]\nbaseline = "known.json"\nsinks = [{ language = "python", module = "team", function = "ship", args = [0] }]\n[tool.sendcheck.rules]\npy-lambda = "off"\nno-function = "hint"\n',
  };
  const finder = new ProjectConfigFinder((f) => files[f]);
  const editor = { rules: { 'no-function': 'error' }, exclude: ['vendor/**'], sinks: [{ language: 'js', module: 'mine', function: 'send' }] };
  const resolver = new ConfigResolver('/ws', finder, (base) => resolveConfig(editor, base), editor);
  const r = resolver.forFile('/ws/pkg/src/a.py');
  assert.equal(r.projectFile, '/ws/pkg/pyproject.toml');
  assert.deepEqual(r.config.rules, { 'py-lambda': 'off', 'no-function': 'error' });
  assert.deepEqual(r.config.exclude, ['pkg/gen/**', 'vendor/**']);
  assert.deepEqual(r.config.sinks.map((s) => s.module), ['team', 'mine']);
  assert.equal(r.config.baseline, '/ws/pkg/known.json');
  assert.equal(resolver.isExcluded('/ws/pkg/gen/out.py'), true);
  assert.equal(resolver.isExcluded('/ws/pkg/gen', true), true);
  assert.equal(resolver.isExcluded('/ws/pkg/src/a.py'), false);
  assert.equal(resolver.isExcluded('/ws/vendor/v.py'), true);
  assert.equal(resolver.forFile('/ws/other/b.py').projectFile, undefined);
  assert.equal(readProjectConfig('/x/package.json', '{"name":"x"}'), undefined);
  assert.equal(readProjectConfig('/x/pyproject.toml', '[tool.ruff]\nline-length = 100\n'), undefined);
  assert.deepEqual(readProjectConfig('/x/sendcheck.json', '{ "$schema": "s.json", "enable": false }')?.section, { enable: false });
});
