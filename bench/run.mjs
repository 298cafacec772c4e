// `npm run bench [-- --bed <name>[,<name>...]] [--project <folder>] [--runs N] [--edits N] [--leak-edits N]`
// Measures sendcheck against its references on the same files, in the same run, and reports
// medians and ratios, per bed: the generated workspace (bench/generate.mjs) and the real beds of
// bench/beds.mjs (TypeScript sources shipped in npm packages, Python from Debian), which it
// installs on first use. Figures: cold CLI scan vs `tsc --noEmit` (TS) and vs a parse-only pass
// and pyright (Python), wall and CPU time; warm edit-to-diagnostics latency in the language
// server vs the TypeScript language service; peak memory vs tsc's; Python lines per second;
// start-up (`--version`, first diagnostics after initialize + didOpen). `--bed all` (the default)
// runs every bed, `--bed generated` only the generated workspace.
// Writes bench/results.json and prints a table per bed. For profiling: `--only ts,py,lsp` runs a part
// (results go to bench/.cache/results.partial.json), SENDCHECK_BENCH_SERVER names another server
// bundle, SENDCHECK_BENCH_SERVER_ARGS adds node flags to it (e.g. --cpu-prof).
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createRequire } from 'node:module';
import { generateWorkspace } from './generate.mjs';
import { buildEngineBundle } from './py-engine.mjs';
import { BEDS, ensureBeds, ensurePyright } from './beds.mjs';

const require = createRequire(import.meta.url);
const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : dflt;
};
const runs = Number(opt('runs', 3));
const editCount = Number(opt('edits', 50));
const leakEdits = Number(opt('leak-edits', 1000));
const project = opt('project');
const bedArg = opt('bed', project ? '' : 'all');
// `--only ts,py,lsp` runs a subset (for profiling); the default runs everything.
const only = opt('only')?.split(',');
const want = (part) => !only || only.includes(part);
// Extra node flags for the language server process, e.g. SENDCHECK_BENCH_SERVER_ARGS=--cpu-prof.
const serverArgs = (process.env.SENDCHECK_BENCH_SERVER_ARGS ?? '').split(' ').filter(Boolean);
const rssPreload = path.join(root, 'bench', 'rss.cjs');
const tscJs = require.resolve('typescript/lib/tsc.js');
const cli = path.join(root, 'dist', 'cli.js');
const serverJs = process.env.SENDCHECK_BENCH_SERVER ?? path.join(root, 'dist', 'server.js');

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const pct = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
};

/** Runs a node script, returning wall time and peak RSS. */
function timed(script, scriptArgs, cwd) {
  const rssFile = path.join(os.tmpdir(), `sendcheck-rss-${process.pid}-${Math.random().toString(36).slice(2)}`);
  const t0 = performance.now();
  const r = spawnSync(process.execPath, ['-r', rssPreload, script, ...scriptArgs], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, SENDCHECK_RSS_FILE: rssFile },
    maxBuffer: 256 * 1024 * 1024,
    timeout: 20 * 60_000,
  });
  const ms = performance.now() - t0;
  let rss = NaN;
  let cpuMs = NaN;
  try {
    ({ rss, cpuMs } = JSON.parse(fs.readFileSync(rssFile, 'utf8')));
    fs.rmSync(rssFile);
  } catch {}
  return { ms, rss, cpuMs, status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Calls `fn(path)` for every source file under `dir` with one of `exts` (no .d.ts, node_modules or dot folders). */
function eachSource(dir, exts, fn) {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    if (e.name === 'node_modules' || e.name.startsWith('.')) continue;
    const full = path.join(dir, e.name);
    if (e.isDirectory()) eachSource(full, exts, fn);
    else if (exts.some((x) => e.name.endsWith(x)) && !e.name.endsWith('.d.ts')) fn(full);
  }
}

function countLines(dir, exts) {
  let lines = 0;
  let files = 0;
  eachSource(dir, exts, (full) => {
    files++;
    lines += fs.readFileSync(full, 'utf8').split('\n').length;
  });
  return { lines, files };
}

