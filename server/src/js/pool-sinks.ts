import * as path from 'node:path';
import * as ts from 'typescript';
import { libraryCallee, originsOf } from './flow';
import { textTest, type Origin } from './origin';
import { returnedValues } from './platform-sinks';
import { labelOf, optionProperty, property, resolveObject, skipParens, type Sink } from './sinks';
import type { Serializer } from './rules/rule';

// Worker pools beyond `pool.run(task)` / `pool.exec(fn, params)` (sinks.ts): what their
// constructors hand every worker (`workerData`), and the return trip — what a task function returns
// is cloned back to the main thread. Measured with piscina 5.3, tinypool 2.2 and workerpool 10.0
// on Node 24 (test/fixtures/js/*pool*, *piscina*):
// - `new Piscina({ workerData })` / `new Tinypool({ workerData })` throw the DataCloneError at
//   construction; workerpool clones `workerThreadOpts.workerData` when its first worker starts.
// - A task returning a function (or a promise of an object holding one) rejects `run()` / `exec()`
//   with `DataCloneError: ... could not be cloned.` (the worker's own postMessage of the result
//   threw); a returned class instance arrives as a plain object.
// - workerpool with `workerType: 'process'` (and tinypool's `runtime: 'child_process'`) crosses
//   through `child_process` JSON: functions and `undefined` vanish, a Map arrives as `{}`, a Date
//   as a string — unless `forkOpts: { serialization: 'advanced' }`.

export const poolCandidateNames = new Set(['Piscina', 'Tinypool', 'pool', 'worker', 'workerEmit', 'expose']);

interface PoolCall {
  node: ts.CallExpression | ts.NewExpression;
  origin: Origin;
  args: readonly ts.Expression[];
  checker: ts.TypeChecker;
  program: ts.Program;
}

const isPoolClass = (o: Origin) => (o.module === 'piscina' && o.container === 'Piscina') || (o.module === 'tinypool' && o.container === 'Tinypool');

export function classifyPoolSink(call: PoolCall): Sink | undefined {
  const { node, origin: o, args, checker } = call;
  if (isPoolClass(o) && o.name === 'constructor' && ts.isNewExpression(node)) {
    const data = optionProperty(checker, args[0], 'workerData', node);
    if (!data) return undefined;
    return { call: node, api: `new ${o.container}`, values: [{ expr: data, label: ts.isIdentifier(skipParens(data)) ? labelOf(data, 'workerData') : 'workerData' }], serializer: 'clone', transfer: { kind: 'none' }, canTransfer: false, runtime: 'node' };
  }
  if (o.module === 'workerpool' && o.container === '' && o.name === 'pool' && ts.isCallExpression(node)) {
    const options = args.map((a) => resolveObject(checker, a)).find((a) => ts.isObjectLiteralExpression(a));
    const data = property(resolveObject(checker, property(options, 'workerThreadOpts') ?? ts.factory.createNull()), 'workerData');
    if (!data) return undefined;
    return { call: node, api: 'workerpool.pool', values: [{ expr: data, label: ts.isIdentifier(skipParens(data)) ? labelOf(data, 'workerData') : 'workerData' }], serializer: 'clone', transfer: { kind: 'none' }, canTransfer: false, runtime: 'node' };
  }
  // `workerpool.workerEmit(payload)` in the worker script: the event is posted to the main thread
  // (structured clone in a worker thread, Node's default `workerType`), DataCloneError on a function.
  if (o.module === 'workerpool' && o.container === '' && o.name === 'workerEmit' && ts.isCallExpression(node) && args[0]) {
    return { call: node, api: 'workerpool.workerEmit', values: [{ expr: args[0], label: labelOf(args[0], 'the event') }], serializer: 'clone', transfer: { kind: 'none' }, canTransfer: false, runtime: 'node' };
  }
  // `Comlink.expose(api)`: what each method returns (awaited) is posted back to the caller, a function
  // in it rejects the call (comlink turns the DataCloneError into "Unserializable return value").
  if (o.module === 'comlink' && o.name === 'expose' && ts.isCallExpression(node) && args[0]) {
    const api = resolveObject(checker, args[0]);
    if (!ts.isObjectLiteralExpression(api)) return undefined;
    const values = api.properties.flatMap((p) => {
      const fn = ts.isMethodDeclaration(p) ? p : ts.isPropertyAssignment(p) ? p.initializer : ts.isShorthandPropertyAssignment(p) ? p.name : undefined;
      return fn ? returnedValues(fn, checker, 'the result') : [];
    });
    if (!values.length) return undefined;
    return { call: node, api: 'a Comlink-exposed method return value', values, serializer: 'clone', transfer: { kind: 'unknown' }, canTransfer: false };
  }
  // `workerpool.worker({ name: fn })` in the worker script: each method's result crosses back.
  if (o.module === 'workerpool' && o.container === '' && o.name === 'worker' && ts.isCallExpression(node) && args[0]) {
    const methods = resolveObject(checker, args[0]);
    if (!ts.isObjectLiteralExpression(methods)) return undefined;
    const values = methods.properties.flatMap((p) => {
      const fn = ts.isMethodDeclaration(p) ? p : ts.isPropertyAssignment(p) || ts.isShorthandPropertyAssignment(p) ? (ts.isPropertyAssignment(p) ? p.initializer : p.name) : undefined;
      return fn ? returnedValues(fn, checker, 'the result') : [];
    });
    if (!values.length) return undefined;
    return { call: node, api: 'a workerpool task return value', values, serializer: 'clone', transfer: { kind: 'none' }, canTransfer: false, runtime: 'node' };
  }
  return undefined;
}

