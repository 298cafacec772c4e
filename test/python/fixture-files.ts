import * as fs from 'node:fs';
import * as path from 'node:path';
import { resolveConfig, type SendcheckConfig } from '../../server/src/engine/config';

// Python fixtures: every `test/fixtures/py/*.py` starts with a header the fixture test and the
// oracle both read. Helper modules that fixtures import live in subfolders and have no header.
//
//   # oracle: fails <text the real run must print, in the parent or the child>
//                   (alternatives for other Python versions after ` || `; the first is 3.11's)
//   # oracle: clean            (the run must exit 0 and print ORACLE-OK)
//   # oracle: silent <text>    (a warning: the run exits 0 but prints <text>, showing the loss)
//   # oracle: skip <reason>    (cannot run here, e.g. joblib is not installed)
//   # config: startMethod=fork (optional: sendcheck.python.startMethod for this fixture)
//   # fixed: <text>            (optional: what the program prints once a fix is applied, the
//                             proof that the fixed program did what the original meant to do)

export const fixtureDir = path.resolve(__dirname, '..', 'fixtures', 'py');

export interface PyFixture {
  file: string;
  name: string;
  text: string;
  oracle: { kind: 'fails'; text: string; alternatives: string[] } | { kind: 'silent'; text: string } | { kind: 'clean' } | { kind: 'skip'; reason: string };
  config: SendcheckConfig;
  /** What the program must print after any of its fixes (`# fixed:`), if the fixture says. */
  fixedPrints?: string;
  /** The start method the engine assumes when the code sets none: what the oracle imposes. */
  startMethod: 'spawn' | 'fork' | 'forkserver';
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
      const oracle: PyFixture['oracle'] =
        o[1] === 'fails'
          ? { kind: 'fails', text: o[2].split(' || ')[0].trim(), alternatives: o[2].split(' || ').map((t) => t.trim()) }
          : o[1] === 'silent'
            ? { kind: 'silent', text: o[2].trim() }
            : o[1] === 'skip'
              ? { kind: 'skip', reason: o[2].trim() }
              : { kind: 'clean' };
      if (oracle.kind !== 'clean' && !o[2].trim()) throw new Error(`${f}: "# oracle: ${o[1]}" needs a text`);
      const raw: Record<string, unknown> = {};
      const c = /^# config: startMethod=(\w+)$/m.exec(text);
      if (c) raw.python = { startMethod: c[1] };
      const { config, problems } = resolveConfig(raw);
      if (problems.length) throw new Error(`${f}: ${problems.map((p) => p.message).join(', ')}`);
      const m = config.python.startMethod;
      const fixed = /^# fixed: (.+)$/m.exec(text)?.[1].trim();
      return { file, name: f, text, oracle, config, fixedPrints: fixed, startMethod: m === 'auto' ? 'spawn' : m };
    });
}
