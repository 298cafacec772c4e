import * as ts from 'typescript';
import type { TextEdit } from '../../engine/types';
import { accessText, isReevaluable, type PathSegment, propertyKey, skipOuter } from './context';
import { appendListElement, removeListElement, replaceNode } from './edits';

// Rewrites one member of a message where it is sent: in an object literal the property itself is
// edited; below a value built elsewhere (`job`, `this.opts`) the send site spreads a copy and
// overrides the member (`{ ...job, onDone: undefined }`), so every other use of `job` is untouched.

export type Leaf = { kind: 'remove' } | { kind: 'replace'; with: (memberText: string) => string };

function propertyName(p: ts.ObjectLiteralElementLike): string | undefined {
  const n = p.name;
  if (!n) return undefined;
  if (ts.isIdentifier(n) || ts.isStringLiteral(n) || ts.isNumericLiteral(n) || ts.isPrivateIdentifier(n)) return n.text;
  return undefined;
}

/** Edits that change the member at `segments` (property names only) of the sent expression `expr`. */
export function rewriteMember(file: string, expr: ts.Expression, segments: readonly PathSegment[], leaf: Leaf): TextEdit[] | undefined {
  if (segments.some((s) => s.kind !== 'property')) return undefined;
  const names = segments.map((s) => (s as { name: string }).name);
  const sf = expr.getSourceFile();
  const e = skipOuter(expr);
  if (names.length === 0) {
    if (leaf.kind === 'remove') return undefined;
    return [replaceValue(file, expr, leaf.with(expr.getText(sf)))];
  }
  const [first, ...rest] = names;
  if (ts.isObjectLiteralExpression(e)) {
    // The last property of a name wins; a spread after it could override it again, so give up then.
    let idx = -1;
    e.properties.forEach((p, i) => {
      if (propertyName(p) === first) idx = i;
    });
    if (idx < 0) return overrideSpread(file, e, names, leaf);
    if (e.properties.slice(idx + 1).some(ts.isSpreadAssignment)) return undefined;
    const prop = e.properties[idx];
    if (rest.length === 0) {
      if (leaf.kind === 'remove') return [removeListElement(file, sf, e.properties, idx, e)];
      if (ts.isPropertyAssignment(prop)) return [replaceNode(file, prop.initializer, leaf.with(prop.initializer.getText(sf)))];
      if (ts.isShorthandPropertyAssignment(prop)) return [replaceNode(file, prop, `${prop.name.text}: ${leaf.with(prop.name.text)}`)];
      return undefined;
    }
    if (ts.isPropertyAssignment(prop)) return rewriteMember(file, prop.initializer, segments.slice(1), leaf);
    if (ts.isShorthandPropertyAssignment(prop)) return [replaceNode(file, prop, `${prop.name.text}: ${overrideCopy(prop.name.text, rest, leaf)}`)];
    return undefined;
  }
  // A value built elsewhere is written once more per level of the path: only a plain reference may be.
  // Where that cannot be done, in a value a helper of this file builds as one literal
  // (`error: describeError(err)` sending `error.config.transformRequest`), the member is changed
  // where the helper writes it instead.
  if (!isReevaluable(e) && !(leaf.kind === 'remove' && names.length === 1)) {
    const built = ts.isCallExpression(e) ? builtLiteral(e) : undefined;
    return built ? rewriteMember(file, built, segments, leaf) : undefined;
  }
  // A call (`describe()`, `await describe()`) runs once, inside the copy's spread.
  const awaitedCall = ts.isAwaitExpression(e) && (ts.isCallExpression(skipOuter(e.expression)) || ts.isNewExpression(skipOuter(e.expression)));
  if (!isReevaluable(e) && !ts.isNewExpression(e) && !ts.isCallExpression(e) && !awaitedCall) return undefined;
  return [replaceValue(file, expr, overrideCopy(e.getText(sf), names, leaf))];
}

/**
 * The object literal a call returns, when the callee is a function declared at the top of this
 * file (`function describeError(err) { return { ..., config: err.config }; }`, or an arrow) whose
 * one way out returns that literal.
 */
