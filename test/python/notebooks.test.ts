import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { before, test } from 'node:test';
import { createChecker } from '../../server/src/check';
import { resolveConfig } from '../../server/src/engine/config';
import { applyNotebookEdits, NotebookModule, parseNotebook, type ParsedNotebook } from '../../server/src/engine/notebook';
import type { Finding, Fix, SourceHost } from '../../server/src/engine/types';
import { assertFindingsMatch, parseExpectations } from '../harness/expectations';
import { assertSnapshot, fixDiff } from '../harness/snapshots';
import { type Oracle } from './fixture-files';
import { describeOutcome, hasPython, inParallel, makeSiteDir, python, runPython, type Outcome } from './python-runner';

// Jupyter notebooks: every `test/fixtures/ipynb/*.ipynb` is checked as the kernel runs it (its code
// cells in order, in one `__main__` with no file), and run that way by run_notebook.py under the
// start method the engine assumed. The header sits in the first code cell (`# oracle: ...`, as in
// the .py fixtures); each cell carries its own `# ^^^` expectations, so the cell a finding is
// placed in is asserted too. Modules beside the notebooks are what the notebooks import. The same
// fixtures also run in a real Jupyter kernel (Debian's ipykernel through nbclient), which must agree.

const fixtureDir = path.resolve(__dirname, '..', 'fixtures', 'ipynb');
const runner = path.join(__dirname, 'run_notebook.py');
const checker = createChecker();
const diskHost: SourceHost = {
  readFile: (f) => (fs.existsSync(f) ? fs.readFileSync(f, 'utf8') : undefined),
  fileExists: (f) => fs.existsSync(f),
  version: (f) => (fs.existsSync(f) ? `${fs.statSync(f).mtimeMs}:${fs.statSync(f).size}` : 'missing'),
};
const config = resolveConfig({}).config;

interface NotebookFixture {
  file: string;
  name: string;
  text: string;
  notebook: ParsedNotebook;
  oracle: Oracle;
  variants: { method: 'spawn' | 'fork' | 'forkserver'; oracle: Oracle }[];
  fixedPrints?: string;
}

function parseOracle(kind: string, rest: string): Oracle {
  return kind === 'fails' ? { kind: 'fails', text: rest.split(' || ')[0].trim(), alternatives: rest.split(' || ').map((t) => t.trim()) } : { kind: 'clean' };
}

