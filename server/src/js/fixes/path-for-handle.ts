import * as ts from 'typescript';
import type { Fix, TextEdit } from '../../engine/types';
import { originOf } from '../origin';
import { type FixContext, isReevaluable, skipOuter } from './context';
import { indentAt, indentUnit, insertAt } from './edits';
import { memberReference, rewriteMember } from './payload';
import { importBinding } from './imports';
import { findReceiver, type Receiver, workerScriptOf } from './receiver';

// Pass the path instead of the handle: a FileHandle, file stream or socket opened from a path or
// an address in this file is sent as that path or address; when the worker's handler is in the
// workspace, it opens the resource itself.

interface Opener {
  /** What is sent instead: the path, or `{ port, host }`. */
  what: 'path' | 'address';
  text: string;
  /** Module and function that reopen it on the other side, `await`ed when it returns a promise. */
  module: string;
  fn: string;
  awaited: boolean;
}

const openers: Record<string, { module: string; what: 'path' | 'address'; awaited: boolean }> = {
  'fs/promises.open': { module: 'node:fs/promises', what: 'path', awaited: true },
  'fs.createReadStream': { module: 'node:fs', what: 'path', awaited: false },
  'fs.createWriteStream': { module: 'node:fs', what: 'path', awaited: false },
  'net.connect': { module: 'node:net', what: 'address', awaited: false },
  'net.createConnection': { module: 'node:net', what: 'address', awaited: false },
};

