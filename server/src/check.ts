import * as fs from 'node:fs';
import * as path from 'node:path';
import type { SendcheckConfig } from './engine/config';
import { fixToApply } from './engine/fixes';
import { applySeverityOverrides } from './engine/rules';
import { FileSuppressions, parseSuppressions, unusedSuppressionRule } from './engine/suppressions';
import { applyEdits, splitLines } from './engine/text';
import { skipReason } from './engine/files';
import { applyNotebookEdits, isNotebookFile, NotebookModule, parseNotebook } from './engine/notebook';
import type { Finding, LanguageEngine, Range, RuleMeta, Severity, SourceHost } from './engine/types';
import { isCheckable, jsExtensions } from './engine/files';
import { requireCached } from './engine/load';
import { createPythonEngine } from './python';

// The one place that knows both engines: it routes files to the engine for their language,
// then applies what is common to all findings (settings, suppressions, ordering). The CLI and
// the language server both go through here.

export interface CheckOptions {
  isCancelled?: () => boolean;
  /** Receives one line per skipped file or per internal error, once per file and reason. */
  log?: (message: string) => void;
  /** Report suppression comments that silence nothing (`unused-suppression`) with this severity. */
  unusedSuppressions?: Severity;
}

export interface Checker {
  readonly engines: readonly LanguageEngine[];
  readonly rules: readonly RuleMeta[];
  /** Must be awaited once before the first `check`. */
  init(): Promise<void>;
  check(files: readonly string[], host: SourceHost, config: SendcheckConfig, options?: CheckOptions): Finding[];
  forget(files: readonly string[]): void;
}

function languageEnabled(file: string, config: SendcheckConfig): boolean {
  const ext = path.extname(file).toLowerCase();
  if (ext === '.py' || ext === '.pyw' || ext === '.ipynb') return config.languages.python;
  if (/^\.[mc]?tsx?$/.test(ext)) return config.languages.typescript;
  return config.languages.javascript;
}

/**
 * The host the engines read through: a notebook's text is its virtual Python module (its code
 * cells in order), so the engines never see JSON. One per underlying host, so the engines' caches
 * keyed by host survive from check to check.
 */
class NotebookHost implements SourceHost {
  private readonly modules = new Map<string, { version: string; module: NotebookModule | { problem: string } }>();

  constructor(readonly base: SourceHost) {
    if (base.directoryExists) this.directoryExists = (d) => base.directoryExists!(d);
    if (base.listDirectory) this.listDirectory = (d) => base.listDirectory!(d);
  }

  directoryExists?(dir: string): boolean;
  listDirectory?(dir: string): { files: string[]; directories: string[] };

  /** The notebook's virtual module, or why it cannot be read; undefined for a missing file. */
  notebook(file: string): NotebookModule | { problem: string } | undefined {
    const version = this.base.version(file);
    const hit = this.modules.get(file);
    if (hit && hit.version === version) return hit.module;
    const text = this.base.readFile(file);
    if (text === undefined) return undefined;
    const parsed = parseNotebook(text);
    const module = 'problem' in parsed ? parsed : new NotebookModule(parsed);
    this.modules.set(file, { version, module });
    return module;
  }

  readFile(file: string): string | undefined {
    if (!isNotebookFile(file)) return this.base.readFile(file);
    const nb = this.notebook(file);
    return nb && !('problem' in nb) ? nb.text : undefined;
  }

  fileExists(file: string): boolean {
    return this.base.fileExists(file);
  }

  version(file: string): string {
    return this.base.version(file);
  }
}

/**
 * Findings computed on notebooks' virtual modules, placed in their cells. A fix with an edit that
 * does not fall in one cell is dropped (it was computed for text that is not the notebook's);
 * related information that cannot be placed is left out.
 */
