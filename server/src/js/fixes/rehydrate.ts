import * as path from 'node:path';
import * as ts from 'typescript';
import type { Fix, TextEdit } from '../../engine/types';
import { isLibraryFile } from '../origin';
import { type FixContext, isTypeScriptFile, type PathSegment, reportedBelow, skipOuter } from './context';
import { indentAt, indentUnit, insertAt } from './edits';
import { rewriteMember } from './payload';
import { handlerPrologue, type Receiver, receivingSide } from './receiver';
import type { DerivedSink } from '../summaries';

// Add rehydrate hooks: a class instance crosses as a plain object, so say so explicitly:
// `toMessage()` returns its data fields, `static fromMessage(data)` rebuilds an instance, the send
// site sends `value.toMessage()` and, when the worker's handler is in the workspace, it rebuilds
// the instance with `Cls.fromMessage(...)` there.

/** For a finding on a class instance itself (class-instance-loss). */
export function addRehydrateHooks(ctx: FixContext): Fix[] {
  return rehydrate(ctx, ctx.segments, ctx.facts.type);
}

/** For a finding on a member of a class instance (an arrow-function field): rehydrate the owner. */
export function addRehydrateHooksToOwner(ctx: FixContext): Fix[] {
  if (ctx.segments.length === 0 || ctx.segments.some((s) => s.kind === 'element')) return [];
  const owner = ctx.segments.slice(0, -1);
  let type = ctx.checker.getTypeAtLocation(ctx.value.expr);
  for (const s of owner) {
    const prop = type.getProperty((s as { name: string }).name);
    if (!prop) return [];
    type = ctx.checker.getNonNullableType(ctx.checker.getTypeOfSymbol(prop));
  }
  return rehydrate(ctx, owner, type);
}

function userClassOf(type: ts.Type, program: ts.Program): ts.ClassDeclaration | undefined {
  const sym = type.getSymbol();
  if (!sym || !(sym.flags & ts.SymbolFlags.Class)) return undefined;
  const decl = sym.declarations?.find(ts.isClassDeclaration);
  if (!decl || !decl.name || decl.getSourceFile().isDeclarationFile || isLibraryFile(program, decl.getSourceFile())) return undefined;
  return decl;
}

