import * as ts from 'typescript';
import { isLibraryFile, literalMemberWrites, originOf } from './origin';

// A Proxy has the type of its target, so the type walk cannot tell it from the plain object: a
// proxy is recognised by where the value comes from. Two questions, kept apart so that value flow
// can ask the first of every origin it finds:
//   proxyCreatedBy(node)  does evaluating this origin create a proxy? (`reactive(x)`, `$state(x)`,
//                         `new Proxy(t, h)`, a user factory returning one)
//   proxyOfType(type)     is every value of this type a proxy, whatever its origin? (a Pinia
//                         store, the `.value` of a Vue ref holding an object)
// Until the value-flow module answers "where can this come from?", localOrigins follows what one
// file shows: const/let initializers and reassignments, destructuring, class fields, the returns
// of user functions (composables, store factories), conditionals.

export type ProxyFramework = 'vue' | 'pinia' | 'svelte' | 'mobx' | 'user';

export interface ProxyKind {
  framework: ProxyFramework;
  /** How the proxy is named in messages: `a Vue reactive() proxy`, `a Svelte $state proxy`. */
  what: string;
  /** Reading an object member through it yields a proxy too (Vue's deep reactivity, Svelte's deep state). */
  deep: boolean;
  /** Where the proxy is created (or the expression whose type says it is one). */
  created: ts.Node;
  /** The whole Pinia store (actions and refs included), not one of its state objects. */
  store?: boolean;
}

export interface ProxySighting {
  /** Access path from the sent value (`''` when the value itself is the proxy). */
  path: string;
  kind: ProxyKind;
  /** The deep proxy a spread in the sent literal copies this member from (`form` in `{ ...form }`). */
  spreadFrom?: ts.Expression;
  /** The expression in the sent value that evaluates to the proxy (`current` in `[current, previous]`). */
  at?: ts.Expression;
}

const vueModules = new Set(['vue', '@vue/reactivity', '@vue/runtime-core', '@vue/runtime-dom']);
const vueCreators: Record<string, { deep: boolean; what: string }> = {
  reactive: { deep: true, what: 'a Vue reactive() proxy' },
  readonly: { deep: true, what: 'a Vue readonly() proxy' },
  shallowReactive: { deep: false, what: 'a Vue shallowReactive() proxy' },
  shallowReadonly: { deep: false, what: 'a Vue shallowReadonly() proxy' },
};
// Vue proxies plain objects, arrays and collections; other built-ins (Date, RegExp, Promise...) stay raw.
const vueProxiedLibraryTypes = new Set(['Array', 'ReadonlyArray', 'Map', 'Set', 'WeakMap', 'WeakSet', 'ReadonlyMap', 'ReadonlySet', 'Object']);
const maxHops = 6;

function skip(e: ts.Expression): ts.Expression {
  while (ts.isParenthesizedExpression(e) || ts.isAsExpression(e) || ts.isNonNullExpression(e) || ts.isSatisfiesExpression(e) || ts.isTypeAssertionExpression(e) || ts.isAwaitExpression(e)) e = e.expression;
  return e;
}

/** A `.svelte.js` / `.svelte.ts` module, where `$state` is Svelte's rune (the `$` prefix is reserved there). */
export function isSvelteModule(sf: ts.SourceFile): boolean {
  return /\.svelte\.[cm]?[jt]s$/.test(sf.fileName);
}

function safeType(checker: ts.TypeChecker, node: ts.Node): ts.Type | undefined {
  try {
    return checker.getTypeAtLocation(node);
  } catch {
    return undefined;
  }
}

