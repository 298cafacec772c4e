import * as ts from 'typescript';
import { originsOf, skipOuter } from './flow';
import { isLibraryFile, literalMemberWrites } from './origin';
import { joinPath } from './walk';

// JSON has no Infinity or NaN: JSON.stringify writes `null` for them, so a number that is
// Infinity (an "unlimited" quota, a `Math.min` of nothing) or NaN crosses a JSON channel
// (child_process/cluster IPC) as null, silently. Its type is `number` like any other number, so the
// value is recognised by where it comes from: the globals `Infinity`/`NaN`,
// `Number.POSITIVE_INFINITY`/`NEGATIVE_INFINITY`/`NaN`, `-Infinity`, and `x / 0` with a literal 0.
// The walk follows the sent value's literal members (also those set after the literal:
// `msg.max = limit`) through variables and returns, as flow.ts finds them; a parameter's callers
// are left to the derived sink that judges each call of the wrapper.

export interface NonFiniteSighting {
  /** Access path from the sent value. */
  path: string;
  /** `Infinity`, `-Infinity` or `NaN`. */
  what: string;
  /** Where the non-finite number is written. */
  at: ts.Expression;
}

const maxDepth = 4;
const maxSightings = 4;

function isGlobal(checker: ts.TypeChecker, program: ts.Program, id: ts.Identifier): boolean {
  let sym: ts.Symbol | undefined;
  try {
    sym = checker.getSymbolAtLocation(id);
  } catch {
    return false;
  }
  const decl = sym?.declarations?.[0];
  return !!decl && isLibraryFile(program, decl.getSourceFile());
}

/** `Infinity`, `-Infinity`, `NaN`, `Number.POSITIVE_INFINITY`, `x / 0`: what it is, or undefined. */
export function nonFiniteLiteral(expr: ts.Expression, checker: ts.TypeChecker, program: ts.Program): string | undefined {
  const e = skipOuter(expr);
  if (ts.isPrefixUnaryExpression(e) && (e.operator === ts.SyntaxKind.MinusToken || e.operator === ts.SyntaxKind.PlusToken)) {
    const inner = nonFiniteLiteral(e.operand, checker, program);
    return inner === 'Infinity' && e.operator === ts.SyntaxKind.MinusToken ? '-Infinity' : inner;
  }
  if (ts.isIdentifier(e) && (e.text === 'Infinity' || e.text === 'NaN')) return isGlobal(checker, program, e) ? e.text : undefined;
  if (ts.isPropertyAccessExpression(e) && ts.isIdentifier(e.expression) && e.expression.text === 'Number' && isGlobal(checker, program, e.expression)) {
    if (e.name.text === 'POSITIVE_INFINITY') return 'Infinity';
    if (e.name.text === 'NEGATIVE_INFINITY') return '-Infinity';
    if (e.name.text === 'NaN') return 'NaN';
  }
  if (ts.isBinaryExpression(e) && e.operatorToken.kind === ts.SyntaxKind.SlashToken && ts.isNumericLiteral(skipOuter(e.right)) && Number(skipOuter(e.right).getText()) === 0) {
    return ts.isNumericLiteral(skipOuter(e.left)) && Number(skipOuter(e.left).getText()) === 0 ? 'NaN' : 'Infinity';
  }
  return undefined;
}

/** The non-finite numbers in a value sent over JSON, with the path each one sits at. */
export function findNonFinite(expr: ts.Expression, label: string, checker: ts.TypeChecker, program: ts.Program): NonFiniteSighting[] {
  const out: NonFiniteSighting[] = [];
  const seen = new Set<ts.Node>();
  const visit = (e: ts.Expression, path: string, depth: number): void => {
    if (depth > maxDepth || out.length >= maxSightings || seen.has(e)) return;
    seen.add(e);
    const direct = nonFiniteLiteral(e, checker, program);
    if (direct) return void out.push({ path, what: direct, at: e });
    const x = skipOuter(e);
    if (ts.isIdentifier(x)) for (const [key, rhs] of literalMemberWrites(x, checker)) visit(rhs, joinPath(path, key), depth + 1);
    let origins: ts.Expression[];
    try {
      origins = ts.isObjectLiteralExpression(x) || ts.isArrayLiteralExpression(x) ? [x] : originsOf(checker, x);
    } catch {
      return;
    }
    for (const o0 of origins) {
      const o = skipOuter(o0);
      if (o === x && !ts.isObjectLiteralExpression(o) && !ts.isArrayLiteralExpression(o)) continue;
      const found = nonFiniteLiteral(o, checker, program);
      if (found) {
        if (out.length < maxSightings && !out.some((s) => s.at === o)) out.push({ path, what: found, at: o });
        continue;
      }
      if (ts.isObjectLiteralExpression(o)) {
        for (const p of o.properties) {
          if (!p.name || !(ts.isIdentifier(p.name) || ts.isStringLiteral(p.name))) continue;
          if (ts.isPropertyAssignment(p)) visit(p.initializer, joinPath(path, p.name.text), depth + 1);
          else if (ts.isShorthandPropertyAssignment(p)) visit(p.name, joinPath(path, p.name.text), depth + 1);
        }
      } else if (ts.isArrayLiteralExpression(o)) {
        o.elements.forEach((el, i) => {
          if (!ts.isSpreadElement(el)) visit(el, `${path}[${i}]`, depth + 1);
        });
      } else if (o !== x && (ts.isIdentifier(o) || ts.isCallExpression(o))) {
        visit(o, path, depth + 1);
      }
    }
  };
  visit(expr, label, 0);
  return out;
}