function rehydrate(ctx: FixContext, fullSegments: PathSegment[], type: ts.Type): Fix[] {
  const { checker, program } = ctx;
  // The instances in an array (`invoices.all()`, `{ items }`) are converted one by one: the array
  // is sent as `.map((x) => x.toMessage())` and rebuilt with `.map(...)` on the other side. Only a
  // last element step of a real array qualifies: a Set or Map, or an element of an element, has no
  // one edit that keeps its shape.
  const each = fullSegments.length > 0 && fullSegments[fullSegments.length - 1].kind === 'element';
  const segments = each ? fullSegments.slice(0, -1) : fullSegments;
  if (segments.some((s) => s.kind === 'element')) return [];
  if (each && !isArrayAt(ctx, segments)) return [];
  const cls = userClassOf(type, program);
  if (!cls || !cls.name) return [];
  const name = cls.name.text;
  const base = cls.heritageClauses?.find((h) => h.token === ts.SyntaxKind.ExtendsKeyword)?.types[0];
  // A user base class's constructor and fields are its own business; an Error subclass sends its message and own fields.
  const isError = base !== undefined && /^(Error|TypeError|RangeError|SyntaxError|ReferenceError|EvalError|URIError)$/.test(base.expression.getText());
  if (base && !isError) return [];
  if (cls.members.some((m) => m.name && ts.isIdentifier(m.name) && (m.name.text === 'toMessage' || m.name.text === 'fromMessage'))) return [];
  const classFile = path.resolve(cls.getSourceFile().fileName);
  const typed = isTypeScriptFile(classFile);
  if (typed && cls.typeParameters?.length) return [];

  const all = dataFields(type, checker, program, isError, cls);
  // A field some rule reports (a function inside it, an AbortController) would fail or arrive
  // changed in `toMessage()`'s copy too: it stays on this side, and the constructor that
  // `fromMessage()` calls makes the receiving side's own.
  const kept = all.filter((f) => !reportedBelow(ctx, [...fullSegments, { kind: 'property', name: f }], prototypeRules));
  const fields = kept.length ? kept : [];
  const left = all.filter((f) => !kept.includes(f));
  if (fields.length === 0) return [];
  // A member that may be absent (`result.error` of a result that succeeded) is converted only when present.
  const optional = mayBeAbsent(ctx, segments);
  let sent = '';
  const item = elementName(name);
  const convert = each ? `map((${item}) => ${item}.toMessage())` : 'toMessage()';
  // `new X(...)` with its argument list binds before `.`: it needs no parentheses, whatever its arguments.
  const sentNode = skipOuter(ctx.value.expr);
  const bareNew = segments.length === 0 && ts.isNewExpression(sentNode) && sentNode.arguments !== undefined && sentNode === ctx.value.expr;
  const send = rewriteMember(ctx.file, ctx.value.expr, segments, { kind: 'replace', with: (text) => (sent = `${bareNew || /^[\w$.]+$|^new [\w$.]+\([^()]*\)$|^[\w$.]+\([^()]*\)$/.test(text) ? text : `(${text})`}${optional ? '?.' : '.'}${convert}`) });
  if (!send) return [];
  // A long sent expression (a constructor call with arguments) is named by what it becomes, to keep the title one readable line.
  const shownSent = sent.length > 60 ? `its \`${convert}\`` : `\`${sent}\``;

  const sf = cls.getSourceFile();
  const unit = indentUnit(sf);
  const classIndent = indentAt(sf, cls.getStart(sf));
  const ind = cls.members.length ? indentAt(sf, cls.members[0].getStart(sf)) : classIndent + unit;
  const body = `return { ${fields.map((f) => `${f}: this.${f}`).join(', ')} };`;
  const param = typed ? `data: ReturnType<${name}['toMessage']>` : 'data';
  const rebuilt = construct(cls, fields, name, isError);
  const methods = [
    `${ind}/** The data fields, for postMessage: an instance would arrive without its prototype. */`,
    `${ind}toMessage() {`,
    `${ind}${unit}${body}`,
    `${ind}}`,
    '',
    `${ind}static fromMessage(${param})${typed ? `: ${name}` : ''} {`,
    `${ind}${unit}return ${rebuilt.text};`,
    `${ind}}`,
  ].join('\n');
  const classEdit: TextEdit = cls.members.length
    ? insertAt(classFile, sf, cls.members[cls.members.length - 1].getEnd(), `\n\n${methods}`)
    : { ...insertAt(classFile, sf, cls.members.pos, ''), range: rangeBetween(sf, cls.members.pos, cls.getEnd() - 1), newText: `\n${methods}\n${classIndent}` };

  const receiver = receiverEdits(ctx, segments, cls, optional, each);
  const where = receiver.edits
    ? `; rebuild ${each ? 'each' : 'it'} with \`${name}.fromMessage()\` in ${receiver.where}`
    : ctx.sink.api === 'structuredClone'
      ? ''
      : isMessageSend(ctx)
        ? ` (${receiver.why}: rebuild ${each ? 'each' : 'it'} there with \`${name}.fromMessage(...)\`)`
        : ` (rebuild ${each ? 'each' : 'it'} with \`${name}.fromMessage(...)\` where it is received or read back)`;
  const stays = left.length ? `; ${left.map((f) => `\`${f}\``).join(', ')} ${left.length > 1 ? 'stay' : 'stays'} on this side${rebuilt.constructs ? ` (the constructor makes ${left.length > 1 ? 'them' : 'it'} again there)` : ''}` : '';
  const title = `Add \`toMessage()\` and \`static fromMessage()\` to \`${name}\` and send ${shownSent}${stays}${where}`;
  return [{ title, id: 'add-rehydrate-hooks', preferred: false, edits: [classEdit, ...send, ...(receiver.edits ?? [])] }];
}

/** Whether the member at `segments` (property names only) of the sent value is an array or tuple, so `.map()` keeps its shape. */
function isArrayAt(ctx: FixContext, segments: readonly PathSegment[]): boolean {
  let type = ctx.checker.getTypeAtLocation(ctx.value.expr);
  for (const s of segments) {
    const prop = ctx.checker.getNonNullableType(type).getProperty((s as { name: string }).name);
    if (!prop) return false;
    type = ctx.checker.getTypeOfSymbol(prop);
  }
  type = ctx.checker.getNonNullableType(type);
  return ctx.checker.isArrayType(type) || ctx.checker.isTupleType(type);
}

/** The parameter name for one element: `Invoice` → `invoice`. */
function elementName(cls: string): string {
  const n = cls.charAt(0).toLowerCase() + cls.slice(1);
  return n === cls ? 'item' : n;
}

