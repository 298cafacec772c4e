import * as assert from 'node:assert/strict';
import { test } from 'node:test';
import { fixableCounts, fixToApply, isSuppressionFix } from '../../server/src/engine/fixes';
import type { Finding, Fix } from '../../server/src/engine/types';

const fix = (id: string, preferred = false): Fix => ({ id, title: id, preferred, edits: [] });
const finding = (...fixes: Fix[]): Finding => ({
  file: '/a.py',
  range: { start: { line: 0, character: 0 }, end: { line: 0, character: 1 } },
  rule: 'py-lambda',
  severity: 'error',
  message: 'm',
  related: [],
  fixes,
});

test('--fix takes the safe fix; --unsafe-fixes the first fix that is not a suppression', () => {
  assert.equal(fixToApply(finding(fix('move-to-module-scope'), fix('send-a-copy', true)), false)?.id, 'send-a-copy');
  assert.equal(fixToApply(finding(fix('move-to-module-scope'), fix('send-a-copy')), false), undefined);
  assert.equal(fixToApply(finding(fix('ignore-line'), fix('move-to-module-scope'), fix('send-a-copy')), true)?.id, 'move-to-module-scope');
  assert.equal(fixToApply(finding(fix('suppress-finding')), true), undefined);
  assert.ok(isSuppressionFix(fix('insert-suppression')) && !isSuppressionFix(fix('remove-from-message')));
  assert.deepEqual(fixableCounts([finding(fix('a', true)), finding(fix('b')), finding(fix('ignore-line')), finding()]), { safe: 1, unsafe: 1 });
});