/** Whether a value of `type` is an object the framework wraps in a proxy when it is reached through one. */
export function proxiedByFramework(type: ts.Type, framework: ProxyFramework, checker: ts.TypeChecker, program: ts.Program): boolean {
  const t = checker.getNonNullableType(type);
  if (t.isUnion()) return t.types.some((part) => proxiedByFramework(part, framework, checker, program));
  if (t.flags & (ts.TypeFlags.Any | ts.TypeFlags.Unknown)) return false;
  if (!(t.flags & (ts.TypeFlags.Object | ts.TypeFlags.Intersection))) return false;
  if (t.getCallSignatures().length || t.getConstructSignatures().length) return false;
  const sym = t.getSymbol();
  const decl = sym?.declarations?.[0];
  const library = decl ? isLibraryFile(program, decl.getSourceFile()) : false;
  const isArray = checker.isArrayType(t) || checker.isTupleType(t);
  if (isArray) return true;
  // A named library class or interface is a built-in or a library object; a mapped or anonymous type (Vue's UnwrapRef) is plain data.
  const namedLibraryType = library && !!sym && (sym.flags & (ts.SymbolFlags.Class | ts.SymbolFlags.Interface)) !== 0;
  // Svelte proxies plain objects and arrays only: class instances, Map, Date... keep their identity.
  // MobX (6, proxies on) likewise makes plain objects and arrays Proxies; a Map/Set becomes an
  // ObservableMap/Set (no Proxy) and a class instance is left alone.
  if (framework === 'svelte' || framework === 'mobx') return !namedLibraryType && !(sym && sym.flags & ts.SymbolFlags.Class);
  return !namedLibraryType || vueProxiedLibraryTypes.has(sym!.getName());
}

function calleeOrigin(call: ts.CallExpression, checker: ts.TypeChecker, program: ts.Program) {
  let sig: ts.Signature | undefined;
  try {
    sig = checker.getResolvedSignature(call);
  } catch {
    return undefined;
  }
  const decl = sig?.declaration;
  return decl ? { decl, origin: originOf(program, decl) } : undefined;
}

/** The origin predicate: does evaluating `node` create a proxy? */
export function proxyCreatedBy(node: ts.Expression, checker: ts.TypeChecker, program: ts.Program): ProxyKind | undefined {
  const e = skip(node);
  if (ts.isNewExpression(e) && ts.isIdentifier(e.expression) && e.expression.text === 'Proxy') {
    const decl = checker.getSymbolAtLocation(e.expression)?.declarations?.[0];
    return decl && isLibraryFile(program, decl.getSourceFile()) ? { framework: 'user', what: 'a Proxy', deep: false, created: e } : undefined;
  }
  if (!ts.isCallExpression(e)) return undefined;
  const sf = e.getSourceFile();
  // `$state(x)` / `this.todos = $state([])`; `$state.raw(x)` is not proxied.
  if (isSvelteModule(sf) && ts.isIdentifier(e.expression) && e.expression.text === '$state' && e.arguments[0]) {
    const t = safeType(checker, e.arguments[0]);
    return t && proxiedByFramework(t, 'svelte', checker, program) ? { framework: 'svelte', what: 'a Svelte $state proxy', deep: true, created: e } : undefined;
  }
  const callee = calleeOrigin(e, checker, program);
  const o = callee?.origin;
  if (o && vueModules.has(o.module) && o.container === '') {
    const creator = vueCreators[o.name];
    if (creator) return { framework: 'vue', ...creator, created: e };
  }
  // MobX `observable(x)`, `observable.object(x)`, `observable.array(x)`: a deep Proxy of x.
  const made = mobxName(e.expression, checker);
  if ((made === 'observable' || made === 'observable.object' || made === 'observable.array' || made === 'observable.deep' || made === 'observable.struct') && e.arguments[0]) {
    const t = safeType(checker, e.arguments[0]);
    if (t && !(t.flags & ts.TypeFlags.Any) && !proxiedByFramework(t, 'mobx', checker, program)) return undefined;
    return { framework: 'mobx', what: 'a MobX observable (a Proxy)', deep: true, created: e };
  }
  return undefined;
}

/**
 * The MobX export an expression names (`observable`, `observable.ref`, `makeAutoObservable`), by
 * its typings or, where mobx is not installed, by the import or require that binds it.
 */
