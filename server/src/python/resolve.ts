import * as path from 'node:path';
import type { SendcheckConfig, StartMethod } from '../engine/config';
import type { SourceHost } from '../engine/types';
import { canonicalName, factories, factoryOf, knownFunctions, methodResultOf, objectValueOf, objectValues, types, type Role } from './knowledge';
import { ImportCache, ImportReach, boundaryLibraries } from './lexical';
import { buildModuleModel, KWARGS, VARARGS, type Binding, type CallSite, type ClassInfo, type FunctionInfo, type ModuleModel, type Scope } from './model';
import type { Node, TreeCache } from './parser';

// What an expression evaluates to, as far as pickling cares. Anything not understood is
// `unknown`, and unknown values never produce findings.

export interface Site {
  module: ModuleModel;
  node: Node;
}

export type ConcreteMethod = Exclude<StartMethod, 'auto'>;

export type Value =
  | { kind: 'unknown' }
  | { kind: 'data'; site?: Site }
  /** An external name: a module, function or class of the standard library or a third party. */
  | { kind: 'ref'; qname: string; library: string; isModule: boolean; site: Site }
  /** An instance of a known external type (see knowledge.ts). */
  | {
      kind: 'object';
      type: string;
      library: string;
      site: Site;
      method?: ConcreteMethod;
      via?: string;
      /** The object whose method made this one (a cursor's connection). */
      owner?: Value;
      /** A workspace generator's elements: what it yields (computed when asked). */
      elements?: () => Value;
    }
  | { kind: 'lambda'; site: Site }
  | { kind: 'function'; fn: FunctionInfo; /** The decorated def whose name holds this wrapper (see `decorated`). */ decorates?: FunctionInfo }
  | { kind: 'class'; cls: ClassInfo }
  | {
      kind: 'instance';
      cls: ClassInfo;
      site: Site;
      call?: Node;
      callScope?: Scope;
      /** Evaluates the call's arguments when they are a helper's parameters bound to one caller's values. */ callEv?: Evaluator;
      /** Attributes set on the object from outside its class after it was built (`obj.cache = ...`). */
      setOutside?: Item[];
      /** `self` as seen inside this method (no construction in sight). */
      selfIn?: FunctionInfo;
    }
  | { kind: 'method'; self: Value; name: string; fn?: FunctionInfo; site: Site }
  | { kind: 'partial'; func: Value; args: Item[]; site: Site }
  /**
   * A list, tuple, set or dict literal (or one sendcheck saw filled). `view` marks a dict view
   * (`d.values()`): iterated it gives the items, but sent as it is it does not pickle.
   */
  | { kind: 'container'; items: Item[]; site: Site; dict?: boolean; view?: 'keys' | 'values' | 'items'; /** `types.SimpleNamespace(...)`: items are attributes (`.name`). */ namespace?: boolean }
  /** A member of a workspace Enum class (`Stage.PARSE`): pickled as `Stage(value)`, so its value crosses (`.value` reads it). */
  | { kind: 'member'; cls: ClassInfo; value: Node; scope: Scope; site: Site }
  | { kind: 'module'; model: ModuleModel }
  /** One of several values (loop elements, returns): judged one by one, the first failing one reported. */
  | { kind: 'union'; options: Value[] }
  /**
   * An unannotated parameter: unknown here, judged at each caller's argument instead (a function
   * whose parameter reaches a sink is itself a sink, see flow.ts). Never a finding by itself.
   */
  /** A class made by `collections.namedtuple(...)` / `typing.NamedTuple(...)`: calling it makes a tuple of these fields. */
  | { kind: 'tupleclass'; fields: string[]; site: Site }
  | {
      kind: 'param';
      fn: FunctionInfo;
      index: number;
      name: string;
      /** An element of it (`for job in jobs`), one level per loop. */ element?: 1 | 2;
      /** An attribute path read from it (`job.context`) when no caller in its module says what it holds: judged at each caller's argument. */
      attrs?: string[];
      /** One extra positional argument of `*args` read by position (`args[0]`): only that one crosses. */
      at?: number;
      /** One extra keyword argument of `**kwargs` read by name (`kwargs["cb"]`, `kwargs.get("cb")`): only that one crosses. */
      key?: string;
    };

/** Nothing known about the value itself (an unannotated parameter is not known either). */
export function isUnknown(v: Value): boolean {
  return v.kind === 'unknown' || v.kind === 'param';
}

export interface Item {
  label: string;
  value: Value;
  node?: Node;
  module: ModuleModel;
}

export const unknown: Value = { kind: 'unknown' };
/** A dict's view methods: their results (`dict_keys`, ...) do not pickle, though the dict does. */
const DICT_VIEWS = new Set(['keys', 'values', 'items']);
const MAX_DEPTH = 14;

const dataNodes = new Set([
  'string',
  'concatenated_string',
  'integer',
  'float',
  'true',
  'false',
  'none',
  'comparison_operator',
  'not_operator',
  'unary_operator',
]);

const identifier = /^\w+$/;
/** A separator with nothing or only dots after it (see engine/files.ts isInside). */
const notNormal = /\/\.{0,2}(?:\/|$)/;

/** Module models by file, valid while the file's version is unchanged; they outlive any one host. */
export type ModelCache = Map<string, { version: string; model: ModuleModel }>;

export class Workspace {
  constructor(
    readonly host: SourceHost,
    readonly trees: TreeCache,
    readonly defaultMethodOf: (model: ModuleModel) => ConcreteMethod,
    private readonly models: ModelCache = new Map(),
    /** Each file's import statements, read from its text and kept while its version holds. */
    readonly imports: ImportCache = new ImportCache(),
    /** False: every file is analysed, whatever its imports (the pre-filter's own test compares). */
    readonly prefilter = true,
  ) {}

  /** For one check under `config`: which files' imports can lead to a sink (lexical.ts). */
  importReach(config: SendcheckConfig): ImportReach {
    return new ImportReach(this, this.imports, this.prefilter ? boundaryLibraries(config) : undefined);
  }

  model(file: string): ModuleModel | undefined {
    const version = this.version(file);
    const hit = this.models.get(file);
    if (hit && hit.version === version) return hit.model;
    const root = this.trees.get(file, version, () => this.text(file));
    if (!root) return undefined;
    const model = buildModuleModel(file, root);
    this.models.set(file, { version, model });
    return model;
  }

  /** Module lookups are remembered for one check: files may appear or vanish between checks. */
  private found = new Map<string, string | null>();
  private probed = new Map<string, string | null>();

  beginCheck(): void {
    this.found.clear();
    this.probed.clear();
    this.exists.clear();
    this.versions.clear();
    this.texts.clear();
  }

  /**
   * A file's version and text, asked of the host once per check: the analysis asks for the same
   * files again and again (each model lookup, each lexical test), and a disk host answers each
   * question with a stat. A check sees one state of the files.
   */
  private versions = new Map<string, string>();
  private texts = new Map<string, string | undefined>();
  version(file: string): string {
    let v = this.versions.get(file);
    if (v === undefined) this.versions.set(file, (v = this.host.version(file)));
    return v;
  }

  text(file: string): string | undefined {
    if (this.texts.has(file)) return this.texts.get(file);
    const t = this.host.readFile(file);
    this.texts.set(file, t);
    return t;
  }

  /** File existence, remembered for one check: module lookups probe the same paths many times. */
  private exists = new Map<string, boolean>();
  fileExists(file: string): boolean {
    let e = this.exists.get(file);
    if (e === undefined) this.exists.set(file, (e = this.host.fileExists(file)));
    return e;
  }

  /** A workspace module by its import name, looked up beside the importing file and in its parents. */
  findModule(from: ModuleModel, moduleName: string, level: number): ModuleModel | undefined {
    const file = this.locate(from.file, moduleName, level);
    return file === undefined ? undefined : this.model(file);
  }

  /** The file of a workspace module imported from `fromFile`, without reading it. */
  locate(fromFile: string, moduleName: string, level: number): string | undefined {
    const key = `${path.dirname(fromFile)}\0${moduleName}\0${level}`;
    let file = this.found.get(key);
    if (file === undefined) {
      file = this.locateModule(fromFile, moduleName, level) ?? null;
      this.found.set(key, file);
    }
    return file === null || file === fromFile ? undefined : file;
  }

  private locateModule(fromFile: string, moduleName: string, level: number): string | undefined {
    const parts = moduleName ? moduleName.split('.') : [];
    // Identifiers under a folder in normal form (nearly always): joined as strings, which is what
    // path.join gives them without its normalizing pass over every candidate.
    const plain = path.sep === '/' && parts.every((p) => identifier.test(p));
    const dotted = parts.join('/');
    const candidates = (base: string) => {
      if (plain && base.charCodeAt(0) === 47 && !notNormal.test(base)) {
        const stem = parts.length ? `${base}/${dotted}` : base;
        return parts.length ? [`${stem}.py`, `${stem}/__init__.py`] : [`${base}/__init__.py`];
      }
      const stem = path.join(base, ...parts);
      return parts.length ? [`${stem}.py`, path.join(stem, '__init__.py')] : [path.join(base, '__init__.py')];
    };
    const dirs: string[] = [];
    let dir = path.dirname(fromFile);
    if (level > 0) {
      for (let i = 1; i < level; i++) dir = path.dirname(dir);
      dirs.push(dir);
    } else {
      for (let i = 0; i < 4; i++) {
        dirs.push(dir);
        const up = path.dirname(dir);
        if (up === dir) break;
        dir = up;
      }
    }
    for (const d of dirs) {
      // The first candidate that exists under a folder is the same for every importer below it.
      const key = `${d}\0${moduleName}`;
      let first = this.probed.get(key);
      if (first === undefined) this.probed.set(key, (first = candidates(d).find((c) => this.fileExists(c)) ?? null));
      if (first === null) continue;
      if (first !== fromFile) return first;
      // The importer itself (`import x` in x.py): the candidates after it.
      const list = candidates(d);
      for (const c of list.slice(list.indexOf(first) + 1)) if (this.fileExists(c)) return c;
    }
    return undefined;
  }
}

/** The binding of `name` that reaches `at` from `scope`, following Python's scoping (class bodies are skipped from methods). */
export function lookup(name: string, scope: Scope, at: Node): Binding | undefined {
  let first = true;
  for (let s: Scope | undefined = scope; s; s = s.parent) {
    if (s.kind === 'class' && !first) continue;
    first = false;
    const list = s.bindings.get(name);
    if (!list || list.length === 0) continue;
    let best: Binding | undefined;
    // `task = partial(task, ...)`: the right side reads the binding before this one.
    for (const b of list) if (b.node.startIndex < at.startIndex && !(b.kind === 'value' && at.startIndex >= b.value.startIndex && at.endIndex <= b.value.endIndex)) best = b;
    return best ?? list[list.length - 1];
  }
  return undefined;
}

export function stringValue(n: Node | null | undefined): string | undefined {
  if (!n || n.type !== 'string') return undefined;
  const content = n.namedChildren.filter((c) => c?.type === 'string_content');
  if (n.namedChildren.some((c) => c?.type === 'interpolation')) return undefined;
  return content.map((c) => c!.text).join('');
}

export function startMethodLiteral(n: Node | null | undefined): ConcreteMethod | undefined {
  const s = stringValue(n);
  return s === 'spawn' || s === 'fork' || s === 'forkserver' ? s : undefined;
}

/** The `*x` and `**x` arguments of a call, with the expression each unpacks. */
export function callSplats(call: Node): { star: 'args' | 'kwargs'; node: Node; inner: Node }[] {
  const out: { star: 'args' | 'kwargs'; node: Node; inner: Node }[] = [];
  const list = call.childForFieldName('arguments');
  if (list?.type !== 'argument_list') return out;
  for (const a of list.namedChildren) {
    if (a?.type !== 'list_splat' && a?.type !== 'dictionary_splat') continue;
    const inner = a.namedChildren.find((c) => c && c.type !== 'comment');
    if (inner) out.push({ star: a.type === 'list_splat' ? 'args' : 'kwargs', node: a, inner });
  }
  return out;
}

/** Positional and keyword arguments of a call. */
export function callArgs(call: Node): { positional: Node[]; keywords: Map<string, Node>; splat: boolean } {
  const positional: Node[] = [];
  const keywords = new Map<string, Node>();
  let splat = false;
  const list = call.childForFieldName('arguments');
  if (list && list.type === 'argument_list') {
    for (const a of list.namedChildren) {
      if (!a || a.type === 'comment') continue;
      if (a.type === 'keyword_argument') {
        const name = a.childForFieldName('name');
        const value = a.childForFieldName('value');
        if (name && value) keywords.set(name.text, value);
      } else if (a.type === 'list_splat' || a.type === 'dictionary_splat') splat = true;
      else positional.push(a);
    }
  } else if (list && list.type === 'generator_expression') positional.push(list);
  return { positional, keywords, splat };
}

