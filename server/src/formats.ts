import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { fingerprint } from './engine/baseline';
import { cellLabel, sourceLinesInFile } from './engine/notebook';
import { ruleDocUrl } from './engine/rules';
import type { Finding, RuleMeta, Severity } from './engine/types';

// Output formats of the CLI. Lines and columns are 1-based here, as compilers and SARIF print
// them; columns count UTF-16 code units like the editor does.

function rel(file: string, cwd: string): string {
  const r = path.relative(cwd, file);
  return r.startsWith('..') || path.isAbsolute(r) ? file : r.split(path.sep).join('/');
}

export interface TextSummary {
  /** Findings left out because the baseline records them. */
  known?: number;
  /** Findings --fix would fix, and how many more --unsafe-fixes would. */
  fixable?: { safe: number; unsafe: number };
}

/** `nb.ipynb:cell 3:` for a place in a notebook cell (as ruff prints it), else the file. */
function fileAndCell(file: string, cell: number | undefined, cwd: string): string {
  return cell === undefined ? rel(file, cwd) : `${rel(file, cwd)}:${cellLabel(cell)}`;
}

export function formatText(findings: readonly Finding[], cwd: string, summary: TextSummary = {}): string {
  const lines = findings.map(
    (f) => `${fileAndCell(f.file, f.cell, cwd)}:${f.range.start.line + 1}:${f.range.start.character + 1}  ${f.severity}  ${f.message}  ${f.rule}`,
  );
  const count = (s: string) => findings.filter((f) => f.severity === s).length;
  const errors = count('error');
  const warnings = count('warning');
  const other = findings.length - errors - warnings;
  if (findings.length > 0)
    lines.push('', `${findings.length} problem${findings.length === 1 ? '' : 's'} (${errors} error${errors === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'}${other ? `, ${other} hint${other === 1 ? '' : 's'}` : ''})`);
  const { safe = 0, unsafe = 0 } = summary.fixable ?? {};
  if (safe + unsafe > 0) lines.push(`${safe} fixable with --fix${unsafe ? ` (${unsafe} more with --unsafe-fixes)` : ''}`);
  if (summary.known) lines.push(`${summary.known} known problem${summary.known === 1 ? '' : 's'} in the baseline not shown`);
  return lines.join('\n') + (lines.length ? '\n' : '');
}

/** A file and a range, 1-based, as JSON reports them; in a notebook, the 1-based cell the lines count in. */
function place(file: string, r: Finding['range'], cwd: string, cell?: number) {
  return { file: rel(file, cwd), ...(cell === undefined ? {} : { cell: cell + 1 }), line: r.start.line + 1, column: r.start.character + 1, endLine: r.end.line + 1, endColumn: r.end.character + 1 };
}

export function toJson(findings: readonly Finding[], cwd: string) {
  return findings.map((f) => ({
    ...place(f.file, f.range, cwd, f.cell),
    rule: f.rule,
    severity: f.severity,
    message: f.message,
    path: f.path ?? null,
    related: f.related.map((r) => ({ file: rel(r.file, cwd), ...(r.cell === undefined ? {} : { cell: r.cell + 1 }), line: r.range.start.line + 1, column: r.range.start.character + 1, message: r.message })),
    fixes: f.fixes.map((x) => ({
      id: x.id,
      title: x.title,
      preferred: x.preferred,
      edits: x.edits.map((e) => ({ ...place(e.file, e.range, cwd, e.cell), newText: e.newText })),
    })),
  }));
}

export function formatJson(findings: readonly Finding[], cwd: string): string {
  return JSON.stringify(toJson(findings, cwd), null, 2) + '\n';
}

const sarifLevel = { error: 'error', warning: 'warning', info: 'note', hint: 'note' } as const;

/**
 * `linesOf` gives each file's lines for `partialFingerprints`: the baseline's fingerprint (rule,
 * access path, code; no line numbers) plus its occurrence in the file, so code scanning keeps
 * tracking a finding when lines above it move.
 */
