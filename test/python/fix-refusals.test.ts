import * as assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { resolveConfig } from '../../server/src/engine/config';
import type { SourceHost } from '../../server/src/engine/types';
import { createPythonEngine } from '../../server/src/python';

// A fix that cannot prove the program keeps its meaning is not offered at all: these programs
// differ from a fixable one in exactly the detail that would make the edit wrong.

const engine = createPythonEngine();
before(() => engine.init!());

function fixIds(text: string): string[] {
  const file = '/w/main.py';
  const host: SourceHost = { readFile: (f) => (f === file ? text : undefined), fileExists: (f) => f === file, version: () => text };
  const findings = engine.check({ files: [file], host, config: resolveConfig({}).config });
  assert.ok(findings.length > 0, 'the program has a finding');
  engine.forget!([file]);
  return findings.flatMap((f) => f.fixes.map((x) => x.id));
}

const factory = (between: string) => `from multiprocessing import Pool


def make_worker(offset):
    def worker(x):
        return x + offset
${between}
    return worker


if __name__ == "__main__":
    with Pool(1) as pool:
        print(pool.apply(make_worker(1), (2,)))
`;

test('a nested def is moved with functools.partial only when the locals it reads are bound once, before it', () => {
  assert.deepEqual(fixIds(factory('')), ['move-to-module-scope']);
  // Rebound after the def: the closure reads the later value, a partial would bind the earlier one.
  assert.deepEqual(fixIds(factory('    offset = offset * 2')), []);
});

test('a nested def whose default reads a local is not moved (the default is evaluated where the def stands)', () => {
  assert.deepEqual(fixIds(factory('').replace('def worker(x):', 'def worker(x, y=offset):')), []);
});

const lockToPool = (where: 'main' | 'module') => `import threading
from multiprocessing import Pool

${where === 'module' ? 'LOCK = threading.Lock()\n' : ''}

def work(lock):
    return 1


if __name__ == "__main__":
${where === 'main' ? '    LOCK = threading.Lock()\n' : ''}    with Pool(1) as pool:
        print(pool.apply(work, (LOCK,)))
`;

test('a lock made at import time gets no Manager proxy: every spawned child would start a manager', () => {
  assert.deepEqual(fixIds(lockToPool('main')), ['use-manager-proxy']);
  assert.deepEqual(fixIds(lockToPool('module')), []);
});

const contextVar = (use: string) => `import contextvars
from multiprocessing import Pool

request_id = contextvars.ContextVar("request_id", default="-")


def tag(var):
    return ${use}


if __name__ == "__main__":
    with Pool(1) as pool:
        print(pool.map(tag, [request_id]))
`;

test('a ContextVar is replaced by its value only when the worker only reads it', () => {
  // Setting the module-level variable again in the worker keeps every use meaning the same.
  assert.deepEqual(fixIds(contextVar('var.get()')), ['send-context-value', 'set-context-var-in-worker']);
  assert.deepEqual(fixIds(contextVar('var.set("x")')), ['set-context-var-in-worker']);
  assert.deepEqual(fixIds(contextVar('var.get("fallback")')), ['set-context-var-in-worker']);
});

test('a handle whose worker is also called elsewhere is not replaced by its path', () => {
  const text = (extra: string) => `import multiprocessing


def count(handle):
    return len(handle.read())


if __name__ == "__main__":
    path = __file__
    with open(path) as f:
        p = multiprocessing.Process(target=count, args=(f,))
        p.start()
        p.join()${extra}
`;
  assert.deepEqual(fixIds(text('')), ['pass-path-not-handle']);
  assert.deepEqual(fixIds(text('\n    with open(path) as g:\n        count(g)')), []);
});

test('os.environ inside a tuple is not wrapped whole in dict()', () => {
  const text = (arg: string) => `import os
from multiprocessing import Process


def show(env):
    print(len(env))


if __name__ == "__main__":
    pair = (os.environ, 1)
    p = Process(target=show, args=(${arg},))
    p.start()
    p.join()
`;
  assert.deepEqual(fixIds(text('os.environ')), ['send-a-copy']);
  assert.deepEqual(fixIds(text('pair')), []);
});

const generatorField = (read: string) => `from concurrent.futures import ProcessPoolExecutor


def iter_lines(lines):
    for line in lines:
        if line:
            yield line


class Batch:
    def __init__(self, lines):
        self.lines = iter_lines(lines)


def count_errors(batch):
    return ${read}


if __name__ == "__main__":
    with ProcessPoolExecutor(1) as ex:
        print(ex.submit(count_errors, Batch(["ERROR a", "ok"])).result())
`;

test('a generator kept in an attribute becomes a list only when every read of it iterates it', () => {
  assert.deepEqual(fixIds(generatorField('sum(1 for line in batch.lines if "ERROR" in line)')), ['list-instead-of-generator']);
  assert.deepEqual(fixIds(generatorField('len(sorted(batch.lines))')), ['list-instead-of-generator']);
  // `next()` takes one item and leaves the rest for later: a list has no such state.
  assert.deepEqual(fixIds(generatorField('next(batch.lines)')), []);
});
