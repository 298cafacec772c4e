import * as nodePath from 'node:path';
import * as ts from 'typescript';
import type { UserSink } from '../engine/config';
import { commonJsInteropType, libraryCallee, originsOf, propertyWrites, replayedType } from './flow';
import { originOf, type Origin } from './origin';
import { classifyPlatformSink, exposedApiCall, fileCandidateNames, openerPostMessage, platformCandidateNames, platformSinkHint, serviceWorkerClientPostMessage, serviceWorkerRegistrationMethod } from './platform-sinks';
import { classifyPoolSink, poolCandidateNames, poolWorkerReturnSinks, workerpoolSerialization } from './pool-sinks';
import type { Serializer, TransferEntry, TransferInfo } from './rules/rule';
import { readTransferList } from './transfer-list';

// Finds the calls where a value crosses a boundary. A call is a sink when the checker resolves
// its callee to a declaration from the platform's or a pool library's typings; the method name
// alone proves nothing (a user's `bus.postMessage(fn)` is an ordinary call).

export interface SentValue {
  expr: ts.Expression;
  /** Root of the access path in messages: the expression text (`job`), `workerData`, `args[0]`, or '' for an object literal. */
  label: string;
  /** The value crosses once awaited (what an Electron invoke handler returns). */
  awaited?: boolean;
  /** Only this member of `expr` crosses (a wrapper that sends `query.state` of its parameter). */
  member?: string[];
  /** Names directly under `member` (or the value) that a wrapper's rest pattern takes out before sending: they do not cross. */
  omit?: string[];
  /**
   * `expr` names a function written in another file whose result crosses (an imported invoke
   * handler): these are its return statements' expressions; the value is its awaited return type.
   */
  returnedBy?: ts.Expression[];
}

export interface Sink {
  call: ts.CallExpression | ts.NewExpression;
  api: string;
  values: SentValue[];
  serializer: Serializer;
  transfer: TransferInfo;
  canTransfer: boolean;
  /** The runtime implied by the API itself (a DOM Worker runs in a browser, ipcRenderer in an Electron renderer). */
  runtime?: 'browser' | 'node' | 'electron-main' | 'electron-renderer';
  /** Who decodes the value when that narrows what may cross: Electron's main process knows no DOM objects. */
  receiver?: 'electron-main';
  /** A JSON channel other than Node's child_process IPC (browser-extension messaging in Chrome). */
  jsonChannel?: 'extension';
  /** Where a transfer list goes in this API's own shape, for the add-to-transfer-list fix. */
  transferSlot?: TransferSlot;
  /** The remote-call library, when the call goes through a comlink / threads.js / jest-worker proxy. */
  remote?: 'comlink' | 'threads' | 'jest-worker';
  /** A function the pool sends as its source text and rebuilds in the worker (workerpool's `exec(fn, params)`): its closure stays behind. */
  sourceFunction?: ts.Expression;
}

/**
 * `argument`: the transfer list is argument `index` itself (`form: 'array'`, e.g. `postMessage(v, [t])`)
 * or the `key` property of an options object there (`form: 'options'`, `structuredClone(v, { transfer })`);
 * postMessage accepts both. `option`: it is the `key` property of the options object at `index`
 * (`new Worker(url, { transferList })`).
 */
export type TransferSlot = { kind: 'argument'; index: number; form: 'array' | 'options'; key: string } | { kind: 'option'; index: number; key: string };

