import * as path from 'node:path';
import type { PythonSerializer } from '../engine/config';
import { isNotebookFile } from '../engine/notebook';
import type { RelatedInfo } from '../engine/types';
import { badBases, forkCopied, neutralBases, types, type Transport, type TypeProblem } from './knowledge';
import { definesPickleHooks, enclosingScope, type ClassInfo, type FunctionInfo, type ModuleModel } from './model';
import type { Node } from './parser';
import { type ConcreteMethod, type Evaluator, type Site, type Value, callArgs, classChain, lookup, stringValue } from './resolve';
import { rangeOf } from './ranges';

// Decides whether a value survives the trip: walks containers, partials, bound methods and the
// instance attributes of workspace classes, and reports the first part that cannot be pickled.

export interface JudgeContext {
  transport: Transport;
  serializer: PythonSerializer;
  /** Start method of the receiving process. */
  method: ConcreteMethod;
  /** The sink call; parts written inside it are reported where they are written. */
  call: Site;
  /** Whether a class has a reducer registered with copyreg.pickle. */
  copyreg: (cls: ClassInfo) => boolean;
}

export interface Problem {
  rule: string;
  /** The path from the sent argument to the bad part, e.g. `args[0] → self._lock`. */
  segments: string[];
  what: string;
  runtime: string;
  anchor: Site;
  related: RelatedInfo[];
  /** Display type of the bad part, for the path. */
  typeName: string;
  /** Where the bad part is written (a lambda, the call creating an object), for fixes. */
  leafSite?: Site;
  /** The bad definition itself (nested or main-guarded def/class), for fixes. */
  definition?: FunctionInfo | ClassInfo;
  /** The type name of a bad object (a key of knowledge.ts `types`). */
  objectType?: string;
  /** Advice specific to the bad part's type, replacing the rule's. */
  advice?: string;
  /** The innermost workspace-class attribute holding the bad part, for rehydrate hooks. */
  holder?: { cls: ClassInfo; attr: string; statement: Node };
  /** The nested function a decorator returned without `functools.wraps`, for the fix that adds it. */
  unwrapped?: FunctionInfo;
}

/** A subclass of `multiprocessing.Process` (or a context's Process): its `run()` executes in the child. */
function isProcessClass(chain: ClassInfo[], ev: Evaluator): boolean {
  return chain.some((c) =>
    c.bases.some((b) => {
      const v = ev.eval(b, c.outer, 1);
      return (v.kind === 'ref' && v.qname === 'multiprocessing.Process') || (v.kind === 'method' && v.name === 'Process');
    }),
  );
}

function within(inner: Node, outer: Node): boolean {
  return inner.startIndex >= outer.startIndex && inner.endIndex <= outer.endIndex;
}

function related(site: Site | undefined, message: string): RelatedInfo[] {
  if (!site) return [];
  return [{ file: site.module.file, range: rangeOf(site.node), message }];
}

function qualname(fn: { name: string; outer: import('./model').Scope }): string {
  const parts = [fn.name];
  for (let s: import('./model').Scope | undefined = fn.outer; s && s.kind !== 'module'; s = s.parent) {
    if (s.kind === 'function' && s.fn) parts.unshift(s.fn.name, '<locals>');
    else if (s.kind === 'class' && s.cls) parts.unshift(s.cls.name);
    else if (s.kind === 'lambda') parts.unshift('<lambda>', '<locals>');
  }
  return parts.join('.');
}

/** The runtime's words for a lambda: a local object inside a function, a failed name lookup at module level. */
function lambdaRuntime(node: Node, moduleName: string): string {
  const parts: string[] = [];
  let inFunction = false;
  for (let n = node.parent; n; n = n.parent) {
    if (n.type === 'function_definition' || n.type === 'class_definition') {
      const name = n.childForFieldName('name')?.text ?? '?';
      if (n.type === 'function_definition') {
        parts.unshift(name, '<locals>');
        inFunction = true;
      } else parts.unshift(name);
    } else if (n.type === 'lambda') {
      parts.unshift('<lambda>', '<locals>');
      inFunction = true;
    }
  }
  if (!inFunction) {
    // A lambda in a class body (a NamedTuple or dataclass default) is named after its class; one
    // in an imported module is looked up there.
    const q = [...parts, '<lambda>'].join('.');
    return `PicklingError: Can't pickle <function ${q} at 0x…>: attribute lookup ${q} on ${moduleName} failed`;
  }
  return `AttributeError: Can't pickle local object '${[...parts, '<lambda>'].join('.')}'`;
}

