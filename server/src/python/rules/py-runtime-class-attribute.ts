import * as path from 'node:path';
import type { Finding } from '../../engine/types';
import { definesPickleHooks, enclosingScope, type ClassInfo, type FunctionInfo, type ModuleModel, type Scope } from '../model';
import type { Node } from '../parser';
import { rangeOf } from '../ranges';
import { callArgs, classChain, type Evaluator, type Value } from '../resolve';
import type { Sink } from '../sinks';
import { classAttributeInitializerFix } from '../fixes';
import { pyRule } from './types';
import { allNodes, bodyNodes, bodyOf, instancesIn, methodReads } from './worker-calls';

// An instance pickles its own `__dict__` and a reference to its class, never the class's
// attributes. A spawn or forkserver child imports the class afresh, so a class attribute the
// parent changed at run time (`Exporter.compress = True` in main(), from a command-line flag) has
// its class-body default there. Under fork the child inherits the parent's class and sees the
// change. Reported when the parent assigns the class attribute where an import would not (inside a
// function, or under the main guard), no instance attribute shadows it, and the class's methods or
// the worker function read it.

export const pyRuntimeClassAttribute = pyRule(
  'py-runtime-class-attribute',
  'A class attribute changed at run time in the parent is read in a spawn/forkserver child, which imports the class afresh and sees the default.',
  'a spawned (or forkserver) child imports the class again from its module; instances carry only their own attributes, so a class attribute the parent changed at run time has its class-body value there',
  'make it instance state (set `self.<name>` in `__init__`, e.g. from a constructor argument), pass it with the task, or set it in each worker with a Pool `initializer`',
  () => [],
  'warning',
);

interface ClassAssignment {
  cls: ClassInfo;
  attr: string;
  statement: Node;
  scope: Scope;
  module: ModuleModel;
}

const cache = new WeakMap<Evaluator, Map<ModuleModel, ClassAssignment[]>>();
/** Assignments made by functions that run in the child too (a Pool `initializer`), by module. */
const inChild = new WeakMap<Evaluator, Map<ModuleModel, ClassAssignment[]>>();

function within(inner: Node, outer: Node): boolean {
  return inner.startIndex >= outer.startIndex && inner.endIndex <= outer.endIndex;
}

/** The function is called while the module is imported (a module-level call outside the main guard): a child runs it too. */
function runsOnImport(fn: FunctionInfo, model: ModuleModel): boolean {
  return model.calls.some((c) => {
    if (c.scope !== model.scope || model.mainGuards.some((g) => within(c.node, g))) return false;
    const f = c.node.childForFieldName('function');
    return f?.type === 'identifier' && f.text === fn.name;
  });
}

/** The function is handed over as a value (`initializer=setup`, `target=configure`), so it may run in the child too. */
function passedAsValue(name: string, model: ModuleModel): boolean {
  for (const n of allNodes(model.root)) {
    if (n.type !== 'identifier' || n.text !== name) continue;
    const p = n.parent;
    if (!p) continue;
    if (p.type === 'call' && p.childForFieldName('function')?.id === n.id) continue;
    if ((p.type === 'function_definition' || p.type === 'class_definition') && p.childForFieldName('name')?.id === n.id) continue;
    if (p.type === 'keyword_argument' && p.childForFieldName('name')?.id === n.id) continue;
    if (p.type === 'attribute' || p.type === 'import_from_statement' || p.type === 'dotted_name' || p.type === 'aliased_import') continue;
    return true;
  }
  return false;
}

/** A Pool initializer (or anything handed over as a callable), or a function such a callable calls: it runs in the child as well. */
function mayRunInChild(fn: FunctionInfo, model: ModuleModel): boolean {
  if (passedAsValue(fn.name, model)) return true;
  // One level up: `def init(): configure()` with `initializer=init`.
  for (const c of model.calls) {
    const f = c.node.childForFieldName('function');
    const caller = c.scope.fn;
    if (f?.type === 'identifier' && f.text === fn.name && caller && caller !== fn && passedAsValue(caller.name, model)) return true;
  }
  return false;
}