export function mobxName(expr: ts.Expression, checker: ts.TypeChecker): string | undefined {
  const e = skip(expr);
  if (ts.isPropertyAccessExpression(e)) {
    const base = mobxName(e.expression, checker);
    // `mobx.observable` through a namespace import names the member itself.
    if (base === '*') return e.name.text;
    return base && base !== '*' ? `${base}.${e.name.text}` : undefined;
  }
  if (!ts.isIdentifier(e)) return undefined;
  let sym: ts.Symbol | undefined;
  try {
    sym = checker.getSymbolAtLocation(e);
  } catch {
    return undefined;
  }
  for (const d of sym?.declarations ?? []) {
    if (ts.isImportSpecifier(d)) {
      const from = d.parent.parent.parent.moduleSpecifier;
      if (ts.isStringLiteral(from) && from.text === 'mobx') return (d.propertyName ?? d.name).text;
    }
    if (ts.isNamespaceImport(d)) {
      const from = d.parent.parent.moduleSpecifier;
      if (ts.isStringLiteral(from) && from.text === 'mobx') return '*';
    }
    // `const { makeAutoObservable } = require('mobx')`
    if (ts.isBindingElement(d) && ts.isObjectBindingPattern(d.parent) && ts.isVariableDeclaration(d.parent.parent)) {
      const init = d.parent.parent.initializer && skip(d.parent.parent.initializer);
      if (init && ts.isCallExpression(init) && ts.isIdentifier(init.expression) && init.expression.text === 'require' && init.arguments[0] && ts.isStringLiteral(init.arguments[0]) && init.arguments[0].text === 'mobx') {
        const key = d.propertyName ?? d.name;
        if (ts.isIdentifier(key)) return key.text;
      }
    }
  }
  return undefined;
}

/**
 * A field of a class whose constructor calls `makeAutoObservable(this, overrides?)` or
 * `makeObservable(this, annotations)`: MobX replaces the field by an accessor whose value is a
 * deep Proxy of the plain object or array stored in it (shallow for `observable.shallow`; none
 * for `observable.ref`, `false`, or a field makeObservable does not annotate).
 */
function mobxField(access: ts.PropertyAccessExpression, checker: ts.TypeChecker, program: ts.Program): ProxyKind | undefined {
  let sym: ts.Symbol | undefined;
  try {
    sym = checker.getSymbolAtLocation(access.name);
  } catch {
    return undefined;
  }
  const decl = sym?.valueDeclaration;
  if (!decl || isLibraryFile(program, decl.getSourceFile())) return undefined;
  // A TS field, or in JS a `this.x = ...` the constructor assigns.
  if (!ts.isPropertyDeclaration(decl) && !(ts.isPropertyAccessExpression(decl) || ts.isBinaryExpression(decl))) return undefined;
  const cls = ts.findAncestor(decl, ts.isClassLike);
  const ctor = cls?.members.find((m): m is ts.ConstructorDeclaration => ts.isConstructorDeclaration(m) && !!m.body);
  if (!ctor?.body) return undefined;
  const name = access.name.text;
  // Assigned in the visitor below: typed wide so control flow does not narrow them to their initial values.
  let kind = undefined as ProxyKind | undefined;
  let decided = false as boolean;
  const visit = (n: ts.Node): void => {
    if (decided || (ts.isFunctionLike(n) && n !== ctor)) return;
    if (ts.isCallExpression(n) && n.arguments[0]?.kind === ts.SyntaxKind.ThisKeyword) {
      const which = mobxName(n.expression, checker);
      if (which === 'makeAutoObservable' || which === 'makeObservable') {
        decided = true;
        const notes = n.arguments[1] && skip(n.arguments[1]);
        const prop = notes && ts.isObjectLiteralExpression(notes) ? notes.properties.find((p) => p.name && (ts.isIdentifier(p.name) || ts.isStringLiteral(p.name)) && p.name.text === name) : undefined;
        // Decorated fields (`@observable tracks = []`) carry their annotation themselves.
        const decorated = ts.isPropertyDeclaration(decl) && ts.canHaveDecorators(decl) ? ts.getDecorators(decl)?.map((d) => mobxName(d.expression, checker)).find((x) => x?.startsWith('observable')) : undefined;
        const note = prop && ts.isPropertyAssignment(prop) ? mobxName(prop.initializer, checker) ?? prop.initializer.getText() : prop ? 'other' : decorated;
        const deep = note === undefined ? which === 'makeAutoObservable' : note === 'observable' || note === 'observable.deep' || note === 'observable.struct';
        const shallow = note === 'observable.shallow';
        if (deep || shallow) kind = { framework: 'mobx', what: shallow ? 'a MobX observable.shallow field (a Proxy)' : 'a MobX observable field (a deep Proxy)', deep, created: n };
        return;
      }
    }
    ts.forEachChild(n, visit);
  };
  ts.forEachChild(ctor.body, visit);
  if (!kind) return undefined;
  const t = safeType(checker, access);
  if (!t) return undefined;
  if (t.flags & ts.TypeFlags.Any) {
    // Untyped JS (`this.rows = []`, later `this.rows = rows`): the field holds what its writes show.
    return sym!.declarations?.some((d) => {
      const written = ts.isBinaryExpression(d) ? d.right : ts.isPropertyAccessExpression(d) && ts.isBinaryExpression(d.parent) ? d.parent.right : ts.isPropertyDeclaration(d) ? d.initializer : undefined;
      return !!written && (ts.isArrayLiteralExpression(skip(written)) || ts.isObjectLiteralExpression(skip(written)));
    })
      ? kind
      : undefined;
  }
  return proxiedByFramework(t, 'mobx', checker, program) ? kind : undefined;
}

