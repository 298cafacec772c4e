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

/**
 * Fixtures that import third-party libraries (torch, joblib, dask, celery...) run under the
 * interpreter that has them: SENDCHECK_PYTHON_LIBS if set, else Debian's /usr/bin/python3, where
 * .ci/run installs the python3-* packages; the default interpreter last. The plain fixtures keep
 * running under `python` (the pyenv CPython on PATH). `missing` names the Debian packages to
 * install when no interpreter has every module.
 */
export function interpreterFor(modules: readonly string[]): { python: string } | { missing: string } {
  if (!modules.length) return { python };
  const key = modules.join(',');
  let hit = interpreters.get(key);
  if (!hit) {
    const candidates = [...new Set([process.env.SENDCHECK_PYTHON_LIBS, '/usr/bin/python3', python].filter((c): c is string => !!c))];
    const found = candidates.find((c) => spawnSync(c, ['-c', `import ${modules.join(', ')}`], { encoding: 'utf8', timeout: 60_000 }).status === 0);
    hit = found
      ? { python: found }
      : { missing: `no interpreter among ${candidates.join(', ')} imports ${modules.join(', ')} (apt-get install ${modules.map((m) => debianPackages[m] ?? `python3-${m}`).join(' ')})` };
    interpreters.set(key, hit);
  }
  return hit;
}
const interpreters = new Map<string, { python: string } | { missing: string }>();
const debianPackages: Record<string, string> = { torch: 'python3-torch', sklearn: 'python3-sklearn', yaml: 'python3-yaml' };
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

export async function runPython(file: string, startMethod: string, siteDir: string, options: { python?: string; timeoutMs?: number; args?: string[] } = {}): Promise<Outcome> {
  const cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'sendcheck-oracle-run-'));
  try {
    return await runBounded(options.python ?? python, [file, ...(options.args ?? [])], {
      cwd,
      env: { ...process.env, PYTHONPATH: siteDir, SENDCHECK_ORACLE_START: startMethod, PYTHONDONTWRITEBYTECODE: '1', PYTHONUNBUFFERED: '1' },
      timeoutMs: options.timeoutMs ?? TIMEOUT_MS,
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
