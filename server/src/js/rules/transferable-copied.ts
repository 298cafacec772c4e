import type * as ts from 'typescript';
import { addToTransferList } from '../fixes/transfer';
import { article, jsRule, type TypeRule } from './rule';

const transferableBuffers = new Set(['ArrayBuffer', 'Int8Array', 'Uint8Array', 'Uint8ClampedArray', 'Int16Array', 'Uint16Array', 'Int32Array', 'Uint32Array', 'Float32Array', 'Float64Array', 'BigInt64Array', 'BigUint64Array', 'Float16Array', 'DataView']);

// A performance note, not a bug: the bytes are copied where they could have been moved.
export const transferableCopied: TypeRule = {
  meta: jsRule('transferable-copied', 'hint', 'An ArrayBuffer (or typed array) is copied across a boundary that could transfer it without copying.'),
  check(facts, ctx) {
    if (ctx.serializer !== 'clone' || !ctx.canTransfer || ctx.api === 'structuredClone' || ctx.transfer.kind !== 'none' || !facts.fromLibrary) return undefined;
    if (!transferableBuffers.has(facts.name)) return undefined;
    if (facts.name !== 'ArrayBuffer' && !ownsPlainBuffer(facts.type, ctx.checker)) return undefined;
    const what = facts.name === 'ArrayBuffer' ? 'it' : 'its `.buffer`';
    return { severity: 'hint', reason: `is ${article(facts.name)} that is copied: list ${what} in the transfer list to move it without copying (if the sender no longer needs it)` };
  },
  // Moving detaches the sender's copy: offered, never applied on its own.
  fixes: (ctx) => addToTransferList(ctx, false),
};

/** A view typed over `ArrayBuffer` (TS 5.7+ generic typed arrays); one over a SharedArrayBuffer or `ArrayBufferLike` may not be transferable. */
function ownsPlainBuffer(type: ts.Type, checker: ts.TypeChecker): boolean {
  let args: readonly ts.Type[] = [];
  try {
    args = checker.getTypeArguments(type as ts.TypeReference);
  } catch {
    args = [];
  }
  if (args.length === 0) return true;
  const buffer = args[0];
  return !buffer.isUnion() && buffer.getSymbol()?.getName() === 'ArrayBuffer';
}
