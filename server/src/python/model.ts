import type { Node } from './parser';

// What one Python file declares: scopes and the bindings in them (assignments, parameters,
// imports, defs, classes, `with ... as`), classes with their instance attributes, and the calls
// that might be sinks. Built in one walk over the syntax tree; evaluation happens lazily in
// resolve.ts, so a file with no sink pays only for this walk.

export type ScopeKind = 'module' | 'function' | 'class' | 'lambda';

export interface Scope {
  kind: ScopeKind;
  node: Node;
  parent?: Scope;
  module: ModuleModel;
  bindings: Map<string, Binding[]>;
  fn?: FunctionInfo;
  cls?: ClassInfo;
  /** Container writes by variable name: `name.append(v)`, `name[k] = v`, `name.update(...)`; the written value nodes. */
  writes?: Map<string, { node: Node; label: string }[]>;
  /** Attributes set on a local object from outside its class: `obj.name = value`, by variable name. */
  attrWrites?: Map<string, { node: Node; label: string; statement: Node }[]>;
  /** Names a function declares `global`: a def or class of that name inside it is a module attribute. */
  globals?: Set<string>;
}

interface BindingBase {
  name: string;
  /** The node that introduces the name (target identifier, parameter, def name...). */
  node: Node;
  scope: Scope;
}

export type Binding =
  | (BindingBase & {
      kind: 'value';
      value: Node;
      unpack: number[];
      /** `for x in value`: an element of the value. */
      iterate?: boolean;
      /** `with value as x`: what the value's `__enter__` returns. */
      enter?: boolean;
    })
  | (BindingBase & { kind: 'annotation'; type: Node })
  | (BindingBase & {
      kind: 'param';
      fn: FunctionInfo;
      /** Position in `fn.params`; `VARARGS` for `*args`, `KWARGS` for `**kwargs`. */
      index: number;
      annotation?: Node;
    })
  | (BindingBase & { kind: 'import'; module: string; member?: string; level: number; asModule: boolean })
  | (BindingBase & { kind: 'def'; fn: FunctionInfo })
  | (BindingBase & { kind: 'class'; cls: ClassInfo })
  | (BindingBase & { kind: 'opaque' });

export interface FunctionInfo {
  name: string;
  node: Node;
  nameNode: Node;
  module: ModuleModel;
  /** The scope the def statement sits in. */
  outer: Scope;
  /** The function's own scope. */
  scope: Scope;
  /** Defined inside another function: pickled as `outer.<locals>.name`, which cannot be looked up. */
  local: boolean;
  /** Defined under `if __name__ == "__main__":`: absent from a spawned child's `__mp_main__`. */
  mainGuard: boolean;
  isGenerator: boolean;
  returns: Node[];
  /** What the function yields: `yield v` (the value), `yield from it` (`from`: each element of it). */
  yields: { node: Node; from: boolean }[];
  /** Named parameters in order (keyword-only ones last); `*args` and `**kwargs` are not among them. */
  params: string[];
  /** How many of `params` a call can fill by position (those before `*args`, `*` or the end). */
  positional: number;
  /** The names of `*args` and `**kwargs`, when the function takes them. */
  varargs?: string;
  varkw?: string;
  decorators: Node[];
}

/**
 * The parameter index of `*args` and `**kwargs`: the tuple of a call's extra positional arguments
 * and the dict of its extra keyword arguments (flow.ts binds each extra argument of a caller).
 */
export const VARARGS = -2;
export const KWARGS = -3;

/**
 * `Cls.name = value`, `cls.name = value` in a classmethod, `Cls.name[k] = value`,
 * `Cls.name.append(value)`: writes of an attribute on a name that may be a class, resolved when the
 * class's attribute is read (`label` is set for a write into the container the attribute holds).
 */
export interface ClassAttrWrite {
  object: Node;
  value: Node;
  scope: Scope;
  statement: Node;
  label?: string;
}

export interface InstanceAttr {
  name: string;
  /** The `self.x` target (or the dataclass field name). */
  node: Node;
  value?: Node;
  annotation?: Node;
  unpack: number[];
  scope: Scope;
  /** The assignment statement, for related information. */
  statement: Node;
}