function builtLiteral(call: ts.CallExpression): ts.ObjectLiteralExpression | undefined {
  if (!ts.isIdentifier(call.expression)) return undefined;
  const name = call.expression.text;
  const sf = call.getSourceFile();
  let fn: ts.FunctionLikeDeclaration | undefined;
  for (const st of sf.statements) {
    if (ts.isFunctionDeclaration(st) && st.name?.text === name && st.body) fn = st;
    else if (ts.isVariableStatement(st) && st.declarationList.flags & ts.NodeFlags.Const)
      for (const d of st.declarationList.declarations) if (ts.isIdentifier(d.name) && d.name.text === name && d.initializer && (ts.isArrowFunction(d.initializer) || ts.isFunctionExpression(d.initializer))) fn = d.initializer;
  }
  if (!fn?.body || fn.modifiers?.some((m) => m.kind === ts.SyntaxKind.AsyncKeyword) || fn.asteriskToken) return undefined;
  if (!ts.isBlock(fn.body)) {
    const body = skipOuter(fn.body);
    return ts.isObjectLiteralExpression(body) ? body : undefined;
  }
  const returns: ts.ReturnStatement[] = [];
  const visit = (n: ts.Node): void => {
    if (ts.isReturnStatement(n)) returns.push(n);
    else if (!ts.isFunctionLike(n)) ts.forEachChild(n, visit);
  };
  visit(fn.body);
  const only = returns.length === 1 && returns[0].expression ? skipOuter(returns[0].expression) : undefined;
  return only && ts.isObjectLiteralExpression(only) ? only : undefined;
}

/**
 * The member comes from the literal's one spread (`{ ...err, message: err.message }` sending
 * `err.config`): a property after everything overrides it, `config: { ...err.config, hook: undefined }`.
 */
function overrideSpread(file: string, literal: ts.ObjectLiteralExpression, names: readonly string[], leaf: Leaf): TextEdit[] | undefined {
  const spreads = literal.properties.filter(ts.isSpreadAssignment);
  if (spreads.length !== 1 || !isReevaluable(spreads[0].expression)) return undefined;
  const [first, ...rest] = names;
  const member = accessText(skipOuter(spreads[0].expression).getText(), first);
  const inner = rest.length ? overrideCopy(member, rest, leaf) : leaf.kind === 'remove' ? 'undefined' : leaf.with(member);
  return [appendListElement(file, literal.getSourceFile(), literal, `${propertyKey(first)}: ${inner}`)];
}

/** Replaces the sent expression; an object literal that becomes an arrow's concise body is parenthesized (`() => ({ ... })`), or it would read as a block. */
function replaceValue(file: string, expr: ts.Expression, text: string): TextEdit {
  const body = ts.isArrowFunction(expr.parent) && expr.parent.body === expr;
  return replaceNode(file, expr, body && text.startsWith('{') ? `(${text})` : text);
}

/** `{ ...base, a: { ...base.a, b: <leaf> } }` */
function overrideCopy(base: string, names: readonly string[], leaf: Leaf): string {
  const [first, ...rest] = names;
  const member = accessText(base, first);
  const inner = rest.length ? overrideCopy(member, rest, leaf) : leaf.kind === 'remove' ? 'undefined' : leaf.with(member);
  return `{ ...${base}, ${propertyKey(first)}: ${inner} }`;
}

/**
 * The expression that evaluates to the member at `segments` where the value is sent, when it can
 * be written again without side effects (`port2` for `{ reply: port2 }`, `msg.reply` for `msg`).
 */
export function memberReference(expr: ts.Expression, segments: readonly PathSegment[]): string | undefined {
  if (segments.some((s) => s.kind !== 'property')) return undefined;
  const sf = expr.getSourceFile();
  const e = skipOuter(expr);
  if (segments.length === 0) return isReevaluable(e) ? e.getText(sf) : undefined;
  const [first, ...rest] = segments as { kind: 'property'; name: string }[];
  if (ts.isObjectLiteralExpression(e)) {
    const prop = [...e.properties].reverse().find((p) => propertyName(p) === first.name);
    if (!prop) return undefined;
    if (ts.isPropertyAssignment(prop)) return memberReference(prop.initializer, rest);
    if (ts.isShorthandPropertyAssignment(prop)) return rest.reduce((base, s) => accessText(base, s.name), prop.name.text);
    return undefined;
  }
  if (!isReevaluable(e)) return undefined;
  return segments.reduce((base, s) => accessText(base, (s as { name: string }).name), e.getText(sf));
}
