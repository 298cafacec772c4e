import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Browser } from 'playwright-core';
import * as ts from 'typescript';
import { launchChromium, runModuleInPage } from '../harness/chromium';
import { runBounded, type RunResult } from '../harness/run-bounded';

// How the JS oracle and the fix tests run a program: with the Node major it targets, under the
// preload (oracle-hook.cjs) that records every real send, or in headless Chromium under the
// browser hook (browser-hook.js); bounded by a timeout.

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

/** Runs `file` with `binary` under the oracle hook, which appends one JSON line per send to `reportFile`. */
export function runWithOracleHook(binary: string, file: string, reportFile: string, timeoutMs = runTimeoutMs): Promise<RunResult> {
  return runBounded(binary, ['--require', hook, file], {
    cwd: path.dirname(file),
    env: { ...process.env, SENDCHECK_ORACLE_REPORT: reportFile, NODE_OPTIONS: '' },
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

const browserHook = path.join(__dirname, 'browser-hook.js');
let chromium: Promise<{ browser: Browser; close(): Promise<void> }> | undefined;

/** Closes the Chromium that `runProgram` started, if any; call once when a test file is done. */
export async function closeChromium(): Promise<void> {
  const c = chromium;
  chromium = undefined;
  if (c) await (await c).close();
}

/**
 * Runs a fixture program where its runtime says: `node20`/`node24` under the oracle's preload, or
 * `chromium` as a module in a headless page under the browser hook. `file` is runnable JavaScript
 * (TS already emitted); `reportFile` collects the Node hook's records.
 */
export async function runProgram(runtime: 'node20' | 'node24' | 'chromium', file: string, reportFile: string, bins?: Record<'node20' | 'node24', string>): Promise<ProgramRun> {
  if (runtime !== 'chromium') {
    const binaries = bins ?? nodeBinaries();
    const r = await runWithOracleHook(binaries[runtime], file, reportFile);
    const sends: Send[] = fs.existsSync(reportFile) ? fs.readFileSync(reportFile, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l)) : [];
    return { ...r, sends };
  }
  chromium ??= launchChromium();
  const { browser } = await chromium;
  const page = await runModuleInPage(browser, { code: fs.readFileSync(file, 'utf8'), preload: fs.readFileSync(browserHook, 'utf8'), collect: 'globalThis.__sendcheckOracle', timeoutMs: runTimeoutMs });
  const sends = [...((page.value as Send[] | undefined) ?? [])];
  // An operation on a detached buffer that ends the program is the runtime's verdict too.
  for (const e of page.errors) if (/^TypeError: .*detached/.test(e)) sends.push({ where: 'page', api: 'program', outcome: 'threw', error: e });
  return { code: page.errors.length ? 1 : 0, stdout: page.console.join('\n'), stderr: page.errors.join('\n'), timedOut: page.timedOut, sends };
}
