import * as ts from 'typescript';
import type { TransferEvent } from '../detach';
import { allocatePerIteration, copyBitmapForSecondReceiver, copyInsteadOfTransfer, teeForSecondReceiver } from '../fixes/transfer';
import { isViewTyped } from '../transfer-list';
import type { Severity } from '../../engine/types';
import { browserLike, jsRule, type CallFinding, type FileContext, type FileRule, type RuntimeTarget } from './rule';

// After `postMessage(msg, [buf])` the sender's `buf` is detached (byteLength 0, its views empty)
// and a transferred port is gone from this side. Measured on Node 20/24 and Chromium: reading
// `byteLength`/`length`/`detached` is how code checks that and is harmless; element reads give
// undefined and writes vanish (silently); typed-array methods, `new Uint8Array(buf)`, iteration
// and `buf.slice()` throw TypeError; sending it again throws DataCloneError; transferring it again
// throws on Node 21+ and in browsers, while Node 20 sends a message that never arrives intact.

export const useAfterTransfer: FileRule = {
  meta: jsRule('use-after-transfer', 'warning', 'A buffer, port or stream is used, sent or transferred again after it was transferred, when it is already detached.'),
  check(ctx) {
    const out: CallFinding[] = [];
    for (const ev of ctx.timeline.transfers) {
      const target = ctx.targetOf(ev.finalSink);
      const again = retransfer(ev, target, ctx);
      if (again) out.push(again);
      for (const ref of ctx.timeline.referencesAfter(ev)) {
        const use = judgeUse(ref, ev, ctx);
        if (!use) continue;
        out.push({
          node: ref,
          severity: use.severity,
          message: `${use.text} after ${ev.api} transferred ${rootText(ev)} on line ${lineOf(ev.call)}: ${use.effect}`,
          related: related(ev),
          fixes: ev.sink && ev.entry && isBuffer(ev.what) ? copyInsteadOfTransfer(ev.sink, ev.entry, ctx.file) : [],
        });
        break;
      }
    }
    return out;
  },
};

function lineOf(n: ts.Node): number {
  return n.getSourceFile().getLineAndCharacterOfPosition(n.getStart()).line + 1;
}

function isBuffer(what: string): boolean {
  return what === 'ArrayBuffer';
}

function rootText(ev: TransferEvent): string {
  return ev.name;
}

function related(ev: TransferEvent): CallFinding['related'] {
  const out: { node: ts.Node; message: string }[] = [{ node: ev.call, message: `${rootText(ev)} is transferred here` }];
  if (ev.via) out.push({ node: ev.via.call, message: `${ev.api} transfers it with ${ev.via.api}` });
  return out;
}

/** What a second transfer of an already transferred value does, per runtime. */
function transferredAgain(what: string, target: RuntimeTarget): { severity: Severity; effect: string } {
  if (what === 'ArrayBuffer') {
    if (target === 'node20') return { severity: 'warning', effect: 'Node 20 sends it anyway and the message arrives broken or not at all (messageerror: Unable to deserialize cloned data.); Node 21+ throws' };
    return { severity: 'error', effect: browserLike(target) ? 'DataCloneError: ArrayBuffer at index N is already detached.' : 'DataCloneError: Cannot transfer object of unsupported type.' };
  }
  if (what === 'MessagePort') return { severity: 'error', effect: browserLike(target) ? 'DataCloneError: Port at index N is already neutered.' : 'DataCloneError: MessagePort in transfer list is already detached' };
  if (/Stream$/.test(what)) return { severity: 'error', effect: browserLike(target) ? `DataCloneError: A ${what} could not be cloned because it was locked` : `DataCloneError: Cannot transfer a locked ${what}` };
  if (what === 'FileHandle') return { severity: 'warning', effect: 'the send goes through, but the other side gets a messageerror instead of the handle' };
  if (what === 'ImageBitmap') return { severity: 'error', effect: 'DataCloneError: An ImageBitmap is detached and could not be cloned.' };
  return { severity: 'error', effect: `DataCloneError: the ${what} is already detached` };
}

