import * as path from 'node:path';
import * as ts from 'typescript';
import type { Fix, TextEdit } from '../../engine/types';
import { accessText, type FixContext, type PathSegment, skipOuter } from './context';
import { replaceNode } from './edits';
import { rewriteMember } from './payload';
import { canAwait, wrap } from './plain-data';
import { referencedAfter } from './transfer';
import { handlerPrologue, receiverOfSend } from './receiver';
import { importBinding } from './imports';
import { originsOf } from '../flow';

// Send the data a value stands for when the value itself cannot cross: a Response's status,
// headers and body, a File's name, type and bytes, a Date's ISO string, a Stats' fields, a
// socket's address, a finite generator's values; or leave out what has no meaning on the other
// side (a timer handle, a symbol marker). The other side receives something else than before,
// so none of these is preferred.

const propertyNames = (segments: readonly PathSegment[]) => (segments.every((s) => s.kind === 'property') ? segments.map((s) => (s as { name: string }).name) : undefined);

/** The member's expression where it is sent, when it can be written several times (`res`, `msg.res`). */
function reevaluableMember(ctx: FixContext): string | undefined {
  let text: string | undefined;
  const edits = rewriteMember(ctx.file, ctx.value.expr, ctx.segments, { kind: 'replace', with: (t) => (text = t) });
  return edits && text !== undefined && /^[A-Za-z_$][\w$]*(\.[A-Za-z_$][\w$]*)*$/.test(text) ? text : undefined;
}

function replaceMember(ctx: FixContext, form: (text: string) => string): { edits: TextEdit[]; sent: string } | undefined {
  let sent = '';
  const edits = rewriteMember(ctx.file, ctx.value.expr, ctx.segments, { kind: 'replace', with: (t) => (sent = form(t)) });
  return edits ? { edits, sent } : undefined;
}

/** platform-object on a Response (Request): its status, headers and body text, read with `await` where it is sent. */
export function sendResponseData(ctx: FixContext): Fix[] {
  const { name } = ctx.facts;
  if (!ctx.facts.fromLibrary || (name !== 'Response' && name !== 'Request') || !canAwait(ctx.sink.call)) return [];
  const ref = reevaluableMember(ctx);
  if (!ref) return [];
  // Reading the body consumes it: read a clone when the sender still uses the original.
  const body = referencedAfter(ctx.sink.call, /^[\w$]+/.exec(ref)![0], ctx.checker) ? `${ref}.clone()` : ref;
  const head = name === 'Response' ? `status: ${ref}.status` : `url: ${ref}.url, method: ${ref}.method`;
  const r = replaceMember(ctx, () => `{ ${head}, headers: Object.fromEntries(${ref}.headers), body: await ${body}.text() }`);
  if (!r) return [];
  const fields = name === 'Response' ? '`status`, `headers`' : '`url`, `method`, `headers`';
  return [{ title: `Send the ${name}'s ${fields} and body text (\`await ${body}.text()\`) instead of the ${name} \`${ref}\``, id: 'send-data-form', preferred: false, edits: r.edits }];
}

/** platform-object on a File (a Blob on Node 20): its name, type, lastModified and bytes. */
export function sendFileData(ctx: FixContext): Fix[] {
  if (!ctx.facts.fromLibrary || ctx.facts.name !== 'File' || !canAwait(ctx.sink.call)) return [];
  const ref = reevaluableMember(ctx);
  if (!ref) return [];
  const r = replaceMember(ctx, () => `{ name: ${ref}.name, type: ${ref}.type, lastModified: ${ref}.lastModified, bytes: await ${ref}.arrayBuffer() }`);
  if (!r) return [];
  return [{ title: `Send the File's \`name\`, \`type\`, \`lastModified\` and bytes (\`await ${ref}.arrayBuffer()\`) instead of the File \`${ref}\``, id: 'send-data-form', preferred: false, edits: r.edits }];
}

