// The language server's fuzz harness: `npm run fuzz [-- --seed N --edits N --bad-files N
// --tiny-files N --seconds N]`. It drives the stdio server with random edits to the fixtures,
// hostile files (binary, NUL, invalid UTF-8, a 10 MB single line, 50 000-deep nesting, many tiny
// files), open/change/close storms, cancellations and requests for ranges outside the document,
// and the newer kinds (writeHostileKinds): broken and huge notebooks, broken project
// configuration files, paths outside the workspace, circular tsconfig `extends`, symbolic link
// loops, a 5 000-module Python import cycle, an edit storm across two files that call each other.
// Pass: no crash, no unhandled rejection, every request answered or cancelled, every
// diagnostics response within 2 s, start-up diagnostics within 1.5 s, peak RSS (VmHWM, the whole run) within 800 MiB,
// each new kind's log line seen and no file outside the workspace read. The last line prints
// the counts; the exit code is 1 when any of them fails, and then the slowest ten answers are
// listed with what the server was doing meanwhile.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';

const require = createRequire(import.meta.url);
const { createProtocolConnection, StreamMessageReader, StreamMessageWriter, CancellationTokenSource } = require('vscode-languageserver-protocol/node');

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..');
const argv = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? Number(argv[i + 1]) : dflt;
};
const seed = opt('seed', 1);
const editTarget = opt('edits', 10_000);
const badFileTarget = opt('bad-files', 1_000);
const tinyFiles = opt('tiny-files', 100_000);
const seconds = opt('seconds', 600);
const slowMs = opt('slow-ms', 2_000);
const maxRssMiB = opt('max-rss-mib', 800);
const startupBudgetMs = opt('startup-ms', 1_500);
const serverJs = path.join(root, 'dist', 'server.js');

let state = seed >>> 0 || 1;
function rand() {
  state = (state + 0x6d2b79f5) >>> 0;
  let t = state;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
const int = (n) => Math.floor(rand() * n);
const pick = (xs) => xs[int(xs.length)];

function listFixtures() {
  const out = [];
  const walk = (d) => {
    if (!fs.existsSync(d)) return;
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const full = path.join(d, e.name);
      if (e.isDirectory()) walk(full);
      else if (/\.(m?[jt]sx?|py)$/.test(e.name) && !e.name.endsWith('.d.ts')) out.push(full);
    }
  };
  walk(path.join(root, 'test', 'fixtures'));
  walk(path.join(root, 'examples'));
  return out;
}

const snippets = [
  '(', ')', '{', '}', '[', ']', '"', "'", '`', '\\', '\n', '\r\n', '\t', '    ', '  ', ':', ';', ',',
  'postMessage(', 'worker.postMessage({ fn: () => 1 })', 'structuredClone(', 'new Worker(', '=>', 'function ',
  'lambda x: x', 'def f(', 'class C:', 'Pool().map(', 'threading.Lock()', 'import multiprocessing as mp\n',
  'pickle.dumps(', 'Process(target=', 'args=(', '/*', '*/', '#', '"""', "'''", '${', '\u0000', '\uFFFD', '\uD800',
  'é', '𝔘', '\u200B', 'async ', 'await ', 'yield ', '@decorator\n', 'if __name__ == "__main__":\n',
];

function mutate(text) {
  const kind = int(7);
  const at = int(text.length + 1);
  switch (kind) {
    case 0: // insert a snippet or several
      return text.slice(0, at) + Array.from({ length: 1 + int(4) }, () => pick(snippets)).join('') + text.slice(at);
    case 1: { // delete a range
      const end = Math.min(text.length, at + int(80));
      return text.slice(0, at) + text.slice(end);
    }
    case 2: // truncate mid-token
      return text.slice(0, at);
    case 3: { // unbalance brackets and quotes
      return text.slice(0, at) + pick(['((((', '}}}', '[[', '"unterminated', "'", '`${', '"""']) + text.slice(at);
    }
    case 4: // mixed indentation (Python) / random whitespace
      return text.replace(/\n( {4})/g, (m) => (rand() < 0.3 ? '\n\t' : m));
    case 5: { // duplicate a chunk
      const end = Math.min(text.length, at + int(200));
      return text.slice(0, end) + text.slice(at, end) + text.slice(end);
    }
    default: // random bytes as text
      return text.slice(0, at) + String.fromCharCode(...Array.from({ length: 1 + int(30) }, () => int(0x3000))) + text.slice(at);
  }
}

