import * as ts from 'typescript';
import { isWorkspaceErrorClass, originOf, resolveAlias } from './origin';

// Where a value can come from, when the expression at the sink does not say: a bounded
// may-analysis over variable initialisers and assignments, fields assigned anywhere in their
// class (`this._fork ||= fork(...)` in one method, `this._fork.send(...)` in another), getters and
// helpers' return values. Rules and sink classification ask this module; they do not follow
// assignments themselves.

const maxHops = 6;
const maxOrigins = 16;

/** Assignments in a file by the assigned name (`x = …`, `this.x ||= …`, `obj.x ??= …`), built once per parsed file. */
const assignmentIndex = new WeakMap<ts.SourceFile, Map<string, ts.BinaryExpression[]>>();

function isAssignment(kind: ts.SyntaxKind): boolean {
  return (
    kind === ts.SyntaxKind.EqualsToken ||
    kind === ts.SyntaxKind.BarBarEqualsToken ||
    kind === ts.SyntaxKind.QuestionQuestionEqualsToken ||
    kind === ts.SyntaxKind.AmpersandAmpersandEqualsToken
  );
}

/** A file's nodes that `pick` names, by that name; built once per parsed file and kept in `cache`. */
function nameIndex<T extends ts.Node>(sf: ts.SourceFile, cache: WeakMap<ts.SourceFile, Map<string, T[]>>, pick: (n: ts.Node) => [string, T] | undefined): Map<string, T[]> {
  let index = cache.get(sf);
  if (index) return index;
  const built = new Map<string, T[]>();
  const visit = (n: ts.Node): void => {
    const hit = pick(n);
    if (hit) {
      const list = built.get(hit[0]) ?? [];
      list.push(hit[1]);
      built.set(hit[0], list);
    }
    ts.forEachChild(n, visit);
  };
  visit(sf);
  cache.set(sf, built);
  index = built;
  return index;
}

function assignmentsIn(sf: ts.SourceFile): Map<string, ts.BinaryExpression[]> {
  return nameIndex(sf, assignmentIndex, (n) => {
    if (!ts.isBinaryExpression(n) || !isAssignment(n.operatorToken.kind)) return undefined;
    const left = skipOuter(n.left);
    // `obj[kRetry] = …` is indexed as `[kRetry]` (a name no identifier can collide with).
    const name = ts.isIdentifier(left)
      ? left.text
      : ts.isPropertyAccessExpression(left)
        ? left.name.text
        : ts.isElementAccessExpression(left) && ts.isIdentifier(left.argumentExpression)
          ? `[${left.argumentExpression.text}]`
          : undefined;
    return name ? [name, n] : undefined;
  });
}

export function skipOuter(e: ts.Expression): ts.Expression {
  while (ts.isParenthesizedExpression(e) || ts.isAsExpression(e) || ts.isNonNullExpression(e) || ts.isSatisfiesExpression(e) || ts.isTypeAssertionExpression(e)) e = e.expression;
  return e;
}

/** One variable or field, also when the checker hands out a separate symbol for an instance's member. */
function sameSymbol(a: ts.Symbol | undefined, b: ts.Symbol | undefined): boolean {
  if (!a || !b) return false;
  if (a === b) return true;
  const d = a.declarations?.[0];
  return !!d && d === b.declarations?.[0];
}

function symbolOf(checker: ts.TypeChecker, node: ts.Node): ts.Symbol | undefined {
  try {
    // `{ job }` names the property; the value is the variable `job`.
    if (node.parent && ts.isShorthandPropertyAssignment(node.parent) && node.parent.name === node) return checker.getShorthandAssignmentValueSymbol(node.parent);
    return resolveAlias(checker, checker.getSymbolAtLocation(node));
  } catch {
    return undefined;
  }
}

/** Functions a call may run: a user function or method, its declaration with a body. */
export function calledFunction(checker: ts.TypeChecker, call: ts.CallExpression | ts.NewExpression): ts.SignatureDeclaration | undefined {
  const callee = ts.isPropertyAccessExpression(call.expression) ? call.expression.name : call.expression;
  const sym = symbolOf(checker, callee);
  for (const d of sym?.declarations ?? []) {
    const fn = functionOf(d);
    if (fn && !fn.getSourceFile().isDeclarationFile) return fn;
  }
  return undefined;
}

function functionOf(d: ts.Node): ts.SignatureDeclaration | undefined {
  if (ts.isFunctionDeclaration(d) || ts.isMethodDeclaration(d) || ts.isFunctionExpression(d) || ts.isArrowFunction(d)) return d.body ? d : undefined;
  if ((ts.isVariableDeclaration(d) || ts.isPropertyDeclaration(d) || ts.isPropertyAssignment(d)) && d.initializer) {
    const init = skipOuter(d.initializer);
    if (ts.isFunctionExpression(init) || ts.isArrowFunction(init)) return init;
  }
  // A method set by assignment in JS (`m.add = function () { ... }`): the checker declares it at the assignment.
  const assignment = ts.isBinaryExpression(d) ? d : ts.isPropertyAccessExpression(d) && ts.isBinaryExpression(d.parent) && d.parent.left === d ? d.parent : undefined;
  if (assignment && assignment.operatorToken.kind === ts.SyntaxKind.EqualsToken) {
    const right = skipOuter(assignment.right);
    if ((ts.isFunctionExpression(right) || ts.isArrowFunction(right)) && right.body) return right;
  }
  return undefined;
}

/** The expressions a function returns (an arrow's expression body included). */
export function returnedExpressions(fn: ts.SignatureDeclaration): ts.Expression[] {
  const body = (fn as { body?: ts.Node }).body;
  if (!body) return [];
  if (!ts.isBlock(body)) return [body as ts.Expression];
  const out: ts.Expression[] = [];
  const visit = (n: ts.Node): void => {
    if (ts.isFunctionLike(n)) return; // a nested function's returns are its own
    if (ts.isReturnStatement(n) && n.expression) out.push(n.expression);
    ts.forEachChild(n, visit);
  };
  ts.forEachChild(body, visit);
  return out;
}

/** Calls and `new` expressions in a file by the name they call (`watch(...)`, `x.send(...)`, `new Upload(...)`), built once per parsed file. */
const callIndex = new WeakMap<ts.SourceFile, Map<string, (ts.CallExpression | ts.NewExpression)[]>>();

function callsIn(sf: ts.SourceFile): Map<string, (ts.CallExpression | ts.NewExpression)[]> {
  return nameIndex(sf, callIndex, (n) => {
    if (!(ts.isCallExpression(n) || ts.isNewExpression(n)) || !n.arguments?.length) return undefined;
    const e = n.expression;
    const name = ts.isIdentifier(e) ? e.text : ts.isPropertyAccessExpression(e) ? e.name.text : undefined;
    return name ? [name, n] : undefined;
  });
}

const maxCallers = 8;

/**
 * The arguments the project's callers pass for parameter `param` of a user function, method or
 * constructor (`watch(new Upload(...))`, `new Scheduler(worker)`), each call resolved by the checker.
 * Bounded; an empty answer means no caller was seen.
 */
export function argumentsFromCallers(checker: ts.TypeChecker, program: ts.Program, param: ts.ParameterDeclaration): ts.Expression[] {
  const fn = param.parent;
  if (!ts.isFunctionLike(fn) || param.dotDotDotToken || !ts.isIdentifier(param.name)) return [];
  const index = fn.parameters.indexOf(param);
  let name: string | undefined;
  if (ts.isConstructorDeclaration(fn)) name = fn.parent.name?.text;
  else if (fn.name && (ts.isIdentifier(fn.name) || ts.isPrivateIdentifier(fn.name))) name = fn.name.text;
  else if ((ts.isVariableDeclaration(fn.parent) || ts.isPropertyAssignment(fn.parent) || ts.isPropertyDeclaration(fn.parent)) && ts.isIdentifier(fn.parent.name)) name = fn.parent.name.text;
  if (!name) return [];
  const out: ts.Expression[] = [];
  for (const sf of program.getSourceFiles()) {
    if (sf.isDeclarationFile || sf.fileName.includes('/node_modules/')) continue;
    for (const call of callsIn(sf).get(name) ?? []) {
      if (ts.isConstructorDeclaration(fn) ? !ts.isNewExpression(call) || constructorOf(checker, call) !== fn : !ts.isCallExpression(call) || calledFunction(checker, call) !== fn) continue;
      const args = call.arguments ?? [];
      const arg = args[index];
      if (arg && !ts.isSpreadElement(arg)) out.push(arg);
      // A caller that leaves the argument out gets the default (`constructor(script, options = {})`).
      else if (!arg && param.initializer && !args.some(ts.isSpreadElement) && !out.includes(param.initializer)) out.push(param.initializer);
      if (out.length >= maxCallers) return out;
    }
  }
  return out;
}

/** A parameter whose declared type says nothing: none written (JS), or `any`/`unknown` (also in JSDoc). */
function untypedParameter(p: ts.ParameterDeclaration): boolean {
  const t = p.type ?? ts.getJSDocType(p);
  return !t || t.kind === ts.SyntaxKind.AnyKeyword || t.kind === ts.SyntaxKind.UnknownKeyword || t.kind === ts.SyntaxKind.JSDocAllType || t.kind === ts.SyntaxKind.JSDocUnknownType;
}

function constructorOf(checker: ts.TypeChecker, call: ts.NewExpression): ts.Node | undefined {
  try {
    return checker.getResolvedSignature(call)?.declaration;
  } catch {
    return undefined;
  }
}

/** Parameters bound to the arguments of the call whose returns are being followed (`watch(x)` returning its `upload` is `x`). */
interface Bindings {
  args: Map<ts.Symbol, ts.Expression>;
  outer?: Bindings;
}

export interface OriginOptions {
  /** Where to look for callers: a parameter's origins are then what its callers pass. */
  program?: ts.Program;
  /** Parameters whose callers are not followed (those of the function that sends: derived sinks judge their callers). */
  skipCallersOf?: (param: ts.ParameterDeclaration) => boolean;
}

/**
 * The possible origins of `expr`: the expressions that produce its value (calls, `new`, literals,
 * parameters), found through variables, assignments anywhere in the variable's or field's file,
 * `||=`/`??=`, logical and conditional operators, getters and user functions' returns (a returned
 * parameter is that call's argument), and, given a program, what callers pass for a parameter.
 * Bounded by hops and count; an empty answer means nothing was seen, never "nothing can reach it".
 */
