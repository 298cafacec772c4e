import * as path from 'node:path';
import * as vscode from 'vscode';
import {
  CloseAction,
  ErrorAction,
  ExecuteCommandRequest,
  LanguageClient,
  State,
  TransportKind,
  type CloseHandlerResult,
  type DocumentSelector,
  type ErrorHandler,
  type ErrorHandlerResult,
  type LanguageClientOptions,
  type ServerOptions,
} from 'vscode-languageclient/node';

// The VS Code face of sendcheck: start the language server, forward settings, offer a few
// commands and a status bar item. No analysis happens here.

const checkWorkspaceCommand = 'sendcheck.checkWorkspace';
// The server declares notebook document sync for jupyter-notebook Python cells, and the client
// sends open notebooks through it (LSP 3.17), so the server checks a notebook's cells together
// and its diagnostics land in each cell. The cells are in this selector too, for the features
// asked per document (the lightbulb's code actions): without them a cell's squiggle has no quick
// fix. The client does not also sync them as text documents (notebook sync owns them).
const documentSelector: DocumentSelector = [
  ...['javascript', 'javascriptreact', 'typescript', 'typescriptreact', 'python'].map((language) => ({ scheme: 'file', language })),
  { notebook: 'jupyter-notebook', language: 'python' },
];

interface StatusParams {
  state: 'starting' | 'checking' | 'idle';
  files: number;
  findings: number;
}

let client: LanguageClient | undefined;

/** Restarts within this window that are still allowed before the client gives up on a crashing server. */
const restartWindowMs = 3 * 60_000;
const maxRestarts = 5;

/**
 * When the server process dies (killed, out of memory, a crash), start a new one: the client
 * then opens the documents again and the new server scans the workspace, so the squiggles and
 * the Problems panel come back. A server that keeps dying (five times in three minutes) is left
 * stopped, with a message, rather than restarted in a loop.
 */
function restartingErrorHandler(outputChannel: vscode.OutputChannel): ErrorHandler {
  const restarts: number[] = [];
  return {
    error(_error, _message, count): ErrorHandlerResult {
      // A few bad messages are survivable; a stream that keeps failing means the server is gone.
      return { action: (count ?? 0) <= 3 ? ErrorAction.Continue : ErrorAction.Shutdown, handled: true };
    },
    closed(): CloseHandlerResult {
      const now = Date.now();
      while (restarts.length && now - restarts[0] > restartWindowMs) restarts.shift();
      if (restarts.length >= maxRestarts) {
        const message = `sendcheck: the server stopped ${maxRestarts + 1} times in ${restartWindowMs / 60_000} minutes and will not be restarted; run "sendcheck: Restart Server" after looking at its output.`;
        outputChannel.appendLine(message);
        return { action: CloseAction.DoNotRestart, message, handled: false };
      }
      restarts.push(now);
      outputChannel.appendLine(`sendcheck: the server stopped unexpectedly; restarting it (${restarts.length} of ${maxRestarts} restarts allowed in ${restartWindowMs / 60_000} minutes)`);
      return { action: CloseAction.Restart, handled: true };
    },
  };
}

interface ConfigurationResult {
  configFile: string | null;
  explicit: string[];
  excluded: boolean;
  problems: string[];
}

/**
 * The sendcheck settings the user set explicitly (user, workspace or folder level), as dotted
 * keys. Defaults are left out so that a project configuration file (pyproject.toml,
 * package.json, sendcheck.json) can set them: explicit editor settings win over the project
 * file, defaults do not.
 */
