import type * as Crypto from 'node:crypto';
import * as path from 'node:path';
import { parseNotebook } from './notebook';
import { splitLines } from './text';
import type { Finding } from './types';

// A baseline records the findings a project already has, so that switching sendcheck on reports
// only what is new. Entries are keyed by file, rule and a fingerprint of the finding's access path
// and code, never by line numbers: an edit above a known finding does not bring it back, while a
// change to the offending line itself (a different value sent) does. The CLI writes, applies and
// prunes baselines; the language server applies the one named in the settings.

export interface BaselineEntry {
  /** Relative to the baseline file's folder, with forward slashes. */
  file: string;
  rule: string;
  fingerprint: string;
  /** How many identical findings (same file, rule and fingerprint) are known. */
  count: number;
  /** For people reading the file; not matched. */
  message: string;
}

export interface Baseline {
  /** Absolute path of the baseline file. */
  file: string;
  entries: BaselineEntry[];
}

const formatVersion = 1;

/**
 * A finding's fingerprint: its rule, its access path and the code of the lines it spans with
 * whitespace collapsed. Stable across edits elsewhere in the file (and across reformatting
 * indentation), shared by baselines and SARIF `partialFingerprints`.
 */
// Loaded at the first fingerprint: node:crypto costs every run about 20 ms to load, and most runs
// fingerprint nothing (no baseline, no SARIF).
let crypto: typeof Crypto | undefined;

export function fingerprint(f: Finding, lines: readonly string[]): string {
  // In a notebook the range counts in a cell: its code is the cell's source, not the JSON's lines.
  if (f.cell !== undefined) lines = notebookCellLines(lines, f.cell);
  const code = lines
    .slice(f.range.start.line, f.range.end.line + 1)
    .join(' ')
    .replace(/\s+/g, ' ')
    .trim();
  return (crypto ??= require('node:crypto') as typeof Crypto).createHash('sha256').update(`${f.rule}\0${f.path ?? ''}\0${code}`).digest('hex').slice(0, 20);
}

const cellLinesCache = new WeakMap<readonly string[], Map<number, string[]>>();
function notebookCellLines(fileLines: readonly string[], cell: number): string[] {
  let cells = cellLinesCache.get(fileLines);
  if (!cells) cellLinesCache.set(fileLines, (cells = new Map()));
  let out = cells.get(cell);
  if (!out) {
    const nb = parseNotebook(fileLines.join('\n'));
    cells.set(cell, (out = 'problem' in nb ? [] : splitLines(nb.cells[cell]?.source ?? '')));
  }
  return out;
}

/** Reads each file's lines once, through `read` (the editor's text for open documents). */
export function lineReader(read: (file: string) => string | undefined): (file: string) => readonly string[] {
  const cache = new Map<string, string[]>();
  return (file) => {
    let lines = cache.get(file);
    if (!lines) cache.set(file, (lines = splitLines(read(file) ?? '')));
    return lines;
  };
}

const relTo = (dir: string, file: string) => path.relative(dir, file).split(path.sep).join('/');

function keyOf(file: string, rule: string, fp: string): string {
  return `${file}\0${rule}\0${fp}`;
}

/** The entries recording `findings`, relative to `baselineFile`'s folder, in a stable order. */
export function baselineEntries(findings: readonly Finding[], baselineFile: string, linesOf: (file: string) => readonly string[]): BaselineEntry[] {
  const dir = path.dirname(baselineFile);
  const byKey = new Map<string, BaselineEntry>();
  for (const f of findings) {
    const entry: BaselineEntry = { file: relTo(dir, f.file), rule: f.rule, fingerprint: fingerprint(f, linesOf(f.file)), count: 1, message: f.message };
    const key = keyOf(entry.file, entry.rule, entry.fingerprint);
    const known = byKey.get(key);
    if (known) known.count++;
    else byKey.set(key, entry);
  }
  return sortEntries([...byKey.values()]);
}

function sortEntries(entries: BaselineEntry[]): BaselineEntry[] {
  const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  return entries.sort((a, b) => cmp(a.file, b.file) || cmp(a.rule, b.rule) || cmp(a.fingerprint, b.fingerprint));
}

/** The text of a baseline file: one entry per line, so reviews and merges stay readable. */
export function serializeBaseline(entries: readonly BaselineEntry[]): string {
  const lines = sortEntries([...entries]).map((e) => `    ${JSON.stringify(e)}`);
  return `{\n  "version": ${formatVersion},\n  "findings": [\n${lines.join(',\n')}${lines.length ? '\n' : ''}  ]\n}\n`;
}