export function originsOf(checker: ts.TypeChecker, expr: ts.Expression, options: OriginOptions = {}): ts.Expression[] {
  const out: ts.Expression[] = [];
  const seen = new Set<ts.Node>();
  // `awaited`: the value wanted is what the expression's promise resolves to (`await open()`, a
  // `.then((db) => ...)` callback's parameter): a `new Promise(executor)` met on the way stands for
  // what its executor passes to `resolve(...)`, `Promise.resolve(x)` for `x`.
  const add = (e: ts.Expression, hops: number, bound?: Bindings, awaited = false): void => {
    if (out.length >= maxOrigins || seen.has(e)) return;
    seen.add(e);
    const x = skipOuter(e);
    if (hops >= maxHops) return void out.push(x);
    if (ts.isConditionalExpression(x)) return add(x.whenTrue, hops, bound, awaited), add(x.whenFalse, hops, bound, awaited);
    if (ts.isBinaryExpression(x)) {
      const op = x.operatorToken.kind;
      if (op === ts.SyntaxKind.BarBarToken || op === ts.SyntaxKind.QuestionQuestionToken || isAssignment(op)) {
        if (op !== ts.SyntaxKind.EqualsToken) add(x.left, hops + 1, bound, awaited);
        return add(x.right, hops + 1, bound, awaited);
      }
      if (op === ts.SyntaxKind.CommaToken) return add(x.right, hops, bound, awaited);
    }
    if (ts.isAwaitExpression(x)) return add(x.expression, hops, bound, true);
    if (awaited && (ts.isNewExpression(x) || ts.isCallExpression(x))) {
      const resolved = promiseResolutions(checker, x);
      if (resolved) {
        // A promise whose value is never seen (`resolve()`, `resolve` handed on as a callback) has no origin here: not the Promise itself.
        for (const r of resolved) add(r, hops + 1, bound, true);
        return;
      }
    }
    if (ts.isIdentifier(x) || ts.isPropertyAccessExpression(x)) {
      const sym = symbolOf(checker, ts.isPropertyAccessExpression(x) ? x.name : x);
      if (!sym) return void out.push(x);
      const arg = ts.isIdentifier(x) ? lookup(bound, sym) : undefined;
      if (arg) return add(arg.expr, hops + 1, arg.bound, awaited);
      const before = out.length;
      for (const d of sym.declarations ?? []) {
        if (ts.isVariableDeclaration(d) && ts.isCatchClause(d.parent)) {
          // `catch (err)`: what the try block throws, also from the project's functions it calls.
          for (const t of thrownIn(checker, d.parent.parent.tryBlock, 0, undefined, options.program)) add(t, hops + 1);
        } else if (ts.isVariableDeclaration(d) && forOfIterable(d)) {
          // `for (const job of jobs)`: each element of `jobs`.
          for (const el of elementOrigins(checker, forOfIterable(d)!, options)) add(el, hops + 1);
        } else if (ts.isVariableDeclaration(d) || ts.isPropertyDeclaration(d)) {
          if (d.initializer) add(d.initializer, hops + 1, bound, awaited);
        } else if (ts.isGetAccessorDeclaration(d)) {
          for (const r of returnedExpressions(d)) add(r, hops + 1, undefined, awaited);
        } else if (ts.isParameter(d) && iteratedBy(d)) {
          // `jobs.forEach((job) => ...)`: the callback is called with each element of `jobs`.
          for (const el of elementOrigins(checker, iteratedBy(d)!, options)) add(el, hops + 1);
        } else if (ts.isParameter(d) && rejectionSource(d)) {
          // `p.catch((reason) => ...)`: the callback gets what the promise rejects with.
          for (const t of rejectionsOf(checker, rejectionSource(d)!)) add(t, hops + 1);
        } else if (ts.isParameter(d) && promiseCallbackSource(d)) {
          // `load().then((state) => ...)`: the callback gets what the promise resolves to.
          add(promiseCallbackSource(d)!, hops + 1, undefined, true);
        } else if (ts.isParameter(d)) {
          const callers = options.program && untypedParameter(d) && !options.skipCallersOf?.(d) ? argumentsFromCallers(checker, options.program, d) : [];
          if (callers.length) for (const a of callers) add(a, hops + 1);
          else out.push(x);
        } else if (ts.isFunctionDeclaration(d) || ts.isClassDeclaration(d)) {
          out.push(x);
        }
      }
      // Every assignment to the same variable or field, wherever it is in the file that declares it.
      const name = sym.getName();
      const files = new Set((sym.declarations ?? []).map((d) => d.getSourceFile()));
      for (const sf of files) {
        if (sf.isDeclarationFile) continue;
        for (const a of assignmentsIn(sf).get(name) ?? []) {
          const left = skipOuter(a.left);
          if (sameSymbol(symbolOf(checker, ts.isPropertyAccessExpression(left) ? left.name : left), sym)) add(a.right, hops + 1, bound, awaited);
        }
      }
      if (out.length === before) out.push(x);
      return;
    }
    // `queue.shift()`, `jobs.find(...)`, `jobs[0]`: one of the elements written into the array.
    const read = elementRead(x);
    if (read) {
      const elements = elementOrigins(checker, read, options);
      if (elements.length) {
        for (const el of elements) add(el, hops + 1);
        return;
      }
    }
    if (ts.isCallExpression(x)) {
      const fn = calledFunction(checker, x);
      if (fn && !fn.getSourceFile().fileName.includes('/node_modules/')) {
        const returns = returnedExpressions(fn);
        if (returns.length) {
          const inner = bindArguments(checker, fn, x, bound);
          // A fluent method (`return this`, as in `moment(d).add(2, 'years')`) returns its receiver.
          const receiver = ts.isPropertyAccessExpression(x.expression) ? x.expression.expression : undefined;
          for (const r of returns) {
            if (receiver && skipOuter(r).kind === ts.SyntaxKind.ThisKeyword) add(receiver, hops + 1, bound, awaited);
            else add(r, hops + 1, inner, awaited);
          }
          return;
        }
      }
      // `const next = update(doc)` with `update` an untyped callback parameter: what the callbacks its
      // callers pass return. Their parameters stay unbound, so the writes a callback makes to its
      // own parameter (`doc.expires = moment(...)`) are still seen on what it returns.
      if (!fn && options.program) {
        const returns = callbackReturns(checker, options.program, x);
        if (returns.length) {
          for (const r of returns) add(r, hops + 1);
          return;
        }
      }
      // `handler(payload)` with `const handler = handlers[type]`: what the functions of the dispatch table return.
      if (!fn && (ts.isIdentifier(x.expression) || ts.isElementAccessExpression(x.expression)) && hops + 1 < maxHops) {
        const returns = tableFunctions(checker, x.expression, options).flatMap((f) => returnedExpressions(f));
        if (returns.length) {
          for (const r of returns) add(r, hops + 1);
          return;
        }
      }
      // `when(d).add(2)` in JS, where `add` was set on the object after it was made
      // (`m.add = function () { ...; return this; }`): the checker knows no such member.
      if (!fn && ts.isPropertyAccessExpression(x.expression) && hops + 1 < maxHops) {
        const receiver = x.expression.expression;
        const methods = assignedMethods(checker, originsOf(checker, receiver, options), x.expression.name.text);
        const returns = methods.flatMap((m) => returnedExpressions(m));
        if (returns.length) {
          for (const r of returns) add(skipOuter(r).kind === ts.SyntaxKind.ThisKeyword ? receiver : r, hops + 1);
          return;
        }
      }
    }
    out.push(x);
  };
  add(expr, 0);
  return out;
}

/**
 * What a promise made here resolves to: the arguments its executor passes to `resolve(...)`, also
 * from callbacks inside it (`req.onsuccess = () => resolve(req.result)`), for `new Promise(executor)`;
 * `x` for `Promise.resolve(x)`. Undefined when `e` makes no such promise (a user's own `Promise`
 * class, an executor given by name); an empty list when its value is not seen.
 */
function promiseResolutions(checker: ts.TypeChecker, e: ts.NewExpression | ts.CallExpression): ts.Expression[] | undefined {
  const builtin = (id: ts.Expression): boolean => {
    if (!ts.isIdentifier(id) || id.text !== 'Promise') return false;
    const decls = symbolOf(checker, id)?.declarations ?? [];
    return decls.length > 0 && decls.every((d) => d.getSourceFile().isDeclarationFile);
  };
  const callee = skipOuter(e.expression);
  if (ts.isCallExpression(e)) {
    if (!ts.isPropertyAccessExpression(callee) || callee.name.text !== 'resolve' || !builtin(callee.expression)) return undefined;
    const a = e.arguments[0];
    return a && !ts.isSpreadElement(a) ? [a] : [];
  }
  if (!builtin(callee)) return undefined;
  const executor = e.arguments?.[0] && skipOuter(e.arguments[0]);
  if (!executor || !(ts.isArrowFunction(executor) || ts.isFunctionExpression(executor))) return undefined;
  const p = executor.parameters[0];
  if (!p || !ts.isIdentifier(p.name)) return [];
  const resolve = symbolOf(checker, p.name);
  const name = p.name.text;
  const out: ts.Expression[] = [];
  const visit = (n: ts.Node): void => {
    if (out.length >= maxOrigins) return;
    if (ts.isCallExpression(n) && ts.isIdentifier(n.expression) && n.expression.text === name && n.arguments[0] && !ts.isSpreadElement(n.arguments[0]) && sameSymbol(symbolOf(checker, n.expression), resolve)) out.push(n.arguments[0]);
    ts.forEachChild(n, visit);
  };
  ts.forEachChild(executor.body, visit);
  return out;
}

/** The functions assigned as `name` (`m.name = function () {}`) to the variable that holds one of the object literals among `origins`. */
function assignedMethods(checker: ts.TypeChecker, origins: ts.Expression[], name: string): ts.SignatureDeclaration[] {
  const out: ts.SignatureDeclaration[] = [];
  for (const o of origins) {
    if (!ts.isObjectLiteralExpression(o) || !ts.isVariableDeclaration(o.parent) || !ts.isIdentifier(o.parent.name)) continue;
    const holder = symbolOf(checker, o.parent.name);
    if (!holder) continue;
    for (const a of assignmentsIn(o.getSourceFile()).get(name) ?? []) {
      const left = skipOuter(a.left);
      const right = skipOuter(a.right);
      if (!ts.isPropertyAccessExpression(left) || !ts.isIdentifier(left.expression) || !sameSymbol(symbolOf(checker, left.expression), holder)) continue;
      if ((ts.isFunctionExpression(right) || ts.isArrowFunction(right)) && right.body) out.push(right);
    }
    if (out.length >= 4) break;
  }
  return out;
}

/**
 * The functions an untyped callee read out of an object literal by a computed key can be
 * (`handlers[type](payload)`, or `const handler = handlers[type]; handler(payload)`): every function
 * property of the table. Empty when the callee is anything else.
 */
function tableFunctions(checker: ts.TypeChecker, callee: ts.Expression, options: OriginOptions): ts.SignatureDeclaration[] {
  if (!(checker.getTypeAtLocation(callee).flags & ts.TypeFlags.Any)) return [];
  const reads = ts.isElementAccessExpression(skipOuter(callee)) ? [skipOuter(callee)] : originsOf(checker, callee, options);
  const out: ts.SignatureDeclaration[] = [];
  for (const r of reads) {
    const read = skipOuter(r);
    if (!ts.isElementAccessExpression(read) || ts.isStringLiteralLike(read.argumentExpression) || ts.isNumericLiteral(read.argumentExpression)) continue;
    for (const table of originsOf(checker, read.expression, options)) {
      if (!ts.isObjectLiteralExpression(table)) continue;
      for (const p of table.properties) {
        const f = ts.isMethodDeclaration(p) ? p : ts.isPropertyAssignment(p) ? skipOuter(p.initializer) : ts.isShorthandPropertyAssignment(p) ? p.name : undefined;
        const fn = f && (ts.isArrowFunction(f) || ts.isFunctionExpression(f) || ts.isMethodDeclaration(f)) ? f : f && ts.isIdentifier(f) ? calledFunctionOfName(checker, f) : undefined;
        if (fn && (fn as { body?: ts.Node }).body && out.length < maxOrigins) out.push(fn);
      }
    }
  }
  return out;
}

/** The project function a name refers to (`parse` in `{ parse, count }`), if any. */
function calledFunctionOfName(checker: ts.TypeChecker, name: ts.Identifier): ts.SignatureDeclaration | undefined {
  const sym = ts.isShorthandPropertyAssignment(name.parent) ? checker.getShorthandAssignmentValueSymbol(name.parent) : symbolOf(checker, name);
  for (const d of sym?.declarations ?? []) {
    const fn = functionOf(d);
    if (fn && !fn.getSourceFile().isDeclarationFile) return fn;
  }
  return undefined;
}

/** What the functions given for an untyped callback parameter return, when `call` calls that parameter. */
function callbackReturns(checker: ts.TypeChecker, program: ts.Program, call: ts.CallExpression): ts.Expression[] {
  const out: ts.Expression[] = [];
  for (const f of callbackFunctions(checker, program, call)) {
    out.push(...returnedExpressions(f));
    if (out.length >= maxOrigins) break;
  }
  return out.slice(0, maxOrigins);
}