/** json-ipc-loss on a Date: JSON sends its ISO string anyway; send it explicitly, so the receiver knows to parse it. */
export function sendDateString(ctx: FixContext): Fix[] {
  if (!ctx.facts.fromLibrary || ctx.facts.name !== 'Date' || ctx.sink.serializer !== 'json') return [];
  const r = replaceMember(ctx, (t) => `${wrap(t)}.toISOString()`);
  if (!r || r.sent.length > 70) return [];
  return [{ title: `Send the ISO string \`${r.sent}\` instead of the Date (rebuild it with \`new Date(...)\` on the other side)`, id: 'send-data-form', preferred: false, edits: r.edits }];
}

/** json-ipc-loss on a Map or Set: JSON keeps an array, so send the entries (values) and rebuild the collection on the other side. */
export function sendCollectionEntries(ctx: FixContext): Fix[] {
  const kind = ctx.facts.ancestry.find((n) => n === 'Map' || n === 'Set' || n === 'ReadonlyMap' || n === 'ReadonlySet');
  if (!ctx.facts.fromLibrary || !kind || ctx.sink.serializer !== 'json') return [];
  const r = replaceMember(ctx, (t) => `[...${wrap(t)}]`);
  if (!r || r.sent.length > 70) return [];
  const rebuilt = kind.endsWith('Map') ? 'new Map(...)' : 'new Set(...)';
  return [{ title: `Send the ${kind.endsWith('Map') ? 'entries' : 'values'} \`${r.sent}\` instead of the ${kind} (rebuild it with \`${rebuilt}\` on the other side)`, id: 'send-data-form', preferred: false, edits: r.edits }];
}

/** json-ipc-bigint: a decimal string, which JSON carries; `BigInt(...)` on the other side. */
export function sendBigintString(ctx: FixContext): Fix[] {
  if (ctx.sink.serializer !== 'json') return [];
  const r = replaceMember(ctx, (t) => `${wrap(t)}.toString()`);
  if (!r || r.sent.length > 70) return [];
  return [{ title: `Send the decimal string \`${r.sent}\` instead of the bigint (rebuild it with \`BigInt(...)\` on the other side)`, id: 'send-data-form', preferred: false, edits: r.edits }];
}

const statsClasses = new Set(['Stats', 'BigIntStats']);

/**
 * class-instance-loss on fs.Stats: the fields a receiver usually needs, with the answers of
 * `isFile()`/`isDirectory()` (a `{ ...stats }` copy would leave those methods behind).
 */
export function sendStatsFields(ctx: FixContext): Fix[] {
  const o = ctx.facts.origin;
  if (!ctx.facts.fromLibrary || !statsClasses.has(ctx.facts.name) || !o || o.module !== 'fs') return [];
  const ref = reevaluableMember(ctx);
  if (!ref) return [];
  const r = replaceMember(ctx, () => `{ size: ${ref}.size, mtimeMs: ${ref}.mtimeMs, isFile: ${ref}.isFile(), isDirectory: ${ref}.isDirectory() }`);
  if (!r) return [];
  return [{ title: `Send \`size\`, \`mtimeMs\`, \`isFile()\` and \`isDirectory()\` of \`${ref}\` as plain data instead of the ${ctx.facts.name} instance`, id: 'send-data-form', preferred: false, edits: r.edits }];
}

/** no-host-object on a net/tls Socket not opened here from an address: the address it is connected to. */
export function sendSocketAddress(ctx: FixContext): Fix[] {
  const o = ctx.facts.origin;
  if (!ctx.facts.fromLibrary || !o || (o.module !== 'net' && o.module !== 'tls') || !ctx.facts.ancestry.includes('Socket')) return [];
  const ref = reevaluableMember(ctx);
  if (!ref) return [];
  const r = replaceMember(ctx, () => `{ host: ${ref}.remoteAddress, port: ${ref}.remotePort }`);
  if (!r) return [];
  return [{ title: `Send the address \`${r.sent}\` instead of the Socket \`${ref}\` (connect again on the other side)`, id: 'send-data-form', preferred: false, edits: r.edits }];
}

