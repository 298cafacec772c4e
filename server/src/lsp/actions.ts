import { CodeActionKind, type CodeAction, type Diagnostic, type TextDocumentEdit, type TextEdit, type WorkspaceEdit } from 'vscode-languageserver';
import { applyPreferredFixes } from '../check';
import { suppressionComment, unusedSuppressionRule } from '../engine/suppressions';
import { lineStarts, positionAt, splitLines } from '../engine/text';
import type { Finding, Fix, Language, SourceHost } from '../engine/types';
import { findingKey, type DiagnosticData } from './convert';

export const fixAllKind = `${CodeActionKind.SourceFixAll}.sendcheck`;

export interface ActionContext {
  file: string;
  uri: string;
  /** The document version the findings belong to; edits are pinned to it. */
  version: number;
  text: string;
  language: Language;
  findings: readonly Finding[];
  host: SourceHost;
  uriOf(file: string): string;
  /** Version of another open document, or null when it is only on disk. */
  versionOf(file: string): number | null;
  documentChanges: boolean;
}

function wantsKind(only: readonly string[] | undefined, kind: string): boolean {
  return !only || only.some((o) => kind === o || kind.startsWith(`${o}.`));
}

function workspaceEdit(ctx: ActionContext, edits: { file: string; range: TextEdit['range']; newText: string }[]): WorkspaceEdit {
  const byFile = new Map<string, TextEdit[]>();
  for (const e of edits) {
    const list = byFile.get(e.file) ?? [];
    list.push({ range: e.range, newText: e.newText });
    byFile.set(e.file, list);
  }
  if (ctx.documentChanges) {
    const documentChanges: TextDocumentEdit[] = [...byFile].map(([file, list]) => ({
      textDocument: { uri: ctx.uriOf(file), version: file === ctx.file ? ctx.version : ctx.versionOf(file) },
      edits: list,
    }));
    return { documentChanges };
  }
  return { changes: Object.fromEntries([...byFile].map(([file, list]) => [ctx.uriOf(file), list])) };
}

function findingFor(diagnostic: Diagnostic, byKey: Map<string, Finding>, findings: readonly Finding[]): Finding | undefined {
  const key = (diagnostic.data as DiagnosticData | undefined)?.key;
  if (key) return byKey.get(key);
  // Clients that drop `data` still send code and range back.
  return findings.find(
    (f) =>
      f.rule === diagnostic.code &&
      f.range.start.line === diagnostic.range.start.line &&
      f.range.start.character === diagnostic.range.start.character &&
      f.range.end.line === diagnostic.range.end.line &&
      f.range.end.character === diagnostic.range.end.character,
  );
}

/**
 * Quick fixes for the sendcheck diagnostics in `diagnostics` (each engine fix, then "Ignore
 * this line"), and the file-wide fix-all source action when `only` asks for it.
 */
export function codeActions(ctx: ActionContext, diagnostics: readonly Diagnostic[], only?: readonly string[]): CodeAction[] {
  const actions: CodeAction[] = [];
  const byKey = new Map(ctx.findings.map((f) => [findingKey(f), f]));
  const lines = splitLines(ctx.text);
  if (wantsKind(only, CodeActionKind.QuickFix)) {
    const ignored = new Set<string>();
    for (const d of diagnostics) {
      if (d.source !== 'sendcheck') continue;
      const finding = findingFor(d, byKey, ctx.findings);
      if (!finding) continue;
      for (const fix of finding.fixes) actions.push(fixAction(ctx, fix, d));
      // A comment about comments: silencing it with another comment would be absurd.
      if (finding.rule === unusedSuppressionRule.id) continue;
      const line = finding.range.start.line;
      const ignoreKey = `${line}:${finding.rule}`;
      if (ignored.has(ignoreKey)) continue;
      ignored.add(ignoreKey);
      actions.push({
        title: `Ignore ${finding.rule} on this line`,
        kind: CodeActionKind.QuickFix,
        diagnostics: [d],
        edit: workspaceEdit(ctx, [
          { file: ctx.file, range: { start: { line, character: 0 }, end: { line, character: 0 } }, newText: suppressionComment(ctx.language, finding.rule, lines[line] ?? '') },
        ]),
      });
    }
  }
  if (only && wantsKind(only, fixAllKind)) {
    const fixAll = fixAllAction(ctx);
    if (fixAll) actions.push(fixAll);
  }
  return actions;
}

function fixAction(ctx: ActionContext, fix: Fix, diagnostic: Diagnostic): CodeAction {
  const action: CodeAction = {
    title: fix.title,
    kind: CodeActionKind.QuickFix,
    diagnostics: [diagnostic],
    edit: workspaceEdit(ctx, fix.edits),
  };
  // Only fixes the engine vouches for may be applied without a look (Ctrl+. Enter, auto-fix).
  if (fix.preferred) action.isPreferred = true;
  return action;
}

/** One edit replacing the document with the result of every preferred fix that applies cleanly. */
export function fixAllAction(ctx: ActionContext): CodeAction | undefined {
  const host: SourceHost = {
    readFile: (f) => (f === ctx.file ? ctx.text : ctx.host.readFile(f)),
    fileExists: (f) => f === ctx.file || ctx.host.fileExists(f),
    version: (f) => (f === ctx.file ? `v${ctx.version}` : ctx.host.version(f)),
  };
  const ownFixes = ctx.findings.map((f) => ({ ...f, fixes: f.fixes.filter((x) => x.edits.every((e) => e.file === ctx.file)) }));
  const fixed = applyPreferredFixes(ownFixes, host).get(ctx.file);
  if (fixed === undefined) return undefined;
  const end = positionAt(lineStarts(ctx.text), ctx.text.length);
  return {
    title: 'Fix all sendcheck problems in file',
    kind: fixAllKind,
    edit: workspaceEdit(ctx, [{ file: ctx.file, range: { start: { line: 0, character: 0 }, end }, newText: fixed }]),
  };
}
