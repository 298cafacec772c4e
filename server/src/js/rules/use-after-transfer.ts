import * as ts from 'typescript';
import type { Sink } from '../sinks';
import { copyInsteadOfTransfer } from '../fixes/transfer';
import type { Fix } from '../../engine/types';
import { jsRule } from './rule';

export const useAfterTransferMeta = jsRule('use-after-transfer', 'warning', 'An ArrayBuffer, typed array or MessagePort is used after it was transferred, when it is already detached.');

export interface UseAfterTransfer {
  node: ts.Identifier;
  name: string;
  /** `ArrayBuffer`, `Uint8Array`..., or `MessagePort`. */
  typeName: string;
  transferredAt: ts.Node;
  message: string;
}

const detachable = /^(ArrayBuffer|(Int|Uint|Float|BigInt|BigUint)(8|16|32|64)(Clamped)?Array|DataView|MessagePort)$/;

/**
 * After `postMessage(x, [buf])` the sender's `buf` is detached (byteLength 0) and a transferred
 * port is closed. Reports the first later read of each transferred variable in the same function,
 * unless the variable is assigned again first.
 */
export function findUsesAfterTransfer(sink: Sink, checker: ts.TypeChecker): UseAfterTransfer[] {
  if (sink.transfer.kind !== 'list') return [];
  const out: UseAfterTransfer[] = [];
  const scope = enclosingScope(sink.call);
  if (!scope) return out;
  for (const el of sink.transfer.elements) {
    const e = ts.isPropertyAccessExpression(el) && el.name.text === 'buffer' ? el.expression : el;
    if (!ts.isIdentifier(e)) continue;
    const sym = checker.getSymbolAtLocation(e);
    if (!sym) continue;
    let typeName = '';
    try {
      typeName = checker.getTypeAtLocation(el).getSymbol()?.getName() ?? '';
    } catch {
      typeName = '';
    }
    if (!detachable.test(typeName)) continue;
    if (isInLoop(sink.call, scope)) continue; // a second iteration is a DataCloneError, judged at runtime
    const after = sink.call.getEnd();
    let found: ts.Identifier | undefined;
    let reassigned = false;
    const visit = (n: ts.Node): void => {
      if (found || reassigned) return;
      if (n.getStart() >= after && ts.isBinaryExpression(n) && n.operatorToken.kind === ts.SyntaxKind.EqualsToken && ts.isIdentifier(n.left) && checker.getSymbolAtLocation(n.left) === sym) {
        reassigned = true;
        return;
      }
      if (ts.isIdentifier(n) && n.getStart() >= after && n.text === e.text && checker.getSymbolAtLocation(n) === sym) {
        found = n;
        return;
      }
      if (n.getEnd() <= after && !n.getChildren().length) return;
      ts.forEachChild(n, visit);
    };
    visit(scope);
    if (found) {
      const what = typeName === 'MessagePort' ? 'a transferred MessagePort is closed on this side' : `it is detached here (byteLength 0)`;
      out.push({ node: found, name: e.text, typeName, transferredAt: sink.call, message: `${e.text} is used after it was transferred by ${sink.api} on line ${lineOf(sink.call) + 1}: ${what}; send a copy (\`.slice()\`) or stop using it after the transfer` });
    }
  }
  return out;
}

function lineOf(n: ts.Node): number {
  return n.getSourceFile().getLineAndCharacterOfPosition(n.getStart()).line;
}

function enclosingScope(n: ts.Node): ts.Node | undefined {
  for (let p: ts.Node | undefined = n.parent; p; p = p.parent) {
    if (ts.isFunctionLike(p) || ts.isSourceFile(p)) return ts.isSourceFile(p) ? p : (p as ts.FunctionLikeDeclaration).body;
  }
  return undefined;
}

function isInLoop(n: ts.Node, scope: ts.Node): boolean {
  for (let p: ts.Node | undefined = n.parent; p && p !== scope; p = p.parent) {
    if (ts.isIterationStatement(p, false)) return true;
  }
  return false;
}

/** A buffer read after its transfer was meant to be kept: send a copy. A port can only be transferred, so it gets no fix. */
export function useAfterTransferFixes(sink: Sink, use: UseAfterTransfer, file: string): Fix[] {
  return use.typeName === 'MessagePort' ? [] : copyInsteadOfTransfer(sink, use.name, file);
}