/** `Cls.attr = v` (and `+=`, `setattr(Cls, "attr", v)`) executed at run time, not while the module is imported. */
function classAssignments(model: ModuleModel, ev: Evaluator): ClassAssignment[] {
  let byModule = cache.get(ev);
  if (!byModule) cache.set(ev, (byModule = new Map()));
  const hit = byModule.get(model);
  if (hit) return hit;
  const out: ClassAssignment[] = [];
  byModule.set(model, out);
  let childByModule = inChild.get(ev);
  if (!childByModule) inChild.set(ev, (childByModule = new Map()));
  const child: ClassAssignment[] = [];
  childByModule.set(model, child);
  for (const n of allNodes(model.root)) {
    let target: Node | undefined;
    let attr: string | undefined;
    if ((n.type === 'assignment' || n.type === 'augmented_assignment') && n.childForFieldName('left')?.type === 'attribute') {
      const left = n.childForFieldName('left')!;
      target = left.childForFieldName('object') ?? undefined;
      attr = left.childForFieldName('attribute')?.text;
    } else if (n.type === 'call' && n.childForFieldName('function')?.text === 'setattr') {
      const [obj, name] = callArgs(n).positional;
      const literal = name?.type === 'string' ? /^['"](\w+)['"]$/.exec(name.text) : null;
      if (obj && literal) {
        target = obj;
        attr = literal[1];
      }
    }
    if (!target || !attr || (target.type !== 'identifier' && target.type !== 'attribute')) continue;
    const scope = enclosingScope(model, n);
    if (scope.kind === 'class' || scope.kind === 'lambda') continue;
    if (scope.kind === 'module' && !model.mainGuards.some((g) => within(n, g))) continue;
    const runsInChild = scope.kind === 'function' && scope.fn && mayRunInChild(scope.fn, model);
    if (scope.kind === 'function' && scope.fn && (runsOnImport(scope.fn, model) || runsInChild)) {
      const v = runsInChild ? ev.eval(target, scope) : undefined;
      if (v?.kind === 'class') child.push({ cls: v.cls, attr, statement: n, scope, module: model });
      continue;
    }
    const v = ev.eval(target, scope);
    if (v.kind !== 'class') continue;
    out.push({ cls: v.cls, attr, statement: n, scope, module: model });
  }
  return out;
}

/** A read of `Cls.attr` (or `self.attr`, `cls.attr` in a method of the class) in the function's body. */
function readsClassAttr(fn: FunctionInfo, a: ClassAssignment, ev: Evaluator, viaSelf: boolean): Node | undefined {
  if (viaSelf) {
    const r = methodReads(fn, new Set([a.attr]));
    if (r) return r;
  }
  for (const n of bodyNodes(bodyOf(fn))) {
    if (n.type !== 'attribute' || n.childForFieldName('attribute')?.text !== a.attr) continue;
    const parent = n.parent;
    if (parent?.type === 'assignment' && parent.childForFieldName('left')?.id === n.id) continue;
    const obj = n.childForFieldName('object');
    if (!obj || obj.type !== 'identifier') continue;
    const v = ev.eval(obj, fn.scope);
    if (v.kind === 'class' && v.cls === a.cls) return n;
  }
  return undefined;
}

/** A function of the sending module that runs in each worker (a Pool `initializer`) sets the attribute there too. */
function setInWorkers(a: ClassAssignment, sink: Sink, ev: Evaluator): boolean {
  const model = sink.call.scope.module;
  classAssignments(model, ev);
  return (inChild.get(ev)?.get(model) ?? []).some((c) => c.cls === a.cls && c.attr === a.attr);
}

function assignedBeforeSend(a: ClassAssignment, sink: Sink): boolean {
  // In the same function, only an assignment made before the call changes what the child misses.
  if (a.scope === sink.call.scope && a.module === sink.call.scope.module) return a.statement.startIndex < sink.call.node.startIndex;
  return true;
}

export function checkRuntimeClassAttribute(model: ModuleModel, ev: Evaluator, sinks: Sink[]): Finding[] {
  const findings: Finding[] = [];
  for (const sink of sinks) {
    if (sink.method === 'fork' || (sink.transport !== 'spawn-args' && sink.transport !== 'task')) continue;
    for (const sent of sink.sent) {
      const v = ev.eval(sent.node, sink.call.scope);
      const hit = instanceHit(v, model, ev, sink) ?? functionHit(v, model, ev, sink);
      if (!hit) continue;
      const { a, read, holder } = hit;
      const at = `${path.basename(a.module.file)}:${a.statement.startPosition.row + 1}`;
      findings.push({
        file: model.file,
        range: rangeOf(sent.node),
        rule: pyRuntimeClassAttribute.meta.id,
        severity: pyRuntimeClassAttribute.meta.defaultSeverity,
        message: `\`${sent.label}\` ${holder}, sent by ${sink.name} to a ${sink.method} child; \`${a.cls.name}.${a.attr}\` is changed at run time in the parent (${at}) and read in the child (\`${read.text}\`): ${pyRuntimeClassAttribute.because} (no error: the child silently uses the default); ${pyRuntimeClassAttribute.advice}`,
        path: `${sent.label} → ${a.cls.name}.${a.attr} (class attribute, not pickled)`,
        related: [
          { file: a.module.file, range: rangeOf(a.statement), message: `\`${a.cls.name}.${a.attr}\` is changed here, in the parent only` },
          { file: hit.readModule.file, range: rangeOf(read), message: 'the child reads it here' },
        ],
        fixes: [classAttributeInitializerFix(sink, a.cls, a.attr, a, ev)].filter((f) => f !== undefined),
      });
    }
  }
  return findings;
}

interface Hit {
  a: ClassAssignment;
  read: Node;
  readModule: ModuleModel;
  holder: string;
}

function instanceHit(v: Value, model: ModuleModel, ev: Evaluator, sink: Sink): Hit | undefined {
  const found: Extract<Value, { kind: 'instance' }>[] = [];
  instancesIn(v, found);
  for (const inst of found) {
    const chain = classChain(inst.cls, ev);
    if (chain.some(definesPickleHooks)) continue;
    const modules = new Set([model, ...chain.map((c) => c.module)]);
    for (const m of modules)
      for (const a of classAssignments(m, ev)) {
        if (!chain.includes(a.cls) || !assignedBeforeSend(a, sink) || setInWorkers(a, sink, ev)) continue;
        // An instance attribute of that name shadows the class attribute and travels with the object.
        if (chain.some((c) => c.attrs.has(a.attr) || c.fields.some((f) => f.name === a.attr))) continue;
        for (const c of chain)
          for (const fn of c.methods.values()) {
            if (lazilySet(fn, a)) continue;
            const read = readsClassAttr(fn, a, ev, true);
            if (read) return { a, read, readModule: c.module, holder: `holds an instance of \`${inst.cls.name}\`` };
          }
      }
  }
  return undefined;
}

/**
 * A classmethod that sets the attribute it reads (`if cls._instance is None: cls._instance =
 * cls()`): a lazy singleton, which the child makes for itself when it asks; nothing the parent set
 * is missed.
 */
function lazilySet(fn: FunctionInfo, a: ClassAssignment): boolean {
  return a.scope.fn === fn && fn.decorators.some((d) => /\bclassmethod\b/.test(d.text));
}

/** A module function sent to the child that reads `Cls.attr` itself. */
function functionHit(v: Value, model: ModuleModel, ev: Evaluator, sink: Sink): Hit | undefined {
  const fn = v.kind === 'function' ? v.fn : v.kind === 'partial' && v.func.kind === 'function' ? v.func.fn : undefined;
  if (!fn || fn.local || fn.outer.kind === 'class') return undefined;
  for (const m of new Set([model, fn.module]))
    for (const a of classAssignments(m, ev)) {
      if (!assignedBeforeSend(a, sink) || definesPickleHooks(a.cls) || setInWorkers(a, sink, ev)) continue;
      const read = readsClassAttr(fn, a, ev, false);
      if (read) return { a, read, readModule: fn.module, holder: `is \`${fn.name}\`, which reads a class attribute` };
    }
  return undefined;
}
