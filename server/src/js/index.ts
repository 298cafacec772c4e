import * as path from 'node:path';
import * as ts from 'typescript';
import type { SendcheckConfig } from '../engine/config';
import { isCheckable, jsExtensions } from '../engine/files';
import type { Finding, Fix, LanguageEngine, Range, SourceHost } from '../engine/types';
import { pathSegments } from './fixes/context';
import { memberReference } from './fixes/payload';
import { referencedAfter } from './fixes/transfer';
import { transferableCopied } from './rules/transferable-copied';
import { isLibraryFile } from './origin';
import { ProjectHost } from './project';
import { Timeline } from './detach';
import { noProxyMeta, proxyProblems } from './rules/no-proxy';
import { fileRules, jsRules, typeRules } from './rules';
import type { FileContext, SendContext } from './rules/rule';
import { findSinks, mayContainSinks, skipParens, type Sink } from './sinks';
import { pooledOrigin, storageKey } from './transfer-list';
import { clearTargetCache, electronImportSide, type ElectronSide, resolveTarget } from './target';
import { joinPath, TypeWalker } from './walk';
import { prototypeMembers } from './flow';

// The JS/TS engine: program per project → sinks found by the checker's symbol of the callee →
// each sent value's type walked → findings. It never runs workspace code.

export function createJsEngine(): LanguageEngine {
  let projects: ProjectHost | undefined;
  let lastHost: SourceHost | undefined;

  return {
    language: 'js',
    rules: jsRules,
    handles: (file) => isCheckable(file) && jsExtensions.includes(path.extname(file).toLowerCase()),
    check({ files, host, config, isCancelled, log }) {
      if (!projects) projects = new ProjectHost(host);
      projects.log = log;
      if (host !== lastHost) {
        projects.setHost(host);
        lastHost = host;
      }
      const findings: Finding[] = [];
      const candidates: string[] = [];
      for (const file of files) {
        try {
          const text = host.readFile(file);
          if (text === undefined || text.length > config.maxFileSize) continue;
          if (mayContainSinks(text, config.sinks)) candidates.push(path.resolve(file));
        } catch (e) {
          debug(e);
        }
      }
      const byProject = new Map<string, { project: ReturnType<ProjectHost['projectFor']>; files: string[] }>();
      for (const file of candidates) {
        try {
          const project = projects.projectFor(file);
          const entry = byProject.get(project.key) ?? { project, files: [] };
          entry.files.push(file);
          byProject.set(project.key, entry);
        } catch {
          /* a project we cannot even locate: skip its files */
        }
      }
      for (const { project, files: projectFiles } of byProject.values()) {
        if (isCancelled?.()) break;
        let program: ts.Program;
        try {
          program = projects.programFor(project, projectFiles);
        } catch {
          continue;
        }
        for (const file of projectFiles) {
          if (isCancelled?.()) break;
          try {
            findings.push(...checkFile(program, file, config, project.domLib, host));
          } catch (e) {
            // One file's internal error must not take the others down: log it, skip the file.
            log?.(`sendcheck: skipped ${file}: internal error: ${(e as Error)?.message ?? e}`);
            debug(e);
          }
        }
      }
      return findings;
    },
    forget(files) {
      projects?.forget(files);
      clearTargetCache();
    },
  };
}

function debug(e: unknown): void {
  if (process.env.SENDCHECK_DEBUG) console.error('sendcheck js engine:', e);
}

function rangeOf(node: ts.Node): Range {
  const sf = node.getSourceFile();
  const s = sf.getLineAndCharacterOfPosition(node.getStart(sf));
  const e = sf.getLineAndCharacterOfPosition(node.getEnd());
  return { start: { line: s.line, character: s.character }, end: { line: e.line, character: e.character } };
}

function checkFile(program: ts.Program, file: string, config: SendcheckConfig, domLib: boolean, host: SourceHost): Finding[] {
  const sf = program.getSourceFile(file);
  if (!sf) return [];
  const checker = program.getTypeChecker();
  const out: Finding[] = [];
  const side = electronImportSide(sf);
  const sinks = findSinks(sf, program, config.sinks);
  for (const sink of sinks) {
    try {
      out.push(...judgeSink(sink, program, checker, file, config, domLib, host, side));
    } catch (e) {
      debug(e); // a type the checker chokes on: skip this call
    }
  }
  try {
    out.push(...judgeFile(sf, sinks, program, file, config, domLib, host, side));
  } catch (e) {
    debug(e);
  }
  return out;
}

