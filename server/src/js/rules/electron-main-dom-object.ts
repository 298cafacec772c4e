import { sendFileData } from '../fixes/data-form';
import { sendPathForFile } from '../fixes/path-for-handle';
import { article, jsRule, type TypeRule } from './rule';

// Electron's main process decodes IPC messages without Blink, so the DOM objects a page can clone
// (File, Blob, ImageBitmap, DOMMatrix...) cannot be decoded there: "the main process does not have
// support for DOM objects" (Electron's ipcRenderer docs). Other renderers and workers accept them.
const blinkOnly = new Set([
  'Blob', 'File', 'FileList', 'ImageData', 'ImageBitmap', 'CryptoKey', 'DOMPoint', 'DOMPointReadOnly', 'DOMRect', 'DOMRectReadOnly',
  'DOMQuad', 'DOMMatrix', 'DOMMatrixReadOnly', 'DOMException', 'RTCCertificate', 'FileSystemHandle', 'FileSystemFileHandle',
  'FileSystemDirectoryHandle', 'VideoFrame', 'AudioData', 'EncodedVideoChunk', 'EncodedAudioChunk', 'GPUCompilationMessage', 'GPUCompilationInfo',
]);

export const electronMainDomObject: TypeRule = {
  meta: jsRule('electron-main-dom-object', 'error', "A DOM object (File, Blob, ImageBitmap, DOMMatrix...) is sent from an Electron renderer to the main process, which cannot decode it."),
  check(facts, ctx) {
    if (ctx.receiver !== 'electron-main' || ctx.serializer !== 'clone' || !facts.fromLibrary || facts.origin?.module !== 'dom') return undefined;
    const name = facts.ancestry.find((n) => blinkOnly.has(n));
    if (!name) return undefined;
    return { severity: 'error', reason: `is ${article(facts.name || name)}: Electron's main process has no DOM, so it cannot decode it (the IPC call fails); send its data (bytes, a path, plain numbers) instead` };
  },
  fixes: (ctx) => [...sendPathForFile(ctx), ...sendFileData(ctx)],
};
