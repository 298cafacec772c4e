import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { before, test } from 'node:test';
import { resolveConfig } from '../../server/src/engine/config';
import type { SourceHost } from '../../server/src/engine/types';
import { createPythonEngine } from '../../server/src/python';
import { pickleFacts, stubCallResult, stubElementType, stubMethodResult, tableSizes } from '../../server/src/python/stdlib';
import { factories, knownFunctions, librarySerializers, sinkLibraries, types } from '../../server/src/python/knowledge';

// The generated Python knowledge: typeshed's stubs and CPython's pickle verdicts compiled by
// tools/gen/python-stdlib.mjs into server/generated/. The committed tables must be what the
// generator makes from the pinned pyright and the committed probes; the engine must answer what
// the standard library's calls return and which of their results pickle.

const root = path.resolve(__dirname, '..', '..');
const generated = path.join(root, 'server', 'generated');

test('generated tables: the committed files are what the generator makes', { timeout: 120_000 }, (t) => {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'sendcheck-gen-'));
  try {
    const r = spawnSync(process.execPath, [path.join(root, 'tools', 'gen', 'python-stdlib.mjs'), '--out', out], { encoding: 'utf8', timeout: 110_000 });
    assert.equal(r.status, 0, r.stderr);
    for (const f of ['python-stdlib.json', 'python-pickle.json']) {
      const fresh = fs.readFileSync(path.join(out, f), 'utf8');
      const committed = fs.readFileSync(path.join(generated, f), 'utf8');
      assert.ok(fresh === committed, `server/generated/${f} is stale: run npm run gen:python`);
    }
  } finally {
    fs.rmSync(out, { recursive: true, force: true });
  }
  const started = process.hrtime.bigint();
  const sizes = tableSizes();
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  const bytes = (f: string) => fs.statSync(path.join(generated, f)).size;
  const line = `typeshed table: ${sizes.classes} classes in ${sizes.modules} modules, ${bytes('python-stdlib.json')} bytes; pickle table: ${sizes.failing} failing types over CPython ${sizes.versions.join(', ')}, ${bytes('python-pickle.json')} bytes; both loaded on first use in ${ms.toFixed(0)} ms`;
  t.diagnostic(line);
  console.log(line);
  assert.ok(sizes.classes > 2000, `${sizes.classes} classes`);
  assert.ok(bytes('python-stdlib.json') < 400_000, 'the typeshed table grew past 400 kB');
});

test('typeshed table: what standard-library calls return', () => {
  assert.equal(stubCallResult('sqlite3.connect'), 'sqlite3.Connection');
  assert.equal(stubMethodResult('sqlite3.Connection', 'cursor'), 'sqlite3.Cursor');
  assert.equal(stubCallResult('re.match'), 're.Match');
  assert.equal(stubMethodResult('re.Pattern', 'search'), 're.Match');
  assert.equal(stubCallResult('os.scandir'), 'os._ScandirIterator');
  assert.equal(stubMethodResult('os._ScandirIterator', '__next__'), 'os.DirEntry');
  assert.equal(stubElementType('os._ScandirIterator'), 'os.DirEntry');
  assert.equal(stubCallResult('hashlib.sha256'), '_hashlib.HASH');
  assert.equal(stubCallResult('tempfile.NamedTemporaryFile'), 'tempfile._TemporaryFileWrapper');
  assert.equal(stubCallResult('logging.FileHandler'), 'logging.FileHandler');
  assert.equal(stubCallResult('struct.Struct'), '_struct.Struct');
  // With no arguments to choose by, the first overload whose literal parameters have defaults.
  assert.equal(stubCallResult('builtins.open'), '_io.TextIOWrapper');
  // Plain data stays plain: `list(x)` is not an object with a verdict.
  assert.equal(stubCallResult('builtins.list'), undefined);
});