/** Cheap text test: a file that mentions none of these has no sink and costs no type work. */
// `process.send!(msg)`: TypeScript's non-null assertion on an optional method still calls it.
export function mayContainSinks(text: string, userSinks: readonly UserSink[]): boolean {
  if (/postMessage|structuredClone|workerData|\bserialize\s*\(|\.send\s*!?\s*\(|\.run\s*!?\s*\(|\.exec\s*!?\s*\(|comlink|['"]threads['"]|jest-worker|Piscina|Tinypool|workerpool/.test(text) || platformSinkHint.test(text)) return true;
  return userSinks.some((s) => s.language === 'js' && text.includes(s.function.split('.').pop()!));
}

const workerNames = new Set(['postMessage', 'structuredClone', 'Worker', 'send', 'run', 'exec', 'serialize']);
// A function, not a set built at load time: platform-sinks.ts imports this module's helpers.
const isCandidate = (name: string) => workerNames.has(name) || platformCandidateNames.has(name) || poolCandidateNames.has(name);
const browserContainers = new Set(['Worker', 'Window', 'ServiceWorker', 'DedicatedWorkerGlobalScope', 'Client', '', 'WindowProxy']);

/** The callee without a TypeScript non-null assertion or parentheses: `process.send!(msg)` calls `process.send`. */
export function calleeExpression(node: ts.CallExpression | ts.NewExpression): ts.Expression {
  let e: ts.Expression = node.expression;
  while (ts.isNonNullExpression(e) || ts.isParenthesizedExpression(e)) e = e.expression;
  return e;
}

export function calleeName(node: ts.CallExpression | ts.NewExpression): string | undefined {
  const e = calleeExpression(node);
  if (ts.isIdentifier(e)) return e.text;
  if (ts.isPropertyAccessExpression(e)) return e.name.text;
  if (ts.isElementAccessExpression(e) && ts.isStringLiteral(e.argumentExpression)) return e.argumentExpression.text;
  return undefined;
}

export function labelOf(expr: ts.Expression, fallback: string): string {
  const e = skipParens(expr);
  if (ts.isObjectLiteralExpression(e)) return '';
  if (ts.isIdentifier(e) || ts.isPropertyAccessExpression(e) || e.kind === ts.SyntaxKind.ThisKeyword) {
    const text = e.getText();
    if (text.length <= 40 && !/\s/.test(text)) return text;
  }
  return fallback;
}

export function skipParens(e: ts.Expression): ts.Expression {
  while (ts.isParenthesizedExpression(e) || ts.isAsExpression(e) || ts.isNonNullExpression(e) || ts.isSatisfiesExpression(e)) e = e.expression;
  return e;
}

export function property(obj: ts.Expression | undefined, name: string): ts.Expression | undefined {
  if (!obj) return undefined;
  const o = skipParens(obj);
  if (!ts.isObjectLiteralExpression(o)) return undefined;
  for (const p of o.properties) {
    if (ts.isPropertyAssignment(p) && p.name.getText().replace(/['"]/g, '') === name) return p.initializer;
    if (ts.isShorthandPropertyAssignment(p) && p.name.text === name) return p.name;
  }
  return undefined;
}

/** The transfer list in `expr` (an array, or an options object's `optionKey`); with a checker read through variables and pushes too. */
export function readTransfer(expr: ts.Expression | undefined, optionKey: string | undefined, checker?: ts.TypeChecker): TransferInfo {
  return readTransferList(expr, optionKey, checker);
}

/**
 * Serialization of `child.send`: structured clone when every `fork`/`spawn` the child can come from
 * (through variables, fields assigned in any method, getters, helpers' returns) passes
 * `serialization: 'advanced'`; JSON otherwise, and when no origin is seen (Node's default).
 */
function childSerialization(checker: ts.TypeChecker, program: ts.Program, receiver: ts.Expression): Serializer {
  return childSerializationOf(checker, program, receiver) ?? 'json';
}

/** The serialization of a child `expr` can be, from the `fork`/`spawn` calls it comes from; undefined when none is seen. */
export function childSerializationOf(checker: ts.TypeChecker, program: ts.Program, expr: ts.Expression): Serializer | undefined {
  const spawns = originsOf(checker, expr, { program }).filter((o): o is ts.CallExpression => ts.isCallExpression(o) && isChildSpawn(checker, program, o));
  if (!spawns.length) return undefined;
  return spawns.every((c) => spawnsAdvanced(checker, c, program)) ? 'clone' : 'json';
}

function isChildSpawn(checker: ts.TypeChecker, program: ts.Program, call: ts.CallExpression): boolean {
  const callee = libraryCallee(checker, program, call);
  return !!callee && callee.module === 'child_process' && (callee.name === 'fork' || callee.name === 'spawn');
}

function spawnsAdvanced(checker: ts.TypeChecker, call: ts.CallExpression, program: ts.Program): boolean {
  return call.arguments.slice(1).some((a) => {
    const ser = property(resolveObject(checker, a), 'serialization');
    if (ser) return ts.isStringLiteralLike(ser) && ser.text === 'advanced';
    return optionsAskAdvanced(checker, program, a, 0);
  });
}

/**
 * Whether every object the options `expr` can be asks for `serialization: 'advanced'`, where the
 * options are built elsewhere: a helper's returned literal (`fork(file, [], childOptions(env))`), a
 * field or parameter holding one, or a literal spreading one in (`{ ...this.options, stdio }`).
 */
function optionsAskAdvanced(checker: ts.TypeChecker, program: ts.Program, expr: ts.Expression, depth: number): boolean {
  if (depth > 2) return false;
  const origins = originsOf(checker, expr, { program });
  return (
    origins.length > 0 &&
    origins.every((o) => {
      const lit = skipParens(o);
      if (!ts.isObjectLiteralExpression(lit)) return false;
      const ser = property(lit, 'serialization');
      if (ser) return ts.isStringLiteralLike(ser) && ser.text === 'advanced';
      // The last spread wins when it sets the option; any spread that always sets it is enough here.
      return lit.properties.some((p) => ts.isSpreadAssignment(p) && optionsAskAdvanced(checker, program, p.expression, depth + 1));
    })
  );
}

/** What names this very file in a fork/spawn: `process.argv[1]`, `__filename`, `import.meta.url`/`filename`, `fileURLToPath(import.meta.url)`. */
function namesThisFile(checker: ts.TypeChecker, e: ts.Expression, hops = 0): boolean {
  const x = skipParens(e);
  const text = x.getText();
  if (/^process\.argv\[1\]$|^__filename$|^import\.meta\.(url|filename)$/.test(text)) return true;
  if (hops > 3) return false;
  if (ts.isCallExpression(x) || ts.isNewExpression(x)) return (x.arguments ?? []).some((a) => /import\.meta\.url/.test(a.getText()) && namesThisFile(checker, a, hops + 1));
  if (ts.isArrayLiteralExpression(x)) return x.elements.some((el) => namesThisFile(checker, el, hops + 1));
  // `new URL(import.meta.url).pathname` / `.href`: the same file, as a path or URL string.
  if (ts.isPropertyAccessExpression(x) && /^(?:pathname|href)$/.test(x.name.text)) return namesThisFile(checker, x.expression, hops + 1);
  if (ts.isIdentifier(x)) {
    const init = resolveObject(checker, x);
    return init !== x && namesThisFile(checker, init, hops + 1);
  }
  return false;
}

/**
 * Serialization of `process.send` in a file that forks or spawns itself (the parent branch of a
 * `process.argv[2] === 'child'` program): what those calls ask for; JSON when the file starts no
 * copy of itself (another file's parent decides, and JSON is Node's default).
 */
function selfForkSerialization(checker: ts.TypeChecker, program: ts.Program, sf: ts.SourceFile): Serializer {
  if (!/serialization/.test(sf.text)) return parentForkSerialization(checker, program, sf);
  const selfSpawns = selfSpawnsOf(checker, program, sf);
  if (!selfSpawns.length) return parentForkSerialization(checker, program, sf);
  return selfSpawns.every((c) => spawnsAdvanced(checker, c, program)) ? 'clone' : 'json';
}

/** The `fork`/`spawn` calls in `sf` that start a copy of `sf` itself. */
function selfSpawnsOf(checker: ts.TypeChecker, program: ts.Program, sf: ts.SourceFile): ts.CallExpression[] {
  const selfSpawns: ts.CallExpression[] = [];
  const visit = (n: ts.Node): void => {
    if (ts.isCallExpression(n) && n.arguments.length >= 2 && isChildSpawn(checker, program, n) && n.arguments.slice(0, 2).some((a) => namesThisFile(checker, a))) selfSpawns.push(n);
    ts.forEachChild(n, visit);
  };
  visit(sf);
  return selfSpawns;
}

/**
 * The calls that start `sf` as a child, whose options decide what its `process.send` uses: the
 * copies of itself it starts, or else the forks of it by path in other project files.
 */
export function spawnsOfChild(checker: ts.TypeChecker, program: ts.Program, sf: ts.SourceFile): ts.CallExpression[] {
  const self = selfSpawnsOf(checker, program, sf);
  return self.length ? self : parentForks(checker, program, sf);
}

/**
 * Serialization of `process.send` in a child module another project file forks by path
 * (`fork(new URL('./child.mjs', import.meta.url), …)`, `fork(path.join(__dirname, 'child.js'))`,
 * `fork(require.resolve('./child.cjs'))`): structured clone when every such fork passes
 * `serialization: 'advanced'`; JSON when any does not, or when no fork of the file is seen.
 */
function parentForkSerialization(checker: ts.TypeChecker, program: ts.Program, child: ts.SourceFile): Serializer {
  const forks = parentForks(checker, program, child);
  return forks.length > 0 && forks.every((c) => spawnsAdvanced(checker, c, program)) ? 'clone' : 'json';
}

function parentForks(checker: ts.TypeChecker, program: ts.Program, child: ts.SourceFile): ts.CallExpression[] {
  const stem = nodePath.basename(child.fileName).replace(/\.[cm]?[jt]sx?$/, '');
  if (!stem) return [];
  const forks: ts.CallExpression[] = [];
  for (const sf of program.getSourceFiles()) {
    if (sf === child || sf.isDeclarationFile || sf.fileName.includes('/node_modules/') || !sf.text.includes(stem) || !/\bfork\b/.test(sf.text)) continue;
    const visit = (n: ts.Node): void => {
      if (forks.length > 20) return;
      if (ts.isCallExpression(n) && n.arguments.length >= 1 && isChildSpawn(checker, program, n) && namesFile(checker, n.arguments[0], sf, child.fileName)) forks.push(n);
      ts.forEachChild(n, visit);
    };
    visit(sf);
  }
  return forks;
}

/**
 * Whether a fork's module argument names `target`: its last string literal (through a variable's
 * initialiser), resolved against the forking file's folder, is `target` with or without its extension
 * (a `.ts` source forked as the `.js` it compiles to).
 */
function namesFile(checker: ts.TypeChecker, arg: ts.Expression, from: ts.SourceFile, target: string): boolean {
  const strings: string[] = [];
  const collect = (n: ts.Node, hops: number): void => {
    if (strings.length > 8 || hops > 3) return;
    if (ts.isStringLiteralLike(n)) strings.push(n.text);
    else if (ts.isIdentifier(n)) {
      const init = resolveObject(checker, n);
      if (init !== n) collect(init, hops + 1);
    } else ts.forEachChild(n, (c) => collect(c, hops));
  };
  collect(arg, 0);
  const last = strings[strings.length - 1];
  if (!last || !/[\w-]\.[cm]?[jt]sx?$|^\.{1,2}\//.test(last)) return false;
  const resolved = nodePath.resolve(nodePath.dirname(from.fileName), last);
  const bare = (f: string) => f.replace(/\.[cm]?[jt]sx?$/, '');
  return resolved === target || bare(resolved) === bare(target);
}

/**
 * Serialization of a cluster worker's `send`: structured clone when the file sets up the primary with
 * `cluster.setupPrimary({ serialization: 'advanced' })` (or the older `setupMaster`) and never without
 * it; JSON otherwise (Node's default).
 */
function clusterSerialization(checker: ts.TypeChecker, program: ts.Program, sf: ts.SourceFile): Serializer {
  if (!/setup(Primary|Master)/.test(sf.text)) return 'json';
  const setups: ts.CallExpression[] = [];
  const visit = (n: ts.Node): void => {
    if (ts.isCallExpression(n) && ts.isPropertyAccessExpression(n.expression) && /^setup(Primary|Master)$/.test(n.expression.name.text)) {
      const callee = libraryCallee(checker, program, n);
      if (!callee || callee.module === 'cluster') setups.push(n);
    }
    ts.forEachChild(n, visit);
  };
  visit(sf);
  const advanced = (c: ts.CallExpression) => {
    const ser = c.arguments[0] && property(resolveObject(checker, c.arguments[0]), 'serialization');
    return !!ser && ts.isStringLiteralLike(ser) && ser.text === 'advanced';
  };
  return setups.length > 0 && setups.every(advanced) ? 'clone' : 'json';
}

/**
 * The option `name` of the options object `arg` a call is given: the literal's property, or, when
 * the literal lacks it, the last `opts.name = value` on the variable holding the literal that may
 * have run before `send` (`const opts = { filename }; opts.workerData = { task }; new Piscina(opts)`).
 * The last such write stands for all: an option is one value, and the usual shape fills it once.
 */
export function optionProperty(checker: ts.TypeChecker, arg: ts.Expression | undefined, name: string, send: ts.Node): ts.Expression | undefined {
  if (!arg) return undefined;
  const own = property(resolveObject(checker, arg), name);
  if (own) return own;
  const a = skipParens(arg);
  if (!ts.isIdentifier(a)) return undefined;
  let sym: ts.Symbol | undefined;
  try {
    sym = checker.getSymbolAtLocation(a);
  } catch {
    return undefined;
  }
  const d = sym?.valueDeclaration;
  if (!sym || !d || !ts.isVariableDeclaration(d) || !d.initializer || !ts.isObjectLiteralExpression(skipParens(d.initializer))) return undefined;
  const writes = propertyWrites(checker, sym, send).filter((w) => w.name === name);
  return writes.length ? writes[writes.length - 1].value : undefined;
}

export function resolveObject(checker: ts.TypeChecker, e: ts.Expression): ts.Expression {
  const s = skipParens(e);
  if (ts.isIdentifier(s)) {
    const d = checker.getSymbolAtLocation(s)?.valueDeclaration;
    if (d && ts.isVariableDeclaration(d) && d.initializer) return d.initializer;
  }
  return s;
}

function safeSignature(checker: ts.TypeChecker, node: ts.CallExpression | ts.NewExpression): ts.Signature | undefined {
  try {
    return checker.getResolvedSignature(node);
  } catch {
    return undefined;
  }
}

function hasMemberFrom(checker: ts.TypeChecker, type: ts.Type, memberPrefix: string, file: RegExp): boolean {
  for (const t of type.isUnion() ? type.types : [type]) {
    for (const prop of checker.getPropertiesOfType(t)) {
      if (!prop.getName().startsWith(memberPrefix)) continue;
      const d = prop.declarations?.[0];
      if (d && file.test(d.getSourceFile().fileName)) return true;
    }
  }
  return false;
}

function userSinkFor(origin: Origin, sinks: readonly UserSink[]): UserSink | undefined {
  const qualified = origin.container ? `${origin.container}.${origin.name}` : origin.name;
  return sinks.find((s) => s.language === 'js' && s.module.replace(/^node:/, '') === origin.module && (s.function === qualified || s.function === origin.name));
}

export function findSinks(sf: ts.SourceFile, program: ts.Program, userSinks: readonly UserSink[]): Sink[] {
  const checker = program.getTypeChecker();
  const out: Sink[] = [];
  const text = sf.text;
  const remoteCallsPossible = /comlink|['"]threads['"]|jest-worker/.test(text);
  const bridgeCallsPossible = /\b(?:window|globalThis|self)\.[\w$]+\.?[\w$]*\s*\(/.test(text);
  const userNames = new Set([...userSinks.filter((s) => s.language === 'js').map((s) => s.function.split('.').pop()!), ...fileCandidateNames(text)]);
  const readList = (expr: ts.Expression | undefined, optionKey: string | undefined): TransferInfo => readTransfer(expr, optionKey, checker);
  /** `Piscina.move(x)` / `Tinypool.move(x)` as the task itself: the pool transfers `x`. */
  const movedTask = (task: ts.Expression): TransferInfo => {
    const e = skipParens(task);
    if (!ts.isCallExpression(e) || !e.arguments[0] || !isLibraryFunction(e, /^(piscina|tinypool)$/, 'move')) return { kind: 'none' };
    return { kind: 'list', entries: [{ expr: e.arguments[0], moved: true }] };
  };
  const isLibraryFunction = (call: ts.CallExpression, module: RegExp, name: string): boolean => {
    const decl = safeSignature(checker, call)?.declaration;
    const o = decl ? originOf(program, decl) : undefined;
    return !!o && module.test(o.module) && o.name === name;
  };
  /** Comlink: `transfer(value, [buffers])` in an argument lists what the call transfers; without one comlink's own handlers decide. */
  const comlinkTransfers = (args: readonly ts.Expression[]): TransferInfo => {
    let merged: TransferInfo = { kind: 'unknown' };
    for (const a of args) {
      let e = skipParens(a);
      if (ts.isIdentifier(e)) e = skipParens(resolveObject(checker, e));
      if (!ts.isCallExpression(e) || !isLibraryFunction(e, /^comlink$/, 'transfer')) continue;
      const list = readList(e.arguments[1], undefined);
      if (list.kind !== 'list') return { kind: 'unknown' };
      merged = merged.kind === 'list' ? { kind: 'list', entries: [...merged.entries, ...list.entries], node: merged.node ?? list.node, open: merged.open || list.open } : list;
    }
    return merged;
  };

  const visit = (node: ts.Node): void => {
    if (ts.isCallExpression(node) || ts.isNewExpression(node)) {
      const name = calleeName(node);
      // A call without arguments hands nothing over (`exec.run()`): not worth the checker's overload
      // resolution, which on generic-heavy code (effect) was most of an edit's cost.
      const passes = (node.arguments?.length ?? 0) > 0;
      let sink = passes && ((name && (isCandidate(name) || userNames.has(name))) || (remoteCallsPossible && ts.isCallExpression(node))) ? classify(node, name) : undefined;
      if (!sink && bridgeCallsPossible && ts.isCallExpression(node)) sink = exposedApiCall(node, program);
      if (sink) out.push(sink);
    }
    ts.forEachChild(node, visit);
  };

  const classify = (node: ts.CallExpression | ts.NewExpression, name: string | undefined): Sink | undefined => {
    const args = node.arguments ?? ts.factory.createNodeArray<ts.Expression>();
    if (ts.isCallExpression(node) && remoteCallsPossible) {
      const remote = remoteCall(node);
      if (remote) return remote;
    }
    if (!name || !(isCandidate(name) || userNames.has(name))) return undefined;
    if (calleeWrittenHere(node)) return undefined;
    const sig = safeSignature(checker, node);
    const decl = sig?.declaration ?? untypedReceiverMethod(node) ?? serviceWorkerRegistrationMethod(node, checker, program);
    if (!decl) return openerPostMessage(node, checker) ?? serviceWorkerClientPostMessage(node, checker);
    const origin = calleeOrigin(node, decl);
    if (!origin || origin.module === 'user') return undefined;
    const base = { call: node };
    const callee = calleeExpression(node);
    const receiver = ts.isPropertyAccessExpression(callee) ? callee.expression : undefined;
    const apiName = receiver ? `${labelOf(receiver, origin.container || 'value')}.${origin.name}` : origin.name;

    if (origin.name === 'postMessage' && (origin.module === 'dom' || origin.module === 'worker_threads' || (origin.module === 'global' && !origin.container.startsWith('chrome.')))) {
      if (!args[0]) return undefined;
      const isWindow = origin.module === 'dom' && (origin.container === 'Window' || (origin.container === '' && args.length >= 2 && !ts.isArrayLiteralExpression(args[1]) && isStringish(checker, args[1])));
      const transfer = isWindow ? (args[2] ? readList(args[2], undefined) : readList(args[1], 'transfer')) : readList(args[1], 'transfer');
      const runtime = origin.module === 'dom' && browserContainers.has(origin.container) ? 'browser' : origin.module === 'worker_threads' ? 'node' : undefined;
      // A global `postMessage(v)` may be a window's, where a second array argument would be read as the target origin.
      const form = origin.container === '' ? 'options' : 'array';
      const transferSlot: TransferSlot | undefined = isWindow || origin.container === 'BroadcastChannel' ? undefined : { kind: 'argument', index: 1, form, key: 'transfer' };
      return { ...base, api: apiName, values: [{ expr: args[0], label: labelOf(args[0], 'the message') }], serializer: 'clone', transfer, canTransfer: origin.container !== 'BroadcastChannel', runtime, transferSlot };
    }
    if (origin.name === 'structuredClone' && origin.container === '') {
      if (!args[0]) return undefined;
      return { ...base, api: 'structuredClone', values: [{ expr: args[0], label: labelOf(args[0], 'the value') }], serializer: 'clone', transfer: readList(args[1], 'transfer'), canTransfer: true, transferSlot: { kind: 'argument', index: 1, form: 'options', key: 'transfer' } };
    }
    // `v8.serialize(value)` (snapshots, caches written to disk, hand-rolled IPC) runs the same V8
    // serializer as structured clone: a function or symbol throws, a class instance loses its prototype.
    if (origin.module === 'v8' && origin.name === 'serialize' && (origin.container === '' || origin.container === 'Serializer')) {
      if (!args[0] || origin.container !== '') return undefined;
      return { ...base, api: 'v8.serialize', values: [{ expr: args[0], label: labelOf(args[0], 'the value') }], serializer: 'clone', transfer: { kind: 'none' }, canTransfer: false, runtime: 'node' };
    }
    if (origin.module === 'worker_threads' && origin.container === 'Worker' && origin.name === 'constructor' && ts.isNewExpression(node)) {
      const options = args[1] ? resolveObject(checker, args[1]) : undefined;
      const data = optionProperty(checker, args[1], 'workerData', node);
      if (!data) return undefined;
      return { ...base, api: 'new Worker', values: [{ expr: data, label: ts.isIdentifier(skipParens(data)) ? labelOf(data, 'workerData') : 'workerData' }], serializer: 'clone', transfer: readList(property(options, 'transferList'), undefined), canTransfer: true, runtime: 'node', transferSlot: { kind: 'option', index: 1, key: 'transferList' } };
    }
    if (origin.name === 'send' && ((origin.module === 'child_process' && origin.container === 'ChildProcess') || origin.container === 'NodeJS.Process' || (origin.module === 'cluster' && origin.container === 'Worker'))) {
      if (!args[0]) return undefined;
      const serializer =
        origin.module === 'child_process' && receiver
          ? childSerialization(checker, program, receiver)
          : origin.container === 'NodeJS.Process'
            ? selfForkSerialization(checker, program, sf)
            : clusterSerialization(checker, program, sf);
      return { ...base, api: apiName, values: [{ expr: args[0], label: labelOf(args[0], 'the message') }], serializer, transfer: { kind: 'none' }, canTransfer: false, runtime: 'node' };
    }
    if (origin.name === 'run' && ((origin.module === 'piscina' && origin.container === 'Piscina') || (origin.module === 'tinypool' && origin.container === 'Tinypool'))) {
      if (!args[0]) return undefined;
      const options = args[1] ? resolveObject(checker, args[1]) : undefined;
      const moved = movedTask(args[0]);
      const transfer = withMoved(readList(property(options, 'transferList'), undefined), moved);
      // A moved task crosses as what was moved: `move()`'s declared return type is a union of every transferable.
      const task = moved.kind === 'list' ? moved.entries[0].expr : args[0];
      return { ...base, api: apiName, values: [{ expr: task, label: labelOf(task, 'the task') }], serializer: 'clone', transfer, canTransfer: true, runtime: 'node', transferSlot: { kind: 'option', index: 1, key: 'transferList' } };
    }
    if (origin.name === 'exec' && origin.module === 'workerpool') {
      // `exec('name', params)` calls a method the worker script registered; anything else is a function sent as source text.
      const sourceFunction = args[0] && !isStringish(checker, args[0]) ? args[0] : undefined;
      if (!args[1]) return sourceFunction ? { ...base, api: apiName, values: [], serializer: 'clone', transfer: { kind: 'none' }, canTransfer: false, runtime: 'node', sourceFunction } : undefined;
      const params = skipParens(args[1]);
      const values = ts.isArrayLiteralExpression(params)
        ? params.elements.filter((e) => !ts.isSpreadElement(e)).map((e, i) => ({ expr: e, label: labelOf(e, `params[${i}]`) }))
        : [{ expr: args[1], label: labelOf(args[1], 'params') }];
      // `workerType: 'process'` forks children that talk JSON and cannot transfer.
      if (workerpoolSerialization(checker, program, receiver) === 'json') return { ...base, api: apiName, values, serializer: 'json', transfer: { kind: 'none' }, canTransfer: false, runtime: 'node', sourceFunction };
      return { ...base, api: apiName, values, serializer: 'clone', transfer: readList(args[2], 'transfer'), canTransfer: true, runtime: 'node', transferSlot: { kind: 'argument', index: 2, form: 'options', key: 'transfer' }, sourceFunction };
    }
    const pool = classifyPoolSink({ node, origin, args, checker, program });
    if (pool) return pool;
    const platform = classifyPlatformSink({ node, origin, args, signature: sig, apiName, checker });
    if (platform) return platform;
    const user = userSinkFor(origin, userSinks);
    if (user) {
      const values: SentValue[] = [];
      for (const i of user.args ?? (user.keywords?.length ? [] : [0])) if (args[i]) values.push({ expr: args[i], label: labelOf(args[i], `args[${i}]`) });
      for (const k of user.keywords ?? []) {
        for (const a of args) {
          const v = property(a, k);
          if (v) values.push({ expr: v, label: labelOf(v, k) });
        }
      }
      if (!values.length) return undefined;
      return { ...base, api: apiName, values, serializer: user.serializer === 'json' ? 'json' : 'clone', transfer: { kind: 'unknown' }, canTransfer: false };
    }
    return undefined;
  };

  /**
   * The declaration of `recv.name(...)` when the checker cannot type `recv`: a CommonJS `require()` of
   * a default-exporting module (`require('node:cluster').fork()`), or an untyped JS variable or field
   * (`this._fork = undefined` in the constructor, `this._fork ||= fork(...)` elsewhere) whose origins
   * the flow module finds. The first library declaration any origin's type has for the method.
   */
  const untypedReceiverMethod = (node: ts.CallExpression | ts.NewExpression): ts.Declaration | undefined => {
    if (!ts.isCallExpression(node) || !ts.isPropertyAccessExpression(node.expression)) return undefined;
    const recv = node.expression.expression;
    const name = node.expression.name.text;
    if (!(checker.getTypeAtLocation(recv).flags & ts.TypeFlags.Any)) return undefined;
    const fromLibrary = (t: ts.Type | undefined): ts.Declaration | undefined => {
      for (const part of t ? (t.isUnion() ? t.types : [t]) : []) {
        const d = part.getProperty(name)?.declarations?.[0];
        if (d && d.getSourceFile().isDeclarationFile) return d;
      }
      return undefined;
    };
    if (sf.text.includes('require')) {
      const d = fromLibrary(commonJsInteropType(checker, recv));
      if (d) return d;
    }
    // An untyped parameter (`function relay(port, msg) { port.postMessage(msg) }`): what its callers pass.
    for (const o of originsOf(checker, recv, { program })) {
      if (o === skipParens(recv)) continue;
      const d = fromLibrary(checker.getTypeAtLocation(o)) ?? fromLibrary(commonJsInteropType(checker, o));
      if (d) return d;
    }
    // A member of an untyped parameter (`win.webContents.send(...)` in `report(win, p)`): that member of what its callers pass.
    const member = skipParens(recv);
    if (ts.isPropertyAccessExpression(member) && checker.getTypeAtLocation(member.expression).flags & ts.TypeFlags.Any) {
      for (const o of originsOf(checker, member.expression, { program })) {
        if (o === skipParens(member.expression)) continue;
        const t = checker.getTypeAtLocation(o);
        for (const part of t.isUnion() ? t.types : [t]) {
          const prop = part.getProperty(member.name.text);
          const d = prop && fromLibrary(checker.getTypeOfSymbol(prop));
          if (d) return d;
        }
      }
    }
    // A chain of calls on an untyped value (`db.transaction(s).objectStore(s).add(x)` with `db` from a
    // promise the code resolves itself): the chain replayed on the typed origin at its root.
    if (ts.isCallExpression(member) || ts.isPropertyAccessExpression(member) || ts.isIdentifier(member)) {
      const d = fromLibrary(replayedType(checker, member, program));
      if (d) return d;
    }
    return undefined;
  };

  /**
   * Whether every signature the callee's type offers is declared in the project's own sources
   * (`Ref.update(...)`, `Context.add(...)`): overload resolution picks one of them, so the call
   * resolves to no library sink. The callee's type is cheap where resolving the call is not: on
   * generic-heavy code it infers the arguments, lambdas and all.
   */
  const calleeWrittenHere = (node: ts.CallExpression | ts.NewExpression): boolean => {
    let type: ts.Type;
    try {
      type = checker.getTypeAtLocation(node.expression);
    } catch {
      return false;
    }
    if (type.flags & (ts.TypeFlags.Any | ts.TypeFlags.Unknown)) return false;
    const signatures = ts.isNewExpression(node) ? type.getConstructSignatures() : type.getCallSignatures();
    return signatures.length > 0 && signatures.every((s) => !!s.declaration && calleeOrigin(node, s.declaration)?.module === 'user');
  };

  /** A method typed as a property (`reply: (channel, ...args) => void`) is named by the property, not its function type. */
  const calleeOrigin = (node: ts.CallExpression | ts.NewExpression, decl: ts.Declaration): Origin | undefined => {
    const callee = calleeExpression(node);
    if (!(decl as { name?: ts.Node }).name && !ts.isConstructorDeclaration(decl) && !ts.isConstructSignatureDeclaration(decl) && ts.isPropertyAccessExpression(callee)) {
      const prop = checker.getSymbolAtLocation(callee.name)?.declarations?.[0];
      if (prop && (ts.isPropertySignature(prop) || ts.isPropertyDeclaration(prop))) return originOf(program, prop);
    }
    return originOf(program, decl);
  };

  // Comlink / threads.js / jest-worker: calls through a remote proxy clone their arguments.
  const remoteCall = (node: ts.CallExpression): Sink | undefined => {
    if (node.arguments.length === 0) return undefined;
    let calleeType: ts.Type;
    try {
      calleeType = checker.getTypeAtLocation(node.expression);
    } catch {
      return undefined;
    }
    let isComlink = hasMemberFrom(checker, calleeType, '__@createEndpoint', /comlink/);
    let receiverType: ts.Type | undefined;
    if (ts.isPropertyAccessExpression(node.expression)) {
      try {
        receiverType = checker.getTypeAtLocation(node.expression.expression);
      } catch {
        receiverType = undefined;
      }
    }
    // An untyped `Comlink.wrap(port)` is a `Remote<unknown>`: its methods are missing from the type,
    // yet every call on it still posts its arguments to the exposed object.
    const untypedComlink = !isComlink && receiverType !== undefined && ts.isPropertyAccessExpression(node.expression)
      && !receiverType.getProperty(node.expression.name.text) && hasMemberFrom(checker, receiverType, '__@createEndpoint', /comlink/);
    if (untypedComlink) isComlink = true;
    const isThreads = !isComlink && receiverType !== undefined && hasMemberFrom(checker, receiverType, '__threadsModuleThread', /threads/);
    const isJestWorker = !isComlink && !isThreads && receiverType !== undefined && hasMemberFrom(checker, receiverType, '__jestWorkerFarm', /jest-worker/);
    if (!isComlink && !isThreads && !isJestWorker) return undefined;
    const api = `${labelOf(node.expression, 'remote')}`;
    return {
      call: node,
      api,
      values: node.arguments.filter((a) => !ts.isSpreadElement(a)).map((a, i) => ({ expr: a, label: labelOf(a, `args[${i}]`) })),
      serializer: 'clone',
      transfer: isComlink ? comlinkTransfers(node.arguments) : { kind: 'unknown' },
      canTransfer: false,
      remote: isComlink ? 'comlink' : isThreads ? 'threads' : 'jest-worker',
    };
  };

  visit(sf);
  out.push(...poolWorkerReturnSinks(sf, program));
  return out;
}

/** A pool's transfer list plus what its task `move()`s. */
function withMoved(list: TransferInfo, moved: TransferInfo): TransferInfo {
  if (moved.kind !== 'list') return list;
  if (list.kind === 'none') return moved;
  if (list.kind === 'unknown') return list;
  const entries: TransferEntry[] = [...list.entries, ...moved.entries];
  return { ...list, entries };
}

function isStringish(checker: ts.TypeChecker, e: ts.Expression): boolean {
  try {
    return (checker.getTypeAtLocation(e).flags & ts.TypeFlags.StringLike) !== 0;
  } catch {
    return false;
  }
}