async function lspLatency(tsRoot, bigFile, languageId = 'typescript') {
  const { createProtocolConnection, StreamMessageReader, StreamMessageWriter } = require('vscode-languageserver-protocol/node');
  const rssFile = path.join(os.tmpdir(), `sendcheck-rss-server-${process.pid}`);
  const child = spawn(process.execPath, ['--expose-gc', ...serverArgs, '-r', rssPreload, serverJs, '--stdio'], { env: { ...process.env, SENDCHECK_RSS_FILE: rssFile }, stdio: ['pipe', 'pipe', 'inherit'] });
  const conn = createProtocolConnection(new StreamMessageReader(child.stdout), new StreamMessageWriter(child.stdin));
  const waiters = new Map();
  let scanDone;
  const scanFinished = new Promise((r) => (scanDone = r));
  conn.onNotification('textDocument/publishDiagnostics', (p) => {
    const w = waiters.get(`${p.uri}@${p.version}`);
    if (w) w();
  });
  conn.onRequest('window/workDoneProgress/create', () => null);
  conn.onRequest('workspace/configuration', (p) => p.items.map(() => ({})));
  conn.onRequest('client/registerCapability', () => null);
  conn.onNotification('$/progress', (p) => {
    if (p.value?.kind === 'end') scanDone();
  });
  conn.listen();
  let exited = false;
  const died = new Promise((_, reject) => child.once('exit', (code) => { exited = true; reject(new Error(`server exited (${code}) during the benchmark`)); }));
  died.catch(() => {});
  const guard = (p) => Promise.race([p, died]);
  try {
    return await lspRun();
  } finally {
    // A run that failed (a limit passed) must not leave its server working in the background.
    if (!exited) child.kill();
  }
  async function lspRun() {
  const rootUri = 'file://' + tsRoot;
  const tScan = performance.now();
  await guard(conn.sendRequest('initialize', {
    processId: process.pid,
    rootUri,
    workspaceFolders: [{ uri: rootUri, name: 'bench' }],
    capabilities: { window: { workDoneProgress: true }, textDocument: { publishDiagnostics: { versionSupport: true } }, workspace: { configuration: true } },
  }));
  conn.sendNotification('initialized', {});
  await guard(Promise.race([scanFinished, new Promise((r) => setTimeout(r, 10 * 60_000))]));
  const scanMs = performance.now() - tScan;
  // The server's peak so far, i.e. over start-up and the workspace scan (the figure compared with
  // tsc); the exit-time peak also covers the edits that follow.
  const peakAfterScan = peakRss(child.pid);
  const uri = 'file://' + bigFile;
  let text = fs.readFileSync(bigFile, 'utf8');
  // The first check of a real bed's file builds its program, and the first edit after the workspace
  // scan a new one: minutes on a loaded machine are not a hang (the figures are read in CPU time).
  const wait = (version, limitMs = 5 * 60_000) => new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`no diagnostics for version ${version} within ${limitMs / 1000} s`)), limitMs);
    waiters.set(`${uri}@${version}`, () => {
      clearTimeout(t);
      resolve();
    });
  });
  let version = 1;
  let first = wait(version, 10 * 60_000);
  conn.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId, version, text } });
  await guard(first);
  const latencies = [];
  // The server's CPU time per edit (user + system, /proc; 10 ms ticks): what a loaded machine cannot inflate.
  const cpuLatencies = [];
  const edits = scriptedEdits(text, Math.max(editCount, leakEdits), languageId === 'python' ? 'py' : 'ts');
  let heapAfterWarm = NaN;
  for (let i = 0; i < edits.length; i++) {
    text = edits[i];
    version++;
    const done = wait(version);
    const t0 = performance.now();
    const c0 = cpuMsOf(child.pid);
    conn.sendNotification('textDocument/didChange', { textDocument: { uri, version }, contentChanges: [{ text }] });
    await guard(done);
    if (i < editCount) {
      latencies.push(performance.now() - t0);
      cpuLatencies.push(cpuMsOf(child.pid) - c0);
    }
    if (i === editCount - 1) heapAfterWarm = await stats(conn);
  }
  const heapAfterLeak = await stats(conn);
  await guard(conn.sendRequest('shutdown'));
  conn.sendNotification('exit');
  if (!exited) await new Promise((r) => child.once('exit', r));
  let rss = NaN;
  try {
    rss = JSON.parse(fs.readFileSync(rssFile, 'utf8')).rss;
  } catch {}
  return { scanMs, latencies, cpuLatencies, rss, peakAfterScan, heapAfterWarm, heapAfterLeak, totalEdits: edits.length };
  }
}

/** Peak resident set size of a live process so far (Linux: VmHWM), or NaN where it cannot be read. */
function peakRss(pid) {
  try {
    const m = /^VmHWM:\s+(\d+) kB/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : NaN;
  } catch {
    return NaN;
  }
}

async function stats(conn) {
  try {
    const s = await conn.sendRequest('sendcheck/stats');
    return s?.heapUsed ?? NaN;
  } catch {
    return NaN;
  }
}

