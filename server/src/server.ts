import { createConnection, ProposedFeatures } from 'vscode-languageserver/node';
import { createChecker } from './check';
import { limitHeapGrowth } from './lsp/memory';
import { startSession } from './lsp/session';

// The language server: `sendcheck --lsp --stdio` for any LSP editor, `--node-ipc` for the VS Code
// client (createConnection reads the transport from the command line). Behaviour lives in
// lsp/session.ts; analysis in the engines.

limitHeapGrowth();
const connection = createConnection(ProposedFeatures.all);

// A bug in one check must not take the editor's diagnostics down with it.
process.on('uncaughtException', (e) => connection.console.error(`sendcheck: uncaught: ${e.stack ?? e}`));
process.on('unhandledRejection', (e) => connection.console.error(`sendcheck: unhandled rejection: ${(e as Error)?.stack ?? e}`));

startSession(connection, createChecker());
