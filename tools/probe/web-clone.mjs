// Which Web platform objects survive structured clone, a Worker's postMessage and IndexedDB, asked
// of headless Chromium itself. Developer tool: run it and commit the output (the product never runs
// it; the JS rules read server/generated/web-clone.json, merged by tools/gen/web-clone.mjs).
//
//   node tools/probe/web-clone.mjs --out data/web-clone/chromium-150.json   (the major Chromium has)
//   (Debian's /usr/bin/chromium through playwright-core, as test/harness/chromium.ts launches it;
//   CHROMIUM=/path/to/chrome to use another)
//
// Every interface exposed on `window` is tried: from a recipe when one is needed (elements from
// document.createElement for every HTML tag, CryptoKey from crypto.subtle, a FileSystemFileHandle
// from the origin-private file system, OfflineAudioContext nodes, objects reachable from window,
// navigator, document and performance...), else by calling its constructor with no argument, a
// type string, or an audio context. Each value gets, per way of sending it:
//   clone   structuredClone(value)
//   worker  worker.postMessage(value) to a dedicated Worker, which reports what arrived
//   idb     IDBObjectStore.put(value) and a read back in a new transaction
// a verdict: "clones" (same interface on the other side), "plain" (a plain object with some own
// data), "empty" (`{}`), "transfer" (refused unless it is in the transfer list, then it moves),
// "becomes X" (arrives as another interface: AggregateError as Error), "messageerror" (serialized, but the worker could not deserialize it), or "throws: <Chromium's
// words>". An interface nothing here can make is "undecided".
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';
import { execFileSync } from 'node:child_process';

const executablePath = [process.env.CHROMIUM, '/usr/bin/chromium'].find((p) => p && fs.existsSync(p));
if (!executablePath) {
  console.error('Chromium not found (apt-get install -y chromium, or set CHROMIUM)');
  process.exit(2);
}
// Same flags as the test harness: without the background-networking ones Chromium dials out.
const flags = ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'];

const workerSource = `
const describe = (v) => {
  if (v === null || (typeof v !== 'object' && typeof v !== 'function')) return { primitive: typeof v };
  const proto = Object.getPrototypeOf(v);
  return { ctor: proto && proto.constructor ? proto.constructor.name : null, keys: Object.keys(v).length };
};
onmessage = (e) => postMessage(describe(e.data.value));
onmessageerror = () => postMessage({ messageerror: true });
`;
const page = '<!doctype html>\n<meta charset="utf-8">\n<title>web-clone probe</title>\n<body></body>\n';

const server = http.createServer((req, res) => {
  if (req.url === '/worker.js') res.writeHead(200, { 'content-type': 'text/javascript' }).end(workerSource);
  else if (req.url === '/' || req.url === '/index.html') res.writeHead(200, { 'content-type': 'text/html' }).end(page);
  else res.writeHead(404).end();
});
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const url = `http://127.0.0.1:${server.address().port}/`;

