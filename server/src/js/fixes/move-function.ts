import * as ts from 'typescript';
import type { Fix, TextEdit } from '../../engine/types';
import { accessText, type FixContext, type PathSegment, propertyKey, sameSegment, skipOuter } from './context';
import { insertAt, replaceSpan } from './edits';
import { rewriteMember } from './payload';
import { wrap } from './plain-data';
import { receivingSide } from './receiver';
import type { DerivedSink } from '../summaries';

// Move the function out of the message: a function cannot be cloned, so either it stays on this
// side (removed from the payload), or, with comlink, it crosses as a proxy the other side calls back.

/**
 * The payload without the function (or without the collection of functions that holds it), and
 * without the other functions the rule reports beside it in the same object: removing one of
 * several would leave the send throwing on the next.
 */
export function removeFunctionFromMessage(ctx: FixContext): Fix[] {
  const each = dropFromEachElement(ctx);
  if (each.length) return each;
  const own = removable(ctx.segments);
  if (!own) return [];
  const parent = own.slice(0, -1);
  const names: string[] = [];
  for (const p of [{ rule: 'no-function', segments: ctx.segments }, ...(ctx.problems ?? [])]) {
    const r = p.rule === 'no-function' ? removable(p.segments) : undefined;
    if (!r || r.length !== own.length || !parent.every((s, i) => sameSegment(s, r[i]))) continue;
    const name = (r[r.length - 1] as { name: string }).name;
    if (!names.includes(name)) names.push(name);
  }
  const edits = removeMembers(ctx.file, ctx.value.expr, parent, names);
  if (!edits) return [];
  const holds = ctx.segments.length > own.length;
  const what = names.length > 1 ? `the functions ${names.map((n) => `\`${n}\``).join(', ')}` : holds ? `\`${names[0]}\`, which holds functions,` : `the function \`${names[0]}\``;
  const notes = [...new Set(names.map((n) => receivingSideNote(ctx, [...parent.map((s) => (s as { name: string }).name), n])))];
  return [{ title: `Remove ${what} from the message sent by ${ctx.sink.api} (${notes.join('; ')})`, id: 'remove-function-from-message', preferred: false, edits }];
}

/**
 * A function held by each element of a collection (`annotations[i].action`, `plugins<value>.setup`):
 * removing the whole collection would drop the data the other side needs, so the send maps each
 * element to a copy without the function (`list.map((item) => ({ ...item, action: undefined }))`,
 * a Map's entries likewise). Other functions reported at the same depth of the same elements go too.
 */
function dropFromEachElement(ctx: FixContext): Fix[] {
  const at = ctx.segments.findIndex((s) => s.kind === 'element');
  if (at < 0) return [];
  const head = ctx.segments.slice(0, at);
  const element = (ctx.segments[at] as { text: string }).text;
  const tail = ctx.segments.slice(at + 1);
  if (tail.length === 0 || tail.some((s) => s.kind !== 'property')) return [];
  // `[i]`: every element of an array (a tuple's `[0]` is one element, whose neighbours may not be objects).
  const isArray = element === '[i]';
  if (!isArray && element !== '<value>') return [];
  const stem = tail.slice(0, -1).map((s) => (s as { name: string }).name);
  const names: string[] = [];
  for (const p of [{ rule: 'no-function', segments: ctx.segments }, ...(ctx.problems ?? [])]) {
    const s = p.segments;
    if (p.rule !== 'no-function' || s.length !== ctx.segments.length || !s.slice(0, -1).every((x, i) => sameSegment(x, ctx.segments[i])) || s[s.length - 1].kind !== 'property') continue;
    const name = (s[s.length - 1] as { name: string }).name;
    if (!names.includes(name)) names.push(name);
  }
  // `{ ...item, a: { ...item.a, b: undefined } }`
  const without = (base: string, rest: readonly string[]): string =>
    rest.length === 0 ? `{ ...${base}, ${names.map((n) => `${propertyKey(n)}: undefined`).join(', ')} }` : `{ ...${base}, ${propertyKey(rest[0])}: ${without(accessText(base, rest[0]), rest.slice(1))} }`;
  const body = without('item', stem);
  let sent = '';
  const edits = rewriteMember(ctx.file, ctx.value.expr, head, {
    kind: 'replace',
    with: (t) => (sent = isArray ? `${/^\[[^\n]*\]$/.test(t) ? t : wrap(t)}.map((item) => (${body}))` : `new Map([...${wrap(t)}].map(([key, item]) => [key, ${body}]))`),
  });
  if (!edits || sent.length > 140) return [];
  const what = names.length > 1 ? `the functions ${names.map((n) => `\`${n}\``).join(', ')}` : `the function \`${names[0]}\``;
  return [{ title: `Send \`${sent}\`: each element without ${what}, which ${names.length > 1 ? 'stay' : 'stays'} on this side (the other side cannot call it)`, id: 'remove-function-from-message', preferred: false, edits }];
}