/** Items of a known object's list attribute: `logger.handlers[i]` is a handler. */
const listAttributeItems: Record<string, Record<string, string>> = {
  'logging.Logger': { handlers: 'logging.Handler' },
};

/**
 * `X(target=fn, args=(a, b), kwargs={...})` where `target` is written as the name `fnName`: the
 * node passed for parameter `name` (position `index`) when the target runs, if written literally.
 */
function targetArgument(call: Node, fnName: string, name: string, index: number): { target: Node; arg: Node | undefined } | undefined {
  const { keywords } = callArgs(call);
  const target = keywords.get('target');
  if (!target || target.text !== fnName) return undefined;
  const kw = keywords.get('kwargs');
  if (kw?.type === 'dictionary')
    for (const pair of kw.namedChildren) {
      const key = pair?.type === 'pair' ? pair.childForFieldName('key') : null;
      if (key?.type === 'string' && key.text.slice(1, -1) === name) return { target, arg: pair!.childForFieldName('value') ?? undefined };
    }
  const args = keywords.get('args');
  if (!args || (args.type !== 'tuple' && args.type !== 'list') || args.namedChildren.some((c) => c?.type === 'list_splat')) return { target, arg: undefined };
  const items = args.namedChildren.filter((c): c is Node => !!c && c.type !== 'comment');
  return { target, arg: items[index] };
}

/**
 * The calls of a module by the name they call (`f(...)`, `obj.f(...)`) and by the text of their
 * `target=` argument, as positions in the module's call list. Finding the callers of a parameter's
 * function (Evaluator.paramOrigins) went through every call of the module for each parameter
 * asked about, building each call's arguments: in a large module, most of the analysis.
 */
interface CallNames {
  byLast: Map<string, number[]>;
  byTarget: Map<string, number[]>;
}
const callNamesMemo = new WeakMap<readonly CallSite[], CallNames>();
function callNames(calls: readonly CallSite[]): CallNames {
  let names = callNamesMemo.get(calls);
  if (names) return names;
  names = { byLast: new Map(), byTarget: new Map() };
  const add = (map: Map<string, number[]>, key: string, at: number) => {
    const list = map.get(key);
    if (list) list.push(at);
    else map.set(key, [at]);
  };
  for (let at = 0; at < calls.length; at++) {
    const f = calls[at].node.childForFieldName('function');
    if (!f) continue;
    const last = f.type === 'attribute' ? f.childForFieldName('attribute')?.text : f.type === 'identifier' ? f.text : undefined;
    if (last !== undefined) add(names.byLast, last, at);
    const target = callArgs(calls[at].node).keywords.get('target');
    if (target) add(names.byTarget, target.text, at);
  }
  callNamesMemo.set(calls, names);
  return names;
}

/** The positions of two ascending lists, merged in ascending order without repeats. */
function* inOrder(a: readonly number[] = [], b: readonly number[] = []): Generator<number> {
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    const x = i < a.length ? a[i] : Infinity;
    const y = j < b.length ? b[j] : Infinity;
    if (x <= y) {
      yield x;
      i++;
      if (x === y) j++;
    } else {
      yield y;
      j++;
    }
  }
}

export class Evaluator {
  private active = new Set<number>();
  private memo = new Map<ModuleModel, Map<number, Value>>();
  /** Bumped whenever a cycle or the depth limit cut an evaluation short: such results are not memoized. */
  private cutoffs = 0;

  constructor(
    readonly ws: Workspace,
    /** One caller's arguments for the parameters of one function (see `withArguments`). */
    private readonly bound?: { fn: FunctionInfo; values: Map<number, Value> },
  ) {}

  /** An evaluator that reads the parameters of `fn` as the values one call passes (context for one call site). */
  /** A start method written as a literal or through a name bound to one (`get_context(START_METHOD)`, `settings.START`). */
  startMethodOf(n: Node | undefined, scope: Scope, depth = 0): ConcreteMethod | undefined {
    if (!n) return undefined;
    if (n.type !== 'identifier' && n.type !== 'attribute') return startMethodLiteral(n);
    const v = this.eval(n, scope, depth + 1);
    return v.kind === 'data' && v.site ? startMethodLiteral(v.site.node) : undefined;
  }

  withArguments(fn: FunctionInfo, values: Map<number, Value>): Evaluator {
    return new Evaluator(this.ws, { fn, values });
  }

  eval(node: Node, scope: Scope, depth = 0): Value {
    if (depth > MAX_DEPTH) {
      this.cutoffs++;
      return unknown;
    }
    let memo = this.memo.get(scope.module);
    if (!memo) this.memo.set(scope.module, (memo = new Map()));
    const key = node.id;
    const hit = memo.get(key);
    if (hit) return hit;
    if (this.active.has(key)) {
      this.cutoffs++;
      return unknown;
    }
    this.active.add(key);
    const before = this.cutoffs;
    try {
      const v = this.evalInner(node, scope, depth);
      if (this.cutoffs === before) memo.set(key, v);
      return v;
    } finally {
      this.active.delete(key);
    }
  }

  private site(node: Node, scope: Scope): Site {
    return { module: scope.module, node };
  }

  private evalInner(node: Node, scope: Scope, depth: number): Value {
    switch (node.type) {
      case 'parenthesized_expression': {
        const inner = node.namedChildren.find((c) => c && c.type !== 'comment');
        return inner ? this.eval(inner, scope, depth + 1) : unknown;
      }
      case 'identifier':
        return this.evalName(node, scope, depth);
      case 'attribute':
        return this.evalAttribute(node, scope, depth);
      case 'call':
        return this.evalCall(node, scope, depth);
      case 'lambda':
        return { kind: 'lambda', site: this.site(node, scope) };
      case 'tuple':
      case 'list':
      case 'set':
      case 'expression_list': {
        const items: Item[] = [];
        // Positions are known up to the first splat of unknown length; the items after it are `[i]`.
        let i: number | undefined = 0;
        for (const c of node.namedChildren) {
          if (!c || c.type === 'comment') continue;
          if (c.type === 'list_splat') {
            const inner = c.namedChildren.find((x) => x && x.type !== 'comment');
            const v = inner ? this.eval(inner, scope, depth + 1) : unknown;
            const known = v.kind === 'container' && !v.dict && v.items.every((it) => /^\[\d+\]$/.test(it.label));
            if (known) {
              for (const it of v.items) items.push({ ...it, label: i === undefined ? '[i]' : `[${i++}]` });
              continue;
            }
            // `(path, *args)`: a helper's `*args` stays a parameter, bound to each caller's extra arguments.
            if (v.kind === 'param' && v.index === VARARGS && v.at === undefined) items.push({ label: `[*${v.name}]`, value: v, node: c, module: scope.module });
            else if (v.kind === 'container' && !v.dict) for (const it of v.items) items.push({ ...it, label: '[i]' });
            else if (v.kind !== 'unknown' && v.kind !== 'param') return unknown;
            i = undefined;
            continue;
          }
          items.push({ label: i === undefined ? '[i]' : `[${i++}]`, value: this.eval(c, scope, depth + 1), node: c, module: scope.module });
        }
        return { kind: 'container', items, site: this.site(node, scope) };
      }
      case 'dictionary': {
        const items: Item[] = [];
        for (const c of node.namedChildren) {
          if (c?.type === 'dictionary_splat') {
            // `{**defaults, **kwargs}`: a known dict's items, or a helper's `**kwargs` bound per caller.
            const inner = c.namedChildren.find((x) => x && x.type !== 'comment');
            const v = inner ? this.eval(inner, scope, depth + 1) : unknown;
            if (v.kind === 'container' && v.dict) items.push(...v.items.filter((it) => it.label !== '.default_factory'));
            else if (v.kind === 'param' && v.index === KWARGS && v.key === undefined) items.push({ label: `[**${v.name}]`, value: v, node: c, module: scope.module });
            continue;
          }
          if (!c || c.type !== 'pair') continue;
          const k = c.childForFieldName('key');
          const v = c.childForFieldName('value');
          if (!k || !v) continue;
          items.push({ label: `[${k.text}]`, value: this.eval(v, scope, depth + 1), node: v, module: scope.module });
        }
        return { kind: 'container', items, site: this.site(node, scope), dict: true };
      }
      case 'list_comprehension':
      case 'set_comprehension':
      case 'dictionary_comprehension': {
        // What each element is: the comprehension's body, its loop variables bound to elements.
        const body = node.childForFieldName('body');
        const value = body?.type === 'pair' ? body.childForFieldName('value') : body;
        if (!value) return { kind: 'data', site: this.site(node, scope) };
        return { kind: 'container', items: [{ label: '[i]', value: this.eval(value, scope, depth + 1), node: value, module: scope.module }], site: this.site(node, scope), dict: node.type === 'dictionary_comprehension' };
      }
      case 'generator_expression': {
        // A generator, whose items (`pool.imap(run, (Job(i) for i in ids))`) are its body, read
        // when first asked, as for a generator function's yields.
        const gen: Value = { kind: 'object', type: 'builtins.generator', library: 'builtins', site: this.site(node, scope) };
        const body = node.childForFieldName('body');
        if (body && depth < MAX_DEPTH - 4) {
          let memo: Value | undefined;
          gen.elements = () => (memo ??= this.eval(body, scope, depth + 1));
        }
        return gen;
      }
      case 'subscript': {
        // `view[i:j]` of a memoryview is a memoryview (unpicklable); `view[i]` is an int.
        const base = node.childForFieldName('value');
        const index = node.childForFieldName('subscript');
        const bv = base ? this.eval(base, scope, depth + 1) : unknown;
        if (bv.kind === 'object' && bv.type === 'builtins.memoryview')
          return index?.type === 'slice' ? { ...bv, site: this.site(node, scope) } : { kind: 'data', site: this.site(node, scope) };
        // `TRANSFORMS[split]`, `LOCKS["db"]`: the item a literal key names, else any item (a
        // default_factory is no item).
        if (bv.kind === 'container' && index && index.type !== 'slice') {
          const items = bv.items.filter((i) => i.label !== '.default_factory');
          return union(itemsAt(items, index).map((i) => i.value));
        }
        // `args[0]` / `kwargs["cb"]` in a helper: that one extra argument of each caller, judged there.
        if (bv.kind === 'param' && index) return starItem(bv, index) ?? unknown;
        // A known object's list attribute (`logger.handlers[0]`) holds objects of a known type.
        if (bv.kind === 'method' && bv.self.kind === 'object' && index && index.type !== 'slice') {
          const itemType = listAttributeItems[bv.self.type]?.[bv.name];
          if (itemType) return { kind: 'object', type: itemType, library: bv.self.library, site: this.site(node, scope) };
        }
        // `sys.modules[name]` is a module object, whichever module it names.
        if (bv.kind === 'ref' && bv.qname === 'sys.modules' && index && index.type !== 'slice') return { kind: 'object', type: 'builtins.module', library: 'sys', site: this.site(node, scope) };
        return unknown;
      }
      case 'await':
        return unknown;
      case 'boolean_operator': {
        // `init or (lambda: None)`, `cfg.get(k) or default`: either operand may be the result.
        const left = node.childForFieldName('left');
        const right = node.childForFieldName('right');
        const lv = left ? this.eval(left, scope, depth + 1) : unknown;
        const rv = right ? this.eval(right, scope, depth + 1) : unknown;
        if (lv.kind === 'data' && rv.kind === 'data') return { kind: 'data', site: this.site(node, scope) };
        return union([lv, rv]);
      }
      case 'binary_operator': {
        // `Path(...) / "name"` is still a path; arithmetic on plain data is data.
        const left = node.childForFieldName('left');
        const right = node.childForFieldName('right');
        const lv = left ? this.eval(left, scope, depth + 1) : unknown;
        if (lv.kind === 'object' && lv.type === 'pathlib.Path') return { ...lv, site: this.site(node, scope) };
        const rv = right ? this.eval(right, scope, depth + 1) : unknown;
        // The operator is a keyword token, which the copied tree does not keep: read it between the operands.
        const op = left && right ? node.text.slice(left.endIndex - node.startIndex, right.startIndex - node.startIndex).trim() : undefined;
        // `[options] * len(urls)` repeats the items; `jobs + extra` joins two lists' items.
        if (op === '*' && lv.kind === 'container' && !lv.dict && !lv.namespace && rv.kind !== 'container') return { ...lv, site: this.site(node, scope) };
        if (op === '*' && rv.kind === 'container' && !rv.dict && !rv.namespace && lv.kind !== 'container') return { ...rv, site: this.site(node, scope) };
        if (op === '+' && lv.kind === 'container' && rv.kind === 'container' && !lv.dict && !rv.dict && !lv.namespace && !rv.namespace)
          return { kind: 'container', items: [...lv.items, ...rv.items], site: this.site(node, scope) };
        return lv.kind === 'data' && rv.kind === 'data' ? { kind: 'data', site: this.site(node, scope) } : unknown;
      }
      default:
        if (dataNodes.has(node.type)) return { kind: 'data', site: this.site(node, scope) };
        return unknown;
    }
  }

