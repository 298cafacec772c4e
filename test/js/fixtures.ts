import * as fs from 'node:fs';
import * as path from 'node:path';
import type { JsTarget } from '../../server/src/engine/config';

// The JS/TS fixtures and their headers, shared by the fixture test, the oracle test and the fix test.
//
//   // oracle: throws | loss | clean | detached | copied | dropped
//   // target: node20 | node22 | browser | electron-main | electron-renderer   (optional; default: auto)
//   // runtime: chromium | chromium-extension  (optional; default: Node, the major the target names)
//   // oracle on node20: <outcome>             (optional: also run on Node 20, expecting this)
//   // oracle on chromium: <outcome>           (optional: also run in headless Chromium)
//
// `throws`: running the program, a boundary throws (DataCloneError, a missing transfer, JSON's
// BigInt TypeError), or the program dies of an operation on a detached buffer. `loss`: every send
// succeeds and at least one value arrives changed (or never arrives: a `messageerror` on the
// receiving side). `clean`: at least one send happens, none throws, none changes the value.
// `detached`: the program itself prints `oracle: detached` after observing a transferred buffer's
// byteLength 0. `copied`: a send succeeds but an ArrayBuffer in its transfer list is still
// attached afterwards (the runtime copied what the code asked it to move). `dropped`: the program
// prints `oracle: dropped` after observing that a message it posted never arrived.
//
// Each `oracle on <runtime>` header makes one more variant of the fixture: the engine checks it with
// that runtime's target and the oracle runs it there. Caret expectations scoped `(node20)`,
// `(node24)` or `(chromium)` hold on that runtime only (test/harness/expectations.ts).

export type OracleOutcome = 'throws' | 'loss' | 'clean' | 'detached' | 'copied' | 'dropped';

/** Where a program runs: a Node major, a page in headless Chromium, or an extension page whose messages reach a real service worker. */
export type FixtureRuntime = 'node20' | 'node24' | 'chromium' | 'chromium-extension';

export interface Fixture {
  file: string;
  /** Path below test/fixtures, with ` (runtime)` appended for an extra variant. */
  name: string;
  text: string;
  oracle: OracleOutcome;
  target: JsTarget;
  runtime: FixtureRuntime;
  /** The fixture's own run; false for the variants its `oracle on <runtime>` headers add. */
  primary: boolean;
}

export const fixturesRoot = path.resolve(__dirname, '..', 'fixtures');
const fixtureExt = /\.(m|c)?(j|t)sx?$/;
const outcomes = 'throws|loss|clean|detached|copied|dropped';

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

const variantTargets: Record<'node20' | 'node24' | 'chromium', JsTarget> = { node20: 'node20', node24: 'node22', chromium: 'browser' };

/** Every fixture run; `SENDCHECK_FIXTURES=<substring>[,<substring>...]` narrows them to matching names while working on a few. */
export function loadFixtures(): Fixture[] {
  const only = process.env.SENDCHECK_FIXTURES?.split(',').filter(Boolean);
  return allFixtures().filter((fx) => !only?.length || only.some((s) => fx.name.includes(s)));
}

function allFixtures(): Fixture[] {
  const out: Fixture[] = [];
  for (const file of [...listDir(path.join(fixturesRoot, 'js')), ...listDir(path.join(fixturesRoot, 'ts'))]) {
    const text = fs.readFileSync(file, 'utf8');
    const name = path.relative(fixturesRoot, file);
    const oracle = new RegExp(`^\\/\\/ oracle: (${outcomes})\\b`, 'm').exec(text)?.[1] as OracleOutcome | undefined;
    if (!oracle) throw new Error(`${file}: missing "// oracle: ${outcomes}" header`);
    const target = (/^\/\/ target: (node20|node22|browser|electron-main|electron-renderer)\b/m.exec(text)?.[1] ?? 'auto') as JsTarget;
    const page = /^\/\/ runtime: (chromium-extension|chromium)\b/m.exec(text)?.[1] as FixtureRuntime | undefined;
    const runtime: FixtureRuntime = page ?? (target === 'node20' ? 'node20' : 'node24');
    out.push({ file, name, text, oracle, target, runtime, primary: true });
    for (const m of text.matchAll(new RegExp(`^\\/\\/ oracle on (node20|node24|chromium): (${outcomes})\\b`, 'gm'))) {
      const variant = m[1] as 'node20' | 'node24' | 'chromium';
      if (variant === runtime) throw new Error(`${file}: "oracle on ${variant}" repeats the fixture's own runtime`);
      out.push({ file, name: `${name} (${variant})`, text, oracle: m[2] as OracleOutcome, target: variantTargets[variant], runtime: variant, primary: false });
    }
  }
  return out;
}
