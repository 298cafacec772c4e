import * as ts from 'typescript';
import { textTest, type Origin } from './origin';
import { labelOf, property, readTransfer, resolveObject, skipParens, type SentValue, type Sink } from './sinks';

// The boundaries where most real DataCloneErrors happen outside workers (see docs/rules): Electron
// IPC and its context bridge, IndexedDB and its wrappers, history and navigation state,
// notifications, and browser-extension messaging. Each is recognised by the declaration the
// checker resolves the callee to (Electron's, lib.dom's, Dexie's, @types/chrome's...), never by
// its name alone: a user's own `db.put(x)` or `history.pushState` stays an ordinary call.

export const platformCandidateNames = new Set([
  // Electron
  'send', 'invoke', 'sendSync', 'sendToHost', 'postMessage', 'handle', 'handleOnce', 'reply', 'exposeInMainWorld', 'exposeInIsolatedWorld',
  // IndexedDB and wrappers
  'put', 'add', 'update', 'bulkPut', 'bulkAdd', 'upsert', 'setItem', 'setMany',
  // history, navigation, notifications
  'pushState', 'replaceState', 'navigate', 'updateCurrentEntry', 'reload', 'Notification', 'showNotification',
  // extensions
  'sendMessage',
]);

/**
 * `set` is too common a name to resolve everywhere: only where idb-keyval is imported. `push` and
 * `replace` (the `history` package's navigation) only where a history's `push`/`replace` is called
 * or the package is imported.
 */
export function fileCandidateNames(text: string): string[] {
  const names = /idb-keyval/.test(text) ? ['set'] : [];
  if (historyCall.test(text)) names.push('push', 'replace');
  return names;
}

