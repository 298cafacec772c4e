import * as path from 'node:path';
import type { SendcheckConfig } from '../engine/config';
import { definesPickleHooks, enclosingScope, KWARGS, VARARGS, type CallSite, type ClassInfo, type FunctionInfo, type ModuleModel, type Scope } from './model';
import type { Node } from './parser';
import { classChain, lookup, type ConcreteMethod, type Evaluator, type Site, type Value, type Workspace } from './resolve';
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
  /** For `*args`: only the extra positional argument at this index crosses (`helper(*args)` where helper sends its second parameter). */
  at?: number;
  /** For `*args`: only the extra positional arguments from this index on cross. */
  from?: number;
  /** For `**kwargs`: only the extra keyword argument of this name crosses. */
  key?: string;
  /** From the call inside the function down to the real sink. */
  chain: ChainLink[];
}

export interface DerivedCall {
  call: CallSite;
  fn: FunctionInfo;
  arg: Node;
  entry: ParamSink;
  /** The argument's value when it was taken out of a splatted container (`helper(*job_args)`). */
  value?: Value;
  /** How the message names the argument (`args[1]`, `kwargs[lock]`, `*jobs`); the entry's name otherwise. */
  label?: string;
  /** Replaces the entry's `items` for one extra argument of `*args` (see `boundArguments`). */
  items?: number;
  /** The module `arg` is in, when it is not the caller's (a value the helper makes itself). */
  module?: ModuleModel;
}

interface Occurrence {
  index: number;
  name: string;
  segments: string[];
  /** An element of the parameter is sent (`for job in jobs: submit(run, job)`): the caller's items are judged. */
  element?: 1 | 2;
  /** An attribute path of the parameter is sent (`job.context`). */
  attrs?: string[];
  /** The depths (into `segments`) where the path went through a dict's values, which iterating the dict does not give. */
  dictAt?: number[];
  /** Only this extra positional argument of `*args` is sent (`args[0]`). */
  at?: number;
  /** Only this extra keyword argument of `**kwargs` is sent (`kwargs["cb"]`). */
  key?: string;
}

/**
 * How deep into the parameter the items of a map-like sink reach (0: it crosses whole) when it
 * sits at `occ.segments` inside the iterable whose items (`items` levels) are sent: a parameter
 * inside one item crosses whole, the iterable itself has its items sent. Undefined when the path
 * goes through a dict at a level that is iterated (iterating a dict gives its keys, not its values).
 */
function itemsLevel(occ: Occurrence, items: number): number | undefined {
  if (!items || !occ.segments.length) return items;
  if ((occ.dictAt ?? []).some((d) => d < Math.min(items, occ.segments.length))) return undefined;
  return Math.max(0, items - occ.segments.length);
}

/**
 * The items level of an entry for an occurrence read out of `*args` / `**kwargs` (`args[0]`,
 * `kwargs["cb"]`): a `*args` entry counts the tuple itself as a level, so the one argument read
 * from it is one level deeper; a `**kwargs` entry has no items level. Undefined when it cannot be said.
 */
