import * as assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { createChecker } from '../../server/src/check';
import { resolveConfig, type SendcheckConfig } from '../../server/src/engine/config';
import type { SourceHost } from '../../server/src/engine/types';
import { createPythonEngine } from '../../server/src/python';

// Engine behaviour that fixtures cannot show: robustness, caching, settings, user sinks.

const engine = createPythonEngine();
before(() => engine.init!());

function memoryHost(files: Record<string, string>, versions: Record<string, string> = {}) {
  const calls = { version: 0, readFile: 0 };
  const host: SourceHost = {
    readFile: (f) => {
      calls.readFile++;
      return files[f];
    },
    fileExists: (f) => f in files,
    // Folder listings as the CLI's disk host gives them (what a library's importers are found by).
    listDirectory: (dir) => ({
      files: Object.keys(files)
        .filter((f) => f.slice(0, f.lastIndexOf('/')) === dir)
        .map((f) => f.slice(f.lastIndexOf('/') + 1)),
      directories: [],
    }),
    version: (f) => {
      calls.version++;
      return versions[f] ?? files[f] ?? 'missing';
    },
  };
  return { host, calls };
}

const config = (raw: unknown = {}): SendcheckConfig => resolveConfig(raw).config;
// The snippets start pools at module level for brevity; what py-missing-main-guard says about
// that has its own fixtures, so it is left out here.
const check = (files: Record<string, string>, file: string, raw?: unknown) =>
  engine.check({ files: [file], host: memoryHost(files).host, config: config(raw) }).filter((f) => f.rule !== 'py-missing-main-guard');

const lambdaToPool = `from multiprocessing import Pool
if __name__ == "__main__":
    with Pool() as pool:
        pool.map(lambda x: x, [1])
`;

test('a syntax error does not stop the analysis of the rest of the file', () => {
  const text = `import threading
from multiprocessing import Process

def broken(:
    return [

class Fine:
    pass

lock = threading.Lock()
Process(target=print, args=(lock,)).start()
`;
  const findings = check({ '/w/a.py': text }, '/w/a.py');
  assert.deepEqual(
    findings.map((f) => `${f.rule} ${f.range.start.line}:${f.range.start.character}`),
    ['py-thread-lock 10:28'],
  );
});

test('check never throws: missing files, binary-looking text, deep nesting', () => {
  const deep = `from multiprocessing import Pool\nx = ${'['.repeat(3000)}${']'.repeat(3000)}\nPool().map(print, x)\n`;
  const files = { '/w/deep.py': deep, '/w/bin.py': 'Pool\u0000\u0001\u0002 import (((' };
  assert.doesNotThrow(() => engine.check({ files: ['/w/missing.py', '/w/bin.py', '/w/deep.py'], host: memoryHost(files).host, config: config() }));
});

test('files that mention no boundary API are not parsed', () => {
  const { host, calls } = memoryHost({ '/w/plain.py': 'def f(x):\n    return lambda: x\n' });
  assert.deepEqual(engine.check({ files: ['/w/plain.py'], host, config: config() }), []);
  assert.equal(calls.version, 0, 'the version is asked only when a parse tree is needed');
});

test('parse trees are reused while the version is unchanged', () => {
  const files: Record<string, string> = { '/w/cache.py': lambdaToPool };
  const versions = { '/w/cache.py': 'v1' };
  const { host } = memoryHost(files, versions);
  assert.equal(engine.check({ files: ['/w/cache.py'], host, config: config() }).length, 1);
  // Same version, new text: the cached tree (and its finding) is still used...
  files['/w/cache.py'] = lambdaToPool.replace('lambda x: x', 'print');
  assert.equal(engine.check({ files: ['/w/cache.py'], host, config: config() }).length, 1);
  // ...until the version changes.
  versions['/w/cache.py'] = 'v2';
  assert.equal(engine.check({ files: ['/w/cache.py'], host, config: config() }).length, 0);
  engine.forget!(['/w/cache.py']);
});