/** The functions the callers give for an untyped callback parameter, when `call` calls that parameter. */
function callbackFunctions(checker: ts.TypeChecker, program: ts.Program, call: ts.CallExpression): ts.SignatureDeclaration[] {
  const callee = skipOuter(call.expression);
  if (!ts.isIdentifier(callee)) return [];
  const d = symbolOf(checker, callee)?.valueDeclaration;
  if (!d || !ts.isParameter(d) || !untypedParameter(d)) return [];
  const out: ts.SignatureDeclaration[] = [];
  for (const a of argumentsFromCallers(checker, program, d)) {
    let f: ts.Node | undefined = skipOuter(a);
    if (ts.isIdentifier(f)) {
      const v = symbolOf(checker, f)?.valueDeclaration;
      f = v && ts.isVariableDeclaration(v) && v.initializer ? skipOuter(v.initializer) : v;
    }
    if (!f || !(ts.isArrowFunction(f) || ts.isFunctionExpression(f) || ts.isFunctionDeclaration(f)) || f.getSourceFile().isDeclarationFile) continue;
    out.push(f);
    if (out.length >= maxOrigins) break;
  }
  return out;
}

/** Array methods whose result is one of the receiver's elements. */
const elementReaders = new Set(['shift', 'pop', 'at', 'find', 'findLast']);
/** Array methods that call their callback with each element of the receiver as its first argument. */
const elementCallbacks = new Set(['forEach', 'map', 'flatMap', 'filter', 'find', 'findLast', 'findIndex', 'some', 'every']);
/** Array methods whose result holds (some of) the receiver's elements. */
const elementKeepers = new Set(['filter', 'slice', 'sort', 'reverse', 'toSorted', 'toReversed']);

/** The array an expression reads one element of: `xs.shift()`, `xs.find(...)`, `xs.at(-1)`, `xs[0]`. */
function elementRead(x: ts.Expression): ts.Expression | undefined {
  if (ts.isCallExpression(x) && ts.isPropertyAccessExpression(x.expression) && elementReaders.has(x.expression.name.text)) return x.expression.expression;
  if (ts.isElementAccessExpression(x) && ts.isNumericLiteral(x.argumentExpression)) return x.expression;
  return undefined;
}

/** The iterated expression of a `for (const x of xs)` variable. */
function forOfIterable(d: ts.VariableDeclaration): ts.Expression | undefined {
  const list = d.parent;
  return ts.isIdentifier(d.name) && ts.isVariableDeclarationList(list) && ts.isForOfStatement(list.parent) && list.parent.initializer === list ? list.parent.expression : undefined;
}

/** The array whose elements a callback's first parameter receives (`jobs` in `jobs.forEach((job) => ...)`). */
function iteratedBy(p: ts.ParameterDeclaration): ts.Expression | undefined {
  const fn = p.parent;
  if (!(ts.isArrowFunction(fn) || ts.isFunctionExpression(fn)) || fn.parameters[0] !== p || !ts.isIdentifier(p.name)) return undefined;
  const call = fn.parent;
  if (!ts.isCallExpression(call) || call.arguments[0] !== fn || !ts.isPropertyAccessExpression(call.expression) || !elementCallbacks.has(call.expression.name.text)) return undefined;
  return call.expression.expression;
}

/** How many element lookups are under way: an element can lead back to its own array (`xs = [x]` in a loop over `xs`). */
let elementNesting = 0;

/**
 * The expressions that can be elements of the array or collection `iterable`: an array literal's
 * elements (spreads followed), what is pushed, added or set into the variable or field holding it,
 * and the same for the array literals its origins are; `m.values()` and `xs.filter(...)` stand for
 * their receiver's elements. Bounded; an empty answer means none was seen.
 */
export function elementOrigins(checker: ts.TypeChecker, iterable: ts.Expression, options: OriginOptions = {}): ts.Expression[] {
  if (elementNesting >= 3) return [];
  elementNesting++;
  try {
    const out = new Set<ts.Expression>();
    const fromLiteral = (lit: ts.ArrayLiteralExpression): void => {
      for (const el of lit.elements) {
        if (ts.isSpreadElement(el)) for (const x of elementOrigins(checker, el.expression, options)) out.add(x);
        else if (!ts.isOmittedExpression(el)) out.add(el);
      }
      const holder = arrayHolder(checker, lit);
      if (holder) for (const v of containerValuesOf(checker, holder)) out.add(v);
    };
    let c = skipOuter(iterable);
    while (ts.isCallExpression(c) && ts.isPropertyAccessExpression(c.expression) && (elementKeepers.has(c.expression.name.text) || (c.expression.name.text === 'values' && c.arguments.length === 0))) c = skipOuter(c.expression.expression);
    if (ts.isArrayLiteralExpression(c)) fromLiteral(c);
    else if (ts.isIdentifier(c) || ts.isPropertyAccessExpression(c) || ts.isCallExpression(c)) {
      if (!ts.isCallExpression(c)) for (const v of containerValues(checker, c)) out.add(v);
      for (const o of originsOf(checker, c, options)) if (ts.isArrayLiteralExpression(o)) fromLiteral(o);
    }
    return [...out].slice(0, maxOrigins);
  } finally {
    elementNesting--;
  }
}

const maxThrowDepth = 2;

/** The expressions `throw` statements in `body` throw, and those of user functions it calls (bounded); a nested try that catches keeps its own. */
function thrownIn(checker: ts.TypeChecker, body: ts.Node, depth: number, seen = new Set<ts.Node>(), program?: ts.Program): ts.Expression[] {
  const out: ts.Expression[] = [];
  if (seen.has(body)) return out;
  seen.add(body);
  const visit = (n: ts.Node): void => {
    if (out.length >= maxOrigins || (ts.isFunctionLike(n) && n !== body)) return;
    if (ts.isThrowStatement(n) && n.expression) out.push(n.expression);
    // `return Promise.reject(err)`: an awaited call throws it just the same.
    if (ts.isCallExpression(n) && n.arguments[0] && isPromiseReject(n.expression)) out.push(n.arguments[0]);
    if (ts.isTryStatement(n) && n.catchClause) {
      visit(n.catchClause.block);
      if (n.finallyBlock) visit(n.finallyBlock);
      return;
    }
    if (ts.isCallExpression(n) && depth < maxThrowDepth) {
      const fn = calledFunction(checker, n);
      const fnBody = fn && (fn as { body?: ts.Node }).body;
      if (fnBody && !fn.getSourceFile().fileName.includes('/node_modules/')) out.push(...thrownIn(checker, fnBody, depth + 1, seen, program));
      // `fn()` with `fn` an untyped callback parameter (`runTest(() => expectEqual(a, b))`): what the callbacks its callers pass throw.
      else if (!fn && program) for (const cb of callbackFunctions(checker, program, n)) out.push(...thrownIn(checker, cb, depth + 1, seen, program));
    }
    ts.forEachChild(n, visit);
  };
  visit(body);
  return out;
}

/** The promise a `.then(cb)` callback's first parameter resolves from (`load()` in `load().then((x) => ...)`). */
function promiseCallbackSource(p: ts.ParameterDeclaration): ts.Expression | undefined {
  const fn = p.parent;
  if (!(ts.isArrowFunction(fn) || ts.isFunctionExpression(fn)) || fn.parameters[0] !== p) return undefined;
  const call = fn.parent;
  if (!ts.isCallExpression(call) || call.arguments[0] !== fn || !ts.isPropertyAccessExpression(call.expression) || call.expression.name.text !== 'then') return undefined;
  return call.expression.expression;
}

/**
 * The promise whose rejection a callback's first parameter receives: `p` in `p.catch((reason) => ...)`
 * and in `p.then(onDone, (reason) => ...)`.
 */
function rejectionSource(p: ts.ParameterDeclaration): ts.Expression | undefined {
  const fn = p.parent;
  if (!(ts.isArrowFunction(fn) || ts.isFunctionExpression(fn)) || fn.parameters[0] !== p) return undefined;
  const call = fn.parent;
  if (!ts.isCallExpression(call) || !ts.isPropertyAccessExpression(call.expression)) return undefined;
  const method = call.expression.name.text;
  if ((method === 'catch' && call.arguments[0] === fn) || (method === 'then' && call.arguments[1] === fn)) return call.expression.expression;
  return undefined;
}

/**
 * What a promise expression can reject with: `Promise.reject(x)`'s `x`, or what a project function
 * it calls throws (an async function's throw is its rejection); the rejections of `.then(...)`,
 * `.finally(...)` chains are their receiver's. Bounded; empty when none is seen.
 */
function rejectionsOf(checker: ts.TypeChecker, promise: ts.Expression): ts.Expression[] {
  let e = skipOuter(promise);
  for (let i = 0; i < 4 && ts.isCallExpression(e) && ts.isPropertyAccessExpression(e.expression) && /^(then|finally)$/.test(e.expression.name.text); i++) e = skipOuter(e.expression.expression);
  if (!ts.isCallExpression(e)) return [];
  if (isPromiseReject(e.expression)) return e.arguments[0] && !ts.isSpreadElement(e.arguments[0]) ? [e.arguments[0]] : [];
  const fn = calledFunction(checker, e);
  const body = fn && (fn as { body?: ts.Node }).body;
  if (!body || fn!.getSourceFile().fileName.includes('/node_modules/')) return [];
  return thrownIn(checker, body, 1);
}

function isPromiseReject(e: ts.Expression): boolean {
  const x = skipOuter(e);
  return ts.isPropertyAccessExpression(x) && x.name.text === 'reject' && ts.isIdentifier(x.expression) && x.expression.text === 'Promise';
}

function lookup(bound: Bindings | undefined, sym: ts.Symbol): { expr: ts.Expression; bound?: Bindings } | undefined {
  const expr = bound?.args.get(sym);
  return expr ? { expr, bound: bound!.outer } : undefined;
}

/** The parameters of `fn` bound to the arguments of `call`, evaluated where the call is. */
export function bindArguments(checker: ts.TypeChecker, fn: ts.SignatureDeclaration, call: ts.CallExpression | ts.NewExpression, outer?: Bindings): Bindings | undefined {
  const args = new Map<ts.Symbol, ts.Expression>();
  fn.parameters.forEach((p, i) => {
    const a = call.arguments?.[i];
    if (p.dotDotDotToken || !ts.isIdentifier(p.name) || !a || ts.isSpreadElement(a)) return;
    const sym = symbolOf(checker, p.name);
    if (sym) args.set(sym, a);
  });
  return args.size ? { args, outer } : outer;
}

/**
 * The own enumerable properties of `X.prototype` when `X` is a user class or constructor function:
 * class syntax defines methods and accessors non-enumerable, so a class's prototype clones as `{}`;
 * `X.prototype.name = value` adds an ordinary (enumerable) property. Undefined when `expr` is not
 * such a prototype.
 */
export function prototypeMembers(checker: ts.TypeChecker, expr: ts.Expression): { name: string; value: ts.Expression }[] | undefined {
  const e = skipOuter(expr);
  if (!ts.isPropertyAccessExpression(e) || e.name.text !== 'prototype') return undefined;
  const owner = symbolOf(checker, e.expression);
  const decls = owner?.declarations ?? [];
  const isConstructor = decls.some(
    (d) => ts.isClassLike(d) || ts.isFunctionDeclaration(d) || (ts.isVariableDeclaration(d) && !!d.initializer && (ts.isClassExpression(skipOuter(d.initializer)) || ts.isFunctionExpression(skipOuter(d.initializer)))),
  );
  if (!owner || !isConstructor || decls.every((d) => d.getSourceFile().isDeclarationFile)) return undefined;
  const out: { name: string; value: ts.Expression }[] = [];
  for (const sf of new Set(decls.map((d) => d.getSourceFile()))) {
    for (const list of assignmentsIn(sf).values()) {
      for (const a of list) {
        const left = skipOuter(a.left);
        if (a.operatorToken.kind !== ts.SyntaxKind.EqualsToken) continue;
        // `X.prototype.name = value`
        if (ts.isPropertyAccessExpression(left) && ts.isPropertyAccessExpression(left.expression) && left.expression.name.text === 'prototype' && symbolOf(checker, left.expression.expression) === owner) {
          out.push({ name: left.name.text, value: a.right });
        }
        // `X.prototype = { ... }`: the literal's own properties.
        if (ts.isPropertyAccessExpression(left) && left.name.text === 'prototype' && symbolOf(checker, left.expression) === owner) {
          const lit = skipOuter(a.right);
          if (ts.isObjectLiteralExpression(lit)) {
            for (const p of lit.properties) {
              if (ts.isPropertyAssignment(p) && (ts.isIdentifier(p.name) || ts.isStringLiteral(p.name))) out.push({ name: p.name.text, value: p.initializer });
              else if (ts.isMethodDeclaration(p) && ts.isIdentifier(p.name)) out.push({ name: p.name.text, value: p as never as ts.Expression });
            }
          }
        }
      }
    }
  }
  return out;
}

