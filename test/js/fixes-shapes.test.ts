import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
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

test('a function held by each element of an array or Map is dropped from each element, not with the collection', () => {
  const list = applied(`${head}const jobs = [];\nfunction add(id) {\n  jobs.push({ id, done: () => {} });\n}\nadd(1);\nworker.postMessage({ jobs });\n`, 'remove-function-from-message');
  assert.match(list, /worker\.postMessage\(\{ jobs: jobs\.map\(\(item\) => \(\{ \.\.\.item, done: undefined \}\)\) \}\);/);
  const map = applied(`${head}const byId = new Map();\nbyId.set('a', { id: 1, expire: () => {} });\nworker.postMessage({ version: 1, byId });\n`, 'remove-function-from-message');
  assert.match(map, /byId: new Map\(\[\.\.\.byId\]\.map\(\(\[key, item\]\) => \[key, \{ \.\.\.item, expire: undefined \}\]\)\)/);
});

test('a symbol key written after the object was made is keyed by a string only when the symbol is used only as a key', () => {
  const src = (extra: string) => `${head}const kMeta = Symbol('meta');\nconst req = { url: '/a' };\nreq[kMeta] = { tries: 2 };\n${extra}worker.postMessage(req);\n`;
  assert.match(applied(src(''), 'use-string-key'), /req\.meta = \{ tries: 2 \};/);
  // `kMeta in req` would still look for the symbol once the key became a string.
  assert.ok(!fixesFor(src('console.log(kMeta in req);\n')).fixes.some((f) => f.id === 'use-string-key'));
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

/** A sender (main.mjs), its worker file and other modules in a folder of their own; the fix with `id`, applied to every file it edits. */
function appliedWithWorker(main: string, worker: string, id: string, others: Record<string, string> = {}): { files: Map<string, string>; main: string; worker: string; title: string; dir: string } {
  const dir = path.join(root, `receiver-${n++}`);
  fs.mkdirSync(dir, { recursive: true });
  const sources = new Map<string, string>([['main.mjs', main], ['w.mjs', worker], ...Object.entries(others)]);
  for (const [name, text] of sources) fs.writeFileSync(path.join(dir, name), text);
  const mainFile = path.join(dir, 'main.mjs');
  const fixes = createJsEngine().check({ files: [mainFile], host: new DiskHost(), config: resolveConfig({}).config }).flatMap((f) => f.fixes);
  const fix = fixes.find((f) => f.id === id);
  assert.ok(fix, `no ${id} fix; got ${fixes.map((f) => f.id).join(', ') || 'none'}`);
  const files = new Map([...sources].map(([name, text]) => [name, applyEdits(text, fix.edits.filter((e) => e.file === path.join(dir, name))).text]));
  return { files, main: files.get('main.mjs')!, worker: files.get('w.mjs')!, title: fix.title, dir };
}

test('rehydrate hooks rebuild a destructured handler parameter, and the fixed program runs', () => {
  const point = `export class Point {\n  constructor(x, y) {\n    this.x = x;\n    this.y = y;\n  }\n  len() {\n    return Math.hypot(this.x, this.y);\n  }\n}\n`;
  const main = `import { Worker } from 'node:worker_threads';
import { Point } from './point.mjs';
const worker = new Worker(new URL('./w.mjs', import.meta.url));
worker.once('message', (m) => {
  console.log(m);
  worker.terminate();
});
worker.postMessage({ id: 1, point: new Point(3, 4) });
`;
  const worker = `import { parentPort } from 'node:worker_threads';
parentPort.on('message', ({ id, point }) => {
  parentPort.postMessage(typeof point.len === 'function' ? \`len \${point.len()}\` : 'no methods');
});
`;
  const out = appliedWithWorker(main, worker, 'add-rehydrate-hooks', { 'point.mjs': point });
  assert.match(out.title, /rebuild it with `Point\.fromMessage\(\)` in w\.mjs/);
  assert.match(out.worker, /^import \{ Point \} from '\.\/point\.mjs';$/m);
  assert.match(out.worker, /\(\{ id, point \}\) => \{\n {2}point = Point\.fromMessage\(point\);\n/);
  assert.match(out.main, /worker\.postMessage\(\{ id: 1, point: new Point\(3, 4\)\.toMessage\(\) \}\);/);
  for (const [name, text] of out.files) fs.writeFileSync(path.join(out.dir, name), text);
  const run = spawnSync(process.execPath, [path.join(out.dir, 'main.mjs')], { encoding: 'utf8', timeout: 20_000 });
  assert.equal(run.stdout.trim(), 'len 5', run.stderr);
});

test('rehydrate hooks reach a DOM-style worker: `self.onmessage` and `addEventListener(\'message\')`, plain or destructured', () => {
  const sender = `export class Point {
  constructor(x, y) {
    this.x = x;
    this.y = y;
  }
  len() {
    return Math.hypot(this.x, this.y);
  }
}
const worker = new Worker(new URL('./w.mjs', import.meta.url), { type: 'module' });
worker.postMessage({ point: new Point(3, 4) });
`;
  const cases: [string, RegExp][] = [
    [`import { Point } from './main.mjs';\nself.onmessage = (e) => {\n  postMessage(e.data.point.len());\n};\n`, /\(e\) => \{\n {2}e\.data\.point = Point\.fromMessage\(e\.data\.point\);\n {2}postMessage/],
    [`import { Point } from './main.mjs';\nonmessage = function ({ data }) {\n  postMessage(data.point.len());\n};\n`, /function \(\{ data \}\) \{\n {2}data\.point = Point\.fromMessage\(data\.point\);\n/],
    [`import { Point } from './main.mjs';\nself.addEventListener('message', ({ data: { point } }) => postMessage(point.len()));\n`, /\(\{ data: \{ point \} \}\) => \{\n {2}point = Point\.fromMessage\(point\);\n {2}return postMessage\(point\.len\(\)\);\n\}\);/],
    [`self.addEventListener('message', (e) => {\n  postMessage(e.data.point.len());\n});\n`, /^import \{ Point \} from '\.\/main\.mjs';\nself\.addEventListener\('message', \(e\) => \{\n {2}e\.data\.point = Point\.fromMessage\(e\.data\.point\);/],
  ];
  for (const [worker, expected] of cases) {
    const out = appliedWithWorker(sender, worker, 'add-rehydrate-hooks');
    assert.match(out.title, /in w\.mjs$/, worker);
    assert.match(out.worker, expected);
  }
  // The whole message is a MessageEvent's `data`, a getter that an assignment cannot replace.
  const whole = appliedWithWorker(sender.replace('{ point: new Point(3, 4) }', 'new Point(3, 4)'), `self.onmessage = (e) => postMessage(e.data.len());\n`, 'add-rehydrate-hooks');
  // The title then says what to do there by hand instead of claiming an edit.
  assert.doesNotMatch(whole.title, /in w\.mjs/);
  assert.match(whole.title, /rebuild it there with `Point\.fromMessage\(\.\.\.\)`/);
  assert.equal(whole.worker, `self.onmessage = (e) => postMessage(e.data.len());\n`);
  // Two handlers: which one gets the message is not for a fix to guess.
  const two = appliedWithWorker(sender, `self.onmessage = (e) => {};\nself.addEventListener('message', (e) => {});\n`, 'add-rehydrate-hooks');
  assert.doesNotMatch(two.title, /in w\.mjs/);
  // A destructured parameter that does not bind the member leaves the worker alone.
  const unbound = appliedWithWorker(sender, `import { Point } from './main.mjs';\nonmessage = ({ data: { other } }) => {};\n`, 'add-rehydrate-hooks');
  assert.doesNotMatch(unbound.title, /in w\.mjs/);
});

test('the worker registry fix calls a destructured member by its registry key', () => {
  const out = appliedWithWorker(
    `import { Worker } from 'node:worker_threads';\nconst worker = new Worker(new URL('./w.mjs', import.meta.url));\nworker.postMessage({ n: 2, transform: (x) => x * 2 });\n`,
    `import { parentPort } from 'node:worker_threads';\nparentPort.on('message', ({ n, transform }) => parentPort.postMessage(transform(n)));\n`,
    'move-function-to-worker-registry',
  );
  assert.match(out.worker, /parentPort\.on\('message', \(\{ n, transform \}\) => parentPort\.postMessage\(transformRegistry\[transform\]\(n\)\)\);/);
  assert.match(out.main, /worker\.postMessage\(\{ n: 2, transform: 'transform' \}\);/);
});

test('data forms: a Response still read after the send is read through a clone; a File is awaited only where the code can await', () => {
  const res = applied(`const res = new Response('ok');\nstructuredClone({ res });\nconsole.log(await res.text());\n`, 'send-data-form');
  assert.match(res, /structuredClone\(\{ res: \{ status: res\.status, headers: Object\.fromEntries\(res\.headers\), body: await res\.clone\(\)\.text\(\) \} \}\);/);
  const { fixes } = fixesFor(`function send(res) {\n  structuredClone({ res: new Response('ok') });\n}\nsend();\n`);
  assert.ok(!fixes.some((f) => f.id === 'send-data-form'), 'no await outside an async function');
  assert.match(applied(`const ac = new AbortController();\nstructuredClone({ signal: ac.signal });\n`, 'send-data-form'), /structuredClone\(\{ signal: ac\.signal\.aborted \}\);/);
});

test('a generator is spread only when it visibly ends and nothing reads it afterwards', () => {
  const gen = `function* upTo(n) {\n  for (let i = 0; i < n; i++) yield i;\n}\n`;
  assert.match(applied(`${gen}const g = upTo(2);\nstructuredClone(g);\n`, 'send-data-form'), /structuredClone\(\[\.\.\.g\]\);/);
  const ids = (src: string) => fixesFor(src).fixes.map((f) => f.id);
  assert.deepEqual(ids(`${gen}const g = upTo(2);\nstructuredClone(g);\ng.next();\n`), []);
  assert.deepEqual(ids(`function* all() {\n  let i = 0;\n  while (true) yield i++;\n}\nstructuredClone({ g: all() });\n`), []);
  assert.deepEqual(ids(`function* more(xs) {\n  yield* xs;\n}\nstructuredClone({ g: more([1]) });\n`), []);
});

test('a WeakMap/WeakSet created here becomes a Map/Set, its type annotation too', () => {
  const out = applied(`const seen: WeakSet<object> = new WeakSet();\nstructuredClone({ seen });\n`, 'use-cloneable-collection', '.mts');
  assert.match(out, /const seen: Set<object> = new Set\(\);/);
  const { fixes } = fixesFor(`function make() {\n  return new WeakMap();\n}\nstructuredClone({ cache: make() });\n`);
  assert.ok(!fixes.some((f) => f.id === 'use-cloneable-collection'), 'a WeakMap made elsewhere is not rewritten');
});

test('a socket opened here from an address sends that address; a symbol in a tuple literal is left out in place', () => {
  const { fixes } = fixesFor(`import * as net from 'node:net';\nconst socket = net.connect(5432, 'db');\nstructuredClone({ socket });\nsocket.destroy();\n`);
  assert.deepEqual(fixes.map((f) => f.id), ['pass-path-instead-of-handle']);
  assert.match(applied(`structuredClone(['user-1', Symbol('s')] as [string, symbol]);\n`, 'remove-from-message', '.mts'), /structuredClone\(\['user-1', undefined\] as \[string, symbol\]\);/);
});
