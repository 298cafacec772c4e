import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { before, test } from 'node:test';
import { createChecker } from '../../server/src/check';
import { collectFiles, DiskHost } from '../../server/src/engine/files';
import { resolveConfig } from '../../server/src/engine/config';
import type { Finding } from '../../server/src/engine/types';
import { createPythonEngine } from '../../server/src/python';
import { codeOnly, scanImports, stringsAndComments } from '../../server/src/python/lexical';
import { fixtureDir, loadFixtures } from './fixture-files';

// The lexical pre-filter (python/lexical.ts, and the boundary words in flow.ts) decides from a
// file's text which files are never parsed. It is only an optimisation: with it and without it
// (every file analysed in full), every finding must be the same, fix and message included.
// SENDCHECK_PREFILTER_DIRS=dir1:dir2 compares on more folders (e.g. a practice set).

const filtered = createChecker([createPythonEngine()]);
const unfiltered = createChecker([createPythonEngine({ prefilter: false })]);

before(async () => {
  await filtered.init();
  await unfiltered.init();
});

const show = (findings: Finding[]) => findings.map((f) => JSON.stringify(f)).sort();

test('each Python fixture: the same findings with the pre-filter and without it', () => {
  const host = new DiskHost();
  let compared = 0;
  for (const fx of loadFixtures()) {
    const without = unfiltered.check([fx.file], host, fx.config);
    const withFilter = filtered.check([fx.file], host, fx.config);
    assert.deepEqual(show(withFilter), show(without), fx.name);
    compared += without.length;
  }
  assert.ok(compared > 100, `only ${compared} findings compared`);
});

const folders = [fixtureDir, ...(process.env.SENDCHECK_PREFILTER_DIRS?.split(path.delimiter).filter(Boolean) ?? [])];
for (const dir of folders) {
  test(`a whole folder at once (${path.basename(dir)}): the same findings with the pre-filter and without it`, { skip: !fs.existsSync(dir) }, () => {
    const { config } = resolveConfig({});
    const files = collectFiles([dir], { maxFileSize: config.maxFileSize }).filter((f) => f.endsWith('.py') || f.endsWith('.ipynb'));
    const host = new DiskHost({ roots: [dir] });
    const without = unfiltered.check(files, host, config);
    assert.ok(without.length > 0, 'nothing found: nothing compared');
    assert.deepEqual(show(filtered.check(files, host, config)), show(without));
  });
}

test('imports are read outside strings and comments, in every form', () => {
  const text = [
    'import os  # import pickle',
    'x = "from multiprocessing import Pool"',
    "doc = '''",
    'import dill',
    "'''",
    'from . import (a,',
    '    b as c)',
    'import numpy as np, multiprocessing.pool as mpp; import json',
    'if fast: import cloudpickle',
    'from ..pkg.mod import *',
    'from x import y, \\',
    '    z',
  ].join('\n');
  assert.equal(codeOnly(text).split('\n').length, text.split('\n').length, 'line breaks are kept');
  assert.deepEqual(
    scanImports(text).map((i) => `${'.'.repeat(i.level)}${i.module}:${i.names.join(',')}${i.star ? '*' : ''}`).sort(),
    ['..pkg.mod:*', '.:a,b', 'cloudpickle:', 'json:', 'multiprocessing.pool:', 'numpy:', 'os:', 'x:y,z'],
  );
});

test('codeOnly reduces strings and drops comments exactly as the tokenizing pattern does', () => {
  // codeOnly scans with indexOf; stringsAndComments is its definition, as a replace.
  const byPattern = (text: string) => text.replace(stringsAndComments, (m) => (m.charCodeAt(0) === 35 ? '' : `''${m.includes('\n') ? m.replace(/[^\n]+/g, '') : ''}`));
  const tricky = [
    "x = '''unterminated",
    'y = """a\nb""" # c',
    "s = 'it\\'s' + \"q\\\"\" # t",
    "a = '\\\nb'",
    "'''' + \"\"\"\"",
    "r'\\' \\",
    '# only a comment',
    "'open\nnext'",
    "'''a''' '''b",
    'x = "#" # "',
  ];
  for (const t of tricky) assert.equal(codeOnly(t), byPattern(t), JSON.stringify(t));
  // Every string of up to five of the characters that matter.
  const parts = ["'", '"', '#', '\\', '\n', 'a'];
  const grow = (prefix: string, depth: number): void => {
    assert.equal(codeOnly(prefix), byPattern(prefix), JSON.stringify(prefix));
    if (depth < 5) for (const p of parts) grow(prefix + p, depth + 1);
  };
  grow('', 0);
  for (const file of collectFiles([fixtureDir], {})) {
    const text = fs.readFileSync(file, 'utf8');
    assert.equal(codeOnly(text), byPattern(text), file);
  }
});