/** Deterministic edits that keep the file valid: rename a local, add a line, change a literal. */
function scriptedEdits(text, n, lang = 'ts') {
  const out = [];
  let cur = text;
  // Python gets the same three edits in its own syntax: a comment, a module-level assignment.
  const comment = lang === 'py' ? '#' : '//';
  const extra = lang === 'py' ? (i) => `\nextra${i} = ${i}` : (i) => `\nexport const extra${i} = ${i};`;
  const extraAtEnd = lang === 'py' ? /\nextra(\d+) = \d+$/ : /\nexport const extra(\d+) = \d+;$/;
  const commentAtEnd = new RegExp(`(\\n${comment} bench edit \\d+)?$`);
  for (let i = 0; i < n; i++) {
    const k = i % 3;
    // The generated file has a literal to change; a real file gets a trailing comment rewritten.
    if (k === 0) cur = /const job = \{ id: \d+/.test(cur) ? cur.replace(/const job = \{ id: (\d+)/, (_, d) => `const job = { id: ${Number(d) + 1}`) : cur.replace(commentAtEnd, `\n${comment} bench edit ${i}`);
    else if (k === 1) cur = cur + extra(i);
    else cur = cur.replace(extraAtEnd, '');
    out.push(cur);
  }
  return out;
}

function languageServiceLatency(tsRoot, bigFile) {
  const ts = require('typescript');
  const cfgPath = path.join(tsRoot, 'tsconfig.json');
  const cfg = ts.getParsedCommandLineOfConfigFile(cfgPath, {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => {} });
  let text = fs.readFileSync(bigFile, 'utf8');
  let version = 0;
  const files = new Set([...cfg.fileNames, bigFile]);
  const host = {
    getScriptFileNames: () => [...files],
    getScriptVersion: (f) => (f === bigFile ? String(version) : '0'),
    getScriptSnapshot: (f) => {
      if (f === bigFile) return ts.ScriptSnapshot.fromString(text);
      if (!fs.existsSync(f)) return undefined;
      return ts.ScriptSnapshot.fromString(fs.readFileSync(f, 'utf8'));
    },
    getCurrentDirectory: () => tsRoot,
    getCompilationSettings: () => cfg.options,
    getDefaultLibFileName: (o) => ts.getDefaultLibFilePath(o),
    fileExists: ts.sys.fileExists,
    readFile: ts.sys.readFile,
    readDirectory: ts.sys.readDirectory,
    directoryExists: ts.sys.directoryExists,
    getDirectories: ts.sys.getDirectories,
  };
  const ls = ts.createLanguageService(host, ts.createDocumentRegistry());
  ls.getSemanticDiagnostics(bigFile);
  const latencies = [];
  const cpu = [];
  for (const next of scriptedEdits(text, editCount)) {
    text = next;
    version++;
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    ls.getSemanticDiagnostics(bigFile);
    latencies.push(performance.now() - t0);
    const c = process.cpuUsage(c0);
    cpu.push((c.user + c.system) / 1000);
  }
  return Object.assign(latencies, { cpu });
}

/**
 * The Python reference for an edit: the same edits parsed by the same tree-sitter parser, in
 * process, and nothing else (the floor any Python checker pays for an edit).
 */
async function pythonParseLatency(file) {
  const { Parser, Language } = require('web-tree-sitter');
  await Parser.init();
  const parser = new Parser();
  parser.setLanguage(await Language.load(require.resolve('tree-sitter-python/tree-sitter-python.wasm')));
  const text = fs.readFileSync(file, 'utf8');
  parser.parse(text).delete();
  const latencies = [];
  const cpu = [];
  for (const next of scriptedEdits(text, editCount, 'py')) {
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    parser.parse(next).delete();
    latencies.push(performance.now() - t0);
    const c = process.cpuUsage(c0);
    cpu.push((c.user + c.system) / 1000);
  }
  parser.delete();
  return Object.assign(latencies, { cpu });
}

function writeBigFile(tsRoot) {
  // A 2 000-line module with imports, classes and a few worker sinks, like a real hot file.
  const lines = [`import { Worker } from 'node:worker_threads';`, `import { Model1, make1 } from './mod0001';`, ''];
  let i = 0;
  while (lines.length < 1990) {
    lines.push(`export class Big${i} {`, `  private data = new Map<string, number[]>();`, `  constructor(readonly name: string) {}`);
    lines.push(`  put(key: string, xs: number[]): void {`, `    this.data.set(key, xs.map((x) => x * ${i + 1}));`, `  }`);
    lines.push(`  stats(): { n: number; sum: number } {`, `    let sum = 0;`, `    for (const xs of this.data.values()) for (const x of xs) sum += x;`, `    return { n: this.data.size, sum };`, `  }`, `}`, '');
    if (i % 10 === 0) lines.push(`export function send${i}(w: Worker, m: Model1): void {`, `  const job = { id: ${i}, label: m.label, when: new Date() };`, `  w.postMessage(job);`, `  void make1;`, `}`, '');
    i++;
  }
  const file = path.join(tsRoot, 'src', 'big.ts');
  fs.writeFileSync(file, lines.join('\n'));
  return file;
}

/** The largest file among those sendcheck will treat as roots (they hold a possible sink). */
function hottestFile(dir, exts, sinkText = /postMessage|structuredClone|workerData|\.send\s*\(|\.run\s*\(/) {
  let best;
  eachSource(dir, exts, (full) => {
    const size = fs.statSync(full).size;
    const text = fs.readFileSync(full, 'utf8');
    if (sinkText.test(text) && (!best || size > best.size)) best = { file: full, size };
  });
  return best?.file;
}

/** CPU time (user + system, ms) a live process has used so far (Linux: /proc/<pid>/stat), or NaN. */
function cpuMsOf(pid) {
  try {
    // Fields after the command name (which may hold spaces): utime and stime are the 12th and 13th.
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(f[11]) + Number(f[12])) * 1000) / clockTicks;
  } catch {
    return NaN;
  }
}
const clockTicks = (() => {
  const r = spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' });
  return Number(r.stdout) || 100;
})();

/**
 * First diagnostics for one opened file on a fresh server (start-up): spawn → publishDiagnostics,
 * in wall time and in the server's CPU time up to that moment (what a loaded machine cannot blur).
 */
async function firstDiagnostics(folder, file, languageId) {
  const { createProtocolConnection, StreamMessageReader, StreamMessageWriter } = require('vscode-languageserver-protocol/node');
  const t0 = performance.now();
  const child = spawn(process.execPath, [...serverArgs, serverJs, '--stdio'], { stdio: ['pipe', 'pipe', 'ignore'] });
  const conn = createProtocolConnection(new StreamMessageReader(child.stdout), new StreamMessageWriter(child.stdin));
  const uri = 'file://' + file;
  const got = new Promise((resolve) => conn.onNotification('textDocument/publishDiagnostics', (p) => p.uri === uri && resolve({ ms: performance.now() - t0, cpuMs: cpuMsOf(child.pid), count: p.diagnostics.length })));
  conn.onRequest('window/workDoneProgress/create', () => null);
  conn.onRequest('workspace/configuration', (p) => p.items.map(() => ({})));
  conn.onRequest('client/registerCapability', () => null);
  conn.listen();
  try {
    const rootUri = 'file://' + folder;
    await conn.sendRequest('initialize', { processId: process.pid, rootUri, workspaceFolders: [{ uri: rootUri, name: 'startup' }], capabilities: { window: { workDoneProgress: true }, workspace: { configuration: true } } });
    conn.sendNotification('initialized', {});
    conn.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId, version: 1, text: fs.readFileSync(file, 'utf8') } });
    let timer;
    const result = await Promise.race([got, new Promise((r) => (timer = setTimeout(() => r({ ms: NaN, cpuMs: NaN }), 60_000)))]);
    clearTimeout(timer);
    // A clean exit, so that a server run with SENDCHECK_BENCH_SERVER_ARGS=--cpu-prof writes its profile.
    await Promise.race([conn.sendRequest('shutdown').then(() => conn.sendNotification('exit')), new Promise((r) => setTimeout(r, 5_000))]).catch(() => undefined);
    await Promise.race([new Promise((r) => child.once('exit', r)), new Promise((r) => setTimeout(r, 5_000).unref())]);
    return result;
  } finally {
    child.kill();
    conn.dispose();
  }
}

