import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import type { TestContext } from 'node:test';

export const root = path.resolve(__dirname, '..', '..');
export const resultsDir = path.join(root, 'test-results');
export const isCI = process.env.CI === 'true' || process.env.CI === '1';

/**
 * Editor tests need programs that `npm ci` does not install (code-server, Chromium, Neovim).
 * Locally a missing program skips the test with a loud message; under CI=true (where .ci/run
 * installs them) it fails the test, so a green CI run always means the editors were exercised.
 */
export function requireTools(t: TestContext, tools: Record<string, string | undefined>, howToInstall: string): boolean {
  const missing = Object.entries(tools)
    .filter(([, p]) => !p)
    .map(([name]) => name);
  if (missing.length === 0) return true;
  const message = `${missing.join(', ')} not found; ${howToInstall}`;
  if (isCI) throw new Error(`CI=true but ${message}`);
  process.stderr.write(`\n!!! SKIPPED ${t.name}: ${message}\n\n`);
  t.skip(message);
  return false;
}

export function which(cmd: string): string | undefined {
  const r = spawnSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' });
  const p = r.stdout.trim();
  return r.status === 0 && p ? p : undefined;
}

export function existing(...candidates: (string | undefined)[]): string | undefined {
  return candidates.find((c) => c && fs.existsSync(c));
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as net.AddressInfo).port;
      server.close(() => resolve(port));
    });
  });
}

export function tempDir(prefix: string): string {
  return fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), prefix)));
}

/** A fresh copy of the editor fixture workspace (test/e2e/workspace), which tests may change. */
export function copyWorkspace(): string {
  const dir = tempDir('sendcheck-ws-');
  fs.cpSync(path.join(root, 'test', 'e2e', 'workspace'), dir, { recursive: true });
  // Never checked: node_modules is skipped (created here because node_modules/ is gitignored).
  fs.mkdirSync(path.join(dir, 'node_modules', 'dep'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'node_modules', 'dep', 'index.js'), "new Worker('w.js').postMessage({ f() {} });\n");
  return dir;
}

/**
 * Packages the extension as `npm run package` does, but in a staging folder, so the production
 * rebuild of dist/ it involves never rewrites the bundles other tests are running.
 */
export function packageVsix(outFile: string): { file: string; entries: string[]; bytes: number } {
  const stage = tempDir('sendcheck-vsix-');
  for (const f of ['client', 'server', 'node_modules', 'esbuild.mjs', 'tsconfig.base.json']) fs.symlinkSync(path.join(root, f), path.join(stage, f));
  for (const f of ['package.json', 'README.md', 'CHANGELOG.md', 'LICENSE', '.vscodeignore']) fs.copyFileSync(path.join(root, f), path.join(stage, f));
  fs.cpSync(path.join(root, 'docs'), path.join(stage, 'docs'), { recursive: true });
  fs.mkdirSync(path.dirname(outFile), { recursive: true });
  const vsce = path.join(root, 'node_modules', '@vscode', 'vsce', 'vsce');
  const r = spawnSync(process.execPath, [vsce, 'package', '--no-dependencies', '--out', outFile], { cwd: stage, encoding: 'utf8', timeout: 180_000 });
  if (r.status !== 0) throw new Error(`vsce package failed (${r.status}):\n${r.stdout}\n${r.stderr}`);
  const list = spawnSync('python3', ['-c', 'import sys, zipfile; print("\\n".join(zipfile.ZipFile(sys.argv[1]).namelist()))', outFile], { encoding: 'utf8' });
  const entries = list.status === 0 ? list.stdout.split('\n').filter(Boolean) : [];
  fs.rmSync(stage, { recursive: true, force: true });
  return { file: outFile, entries, bytes: fs.statSync(outFile).size };
}
