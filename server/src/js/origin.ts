import * as path from 'node:path';
import * as ts from 'typescript';

// Where a declaration comes from, so that sinks and host types are recognised by the library
// that declares them rather than by their names alone: a user's own `class Worker` or
// `bus.postMessage` is not the platform's.

export interface Origin {
  /** `dom` (TypeScript's lib files), `global` (Node's global scope), a Node module (`worker_threads`), a package name, or `user`. */
  module: string;
  /** Dotted container names, innermost last (`Worker`, `NodeJS.Process`); empty for top-level functions. */
  container: string;
  name: string;
}

const typingsMarker = `${path.sep}typings${path.sep}`;

export function isLibraryFile(program: ts.Program, sf: ts.SourceFile): boolean {
  const f = sf.fileName.replace(/\\/g, '/');
  return program.isSourceFileDefaultLibrary(sf) || /\/lib\.[\w.]+\.d\.ts$/.test(f) || f.includes('/node_modules/') || isFallbackTypings(sf);
}

export function isFallbackTypings(sf: ts.SourceFile): boolean {
  return sf.isDeclarationFile && path.resolve(sf.fileName).includes(typingsMarker) && /(?:dist|server)[\\/]typings[\\/]/.test(path.resolve(sf.fileName));
}

function packageOf(fileName: string): string | undefined {
  const f = fileName.replace(/\\/g, '/');
  const i = f.lastIndexOf('/node_modules/');
  if (i < 0) return undefined;
  const parts = f.slice(i + '/node_modules/'.length).split('/');
  if (parts[0] === '@types') return parts[1];
  return parts[0].startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0];
}

export function normaliseModule(name: string): string {
  return name.replace(/^node:/, '');
}

export function originOf(program: ts.Program, decl: ts.Node): Origin | undefined {
  const sf = decl.getSourceFile();
  const name = declName(decl);
  const containers: string[] = [];
  let ambientModule: string | undefined;
  for (let n: ts.Node | undefined = decl.parent; n; n = n.parent) {
    if (ts.isClassLike(n) || ts.isInterfaceDeclaration(n)) {
      if (n.name) containers.unshift(n.name.text);
    } else if (ts.isModuleDeclaration(n)) {
      if (ts.isStringLiteral(n.name)) {
        ambientModule = normaliseModule(n.name.text);
        break;
      }
      if (n.name.text !== 'global') containers.unshift(n.name.text);
    } else if (ts.isVariableDeclaration(n) && ts.isIdentifier(n.name)) {
      containers.unshift(n.name.text);
    }
  }
  const container = containers.join('.');
  const f = sf.fileName.replace(/\\/g, '/');
  if (program.isSourceFileDefaultLibrary(sf) || /\/typescript\/lib\/lib\.[\w.]+\.d\.ts$/.test(f) || /\/lib\.[\w.]+\.d\.ts$/.test(f)) return { module: 'dom', container, name };
  if (ambientModule) return { module: ambientModule, container, name };
  const pkg = packageOf(f);
  if (pkg === 'node') return { module: 'global', container, name };
  if (pkg) return { module: pkg, container, name };
  if (isFallbackTypings(sf)) return { module: 'global', container, name };
  return { module: 'user', container, name };
}

function declName(decl: ts.Node): string {
  const n = (decl as { name?: ts.Node }).name;
  if (n && (ts.isIdentifier(n) || ts.isStringLiteral(n) || ts.isPrivateIdentifier(n))) return n.text;
  if (ts.isConstructorDeclaration(decl) || ts.isConstructSignatureDeclaration(decl)) return 'constructor';
  return '';
}

/** Resolves an import alias to the symbol it names. */
export function resolveAlias(checker: ts.TypeChecker, sym: ts.Symbol | undefined): ts.Symbol | undefined {
  if (sym && sym.flags & ts.SymbolFlags.Alias) {
    try {
      return checker.getAliasedSymbol(sym);
    } catch {
      return sym;
    }
  }
  return sym;
}

