import * as path from 'node:path';
import * as ts from 'typescript';
import type { Fix, TextEdit } from '../../engine/types';
import { isRepeatingCallback, type TransferEvent } from '../detach';
import type { FileContext, TransferEntry } from '../rules/rule';
import { resolveObject, type Sink } from '../sinks';
import type { FixContext } from './context';
import { accessText, skipOuter } from './context';
import { appendListElement, indentAt, insertAt, removeListElement, replaceNode, replaceSpan } from './edits';
import { memberReference } from './payload';
import { canAwait } from './plain-data';
import type { DerivedSink } from '../summaries';

// Add to the transfer list: create or extend the transfer argument in the API's own shape:
// `postMessage(v, [t])`, `structuredClone(v, { transfer: [t] })`, `new Worker(url, { transferList: [t] })`.

const views = /^(Int|Uint|Float|BigInt|BigUint)(8|16|32|64)(Clamped)?Array$|^DataView$/;

export function addToTransferList(ctx: FixContext, preferredWhenUnused: boolean): Fix[] {
  const { sink } = ctx;
  const slot = sink.transferSlot;
  if (!slot && 'derived' in sink) return addToHelperTransferList(ctx, sink as DerivedSink);
  if (!slot || sink.transfer.kind === 'unknown' || ctx.facts.name === 'MessageChannel') return [];
  const member = memberReference(ctx.value.expr, ctx.segments);
  if (!member) return [];
  const item = views.test(ctx.facts.name) ? `${member}.buffer` : member;
  const edits = transferEdits(ctx, item);
  if (!edits) return [];
  const usedAfter = referencedAfter(sink.call, rootName(member), ctx.checker);
  return [
    {
      title: `Add \`${item}\` to the transfer list of ${sink.api}${usedAfter ? ` (it is used here afterwards)` : ''}`,
      id: 'add-to-transfer-list',
      preferred: preferredWhenUnused && !usedAfter,
      edits,
    },
  ];
}

/**
 * A helper that sends its parameter with no transfer list of its own (`function connect(w, port)
 * { w.postMessage({ reply: port }); }`): the list is added where the helper sends, naming the
 * member by the parameter (`w.postMessage({ reply: port }, [port])`). Every caller of the helper
 * then transfers what it passes there, which the title says.
 */
function addToHelperTransferList(ctx: FixContext, sink: DerivedSink): Fix[] {
  const at = sink.values.indexOf(ctx.value);
  const param = sink.derived.params[at];
  if (!param || param.reach.member || param.reach.spread || param.reach.transferParam !== undefined || ctx.segments.some((s) => s.kind !== 'property')) return [];
  const inner = param.reach.sink;
  const fn = sink.derived.fn;
  const decl = fn.parameters[param.index];
  if (!inner.transferSlot || inner.transfer.kind !== 'none' || 'derived' in inner || !decl || !ts.isIdentifier(decl.name) || decl.dotDotDotToken) return [];
  // The helper's own send, not one further down a chain of helpers.
  if (inner.call.getSourceFile() !== fn.getSourceFile() || inner.call.getStart() < fn.getStart() || inner.call.getEnd() > fn.getEnd()) return [];
  const item = ctx.segments.reduce((base, s) => accessText(base, (s as { name: string }).name), decl.name.text);
  const edits = transferEdits({ ...ctx, sink: inner, sourceFile: inner.call.getSourceFile(), file: fileOf(inner.call, ctx.file) }, views.test(ctx.facts.name) ? `${item}.buffer` : item);
  if (!edits) return [];
  const name = fn.name && ts.isIdentifier(fn.name) ? fn.name.text : 'the helper';
  return [{ title: `Add \`${item}\` to the transfer list of ${inner.api} in \`${name}\` (every call of \`${name}\` then transfers what it passes there)`, id: 'add-to-transfer-list', preferred: false, edits }];
}