/**
 * How a workerpool pool crosses: JSON over `child_process` IPC when every `workerpool.pool(...)`
 * the receiver can come from asks for `workerType: 'process'` without `serialization: 'advanced'`
 * in its `forkOpts`; structured clone otherwise (`auto` and `thread` use worker_threads in Node).
 */
export function workerpoolSerialization(checker: ts.TypeChecker, program: ts.Program, receiver: ts.Expression | undefined): Serializer {
  if (!receiver) return 'clone';
  const pools = originsOf(checker, receiver, { program }).filter((c): c is ts.CallExpression => ts.isCallExpression(c) && isLibraryCall(checker, program, c, 'workerpool', 'pool'));
  if (!pools.length) return 'clone';
  const json = (c: ts.CallExpression) => {
    const options = c.arguments.map((a) => resolveObject(checker, a)).find((a) => ts.isObjectLiteralExpression(a));
    const type = property(options, 'workerType') ?? property(options, 'nodeWorker');
    if (!type || !ts.isStringLiteralLike(type) || type.text !== 'process') return false;
    const ser = property(resolveObject(checker, property(options, 'forkOpts') ?? ts.factory.createNull()), 'serialization');
    return !(ser && ts.isStringLiteralLike(ser) && ser.text === 'advanced');
  };
  return pools.every(json) ? 'json' : 'clone';
}

function isLibraryCall(checker: ts.TypeChecker, program: ts.Program, call: ts.CallExpression | ts.NewExpression, module: string, name: string): boolean {
  const callee = libraryCallee(checker, program, call);
  return callee?.module === module && callee.name === name;
}

/** A piscina / tinypool pool that runs `file` as its worker, and the export it calls there. */
interface PoolOfWorker {
  pool: ts.NewExpression;
  library: 'Piscina' | 'Tinypool';
  exportName: string;
}

const poolIndex = new WeakMap<ts.Program, Map<string, PoolOfWorker[]>>();

const constructsPool = /\bnew\s+(?:Piscina|Tinypool)\b/;

/** Every `new Piscina({ filename })` / `new Tinypool({ filename })` in the program, by the worker file it names. */
function poolsByWorkerFile(program: ts.Program): Map<string, PoolOfWorker[]> {
  let index = poolIndex.get(program);
  if (index) return index;
  index = new Map();
  poolIndex.set(program, index);
  const checker = program.getTypeChecker();
  for (const sf of program.getSourceFiles()) {
    if (sf.isDeclarationFile || sf.fileName.includes('/node_modules/') || !textTest(sf, constructsPool)) continue;
    const visit = (n: ts.Node): void => {
      if (ts.isNewExpression(n) && ts.isIdentifier(n.expression) && /^(Piscina|Tinypool)$/.test(n.expression.text) && n.arguments?.[0]) {
        const library = n.expression.text as PoolOfWorker['library'];
        const module = library.toLowerCase();
        if (isLibraryCall(checker, program, n, module, 'constructor')) {
          const options = resolveObject(checker, n.arguments[0]);
          const filename = property(options, 'filename');
          const name = property(options, 'name');
          const file = filename && workerFileNamed(checker, filename, sf);
          if (file) {
            const exportName = name && ts.isStringLiteralLike(name) ? name.text : 'default';
            const list = index!.get(file) ?? [];
            list.push({ pool: n, library, exportName });
            index!.set(file, list);
          }
        }
      }
      ts.forEachChild(n, visit);
    };
    visit(sf);
  }
  return index;
}

/**
 * The file a pool's `filename` option names, as the program knows it: `import.meta.url` /
 * `__filename` (the pool runs its own module), `new URL('./w.mjs', import.meta.url)` (with `.href`
 * or `fileURLToPath`), `path.resolve(__dirname, 'w.js')`. A compiled name (`w.js`) also finds its
 * TypeScript source (`w.ts`).
 */