/**
 * no-host-object on a dns.Resolver: what configures it is its server list (`getServers()`, strings),
 * from which the other side builds its own (`new Resolver()` + `setServers(servers)`).
 */
export function sendResolverServers(ctx: FixContext): Fix[] {
  const o = ctx.facts.origin;
  const module = o?.module.replace(/^node:/, '');
  if (!ctx.facts.fromLibrary || ctx.facts.name !== 'Resolver' || (module !== 'dns' && module !== 'dns/promises')) return [];
  const r = replaceMember(ctx, (t) => `${wrap(t)}.getServers()`);
  if (!r || r.sent.length > 70) return [];
  return [{ title: `Send the server list \`${r.sent}\` instead of the dns.Resolver (on the other side: \`const resolver = new Resolver(); resolver.setServers(servers)\`)`, id: 'send-data-form', preferred: false, edits: r.edits }];
}

const cryptoFactories: Record<string, string> = { Hash: 'createHash', Sign: 'createSign', Verify: 'createVerify' };

/**
 * no-host-object on a crypto Hash/Sign/Verify made by a function of this file that only creates it
 * and feeds it (`const sign = createSign('sha256'); sign.update(header); return sign;`): send what it
 * was made from, the algorithm and the data fed so far, from which the other side makes the same
 * object (`createSign(algorithm)`, `update` each piece) and finishes it there.
 */
export function sendCryptoRecipe(ctx: FixContext): Fix[] {
  const factory = cryptoFactories[ctx.facts.name];
  const module = ctx.facts.origin?.module.replace(/^node:/, '');
  const names = propertyNames(ctx.segments);
  if (!factory || module !== 'crypto' || !ctx.facts.fromLibrary || !names) return [];
  const found = producerOf(ctx, names);
  // The call is written where the message is built: its arguments are in scope there.
  if (!found || found.declaration || !ts.isCallExpression(found.expr)) return [];
  const recipe = recipeOf(found.expr, factory, ctx.checker);
  if (!recipe) return [];
  const sent = `{ algorithm: ${recipe.algorithm}, data: [${recipe.data.join(', ')}] }`;
  const r = replaceMember(ctx, (t) => (t === found.expr.getText(ctx.sourceFile) ? sent : ''));
  if (!r || r.sent !== sent || sent.length > 100) return [];
  const local = ctx.facts.name.toLowerCase();
  return [{ title: `Send what the ${ctx.facts.name} is made from, \`${sent}\`, instead of the crypto.${ctx.facts.name} (on the other side: \`const ${local} = ${factory}(algorithm); for (const d of data) ${local}.update(d);\`)`, id: 'send-data-form', preferred: false, edits: r.edits }];
}

