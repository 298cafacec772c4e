import { sendFileData, sendResponseData } from '../fixes/data-form';
import { sendDataForm } from '../fixes/plain-data';
import { article, browserLike, jsRule, type TypeRule } from './rule';

// Platform objects without a serialization. Measured: Node 20 copies them to `{}` silently;
// Node 22/24 throw DataCloneError for the URL/fetch family but still copy AbortController,
// TextEncoder, EventTarget... to `{}`; browsers throw for every non-serializable platform object.
const throwsSinceNode21 = new Set(['URL', 'URLSearchParams', 'Headers', 'Request', 'Response', 'FormData']);
const copiedToEmptyInNode = new Set(['AbortController', 'AbortSignal', 'TextEncoder', 'TextDecoder', 'EventTarget', 'Event', 'CustomEvent', 'MessageEvent', 'BroadcastChannel', 'Performance', 'TextDecoderStream', 'TextEncoderStream', 'CompressionStream', 'DecompressionStream']);
// Serializable everywhere except where noted: File arrives as a Blob on Node 20; DOMException arrives as `{}` on Node 20.
const lossyOnNode20 = new Map([
  ['File', 'arrives as a plain Blob on Node 20 (name and lastModified are lost)'],
  ['DOMException', 'arrives as `{}` on Node 20 (name, message and code are lost)'],
]);
// DOM types that are data, or have a serialization, or are handled by other rules.
const browserSerializable = new Set(['Blob', 'File', 'FileList', 'ImageData', 'ImageBitmap', 'CryptoKey', 'DOMException', 'DOMPoint', 'DOMPointReadOnly', 'DOMRect', 'DOMRectReadOnly', 'DOMQuad', 'DOMMatrix', 'DOMMatrixReadOnly', 'RTCCertificate', 'FileSystemHandle', 'FileSystemFileHandle', 'FileSystemDirectoryHandle', 'VideoFrame', 'AudioData', 'RTCEncodedVideoFrame', 'RTCEncodedAudioFrame', 'GPUCompilationMessage', 'GPUCompilationInfo']);
const browserPlatformRoots = new Set(['EventTarget', 'Node', 'Window', 'Document', 'Element', 'CanvasRenderingContext2D', 'WebGLRenderingContext', 'WebGL2RenderingContext', 'Storage', 'Location', 'Navigator', 'History', 'Screen', 'Selection', 'Range', 'CSSStyleDeclaration', 'IDBDatabase', 'IDBObjectStore', 'IDBTransaction', 'XMLHttpRequest', 'WebSocket', 'Worker', 'Cache', 'CacheStorage', 'DOMTokenList', 'NodeList', 'HTMLCollection', 'Path2D', 'CanvasGradient', 'CanvasPattern']);

export const platformObject: TypeRule = {
  meta: jsRule('platform-object', 'error', 'A platform object such as URL, Headers, Request, Response or AbortController is sent: DataCloneError in browsers and Node 22+, an empty `{}` on Node 20.'),
  check(facts, ctx) {
    if (!facts.fromLibrary || ctx.serializer !== 'clone') return undefined;
    const name = facts.name;
    const lossy = lossyOnNode20.get(name);
    if (lossy) return ctx.target === 'node20' ? { severity: 'warning', reason: `is ${article(name)}: it ${lossy}` } : undefined;
    if (throwsSinceNode21.has(name)) {
      if (ctx.target === 'node20') return { severity: 'warning', reason: `is ${article(name)}: Node 20 silently copies it to \`{}\` (Node 22+ and browsers throw DataCloneError); send its string or plain-data form instead` };
      return { severity: 'error', reason: `is ${article(name)}: platform objects cannot be cloned (DataCloneError on Node 22+ and in browsers)` };
    }
    const copied = facts.ancestry.find((n) => copiedToEmptyInNode.has(n));
    if (copied && !browserLike(ctx.target)) return { severity: 'warning', reason: `is ${article(name)}: Node copies it to an empty \`{}\` (browsers throw DataCloneError)` };
    if (browserLike(ctx.target) && facts.origin?.module === 'dom' && !browserSerializable.has(name) && facts.ancestry.some((n) => browserPlatformRoots.has(n) || copiedToEmptyInNode.has(n))) {
      return { severity: 'error', reason: `is ${article(name)}: platform objects cannot be cloned (DataCloneError)` };
    }
    return undefined;
  },
  fixes: (ctx) => [...sendDataForm(ctx), ...sendResponseData(ctx), ...sendFileData(ctx)],
};
