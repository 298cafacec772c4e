import * as ts from 'typescript';
import { baseNames, isLibraryFile, isWorkspaceErrorClass, originOf } from './origin';
import type { MemberFacts, SendContext, TypeFacts, TypeRule, Verdict } from './rules/rule';
import { needsTransfer, transferRequired } from './rules/transfer-required';

// Walks the type of a sent value member by member and asks the type rules about each part.
// A rule that claims a part stops the walk there unless it asks to descend (a class instance
// is reported for its lost prototype and its fields are still inspected).

export interface Problem {
  rule: TypeRule;
  verdict: Verdict;
  /** Access path from the sent value, e.g. `job.onDone`, `items[i]`, `cache<value>`. */
  path: string;
  /** The user-code declaration of the bad member or of its class. */
  declaration?: ts.Node;
  /** What the rule saw of the bad part (its type, name, origin); the fixes read it. */
  facts: TypeFacts;
  /** The path of the first optional member (`job.onDone` of `onDone?: ...`) the walk passed to reach it: only the declared type says it may be there. */
  optional?: string;
}

const maxDepth = 12;
const primitiveFlags = ts.TypeFlags.StringLike | ts.TypeFlags.NumberLike | ts.TypeFlags.BooleanLike | ts.TypeFlags.EnumLike | ts.TypeFlags.BigIntLike | ts.TypeFlags.ESSymbolLike;
const maxProblems = 20;

// Library types that are data (serialisable) and need no look inside.
const cleanLibraryTypes = new Set([
  'Date', 'RegExp', 'ArrayBuffer', 'SharedArrayBuffer', 'DataView', 'Int8Array', 'Uint8Array', 'Uint8ClampedArray', 'Int16Array',
  'Uint16Array', 'Int32Array', 'Uint32Array', 'Float32Array', 'Float64Array', 'BigInt64Array', 'BigUint64Array', 'Float16Array',
  'Buffer', 'Blob', 'File', 'CryptoKey', 'KeyObject', 'SecretKeyObject', 'PublicKeyObject', 'PrivateKeyObject', 'X509Certificate',
  'SocketAddress', 'BlockList', 'Module', 'ImageData', 'ImageBitmap', 'Error', 'EvalError', 'RangeError', 'ReferenceError',
  'SyntaxError', 'TypeError', 'URIError', 'AggregateError', 'DOMException', 'Boolean', 'Number', 'String', 'BigInt', 'Object',
  'FileList', 'DOMPoint', 'DOMRect', 'DOMMatrix', 'DOMQuad', 'DOMPointReadOnly', 'DOMRectReadOnly', 'DOMMatrixReadOnly',
]);

export class TypeWalker {
  private problems: Problem[] = [];
  private reported = new Set<string>();
  private factsCache = new Map<ts.Type, TypeFacts>();
  /** The optional member the walk is under, if any. */
  private optional: string | undefined;

  constructor(
    private ctx: SendContext,
    private rules: readonly TypeRule[],
  ) {}

  /** The problems found by every walk so far (the array `walk` returns). */
  problemsSoFar(): Problem[] {
    return this.problems;
  }

  walk(type: ts.Type, path: string, declaration?: ts.Node): Problem[] {
    this.visit(type, path, declaration, 0, new Set());
    return this.problems;
  }

  private report(rule: TypeRule, verdict: Verdict, path: string, facts: TypeFacts, declaration?: ts.Node): void {
    const key = `${rule.meta.id}\0${path}`;
    if (this.reported.has(key) || this.problems.length >= maxProblems) return;
    this.reported.add(key);
    this.problems.push({ rule, verdict, path, declaration, facts, ...(this.optional ? { optional: this.optional } : {}) });
  }

