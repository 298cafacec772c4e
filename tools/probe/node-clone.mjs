// Which of Node's built-in objects survive structured clone, v8.serialize (advanced IPC) and
// JSON, asked of Node itself. Developer tool: run it under each Node major and commit the output
// (the product never runs it; the JS rules read server/generated/node-clone.json).
//
//   node tools/probe/node-clone.mjs --out data/node-clone/24.json   (serializers: clone = the global
//   structuredClone, port = a worker_threads port's postMessage, v8 = v8.serialize as advanced IPC)
//   (other majors: node test/js/setup-node.mjs 20 22 24 prints their binaries)
//
// Values come from recipes (objects that need arguments or a factory: crypto.createHash, a dns
// Resolver, console, a module namespace) and from calling every exported class of every built-in
// module, and every constructor among the globals, with no arguments. Each value gets, per
// serializer: "throws: <the runtime's words>", "clones" (same prototype on the other side),
// "plain" (arrives as a plain object with some own data), "empty" (arrives as `{}`), or for JSON
// "drops" (JSON.stringify gives undefined).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createRequire, builtinModules } from 'node:module';
import * as v8 from 'node:v8';
import { MessageChannel as PortChannel, receiveMessageOnPort } from 'node:worker_threads';

const require = createRequire(import.meta.url);
// Starting these reads stdin, opens a REPL or inspector port, or is deprecated noise.
const SKIP_MODULES = /^(repl|inspector|inspector\/promises|sys|punycode|test|test\/reporters|node:|_|wasi|trace_events|sqlite|sea)/;
const NO_BLIND_CALL = new Set(['worker_threads.Worker', 'cluster.Worker', 'child_process.ChildProcess', 'readline.Interface', 'readline/promises.Interface', 'http2.Http2ServerRequest']);

function normalise(text) {
  // A function's source in "… could not be cloned" is cut to its first line.
  const t = String(text).replace(/0x[0-9a-f]+/gi, '0x…');
  const lines = t.split('\n');
  const cut = lines.length > 1 ? `${lines[0]} … ${lines[lines.length - 1].replace(/^.*\}\s*/, '')}` : t;
  return cut.slice(0, 240);
}

function words(e) {
  return `${e?.name ?? 'Error'}: ${normalise(e?.message ?? e)}`;
}

function shape(original, copy) {
  if (copy === null || typeof copy !== 'object') return typeof copy === typeof original ? 'clones' : 'plain';
  // Node rebuilds its own transferable objects from an internal subclass (InternalSocketAddress).
  const ctor = Object.getPrototypeOf(original)?.constructor;
  if (Object.getPrototypeOf(copy) === Object.getPrototypeOf(original) || (typeof ctor === 'function' && ctor !== Object && copy instanceof ctor)) return 'clones';
  return Object.keys(copy).length ? 'plain' : 'empty';
}

function trial(value) {
  const out = {};
  try {
    out.clone = shape(value, structuredClone(value));
  } catch (e) {
    out.clone = `throws: ${words(e)}`;
  }
  // What a worker's port does (postMessage to a Worker, parentPort): Node's own objects that are
  // JS-transferable (SocketAddress, BlockList, X509Certificate...) clone here even when the global
  // structuredClone copies them to {}.
  const { port1, port2 } = new PortChannel();
  try {
    port1.postMessage(value);
    out.port = shape(value, receiveMessageOnPort(port2)?.message);
  } catch (e) {
    out.port = `throws: ${words(e)}`;
  } finally {
    port1.close();
  }
  try {
    out.v8 = shape(value, v8.deserialize(v8.serialize(value)));
  } catch (e) {
    out.v8 = `throws: ${words(e)}`;
  }
  try {
    const s = JSON.stringify(value);
    out.json = s === undefined ? 'drops' : s === '{}' ? 'empty' : 'plain';
  } catch (e) {
    out.json = `throws: ${words(e)}`;
  }
  return out;
}