function toCells(findings: Finding[], host: NotebookHost): Finding[] {
  const place = (file: string, range: Range): { cell?: number; range: Range } | undefined => {
    if (!isNotebookFile(file)) return { range };
    const nb = host.notebook(file);
    return nb && !('problem' in nb) ? nb.rangeToCell(range) : undefined;
  };
  const out: Finding[] = [];
  for (const f of findings) {
    if (!isNotebookFile(f.file) && !f.related.some((r) => isNotebookFile(r.file)) && !f.fixes.some((x) => x.edits.some((e) => isNotebookFile(e.file)))) {
      out.push(f);
      continue;
    }
    const at = place(f.file, f.range);
    if (!at) continue;
    const related = f.related.flatMap((r) => {
      const p = place(r.file, r.range);
      return p ? [{ ...r, ...p }] : [];
    });
    const fixes = f.fixes.flatMap((fix) => {
      const edits = fix.edits.map((e) => {
        const p = place(e.file, e.range);
        return p ? { ...e, ...p } : undefined;
      });
      return edits.every((e) => e !== undefined) ? [{ ...fix, edits }] : [];
    });
    out.push({ ...f, ...at, related, fixes });
  }
  return out;
}

/**
 * The JS/TS engine, loaded when a JS or TS file is first checked: TypeScript is most of the
 * code sendcheck loads, and a session that checks only Python never needs it. In dist/ the
 * engine is a bundle of its own (js-engine.js, see esbuild.mjs), loaded through V8's code cache.
 */
export function lazyJsEngine(): LanguageEngine {
  let engine: LanguageEngine | undefined;
  const load = (): LanguageEngine => {
    if (!engine) {
      const bundled = path.join(__dirname, 'js-engine.js');
      const mod: typeof import('./js') = fs.existsSync(bundled) ? requireCached(bundled) : require('./js');
      engine = mod.createJsEngine();
    }
    return engine;
  };
  return {
    language: 'js',
    get rules() {
      return load().rules;
    },
    handles: (file) => isCheckable(file) && jsExtensions.includes(path.extname(file).toLowerCase()),
    check: (request) => load().check(request),
    // Nothing to forget before the engine has checked anything.
    forget: (files) => engine?.forget?.(files),
  };
}

export function createChecker(engines: LanguageEngine[] = [lazyJsEngine(), createPythonEngine()]): Checker {
  let allRules: RuleMeta[] | undefined;
  const ruleList = () => (allRules ??= [...engines.flatMap((e) => e.rules), unusedSuppressionRule]);
  const logged = new Set<string>();
  const notebookHosts = new WeakMap<SourceHost, NotebookHost>();
  const notebookHostFor = (host: SourceHost) => {
    let h = notebookHosts.get(host);
    if (!h) notebookHosts.set(host, (h = new NotebookHost(host)));
    return h;
  };
  return {
    engines,
    get rules() {
      return ruleList();
    },
    async init() {
      await Promise.all(engines.map((e) => e.init?.()));
    },
    check(files, diskHost, config, options = {}) {
      if (!config.enable) return [];
      const { isCancelled, log } = options;
      const host = notebookHostFor(diskHost);
      const wanted = files.filter((f) => {
        if (!languageEnabled(f, config)) return false;
        const nb = isNotebookFile(f) ? host.notebook(f) : undefined;
        const text = nb && 'problem' in nb ? undefined : host.readFile(f);
        const why = nb && 'problem' in nb ? nb.problem : text === undefined ? undefined : skipReason(text, config.maxFileSize);
        if (text === undefined && why === undefined) return false;
        const key = `${f}\0${why}`;
        if (why && !logged.has(key)) {
          logged.add(key);
          log?.(`sendcheck: skipped ${f}: ${why}`);
        }
        return why === undefined;
      });
      const findings: Finding[] = [];
      for (const engine of engines) {
        const mine = wanted.filter((f) => engine.handles(f));
        if (mine.length === 0) continue;
        try {
          findings.push(...engine.check({ files: mine, host, config, isCancelled, log }));
        } catch (e) {
          // Engines catch per file; this is the last guard so one engine's bug cannot take the other down.
          log?.(`sendcheck: ${engine.language} engine failed: ${(e as Error)?.stack ?? e}`);
        }
      }
      const suppressions = new Map<string, { lines: string[]; index: FileSuppressions }>();
      const suppressionsOf = (file: string) => {
        let s = suppressions.get(file);
        if (!s) {
          const text = host.readFile(file) ?? '';
          // Most files hold no suppression at all: not worth splitting into lines.
          const lines = text.includes('sendcheck') ? splitLines(text) : [];
          const language = engines.find((e) => e.handles(file))?.language ?? 'js';
          suppressions.set(file, (s = { lines, index: new FileSuppressions(parseSuppressions(lines, language)) }));
        }
        return s;
      };
      const kept = findings.filter((f) => !suppressionsOf(f.file).index.suppresses(f));
      // Only a check that ran to its end knows that a comment silenced nothing.
      if (options.unusedSuppressions && !isCancelled?.()) {
        // Rule ids are needed only for a file with a sendcheck comment (listing them loads every engine).
        let known: Set<string> | undefined;
        for (const file of wanted) {
          const { lines, index } = suppressionsOf(file);
          if (lines.length === 0) continue;
          known ??= new Set(ruleList().map((r) => r.id));
          for (const u of index.unused(file, known, lines)) kept.push({ ...u, severity: options.unusedSuppressions });
        }
      }
      return sortFindings(toCells(applySeverityOverrides(kept, config), host));
    },
    forget(files) {
      for (const e of engines) e.forget?.([...files]);
    },
  };
}

