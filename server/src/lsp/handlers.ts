import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  CodeActionKind,
  CodeActionTriggerKind,
  DidChangeConfigurationNotification,
  DidChangeWatchedFilesNotification,
  FileChangeType,
  LSPErrorCodes,
  ResponseError,
  TextDocumentSyncKind,
  type CancellationToken,
  type CodeAction,
  type CodeActionParams,
  type DocumentDiagnosticParams,
  type DocumentDiagnosticReport,
  type InitializeParams,
  type InitializeResult,
  type WorkspaceDocumentDiagnosticReport,
} from 'vscode-languageserver';
import { isCheckable, pythonExtensions } from '../engine/files';
import { isNotebookFile } from '../engine/notebook';
import { isProjectConfigFile, projectConfigFiles } from '../engine/project-config';
import type { Language } from '../engine/types';
import { codeActions, fixAllKind } from './actions';
import { configurationRequest, type Configuration, type ConfigurationParams } from './configuration';
import { uriToPath } from './convert';
import type { DocumentChecks } from './documents';
import { notebookSelector, type NotebookChecks } from './notebooks';
import type { WorkspaceScan } from './scan';
import { tick, type InitOptions, type ServerState } from './state';

// The protocol face: one handler per request or notification, each a few lines that ask the
// parts (documents, scan, configuration) to act. No scheduling or analysis decisions here.

export const checkWorkspaceCommand = 'sendcheck.checkWorkspace';

/** Custom request: the server's memory use (`npm run bench` reads it to check for leaks over many edits). */
export const statsRequest = 'sendcheck/stats';

export interface StatsResult {
  heapUsed: number;
  rss: number;
  openDocuments: number;
  results: number;
}

/** How long fix-all on save may take before it gives up: VS Code's `editor.codeActionsOnSaveTimeout` default. */
export const fixAllBudgetMs = 750;

const watchedGlob = `**/*.{js,mjs,cjs,jsx,ts,mts,cts,tsx,py,pyw}`;
const configGlob = `**/{${projectConfigFiles.join(',')}}`;

function languageOf(file: string): Language {
  return pythonExtensions.includes(path.extname(file).toLowerCase()) ? 'python' : 'js';
}

export interface Parts {
  state: ServerState;
  configuration: Configuration;
  documents: DocumentChecks;
  notebooks: NotebookChecks;
  scan: WorkspaceScan;
}