/** The member a function at `segments` is removed with: itself, or the collection that holds it. */
function removable(segments: readonly PathSegment[]): PathSegment[] | undefined {
  const firstElement = segments.findIndex((s) => s.kind === 'element');
  const out = firstElement < 0 ? [...segments] : segments.slice(0, firstElement);
  return out.length ? out : undefined;
}

/** Removes the members `names` of the object at `parent` in the sent value: from the literal where it is written, else from a copy (`{ ...job, a: undefined, b: undefined }`). */
function removeMembers(file: string, expr: ts.Expression, parent: readonly PathSegment[], names: readonly string[]): TextEdit[] | undefined {
  if (names.length === 1) return rewriteMember(file, expr, [...parent, { kind: 'property', name: names[0] }], { kind: 'remove' });
  const literal = literalAt(expr, parent);
  if (literal) {
    const indices = names.map((n) => lastIndexOf(literal, n));
    if (indices.some((i) => i < 0) || literal.properties.slice(Math.min(...indices)).some(ts.isSpreadAssignment)) return undefined;
    return removeElements(file, literal, [...new Set(indices)].sort((x, y) => x - y));
  }
  return rewriteMember(file, expr, parent, { kind: 'replace', with: (t) => `{ ...${/^[\w$.]+$/.test(t) ? t : `(${t})`}, ${names.map((n) => `${propertyKey(n)}: undefined`).join(', ')} }` });
}

function lastIndexOf(literal: ts.ObjectLiteralExpression, name: string): number {
  let at = -1;
  literal.properties.forEach((p, i) => {
    if (p.name && (ts.isIdentifier(p.name) || ts.isStringLiteral(p.name)) && p.name.text === name) at = i;
  });
  return at;
}

/** The object literal written at `parent` in the sent expression, if it is written there. */
function literalAt(expr: ts.Expression, parent: readonly PathSegment[]): ts.ObjectLiteralExpression | undefined {
  let e = skipOuter(expr);
  for (const s of parent) {
    if (s.kind !== 'property' || !ts.isObjectLiteralExpression(e)) return undefined;
    const i = lastIndexOf(e, s.name);
    const p = e.properties[i];
    if (!p || !ts.isPropertyAssignment(p)) return undefined;
    e = skipOuter(p.initializer);
  }
  return ts.isObjectLiteralExpression(e) ? e : undefined;
}

/** Deletes the properties at `indices` (sorted), each run of neighbours with one edit, so no two edits overlap. */
function removeElements(file: string, literal: ts.ObjectLiteralExpression, indices: number[]): TextEdit[] {
  const sf = literal.getSourceFile();
  const list = literal.properties;
  if (indices.length === list.length) return [replaceSpan(file, sf, literal.getStart(sf) + 1, literal.getEnd() - 1, '')];
  const edits: TextEdit[] = [];
  for (let k = 0; k < indices.length; ) {
    let j = k;
    while (j + 1 < indices.length && indices[j + 1] === indices[j] + 1) j++;
    const first = indices[k];
    const last = indices[j];
    if (last < list.length - 1) edits.push(replaceSpan(file, sf, list[first].getStart(sf), list[last + 1].getStart(sf), ''));
    else edits.push(replaceSpan(file, sf, list[first - 1].getEnd(), list[last].getEnd(), ''));
    k = j + 1;
  }
  return edits;
}

/**
 * What removing the member means for the other side: whether the receiving code (when it is in
 * the workspace) reads it, or that the receiving side was not found and must be checked.
 */
function receivingSideNote(ctx: FixContext, names: string[]): string {
  const derived = (ctx.sink as Partial<DerivedSink>).derived;
  const api = derived ? derived.params[ctx.sink.values.indexOf(ctx.value)]?.reach.sink.api ?? '' : ctx.sink.api;
  if (!/\.(postMessage|send)$/.test(api)) return 'it stays on this side';
  const side = receivingSide(ctx, names);
  if (!side) return 'it stays on this side; the receiving side was not found in the workspace: check that it does not call it';
  const { receiver, target } = side;
  const body = receiver.body.getText(receiver.sourceFile);
  if (target && !new RegExp(`(^|[^\\w$.])${target.replace(/[.$]/g, '\\$&')}(?![\\w$])`).test(body)) return `it stays on this side; ${receiver.who} does not read it`;
  return target ? `it stays on this side; ${receiver.who} reads \`${target}\`, which will be missing there` : `it stays on this side; ${receiver.who} takes the whole message: check that nothing there calls it`;
}

