import * as ts from 'typescript';
import type { UserSink } from '../engine/config';
import { calledFunction, identityArgument, originsOf, restElement, skipOuter } from './flow';
import { callMemo, memoStoreOf, optionsKey } from './memo';
import { resolveAlias } from './origin';
import type { Serializer, TransferInfo } from './rules/rule';
import { fileCandidateNames } from './platform-sinks';
import { childSerializationOf, findSinks, labelOf, mayContainSinks, readTransfer, type SentValue, type Sink } from './sinks';

// Derived sinks. A function whose parameter reaches a sink — directly, through local variables,
// object and array literals, spreads, or a call of another derived sink — is itself a sink for that
// parameter, with the inner sink's serializer and runtime. Its callers are then judged at their
// argument, where the bad value is and where the fix goes, with the type the argument has there
// (a generic `publish(body: T)` is judged with each call's `T`). Summaries are computed on demand,
// bounded in depth, and kept per program (a program is rebuilt only when a file changed).

const maxDepth = 4;
const maxCarryHops = 6;
const maxMemberDepth = 4;
const maxMembers = 6;

/**
 * How an expression carries a parameter: all of it, its own properties, one member (possibly spread),
 * or its own properties but the names a rest pattern takes out beside it (`const { onError, ...rest } = job`).
 */
type Carry = 'whole' | 'spread' | { members: Member[] } | { omit: string[] };
interface Member {
  path: string[];
  spread: boolean;
}

/** What a spread (`{ ...x }`, `Object.assign({}, x)`) of a carried value carries. */
function spreadOf(how: Carry | undefined): Carry | undefined {
  if (!how) return undefined;
  if (typeof how === 'object') return 'omit' in how ? how : { members: how.members.map((m) => ({ path: m.path, spread: true })) };
  return 'spread';
}

function membersOf(how: Carry | undefined): Member[] | undefined {
  return how && typeof how === 'object' && 'members' in how ? how.members : undefined;
}

/** The names left out of a carried value's own properties, or undefined when it is not a rest copy. */
function omitOf(how: Carry | undefined): string[] | undefined {
  return how && typeof how === 'object' && 'omit' in how ? how.omit : undefined;
}

/** One step of the chain from the caller's argument to the real sink, for related information. */
export interface Hop {
  node: ts.Node;
  message: string;
}

/** A parameter's way to a sink. */
export interface Reach {
  /** The real (platform or library) sink at the end of the chain. */
  sink: Sink;
  /** From the function's parameter to the real sink. */
  chain: Hop[];
  /** The parameter crosses only as a spread (`{ ...p }`): its own enumerable properties, not its prototype. */
  spread: boolean;
  /**
   * Only this member of the parameter crosses (`query.state` of `updated(query)`, `{ ...extras.state }`):
   * each caller is judged by what its argument holds there, never by the rest of it.
   */
  member?: string[];
  /**
   * The parameter that is the real sink's receiver (`function relay(port, msg) { port.postMessage(msg) }`):
   * each caller's argument there decides whether the call sends at all, and how (a child forked with
   * `serialization: 'advanced'` or not).
   */
  receiverParam?: number;
  /** The parameter that is the real sink's transfer list (`send(port, msg, transfer)` → `port.postMessage(msg, transfer)`): each caller's list is read. */
  transferParam?: number;
  /** With spread: the names a rest pattern takes out (`const { onError, ...rest } = job`), directly under `member`: they do not cross. */
  omit?: string[];
}

export type Summary = Map<number, Reach[]>;

/** The key of a summary's entry for the method's receiver (`this`), judged at the object the method is called on. */
export const receiverIndex = -1;

/** A call of a derived sink, judged like any sink at the caller's arguments. */
export interface DerivedSink extends Sink {
  derived: { fn: ts.SignatureDeclaration; params: { index: number; reach: Reach }[] };
}

const programCaches = new WeakMap<ts.Program, SummaryCache>();

/** What a summary depends on: the files of the functions it was built from, and whether a bound cut it short. */
interface SummaryMeta {
  /** No recursion or depth bound cut it (or a summary it used) short: any later request gets the same answer. */
  exact: boolean;
  files: Set<ts.SourceFile>;
}

class SummaryCache {
  readonly sinksByFile = new Map<ts.SourceFile, Sink[]>();
  readonly summaries = new Map<ts.Node, Summary>();
  readonly meta = new Map<ts.Node, SummaryMeta>();
  readonly inProgress = new Set<ts.Node>();
  /** Method names some file of the program calls (`.save(`), for constructors whose fields a method sends. */
  readonly calledMethods = new Map<string, boolean>();
  readonly reachesSinks = new Map<ts.SourceFile, boolean>();
  /** Per file, the names of the functions around its checker-found sinks that candidateNames used. */
  readonly aroundByFile = new Map<ts.SourceFile, string>();
  /** Names of the functions that may be derived sinks, by text alone (see candidateNames). */
  names?: Set<string>;
  /** candidateNames matched some names by the text of bodies, not only by their call runs. */
  namesByText = false;
  /** The summary being computed, innermost first: what it has depended on so far. */
  computing?: SummaryMeta;
  /** The file whose reach was asked first: reach answers depend on the order of questions (cycles, depth). */
  firstReach?: string;

  constructor(
    readonly files: readonly ts.SourceFile[],
    readonly options: string,
    readonly sinksKey: string,
  ) {}
}

// The last cache of each engine (the memo store its programs are tied to): an edit builds a new
// program, and what was learnt of the *other* files (their sinks, the summaries of their functions,
// which files reach a sink, the candidate names) is the same in the new one when the edit cannot
// have changed their types (memo.ts decides that for the edited file) and the edited file's part
// in each answer is unchanged. Without this every edit summarised again every function of another
// file that the edited file calls, and found those files' sinks again.
const lastCaches = new WeakMap<object, SummaryCache>();

function cacheFor(program: ts.Program, userSinks: readonly UserSink[]): SummaryCache {
  let c = programCaches.get(program);
  if (!c) {
    c = new SummaryCache(program.getSourceFiles(), optionsKey(program.getCompilerOptions()), JSON.stringify(userSinks));
    const store = memoStoreOf(program);
    if (store) {
      const prev = lastCaches.get(store);
      if (prev) {
        try {
          carryOver(prev, c, program, userSinks);
        } catch {
          c = new SummaryCache(c.files, c.options, c.sinksKey); // a shape we did not foresee: start empty
        }
      }
      lastCaches.set(store, c);
    }
    programCaches.set(program, c);
  }
  return c;
}

