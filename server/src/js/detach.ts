import * as ts from 'typescript';
import { callMemo } from './memo';
import { isLibraryFile } from './origin';
import type { TransferEntry } from './rules/rule';
import { calleeName, type Sink } from './sinks';
import { isAssignmentTarget, listedKind, scopeOf, storageKey, symbolKey, valueSymbolOf } from './transfer-list';

// Order matters once something is transferred: the sender's buffer is detached and a port is gone
// from this side from that call on. The timeline of a file lists every transfer (a sink's list
// entry, a `move()`d task, a call of a helper that transfers its parameter, a field or a module
// variable) and every `close()`/`terminate()`, and answers what happened to a value before a
// given point: transferred earlier on every path to it, in the previous iteration of a loop
// around it, or closed. Bounded: helpers are followed three calls deep.

export interface TransferEvent {
  /** The call that transfers: the sink itself, or the call of a helper that transfers. */
  call: ts.CallExpression | ts.NewExpression;
  /** What the code names at that call: the list element, the moved value, the helper's argument (or the helper call). */
  expr: ts.Expression;
  /** The transferred value as a message names it: `pixels.buffer`, `chunker.scratch`. */
  name: string;
  key: string;
  /** `ArrayBuffer`, `MessagePort`, `ReadableStream`... (a listed view counts as its buffer). */
  what: string;
  /** `worker.postMessage`, or `sendFrame()` for a helper. */
  api: string;
  /** The sink whose list holds the value, when the event is the sink's own. */
  sink?: Sink;
  entry?: TransferEntry;
  /** For a helper: the sink inside it that transfers. */
  via?: { call: ts.Node; api: string };
  /** The sink that finally transfers (the event's own, or the one inside the helper): its runtime decides severities. */
  finalSink: Sink;
}

export interface CloseEvent {
  call: ts.CallExpression;
  key: string;
  what: 'MessagePort' | 'BroadcastChannel' | 'Worker';
  method: string;
  /** The project's function whose call closes it (`endSession(port)`), when the close is inside one. */
  helper?: string;
}

/** What calling a function closes on every call: a parameter's value, a field of `this`, at `tail`. */
interface CloseSummary {
  root: 'param' | 'this';
  index: number;
  tail: string;
  /** '' when the helper's parameter is untyped: what the caller passes decides. */
  what: CloseEvent['what'] | '';
  method: string;
}

interface Summary {
  root: 'param' | 'this' | 'outer';
  index: number;
  /** The key's tail after its root (`.pixels`), or the whole key of an outer variable. */
  tail: string;
  /** How the helper names what it transfers (`this.scratch.buffer`, `frame`). */
  name: string;
  what: string;
  /** An untyped parameter whose `.buffer` is transferred: a view the caller passes is detached. */
  viaBuffer?: boolean;
  sinkCall: ts.Node;
  api: string;
  finalSink: Sink;
}

const maxHelperDepth = 3;
const repeatingCallees = new Set(['forEach', 'map', 'flatMap', 'filter', 'reduce', 'reduceRight', 'some', 'every', 'find', 'findIndex', 'setInterval', 'on', 'addListener', 'addEventListener', 'subscribe']);
const transferableWhats = /^(?:ArrayBuffer|MessagePort|ReadableStream|WritableStream|TransformStream|FileHandle|ImageBitmap|OffscreenCanvas|VideoFrame|AudioData)$/;

export class Timeline {
  readonly transfers: TransferEvent[] = [];
  readonly closes: CloseEvent[] = [];
  private summaries = new Map<ts.Node, Summary[]>();
  private closeSummaries = new Map<ts.Node, CloseSummary[]>();
  private helperNames: HelperNames;
  private closerNames: HelperNames;

  constructor(
    private sf: ts.SourceFile,
    sinks: readonly Sink[],
    private checker: ts.TypeChecker,
    private program: ts.Program,
    private sinksIn: (sf: ts.SourceFile) => readonly Sink[],
  ) {
    this.helperNames = helperNamesOf(program, mayTransferText);
    this.closerNames = helperNamesOf(program, mayCloseText);
    for (const ev of this.sinkEvents(sinks, true)) {
      if (!ev.what) ev.what = this.kindFromCallers(ev) ?? '';
      if (ev.what) this.transfers.push(ev);
    }
    const visit = (n: ts.Node): void => {
      if (ts.isCallExpression(n)) {
        this.addClose(n);
        this.closes.push(...this.helperCloses(n, 0));
        this.transfers.push(...this.helperEvents(n, 0));
      }
      ts.forEachChild(n, visit);
    };
    visit(sf);
    this.transfers.sort((a, b) => a.call.getStart() - b.call.getStart());
  }

  /**
   * The transfers a file's (or a helper's) sinks make. With `untyped`, a value whose kind the
   * types do not tell is kept with an empty `what`: a helper's untyped parameter is judged by
   * what its callers pass.
   */
  private sinkEvents(sinks: readonly Sink[], untyped = false): TransferEvent[] {
    const out: TransferEvent[] = [];
    for (const sink of sinks) {
      if (sink.transfer.kind !== 'list') continue;
      for (const entry of sink.transfer.entries) {
        if (entry.conditional || entry.repeated) continue;
        const kind = listedKind(entry, this.checker, this.program);
        const what = kind.kind === 'transferable' && transferableWhats.test(kind.name) ? kind.name : kind.kind === 'unknown' && untyped ? '' : undefined;
        if (what === undefined) continue;
        const key = storageKey(entry.expr, this.checker);
        if (key) out.push({ call: sink.call, expr: entry.expr, name: short(entry.expr.getText()), key, what, api: sink.api, sink, entry, finalSink: sink });
      }
    }
    return out;
  }

