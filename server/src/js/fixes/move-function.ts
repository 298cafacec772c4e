import * as ts from 'typescript';
import type { Fix, TextEdit } from '../../engine/types';
import type { FixContext } from './context';
import { insertAt } from './edits';
import { rewriteMember } from './payload';
import { receiverOfSend } from './receiver';

// Move the function out of the message: a function cannot be cloned, so either it stays on this
// side (removed from the payload), or, with comlink, it crosses as a proxy the other side calls back.

/** The payload without the function (or without the collection of functions that holds it). */
export function removeFunctionFromMessage(ctx: FixContext): Fix[] {
  const firstElement = ctx.segments.findIndex((s) => s.kind === 'element');
  const segments = firstElement < 0 ? ctx.segments : ctx.segments.slice(0, firstElement);
  if (segments.length === 0) return [];
  const edits = rewriteMember(ctx.file, ctx.value.expr, segments, { kind: 'remove' });
  if (!edits) return [];
  const name = (segments[segments.length - 1] as { name: string }).name;
  const what = firstElement < 0 ? `the function \`${name}\`` : `\`${name}\`, which holds functions,`;
  return [{ title: `Remove ${what} from the message sent by ${ctx.sink.api} (${receivingSideNote(ctx, segments.map((s) => (s as { name: string }).name))})`, id: 'remove-function-from-message', preferred: false, edits }];
}

/**
 * What removing the member means for the other side: whether the worker's message handler (when it
 * is in the workspace) reads it, or that the receiving side was not found and must be checked.
 */
function receivingSideNote(ctx: FixContext, names: string[]): string {
  if (!/\.(postMessage|send)$/.test(ctx.sink.api)) return 'it stays on this side';
  const receiver = receiverOfSend(ctx.sink.call, ctx.checker, ctx.file, ctx.sourceFile, ctx.host);
  if (!receiver) return 'it stays on this side; the receiving side was not found in the workspace: check that it does not call it';
  const target = receiver.messageAt(names);
  const body = receiver.handler.body.getText(receiver.sourceFile);
  if (target && !new RegExp(`(^|[^\\w$.])${target.replace(/[.$]/g, '\\$&')}(?![\\w$])`).test(body)) return "it stays on this side; the worker's message handler does not read it";
  return target ? `it stays on this side; the worker's message handler reads \`${target}\`, which will be missing there` : "it stays on this side; the worker's message handler takes the whole message: check that nothing there calls it";
}

/** `Comlink.proxy(fn)`: comlink's own way to pass a callback, which the other side calls back through a port. */
export function wrapWithComlinkProxy(ctx: FixContext): Fix[] {
  // Comlink only looks for proxies among the arguments themselves; one nested in an argument is cloned (and throws).
  if (ctx.sink.remote !== 'comlink' || ctx.segments.length > 0) return [];
  const imported = comlinkProxyName(ctx.sourceFile, ctx.file);
  if (!imported) return [];
  const edits = rewriteMember(ctx.file, ctx.value.expr, ctx.segments, { kind: 'replace', with: (text) => `${imported.callee}(${text})` });
  if (!edits) return [];
  const text = ctx.value.expr.getText(ctx.sourceFile);
  const index = /^args\[(\d+)\]$/.exec(ctx.value.label);
  const shown = /^[\w$.]+$/.test(text) ? `\`${text}\`` : index ? `argument ${Number(index[1]) + 1} of \`${ctx.sink.api}\`` : 'the callback';
  return [{ title: `Wrap ${shown} with \`${imported.callee}()\` so the worker calls it back through a port`, id: 'wrap-with-comlink-proxy', preferred: true, edits: [...edits, ...imported.edits] }];
}

/** How this file can call comlink's `proxy`: through its namespace import, a named import, or a new import. */
function comlinkProxyName(sf: ts.SourceFile, file: string): { callee: string; edits: TextEdit[] } | undefined {
  let lastImport: ts.ImportDeclaration | undefined;
  for (const st of sf.statements) {
    if (!ts.isImportDeclaration(st)) continue;
    lastImport = st;
    if (!ts.isStringLiteral(st.moduleSpecifier) || st.moduleSpecifier.text !== 'comlink') continue;
    const bindings = st.importClause?.namedBindings;
    if (!bindings || st.importClause?.isTypeOnly) continue;
    if (ts.isNamespaceImport(bindings)) return { callee: `${bindings.name.text}.proxy`, edits: [] };
    const named = bindings.elements.find((el) => (el.propertyName ?? el.name).text === 'proxy' && !el.isTypeOnly);
    if (named) return { callee: named.name.text, edits: [] };
    if (bindings.elements.length && !/\bproxy\b/.test(sf.text)) {
      const last = bindings.elements[bindings.elements.length - 1];
      return { callee: 'proxy', edits: [insertAt(file, sf, last.getEnd(), ', proxy')] };
    }
  }
  if (/\bproxy\b/.test(sf.text) || /\brequire\s*\(/.test(sf.text)) return undefined;
  const pos = lastImport ? lastImport.getEnd() : 0;
  return { callee: 'proxy', edits: [insertAt(file, sf, pos, lastImport ? `\nimport { proxy } from 'comlink';` : `import { proxy } from 'comlink';\n`)] };
}