test('pickle table: CPython\'s words, inherited from a measured base', () => {
  assert.equal(pickleFacts('os.DirEntry')?.task, "TypeError: cannot pickle 'posix.DirEntry' object");
  assert.equal(pickleFacts('_hashlib.HASH')?.pickle, "TypeError: cannot pickle '_hashlib.HASH' object");
  // NTEventLogHandler exists only on Windows, so the probe cannot make one: it inherits Handler's lock.
  assert.equal(pickleFacts('logging.handlers.NTEventLogHandler')?.measured, 'logging.Handler');
  // SysLogHandler (an unsent UDP socket on loopback) is measured itself.
  assert.equal(pickleFacts('logging.handlers.SysLogHandler')?.measured, 'logging.handlers.SysLogHandler');
  // Measured to pickle: no failing base speaks for it.
  assert.equal(pickleFacts('subprocess.CalledProcessError'), undefined);
  const temp = pickleFacts('tempfile._TemporaryFileWrapper');
  assert.match(temp?.byVersion.join('\n') ?? '', /3\.12\.1, 3\.13\.0: TypeError: cannot pickle 'BufferedRandom' instances/);
  assert.equal(pickleFacts('_io.StringIO'), undefined);
});

const engine = createPythonEngine();
before(() => engine.init!());

function check(text: string): string[] {
  const file = '/knowledge/main.py';
  const host: SourceHost = { readFile: () => text, fileExists: (f) => f === file, version: () => String(text.length) };
  const findings = engine.check({ files: [file], host, config: resolveConfig({}).config });
  return findings.map((f) => `${f.range.start.line + 1} ${f.rule}: ${f.message}`);
}

test('engine: standard-library values the hand-written list does not know', () => {
  const found = check(`import hashlib, os, re, sqlite3, struct, tempfile, logging, zlib
from multiprocessing import Pool

def work(x):
    return x

def open_db(p):
    return sqlite3.connect(p)

if __name__ == "__main__":
    with Pool(1) as pool:
        pool.apply(work, (open_db("x.db").cursor(),))
        pool.apply(work, (re.match("a", "a"),))
        pool.apply(work, (hashlib.sha256(),))
        pool.apply(work, (os.scandir("."),))
        pool.apply(work, (open("p", "rb"),))
        pool.apply(work, (tempfile.NamedTemporaryFile(),))
        pool.apply(work, (logging.FileHandler("x.log"),))
        pool.apply(work, (struct.Struct("<i"),))
        pool.apply(work, (zlib.compressobj(),))
        pool.apply(work, (re.match("a", "a").groupdict(),))
        pool.apply(work, (hashlib.sha256().hexdigest(),))
        pool.apply(work, (open("p", "rb").read(),))
`);
  const lines = found.map((f) => Number(f.split(' ')[0]));
  assert.deepEqual(lines, [12, 13, 14, 15, 16, 17, 18, 19, 20], found.join('\n'));
  assert.match(found[1], /cannot pickle 're\.Match' object/);
  assert.match(found[2], /cannot pickle '_hashlib\.HASH' object/);
  assert.match(found[3], /cannot pickle 'posix\.ScandirIterator' object/);
  assert.match(found[4], /py-open-handle: .*cannot pickle '_io\.BufferedReader' object/);
  assert.match(found[6], /cannot pickle '_thread\.RLock' object/);
});

test('every library a sink is reached through is in sinkLibraries (the lexical pre-filter keeps their importers)', () => {
  const sinkRoles = new Set(['mp-context', 'process-pool', 'process-executor', 'mp-queue', 'proxy-queue', 'connection', 'manager', 'dask-client']);
  const libraries = new Set(sinkLibraries);
  for (const [q, made] of Object.entries(factories)) {
    const role = types[made]?.role;
    if (role && sinkRoles.has(role)) assert.ok(libraries.has(q.split('.')[0]), `${q} makes a ${role}`);
  }
  for (const lib of Object.keys(librarySerializers)) assert.ok(libraries.has(lib), lib);
  for (const q of knownFunctions) if (!q.startsWith('copyreg.')) assert.ok(libraries.has(q.split('.')[0]), q);
});
