import type { FunctionInfo, ModuleModel, Scope } from '../model';
import { enclosingScope } from '../model';
import type { Node } from '../parser';
import { callArgs, lookup, type Evaluator, type Value } from '../resolve';
import type { Sink } from '../sinks';

// What the rules about lost state ask of a sink: which workspace function runs on the other side,
// which of the parent's expressions land in which of its parameters, and what that function does
// with them (mutates a parameter, advances it, raises with a cause). Each rule judges the answers;
// none of them follows the program on its own.

/** One argument of the parent's call that becomes a parameter of the worker function. */
export interface WorkerArg {
  /** The parent's expression. */
  node: Node;
  /** The worker function's parameter that receives it. */
  param: string;
  /** How the message names it: `args[1]`, `kwargs[sink]`, `func.keywords[sink]`. */
  label: string;
}

export interface WorkerCall {
  sink: Sink;
  fn: FunctionInfo;
  /** The node of the callable in the parent's call (`target=sync`, `stats.fetch`, `partial(...)`). */
  funcNode: Node;
  /** `obj.method` handed over as a bound method: the `obj` expression and the instance it is. */
  self?: { node: Node; value: Extract<Value, { kind: 'instance' }> };
  args: WorkerArg[];
  /** For map-like sinks: the iterable whose items become the worker's `param`. */
  items?: WorkerArg;
}

const callableLabels = new Set(['target', 'func', 'fn']);

function isStaticOrClass(fn: FunctionInfo): boolean {
  return fn.decorators.some((d) => /staticmethod|classmethod/.test(d.text));
}