function loadNotebooks(): NotebookFixture[] {
  return fs
    .readdirSync(fixtureDir)
    .filter((f) => f.endsWith('.ipynb'))
    .sort()
    .map((name) => {
      const file = path.join(fixtureDir, name);
      const text = fs.readFileSync(file, 'utf8');
      const notebook = parseNotebook(text);
      if ('problem' in notebook) throw new Error(`${name}: ${notebook.problem}`);
      const code = notebook.cells.filter((c) => c.kind === 'code').map((c) => c.source).join('\n');
      const o = /^# oracle: (fails|clean)\b ?(.*)$/m.exec(code);
      if (!o) throw new Error(`${name}: no "# oracle:" header`);
      const variants = [...code.matchAll(/^# oracle on (spawn|fork|forkserver): (fails|clean)\b ?(.*)$/gm)].map((v) => ({ method: v[1] as 'spawn' | 'fork' | 'forkserver', oracle: parseOracle(v[2], v[3]) }));
      return { file, name, text, notebook, oracle: parseOracle(o[1], o[2]), variants, fixedPrints: /^# fixed: (.+)$/m.exec(code)?.[1].trim() };
    });
}

const fixtures = loadNotebooks();
before(() => checker.init());

test('notebook fixtures: as many clean ones as failing ones', () => {
  const failing = fixtures.filter((f) => f.oracle.kind === 'fails').length;
  assert.ok(failing >= 3, `only ${failing} failing notebooks`);
  assert.ok(fixtures.length - failing >= failing);
});

for (const fx of fixtures) {
  test(`notebook fixture ${fx.name}: findings are its cells' expectations`, () => {
    const findings = checker.check([fx.file], diskHost, config).filter((f) => f.file === fx.file);
    for (const f of findings) assert.equal(typeof f.cell, 'number', `${f.rule} finding names no cell`);
    let expected = 0;
    for (const cell of fx.notebook.cells) {
      if (cell.kind !== 'code') continue;
      const expectations = parseExpectations(cell.source, 'python');
      expected += expectations.length;
      assertFindingsMatch(
        findings.filter((f) => f.cell === cell.index),
        expectations,
        cell.source,
        `${fx.name} cell ${cell.index + 1}`,
      );
    }
    if (fx.oracle.kind === 'fails') {
      assert.ok(expected > 0, 'oracle says it fails but no finding is expected');
      const quoted = fx.oracle.text;
      assert.ok(findings.some((f) => f.message.includes(quoted)), `no finding quotes the runtime error "${quoted}"`);
    } else assert.equal(expected, 0, 'oracle says clean but findings are expected');
  });
}

function verdict(oracle: Oracle, o: Outcome): string | undefined {
  const out = `${o.stdout}\n${o.stderr}`;
  if (oracle.kind === 'fails' && !oracle.alternatives.some((t) => out.includes(t))) return `expected the run to fail with "${oracle.alternatives.join('" or "')}"${describeOutcome(o)}`;
  if (oracle.kind === 'clean' && (o.timedOut || o.code !== 0 || !o.stdout.includes('ORACLE-OK') || /Traceback/.test(o.stderr))) return `expected a clean run printing ORACLE-OK${describeOutcome(o)}`;
  return undefined;
}

test('oracle: every notebook fixture behaves, run as a kernel runs it, as its expectations say', { skip: !hasPython && process.env.CI !== 'true' && `${python} not found` }, async () => {
  assert.ok(hasPython, `${python} not found`);
  const siteDir = makeSiteDir();
  const failures: string[] = [];
  // The engine assumes spawn for these (the default profile's strictest platform); forks are extra runs.
  const runs = fixtures.flatMap((fx) => [{ fx, method: 'spawn', oracle: fx.oracle }, ...fx.variants.map((v) => ({ fx, ...v }))]);
  await inParallel(runs, async ({ fx, method, oracle }) => {
    const o = await runPython(runner, method, siteDir, { args: [fx.file], timeoutMs: 60_000 });
    const problem = verdict(oracle, o);
    if (problem) failures.push(`${fx.name} (${method}): ${problem}`);
  });
  fs.rmSync(siteDir, { recursive: true, force: true });
  assert.deepEqual(failures, []);
});

// The same verdicts in a real kernel: Debian's ipykernel and nbclient (.ci/run installs them).
const kernelPython = process.env.SENDCHECK_PYTHON_LIBS ?? '/usr/bin/python3';
const hasKernel = spawnSync(kernelPython, ['-c', 'import ipykernel, nbclient'], { encoding: 'utf8', timeout: 60_000 }).status === 0;

test('kernel oracle: every notebook fixture behaves so in a real Jupyter kernel too', { skip: !hasKernel && process.env.CI !== 'true' && `${kernelPython} has no ipykernel/nbclient (apt-get install python3-ipykernel python3-nbclient)` }, async () => {
  assert.ok(hasKernel, `${kernelPython} has no ipykernel/nbclient (apt-get install python3-ipykernel python3-nbclient)`);
  const siteDir = makeSiteDir();
  const failures: string[] = [];
  await inParallel(fixtures, async (fx) => {
    const o = await runPython(path.join(__dirname, 'run_in_kernel.py'), 'spawn', siteDir, { python: kernelPython, args: [fx.file], timeoutMs: 180_000 });
    // A cell that raised is the kernel's failure, not an oracle's: judged by its printed output like the others.
    const problem = verdict(fx.oracle, fx.oracle.kind === 'fails' ? o : { ...o, stderr: o.stderr.replace(/^.*Debugging will proceed.*$/gm, '') });
    if (problem) failures.push(`${fx.name} (kernel, spawn): ${problem}`);
  });
  fs.rmSync(siteDir, { recursive: true, force: true });
  assert.deepEqual(failures, []);
});

/** A copy of the fixtures folder with one fix applied: the notebook's cells edited, new files created (never over an existing one). */
function applyFixInCopy(fx: NotebookFixture, fix: Fix): { dir: string; notebook: string; created: Map<string, string> } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sendcheck-nb-fixed-'));
  fs.cpSync(fixtureDir, dir, { recursive: true });
  const created = new Map<string, string>();
  const toNotebook = fix.edits.filter((e) => e.file === fx.file);
  const applied = applyNotebookEdits(fx.text, toNotebook);
  assert.equal(applied.skipped, 0, `${fx.name}: ${fix.title} has edits that do not apply`);
  fs.writeFileSync(path.join(dir, fx.name), applied.text);
  for (const e of fix.edits) {
    if (e.file === fx.file) continue;
    assert.ok(!fs.existsSync(e.file), `${fix.title} writes over ${e.file}`);
    assert.deepEqual(e.range, { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, 'a new file is written from its start');
    const target = path.join(dir, path.relative(fixtureDir, e.file));
    created.set(path.basename(e.file), (created.get(path.basename(e.file)) ?? '') + e.newText);
    fs.writeFileSync(target, created.get(path.basename(e.file))!, { flag: 'w' });
  }
  return { dir, notebook: path.join(dir, fx.name), created };
}

let fixCases: { fx: NotebookFixture; finding: Finding; fix: Fix }[] | undefined;
function casesOf() {
  if (!fixCases) {
    fixCases = [];
    for (const fx of fixtures) {
      if (fx.oracle.kind !== 'fails') continue;
      for (const finding of checker.check([fx.file], diskHost, config)) for (const fix of finding.fixes) fixCases.push({ fx, finding, fix });
    }
  }
  return fixCases;
}

test('notebook fixes: each failing notebook has one, and its diff is a reviewed snapshot', () => {
  const cases = casesOf();
  for (const fx of fixtures.filter((f) => f.oracle.kind === 'fails')) assert.ok(cases.some((c) => c.fx === fx && c.fix.id === 'move-to-module-file'), `${fx.name} has no move-to-module-file fix`);
  for (const c of cases) {
    const { dir, notebook, created } = applyFixInCopy(c.fx, c.fix);
    try {
      // The diff of the Python the kernel runs (cells in order) and the new module beside it.
      const before = new NotebookModule(c.fx.notebook).text;
      const parsed = parseNotebook(fs.readFileSync(notebook, 'utf8'));
      assert.ok(!('problem' in parsed), 'the fixed notebook is still a notebook');
      const after = new NotebookModule(parsed as ParsedNotebook).text;
      let text = fixDiff(c.fx.name, c.fix.title, before, after);
      for (const [name, body] of created) text += `\nnew file ${name}:\n${body}`;
      assertSnapshot(path.join(__dirname, 'notebook-snapshots', `${c.fx.name.replace(/\.ipynb$/, '')}.${c.fix.id}.diff`), text);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }
});

test('notebook fixes: after each fix the finding is gone and the notebook runs as meant', { skip: !hasPython && process.env.CI !== 'true' && `${python} not found` }, async () => {
  const siteDir = makeSiteDir();
  const failures: string[] = [];
  await inParallel(casesOf(), async (c) => {
    const { dir, notebook } = applyFixInCopy(c.fx, c.fix);
    try {
      const host: SourceHost = { ...diskHost, version: (f) => `fixed:${diskHost.version(f)}` };
      const left = checker.check([notebook], host, config).filter((f) => f.rule === c.finding.rule);
      checker.forget([notebook]);
      if (left.length) failures.push(`${c.fx.name} after "${c.fix.title}": still reported: ${left[0].message}`);
      const o = await runPython(runner, 'spawn', siteDir, { args: [notebook], timeoutMs: 60_000 });
      const texts = c.fx.oracle.kind === 'fails' ? c.fx.oracle.alternatives : [];
      if (o.timedOut || o.code !== 0 || /Traceback/.test(o.stderr) || texts.some((t) => `${o.stdout}${o.stderr}`.includes(t))) failures.push(`${c.fx.name} after "${c.fix.title}":${describeOutcome(o)}`);
      else if (c.fx.fixedPrints !== undefined && !o.stdout.includes(c.fx.fixedPrints)) failures.push(`${c.fx.name} after "${c.fix.title}": does not print "${c.fx.fixedPrints}"${describeOutcome(o)}`);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
  fs.rmSync(siteDir, { recursive: true, force: true });
  assert.deepEqual(failures, []);
});

const cli = path.join(__dirname, '..', '..', 'bin', 'sendcheck.js');
const run = (args: string[], cwd: string) => spawnSync(process.execPath, [cli, ...args], { cwd, encoding: 'utf8', timeout: 120_000 });

test('CLI: a notebook that is not valid JSON is skipped with one clear line, never a crash', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sendcheck-nb-broken-'));
  try {
    fs.writeFileSync(path.join(dir, 'broken.ipynb'), '{"cells": [ {"cell_type": "code", "source": ["import multi');
    fs.writeFileSync(path.join(dir, 'old.ipynb'), '{"worksheets": []}');
    fs.copyFileSync(path.join(fixtureDir, 'err_executor_cell_function.ipynb'), path.join(dir, 'good.ipynb'));
    const r = run(['.'], dir);
    assert.equal(r.status, 1, r.stderr);
    const lines = r.stderr.trim().split('\n');
    assert.equal(lines.length, 2, r.stderr);
    assert.match(lines[0], /^sendcheck: skipped .*broken\.ipynb: not a valid notebook: the JSON does not parse \(.+\)$/);
    assert.match(lines[1], /^sendcheck: skipped .*old\.ipynb: not a valid notebook: no "cells" list/);
    assert.match(r.stdout, /^good\.ipynb:cell 5:3:28 {2}error {2}.*py-notebook-definition$/m);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('CLI: text, json, sarif and github name the cell; sarif and github point at the notebook file lines', () => {
  const name = 'err_executor_cell_function.ipynb';
  const json = JSON.parse(run(['--format', 'json', name], fixtureDir).stdout);
  assert.equal(json.length, 1);
  assert.deepEqual([json[0].cell, json[0].line, json[0].column], [5, 3, 28]);
  assert.ok(json[0].fixes[0].edits.some((e: { cell?: number; file: string }) => e.cell === 3 && e.file === name));
  const sarif = JSON.parse(run(['--format', 'sarif', name], fixtureDir).stdout);
  const result = sarif.runs[0].results[0];
  const loc = result.locations[0];
  assert.equal(loc.logicalLocations[0].name, 'cell 5');
  assert.equal(loc.properties.cell, 5);
  assert.match(result.message.text, /^cell 5, line 3: /);
  // The region is the line of the .ipynb file that holds the cell's third source line.
  const fileLine = fs.readFileSync(path.join(fixtureDir, name), 'utf8').split('\n')[loc.physicalLocation.region.startLine - 1];
  assert.match(fileLine, /scores = list\(pool\.map\(score_row, rows\)\)/);
  const github = run(['--format', 'github', name], fixtureDir).stdout;
  assert.match(github, new RegExp(`^::error file=${name.replace('.', '\\.')},line=${loc.physicalLocation.region.startLine},endLine=\\d+,title=sendcheck py-notebook-definition \\(cell 5\\)::cell 5, line 3: `, 'm'));
});

test('CLI --fix on a notebook creates the module beside it (never over an existing file), and a second run is clean', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sendcheck-nb-fixall-'));
  try {
    fs.cpSync(fixtureDir, dir, { recursive: true });
    // A file already holds the first name the fix would use: the fix takes the next one.
    fs.writeFileSync(path.join(dir, 'err_process_cell_class_helpers.py'), 'MINE = 1\n');
    const first = run(['--fix', 'err_executor_cell_function.ipynb', 'err_process_cell_class.ipynb'], dir);
    assert.match(first.stderr, /sendcheck: fixed 4 files/, first.stderr);
    assert.equal(first.status, 0, first.stdout);
    assert.equal(fs.readFileSync(path.join(dir, 'err_process_cell_class_helpers.py'), 'utf8'), 'MINE = 1\n');
    assert.match(fs.readFileSync(path.join(dir, 'err_process_cell_class_helpers_2.py'), 'utf8'), /^class ReportJob:/);
    assert.match(fs.readFileSync(path.join(dir, 'err_executor_cell_function_helpers.py'), 'utf8'), /^import math\n\n\ndef weight\(row\):/);
    const nb = parseNotebook(fs.readFileSync(path.join(dir, 'err_process_cell_class.ipynb'), 'utf8')) as ParsedNotebook;
    assert.equal(nb.cells[2].source, 'from err_process_cell_class_helpers_2 import ReportJob\n');
    // Still the notebook it was: markdown and metadata untouched, nbformat's one-space indentation kept.
    assert.equal(nb.cells[1].kind, 'markdown');
    assert.match(fs.readFileSync(path.join(dir, 'err_process_cell_class.ipynb'), 'utf8'), /^\{\n "cells": \[\n {2}\{\n/);
    const second = run(['--fix', 'err_executor_cell_function.ipynb', 'err_process_cell_class.ipynb'], dir);
    assert.doesNotMatch(second.stderr, /fixed/);
    assert.equal(second.status, 0, second.stdout);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('magics, shell escapes and non-Python cell magics are not parse errors; positions stay in their cell', () => {
  const nb = parseNotebook(
    JSON.stringify({
      cells: [
        { cell_type: 'code', source: ['%%bash\n', 'echo hi > out.txt\n'] },
        { cell_type: 'markdown', source: ['# title'] },
        { cell_type: 'code', source: ['%time x = 1\n', 'files = !ls\n', 'for f in files:\n', '    !echo {f}\n', 'len?\n', 'y = 2'] },
      ],
    }),
  ) as ParsedNotebook;
  const m = new NotebookModule(nb);
  assert.equal(m.text, '\n\n\npass\npass\nfor f in files:\n    pass\npass\ny = 2\n');
  assert.deepEqual(m.rangeToCell({ start: { line: 8, character: 0 }, end: { line: 8, character: 1 } }), { cell: 2, range: { start: { line: 5, character: 0 }, end: { line: 5, character: 1 } } });
});
