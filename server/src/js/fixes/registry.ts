import * as path from 'node:path';
import * as ts from 'typescript';
import type { Fix, TextEdit } from '../../engine/types';
import { type FixContext, skipOuter } from './context';
import { insertAt, replaceNode } from './edits';
import { rewriteMember } from './payload';
import { findReceiver, workerScriptOf } from './receiver';

// Move the function to the worker: when the worker's handler calls `msg.transform(...)` by name,
// the function moves into a module-scope registry in the worker file, the message carries its
// key (`transform: 'double'`), and the handler calls `transforms[msg.transform](...)`.

export function moveFunctionToWorkerRegistry(ctx: FixContext): Fix[] {
  if (ctx.segments.length === 0 || ctx.segments.some((s) => s.kind !== 'property')) return [];
  const names = ctx.segments.map((s) => (s as { name: string }).name);
  const member = names[names.length - 1];
  const fn = functionAt(ctx.value.expr, names);
  if (!fn || !movable(fn, ctx)) return [];
  const script = workerScriptOf(ctx.sink.call, ctx.checker, ctx.file);
  const receiver = script && findReceiver(script, ctx.sourceFile, ctx.host);
  if (!receiver) return [];
  const sf = receiver.sourceFile;
  const target = receiver.messageAt(names);
  if (!target) return [];
  const bare = /^[A-Za-z_$][\w$]*$/.test(target);
  // Every use of the member in the handler must be a call: `msg.transform(x)`.
  const calls: ts.CallExpression[] = [];
  let otherUse = false;
  const visit = (n: ts.Node): void => {
    // A destructured member (`({ transform }) => transform(x)`) is a bare name; a property name is not a use of it.
    const isName = bare && ts.isIdentifier(n) && n.text === target && !(ts.isPropertyAccessExpression(n.parent) && n.parent.name === n) && !(ts.isPropertyAssignment(n.parent) && n.parent.name === n);
    if (isName || ((ts.isPropertyAccessExpression(n) || ts.isElementAccessExpression(n)) && n.getText(sf) === target)) {
      if (ts.isCallExpression(n.parent) && n.parent.expression === n) calls.push(n.parent);
      else otherUse = true;
      return;
    }
    ts.forEachChild(n, visit);
  };
  visit(receiver.body);
  if (calls.length === 0 || otherUse) return [];
  const registry = freeName(sf, `${member}Registry`);
  const key = fn.name && ts.isIdentifier(fn.name) ? fn.name.text : member;
  const fnText = fn.getText(ctx.sourceFile);
  const payload = rewriteMember(ctx.file, ctx.value.expr, ctx.segments, { kind: 'replace', with: () => `'${key}'` });
  if (!payload) return [];
  const edits: TextEdit[] = [...payload];
  for (const call of calls) edits.push(replaceNode(receiver.file, call.expression, `${registry}[${target}]`));
  const declaration = `// Functions cannot be posted: the message names one of these.\nconst ${registry} = {\n  ${propertyText(key)}: ${fnText},\n};\n`;
  const at = registryPosition(sf);
  edits.push(insertAt(receiver.file, sf, at, at === 0 ? `${declaration}\n` : `\n${declaration}`));
  return [
    {
      title: `Move \`${key}\` into a registry in ${path.basename(receiver.file)} and send its key \`'${key}'\` instead of the function`,
      id: 'move-function-to-worker-registry',
      preferred: false,
      edits,
    },
  ];
}

function propertyText(key: string): string {
  return /^[A-Za-z_$][\w$]*$/.test(key) ? key : JSON.stringify(key);
}

/** The function literal at the path, directly in the sent object literal. */
function functionAt(expr: ts.Expression, names: string[]): ts.ArrowFunction | ts.FunctionExpression | undefined {
  let e = skipOuter(expr);
  for (const n of names) {
    if (!ts.isObjectLiteralExpression(e)) return undefined;
    const prop = [...e.properties].reverse().find((p) => p.name && ts.isIdentifier(p.name) && p.name.text === n);
    if (!prop || !ts.isPropertyAssignment(prop)) return undefined;
    e = skipOuter(prop.initializer);
  }
  return ts.isArrowFunction(e) || ts.isFunctionExpression(e) ? e : undefined;
}

/** A function that reads nothing from the sender's scope (only its parameters, its own locals and globals) can move. */
function movable(fn: ts.FunctionLikeDeclaration, ctx: FixContext): boolean {
  let ok = true;
  const visit = (n: ts.Node): void => {
    if (!ok) return;
    if (n.kind === ts.SyntaxKind.ThisKeyword && !ts.isArrowFunction(fn)) return;
    if (n.kind === ts.SyntaxKind.ThisKeyword) ok = false;
    if (ts.isIdentifier(n) && !(ts.isPropertyAccessExpression(n.parent) && n.parent.name === n) && !(ts.isPropertyAssignment(n.parent) && n.parent.name === n)) {
      const decl = ctx.checker.getSymbolAtLocation(n)?.declarations?.[0];
      if (decl && decl.getSourceFile() === ctx.sourceFile && !(decl.pos >= fn.pos && decl.end <= fn.end)) ok = false;
    }
    ts.forEachChild(n, visit);
  };
  ts.forEachChild(fn, visit);
  return ok;
}

function freeName(sf: ts.SourceFile, base: string): string {
  let name = base;
  for (let i = 2; new RegExp(`\\b${name}\\b`).test(sf.text); i++) name = `${base}${i}`;
  return name;
}

/** After the imports, or at the top after the file's header comments. */
function registryPosition(sf: ts.SourceFile): number {
  const imports = sf.statements.filter((s) => ts.isImportDeclaration(s) || (ts.isVariableStatement(s) && /\brequire\s*\(/.test(s.getText(sf))));
  if (imports.length) return sf.text.indexOf('\n', imports[imports.length - 1].getEnd()) + 1 || sf.text.length;
  const first = sf.statements[0];
  return first ? sf.text.lastIndexOf('\n', first.getStart(sf)) + 1 : 0;
}

/**
 * no-function on the classes held by a collection (a registry `Map<string, Ctor>`, an array of
 * classes) sent whole: send the class names instead, the same keys with `C.name` as values; the
 * other side looks each class up by name in its own registry. The collection must be the last
 * named member of the path (`registry<value>`, `msg.parsers[i]`), and its values classes.
 */
export function sendClassNames(ctx: FixContext): Fix[] {
  const facts = ctx.facts;
  if (facts.type.getConstructSignatures().length === 0 || facts.type.getCallSignatures().length > 0) return [];
  const last = ctx.segments[ctx.segments.length - 1];
  const prefix = ctx.segments.slice(0, -1);
  if (!last || last.kind !== 'element' || prefix.some((s) => s.kind !== 'property')) return [];
  let form: ((t: string) => string) | undefined;
  if (last.text === '<value>') form = (t) => `new Map([...${t}].map(([key, Class]) => [key, Class.name]))`;
  else if (/^\[[^\]]*\]$/.test(last.text)) form = (t) => `${t}.map((Class) => Class.name)`;
  if (!form) return [];
  let holder = '';
  const edits = rewriteMember(ctx.file, ctx.value.expr, prefix, { kind: 'replace', with: (t) => ((holder = t), form!(/^[\w$.]+$/.test(t) ? t : `(${t})`)) });
  if (!edits || !/^[\w$.]+$/.test(holder)) return [];
  return [
    {
      title: `Send the class names (\`Class.name\`) held by \`${holder}\` instead of the classes; the receiving side looks each class up by name in a registry of its own`,
      id: 'send-class-names',
      preferred: false,
      edits,
    },
  ];
}