function transferEdits(ctx: FixContext, item: string): TextEdit[] | undefined {
  const { sink, file } = ctx;
  const slot = sink.transferSlot!;
  const sf = ctx.sourceFile;
  if (sink.transfer.kind === 'list') {
    const list = sink.transfer.node;
    if (!list || sink.transfer.entries.some((e) => e.expr.getText() === item)) return undefined;
    return [appendListElement(fileOf(list, file), list.getSourceFile(), list, item)];
  }
  const args = sink.call.arguments ?? ts.factory.createNodeArray<ts.Expression>();
  const arg = args[slot.index];
  const key = slot.key;
  if (!arg) {
    if (args.length !== slot.index || !sink.call.arguments) return undefined;
    const last = args[args.length - 1];
    const text = slot.kind === 'argument' && slot.form === 'array' ? `[${item}]` : `{ ${key}: [${item}] }`;
    return [insertAt(file, sf, last.getEnd(), `, ${text}`)];
  }
  const target = skipOuter(slot.kind === 'option' ? resolveObject(ctx.checker, arg) : arg);
  if (!ts.isObjectLiteralExpression(target)) return undefined;
  return [appendListElement(fileOf(target, file), target.getSourceFile(), target, `${key}: [${item}]`)];
}

function fileOf(node: ts.Node, fallback: string): string {
  const name = node.getSourceFile().fileName;
  return name ? path.resolve(name) : fallback;
}

function rootName(reference: string): string {
  return /^[A-Za-z_$][\w$]*/.exec(reference)?.[0] ?? reference;
}

/** Whether the variable `name` is read after `call` in the function (or module) around it. */
export function referencedAfter(call: ts.Node, name: string, checker: ts.TypeChecker): boolean {
  let scope: ts.Node | undefined = call.parent;
  while (scope && !ts.isFunctionLike(scope) && !ts.isSourceFile(scope)) scope = scope.parent;
  if (!scope) return false;
  const end = call.getEnd();
  let symbol: ts.Symbol | undefined;
  const find = (n: ts.Node): void => {
    if (symbol) return;
    if (ts.isIdentifier(n) && n.text === name && n.getEnd() <= end && n.getStart() >= call.getStart()) symbol = valueSymbol(n, checker);
    ts.forEachChild(n, find);
  };
  find(call);
  let found = false;
  const visit = (n: ts.Node): void => {
    if (found) return;
    if (ts.isIdentifier(n) && n.text === name && n.getStart() >= end && (!symbol || valueSymbol(n, checker) === symbol)) {
      found = true;
      return;
    }
    ts.forEachChild(n, visit);
  };
  visit(scope);
  // A loop around the send reaches the send itself again.
  for (let p: ts.Node | undefined = call.parent; p && p !== scope; p = p.parent) if (ts.isIterationStatement(p, false)) return true;
  // So does a callback that runs again and again (setInterval, forEach, a listener), for a value from outside it.
  const decl = symbol?.valueDeclaration;
  if (ts.isFunctionLike(scope) && isRepeatingCallback(scope) && decl && decl.getSourceFile() === scope.getSourceFile() && (decl.getStart() < scope.getStart() || decl.getEnd() > scope.getEnd())) return true;
  return found;
}

function valueSymbol(id: ts.Identifier, checker: ts.TypeChecker): ts.Symbol | undefined {
  if (ts.isShorthandPropertyAssignment(id.parent) && id.parent.name === id) return checker.getShorthandAssignmentValueSymbol(id.parent);
  if ((ts.isPropertyAccessExpression(id.parent) && id.parent.name === id) || (ts.isPropertyAssignment(id.parent) && id.parent.name === id)) return undefined;
  return checker.getSymbolAtLocation(id);
}

/** Use after transfer: send a copy instead, by taking the buffer out of the transfer list (never a port, which can only be transferred). */
export function copyInsteadOfTransfer(sink: Sink, entry: TransferEntry, file: string, title?: string): Fix[] {
  const edit = removeEntry(sink, entry, file);
  if (!edit) return [];
  const shown = entry.expr.getText();
  return [{ title: title ?? `Copy \`${shown}\` instead of transferring it: remove it from the transfer list of ${sink.api}`, id: 'copy-instead-of-transfer', preferred: true, edits: edit }];
}