export function passPathInsteadOfHandle(ctx: FixContext): Fix[] {
  const ref = memberReference(ctx.value.expr, ctx.segments);
  if (!ref || !/^[A-Za-z_$][\w$]*$/.test(ref)) return [];
  const opener = openerOf(ctx, ref);
  if (!opener) return [];
  const edits = rewriteMember(ctx.file, ctx.value.expr, ctx.segments, { kind: 'replace', with: () => opener.text });
  if (!edits) return [];
  const receiver = receiverEdits(ctx, opener);
  const kind = ctx.facts.name || 'handle';
  const title = `Send the ${opener.what} \`${opener.text}\` instead of the ${kind} \`${ref}\`${receiver ? `; open it with \`${receiver.opener}()\` in ${receiver.file.split(/[\\/]/).pop()}` : ' (open it on the other side)'}`;
  return [{ title, id: 'pass-path-instead-of-handle', preferred: false, edits: [...edits, ...(receiver?.edits ?? [])] }];
}

/** The call that opened the variable `name`: `await open(p)`, `createReadStream(p)`, `net.connect(port, host)`. */
function openerOf(ctx: FixContext, name: string): Opener | undefined {
  const { checker, program } = ctx;
  const id = findIdentifier(ctx.value.expr, name);
  const sym = id && (ts.isShorthandPropertyAssignment(id.parent) ? checker.getShorthandAssignmentValueSymbol(id.parent) : checker.getSymbolAtLocation(id));
  const decl = sym?.valueDeclaration;
  if (!decl || !ts.isVariableDeclaration(decl) || !decl.initializer || decl.getSourceFile() !== ctx.sourceFile) return undefined;
  let init = skipOuter(decl.initializer);
  if (ts.isAwaitExpression(init)) init = skipOuter(init.expression);
  if (!ts.isCallExpression(init)) return undefined;
  let sig: ts.Signature | undefined;
  try {
    sig = checker.getResolvedSignature(init);
  } catch {
    return undefined;
  }
  const o = sig?.declaration ? originOf(program, sig.declaration) : undefined;
  if (!o) return undefined;
  const module = o.module.replace(/^node:/, '');
  const key = `${module === 'fs' && o.container === 'promises' ? 'fs/promises' : module}.${o.name}`;
  const known = openers[key];
  if (!known) return undefined;
  const args = init.arguments.map(skipOuter);
  const sf = ctx.sourceFile;
  // The path or address must be plain data, written again where the value is sent.
  const plain = (e: ts.Expression) => ts.isStringLiteralLike(e) || ts.isNumericLiteral(e) || (isReevaluable(e) && !(checker.getTypeAtLocation(e).flags & ts.TypeFlags.Object));
  if (known.what === 'path') {
    if (!args[0] || !plain(args[0]) || !(checker.getTypeAtLocation(args[0]).flags & ts.TypeFlags.StringLike)) return undefined;
    if (args[0].getStart(sf) > ctx.sink.call.getStart(sf) && !ts.isStringLiteralLike(args[0])) return undefined;
    return { what: 'path', text: args[0].getText(sf), module: known.module, fn: o.name, awaited: known.awaited };
  }
  if (!args[0] || args.length > 2 || !args.every(plain)) return undefined;
  if (!(checker.getTypeAtLocation(args[0]).flags & (ts.TypeFlags.NumberLike | ts.TypeFlags.StringLike))) return undefined;
  const field = (key: string, e: ts.Expression) => (ts.isIdentifier(e) && e.text === key ? key : `${key}: ${e.getText(sf)}`);
  const text = args.length === 2 ? `{ ${field('port', args[0])}, ${field('host', args[1])} }` : `{ ${field('port', args[0])} }`;
  return { what: 'address', text, module: known.module, fn: o.name, awaited: false };
}

function findIdentifier(root: ts.Node, name: string): ts.Identifier | undefined {
  let found: ts.Identifier | undefined;
  const visit = (n: ts.Node): void => {
    if (found) return;
    if (ts.isIdentifier(n) && n.text === name && !(ts.isPropertyAccessExpression(n.parent) && n.parent.name === n) && !(ts.isPropertyAssignment(n.parent) && n.parent.name === n)) found = n;
    else ts.forEachChild(n, visit);
  };
  visit(root);
  return found;
}

/** `msg.handle = await open(msg.handle);` first in the worker's message handler (made async when needed). */
function receiverEdits(ctx: FixContext, opener: Opener): { file: string; edits: TextEdit[]; opener: string } | undefined {
  if (ctx.segments.length === 0) return undefined;
  const script = workerScriptOf(ctx.sink.call, ctx.checker, ctx.file);
  const receiver = script && findReceiver(script, ctx.sourceFile, ctx.host);
  if (!receiver || !receiver.handler || !ts.isBlock(receiver.handler.body)) return undefined;
  const binding = importedName(receiver, opener);
  if (!binding) return undefined;
  const target = receiver.messageAt(ctx.segments.map((s) => (s as { name: string }).name));
  if (!target) return undefined;
  const sf = receiver.sourceFile;
  const h = receiver.handler;
  const isAsync = h.modifiers?.some((m) => m.kind === ts.SyntaxKind.AsyncKeyword) ?? false;
  const edits = [...binding.edits];
  if (opener.awaited && !isAsync) edits.push(insertAt(receiver.file, sf, h.getStart(sf), 'async '));
  const statement = `${target} = ${opener.awaited ? 'await ' : ''}${binding.name}(${target});`;
  const body = h.body as ts.Block;
  const first = body.statements[0];
  if (first) edits.push(insertAt(receiver.file, sf, first.getStart(sf), `${statement}\n${indentAt(sf, first.getStart(sf))}`));
  else edits.push(insertAt(receiver.file, sf, body.getStart(sf) + 1, `\n${indentAt(sf, h.getStart(sf))}${indentUnit(sf)}${statement}`));
  return { file: receiver.file, edits, opener: binding.name };
}

/** The receiver's name for the opener, importing it when the file does not yet. */
function importedName(receiver: Receiver, opener: Opener): { name: string; edits: TextEdit[] } | undefined {
  const sf = receiver.sourceFile;
  const bare = opener.module.replace(/^node:/, '');
  let last: ts.ImportDeclaration | undefined;
  for (const st of sf.statements) {
    if (!ts.isImportDeclaration(st) || !ts.isStringLiteral(st.moduleSpecifier)) continue;
    last = st;
    if (st.moduleSpecifier.text.replace(/^node:/, '') !== bare) continue;
    const b = st.importClause?.namedBindings;
    if (b && ts.isNamespaceImport(b)) return { name: `${b.name.text}.${opener.fn}`, edits: [] };
    const el = b && ts.isNamedImports(b) ? b.elements.find((e) => (e.propertyName ?? e.name).text === opener.fn) : undefined;
    if (el) return { name: el.name.text, edits: [] };
  }
  if (!last || new RegExp(`\\b${opener.fn}\\b`).test(sf.text)) return undefined;
  return { name: opener.fn, edits: [insertAt(receiver.file, sf, last.getEnd(), `\nimport { ${opener.fn} } from '${opener.module}';`)] };
}

/** electron-main-dom-object on a File: send its path on disk (`webUtils.getPathForFile`), which the main process opens itself. */
export function sendPathForFile(ctx: FixContext): Fix[] {
  if (!ctx.facts.fromLibrary || ctx.facts.name !== 'File') return [];
  // Only where the file already talks to Electron (a preload, a renderer with node integration).
  if (!ctx.sourceFile.statements.some((s) => /\bfrom\s+['"]electron(\/renderer)?['"]|require\(\s*['"]electron(\/renderer)?['"]\s*\)/.test(s.getText(ctx.sourceFile)))) return [];
  const binding = importBinding(ctx.sourceFile, ctx.file, ['electron', 'electron/renderer'], 'webUtils');
  if (!binding) return [];
  let sent = '';
  const edits = rewriteMember(ctx.file, ctx.value.expr, ctx.segments, { kind: 'replace', with: (t) => (sent = `${binding.callee}.getPathForFile(${t})`) });
  if (!edits || sent.length > 80) return [];
  return [{ title: `Send the file's path \`${sent}\` instead of the File (the main process reads it)`, id: 'pass-path-instead-of-handle', preferred: false, edits: [...edits, ...binding.edits] }];
}