/** `make(x)` whose function body is `const h = createX(<literal>); h.update(<param or literal>)...; return h;`, with `make`'s arguments put in. */
function recipeOf(call: ts.CallExpression, factory: string, checker: ts.TypeChecker): { algorithm: string; data: string[] } | undefined {
  const decl = checker.getSymbolAtLocation(call.expression)?.valueDeclaration;
  const fn = decl && ts.isVariableDeclaration(decl) && decl.initializer ? skipOuter(decl.initializer) : decl;
  if (!fn || !(ts.isFunctionDeclaration(fn) || ts.isFunctionExpression(fn) || ts.isArrowFunction(fn)) || !fn.body || !ts.isBlock(fn.body) || fn.parameters.length < call.arguments.length) return undefined;
  // A literal stays as written; a parameter becomes the caller's argument, when that is a literal or a plain name.
  const plain = (e: ts.Expression): string | undefined => {
    const x = skipOuter(e);
    if (ts.isStringLiteral(x) || ts.isNoSubstitutionTemplateLiteral(x) || ts.isNumericLiteral(x)) return x.getText();
    if (!ts.isIdentifier(x)) return undefined;
    const index = fn.parameters.findIndex((p) => ts.isIdentifier(p.name) && p.name.text === x.text && !p.dotDotDotToken);
    const arg = call.arguments[index];
    if (index < 0 || !arg) return undefined;
    const a = skipOuter(arg);
    return ts.isStringLiteral(a) || ts.isNoSubstitutionTemplateLiteral(a) || ts.isNumericLiteral(a) || ts.isIdentifier(a) ? a.getText() : undefined;
  };
  const [first, ...rest] = fn.body.statements;
  const last = rest.pop();
  if (!first || !last || !ts.isVariableStatement(first) || first.declarationList.declarations.length !== 1 || !ts.isReturnStatement(last) || !last.expression) return undefined;
  const v = first.declarationList.declarations[0];
  const init = v.initializer && skipOuter(v.initializer);
  if (!ts.isIdentifier(v.name) || !init || !ts.isCallExpression(init) || init.arguments.length !== 1) return undefined;
  const callee = init.expression;
  const calleeName = ts.isIdentifier(callee) ? callee.text : ts.isPropertyAccessExpression(callee) ? callee.name.text : '';
  const algorithm = plain(init.arguments[0]);
  const local = v.name.text;
  if (calleeName !== factory || !algorithm || skipOuter(last.expression).getText() !== local) return undefined;
  const data: string[] = [];
  for (const st of rest) {
    const e = ts.isExpressionStatement(st) ? skipOuter(st.expression) : undefined;
    if (!e || !ts.isCallExpression(e) || !ts.isPropertyAccessExpression(e.expression) || e.expression.name.text !== 'update' || e.expression.expression.getText() !== local || e.arguments.length !== 1) return undefined;
    const piece = plain(e.arguments[0]);
    if (!piece) return undefined;
    data.push(piece);
  }
  return { algorithm, data };
}

/**
 * An EventEmitter in a message (no-host-object when it has listeners, class-instance-loss when it
 * arrives without its methods): its listeners are this side's functions, so it stays here. When the
 * worker's message handler (in the workspace) reads it, the handler gets an emitter of its own, which
 * is all the copy ever was for it: events it emits there never reached this side's listeners.
 */
export function keepEmitterOnThisSide(ctx: FixContext): Fix[] {
  const module = ctx.facts.origin?.module.replace(/^node:/, '');
  const names = propertyNames(ctx.segments);
  if (!ctx.facts.fromLibrary || ctx.facts.name !== 'EventEmitter' || module !== 'events' || !names?.length) return [];
  // Through a wrapper (a derived sink) the receiving side is not looked up: the member may be what it reads.
  const direct = /\.(postMessage|send)$/.test(ctx.sink.api);
  if (!direct && ctx.sink.api !== 'structuredClone') return [];
  const edits = rewriteMember(ctx.file, ctx.value.expr, ctx.segments, { kind: 'remove' });
  if (!edits) return [];
  const name = names[names.length - 1];
  const relay = direct ? "; relay the worker's events as messages and `emit` them here" : '';
  const receiver = direct ? receiverOfSend(ctx.sink.call, ctx.checker, ctx.file, ctx.sourceFile, ctx.host) : undefined;
  const target = receiver?.messageAt(names);
  if (!receiver || !target) {
    const note = ctx.sink.api === 'structuredClone' ? 'its listeners stay on this side' : receiver ? `${receiver.who} takes the whole message: check that it does not use it` : 'the receiving side was not found in the workspace: check that it does not use it';
    return [{ title: `Leave the EventEmitter \`${name}\` out of the message sent by ${ctx.sink.api} (${note}${relay})`, id: 'remove-from-message', preferred: false, edits }];
  }
  const body = receiver.body.getText(receiver.sourceFile);
  if (!new RegExp(`(^|[^\\w$.])${target.replace(/[.$]/g, '\\$&')}(?![\\w$])`).test(body)) {
    return [{ title: `Leave the EventEmitter \`${name}\` out of the message sent by ${ctx.sink.api} (${receiver.who} does not read it${relay})`, id: 'remove-from-message', preferred: false, edits }];
  }
  // `target` is the handler's own binding or a member of it: assignable in the handler.
  const emitter = importBinding(receiver.sourceFile, receiver.file, [/^node:/.test(ctx.facts.origin!.module) ? 'node:events' : 'events', 'events', 'node:events'], 'EventEmitter');
  if (!emitter) return [];
  const prologue = handlerPrologue(receiver, `${target} = new ${emitter.callee}();`);
  const worker = receiver.who === "the worker's message handler";
  return [{ title: `Leave the EventEmitter \`${name}\` on this side and give ${worker ? 'the worker' : 'the receiving side'} its own (\`${target} = new ${emitter.callee}()\` in ${worker ? 'its message handler' : receiver.who}${relay})`, id: 'remove-from-message', preferred: false, edits: [...edits, prologue, ...emitter.edits] }];
}

