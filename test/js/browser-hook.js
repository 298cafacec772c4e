// Loaded into every page the browser oracle runs, before the fixture: the browser twin of
// oracle-hook.cjs. It wraps each real boundary of the page (structuredClone, postMessage on
// windows, iframes, workers, ports and channels, IndexedDB writes, history and navigation state,
// notification data, extension messaging) and records one entry per send in
// window.__sendcheck.sends: did Chromium throw, and if not, did the value arrive changed? "Changed"
// is judged by cloning (or JSON round-tripping, for extension messages) the value the same way
// the boundary does and comparing prototypes and own properties deeply.
(() => {
  'use strict';
  const state = (window.__sendcheck = { sends: [], errors: [], logs: [], finished: false });
  const clone = window.structuredClone.bind(window);
  const proto = Object.getPrototypeOf;

  const same = (a, b, seen) => {
    if (Object.is(a, b)) return true;
    if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
    // A null-prototype dictionary comes back as a plain object: the same data to every reader.
    if (proto(a) !== proto(b) && !(proto(a) === null && proto(b) === Object.prototype)) return false;
    if (seen.get(a) === b) return true;
    seen.set(a, b);
    if (a instanceof Date) return a.getTime() === b.getTime();
    if (a instanceof RegExp) return a.source === b.source && a.flags === b.flags;
    if (ArrayBuffer.isView(a) || a instanceof ArrayBuffer) {
      const x = new Uint8Array(ArrayBuffer.isView(a) ? a.buffer : a);
      const y = new Uint8Array(ArrayBuffer.isView(b) ? b.buffer : b);
      return x.length === y.length && x.every((v, i) => v === y[i]);
    }
    if (a instanceof Map) {
      if (a.size !== b.size) return false;
      const bs = [...b];
      return [...a].every(([k, v], i) => same(k, bs[i][0], seen) && same(v, bs[i][1], seen));
    }
    if (a instanceof Set) {
      const bs = [...b];
      return a.size === b.size && [...a].every((v, i) => same(v, bs[i], seen));
    }
    if (a instanceof Blob) return a.size === b.size && a.type === b.type && (!(a instanceof File) || a.name === b.name);
    if (a instanceof Error && (a.name !== b.name || a.message !== b.message)) return false;
    const ka = Object.keys(a);
    const kb = Object.keys(b);
    return ka.length === kb.length && ka.every((k) => Object.prototype.hasOwnProperty.call(b, k) && same(a[k], b[k], seen));
  };
  const show = (v) => {
    try {
      return String(JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? `${x}n` : x))).slice(0, 160);
    } catch {
      return String(v).slice(0, 160);
    }
  };
  const lossOf = (value, serializer) => {
    let copy;
    try {
      copy = serializer === 'json' ? JSON.parse(JSON.stringify(value) ?? 'null') : clone(value);
    } catch {
      return undefined; // the real call decides
    }
    return same(value, copy, new Map()) ? undefined : `${show(value)} arrived as ${show(copy)}`;
  };
  const failed = (e) => `${e && e.name}: ${e && e.message}`.slice(0, 200);

  let depth = 0;
  const observe = (api, serializer, value, send) => {
    if (depth > 0) return send();
    depth++;
    const loss = lossOf(value, serializer);
    try {
      const result = send();
      const entry = { where: 'page', api, outcome: loss ? 'loss' : 'ok', loss };
      state.sends.push(entry);
      // Extension messaging reports what it could not serialize through the returned promise,
      // navigation.navigate() through its `committed` promise.
      const settled = result && (typeof result.then === 'function' ? result : result.committed);
      if (settled && typeof settled.then === 'function') {
        settled.then(undefined, (e) => {
          if (/serializ|clone/i.test(String(e && e.message))) Object.assign(entry, { outcome: 'threw', error: failed(e), loss: undefined });
        });
      }
      return result;
    } catch (e) {
      state.sends.push({ where: 'page', api, outcome: 'threw', error: failed(e) });
      throw e;
    } finally {
      depth--;
    }
  };
  const wrap = (owner, method, api, pick = (args) => args[0], serializer = 'clone') => {
    const original = owner && owner[method];
    if (typeof original !== 'function' || original.__sendcheck) return;
    const wrapped = function (...args) {
      return observe(api, serializer, pick(args), () => original.apply(this, args));
    };
    wrapped.__sendcheck = true;
    owner[method] = wrapped;
  };

  window.structuredClone = function structuredClone(value, options) {
    return observe('structuredClone', 'clone', value, () => clone(value, options));
  };
  // A window's postMessage is an own property of each window, the page's and every iframe's.
  const patchWindow = (w, api) => {
    try {
      if (w && !w.__sendcheckPatched) {
        wrap(w, 'postMessage', api);
        w.__sendcheckPatched = true;
      }
    } catch {
      /* cross-origin: not ours to patch */
    }
    return w;
  };
  patchWindow(window, 'window.postMessage');
  const frameWindow = Object.getOwnPropertyDescriptor(HTMLIFrameElement.prototype, 'contentWindow');
  Object.defineProperty(HTMLIFrameElement.prototype, 'contentWindow', { configurable: true, get() { return patchWindow(frameWindow.get.call(this), 'iframe.contentWindow.postMessage'); } });
  const open = window.open;
  window.open = function (...args) {
    return patchWindow(open.apply(this, args), 'window.open().postMessage');
  };
  for (const [name, C] of Object.entries({ Worker: window.Worker, MessagePort: window.MessagePort })) {
    if (C) wrap(C.prototype, 'postMessage', `${name}.postMessage`);
  }
  // Dexie tells other tabs about its writes on its own channel: library plumbing, not the
  // program's send (as Node's internal ports are skipped by oracle-hook.cjs).
  const channelPost = BroadcastChannel.prototype.postMessage;
  wrap(BroadcastChannel.prototype, 'postMessage', 'BroadcastChannel.postMessage');
  const observedChannelPost = BroadcastChannel.prototype.postMessage;
  BroadcastChannel.prototype.postMessage = function (...args) {
    return (this.name.startsWith('x-storagemutated') ? channelPost : observedChannelPost).apply(this, args);
  };
  wrap(IDBObjectStore.prototype, 'put', 'IDBObjectStore.put');
  wrap(IDBObjectStore.prototype, 'add', 'IDBObjectStore.add');
  wrap(IDBCursor.prototype, 'update', 'IDBCursor.update');
  wrap(History.prototype, 'pushState', 'history.pushState');
  wrap(History.prototype, 'replaceState', 'history.replaceState');
  if (window.Navigation) {
    wrap(Navigation.prototype, 'navigate', 'navigation.navigate', (args) => args[1] && args[1].state);
    wrap(Navigation.prototype, 'updateCurrentEntry', 'navigation.updateCurrentEntry', (args) => args[0] && args[0].state);
  }
  if (window.Notification) {
    const N = window.Notification;
    window.Notification = class Notification extends N {
      constructor(title, options) {
        if (options && 'data' in options) observe('new Notification', 'clone', options.data, () => super(title, options));
        else super(title, options);
      }
    };
  }
  if (window.ServiceWorkerRegistration) wrap(ServiceWorkerRegistration.prototype, 'showNotification', 'showNotification', (args) => args[1] && args[1].data);

  // Extension pages: Chrome sends extension messages as JSON.
  const runtime = window.chrome && window.chrome.runtime;
  if (runtime && runtime.sendMessage) {
    // sendMessage(message, ...) or sendMessage(extensionId, message, ...).
    const message = (args) => (typeof args[0] === 'string' && args.length > 1 && typeof args[1] !== 'function' ? args[1] : args[0]);
    wrap(runtime, 'sendMessage', 'chrome.runtime.sendMessage', message, 'json');
    if (window.chrome.tabs) wrap(window.chrome.tabs, 'sendMessage', 'chrome.tabs.sendMessage', (args) => args[1], 'json');
    const connect = runtime.connect;
    runtime.connect = function (...args) {
      const port = connect.apply(this, args);
      wrap(port, 'postMessage', 'Port.postMessage', (a) => a[0], 'json');
      return port;
    };
  }

  window.addEventListener('error', (e) => state.errors.push(String(e.error || e.message)));
  window.addEventListener('unhandledrejection', (e) => state.errors.push(`unhandled rejection: ${failed(e.reason)}`));
  for (const level of ['log', 'info', 'warn', 'error']) {
    const original = console[level];
    console[level] = (...args) => {
      state.logs.push({ level, text: args.map((a) => (typeof a === 'string' ? a : show(a))).join(' ') });
      return original.apply(console, args);
    };
  }
})();