/** Writes the hostile files; returns their paths (the tiny ones are counted, not listed). */
function writeBadFiles(ws, count) {
  const dir = path.join(ws, 'bad');
  fs.mkdirSync(dir, { recursive: true });
  const files = [];
  const big = 'const x = [' + '1,'.repeat(5_000_000) + '];'; // ~10 MB on one line
  fs.writeFileSync(path.join(dir, 'huge-line.js'), big);
  files.push(path.join(dir, 'huge-line.js'));
  fs.writeFileSync(path.join(dir, 'deep.ts'), 'const d = ' + '('.repeat(50_000) + '1' + ')'.repeat(50_000) + ';\nworker.postMessage(d);\n');
  fs.writeFileSync(path.join(dir, 'deep.py'), 'x = ' + '['.repeat(50_000) + ']'.repeat(50_000) + '\npickle.dumps(x)\n');
  files.push(path.join(dir, 'deep.ts'), path.join(dir, 'deep.py'));
  for (let i = files.length; i < count; i++) {
    const ext = pick(['.ts', '.js', '.py', '.tsx', '.mjs']);
    const kind = int(4);
    let buf;
    if (kind === 0) buf = Buffer.from(Array.from({ length: 1 + int(4000) }, () => int(256)));
    else if (kind === 1) buf = Buffer.concat([Buffer.from('import multiprocessing\nworker.postMessage('), Buffer.from([0, 0, 0xff, 0xfe]), Buffer.from(')\n')]);
    else if (kind === 2) buf = Buffer.from([0xc3, 0x28, 0xa0, 0xa1, 0xe2, 0x28, 0xa1, 0x0a, 0x70, 0x6f, 0x73, 0x74, 0x4d, 0x65, 0x73, 0x73, 0x61, 0x67, 0x65, 0x28]);
    else buf = Buffer.from(mutate(mutate('worker.postMessage({ a: () => 1 });\npool.map(lambda x: x, [1])\n')));
    const f = path.join(dir, `bad${i}${ext}`);
    fs.writeFileSync(f, buf);
    files.push(f);
  }
  const tiny = path.join(ws, 'tiny');
  for (let i = 0; i < tinyFiles; i++) {
    const sub = path.join(tiny, String(Math.floor(i / 1000)));
    if (i % 1000 === 0) fs.mkdirSync(sub, { recursive: true });
    fs.writeFileSync(path.join(sub, `t${i}${i % 2 ? '.py' : '.js'}`), i % 2 ? 'x = 1\n' : 'export const x = 1;\n');
  }
  return files;
}

/**
 * The hostile inputs the newer features meet, one folder each, with what must be seen of them:
 * a log line naming the problem (`logs`), or nothing at all but a clean skip. None may crash,
 * hang, slow an answer down, or make the server read a file outside the workspace.
 */
