// `--fix` never loses a file: texts are written to a temporary file beside each file and renamed
// over it, new files never replace an existing one, a file saved by someone else since the check
// is left alone, and any failure leaves every file as it was. Whole fixes only: a fix that cannot
// be applied in one of its files is applied in none.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { applyFixes } from '../../server/src/check';
import { writeFilesAtomically, type FixFs } from '../../server/src/cli';
import { DiskHost } from '../../server/src/engine/files';
import type { Finding } from '../../server/src/engine/types';
import { sendcheck } from '../harness/cli';

const root = path.resolve(__dirname, '..', '..');

function tempDir(files: Record<string, string> = {}): string {
  const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'sendcheck-write-')));
  for (const [rel, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), text);
  }
  return dir;
}

/** Every file under `dir` with its text (symbolic links as `-> target`), to compare before and after. */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const full = path.join(d, e.name);
      const rel = path.relative(dir, full);
      if (e.isSymbolicLink()) out[rel] = `-> ${fs.readlinkSync(full)}`;
      else if (e.isDirectory()) walk(full);
      else out[rel] = `${(fs.statSync(full).mode & 0o777).toString(8)} ${fs.readFileSync(full, 'utf8')}`;
    }
  };
  walk(dir);
  return out;
}

const sink = () => {
  const chunks: string[] = [];
  return { stream: { write: (s: string) => (chunks.push(s), true) } as unknown as NodeJS.WritableStream, text: () => chunks.join('') };
};

