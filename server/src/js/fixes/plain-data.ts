import * as ts from 'typescript';
import type { Fix } from '../../engine/types';
import { accessText, type FixContext, pathSegments, propertyKey, skipOuter } from './context';
import { handlerPrologue, receiverOfSend } from './receiver';
import { rewriteMember } from './payload';
import type { SentValue } from '../sinks';
import { originsOf } from '../flow';
import { article } from '../rules/rule';

// Send the data form of a value the rule says cannot cross as it is: a URL's string, a Headers'
// entries, a Promise's result, a Proxy's plain copy. The other side receives a different type,
// so none of these is preferred.

const simple = /^[\w$.]+$|^new [\w$.]+\([^()]*\)$|^[\w$.]+\([^()]*\)$/;
export const wrap = (text: string) => (simple.test(text) ? text : `(${text})`);

const dataForms: Record<string, { form: (text: string) => string; what: string; rebuild?: (text: string) => string }> = {
  URL: { form: (t) => `${wrap(t)}.href`, what: 'its string', rebuild: (t) => `new URL(${t})` },
  URLSearchParams: { form: (t) => `${wrap(t)}.toString()`, what: 'its query string', rebuild: (t) => `new URLSearchParams(${t})` },
  Headers: { form: (t) => `Object.fromEntries(${t})`, what: 'its entries as an object' },
  // Its entries keep repeated names and File values (which clone); the other side appends them to a FormData of its own.
  FormData: { form: (t) => `[...${wrap(t)}]`, what: 'its [name, value] entries' },
  // Node copies both to `{}`: what crosses is whether it was aborted, not the ability to abort.
  AbortController: { form: (t) => `${wrap(t)}.signal.aborted`, what: 'whether it was aborted; a later abort does not reach the other side' },
  AbortSignal: { form: (t) => `${wrap(t)}.aborted`, what: 'whether it was aborted; a later abort does not reach the other side' },
  // no-uncloneable-builtin: the object a WeakRef points at is what the other side can use (undefined once collected).
  WeakRef: { form: (t) => `${wrap(t)}.deref()`, what: 'the object it refers to; the other side gets that object, not a WeakRef' },
};

/**
 * platform-object: a URL → `.href`, URLSearchParams → `.toString()`, Headers → `Object.fromEntries(...)`.
 * In an array (`links[i]`, `list[i].loc`) each element is mapped (`links.map((item) => item.href)`).
 * Where the data can be made into the object again (a URL) and the worker's message handler is in
 * the workspace, it is rebuilt there first, so the handler's code reads what it read before.
 */
export function sendDataForm(ctx: FixContext): Fix[] {
  const data = ctx.facts.fromLibrary ? dataForms[ctx.facts.name] : undefined;
  if (!data) return [];
  const at = ctx.segments.findIndex((s) => s.kind === 'element');
  const head = at < 0 ? ctx.segments : ctx.segments.slice(0, at);
  const tail = at < 0 ? [] : ctx.segments.slice(at + 1);
  // One array level: `[i]` elements only (a Map's `<value>` or a keyed member is not an array's).
  if (at >= 0 && (!/^\[\w*\]$/.test((ctx.segments[at] as { text: string }).text) || tail.some((s) => s.kind !== 'property'))) return [];
  const names = tail.map((s) => (s as { name: string }).name);
  const inElement = (base: string, form: (t: string) => string, rest: readonly string[]): string =>
    rest.length === 0 ? form(base) : `{ ...${base}, ${propertyKey(rest[0])}: ${inElement(accessText(base, rest[0]), form, rest.slice(1))} }`;
  const mapped = (t: string, form: (t: string) => string) => {
    const body = inElement('item', form, names);
    return `${/^\[[^\n]*\]$/.test(t) ? t : wrap(t)}.map((item) => ${names.length ? `(${body})` : body})`;
  };
  let sent = '';
  const edits = rewriteMember(ctx.file, ctx.value.expr, head, { kind: 'replace', with: (t) => (sent = at < 0 ? data.form(t) : mapped(t, data.form)) });
  if (!edits || sent.length > (at < 0 ? 70 : 120)) return [];
  const what = at < 0 ? `(${data.what})` : `(each element's ${ctx.facts.name} as ${data.what})`;
  let where = '';
  if (data.rebuild) {
    const receiver = head.every((s) => s.kind === 'property') ? receiverOfSend(ctx.sink.call, ctx.checker, ctx.file, ctx.sourceFile, ctx.host) : undefined;
    const target = receiver?.messageAt(head.map((s) => (s as { name: string }).name));
    if (receiver && target) {
      const again = at < 0 ? data.rebuild(target) : mapped(target, data.rebuild);
      edits.push(handlerPrologue(receiver, `${target} = ${again};`));
      where = `, and rebuild it in ${receiver.who} (\`${data.rebuild('…')}\`)`;
    } else if (ctx.sink.api !== 'structuredClone') where = ` (the receiving side was not found in the workspace: rebuild it there with \`${data.rebuild('…')}\`)`;
  }
  return [{ title: `Send \`${sent}\` ${what} instead of the ${ctx.facts.name}${where}`, id: 'send-data-form', preferred: false, edits }];
}

/**
 * platform-object on a Web interface that is only readonly numbers, strings and booleans
 * (TextMetrics, a GeolocationCoordinates without its toJSON...): its `toJSON()` when it has one,
 * else an object literal of those fields, which the other side reads by the same names.
 */