function writeHostileKinds(ws, outside) {
  const w = (rel, data) => {
    const f = path.join(ws, rel);
    fs.mkdirSync(path.dirname(f), { recursive: true });
    fs.writeFileSync(f, data);
    return f;
  };
  const kinds = [];
  // Notebooks: invalid JSON, cells of the wrong type, 10 000 cells, an output of 50 MB.
  const cell = (src) => ({ cell_type: 'code', metadata: {}, execution_count: null, outputs: [], source: src });
  const nb = (cells) => JSON.stringify({ nbformat: 4, nbformat_minor: 5, metadata: {}, cells });
  kinds.push({
    kind: 'notebook',
    files: [
      w('nb/invalid.ipynb', '{"cells": [ {"cell_type": "code", "source": ["import pickle\n", '),
      w('nb/wrong-types.ipynb', JSON.stringify({ nbformat: 4, cells: [1, 'x', null, { cell_type: 5, source: 7 }, { cell_type: 'code', source: { a: 1 } }, { cell_type: 'code', source: [1, null] }] })),
      w('nb/many-cells.ipynb', nb(Array.from({ length: 10_000 }, (_, i) => cell([`def f${i}(x):\n`, `    return x + ${i}\n`, i % 100 === 0 ? 'from multiprocessing import Pool\nPool().map(lambda x: x, [1])\n' : ''])))),
      w('nb/huge-output.ipynb', nb([cell(['import pickle\n', 'pickle.dumps(lambda: 1)\n']), { ...cell(['print(1)\n']), outputs: [{ output_type: 'stream', name: 'stdout', text: ['x'.repeat(50 * 1024 * 1024)] }] }])),
    ],
    logs: [],
    // The server's behaviour: a notebook opened as text (its JSON) is answered with no diagnostics
    // at once, never "changed, ask again"; a closed one is checked by the CLI, which skips a broken
    // one with a clear line. Either a clear line or silence; never a crash or an error answer.
  });
  // Project configuration files that cannot be parsed or hold values of the wrong type.
  w('cfg-toml/pyproject.toml', '[tool.sendcheck\nrules = { "py-lambda" = \n');
  w('cfg-toml/a.py', 'from multiprocessing import Pool\nPool().map(lambda x: x, [1])\n');
  w('cfg-pkg/package.json', '{ "name": "x", "sendcheck": { "rules": ');
  w('cfg-pkg/a.js', 'new Worker("w.js").postMessage({ f() {} });\n');
  w('cfg-json/sendcheck.json', JSON.stringify({ rules: 7, exclude: 'nope', languages: { python: 'yes' }, sinks: [{ language: 'cobol' }], maxFileSize: -1 }));
  w('cfg-json/a.py', 'import pickle\npickle.dumps(lambda: 1)\n');
  kinds.push({ kind: 'config', files: ['cfg-toml/a.py', 'cfg-pkg/a.js', 'cfg-json/a.py'].map((f) => path.join(ws, f)), logs: [/cfg-toml[\\/]pyproject\.toml/, /cfg-pkg[\\/]package\.json/, /cfg-json[\\/]sendcheck\.json/] });
  // Globs and paths that point outside the workspace: refused, and the file there never read.
  w('cfg-out/sendcheck.json', JSON.stringify({ exclude: ['../../**', '/etc/**', '../*.py'], baseline: path.relative(path.join(ws, 'cfg-out'), path.join(outside, 'baseline.json')) }));
  w('cfg-out/a.py', 'import pickle\npickle.dumps(lambda: 1)\n');
  fs.writeFileSync(path.join(outside, 'baseline.json'), JSON.stringify({ version: 1, findings: [] }));
  kinds.push({ kind: 'outside-paths', files: [path.join(ws, 'cfg-out/a.py')], logs: [/exclude\[0\]/, /exclude\[1\]/, /baseline .*baseline\.json cannot be read/] });
  // tsconfig files that extend each other in a circle.
  w('tscycle/tsconfig.json', JSON.stringify({ extends: './b.json', compilerOptions: { strict: true } }));
  w('tscycle/b.json', JSON.stringify({ extends: './tsconfig.json' }));
  w('tscycle/a.ts', 'const w = new Worker("w.js");\nw.postMessage({ f: () => 1 });\n');
  kinds.push({ kind: 'tsconfig-cycle', files: [path.join(ws, 'tscycle/a.ts')], logs: [] });
  // Symbolic link loops, and a link out of the workspace.
  w('links/real.py', 'x = 1\n');
  const link = (target, rel) => {
    try {
      fs.symlinkSync(target, path.join(ws, rel));
    } catch {}
  };
  link('.', 'links/self');
  link('loop-b', 'links/loop-a');
  link('loop-a', 'links/loop-b');
  link('loop.py', 'links/loop.py');
  link(path.join(outside, 'secret.py'), 'links/secret.py');
  fs.writeFileSync(path.join(outside, 'secret.py'), 'import pickle\npickle.dumps(lambda: "read from outside")\n');
  kinds.push({ kind: 'symlink-loop', files: [path.join(ws, 'links/loop.py')], logs: [] });
  // A 5 000-module Python import cycle for the value-flow summaries: each function passes its
  // argument on to the next module's, the last one sends it.
  const n = 5_000;
  for (let i = 0; i < n; i++) {
    const next = (i + 1) % n;
    const body =
      i === n - 1
        ? `from multiprocessing import Pool\nimport m0\n\ndef f${i}(x):\n    with Pool() as p:\n        return p.map(x, [1])\n`
        : `import m${next}\n\ndef f${i}(x):\n    return m${next}.f${next}(x)\n`;
    w(`cycle/m${i}.py`, i === 0 ? `${body}\nf0(lambda v: v)\n` : body);
  }
  kinds.push({ kind: 'import-cycle', files: [path.join(ws, 'cycle/m0.py'), path.join(ws, `cycle/m${n - 1}.py`)], logs: [] });
  // Two files that call each other, for the edit storm.
  w('storm/a.py', 'import b\nfrom multiprocessing import Pool\n\ndef send(x):\n    with Pool() as p:\n        return p.map(b.work, x)\n\ndef back(y):\n    return b.work(y)\n');
  w('storm/b.py', 'import a\n\ndef work(v):\n    return a.back(v) if v else v\n\ndef go():\n    a.send([lambda: 1])\n');
  w('storm/a.ts', 'import { work } from "./b";\nexport function send(x: unknown) {\n  new Worker("w.js").postMessage(x);\n}\nexport function back(y: () => void) {\n  return work(y);\n}\n');
  w('storm/b.ts', 'import { send, back } from "./a";\nexport function work(v: unknown) {\n  send({ v, f: () => 1 });\n  return back;\n}\n');
  kinds.push({ kind: 'edit-storm', files: ['a.py', 'b.py', 'a.ts', 'b.ts'].map((f) => path.join(ws, 'storm', f)), logs: [] });
  return kinds;
}

