import * as ts from 'typescript';
import type { SourceHost } from '../../engine/types';
import type { TypeFacts } from '../rules/rule';
import type { SentValue, Sink } from '../sinks';

/** What a rule's fix builders know about one finding: where the value crosses and which part of it is bad. */
export interface FixContext {
  program: ts.Program;
  checker: ts.TypeChecker;
  sourceFile: ts.SourceFile;
  /** Absolute path of the file being checked. */
  file: string;
  /** Reads other workspace files (a worker's receiving side), under the same limits as the engine. */
  host: SourceHost;
  sink: Sink;
  value: SentValue;
  /** The bad part's access path below the sent value, split (`job.onDone` sent as `job` → `onDone`). */
  segments: PathSegment[];
  facts: TypeFacts;
  /**
   * Every part of the same sent value that some rule reports (this finding's among them), as
   * paths below the value: what a fix that rewrites a whole object must leave out or convert too.
   */
  problems?: readonly { rule: string; segments: PathSegment[] }[];
}

/** Whether some rule other than `except` reports a part at or below `segments` (a member that cannot cross as it is). */
export function reportedBelow(ctx: FixContext, segments: readonly PathSegment[], except: ReadonlySet<string> = new Set()): boolean {
  return (ctx.problems ?? []).some((p) => !except.has(p.rule) && p.segments.length >= segments.length && segments.every((s, i) => sameSegment(s, p.segments[i])));
}

export function sameSegment(a: PathSegment, b: PathSegment): boolean {
  return a.kind === 'property' ? b.kind === 'property' && a.name === b.name : b.kind === 'element' && a.text === b.text;
}

/** A named property (`onDone`) or an element of a collection (`[i]`, `[key]`, `<value>`, `[0]`). */
export type PathSegment = { kind: 'property'; name: string } | { kind: 'element'; text: string };

const token = /^(?:\.?([A-Za-z_$][\w$]*)|\[("(?:[^"\\]|\\.)*")\]|(\[[^\]]*\]|<\w+>))/;

/** Splits a walker path (`job.onDone`, `steps[i]`, `routes<value>`) relative to the sent value's label. */
export function pathSegments(fullPath: string, label: string): PathSegment[] | undefined {
  let rest = fullPath;
  if (label && !/\s/.test(label)) {
    if (rest === label) return [];
    if (!rest.startsWith(label) || !/^[.[<]/.test(rest.slice(label.length))) return undefined;
    rest = rest.slice(label.length);
  }
  const out: PathSegment[] = [];
  while (rest.length) {
    const m = token.exec(rest);
    if (!m) return undefined;
    if (m[1] !== undefined) out.push({ kind: 'property', name: m[1] });
    else if (m[2] !== undefined) out.push({ kind: 'property', name: JSON.parse(m[2]) as string });
    else out.push({ kind: 'element', text: m[3] });
    rest = rest.slice(m[0].length);
  }
  return out;
}

/** `a.b` or `a["b-c"]` */
export function accessText(base: string, name: string): string {
  return /^[A-Za-z_$][\w$]*$/.test(name) ? `${base}.${name}` : `${base}[${JSON.stringify(name)}]`;
}

export function propertyKey(name: string): string {
  return /^[A-Za-z_$][\w$]*$/.test(name) ? name : JSON.stringify(name);
}

export function skipOuter(e: ts.Expression): ts.Expression {
  while (ts.isParenthesizedExpression(e) || ts.isAsExpression(e) || ts.isNonNullExpression(e) || ts.isSatisfiesExpression(e)) e = e.expression;
  return e;
}

/** An expression that can be written twice without running anything twice: `job`, `this.job`, `msg.job.opts`. */
export function isReevaluable(e: ts.Expression): boolean {
  const s = skipOuter(e);
  if (ts.isIdentifier(s) || s.kind === ts.SyntaxKind.ThisKeyword) return true;
  if (ts.isPropertyAccessExpression(s)) return isReevaluable(s.expression);
  return false;
}

export function isTypeScriptFile(file: string): boolean {
  return /\.[mc]?tsx?$/i.test(file);
}