/** no-host-object on a timer handle: it only means something to this thread's event loop, so it is left out. */
export function removeTimerHandle(ctx: FixContext): Fix[] {
  if (ctx.facts.name !== 'Timeout' && ctx.facts.name !== 'Immediate') return [];
  const names = propertyNames(ctx.segments);
  if (!names || names.length === 0) return [];
  const edits = rewriteMember(ctx.file, ctx.value.expr, ctx.segments, { kind: 'remove' });
  if (!edits) return [];
  return [{ title: `Remove the timer handle \`${names[names.length - 1]}\` from the message sent by ${ctx.sink.api} (a timer belongs to this thread; clear it here)`, id: 'remove-from-message', preferred: false, edits }];
}

/** no-symbol: a symbol is identity within one realm, so the other side cannot have it; leave it out (a tuple keeps its length). */
export function removeSymbol(ctx: FixContext): Fix[] {
  const last = ctx.segments[ctx.segments.length - 1];
  if (!last) return [];
  if (last.kind === 'property') {
    const edits = rewriteMember(ctx.file, ctx.value.expr, ctx.segments, { kind: 'remove' });
    if (!edits) return [];
    return [{ title: `Remove the symbol \`${last.name}\` from the message sent by ${ctx.sink.api} (the other side does not get it)`, id: 'remove-from-message', preferred: false, edits }];
  }
  const index = /^\[(\d+)\]$/.exec(last.text);
  const owner = ctx.segments.slice(0, -1);
  if (!index || !propertyNames(owner)) return [];
  const at = Number(index[1]);
  const label = /\s/.test(ctx.value.label) ? '' : ctx.value.label;
  const shown = `${owner.reduce((base, s) => accessText(base, (s as { name: string }).name), label)}[${at}]`;
  // An array literal written at the send: the element itself becomes `undefined`.
  const literal = elementOwner(ctx, owner);
  if (literal && ts.isArrayLiteralExpression(literal)) {
    const el = literal.elements[at];
    if (!el || literal.elements.slice(0, at + 1).some(ts.isSpreadElement)) return [];
    return [{ title: `Send \`undefined\` in place of the symbol \`${shown}\` (the other side does not get it)`, id: 'remove-from-message', preferred: false, edits: [replaceNode(ctx.file, el, 'undefined')] }];
  }
  let type = ctx.checker.getTypeAtLocation(ctx.value.expr);
  for (const s of owner) {
    const prop = type.getProperty((s as { name: string }).name);
    if (!prop) return [];
    type = ctx.checker.getNonNullableType(ctx.checker.getTypeOfSymbol(prop));
  }
  if (!ctx.checker.isTupleType(type)) return [];
  const target = (type as ts.TupleTypeReference).target;
  const length = target.fixedLength;
  if (target.elementFlags.some((f) => !(f & ts.ElementFlags.Required)) || at >= length || length > 6) return [];
  let sent = '';
  const edits = rewriteMember(ctx.file, ctx.value.expr, owner, {
    kind: 'replace',
    with: (t) => (sent = /^[\w$.]+$/.test(t) ? `[${Array.from({ length }, (_, i) => (i === at ? 'undefined' : `${t}[${i}]`)).join(', ')}]` : ''),
  });
  if (!edits || !sent || sent.length > 70) return [];
  return [{ title: `Send \`${sent}\`: leave the symbol \`${shown}\` out of the message (the other side does not get it)`, id: 'remove-from-message', preferred: false, edits }];
}