  /**
   * A value the types do not tell, listed by a function of this file from one of its parameters
   * (`function persist(snapshot) { ...[snapshot] }`): what every caller in the file passes.
   */
  private kindFromCallers(ev: TransferEvent): string | undefined {
    const fn = enclosingFunction(ev.call);
    if (!fn) return undefined;
    // By key, so an alias (`doc.layer` of a `doc = { layer }`) finds the parameter too.
    const index = fn.parameters.findIndex((p) => {
      const sym = ts.isIdentifier(p.name) ? this.checker.getSymbolAtLocation(p.name) : undefined;
      return sym && (ev.key === symbolKey(sym) || ev.key.startsWith(`${symbolKey(sym)}.`));
    });
    if (index < 0) return undefined;
    const tail = ev.key.slice(symbolKey(this.checker.getSymbolAtLocation(fn.parameters[index].name)!).length);
    const name = fn.name && ts.isIdentifier(fn.name) ? fn.name : ts.isVariableDeclaration(fn.parent) && ts.isIdentifier(fn.parent.name) ? fn.parent.name : undefined;
    const sym = name && this.checker.getSymbolAtLocation(name);
    if (!sym || (tail !== '' && tail !== '.buffer')) return undefined;
    const kinds = new Set<string>();
    const visit = (n: ts.Node): void => {
      if (kinds.has('?')) return;
      if (ts.isCallExpression(n) && ts.isIdentifier(n.expression) && this.checker.getSymbolAtLocation(n.expression) === sym) {
        const arg = n.arguments[index];
        const kind = arg && !ts.isSpreadElement(arg) ? listedKind({ expr: arg }, this.checker, this.program) : undefined;
        if (tail === '.buffer' && kind?.kind === 'view') kinds.add('ArrayBuffer');
        else if (tail === '' && kind?.kind === 'transferable' && transferableWhats.test(kind.name)) kinds.add(kind.name);
        else kinds.add('?');
      }
      ts.forEachChild(n, visit);
    };
    visit(this.sf);
    return kinds.size === 1 && !kinds.has('?') ? [...kinds][0] : undefined;
  }

  private addClose(call: ts.CallExpression): void {
    const callee = call.expression;
    if (!ts.isPropertyAccessExpression(callee) || !(callee.name.text === 'close' || callee.name.text === 'terminate')) return;
    const what = this.libraryTypeName(callee.expression);
    const ok = callee.name.text === 'close' ? what === 'MessagePort' || what === 'BroadcastChannel' : what === 'Worker';
    const key = ok ? storageKey(callee.expression, this.checker) : undefined;
    if (key) this.closes.push({ call, key, what: what as CloseEvent['what'], method: callee.name.text });
  }

  /** The `close()`/`terminate()` of a project function's call: what it closes on every call, keyed at the caller. */
  private helperCloses(call: ts.CallExpression, depth: number): CloseEvent[] {
    if (!this.closerNames.mayCall(call)) return [];
    const fn = this.calledFunction(call);
    if (!fn) return [];
    const out: CloseEvent[] = [];
    for (const s of this.closeSummaryOf(fn, depth)) {
      let base: string | undefined;
      let what = s.what;
      if (s.root === 'param') {
        const arg = call.arguments[s.index];
        base = arg && !ts.isSpreadElement(arg) ? storageKey(arg, this.checker) : undefined;
        if (!what && arg && !ts.isSpreadElement(arg) && s.tail === '') what = closable(this.libraryTypeName(arg), s.method) ?? '';
        if (!what) continue;
      } else {
        const callee = call.expression;
        if (!ts.isPropertyAccessExpression(callee)) continue;
        base = callee.expression.kind === ts.SyntaxKind.ThisKeyword ? thisKey(callee.expression) : storageKey(callee.expression, this.checker);
      }
      if (base && what) out.push({ call, key: `${base}${s.tail}`, what, method: s.method, helper: helperName(call) });
    }
    return out;
  }

  /** What `fn` closes or terminates on every call: its parameters' values or fields of `this` (helpers followed three calls deep). */
  private closeSummaryOf(fn: ts.FunctionLikeDeclaration, depth: number): CloseSummary[] {
    const cached = this.closeSummaries.get(fn);
    if (cached) return cached;
    this.closeSummaries.set(fn, []); // recursion guard
    if (depth >= maxHelperDepth || !fn.body) return [];
    const body = fn.body;
    const params = fn.parameters.map((p) => (ts.isIdentifier(p.name) ? this.checker.getSymbolAtLocation(p.name) : undefined));
    const closes: { key: string; what: CloseSummary['what']; method: string }[] = [];
    const visit = (n: ts.Node): void => {
      if (ts.isCallExpression(n) && unconditionalIn(n, body)) {
        const direct = this.closeOf(n) ?? this.untypedParamClose(n, params);
        if (direct) closes.push(direct);
        closes.push(...this.helperCloses(n, depth + 1));
      }
      if (!ts.isFunctionLike(n)) ts.forEachChild(n, visit);
    };
    ts.forEachChild(body, visit);
    const thisPrefix = `this@${classPos(fn)}`;
    const out: CloseSummary[] = [];
    for (const c of closes) {
      const index = params.findIndex((sym) => sym && (c.key === symbolKey(sym) || c.key.startsWith(`${symbolKey(sym)}.`)));
      if (index >= 0) out.push({ root: 'param', index, tail: c.key.slice(symbolKey(params[index]!).length), what: c.what, method: c.method });
      else if (c.key.startsWith(`${thisPrefix}.`)) out.push({ root: 'this', index: -1, tail: c.key.slice(thisPrefix.length), what: c.what, method: c.method });
    }
    this.closeSummaries.set(fn, out);
    return out;
  }

