import * as path from 'node:path';
import { MessageType, ShowMessageNotification, TextDocuments, type Connection, type Diagnostic } from 'vscode-languageserver';
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { Checker } from '../check';
import { BaselineStore, lineReader, matchBaseline } from '../engine/baseline';
import type { SendcheckConfig } from '../engine/config';
import { DiskHost, isInside } from '../engine/files';
import type { Finding } from '../engine/types';
import { pathToUri, toDiagnostic, uriToPath } from './convert';
import type { EditorSettings } from './settings';

// The server's shared state, in the manner of rust-analyzer's GlobalState: what the client told
// us (capabilities, folders, open documents), what we hold for it (results per file), and the
// small operations every part needs (publish, log, run the checker). The parts that decide *when*
// to check live beside it: documents.ts (open documents), scan.ts (the workspace), configuration.ts
// (settings); handlers.ts answers the protocol.

/** Custom notification for status displays: what the server is doing and how many findings it holds. */
export const statusNotification = 'sendcheck/status';

export interface StatusParams {
  state: 'starting' | 'checking' | 'idle';
  files: number;
  findings: number;
}

export interface SessionOptions {
  /** Delay between the last keystroke and the check. */
  debounceMs?: number;
  /** Files checked between two yields to the event loop during a workspace scan. */
  scanBatchSize?: number;
}

export interface InitOptions {
  /** Settings for clients without `workspace/configuration`, same shape as the `sendcheck` section. */
  settings?: unknown;
  /** `push` makes the server publish diagnostics even to clients able to pull them (the VS Code client, to avoid duplicates). */
  diagnosticMode?: 'push' | 'pull';
  /** Set by clients that register the check-workspace command themselves. */
  commandsHandledByClient?: boolean;
  /** Skip the workspace scan on start (scans still run on the command). */
  scanOnStart?: boolean;
  debounceMs?: number;
}

export interface ClientCaps {
  configuration: boolean;
  pull: boolean;
  workDoneProgress: boolean;
  watchRegistration: boolean;
  configRegistration: boolean;
  documentChanges: boolean;
  /** The client applies `CreateFile` in workspace edits. */
  createFiles: boolean;
  refresh: boolean;
  workspaceFolders: boolean;
}

export interface FileResult {
  uri: string;
  /** Document version the findings belong to, or null for the file on disk (-1: stale, check again). */
  version: number | null;
  findings: Finding[];
  diagnostics: Diagnostic[];
  resultId: string;
  /**
   * Versions of the open documents when the findings were computed (open documents only): a fix
   * that edits another file is valid only while that file is still at the version it was read at.
   */
  openVersions?: ReadonlyMap<string, number>;
  /** Files the fixes edit that did not exist when the findings were computed: those fixes create them. */
  absentFiles?: ReadonlySet<string>;
}

/** What a check needs to know: the engine's settings and how the editor shows the results. */
export interface CheckSettings {
  config: SendcheckConfig;
  editor: EditorSettings;
}

/** Synchronous work longer than this is logged on its own (it delays every message that arrives meanwhile). */
export const busyLogMs = 300;

/** Answers slower than this are logged with what ran meanwhile. */
export const slowAnswerMs = 1_000;

export const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

export class ServerState {
  readonly documents = new TextDocuments(TextDocument);
  host = new DiskHost();
  readonly results = new Map<string, FileResult>();
  folders: string[] = [];
  initOptions: InitOptions = {};
  debounceMs: number;
  caps: ClientCaps = {
    configuration: false,
    pull: false,
    workDoneProgress: false,
    watchRegistration: false,
    configRegistration: false,
    documentChanges: false,
    createFiles: false,
    refresh: false,
    workspaceFolders: false,
  };
  /** Whether diagnostics of closed files are pushed; a client that pulls workspace diagnostics turns this off. */
  pushClosed = true;
  pushOpen = true;
  /** The files the last complete workspace scan found; they keep their problems when closed. */
  workspaceFiles = new Set<string>();
  /** Resolved by waiters on `workspace/diagnostic` whenever a result changes. */
  readonly changeWaiters = new Set<() => void>();
  /** Path of each open document to the URI the client used for it. */
  readonly openUris = new Map<string, string>();
  /** Requests and checks for open documents in flight; the workspace scan waits for them. */
  interactive = 0;
  /** Requests from the client in flight (a subset of `interactive`): queued checks of open documents wait for them. */
  requests = 0;
  private resultCounter = 0;
  private readonly warned = new Set<string>();
  /** Baselines named in the settings, read through the host and kept until they change. */
  readonly baselines = new BaselineStore(() => this.host);
  /** Set by the handlers: asks the client to tell us when a baseline file changes. */
  watchBaseline?: (file: string) => void;

