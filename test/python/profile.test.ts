import * as assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { resolveConfig } from '../../server/src/engine/config';
import type { SourceHost } from '../../server/src/engine/types';
import { createPythonEngine } from '../../server/src/python';
import { describeScenarios, minorsAllowed, scenariosFor } from '../../server/src/python/profile';

// The Python version and platform profile: which start methods `auto` brings, read from the
// settings or from requires-python, and how a finding that holds on some platforms says so.

const engine = createPythonEngine();
before(() => engine.init!());

function check(files: Record<string, string>, file: string, python: Record<string, unknown> = {}) {
  const host: SourceHost = { readFile: (f) => files[f], fileExists: (f) => f in files, version: (f) => files[f] ?? 'missing' };
  const { config, problems } = resolveConfig({ python });
  assert.deepEqual(problems, []);
  return engine.check({ files: [file], host, config });
}

test('requires-python clauses narrow the minor versions in scope', () => {
  assert.deepEqual(minorsAllowed('>=3.9'), { min: 9, max: 14 });
  assert.deepEqual(minorsAllowed('>=3.10,<3.14'), { min: 10, max: 13 });
  assert.deepEqual(minorsAllowed('>=3.10, <3.13.2'), { min: 10, max: 13 });
  assert.deepEqual(minorsAllowed('==3.12.*'), { min: 12, max: 12 });
  assert.deepEqual(minorsAllowed('~=3.11'), { min: 11, max: 14 });
  assert.deepEqual(minorsAllowed('~=3.11.2'), { min: 11, max: 11 });
  assert.deepEqual(minorsAllowed('>3.13'), { min: 14, max: 14 });
  assert.deepEqual(minorsAllowed('>=3.8,!=3.9.*'), { min: 8, max: 14 });
  assert.equal(minorsAllowed('>=3.13,<3.12'), undefined);
});

test('each platform brings its default start method for the versions in scope', () => {
  const all = ['linux', 'macos', 'windows'] as const;
  assert.equal(describeScenarios(scenariosFor(all, { min: 14, max: 14 })), 'spawn (macOS, Windows) and forkserver (Linux, Python ≥ 3.14)');
  assert.equal(describeScenarios(scenariosFor(all, { min: 9, max: 14 })), 'spawn (macOS, Windows) and forkserver (Linux, Python ≥ 3.14) and fork (Linux, Python ≤ 3.13)');
  assert.equal(describeScenarios(scenariosFor(['linux'], { min: 10, max: 12 })), 'fork (Linux, Python ≤ 3.12)');
  assert.equal(describeScenarios(scenariosFor(['windows'], { min: 11, max: 11 })), 'spawn (Windows)');
});

const lambdaTarget = `import multiprocessing

def start():
    p = multiprocessing.Process(target=lambda: print("hi"))
    p.start()
    return p

if __name__ == "__main__":
    start().join()
`;

test('requires-python from the nearest pyproject.toml decides the versions in scope', () => {
  const files = { '/w/pyproject.toml': '[project]\nname = "svc"\nrequires-python = ">=3.9"\n', '/w/svc/run.py': lambdaTarget };
  const [f] = check(files, '/w/svc/run.py');
  assert.equal(f.rule, 'py-lambda');
  assert.equal(f.severity, 'error');
  assert.match(f.message, /; this fails under spawn \(macOS, Windows\) and forkserver \(Linux, Python ≥ 3\.14\), not under fork \(Linux, Python ≤ 3\.13\)$/);
  // Linux only, before 3.14: fork everywhere in scope, the lambda is inherited.
  assert.deepEqual(check({ ...files, '/w/pyproject.toml': '[project]\nrequires-python = ">=3.10,<3.14"\n' }, '/w/svc/run.py', { platforms: ['linux'] }), []);
  // Without requires-python the newest Python is assumed: forkserver on Linux, no fork in scope.
  const [plain] = check({ '/w/svc/run.py': lambdaTarget }, '/w/svc/run.py');
  assert.doesNotMatch(plain.message, /this fails under/);
});

test('the explicit settings win: python.version, and a startMethod that is not auto', () => {
  const files = { '/w/pyproject.toml': '[project]\nrequires-python = ">=3.9"\n', '/w/run.py': lambdaTarget };
  assert.match(check(files, '/w/run.py', { version: '3.14' })[0].message, /pickled when Process starts a spawn child/);
  assert.doesNotMatch(check(files, '/w/run.py', { version: '3.14' })[0].message, /this fails under/);
  assert.deepEqual(check(files, '/w/run.py', { version: '3.12', platforms: ['linux'] }), []);
  assert.doesNotMatch(check(files, '/w/run.py', { startMethod: 'spawn' })[0].message, /this fails under/);
});

test('a thread lock given to a Process: the spawn error stands alone, the fork copy warning shows only where it is the whole story', () => {
  const text = `import threading
from multiprocessing import Process

def work(ev):
    ev.set()

if __name__ == "__main__":
    done = threading.Event()
    p = Process(target=work, args=(done,))
    p.start()
    p.join()
`;
  const both = check({ '/w/a.py': text }, '/w/a.py', { version: '3.12' });
  assert.deepEqual(both.map((f) => `${f.rule} ${f.severity}`), ['py-thread-lock error']);
  assert.match(both[0].message, /this fails under spawn \(macOS, Windows\), not under fork \(Linux, Python 3\.12\)/);
  const linux = check({ '/w/a.py': text }, '/w/a.py', { version: '3.12', platforms: ['linux'] });
  assert.deepEqual(linux.map((f) => `${f.rule} ${f.severity}`), ['py-fork-copy warning']);
});

test('bad profile settings are reported and the defaults stand in', () => {
  const { config, problems } = resolveConfig({ python: { version: '2.7', platforms: ['linux', 'beos'] } });
  assert.deepEqual(problems.map((p) => p.key), ['sendcheck.python.version', 'sendcheck.python.platforms']);
  assert.equal(config.python.version, 'auto');
  assert.deepEqual(config.python.platforms, ['linux', 'macos', 'windows']);
});