/** Parses a baseline file; a reason instead when it is not one sendcheck wrote. */
export function parseBaseline(file: string, text: string): Baseline | { problem: string } {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    return { problem: `cannot be parsed (${(e as Error).message})` };
  }
  const findings = (doc as { findings?: unknown })?.findings;
  if (!doc || typeof doc !== 'object' || (doc as { version?: unknown }).version !== formatVersion || !Array.isArray(findings))
    return { problem: `is not a sendcheck baseline (expected { "version": ${formatVersion}, "findings": [...] }; write one with --baseline-write)` };
  const entries: BaselineEntry[] = [];
  for (const [i, e] of findings.entries()) {
    const x = e as Partial<BaselineEntry> | null;
    if (!x || typeof x.file !== 'string' || typeof x.rule !== 'string' || typeof x.fingerprint !== 'string')
      return { problem: `findings[${i}] needs file, rule and fingerprint` };
    const count = Number.isInteger(x.count) && (x.count as number) > 0 ? (x.count as number) : 1;
    entries.push({ file: x.file, rule: x.rule, fingerprint: x.fingerprint, count, message: typeof x.message === 'string' ? x.message : '' });
  }
  return { file, entries };
}

export interface BaselineMatch {
  /** Findings the baseline does not know: the ones to report. */
  fresh: Finding[];
  /** Findings the baseline records. */
  known: Finding[];
  /** Entries (with the count left over) whose findings are gone from the files checked: removable. */
  fixed: BaselineEntry[];
}

/**
 * Splits findings into new and known. `checked` are the files whose findings are all in
 * `findings`: only their unmatched entries count as fixed (a run over part of a project must not
 * call the rest fixed).
 */
export function matchBaseline(
  findings: readonly Finding[],
  baseline: Baseline,
  linesOf: (file: string) => readonly string[],
  checked: ReadonlySet<string> = new Set(),
): BaselineMatch {
  const dir = path.dirname(baseline.file);
  const left = new Map<string, number>();
  for (const e of baseline.entries) left.set(keyOf(e.file, e.rule, e.fingerprint), (left.get(keyOf(e.file, e.rule, e.fingerprint)) ?? 0) + e.count);
  const fresh: Finding[] = [];
  const known: Finding[] = [];
  for (const f of findings) {
    const key = keyOf(relTo(dir, f.file), f.rule, fingerprint(f, linesOf(f.file)));
    const n = left.get(key) ?? 0;
    if (n > 0) {
      left.set(key, n - 1);
      known.push(f);
    } else fresh.push(f);
  }
  const fixed: BaselineEntry[] = [];
  for (const e of baseline.entries) {
    const key = keyOf(e.file, e.rule, e.fingerprint);
    const n = left.get(key) ?? 0;
    if (n <= 0 || !checked.has(path.resolve(dir, e.file))) continue;
    fixed.push({ ...e, count: Math.min(n, e.count) });
    left.set(key, n - Math.min(n, e.count));
  }
  return { fresh, known, fixed };
}

/** The baseline without `fixed` (counts lowered, emptied entries dropped). */
export function pruneBaseline(baseline: Baseline, fixed: readonly BaselineEntry[]): BaselineEntry[] {
  const drop = new Map<string, number>();
  for (const e of fixed) drop.set(keyOf(e.file, e.rule, e.fingerprint), (drop.get(keyOf(e.file, e.rule, e.fingerprint)) ?? 0) + e.count);
  const out: BaselineEntry[] = [];
  for (const e of baseline.entries) {
    const key = keyOf(e.file, e.rule, e.fingerprint);
    const d = Math.min(drop.get(key) ?? 0, e.count);
    drop.set(key, (drop.get(key) ?? 0) - d);
    if (e.count - d > 0) out.push({ ...e, count: e.count - d });
  }
  return out;
}

/**
 * Baselines read through a host and kept until their file changes (the language server asks for
 * one on every check). Reads go through the host, so a baseline outside the workspace reads as missing.
 */
export class BaselineStore {
  private cache = new Map<string, { version: string; result: Baseline | { problem: string } }>();

  constructor(private readonly host: () => { readFile(file: string): string | undefined; version(file: string): string }) {}

  load(file: string): Baseline | { problem: string } {
    const host = this.host();
    const version = host.version(file);
    const hit = this.cache.get(file);
    if (hit && hit.version === version) return hit.result;
    const text = host.readFile(file);
    const result = text === undefined ? { problem: 'cannot be read (missing, or outside the workspace)' } : parseBaseline(file, text);
    this.cache.set(file, { version, result });
    return result;
  }
}
