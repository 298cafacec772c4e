import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { test } from 'node:test';

// A short, fixed-seed run of the fuzz harness; `npm run fuzz` is the long one.
test('fuzz (short run): no crash, hang, slow diagnostics or unhandled rejection; every hostile kind handled', () => {
  const script = path.resolve(__dirname, 'fuzz.mjs');
  const r = spawnSync(process.execPath, [script, '--seed', '7', '--edits', '600', '--bad-files', '60', '--tiny-files', '300', '--seconds', '240'], {
    encoding: 'utf8',
    // The fixtures are the corpus: with ~1 000 of them the scan and each edit's check take longer
    // than when 120 s reached 600 edits. The run ends as soon as the edits are done.
    timeout: 360_000,
  });
  const last = r.stdout.trim().split('\n').pop() ?? '';
  assert.match(last, /^fuzz: seed=7 edits=\d+ /, `no summary line; stderr:\n${r.stderr.slice(-2000)}`);
  const n = (k: string) => Number(new RegExp(`\\b${k}=(\\d+)`).exec(last)?.[1]);
  assert.equal(n('crashes'), 0, last);
  assert.equal(n('hangs'), 0, last);
  assert.equal(n('slow'), 0, last);
  assert.equal(n('unhandled'), 0, last);
  // The hostile kinds of the newer features (notebooks, project files, outside paths, tsconfig cycle, link loops, import cycle, edit storm).
  assert.equal(n('new-kinds'), 7, last);
  assert.equal(n('kind-failures'), 0, `${last}\n${r.stderr.slice(-2000)}`);
  assert.ok(n('edits') >= 600, `only ${n('edits')} edits applied: ${last}`);
  assert.ok(n('requests') > 50 && n('answered') + n('cancelled') === n('requests'), last);
  assert.equal(r.status, 0, r.stderr.slice(-2000));
});