/** Copies into `next` what `prev` learnt that the edit between their programs cannot have changed. */
function carryOver(prev: SummaryCache, next: SummaryCache, program: ts.Program, userSinks: readonly UserSink[]): void {
  if (prev.options !== next.options || prev.sinksKey !== next.sinksKey || prev.files.length !== next.files.length) return;
  // At most one file differs (the edited one, same name, parsed again); every other is the very same parsed file.
  let was: ts.SourceFile | undefined;
  let now: ts.SourceFile | undefined;
  for (let i = 0; i < prev.files.length; i++) {
    const a = prev.files[i];
    const b = next.files[i];
    if (a === b) continue;
    if (was || a.fileName !== b.fileName) return;
    was = a;
    now = b;
  }
  if (was && now && callMemo(program, now).othersKeptSince !== was) return;
  // The other files' sinks depend on their own text and types only.
  for (const [sf, sinks] of prev.sinksByFile) if (sf !== was) next.sinksByFile.set(sf, sinks);
  // Which files reach a sink: the edited file's part is whether it mentions one and what it imports;
  // the answers were found in an order that starts with the file checked first, the same one again.
  if (was && now && (prev.firstReach !== now.fileName || fileMentionsSinks(was, userSinks) !== fileMentionsSinks(now, userSinks) || !sameSpecifiers(was, now))) return;
  for (const [sf, reaches] of prev.reachesSinks) if (sf !== was) next.reachesSinks.set(sf, reaches);
  next.firstReach = prev.firstReach;
  // Candidate names: the edited file's named bodies, what they call, and which mention a sink.
  if (!prev.names || (was && now && !sameBodies(was, now, userSinks, prev.namesByText))) return;
  // The names also hold the functions around the edited file's sinks as the checker finds them
  // (a remote call the text gate cannot see): the same bodies can send or not when a type the
  // file declares changes, so that part is found again and must be the same.
  if (was && now) {
    const sinks = fileMentionsSinks(now, userSinks) ? findSinks(now, program, userSinks) : [];
    next.sinksByFile.set(now, sinks);
    const around = aroundKey(sinks);
    if ((prev.aroundByFile.get(was) ?? '') !== around) return;
    if (around) next.aroundByFile.set(now, around);
  }
  for (const [sf, around] of prev.aroundByFile) if (sf !== was) next.aroundByFile.set(sf, around);
  next.names = prev.names;
  next.namesByText = prev.namesByText;
  // A summary built from no function of the edited file and cut short by no bound.
  for (const [fn, summary] of prev.summaries) {
    const meta = prev.meta.get(fn);
    if (meta?.exact && (!was || !meta.files.has(was))) {
      next.summaries.set(fn, summary);
      next.meta.set(fn, meta);
    }
  }
}

function sameSpecifiers(a: ts.SourceFile, b: ts.SourceFile): boolean {
  const x = moduleSpecifiers(a);
  const y = moduleSpecifiers(b);
  return x.length === y.length && x.every((s, i) => s.text === y[i].text);
}

function sameBodies(a: ts.SourceFile, b: ts.SourceFile, userSinks: readonly UserSink[], byText: boolean): boolean {
  const x = functionBodiesOf(a, userSinks);
  const y = functionBodiesOf(b, userSinks);
  if (x.sending.length !== y.sending.length || x.others.length !== y.others.length || x.sending.some((n, i) => n !== y.sending[i])) return false;
  return x.others.every((o, i) => {
    const p = y.others[i];
    return o.name === p.name && (byText ? o.text === p.text : o.runs.length === p.runs.length && o.runs.every((r, j) => r === p.runs[j]));
  });
}

/** While a constructor's summary is made: the fields it sets from its parameters, read as `this.x` in the class's methods. */
interface ThisFields {
  cls: ts.ClassLikeDeclaration;
  fields: Map<string, ts.Symbol>;
}

export class Summaries {
  private cache: SummaryCache;
  private checker: ts.TypeChecker;
  private thisFields?: ThisFields;

  constructor(
    private program: ts.Program,
    private userSinks: readonly UserSink[],
  ) {
    this.cache = cacheFor(program, userSinks);
    this.checker = program.getTypeChecker();
  }

  /** The direct sinks of a file, found once per program. */
  sinksIn(sf: ts.SourceFile): Sink[] {
    let found = this.cache.sinksByFile.get(sf);
    if (!found) {
      found = findSinks(sf, this.program, this.userSinks);
      this.cache.sinksByFile.set(sf, found);
    }
    return found;
  }

  /**
   * Whether a file can hold a derived sink at all: it mentions a sink, or imports a module that can
   * (followed through the checker's module resolution, a few levels deep). A cheap gate before any
   * function of the file is summarised.
   */
  mayReachSinks(sf: ts.SourceFile, depth = 0): boolean {
    const known = this.cache.reachesSinks.get(sf);
    if (known !== undefined) return known;
    if (sf.isDeclarationFile || sf.fileName.includes('/node_modules/')) return false;
    this.cache.firstReach ??= sf.fileName;
    this.cache.reachesSinks.set(sf, false); // a cycle of imports adds nothing
    let result = fileMentionsSinks(sf, this.userSinks);
    if (!result && depth < maxDepth) {
      for (const spec of moduleSpecifiers(sf)) {
        const target = this.moduleFile(spec);
        if (target && this.mayReachSinks(target, depth + 1)) {
          result = true;
          break;
        }
      }
    }
    this.cache.reachesSinks.set(sf, result);
    return result;
  }

  private moduleFile(spec: ts.StringLiteralLike): ts.SourceFile | undefined {
    if (!spec.text.startsWith('.') && !spec.text.startsWith('/')) return undefined;
    let sym: ts.Symbol | undefined;
    try {
      sym = this.checker.getSymbolAtLocation(spec);
    } catch {
      return undefined;
    }
    const decl = sym?.valueDeclaration ?? sym?.declarations?.[0];
    return decl && ts.isSourceFile(decl) ? decl : undefined;
  }

