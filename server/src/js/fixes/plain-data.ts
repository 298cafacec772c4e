import * as ts from 'typescript';
import type { Fix } from '../../engine/types';
import { type FixContext, pathSegments, skipOuter } from './context';
import { rewriteMember } from './payload';
import type { SentValue } from '../sinks';

// Send the data form of a value the rule says cannot cross as it is: a URL's string, a Headers'
// entries, a Promise's result, a Proxy's plain copy. The other side receives a different type,
// so none of these is preferred.

const simple = /^[\w$.]+$|^new [\w$.]+\([^()]*\)$|^[\w$.]+\([^()]*\)$/;
export const wrap = (text: string) => (simple.test(text) ? text : `(${text})`);

const dataForms: Record<string, { form: (text: string) => string; what: string }> = {
  URL: { form: (t) => `${wrap(t)}.href`, what: 'its string' },
  URLSearchParams: { form: (t) => `${wrap(t)}.toString()`, what: 'its query string' },
  Headers: { form: (t) => `Object.fromEntries(${t})`, what: 'its entries as an object' },
  // Node copies both to `{}`: what crosses is whether it was aborted, not the ability to abort.
  AbortController: { form: (t) => `${wrap(t)}.signal.aborted`, what: 'whether it was aborted; a later abort does not reach the other side' },
  AbortSignal: { form: (t) => `${wrap(t)}.aborted`, what: 'whether it was aborted; a later abort does not reach the other side' },
  // no-uncloneable-builtin: the object a WeakRef points at is what the other side can use (undefined once collected).
  WeakRef: { form: (t) => `${wrap(t)}.deref()`, what: 'the object it refers to; the other side gets that object, not a WeakRef' },
};

/** platform-object: a URL → `.href`, URLSearchParams → `.toString()`, Headers → `Object.fromEntries(...)`. */
export function sendDataForm(ctx: FixContext): Fix[] {
  const data = ctx.facts.fromLibrary ? dataForms[ctx.facts.name] : undefined;
  if (!data) return [];
  let sent = '';
  const edits = rewriteMember(ctx.file, ctx.value.expr, ctx.segments, { kind: 'replace', with: (t) => (sent = data.form(t)) });
  if (!edits || sent.length > 70) return [];
  return [{ title: `Send \`${sent}\` (${data.what}) instead of the ${ctx.facts.name}`, id: 'send-data-form', preferred: false, edits }];
}

/** no-uncloneable-builtin on a Promise: await it where the send is, when that place can await. */
export function awaitPromise(ctx: FixContext): Fix[] {
  if (ctx.facts.name !== 'Promise' || !canAwait(ctx.sink.call)) return [];
  let sent = '';
  const edits = rewriteMember(ctx.file, ctx.value.expr, ctx.segments, { kind: 'replace', with: (t) => (sent = `await ${wrap(t)}`) });
  if (!edits || sent.length > 70) return [];
  return [{ title: `Send the result: \`${sent}\``, id: 'await-promise', preferred: false, edits }];
}

export function canAwait(node: ts.Node): boolean {
  for (let p: ts.Node | undefined = node.parent; p; p = p.parent) {
    if (ts.isFunctionLike(p)) return (ts.getCombinedModifierFlags(p as ts.Declaration) & ts.ModifierFlags.Async) !== 0;
    if (ts.isSourceFile(p)) return ts.isExternalModule(p) && !/\.c[jt]s$/.test(p.fileName);
  }
  return false;
}

/** A Proxy (reactive state) found in the message: send a plain copy, `[...files]` or `{ ...state }`. */
export function plainCopyOfProxy(value: SentValue, proxyPath: string, file: string, checker: ts.TypeChecker): Fix[] {
  const segments = pathSegments(proxyPath, /\s/.test(value.label) ? '' : value.label);
  if (!segments || segments.length > 1 || segments.some((s) => s.kind !== 'property')) return [];
  // The copy's shape follows the Proxy's target, whose type the Proxy has.
  const e = skipOuter(value.expr);
  let node: ts.Node | undefined = e;
  if (segments.length === 1) {
    const name = (segments[0] as { name: string }).name;
    const prop = ts.isObjectLiteralExpression(e) ? e.properties.find((p) => p.name && ts.isIdentifier(p.name) && p.name.text === name) : undefined;
    node = prop && (ts.isPropertyAssignment(prop) ? prop.initializer : ts.isShorthandPropertyAssignment(prop) ? prop.name : undefined);
  }
  if (!node) return [];
  const type = checker.getTypeAtLocation(node);
  const isArray = checker.isArrayType(type) || checker.isTupleType(type);
  if (!isArray && (type.getCallSignatures().length > 0 || !(type.flags & ts.TypeFlags.Object))) return [];
  let text = '';
  const edits = rewriteMember(file, value.expr, segments, { kind: 'replace', with: (t) => (text = isArray ? `[...${wrap(t)}]` : `{ ...${wrap(t)} }`) });
  if (!edits || text.length > 70) return [];
  return [{ title: `Send a plain copy \`${text}\` instead of the Proxy`, id: 'send-plain-copy', preferred: false, edits }];
}

/** no-uncloneable-builtin on an Intl formatter: send its resolved locale and options, from which the other side builds its own. */
export function sendIntlOptions(ctx: FixContext): Fix[] {
  const o = ctx.facts.origin;
  if (!o || o.module !== 'dom' || !(o.container === 'Intl' || o.container.startsWith('Intl'))) return [];
  if (!ctx.checker.getPropertiesOfType(ctx.facts.type).some((p) => p.getName() === 'resolvedOptions')) return [];
  let sent = '';
  const edits = rewriteMember(ctx.file, ctx.value.expr, ctx.segments, { kind: 'replace', with: (t) => (sent = `${wrap(t)}.resolvedOptions()`) });
  if (!edits || sent.length > 70) return [];
  return [{ title: `Send \`${sent}\` (its locale and options) instead of the Intl.${ctx.facts.name}`, id: 'send-data-form', preferred: false, edits }];
}
