import * as ts from 'typescript';
import type { Fix, TextEdit } from '../../engine/types';
import type { ProxySighting } from '../proxies';
import type { SentValue, Sink } from '../sinks';
import { isTypeScriptFile, pathSegments, skipOuter } from './context';
import { indentUnit, insertAt, replaceNode } from './edits';
import { importBinding } from './imports';
import { rewriteMember } from './payload';

// Send the data behind a framework proxy: Vue's `toRaw(x)` (the target object; Vue stores raw
// values in it, so one call unwraps the whole tree), a Pinia store's `toRaw(store.$state)`,
// Svelte's `$state.snapshot(x)` (a deep plain copy), MobX's `toJS(x)` (a deep plain copy of an
// observable; it returns anything else as it is). Where a proxy sits somewhere the send site
// cannot name (an array element, a spread, a member set before the send), a `deepToRaw` (Vue) or
// `deepToJS` (MobX) helper unwraps the whole value: both library calls stop at a plain object,
// so the helper walks plain arrays and objects itself. Each fix imports what it calls.

function helperText(ts_: boolean, toRaw: string, indent: string, deepHelper: string, library: string): string {
  const sig = ts_ ? `function ${deepHelper}<T>(value: T): T {` : `function ${deepHelper}(value) {`;
  const cast = ts_ ? ' as T' : '';
  const i1 = indent;
  const i2 = indent + indent;
  return [
    '',
    '',
    `/** A plain copy of \`value\` with every ${library} proxy inside it unwrapped, for structured clone. */`,
    sig,
    `${i1}const raw${ts_ ? ': unknown' : ''} = ${toRaw}(value);`,
    `${i1}if (Array.isArray(raw)) return raw.map(${deepHelper})${cast};`,
    `${i1}if (raw !== null && typeof raw === 'object' && Object.getPrototypeOf(raw) === Object.prototype) {`,
    `${i2}return Object.fromEntries(Object.entries(raw).map(([key, item]) => [key, ${deepHelper}(item)]))${cast};`,
    `${i1}}`,
    `${i1}return raw${cast};`,
    '}',
    '',
  ].join('\n');
}

