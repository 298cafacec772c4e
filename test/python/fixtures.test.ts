import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { before, test } from 'node:test';
import { createChecker } from '../../server/src/check';
import type { SourceHost } from '../../server/src/engine/types';
import { assertFindingsMatch, parseExpectations } from '../harness/expectations';
import { loadFixtures } from './fixture-files';

// Every Python fixture's findings are exactly its inline `# ^^^ error <rule>: ...` expectations.
const checker = createChecker();
const diskHost: SourceHost = {
  readFile: (f) => (fs.existsSync(f) ? fs.readFileSync(f, 'utf8') : undefined),
  fileExists: (f) => fs.existsSync(f),
  version: (f) => (fs.existsSync(f) ? String(fs.statSync(f).mtimeMs) : 'missing'),
};
const fixtures = loadFixtures();

before(() => checker.init());

test('there are at least as many clean Python fixtures as failing ones', () => {
  const errors = fixtures.filter((f) => parseExpectations(f.text, 'python').length > 0).length;
  const clean = fixtures.length - errors;
  assert.ok(errors >= 20, `only ${errors} error fixtures`);
  assert.ok(clean >= errors, `${clean} clean fixtures < ${errors} error fixtures`);
});

for (const fx of fixtures) {
  test(`py fixture ${fx.name}`, () => {
    const expectations = parseExpectations(fx.text, 'python');
    // The oracle header and the expectations must agree: a failing run has a finding.
    if (fx.oracle.kind === 'fails') assert.ok(expectations.length > 0, 'oracle says it fails but no finding is expected');
    if (fx.oracle.kind === 'silent') assert.ok(expectations.length > 0 && expectations.every((e) => e.severity === 'warning'), 'a silent loss is a warning');
    if (fx.oracle.kind === 'clean') assert.equal(expectations.length, 0, 'oracle says clean but findings are expected');
    const findings = checker.check([fx.file], diskHost, fx.config).filter((f) => f.file === fx.file);
    assertFindingsMatch(findings, expectations, fx.text, fx.name);
    for (const f of findings) assert.ok(f.path, `${f.rule} finding has no path`);
    // The message quotes the runtime's own error, the one the oracle sees when it runs the fixture.
    if (fx.oracle.kind === 'fails') {
      const quoted = fx.oracle.text;
      assert.ok(findings.some((f) => f.message.includes(quoted)), `no finding quotes the runtime error "${quoted}"`);
    }
  });
}