/** Values that are proxies by their type: a Pinia store, the `.value` of a (deep) Vue ref holding an object. */
export function proxyOfType(expr: ts.Expression, checker: ts.TypeChecker, program: ts.Program): ProxyKind | undefined {
  const e = skip(expr);
  const type = safeType(checker, e);
  if (!type) return undefined;
  if (isPiniaStore(type, checker, program)) return { framework: 'pinia', what: 'a Pinia store (a Vue reactive() proxy)', deep: true, created: e, store: true };
  if (ts.isPropertyAccessExpression(e) && e.name.text === 'value') {
    const prop = checker.getSymbolAtLocation(e.name)?.declarations?.[0];
    const owner = prop?.parent;
    if (!prop || !owner || !ts.isInterfaceDeclaration(owner) || owner.name.text !== 'Ref') return undefined;
    const o = originOf(program, prop);
    if (!o || !vueModules.has(o.module)) return undefined;
    const refType = safeType(checker, e.expression);
    if (refType && checker.getPropertiesOfType(refType).some((p) => p.getName().startsWith('__@ShallowRefMarker'))) return undefined;
    if (!proxiedByFramework(type, 'vue', checker, program)) return undefined;
    return { framework: 'vue', what: "a Vue ref's value (a reactive() proxy)", deep: true, created: e };
  }
  return undefined;
}

function isPiniaStore(type: ts.Type, checker: ts.TypeChecker, program: ts.Program): boolean {
  if (!(type.flags & (ts.TypeFlags.Object | ts.TypeFlags.Intersection))) return false;
  const patch = type.getProperty('$patch');
  const decl = patch?.declarations?.[0];
  return !!decl && type.getProperty('$state') !== undefined && originOf(program, decl)?.module === 'pinia';
}

interface Resolver {
  checker: ts.TypeChecker;
  program: ts.Program;
  /** let/var reassignments per symbol, collected once per file. */
  assignments: Map<ts.Symbol, ts.Expression[]>;
  scanned: Set<ts.SourceFile>;
}

function assignmentsTo(sym: ts.Symbol, sf: ts.SourceFile, r: Resolver): ts.Expression[] {
  if (!r.scanned.has(sf)) {
    r.scanned.add(sf);
    const visit = (n: ts.Node): void => {
      if (ts.isBinaryExpression(n) && n.operatorToken.kind === ts.SyntaxKind.EqualsToken) {
        const target = ts.isPropertyAccessExpression(n.left) ? n.left.name : n.left;
        const s = ts.isIdentifier(target) ? r.checker.getSymbolAtLocation(target) : undefined;
        if (s) {
          const list = r.assignments.get(s) ?? [];
          if (list.length < 16) list.push(n.right);
          r.assignments.set(s, list);
        }
      }
      ts.forEachChild(n, visit);
    };
    visit(sf);
  }
  return r.assignments.get(sym) ?? [];
}

/** `computed`: a Vue `computed(getter)`, whose `.value` is what the getter returns (an element of reactive state is a proxy). */
type Origin = { kind: 'proxy'; proxy: ProxyKind } | { kind: 'object'; literal: ts.ObjectLiteralExpression | ts.ArrayLiteralExpression } | { kind: 'computed'; getter: ts.SignatureDeclaration };