/**
 * The type of an expression the checker gives up on because a CommonJS `require()` of a module whose
 * typings export a default (`const cluster = require('node:cluster')`) is typed as the ES namespace,
 * while at run time it is the default export itself. Follows variables and calls.
 */
export function commonJsInteropType(checker: ts.TypeChecker, expr: ts.Expression, hops = 0): ts.Type | undefined {
  if (hops > 4) return undefined;
  const e = skipOuter(expr);
  if (ts.isIdentifier(e)) {
    const d = symbolOf(checker, e)?.valueDeclaration;
    if (d && ts.isVariableDeclaration(d) && d.initializer && !d.type) {
      const t = checker.getTypeAtLocation(e);
      if (t.flags & ts.TypeFlags.Any) return commonJsInteropType(checker, d.initializer, hops + 1);
      return isModuleNamespace(t) ? defaultExportType(checker, t) : undefined;
    }
    // `for (const worker of Object.values(cluster.workers))`: an element of what the loop walks.
    if (d && ts.isVariableDeclaration(d) && ts.isIdentifier(d.name) && !d.type && ts.isVariableDeclarationList(d.parent) && ts.isForOfStatement(d.parent.parent)) {
      if (!(checker.getTypeAtLocation(e).flags & ts.TypeFlags.Any)) return undefined;
      return interopElementType(checker, d.parent.parent.expression, hops + 1);
    }
    return undefined;
  }
  // `cluster.workers[id]`: the value type of the dictionary the interop type names.
  if (ts.isElementAccessExpression(e)) {
    if (!(checker.getTypeAtLocation(e).flags & ts.TypeFlags.Any)) return undefined;
    const found = commonJsInteropType(checker, e.expression, hops + 1);
    const base = found && checker.getNonNullableType(found);
    const value = base && (checker.getIndexTypeOfType(base, ts.IndexKind.String) ?? checker.getIndexTypeOfType(base, ts.IndexKind.Number));
    return value ? checker.getNonNullableType(value) : undefined;
  }
  if (ts.isPropertyAccessExpression(e)) {
    const own = checker.getTypeAtLocation(e);
    if (!(own.flags & ts.TypeFlags.Any)) return undefined;
    const objType = checker.getTypeAtLocation(e.expression);
    const base = isModuleNamespace(objType) ? defaultExportType(checker, objType) : objType.flags & ts.TypeFlags.Any ? commonJsInteropType(checker, e.expression, hops + 1) : undefined;
    const prop = base?.getProperty(e.name.text);
    return prop ? checker.getTypeOfSymbol(prop) : undefined;
  }
  if (ts.isCallExpression(e)) {
    const own = checker.getTypeAtLocation(e);
    if (!(own.flags & ts.TypeFlags.Any)) return undefined;
    const fnType = commonJsInteropType(checker, e.expression, hops + 1);
    const sig = fnType?.getCallSignatures()[0];
    return sig ? sig.getReturnType() : undefined;
  }
  return undefined;
}

/** The element type of an iterable whose own type is lost to the CommonJS interop: an array's, or `Object.values(dict)`'s. */
function interopElementType(checker: ts.TypeChecker, iterable: ts.Expression, hops: number): ts.Type | undefined {
  const e = skipOuter(iterable);
  const values = ts.isCallExpression(e) && e.arguments.length === 1 && /^Object\.values$/.test(e.expression.getText());
  const found = commonJsInteropType(checker, values ? e.arguments[0] : e, hops);
  if (!found) return undefined;
  const base = checker.getNonNullableType(found);
  const element = values ? (checker.getIndexTypeOfType(base, ts.IndexKind.String) ?? checker.getIndexTypeOfType(base, ts.IndexKind.Number)) : checker.getIndexTypeOfType(base, ts.IndexKind.Number);
  return element ? checker.getNonNullableType(element) : undefined;
}

function isModuleNamespace(t: ts.Type): boolean {
  const s = t.getSymbol();
  return !!s && (s.flags & ts.SymbolFlags.ValueModule) !== 0;
}

function defaultExportType(checker: ts.TypeChecker, namespace: ts.Type): ts.Type | undefined {
  const mod = namespace.getSymbol();
  if (!mod) return undefined;
  let def: ts.Symbol | undefined;
  try {
    def = checker.getExportsOfModule(mod).find((s) => s.getName() === 'default');
  } catch {
    return undefined;
  }
  const target = resolveAlias(checker, def);
  return target ? checker.getTypeOfSymbol(target) : undefined;
}

/** The module function a call resolves to, as `module.name` (`child_process.fork`), or undefined. */
export function libraryCallee(checker: ts.TypeChecker, program: ts.Program, call: ts.CallExpression | ts.NewExpression): { module: string; name: string } | undefined {
  let decl: ts.Declaration | undefined;
  try {
    decl = checker.getResolvedSignature(call)?.declaration;
  } catch {
    decl = undefined;
  }
  const o = decl ? originOf(program, decl) : undefined;
  return o && o.module !== 'user' ? { module: o.module, name: o.name } : undefined;
}

/** Container writes in a file by method (`set`, `add`, `push`, `unshift`), built once per parsed file. */
const containerWriteIndex = new WeakMap<ts.SourceFile, ts.CallExpression[]>();
const writeMethods = new Set(['set', 'add', 'push', 'unshift']);

function containerWritesIn(sf: ts.SourceFile): ts.CallExpression[] {
  let found = containerWriteIndex.get(sf);
  if (found) return found;
  const list: ts.CallExpression[] = [];
  const visit = (n: ts.Node): void => {
    if (ts.isCallExpression(n) && ts.isPropertyAccessExpression(n.expression) && writeMethods.has(n.expression.name.text) && n.arguments.length) list.push(n);
    ts.forEachChild(n, visit);
  };
  visit(sf);
  containerWriteIndex.set(sf, list);
  found = list;
  return found;
}

/** The values written into the container `container` names (a variable or field): `m.set(k, v)`, `s.add(v)`, `a.push(v)`, `o[k] = v`. */
function containerValues(checker: ts.TypeChecker, container: ts.Expression): ts.Expression[] {
  const c = skipOuter(container);
  const sym = symbolOf(checker, ts.isPropertyAccessExpression(c) ? c.name : c);
  return sym ? containerValuesOf(checker, sym) : [];
}

function containerValuesOf(checker: ts.TypeChecker, sym: ts.Symbol): ts.Expression[] {
  const out: ts.Expression[] = [];
  for (const sf of new Set((sym.declarations ?? []).map((d) => d.getSourceFile()))) {
    if (sf.isDeclarationFile) continue;
    for (const call of containerWritesIn(sf)) {
      const recv = skipOuter((call.expression as ts.PropertyAccessExpression).expression);
      if (!sameSymbol(symbolOf(checker, ts.isPropertyAccessExpression(recv) ? recv.name : recv), sym)) continue;
      const method = (call.expression as ts.PropertyAccessExpression).name.text;
      const values = method === 'set' ? call.arguments.slice(1, 2) : call.arguments.filter((a) => !ts.isSpreadElement(a));
      out.push(...values);
      if (out.length >= maxOrigins) return out;
    }
  }
  return out;
}

/**
 * Assignments `v.name = value` / `this.f.name = value` to a property of the object a variable or field
 * holds, anywhere in the files that declare it; writes that cannot have run before `send` are left out
 * (see mayRunBefore).
 */
export function propertyWrites(checker: ts.TypeChecker, holder: ts.Symbol, send: ts.Node): { name: string; value: ts.Expression }[] {
  const out: { name: string; value: ts.Expression }[] = [];
  const holderName = holder.getName();
  for (const sf of new Set((holder.declarations ?? []).map((d) => d.getSourceFile()))) {
    if (sf.isDeclarationFile) continue;
    for (const [name, list] of assignmentsIn(sf)) {
      for (const a of list) {
        const left = skipOuter(a.left);
        if (!ts.isPropertyAccessExpression(left)) continue;
        const obj = skipOuter(left.expression);
        // By name first: resolving every assignment's target through the checker is the expensive part.
        const named = ts.isIdentifier(obj) ? obj : ts.isPropertyAccessExpression(obj) ? obj.name : undefined;
        if (!named || named.text !== holderName || !sameSymbol(symbolOf(checker, named), holder)) continue;
        if (mayRunBefore(a, send)) out.push({ name, value: a.right });
      }
    }
  }
  return out;
}

/** Calls by the names of the variables they pass as a bare argument (`step(state)`, `make(id)(state)`), built once per parsed file. */
const argumentIndex = new WeakMap<ts.SourceFile, Map<string, ts.CallExpression[]>>();

function callsPassing(sf: ts.SourceFile): Map<string, ts.CallExpression[]> {
  let index = argumentIndex.get(sf);
  if (index) return index;
  const built = new Map<string, ts.CallExpression[]>();
  const visit = (n: ts.Node): void => {
    if (ts.isCallExpression(n)) {
      for (const a of n.arguments) {
        if (!ts.isIdentifier(a)) continue;
        const list = built.get(a.text) ?? [];
        if (!list.includes(n)) list.push(n);
        built.set(a.text, list);
      }
    }
    ts.forEachChild(n, visit);
  };
  visit(sf);
  argumentIndex.set(sf, built);
  index = built;
  return index;
}

/**
 * The parameters of project functions a variable is passed to, by calls that may run before `send`:
 * `step(state)`, and `makeStep(id)(state)` (the function a project function returns). Bounded.
 */
function parametersGiven(checker: ts.TypeChecker, holder: ts.Symbol, send: ts.Node): ts.Symbol[] {
  const out: ts.Symbol[] = [];
  for (const sf of new Set((holder.declarations ?? []).map((d) => d.getSourceFile()))) {
    if (sf.isDeclarationFile) continue;
    for (const call of callsPassing(sf).get(holder.getName()) ?? []) {
      if (out.length >= maxCallers || !mayRunBefore(call, send)) continue;
      const index = call.arguments.findIndex((a) => ts.isIdentifier(a) && sameSymbol(symbolOf(checker, a), holder));
      if (index < 0) continue;
      for (const fn of functionsCalled(checker, call)) {
        const p = fn.parameters[index];
        if (!p || p.dotDotDotToken || !ts.isIdentifier(p.name) || fn.getSourceFile().isDeclarationFile || fn.getSourceFile().fileName.includes('/node_modules/')) continue;
        const sym = symbolOf(checker, p.name);
        if (sym) out.push(sym);
      }
    }
  }
  return out;
}

/**
 * Assignments to a property of each element of the array a variable or field holds, anywhere in the
 * files that declare it, that may have run before `send`: through a `for (const x of arr)` loop
 * variable, a `arr.forEach((x) => …)` callback's parameter, or an index (`arr[0].marker = …`).
 */
