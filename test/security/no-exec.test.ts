import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { spawn } from 'node:child_process';
import { createProtocolConnection } from 'vscode-languageserver-protocol/node';
import { defaultCapabilities, pathUri, TestClient } from '../lsp/harness';

// The checker reads source; it never runs it. This workspace is booby-trapped: code that writes
// a marker file when loaded or imported, a tsconfig whose `extends` chain and `plugins` point
// outside the workspace and at a plugin that would write a marker, package.json scripts, a
// symlink out of the workspace. After a full check nothing may have run and nothing outside the
// workspace may have been read (sendcheck's own install folder and the system's excepted).

const root = path.resolve(__dirname, '..', '..');
const tracer = path.join(__dirname, 'read-tracer.cjs');

function trap() {
  const base = fs.mkdtempSync(path.join(os.tmpdir(), 'sendcheck-trap-'));
  const ws = path.join(base, 'ws');
  const outside = path.join(base, 'outside');
  const marker = path.join(base, 'MARKER');
  const write = (f: string, text: string) => {
    fs.mkdirSync(path.dirname(f), { recursive: true });
    fs.writeFileSync(f, text);
  };
  const boom = (what: string) => `require('node:fs').appendFileSync(${JSON.stringify(marker)}, ${JSON.stringify(what + '\n')});`;
  write(path.join(outside, 'tsconfig.base.json'), JSON.stringify({ compilerOptions: { plugins: [{ name: 'evil-plugin' }] } }));
  write(path.join(outside, 'secret.ts'), 'export const secret = 1;\n');
  write(path.join(ws, 'tsconfig.json'), JSON.stringify({ extends: '../outside/tsconfig.base.json', compilerOptions: { plugins: [{ name: 'evil-plugin' }], allowJs: true }, include: ['**/*', '../outside/**/*'] }));
  write(path.join(ws, 'node_modules', 'evil-plugin', 'package.json'), JSON.stringify({ name: 'evil-plugin', main: 'index.js' }));
  write(path.join(ws, 'node_modules', 'evil-plugin', 'index.js'), `${boom('ts plugin loaded')}\nmodule.exports = () => ({ create: (i) => i.languageService });\n`);
  write(path.join(ws, 'package.json'), JSON.stringify({ name: 'trap', scripts: { postinstall: boom('postinstall'), prepare: boom('prepare') } }));
  write(path.join(ws, 'worker.js'), `${boom('worker.js loaded')}\nconst { Worker } = require('node:worker_threads');\nnew Worker(__filename).postMessage({ f() {} });\n`);
  write(path.join(ws, 'main.ts'), `import './worker';\nimport { secret } from '../outside/secret';\nconst w = new Worker('x');\nw.postMessage({ secret, cb: () => 1 });\n`);
  write(path.join(ws, 'evil.py'), `open(${JSON.stringify(marker)}, "a").write("evil.py imported\\n")\n`);
  write(path.join(ws, 'app.py'), 'import evil\nimport multiprocessing as mp\nimport threading\n\nif __name__ == "__main__":\n    with mp.Pool(2) as pool:\n        pool.map(print, [threading.Lock()])\n');
  write(path.join(ws, 'conftest.py'), `open(${JSON.stringify(marker)}, "a").write("conftest\\n")\n`);
  write(path.join(ws, 'setup.py'), `open(${JSON.stringify(marker)}, "a").write("setup.py\\n")\n`);
  fs.symlinkSync(outside, path.join(ws, 'linked-outside'));
  return { base, ws, outside, marker };
}

