import * as ts from 'typescript';
import { resolveAlias, textTest, type Origin } from './origin';
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
    // A cursor's `update(value)` in a file that opens the cursor (`store.openCursor()`), the database opened elsewhere.
    '\\.(?:put|bulkPut|bulkAdd|upsert|setItem|setMany)\\s*\\(|[\\w$]+\\.[\\w$]+\\.(?:add|update)\\s*\\(|idb-keyval|indexedDB|IDB[A-Z]|[Dd]exie|[\'"]idb[\'"]|\\.open(?:Key)?Cursor\\s*\\(',
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

/**
 * The expressions a handler returns (awaited: Electron and the worker pools wait for a returned
 * promise). A handler written in another file (`ipcMain.handle('profile:get', getProfile)` with
 * `getProfile` imported) is one value at the argument that names it: what it returns, judged by its
 * return type and its return statements there, since a finding belongs to the file being checked.
 */
export function returnedValues(handler: ts.Expression | ts.FunctionDeclaration | ts.MethodDeclaration, checker: ts.TypeChecker, label = 'the reply'): SentValue[] {
  let fn: ts.Node | undefined = ts.isFunctionDeclaration(handler) || ts.isMethodDeclaration(handler) ? handler : skipParens(handler);
  let name: string | undefined;
  if (ts.isIdentifier(fn) || ts.isPropertyAccessExpression(fn)) {
    name = ts.isIdentifier(fn) ? fn.text : fn.name.text;
    // `{ compute }`: the name of a shorthand property stands for the variable it copies.
    const sym = ts.isIdentifier(fn) && ts.isShorthandPropertyAssignment(fn.parent) ? checker.getShorthandAssignmentValueSymbol(fn.parent) : resolveAlias(checker, checker.getSymbolAtLocation(fn));
    const decl = sym?.valueDeclaration;
    fn = decl && (ts.isVariableDeclaration(decl) || ts.isPropertyDeclaration(decl)) ? decl.initializer && skipParens(decl.initializer) : decl;
  }
  if (!fn || !(ts.isArrowFunction(fn) || ts.isFunctionExpression(fn) || ts.isFunctionDeclaration(fn) || ts.isMethodDeclaration(fn)) || !fn.body) return [];
  if (fn.getSourceFile().isDeclarationFile) return [];
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
  if (fn.getSourceFile() !== handler.getSourceFile()) {
    const at = handler as ts.Expression;
    // Named by the call (`listBooks()`), so that messages read `listBooks()[i] is a Book instance`.
    return out.length ? [{ expr: at, label: name ? `${name}()` : label, awaited: true, returnedBy: out.slice(0, 8) }] : [];
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
    const state = options && optionMember(call.checker, options, 'state');
    return state && sink(call, { values: [state], serializer: 'clone', runtime: 'browser' });
  }
  if ((c === 'Notification' && o.name === 'constructor') || (c === 'ServiceWorkerRegistration' && o.name === 'showNotification')) {
    const data = args[1] && optionMember(call.checker, args[1], 'data');
    return data && sink(call, { values: [data], serializer: 'clone', runtime: 'browser', api: c === 'Notification' ? 'new Notification' : call.apiName });
  }
  return undefined;
}

/**
 * The `name` member of an options argument, which alone crosses: the literal's property when the
 * options are written there (or in the variable's initialiser); otherwise the whole argument with
 * only that member sent (options a helper builds and returns), judged through its origins.
 */
