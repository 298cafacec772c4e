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
import { createJsEngine } from '../../server/src/js';
import { createPythonEngine } from '../../server/src/python';
import { defaultCapabilities, inProcess } from '../lsp/harness';

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

// Property: code actions never lose an edit. A client types (inserting marker lines) while it
// asks for fix-all and quick fixes and applies the answers late, after more typing, as a busy
// editor does. Every edit the server returns for an open document carries the version it was
// computed for; the client applies it only at that version (as VS Code does) and otherwise
// drops it. At the end every marker typed is still there exactly once, and the answers that
// were dropped would have undone typing had they been applied regardless of version.
test('fix-all and quick fixes racing with typing never undo an edit', async () => {
  type Change = { textDocument: { uri: string; version: number | null }; edits: { range: Finding['range']; newText: string }[] } | { kind: string; uri: string };
  type Action = { title: string; edit?: { documentChanges?: Change[]; changes?: unknown } };

  const checker = createChecker();
  await checker.init();
  const dir = fs.realpathSync(fs.mkdtempSync(path.join(require('node:os').tmpdir(), 'sendcheck-race-')));
  fs.cpSync(fixtureRoot, dir, { recursive: true });
  // Fixtures whose findings have a preferred fix, so fix-all has something to do.
  const only = process.env.SENDCHECK_RACE_FILE;
  const candidates: string[] = [];
  for (const f of fixtures()) {
    if (candidates.length >= 8) break;
    if (only ? !f.endsWith(only) : rand() < 0.7) continue;
    if (checker.check([f], new DiskHost(), config).some((x) => x.fixes.some((fx) => fx.preferred))) candidates.push(path.join(dir, path.relative(fixtureRoot, f)));
  }
  assert.ok(candidates.length >= (only ? 1 : 4), `only ${candidates.length} fixtures with preferred fixes`);

  const client = inProcess([createJsEngine(), createPythonEngine()], { debounceMs: 20 });
  try {
    const caps = { ...defaultCapabilities, workspace: { ...defaultCapabilities.workspace, workspaceEdit: { documentChanges: true, resourceOperations: ['create' as const] } } };
    await client.initialize(dir, caps, { scanOnStart: false });
    let markers = 0;
    let applied = 0;
    let dropped = 0;
    let wouldLoseTyping = 0;
    const failures: string[] = [];
    for (const file of candidates) {
      const py = file.endsWith('.py');
      const doc = { uri: await client.open(file, fs.readFileSync(file, 'utf8'), 1), text: fs.readFileSync(file, 'utf8'), version: 1 };
      const typed: string[] = [];
      const send = (text: string) => {
        doc.text = text;
        doc.version++;
        void client.replace(doc.uri, text, doc.version);
      };
      const type = () => {
        const lines = doc.text.split('\n');
        const marker = `${py ? '#' : '//'} <typed-${markers++}>`;
        lines.splice(Math.floor(rand() * lines.length), 0, marker);
        typed.push(marker);
        send(lines.join('\n'));
      };
      /** Applies an answer as the editor would: only at the version it names. */
      const apply = (action: Action) => {
        const changes = action.edit?.documentChanges;
        if (!changes) {
          if (action.edit) failures.push(`${path.basename(file)}: "${action.title}" carries no versions`);
          return;
        }
        const mine = changes.filter((c): c is Extract<Change, { textDocument: unknown }> => 'textDocument' in c && c.textDocument.uri === doc.uri);
        if (mine.some((c) => typeof c.textDocument.version !== 'number')) failures.push(`${path.basename(file)}: "${action.title}" edits the open document without its version`);
        if (changes.some((c) => !('textDocument' in c) || (c.textDocument.uri !== doc.uri && c.textDocument.version !== null))) return; // other files: not this property
        const edits = mine.flatMap((c) => c.edits);
        if (mine.some((c) => c.textDocument.version !== doc.version)) {
          dropped++;
          const naive = applyEdits(doc.text, edits).text;
          if (typed.some((m) => !naive.includes(m))) wouldLoseTyping++;
          return;
        }
        const r = applyEdits(doc.text, edits);
        if (r.skipped) failures.push(`${path.basename(file)}: "${action.title}" has overlapping edits`);
        if (process.env.SENDCHECK_RACE_DEBUG) console.log(`v${doc.version} ${action.title} ${JSON.stringify(edits.map((e) => e.range))}\n--- before\n${doc.text}\n--- after\n${r.text}`);
        applied++;
        send(r.text);
      };
      for (let step = 0; step < 10; step++) {
        type();
        const lines = doc.text.split('\n').length;
        const fixAll = rand() < 0.6;
        const asked = client.connection.sendRequest('textDocument/codeAction', {
          textDocument: { uri: doc.uri },
          range: { start: { line: 0, character: 0 }, end: { line: fixAll ? 0 : lines, character: 0 } },
          context: fixAll ? { diagnostics: [], only: ['source.fixAll'], triggerKind: 1 } : { diagnostics: [] },
        }) as Promise<Action[] | null>;
        // The answer mostly lands after one or two more keystrokes (then it is stale), sometimes at once.
        const late = rand() < 0.2 ? 0 : 1 + Math.floor(rand() * 2);
        for (let k = 0; k < late; k++) type();
        for (const action of (await asked) ?? []) if (!action.title.startsWith('Ignore ')) apply(action);
        if (step === 9) {
          // At the end the editor is idle: the answer is fresh and applies.
          const fresh = (await client.connection.sendRequest('textDocument/codeAction', {
            textDocument: { uri: doc.uri },
            range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
            context: { diagnostics: [], only: ['source.fixAll'], triggerKind: 1 },
          })) as Action[] | null;
          for (const action of fresh ?? []) apply(action);
        }
      }
      for (const m of typed) if (doc.text.split(m).length !== 2) failures.push(`${path.basename(file)}: typed line "${m}" appears ${doc.text.split(m).length - 1} times`);
      await client.connection.sendNotification('textDocument/didClose', { textDocument: { uri: doc.uri } });
    }
    console.log(`fix race: ${markers} keystrokes, ${applied} answers applied, ${dropped} dropped as stale (${wouldLoseTyping} of them would have undone typing), ${failures.length} failures`);
    assert.deepEqual(failures, []);
    assert.ok(applied > 0, 'no fix was ever applied: the property proves nothing');
    assert.ok(wouldLoseTyping > 0, 'no stale answer would have undone typing: the race was not exercised');
  } finally {
    await client.dispose();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