test('sendcheck.python.startMethod: fork makes Process arguments copied, Pool tasks still pickled', () => {
  const text = `import threading
from multiprocessing import Process, Pool
lock = threading.Lock()
Process(target=print, args=(lock,)).start()
Pool().apply(print, (lock,))
`;
  assert.deepEqual(check({ '/w/f.py': text }, '/w/f.py').map((f) => f.range.start.line), [3, 4]);
  // Under fork the Process argument is copied, not pickled: a warning that the lock is no longer shared.
  assert.deepEqual(
    check({ '/w/f.py': text }, '/w/f.py', { python: { startMethod: 'fork' } }).map((f) => `${f.range.start.line} ${f.rule} ${f.severity}`),
    ['3 py-fork-copy warning', '4 py-thread-lock error'],
  );
});

test('an explicit context wins over the setting', () => {
  const text = `import multiprocessing
ctx = multiprocessing.get_context("spawn")
ctx.Process(target=lambda: None).start()
`;
  assert.equal(check({ '/w/c.py': text }, '/w/c.py', { python: { startMethod: 'fork' } }).length, 1);
});

test('sendcheck.python.serializer: a library switched to cloudpickle accepts lambdas, not locks', () => {
  const text = `import threading
from multiprocessing import Pool
with Pool() as pool:
    pool.map(lambda x: x, [1])
    pool.apply(print, (threading.Lock(),))
`;
  assert.deepEqual(check({ '/w/s.py': text }, '/w/s.py').map((f) => f.rule), ['py-lambda', 'py-thread-lock']);
  assert.deepEqual(check({ '/w/s.py': text }, '/w/s.py', { python: { serializer: { multiprocessing: 'cloudpickle' } } }).map((f) => f.rule), ['py-thread-lock']);
});

test('user-declared sinks', () => {
  const text = `import threading
from mylib.remote import run_remote
run_remote(threading.Lock(), "ok", lambda: 1)
`;
  const raw = { sinks: [{ language: 'python', module: 'mylib.remote', function: 'run_remote', args: [0] }] };
  const findings = check({ '/w/u.py': text }, '/w/u.py', raw);
  assert.deepEqual(findings.map((f) => `${f.rule} ${f.path}`), ['py-thread-lock args[0]: threading.Lock']);
});

test('path and related information for a lock held in an attribute', () => {
  const text = `import threading
from concurrent.futures import ProcessPoolExecutor

class Cache:
    def __init__(self):
        self._lock = threading.RLock()

def get(cache):
    return cache

with ProcessPoolExecutor() as ex:
    ex.submit(get, Cache())
`;
  const [f] = check({ '/w/p.py': text }, '/w/p.py');
  assert.equal(f.path, 'args[0] → self._lock: threading.RLock');
  assert.deepEqual(
    f.related.map((r) => `${r.range.start.line}:${r.range.start.character} ${r.message}`),
    ['5:8 self._lock is assigned here', '5:21 the threading.RLock is created here'],
  );
});

test('imports of workspace modules are read through the host, in packages and relatively', () => {
  const files = {
    '/w/pkg/__init__.py': '',
    '/w/pkg/res.py': 'import sqlite3\n\ndef connect():\n    return sqlite3.connect(":memory:")\n',
    '/w/pkg/main.py': 'from multiprocessing import Process\nfrom .res import connect\nProcess(target=print, args=(connect(),)).start()\n',
    '/w/app.py': 'from multiprocessing import Process\nfrom pkg import res\nProcess(target=print, args=(res.connect(),)).start()\n',
  };
  assert.deepEqual(check(files, '/w/pkg/main.py').map((f) => f.rule), ['py-open-handle']);
  assert.deepEqual(check(files, '/w/app.py').map((f) => f.rule), ['py-open-handle']);
});

