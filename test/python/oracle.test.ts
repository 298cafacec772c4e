import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { test } from 'node:test';
import { loadFixtures, selectedFixtures, type Oracle, type PyFixture } from './fixture-files';
import { describeOutcome, hasPython, inParallel, interpreterFor, makeSiteDir, python, runPython, type Outcome } from './python-runner';

// The runtime is the judge: every Python fixture runs under CPython with the start method the
// engine assumed for it, and the outcome must match its header. A fixture the engine flags must
// fail with the quoted pickling error (in the parent or in a child); one it warns about must run
// and print the loss it suffered; a clean one must exit 0 having printed ORACLE-OK, which it
// prints only after the values have crossed.

function verdict(oracle: Oracle, o: Outcome): string | undefined {
  const out = `${o.stdout}\n${o.stderr}`;
  if (oracle.kind === 'fails' && !oracle.alternatives.some((t) => out.includes(t)))
    return `expected the run to fail with "${oracle.alternatives.join('" or "')}"${describeOutcome(o)}`;
  if (oracle.kind === 'silent' && (o.timedOut || o.code !== 0 || /Traceback/.test(o.stderr) || !o.stdout.includes(oracle.text)))
    return `expected a run that exits 0 but prints "${oracle.text}"${describeOutcome(o)}`;
  if (oracle.kind === 'clean' && (o.timedOut || o.code !== 0 || !o.stdout.includes('ORACLE-OK') || /Traceback/.test(o.stderr)))
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
  // Each fixture runs under the start method the engine assumed, and once more under each
  // method its `# oracle on <method>:` lines name.
  const runs = runnable.flatMap((fx) => [{ fx, method: fx.startMethod, oracle: fx.oracle }, ...fx.variants.map((v) => ({ fx, ...v }))]);
  await inParallel(runs, async ({ fx, method, oracle }) => {
    const interpreter = interpreterFor(fx.requires);
    const outcome = await runPython(fx.file, method, siteDir, { python: 'python' in interpreter ? interpreter.python : undefined, timeoutMs: fx.timeoutMs });
    ran++;
    const problem = verdict(oracle, outcome);
    if (problem) failures.push(`${fx.name} (${method}): ${problem}`);
  });
  fs.rmSync(siteDir, { recursive: true, force: true });
  const failing = runnable.filter((f) => f.oracle.kind === 'fails').length;
  const silent = runnable.filter((f) => f.oracle.kind === 'silent').length;
  const line = `oracle: ${runnable.length} Python fixtures ran under ${python} and the library interpreter (${failing} fail as flagged, ${silent} lose data silently as warned, ${runnable.length - failing - silent} run clean; ${ran - runnable.length} more runs under other start methods), ${failures.length} contradicted, ${skipped.length} skipped`;
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