/** Takes a value out of a transfer list: `Piscina.move(x)` becomes `x`. */
export function dropFromTransferList(sink: Sink, entry: TransferEntry, file: string, why: string, id = 'drop-from-transfer-list', preferred = true): Fix[] {
  const edit = removeEntry(sink, entry, file);
  if (!edit) return [];
  return [{ title: `Remove \`${entry.expr.getText()}\` from the transfer list of ${sink.api} (${why})`, id, preferred, edits: edit }];
}

function removeEntry(sink: Sink, entry: TransferEntry, file: string): TextEdit[] | undefined {
  if (sink.transfer.kind !== 'list') return undefined;
  const sf = entry.expr.getSourceFile();
  if (entry.moved) {
    const move = entry.expr.parent;
    return ts.isCallExpression(move) ? [replaceNode(file, move, entry.expr.getText(sf))] : undefined;
  }
  const list = sink.transfer.node;
  if (list && list.elements.includes(entry.expr)) {
    // An emptied transfer list is dropped altogether when it is the last argument of the call.
    const args = sink.call.arguments ?? ts.factory.createNodeArray<ts.Expression>();
    const index = list.elements.indexOf(entry.expr);
    if (list.elements.length === 1 && sink.transfer.entries.length === 1 && args[args.length - 1] === list && args.length >= 2) return [replaceSpan(file, sf, args[args.length - 2].getEnd(), list.getEnd(), '')];
    return [removeListElement(file, sf, list.elements, index, list)];
  }
  // Pushed: `transfer.push(x)` loses the argument, or the whole statement when it was the only one.
  const push = entry.expr.parent;
  if (!ts.isCallExpression(push) || !push.arguments.includes(entry.expr)) return undefined;
  if (push.arguments.length === 1 && ts.isExpressionStatement(push.parent)) return [replaceSpan(file, sf, lineStart(sf, push.parent.getStart(sf)), lineEnd(sf, push.parent.getEnd()), '')];
  return [removeListElement(file, sf, push.arguments, push.arguments.indexOf(entry.expr), push)];
}

function lineStart(sf: ts.SourceFile, pos: number): number {
  return sf.getPositionOfLineAndCharacter(sf.getLineAndCharacterOfPosition(pos).line, 0);
}

function lineEnd(sf: ts.SourceFile, pos: number): number {
  const next = sf.text.indexOf('\n', pos);
  return next < 0 ? sf.text.length : next + 1;
}

/** A typed array listed where its memory belongs: `[view]` becomes `[view.buffer]`. */
export function listTheBuffer(sink: Sink, entry: TransferEntry, file: string): Fix[] {
  if (sink.transfer.kind !== 'list') return [];
  const item = `${entry.expr.getText()}.buffer`;
  if (sink.transfer.entries.some((e) => e.expr.getText() === item)) return dropFromTransferList(sink, entry, file, `\`${item}\` is listed already`);
  return [{ title: `List \`${item}\` instead of \`${entry.expr.getText()}\` in the transfer list of ${sink.api}`, id: 'transfer-the-buffer', preferred: true, edits: [replaceNode(file, entry.expr, item)] }];
}

/**
 * Transfer a copy: `const payloadCopy = Uint8Array.from(payload);` before the send, which then
 * sends and lists the copy. For a Buffer from Node's pool the copy has memory of its own.
 */