/** The expression written at the property path in the sent value, when it is written there. */
function elementOwner(ctx: FixContext, owner: readonly PathSegment[]): ts.Expression | undefined {
  let e = skipOuter(ctx.value.expr);
  for (const s of owner) {
    if (!ts.isObjectLiteralExpression(e)) return undefined;
    const p = e.properties.find((x) => x.name && ts.isIdentifier(x.name) && x.name.text === (s as { name: string }).name);
    if (!p || !ts.isPropertyAssignment(p)) return undefined;
    e = skipOuter(p.initializer);
  }
  return e;
}

/** The expression that produced the member at `names`: through object literals and `const` variables of this file. */
function producerOf(ctx: FixContext, names: readonly string[]): { expr: ts.Expression; declaration?: ts.VariableDeclaration } | undefined {
  let e = skipOuter(ctx.value.expr);
  let declaration: ts.VariableDeclaration | undefined;
  const follow = (): boolean => {
    for (let hops = 0; hops < 4 && ts.isIdentifier(e); hops++) {
      const id = e;
      const sym = ts.isShorthandPropertyAssignment(id.parent) && id.parent.name === id ? ctx.checker.getShorthandAssignmentValueSymbol(id.parent) : ctx.checker.getSymbolAtLocation(id);
      const decl = sym?.valueDeclaration;
      if (!decl || !ts.isVariableDeclaration(decl) || !ts.isIdentifier(decl.name) || !decl.initializer || decl.getSourceFile() !== ctx.sourceFile) return false;
      if (!(ts.getCombinedNodeFlags(decl) & ts.NodeFlags.Const)) return false;
      declaration = decl;
      e = skipOuter(decl.initializer);
    }
    return true;
  };
  for (const n of names) {
    if (!follow() || !ts.isObjectLiteralExpression(e)) return undefined;
    const p = [...e.properties].reverse().find((x) => x.name && (ts.isIdentifier(x.name) || ts.isStringLiteral(x.name)) && x.name.text === n);
    if (!p) return undefined;
    if (ts.isPropertyAssignment(p)) e = skipOuter(p.initializer);
    else if (ts.isShorthandPropertyAssignment(p)) e = p.name;
    else return undefined;
    declaration = undefined;
  }
  if (!follow()) return undefined;
  return { expr: e, declaration };
}

const weakToStrong: Record<string, string> = { WeakMap: 'Map', WeakSet: 'Set' };

/** no-uncloneable-builtin on a WeakMap/WeakSet created in this file: create a Map/Set there instead, which clones. */
export function useStrongCollection(ctx: FixContext): Fix[] {
  const strong = weakToStrong[ctx.facts.name];
  const names = propertyNames(ctx.segments);
  if (!strong || !names) return [];
  const found = producerOf(ctx, names);
  if (!found) return strongCollectionAssigned(ctx, names, strong);
  if (!ts.isNewExpression(found.expr) || !ts.isIdentifier(found.expr.expression) || found.expr.expression.text !== ctx.facts.name) return [];
  const edits: TextEdit[] = [replaceNode(ctx.file, found.expr.expression, strong)];
  const annotation = found.declaration?.type;
  if (annotation) {
    if (!ts.isTypeReferenceNode(annotation) || !ts.isIdentifier(annotation.typeName) || annotation.typeName.text !== ctx.facts.name) return [];
    edits.push(replaceNode(ctx.file, annotation.typeName, strong));
  }
  const shown = found.declaration && ts.isIdentifier(found.declaration.name) ? found.declaration.name.text : names[names.length - 1] ?? ctx.value.label;
  return [{ title: `Create \`${shown}\` as a \`${strong}\` instead of a \`${ctx.facts.name}\` so it can be cloned (it then holds its keys strongly)`, id: 'use-cloneable-collection', preferred: false, edits }];
}