/** What to do by hand when a transferred object cannot be copied: each receiver needs its own. */
function oneOwnerAdvice(what: string): string {
  if (what === 'MessagePort') return '; a port has one owner: make a `new MessageChannel()` for each receiver and transfer each its own `port2`';
  if (/Stream$/.test(what)) return '; a stream has one reader: split it with `const [a, b] = stream.tee()` and transfer one to each receiver';
  if (what === 'ImageBitmap') return '; give each receiver its own: `await createImageBitmap(bitmap)` makes a copy to transfer';
  return '';
}

function retransfer(ev: TransferEvent, target: RuntimeTarget, ctx: FileContext): CallFinding | undefined {
  // Listed twice in one list is invalid-transfer-list's finding.
  if (ctx.timeline.transfers.some((t) => t.call === ev.call && t.key === ev.key && t.expr.getStart() < ev.expr.getStart())) return undefined;
  const before = ctx.timeline.earlier(ev.key, ev.call);
  const { severity, effect } = transferredAgain(ev.what, target);
  if (before) {
    const byHand = isBuffer(before.what) ? '' : oneOwnerAdvice(ev.what);
    return {
      node: ev.expr,
      severity,
      message: `${rootText(ev)} is transferred again, but ${before.api} already transferred it on line ${lineOf(before.call)} (detached): ${effect}${byHand}`,
      related: related(before),
      // The first transfer is the one to turn into a copy: the second then has something to move.
      // A stream is split instead: each receiver reads a branch of its own; a bitmap is copied before the first send.
      fixes: before.sink && before.entry && isBuffer(before.what) ? copyInsteadOfTransfer(before.sink, before.entry, ctx.file, `Copy \`${before.entry.expr.getText()}\` at its first send (line ${lineOf(before.call)}) instead of transferring it`) : [...teeForSecondReceiver(before, ev, ctx), ...copyBitmapForSecondReceiver(before, ev, ctx)],
    };
  }
  const loop = ctx.timeline.repeatingLoop(ev.key, ev.expr, ev.call);
  if (!loop) return undefined;
  const kind = ts.isIterationStatement(loop, false) ? 'loop' : 'callback';
  return {
    node: ev.expr,
    severity,
    message: `${rootText(ev)} is transferred by ${ev.api} on every run of the ${kind} (line ${lineOf(loop)}), but it comes from outside the ${kind}: the first transfer detaches it and the next one fails: ${effect}`,
    related: ev.via ? [{ node: ev.via.call, message: `${ev.api} transfers it with ${ev.via.api}` }] : [],
    fixes: ev.sink && ev.entry && isBuffer(ev.what) ? [...copyInsteadOfTransfer(ev.sink, ev.entry, ctx.file), ...allocatePerIteration(ev, loop, ctx)] : [],
  };
}

const harmlessBufferReads = new Set(['byteLength', 'length', 'byteOffset', 'detached', 'maxByteLength', 'resizable', 'BYTES_PER_ELEMENT', 'constructor']);
// Each validates its receiver and throws TypeError on a detached buffer (measured in V8: Node 20/24, Chromium).
const throwingMethods = new Set([
  'at', 'copyWithin', 'entries', 'every', 'fill', 'filter', 'find', 'findIndex', 'findLast', 'findLastIndex', 'forEach', 'includes', 'indexOf', 'join',
  'keys', 'lastIndexOf', 'map', 'reduce', 'reduceRight', 'reverse', 'set', 'slice', 'some', 'sort', 'subarray', 'toLocaleString', 'toReversed', 'toSorted',
  'toString', 'values', 'with', 'resize', 'transfer', 'transferToFixedLength',
]);
const portReceives = new Set(['on', 'once', 'addListener', 'prependListener', 'addEventListener']);
const comparisons = new Set([
  ts.SyntaxKind.EqualsEqualsEqualsToken, ts.SyntaxKind.ExclamationEqualsEqualsToken, ts.SyntaxKind.EqualsEqualsToken, ts.SyntaxKind.ExclamationEqualsToken,
  ts.SyntaxKind.InstanceOfKeyword, ts.SyntaxKind.InKeyword, ts.SyntaxKind.AmpersandAmpersandToken, ts.SyntaxKind.BarBarToken, ts.SyntaxKind.QuestionQuestionToken,
]);

