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
}

export type ElectronSide = 'electron-main' | 'electron-renderer';

/**
 * `auto`: the API's own runtime first (ipcRenderer runs in a renderer, a DOM Worker in a browser),
 * then the side of Electron the file imports, then an Electron dependency in package.json (a file
 * with the DOM library is a renderer's), then `engines.node`.
 */
export function resolveTarget(file: string, setting: JsTarget, domLib: boolean, sinkRuntime: RuntimeTarget | 'node' | undefined, host: SourceHost, importSide?: ElectronSide): RuntimeTarget {
  if (setting !== 'auto') return setting;
  if (sinkRuntime === 'browser' || sinkRuntime === 'electron-main' || sinkRuntime === 'electron-renderer') return sinkRuntime;
  const pkg = packageFacts(path.dirname(file), host);
  if (sinkRuntime === 'node') return pkg.engines ?? 'node22';
  if (importSide) return importSide;
  if (pkg.electron) return domLib ? 'electron-renderer' : 'electron-main';
  if (domLib) return 'browser';
  return pkg.engines ?? 'node22';
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