function narrow(occ: Occurrence, items: number): { items: number } | undefined {
  if (occ.at !== undefined) return items + 1 <= 2 ? { items: items ? items + 1 : 0 } : undefined;
  if (occ.key !== undefined) return items ? undefined : { items: 0 };
  return { items };
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
    for (const fn of fns)
      if (this.summary(fn).length) {
        names.add(fn.name);
        // `ParallelGenerator(source)` whose `__init__` sends `source`: the class name is the call.
        if (fn.name === '__init__' && fn.outer.kind === 'class' && fn.outer.cls) names.add(fn.outer.cls.name);
        // A decorator or factory that returns this nested function makes derived sinks too.
        for (let s: Scope | undefined = fn.outer; s && s.kind === 'function'; s = s.parent) if (s.fn) names.add(s.fn.name);
      }
    // A def whose decorator's wrapper is a derived sink is one under its own name.
    for (const list of model.scope.bindings.values())
      for (const b of list) {
        if (b.kind !== 'def' || !b.fn.decorators.length || names.has(b.name)) continue;
        const wrapper = this.ev.calledWrapper(b.fn);
        if (wrapper && this.summary(wrapper).length) names.add(b.name);
      }
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
    // A class of this file is called through its `__init__`.
    for (const m of text.matchAll(/^[ \t]*class[ \t]+(\w+)/gm)) set.add(m[1]);
    for (const m of this.boundaryImports(file, text)) for (const n of this.sinkFunctionNames(m)) set.add(n);
    // `fast_sort = in_pool(sort_rows)`: a name bound to what such a function returns (a wrapper).
    for (const m of text.matchAll(/^[ \t]*(\w+)[ \t]*=[ \t]*(\w+)[ \t]*\(/gm)) if (set.has(m[2])) set.add(m[1]);
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
      // `ex.map(...)` (too common a name for boundaryWords) on what a boundary module's function
      // made (`with make_executor() as ex:`): the pool or executor comes from that module.
      else if (/\.map[ \t]*\(/.test(text) && this.boundaryImports(file, text).length) result = true;
      else
        for (const m of this.boundaryImports(file, text)) {
          for (const n of this.sinkFunctionNames(m))
            if (new RegExp(`\\b${n}\\s*\\(|@${n}\\b`).test(text)) {
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
    // `Runner(pool).run(...)`, `make_store().save(...)`: the method of an object made in place.
    let root: Node = fnNode;
    for (let hops = 0; hops < 8 && (root.type === 'attribute' || root.type === 'call'); hops++)
      root = (root.type === 'attribute' ? root.childForFieldName('object') : root.childForFieldName('function')) ?? root;
    if (root.type !== 'identifier') return undefined;
    const b = lookup(root.text, site.scope, root);
    if (!b) return undefined;
    const direct = root.parent?.id === fnNode.id || root.id === fnNode.id;
    switch (b.kind) {
      case 'import': {
        // `save(...)` from `from .store import save`, `store.save(...)` from `import store`: the
        // module that defines it must name a boundary.
        // `Runner(learner, pool).run(n)` with `from .runner import Runner`: a method of an object
        // made in place from an imported class is looked up in the class's module as well.
        if (!direct && b.asModule) return undefined;
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
      case 'class':
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
      // `@in_subprocess def work(...)`: calling `work` runs the decorator's wrapper.
      const wrapper = fn.decorators.length && fn.outer.kind !== 'class' ? this.ev.calledWrapper(fn) : undefined;
      if (wrapper) return { fn: wrapper, offset: 0 };
      // `Class.method(obj, ...)` binds nothing implicitly; a classmethod binds the class.
      const isClassMethod = fn.decorators.some((d) => /\bclassmethod\b/.test(d.text));
      return { fn, offset: isClassMethod ? 1 : 0 };
    }
    if (v.kind === 'class') {
      // `ParallelGenerator(gen)`: the constructor call runs `__init__` with the new object as
      // `self`, so what `__init__` sends of its parameters crosses from the caller's arguments.
      const init = classChain(v.cls, this.ev)
        .map((c) => c.methods.get('__init__'))
        .find((m) => m);
      return init ? { fn: init, offset: 1 } : undefined;
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
      if (out.some((o) => o.index === e.index && o.sink === e.sink && o.chain.length === e.chain.length && `${o.attrs}` === `${e.attrs}` && o.at === e.at && o.from === e.from && o.key === e.key)) return;
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
          for (const bound of boundArguments(site, target.fn, entry, target.offset, this.ev)) {
            const arg = bound.node;
            const v = bound.value ?? this.ev.eval(arg, fn.scope);
            const link = { site: { module: model, node: site.node }, text: `${target.fn.name}(${short(bound.splat ? bound.splat.text : arg.text)})` };
            if (bound.open) {
              for (const e of this.throughSplat(fn, entry, bound, v)) add({ ...e, sink: entry.sink, chain: [link, ...entry.chain] });
              continue;
            }
            const entryItems = bound.items ?? entry.items ?? 0;
            for (const occ of this.paramsIn(v, fn, [], 0)) {
              if (occ.index < 0 && occ.segments.length) {
                // `helper((path, *args))`: the caller's extra arguments sit whole inside what is sent.
                if (!entryItems && !occ.element && !occ.attrs && !entry.attrs) add({ index: occ.index, name: occ.name, sink: entry.sink, at: occ.at, key: occ.key, chain: [link, ...entry.chain] });
                continue;
              }
              const level = itemsLevel(occ, entryItems);
              if (level === undefined) continue;
              let items = level + (occ.element ?? 0);
              if (items > 2 || (occ.element && occ.segments.length)) continue;
              // `helper(job.context)` where helper sends `ctx.lock`: the paths join.
              const attrs = [...(occ.attrs ?? []), ...(entry.attrs ?? [])];
              // A path then items (`run_flow(self.flow)` sending `flow.nodes` item by item) keeps
              // that order; items of the caller's parameter then a path (`for f in flows: run_flow(f)`) cannot be said.
              if (attrs.length && (occ.segments.length || attrs.length > 3 || (occ.element && entry.attrs?.length))) continue;
              const narrowed = narrow(occ, items);
              if (!narrowed || (attrs.length && (occ.at !== undefined || occ.key !== undefined))) continue;
              items = narrowed.items;
              add({
                index: occ.index,
                name: occ.name,
                sink: entry.sink,
                items: items ? (items as 1 | 2) : undefined,
                attrs: attrs.length ? attrs : undefined,
                at: occ.at,
                key: occ.key,
                chain: [link, ...entry.chain],
              });
            }
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
  private sentParams(fn: FunctionInfo, sink: Sink, sent: SentArgument, call: CallSite, text: string, scope = fn.scope): ParamSink[] {
    const out: ParamSink[] = [];
    for (const occ of this.paramsIn(this.ev.eval(sent.node, scope), fn, [], 0)) {
      // `*args` / `**kwargs` anywhere inside what is sent (`starmap(f, [(row, *shared) ...])`):
      // each extra argument of the caller crosses whole.
      if (occ.index < 0 && occ.segments.length) {
        if (!occ.element && !occ.attrs) out.push({ index: occ.index, name: occ.name, sink, at: occ.at, key: occ.key, chain: [{ site: { module: fn.module, node: call.node }, text }] });
        continue;
      }
      // Items of a map-like sink: the parameter may be the iterable, or sit inside its items
      // (`starmap(f, [(cb, i) for i in rows])`: each task tuple carries `cb` whole).
      const level = itemsLevel(occ, sent.items ?? 0);
      if (level === undefined) continue;
      let items = level + (occ.element ?? 0);
      if (items > 2 || (occ.element && occ.segments.length)) continue;
      // `ex.map(run_node, flow.nodes)`: the items of an attribute path cross (judged at the caller
      // as that path, then its items); an attribute path inside an item does not say which items.
      if (occ.attrs && occ.segments.length) continue;
      const narrowed = narrow(occ, items);
      if (!narrowed) continue;
      items = narrowed.items;
      out.push({ index: occ.index, name: occ.name, sink, items: items ? (items as 1 | 2) : undefined, attrs: occ.attrs, at: occ.at, key: occ.key, chain: [{ site: { module: fn.module, node: call.node }, text }] });
    }
    // cloudpickle and dill ship a nested function or a lambda by value, with its defaults and the
    // variables it closes over: a parameter of `fn` read there crosses with it (`def count(t,
    // connection=conn)` handed to `client.map`, conn passed by the caller; dask/distributed#4464).
    if (sink.serializer !== 'pickle' && !sent.items) {
      const v = this.ev.eval(sent.node, scope);
      for (const f of v.kind === 'union' ? v.options : [v]) {
        const node = f.kind === 'function' && f.fn.local ? f.fn.node : f.kind === 'lambda' ? f.site.node : undefined;
        if (!node || node.startIndex < fn.node.startIndex || node.endIndex > fn.node.endIndex) continue;
        for (const p of capturedParams(node, fn))
          if (!out.some((o) => o.index === p.index)) out.push({ index: p.index, name: p.name, sink, chain: [{ site: { module: fn.module, node: call.node }, text }] });
      }
    }
    return out;
  }

  /** Where the parameters of `fn` sit inside a value: the value itself, an item, a partial's argument, an attribute set from a constructor argument. */
  private paramsIn(v: Value, fn: FunctionInfo, segments: string[], depth: number): Occurrence[] {
    if (depth > 3) return [];
    switch (v.kind) {
      case 'param':
        return v.fn === fn ? [{ index: v.index, name: v.name, segments, element: v.element, attrs: v.attrs, at: v.at, key: v.key }] : [];
      case 'container':
        return v.items.flatMap((item) =>
          this.paramsIn(item.value, fn, [...segments, item.label], depth + 1).map((o) => (v.dict ? { ...o, dictAt: [segments.length, ...(o.dictAt ?? [])] } : o)),
        );
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

  /**
   * The entries of the calling function `fn` when a splat it passes (`helper(*args)`,
   * `helper(*jobs)`, `helper(**kwargs)`) fills the callee's parameter of `entry`: its own
   * `*args`/`**kwargs` (with the positions or names that cross), or a parameter whose items cross.
   */
  private throughSplat(fn: FunctionInfo, entry: ParamSink, bound: BoundArgument, v: Value): Omit<ParamSink, 'sink' | 'chain'>[] {
    const out: Omit<ParamSink, 'sink' | 'chain'>[] = [];
    for (const occ of this.paramsIn(v, fn, [], 0)) {
      if (occ.segments.length || occ.element || occ.attrs || occ.at !== undefined || occ.key !== undefined) continue;
      if (bound.star === 'args') {
        if (occ.index === VARARGS) {
          // Caller element j lands in the callee's slot `shift` places later (or is its named parameter at `at`).
          if (entry.index === VARARGS) {
            const shift = bound.shift ?? 0;
            if (entry.at !== undefined) {
              if (entry.at + shift >= 0) out.push({ index: VARARGS, name: occ.name, items: entry.items, at: entry.at + shift });
            } else out.push({ index: VARARGS, name: occ.name, items: entry.items, from: Math.max(0, (entry.from ?? 0) + shift) || undefined });
          } else if (bound.at !== undefined) {
            const items = entry.items ? entry.items + 1 : 0;
            if (items <= 2) out.push({ index: VARARGS, name: occ.name, items: items ? (items as 1 | 2) : undefined, at: bound.at });
          }
        } else if (occ.index >= 0 && entry.index === VARARGS && (bound.shift ?? 0) <= 0 && entry.at === undefined && !entry.from) {
          // `run_in_process(fn, *jobs)`: each item of the caller's `jobs` is an extra argument.
          const items = (bound.items ?? 0) + 1;
          if (items <= 2) out.push({ index: occ.index, name: occ.name, items: items as 1 | 2 });
        }
      } else if (occ.index === KWARGS) out.push({ index: KWARGS, name: occ.name, key: entry.index === KWARGS ? entry.key : entry.name });
      else if (occ.index >= 0 && entry.index === KWARGS && entry.key === undefined) out.push({ index: occ.index, name: occ.name });
    }
    return out;
  }

  /** Every call in `model` to a function that is a derived sink, with the argument each entry judges. */
  derivedCalls(model: ModuleModel): DerivedCall[] {
    const out: DerivedCall[] = [];
    const push = (site: CallSite, fn: FunctionInfo, entry: ParamSink, bound: BoundArgument) => {
      if (bound.open) {
        // A splat of unknown length: its items are the callee's extra arguments (a named
        // parameter it may fill is not known).
        if (entry.index === VARARGS && (bound.shift ?? 0) <= 0 && entry.at === undefined && !entry.from)
          out.push({ call: site, fn, arg: bound.node, entry, value: bound.value, label: bound.label, items: (bound.items ?? 0) + 1 });
        else if (entry.index === KWARGS && entry.key === undefined) out.push({ call: site, fn, arg: bound.node, entry, value: bound.value, label: bound.label, items: 0 });
        return;
      }
      out.push({ call: site, fn, arg: bound.node, entry, value: bound.value, label: bound.label, items: bound.items });
    };
    for (const site of model.calls) {
      const made = this.sendingClass(site);
      if (made) {
        for (const entry of this.constructorEntries(site, made.cls)) if (made.init) for (const b of boundArguments(site, made.init, entry, 1, this.ev)) push(site, made.init, entry, b);
        continue;
      }
      const target = this.callee(site);
      if (!target) continue;
      for (const entry of this.summary(target.fn)) for (const b of boundArguments(site, target.fn, entry, target.offset, this.ev)) push(site, target.fn, entry, b);
      for (const entry of this.receiverEntries(site, target.fn, target.offset, out)) {
        // `Runner(learner, pool).run(n)` sending `self.learner.function`: the object the method is
        // called on is the argument for `self`.
        const obj = entry.index === 0 && target.offset === 1 ? receiverObject(site) : undefined;
        if (obj) push(site, target.fn, entry, { node: obj, label: short(obj.text) });
        else for (const b of boundArguments(site, target.fn, entry, target.offset, this.ev)) push(site, target.fn, entry, b);
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
        for (const m of this.boundaryImports(file, text)) for (const cls of m.classes) if (!cls.local && (this.selfSends(cls).length || this.attrSends(cls).length)) names.add(cls.name);
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

  private attrSendMemo = new Map<ClassInfo, (ParamSink & { method: string })[]>();

  /**
   * The `__init__` parameters of `cls` that a method other than `__init__` sends through an
   * attribute `__init__` stored them in (`self.handlers = handlers`, then
   * `Process(args=(name, self.handlers))` in `run`), each tagged with that method's name: they
   * cross when the method runs on an object made with them. (`__init__`'s own sends are its summary.)
   */
  attrSends(cls: ClassInfo): (ParamSink & { method: string })[] {
    let list = this.attrSendMemo.get(cls);
    if (list) return list;
    list = [];
    this.attrSendMemo.set(cls, list);
    const chain = classChain(cls, this.ev);
    const init = chain.map((c) => c.methods.get('__init__')).find((m) => m);
    if (!init) return list;
    // Attributes set only in `__init__`, and there only from a parameter kept whole: another
    // method could store something else in them.
    const stored = new Map<string, { index: number; name: string; statement: Node; module: ModuleModel }>();
    const elsewhere = new Set<string>();
    for (const c of chain)
      for (const [attr, assigns] of c.attrs)
        for (const a of assigns) {
          const b: ReturnType<typeof lookup> = a.scope.fn === init && a.value?.type === 'identifier' && !a.unpack.length ? lookup(a.value.text, init.scope, a.value) : undefined;
          if (b?.kind === 'param' && b.fn === init && b.index >= 1 && !b.annotation && !stored.has(attr)) stored.set(attr, { index: b.index, name: b.name, statement: a.statement, module: c.module });
          else elsewhere.add(attr);
        }
    for (const attr of elsewhere) stored.delete(attr);
    if (!stored.size) return list;
    const carriers = new Set(['tuple', 'list', 'dictionary', 'pair', 'parenthesized_expression', 'expression_list']);
    for (const c of chain)
      for (const fn of c.methods.values()) {
        if (fn === init || fn.name === '__init__' || !fn.params.length || fn.decorators.some((d) => /staticmethod|classmethod/.test(d.text))) continue;
        const selfName = fn.params[0];
        for (const sink of this.moduleSinks(fn.module)) {
          if (sink.call.scope !== fn.scope || caughtInside(sink.call.node, fn)) continue;
          for (const sent of sink.sent) {
            // `self.outputs` itself, or inside tuples, lists and dicts that are sent whole.
            const found: { node: Node; attr: string; whole: boolean }[] = [];
            const visit = (n: Node, whole: boolean): void => {
              if (n.type === 'attribute' && n.childForFieldName('object')?.text === selfName) {
                const attr = n.childForFieldName('attribute')?.text ?? '';
                if (stored.has(attr)) found.push({ node: n, attr, whole });
                return;
              }
              if (n.id !== sent.node.id && !carriers.has(n.type)) return;
              for (const ch of n.namedChildren) if (ch) visit(ch, whole || n.id !== sent.node.id);
            };
            visit(sent.node, false);
            for (const f of found) {
              const s = stored.get(f.attr)!;
              const items = f.whole ? undefined : sent.items;
              list.push({
                index: s.index,
                name: s.name,
                sink,
                items,
                method: fn.name,
                chain: [
                  { site: { module: s.module, node: s.statement }, text: `self.${f.attr} = ${s.name}` },
                  { site: { module: fn.module, node: sink.call.node }, text: `${sink.name}(${/^[a-z_]+$/.test(sent.label) && sent.label !== 'obj' ? `${sent.label}=` : ''}${short(sent.node.text)})` },
                ],
              });
              if (list.length >= MAX_ENTRIES) return list;
            }
          }
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
    const made = this.ev.eval(site.node, site.scope);
    if (made.kind !== 'instance') return [];
    const called = this.ev.methodsCalledOn(made);
    // `Server(handlers).run(...)` where `run` sends `self.handlers`: the attribute crosses, not the
    // object, so the class's pickle hooks do not matter.
    const out: ParamSink[] = this.attrSends(cls).filter((e) => called.has(e.method));
    if (chain.some((c) => definesPickleHooks(c))) return out;
    const sends = this.selfSends(cls).filter((s) => s.fn.name === '__init__' || called.has(s.fn.name));
    if (!sends.length) return out;
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
  private receiverEntries(site: CallSite, fn: FunctionInfo, offset: number, inner: DerivedCall[]): ParamSink[] {
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
        const arg = boundArguments(site, fn, { index: rc.index, name: rc.name } as ParamSink, offset, this.ev)[0];
        if (!arg || arg.open) continue;
        receiver = arg.value ?? this.ev.eval(arg.node, site.scope);
        if (receiver.kind !== 'object') continue;
      }
      const bound = this.ev.withArguments(fn, new Map([[rc.index, receiver]]));
      const sink = sinkAtCall(rc.call, bound, this.config, this.methodOf(fn.module));
      if (!sink) continue;
      const text = (sent: SentArgument) => `${sink.name}(${short(sent.node.text)})`;
      for (const sent of sink.sent) {
        const entries = this.sentParams(fn, sink, sent, rc.call, text(sent));
        out.push(...entries);
        // What the helper makes itself (`def func(event): ...` then `self.executor.map(func, events)`)
        // crosses only because this caller's receiver is a process pool: judged where it is made,
        // once per check (every caller that passes such a pool would say the same).
        if (entries.length || this.paramsIn(this.ev.eval(sent.node, fn.scope), fn, [], 0).length) continue;
        // Read with this caller's receiver: `self.learner.function` of `Runner(learner, pool)`.
        const value = bound.eval(sent.node, fn.scope);
        const link = { site: { module: fn.module, node: rc.call.node }, text: text(sent) };
        inner.push({ call: site, fn, arg: sent.node, module: fn.module, value, label: sent.label, entry: { index: rc.index, name: rc.name, sink, items: sent.items, chain: [link] } });
      }
    }
    return out;
  }
  /**
   * Findings on what a helper sends that every caller passing a process pool would report alike
   * (flow.ts `receiverEntries`): each is reported once per check, by the first file that reaches it.
   */
  private reportedOnce = new Set<string>();
  firstReport(key: string): boolean {
    if (this.reportedOnce.has(key)) return false;
    this.reportedOnce.add(key);
    return true;
  }
}

/** The parameters of `fn` a function defined inside it reads: in its defaults or its body (its closure). */
function capturedParams(node: Node, fn: FunctionInfo): { index: number; name: string }[] {
  const out: { index: number; name: string }[] = [];
  const stack: Node[] = [node];
  let visited = 0;
  while (stack.length && visited++ < 2000) {
    const n = stack.pop()!;
    for (const c of n.namedChildren) stack.push(c);
    if (n.type !== 'identifier' || out.some((o) => o.name === n.text)) continue;
    const parent = n.parent;
    if (parent?.type === 'attribute' && parent.childForFieldName('attribute')?.id === n.id) continue;
    if (parent?.type === 'keyword_argument' && parent.childForFieldName('name')?.id === n.id) continue;
    const b = lookup(n.text, enclosingScope(fn.module, n), n);
    if (b?.kind === 'param' && b.fn === fn && b.index >= 0) out.push({ index: b.index, name: b.name });
  }
  return out;
}

/** The object a method call is made on (`Runner(...)` in `Runner(...).run(n)`, `bank` in `bank.put(...)`). */
function receiverObject(site: CallSite): Node | undefined {
  const f = site.node.childForFieldName('function');
  return f?.type === 'attribute' ? (f.childForFieldName('object') ?? undefined) : undefined;
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

const removedMemo = new WeakMap<FunctionInfo, Set<string>>();

/**
 * Keys the function takes out of its `**kwargs` before anything is sent (`timeout =
 * kwargs.pop("timeout", 30)`, `del kwargs["log"]`): those keyword arguments stay here.
 */
function removedKeys(fn: FunctionInfo): Set<string> {
  let out = removedMemo.get(fn);
  if (out) return out;
  out = new Set();
  removedMemo.set(fn, out);
  const name = fn.varkw;
  const body = fn.node.childForFieldName('body');
  if (!name || !body) return out;
  const literal = (n: Node | null | undefined) => (n?.type === 'string' ? /^(['"])(\w+)\1$/.exec(n.text)?.[2] : undefined);
  const visit = (n: Node): void => {
    if (n.type === 'function_definition' || n.type === 'lambda' || n.type === 'class_definition') return;
    if (n.type === 'call') {
      const f = n.childForFieldName('function');
      if (f?.type === 'attribute' && f.childForFieldName('object')?.text === name && f.childForFieldName('attribute')?.text === 'pop') {
        const key = literal(n.childForFieldName('arguments')?.namedChildren.find((c) => c && c.type !== 'comment'));
        if (key) out!.add(key);
      }
    } else if (n.type === 'subscript' && n.parent?.type === 'delete_statement' && n.childForFieldName('value')?.text === name) {
      const key = literal(n.childForFieldName('subscript'));
      if (key) out!.add(key);
    }
    for (const c of n.namedChildren) if (c) visit(c);
  };
  visit(body);
  return out;
}

/** One argument a call passes (a splatted container's items count one by one). */
interface Slot {
  /** The argument, or the item in the literal a splat unpacks (the splat when that is elsewhere). */
  node: Node;
  /** Known when the slot is an item of a splatted container. */
  value?: Value;
  /** The `*x` / `**x` argument the slot comes from. */
  splat?: Node;
  /** A splat of unknown length or keys: `node` is what it unpacks. */
  open?: boolean;
}

/** What a call's argument list passes, splats of known tuples, lists and dicts unpacked. */
function expandCall(site: CallSite, ev: Evaluator): { positional: Slot[]; keywords: Map<string, Slot>; openKeywords: Slot[] } {
  const positional: Slot[] = [];
  const keywords = new Map<string, Slot>();
  const openKeywords: Slot[] = [];
  const list = site.node.childForFieldName('arguments');
  if (list?.type === 'generator_expression') positional.push({ node: list });
  if (list?.type !== 'argument_list') return { positional, keywords, openKeywords };
  const here = (node: Node | undefined, module: ModuleModel, splat: Node) => (node && module === site.scope.module ? node : splat);
  for (const a of list.namedChildren) {
    if (!a || a.type === 'comment') continue;
    if (a.type === 'keyword_argument') {
      const name = a.childForFieldName('name');
      const value = a.childForFieldName('value');
      if (name && value) keywords.set(name.text, { node: value });
    } else if (a.type === 'list_splat' || a.type === 'dictionary_splat') {
      const inner = a.namedChildren.find((c) => c && c.type !== 'comment');
      if (!inner) continue;
      const v = ev.eval(inner, site.scope);
      if (a.type === 'list_splat') {
        if (v.kind === 'container' && !v.dict && v.items.every((i) => /^\[\d+\]$/.test(i.label)))
          for (const i of v.items) positional.push({ node: here(i.node, i.module, a), value: i.value, splat: a });
        else positional.push({ node: inner, value: v, splat: a, open: true });
      } else {
        const keyOf = (label: string) => /^\[(['"])(\w+)\1\]$/.exec(label)?.[2];
        if (v.kind === 'container' && v.dict && v.items.every((i) => keyOf(i.label)))
          for (const i of v.items) keywords.set(keyOf(i.label)!, { node: here(i.node, i.module, a), value: i.value, splat: a });
        else openKeywords.push({ node: inner, value: v, splat: a, open: true });
      }
    } else positional.push({ node: a });
  }
  return { positional, keywords, openKeywords };
}

interface BoundArgument extends Slot {
  label: string;
  /** The splat is `*x` or `**x`. */
  star?: 'args' | 'kwargs';
  /** An open `*x` filling a named parameter: the parameter is x's item at this index. */
  at?: number;
  /** An open `*x` filling `*args`: x's item j is the callee's extra argument j - shift. */
  shift?: number;
  /** For one extra argument of `*args`: how deep its items are sent (see ParamSink.items). */
  items?: number;
}

/**
 * What a call passes for the entry's parameter: by keyword or by position for a named one (through
 * a splat too), and for `*args` / `**kwargs` every extra positional or keyword argument, each
 * judged on its own. An open splat comes back as such (`open`), for the caller to follow.
 */
function boundArguments(site: CallSite, fn: FunctionInfo, entry: ParamSink, offset: number, ev: Evaluator): BoundArgument[] {
  const { positional, keywords, openKeywords } = expandCall(site, ev);
  if (entry.index >= 0) {
    const byName = keywords.get(entry.name);
    if (byName) return [{ ...byName, label: entry.name }];
    if (fn.params[entry.index] !== entry.name) return [];
    if (entry.index < fn.positional) {
      const i = entry.index - offset;
      if (i < 0) return [];
      for (let s = 0; s < positional.length && s <= i; s++) {
        if (positional[s].open) return [{ ...positional[s], label: entry.name, star: 'args', at: i - s }];
        if (s === i) return [{ ...positional[s], label: entry.name }];
      }
    }
    return openKeywords.map((o) => ({ ...o, label: entry.name, star: 'kwargs' as const }));
  }
  if (entry.index === VARARGS) {
    // The tuple is sent whole or item by item: each extra argument crosses as it is; one level
    // deeper (`starmap(f, args)`), each extra argument's items do.
    const perArg = Math.max(0, (entry.items ?? 0) - 1);
    const first = fn.positional - offset;
    if (first < 0) return [];
    const out: BoundArgument[] = [];
    for (let s = 0; s < positional.length; s++) {
      const slot = positional[s];
      if (slot.open) {
        out.push({ ...slot, label: `*${short(slot.node.text)}`, star: 'args', shift: first - s, items: perArg });
        break;
      }
      const j = s - first;
      if (j < 0 || (entry.at !== undefined && j !== entry.at) || (entry.from !== undefined && j < entry.from)) continue;
      out.push({ ...slot, label: `${entry.name}[${j}]`, items: perArg });
    }
    return out;
  }
  if (entry.index === KWARGS && !entry.items) {
    const named = new Set([...fn.params, ...removedKeys(fn)]);
    const out: BoundArgument[] = [];
    // A key read by name (`kwargs.pop("cb")`) crosses even though the helper removed it from `kwargs`.
    for (const [k, slot] of keywords) if (entry.key === undefined ? !named.has(k) : entry.key === k && !fn.params.includes(k)) out.push({ ...slot, label: `${entry.name}[${k}]` });
    for (const o of openKeywords) out.push({ ...o, label: `**${short(o.node.text)}`, star: 'kwargs' });
    return out;
  }
  return [];
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
