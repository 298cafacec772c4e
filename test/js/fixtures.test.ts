import * as assert from 'node:assert/strict';
import { test } from 'node:test';
import { createChecker } from '../../server/src/check';
import { resolveConfig } from '../../server/src/engine/config';
import { DiskHost } from '../../server/src/engine/files';
import { assertFindingsMatch, parseExpectations } from '../harness/expectations';
import { loadFixtures } from './fixtures';

// The engine's findings on every JS/TS fixture equal the fixture's inline caret expectations.
const fixtures = loadFixtures();
const checker = createChecker();
const host = new DiskHost();

test('there are at least 60 JS/TS fixtures, half of them clean', () => {
  const clean = fixtures.filter((f) => f.oracle === 'clean').length;
  assert.ok(fixtures.length >= 60, `only ${fixtures.length} fixtures`);
  assert.ok(clean * 2 >= fixtures.length, `only ${clean} of ${fixtures.length} fixtures are clean`);
});

for (const fx of fixtures) {
  test(`fixture ${fx.name}`, async () => {
    await checker.init();
    const { config } = resolveConfig({ js: { target: fx.target } });
    const findings = checker.check([fx.file], host, config);
    assertFindingsMatch(findings, parseExpectations(fx.text, 'js'), fx.text, fx.name);
    for (const f of findings) assert.ok(f.message.length > 10 && f.range.start.line >= 0, 'findings carry a message and a range');
  });
}
