import * as fs from 'node:fs';
import {
  CodeActionKind,
  NotebookCellKind,
  NotebookDocuments,
  TextDocuments,
  type CodeAction,
  type CodeActionParams,
  type Connection,
  type CreateFile,
  type Diagnostic,
  type NotebookDocument,
  type TextDocumentEdit,
  type TextEdit,
} from 'vscode-languageserver';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { notebookJson } from '../engine/notebook';
import { suppressionComment } from '../engine/suppressions';
import { splitLines } from '../engine/text';
import type { Finding, Fix } from '../engine/types';
import type { Configuration } from './configuration';
import { findingKey, pathToUri, toDiagnostic, uriToPath, type DiagnosticData } from './convert';
import type { ServerState } from './state';

// Notebooks over LSP 3.17 notebook document sync. The client sends a notebook's Python cells as
// cell documents; the server checks the notebook as one module (its cells in order, as the CLI
// reads an .ipynb), publishes each finding on its cell's URI, and answers code actions asked on a
// cell with edits to the cells (and a module created beside the notebook). The cell indices in
// findings count the cells the client syncs, which are the ones the selector names.

export const notebookSelector = [{ notebook: { notebookType: 'jupyter-notebook' }, cells: [{ language: 'python' }] }];

interface NotebookResult {
  /** Our own count of changes: cell edits do not always bump the notebook's version. */
  revision: number;
  findings: Finding[];
  /** Cell URIs and text versions the findings were computed for, by cell index. */
  cells: { uri: string; version: number }[];
  /** Files the fixes would create that did not exist at the check. */
  absent: Set<string>;
}

export class NotebookChecks {
  readonly notebooks = new NotebookDocuments(new TextDocuments(TextDocument));
  private readonly revisions = new Map<string, number>();
  private readonly results = new Map<string, NotebookResult>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  /** Cell URIs last published per notebook, to clear those that went away. */
  private readonly published = new Map<string, Set<string>>();

  constructor(
    private readonly state: ServerState,
    private readonly configuration: Configuration,
  ) {}

  listen(connection: Connection): void {
    this.notebooks.onDidOpen((nb) => this.changed(nb));
    this.notebooks.onDidChange((e) => this.changed(e.notebookDocument));
    this.notebooks.onDidClose((nb) => this.closed(nb));
    this.notebooks.listen(connection);
  }

  /** Whether a URI is a cell of an open notebook (code actions on it are ours). */
  owns(uri: string): boolean {
    return this.notebooks.findNotebookDocumentForCell(uri) !== undefined;
  }

  private fileOf(nb: NotebookDocument): string | undefined {
    return uriToPath(nb.uri);
  }

  /** The notebook as the engine reads it: the synced cells, in order, as an nbformat document. */
  private snapshot(nb: NotebookDocument) {
    const cells = nb.cells.map((c) => {
      const doc = this.notebooks.getCellTextDocument(c);
      return { uri: c.document, version: doc?.version ?? 0, kind: c.kind === NotebookCellKind.Code ? ('code' as const) : ('markdown' as const), source: doc?.getText() ?? '' };
    });
    return { cells, text: notebookJson(cells) };
  }

  private changed(nb: NotebookDocument): void {
    const file = this.fileOf(nb);
    if (!file) return;
    const revision = (this.revisions.get(nb.uri) ?? 0) + 1;
    this.revisions.set(nb.uri, revision);
    this.state.host.setOverlay(file, this.snapshot(nb).text, `nb${revision}`);
    clearTimeout(this.timers.get(nb.uri));
    this.timers.set(
      nb.uri,
      setTimeout(() => {
        this.timers.delete(nb.uri);
        void this.state.interactively(() => this.check(nb.uri)).catch((e) => this.state.logError(`checking ${file} failed`, e));
      }, this.state.debounceMs),
    );
  }

