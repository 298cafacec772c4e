import { sendFileData, sendResponseData } from '../fixes/data-form';
import { leaveOutLivePageObject, sendDataForm, sendFieldSnapshot } from '../fixes/plain-data';
import { webCloneVerdict } from '../web-clone-table';
import { article, browserLike, jsRule, type SendContext, type TypeFacts, type TypeRule, type Verdict } from './rule';

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

/** A Web platform interface: declared by TypeScript's DOM or worker library (the ES built-ins have rules of their own). */
function isWebInterface(facts: TypeFacts): boolean {
  return !!facts.type.getSymbol()?.declarations?.some((d) => /[\\/]lib\.(dom|webworker)[\w.]*\.d\.ts$/.test(d.getSourceFile().fileName));
}

/**
 * Chromium's measured verdict (tools/probe/web-clone.mjs) in a browser or an Electron renderer:
 * undefined when it was never measured (the lists below decide), null when it crosses.
 */
function measuredInChromium(facts: TypeFacts, ctx: SendContext): Verdict | null | undefined {
  if (!browserLike(ctx.target) || facts.origin?.module !== 'dom' || !isWebInterface(facts)) return undefined;
  // IndexedDB, history and notification data are serialized "for storage", which refuses a few
  // objects a message may carry (VideoFrame, AudioData, encoded chunks); those sinks cannot transfer.
  // A wrapper is the boundary its inner sink is (`sync.announce(entry)` posting on a BroadcastChannel).
  const storage = ctx.target === 'browser' && !ctx.canTransfer && !/postMessage$/.test(ctx.sinkApi ?? ctx.api);
  const v = webCloneVerdict(facts.name, storage ? 'storage' : 'clone');
  if (!v) return undefined;
  // Transfer-only objects are transfer-required's; what the receiver fails to read is not the sender's error.
  if (v.kind === 'loses-prototype') return { severity: 'warning', reason: `is ${article(facts.name)}: Chromium copies it without its prototype (measured), so its methods are gone on the other side` };
  if (v.kind !== 'throws') return null;
  const words = v.via ? `measured on its subinterfaces: \`${v.words}\`` : `\`${v.words}\``;
  return { severity: 'error', reason: `is ${article(facts.name)}: Chromium cannot ${storage ? 'store' : 'clone'} it (${words}); send its plain-data form instead` };
}

export const platformObject: TypeRule = {
  meta: jsRule('platform-object', 'error', 'A platform object such as URL, Headers, Request, Response or AbortController is sent: DataCloneError in browsers and Node 22+, an empty `{}` on Node 20.'),
  check(facts, ctx) {
    if (!facts.fromLibrary || ctx.serializer !== 'clone') return undefined;
    const name = facts.name;
    const measured = measuredInChromium(facts, ctx);
    if (measured !== undefined) return measured ?? undefined;
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
  fixes: (ctx) => [...sendDataForm(ctx), ...sendResponseData(ctx), ...sendFileData(ctx), ...sendFieldSnapshot(ctx), ...leaveOutLivePageObject(ctx)],
};
