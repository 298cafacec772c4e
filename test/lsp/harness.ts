import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PassThrough } from 'node:stream';
import { after } from 'node:test';
import {
  createProtocolConnection,
  type ClientCapabilities,
  type Diagnostic,
  type InitializeResult,
  type ProtocolConnection,
  type PublishDiagnosticsParams,
} from 'vscode-languageserver-protocol/node';
import { createConnection } from 'vscode-languageserver/node';
import { createChecker } from '../../server/src/check';
import type { Finding, LanguageEngine } from '../../server/src/engine/types';
import { startSession, type SessionOptions } from '../../server/src/lsp/session';

export const root = path.resolve(__dirname, '..', '..');

/** An LSP client connection plus everything the server sent it, with bounded waits. */
export class TestClient {
  readonly published: PublishDiagnosticsParams[] = [];
  readonly logs: { type: number; message: string }[] = [];
  readonly shown: { type: number; message: string }[] = [];
  readonly progress: { token: string | number; value: { kind: string; title?: string; message?: string; percentage?: number; cancellable?: boolean } }[] = [];
  readonly notifications: { method: string; params: unknown }[] = [];
  settings: unknown = {};
  filesExclude: unknown = {};
  private listeners = new Set<() => void>();

  constructor(
    readonly connection: ProtocolConnection,
    private readonly onDispose: () => void,
    private readonly inProcess = false,
  ) {
    connection.onNotification('textDocument/publishDiagnostics', (p: PublishDiagnosticsParams) => this.push(() => this.published.push(p)));
    connection.onNotification('window/logMessage', (p: { type: number; message: string }) => this.push(() => this.logs.push(p)));
    connection.onNotification('window/showMessage', (p: { type: number; message: string }) => this.push(() => this.shown.push(p)));
    connection.onNotification('$/progress', (p: TestClient['progress'][number]) => this.push(() => this.progress.push(p)));
    connection.onNotification('sendcheck/status', (params: unknown) => this.push(() => this.notifications.push({ method: 'sendcheck/status', params })));
    connection.onRequest('window/showMessageRequest', () => null);
    connection.onRequest('window/workDoneProgress/create', () => null);
    connection.onRequest('client/registerCapability', () => null);
    connection.onRequest('workspace/diagnostic/refresh', () => null);
    connection.onRequest('workspace/configuration', (p: { items: { section?: string }[] }) =>
      p.items.map((i) => (i.section === 'files.exclude' ? this.filesExclude : this.settings)),
    );
    connection.listen();
  }

  private push(f: () => void): void {
    f();
    for (const l of [...this.listeners]) l();
  }

  /** Resolves when `pick` returns a value, re-evaluated on every message from the server. */
  waitFor<T>(what: string, pick: () => T | undefined | false, timeoutMs = 15_000): Promise<T> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const v = pick();
        if (v !== undefined && v !== false) {
          cleanup();
          resolve(v as T);
        }
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}; logs:\n${this.logs.map((l) => l.message).join('\n')}`));
      }, timeoutMs);
      const cleanup = () => {
        clearTimeout(timer);
        this.listeners.delete(check);
      };
      this.listeners.add(check);
      check();
    });
  }

  /** The latest diagnostics published for `uri` once `accept` holds for them. */
  diagnosticsFor(uri: string, accept: (p: PublishDiagnosticsParams) => boolean = () => true, timeoutMs?: number): Promise<Diagnostic[]> {
    return this.waitFor(
      `diagnostics for ${uri}`,
      () => {
        const last = [...this.published].reverse().find((p) => p.uri === uri);
        return last && accept(last) ? last.diagnostics : undefined;
      },
      timeoutMs,
    );
  }

  async initialize(rootDir: string, capabilities: ClientCapabilities = defaultCapabilities, initializationOptions: unknown = {}): Promise<InitializeResult> {
    const uri = pathUri(rootDir);
    const result = (await this.connection.sendRequest('initialize', {
      // In-process servers must not watch their own process (that interval would keep the tests alive).
      processId: this.inProcess ? null : process.pid,
      rootUri: uri,
      workspaceFolders: [{ uri, name: path.basename(rootDir) }],
      capabilities,
      initializationOptions,
    })) as InitializeResult;
    await this.connection.sendNotification('initialized', {});
    return result;
  }

  async open(file: string, text = fs.readFileSync(file, 'utf8'), version = 1): Promise<string> {
    const uri = pathUri(file);
    const languageId = file.endsWith('.py') ? 'python' : file.endsWith('.ts') ? 'typescript' : 'javascript';
    await this.connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId, version, text } });
    return uri;
  }

  async replace(uri: string, text: string, version: number): Promise<void> {
    await this.connection.sendNotification('textDocument/didChange', { textDocument: { uri, version }, contentChanges: [{ text }] });
  }

  /** Shuts the server down politely (bounded), then drops the connection. */
  async dispose(): Promise<void> {
    this.listeners.clear();
    try {
      await Promise.race([this.connection.sendRequest('shutdown').catch(() => undefined), new Promise((r) => setTimeout(r, 2000))]);
    } catch {
      /* already closed */
    }
    this.connection.dispose();
    this.onDispose();
  }
}

export const defaultCapabilities: ClientCapabilities = {
  workspace: {
    configuration: true,
    didChangeWatchedFiles: { dynamicRegistration: true },
    didChangeConfiguration: { dynamicRegistration: true },
    workspaceEdit: { documentChanges: true },
  },
  window: { workDoneProgress: true },
  textDocument: { publishDiagnostics: { relatedInformation: true, versionSupport: true, codeDescriptionSupport: true, dataSupport: true } },
};

export function pathUri(file: string): string {
  return new URL(`file://${path.resolve(file)}`).href;
}

