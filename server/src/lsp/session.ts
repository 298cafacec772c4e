import * as os from 'node:os';
import * as path from 'node:path';
import {
  CodeActionKind,
  DidChangeConfigurationNotification,
  DidChangeWatchedFilesNotification,
  FileChangeType,
  LSPErrorCodes,
  MessageType,
  ShowMessageNotification,
  ResponseError,
  TextDocumentSyncKind,
  TextDocuments,
  type CancellationToken,
  type CodeAction,
  type CodeActionParams,
  type DocumentDiagnosticParams,
  type Connection,
  type Diagnostic,
  type DocumentDiagnosticReport,
  type InitializeParams,
  type InitializeResult,
  type WorkDoneProgressReporter,
  type WorkspaceDocumentDiagnosticReport,
} from 'vscode-languageserver';
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { Checker } from '../check';
import { resolveConfig, type SendcheckConfig } from '../engine/config';
import { collectFiles, DiskHost, isCheckable, isInside, pythonExtensions } from '../engine/files';
import type { Finding, Language, SourceHost } from '../engine/types';
import { codeActions, fixAllKind } from './actions';
import { pathToUri, toDiagnostic, uriToPath } from './convert';
import { configFromSettings } from './settings';

// The language server's behaviour, independent of the transport: documents in, diagnostics and
// code actions out. Everything about *what* is wrong comes from the Checker; this file only
// decides when to check, which results are still current, and how to tell the client.

export const checkWorkspaceCommand = 'sendcheck.checkWorkspace';
/** Custom notification for status displays: what the server is doing and how many findings it holds. */
export const statusNotification = 'sendcheck/status';

/** Custom request: the server's memory use (`npm run bench` reads it to check for leaks over many edits). */
export const statsRequest = 'sendcheck/stats';

export interface StatsResult {
  heapUsed: number;
  rss: number;
  openDocuments: number;
  results: number;
}

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