export interface ClassInfo {
  name: string;
  node: Node;
  nameNode: Node;
  module: ModuleModel;
  outer: Scope;
  scope: Scope;
  local: boolean;
  mainGuard: boolean;
  bases: Node[];
  methods: Map<string, FunctionInfo>;
  /** The `@...` lines above the class (`@dataclass`, `@ray.remote`). */
  decorators: Node[];
  isDataclass: boolean;
  /**
   * Classes whose `__init__` is generated from their fields, in declaration order: dataclasses,
   * attrs classes (`@attr.s`, `@define`, `@frozen`; their fields are annotated names or `attr.ib()`
   * / `field()` assignments) and `typing.NamedTuple` subclasses (a tuple of its fields).
   */
  fieldStyle?: 'dataclass' | 'attrs' | 'namedtuple';
  /** Dataclass, attrs or NamedTuple fields in declaration order. */
  fields: InstanceAttr[];
  attrs: Map<string, InstanceAttr[]>;
}

export interface CallSite {
  node: Node;
  scope: Scope;
}

export interface ModuleModel {
  file: string;
  root: Node;
  scope: Scope;
  calls: CallSite[];
  classes: ClassInfo[];
  /** `multiprocessing.set_start_method(...)` and similar calls, resolved later. */
  startMethodCalls: CallSite[];
  /** Classes registered with `copyreg.pickle(Cls, ...)`; names are resolved later. */
  copyregCalls: CallSite[];
  /**
   * Writes of attributes that change what a known object's methods make (`conn.row_factory =
   * sqlite3.Row`: its cursors then fetch `sqlite3.Row`s, which do not pickle). Kept apart from
   * `self.x` attributes because the object written to is any expression, resolved later.
   */
  shapingWrites: { target: Node; object: Node; name: string; value: Node; scope: Scope }[];
  /**
   * `obj[key] = value` and `obj.name = value` (plain assignments, any object): a Manager dict or
   * Namespace proxy pickles the value at the write (sinks.ts `proxyWriteSinks`).
   */
  itemWrites: { target: Node; object: Node; value: Node; scope: Scope; subscript: boolean }[];
  /** The scope a function, lambda or class node opens, by node id. */
  scopeOf: Map<number, Scope>;
  /** Module-level `if __name__ == "__main__":` statements. */
  mainGuards: Node[];
  /** Modules star-imported at module level (`from multiprocessing import *`), in order. */
  starImports: string[];
  /** Attribute writes on plain names (see `ClassAttrWrite`), by attribute name. */
  classAttrWrites: Map<string, ClassAttrWrite[]>;
}

/** The innermost scope containing `node`. */
export function enclosingScope(model: ModuleModel, node: Node): Scope {
  for (let n = node.parent; n; n = n.parent) {
    const s = model.scopeOf.get(n.id);
    if (s) return s;
  }
  return model.scope;
}

const pickleHooks = new Set(['__getstate__', '__reduce__', '__reduce_ex__']);
export function definesPickleHooks(cls: ClassInfo): boolean {
  for (const name of cls.methods.keys()) if (pickleHooks.has(name)) return true;
  for (const name of pickleHooks) if (cls.scope.bindings.has(name)) return true;
  return false;
}

/** `@attr.s`, `@attr.s(auto_attribs=True)`, `@attrs.define`, `@define`, `@frozen`, `@attr.mutable`... */
const attrsDecorator = /^(?:attrs?\.)?(?:s|attrs|define|mutable|frozen)\b/;

/** `attr.ib(...)`, `attrib(...)`, `attrs.field(...)`, `field(...)`: an attrs field without an annotation. */
function isAttrsField(value: Node | undefined): boolean {
  return value?.type === 'call' && /(^|\.)(ib|attrib|field)$/.test(value.childForFieldName('function')?.text ?? '');
}

