import * as fs from 'node:fs';
import * as path from 'node:path';
import type { JsTarget } from '../../server/src/engine/config';

// The JS/TS fixtures and their headers, shared by the fixture test and the oracle test.
//
//   // oracle: throws | loss | clean | detached
//   // target: node20 | node22 | browser | electron-main | electron-renderer   (optional; default: auto)
//   // runtime: chromium | chromium-extension  (optional; default: Node, the major the target names)
//
// `throws`: running the program, a boundary throws (DataCloneError, a missing transfer, JSON's
// BigInt TypeError). `loss`: every send succeeds and at least one value arrives changed.
// `clean`: at least one send happens, none throws, none changes the value. `detached`: the
// program itself prints `oracle: detached` after observing a transferred buffer's byteLength 0.

export type OracleOutcome = 'throws' | 'loss' | 'clean' | 'detached';

export type FixtureRuntime = 'node' | 'chromium' | 'chromium-extension';

export interface Fixture {
  file: string;
  name: string;
  text: string;
  oracle: OracleOutcome;
  target: JsTarget;
  /** Where the program runs: Node, a page in headless Chromium, or an extension page whose messages reach a real service worker. */
  runtime: FixtureRuntime;
}

export const fixturesRoot = path.resolve(__dirname, '..', 'fixtures');
const fixtureExt = /\.(m|c)?(j|t)sx?$/;

function listDir(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  const out: string[] = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, e.name);
    // `_lib` folders hold the other modules of multi-file fixtures (a worker, a shared class).
    if (e.isDirectory() && e.name !== 'node_modules' && e.name !== '_lib') out.push(...listDir(full));
    else if (e.isFile() && fixtureExt.test(e.name) && !e.name.endsWith('.d.ts')) out.push(full);
  }
  return out.sort();
}

export function loadFixtures(): Fixture[] {
  return [...listDir(path.join(fixturesRoot, 'js')), ...listDir(path.join(fixturesRoot, 'ts'))].map((file) => {
    const text = fs.readFileSync(file, 'utf8');
    const oracle = /^\/\/ oracle: (throws|loss|clean|detached)\b/m.exec(text)?.[1] as OracleOutcome | undefined;
    if (!oracle) throw new Error(`${file}: missing "// oracle: throws|loss|clean|detached" header`);
    const target = (/^\/\/ target: (node20|node22|browser|electron-main|electron-renderer)\b/m.exec(text)?.[1] ?? 'auto') as JsTarget;
    const runtime = (/^\/\/ runtime: (chromium-extension|chromium)\b/m.exec(text)?.[1] ?? 'node') as FixtureRuntime;
    return { file, name: path.relative(fixturesRoot, file), text, oracle, target, runtime };
  });
}