/** `Comlink.proxy(fn)`: comlink's own way to pass a callback, which the other side calls back through a port. */
export function wrapWithComlinkProxy(ctx: FixContext): Fix[] {
  if (ctx.sink.remote !== 'comlink') return [];
  // Comlink only looks for proxies among the arguments themselves; a function nested in an argument
  // is cloned (and throws), even when it is itself marked with `Comlink.proxy`. So the argument that
  // holds it is proxied as a whole: the worker calls the function back through the port, and reads
  // the argument's other fields through it too (each read is a promise there, which a returned or
  // awaited value resolves). Removing the function instead would break a worker that calls it.
  // Only along named properties: an element of a collection is reached by index, not by name.
  if (ctx.segments.some((s) => s.kind !== 'property')) return [];
  const nested = ctx.segments.length > 0;
  const reads = nested ? exposedParameterReads(ctx) : undefined;
  if (reads === 'sync') return [];
  const imported = comlinkProxyName(ctx.sourceFile, ctx.file);
  if (!imported) return [];
  const edits = rewriteMember(ctx.file, ctx.value.expr, [], { kind: 'replace', with: (text) => `${imported.callee}(${text})` });
  if (!edits) return [];
  const text = ctx.value.expr.getText(ctx.sourceFile);
  const index = /^args\[(\d+)\]$/.exec(ctx.value.label);
  const shown = /^[\w$.]+$/.test(text) ? `\`${text}\`` : index ? `argument ${Number(index[1]) + 1} of \`${ctx.sink.api}\`` : nested ? `argument ${(ctx.sink.call.arguments?.indexOf(ctx.value.expr) ?? 0) + 1} of \`${ctx.sink.api}\`` : 'the callback';
  if (nested) {
    const fn = ctx.segments.map((s) => (s as { name: string }).name).join('.');
    const where = reads ? `${reads.who} only calls or awaits what it reads from it` : 'the exposed method was not found in the workspace: check that it awaits the fields it reads';
    const title = `Wrap ${shown} with \`${imported.callee}()\` so the worker calls \`${fn}\` back through a port (Comlink proxies only whole arguments: the worker reads the other fields through the port too, as promises; ${where})`;
    return [{ title, id: 'wrap-with-comlink-proxy', preferred: true, edits: [...edits, ...imported.edits] }];
  }
  return [{ title: `Wrap ${shown} with \`${imported.callee}()\` so the worker calls it back through a port`, id: 'wrap-with-comlink-proxy', preferred: true, edits: [...edits, ...imported.edits] }];
}

