import * as os from 'node:os';
import * as path from 'node:path';
import type { Connection } from 'vscode-languageserver';
import type { Checker } from '../check';
import { resolveConfig } from '../engine/config';
import type { SourceHost } from '../engine/types';
import { Configuration } from './configuration';
import { DocumentChecks } from './documents';
import { registerHandlers } from './handlers';
import { NotebookChecks } from './notebooks';
import { WorkspaceScan } from './scan';
import { ServerState, tick, type SessionOptions } from './state';

// The language server's behaviour, independent of the transport: documents in, diagnostics and
// code actions out. Everything about *what* is wrong comes from the Checker. The server is split
// as rust-analyzer's is: shared state (state.ts), open documents and their scheduling
// (documents.ts), the workspace scan (scan.ts), settings (configuration.ts) and the protocol
// handlers (handlers.ts); this file only wires them together.

export { checkWorkspaceCommand, statsRequest, type StatsResult } from './handlers';
export { statusNotification, type SessionOptions, type StatusParams } from './state';

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
  const ready = checker.init().then(() => warmUp(checker));
  const state = new ServerState(connection, checker, options, ready);
  ready.catch((e) => state.logError('the engines failed to load', e));
  const configuration = new Configuration(state);
  const documents = new DocumentChecks(state, configuration);
  const scan = new WorkspaceScan(state, configuration);
  const notebooks = new NotebookChecks(state, configuration);
  documents.listen();
  registerHandlers({ state, configuration, documents, notebooks, scan });
  state.documents.listen(connection);
  notebooks.listen(connection);
  connection.listen();
}