  private evalName(node: Node, scope: Scope, depth: number): Value {
    const b = lookup(node.text, scope, node);
    if (!b) {
      // A star import of a library sendcheck knows provides the name if that library has it;
      // otherwise it is a builtin.
      for (let i = scope.module.starImports.length - 1; i >= 0; i--) {
        const { name, library } = canonicalName(`${scope.module.starImports[i]}.${node.text}`);
        if (factories[name] || objectValues[name] || knownFunctions.has(name)) return { kind: 'ref', qname: name, library, isModule: false, site: this.site(node, scope) };
      }
      return { kind: 'ref', qname: `builtins.${node.text}`, library: 'builtins', isModule: false, site: this.site(node, scope) };
    }
    return this.evalBinding(b, depth + 1, node);
  }

  evalBinding(b: Binding, depth: number, use?: Node): Value {
    if (depth > MAX_DEPTH) return unknown;
    const site = { module: b.scope.module, node: use ?? b.node };
    switch (b.kind) {
      case 'value': {
        let v = b.enter ? this.entered(b.value, b.scope, depth + 1) : this.eval(b.value, b.scope, depth + 1);
        if (v.kind === 'container' && !b.iterate && !b.unpack.length) v = v.namespace ? this.withAttrWrites(v, b, depth) : this.withWrites(v, b, depth);
        if (v.kind === 'instance' && v.call && !b.iterate && !b.unpack.length) v = this.withAttrWrites(v, b, depth);
        if (b.iterate) v = elementOf(v);
        for (const i of b.unpack) v = element(v, i);
        return v;
      }
      case 'annotation':
        return this.evalAnnotation(b.type, b.scope, depth + 1, { module: b.scope.module, node: b.node });
      case 'param': {
        const fn = b.fn;
        const given = this.bound?.fn === fn ? this.bound.values.get(b.index) : undefined;
        if (given) return given.kind === 'instance' && use ? this.withParamAttrWrites(given, b, use, depth) : given;
        if (b.index === 0 && fn.outer.kind === 'class' && fn.outer.cls && !fn.decorators.some((d) => /staticmethod|classmethod/.test(d.text)))
          return { kind: 'instance', cls: fn.outer.cls, site: { module: fn.module, node: fn.outer.cls.nameNode }, selfIn: fn };
        // `cls` in a classmethod: the class (`cls(...)` builds one, `cls._instance` is its attribute).
        if (b.index === 0 && fn.outer.kind === 'class' && fn.outer.cls && fn.decorators.some((d) => /\bclassmethod\b/.test(d.text))) return { kind: 'class', cls: fn.outer.cls };
        // `*args` / `**kwargs`: the tuple or dict of each caller's extra arguments (flow.ts).
        if (b.index === VARARGS || b.index === KWARGS) return { kind: 'param', fn, index: b.index, name: b.name };
        const asParam: Value = b.index >= 0 ? { kind: 'param', fn, index: b.index, name: b.name } : unknown;
        if (b.annotation) {
          const declared = this.evalAnnotation(b.annotation, b.scope, depth + 1, { module: b.scope.module, node: b.node });
          // A Protocol or an abstract base with no state of its own names an interface, not the
          // object: what the callers pass (a FileSink behind `sink: RowSink`) is judged at each
          // caller. (A base that sets attributes is judged as declared, here, once.)
          return declared.kind === 'instance' && isInterface(declared.cls, this) && classChain(declared.cls, this).every((c) => !c.attrs.size && !c.fields.length) ? union([declared, asParam]) : declared;
        }
        return asParam;
      }
      case 'import':
        return this.evalImport(b, site);
      case 'def':
        return b.fn.decorators.length ? this.decorated(b.fn, depth) : { kind: 'function', fn: b.fn };
      case 'class':
        return { kind: 'class', cls: b.cls };
      default:
        return unknown;
    }
  }

  /**
   * The name a decorated def binds: what the decorators return. A workspace decorator that
   * returns its nested `wrapper` without `functools.wraps` leaves the module-level name holding
   * that local function (pickled as `timed.<locals>.wrapper`); with `wraps` the wrapper takes the
   * decorated function's name and pickles by it, as does anything we cannot follow.
   */
  private decorated(fn: FunctionInfo, depth: number): Value {
    let v: Value = { kind: 'function', fn };
    for (let i = fn.decorators.length - 1; i >= 0; i--) {
      const expr = fn.decorators[i].namedChildren.find((c) => c && c.type !== 'comment');
      if (!expr) return { kind: 'function', fn };
      let deco = this.eval(expr, fn.outer, depth + 1);
      if (deco.kind !== 'function') return { kind: 'function', fn };
      const result = this.returnValue(deco.fn, depth + 1, { module: fn.module, node: fn.nameNode });
      if (result.kind !== 'function' || !result.fn.local) return { kind: 'function', fn };
      // `@retry(3)`: the call returned the decorator; what that returns wraps the function.
      if (expr.type === 'call') {
        deco = result;
        const inner = this.returnValue(deco.fn, depth + 1, { module: fn.module, node: fn.nameNode });
        if (inner.kind !== 'function' || !inner.fn.local) return { kind: 'function', fn };
        v = inner;
      } else v = result;
      if (v.kind === 'function' && v.fn.decorators.some((d) => /\bwraps\b|update_wrapper/.test(d.text))) return { kind: 'function', fn };
      if (v.kind === 'function' && /\b(?:update_wrapper|__qualname__)\b/.test(v.fn.outer.node.text)) return { kind: 'function', fn };
    }
    return v.kind === 'function' && v.fn !== fn ? { ...v, decorates: fn } : v;
  }

  /**
   * The function a call of a decorated def runs: the nested wrapper its outermost workspace
   * decorator returns (`@in_subprocess def work(...)` calls `wrapper(*args, **kwargs)`), with or
   * without `functools.wraps`. Undefined when the decorator is not followed or returns no nested def.
   */
  calledWrapper(fn: FunctionInfo): FunctionInfo | undefined {
    const expr = fn.decorators[0]?.namedChildren.find((c) => c && c.type !== 'comment');
    if (!expr) return undefined;
    const deco = this.eval(expr, fn.outer, 1);
    if (deco.kind !== 'function') return undefined;
    const r = this.returnValue(deco.fn, 1, { module: fn.module, node: fn.nameNode });
    return r.kind === 'function' && r.fn.local && r.fn !== fn ? r.fn : undefined;
  }

  /** An object built and bound to a name, with the attributes later set on it through that name in the same scope. */
  private withAttrWrites(v: Extract<Value, { kind: 'instance' } | { kind: 'container' }>, b: Extract<Binding, { kind: 'value' }>, depth: number): Value {
    const next = b.scope.bindings.get(b.name)?.find((o) => o.node.startIndex > b.node.startIndex);
    const inRange = (n: Node) => n.startIndex > b.node.startIndex && (!next || n.startIndex < next.node.startIndex);
    const mine = (b.scope.attrWrites?.get(b.name) ?? []).filter((w) => inRange(w.node));
    const set: Item[] = mine.map((w) => ({ label: w.label, value: this.eval(w.node, b.scope, depth + 1), node: w.statement, module: b.scope.module }));
    if (v.kind === 'instance') set.push(...this.attrsSetByCalls(b, inRange, depth), ...this.attrContainerFills(b, v.cls, inRange, depth));
    if (!set.length) return v;
    // A namespace's attributes are its items: `ctx.lock = Lock()` adds one.
    if (v.kind === 'container') return { ...v, items: [...v.items, ...set.map((i) => ({ ...i, label: `.${i.label}` }))] };
    return { ...v, setOutside: set };
  }

  /**
   * An object handed to a helper, read back inside it after the helper set attributes on it
   * (`def attach_lock(plugin): plugin.lock = Lock(); return plugin`): those attributes count.
   */
  private withParamAttrWrites(v: Extract<Value, { kind: 'instance' }>, b: Extract<Binding, { kind: 'param' }>, use: Node, depth: number): Value {
    const writes = (b.fn.scope.attrWrites?.get(b.name) ?? []).filter((w) => w.statement.endIndex <= use.startIndex);
    if (!writes.length || depth > MAX_DEPTH - 4) return v;
    const set: Item[] = writes.map((w) => ({ label: w.label, value: this.eval(w.node, b.fn.scope, depth + 1), node: w.statement, module: b.fn.module }));
    return { ...v, setOutside: [...(v.setOutside ?? []), ...set] };
  }

  /**
   * Items put into a container attribute of the object after it was built, labelled `attr[i]`:
   * `graph.nodes.append(fn)` in the same scope, or through one of its methods called there
   * (`graph.add(fn)` where `def add(self, fn): self.nodes.append(fn)`, the argument read at the call).
   */
  private attrContainerFills(b: Extract<Binding, { kind: 'value' }>, cls: ClassInfo, inRange: (n: Node) => boolean, depth: number): Item[] {
    const out: Item[] = [];
    if (depth > MAX_DEPTH - 4) return out;
    const model = b.scope.module;
    for (const [attr, writes] of model.classAttrWrites)
      for (const w of writes)
        if (w.label && w.scope === b.scope && w.object.type === 'identifier' && w.object.text === b.name && inRange(w.statement))
          out.push({ label: `${attr}${w.label}`, value: this.eval(w.value, b.scope, depth + 1), node: w.statement, module: model });
    let calls = 0;
    for (const site of model.calls) {
      if (site.scope !== b.scope || !inRange(site.node)) continue;
      const f = site.node.childForFieldName('function');
      const obj = f?.type === 'attribute' ? f.childForFieldName('object') : undefined;
      if (obj?.type !== 'identifier' || obj.text !== b.name) continue;
      const fn = findMethod(cls, f!.childForFieldName('attribute')?.text ?? '', this);
      if (!fn || !fn.params[0] || ++calls > 8) continue;
      const { positional, keywords } = callArgs(site.node);
      // The method may live in another module (a library's `Graph.add`): its writes are recorded there.
      for (const [attr, writes] of fn.module.classAttrWrites)
        for (const w of writes) {
          if (!w.label || w.scope !== fn.scope || w.object.type !== 'identifier' || w.object.text !== fn.params[0]) continue;
          // A parameter of the method is what the caller passed; anything else is read inside the method.
          const at = w.value.type === 'identifier' ? fn.params.indexOf(w.value.text) : -1;
          const arg = at > 0 ? (at - 1 < positional.length && at < fn.positional ? positional[at - 1] : keywords.get(w.value.text)) : undefined;
          if (at > 0 && !arg) continue;
          const value = arg ? this.eval(arg, b.scope, depth + 1) : this.eval(w.value, fn.scope, depth + 1);
          out.push({ label: `${attr}${w.label}`, value, node: arg ?? w.statement, module: arg ? model : fn.module });
        }
    }
    return out;
  }

  /**
   * Attributes a workspace function sets on the object when it is handed over by name
   * (`configure(job)` where `def configure(job): job.stop = Event()`), in source order: the
   * values are read in that function, its other parameters unknown there.
   */
  private attrsSetByCalls(b: Extract<Binding, { kind: 'value' }>, inRange: (n: Node) => boolean, depth: number): Item[] {
    const out: Item[] = [];
    if (depth > MAX_DEPTH - 4) return out;
    let calls = 0;
    for (const site of b.scope.module.calls) {
      if (site.scope !== b.scope || !inRange(site.node)) continue;
      const { positional } = callArgs(site.node);
      const at = positional.findIndex((a) => a.type === 'identifier' && a.text === b.name);
      const f = site.node.childForFieldName('function');
      if (at < 0 || !f || ++calls > 4) continue;
      const callee = this.eval(f, site.scope, depth + 1);
      const fn = callee.kind === 'function' ? callee.fn : callee.kind === 'method' ? callee.fn : undefined;
      if (!fn) continue;
      const offset = callee.kind === 'method' && !fn.decorators.some((d) => /\bstaticmethod\b/.test(d.text)) ? 1 : 0;
      const param = fn.params[at + offset];
      if (!param || at + offset >= fn.positional) continue;
      for (const w of fn.scope.attrWrites?.get(param) ?? [])
        out.push({ label: w.label, value: this.eval(w.node, fn.scope, depth + 1), node: w.statement, module: fn.module });
    }
    return out;
  }