/** The real file system with one call made to fail. */
function failing(name: keyof FixFs, when: (...args: unknown[]) => boolean, code = 'ENOSPC'): FixFs {
  return new Proxy(fs, {
    get(target, prop) {
      const real = (target as unknown as Record<string | symbol, unknown>)[prop];
      if (prop !== name || typeof real !== 'function') return real;
      return (...args: unknown[]) => {
        if (when(...args)) throw Object.assign(new Error(`${code}: injected failure`), { code });
        return (real as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  }) as unknown as FixFs;
}

test('--fix replaces files through a temporary file: symbolic links stay links, modes stay, nothing is left behind', () => {
  const dir = tempDir();
  fs.cpSync(path.join(root, 'examples', 'python'), path.join(dir, 'py'), { recursive: true });
  fs.mkdirSync(path.join(dir, 'real'));
  fs.renameSync(path.join(dir, 'py', 'crawler.py'), path.join(dir, 'real', 'crawler.py'));
  fs.symlinkSync(path.join('..', 'real', 'crawler.py'), path.join(dir, 'py', 'crawler.py'));
  fs.chmodSync(path.join(dir, 'real', 'crawler.py'), 0o640);
  const before = fs.readFileSync(path.join(dir, 'real', 'crawler.py'), 'utf8');
  const r = sendcheck(['--fix', '--unsafe-fixes', 'py', 'real'], dir);
  assert.match(r.stderr, /fixed \d+ files?/, r.stderr);
  const after = snapshot(dir);
  assert.equal(after['py/crawler.py'], '-> ../real/crawler.py', 'the link is still a link');
  assert.ok(after['real/crawler.py'].startsWith('640 '), `mode kept: ${after['real/crawler.py'].slice(0, 4)}`);
  assert.notEqual(fs.readFileSync(path.join(dir, 'real', 'crawler.py'), 'utf8'), before, 'the target was fixed');
  assert.deepEqual(Object.keys(after).filter((f) => f.includes('.sendcheck-')), [], 'no temporary file left');
});

test('a failure at any step leaves every file as it was', () => {
  for (const [name, when] of [
    ['writeSync', () => true],
    ['fsyncSync', () => true],
    ['openSync', (p: unknown) => String(p).includes('b.py')],
    // The second rename fails: the first file, already replaced, is put back.
    ['renameSync', (_from: unknown, to: unknown) => String(to).endsWith('b.py')],
    ['linkSync', () => true],
  ] as const) {
    const dir = tempDir({ 'a.py': 'a = 1\n', 'b.py': 'b = 1\n', 'keep.py': 'k = 1\n' });
    fs.chmodSync(path.join(dir, 'b.py'), 0o600);
    const before = snapshot(dir);
    const changes = new Map([
      [path.join(dir, 'a.py'), 'a = 2\n'],
      [path.join(dir, 'b.py'), 'b = 2\n'],
      [path.join(dir, 'new.py'), 'n = 2\n'],
    ]);
    const err = sink();
    const written = writeFilesAtomically(changes, new Set([path.join(dir, 'new.py')]), (f) => fs.readFileSync(f, 'utf8'), err.stream, failing(name, when as (...a: unknown[]) => boolean));
    assert.deepEqual(written, [], name);
    assert.deepEqual(snapshot(dir), before, `${name}: files untouched, no temporary or new file`);
    assert.match(err.text(), /could not write the fixes to .*: .*injected failure; no file was changed/, name);
  }
});

test('a new file never replaces one that appeared meanwhile; a file saved since the check is not overwritten', () => {
  const dir = tempDir({ 'a.py': 'a = 1\n', 'helpers.py': 'mine = 1\n' });
  const before = snapshot(dir);
  const err = sink();
  const written = writeFilesAtomically(
    new Map([
      [path.join(dir, 'a.py'), 'from helpers import f\n'],
      [path.join(dir, 'helpers.py'), 'def f(): pass\n'],
    ]),
    new Set([path.join(dir, 'helpers.py')]),
    (f) => fs.readFileSync(f, 'utf8'),
    err.stream,
  );
  assert.deepEqual(written, []);
  assert.deepEqual(snapshot(dir), before);
  assert.match(err.text(), /helpers\.py: a file of that name exists now/);

  const saved = sink();
  const none = writeFilesAtomically(new Map([[path.join(dir, 'a.py'), 'a = 2\n']]), new Set(), () => 'a = 0\n', saved.stream);
  assert.deepEqual(none, []);
  assert.equal(fs.readFileSync(path.join(dir, 'a.py'), 'utf8'), 'a = 1\n');
  assert.match(saved.text(), /a\.py: it changed on disk since it was checked/);

  const ok = writeFilesAtomically(new Map([[path.join(dir, 'new.py'), 'n = 1\n'], [path.join(dir, 'a.py'), 'a = 2\n']]), new Set([path.join(dir, 'new.py')]), (f) => fs.readFileSync(f, 'utf8'), sink().stream);
  assert.equal(ok.length, 2);
  assert.equal(fs.readFileSync(path.join(dir, 'new.py'), 'utf8'), 'n = 1\n');
  assert.equal(fs.readFileSync(path.join(dir, 'a.py'), 'utf8'), 'a = 2\n');
});

const at = (line: number, character: number, endCharacter = character) => ({ start: { line, character }, end: { line, character: endCharacter } });
function finding(file: string, edits: Finding['fixes'][number]['edits']): Finding {
  return { file, range: at(0, 0), rule: 'r', severity: 'error', message: 'm', related: [], fixes: [{ title: 't', id: 'move', preferred: true, edits }] };
}

test('whole fixes only: a fix that cannot be applied in one of its files is applied in none; new files are created by inserts at their start', () => {
  const dir = tempDir({ 'a.py': 'x = f\ny = g\n', 'b.py': 'b = 1\n' });
  const a = path.join(dir, 'a.py');
  const b = path.join(dir, 'b.py');
  const created = new Set<string>();
  const changes = applyFixes(
    [
      // Moves f to a new module and imports it: both halves or neither.
      finding(a, [
        { file: a, range: at(0, 0), newText: 'import mod\n' },
        { file: a, range: at(0, 4, 5), newText: 'mod.f' },
        { file: path.join(dir, 'mod.py'), range: at(0, 0), newText: 'def f(): pass\n' },
      ]),
      // Edits a file that is not there at a place other than its start: cannot be applied, so its edit to a.py is not either.
      finding(a, [
        { file: a, range: at(1, 4, 5), newText: 'G' },
        { file: path.join(dir, 'gone.py'), range: at(3, 0), newText: 'x' },
      ]),
      // Overlaps the first fix in a.py: left for the next round, also in b.py.
      finding(a, [
        { file: a, range: at(0, 4, 5), newText: 'F' },
        { file: b, range: at(0, 0), newText: '# touched\n' },
      ]),
    ],
    new DiskHost(),
    { unsafe: false, created },
  );
  assert.deepEqual([...changes.keys()].sort(), [a, path.join(dir, 'mod.py')]);
  assert.equal(changes.get(a), 'import mod\nx = mod.f\ny = g\n');
  assert.deepEqual([...created], [path.join(dir, 'mod.py')]);
  // Without a way to create files, the move is not applied at all.
  assert.equal(applyFixes([finding(a, [{ file: a, range: at(0, 0), newText: 'from mod import f\n' }, { file: path.join(dir, 'mod.py'), range: at(0, 0), newText: 'def f(): pass\n' }])], new DiskHost(), { unsafe: false }).size, 0);
});