  /**
   * The names of functions and methods that may be derived sinks, by text alone: those whose body
   * mentions a sink, then (a few rounds) those whose body calls such a name. Only calls of these
   * names are resolved through the checker, which keeps derived sinks cheap on large programs.
   */
  candidateNames(): Set<string> {
    if (this.cache.names) return this.cache.names;
    const names = new Set<string>();
    let pending: FunctionBody[] = [];
    const universe = new Set<string>();
    for (const sf of this.program.getSourceFiles()) {
      if (sf.isDeclarationFile || sf.fileName.includes('/node_modules/') || !this.mayReachSinks(sf)) continue;
      const { sending, others } = functionBodiesOf(sf, this.userSinks);
      // A sink the text gate cannot see (`api.process(job)` on a Comlink or threads.js remote): the
      // functions around the file's sinks, as the checker found them, send too.
      const around = fileMentionsSinks(sf, this.userSinks) ? enclosingFunctionNames(this.sinksIn(sf)) : new Set<string>();
      if (around.size) this.cache.aroundByFile.set(sf, aroundKey(this.sinksIn(sf)));
      for (const n of [...sending, ...around]) {
        names.add(n);
        universe.add(n);
      }
      for (const b of others) {
        if (around.has(b.name)) continue;
        pending.push(b);
        universe.add(b.name);
      }
    }
    // A body calls a name when its text holds `name(`: the name ends one of the runs of word
    // characters written before a `(` (`resend(` holds `send(` too), looked up per distinct run.
    const matches = runMatcher(universe);
    const special = [...universe].filter((n) => !wordOnly.test(n));
    this.cache.namesByText = special.length > 0;
    for (let round = 0; round < maxDepth && pending.length; round++) {
      const added: string[] = [];
      pending = pending.filter((b) => {
        if (b.runs.some((r) => matches(r).some((n) => names.has(n))) || special.some((n) => names.has(n) && b.text.includes(`${n}(`))) {
          added.push(b.name);
          return false;
        }
        return true;
      });
      if (!added.length) break;
      for (const n of added) names.add(n);
    }
    this.cache.names = names;
    return names;
  }

  /** The calls in `sf` of functions that pass a parameter on to a sink. */
  derivedSinksIn(sf: ts.SourceFile): DerivedSink[] {
    const out: DerivedSink[] = [];
    const names = this.candidateNames();
    if (!names.size) return out;
    const visit = (n: ts.Node): void => {
      // A method call with no arguments can still send a member of its receiver (receiverReaches).
      if ((ts.isCallExpression(n) || ts.isNewExpression(n)) && (n.arguments?.length || ts.isPropertyAccessExpression(n.expression)) && names.has(calleeName(n) ?? '')) {
        const d = this.derivedSinkAt(n);
        if (d) out.push(d);
      }
      ts.forEachChild(n, visit);
    };
    visit(sf);
    return out;
  }

  private derivedSinkAt(call: ts.CallExpression | ts.NewExpression, depth = 0): DerivedSink | undefined {
    const fn = this.calleeWithBody(call);
    if (!fn) return undefined;
    const summary = this.summaryOf(fn, depth);
    if (!summary.size) return undefined;
    const params: { index: number; reach: Reach }[] = [];
    const values: SentValue[] = [];
    let serializer: Serializer | undefined;
    let transfer: TransferInfo | undefined;
    for (const [index, reaches] of summary) {
      const arg = index === receiverIndex ? receiverOf(call) : call.arguments?.[index];
      if (!arg || ts.isSpreadElement(arg)) continue;
      const accepted = reaches.filter((r) => this.receiverAccepts(call, r));
      const reach = accepted.find((r) => !r.member) ?? accepted[0];
      if (!reach) continue;
      // The whole argument crosses, or each member the wrapper reads out of it.
      for (const r of reach.member ? accepted.filter((x) => x.member) : [reach]) {
        params.push({ index, reach: r });
        values.push({ expr: arg, label: labelOf(arg, 'the argument'), member: r.member, omit: r.omit });
      }
      serializer ??= this.serializerAt(call, reach);
      if (!transfer && reach.transferParam !== undefined) {
        const list = call.arguments?.[reach.transferParam];
        transfer = list && ts.isSpreadElement(list) ? { kind: 'unknown' } : readTransfer(list, undefined, this.checker);
      }
    }
    if (!params.length) return undefined;
    const first = params[0].reach.sink;
    return {
      call,
      api: call.expression.getText().slice(0, 60),
      values,
      serializer: serializer ?? first.serializer,
      transfer: transfer ?? outerTransfer(first.transfer),
      canTransfer: transfer !== undefined,
      runtime: first.runtime,
      receiver: first.receiver,
      jsonChannel: first.jsonChannel,
      derived: { fn, params },
    };
  }

  /**
   * Whether what `call` passes as the real sink's receiver can be one: an argument whose origins are
   * seen and none has the sink's method from a library declaration (a user's own bus object) makes
   * the call no send. An argument with no visible origin is given the benefit of the other callers.
   */
  private receiverAccepts(call: ts.CallExpression | ts.NewExpression, reach: Reach): boolean {
    if (reach.receiverParam === undefined) return true;
    const arg = call.arguments?.[reach.receiverParam];
    const method = methodName(reach.sink.call);
    if (!arg || ts.isSpreadElement(arg) || !method) return true;
    const origins = originsOf(this.checker, arg, { program: this.program });
    let seen = false;
    for (const o of origins) {
      let t: ts.Type;
      try {
        t = this.checker.getTypeAtLocation(o);
      } catch {
        continue;
      }
      if (t.flags & (ts.TypeFlags.Any | ts.TypeFlags.Unknown)) continue;
      seen = true;
      for (const part of t.isUnion() ? t.types : [t]) {
        const d = part.getProperty(method)?.declarations?.[0];
        if (d && d.getSourceFile().isDeclarationFile) return true;
      }
    }
    return !seen;
  }

  /** A `child.send` reached through a receiver parameter: how the caller's child was started decides JSON or structured clone. */
  private serializerAt(call: ts.CallExpression | ts.NewExpression, reach: Reach): Serializer | undefined {
    if (reach.receiverParam === undefined || reach.sink.serializer === 'bridge' || methodName(reach.sink.call) !== 'send') return undefined;
    const arg = call.arguments?.[reach.receiverParam];
    return arg && !ts.isSpreadElement(arg) ? childSerializationOf(this.checker, this.program, arg) : undefined;
  }

