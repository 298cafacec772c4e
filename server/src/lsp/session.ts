import type { Connection } from 'vscode-languageserver';
import type { Checker } from '../check';
import { Configuration } from './configuration';
import { DocumentChecks } from './documents';
import { registerHandlers } from './handlers';
import { NotebookChecks } from './notebooks';
import { WorkspaceScan } from './scan';
import { ServerState, type SessionOptions } from './state';

// The language server's behaviour, independent of the transport: documents in, diagnostics and
// code actions out. Everything about *what* is wrong comes from the Checker. The server is split
// as rust-analyzer's is: shared state (state.ts), open documents and their scheduling
// (documents.ts), the workspace scan (scan.ts), settings (configuration.ts) and the protocol
// handlers (handlers.ts); this file only wires them together.

export { checkWorkspaceCommand, statsRequest, type StatsResult } from './handlers';
export { statusNotification, type SessionOptions, type StatusParams } from './state';

export function startSession(connection: Connection, checker: Checker, options: SessionOptions = {}): void {
  // Open documents wait for the engines' loading only (tree-sitter's wasm); the JS engine loads
  // when a JS/TS file is first checked, and nothing else runs before the first document's check.
  const ready = checker.init();
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
