import * as ts from 'typescript';
import { originOf, resolveAlias } from './origin';

// Where a value can come from, when the expression at the sink does not say: a bounded
// may-analysis over variable initialisers and assignments, fields assigned anywhere in their
// class (`this._fork ||= fork(...)` in one method, `this._fork.send(...)` in another), getters and
// helpers' return values. Rules and sink classification ask this module; they do not follow
// assignments themselves.

const maxHops = 6;
const maxOrigins = 16;

/** Assignments in a file by the assigned name (`x = …`, `this.x ||= …`, `obj.x ??= …`), built once per parsed file. */
const assignmentIndex = new WeakMap<ts.SourceFile, Map<string, ts.BinaryExpression[]>>();

function isAssignment(kind: ts.SyntaxKind): boolean {
  return (
    kind === ts.SyntaxKind.EqualsToken ||
    kind === ts.SyntaxKind.BarBarEqualsToken ||
    kind === ts.SyntaxKind.QuestionQuestionEqualsToken ||
    kind === ts.SyntaxKind.AmpersandAmpersandEqualsToken
  );
}

function assignmentsIn(sf: ts.SourceFile): Map<string, ts.BinaryExpression[]> {
  let index = assignmentIndex.get(sf);
  if (index) return index;
  const built = new Map<string, ts.BinaryExpression[]>();
  const visit = (n: ts.Node): void => {
    if (ts.isBinaryExpression(n) && isAssignment(n.operatorToken.kind)) {
      const left = skipOuter(n.left);
      const name = ts.isIdentifier(left) ? left.text : ts.isPropertyAccessExpression(left) ? left.name.text : undefined;
      if (name) {
        const list = built.get(name) ?? [];
        list.push(n);
        built.set(name, list);
      }
    }
    ts.forEachChild(n, visit);
  };
  visit(sf);
  assignmentIndex.set(sf, built);
  index = built;
  return index;
}

export function skipOuter(e: ts.Expression): ts.Expression {
  while (ts.isParenthesizedExpression(e) || ts.isAsExpression(e) || ts.isNonNullExpression(e) || ts.isSatisfiesExpression(e) || ts.isTypeAssertionExpression(e)) e = e.expression;
  return e;
}

function symbolOf(checker: ts.TypeChecker, node: ts.Node): ts.Symbol | undefined {
  try {
    return resolveAlias(checker, checker.getSymbolAtLocation(node));
  } catch {
    return undefined;
  }
}

/** Functions a call may run: a user function or method, its declaration with a body. */
export function calledFunction(checker: ts.TypeChecker, call: ts.CallExpression | ts.NewExpression): ts.SignatureDeclaration | undefined {
  const callee = ts.isPropertyAccessExpression(call.expression) ? call.expression.name : call.expression;
  const sym = symbolOf(checker, callee);
  for (const d of sym?.declarations ?? []) {
    const fn = functionOf(d);
    if (fn && !fn.getSourceFile().isDeclarationFile) return fn;
  }
  return undefined;
}

function functionOf(d: ts.Node): ts.SignatureDeclaration | undefined {
  if (ts.isFunctionDeclaration(d) || ts.isMethodDeclaration(d) || ts.isFunctionExpression(d) || ts.isArrowFunction(d)) return d.body ? d : undefined;
  if ((ts.isVariableDeclaration(d) || ts.isPropertyDeclaration(d) || ts.isPropertyAssignment(d)) && d.initializer) {
    const init = skipOuter(d.initializer);
    if (ts.isFunctionExpression(init) || ts.isArrowFunction(init)) return init;
  }
  return undefined;
}

/** The expressions a function returns (an arrow's expression body included). */
export function returnedExpressions(fn: ts.SignatureDeclaration): ts.Expression[] {
  const body = (fn as { body?: ts.Node }).body;
  if (!body) return [];
  if (!ts.isBlock(body)) return [body as ts.Expression];
  const out: ts.Expression[] = [];
  const visit = (n: ts.Node): void => {
    if (ts.isFunctionLike(n)) return; // a nested function's returns are its own
    if (ts.isReturnStatement(n) && n.expression) out.push(n.expression);
    ts.forEachChild(n, visit);
  };
  ts.forEachChild(body, visit);
  return out;
}