export function transferACopy(sink: Sink, entry: TransferEntry, ctx: { checker: ts.TypeChecker; file: string }): Fix[] {
  const e = skipOuter(entry.expr);
  const isBufferTyped = (x: ts.Expression) => ctx.checker.getTypeAtLocation(x).getSymbol()?.getName() === 'Buffer';
  const copyOf = (x: ts.Expression) => (isBufferTyped(x) ? `Uint8Array.from(${x.getText()})` : `${x.getText()}.slice()`);
  if (entry.moved) {
    // `move(x)` becomes `move(copy of x)`: nothing else names the moved value.
    const copy = copyOf(e);
    return [{ title: `Move a copy: \`${copy}\`${isBufferTyped(e) ? ' has memory of its own, outside Node\'s Buffer pool' : ''}`, id: 'transfer-a-copy', preferred: true, edits: [replaceNode(ctx.file, entry.expr, copy)] }];
  }
  const view = ts.isPropertyAccessExpression(e) && e.name.text === 'buffer' ? skipOuter(e.expression) : undefined;
  if (!view || !ts.isIdentifier(view)) return [];
  const statement = statementOf(sink.call);
  // The copy is declared right before the send: a list built earlier could not name it yet.
  if (!statement || (sink.transfer.kind === 'list' && sink.transfer.entries.some((x) => !isWithin(x.expr, sink.call)))) return [];
  const sym = ctx.checker.getSymbolAtLocation(view);
  const sf = view.getSourceFile();
  const name = freshName(sf, `${view.text}Copy`);
  const isBuffer = isBufferTyped(view);
  const copy = copyOf(view);
  const edits: TextEdit[] = [insertAt(ctx.file, sf, statement.getStart(sf), `const ${name} = ${copy};\n${indentAt(sf, statement.getStart(sf))}`)];
  const visit = (n: ts.Node): void => {
    if (ts.isIdentifier(n) && n.text === view.text && valueSymbol(n, ctx.checker) === sym) {
      edits.push(ts.isShorthandPropertyAssignment(n.parent) ? replaceNode(ctx.file, n.parent, `${n.text}: ${name}`) : replaceNode(ctx.file, n, name));
      return;
    }
    ts.forEachChild(n, visit);
  };
  for (const a of sink.call.arguments ?? []) visit(a);
  return [{ title: `Transfer a copy of \`${view.text}\`: \`${copy}\`${isBuffer ? ' has memory of its own, outside Node\'s Buffer pool' : ''}`, id: 'transfer-a-copy', preferred: true, edits }];
}

function isWithin(n: ts.Node, container: ts.Node): boolean {
  return n.getStart() >= container.getStart() && n.getEnd() <= container.getEnd();
}

/** The statement a call is evaluated in, when new statements can go right before it. */
export function statementOf(call: ts.Node): ts.Statement | undefined {
  for (let p: ts.Node | undefined = call.parent; p; p = p.parent) {
    if (ts.isExpressionStatement(p) || ts.isVariableStatement(p) || ts.isReturnStatement(p)) return ts.isBlock(p.parent) || ts.isSourceFile(p.parent) || ts.isCaseClause(p.parent) ? p : undefined;
    if (ts.isFunctionLike(p) || ts.isBlock(p)) return undefined;
  }
  return undefined;
}

function freshName(sf: ts.SourceFile, base: string): string {
  let name = base;
  for (let i = 2; new RegExp(`\\b${name}\\b`).test(sf.text); i++) name = `${base}${i}`;
  return name;
}

/**
 * A buffer allocated once before a loop that transfers it in every iteration: allocate it in each
 * iteration instead (`const pixels = new Uint8Array(n)` moves to the top of the loop body).
 */
export function allocatePerIteration(ev: TransferEvent, loop: ts.Node, ctx: FileContext): Fix[] {
  if (!ts.isIterationStatement(loop, false) || !ts.isBlock(loop.statement)) return [];
  const decl = ctx.timeline.rootDeclaration(ev.expr);
  if (!decl || !ts.isVariableDeclaration(decl) || !ts.isIdentifier(decl.name) || !decl.initializer || !ts.isNewExpression(skipOuter(decl.initializer))) return [];
  const statement = decl.parent.parent;
  if (!ts.isVariableStatement(statement) || statement.declarationList.declarations.length !== 1 || statement.parent !== loop.parent || statement.getEnd() > loop.getStart()) return [];
  // Used after the loop, it must stay where it is.
  const sym = ctx.checker.getSymbolAtLocation(decl.name);
  let usedOutside = false;
  const visit = (n: ts.Node): void => {
    if (ts.isIdentifier(n) && n !== decl.name && n.getStart() > statement.getEnd() && !(n.getStart() >= loop.getStart() && n.getEnd() <= loop.getEnd()) && ctx.checker.getSymbolAtLocation(n) === sym) usedOutside = true;
    if (!usedOutside) ts.forEachChild(n, visit);
  };
  visit(statement.parent);
  if (usedOutside) return [];
  const sf = ctx.sourceFile;
  const body = loop.statement;
  const first = body.statements[0];
  const indent = first ? indentAt(sf, first.getStart(sf)) : `${indentAt(sf, loop.getStart(sf))}  `;
  const text = statement.getText(sf);
  const insert = first ? insertAt(ctx.file, sf, lineStart(sf, first.getStart(sf)), `${indent}${text}\n`) : insertAt(ctx.file, sf, body.getStart(sf) + 1, `\n${indent}${text}`);
  return [
    {
      title: `Allocate \`${decl.name.text}\` in each iteration of the loop on line ${sf.getLineAndCharacterOfPosition(loop.getStart(sf)).line + 1}, so every transfer moves a buffer of its own`,
      id: 'allocate-per-iteration',
      preferred: false,
      edits: [replaceSpan(ctx.file, sf, lineStart(sf, statement.getStart(sf)), lineEnd(sf, statement.getEnd()), ''), insert],
    },
  ];
}

