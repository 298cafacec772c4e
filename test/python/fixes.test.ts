import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { before, test } from 'node:test';
import { createChecker } from '../../server/src/check';
import { applyEdits } from '../../server/src/engine/text';
import type { Finding, Fix, SourceHost } from '../../server/src/engine/types';
import { assertSnapshot, fixDiff } from '../harness/snapshots';
import { fixtureDir, loadFixtures, selectedFixtures, type PyFixture } from './fixture-files';
import { describeOutcome, hasPython, inParallel, interpreterFor, makeSiteDir, python, runPython } from './python-runner';

// Every quick fix the Python rules offer on the fixtures: its before/after diff is a reviewed
// snapshot (test/python/snapshots/), and the program after the fix runs under CPython without
// the boundary error (or the silent loss) it had.

const checker = createChecker();
const diskHost: SourceHost = {
  readFile: (f) => (fs.existsSync(f) ? fs.readFileSync(f, 'utf8') : undefined),
  fileExists: (f) => fs.existsSync(f),
  version: (f) => (fs.existsSync(f) ? String(fs.statSync(f).mtimeMs) : 'missing'),
};
const snapshotDir = path.join(__dirname, 'snapshots');

interface FixCase {
  fx: PyFixture;
  finding: Finding;
  fix: Fix;
  after: string;
}

let cases: FixCase[] = [];
/** Fixes that also edit a helper module of the fixture (`_lib/...`): run with a fixed copy of it. */
const foreign: (FixCase & { others: Map<string, string> })[] = [];

before(async () => {
  await checker.init();
  for (const fx of loadFixtures()) {
    if (fx.oracle.kind !== 'fails' && fx.oracle.kind !== 'silent') continue;
    for (const finding of checker.check([fx.file], diskHost, fx.config)) {
      for (const fix of finding.fixes) {
        // Fixes that edit another module (a workspace import) are snapshotted but not run.
        const own = fix.edits.every((e) => e.file === fx.file);
        const applied = applyEdits(fx.text, fix.edits.filter((e) => e.file === fx.file));
        assert.equal(applied.skipped, 0, `${fx.name}: ${fix.title} has overlapping edits`);
        if (own) cases.push({ fx, finding, fix, after: applied.text });
        else if (fix.edits.every((e) => e.file === fx.file || e.file.startsWith(path.join(fixtureDir, '_lib') + path.sep))) {
          const others = new Map<string, string>();
          for (const file of new Set(fix.edits.map((e) => e.file).filter((f) => f !== fx.file))) others.set(file, applyEdits(fs.readFileSync(file, 'utf8'), fix.edits.filter((e) => e.file === file)).text);
          foreign.push({ fx, finding, fix, after: applied.text, others });
        }
      }
    }
  }
});

test('the Python rules offer fixes on the fixtures, preferred ones among them', () => {
  assert.ok(cases.length >= 15, `only ${cases.length} fixes`);
  assert.ok(cases.filter((c) => c.fix.preferred).length >= 10);
  const ids = new Set(cases.map((c) => c.fix.id));
  for (const id of ['move-to-module-scope', 'use-multiprocessing-queue', 'use-manager-proxy', 'add-rehydrate-hooks', 'use-multiprocessing-primitive', 'pass-path-not-handle', 'send-a-copy', 'send-thread-local-values', 'send-context-value', 'pass-module-name']) assert.ok(ids.has(id), `no ${id} fix`);
});

test('fix snapshots', () => {
  const seen = new Set<string>();
  for (const c of cases) {
    const name = `${c.fx.name.replace(/\.py$/, '')}.${c.fix.id}.diff`;
    assert.ok(!seen.has(name), `two ${c.fix.id} fixes in ${c.fx.name}`);
    seen.add(name);
    assertSnapshot(path.join(snapshotDir, name), fixDiff(c.fx.name, c.fix.title, c.fx.text, c.after));
  }
  const orphans = fs.readdirSync(snapshotDir).filter((f) => !seen.has(f));
  assert.deepEqual(orphans, [], 'snapshots of fixes no longer offered: delete them');
});

