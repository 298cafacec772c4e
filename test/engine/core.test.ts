import * as assert from 'node:assert/strict';
import { test } from 'node:test';
import { resolveConfig } from '../../server/src/engine/config';
import { isSuppressed } from '../../server/src/engine/suppressions';
import { applyEdits, lineStarts, positionAt } from '../../server/src/engine/text';
import type { Finding } from '../../server/src/engine/types';

const at = (line: number, rule: string): Finding => ({
  file: 'f', range: { start: { line, character: 4 }, end: { line, character: 8 } }, rule, severity: 'error', message: '', related: [], fixes: [],
});

test('resolveConfig keeps valid settings and reports invalid ones without throwing', () => {
  const { config, problems } = resolveConfig({
    rules: { 'no-function': 'warning', 'py-lambda': 'loud' },
    python: { startMethod: 'fork', serializer: { mylib: 'cloudpickle' } },
    js: { target: 'node20' },
    exclude: ['**/gen/**', 3],
    maxFileSize: -1,
  });
  assert.equal(config.rules['no-function'], 'warning');
  assert.equal(config.rules['py-lambda'], undefined);
  assert.equal(config.python.startMethod, 'fork');
  assert.equal(config.python.serializer.mylib, 'cloudpickle');
  assert.equal(config.js.target, 'node20');
  assert.deepEqual(config.exclude, ['**/gen/**']);
  assert.deepEqual(problems.map((p) => p.key).sort(), ['sendcheck.exclude[1]', 'sendcheck.maxFileSize', 'sendcheck.rules.py-lambda']);
});

test('globs and sinks from settings are validated: nothing that points outside the workspace', () => {
  const { config, problems } = resolveConfig({
    exclude: ['dist/**', '/etc/**', '../other/**', 'a/../../b', ''],
    sinks: [
      { language: 'python', module: 'mylib.remote', function: 'run_remote', args: [0] },
      { language: 'python', module: 'x; rm -rf /', function: 'f' },
      { language: 'js', module: 'pool', function: 'run', args: [-1] },
    ],
  });
  assert.deepEqual(config.exclude, ['dist/**']);
  assert.deepEqual(config.sinks.map((s) => s.function), ['run_remote']);
  assert.deepEqual(problems.map((p) => p.key).sort(), ['sendcheck.exclude[1]', 'sendcheck.exclude[2]', 'sendcheck.exclude[3]', 'sendcheck.exclude[4]', 'sendcheck.sinks[1]', 'sendcheck.sinks[2]']);
  assert.match(problems.find((p) => p.key === 'sendcheck.exclude[1]')!.message, /relative to the workspace folder/);
});

test('JS suppression covers the next line only, for the named rules', () => {
  const lines = ['// sendcheck-ignore-next-line no-function', 'w.postMessage(f);', 'w.postMessage(f);'];
  assert.equal(isSuppressed(at(1, 'no-function'), lines, 'js'), true);
  assert.equal(isSuppressed(at(1, 'no-symbol'), lines, 'js'), false);
  assert.equal(isSuppressed(at(2, 'no-function'), lines, 'js'), false);
  assert.equal(isSuppressed(at(1, 'no-symbol'), ['// sendcheck-ignore-next-line', 'x'], 'js'), true);
});

test('Python suppression works at the end of the line or alone on the line above', () => {
  assert.equal(isSuppressed(at(0, 'py-lambda'), ['pool.map(lambda x: x, xs)  # sendcheck: ignore[py-lambda]'], 'python'), true);
  assert.equal(isSuppressed(at(0, 'py-thread-lock'), ['pool.map(lambda x: x, xs)  # sendcheck: ignore[py-lambda]'], 'python'), false);
  assert.equal(isSuppressed(at(1, 'py-lambda'), ['    # sendcheck: ignore', 'pool.map(f)'], 'python'), true);
  assert.equal(isSuppressed(at(1, 'py-lambda'), ['x = 1  # sendcheck: ignore', 'pool.map(f)'], 'python'), false);
});

test('applyEdits applies non-overlapping edits and skips overlapping ones', () => {
  const text = 'ab\r\ncd\nef';
  assert.deepEqual(positionAt(lineStarts(text), 5), { line: 1, character: 1 });
  const r = (l1: number, c1: number, l2: number, c2: number) => ({ start: { line: l1, character: c1 }, end: { line: l2, character: c2 } });
  assert.deepEqual(applyEdits(text, [{ range: r(2, 0, 2, 1), newText: 'E' }, { range: r(0, 1, 0, 2), newText: 'B' }]), { text: 'aB\r\ncd\nEf', skipped: 0 });
  assert.deepEqual(applyEdits(text, [{ range: r(0, 0, 1, 1), newText: 'x' }, { range: r(0, 1, 0, 2), newText: 'y' }]).skipped, 1);
});
