import * as path from 'node:path';
import type { Finding, Fix } from '../../engine/types';
import type { FunctionInfo, ModuleModel } from '../model';
import type { Node } from '../parser';
import { rangeOf } from '../ranges';
import { callArgs, classChain, type Evaluator, type Value } from '../resolve';
import type { Sink } from '../sinks';
import { pyRule } from './types';
import { bodyNodes, bodyOf, instancesIn, methodReads } from './worker-calls';

// A `__reduce__` that returns only `(callable, args)` tells pickle to rebuild the object by calling
// the constructor again (from a path, an id, a config file), with no state to restore afterwards.
// Whatever the parent changed on the object after building it (`settings.dry_run = True`) is
// silently gone on the other side. Reported when such an attribute is assigned on the very object
// between its construction and the send, the reducer's arguments do not carry it, and the other
// side reads it (the worker function or a method of the class).

export const pyReduceDropsState = pyRule(
  'py-reduce-drops-state',
  "An object whose `__reduce__` rebuilds it from constructor arguments is sent after an attribute was changed on it; the change does not survive pickling.",
  "its `__reduce__` returns only `(callable, args)`, so the receiving side calls the constructor again and nothing restores attributes set after construction",
  'return the state too (`return (Cls, (self.path,), self.__dict__)`, restored with `__dict__.update` or your `__setstate__`), pass the changed value to the constructor through the reducer\'s arguments, or send it as its own argument',
  () => [],
  'warning',
);

/** The `__reduce__`/`__reduce_ex__` of the class chain when every return is a 2-tuple `(callable, args)`. */
function statelessReducer(cls: Extract<Value, { kind: 'instance' }>['cls'], ev: Evaluator): { fn: FunctionInfo; returns: Node[] } | undefined {
  for (const c of classChain(cls, ev)) {
    const fn = c.methods.get('__reduce_ex__') ?? c.methods.get('__reduce__');
    if (!fn) {
      if (c.methods.has('__getstate__') || c.methods.has('__setstate__')) return undefined;
      continue;
    }
    if (!fn.returns.length) return undefined;
    const tuples = fn.returns.map((r) => (r.type === 'parenthesized_expression' ? r.namedChildren.find((x) => x && x.type !== 'comment') : r));
    if (!tuples.every((t) => t && (t.type === 'tuple' || t.type === 'expression_list') && t.namedChildren.filter((x) => x && x.type !== 'comment').length === 2)) return undefined;
    return { fn, returns: fn.returns };
  }
  return undefined;
}

interface LateAttr {
  attr: string;
  statement: Node;
}