/** What `expr` may evaluate to, as far as this program shows without value flow. */
function localOrigins(expr: ts.Expression, r: Resolver, hops: number, seen: Set<ts.Node>): Origin[] {
  const e = skip(expr);
  if (hops > maxHops || seen.has(e)) return [];
  seen.add(e);
  const { checker, program } = r;
  const created = proxyCreatedBy(e, checker, program) ?? proxyOfType(e, checker, program);
  if (created) return [{ kind: 'proxy', proxy: created }];
  if (ts.isObjectLiteralExpression(e) || ts.isArrayLiteralExpression(e)) return [{ kind: 'object', literal: e }];
  if (ts.isConditionalExpression(e)) return [...localOrigins(e.whenTrue, r, hops + 1, seen), ...localOrigins(e.whenFalse, r, hops + 1, seen)];
  if (ts.isBinaryExpression(e) && (e.operatorToken.kind === ts.SyntaxKind.QuestionQuestionToken || e.operatorToken.kind === ts.SyntaxKind.BarBarToken)) {
    return [...localOrigins(e.left, r, hops + 1, seen), ...localOrigins(e.right, r, hops + 1, seen)];
  }
  if (ts.isIdentifier(e)) {
    const sym = ts.isShorthandPropertyAssignment(e.parent) && e.parent.name === e ? checker.getShorthandAssignmentValueSymbol(e.parent) : checker.getSymbolAtLocation(e);
    return symbolOrigins(sym, r, hops, seen);
  }
  if (ts.isPropertyAccessExpression(e)) {
    const observableField = mobxField(e, checker, program);
    if (observableField) return [{ kind: 'proxy', proxy: observableField }];
    // `selected.value` of `computed(() => items.value.find(...))`: what the getter returns.
    if (e.name.text === 'value') {
      const getters = localOrigins(e.expression, r, hops + 1, seen).filter((o): o is Extract<Origin, { kind: 'computed' }> => o.kind === 'computed');
      if (getters.length) return getters.flatMap((g) => functionReturns(g.getter, r, hops, seen));
    }
    // `this.items`: a class field, or in a Pinia action (`this` is the store) a member of the store.
    if (e.expression.kind === ts.SyntaxKind.ThisKeyword) {
      const field = symbolOrigins(checker.getSymbolAtLocation(e.name), r, hops, seen);
      if (field.length) return field;
    }
    return memberOrigins(e.expression, e.name.text, e, r, hops, seen);
  }
  // An element read out of a deep proxy array (`items[0]`, `items.find(...)`) is a proxy too.
  if (ts.isElementAccessExpression(e) || (ts.isCallExpression(e) && ts.isPropertyAccessExpression(e.expression) && elementReaders.has(e.expression.name.text))) {
    const element = elementOfDeepProxy(e, ts.isElementAccessExpression(e) ? e.expression : (e.expression as ts.PropertyAccessExpression).expression, r, hops, seen);
    if (element.length) return element;
  }
  if (ts.isCallExpression(e)) {
    const getter = computedGetter(e, checker, program);
    if (getter) return [{ kind: 'computed', getter }];
    return returnOrigins(e, r, hops, seen);
  }
  return [];
}

/** The getter of a Vue `computed(getter)` or `computed({ get, set })` call. */
function computedGetter(call: ts.CallExpression, checker: ts.TypeChecker, program: ts.Program): ts.SignatureDeclaration | undefined {
  const o = calleeOrigin(call, checker, program)?.origin;
  if (!o || !vueModules.has(o.module) || o.container !== '' || o.name !== 'computed' || !call.arguments[0]) return undefined;
  let arg = skip(call.arguments[0]);
  if (ts.isObjectLiteralExpression(arg)) {
    const get = arg.properties.find((p) => p.name && ts.isIdentifier(p.name) && p.name.text === 'get');
    if (get && ts.isMethodDeclaration(get)) return get;
    if (!get || !ts.isPropertyAssignment(get)) return undefined;
    arg = skip(get.initializer);
  }
  return ts.isArrowFunction(arg) || ts.isFunctionExpression(arg) ? arg : undefined;
}

/** What a function (a getter, a composable) returns, as origins. */
function functionReturns(fn: ts.SignatureDeclaration, r: Resolver, hops: number, seen: Set<ts.Node>): Origin[] {
  const body = (fn as { body?: ts.Node }).body;
  if (!body) return [];
  if (!ts.isBlock(body)) return localOrigins(body as ts.Expression, r, hops + 1, seen);
  const out: Origin[] = [];
  const visit = (n: ts.Node): void => {
    if (ts.isFunctionLike(n) || ts.isClassLike(n) || out.length > 8) return;
    if (ts.isReturnStatement(n) && n.expression) out.push(...localOrigins(n.expression, r, hops + 1, seen));
    ts.forEachChild(n, visit);
  };
  ts.forEachChild(body, visit);
  return out;
}

/** Array methods that hand out one of the array's own elements. */
const elementReaders = new Set(['find', 'findLast', 'at', 'pop', 'shift']);

