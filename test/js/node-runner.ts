import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as ts from 'typescript';
import { runBounded, type RunResult } from '../harness/run-bounded';
import { runInChromium } from './browser-runner';
import { fixturesRoot, type Fixture } from './fixtures';

// How the JS oracle and the fix tests run a program: staged in a work folder (TS emitted as JS,
// Svelte modules compiled by svelte/compiler, the fixture folder's `_lib` beside it), then run
// with the Node major its runtime names under the preload (oracle-hook.cjs) that records every
// real send, or in headless Chromium (browser-runner.ts) for `// runtime: chromium` fixtures and
// `oracle on chromium` variants; bounded by a timeout either way.

const hook = path.join(__dirname, 'oracle-hook.cjs');
export const runTimeoutMs = 20_000;

/** Node 20 and Node 24 binaries, installed once by setup-node.mjs when this machine lacks them. */
export function nodeBinaries(): Record<'node20' | 'node24', string> {
  const r = spawnSync(process.execPath, [path.join(__dirname, 'setup-node.mjs'), '20', '24'], { encoding: 'utf8', timeout: 320_000 });
  if (r.status !== 0) throw new Error(`setup-node.mjs failed: ${r.stderr}`);
  const [node20, node24] = r.stdout.trim().split('\n');
  return { node20, node24 };
}

/** The JavaScript TypeScript emits for a TS file, and the extension Node should load it with. */
export function transpileForNode(file: string, text: string): { text: string; ext: '.cjs' | '.mjs' } {
  const cjs = file.endsWith('.cts');
  const out = ts.transpileModule(text, {
    compilerOptions: { module: cjs ? ts.ModuleKind.CommonJS : ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
    fileName: file,
  });
  return { text: out.outputText, ext: cjs ? '.cjs' : '.mjs' };
}

/** A `.svelte.js` / `.svelte.ts` module: its runes only mean something once svelte/compiler has compiled it. */
const isSvelteModule = (file: string) => /\.svelte\.[cm]?[jt]s$/.test(file);

function compileSvelte(file: string, js: string): string {
  // Loaded only for Svelte fixtures: the compiler is large.
  const { compileModule } = require('svelte/compiler') as typeof import('svelte/compiler');
  return compileModule(js, { filename: path.basename(file), generate: 'client' }).js.code;
}

/**
 * Writes the program of `fixtureFile` (with its folder's `_lib` modules, some files replaced by
 * `overrides`) under `dir`, as Node can run it; returns the staged path of the fixture itself.
 */
export function stageProgram(fixtureFile: string, dir: string, overrides: ReadonlyMap<string, string> = new Map()): string {
  const lib = path.join(path.dirname(fixtureFile), '_lib');
  const others = fs.existsSync(lib) ? fs.readdirSync(lib).map((n) => path.join(lib, n)) : [];
  let main = '';
  for (const file of new Set([fixtureFile, ...others, ...overrides.keys()])) {
    if (!fs.statSync(file).isFile()) continue;
    let text = overrides.get(file) ?? fs.readFileSync(file, 'utf8');
    let out = path.join(dir, path.relative(fixturesRoot, file));
    if (/\.[mc]?tsx?$/.test(file) && !file.endsWith('.d.ts')) {
      const js = transpileForNode(file, text);
      text = js.text;
      out = out.replace(/\.[mc]?tsx?$/, js.ext);
    }
    fs.mkdirSync(path.dirname(out), { recursive: true });
    if (isSvelteModule(file)) {
      text = compileSvelte(file, text);
      // Compiled modules are ESM whatever their extension says.
      if (out.endsWith('.js')) fs.writeFileSync(path.join(path.dirname(out), 'package.json'), '{ "type": "module" }\n');
    }
    fs.writeFileSync(out, text);
    if (file === fixtureFile) main = out;
  }
  return main;
}

/** Electron cannot run here: a program that imports it runs against the oracle's model of Electron's IPC (electron-stub.cjs). */
function importsElectron(main: string): boolean {
  const lib = path.join(path.dirname(main), '_lib');
  const files = [main, ...(fs.existsSync(lib) ? fs.readdirSync(lib).map((n) => path.join(lib, n)) : [])];
  return files.some((f) => /\.[mc]?js$/.test(f) && /(?:from\s+|require\(\s*)['"]electron(?:\/\w+)?['"]/.test(fs.readFileSync(f, 'utf8')));
}

/** Runs `file` with `binary` under the oracle hook, which appends one JSON line per send to `reportFile`. */
export function runWithOracleHook(binary: string, file: string, reportFile: string, timeoutMs = runTimeoutMs): Promise<RunResult> {
  const electron = importsElectron(file) ? { SENDCHECK_ORACLE_ELECTRON: '1' } : {};
  return runBounded(binary, ['--require', hook, file], {
    cwd: path.dirname(file),
    env: { ...process.env, SENDCHECK_ORACLE_REPORT: reportFile, NODE_OPTIONS: '', ...electron },
    timeoutMs,
  });
}

/** One boundary call as the oracle hooks record it. */
export interface Send {
  where: string;
  api: string;
  outcome: 'ok' | 'loss' | 'threw';
  loss?: string;
  error?: string;
  /** ArrayBuffers listed for transfer that the runtime copied instead. */
  copied?: string[];
}

export interface ProgramRun extends RunResult {
  sends: Send[];
}

/**
 * The sends a report file holds. The hook writes a send's line before the call and amends it after
 * (a copied transfer list, a throw) under the same id: the last line of each id is its outcome.
 */
export function readSends(reportFile: string): Send[] {
  if (!fs.existsSync(reportFile)) return [];
  const at = new Map<string, number>();
  const out: Send[] = [];
  for (const line of fs.readFileSync(reportFile, 'utf8').trim().split('\n').filter(Boolean)) {
    const { id, ...send }: Send & { id?: string } = JSON.parse(line);
    // An amending line is whole (the hook writes every field again), so it replaces the first.
    if (id !== undefined && at.has(id)) out[at.get(id)!] = send;
    else {
      if (id !== undefined) at.set(id, out.length);
      out.push(send);
    }
  }
  return out;
}

/** Runs a staged fixture program on the fixture's runtime (Node 20, Node 24, headless Chromium) and reads back what its sends did. */
export async function runStaged(fx: Fixture, main: string, reportFile: string, bins: Record<'node20' | 'node24', string>): Promise<ProgramRun> {
  const browser = fx.runtime === 'chromium' || fx.runtime === 'chromium-extension';
  const r = browser
    ? await runInChromium(main, path.join(path.dirname(reportFile), `chromium-${path.basename(reportFile, '.jsonl')}`), reportFile, { extension: fx.runtime === 'chromium-extension', timeoutMs: runTimeoutMs })
    : await runWithOracleHook(bins[fx.runtime as 'node20' | 'node24'], main, reportFile);
  const sends = readSends(reportFile);
  // In a page, an operation on a detached buffer that ends the program is the runtime's verdict too (oracle-hook.cjs records it in Node).
  if (browser) for (const line of r.stderr.split('\n')) if (/^TypeError: .*detached/.test(line)) sends.push({ where: 'page', api: 'program', outcome: 'threw', error: line });
  return { ...r, sends };
}