  private visit(type: ts.Type, path: string, declaration: ts.Node | undefined, depth: number, onPath: Set<ts.Type>, jsonified = false, via?: ts.Symbol): void {
    if (depth > maxDepth || this.problems.length >= maxProblems) return;
    const { checker } = this.ctx;
    if (type.flags & (ts.TypeFlags.Any | ts.TypeFlags.Unknown | ts.TypeFlags.Never)) return;
    if (type.flags & ts.TypeFlags.TypeParameter) {
      const constraint = checker.getBaseConstraintOfType(type);
      if (!constraint || constraint === type || constraint.flags & (ts.TypeFlags.Any | ts.TypeFlags.Unknown)) return;
      return this.visit(constraint, path, declaration, depth + 1, onPath, jsonified, via);
    }
    if (type.isUnion()) {
      // `boolean` is the union `true | false`; enums are unions of literals: nothing to see.
      for (const t of type.types) this.visit(t, path, declaration, depth, onPath, jsonified, via);
      return;
    }
    if (type.flags & (ts.TypeFlags.Null | ts.TypeFlags.Void)) return;
    if (type.flags & ts.TypeFlags.Undefined) {
      // Only an explicitly `undefined` member matters (JSON drops it); optional members are unwrapped below.
      this.applyRules(this.facts(type), path, declaration, via);
      return;
    }
    if (type.flags & (ts.TypeFlags.StringLike | ts.TypeFlags.NumberLike | ts.TypeFlags.BooleanLike | ts.TypeFlags.EnumLike)) return;
    // A branded primitive (`string & { __brand }`, `string & Record<string, never>`) is the primitive at
    // run time: the object part exists only in the type system, and the primitive's methods are not its own.
    if (type.isIntersection()) {
      const primitive = type.types.find((t) => t.flags & primitiveFlags);
      if (primitive) return this.visit(primitive, path, declaration, depth, onPath, jsonified, via);
    }
    if (type.flags & (ts.TypeFlags.BigIntLike | ts.TypeFlags.ESSymbolLike)) {
      this.applyRules(this.facts(type), path, declaration, via);
      return;
    }
    if (!(type.flags & (ts.TypeFlags.Object | ts.TypeFlags.Intersection | ts.TypeFlags.NonPrimitive))) return;
    if (type.flags & ts.TypeFlags.NonPrimitive) return; // `object`: nothing known
    if (onPath.has(type)) return;
    // Comlink.proxy(...) crosses as a proxy, not a clone, but only as an argument itself: comlink
    // clones whatever it finds nested in an argument, proxy marker or not (measured, comlink 4.4).
    if (depth === 0 && isProxyMarked(type, this.ctx.program)) return;

    const facts = this.facts(type);
    // JSON.stringify sends what a user type's `toJSON()` returns (own or inherited), not its fields;
    // it does not call toJSON again on that result, but it does on the result's members.
    if (this.ctx.serializer === 'json' && !facts.fromLibrary && !jsonified) {
      const sent = toJSONResult(checker, type);
      // The path names the call, so that no fix edits `x.member` of a member toJSON() made up.
      if (sent) return this.visit(sent, path ? `${path}.toJSON()` : 'toJSON()', declaration, depth + 1, onPath, true);
    }
    if (type.isIntersection()) {
      for (const part of type.types) {
        const f = this.facts(part);
        if (f.callable || f.fromLibrary) {
          if (this.applyRules(f, path, declaration, via) === 'stop') return;
        }
      }
    }
    const decision = this.applyRules(facts, path, declaration ?? facts.declaration, via);
    if (decision === 'stop') return;

    onPath.add(type);
    try {
      if (checker.isTupleType(type)) {
        const args = checker.getTypeArguments(type as ts.TypeReference);
        args.forEach((t, i) => this.visit(t, `${path}[${i}]`, declaration, depth + 1, onPath));
        return;
      }
      if (checker.isArrayType(type)) {
        const [el] = checker.getTypeArguments(type as ts.TypeReference);
        if (el) this.visit(el, `${path}[i]`, declaration, depth + 1, onPath);
        return;
      }
      if (facts.fromLibrary && (facts.name === 'Map' || facts.name === 'ReadonlyMap' || facts.name === 'Set' || facts.name === 'ReadonlySet')) {
        const args = (type as ts.TypeReference).typeArguments ?? checker.getTypeArguments(type as ts.TypeReference);
        if (facts.name.endsWith('Map')) {
          if (args[0]) this.visit(args[0], `${path}<key>`, declaration, depth + 1, onPath);
          if (args[1]) this.visit(args[1], `${path}<value>`, declaration, depth + 1, onPath);
        } else if (args[0]) this.visit(args[0], `${path}<item>`, declaration, depth + 1, onPath);
        return;
      }
      if (facts.fromLibrary && facts.name && !facts.classInstance && this.isNamedLibraryType(type)) return;
      if (facts.callable) return;
      this.visitMembers(type, facts, path, depth, onPath);
    } finally {
      onPath.delete(type);
    }
  }

