// The oracle's model of Electron, loaded instead of the `electron` package (whose binary cannot run
// here) when a fixture imports it. Main process and renderer live in one Node process; what
// crosses between them goes through Node's structured clone, the same V8 serializer Electron's IPC
// uses, plus the rules Electron documents on top of it:
//   - renderer → main: the main process has no DOM, so DOM objects (here: Blob, File) fail;
//   - an invoke handler's return value crosses back (awaited), and a thrown error arrives as its message;
//   - contextBridge follows PassValueToOtherContext: functions and promises are proxied, plain
//     objects copied key by key without prototype or symbol keys, Errors rebuilt from their
//     message, anything else (a Proxy, a Map...) structured-cloned.
// Each send is recorded through the oracle hook (oracle-hook.cjs), like a worker's postMessage.
'use strict';
const { EventEmitter } = require('node:events');
const util = require('node:util');

const oracle = globalThis.__sendcheckOracle;
if (!oracle) throw new Error('electron-stub.cjs needs the oracle hook (node --require test/js/oracle-hook.cjs)');
const { observe, record, clone } = oracle;

function assertMainDecodable(value, seen = new Set()) {
  if (value === null || typeof value !== 'object' || seen.has(value)) return;
  seen.add(value);
  if (value instanceof Blob) throw new Error('An object could not be cloned.'); // File is a Blob
  const members = value instanceof Map ? [...value.keys(), ...value.values()] : value instanceof Set ? [...value] : Object.values(value);
  for (const m of members) assertMainDecodable(m, seen);
}

const toMain = (api, args) => args.map((a) => observe(api, 'clone', a, () => (assertMainDecodable(a), clone(a))));
const toRenderer = (api, args) => args.map((a) => observe(api, 'clone', a, () => clone(a)));

const ipcMain = new EventEmitter();
const handlers = new Map();
ipcMain.handle = (channel, listener) => {
  if (handlers.has(channel)) throw new Error(`Attempted to register a second handler for '${channel}'`);
  handlers.set(channel, listener);
};
ipcMain.handleOnce = (channel, listener) => ipcMain.handle(channel, (...args) => (handlers.delete(channel), listener(...args)));
ipcMain.removeHandler = (channel) => handlers.delete(channel);

const ipcRenderer = new EventEmitter();

const webContents = {
  id: 1,
  send(channel, ...args) {
    const cloned = toRenderer('webContents.send', args);
    setImmediate(() => ipcRenderer.emit(channel, { sender: ipcRenderer }, ...cloned));
  },
  postMessage(channel, message, transfer) {
    const cloned = observe('webContents.postMessage', 'clone', message, () => clone(message, { transfer }));
    setImmediate(() => ipcRenderer.emit(channel, { sender: ipcRenderer, ports: transfer ?? [] }, cloned));
  },
};

const mainEvent = (extra) => ({
  sender: webContents,
  frameId: 1,
  processId: 1,
  reply: (channel, ...args) => webContents.send(channel, ...args),
  ...extra,
});

ipcRenderer.send = (channel, ...args) => {
  const cloned = toMain('ipcRenderer.send', args);
  setImmediate(() => ipcMain.emit(channel, mainEvent(), ...cloned));
};
ipcRenderer.invoke = async (channel, ...args) => {
  const cloned = toMain('ipcRenderer.invoke', args);
  const handler = handlers.get(channel);
  if (!handler) throw new Error(`Error invoking remote method '${channel}': Error: No handler registered for '${channel}'`);
  let result;
  try {
    result = await handler(mainEvent(), ...cloned);
  } catch (e) {
    throw new Error(`Error invoking remote method '${channel}': ${e}`);
  }
  return observe('ipcMain.handle return value', 'clone', result, () => clone(result));
};
ipcRenderer.sendSync = (channel, ...args) => {
  const cloned = toMain('ipcRenderer.sendSync', args);
  const event = mainEvent({ returnValue: undefined });
  ipcMain.emit(channel, event, ...cloned);
  return observe('event.returnValue', 'clone', event.returnValue, () => clone(event.returnValue));
};
ipcRenderer.sendToHost = (channel, ...args) => {
  toRenderer('ipcRenderer.sendToHost', args);
};
ipcRenderer.postMessage = (channel, message, transfer) => {
  const cloned = observe('ipcRenderer.postMessage', 'clone', message, () => (assertMainDecodable(message), clone(message, { transfer })));
  setImmediate(() => ipcMain.emit(channel, mainEvent({ ports: transfer ?? [] }), cloned));
};

