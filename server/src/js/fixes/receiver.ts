import * as path from 'node:path';
import * as ts from 'typescript';
import type { SourceHost } from '../../engine/types';
import { skipOuter } from './context';

// The receiving side of a send, when it is in the workspace: the worker file a `new Worker(...)`
// names, and its one `parentPort.on('message', (msg) => ...)` handler. Only read, never run.

export interface Receiver {
  file: string;
  sourceFile: ts.SourceFile;
  handler: ts.ArrowFunction | ts.FunctionExpression;
  /** The handler's parameter holding the message. */
  param: ts.Identifier;
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

/** The single `parentPort.on/once/addListener('message', (msg) => ...)` handler of a worker file. */
export function findReceiver(script: string, here: ts.SourceFile, host: SourceHost): Receiver | undefined {
  let sf: ts.SourceFile;
  if (path.resolve(here.fileName) === script) sf = here;
  else {
    const text = host.readFile(script);
    if (text === undefined) return undefined;
    sf = ts.createSourceFile(script, text, ts.ScriptTarget.Latest, true, /\.[mc]?tsx?$/.test(script) ? ts.ScriptKind.TS : ts.ScriptKind.JS);
  }
  const found: Receiver[] = [];
  const visit = (n: ts.Node): void => {
    if (ts.isCallExpression(n) && ts.isPropertyAccessExpression(n.expression) && /^(on|once|addListener)$/.test(n.expression.name.text)) {
      const target = skipOuter(n.expression.expression);
      const named = ts.isIdentifier(target) ? target.text : ts.isPropertyAccessExpression(target) ? target.name.text : '';
      const [event, handler] = n.arguments;
      if (named === 'parentPort' && event && ts.isStringLiteralLike(event) && event.text === 'message' && handler) {
        const h = skipOuter(handler);
        if (ts.isArrowFunction(h) || ts.isFunctionExpression(h)) {
          const p = h.parameters[0];
          found.push(p && ts.isIdentifier(p.name) ? { file: script, sourceFile: sf, handler: h, param: p.name } : (undefined as never));
        }
      }
    }
    ts.forEachChild(n, visit);
  };
  visit(sf);
  return found.length === 1 && found[0] ? found[0] : undefined;
}