/** Why a failing fixture has no fix the test runs: its findings and their advice, or that it has none. */
function noFixReason(fx: PyFixture): string {
  const findings = checker.check([fx.file], diskHost, fx.config);
  if (findings.length === 0) return 'no finding';
  if (cases.some((c) => c.fx === fx) || foreign.some((c) => c.fx === fx)) return 'its fix was not run here (a module it needs is missing)';
  if (findings.some((f) => f.fixes.length > 0)) return 'its fixes edit a module outside the fixtures (not run)';
  // The advice follows the runtime's words: `... (TypeError: ...); <advice>`.
  const advice = (m: string) => {
    const at = /\(\w*(?:Error|Exception)\b.*?\); /.exec(m);
    return at ? m.slice(at.index + at[0].length) : m;
  };
  return [...new Set(findings.map((f) => `${f.rule}: ${advice(f.message)}`))].join(' | ');
}

test('after each fix the program runs without its boundary error', { skip: !hasPython && process.env.CI !== 'true' && `${python} not found` }, async (t) => {
  // Under CI=true a missing interpreter fails the run instead of skipping the runtime's verdict.
  assert.ok(hasPython, `${python} not found`);
  const siteDir = makeSiteDir();
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'sendcheck-fixed-'));
  fs.cpSync(path.join(fixtureDir, '_lib'), path.join(work, '_lib'), { recursive: true });
  const selected = new Set(selectedFixtures([...cases, ...foreign].map((c) => c.fx)));
  const runnable = [...cases, ...foreign].filter((c) => selected.has(c.fx) && (c.fx.oracle.kind === 'fails' || c.fx.oracle.kind === 'silent'));
  const failures: string[] = [];
  const missing = runnable.filter((c) => 'missing' in interpreterFor(c.fx.requires));
  for (const c of missing) {
    const i = interpreterFor(c.fx.requires);
    const why = `${c.fx.name} after "${c.fix.title}": not run, ${'missing' in i ? i.missing : ''}`;
    if (process.env.CI === 'true') failures.push(why);
    else t.diagnostic(`skipped ${why}`);
  }
  let i = 0;
  await inParallel(runnable.filter((c) => !missing.includes(c)), async (c) => {
    let file = path.join(work, `fixed_${i++}_${c.fx.name}`);
    // A fix that edits a helper module runs in a folder of its own, with that module fixed.
    if ('others' in c) {
      const dir = fs.mkdtempSync(path.join(work, 'case-'));
      fs.cpSync(path.join(fixtureDir, '_lib'), path.join(dir, '_lib'), { recursive: true });
      for (const [other, text] of (c as (typeof foreign)[number]).others) fs.writeFileSync(path.join(dir, path.relative(fixtureDir, other)), text);
      file = path.join(dir, c.fx.name);
    }
    fs.writeFileSync(file, c.after);
    const interpreter = interpreterFor(c.fx.requires);
    const o = await runPython(file, c.fx.startMethod, siteDir, { python: 'python' in interpreter ? interpreter.python : undefined, timeoutMs: c.fx.oracle.kind === 'fails' && c.fx.timeoutMs && c.fx.timeoutMs < 45_000 ? undefined : c.fx.timeoutMs });
    const texts = c.fx.oracle.kind === 'fails' ? c.fx.oracle.alternatives : c.fx.oracle.kind === 'silent' ? [c.fx.oracle.text] : [];
    if (o.timedOut || o.code !== 0 || /Traceback/.test(o.stderr) || texts.some((t) => `${o.stdout}${o.stderr}`.includes(t)))
      failures.push(`${c.fx.name} after "${c.fix.title}":${describeOutcome(o)}`);
    // Not merely no exception: the fixed program does what the original meant to.
    else if (c.fx.fixedPrints !== undefined && !o.stdout.includes(c.fx.fixedPrints))
      failures.push(`${c.fx.name} after "${c.fix.title}": does not print "${c.fx.fixedPrints}":${describeOutcome(o)}`);
  });
  fs.rmSync(work, { recursive: true, force: true });
  fs.rmSync(siteDir, { recursive: true, force: true });
  t.diagnostic(`fix oracle: ${runnable.length} fixed programs ran, ${failures.length} still failing`);
  // Every failing fixture counts, not only those with a fix: the ones left without one are listed
  // with the reason the engine gives (its message's advice, what to do by hand).
  const failing = selectedFixtures(loadFixtures()).filter((fx) => fx.oracle.kind === 'fails' || fx.oracle.kind === 'silent');
  const broken = new Set(failures.map((f) => f.slice(0, f.indexOf(' after '))));
  const repaired = new Set(runnable.map((c) => c.fx.name).filter((n) => !broken.has(n)));
  const noFix = failing.filter((fx) => !runnable.some((c) => c.fx.name === fx.name));
  const summary = `fixes: ${repaired.size} of ${failing.length} failing Python fixtures repaired, ${noFix.length} have no fix`;
  const reasons = noFix.map((fx) => `  no fix: ${fx.name}: ${noFixReason(fx)}`);
  for (const l of [summary, ...reasons]) t.diagnostic(l);
  console.log([summary, ...reasons].join('\n'));
  assert.deepEqual(failures, []);
});