function elementOfDeepProxy(read: ts.Expression, array: ts.Expression, r: Resolver, hops: number, seen: Set<ts.Node>): Origin[] {
  const deep = localOrigins(array, r, hops + 1, seen).find((o): o is Extract<Origin, { kind: 'proxy' }> => o.kind === 'proxy' && o.proxy.deep);
  if (!deep) return [];
  const t = safeType(r.checker, read);
  const framework = deep.proxy.framework === 'pinia' ? 'vue' : deep.proxy.framework;
  const proxied = (type: ts.Type | undefined) => !!type && proxiedByFramework(type, framework, r.checker, r.program);
  // An array that starts empty (`reactive({ queue: [] })` in JS) has elements typed `any` or `never`: judge what is pushed into it.
  const untypedElement = !!t && ((t.flags & ts.TypeFlags.Any) !== 0 || (r.checker.getNonNullableType(t).flags & ts.TypeFlags.Never) !== 0);
  if (!(untypedElement ? pushedInto(array, deep.proxy, r, hops).some((v) => proxied(safeType(r.checker, v))) : proxied(t))) return [];
  return [{ kind: 'proxy', proxy: { ...deep.proxy, store: false, what: memberWhat(deep.proxy) } }];
}

/** The values pushed into a proxy's array member (`state.queue.push({ args })`, in any file): calls on the same member of the same proxy. */
function pushedInto(array: ts.Expression, proxy: ProxyKind, r: Resolver, hops: number): ts.Expression[] {
  const a = skip(array);
  if (!ts.isPropertyAccessExpression(a)) return [];
  const member = a.name.text;
  const out: ts.Expression[] = [];
  for (const sf of r.program.getSourceFiles()) {
    if (isLibraryFile(r.program, sf) || !sf.text.includes(`.${member}.`)) continue;
    const visit = (n: ts.Node): void => {
      if (out.length >= 8) return;
      if (ts.isCallExpression(n) && ts.isPropertyAccessExpression(n.expression) && /^(push|unshift)$/.test(n.expression.name.text)) {
        const recv = skip(n.expression.expression);
        if (ts.isPropertyAccessExpression(recv) && recv.name.text === member && localOrigins(recv, r, hops + 1, new Set()).some((o) => o.kind === 'proxy' && o.proxy.created === proxy.created)) out.push(...n.arguments);
      }
      ts.forEachChild(n, visit);
    };
    visit(sf);
  }
  return out;
}

function symbolOrigins(symbol: ts.Symbol | undefined, r: Resolver, hops: number, seen: Set<ts.Node>): Origin[] {
  let sym = symbol;
  if (sym && sym.flags & ts.SymbolFlags.Alias) {
    try {
      sym = r.checker.getAliasedSymbol(sym);
    } catch {
      return [];
    }
  }
  const decl = sym?.valueDeclaration;
  if (!sym || !decl || isLibraryFile(r.program, decl.getSourceFile())) return [];
  const out: Origin[] = [];
  if (ts.isVariableDeclaration(decl)) {
    if (decl.initializer) out.push(...localOrigins(decl.initializer, r, hops + 1, seen));
    if (!(ts.getCombinedNodeFlags(decl) & ts.NodeFlags.Const)) for (const a of assignmentsTo(sym, decl.getSourceFile(), r)) out.push(...localOrigins(a, r, hops + 1, seen));
  } else if (ts.isBindingElement(decl)) {
    // `const { state } = useCart()`: the `state` member of what the initializer evaluates to.
    const pattern = decl.parent;
    const holder = pattern.parent;
    const key = decl.propertyName ?? decl.name;
    if (ts.isObjectBindingPattern(pattern) && ts.isVariableDeclaration(holder) && holder.initializer && ts.isIdentifier(key)) {
      out.push(...memberOrigins(holder.initializer, key.text, decl.name as ts.Expression, r, hops, seen));
    }
  } else if (ts.isPropertyDeclaration(decl)) {
    if (decl.initializer) out.push(...localOrigins(decl.initializer, r, hops + 1, seen));
    for (const a of assignmentsTo(sym, decl.getSourceFile(), r)) out.push(...localOrigins(a, r, hops + 1, seen));
  } else if (ts.isFunctionDeclaration(decl) || ts.isShorthandPropertyAssignment(decl) || ts.isPropertyAssignment(decl)) {
    if (ts.isPropertyAssignment(decl)) out.push(...localOrigins(decl.initializer, r, hops + 1, seen));
  } else if (ts.isParameter(decl)) {
    out.push(...callbackArgumentOrigins(decl, r, hops, seen));
  }
  return out;
}