  constructor(
    readonly connection: Connection,
    readonly checker: Checker,
    readonly options: SessionOptions,
    /** Settles once the engines that load asynchronously (tree-sitter's wasm) are loaded. */
    readonly ready: Promise<void>,
  ) {
    this.debounceMs = options.debounceMs ?? 250;
  }

  /**
   * Log lines to a client that went away are dropped: sending on a disposed connection throws, and
   * a throw from a catch block (where errors are logged) would become an unhandled rejection.
   */
  log = (message: string): void => this.safely(() => this.connection.console.log(message));

  logError(what: string, e: unknown): void {
    this.safely(() => this.connection.console.error(`sendcheck: ${what}: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`));
  }

  private safely(send: () => void): void {
    try {
      send();
    } catch {
      // the connection is closed
    }
  }

  /** Messages to a client that went away are dropped, not turned into unhandled rejections. */
  quiet(sent: Promise<unknown>): void {
    void sent.catch(() => undefined);
  }

  /** Answers a request: it goes before the workspace scan and before queued checks of other documents. */
  async answering<T>(work: () => Promise<T>): Promise<T> {
    this.requests++;
    try {
      return await this.interactively(work);
    } finally {
      this.requests--;
    }
  }

  async interactively<T>(work: () => Promise<T>): Promise<T> {
    this.interactive++;
    try {
      return await work();
    } finally {
      this.interactive--;
    }
  }

  uriOf = (file: string): string => this.openUris.get(file) ?? pathToUri(file);

  /** The version of every open document, taken before a check reads them. */
  openVersions(): Map<string, number> {
    const out = new Map<string, number>();
    for (const [file, uri] of this.openUris) {
      const doc = this.documents.get(uri);
      if (doc) out.set(file, doc.version);
    }
    return out;
  }

  openDocument(file: string): TextDocument | undefined {
    const uri = this.openUris.get(file);
    return uri === undefined ? undefined : this.documents.get(uri);
  }

  /** Reads stay inside the workspace folders (open documents excepted: their text comes from the client). */
  confineHost(): void {
    this.host = new DiskHost(this.folders.length ? { roots: this.folders } : {});
    for (const doc of this.documents.all()) {
      const file = uriToPath(doc.uri);
      if (file) this.host.setOverlay(file, doc.getText(), doc.version);
    }
  }

  folderOf(file: string): string | undefined {
    let best: string | undefined;
    for (const f of this.folders) if (isInside(file, f) && (!best || f.length > best.length)) best = f;
    return best;
  }

  /**
   * Runs the engines, then sets the findings the baseline records apart (hints, or hidden). A
   * failure is logged and yields no findings, so other files keep being served.
   */
  runCheck(files: string[], settings: CheckSettings, isCancelled?: () => boolean, why = 'check'): Finding[] | undefined {
    let findings: Finding[];
    const started = Date.now();
    try {
      // Comments that suppress nothing are hints in the editor (the CLI reports them when asked).
      findings = this.checker.check(files, this.host, settings.config, { isCancelled, log: this.log, unusedSuppressions: 'hint' });
    } catch (e) {
      this.logError(`checking ${files.length === 1 ? files[0] : `${files.length} files`} failed`, e);
      return undefined;
    } finally {
      this.recordWork(`${why} of ${files.length === 1 ? path.basename(files[0]) : `${files.length} files (${path.basename(files[0])}, …)`}`, started);
    }
    return settings.config.baseline ? this.applyBaseline(findings, settings) : findings;
  }

