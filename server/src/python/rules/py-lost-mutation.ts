import * as path from 'node:path';
import type { Finding, RelatedInfo } from '../../engine/types';
import type { ModuleModel } from '../model';
import type { Node } from '../parser';
import { rangeOf } from '../ranges';
import { findMethod, lookup, type Evaluator, type Value } from '../resolve';
import type { FunctionInfo } from '../model';
import { types } from '../knowledge';
import type { Sink } from '../sinks';
import { pyRule } from './types';
import { allNodes, bodyNodes, bodyOf, methodReads, mutationsOf, readAfter, returnsParam, selfMutations, short, workerCall, type Mutation } from './worker-calls';

// A child process works on a copy of what it is given: pickled for spawn/forkserver and for every
// pool task, copied with the whole address space under fork. A worker that fills a dict or list it
// was handed, or bumps counters on `self` through a bound method, changes its copy; the parent's
// object stays as it was. Reported only when both halves are seen: the worker mutates the object in
// place, and the parent reads the same variable after the call, so the lost update is what it reads.

export const pyLostMutation = pyRule(
  'py-lost-mutation',
  "A dict, list or object handed to a Process, pool task or executor is mutated by the worker, and the parent reads it afterwards expecting the change; the worker changed a copy.",
  'a child process receives a copy of its arguments (pickled, or copied by fork), so changes it makes in place never reach the parent',
  'return the result from the worker and merge it in the parent (or send it back through a `multiprocessing.Queue`), or share the object through a `multiprocessing.Manager()` proxy (`manager.dict()`, `manager.list()`, `manager.Namespace()`)',
  () => [],
  'warning',
);

/** Containers built into Python that a worker can change in place. */
const mutableTypes = new Set(['collections.Counter', 'collections.OrderedDict', 'collections.deque', 'collections.defaultdict', 'builtins.bytearray']);