function elementPropertyWrites(checker: ts.TypeChecker, holder: ts.Symbol, send: ts.Node): { name: string; value: ts.Expression }[] {
  const out: { name: string; value: ts.Expression }[] = [];
  const holderName = holder.getName();
  const isHolder = (e: ts.Expression): boolean => {
    const x = skipOuter(e);
    const named = ts.isIdentifier(x) ? x : ts.isPropertyAccessExpression(x) ? x.name : undefined;
    return !!named && named.text === holderName && sameSymbol(symbolOf(checker, named), holder);
  };
  /** Whether the identifier names one element of the holder: a for-of variable over it, or a forEach callback's first parameter. */
  const isElement = (id: ts.Identifier): boolean => {
    const d = symbolOf(checker, id)?.valueDeclaration;
    if (!d) return false;
    if (ts.isVariableDeclaration(d) && ts.isVariableDeclarationList(d.parent) && ts.isForOfStatement(d.parent.parent)) return isHolder(d.parent.parent.expression);
    if (ts.isParameter(d) && d.parent.parameters[0] === d && (ts.isArrowFunction(d.parent) || ts.isFunctionExpression(d.parent))) {
      const call = d.parent.parent;
      return ts.isCallExpression(call) && call.arguments[0] === d.parent && ts.isPropertyAccessExpression(call.expression) && call.expression.name.text === 'forEach' && isHolder(call.expression.expression);
    }
    return false;
  };
  for (const sf of new Set((holder.declarations ?? []).map((d) => d.getSourceFile()))) {
    if (sf.isDeclarationFile) continue;
    for (const [name, list] of assignmentsIn(sf)) {
      if (name.startsWith('[')) continue;
      for (const a of list) {
        if (a.operatorToken.kind !== ts.SyntaxKind.EqualsToken) continue;
        const left = skipOuter(a.left);
        if (!ts.isPropertyAccessExpression(left)) continue;
        const obj = skipOuter(left.expression);
        const hit = ts.isIdentifier(obj) ? obj.text !== holderName && isElement(obj) : ts.isElementAccessExpression(obj) && isHolder(obj.expression);
        if (hit && mayRunBefore(a, send)) out.push({ name, value: a.right });
        if (out.length >= maxOrigins) return out;
      }
    }
  }
  return out;
}

/** The project functions a call runs: the callee's declaration, or for `make(x)(y)` the functions `make` returns. */
function functionsCalled(checker: ts.TypeChecker, call: ts.CallExpression): ts.SignatureDeclaration[] {
  const direct = calledFunction(checker, call);
  if (direct) return [direct];
  const callee = skipOuter(call.expression);
  if (!ts.isCallExpression(callee)) return [];
  const maker = calledFunction(checker, callee);
  if (!maker) return [];
  return returnedExpressions(maker)
    .map((r) => skipOuter(r))
    .filter((r): r is ts.ArrowFunction | ts.FunctionExpression => ts.isArrowFunction(r) || ts.isFunctionExpression(r));
}

/** The parameter of a project function that an object literal is passed to directly (`edit({ id: 3 }, text)`). */
function parameterHolder(checker: ts.TypeChecker, lit: ts.ObjectLiteralExpression): ts.Symbol | undefined {
  const call = lit.parent;
  if (!ts.isCallExpression(call) && !ts.isNewExpression(call)) return undefined;
  const index = call.arguments?.indexOf(lit) ?? -1;
  if (index < 0) return undefined;
  const fn = calledFunction(checker, call);
  const p = fn?.parameters[index];
  if (!p || p.dotDotDotToken || !ts.isIdentifier(p.name) || fn!.getSourceFile().isDeclarationFile) return undefined;
  return symbolOf(checker, p.name);
}

/**
 * Writes `v[kKey] = value` of a data value under one of the program's symbols (`const kKey = Symbol(…)`,
 * `Symbol.for(…)`) to the object a variable or parameter holds, in the files that declare it, that may
 * have run before `send`. Functions under a symbol key are behaviour (`obj[kCustomInspect] = fn`), not data.
 */
function symbolKeyWrites(checker: ts.TypeChecker, holder: ts.Symbol, send: ts.Node): { key: string; value: ts.Expression }[] {
  const out: { key: string; value: ts.Expression }[] = [];
  const holderName = holder.getName();
  for (const sf of new Set((holder.declarations ?? []).map((d) => d.getSourceFile()))) {
    if (sf.isDeclarationFile) continue;
    for (const [name, list] of assignmentsIn(sf)) {
      if (!name.startsWith('[')) continue;
      for (const a of list) {
        if (a.operatorToken.kind !== ts.SyntaxKind.EqualsToken) continue;
        const left = skipOuter(a.left) as ts.ElementAccessExpression;
        const obj = skipOuter(left.expression);
        if (!ts.isIdentifier(obj) || obj.text !== holderName || !sameSymbol(symbolOf(checker, obj), holder)) continue;
        const keyDecl = symbolOf(checker, left.argumentExpression)?.valueDeclaration;
        const init = keyDecl && ts.isVariableDeclaration(keyDecl) && keyDecl.initializer && skipOuter(keyDecl.initializer);
        if (!init || !ts.isCallExpression(init) || !/^Symbol(\.for)?$/.test(init.expression.getText())) continue;
        let vt: ts.Type;
        try {
          vt = checker.getTypeAtLocation(a.right);
        } catch {
          continue;
        }
        if (vt.getCallSignatures().length || vt.getConstructSignatures().length) continue;
        if (mayRunBefore(a, send)) out.push({ key: `[${left.argumentExpression.getText()}]`, value: a.right });
        if (out.length >= maxOrigins) return out;
      }
    }
  }
  return out;
}

/**
 * Whether `write` may have run when `send` runs: not when both run in the same function (or at top
 * level), the send directly, the write later in the text, with no loop around both and no hoisted
 * function declaration in between (`doc.layout = cache` after the first `checkpoint(doc)`).
 */
function mayRunBefore(write: ts.Node, send: ts.Node): boolean {
  if (write.getSourceFile() !== send.getSourceFile() || write.getStart() < send.getStart()) return true;
  const scope = (n: ts.Node): ts.Node => {
    for (let p = n.parent; p; p = p.parent) if (ts.isFunctionLike(p) || ts.isSourceFile(p) || ts.isClassStaticBlockDeclaration(p)) return p;
    return n.getSourceFile();
  };
  const sendScope = scope(send);
  let hoisted = false;
  let common: ts.Node | undefined;
  for (let p: ts.Node | undefined = write.parent; p; p = p.parent) {
    if (p === sendScope) {
      common = p;
      break;
    }
    if (ts.isFunctionDeclaration(p)) hoisted = true;
  }
  // The send sits in a function the write is not in (a callback, another method): it may run any time.
  if (!common || hoisted) return true;
  for (let p: ts.Node | undefined = send.parent; p && p !== common; p = p.parent) {
    if (ts.isIterationStatement(p, false) && write.getStart() >= p.getStart() && write.getEnd() <= p.getEnd()) return true;
  }
  return false;
}

/** The variable or field an expression names, for its property writes. */
function holderOf(checker: ts.TypeChecker, e: ts.Expression): ts.Symbol | undefined {
  if (ts.isIdentifier(e)) {
    const sym = symbolOf(checker, e);
    const d = sym?.valueDeclaration;
    return d && (ts.isVariableDeclaration(d) || ts.isParameter(d)) ? sym : undefined;
  }
  // `this.data`, or `a.data` on an instance: a field, whose property writes may come from any method of its class.
  if (ts.isPropertyAccessExpression(e)) {
    const sym = symbolOf(checker, e.name);
    const d = sym?.valueDeclaration;
    const thisField = (n: ts.Node | undefined): boolean => !!n && ts.isPropertyAccessExpression(n) && n.expression.kind === ts.SyntaxKind.ThisKeyword;
    const isField = !!d && (ts.isPropertyDeclaration(d) || thisField(d) || (ts.isBinaryExpression(d) && thisField(skipOuter(d.left))));
    if (e.expression.kind !== ts.SyntaxKind.ThisKeyword && !isField) return undefined;
    return sym && sym.flags & ts.SymbolFlags.Property ? sym : undefined;
  }
  return undefined;
}

/** What `new Error(message, { cause })` (and the other built-in errors) was given as its cause; structured clone copies it. */
function errorCause(checker: ts.TypeChecker, e: ts.Expression, depth = 0): ts.Expression | undefined {
  if (!ts.isNewExpression(e) || !e.arguments?.length || depth > 3) return undefined;
  const callee = skipOuter(e.expression);
  if (!ts.isIdentifier(callee)) return undefined;
  const decl = symbolOf(checker, callee)?.declarations?.[0];
  if (!decl) return undefined;
  if (decl.getSourceFile().isDeclarationFile) {
    if (!/^(Error|EvalError|RangeError|ReferenceError|SyntaxError|TypeError|URIError|AggregateError)$/.test(callee.text)) return undefined;
    return causeOption(e.arguments[callee.text === 'AggregateError' ? 2 : 1]);
  }
  // A project's error class: `super(message, { cause: response })` in its constructor, a parameter
  // there being what this `new` passes.
  if (!ts.isClassDeclaration(decl) || !decl.heritageClauses?.length) return undefined;
  const ctor = decl.members.find((m): m is ts.ConstructorDeclaration => ts.isConstructorDeclaration(m) && !!m.body);
  const superCall = ctor?.body?.statements
    .map((st) => (ts.isExpressionStatement(st) ? skipOuter(st.expression) : undefined))
    .find((x): x is ts.CallExpression => !!x && ts.isCallExpression(x) && x.expression.kind === ts.SyntaxKind.SuperKeyword);
  const cause = superCall && causeOption(superCall.arguments[1]);
  if (!cause) return undefined;
  const c = skipOuter(cause);
  const index = ts.isIdentifier(c) ? ctor!.parameters.findIndex((p) => ts.isIdentifier(p.name) && p.name.text === c.text) : -1;
  if (index < 0) return cause;
  const arg = e.arguments[index];
  return arg && !ts.isSpreadElement(arg) ? arg : undefined;
}

function causeOption(options: ts.Expression | undefined): ts.Expression | undefined {
  const lit = options && skipOuter(options);
  if (!lit || !ts.isObjectLiteralExpression(lit)) return undefined;
  for (const p of lit.properties) {
    if (ts.isPropertyAssignment(p) && ts.isIdentifier(p.name) && p.name.text === 'cause') return p.initializer;
    if (ts.isShorthandPropertyAssignment(p) && p.name.text === 'cause') return p.name;
  }
  return undefined;
}

/**
 * Which members of the declared type an object literal is written for (a helper's return type, a
 * typed variable) are `any`: nothing about those members shows in the type of the value sent.
 */
function anyMembersOfContext(checker: ts.TypeChecker, literal: ts.ObjectLiteralExpression): (name: string) => boolean {
  let context: ts.Type | undefined;
  try {
    context = checker.getContextualType(literal);
  } catch {
    context = undefined;
  }
  if (!context || isAnyLike(context)) return () => false;
  const declared = checker.getNonNullableType(context);
  return (name) => {
    const prop = declared.getProperty(name);
    if (!prop) return false;
    try {
      return (checker.getTypeOfSymbol(prop).flags & ts.TypeFlags.Any) !== 0;
    } catch {
      return false;
    }
  };
}

function isAnyLike(t: ts.Type): boolean {
  return (t.flags & (ts.TypeFlags.Any | ts.TypeFlags.Unknown | ts.TypeFlags.Null | ts.TypeFlags.Undefined)) !== 0;
}

/**
 * Where the untyped (`any`) parts of a sent value come from, each with its path from the value:
 * origins through variables, fields, returns (originsOf), the values written into a container that is
 * read (`m.get(k)`, `[...m.values()]`, `Array.from(s)`), properties assigned after an object literal
 * was created (`job.timer = setTimeout(...)`), and the members of object and array literals. Only
 * origins whose type says something are returned; an `any` with no visible origin yields nothing.
 */
