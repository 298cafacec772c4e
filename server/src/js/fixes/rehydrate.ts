import * as path from 'node:path';
import * as ts from 'typescript';
import type { Fix, TextEdit } from '../../engine/types';
import { isLibraryFile } from '../origin';
import { type FixContext, isTypeScriptFile, type PathSegment } from './context';
import { indentAt, indentUnit, insertAt } from './edits';
import { rewriteMember } from './payload';
import { findReceiver, handlerPrologue, type Receiver, workerScriptOf } from './receiver';

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

function rehydrate(ctx: FixContext, segments: PathSegment[], type: ts.Type): Fix[] {
  const { checker, program } = ctx;
  if (segments.some((s) => s.kind === 'element')) return [];
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

  const fields = dataFields(type, checker, program, isError);
  if (fields.length === 0) return [];
  let sent = '';
  const send = rewriteMember(ctx.file, ctx.value.expr, segments, { kind: 'replace', with: (text) => (sent = `${/^[\w$.]+$|^new [\w$.]+\([^()]*\)$/.test(text) ? text : `(${text})`}.toMessage()`) });
  if (!send || sent.length > 60) return [];

  const sf = cls.getSourceFile();
  const unit = indentUnit(sf);
  const classIndent = indentAt(sf, cls.getStart(sf));
  const ind = cls.members.length ? indentAt(sf, cls.members[0].getStart(sf)) : classIndent + unit;
  const body = `return { ${fields.map((f) => `${f}: this.${f}`).join(', ')} };`;
  const param = typed ? `data: ReturnType<${name}['toMessage']>` : 'data';
  const methods = [
    `${ind}/** The data fields, for postMessage: an instance would arrive without its prototype. */`,
    `${ind}toMessage() {`,
    `${ind}${unit}${body}`,
    `${ind}}`,
    '',
    `${ind}static fromMessage(${param})${typed ? `: ${name}` : ''} {`,
    `${ind}${unit}return ${construct(cls, fields, name)};`,
    `${ind}}`,
  ].join('\n');
  const classEdit: TextEdit = cls.members.length
    ? insertAt(classFile, sf, cls.members[cls.members.length - 1].getEnd(), `\n\n${methods}`)
    : { ...insertAt(classFile, sf, cls.members.pos, ''), range: rangeBetween(sf, cls.members.pos, cls.getEnd() - 1), newText: `\n${methods}\n${classIndent}` };

  const receiver = receiverEdits(ctx, segments, cls);
  const title = `Add \`toMessage()\` and \`static fromMessage()\` to \`${name}\` and send \`${sent}\`${receiver ? `; rebuild it with \`${name}.fromMessage()\` in ${path.basename(receiver.file)}` : ''}`;
  return [{ title, id: 'add-rehydrate-hooks', preferred: false, edits: [classEdit, ...send, ...(receiver?.edits ?? [])] }];
}

function rangeBetween(sf: ts.SourceFile, start: number, end: number) {
  const s = sf.getLineAndCharacterOfPosition(start);
  const e = sf.getLineAndCharacterOfPosition(end);
  return { start: { line: s.line, character: s.character }, end: { line: e.line, character: e.character } };
}

/** Own data properties in declaration order: not methods, accessors, #private state or function-valued fields. */
function dataFields(type: ts.Type, checker: ts.TypeChecker, program: ts.Program, isError: boolean): string[] {
  const out: string[] = isError ? ['message'] : [];
  for (const prop of checker.getPropertiesOfType(type)) {
    const n = prop.getName();
    if (n.startsWith('__') || !/^[A-Za-z_$][\w$]*$/.test(n)) continue;
    const d = prop.valueDeclaration ?? prop.declarations?.[0];
    if (!d || ts.isMethodDeclaration(d) || ts.isGetAccessorDeclaration(d) || ts.isSetAccessorDeclaration(d) || out.includes(n)) continue;
    if (isError && isLibraryFile(program, d.getSourceFile())) continue; // Error's own stack, cause...
    if (ts.isPropertyDeclaration(d) && d.modifiers?.some((m) => m.kind === ts.SyntaxKind.StaticKeyword)) continue;
    const t = checker.getNonNullableType(checker.getTypeOfSymbol(prop));
    if (t.getCallSignatures().length > 0 || t.getConstructSignatures().length > 0) continue;
    out.push(n);
  }
  return out;
}

/** `new Vec(data.x, data.y)` when the constructor's parameters are fields of the same name; else the fields assigned onto an instance. */
function construct(cls: ts.ClassDeclaration, fields: string[], name: string): string {
  const ctor = cls.members.find((m): m is ts.ConstructorDeclaration => ts.isConstructorDeclaration(m) && m.body !== undefined);
  if (!ctor) return `Object.assign(new ${name}(), data)`;
  const params = ctor.parameters;
  const mapped = params.every((p) => ts.isIdentifier(p.name) && !p.dotDotDotToken && fields.includes(p.name.text) && (isParameterProperty(p) || assignsField(ctor, p.name.text)));
  if (params.length === 0) return `Object.assign(new ${name}(), data)`;
  if (!mapped) return `Object.assign(Object.create(${name}.prototype), data)`;
  const args = params.map((p) => `data.${(p.name as ts.Identifier).text}`).join(', ');
  const rest = fields.filter((f) => !params.some((p) => (p.name as ts.Identifier).text === f));
  return rest.length ? `Object.assign(new ${name}(${args}), data)` : `new ${name}(${args})`;
}

function isParameterProperty(p: ts.ParameterDeclaration): boolean {
  return (p.modifiers ?? []).some((m) => m.kind === ts.SyntaxKind.PublicKeyword || m.kind === ts.SyntaxKind.PrivateKeyword || m.kind === ts.SyntaxKind.ProtectedKeyword || m.kind === ts.SyntaxKind.ReadonlyKeyword);
}

function assignsField(ctor: ts.ConstructorDeclaration, name: string): boolean {
  return (ctor.body?.statements ?? []).some((st) => {
    if (!ts.isExpressionStatement(st) || !ts.isBinaryExpression(st.expression) || st.expression.operatorToken.kind !== ts.SyntaxKind.EqualsToken) return false;
    const { left, right } = st.expression;
    return ts.isPropertyAccessExpression(left) && left.expression.kind === ts.SyntaxKind.ThisKeyword && left.name.text === name && ts.isIdentifier(right) && right.text === name;
  });
}

/** In the worker's message handler: `msg.vec = Vec.fromMessage(msg.vec);` (or `e.data.vec`, or the destructured `vec`) first. */
function receiverEdits(ctx: FixContext, segments: PathSegment[], cls: ts.ClassDeclaration): { file: string; edits: TextEdit[] } | undefined {
  const script = workerScriptOf(ctx.sink.call, ctx.checker, ctx.file);
  if (!script) return undefined;
  const receiver = findReceiver(script, ctx.sourceFile, ctx.host);
  if (!receiver) return undefined;
  const name = cls.name!.text;
  const classFile = path.resolve(cls.getSourceFile().fileName);
  const binding = classBinding(receiver, cls, classFile, name);
  if (!binding) return undefined;
  const target = receiver.messageAt(segments.map((s) => (s as { name: string }).name));
  if (!target) return undefined;
  const statement = `${target} = ${binding.name}.fromMessage(${target});`;
  return { file: receiver.file, edits: [...binding.edits, handlerPrologue(receiver, statement)] };
}

/** How the receiver names the class: declared in the same module scope, already imported, or a new import of an exported class. */
function classBinding(receiver: Receiver, cls: ts.ClassDeclaration, classFile: string, name: string): { name: string; edits: TextEdit[] } | undefined {
  const sf = receiver.sourceFile;
  if (path.resolve(receiver.file) === classFile) return ts.isSourceFile(cls.parent) ? { name, edits: [] } : undefined;
  for (const st of sf.statements) {
    if (!ts.isImportDeclaration(st) || !ts.isStringLiteral(st.moduleSpecifier)) continue;
    const bindings = st.importClause?.namedBindings;
    if (!bindings || !ts.isNamedImports(bindings)) continue;
    const el = bindings.elements.find((e) => (e.propertyName ?? e.name).text === name);
    if (el && path.resolve(path.dirname(receiver.file), st.moduleSpecifier.text).replace(/\.[mc]?[jt]sx?$/, '') === classFile.replace(/\.[mc]?[jt]sx?$/, '')) return { name: el.name.text, edits: [] };
  }
  if (!cls.modifiers?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword) || !ts.isSourceFile(cls.parent)) return undefined;
  if (new RegExp(`\\b${name}\\b`).test(sf.text)) return undefined; // the name means something else there
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

/** After the leading comments of a file (its header), where a first import goes. */
function firstCodeOffset(sf: ts.SourceFile): number {
  const first = sf.statements[0];
  if (!first) return sf.text.length;
  const start = first.getStart(sf);
  return sf.text.lastIndexOf('\n', start) + 1;
}
