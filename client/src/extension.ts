import * as path from 'node:path';
import * as vscode from 'vscode';
import { ExecuteCommandRequest, LanguageClient, State, TransportKind, type LanguageClientOptions, type ServerOptions } from 'vscode-languageclient/node';

// The VS Code face of sendcheck: start the language server, forward settings, offer three
// commands and a status bar item. No analysis happens here.

const checkWorkspaceCommand = 'sendcheck.checkWorkspace';
const documentSelector = ['javascript', 'javascriptreact', 'typescript', 'typescriptreact', 'python'].map((language) => ({ scheme: 'file', language }));

interface StatusParams {
  state: 'starting' | 'checking' | 'idle';
  files: number;
  findings: number;
}

let client: LanguageClient | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  const serverModule = context.asAbsolutePath(path.join('dist', 'server.js'));
  const serverOptions: ServerOptions = {
    run: { module: serverModule, transport: TransportKind.ipc },
    debug: { module: serverModule, transport: TransportKind.ipc, options: { execArgv: ['--nolazy', '--inspect=6019'] } },
  };
  const outputChannel = vscode.window.createOutputChannel('sendcheck', { log: true });
  const clientOptions: LanguageClientOptions = {
    documentSelector,
    outputChannel,
    // The server pushes; letting the client also pull would list every problem twice.
    initializationOptions: { diagnosticMode: 'push', commandsHandledByClient: true },
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
  );

  await client.start();
}

export async function deactivate(): Promise<void> {
  await client?.stop();
  client = undefined;
}