/**
 * What a framework hands a callback (the usual way state gets persisted): Pinia's
 * `store.$subscribe((mutation, state) => ...)` passes the store's reactive state; Vue's
 * `watch(source, (value, old) => ...)` passes what the source is (a reactive object itself, or
 * what a getter returns: `() => store.items` hands out the reactive array).
 */
function callbackArgumentOrigins(param: ts.ParameterDeclaration, r: Resolver, hops: number, seen: Set<ts.Node>): Origin[] {
  const fn = param.parent;
  if (!(ts.isArrowFunction(fn) || ts.isFunctionExpression(fn))) return [];
  const index = fn.parameters.indexOf(param);
  const call = fn.parent;
  if (!ts.isCallExpression(call) || !call.arguments.includes(fn)) return [];
  const { checker, program } = r;
  if (ts.isPropertyAccessExpression(call.expression) && call.expression.name.text === '$subscribe' && index === 1 && call.arguments[0] === fn) {
    const store = safeType(checker, call.expression.expression);
    if (!store || !isPiniaStore(store, checker, program)) return [];
    return [{ kind: 'proxy', proxy: { framework: 'pinia', what: 'a Vue reactive() proxy (the store state $subscribe passes)', deep: true, created: call } }];
  }
  const o = calleeOrigin(call, checker, program)?.origin;
  if (!o || !vueModules.has(o.module) || o.container !== '' || o.name !== 'watch' || call.arguments[1] !== fn || index > 1 || !call.arguments[0]) return [];
  const source = skip(call.arguments[0]);
  const origins = ts.isArrowFunction(source) || ts.isFunctionExpression(source) ? functionReturns(source, r, hops, seen) : localOrigins(source, r, hops + 1, seen);
  return origins.filter((x) => x.kind === 'proxy');
}

/** `base.name`: a member of an object literal, or a proxied member of a deep proxy. */
function memberOrigins(base: ts.Expression, name: string, access: ts.Node, r: Resolver, hops: number, seen: Set<ts.Node>): Origin[] {
  const out: Origin[] = [];
  for (const o of localOrigins(base, r, hops + 1, seen)) {
    if (o.kind === 'proxy') {
      if (!o.proxy.deep) continue;
      const t = memberType(o.proxy, name, access, r.checker);
      if (t && proxiedByFramework(t, o.proxy.framework === 'pinia' ? 'vue' : o.proxy.framework, r.checker, r.program)) {
        out.push({ kind: 'proxy', proxy: { ...o.proxy, store: false, what: memberWhat(o.proxy) } });
      }
    } else if (o.kind === 'object' && ts.isObjectLiteralExpression(o.literal)) {
      const prop = [...o.literal.properties].reverse().find((p) => p.name && (ts.isIdentifier(p.name) || ts.isStringLiteral(p.name)) && p.name.text === name);
      if (prop && ts.isPropertyAssignment(prop)) out.push(...localOrigins(prop.initializer, r, hops + 1, seen));
      else if (prop && ts.isShorthandPropertyAssignment(prop)) out.push(...symbolOrigins(r.checker.getShorthandAssignmentValueSymbol(prop), r, hops + 1, seen));
    }
  }
  return out;
}

/** The member's type; where the rune itself has no typings (`$state` unresolved), the type its initial value gives the member. */
function memberType(proxy: ProxyKind, name: string, access: ts.Node, checker: ts.TypeChecker): ts.Type | undefined {
  const t = safeType(checker, access);
  if (!t || !(t.flags & ts.TypeFlags.Any) || !ts.isCallExpression(proxy.created)) return t;
  const initial = proxy.created.arguments[0] && skip(proxy.created.arguments[0]);
  if (!initial || !ts.isObjectLiteralExpression(initial)) return t;
  const prop = [...initial.properties].reverse().find((p) => p.name && ts.isIdentifier(p.name) && p.name.text === name);
  return prop && (ts.isPropertyAssignment(prop) || ts.isShorthandPropertyAssignment(prop)) ? safeType(checker, ts.isPropertyAssignment(prop) ? prop.initializer : prop.name) : t;
}