test('after each fix the file parses, its finding is gone and no new one appears', async () => {
  const { Language, Parser } = await import('web-tree-sitter');
  await Parser.init();
  const parser = new Parser();
  parser.setLanguage(await Language.load(require.resolve('tree-sitter-python/tree-sitter-python.wasm')));
  const key = (f: Finding) => `${f.rule}: ${f.message}`;
  const failures: string[] = [];
  for (const c of cases) {
    const tree = parser.parse(c.after);
    if (!tree || tree.rootNode.hasError) failures.push(`${c.fx.name} after "${c.fix.title}": does not parse`);
    tree?.delete();
    const overlay: SourceHost = {
      readFile: (f) => (f === c.fx.file ? c.after : diskHost.readFile(f)),
      fileExists: (f) => f === c.fx.file || diskHost.fileExists(f),
      version: (f) => (f === c.fx.file ? `fixed:${c.fix.id}:${c.after.length}` : diskHost.version(f)),
    };
    const before = checker.check([c.fx.file], diskHost, c.fx.config);
    checker.forget([c.fx.file]);
    const after = checker.check([c.fx.file], overlay, c.fx.config);
    checker.forget([c.fx.file]);
    const beforeKeys = before.map(key);
    const countOf = (list: string[], k: string) => list.filter((x) => x === k).length;
    const afterKeys = after.map(key);
    if (countOf(afterKeys, key(c.finding)) >= countOf(beforeKeys, key(c.finding)))
      failures.push(`${c.fx.name} after "${c.fix.title}": the finding is still reported`);
    for (const k of new Set(afterKeys)) if (countOf(afterKeys, k) > countOf(beforeKeys, k)) failures.push(`${c.fx.name} after "${c.fix.title}": new finding ${k}`);
  }
  assert.deepEqual(failures, []);
});

test('sendcheck --fix on a copy of the failing fixtures: the fixed files parse, and a second run changes nothing', async () => {
  const { Language, Parser } = await import('web-tree-sitter');
  await Parser.init();
  const parser = new Parser();
  parser.setLanguage(await Language.load(require.resolve('tree-sitter-python/tree-sitter-python.wasm')));
  // The CLI runs with its default settings, so fixtures that set a start method are left out.
  const picked = [...new Set(cases.filter((c) => c.fix.preferred && !/^# config:/m.test(c.fx.text)).map((c) => c.fx))];
  assert.ok(picked.length >= 10, `only ${picked.length} fixtures have a preferred fix`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sendcheck-fixall-'));
  try {
    fs.cpSync(path.join(fixtureDir, '_lib'), path.join(dir, '_lib'), { recursive: true });
    for (const fx of picked) fs.copyFileSync(fx.file, path.join(dir, fx.name));
    const cli = path.join(__dirname, '..', '..', 'bin', 'sendcheck.js');
    const names = picked.map((fx) => fx.name);
    const first = spawnSync(process.execPath, [cli, '--fix', '--format', 'json', ...names], { cwd: dir, encoding: 'utf8', timeout: 120_000 });
    assert.match(first.stderr, /sendcheck: fixed \d+ files?/, first.stderr);
    const fixed = new Map(picked.map((fx) => [fx.name, fs.readFileSync(path.join(dir, fx.name), 'utf8')]));
    for (const fx of picked) {
      assert.notEqual(fixed.get(fx.name), fx.text, `${fx.name} was not changed by --fix`);
      const tree = parser.parse(fixed.get(fx.name)!);
      assert.ok(tree && !tree.rootNode.hasError, `${fx.name} does not parse after --fix`);
      tree?.delete();
    }
    const second = spawnSync(process.execPath, [cli, '--fix', '--format', 'json', ...names], { cwd: dir, encoding: 'utf8', timeout: 120_000 });
    assert.doesNotMatch(second.stderr, /fixed/, 'a second --fix changes nothing');
    for (const fx of picked) assert.equal(fs.readFileSync(path.join(dir, fx.name), 'utf8'), fixed.get(fx.name), `${fx.name} changed on the second --fix`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