/**
 * A weak collection hung on the sent object outside its literal (`state.layout = attachLayout(state)`):
 * every `<root>.<path> = ...` of this file is followed to where the collection is made (through
 * variables and the returns of user functions), and each `new WeakMap()` there becomes a `Map`.
 */
function strongCollectionAssigned(ctx: FixContext, names: readonly string[], strong: string): Fix[] {
  const root = skipOuter(ctx.value.expr);
  const rootSymbol = ts.isIdentifier(root) ? ctx.checker.getSymbolAtLocation(root) : undefined;
  if (!rootSymbol || !names.length) return [];
  const written: ts.Expression[] = [];
  const visit = (n: ts.Node): void => {
    if (ts.isBinaryExpression(n) && n.operatorToken.kind === ts.SyntaxKind.EqualsToken) {
      let left = skipOuter(n.left);
      const path: string[] = [];
      while (ts.isPropertyAccessExpression(left)) {
        path.unshift(left.name.text);
        left = skipOuter(left.expression);
      }
      if (ts.isIdentifier(left) && path.join('.') === names.join('.') && ctx.checker.getSymbolAtLocation(left) === rootSymbol) written.push(n.right);
    }
    ts.forEachChild(n, visit);
  };
  visit(ctx.sourceFile);
  const origins = written.flatMap((w) => originsOf(ctx.checker, w, { program: ctx.program }));
  if (!origins.length || origins.length > 4) return [];
  const edits: TextEdit[] = [];
  const shown: string[] = [];
  for (const o of origins) {
    if (!ts.isNewExpression(o) || !ts.isIdentifier(o.expression) || o.expression.text !== ctx.facts.name || o.getSourceFile().isDeclarationFile) return [];
    // A declared type would still say WeakMap: leave those to the hand.
    const decl = o.parent;
    if (ts.isVariableDeclaration(decl) && decl.type) return [];
    edits.push(replaceNode(path.resolve(o.getSourceFile().fileName), o.expression, strong));
    shown.push(ts.isVariableDeclaration(decl) && ts.isIdentifier(decl.name) ? decl.name.text : o.getText());
  }
  return [{ title: `Create \`${[...new Set(shown)].join('`, `')}\` as a \`${strong}\` instead of a \`${ctx.facts.name}\` so \`${names.join('.')}\` can be cloned (it then holds its keys strongly)`, id: 'use-cloneable-collection', preferred: false, edits }];
}

/** no-uncloneable-builtin on a generator from a generator function of this file that visibly ends: send its values. */
export function spreadFiniteGenerator(ctx: FixContext): Fix[] {
  if (ctx.facts.name !== 'Generator') return [];
  const names = propertyNames(ctx.segments);
  if (!names) return [];
  const found = producerOf(ctx, names);
  if (!found || !ts.isCallExpression(found.expr)) return [];
  const decl = ctx.checker.getSymbolAtLocation(found.expr.expression)?.valueDeclaration;
  if (!decl || !(ts.isFunctionDeclaration(decl) || ts.isFunctionExpression(decl) || ts.isMethodDeclaration(decl)) || !decl.asteriskToken || !decl.body || !visiblyFinite(decl.body, ctx.checker)) return [];
  // A generator held in a variable is consumed by the spread: only when nothing reads it afterwards.
  const ref = reevaluableMember(ctx);
  if (found.declaration && ref && referencedAfter(ctx.sink.call, /^[\w$]+/.exec(ref)![0], ctx.checker)) return [];
  const r = replaceMember(ctx, (t) => `[...${wrap(t)}]`);
  if (!r || r.sent.length > 70) return [];
  return [{ title: `Send the generated values \`${r.sent}\` instead of the generator (it ends after a bounded number of values)`, id: 'send-data-form', preferred: false, edits: r.edits }];
}

