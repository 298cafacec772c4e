import * as ts from 'typescript';
import { jsRule, type TypeRule } from './rule';

// Measured on Node 20 and 24: structured clone and JSON read an own accessor once and send its
// value as a plain data property. A getter computed from the object's own fields arrives right
// (`get total() { return this.a + this.b }`); one that reads the clock, a counter outside the object
// or another object's state arrives frozen at the moment of the send, so a receiver that reads it
// again expecting it to move (`stats.uptimeMs`) silently gets the same number. Class getters are
// lost with the prototype (class-instance-loss).
export const getterFrozen: TypeRule = {
  meta: jsRule('getter-frozen', 'warning', 'An object with a getter that reads changing state (the clock, a variable outside the object) is sent: it arrives as a data property frozen at the send.'),
  check: () => undefined,
  checkMember(member, ctx) {
    const decl = member.declaration;
    if (ctx.serializer === 'bridge' || !ts.isGetAccessorDeclaration(decl) || !ts.isObjectLiteralExpression(decl.parent) || !decl.body) return undefined;
    // A spread copy (`{ ...item }`) read the getter once where it was made: TypeScript gives the copy a plain property.
    if (!(member.symbol.flags & ts.SymbolFlags.GetAccessor)) return undefined;
    const live = liveRead(decl, ctx.checker);
    if (!live) return undefined;
    const how = ctx.serializer === 'json' ? 'JSON reads the getter once' : 'structured clone reads the getter once';
    return { severity: 'warning', reason: `is a getter that reads ${live}: ${how} and sends a plain value, which no longer changes on the other side; send the inputs (or a timestamp) and compute it there` };
  },
};

// Calls that give the same answer for the same inputs: they do not make a getter live.
const pureCallees = /^(Math\.(?!random\b)\w+|Number(\.\w+)?|String|Boolean|BigInt|parseInt|parseFloat|isNaN|isFinite|JSON\.\w+|Object\.(keys|values|entries|fromEntries|assign)|Array\.(isArray|from|of)|encodeURIComponent|decodeURIComponent)$/;
const clockCallees = /^(Date\.now|performance\.now|process\.(hrtime(\.bigint)?|uptime|memoryUsage|cpuUsage)|Math\.random|crypto\.randomUUID)$/;

/** What makes the getter's value change without the object changing, in words; undefined when it reads only `this` and constants. */
function liveRead(getter: ts.GetAccessorDeclaration, checker: ts.TypeChecker): string | undefined {
  let found: string | undefined;
  const visit = (n: ts.Node): void => {
    if (found) return;
    if (ts.isCallExpression(n) || ts.isNewExpression(n)) {
      const callee = n.expression.getText();
      if (clockCallees.test(callee) || (ts.isNewExpression(n) && callee === 'Date' && !n.arguments?.length)) {
        found = `the clock (\`${ts.isNewExpression(n) ? 'new ' : ''}${callee}()\`)`;
        return;
      }
      // A method of the object itself or a pure helper: judged by what it is given.
      if (!pureCallees.test(callee) && !startsWithThis(n.expression) && !isMethodOfLocal(n.expression, getter, checker)) {
        found = `the result of \`${callee}()\``;
        return;
      }
    } else if (ts.isIdentifier(n) && isValueRead(n)) {
      const what = outerMutable(n, getter, checker);
      if (what) {
        found = what;
        return;
      }
    }
    ts.forEachChild(n, visit);
  };
  ts.forEachChild(getter.body!, visit);
  return found;
}

function startsWithThis(e: ts.Expression): boolean {
  while (ts.isPropertyAccessExpression(e) || ts.isElementAccessExpression(e) || ts.isCallExpression(e)) e = e.expression;
  return e.kind === ts.SyntaxKind.ThisKeyword;
}

/** `items.map(...)` on a local of the getter, or a string/array method on a value computed inside it. */
function isMethodOfLocal(e: ts.Expression, getter: ts.GetAccessorDeclaration, checker: ts.TypeChecker): boolean {
  if (!ts.isPropertyAccessExpression(e)) return false;
  let root: ts.Expression = e.expression;
  while (ts.isPropertyAccessExpression(root) || ts.isElementAccessExpression(root) || ts.isCallExpression(root)) root = root.expression;
  // A method of a literal or of a value computed in place (`[a, b].join()`, `(x ?? '').trim()`).
  if (!ts.isIdentifier(root)) return root.kind !== ts.SyntaxKind.ThisKeyword;
  const decl = checker.getSymbolAtLocation(root)?.valueDeclaration;
  return !!decl && decl.pos >= getter.pos && decl.end <= getter.end;
}

function isValueRead(id: ts.Identifier): boolean {
  const p = id.parent;
  if (ts.isPropertyAccessExpression(p) && p.name === id) return false;
  if ((ts.isPropertyAssignment(p) || ts.isMethodDeclaration(p) || ts.isPropertyDeclaration(p)) && p.name === id) return false;
  if (ts.isCallExpression(p) && p.expression === id) return false; // judged as a call
  return !ts.isTypeNode(p);
}

/** A `let`/`var` or parameter of an enclosing scope, or a property of an object from outside (`state.count`). */
function outerMutable(id: ts.Identifier, getter: ts.GetAccessorDeclaration, checker: ts.TypeChecker): string | undefined {
  const sym = checker.getSymbolAtLocation(id);
  const decl = sym?.valueDeclaration;
  if (!decl || decl.getSourceFile() !== getter.getSourceFile()) return undefined;
  if (decl.pos >= getter.pos && decl.end <= getter.end) return undefined;
  if (ts.isVariableDeclaration(decl)) {
    const list = decl.parent;
    const isConst = ts.isVariableDeclarationList(list) && (list.flags & ts.NodeFlags.Const) !== 0;
    if (!isConst) return `\`${id.text}\`, a variable outside the object`;
    // A const holding an object: its members can change (`state.count`).
    const p = id.parent;
    if (ts.isPropertyAccessExpression(p) && p.expression === id) {
      const t = checker.getTypeAtLocation(id);
      if (t.flags & ts.TypeFlags.Object && !t.getCallSignatures().length) return `\`${p.getText()}\`, state outside the object`;
    }
    return undefined;
  }
  if (ts.isParameter(decl)) return `\`${id.text}\`, a variable outside the object`;
  return undefined;
}