  private calleeWithBody(call: ts.CallExpression | ts.NewExpression): ts.SignatureDeclaration | undefined {
    // What the call names is kept across edits of its file (memo.ts): resolving it may infer a whole generic pipe.
    const fn = callMemo(this.program, call.getSourceFile()).answer('callee', call, () => (ts.isNewExpression(call) ? this.constructorOf(call) : calledFunction(this.checker, call)));
    if (!fn) return undefined;
    const sf = fn.getSourceFile();
    if (sf.isDeclarationFile || !this.mayReachSinks(sf)) return undefined;
    return fn;
  }

  /**
   * A method that sends a field of `this` whose type is a type parameter of its class (`flush() {
   * port.postMessage(this.state) }` in `class Store<S>`): what crosses is only known per instance
   * (`class DraftStore extends Store<DraftState>`), so each call is judged at its receiver, by that
   * member's type there. A field the constructor keeps from a parameter is judged at the `new` instead.
   */
  private receiverReaches(fn: ts.SignatureDeclaration, body: ts.Node): Reach[] {
    if (!ts.isMethodDeclaration(fn) || !ts.isClassLike(fn.parent) || ts.getCombinedModifierFlags(fn) & ts.ModifierFlags.Static || !fn.parent.typeParameters?.length) return [];
    const cls = fn.parent;
    const out: Reach[] = [];
    let kept: Set<string> | undefined;
    for (const sink of this.sinksIn(fn.getSourceFile())) {
      if (sink.call.getStart() < body.getStart() || sink.call.getEnd() > body.getEnd()) continue;
      for (const value of sink.values) {
        for (const path of this.genericFieldsSent(value.expr, cls, body, 0)) {
          if (!kept) {
            const ctor = cls.members.find((m): m is ts.ConstructorDeclaration => ts.isConstructorDeclaration(m) && !!m.body);
            const ctorParams = ctor ? ctor.parameters.map((p) => (ts.isIdentifier(p.name) ? this.symbolOf(p.name) : undefined)) : [];
            kept = new Set(ctor ? this.fieldsFromParameters(ctor, ctorParams)?.fields.keys() : []);
          }
          if (kept.has(path[0]) || out.some((r) => r.member!.join('.') === path.join('.')) || out.length >= maxMembers) continue;
          out.push({ sink, spread: false, member: path, chain: [{ node: sink.call, message: `\`this.${path.join('.')}\` is sent here by ${sink.api}` }] });
        }
      }
    }
    return out;
  }

  /** The paths of `this` members typed by a class type parameter that `expr` holds (through literals and locals of `body`). */
  private genericFieldsSent(expr: ts.Expression, cls: ts.ClassLikeDeclaration, body: ts.Node, hops: number): string[][] {
    if (hops > maxCarryHops) return [];
    const e = skipOuter(expr);
    if (ts.isPropertyAccessExpression(e) && e.expression.kind === ts.SyntaxKind.ThisKeyword && thisClassOf(e.expression) === cls) {
      let t: ts.Type;
      try {
        t = this.checker.getTypeAtLocation(e);
      } catch {
        return [];
      }
      return t.flags & ts.TypeFlags.TypeParameter ? [[e.name.text]] : [];
    }
    if (ts.isObjectLiteralExpression(e)) return e.properties.flatMap((p) => (ts.isPropertyAssignment(p) ? this.genericFieldsSent(p.initializer, cls, body, hops + 1) : []));
    if (ts.isArrayLiteralExpression(e)) return e.elements.flatMap((el) => (ts.isSpreadElement(el) ? [] : this.genericFieldsSent(el, cls, body, hops + 1)));
    if (ts.isIdentifier(e)) {
      const d = this.symbolOf(e)?.valueDeclaration;
      if (d && ts.isVariableDeclaration(d) && d.initializer && ts.isIdentifier(d.name) && d.getStart() >= body.getStart() && d.getEnd() <= body.getEnd()) return this.genericFieldsSent(d.initializer, cls, body, hops + 1);
    }
    return [];
  }

  /** The constructor with a body that `new C(...)` runs: the class's own (an inherited one is not followed). */
  private constructorOf(call: ts.NewExpression): ts.ConstructorDeclaration | undefined {
    const sym = this.symbolOf(call.expression);
    for (const d of sym?.declarations ?? []) {
      if (!ts.isClassLike(d)) continue;
      const ctor = d.members.find((m): m is ts.ConstructorDeclaration => ts.isConstructorDeclaration(m) && !!m.body);
      if (ctor) return ctor;
    }
    return undefined;
  }

  /** The fields a constructor sets from its parameters: parameter properties, and `this.x = param` in its body. */
  private fieldsFromParameters(ctor: ts.ConstructorDeclaration, params: (ts.Symbol | undefined)[]): ThisFields | undefined {
    const fields = new Map<string, ts.Symbol>();
    ctor.parameters.forEach((p, i) => {
      if (params[i] && ts.isIdentifier(p.name) && ts.isParameterPropertyDeclaration(p, ctor)) fields.set(p.name.text, params[i]!);
    });
    for (const st of ctor.body?.statements ?? []) {
      if (!ts.isExpressionStatement(st) || !ts.isBinaryExpression(st.expression) || st.expression.operatorToken.kind !== ts.SyntaxKind.EqualsToken) continue;
      const left = st.expression.left;
      const right = skipOuter(st.expression.right);
      if (!ts.isPropertyAccessExpression(left) || left.expression.kind !== ts.SyntaxKind.ThisKeyword || !ts.isIdentifier(right)) continue;
      const sym = this.symbolOf(right);
      if (sym && params.includes(sym)) fields.set(left.name.text, sym);
    }
    return fields.size ? { cls: ctor.parent, fields } : undefined;
  }

  /** The bodies of the class's own instance methods that some file calls by name (`.save(`): what a kept field may be sent from. */
  private methodBodiesCalled(ctor: ts.ConstructorDeclaration): ts.Node[] {
    const out: ts.Node[] = [];
    for (const m of ctor.parent.members) {
      if (!ts.isMethodDeclaration(m) || !m.body || !(ts.isIdentifier(m.name) || ts.isPrivateIdentifier(m.name)) || ts.getCombinedModifierFlags(m) & ts.ModifierFlags.Static) continue;
      if (this.methodCalled(m.name.text)) out.push(m.body);
    }
    return out;
  }

  private methodCalled(name: string): boolean {
    const known = this.cache.calledMethods.get(name);
    if (known !== undefined) return known;
    const call = `.${name}(`;
    const found = this.program.getSourceFiles().some((sf) => !sf.isDeclarationFile && !sf.fileName.includes('/node_modules/') && sf.text.includes(call));
    this.cache.calledMethods.set(name, found);
    return found;
  }