// Runs in the page: everything below is serialized by playwright, so it must be self-contained.
async function inPage() {
  const norm = (text) => {
    const t = String(text).replace(/0x[0-9a-f]+/gi, '0x…');
    const lines = t.split('\n');
    return (lines.length > 1 ? `${lines[0]} … ${lines[lines.length - 1]}` : t).slice(0, 240);
  };
  const words = (e) => `${e?.name ?? 'Error'}: ${norm(e?.message ?? e)}`;
  const ctorOf = (v) => {
    if (v === null || (typeof v !== 'object' && typeof v !== 'function')) return null;
    const p = Object.getPrototypeOf(v);
    return p && p.constructor && typeof p.constructor.name === 'string' ? p.constructor.name : null;
  };
  const local = (original, copy) => {
    if (copy === null || typeof copy !== 'object') return typeof copy === typeof original ? 'clones' : 'plain';
    if (Object.getPrototypeOf(copy) === Object.getPrototypeOf(original)) return 'clones';
    if (Object.getPrototypeOf(copy) !== Object.prototype && ctorOf(copy)) return `becomes ${ctorOf(copy)}`;
    return Object.keys(copy).length ? 'plain' : 'empty';
  };
  const remote = (original, seen) => {
    if (seen.primitive) return seen.primitive === typeof original ? 'clones' : 'plain';
    if (seen.ctor && seen.ctor === ctorOf(original)) return 'clones';
    if (seen.ctor && seen.ctor !== 'Object') return `becomes ${seen.ctor}`;
    return seen.keys ? 'plain' : 'empty';
  };

  const worker = new Worker('/worker.js');
  const ask = (value, transfer) =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => resolve({ timeout: true }), 3000);
      worker.onmessage = (e) => {
        clearTimeout(timer);
        resolve(e.data);
      };
      try {
        worker.postMessage({ value }, transfer ?? []);
      } catch (e) {
        clearTimeout(timer);
        reject(e);
      }
    });
  await ask(1);

  const db = await new Promise((resolve, reject) => {
    const r = indexedDB.open(`web-clone-${Date.now()}`, 1);
    r.onupgradeneeded = () => {
      const s = r.result.createObjectStore('v');
      s.createIndex('a', 'a');
      s.put({ a: 1 }, 0);
    };
    r.onsuccess = () => resolve(r.result);
    r.onerror = () => reject(r.error);
  });
  let key = 0;
  const store = async (value) => {
    const k = ++key;
    await new Promise((resolve, reject) => {
      const tx = db.transaction('v', 'readwrite');
      tx.objectStore('v').put(value, k);
      tx.oncomplete = resolve;
      tx.onerror = () => reject(tx.error);
      tx.onabort = () => reject(tx.error);
    });
    return new Promise((resolve, reject) => {
      const r = db.transaction('v').objectStore('v').get(k);
      r.onsuccess = () => resolve(r.result);
      r.onerror = () => reject(r.error);
    });
  };

  // A failure on a transferable object may only mean "put it in the transfer list": check that it then moves.
  async function trial(makeBoxed) {
    const make = makeBoxed;
    const out = {};
    try {
      out.clone = local(...(await (async (v) => [v, structuredClone(v)])(unbox(await make()))));
    } catch (e) {
      try {
        const v = unbox(await make());
        structuredClone(v, { transfer: [v] });
        out.clone = 'transfer';
      } catch {
        out.clone = `throws: ${words(e)}`;
      }
    }
    try {
      const v = unbox(await make());
      const seen = await ask(v);
      out.worker = seen.timeout ? 'timeout' : seen.messageerror ? 'messageerror' : remote(v, seen);
    } catch (e) {
      try {
        const v = unbox(await make());
        const seen = await ask(v, [v]);
        out.worker = seen.messageerror ? 'messageerror' : 'transfer';
      } catch {
        out.worker = `throws: ${words(e)}`;
      }
    }
    try {
      const v = unbox(await make());
      out.idb = local(v, await store(v));
    } catch (e) {
      out.idb = `throws: ${words(e)}`;
    }
    return out;
  }

  // `await make()` would unwrap a Promise: recipes for one return it boxed.
  const BOX = Symbol('box');
  const boxed = (v) => ({ [BOX]: v });
  const unbox = (v) => (v !== null && typeof v === 'object' && BOX in v ? v[BOX] : v);
  const extra_rules = [];
  const keep = [];
  const held = (v) => (keep.push(v), v);
  const audio = () => new OfflineAudioContext(1, 128, 44100);
  const canvas2d = () => new OffscreenCanvas(2, 2).getContext('2d');
  const el = (tag) => () => document.body.appendChild(document.createElement(tag));
  const svg = (tag) => () => document.createElementNS('http://www.w3.org/2000/svg', tag);
  const opfs = () => navigator.storage.getDirectory();
  const hmacKey = () => crypto.subtle.generateKey({ name: 'HMAC', hash: 'SHA-256' }, true, ['sign']);

  // Helpers of the issue-16 recipes. `within` bounds every wait (generously: a loaded CI machine must not turn a verdict into "undecided").
  const within = (p, ms = 10000) => Promise.race([p, new Promise((r) => setTimeout(() => r(undefined), ms))]);
  const observed = (Observer) => within(new Promise((resolve) => {
    const target = document.body.appendChild(document.createElement('div'));
    target.style.cssText = 'width: 10px; height: 10px';
    const o = new Observer((entries) => (o.disconnect(), resolve(entries[0])));
    o.observe(target);
  }));
  const sheet = (text, adopt) => {
    const s = new CSSStyleSheet();
    s.replaceSync(text);
    if (adopt) document.adoptedStyleSheets = [...document.adoptedStyleSheets, s];
    return s;
  };
  const worklet = async () => {
    const ctx = audio();
    const src = 'registerProcessor("probe-p", class extends AudioWorkletProcessor { static get parameterDescriptors() { return [{ name: "g" }]; } process() { return true; } });';
    await ctx.audioWorklet.addModule(URL.createObjectURL(new Blob([src], { type: 'text/javascript' })));
    return new AudioWorkletNode(ctx, 'probe-p');
  };
  const program = (g) => {
    const shader = (type, text) => {
      const s = g.createShader(type);
      g.shaderSource(s, text);
      g.compileShader(s);
      return s;
    };
    const p = g.createProgram();
    g.attachShader(p, shader(g.VERTEX_SHADER, 'attribute vec4 a; uniform vec4 u; void main() { gl_Position = a + u; }'));
    g.attachShader(p, shader(g.FRAGMENT_SHADER, 'void main() { gl_FragColor = vec4(1.0); }'));
    g.linkProgram(p);
    return g.getProgramParameter(p, g.LINK_STATUS) ? p : undefined;
  };
  const png = async () => {
    const c = new OffscreenCanvas(1, 1);
    c.getContext('2d').fillRect(0, 0, 1, 1);
    return (await c.convertToBlob({ type: 'image/png' })).arrayBuffer();
  };
  const navigated = (type) => within(new Promise((resolve) => {
    globalThis.navigation.addEventListener(type, (e) => resolve(e), { once: true });
    globalThis.navigation.navigate(`#probe-${Math.random().toString(36).slice(2)}`);
  }));
  const mediaSource = (use) => within(new Promise((resolve) => {
    const ms = new MediaSource();
    const v = held(document.createElement('video'));
    ms.addEventListener('sourceopen', () => resolve(use(ms)), { once: true });
    v.src = URL.createObjectURL(ms);
  }));

  const recipes = {
    WeakRef: () => new WeakRef(held({})),
    FinalizationRegistry: () => new FinalizationRegistry(() => {}),
    Promise: () => boxed(Promise.resolve(1)),
    Proxy: () => new Proxy({}, {}),
    Function: () => () => 1,
    Symbol: () => Symbol('x'),
    BigInt: () => 1n,
    Map: () => new Map([[1, 2]]),
    Set: () => new Set([1]),
    Date: () => new Date(0),
    RegExp: () => /a/g,
    SharedArrayBuffer: () => (globalThis.SharedArrayBuffer ? new SharedArrayBuffer(8) : undefined),
    ArrayBuffer: () => new ArrayBuffer(8),
    DataView: () => new DataView(new ArrayBuffer(8)),
    Blob: () => new Blob(['x']),
    File: () => new File(['x'], 'a.txt', { lastModified: 0 }),
    FileList: () => el('input')().files ?? Object.assign(document.createElement('input'), { type: 'file' }).files,
    ImageData: () => new ImageData(1, 1),
    ImageBitmap: () => createImageBitmap(new ImageData(1, 1)),
    OffscreenCanvas: () => new OffscreenCanvas(1, 1),
    OffscreenCanvasRenderingContext2D: canvas2d,
    CanvasRenderingContext2D: () => document.createElement('canvas').getContext('2d'),
    CanvasGradient: () => canvas2d().createLinearGradient(0, 0, 1, 1),
    CanvasPattern: () => canvas2d().createPattern(new OffscreenCanvas(1, 1), 'repeat'),
    TextMetrics: () => canvas2d().measureText('x'),
    ImageBitmapRenderingContext: () => document.createElement('canvas').getContext('bitmaprenderer'),
    WebGLRenderingContext: () => document.createElement('canvas').getContext('webgl') ?? undefined,
    WebGL2RenderingContext: () => document.createElement('canvas').getContext('webgl2') ?? undefined,
    Path2D: () => new Path2D('M0 0L1 1'),
    DOMMatrix: () => new DOMMatrix([1, 0, 0, 1, 2, 3]),
    DOMMatrixReadOnly: () => new DOMMatrixReadOnly(),
    DOMPoint: () => new DOMPoint(1, 2),
    DOMRect: () => new DOMRect(0, 0, 1, 1),
    DOMQuad: () => new DOMQuad(),
    DOMRectList: () => document.body.getClientRects(),
    DOMException: () => new DOMException('x', 'DataCloneError'),
    DOMParser: () => new DOMParser(),
    XMLDocument: () => new DOMParser().parseFromString('<a/>', 'application/xml'),
    Document: () => document,
    HTMLDocument: () => document,
    Window: () => window,
    Location: () => location,
    History: () => history,
    Navigator: () => navigator,
    Screen: () => screen,
    Storage: () => localStorage,
    Crypto: () => crypto,
    SubtleCrypto: () => crypto.subtle,
    CryptoKey: hmacKey,
    Performance: () => performance,
    PerformanceMark: () => performance.mark('probe'),
    PerformanceMeasure: () => performance.measure('probe'),
    PerformanceNavigationTiming: () => performance.getEntriesByType('navigation')[0],
    PerformanceResourceTiming: () => performance.getEntriesByType('resource')[0],
    PerformanceObserver: () => new PerformanceObserver(() => {}),
    PerformanceObserverEntryList: undefined,
    MutationObserver: () => new MutationObserver(() => {}),
    IntersectionObserver: () => new IntersectionObserver(() => {}),
    ResizeObserver: () => new ResizeObserver(() => {}),
    ReportingObserver: () => new ReportingObserver(() => {}),
    Text: () => document.createTextNode('x'),
    Comment: () => document.createComment('x'),
    DocumentFragment: () => document.createDocumentFragment(),
    Attr: () => document.createAttribute('a'),
    CDATASection: () => new DOMParser().parseFromString('<a/>', 'application/xml').createCDATASection('x'),
    ProcessingInstruction: () => new DOMParser().parseFromString('<a/>', 'application/xml').createProcessingInstruction('x', 'y'),
    DocumentType: () => document.implementation.createDocumentType('html', '', ''),
    DOMImplementation: () => document.implementation,
    Range: () => document.createRange(),
    StaticRange: () => new StaticRange({ startContainer: document.body, startOffset: 0, endContainer: document.body, endOffset: 0 }),
    Selection: () => getSelection(),
    TreeWalker: () => document.createTreeWalker(document.body),
    NodeIterator: () => document.createNodeIterator(document.body),
    NodeList: () => document.body.childNodes,
    HTMLCollection: () => document.body.children,
    HTMLAllCollection: () => document.all,
    HTMLFormControlsCollection: () => document.createElement('form').elements,
    HTMLOptionsCollection: () => document.createElement('select').options,
    NamedNodeMap: () => document.body.attributes,
    DOMTokenList: () => document.body.classList,
    DOMStringMap: () => document.body.dataset,
    CSSStyleDeclaration: () => document.body.style,
    CSSStyleSheet: () => new CSSStyleSheet(),
    CSSStyleRule: () => {
      const s = new CSSStyleSheet();
      s.insertRule('a { color: red }');
      return s.cssRules[0];
    },
    CSSRuleList: () => new CSSStyleSheet().cssRules,
    StyleSheetList: () => document.styleSheets,
    MediaList: () => new CSSStyleSheet().media,
    MediaQueryList: () => matchMedia('(min-width: 1px)'),
    StylePropertyMapReadOnly: () => document.body.computedStyleMap(),
    StylePropertyMap: () => document.body.attributeStyleMap,
    CSSUnitValue: () => CSS.px(1),
    CSSKeywordValue: () => new CSSKeywordValue('auto'),
    FontFace: () => new FontFace('probe', 'local(Arial)'),
    FontFaceSet: () => document.fonts,
    Image: undefined,
    Audio: undefined,
    Option: undefined,
    ValidityState: () => document.createElement('input').validity,
    ElementInternals: undefined,
    CustomElementRegistry: () => customElements,
    ShadowRoot: () => document.createElement('div').attachShadow({ mode: 'open' }),
    FormData: () => {
      const f = new FormData();
      f.append('a', '1');
      return f;
    },
    Headers: () => new Headers({ a: '1' }),
    Request: () => new Request('http://127.0.0.1/'),
    Response: () => new Response('x'),
    URL: () => new URL('http://a/'),
    URLSearchParams: () => new URLSearchParams('a=1'),
    URLPattern: () => new URLPattern({ pathname: '/a' }),
    AbortController: () => new AbortController(),
    AbortSignal: () => new AbortController().signal,
    Event: () => new Event('x'),
    CustomEvent: () => new CustomEvent('x', { detail: 1 }),
    MessageEvent: () => new MessageEvent('message', { data: 1 }),
    EventTarget: () => new EventTarget(),
    MessageChannel: () => new MessageChannel(),
    MessagePort: () => held(new MessageChannel()).port1,
    BroadcastChannel: () => held(new BroadcastChannel('probe')),
    Worker: () => held(new Worker(URL.createObjectURL(new Blob([''], { type: 'text/javascript' })))),
    SharedWorker: () => held(new SharedWorker(URL.createObjectURL(new Blob([''], { type: 'text/javascript' })))),
    ReadableStream: () => new ReadableStream(),
    WritableStream: () => new WritableStream(),
    TransformStream: () => new TransformStream(),
    ReadableStreamDefaultReader: () => new ReadableStream().getReader(),
    ReadableStreamBYOBReader: () => new ReadableStream({ type: 'bytes' }).getReader({ mode: 'byob' }),
    WritableStreamDefaultWriter: () => new WritableStream().getWriter(),
    TextEncoder: () => new TextEncoder(),
    TextDecoder: () => new TextDecoder(),
    TextEncoderStream: () => new TextEncoderStream(),
    TextDecoderStream: () => new TextDecoderStream(),
    CompressionStream: () => new CompressionStream('gzip'),
    DecompressionStream: () => new DecompressionStream('gzip'),
    FileReader: () => new FileReader(),
    DataTransfer: () => new DataTransfer(),
    DataTransferItemList: () => new DataTransfer().items,
    DataTransferItem: () => {
      const d = new DataTransfer();
      d.items.add('x', 'text/plain');
      return d.items[0];
    },
    ClipboardItem: () => new ClipboardItem({ 'text/plain': new Blob(['x'], { type: 'text/plain' }) }),
    XMLHttpRequest: () => new XMLHttpRequest(),
    XMLHttpRequestUpload: () => new XMLHttpRequest().upload,
    XMLSerializer: () => new XMLSerializer(),
    XPathEvaluator: () => new XPathEvaluator(),
    XPathExpression: () => document.createExpression('/html'),
    XPathResult: () => document.evaluate('/html', document),
    XSLTProcessor: () => new XSLTProcessor(),
    IDBFactory: () => indexedDB,
    IDBDatabase: () => db,
    IDBTransaction: () => db.transaction('v'),
    IDBObjectStore: () => db.transaction('v').objectStore('v'),
    IDBRequest: () => db.transaction('v').objectStore('v').get(1),
    IDBOpenDBRequest: () => indexedDB.open('probe-open'),
    IDBKeyRange: () => IDBKeyRange.only(1),
    Cache: () => caches.open('probe'),
    CacheStorage: () => caches,
    StorageManager: () => navigator.storage,
    FileSystemDirectoryHandle: opfs,
    FileSystemFileHandle: async () => (await opfs()).getFileHandle('probe.txt', { create: true }),
    FileSystemWritableFileStream: undefined,
    OfflineAudioContext: audio,
    AudioContext: () => held(new AudioContext()),
    AudioBuffer: () => audio().createBuffer(1, 1, 44100),
    AudioParam: () => audio().createGain().gain,
    AudioDestinationNode: () => audio().destination,
    AudioListener: () => audio().listener,
    PeriodicWave: () => new PeriodicWave(audio()),
    AudioData: () => new AudioData({ format: 'f32', sampleRate: 8000, numberOfFrames: 1, numberOfChannels: 1, timestamp: 0, data: new Float32Array(1) }),
    VideoFrame: () => {
      const c = new OffscreenCanvas(2, 2);
      c.getContext('2d').fillRect(0, 0, 1, 1);
      return new VideoFrame(c, { timestamp: 0 });
    },
    EncodedVideoChunk: () => new EncodedVideoChunk({ type: 'key', timestamp: 0, data: new Uint8Array(1) }),
    EncodedAudioChunk: () => new EncodedAudioChunk({ type: 'key', timestamp: 0, data: new Uint8Array(1) }),
    VideoColorSpace: () => new VideoColorSpace(),
    MediaStream: () => new MediaStream(),
    MediaStreamTrack: () => {
      const c = document.createElement('canvas');
      c.getContext('2d');
      return held(c.captureStream()).getVideoTracks()[0];
    },
    CanvasCaptureMediaStreamTrack: undefined,
    MediaSource: () => new MediaSource(),
    RTCPeerConnection: () => held(new RTCPeerConnection()),
    RTCCertificate: () => RTCPeerConnection.generateCertificate({ name: 'ECDSA', namedCurve: 'P-256' }),
    RTCSessionDescription: () => new RTCSessionDescription({ type: 'offer', sdp: '' }),
    RTCIceCandidate: () => new RTCIceCandidate({ candidate: '', sdpMid: '0' }),
    RTCDataChannel: () => held(new RTCPeerConnection()).createDataChannel('x'),
    WebAssembly: undefined,
    Notification: undefined,
    EventSource: undefined,
    WebSocket: undefined,
    Intl: undefined,
    TrustedTypePolicyFactory: () => trustedTypes,
    TrustedHTML: () => trustedTypes.createPolicy('probe' + Math.random(), { createHTML: (s) => s }).createHTML('x'),
    Geolocation: () => navigator.geolocation,
    Clipboard: () => navigator.clipboard,
    MediaDevices: () => navigator.mediaDevices,
    Permissions: () => navigator.permissions,
    ServiceWorkerContainer: () => navigator.serviceWorker,
    VisualViewport: () => visualViewport,
    BarProp: () => locationbar,
    Scheduler: () => globalThis.scheduler,
    Navigation: () => globalThis.navigation,
    NavigationHistoryEntry: () => globalThis.navigation?.currentEntry,
    SpeechSynthesis: () => speechSynthesis,
    SpeechSynthesisUtterance: () => new SpeechSynthesisUtterance('x'),
    Iterator: () => [1].values(),
    ByteLengthQueuingStrategy: () => new ByteLengthQueuingStrategy({ highWaterMark: 1 }),
    CountQueuingStrategy: () => new CountQueuingStrategy({ highWaterMark: 1 }),
    ReadableStreamDefaultController: () => {
      let c;
      new ReadableStream({ start: (x) => void (c = x) });
      return c;
    },
    ReadableByteStreamController: () => {
      let c;
      new ReadableStream({ type: 'bytes', start: (x) => void (c = x) });
      return c;
    },
    WritableStreamDefaultController: () => {
      let c;
      new WritableStream({ start: (x) => void (c = x) });
      return c;
    },
    TransformStreamDefaultController: () => {
      let c;
      new TransformStream({ start: (x) => void (c = x) });
      return c;
    },
    CSSMathSum: () => CSS.px(1).add(CSS.em(1)),
    CSSNumericArray: () => CSS.px(1).add(CSS.em(1)).values,
    CSSMathClamp: () => new CSSMathClamp(CSS.px(0), CSS.px(1), CSS.px(2)),
    CSSUnparsedValue: () => new CSSUnparsedValue(['x']),
    CSSVariableReferenceValue: () => new CSSVariableReferenceValue('--x'),
    CSSTranslate: () => new CSSTranslate(CSS.px(1), CSS.px(1)),
    CSSRotate: () => new CSSRotate(CSS.deg(1)),
    CSSSkew: () => new CSSSkew(CSS.deg(1), CSS.deg(1)),
    CSSSkewX: () => new CSSSkewX(CSS.deg(1)),
    CSSSkewY: () => new CSSSkewY(CSS.deg(1)),
    CSSPerspective: () => new CSSPerspective(CSS.px(1)),
    CSSMatrixComponent: () => new CSSMatrixComponent(new DOMMatrixReadOnly()),
    CSSTransformValue: () => new CSSTransformValue([new CSSTranslate(CSS.px(1), CSS.px(1))]),
    DOMStringList: () => location.ancestorOrigins,
    MutationRecord: () => {
      const o = new MutationObserver(() => {});
      o.observe(document.body, { attributes: true });
      document.body.setAttribute('data-probe', String(Math.random()));
      const r = o.takeRecords()[0];
      o.disconnect();
      return r;
    },
    IDBIndex: () => db.transaction('v').objectStore('v').index('a'),
    IDBCursorWithValue: () => new Promise((resolve) => { const r = db.transaction('v').objectStore('v').openCursor(); r.onsuccess = () => resolve(r.result); }),
    IDBCursor: () => new Promise((resolve) => { const r = db.transaction('v').objectStore('v').openKeyCursor(); r.onsuccess = () => resolve(r.result); }),
    PermissionStatus: () => navigator.permissions.query({ name: 'geolocation' }),
    Lock: () => new Promise((resolve) => navigator.locks.request(`probe-${Math.random()}`, (l) => resolve(l))),
    TimeRanges: () => document.createElement('video').buffered,
    TextTrack: () => document.createElement('video').addTextTrack('subtitles'),
    TextTrackList: () => document.createElement('video').textTracks,
    VTTCue: () => new VTTCue(0, 1, 'x'),
    TextTrackCueList: () => {
      const t = document.createElement('video').addTextTrack('subtitles');
      t.mode = 'hidden';
      t.addCue(new VTTCue(0, 1, 'x'));
      return t.cues;
    },
    RemotePlayback: () => document.createElement('video').remote,
    VideoPlaybackQuality: () => document.createElement('video').getVideoPlaybackQuality(),
    Touch: () => new Touch({ identifier: 1, target: document.body }),
    TouchList: () => new TouchEvent('x').touches,
    RadioNodeList: () => {
      const f = document.createElement('form');
      f.innerHTML = '<input name=r><input name=r>';
      return f.elements.namedItem('r');
    },
    TaskSignal: () => new TaskController().signal,
    TrustedTypePolicy: () => trustedTypes.createPolicy('probe' + Math.random(), { createHTML: (s) => s }),
    TrustedScript: () => trustedTypes.createPolicy('probe' + Math.random(), { createScript: (s) => s }).createScript('x'),
    TrustedScriptURL: () => trustedTypes.createPolicy('probe' + Math.random(), { createScriptURL: (s) => s }).createScriptURL('x'),
    MathMLElement: () => document.createElementNS('http://www.w3.org/1998/Math/MathML', 'math'),
    VideoDecoder: () => new VideoDecoder({ output() {}, error() {} }),
    VideoEncoder: () => new VideoEncoder({ output() {}, error() {} }),
    AudioDecoder: () => new AudioDecoder({ output() {}, error() {} }),
    AudioEncoder: () => new AudioEncoder({ output() {}, error() {} }),
    MediaRecorder: () => new MediaRecorder(new MediaStream()),
    KeyframeEffect: () => new KeyframeEffect(null, null),
    HighlightRegistry: () => CSS.highlights,
    CustomStateSet: () => {
      const name = `probe-st-${Math.random().toString(36).slice(2)}`;
      customElements.define(name, class extends HTMLElement {});
      return document.createElement(name).attachInternals().states;
    },
    FileSystemWritableFileStream: async () => (await (await opfs()).getFileHandle('probe-w.txt', { create: true })).createWritable(),
    Observable: () => new Observable(() => {}),
    IdleDeadline: () => new Promise((resolve) => requestIdleCallback(resolve)),
    AudioWorklet: () => audio().audioWorklet,
    IIRFilterNode: () => new IIRFilterNode(audio(), { feedforward: [1], feedback: [1] }),
    ScriptProcessorNode: () => audio().createScriptProcessor(256, 1, 1),
    PressureObserver: () => new PressureObserver(() => {}),
    FileSystemObserver: () => new FileSystemObserver(() => {}),
    BatteryManager: () => navigator.getBattery(),
    PromiseRejectionEvent: () => new PromiseRejectionEvent('x', { promise: Promise.resolve() }),
    FormDataEvent: () => new FormDataEvent('x', { formData: new FormData() }),
    BlobEvent: () => new BlobEvent('x', { data: new Blob() }),
    SpeechSynthesisEvent: () => new SpeechSynthesisEvent('x', { utterance: new SpeechSynthesisUtterance('x') }),
    SpeechSynthesisErrorEvent: () => new SpeechSynthesisErrorEvent('x', { utterance: new SpeechSynthesisUtterance('x'), error: 'canceled' }),
    OfflineAudioCompletionEvent: () => new OfflineAudioCompletionEvent('x', { renderedBuffer: audio().createBuffer(1, 1, 44100) }),
    RTCError: () => new RTCError({ errorDetail: 'data-channel-failure' }),
    RTCErrorEvent: () => new RTCErrorEvent('x', { error: new RTCError({ errorDetail: 'data-channel-failure' }) }),
    RTCDataChannelEvent: () => new RTCDataChannelEvent('x', { channel: held(new RTCPeerConnection()).createDataChannel('x') }),
    RTCRtpTransceiver: () => held(new RTCPeerConnection()).addTransceiver('audio'),
    RTCRtpSender: () => held(new RTCPeerConnection()).addTransceiver('audio').sender,
    RTCRtpReceiver: () => held(new RTCPeerConnection()).addTransceiver('audio').receiver,
    RTCDTMFSender: () => held(new RTCPeerConnection()).addTransceiver('audio').sender.dtmf,
    RTCStatsReport: () => held(new RTCPeerConnection()).getStats(),
    TaskPriorityChangeEvent: () => new TaskPriorityChangeEvent('x', { previousPriority: 'user-visible' }),
    MimeType: () => navigator.mimeTypes[0],
    Plugin: () => navigator.plugins[0],
    NavigationActivation: () => globalThis.navigation?.activation ?? undefined,
    WGSLLanguageFeatures: () => navigator.gpu?.wgslLanguageFeatures,
    // Issue 16: interfaces no constructor call makes, each made in the page itself (observers fed
    // by a layout, CSS rules from a stylesheet, media and audio objects without a device, streams,
    // same-document navigation). WebSocket and EventSource dial the probe's own 127.0.0.1 server.
    ResizeObserverEntry: () => observed(ResizeObserver),
    ResizeObserverSize: async () => (await observed(ResizeObserver))?.contentBoxSize[0],
    IntersectionObserverEntry: () => observed(IntersectionObserver),
    CSSNestedDeclarations: () => sheet('a { & b { color: blue } color: red }').cssRules[0].cssRules[1],
    CSSMarginRule: () => sheet('@page { @top-left { content: "x" } }').cssRules[0].cssRules[0],
    CSSImportRule: () => {
      const style = document.head.appendChild(document.createElement('style'));
      style.textContent = '@import url("data:text/css,a{}");';
      return style.sheet.cssRules[0];
    },
    CSSAnimation: () => {
      sheet('@keyframes probe-k { from { opacity: 0 } to { opacity: 1 } }', true);
      const e = document.body.appendChild(document.createElement('div'));
      e.style.animation = 'probe-k 100s';
      return e.getAnimations()[0];
    },
    CSSTransition: () => {
      const e = document.body.appendChild(document.createElement('div'));
      e.style.transition = 'opacity 100s';
      getComputedStyle(e).opacity;
      e.style.opacity = '0.5';
      return e.getAnimations()[0];
    },
    CSSImageValue: () => {
      const e = document.body.appendChild(document.createElement('div'));
      e.style.backgroundImage = 'url("data:image/gif;base64,R0lGODlhAQABAAAAACw=")';
      return e.computedStyleMap().get('background-image');
    },
    MediaError: () => within(new Promise((resolve) => {
      const a = new Audio();
      a.onerror = () => resolve(a.error);
      a.src = 'data:audio/wav;base64,AAAA';
    })),
    TextEvent: () => document.createEvent('TextEvent'),
    BeforeUnloadEvent: () => document.createEvent('BeforeUnloadEvent'),
    CaretPosition: () => document.caretPositionFromPoint?.(1, 1) ?? undefined,
    PerformanceObserverEntryList: () => within(new Promise((resolve) => {
      const po = new PerformanceObserver((list) => (po.disconnect(), resolve(list)));
      po.observe({ type: 'mark' });
      performance.mark('probe-mark');
    })),
    ReadableStreamBYOBRequest: () => within(new Promise((resolve) => {
      const rs = new ReadableStream({ type: 'bytes', pull: (c) => resolve(c.byobRequest) });
      held(rs.getReader({ mode: 'byob' }).read(new Uint8Array(1)));
    })),
    MediaElementAudioSourceNode: () => held(new AudioContext()).createMediaElementSource(new Audio()),
    MediaStreamAudioDestinationNode: () => held(new AudioContext()).createMediaStreamDestination(),
    MediaStreamAudioSourceNode: () => {
      const ctx = held(new AudioContext());
      return ctx.createMediaStreamSource(ctx.createMediaStreamDestination().stream);
    },
    MediaStreamTrackEvent: () => new MediaStreamTrackEvent('x', { track: held(new AudioContext()).createMediaStreamDestination().stream.getAudioTracks()[0] }),
    AudioProcessingEvent: () => {
      const b = audio().createBuffer(1, 1, 44100);
      return new AudioProcessingEvent('x', { playbackTime: 0, inputBuffer: b, outputBuffer: b });
    },
    AudioWorkletNode: () => worklet(),
    AudioParamMap: async () => (await worklet())?.parameters,
    WebGLActiveInfo: () => {
      const g = gl();
      const p = program(g);
      return p ? g.getActiveAttrib(p, 0) : undefined;
    },
    WebGLUniformLocation: () => {
      const g = gl();
      const p = program(g);
      return p ? g.getUniformLocation(p, 'u') ?? undefined : undefined;
    },
    ImageDecoder: async () => new ImageDecoder({ data: await png(), type: 'image/png' }),
    ImageTrackList: async () => new ImageDecoder({ data: await png(), type: 'image/png' }).tracks,
    ImageTrack: async () => {
      const tracks = new ImageDecoder({ data: await png(), type: 'image/png' }).tracks;
      await within(tracks.ready);
      return tracks[0];
    },
    Subscriber: () => (typeof Observable === 'function' ? within(new Promise((resolve) => new Observable((s) => resolve(s)).subscribe({}))) : undefined),
    ViewTransition: () => held(document.startViewTransition?.(() => {})) ?? undefined,
    ViewTransitionTypeSet: () => held(document.startViewTransition?.({ update: () => {}, types: ['x'] }))?.types ?? undefined,
    NavigateEvent: () => navigated('navigate'),
    NavigationDestination: async () => (await navigated('navigate'))?.destination,
    NavigationCurrentEntryChangeEvent: () => navigated('currententrychange'),
    SourceBuffer: () => mediaSource((ms) => ms.addSourceBuffer('video/webm; codecs="vp8"')),
    SourceBufferList: () => mediaSource((ms) => (ms.addSourceBuffer('video/webm; codecs="vp8"'), ms.sourceBuffers)),
    WebSocket: () => held(new WebSocket(location.href.replace(/^http/, 'ws'))),
    EventSource: () => held(new EventSource(location.href)),
  };
  const gl = () => document.createElement('canvas').getContext('webgl2');
  for (const [name, make] of Object.entries({
    WebGLBuffer: (g) => g.createBuffer(),
    WebGLTexture: (g) => g.createTexture(),
    WebGLProgram: (g) => g.createProgram(),
    WebGLShader: (g) => g.createShader(g.VERTEX_SHADER),
    WebGLFramebuffer: (g) => g.createFramebuffer(),
    WebGLRenderbuffer: (g) => g.createRenderbuffer(),
    WebGLShaderPrecisionFormat: (g) => g.getShaderPrecisionFormat(g.VERTEX_SHADER, g.HIGH_FLOAT),
    WebGLQuery: (g) => g.createQuery(),
    WebGLSampler: (g) => g.createSampler(),
    WebGLTransformFeedback: (g) => g.createTransformFeedback(),
    WebGLVertexArrayObject: (g) => g.createVertexArray(),
    WebGLSync: (g) => g.fenceSync(g.SYNC_GPU_COMMANDS_COMPLETE, 0),
  }))
    recipes[name] = () => {
      const g = gl();
      return g ? make(g) : undefined;
    };
  // CSS rules, each from a sheet of its own.
  for (const text of ['@media screen { a {} }', '@supports (color: red) { a {} }', '@font-face { font-family: x }', '@keyframes k { from { color: red } }', '@layer a;', '@layer b { a {} }', '@container (min-width: 1px) { a {} }', '@property --p { syntax: "*"; inherits: false }', '@page { margin: 1px }', '@counter-style c { system: cyclic; symbols: a }', '@scope (a) { b {} }', '@starting-style { a {} }', '@font-palette-values --pal { font-family: x }', '@font-feature-values x { @swash { s: 1 } }', '@namespace svg url(http://www.w3.org/2000/svg);', '@view-transition { navigation: auto }', '@position-try --pt { top: 0 }', '@function --f() { result: 1px }', 'a { color: red; & b { color: blue } }']) {
    const sheet = () => {
      const s = new CSSStyleSheet();
      s.replaceSync(text);
      return s;
    };
    extra_rules.push([`CSSStyleSheet rule ${text}`, () => sheet().cssRules[0]]);
    extra_rules.push([`CSSStyleSheet rule ${text} (nested)`, () => sheet().cssRules[0]?.cssRules?.[0]]);
    extra_rules.push([`CSSStyleSheet rule ${text} (declarations)`, () => sheet().cssRules[0]?.style]);
  }
  // Elements: every HTML tag (unknown tags give HTMLUnknownElement) and common SVG ones.
  const tags = 'a abbr address area article aside audio b base bdi bdo blockquote body br button canvas caption cite code col colgroup data datalist dd del details dfn dialog div dl dt em embed fieldset figcaption figure footer form h1 head header hgroup hr html i iframe img input ins kbd label legend li link main map mark menu meta meter nav noscript object ol optgroup option output p picture pre progress q rp rt ruby s samp script search section select slot small source span strong style sub summary sup table tbody td template textarea tfoot th thead time title tr track u ul var video wbr marquee frameset frame dir font param portal fencedframe selectedcontent geolocation xyz'.split(' ');
  const svgTags = 'svg g path rect circle ellipse line polyline polygon text tspan textPath defs use symbol image linearGradient radialGradient stop pattern clipPath mask marker filter feBlend feColorMatrix feComponentTransfer feComposite feConvolveMatrix feDiffuseLighting feDisplacementMap feDistantLight feDropShadow feFlood feFuncA feFuncB feFuncG feFuncR feGaussianBlur feImage feMerge feMergeNode feMorphology feOffset fePointLight feSpecularLighting feSpotLight feTile feTurbulence foreignObject a view switch desc title metadata style script animate animateMotion animateTransform set mpath'.split(' ');
  const extra = [...extra_rules];
  for (const t of tags) extra.push([`document.createElement('${t}')`, el(t)]);
  for (const t of svgTags) extra.push([`document.createElementNS(svg, '${t}')`, svg(t)]);
  // SVG values reached from elements (SVGAnimatedLength, SVGLength, SVGTransformList...).
  const svgValue = (tag, prop, sub) => () => {
    const v = svg(tag)()[prop];
    return sub ? v[sub] : v;
  };
  for (const [tag, prop] of [['rect', 'x'], ['svg', 'viewBox'], ['g', 'transform'], ['text', 'rotate'], ['svg', 'preserveAspectRatio'], ['path', 'pathLength'], ['svg', 'x'], ['a', 'href'], ['fePointLight', 'x'], ['feTurbulence', 'numOctaves'], ['feBlend', 'mode'], ['svg', 'requiredExtensions'], ['svg', 'systemLanguage'], ['feColorMatrix', 'values'], ['fePointLight', 'z'], ['feConvolveMatrix', 'preserveAlpha'], ['polyline', 'points'], ['text', 'x'], ['marker', 'orientAngle']]) {
    extra.push([`svg ${tag}.${prop}`, svgValue(tag, prop)]);
    extra.push([`svg ${tag}.${prop}.baseVal`, svgValue(tag, prop, 'baseVal')]);
  }
  extra.push(['svg.createSVGNumber()', () => svg('svg')().createSVGNumber()]);
  extra.push(['svg.createSVGTransform()', () => svg('svg')().createSVGTransform()]);
  extra.push(['svg.createSVGMatrix()', () => svg('svg')().createSVGMatrix()]);
  extra.push(['svg.createSVGPoint()', () => svg('svg')().createSVGPoint()]);
  extra.push(['svg.createSVGRect()', () => svg('svg')().createSVGRect()]);
  extra.push(['svg.createSVGLength()', () => svg('svg')().createSVGLength()]);
  extra.push(['svg.createSVGAngle()', () => svg('svg')().createSVGAngle()]);
  for (const t of ['video', 'audio']) extra.push([`document.createElement('${t}').error`, () => document.createElement(t).error ?? undefined]);
  extra.push(['performance.getEntries()', () => performance.getEntries()[0]]);
  for (const type of ['paint', 'longtask', 'event', 'first-input', 'largest-contentful-paint', 'layout-shift', 'visibility-state', 'element', 'long-animation-frame']) extra.push([`performance entry ${type}`, () => performance.getEntriesByType(type)[0]]);
  extra.push(['new Image()', () => new Image()]);
  extra.push(['new Audio()', () => new Audio()]);
  extra.push(['new Option()', () => new Option()]);
  extra.push(["customElements element's attachInternals()", () => {
    const name = `probe-el-${Math.random().toString(36).slice(2)}`;
    customElements.define(name, class extends HTMLElement {});
    return document.createElement(name).attachInternals();
  }]);
  extra.push(['WebAssembly.Module', () => new WebAssembly.Module(new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0]))]);
  extra.push(['WebAssembly.Memory', () => new WebAssembly.Memory({ initial: 1 })]);
  extra.push(['WebAssembly.Instance', () => new WebAssembly.Instance(new WebAssembly.Module(new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0])))]);
  extra.push(['WebAssembly.Global', () => new WebAssembly.Global({ value: 'i32' }, 1)]);
  extra.push(['WebAssembly.Table', () => new WebAssembly.Table({ element: 'anyfunc', initial: 1 })]);
  // Objects a page reaches without constructing them: whatever window, navigator, document,
  // performance and screen expose as properties (ScreenOrientation, Keyboard, CookieStore...).
  for (const [owner, o] of [['window', window], ['navigator', navigator], ['document', document], ['performance', performance], ['screen', screen], ['document.body', document.body]]) {
    for (let p = o; p && p !== Object.prototype; p = Object.getPrototypeOf(p)) {
      for (const name of Object.getOwnPropertyNames(p)) {
        if (/^on|^webkit/.test(name) || (owner === 'window' && /^[A-Z]/.test(name))) continue;
        extra.push([`${owner}.${name}`, () => {
          const v = o[name];
          return v !== null && typeof v === 'object' ? v : undefined;
        }]);
      }
    }
  }

  const table = {};
  const types = new Map();
  async function record(label, make, how) {
    let first;
    try {
      first = unbox(await make());
    } catch {
      return;
    }
    if (first === undefined) return;
    const primitives = { symbol: 'Symbol', bigint: 'BigInt', string: 'String', number: 'Number', boolean: 'Boolean' };
    const type = typeof first === 'object' || typeof first === 'function' ? ctorOf(first) : primitives[typeof first];
    if (!type || (table[type] && table[type].how !== 'undecided')) return;
    const entry = { how, ...(how === 'recipe' && label !== type ? { recipe: label } : {}), ...(await trial(make)) };
    table[type] = entry;
  }

  for (const [label, make] of Object.entries(recipes)) if (make) await record(label, make, 'recipe');
  for (const [label, make] of extra) await record(label, make, 'recipe');

  // Every interface on window (and the JS built-ins a page sees): a constructor call with no
  // argument, a type string (events), an audio context (audio nodes), two sizes.
  // Legacy factories and aliases (Image, Audio, Option, WebKitCSSMatrix) are not interfaces of their own.
  const exposed = Object.getOwnPropertyNames(window).filter((n) => /^[A-Z]/.test(n) && typeof window[n] === 'function' && window[n].prototype && window[n].prototype.constructor === window[n]).sort();
  for (const name of exposed) {
    const C = window[name];
    if (table[name]?.how && table[name].how !== 'undecided') continue;
    if (/^(Worker|SharedWorker|EventSource|WebSocket|WebTransport|Notification|PaymentRequest|PresentationRequest)$/.test(name)) {
      table[name] ??= { how: 'undecided' };
      continue;
    }
    for (const args of [[], ['x'], [audio()], [1, 1]]) {
      let made;
      try {
        made = new C(...args);
      } catch {
        continue;
      }
      if (ctorOf(made) !== name) break;
      await record(name, () => new C(...args), args.length ? `constructor(${args.map((a) => (typeof a === 'string' ? `'${a}'` : typeof a === 'number' ? a : 'audioContext')).join(', ')})` : 'no-arg call');
      break;
    }
    table[name] ??= { how: 'undecided' };
  }
  // An interface with no instances of its own (Element, Node, CharacterData, CSSRule, AudioNode)
  // is decided by the instances of its subinterfaces measured above, when they all agree; the
  // words quoted are those of the first of them (`from`).
  const kind = (v) => (v?.startsWith('throws: ') ? 'throws' : v);
  for (const name of exposed) {
    if (table[name].how !== 'undecided') continue;
    const subs = Object.keys(table).filter((t) => t !== name && table[t].how !== 'undecided' && table[t].how !== 'subinterfaces' && typeof window[t] === 'function' && window[t].prototype instanceof window[name]);
    if (!subs.length) continue;
    const sig = (t) => ['clone', 'worker', 'idb'].map((k) => kind(table[t][k])).join('/');
    if (subs.some((t) => sig(t) !== sig(subs[0]))) continue;
    const { clone, worker, idb } = table[subs[0]];
    table[name] = { how: 'subinterfaces', from: subs[0], measured: subs.length, clone, worker, idb };
  }
  // Interfaces the window exposes, and values a recipe reached whose class it does not expose
  // (WebAssembly.Module as `Module`), by their constructor name.
  return { userAgent: navigator.userAgent, exposed: exposed.length, values: table };
}