function readsOutside(traceFile: string, ws: string): string[] {
  // sendcheck's own code cache (bin/sendcheck.js keeps V8's compiled bundle per user) is its own file.
  const codeCache = path.join(process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache'), 'sendcheck');
  const allowed = [ws, root, codeCache, path.dirname(process.execPath), '/proc', '/dev', '/sys', '/etc', '/usr', '/lib'];
  const lines = fs.existsSync(traceFile) ? fs.readFileSync(traceFile, 'utf8').split('\n').filter(Boolean) : [];
  // Module resolution looks for package typings in a `node_modules` folder above the workspace,
  // as tsc does (a monorepo's hoisted install): those folders, package.json and declaration files
  // may be probed there, nothing else.
  const typingsAbove = (p: string): boolean => {
    const m = /^(.*?)\/node_modules(\/.*)?$/.exec(p);
    if (!m || !(ws === m[1] || ws.startsWith((m[1] || '') + path.sep))) return false;
    const base = path.basename(p);
    return base === 'package.json' || /\.d\.[cm]?ts$/.test(base) || !base.includes('.') || base === 'node_modules';
  };
  return lines.filter((p) => {
    if (!path.isAbsolute(p)) p = path.resolve(ws, p);
    if (typingsAbove(path.resolve(p))) return false;
    // TypeScript probes case sensitivity by stat-ing its own path upper-cased.
    const real = path.resolve(p);
    return !allowed.some((a) => [real, real.toLowerCase()].some((r) => r === a.toLowerCase() || r === a || r.startsWith(a + path.sep) || r.startsWith(a.toLowerCase() + path.sep)));
  });
}

test('the CLI checks a booby-trapped workspace without running or reading outside it', () => {
  const t = trap();
  const traceFile = path.join(t.base, 'trace.txt');
  const r = spawnSync(process.execPath, ['-r', tracer, path.join(root, 'bin', 'sendcheck.js'), '--format', 'json', '.'], {
    cwd: t.ws,
    encoding: 'utf8',
    timeout: 120_000,
    env: { ...process.env, SENDCHECK_TRACE_FILE: traceFile },
  });
  assert.ok(r.status === 0 || r.status === 1, `exit ${r.status}: ${r.stderr}`);
  assert.equal(fs.existsSync(t.marker), false, `workspace code ran: ${fs.existsSync(t.marker) ? fs.readFileSync(t.marker, 'utf8') : ''}`);
  const findings = JSON.parse(r.stdout) as { file: string; rule: string }[];
  assert.ok(!findings.some((f) => f.file.includes('outside')), 'reported a file outside the workspace');
  assert.ok(findings.some((f) => f.file === 'main.ts'), `the trap's own findings are still reported: ${r.stdout}`);
  assert.deepEqual(readsOutside(traceFile, t.ws), []);
});

test('the language server scans the same workspace without running or reading outside it', async () => {
  const t = trap();
  const traceFile = path.join(t.base, 'trace-server.txt');
  const child = spawn(process.execPath, ['-r', tracer, path.join(root, 'bin', 'sendcheck.js'), '--lsp', '--stdio'], {
    cwd: t.ws,
    stdio: ['pipe', 'pipe', 'pipe'],
    env: { ...process.env, SENDCHECK_TRACE_FILE: traceFile },
  });
  const killTimer = setTimeout(() => child.kill('SIGKILL'), 120_000);
  const client = new TestClient(createProtocolConnection(child.stdout!, child.stdin!), () => {
    clearTimeout(killTimer);
    child.stdin!.end();
    setTimeout(() => child.exitCode === null && child.kill(), 2000).unref();
  });
  try {
    await client.initialize(t.ws, defaultCapabilities);
    // The scan publishes the closed files' findings: the trap's main.ts among them.
    const mainUri = pathUri(path.join(t.ws, 'main.ts'));
    const diags = await client.diagnosticsFor(mainUri, (p) => p.diagnostics.length > 0, 60_000);
    assert.ok(diags.some((d) => d.code === 'no-function'), JSON.stringify(diags));
    await client.waitFor('the end of the workspace scan', () => client.progress.some((p) => p.value.kind === 'end'), 60_000);
    assert.ok(!client.published.some((p) => p.uri.includes('/outside/')), 'published diagnostics for a file outside the workspace');
  } finally {
    await client.dispose();
  }
  assert.equal(fs.existsSync(t.marker), false, `workspace code ran: ${fs.existsSync(t.marker) ? fs.readFileSync(t.marker, 'utf8') : ''}`);
  assert.deepEqual(readsOutside(traceFile, t.ws), []);
});