  private isNamedLibraryType(type: ts.Type): boolean {
    const sym = type.getSymbol();
    if (!sym) return false;
    return (sym.flags & (ts.SymbolFlags.Interface | ts.SymbolFlags.Class)) !== 0;
  }

  private visitMembers(type: ts.Type, facts: TypeFacts, path: string, depth: number, onPath: Set<ts.Type>): void {
    const { checker } = this.ctx;
    // A real Error (a workspace `class … extends Error`) is cloned as its name, message, stack and
    // cause only: whatever else it holds stays behind (error-subclass-loss says so), never throws.
    // Spread by a wrapper (`{ ...error }`), the root's own fields are copied into a plain object and cross.
    const realError = this.ctx.serializer === 'clone' && !(this.ctx.spreadRoot && depth === 0) && isWorkspaceErrorClass(type, checker, this.ctx.program);
    for (const prop of checker.getPropertiesOfType(type)) {
      const name = prop.getName();
      if (realError && name !== 'cause') continue;
      const decl = prop.valueDeclaration ?? prop.declarations?.[0];
      const symbolKeyed = name.startsWith('__@');
      if (decl && (symbolKeyed || ts.isAccessor(decl)) && !isLibraryFile(this.ctx.program, decl.getSourceFile()) && !isPrototypeMember(decl, this.ctx.program, facts)) {
        const key = ts.getNameOfDeclaration(decl);
        const keyText = symbolKeyed && key && ts.isComputedPropertyName(key) ? key.getText() : undefined;
        this.applyMemberRules({ symbol: prop, declaration: decl as ts.Declaration, owner: facts, symbolKeyed }, keyText ? `${path}${keyText}` : joinPath(path, name), decl);
      }
      if (symbolKeyed || name.startsWith('__#')) continue; // symbol keys and #private are not copied (reported above, or by their class)
      // Methods and accessors of a class live on its prototype: they are lost, not fatal (class-instance-loss).
      if (decl && isPrototypeMember(decl, this.ctx.program, facts)) continue;
      let propType: ts.Type;
      try {
        propType = checker.getTypeOfSymbol(prop);
      } catch {
        continue;
      }
      if (prop.flags & ts.SymbolFlags.Optional) propType = checker.getNonNullableType(propType);
      // `{ method }` where `method` is an unannotated parameter a library's signature types as a property
      // key (a Proxy `get(target, key)` trap, `string | symbol`): the symbol is a possibility the library
      // declares, not a value anyone made; the string part is still judged.
      if (propType.isUnion() && decl && libraryTypedKey(checker, decl, this.ctx.program)) {
        const rest = propType.types.filter((t) => !(t.flags & ts.TypeFlags.ESSymbolLike));
        if (rest.length < propType.types.length) {
          for (const t of rest) this.visit(t, joinPath(path, name), undefined, depth + 1, onPath, false, prop);
          continue;
        }
      }
      const userDecl = decl && !isLibraryFile(this.ctx.program, decl.getSourceFile()) ? decl : undefined;
      const outer = this.optional;
      if (prop.flags & ts.SymbolFlags.Optional) this.optional ??= joinPath(path, name);
      try {
        this.visit(propType, joinPath(path, name), userDecl, depth + 1, onPath, false, prop);
      } finally {
        this.optional = outer;
      }
    }
    const index = checker.getIndexInfoOfType(type, ts.IndexKind.String) ?? checker.getIndexInfoOfType(type, ts.IndexKind.Number);
    if (index) this.visit(index.type, `${path}[key]`, index.declaration, depth + 1, onPath);
  }

  private applyMemberRules(member: MemberFacts, path: string, declaration: ts.Node): void {
    for (const rule of this.rules) {
      const verdict = rule.checkMember?.(member, this.ctx, path);
      if (verdict) return this.report(rule, verdict, path, member.owner, declaration);
    }
  }

  private applyRules(facts: TypeFacts, path: string, declaration: ts.Node | undefined, via?: ts.Symbol): 'stop' | 'descend' | 'none' {
    // Transferables are judged by the transfer rule alone: listed, they cross intact.
    const transferable = facts.fromLibrary && facts.ancestry.some((n) => needsTransfer.has(n));
    for (const rule of transferable ? [transferRequired] : this.rules) {
      const verdict = rule.check(facts, this.ctx, path, via);
      if (!verdict) continue;
      this.report(rule, verdict, path, facts, declaration ?? facts.declaration);
      return verdict.descend ? 'descend' : 'stop';
    }
    if (facts.fromLibrary && (transferable || cleanLibraryTypes.has(facts.name))) return 'stop';
    return 'none';
  }