  private closed(nb: NotebookDocument): void {
    clearTimeout(this.timers.get(nb.uri));
    this.timers.delete(nb.uri);
    this.revisions.delete(nb.uri);
    this.results.delete(nb.uri);
    const file = this.fileOf(nb);
    if (file) {
      this.state.host.clearOverlay(file);
      this.state.checker.forget([file]);
    }
    for (const uri of this.published.get(nb.uri) ?? []) this.state.quiet(this.state.connection.sendDiagnostics({ uri, diagnostics: [] }));
    this.published.delete(nb.uri);
  }

  /** Checks the notebook at its current revision and publishes per cell; returns the result, or undefined if it changed meanwhile. */
  async check(nbUri: string): Promise<NotebookResult | undefined> {
    const { state } = this;
    const nb = this.notebooks.getNotebookDocument(nbUri);
    const file = nb && this.fileOf(nb);
    if (!nb || !file) return undefined;
    const revision = this.revisions.get(nbUri) ?? 0;
    const existing = this.results.get(nbUri);
    if (existing?.revision === revision) return existing;
    await state.ready.catch(() => undefined);
    const settings = await this.configuration.configFor(file);
    if (this.revisions.get(nbUri) !== revision) return undefined;
    const { cells } = this.snapshot(nb);
    const all = settings.config.enable && !settings.excluded ? (state.runCheck([file], settings, () => this.revisions.get(nbUri) !== revision) ?? []) : [];
    if (this.revisions.get(nbUri) !== revision) return undefined;
    const findings = all.filter((f) => f.file === file && f.cell !== undefined && cells[f.cell]);
    const absent = new Set<string>();
    for (const f of findings) for (const fix of f.fixes) for (const e of fix.edits) if (e.file !== file && !state.host.fileExists(e.file)) absent.add(e.file);
    const result: NotebookResult = { revision, findings, cells: cells.map((c) => ({ uri: c.uri, version: c.version })), absent };
    this.results.set(nbUri, result);
    this.publish(nbUri, file, result);
    return result;
  }

  private publish(nbUri: string, file: string, result: NotebookResult): void {
    const byCell = new Map<string, Diagnostic[]>(result.cells.map((c) => [c.uri, []]));
    for (const f of result.findings) {
      const d = toDiagnostic(f, this.state.uriOf);
      // Related places in this notebook point at their cells.
      d.relatedInformation = f.related.map((r) => ({
        location: { uri: r.file === file && r.cell !== undefined && result.cells[r.cell] ? result.cells[r.cell].uri : this.state.uriOf(r.file), range: r.range },
        message: r.message,
      }));
      if (!d.relatedInformation.length) delete d.relatedInformation;
      byCell.get(result.cells[f.cell!].uri)?.push(d);
    }
    const before = this.published.get(nbUri) ?? new Set();
    for (const uri of before) if (!byCell.has(uri)) this.state.quiet(this.state.connection.sendDiagnostics({ uri, diagnostics: [] }));
    for (const [uri, diagnostics] of byCell) this.state.quiet(this.state.connection.sendDiagnostics({ uri, diagnostics }));
    this.published.set(nbUri, new Set(byCell.keys()));
  }

