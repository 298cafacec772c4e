import * as ts from 'typescript';
import type { Fix } from '../../engine/types';
import { appendListElement, insertAt, replaceNode } from '../fixes/edits';
import { isLibraryFile } from '../origin';
import { jsRule, type CallFinding, type FileRule } from './rule';

// workerpool's `pool.exec(fn, params)` sends `fn` as its source text (`String(fn)`) and the worker
// rebuilds it with `new Function`: what the function reads from around it (a module constant, an
// import, a local of the enclosing function) does not exist there, and the task rejects with
// `ReferenceError: <name> is not defined` (measured, workerpool 10 on Node 20 and 24). Globals
// (Math, JSON, console) are the worker's own and fine.

export const functionSourceClosure: FileRule = {
  meta: jsRule('function-source-closure', 'error', "A function sent as its source text (workerpool's exec) reads variables from around it, which do not exist in the worker (ReferenceError)."),
  check(ctx) {
    const out: CallFinding[] = [];
    for (const sink of ctx.sinks) {
      if (!sink.sourceFunction) continue;
      const fn = functionNode(sink.sourceFunction, ctx.checker);
      if (!fn || fn.getSourceFile().isDeclarationFile || isLibraryFile(ctx.program, fn.getSourceFile())) continue;
      const free = freeVariables(fn, ctx.checker, ctx.program);
      if (!free.length) continue;
      const names = [...new Set(free.map((f) => f.name))];
      const list = names.map((n) => `\`${n}\``).join(', ');
      const one = names.length === 1;
      out.push({
        node: sink.sourceFunction,
        severity: 'error',
        message: `the task function reads ${list} from ${one ? 'its' : 'their'} surroundings: workerpool sends the function as source text and runs it in the worker, where ${one ? 'it is' : 'they are'} not defined (ReferenceError); pass ${one ? 'it' : 'them'} in the task's parameters`,
        related: free.filter((f, i) => free.findIndex((g) => g.name === f.name) === i).map((f) => ({ node: f.declaration, message: `\`${f.name}\` is declared here, outside the task function` })),
        fixes: passAsParameters(sink.call, sink.sourceFunction, fn, names, free, ctx.checker, ctx.file),
      });
    }
    return out;
  },
};

type FunctionNode = ts.ArrowFunction | ts.FunctionExpression | ts.FunctionDeclaration;

/** The function an argument is: written there, or a function the project declares under that name. */
function functionNode(arg: ts.Expression, checker: ts.TypeChecker): FunctionNode | undefined {
  let e = arg;
  while (ts.isParenthesizedExpression(e)) e = e.expression;
  if (ts.isArrowFunction(e) || ts.isFunctionExpression(e)) return e;
  if (!ts.isIdentifier(e)) return undefined;
  let sym: ts.Symbol | undefined;
  try {
    sym = checker.getSymbolAtLocation(e);
    if (sym && sym.flags & ts.SymbolFlags.Alias) sym = checker.getAliasedSymbol(sym);
  } catch {
    return undefined;
  }
  const d = sym?.valueDeclaration;
  if (d && ts.isFunctionDeclaration(d) && d.body) return d;
  if (d && ts.isVariableDeclaration(d) && d.initializer && (ts.isArrowFunction(d.initializer) || ts.isFunctionExpression(d.initializer))) return d.initializer;
  return undefined;
}

interface FreeVariable {
  name: string;
  reference: ts.Identifier;
  declaration: ts.Node;
  symbol: ts.Symbol;
}

/** The identifiers `fn` reads whose declaration is in the project's code outside `fn`. */
function freeVariables(fn: FunctionNode, checker: ts.TypeChecker, program: ts.Program): FreeVariable[] {
  const out: FreeVariable[] = [];
  const visit = (n: ts.Node): void => {
    if (ts.isTypeNode(n) || out.length >= 8) return;
    if (ts.isIdentifier(n) && isValueRead(n)) {
      let sym: ts.Symbol | undefined;
      try {
        sym = ts.isShorthandPropertyAssignment(n.parent) ? checker.getShorthandAssignmentValueSymbol(n.parent) : checker.getSymbolAtLocation(n);
      } catch {
        sym = undefined;
      }
      const decl = sym?.declarations?.[0];
      if (sym && decl && !(sym.flags & ts.SymbolFlags.Type && !(sym.flags & ts.SymbolFlags.Value))) {
        const sf = decl.getSourceFile();
        const inside = sf === fn.getSourceFile() && decl.getStart() >= fn.getStart() && decl.getEnd() <= fn.getEnd();
        if (!inside && !sf.isDeclarationFile && !isLibraryFile(program, sf)) out.push({ name: n.text, reference: n, declaration: decl, symbol: sym });
      }
    }
    ts.forEachChild(n, visit);
  };
  for (const p of fn.parameters) if (p.initializer) visit(p.initializer);
  if (fn.body) visit(fn.body);
  return out;
}