/**
 * The keys a `__getstate__` of the usual shape drops: `state = self.__dict__.copy()` (or
 * `dict(self.__dict__)`, `vars(self).copy()`, `{**self.__dict__}`), then `del state["k"]`,
 * `state.pop("k")`, `state["k"] = ...`, and `return state`. Anything else (another state, keys
 * we cannot read) is the class's own business: undefined.
 */
function droppedByGetstate(fn: FunctionInfo): Set<string> | undefined {
  if (fn.returns.length !== 1 || !fn.params.length) return undefined;
  const self = fn.params[0];
  const isDictCopy = (n: Node | null | undefined): boolean => {
    if (!n) return false;
    const t = n.text.replace(/\s+/g, '');
    return [`${self}.__dict__.copy()`, `dict(${self}.__dict__)`, `vars(${self}).copy()`, `dict(vars(${self}))`, `{**${self}.__dict__}`, `copy.copy(${self}.__dict__)`].includes(t);
  };
  const ret = fn.returns[0];
  const dropped = new Set<string>();
  if (isDictCopy(ret)) return dropped;
  if (ret.type !== 'identifier') return undefined;
  const name = ret.text;
  const bindings = fn.scope.bindings.get(name) ?? [];
  if (bindings.length !== 1 || bindings[0].kind !== 'value' || !isDictCopy(bindings[0].value)) return undefined;
  const key = (n: Node | null | undefined): string | undefined => (n?.type === 'string' ? /^[rRbBuU]?(['"])(\w+)\1$/.exec(n.text)?.[2] : undefined);
  let opaque = false;
  const visit = (n: Node): void => {
    if (opaque) return;
    // `state[k]` written or deleted, `state.pop(k)`, `state.update(...)`.
    if (n.type === 'subscript' && n.childForFieldName('value')?.text === name) {
      const parent = n.parent;
      const written = parent?.type === 'assignment' && parent.childForFieldName('left')?.id === n.id;
      if (written || parent?.type === 'delete_statement' || parent?.parent?.type === 'delete_statement') {
        const k = key(n.childForFieldName('subscript'));
        if (k) dropped.add(k);
        else opaque = true;
      }
    } else if (n.type === 'call') {
      const f = n.childForFieldName('function');
      if (f?.type === 'attribute' && f.childForFieldName('object')?.text === name) {
        const m = f.childForFieldName('attribute')?.text;
        const first = n.childForFieldName('arguments')?.namedChildren.find((c) => c && c.type !== 'comment');
        if (m === 'pop') {
          const k = key(first);
          if (k) dropped.add(k);
          else opaque = true;
        } else if (m === 'update' || m === 'clear' || m === 'popitem') opaque = true;
      }
    }
    for (const c of n.namedChildren) if (c) visit(c);
  };
  const body = fn.node.childForFieldName('body');
  if (body) visit(body);
  return opaque ? undefined : dropped;
}

const fileTypes = new Set(['io.TextIOWrapper', 'io.BufferedReader', 'io.BufferedWriter', 'io.BufferedRandom', 'io.FileIO']);

/**
 * Open files under the serializers that pickle by value. dill pickles any file handle (it reopens
 * it by name). cloudpickle pickles a text file opened for reading (or `+`) by its contents, and
 * sys.stdout/stderr by name; it refuses a text file opened only for writing or appending, stdin,
 * and binary files (those fail as under pickle). A mode that is not a literal is not judged.
 */
function fileByValue(type: string, site: Site | undefined, serializer: string): 'crosses' | 'unknown' | string | undefined {
  if (serializer === 'dill') return 'crosses';
  if (serializer !== 'cloudpickle' || type !== 'io.TextIOWrapper') return undefined;
  const node = site?.node;
  if (!node) return 'unknown';
  if (node.type === 'attribute' || node.type === 'identifier') {
    if (/(^|\.)std(out|err)$/.test(node.text)) return 'crosses';
    if (/(^|\.)stdin$/.test(node.text)) return 'PicklingError: Cannot pickle standard input';
    return 'unknown';
  }
  if (node.type !== 'call') return 'unknown';
  const f = node.childForFieldName('function');
  const { positional, keywords, splat } = callArgs(node);
  // `open(path, mode)`, `os.fdopen(fd, mode)`; `Path(...).open(mode)`.
  const isPathOpen = f?.type === 'attribute' && f.childForFieldName('attribute')?.text === 'open' && !/^(io|codecs)$/.test(f.childForFieldName('object')?.text ?? '');
  const modeNode = keywords.get('mode') ?? positional[isPathOpen ? 0 : 1];
  if (!modeNode) return splat ? 'unknown' : 'crosses';
  const mode = stringValue(modeNode);
  if (mode === undefined) return 'unknown';
  if (mode.includes('r') || mode.includes('+')) return 'crosses';
  return `PicklingError: Cannot pickle files that are not opened for reading: ${mode}`;
}

export class Judge {
  constructor(private ev: Evaluator) {}

  judge(v: Value, segments: string[], anchor: Site, ctx: JudgeContext, depth = 0, seen = new Set<object>()): Problem | undefined {
    if (depth > 10) return undefined;
    if (ctx.transport === 'fork-copy') return this.judgeForkCopy(v, segments, anchor, ctx, depth);
    const lenient = ctx.serializer !== 'pickle';
    switch (v.kind) {
      case 'lambda':
        if (lenient) return ctx.serializer === 'cloudpickle' ? this.judgeCaptured(v.site.node, v.site.module, segments, anchor, ctx, depth, seen) : undefined;
        return {
          rule: 'py-lambda',
          segments,
          what: 'a lambda',
          runtime: lambdaRuntime(v.site.node, v.site.module === ctx.call.module || v.site.module.mainGuards.length ? '__main__' : path.basename(v.site.module.file, '.py')),
          anchor: this.moveAnchor(anchor, v.site, ctx),
          related: this.anchorIsSite(anchor, v.site, ctx) ? [] : related(v.site, 'the lambda is defined here'),
          typeName: 'lambda',
          leafSite: v.site,
        };
      case 'function': {
        // cloudpickle ships a function it cannot import by name (nested, or defined in the
        // script run as `__main__`) by value: with the values of the globals and closure cells it reads.
        if (ctx.serializer === 'cloudpickle' && (v.fn.local || v.fn.module.mainGuards.length) && !v.decorates)
          return this.judgeCaptured(v.fn.node, v.fn.module, segments, anchor, ctx, depth, seen);
        const p = this.judgeDefinition(v.fn, 'function', segments, anchor, ctx);
        if (p && v.decorates) {
          // `@timed def checksum`: the name holds the decorator's wrapper, which has no name of its own.
          const deco = v.decorates;
          p.what = `\`${deco.name}\`, which its decorator replaced with ${p.what} (no \`functools.wraps\`)`;
          p.advice = `decorate \`${v.fn.name}\` with \`@functools.wraps(...)\` of the wrapped function, so it pickles by the name \`${deco.name}\``;
          p.definition = undefined;
          p.unwrapped = v.fn;
          p.related = [...related({ module: v.fn.module, node: v.fn.nameNode }, `${v.fn.name} is returned by the decorator without functools.wraps`), ...related({ module: deco.module, node: deco.nameNode }, `${deco.name} is decorated here`)];
        }
        return p;
      }
      case 'class':
        return this.judgeDefinition(v.cls, 'class', segments, anchor, ctx);
      case 'member':
        // An Enum member pickles as `Stage(value)`: its class must be importable and its value must pickle.
        return this.judgeDefinition(v.cls, 'class', segments, anchor, ctx) ?? this.judge(this.ev.eval(v.value, v.scope), segments, anchor, ctx, depth + 1, seen);
      case 'method': {
        if (v.self.kind !== 'instance' || !v.fn) return undefined;
        return this.judge(v.self, segments, anchor, ctx, depth + 1, seen);
      }
      case 'partial': {
        const f = this.judge(v.func, [...segments.slice(0, -1), `${segments[segments.length - 1]}.func`], anchor, ctx, depth + 1, seen);
        if (f) return f;
        for (const item of v.args) {
          const p = this.judge(item.value, [...segments, item.label], this.itemAnchor(anchor, item.node, item.module, ctx), ctx, depth + 1, seen);
          if (p) return p;
        }
        return undefined;
      }
      case 'container': {
        if (seen.has(v)) return undefined;
        seen.add(v);
        // `d.values()` itself, not its items, is what the pickler meets first.
        if (v.view) {
          const p = this.judgeObject(`builtins.dict_${v.view}`, v.site, segments, anchor, ctx);
          if (p) return p;
        }
        for (const item of v.items) {
          const last = segments[segments.length - 1] ?? '';
          const p = this.judge(item.value, [...segments.slice(0, -1), `${last}${item.label}`], this.itemAnchor(anchor, item.node, item.module, ctx), ctx, depth + 1, seen);
          if (p) return p;
        }
        return undefined;
      }
      case 'object':
        return this.judgeObject(v.type, v.site, segments, anchor, ctx);
      case 'ref':
        if (v.isModule) return this.judgeObject('builtins.module', v.site, segments, anchor, ctx);
        return undefined;
      case 'module':
        return this.judgeObject('builtins.module', undefined, segments, anchor, ctx);
      case 'instance':
        return this.judgeInstance(v, segments, anchor, ctx, depth, seen);
      case 'union':
        // A may-value: any option that definitely fails is a failure of the send.
        for (const o of v.options) {
          const p = this.judge(o, segments, anchor, ctx, depth + 1, seen);
          if (p) return p;
        }
        return undefined;
      default:
        return undefined;
    }
  }

  /**
   * The variables a function pickled by value carries (cloudpickle): module globals and closure
   * cells its body reads. Only plain assignments are followed: a name some function rebinds with
   * `global` holds whatever was last stored when the task is sent, which we cannot know; defs,
   * classes and imports are shipped by reference or rebuilt, and pickle.
   */
  private judgeCaptured(fnNode: Node, module: ModuleModel, segments: string[], anchor: Site, ctx: JudgeContext, depth: number, seen: Set<object>): Problem | undefined {
    if (seen.has(fnNode) || depth > 6) return undefined;
    seen.add(fnNode);
    const body = fnNode.childForFieldName('body');
    if (!body) return undefined;
    // Its defaults go with it (`__defaults__`, `__kwdefaults__`): `def check(conn=self.conn)` and
    // `lambda row, lock=lock: ...` bind the value where the function is made.
    const outer = enclosingScope(module, fnNode);
    for (const prm of fnNode.childForFieldName('parameters')?.namedChildren ?? []) {
      if (prm?.type !== 'default_parameter' && prm?.type !== 'typed_default_parameter') continue;
      const value = prm.childForFieldName('value');
      if (!value) continue;
      const name = prm.childForFieldName('name')?.text ?? '?';
      const p = this.judge(this.ev.eval(value, outer), [...segments.slice(0, -1), `${segments[segments.length - 1]} → ${name}=`], anchor, ctx, depth + 1, seen);
      if (p) {
        p.related = [...p.related, ...related({ module, node: prm }, `cloudpickle ships the function by value, with this default of \`${name}\``)];
        return p;
      }
    }
    const done = new Set<string>();
    // Names some function rebinds with `global`: read once per function judged, not per name.
    let rebound: Set<string> | undefined;
    const stack: Node[] = [body];
    let visited = 0;
    while (stack.length && visited++ < 4000) {
      const n = stack.pop()!;
      for (const c of n.namedChildren) if (c) stack.push(c);
      if (n.type !== 'identifier' || done.has(n.text)) continue;
      const parent = n.parent;
      if (parent?.type === 'attribute' && parent.childForFieldName('attribute')?.id === n.id) continue;
      if (parent?.type === 'keyword_argument' && parent.childForFieldName('name')?.id === n.id) continue;
      done.add(n.text);
      const b = lookup(n.text, enclosingScope(module, n), n);
      if (b?.kind === 'def' && b.fn.node.id !== fnNode.id && (b.fn.local || b.fn.module.mainGuards.length) && !within(b.fn.node, fnNode)) {
        // Another function shipped by value with this one: what it reads goes too, and so do the
        // arguments of a workspace decorator factory (`@cached(lock, cache)`), held in the
        // closure of the wrapper that replaced it.
        const p = this.judgeDecoratorArguments(b.fn, segments, anchor, ctx, depth, seen) ?? this.judgeCaptured(b.fn.node, b.fn.module, segments, anchor, ctx, depth + 1, seen);
        if (p) return p;
        continue;
      }
      // `self` of the method that makes the nested function, read in its body: the closure cell
      // holds the whole object, which is pickled with every attribute (like a bound method).
      if (b?.kind === 'param' && b.index === 0 && b.fn.node.id !== fnNode.id && !within(b.fn.node, fnNode) && b.fn.outer.kind === 'class') {
        const value = this.ev.eval(n, enclosingScope(module, n));
        const p = value.kind === 'instance' ? this.judge(value, [...segments.slice(0, -1), `${segments[segments.length - 1]} → ${n.text}`], anchor, ctx, depth + 1, seen) : undefined;
        if (p) {
          p.related = [...p.related, ...related({ module, node: n }, `cloudpickle ships the function by value, with \`${n.text}\` in its closure`)];
          return p;
        }
        continue;
      }
      if (b?.kind !== 'value' || b.unpack.length || b.iterate || b.enter) continue;
      // Bound inside the function itself (a local), not captured.
      if (within(b.scope.node, fnNode)) continue;
      if (b.scope === module.scope) {
        rebound ??= new Set([...module.scopeOf.values()].flatMap((sc) => [...(sc.globals ?? [])]));
        if (rebound.has(n.text)) continue;
      }
      const value = this.ev.eval(n, enclosingScope(module, n));
      const p = this.judge(value, [...segments.slice(0, -1), `${segments[segments.length - 1]} → ${n.text}`], anchor, ctx, depth + 1, seen);
      if (p) {
        p.related = [...p.related, ...related({ module, node: b.node }, `cloudpickle ships the function by value, with \`${n.text}\``)];
        return p;
      }
    }
    return undefined;
  }

  private judgeDecoratorArguments(fn: FunctionInfo, segments: string[], anchor: Site, ctx: JudgeContext, depth: number, seen: Set<object>): Problem | undefined {
    for (const d of fn.decorators) {
      const call = d.namedChildren.find((c) => c?.type === 'call');
      const callee = call?.childForFieldName('function');
      if (!call || !callee || this.ev.eval(callee, fn.outer).kind !== 'function') continue;
      const { positional, keywords } = callArgs(call);
      for (const a of [...positional, ...keywords.values()]) {
        const p = this.judge(this.ev.eval(a, fn.outer), [...segments.slice(0, -1), `${segments[segments.length - 1]} → ${fn.name}`], anchor, ctx, depth + 1, seen);
        if (p) {
          p.related = [...p.related, ...related({ module: fn.module, node: a }, `the wrapper \`@${callee.text}\` makes keeps this in its closure`)];
          return p;
        }
      }
    }
    return undefined;
  }

  /**
   * Under fork nothing is pickled, but a thread lock, Event or queue.Queue handed to the child
   * directly is copied: whatever the child does with it never reaches the parent. (One held
   * inside an object is copied along with the state it guards, which is consistent.)
   */
  private judgeForkCopy(v: Value, segments: string[], anchor: Site, ctx: JudgeContext, depth: number): Problem | undefined {
    if (v.kind === 'union') {
      for (const o of v.options) {
        const p = this.judgeForkCopy(o, segments, anchor, ctx, depth + 1);
        if (p) return p;
      }
      return undefined;
    }
    if (v.kind === 'container' && depth < 3) {
      for (const item of v.items) {
        const last = segments[segments.length - 1] ?? '';
        const p = this.judgeForkCopy(item.value, [...segments.slice(0, -1), `${last}${item.label}`], this.itemAnchor(anchor, item.node, item.module, ctx), ctx, depth + 1);
        if (p) return p;
      }
      return undefined;
    }
    if (v.kind !== 'object' || !(v.type in forkCopied)) return undefined;
    const info = types[v.type];
    return {
      rule: 'py-fork-copy',
      segments,
      what: info.problem?.what ?? `a ${info.display}`,
      runtime: 'no error: the child works on a private copy',
      anchor: this.moveAnchor(anchor, v.site, ctx),
      related: this.anchorIsSite(anchor, v.site, ctx) ? [] : related(v.site, `the ${info.display} is created here`),
      typeName: info.display,
      leafSite: v.site,
      objectType: v.type,
    };
  }

  private anchorIsSite(anchor: Site, site: Site | undefined, ctx: JudgeContext): boolean {
    if (!site) return true;
    const moved = this.moveAnchor(anchor, site, ctx);
    return moved.module === site.module && moved.node.id === site.node.id;
  }

  /** Parts written inside the sink call are reported where they are written. */
  private moveAnchor(anchor: Site, site: Site | undefined, ctx: JudgeContext): Site {
    if (site && site.module === ctx.call.module && within(site.node, anchor.node) && within(site.node, ctx.call.node)) return site;
    return anchor;
  }

  private itemAnchor(anchor: Site, node: Node | undefined, module: ModuleModel, ctx: JudgeContext): Site {
    return node ? this.moveAnchor(anchor, { module, node }, ctx) : anchor;
  }

  private judgeDefinition(def: FunctionInfo | ClassInfo, kind: 'function' | 'class', segments: string[], anchor: Site, ctx: JudgeContext): Problem | undefined {
    if (ctx.serializer !== 'pickle') return undefined;
    const site = { module: def.module, node: def.nameNode };
    const where = this.anchorIsSite(anchor, site, ctx) ? [] : related(site, `${def.name} is defined here`);
    if (def.local) {
      const q = qualname(def);
      return {
        rule: 'py-local-object',
        segments,
        what: `the nested ${kind} \`${q}\``,
        runtime: `AttributeError: Can't pickle local object '${q}'`,
        anchor,
        related: where,
        typeName: q,
        definition: def,
      };
    }
    // A notebook's definitions live in the kernel's `__main__`, guarded or not (see py-notebook-definition).
    if (isNotebookFile(def.module.file) && ctx.transport !== 'pickle' && ctx.method !== 'fork') {
      return {
        rule: 'py-notebook-definition',
        segments,
        what: `\`${def.name}\`, a ${kind} defined in a notebook cell`,
        runtime: `AttributeError: Can't get attribute '${def.name}' on <module '__main__' (built-in)> in the ${ctx.method} child`,
        anchor,
        related: where,
        typeName: def.name,
        definition: def,
      };
    }
    if (def.mainGuard && ctx.transport !== 'pickle' && ctx.method !== 'fork') {
      return {
        rule: 'py-main-guard-object',
        segments,
        what: `\`${def.name}\`, a ${kind} defined under \`if __name__ == "__main__":\``,
        runtime: `AttributeError: Can't get attribute '${def.name}' on <module '__mp_main__'> in the ${ctx.method} child`,
        anchor,
        related: where,
        typeName: def.name,
        definition: def,
      };
    }
    return undefined;
  }

  private judgeObject(type: string, site: Site | undefined, segments: string[], anchor: Site, ctx: JudgeContext): Problem | undefined {
    const info = types[type];
    const problem: TypeProblem | undefined = info?.problem;
    if (!problem) return undefined;
    if (problem.only === 'plain-pickle' && ctx.transport !== 'pickle') return undefined;
    if (problem.only === 'not-spawn-args' && ctx.transport === 'spawn-args') return undefined;
    if (problem.sentBy?.includes(ctx.serializer)) return undefined;
    if (problem.reducerIn && ctx.transport !== 'pickle' && importsModule(ctx.call.module, problem.reducerIn)) return undefined;
    let runtime = problem.runtime;
    if (ctx.serializer !== 'pickle' && fileTypes.has(type)) {
      const verdict = fileByValue(type, site, ctx.serializer);
      if (verdict === 'crosses') return undefined;
      if (verdict === 'unknown') return undefined;
      if (verdict) runtime = verdict;
    }
    const moved = this.moveAnchor(anchor, site, ctx);
    return {
      rule: problem.rule,
      segments,
      what: problem.what,
      runtime,
      anchor: moved,
      related: this.anchorIsSite(anchor, site, ctx) ? [] : related(site, `the ${info.display} is created here`),
      typeName: info.display,
      leafSite: site,
      objectType: type,
      advice: problem.advice,
    };
  }

  private judgeInstance(v: Extract<Value, { kind: 'instance' }>, segments: string[], anchor: Site, ctx: JudgeContext, depth: number, seen: Set<object>): Problem | undefined {
    if (seen.has(v.cls)) return undefined;
    const def = this.judgeDefinition(v.cls, 'class', segments, anchor, ctx);
    if (def) {
      def.what = `an instance of ${def.what}`;
      return def;
    }
    const chain = classChain(v.cls, this.ev);
    // A `__getstate__` that copies `__dict__` and drops some keys still pickles the rest.
    const getstate = chain.map((c) => c.methods.get('__getstate__')).find((m) => m);
    const dropped = getstate && !chain.some((c) => c.methods.has('__reduce__') || c.methods.has('__reduce_ex__') || ctx.copyreg(c)) ? droppedByGetstate(getstate) : undefined;
    if (!dropped && chain.some((c) => definesPickleHooks(c) || ctx.copyreg(c))) return undefined;
    // Bases outside the workspace: a known failing one decides; an unknown one might define hooks.
    for (const c of chain)
      for (const b of c.bases) {
        const bv = this.ev.eval(b, c.outer, 1);
        if (bv.kind === 'class') continue;
        if (bv.kind === 'ref') {
          const bad = badBases[bv.qname];
          if (bad) return this.judgeObject(bad, { module: c.module, node: b }, segments, anchor, ctx);
          if (neutralBases.has(bv.qname) || bv.qname.startsWith('builtins.')) continue;
        }
        return undefined;
      }
    seen.add(v.cls);
    try {
      for (const c of chain) {
        for (const f of c.fields) {
          if (dropped?.has(f.name)) continue;
          const fv = this.ev.fieldValue(v, c, f, 2);
          const p = this.judge(fv, [...segments, `self.${f.name}`], anchor, ctx, depth + 1, seen);
          if (p) return this.withAssignment(p, f.statement, c, f.name, anchor);
        }
        for (const [name, list] of c.attrs) {
          if (dropped?.has(name)) continue;
          // What __init__ assigns is what every instance holds; assignments elsewhere depend on
          // which methods ran before the object was sent, so they count when __init__ is silent
          // or when their method is seen called on this very object before it is sent.
          const inInit = list.filter((a) => a.scope.fn?.name === '__init__');
          const called = inInit.length && inInit.length < list.length ? this.ev.methodsCalledOn(v, ctx.call) : undefined;
          // What the receiving side runs sets state there, after the crossing: `__setstate__`,
          // and the `run()` of a Process subclass (it runs in the child).
          const crossing = list.filter((a) => !(a.scope.fn && (a.scope.fn.name === '__setstate__' || (a.scope.fn.name === 'run' && c.bases.length && isProcessClass(chain, this.ev)))));
          const origins = inInit.length ? [...inInit, ...crossing.filter((a) => a.scope.fn && a.scope.fn.name !== '__init__' && called?.has(a.scope.fn.name))] : crossing;
          for (const a of origins) {
            const av = this.ev.attrValue(v, a, 2);
            const p = this.judge(av, [...segments, `self.${name}`], anchor, ctx, depth + 1, seen);
            if (p && getstate && dropped) {
              p.related = [...related({ module: getstate.module, node: getstate.nameNode }, `__getstate__ copies __dict__ but keeps ${name}`), ...p.related];
              p.holder = undefined;
            }
            if (p) return this.withAssignment(p, a.statement, c, name, anchor);
          }
        }
      }
      // `plugin.cache = open_cache()` after the object was built, outside its class.
      for (const item of v.setOutside ?? []) {
        if (dropped?.has(item.label)) continue;
        const p = this.judge(item.value, [...segments, `.${item.label}`], anchor, ctx, depth + 1, seen);
        if (p) {
          if (item.node) p.related = [...related({ module: item.module, node: item.node }, `.${item.label} is set here`), ...p.related];
          // An attribute the class declares too (`self.cache = None` in `__init__`): its hooks can leave it out.
          const declared = v.cls.attrs.get(item.label);
          if (declared?.length) p.holder ??= { cls: v.cls, attr: item.label, statement: declared[0].statement };
          return p;
        }
      }
    } finally {
      seen.delete(v.cls);
    }
    return undefined;
  }

  private withAssignment(p: Problem, statement: Node, cls: ClassInfo, attr: string, anchor: Site): Problem {
    const module = cls.module;
    if (!(module === anchor.module && statement.id === anchor.node.id))
      p.related = [...related({ module, node: statement }, `self.${attr} is assigned here`), ...p.related];
    p.holder ??= { cls, attr, statement };
    return p;
  }
}

const importsOf = new WeakMap<ModuleModel, Map<string, boolean>>();
/**
 * Whether the sending module imports `name` (or makes what makes it import it: `Manager()` imports
 * multiprocessing.managers). Read from the text: an import anywhere in the module registers the
 * module's reducers for the whole process.
 */
function importsModule(module: ModuleModel, name: 'multiprocessing.managers'): boolean {
  let known = importsOf.get(module);
  if (!known) importsOf.set(module, (known = new Map()));
  let hit = known.get(name);
  if (hit === undefined) {
    hit = /\bmultiprocessing\.managers\b|\bfrom\s+multiprocessing\s+import\s+[^\n]*\bmanagers\b|\b(?:Sync|Base|SharedMemory)?Manager\s*\(/.test(module.root.text);
    known.set(name, hit);
  }
  return hit;
}
