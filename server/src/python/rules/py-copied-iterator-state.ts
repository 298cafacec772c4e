import type { Finding } from '../../engine/types';
import type { ModuleModel } from '../model';
import type { Node } from '../parser';
import { rangeOf } from '../ranges';
import type { Evaluator, Value } from '../resolve';
import type { Sink } from '../sinks';
import { pyRule } from './types';
import { bodyNodes, bodyOf, inLoop, readAfter, workerCall } from './worker-calls';

// A counter or a seeded random generator pickles with its current state. Handed to pool tasks,
// every task unpickles its own copy of the same state: `next(ids)` gives 1000 in each of them, and a
// `random.Random(7)` draws the same numbers in every worker; the parent's object never advances.
// Reported when the worker advances the object it receives and the copy is made more than once
// (a map over many items, a call in a loop) or the parent goes on using its own.

export const pyCopiedIteratorState = pyRule(
  'py-copied-iterator-state',
  'An `itertools.count`/`cycle` or a seeded `random.Random` is pickled into several tasks: each worker advances its own copy from the same state, so ids repeat and "random" draws are identical.',
  'each task unpickles its own copy of the generator state, so every copy continues from the same point and nothing advances the parent\'s object',
  'draw what the tasks need in the parent and send the values (`[next(ids) for _ in batch]`), give each task its own seed (`random.Random(seed + i)`), or use a shared counter (`multiprocessing.Value` handed over in a Pool `initializer`)',
  () => [],
  'warning',
);

const stateful: Record<string, { display: string; advance: RegExp }> = {
  'itertools.count': { display: 'itertools.count', advance: /^(?:__next__)$/ },
  'itertools.cycle': { display: 'itertools.cycle', advance: /^(?:__next__)$/ },
  'random.Random': {
    display: 'random.Random',
    advance: /^(?:random|randint|randrange|randbytes|choice|choices|shuffle|sample|uniform|gauss|normalvariate|getrandbits|triangular|betavariate|expovariate|lognormvariate|vonmisesvariate|paretovariate|weibullvariate|gammavariate)$/,
  },
};

function statefulType(v: Value): string | undefined {
  if (v.kind === 'object' && stateful[v.type]) return v.type;
  if (v.kind === 'union') {
    for (const o of v.options) {
      const t = statefulType(o);
      if (t) return t;
    }
  }
  return undefined;
}

/** Where the worker advances its parameter: `next(p)`, `p.__next__()`, `p.randint(...)`. */
function advancedAt(body: Node, param: string, type: string): Node | undefined {
  for (const n of bodyNodes(body)) {
    if (n.type !== 'call') continue;
    const f = n.childForFieldName('function');
    if (!f) continue;
    if (f.type === 'identifier' && f.text === 'next') {
      const first = n.childForFieldName('arguments')?.namedChildren[0];
      if (first?.type === 'identifier' && first.text === param) return n;
    }
    if (f.type === 'attribute' && f.childForFieldName('object')?.text === param && stateful[type].advance.test(f.childForFieldName('attribute')?.text ?? '')) return n;
  }
  return undefined;
}

export function checkCopiedIteratorState(model: ModuleModel, ev: Evaluator, sinks: Sink[]): Finding[] {
  const findings: Finding[] = [];
  for (const sink of sinks) {
    // Pool tasks, executor calls, and Processes (pickled for spawn, copied by fork) alike.
    if (sink.transport === 'pickle') continue;
    const call = workerCall(sink, ev);
    if (!call) continue;
    const scope = sink.call.scope;
    const many = sink.sent.some((s) => s.items) || inLoop(sink.call.node, scope);
    for (const a of call.args) {
      const type = statefulType(ev.eval(a.node, scope));
      if (!type) continue;
      const advanced = advancedAt(bodyOf(call.fn), a.param, type);
      if (!advanced) continue;
      // Sent once and never used again in the parent: one copy, nothing repeats.
      const later = a.node.type === 'identifier' ? readAfter(a.node.text, a.node, scope, sink.call.node) : undefined;
      if (!many && !later) continue;
      const why = many
        ? `${sink.name} copies it into every ${sink.transport === 'task' ? 'task' : 'child'}, and each copy starts from the state it had when sent`
        : `the worker advances a copy, and the parent's \`${a.node.text}\`, used again at line ${later!.startPosition.row + 1}, starts over from the same state`;
      findings.push({
        file: model.file,
        range: rangeOf(a.node),
        rule: pyCopiedIteratorState.meta.id,
        severity: pyCopiedIteratorState.meta.defaultSeverity,
        message: `\`${a.label}\` is ${/^[aeiou]/.test(stateful[type].display) ? 'an' : 'a'} \`${stateful[type].display}\` object, advanced by \`${call.fn.name}\` in the worker (\`${advanced.text}\`): ${why}; ${pyCopiedIteratorState.because} (no error: values repeat); ${pyCopiedIteratorState.advice}`,
        path: `${a.label}: ${stateful[type].display} (state copied per task)`,
        related: [
          { file: call.fn.module.file, range: rangeOf(advanced), message: `\`${call.fn.name}\` advances its copy here` },
          ...(later ? [{ file: model.file, range: rangeOf(later), message: 'the parent uses its own, unadvanced object here' }] : []),
        ],
        fixes: [],
      });
    }
  }
  return findings;
}
