// The browser twin of oracle-hook.cjs: preloaded into the page before a Chromium fixture runs. It
// wraps each real boundary of the page (Worker, MessagePort, BroadcastChannel and window
// postMessage, structuredClone) and pushes one record per send onto `__sendcheckOracle`: did the
// browser throw; if not, did the value arrive changed (judged on a structuredClone copy: same
// prototypes, own keys, accessors and contents), and is an ArrayBuffer listed for transfer still
// attached afterwards (copied, not moved)?
(() => {
  const records = (globalThis.__sendcheckOracle = []);
  const clone = globalThis.structuredClone;
  const sameShape = (a, b, seen) => {
    if (Object.is(a, b)) return true;
    if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return typeof a === 'function' ? false : Object.is(a, b);
    if (seen.has(a)) return true;
    seen.add(a);
    if (Object.getPrototypeOf(a) !== Object.getPrototypeOf(b)) return false;
    if (ArrayBuffer.isView(a)) return a.byteLength === b.byteLength && new Uint8Array(a.buffer, a.byteOffset, a.byteLength).every((x, i) => x === new Uint8Array(b.buffer, b.byteOffset, b.byteLength)[i]);
    if (a instanceof ArrayBuffer) return a.byteLength === b.byteLength;
    if (a instanceof Date) return a.getTime() === b.getTime();
    if (a instanceof Map || a instanceof Set) return a.size === b.size && sameShape([...a], [...b], seen);
    const da = Object.getOwnPropertyDescriptors(a);
    const db = Object.getOwnPropertyDescriptors(b);
    const ka = Reflect.ownKeys(da);
    if (ka.length !== Reflect.ownKeys(db).length) return false;
    return ka.every((k) => k in db && ('get' in da[k]) === ('get' in db[k]) && ('value' in da[k] ? sameShape(da[k].value, db[k].value, seen) : true));
  };
  const describeLoss = (value) => {
    let copy;
    try {
      copy = clone(value);
    } catch {
      return undefined; // the real call decides (it may need a transfer list the copy lacks)
    }
    return sameShape(value, copy, new Set()) ? undefined : `${Object.prototype.toString.call(value)} arrived changed`;
  };
  const listedBuffers = (transfer) => {
    const list = transfer && !Array.isArray(transfer) && typeof transfer === 'object' && 'transfer' in transfer ? transfer.transfer : transfer;
    if (!list || typeof list[Symbol.iterator] !== 'function') return [];
    return [...list].filter((t) => t instanceof ArrayBuffer && t.byteLength > 0).map((t) => [t, t.byteLength]);
  };
  let depth = 0;
  const observe = (api, value, transfer, send) => {
    if (depth > 0) return send();
    depth++;
    const loss = describeLoss(value);
    let listed = [];
    try {
      listed = listedBuffers(transfer);
    } catch {
      listed = [];
    }
    try {
      const result = send();
      const copied = listed.filter(([t]) => t.byteLength > 0).map(([, n]) => `an ArrayBuffer of ${n} bytes in the transfer list is still attached after the send`);
      records.push({ where: 'page', api, outcome: loss ? 'loss' : 'ok', loss, ...(copied.length ? { copied } : {}) });
      return result;
    } catch (e) {
      records.push({ where: 'page', api, outcome: 'threw', error: `${e && e.name}: ${e && e.message}`.slice(0, 200) });
      throw e;
    } finally {
      depth--;
    }
  };
  const wrap = (proto, api, transferAt) => {
    const original = proto && proto.postMessage;
    if (typeof original !== 'function') return;
    proto.postMessage = function (value, ...rest) {
      return observe(api, value, rest[transferAt], () => original.call(this, value, ...rest));
    };
  };
  wrap(globalThis.Worker && Worker.prototype, 'Worker.postMessage', 0);
  wrap(globalThis.MessagePort && MessagePort.prototype, 'MessagePort.postMessage', 0);
  wrap(globalThis.BroadcastChannel && BroadcastChannel.prototype, 'BroadcastChannel.postMessage', 0);
  const windowPost = window.postMessage;
  window.postMessage = function (value, ...rest) {
    const transfer = typeof rest[0] === 'string' ? rest[1] : rest[0];
    return observe('window.postMessage', value, transfer, () => windowPost.call(this, value, ...rest));
  };
  globalThis.structuredClone = function structuredClone(value, options) {
    return observe('structuredClone', value, options, () => clone(value, options));
  };
})();