const historyCall = /[Hh]istory\s*\.\s*(?:push|replace)\s*\(|['"]history['"]/;

const domGlobals = 'location|localStorage|sessionStorage|history|navigator|document|console|crypto|performance|screen|customElements|visualViewport|speechSynthesis|indexedDB|caches|parent|top|opener';

/**
 * Cheap text test for these sinks. `add`/`update` are too common to analyse every file that calls
 * them: only on a member of a member (`db.friends.add`) or where a storage library or IndexedDB is
 * named. `window.x.y(...)` may call what a preload exposed, unless `x` is a DOM global.
 */
export const platformSinkHint = new RegExp(
  [
    `\\bwindow\\.(?!(?:${domGlobals})\\b)[\\w$]+\\.[\\w$]+\\s*\\(`,
    'ipcRenderer|ipcMain|webContents|contextBridge|MessagePortMain|parentPort|\\.reply\\s*\\(',
    // `db.friends.add(...)`: a table reached through its database, in a file that may name neither.
    '\\.(?:put|bulkPut|bulkAdd|upsert|setItem|setMany)\\s*\\(|[\\w$]+\\.[\\w$]+\\.(?:add|update)\\s*\\(|idb-keyval|indexedDB|IDB[A-Z]|[Dd]exie|[\'"]idb[\'"]',
    'pushState|replaceState|navigation\\.|Notification|sendMessage|[Hh]istory\\s*\\.\\s*(?:push|replace)\\s*\\(',
  ].join('|'),
);

interface Call {
  node: ts.CallExpression | ts.NewExpression;
  origin: Origin;
  args: readonly ts.Expression[];
  signature: ts.Signature | undefined;
  apiName: string;
  checker: ts.TypeChecker;
}

const electronModules = new Set(['electron', 'electron/main', 'electron/renderer', 'electron/common', 'electron/utility']);
const electronContainer = (o: Origin, ...names: string[]) => electronModules.has(o.module) && names.some((n) => o.container === n || o.container === `Electron.${n}`);
/** Declared in one of `containers` (innermost names: `Table` matches `Dexie.Table`). */
const within = (o: Origin, ...containers: string[]) => containers.some((c) => o.container === c || o.container.endsWith(`.${c}`));

function values(args: readonly ts.Expression[], start: number, fallback: string): SentValue[] {
  return args
    .slice(start)
    .filter((a) => !ts.isSpreadElement(a))
    .map((a, i) => ({ expr: a, label: labelOf(a, args.length - start > 1 ? `args[${start + i}]` : fallback) }));
}

function sink(call: Call, partial: Omit<Sink, 'call' | 'api' | 'transfer' | 'canTransfer'> & Partial<Pick<Sink, 'transfer' | 'canTransfer' | 'api'>>): Sink | undefined {
  if (!partial.values.length) return undefined;
  return { call: call.node, api: call.apiName, transfer: { kind: 'none' }, canTransfer: false, ...partial };
}

/** The argument a declaration calls `message` (chrome.runtime.sendMessage's overloads move it). */
function parameterIndex(signature: ts.Signature | undefined, name: string): number | undefined {
  const decl = signature?.declaration;
  if (!decl || !('parameters' in decl)) return undefined;
  const i = (decl.parameters as ts.NodeArray<ts.ParameterDeclaration>).findIndex((p) => ts.isIdentifier(p.name) && p.name.text === name);
  return i >= 0 ? i : undefined;
}

export function classifyPlatformSink(call: Call): Sink | undefined {
  const o = call.origin;
  if (electronModules.has(o.module)) return electronSink(call);
  if (o.module === 'dom') return domSink(call);
  if (o.module === 'dexie' || o.module === 'idb' || o.module === 'localforage' || o.module === 'idb-keyval') return storageWrapperSink(call);
  if (o.module === 'history') return historyPackageSink(call);
  if ((o.module === 'chrome' || o.module === 'global') && (o.container === 'chrome.runtime' || o.container === 'chrome.tabs' || o.container === 'chrome.runtime.Port') && (o.name === 'sendMessage' || o.name === 'postMessage')) {
    return extensionSink(call);
  }
  if (o.module === 'webextension-polyfill' && (within(o, 'Runtime.Static', 'Tabs.Static') ? o.name === 'sendMessage' : within(o, 'Runtime.Port') && o.name === 'postMessage')) {
    return extensionSink(call);
  }
  return undefined;
}

function electronSink(call: Call): Sink | undefined {
  const { origin: o, args } = call;
  // Renderer → main: structured clone, decoded by the main process, which knows no DOM objects.
  if (electronContainer(o, 'IpcRenderer')) {
    if (o.name === 'postMessage') {
      if (!args[1]) return undefined;
      return sink(call, { values: [{ expr: args[1], label: labelOf(args[1], 'the message') }], serializer: 'clone', runtime: 'electron-renderer', receiver: 'electron-main', transfer: readTransfer(args[2], undefined), canTransfer: true, transferSlot: { kind: 'argument', index: 2, form: 'array', key: 'transfer' } });
    }
    if (o.name === 'send' || o.name === 'invoke' || o.name === 'sendSync') return sink(call, { values: values(args, 1, 'the message'), serializer: 'clone', runtime: 'electron-renderer', receiver: 'electron-main' });
    if (o.name === 'sendToHost') return sink(call, { values: values(args, 1, 'the message'), serializer: 'clone', runtime: 'electron-renderer' });
    return undefined;
  }
  // Main → renderer: Node values cloned into the page.
  if (electronContainer(o, 'WebContents', 'WebFrameMain', 'ServiceWorkerMain', 'IpcMainEvent', 'IpcMainServiceWorkerEvent')) {
    if (o.name === 'send' || o.name === 'reply') return sink(call, { values: values(args, 1, 'the message'), serializer: 'clone', runtime: 'electron-main' });
    if (o.name === 'postMessage' && args[1]) {
      return sink(call, { values: [{ expr: args[1], label: labelOf(args[1], 'the message') }], serializer: 'clone', runtime: 'electron-main', transfer: readTransfer(args[2], undefined), canTransfer: true, transferSlot: { kind: 'argument', index: 2, form: 'array', key: 'transfer' } });
    }
    return undefined;
  }
  if (electronContainer(o, 'MessagePortMain', 'UtilityProcess', 'ParentPort') && o.name === 'postMessage' && args[0]) {
    const canTransfer = !o.container.endsWith('ParentPort');
    return sink(call, {
      values: [{ expr: args[0], label: labelOf(args[0], 'the message') }],
      serializer: 'clone',
      runtime: o.container.endsWith('ParentPort') ? 'node' : 'electron-main',
      transfer: canTransfer ? readTransfer(args[1], undefined) : { kind: 'none' },
      canTransfer,
      transferSlot: canTransfer ? { kind: 'argument', index: 1, form: 'array', key: 'transfer' } : undefined,
    });
  }
  // What an invoke handler returns crosses back to the renderer.
  if (electronContainer(o, 'IpcMain', 'IpcMainServiceWorker') && (o.name === 'handle' || o.name === 'handleOnce') && args[1]) {
    const returned = returnedValues(args[1], call.checker);
    return sink(call, { values: returned, serializer: 'clone', runtime: 'electron-main', api: `${call.apiName} return value` });
  }
  if (electronContainer(o, 'ContextBridge') && (o.name === 'exposeInMainWorld' || o.name === 'exposeInIsolatedWorld')) {
    const api = args[o.name === 'exposeInMainWorld' ? 1 : 2];
    if (!api) return undefined;
    return sink(call, { values: [{ expr: api, label: labelOf(api, 'the API') }], serializer: 'bridge', runtime: 'electron-renderer' });
  }
  return undefined;
}

/** The expressions a handler returns (awaited: Electron and the worker pools wait for a returned promise), when the handler is written in this file. */
export function returnedValues(handler: ts.Expression | ts.FunctionDeclaration | ts.MethodDeclaration, checker: ts.TypeChecker, label = 'the reply'): SentValue[] {
  let fn: ts.Node | undefined = ts.isFunctionDeclaration(handler) || ts.isMethodDeclaration(handler) ? handler : skipParens(handler);
  if (ts.isIdentifier(fn)) {
    // `{ compute }`: the name of a shorthand property stands for the variable it copies.
    const sym = ts.isShorthandPropertyAssignment(fn.parent) ? checker.getShorthandAssignmentValueSymbol(fn.parent) : checker.getSymbolAtLocation(fn);
    const decl = sym?.valueDeclaration;
    fn = decl && ts.isVariableDeclaration(decl) ? decl.initializer && skipParens(decl.initializer) : decl;
    if (fn && fn.getSourceFile() !== handler.getSourceFile()) return [];
  }
  if (!fn || !(ts.isArrowFunction(fn) || ts.isFunctionExpression(fn) || ts.isFunctionDeclaration(fn) || ts.isMethodDeclaration(fn)) || !fn.body) return [];
  const out: ts.Expression[] = [];
  if (!ts.isBlock(fn.body)) out.push(fn.body);
  else {
    const visit = (n: ts.Node): void => {
      if (ts.isFunctionLike(n) || ts.isClassLike(n)) return;
      if (ts.isReturnStatement(n) && n.expression) out.push(n.expression);
      ts.forEachChild(n, visit);
    };
    ts.forEachChild(fn.body, visit);
  }
  return out.slice(0, 8).map((expr) => ({ expr, label: labelOf(expr, label), awaited: true }));
}

function domSink(call: Call): Sink | undefined {
  const { origin: o, args } = call;
  const c = o.container;
  // IndexedDB clones what it stores; a class instance comes back as a plain object.
  if ((c === 'IDBObjectStore' && (o.name === 'put' || o.name === 'add')) || (c === 'IDBCursor' && o.name === 'update')) {
    return args[0] && sink(call, { values: [{ expr: args[0], label: labelOf(args[0], 'the record') }], serializer: 'clone', runtime: 'browser' });
  }
  if (c === 'History' && (o.name === 'pushState' || o.name === 'replaceState')) {
    return args[0] && sink(call, { values: [{ expr: args[0], label: labelOf(args[0], 'the state') }], serializer: 'clone', runtime: 'browser' });
  }
  if (c === 'Navigation' && (o.name === 'navigate' || o.name === 'reload' || o.name === 'updateCurrentEntry')) {
    const options = args[o.name === 'navigate' ? 1 : 0];
    const state = options && property(resolveObject(call.checker, options), 'state');
    return state && sink(call, { values: [{ expr: state, label: labelOf(state, 'state') }], serializer: 'clone', runtime: 'browser' });
  }
  if ((c === 'Notification' && o.name === 'constructor') || (c === 'ServiceWorkerRegistration' && o.name === 'showNotification')) {
    const data = args[1] && property(resolveObject(call.checker, args[1]), 'data');
    return data && sink(call, { values: [{ expr: data, label: labelOf(data, 'data') }], serializer: 'clone', runtime: 'browser', api: c === 'Notification' ? 'new Notification' : call.apiName });
  }
  return undefined;
}

function storageWrapperSink(call: Call): Sink | undefined {
  const { origin: o, args } = call;
  const record = (i: number, fallback = 'the record') => args[i] && sink(call, { values: [{ expr: args[i], label: labelOf(args[i], fallback) }], serializer: 'clone', runtime: 'browser' });
  if (o.module === 'dexie' && within(o, 'Table')) {
    if (o.name === 'put' || o.name === 'add') return record(0);
    if (o.name === 'bulkPut' || o.name === 'bulkAdd') return record(0, 'the records');
    // `update(key, changes)`: a function as `changes` is Dexie's modifier callback, run here, not stored.
    if ((o.name === 'update' || o.name === 'upsert') && args[1] && !ts.isFunctionLike(skipParens(args[1]))) return record(1, 'the changes');
    return undefined;
  }
  if (o.module === 'idb') {
    if (within(o, 'IDBPDatabase') && (o.name === 'put' || o.name === 'add')) return record(1);
    if (within(o, 'IDBPObjectStore') && (o.name === 'put' || o.name === 'add')) return record(0);
    if (within(o, 'IDBPCursor') && o.name === 'update') return record(0);
    return undefined;
  }
  if (o.module === 'localforage' && o.name === 'setItem') return record(1, 'the item');
  if (o.module === 'idb-keyval' && o.container === '') {
    if (o.name === 'set') return record(1, 'the value');
    if (o.name === 'setMany') return record(0, 'the entries');
  }
  return undefined;
}

/**
 * The `history` package (React Router's before v6.4): `history.push(to, state)` and `replace` hand
 * the state to `window.history.pushState`/`replaceState`, which clone it (v4 also takes
 * `push({ pathname, state })`). A memory history keeps the state in an array: nothing is cloned.
 */
function historyPackageSink(call: Call): Sink | undefined {
  const { origin: o, args, node, checker } = call;
  if (!within(o, 'History') || (o.name !== 'push' && o.name !== 'replace') || !ts.isCallExpression(node) || !ts.isPropertyAccessExpression(node.expression)) return undefined;
  let receiver: ts.Type;
  try {
    receiver = checker.getTypeAtLocation(node.expression.expression);
  } catch {
    return undefined;
  }
  if (/MemoryHistory/.test(receiver.getSymbol()?.getName() ?? receiver.aliasSymbol?.getName() ?? '')) return undefined;
  const state = args[1] ?? (args[0] && property(resolveObject(checker, args[0]), 'state'));
  return state && sink(call, { values: [{ expr: state, label: labelOf(state, 'the state') }], serializer: 'clone', runtime: 'browser', api: `history.${o.name}` });
}

/** Chrome serializes extension messages as JSON (Firefox clones them): warn for what JSON changes. */
function extensionSink(call: Call): Sink | undefined {
  const i = call.origin.name === 'postMessage' ? 0 : parameterIndex(call.signature, 'message');
  const message = i === undefined ? undefined : call.args[i];
  if (!message) return undefined;
  return sink(call, { values: [{ expr: message, label: labelOf(message, 'the message') }], serializer: 'json', runtime: 'browser', jsonChannel: 'extension' });
}

/**
 * `window.opener` is typed `any` in lib.dom, so its postMessage resolves to nothing; it is still
 * a Window's postMessage (the second argument the target origin).
 */
export function openerPostMessage(node: ts.CallExpression | ts.NewExpression, checker: ts.TypeChecker): Sink | undefined {
  if (!ts.isCallExpression(node) || !ts.isPropertyAccessExpression(node.expression) || node.expression.name.text !== 'postMessage') return undefined;
  const receiver = skipParens(node.expression.expression);
  if (!ts.isPropertyAccessExpression(receiver) || receiver.name.text !== 'opener' || !node.arguments[0] || node.arguments.length < 2) return undefined;
  let owner: ts.Type;
  try {
    owner = checker.getTypeAtLocation(receiver.expression);
  } catch {
    return undefined;
  }
  const name = owner.getSymbol()?.getName();
  if (name !== 'Window' && name !== 'WindowProxy' && !(ts.isIdentifier(receiver.expression) && (receiver.expression.text === 'window' || receiver.expression.text === 'self'))) return undefined;
  const message = node.arguments[0];
  return {
    call: node,
    api: `${receiver.getText()}.postMessage`,
    values: [{ expr: message, label: labelOf(message, 'the message') }],
    serializer: 'clone',
    transfer: readTransfer(node.arguments[2], undefined),
    canTransfer: true,
    runtime: 'browser',
  };
}

const exposesApi = /exposeInMainWorld/;
const exposedKeys = new WeakMap<ts.Program, Set<string>>();

/** The keys this program's preload scripts expose with `contextBridge.exposeInMainWorld('key', ...)`. */
function exposedApiKeys(program: ts.Program): Set<string> {
  let keys = exposedKeys.get(program);
  if (keys) return keys;
  keys = new Set();
  for (const sf of program.getSourceFiles()) {
    if (sf.isDeclarationFile || sf.fileName.includes('/node_modules/') || !textTest(sf, exposesApi)) continue;
    for (const m of sf.text.matchAll(/\bexposeInMainWorld\s*\(\s*(['"`])([\w$]+)\1/g)) keys.add(m[2]);
  }
  exposedKeys.set(program, keys);
  return keys;
}

/**
 * A page calling what a preload exposed (`window.api.save(draft)`): the arguments cross the
 * context bridge into the isolated world, under the bridge's rules (a Vue proxy throws there).
 */
export function exposedApiCall(node: ts.CallExpression, program: ts.Program): Sink | undefined {
  const callee = skipParens(node.expression);
  const chain: string[] = [];
  let e: ts.Expression = callee;
  while (ts.isPropertyAccessExpression(e)) {
    chain.unshift(e.name.text);
    e = skipParens(e.expression);
  }
  if (!ts.isIdentifier(e) || !['window', 'globalThis', 'self'].includes(e.text) || chain.length === 0) return undefined;
  if (!exposedApiKeys(program).has(chain[0]) || node.arguments.length === 0) return undefined;
  return {
    call: node,
    api: `${e.text}.${chain.join('.')}`,
    values: values(node.arguments, 0, 'the argument'),
    serializer: 'bridge',
    transfer: { kind: 'none' },
    canTransfer: false,
    runtime: 'electron-renderer',
  };
}