/** A message to a handler (postMessage, send), rather than a value stored, returned or exposed. */
function isMessageSend(ctx: FixContext): boolean {
  const derived = (ctx.sink as Partial<DerivedSink>).derived;
  const api = derived ? (derived.params[ctx.sink.values.indexOf(ctx.value)]?.reach.sink.api ?? '') : ctx.sink.api;
  return /(^|\.)(postMessage|send)$/.test(api);
}

const prototypeRules = new Set(['class-instance-loss', 'error-subclass-loss']);

/** Whether the member at `segments` of the sent value may be missing: an optional or untyped member, or one that only some arms of a union have. */
function mayBeAbsent(ctx: FixContext, segments: readonly PathSegment[]): boolean {
  let type = ctx.checker.getTypeAtLocation(ctx.value.expr);
  for (const s of segments) {
    if (type.flags & (ts.TypeFlags.Any | ts.TypeFlags.Unknown)) return true;
    const arms = type.isUnion() ? type.types : [type];
    const props = arms.map((t) => t.getProperty((s as { name: string }).name));
    if (props.some((p) => !p)) return true;
    const prop = props[0]!;
    if (prop.flags & ts.SymbolFlags.Optional) return true;
    const t = ctx.checker.getTypeOfSymbol(prop);
    if (t.flags & (ts.TypeFlags.Any | ts.TypeFlags.Unknown) || (t.isUnion() && t.types.some((x) => x.flags & (ts.TypeFlags.Undefined | ts.TypeFlags.Null)))) return true;
    type = ctx.checker.getNonNullableType(t);
  }
  return false;
}

function rangeBetween(sf: ts.SourceFile, start: number, end: number) {
  const s = sf.getLineAndCharacterOfPosition(start);
  const e = sf.getLineAndCharacterOfPosition(end);
  return { start: { line: s.line, character: s.character }, end: { line: e.line, character: e.character } };
}

/** Own data properties in declaration order: not methods, accessors, #private state or function-valued fields. */
function dataFields(type: ts.Type, checker: ts.TypeChecker, program: ts.Program, isError: boolean, cls: ts.ClassDeclaration): string[] {
  const out: string[] = isError ? ['message'] : [];
  // An Error subclass that names itself (`this.name = 'ValidationError'`) is told apart by that name.
  if (isError && constructorOf(cls)?.body?.statements.some((st) => assignedField(st)?.field === 'name')) out.push('name');
  for (const prop of checker.getPropertiesOfType(type)) {
    const n = prop.getName();
    if (n.startsWith('__') || !/^[A-Za-z_$][\w$]*$/.test(n)) continue;
    const d = prop.valueDeclaration ?? prop.declarations?.[0];
    if (!d || ts.isMethodDeclaration(d) || ts.isGetAccessorDeclaration(d) || ts.isSetAccessorDeclaration(d) || out.includes(n)) continue;
    if (isError && isLibraryFile(program, d.getSourceFile())) continue; // Error's own stack, cause...
    if (ts.isPropertyDeclaration(d) && d.modifiers?.some((m) => m.kind === ts.SyntaxKind.StaticKeyword)) continue;
    const t = checker.getNonNullableType(checker.getTypeOfSymbol(prop));
    if (t.getCallSignatures().length > 0 || t.getConstructSignatures().length > 0) continue;
    if (t.flags & ts.TypeFlags.Any && givenFunction(cls, n, checker)) continue;
    out.push(n);
  }
  return out;
}

/**
 * An untyped field the constructor keeps from a parameter (`this.retry = retry`) that some
 * `new Cls(...)` of the class's file fills with a function: a function-valued field after all.
 */
function givenFunction(cls: ts.ClassDeclaration, field: string, checker: ts.TypeChecker): boolean {
  const ctor = constructorOf(cls);
  const kept = ctor?.body?.statements.map(assignedField).find((a) => a?.field === field);
  const index = kept && ts.isIdentifier(kept.value) ? ctor!.parameters.findIndex((p) => ts.isIdentifier(p.name) && p.name.text === (kept.value as ts.Identifier).text) : -1;
  if (index < 0) return false;
  let found = false;
  const visit = (n: ts.Node): void => {
    if (found) return;
    if (ts.isNewExpression(n) && ts.isIdentifier(n.expression) && n.expression.text === cls.name?.text) {
      const arg = n.arguments?.[index];
      if (arg && (ts.isArrowFunction(arg) || ts.isFunctionExpression(arg) || checker.getTypeAtLocation(arg).getCallSignatures().length > 0)) found = true;
    }
    ts.forEachChild(n, visit);
  };
  visit(cls.getSourceFile());
  return found;
}

