import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { test } from 'node:test';
import { loadFixtures, selectedFixtures, type PyFixture } from './fixture-files';
import { describeOutcome, hasPython, inParallel, interpreterFor, makeSiteDir, python, runPython, type Outcome } from './python-runner';

// The runtime is the judge: every Python fixture runs under CPython with the start method the
// engine assumed for it, and the outcome must match its header. A fixture the engine flags must
// fail with the quoted pickling error (in the parent or in a child); one it warns about must run
// and print the loss it suffered; a clean one must exit 0 having printed ORACLE-OK, which it
// prints only after the values have crossed.

function verdict(fx: PyFixture, o: Outcome): string | undefined {
  const out = `${o.stdout}\n${o.stderr}`;
  if (fx.oracle.kind === 'fails' && !fx.oracle.alternatives.some((t) => out.includes(t)))
    return `expected the run to fail with "${fx.oracle.alternatives.join('" or "')}"${describeOutcome(o)}`;
  if (fx.oracle.kind === 'silent' && (o.timedOut || o.code !== 0 || /Traceback/.test(o.stderr) || !o.stdout.includes(fx.oracle.text)))
    return `expected a run that exits 0 but prints "${fx.oracle.text}"${describeOutcome(o)}`;
  if (fx.oracle.kind === 'clean' && (o.timedOut || o.code !== 0 || !o.stdout.includes('ORACLE-OK') || /Traceback/.test(o.stderr)))
    return `expected a clean run printing ORACLE-OK${describeOutcome(o)}`;
  return undefined;
}

test('oracle: every Python fixture behaves at run time as its expectations say', { skip: !hasPython && process.env.CI !== 'true' && `${python} not found` }, async (t) => {
  // Under CI=true a missing interpreter fails the run instead of skipping the runtime's verdict.
  assert.ok(hasPython, `${python} not found`);
  const fixtures = selectedFixtures(loadFixtures());
  const siteDir = makeSiteDir();
  // A fixture whose libraries no interpreter here has is skipped loudly; under CI=true, where
  // .ci/run installs them, that is a failure.
  const noLibs = (f: PyFixture) => {
    const i = interpreterFor(f.requires);
    return 'missing' in i ? i.missing : undefined;
  };
  const runnable = fixtures.filter((f) => f.oracle.kind !== 'skip' && !noLibs(f));
  const skipped = fixtures.filter((f) => f.oracle.kind === 'skip' || noLibs(f));
  const failures: string[] = [];
  if (process.env.CI === 'true') for (const f of fixtures) if (noLibs(f)) failures.push(`${f.name}: ${noLibs(f)}`);
  let ran = 0;
  await inParallel(runnable, async (fx) => {
    const interpreter = interpreterFor(fx.requires);
    const outcome = await runPython(fx.file, fx.startMethod, siteDir, { python: 'python' in interpreter ? interpreter.python : undefined, timeoutMs: fx.timeoutMs });
    ran++;
    const problem = verdict(fx, outcome);
    if (problem) failures.push(`${fx.name} (${fx.startMethod}): ${problem}`);
  });
  fs.rmSync(siteDir, { recursive: true, force: true });
  const failing = runnable.filter((f) => f.oracle.kind === 'fails').length;
  const silent = runnable.filter((f) => f.oracle.kind === 'silent').length;
  const line = `oracle: ${ran} Python fixtures ran under ${python} (${failing} fail as flagged, ${silent} lose data silently as warned, ${ran - failing - silent} run clean), ${failures.length} contradicted, ${skipped.length} skipped`;
  t.diagnostic(line);
  console.log(line);
  for (const s of skipped) {
    const reason = s.oracle.kind === 'skip' ? s.oracle.reason : noLibs(s);
    t.diagnostic(`skipped ${s.name}: ${reason}`);
    console.log(`  skipped ${s.name}: ${reason}`);
  }
  if (fixtures.length === loadFixtures().length) assert.ok(ran >= 40, `only ${ran} fixtures ran`);
  assert.deepEqual(failures, []);
});
