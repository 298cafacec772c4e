import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { expectationsOn, parseExpectations } from '../harness/expectations';
import { loadFixtures, type Fixture } from './fixtures';
import { closeSharedBrowser } from '../harness/chromium';
import { nodeBinaries, runStaged, runTimeoutMs, stageProgram } from './node-runner';

// The runtime is the judge: every fixture is executed with real Node (the version its target
// names: Node 20 for `node20`, Node 24 otherwise) or in headless Chromium (`runtime: chromium`,
// `oracle on chromium`) under a preload that records each send, and the outcome must match both
// the fixture's oracle header and its caret expectations on that runtime: an expected error ⇔ a
// send threw (or the program died of a detached buffer); only warnings ⇔ a send lost data, copied
// what it meant to move, or the program observed the loss itself; clean ⇔ sends happened and none
// threw or lost anything.

const root = path.resolve(__dirname, '..', '..');
const work = path.join(root, 'test', '.cache', `oracle-${process.pid}`);

test('oracle: every fixture behaves at runtime as its expectations say', async (t) => {
  const fixtures = loadFixtures();
  const bins = nodeBinaries();
  fs.rmSync(work, { recursive: true, force: true });
  fs.mkdirSync(work, { recursive: true });
  const versions: Record<string, string> = { chromium: 'Chromium', 'chromium-extension': 'a Chromium extension' };
  for (const [k, b] of Object.entries(bins)) versions[k] = spawnSync(b, ['--version'], { encoding: 'utf8' }).stdout.trim();
  const failures: string[] = [];
  const tally: Record<string, number> = { throws: 0, loss: 0, clean: 0, detached: 0, copied: 0, dropped: 0 };
  const perRuntime: Record<string, number> = {};
  let ran = 0;

  const judge = async (fx: Fixture) => {
    const expectations = expectationsOn(parseExpectations(fx.text, 'js'), fx.runtime);
    const errors = expectations.filter((e) => e.severity === 'error').length;
    const warnings = expectations.filter((e) => e.severity === 'warning').length;
    // The header and the carets must tell the same story, or the oracle could pass vacuously.
    const consistent =
      fx.oracle === 'throws' ? errors > 0 : fx.oracle === 'clean' ? errors === 0 && warnings === 0 : errors === 0 && warnings > 0;
    if (!consistent) return failures.push(`${fx.name}: header "oracle: ${fx.oracle}" disagrees with its expectations on ${fx.runtime} (${errors} errors, ${warnings} warnings)`);
    const slug = fx.name.replace(/[\\/ ()]/g, '_');
    const reportFile = path.join(work, `${slug}.jsonl`);
    const r = await runStaged(fx, stageProgram(fx.file, path.join(work, slug)), reportFile, bins);
    ran++;
    tally[fx.oracle]++;
    perRuntime[fx.runtime] = (perRuntime[fx.runtime] ?? 0) + 1;
    const sends = r.sends;
    const threw = sends.filter((s) => s.outcome === 'threw');
    const lost = sends.filter((s) => s.outcome === 'loss');
    const copied = sends.filter((s) => s.copied?.length);
    const where = `${fx.name} (${versions[fx.runtime]})`;
    const detail = `\n    sends: ${JSON.stringify(sends)}\n    exit ${r.code}${r.timedOut ? ' (timed out)' : ''}; stderr: ${r.stderr.trim().split('\n').slice(0, 4).join(' | ')}`;
    if (r.timedOut) return failures.push(`${where}: timed out after ${runTimeoutMs} ms${detail}`);
    if (sends.length === 0) return failures.push(`${where}: no boundary was exercised, so the runtime proved nothing${detail}`);
    switch (fx.oracle) {
      case 'throws':
        if (threw.length === 0) failures.push(`${where}: expected a send to throw, none did${detail}`);
        break;
      case 'loss':
        if (threw.length) failures.push(`${where}: expected silent loss, but a send threw${detail}`);
        else if (lost.length === 0) failures.push(`${where}: expected a value to arrive changed, all arrived intact${detail}`);
        else if (r.code !== 0) failures.push(`${where}: expected a clean exit${detail}`);
        break;
      case 'clean':
        if (threw.length || lost.length || copied.length || r.code !== 0) failures.push(`${where}: expected every send to succeed unchanged${detail}`);
        break;
      case 'copied':
        if (threw.length || r.code !== 0 || copied.length === 0) failures.push(`${where}: expected a send to copy a buffer listed for transfer${detail}`);
        break;
      case 'detached':
      case 'dropped':
        if (threw.length || r.code !== 0 || !r.stdout.includes(`oracle: ${fx.oracle}`)) failures.push(`${where}: expected the program to print "oracle: ${fx.oracle}"${detail}`);
        break;
    }
  };

  const queue = [...fixtures];
  await Promise.all(
    [0, 1].map(async () => {
      for (let fx = queue.shift(); fx; fx = queue.shift()) await judge(fx);
    }),
  );
  await closeSharedBrowser();
  fs.rmSync(work, { recursive: true, force: true });
  const line = `oracle: ran ${ran} of ${fixtures.length} fixture runs (${Object.entries(tally).filter(([, n]) => n).map(([k, n]) => `${n} ${k}`).join(', ')}): ${Object.entries(perRuntime).map(([k, n]) => `${n} on ${versions[k]}`).join(', ')}`;
  t.diagnostic(line);
  console.log(line);
  assert.equal(ran, fixtures.length);
  assert.deepEqual(failures, []);
});
