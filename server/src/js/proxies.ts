import * as ts from 'typescript';
import { isLibraryFile } from './origin';

// A Proxy has the type of its target, so the type walk cannot see it; it is found by its
// creation instead: `new Proxy(...)` sent directly, through a const, or as a property of an
// object literal being sent (reactive state from a UI framework is the usual case).

export interface ProxySighting {
  path: string;
  created: ts.Node;
}

export function findProxies(expr: ts.Expression, label: string, checker: ts.TypeChecker, program: ts.Program): ProxySighting[] {
  const e = skip(expr);
  const direct = proxyCreation(e, checker, program);
  if (direct) return [{ path: label, created: direct }];
  if (!ts.isObjectLiteralExpression(e)) return [];
  const out: ProxySighting[] = [];
  for (const p of e.properties) {
    if (!p.name || !(ts.isIdentifier(p.name) || ts.isStringLiteral(p.name))) continue;
    let created: ts.Node | undefined;
    if (ts.isPropertyAssignment(p)) created = proxyCreation(skip(p.initializer), checker, program);
    else if (ts.isShorthandPropertyAssignment(p)) created = fromSymbol(checker.getShorthandAssignmentValueSymbol(p), checker, program, 0);
    if (created) out.push({ path: label ? `${label}.${p.name.text}` : p.name.text, created });
  }
  return out;
}

function skip(e: ts.Expression): ts.Expression {
  while (ts.isParenthesizedExpression(e) || ts.isAsExpression(e) || ts.isNonNullExpression(e) || ts.isSatisfiesExpression(e)) e = e.expression;
  return e;
}

function proxyCreation(e: ts.Expression, checker: ts.TypeChecker, program: ts.Program, hops = 0): ts.Node | undefined {
  if (ts.isNewExpression(e) && ts.isIdentifier(e.expression) && e.expression.text === 'Proxy') {
    const decl = checker.getSymbolAtLocation(e.expression)?.declarations?.[0];
    return decl && isLibraryFile(program, decl.getSourceFile()) ? e : undefined;
  }
  if (ts.isIdentifier(e)) return fromSymbol(checker.getSymbolAtLocation(e), checker, program, hops);
  return undefined;
}

function fromSymbol(sym: ts.Symbol | undefined, checker: ts.TypeChecker, program: ts.Program, hops: number): ts.Node | undefined {
  const decl = sym?.valueDeclaration;
  if (hops >= 3 || !decl || !ts.isVariableDeclaration(decl) || !decl.initializer) return undefined;
  if (!(ts.getCombinedNodeFlags(decl) & ts.NodeFlags.Const)) return undefined;
  return proxyCreation(skip(decl.initializer), checker, program, hops + 1);
}