export interface UntypedOrigin {
  expr: ts.Expression;
  path: string[];
  /** The path goes through an error's `cause`: no rewrite of the message reaches it (spreading an Error drops its message). */
  viaErrorCause?: boolean;
  /**
   * The path goes through a field a real Error's constructor sets (`this.retry = retry` in a
   * `class … extends Error`): structured clone sends an Error's name, message, stack and cause only.
   */
  errorField?: boolean;
  /** With errorField: the length of the path to that Error (0 when the value sent is the Error itself). */
  errorAt?: number;
  /** The origin is copied by a spread or `Object.assign`: its own properties cross, not its prototype. */
  spread?: boolean;
  /** Members of the origin that a later property of the spreading literal overrides: they do not cross. */
  omit?: string[];
  /** The origin's type replayed on where it comes from (replayedType), when the checker types it `any`. */
  type?: ts.Type;
  /**
   * Not a value to judge but a data property written under a symbol key after the object was made
   * (`request[kRetry] = { attempts }`): structured clone and JSON leave it out. The key's text.
   */
  symbolKey?: string;
}

/** How deep the walk over a sent value's literals, spreads and origins goes (the budget bounds the work). */
const maxVisitDepth = 10;

export function typedOriginsOfUntyped(checker: ts.TypeChecker, expr: ts.Expression, program?: ts.Program): UntypedOrigin[] {
  const out: UntypedOrigin[] = [];
  const causes: string[][] = [];
  const errorFields: string[][] = [];
  // A parameter of a function around the send is judged at that function's callers (a derived sink), not here.
  const sending = new Set<ts.Node>();
  for (let n: ts.Node | undefined = expr.parent; n; n = n.parent) if (ts.isFunctionLike(n)) sending.add(n);
  const options: OriginOptions = { program, skipCallersOf: (p) => sending.has(p.parent) };
  const seen = new Set<ts.Node>();
  let budget = 200;
  const visit = (e0: ts.Expression, path: string[], depth: number, untyped: boolean, spread = false): void => {
    if (depth > maxVisitDepth || --budget < 0 || out.length >= maxOrigins) return;
    const e = skipOuter(e0);
    if (seen.has(e)) return;
    seen.add(e);
    let t: ts.Type;
    try {
      t = checker.getTypeAtLocation(e);
    } catch {
      return;
    }
    // `const { onError, ...payload } = job`: the rest holds `job`'s own properties but the ones named beside it.
    const rest = ts.isIdentifier(e) ? restBinding(checker, e) : undefined;
    if (rest) {
      const before = out.length;
      visit(rest.source, path, depth + 1, untyped, true);
      const kept = out.slice(before).filter((o) => !(o.path.length > path.length && rest.named.includes(o.path[path.length])));
      for (const o of kept) if (o.path.length === path.length) o.omit = [...(o.omit ?? []), ...rest.named];
      out.splice(before, out.length - before, ...kept);
      return;
    }
    if (ts.isObjectLiteralExpression(e)) {
      const declaredAny = anyMembersOfContext(checker, e);
      // `{ ...history.state, scroll }`: a spread of `any` makes the whole literal `any`, so the type walk sees none of its members.
      const members = untyped || isAnyLike(t);
      for (const p of e.properties) {
        // A member the literal's declared type leaves `any` (NotificationOptions' `data`) is not seen by the type walk either.
        if (ts.isPropertyAssignment(p) && (ts.isIdentifier(p.name) || ts.isStringLiteral(p.name))) visit(p.initializer, [...path, p.name.text], depth + 1, members || declaredAny(p.name.text));
        else if (ts.isShorthandPropertyAssignment(p)) visit(p.name, [...path, p.name.text], depth + 1, members);
        // `{ ...defaults, url }`: the spread object's own properties land here, except those a later
        // property of the literal overrides (`{ ...session, keepAlive: undefined }`).
        else if (ts.isSpreadAssignment(p)) {
          const before = out.length;
          visit(p.expression, path, depth + 1, untyped, true);
          const later = e.properties.slice(e.properties.indexOf(p) + 1);
          const masked = new Set(later.flatMap((q) => (q.name && (ts.isIdentifier(q.name) || ts.isStringLiteral(q.name)) ? [q.name.text] : [])));
          if (masked.size) {
            const kept = out.slice(before).filter((o) => !(o.path.length > path.length && masked.has(o.path[path.length])));
            for (const o of kept) if (o.path.length === path.length) o.omit = [...(o.omit ?? []), ...masked];
            out.splice(before, out.length - before, ...kept);
          }
        }
      }
      // Properties set on the literal's variable after it was created (`job.timer = setTimeout(...)`).
      // Or on the parameter of a function it is passed to (`edit({ id }, text)` writing `doc[kDirty] = true`).
      const holder = ts.isVariableDeclaration(e.parent) && ts.isIdentifier(e.parent.name) ? symbolOf(checker, e.parent.name) : parameterHolder(checker, e);
      if (holder) {
        for (const w of propertyWrites(checker, holder, expr)) visit(w.value, [...path, w.name], depth + 1, true);
        for (const w of symbolKeyWrites(checker, holder, expr)) out.push({ expr: w.value, path, symbolKey: w.key });
        // The variable handed to a project function that fills it in (`state = await step(state)` with
        // `state.request = { … }` in the step): the writes to that function's parameter.
        if (ts.isVariableDeclaration(e.parent)) for (const param of parametersGiven(checker, holder, expr)) for (const w of propertyWrites(checker, param, expr)) visit(w.value, [...path, w.name], depth + 1, true);
      }
      return;
    }
    if (ts.isArrayLiteralExpression(e)) {
      for (const el of e.elements) {
        if (ts.isSpreadElement(el)) visitElements(el.expression, path, depth);
        else visit(el, [...path, 'i'], depth + 1, untyped);
      }
      // `listeners: []` filled later by `state.listeners.push(fn)`: what was pushed is an element.
      const holder = arrayHolder(checker, e);
      if (holder) {
        for (const v of containerValuesOf(checker, holder)) visit(v, [...path, 'i'], depth + 1, true);
        // `for (const place of places) place.marker = markerFor(place)`: a property every element may hold.
        for (const w of elementPropertyWrites(checker, holder, expr)) visit(w.value, [...path, 'i', w.name], depth + 1, true);
      }
      return;
    }
    // `Object.assign({}, defaults, overrides)`: each source's own properties.
    if (isObjectAssign(e)) {
      for (const a of e.arguments) if (!ts.isSpreadElement(a)) visit(a, path, depth + 1, untyped, true);
      return;
    }
    // Properties set on the variable or field later (`doc.layout = cache`, `this.state.conn = db`), before the send.
    const holder = holderOf(checker, e);
    if (holder) {
      for (const w of propertyWrites(checker, holder, expr)) visit(w.value, [...path, w.name], depth + 1, true);
      // `cart.subscribe(listener)` with `this.onChange = listener` in the method: an untyped field the call sets.
      for (const w of methodFieldWrites(checker, holder, expr)) visit(w.value, [...path, w.name], depth + 1, true);
      for (const w of symbolKeyWrites(checker, holder, expr)) out.push({ expr: w.value, path, symbolKey: w.key });
      // A variable holding what a helper made, handed to a project function that fills it in before the
      // send (`const draft = openDraft(); autosave(draft)` with `draft.saving = new AbortController()`).
      const d = holder.valueDeclaration;
      if (ts.isIdentifier(e) && d && ts.isVariableDeclaration(d) && d.initializer && !ts.isObjectLiteralExpression(skipOuter(d.initializer))) {
        for (const param of parametersGiven(checker, holder, expr)) for (const w of propertyWrites(checker, param, expr)) visit(w.value, [...path, w.name], depth + 1, true);
      }
    }
    if (!isAnyLike(t)) {
      if (untyped) out.push({ expr: e, path, spread: spread || undefined });
      // A typed value still built from untyped parts: the literal a local or a helper's return holds,
      // and the untyped fields a constructor sets (`this.config = config` from an untyped parameter).
      // A field read (`study.options`, set in the constructor to a literal holding a helper's result) too.
      if (ts.isIdentifier(e) || ts.isCallExpression(e) || ts.isPropertyAccessExpression(e)) {
        for (const o of originsOf(checker, e, options)) {
          // `Object.assign({}, defaults, { onProgress })` returned by a helper: its sources' own properties.
          // `return items.map((d) => new Annotation(d).data)` in a helper: the elements its callback returns.
          if (o !== e && (ts.isObjectLiteralExpression(o) || ts.isArrayLiteralExpression(o) || ts.isNewExpression(o) || isObjectAssign(o) || mapCallback(o))) visit(o, path, depth + 1, false, spread);
        }
      }
      if (ts.isNewExpression(e)) {
        // Spread into a literal (`{ ...err }`), its own fields are copied and cross after all.
        const realError = !spread && program !== undefined && isWorkspaceErrorClass(t, checker, program);
        for (const f of untypedConstructorFields(checker, e)) {
          if (realError && f.name !== 'cause') errorFields.push([...path, f.name]);
          visit(f.value, [...path, f.name], depth + 1, true);
        }
      }
      // `const handlers = new Map()` filled later by `handlers.set(name, { handler })` (untyped JS gives
      // `Map<any, any>`): what was set or added is a value of the container.
      // The same for a variable or field holding one (`store.sessions` after `this.sessions = new Map()`).
      const slot = untypedCollection(checker, t);
      if (slot) {
        const holder = ts.isNewExpression(e) ? arrayHolder(checker, e) : ts.isIdentifier(e) || ts.isPropertyAccessExpression(e) ? symbolOf(checker, ts.isPropertyAccessExpression(e) ? e.name : e) : undefined;
        if (holder) for (const v of containerValuesOf(checker, holder)) visit(v, [...path, slot], depth + 1, true);
      }
      // `items.map((a) => a.data)`: each element is what the callback returns.
      const mapper = mapCallback(e);
      if (mapper) for (const r of returnedExpressions(mapper)) visit(r, [...path, 'i'], depth + 1, false);
      // An error's `cause`, given to its constructor here or where the variable was set.
      const cause = errorCause(checker, e);
      if (cause) {
        causes.push([...path, 'cause']);
        visit(cause, [...path, 'cause'], depth + 1, true);
      }
      else if (ts.isIdentifier(e) && /Error$/.test(t.getSymbol()?.getName() ?? '')) {
        for (const o of originsOf(checker, e, options)) if (o !== e && ts.isNewExpression(o)) visit(o, path, depth + 1, false);
      }
      return;
    }
    // `m.get(k)`: what was written into `m`.
    if (ts.isCallExpression(e) && ts.isPropertyAccessExpression(e.expression) && e.expression.name.text === 'get') {
      for (const v of containerValues(checker, e.expression.expression)) visit(v, path, depth + 1, true);
      return;
    }
    // `rows.map((r) => new Book(r))` over untyped rows (parsed JSON): each element is what the callback returns.
    const untypedMapper = mapCallback(e);
    if (untypedMapper) {
      for (const r of returnedExpressions(untypedMapper)) visit(r, [...path, 'i'], depth + 1, true);
      return;
    }
    // `Comlink.proxy(onProgress)`, `Object.freeze(x)`: a declared function `<T>(value: T) => T & …` gives
    // back its argument (marked, frozen), which an untyped argument leaves `any`: judge the argument.
    // A proxy marker still crosses as a proxy when it is the sent value itself (walk.ts), not nested.
    const identity = ts.isCallExpression(e) ? identityArgument(checker, e) : undefined;
    if (identity) {
      if (!(identity.marksProxy && path.length === 0)) visit(identity.arg, path, depth + 1, true, spread);
      return;
    }
    // `handlers[name]`: any property of the object literal `handlers` can hold.
    if (ts.isElementAccessExpression(e) && !ts.isStringLiteralLike(e.argumentExpression) && !ts.isNumericLiteral(e.argumentExpression)) {
      for (const o of originsOf(checker, e.expression, options)) {
        if (!ts.isObjectLiteralExpression(o)) continue;
        for (const p of o.properties) if (ts.isPropertyAssignment(p)) visit(p.initializer, path, depth + 1, true, spread);
      }
      return;
    }
    // `err.config` on an untyped `err`: the member of what `err` can be.
    if (ts.isPropertyAccessExpression(e) && program) {
      const members = memberOrigins(checker, e, program);
      if (members.length) {
        for (const m of members) visit(m, path, depth + 1, true, spread);
        return;
      }
    }
    const origins = originsOf(checker, e, options);
    for (const o of origins) if (o !== e) visit(o, path, depth + 1, true, spread);
    // `document.getElementById(id).transferControlToOffscreen()`, `db.transaction(s).objectStore(s)`:
    // an untyped chain with no origin of its own is what it replays to on its root's type.
    if (origins.every((o) => o === e) && program && (ts.isCallExpression(e) || ts.isPropertyAccessExpression(e))) {
      const replayed = replayedType(checker, e, program);
      if (replayed && !isAnyLike(replayed)) out.push({ expr: e, path, type: replayed, spread: spread || undefined });
    }
  };
  /** `[...m.values()]`, `[...s]`, `Array.from(m.values())`: each element is a value written into the container. */
  const visitElements = (source: ts.Expression, path: string[], depth: number): void => {
    let c = skipOuter(source);
    if (ts.isCallExpression(c) && ts.isPropertyAccessExpression(c.expression) && c.expression.name.text === 'values' && c.arguments.length === 0) c = c.expression.expression;
    for (const v of containerValues(checker, c)) visit(v, [...path, 'i'], depth + 1, true);
  };
  const root = skipOuter(expr);
  if (ts.isCallExpression(root) && root.expression.getText() === 'Array.from' && root.arguments[0]) visitElements(root.arguments[0], [], 0);
  else visit(expr, [], 0, false);
  for (const o of out) {
    if (causes.some((c) => c.every((seg, i) => o.path[i] === seg))) o.viaErrorCause = true;
    const field = errorFields.find((c) => c.every((seg, i) => o.path[i] === seg));
    if (field) {
      o.errorField = true;
      o.errorAt = field.length - 1;
    }
  }
  return out;
}

