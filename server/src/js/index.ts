import * as path from 'node:path';
import * as ts from 'typescript';
import type { SendcheckConfig } from '../engine/config';
import { isCheckable, jsExtensions } from '../engine/files';
import type { Finding, Fix, LanguageEngine, Range, SourceHost, TextEdit } from '../engine/types';
import { pathSegments } from './fixes/context';
import { memberReference } from './fixes/payload';
import { referencedAfter } from './fixes/transfer';
import { transferableCopied } from './rules/transferable-copied';
import { symbolKeyLoss, symbolKeyLossVerdict } from './rules/symbol-key-loss';
import { forgetCallMemos, useCallMemos } from './memo';
import { isLibraryFile } from './origin';
import { ProjectHost } from './project';
import { Timeline } from './detach';
import { noProxyMeta, proxyProblems } from './rules/no-proxy';
import { jsonIpcLoss } from './rules/json-ipc-loss';
import { findNonFinite } from './non-finite';
import { fileRules, jsRules, typeRules } from './rules';
import type { FileContext, SendContext } from './rules/rule';
import { isPoolWorkerFile, namedPoolWorkerFiles } from './pool-sinks';
import { mayContainSinks, skipParens, type Sink } from './sinks';
import { type DerivedSink, type Reach, receiverIndex, Summaries } from './summaries';
import { pooledOrigin, storageKey } from './transfer-list';
import { clearTargetCache, electronImportSide, type ElectronSide, resolveTarget } from './target';
import { joinPath, TypeWalker } from './walk';
import { originsOf, propertyWrites, prototypeMembers, typedOriginsOfUntyped } from './flow';

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
      const rest: string[] = [];
      for (const file of files) {
        try {
          const text = host.readFile(file);
          if (text === undefined || text.length > config.maxFileSize) continue;
          if (mayContainSinks(text, config.sinks) || importsSinkModule(path.resolve(file), text, host, config, 0)) {
            candidates.push(path.resolve(file));
            for (const w of namedPoolWorkerFiles(path.resolve(file), text)) poolWorkers.add(w);
          } else rest.push(path.resolve(file));
        } catch (e) {
          debug(e);
        }
      }
      // A pool's worker module may mention no boundary: what its task returns still crosses back.
      // The names are kept across checks, so an edit of the worker alone still admits it.
      for (const file of rest) if (poolWorkers.has(file)) candidates.push(file);
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
          program = projects.programFor(project, projectFiles, forkingParents(projectFiles, host, config));
        } catch {
          continue;
        }
        useCallMemos(program, projects);
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
      if (projects) forgetCallMemos(projects, files.map((f) => path.resolve(f)));
      clearTargetCache();
    },
  };
}