export function sortFindings(findings: Finding[]): Finding[] {
  return findings.sort(
    (a, b) =>
      (a.file < b.file ? -1 : a.file > b.file ? 1 : 0) ||
      (a.cell ?? 0) - (b.cell ?? 0) ||
      a.range.start.line - b.range.start.line ||
      a.range.start.character - b.range.start.character ||
      (a.rule < b.rule ? -1 : a.rule > b.rule ? 1 : 0),
  );
}

/** The text of each file after applying the safe fix of every finding in it (see applyFixes). */
export function applyPreferredFixes(findings: readonly Finding[], host: SourceHost): Map<string, string> {
  return applyFixes(findings, host, { unsafe: false });
}

/**
 * Computes the text of each file after applying the fix `--fix` applies to every finding in it
 * (engine/fixes.ts: the safe fix; with `unsafe`, else the preferred unsafe fix), edit for edit as
 * the lightbulb offers it. Fixes whose edits overlap an earlier fix's edits are left for the
 * next round, so the result is always a clean application of whole fixes.
 */
export function applyFixes(findings: readonly Finding[], host: SourceHost, options: { unsafe: boolean; created?: Set<string> }): Map<string, string> {
  type Edit = { cell?: number; range: Finding['range']; newText: string };
  const apply = (file: string, text: string, edits: Edit[]) => (isNotebookFile(file) ? applyNotebookEdits(text, edits) : applyEdits(text, edits));
  const fixes: Map<string, Edit[]>[] = [];
  const seen = new Set<string>();
  for (const f of findings) {
    const fix = fixToApply(f, options.unsafe);
    if (!fix) continue;
    const key = JSON.stringify(fix.edits);
    if (seen.has(key)) continue;
    seen.add(key);
    const byFile = new Map<string, Edit[]>();
    for (const e of fix.edits) byFile.set(e.file, [...(byFile.get(e.file) ?? []), e]);
    fixes.push(byFile);
  }
  // A file that does not exist is created by fixes whose edits to it all insert at its start,
  // when the caller can create files (`created` collects them).
  const base = new Map<string, string | undefined>();
  const creating = new Set<string>();
  const baseText = (file: string): string | undefined => {
    if (!base.has(file)) {
      const insertsOnly = fixes.every((fix) => (fix.get(file) ?? []).every((e) => isAtStart(e.range)));
      const create = options.created !== undefined && insertsOnly && !host.fileExists(file);
      if (create) creating.add(file);
      base.set(file, create ? '' : host.readFile(file));
    }
    return base.get(file);
  };
  // Whole fixes only: a fix with an edit in a file that cannot be read, or overlapping an
  // accepted fix's edit in any of its files, is left out in every file (a half-applied fix that
  // adds an import of a function it did not move breaks the program).
  const accepted = new Map<string, Edit[]>();
  for (const fix of fixes) {
    const ok = [...fix].every(([file, edits]) => {
      const text = baseText(file);
      return text !== undefined && apply(file, text, [...(accepted.get(file) ?? []), ...edits]).skipped === 0;
    });
    if (!ok) continue;
    for (const [file, edits] of fix) accepted.set(file, [...(accepted.get(file) ?? []), ...edits]);
  }
  const out = new Map<string, string>();
  for (const [file, edits] of accepted) {
    const text = base.get(file)!;
    const result = apply(file, text, edits).text;
    if (result === text) continue;
    out.set(file, result);
    if (creating.has(file)) options.created!.add(file);
  }
  return out;
}

function isAtStart(r: Finding['range']): boolean {
  return r.start.line === 0 && r.start.character === 0 && r.end.line === 0 && r.end.character === 0;
}