/** The workspace function a sink runs in the other process, with the parent's arguments mapped onto its parameters. */
export function workerCall(sink: Sink, ev: Evaluator): WorkerCall | undefined {
  const funcArg = sink.sent.find((s) => callableLabels.has(s.label));
  if (!funcArg) return undefined;
  const scope = sink.call.scope;
  let callable = ev.eval(funcArg.node, scope);
  const args: WorkerArg[] = [];
  const positional: { node: Node; label: string }[] = [];
  const keywords: { name: string; node: Node; label: string }[] = [];
  let fn: FunctionInfo | undefined;
  let offset = 0;
  let self: WorkerCall['self'];
  if (callable.kind === 'partial') {
    // functools.partial(f, a, k=v): its arguments are pickled with it and bound first.
    const partialCall = funcArg.node.type === 'call' ? funcArg.node : undefined;
    if (partialCall) {
      const { positional: pp, keywords: pk, splat } = callArgs(partialCall);
      if (splat) return undefined;
      pp.slice(1).forEach((n, i) => positional.push({ node: n, label: `${funcArg.label}.args[${i}]` }));
      for (const [k, n] of pk) keywords.push({ name: k, node: n, label: `${funcArg.label}.keywords[${k}]` });
    } else {
      for (const item of callable.args) {
        if (!item.node) return undefined;
        const m = /^keywords\[(.+)\]$/.exec(item.label);
        if (m) keywords.push({ name: m[1], node: item.node, label: `${funcArg.label}.${item.label}` });
        else positional.push({ node: item.node, label: `${funcArg.label}.${item.label}` });
      }
    }
    callable = callable.func;
  }
  if (callable.kind === 'function') {
    fn = callable.fn;
  } else if (callable.kind === 'method' && callable.fn && callable.self.kind === 'instance') {
    fn = callable.fn;
    if (isStaticOrClass(fn)) offset = 0;
    else {
      offset = 1;
      const obj = funcArg.node.type === 'attribute' ? funcArg.node.childForFieldName('object') : undefined;
      if (obj) self = { node: obj, value: callable.self };
    }
  }
  if (!fn) return undefined;
  // The call's own arguments come after what a partial bound.
  const isProcess = sink.transport === 'spawn-args' || sink.transport === 'fork-copy';
  for (const s of sink.sent) {
    if (s.items || callableLabels.has(s.label)) continue;
    if (s.label === 'args') {
      if (s.node.type !== 'tuple' && s.node.type !== 'list' && s.node.type !== 'parenthesized_expression') continue;
      const inner = s.node.type === 'parenthesized_expression' ? s.node.namedChildren.find((c) => c && c.type !== 'comment') : s.node;
      const items = inner?.type === 'tuple' || inner?.type === 'list' ? inner.namedChildren : inner ? [inner] : [];
      let i = 0;
      for (const c of items) {
        if (!c || c.type === 'comment') continue;
        if (c.type === 'list_splat') return undefined;
        positional.push({ node: c, label: `args[${i++}]` });
      }
    } else if (s.label === 'kwargs' || s.label === 'kwds') {
      if (s.node.type !== 'dictionary') continue;
      for (const pair of s.node.namedChildren) {
        const k = pair?.type === 'pair' ? pair.childForFieldName('key') : undefined;
        const v = pair?.childForFieldName('value');
        const name = k?.type === 'string' ? k.text.replace(/^['"]|['"]$/g, '') : undefined;
        if (name && v) keywords.push({ name, node: v, label: `${s.label}[${name}]` });
      }
    } else {
      const p = /^args\[(\d+)\]$/.exec(s.label);
      const k = /^kwargs\[(.+)\]$/.exec(s.label);
      if (p && !isProcess) positional.push({ node: s.node, label: s.label });
      else if (k && !isProcess) keywords.push({ name: k[1], node: s.node, label: s.label });
    }
  }
  positional.forEach((p, i) => {
    const param = fn!.params[offset + i];
    if (param) args.push({ node: p.node, param, label: p.label });
  });
  for (const k of keywords) if (fn.params.includes(k.name)) args.push({ node: k.node, param: k.name, label: k.label });
  const iterable = sink.sent.find((s) => s.items === 1);
  const itemParam = iterable ? fn.params[offset + positional.length] : undefined;
  const items = iterable && itemParam ? { node: iterable.node, param: itemParam, label: iterable.label } : undefined;
  return { sink, fn, funcNode: funcArg.node, self, args, items };
}

/** Every node under `root`, depth first, not descending into nested defs, classes or lambdas. */
export function* bodyNodes(root: Node): Generator<Node> {
  const stack: Node[] = [...root.namedChildren].filter((c): c is Node => !!c).reverse();
  while (stack.length) {
    const n = stack.pop()!;
    yield n;
    if (n.type === 'function_definition' || n.type === 'class_definition' || n.type === 'lambda') continue;
    for (let i = n.namedChildren.length - 1; i >= 0; i--) {
      const c = n.namedChildren[i];
      if (c) stack.push(c);
    }
  }
}

/** Every node under `root`, nested functions and classes included. */
export function* allNodes(root: Node): Generator<Node> {
  const stack: Node[] = [root];
  while (stack.length) {
    const n = stack.pop()!;
    yield n;
    for (let i = n.namedChildren.length - 1; i >= 0; i--) {
      const c = n.namedChildren[i];
      if (c) stack.push(c);
    }
  }
}

/** The function's body (its parameters and decorators left out). */
export function bodyOf(fn: FunctionInfo): Node {
  return fn.node.childForFieldName('body') ?? fn.node;
}

/** The parameter is rebound in the function (`d = dict(d)`): what it mutates afterwards is a new object. */
function rebound(fn: FunctionInfo, param: string): boolean {
  return (fn.scope.bindings.get(param) ?? []).some((b) => b.kind !== 'param');
}

// Calls that add to a container. Removing calls (`pop`, `remove`, `clear`, `del`) and reordering
// (`sort`) are left out: a worker that consumes or sorts its input is usually using it locally,
// and the parent reading the original afterwards loses nothing it expected.
const mutators = new Set(['append', 'extend', 'insert', 'update', 'add', 'setdefault', 'appendleft', 'extendleft', '__setitem__']);

/**
 * The root name an expression reads through (`p` for `p`, `p.x`, `p[k]`, `p.x[k]`) and the first
 * attribute on the way (`x` for `p.x[k]`), or undefined for anything else.
 */
function rootOf(n: Node | null | undefined): { name: string; attr?: string; direct: boolean } | undefined {
  let attr: string | undefined;
  let direct = true;
  for (let cur = n; cur; ) {
    if (cur.type === 'identifier') return { name: cur.text, attr, direct };
    if (cur.type === 'attribute') {
      attr = cur.childForFieldName('attribute')?.text;
      cur = cur.childForFieldName('object');
    } else if (cur.type === 'subscript') {
      cur = cur.childForFieldName('value');
    } else return undefined;
    direct = false;
  }
  return undefined;
}

export interface Mutation {
  node: Node;
  /** The first attribute written through (`ok` for `self.ok += 1`, `hits` for `self.hits.append(x)`). */
  attr?: string;
  module: ModuleModel;
}

/**
 * Where `fn` changes the object its parameter `param` holds in place: item assignment and
 * deletion, `append`/`update`/... calls, attribute assignment (also through a nested part:
 * `p.items.append(x)`), and the same done by a workspace function it hands `param` to.
 * Nothing when the parameter is rebound in the function (then it may mutate a copy).
 */
export function mutationsOf(fn: FunctionInfo, param: string, ev: Evaluator, depth = 0): Mutation[] {
  if (depth > 2 || rebound(fn, param)) return [];
  const out: Mutation[] = [];
  const module = fn.module;
  for (const n of bodyNodes(bodyOf(fn))) {
    if (n.type === 'assignment' || n.type === 'augmented_assignment') {
      const left = n.childForFieldName('left');
      if (left?.type !== 'subscript' && left?.type !== 'attribute') continue;
      const r = rootOf(left);
      if (r?.name === param) out.push({ node: n, attr: r.attr, module });
    } else if (n.type === 'call') {
      const f = n.childForFieldName('function');
      if (f?.type === 'attribute' && mutators.has(f.childForFieldName('attribute')?.text ?? '')) {
        const r = rootOf(f.childForFieldName('object'));
        if (r?.name === param) out.push({ node: n, attr: r.attr, module });
        continue;
      }
      // Handed on to another workspace function that mutates it.
      if (!f) continue;
      const { positional, keywords } = callArgs(n);
      const at = positional.findIndex((a) => a.type === 'identifier' && a.text === param);
      const kw = [...keywords].find(([, a]) => a.type === 'identifier' && a.text === param);
      if (at < 0 && !kw) continue;
      const callee = ev.eval(f, enclosingScope(module, n));
      let target: FunctionInfo | undefined;
      let shift = 0;
      if (callee.kind === 'function') target = callee.fn;
      else if (callee.kind === 'method' && callee.fn && callee.self.kind === 'instance' && !isStaticOrClass(callee.fn)) {
        target = callee.fn;
        shift = 1;
      }
      const inner = target ? (kw ? kw[0] : target.params[at + shift]) : undefined;
      if (target && inner && mutationsOf(target, inner, ev, depth + 1).length) out.push({ node: n, module });
    }
  }
  return out;
}

/** The attributes of `self` a method changes (directly, or in a method it calls on `self`). */
export function selfMutations(fn: FunctionInfo, ev: Evaluator): Mutation[] {
  const self = fn.params[0];
  if (!self || isStaticOrClass(fn)) return [];
  const out = mutationsOf(fn, self, ev).filter((m) => m.attr);
  // One level of `self.helper(...)`.
  for (const n of bodyNodes(bodyOf(fn))) {
    if (n.type !== 'call') continue;
    const f = n.childForFieldName('function');
    if (f?.type !== 'attribute' || f.childForFieldName('object')?.text !== self) continue;
    const name = f.childForFieldName('attribute')?.text ?? '';
    const outer = fn.outer.cls;
    const m = outer?.methods.get(name);
    if (m && m !== fn && m.params[0]) out.push(...mutationsOf(m, m.params[0], ev, 1).filter((x) => x.attr));
  }
  return out;
}

/** The function whose body holds `node` (the sink call): its scope decides what "afterwards" means. */
function bindingAt(name: string, scope: Scope, at: Node) {
  return lookup(name, scope, at);
}

/**
 * The first place after `after` where the parent reads the variable `name` that `at` uses (same
 * binding): a read, not a rebinding. `attrs`, when given, narrows it to `name.<attr>` reads and
 * calls of methods that read one of them.
 */
export function readAfter(name: string, at: Node, scope: Scope, after: Node, accept?: (use: Node) => boolean): Node | undefined {
  const binding = bindingAt(name, scope, at);
  if (!binding) return undefined;
  for (const n of bodyNodes(scope.node.type === 'module' ? scope.node : (scope.node.childForFieldName('body') ?? scope.node))) {
    if (n.type !== 'identifier' || n.text !== name || n.startIndex < after.endIndex) continue;
    const parent = n.parent;
    if (parent && (parent.type === 'assignment' || parent.type === 'augmented_assignment') && parent.childForFieldName('left')?.id === n.id) {
      // Rebound: later reads see another object.
      if (parent.type === 'assignment') return undefined;
      continue;
    }
    if (parent?.type === 'keyword_argument' && parent.childForFieldName('name')?.id === n.id) continue;
    if (bindingAt(name, scope, n) !== binding) continue;
    if (accept && !accept(n)) continue;
    return n;
  }
  return undefined;
}

/** `def ...` reads `self.<attr>` for one of `attrs`. */
export function methodReads(fn: FunctionInfo, attrs: Set<string>): Node | undefined {
  const self = fn.params[0];
  if (!self) return undefined;
  for (const n of bodyNodes(bodyOf(fn))) {
    if (n.type !== 'attribute' || n.childForFieldName('object')?.text !== self) continue;
    const a = n.childForFieldName('attribute')?.text ?? '';
    if (attrs.has(a)) return n;
  }
  return undefined;
}

/** Whether `fn` returns its parameter `param` (then the caller is meant to use what comes back). */
export function returnsParam(fn: FunctionInfo, param: string): boolean {
  return fn.returns.some((r) => r.type === 'identifier' && r.text === param) || fn.returns.some((r) => (r.type === 'tuple' || r.type === 'expression_list') && r.namedChildren.some((c) => c?.type === 'identifier' && c.text === param));
}

/** The statement or loop `node` repeats in: a for/while loop or a comprehension inside its function. */
export function inLoop(node: Node, scope: Scope): boolean {
  for (let n = node.parent; n && n.id !== scope.node.id; n = n.parent) {
    if (n.type === 'for_statement' || n.type === 'while_statement' || n.type === 'list_comprehension' || n.type === 'dictionary_comprehension' || n.type === 'set_comprehension' || n.type === 'generator_expression') return true;
  }
  return false;
}

/** Workspace-class instances a sent value carries (through containers, partials, bound methods). */
export function instancesIn(v: Value, out: Extract<Value, { kind: 'instance' }>[], depth = 0): void {
  if (depth > 4) return;
  switch (v.kind) {
    case 'instance':
      if (!out.some((o) => o.cls === v.cls)) out.push(v);
      return;
    case 'container':
      for (const i of v.items) instancesIn(i.value, out, depth + 1);
      return;
    case 'union':
      for (const o of v.options) instancesIn(o, out, depth + 1);
      return;
    case 'partial':
      instancesIn(v.func, out, depth + 1);
      for (const i of v.args) instancesIn(i.value, out, depth + 1);
      return;
    case 'method':
      instancesIn(v.self, out, depth + 1);
      return;
    default:
      return;
  }
}

/** One-line text for messages. */
export function short(text: string, max = 40): string {
  const one = text.replace(/\s+/g, ' ');
  return one.length > max ? `${one.slice(0, max - 1)}…` : one;
}