function optionMember(checker: ts.TypeChecker, options: ts.Expression, name: string): SentValue | undefined {
  const literal = resolveObject(checker, options);
  if (ts.isObjectLiteralExpression(literal)) {
    const own = property(literal, name);
    return own && { expr: own, label: labelOf(own, name) };
  }
  return { expr: options, label: labelOf(options, 'the options'), member: [name] };
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
 * a Window's postMessage (the second argument the target origin). So is an iframe's
 * `contentWindow.postMessage(msg, origin)` reached through an untyped element (`querySelector('iframe#editor')`
 * is an Element, a JS parameter is `any`): `contentWindow` is a frame's member only.
 */
export function openerPostMessage(node: ts.CallExpression | ts.NewExpression, checker: ts.TypeChecker): Sink | undefined {
  if (!ts.isCallExpression(node) || !ts.isPropertyAccessExpression(node.expression) || node.expression.name.text !== 'postMessage') return undefined;
  const receiver = skipParens(node.expression.expression);
  if (!ts.isPropertyAccessExpression(receiver) || (receiver.name.text !== 'opener' && receiver.name.text !== 'contentWindow') || !node.arguments[0] || node.arguments.length < 2) return undefined;
  let owner: ts.Type;
  try {
    owner = checker.getTypeAtLocation(receiver.expression);
  } catch {
    return undefined;
  }
  const name = owner.getSymbol()?.getName();
  const frame = receiver.name.text === 'contentWindow' && isStringArgument(checker, node.arguments[1]);
  if (!frame && name !== 'Window' && name !== 'WindowProxy' && !(ts.isIdentifier(receiver.expression) && (receiver.expression.text === 'window' || receiver.expression.text === 'self'))) return undefined;
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

/** A target origin: a string (`'*'`, `location.origin`), not a transfer list. */
function isStringArgument(checker: ts.TypeChecker, e: ts.Expression): boolean {
  if (ts.isStringLiteralLike(e)) return true;
  try {
    return (checker.getTypeAtLocation(e).flags & ts.TypeFlags.StringLike) !== 0;
  } catch {
    return false;
  }
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

/**
 * A global of a service worker's scope read as `self.<name>`, `globalThis.<name>` or bare `<name>`,
 * where the program does not type it: lib.dom types `self` as a Window, which has no `clients` or
 * `registration`, so plain-JS service workers reach both untyped.
 */
function serviceWorkerGlobal(checker: ts.TypeChecker, e: ts.Expression, name: 'clients' | 'registration'): boolean {
  const x = skipParens(e);
  const projectDeclared = (id: ts.Identifier) => (checker.getSymbolAtLocation(id)?.declarations ?? []).some((d) => !d.getSourceFile().isDeclarationFile);
  if (ts.isIdentifier(x)) return x.text === name && !checker.getSymbolAtLocation(x);
  if (!ts.isPropertyAccessExpression(x) || x.name.text !== name || !ts.isIdentifier(x.expression)) return false;
  if (x.expression.text !== 'self' && x.expression.text !== 'globalThis') return false;
  return !projectDeclared(x.expression) && !!(checker.getTypeAtLocation(x).flags & ts.TypeFlags.Any);
}

const clientOfList = new Set(['find', 'findLast', 'at', 'pop', 'shift']);
const listOfList = new Set(['filter', 'slice', 'concat', 'reverse', 'sort', 'toSorted', 'toReversed']);
const eachOfList = new Set(['forEach', 'map', 'filter', 'find', 'findLast', 'some', 'every', 'flatMap']);

/**
 * Whether `e` is a service worker's window client or a list of them, followed by syntax through
 * variables, `await`, `for...of`, array callbacks and `.then`: `clients.matchAll()` is a list,
 * `clients.get(id)` and `clients.openWindow(url)` a client.
 */
function serviceWorkerClients(checker: ts.TypeChecker, e: ts.Expression, hops = 0): 'list' | 'client' | undefined {
  if (hops > 8) return undefined;
  const x = skipParens(e);
  if (ts.isAwaitExpression(x)) return serviceWorkerClients(checker, x.expression, hops + 1);
  if (ts.isElementAccessExpression(x)) return serviceWorkerClients(checker, x.expression, hops + 1) === 'list' ? 'client' : undefined;
  if (ts.isCallExpression(x) && ts.isPropertyAccessExpression(x.expression)) {
    const method = x.expression.name.text;
    const recv = x.expression.expression;
    if (serviceWorkerGlobal(checker, recv, 'clients')) return method === 'matchAll' ? 'list' : method === 'get' || method === 'openWindow' ? 'client' : undefined;
    const kind = serviceWorkerClients(checker, recv, hops + 1);
    if (kind === 'list') return clientOfList.has(method) ? 'client' : listOfList.has(method) ? 'list' : undefined;
    // `WindowClient.focus()` and `navigate()` resolve to the client.
    if (kind === 'client') return method === 'focus' || method === 'navigate' ? 'client' : undefined;
    return undefined;
  }
  if (!ts.isIdentifier(x)) return undefined;
  const d = checker.getSymbolAtLocation(x)?.valueDeclaration;
  if (!d) return undefined;
  if (ts.isBindingElement(d) && ts.isArrayBindingPattern(d.parent) && ts.isVariableDeclaration(d.parent.parent) && d.parent.parent.initializer) {
    // `const [first] = await clients.matchAll()`.
    return !d.dotDotDotToken && serviceWorkerClients(checker, d.parent.parent.initializer, hops + 1) === 'list' ? 'client' : undefined;
  }
  if (ts.isVariableDeclaration(d)) {
    const statement = d.parent.parent;
    if (ts.isForOfStatement(statement)) return serviceWorkerClients(checker, statement.expression, hops + 1) === 'list' ? 'client' : undefined;
    return d.initializer ? serviceWorkerClients(checker, d.initializer, hops + 1) : undefined;
  }
  if (ts.isParameter(d) && d.parent.parameters[0] === d && (ts.isArrowFunction(d.parent) || ts.isFunctionExpression(d.parent))) {
    const call = d.parent.parent;
    if (!ts.isCallExpression(call) || !call.arguments.includes(d.parent) || !ts.isPropertyAccessExpression(call.expression)) return undefined;
    const method = call.expression.name.text;
    const source = serviceWorkerClients(checker, call.expression.expression, hops + 1);
    if (method === 'then' && call.arguments[0] === d.parent) return source;
    return eachOfList.has(method) && source === 'list' ? 'client' : undefined;
  }
  return undefined;
}

/**
 * `client.postMessage(msg)` in a service worker whose `clients` the program does not type (plain JS
 * with lib.dom): a client from `clients.matchAll()`, `clients.get(id)` or `openWindow`. The page
 * receives a structured clone, as from any postMessage.
 */
export function serviceWorkerClientPostMessage(node: ts.CallExpression | ts.NewExpression, checker: ts.TypeChecker): Sink | undefined {
  if (!ts.isCallExpression(node) || !ts.isPropertyAccessExpression(node.expression) || node.expression.name.text !== 'postMessage' || !node.arguments[0]) return undefined;
  const receiver = node.expression.expression;
  if (!(checker.getTypeAtLocation(receiver).flags & ts.TypeFlags.Any) || serviceWorkerClients(checker, receiver) !== 'client') return undefined;
  const message = node.arguments[0];
  return {
    call: node,
    api: `${labelOf(receiver, 'client')}.postMessage`,
    values: [{ expr: message, label: labelOf(message, 'the message') }],
    serializer: 'clone',
    transfer: readTransfer(node.arguments[1], 'transfer'),
    canTransfer: true,
    runtime: 'browser',
    transferSlot: { kind: 'argument', index: 1, form: 'array', key: 'transfer' },
  };
}

/**
 * The declaration of `self.registration.<method>` in a plain-JS service worker: lib.dom has the
 * ServiceWorkerRegistration interface (pages reach it through `navigator.serviceWorker`), only the
 * worker's global is missing. Its showNotification is then the sink it is in a typed worker.
 */
export function serviceWorkerRegistrationMethod(node: ts.CallExpression | ts.NewExpression, checker: ts.TypeChecker, program: ts.Program): ts.Declaration | undefined {
  if (!ts.isCallExpression(node) || !ts.isPropertyAccessExpression(node.expression) || !serviceWorkerGlobal(checker, node.expression.expression, 'registration')) return undefined;
  const method = node.expression.name.text;
  for (const sf of program.getSourceFiles()) {
    if (!/[\\/]lib\.dom\.d\.ts$/.test(sf.fileName)) continue;
    for (const st of sf.statements) {
      if (!ts.isInterfaceDeclaration(st) || st.name.text !== 'ServiceWorkerRegistration') continue;
      const m = st.members.find((mm) => ts.isMethodSignature(mm) && mm.name.getText(sf) === method);
      if (m) return m;
    }
  }
  return undefined;
}