/** The rules that judge calls and their order: the transfer lists, what was transferred or closed before. */
function judgeFile(sf: ts.SourceFile, sinks: Sink[], program: ts.Program, file: string, config: SendcheckConfig, domLib: boolean, host: SourceHost, side?: ElectronSide): Finding[] {
  const checker = program.getTypeChecker();
  const others = new Map<ts.SourceFile, Sink[]>([[sf, sinks]]);
  const sinksIn = (other: ts.SourceFile): Sink[] => {
    let found = others.get(other);
    if (!found) {
      found = findSinks(other, program, config.sinks);
      others.set(other, found);
    }
    return found;
  };
  const ctx: FileContext = {
    sourceFile: sf,
    file,
    checker,
    program,
    sinks,
    timeline: new Timeline(sf, sinks, checker, program, sinksIn),
    targetOf: (sink) => resolveTarget(file, config.js.target, domLib, sink.runtime, host, side),
  };
  const out: Finding[] = [];
  for (const rule of fileRules) {
    let found: ReturnType<typeof rule.check> = [];
    try {
      found = rule.check(ctx);
    } catch (e) {
      debug(e);
    }
    for (const f of found) {
      out.push({
        file,
        range: rangeOf(f.node),
        rule: rule.meta.id,
        severity: f.severity,
        message: f.message,
        related: (f.related ?? []).map((r) => ({ file: path.resolve(r.node.getSourceFile().fileName), range: rangeOf(r.node), message: r.message })),
        fixes: f.fixes ?? [],
      });
    }
  }
  return out;
}

function transferredTypeNames(sink: Sink, checker: ts.TypeChecker): Set<string> {
  const names = new Set<string>();
  if (sink.transfer.kind !== 'list') return names;
  if (sink.transfer.open) names.add('*');
  for (const { expr } of sink.transfer.entries) {
    const t = checker.getTypeAtLocation(expr);
    for (const part of t.isUnion() ? t.types : [t]) {
      const n = part.getSymbol()?.getName();
      if (n) names.add(n);
      if (part.flags & (ts.TypeFlags.Any | ts.TypeFlags.Unknown)) names.add('*');
    }
  }
  return names;
}

function judgeSink(sink: Sink, program: ts.Program, checker: ts.TypeChecker, file: string, config: SendcheckConfig, domLib: boolean, host: SourceHost, side?: ElectronSide): Finding[] {
  const out: Finding[] = [];
  const transferredTypes = transferredTypeNames(sink, checker);
  const transfer = transferredTypes.has('*') ? ({ kind: 'unknown' } as const) : sink.transfer;
  const ctx: SendContext = {
    checker,
    program,
    serializer: sink.serializer,
    target: resolveTarget(file, config.js.target, domLib, sink.runtime, host, side),
    transfer,
    transferredTypes,
    canTransfer: sink.canTransfer,
    api: sink.api,
    receiver: sink.receiver,
    jsonChannel: sink.jsonChannel,
  };
  const proxied = new Set<Sink['values'][number]>();
  for (const value of sink.values) {
    for (const p of proxyProblems(sink, value, file, checker, program)) {
      if (p.atRoot) proxied.add(value);
      out.push({
        file,
        range: rangeOf(value.expr),
        rule: noProxyMeta.id,
        severity: noProxyMeta.defaultSeverity,
        message: p.message,
        path: p.path,
        related: p.related.map((r) => ({ file: path.resolve(r.node.getSourceFile().fileName), range: rangeOf(r.node), message: r.message })),
        fixes: safely(p.fixes),
      });
    }
  }
  for (const value of sink.values) {
    if (proxied.has(value)) continue;
    const seen = checker.getTypeAtLocation(value.expr);
    const type = value.awaited ? (checker.getAwaitedType(seen) ?? seen) : seen;
    // A root we cannot name (a call, `new X()`) is written as "the message"; its members by their own path.
    const named = !/\s/.test(value.label);
    const walker = new TypeWalker({ ...ctx, isListed: (p) => listedAt(sink, value, p, named, checker) }, typeRules);
    // `X.prototype` is not an X: structured clone copies the prototype object's own enumerable properties.
    const protoMembers = prototypeMembers(checker, value.expr);
    const problems = protoMembers ? protoMembers.flatMap((m) => walker.walk(checker.getTypeAtLocation(m.value), joinPath(named ? value.label : '', m.name))) : walker.walk(type, named ? value.label : '');
    for (const p of new Set(problems)) {
      if (p.rule === transferableCopied && (stillUsedAfter(sink, value, p.path, named, checker) || pooledMemory(value, p.path, named, checker, program))) continue;
      const subject = p.path || (named && value.label ? value.label : value.label || 'the value');
      const related = [];
      const decl = p.declaration;
      if (decl && !isLibraryFile(program, decl.getSourceFile())) {
        const target = (decl as { name?: ts.Node }).name ?? decl;
        const what = ts.isClassLike(decl) || ts.isInterfaceDeclaration(decl) ? `${decl.name?.text ?? 'the class'}` : lastSegment(subject);
        related.push({ file: path.resolve(decl.getSourceFile().fileName), range: rangeOf(target), message: `${what} is declared here` });
      }
      out.push({
        file,
        range: rangeOf(value.expr),
        rule: p.rule.meta.id,
        severity: p.verdict.severity,
        message: `${subject} ${p.verdict.reason}`,
        path: p.path || undefined,
        related,
        fixes: safely(() => {
          const segments = pathSegments(p.path, named ? value.label : '');
          return segments && p.rule.fixes ? p.rule.fixes({ program, checker, sourceFile: value.expr.getSourceFile(), file, host, sink, value, segments, facts: p.facts }) : [];
        }),
      });
    }
  }
  return out;
}