/** CPU time (user + system, ms) a live process has used so far (Linux: /proc/<pid>/stat, 10 ms ticks), or NaN. */
function cpuMsOf(pid) {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) * 10;
  } catch {
    return NaN;
  }
}

/** A slow-answer log line, shortened to its total and the five longest pieces of work that ran meanwhile. */
function summarizeCause(line) {
  const m = /: (\d+ ms); meanwhile: (.*)$/.exec(line);
  if (!m) return line;
  const parts = m[2].split(', ').map((p) => ({ p, ms: Number(/(\d+) ms$/.exec(p)?.[1] ?? 0) }));
  const total = parts.reduce((n, x) => n + x.ms, 0);
  const top = parts.sort((a, b) => b.ms - a.ms).slice(0, 5).map((x) => x.p);
  return `server: ${m[1]}; meanwhile ${parts.length} piece(s) of work, ${total} ms in all, longest: ${top.join(', ')}`;
}

/** The server's resident set now (VmRSS) or its peak so far (VmHWM, start-up and scan included), in MiB; 0 where /proc cannot say. */
function rssMiB(pid, field = 'VmRSS') {
  try {
    const m = new RegExp(`${field}:\\s+(\\d+)`).exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : 0;
  } catch {
    return 0;
  }
}

async function main() {
  if (!fs.existsSync(serverJs)) throw new Error('dist/server.js is missing: run npm run build');
  const deadline = Date.now() + seconds * 1000;
  const ws = fs.mkdtempSync(path.join(os.tmpdir(), 'sendcheck-fuzz-'));
  const fixtures = listFixtures();
  const texts = new Map();
  for (const f of fixtures) {
    const rel = path.relative(root, f);
    const dest = path.join(ws, 'src', rel.replace(/[\\/]/g, '__'));
    fs.mkdirSync(path.dirname(dest), { recursive: true });
    const text = fs.readFileSync(f, 'utf8');
    fs.writeFileSync(dest, text);
    texts.set(dest, text);
  }
  const badFiles = writeBadFiles(ws, badFileTarget);
  const outside = fs.mkdtempSync(path.join(os.tmpdir(), 'sendcheck-fuzz-outside-'));
  const kinds = writeHostileKinds(ws, outside);

  const counts = { edits: 0, files: texts.size, badFiles: badFiles.length, tinyFiles, requests: 0, answered: 0, cancelled: 0, crashes: 0, hangs: 0, slow: 0, slowCpu: 0, unhandled: 0, maxDiagMs: 0, maxDiagCpuMs: 0, startupMs: 0, startupCpuMs: 0, peakRssMiB: 0 };
  let stderr = '';
  const child = spawn(process.execPath, [serverJs, '--stdio'], { cwd: ws, stdio: ['pipe', 'pipe', 'pipe'] });
  child.stderr.on('data', (d) => {
    stderr += d;
    if (stderr.length > 1_000_000) stderr = stderr.slice(-500_000);
  });
  let crashed = false;
  child.on('exit', (code, signal) => {
    if (!shuttingDown) {
      crashed = true;
      counts.crashes++;
      console.error(`fuzz: server exited unexpectedly (code ${code}, signal ${signal})`);
    }
  });
  let shuttingDown = false;
  const conn = createProtocolConnection(new StreamMessageReader(child.stdout), new StreamMessageWriter(child.stdin));
  conn.onRequest('window/workDoneProgress/create', () => null);
  conn.onRequest('workspace/configuration', (p) => p.items.map(() => ({})));
  conn.onRequest('client/registerCapability', () => null);
  conn.onRequest('workspace/diagnostic/refresh', () => null);
  conn.onRequest('workspace/applyEdit', () => ({ applied: false }));
  const logs = [];
  /** What the server said of the notebooks it skipped: each must say why in words (not a valid notebook, too large). */
  const notebookSkips = [];
  /** Error answers (cancellations by the server included) to diagnostics requests for the notebooks. */
  const notebookErrors = [];
  const slowLines = [];
  /** Synchronous work the server reported (over 300 ms): what a request that arrived meanwhile waited for. */
  const busyLines = [];
  conn.onNotification('window/logMessage', (m) => {
    if (m.message.startsWith('sendcheck: slow answer') && slowLines.length < 10_000) slowLines.push({ text: m.message, at: Date.now() });
    const busy = /^sendcheck: busy (\d+) ms from (\d+): (.*)$/.exec(m.message);
    if (busy && busyLines.length < 50_000) busyLines.push({ start: Number(busy[2]), end: Number(busy[2]) + Number(busy[1]), what: busy[3] });
    if (/unhandled/i.test(m.message)) counts.unhandled++;
    // The per-file skip lines of each rescan would crowd out the lines looked for at the end.
    if (logs.length < 50_000 && !m.message.startsWith('sendcheck: skipped ')) logs.push(m.message);
    else if (/^sendcheck: skipped .*\.ipynb: /.test(m.message) && notebookSkips.length < 100) notebookSkips.push(m.message);
  });
  const outsideUri = pathToFileURL(outside).href;
  const secretUri = pathToFileURL(path.join(ws, 'links', 'secret.py')).href;
  let wrongReads = 0;
  conn.onNotification('textDocument/publishDiagnostics', (p) => {
    // A file outside the workspace, or reached through a link out of it, must never be read.
    if (p.diagnostics.length && (p.uri.startsWith(outsideUri) || p.uri === secretUri)) {
      wrongReads++;
      console.error(`fuzz: diagnostics for ${p.uri}, which lies outside the workspace`);
    }
  });
  let scanEnded;
  const scanDone = new Promise((r) => (scanEnded = r));
  conn.onNotification('$/progress', (p) => {
    if (p?.value?.kind === 'end') scanEnded();
  });
  conn.onError(() => {});
  conn.listen();

  const pending = new Set();
  /** Sends a request with a time limit; a request neither answered nor cancelled in 30 s is a hang. */
  async function request(method, params, { cancelAfterMs } = {}) {
    if (crashed) return undefined;
    counts.requests++;
    const cts = new CancellationTokenSource();
    const p = conn.sendRequest(method, params, cts.token);
    pending.add(p);
    if (cancelAfterMs !== undefined) setTimeout(() => cts.cancel(), cancelAfterMs);
    let timer;
    try {
      const r = await Promise.race([p, new Promise((_, rej) => (timer = setTimeout(() => rej(new Error('hang')), 30_000)))]);
      counts.answered++;
      return r;
    } catch (e) {
      if (e?.message === 'hang') {
        counts.hangs++;
        console.error(`fuzz: ${method} not answered within 30 s`);
      } else if (e?.code === -32800 || e?.code === -32802) counts.cancelled++;
      else counts.answered++; // an error response is an answer
      if (e?.message !== 'hang' && method === 'textDocument/diagnostic' && /\.ipynb$/.test(params?.textDocument?.uri ?? '')) notebookErrors.push(`${path.basename(params.textDocument.uri)}: ${e?.code ?? ''} ${e?.message ?? e}`);
      return undefined;
    } finally {
      clearTimeout(timer);
      pending.delete(p);
    }
  }

  /** Every timed diagnostics answer, for the slowest-ten list. */
  const timings = [];
  async function timedDiagnostics(file, what) {
    const uri = pathToFileURL(file).href;
    const t0 = performance.now();
    const c0 = cpuMsOf(child.pid);
    await request('textDocument/diagnostic', { textDocument: { uri } });
    const ms = performance.now() - t0;
    // The server's CPU time meanwhile: on a machine shared with other work, wall time says more about the machine.
    const cpuMs = cpuMsOf(child.pid) - c0;
    timings.push({ ms, cpuMs, file, what, start: Date.now() - ms, end: Date.now() });
    counts.maxDiagMs = Math.max(counts.maxDiagMs, ms);
    if (cpuMs > counts.maxDiagCpuMs) counts.maxDiagCpuMs = cpuMs;
    if (cpuMs > slowMs) counts.slowCpu++;
    if (ms > slowMs) {
      counts.slow++;
      console.error(`fuzz: diagnostics for ${path.relative(ws, file)} (${what}) took ${ms.toFixed(0)} ms`);
    }
    return ms;
  }

  const open = new Map(); // uri -> { version, text, lang }
  const docs = [...texts.keys(), ...badFiles.filter((f) => fs.statSync(f).size < 200_000)];
  const langOf = (f) => (f.endsWith('.py') ? 'python' : /\.tsx?$/.test(f) ? 'typescript' : 'javascript');
  const readText = (f) => texts.get(f) ?? fs.readFileSync(f).toString('latin1');
  const rootUri = pathToFileURL(ws).href;
  const init = await request('initialize', {
    processId: process.pid,
    rootUri,
    workspaceFolders: [{ uri: rootUri, name: 'fuzz' }],
    capabilities: { window: { workDoneProgress: true }, textDocument: { publishDiagnostics: { versionSupport: true }, diagnostic: {}, codeAction: { codeActionLiteralSupport: { codeActionKind: { valueSet: ['quickfix', 'source.fixAll'] } } } }, workspace: { configuration: true, workspaceFolders: true } },
  });
  const pull = !!init?.capabilities?.diagnosticProvider;
  conn.sendNotification('initialized', {});

  // Start-up is measured on its own: the first diagnostics pay for loading TypeScript's library
  // files and the Python grammar once. The 2 s budget is for every response after that.
  const firstDiag = async (file) => {
    const uri = pathToFileURL(file).href;
    conn.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: langOf(file), version: 1, text: readText(file) } });
    const t0 = performance.now();
    if (pull) await request('textDocument/diagnostic', { textDocument: { uri } });
    conn.sendNotification('textDocument/didClose', { textDocument: { uri } });
    return performance.now() - t0;
  };
  const warmFiles = [...texts.keys()].filter((f) => /\.(ts|py)$/.test(f)).slice(0, 1).concat([...texts.keys()].filter((f) => f.endsWith('.py')).slice(0, 1));
  for (const f of warmFiles) counts.startupMs = Math.max(counts.startupMs, await firstDiag(f));
  // The server's CPU from spawn to here: both languages' first diagnostics, the engines' loading included.
  counts.startupCpuMs = cpuMsOf(child.pid);
  await Promise.race([scanDone, new Promise((r) => setTimeout(r, Math.min(120_000, Math.max(0, deadline - Date.now()))))]);

  // The hostile kinds, each opened and asked about as an editor would.
  const kindFailures = [];
  const langOfAny = (f) => (f.endsWith('.ipynb') ? 'json' : langOf(f));
  for (const k of kinds) {
    if (crashed) break;
    const files = (k.files ?? []).filter((f) => fs.existsSync(f) && fs.statSync(f).size < 5_000_000);
    for (const f of files) {
      const uri = pathToFileURL(f).href;
      conn.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: langOfAny(f), version: 1, text: fs.readFileSync(f).toString('utf8') } });
      if (pull) await timedDiagnostics(f, k.kind);
    }
    if (k.kind === 'edit-storm') {
      // Edits across two files that call each other, without waiting, with a pull now and then.
      const docsOf = new Map(files.map((f) => [f, { version: 1, text: fs.readFileSync(f, 'utf8') }]));
      for (let i = 0; i < 400 && !crashed; i++) {
        const f = files[i % files.length];
        const d = docsOf.get(f);
        d.text = rand() < 0.7 ? d.text.replace(/\n$/, '') + `\n${f.endsWith('.py') ? '#' : '//'} ${i}\n` : mutate(d.text);
        d.version++;
        counts.edits++;
        conn.sendNotification('textDocument/didChange', { textDocument: { uri: pathToFileURL(f).href, version: d.version }, contentChanges: [{ text: d.text }] });
        if (i % 7 === 0 && pull) await timedDiagnostics(f, 'edit-storm');
      }
    }
    for (const f of files) conn.sendNotification('textDocument/didClose', { textDocument: { uri: pathToFileURL(f).href } });
  }


  while (counts.edits < editTarget && Date.now() < deadline && !crashed) {
    const file = pick(docs);
    const uri = pathToFileURL(file).href;
    let doc = open.get(uri);
    if (!doc) {
      doc = { version: 1, text: readText(file), lang: langOf(file) };
      open.set(uri, doc);
      conn.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: doc.lang, version: doc.version, text: doc.text } });
    }
    // A storm: several changes without waiting for anything.
    const burst = rand() < 0.2 ? 2 + int(8) : 1;
    for (let b = 0; b < burst && counts.edits < editTarget; b++) {
      doc.text = mutate(doc.text);
      doc.version++;
      counts.edits++;
      conn.sendNotification('textDocument/didChange', { textDocument: { uri, version: doc.version }, contentChanges: [{ text: doc.text }] });
    }
    const r = rand();
    if (r < 0.3 && pull) {
      await timedDiagnostics(file, burst > 1 ? `after a burst of ${burst} edits` : 'after an edit');
    } else if (r < 0.45) {
      // Ranges that may lie outside the document, sometimes cancelled at once.
      const line = pick([0, 5, 1e6, -1 >>> 0]);
      await request(
        'textDocument/codeAction',
        { textDocument: { uri }, range: { start: { line, character: int(500) }, end: { line: line + int(3), character: int(9999) } }, context: { diagnostics: [], only: rand() < 0.3 ? ['source.fixAll.sendcheck'] : undefined } },
        { cancelAfterMs: rand() < 0.3 ? 0 : undefined },
      );
    } else if (r < 0.5) {
      conn.sendNotification('textDocument/didClose', { textDocument: { uri } });
      open.delete(uri);
    } else if (r < 0.52) {
      conn.sendNotification('workspace/didChangeWatchedFiles', { changes: [{ uri, type: pick([1, 2, 3]) }] });
    }
    counts.peakRssMiB = Math.max(counts.peakRssMiB, rssMiB(child.pid));
    if (counts.edits % 200 === 0) await new Promise((res) => setImmediate(res));
  }

  // Everything sent must be answered before shutdown.
  await Promise.allSettled([...pending]);
  // The peak over the whole run (start-up, the scan and the hostile kinds too, which the samples
  // in the edit loop miss), read while the server still lives.
  counts.peakRssMiB = Math.max(counts.peakRssMiB, rssMiB(child.pid, 'VmHWM'));
  if (!crashed) {
    shuttingDown = true;
    await request('shutdown');
    conn.sendNotification('exit');
    await new Promise((res) => {
      const t = setTimeout(() => {
        counts.hangs++;
        child.kill('SIGKILL');
        res();
      }, 10_000);
      child.once('exit', () => {
        clearTimeout(t);
        res();
      });
    });
  }
  if (/Unhandled|unhandledRejection|UnhandledPromiseRejection/i.test(stderr)) counts.unhandled++;
  if (counts.peakRssMiB > maxRssMiB) console.error(`fuzz: server RSS reached ${counts.peakRssMiB.toFixed(0)} MiB (limit ${maxRssMiB})`);
  if (counts.startupMs > startupBudgetMs) console.error(`fuzz: start-up diagnostics took ${counts.startupMs.toFixed(0)} ms (budget ${startupBudgetMs})`);
  for (const k of kinds)
    for (const re of k.logs)
      if (!logs.some((l) => re.test(l))) kindFailures.push(`${k.kind}: no log line matching ${re}`);
  if (wrongReads) kindFailures.push(`${wrongReads} diagnostics for files outside the workspace`);
  for (const e of notebookErrors) kindFailures.push(`notebook: an error answer instead of an empty report: ${e}`);
  for (const l of notebookSkips) if (!/: (not a valid notebook|larger than|minified or generated)/.test(l)) kindFailures.push(`notebook: skipped without a clear reason: ${l}`);
  for (const f of kindFailures) console.error(`fuzz: ${f}`);
  const failed =
    counts.crashes + counts.hangs + counts.slow + counts.unhandled + kindFailures.length > 0 || counts.peakRssMiB > maxRssMiB || counts.startupMs > startupBudgetMs;
  if (failed || process.env.FUZZ_SLOWEST) {
    // The slowest ten answers and what the server said it was doing meanwhile (its slow-answer log lines).
    console.error('fuzz: slowest diagnostics answers:');
    for (const t of timings.sort((a, b) => b.ms - a.ms).slice(0, 10)) {
      const name = path.basename(t.file);
      // The server's line for this answer (logged when it was sent, so the closest in time).
      const lines = slowLines.filter((l) => l.text.includes(`for ${name}: `));
      const cause = lines.sort((a, b) => Math.abs(a.at - t.end) - Math.abs(b.at - t.end))[0]?.text;
      // Before its handler ran, a request waits for whatever synchronous work holds the event loop.
      const blocking = busyLines.filter((b) => b.end > t.start && b.start < t.end).sort((a, b) => b.end - b.start - (a.end - a.start));
      const waited = blocking.length
        ? `blocked by ${blocking.length} long piece(s) of work: ${blocking.slice(0, 3).map((b) => `${b.what} ${b.end - b.start} ms`).join(', ')}`
        : 'no long server work reported meanwhile (the client or the machine was slow)';
      console.error(`  ${t.ms.toFixed(0).padStart(6)} ms (server CPU ${t.cpuMs.toFixed(0)} ms)  ${path.relative(ws, t.file)} (${t.what})\n          ${cause ? summarizeCause(cause) : 'handler under 1 s'}; ${waited}`);
    }
  }
  console.log(
    `fuzz: seed=${seed} edits=${counts.edits} files=${counts.files} bad-files=${counts.badFiles} tiny-files=${counts.tinyFiles} requests=${counts.requests} answered=${counts.answered} cancelled=${counts.cancelled} crashes=${counts.crashes} hangs=${counts.hangs} slow=${counts.slow} slow-cpu=${counts.slowCpu} unhandled=${counts.unhandled} max-diag-ms=${counts.maxDiagMs.toFixed(0)} max-diag-cpu-ms=${counts.maxDiagCpuMs.toFixed(0)} startup-diag-ms=${counts.startupMs.toFixed(0)} startup-cpu-ms=${counts.startupCpuMs.toFixed(0)} peak-rss-mib=${counts.peakRssMiB.toFixed(0)}/${maxRssMiB} new-kinds=${kinds.length}(${kinds.map((k) => k.kind).join(',')}) kind-failures=${kindFailures.length}`,
  );
  // After the summary: removing 100 000 files takes a while on a busy machine.
  fs.rmSync(ws, { recursive: true, force: true });
  fs.rmSync(outside, { recursive: true, force: true });
  process.exit(failed ? 1 : 0);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