function memberWhat(p: ProxyKind): string {
  if (p.framework === 'mobx') return 'a MobX observable (a Proxy; MobX observables are deep)';
  if (p.framework === 'svelte') return 'a Svelte $state proxy (state is deeply reactive)';
  if (p.framework === 'pinia') return 'a Vue reactive() proxy (Pinia store state is deeply reactive)';
  return 'a Vue reactive() proxy (reactive state is deep)';
}

/** A user function's return values: composables and factories that hand out reactive state. */
function returnOrigins(call: ts.CallExpression, r: Resolver, hops: number, seen: Set<ts.Node>): Origin[] {
  const callee = calleeOrigin(call, r.checker, r.program);
  const decl = callee?.decl;
  if (!decl || callee.origin?.module !== 'user' || !('body' in decl) || !decl.body) return [];
  return functionReturns(decl as ts.SignatureDeclaration, r, hops, seen);
}

const maxSightings = 8;

/** The proxies in a sent value: the value itself, or members of the literals it is built from. */
export function findProxies(expr: ts.Expression, label: string, checker: ts.TypeChecker, program: ts.Program): ProxySighting[] {
  const r: Resolver = { checker, program, assignments: new Map(), scanned: new Set() };
  const out: ProxySighting[] = [];
  const join = (path: string, key: string) => (path ? `${path}.${key}` : key);
  const visit = (e: ts.Expression, path: string, depth: number, seen: Set<ts.Node>): void => {
    if (depth > 4 || out.length >= maxSightings) return;
    const origins = localOrigins(e, r, 0, seen);
    const proxy = origins.find((o): o is Extract<Origin, { kind: 'proxy' }> => o.kind === 'proxy');
    if (proxy) {
      out.push({ path, kind: proxy.proxy, at: e });
      return;
    }
    // `const config = {}; config.values = col.values;`: members set after the literal.
    if (ts.isIdentifier(e)) for (const [key, rhs] of literalMemberWrites(e, checker)) visit(rhs, join(path, key), depth + 1, new Set(seen));
    for (const o of origins) {
      if (o.kind !== 'object') continue;
      if (ts.isArrayLiteralExpression(o.literal)) {
        o.literal.elements.forEach((el, i) => {
          if (ts.isSpreadElement(el)) spreadMembers(el.expression, `${path}[${i}]`, true);
          else visit(el, `${path}[${i}]`, depth + 1, new Set(seen));
        });
        continue;
      }
      for (const p of o.literal.properties) {
        if (ts.isSpreadAssignment(p)) spreadMembers(p.expression, path, false);
        if (!p.name || !(ts.isIdentifier(p.name) || ts.isStringLiteral(p.name))) continue;
        if (ts.isPropertyAssignment(p)) visit(p.initializer, join(path, p.name.text), depth + 1, new Set(seen));
        else if (ts.isShorthandPropertyAssignment(p)) visit(p.name, join(path, p.name.text), depth + 1, new Set(seen));
      }
    }
  };
  /** `{ ...state }` / `[...items]` of a deep proxy: each object member read through it is a proxy. */
  const spreadMembers = (spread: ts.Expression, path: string, array: boolean): void => {
    const deep = localOrigins(spread, r, 0, new Set()).find((o): o is Extract<Origin, { kind: 'proxy' }> => o.kind === 'proxy' && o.proxy.deep);
    if (!deep) return;
    const framework = deep.proxy.framework === 'pinia' ? 'vue' : deep.proxy.framework;
    const type = safeType(checker, spread);
    if (!type) return;
    const kind = { ...deep.proxy, store: false, what: memberWhat(deep.proxy) };
    if (array) {
      const el = checker.isArrayType(type) ? checker.getTypeArguments(type as ts.TypeReference)[0] : undefined;
      if (el && proxiedByFramework(el, framework, checker, program) && out.length < maxSightings) out.push({ path, kind, spreadFrom: spread });
      return;
    }
    for (const prop of checker.getPropertiesOfType(type)) {
      if (prop.getName().startsWith('$') || prop.getName().startsWith('_')) continue; // a store's own API and Vue's internals
      const t = checker.getTypeOfSymbol(prop);
      if (proxiedByFramework(t, framework, checker, program) && out.length < maxSightings) out.push({ path: join(path, prop.getName()), kind, spreadFrom: spread });
    }
  };
  visit(expr, label, 0, new Set());
  return out;
}
