import * as fs from 'node:fs';
import * as path from 'node:path';
import * as ts from 'typescript';

// Parsing and binding the DOM library (2.3 MB of lib.dom.d.ts) and the chrome typings costs more
// than checking a small file, and most files never reach either. A program leaves out such a
// global-only library until some file of the program names one of the globals it declares; then
// it is built again with the library (and keeps it: a project only ever widens). A file that names
// none of them cannot reach a type declared there, so its findings are the same with or without
// it (test/js/lean-libs.test.ts compares them on the fixtures).

/** Libraries a program may leave out: they only declare globals. */
const optionalLib = /^lib\.(dom|webworker|scripthost)\b/i;
const nodeTypings = /[\\/](@types[\\/]node|undici-types)[\\/]/;
const optionalFallback = /[\\/](chrome\.d\.ts|@types[\\/]chrome[\\/]index\.d\.ts)$/;

// `console` is declared by the DOM library and by Node's typings alike and is named by nearly
// every file; a console object is never a value sent anywhere, so naming it needs no DOM.
const ubiquitous = new Set(['console']);

const globalsCache = new Map<string, Set<string>>();

/**
 * The global names a script declaration file declares at its top level (the TypeScript libraries
 * and global typings are written one declaration per line at column 0), read from its text
 * without parsing it.
 */
export function declaredGlobals(file: string): Set<string> {
  let names = globalsCache.get(file);
  if (names) return names;
  names = new Set();
  let text = '';
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    // An unreadable library declares nothing we could miss: it is not in the program either.
  }
  for (const m of text.matchAll(/^(?:declare\s+)?(?:var|let|const|function|class|interface|type|namespace|module|enum|abstract\s+class)\s+([A-Za-z_$][\w$]*)/gm)) names.add(m[1]);
  globalsCache.set(file, names);
  return names;
}

/** A file's free names: those outside any ambient module, and those inside each `declare module "m"`. */
interface FreeNames {
  global: Set<string>;
  modules: Map<string, Set<string>>;
}

const usedCache = new WeakMap<ts.SourceFile, FreeNames>();

function isMemberName(node: ts.Identifier): boolean {
  const p = node.parent;
  if (!p) return false;
  if ((ts.isPropertyAccessExpression(p) || ts.isQualifiedName(p)) && (p as ts.PropertyAccessExpression).name === node) return true;
  if (ts.isQualifiedName(p) && p.right === node) return true;
  if ((ts.isPropertyAssignment(p) || ts.isPropertySignature(p) || ts.isPropertyDeclaration(p) || ts.isMethodDeclaration(p) || ts.isMethodSignature(p) || ts.isGetAccessor(p) || ts.isSetAccessor(p) || ts.isEnumMember(p)) && p.name === node) return true;
  if ((ts.isImportSpecifier(p) || ts.isBindingElement(p)) && p.propertyName === node) return true;
  return false;
}

const declarationKinds = new Set([
  ts.SyntaxKind.VariableDeclaration, ts.SyntaxKind.Parameter, ts.SyntaxKind.FunctionDeclaration, ts.SyntaxKind.ClassDeclaration,
  ts.SyntaxKind.InterfaceDeclaration, ts.SyntaxKind.TypeAliasDeclaration, ts.SyntaxKind.EnumDeclaration, ts.SyntaxKind.ModuleDeclaration,
  ts.SyntaxKind.BindingElement, ts.SyntaxKind.TypeParameter, ts.SyntaxKind.ImportClause, ts.SyntaxKind.NamespaceImport,
  ts.SyntaxKind.ImportSpecifier, ts.SyntaxKind.ImportEqualsDeclaration, ts.SyntaxKind.FunctionExpression, ts.SyntaxKind.ClassExpression,
]);

function isDeclarationName(node: ts.Identifier): boolean {
  return declarationKinds.has(node.parent.kind) && (node.parent as ts.NamedDeclaration).name === node;
}