const keep = [];
const recipes = {
  'crypto.Hash': () => require('node:crypto').createHash('sha256'),
  'crypto.Hash (updated)': () => require('node:crypto').createHash('sha256').update('x'),
  'crypto.Hmac': () => require('node:crypto').createHmac('sha256', 'k'),
  'crypto.Sign': () => require('node:crypto').createSign('sha256'),
  'crypto.Verify': () => require('node:crypto').createVerify('sha256'),
  'crypto.Cipheriv': () => require('node:crypto').createCipheriv('aes-128-cbc', Buffer.alloc(16), Buffer.alloc(16)),
  'crypto.KeyObject': () => require('node:crypto').createSecretKey(Buffer.alloc(16)),
  'crypto.X509Certificate': undefined,
  'crypto.webcrypto.CryptoKey': undefined,
  'crypto.DiffieHellman': () => require('node:crypto').createECDH('prime256v1'),
  'dns.Resolver': () => new (require('node:dns').Resolver)(),
  'dns/promises.Resolver': () => new (require('node:dns/promises').Resolver)(),
  'console': () => console,
  'console.Console': () => new (require('node:console').Console)(process.stdout),
  'net.BlockList': () => {
    const b = new (require('node:net').BlockList)();
    b.addAddress('10.0.0.1');
    return b;
  },
  'net.SocketAddress': () => new (require('node:net').SocketAddress)({ address: '127.0.0.1', port: 80 }),
  'net.Socket': () => keep[keep.push(new (require('node:net').Socket)()) - 1],
  'net.Server': () => new (require('node:net').Server)(),
  'module namespace (node:fs)': () => require('node:fs'),
  'process': () => process,
  'process.env': () => process.env,
  'Buffer': () => Buffer.from('ab'),
  'URL': () => new URL('http://a/'),
  'URLSearchParams': () => new URLSearchParams('a=1'),
  'Headers': () => new Headers({ a: '1' }),
  'Request': () => new Request('http://a/'),
  'Response': () => new Response('x'),
  'FormData': () => new FormData(),
  'Blob': () => new Blob(['x']),
  'File': () => new File(['x'], 'a.txt', { lastModified: 0 }),
  'AbortController': () => new AbortController(),
  'AbortSignal': () => new AbortController().signal,
  'Event': () => new Event('x'),
  'EventTarget': () => new EventTarget(),
  'MessageChannel': () => new MessageChannel(),
  'MessagePort': () => {
    const c = new MessageChannel();
    keep.push(c);
    return c.port1;
  },
  'TextEncoder': () => new TextEncoder(),
  'TextDecoder': () => new TextDecoder(),
  'ReadableStream': () => new ReadableStream(),
  'DOMException': () => new DOMException('x', 'DataCloneError'),
  'fs.Stats': () => fs.statSync('.'),
  'fs.Dirent': () => fs.readdirSync('.', { withFileTypes: true })[0],
  'fs.Dir': () => keep[keep.push(fs.opendirSync('.')) - 1],
  'fs/promises.FileHandle': undefined,
  'stream.Readable': () => new (require('node:stream').Readable)(),
  'events.EventEmitter': () => new (require('node:events'))(),
  'http.Agent': () => new (require('node:http').Agent)(),
  'timers.Timeout': () => {
    const t = setTimeout(() => {}, 1);
    clearTimeout(t);
    return t;
  },
  'vm.Script': () => new (require('node:vm').Script)('1'),
  // Native handles; node:sqlite exists from Node 22.5 (behind a flag before 22.13), so older majors skip these.
  'sqlite.DatabaseSync': () => keep[keep.push(new (require('node:sqlite').DatabaseSync)(':memory:')) - 1],
  'sqlite.StatementSync': () => keep[keep.push(new (require('node:sqlite').DatabaseSync)(':memory:').prepare('SELECT 1')) - 1],
  'zlib.Gzip': () => require('node:zlib').createGzip(),
  'perf_hooks.Histogram': () => require('node:perf_hooks').createHistogram(),
  'async_hooks.AsyncLocalStorage': () => new (require('node:async_hooks').AsyncLocalStorage)(),
  'util.TextEncoder': () => new (require('node:util').TextEncoder)(),
  'string_decoder.StringDecoder': () => new (require('node:string_decoder').StringDecoder)(),
  'worker_threads.BroadcastChannel': () => {
    const b = new (require('node:worker_threads').BroadcastChannel)('probe');
    keep.push(b);
    return b;
  },
  'Error': () => new Error('x'),
  'Date': () => new Date(0),
  'RegExp': () => /a/g,
  'Map': () => new Map([[1, 2]]),
  'Promise': () => Promise.resolve(1),
  'WeakMap': () => new WeakMap(),
  'Symbol': () => Symbol('x'),
  'function': () => () => 1,
  'BigInt': () => 1n,
  'SharedArrayBuffer': () => new SharedArrayBuffer(8),
};

const table = {};
function record(key, how, make) {
  if (table[key]) return;
  let value;
  try {
    value = make();
  } catch {
    return;
  }
  const ctor = value !== null && typeof value === 'object' ? Object.getPrototypeOf(value)?.constructor?.name : typeof value;
  table[key] = { how, type: ctor ?? null, ...trial(value) };
}

for (const [key, make] of Object.entries(recipes)) if (make) record(key, 'recipe', make);

let classes = 0;
for (const mod of builtinModules.filter((m) => !SKIP_MODULES.test(m)).sort()) {
  let exports;
  try {
    exports = require(`node:${mod}`);
  } catch {
    continue;
  }
  for (const name of Object.keys(exports).sort()) {
    let C;
    try {
      C = exports[name];
    } catch {
      continue;
    }
    if (typeof C !== 'function' || !/^[A-Z]/.test(name) || !C.prototype) continue;
    classes++;
    const key = `${mod}.${name}`;
    if (table[key] || NO_BLIND_CALL.has(key)) {
      table[key] ??= { how: 'undecided' };
      continue;
    }
    record(key, 'no-arg call', () => new C());
    table[key] ??= { how: 'undecided' };
  }
}
for (const name of Object.getOwnPropertyNames(globalThis).sort()) {
  let C;
  try {
    C = globalThis[name];
  } catch {
    continue;
  }
  if (typeof C !== 'function' || !/^[A-Z]/.test(name) || !C.prototype || /Error$|Array$|^(Function|Object|Boolean|Number|String|Symbol|Proxy|Reflect|WebAssembly|Atomics|Intl|JSON|Math)$/.test(name)) continue;
  classes++;
  const key = name;
  if (table[key]) continue;
  record(key, 'no-arg call', () => new C());
  table[key] ??= { how: 'undecided' };
}

const major = process.versions.node.split('.')[0];
const counts = {};
for (const e of Object.values(table)) counts[e.how] = (counts[e.how] ?? 0) + 1;
const result = {
  node: process.versions.node,
  regenerate: `node${major} tools/probe/node-clone.mjs --out data/node-clone/${major}.json`,
  counts,
  values: Object.fromEntries(Object.entries(table).sort(([a], [b]) => a.localeCompare(b))),
};
const outArg = process.argv.indexOf('--out');
const text = JSON.stringify(result, null, 1) + '\n';
if (outArg > 0) {
  fs.mkdirSync(path.dirname(path.resolve(process.argv[outArg + 1])), { recursive: true });
  fs.writeFileSync(path.resolve(process.argv[outArg + 1]), text);
} else process.stdout.write(text);
process.exit(0);
