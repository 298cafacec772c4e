import type { CancellationToken } from 'vscode-languageserver';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { Finding } from '../engine/types';
import { isCheckable, isInside } from '../engine/files';
import { isNotebookFile } from '../engine/notebook';
import type { Configuration } from './configuration';
import { uriToPath } from './convert';
import { tick, type FileResult, type ServerState } from './state';

// Open documents: when each is checked (at once after a pause, debounced in a burst of edits),
// and which results are still current. Only the version still open is ever published.

export class DocumentChecks {
  private readonly debounceTimers = new Map<string, NodeJS.Timeout>();
  /** Checks of open documents started by a timer and not finished yet, per file. */
  private readonly checksRunning = new Map<string, number>();
  /** Files whose queued check waits for a pause in typing (reset by each edit), rather than running at once. */
  private readonly waitingForPause = new Set<string>();
  /** Each open document's `sendcheck.run` mode, learnt at its first check. */
  private readonly runMode = new Map<string, 'onType' | 'onSave'>();
  private readonly checkMs = new Map<string, number>();
  /** Findings computed for code actions while `run` is `onSave`, not shown. */
  private readonly unpublished = new Map<string, FileResult>();

  constructor(
    private readonly state: ServerState,
    private readonly configuration: Configuration,
  ) {}

  /** Wires the document events: open and change schedule checks, close goes back to the disk's view. */
  listen(): void {
    const { state } = this;
    state.documents.onDidOpen((e) => {
      const file = uriToPath(e.document.uri);
      if (file) state.openUris.set(file, e.document.uri);
      if (file) state.host.setOverlay(file, e.document.getText(), e.document.version);
      // A pulling client asks for an open document itself; what was pushed for it while closed would show twice.
      if (file && !state.pushOpen && state.pushClosed && state.results.get(file)?.version === null)
        state.quiet(state.connection.sendDiagnostics({ uri: e.document.uri, diagnostics: [] }));
      // Checked at once, before the workspace scan starts: the file the user looks at comes first.
      this.schedule(e.document, true);
    });
    state.documents.onDidChangeContent((e) => {
      const file = uriToPath(e.document.uri);
      if (!file) return;
      state.host.setOverlay(file, e.document.getText(), e.document.version);
      // `sendcheck.run: onSave`: typing checks nothing; the save will.
      if (this.runMode.get(file) === 'onSave') return;
      this.schedule(e.document, true);
    });
    state.documents.onDidSave((e) => {
      const file = uriToPath(e.document.uri);
      if (file && this.runMode.get(file) === 'onSave') this.schedule(e.document, true);
    });
    state.documents.onDidClose((e) => {
      const file = uriToPath(e.document.uri);
      if (!file) return;
      state.openUris.delete(file);
      this.cancel(file);
      this.runMode.delete(file);
      this.checkMs.delete(file);
      this.unpublished.delete(file);
      state.host.clearOverlay(file);
      // The result of this open must not answer for the next one: a client that counts versions
      // per open reopens at the same number, possibly before the disk's view below is stored.
      const last = state.results.get(file);
      if (last && last.version !== null) last.version = -1;
      // Back to what the disk says: a workspace file keeps its problems, any other file loses them.
      if (state.workspaceFiles.has(file)) {
        void this.configuration.configFor(file).then((settings) => {
          if (state.openDocument(file)) return;
          const findings = settings.config.enable && !settings.excluded ? state.runCheck([file], settings) : [];
          if (findings) state.store(file, null, findings.filter((f) => f.file === file));
        });
      } else {
        state.checker.forget([file]);
        state.drop(file);
      }
    });
  }

  /**
   * Checks an open document at its current version; returns undefined when a newer version
   * overtook it. With `publish: false` (code actions while `run` is `onSave`) the findings are
   * returned without being stored or shown: the squiggles wait for the save.
   */
  async check(doc: TextDocument, publish = true, token?: CancellationToken): Promise<FileResult | undefined> {
    const { state } = this;
    const file = uriToPath(doc.uri);
    // A notebook opened as text (its JSON) is not checked here: its findings belong to cells (notebooks.ts).
    if (!file || !isCheckable(file) || isNotebookFile(file)) return undefined;
    const version = doc.version;
    const stillCurrent = () => state.documents.get(doc.uri)?.version === version;
    await state.ready.catch(() => undefined);
    const settings = await this.configuration.configFor(file);
    this.runMode.set(file, settings.editor.run);
    if (!stillCurrent()) return undefined;
    const existing = state.results.get(file);
    if (existing && existing.version === version) return existing;
    const unpublished = this.unpublished.get(file);
    if (!publish && unpublished?.version === version) return unpublished;
    const openVersions = state.openVersions();
    const keep = (findings: Finding[]): FileResult => {
      // What the fixes' other files were when computed: a file to create must still be absent when applied.
      const absentFiles = new Set<string>();
      for (const f of findings) for (const fix of f.fixes) for (const e of fix.edits) if (e.file !== file && !absentFiles.has(e.file) && !state.host.fileExists(e.file)) absentFiles.add(e.file);
      if (publish) return Object.assign(state.store(file, version, findings), { openVersions, absentFiles });
      const result: FileResult = { uri: doc.uri, version, findings, diagnostics: [], resultId: '', openVersions, absentFiles };
      this.unpublished.set(file, result);
      return result;
    };
    if (!settings.config.enable || settings.excluded) return keep([]);
    const started = Date.now();
    // A newer version, a closed document or a cancelled request ends the check between files.
    const findings = state.runCheck([file], settings, () => !stillCurrent() || token?.isCancellationRequested === true);
    this.checkMs.set(file, Date.now() - started);
    // Never publish over a newer version: its own check is queued and will publish. A check cut
    // short by a cancelled request saw only part of the file: nothing of it is kept.
    if (!stillCurrent()) return undefined;
    if (token?.isCancellationRequested) {
      if (publish) this.schedule(doc);
      return undefined;
    }
    if (!findings) return existing?.version === version ? existing : undefined;
    const result = keep(findings.filter((f) => f.file === file));
    if (publish) state.sendStatus('idle');
    return result;
  }