interface InitOptions {
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

interface FileResult {
  uri: string;
  /** Document version the findings belong to, or null for the file on disk. */
  version: number | null;
  findings: Finding[];
  diagnostics: Diagnostic[];
  resultId: string;
}

const watchedGlob = `**/*.{js,mjs,cjs,jsx,ts,mts,cts,tsx,py,pyw}`;

function languageOf(file: string): Language {
  return pythonExtensions.includes(path.extname(file).toLowerCase()) ? 'python' : 'js';
}

const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Checks a tiny in-memory file per language once the engines are loaded, so the compiler's
 * standard library is parsed before the first document arrives rather than while the user waits.
 */
async function warmUp(checker: Checker): Promise<void> {
  const dir = path.join(os.tmpdir(), 'sendcheck-warm-up');
  const sources = new Map([
    [path.join(dir, 'warm.mjs'), "import { Worker } from 'node:worker_threads';\nnew Worker('./w.js').postMessage({ n: 1 });\n"],
    [path.join(dir, 'warm.py'), 'from multiprocessing import Process\nProcess(target=print, args=(1,)).start()\n'],
  ]);
  const host: SourceHost = {
    readFile: (f) => sources.get(f),
    fileExists: (f) => sources.has(f),
    version: () => 'warm-up',
  };
  const config = resolveConfig(undefined).config;
  await tick();
  try {
    checker.check([...sources.keys()], host, config);
    checker.forget([...sources.keys()]);
  } catch {
    /* a warm-up failure shows again, logged, on the first real check */
  }
}

export function startSession(connection: Connection, checker: Checker, options: SessionOptions = {}): void {
  const documents = new TextDocuments(TextDocument);
  let host = new DiskHost();
  const results = new Map<string, FileResult>();
  const debounceTimers = new Map<string, NodeJS.Timeout>();
  const configCache = new Map<string, Promise<SendcheckConfig>>();
  const reportedProblems = new Set<string>();
  let folders: string[] = [];
  let initOptions: InitOptions = {};
  let settingsFromClient: unknown;
  let debounceMs = options.debounceMs ?? 250;
  /** Fixed batch size for tests; otherwise batches adapt so each takes about `sliceMs`. */
  const fixedBatch = options.scanBatchSize;
  const sliceMs = 40;
  let caps = {
    configuration: false,
    pull: false,
    workDoneProgress: false,
    watchRegistration: false,
    configRegistration: false,
    documentChanges: false,
    refresh: false,
    workspaceFolders: false,
  };
  /** Whether diagnostics of closed files are pushed; a client that pulls workspace diagnostics turns this off. */
  let pushClosed = true;
  let pushOpen = true;
  let resultCounter = 0;
  let scanGeneration = 0;
  let scanning: Promise<void> | undefined;
  let lastScan = new Set<string>();
  let scanComplete = false;
  const ready = checker.init().then(() => warmUp(checker));
  ready.catch((e) => logError('the engines failed to load', e));
  const changeWaiters = new Set<() => void>();

  /** Requests and checks for open documents in flight; the workspace scan waits for them. */
  let interactive = 0;
  async function interactively<T>(work: () => Promise<T>): Promise<T> {
    interactive++;
    try {
      return await work();
    } finally {
      interactive--;
    }
  }
  const log = (message: string) => connection.console.log(message);
  /** Messages to a client that went away are dropped, not turned into unhandled rejections. */
  const quiet = (sent: Promise<unknown>) => void sent.catch(() => undefined);
  function logError(what: string, e: unknown): void {
    connection.console.error(`sendcheck: ${what}: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
  }

  /** Path of each open document to the URI the client used for it. */
  const openUris = new Map<string, string>();

  function uriOf(file: string): string {
    return openUris.get(file) ?? pathToUri(file);
  }

  function openDocument(file: string): TextDocument | undefined {
    const uri = openUris.get(file);
    return uri === undefined ? undefined : documents.get(uri);
  }

  /** Reads stay inside the workspace folders (open documents excepted: their text comes from the client). */
  function confineHost(): void {
    host = new DiskHost(folders.length ? { roots: folders } : {});
    for (const doc of documents.all()) {
      const file = uriToPath(doc.uri);
      if (file) host.setOverlay(file, doc.getText(), doc.version);
    }
  }

  function folderOf(file: string): string | undefined {
    let best: string | undefined;
    for (const f of folders) if (isInside(file, f) && (!best || f.length > best.length)) best = f;
    return best;
  }

  function configFor(file: string | undefined): Promise<SendcheckConfig> {
    const folder = file ? (folderOf(file) ?? '') : '';
    let cached = configCache.get(folder);
    if (!cached) {
      cached = fetchConfig(folder);
      configCache.set(folder, cached);
    }
    return cached;
  }

  async function fetchConfig(folder: string): Promise<SendcheckConfig> {
    let section: unknown = settingsFromClient ?? initOptions.settings;
    let filesExclude: unknown;
    if (caps.configuration) {
      try {
        const scopeUri = folder ? pathToUri(folder) : undefined;
        [section, filesExclude] = await connection.workspace.getConfiguration([
          { scopeUri, section: 'sendcheck' },
          { scopeUri, section: 'files.exclude' },
        ]);
        section = section ?? settingsFromClient ?? initOptions.settings;
      } catch (e) {
        logError('reading settings failed; using defaults', e);
      }
    }
    const { config, problems } = configFromSettings(section, filesExclude);
    for (const p of problems) {
      const text = `sendcheck: setting ${p.key} ${p.message}; using the default`;
      if (reportedProblems.has(text)) continue;
      reportedProblems.add(text);
      connection.console.warn(text);
      quiet(connection.sendNotification(ShowMessageNotification.type, { type: MessageType.Warning, message: text }));
    }
    return config;
  }

  /** Runs the engines; a failure is logged and yields no findings, so other files keep being served. */
  function runCheck(files: string[], config: SendcheckConfig, isCancelled?: () => boolean): Finding[] | undefined {
    try {
      return checker.check(files, host, config, { isCancelled, log });
    } catch (e) {
      logError(`checking ${files.length === 1 ? files[0] : `${files.length} files`} failed`, e);
      return undefined;
    }
  }

  function totalFindings(): number {
    let n = 0;
    for (const r of results.values()) n += r.findings.length;
    return n;
  }

  function sendStatus(state: StatusParams['state']): void {
    quiet(connection.sendNotification(statusNotification, { state, files: lastScan.size, findings: totalFindings() } satisfies StatusParams));
  }

  function notifyChanged(): void {
    for (const w of [...changeWaiters]) w();
  }

  function store(file: string, version: number | null, findings: Finding[]): FileResult {
    const uri = uriOf(file);
    const prev = results.get(file);
    const diagnostics = findings.map((f) => toDiagnostic(f, uriOf));
    const same = prev && prev.version === version && JSON.stringify(prev.diagnostics) === JSON.stringify(diagnostics);
    const result: FileResult = { uri, version, findings, diagnostics, resultId: same ? prev.resultId : `r${++resultCounter}` };
    results.set(file, result);
    if (version === null ? pushClosed : pushOpen) {
      quiet(connection.sendDiagnostics(version === null ? { uri, diagnostics } : { uri, version, diagnostics }));
    }
    if (!same) notifyChanged();
    return result;
  }

  function drop(file: string): void {
    const prev = results.get(file);
    if (!prev) return;
    results.delete(file);
    quiet(connection.sendDiagnostics({ uri: prev.uri, diagnostics: [] }));
    notifyChanged();
  }

  /** Checks an open document at its current version; returns undefined when a newer version overtook it. */
  async function checkDocument(doc: TextDocument): Promise<FileResult | undefined> {
    const file = uriToPath(doc.uri);
    if (!file || !isCheckable(file)) return undefined;
    const version = doc.version;
    const stillCurrent = () => documents.get(doc.uri)?.version === version;
    await ready.catch(() => undefined);
    const config = await configFor(file);
    if (!stillCurrent()) return undefined;
    const existing = results.get(file);
    if (existing && existing.version === version) return existing;
    if (!config.enable) return store(file, version, []);
    const findings = runCheck([file], config, () => !stillCurrent());
    // Never publish over a newer version: its own check is queued and will publish.
    if (!stillCurrent()) return undefined;
    if (!findings) return existing?.version === version ? existing : undefined;
    const result = store(
      file,
      version,
      findings.filter((f) => f.file === file),
    );
    sendStatus('idle');
    return result;
  }

  /** Checks of open documents started by a timer and not finished yet, per file. */
  const checksRunning = new Map<string, number>();
  /** Files whose queued check waits for a pause in typing (reset by each edit), rather than running at once. */
  const waitingForPause = new Set<string>();

  /**
   * An edit to a document with no check queued or running is checked at once (one event-loop
   * turn later, so changes that arrived together are checked together): the first keystroke after
   * a pause does not wait for a fixed delay. Edits that arrive while a check is running, or while
   * one waits for a pause, are a burst, coalesced into one check `debounceMs` after the last of
   * them; an edit while a check at once is queued rides along with it. Opening a
   * document, and `atOnceIfIdle: false` callers, always wait `debounceMs`. Whatever runs, only the
   * version still current is published (see checkDocument).
   */
  function scheduleCheck(doc: TextDocument, atOnceIfIdle = false): void {
    const file = uriToPath(doc.uri);
    if (!file) return;
    const queued = debounceTimers.has(file);
    // A check at once is already queued: it reads the document when it runs, this edit included.
    if (queued && !waitingForPause.has(file)) return;
    const atOnce = atOnceIfIdle && !queued && !checksRunning.get(file);
    clearTimeout(debounceTimers.get(file));
    if (atOnce) waitingForPause.delete(file);
    else waitingForPause.add(file);
    debounceTimers.set(
      file,
      setTimeout(
        () => {
          debounceTimers.delete(file);
          waitingForPause.delete(file);
          checksRunning.set(file, (checksRunning.get(file) ?? 0) + 1);
          interactively(() => checkDocument(doc))
            .catch((e) => logError(`checking ${file} failed`, e))
            .finally(() => {
              const n = (checksRunning.get(file) ?? 1) - 1;
              if (n > 0) checksRunning.set(file, n);
              else checksRunning.delete(file);
            });
        },
        atOnce ? 0 : debounceMs,
      ),
    );
  }

  /** The findings of an open document at its current version, checking now if the debounced check has not run yet. */
  async function currentResult(doc: TextDocument): Promise<FileResult | undefined> {
    const file = uriToPath(doc.uri);
    if (!file) return undefined;
    const r = results.get(file);
    if (r && r.version === doc.version) return r;
    clearTimeout(debounceTimers.get(file));
    debounceTimers.delete(file);
    return checkDocument(doc);
  }

  function recheckOpenDocuments(): void {
    for (const doc of documents.all()) scheduleCheck(doc);
  }

  async function scanWorkspace(progress: WorkDoneProgressReporter | undefined, token?: CancellationToken): Promise<void> {
    const generation = ++scanGeneration;
    const superseded = () => generation !== scanGeneration || token?.isCancellationRequested === true;
    sendStatus('checking');
    await ready.catch(() => undefined);
    const plan: { folder: string; config: SendcheckConfig; files: string[] }[] = [];
    for (const folder of folders) {
      const config = await configFor(folder);
      if (!config.enable) continue;
      const files = collectFiles([folder], {
        exclude: config.exclude,
        maxFileSize: config.maxFileSize,
        onSkip: (f, why) => log(`sendcheck: skipped ${f}: ${why}`),
      });
      plan.push({ folder, config, files });
    }
    const total = plan.reduce((n, p) => n + p.files.length, 0);
    progress?.begin('sendcheck', 0, `0/${total} files`, true);
    const started = Date.now();
    const seen = new Set<string>();
    let done = 0;
    let cancelled = false;
    outer: for (const { config, files } of plan) {
      // Checks are synchronous: small slices keep typing and requests answered during a big scan.
      let batchSize = fixedBatch ?? 1;
      for (let i = 0; i < files.length; ) {
        await tick();
        // What the user is looking at comes first: open documents' checks and requests.
        for (let waited = 0; interactive > 0 && !superseded() && waited < 5_000; waited += 5) await new Promise((r) => setTimeout(r, 5));
        if (superseded() || (progress as { token?: CancellationToken } | undefined)?.token?.isCancellationRequested) {
          cancelled = true;
          break outer;
        }
        const batch = files.slice(i, i + batchSize);
        for (const f of batch) seen.add(f);
        const closed = batch.filter((f) => !openDocument(f));
        const sliceStart = Date.now();
        const findings = closed.length ? runCheck(closed, config, superseded) : [];
        const took = Date.now() - sliceStart;
        const nextSize = fixedBatch ?? (took < sliceMs / 2 ? Math.min(batchSize * 2, 64) : took > sliceMs * 2 ? Math.max(1, batchSize >> 1) : batchSize);
        if (findings && !superseded()) {
          const byFile = new Map<string, Finding[]>(closed.map((f) => [f, []]));
          for (const f of findings) byFile.get(f.file)?.push(f);
          for (const [file, list] of byFile) {
            const prev = results.get(file);
            if (list.length === 0 && !prev) continue;
            store(file, null, list);
          }
        }
        done += batch.length;
        progress?.report(total ? Math.round((done / total) * 100) : 100, `${done}/${total} files`);
        i += batch.length;
        batchSize = nextSize;
      }
    }
    if (!cancelled) {
      // Files gone from the workspace, newly ignored or excluded: their problems go too.
      for (const file of lastScan) if (!seen.has(file) && !openDocument(file)) drop(file);
      lastScan = seen;
      scanComplete = true;
      log(`sendcheck: checked ${total} files in ${Date.now() - started} ms, ${totalFindings()} findings`);
    } else if (generation === scanGeneration) log(`sendcheck: workspace check cancelled after ${done}/${total} files`);
    progress?.done();
    if (generation === scanGeneration) sendStatus('idle');
    if (token?.isCancellationRequested) throw new ResponseError(LSPErrorCodes.RequestCancelled, 'workspace check cancelled');
  }

  async function startScan(token?: CancellationToken, workDoneToken?: string | number): Promise<void> {
    let progress: WorkDoneProgressReporter | undefined;
    try {
      if (workDoneToken !== undefined) progress = connection.window.attachWorkDoneProgress(workDoneToken);
      else if (caps.workDoneProgress) progress = await connection.window.createWorkDoneProgress();
    } catch (e) {
      logError('work done progress unavailable', e);
    }
    const run = scanWorkspace(progress, token);
    scanning = run.catch(() => undefined);
    return run;
  }

  let rescanTimer: NodeJS.Timeout | undefined;
  function scheduleRescan(): void {
    clearTimeout(rescanTimer);
    rescanTimer = setTimeout(() => void startScan().catch((e) => logError('workspace check failed', e)), Math.max(debounceMs, 300));
  }

  connection.onInitialize((params: InitializeParams): InitializeResult => {
    initOptions = (params.initializationOptions ?? {}) as InitOptions;
    if (typeof initOptions.debounceMs === 'number' && initOptions.debounceMs >= 0) debounceMs = initOptions.debounceMs;
    const c = params.capabilities;
    caps = {
      configuration: c.workspace?.configuration === true,
      pull: c.textDocument?.diagnostic !== undefined && initOptions.diagnosticMode !== 'push',
      workDoneProgress: c.window?.workDoneProgress === true,
      watchRegistration: c.workspace?.didChangeWatchedFiles?.dynamicRegistration === true,
      configRegistration: c.workspace?.didChangeConfiguration?.dynamicRegistration === true,
      documentChanges: c.workspace?.workspaceEdit?.documentChanges === true,
      refresh: c.workspace?.diagnostics?.refreshSupport === true,
      workspaceFolders: c.workspace?.workspaceFolders === true,
    };
    pushOpen = !caps.pull;
    const roots = params.workspaceFolders?.map((f) => f.uri) ?? (params.rootUri ? [params.rootUri] : []);
    folders = roots.map(uriToPath).filter((p): p is string => p !== undefined);
    confineHost();
    const result: InitializeResult = {
      capabilities: {
        textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental, save: false },
        codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix, fixAllKind] },
        executeCommandProvider: { commands: initOptions.commandsHandledByClient ? [] : [checkWorkspaceCommand] },
        workspace: { workspaceFolders: { supported: true, changeNotifications: true } },
      },
      serverInfo: { name: 'sendcheck', version: typeof SENDCHECK_VERSION === 'string' ? SENDCHECK_VERSION : '0.0.0-dev' },
    };
    if (caps.pull) result.capabilities.diagnosticProvider = { identifier: 'sendcheck', interFileDependencies: true, workspaceDiagnostics: true };
    return result;
  });

  connection.onInitialized(async () => {
    if (caps.watchRegistration)
      await connection.client
        .register(DidChangeWatchedFilesNotification.type, { watchers: [{ globPattern: watchedGlob }, { globPattern: '**/.gitignore' }] })
        .catch((e) => logError('watching files failed', e));
    if (caps.configRegistration)
      await connection.client.register(DidChangeConfigurationNotification.type, { section: ['sendcheck', 'files.exclude'] }).catch(() => undefined);
    if (caps.workspaceFolders)
      connection.workspace.onDidChangeWorkspaceFolders((e) => {
        const removed = new Set(e.removed.map((f) => uriToPath(f.uri)));
        folders = [...folders.filter((f) => !removed.has(f)), ...e.added.map((f) => uriToPath(f.uri)).filter((p): p is string => !!p)];
        confineHost();
        configCache.clear();
        scheduleRescan();
      });
    // A short grace period: the documents an editor restores at startup are checked first, on the cold engine.
    if (initOptions.scanOnStart !== false) rescanTimer = setTimeout(() => startScan().catch((e) => logError('workspace check failed', e)), 250);
    else sendStatus('idle');
  });

  connection.onDidChangeConfiguration(async (params) => {
    const s = params.settings as { sendcheck?: unknown } | null | undefined;
    if (s && typeof s === 'object' && 'sendcheck' in s) settingsFromClient = s.sendcheck;
    // Clients announce settings right after start too; only a real change is worth a new scan.
    const snapshot = async () => JSON.stringify(await Promise.all([...configCache.values()]));
    const scopes = [...configCache.keys()];
    const before = await snapshot();
    configCache.clear();
    for (const scope of scopes) void configFor(scope || undefined);
    if ((await snapshot()) === before && scopes.length > 0) return;
    reportedProblems.clear();
    for (const r of results.values()) r.version = r.version === null ? null : -1;
    recheckOpenDocuments();
    scheduleRescan();
  });

  documents.onDidOpen((e) => {
    const file = uriToPath(e.document.uri);
    if (file) openUris.set(file, e.document.uri);
    if (file) host.setOverlay(file, e.document.getText(), e.document.version);
    // A pulling client asks for an open document itself; what was pushed for it while closed would show twice.
    if (file && !pushOpen && pushClosed && results.get(file)?.version === null) quiet(connection.sendDiagnostics({ uri: e.document.uri, diagnostics: [] }));
    scheduleCheck(e.document);
  });
  documents.onDidChangeContent((e) => {
    const file = uriToPath(e.document.uri);
    if (file) host.setOverlay(file, e.document.getText(), e.document.version);
    scheduleCheck(e.document, true);
  });
  documents.onDidClose((e) => {
    const file = uriToPath(e.document.uri);
    if (!file) return;
    openUris.delete(file);
    clearTimeout(debounceTimers.get(file));
    debounceTimers.delete(file);
    waitingForPause.delete(file);
    host.clearOverlay(file);
    // Back to what the disk says: a workspace file keeps its problems, any other file loses them.
    if (lastScan.has(file)) {
      void configFor(file).then((config) => {
        if (openDocument(file)) return;
        const findings = config.enable ? runCheck([file], config) : [];
        if (findings) store(file, null, findings.filter((f) => f.file === file));
      });
    } else {
      checker.forget([file]);
      drop(file);
    }
  });

  connection.onDidChangeWatchedFiles((params) => {
    let rescan = false;
    const changed: string[] = [];
    for (const change of params.changes) {
      const file = uriToPath(change.uri);
      if (!file) continue;
      host.invalidate(file);
      if (path.basename(file) === '.gitignore' || change.type !== FileChangeType.Changed) rescan = true;
      else changed.push(file);
      if (change.type === FileChangeType.Deleted) {
        checker.forget([file]);
        if (!openDocument(file)) drop(file);
      } else checker.forget([file]);
    }
    if (rescan) scheduleRescan();
    else if (changed.length) {
      void (async () => {
        for (const file of changed) {
          if (openDocument(file) || !lastScan.has(file)) continue;
          const config = await configFor(file);
          const findings = config.enable ? runCheck([file], config) : [];
          if (findings && !openDocument(file)) store(file, null, findings.filter((f) => f.file === file));
        }
        sendStatus('idle');
      })();
    }
    // A change on disk can change what an open document's values are (imports, declared types).
    for (const doc of documents.all()) {
      const r = results.get(uriToPath(doc.uri) ?? '');
      if (r) r.version = -1;
    }
    recheckOpenDocuments();
    if (caps.refresh && !pushClosed) void connection.languages.diagnostics.refresh().catch(() => undefined);
  });

  connection.onExecuteCommand(async (params, token) => {
    if (params.command !== checkWorkspaceCommand) throw new ResponseError(-32602, `unknown command ${params.command}`);
    await startScan(token, params.workDoneToken);
    return { files: lastScan.size, findings: totalFindings() };
  });

  connection.onCodeAction((params, token) => interactively(() => codeActionsFor(params, token)));
  async function codeActionsFor(params: CodeActionParams, token: CancellationToken): Promise<CodeAction[] | null> {
    const doc = documents.get(params.textDocument.uri);
    const file = uriToPath(params.textDocument.uri);
    if (!doc || !file) return null;
    // Actions belong to the version the request was made for; if the user typed on, they are void.
    const version = doc.version;
    const result = await currentResult(doc);
    if (!result || token.isCancellationRequested || documents.get(doc.uri)?.version !== version) return null;
    return codeActions(
      {
        file,
        uri: doc.uri,
        version,
        text: doc.getText(),
        language: languageOf(file),
        findings: result.findings,
        host,
        uriOf,
        versionOf: (f) => openDocument(f)?.version ?? null,
        documentChanges: caps.documentChanges,
      },
      params.context.diagnostics,
      params.context.only,
    );
  }

  connection.languages.diagnostics.on((params, token) => interactively(() => documentDiagnostics(params, token)));
  async function documentDiagnostics(params: DocumentDiagnosticParams, token: CancellationToken): Promise<DocumentDiagnosticReport> {
    const doc = documents.get(params.textDocument.uri);
    const file = uriToPath(params.textDocument.uri);
    if (!doc || !file) {
      const r = file ? results.get(file) : undefined;
      return { kind: 'full', items: r?.diagnostics ?? [] };
    }
    await tick();
    if (token.isCancellationRequested) throw new ResponseError(LSPErrorCodes.RequestCancelled, 'cancelled');
    const version = doc.version;
    const result = await currentResult(doc);
    if (!result || documents.get(doc.uri)?.version !== version)
      throw new ResponseError(LSPErrorCodes.ServerCancelled, 'the document changed', { retriggerRequest: true });
    if (params.previousResultId === result.resultId) return { kind: 'unchanged', resultId: result.resultId };
    return { kind: 'full', resultId: result.resultId, items: result.diagnostics };
  }

  connection.languages.diagnostics.onWorkspace(async (params, token) => {
    if (pushClosed) {
      // This client pulls; stop pushing closed files' problems so it does not see them twice.
      pushClosed = false;
      for (const r of results.values()) if (r.version === null) quiet(connection.sendDiagnostics({ uri: r.uri, diagnostics: [] }));
    }
    if (scanning) await scanning;
    if (!scanComplete) await startScan(token);
    if (token.isCancellationRequested) throw new ResponseError(LSPErrorCodes.RequestCancelled, 'cancelled');
    const previous = new Map(params.previousResultIds.map((p) => [p.uri, p.value]));
    const build = (): WorkspaceDocumentDiagnosticReport[] =>
      [...results.values()]
        .filter((r) => r.version === null)
        .map((r) =>
          previous.get(r.uri) === r.resultId
            ? { kind: 'unchanged', uri: r.uri, version: null, resultId: r.resultId }
            : { kind: 'full', uri: r.uri, version: null, resultId: r.resultId, items: r.diagnostics },
        );
    let items = build();
    if (previous.size > 0 && items.every((i) => i.kind === 'unchanged')) {
      // Nothing new: hold the request until something changes, so a re-polling client does not spin.
      await new Promise<void>((resolve) => {
        const done = () => {
          changeWaiters.delete(done);
          clearTimeout(timer);
          resolve();
        };
        const timer = setTimeout(done, 60_000);
        changeWaiters.add(done);
        token.onCancellationRequested(done);
      });
      if (token.isCancellationRequested) throw new ResponseError(LSPErrorCodes.RequestCancelled, 'cancelled');
      items = build();
    }
    return { items };
  });

  // Memory figures for the benchmark's leak check; garbage is collected first when the process
  // allows it (node --expose-gc), so heapUsed is what is still reachable.
  connection.onRequest(statsRequest, () => {
    (globalThis as { gc?: () => void }).gc?.();
    const m = process.memoryUsage();
    return { heapUsed: m.heapUsed, rss: m.rss, openDocuments: openUris.size, results: results.size } satisfies StatsResult;
  });

  connection.onShutdown(() => {
    scanGeneration++;
    for (const t of debounceTimers.values()) clearTimeout(t);
    clearTimeout(rescanTimer);
    for (const w of [...changeWaiters]) w();
  });

  documents.listen(connection);
  connection.listen();
}

declare const SENDCHECK_VERSION: string | undefined;