  /** `port.close()` on an untyped parameter of a helper (`function endSession(port) { port.close() }`): the callers' arguments decide what it closes. */
  private untypedParamClose(call: ts.CallExpression, params: (ts.Symbol | undefined)[]): { key: string; what: ''; method: string } | undefined {
    const callee = call.expression;
    if (!ts.isPropertyAccessExpression(callee) || !(callee.name.text === 'close' || callee.name.text === 'terminate') || !ts.isIdentifier(callee.expression)) return undefined;
    const sym = this.checker.getSymbolAtLocation(callee.expression);
    if (!sym || !params.includes(sym) || !(this.checker.getTypeAtLocation(callee.expression).flags & (ts.TypeFlags.Any | ts.TypeFlags.Unknown))) return undefined;
    return { key: symbolKey(sym), what: '', method: callee.name.text };
  }

  /** `port.close()`, `channel.close()`, `worker.terminate()` on a platform object, keyed by where it is stored. */
  private closeOf(call: ts.CallExpression): CloseEvent | undefined {
    const callee = call.expression;
    if (!ts.isPropertyAccessExpression(callee) || !(callee.name.text === 'close' || callee.name.text === 'terminate')) return undefined;
    const what = closable(this.libraryTypeName(callee.expression), callee.name.text);
    if (!what) return undefined;
    const key = callee.expression.kind === ts.SyntaxKind.ThisKeyword ? undefined : ts.isPropertyAccessExpression(callee.expression) && callee.expression.expression.kind === ts.SyntaxKind.ThisKeyword ? `${thisKey(callee.expression.expression)}.${callee.expression.name.text}` : storageKey(callee.expression, this.checker);
    return key ? { call, key, what, method: callee.name.text } : undefined;
  }

  private libraryTypeName(e: ts.Expression): string | undefined {
    // Kept across edits (memo.ts): the receiver of an `x.close()` may be a lambda's parameter inferred from a whole pipe.
    return callMemo(this.program, e.getSourceFile()).answer('library-type', e, () => this.resolveLibraryTypeName(e));
  }

  private resolveLibraryTypeName(e: ts.Expression): string | undefined {
    try {
      const t = this.checker.getNonNullableType(this.checker.getTypeAtLocation(e));
      const sym = t.getSymbol();
      const decl = sym?.declarations?.[0];
      return decl && isLibraryFile(this.program, decl.getSourceFile()) ? sym!.getName() : undefined;
    } catch {
      return undefined;
    }
  }

  /** A call of the project's own function that transfers a parameter, a field or a module variable. */
  private helperEvents(call: ts.CallExpression, depth: number): TransferEvent[] {
    if (!this.helperNames.mayCall(call)) return [];
    const fn = this.calledFunction(call);
    if (!fn) return [];
    const out: TransferEvent[] = [];
    const name = helperName(call);
    for (const s of this.summaryOf(fn, depth)) {
      let key: string | undefined;
      let expr: ts.Expression = call;
      let what = s.what;
      let shown = s.name;
      if (s.root === 'param') {
        const arg = call.arguments[s.index];
        if (!arg || ts.isSpreadElement(arg)) continue;
        if (!what) {
          // An untyped parameter: what the caller passes decides.
          const kind = s.tail ? undefined : listedKind({ expr: arg }, this.checker, this.program);
          if (kind?.kind === 'view' && s.viaBuffer) what = 'ArrayBuffer';
          else if (kind?.kind === 'transferable' && transferableWhats.test(kind.name) && !s.viaBuffer) what = kind.name;
          else continue;
        }
        const base = storageKey(arg, this.checker);
        key = base && `${base}${s.tail}`;
        expr = arg;
        shown = `${arg.getText()}${s.tail}`;
      } else if (s.root === 'this') {
        const callee = call.expression;
        if (!ts.isPropertyAccessExpression(callee)) continue;
        const base = callee.expression.kind === ts.SyntaxKind.ThisKeyword ? thisKey(callee.expression) : storageKey(callee.expression, this.checker);
        key = base && `${base}${s.tail}`;
        shown = `${callee.expression.getText()}${s.tail}`;
      } else key = s.tail;
      if (key) out.push({ call, expr, name: short(shown), key, what, api: `${name}()`, via: { call: s.sinkCall, api: s.api }, finalSink: s.finalSink });
    }
    return out;
  }

  private calledFunction(call: ts.CallExpression): ts.FunctionLikeDeclaration | undefined {
    // Kept across edits of the call's file (memo.ts): naming the callee may infer a whole generic pipe.
    return callMemo(this.program, call.getSourceFile()).answer('timeline', call, () => this.resolveCalledFunction(call));
  }