const { chromium } = await import('playwright-core');
const browser = await chromium.launch({ executablePath, headless: true, args: flags, timeout: 60_000 });
let result;
try {
  const context = await browser.newContext();
  const p = await context.newPage();
  p.setDefaultTimeout(120_000);
  await p.goto(url);
  result = await p.evaluate(inPage);
} finally {
  await browser.close();
  server.close();
}

const version = execFileSync(executablePath, ['--version'], { encoding: 'utf8' }).trim();
const major = /(\d+)\./.exec(version)?.[1] ?? 'unknown';
const counts = {};
for (const e of Object.values(result.values)) {
  const how = e.how.startsWith('constructor(') ? 'constructor call' : e.how;
  counts[how] = (counts[how] ?? 0) + 1;
}
const out = {
  chromium: version,
  regenerate: `node tools/probe/web-clone.mjs --out data/web-clone/chromium-${major}.json`,
  exposed: result.exposed,
  counts,
  values: Object.fromEntries(Object.entries(result.values).sort(([a], [b]) => a.localeCompare(b))),
};
const text = JSON.stringify(out, null, 1) + '\n';
const outArg = process.argv.indexOf('--out');
if (outArg > 0) {
  fs.mkdirSync(path.dirname(path.resolve(process.argv[outArg + 1])), { recursive: true });
  fs.writeFileSync(path.resolve(process.argv[outArg + 1]), text);
} else process.stdout.write(text);
