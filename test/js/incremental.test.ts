import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { test } from 'node:test';
import { createChecker } from '../../server/src/check';
import { resolveConfig } from '../../server/src/engine/config';
import { DiskHost } from '../../server/src/engine/files';
import { loadFixtures } from './fixtures';

// The JS engine keeps what it learns of a file per parsed version (the functions a file declares and
// the names they call, whether its text mentions a sink) and reuses it in the next program, so an
// edit re-reads only the edited file. A stale entry would show as a difference: one checker sees
// every fixture edited (emptied, then back with a comment added), another sees only the final
// text, and the two must report the same findings, byte for byte.

const root = path.resolve(__dirname, '..', '..');

test('an edited file gets the findings a fresh check of its final text gets', async () => {
  // Four checks per fixture: over every fixture that is most of an hour on a busy 2-core machine.
  // By default a fixed spread of them (every sixth, so each folder and rule is sampled);
  // SENDCHECK_INCREMENTAL=all takes them all, SENDCHECK_FIXTURES narrows as elsewhere.
  const all = loadFixtures().filter((f) => f.primary);
  const fixtures = process.env.SENDCHECK_INCREMENTAL === 'all' || process.env.SENDCHECK_FIXTURES ? all : all.filter((_, i) => i % 6 === 0);
  await createChecker().init();
  const edited = createChecker();
  const fresh = createChecker();
  const editedHost = new DiskHost();
  const freshHost = new DiskHost();
  let withFindings = 0;
  for (const fx of fixtures) {
    const { config } = resolveConfig({ js: { target: fx.target } });
    const final = `${fx.text}\n// edited\n`;
    edited.check([fx.file], editedHost, config);
    editedHost.setOverlay(fx.file, '', 1);
    edited.check([fx.file], editedHost, config);
    editedHost.setOverlay(fx.file, final, 2);
    const after = JSON.stringify(edited.check([fx.file], editedHost, config));
    freshHost.setOverlay(fx.file, final, 1);
    const expected = JSON.stringify(fresh.check([fx.file], freshHost, config));
    assert.equal(after, expected, `${path.relative(root, fx.file)}: the edited file's findings differ from a fresh check`);
    if (expected !== '[]') withFindings++;
  }
  // The comparison means something only if the fixtures report findings at all.
  assert.ok(withFindings > fixtures.length / 3, `only ${withFindings} of ${fixtures.length} fixtures have findings`);
});