  private resolveCalledFunction(call: ts.CallExpression): ts.FunctionLikeDeclaration | undefined {
    let sym: ts.Symbol | undefined;
    try {
      const callee = call.expression;
      sym = this.checker.getSymbolAtLocation(ts.isPropertyAccessExpression(callee) ? callee.name : callee);
      if (sym && sym.flags & ts.SymbolFlags.Alias) sym = this.checker.getAliasedSymbol(sym);
    } catch {
      return undefined;
    }
    let decl = sym?.valueDeclaration;
    if (decl && ts.isVariableDeclaration(decl) && decl.initializer && (ts.isArrowFunction(decl.initializer) || ts.isFunctionExpression(decl.initializer))) decl = decl.initializer;
    if (!decl || !(ts.isFunctionDeclaration(decl) || ts.isMethodDeclaration(decl) || ts.isArrowFunction(decl) || ts.isFunctionExpression(decl)) || !decl.body) return undefined;
    if (isLibraryFile(this.program, decl.getSourceFile())) return undefined;
    return decl;
  }

  /** What calling `fn` transfers on every call, as parameter/field/variable keys. */
  private summaryOf(fn: ts.FunctionLikeDeclaration, depth: number): Summary[] {
    const cached = this.summaries.get(fn);
    if (cached) return cached;
    this.summaries.set(fn, []); // recursion guard
    if (depth >= maxHelperDepth || !fn.body) return [];
    const body = fn.body;
    const events: TransferEvent[] = this.sinkEvents(this.sinksIn(fn.getSourceFile()).filter((s) => s.call.getStart() >= body.getStart() && s.call.getEnd() <= body.getEnd()), true);
    const visit = (n: ts.Node): void => {
      if (ts.isCallExpression(n)) events.push(...this.helperEvents(n, depth + 1));
      if (!ts.isFunctionLike(n)) ts.forEachChild(n, visit);
    };
    ts.forEachChild(body, visit);
    const params = fn.parameters.map((p) => (ts.isIdentifier(p.name) ? this.checker.getSymbolAtLocation(p.name) : undefined));
    const out: Summary[] = [];
    for (const ev of events) {
      if (scopeOf(ev.call) !== body || !unconditionalIn(ev.call, body) || this.assignedAfter(ev, body)) continue;
      const via = ev.via ?? { call: ev.call, api: ev.api };
      const thisPrefix = `this@${classPos(fn)}`;
      const paramIndex = params.findIndex((sym) => sym && (ev.key === symbolKey(sym) || ev.key.startsWith(`${symbolKey(sym)}.`)));
      if (paramIndex >= 0) {
        const tail = ev.key.slice(symbolKey(params[paramIndex]!).length);
        const viaBuffer = !ev.what && tail === '.buffer';
        out.push({ root: 'param', index: paramIndex, tail: viaBuffer ? '' : tail, name: ev.name, viaBuffer, what: ev.what, sinkCall: via.call, api: via.api, finalSink: ev.finalSink });
      } else if (!ev.what) {
        continue;
      } else if (ev.key.startsWith(`${thisPrefix}.`)) {
        out.push({ root: 'this', index: -1, tail: ev.key.slice(thisPrefix.length), name: ev.name, what: ev.what, sinkCall: via.call, api: via.api, finalSink: ev.finalSink });
      } else if (ev.key.startsWith('#') && !declaredWithin(this.rootDeclaration(ev.expr), fn)) {
        out.push({ root: 'outer', index: -1, tail: ev.key, name: ev.name, what: ev.what, sinkCall: via.call, api: via.api, finalSink: ev.finalSink });
      }
    }
    this.summaries.set(fn, out);
    return out;
  }

  /** The declaration of the variable a key starts from, if it is one. */
  rootDeclaration(e: ts.Expression): ts.Node | undefined {
    let root: ts.Expression = e;
    for (;;) {
      while (ts.isParenthesizedExpression(root) || ts.isNonNullExpression(root) || ts.isAsExpression(root)) root = root.expression;
      if (ts.isPropertyAccessExpression(root) || ts.isElementAccessExpression(root)) root = root.expression;
      else break;
    }
    if (!ts.isIdentifier(root)) return undefined;
    try {
      return this.checker.getSymbolAtLocation(root)?.valueDeclaration;
    } catch {
      return undefined;
    }
  }

  /** Whether the value behind `ev.key` is given a new value after the transfer, later in `body`. */
  private assignedAfter(ev: TransferEvent, body: ts.Node): boolean {
    let found = false;
    const visit = (n: ts.Node): void => {
      if (found) return;
      if (n.getStart() >= ev.call.getEnd() && isAssignmentTarget(n) && ts.isExpression(n) && this.assignsKey(n, ev.key)) {
        found = true;
        return;
      }
      ts.forEachChild(n, visit);
    };
    visit(body);
    return found;
  }

  /** `target` (an assignment's left side) replaces the value at `key` or one of its owners. */
  assignsKey(target: ts.Expression, key: string): boolean {
    const k = target.kind === ts.SyntaxKind.ThisKeyword ? undefined : ts.isPropertyAccessExpression(target) && target.expression.kind === ts.SyntaxKind.ThisKeyword ? `${thisKey(target.expression)}.${target.name.text}` : storageKey(target, this.checker);
    return !!k && (key === k || key.startsWith(`${k}.`));
  }

