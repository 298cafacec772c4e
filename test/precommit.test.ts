// The pre-commit hook: .pre-commit-hooks.yaml at the root declares it; the README's
// .pre-commit-config.yaml picks it by id; its entry is run the way pre-commit runs it, on a
// temporary git repository: with the staged files that match the hook's `files` pattern as
// arguments, from the repository's root.
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { example } from './harness/readme';

const root = path.resolve(__dirname, '..');
const manifest = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));

/** The hooks of .pre-commit-hooks.yaml: a list of flat mappings of scalars, the only YAML it uses. */
function hooks(text: string): Record<string, string>[] {
  const out: Record<string, string>[] = [];
  for (const line of text.split('\n')) {
    if (/^\s*(#|$)/.test(line)) continue;
    const m = /^(- |  )(\w+):\s*(.*)$/.exec(line);
    assert.ok(m, `unexpected line in .pre-commit-hooks.yaml: ${line}`);
    if (m[1] === '- ') out.push({});
    const raw = m[3].trim();
    out[out.length - 1][m[2]] = /^'.*'$/.test(raw) ? raw.slice(1, -1).replace(/''/g, "'") : /^".*"$/.test(raw) ? JSON.parse(raw) : raw;
  }
  return out;
}

const declared = hooks(fs.readFileSync(path.join(root, '.pre-commit-hooks.yaml'), 'utf8'));
// The hook the README's configuration asks for.
const readmeConfig = example('pre-commit');
const hook = declared.find((h) => h.id === /- id: (\S+)/.exec(readmeConfig)?.[1])!;

function git(args: string[], cwd: string): string {
  const r = spawnSync('git', args, { cwd, encoding: 'utf8', timeout: 30_000, env: { ...process.env, GIT_CONFIG_GLOBAL: '/dev/null', GIT_CONFIG_NOSYSTEM: '1' } });
  assert.equal(r.status, 0, `git ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

/** What pre-commit does for this hook at commit time: the staged files it matches, passed to the entry. */
function runHook(repo: string) {
  const staged = git(['diff', '--cached', '--name-only', '--diff-filter=ACMR', '-z'], repo).split('\0').filter(Boolean);
  const matched = staged.filter((f) => new RegExp(hook.files).test(f));
  // `entry` names the package's bin, as installed by pre-commit's node environment.
  const [command, ...args] = hook.entry.split(/\s+/);
  assert.equal(manifest.bin[command], 'bin/sendcheck.js', `the entry "${command}" is the package's bin`);
  if (matched.length === 0) return { code: 0, stdout: '', stderr: '', matched };
  const r = spawnSync(process.execPath, [path.join(root, manifest.bin[command]), ...args, ...matched], { cwd: repo, encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr, matched };
}

test('.pre-commit-hooks.yaml declares one node hook, id sendcheck, passing the staged files; the README picks it', () => {
  assert.equal(declared.length, 1);
  assert.ok(hook, "the README's .pre-commit-config.yaml names a declared hook");
  assert.equal(hook.id, 'sendcheck');
  assert.match(readmeConfig, new RegExp(`repo: ${manifest.repository.url.replace(/\.git$/, '').replace(/[.]/g, '\\.')}\\n`));
  assert.match(readmeConfig, new RegExp(`rev: v${manifest.version.replace(/[.]/g, '\\.')}\\n`));
  assert.equal(hook.language, 'node');
  assert.equal(hook.pass_filenames, undefined, 'filenames are passed (the default)');
  for (const f of ['a.py', 'b.pyw', 'c.js', 'd.mjs', 'e.cjs', 'f.ts', 'g.tsx', 'h.jsx', 'i.mts', 'j.ipynb']) assert.match(f, new RegExp(hook.files), f);
  for (const f of ['README.md', 'pyproject.toml', 'a.pyc', 'data.json']) assert.doesNotMatch(f, new RegExp(hook.files), f);
});

test('the hook entry on a temporary git repository checks the staged files only, with the project configuration', () => {
  const repo = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'sendcheck-precommit-')));
  git(['init', '-q'], repo);
  const write = (rel: string, text: string) => {
    fs.mkdirSync(path.dirname(path.join(repo, rel)), { recursive: true });
    fs.writeFileSync(path.join(repo, rel), text);
  };
  write('pyproject.toml', '[project]\nname = "jobs"\n\n[tool.sendcheck]\nexclude = ["legacy/**"]\n');
  write('jobs/score.py', 'from multiprocessing import Pool\n\nif __name__ == "__main__":\n    with Pool(2) as pool:\n        print(pool.map(lambda x: x * 2, range(4)))\n');
  write('legacy/old.py', 'import pickle\n\npickle.dumps(lambda: 1)\n');
  write('web/app.mjs', "import { Worker } from 'node:worker_threads';\nnew Worker('./w.mjs').postMessage({ id: 1 });\n");
  write('web/unstaged.mjs', "import { Worker } from 'node:worker_threads';\nnew Worker('./w.mjs').postMessage({ f() {} });\n");
  write('README.md', 'notes\n');
  git(['add', 'pyproject.toml', 'jobs/score.py', 'legacy/old.py', 'web/app.mjs', 'README.md'], repo);

  const failing = runHook(repo);
  assert.deepEqual(failing.matched, ['jobs/score.py', 'legacy/old.py', 'web/app.mjs']);
  assert.equal(failing.code, 1, 'a finding blocks the commit');
  assert.match(failing.stdout, /^jobs\/score\.py:5:\d+ +error +.*py-lambda$/m);
  assert.doesNotMatch(failing.stdout, /legacy|unstaged/, 'excluded and unstaged files are not reported');

  write('jobs/score.py', 'from multiprocessing import Pool\n\n\ndef double(x):\n    return x * 2\n\n\nif __name__ == "__main__":\n    with Pool(2) as pool:\n        print(pool.map(double, range(4)))\n');
  git(['add', 'jobs/score.py'], repo);
  const passing = runHook(repo);
  assert.equal(passing.code, 0, passing.stdout + passing.stderr);
  assert.equal(passing.stdout, '');
});

test("pre-commit's install: `npm pack` prints only the tarball's name, and the tarball holds a working sendcheck", () => {
  // pre-commit installs a node hook with `npm install`, `npm pack` (reading the tarball's name from
  // its stdout) and `npm install -g <tarball>`. Packed in a staging folder: prepare rebuilds dist/
  // there, never under the tests that are running.
  const stage = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'sendcheck-pack-')));
  for (const f of ['client', 'server', 'node_modules', 'esbuild.mjs', 'tsconfig.base.json']) fs.symlinkSync(path.join(root, f), path.join(stage, f));
  for (const f of ['package.json', '.npmrc', '.npmignore', 'README.md', 'CHANGELOG.md', 'LICENSE']) fs.copyFileSync(path.join(root, f), path.join(stage, f));
  for (const d of ['bin', 'docs']) fs.cpSync(path.join(root, d), path.join(stage, d), { recursive: true });
  const npmCli = path.join(path.dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'bin', 'npm-cli.js');
  const npm = fs.existsSync(npmCli) ? [process.execPath, npmCli] : ['npm'];
  const pack = spawnSync(npm[0], [...npm.slice(1), 'pack'], { cwd: stage, encoding: 'utf8', timeout: 180_000 });
  assert.equal(pack.status, 0, pack.stderr);
  assert.equal(pack.stdout, `sendcheck-${manifest.version}.tgz\n`);
  const unpacked = path.join(stage, 'unpacked');
  fs.mkdirSync(unpacked);
  const tar = spawnSync('tar', ['-xzf', path.join(stage, pack.stdout.trim()), '-C', unpacked], { encoding: 'utf8' });
  assert.equal(tar.status, 0, tar.stderr);
  const entries = fs.readdirSync(path.join(unpacked, 'package'), { recursive: true }).map(String);
  assert.ok(entries.includes('dist/cli.js') && entries.includes('bin/sendcheck.js') && entries.includes('dist/tree-sitter-python.wasm'));
  assert.ok(!entries.some((e) => e.startsWith('server') || e.endsWith('.map')), 'bundles only, no sources or source maps');
  // No node_modules beside it: the bundles must carry everything.
  fs.writeFileSync(path.join(stage, 'job.py'), 'import pickle\n\npickle.dumps(lambda: 1)\n');
  const check = spawnSync(process.execPath, [path.join(unpacked, 'package', 'bin', 'sendcheck.js'), 'job.py'], { cwd: stage, encoding: 'utf8', timeout: 60_000 });
  assert.equal(check.status, 1, check.stderr);
  assert.match(check.stdout, /job\.py:3:\d+ +error .*py-lambda/);
  fs.rmSync(stage, { recursive: true, force: true });
});