function describe(v: Value): string | undefined {
  switch (v.kind) {
    case 'container': {
      const t = v.site.node.type;
      if (t === 'tuple' || t === 'expression_list' || t === 'generator_expression') return undefined;
      if (v.dict) return 'a dict';
      if (t === 'set' || t === 'set_comprehension' || /^set\(/.test(v.site.node.text)) return 'a set';
      return 'a list';
    }
    case 'object':
      return mutableTypes.has(v.type) ? `a ${types[v.type]?.display ?? v.type.replace(/^builtins\./, '')}` : undefined;
    case 'instance':
      return `a \`${v.cls.name}\``;
    default:
      return undefined;
  }
}

function where(m: Mutation): string {
  return `${path.basename(m.module.file)}:${m.node.startPosition.row + 1}`;
}

export function checkLostMutation(model: ModuleModel, ev: Evaluator, sinks: Sink[]): Finding[] {
  const findings: Finding[] = [];
  // Handing the object to another process again is not reading what the worker wrote.
  const notResent = (use: Node) => !sinks.some((s) => use.startIndex >= s.call.node.startIndex && use.endIndex <= s.call.node.endIndex);
  for (const sink of sinks) {
    if (sink.transport === 'pickle') continue;
    const subclass = processSubclass(model, ev, sink);
    if (subclass) findings.push(subclass);
    const call = workerCall(sink, ev);
    if (!call) continue;
    const scope = sink.call.scope;
    for (const a of call.args) {
      if (a.node.type !== 'identifier') continue;
      const value = ev.eval(a.node, scope);
      const what = describe(value);
      if (!what) continue;
      const mutations = mutationsOf(call.fn, a.param, ev);
      // Attribute writes matter only on objects; `d.x = 1` on a dict would have raised.
      const relevant = value.kind === 'instance' ? mutations : mutations.filter((m) => !m.attr || m.node.type === 'call');
      if (!relevant.length || returnsParam(call.fn, a.param)) continue;
      const read = readAfter(a.node.text, a.node, scope, sink.call.node, notResent);
      if (!read) continue;
      findings.push(finding(model, sink, a.node, a.label, a.node.text, what, call.fn.name, relevant[0], read, `the worker \`${call.fn.name}\` changes its copy of \`${a.param}\` (\`${short(relevant[0].node.text)}\`)`));
    }
    if (call.items?.node.type === 'identifier') {
      // `pool.map(mark_done, records)`: each item is pickled into a task; marking it changes the copy.
      const a = call.items;
      const value = ev.eval(a.node, scope);
      const element = value.kind === 'container' && !value.dict ? value.items.map((i) => describe(i.value)).find(Boolean) : undefined;
      const mutations = element ? mutationsOf(call.fn, a.param, ev).filter((m) => element.startsWith('a `') || !m.attr || m.node.type === 'call') : [];
      // The parent must look at what the task wrote: the attribute or key it sets is read outside the worker.
      const written = mutations.find((m) => m.node.type === 'call' || readOutside(model, call.fn, m));
      const read = written && !returnsParam(call.fn, a.param) ? readAfter(a.node.text, a.node, scope, sink.call.node, notResent) : undefined;
      if (read && element)
        findings.push(finding(model, sink, a.node, `${a.label}[i]`, a.node.text, `a list holding ${element}`, call.fn.name, written!, read, `the worker \`${call.fn.name}\` changes its copy of each item (\`${short(written!.node.text)}\`)`));
    }
    findings.push(...globalMutations(model, ev, sink, call.fn));
    if (call.self) {
      // `pool.map(stats.fetch, urls)`: the instance is pickled with the method into every task.
      const self = call.self;
      if (self.node.type !== 'identifier') continue;
      const changed = selfMutations(call.fn, ev);
      if (!changed.length) continue;
      const attrs = new Set(changed.map((m) => m.attr!));
      const cls = self.value.cls;
      const read = readAfter(self.node.text, self.node, scope, sink.call.node, readsChanged(attrs, cls, ev));
      if (!read) continue;
      const first = changed[0];
      findings.push(
        finding(
          model,
          sink,
          call.funcNode,
          call.funcNode.text,
          self.node.text,
          `a bound method of \`${cls.name}\``,
          call.fn.name,
          first,
          read,
          `each task pickles a copy of \`${self.node.text}\` with the method, and \`${call.fn.name}\` updates \`self.${first.attr}\` on that copy`,
          'self',
        ),
      );
    }
  }
  return findings;
}

function finding(model: ModuleModel, sink: Sink, node: Node, label: string, name: string, what: string, worker: string, m: Mutation, read: Node, how: string, kind: 'arg' | 'self' | 'global' = 'arg'): Finding {
  const bound = kind !== 'arg';
  const subject = bound ? `\`${label}\` is ${what}` : `\`${label}\` (\`${name}\`) is ${what}`;
  const related: RelatedInfo[] = [
    { file: m.module.file, range: rangeOf(m.node), message: kind === 'self' ? `\`${worker}\` changes \`self.${m.attr}\` here, in the child` : `\`${worker}\` changes it here, in the child` },
    { file: model.file, range: rangeOf(read), message: `the parent reads \`${name}\` here, after ${sink.name}; it still holds the old contents` },
  ];
  return {
    file: model.file,
    range: rangeOf(node),
    rule: pyLostMutation.meta.id,
    severity: pyLostMutation.meta.defaultSeverity,
    message: `${subject}, handed to another process by ${sink.name}: ${how} (${where(m)}), but the parent's \`${name}\`, read at line ${read.startPosition.row + 1}, never changes: ${pyLostMutation.because} (no error: the update is silently lost); ${pyLostMutation.advice}`,
    path: kind === 'self' ? `${label} → self (${name}, copied)` : kind === 'global' ? `${label} → global ${name} (the child's copy)` : `${label}: ${name} (copied)`,
    related,
    fixes: [],
  };
}

/** Reads of `name.<attr>` for a changed attribute, or calls of a method of `cls` that reads one. */
function readsChanged(attrs: Set<string>, cls: Extract<Value, { kind: 'instance' }>['cls'], ev: Evaluator): (use: Node) => boolean {
  return (use) => {
    const parent = use.parent;
    if (parent?.type !== 'attribute' || parent.childForFieldName('object')?.id !== use.id) return false;
    const attr = parent.childForFieldName('attribute')?.text ?? '';
    if (attrs.has(attr)) return !(parent.parent?.type === 'assignment' && parent.parent.childForFieldName('left')?.id === parent.id);
    const m = parent.parent?.type === 'call' ? findMethod(cls, attr, ev) : undefined;
    return !!m && !!methodReads(m, attrs);
  };
}

/**
 * `w = Worker(...)` (a Process subclass) started, then `w.total` read in the parent: `run()` updates
 * the child's copy of the object, never the parent's.
 */
function processSubclass(model: ModuleModel, ev: Evaluator, sink: Sink): Finding | undefined {
  if (sink.name !== 'Process' || sink.sent.length !== 1 || sink.sent[0].node.type !== 'call') return undefined;
  const made = sink.sent[0].node;
  const inst = ev.eval(made, sink.call.scope);
  if (inst.kind !== 'instance') return undefined;
  const parent = made.parent;
  const target = parent?.type === 'assignment' && parent.childForFieldName('right')?.id === made.id ? parent.childForFieldName('left') : undefined;
  if (target?.type !== 'identifier') return undefined;
  const run = findMethod(inst.cls, 'run', ev);
  if (!run) return undefined;
  const changed = selfMutations(run, ev);
  if (!changed.length) return undefined;
  const attrs = new Set(changed.map((m) => m.attr!));
  const read = readAfter(target.text, made, sink.call.scope, made, readsChanged(attrs, inst.cls, ev));
  if (!read) return undefined;
  const first = changed[0];
  return finding(
    model,
    sink,
    made,
    target.text,
    target.text,
    `a \`${inst.cls.name}\` process`,
    'run',
    first,
    read,
    `\`run()\` executes in the child, on its own copy of the object, and updates \`self.${first.attr}\` there`,
    'self',
  );
}

/**
 * A worker that fills a module-level container (`RESULTS.append(x)`) while the parent reads that
 * global afterwards: the child has its own module (re-imported under spawn, copied under fork).
 */
function globalMutations(model: ModuleModel, ev: Evaluator, sink: Sink, fn: FunctionInfo): Finding[] {
  if (fn.module !== model || fn.local) return [];
  const out: Finding[] = [];
  const done = new Set<string>();
  for (const n of bodyNodes(bodyOf(fn))) {
    if (n.type !== 'identifier' || done.has(n.text)) continue;
    const b = lookup(n.text, fn.scope, n);
    if (!b || b.scope !== model.scope || b.kind !== 'value') continue;
    done.add(n.text);
    const what = describe(ev.evalBinding(b, 1));
    if (!what || what.startsWith('a `')) continue;
    const mutations = mutationsOf(fn, n.text, ev).filter((m) => !m.attr || m.node.type === 'call');
    if (!mutations.length) continue;
    // The parent must read the very same global after the call.
    const read = readAfter(n.text, sink.call.node, sink.call.scope, sink.call.node, (use) => lookup(use.text, sink.call.scope, use) === b);
    if (!read) continue;
    const fnNode = sink.sent.find((s) => s.label === 'target' || s.label === 'func' || s.label === 'fn')?.node ?? sink.call.node;
    out.push(
      finding(
        model,
        sink,
        fnNode,
        fnNode.text,
        n.text,
        `a function that changes the module-level ${what.slice(2)} \`${n.text}\``,
        fn.name,
        mutations[0],
        read,
        `the child has its own copy of the module (re-imported under spawn, copied under fork), and \`${fn.name}\` changes that copy's \`${n.text}\``,
        'global',
      ),
    );
  }
  return out;
}

/** `x.total` / `x["total"]` for what the mutation writes, read somewhere in the parent's module outside the worker. */
function readOutside(model: ModuleModel, worker: FunctionInfo, m: Mutation): boolean {
  const left = m.node.childForFieldName('left');
  let name = m.attr;
  if (!name && left?.type === 'subscript') {
    const key = left.childForFieldName('subscript');
    const literal = key?.type === 'string' ? /^['"](\w+)['"]$/.exec(key.text) : null;
    name = literal?.[1];
  }
  if (!name) return false;
  for (const n of allNodes(model.root)) {
    if (worker.module === model && n.startIndex >= worker.node.startIndex && n.endIndex <= worker.node.endIndex) continue;
    const isRead = (t: Node) => !(t.parent?.type === 'assignment' && t.parent.childForFieldName('left')?.id === t.id);
    if (n.type === 'attribute' && n.childForFieldName('attribute')?.text === name && isRead(n)) return true;
    if (n.type === 'subscript' && /^['"]\w+['"]$/.test(n.childForFieldName('subscript')?.text ?? '') && n.childForFieldName('subscript')!.text.slice(1, -1) === name && isRead(n)) return true;
  }
  return false;
}