/** Send first, close after: the `close()`/`terminate()` statement moves below the statement that sends. */
export function moveCloseAfterSend(close: { call: ts.CallExpression; method: string }, send: ts.Node, file: string): Fix[] {
  let closeStatement: ts.Node = close.call.parent;
  if (ts.isAwaitExpression(closeStatement)) closeStatement = closeStatement.parent;
  if (!ts.isExpressionStatement(closeStatement)) return [];
  let sendStatement: ts.Node | undefined = send;
  while (sendStatement && sendStatement.parent !== closeStatement.parent) sendStatement = sendStatement.parent;
  if (!sendStatement || !ts.isStatement(sendStatement) || sendStatement.getStart() < closeStatement.getEnd()) return [];
  const sf = closeStatement.getSourceFile();
  const text = closeStatement.getText(sf);
  return [
    {
      title: `Move \`${text}\` after the send on line ${sf.getLineAndCharacterOfPosition(send.getStart(sf)).line + 1}`,
      id: 'close-after-send',
      preferred: false,
      edits: [replaceSpan(file, sf, lineStart(sf, closeStatement.getStart(sf)), lineEnd(sf, closeStatement.getEnd()), ''), insertAt(file, sf, sendStatement.getEnd(), `\n${indentAt(sf, sendStatement.getStart(sf))}${text}`)],
    },
  ];
}

/**
 * A Node worker terminated before a message posted to it: post first, wait for the worker's reply
 * (`await once(worker, 'message')`), then terminate. Offered only where the code can await (the
 * terminate is awaited, or the function is async), for a `worker_threads` Worker whose replies
 * this file listens to (`worker.on('message', ...)`): a worker that never answers would leave the
 * wait hanging.
 */