/** A buffer the sender reads again after the send is not worth moving: transferring would detach it. */
function stillUsedAfter(sink: Sink, value: Sink['values'][number], problemPath: string, named: boolean, checker: ts.TypeChecker): boolean {
  const segments = pathSegments(problemPath, named ? value.label : '');
  const ref = segments && memberReference(value.expr, segments);
  const root = ref && /^[A-Za-z_$][\w$]*/.exec(ref)?.[0];
  return root ? referencedAfter(sink.call, root, checker) : false;
}

/** The expression written for the part of a sent value at `problemPath`, through object literals. */
function memberNode(value: Sink['values'][number], problemPath: string, named: boolean): ts.Expression | undefined {
  const segments = pathSegments(problemPath, named ? value.label : '');
  if (!segments) return undefined;
  let node: ts.Expression | undefined = value.expr;
  for (const s of segments) {
    const e: ts.Expression | undefined = node && skipParens(node);
    if (!e || s.kind !== 'property' || !ts.isObjectLiteralExpression(e)) return undefined;
    const prop: ts.ObjectLiteralElementLike | undefined = e.properties.find((p) => p.name && ts.isIdentifier(p.name) && p.name.text === s.name);
    node = prop && ts.isPropertyAssignment(prop) ? prop.initializer : prop && ts.isShorthandPropertyAssignment(prop) ? prop.name : undefined;
  }
  return node;
}

/** A view over memory from Node's Buffer pool is not worth listing: the pool cannot be transferred. */
function pooledMemory(value: Sink['values'][number], problemPath: string, named: boolean, checker: ts.TypeChecker, program: ts.Program): boolean {
  const node = memberNode(value, problemPath, named);
  return !!node && !!pooledOrigin({ expr: node, moved: true }, checker, program);
}

/** Whether the part at `path` is itself in the sink's transfer list; undefined when either side cannot be named. */
function listedAt(sink: Sink, value: Sink['values'][number], path: string, named: boolean, checker: ts.TypeChecker): boolean | undefined {
  if (sink.transfer.kind !== 'list' || sink.transfer.open) return undefined;
  const node = memberNode(value, path, named);
  const key = node && storageKey(node, checker);
  if (!key) return undefined;
  const listed = sink.transfer.entries.map((e) => storageKey(e.expr, checker));
  if (listed.includes(key)) return true;
  return listed.every((k) => k !== undefined) ? false : undefined;
}

/** Fixes for one finding; a builder that fails costs the finding its fixes, never the finding. */
function safely(build: () => Fix[]): Fix[] {
  try {
    return build();
  } catch (e) {
    debug(e);
    return [];
  }
}

function lastSegment(p: string): string {
  const m = /([A-Za-z_$][\w$]*)(?:\[[^\]]*\]|<\w+>)*$/.exec(p);
  return m ? m[1] : p;
}