/** How this file can call comlink's `proxy`: through its namespace import, a named import, or a new import. */
function comlinkProxyName(sf: ts.SourceFile, file: string): { callee: string; edits: TextEdit[] } | undefined {
  let lastImport: ts.ImportDeclaration | undefined;
  for (const st of sf.statements) {
    if (!ts.isImportDeclaration(st)) continue;
    lastImport = st;
    if (!ts.isStringLiteral(st.moduleSpecifier) || st.moduleSpecifier.text !== 'comlink') continue;
    const bindings = st.importClause?.namedBindings;
    if (!bindings || st.importClause?.isTypeOnly) continue;
    if (ts.isNamespaceImport(bindings)) return { callee: `${bindings.name.text}.proxy`, edits: [] };
    const named = bindings.elements.find((el) => (el.propertyName ?? el.name).text === 'proxy' && !el.isTypeOnly);
    if (named) return { callee: named.name.text, edits: [] };
    if (bindings.elements.length && !/\bproxy\b/.test(sf.text)) {
      const last = bindings.elements[bindings.elements.length - 1];
      return { callee: 'proxy', edits: [insertAt(file, sf, last.getEnd(), ', proxy')] };
    }
  }
  if (/\bproxy\b/.test(sf.text) || /\brequire\s*\(/.test(sf.text)) return undefined;
  const pos = lastImport ? lastImport.getEnd() : 0;
  return { callee: 'proxy', edits: [insertAt(file, sf, pos, lastImport ? `\nimport { proxy } from 'comlink';` : `import { proxy } from 'comlink';\n`)] };
}

/**
 * How the exposed method behind a comlink call reads the argument the call sends, when a
 * `Comlink.expose({ method(...) {...} })` for it is in the program: `sync` when it reads the
 * argument's fields as plain values (arithmetic, templates, passing it on), which a proxied
 * argument would turn into promises; else who it is (it only calls members, awaits them or
 * returns them, which Comlink resolves). Undefined when no exposed method is found.
 */
function exposedParameterReads(ctx: FixContext): { who: string } | 'sync' | undefined {
  const call = ctx.sink.call;
  if (!ts.isCallExpression(call) || !ts.isPropertyAccessExpression(call.expression)) return undefined;
  const method = call.expression.name.text;
  const index = call.arguments.indexOf(ctx.value.expr);
  if (index < 0) return undefined;
  // This file and the modules it imports: another file of the workspace may expose a method of
  // the same name for another remote.
  const files = [ctx.sourceFile];
  for (const st of ctx.sourceFile.statements) {
    if (!ts.isImportDeclaration(st)) continue;
    const target = ctx.checker.getSymbolAtLocation(st.moduleSpecifier)?.valueDeclaration;
    if (target && ts.isSourceFile(target)) files.push(target);
  }
  for (const sf of files) {
    if (sf.isDeclarationFile || /[\\/]node_modules[\\/]/.test(sf.fileName) || !/\bexpose\b/.test(sf.text)) continue;
    let found: { who: string } | 'sync' | undefined;
    const visit = (node: ts.Node): void => {
      if (found) return;
      if (ts.isCallExpression(node) && /(^|\.)expose$/.test(node.expression.getText(sf)) && node.arguments.length > 0) {
        const fn = exposedMember(skipOuter(node.arguments[0]), method);
        if (fn) {
          const param = fn.parameters[index];
          const who = `the exposed \`${method}\``;
          if (!param) found = { who };
          else if (!ts.isIdentifier(param.name)) found = 'sync';
          else found = readsOnlyAsync(fn, param.name.text) ? { who } : 'sync';
          return;
        }
      }
      ts.forEachChild(node, visit);
    };
    visit(sf);
    if (found) return found;
  }
  return undefined;
}

/** The function `name` of an exposed object literal (`{ name(...) {} }`, `{ name: (...) => ... }`). */
function exposedMember(obj: ts.Expression, name: string): ts.FunctionLikeDeclaration | undefined {
  if (ts.isIdentifier(obj)) {
    // `const api = {...}; expose(api)`: the literal the name is declared with in the same file.
    const id = obj.text;
    const decl = obj.getSourceFile().statements.flatMap((st) => (ts.isVariableStatement(st) ? [...st.declarationList.declarations] : [])).find((d) => ts.isIdentifier(d.name) && d.name.text === id);
    if (!decl?.initializer) return undefined;
    obj = skipOuter(decl.initializer);
  }
  if (!ts.isObjectLiteralExpression(obj)) return undefined;
  for (const p of obj.properties) {
    if (!p.name || !(ts.isIdentifier(p.name) || ts.isStringLiteral(p.name)) || p.name.text !== name) continue;
    if (ts.isMethodDeclaration(p)) return p;
    if (ts.isPropertyAssignment(p)) {
      const init = skipOuter(p.initializer);
      if (ts.isArrowFunction(init) || ts.isFunctionExpression(init)) return init;
    }
  }
  return undefined;
}

/**
 * Whether every use of the parameter `name` in `fn` stays correct when it is a comlink proxy: a call
 * of one of its members (`p.onProgress(1)`), an awaited read (`await p.name`) or a returned one
 * (`return p.name`, which Comlink resolves before replying).
 */
function readsOnlyAsync(fn: ts.FunctionLikeDeclaration, name: string): boolean {
  let ok = true;
  const visit = (node: ts.Node): void => {
    if (!ok) return;
    const p = node.parent;
    const nameOnly = p && ((ts.isParameter(p) && p.name === node) || (ts.isPropertyAccessExpression(p) && p.name === node) || (ts.isPropertyAssignment(p) && p.name === node));
    if (ts.isIdentifier(node) && node.text === name && !nameOnly) {
      // The whole access chain rooted at the parameter: `p.a.b`.
      let top: ts.Expression = node;
      while (ts.isPropertyAccessExpression(top.parent) && top.parent.expression === top) top = top.parent;
      const up = top.parent;
      const called = top !== node && ts.isCallExpression(up) && up.expression === top;
      const awaited = top !== node && ts.isAwaitExpression(up);
      const returned = top !== node && ((ts.isReturnStatement(up) && up.expression === top) || (ts.isArrowFunction(up) && up.body === top));
      if (!called && !awaited && !returned) ok = false;
      return;
    }
    ts.forEachChild(node, visit);
  };
  if (fn.body) visit(fn.body);
  return ok;
}
