import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import * as ts from 'typescript';
import { runBounded, type RunResult } from '../harness/run-bounded';

// How the JS oracle and the fix tests run a program: with the Node major it targets, under the
// preload (oracle-hook.cjs) that records every real send, bounded by a timeout.

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