  /**
   * An earlier transfer of the same value that runs whenever `at` runs: in the same function,
   * before it, not in a branch or loop it can skip, with no new value assigned in between.
   */
  earlier(key: string, at: ts.Node): TransferEvent | undefined {
    let found: TransferEvent | undefined;
    for (const ev of this.transfers) {
      if (ev.key !== key || ev.call.getEnd() > at.getStart() || ev.call === at) continue;
      if (!runsBefore(ev.call, at) || this.assignedBetween(key, ev.call, at)) continue;
      found = ev;
    }
    return found;
  }

  private assignedBetween(key: string, from: ts.Node, to: ts.Node): boolean {
    let found = false;
    const scope = scopeOf(to);
    const visit = (n: ts.Node): void => {
      if (found || n.getEnd() < from.getEnd() || n.getStart() > to.getStart()) return;
      if (n.getStart() >= from.getEnd() && isAssignmentTarget(n) && ts.isExpression(n) && this.assignsKey(n, key)) {
        found = true;
        return;
      }
      ts.forEachChild(n, visit);
    };
    visit(scope);
    return found;
  }

  /**
   * The loop (or repeating callback: `forEach`, `setInterval`, an event listener) around `at`
   * whose next iteration finds the value at `key` already transferred by the previous one: the
   * value comes from outside the loop, the loop gives it no new value, and does not end after `at`.
   */
  repeatingLoop(key: string, expr: ts.Expression, at: ts.Node): ts.Node | undefined {
    const scope = scopeOf(at);
    const rootDecl = key.startsWith('this@') ? undefined : this.rootDeclaration(expr);
    // Up to the function whose body `at` is in, that function included: a callback `setInterval`
    // or `forEach` runs again is the loop.
    for (let p: ts.Node | undefined = at.parent; p && p !== scope.parent?.parent; p = p.parent) {
      const loop = ts.isIterationStatement(p, false) ? p : ts.isFunctionLike(p) && isRepeatingCallback(p) ? p : undefined;
      if (ts.isFunctionLike(p) && !loop) return undefined;
      if (!loop) continue;
      if (rootDecl && declaredWithin(rootDecl, loop)) return undefined;
      if (this.assignedWithin(key, loop) || exitsAfter(at, loop) || guardedOnce(at, loop)) return undefined;
      return loop;
    }
    return undefined;
  }

  private assignedWithin(key: string, loop: ts.Node): boolean {
    let found = false;
    const visit = (n: ts.Node): void => {
      if (found) return;
      if (isAssignmentTarget(n) && ts.isExpression(n) && this.assignsKey(n, key)) {
        found = true;
        return;
      }
      ts.forEachChild(n, visit);
    };
    visit(loop);
    return found;
  }

  /**
   * What the code does with the value at `ev.key` after `ev`: the references to it that `ev` runs
   * before, in order, up to the first assignment that gives it a new value. A reference inside
   * another transfer of the same value is that transfer's business.
   */
  referencesAfter(ev: TransferEvent, limit = 24): ts.Expression[] {
    const out: ts.Expression[] = [];
    const scope = scopeOf(ev.call);
    const after = ev.call.getEnd();
    let stopped = false;
    const visit = (n: ts.Node): void => {
      if (stopped || out.length >= limit || n.getEnd() <= after) return;
      if (n.getStart() >= after) {
        if (isAssignmentTarget(n) && ts.isExpression(n) && this.assignsKey(n, ev.key)) {
          stopped = true;
          return;
        }
        if ((ts.isIdentifier(n) || ts.isPropertyAccessExpression(n)) && isValueReference(n) && this.keyOf(n) === ev.key) {
          // A later transfer of the same value starts its own story (its rule reports the transfer itself).
          if (this.transfers.some((t) => t.key === ev.key && t !== ev && (isWithin(n, t.call) || isWithin(n, t.expr)))) {
            stopped = true;
            return;
          }
          if (runsBefore(ev.call, n)) out.push(n);
          return;
        }
      }
      ts.forEachChild(n, visit);
    };
    visit(scope);
    return out;
  }

  private keys = new Map<ts.Symbol, string | undefined>();
  private keyOf(n: ts.Identifier | ts.PropertyAccessExpression): string | undefined {
    if (ts.isPropertyAccessExpression(n)) return n.expression.kind === ts.SyntaxKind.ThisKeyword ? `${thisKey(n.expression)}.${n.name.text}` : storageKey(n, this.checker);
    const sym = valueSymbolOf(n, this.checker);
    if (!sym) return undefined;
    if (!this.keys.has(sym)) this.keys.set(sym, storageKey(n, this.checker));
    return this.keys.get(sym);
  }

  /** The `close()`/`terminate()` of the value at `key` that runs before `at` on every path, or at the end of the previous iteration of a loop around both. */
  closedBefore(key: string, at: ts.Node): { close: CloseEvent; loop?: ts.Node } | undefined {
    for (const c of this.closes) {
      if (c.key !== key) continue;
      if (c.call.getEnd() <= at.getStart() && runsBefore(c.call, at) && !this.assignedBetween(key, c.call, at)) return { close: c };
      if (c.call.getStart() > at.getEnd()) {
        const loop = this.repeatingLoop(key, (c.call.expression as ts.PropertyAccessExpression).expression, at);
        if (loop && c.call.getEnd() <= loop.getEnd() && c.call.getStart() >= loop.getStart() && unconditionalIn(c.call, loop)) return { close: c, loop };
      }
    }
    return undefined;
  }
}

