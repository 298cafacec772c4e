import type { Finding, Fix } from '../../engine/types';
import { exceptionReduceFix } from '../fixes';
import type { ClassInfo, FunctionInfo, ModuleModel } from '../model';
import type { Node } from '../parser';
import { rangeOf } from '../ranges';
import { classChain, findMethod, lookup, type Evaluator } from '../resolve';
import type { Sink } from '../sinks';
import { pyRule } from './types';

// An exception a pool worker raises crosses back pickled. BaseException pickles as
// `(cls, self.args)` plus its `__dict__`, and `self.args` is what `__init__` handed to
// `super().__init__`. A class whose `__init__` needs more arguments than it passes on cannot be
// re-created in the parent: `cls(*args)` raises TypeError in the result handler, and the parent
// never sees the worker's error (the executor reports BrokenProcessPool, a Pool's call hangs).

export const pyUnpicklableException = pyRule(
  'py-unpicklable-exception',
  'A pool or executor task raises an exception class whose `__init__` needs more arguments than it passes to `super().__init__`, so the parent cannot re-create it.',
  'an exception crosses back as `cls(*self.args)`, and `self.args` holds only what `__init__` passed to `super().__init__`',
  'pass every argument on (`super().__init__(a, b, c)`), give the extra parameters defaults, or define `__reduce__` returning `(cls, (a, b, c))`',
);

interface Signature {
  positional: string[];
  required: number;
  keywordOnly: string[];
  varargs: boolean;
}

function signature(fn: FunctionInfo): Signature | undefined {
  const params = fn.node.childForFieldName('parameters');
  if (!params) return undefined;
  const out: Signature = { positional: [], required: 0, keywordOnly: [], varargs: false };
  let keywordOnly = false;
  let first = true;
  for (const p of params.namedChildren) {
    if (!p || p.type === 'comment') continue;
    if (first) {
      first = false; // self
      continue;
    }
    if (p.type === 'list_splat_pattern') {
      out.varargs = true;
      keywordOnly = true;
      continue;
    }
    if (p.type === 'keyword_separator') {
      keywordOnly = true;
      continue;
    }
    if (p.type === 'dictionary_splat_pattern' || p.type === 'positional_separator') continue;
    const hasDefault = p.type === 'default_parameter' || p.type === 'typed_default_parameter';
    const name = (hasDefault ? p.childForFieldName('name') : p.type === 'typed_parameter' ? p.namedChildren.find((c) => c?.type === 'identifier') : p)?.text;
    if (!name) return undefined;
    if (keywordOnly) {
      if (!hasDefault) out.keywordOnly.push(name);
    } else {
      out.positional.push(name);
      if (!hasDefault) out.required = out.positional.length;
    }
  }
  return out;
}

/** `super().__init__(...)` / `Base.__init__(self, ...)` in `init`: how many positional arguments it passes (undefined: a splat, or none found). */
function passedToBase(init: FunctionInfo): { count: number; call: Node } | undefined {
  let found: { count: number; call: Node } | undefined;
  let opaque = false;
  const visit = (n: Node): void => {
    if (found || opaque) return;
    if (n.type === 'call') {
      const f = n.childForFieldName('function');
      if (f?.type === 'attribute' && f.childForFieldName('attribute')?.text === '__init__') {
        const obj = f.childForFieldName('object');
        const viaSuper = obj?.type === 'call' && obj.childForFieldName('function')?.text === 'super';
        const args = n.childForFieldName('arguments')?.namedChildren.filter((c): c is Node => !!c && c.type !== 'comment') ?? [];
        if (args.some((a) => a.type === 'list_splat' || a.type === 'dictionary_splat')) {
          opaque = true;
          return;
        }
        const positional = args.filter((a) => a.type !== 'keyword_argument');
        if (viaSuper) found = { count: positional.length, call: n };
        else if (obj && positional[0]?.text === init.params[0]) found = { count: positional.length - 1, call: n };
        return;
      }
    }
    for (const c of n.namedChildren) if (c) visit(c);
  };
  const body = init.node.childForFieldName('body');
  if (body) visit(body);
  return opaque ? undefined : found;
}

function names(list: string[]): string {
  const q = list.map((n) => `'${n}'`);
  return q.length <= 2 ? q.join(' and ') : `${q.slice(0, -1).join(', ')}, and ${q[q.length - 1]}`;
}