  /** Quick fixes for the sendcheck diagnostics of a cell: each engine fix, then a suppression comment. */
  async codeActions(params: CodeActionParams): Promise<CodeAction[] | null> {
    const cellUri = params.textDocument.uri;
    const nb = this.notebooks.findNotebookDocumentForCell(cellUri);
    const file = nb && this.fileOf(nb);
    if (!nb || !file) return null;
    if (params.context.only && !params.context.only.some((k) => CodeActionKind.QuickFix.startsWith(k))) return [];
    clearTimeout(this.timers.get(nb.uri));
    this.timers.delete(nb.uri);
    const result = await this.check(nb.uri);
    if (!result) return null;
    const cellIndex = result.cells.findIndex((c) => c.uri === cellUri);
    const cellDoc = this.notebooks.cellTextDocuments.get(cellUri);
    if (cellIndex < 0 || !cellDoc || cellDoc.version !== result.cells[cellIndex].version) return null;
    const byKey = new Map(result.findings.filter((f) => f.cell === cellIndex).map((f) => [findingKey(f), f]));
    const actions: CodeAction[] = [];
    const lines = splitLines(cellDoc.getText());
    const ignored = new Set<string>();
    for (const d of params.context.diagnostics) {
      if (d.source !== 'sendcheck') continue;
      const key = (d.data as DiagnosticData | undefined)?.key;
      const finding = key ? byKey.get(key) : [...byKey.values()].find((f) => f.rule === d.code && f.range.start.line === d.range.start.line && f.range.start.character === d.range.start.character);
      if (!finding) continue;
      for (const fix of finding.fixes) {
        const edit = this.workspaceEdit(file, result, fix);
        if (edit) actions.push({ title: fix.title, kind: CodeActionKind.QuickFix, diagnostics: [d], edit, ...(fix.preferred ? { isPreferred: true } : {}) });
      }
      const line = finding.range.start.line;
      if (ignored.has(`${line}:${finding.rule}`)) continue;
      ignored.add(`${line}:${finding.rule}`);
      const title = `Ignore ${finding.rule} on this line`;
      const edit = this.workspaceEdit(file, result, {
        title,
        id: 'suppress',
        preferred: false,
        edits: [{ file, cell: cellIndex, range: { start: { line, character: 0 }, end: { line, character: 0 } }, newText: suppressionComment('python', finding.rule, lines[line] ?? '') }],
      });
      if (edit) actions.push({ title, kind: CodeActionKind.QuickFix, diagnostics: [d], edit });
    }
    return actions;
  }

  /**
   * A fix as versioned edits to the cells it touches, with any new file created first (never over
   * an existing one: `overwrite: false, ignoreIfExists: false`). Withheld when a cell moved on
   * since the check, when the fix edits another existing file, or when the client cannot create files.
   */
  private workspaceEdit(file: string, result: NotebookResult, fix: Fix): { documentChanges: (TextDocumentEdit | CreateFile)[] } | undefined {
    const { state } = this;
    if (!state.caps.documentChanges) return undefined;
    const cellEdits = new Map<number, TextEdit[]>();
    const created = new Map<string, TextEdit[]>();
    for (const e of fix.edits) {
      if (e.file === file && e.cell !== undefined) {
        cellEdits.set(e.cell, [...(cellEdits.get(e.cell) ?? []), { range: e.range, newText: e.newText }]);
        continue;
      }
      const atStart = e.range.start.line === 0 && e.range.start.character === 0 && e.range.end.line === 0 && e.range.end.character === 0;
      if (!atStart || !result.absent.has(e.file) || fs.existsSync(e.file) || !state.caps.createFiles || state.folderOf(e.file) === undefined) {
        state.log(`sendcheck: "${fix.title}" not offered: it would ${atStart ? `create ${e.file}, which exists or lies outside the workspace` : `edit ${e.file}`}`);
        return undefined;
      }
      created.set(e.file, [...(created.get(e.file) ?? []), { range: e.range, newText: e.newText }]);
    }
    const documentChanges: (TextDocumentEdit | CreateFile)[] = [];
    for (const [f, edits] of created) {
      documentChanges.push({ kind: 'create', uri: pathToUri(f), options: { overwrite: false, ignoreIfExists: false } });
      documentChanges.push({ textDocument: { uri: pathToUri(f), version: null }, edits });
    }
    for (const [cell, edits] of cellEdits) {
      const c = result.cells[cell];
      if (!c || this.notebooks.cellTextDocuments.get(c.uri)?.version !== c.version) return undefined;
      documentChanges.push({ textDocument: { uri: c.uri, version: c.version }, edits });
    }
    return { documentChanges };
  }

  /** Settings or files on disk changed: every open notebook is checked again. */
  recheckAll(): void {
    for (const uri of this.revisions.keys()) {
      const nb = this.notebooks.getNotebookDocument(uri);
      if (nb) this.changed(nb);
    }
  }

  dispose(): void {
    for (const t of this.timers.values()) clearTimeout(t);
  }
}