  /**
   * What `with <node> as x` binds: what `__enter__` returns. A workspace class's `__enter__`
   * (usually `return self`, now with what `__enter__` set), the value a `@contextmanager`
   * generator yields, the object `contextlib.closing(x)` wraps; a library object enters as
   * itself (files, connections, pools and executors return self), except a lock (a bool).
   */
  private entered(node: Node, scope: Scope, depth: number): Value {
    if (node.type === 'call') {
      const f = node.childForFieldName('function');
      const callee = f ? this.eval(f, scope, depth + 1) : unknown;
      if (callee.kind === 'ref' && /^contextlib\.(?:closing|nullcontext)$/.test(callee.qname)) {
        const inner = callArgs(node).positional[0];
        return inner ? this.eval(inner, scope, depth + 1) : unknown;
      }
    }
    const v = this.eval(node, scope, depth + 1);
    const enter = (o: Value): Value => {
      switch (o.kind) {
        case 'instance': {
          const fn = findMethod(o.cls, '__enter__', this);
          if (!fn) return unknown;
          if (returnsSelf(fn)) return o;
          return this.withArguments(fn, new Map([[0, o]])).returnValue(fn, depth + 1, o.site);
        }
        case 'object':
          if (o.type === 'builtins.generator') return o.elements ? o.elements() : unknown;
          return /(?:Lock|Semaphore|Condition)$/.test(o.type) ? { kind: 'data', site: o.site } : o;
        default:
          return unknown;
      }
    };
    return v.kind === 'union' ? union(v.options.map(enter)) : enter(v);
  }

  /** A container literal bound to a name, with what is later written into it in the same scope (`append`, `d[k] = v`, `update`). */
  private withWrites(v: Extract<Value, { kind: 'container' }>, b: Extract<Binding, { kind: 'value' }>, depth: number): Value {
    const t = b.value.type;
    const literal = t === 'list' || t === 'dictionary' || t === 'set' || t === 'call';
    if (!literal) return v;
    // Writes after this binding and before the next one of the same name.
    const next = b.scope.bindings.get(b.name)?.find((o) => o.node.startIndex > b.node.startIndex);
    const writes = (b.scope.writes?.get(b.name) ?? [])
      .filter((w) => w.node.startIndex > b.node.startIndex && (!next || w.node.startIndex < next.node.startIndex))
      .map((w) => ({ ...w, scope: b.scope }));
    // A module-level container filled by the module's functions (`REGISTRY[name] = ...` in a
    // `register()`): their writes count too, where the name is not rebound locally.
    if (b.scope.kind === 'module' && !next)
      for (const s of new Set(b.scope.module.scopeOf.values()))
        if (s !== b.scope && s.kind === 'function' && !s.bindings.has(b.name))
          for (const w of s.writes?.get(b.name) ?? []) if (writes.length < 16) writes.push({ ...w, scope: s });
    if (!writes.length) return v;
    const items: Item[] = [...v.items, ...writes.map((w) => ({ label: w.label, value: this.eval(w.node, w.scope, depth + 1), node: w.node, module: b.scope.module }))];
    return { ...v, items };
  }

  private evalImport(b: Extract<Binding, { kind: 'import' }>, site: Site): Value {
    const module = b.scope.module;
    if (b.asModule) {
      const local = this.ws.findModule(module, b.module, 0);
      if (local) return { kind: 'module', model: local };
      const { name, library } = canonicalName(b.module);
      return { kind: 'ref', qname: name, library, isModule: true, site };
    }
    const target = this.ws.findModule(module, b.module, b.level);
    if (target && b.member) {
      const inner = target.scope.bindings.get(b.member);
      if (inner && inner.length) return this.evalBinding(inner[inner.length - 1], 2);
      const sub = this.ws.findModule(target, b.member, 1);
      if (sub) return { kind: 'module', model: sub };
      return unknown;
    }
    if (b.level > 0) return unknown;
    const { name, library } = canonicalName(`${b.module}.${b.member}`);
    return { kind: 'ref', qname: name, library, isModule: false, site };
  }

  /** An annotation names a type; the variable holds an instance of it. */
  evalAnnotation(type: Node, scope: Scope, depth: number, site: Site): Value {
    let t = type;
    if (t.type === 'type') t = t.namedChildren[0] ?? t;
    if (t.type === 'generic_type' || t.type === 'subscript') {
      const head = t.type === 'subscript' ? t.childForFieldName('value') : t.namedChildren[0];
      if (head && /(^|\.)Optional$/.test(head.text)) {
        const inner = t.type === 'subscript' ? t.childForFieldName('subscript') : t.namedChildren[1]?.namedChildren[0];
        return inner ? this.evalAnnotation(inner, scope, depth + 1, site) : unknown;
      }
      return unknown;
    }
    if (t.type === 'binary_operator') {
      const left = t.childForFieldName('left');
      const right = t.childForFieldName('right');
      if (right?.text === 'None' && left) return this.evalAnnotation(left, scope, depth + 1, site);
      if (left?.text === 'None' && right) return this.evalAnnotation(right, scope, depth + 1, site);
      return unknown;
    }
    if (t.type !== 'identifier' && t.type !== 'attribute') return unknown;
    const v = this.eval(t, scope, depth + 1);
    if (v.kind === 'class') return { kind: 'instance', cls: v.cls, site };
    if (v.kind === 'ref') {
      const made = factories[v.qname];
      const typeName = made && types[made] ? made : types[v.qname] ? v.qname : undefined;
      if (typeName) return { kind: 'object', type: typeName, library: v.library, site };
    }
    return unknown;
  }

  private evalAttribute(node: Node, scope: Scope, depth: number): Value {
    const objNode = node.childForFieldName('object');
    const attr = node.childForFieldName('attribute');
    if (!objNode || !attr) return unknown;
    let base = this.eval(objNode, scope, depth + 1);
    const name = attr.text;
    if (base.kind === 'param' && base.index < 0) return unknown;
    if (base.kind === 'param' && !base.element) {
      // `job.context.lock`: the path grows, still judged at the callers.
      if (base.attrs) return base.attrs.length < 3 ? { ...base, attrs: [...base.attrs, name] } : unknown;
      // `q.put`, `settings.db` on an unannotated parameter: what its callers in this module pass;
      // when none says, the attribute is judged at each caller's argument (callers in other
      // modules included, see flow.ts).
      const origins = this.paramOrigins(base.fn, base.index, base.name, depth + 1);
      if (origins.kind === 'unknown') return { kind: 'param', fn: base.fn, index: base.index, name: base.name, attrs: [name] };
      base = origins;
    }
    return this.attributeOf(base, name, this.site(node, scope), depth);
  }

  /** `name` read from a value: an attribute of an instance, class, module or known object. */
  attributeOf(base: Value, name: string, site: Site, depth: number): Value {
    switch (base.kind) {
      case 'ref': {
        const qname = `${base.qname}.${name}`;
        const objType = objectValueOf(qname);
        if (objType) return { kind: 'object', type: objType, library: base.library, site };
        return { kind: 'ref', qname: canonicalName(qname).name, library: base.library, isModule: false, site };
      }
      case 'module': {
        const list = base.model.scope.bindings.get(name);
        if (list && list.length) return this.evalBinding(list[list.length - 1], depth + 1);
        const sub = this.ws.findModule(base.model, name, 1);
        return sub ? { kind: 'module', model: sub } : unknown;
      }
      case 'instance':
        return this.instanceAttribute(base, name, site, depth);
      case 'class': {
        const m = findMethod(base.cls, name, this);
        if (m) return { kind: 'function', fn: m };
        // `Stage.PARSE` of a workspace Enum: the member, pickled as `Stage(value)`.
        const own = base.cls.scope.bindings.get(name);
        const last = own?.[own.length - 1];
        if (last?.kind === 'value' && !last.unpack.length && !name.startsWith('_') && isEnum(base.cls, this)) return { kind: 'member', cls: base.cls, value: last.value, scope: last.scope, site };
        for (const c of classChain(base.cls, this)) {
          const v = this.classAttribute(c, name, site, depth + 1);
          if (v) return v;
        }
        return unknown;
      }
      case 'object':
        return { kind: 'method', self: base, name, site };
      case 'container':
        if (base.namespace) return union(base.items.filter((i) => i.label === `.${name}`).map((i) => i.value));
        // `d.keys()` of a dict: a view object, which does not pickle (see callValue).
        return base.dict && DICT_VIEWS.has(name) ? { kind: 'method', self: base, name, site } : unknown;
      case 'member':
        // `Stage.PARSE.value` is the member's value itself, which pickles as what it is.
        if (name === 'value') return this.eval(base.value, base.scope, depth + 1);
        return name === 'name' ? { kind: 'data', site } : unknown;
      case 'union':
        return union(
          base.options.map((o) =>
            o.kind === 'instance' ? this.instanceAttribute(o, name, site, depth + 1) : o.kind === 'object' ? ({ kind: 'method', self: o, name, site } as Value) : unknown,
          ),
        );
      default:
        return unknown;
    }
  }

  private origins = new Map<string, Value>();

  /**
   * What an unannotated parameter may hold: its default and the arguments the calls of its
   * function in the same module pass (a may-value, bounded). Used where the parameter's own
   * value matters inside the function (`q.put(...)`, `settings.db`, `self.lock = lock` of an
   * object whose construction is not in sight); a parameter that is itself sent stays a
   * parameter, and is judged at each caller instead (flow.ts).
   */
  paramOrigins(fn: FunctionInfo, index: number, name: string, depth: number): Value {
    const key = `${fn.module.file}:${fn.node.id}:${index}`;
    const hit = this.origins.get(key);
    if (hit) return hit;
    if (depth > MAX_DEPTH || this.active.has(-fn.node.id - 1)) {
      this.cutoffs++;
      return unknown;
    }
    this.active.add(-fn.node.id - 1);
    const before = this.cutoffs;
    try {
      const values: Value[] = [];
      const param = fn.node.childForFieldName('parameters')?.namedChildren.find((p) => p?.childForFieldName('name')?.text === name);
      const dflt = param?.type === 'default_parameter' ? param.childForFieldName('value') : undefined;
      if (dflt && dflt.type !== 'none') values.push(this.eval(dflt, fn.outer, depth + 1));
      const cls = fn.name === '__init__' && fn.outer.kind === 'class' ? fn.outer.cls : undefined;
      const wanted = cls ? cls.name : fn.name;
      let seen = 0;
      // An argument that is itself a parameter of the calling function (`publish(q, item)` inside
      // `worker(q)`): what that function's callers pass, one level further.
      const settle = (v: Value): Value =>
        v.kind === 'param' && v.index >= 0 && !v.attrs && !v.element && v.fn !== fn ? this.paramOrigins(v.fn, v.index, v.name, depth + 1) : v;
      // Only the calls that name the function or pass it as `target=`, in source order (callNames).
      const calls = fn.module.calls;
      const names = callNames(calls);
      for (const at of inOrder(names.byLast.get(wanted), cls ? undefined : names.byTarget.get(fn.name))) {
        const site = calls[at];
        const f = site.node.childForFieldName('function');
        const last = f?.type === 'attribute' ? f.childForFieldName('attribute')?.text : f?.type === 'identifier' ? f.text : undefined;
        if (!f) continue;
        if (last !== wanted) {
          // `Process(target=producer, args=(q,))`, `Thread(target=..., args=...)`: the function is
          // called later with the items of `args` (and `kwargs`), so they are its arguments.
          const passed = cls ? undefined : targetArgument(site.node, fn.name, name, index);
          if (!passed) continue;
          const t = this.eval(passed.target, site.scope, depth + 1);
          if (t.kind !== 'function' || t.fn !== fn || !passed.arg) continue;
          values.push(settle(this.eval(passed.arg, site.scope, depth + 1)));
          if (++seen >= MAX_OPTIONS) break;
          continue;
        }
        const callee = this.eval(f, site.scope, depth + 1);
        let offset: number;
        if (callee.kind === 'function' && callee.fn === fn) offset = fn.decorators.some((d) => /\bclassmethod\b/.test(d.text)) ? 1 : 0;
        else if (callee.kind === 'method' && callee.fn === fn) offset = fn.decorators.some((d) => /\bstaticmethod\b/.test(d.text)) ? 0 : 1;
        else if (cls && callee.kind === 'class' && findMethod(callee.cls, '__init__', this) === fn) offset = 1;
        else continue;
        const { positional, keywords, splat } = callArgs(site.node);
        const arg = keywords.get(name) ?? (splat || index >= fn.positional ? undefined : positional[index - offset]);
        if (!arg) continue;
        values.push(settle(this.eval(arg, site.scope, depth + 1)));
        if (++seen >= MAX_OPTIONS) break;
      }
      const v = union(values);
      if (this.cutoffs === before) this.origins.set(key, v);
      return v;
    } finally {
      this.active.delete(-fn.node.id - 1);
    }
  }

  /** `obj.name` on an instance of a workspace class: an attribute assigned in a method, a method, or a class attribute. */
  instanceAttribute(inst: Extract<Value, { kind: 'instance' }>, name: string, site: Site, depth: number): Value {
    const v = this.instanceAttributeOwn(inst, name, site, depth);
    // `graph.nodes.append(fn)` after the object was built: the container the attribute holds carries it.
    const fills = inst.setOutside?.filter((i) => i.label.startsWith(`${name}[`));
    if (!fills?.length) return v;
    const items = fills.map((i) => ({ ...i, label: i.label.slice(name.length) }));
    const fill = (o: Value): Value => (o.kind === 'container' ? { ...o, items: [...o.items, ...items] } : o);
    return v.kind === 'union' ? union(v.options.map(fill)) : v.kind === 'container' ? fill(v) : union([v, { kind: 'container', items, site }]);
  }