const iterators = new Set(['MapIterator', 'SetIterator', 'ArrayIterator', 'IterableIterator', 'IteratorObject']);

/** no-uncloneable-builtin on `map.keys()` / `set.values()` / `list.entries()`: a collection's iterator ends, so send its values. */
export function spreadCollectionIterator(ctx: FixContext): Fix[] {
  if (!iterators.has(ctx.facts.name)) return [];
  const names = propertyNames(ctx.segments);
  if (!names) return [];
  const found = producerOf(ctx, names);
  const e = found && skipOuter(found.expr);
  if (!e || !ts.isCallExpression(e) || !ts.isPropertyAccessExpression(e.expression) || !isFiniteCollection(e, ctx.checker)) return [];
  // An iterator held in a variable is consumed by the spread: only when nothing reads it afterwards.
  const ref = reevaluableMember(ctx);
  if (found.declaration && ref && referencedAfter(ctx.sink.call, /^[\w$]+/.exec(ref)![0], ctx.checker)) return [];
  const r = replaceMember(ctx, (t) => `[...${wrap(t)}]`);
  if (!r || r.sent.length > 70) return [];
  return [{ title: `Send the values \`${r.sent}\` instead of the iterator`, id: 'send-data-form', preferred: false, edits: r.edits }];
}

const finiteCollections = new Set(['Map', 'Set', 'ReadonlyMap', 'ReadonlySet', 'Array', 'ReadonlyArray']);

/** A Map, a Set, or the `keys()`/`values()`/`entries()` of one or of an array: a loop over it ends. */
function isFiniteCollection(e: ts.Expression, checker: ts.TypeChecker): boolean {
  let x = skipOuter(e);
  if (ts.isCallExpression(x) && x.arguments.length === 0 && ts.isPropertyAccessExpression(x.expression) && ['keys', 'values', 'entries'].includes(x.expression.name.text)) x = x.expression.expression;
  const t = checker.getTypeAtLocation(x);
  const name = (t.getSymbol() ?? t.aliasSymbol)?.getName();
  return (name !== undefined && finiteCollections.has(name)) || checker.isArrayType(t) || checker.isTupleType(t);
}

/** No `while`/`do`, no `yield*`, every `for` bounded by a comparison and every `for...of` over an array: the generator ends. */
function visiblyFinite(body: ts.Block, checker: ts.TypeChecker): boolean {
  let ok = true;
  const visit = (n: ts.Node): void => {
    if (!ok || ts.isFunctionLike(n)) return;
    if (ts.isWhileStatement(n) || ts.isDoStatement(n) || ts.isForInStatement(n) || ts.isLabeledStatement(n)) ok = false;
    else if (ts.isYieldExpression(n) && n.asteriskToken) ok = false;
    else if (ts.isForStatement(n)) {
      const c = n.condition && skipOuter(n.condition);
      const relational = c && ts.isBinaryExpression(c) && [ts.SyntaxKind.LessThanToken, ts.SyntaxKind.LessThanEqualsToken, ts.SyntaxKind.GreaterThanToken, ts.SyntaxKind.GreaterThanEqualsToken].includes(c.operatorToken.kind);
      if (!relational || !n.incrementor) ok = false;
    } else if (ts.isForOfStatement(n)) {
      const t = checker.getTypeAtLocation(n.expression);
      if (!(checker.isArrayType(t) || checker.isTupleType(t) || isFiniteCollection(n.expression, checker)) || n.awaitModifier) ok = false;
    }
    ts.forEachChild(n, visit);
  };
  ts.forEachChild(body, visit);
  return ok;
}