function constructorOf(cls: ts.ClassDeclaration): ts.ConstructorDeclaration | undefined {
  return cls.members.find((m): m is ts.ConstructorDeclaration => ts.isConstructorDeclaration(m) && m.body !== undefined);
}

/** `this.field = value;` */
function assignedField(st: ts.Statement): { field: string; value: ts.Expression } | undefined {
  if (!ts.isExpressionStatement(st) || !ts.isBinaryExpression(st.expression) || st.expression.operatorToken.kind !== ts.SyntaxKind.EqualsToken) return undefined;
  const { left, right } = st.expression;
  return ts.isPropertyAccessExpression(left) && left.expression.kind === ts.SyntaxKind.ThisKeyword ? { field: left.name.text, value: right } : undefined;
}

// A field the constructor makes from a parameter by copying it, so the parameter can be given the field's value again.
const copies = new Set(['Date', 'Map', 'Set', 'URL']);

/** The sent field each constructor parameter is kept in (`this.user = user`, `this.values = { ...values }`, `this._d = new Date(date)`, `super(message)` in an Error subclass). */
function fieldOfParameter(ctor: ts.ConstructorDeclaration, p: ts.ParameterDeclaration, fields: readonly string[], isError: boolean): string | undefined {
  if (!ts.isIdentifier(p.name) || p.dotDotDotToken) return undefined;
  const name = p.name.text;
  if (isParameterProperty(p)) return fields.includes(name) ? name : undefined;
  const isParam = (e: ts.Expression | undefined): boolean => {
    if (!e) return false;
    const x = skipOuter(e);
    if (ts.isIdentifier(x)) return x.text === name;
    if (ts.isObjectLiteralExpression(x)) return x.properties.length === 1 && ts.isSpreadAssignment(x.properties[0]) && isParam(x.properties[0].expression);
    if (ts.isArrayLiteralExpression(x)) return x.elements.length === 1 && ts.isSpreadElement(x.elements[0]) && isParam(x.elements[0].expression);
    if (ts.isNewExpression(x) && ts.isIdentifier(x.expression) && copies.has(x.expression.text)) return x.arguments?.length === 1 && isParam(x.arguments[0]);
    return false;
  };
  for (const st of ctor.body?.statements ?? []) {
    const a = assignedField(st);
    if (a && fields.includes(a.field) && isParam(a.value)) return a.field;
    const call = ts.isExpressionStatement(st) ? skipOuter(st.expression) : undefined;
    if (isError && call && ts.isCallExpression(call) && call.expression.kind === ts.SyntaxKind.SuperKeyword && isParam(call.arguments[0])) return 'message';
  }
  return undefined;
}

/**
 * `new Vec(data.x, data.y)` when each constructor parameter is kept in a sent field (trailing
 * optional ones may be left to their defaults); the other sent fields are assigned onto it. A
 * constructor that cannot be called so is skipped: the fields are assigned onto a bare instance.
 */
function construct(cls: ts.ClassDeclaration, fields: string[], name: string, isError: boolean): { text: string; constructs: boolean } {
  const ctor = constructorOf(cls);
  if (!ctor || ctor.parameters.length === 0) return { text: `Object.assign(new ${name}(), data)`, constructs: true };
  const mapped = ctor.parameters.map((p) => fieldOfParameter(ctor, p, fields, isError));
  let count = mapped.length;
  while (count > 0 && !mapped[count - 1] && (ctor.parameters[count - 1].initializer || ctor.parameters[count - 1].questionToken)) count--;
  if (mapped.slice(0, count).some((f) => !f)) return { text: `Object.assign(Object.create(${name}.prototype), data)`, constructs: false };
  const used = mapped.slice(0, count) as string[];
  const call = `new ${name}(${used.map((f) => `data.${f}`).join(', ')})`;
  return { text: fields.every((f) => used.includes(f)) ? call : `Object.assign(${call}, data)`, constructs: true };
}

function isParameterProperty(p: ts.ParameterDeclaration): boolean {
  return (p.modifiers ?? []).some((m) => m.kind === ts.SyntaxKind.PublicKeyword || m.kind === ts.SyntaxKind.PrivateKeyword || m.kind === ts.SyntaxKind.ProtectedKeyword || m.kind === ts.SyntaxKind.ReadonlyKeyword);
}

/**
 * On the receiving side: `msg.vec = Vec.fromMessage(msg.vec);` (or `e.data.vec`, or the destructured
 * `vec`) before its code reads the message; `edits` is undefined when that side was not found (`why`).
 */
