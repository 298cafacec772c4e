import * as assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { resolveConfig } from '../../server/src/engine/config';
import type { SourceHost } from '../../server/src/engine/types';
import { createPythonEngine } from '../../server/src/python';
import { loadFixtures } from './fixture-files';

// Every fixture, cut and scrambled at seeded random places: the analysis must finish on each
// broken text without an internal error (they are caught per file, and logged under
// SENDCHECK_DEBUG, which this test turns into failures).
const engine = createPythonEngine();
before(() => engine.init!());

test('broken and truncated Python never trips the analysis', () => {
  let state = 20261122;
  const rand = () => {
    state = (state * 1103515245 + 12345) >>> 0;
    return state / 2 ** 32;
  };
  const errors: string[] = [];
  const previous = { debug: process.env.SENDCHECK_DEBUG, error: console.error };
  process.env.SENDCHECK_DEBUG = '1';
  console.error = (...args: unknown[]) => errors.push(args.map(String).join(' '));
  let checked = 0;
  try {
    const config = resolveConfig({}).config;
    for (const fx of loadFixtures()) {
      for (let round = 0; round < 6; round++) {
        const t = fx.text;
        const at = Math.floor(rand() * t.length);
        const variants = [
          t.slice(0, at),
          t.slice(0, at) + t.slice(Math.min(t.length, at + 1 + Math.floor(rand() * 40))),
          t.slice(0, at) + '(' + t.slice(at),
          t.slice(0, at) + '\n    def (:\n' + t.slice(at),
          t.replace(/\n/g, () => (rand() < 0.05 ? '\n\t' : '\n')),
          t.slice(0, at) + '\u00e9\ud83d\ude00' + t.slice(at),
        ];
        const text = variants[round];
        const file = `/fuzz/${round}_${fx.name}`;
        const host: SourceHost = { readFile: () => text, fileExists: (f) => f === file, version: () => `${round}:${text.length}` };
        engine.check({ files: [file], host, config });
        engine.forget!([file]);
        checked++;
      }
    }
  } finally {
    console.error = previous.error;
    if (previous.debug === undefined) delete process.env.SENDCHECK_DEBUG;
    else process.env.SENDCHECK_DEBUG = previous.debug;
  }
  assert.ok(checked > 500, `${checked} variants`);
  assert.deepEqual(errors, []);
});
