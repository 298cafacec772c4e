import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { before, test } from 'node:test';
import * as ts from 'typescript';
import { Language, Parser } from 'web-tree-sitter';
import { createChecker } from '../../server/src/check';
import { resolveConfig } from '../../server/src/engine/config';
import { DiskHost } from '../../server/src/engine/files';
import { applyEdits } from '../../server/src/engine/text';
import type { Finding, Fix } from '../../server/src/engine/types';

// Property: for random fixtures and random applicable fixes (preferred or not), the result
// parses and a re-check shows no error that was not there before. Seeded, so a failure names
// a reproducible case; SENDCHECK_PROPERTY_SEED and SENDCHECK_PROPERTY_ROUNDS vary it.

const seed = Number(process.env.SENDCHECK_PROPERTY_SEED ?? 20261122);
const rounds = Number(process.env.SENDCHECK_PROPERTY_ROUNDS ?? 3);
const fixtureRoot = path.resolve(__dirname, '..', 'fixtures');
const { config } = resolveConfig({});

let state = seed >>> 0;
function rand(): number {
  state = (state + 0x6d2b79f5) >>> 0;
  let t = state;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)];

function fixtures(): string[] {
  const out: string[] = [];
  for (const lang of ['js', 'ts', 'py']) {
    const dir = path.join(fixtureRoot, lang);
    if (!fs.existsSync(dir)) continue;
    for (const f of fs.readdirSync(dir).sort()) if (/\.(m?[jt]sx?|py)$/.test(f)) out.push(path.join(dir, f));
  }
  return out;
}

let pyParser: Parser;
before(async () => {
  await Parser.init();
  pyParser = new Parser();
  pyParser.setLanguage(await Language.load(require.resolve('tree-sitter-python/tree-sitter-python.wasm')));
});

function syntaxError(file: string, text: string): string | undefined {
  if (file.endsWith('.py')) {
    const tree = pyParser.parse(text);
    try {
      return tree?.rootNode.hasError ? 'tree-sitter reports an ERROR or MISSING node' : undefined;
    } finally {
      tree?.delete();
    }
  }
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, false, /\.[mc]?tsx?$/.test(file) ? ts.ScriptKind.TS : ts.ScriptKind.JS);
  const diags = (sf as unknown as { parseDiagnostics: ts.Diagnostic[] }).parseDiagnostics;
  return diags.length ? ts.flattenDiagnosticMessageText(diags[0].messageText, ' ') : undefined;
}

const errorKey = (f: Finding) => `${path.basename(f.file)} ${f.rule}: ${f.message}`;

test('random fixes on random fixtures parse and add no new error', async () => {
  const checker = createChecker();
  await checker.init();
  let tried = 0;
  const failures: string[] = [];
  const files = fixtures();
  for (let round = 0; round < rounds; round++) {
    for (const file of files) {
      if (rand() < 0.5) continue;
      const host = new DiskHost();
      const before = checker.check([file], host, config);
      const withFixes = before.filter((f) => f.fixes.length > 0);
      if (withFixes.length === 0) continue;
      const finding = pick(withFixes);
      const fix: Fix = pick(finding.fixes);
      const edited = new Map<string, string>();
      for (const target of new Set(fix.edits.map((e) => e.file))) {
        const text = host.readFile(target);
        if (text === undefined) {
          failures.push(`${path.basename(file)}: "${fix.title}" edits ${target}, which cannot be read`);
          continue;
        }
        const r = applyEdits(text, fix.edits.filter((e) => e.file === target));
        if (r.skipped) failures.push(`${path.basename(file)}: "${fix.title}" has overlapping edits`);
        edited.set(target, r.text);
      }
      for (const [target, text] of edited) {
        const err = syntaxError(target, text);
        if (err) failures.push(`${path.basename(file)}: after "${fix.title}", ${path.basename(target)} does not parse: ${err}`);
        host.setOverlay(target, text, `fix${tried}`);
      }
      checker.forget([...edited.keys()]);
      const checked = [...new Set([file, ...edited.keys()])];
      const priorErrors = new Set(checker.check(checked, new DiskHost(), config).filter((f) => f.severity === 'error').map(errorKey));
      for (const f of before) if (f.severity === 'error') priorErrors.add(errorKey(f));
      const after = checker.check(checked, host, config);
      checker.forget([...edited.keys()]);
      const added = after.filter((f) => f.severity === 'error' && !priorErrors.has(errorKey(f)));
      if (added.length) failures.push(`${path.basename(file)}: after "${fix.title}" new error(s): ${added.map(errorKey).join('; ')}`);
      tried++;
    }
  }
  console.log(`fix property: ${tried} random fixes applied over ${rounds} rounds (seed ${seed}), ${failures.length} failures`);
  assert.ok(tried >= 40, `only ${tried} fixes tried`);
  assert.deepEqual(failures, []);
});