/** The kind of object `method` closes, when the type named `what` is one: a port or channel's `close()`, a worker's `terminate()`. */
function closable(what: string | undefined, method: string): CloseEvent['what'] | undefined {
  if (method === 'close') return what === 'MessagePort' || what === 'BroadcastChannel' ? what : undefined;
  return method === 'terminate' && what === 'Worker' ? what : undefined;
}

/** An expression that reads a value: not a property's name, not a declaration's name. */
function isValueReference(n: ts.Identifier | ts.PropertyAccessExpression): boolean {
  const p = n.parent;
  if (ts.isIdentifier(n)) {
    if (ts.isPropertyAccessExpression(p) && p.name === n) return false;
    if ((ts.isPropertyAssignment(p) || ts.isVariableDeclaration(p) || ts.isParameter(p) || ts.isFunctionLike(p) || ts.isBindingElement(p)) && (p as ts.NamedDeclaration).name === n) return false;
  }
  return true;
}

function enclosingFunction(n: ts.Node): ts.FunctionLikeDeclaration | undefined {
  for (let p: ts.Node | undefined = n.parent; p; p = p.parent) if (ts.isFunctionLike(p)) return p as ts.FunctionLikeDeclaration;
  return undefined;
}

function short(text: string): string {
  return text.length <= 40 ? text : `${text.slice(0, 37)}…`;
}

interface HelperNames {
  /** False when no function of the project that may transfer can be what `call` calls. */
  mayCall(call: ts.CallExpression): boolean;
}