  /** How long the last check of `file` took, if it was checked while open: what fix-all on save can expect. */
  lastCheckMs(file: string): number | undefined {
    return this.checkMs.get(file);
  }

  /** The `sendcheck.run` mode of the file's folder, once its settings are known. */
  runModeOf(file: string): 'onType' | 'onSave' | undefined {
    return this.runMode.get(file);
  }

  /**
   * An edit to a document with no check queued or running is checked at once (one event-loop
   * turn later, so changes that arrived together are checked together): the first keystroke after
   * a pause does not wait for a fixed delay. Edits that arrive while a check is running, or while
   * one waits for a pause, are a burst, coalesced into one check `debounceMs` after the last of
   * them; an edit while a check at once is queued rides along with it. Opening a document is
   * checked at once too; `atOnceIfIdle: false` callers always wait `debounceMs`. Whatever runs, only the
   * version still current is published (see check).
   */
  schedule(doc: TextDocument, atOnceIfIdle = false): void {
    const { state } = this;
    const file = uriToPath(doc.uri);
    if (!file) return;
    const queued = this.debounceTimers.has(file);
    // A check at once is already queued: it reads the document when it runs, this edit included.
    if (queued && !this.waitingForPause.has(file)) return;
    const atOnce = atOnceIfIdle && !queued && !this.checksRunning.get(file);
    clearTimeout(this.debounceTimers.get(file));
    if (atOnce) this.waitingForPause.delete(file);
    else this.waitingForPause.add(file);
    this.debounceTimers.set(
      file,
      setTimeout(
        () => {
          this.debounceTimers.delete(file);
          this.waitingForPause.delete(file);
          this.enqueue(doc.uri, file, atOnceIfIdle);
        },
        atOnce ? 0 : state.debounceMs,
      ),
    );
  }

  /** Documents whose check is due, edited ones first, then those re-checked because something else changed. */
  private readonly dueEdited = new Map<string, string>();
  private readonly dueOther = new Map<string, string>();
  private pumping = false;

  private enqueue(uri: string, file: string, edited: boolean): void {
    if (this.dueEdited.has(uri) || this.dueOther.has(uri)) {
      if (edited && this.dueOther.delete(uri)) this.dueEdited.set(uri, file);
      return;
    }
    (edited ? this.dueEdited : this.dueOther).set(uri, file);
    this.checksRunning.set(file, (this.checksRunning.get(file) ?? 0) + 1);
    if (!this.pumping) void this.pump();
  }

  /**
   * Runs the due checks one per turn of the event loop, giving way to requests: a settings
   * change or a file changed on disk re-checks every open document, and a request for one of
   * them must not wait behind all the others (checks are synchronous once they start).
   */
  private async pump(): Promise<void> {
    const { state } = this;
    this.pumping = true;
    try {
      for (;;) {
        await tick();
        for (let waited = 0; state.requests > 0 && waited < 2_000; waited += 5) await new Promise((r) => setTimeout(r, 5));
        const [uri, file] = this.dueEdited.entries().next().value ?? this.dueOther.entries().next().value ?? [];
        if (uri === undefined || file === undefined) return;
        this.dueEdited.delete(uri);
        this.dueOther.delete(uri);
        const doc = state.documents.get(uri);
        try {
          if (doc) await state.interactively(() => this.check(doc));
        } catch (e) {
          state.logError(`checking ${file} failed`, e);
        } finally {
          const n = (this.checksRunning.get(file) ?? 1) - 1;
          if (n > 0) this.checksRunning.set(file, n);
          else this.checksRunning.delete(file);
        }
      }
    } finally {
      this.pumping = false;
    }
  }

  /**
   * The findings of an open document at its current version, checking now if the debounced check
   * has not run yet. While `run` is `onSave` nothing is published by this (see check).
   */
  async currentResult(doc: TextDocument, token?: CancellationToken): Promise<FileResult | undefined> {
    const file = uriToPath(doc.uri);
    if (!file) return undefined;
    const r = this.state.results.get(file);
    if (r && r.version === doc.version) return r;
    if (this.runMode.get(file) === 'onSave') return this.check(doc, false, token);
    clearTimeout(this.debounceTimers.get(file));
    this.debounceTimers.delete(file);
    this.waitingForPause.delete(file);
    return this.check(doc, true, token);
  }

  /** The findings last published for an open document, whatever its version (what `onSave` shows until the next save). */
  lastResult(doc: TextDocument): FileResult | undefined {
    const file = uriToPath(doc.uri);
    return file ? this.state.results.get(file) : undefined;
  }

  /** Checks open documents again (settings or files they depend on changed), those under `dirs` only when given. */
  recheckAll(dirs?: readonly string[]): void {
    for (const doc of this.state.documents.all()) {
      const file = uriToPath(doc.uri);
      if (dirs && !(file && dirs.some((d) => isInside(file, d)))) continue;
      const r = file ? this.state.results.get(file) : undefined;
      if (r && r.version !== null) r.version = -1;
      this.schedule(doc);
    }
  }

  private cancel(file: string): void {
    // A queued check of a closed document finds no document and is skipped (pump).
    clearTimeout(this.debounceTimers.get(file));
    this.debounceTimers.delete(file);
    this.waitingForPause.delete(file);
  }

  dispose(): void {
    for (const t of this.debounceTimers.values()) clearTimeout(t);
  }
}
