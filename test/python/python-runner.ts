import { spawnSync } from 'node:child_process';
import { runBounded, type RunResult } from '../harness/run-bounded';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

// Runs Python programs for the oracles: with a default start method imposed through
// sitecustomize (a program's own set_start_method() still wins), a timeout that kills the
// whole process group (a Pool whose task was lost never returns), and at most two at a time.

export const python = process.env.SENDCHECK_PYTHON ?? 'python3';
export const hasPython = spawnSync(python, ['--version'], { encoding: 'utf8' }).status === 0;
const TIMEOUT_MS = 45_000;

const sitecustomize = `import os
_m = os.environ.get("SENDCHECK_ORACLE_START")
if _m:
    import multiprocessing.context as _c
    _c._default_context._default_context = _c._concrete_contexts[_m]
`;

export type Outcome = RunResult;

export function makeSiteDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sendcheck-oracle-site-'));
  fs.writeFileSync(path.join(dir, 'sitecustomize.py'), sitecustomize);
  return dir;
}

export async function runPython(file: string, startMethod: string, siteDir: string): Promise<Outcome> {
  const cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'sendcheck-oracle-run-'));
  try {
    return await runBounded(python, [file], {
      cwd,
      env: { ...process.env, PYTHONPATH: siteDir, SENDCHECK_ORACLE_START: startMethod, PYTHONDONTWRITEBYTECODE: '1', PYTHONUNBUFFERED: '1' },
      timeoutMs: TIMEOUT_MS,
      processGroup: true,
    });
  } finally {
    fs.rmSync(cwd, { recursive: true, force: true });
  }
}

/** Runs `jobs` two at a time. */
export async function inParallel<T>(items: readonly T[], job: (item: T) => Promise<void>, parallel = 2): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await job(items[next++]);
  };
  await Promise.all(Array.from({ length: parallel }, worker));
}

export function describeOutcome(o: Outcome): string {
  return `\n--- exit ${o.code}${o.timedOut ? ' (killed after timeout)' : ''}\n--- stdout\n${o.stdout.slice(-1500)}\n--- stderr\n${o.stderr.slice(-2500)}`;
}