  /** Which parameters of `fn` reach a sink, and how. */
  summaryOf(fn: ts.SignatureDeclaration, depth = 0): Summary {
    const cached = this.cache.summaries.get(fn);
    if (cached) {
      this.dependOn(this.cache.meta.get(fn));
      return cached;
    }
    const empty: Summary = new Map();
    // Recursion (direct or mutual) and depth beyond the bound add nothing; a later, shallower
    // request computes the summary properly.
    if (this.cache.inProgress.has(fn) || depth > maxDepth) {
      this.dependOn(undefined);
      return empty;
    }
    const meta: SummaryMeta = { exact: true, files: new Set([fn.getSourceFile()]) };
    const body = (fn as { body?: ts.Node }).body;
    if (!body) {
      this.dependOn(meta);
      return empty;
    }
    const params = fn.parameters.map((p) => (ts.isIdentifier(p.name) ? this.symbolOf(p.name) : undefined));
    const viaThis = this.receiverReaches(fn, body);
    if (!params.some(Boolean)) {
      const only: Summary = viaThis.length ? new Map([[receiverIndex, viaThis]]) : empty;
      this.cache.summaries.set(fn, only);
      this.cache.meta.set(fn, meta);
      this.dependOn(meta);
      return only;
    }
    const outer = this.cache.computing;
    this.cache.computing = meta;
    this.cache.inProgress.add(fn);
    const summary: Summary = new Map(viaThis.length ? [[receiverIndex, viaThis]] : []);
    try {
      const within = (n: ts.Node, scope: ts.Node) => n.getStart() >= scope.getStart() && n.getEnd() <= scope.getEnd();
      const note = (index: number, reach: Reach) => {
        const list = summary.get(index) ?? [];
        // Members of a parameter are separate reaches (`job.id`, `job.payload`), each judged at the caller.
        if (list.length < 4 + (reach.member ? maxMembers : 0) && !list.some((r) => r.member && reach.member && r.member.join('.') === reach.member.join('.'))) list.push(reach);
        summary.set(index, list);
      };
      const names = this.candidateNames();
      // A constructor whose parameter is kept in a field (`constructor(private value: T)`, `this.value = value`)
      // reaches a sink when a method of the class sends that field: its `new` is judged at the argument, with
      // the type given there (`new Persisted('k', new Playback())`). Untyped parameters are followed to their
      // callers from the send itself (flow.ts).
      const fields = ts.isConstructorDeclaration(fn) ? this.fieldsFromParameters(fn, params) : undefined;
      const untypedAt = (index: number) => this.untypedParam(fn.parameters[index]);
      const scopes: ts.Node[] = [body, ...(fields ? this.methodBodiesCalled(fn as ts.ConstructorDeclaration) : [])];
      if (scopes.length > 1) meta.exact = false; // which methods are called anywhere can change with any file
      const outerFields = this.thisFields;
      this.thisFields = fields;
      try {
        for (const at of scopes) {
          /** The parameter `e` is (through locals), for a receiver. */
          const paramCarried = (e: ts.Expression | undefined): number | undefined => {
            if (!e) return undefined;
            const i = params.findIndex((sym) => sym && this.carries(e, sym, at, 0) === 'whole');
            return i >= 0 ? i : undefined;
          };
          for (const sink of this.sinksIn(fn.getSourceFile())) {
            if (!within(sink.call, at)) continue;
            const receiverParam = paramCarried(receiverOf(sink.call));
            const transferParam = sink.transfer.kind === 'unknown' ? paramCarried(sink.transfer.list) : undefined;
            for (const value of sink.values) {
              params.forEach((sym, index) => {
                const how = sym && (at === body || !untypedAt(index)) ? this.carries(value.expr, sym, at, 0) : undefined;
                const name = fn.parameters[index].name.getText();
                const reach = (spread: boolean, member?: string[], omit?: string[]): Reach => ({ sink, spread, member, omit, receiverParam, transferParam, chain: [{ node: sink.call, message: `\`${member ? `${name}.${member.join('.')}` : name}\` is sent here by ${sink.api}` }] });
                // The members of an untyped parameter are judged at the sink itself, through its callers' arguments (flow.ts memberOrigins);
                // its elements (`for (const r of records) store.put(r)`) are not followed to the callers there: judged at the callers.
                const members = membersOf(how);
                if (members) {
                  const untyped = this.untypedParam(fn.parameters[index]);
                  for (const m of members) if (!untyped || m.path[0] === 'i') note(index, reach(m.spread, m.path));
                }
                else if (how) note(index, reach(how !== 'whole', undefined, omitOf(how)));
              });
            }
          }
          const visit = (n: ts.Node): void => {
            if ((ts.isCallExpression(n) || ts.isNewExpression(n)) && n.arguments?.length && names.has(calleeName(n) ?? '')) {
              const inner = this.calleeWithBody(n);
              if (inner && inner !== fn) {
                const innerSummary = this.summaryOf(inner, depth + 1);
                for (const [j, reaches] of innerSummary) {
                  const arg = n.arguments?.[j];
                  if (!arg || ts.isSpreadElement(arg)) continue;
                  params.forEach((sym, index) => {
                    const how = sym && (at === body || !untypedAt(index)) ? this.carries(arg, sym, at, 0) : undefined;
                    if (!how) return;
                    // A member passed on to a wrapper that sends a member of it: the two paths join.
                    const outers: (Member | undefined)[] = membersOf(how) ?? [undefined];
                    // The receiver is either this function's parameter too, or fixed here and checked once.
                    const r = reaches.find((x) => x.receiverParam === undefined || paramCarried(argAt(n, x.receiverParam)) !== undefined || this.receiverAccepts(n, x));
                    if (!r) return;
                    const receiverParam = r.receiverParam === undefined ? undefined : paramCarried(argAt(n, r.receiverParam));
                    const transferParam = r.transferParam === undefined ? undefined : paramCarried(argAt(n, r.transferParam));
                    // The wrapper's spread copies the own properties of what it is given: a parameter nested in a
                    // literal passed to it (`send({ data: { args } })` to `post({ id, ...message })`) is not copied, it crosses whole.
                    const nested = ts.isObjectLiteralExpression(skipOuter(arg)) || ts.isArrayLiteralExpression(skipOuter(arg));
                    // A rest copy passed on (`const { onError, ...rest } = job; send(rest)`): the names taken out
                    // do not cross, and a member the inner wrapper reads among them does not cross at all.
                    const howOmit = omitOf(how);
                    if (howOmit && r.member && howOmit.includes(r.member[0])) return;
                    const omit = [...(howOmit && !r.member ? howOmit : []), ...(!nested && r.omit ? r.omit : [])];
                    for (const outer of outers) {
                      if (outer && outer.path[0] !== 'i' && this.untypedParam(fn.parameters[index])) continue;
                      const member = outer || r.member ? [...(outer?.path ?? []), ...(r.member ?? [])] : undefined;
                      if (member && member.length > maxMemberDepth) continue;
                      note(index, { sink: r.sink, spread: how === 'spread' || !!howOmit || !!outer?.spread || (r.spread && !nested), member, omit: omit.length ? omit : undefined, receiverParam, transferParam, chain: [{ node: n, message: `\`${fn.parameters[index].name.getText()}\` is passed on here` }, ...r.chain].slice(0, 8) });
                    }
                  });
                }
              }
            }
            ts.forEachChild(n, visit);
          };
          visit(at);
        }
      } finally {
        this.thisFields = outerFields;
      }
    } finally {
      this.cache.inProgress.delete(fn);
      this.cache.computing = outer;
    }
    this.cache.summaries.set(fn, summary);
    this.cache.meta.set(fn, meta);
    this.dependOn(meta);
    return summary;
  }