  private instanceAttributeOwn(inst: Extract<Value, { kind: 'instance' }>, name: string, site: Site, depth: number): Value {
    // `job.stop = Event()` after `job = Job()` (or in a helper `job` was handed to): the last write.
    const outside = inst.setOutside?.filter((i) => i.label === name);
    if (outside?.length) return outside[outside.length - 1].value;
    for (const cls of classChain(inst.cls, this)) {
      const assigned = cls.attrs.get(name);
      if (assigned && assigned.length) {
        let a = assigned.find((x) => x.scope.fn?.name === '__init__') ?? assigned[0];
        // `self.pool = None` in `__init__`, `self.pool = ProcessPoolExecutor()` in `start()`:
        // read through (`self.pool.submit(...)`), the placeholder cannot be what is meant.
        const deref = site.node.parent?.type === 'attribute' && site.node.parent.childForFieldName('object')?.id === site.node.id;
        if (deref && a.value?.type === 'none') a = assigned.find((x) => x.value && x.value.type !== 'none') ?? a;
        return this.attrValue(inst, a, depth + 1);
      }
      const field = cls.fields.find((f) => f.name === name);
      if (field) return this.fieldValue(inst, cls, field, depth + 1);
      const m = cls.methods.get(name);
      if (m) {
        // A property reads as what its getter returns for this object (`@property def guard(self): return self._guard`).
        const defs = (cls.scope.bindings.get(name) ?? []).flatMap((d) => (d.kind === 'def' ? [d.fn] : []));
        const getter = defs.find((f) => f.decorators.some((d) => /(?:^@|\.)(?:property|cached_property)\s*$/.test(d.text.trim())));
        if (getter) return depth > MAX_DEPTH - 4 ? unknown : this.withArguments(getter, new Map([[0, inst]])).returnValue(getter, depth + 1, site);
        if (m.decorators.some((d) => /\.(?:setter|deleter|getter)\s*$|(?:^@|\.)abstractproperty\s*$/.test(d.text.trim()))) return unknown;
        return { kind: 'method', self: inst, name, fn: m, site };
      }
      const v = this.classAttribute(cls, name, site, depth + 1);
      if (v) return v;
    }
    return unknown;
  }

  /**
   * A class attribute: its class-body value and what is assigned to it at run time on the class
   * (`cls._instance = cls(...)` in a classmethod, `Registry.lock = threading.Lock()`), with the
   * items written into the container it holds (`Cls._handlers[name] = h`). Undefined when the class
   * has no such attribute.
   */
  private classAttribute(cls: ClassInfo, name: string, site: Site, depth: number): Value | undefined {
    if (depth > MAX_DEPTH) return unknown;
    const list = cls.scope.bindings.get(name);
    let body: Value | undefined = list && list.length ? this.evalBinding(list[list.length - 1], depth + 1) : undefined;
    const writes = [cls.module, ...(site.module !== cls.module ? [site.module] : [])].flatMap((m) => m.classAttrWrites.get(name) ?? []);
    if (!writes.length) return body;
    const assigned: Value[] = [];
    const items: Item[] = [];
    for (const w of writes) {
      const target = this.eval(w.object, w.scope, depth + 1);
      if (target.kind !== 'class' || target.cls !== cls) continue;
      const v = this.eval(w.value, w.scope, depth + 1);
      if (w.label) items.push({ label: w.label, value: v, node: w.value, module: w.scope.module });
      else assigned.push(v);
    }
    if (!assigned.length && !items.length) return body;
    if (items.length) {
      // Writes into the container: onto the class-body literal, or onto each container assigned.
      const fill = (v: Value): Value => (v.kind === 'container' ? { ...v, items: [...v.items, ...items] } : v);
      if (body) body = fill(body);
      for (let i = 0; i < assigned.length; i++) assigned[i] = fill(assigned[i]);
      if (!body && !assigned.some((v) => v.kind === 'container')) assigned.push({ kind: 'container', items, site, dict: items.some((it) => it.label !== '[i]') });
    }
    return union([...(body ? [body] : []), ...assigned]);
  }

  /**
   * Methods run on the object an instance value was built by, seen from where it was built:
   * `job = RenderJob(...)` then `job.open_log(...)` in the same function (and the methods those
   * call on `self`). Memoised by the constructor call.
   */
  methodsCalledOn(inst: Extract<Value, { kind: 'instance' }>, until?: Site): Set<string> {
    const out = new Set<string>();
    const call = inst.call;
    const scope = inst.callScope;
    if (!call || !scope) return this.methodsCalledOnBuilt(inst.cls, inst.selfIn?.name);
    // Sent from the scope that built it: what runs after the send (and not again before it, in a
    // loop around both) does not travel (`ex.submit(fill, store)` then `store.connect()`).
    const limit = until && until.module === scope.module && until.node.startIndex > call.endIndex && until.node.endIndex <= scope.node.endIndex && until.node.startIndex >= scope.node.startIndex ? until.node : undefined;
    const key = `${scope.module.file}:${call.id}:${limit?.id ?? ''}`;
    const hit = this.calledMemo.get(key);
    if (hit) return hit;
    this.calledMemo.set(key, out);
    const parent = call.parent;
    // `Uploader(conn).start()`: the method called on the new object directly.
    if (parent?.type === 'attribute' && parent.childForFieldName('object')?.id === call.id) out.add(parent.childForFieldName('attribute')?.text ?? '');
    let target = parent?.type === 'assignment' && parent.childForFieldName('right')?.id === call.id ? parent.childForFieldName('left') : undefined;
    // `with Warehouse(path) as wh:` runs `__enter__` on the new object before the block.
    if (parent?.type === 'as_pattern' && parent.namedChildren[0]?.id === call.id) {
      out.add('__enter__');
      target = parent.childForFieldName('alias')?.namedChildren[0] ?? undefined;
    }
    if (!target || target.type !== 'identifier') return this.selfCalls(inst.cls, out);
    const name = target.text;
    const loops: Node[] = [];
    for (let n = limit?.parent; n && n.id !== scope.node.id; n = n.parent) if (n.type === 'for_statement' || n.type === 'while_statement') loops.push(n);
    const beforeSend = (n: Node) => !limit || n.startIndex < limit.startIndex || loops.some((l) => n.startIndex >= l.startIndex && n.endIndex <= l.endIndex);
    const visit = (n: Node): void => {
      if (n.type === 'call' && n.startIndex > call.endIndex && beforeSend(n)) {
        const f = n.childForFieldName('function');
        const obj = f?.type === 'attribute' ? f.childForFieldName('object') : undefined;
        if (obj?.type === 'identifier' && obj.text === name) out.add(f!.childForFieldName('attribute')?.text ?? '');
      }
      for (const c of n.namedChildren) if (c) visit(c);
    };
    visit(scope.node);
    return this.selfCalls(inst.cls, out);
  }

  /**
   * `self` inside a method, with no construction in sight: the methods called on the objects of
   * exactly this class that its module builds (`c = Crawler(...); c.configure(); c.run()`), so
   * what `configure` stored counts when `run` sends `self`.
   */
  private methodsCalledOnBuilt(cls: ClassInfo, sender?: string): Set<string> {
    const key = `${cls.module.file}:class:${cls.node.id}:${sender ?? ''}`;
    const hit = this.calledMemo.get(key);
    if (hit) return hit;
    const out = new Set<string>();
    this.calledMemo.set(key, out);
    let seen = 0;
    for (const site of cls.module.calls) {
      const f = site.node.childForFieldName('function');
      const last = f?.type === 'attribute' ? f.childForFieldName('attribute')?.text : f?.text;
      if (last !== cls.name || !f) continue;
      const callee = this.eval(f, site.scope);
      if (callee.kind !== 'class' || callee.cls !== cls) continue;
      // `c = Crawler(...)`: the methods called on `c` in order, up to the first call of the
      // method that sends `self` (what runs after the send does not travel).
      const parent = site.node.parent;
      const target = parent?.type === 'assignment' && parent.childForFieldName('right')?.id === site.node.id ? parent.childForFieldName('left') : undefined;
      if (target?.type !== 'identifier') continue;
      const calls: string[] = [];
      const visit = (n: Node): void => {
        if (n.type === 'call' && n.startIndex > site.node.endIndex) {
          const g = n.childForFieldName('function');
          const obj = g?.type === 'attribute' ? g.childForFieldName('object') : undefined;
          if (obj?.type === 'identifier' && obj.text === target.text) calls.push(g!.childForFieldName('attribute')?.text ?? '');
        }
        for (const c of n.namedChildren) if (c) visit(c);
      };
      visit(site.scope.node);
      const at = sender ? calls.indexOf(sender) : -1;
      for (const m of at >= 0 ? calls.slice(0, at + 1) : calls) out.add(m);
      if (++seen >= MAX_OPTIONS) break;
    }
    return this.selfCalls(cls, out);
  }

  /** One more step: a method called on `self` inside a method called on the object. */
  private selfCalls(cls: ClassInfo, out: Set<string>): Set<string> {
    const inst = { cls };
    for (const m of [...out]) {
      const fn = findMethod(inst.cls, m, this);
      if (!fn || !fn.params.length) continue;
      const self = fn.params[0];
      const inner = (n: Node): void => {
        if (n.type === 'call') {
          const f = n.childForFieldName('function');
          const obj = f?.type === 'attribute' ? f.childForFieldName('object') : undefined;
          if (obj?.type === 'identifier' && obj.text === self) out.add(f!.childForFieldName('attribute')?.text ?? '');
        }
        for (const c of n.namedChildren) if (c) inner(c);
      };
      inner(fn.node);
    }
    return out;
  }

  private calledMemo = new Map<string, Set<string>>();

  /** The value of `self.x = <value>`; a parameter of `__init__` is mapped to the constructor call's argument when known. */
  attrValue(inst: Extract<Value, { kind: 'instance' }>, a: import('./model').InstanceAttr, depth: number): Value {
    if (!a.value) return a.annotation ? this.evalAnnotation(a.annotation, a.scope, depth + 1, { module: a.scope.module, node: a.node }) : unknown;
    let v: Value;
    const fromParam = this.paramFromCall(inst, a.value, a.scope, depth);
    v = fromParam ?? this.eval(a.value, a.scope, depth + 1);
    // `self.lock = lock` seen from `self` in another method: whatever the constructor's callers pass.
    if (v.kind === 'param' && !v.element && !inst.call && v.fn === a.scope.fn) {
      const attrs = v.attrs ?? [];
      v = this.paramOrigins(v.fn, v.index, v.name, depth + 1);
      for (const name of attrs) v = this.attributeOf(v, name, { module: a.scope.module, node: a.value }, depth + 1);
    }
    for (const i of a.unpack) v = element(v, i);
    if (isUnknown(v) && a.annotation) return this.evalAnnotation(a.annotation, a.scope, depth + 1, { module: a.scope.module, node: a.node });
    if (isUnknown(v)) {
      // `class C: pool: ProcessPoolExecutor` declares what `self.pool` holds.
      const cls = inst.cls;
      const declared = cls.scope.bindings.get(a.name)?.find((b) => b.kind === 'annotation');
      if (declared?.kind === 'annotation') return this.evalAnnotation(declared.type, cls.scope, depth + 1, { module: a.scope.module, node: a.node });
    }
    return v;
  }

  private paramFromCall(inst: Extract<Value, { kind: 'instance' }>, valueNode: Node, scope: Scope, depth: number): Value | undefined {
    if (valueNode.type !== 'identifier' || !inst.call || !inst.callScope) return undefined;
    const fn = scope.fn;
    if (!fn || fn.name !== '__init__') return undefined;
    const b = lookup(valueNode.text, scope, valueNode);
    if (!b || b.kind !== 'param' || b.index < 1) return undefined;
    const { positional, keywords, splat } = callArgs(inst.call);
    const arg = keywords.get(b.name) ?? (splat || b.index >= fn.positional ? undefined : positional[b.index - 1]);
    return arg ? (inst.callEv ?? this).eval(arg, inst.callScope, depth + 1) : undefined;
  }