export function sendFieldSnapshot(ctx: FixContext): Fix[] {
  if (!ctx.facts.fromLibrary || dataForms[ctx.facts.name] || ctx.segments.some((s) => s.kind !== 'property')) return [];
  const props = ctx.checker.getPropertiesOfType(ctx.facts.type);
  const decl = (p: ts.Symbol) => p.valueDeclaration ?? p.declarations?.[0];
  if (!props.length || props.length > 16 || !props.every((p) => decl(p)?.getSourceFile().fileName.match(/[\\/]lib\.[\w.]*\.d\.ts$/))) return [];
  const toJSON = props.find((p) => p.getName() === 'toJSON' && decl(p) && ts.isMethodSignature(decl(p)!));
  const fields: string[] = [];
  if (!toJSON) {
    for (const p of props) {
      const d = decl(p);
      if (!d || !ts.isPropertySignature(d) || !d.modifiers?.some((m) => m.kind === ts.SyntaxKind.ReadonlyKeyword)) return [];
      const t = ctx.checker.getTypeOfSymbolAtLocation(p, d);
      if (!(t.flags & (ts.TypeFlags.NumberLike | ts.TypeFlags.StringLike | ts.TypeFlags.BooleanLike))) return [];
      fields.push(p.getName());
    }
  }
  let sent = '';
  const edits = rewriteMember(ctx.file, ctx.value.expr, ctx.segments, {
    kind: 'replace',
    with: (t) => (sent = toJSON ? `${wrap(t)}.toJSON()` : /^[\w$.]+$/.test(t) ? `{ ${fields.map((f) => `${f}: ${t}.${f}`).join(', ')} }` : ''),
  });
  if (!edits || !sent) return [];
  const shown = toJSON ? sent : `{ ${fields.slice(0, 2).join(', ')}${fields.length > 2 ? ', …' : ''} }`;
  return [{ title: `Send its fields \`${shown}\` instead of the ${ctx.facts.name} (the other side reads them by the same names)`, id: 'send-data-form', preferred: false, edits }];
}

/** Objects that are live views of this page (its document, its nodes, a selection of them): no other side can use them. */
const livePageObjects = new Set(['Node', 'Range', 'Selection', 'Window', 'Document', 'CSSStyleDeclaration', 'DOMTokenList', 'NodeList', 'HTMLCollection']);

/**
 * platform-object on a member that is a live view of the page (`highlight.range`, `row.element`):
 * leave it out of the message, keeping the rest of the data (`{ ...mark, range: undefined }`);
 * the page keeps using its own.
 */
export function leaveOutLivePageObject(ctx: FixContext): Fix[] {
  if (!ctx.facts.fromLibrary || !ctx.facts.ancestry.some((n) => livePageObjects.has(n)) || !ctx.segments.length || ctx.segments.some((s) => s.kind !== 'property')) return [];
  const edits = rewriteMember(ctx.file, ctx.value.expr, ctx.segments, { kind: 'remove' });
  if (!edits) return [];
  const name = (ctx.segments[ctx.segments.length - 1] as { name: string }).name;
  return [{ title: `Leave \`${name}\` out of what ${ctx.sink.api} sends (${article(ctx.facts.name)} is a live view of this page: it stays on this side)`, id: 'remove-from-message', preferred: false, edits }];
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

/**
 * A Proxy (reactive state) found in the message: send a plain copy, `[...files]` or `{ ...state }`.
 * `created` is where the proxy is made (`new Proxy(target, handler)`): in untyped code the copy's
 * shape follows what the target can be (object or array literals reaching it).
 */
export function plainCopyOfProxy(value: SentValue, proxyPath: string, file: string, checker: ts.TypeChecker, program?: ts.Program, created?: ts.Node): Fix[] {
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
  const shape = type.flags & ts.TypeFlags.Any ? targetShape(created, checker, program) : checker.isArrayType(type) || checker.isTupleType(type) ? 'array' : 'object';
  const isArray = shape === 'array';
  if (!shape || (!isArray && (type.getCallSignatures().length > 0 || !(type.flags & (ts.TypeFlags.Object | ts.TypeFlags.Any))))) return [];
  let text = '';
  const edits = rewriteMember(file, value.expr, segments, { kind: 'replace', with: (t) => (text = isArray ? `[...${wrap(t)}]` : `{ ...${wrap(t)} }`) });
  if (!edits || text.length > 70) return [];
  return [{ title: `Send a plain copy \`${text}\` instead of the Proxy`, id: 'send-plain-copy', preferred: false, edits }];
}

/** An untyped proxy's target: 'array' or 'object' when every literal seen reaching `new Proxy(target, …)` is one, else undefined. */
function targetShape(created: ts.Node | undefined, checker: ts.TypeChecker, program: ts.Program | undefined): 'array' | 'object' | undefined {
  if (!created || !ts.isNewExpression(created) || !created.arguments?.[0]) return undefined;
  const origins = originsOf(checker, created.arguments[0], { program });
  if (!origins.length) return undefined;
  if (origins.every(ts.isArrayLiteralExpression)) return 'array';
  // A spread copies own enumerable properties only: a literal without accessors or methods loses nothing.
  if (origins.every((o) => ts.isObjectLiteralExpression(o) && o.properties.every((p) => ts.isPropertyAssignment(p) || ts.isShorthandPropertyAssignment(p) || ts.isSpreadAssignment(p)))) return 'object';
  return undefined;
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