/**
 * The possible origins of `expr`: the expressions that produce its value (calls, `new`, literals,
 * parameters), found through variables, assignments anywhere in the variable's or field's file,
 * `||=`/`??=`, logical and conditional operators, getters and user functions' returns. Bounded by
 * hops and count; an empty answer means nothing was seen, never "nothing can reach it".
 */
export function originsOf(checker: ts.TypeChecker, expr: ts.Expression): ts.Expression[] {
  const out: ts.Expression[] = [];
  const seen = new Set<ts.Node>();
  const add = (e: ts.Expression, hops: number): void => {
    if (out.length >= maxOrigins || seen.has(e)) return;
    seen.add(e);
    const x = skipOuter(e);
    if (hops >= maxHops) return void out.push(x);
    if (ts.isConditionalExpression(x)) return add(x.whenTrue, hops), add(x.whenFalse, hops);
    if (ts.isBinaryExpression(x)) {
      const op = x.operatorToken.kind;
      if (op === ts.SyntaxKind.BarBarToken || op === ts.SyntaxKind.QuestionQuestionToken || isAssignment(op)) {
        if (op !== ts.SyntaxKind.EqualsToken) add(x.left, hops + 1);
        return add(x.right, hops + 1);
      }
      if (op === ts.SyntaxKind.CommaToken) return add(x.right, hops);
    }
    if (ts.isAwaitExpression(x)) return add(x.expression, hops);
    if (ts.isIdentifier(x) || ts.isPropertyAccessExpression(x)) {
      const sym = symbolOf(checker, ts.isPropertyAccessExpression(x) ? x.name : x);
      if (!sym) return void out.push(x);
      const before = out.length;
      for (const d of sym.declarations ?? []) {
        if (ts.isVariableDeclaration(d) || ts.isPropertyDeclaration(d)) {
          if (d.initializer) add(d.initializer, hops + 1);
        } else if (ts.isGetAccessorDeclaration(d)) {
          for (const r of returnedExpressions(d)) add(r, hops + 1);
        } else if (ts.isParameter(d)) {
          out.push(x);
        } else if (ts.isFunctionDeclaration(d) || ts.isClassDeclaration(d)) {
          out.push(x);
        }
      }
      // Every assignment to the same variable or field, wherever it is in the file that declares it.
      const name = sym.getName();
      const files = new Set((sym.declarations ?? []).map((d) => d.getSourceFile()));
      for (const sf of files) {
        if (sf.isDeclarationFile) continue;
        for (const a of assignmentsIn(sf).get(name) ?? []) {
          const left = skipOuter(a.left);
          if (symbolOf(checker, ts.isPropertyAccessExpression(left) ? left.name : left) === sym) add(a.right, hops + 1);
        }
      }
      if (out.length === before) out.push(x);
      return;
    }
    if (ts.isCallExpression(x)) {
      const fn = calledFunction(checker, x);
      if (fn && !fn.getSourceFile().fileName.includes('/node_modules/')) {
        const returns = returnedExpressions(fn);
        if (returns.length) {
          for (const r of returns) add(r, hops + 1);
          return;
        }
      }
    }
    out.push(x);
  };
  add(expr, 0);
  return out;
}

/**
 * The own enumerable properties of `X.prototype` when `X` is a user class or constructor function:
 * class syntax defines methods and accessors non-enumerable, so a class's prototype clones as `{}`;
 * `X.prototype.name = value` adds an ordinary (enumerable) property. Undefined when `expr` is not
 * such a prototype.
 */
