import * as path from 'node:path';
import type { Finding } from '../../engine/types';
import { enclosingScope, type FunctionInfo, type ModuleModel, type Scope } from '../model';
import type { Node } from '../parser';
import { rangeOf } from '../ranges';
import type { Evaluator } from '../resolve';
import type { Sink } from '../sinks';
import { pyRule } from './types';
import { bodyNodes, bodyOf, workerCall } from './worker-calls';

// An exception raised in a pool worker crosses back pickled, and pickling keeps only its class,
// args and `__dict__`. Both multiprocessing.Pool and concurrent.futures then set `__cause__` to a
// RemoteTraceback (the child's traceback as text) and leave `__context__` None: the `from exc` the
// worker wrote is gone. A parent that decides on `isinstance(e.__cause__, TimeoutError)` silently
// takes the other branch. Reported when the worker chains (`raise X from exc`, or raises inside an
// `except` for `__context__`) and a handler around the task's result inspects the chain.

export const pyExceptionCauseLost = pyRule(
  'py-exception-cause-lost',
  "A pool or executor worker raises an exception chained to another (`raise X from exc`), and the parent inspects `__cause__`/`__context__` of what it catches; the chain does not cross the process boundary.",
  "an exception crosses back pickled (class, args, `__dict__`), and multiprocessing and concurrent.futures replace its `__cause__` with a RemoteTraceback holding the child's traceback as text (`__context__` is None)",
  "decide in the worker and put what the parent needs in the exception itself: a subclass (`class FetchTimeout(FetchError)`) or an attribute set on it (`exc.retryable = True`), both of which survive pickling, or return a status instead of raising",
  () => [],
  'warning',
);

interface Chained {
  raise: Node;
  module: ModuleModel;
  /** `raise X from y`: both `__cause__` and `__context__` are set in the child; a bare raise in an `except` sets `__context__`. */
  explicit: boolean;
}

function insideExcept(n: Node, fnNode: Node): boolean {
  for (let p = n.parent; p && p.id !== fnNode.id; p = p.parent) if (p.type === 'except_clause') return true;
  return false;
}

/** Where the worker (or a workspace function it calls, one level down) raises a chained exception. */
function chainedRaise(fn: FunctionInfo, ev: Evaluator, depth = 0): Chained | undefined {
  let implicit: Chained | undefined;
  for (const n of bodyNodes(bodyOf(fn))) {
    if (n.type === 'raise_statement') {
      const cause = n.childForFieldName('cause');
      if (cause && cause.type !== 'none') return { raise: n, module: fn.module, explicit: true };
      if (!cause && n.namedChildren.length && insideExcept(n, fn.node)) implicit ??= { raise: n, module: fn.module, explicit: false };
    } else if (n.type === 'call' && depth < 1) {
      const f = n.childForFieldName('function');
      if (f?.type !== 'identifier') continue;
      const callee = ev.eval(f, enclosingScope(fn.module, n));
      if (callee.kind !== 'function' || callee.fn === fn) continue;
      const inner = chainedRaise(callee.fn, ev, depth + 1);
      if (inner?.explicit) return inner;
      implicit ??= inner;
    }
  }
  return implicit;
}

/** A handler that catches what the task raised: its try body holds the sink call or a `.get()`/`.result()`. */
function handlersAround(sink: Sink, scope: Scope): { alias: string; clause: Node }[] {
  const out: { alias: string; clause: Node }[] = [];
  const body = scope.node.type === 'module' ? scope.node : (scope.node.childForFieldName('body') ?? scope.node);
  for (const n of bodyNodes(body)) {
    if (n.type !== 'try_statement' || n.endIndex < sink.call.node.startIndex) continue;
    const tryBody = n.childForFieldName('body');
    if (!tryBody) continue;
    let gets = tryBody.startIndex <= sink.call.node.startIndex && tryBody.endIndex >= sink.call.node.endIndex;
    if (!gets)
      for (const c of bodyNodes(tryBody)) {
        if (c.type !== 'call') continue;
        const f = c.childForFieldName('function');
        if (f?.type === 'attribute' && /^(get|result)$/.test(f.childForFieldName('attribute')?.text ?? '')) {
          gets = true;
          break;
        }
      }
    if (!gets) continue;
    for (const clause of n.namedChildren) {
      if (clause?.type !== 'except_clause') continue;
      const as = clause.namedChildren.find((c) => c?.type === 'as_pattern');
      const alias = as?.childForFieldName('alias')?.namedChildren[0] ?? as?.namedChildren[as.namedChildren.length - 1]?.namedChildren[0];
      if (alias?.type === 'identifier') out.push({ alias: alias.text, clause });
    }
  }
  return out;
}

/** `isinstance(e.__cause__, T)`, `type(e.__cause__)`, `e.__cause__.errno`, `e.__cause__ is None`: a decision made on the chain. */
function inspects(clause: Node, alias: string, attrs: RegExp): Node | undefined {
  for (const n of bodyNodes(clause)) {
    if (n.type !== 'attribute' || n.childForFieldName('object')?.text !== alias || !attrs.test(n.childForFieldName('attribute')?.text ?? '')) continue;
    const p = n.parent;
    if (!p) continue;
    if (p.type === 'attribute' || p.type === 'comparison_operator') return n;
    if (p.type === 'argument_list' && /^(isinstance|issubclass|type)$/.test(p.parent?.childForFieldName('function')?.text ?? '')) return n;
  }
  return undefined;
}

export function checkExceptionCauseLost(model: ModuleModel, ev: Evaluator, sinks: Sink[]): Finding[] {
  const findings: Finding[] = [];
  for (const sink of sinks) {
    if (sink.transport !== 'task') continue;
    const call = workerCall(sink, ev);
    if (!call) continue;
    const chained = chainedRaise(call.fn, ev);
    if (!chained) continue;
    const attrs = chained.explicit ? /^__(cause|context)__$/ : /^__context__$/;
    let read: Node | undefined;
    for (const h of handlersAround(sink, sink.call.scope)) if ((read = inspects(h.clause, h.alias, attrs))) break;
    if (!read) continue;
    const at = `${path.basename(chained.module.file)}:${chained.raise.startPosition.row + 1}`;
    findings.push({
      file: model.file,
      range: rangeOf(call.funcNode),
      rule: pyExceptionCauseLost.meta.id,
      severity: pyExceptionCauseLost.meta.defaultSeverity,
      message: `\`${call.fn.name}\` raises a chained exception in the worker (\`${chained.raise.text.replace(/\s+/g, ' ')}\`, ${at}), and the parent inspects \`${read.text}\` of what ${sink.name} delivers: ${pyExceptionCauseLost.because}, so the check at line ${read.startPosition.row + 1} never sees the original (no error); ${pyExceptionCauseLost.advice}`,
      path: `${call.fn.name}(...) → raise: ${read.childForFieldName('attribute')?.text} (replaced by RemoteTraceback)`,
      related: [
        { file: chained.module.file, range: rangeOf(chained.raise), message: 'the worker chains the exception here' },
        { file: model.file, range: rangeOf(read), message: `the parent inspects \`${read.childForFieldName('attribute')?.text}\` here; it is a RemoteTraceback (or None)` },
      ],
      fixes: [],
    });
  }
  return findings;
}
