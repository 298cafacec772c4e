// Preloaded (`node --require`) into every fixture the oracle runs, and inherited by its workers
// and forked children. It wraps each real boundary (postMessage, structuredClone, new Worker's
// workerData, child_process/process/cluster send) and appends one JSON line per send to
// $SENDCHECK_ORACLE_REPORT: did the runtime throw, and if not, did the value arrive changed?
// "Changed" is judged by cloning (or JSON round-tripping) the value the same way the boundary
// does and comparing with util.isDeepStrictEqual, which checks prototypes and own properties.
// Besides: an ArrayBuffer listed for transfer that is still attached after the send was copied,
// not moved (`copied`); a `messageerror` on a receiving side is a message that never arrived
// (`loss`); an uncaught TypeError on a detached buffer ends the program (`threw`).
'use strict';
const fs = require('node:fs');
const util = require('node:util');
const report = process.env.SENDCHECK_ORACLE_REPORT;
if (report) {
  const wt = require('node:worker_threads');
  const where = wt.isMainThread ? (process.send ? 'child' : 'main') : 'worker';
  const record = (event) => {
    try {
      fs.appendFileSync(report, JSON.stringify({ where, ...event }) + '\n');
    } catch {}
  };
  // The value with each user-written toJSON() applied, as JSON.stringify calls them (not Date's or Buffer's,
  // whose conversion is the loss being measured); a node whose subtree has none is returned as it is.
  const isNative = (fn) => /\{\s*\[native code\]\s*\}\s*$/.test(Function.prototype.toString.call(fn));
  const ownToJSON = (v, key, seen) => {
    if (!v || typeof v !== 'object') return v;
    if (seen.has(v)) return seen.get(v);
    if (typeof v.toJSON === 'function' && !isNative(v.toJSON) && !Buffer.isBuffer(v)) {
      const r = v.toJSON(key);
      seen.set(v, r);
      if (!r || typeof r !== 'object') return r;
      v = r;
    }
    seen.set(v, v);
    let out = v;
    for (const k of Object.keys(v)) {
      const c = ownToJSON(v[k], k, seen);
      if (c === v[k]) continue;
      if (out === v) out = Array.isArray(v) ? v.slice() : Object.assign(Object.create(Object.getPrototypeOf(v)), v);
      out[k] = c;
    }
    return out;
  };
  const describeLoss = (value, serializer) => {
    let copy;
    try {
      copy = serializer === 'json' ? JSON.parse(JSON.stringify(value) ?? 'null') : structuredClone(value);
    } catch {
      return undefined; // the real call decides (it may need a transfer list the copy lacks)
    }
    // JSON sends what a program's own toJSON() returns: that form arriving is what the code meant.
    if (util.isDeepStrictEqual(serializer === 'json' ? ownToJSON(value, '', new Map()) : value, copy)) return undefined;
    return `${util.inspect(value, { depth: 2, breakLength: Infinity }).slice(0, 160)} arrived as ${util.inspect(copy, { depth: 2, breakLength: Infinity }).slice(0, 160)}`;
  };
  // The ArrayBuffers a transfer argument lists (an array, any iterable, or `{ transfer }`), with their sizes before the send.
  const listedBuffers = (transfer) => {
    const list = transfer && !Array.isArray(transfer) && typeof transfer === 'object' && 'transfer' in transfer ? transfer.transfer : transfer;
    if (!list || typeof list[Symbol.iterator] !== 'function') return [];
    try {
      return [...list].filter((t) => t instanceof ArrayBuffer && t.byteLength > 0).map((t) => [t, t.byteLength]);
    } catch {
      return [];
    }
  };
  const copiedOf = (listed) => listed.filter(([t]) => t.byteLength > 0).map(([, n]) => `an ArrayBuffer of ${n} bytes in the transfer list is still attached after the send`);
  // Own getters of sent plain objects arrive as data frozen at the send: when reading the getter
  // again at exit gives another value, the other side was left with a stale one (`loss`).
  const liveAccessors = [];
  const collectAccessors = (api, v, where, depthLeft, seen) => {
    if (!v || typeof v !== 'object' || depthLeft < 0 || seen.has(v)) return;
    seen.add(v);
    for (const key of Object.keys(v)) {
      const d = Object.getOwnPropertyDescriptor(v, key);
      const at = `${where}.${key}`;
      if (d && d.get) {
        try {
          liveAccessors.push({ api, obj: v, key, at, sent: d.get.call(v) });
        } catch {}
      } else if (d) collectAccessors(api, d.value, at, depthLeft - 1, seen);
    }
  };
  process.on('exit', () => {
    for (const a of liveAccessors) {
      let now;
      try {
        now = a.obj[a.key];
      } catch {
        continue;
      }
      if (!util.isDeepStrictEqual(now, a.sent)) record({ api: a.api, outcome: 'loss', loss: `getter ${a.at.slice(1)} was sent as ${util.inspect(a.sent)} and now reads ${util.inspect(now)}` });
    }
  });
  let depth = 0;
  let sends = 0;
  const observe = (api, serializer, value, send, transfer) => {
    if (depth > 0) return send();
    depth++;
    const loss = describeLoss(value, serializer);
    const listed = listedBuffers(transfer);
    // Recorded before the send and amended after it (same id; the reader keeps the last line): a
    // receiver that terminates this worker as the message arrives can end the thread before the
    // line after send() would be written, and the send would go unrecorded.
    const id = `${process.pid}:${wt.threadId}:${++sends}`;
    const outcome = { id, api, outcome: loss ? 'loss' : 'ok', loss };
    record(outcome);
    try {
      const result = send();
      const copied = copiedOf(listed);
      if (copied.length) record({ ...outcome, copied });
      if (!loss) collectAccessors(api, value, '', 6, new Set());
      return result;
    } catch (e) {
      record({ id, api, outcome: 'threw', error: `${e && e.name}: ${e && e.message}`.slice(0, 200) });
      throw e;
    } finally {
      depth--;
    }
  };
  const wrap = (proto, method, api, serializerOf) => {
    const original = proto && proto[method];
    if (typeof original !== 'function') return;
    proto[method] = function (value, ...rest) {
      // Node's own plumbing (worker stdio, ready signals) also posts on ports: not a fixture's send.
      const caller = (new Error().stack || '').split('\n')[2] || '';
      if (caller.includes('node:internal')) return original.call(this, value, ...rest);
      return observe(api, serializerOf(this), value, () => original.call(this, value, ...rest), rest[0]);
    };
  };
  // A message that cannot be deserialized on arrival (Node 20 accepts a detached buffer in a transfer list) never arrives.
  const lostMessage = (e) => record({ api: 'receive', outcome: 'loss', loss: `messageerror: ${e && e.message}` });
  if (wt.parentPort) wt.parentPort.on('messageerror', lostMessage);
  process.on('uncaughtExceptionMonitor', (e) => {
    if (e instanceof TypeError && /detached/.test(e.message)) record({ api: 'program', outcome: 'threw', error: `${e.name}: ${e.message}`.slice(0, 200) });
  });
  wrap(wt.MessagePort.prototype, 'postMessage', 'MessagePort.postMessage', () => 'clone');
  wrap(wt.Worker.prototype, 'postMessage', 'Worker.postMessage', () => 'clone');
  wrap(wt.BroadcastChannel.prototype, 'postMessage', 'BroadcastChannel.postMessage', () => 'clone');
  const originalClone = globalThis.structuredClone;
  globalThis.structuredClone = function structuredClone(value, options) {
    return observe('structuredClone', 'clone', value, () => originalClone(value, options), options);
  };
  const OriginalWorker = wt.Worker;
  class Worker extends OriginalWorker {
    constructor(file, options) {
      if (options && 'workerData' in options) observe('new Worker', 'clone', options.workerData, () => super(file, options), options.transferList);
      else super(file, options);
      this.on('messageerror', lostMessage);
    }
  }
  wt.Worker = Worker;
  const cp = require('node:child_process');
  // fork, and spawn with an 'ipc' stdio slot: both give the child a `send` over the IPC channel.
  const observeChild = (original) =>
    function (modulePath, args, options) {
      const opts = Array.isArray(args) ? options : args;
      const child = original.apply(this, arguments);
      const serializer = (opts && opts.serialization) === 'advanced' ? 'clone' : 'json';
      // `send` is an own method set up with the IPC channel, not a prototype method.
      const send = child.send;
      if (typeof send === 'function') {
        child.send = function (value, ...rest) {
          return observe('ChildProcess.send', serializer, value, () => send.call(this, value, ...rest));
        };
      }
      return child;
    };
  cp.fork = observeChild(cp.fork);
  cp.spawn = observeChild(cp.spawn);
  if (typeof process.send === 'function') {
    const mode = process.env.NODE_CHANNEL_SERIALIZATION_MODE === 'advanced' ? 'clone' : 'json';
    const originalSend = process.send;
    process.send = function send(value, ...rest) {
      return observe('process.send', mode, value, () => originalSend.call(this, value, ...rest));
    };
  }
  // v8.serialize runs the serializer structured clone and `serialization: 'advanced'` IPC use.
  const v8 = require('node:v8');
  const originalSerialize = v8.serialize;
  v8.serialize = function serialize(value) {
    return observe('v8.serialize', 'clone', value, () => originalSerialize.call(this, value));
  };
  // workerpool sends a function given to exec() as its source text and rebuilds it in the worker:
  // a variable it closed over is not defined there, and the task rejects with that ReferenceError
  // (the boundary's verdict, arriving as the task's result). Loaded from the program's folder, so
  // that its own `import workerpool` gets the wrapped module from Node's cache.
  if (where === 'main') {
    let workerpool;
    try {
      workerpool = require(require.resolve('workerpool', { paths: [process.cwd()] }));
    } catch {}
    if (workerpool && typeof workerpool.pool === 'function') {
      const pool = workerpool.pool;
      workerpool.pool = function (...args) {
        const p = pool.apply(this, args);
        const exec = p.exec;
        p.exec = function (method, ...rest) {
          const task = exec.call(this, method, ...rest);
          if (typeof method === 'function' && task && typeof task.catch === 'function') {
            task.catch((e) => {
              if (e && (e.name === 'ReferenceError' || /is not defined/.test(String(e.message)))) record({ api: 'workerpool.exec', outcome: 'threw', error: `${e.name}: ${e.message}`.slice(0, 200) });
            });
          }
          return task;
        };
        return p;
      };
    }
  }
  require('node:module').syncBuiltinESMExports();
  globalThis.__sendcheckOracle = { observe, record, clone: originalClone };
  // Electron cannot run here: its modules resolve to the oracle's model of Electron's IPC.
  if (process.env.SENDCHECK_ORACLE_ELECTRON) {
    const Module = require('node:module');
    const stub = require('node:path').join(__dirname, 'electron-stub.cjs');
    const isElectron = (s) => /^electron(\/(main|renderer|common|utility))?$/.test(s);
    const resolve = Module._resolveFilename;
    Module._resolveFilename = function (request, ...rest) {
      return isElectron(request) ? stub : resolve.call(this, request, ...rest);
    };
    const hooks = `export async function resolve(s, c, next) { return (${isElectron.toString()})(s) ? { url: ${JSON.stringify(require('node:url').pathToFileURL(stub).href)}, format: 'commonjs', shortCircuit: true } : next(s, c); }`;
    Module.register(`data:text/javascript,${encodeURIComponent(hooks)}`);
  }
}
