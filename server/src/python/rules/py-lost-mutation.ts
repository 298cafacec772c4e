import * as path from 'node:path';
import type { Finding, RelatedInfo } from '../../engine/types';
import type { ModuleModel } from '../model';
import type { Node } from '../parser';
import { rangeOf } from '../ranges';
import { findMethod, type Evaluator, type Value } from '../resolve';
import { types } from '../knowledge';
import type { Sink } from '../sinks';
import { pyRule } from './types';
import { methodReads, mutationsOf, readAfter, returnsParam, selfMutations, short, workerCall, type Mutation } from './worker-calls';

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
  for (const sink of sinks) {
    if (sink.transport === 'pickle') continue;
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
      const read = readAfter(a.node.text, a.node, scope, sink.call.node);
      if (!read) continue;
      findings.push(finding(model, sink, a.node, a.label, a.node.text, what, call.fn.name, relevant[0], read, `the worker \`${call.fn.name}\` changes its copy of \`${a.param}\` (\`${short(relevant[0].node.text)}\`)`));
    }
    if (call.self) {
      // `pool.map(stats.fetch, urls)`: the instance is pickled with the method into every task.
      const self = call.self;
      if (self.node.type !== 'identifier') continue;
      const changed = selfMutations(call.fn, ev);
      if (!changed.length) continue;
      const attrs = new Set(changed.map((m) => m.attr!));
      const cls = self.value.cls;
      const read = readAfter(self.node.text, self.node, scope, sink.call.node, (use) => {
        const parent = use.parent;
        if (parent?.type !== 'attribute' || parent.childForFieldName('object')?.id !== use.id) return false;
        const attr = parent.childForFieldName('attribute')?.text ?? '';
        if (attrs.has(attr)) return !(parent.parent?.type === 'assignment' && parent.parent.childForFieldName('left')?.id === parent.id);
        // `stats.summary()` reads the counters inside.
        const m = parent.parent?.type === 'call' ? findMethod(cls, attr, ev) : undefined;
        return !!m && !!methodReads(m, attrs);
      });
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
          true,
        ),
      );
    }
  }
  return findings;
}

function finding(model: ModuleModel, sink: Sink, node: Node, label: string, name: string, what: string, worker: string, m: Mutation, read: Node, how: string, bound = false): Finding {
  const subject = bound ? `\`${label}\` is ${what}` : `\`${label}\` (\`${name}\`) is ${what}`;
  const related: RelatedInfo[] = [
    { file: m.module.file, range: rangeOf(m.node), message: bound ? `\`${worker}\` changes \`self.${m.attr}\` here, in the child` : `\`${worker}\` changes it here, in the child` },
    { file: model.file, range: rangeOf(read), message: `the parent reads \`${name}\` here, after ${sink.name}; it still holds the old contents` },
  ];
  return {
    file: model.file,
    range: rangeOf(node),
    rule: pyLostMutation.meta.id,
    severity: pyLostMutation.meta.defaultSeverity,
    message: `${subject} that ${sink.name} hands to another process: ${how} (${where(m)}), but the parent's \`${name}\`, read at line ${read.startPosition.row + 1}, never changes: ${pyLostMutation.because} (no error: the update is silently lost); ${pyLostMutation.advice}`,
    path: bound ? `${label} → self (${name}, copied)` : `${label}: ${name} (copied)`,
    related,
    fixes: [],
  };
}