  private applyBaseline(findings: Finding[], { config, editor }: CheckSettings): Finding[] {
    const baseline = this.baselines.load(config.baseline);
    if ('problem' in baseline) {
      this.warnOnce(`sendcheck: baseline ${config.baseline} ${baseline.problem}; showing every finding`);
      return findings;
    }
    this.watchBaseline?.(config.baseline);
    const { known } = matchBaseline(findings, baseline, lineReader((f) => this.host.readFile(f)));
    if (known.length === 0) return findings;
    const isKnown = new Set(known);
    if (editor.baselineFindings === 'hide') return findings.filter((f) => !isKnown.has(f));
    return findings.map((f) => (isKnown.has(f) ? { ...f, severity: 'hint', message: `${f.message} (in the baseline)` } : f));
  }

  /** Synchronous work that took a while (checks, scan slices): what an answer was queued behind. */
  private readonly recentWork: { what: string; start: number; end: number }[] = [];

  recordWork(what: string, start: number, end = Date.now()): void {
    if (end - start < 20) return;
    // Long enough to hold up requests that arrive meanwhile, before their handler even runs: said
    // with the wall-clock start, so a client (the fuzz harness) can match it to its slow answers.
    if (end - start >= busyLogMs) this.log(`sendcheck: busy ${end - start} ms from ${start}: ${what}`);
    this.recentWork.push({ what, start, end });
    if (this.recentWork.length > 64) this.recentWork.shift();
  }

  /**
   * Logs an answer that took longer than `slowAnswerMs`, with the work that ran meanwhile (the
   * fuzz harness lists these as the causes of its slowest answers).
   */
  reportIfSlow(what: string, started: number): void {
    const end = Date.now();
    const took = end - started;
    if (took < slowAnswerMs) return;
    const during = this.recentWork
      .filter((w) => w.end > started && w.start < end)
      .map((w) => `${w.what} ${Math.min(w.end, end) - Math.max(w.start, started)} ms`)
      .join(', ');
    this.log(`sendcheck: slow answer to ${what}: ${took} ms; meanwhile: ${during || 'no recorded check (waiting for the engines, settings or the event loop)'}`);
  }

  /** A warning in the log and in a notification, once until `forgetWarnings`. */
  warnOnce(text: string): void {
    if (this.warned.has(text)) return;
    this.warned.add(text);
    this.safely(() => this.connection.console.warn(text));
    this.quiet(this.connection.sendNotification(ShowMessageNotification.type, { type: MessageType.Warning, message: text }));
  }

  /** Settings changed: the problems they had may come back and are worth saying again. */
  forgetWarnings(): void {
    this.warned.clear();
  }

  totalFindings(): number {
    let n = 0;
    for (const r of this.results.values()) n += r.findings.length;
    return n;
  }

  sendStatus(state: StatusParams['state']): void {
    this.quiet(
      this.connection.sendNotification(statusNotification, { state, files: this.workspaceFiles.size, findings: this.totalFindings() } satisfies StatusParams),
    );
  }

  notifyChanged(): void {
    for (const w of [...this.changeWaiters]) w();
  }

  /** Records a file's findings and publishes them (unless the client pulls them). */
  store(file: string, version: number | null, findings: Finding[]): FileResult {
    const uri = this.uriOf(file);
    const prev = this.results.get(file);
    const diagnostics = findings.map((f) => toDiagnostic(f, this.uriOf));
    const same = prev && prev.version === version && JSON.stringify(prev.diagnostics) === JSON.stringify(diagnostics);
    const result: FileResult = { uri, version, findings, diagnostics, resultId: same ? prev.resultId : `r${++this.resultCounter}` };
    this.results.set(file, result);
    if (version === null ? this.pushClosed : this.pushOpen) {
      this.quiet(this.connection.sendDiagnostics(version === null ? { uri, diagnostics } : { uri, version, diagnostics }));
    }
    if (!same) this.notifyChanged();
    return result;
  }

  drop(file: string): void {
    const prev = this.results.get(file);
    if (!prev) return;
    this.results.delete(file);
    this.quiet(this.connection.sendDiagnostics({ uri: prev.uri, diagnostics: [] }));
    this.notifyChanged();
  }
}