function receiverEdits(ctx: FixContext, segments: PathSegment[], cls: ts.ClassDeclaration, optional: boolean, each = false): { edits?: TextEdit[]; where?: string; why: string } {
  const side = receivingSide(ctx, segments.map((s) => (s as { name: string }).name));
  if (!side) return { why: 'the receiving side was not found in the workspace' };
  const { receiver, target } = side;
  const name = cls.name!.text;
  const classFile = path.resolve(cls.getSourceFile().fileName);
  const binding = classBinding(receiver, cls, classFile, name);
  if (!binding) return { why: `${name} cannot be named in ${path.basename(receiver.file)}` };
  if (!target) return { why: 'the receiving side takes the message in a way this fix cannot rewrite' };
  const rebuild = each ? `${target}.map((data) => ${binding.name}.fromMessage(data))` : `${binding.name}.fromMessage(${target})`;
  const statement = `${target} = ${optional ? `${target} && ${rebuild}` : rebuild};`;
  const where = receiver.file === ctx.file ? receiver.who : path.basename(receiver.file);
  return { edits: [...binding.edits, handlerPrologue(receiver, statement)], where, why: '' };
}

/** How the receiver names the class: declared in the same module scope, already imported, or a new import of an exported class. */
function classBinding(receiver: Receiver, cls: ts.ClassDeclaration, classFile: string, name: string): { name: string; edits: TextEdit[] } | undefined {
  const sf = receiver.sourceFile;
  if (path.resolve(receiver.file) === classFile) return ts.isSourceFile(cls.parent) ? { name, edits: [] } : undefined;
  for (const st of sf.statements) {
    if (!ts.isImportDeclaration(st) || !ts.isStringLiteral(st.moduleSpecifier)) continue;
    const bindings = st.importClause?.namedBindings;
    if (!bindings || !ts.isNamedImports(bindings)) continue;
    if (path.resolve(path.dirname(receiver.file), st.moduleSpecifier.text).replace(/\.[mc]?[jt]sx?$/, '') !== classFile.replace(/\.[mc]?[jt]sx?$/, '')) continue;
    const el = bindings.elements.find((e) => (e.propertyName ?? e.name).text === name);
    if (el) return { name: el.name.text, edits: [] };
    // The module is imported already: name the class in the same import.
    const last = bindings.elements[bindings.elements.length - 1];
    if (last && !st.importClause?.isTypeOnly && cls.modifiers?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword) && !namesIdentifier(sf, name)) return { name, edits: [insertAt(receiver.file, sf, last.getEnd(), `, ${name}`)] };
  }
  if (!cls.modifiers?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword) || !ts.isSourceFile(cls.parent)) return undefined;
  if (namesIdentifier(sf, name)) return undefined; // the name means something else there
  let spec = path.relative(path.dirname(receiver.file), classFile).replace(/\\/g, '/');
  if (!spec.startsWith('.')) spec = `./${spec}`;
  if (/\.[mc]?tsx?$/.test(spec)) spec = spec.replace(/\.ts$/, '.js').replace(/\.mts$/, '.mjs').replace(/\.cts$/, '.cjs');
  const esm = sf.statements.some((s) => ts.isImportDeclaration(s) || ts.isExportDeclaration(s)) || /\.m[jt]s$/.test(receiver.file);
  // A browser worker has no `require`; a classic one cannot `import` either.
  if (!esm && receiver.dom) return undefined;
  const imports = sf.statements.filter(ts.isImportDeclaration);
  const line = esm ? `import { ${name} } from '${spec}';` : `const { ${name} } = require('${spec}');`;
  const after = imports.length ? imports[imports.length - 1].getEnd() : undefined;
  return { name, edits: [after !== undefined ? insertAt(receiver.file, sf, after, `\n${line}`) : insertAt(receiver.file, sf, firstCodeOffset(sf), `${line}\n`)] };
}

/** Whether code (not a comment) in the file uses the identifier `name`. */
function namesIdentifier(sf: ts.SourceFile, name: string): boolean {
  let found = false;
  const visit = (n: ts.Node): void => {
    if (found) return;
    if (ts.isIdentifier(n) && n.text === name) found = true;
    else ts.forEachChild(n, visit);
  };
  visit(sf);
  return found;
}

/** After the leading comments of a file (its header), where a first import goes. */
function firstCodeOffset(sf: ts.SourceFile): number {
  const first = sf.statements[0];
  if (!first) return sf.text.length;
  const start = first.getStart(sf);
  return sf.text.lastIndexOf('\n', start) + 1;
}
