// Runs inside VS Code (through @vscode/test-electron), bundled by electron.test.ts. The
// extension under development is this repository; the workspace is a copy of the fixture.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';

const deadline = (ms: number) => Date.now() + ms;

async function until<T>(what: string, probe: () => T | undefined, ms = 60_000): Promise<T> {
  const end = deadline(ms);
  for (;;) {
    const v = probe();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

function sendcheckDiagnostics(uri: vscode.Uri): vscode.Diagnostic[] {
  return vscode.languages.getDiagnostics(uri).filter((d) => d.source === 'sendcheck');
}

export async function run(): Promise<void> {
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
  assert.ok(folder, 'a workspace folder is open');
  const thumbnails = vscode.Uri.joinPath(folder, 'src', 'thumbnails.mjs');
  const crawler = vscode.Uri.joinPath(folder, 'jobs', 'crawler.py');

  const doc = await vscode.workspace.openTextDocument(thumbnails);
  const editor = await vscode.window.showTextDocument(doc);
  const extension = vscode.extensions.getExtension('sendcheck.sendcheck');
  assert.ok(extension, 'the extension is installed');
  await until('activation', () => (extension.isActive ? true : undefined));

  // The squiggle: an error on line 13 over `job`, whose message names the bad member and links home.
  const js = await until('diagnostics for thumbnails.mjs', () => sendcheckDiagnostics(thumbnails).find((d) => d.range.start.line === 12));
  assert.equal(js.severity, vscode.DiagnosticSeverity.Error);
  assert.equal(doc.getText(js.range), 'job');
  assert.match(js.message, /onDone/);
  const code = js.code as { value: string; target: vscode.Uri };
  assert.match(code.target.toString(), new RegExp(`docs/rules/${code.value}\\.md$`));

  // The Problems panel's source: the never-opened Python file has its finding too.
  const py = await until('diagnostics for crawler.py', () => sendcheckDiagnostics(crawler).find((d) => d.range.start.line === 15));
  assert.match(py.message, /Queue|urls/);
  assert.ok(!vscode.workspace.textDocuments.some((d) => d.uri.toString() === crawler.toString()), 'crawler.py was never opened');

  // The lightbulb: the quick fix for this diagnostic, applied.
  const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', thumbnails, js.range, vscode.CodeActionKind.QuickFix.value);
  const ignore = actions.find((a) => a.title === `Ignore ${code.value} on this line`);
  assert.ok(ignore?.edit, `offered: ${actions.map((a) => a.title).join(', ')}`);
  assert.ok(await vscode.workspace.applyEdit(ignore.edit));
  assert.equal(doc.lineAt(12).text, `  // sendcheck-ignore-next-line ${code.value}`);
  await until('the squiggle to go', () => (sendcheckDiagnostics(thumbnails).length === 0 ? true : undefined));

  // The commands the extension contributes are registered.
  const commands = await vscode.commands.getCommands(true);
  for (const c of ['sendcheck.checkWorkspace', 'sendcheck.restartServer', 'sendcheck.showOutput']) assert.ok(commands.includes(c), c);
  await vscode.commands.executeCommand('sendcheck.checkWorkspace');
  void editor;
}