function workerFileNamed(checker: ts.TypeChecker, expr: ts.Expression, from: ts.SourceFile, hops = 0): string | undefined {
  const e = skipParens(hops < 3 && ts.isIdentifier(skipParens(expr)) ? resolveObject(checker, expr) : expr);
  const dir = path.dirname(from.fileName);
  const text = e.getText();
  if (/^(?:import\.meta\.(?:url|filename)|__filename)$/.test(text)) return from.fileName;
  if (ts.isPropertyAccessExpression(e) && (e.name.text === 'href' || e.name.text === 'pathname')) return workerFileNamed(checker, e.expression, from, hops + 1);
  if (ts.isCallExpression(e) && e.arguments.length === 1 && /fileURLToPath$/.test(e.expression.getText())) return workerFileNamed(checker, e.arguments[0], from, hops + 1);
  if (ts.isNewExpression(e) && e.expression.getText() === 'URL' && e.arguments?.length === 1) return workerFileNamed(checker, e.arguments[0], from, hops + 1);
  if (ts.isNewExpression(e) && e.expression.getText() === 'URL' && e.arguments?.length === 2 && ts.isStringLiteralLike(e.arguments[0]) && /^import\.meta\.url$/.test(e.arguments[1].getText())) {
    return path.resolve(dir, e.arguments[0].text);
  }
  if (ts.isCallExpression(e) && /(?:^|\.)(?:resolve|join)$/.test(e.expression.getText()) && e.arguments.length >= 2 && /^(?:__dirname|import\.meta\.dirname)$/.test(e.arguments[0].getText())) {
    const rest = e.arguments.slice(1);
    if (!rest.every(ts.isStringLiteralLike)) return undefined;
    return path.resolve(dir, ...rest.map((a) => (a as ts.StringLiteralLike).text));
  }
  return undefined;
}

/**
 * Admission before any program exists: the worker files a file's `new Piscina({ filename })` /
 * `new Tinypool(...)` may name, read from the text (`'./w.mjs'` in a URL or a path join). A worker
 * module often mentions no boundary at all; the typed check decides later.
 */
export function namedPoolWorkerFiles(file: string, text: string): string[] {
  if (!/\bnew\s+(?:Piscina|Tinypool)\b/.test(text)) return [];
  const out: string[] = [];
  for (const m of text.matchAll(/\bfilename\s*:[^}\n]*?['"`](\.{0,2}\/?[\w./-]+\.[mc]?[jt]sx?)['"`]/g)) {
    const base = path.resolve(path.dirname(file), m[1]);
    out.push(base, base.replace(/\.([mc]?)js$/, '.$1ts'));
  }
  return out;
}

/** A file some pool in the program runs as its worker. */
export function isPoolWorkerFile(sf: ts.SourceFile, program: ts.Program): boolean {
  for (const file of poolsByWorkerFile(program).keys()) if (programFileFor(program, file) === sf) return true;
  return false;
}

/** `w.js` as the program may hold it: itself, or the TypeScript it is compiled from. */
function programFileFor(program: ts.Program, file: string): ts.SourceFile | undefined {
  const candidates = [file, file.replace(/\.([mc]?)js$/, '.$1ts'), file.replace(/\.js$/, '.tsx')];
  for (const c of candidates) {
    const sf = program.getSourceFile(c);
    if (sf) return sf;
  }
  return undefined;
}

/**
 * The return trip of a piscina / tinypool worker module: what the exported task function returns
 * is cloned back by the worker. One sink per pool that names this file (its `new Piscina(...)` is
 * the call, possibly in another file).
 */
export function poolWorkerReturnSinks(sf: ts.SourceFile, program: ts.Program): Sink[] {
  const index = poolsByWorkerFile(program);
  if (!index.size) return [];
  const checker = program.getTypeChecker();
  const out: Sink[] = [];
  const seen = new Set<string>();
  for (const [file, pools] of index) {
    if (programFileFor(program, file) !== sf) continue;
    for (const p of pools) {
      if (seen.has(p.exportName)) continue;
      seen.add(p.exportName);
      const fn = exportedFunction(checker, sf, p.exportName);
      const values = fn ? returnedValues(fn, checker, 'the result') : [];
      if (values.length) out.push({ call: p.pool, api: `a ${p.library} task return value`, values, serializer: 'clone', transfer: { kind: 'none' }, canTransfer: false, runtime: 'node' });
    }
  }
  return out;
}

/** The function `sf` exports as `name` (`default`: `export default`, `module.exports =`). */
function exportedFunction(checker: ts.TypeChecker, sf: ts.SourceFile, name: string): ts.Expression | ts.FunctionDeclaration | undefined {
  const moduleSymbol = checker.getSymbolAtLocation(sf);
  if (moduleSymbol) {
    const exported = checker.getExportsOfModule(moduleSymbol).find((s) => s.escapedName === name || (name === 'default' && s.escapedName === 'export='));
    const decl = exported?.valueDeclaration ?? exported?.declarations?.[0];
    if (decl) {
      if (ts.isFunctionDeclaration(decl)) return decl;
      if (ts.isExportAssignment(decl)) return decl.expression;
      if (ts.isVariableDeclaration(decl) && decl.initializer) return decl.initializer;
      if (ts.isBinaryExpression(decl)) return decl.right;
      if (ts.isPropertyAccessExpression(decl) && ts.isBinaryExpression(decl.parent)) return decl.parent.right;
    }
  }
  return undefined;
}