export function terminateAfterReply(close: { call: ts.CallExpression; method: string; helper?: string }, receiver: ts.Expression, send: ts.Node, file: string): Fix[] {
  if (close.helper || close.method !== 'terminate') return [];
  const sf = close.call.getSourceFile();
  if (!/from\s+['"](node:)?worker_threads['"]/.test(sf.text)) return [];
  let closeStatement: ts.Node = close.call.parent;
  const awaited = ts.isAwaitExpression(closeStatement);
  if (awaited) closeStatement = closeStatement.parent;
  if (!ts.isExpressionStatement(closeStatement)) return [];
  let fn: ts.Node | undefined = closeStatement.parent;
  while (fn && !ts.isFunctionLike(fn) && !ts.isSourceFile(fn)) fn = fn.parent;
  const canAwait = awaited || (fn !== undefined && ts.isFunctionLike(fn) && (ts.getCombinedModifierFlags(fn as ts.Declaration) & ts.ModifierFlags.Async) !== 0);
  if (!canAwait || !fn || ts.isSourceFile(fn) && !/\.m[jt]s$/.test(file)) return [];
  let sendStatement: ts.Node | undefined = send;
  while (sendStatement && sendStatement.parent !== closeStatement.parent) sendStatement = sendStatement.parent;
  if (!sendStatement || !ts.isStatement(sendStatement) || sendStatement.getStart() < closeStatement.getEnd()) return [];
  // The worker's replies are listened to here: the text of the receiver followed by `.on('message'` or `.once('message'`.
  const name = receiver.getText(sf);
  const listens = new RegExp(`${name.replace(/[.$]/g, '\\$&')}\\s*\\.\\s*(on|once|addListener)\\s*\\(\\s*['"]message['"]`).test(sf.text);
  if (!listens) return [];
  // `once` from node:events: already imported, or imported now (ESM only; a CommonJS file is left alone).
  const edits: TextEdit[] = [];
  let onceName = 'once';
  const imported = sf.statements.find((st): st is ts.ImportDeclaration => ts.isImportDeclaration(st) && ts.isStringLiteral(st.moduleSpecifier) && /^(node:)?events$/.test(st.moduleSpecifier.text));
  const named = imported?.importClause?.namedBindings;
  const has = named && ts.isNamedImports(named) ? named.elements.find((el) => (el.propertyName ?? el.name).text === 'once') : undefined;
  if (has) onceName = has.name.text;
  else {
    if (/\bonce\s*\(/.test(sf.text.replace(/\.\s*once\s*\(/g, '')) || !sf.statements.some(ts.isImportDeclaration)) return [];
    const last = [...sf.statements].reverse().find(ts.isImportDeclaration)!;
    edits.push(insertAt(file, sf, last.getEnd(), `\nimport { once } from 'node:events';`));
  }
  const indent = indentAt(sf, sendStatement.getStart(sf));
  const text = closeStatement.getText(sf);
  const wait = `await ${onceName}(${name}, 'message');`;
  edits.push(replaceSpan(file, sf, lineStart(sf, closeStatement.getStart(sf)), lineEnd(sf, closeStatement.getEnd()), ''), insertAt(file, sf, sendStatement.getEnd(), `\n${indent}${wait}\n${indent}${text}`));
  return [
    {
      title: `Post before \`${text}\` and terminate once the worker has replied (\`${wait}\`; the worker must answer this message)`,
      id: 'terminate-after-reply',
      preferred: false,
      edits,
    },
  ];
}

/**
 * A stream transferred to a second receiver after a first: `const body = make()` becomes
 * `const [body, bodyCopy] = make().tee()`, the first send keeps `body` and the second transfers
 * `bodyCopy`, so each receiver reads a branch of its own with the same chunks. Only for a
 * `const` of one name without a type annotation, read nowhere but in the two sends, both in
 * the declaration's block.
 */
export function teeForSecondReceiver(first: TransferEvent, second: TransferEvent, ctx: FileContext): Fix[] {
  if (!/^ReadableStream$/.test(second.what) || !ts.isIdentifier(skipOuter(second.expr))) return [];
  const decl = ctx.timeline.rootDeclaration(second.expr);
  if (!decl || !ts.isVariableDeclaration(decl) || !ts.isIdentifier(decl.name) || decl.type || !decl.initializer) return [];
  const list = decl.parent;
  if (!ts.isVariableDeclarationList(list) || !(list.flags & ts.NodeFlags.Const) || list.declarations.length !== 1) return [];
  const statement = list.parent;
  const sf = ctx.sourceFile;
  const sym = ctx.checker.getSymbolAtLocation(decl.name);
  if (!sym || !ts.isVariableStatement(statement)) return [];
  const firstStatement = statementOf(first.call);
  const secondStatement = statementOf(second.call);
  if (!firstStatement || !secondStatement || firstStatement.parent !== statement.parent || secondStatement.parent !== statement.parent || firstStatement === secondStatement) return [];
  // Every other read of the name is in one of the two sends.
  const inSecond: ts.Identifier[] = [];
  let elsewhere = false;
  const visit = (n: ts.Node): void => {
    if (ts.isIdentifier(n) && n !== decl.name && ctx.checker.getSymbolAtLocation(n) === sym) {
      if (n.getStart() >= secondStatement.getStart() && n.getEnd() <= secondStatement.getEnd()) inSecond.push(n);
      else if (!(n.getStart() >= firstStatement.getStart() && n.getEnd() <= firstStatement.getEnd())) elsewhere = true;
    }
    ts.forEachChild(n, visit);
  };
  visit(sf);
  // A shorthand `{ body }` names the symbol of the property; its value symbol is the variable.
  const visitShorthand = (n: ts.Node): void => {
    if (ts.isShorthandPropertyAssignment(n) && ctx.checker.getShorthandAssignmentValueSymbol(n) === sym) {
      if (n.getStart() >= secondStatement.getStart() && n.getEnd() <= secondStatement.getEnd()) inSecond.push(n.name);
      else if (!(n.getStart() >= firstStatement.getStart() && n.getEnd() <= firstStatement.getEnd())) elsewhere = true;
    }
    ts.forEachChild(n, visitShorthand);
  };
  visitShorthand(sf);
  if (elsewhere || inSecond.length === 0) return [];
  const name = decl.name.text;
  const copy = freshName(sf, `${name}Copy`);
  const init = decl.initializer;
  const initText = init.getText(sf);
  const called = ts.isCallExpression(init) || ts.isIdentifier(init) || ts.isPropertyAccessExpression(init) ? initText : `(${initText})`;
  const edits: TextEdit[] = [replaceSpan(ctx.file, sf, decl.getStart(sf), decl.getEnd(), `[${name}, ${copy}] = ${called}.tee()`)];
  for (const id of new Set(inSecond)) {
    const p = id.parent;
    edits.push(ts.isShorthandPropertyAssignment(p) && p.name === id ? replaceSpan(ctx.file, sf, id.getStart(sf), id.getEnd(), `${name}: ${copy}`) : replaceSpan(ctx.file, sf, id.getStart(sf), id.getEnd(), copy));
  }
  return [
    {
      title: `Split \`${name}\` with \`tee()\` and transfer the second branch, \`${copy}\`, to ${second.api} (a stream has one reader)`,
      id: 'tee-stream',
      preferred: true,
      edits,
    },
  ];
}

/**
 * An ImageBitmap transferred to a second receiver after a first: a copy is made before the first
 * send (`const bitmapCopy = await createImageBitmap(bitmap)`, while the original is still
 * attached) and the second send transfers the copy, so each receiver owns a bitmap of the same
 * pixels. Only where the code can await, with both sends statements of one block.
 */
export function copyBitmapForSecondReceiver(first: TransferEvent, second: TransferEvent, ctx: FileContext): Fix[] {
  const id = skipOuter(second.expr);
  if (second.what !== 'ImageBitmap' || !ts.isIdentifier(id) || !canAwait(first.call)) return [];
  const sym = ctx.checker.getSymbolAtLocation(id);
  const firstStatement = statementOf(first.call);
  const secondStatement = statementOf(second.call);
  if (!sym || !firstStatement || !secondStatement || firstStatement === secondStatement || firstStatement.parent !== secondStatement.parent) return [];
  const sf = ctx.sourceFile;
  const uses: ts.Node[] = [];
  const visit = (n: ts.Node): void => {
    if (ts.isShorthandPropertyAssignment(n) && ctx.checker.getShorthandAssignmentValueSymbol(n) === sym) uses.push(n);
    else if (ts.isIdentifier(n) && ctx.checker.getSymbolAtLocation(n) === sym && !(ts.isPropertyAccessExpression(n.parent) && n.parent.name === n)) uses.push(n);
    ts.forEachChild(n, visit);
  };
  visit(secondStatement);
  if (!uses.length) return [];
  const name = id.text;
  const copy = freshName(sf, `${name}Copy`);
  const at = firstStatement.getStart(sf);
  const edits: TextEdit[] = [insertAt(ctx.file, sf, at, `const ${copy} = await createImageBitmap(${name});\n${indentAt(sf, at)}`)];
  for (const u of uses) edits.push(replaceSpan(ctx.file, sf, u.getStart(sf), u.getEnd(), ts.isShorthandPropertyAssignment(u) ? `${u.name.text}: ${copy}` : copy));
  return [
    {
      title: `Copy \`${name}\` before its first send (\`await createImageBitmap(${name})\`) and transfer the copy, \`${copy}\`, to ${second.api} (a transferred bitmap has one owner)`,
      id: 'copy-bitmap-per-receiver',
      preferred: true,
      edits,
    },
  ];
}