test('dask store in a library: judged by the distributed Client of a script beside it that imports it', () => {
  const tiles = `import threading

import dask.array as da


def write_tiles(tiles, target):
    da.store(tiles, target, lock=threading.Lock())


def flush(arr, target):
    arr.store(target, lock=threading.Lock())
`;
  const entry = (client: string) => `import dask.array as da
import numpy as np
from dask.distributed import Client

from pkg.tiles import flush, write_tiles

if __name__ == "__main__":
    client = ${client}
    out = np.zeros((4, 4))
    write_tiles(da.ones((4, 4), chunks=2), out)
    flush(da.ones((4, 4), chunks=2), out)
`;
  const lines = (files: Record<string, string>) => check(files, '/w/pkg/tiles.py').map((f) => `${f.range.start.line} ${f.rule}`);
  assert.deepEqual(lines({ '/w/pkg/__init__.py': '', '/w/pkg/tiles.py': tiles, '/w/main.py': entry('Client(n_workers=1)') }), ['6 py-thread-lock', '10 py-thread-lock']);
  // No Client in sight, a Client without worker processes, or a script that does not import the library.
  assert.deepEqual(lines({ '/w/pkg/__init__.py': '', '/w/pkg/tiles.py': tiles }), []);
  assert.deepEqual(lines({ '/w/pkg/__init__.py': '', '/w/pkg/tiles.py': tiles, '/w/main.py': entry('Client(processes=False)') }), []);
  const unrelated = entry('Client(n_workers=1)').replace('from pkg.tiles import flush, write_tiles', 'from pkg.other import flush, write_tiles');
  assert.deepEqual(lines({ '/w/pkg/__init__.py': '', '/w/pkg/tiles.py': tiles, '/w/pkg/other.py': '', '/w/main.py': unrelated }), []);
});

test('the checker reports Python rules with their severity overrides and suppressions', async () => {
  const checker = createChecker();
  await checker.init();
  const text = `from multiprocessing import Pool
with Pool() as pool:
    pool.map(lambda x: x, [1])
    pool.map(lambda x: x, [2])  # sendcheck: ignore[py-lambda]
`;
  const { host } = memoryHost({ '/w/o.py': text });
  const findings = checker.check(['/w/o.py'], host, config({ rules: { 'py-lambda': 'warning', 'py-missing-main-guard': 'off' } }));
  assert.deepEqual(findings.map((f) => `${f.range.start.line} ${f.severity}`), ['2 warning']);
});

test('cloudpickle and dill libraries are sinks too: locks still fail there, lambdas do not', () => {
  const text = `import threading
import ray
import multiprocess
from dask.distributed import Client
from joblib import Parallel, delayed

lock = threading.Lock()
client = Client()
client.submit(lambda x: x, lock)
client.map(lambda x: x, [lock])
ray.put({"lock": lock})
with multiprocess.Pool() as pool:
    pool.apply(lambda l: l, (lock,))
Parallel(n_jobs=2)(delayed(lambda l: l)(lock) for _ in range(2))
`;
  assert.deepEqual(
    check({ '/w/c.py': text }, '/w/c.py').map((f) => `${f.range.start.line} ${f.rule} ${f.path}`),
    [
      '8 py-thread-lock args[0]: threading.Lock',
      '9 py-thread-lock iterables[0][0]: threading.Lock',
      '10 py-thread-lock obj["lock"]: threading.Lock',
      '12 py-thread-lock args[0]: threading.Lock',
      '13 py-thread-lock args[0]: threading.Lock',
    ],
  );
});

test('a dict given to Pool.map sends its keys, not its values', () => {
  const text = `import threading
from multiprocessing import Pool
with Pool() as pool:
    pool.map(print, {"a": threading.Lock()})
`;
  assert.deepEqual(check({ '/w/d.py': text }, '/w/d.py'), []);
});

test('positions are LSP positions with CRLF line endings and non-ASCII text', () => {
  const text = 'import threading\r\nfrom multiprocessing import Process\r\n# é😀\r\nProcess(target=print, args=("é😀", threading.Lock())).start()\r\n';
  const [f] = check({ '/w/crlf.py': text }, '/w/crlf.py');
  assert.deepEqual(f.range, { start: { line: 3, character: 35 }, end: { line: 3, character: 51 } });
  const line = text.split('\r\n')[3];
  assert.equal(line.slice(f.range.start.character, f.range.end.character), 'threading.Lock()');
});