/** A small two-file workspace per language, for the start-up figures. */
function smallWorkspace() {
  const dir = path.join(root, 'bench', '.cache', 'small');
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'jobs.py'), 'import threading\n\n\nclass Job:\n    def __init__(self, n):\n        self.n = n\n        self.lock = threading.Lock()\n');
  fs.writeFileSync(path.join(dir, 'run.py'), 'from multiprocessing import Pool\nfrom jobs import Job\n\n\ndef work(job):\n    return job.n\n\n\nif __name__ == "__main__":\n    with Pool(2) as pool:\n        print(pool.map(work, [Job(1), Job(2)]))\n');
  fs.writeFileSync(path.join(dir, 'job.ts'), 'export interface Job { id: number; onDone: () => void }\nexport const makeJob = (id: number): Job => ({ id, onDone: () => {} });\n');
  fs.writeFileSync(path.join(dir, 'main.ts'), "import { Worker } from 'node:worker_threads';\nimport { makeJob } from './job';\n\nconst w = new Worker('./w.js');\nw.postMessage(makeJob(1));\n");
  return dir;
}

async function startup() {
  const dir = smallWorkspace();
  const version = [];
  const bare = [];
  const py = [];
  const tsx = [];
  const pyCpu = [];
  const tsCpu = [];
  for (let r = 0; r < runs; r++) {
    let t0 = performance.now();
    spawnSync(process.execPath, [path.join(root, 'bin', 'sendcheck.js'), '--version']);
    version.push(performance.now() - t0);
    t0 = performance.now();
    spawnSync(process.execPath, ['-e', '0']);
    bare.push(performance.now() - t0);
    if (fs.existsSync(serverJs)) {
      const p = await firstDiagnostics(dir, path.join(dir, 'run.py'), 'python');
      const t = await firstDiagnostics(dir, path.join(dir, 'main.ts'), 'typescript');
      py.push(p.ms);
      pyCpu.push(p.cpuMs);
      tsx.push(t.ms);
      tsCpu.push(t.cpuMs);
    }
  }
  return {
    versionMs: median(version),
    nodeStartMs: median(bare),
    firstPythonDiagnosticsMs: py.length ? median(py) : null,
    firstTsDiagnosticsMs: tsx.length ? median(tsx) : null,
    firstPythonDiagnosticsCpuMs: pyCpu.length ? median(pyCpu) : null,
    firstTsDiagnosticsCpuMs: tsCpu.length ? median(tsCpu) : null,
    targets: { versionMs: 150, firstPythonDiagnosticsMs: 1000, firstTsDiagnosticsMs: 1500 },
  };
}

