import * as path from 'node:path';
import * as ts from 'typescript';
import type { SourceHost, TextEdit } from '../../engine/types';
import { accessText, skipOuter } from './context';
import { indentAt, indentUnit, insertAt, spanRange } from './edits';

// The receiving side of a send, when it is in the workspace: the worker file a `new Worker(...)`
// names, and its one message handler (`parentPort.on('message', ...)`, `self.onmessage`,
// `addEventListener('message', ...)`). Only read, never run.

export interface Receiver {
  file: string;
  sourceFile: ts.SourceFile;
  handler: ts.ArrowFunction | ts.FunctionExpression;
  /** A DOM-style handler (`self.onmessage`, `addEventListener('message', ...)`): the message is the event's `data`. */
  dom: boolean;
  /**
   * How the handler's body names the message member at `names` (`msg.shape`, `e.data.shape`, or
   * `shape` for `({ shape }) => ...`); undefined when its parameter does not bind that member.
   */
  messageAt(names: readonly string[]): string | undefined;
}

/** The worker script that `worker` (the receiver of `worker.postMessage`) was started from. */
export function workerScriptOf(call: ts.CallExpression | ts.NewExpression, checker: ts.TypeChecker, file: string): string | undefined {
  if (!ts.isCallExpression(call) || !ts.isPropertyAccessExpression(call.expression)) return undefined;
  let e = skipOuter(call.expression.expression);
  for (let hops = 0; hops < 3 && ts.isIdentifier(e); hops++) {
    const decl = checker.getSymbolAtLocation(e)?.valueDeclaration;
    if (!decl || !ts.isVariableDeclaration(decl) || !decl.initializer) return undefined;
    e = skipOuter(decl.initializer);
  }
  if (!ts.isNewExpression(e) || !ts.isIdentifier(e.expression) || e.expression.text !== 'Worker') return undefined;
  const arg = e.arguments?.[0];
  const options = e.arguments?.[1];
  if (!arg) return undefined;
  if (options && ts.isObjectLiteralExpression(skipOuter(options)) && (skipOuter(options) as ts.ObjectLiteralExpression).properties.some((p) => p.name?.getText() === 'eval')) return undefined;
  return scriptPath(skipOuter(arg), file);
}

function isImportMetaUrl(e: ts.Expression): boolean {
  return ts.isPropertyAccessExpression(e) && e.name.text === 'url' && ts.isMetaProperty(e.expression);
}