/** An identifier that reads a variable: not a property name, a declaration's name or a label. */
function isValueRead(n: ts.Identifier): boolean {
  const p = n.parent;
  if ((ts.isPropertyAccessExpression(p) || ts.isQualifiedName(p)) && (p as ts.PropertyAccessExpression).name === n) return false;
  if ((ts.isPropertyAssignment(p) || ts.isMethodDeclaration(p) || ts.isPropertyDeclaration(p) || ts.isGetAccessor(p) || ts.isSetAccessor(p)) && p.name === n) return false;
  if ((ts.isVariableDeclaration(p) || ts.isParameter(p) || ts.isFunctionDeclaration(p) || ts.isFunctionExpression(p) || ts.isClassDeclaration(p) || ts.isBindingElement(p)) && p.name === n) return false;
  if (ts.isBindingElement(p) && p.propertyName === n) return false;
  if (ts.isLabeledStatement(p) || ts.isBreakOrContinueStatement(p)) return false;
  return true;
}

/**
 * *Pass `rate` as a parameter*: the function takes the free variables as extra parameters and the
 * call passes them after its own parameters. Only for a function written at the call with plain
 * parameters, matched one to one by the parameter array, and free variables that hold data (a
 * function passed along would throw DataCloneError instead).
 */
function passAsParameters(call: ts.CallExpression | ts.NewExpression, arg: ts.Expression, fn: FunctionNode, names: string[], free: FreeVariable[], checker: ts.TypeChecker, file: string): Fix[] {
  if (!ts.isArrowFunction(fn) && !ts.isFunctionExpression(fn)) return [];
  if (fn !== arg && !(ts.isParenthesizedExpression(arg) && arg.expression === fn)) return [];
  if (fn.parameters.some((p) => p.dotDotDotToken || p.initializer || !ts.isIdentifier(p.name))) return [];
  if (free.some((f) => f.reference.text === 'arguments' || !ts.isVariableDeclaration(f.declaration) && !ts.isParameter(f.declaration) && !ts.isImportSpecifier(f.declaration) && !ts.isImportClause(f.declaration))) return [];
  for (const f of free) {
    let t: ts.Type;
    try {
      t = checker.getTypeAtLocation(f.reference);
    } catch {
      return [];
    }
    if (t.getCallSignatures().length || t.getConstructSignatures().length) return [];
  }
  const params = call.arguments?.[1];
  const list = params && ts.isArrayLiteralExpression(params) ? params : undefined;
  if (params && (!list || list.elements.length !== fn.parameters.length || list.elements.some(ts.isSpreadElement))) return [];
  if (!params && fn.parameters.length) return [];
  const sf = fn.getSourceFile();
  const edits = [];
  const added = names.join(', ');
  if (fn.parameters.length === 0) {
    const open = fn.getChildren(sf).find((c) => c.kind === ts.SyntaxKind.OpenParenToken);
    if (!open) return [];
    edits.push(insertAt(file, sf, open.getEnd(), added));
  } else if (ts.isArrowFunction(fn) && !fn.getChildren(sf).some((c) => c.kind === ts.SyntaxKind.OpenParenToken)) {
    edits.push(replaceNode(file, fn.parameters[0], `(${fn.parameters[0].getText(sf)}, ${added})`));
  } else {
    edits.push(insertAt(file, sf, fn.parameters[fn.parameters.length - 1].getEnd(), `, ${added}`));
  }
  if (list) edits.push(appendListElement(file, sf, list, added));
  else edits.push(insertAt(file, sf, arg.getEnd(), `, [${added}]`));
  return [{ title: `Pass ${names.map((n) => `\`${n}\``).join(', ')} to the task as ${names.length === 1 ? 'a parameter' : 'parameters'}`, id: 'pass-free-variables', preferred: false, edits }];
}