function isMainGuard(cond: Node | null): boolean {
  if (!cond || cond.type !== 'comparison_operator') return false;
  const text = cond.text.replace(/\s+/g, '');
  return /^__name__==(['"])__main__\1$/.test(text) || /^(['"])__main__\1==__name__$/.test(text);
}

function addBinding(scope: Scope, b: Binding): void {
  const list = scope.bindings.get(b.name);
  if (list) list.push(b);
  else scope.bindings.set(b.name, [b]);
}

function dottedText(n: Node | null): string {
  return n ? n.text.replace(/\s+/g, '') : '';
}

/** `target = value` as a plain assignment (not unpacking, a loop target or a `with ... as`). */
function plainWrite(target: Node, value: Node): boolean {
  const p = target.parent;
  return p?.type === 'assignment' && p.childForFieldName('left')?.id === target.id && p.childForFieldName('right')?.id === value.id;
}

/** Attributes whose value decides what the object's methods return (see `shapingWrites`). */
const SHAPING_ATTRS = new Set(['row_factory']);

export function buildModuleModel(file: string, root: Node): ModuleModel {
  const model = {
    file,
    root,
    calls: [],
    classes: [],
    startMethodCalls: [],
    copyregCalls: [],
    shapingWrites: [],
    itemWrites: [],
    scopeOf: new Map(),
    mainGuards: [],
    starImports: [],
    classAttrWrites: new Map(),
  } as unknown as ModuleModel;
  const moduleScope: Scope = { kind: 'module', node: root, module: model, bindings: new Map() };
  model.scope = moduleScope;

  const newScope = (kind: ScopeKind, node: Node, parent: Scope): Scope => {
    const s: Scope = { kind, node, parent, module: model, bindings: new Map() };
    model.scopeOf.set(node.id, s);
    return s;
  };
  const inFunction = (s: Scope) => {
    for (let c: Scope | undefined = s; c; c = c.parent) if (c.kind === 'function' || c.kind === 'lambda') return true;
    return false;
  };
  // `global name` then `def name` / `class name` inside a function binds a module attribute:
  // pickle finds it by its plain name, so it is no local object, and module code may use it.
  const declaredGlobal = (s: Scope, name: string) => s.kind === 'function' && !!s.globals?.has(name);

  // The method whose first parameter is `self` (by position, whatever its name).
  const selfName = (scope: Scope): { name: string; cls: ClassInfo } | undefined => {
    const fn = scope.fn;
    if (!fn || fn.outer.kind !== 'class' || !fn.outer.cls || fn.params.length === 0) return undefined;
    if (fn.decorators.some((d) => /staticmethod|classmethod/.test(d.text))) return undefined;
    return { name: fn.params[0], cls: fn.outer.cls };
  };

  const bindTarget = (target: Node, value: Node | undefined, scope: Scope, unpack: number[], statement: Node, annotation?: Node, iterate?: boolean, enter?: boolean) => {
    switch (target.type) {
      case 'identifier':
        if (value) addBinding(scope, { kind: 'value', name: target.text, node: target, scope, value, unpack, iterate, enter });
        else if (annotation) addBinding(scope, { kind: 'annotation', name: target.text, node: target, scope, type: annotation });
        else addBinding(scope, { kind: 'opaque', name: target.text, node: target, scope });
        return;
      case 'pattern_list':
      case 'tuple_pattern':
      case 'list_pattern': {
        let i = 0;
        for (const c of target.namedChildren) {
          if (!c) continue;
          bindTarget(c, value, scope, [...unpack, i], statement, undefined, iterate, enter);
          i++;
        }
        return;
      }
      case 'attribute': {
        const obj = target.childForFieldName('object');
        const attr = target.childForFieldName('attribute');
        const self = selfName(scope);
        if (obj && attr && value && !unpack.length && SHAPING_ATTRS.has(attr.text)) model.shapingWrites.push({ target, object: obj, name: attr.text, value, scope });
        if (obj && value && plainWrite(target, value) && model.itemWrites.length < 256) model.itemWrites.push({ target, object: obj, value, scope, subscript: false });
        if (obj && attr && self && obj.type === 'identifier' && obj.text === self.name) {
          const entry: InstanceAttr = { name: attr.text, node: target, value, annotation, unpack, scope, statement };
          const list = self.cls.attrs.get(attr.text);
          if (list) list.push(entry);
          else self.cls.attrs.set(attr.text, [entry]);
        } else if (obj?.type === 'identifier' && attr && value && !unpack.length) {
          addClassAttrWrite(attr.text, { object: obj, value, scope, statement });
          // `plugin.cache = open_cache()` on a local object, from outside its class.
          scope.attrWrites ??= new Map();
          const list = scope.attrWrites.get(obj.text);
          const entry = { node: value, label: attr.text, statement };
          if (!list) scope.attrWrites.set(obj.text, [entry]);
          else if (list.length < 16) list.push(entry);
        }
        return;
      }
      case 'subscript': {
        const obj = target.childForFieldName('value');
        if (obj && value && plainWrite(target, value) && model.itemWrites.length < 256) model.itemWrites.push({ target, object: obj, value, scope, subscript: true });
        return;
      }
      default:
        return;
    }
  };

  const bindOpaque = (target: Node, scope: Scope) => {
    if (target.type === 'identifier') addBinding(scope, { kind: 'opaque', name: target.text, node: target, scope });
    else for (const c of target.namedChildren) if (c) bindOpaque(c, scope);
  };

  const bindParams = (params: Node | null, fn: FunctionInfo) => {
    if (!params) return;
    let keywordOnly = false;
    for (const p of params.namedChildren) {
      if (!p) continue;
      let nameNode: Node | null = null;
      let annotation: Node | undefined;
      switch (p.type) {
        case 'keyword_separator':
          keywordOnly = true;
          continue;
        case 'identifier':
          nameNode = p;
          break;
        case 'default_parameter':
          nameNode = p.childForFieldName('name');
          break;
        case 'typed_default_parameter':
          nameNode = p.childForFieldName('name');
          annotation = p.childForFieldName('type') ?? undefined;
          break;
        case 'list_splat_pattern':
        case 'dictionary_splat_pattern': {
          // `*args` / `**kwargs` (annotated or not): the call's extra arguments, bound per caller in flow.ts.
          const star = p.type === 'list_splat_pattern' ? 'args' : 'kwargs';
          if (star === 'args') keywordOnly = true;
          const inner = p.namedChildren.find((c) => c?.type === 'identifier') ?? null;
          if (!inner) continue;
          if (star === 'args') fn.varargs = inner.text;
          else fn.varkw = inner.text;
          addBinding(fn.scope, { kind: 'param', name: inner.text, node: inner, scope: fn.scope, fn, index: star === 'args' ? VARARGS : KWARGS });
          continue;
        }
        case 'typed_parameter': {
          nameNode = p.namedChildren.find((c) => c?.type === 'identifier') ?? null;
          annotation = p.childForFieldName('type') ?? undefined;
          // `*args: int` / `**kwargs: Any` parse as typed parameters around a splat pattern.
          const splat = p.namedChildren.find((c) => c?.type === 'list_splat_pattern' || c?.type === 'dictionary_splat_pattern');
          if (!nameNode && splat) {
            const inner = splat.namedChildren.find((c) => c?.type === 'identifier');
            if (!inner) continue;
            const isArgs = splat.type === 'list_splat_pattern';
            if (isArgs) {
              keywordOnly = true;
              fn.varargs = inner.text;
            } else fn.varkw = inner.text;
            addBinding(fn.scope, { kind: 'param', name: inner.text, node: inner, scope: fn.scope, fn, index: isArgs ? VARARGS : KWARGS });
            continue;
          }
          break;
        }
        default:
          continue;
      }
      if (!nameNode || nameNode.type !== 'identifier') continue;
      const index = fn.params.length;
      fn.params.push(nameNode.text);
      if (!keywordOnly) fn.positional = fn.params.length;
      addBinding(fn.scope, { kind: 'param', name: nameNode.text, node: nameNode, scope: fn.scope, fn, index, annotation });
    }
  };

  const walk = (node: Node, scope: Scope, mainGuard: boolean, decorators: Node[] = []): void => {
    switch (node.type) {
      case 'decorated_definition': {
        const decs = node.namedChildren.filter((c): c is Node => c?.type === 'decorator');
        for (const d of decs) walk(d, scope, mainGuard);
        const def = node.childForFieldName('definition');
        if (def) walk(def, scope, mainGuard, decs);
        return;
      }
      case 'function_definition': {
        const nameNode = node.childForFieldName('name');
        if (!nameNode) break;
        const fn: FunctionInfo = {
          name: nameNode.text,
          node,
          nameNode,
          module: model,
          outer: scope,
          scope: undefined as unknown as Scope,
          local: inFunction(scope) && !declaredGlobal(scope, nameNode.text),
          mainGuard,
          isGenerator: false,
          returns: [],
          yields: [],
          params: [],
          positional: 0,
          decorators,
        };
        fn.scope = newScope('function', node, scope);
        fn.scope.fn = fn;
        addBinding(scope, { kind: 'def', name: fn.name, node: nameNode, scope, fn });
        if (declaredGlobal(scope, fn.name)) addBinding(moduleScope, { kind: 'def', name: fn.name, node: nameNode, scope: moduleScope, fn });
        if (scope.kind === 'class' && scope.cls) scope.cls.methods.set(fn.name, fn);
        const params = node.childForFieldName('parameters');
        bindParams(params, fn);
        if (params) for (const p of params.namedChildren) if (p) walkDefaults(p, scope, mainGuard);
        const body = node.childForFieldName('body');
        if (body) walk(body, fn.scope, false);
        return;
      }
      case 'class_definition': {
        const nameNode = node.childForFieldName('name');
        if (!nameNode) break;
        const supers = node.childForFieldName('superclasses');
        const cls: ClassInfo = {
          name: nameNode.text,
          node,
          nameNode,
          module: model,
          outer: scope,
          scope: undefined as unknown as Scope,
          local: inFunction(scope) && !declaredGlobal(scope, nameNode.text),
          mainGuard,
          bases: supers ? supers.namedChildren.filter((c): c is Node => !!c && c.type !== 'keyword_argument') : [],
          methods: new Map(),
          decorators,
          isDataclass: decorators.some((d) => /\bdataclass\b/.test(d.text)),
          fields: [],
          attrs: new Map(),
        };
        if (cls.isDataclass) cls.fieldStyle = 'dataclass';
        else if (decorators.some((d) => attrsDecorator.test(d.text.slice(1).trim()))) cls.fieldStyle = 'attrs';
        else if (cls.bases.some((b) => /(^|\.)NamedTuple$/.test(b.text))) cls.fieldStyle = 'namedtuple';
        cls.scope = newScope('class', node, scope);
        cls.scope.cls = cls;
        model.classes.push(cls);
        addBinding(scope, { kind: 'class', name: cls.name, node: nameNode, scope, cls });
        if (declaredGlobal(scope, cls.name)) addBinding(moduleScope, { kind: 'class', name: cls.name, node: nameNode, scope: moduleScope, cls });
        if (supers) walk(supers, scope, mainGuard);
        const body = node.childForFieldName('body');
        if (body) walk(body, cls.scope, mainGuard);
        return;
      }
      case 'lambda': {
        const s = newScope('lambda', node, scope);
        const params = node.childForFieldName('parameters');
        if (params) for (const p of params.namedChildren) if (p) bindOpaque(p.type === 'default_parameter' ? (p.childForFieldName('name') ?? p) : p, s);
        const body = node.childForFieldName('body');
        if (body) walk(body, s, false);
        return;
      }
      case 'assignment': {
        // `a = b = v`: every target gets the innermost right-hand side.
        const targets: Node[] = [];
        let cur: Node = node;
        let type: Node | undefined;
        let value: Node | undefined;
        for (;;) {
          const left = cur.childForFieldName('left');
          if (left) targets.push(left);
          type ??= cur.childForFieldName('type') ?? undefined;
          const right = cur.childForFieldName('right');
          if (right && right.type === 'assignment') {
            cur = right;
            continue;
          }
          value = right ?? undefined;
          break;
        }
        const annotation = type?.namedChildren[0] ?? undefined;
        for (const t of targets) {
          // `d[k] = v` writes into the container `d` holds.
          const obj = t.type === 'subscript' ? t.childForFieldName('value') : undefined;
          if (obj?.type === 'identifier' && value) addWrite(scope, obj.text, value, `[${t.childForFieldName('subscript')?.text ?? 'k'}]`);
          // `Cls._registry[name] = obj`: a write into the container a class attribute holds.
          const held = obj?.type === 'attribute' ? obj.childForFieldName('object') : undefined;
          const heldName = obj?.type === 'attribute' ? obj.childForFieldName('attribute')?.text : undefined;
          if (held?.type === 'identifier' && heldName && value)
            addClassAttrWrite(heldName, { object: held, value, scope, statement: node, label: `[${t.childForFieldName('subscript')?.text ?? 'k'}]` });
          bindTarget(t, value, scope, [], node, annotation);
          if (scope.kind === 'class' && scope.cls?.fieldStyle && t.type === 'identifier' && (annotation || (scope.cls.fieldStyle === 'attrs' && isAttrsField(value)))) {
            scope.cls.fields.push({ name: t.text, node: t, value, annotation, unpack: [], scope, statement: node });
          }
        }
        if (value) walk(value, scope, mainGuard);
        if (type) walk(type, scope, mainGuard);
        return;
      }
      case 'named_expression': {
        const name = node.childForFieldName('name');
        const value = node.childForFieldName('value');
        if (name && value) addBinding(scope, { kind: 'value', name: name.text, node: name, scope, value, unpack: [] });
        if (value) walk(value, scope, mainGuard);
        return;
      }
      case 'with_item': {
        const v = node.childForFieldName('value');
        if (v && v.type === 'as_pattern') {
          const expr = v.namedChildren[0];
          const alias = v.childForFieldName('alias');
          const target = alias?.namedChildren[0];
          if (expr && target) bindTarget(target, expr, scope, [], node, undefined, false, true);
          if (expr) walk(expr, scope, mainGuard);
          return;
        }
        break;
      }
      case 'for_statement':
      case 'for_in_clause': {
        // The loop variable is an element of what is iterated (known when that is a container).
        const left = node.childForFieldName('left');
        const right = node.childForFieldName('right');
        if (left && right && (left.type === 'identifier' || left.type === 'pattern_list' || left.type === 'tuple_pattern')) bindTarget(left, right, scope, [], node, undefined, true);
        else if (left) bindOpaque(left, scope);
        break;
      }
      case 'except_clause': {
        for (const c of node.namedChildren) if (c?.type === 'as_pattern') {
          const t = c.childForFieldName('alias')?.namedChildren[0];
          if (t) bindOpaque(t, scope);
        }
        break;
      }
      case 'import_statement': {
        for (const n of node.childrenForFieldName('name')) {
          if (!n) continue;
          if (n.type === 'aliased_import') {
            const full = dottedText(n.childForFieldName('name'));
            const alias = n.childForFieldName('alias');
            if (alias) addBinding(scope, { kind: 'import', name: alias.text, node: alias, scope, module: full, level: 0, asModule: true });
          } else {
            const full = dottedText(n);
            const first = full.split('.')[0];
            addBinding(scope, { kind: 'import', name: first, node: n, scope, module: first, level: 0, asModule: true });
          }
        }
        return;
      }
      case 'import_from_statement': {
        const modNode = node.childForFieldName('module_name');
        let level = 0;
        let moduleName = '';
        if (modNode?.type === 'relative_import') {
          const prefix = modNode.namedChildren.find((c) => c?.type === 'import_prefix');
          level = prefix ? prefix.text.length : 1;
          moduleName = dottedText(modNode.namedChildren.find((c) => c?.type === 'dotted_name') ?? null);
        } else moduleName = dottedText(modNode);
        if (level === 0 && node.namedChildren.some((c) => c.type === 'wildcard_import')) model.starImports.push(moduleName);
        for (const n of node.childrenForFieldName('name')) {
          if (!n) continue;
          const member = dottedText(n.type === 'aliased_import' ? n.childForFieldName('name') : n);
          const local = n.type === 'aliased_import' ? n.childForFieldName('alias') : n;
          if (!local) continue;
          addBinding(scope, { kind: 'import', name: local.text, node: local, scope, module: moduleName, member, level, asModule: false });
        }
        return;
      }
      case 'if_statement': {
        if (scope.kind === 'module' && isMainGuard(node.childForFieldName('condition'))) {
          model.mainGuards.push(node);
          for (const c of node.namedChildren) if (c) walk(c, scope, c.type === 'block' ? true : mainGuard);
          return;
        }
        break;
      }
      case 'global_statement':
        if (scope.kind === 'function') {
          scope.globals ??= new Set();
          for (const c of node.namedChildren) if (c?.type === 'identifier') scope.globals.add(c.text);
        }
        return;
      case 'yield':
        if (scope.fn) {
          scope.fn.isGenerator = true;
          const v = node.namedChildren.find((c) => c && c.type !== 'comment');
          if (v && scope.fn.yields.length < 8) scope.fn.yields.push({ node: v, from: /^yield\s+from\b/.test(node.text) });
        }
        break;
      case 'return_statement':
        if (scope.fn) {
          const v = node.namedChildren[0];
          if (v) scope.fn.returns.push(v);
        }
        break;
      case 'call': {
        model.calls.push({ node, scope });
        recordWrite(node, scope);
        const fnText = node.childForFieldName('function')?.text ?? '';
        if (/set_start_method$/.test(fnText)) model.startMethodCalls.push({ node, scope });
        if (/(^|\.)pickle$/.test(fnText)) model.copyregCalls.push({ node, scope });
        break;
      }
      default:
        break;
    }
    for (const c of node.namedChildren) if (c) walk(c, scope, mainGuard);
  };

  const addWrite = (scope: Scope, name: string, node: Node, label: string) => {
    scope.writes ??= new Map();
    const list = scope.writes.get(name);
    if (list) {
      if (list.length < 16) list.push({ node, label });
    } else scope.writes.set(name, [{ node, label }]);
  };
  const addClassAttrWrite = (name: string, w: ClassAttrWrite) => {
    const list = model.classAttrWrites.get(name);
    if (!list) model.classAttrWrites.set(name, [w]);
    else if (list.length < 16) list.push(w);
  };
  const recordWrite = (call: Node, scope: Scope) => {
    const f = call.childForFieldName('function');
    // `exec(source, namespace)` (or `exec(source, globals, namespace)`) defines into that dict:
    // the call itself stands for what it defines (knowledge.ts `builtins.exec`).
    if (f?.type === 'identifier' && f.text === 'exec') {
      const args = call.childForFieldName('arguments')?.namedChildren.filter((c): c is Node => !!c && c.type !== 'comment') ?? [];
      const ns = args[2] ?? args[1];
      if (ns?.type === 'identifier') addWrite(scope, ns.text, call, '[exec]');
      return;
    }
    if (f?.type !== 'attribute') return;
    const obj = f.childForFieldName('object');
    const method = f.childForFieldName('attribute')?.text;
    // `Cls._handlers.append(h)`: a write into the container a class attribute holds.
    const held = obj?.type === 'attribute' ? obj.childForFieldName('object') : undefined;
    const heldName = obj?.type === 'attribute' ? obj.childForFieldName('attribute')?.text : undefined;
    if (held?.type === 'identifier' && heldName && (method === 'append' || method === 'add')) {
      const first = call.childForFieldName('arguments')?.namedChildren.find((c) => c && c.type !== 'comment');
      if (first && first.type !== 'keyword_argument' && first.type !== 'list_splat') addClassAttrWrite(heldName, { object: held, value: first, scope, statement: call, label: '[i]' });
    }
    if (obj?.type !== 'identifier' || !method) return;
    const args = call.childForFieldName('arguments')?.namedChildren.filter((c): c is Node => !!c && c.type !== 'comment') ?? [];
    if ((method === 'append' || method === 'add') && args[0] && args[0].type !== 'keyword_argument') addWrite(scope, obj.text, args[0], '[i]');
    else if (method === 'insert' && args[1]) addWrite(scope, obj.text, args[1], '[i]');
    else if (method === 'setdefault' && args[1]) addWrite(scope, obj.text, args[1], `[${args[0]?.text ?? 'k'}]`);
    else if (method === 'update')
      for (const a of args) {
        if (a.type === 'keyword_argument') {
          const v = a.childForFieldName('value');
          if (v) addWrite(scope, obj.text, v, `[${a.childForFieldName('name')?.text ?? 'k'}]`);
        } else if (a.type === 'dictionary')
          for (const pair of a.namedChildren) {
            const v = pair?.type === 'pair' ? pair.childForFieldName('value') : undefined;
            if (v) addWrite(scope, obj.text, v, `[${pair!.childForFieldName('key')?.text ?? 'k'}]`);
          }
      }
  };

  // Parameter defaults and annotations are evaluated in the enclosing scope.
  const walkDefaults = (p: Node, scope: Scope, mainGuard: boolean) => {
    const v = p.childForFieldName('value');
    if (v) walk(v, scope, mainGuard);
  };

  walk(root, moduleScope, false);
  return model;
}