class BrowserWindow {
  constructor() {
    this.webContents = webContents;
  }
  loadFile() {
    return Promise.resolve();
  }
  loadURL() {
    return Promise.resolve();
  }
  static getAllWindows() {
    return [];
  }
}

const isBridgePlainObject = (v) =>
  !(util.types.isDate(v) || util.types.isBoxedPrimitive(v) || util.types.isNativeError(v) || util.types.isRegExp(v) || util.types.isPromise(v) || util.types.isMap(v) ||
    util.types.isSet(v) || util.types.isMapIterator(v) || util.types.isSetIterator(v) || util.types.isWeakMap(v) || util.types.isWeakSet(v) || util.types.isAnyArrayBuffer(v) ||
    util.types.isArrayBufferView(v) || Array.isArray(v) || util.types.isProxy(v) || util.types.isModuleNamespaceObject(v));

/** PassValueToOtherContext, the context bridge's copy. */
function bridge(value, depth = 0) {
  if (depth > 1000) throw new TypeError('Electron contextBridge recursion depth exceeded.');
  if (value === null || (typeof value !== 'object' && typeof value !== 'function')) return value;
  if (typeof value === 'function') {
    return function bridged(...args) {
      const passed = args.map((a) => bridgeRecorded('contextBridge: argument of an exposed function', a));
      return bridge(value.apply(undefined, passed));
    };
  }
  if (util.types.isPromise(value)) return value.then((v) => bridge(v));
  if (util.types.isNativeError(value)) return new Error(value.message);
  if (Array.isArray(value) && !util.types.isProxy(value)) return value.map((v) => bridge(v, depth + 1));
  if (isBridgePlainObject(value)) {
    const out = {};
    for (const key of Object.keys(value)) out[key] = bridge(value[key], depth + 1);
    return out;
  }
  return clone(value);
}

/** What arrives equals what was sent, functions standing for their proxies. */
function sameAcrossBridge(a, b, seen = new Map()) {
  if (typeof a === 'function' || typeof b === 'function') return typeof a === typeof b;
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return Object.is(a, b);
  if (util.types.isPromise(a) || util.types.isPromise(b)) return util.types.isPromise(a) === util.types.isPromise(b);
  if (seen.get(a) === b) return true;
  seen.set(a, b);
  if (Object.getPrototypeOf(a) !== Object.getPrototypeOf(b)) return false;
  if (!isBridgePlainObject(a) && !Array.isArray(a)) return util.isDeepStrictEqual(a, b);
  if (Object.getOwnPropertySymbols(a).length) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  return ka.length === kb.length && ka.every((k) => Object.prototype.hasOwnProperty.call(b, k) && sameAcrossBridge(a[k], b[k], seen));
}

function bridgeRecorded(api, value) {
  try {
    const out = bridge(value);
    const same = sameAcrossBridge(value, out);
    record({ api, outcome: same ? 'ok' : 'loss', loss: same ? undefined : `${util.inspect(value, { depth: 2 }).slice(0, 160)} arrived as ${util.inspect(out, { depth: 2 }).slice(0, 160)}` });
    return out;
  } catch (e) {
    record({ api, outcome: 'threw', error: `${e && e.name}: ${e && e.message}`.slice(0, 200) });
    throw e;
  }
}

const contextBridge = {
  exposeInMainWorld(key, api) {
    if (key in globalThis) throw new Error('Cannot bind an API on top of an existing property on the window object');
    globalThis[key] = bridgeRecorded('contextBridge.exposeInMainWorld', api);
  },
};

// Renderer code reads what the bridge exposed from `window`.
globalThis.window ??= globalThis;

const app = {
  whenReady: () => Promise.resolve(),
  on() {
    return app;
  },
  quit() {},
  getPath: () => require('node:os').tmpdir(),
};

const webUtils = { getPathForFile: (file) => file.path ?? `/tmp/${file.name}` };

module.exports = { app, BrowserWindow, contextBridge, ipcMain, ipcRenderer, webContents, webUtils };