export function toSarif(findings: readonly Finding[], rules: readonly RuleMeta[], cwd: string, version: string, linesOf?: (file: string) => readonly string[]) {
  const inFile = notebookPlacer(linesOf);
  const region = (r: Finding['range'], file: string, cell?: number) => {
    // In a notebook the region is the lines of the .ipynb file that hold the cell's source lines
    // (columns inside a JSON string are not the code's), and the cell is named beside it.
    if (cell !== undefined) {
      const lines = inFile(file, cell, r);
      if (lines) return { startLine: lines.start + 1, endLine: lines.end + 1 };
    }
    return { startLine: r.start.line + 1, startColumn: r.start.character + 1, endLine: r.end.line + 1, endColumn: r.end.character + 1 };
  };
  const cellOf = (cell: number | undefined, r: Finding['range']) =>
    cell === undefined
      ? {}
      : {
          logicalLocations: [{ name: cellLabel(cell), kind: 'notebookCell' }],
          properties: { cell: cell + 1, cellLine: r.start.line + 1, cellColumn: r.start.character + 1, cellEndLine: r.end.line + 1, cellEndColumn: r.end.character + 1 },
        };
  // Files under the working directory are written relative to %SRCROOT%, others as absolute URIs.
  const artifact = (file: string) => {
    const r = rel(file, cwd);
    return path.isAbsolute(r) ? { uri: pathToFileURL(r).href } : { uri: encodeURI(r), uriBaseId: '%SRCROOT%' };
  };
  const ruleIndex = new Map(rules.map((r, i) => [r.id, i]));
  const occurrences = new Map<string, number>();
  const partialFingerprints = (f: Finding) => {
    if (!linesOf) return {};
    const fp = fingerprint(f, linesOf(f.file));
    const key = `${f.file}\0${fp}`;
    const n = (occurrences.get(key) ?? 0) + 1;
    occurrences.set(key, n);
    return { partialFingerprints: { 'sendcheck/v1': `${fp}:${n}` } };
  };
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'sendcheck',
            version,
            informationUri: 'https://github.com/sendcheck/sendcheck',
            rules: rules.map((r) => ({
              id: r.id,
              shortDescription: { text: r.summary },
              helpUri: ruleDocUrl(r.id),
              defaultConfiguration: { level: sarifLevel[r.defaultSeverity] },
            })),
          },
        },
        originalUriBaseIds: { '%SRCROOT%': { uri: pathToFileURL(cwd + path.sep).href } },
        results: findings.map((f) => ({
          ruleId: f.rule,
          ...(ruleIndex.has(f.rule) ? { ruleIndex: ruleIndex.get(f.rule) } : {}),
          level: sarifLevel[f.severity],
          message: { text: f.cell === undefined ? f.message : `${cellLabel(f.cell)}, line ${f.range.start.line + 1}: ${f.message}` },
          locations: [{ physicalLocation: { artifactLocation: artifact(f.file), region: region(f.range, f.file, f.cell) }, ...cellOf(f.cell, f.range) }],
          ...partialFingerprints(f),
          ...(f.related.length
            ? {
                relatedLocations: f.related.map((r, id) => ({
                  id,
                  message: { text: r.message },
                  physicalLocation: { artifactLocation: artifact(r.file), region: region(r.range, r.file, r.cell) },
                  ...cellOf(r.cell, r.range),
                })),
              }
            : {}),
        })),
      },
    ],
  };
}

const githubCommand: Record<Severity, string> = { error: 'error', warning: 'warning', info: 'notice', hint: 'notice' };

/** The lines of a notebook file holding a range of one of its cells (see sourceLinesInFile). */
function notebookPlacer(linesOf: ((file: string) => readonly string[]) | undefined) {
  const maps = new Map<string, number[][]>();
  return (file: string, cell: number, r: Finding['range']): { start: number; end: number } | undefined => {
    if (!linesOf) return undefined;
    let map = maps.get(file);
    if (!map) maps.set(file, (map = sourceLinesInFile(linesOf(file).join('\n'))));
    const lines = map[cell];
    const start = lines?.[r.start.line];
    if (start === undefined) return undefined;
    return { start, end: lines[Math.min(r.end.line, lines.length - 1)] ?? start };
  };
}

/** GitHub Actions workflow commands: one annotation per finding, shown on the pull request's diff. */
export function formatGithub(findings: readonly Finding[], cwd: string, linesOf?: (file: string) => readonly string[]): string {
  const inFile = notebookPlacer(linesOf);
  // https://docs.github.com/actions/reference/workflow-commands-for-github-actions: data and properties are escaped differently.
  const data = (s: string) => s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
  const property = (s: string) => data(s).replace(/:/g, '%3A').replace(/,/g, '%2C');
  return findings
    .map((f) => {
      const r = f.range;
      const lines = f.cell === undefined ? undefined : inFile(f.file, f.cell, r);
      const props = [
        `file=${property(rel(f.file, cwd))}`,
        ...(lines
          ? [`line=${lines.start + 1}`, `endLine=${lines.end + 1}`]
          : [`line=${r.start.line + 1}`, `endLine=${r.end.line + 1}`, `col=${r.start.character + 1}`, `endColumn=${r.end.character + 1}`]),
        `title=${property(`sendcheck ${f.rule}${f.cell === undefined ? '' : ` (${cellLabel(f.cell)})`}`)}`,
      ];
      const where = f.cell === undefined ? '' : `${cellLabel(f.cell)}, line ${r.start.line + 1}: `;
      return `::${githubCommand[f.severity]} ${props.join(',')}::${data(where + f.message)}\n`;
    })
    .join('');
}

export interface RuleStatistics {
  rule: string;
  count: number;
  /** The most severe severity among the rule's findings. */
  severity: Severity;
  /** Findings with a fix `--fix` applies. */
  fixable: number;
}

const severityRank: Record<Severity, number> = { error: 0, warning: 1, info: 2, hint: 3 };

/** Findings counted per rule, most frequent first (then by rule id): which rules to look at first. */
export function statistics(findings: readonly Finding[]): RuleStatistics[] {
  const byRule = new Map<string, RuleStatistics>();
  for (const f of findings) {
    const s = byRule.get(f.rule) ?? { rule: f.rule, count: 0, severity: f.severity, fixable: 0 };
    s.count++;
    if (severityRank[f.severity] < severityRank[s.severity]) s.severity = f.severity;
    if (f.fixes.some((x) => x.preferred)) s.fixable++;
    byRule.set(f.rule, s);
  }
  return [...byRule.values()].sort((a, b) => b.count - a.count || (a.rule < b.rule ? -1 : a.rule > b.rule ? 1 : 0));
}

export function formatStatistics(stats: readonly RuleStatistics[]): string {
  const countWidth = Math.max(1, ...stats.map((s) => String(s.count).length));
  const ruleWidth = Math.max(0, ...stats.map((s) => s.rule.length));
  return stats
    .map((s) => `${String(s.count).padStart(countWidth)}  ${s.rule.padEnd(ruleWidth)}  ${s.severity.padEnd(7)}${s.fixable ? `  ${s.fixable} fixable` : ''}`.trimEnd() + '\n')
    .join('');
}