/** Names a module declares at its top level: they hide globals of the same name everywhere in it. */
function topLevelNames(sf: ts.SourceFile): Set<string> {
  const names = new Set<string>();
  if (!ts.isExternalModule(sf)) return names;
  const addBinding = (n: ts.BindingName) => {
    if (ts.isIdentifier(n)) names.add(n.text);
    else for (const e of n.elements) if (!ts.isOmittedExpression(e)) addBinding(e.name);
  };
  for (const st of sf.statements) {
    if (ts.isImportDeclaration(st) && st.importClause) {
      const c = st.importClause;
      if (c.name) names.add(c.name.text);
      if (c.namedBindings && ts.isNamespaceImport(c.namedBindings)) names.add(c.namedBindings.name.text);
      else if (c.namedBindings) for (const s of c.namedBindings.elements) names.add(s.name.text);
    } else if (ts.isImportEqualsDeclaration(st)) names.add(st.name.text);
    else if (ts.isVariableStatement(st)) for (const d of st.declarationList.declarations) addBinding(d.name);
    else if ((ts.isFunctionDeclaration(st) || ts.isClassDeclaration(st) || ts.isInterfaceDeclaration(st) || ts.isTypeAliasDeclaration(st) || ts.isEnumDeclaration(st)) && st.name) names.add(st.name.text);
  }
  return names;
}

/**
 * The names a file may resolve in the global scope: every identifier outside member-name
 * positions (JSDoc types of JS files included), less the names a module declares at its top level.
 * Over-approximate by design: a name too many only costs a library parsed for nothing.
 */
export function freeNames(sf: ts.SourceFile): Set<string> {
  const { global, modules } = freeNamesByModule(sf);
  return new Set([global, ...modules.values()].flatMap((s) => [...s]));
}

/**
 * freeNames split by where they occur: what is inside `declare module "m" { ... }` can only be
 * reached through module `m` (an import, an import type, a require of it), so a typing that
 * declares a module nobody imports (sendcheck's fallback typings for pool libraries) brings in
 * no library by the globals it names.
 */
function freeNamesByModule(sf: ts.SourceFile): FreeNames {
  const cached = usedCache.get(sf);
  if (cached) return cached;
  const found = new Map<string | undefined, Set<string>>();
  const isModule = ts.isExternalModule(sf);
  // A declaration's own name refers to no global, except where it declares one: a script's
  // declarations outside `declare module "x"`, and anything in `declare global`.
  const visit = (node: ts.Node, parent: ts.Node, inModuleScope: boolean, ambient: string | undefined): void => {
    // Parent pointers are set by the binder, which has not run yet: set on the way down.
    if (!node.parent) (node as { parent: ts.Node }).parent = parent;
    if (ts.isIdentifier(node)) {
      if (!isMemberName(node) && !(inModuleScope && isDeclarationName(node))) {
        let names = found.get(ambient);
        if (!names) found.set(ambient, (names = new Set()));
        names.add(node.text);
      }
      return;
    }
    let scope = inModuleScope;
    let inside = ambient;
    if (ts.isModuleDeclaration(node)) {
      const global = !ts.isStringLiteral(node.name) && node.name.text === 'global' && !!(node.flags & ts.NodeFlags.GlobalAugmentation);
      scope = ts.isStringLiteral(node.name) ? true : global ? false : scope;
      // Only a script's ambient module is reached by its name alone. An augmentation (in a module
      // file) merges into a module that relative paths reach too, and a wildcard pattern
      // (`declare module "*.css"`) matches names no import list spells out: their names count.
      const byName = !isModule && ts.isStringLiteral(node.name) && !node.name.text.includes('*') && !node.name.text.startsWith('.');
      inside = byName ? moduleKey((node.name as ts.StringLiteral).text) : global ? undefined : inside;
    }
    const docs = (node as { jsDoc?: ts.Node[] }).jsDoc;
    if (docs) for (const d of docs) visit(d, node, scope, inside);
    ts.forEachChild(node, (child) => visit(child, node, scope, inside));
  };
  ts.forEachChild(sf, (child) => visit(child, sf, isModule, undefined));
  const hidden = topLevelNames(sf);
  const keep = (names: Set<string>) => new Set([...names].filter((n) => !hidden.has(n) && !ubiquitous.has(n)));
  const result: FreeNames = { global: keep(found.get(undefined) ?? new Set()), modules: new Map() };
  for (const [m, names] of found) if (m !== undefined) result.modules.set(m, keep(names));
  usedCache.set(sf, result);
  return result;
}

