import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, test } from 'node:test';
import { resolveConfig } from '../../server/src/engine/config';
import { DiskHost } from '../../server/src/engine/files';
import type { Finding } from '../../server/src/engine/types';
import { createJsEngine } from '../../server/src/js';
import { mayContainSinks } from '../../server/src/js/sinks';

// The Electron, storage, navigation and extension sinks beyond what the executed fixtures show:
// APIs the oracle's Electron model does not implement (utility processes, MessagePortMain,
// sendSync), how the Electron side is told, and what must not be a sink. Trees live under
// test/.cache so that the project's node_modules (electron, vue typings) resolve.

const root = path.resolve(__dirname, '..', '.cache');
const made: string[] = [];
after(() => made.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

function tree(files: Record<string, string>, base = root): string {
  fs.mkdirSync(base, { recursive: true });
  const dir = fs.mkdtempSync(path.join(base, 'platform-'));
  made.push(dir);
  for (const [rel, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), text);
  }
  return dir;
}

function check(dir: string, file: string, settings: unknown = {}): Finding[] {
  return createJsEngine().check({ files: [path.join(dir, file)], host: new DiskHost(), config: resolveConfig(settings).config });
}

const brief = (fs: Finding[]) => fs.map((f) => `${f.range.start.line + 1} ${f.rule} ${f.severity}: ${f.message.split(':')[0]}`);

test('Electron APIs are sinks by their declarations, whatever they are called', () => {
  const dir = tree({
    'main.mjs': `import { ipcMain, utilityProcess, MessageChannelMain, BrowserWindow } from 'electron';
const onDone = () => {};
ipcMain.handleOnce('once', () => ({ onDone }));
ipcMain.on('sync', (event) => event.reply('r', { onDone }));
const child = utilityProcess.fork('./task.js');
child.postMessage({ onDone });
const { port1 } = new MessageChannelMain();
port1.postMessage({ onDone });
new BrowserWindow().webContents.postMessage('port', { onDone }, []);
const ipcRenderer = { send: (channel, value) => value };
ipcRenderer.send('not-electron', { onDone });
`,
    'utility.mjs': `import { net } from 'electron';\nvoid net;\nprocess.parentPort.postMessage({ at: new Date(), onDone: () => {} });\n`,
    'renderer.mjs': `import { ipcRenderer } from 'electron';
const reply = ipcRenderer.sendSync('settings', { theme: 'dark', onChange() {} });
ipcRenderer.sendToHost('host', { done: true });
`,
  });
  assert.deepEqual(brief(check(dir, 'main.mjs')), [
    '3 no-function error: onDone is a function',
    '4 no-function error: onDone is a function',
    '6 no-function error: onDone is a function',
    '8 no-function error: onDone is a function',
    '9 no-function error: onDone is a function',
  ]);
  assert.deepEqual(brief(check(dir, 'utility.mjs')), ['3 no-function error: onDone is a function']);
  assert.deepEqual(brief(check(dir, 'renderer.mjs')), ['2 no-function error: onChange is a function']);
});

test('the Electron side decides browser or Node semantics: from the API, the imports, package.json or the setting', () => {
  const controller = `const c = new AbortController();\nstructuredClone({ c });\n`;
  const dir = tree({
    'package.json': JSON.stringify({ name: 'app', devDependencies: { electron: '45.5.0' } }),
    'renderer.ts': `import { ipcRenderer } from 'electron';\nvoid ipcRenderer;\n${controller}`,
    'main.ts': `import { app } from 'electron';\nvoid app;\n${controller}`,
    'shared.ts': controller,
  });
  // A renderer is a page: Blink throws for platform objects; the main process is Node, which copies them to {}.
  assert.deepEqual(brief(check(dir, 'renderer.ts')), ['4 platform-object error: c is an AbortController']);
  assert.deepEqual(brief(check(dir, 'main.ts')), ['4 platform-object warning: c is an AbortController']);
  assert.deepEqual(brief(check(dir, 'shared.ts')), ['2 platform-object warning: c is an AbortController']);
  assert.deepEqual(brief(check(dir, 'shared.ts', { js: { target: 'electron-renderer' } })), ['2 platform-object error: c is an AbortController']);
  assert.equal(resolveConfig({ js: { target: 'electron-main' } }).problems.length, 0);
  assert.equal(resolveConfig({ js: { target: 'electron' } }).problems.length, 1);
});

test('extension messaging is recognised without @types/chrome (fallback typings), with the message found in every overload', () => {
  const dir = tree(
    {
      'background.js': `chrome.runtime.sendMessage('other-extension-id', { seen: new Set([1]) });
chrome.tabs.sendMessage(7, { at: new Date() }, (reply) => reply);
chrome.runtime.connect({ name: 'p' }).postMessage({ n: 1n });
`,
    },
    os.tmpdir(),
  );
  assert.deepEqual(brief(check(dir, 'background.js')), [
    '1 json-ipc-loss warning: seen is a Set',
    '2 json-ipc-loss warning: at is a Date',
    '3 json-ipc-bigint error: n is a bigint',
  ]);
});

test('a page calling what a preload exposed crosses the context bridge; other window members do not', () => {
  const dir = tree({
    'preload.mjs': `import { contextBridge, ipcRenderer } from 'electron';\ncontextBridge.exposeInMainWorld('files', { save: (doc) => ipcRenderer.invoke('save', doc) });\n`,
    'page.mjs': `import './preload.mjs';
class Doc { constructor() { this.text = ''; } title() { return this.text.slice(0, 10); } }
window.files.save(new Doc());
window.other.save(new Doc());
window.files.save({ failure: new TypeError('x'), run: () => 1 });
`,
  });
  assert.deepEqual(brief(check(dir, 'page.mjs')), [
    '3 class-instance-loss warning: the argument is a Doc instance',
    '5 context-bridge-loss warning: failure is a TypeError',
  ]);
});

test('runes are Svelte\'s only in .svelte.js/.svelte.ts modules', () => {
  const dir = tree({
    'plain.mjs': `const $state = (v) => v;\nstructuredClone($state({ a: 1 }));\n`,
    'store.svelte.js': `export const s = $state({ a: 1 });\nstructuredClone(s);\nstructuredClone($state.raw({ a: 1 }));\n`,
  });
  assert.deepEqual(brief(check(dir, 'plain.mjs')), []);
  assert.deepEqual(brief(check(dir, 'store.svelte.js')), ['2 no-proxy error: s is a Svelte $state proxy']);
});

test('the cheap text test lets storage calls through and keeps common names out', () => {
  assert.equal(mayContainSinks('await db.friends.add(friend);', []), true);
  assert.equal(mayContainSinks('await window.api.saveDraft(draft);', []), true);
  assert.equal(mayContainSinks('seen.add(x); cache.update(y); window.location.reload();', []), false);
});