/** Every figure for one bed: a folder of TS/JS and/or Python code. */
async function benchBed({ name, dir: bedRoot, generated, tsRoot = bedRoot, pyRoot = bedRoot, about }) {
  const hasTsconfig = fs.existsSync(path.join(tsRoot, 'tsconfig.json'));
  const results = { name, about, figures: {} };
  const tsCount = countLines(tsRoot, ['.ts', '.tsx', '.js', '.mjs', '.cjs']);
  const pyCount = countLines(pyRoot, ['.py']);
  results.sizes = { tsLines: tsCount.lines, tsFiles: tsCount.files, pyLines: pyCount.lines, pyFiles: pyCount.files };
  console.error(`bench ${name}: ${tsCount.lines} TS/JS lines in ${tsCount.files} files, ${pyCount.lines} Python lines in ${pyCount.files} files; ${runs} runs`);

  if (tsCount.files > 0 && want('ts')) {
    const ours = [];
    const theirs = [];
    for (let r = 0; r < runs; r++) {
      const a = timed(cli, ['--format', 'json', '--quiet', tsRoot], tsRoot);
      if (a.status !== 0 && a.status !== 1) throw new Error(`sendcheck failed (${a.status}): ${a.stderr}`);
      ours.push(a);
      results.tsFindings = JSON.parse(a.stdout).length;
      if (hasTsconfig) theirs.push(timed(tscJs, ['--noEmit', '-p', tsRoot], tsRoot));
    }
    const m = (xs, k) => (xs.length ? median(xs.map((x) => x[k])) : null);
    results.figures.tsColdScan = { sendcheckMs: m(ours, 'ms'), tscMs: m(theirs, 'ms'), ratio: hasTsconfig ? m(ours, 'ms') / m(theirs, 'ms') : null, sendcheckCpuMs: m(ours, 'cpuMs'), tscCpuMs: m(theirs, 'cpuMs'), cpuRatio: hasTsconfig ? m(ours, 'cpuMs') / m(theirs, 'cpuMs') : null, target: 0.35 };
    results.figures.cliPeakMemory = { sendcheckBytes: m(ours, 'rss'), tscBytes: m(theirs, 'rss'), ratio: hasTsconfig ? m(ours, 'rss') / m(theirs, 'rss') : null };
  }
  if (pyCount.files > 0 && want('py')) {
    const ours = [];
    const floor = [];
    const pyright = [];
    const pyrightJs = generated ? null : ensurePyright();
    for (let r = 0; r < runs; r++) {
      const a = timed(cli, ['--format', 'json', '--quiet', pyRoot], pyRoot);
      if (a.status !== 0 && a.status !== 1) throw new Error(`sendcheck failed (${a.status}): ${a.stderr}`);
      ours.push(a);
      results.pyFindings = JSON.parse(a.stdout).length;
      const b = timed(path.join(root, 'bench', 'parse-floor.cjs'), [pyRoot], pyRoot);
      floor.push(JSON.parse(b.stdout).ms);
      // pyright exits 1 when it reports errors: that is its normal result on these folders.
      if (pyrightJs) {
        const c = timed(pyrightJs, ['--outputjson', '-p', path.join(pyRoot, 'pyrightconfig.json')], pyRoot);
        if (c.status !== 0 && c.status !== 1) throw new Error(`pyright failed (${c.status}): ${c.stderr.slice(0, 2000)}`);
        pyright.push(c);
      }
    }
    // The engine alone, loaded once: listing + reading + checking every file, cold and warm.
    await buildEngineBundle();
    const engineRuns = [];
    for (let r = 0; r < runs; r++) {
      const e = spawnSync(process.execPath, [path.join(root, 'bench', 'py-engine.mjs'), pyRoot, '--no-build'], { cwd: pyRoot, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
      if (e.status !== 0) throw new Error(`bench/py-engine.mjs failed (${e.status}): ${e.stderr}`);
      engineRuns.push(JSON.parse(e.stdout));
    }
    const coldMs = median(engineRuns.map((e) => e.coldMs));
    const warmMs = median(engineRuns.map((e) => e.warmMs));
    results.figures.pythonEngine = {
      coldMs,
      warmMs,
      linesPerSecondCold: Math.round(pyCount.lines / (coldMs / 1000)),
      linesPerSecondWarm: Math.round(pyCount.lines / (warmMs / 1000)),
      target: 1_000_000,
    };
    const oursMs = median(ours.map((x) => x.ms));
    results.figures.pythonScan = {
      sendcheckMs: oursMs,
      sendcheckCpuMs: median(ours.map((x) => x.cpuMs)),
      parseOnlyMs: median(floor),
      ratio: oursMs / median(floor),
      linesPerSecond: Math.round(pyCount.lines / (oursMs / 1000)),
      target: 1_000_000,
    };
    if (pyright.length) {
      const theirMs = median(pyright.map((x) => x.ms));
      results.figures.pythonVsPyright = { sendcheckMs: oursMs, pyrightMs: theirMs, ratio: oursMs / theirMs, sendcheckCpuMs: median(ours.map((x) => x.cpuMs)), pyrightCpuMs: median(pyright.map((x) => x.cpuMs)), sendcheckBytes: median(ours.map((x) => x.rss)), pyrightBytes: median(pyright.map((x) => x.rss)), target: 1 / 3 };
    }
  }
  if (hasTsconfig && fs.existsSync(serverJs) && want('lsp')) {
    // The generated bed gets a 2 000-line hot file written into it; a real bed edits its largest
    // file that holds a possible sink (a trailing comment and an export line come and go).
    const big = generated ? writeBigFile(tsRoot) : hottestFile(path.join(tsRoot, 'src'), ['.ts']);
    if (big) {
      try {
        const lsp = await lspLatency(tsRoot, big);
        const ls = languageServiceLatency(tsRoot, big);
        const tscPeak = results.figures.cliPeakMemory?.tscBytes;
        results.figures.warmEdit = {
          file: path.relative(tsRoot, big),
          p50Ms: median(lsp.latencies),
          p95Ms: pct(lsp.latencies, 95),
          languageServiceP50Ms: median(ls),
          languageServiceP95Ms: pct(ls, 95),
          ratioP95: pct(lsp.latencies, 95) / pct(ls, 95),
          cpuP50Ms: median(lsp.cpuLatencies),
          cpuP95Ms: pct(lsp.cpuLatencies, 95),
          languageServiceCpuP50Ms: median(ls.cpu),
          languageServiceCpuP95Ms: pct(ls.cpu, 95),
          targetP95Ms: 100,
          targetRatio: 0.3,
        };
        const peak = Number.isNaN(lsp.peakAfterScan) ? lsp.rss : lsp.peakAfterScan;
        results.figures.serverMemory = {
          workspaceScanMs: lsp.scanMs,
          peakBytes: peak,
          peakAfterEditsBytes: lsp.rss,
          tscPeakBytes: tscPeak ?? null,
          ratio: tscPeak ? peak / tscPeak : null,
          target: 0.8,
          heapAfter50Edits: lsp.heapAfterWarm,
          heapAfterAllEdits: lsp.heapAfterLeak,
          edits: lsp.totalEdits,
        };
      } catch (e) {
        results.figures.warmEdit = { error: String(e?.message ?? e) };
      } finally {
        if (generated) fs.rmSync(big, { force: true });
      }
    }
  }
  if (pyCount.files > 0 && !generated && fs.existsSync(serverJs) && want('lsp')) {
    // A Python bed edits its largest file that names a process pool or pickling (a possible sink).
    const big = hottestFile(pyRoot, ['.py'], /\b(?:multiprocessing|ProcessPoolExecutor|cloudpickle|pickle)\b/);
    if (big) {
      try {
        const lsp = await lspLatency(pyRoot, big, 'python');
        const parse = await pythonParseLatency(big);
        const pyrightPeak = results.figures.pythonVsPyright?.pyrightBytes;
        results.figures.pyWarmEdit = {
          file: path.relative(pyRoot, big),
          p50Ms: median(lsp.latencies),
          p95Ms: pct(lsp.latencies, 95),
          parseP50Ms: median(parse),
          parseP95Ms: pct(parse, 95),
          cpuP50Ms: median(lsp.cpuLatencies),
          cpuP95Ms: pct(lsp.cpuLatencies, 95),
          parseCpuP50Ms: median(parse.cpu),
          parseCpuP95Ms: pct(parse.cpu, 95),
          targetP95Ms: 100,
        };
        const peak = Number.isNaN(lsp.peakAfterScan) ? lsp.rss : lsp.peakAfterScan;
        results.figures.pyServerMemory = {
          workspaceScanMs: lsp.scanMs,
          peakBytes: peak,
          peakAfterEditsBytes: lsp.rss,
          pyrightPeakBytes: pyrightPeak ?? null,
          ratio: pyrightPeak ? peak / pyrightPeak : null,
          heapAfter50Edits: lsp.heapAfterWarm,
          heapAfterAllEdits: lsp.heapAfterLeak,
          edits: lsp.totalEdits,
        };
      } catch (e) {
        results.figures.pyWarmEdit = { error: String(e?.message ?? e) };
      }
    }
  }
  return results;
}

async function main() {
  if (!fs.existsSync(cli)) spawnSync(process.execPath, ['esbuild.mjs'], { cwd: root, stdio: 'inherit' });
  const results = { date: new Date().toISOString(), machine: { cpus: os.cpus().length, cpu: os.cpus()[0]?.model, memGiB: Math.round(os.totalmem() / 2 ** 30), node: process.version, loadavg: os.loadavg().map((x) => Math.round(x * 100) / 100) }, runs, beds: [] };
  // `--bed none --only startup` measures start-up alone.
  const names = bedArg === 'all' ? ['generated', ...Object.keys(BEDS)] : bedArg.split(',').filter((b) => b && b !== 'none');
  if (project) {
    results.beds.push(await benchBed({ name: path.basename(path.resolve(project)), dir: path.resolve(project), about: 'a project named on the command line' }));
    printTable(results, results.beds.at(-1));
  }
  for (const name of names) {
    if (name === 'generated') {
      const ws = path.join(root, 'bench', 'workspace');
      const planted = generateWorkspace(ws);
      const r = await benchBed({ name, generated: true, tsRoot: path.join(ws, 'ts'), pyRoot: path.join(ws, 'py'), about: 'generated by bench/generate.mjs (200 k TS lines, 150 k Python lines)' });
      // A fast scan that misses the planted problems measures nothing: say so loudly.
      r.planted = { ts: planted.tsBad, py: planted.pyBad };
      if (r.tsFindings < planted.tsBad || r.pyFindings < planted.pyBad)
        console.error(`bench: WARNING: found ${r.tsFindings}/${planted.tsBad} planted TS and ${r.pyFindings}/${planted.pyBad} planted Python problems`);
      results.beds.push(r);
    } else {
      const [bed] = ensureBeds([name]);
      results.beds.push(await benchBed(bed));
    }
    printTable(results, results.beds.at(-1));
  }
  if (want('startup')) {
    results.startup = await startup();
    printStartup(results.startup);
  }
  results.machine.loadavgAfter = os.loadavg().map((x) => Math.round(x * 100) / 100);
  // A partial run (--only, or some beds) must not replace the committed results.
  const partial = only || (bedArg !== 'all' && !project) || project;
  const resultsFile = partial ? path.join(root, 'bench', '.cache', 'results.partial.json') : path.join(root, 'bench', 'results.json');
  fs.mkdirSync(path.dirname(resultsFile), { recursive: true });
  fs.writeFileSync(resultsFile, JSON.stringify(results, null, 2) + '\n');
  console.error(`bench: results in ${path.relative(root, resultsFile)}`);
}

const ms = (x) => (x == null || Number.isNaN(x) ? '—' : `${x.toFixed(x < 10 ? 1 : 0)} ms`);
const mb = (x) => (x == null || Number.isNaN(x) ? '—' : `${(x / 2 ** 20).toFixed(0)} MiB`);
const ratio = (x) => (x == null || !Number.isFinite(x) ? '—' : `${x.toFixed(2)}×`);

function table(rows) {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((row) => String(row[i]).length)));
  const line = (row) => '| ' + row.map((c, i) => String(c).padEnd(widths[i])).join(' | ') + ' |';
  console.log(line(rows[0]));
  console.log('|' + widths.map((w) => '-'.repeat(w + 2)).join('|') + '|');
  for (const row of rows.slice(1)) console.log(line(row));
}