  facts(type: ts.Type): TypeFacts {
    let f = this.factsCache.get(type);
    if (f) return f;
    const { checker, program } = this.ctx;
    const sym = type.aliasSymbol && !(type.flags & ts.TypeFlags.Object) ? type.aliasSymbol : type.getSymbol();
    const decl = sym?.declarations?.[0];
    const fromLibrary = decl ? isLibraryFile(program, decl.getSourceFile()) : false;
    const origin = decl ? originOf(program, decl) : undefined;
    const name = sym && !sym.getName().startsWith('__') ? sym.getName() : '';
    // The lib's `Function` interface (`new Function(src)`, a `Function`-typed field) declares no call
    // signature, yet every value of it is a function.
    const anyFunction = !!decl && program.isSourceFileDefaultLibrary(decl.getSourceFile()) && (name === 'Function' || name === 'CallableFunction' || name === 'NewableFunction');
    const callable = (type.flags & ts.TypeFlags.Object) !== 0 && (anyFunction || type.getCallSignatures().length > 0 || type.getConstructSignatures().length > 0);
    const ancestry = name ? [name, ...baseNames(checker, type)] : [];
    const classInstance = !callable && isClassInstance(type, program);
    const declaration = decl && !fromLibrary && (ts.isClassLike(decl) || ts.isInterfaceDeclaration(decl)) ? decl : undefined;
    f = { type, name, fromLibrary, origin, ancestry, callable, classInstance, declaration };
    this.factsCache.set(type, f);
    return f;
  }
}

export function joinPath(path: string, name: string): string {
  const key = /^[A-Za-z_$][\w$]*$/.test(name) ? name : JSON.stringify(name);
  if (!path) return key.startsWith('"') ? `[${key}]` : key;
  return key.startsWith('"') ? `${path}[${key}]` : `${path}.${key}`;
}

/** The type a `toJSON()` method of `type` returns, when it has one that JSON.stringify would call. */
function toJSONResult(checker: ts.TypeChecker, type: ts.Type): ts.Type | undefined {
  const prop = type.getProperty('toJSON');
  if (!prop) return undefined;
  let t: ts.Type;
  try {
    t = checker.getNonNullableType(checker.getTypeOfSymbol(prop));
  } catch {
    return undefined;
  }
  const sigs = t.getCallSignatures();
  if (!sigs.length) return undefined;
  // An untyped toJSON still decides what is sent: its `any` result is judged (by nothing) instead of the fields.
  return checker.getReturnTypeOfSignature(sigs[0]);
}

/** An instance of a class declared with methods, accessors or #private state (or a library class declared in a .d.ts). */
function isClassInstance(type: ts.Type, program: ts.Program): boolean {
  const sym = type.getSymbol();
  if (!sym || !(sym.flags & ts.SymbolFlags.Class)) return false;
  const decls = sym.declarations ?? [];
  // In JS a constructor function (`function When(ms) { this._ms = ms }` with methods set on
  // `When.prototype`) is a class to the checker too.
  const classDecl = decls.find(ts.isClassLike) ?? decls.find((d) => (ts.isFunctionDeclaration(d) || ts.isFunctionExpression(d)) && isInJs(d));
  if (!classDecl) return false;
  const sf = classDecl.getSourceFile();
  // Serialisable library classes (KeyObject, X509Certificate, Blob...) keep their class across the boundary.
  if (program.isSourceFileDefaultLibrary(sf) || (isLibraryFile(program, sf) && cleanLibraryTypes.has(sym.getName()))) return false;
  return hasPrototypeState(program.getTypeChecker(), type);
}

function hasPrototypeState(checker: ts.TypeChecker, type: ts.Type): boolean {
  for (const prop of checker.getPropertiesOfType(type)) {
    if (prop.getName().startsWith('__#')) return true;
    for (const d of prop.declarations ?? []) {
      if (ts.isMethodDeclaration(d) || ts.isGetAccessorDeclaration(d) || ts.isSetAccessorDeclaration(d)) return true;
      // A .d.ts class often declares its methods in a merged interface (`class Stats {}` + `interface Stats extends StatsBase`).
      if (ts.isMethodSignature(d) && d.getSourceFile().isDeclarationFile) return true;
      // `When.prototype.format = function () { ... }` in JS.
      if (prototypeAssignment(d)) return true;
    }
  }
  const sym = type.getSymbol();
  for (const d of sym?.declarations ?? []) {
    if (ts.isClassLike(d) && d.members.some((m) => m.name && ts.isPrivateIdentifier(m.name))) return true;
  }
  return false;
}