interface Use {
  severity: Severity;
  /** The use as the message names it: `pixels[0]`, `view.set()`. */
  text: string;
  effect: string;
}

function outer(n: ts.Node): ts.Node {
  let p = n.parent;
  while (p && (ts.isParenthesizedExpression(p) || ts.isNonNullExpression(p) || ts.isAsExpression(p))) p = p.parent;
  return p;
}

/** How `ref`, a reference to the transferred value after the transfer, uses it; undefined when it only checks it. */
function judgeUse(ref: ts.Expression, ev: TransferEvent, ctx: FileContext): Use | undefined {
  const name = ref.getText().length <= 40 ? ref.getText() : 'it';
  const p = outer(ref);
  if (ev.what === 'MessagePort') return judgePortUse(ref, p, name);
  if (!isBuffer(ev.what)) return undefined;
  const detached = `${name} is detached (length 0)`;
  // Sending it again: the clone refuses a detached buffer.
  const resent = ctx.sinks.find((s) => s.values.some((v) => within(ref, v.expr)));
  if (resent) return { severity: 'error', text: `${name} is sent again by ${resent.api}`, effect: 'DataCloneError: An ArrayBuffer is detached and could not be cloned.' };
  if (ts.isPropertyAccessExpression(p) && p.expression === ref) {
    const member = p.name.text;
    if (member === 'buffer') return judgeUse(p, ev, ctx);
    const dataView = isDataView(ref, ctx.checker);
    if (harmlessBufferReads.has(member) && !(dataView && (member === 'byteLength' || member === 'byteOffset'))) return undefined;
    const call = outer(p);
    const owner = dataView ? 'DataView.prototype' : typeName(ref, ctx.checker) === 'ArrayBuffer' ? 'ArrayBuffer.prototype' : '%TypedArray%.prototype';
    if (dataView && (member === 'byteLength' || member === 'byteOffset' || /^(?:get|set)[A-Z]/.test(member))) return { severity: 'error', text: `${name}.${member}`, effect: `TypeError: Cannot perform ${owner}.${member} on a detached ArrayBuffer` };
    if (!ts.isCallExpression(call) || call.expression !== p) return undefined;
    // V8 names the step that fails: `subarray` constructs the new view, `toString` joins.
    const step = member === 'subarray' ? 'Construct' : member === 'toString' ? `${owner}.join` : `${owner}.${member}`;
    if (throwingMethods.has(member)) return { severity: 'error', text: `${name}.${member}()`, effect: `TypeError: Cannot perform ${step} on a detached ArrayBuffer` };
    return { severity: 'warning', text: `${name}.${member}()`, effect: `${detached}: it reads no bytes` };
  }
  if (ts.isElementAccessExpression(p) && p.expression === ref) {
    const index = `${name}[${p.argumentExpression.getText()}]`;
    return isWrite(p) ? { severity: 'warning', text: `the write to ${index}`, effect: `${detached}, the value is dropped` } : { severity: 'warning', text: `${index} reads undefined`, effect: detached };
  }
  if (ts.isSpreadElement(p) || (ts.isForOfStatement(p) && p.expression === ref)) return { severity: 'error', text: `iterating ${name}`, effect: 'TypeError: Cannot perform %TypedArray%.prototype.values on a detached ArrayBuffer' };
  if (ts.isNewExpression(p) && p.arguments?.includes(ref as ts.Expression)) {
    const ctor = p.expression.getText();
    if (/^(?:(?:Int|Uint|Float|BigInt|BigUint)(?:8|16|32|64)(?:Clamped)?Array|DataView)$/.test(ctor)) return { severity: 'error', text: `new ${ctor}(${name})`, effect: `TypeError: Cannot perform ${ctor === 'DataView' ? 'DataView constructor' : 'Construct'} on a detached ArrayBuffer` };
    return { severity: 'warning', text: `${name} is handed to new ${ctor}()`, effect: detached };
  }
  if (ts.isCallExpression(p) && p.arguments.includes(ref as ts.Expression)) {
    const callee = p.expression.getText();
    if (/^console\./.test(callee)) return undefined;
    if (callee === 'Array.from') return { severity: 'error', text: `Array.from(${name})`, effect: 'TypeError: Cannot perform %TypedArray%.prototype.values on a detached ArrayBuffer' };
    if (callee === 'Buffer.from') return isViewTyped(ref, ctx.checker) ? { severity: 'warning', text: `Buffer.from(${name})`, effect: `${detached}: the copy is empty` } : { severity: 'error', text: `Buffer.from(${name})`, effect: 'TypeError: Cannot perform Construct on a detached ArrayBuffer' };
    return { severity: 'warning', text: `${name} is passed to ${callee.length <= 30 ? callee : 'a function'}()`, effect: detached };
  }
  if (isCheck(ref, p)) return undefined;
  if (ts.isReturnStatement(p) || ts.isShorthandPropertyAssignment(p) || ts.isPropertyAssignment(p) || ts.isArrayLiteralExpression(p) || (ts.isBinaryExpression(p) && p.right === ref && p.operatorToken.kind === ts.SyntaxKind.EqualsToken)) {
    return { severity: 'warning', text: `${name} is handed on`, effect: detached };
  }
  return undefined;
}

