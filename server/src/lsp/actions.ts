import { CodeActionKind, type CodeAction, type CreateFile, type Diagnostic, type TextDocumentEdit, type TextEdit, type WorkspaceEdit } from 'vscode-languageserver';
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
  /** Version of another open document now, or null when it is only on disk. */
  versionOf(file: string): number | null;
  /**
   * Version another document had when the findings were computed (null: it was read from disk).
   * A fix that edits a file whose version moved since was computed from text that is gone.
   */
  checkedVersionOf(file: string): number | null;
  /** Whether a file exists now, open or on disk: an edit to one that does not creates it. */
  exists(file: string): boolean;
  /** Whether a file did not exist when the findings were computed (their fixes create it). */
  wasAbsent(file: string): boolean;
  /** Whether a new file may be created: inside a workspace folder. */
  mayCreate(file: string): boolean;
  documentChanges: boolean;
  /** The client applies `CreateFile` operations (`workspace.workspaceEdit.resourceOperations`). */
  createFiles: boolean;
  /** Receives why an action was withheld. */
  log?(message: string): void;
}

function wantsKind(only: readonly string[] | undefined, kind: string): boolean {
  return !only || only.some((o) => kind === o || kind.startsWith(`${o}.`));
}

/**
 * The edits as a workspace edit pinned to the versions they were computed for, or undefined when
 * it cannot be applied safely. With `documentChanges` each file's edits carry its version
 * (`OptionalVersionedTextDocumentIdentifier`): the client refuses them once the user typed on, so
 * an edit computed for an old text is never applied to a newer one. A file that does not exist
 * is created first with `overwrite: false, ignoreIfExists: false`: should a file of that name
 * appear between the check and the click, the client refuses the whole edit instead of writing
 * into (or over) it. Clients that cannot carry versions or create files get no such edit.
 */
function workspaceEdit(ctx: ActionContext, edits: { file: string; range: TextEdit['range']; newText: string }[], title: string): WorkspaceEdit | undefined {
  const byFile = new Map<string, TextEdit[]>();
  for (const e of edits) {
    const list = byFile.get(e.file) ?? [];
    list.push({ range: e.range, newText: e.newText });
    byFile.set(e.file, list);
  }
  const creates: string[] = [];
  for (const [file, list] of byFile) {
    if (file === ctx.file) continue;
    if (!ctx.exists(file)) {
      // A new file: its text is the edits at its start; anything else was computed for a file that existed then.
      const fromStart = list.every((e) => e.range.start.line === 0 && e.range.start.character === 0 && e.range.end.line === 0 && e.range.end.character === 0);
      if (!fromStart || !ctx.mayCreate(file) || !ctx.documentChanges || !ctx.createFiles || ctx.checkedVersionOf(file) !== null) {
        ctx.log?.(`sendcheck: "${title}" not offered: it would create ${file}, which ${!fromStart || ctx.checkedVersionOf(file) !== null ? 'existed when it was computed' : !ctx.mayCreate(file) ? 'lies outside the workspace' : 'this client cannot create safely'}`);
        return undefined;
      }
      creates.push(file);
      continue;
    }
    if (ctx.wasAbsent(file)) {
      ctx.log?.(`sendcheck: "${title}" not offered: it would create ${file}, which exists now`);
      return undefined;
    }
    if (ctx.checkedVersionOf(file) !== ctx.versionOf(file)) {
      ctx.log?.(`sendcheck: "${title}" not offered: ${file} changed since the fix was computed`);
      return undefined;
    }
  }
  if (ctx.documentChanges) {
    const documentChanges: (TextDocumentEdit | CreateFile)[] = [];
    for (const file of creates) documentChanges.push({ kind: 'create', uri: ctx.uriOf(file), options: { overwrite: false, ignoreIfExists: false } });
    for (const [file, list] of byFile)
      documentChanges.push({
        textDocument: { uri: ctx.uriOf(file), version: file === ctx.file ? ctx.version : creates.includes(file) ? null : ctx.versionOf(file) },
        edits: list,
      });
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
      for (const fix of finding.fixes) {
        const action = fixAction(ctx, fix, d);
        if (action) actions.push(action);
      }
      // A comment about comments: silencing it with another comment would be absurd.
      if (finding.rule === unusedSuppressionRule.id) continue;
      const line = finding.range.start.line;
      const ignoreKey = `${line}:${finding.rule}`;
      if (ignored.has(ignoreKey)) continue;
      ignored.add(ignoreKey);
      const title = `Ignore ${finding.rule} on this line`;
      const edit = workspaceEdit(
        ctx,
        [{ file: ctx.file, range: { start: { line, character: 0 }, end: { line, character: 0 } }, newText: suppressionComment(ctx.language, finding.rule, lines[line] ?? '') }],
        title,
      );
      if (edit) actions.push({ title, kind: CodeActionKind.QuickFix, diagnostics: [d], edit });
    }
  }
  if (only && wantsKind(only, fixAllKind)) {
    const fixAll = fixAllAction(ctx);
    if (fixAll) actions.push(fixAll);
  }
  return actions;
}

function fixAction(ctx: ActionContext, fix: Fix, diagnostic: Diagnostic): CodeAction | undefined {
  const edit = workspaceEdit(ctx, fix.edits, fix.title);
  if (!edit) return undefined;
  const action: CodeAction = { title: fix.title, kind: CodeActionKind.QuickFix, diagnostics: [diagnostic], edit };
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
  const title = 'Fix all sendcheck problems in file';
  // One edit over the whole document: applied to any text but the one it was computed from, it
  // would undo what the user typed since. The version on it (see workspaceEdit) prevents that.
  const edit = workspaceEdit(ctx, [{ file: ctx.file, range: { start: { line: 0, character: 0 }, end }, newText: fixed }], title);
  return edit && { title, kind: fixAllKind, edit };
}
