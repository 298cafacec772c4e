import * as path from 'node:path';
import * as ts from 'typescript';
import type { Fix, TextEdit } from '../../engine/types';
import { originOf } from '../origin';
import { spawnsOfChild } from '../sinks';
import type { FixContext } from './context';
import { skipOuter } from './context';
import { appendListElement, insertAt } from './edits';

// Fork with `serialization: 'advanced'`: child_process IPC then uses the structured clone
// algorithm, which keeps Map, Set, Date, bigint, typed arrays and undefined. It changes every
// message on that channel, in both directions, so it is offered, never preferred.

/** `childSide`: also for a child's own `process.send`, on the forks that start it (not yet run-checked for what JSON only loses). */
export function forkWithAdvancedSerialization(ctx: FixContext, childSide = true): Fix[] {
  const { facts, sink, checker } = ctx;
  // Functions and symbols throw under the structured clone; class instances still lose their prototype.
  if (facts.callable || facts.classInstance || facts.type.flags & ts.TypeFlags.ESSymbolLike) return [];
  const call = sink.call;
  if (!ts.isCallExpression(call) || !ts.isPropertyAccessExpression(call.expression)) return [];
  // Structured clone ignores toJSON(): the form the program chose for JSON would be replaced by the bare instance.
  if (holdsToJSON(checker, checker.getTypeAtLocation(ctx.value.expr), 0, new Set())) return [];
  if (ts.isIdentifier(call.expression.expression) && call.expression.expression.text === 'process') return childSide ? forkChildWithAdvancedSerialization(ctx) : [];
  const fork = forkCall(call.expression.expression, ctx);
  if (!fork) return [];
  if (fork.getSourceFile() !== ctx.sourceFile) return [];
  const edit = advancedOption(ctx, fork);
  if (!edit) return [];
  return [{ title: `Fork \`${call.expression.expression.getText(ctx.sourceFile)}\` with \`serialization: 'advanced'\` (structured clone instead of JSON for every message)`, id: 'use-advanced-serialization', preferred: false, edits: [edit] }];
}

/**
 * A child's `process.send`: the channel is what the calls that start this file asked for, so
 * each of them (a copy of itself it starts, or the forks of it in other project files) gets the
 * option. One without an options slot we can write into, or a `spawn`, and nothing is offered.
 */
function forkChildWithAdvancedSerialization(ctx: FixContext): Fix[] {
  // A getter is read once either way, but the getter-frozen finding then speaks of the structured clone: left to the other fixes.
  if (ctx.checker.getPropertiesOfType(ctx.checker.getTypeAtLocation(ctx.value.expr)).some((p) => p.declarations?.some(ts.isGetAccessorDeclaration))) return [];
  const forks = spawnsOfChild(ctx.checker, ctx.program, ctx.sourceFile);
  if (!forks.length || forks.length > 4) return [];
  const edits: TextEdit[] = [];
  for (const fork of forks) {
    if (!/\bfork$/.test(fork.expression.getText())) return [];
    const edit = advancedOption(ctx, fork);
    if (!edit) return [];
    edits.push(edit);
  }
  const where = forks.every((f) => f.getSourceFile() === ctx.sourceFile) ? 'where this file forks itself' : `in ${[...new Set(forks.map((f) => path.basename(f.getSourceFile().fileName)))].map((n) => `\`${n}\``).join(', ')}, which forks this file`;
  return [{ title: `Fork this child with \`serialization: 'advanced'\` ${where} (structured clone instead of JSON for every message)`, id: 'use-advanced-serialization', preferred: false, edits }];
}

/** The edit that adds `serialization: 'advanced'` to a fork call's options, or undefined when it already says, spreads them, or has no place for them. */
function advancedOption(ctx: FixContext, fork: ts.CallExpression): TextEdit | undefined {
  const { checker } = ctx;
  const sf = fork.getSourceFile();
  const file = sf === ctx.sourceFile ? ctx.file : path.resolve(sf.fileName);
  const args = fork.arguments;
  const options = args.slice(1).map(skipOuter).find(ts.isObjectLiteralExpression);
  if (options) {
    if (options.properties.some((p) => p.name?.getText(sf) === 'serialization' || ts.isSpreadAssignment(p))) return undefined;
    return appendListElement(file, sf, options, `serialization: 'advanced'`);
  }
  if (args.length === 0 || args.length > 2) return undefined;
  if (args.length === 2 && !(checker.getTypeAtLocation(args[1]).getNumberIndexType() || ts.isArrayLiteralExpression(skipOuter(args[1])))) return undefined;
  return insertAt(file, sf, args[args.length - 1].getEnd(), `, { serialization: 'advanced' }`);
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