function isInJs(d: ts.Node): boolean {
  return /\.[cm]?jsx?$/.test(d.getSourceFile().fileName);
}

/** A method set on a constructor's prototype in JS (`When.prototype.format = function () {...}`). */
function prototypeAssignment(d: ts.Node): boolean {
  const access = ts.isBinaryExpression(d) ? d.left : ts.isPropertyAccessExpression(d) ? d : undefined;
  if (!access || !ts.isPropertyAccessExpression(access) || !ts.isPropertyAccessExpression(access.expression) || access.expression.name.text !== 'prototype') return false;
  const assignment = ts.isBinaryExpression(d) ? d : ts.isBinaryExpression(access.parent) && access.parent.left === access ? access.parent : undefined;
  const value = assignment && assignment.operatorToken.kind === ts.SyntaxKind.EqualsToken ? assignment.right : undefined;
  return !!value && (ts.isFunctionExpression(value) || ts.isArrowFunction(value));
}

function isPrototypeMember(decl: ts.Node, program: ts.Program, facts: TypeFacts): boolean {
  if ((ts.isMethodDeclaration(decl) || ts.isGetAccessorDeclaration(decl) || ts.isSetAccessorDeclaration(decl)) && decl.parent && ts.isClassLike(decl.parent)) return true;
  // `Ctor.prototype.constructor = Ctor` in untyped code: a member of the prototype, which is not copied.
  const assigned = ts.isBinaryExpression(decl) ? decl.left : decl;
  if (ts.isPropertyAccessExpression(assigned) && ts.isPropertyAccessExpression(assigned.expression) && assigned.expression.name.text === 'prototype') return true;
  // A .d.ts interface of a library class declares its prototype methods as method signatures; a
  // project class extending one (`class Job extends EventEmitter`) inherits them on its prototype too.
  if (ts.isMethodSignature(decl) && (facts.fromLibrary || facts.classInstance) && decl.getSourceFile().isDeclarationFile && !program.isSourceFileDefaultLibrary(decl.getSourceFile())) return true;
  return false;
}

/**
 * Whether a literal's member is an unannotated parameter (`{ key }`, `{ method: key }`) whose type only
 * a library signature gives it by context: no annotation, no JSDoc type, no default value.
 */
function libraryTypedKey(checker: ts.TypeChecker, decl: ts.Node, program: ts.Program): boolean {
  let sym: ts.Symbol | undefined;
  if (ts.isShorthandPropertyAssignment(decl)) sym = checker.getShorthandAssignmentValueSymbol(decl);
  else if (ts.isPropertyAssignment(decl) && ts.isIdentifier(decl.initializer)) sym = checker.getSymbolAtLocation(decl.initializer);
  const p = sym?.valueDeclaration;
  if (!p || !ts.isParameter(p) || p.type || p.initializer || ts.getJSDocType(p)) return false;
  const fn = p.parent;
  if (!(ts.isArrowFunction(fn) || ts.isFunctionExpression(fn) || ts.isMethodDeclaration(fn))) return false;
  const ctx = ts.isMethodDeclaration(fn) ? undefined : checker.getContextualType(fn);
  const contextual = ctx && checker.getNonNullableType(ctx);
  const d = contextual?.getCallSignatures()[0]?.getDeclaration() ?? contextual?.getSymbol()?.declarations?.[0];
  if (d && isLibraryFile(program, d.getSourceFile())) return true;
  // A method of an object literal passed where a library expects a handler (`new Proxy({}, { get(t, key) {} })`).
  const lit = fn.parent;
  if (ts.isObjectLiteralExpression(lit)) {
    const holder = checker.getContextualType(lit);
    const hd = holder?.getSymbol()?.declarations?.[0];
    if (hd && isLibraryFile(program, hd.getSourceFile())) return true;
  }
  return false;
}

function isProxyMarked(type: ts.Type, program: ts.Program): boolean {
  const checker = program.getTypeChecker();
  for (const prop of checker.getPropertiesOfType(type)) {
    if (!prop.getName().startsWith('__@proxyMarker')) continue;
    const d = prop.declarations?.[0];
    if (d && /comlink/.test(d.getSourceFile().fileName)) return true;
  }
  return false;
}