/** The object a rest element destructures (`const { a, ...rest } = source`) and the names taken out beside it. */
function restBinding(checker: ts.TypeChecker, id: ts.Identifier): { source: ts.Expression; named: string[] } | undefined {
  return restElement(symbolOf(checker, id)?.valueDeclaration);
}

/** A rest element's declaration (`...rest` in `const { a, ...rest } = source`): the source, the names taken out beside it, and the declaration holding the pattern. */
export function restElement(d: ts.Declaration | undefined): { source: ts.Expression; named: string[]; holder: ts.VariableDeclaration } | undefined {
  if (!d || !ts.isBindingElement(d) || !d.dotDotDotToken || !ts.isObjectBindingPattern(d.parent)) return undefined;
  const holder = d.parent.parent;
  if (!ts.isVariableDeclaration(holder) || !holder.initializer) return undefined;
  const named: string[] = [];
  for (const el of d.parent.elements) {
    if (el === d) continue;
    const key = el.propertyName ?? el.name;
    if (ts.isIdentifier(key) || ts.isStringLiteral(key)) named.push(key.text);
    else return undefined; // a computed key: which member it takes is not known
  }
  return { source: holder.initializer, named, holder };
}

/**
 * The argument a call to a declared (.d.ts) generic function returns as it is: its signature reads
 * `<T>(value: T, …): T` or `T & Marker` (`Comlink.proxy`, `Comlink.transfer`, `Object.freeze`). With
 * `marksProxy` when the added part is Comlink's proxy marker.
 */
export function identityArgument(checker: ts.TypeChecker, call: ts.CallExpression): { arg: ts.Expression; marksProxy: boolean } | undefined {
  let decl: ts.SignatureDeclaration | undefined;
  try {
    decl = checker.getResolvedSignature(call)?.declaration as ts.SignatureDeclaration | undefined;
  } catch {
    return undefined;
  }
  if (!decl || !decl.getSourceFile().isDeclarationFile || !decl.typeParameters?.length || !decl.type) return undefined;
  // `structuredClone<T>(value: T): T` returns a copy (plain objects, no prototypes), not its argument;
  // Vue's `toRaw<T>(observed: T): T` returns the object behind a reactive proxy (the fix for no-proxy).
  if (ts.isFunctionDeclaration(decl) && (decl.name?.text === 'structuredClone' || decl.name?.text === 'toRaw')) return undefined;
  const typeParams = new Set(decl.typeParameters.map((t) => t.name.text));
  const isParamRef = (n: ts.TypeNode): n is ts.TypeReferenceNode => ts.isTypeReferenceNode(n) && ts.isIdentifier(n.typeName) && typeParams.has(n.typeName.text) && !n.typeArguments;
  const ret = decl.type;
  const parts = ts.isIntersectionTypeNode(ret) ? ret.types : [ret];
  const t = parts.find(isParamRef) as ts.TypeReferenceNode | undefined;
  if (!t) return undefined;
  const name = (t.typeName as ts.Identifier).text;
  const index = decl.parameters.findIndex((p) => !!p.type && isParamRef(p.type) && ((p.type as ts.TypeReferenceNode).typeName as ts.Identifier).text === name && !p.dotDotDotToken);
  const arg = index >= 0 ? call.arguments[index] : undefined;
  if (!arg || ts.isSpreadElement(arg)) return undefined;
  const marksProxy = parts.some((part) => {
    if (part === t) return false;
    try {
      return checker.getPropertiesOfType(checker.getTypeFromTypeNode(part)).some((p) => p.getName().startsWith('__@proxyMarker'));
    } catch {
      return false;
    }
  });
  return { arg, marksProxy };
}

/** The callback of `xs.map(cb)` when it is written there. */
function mapCallback(e: ts.Expression): ts.SignatureDeclaration | undefined {
  if (!ts.isCallExpression(e) || !ts.isPropertyAccessExpression(e.expression) || e.expression.name.text !== 'map') return undefined;
  const cb = e.arguments[0] && skipOuter(e.arguments[0]);
  return cb && (ts.isArrowFunction(cb) || ts.isFunctionExpression(cb)) ? cb : undefined;
}

function isObjectAssign(e: ts.Expression): e is ts.CallExpression {
  return ts.isCallExpression(e) && ts.isPropertyAccessExpression(e.expression) && e.expression.name.text === 'assign' && ts.isIdentifier(e.expression.expression) && e.expression.expression.text === 'Object';
}

/**
 * The path segment for the values of a Map / Set whose value type is untyped (`<value>`,
 * `<item>`), or undefined for anything else: a typed collection is judged by its type.
 */
function untypedCollection(checker: ts.TypeChecker, t: ts.Type): string | undefined {
  const name = t.getSymbol()?.getName();
  if (name !== 'Map' && name !== 'Set') return undefined;
  const decl = t.getSymbol()?.declarations?.[0];
  if (!decl?.getSourceFile().isDeclarationFile) return undefined;
  const args = checker.getTypeArguments(t as ts.TypeReference);
  const value = args[name === 'Map' ? 1 : 0];
  if (!value || !isAnyLike(value)) return undefined;
  return name === 'Map' ? '<value>' : '<item>';
}

/** The variable, field or property an array literal or a `new Map()` initialises (`listeners: []`, `this.watchers = []`), for its container writes. */
function arrayHolder(checker: ts.TypeChecker, lit: ts.Expression): ts.Symbol | undefined {
  const p = lit.parent;
  if ((ts.isPropertyAssignment(p) || ts.isVariableDeclaration(p) || ts.isPropertyDeclaration(p)) && p.initializer === lit && ts.isIdentifier(p.name)) return symbolOf(checker, p.name);
  if (ts.isBinaryExpression(p) && p.right === lit && p.operatorToken.kind === ts.SyntaxKind.EqualsToken) {
    const left = skipOuter(p.left);
    return symbolOf(checker, ts.isPropertyAccessExpression(left) ? left.name : left);
  }
  return undefined;
}

/**
 * The fields a user class's constructor sets from untyped values (`this.matcherResult = matcherResult`,
 * `this.watchers = []`), each with what this `new` passes for a parameter, or the value itself.
 */
/**
 * Untyped fields a method of the holder's class sets (`subscribe(fn) { this.onChange = fn }`), for
 * each call of that method on the holder (`cart.subscribe(...)`) that may run before `send`: the
 * value written, or the call's argument when the method writes its parameter. Plain JS infers such
 * a field as `any`, so the type walk does not see what it holds.
 */
function methodFieldWrites(checker: ts.TypeChecker, holder: ts.Symbol, send: ts.Node): { name: string; value: ts.Expression }[] {
  const decl = holder.valueDeclaration;
  if (!decl || decl.getSourceFile().isDeclarationFile || !decl.getSourceFile().text.includes(`${holder.getName()}.`)) return [];
  let cls: ts.Declaration | undefined;
  try {
    cls = checker.getTypeAtLocation(ts.getNameOfDeclaration(decl) ?? decl).getSymbol()?.valueDeclaration;
  } catch {
    return [];
  }
  if (!cls || cls.getSourceFile().isDeclarationFile || !(ts.isClassDeclaration(cls) || ts.isClassExpression(cls))) return [];
  const writes = new Map<string, { field: string; value: ts.Expression; method: ts.MethodDeclaration }[]>();
  for (const m of cls.members) {
    if (!ts.isMethodDeclaration(m) || !m.body || !ts.isIdentifier(m.name)) continue;
    const visit = (n: ts.Node): void => {
      if (ts.isFunctionLike(n) && n !== m) return;
      if (ts.isBinaryExpression(n) && n.operatorToken.kind === ts.SyntaxKind.EqualsToken) {
        const left = skipOuter(n.left);
        if (ts.isPropertyAccessExpression(left) && left.expression.kind === ts.SyntaxKind.ThisKeyword && isAnyLike(checker.getTypeAtLocation(left))) {
          const list = writes.get((m.name as ts.Identifier).text) ?? [];
          if (list.length < 8) list.push({ field: left.name.text, value: skipOuter(n.right), method: m });
          writes.set((m.name as ts.Identifier).text, list);
        }
      }
      ts.forEachChild(n, visit);
    };
    ts.forEachChild(m.body, visit);
  }
  if (!writes.size) return [];
  const out: { name: string; value: ts.Expression }[] = [];
  const scan = (n: ts.Node): void => {
    if (out.length >= 16) return;
    if (ts.isCallExpression(n) && ts.isPropertyAccessExpression(n.expression) && ts.isIdentifier(n.expression.expression) && n.expression.expression.text === holder.getName()) {
      const found = writes.get(n.expression.name.text);
      if (found && sameSymbol(symbolOf(checker, n.expression.expression), holder) && mayRunBefore(n, send)) {
        for (const w of found) {
          const index = ts.isIdentifier(w.value) ? w.method.parameters.findIndex((p) => ts.isIdentifier(p.name) && p.name.text === (w.value as ts.Identifier).text) : -1;
          const arg = index >= 0 ? n.arguments[index] : undefined;
          if (index >= 0 && (!arg || ts.isSpreadElement(arg))) continue;
          out.push({ name: w.field, value: arg ?? w.value });
        }
      }
    }
    ts.forEachChild(n, scan);
  };
  scan(decl.getSourceFile());
  return out;
}

function untypedConstructorFields(checker: ts.TypeChecker, e: ts.NewExpression): { name: string; value: ts.Expression }[] {
  const decl = symbolOf(checker, skipOuter(e.expression))?.valueDeclaration;
  if (!decl || decl.getSourceFile().isDeclarationFile || !(ts.isClassDeclaration(decl) || ts.isClassExpression(decl))) return [];
  const ctor = decl.members.find((m): m is ts.ConstructorDeclaration => ts.isConstructorDeclaration(m) && !!m.body);
  const out: { name: string; value: ts.Expression }[] = [];
  for (const st of ctor?.body?.statements ?? []) {
    const x = ts.isExpressionStatement(st) ? skipOuter(st.expression) : undefined;
    if (!x || !ts.isBinaryExpression(x) || x.operatorToken.kind !== ts.SyntaxKind.EqualsToken) continue;
    const left = skipOuter(x.left);
    if (!ts.isPropertyAccessExpression(left) || left.expression.kind !== ts.SyntaxKind.ThisKeyword) continue;
    const right = skipOuter(x.right);
    let rt: ts.Type;
    try {
      rt = checker.getTypeAtLocation(right);
    } catch {
      continue;
    }
    const emptyArray = ts.isArrayLiteralExpression(right) && right.elements.length === 0;
    if (!isAnyLike(rt) && !emptyArray) continue;
    const index = ts.isIdentifier(right) ? ctor!.parameters.findIndex((p) => ts.isIdentifier(p.name) && p.name.text === right.text) : -1;
    const arg = index >= 0 ? e.arguments?.[index] : undefined;
    if (index >= 0 && (!arg || ts.isSpreadElement(arg))) continue;
    out.push({ name: left.name.text, value: arg ?? right });
  }
  return out;
}