  fieldValue(inst: Extract<Value, { kind: 'instance' }>, cls: ClassInfo, f: import('./model').InstanceAttr, depth: number): Value {
    if (inst.call && inst.callScope) {
      const { positional, keywords, splat } = callArgs(inst.call);
      const index = cls.fields.indexOf(f);
      // attrs strips a leading underscore from the `__init__` parameter of a private field.
      const arg = keywords.get(f.name) ?? (cls.fieldStyle === 'attrs' ? keywords.get(f.name.replace(/^_+/, '')) : undefined) ?? (splat ? undefined : positional[index]);
      if (arg) return (inst.callEv ?? this).eval(arg, inst.callScope, depth + 1);
    }
    if (f.value) {
      // attrs: `lock = attr.Factory(threading.Lock)` as the default itself.
      if (f.value.type === 'call' && /(^|\.)Factory$/.test(f.value.childForFieldName('function')?.text ?? '')) return this.factoryValue(f.value, f.scope, depth);
      if (f.value.type === 'call' && /(^|\.)(field|ib|attrib)$/.test(f.value.childForFieldName('function')?.text ?? '')) {
        const { keywords } = callArgs(f.value);
        // dataclasses' `default_factory=`, attrs' `factory=`.
        const factory = keywords.get('default_factory') ?? keywords.get('factory');
        if (factory) {
          const fv = this.eval(factory, f.scope, depth + 1);
          return this.callValue(fv, f.value, f.scope, depth + 1);
        }
        const dflt = keywords.get('default');
        if (dflt?.type === 'call' && /(^|\.)Factory$/.test(dflt.childForFieldName('function')?.text ?? '')) return this.factoryValue(dflt, f.scope, depth);
        if (dflt) return this.eval(dflt, f.scope, depth + 1);
        return f.annotation ? this.evalAnnotation(f.annotation, f.scope, depth + 1, { module: f.scope.module, node: f.node }) : unknown;
      }
      return this.eval(f.value, f.scope, depth + 1);
    }
    return f.annotation ? this.evalAnnotation(f.annotation, f.scope, depth + 1, { module: f.scope.module, node: f.node }) : unknown;
  }

  /** What `attr.Factory(make)` makes: the result of calling `make`. */
  private factoryValue(call: Node, scope: Scope, depth: number): Value {
    const make = callArgs(call).positional[0];
    return make ? this.callValue(this.eval(make, scope, depth + 1), call, scope, depth + 1) : unknown;
  }

  private evalCall(node: Node, scope: Scope, depth: number): Value {
    const fnNode = node.childForFieldName('function');
    if (!fnNode) return unknown;
    // `registry.values()`, `registry.get("csv")` on a dict sendcheck has seen filled.
    const method = fnNode.type === 'attribute' ? fnNode.childForFieldName('attribute')?.text : undefined;
    if (method === 'values' || method === 'get' || method === 'pop') {
      const base = this.eval(fnNode.childForFieldName('object')!, scope, depth + 1);
      // `kwargs.get("cb")` / `kwargs.pop("cb", None)` in a helper: that keyword of each caller (or the default).
      if (method !== 'values' && base.kind === 'param' && base.index === KWARGS) {
        const [key, dflt] = callArgs(node).positional;
        const one = key ? starItem(base, key) : undefined;
        if (!one) return unknown;
        return dflt && dflt.type !== 'none' ? union([one, this.eval(dflt, scope, depth + 1)]) : one;
      }
      if (method === 'pop') return this.callValue(this.eval(fnNode, scope, depth + 1), node, scope, depth);
      if (base.kind === 'container' && base.dict) {
        const items = base.items.filter((i) => i.label !== '.default_factory');
        const key = callArgs(node).positional[0];
        if (method === 'values') return callArgs(node).positional.length ? unknown : { kind: 'container', items: items.map((i) => ({ ...i, label: '[i]' })), site: this.site(node, scope), view: 'values' };
        if (!key) return unknown;
        return union(itemsAt(items, key).map((i) => i.value));
      }
    }
    // `Actor.remote(...)` of a Ray actor class: a handle whose methods are called as
    // `handle.method.remote(...)` (sinks.ts); the handle itself pickles (Ray sends handles).
    if (method === 'remote' && this.rayRemote(fnNode.childForFieldName('object')!, scope, depth) === 'class')
      return { kind: 'object', type: 'ray.actor.ActorHandle', library: 'ray', site: this.site(node, scope) };
    const callee = this.eval(fnNode, scope, depth + 1);
    return this.callValue(callee, node, scope, depth);
  }

  /**
   * What `target` in `target.remote(...)` is when it names an `@ray.remote` function or actor
   * class (also through `.options(...)`), or a method of an actor handle (`handle.step`).
   */
  rayRemote(target: Node, scope: Scope, depth = 0): 'function' | 'class' | 'actor-method' | undefined {
    if (target.type === 'call' && target.childForFieldName('function')?.type === 'attribute' && target.childForFieldName('function')!.childForFieldName('attribute')?.text === 'options')
      target = target.childForFieldName('function')!.childForFieldName('object')!;
    const remote = this.eval(target, scope, depth + 1);
    if (remote.kind === 'method' && remote.self.kind === 'object' && remote.self.type === 'ray.actor.ActorHandle') return 'actor-method';
    if (remote.kind !== 'function' && remote.kind !== 'class') return undefined;
    const { decorators, outer } = remote.kind === 'function' ? remote.fn : remote.cls;
    const ray = decorators.some((d) => {
      const expr = d.namedChildren.find((c) => c && c.type !== 'comment');
      const head = expr?.type === 'call' ? expr.childForFieldName('function') : expr;
      const v = head ? this.eval(head, outer, depth + 1) : undefined;
      return v?.kind === 'ref' && v.qname === 'ray.remote';
    });
    return ray ? remote.kind : undefined;
  }

  /** What calling `callee` at `call` returns. */
  callValue(callee: Value, call: Node, scope: Scope, depth: number): Value {
    const site = this.site(call, scope);
    switch (callee.kind) {
      case 'ref': {
        if (/^builtins\.(list|dict|set)$/.test(callee.qname) && callArgs(call).positional.length === 0 && callArgs(call).keywords.size === 0)
          return { kind: 'container', items: [], site, dict: callee.qname === 'builtins.dict' };
        // `dict(timeout=5, guard=lock)` is the literal `{"timeout": 5, "guard": lock}`;
        // `SimpleNamespace(root=..., lock=...)` pickles with each attribute.
        if ((callee.qname === 'builtins.dict' || callee.qname === 'types.SimpleNamespace') && !callArgs(call).positional.length && !callArgs(call).splat) {
          const ns = callee.qname === 'types.SimpleNamespace';
          const items: Item[] = [...callArgs(call).keywords].map(([k, a]) => ({ label: ns ? `.${k}` : `[${k}]`, value: this.eval(a, scope, depth + 1), node: a, module: scope.module }));
          return { kind: 'container', items, site, dict: !ns, namespace: ns || undefined };
        }
        // `zip(paths, repeat(lock))`, `enumerate(jobs)`: tuples of the iterables' elements.
        if (callee.qname === 'builtins.zip' || callee.qname === 'builtins.enumerate' || callee.qname === 'itertools.repeat') {
          const { positional, keywords, splat } = callArgs(call);
          if (splat || !positional.length) return unknown;
          if (callee.qname === 'itertools.repeat') return { kind: 'container', items: [{ label: '[i]', value: this.eval(positional[0], scope, depth + 1), node: positional[0], module: scope.module }], site };
          if (keywords.size && callee.qname === 'builtins.zip' && [...keywords.keys()].some((k) => k !== 'strict')) return unknown;
          const parts: Item[] = (callee.qname === 'builtins.enumerate' ? [undefined, positional[0]] : positional).map((a, j) => ({
            label: `[${j}]`,
            value: a ? elementOf(this.eval(a, scope, depth + 1)) : ({ kind: 'data', site } as Value),
            node: a,
            module: scope.module,
          }));
          return { kind: 'container', items: [{ label: '[i]', value: { kind: 'container', items: parts, site }, node: call, module: scope.module }], site };
        }
        // `list(plugins.values())`, `sorted(jobs)`: a list of the iterable's elements.
        if (/^builtins\.(list|tuple|set|sorted)$/.test(callee.qname) && callArgs(call).positional.length === 1 && callArgs(call).keywords.size === 0) {
          const arg = callArgs(call).positional[0];
          const element = elementOf(this.eval(arg, scope, depth + 1));
          if (element.kind === 'unknown') return unknown;
          return { kind: 'container', items: [{ label: '[i]', value: element, node: arg, module: scope.module }], site };
        }
        if (callee.qname === 'collections.namedtuple' || callee.qname === 'typing.NamedTuple') {
          const fields = namedTupleFields(callArgs(call).positional[1] ?? callArgs(call).keywords.get('field_names'));
          return fields ? { kind: 'tupleclass', fields, site } : unknown;
        }
        if (callee.qname === 'collections.defaultdict') {
          // Pickled with its default_factory: a lambda or a nested function there fails.
          const factory = callArgs(call).positional[0];
          const items: Item[] = factory ? [{ label: '.default_factory', value: this.eval(factory, scope, depth + 1), node: factory, module: scope.module }] : [];
          return { kind: 'container', items, site, dict: true };
        }
        // A scikit-learn estimator keeps its constructor arguments as attributes (that is how
        // `clone` rebuilds it), so it pickles with them: `Pipeline([("scale", Scaler(cache=c))])`.
        if (callee.library === 'sklearn' && /\.(?:[A-Z]\w*|make_pipeline|make_union)$/.test(callee.qname)) {
          const { positional, keywords } = callArgs(call);
          const items: Item[] = positional.map((a, i) => ({ label: `.args[${i}]`, value: this.eval(a, scope, depth + 1), node: a, module: scope.module }));
          for (const [k, a] of keywords) items.push({ label: `.${k}`, value: this.eval(a, scope, depth + 1), node: a, module: scope.module });
          return { kind: 'container', items, site };
        }
        const made = factoryOf(callee.qname, call);
        if (!made) return unknown;
        if (made === 'partial') {
          const { positional, keywords } = callArgs(call);
          if (!positional.length) return unknown;
          const args: Item[] = positional.slice(1).map((a, i) => ({ label: `args[${i}]`, value: this.eval(a, scope, depth + 1), node: a, module: scope.module }));
          for (const [k, a] of keywords) args.push({ label: `keywords[${k}]`, value: this.eval(a, scope, depth + 1), node: a, module: scope.module });
          // `partial(run, *args, **kwargs)`: what the splats hold is bound into the partial too.
          for (const s of callSplats(call)) {
            const v = this.eval(s.inner, scope, depth + 1);
            if (v.kind === 'param' && (v.index === VARARGS || v.index === KWARGS) && v.at === undefined && v.key === undefined) args.push({ label: s.star === 'args' ? `args[*${v.name}]` : `keywords[**${v.name}]`, value: v, node: s.node, module: scope.module });
            else if (v.kind === 'container') for (const it of v.items) args.push({ ...it, label: s.star === 'args' ? 'args[i]' : `keywords[${it.label.slice(1, -1).replace(/^(['"])(.*)\1$/, '$2')}]` });
          }
          return { kind: 'partial', func: this.eval(positional[0], scope, depth + 1), args, site };
        }
        if (made === 'pipe') return pair('multiprocessing.connection.Connection', callee.library, site);
        if (made === 'socketpair') return pair('socket.socket', callee.library, site);
        const obj: Value = { kind: 'object', type: made, library: callee.library, site };
        if (made === 'multiprocessing.context') {
          const { positional, keywords } = callArgs(call);
          const m = positional[0] ?? keywords.get('method');
          obj.method = m ? this.startMethodOf(m, scope, depth) : this.ws.defaultMethodOf(scope.module);
          if (m && !obj.method) return unknown;
        } else if (made === 'concurrent.futures.ProcessPoolExecutor') {
          const ctx = callArgs(call).keywords.get('mp_context');
          if (ctx) {
            const c = this.eval(ctx, scope, depth + 1);
            if (c.kind === 'object' && c.type === 'multiprocessing.context') obj.method = c.method;
          }
        }
        return obj;
      }
      case 'class': {
        return { kind: 'instance', cls: callee.cls, site, call, callScope: scope, callEv: this.bound?.fn === scope.fn ? this : undefined };
      }
      case 'function': {
        const fn = callee.fn;
        return this.returnAt(fn, call, scope, fn.decorators.some((d) => /\bclassmethod\b/.test(d.text)) ? 1 : 0, depth, site);
      }
      case 'lambda': {
        // `default_factory=lambda: threading.Lock()`: what its body makes.
        const body = callee.site.node.childForFieldName('body');
        const inner = callee.site.module.scopeOf.get(callee.site.node.id);
        return body && inner ? this.eval(body, inner, depth + 1) : unknown;
      }
      case 'tupleclass': {
        // A namedtuple is a tuple of its fields.
        const { positional, keywords, splat } = callArgs(call);
        if (splat) return unknown;
        const items: Item[] = [];
        callee.fields.forEach((name, i) => {
          const a = keywords.get(name) ?? positional[i];
          if (a) items.push({ label: `.${name}`, value: this.eval(a, scope, depth + 1), node: a, module: scope.module });
        });
        return { kind: 'container', items, site };
      }
      case 'method': {
        if (callee.self.kind === 'container' && DICT_VIEWS.has(callee.name) && callArgs(call).positional.length === 0)
          return { kind: 'object', type: `builtins.dict_${callee.name}`, library: 'builtins', site };
        // A fluent method (`return self`): the call is the instance it was called on, still known by
        // where it was built (`Builder().with_lock().build()`).
        if (callee.fn && callee.self.kind === 'instance' && returnsSelf(callee.fn)) return callee.self;
        if (callee.fn && callee.self.kind === 'instance') {
          return this.returnAt(callee.fn, call, scope, callee.fn.decorators.some((d) => /\bstaticmethod\b/.test(d.text)) ? 0 : 1, depth, site);
        }
        if (callee.self.kind === 'object') {
          const rows = this.sqliteRows(callee.self, callee.name, call, scope, depth);
          if (rows) return rows;
          const role = types[callee.self.type]?.role as Role | undefined;
          const made = methodResultOf(callee.self.type, role, callee.name, call);
          if (!made) return unknown;
          if (made === 'pipe') return pair('multiprocessing.connection.Connection', callee.self.library, site);
          if (made === 'data') return unknown;
          if (made === 'process') return unknown;
          return { kind: 'object', type: made, library: callee.self.library, site, method: callee.self.method, via: callee.name, owner: callee.self };
        }
        return unknown;
      }
      default:
        return unknown;
    }
  }