/** `name.attr = v` / `setattr(name, "attr", v)` on the variable the constructor call is bound to, after it and before `before`. */
function setAfterConstruction(inst: Extract<Value, { kind: 'instance' }>, before: Node, sameScope: boolean): LateAttr[] {
  const call = inst.call;
  const scope = inst.callScope;
  if (!call || !scope) return [];
  const parent = call.parent;
  const target = parent?.type === 'assignment' && parent.childForFieldName('right')?.id === call.id ? parent.childForFieldName('left') : undefined;
  if (target?.type !== 'identifier') return [];
  const name = target.text;
  const out: LateAttr[] = [];
  const body = scope.node.type === 'module' ? scope.node : (scope.node.childForFieldName('body') ?? scope.node);
  for (const n of bodyNodes(body)) {
    if (n.startIndex < call.endIndex || (sameScope && n.startIndex > before.startIndex)) continue;
    if (n.type === 'assignment' && n.childForFieldName('left')?.type === 'identifier' && n.childForFieldName('left')!.text === name) break;
    if (n.type === 'assignment' || n.type === 'augmented_assignment') {
      const left = n.childForFieldName('left');
      if (left?.type === 'attribute' && left.childForFieldName('object')?.type === 'identifier' && left.childForFieldName('object')!.text === name)
        out.push({ attr: left.childForFieldName('attribute')!.text, statement: n });
    } else if (n.type === 'call' && n.childForFieldName('function')?.text === 'setattr') {
      const [obj, attr] = callArgs(n).positional;
      const literal = attr?.type === 'string' ? /^['"](\w+)['"]$/.exec(attr.text) : null;
      if (obj?.type === 'identifier' && obj.text === name && literal) out.push({ attr: literal[1], statement: n });
    }
  }
  return out;
}

/** The attribute is read on the other side: by a method of the class or by the worker function. */
function readOnOtherSide(cls: Extract<Value, { kind: 'instance' }>['cls'], attr: string, worker: FunctionInfo | undefined, ev: Evaluator): { node: Node; module: ModuleModel } | undefined {
  for (const c of classChain(cls, ev))
    for (const fn of c.methods.values()) {
      if (fn.name.startsWith('__reduce')) continue;
      const r = methodReads(fn, new Set([attr]));
      if (r && !(r.parent?.type === 'assignment' && r.parent.childForFieldName('left')?.id === r.id)) return { node: r, module: c.module };
    }
  if (!worker) return undefined;
  for (const n of bodyNodes(bodyOf(worker)))
    if (n.type === 'attribute' && n.childForFieldName('attribute')?.text === attr && !(n.parent?.type === 'assignment' && n.parent.childForFieldName('left')?.id === n.id)) return { node: n, module: worker.module };
  return undefined;
}

export function checkReduceDropsState(model: ModuleModel, ev: Evaluator, sinks: Sink[]): Finding[] {
  const findings: Finding[] = [];
  for (const sink of sinks) {
    // Under fork a Process's arguments are inherited, never reduced.
    if (sink.transport === 'fork-copy') continue;
    const funcArg = sink.sent.find((s) => s.label === 'target' || s.label === 'func' || s.label === 'fn');
    const callable = funcArg ? ev.eval(funcArg.node, sink.call.scope) : undefined;
    const worker = callable?.kind === 'function' ? callable.fn : callable?.kind === 'partial' && callable.func.kind === 'function' ? callable.func.fn : undefined;
    for (const sent of sink.sent) {
      const found: Extract<Value, { kind: 'instance' }>[] = [];
      instancesIn(ev.eval(sent.node, sink.call.scope), found);
      let reported = false;
      for (const inst of found) {
        if (reported) break;
        const reducer = statelessReducer(inst.cls, ev);
        if (!reducer) continue;
        const carried = reducer.returns.map((r) => r.text).join(' ');
        const sameScope = inst.callScope === sink.call.scope;
        for (const late of setAfterConstruction(inst, sink.call.node, sameScope)) {
          if (new RegExp(`\\.${late.attr}\\b`).test(carried)) continue;
          const read = readOnOtherSide(inst.cls, late.attr, worker, ev);
          if (!read) continue;
          findings.push({
            file: model.file,
            range: rangeOf(sent.node),
            rule: pyReduceDropsState.meta.id,
            severity: pyReduceDropsState.meta.defaultSeverity,
            message: `\`${sent.label}\` holds a \`${inst.cls.name}\` whose \`${late.statement.text.split('=')[0].trim()}\` was set after construction (${path.basename(model.file)}:${late.statement.startPosition.row + 1}), and ${sink.name} pickles it: ${pyReduceDropsState.because} (\`${reducer.fn.name}\` returns \`${reducer.returns[0].text.replace(/\s+/g, ' ')}\`), so \`${late.attr}\` is lost and the other side reads the constructor's value (no error); ${pyReduceDropsState.advice}`,
            path: `${sent.label} → ${inst.cls.name}.${late.attr} (dropped by ${reducer.fn.name})`,
            related: [
              { file: model.file, range: rangeOf(late.statement), message: `\`${late.attr}\` is set here, after construction` },
              { file: reducer.fn.module.file, range: rangeOf(reducer.fn.nameNode), message: `\`${reducer.fn.name}\` rebuilds the object without it` },
              { file: read.module.file, range: rangeOf(read.node), message: `the other side reads \`${late.attr}\` here` },
            ],
            fixes: [returnStateFix(reducer.fn)].filter((f): f is Fix => !!f),
          });
          reported = true;
          break;
        }
      }
    }
  }
  return findings;
}

/**
 * `return (Cls, (self.path,))` → `return (Cls, (self.path,), self.__dict__)`: pickle rebuilds the
 * object as before, then restores its attributes. A suggestion, not applied by --fix: a class may
 * rebuild from arguments precisely to avoid pickling what its `__dict__` holds.
 */
function returnStateFix(fn: FunctionInfo): Fix | undefined {
  const self = fn.params[0];
  if (!self || fn.name !== '__reduce__') return undefined;
  const edits = [];
  for (const r of fn.returns) {
    const inner = r.type === 'parenthesized_expression' ? r.namedChildren.find((x) => x && x.type !== 'comment') : r;
    if (!inner) return undefined;
    // Before the closing parenthesis of `(Cls, args)`, or after a bare `Cls, args`.
    const end = inner.type === 'tuple' || r.type === 'parenthesized_expression' ? (inner.type === 'tuple' ? inner.endPosition : r.endPosition) : inner.endPosition;
    const at = inner.type === 'tuple' || r.type === 'parenthesized_expression' ? { line: end.row, character: end.column - 1 } : { line: end.row, character: end.column };
    edits.push({ file: fn.module.file, range: { start: at, end: at }, newText: `, ${self}.__dict__` });
  }
  return edits.length ? { title: `Return the state from \`__reduce__\` too (\`${self}.__dict__\`)`, id: 'reduce-with-state', preferred: false, edits } : undefined;
}