export function registerHandlers({ state, configuration, documents, notebooks, scan }: Parts): void {
  const { connection } = state;

  connection.onInitialize((params: InitializeParams): InitializeResult => {
    const initOptions = (params.initializationOptions ?? {}) as InitOptions;
    state.initOptions = initOptions;
    if (typeof initOptions.debounceMs === 'number' && initOptions.debounceMs >= 0) state.debounceMs = initOptions.debounceMs;
    const c = params.capabilities;
    state.caps = {
      configuration: c.workspace?.configuration === true,
      pull: c.textDocument?.diagnostic !== undefined && initOptions.diagnosticMode !== 'push',
      workDoneProgress: c.window?.workDoneProgress === true,
      watchRegistration: c.workspace?.didChangeWatchedFiles?.dynamicRegistration === true,
      configRegistration: c.workspace?.didChangeConfiguration?.dynamicRegistration === true,
      documentChanges: c.workspace?.workspaceEdit?.documentChanges === true,
      createFiles: c.workspace?.workspaceEdit?.resourceOperations?.includes('create') === true,
      refresh: c.workspace?.diagnostics?.refreshSupport === true,
      workspaceFolders: c.workspace?.workspaceFolders === true,
    };
    state.pushOpen = !state.caps.pull;
    const roots = params.workspaceFolders?.map((f) => f.uri) ?? (params.rootUri ? [params.rootUri] : []);
    state.folders = roots.map(uriToPath).filter((p): p is string => p !== undefined);
    state.confineHost();
    const result: InitializeResult = {
      capabilities: {
        // Saves matter to `sendcheck.run: onSave`; their text is in the document already.
        textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental, save: { includeText: false } },
        // Jupyter notebooks' Python cells (LSP 3.17): checked together, diagnostics per cell.
        notebookDocumentSync: { notebookSelector },
        codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix, fixAllKind] },
        executeCommandProvider: { commands: initOptions.commandsHandledByClient ? [] : [checkWorkspaceCommand] },
        workspace: { workspaceFolders: { supported: true, changeNotifications: true } },
      },
      serverInfo: { name: 'sendcheck', version: typeof SENDCHECK_VERSION === 'string' ? SENDCHECK_VERSION : '0.0.0-dev' },
    };
    if (state.caps.pull) result.capabilities.diagnosticProvider = { identifier: 'sendcheck', interFileDependencies: true, workspaceDiagnostics: true };
    return result;
  });

  // Baseline files can sit anywhere and be called anything: each is watched once it is first used.
  const baselineFiles = new Set<string>();
  state.watchBaseline = (file) => {
    if (baselineFiles.has(file)) return;
    baselineFiles.add(file);
    if (state.caps.watchRegistration)
      void connection.client
        .register(DidChangeWatchedFilesNotification.type, { watchers: [{ globPattern: `**/${path.basename(file)}` }] })
        .catch((e) => state.logError('watching the baseline failed', e));
  };

  connection.onInitialized(async () => {
    if (state.caps.watchRegistration)
      await connection.client
        .register(DidChangeWatchedFilesNotification.type, { watchers: [{ globPattern: watchedGlob }, { globPattern: '**/.gitignore' }, { globPattern: configGlob }] })
        .catch((e) => state.logError('watching files failed', e));
    if (state.caps.configRegistration)
      await connection.client.register(DidChangeConfigurationNotification.type, { section: ['sendcheck', 'files.exclude'] }).catch(() => undefined);
    if (state.caps.workspaceFolders)
      connection.workspace.onDidChangeWorkspaceFolders((e) => {
        const removed = new Set(e.removed.map((f) => uriToPath(f.uri)));
        state.folders = [...state.folders.filter((f) => !removed.has(f)), ...e.added.map((f) => uriToPath(f.uri)).filter((p): p is string => !!p)];
        state.confineHost();
        configuration.clear();
        // The new host holds no notebook text: each open notebook puts its cells back and is checked again.
        notebooks.recheckAll();
        scan.schedule();
      });
    // A short grace period: the documents an editor restores at startup are checked first, on the cold engine.
    if (state.initOptions.scanOnStart !== false) scan.schedule(250);
    else state.sendStatus('idle');
  });

  connection.onDidChangeConfiguration(async (params) => {
    if (!(await configuration.refresh(params))) return;
    documents.recheckAll();
    notebooks.recheckAll();
    scan.schedule();
  });

  connection.onDidChangeWatchedFiles((params) => {
    let rescan = false;
    const changed: string[] = [];
    const configs: string[] = [];
    // A source file created or deleted changes only its folder's list of files: that folder is
    // scanned again, not the whole workspace (a scan of 100 000 files per file saved is not cheap).
    const createdDirs = new Set<string>();
    for (const change of params.changes) {
      const file = uriToPath(change.uri);
      if (!file) continue;
      state.host.invalidate(file);
      state.checker.forget([file]);
      if (isProjectConfigFile(file)) configs.push(file);
      // .gitignore, a baseline, or a folder created or deleted (it may hold any number of files).
      else if (baselineFiles.has(file) || path.basename(file) === '.gitignore' || !isCheckable(file)) rescan = true;
      else if (change.type === FileChangeType.Created) createdDirs.add(path.dirname(file));
      else if (change.type === FileChangeType.Changed) changed.push(file);
      if (change.type === FileChangeType.Deleted && !state.openDocument(file)) {
        state.drop(file);
        state.workspaceFiles.delete(file);
      }
    }
    // A project file governs the files under its folder: those are checked again, when its settings changed.
    const configDirs: string[] = [...createdDirs];
    for (const file of configs) {
      const dir = configuration.projectFileChanged(file);
      if (dir) configDirs.push(dir);
    }
    if (rescan || configDirs.length) scan.schedule(undefined, rescan ? undefined : configDirs);
    if (!rescan && changed.length) void scan.recheckClosed(changed);
    // A change on disk can change what an open document's values are (imports, declared types).
    documents.recheckAll();
    notebooks.recheckAll();
    if (state.caps.refresh && !state.pushClosed) void connection.languages.diagnostics.refresh().catch(() => undefined);
  });

  connection.onExecuteCommand(async (params, token) => {
    if (params.command !== checkWorkspaceCommand) throw new ResponseError(-32602, `unknown command ${params.command}`);
    // An explicit request: project files are read afresh, in case a change went unwatched.
    configuration.forgetProjectFiles();
    await scan.start(token, params.workDoneToken);
    return { files: state.workspaceFiles.size, findings: state.totalFindings() };
  });

  connection.onCodeAction((params, token) => {
    const started = Date.now();
    return state.answering(() => codeActionsFor(params, token)).finally(() => state.reportIfSlow(`textDocument/codeAction for ${path.basename(params.textDocument.uri)}`, started));
  });
  async function codeActionsFor(params: CodeActionParams, token: CancellationToken): Promise<CodeAction[] | null> {
    const started = Date.now();
    if (notebooks.owns(params.textDocument.uri)) return notebooks.codeActions(params);
    const doc = state.documents.get(params.textDocument.uri);
    const file = uriToPath(params.textDocument.uri);
    if (!doc || !file) return null;
    // Fix-all run by the editor on save must not hold the save up (VS Code's own budget is 750 ms).
    const onSave = params.context.triggerKind !== CodeActionTriggerKind.Invoked && params.context.only?.some((k) => fixAllKind.startsWith(k)) === true;
    const giveUp = (why: string) => {
      state.log(`sendcheck: fix-all on save skipped for ${file}: ${why}; the file is saved as it is`);
      return [];
    };
    if (onSave && state.results.get(file)?.version !== doc.version) {
      const expected = documents.lastCheckMs(file);
      if (expected !== undefined && expected > fixAllBudgetMs - (Date.now() - started))
        return giveUp(`checking it takes about ${expected} ms, more than the ${fixAllBudgetMs} ms a save may wait`);
    }
    // Actions belong to the version the request was made for; if the user typed on, they are void.
    const version = doc.version;
    const result = await documents.currentResult(doc, token);
    if (!result || token.isCancellationRequested || state.documents.get(doc.uri)?.version !== version) return null;
    const actions = codeActions(
      {
        file,
        uri: doc.uri,
        version,
        text: doc.getText(),
        language: languageOf(file),
        findings: result.findings,
        host: state.host,
        uriOf: state.uriOf,
        versionOf: (f) => state.openDocument(f)?.version ?? null,
        checkedVersionOf: (f) => {
          const then = result.openVersions?.get(f);
          if (then !== undefined) return then;
          // Read from disk then, open now: still the same text if the editor holds what the disk does.
          const doc = state.openDocument(f);
          if (!doc) return null;
          try {
            return fs.readFileSync(f, 'utf8') === doc.getText() ? doc.version : null;
          } catch {
            return null;
          }
        },
        exists: (f) => state.openDocument(f) !== undefined || fs.existsSync(f),
        wasAbsent: (f) => result.absentFiles?.has(f) === true,
        mayCreate: (f) => state.folderOf(f) !== undefined,
        documentChanges: state.caps.documentChanges,
        createFiles: state.caps.createFiles,
        log: state.log,
      },
      params.context.diagnostics,
      params.context.only,
    );
    const took = Date.now() - started;
    if (onSave && took > fixAllBudgetMs) return giveUp(`the fixes took ${took} ms, more than the ${fixAllBudgetMs} ms a save may wait`);
    return actions;
  }

  connection.languages.diagnostics.on((params, token) => {
    const started = Date.now();
    return state.answering(() => documentDiagnostics(params, token)).finally(() => state.reportIfSlow(`textDocument/diagnostic for ${path.basename(params.textDocument.uri)}`, started));
  });
  async function documentDiagnostics(params: DocumentDiagnosticParams, token: CancellationToken): Promise<DocumentDiagnosticReport> {
    const doc = state.documents.get(params.textDocument.uri);
    const file = uriToPath(params.textDocument.uri);
    if (!doc || !file) {
      const r = file ? state.results.get(file) : undefined;
      return { kind: 'full', items: r?.diagnostics ?? [] };
    }
    // A file sendcheck does not read (a notebook, JSON, a language it does not check): nothing, at
    // once. Asking the client to try again, as for a document that changed, would never end.
    // A notebook's text is its JSON: its findings go to its cells (notebooks.ts), never to the file.
    if (!isCheckable(file) || isNotebookFile(file)) return { kind: 'full', items: [] };
    await tick();
    if (token.isCancellationRequested) throw new ResponseError(LSPErrorCodes.RequestCancelled, 'cancelled');
    const version = doc.version;
    // `sendcheck.run: onSave`: what the last save showed, until the next save.
    const shown = documents.runModeOf(file) === 'onSave' ? documents.lastResult(doc) : undefined;
    if (shown) return params.previousResultId === shown.resultId ? { kind: 'unchanged', resultId: shown.resultId } : { kind: 'full', resultId: shown.resultId, items: shown.diagnostics };
    const result = await documents.currentResult(doc, token);
    if (token.isCancellationRequested) throw new ResponseError(LSPErrorCodes.RequestCancelled, 'cancelled');
    if (!result || state.documents.get(doc.uri)?.version !== version)
      throw new ResponseError(LSPErrorCodes.ServerCancelled, 'the document changed', { retriggerRequest: true });
    if (params.previousResultId === result.resultId) return { kind: 'unchanged', resultId: result.resultId };
    return { kind: 'full', resultId: result.resultId, items: result.diagnostics };
  }

  connection.languages.diagnostics.onWorkspace(async (params, token) => {
    if (state.pushClosed) {
      // This client pulls; stop pushing closed files' problems so it does not see them twice.
      state.pushClosed = false;
      for (const r of state.results.values()) if (r.version === null) state.quiet(connection.sendDiagnostics({ uri: r.uri, diagnostics: [] }));
    }
    if (scan.running) await scan.running;
    if (!scan.complete) await scan.start(token);
    if (token.isCancellationRequested) throw new ResponseError(LSPErrorCodes.RequestCancelled, 'cancelled');
    const previous = new Map(params.previousResultIds.map((p) => [p.uri, p.value]));
    const build = (): WorkspaceDocumentDiagnosticReport[] =>
      [...state.results.values()]
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
          state.changeWaiters.delete(done);
          clearTimeout(timer);
          resolve();
        };
        const timer = setTimeout(done, 60_000);
        state.changeWaiters.add(done);
        token.onCancellationRequested(done);
      });
      if (token.isCancellationRequested) throw new ResponseError(LSPErrorCodes.RequestCancelled, 'cancelled');
      items = build();
    }
    return { items };
  });

  connection.onRequest(configurationRequest, async (params: ConfigurationParams) => {
    const file = uriToPath(params.uri);
    if (!file) throw new ResponseError(-32602, `not a file URI: ${params.uri}`);
    return configuration.describe(file);
  });

  // Memory figures for the benchmark's leak check; garbage is collected first when the process
  // allows it (node --expose-gc), so heapUsed is what is still reachable.
  connection.onRequest(statsRequest, () => {
    (globalThis as { gc?: () => void }).gc?.();
    const m = process.memoryUsage();
    return { heapUsed: m.heapUsed, rss: m.rss, openDocuments: state.openUris.size, results: state.results.size } satisfies StatsResult;
  });

  connection.onShutdown(() => {
    scan.dispose();
    documents.dispose();
    state.notifyChanged();
  });
}

declare const SENDCHECK_VERSION: string | undefined;