function printTable(r, bed) {
  const f = bed.figures;
  const rows = [['figure', 'sendcheck', 'reference', 'ratio', 'target']];
  if (f.tsColdScan) {
    rows.push(['TS cold scan (CLI) vs tsc --noEmit, wall', ms(f.tsColdScan.sendcheckMs), ms(f.tsColdScan.tscMs), ratio(f.tsColdScan.ratio), '≤ 0.35×']);
    rows.push(['TS cold scan (CLI) vs tsc --noEmit, CPU', ms(f.tsColdScan.sendcheckCpuMs), ms(f.tsColdScan.tscCpuMs), ratio(f.tsColdScan.cpuRatio), '']);
  }
  if (f.cliPeakMemory) rows.push(['CLI peak memory vs tsc', mb(f.cliPeakMemory.sendcheckBytes), mb(f.cliPeakMemory.tscBytes), ratio(f.cliPeakMemory.ratio), '']);
  if (f.warmEdit && !f.warmEdit.error) {
    rows.push(['warm edit → diagnostics p50 vs LS', ms(f.warmEdit.p50Ms), ms(f.warmEdit.languageServiceP50Ms), ratio(f.warmEdit.p50Ms / f.warmEdit.languageServiceP50Ms), '']);
    rows.push(['warm edit → diagnostics p95 vs LS', ms(f.warmEdit.p95Ms), ms(f.warmEdit.languageServiceP95Ms), ratio(f.warmEdit.ratioP95), '≤ 100 ms, ≤ 0.3×']);
    if (f.warmEdit.cpuP95Ms != null) {
      rows.push(['warm edit → diagnostics p50 vs LS, CPU', ms(f.warmEdit.cpuP50Ms), ms(f.warmEdit.languageServiceCpuP50Ms), ratio(f.warmEdit.cpuP50Ms / f.warmEdit.languageServiceCpuP50Ms), '']);
      rows.push(['warm edit → diagnostics p95 vs LS, CPU', ms(f.warmEdit.cpuP95Ms), ms(f.warmEdit.languageServiceCpuP95Ms), ratio(f.warmEdit.cpuP95Ms / f.warmEdit.languageServiceCpuP95Ms), '']);
    }
  } else if (f.warmEdit) rows.push(['warm edit latency', 'error', f.warmEdit.error, '', '']);
  if (f.serverMemory) {
    rows.push(['server peak memory after scan vs tsc', mb(f.serverMemory.peakBytes), mb(f.serverMemory.tscPeakBytes), ratio(f.serverMemory.ratio), '≤ 0.8×']);
    rows.push([`server peak memory after ${f.serverMemory.edits} edits vs tsc`, mb(f.serverMemory.peakAfterEditsBytes), mb(f.serverMemory.tscPeakBytes), ratio(f.serverMemory.peakAfterEditsBytes / f.serverMemory.tscPeakBytes), '≤ 1.0×']);
    rows.push([`server heap after 50 / ${f.serverMemory.edits} edits`, mb(f.serverMemory.heapAfter50Edits), mb(f.serverMemory.heapAfterAllEdits), ratio(f.serverMemory.heapAfterAllEdits / f.serverMemory.heapAfter50Edits), 'no growth']);
  }
  if (f.pyWarmEdit && !f.pyWarmEdit.error) {
    rows.push(['Python warm edit → diagnostics p50 vs parse-only', ms(f.pyWarmEdit.p50Ms), ms(f.pyWarmEdit.parseP50Ms), ratio(f.pyWarmEdit.p50Ms / f.pyWarmEdit.parseP50Ms), '']);
    rows.push(['Python warm edit → diagnostics p95 vs parse-only', ms(f.pyWarmEdit.p95Ms), ms(f.pyWarmEdit.parseP95Ms), ratio(f.pyWarmEdit.p95Ms / f.pyWarmEdit.parseP95Ms), '≤ 100 ms']);
    rows.push(['Python warm edit p50 / p95, server CPU vs parse CPU', `${ms(f.pyWarmEdit.cpuP50Ms)} / ${ms(f.pyWarmEdit.cpuP95Ms)}`, `${ms(f.pyWarmEdit.parseCpuP50Ms)} / ${ms(f.pyWarmEdit.parseCpuP95Ms)}`, '', '']);
  } else if (f.pyWarmEdit) rows.push(['Python warm edit latency', 'error', f.pyWarmEdit.error, '', '']);
  if (f.pyServerMemory) {
    rows.push(['Python server peak memory after scan vs pyright', mb(f.pyServerMemory.peakBytes), mb(f.pyServerMemory.pyrightPeakBytes), ratio(f.pyServerMemory.ratio), '']);
    rows.push([`Python server peak after ${f.pyServerMemory.edits} edits / heap after 50 → all`, mb(f.pyServerMemory.peakAfterEditsBytes), `${mb(f.pyServerMemory.heapAfter50Edits)} → ${mb(f.pyServerMemory.heapAfterAllEdits)}`, '', 'no growth']);
  }
  if (f.pythonScan) {
    rows.push(['Python scan (CLI) vs parse-only', ms(f.pythonScan.sendcheckMs), ms(f.pythonScan.parseOnlyMs), ratio(f.pythonScan.ratio), '']);
    if (f.pythonVsPyright) rows.push(['Python scan (CLI) vs pyright, wall', ms(f.pythonVsPyright.sendcheckMs), ms(f.pythonVsPyright.pyrightMs), ratio(f.pythonVsPyright.ratio), '≤ 0.33×']);
    if (f.pythonVsPyright) rows.push(['Python scan (CLI) vs pyright, CPU', ms(f.pythonVsPyright.sendcheckCpuMs), ms(f.pythonVsPyright.pyrightCpuMs), ratio(f.pythonVsPyright.sendcheckCpuMs / f.pythonVsPyright.pyrightCpuMs), '']);
    rows.push(['Python lines/s, CLI (incl. process start)', `${(f.pythonScan.linesPerSecond / 1e6).toFixed(2)} M/s`, '', '', '≥ 1 M/s']);
  }
  if (f.pythonEngine) {
    rows.push(['Python lines/s, engine in-process, cold', `${(f.pythonEngine.linesPerSecondCold / 1e6).toFixed(2)} M/s (${ms(f.pythonEngine.coldMs)})`, '', '', '≥ 1 M/s']);
    rows.push(['Python lines/s, engine in-process, warm', `${(f.pythonEngine.linesPerSecondWarm / 1e6).toFixed(2)} M/s (${ms(f.pythonEngine.warmMs)})`, '', '', '≥ 1 M/s']);
  }
  if (bed.planted) console.log(`\nfindings: ${bed.tsFindings} TS (${bed.planted.ts} planted), ${bed.pyFindings} Python (${bed.planted.py} planted)`);
  const sz = bed.sizes;
  const what = [sz.tsFiles ? `${sz.tsLines} TS lines / ${sz.tsFiles} files` : '', sz.pyFiles ? `${sz.pyLines} Python lines / ${sz.pyFiles} files` : ''].filter(Boolean).join(', ');
  console.log(`\n${bed.name}: ${bed.about} — ${what}; findings ${[bed.tsFindings, bed.pyFindings].filter((x) => x != null).join(' + ')}; median of ${r.runs}; ${r.machine.cpus} cores, ${r.machine.cpu}, node ${r.machine.node}, load ${os.loadavg()[0].toFixed(1)}`);
  table(rows);
}

function printStartup(s) {
  console.log('\nstart-up (a two-file workspace per language)');
  table([
    ['figure', 'sendcheck', 'reference', 'ratio', 'target'],
    ['sendcheck --version vs node -e 0', ms(s.versionMs), ms(s.nodeStartMs), ratio(s.versionMs / s.nodeStartMs), '≤ 150 ms'],
    ['first diagnostics, Python file (spawn → publish)', ms(s.firstPythonDiagnosticsMs), ms(s.nodeStartMs), ratio(s.firstPythonDiagnosticsMs / s.nodeStartMs), '≤ 1000 ms'],
    ['first diagnostics, TS file (spawn → publish)', ms(s.firstTsDiagnosticsMs), ms(s.nodeStartMs), ratio(s.firstTsDiagnosticsMs / s.nodeStartMs), '≤ 1500 ms'],
    ['first diagnostics, Python file, server CPU', ms(s.firstPythonDiagnosticsCpuMs), '', '', '≤ 1000 ms'],
    ['first diagnostics, TS file, server CPU', ms(s.firstTsDiagnosticsCpuMs), '', '', '≤ 1500 ms'],
  ]);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
