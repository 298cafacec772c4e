// The language server's fuzz harness: `npm run fuzz [-- --seed N --edits N --bad-files N
// --tiny-files N --seconds N]`. It drives the stdio server with random edits to the fixtures,
// hostile files (binary, NUL, invalid UTF-8, a 10 MB single line, 50 000-deep nesting, many tiny
// files), open/change/close storms, cancellations and requests for ranges outside the document.
// Pass: no crash, no unhandled rejection, every request answered or cancelled, every
// diagnostics response within 2 s, memory bounded. The last line prints the counts; the exit
// code is 1 when any of crashes, hangs, slow or unhandled is not zero.
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
const maxRssMiB = opt('max-rss-mib', 2_048);
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

function rssMiB(pid) {
  try {
    const m = /VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
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

  const counts = { edits: 0, files: texts.size, badFiles: badFiles.length, tinyFiles, requests: 0, answered: 0, cancelled: 0, crashes: 0, hangs: 0, slow: 0, unhandled: 0, maxDiagMs: 0, startupMs: 0, peakRssMiB: 0 };
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
  conn.onNotification('window/logMessage', (m) => {
    if (/unhandled/i.test(m.message)) counts.unhandled++;
  });
  conn.onNotification('textDocument/publishDiagnostics', () => {});
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
      return undefined;
    } finally {
      clearTimeout(timer);
      pending.delete(p);
    }
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
  await Promise.race([scanDone, new Promise((r) => setTimeout(r, Math.min(120_000, Math.max(0, deadline - Date.now()))))]);


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
      const t0 = performance.now();
      await request('textDocument/diagnostic', { textDocument: { uri } });
      const ms = performance.now() - t0;
      counts.maxDiagMs = Math.max(counts.maxDiagMs, ms);
      if (ms > slowMs) {
        counts.slow++;
        console.error(`fuzz: diagnostics for ${path.basename(file)} took ${ms.toFixed(0)} ms`);
      }
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
  fs.rmSync(ws, { recursive: true, force: true });
  const failed = counts.crashes + counts.hangs + counts.slow + counts.unhandled > 0 || counts.peakRssMiB > maxRssMiB;
  console.log(
    `fuzz: seed=${seed} edits=${counts.edits} files=${counts.files} bad-files=${counts.badFiles} tiny-files=${counts.tinyFiles} requests=${counts.requests} answered=${counts.answered} cancelled=${counts.cancelled} crashes=${counts.crashes} hangs=${counts.hangs} slow=${counts.slow} unhandled=${counts.unhandled} max-diag-ms=${counts.maxDiagMs.toFixed(0)} startup-diag-ms=${counts.startupMs.toFixed(0)} peak-rss-mib=${counts.peakRssMiB.toFixed(0)}`,
  );
  process.exit(failed ? 1 : 0);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
