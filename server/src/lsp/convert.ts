import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import {
  DiagnosticSeverity,
  DiagnosticTag,
  type Diagnostic,
  type DiagnosticRelatedInformation,
} from 'vscode-languageserver';
import { ruleDocUrl } from '../engine/rules';
import { unusedSuppressionRule } from '../engine/suppressions';
import type { Finding, Severity } from '../engine/types';

export function uriToPath(uri: string): string | undefined {
  if (!uri.startsWith('file:')) return undefined;
  try {
    return path.normalize(fileURLToPath(uri));
  } catch {
    return undefined;
  }
}

export function pathToUri(file: string): string {
  return pathToFileURL(file).href;
}

const severities: Record<Severity, DiagnosticSeverity> = {
  error: DiagnosticSeverity.Error,
  warning: DiagnosticSeverity.Warning,
  info: DiagnosticSeverity.Information,
  hint: DiagnosticSeverity.Hint,
};

/**
 * A stable key of a finding within one version of a file. It rides in `Diagnostic.data`, so a
 * code action request finds the finding (and its fixes) of the exact diagnostic the user chose.
 */
export function findingKey(f: Finding): string {
  const r = f.range;
  return `${f.rule}@${r.start.line}:${r.start.character}-${r.end.line}:${r.end.character}:${f.message}`;
}

export interface DiagnosticData {
  key: string;
}

export function toDiagnostic(f: Finding, uriOf: (file: string) => string): Diagnostic {
  const related: DiagnosticRelatedInformation[] = f.related.map((r) => ({
    location: { uri: uriOf(r.file), range: r.range },
    message: r.message,
  }));
  const d: Diagnostic = {
    range: f.range,
    severity: severities[f.severity],
    source: 'sendcheck',
    code: f.rule,
    codeDescription: { href: ruleDocUrl(f.rule) },
    message: f.message,
    data: { key: findingKey(f) } satisfies DiagnosticData,
  };
  if (related.length) d.relatedInformation = related;
  // Editors fade an unused suppression comment, as they fade unused code.
  if (f.rule === unusedSuppressionRule.id) d.tags = [DiagnosticTag.Unnecessary];
  return d;
}