const relativeSpecifier = /(?:\bfrom\s*|\bimport\s*\(\s*|\brequire\s*\(\s*|^\s*import\s+)['"](\.{1,2}\/[^'"]+)['"]/gm;
const importedExtensions = ['', '.ts', '.tsx', '.mts', '.cts', '.js', '.jsx', '.mjs', '.cjs', '/index.ts', '/index.js'];
const sinkModuleCache = new Map<string, { version: string; result: boolean }>();

/**
 * Whether a file without a sink of its own imports (relatively, a few levels deep) a module that has
 * one: its calls may be calls of derived sinks (a helper that wraps the send). Read through the host
 * by text, before any program is built.
 */
/** Worker modules some pool file seen so far names (text-level; the typed check decides). */
const poolWorkers = new Set<string>();

function importsSinkModule(file: string, text: string, host: SourceHost, config: SendcheckConfig, depth: number): boolean {
  if (depth > 3) return false;
  for (const m of text.matchAll(relativeSpecifier)) {
    const base = path.resolve(path.dirname(file), m[1]);
    const candidates = /\.[mc]?js$/.test(base) ? [base, base.replace(/\.([mc]?)js$/, '.$1ts')] : importedExtensions.map((e) => base + e);
    const target = candidates.find((c) => c !== file && host.fileExists(c) && jsExtensions.includes(path.extname(c).toLowerCase()));
    if (!target) continue;
    const version = host.version(target);
    const hit = sinkModuleCache.get(target);
    if (hit && hit.version === version) {
      if (hit.result) return true;
      continue;
    }
    sinkModuleCache.set(target, { version, result: false }); // import cycles end here
    const t = host.readFile(target);
    const result = t !== undefined && t.length <= config.maxFileSize && (mayContainSinks(t, config.sinks) || importsSinkModule(target, t, host, config, depth + 1));
    sinkModuleCache.set(target, { version, result });
    if (result) return true;
  }
  return false;
}

/**
 * Files that may fork one of `files` (a child module calling `process.send`): in the child's folder,
 * the one above or a folder just below (`lib/`, `bin/`), naming the child and calling `fork`, when one
 * of them asks for a serialization.
 * They join the program so that the child's `process.send` is judged by what its parents ask for
 * (sinks.ts parentForkSerialization); they are not checked themselves unless listed.
 */
function forkingParents(files: string[], host: SourceHost, config: SendcheckConfig): string[] {
  const out = new Set<string>();
  for (const file of files) {
    const text = host.readFile(file);
    if (!text || !/\bprocess\.send\b/.test(text)) continue;
    const stem = path.basename(file).replace(/\.[cm]?[jt]sx?$/, '');
    const found: string[] = [];
    let asks = false;
    const here = path.dirname(file);
    const below = (host.listDirectory?.(here).directories ?? []).filter((d) => d !== 'node_modules' && !d.startsWith('.')).slice(0, 20);
    for (const dir of new Set([here, path.dirname(here), ...below.map((d) => path.join(here, d))])) {
      const entries = host.listDirectory?.(dir).files ?? [];
      for (const name of entries.slice(0, 200)) {
        const f = path.resolve(dir, name);
        if (f === file || !jsExtensions.includes(path.extname(f).toLowerCase())) continue;
        const t = host.readFile(f);
        if (!t || t.length > config.maxFileSize || !/\bfork\b/.test(t) || !t.includes(stem)) continue;
        found.push(f);
        if (/serialization/.test(t)) asks = true;
      }
    }
    if (asks) for (const f of found) if (!files.includes(f)) out.add(f);
  }
  return [...out];
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
  const summaries = new Summaries(program, config.sinks);
  // A file admitted only for what it imports has no sink of its own: only its calls of derived sinks matter.
  const direct = mayContainSinks(sf.text, config.sinks) || isPoolWorkerFile(sf, program);
  const sinks = direct ? summaries.sinksIn(sf) : [];
  for (const sink of sinks) {
    try {
      out.push(...judgeSink(sink, program, checker, file, config, domLib, host, side));
    } catch (e) {
      debug(e); // a type the checker chokes on: skip this call
    }
  }
  // Calls of the project's own functions that hand a parameter on to a sink: judged at the argument.
  let derived: DerivedSink[] = [];
  try {
    derived = summaries.mayReachSinks(sf) ? summaries.derivedSinksIn(sf) : [];
  } catch (e) {
    debug(e);
  }
  for (const sink of derived) {
    try {
      out.push(...judgeSink(sink, program, checker, file, config, domLib, host, side));
    } catch (e) {
      debug(e);
    }
  }
  if (!direct) return out;
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
  const summaries = new Summaries(program, config.sinks);
  const sinksIn = (other: ts.SourceFile): Sink[] => (other === sf ? sinks : summaries.sinksIn(other));
  const ctx: FileContext = {
    sourceFile: sf,
    file,
    checker,
    program,
    sinks,
    timeline: new Timeline(sf, sinks, checker, program, sinksIn),
    targetOf: (sink) => resolveTarget(file, config.js.target, domLib, sink.runtime, host, side, sf),
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
    target: resolveTarget(file, config.js.target, domLib, sink.runtime, host, side, program.getSourceFile(file)),
    transfer,
    transferredTypes,
    canTransfer: sink.canTransfer,
    api: sink.api,
    sinkApi: (sink as Partial<DerivedSink>).derived?.params[0]?.reach.sink.api,
    receiver: sink.receiver,
    jsonChannel: sink.jsonChannel,
  };
  const proxied = new Set<Sink['values'][number]>();
  const derived = (sink as Partial<DerivedSink>).derived;
  for (const value of sink.values) {
    // A wrapper that spreads its parameter (`{ ...p }`) reads through a proxy and sends a plain copy.
    if (derived?.params[sink.values.indexOf(value)]?.reach.spread) continue;
    // A wrapper that sends one member of its parameter: judged by that member's type below. One that
    // sends each element of it (`for (const r of records) store.put(r)`) sends the proxies a deep proxy hands out.
    if ((value.member && !eachElementOfProxy(checker, value)) || value.returnedBy) continue;
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
    const whole = checker.getTypeAtLocation(value.expr);
    const seen = value.returnedBy ? returnTypeOf(checker, whole) : value.member ? memberType(checker, whole, value.member, value.expr) : whole;
    if (!seen) continue;
    const type = value.awaited ? (checker.getAwaitedType(seen) ?? seen) : seen;
    // A root we cannot name (a call, `new X()`) is written as "the message"; its members by their own path.
    const named = !/\s/.test(value.label);
    const member = value.member && memberText(value.member);
    const spreadRoot = derived?.params[sink.values.indexOf(value)]?.reach.spread === true;
    const walker = new TypeWalker({ ...ctx, spreadRoot, isListed: (p) => listedAt(sink, value, p, named, checker) }, typeRules);
    // `X.prototype` is not an X: structured clone copies the prototype object's own enumerable properties.
    const protoMembers = value.member || value.returnedBy ? undefined : prototypeMembers(checker, value.expr);
    const root = value.member ? memberText(value.member, named ? value.label : '') : named ? value.label : '';
    const problems = protoMembers ? protoMembers.flatMap((m) => walker.walk(checker.getTypeAtLocation(m.value), joinPath(root, m.name))) : walker.walk(type, root);
    // The untyped (`any`) parts of the value, judged by the types of their origins.
    const unrewritable: string[] = [];
    // A reply that is itself a promise crosses as what it resolves to, which its expression does not show.
    // What a handler in another file returns: the untyped parts of its return statements' values.
    const untypedRoots = value.returnedBy ?? (!value.awaited || type === seen ? [value.expr] : []);
    if (!protoMembers) {
      for (const o0 of untypedRoots.flatMap((r) => typedOriginsOfUntyped(checker, r, program))) {
        // Of a parameter's member, only what lies under that member crosses.
        const o = value.member ? underMember(o0, value.member) : o0;
        if (!o) continue;
        const at = o.path.reduce((p, s) => (s === 'i' ? `${p}[i]` : s.startsWith('<') ? `${p}${s}` : joinPath(p, s)), root);
        // A field of a real Error other than its cause stays behind in a structured clone, unless a
        // wrapper spreads the Error itself (`{ ...error }`): then its own fields are copied and cross.
        if (o.errorField && ctx.serializer === 'clone' && !(spreadRoot && !value.member && o.errorAt === 0)) continue;
        if (o.viaErrorCause) unrewritable.push(at);
        // A data property written under a symbol key (`request[kRetry] = …`): it is left out, whatever it holds.
        if (o.symbolKey) {
          const verdict = symbolKeyLossVerdict(ctx.serializer);
          if (verdict && problems === walker.problemsSoFar() && !problems.some((p) => p.rule === symbolKeyLoss && p.path === `${at}${o.symbolKey}`))
            problems.push({ rule: symbolKeyLoss, verdict, path: `${at}${o.symbolKey}`, facts: walker.facts(checker.getTypeAtLocation(o.expr)) });
          continue;
        }
        const start = problems.length;
        walker.walk(o.type ?? checker.getTypeAtLocation(o.expr), at);
        // `{ ...session, keepAlive: undefined }`: the overridden members never cross.
        if (o.omit && problems === walker.problemsSoFar())
          for (let i = problems.length - 1; i >= start; i--) {
            const rest = problems[i].path.slice(at.length).replace(/^\./, '');
            if (problems[i].path.startsWith(at) && o.omit.includes(rest.split(/[.[]/)[0])) problems.splice(i, 1);
          }
        // A spread or `Object.assign` copies own properties: the prototype was never meant to cross.
        if (o.spread && problems === walker.problemsSoFar()) {
          for (let i = problems.length - 1; i >= start; i--) {
            const p = problems[i];
            // The spread also read each own getter once: the copy holds plain values.
            const ownGetter = p.rule.meta.id === 'getter-frozen' && p.path.startsWith(at) && !/[.[]/.test(p.path.slice(at.length).replace(/^\./, ''));
            if ((p.path === at && prototypeRules.has(p.rule.meta.id)) || ownGetter) problems.splice(i, 1);
          }
        }
      }
    }
    // A member only the declared type allows (`onProgress?:`) that no origin of the value sets: nothing crosses there.
    if (!value.member && !value.returnedBy) {
      const unset = new Map<string, boolean>();
      for (let i = problems.length - 1; i >= 0; i--) {
        const at = problems[i].optional;
        const rel = at === undefined ? undefined : relativePath(at, named ? value.label : '');
        if (!rel || !/^[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)*$/.test(rel)) continue;
        if (!unset.has(rel)) unset.set(rel, !memberMayBeSet(checker, program, value.expr, rel.split('.'), sink.call, 0));
        if (unset.get(rel)) problems.splice(i, 1);
      }
    }
    // A wrapper's rest pattern (`const { onError, ...rest } = job`) takes these names out before sending.
    if (value.omit) {
      const base = value.member ? root : named ? value.label : '';
      for (let i = problems.length - 1; i >= 0; i--) {
        const rel = relativePath(problems[i].path, base);
        if (rel !== undefined && value.omit.includes(rel.split(/[.[]/)[0])) problems.splice(i, 1);
      }
    }
    const through = derived?.params[sink.values.indexOf(value)];
    const already = through ? declaredProblems(through.reach, derived!.fn, through.index, ctx, sink) : undefined;
    const reported = [...new Set(problems)].flatMap((p) => {
      const segments = pathSegments(p.path, named ? value.label : '');
      return segments ? [{ rule: p.rule.meta.id, segments }] : [];
    });
    for (const p of new Set(problems)) {
      if (through && already) {
        const rel = relativePath(p.path, named ? value.label : '');
        // The wrapper's own declared parameter type already shows this problem at the inner sink.
        if (already.has(`${p.rule.meta.id}\0${rel}`)) continue;
        // A spread copies own properties: the prototype is not lost, it was never sent.
        if (through.reach.spread && rel === (member ?? '') && prototypeRules.has(p.rule.meta.id)) continue;
      }
      if (p.rule === transferableCopied && (stillUsedAfter(sink, value, p.path, named, checker) || pooledMemory(value, p.path, named, checker, program))) continue;
      const subject = p.path || (named && value.label ? value.label : value.label || 'the value');
      const related = [];
      const decl = p.declaration;
      if (decl && !isLibraryFile(program, decl.getSourceFile())) {
        const target = (decl as { name?: ts.Node }).name ?? decl;
        const what = ts.isClassLike(decl) || ts.isInterfaceDeclaration(decl) ? `${decl.name?.text ?? 'the class'}` : lastSegment(subject);
        related.push({ file: path.resolve(decl.getSourceFile().fileName), range: rangeOf(target), message: `${what} is declared here` });
      }
      if (value.returnedBy) related.push({ file: path.resolve(value.returnedBy[0].getSourceFile().fileName), range: rangeOf(value.returnedBy[0]), message: /\s/.test(value.label) ? 'returned here' : `\`${value.label}\` returns this` });
      if (through) {
        related.unshift(
          through.index === receiverIndex
            ? { file: path.resolve(derived!.fn.getSourceFile().fileName), range: rangeOf((derived!.fn as ts.MethodDeclaration).name ?? derived!.fn), message: `${functionLabel(derived!.fn, through.index)} sends its receiver's \`${(through.reach.member ?? []).join('.')}\` on to ${through.reach.sink.api}` }
            : { file: path.resolve(derived!.fn.getSourceFile().fileName), range: rangeOf(derived!.fn.parameters[through.index]), message: `${functionLabel(derived!.fn, through.index)} sends its parameter on to ${through.reach.sink.api}` },
          ...through.reach.chain.map((h) => ({ file: path.resolve(h.node.getSourceFile().fileName), range: rangeOf(h.node), message: h.message })),
        );
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
          // The fixes rewrite the argument itself; what a wrapper reads out of it is not written here.
          if (value.member || value.returnedBy) return [];
          if (unrewritable.some((u) => p.path === u || p.path.startsWith(`${u}.`) || p.path.startsWith(`${u}[`))) return [];
          const segments = pathSegments(p.path, named ? value.label : '');
          return segments && p.rule.fixes ? p.rule.fixes({ program, checker, sourceFile: value.expr.getSourceFile(), file, host, sink, value, segments, facts: p.facts, problems: reported }) : [];
        }),
      });
    }
  }
  // Infinity and NaN are numbers by type: JSON writes them as null, which only their origin shows.
  if (sink.serializer === 'json') {
    for (const value of sink.values) {
      if (value.member || value.returnedBy || derived?.params[sink.values.indexOf(value)]?.reach.spread) continue;
      const named = !/\s/.test(value.label);
      for (const s of findNonFinite(value.expr, named ? value.label : '', checker, program).slice(0, 1)) {
        const subject = s.path || value.label || 'the value';
        const channel = sink.jsonChannel === 'extension' ? 'extension messaging' : 'JSON IPC';
        const advice = sink.jsonChannel === 'extension' ? 'send it as a string or a flag' : "send it as a string or a flag, or fork with `serialization: 'advanced'`";
        out.push({
          file,
          range: rangeOf(value.expr),
          rule: jsonIpcLoss.meta.id,
          severity: jsonIpcLoss.meta.defaultSeverity,
          message: `${subject} can be ${s.what}: ${channel} turns it into null (JSON has no ${s.what.replace('-', '')}); ${advice}`,
          path: s.path || undefined,
          related: [{ file: path.resolve(s.at.getSourceFile().fileName), range: rangeOf(s.at), message: `${s.what} comes from here` }],
          fixes: [],
        });
      }
    }
  }
  return onePerArgumentAndRule(out);
}

const prototypeRules = new Set(['class-instance-loss', 'error-subclass-loss']);

/**
 * Whether some origin of `expr` may hold the member at `segments`: false only when every origin is
 * an object literal seen here that neither writes it (nor a spread or later assignment that could),
 * so the declared type's optional member is never there. Any origin we cannot look into may set it.
 */
function memberMayBeSet(checker: ts.TypeChecker, program: ts.Program, expr: ts.Expression, segments: string[], send: ts.Node, depth: number): boolean {
  if (depth > 4) return true;
  const origins = originsOf(checker, expr, { program });
  if (!origins.length) return true;
  for (const o of origins) {
    const e = skipParens(o);
    if (!ts.isObjectLiteralExpression(e)) return true;
    const [name, ...rest] = segments;
    for (const p of e.properties) {
      if (ts.isSpreadAssignment(p)) {
        if (memberMayBeSet(checker, program, p.expression, segments, send, depth + 1)) return true;
        continue;
      }
      const key = p.name && (ts.isIdentifier(p.name) || ts.isStringLiteral(p.name)) ? p.name.text : p.name ? undefined : '';
      // A computed key may be any name.
      if (key === undefined) return true;
      if (key !== name) continue;
      if (!rest.length) return true;
      if (ts.isPropertyAssignment(p) ? memberMayBeSet(checker, program, p.initializer, rest, send, depth + 1) : true) return true;
    }
    // `options.onProgress = cb` after the literal was made.
    const holder = literalHolder(checker, e);
    if (holder === null || (holder && propertyWrites(checker, holder, send).some((w) => w.name === name))) return true;
  }
  return false;
}

/** The variable or field an object literal initialises (undefined: none, it is used in place; null: passed somewhere that may fill it in). */
function literalHolder(checker: ts.TypeChecker, literal: ts.ObjectLiteralExpression): ts.Symbol | undefined | null {
  let n: ts.Node = literal;
  while (ts.isParenthesizedExpression(n.parent) || ts.isAsExpression(n.parent) || ts.isSatisfiesExpression(n.parent)) n = n.parent;
  const parent = n.parent;
  const named = ts.isVariableDeclaration(parent) || ts.isPropertyDeclaration(parent) ? parent.name : ts.isBinaryExpression(parent) && parent.operatorToken.kind === ts.SyntaxKind.EqualsToken && parent.right === n ? parent.left : undefined;
  if (!named) return ts.isReturnStatement(parent) || ts.isArrowFunction(parent) || ts.isPropertyAssignment(parent) || ts.isArrayLiteralExpression(parent) || ts.isCallExpression(parent) ? (ts.isCallExpression(parent) ? null : undefined) : null;
  const id = ts.isPropertyAccessExpression(named) ? named.name : named;
  try {
    return checker.getSymbolAtLocation(id) ?? null;
  } catch {
    return null;
  }
}

/** What a function of type `fn` returns (its first signature's return type: a handler is rarely overloaded). */
function returnTypeOf(checker: ts.TypeChecker, fn: ts.Type): ts.Type | undefined {
  const [first] = fn.getCallSignatures();
  return first && checker.getReturnTypeOfSignature(first);
}

/** The type of `type`'s member at `path` (`state.data`), or undefined when some part has no such member. */
function memberType(checker: ts.TypeChecker, type: ts.Type, path: string[], at: ts.Node): ts.Type | undefined {
  let t: ts.Type | undefined = type;
  for (const name of path) {
    if (!t || t.flags & (ts.TypeFlags.Any | ts.TypeFlags.Unknown)) return t;
    // `i`: each element (a wrapper that sends the items of its parameter one by one).
    if (name === 'i') {
      t = t.getNonNullableType().getNumberIndexType();
      continue;
    }
    const prop = t.getNonNullableType().getProperty(name);
    if (!prop) return undefined;
    t = checker.getTypeOfSymbolAtLocation(prop, at);
  }
  return t;
}

/** A member path as messages write it: `records[i].payload` (`i` stands for each element). */
function memberText(member: string[], root = ''): string {
  return member.reduce((p, s) => (s === 'i' ? `${p}[i]` : joinPath(p, s)), root);
}

/** A value whose elements alone cross, each an object: a deep proxy of the array hands each one out as a proxy. */
function eachElementOfProxy(checker: ts.TypeChecker, value: Sink['values'][number]): boolean {
  if (!value.member?.length || value.member.some((s) => s !== 'i')) return false;
  const el = memberType(checker, checker.getTypeAtLocation(value.expr), value.member, value.expr);
  return !!el && !(el.flags & (ts.TypeFlags.Any | ts.TypeFlags.Unknown)) && (checker.getNonNullableType(el).flags & (ts.TypeFlags.Object | ts.TypeFlags.Intersection)) !== 0;
}

/** An untyped origin of the whole argument, re-rooted at `member`: those under it keep the rest of their path; others are not sent. */
function underMember<T extends { path: string[] }>(o: T, member: string[]): T | undefined {
  if (o.path.length < member.length || member.some((m, i) => o.path[i] !== m)) return undefined;
  return { ...o, path: o.path.slice(member.length) };
}

function relativePath(p: string, root: string): string {
  if (root && p.startsWith(root)) return p.slice(root.length).replace(/^\./, '');
  return p;
}

/** `publish(body)`: how a chain names the wrapper. */
function functionLabel(fn: ts.SignatureDeclaration, index: number): string {
  if (ts.isConstructorDeclaration(fn) && fn.parent.name) return `\`new ${fn.parent.name.text}(${fn.parameters[index]?.name.getText() ?? ''})\``;
  const name = fn.name && (ts.isIdentifier(fn.name) || ts.isPrivateIdentifier(fn.name)) ? fn.name.text : ts.isVariableDeclaration(fn.parent) && ts.isIdentifier(fn.parent.name) ? fn.parent.name.text : 'the function';
  return `\`${name}(${fn.parameters[index]?.name.getText() ?? ''})\``;
}

/**
 * What the wrapper's declared parameter type alone already shows (reported at the inner sink), keyed
 * by rule and path relative to the parameter: a caller adds only what its own argument brings.
 */
function declaredProblems(reach: Reach, fn: ts.SignatureDeclaration, index: number, ctx: SendContext, sink: Sink): Set<string> {
  const param = fn.parameters[index];
  const keys = new Set<string>();
  if (!param) return keys;
  const type = ctx.checker.getTypeAtLocation(param);
  const walker = new TypeWalker({ ...ctx, serializer: reach.sink.serializer, isListed: () => undefined }, typeRules);
  void sink;
  for (const p of walker.walk(type, '')) keys.add(`${p.rule.meta.id}\0${p.path}`);
  return keys;
}

const severityRank: Record<string, number> = { error: 0, warning: 1, information: 2, hint: 3 };

/**
 * One diagnostic per argument per rule: the most severe path leads the message with `and N more`,
 * each further path is a related-information entry at the argument (or where its member is declared).
 */
function onePerArgumentAndRule(findings: Finding[]): Finding[] {
  const groups = new Map<string, Finding[]>();
  for (const f of findings) {
    const key = `${f.rule}\0${f.range.start.line}:${f.range.start.character}-${f.range.end.line}:${f.range.end.character}`;
    const g = groups.get(key);
    if (g) g.push(f);
    else groups.set(key, [f]);
  }
  const out: Finding[] = [];
  for (const group of groups.values()) {
    if (group.length === 1) {
      out.push(group[0]);
      continue;
    }
    const sorted = [...group].sort((a, b) => (severityRank[a.severity] ?? 9) - (severityRank[b.severity] ?? 9));
    const [lead, ...rest] = sorted;
    out.push({
      ...lead,
      fixes: mergedFixes(lead, rest),
      message: `${lead.message} (and ${rest.length} more)`,
      related: [
        ...(lead.related ?? []),
        ...rest.map((f) => {
          const declared = f.related?.find((r) => r.message.endsWith('is declared here'));
          return { file: declared?.file ?? f.file, range: declared?.range ?? f.range, message: f.message };
        }),
      ],
    });
  }
  return out;
}

/**
 * The fixes of a merged diagnostic: a fix kind every path offers, with all their edits when none
 * overlap (converting every Map and Set of the argument, not only the first); otherwise the lead's
 * when its edit covers every path. A fix of the lead path alone is not offered: the program would
 * still lose or throw at the others (`reloadedAt` made an ISO string, `maxBodyBytes: Infinity`
 * still arriving as null).
 */
function mergedFixes(lead: Finding, rest: Finding[]): Fix[] {
  return lead.fixes.flatMap((fix) => {
    const others = rest.map((f) => f.fixes.find((x) => x.id === fix.id));
    if (others.some((o) => !o)) return [];
    const key = (e: TextEdit) => [e.file, e.range.start.line, e.range.start.character, e.range.end.line, e.range.end.character] as const;
    // The same edit made for several paths (an option added to the one fork call behind them all) is made once.
    const seen = new Set<string>();
    const edits = [...fix.edits, ...others.flatMap((o) => o!.edits)].filter((e) => {
      const k = JSON.stringify([...key(e), e.newText]);
      if (seen.has(k)) return false;
      seen.add(k);
      return true;
    });
    const sorted = [...edits].sort((a, b) => (a.file === b.file ? a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character : a.file < b.file ? -1 : 1));
    for (let i = 1; i < sorted.length; i++) {
      const [f0, , , el, ec] = key(sorted[i - 1]);
      const [f1, sl, sc] = key(sorted[i]);
      if (f0 === f1 && (sl < el || (sl === el && sc < ec))) return [fix];
    }
    return [{ ...fix, title: `${fix.title} (and ${rest.length} more)`, edits }];
  });
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
  // The very expression listed (a moved task, `Piscina.move(Buffer.from(text))`), which has no storage to name.
  if (node && sink.transfer.entries.some((e) => skipParens(e.expr) === skipParens(node))) return true;
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