function judgePortUse(ref: ts.Expression, p: ts.Node, name: string): Use | undefined {
  if (ts.isPropertyAccessExpression(p) && p.expression === ref) {
    const member = p.name.text;
    const call = outer(p);
    if (member === 'postMessage' && ts.isCallExpression(call)) return { severity: 'warning', text: `${name}.postMessage()`, effect: 'a transferred port is detached on this side, the message is dropped' };
    if (portReceives.has(member) && ts.isCallExpression(call)) return { severity: 'warning', text: `${name}.${member}()`, effect: 'a transferred port is detached on this side, no message arrives here' };
    if (member === 'onmessage' && isWrite(p)) return { severity: 'warning', text: `${name}.onmessage`, effect: 'a transferred port is detached on this side, no message arrives here' };
  }
  return undefined;
}

function isWrite(n: ts.Node): boolean {
  const p = outer(n);
  if (ts.isBinaryExpression(p) && p.left === n && p.operatorToken.kind >= ts.SyntaxKind.FirstAssignment && p.operatorToken.kind <= ts.SyntaxKind.LastAssignment) return true;
  return (ts.isPrefixUnaryExpression(p) || ts.isPostfixUnaryExpression(p)) && (p.operator === ts.SyntaxKind.PlusPlusToken || p.operator === ts.SyntaxKind.MinusMinusToken);
}

/** `buf === other`, `typeof buf`, `!buf`, `if (buf)`, `buf ?? x`: identity and truthiness checks read nothing. */
function isCheck(ref: ts.Node, p: ts.Node): boolean {
  if (ts.isBinaryExpression(p) && comparisons.has(p.operatorToken.kind)) return true;
  if (ts.isTypeOfExpression(p) || ts.isVoidExpression(p) || (ts.isPrefixUnaryExpression(p) && p.operator === ts.SyntaxKind.ExclamationToken)) return true;
  if ((ts.isIfStatement(p) || ts.isWhileStatement(p) || ts.isDoStatement(p)) && p.expression === ref) return true;
  return ts.isConditionalExpression(p) && p.condition === ref;
}

function typeName(e: ts.Expression, checker: ts.TypeChecker): string | undefined {
  try {
    return checker.getTypeAtLocation(e).getSymbol()?.getName();
  } catch {
    return undefined;
  }
}

function isDataView(e: ts.Expression, checker: ts.TypeChecker): boolean {
  return typeName(e, checker) === 'DataView';
}

function within(n: ts.Node, container: ts.Node): boolean {
  return n.getStart() >= container.getStart() && n.getEnd() <= container.getEnd();
}
