import * as fs from 'node:fs';
import * as path from 'node:path';
import { pythonVersions, resolveConfig, type SendcheckConfig } from '../../server/src/engine/config';
import { minorsAllowed, scenariosFor } from '../../server/src/python/profile';

// Python fixtures: every `test/fixtures/py/*.py` starts with a header the fixture test and the
// oracle both read. Helper modules that fixtures import live in subfolders and have no header.
//
//   # oracle: fails <text the real run must print, in the parent or the child>
//                   (alternatives for other Python versions after ` || `; the first is 3.11's)
//   # oracle: clean            (the run must exit 0 and print ORACLE-OK)
//   # oracle: silent <text>    (a warning: the run exits 0 but prints <text>, showing the loss)
//   # oracle: skip <reason>    (cannot run here, e.g. joblib is not installed)
//   # config: startMethod=fork (optional: sendcheck.python.startMethod for this fixture; also
//                              version=3.12 and platforms=linux,macos, space-separated)
//   # fixed: <text>            (optional: what the program prints once a fix is applied, the
//                             proof that the fixed program did what the original meant to do)
//   # oracle on fork: clean    (optional, repeatable: the run under another start method and its
//                              outcome, for fixtures whose verdict depends on the platform)
//   # requires: torch, h5py    (optional: modules the run needs; see python-runner.ts interpreterFor)
//   # oracle-timeout: 10       (optional, seconds, instead of 45: shorter for a run that hangs by
//                              design, e.g. a Pool whose workers keep dying (its output is still
//                              judged); longer for workers that import torch on a busy machine)
//
// SENDCHECK_PY_FIXTURES=name1,name2 limits the oracle and fix runs to fixtures whose file name
// contains one of the substrings (for a quick local run; CI runs them all).

export const fixtureDir = path.resolve(__dirname, '..', 'fixtures', 'py');

export type Oracle = { kind: 'fails'; text: string; alternatives: string[] } | { kind: 'silent'; text: string } | { kind: 'clean' } | { kind: 'skip'; reason: string };

function parseOracle(kind: string, rest: string): Oracle {
  return kind === 'fails'
    ? { kind: 'fails', text: rest.split(' || ')[0].trim(), alternatives: rest.split(' || ').map((t) => t.trim()) }
    : kind === 'silent'
      ? { kind: 'silent', text: rest.trim() }
      : kind === 'skip'
        ? { kind: 'skip', reason: rest.trim() }
        : { kind: 'clean' };
}

export interface PyFixture {
  file: string;
  name: string;
  text: string;
  oracle: Oracle;
  /** Runs under other start methods (`# oracle on fork: clean`), each with its own verdict. */
  variants: { method: 'spawn' | 'fork' | 'forkserver'; oracle: Oracle }[];
  config: SendcheckConfig;
  /** What the program must print after any of its fixes (`# fixed:`), if the fixture says. */
  fixedPrints?: string;
  /** The start method the engine assumes when the code sets none: what the oracle imposes. */
  startMethod: 'spawn' | 'fork' | 'forkserver';
  /** Modules the program imports that CPython does not ship (torch, joblib...). */
  requires: string[];
  /** Milliseconds before the run is killed, when the header replaces the default. */
  timeoutMs?: number;
}

/** The fixtures SENDCHECK_PY_FIXTURES selects, or all of them. */
export function selectedFixtures(all: PyFixture[]): PyFixture[] {
  const only = process.env.SENDCHECK_PY_FIXTURES?.split(',').filter(Boolean);
  return only?.length ? all.filter((f) => only.some((o) => f.name.includes(o))) : all;
}

export function loadFixtures(): PyFixture[] {
  return fs
    .readdirSync(fixtureDir)
    .filter((f) => f.endsWith('.py'))
    .sort()
    .map((f) => {
      const file = path.join(fixtureDir, f);
      const text = fs.readFileSync(file, 'utf8');
      const o = /^# oracle: (fails|silent|clean|skip)\b ?(.*)$/m.exec(text);
      if (!o) throw new Error(`${f}: no "# oracle:" header`);
      const oracle = parseOracle(o[1], o[2]);
      if (oracle.kind !== 'clean' && !o[2].trim()) throw new Error(`${f}: "# oracle: ${o[1]}" needs a text`);
      const variants = [...text.matchAll(/^# oracle on (spawn|fork|forkserver): (fails|silent|clean)\b ?(.*)$/gm)].map((v) => ({
        method: v[1] as 'spawn' | 'fork' | 'forkserver',
        oracle: parseOracle(v[2], v[3]),
      }));
      const python: Record<string, unknown> = {};
      const c = /^# config: (.+)$/m.exec(text);
      for (const pair of c?.[1].trim().split(/\s+/) ?? []) {
        const [k, v] = pair.split('=');
        python[k] = k === 'platforms' ? v.split(',') : v;
      }
      const { config, problems } = resolveConfig(Object.keys(python).length ? { python } : {});
      if (problems.length) throw new Error(`${f}: ${problems.map((p) => p.message).join(', ')}`);
      // What the engine analyses first: the method the settings name, else the strictest default
      // of the platforms and versions in scope (the fixtures folder has no pyproject.toml).
      const v = config.python.version;
      const scenarios = scenariosFor(config.python.platforms, minorsAllowed(`==${v === 'auto' ? pythonVersions[pythonVersions.length - 1] : v}`)!);
      const m = config.python.startMethod === 'auto' ? (scenarios.find((s) => s.method !== 'fork') ?? scenarios[0]).method : config.python.startMethod;
      const fixed = /^# fixed: (.+)$/m.exec(text)?.[1].trim();
      const requires = (/^# requires: (.+)$/m.exec(text)?.[1] ?? '').split(',').map((r) => r.trim()).filter(Boolean);
      const timeout = /^# oracle-timeout: (\d+)$/m.exec(text);
      return { file, name: f, text, oracle, variants, config, fixedPrints: fixed, startMethod: m, requires, timeoutMs: timeout ? Number(timeout[1]) * 1000 : undefined };
    });
}