  /**
   * The rows a sqlite3 cursor fetches: `sqlite3.Row`s (which do not pickle) when the cursor's or
   * its connection's `row_factory` is `sqlite3.Row`, else undefined (tuples, or not known). A
   * write in the fetching function before the fetch decides; else every write seen must agree.
   */
  private sqliteRows(self: Value & { kind: 'object' }, name: string, call: Node, scope: Scope, depth: number): Value | undefined {
    if (self.type !== 'sqlite3.Cursor' || !/^fetch(one|all|many)$/.test(name)) return undefined;
    const holders: Value[] = [self];
    if (self.owner?.kind === 'object' && self.owner.type === 'sqlite3.Connection') holders.push(self.owner);
    for (const holder of holders) {
      const factory = this.rowFactory(holder as Value & { kind: 'object' }, call, scope, depth);
      if (factory === undefined) continue;
      if (factory !== 'sqlite3.Row') return undefined;
      const site = this.site(call, scope);
      const row: Value = { kind: 'object', type: 'sqlite3.Row', library: 'sqlite3', site, via: name };
      return name === 'fetchone' ? row : { kind: 'container', items: [{ label: '[i]', value: row, node: call, module: scope.module }], site };
    }
    return undefined;
  }

  /** The qualified name `row_factory` is set to on `obj` (`'other'` for anything else, or writes that disagree). */
  private rowFactory(obj: Value & { kind: 'object' }, call: Node, scope: Scope, depth: number): string | undefined {
    if (depth > MAX_DEPTH - 4) return undefined;
    const modules = new Set([obj.site.module, scope.module]);
    const writes: ModuleModel['shapingWrites'] = [];
    for (const m of modules)
      for (const w of m.shapingWrites) {
        if (w.name !== 'row_factory') continue;
        const target = this.eval(w.object, w.scope, depth + 1);
        const options = target.kind === 'union' ? target.options : [target];
        if (options.some((o) => o.kind === 'object' && o.site.node === obj.site.node && o.site.module === obj.site.module)) writes.push(w);
      }
    if (!writes.length) return undefined;
    const before = writes.filter((w) => w.scope === scope && w.target.startIndex < call.startIndex);
    const chosen = before.length ? [before.reduce((a, b) => (b.target.startIndex > a.target.startIndex ? b : a))] : writes;
    const names = new Set(
      chosen.map((w) => {
        const v = this.eval(w.value, w.scope, depth + 1);
        return v.kind === 'ref' ? v.qname : w.value.type === 'none' ? 'None' : 'other';
      }),
    );
    return names.size === 1 ? [...names][0] : 'other';
  }

  /**
   * What one call of `fn` returns: when the returned value is built from `fn`'s parameters
   * (`def make_job(path, lock): return Job(path, lock)`), they are read as this call's arguments.
   */
  private returnAt(fn: FunctionInfo, call: Node, scope: Scope, offset: number, depth: number, site: Site): Value {
    // `make(*args)` may set any parameter: no default decides which return it takes.
    const v = this.returnValue(fn, depth, site, !callArgs(call).splat);
    // A generator's yields are read later, with this call's arguments for its parameters; a
    // return chosen by a parameter (`if kind == "thread": return ThreadPoolExecutor()`) too.
    if (depth > MAX_DEPTH - 4 || (!builtFromParams(v, fn, 0) && !(v.kind === 'object' && v.elements) && !returnsChosenByParams(fn))) return v;
    const { positional, keywords, splat } = callArgs(call);
    const values = new Map<number, Value>();
    fn.params.forEach((name, i) => {
      const a = keywords.get(name) ?? (splat || i < offset || i >= fn.positional ? undefined : positional[i - offset]);
      if (a) values.set(i, this.eval(a, scope, depth + 1));
    });
    // `def make_task(fn, *args, **kwargs): return partial(fn, *args, **kwargs)`: the tuple and
    // dict of this call's extra arguments.
    if (!splat && fn.varargs) {
      const extra = positional.slice(Math.max(0, fn.positional - offset));
      values.set(VARARGS, { kind: 'container', items: extra.map((a, j) => ({ label: `[${j}]`, value: this.eval(a, scope, depth + 1), node: a, module: scope.module })), site: this.site(call, scope) });
    }
    if (!splat && fn.varkw) {
      const extra = [...keywords].filter(([k]) => !fn.params.includes(k));
      values.set(KWARGS, { kind: 'container', dict: true, items: extra.map(([k, a]) => ({ label: `['${k}']`, value: this.eval(a, scope, depth + 1), node: a, module: scope.module })), site: this.site(call, scope) });
    }
    if (!values.size) return v;
    return this.withArguments(fn, values).returnValue(fn, depth + 1, site, !splat);
  }

  /**
   * The literal a parameter of `fn` holds here: this evaluator's argument for it, else its
   * default; undefined when it is not a literal (see `reachableReturns`).
   */
  private literalOfParam(fn: FunctionInfo, name: string): Node | undefined {
    const index = fn.params.indexOf(name);
    if (index < 0) return undefined;
    const given = this.bound?.fn === fn ? this.bound.values.get(index) : undefined;
    if (given) return given.kind === 'data' && given.site && literalNodes.has(given.site.node.type) ? given.site.node : undefined;
    const param = fn.node.childForFieldName('parameters')?.namedChildren.find((p) => p?.childForFieldName('name')?.text === name);
    const dflt = param?.type === 'default_parameter' || param?.type === 'typed_default_parameter' ? param.childForFieldName('value') : undefined;
    return dflt && literalNodes.has(dflt.type) ? dflt : undefined;
  }

  /** What calling `fn` gives: a generator for a generator function, else its single `return` value or its return annotation. */
  returnValue(fn: FunctionInfo, depth: number, site: Site, byDefaults = true): Value {
    if (fn.isGenerator) {
      const async = fn.node.isAsync;
      const gen: Value = { kind: 'object', type: async ? 'builtins.coroutine' : 'builtins.generator', library: 'builtins', site };
      // What iterating it gives (`pool.imap(f, load_jobs(...))`, `for job in load_jobs(...)`, a
      // `@contextmanager`'s `as` target): what it yields, read when first asked.
      if (!async && fn.yields.length && depth < MAX_DEPTH - 4) {
        let memo: Value | undefined;
        gen.elements = () =>
          (memo ??= union(fn.yields.map((y) => (y.from ? elementOf(this.eval(y.node, fn.scope, depth + 1)) : this.eval(y.node, fn.scope, depth + 1)))));
      }
      return gen;
    }
    if (fn.node.isAsync) return { kind: 'object', type: 'builtins.coroutine', library: 'builtins', site };

    const returns = fn.returns.length > 1 && byDefaults ? reachableReturns(fn, (name) => this.literalOfParam(fn, name)) : fn.returns;
    const v = returns.length === 1 ? this.eval(returns[0], fn.scope, depth + 1) : returns.length <= MAX_OPTIONS ? union(returns.map((r) => this.eval(r, fn.scope, depth + 1))) : unknown;
    const annotation = fn.node.childForFieldName('return_type');
    if (isUnknown(v) && annotation) return this.evalAnnotation(annotation, fn.outer, depth + 1, site);
    return v;
  }
}

const literalNodes = new Set(['string', 'integer', 'true', 'false', 'none']);

/** The value of a literal for comparisons: strings by content, the rest by their text. */
function literalKey(n: Node): string | undefined {
  if (n.type === 'string') {
    const s = stringValue(n);
    return s === undefined ? undefined : `s:${s}`;
  }
  return literalNodes.has(n.type) ? `${n.type}:${n.text}` : undefined;
}

function literalTruth(n: Node): boolean | undefined {
  if (n.type === 'string') return stringValue(n) === undefined ? undefined : stringValue(n) !== '';
  if (n.type === 'integer') return !/^0+$/.test(n.text.replace(/_/g, ''));
  if (n.type === 'true') return true;
  if (n.type === 'false' || n.type === 'none') return false;
  return undefined;
}

/**
 * Whether a condition holds when each parameter has the literal `literalOf` gives: `kind ==
 * "thread"`, `kind != "process"`, `use_threads`, `not parallel`, `mode is None`, with `and` /
 * `or` / `not`. Undefined when it cannot be told.
 */
function decide(cond: Node, literalOf: (name: string) => Node | undefined): boolean | undefined {
  switch (cond.type) {
    case 'parenthesized_expression': {
      const inner = cond.namedChildren.find((c) => c.type !== 'comment');
      return inner ? decide(inner, literalOf) : undefined;
    }
    case 'not_operator': {
      const arg = cond.childForFieldName('argument');
      const d = arg ? decide(arg, literalOf) : undefined;
      return d === undefined ? undefined : !d;
    }
    case 'boolean_operator': {
      const left = cond.childForFieldName('left');
      const right = cond.childForFieldName('right');
      const l = left ? decide(left, literalOf) : undefined;
      const r = right ? decide(right, literalOf) : undefined;
      if (!left || !right) return undefined;
      // The parsed tree keeps named nodes only: the operator is the text between the operands.
      if (between(cond, left, right) === 'and') return l === false || r === false ? false : l && r ? true : undefined;
      return l === true || r === true ? true : l === false && r === false ? false : undefined;
    }
    case 'identifier': {
      const lit = literalOf(cond.text);
      return lit ? literalTruth(lit) : undefined;
    }
    case 'comparison_operator': {
      const operands = cond.namedChildren.filter((c) => c.type !== 'comment');
      if (operands.length !== 2) return undefined;
      const op = between(cond, operands[0], operands[1]);
      const side = (n: Node) => (n.type === 'identifier' ? literalOf(n.text) : literalNodes.has(n.type) ? n : undefined);
      const a = side(operands[0]);
      const b = side(operands[1]);
      // One side must be a parameter: two literals are not worth deciding.
      if (!a || !b || (operands[0].type !== 'identifier' && operands[1].type !== 'identifier')) return undefined;
      const ka = literalKey(a);
      const kb = literalKey(b);
      if (ka === undefined || kb === undefined) return undefined;
      if (op === '==' || op === 'is') return ka === kb;
      if (op === '!=' || op === 'is not') return ka !== kb;
      return undefined;
    }
    default:
      return undefined;
  }
}

/** The source text between two children of `n`, whitespace collapsed: an operator the tree does not keep. */
function between(n: Node, a: Node, b: Node): string {
  return n.text.slice(a.endIndex - n.startIndex, b.startIndex - n.startIndex).trim().replace(/\s+/g, ' ');
}

/** A block whose last statement leaves the function (`return`, `raise`). */
function leaves(block: Node | null): boolean {
  const last = block?.namedChildren.filter((c) => c.type !== 'comment').pop();
  return last?.type === 'return_statement' || last?.type === 'raise_statement';
}

/**
 * The returns of `fn` that can run when its parameters hold what `literalOf` gives: a return
 * under an `if`/`elif`/`else` the literals decide against is dropped, and so is one after an
 * `if` they decide for whose block returns (`if kind == "thread": return T(...)` then
 * `return P(...)`). All of them when nothing is decided.
 */
