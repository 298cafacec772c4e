import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { ruleDocUrl } from './engine/rules';
import type { Finding, RuleMeta } from './engine/types';

// Output formats of the CLI. Lines and columns are 1-based here, as compilers and SARIF print
// them; columns count UTF-16 code units like the editor does.

function rel(file: string, cwd: string): string {
  const r = path.relative(cwd, file);
  return r.startsWith('..') || path.isAbsolute(r) ? file : r.split(path.sep).join('/');
}

export interface TextSummary {
  /** Findings left out because the baseline records them. */
  known?: number;
}

export function formatText(findings: readonly Finding[], cwd: string, summary: TextSummary = {}): string {
  const lines = findings.map(
    (f) => `${rel(f.file, cwd)}:${f.range.start.line + 1}:${f.range.start.character + 1}  ${f.severity}  ${f.message}  ${f.rule}`,
  );
  const count = (s: string) => findings.filter((f) => f.severity === s).length;
  const errors = count('error');
  const warnings = count('warning');
  const other = findings.length - errors - warnings;
  if (findings.length > 0)
    lines.push('', `${findings.length} problem${findings.length === 1 ? '' : 's'} (${errors} error${errors === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'}${other ? `, ${other} hint${other === 1 ? '' : 's'}` : ''})`);
  if (summary.known) lines.push(`${summary.known} known problem${summary.known === 1 ? '' : 's'} in the baseline not shown`);
  return lines.join('\n') + (lines.length ? '\n' : '');
}

export function toJson(findings: readonly Finding[], cwd: string) {
  return findings.map((f) => ({
    file: rel(f.file, cwd),
    line: f.range.start.line + 1,
    column: f.range.start.character + 1,
    endLine: f.range.end.line + 1,
    endColumn: f.range.end.character + 1,
    rule: f.rule,
    severity: f.severity,
    message: f.message,
    path: f.path ?? null,
    related: f.related.map((r) => ({ file: rel(r.file, cwd), line: r.range.start.line + 1, column: r.range.start.character + 1, message: r.message })),
    fixes: f.fixes.map((x) => ({ id: x.id, title: x.title, preferred: x.preferred })),
  }));
}

export function formatJson(findings: readonly Finding[], cwd: string): string {
  return JSON.stringify(toJson(findings, cwd), null, 2) + '\n';
}

const sarifLevel = { error: 'error', warning: 'warning', info: 'note', hint: 'note' } as const;

export function toSarif(findings: readonly Finding[], rules: readonly RuleMeta[], cwd: string, version: string) {
  const region = (r: Finding['range']) => ({
    startLine: r.start.line + 1,
    startColumn: r.start.character + 1,
    endLine: r.end.line + 1,
    endColumn: r.end.character + 1,
  });
  // Files under the working directory are written relative to %SRCROOT%, others as absolute URIs.
  const artifact = (file: string) => {
    const r = rel(file, cwd);
    return path.isAbsolute(r) ? { uri: pathToFileURL(r).href } : { uri: encodeURI(r), uriBaseId: '%SRCROOT%' };
  };
  const ruleIndex = new Map(rules.map((r, i) => [r.id, i]));
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
          message: { text: f.message },
          locations: [{ physicalLocation: { artifactLocation: artifact(f.file), region: region(f.range) } }],
          ...(f.related.length
            ? {
                relatedLocations: f.related.map((r, id) => ({
                  id,
                  message: { text: r.message },
                  physicalLocation: { artifactLocation: artifact(r.file), region: region(r.range) },
                })),
              }
            : {}),
        })),
      },
    ],
  };
}
