import * as path from 'node:path';
import * as ts from 'typescript';
import type { JsTarget } from '../engine/config';
import type { SourceHost } from '../engine/types';
import type { RuntimeTarget } from './rules/rule';

// The runtime whose clone semantics decide severities. Node 20 copies URL/Headers/... to `{}`
// (a warning: data lost); Node 21+ and browsers throw (an error). The default follows current
// LTS semantics (Node 22/24): Node 20 reached end of life in April 2026.

// Keyed by folder; each entry remembers the package.json version it was read at.
const cache = new Map<string, { version: string; result: RuntimeTarget | undefined; electron: boolean; found: boolean }>();

export function clearTargetCache(): void {
  cache.clear();
  folderCache.clear();
}

export type ElectronSide = 'electron-main' | 'electron-renderer';

/**
 * `auto`: the API's own runtime first (ipcRenderer runs in a renderer, a DOM Worker in a browser),
 * then the side of Electron the file imports, then an Electron dependency in package.json (a file
 * with the DOM library, or one that shows it runs in a page (fileRuntime), is a renderer's), then
 * the DOM library or that evidence (a browser), then `engines.node`.
 */
export function resolveTarget(file: string, setting: JsTarget, domLib: boolean, sinkRuntime: RuntimeTarget | 'node' | undefined, host: SourceHost, importSide?: ElectronSide, sf?: ts.SourceFile): RuntimeTarget {
  if (setting !== 'auto') return setting;
  if (sinkRuntime === 'browser' || sinkRuntime === 'electron-main' || sinkRuntime === 'electron-renderer') return sinkRuntime;
  const pkg = packageFacts(path.dirname(file), host);
  if (sinkRuntime === 'node') return pkg.engines ?? 'node22';
  if (importSide) return importSide;
  // Without a tsconfig that names the DOM library (plain .js), the file's own evidence decides.
  const browser = domLib || (sf !== undefined && fileRuntime(sf, host) === 'browser');
  if (pkg.electron) return browser ? 'electron-renderer' : 'electron-main';
  if (browser) return 'browser';
  return pkg.engines ?? 'node22';
}

// Node's own modules, imported with or without `node:` (the ones a browser bundle never has).
const nodeBuiltin = /^(?:node:|(?:worker_threads|child_process|cluster|fs|fs\/promises|path|os|net|http|https|http2|dgram|dns|tls|v8|vm|zlib|crypto|stream|readline|process|module|perf_hooks|async_hooks|inspector|tty|util)$)/;
// Globals only a page or a worker script has, read as globals (`document.title`, `indexedDB.open`,
// a worker's `self.onmessage`), and constructors only browsers have.
const domGlobals = new Set(['window', 'document', 'indexedDB', 'navigator', 'localStorage', 'sessionStorage', 'customElements']);
const workerScope = new Set(['onmessage', 'postMessage', 'addEventListener', 'clients', 'registration']);
const browserConstructors = new Set(['OffscreenCanvas', 'SharedWorker', 'XMLHttpRequest', 'IntersectionObserver', 'ResizeObserver', 'MutationObserver']);
// Types only a page (or a browser worker) has: a parameter typed `HTMLCanvasElement` or a handler's
// `DragEvent` says where the file runs, and so does `x instanceof HTMLElement`. Node has Event,
// EventTarget, MessageEvent, Blob, URL... of its own: those say nothing.
const domOnlyTypes = /^(?:HTML\w*Element|SVG\w*Element|Element|Document|DocumentFragment|ShadowRoot|Window|(?:Mouse|Keyboard|Pointer|Drag|Touch|Wheel|Input|Focus|Clipboard|Submit|PopState|HashChange|Storage)Event|CanvasRenderingContext2D|WebGL2?RenderingContext|HTMLCollection|NodeList|NodeListOf|DOMRect|Range|Selection|IDBDatabase|IDBObjectStore|IDBTransaction|ServiceWorkerGlobalScope|ServiceWorkerRegistration|DedicatedWorkerGlobalScope|ExtendableEvent|ExtendableMessageEvent|FetchEvent)$/;
const browserMarkers = ['index.html', 'vite.config.js', 'vite.config.ts', 'vite.config.mjs', 'vite.config.mts', 'webpack.config.js', 'webpack.config.cjs', 'webpack.config.mjs', 'webpack.config.ts', 'rollup.config.js', 'rollup.config.mjs', 'rollup.config.ts', '.parcelrc', 'snowpack.config.js', 'rspack.config.js', 'rsbuild.config.ts'];
const fileRuntimeCache = new WeakMap<ts.SourceFile, 'browser' | 'node' | 'none'>();
const folderCache = new Map<string, boolean>();

