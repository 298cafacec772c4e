import type * as ts from 'typescript';
import type { Fix } from '../../engine/types';
import { pathSegments } from '../fixes/context';
import { memberReference } from '../fixes/payload';
import { plainCopyOfProxy } from '../fixes/plain-data';
import { unwrapProxies } from '../fixes/unwrap-proxy';
import { findProxies, type ProxySighting } from '../proxies';
import type { SentValue, Sink } from '../sinks';
import { jsRule } from './rule';

// A Proxy cannot be structured-cloned: the algorithm refuses exotic objects (DataCloneError,
// "#<Object> could not be cloned"), and Electron's context bridge falls back to the same clone
// for them. The type of a proxy is its target's, so this rule judges where the value comes from
// (proxies.ts): Vue reactive/readonly/ref state, Pinia stores, Svelte $state, MobX observables
// (`observable(x)`, fields of a class that calls makeAutoObservable/makeObservable), `new Proxy`. JSON
// channels read through the proxy and are not concerned.
export const noProxyMeta = jsRule('no-proxy', 'error', 'A Proxy (Vue reactive/ref/readonly state, a Pinia store, Svelte $state, a MobX observable, a `new Proxy`) reaches a structured-clone boundary, which throws DataCloneError.');

export interface ProxyProblem {
  path?: string;
  /** The sent value itself is the proxy: the clone fails at its root, before any member is looked at. */
  atRoot: boolean;
  message: string;
  related: { node: ts.Node; message: string }[];
  fixes: () => Fix[];
}

function remedy(s: ProxySighting, subject: string | undefined): string {
  const k = s.kind;
  if (k.store) return `send its plain state (\`toRaw(${subject ?? 'store'}.$state)\`)`;
  if ((k.framework === 'vue' || k.framework === 'pinia') && !subject) return 'send the plain data behind the proxies (`toRaw` each one, or a deep toRaw helper on the whole value)';
  if (k.framework === 'vue' || k.framework === 'pinia') return `send the plain object behind it (\`toRaw(${subject})\`)`;
  if (k.framework === 'svelte') return `send a plain snapshot (\`$state.snapshot(${subject ?? 'value'})\`)`;
  if (k.framework === 'mobx') return `send a plain deep copy (MobX \`toJS(${subject ?? 'value'})\`), or keep the field plain with \`observable.ref\``;
  return 'send a plain copy of the data (`[...x]`, `{ ...x }`)';
}

/** One problem per sent value: the first proxy in the message, the others as related information. */
export function proxyProblems(sink: Sink, value: SentValue, file: string, checker: ts.TypeChecker, program: ts.Program): ProxyProblem[] {
  if (sink.serializer === 'json') return [];
  const label = /\s/.test(value.label) ? '' : value.label;
  const sightings = findProxies(value.expr, label, checker, program);
  if (!sightings.length) return [];
  const [first, ...others] = sightings;
  const subject = first.path || value.label || 'the value';
  const segments = pathSegments(first.path, label);
  const inValue = first.at && first.at.getStart() >= value.expr.getStart() && first.at.getEnd() <= value.expr.getEnd();
  const reference = first.spreadFrom?.getText() ?? (segments && memberReference(value.expr, segments)) ?? (inValue ? first.at!.getText() : undefined);
  const shown = reference && reference.length <= 40 ? reference : /^[\w$.]+$/.test(subject) ? subject : undefined;
  const also = others.length ? ` (and ${others.map((s) => s.path || 'the value').join(', ')})` : '';
  return [
    {
      path: first.path || undefined,
      atRoot: first.path === label,
      message: `${subject} is ${first.kind.what}: proxies cannot be cloned (DataCloneError)${also}; ${remedy(first, shown)}`,
      related: sightings.map((s) => ({ node: s.kind.created, message: `${s.path || subject}: ${s.kind.what.replace(/^an? /, '')} created here` })),
      fixes: () => (sightings.every((s) => s.kind.framework === 'user') ? plainCopyOfProxy(value, first.path, file, checker, program, first.kind.created) : unwrapProxies(sink, value, sightings, file)),
    },
  ];
}
