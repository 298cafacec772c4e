import * as assert from 'node:assert/strict';
import { test } from 'node:test';
import { createChecker } from '../../server/src/check';
import { resolveConfig } from '../../server/src/engine/config';
import { DiskHost } from '../../server/src/engine/files';
import { assertFindingsMatch, expectationsOn, parseExpectations } from '../harness/expectations';
import { loadFixtures } from './fixtures';

// The engine's findings on every JS/TS fixture equal the fixture's inline caret expectations.
const fixtures = loadFixtures();
const checker = createChecker();
const host = new DiskHost();

test('there are at least 60 JS/TS fixtures, half of them clean', { skip: process.env.SENDCHECK_FIXTURES ? 'narrowed by SENDCHECK_FIXTURES' : false }, () => {
  const files = fixtures.filter((f) => f.primary);
  const clean = files.filter((f) => f.oracle === 'clean').length;
  assert.ok(files.length >= 60, `only ${files.length} fixtures`);
  assert.ok(clean * 2 >= files.length, `only ${clean} of ${files.length} fixtures are clean`);
});

for (const fx of fixtures) {
  test(`fixture ${fx.name}`, async () => {
    await checker.init();
    const { config } = resolveConfig({ js: { target: fx.target } });
    const findings = checker.check([fx.file], host, config);
    assertFindingsMatch(findings, expectationsOn(parseExpectations(fx.text, 'js'), fx.runtime), fx.text, fx.name);
    for (const f of findings) assert.ok(f.message.length > 10 && f.range.start.line >= 0, 'findings carry a message and a range');
  });
}