/**
 * What `obj.name` can hold when `obj` is untyped: the member `name` of each typed origin of `obj`
 * (a class's field assignments, an object literal's property), read where it is written.
 */
function memberOrigins(checker: ts.TypeChecker, e: ts.PropertyAccessExpression, program: ts.Program): ts.Expression[] {
  const name = e.name.text;
  const out: ts.Expression[] = [];
  for (const o of originsOf(checker, e.expression, { program })) {
    if (ts.isObjectLiteralExpression(o)) {
      for (const p of o.properties) {
        if (ts.isPropertyAssignment(p) && (ts.isIdentifier(p.name) || ts.isStringLiteral(p.name)) && p.name.text === name) out.push(p.initializer);
        else if (ts.isShorthandPropertyAssignment(p) && p.name.text === name) out.push(p.name);
      }
      continue;
    }
    let t: ts.Type;
    try {
      t = checker.getTypeAtLocation(o);
    } catch {
      continue;
    }
    if (isAnyLike(t)) continue;
    for (const part of t.isUnion() ? t.types : [t]) {
      const prop = part.getProperty(name);
      if (prop) {
        for (const d of prop.declarations ?? []) {
          if (d.getSourceFile().isDeclarationFile) continue;
          if ((ts.isPropertyAssignment(d) || ts.isPropertyDeclaration(d)) && d.initializer) out.push(d.initializer);
          else if (ts.isShorthandPropertyAssignment(d)) out.push(d.name);
        }
        out.push(...fieldAssignments(checker, prop, name));
      } else {
        // A field only ever set with `??=`/`||=` in a method is not part of the class's type in JS.
        const cls = part.getSymbol()?.valueDeclaration;
        if (cls && (ts.isClassDeclaration(cls) || ts.isClassExpression(cls)) && !cls.getSourceFile().isDeclarationFile) out.push(...thisAssignmentsIn(cls, name));
      }
    }
    if (out.length >= maxOrigins) break;
  }
  return out.slice(0, maxOrigins);
}

/** Every `x.name = value` (and `||=`, `??=`) to the field `prop`, in the files that declare it. */
function fieldAssignments(checker: ts.TypeChecker, prop: ts.Symbol, name: string): ts.Expression[] {
  const out: ts.Expression[] = [];
  for (const sf of new Set((prop.declarations ?? []).map((d) => d.getSourceFile()))) {
    if (sf.isDeclarationFile) continue;
    for (const a of assignmentsIn(sf).get(name) ?? []) {
      const left = skipOuter(a.left);
      if (ts.isPropertyAccessExpression(left) && sameSymbol(symbolOf(checker, left.name), prop)) out.push(a.right);
    }
  }
  return out;
}

function thisAssignmentsIn(cls: ts.ClassLikeDeclaration, name: string): ts.Expression[] {
  const out: ts.Expression[] = [];
  for (const a of assignmentsIn(cls.getSourceFile()).get(name) ?? []) {
    const left = skipOuter(a.left);
    if (a.getStart() < cls.getStart() || a.getEnd() > cls.getEnd()) continue;
    if (ts.isPropertyAccessExpression(left) && left.expression.kind === ts.SyntaxKind.ThisKeyword) out.push(a.right);
  }
  return out;
}

/**
 * The type of an untyped (`any`) expression replayed on what it comes from: an identifier is typed
 * as its first typed origin; `a.b` and `a.b(...)` as the member `b` (and that method's return) of
 * `a`'s replayed type. In plain JS a value from a promise the code builds itself
 * (`const db = await open()`, `open` resolving `req.result` of `indexedDB.open(...)`) is `any`, and so
 * is every call on it: `db.transaction(s).objectStore(s)` replays to the `IDBObjectStore` it is.
 * Bounded by depth; undefined when no origin says.
 */
export function replayedType(checker: ts.TypeChecker, expr: ts.Expression, program: ts.Program | undefined, depth = 0): ts.Type | undefined {
  const e = skipOuter(expr);
  let t: ts.Type;
  try {
    t = checker.getTypeAtLocation(e);
  } catch {
    return undefined;
  }
  if (!(t.flags & (ts.TypeFlags.Any | ts.TypeFlags.Unknown))) return t;
  if (depth >= 8) return undefined;
  const member = (on: ts.Expression, name: string): ts.Type | undefined => {
    // `req.onsuccess = (e) => e.target.result`: the event's target is the object the handler is on.
    const owner = handlerOwner(checker, on);
    const ownerType = owner && replayedType(checker, owner, program, depth + 1);
    const base = ownerType && checker.getNonNullableType(ownerType).getProperty(name) ? ownerType : replayedType(checker, on, program, depth + 1);
    if (!base) return undefined;
    const prop = checker.getNonNullableType(base).getProperty(name) ?? (program && domSubtypeMember(checker, program, checker.getNonNullableType(base), name));
    return prop && checker.getTypeOfSymbol(prop);
  };
  // Only a type that says something: an untyped or generic member (`JSON.parse(s)`, `map.get(k)`) does not.
  const says = (r: ts.Type | undefined) => (r && !(r.flags & (ts.TypeFlags.Any | ts.TypeFlags.Unknown | ts.TypeFlags.TypeParameter)) ? r : undefined);
  if (ts.isPropertyAccessExpression(e)) {
    const m = says(member(e.expression, e.name.text));
    if (m) return m;
  }
  if (ts.isCallExpression(e) && ts.isPropertyAccessExpression(e.expression)) {
    const m = member(e.expression.expression, e.expression.name.text);
    const sig = m && fittingSignature(checker, m.getCallSignatures(), e.arguments);
    // A generic return (`querySelector<E extends Element = Element>(s): E | null`) as its constraint: `Element | null`.
    const ret = sig?.getReturnType();
    const r = says(ret && ret.flags & (ts.TypeFlags.Instantiable | ts.TypeFlags.UnionOrIntersection) ? (checker.getBaseConstraintOfType(ret) ?? ret) : ret);
    if (r) return r;
  }
  if (ts.isIdentifier(e) || ts.isCallExpression(e) || ts.isAwaitExpression(e)) {
    for (const o of originsOf(checker, e, { program })) {
      if (o === e) continue;
      const r = replayedType(checker, o, program, depth + 1);
      if (r) return r;
    }
  }
  return undefined;
}

/**
 * The object an event handler is registered on, for `e.target` / `e.currentTarget` read in it:
 * `req.onsuccess = (e) => ...` and `req.addEventListener('success', (e) => ...)` give `req`.
 */
function handlerOwner(checker: ts.TypeChecker, access: ts.Expression): ts.Expression | undefined {
  const a = skipOuter(access);
  if (!ts.isPropertyAccessExpression(a) || (a.name.text !== 'target' && a.name.text !== 'currentTarget') || !ts.isIdentifier(a.expression)) return undefined;
  const d = symbolOf(checker, a.expression)?.valueDeclaration;
  if (!d || !ts.isParameter(d)) return undefined;
  const fn = d.parent;
  if (!(ts.isArrowFunction(fn) || ts.isFunctionExpression(fn)) || fn.parameters[0] !== d) return undefined;
  const p = fn.parent;
  if (ts.isBinaryExpression(p) && p.operatorToken.kind === ts.SyntaxKind.EqualsToken && p.right === fn && ts.isPropertyAccessExpression(p.left) && /^on[a-z]/.test(p.left.name.text)) return p.left.expression;
  if (ts.isCallExpression(p) && ts.isPropertyAccessExpression(p.expression) && p.expression.name.text === 'addEventListener' && p.arguments[1] === fn) return p.expression.expression;
  return undefined;
}

const domMembers = new WeakMap<ts.Program, Map<string, ts.InterfaceDeclaration[]>>();

/**
 * The member `name` of the one DOM interface below `base` that declares it, when `base` (a DOM
 * interface) lacks it: `document.getElementById(id).transferControlToOffscreen()` calls a method only
 * an `HTMLCanvasElement` has, so the element is one. Undefined when none or several declare it.
 */
function domSubtypeMember(checker: ts.TypeChecker, program: ts.Program, base: ts.Type, name: string): ts.Symbol | undefined {
  const baseDecl = base.getSymbol()?.declarations?.[0];
  if (!baseDecl || !program.isSourceFileDefaultLibrary(baseDecl.getSourceFile())) return undefined;
  let index = domMembers.get(program);
  if (!index) {
    index = new Map();
    for (const sf of program.getSourceFiles()) {
      if (!program.isSourceFileDefaultLibrary(sf)) continue;
      for (const st of sf.statements) {
        if (!ts.isInterfaceDeclaration(st)) continue;
        for (const m of st.members) {
          if (!m.name || !ts.isIdentifier(m.name)) continue;
          const list = index.get(m.name.text) ?? [];
          list.push(st);
          index.set(m.name.text, list);
        }
      }
    }
    domMembers.set(program, index);
  }
  const found = new Set<ts.Symbol>();
  for (const decl of index.get(name) ?? []) {
    const sym = checker.getSymbolAtLocation(decl.name);
    if (!sym || found.has(sym)) continue;
    const t = checker.getDeclaredTypeOfSymbol(sym);
    if (checker.isTypeAssignableTo(t, base)) found.add(sym);
    if (found.size > 1) return undefined;
  }
  const [only] = found;
  return only && checker.getDeclaredTypeOfSymbol(only).getProperty(name);
}

/** The first overload a call's arguments fit, as the checker would pick: arity, then each typed argument against its parameter. */
function fittingSignature(checker: ts.TypeChecker, signatures: readonly ts.Signature[], args: readonly ts.Expression[]): ts.Signature | undefined {
  const arity = signatures.filter((s) => {
    const params = s.getParameters();
    const rest = params.length > 0 && !!(params[params.length - 1].valueDeclaration as ts.ParameterDeclaration | undefined)?.dotDotDotToken;
    const required = params.filter((p) => {
      const d = p.valueDeclaration as ts.ParameterDeclaration | undefined;
      return !!d && !d.questionToken && !d.initializer && !d.dotDotDotToken;
    }).length;
    return args.length >= required && (rest || args.length <= params.length);
  });
  const fitting = arity.filter((s) => {
    const params = s.getParameters();
    return args.every((a, i) => {
      const p = params[Math.min(i, params.length - 1)];
      if (!p || (p.valueDeclaration as ts.ParameterDeclaration | undefined)?.dotDotDotToken) return true;
      try {
        const at = checker.getTypeAtLocation(a);
        return !!(at.flags & ts.TypeFlags.Any) || checker.isTypeAssignableTo(at, checker.getTypeOfSymbol(p));
      } catch {
        return true;
      }
    });
  });
  // An untyped argument fits every overload; the one that takes any value of its kind
  // (`querySelector(selectors: string)`, not `<K extends keyof HTMLElementTagNameMap>(selectors: K)`) says what it returns.
  const wide = fitting.find((s) => {
    const params = s.getParameters();
    return args.every((a, i) => {
      const p = params[Math.min(i, params.length - 1)];
      try {
        return !p || !(checker.getTypeAtLocation(a).flags & ts.TypeFlags.Any) || !(checker.getTypeOfSymbol(p).flags & ts.TypeFlags.TypeParameter);
      } catch {
        return true;
      }
    });
  });
  return wide ?? fitting[0] ?? arity[0];
}