export function unwrapProxies(sink: Sink, value: SentValue, sightings: readonly ProxySighting[], file: string): Fix[] {
  const sf = value.expr.getSourceFile();
  const label = /\s/.test(value.label) ? '' : value.label;
  const inClone = sink.api === 'structuredClone';
  const svelte = sightings.every((s) => s.kind.framework === 'svelte');
  const vue = sightings.every((s) => s.kind.framework === 'vue' || s.kind.framework === 'pinia');
  const mobx = sightings.every((s) => s.kind.framework === 'mobx');
  if (!svelte && !vue && !mobx) return [];
  // Vue's `toRaw` or MobX's `toJS`: the one call that gives the plain data behind the proxy.
  const toRaw = vue ? importBinding(sf, file, ['vue'], 'toRaw') : mobx ? importBinding(sf, file, ['mobx'], 'toJS') : undefined;
  if ((vue || mobx) && !toRaw) return [];
  const wrapWith = (s: ProxySighting) => (t: string) => (svelte ? `$state.snapshot(${t})` : s.kind.store ? `${toRaw!.callee}(${t}.$state)` : `${toRaw!.callee}(${t})`);

  // Every proxy unwrapped where the send names it.
  const edits: TextEdit[] = [];
  const shown: string[] = [];
  const unwrapped = new Set<ts.Node>();
  for (const s of sightings) {
    // `{ ...form }`: unwrapping the spread source makes every member it copies plain.
    if (s.spreadFrom) {
      if (unwrapped.has(s.spreadFrom)) continue;
      unwrapped.add(s.spreadFrom);
      const text = wrapWith(s)(s.spreadFrom.getText(sf));
      edits.push(replaceNode(file, s.spreadFrom, text));
      shown.push(`...${text}`);
      continue;
    }
    const segments = pathSegments(s.path, label);
    let text = '';
    const e = (segments && rewriteMember(file, value.expr, segments, { kind: 'replace', with: (t) => (text = wrapWith(s)(t)) })) || wrapInPlace(s, value, file, (t) => (text = wrapWith(s)(t)));
    if (!e) {
      edits.length = 0;
      break;
    }
    edits.push(...e);
    shown.push(text);
  }
  const overlapping = new Set(edits.map((e) => `${e.range.start.line}:${e.range.start.character}`)).size !== edits.length;
  const out: Fix[] = [];
  if (edits.length && !overlapping) {
    const store = sightings.some((s) => s.kind.store);
    const what = shown.length === 1 ? `\`${inClone && sightings[0].path === label ? `structuredClone(${shown[0]})` : shown[0]}\`` : shown.map((t) => `\`${t}\``).join(', ');
    const title = svelte ? `Send a plain snapshot: ${what}` : mobx ? `Send a plain deep copy of the observable: ${what}` : store ? `Send the store's plain state: ${what}` : `Send the plain object behind the proxy: ${what}`;
    // The store's state leaves its getters and actions behind: a different payload, so a suggestion.
    out.push({ title, id: svelte ? 'send-state-snapshot' : mobx ? 'send-mobx-plain-copy' : 'unwrap-vue-proxy', preferred: !store, edits: [...edits, ...(toRaw?.edits ?? [])] });
  }
  if ((vue || mobx) && !out.length && !sightings.some((s) => s.kind.store)) out.push(...deepToRawFix(value, sf, file, toRaw!.callee, toRaw!.edits, mobx ? 'MobX' : 'Vue'));
  if (svelte && !out.length) {
    // `$state.snapshot` is deep: one call on the whole value unwraps every proxy in it.
    out.push({ title: `Send a plain snapshot: \`$state.snapshot(${short(value.expr, sf)})\``, id: 'send-state-snapshot', preferred: true, edits: [replaceNode(file, value.expr, `$state.snapshot(${value.expr.getText(sf)})`)] });
  }
  return out;
}

/** An element of an array literal in the sent value (`[current, previous]`): wrapped where it is written. */
function wrapInPlace(s: ProxySighting, value: SentValue, file: string, wrap: (text: string) => string): TextEdit[] | undefined {
  const at = s.at;
  if (!at || ts.isShorthandPropertyAssignment(at.parent) || at.getStart() < value.expr.getStart() || at.getEnd() > value.expr.getEnd()) return undefined;
  return [replaceNode(file, at, wrap(at.getText()))];
}

function short(e: ts.Expression, sf: ts.SourceFile): string {
  const t = e.getText(sf);
  return t.length <= 30 && !/\n/.test(t) ? t : '…';
}

function deepToRawFix(value: SentValue, sf: ts.SourceFile, file: string, toRaw: string, importEdits: TextEdit[], library: 'Vue' | 'MobX'): Fix[] {
  const deepHelper = library === 'MobX' ? 'deepToJS' : 'deepToRaw';
  const existing = sf.statements.some((s) => ts.isFunctionDeclaration(s) && s.name?.text === deepHelper);
  if (!existing && new RegExp(`\\b${deepHelper}\\b`).test(sf.text)) return [];
  const e = skipOuter(value.expr);
  const edits: TextEdit[] = [replaceNode(file, value.expr, `${deepHelper}(${e.getText(sf)})`)];
  if (!existing) {
    edits.push(...importEdits);
    edits.push(insertAt(file, sf, sf.text.replace(/\s+$/, '').length, helperText(isTypeScriptFile(file), toRaw, indentUnit(sf), deepHelper, library).replace(/\n$/, '')));
  }
  return [{ title: `Send \`${deepHelper}(${short(value.expr, sf)})\`: a plain copy with every ${library} proxy inside unwrapped${existing ? '' : ' (adds the helper)'}`, id: library === 'MobX' ? 'deep-unwrap-mobx-observables' : 'deep-unwrap-vue-proxies', preferred: false, edits }];
}