const helperNamesCache = new WeakMap<ts.Program, Map<RegExp, HelperNames>>();
// Text that a sink with a transfer list needs: `postMessage(msg, [buf])`, `structuredClone(v,
// { transfer })`, `{ transferList }`, comlink's `transfer()`, piscina's `move()`.
const mayTransferText = /postMessage|structuredClone|\btransfer(?:List)?\b|\bmove\s*\(/;
// Text a helper that closes a port or channel, or terminates a worker, needs.
const mayCloseText = /\.\s*(?:close|terminate)\s*\(/;

/**
 * The functions of one parsed file with the names their bodies call, walked once per file version:
 * an unchanged file keeps its SourceFile from program to program, so an edit walks only itself.
 */
interface FileFunction {
  name: string;
  calls: Set<string>;
  /** The body's text span, tested against what a helper needs (a transfer, a close). */
  pos: number;
  end: number;
}
const fileFunctions = new WeakMap<ts.SourceFile, { functions: readonly FileFunction[]; hits: Map<RegExp, readonly boolean[]> }>();

/** This file's functions as fresh records for one program's fixed point, `hit` when the body's text matches. */
function functionsOf(sf: ts.SourceFile, mayHitText: RegExp): { name: string; calls: Set<string>; hit: boolean }[] {
  let entry = fileFunctions.get(sf);
  if (!entry) {
    const functions: FileFunction[] = [];
    const visit = (n: ts.Node): void => {
      let name: string | undefined;
      let body: ts.Node | undefined;
      if ((ts.isFunctionDeclaration(n) || ts.isMethodDeclaration(n)) && n.body) {
        body = n.body;
        name = n.name && (ts.isIdentifier(n.name) || ts.isStringLiteral(n.name) || ts.isPrivateIdentifier(n.name)) ? n.name.text : '';
      } else if (ts.isVariableDeclaration(n) && ts.isIdentifier(n.name) && n.initializer && (ts.isArrowFunction(n.initializer) || ts.isFunctionExpression(n.initializer))) {
        body = n.initializer.body;
        name = n.name.text;
      }
      if (body && name !== undefined) {
        const calls = new Set<string>();
        const collect = (c: ts.Node): void => {
          if (ts.isCallExpression(c)) {
            const callee = calleeName(c);
            if (callee) calls.add(callee);
          }
          ts.forEachChild(c, collect);
        };
        collect(body);
        functions.push({ name, calls, pos: body.pos, end: body.end });
      }
      ts.forEachChild(n, visit);
    };
    visit(sf);
    entry = { functions, hits: new Map() };
    fileFunctions.set(sf, entry);
  }
  let hits = entry.hits.get(mayHitText);
  if (!hits) {
    hits = entry.functions.map((f) => mayHitText.test(sf.text.slice(f.pos, f.end)));
    entry.hits.set(mayHitText, hits);
  }
  return entry.functions.map((f, i) => ({ name: f.name, calls: f.calls, hit: hits[i] }));
}

// The names are a matter of text and syntax alone (names, the names their bodies call, a regex over
// each body), found over every file of the program. An edit builds a new program whose other files
// are the very same parsed files: when the edited file's functions have the same names, calls and
// hits as before, the fixed point below reaches the same names, so they carry over.
let lastHelperNames: { files: readonly ts.SourceFile[]; cache: Map<RegExp, HelperNames> } | undefined;

function carryHelperNames(before: readonly ts.SourceFile[], now: readonly ts.SourceFile[], from: Map<RegExp, HelperNames>, into: Map<RegExp, HelperNames>): void {
  if (before.length !== now.length) return;
  let was: ts.SourceFile | undefined;
  let is: ts.SourceFile | undefined;
  for (let i = 0; i < before.length; i++) {
    if (before[i] === now[i]) continue;
    if (was || before[i].fileName !== now[i].fileName) return;
    was = before[i];
    is = now[i];
  }
  for (const [re, names] of from) {
    if (was && is && !was.isDeclarationFile && !sameFunctions(functionsOf(was, re), functionsOf(is, re))) continue;
    into.set(re, names);
  }
}

function sameFunctions(a: { name: string; calls: Set<string>; hit: boolean }[], b: { name: string; calls: Set<string>; hit: boolean }[]): boolean {
  return a.length === b.length && a.every((f, i) => f.name === b[i].name && f.hit === b[i].hit && f.calls.size === b[i].calls.size && [...f.calls].every((c) => b[i].calls.has(c)));
}

/**
 * The names under which a call can reach a helper that transfers: the project's functions and
 * methods whose body may hold a sink with a transfer list, or that call (by name) one that does, to a fixed point; plus,
 * per file, the local names of default and renamed imports. Resolving the callee of every call in
 * a file is what made the timeline most of a cold scan on generic-heavy code (effect's src/: 40 %
 * of the run in overload resolution for calls that cannot transfer anything), so a call whose
 * name is not here is not resolved. Names, not symbols: a superset, never a miss.
 */
function helperNamesOf(program: ts.Program, mayHitText: RegExp): HelperNames {
  let cache = helperNamesCache.get(program);
  if (!cache) {
    cache = new Map<RegExp, HelperNames>();
    helperNamesCache.set(program, cache);
    const files = program.getSourceFiles();
    try {
      if (lastHelperNames) carryHelperNames(lastHelperNames.files, files, lastHelperNames.cache, cache);
    } catch {
      cache.clear(); // a shape we did not foresee: compute again
    }
    lastHelperNames = { files, cache };
  }
  const cached = cache.get(mayHitText);
  if (cached) return cached;
  const functions: { name: string; calls: Set<string>; hit: boolean }[] = [];
  for (const sf of program.getSourceFiles()) {
    if (sf.isDeclarationFile || isLibraryFile(program, sf)) continue;
    // Fresh records per program: the fixed point below marks them.
    for (const f of functionsOf(sf, mayHitText)) functions.push(f);
  }
  const names = new Set<string>();
  let anonymous = false;
  // As deep as helpers are followed (summaryOf stops at maxHelperDepth).
  for (let changed = true, rounds = 0; changed && rounds <= maxHelperDepth; rounds++) {
    changed = false;
    for (const f of functions) {
      if (f.hit || [...f.calls].some((c) => names.has(c))) {
        if (f.name === '') anonymous = true;
        else if (!names.has(f.name)) {
          names.add(f.name);
          changed = true;
        }
        f.hit = true;
      }
    }
  }
  // A default or renamed import calls the helper under a local name of the importing file's own.
  const aliases = new WeakMap<ts.SourceFile, Set<string>>();
  const aliasesOf = (sf: ts.SourceFile): Set<string> => {
    let set = aliases.get(sf);
    if (set) return set;
    set = new Set();
    for (const st of sf.statements) {
      const clause = ts.isImportDeclaration(st) ? st.importClause : undefined;
      if (!clause) continue;
      if (clause.name && (anonymous || names.size > 0)) set.add(clause.name.text);
      if (clause.namedBindings && ts.isNamedImports(clause.namedBindings))
        for (const el of clause.namedBindings.elements) if (el.propertyName && (names.has(el.propertyName.text) || el.propertyName.text === 'default')) set.add(el.name.text);
    }
    aliases.set(sf, set);
    return set;
  };
  const result: HelperNames = {
    mayCall(call) {
      const name = calleeName(call);
      if (name === undefined) return true;
      return names.has(name) || aliasesOf(call.getSourceFile()).has(name);
    },
  };
  cache.set(mayHitText, result);
  return result;
}

function helperName(call: ts.CallExpression): string {
  const e = call.expression;
  if (ts.isIdentifier(e)) return e.text;
  if (ts.isPropertyAccessExpression(e)) return `${e.expression.kind === ts.SyntaxKind.ThisKeyword ? 'this' : e.expression.getText().length <= 30 ? e.expression.getText() : '…'}.${e.name.text}`;
  return 'the helper';
}

function thisKey(thisNode: ts.Node): string {
  return `this@${classPos(thisNode)}`;
}

function classPos(n: ts.Node): number {
  for (let p: ts.Node | undefined = n.parent; p; p = p.parent) if (ts.isClassLike(p)) return p.pos;
  return -1;
}

function declaredWithin(decl: ts.Node | undefined, container: ts.Node): boolean {
  return !!decl && decl.getSourceFile() === container.getSourceFile() && decl.getStart() >= container.getStart() && decl.getEnd() <= container.getEnd();
}

/** `n` runs on every run of `container`: no branch, loop or function between them. */
export function unconditionalIn(n: ts.Node, container: ts.Node): boolean {
  for (let p: ts.Node | undefined = n.parent; p && p !== container; p = p.parent) {
    if (isBranch(p, n) || ts.isFunctionLike(p)) return false;
    if (ts.isIterationStatement(p, false) && p !== container) return false;
  }
  return true;
}

function isBranch(p: ts.Node, from: ts.Node): boolean {
  if (ts.isIfStatement(p)) return from !== p.expression && !isWithin(from, p.expression);
  if (ts.isConditionalExpression(p)) return !isWithin(from, p.condition);
  if (ts.isBinaryExpression(p)) {
    const k = p.operatorToken.kind;
    return (k === ts.SyntaxKind.AmpersandAmpersandToken || k === ts.SyntaxKind.BarBarToken || k === ts.SyntaxKind.QuestionQuestionToken || k === ts.SyntaxKind.AmpersandAmpersandEqualsToken || k === ts.SyntaxKind.BarBarEqualsToken || k === ts.SyntaxKind.QuestionQuestionEqualsToken) && isWithin(from, p.right);
  }
  return ts.isCaseClause(p) || ts.isDefaultClause(p) || ts.isCatchClause(p) || (ts.isCallExpression(p) && p.questionDotToken !== undefined) || ts.isPropertyAccessChain(p);
}

function isWithin(n: ts.Node, container: ts.Node): boolean {
  return n.getStart() >= container.getStart() && n.getEnd() <= container.getEnd();
}

/**
 * `a` runs before `b` whenever `b` runs: `a` comes first in the same function, and between `a` and
 * the innermost node holding both there is no branch or loop that could skip `a`.
 */
export function runsBefore(a: ts.Node, b: ts.Node): boolean {
  if (a.getEnd() > b.getStart()) return false;
  const scopeA = scopeOf(a);
  // `b` may sit in a closure defined after `a` (it runs later still); `a` may not sit in one `b` is outside of.
  let common: ts.Node | undefined = a.parent;
  while (common && !isWithin(b, common)) common = common.parent;
  if (!common) return false;
  if (!isWithin(common, scopeA) && common !== scopeA) return false;
  for (let p: ts.Node | undefined = a.parent; p && p !== common; p = p.parent) {
    if (isBranch(p, a) || ts.isFunctionLike(p) || ts.isIterationStatement(p, false)) return false;
  }
  // `a` and `b` in two arms of one branch (then/else, two cases, try/catch) never both run in that order.
  if (ts.isIfStatement(common) || ts.isConditionalExpression(common) || ts.isCaseBlock(common)) return isWithin(a, ts.isIfStatement(common) ? common.expression : ts.isConditionalExpression(common) ? common.condition : common.parent.expression);
  // In a `catch` or `finally` after the `try` that holds `a`: `a` may not have run.
  if (ts.isTryStatement(common)) return false;
  return true;
}

/** A function passed where it is called again and again: array iteration, `setInterval`, an event listener, an `onmessage` handler. */
export function isRepeatingCallback(fn: ts.Node): boolean {
  const p = fn.parent;
  if (ts.isCallExpression(p) && p.arguments.includes(fn as ts.Expression)) {
    const callee = p.expression;
    const name = ts.isIdentifier(callee) ? callee.text : ts.isPropertyAccessExpression(callee) ? callee.name.text : '';
    return repeatingCallees.has(name);
  }
  if (ts.isBinaryExpression(p) && p.right === fn && p.operatorToken.kind === ts.SyntaxKind.EqualsToken && ts.isPropertyAccessExpression(p.left)) return /^on(?:message|data|frame|tick)$/.test(p.left.name.text);
  return false;
}

/** The loop body ends (break/return/throw) after `at`, on the path `at` is on: the loop does not come round to it again. */
function exitsAfter(at: ts.Node, loop: ts.Node): boolean {
  for (let child: ts.Node = at; child.parent && child !== loop; child = child.parent) {
    const parent = child.parent;
    if (ts.isBlock(parent) || ts.isCaseClause(parent) || ts.isDefaultClause(parent)) {
      const stmts = parent.statements;
      const i = stmts.indexOf(child as ts.Statement);
      if (i >= 0 && stmts.slice(i + 1).some((s) => ts.isBreakStatement(s) || ts.isReturnStatement(s) || ts.isThrowStatement(s))) return true;
    }
  }
  return false;
}

/**
 * A transfer in a branch the loop takes once: `if (i === 0)`, or `if (!sent) { ...; sent = true }`.
 */
function guardedOnce(at: ts.Node, loop: ts.Node): boolean {
  for (let p: ts.Node | undefined = at.parent; p && p !== loop; p = p.parent) {
    if (!ts.isIfStatement(p) || isWithin(at, p.expression)) continue;
    const cond = p.expression;
    if (ts.isBinaryExpression(cond) && /^(?:===|==)$/.test(cond.operatorToken.getText()) && (ts.isNumericLiteral(cond.right) || ts.isNumericLiteral(cond.left) || ts.isStringLiteralLike(cond.right))) return true;
    const flags = new Set<string>();
    const collect = (n: ts.Node): void => {
      if (ts.isIdentifier(n)) flags.add(n.text);
      ts.forEachChild(n, collect);
    };
    collect(cond);
    let setsFlag = false;
    const visit = (n: ts.Node): void => {
      if (isAssignmentTarget(n) && ts.isIdentifier(n) && flags.has(n.text)) setsFlag = true;
      ts.forEachChild(n, visit);
    };
    visit(p.thenStatement);
    if (setsFlag) return true;
  }
  return false;
}
