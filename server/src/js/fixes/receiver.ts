import * as path from 'node:path';
import * as ts from 'typescript';
import type { SourceHost, TextEdit } from '../../engine/types';
import type { DerivedSink } from '../summaries';
import { accessText, type FixContext, skipOuter } from './context';
import { indentAt, indentUnit, insertAt, spanRange } from './edits';

// The receiving side of a send, when it is in the workspace: the worker file a `new Worker(...)`
// names, and its one message handler (`parentPort.on('message', ...)`, `self.onmessage`,
// `addEventListener('message', ...)`); or, in the sender's own file, the other end of the
// channel: the other port of a MessageChannel (its handler, or `receiveMessageOnPort(port)`),
// another `BroadcastChannel` of the same name, the Worker a `parentPort` answers. Only read, never run.

export interface Receiver {
  file: string;
  sourceFile: ts.SourceFile;
  /** The message handler; undefined for a synchronous receive (`receiveMessageOnPort(port).message`). */
  handler?: ts.ArrowFunction | ts.FunctionExpression;
  /** The code that reads the message: the handler's body, or the block around a synchronous receive. */
  body: ts.Node;
  /** A synchronous receive: the statement that binds the message; what reads it comes after. */
  binding?: ts.Statement;
  /** In a fix's title: "the worker's message handler", "the message handler of `other`". */
  who: string;
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
    found.push(handlerReceiver(script, sf, h, dom, "the worker's message handler"));
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

/** A receiver whose handler's first parameter is the message (or, `dom`, the event whose `data` it is). */
function handlerReceiver(file: string, sf: ts.SourceFile, h: ts.ArrowFunction | ts.FunctionExpression, dom: boolean, who: string): Receiver | undefined {
  const p = h.parameters[0];
  if (!p || p.dotDotDotToken || p.initializer) return undefined;
  return { file, sourceFile: sf, handler: h, body: h.body, dom, who, messageAt: (names) => (dom && names.length === 0 && ts.isIdentifier(p.name) ? undefined : bound(p.name, dom ? ['data', ...names] : [...names])) };
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
  if (!h) {
    // After the statement that receives the message, before anything reads it.
    const at = receiver.binding!;
    return insertAt(receiver.file, sf, at.getEnd(), `\n${indentAt(sf, at.getStart(sf))}${statement}`);
  }
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

/** The receiving side of a `postMessage(...)` found in the workspace, if there is exactly one handler. */
export function receiverOfSend(call: ts.CallExpression | ts.NewExpression, checker: ts.TypeChecker, file: string, here: ts.SourceFile, host: SourceHost): Receiver | undefined {
  const script = workerScriptOf(call, checker, file);
  return script ? findReceiver(script, here, host) : peerReceiver(call, checker, file, here);
}

/**
 * Where the finding's value is read on the other side: the receiver of the send (of the real sink,
 * when the value goes through a wrapper that puts its parameter into the message as it is or as a
 * member of an object literal), and the expression there for the member at `names` below the value.
 * Undefined when the receiving side was not found in the workspace.
 */
export function receivingSide(ctx: FixContext, names: readonly string[]): { receiver: Receiver; target: string | undefined } | undefined {
  let call = ctx.sink.call;
  let at = [...names];
  const derived = (ctx.sink as Partial<DerivedSink>).derived;
  if (derived) {
    const through = derived.params[ctx.sink.values.indexOf(ctx.value)];
    const real = through?.reach.sink;
    const param = through && derived.fn.parameters[through.index];
    if (!real || !param || through.reach.chain.length !== 1 || !ts.isIdentifier(param.name) || real.values.length !== 1) return undefined;
    const symbol = ctx.checker.getSymbolAtLocation(param.name);
    const prefix = symbol && pathOfParameter(real.values[0].expr, symbol, ctx.checker);
    if (!prefix) return undefined;
    call = real.call;
    at = [...prefix, ...names];
  } else if (ctx.sink.values.length !== 1) return undefined;
  const sf = call.getSourceFile();
  const receiver = receiverOfSend(call, ctx.checker, sf === ctx.sourceFile ? ctx.file : path.resolve(sf.fileName), sf, ctx.host);
  return receiver && { receiver, target: receiver.messageAt(at) };
}

/** Where the parameter sits in a message written as an object literal (`{ type, session }` → `session`). */
function pathOfParameter(expr: ts.Expression, param: ts.Symbol, checker: ts.TypeChecker): string[] | undefined {
  const e = skipOuter(expr);
  if (ts.isIdentifier(e)) return checker.getSymbolAtLocation(e) === param ? [] : undefined;
  if (!ts.isObjectLiteralExpression(e)) return undefined;
  for (const p of e.properties) {
    const key = p.name && (ts.isIdentifier(p.name) || ts.isStringLiteral(p.name)) ? p.name.text : undefined;
    if (!key) continue;
    if (ts.isShorthandPropertyAssignment(p) && checker.getShorthandAssignmentValueSymbol(p) === param) return [key];
    if (ts.isPropertyAssignment(p)) {
      const inner = pathOfParameter(p.initializer, param, checker);
      if (inner) return [key, ...inner];
    }
  }
  return undefined;
}

/**
 * The other end of a channel whose both ends are in the sender's file: the other port of a
 * `new MessageChannel()`, the other `new BroadcastChannel(name)`s of the same name (a channel does
 * not receive its own messages), the Worker a `parentPort` of the same file answers. Its one
 * message handler, or its one `receiveMessageOnPort(port).message`.
 */
function peerReceiver(call: ts.CallExpression | ts.NewExpression, checker: ts.TypeChecker, file: string, sf: ts.SourceFile): Receiver | undefined {
  if (!ts.isCallExpression(call) || !ts.isPropertyAccessExpression(call.expression) || call.expression.name.text !== 'postMessage') return undefined;
  const isPeer = peersOf(skipOuter(call.expression.expression), checker, sf);
  if (!isPeer) return undefined;
  const found: (Receiver | undefined)[] = [];
  const visit = (n: ts.Node): void => {
    if (ts.isCallExpression(n) && ts.isPropertyAccessExpression(n.expression) && isPeer(n.expression.expression)) {
      const method = n.expression.name.text;
      const [event, handler] = n.arguments;
      if (event && handler && ts.isStringLiteralLike(event) && event.text === 'message') {
        const h = skipOuter(handler);
        const who = `the message handler of \`${n.expression.expression.getText(sf)}\``;
        if (/^(on|once|addListener)$/.test(method)) found.push(ts.isArrowFunction(h) || ts.isFunctionExpression(h) ? handlerReceiver(file, sf, h, false, who) : undefined);
        else if (method === 'addEventListener') found.push(ts.isArrowFunction(h) || ts.isFunctionExpression(h) ? handlerReceiver(file, sf, h, true, who) : undefined);
      }
    }
    if (ts.isBinaryExpression(n) && n.operatorToken.kind === ts.SyntaxKind.EqualsToken) {
      const left = skipOuter(n.left);
      if (ts.isPropertyAccessExpression(left) && left.name.text === 'onmessage' && isPeer(left.expression)) {
        const h = skipOuter(n.right);
        found.push(ts.isArrowFunction(h) || ts.isFunctionExpression(h) ? handlerReceiver(file, sf, h, true, `the message handler of \`${left.expression.getText(sf)}\``) : undefined);
      }
    }
    if (ts.isCallExpression(n) && ts.isIdentifier(n.expression) && n.expression.text === 'receiveMessageOnPort' && n.arguments[0] && isPeer(n.arguments[0])) found.push(syncReceiver(n, file, sf));
    ts.forEachChild(n, visit);
  };
  visit(sf);
  return found.length === 1 ? found[0] : undefined;
}

/** A test for the expressions that name the other end(s) of the channel `sender` posts on. */
function peersOf(sender: ts.Expression, checker: ts.TypeChecker, sf: ts.SourceFile): ((e: ts.Expression) => boolean) | undefined {
  const symbolOf = (e: ts.Expression) => {
    const x = skipOuter(e);
    return ts.isIdentifier(x) ? checker.getSymbolAtLocation(x) : undefined;
  };
  // `channel.port1` → `channel.port2`
  if (ts.isPropertyAccessExpression(sender) && /^port[12]$/.test(sender.name.text)) {
    const channel = symbolOf(sender.expression);
    const decl = channel?.valueDeclaration;
    if (!decl || !ts.isVariableDeclaration(decl) || !decl.initializer || !isNew(decl.initializer, 'MessageChannel')) return undefined;
    const other = sender.name.text === 'port1' ? 'port2' : 'port1';
    return (e) => {
      const x = skipOuter(e);
      return ts.isPropertyAccessExpression(x) && x.name.text === other && symbolOf(x.expression) === channel;
    };
  }
  const symbol = symbolOf(sender);
  // A destructured `require` (`const { parentPort } = require(...)`) is an alias without a value declaration.
  const decl = symbol?.valueDeclaration ?? symbol?.declarations?.[0];
  if (!symbol || !decl) return undefined;
  // `const { port1, port2 } = new MessageChannel()`
  if (ts.isBindingElement(decl) && ts.isObjectBindingPattern(decl.parent) && ts.isVariableDeclaration(decl.parent.parent) && decl.parent.parent.initializer && isNew(decl.parent.parent.initializer, 'MessageChannel')) {
    const key = (el: ts.BindingElement) => ((el.propertyName ?? el.name) as ts.Identifier).text;
    const mine = key(decl);
    if (!/^port[12]$/.test(mine)) return undefined;
    const otherEl = decl.parent.elements.find((el) => ts.isIdentifier(el.name) && key(el) === (mine === 'port1' ? 'port2' : 'port1'));
    const other = otherEl && checker.getSymbolAtLocation(otherEl.name);
    return other ? (e) => symbolOf(e) === other : undefined;
  }
  if (!ts.isVariableDeclaration(decl) || !decl.initializer) {
    // `parentPort.postMessage` answers the `new Worker(__filename)` of the same file.
    if (ts.isIdentifier(sender) && sender.text === 'parentPort') {
      const workers = new Set<ts.Symbol>();
      const find = (n: ts.Node): void => {
        if (ts.isVariableDeclaration(n) && ts.isIdentifier(n.name) && n.initializer && isNew(n.initializer, 'Worker')) {
          const arg = (skipOuter(n.initializer) as ts.NewExpression).arguments?.[0];
          const self = arg && skipOuter(arg);
          const own = self && ((ts.isIdentifier(self) && self.text === '__filename') || (ts.isPropertyAccessExpression(self) && self.name.text === 'url' && ts.isMetaProperty(self.expression)) || (ts.isNewExpression(self) && self.arguments?.length === 1 && ts.isPropertyAccessExpression(skipOuter(self.arguments[0])) && ts.isMetaProperty((skipOuter(self.arguments[0]) as ts.PropertyAccessExpression).expression)));
          const s = own ? checker.getSymbolAtLocation(n.name) : undefined;
          if (s) workers.add(s);
        }
        ts.forEachChild(n, find);
      };
      find(sf);
      return workers.size === 1 ? (e) => !!symbolOf(e) && workers.has(symbolOf(e)!) : undefined;
    }
    return undefined;
  }
  // `new BroadcastChannel('auth')`: every other channel of that name in the file.
  const name = broadcastName(decl.initializer);
  if (name === undefined) return undefined;
  const others = new Set<ts.Symbol>();
  const find = (n: ts.Node): void => {
    if (ts.isVariableDeclaration(n) && ts.isIdentifier(n.name) && n.initializer && broadcastName(n.initializer) === name) {
      const s = checker.getSymbolAtLocation(n.name);
      if (s && s !== symbol) others.add(s);
    }
    ts.forEachChild(n, find);
  };
  find(sf);
  return others.size ? (e) => !!symbolOf(e) && others.has(symbolOf(e)!) : undefined;
}

function isNew(e: ts.Expression, name: string): boolean {
  const x = skipOuter(e);
  return ts.isNewExpression(x) && ts.isIdentifier(x.expression) && x.expression.text === name;
}

function broadcastName(e: ts.Expression): string | undefined {
  const x = skipOuter(e);
  if (!isNew(x, 'BroadcastChannel')) return undefined;
  const arg = (x as ts.NewExpression).arguments?.[0];
  return arg && ts.isStringLiteralLike(arg) ? arg.text : undefined;
}

/** `const msg = receiveMessageOnPort(port).message` (or `?.message`, or `const { message: msg } = ...`). */
function syncReceiver(call: ts.CallExpression, file: string, sf: ts.SourceFile): Receiver | undefined {
  let decl: ts.VariableDeclaration | undefined;
  let name: string | undefined;
  const parent = call.parent;
  if (ts.isPropertyAccessExpression(parent) && parent.name.text === 'message' && ts.isVariableDeclaration(parent.parent) && ts.isIdentifier(parent.parent.name)) {
    decl = parent.parent;
    name = (decl.name as ts.Identifier).text;
  } else if (ts.isVariableDeclaration(parent) && ts.isObjectBindingPattern(parent.name)) {
    const el = parent.name.elements.find((e) => ((e.propertyName ?? e.name) as ts.Identifier).text === 'message');
    if (el && ts.isIdentifier(el.name) && !el.initializer) {
      decl = parent;
      name = el.name.text;
    }
  }
  const statement = decl?.parent?.parent;
  if (!decl || !name || !statement || !ts.isVariableStatement(statement) || !statement.parent) return undefined;
  const constant = (statement.declarationList.flags & ts.NodeFlags.Const) !== 0;
  const root = name;
  // A `const` binding cannot be replaced; its members can.
  return { file, sourceFile: sf, body: statement.parent, binding: statement, dom: false, who: `the code after \`${call.getText(sf)}\``, messageAt: (names) => (names.length === 0 && constant ? undefined : names.reduce((base, n) => accessText(base, n), root)) };
}