/** The TypeError re-creating an instance of `cls` raises, or undefined when it re-creates fine. */
export function recreationError(cls: ClassInfo, ev: Evaluator): { runtime: string; init: FunctionInfo; call: Node; detail: string; sig: Signature } | undefined {
  const chain = classChain(cls, ev);
  if (chain.some((c) => c.methods.has('__reduce__') || c.methods.has('__reduce_ex__') || c.methods.has('__getnewargs__') || c.methods.has('__getnewargs_ex__'))) return undefined;
  // Every base outside the workspace must be a builtin exception (anything else might reduce itself).
  for (const c of chain)
    for (const b of c.bases) {
      const v = ev.eval(b, c.outer, 1);
      if (v.kind === 'class') continue;
      if (v.kind !== 'ref' || !/^builtins\.\w*(Exception|Error|Warning)$/.test(v.qname)) return undefined;
    }
  const init = findMethod(cls, '__init__', ev);
  if (!init) return undefined;
  const sig = signature(init);
  const passed = passedToBase(init);
  if (!sig || !passed || sig.varargs) return undefined;
  const who = `${init.outer.cls?.name ?? cls.name}.__init__()`;
  if (passed.count < sig.required) {
    const missing = sig.positional.slice(passed.count, sig.required);
    return {
      runtime: `TypeError: ${who} missing ${missing.length} required positional argument${missing.length > 1 ? 's' : ''}: ${names(missing)}`,
      init,
      sig,
      call: passed.call,
      detail: `its \`__init__\` needs ${sig.required} argument${sig.required > 1 ? 's' : ''} but passes ${passed.count} to \`${passed.call.childForFieldName('function')?.text}\``,
    };
  }
  if (sig.keywordOnly.length)
    return {
      runtime: `TypeError: ${who} missing ${sig.keywordOnly.length} required keyword-only argument${sig.keywordOnly.length > 1 ? 's' : ''}: ${names(sig.keywordOnly)}`,
      init,
      sig,
      call: passed.call,
      detail: `its \`__init__\` needs the keyword-only ${names(sig.keywordOnly)}, which \`self.args\` cannot carry`,
    };
  return undefined;
}

/** Raise statements of a worker and of the module functions it calls by name (one level), outside any try in them. */
function raisesOf(fn: FunctionInfo, depth = 0): { raise: Node; fn: FunctionInfo }[] {
  const out: { raise: Node; fn: FunctionInfo }[] = [];
  const visit = (n: Node): void => {
    if (n.type === 'function_definition' || n.type === 'class_definition' || n.type === 'lambda') return;
    if (n.type === 'try_statement') return;
    if (n.type === 'raise_statement') out.push({ raise: n, fn });
    if (depth === 0 && n.type === 'call') {
      const f = n.childForFieldName('function');
      const b = f?.type === 'identifier' ? lookup(f.text, fn.scope, f) : undefined;
      if (b?.kind === 'def' && b.fn !== fn && b.fn.module === fn.module) out.push(...raisesOf(b.fn, 1));
    }
    for (const c of n.namedChildren) if (c) visit(c);
  };
  const body = fn.node.childForFieldName('body');
  if (body) for (const c of body.namedChildren) if (c) visit(c);
  return out;
}

/** Tasks handed to a pool or executor whose worker raises an exception that cannot be re-created in the parent. */
export function checkRaisedExceptions(model: ModuleModel, sinks: Sink[], ev: Evaluator): Finding[] {
  const findings: Finding[] = [];
  for (const sink of sinks) {
    if (sink.transport !== 'task') continue;
    const funcArg = sink.sent.find((s) => s.label === 'func' || s.label === 'fn');
    if (!funcArg) continue;
    const worker = ev.eval(funcArg.node, sink.call.scope);
    const target = worker.kind === 'partial' ? worker.func : worker;
    const fn = target.kind === 'function' ? target.fn : target.kind === 'method' ? target.fn : undefined;
    if (!fn || fn.local || fn.mainGuard) continue;
    for (const { raise, fn: raiser } of raisesOf(fn)) {
      const made = raise.namedChildren.find((c) => c && c.type !== 'comment');
      if (made?.type !== 'call') continue;
      const cls = ev.eval(made.childForFieldName('function')!, raiser.scope);
      if (cls.kind !== 'class') continue;
      const error = recreationError(cls.cls, ev);
      if (!error) continue;
      const executor = /Executor|run_in_executor/.test(sink.name);
      const after = executor ? '; the executor then reports BrokenProcessPool for every pending task' : "; the pool's result handler dies and the call never returns";
      findings.push({
        file: model.file,
        range: rangeOf(funcArg.node),
        rule: pyUnpicklableException.meta.id,
        severity: pyUnpicklableException.meta.defaultSeverity,
        message: `\`${fn.name}(...)\` raises \`${cls.cls.name}\`, which cannot be re-created when it is unpickled back from ${sink.name}: ${error.detail}; ${pyUnpicklableException.because} (${error.runtime}${after}); ${pyUnpicklableException.advice}`,
        path: `${fn.name}(...) → raise: ${cls.cls.name}`,
        related: [
          { file: raiser.module.file, range: rangeOf(raise), message: `${cls.cls.name} is raised here` },
          { file: error.init.module.file, range: rangeOf(error.call), message: `only these arguments become \`self.args\`` },
        ],
        // Keyword-only parameters cannot be re-passed by `__reduce__`'s positional tuple.
        fixes: [error.sig.keywordOnly.length ? undefined : exceptionReduceFix(error.init, error.sig.positional, error.sig.required)].filter((f): f is Fix => f !== undefined),
      });
      break;
    }
  }
  return findings;
}
