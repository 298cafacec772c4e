import * as path from 'node:path';
import * as ts from 'typescript';
import type { Fix, TextEdit } from '../../engine/types';
import { resolveObject, type Sink } from '../sinks';
import type { FixContext } from './context';
import { skipOuter } from './context';
import { appendListElement, insertAt, removeListElement, replaceSpan } from './edits';
import { memberReference } from './payload';

// Add to the transfer list: create or extend the transfer argument in the API's own shape:
// `postMessage(v, [t])`, `structuredClone(v, { transfer: [t] })`, `new Worker(url, { transferList: [t] })`.

const views = /^(Int|Uint|Float|BigInt|BigUint)(8|16|32|64)(Clamped)?Array$|^DataView$/;

export function addToTransferList(ctx: FixContext, preferredWhenUnused: boolean): Fix[] {
  const { sink } = ctx;
  const slot = sink.transferSlot;
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

function transferEdits(ctx: FixContext, item: string): TextEdit[] | undefined {
  const { sink, file } = ctx;
  const slot = sink.transferSlot!;
  const sf = ctx.sourceFile;
  if (sink.transfer.kind === 'list') {
    const list = sink.transfer.node;
    if (!ts.isArrayLiteralExpression(list)) return undefined;
    if (list.elements.some((el) => el.getText(sf) === item)) return undefined;
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
  return found;
}

function valueSymbol(id: ts.Identifier, checker: ts.TypeChecker): ts.Symbol | undefined {
  if (ts.isShorthandPropertyAssignment(id.parent) && id.parent.name === id) return checker.getShorthandAssignmentValueSymbol(id.parent);
  if ((ts.isPropertyAccessExpression(id.parent) && id.parent.name === id) || (ts.isPropertyAssignment(id.parent) && id.parent.name === id)) return undefined;
  return checker.getSymbolAtLocation(id);
}

/** Use after transfer: send a copy instead, by taking the buffer out of the transfer list (never a port, which can only be transferred). */
export function copyInsteadOfTransfer(sink: Sink, name: string, file: string): Fix[] {
  if (sink.transfer.kind !== 'list' || !ts.isArrayLiteralExpression(sink.transfer.node)) return [];
  const list = sink.transfer.node;
  const index = list.elements.findIndex((el) => {
    const e = ts.isPropertyAccessExpression(el) && el.name.text === 'buffer' ? el.expression : el;
    return ts.isIdentifier(e) && e.text === name;
  });
  if (index < 0) return [];
  const sf = list.getSourceFile();
  const shown = list.elements[index].getText(sf);
  // An emptied transfer list is dropped altogether when it is the last argument of the call.
  const call = sink.call;
  const args = call.arguments ?? ts.factory.createNodeArray<ts.Expression>();
  const edit =
    list.elements.length === 1 && args[args.length - 1] === list && args.length >= 2
      ? replaceSpan(file, sf, args[args.length - 2].getEnd(), list.getEnd(), '')
      : removeListElement(file, sf, list.elements, index, list);
  return [{ title: `Copy \`${shown}\` instead of transferring it: remove it from the transfer list of ${sink.api}`, id: 'copy-instead-of-transfer', preferred: true, edits: [edit] }];
}