/** `node:fs` and `fs` name the same module of Node's typings. */
const moduleKey = (name: string): string => name.replace(/^node:/, '');

/** The module names a program's files refer to (imports, exports from, import types, require and import() calls). */
function referencedModules(program: ts.Program): Set<string> {
  const out = new Set<string>();
  for (const sf of program.getSourceFiles()) {
    // TypeScript's own list of a file's module references, filled when the program was built.
    for (const lit of (sf as { imports?: readonly ts.StringLiteralLike[] }).imports ?? []) out.add(moduleKey(lit.text));
  }
  return out;
}

/** Which optional libraries and fallback typings a project's programs hold so far. */
export class LeanLibs {
  private readonly included = new Set<string>();

  constructor(
    private readonly options: ts.CompilerOptions,
    private readonly fallbacks: readonly string[],
  ) {}

  /** The full library list of the options: the target's default library spelled out when no `lib` is set. */
  private fullLibs(): string[] | undefined {
    if (this.options.lib) return this.options.lib;
    const def = path.join(path.dirname(ts.getDefaultLibFilePath(this.options)), ts.getDefaultLibFileName(this.options));
    let text: string;
    try {
      text = fs.readFileSync(def, 'utf8');
    } catch {
      return undefined;
    }
    // Only a default library that is nothing but references (lib.esXXXX.full.d.ts) can be split.
    const code = text.replace(/\/\*[\s\S]*?\*\//g, '').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('///'));
    if (code.length) return undefined;
    return [...text.matchAll(/<reference lib="([^"]+)"/g)].map((m) => `lib.${m[1].toLowerCase()}.d.ts`);
  }

  private optional(): { libs: string[]; fallbacks: string[] } {
    const libs = (this.fullLibs() ?? []).filter((l) => optionalLib.test(l));
    return { libs: libs.filter((l) => !this.included.has(l)), fallbacks: this.fallbacks.filter((f) => optionalFallback.test(f) && !this.included.has(f)) };
  }

  /** Compiler options and roots for the next program: the optional parts not yet needed left out. */
  shape(roots: string[]): { options: ts.CompilerOptions; roots: string[] } {
    const full = this.fullLibs();
    const left = this.optional();
    // SENDCHECK_FULL_LIBS=1 builds every program whole: the reference the lean one is compared with.
    if (process.env.SENDCHECK_FULL_LIBS || !full || (!left.libs.length && !left.fallbacks.length)) return { options: this.options, roots };
    const out = new Set([...left.libs, ...left.fallbacks]);
    return { options: { ...this.options, lib: full.filter((l) => !out.has(l)) }, roots: roots.filter((r) => !out.has(r)) };
  }

  /**
   * Takes in the optional parts the program's files need (directly, or through a part taken in:
   * the chrome typings extend the DOM's `Window`). True when the program must be built again.
   */
  widen(program: ts.Program): boolean {
    const left = this.optional();
    if (!left.libs.length && !left.fallbacks.length) return false;
    const libDir = path.dirname(ts.getDefaultLibFilePath(this.options));
    const parts = [...left.libs.map((l) => ({ key: l, file: path.join(libDir, l) })), ...left.fallbacks.map((f) => ({ key: f, file: f }))];
    const used = new Set<string>();
    const referenced = referencedModules(program);
    for (const sf of program.getSourceFiles()) {
      // Node's typings (and the undici types they import) are written to work with and without
      // the DOM: its web globals are declared by Node's typings too, conditionally on the DOM.
      if (program.isSourceFileDefaultLibrary(sf) || nodeTypings.test(sf.fileName)) continue;
      const { global, modules } = freeNamesByModule(sf);
      for (const n of global) used.add(n);
      for (const [m, names] of modules) if (referenced.has(m)) for (const n of names) used.add(n);
    }
    // globalThis holds every global.
    const all = used.has('globalThis');
    let grew = false;
    let changed = true;
    while (changed) {
      changed = false;
      for (const part of parts) {
        if (this.included.has(part.key)) continue;
        const names = declaredGlobals(part.file);
        if (!all && ![...names].some((n) => used.has(n))) continue;
        this.included.add(part.key);
        for (const n of names) used.add(n);
        grew = changed = true;
      }
    }
    return grew;
  }
}