/** The names of a class or interface type's bases, nearest first (`Duplex`, `Readable`, `Stream`, `EventEmitter` for a Socket). */
export function baseNames(checker: ts.TypeChecker, type: ts.Type): string[] {
  const out: string[] = [];
  const seen = new Set<ts.Type>();
  const queue: ts.Type[] = [type];
  while (queue.length && out.length < 32) {
    const t = queue.shift()!;
    const target = (t as ts.TypeReference).target ?? t;
    if (seen.has(target)) continue;
    seen.add(target);
    if (!(target.flags & ts.TypeFlags.Object) || !((target as ts.ObjectType).objectFlags & (ts.ObjectFlags.Class | ts.ObjectFlags.Interface))) continue;
    let bases: readonly ts.BaseType[] = [];
    try {
      bases = checker.getBaseTypes(target as ts.InterfaceType);
    } catch {
      bases = [];
    }
    for (const b of bases) {
      const n = b.getSymbol()?.getName();
      if (n && !n.startsWith('__')) out.push(n);
      queue.push(b);
    }
  }
  return out;
}

const textTests = new WeakMap<ts.SourceFile, Map<RegExp, boolean>>();

/**
 * `re.test(sf.text)`, once per file version: an unchanged file keeps its SourceFile from program
 * to program, so the program-wide lookups that read every file's text read only an edited one again.
 */
export function textTest(sf: ts.SourceFile, re: RegExp): boolean {
  let tests = textTests.get(sf);
  if (!tests) textTests.set(sf, (tests = new Map()));
  let result = tests.get(re);
  if (result === undefined) tests.set(re, (result = re.test(sf.text)));
  return result;
}

/**
 * `x.key = value` on a variable initialised with an object literal, in the function or module that
 * declares it (a message filled in after its literal: `const req = { id }; req.tags = tags`), at most 16.
 */
export function literalMemberWrites(id: ts.Identifier, checker: ts.TypeChecker): [string, ts.Expression][] {
  let sym: ts.Symbol | undefined;
  try {
    sym = checker.getSymbolAtLocation(id);
  } catch {
    return [];
  }
  const decl = sym?.valueDeclaration;
  if (!sym || !decl || !ts.isVariableDeclaration(decl) || !decl.initializer) return [];
  let init: ts.Expression = decl.initializer;
  while (ts.isParenthesizedExpression(init) || ts.isAsExpression(init) || ts.isNonNullExpression(init) || ts.isSatisfiesExpression(init) || ts.isTypeAssertionExpression(init) || ts.isAwaitExpression(init)) init = init.expression;
  if (!ts.isObjectLiteralExpression(init)) return [];
  const scope = ts.findAncestor(decl, (n) => ts.isFunctionLike(n) || ts.isSourceFile(n));
  if (!scope) return [];
  const out: [string, ts.Expression][] = [];
  const visit = (n: ts.Node): void => {
    if (out.length >= 16) return;
    if (ts.isBinaryExpression(n) && n.operatorToken.kind === ts.SyntaxKind.EqualsToken && ts.isPropertyAccessExpression(n.left) && ts.isIdentifier(n.left.expression) && n.left.expression.text === id.text) {
      if (checker.getSymbolAtLocation(n.left.expression) === sym) out.push([n.left.name.text, n.right]);
    }
    ts.forEachChild(n, visit);
  };
  ts.forEachChild(scope, visit);
  return out;
}

const errorClasses = new Set(['Error', 'EvalError', 'RangeError', 'ReferenceError', 'SyntaxError', 'TypeError', 'URIError', 'AggregateError']);

/**
 * An instance of a class written with `class … extends` in the workspace whose chain of classes,
 * all written so, ends at a built-in Error: `super()` makes it a real Error object. A class a
 * package declares in a .d.ts may be built otherwise (`Error.call(this)`, a plain object with
 * Error's prototype), which the clone copies member by member.
 */
export function isWorkspaceErrorClass(type: ts.Type, checker: ts.TypeChecker, program: ts.Program): boolean {
  let sym = type.getSymbol();
  for (let depth = 0; sym && depth < 8; depth++) {
    // The built-in is an interface and a constructor variable in the default library.
    if (depth > 0 && errorClasses.has(sym.getName()) && sym.declarations?.some((d) => program.isSourceFileDefaultLibrary(d.getSourceFile()))) return true;
    if (!(sym.flags & ts.SymbolFlags.Class)) return false;
    const decl = sym.declarations?.find(ts.isClassLike);
    if (!decl) return false;
    const sf = decl.getSourceFile();
    if (sf.isDeclarationFile || isLibraryFile(program, sf)) return false;
    const base = checker.getBaseTypes(checker.getDeclaredTypeOfSymbol(sym) as ts.InterfaceType)[0];
    sym = base?.getSymbol();
  }
  return false;
}