function explicitSettings(keys: readonly string[], scope: vscode.Uri | undefined): Record<string, unknown> {
  const section = vscode.workspace.getConfiguration('sendcheck', scope);
  const out: Record<string, unknown> = {};
  for (const key of keys) {
    const i = section.inspect(key);
    const levels = [i?.globalValue, i?.workspaceValue, i?.workspaceFolderValue].filter((v) => v !== undefined);
    if (levels.length === 0) continue;
    const isObject = (v: unknown) => typeof v === 'object' && v !== null && !Array.isArray(v);
    // Objects keyed by user data (rule severities) merge across levels, as VS Code merges them.
    out[key] = levels.every(isObject) ? Object.assign({}, ...levels) : levels[levels.length - 1];
  }
  return out;
}

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  const serverModule = context.asAbsolutePath(path.join('dist', 'server.js'));
  const serverOptions: ServerOptions = {
    run: { module: serverModule, transport: TransportKind.ipc },
    debug: { module: serverModule, transport: TransportKind.ipc, options: { execArgv: ['--nolazy', '--inspect=6019'] } },
  };
  const outputChannel = vscode.window.createOutputChannel('sendcheck', { log: true });
  const settingKeys = Object.keys(context.extension.packageJSON.contributes.configuration.properties as Record<string, unknown>)
    .map((k) => k.replace(/^sendcheck\./, ''))
    .filter((k) => k !== 'trace.server');
  const clientOptions: LanguageClientOptions = {
    documentSelector,
    outputChannel,
    errorHandler: restartingErrorHandler(outputChannel),
    // The server pushes; letting the client also pull would list every problem twice.
    initializationOptions: { diagnosticMode: 'push', commandsHandledByClient: true },
    middleware: {
      workspace: {
        configuration: async (params, token, next) => {
          const answers = await next(params, token);
          if (!Array.isArray(answers)) return answers;
          return params.items.map((item, i) =>
            item.section === 'sendcheck' ? explicitSettings(settingKeys, item.scopeUri ? vscode.Uri.parse(item.scopeUri) : undefined) : answers[i],
          );
        },
      },
    },
  };
  client = new LanguageClient('sendcheck', 'sendcheck', serverOptions, clientOptions);

  const status = vscode.window.createStatusBarItem('sendcheck.status', vscode.StatusBarAlignment.Right, 100);
  status.name = 'sendcheck';
  status.command = 'sendcheck.showOutput';
  let serverState: StatusParams['state'] | 'stopped' = 'starting';
  const render = () => {
    const findings = vscode.languages
      .getDiagnostics()
      .reduce((n, [, list]) => n + list.filter((d) => d.source === 'sendcheck').length, 0);
    const icon = serverState === 'stopped' ? '$(error)' : serverState === 'idle' ? (findings ? '$(warning)' : '$(check)') : '$(sync~spin)';
    status.text = `${icon} sendcheck${serverState === 'idle' && findings ? ` ${findings}` : ''}`;
    status.tooltip =
      serverState === 'stopped'
        ? 'sendcheck: the server is not running (click for its output)'
        : `sendcheck: ${serverState === 'idle' ? 'ready' : serverState}, ${findings} finding${findings === 1 ? '' : 's'} in the workspace`;
    status.show();
  };
  render();

  context.subscriptions.push(
    outputChannel,
    status,
    vscode.languages.onDidChangeDiagnostics(render),
    client.onDidChangeState((e) => {
      serverState = e.newState === State.Running ? 'idle' : e.newState === State.Starting ? 'starting' : 'stopped';
      render();
    }),
    client.onNotification('sendcheck/status', (p: StatusParams) => {
      serverState = p.state;
      render();
    }),
    vscode.commands.registerCommand(checkWorkspaceCommand, async () => {
      if (!client) return;
      if (!client.isRunning()) await client.start();
      await client.sendRequest(ExecuteCommandRequest.type, { command: checkWorkspaceCommand, arguments: [] });
    }),
    vscode.commands.registerCommand('sendcheck.restartServer', async () => {
      if (!client) return;
      outputChannel.appendLine('sendcheck: restarting the server');
      await client.restart();
    }),
    vscode.commands.registerCommand('sendcheck.showOutput', () => outputChannel.show(true)),
    vscode.commands.registerCommand('sendcheck.showConfiguration', async () => {
      const uri = vscode.window.activeTextEditor?.document.uri;
      if (!client || !uri) return undefined;
      const r = await client.sendRequest<ConfigurationResult>('sendcheck/configuration', { uri: uri.toString() });
      const from = r.configFile ? vscode.workspace.asRelativePath(r.configFile) : 'no project configuration file';
      const overrides = r.explicit.length ? `; editor settings that override it: ${r.explicit.join(', ')}` : '';
      const text = `sendcheck settings for ${vscode.workspace.asRelativePath(uri)}: ${from}${overrides}${r.excluded ? ' (the file is excluded)' : ''}`;
      outputChannel.appendLine(`${text}\n${JSON.stringify(r, null, 2)}`);
      const open = r.configFile ? 'Open Configuration File' : undefined;
      void vscode.window.showInformationMessage(text, ...(open ? [open] : [])).then((choice) => {
        if (choice === open && r.configFile) void vscode.window.showTextDocument(vscode.Uri.file(r.configFile));
      });
      return r;
    }),
  );

  await client.start();
}

export async function deactivate(): Promise<void> {
  await client?.stop();
  client = undefined;
}