  /** The summary being computed used `meta`'s (undefined: one cut short by a bound, or of unknown making). */
  private dependOn(meta: SummaryMeta | undefined): void {
    const c = this.cache.computing;
    if (!c) return;
    if (!meta?.exact) c.exact = false;
    if (meta) for (const f of meta.files) c.files.add(f);
  }

  private untypedParam(p: ts.ParameterDeclaration): boolean {
    try {
      return !!(this.checker.getTypeAtLocation(p).flags & (ts.TypeFlags.Any | ts.TypeFlags.Unknown));
    } catch {
      return true;
    }
  }

  private symbolOf(node: ts.Node): ts.Symbol | undefined {
    try {
      return resolveAlias(this.checker, this.checker.getSymbolAtLocation(node));
    } catch {
      return undefined;
    }
  }

  /**
   * Whether `expr` carries the whole value of parameter `param` (`'whole'`), or its own properties
   * only (`'spread'`): the parameter itself, a local variable initialised with it, an object or array
   * literal holding it, a conditional or logical operand.
   */
  private carries(expr: ts.Expression, param: ts.Symbol, body: ts.Node, hops: number, nested = false): Carry | undefined {
    if (hops > maxCarryHops) return undefined;
    const e = skipOuter(expr);
    // `Comlink.proxy(p)`, `Object.freeze(p)`: the same value back. A proxy-marked value crosses as a
    // proxy when it is the sent value itself; nested in a literal it is cloned like any other.
    if (ts.isCallExpression(e)) {
      const identity = identityArgument(this.checker, e);
      if (identity && !(identity.marksProxy && !nested)) return this.carries(identity.arg, param, body, hops + 1, nested);
    }
    // `query.state`, `extras.state.items`: a member of the parameter, reached by a chain of plain names.
    if (ts.isPropertyAccessExpression(e)) {
      const path: string[] = [];
      let x: ts.Expression = e;
      while (ts.isPropertyAccessExpression(x) && path.length < maxMemberDepth) {
        if (!ts.isIdentifier(x.name) && !ts.isPrivateIdentifier(x.name)) return undefined;
        path.unshift(x.name.text);
        x = skipOuter(x.expression);
      }
      // `this.value` in a method of the class whose constructor kept the parameter there.
      if (x.kind === ts.SyntaxKind.ThisKeyword) {
        const f = this.thisFields;
        if (!f || f.fields.get(path[0]) !== param || thisClassOf(x) !== f.cls) return undefined;
        return path.length === 1 ? 'whole' : { members: [{ path: path.slice(1), spread: false }] };
      }
      return ts.isIdentifier(x) && this.symbolOf(x) === param && !path[0].startsWith('#') ? { members: [{ path, spread: false }] } : undefined;
    }
    // `records[i]`: one element of the parameter.
    if (ts.isElementAccessExpression(e)) return elementOf(this.carries(e.expression, param, body, hops + 1));
    if (ts.isIdentifier(e)) {
      const sym = this.symbolOf(e) ?? (ts.isShorthandPropertyAssignment(e.parent) ? this.checker.getShorthandAssignmentValueSymbol(e.parent) : undefined);
      if (!sym) return undefined;
      if (sym === param) return 'whole';
      const d = sym.valueDeclaration;
      const iterated = d && iteratedIn(d, body);
      if (iterated) return elementOf(this.carries(iterated, param, body, hops + 1));
      // A local `const env = { ..., body }` inside the same function.
      if (d && ts.isVariableDeclaration(d) && d.initializer && ts.isIdentifier(d.name) && d.getStart() >= body.getStart() && d.getEnd() <= body.getEnd()) {
        return this.carries(d.initializer, param, body, hops + 1, nested);
      }
      return d && this.carriesRest(d, param, body, hops, nested);
    }
    if (ts.isObjectLiteralExpression(e)) {
      let found: Carry | undefined;
      for (const p of e.properties) {
        const how = ts.isPropertyAssignment(p)
          ? this.carries(p.initializer, param, body, hops + 1, true)
          : ts.isShorthandPropertyAssignment(p)
            ? this.carriesShorthand(p, param, body, hops)
            : ts.isSpreadAssignment(p)
              ? spreadOf(this.carries(p.expression, param, body, hops + 1, true))
              : undefined;
        if (how === 'whole') return 'whole';
        // The whole parameter (or its spread) wins over its members; members add up.
        const foundMembers = membersOf(found);
        const howMembers = membersOf(how);
        if (how && (!found || (foundMembers && !howMembers))) found = how;
        else if (howMembers && foundMembers) found = { members: [...foundMembers, ...howMembers].slice(0, maxMembers) };
      }
      return found;
    }
    if (ts.isArrayLiteralExpression(e)) {
      for (const el of e.elements) {
        const how = ts.isSpreadElement(el) ? undefined : this.carries(el, param, body, hops + 1, true);
        if (how) return how;
      }
      return undefined;
    }
    if (ts.isConditionalExpression(e)) return this.carries(e.whenTrue, param, body, hops + 1, nested) ?? this.carries(e.whenFalse, param, body, hops + 1, nested);
    if (ts.isBinaryExpression(e) && (e.operatorToken.kind === ts.SyntaxKind.BarBarToken || e.operatorToken.kind === ts.SyntaxKind.QuestionQuestionToken)) {
      return this.carries(e.left, param, body, hops + 1, nested) ?? this.carries(e.right, param, body, hops + 1, nested);
    }
    // `Object.assign({}, defaults, p)` copies p's own enumerable properties.
    if (ts.isCallExpression(e) && ts.isPropertyAccessExpression(e.expression) && e.expression.getText() === 'Object.assign') {
      for (const a of e.arguments) {
        const how = spreadOf(this.carries(a, param, body, hops + 1));
        if (how) return how;
      }
    }
    return undefined;
  }

