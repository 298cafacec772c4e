import * as ts from 'typescript';
import { originsOf } from './flow';
import { baseNames, isLibraryFile, originOf } from './origin';
import type { TransferEntry, TransferInfo } from './rules/rule';

// The transfer-list model. A sink's transfer list is read where it is written: an array literal,
// an options object's `transfer`/`transferList`, or a variable holding either (its literal plus
// the `push`/`unshift` calls before the send). Each listed value is then classified for what the
// runtimes do with it, and a listed Buffer's memory is traced to the call that allocated it,
// because small Buffers share Node's pool, which Node marks untransferable.

const maxHops = 3;

function skip(e: ts.Expression): ts.Expression {
  while (ts.isParenthesizedExpression(e) || ts.isAsExpression(e) || ts.isNonNullExpression(e) || ts.isSatisfiesExpression(e) || ts.isTypeAssertionExpression(e)) e = e.expression;
  return e;
}

function isNullish(e: ts.Expression): boolean {
  return e.kind === ts.SyntaxKind.NullKeyword || e.kind === ts.SyntaxKind.UndefinedKeyword || (ts.isIdentifier(e) && e.text === 'undefined');
}

function propertyOf(obj: ts.ObjectLiteralExpression, name: string): ts.Expression | undefined {
  for (const p of obj.properties) {
    if (ts.isPropertyAssignment(p) && p.name.getText().replace(/['"]/g, '') === name) return p.initializer;
    if (ts.isShorthandPropertyAssignment(p) && p.name.text === name) return p.name;
  }
  return undefined;
}

/** The one variable declaration of `id`, in this file, whose value is its initializer (a `const`, or a `let` never assigned again). */
export function soleDeclaration(id: ts.Identifier, checker: ts.TypeChecker): ts.VariableDeclaration | undefined {
  const sym = valueSymbolOf(id, checker);
  const decl = sym?.valueDeclaration;
  if (!decl || !ts.isVariableDeclaration(decl) || !decl.initializer || !ts.isIdentifier(decl.name)) return undefined;
  if (decl.getSourceFile() !== id.getSourceFile()) return undefined;
  const list = decl.parent;
  if (ts.isVariableDeclarationList(list) && !(list.flags & ts.NodeFlags.Const) && isAssignedAgain(sym!, scopeOf(decl), checker)) return undefined;
  return decl;
}

function isAssignedAgain(sym: ts.Symbol, scope: ts.Node, checker: ts.TypeChecker): boolean {
  let found = false;
  const visit = (n: ts.Node): void => {
    if (found) return;
    if (isAssignmentTarget(n) && ts.isIdentifier(n) && checker.getSymbolAtLocation(n) === sym) {
      found = true;
      return;
    }
    ts.forEachChild(n, visit);
  };
  visit(scope);
  return found;
}

/** The left side of `=`, a compound assignment, `++`/`--`. */
export function isAssignmentTarget(n: ts.Node): boolean {
  let p = n.parent;
  if (!p) return false;
  // Inside a destructuring target (`[a, b] = pair`, `({ buf } = next())`) or a `for (buf of list)` head.
  let inner: ts.Node = n;
  while (p && (ts.isArrayLiteralExpression(p) || ts.isObjectLiteralExpression(p) || ts.isShorthandPropertyAssignment(p) || (ts.isPropertyAssignment(p) && p.initializer === inner) || ts.isSpreadElement(p) || ts.isSpreadAssignment(p) || ts.isParenthesizedExpression(p))) {
    inner = p;
    p = p.parent;
  }
  if (inner !== n) return !!p && ts.isBinaryExpression(p) && p.left === inner && p.operatorToken.kind === ts.SyntaxKind.EqualsToken;
  if ((ts.isForOfStatement(p) || ts.isForInStatement(p)) && p.initializer === n) return true;
  if (ts.isBinaryExpression(p) && p.left === n && p.operatorToken.kind >= ts.SyntaxKind.FirstAssignment && p.operatorToken.kind <= ts.SyntaxKind.LastAssignment) return true;
  if ((ts.isPrefixUnaryExpression(p) || ts.isPostfixUnaryExpression(p)) && (p.operator === ts.SyntaxKind.PlusPlusToken || p.operator === ts.SyntaxKind.MinusMinusToken)) return true;
  return false;
}

/** The function body (or file) a declaration lives in. */
export function scopeOf(n: ts.Node): ts.Node {
  for (let p: ts.Node | undefined = n.parent; p; p = p.parent) {
    if (ts.isSourceFile(p)) return p;
    if (ts.isFunctionLike(p) && (p as ts.FunctionLikeDeclaration).body) return (p as ts.FunctionLikeDeclaration).body!;
  }
  return n.getSourceFile();
}

/**
 * The transfer list at a sink: `expr` is the argument holding it, `optionKey` the property of an
 * options object that holds it (`transfer`), if the API takes one there. Variables are followed
 * with a checker.
 */
export function readTransferList(expr: ts.Expression | undefined, optionKey: string | undefined, checker?: ts.TypeChecker): TransferInfo {
  if (!expr) return { kind: 'none' };
  let e = skip(expr);
  if (isNullish(e)) return { kind: 'none' };
  if (optionKey) {
    const obj = ts.isIdentifier(e) ? checker && skipToInitializer(e, checker) : e;
    if (obj && ts.isObjectLiteralExpression(obj)) {
      if (obj.properties.some(ts.isSpreadAssignment)) return { kind: 'unknown' };
      const inner = propertyOf(obj, optionKey);
      if (!inner) return { kind: 'none' };
      e = skip(inner);
      if (isNullish(e)) return { kind: 'none' };
    }
  }
  return readList(e, expr, checker, 0);
}

function skipToInitializer(id: ts.Identifier, checker: ts.TypeChecker): ts.Expression | undefined {
  const decl = soleDeclaration(id, checker);
  return decl?.initializer ? skip(decl.initializer) : undefined;
}

/** Without a checker only literals are read. */
function readList(e: ts.Expression, use: ts.Expression, checker: ts.TypeChecker | undefined, hops: number): TransferInfo {
  if (ts.isArrayLiteralExpression(e)) return fromLiteral(e, []);
  if (ts.isIdentifier(e) && checker && hops < maxHops) {
    // A `let` assigned again is read as open: withPushes sees the assignment as a use it cannot follow.
    const decl = soleDeclaration(e, checker) ?? letDeclaration(e, checker);
    const init = decl?.initializer && skip(decl.initializer);
    if (decl && init && ts.isArrayLiteralExpression(init)) return withPushes(init, decl, use, checker);
    if (init && ts.isIdentifier(init) && soleDeclaration(e, checker)) return readList(init, use, checker, hops + 1);
  }
  // A list we cannot take apart (a call's result, a parameter): only its element type can be judged.
  return { kind: 'unknown', list: e };
}

function letDeclaration(id: ts.Identifier, checker: ts.TypeChecker): ts.VariableDeclaration | undefined {
  const decl = checker.getSymbolAtLocation(id)?.valueDeclaration;
  return decl && ts.isVariableDeclaration(decl) && decl.initializer && decl.getSourceFile() === id.getSourceFile() && ts.isIdentifier(decl.name) ? decl : undefined;
}

function fromLiteral(literal: ts.ArrayLiteralExpression, pushed: TransferEntry[]): TransferInfo {
  const entries: TransferEntry[] = [];
  let open = false;
  for (const el of literal.elements) {
    if (ts.isSpreadElement(el)) open = true;
    else if (!ts.isOmittedExpression(el)) entries.push({ expr: el });
  }
  return { kind: 'list', entries: [...entries, ...pushed], node: literal, open: open || undefined };
}

const harmlessListMembers = new Set(['length', 'includes', 'indexOf', 'some', 'every', 'find', 'forEach']);

/** `const transfer = [a]; transfer.push(b); send(msg, transfer)`: the literal plus what is pushed before the send. */
function withPushes(literal: ts.ArrayLiteralExpression, decl: ts.VariableDeclaration, use: ts.Expression, checker: ts.TypeChecker): TransferInfo {
  const sym = checker.getSymbolAtLocation(decl.name);
  const scope = scopeOf(decl);
  const pushed: TransferEntry[] = [];
  let open = false;
  const visit = (n: ts.Node): void => {
    if (open) return;
    if (ts.isIdentifier(n) && n !== decl.name && n.getStart() < use.getStart() && checker.getSymbolAtLocation(n) === sym) {
      const p = n.parent;
      if (ts.isPropertyAccessExpression(p) && p.expression === n && (p.name.text === 'push' || p.name.text === 'unshift') && ts.isCallExpression(p.parent) && p.parent.expression === p) {
        const how = pathBetween(p.parent, decl);
        for (const a of p.parent.arguments) {
          if (ts.isSpreadElement(a)) open = true;
          else pushed.push({ expr: a, conditional: how.conditional || undefined, repeated: how.repeated || undefined });
        }
        return;
      }
      if (ts.isPropertyAccessExpression(p) && p.expression === n && harmlessListMembers.has(p.name.text)) return;
      // Handed to other code (a helper that fills it, `splice`, `concat`): it may hold more than we see.
      open = true;
      return;
    }
    ts.forEachChild(n, visit);
  };
  visit(scope);
  const info = fromLiteral(literal, pushed);
  if (info.kind === 'list' && open) info.open = true;
  return info;
}

/** Whether reaching `n` from the declaration's block passes a branch (it may not run) or a loop or callback (it may run many times). */
function pathBetween(n: ts.Node, decl: ts.Node): { conditional: boolean; repeated: boolean } {
  const scope = scopeOf(decl);
  let conditional = false;
  let repeated = false;
  for (let p: ts.Node | undefined = n.parent; p && p !== scope; p = p.parent) {
    if (ts.isIfStatement(p) || ts.isConditionalExpression(p) || ts.isCaseClause(p) || ts.isDefaultClause(p) || ts.isCatchClause(p)) conditional = true;
    else if (ts.isBinaryExpression(p) && (p.operatorToken.kind === ts.SyntaxKind.AmpersandAmpersandToken || p.operatorToken.kind === ts.SyntaxKind.BarBarToken || p.operatorToken.kind === ts.SyntaxKind.QuestionQuestionToken)) conditional = true;
    else if (ts.isIterationStatement(p, false)) {
      conditional = true;
      repeated = true;
    } else if (ts.isFunctionLike(p)) {
      conditional = true;
      repeated = true;
    }
  }
  return { conditional, repeated };
}

// What the runtimes do with a value in a transfer list.
export type ListedKind =
  /** Moves: ArrayBuffer, MessagePort, web streams, FileHandle, ImageBitmap, OffscreenCanvas... */
  | { kind: 'transferable'; name: string }
  /** A typed array, DataView or Buffer: its `.buffer` is what moves. */
  | { kind: 'view'; name: string }
  | { kind: 'shared'; name: string }
  /** Blob and File: ignored by Node 20, refused by Node 21+ and browsers. */
  | { kind: 'blob'; name: string }
  | { kind: 'not-transferable'; name: string }
  | { kind: 'unknown' };

const transferableNames = new Set([
  'ArrayBuffer', 'MessagePort', 'ReadableStream', 'WritableStream', 'TransformStream', 'FileHandle', 'ImageBitmap', 'OffscreenCanvas',
  'VideoFrame', 'AudioData', 'RTCDataChannel', 'MediaStreamTrack', 'MediaSourceHandle', 'MIDIAccess', 'WebTransportReceiveStream', 'WebTransportSendStream',
]);
export const viewNames = /^(?:(?:Int|Uint|Float|BigInt|BigUint)(?:8|16|32|64)(?:Clamped)?Array|DataView|Buffer)$/;
// Library values measured to be refused in a transfer list (Node 20/24, Chromium): plain data and handles that only clone.
const refusedNames = new Set(['MessageChannel', 'AbortSignal', 'Array', 'ReadonlyArray', 'Map', 'Set', 'Date', 'RegExp', 'Promise', 'Error', 'Object', 'String', 'Number', 'Boolean']);

export function listedKind(entry: TransferEntry, checker: ts.TypeChecker, program: ts.Program): ListedKind {
  let type: ts.Type;
  try {
    type = checker.getTypeAtLocation(entry.expr);
  } catch {
    return { kind: 'unknown' };
  }
  let kind = kindOfType(type, checker, program);
  // `view.buffer` of a view typed over `any` (`new Float32Array(n)` with an untyped `n`) is still its memory.
  const e = skip(entry.expr);
  if (kind.kind === 'unknown' && ts.isPropertyAccessExpression(e) && e.name.text === 'buffer' && viewOrUntyped(e.expression, checker)) kind = { kind: 'transferable', name: 'ArrayBuffer' };
  // `Piscina.move(view)` moves the view's buffer.
  if (entry.moved && kind.kind === 'view') return { kind: 'transferable', name: 'ArrayBuffer' };
  return kind;
}

/** The kind of the elements of a list we cannot take apart, from its array type. */
export function listElementKind(list: ts.Expression, checker: ts.TypeChecker, program: ts.Program): ListedKind {
  let type: ts.Type;
  try {
    type = checker.getTypeAtLocation(list);
  } catch {
    return { kind: 'unknown' };
  }
  if (!checker.isArrayType(type) && !checker.isTupleType(type)) return { kind: 'unknown' };
  const [el] = checker.getTypeArguments(type as ts.TypeReference);
  return el && !checker.isTupleType(type) ? kindOfType(el, checker, program) : { kind: 'unknown' };
}

function kindOfType(type: ts.Type, checker: ts.TypeChecker, program: ts.Program): ListedKind {
  if (type.flags & (ts.TypeFlags.Any | ts.TypeFlags.Unknown | ts.TypeFlags.TypeParameter | ts.TypeFlags.Never | ts.TypeFlags.NonPrimitive)) return { kind: 'unknown' };
  if (type.isUnion()) {
    const parts = type.types.filter((t) => !(t.flags & (ts.TypeFlags.Null | ts.TypeFlags.Undefined | ts.TypeFlags.Void)));
    if (parts.length === 0) return { kind: 'unknown' };
    const kinds = parts.map((t) => kindOfType(t, checker, program));
    // `ArrayBufferLike` (what `view.buffer` is typed as) is ArrayBuffer | SharedArrayBuffer: give it the benefit of the doubt.
    if (kinds.some((k) => k.kind === 'transferable' && k.name === 'ArrayBuffer') && kinds.every((k) => (k.kind === 'transferable' && k.name === 'ArrayBuffer') || k.kind === 'shared')) return { kind: 'transferable', name: 'ArrayBuffer' };
    const first = kinds[0];
    return kinds.every((k) => k.kind === first.kind) ? first : { kind: 'unknown' };
  }
  if (type.flags & (ts.TypeFlags.StringLike | ts.TypeFlags.NumberLike | ts.TypeFlags.BooleanLike | ts.TypeFlags.BigIntLike)) return { kind: 'not-transferable', name: checker.typeToString(checker.getBaseTypeOfLiteralType(type)) };
  if (!(type.flags & ts.TypeFlags.Object)) return { kind: 'unknown' };
  if (type.getCallSignatures().length > 0) return { kind: 'not-transferable', name: 'function' };
  const sym = type.getSymbol();
  const decl = sym?.declarations?.[0];
  const name = sym?.getName() ?? '';
  const fromLibrary = decl ? isLibraryFile(program, decl.getSourceFile()) : false;
  if (checker.isArrayType(type) || checker.isTupleType(type)) return { kind: 'not-transferable', name: 'an array' };
  if (!fromLibrary) {
    // A user's object or class instance: not transferable, unless it is typed as extending a platform transferable.
    const bases = sym && (sym.flags & (ts.SymbolFlags.Class | ts.SymbolFlags.Interface)) ? baseNames(checker, type) : [];
    const base = bases.find((b) => transferableNames.has(b) || viewNames.test(b));
    if (base) return viewNames.test(base) ? { kind: 'view', name: base } : { kind: 'transferable', name: base };
    if (sym && sym.flags & ts.SymbolFlags.Interface) return { kind: 'unknown' };
    return { kind: 'not-transferable', name: name && !name.startsWith('__') ? name : 'an object' };
  }
  if (transferableNames.has(name)) return { kind: 'transferable', name };
  if (viewNames.test(name)) return { kind: 'view', name };
  if (name === 'SharedArrayBuffer') return { kind: 'shared', name };
  if (name === 'Blob' || name === 'File') return { kind: 'blob', name };
  if (refusedNames.has(name)) return { kind: 'not-transferable', name };
  return { kind: 'unknown' };
}

// Node's Buffer pool: `Buffer.poolSize` is 8 KiB on Node 20 and 22 and 64 KiB on Node 24, and a
// Buffer smaller than half of it is a slice of the pool (measured). Node 21+ marks the pool
// untransferable; Node 20 copies all of it instead.
export const poolLimit = { node20: 4096, node24: 32768 } as const;

export interface PoolOrigin {
  /** The call that made the Buffer: `Buffer.from(line)`, `fs.readFileSync(path)`. */
  producer: ts.Node;
  /** What to call it in a message: `Buffer.from()`. */
  name: string;
  /** Its size, when the code says (a literal). */
  size?: number;
}

const pooledStatics = new Set(['from', 'concat', 'allocUnsafe', 'copyBytesFrom']);
const zlibSync = /^(?:gzip|gunzip|deflate|inflate|deflateRaw|inflateRaw|unzip|brotliCompress|brotliDecompress)Sync$/;

/**
 * Where the memory of a listed `x.buffer` (or a `move()`d Buffer `x`) comes from, when an origin
 * that reaches it is a call Node serves from its Buffer pool. Follows variables, `subarray`/`slice`
 * and the returns of the project's own functions, a few steps deep.
 */
export function pooledOrigin(entry: TransferEntry, checker: ts.TypeChecker, program: ts.Program): PoolOrigin | undefined {
  const e = skip(entry.expr);
  let view: ts.Expression | undefined;
  if (ts.isPropertyAccessExpression(e) && e.name.text === 'buffer') view = e.expression;
  else if (entry.moved) view = e;
  if (!view) return undefined;
  return originOfBuffer(view, checker, program, 0, new Set());
}

function originOfBuffer(e: ts.Expression, checker: ts.TypeChecker, program: ts.Program, depth: number, seen: Set<ts.Node>): PoolOrigin | undefined {
  e = skip(e);
  if (depth > 5 || seen.has(e)) return undefined;
  seen.add(e);
  if (ts.isAwaitExpression(e)) return originOfBuffer(e.expression, checker, program, depth + 1, seen);
  if (ts.isIdentifier(e)) {
    const sym = valueSymbolOf(e, checker);
    const decl = sym?.valueDeclaration;
    if (!decl || !ts.isVariableDeclaration(decl) || decl.getSourceFile() !== e.getSourceFile()) return undefined;
    // Every value the variable is given: its initializer and later assignments.
    const values: ts.Expression[] = decl.initializer ? [decl.initializer] : [];
    const scope = scopeOf(decl);
    const visit = (n: ts.Node): void => {
      if (ts.isBinaryExpression(n) && n.operatorToken.kind === ts.SyntaxKind.EqualsToken && ts.isIdentifier(n.left) && checker.getSymbolAtLocation(n.left) === sym) values.push(n.right);
      ts.forEachChild(n, visit);
    };
    visit(scope);
    for (const v of values) {
      const o = originOfBuffer(v, checker, program, depth + 1, seen);
      if (o) return o;
    }
    return undefined;
  }
  // A view made over a Buffer's memory: `new Uint8Array(buf.buffer, buf.byteOffset, buf.length)`.
  if (ts.isNewExpression(e) && e.arguments?.[0]) {
    const arg = skip(e.arguments[0]);
    return ts.isPropertyAccessExpression(arg) && arg.name.text === 'buffer' ? originOfBuffer(arg.expression, checker, program, depth + 1, seen) : undefined;
  }
  if (!ts.isCallExpression(e)) return undefined;
  const callee = skip(e.expression);
  if (ts.isPropertyAccessExpression(callee)) {
    const method = callee.name.text;
    if (isBufferConstructor(callee.expression, checker)) {
      if (!pooledStatics.has(method)) return undefined;
      // `Buffer.from(arrayBuffer)` is a view of that memory, not a slice of the pool.
      if (method === 'from' && e.arguments[0] && isArrayBufferTyped(e.arguments[0], checker)) return undefined;
      const size = literalSize(method, e.arguments);
      if (size !== undefined && size >= poolLimit.node24) return undefined;
      return { producer: e, name: `Buffer.${method}()`, size };
    }
    // A slice of a Buffer shares its memory.
    if ((method === 'subarray' || method === 'slice') && isBufferTyped(callee.expression, checker)) return originOfBuffer(callee.expression, checker, program, depth + 1, seen);
  }
  const decl = calleeDeclaration(e, checker);
  if (!decl) return undefined;
  const origin = originOf(program, decl);
  if (origin && ((origin.module === 'fs' && origin.name === 'readFileSync') || (origin.module === 'zlib' && zlibSync.test(origin.name)))) return { producer: e, name: `${origin.module}.${origin.name}()` };
  // The project's own function: what it returns.
  if (origin?.module === 'user' && (ts.isFunctionDeclaration(decl) || ts.isMethodDeclaration(decl) || ts.isArrowFunction(decl) || ts.isFunctionExpression(decl)) && decl.body) {
    if (!ts.isBlock(decl.body)) return originOfBuffer(decl.body, checker, program, depth + 1, seen);
    for (const r of returnsOf(decl.body)) {
      const o = originOfBuffer(r, checker, program, depth + 1, seen);
      if (o) return o;
    }
  }
  return undefined;
}

/** The declaration a call resolves to; by the callee's symbol when overload resolution gives none (which overload does not matter here). */
function calleeDeclaration(call: ts.CallExpression, checker: ts.TypeChecker): ts.Declaration | undefined {
  try {
    const decl = checker.getResolvedSignature(call)?.declaration;
    if (decl && !ts.isJSDocSignature(decl)) return decl;
    const callee = skip(call.expression);
    let sym = checker.getSymbolAtLocation(ts.isPropertyAccessExpression(callee) ? callee.name : callee);
    if (sym && sym.flags & ts.SymbolFlags.Alias) sym = checker.getAliasedSymbol(sym);
    return sym?.valueDeclaration ?? sym?.declarations?.[0];
  } catch (err) {
    return undefined;
  }
}

function returnsOf(body: ts.Block): ts.Expression[] {
  const out: ts.Expression[] = [];
  const visit = (n: ts.Node): void => {
    if (ts.isReturnStatement(n) && n.expression) out.push(n.expression);
    if (!ts.isFunctionLike(n)) ts.forEachChild(n, visit);
  };
  ts.forEachChild(body, visit);
  return out;
}

function isBufferConstructor(e: ts.Expression, checker: ts.TypeChecker): boolean {
  try {
    return checker.getTypeAtLocation(e).getSymbol()?.getName() === 'BufferConstructor';
  } catch {
    return false;
  }
}

function isBufferTyped(e: ts.Expression, checker: ts.TypeChecker): boolean {
  try {
    return checker.getTypeAtLocation(e).getSymbol()?.getName() === 'Buffer';
  } catch {
    return false;
  }
}

function isArrayBufferTyped(e: ts.Expression, checker: ts.TypeChecker): boolean {
  try {
    const t = checker.getTypeAtLocation(e);
    return (t.isUnion() ? t.types : [t]).every((p) => /^(?:Shared)?ArrayBuffer$/.test(p.getSymbol()?.getName() ?? ''));
  } catch {
    return false;
  }
}

/** The byte size a `Buffer.from('literal')`, `Buffer.from([1, 2])` or `Buffer.allocUnsafe(64)` call makes, when written out. */
function literalSize(method: string, args: readonly ts.Expression[]): number | undefined {
  const a = args[0] && skip(args[0]);
  if (!a) return undefined;
  if (method === 'allocUnsafe' && ts.isNumericLiteral(a)) return Number(a.text);
  if (method === 'from' && ts.isStringLiteralLike(a)) {
    const enc = args[1] && ts.isStringLiteralLike(args[1]) ? args[1].text : 'utf8';
    return /^utf-?8$/i.test(enc) ? Buffer.byteLength(a.text, 'utf8') : undefined;
  }
  if (method === 'from' && ts.isArrayLiteralExpression(a) && !a.elements.some(ts.isSpreadElement)) return a.elements.length;
  return undefined;
}

/**
 * A key for the memory or object a transfer moves, equal for two expressions that move the same
 * thing: `buf` and `view.buffer` for a `view = new Uint8Array(buf)`, `a.buffer` and `b.buffer`
 * for `b = a.subarray(4)`. Undefined when the expression names nothing we can follow.
 */
export function storageKey(e: ts.Expression, checker: ts.TypeChecker, depth = 0): string | undefined {
  e = skip(e);
  if (depth > 4) return undefined;
  if (ts.isPropertyAccessExpression(e) && e.name.text === 'buffer' && viewOrUntyped(e.expression, checker)) return storageKey(e.expression, checker, depth + 1);
  if (ts.isIdentifier(e)) {
    const sym = valueSymbolOf(e, checker);
    if (!sym) return undefined;
    const decl = sym.valueDeclaration;
    if (decl && ts.isVariableDeclaration(decl) && decl.initializer && soleDeclaration(e, checker)) {
      const init = skip(decl.initializer);
      // A view made over existing memory, or a slice of one, shares that memory.
      if (ts.isNewExpression(init) && init.arguments?.[0] && isViewTyped(init, checker) && !isNumberTyped(init.arguments[0], checker)) {
        const inner = storageKey(init.arguments[0], checker, depth + 1);
        if (inner) return inner;
      }
      if (ts.isCallExpression(init) && ts.isPropertyAccessExpression(init.expression) && init.expression.name.text === 'subarray' && isViewTyped(init.expression.expression, checker)) {
        const inner = storageKey(init.expression.expression, checker, depth + 1);
        if (inner) return inner;
      }
    }
    return symbolKey(sym);
  }
  if (ts.isPropertyAccessExpression(e)) {
    // `job.preview` of a `const job = { preview: thumbnail }` is `thumbnail`.
    const owner = skip(e.expression);
    const literal = ts.isIdentifier(owner) ? soleDeclaration(owner, checker)?.initializer : undefined;
    const member = literal && ts.isObjectLiteralExpression(skip(literal)) && !(skip(literal) as ts.ObjectLiteralExpression).properties.some(ts.isSpreadAssignment) ? propertyOf(skip(literal) as ts.ObjectLiteralExpression, e.name.text) : undefined;
    if (member) {
      const inner = storageKey(member, checker, depth + 1);
      if (inner) return inner;
    }
    const base = e.expression.kind === ts.SyntaxKind.ThisKeyword ? `this@${enclosingClassPos(e)}` : storageKey(e.expression, checker, depth + 1);
    return base ? `${base}.${e.name.text}` : undefined;
  }
  return undefined;
}

/** The variable an identifier reads: for `{ buf }` the variable `buf`, not the property. */
export function valueSymbolOf(id: ts.Identifier, checker: ts.TypeChecker): ts.Symbol | undefined {
  try {
    return ts.isShorthandPropertyAssignment(id.parent) && id.parent.name === id ? checker.getShorthandAssignmentValueSymbol(id.parent) : checker.getSymbolAtLocation(id);
  } catch {
    return undefined;
  }
}

/** The storage key of a variable or parameter itself. */
export function symbolKey(sym: ts.Symbol): string {
  return `#${symbolId(sym)}`;
}

const symbolIds = new WeakMap<ts.Symbol, number>();
let nextSymbolId = 1;
function symbolId(sym: ts.Symbol): number {
  let id = symbolIds.get(sym);
  if (id === undefined) {
    id = nextSymbolId++;
    symbolIds.set(sym, id);
  }
  return id;
}

function enclosingClassPos(n: ts.Node): number {
  for (let p: ts.Node | undefined = n.parent; p; p = p.parent) if (ts.isClassLike(p)) return p.pos;
  return -1;
}

export function isViewTyped(e: ts.Expression, checker: ts.TypeChecker): boolean {
  try {
    const t = checker.getTypeAtLocation(e);
    return (t.isUnion() ? t.types : [t]).some((p) => viewNames.test(p.getSymbol()?.getName() ?? ''));
  } catch {
    return false;
  }
}

/** A view, or a value of no known type whose `.buffer` is listed for transfer: that is what views have. */
function viewOrUntyped(e: ts.Expression, checker: ts.TypeChecker): boolean {
  if (isViewTyped(e, checker)) return true;
  try {
    return (checker.getTypeAtLocation(e).flags & (ts.TypeFlags.Any | ts.TypeFlags.Unknown)) !== 0;
  } catch {
    return false;
  }
}

function isNumberTyped(e: ts.Expression, checker: ts.TypeChecker): boolean {
  try {
    return (checker.getTypeAtLocation(e).flags & ts.TypeFlags.NumberLike) !== 0;
  } catch {
    return false;
  }
}

/**
 * The memory a listed `x.member.buffer` moves when `x` is an object made elsewhere (a parameter,
 * a helper's result) whose `member` is a view built over a buffer: `{ header: new Uint8Array(buf,
 * 0, 8), body: new Uint8Array(buf, 8) }` lists `buf` twice. Every literal `x` can come from must
 * agree; undefined when the engine cannot see them all.
 */
export function viewMemoryKey(e: ts.Expression, checker: ts.TypeChecker, program: ts.Program): string | undefined {
  const x = skip(e);
  if (!ts.isPropertyAccessExpression(x) || x.name.text !== 'buffer') return undefined;
  const view = skip(x.expression);
  if (!ts.isPropertyAccessExpression(view) || !viewOrUntyped(view, checker)) return undefined;
  let origins: ts.Expression[];
  try {
    origins = originsOf(checker, view.expression, { program });
  } catch {
    return undefined;
  }
  let key: string | undefined;
  for (const o0 of origins) {
    const o = skip(o0);
    if (!ts.isObjectLiteralExpression(o) || o.properties.some(ts.isSpreadAssignment)) return undefined;
    const member = propertyOf(o, view.name.text);
    const made = member && skip(member);
    if (!made || !ts.isNewExpression(made) || !made.arguments?.[0] || !isViewTyped(made, checker) || isNumberTyped(made.arguments[0], checker)) return undefined;
    const k = storageKey(made.arguments[0], checker);
    if (!k || (key !== undefined && k !== key)) return undefined;
    key = k;
  }
  return key;
}
