import * as ts from 'typescript';
import type { Fix } from '../../engine/types';
import { originOf } from '../origin';
import type { FixContext } from './context';
import { skipOuter } from './context';
import { appendListElement, insertAt } from './edits';

// Fork with `serialization: 'advanced'`: child_process IPC then uses the structured clone
// algorithm, which keeps Map, Set, Date, bigint, typed arrays and undefined. It changes every
// message on that channel, in both directions, so it is offered, never preferred.

export function forkWithAdvancedSerialization(ctx: FixContext): Fix[] {
  const { facts, sink, checker } = ctx;
  // Functions and symbols throw under the structured clone; class instances still lose their prototype.
  if (facts.callable || facts.classInstance || facts.type.flags & ts.TypeFlags.ESSymbolLike) return [];
  const call = sink.call;
  if (!ts.isCallExpression(call) || !ts.isPropertyAccessExpression(call.expression)) return [];
  // Structured clone ignores toJSON(): the form the program chose for JSON would be replaced by the bare instance.
  if (holdsToJSON(checker, checker.getTypeAtLocation(ctx.value.expr), 0, new Set())) return [];
  const fork = forkCall(call.expression.expression, ctx);
  if (!fork) return [];
  const file = ctx.file;
  const sf = fork.getSourceFile();
  if (sf !== ctx.sourceFile) return [];
  const args = fork.arguments;
  const options = args.slice(1).map(skipOuter).find(ts.isObjectLiteralExpression);
  let edit;
  if (options) {
    if (options.properties.some((p) => p.name?.getText(sf) === 'serialization' || ts.isSpreadAssignment(p))) return [];
    edit = appendListElement(file, sf, options, `serialization: 'advanced'`);
  } else {
    if (args.length === 0 || args.length > 2) return [];
    if (args.length === 2 && !(checker.getTypeAtLocation(args[1]).getNumberIndexType() || ts.isArrayLiteralExpression(skipOuter(args[1])))) return [];
    edit = insertAt(file, sf, args[args.length - 1].getEnd(), `, { serialization: 'advanced' }`);
  }
  return [{ title: `Fork \`${call.expression.expression.getText(ctx.sourceFile)}\` with \`serialization: 'advanced'\` (structured clone instead of JSON for every message)`, id: 'use-advanced-serialization', preferred: false, edits: [edit] }];
}

function holdsToJSON(checker: ts.TypeChecker, type: ts.Type, depth: number, seen: Set<ts.Type>): boolean {
  if (depth > 4 || seen.has(type)) return false;
  seen.add(type);
  if (type.isUnion() || type.isIntersection()) return type.types.some((t) => holdsToJSON(checker, t, depth, seen));
  if (!(type.flags & ts.TypeFlags.Object)) return false;
  const decl = type.getSymbol()?.declarations?.[0];
  if (decl?.getSourceFile().isDeclarationFile) return false;
  if (type.getProperty('toJSON')) return true;
  if (checker.isArrayType(type) || checker.isTupleType(type)) return checker.getTypeArguments(type as ts.TypeReference).some((t) => holdsToJSON(checker, t, depth + 1, seen));
  return checker.getPropertiesOfType(type).some((p) => {
    try {
      return holdsToJSON(checker, checker.getTypeOfSymbol(p), depth + 1, seen);
    } catch {
      return false;
    }
  });
}

/** The `fork(...)` call a child process variable was created by, in this file. */
function forkCall(receiver: ts.Expression, ctx: FixContext): ts.CallExpression | undefined {
  let e = skipOuter(receiver);
  for (let hops = 0; hops < 3 && ts.isIdentifier(e); hops++) {
    const decl = ctx.checker.getSymbolAtLocation(e)?.valueDeclaration;
    if (!decl || !ts.isVariableDeclaration(decl) || !decl.initializer) return undefined;
    e = skipOuter(decl.initializer);
  }
  if (!ts.isCallExpression(e)) return undefined;
  let sig: ts.Signature | undefined;
  try {
    sig = ctx.checker.getResolvedSignature(e);
  } catch {
    return undefined;
  }
  const o = sig?.declaration ? originOf(ctx.program, sig.declaration) : undefined;
  return o && o.module === 'child_process' && o.name === 'fork' ? e : undefined;
}