  private carriesShorthand(p: ts.ShorthandPropertyAssignment, param: ts.Symbol, body: ts.Node, hops: number): Carry | undefined {
    let sym: ts.Symbol | undefined;
    try {
      sym = this.checker.getShorthandAssignmentValueSymbol(p);
    } catch {
      sym = undefined;
    }
    if (!sym) return undefined;
    if (sym === param) return 'whole';
    const d = sym.valueDeclaration;
    const iterated = d && iteratedIn(d, body);
    if (iterated) return elementOf(this.carries(iterated, param, body, hops + 1));
    if (d && ts.isVariableDeclaration(d) && d.initializer && d.getStart() >= body.getStart() && d.getEnd() <= body.getEnd()) return this.carries(d.initializer, param, body, hops + 1, true);
    return d && this.carriesRest(d, param, body, hops, true);
  }

  /** A local rest element (`const { onError, ...rest } = job`): the own properties of what it destructures, but the names taken out beside it. */
  private carriesRest(d: ts.Declaration, param: ts.Symbol, body: ts.Node, hops: number, nested: boolean): Carry | undefined {
    const rest = restElement(d);
    if (!rest || rest.holder.getStart() < body.getStart() || rest.holder.getEnd() > body.getEnd()) return undefined;
    const { named } = rest;
    const how = this.carries(rest.source, param, body, hops + 1, nested);
    if (how === 'whole' || how === 'spread') return { omit: named };
    const before = omitOf(how);
    return before ? { omit: [...before, ...named] } : undefined;
  }
}

/** The class whose instance `this` is at `node` (arrow functions see their container's `this`). */
function thisClassOf(node: ts.Node): ts.ClassLikeDeclaration | undefined {
  for (let n = node.parent; n; n = n.parent) {
    if (ts.isArrowFunction(n)) continue;
    if (ts.isMethodDeclaration(n) || ts.isConstructorDeclaration(n) || ts.isGetAccessor(n) || ts.isSetAccessor(n) || ts.isPropertyDeclaration(n)) {
      return ts.isClassLike(n.parent) && !(ts.getCombinedModifierFlags(n) & ts.ModifierFlags.Static) ? n.parent : undefined;
    }
    if (ts.isFunctionLike(n) || ts.isClassLike(n) || ts.isSourceFile(n)) return undefined;
  }
  return undefined;
}

/** What one element of a carried value carries: the `i` member (each element) of the whole value or of each member. */
function elementOf(how: Carry | undefined): Carry | undefined {
  if (!how || how === 'spread' || omitOf(how)) return undefined;
  if (how === 'whole') return { members: [{ path: ['i'], spread: false }] };
  const members = membersOf(how)!.filter((m) => !m.spread && m.path.length < maxMemberDepth).map((m) => ({ path: [...m.path, 'i'], spread: false }));
  return members.length ? { members } : undefined;
}

const eachElement = new Set(['forEach', 'map', 'flatMap', 'filter', 'find', 'findLast', 'some', 'every']);

/**
 * The collection whose elements the variable or parameter `d`, declared inside `body`, goes through:
 * `for (const r of records)`, or the first parameter of a callback in `records.forEach((r) => ...)`.
 */
function iteratedIn(d: ts.Declaration, body: ts.Node): ts.Expression | undefined {
  if (d.getStart() < body.getStart() || d.getEnd() > body.getEnd()) return undefined;
  if (ts.isVariableDeclaration(d) && ts.isIdentifier(d.name) && ts.isVariableDeclarationList(d.parent) && ts.isForOfStatement(d.parent.parent)) return d.parent.parent.expression;
  if (!ts.isParameter(d) || !ts.isIdentifier(d.name)) return undefined;
  const fn = d.parent;
  if (!(ts.isArrowFunction(fn) || ts.isFunctionExpression(fn)) || fn.parameters[0] !== d) return undefined;
  const call = fn.parent;
  if (!ts.isCallExpression(call) || call.arguments[0] !== fn || !ts.isPropertyAccessExpression(call.expression) || !eachElement.has(call.expression.name.text)) return undefined;
  return call.expression.expression;
}

/** What a derived sink's caller knows of the inner transfer list: nothing of the caller's own values is listed unless the inner list may hold them. */
function outerTransfer(inner: TransferInfo): TransferInfo {
  return inner.kind === 'none' ? inner : { kind: 'unknown' };
}

/** The object a sink method is called on (`port` in `port.postMessage(m)`). */
function receiverOf(call: ts.CallExpression | ts.NewExpression): ts.Expression | undefined {
  return ts.isCallExpression(call) && ts.isPropertyAccessExpression(call.expression) ? call.expression.expression : undefined;
}

function methodName(call: ts.CallExpression | ts.NewExpression): string | undefined {
  return ts.isCallExpression(call) && ts.isPropertyAccessExpression(call.expression) ? call.expression.name.text : undefined;
}

function argAt(call: ts.CallExpression | ts.NewExpression, index: number): ts.Expression | undefined {
  const a = call.arguments?.[index];
  return a && !ts.isSpreadElement(a) ? a : undefined;
}

function calleeName(call: ts.CallExpression | ts.NewExpression): string | undefined {
  const e = call.expression;
  return ts.isIdentifier(e) ? e.text : ts.isPropertyAccessExpression(e) ? e.name.text : undefined;
}