/** The session in this process, over in-memory streams, checking with the given engines. */
export function inProcess(engines: LanguageEngine[], options: SessionOptions = {}): TestClient {
  const toServer = new PassThrough();
  const toClient = new PassThrough();
  const serverConnection = createConnection(toServer, toClient);
  startSession(serverConnection, createChecker(engines), options);
  const client = createProtocolConnection(toClient, toServer);
  // The streams stay open: vscode-languageserver exits the process when its input closes.
  return new TestClient(client, () => serverConnection.dispose(), true);
}

/**
 * `inProcess` for one test file: every client it starts is disposed after the file's tests, so a
 * failing test does not leave a session holding the process open.
 */
export function inProcessForFile(): (...args: Parameters<typeof inProcess>) => TestClient {
  const clients: TestClient[] = [];
  after(() => Promise.all(clients.map((c) => c.dispose())));
  return (...args) => {
    const c = inProcess(...args);
    clients.push(c);
    return c;
  };
}

/** The bundled server as an editor starts it: `sendcheck --lsp --stdio`. */
export function spawnStdio(cwd = root): { client: TestClient; child: ChildProcess; stderr: () => string } {
  const child = spawn(process.execPath, [path.join(root, 'bin', 'sendcheck.js'), '--lsp', '--stdio'], { cwd, stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += d));
  const killTimer = setTimeout(() => child.kill('SIGKILL'), 120_000);
  killTimer.unref();
  const client = new TestClient(createProtocolConnection(child.stdout!, child.stdin!), () => {
    clearTimeout(killTimer);
    if (child.exitCode === null) {
      child.stdin!.end();
      setTimeout(() => child.exitCode === null && child.kill(), 2000).unref();
    }
  });
  return { client, child, stderr: () => stderr };
}

export function tempTree(files: Record<string, string>): string {
  const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'sendcheck-lsp-')));
  for (const [rel, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), text);
  }
  return dir;
}

export interface FakeEngine extends LanguageEngine {
  calls: { file: string; text: string }[];
}

/**
 * A stand-in JS engine with predictable findings, so the server's mechanics are tested apart
 * from the real analysis: every `bad(` is a `no-function` error with a preferred fix (rename to
 * `good`) and an unsafe one (delete the line); a file containing `explode()` makes it throw.
 */
export function fakeEngine(options: { delayMs?: number } = {}): FakeEngine {
  const calls: FakeEngine['calls'] = [];
  return {
    language: 'js',
    rules: [{ id: 'no-function', language: 'js', defaultSeverity: 'error', summary: 'functions cannot be cloned' }],
    calls,
    handles: (file) => /\.(m|c)?[jt]s$/.test(file),
    check({ files, host, isCancelled }) {
      const findings: Finding[] = [];
      for (const file of files) {
        if (isCancelled?.()) break;
        const text = host.readFile(file) ?? '';
        calls.push({ file, text });
        if (options.delayMs) {
          const until = Date.now() + options.delayMs;
          while (Date.now() < until);
        }
        if (text.includes('explode()')) throw new Error('the fake engine exploded');
        text.split('\n').forEach((line, i) => {
          for (const m of line.matchAll(/bad\(/g)) {
            const range = { start: { line: i, character: m.index! }, end: { line: i, character: m.index! + 3 } };
            findings.push({
              file,
              range,
              rule: 'no-function',
              severity: 'error',
              message: `job.onDone is a function: functions cannot be cloned (DataCloneError)`,
              path: 'job.onDone',
              related: [{ file, range: { start: { line: 0, character: 0 }, end: { line: 0, character: 1 } }, message: 'onDone is declared here' }],
              fixes: [
                { title: 'Replace bad with good', id: 'rename', preferred: true, edits: [{ file, range, newText: 'good' }] },
                {
                  title: 'Delete the call',
                  id: 'delete',
                  preferred: false,
                  edits: [{ file, range: { start: { line: i, character: 0 }, end: { line: i + 1, character: 0 } }, newText: '' }],
                },
              ],
            });
          }
        });
      }
      return findings;
    },
  };
}

export { copyWorkspace } from '../e2e/tools';