function reachableReturns(fn: FunctionInfo, literalOf: (name: string) => Node | undefined): Node[] {
  const reachable = (ret: Node): boolean => {
    for (let n: Node | null = ret.parent; n && n.id !== fn.node.id; n = n.parent) {
      const parent = n.parent;
      if (!parent) break;
      if (n.type === 'block' && (parent.type === 'if_statement' || parent.type === 'elif_clause' || parent.type === 'else_clause')) {
        const ifNode = parent.type === 'if_statement' ? parent : parent.parent;
        if (ifNode?.type !== 'if_statement') continue;
        // Every earlier branch's condition must fail, this one's (if any) hold.
        const branches = [ifNode, ...ifNode.namedChildren.filter((c) => c.type === 'elif_clause')];
        const own = parent.type === 'else_clause' ? undefined : parent;
        for (const b of branches) {
          const cond = b.childForFieldName('condition');
          const d = cond ? decide(cond, literalOf) : undefined;
          if (b.id === own?.id) {
            if (d === false) return false;
            break;
          }
          if (d === true) return false;
        }
      }
      // An earlier `if` in the same block that is taken and returns.
      if (n.type !== 'block' && parent.type === 'block') {
        for (const prev of parent.namedChildren) {
          if (prev.startIndex >= n.startIndex) break;
          if (prev.type !== 'if_statement' || prev.namedChildren.some((c) => c.type === 'elif_clause' || c.type === 'else_clause')) continue;
          const cond = prev.childForFieldName('condition');
          if (cond && decide(cond, literalOf) === true && leaves(prev.childForFieldName('consequence'))) return false;
        }
      }
    }
    return true;
  };
  const kept = fn.returns.filter(reachable);
  return kept.length ? kept : fn.returns;
}

/** Whether some return of `fn` sits under a condition on one of its parameters. */
function returnsChosenByParams(fn: FunctionInfo): boolean {
  if (fn.returns.length < 2) return false;
  const params = new Set(fn.params);
  const mentions = (n: Node | null): boolean => !!n && (n.type === 'identifier' ? params.has(n.text) : n.namedChildren.some((c) => mentions(c)));
  const body = fn.node.childForFieldName('body');
  const visit = (n: Node): boolean => {
    if ((n.type === 'if_statement' || n.type === 'elif_clause') && mentions(n.childForFieldName('condition'))) return true;
    if (n.type === 'function_definition' || n.type === 'lambda' || n.type === 'class_definition') return false;
    return n.namedChildren.some((c) => !!c && visit(c));
  };
  return !!body && body.namedChildren.some((c) => !!c && visit(c));
}

/** Base classes that name an interface rather than the object: what a parameter typed with one holds is up to its callers. */
const interfaceBases = /^(?:typing|typing_extensions)\.Protocol$|^abc\.ABC$/;

/** A Protocol or an abstract base class (`class RowSink(Protocol)`, `class Exporter(ABC)`, `metaclass=ABCMeta`). */
function isInterface(cls: ClassInfo, ev: Evaluator): boolean {
  return classChain(cls, ev).some(
    (c) => /\bmetaclass\s*=\s*(?:abc\.)?ABCMeta\b/.test(c.node.childForFieldName('superclasses')?.text ?? '') || c.bases.some((b) => {
      const v = ev.eval(b, c.outer, 1);
      return v.kind === 'ref' && interfaceBases.test(v.qname);
    }),
  );
}

const enumBases = /^enum\.(?:Enum|IntEnum|StrEnum|Flag|IntFlag)$/;

/** A class deriving from one of the standard library's Enum classes. */
function isEnum(cls: ClassInfo, ev: Evaluator): boolean {
  return classChain(cls, ev).some((c) =>
    c.bases.some((b) => {
      const v = ev.eval(b, c.outer, 1);
      return v.kind === 'ref' && enumBases.test(v.qname);
    }),
  );
}

/** A method whose every `return` gives back its own instance (`return self`). */
function returnsSelf(fn: FunctionInfo): boolean {
  const self = fn.params[0];
  if (!self || !fn.returns.length || fn.decorators.some((d) => /\b(staticmethod|classmethod)\b/.test(d.text))) return false;
  return fn.returns.every((r) => r.type === 'identifier' && r.text === self);
}

/** Field names of `namedtuple("T", "a b")`, `namedtuple("T", ["a", "b"])`, `NamedTuple("T", [("a", int), ...])`. */
function namedTupleFields(n: Node | undefined): string[] | undefined {
  if (!n) return undefined;
  if (n.type === 'string') {
    const s = stringValue(n);
    return s === undefined ? undefined : s.split(/[\s,]+/).filter(Boolean);
  }
  if (n.type !== 'list' && n.type !== 'tuple') return undefined;
  const out: string[] = [];
  for (const c of n.namedChildren) {
    if (!c) continue;
    const name = c.type === 'tuple' ? c.namedChildren[0] : c;
    const s = stringValue(name);
    if (s === undefined) return undefined;
    out.push(s);
  }
  return out;
}

/** Whether a value holds a parameter of `fn` or an object `fn` built from its arguments. */
function builtFromParams(v: Value, fn: FunctionInfo, depth: number): boolean {
  if (depth > 3) return false;
  switch (v.kind) {
    case 'param':
      return v.fn === fn;
    case 'instance':
      return !!v.call && v.callScope?.fn === fn;
    case 'container':
      return v.items.some((i) => builtFromParams(i.value, fn, depth + 1));
    case 'partial':
      return builtFromParams(v.func, fn, depth + 1) || v.args.some((a) => builtFromParams(a.value, fn, depth + 1));
    case 'method':
      return builtFromParams(v.self, fn, depth + 1);
    case 'union':
      return v.options.some((o) => builtFromParams(o, fn, depth + 1));
    default:
      return false;
  }
}

/**
 * The one extra argument `args[<int>]` / `kwargs[<str>]` (or `kwargs.get(<str>)`) reads from a
 * helper's own `*args` / `**kwargs`; undefined for anything else (a computed index, a slice, a
 * negative position, a parameter already narrowed).
 */
export function starItem(v: Extract<Value, { kind: 'param' }>, index: Node): Value | undefined {
  if (v.element || v.attrs || v.at !== undefined || v.key !== undefined) return undefined;
  if (v.index === VARARGS && index.type === 'integer' && /^\d+$/.test(index.text)) return { ...v, at: Number(index.text) };
  if (v.index === KWARGS) {
    const key = stringValue(index);
    if (key !== undefined) return { ...v, key };
  }
  return undefined;
}

function pair(type: string, library: string, site: Site): Value {
  return {
    kind: 'container',
    site,
    items: [0, 1].map((i) => ({ label: `[${i}]`, value: { kind: 'object', type, library, site } as Value, module: site.module })),
  };
}

function element(v: Value, i: number): Value {
  if (v.kind === 'container' && i < v.items.length) return v.items[i].value;
  if (v.kind === 'union') return union(v.options.map((o) => element(o, i)));
  return unknown;
}

const MAX_OPTIONS = 8;

/** A may-value: what is not known is left out (it never produces a finding anyway). */
export function union(values: Value[]): Value {
  const options: Value[] = [];
  for (const v of values) {
    for (const o of v.kind === 'union' ? v.options : [v]) {
      if (isUnknown(o) && o.kind === 'unknown') continue;
      if (options.length < MAX_OPTIONS && !options.includes(o)) options.push(o);
    }
  }
  if (options.length === 0) return unknown;
  return options.length === 1 ? options[0] : { kind: 'union', options };
}

/** The items a literal key or index names (`['db']` and `["db"]` alike), else all of them. */
function itemsAt(items: Item[], key: Node): Item[] {
  const norm = (t: string) => t.replace(/^(['"])(.*)\1$/, '$2');
  const k = norm(key.text);
  const named = items.filter((i) => /^\[.*\]$/.test(i.label) && norm(i.label.slice(1, -1)) === k);
  if (named.length) return named;
  // Every item under another literal key: the one read was put there where sendcheck did not see.
  const literal = (l: string) => /^\[(?:(['"]).*\1|-?\d+)\]$/.test(l);
  return /^(?:(['"]).*\1|-?\d+)$/.test(key.text) && items.every((i) => literal(i.label)) ? [] : items;
}

/** An iterable whose items a map-like sink sends: a generator's yields count as its items. */
export function iterated(v: Value): Value {
  if (v.kind === 'object' && v.elements) {
    const element = v.elements();
    return element.kind === 'unknown' ? v : { kind: 'container', items: [{ label: '[i]', value: element, node: v.site.node, module: v.site.module }], site: v.site };
  }
  return v;
}

/** An element of an iterated value: any item of a list, tuple or set literal (a dict iterates its keys). */
export function elementOf(v: Value): Value {
  if (v.kind === 'container' && !v.dict) return union(v.items.map((i) => i.value));
  if (v.kind === 'object' && v.elements) return v.elements();
  // `for job in jobs` over a parameter: judged as the items of each caller's argument.
  // `for node in flow.nodes` over a parameter's attribute: the items of that path at each caller
  // (one level: the path is read first, then iterated).
  if (v.kind === 'param') return v.element === 2 || (v.attrs && v.element) ? unknown : { ...v, element: v.element ? 2 : 1 };
  if (v.kind === 'union') return union(v.options.map(elementOf));
  return unknown;
}

export function findMethod(cls: ClassInfo, name: string, ev: Evaluator): FunctionInfo | undefined {
  for (const c of classChain(cls, ev)) {
    const m = c.methods.get(name);
    if (m) return m;
  }
  return undefined;
}

/** The class and its workspace base classes, nearest first. */
export function classChain(cls: ClassInfo, ev: Evaluator): ClassInfo[] {
  const out: ClassInfo[] = [];
  const visit = (c: ClassInfo, depth: number) => {
    if (out.includes(c) || depth > 8) return;
    out.push(c);
    for (const b of c.bases) {
      const v = ev.eval(b, c.outer, 1);
      if (v.kind === 'class') visit(v.cls, depth + 1);
    }
  };
  visit(cls, 0);
  return out;
}

/**
 * Whether a `Process(...)` object made at `call` may be started. A Process pickles its target and
 * arguments only in `start()`; one that is built and then only inspected (`p.name`, `p.daemon`,
 * `p.is_alive()`) or dropped pickles nothing. Anything we cannot follow (returned, passed on,
 * stored in an attribute, indexed) may be started elsewhere, so it counts as started.
 */
export function processStarted(call: Node, scope: Scope): boolean {
  let node = call;
  // `[Process(...) for ...]`, `[Process(...), ...]`: the list's fate is the process's fate.
  for (let p = node.parent; p && (p.type === 'list_comprehension' || p.type === 'list' || p.type === 'tuple' || p.type === 'generator_expression'); p = p.parent) node = p;
  const parent = node.parent;
  if (!parent) return true;
  if (parent.type === 'expression_statement') return false;
  if (parent.type === 'attribute') return parent.childForFieldName('attribute')?.text === 'start';
  if (parent.type === 'assignment' && parent.childForFieldName('right')?.id === node.id) {
    const left = parent.childForFieldName('left');
    return left?.type !== 'identifier' || nameMayStart(left, scope, 0);
  }
  // `workers.append(Process(...))`: started if `workers` may be.
  if (parent.type === 'argument_list') {
    const fnNode = parent.parent?.childForFieldName('function');
    if (fnNode?.type === 'attribute' && /^(append|add|insert|extend)$/.test(fnNode.childForFieldName('attribute')?.text ?? '')) {
      const obj = fnNode.childForFieldName('object');
      return obj?.type !== 'identifier' || nameMayStart(obj, scope, 0);
    }
  }
  return true;
}

/** Whether any use of the variable bound at `target` may start it (or what it holds). */
function nameMayStart(target: Node, scope: Scope, depth: number): boolean {
  if (depth > 2) return true;
  const name = target.text;
  let started = false;
  const visit = (n: Node): void => {
    if (started) return;
    if (n.type === 'identifier' && n.text === name && n.id !== target.id) {
      started = useMayStart(n, scope, depth);
      return;
    }
    for (const c of n.namedChildren) if (c) visit(c);
  };
  visit(scope.node);
  return started;
}

function useMayStart(use: Node, scope: Scope, depth: number): boolean {
  const parent = use.parent;
  if (!parent) return true;
  // Another assignment to the same name rebinds it: not a use.
  if (parent.type === 'assignment' && parent.childForFieldName('left')?.id === use.id) return false;
  if (parent.type === 'attribute' && parent.childForFieldName('object')?.id === use.id) {
    const attr = parent.childForFieldName('attribute')?.text ?? '';
    if (attr === 'start') return true;
    // Filling the container: `workers.append(...)` is not a start.
    return false;
  }
  // `for w in workers:` / `... for w in workers`: the loop variable's uses decide.
  if ((parent.type === 'for_statement' || parent.type === 'for_in_clause') && parent.childForFieldName('right')?.id === use.id) {
    const left = parent.childForFieldName('left');
    if (left?.type !== 'identifier') return true;
    return nameMayStart(left, scope, depth + 1);
  }
  if (parent.type === 'for_statement' || parent.type === 'for_in_clause') return false;
  // `len(workers)` reads only the size.
  if (parent.type === 'argument_list' && parent.parent?.childForFieldName('function')?.text === 'len') return false;
  return true;
}