/** The name a function is called by: its own, its method's, or the variable or property it initialises. */
/** The names of the functions (as functionName gives them) that directly contain one of `sinks`. */
/** enclosingFunctionNames as a comparable key ('' for none). */
function aroundKey(sinks: readonly Sink[]): string {
  return [...enclosingFunctionNames(sinks)].sort().join('\n');
}

function enclosingFunctionNames(sinks: readonly Sink[]): Set<string> {
  const out = new Set<string>();
  for (const sink of sinks) {
    for (let n: ts.Node | undefined = sink.call.parent; n; n = n.parent) {
      if (ts.isFunctionDeclaration(n) || ts.isMethodDeclaration(n) || ts.isFunctionExpression(n) || ts.isArrowFunction(n)) {
        const name = functionName(n);
        if (name) out.add(name);
        break;
      }
    }
  }
  return out;
}

function functionName(fn: ts.FunctionLikeDeclaration): string | undefined {
  if (fn.name && (ts.isIdentifier(fn.name) || ts.isPrivateIdentifier(fn.name))) return fn.name.text;
  const p = fn.parent;
  if ((ts.isVariableDeclaration(p) || ts.isPropertyDeclaration(p) || ts.isPropertyAssignment(p)) && p.name && ts.isIdentifier(p.name)) return p.name.text;
  return undefined;
}

const specifiersByFile = new WeakMap<ts.SourceFile, ts.StringLiteralLike[]>();

/** The module specifiers a file imports, re-exports or requires, found once per file version. */
function moduleSpecifiers(sf: ts.SourceFile): ts.StringLiteralLike[] {
  const cached = specifiersByFile.get(sf);
  if (cached) return cached;
  const out: ts.StringLiteralLike[] = [];
  specifiersByFile.set(sf, out);
  for (const st of sf.statements) {
    if ((ts.isImportDeclaration(st) || ts.isExportDeclaration(st)) && st.moduleSpecifier && ts.isStringLiteralLike(st.moduleSpecifier)) out.push(st.moduleSpecifier);
  }
  if (sf.text.includes('require(')) {
    const visit = (n: ts.Node): void => {
      if (ts.isCallExpression(n) && ts.isIdentifier(n.expression) && n.expression.text === 'require' && n.arguments[0] && ts.isStringLiteralLike(n.arguments[0])) out.push(n.arguments[0]);
      else ts.forEachChild(n, visit);
    };
    visit(sf);
  }
  return out;
}

interface FunctionBody {
  name: string;
  text: string;
  /** The distinct runs of word characters written right before a `(` in the body. */
  runs: readonly string[];
}

const wordOnly = /^[\w$]+$/;
const callRun = /[\w$]+(?=\()/g;

/**
 * A file's named functions split by whether their body mentions a sink, worked out once per file
 * version (an unchanged file keeps its SourceFile from program to program, so an edit reads only
 * itself) and per list of user sinks.
 */
const bodiesByFile = new WeakMap<ts.SourceFile, { userSinks: readonly UserSink[]; sending: string[]; others: FunctionBody[] }>();

function functionBodiesOf(sf: ts.SourceFile, userSinks: readonly UserSink[]): { sending: string[]; others: FunctionBody[] } {
  const hit = bodiesByFile.get(sf);
  if (hit && (hit.userSinks === userSinks || JSON.stringify(hit.userSinks) === JSON.stringify(userSinks))) return hit;
  const sending: string[] = [];
  const others: FunctionBody[] = [];
  // A name that is a sink only where its library is imported (idb-keyval's `set`): the body calls
  // it without naming the library, which the import at the top of the file does.
  const fileNames = fileCandidateNames(sf.text);
  const callsFileName = fileNames.length ? new RegExp(`\\b(?:${fileNames.join('|')})\\s*\\(`) : undefined;
  const visit = (n: ts.Node): void => {
    // A constructor is called by its class's name; whether it may send is read off the whole class (its methods send what it keeps).
    if (ts.isConstructorDeclaration(n) && n.body && ts.isClassDeclaration(n.parent) && n.parent.name) {
      const text = n.parent.getText(sf);
      if (mayContainSinks(text, userSinks) || callsFileName?.test(text)) sending.push(n.parent.name.text);
      else others.push({ name: n.parent.name.text, text, runs: [...new Set(text.match(callRun))] });
    }
    const fn = ts.isFunctionDeclaration(n) || ts.isMethodDeclaration(n) || ts.isFunctionExpression(n) || ts.isArrowFunction(n) ? n : undefined;
    if (fn?.body) {
      const name = functionName(fn);
      if (name) {
        const text = fn.body.getText(sf);
        if (mayContainSinks(text, userSinks) || callsFileName?.test(text)) sending.push(name);
        else others.push({ name, text, runs: [...new Set(text.match(callRun))] });
      }
    }
    ts.forEachChild(n, visit);
  };
  visit(sf);
  bodiesByFile.set(sf, { userSinks, sending, others });
  return { sending, others };
}

/**
 * The names of `universe` each run of word characters ends with, remembered per run for as long as
 * the universe of function names stays the same (an edit rarely adds or removes a function).
 */
let lastMatcher: { universe: Set<string>; byRun: Map<string, string[]> } | undefined;

function runMatcher(universe: Set<string>): (run: string) => string[] {
  const same = lastMatcher && lastMatcher.universe.size === universe.size && [...universe].every((n) => lastMatcher!.universe.has(n));
  if (!same) lastMatcher = { universe, byRun: new Map() };
  const { byRun } = lastMatcher!;
  return (run) => {
    let found = byRun.get(run);
    if (!found) {
      found = [];
      for (let i = 0; i < run.length; i++) {
        const tail = i === 0 ? run : run.slice(i);
        if (universe.has(tail)) found.push(tail);
      }
      byRun.set(run, found);
    }
    return found;
  };
}

const mentionsByFile = new WeakMap<ts.SourceFile, { userSinks: readonly UserSink[]; result: boolean }>();

/** `mayContainSinks` of a file's whole text, once per file version (a regex over every file of a large program per edit adds up). */
function fileMentionsSinks(sf: ts.SourceFile, userSinks: readonly UserSink[]): boolean {
  const hit = mentionsByFile.get(sf);
  if (hit && (hit.userSinks === userSinks || JSON.stringify(hit.userSinks) === JSON.stringify(userSinks))) return hit.result;
  const result = mayContainSinks(sf.text, userSinks);
  mentionsByFile.set(sf, { userSinks, result });
  return result;
}
