import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, test } from 'node:test';
import { resolveConfig } from '../../server/src/engine/config';
import { DiskHost } from '../../server/src/engine/files';
import { applyEdits } from '../../server/src/engine/text';
import type { Fix } from '../../server/src/engine/types';
import { createJsEngine } from '../../server/src/js';

// The shapes of code the fixes must edit correctly beyond the fixtures: an existing transfer
// list or options object, multi-line literals, named comlink imports, names already taken.
// (The fixtures' fixes are run with real Node in fixes.test.ts.)

// Under the repository, so `comlink` and `@types/node` resolve from its node_modules.
const root = path.resolve(__dirname, '..', '.cache', `fix-shapes-${process.pid}`);
after(() => fs.rmSync(root, { recursive: true, force: true }));
let n = 0;

function fixesFor(source: string, ext = '.mjs'): { text: string; fixes: Fix[]; file: string } {
  const dir = path.join(root, String(n++));
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `main${ext}`);
  fs.writeFileSync(file, source);
  const findings = createJsEngine().check({ files: [file], host: new DiskHost(), config: resolveConfig({}).config });
  return { text: source, fixes: findings.flatMap((f) => f.fixes), file };
}

function applied(source: string, id: string, ext = '.mjs'): string {
  const { fixes, file } = fixesFor(source, ext);
  const fix = fixes.find((f) => f.id === id);
  assert.ok(fix, `no ${id} fix; got ${fixes.map((f) => f.id).join(', ') || 'none'}`);
  for (const e of fix.edits) assert.equal(e.file, file);
  return applyEdits(source, fix.edits).text;
}

const head = `import { MessageChannel, Worker } from 'node:worker_threads';
const worker = new Worker('./w.js');
const { port1, port2 } = new MessageChannel();
`;

test('an existing transfer list is extended', () => {
  const out = applied(`${head}const buf = new ArrayBuffer(8);\nworker.postMessage({ buf, reply: port2 }, [buf]);\n`, 'add-to-transfer-list');
  assert.match(out, /worker\.postMessage\(\{ buf, reply: port2 \}, \[buf, port2\]\);/);
});

test('an options object without `transfer` gets one', () => {
  const out = applied(`${head}structuredClone({ reply: port2 }, {});\n`, 'add-to-transfer-list');
  assert.match(out, /structuredClone\(\{ reply: port2 \}, \{ transfer: \[port2\] \}\);/);
});

test('new Worker gets a transferList beside workerData, following a multi-line literal', () => {
  const src = `${head}const w2 = new Worker('./w.js', {\n  workerData: { reply: port2 },\n});\n`;
  const out = applied(src, 'add-to-transfer-list');
  assert.match(out, /\{\n {2}workerData: \{ reply: port2 \},\n {2}transferList: \[port2\],\n\}\);/);
});

test('a port read after the send is transferred only as a suggestion', () => {
  const { fixes } = fixesFor(`${head}worker.postMessage({ reply: port2 });\nport2.start();\n`);
  const fix = fixes.find((f) => f.id === 'add-to-transfer-list');
  assert.ok(fix);
  assert.equal(fix.preferred, false);
  assert.match(fix.title, /used here afterwards/);
});

test('a named comlink import gains `proxy`', () => {
  const src = `import { wrap } from 'comlink';
import { MessageChannel } from 'node:worker_threads';
const { port1 } = new MessageChannel();
/** @type {import('comlink').Remote<{ run(cb: () => void): void }>} */
const api = wrap(port1);
api.run(() => {});
`;
  const out = applied(src, 'wrap-with-comlink-proxy');
  assert.match(out, /import \{ wrap, proxy \} from 'comlink';/);
  assert.match(out, /api\.run\(proxy\(\(\) => \{\}\)\);/);
});

test('removing the only property leaves an empty object; a nested one is overridden in a copy', () => {
  assert.match(applied(`${head}worker.postMessage({ onDone: () => {} });\n`, 'remove-function-from-message'), /worker\.postMessage\(\{\}\);/);
  const nested = applied(`${head}const job = { opts: { cb: () => {} }, id: 1 };\nworker.postMessage(job);\n`, 'remove-function-from-message');
  assert.match(nested, /worker\.postMessage\(\{ \.\.\.job, opts: \{ \.\.\.job\.opts, cb: undefined \} \}\);/);
});

test('rehydrate hooks in TypeScript are typed, and an existing toMessage() means no fix', () => {
  const cls = `class Point {\n  constructor(public x: number, private y: number) {}\n  len() {\n    return Math.hypot(this.x, this.y);\n  }\n}\n`;
  const out = applied(`${head}${cls}worker.postMessage(new Point(1, 2));\n`, 'add-rehydrate-hooks', '.mts');
  assert.match(out, /static fromMessage\(data: ReturnType<Point\['toMessage'\]>\): Point \{\n {4}return new Point\(data\.x, data\.y\);/);
  assert.match(out, /worker\.postMessage\(new Point\(1, 2\)\.toMessage\(\)\);/);
  const { fixes } = fixesFor(`${head}class P {\n  x = 1;\n  toMessage() {\n    return { x: this.x };\n  }\n}\nworker.postMessage({ p: new P() });\n`);
  assert.ok(!fixes.some((f) => f.id === 'add-rehydrate-hooks'));
});

test('a function that reads the sender’s variables is not moved into the worker', () => {
  const dir = path.join(root, 'registry');
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'w.mjs'), `import { parentPort } from 'node:worker_threads';\nparentPort.on('message', (m) => m.f(1));\n`);
  const file = path.join(dir, 'main.mjs');
  const src = (body: string) => `import { Worker } from 'node:worker_threads';\nconst worker = new Worker(new URL('./w.mjs', import.meta.url));\nconst factor = 2;\nworker.postMessage({ f: ${body} });\n`;
  const ids = (body: string) => {
    fs.writeFileSync(file, src(body));
    return createJsEngine().check({ files: [file], host: new DiskHost(), config: resolveConfig({}).config }).flatMap((f) => f.fixes.map((x) => x.id));
  };
  assert.deepEqual(ids('(x) => x * 2'), ['move-function-to-worker-registry']);
  assert.deepEqual(ids('(x) => x * factor'), ['remove-function-from-message']);
});