/**
 * Where a file runs by its own evidence, for a file no tsconfig gives the DOM library (a plain .js
 * file): an import of a Node built-in (`node:*`, `worker_threads`, `fs`...) says Node; DOM globals used
 * as globals (`document.`, `window.`, `indexedDB.`, `navigator.`, a worker's `self.onmessage`,
 * `importScripts`) say a browser; a bare `require(` says Node; otherwise an `index.html` or a bundler
 * config (vite, webpack, rollup, parcel...) in the file's folder or up to its package root says a
 * browser. One walk per parsed file; the folder probes once per folder (until files change).
 */
export function fileRuntime(sf: ts.SourceFile, host: SourceHost): 'browser' | 'node' | undefined {
  let own = fileRuntimeCache.get(sf);
  if (own === undefined) {
    const text = sf.text;
    own = importsNodeBuiltin(sf) ? 'node' : usesDomGlobals(sf) ? 'browser' : /(?<![\w$.])(?:require\s*\(|__dirname\b|__filename\b)/.test(text) ? 'node' : 'none';
    fileRuntimeCache.set(sf, own);
  }
  if (own !== 'none') return own;
  return browserFolder(path.dirname(sf.fileName), host) ? 'browser' : undefined;
}

/**
 * A DOM global read as a global, or a type only the DOM has (a `HTMLCanvasElement` parameter): the
 * name is not declared anywhere in the file (a parameter called `window` is not the page's).
 */
function usesDomGlobals(sf: ts.SourceFile): boolean {
  if (!/\b(?:window|document|indexedDB|navigator|localStorage|sessionStorage|customElements|self|importScripts|OffscreenCanvas|SharedWorker|XMLHttpRequest|IntersectionObserver|ResizeObserver|MutationObserver|HTML\w*Element|SVG\w*Element|Element|Document\w*|ShadowRoot|Window|\w+Event|CanvasRenderingContext2D|WebGL2?RenderingContext|HTMLCollection|NodeList\w*|DOMRect|Range|Selection|IDB\w+|ServiceWorker\w+|DedicatedWorkerGlobalScope)\b/.test(sf.text)) return false;
  const declared = new Set<string>();
  const used = new Set<string>();
  const visit = (n: ts.Node): void => {
    if ((ts.isVariableDeclaration(n) || ts.isParameter(n) || ts.isFunctionDeclaration(n) || ts.isClassDeclaration(n) || ts.isInterfaceDeclaration(n) || ts.isTypeAliasDeclaration(n) || ts.isEnumDeclaration(n) || ts.isBindingElement(n) || ts.isImportSpecifier(n) || ts.isImportClause(n) || ts.isNamespaceImport(n)) && n.name && ts.isIdentifier(n.name)) declared.add(n.name.text);
    if (ts.isPropertyAccessExpression(n) && ts.isIdentifier(n.expression)) {
      const root = n.expression.text;
      if (domGlobals.has(root) || (root === 'self' && workerScope.has(n.name.text))) used.add(root);
    }
    if (ts.isCallExpression(n) && ts.isIdentifier(n.expression) && n.expression.text === 'importScripts') used.add('importScripts');
    if (ts.isNewExpression(n) && ts.isIdentifier(n.expression) && browserConstructors.has(n.expression.text)) used.add(n.expression.text);
    if (ts.isTypeReferenceNode(n) && ts.isIdentifier(n.typeName) && domOnlyTypes.test(n.typeName.text)) used.add(n.typeName.text);
    if (ts.isBinaryExpression(n) && n.operatorToken.kind === ts.SyntaxKind.InstanceOfKeyword && ts.isIdentifier(n.right) && domOnlyTypes.test(n.right.text)) used.add(n.right.text);
    ts.forEachChild(n, visit);
  };
  visit(sf);
  for (const u of used) if (!declared.has(u)) return true;
  return false;
}

function importsNodeBuiltin(sf: ts.SourceFile): boolean {
  for (const st of sf.statements) {
    const spec = ts.isImportDeclaration(st) || ts.isExportDeclaration(st) ? st.moduleSpecifier : undefined;
    if (spec && ts.isStringLiteral(spec) && nodeBuiltin.test(spec.text)) return true;
  }
  return /(?<![\w$.])(?:require|import)\s*\(\s*['"]node:/.test(sf.text);
}

/** An `index.html` or a bundler config in `dir` or a folder above it, up to the nearest package.json's folder (three folders at most). */
function browserFolder(dir: string, host: SourceHost): boolean {
  const cached = folderCache.get(dir);
  if (cached !== undefined) return cached;
  let found = false;
  for (let d = dir, i = 0; i < 4 && !found; i++) {
    found = browserMarkers.some((m) => host.fileExists(path.join(d, m)));
    const parent = path.dirname(d);
    if (host.fileExists(path.join(d, 'package.json')) || parent === d) break;
    d = parent;
  }
  folderCache.set(dir, found);
  return found;
}

const mainOnly = new Set(['app', 'BrowserWindow', 'ipcMain', 'webContents', 'utilityProcess', 'MessageChannelMain', 'BrowserView', 'WebContentsView', 'dialog', 'Menu', 'Tray', 'session', 'protocol']);
const rendererOnly = new Set(['ipcRenderer', 'contextBridge', 'webFrame']);

/** Which Electron process a file belongs to, read off what it imports (or requires) from `electron`. */
export function electronImportSide(sf: ts.SourceFile): ElectronSide | undefined {
  if (!sf.text.includes('electron')) return undefined;
  let main = false;
  let renderer = false;
  const note = (name: string) => {
    if (mainOnly.has(name)) main = true;
    if (rendererOnly.has(name)) renderer = true;
  };
  const visit = (n: ts.Node): void => {
    if (ts.isImportDeclaration(n) && ts.isStringLiteral(n.moduleSpecifier) && /^electron(\/|$)/.test(n.moduleSpecifier.text)) {
      if (n.moduleSpecifier.text === 'electron/main') main = true;
      if (n.moduleSpecifier.text === 'electron/renderer') renderer = true;
      const b = n.importClause?.namedBindings;
      if (b && ts.isNamedImports(b)) for (const el of b.elements) note((el.propertyName ?? el.name).text);
      return;
    }
    if (ts.isVariableDeclaration(n) && n.initializer && ts.isCallExpression(n.initializer) && ts.isIdentifier(n.initializer.expression) && n.initializer.expression.text === 'require') {
      const spec = n.initializer.arguments[0];
      if (spec && ts.isStringLiteral(spec) && /^electron(\/|$)/.test(spec.text) && ts.isObjectBindingPattern(n.name)) {
        for (const el of n.name.elements) note((el.propertyName && ts.isIdentifier(el.propertyName) ? el.propertyName : el.name).getText(sf));
      }
      return;
    }
    if (ts.isSourceFile(n) || ts.isVariableStatement(n) || ts.isVariableDeclarationList(n)) ts.forEachChild(n, visit);
  };
  visit(sf);
  // A file that imports from both sides (a test, a shared module) says nothing.
  return main === renderer ? undefined : main ? 'electron-main' : 'electron-renderer';
}

/** `node20` when every alternative of package.json `engines.node` stays below Node 21, else `node22`. */
export function nodeRangeTarget(range: string): RuntimeTarget | undefined {
  const alternatives = range.split('||').map((s) => s.trim()).filter(Boolean);
  if (!alternatives.length) return undefined;
  let maxMajor = 0;
  for (const alt of alternatives) {
    const upper = /<(=?)\s*v?(\d+)(?:\.(\d+))?/.exec(alt);
    if (upper) {
      const major = Number(upper[2]);
      const exact = upper[1] === '=' || (upper[3] !== undefined && Number(upper[3]) > 0);
      maxMajor = Math.max(maxMajor, exact ? major : major - 1);
      continue;
    }
    if (/>|\*|^x$/i.test(alt)) return 'node22';
    const m = /(\d+)/.exec(alt);
    if (!m) return 'node22';
    maxMajor = Math.max(maxMajor, Number(m[1]));
  }
  return maxMajor <= 20 ? 'node20' : 'node22';
}

/** `engines.node` and an Electron dependency in the nearest package.json, read through the host (so never outside the workspace). */
function packageFacts(dir: string, host: SourceHost): { engines?: RuntimeTarget; electron: boolean } {
  for (let i = 0; i < 64; i++) {
    const pkg = path.join(dir, 'package.json');
    const version = host.fileExists(pkg) ? host.version(pkg) : 'missing';
    let entry = cache.get(dir);
    if (!entry || entry.version !== version) {
      entry = { version, result: undefined, electron: false, found: version !== 'missing' };
      if (entry.found) {
        try {
          const json = JSON.parse(host.readFile(pkg) ?? '') as { engines?: { node?: unknown }; dependencies?: unknown; devDependencies?: unknown };
          if (typeof json.engines?.node === 'string') entry.result = nodeRangeTarget(json.engines.node);
          entry.electron = [json.dependencies, json.devDependencies].some((d) => typeof d === 'object' && d !== null && 'electron' in d);
        } catch {
          /* an unreadable package.json still ends the search, as npm's would */
        }
      }
      cache.set(dir, entry);
    }
    if (entry.found) return { engines: entry.result, electron: entry.electron };
    const parent = path.dirname(dir);
    if (parent === dir) return { electron: false };
    dir = parent;
  }
  return { electron: false };
}