export function prototypeMembers(checker: ts.TypeChecker, expr: ts.Expression): { name: string; value: ts.Expression }[] | undefined {
  const e = skipOuter(expr);
  if (!ts.isPropertyAccessExpression(e) || e.name.text !== 'prototype') return undefined;
  const owner = symbolOf(checker, e.expression);
  const decls = owner?.declarations ?? [];
  const isConstructor = decls.some(
    (d) => ts.isClassLike(d) || ts.isFunctionDeclaration(d) || (ts.isVariableDeclaration(d) && !!d.initializer && (ts.isClassExpression(skipOuter(d.initializer)) || ts.isFunctionExpression(skipOuter(d.initializer)))),
  );
  if (!owner || !isConstructor || decls.every((d) => d.getSourceFile().isDeclarationFile)) return undefined;
  const out: { name: string; value: ts.Expression }[] = [];
  for (const sf of new Set(decls.map((d) => d.getSourceFile()))) {
    for (const list of assignmentsIn(sf).values()) {
      for (const a of list) {
        const left = skipOuter(a.left);
        if (a.operatorToken.kind !== ts.SyntaxKind.EqualsToken) continue;
        // `X.prototype.name = value`
        if (ts.isPropertyAccessExpression(left) && ts.isPropertyAccessExpression(left.expression) && left.expression.name.text === 'prototype' && symbolOf(checker, left.expression.expression) === owner) {
          out.push({ name: left.name.text, value: a.right });
        }
        // `X.prototype = { ... }`: the literal's own properties.
        if (ts.isPropertyAccessExpression(left) && left.name.text === 'prototype' && symbolOf(checker, left.expression) === owner) {
          const lit = skipOuter(a.right);
          if (ts.isObjectLiteralExpression(lit)) {
            for (const p of lit.properties) {
              if (ts.isPropertyAssignment(p) && (ts.isIdentifier(p.name) || ts.isStringLiteral(p.name))) out.push({ name: p.name.text, value: p.initializer });
              else if (ts.isMethodDeclaration(p) && ts.isIdentifier(p.name)) out.push({ name: p.name.text, value: p as never as ts.Expression });
            }
          }
        }
      }
    }
  }
  return out;
}

/**
 * The type of an expression the checker gives up on because a CommonJS `require()` of a module whose
 * typings export a default (`const cluster = require('node:cluster')`) is typed as the ES namespace,
 * while at run time it is the default export itself. Follows variables and calls.
 */
export function commonJsInteropType(checker: ts.TypeChecker, expr: ts.Expression, hops = 0): ts.Type | undefined {
  if (hops > 4) return undefined;
  const e = skipOuter(expr);
  if (ts.isIdentifier(e)) {
    const d = symbolOf(checker, e)?.valueDeclaration;
    if (d && ts.isVariableDeclaration(d) && d.initializer && !d.type) {
      const t = checker.getTypeAtLocation(e);
      if (t.flags & ts.TypeFlags.Any) return commonJsInteropType(checker, d.initializer, hops + 1);
      return isModuleNamespace(t) ? defaultExportType(checker, t) : undefined;
    }
    return undefined;
  }
  if (ts.isPropertyAccessExpression(e)) {
    const own = checker.getTypeAtLocation(e);
    if (!(own.flags & ts.TypeFlags.Any)) return undefined;
    const objType = checker.getTypeAtLocation(e.expression);
    const base = isModuleNamespace(objType) ? defaultExportType(checker, objType) : objType.flags & ts.TypeFlags.Any ? commonJsInteropType(checker, e.expression, hops + 1) : undefined;
    const prop = base?.getProperty(e.name.text);
    return prop ? checker.getTypeOfSymbol(prop) : undefined;
  }
  if (ts.isCallExpression(e)) {
    const own = checker.getTypeAtLocation(e);
    if (!(own.flags & ts.TypeFlags.Any)) return undefined;
    const fnType = commonJsInteropType(checker, e.expression, hops + 1);
    const sig = fnType?.getCallSignatures()[0];
    return sig ? sig.getReturnType() : undefined;
  }
  return undefined;
}

function isModuleNamespace(t: ts.Type): boolean {
  const s = t.getSymbol();
  return !!s && (s.flags & ts.SymbolFlags.ValueModule) !== 0;
}

function defaultExportType(checker: ts.TypeChecker, namespace: ts.Type): ts.Type | undefined {
  const mod = namespace.getSymbol();
  if (!mod) return undefined;
  let def: ts.Symbol | undefined;
  try {
    def = checker.getExportsOfModule(mod).find((s) => s.getName() === 'default');
  } catch {
    return undefined;
  }
  const target = resolveAlias(checker, def);
  return target ? checker.getTypeOfSymbol(target) : undefined;
}

/** The module function a call resolves to, as `module.name` (`child_process.fork`), or undefined. */
export function libraryCallee(checker: ts.TypeChecker, program: ts.Program, call: ts.CallExpression): { module: string; name: string } | undefined {
  let decl: ts.Declaration | undefined;
  try {
    decl = checker.getResolvedSignature(call)?.declaration;
  } catch {
    decl = undefined;
  }
  const o = decl ? originOf(program, decl) : undefined;
  return o && o.module !== 'user' ? { module: o.module, name: o.name } : undefined;
}