function scriptPath(e: ts.Expression, file: string): string | undefined {
  const dir = path.dirname(file);
  if (isImportMetaUrl(e) || (ts.isIdentifier(e) && e.text === '__filename')) return file;
  if (ts.isNewExpression(e) && ts.isIdentifier(e.expression) && e.expression.text === 'URL' && e.arguments?.length) {
    const [first, second] = e.arguments;
    if (e.arguments.length === 1 && isImportMetaUrl(skipOuter(first))) return file;
    if (second && isImportMetaUrl(skipOuter(second)) && ts.isStringLiteralLike(first)) return path.resolve(dir, first.text);
    return undefined;
  }
  if (ts.isCallExpression(e)) {
    const callee = e.expression.getText();
    const args = e.arguments.map(skipOuter);
    if (/^(fileURLToPath|url\.fileURLToPath)$/.test(callee) && args[0]) return scriptPath(args[0], file);
    if (/^(path\.)?(join|resolve)$/.test(callee) && args.length === 2 && ts.isIdentifier(args[0]) && args[0].text === '__dirname' && ts.isStringLiteralLike(args[1])) return path.resolve(dir, args[1].text);
    return undefined;
  }
  if (ts.isStringLiteralLike(e) && /^\.\.?\//.test(e.text)) return path.resolve(dir, e.text);
  return undefined;
}

/**
 * The single message handler of a worker file: `parentPort.on/once/addListener('message', (msg) => ...)`,
 * or DOM-style `self.onmessage = (e) => ...` / `addEventListener('message', (e) => ...)`.
 */
export function findReceiver(script: string, here: ts.SourceFile, host: SourceHost): Receiver | undefined {
  let sf: ts.SourceFile;
  if (path.resolve(here.fileName) === script) sf = here;
  else {
    const text = host.readFile(script);
    if (text === undefined) return undefined;
    sf = ts.createSourceFile(script, text, ts.ScriptTarget.Latest, true, /\.[mc]?tsx?$/.test(script) ? ts.ScriptKind.TS : ts.ScriptKind.JS);
  }
  const found: (Receiver | undefined)[] = [];
  // A MessageEvent's `data` is a getter: `e.data = ...` cannot replace the whole message, `e.data.shape = ...` can.
  const add = (handler: ts.Expression, dom: boolean): void => {
    const h = skipOuter(handler);
    if (!ts.isArrowFunction(h) && !ts.isFunctionExpression(h)) return void found.push(undefined);
    const p = h.parameters[0];
    found.push(p && !p.dotDotDotToken && !p.initializer ? { file: script, sourceFile: sf, handler: h, dom, messageAt: (names) => (dom && names.length === 0 && ts.isIdentifier(p.name) ? undefined : bound(p.name, dom ? ['data', ...names] : [...names])) } : undefined);
  };
  const visit = (n: ts.Node): void => {
    if (ts.isCallExpression(n) && ts.isPropertyAccessExpression(n.expression) && /^(on|once|addListener)$/.test(n.expression.name.text)) {
      const [event, handler] = n.arguments;
      if (namedTarget(n.expression.expression) === 'parentPort' && event && ts.isStringLiteralLike(event) && event.text === 'message' && handler) add(handler, false);
    }
    if (ts.isCallExpression(n) && n.arguments.length >= 2 && ts.isStringLiteralLike(n.arguments[0]) && n.arguments[0].text === 'message') {
      const callee = skipOuter(n.expression);
      const global = ts.isIdentifier(callee) ? callee.text === 'addEventListener' : ts.isPropertyAccessExpression(callee) && callee.name.text === 'addEventListener' && isWorkerGlobal(callee.expression);
      if (global) add(n.arguments[1], true);
    }
    if (ts.isBinaryExpression(n) && n.operatorToken.kind === ts.SyntaxKind.EqualsToken) {
      const left = skipOuter(n.left);
      const named = ts.isIdentifier(left) ? left.text === 'onmessage' : ts.isPropertyAccessExpression(left) && left.name.text === 'onmessage' && isWorkerGlobal(left.expression);
      if (named) add(n.right, true);
    }
    ts.forEachChild(n, visit);
  };
  visit(sf);
  return found.length === 1 ? found[0] : undefined;
}

function namedTarget(e: ts.Expression): string {
  const target = skipOuter(e);
  return ts.isIdentifier(target) ? target.text : ts.isPropertyAccessExpression(target) ? target.name.text : '';
}

function isWorkerGlobal(e: ts.Expression): boolean {
  const t = skipOuter(e);
  return ts.isIdentifier(t) && (t.text === 'self' || t.text === 'globalThis');
}

/** The expression for the member at `names` of the value bound to `name` (an identifier or a destructuring pattern). */
function bound(name: ts.BindingName, names: readonly string[]): string | undefined {
  if (ts.isIdentifier(name)) return names.reduce((base, n) => accessText(base, n), name.text);
  if (!ts.isObjectBindingPattern(name) || names.length === 0) return undefined;
  const [first, ...rest] = names;
  for (const el of name.elements) {
    if (el.dotDotDotToken) continue;
    const key = el.propertyName ?? el.name;
    const text = ts.isIdentifier(key) || ts.isStringLiteral(key) ? key.text : undefined;
    // A default value would stand in for a missing member: the other side's code then differs.
    if (text === first) return el.initializer ? undefined : bound(el.name, rest);
  }
  const restElement = name.elements.find((el) => el.dotDotDotToken);
  return restElement ? bound(restElement.name, names) : undefined;
}

/** Puts `statement` first in the handler's body (a concise arrow body becomes a block returning it). */
export function handlerPrologue(receiver: Receiver, statement: string): TextEdit {
  const sf = receiver.sourceFile;
  const h = receiver.handler;
  if (ts.isBlock(h.body)) {
    const first = h.body.statements[0];
    const ind = first ? indentAt(sf, first.getStart(sf)) : indentAt(sf, h.getStart(sf)) + indentUnit(sf);
    if (first) return insertAt(receiver.file, sf, first.getStart(sf), `${statement}\n${ind}`);
    return insertAt(receiver.file, sf, h.body.getStart(sf) + 1, `\n${ind}${statement}\n${indentAt(sf, h.getStart(sf))}`);
  }
  const outer = indentAt(sf, h.getStart(sf));
  const ind = outer + indentUnit(sf);
  return { file: receiver.file, range: spanRange(sf, h.body.getStart(sf), h.body.getEnd()), newText: `{\n${ind}${statement}\n${ind}return ${h.body.getText(sf)};\n${outer}}` };
}

/** The receiving side of a `worker.postMessage(...)` found in the workspace, if there is exactly one handler. */
export function receiverOfSend(call: ts.CallExpression | ts.NewExpression, checker: ts.TypeChecker, file: string, here: ts.SourceFile, host: SourceHost): Receiver | undefined {
  const script = workerScriptOf(call, checker, file);
  return script ? findReceiver(script, here, host) : undefined;
}
