import * as assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Finding } from '../../server/src/engine/types';
import { assertFindingsMatch, expectationsOn, parseExpectations } from '../harness/expectations';

const js = `worker.postMessage({ onDone });
//                 ^^^^^^^^^^ error no-function: onDone is a function
`;

function finding(line: number, start: number, end: number, rule = 'no-function', severity: Finding['severity'] = 'error'): Finding {
  return { file: 'a.ts', range: { start: { line, character: start }, end: { line, character: end } }, rule, severity, message: 'onDone is a function: functions cannot be cloned', related: [], fixes: [] };
}

test('carets give line and columns of the code line above', () => {
  const [e] = parseExpectations(js, 'js');
  assert.deepEqual({ line: e.line, start: e.start, end: e.end, rule: e.rule, severity: e.severity }, { line: 0, start: 19, end: 29, rule: 'no-function', severity: 'error' });
  assert.equal(e.messagePart, 'onDone is a function');
});

test('python carets and stacked expectations target the same code line', () => {
  const py = 'pool.map(f, [lock])\n#        ^ error py-lambda: x\n#           ^^^^^^ warning py-lock\n';
  const es = parseExpectations(py, 'python');
  assert.deepEqual(es.map((e) => [e.line, e.start, e.end, e.severity]), [[0, 9, 10, 'error'], [0, 12, 18, 'warning']]);
});

test('a matching finding passes; a shifted column, wrong rule or extra finding fails', () => {
  const es = parseExpectations(js, 'js');
  assertFindingsMatch([finding(0, 19, 29)], es, js, 'ok');
  assert.throws(() => assertFindingsMatch([finding(0, 20, 29)], es, js, 'shifted'), /unexpected: 1:20-1:29/);
  assert.throws(() => assertFindingsMatch([finding(0, 19, 29, 'no-symbol')], es, js, 'rule'), /expected/);
  assert.throws(() => assertFindingsMatch([finding(0, 19, 29), finding(0, 1, 2)], es, js, 'extra'), /unexpected: 1:1-1:2/);
  assert.throws(() => assertFindingsMatch([], es, js, 'missing'), /expected \(fixture line 2\)/);
});

test('a scoped expectation holds on its runtime only', () => {
  const text = `w.postMessage(p, [p.buffer]);
//               ^^^^^^^^ (node24) error invalid-transfer-list: pool
//               ^^^^^^^^ (node20) warning invalid-transfer-list: pool
//               ^^^^^^^^ hint other-rule: everywhere
`;
  const es = parseExpectations(text, 'js');
  assert.deepEqual(es.map((e) => e.scope), ['node24', 'node20', undefined]);
  assert.deepEqual(expectationsOn(es, 'node20').map((e) => e.severity), ['warning', 'hint']);
  assert.deepEqual(expectationsOn(es, 'chromium').map((e) => e.severity), ['hint']);
});
