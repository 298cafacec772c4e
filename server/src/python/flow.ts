import * as path from 'node:path';
import type { SendcheckConfig } from '../engine/config';
import { definesPickleHooks, type CallSite, type ClassInfo, type FunctionInfo, type ModuleModel, type Scope } from './model';
import type { Node } from './parser';
import { callArgs, classChain, lookup, type ConcreteMethod, type Evaluator, type Site, type Value, type Workspace } from './resolve';
import type { ImportReach } from './lexical';
import { findSinks, sinkAtCall, type SentArgument, type Sink } from './sinks';

// Derived sinks: a function whose parameter reaches a sink (directly, through locals, containers,
// partials, objects built from it, or another derived sink) is itself a sink for that parameter,
// with the real sink's serializer and start method. Its callers are judged at their argument,
// where the bad value is and where the fix goes. Summaries are computed on demand, memoised for
// one check, and bounded: call depth, entries per function, and files that cannot reach a sink
// (no boundary word in them or in the workspace modules they import) are never parsed for this.

/** Files that mention none of these cannot hold a sink (see index.ts for the same test). */
export const boundaryWords =
  /\b(?:multiprocess(?:ing)?|concurrent|pickle|cloudpickle|dill|joblib|loky|dask|distributed|ray|Pool|Process|DataLoader|GridSearchCV|RandomizedSearchCV|cross_val_score|cross_validate|cross_val_predict)\b|Executor\b|\.(?:imap|imap_unordered|starmap|apply_async|map_async|starmap_async|submit|run_in_executor|delay)\(/;

/**
 * Calls whose receiver may be a parameter holding a queue, pool, executor or connection known only
 * to the callers (`def enqueue(q, job): q.put(job)`); a module that has one can export a sink even
 * when it names no boundary.
 */
const receiverMethods = /^(?:put|put_nowait|send|submit|map|starmap|apply|apply_async|map_async|starmap_async|imap|imap_unordered)$/;
const receiverCallText = /\b(\w+)\.(?:put|put_nowait|send|submit|map|starmap|apply|apply_async|map_async|starmap_async|imap|imap_unordered)[ \t]*\(/g;

/**
 * A cheap test on a module's text before it is parsed for receiver sinks: some such call is made
 * on a name that is a parameter of some def in the file (`def enqueue(q, job): q.put(job)`,
 * `def __init__(self, sink)` then `self.sink.put(...)`). Most `.map(`/`.send(`/`.put(` calls in a
 * library are on anything else, and those modules are left unparsed.
 */
const receiverWords = {
  test(text: string): boolean {
    if (!/\.(?:put|put_nowait|send|submit|map|starmap|apply|apply_async|map_async|starmap_async|imap|imap_unordered)[ \t]*\(/.test(text)) return false;
    const params = new Set<string>();
    for (const m of text.matchAll(/\bdef[ \t]+\w+[ \t]*\(([^)]*)\)/g))
      for (const p of m[1].split(',')) {
        const name = /^[ \t\n*]*(\w+)/.exec(p)?.[1];
        if (name && name !== 'self' && name !== 'cls') params.add(name);
      }
    for (const m of text.matchAll(receiverCallText)) if (params.has(m[1])) return true;
    return false;
  },
};

const MAX_CALL_DEPTH = 4;
const MAX_ENTRIES = 12;

export interface ChainLink {
  site: Site;
  /** `save(model)`, `pickle.dump(model)`. */
  text: string;
}

export interface ParamSink {
  /** The parameter's position among the function's parameters (`self` counts). */
  index: number;
  name: string;
  /** The real sink at the end of the chain. */
  sink: Sink;
  /** The parameter is the iterable of a map-like sink: its items are sent. */
  items?: 1 | 2;
  /** An attribute path of the parameter is what is sent (`submit(run, job.context)`). */
  attrs?: string[];
  /** From the call inside the function down to the real sink. */
  chain: ChainLink[];
}

export interface DerivedCall {
  call: CallSite;
  fn: FunctionInfo;
  arg: Node;
  entry: ParamSink;
}

interface Occurrence {
  index: number;
  name: string;
  segments: string[];
  /** An element of the parameter is sent (`for job in jobs: submit(run, job)`): the caller's items are judged. */
  element?: 1 | 2;
  /** An attribute path of the parameter is sent (`job.context`). */
  attrs?: string[];
}

function short(text: string): string {
  const one = text.replace(/\s+/g, ' ');
  return one.length > 40 ? `${one.slice(0, 37)}…` : one;
}

export class Flow {
  private sinks = new Map<ModuleModel, Sink[]>();
  private summaries = new Map<FunctionInfo, ParamSink[]>();
  private active = new Set<FunctionInfo>();
  private userWords: string[];

  constructor(
    readonly ws: Workspace,
    readonly ev: Evaluator,
    readonly config: SendcheckConfig,
    readonly methodOf: (m: ModuleModel) => ConcreteMethod,
  ) {
    this.userWords = config.sinks.filter((s) => s.language === 'python').map((s) => s.function.split('.').pop()!);
  }

  /** The direct sinks of a module, found once per check. */
  moduleSinks(model: ModuleModel): Sink[] {
    let list = this.sinks.get(model);
    if (!list) this.sinks.set(model, (list = findSinks(model, this.ev, this.config, this.methodOf(model))));
    return list;
  }

  private mentionsBoundary(text: string): boolean {
    if (!this.ws.prefilter) return true;
    return boundaryWords.test(text) || this.userWords.some((w) => text.includes(w));
  }

  /**
   * The lexical tests of a module's text, once per file and check: every file that imports it
   * asks again, and the boundary pattern (no literal to skip ahead to) scans the whole text.
   */
  private lexical = new Map<string, { boundary: boolean; receiver?: boolean }>();
  private lexicalOf(file: string, text: string): { boundary: boolean; receiver?: boolean } {
    let hit = this.lexical.get(file);
    if (!hit) this.lexical.set(file, (hit = { boundary: this.mentionsBoundary(text) && this.reachesBoundary(file) }));
    return hit;
  }

  /** Whether the file's imports lead to a library a sink comes from: a file whose do not is never parsed (lexical.ts). */
  private importReach?: ImportReach;
  private reachesBoundary(file: string): boolean {
    return (this.importReach ??= this.ws.importReach(this.config)).reachesBoundary(file);
  }

  /** The module names a boundary, or may send through a receiver its callers pass (`def enqueue(q, job): q.put(job)`). */
  private mayExportSink(file: string, text: string): boolean {
    const lex = this.lexicalOf(file, text);
    if (lex.boundary) return true;
    return (lex.receiver ??= receiverWords.test(text));
  }

  private names = new Map<string, Set<string>>();
  private exported = new Map<ModuleModel, Set<string>>();
  private imports = new Map<string, string[]>();
  private textDefs = new Map<string, string[]>();
  private reach = new Map<string, boolean>();
  private callsByScope = new Map<ModuleModel, Map<Scope, CallSite[]>>();

  private importedFiles(file: string, text: string): string[] {
    let list = this.imports.get(file);
    if (!list) this.imports.set(file, (list = readImports(this.ws, file, text)));
    return list;
  }

  private callsIn(model: ModuleModel, scope: Scope): CallSite[] {
    let byScope = this.callsByScope.get(model);
    if (!byScope) {
      byScope = new Map();
      for (const c of model.calls) {
        const list = byScope.get(c.scope);
        if (list) list.push(c);
        else byScope.set(c.scope, [c]);
      }
      this.callsByScope.set(model, byScope);
    }
    return byScope.get(scope) ?? [];
  }

  /** The imported workspace modules that name a boundary (only those can export a derived sink). */
  private boundaryImports(file: string, text: string): ModuleModel[] {
    // Asked for the same file by mayReachSink, callableSinkNames and sendingClass.
    let out = this.boundaryImported.get(file);
    if (out) return out;
    out = [];
    let called: Set<string> | undefined;
    for (const target of this.importedFiles(file, text)) {
      const t = this.ws.text(target);
      if (t === undefined || !this.mayExportSink(target, t)) continue;
      // Parsed only when this file calls a name the module defines (read from both texts).
      called ??= new Set(Array.from(text.matchAll(/\b(\w+)[ \t]*\(/g), (m) => m[1]));
      let defs = this.textDefs.get(target);
      if (!defs) this.textDefs.set(target, (defs = Array.from(t.matchAll(/^[ \t]*(?:(?:async[ \t]+)?def|class)[ \t]+(\w+)/gm), (m) => m[1])));
      if (!defs.some((d) => called!.has(d))) continue;
      const m = this.ws.model(target);
      if (m) out.push(m);
    }
    this.boundaryImported.set(file, out);
    return out;
  }
  private boundaryImported = new Map<string, ModuleModel[]>();

  /**
   * Names of the functions of a module (top level or methods) that are derived sinks: those holding
   * a sink, and those calling one of them by name, kept when their summary is not empty.
   */
  sinkFunctionNames(model: ModuleModel): Set<string> {
    let names = this.exported.get(model);
    if (names) return names;
    names = new Set();
    this.exported.set(model, names);
    const fns = new Set<FunctionInfo>();
    for (const sink of this.moduleSinks(model)) if (sink.call.scope.fn) fns.add(sink.call.scope.fn);
    const holding = new Set([...fns].map((f) => f.name));
    for (const site of model.calls) {
      const f = site.node.childForFieldName('function');
      const name = f?.type === 'attribute' ? f.childForFieldName('attribute')?.text : f?.text;
      if (site.scope.fn && name && holding.has(name)) fns.add(site.scope.fn);
    }
    for (const fn of fns) if (this.summary(fn).length) names.add(fn.name);
    for (const site of model.calls) if (site.scope.fn && this.receiverCalls(site.scope.fn).length) names.add(site.scope.fn.name);
    return names;
  }

  /**
   * Names a call in `file` must have to be worth resolving as a derived sink: functions defined in
   * the file, and the derived sinks of the boundary modules it imports. A call by any other name is
   * not resolved (resolving it could parse modules that have nothing to do with a boundary).
   */
  private callableSinkNames(file: string): Set<string> {
    let set = this.names.get(file);
    if (set) return set;
    set = new Set();
    this.names.set(file, set);
    const text = this.ws.text(file);
    if (text === undefined) return set;
    for (const m of text.matchAll(/^[ \t]*(?:async[ \t]+)?def[ \t]+(\w+)/gm)) set.add(m[1]);
    for (const m of this.boundaryImports(file, text)) for (const n of this.sinkFunctionNames(m)) set.add(n);
    return set;
  }

  /**
   * Whether calls made in `file` may reach a sink: it names a boundary itself, or it calls by name
   * a derived sink of a workspace module it imports.
   */
  mayReachSink(file: string): boolean {
    const hit = this.reach.get(file);
    if (hit !== undefined) return hit;
    this.reach.set(file, false);
    const text = this.ws.text(file);
    let result = false;
    // Whatever it calls, a file that cannot get hold of a sink's library sends nothing.
    if (text !== undefined && this.reachesBoundary(file)) {
      if (this.lexicalOf(file, text).boundary) result = true;
      else
        for (const m of this.boundaryImports(file, text)) {
          for (const n of this.sinkFunctionNames(m))
            if (new RegExp(`\\b${n}\\s*\\(`).test(text)) {
              result = true;
              break;
            }
          if (result) break;
        }
    }
    this.reach.set(file, result);
    return result;
  }

  /** The workspace function a call invokes, and how many leading parameters the call binds implicitly. */
  callee(site: CallSite): { fn: FunctionInfo; offset: number } | undefined {
    const fnNode = site.node.childForFieldName('function');
    if (!fnNode) return undefined;
    // Resolve only what may lead to a sink, so unrelated imports are never parsed: the called name
    // must be defined by a `def` in this file or in an imported module that names a boundary.
    const called = fnNode.type === 'attribute' ? fnNode.childForFieldName('attribute') : fnNode;
    const file = site.scope.module.file;
    if (!called || !this.callableSinkNames(file).has(called.text)) return undefined;
    let root: Node = fnNode;
    while (root.type === 'attribute') root = root.childForFieldName('object') ?? root;
    if (root.type !== 'identifier') return undefined;
    const b = lookup(root.text, site.scope, root);
    if (!b) return undefined;
    const direct = root.parent?.id === fnNode.id || root.id === fnNode.id;
    switch (b.kind) {
      case 'import': {
        // `save(...)` from `from .store import save`, `store.save(...)` from `import store`: the
        // module that defines it must name a boundary.
        if (!direct) return undefined;
        const target = b.asModule
          ? this.ws.locate(file, b.module, 0)
          : (this.ws.locate(file, b.module ? `${b.module}.${b.member}` : (b.member ?? ''), b.level) ?? this.ws.locate(file, b.module, b.level));
        if (!target) return undefined;
        const text = this.ws.text(target);
        const model = text !== undefined && this.mayExportSink(target, text) ? this.ws.model(target) : undefined;
        if (!model || !this.sinkFunctionNames(model).has(called.text)) return undefined;
        break;
      }
      case 'def':
      case 'param':
      case 'value':
      case 'annotation':
        break;
      default:
        return undefined;
    }
    return this.functionOf(this.ev.eval(fnNode, site.scope));
  }

  private functionOf(v: Value): { fn: FunctionInfo; offset: number } | undefined {
    if (v.kind === 'function') {
      const fn = v.fn;
      // `Class.method(obj, ...)` binds nothing implicitly; a classmethod binds the class.
      const isClassMethod = fn.decorators.some((d) => /\bclassmethod\b/.test(d.text));
      return { fn, offset: isClassMethod ? 1 : 0 };
    }
    if (v.kind === 'method' && v.fn && v.self.kind === 'instance') {
      const isStatic = v.fn.decorators.some((d) => /\bstaticmethod\b/.test(d.text));
      return { fn: v.fn, offset: isStatic ? 0 : 1 };
    }
    return undefined;
  }

  /** The parameters of `fn` that reach a sink, each with the chain to it. */
  summary(fn: FunctionInfo, depth = 0): ParamSink[] {
    const hit = this.summaries.get(fn);
    if (hit) return hit;
    if (this.active.has(fn) || depth > MAX_CALL_DEPTH) return [];
    if (!this.mayReachSink(fn.module.file)) {
      this.summaries.set(fn, []);
      return [];
    }
    this.active.add(fn);
    const out: ParamSink[] = [];
    const add = (e: ParamSink) => {
      if (out.length >= MAX_ENTRIES) return;
      if (out.some((o) => o.index === e.index && o.sink === e.sink && o.chain.length === e.chain.length && `${o.attrs}` === `${e.attrs}`)) return;
      out.push(e);
    };
    try {
      const model = fn.module;
      const direct = new Set<number>();
      for (const sink of this.moduleSinks(model)) {
        if (sink.call.scope !== fn.scope) continue;
        direct.add(sink.call.node.id);
        if (caughtInside(sink.call.node, fn)) continue;
        for (const sent of sink.sent)
          for (const e of this.sentParams(fn, sink, sent, sink.call, `${sink.name}(${/^[a-z_]+$/.test(sent.label) && sent.label !== 'obj' ? `${sent.label}=` : ''}${short(sent.node.text)})`)) add(e);
      }
      for (const site of this.callsIn(model, fn.scope)) {
        if (direct.has(site.node.id) || caughtInside(site.node, fn)) continue;
        const target = this.callee(site);
        if (!target || target.fn === fn) continue;
        const entries = this.summary(target.fn, depth + 1);
        if (!entries.length) continue;
        for (const entry of entries) {
          const arg = argumentFor(site.node, target.fn, entry, target.offset);
          if (!arg) continue;
          const v = this.ev.eval(arg, fn.scope);
          for (const occ of this.paramsIn(v, fn, [], 0)) {
            if (entry.items && occ.segments.length > 0) continue;
            const items = (entry.items ?? 0) + (occ.element ?? 0);
            if (items > 2 || (occ.element && occ.segments.length)) continue;
            // `helper(job.context)` where helper sends `ctx.lock`: the paths join.
            const attrs = [...(occ.attrs ?? []), ...(entry.attrs ?? [])];
            if (attrs.length && (items || occ.segments.length || attrs.length > 3)) continue;
            add({
              index: occ.index,
              name: occ.name,
              sink: entry.sink,
              items: items ? (items as 1 | 2) : undefined,
              attrs: attrs.length ? attrs : undefined,
              chain: [{ site: { module: model, node: site.node }, text: `${target.fn.name}(${short(arg.text)})` }, ...entry.chain],
            });
          }
        }
      }
    } finally {
      this.active.delete(fn);
    }
    this.summaries.set(fn, out);
    return out;
  }

  /**
   * The parameters of `fn` that one argument of a sink made in `fn` sends, each as an entry whose
   * chain is that sink call (`text` names it in messages).
   */
  private sentParams(fn: FunctionInfo, sink: Sink, sent: SentArgument, call: CallSite, text: string): ParamSink[] {
    const out: ParamSink[] = [];
    for (const occ of this.paramsIn(this.ev.eval(sent.node, fn.scope), fn, [], 0)) {
      // Items of a map-like sink: the parameter may be the iterable, or one item in it.
      if (sent.items && occ.segments.length > 1) continue;
      const items = (sent.items && occ.segments.length === 0 ? sent.items : 0) + (occ.element ?? 0);
      if (items > 2 || (occ.element && occ.segments.length)) continue;
      if (occ.attrs && (items || occ.segments.length)) continue;
      out.push({ index: occ.index, name: occ.name, sink, items: items ? (items as 1 | 2) : undefined, attrs: occ.attrs, chain: [{ site: { module: fn.module, node: call.node }, text }] });
    }
    return out;
  }

  /** Where the parameters of `fn` sit inside a value: the value itself, an item, a partial's argument, an attribute set from a constructor argument. */
  private paramsIn(v: Value, fn: FunctionInfo, segments: string[], depth: number): Occurrence[] {
    if (depth > 3) return [];
    switch (v.kind) {
      case 'param':
        return v.fn === fn ? [{ index: v.index, name: v.name, segments, element: v.element, attrs: v.attrs }] : [];
      case 'container':
        return v.items.flatMap((item) => this.paramsIn(item.value, fn, [...segments, item.label], depth + 1));
      case 'partial':
        return [...this.paramsIn(v.func, fn, [...segments, '.func'], depth + 1), ...v.args.flatMap((a) => this.paramsIn(a.value, fn, [...segments, a.label], depth + 1))];
      case 'method':
        return this.paramsIn(v.self, fn, segments, depth + 1);
      case 'union':
        return v.options.flatMap((o) => this.paramsIn(o, fn, segments, depth + 1));
      case 'instance': {
        if (!v.call || !v.callScope || v.callScope.fn !== fn) return [];
        const out: Occurrence[] = [];
        for (const c of classChain(v.cls, this.ev)) {
          for (const f of c.fields) out.push(...this.paramsIn(this.ev.fieldValue(v, c, f, 2), fn, [...segments, `self.${f.name}`], depth + 1));
          for (const [name, list] of c.attrs)
            for (const a of list) if (a.scope.fn?.name === '__init__') out.push(...this.paramsIn(this.ev.attrValue(v, a, 2), fn, [...segments, `self.${name}`], depth + 1));
        }
        return out;
      }
      default:
        return [];
    }
  }

  /** Every call in `model` to a function that is a derived sink, with the argument each entry judges. */
  derivedCalls(model: ModuleModel): DerivedCall[] {
    const out: DerivedCall[] = [];
    for (const site of model.calls) {
      const made = this.sendingClass(site);
      if (made) {
        for (const entry of this.constructorEntries(site, made.cls))
          if (made.init) {
            const arg = argumentFor(site.node, made.init, entry, 1);
            if (arg) out.push({ call: site, fn: made.init, arg, entry });
          }
        continue;
      }
      const target = this.callee(site);
      if (!target) continue;
      for (const entry of this.summary(target.fn)) {
        const arg = argumentFor(site.node, target.fn, entry, target.offset);
        if (arg) out.push({ call: site, fn: target.fn, arg, entry });
      }
      for (const entry of this.receiverEntries(site, target.fn, target.offset)) {
        const arg = argumentFor(site.node, target.fn, entry, target.offset);
        if (arg) out.push({ call: site, fn: target.fn, arg, entry });
      }
    }
    return out;
  }

  private sendingNames = new Map<string, Set<string>>();
  private selfSendMemo = new Map<ClassInfo, { fn: FunctionInfo; sink: Sink; label: string; text: string }[]>();

  /**
   * `Uploader(conn)` where `Uploader` comes from another workspace module and one of its methods
   * sends the object itself (`Process(target=self.run)`, `pickle.dump(self, fh)`, `q.put(self)`).
   * (A class built in its own module is judged at that inner send, with the constructor's
   * arguments as the values of its attributes.)
   */
  private sendingClass(site: CallSite): { cls: ClassInfo; init?: FunctionInfo } | undefined {
    const fnNode = site.node.childForFieldName('function');
    const called = fnNode?.type === 'attribute' ? fnNode.childForFieldName('attribute') : fnNode;
    if (!fnNode || !called || called.type !== 'identifier') return undefined;
    const file = site.scope.module.file;
    let names = this.sendingNames.get(file);
    if (!names) {
      names = new Set();
      this.sendingNames.set(file, names);
      const text = this.ws.text(file);
      if (text !== undefined)
        for (const m of this.boundaryImports(file, text)) for (const cls of m.classes) if (!cls.local && this.selfSends(cls).length) names.add(cls.name);
    }
    if (!names.has(called.text)) return undefined;
    const v = this.ev.eval(fnNode, site.scope);
    if (v.kind !== 'class' || v.cls.module === site.scope.module) return undefined;
    const init = classChain(v.cls, this.ev)
      .map((c) => c.methods.get('__init__'))
      .find((m) => m);
    return { cls: v.cls, init };
  }

  /** The methods of `cls` (and its bases) that send the object itself, each with its sink. */
  selfSends(cls: ClassInfo): { fn: FunctionInfo; sink: Sink; label: string; text: string }[] {
    let list = this.selfSendMemo.get(cls);
    if (list) return list;
    list = [];
    this.selfSendMemo.set(cls, list);
    const chain = classChain(cls, this.ev);
    for (const c of chain)
      for (const fn of c.methods.values()) {
        if (!fn.params.length || fn.decorators.some((d) => /staticmethod|classmethod/.test(d.text))) continue;
        for (const sink of this.moduleSinks(fn.module)) {
          if (sink.call.scope !== fn.scope || caughtInside(sink.call.node, fn)) continue;
          for (const sent of sink.sent)
            if (this.holdsSelf(this.ev.eval(sent.node, fn.scope), chain, 0)) list.push({ fn, sink, label: sent.label, text: sent.node.text });
        }
      }
    return list;
  }

  private holdsSelf(v: Value, chain: ClassInfo[], depth: number): boolean {
    if (depth > 3) return false;
    switch (v.kind) {
      case 'instance':
        return !v.call && chain.includes(v.cls);
      case 'method':
        return this.holdsSelf(v.self, chain, depth + 1);
      case 'container':
        return v.items.some((i) => this.holdsSelf(i.value, chain, depth + 1));
      case 'partial':
        return this.holdsSelf(v.func, chain, depth + 1) || v.args.some((a) => this.holdsSelf(a.value, chain, depth + 1));
      case 'union':
        return v.options.some((o) => this.holdsSelf(o, chain, depth + 1));
      default:
        return false;
    }
  }

  /**
   * A constructor call of a class that sends itself: each `__init__` parameter stored in
   * `self.x` (or dataclass field) crosses when a sending method runs on the new object (called on
   * it where it is made, or `__init__` itself). A class with pickle hooks decides for itself.
   */
  private constructorEntries(site: CallSite, cls: ClassInfo): ParamSink[] {
    const chain = classChain(cls, this.ev);
    if (chain.some((c) => definesPickleHooks(c))) return [];
    const made = this.ev.eval(site.node, site.scope);
    if (made.kind !== 'instance') return [];
    const called = this.ev.methodsCalledOn(made);
    const sends = this.selfSends(cls).filter((s) => s.fn.name === '__init__' || called.has(s.fn.name));
    if (!sends.length) return [];
    const out: ParamSink[] = [];
    const init = chain.map((c) => c.methods.get('__init__')).find((m) => m);
    const stored: { index: number; name: string; attr: string; statement: Node; module: ModuleModel }[] = [];
    if (init)
      for (const c of chain)
        for (const [attr, list] of c.attrs)
          for (const a of list) {
            if (a.scope.fn !== init || a.value?.type !== 'identifier' || a.unpack.length) continue;
            const b = lookup(a.value.text, init.scope, a.value);
            if (b?.kind === 'param' && b.fn === init && b.index >= 1 && !b.annotation) stored.push({ index: b.index, name: b.name, attr, statement: a.statement, module: c.module });
          }
    for (const s of stored)
      for (const send of sends) {
        out.push({
          index: s.index,
          name: s.name,
          sink: send.sink,
          chain: [
            { site: { module: s.module, node: s.statement }, text: `self.${s.attr} = ${s.name}` },
            { site: { module: send.fn.module, node: send.sink.call.node }, text: `${send.sink.name}(${/^[a-z_]+$/.test(send.label) && send.label !== 'obj' ? `${send.label}=` : ''}${short(send.text)})` },
          ],
        });
        break;
      }
    return out;
  }

  private receivers = new Map<FunctionInfo, { call: CallSite; index: number; name: string }[]>();

  /**
   * Calls in `fn` on a parameter that are not sinks by themselves but may be, depending on what
   * the caller passes: `q.put(job)`, `pool.map(run, items)`, `ex.submit(run, job)`.
   */
  receiverCalls(fn: FunctionInfo): { call: CallSite; index: number; name: string }[] {
    let list = this.receivers.get(fn);
    if (list) return list;
    list = [];
    this.receivers.set(fn, list);
    const direct = new Set(this.moduleSinks(fn.module).map((s) => s.call.node.id));
    for (const site of this.callsIn(fn.module, fn.scope)) {
      const f = site.node.childForFieldName('function');
      if (f?.type !== 'attribute' || !receiverMethods.test(f.childForFieldName('attribute')?.text ?? '')) continue;
      let obj = f.childForFieldName('object');
      if (direct.has(site.node.id) || caughtInside(site.node, fn)) continue;
      const isMethod = fn.outer.kind === 'class' && !fn.decorators.some((d) => /staticmethod|classmethod/.test(d.text));
      // `self.q.put(item)`: the queue is an attribute of the object the caller calls the method on.
      if (obj?.type === 'attribute' && isMethod && obj.childForFieldName('object')?.text === fn.params[0]) obj = obj.childForFieldName('object');
      if (obj?.type !== 'identifier') continue;
      const b = lookup(obj.text, fn.scope, obj);
      if (b?.kind !== 'param' || b.fn !== fn || b.index < 0 || b.annotation) continue;
      if (b.index === 0 && isMethod && f.childForFieldName('object')?.type !== 'attribute') continue;
      list.push({ call: site, index: b.index, name: b.name });
      if (list.length >= MAX_ENTRIES) break;
    }
    return list;
  }

  /**
   * The sinks a call of `fn` makes through the receivers its arguments provide: `enqueue(mp_queue,
   * job)` makes `q.put(job)` a Queue.put for this call (another caller passing a `queue.Queue`
   * makes it none). Each parameter the sink sends becomes an entry judged at this call.
   */
  private receiverEntries(site: CallSite, fn: FunctionInfo, offset: number): ParamSink[] {
    const calls = this.receiverCalls(fn);
    if (!calls.length) return [];
    const out: ParamSink[] = [];
    for (const rc of calls) {
      let receiver: Value;
      if (rc.index === 0 && offset === 1) {
        // `producer.emit(item)`: the object the method is called on, as built where it is known.
        const f = site.node.childForFieldName('function');
        const obj = f?.type === 'attribute' ? f.childForFieldName('object') : undefined;
        receiver = obj ? this.ev.eval(obj, site.scope) : { kind: 'unknown' };
        if (receiver.kind !== 'instance' || !receiver.call) continue;
      } else {
        const arg = argumentFor(site.node, fn, { index: rc.index, name: rc.name } as ParamSink, offset);
        if (!arg) continue;
        receiver = this.ev.eval(arg, site.scope);
        if (receiver.kind !== 'object') continue;
      }
      const sink = sinkAtCall(rc.call, this.ev.withArguments(fn, new Map([[rc.index, receiver]])), this.config, this.methodOf(fn.module));
      if (!sink) continue;
      for (const sent of sink.sent) out.push(...this.sentParams(fn, sink, sent, rc.call, `${sink.name}(${short(sent.node.text)})`));
    }
    return out;
  }
}

const caughtPickleErrors = /^(?:Exception|BaseException|TypeError|AttributeError|(?:pickle\.)?PicklingError|ValueError)$/;

/**
 * Whether a failure at `call` is caught inside `fn`: a helper that tries pickle and falls back
 * (`try: pickle.dumps(x) except Exception: cloudpickle.dumps(x)`) does not hand the failure to
 * its callers, so it is no derived sink.
 */
function caughtInside(call: Node, fn: FunctionInfo): boolean {
  for (let n: Node | null = call.parent, child: Node = call; n && n.id !== fn.node.id; child = n, n = n.parent) {
    if (n.type !== 'try_statement' || n.childForFieldName('body')?.id !== child.id) continue;
    for (const clause of n.namedChildren) {
      if (clause?.type !== 'except_clause') continue;
      const caught = clause.namedChildren.filter((c): c is Node => !!c && c.type !== 'block' && c.type !== 'comment');
      if (caught.length === 0) return true;
      const first = caught[0].type === 'as_pattern' ? caught[0].namedChildren[0] : caught[0];
      const names = first?.type === 'tuple' ? first.namedChildren.map((c) => c?.text ?? '') : [first?.text ?? ''];
      if (names.some((t) => caughtPickleErrors.test(t))) return true;
    }
  }
  return false;
}

/** The argument a call passes for the entry's parameter, by keyword or by position. */
function argumentFor(call: Node, fn: FunctionInfo, entry: ParamSink, offset: number): Node | undefined {
  const { positional, keywords, splat } = callArgs(call);
  const byName = keywords.get(entry.name);
  if (byName) return byName;
  if (splat) return undefined;
  const i = entry.index - offset;
  if (i < 0 || fn.params[entry.index] !== entry.name) return undefined;
  return positional[i];
}

// The names run to the end of the line (with `\` continuations) or to the closing parenthesis.
const fromImport = /^[ \t]*from[ \t]+(\.*)([\w.]*)[ \t]+import[ \t]+(?:\(([^)]*)\)|([^\n]*(?:\\\n[^\n]*)*))/gm;
const plainImport = /^[ \t]*import[ \t]+([\w.]+(?:[ \t]*,[ \t]*[\w.]+)*)/gm;

/** The workspace files a module imports, read from its text (submodules named in `from pkg import mod` included). */
function readImports(ws: Workspace, file: string, text: string): string[] {
  const out = new Set<string>();
  const add = (name: string, level: number): string | undefined => {
    const f = ws.locate(file, name, level);
    if (f && f !== file) out.add(path.normalize(f));
    return f;
  };
  for (const m of text.matchAll(fromImport)) {
    const level = m[1].length;
    const mod = m[2];
    const found = mod || level ? add(mod, level) : undefined;
    // `from pkg import store` may import a submodule: probed only when `pkg` is a package here
    // (every probe is a file-system lookup, and most imported names are plain members).
    if (mod && !(found && path.basename(found) === '__init__.py')) continue;
    for (const part of (m[3] ?? m[4] ?? '').split(',')) {
      const n = part.trim().split(/\s+/)[0]?.replace(/[()\\]/g, '');
      if (n && /^\w+$/.test(n)) add(mod ? `${mod}.${n}` : n, level);
    }
    if (out.size > 24) break;
  }
  for (const m of text.matchAll(plainImport)) for (const n of m[1].split(/\s*,\s*/)) add(n.trim(), 0);
  return [...out];
}
