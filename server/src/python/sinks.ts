import * as path from 'node:path';
import type { PythonSerializer, SendcheckConfig } from '../engine/config';
import { librarySerializers, types, type Role, type Transport } from './knowledge';
import type { CallSite, ClassInfo, ModuleModel } from './model';
import type { Node } from './parser';
import { callArgs, callSplats, classChain, lookup, processStarted, type ConcreteMethod, type Evaluator, type Value } from './resolve';

// Where a value crosses into another process, and how: which arguments, through which
// serializer, to a child started how. Thread pools and threading.Thread are not sinks.

export interface SentArgument {
  /** First path segment: `args`, `target`, `func`, `obj`... Containers add `[i]`. */
  label: string;
  node: Node;
  /** For map-like sinks: the argument is an iterable whose items are sent (`[i]` per item, twice for starmap). */
  items?: 1 | 2;
}

export interface Sink {
  call: CallSite;
  /** e.g. `Process`, `Pool.map`, `pickle.dumps`. */
  name: string;
  transport: Transport;
  serializer: PythonSerializer;
  method: ConcreteMethod;
  sent: SentArgument[];
}

const sinkMethodNames = new Set([
  'Process',
  'Pool',
  'ProcessPoolExecutor',
  'map',
  'imap',
  'imap_unordered',
  'starmap',
  'apply',
  'apply_async',
  'map_async',
  'starmap_async',
  'submit',
  // dask.array.store(..., lock=...) under a distributed Client.
  'store',
  'put',
  'put_nowait',
  // Manager dict and list proxies (`shared.update(...)`, `results.append(...)`).
  'update',
  'setdefault',
  'append',
  'insert',
  'extend',
  'send',
  'dump',
  'dumps',
  'run_in_executor',
  'scatter',
  'get_reusable_executor',
  'store',
  'DataLoader',
  'remote',
]);

const poolMethods: Record<string, 'func+args' | 'func+iter' | 'func+stariter'> = {
  apply: 'func+args',
  apply_async: 'func+args',
  map: 'func+iter',
  map_async: 'func+iter',
  imap: 'func+iter',
  imap_unordered: 'func+iter',
  starmap: 'func+stariter',
  starmap_async: 'func+stariter',
};

function serializerFor(library: string, config: SendcheckConfig): PythonSerializer {
  return config.python.serializer[library] ?? librarySerializers[library] ?? 'pickle';
}

/** Cheap syntactic test before any evaluation: most calls in a file are not sinks. */
function mayBeSink(call: Node, scope: CallSite['scope'], userNames: Set<string>): boolean {
  const fn = call.childForFieldName('function');
  if (!fn) return false;
  if (fn.type === 'call') return true;
  const last = fn.type === 'attribute' ? fn.childForFieldName('attribute')?.text : fn.type === 'identifier' ? fn.text : undefined;
  if (!last) return false;
  if (sinkMethodNames.has(last) || userNames.has(last)) return true;
  // An aliased constructor (`from multiprocessing import Process as P`) is an import; a
  // workspace class may derive from Process.
  if (fn.type === 'identifier') {
    const b = lookup(fn.text, scope, fn);
    return b?.kind === 'import' || b?.kind === 'class';
  }
  return false;
}

export function findSinks(model: ModuleModel, ev: Evaluator, config: SendcheckConfig, defaultMethod: ConcreteMethod): Sink[] {
  const userSinks = config.sinks.filter((s) => s.language === 'python');
  const userNames = new Set(userSinks.map((s) => s.function.split('.').pop()!));
  const out: Sink[] = [];
  for (const site of model.calls) {
    if (!mayBeSink(site.node, site.scope, userNames)) continue;
    const sink = sinkAt(site, ev, config, defaultMethod, userSinks);
    if (sink) out.push(sink);
  }
  out.push(...proxyWriteSinks(model, ev, config, defaultMethod));
  return out;
}

const proxyWriteNames = { 'proxy-dict': 'Manager().dict()', 'proxy-namespace': 'Manager().Namespace()' } as const;

/**
 * `shared[key] = value` on a Manager dict proxy and `ns.name = value` on a Manager Namespace
 * proxy: the proxy pickles the value to the manager process at the write (the write raises in
 * the writer; the lock or lambda never reaches the dict).
 */
function proxyWriteSinks(model: ModuleModel, ev: Evaluator, config: SendcheckConfig, defaultMethod: ConcreteMethod): Sink[] {
  const out: Sink[] = [];
  for (const w of model.itemWrites) {
    // Cheap test first: only a name or attribute chain can hold a proxy.
    if (w.object.type !== 'identifier' && w.object.type !== 'attribute') continue;
    let v = ev.eval(w.object, w.scope);
    // `def install(settings): settings.fmt = ...`: the proxy its callers in this module pass.
    if (v.kind === 'param' && v.index >= 0 && !v.attrs && !v.element) v = ev.paramOrigins(v.fn, v.index, v.name, 1);
    const options = v.kind === 'union' ? v.options : [v];
    const proxy = options.find((o) => o.kind === 'object' && (types[o.type]?.role === (w.subscript ? 'proxy-dict' : 'proxy-namespace')));
    if (proxy?.kind !== 'object') continue;
    const role = types[proxy.type].role as keyof typeof proxyWriteNames;
    const label = w.subscript ? `${short(w.object.text)}[${short(w.target.childForFieldName('subscript')?.text ?? '')}]` : short(w.target.text);
    out.push({
      call: { node: w.target.parent!, scope: w.scope },
      name: proxyWriteNames[role],
      transport: 'task',
      serializer: serializerFor(proxy.library, config),
      method: proxy.method ?? defaultMethod,
      sent: [{ label, node: w.value }],
    });
  }
  return out;
}

function short(text: string): string {
  const one = text.replace(/\s+/g, ' ');
  return one.length > 30 ? `${one.slice(0, 27)}…` : one;
}

/** The sink at one call, evaluated with `ev` (which may bind the enclosing function's parameters to one caller's arguments). */
export function sinkAtCall(site: CallSite, ev: Evaluator, config: SendcheckConfig, defaultMethod: ConcreteMethod): Sink | undefined {
  const userSinks = config.sinks.filter((s) => s.language === 'python');
  if (!mayBeSink(site.node, site.scope, new Set(userSinks.map((s) => s.function.split('.').pop()!)))) return undefined;
  return sinkAt(site, ev, config, defaultMethod, userSinks);
}

function sinkAt(site: CallSite, ev: Evaluator, config: SendcheckConfig, defaultMethod: ConcreteMethod, userSinks: SendcheckConfig['sinks']): Sink | undefined {
  const call = site.node;
  const fnNode = call.childForFieldName('function')!;
  const { positional, keywords } = callArgs(call);
  const arg = (index: number, name?: string): Node | undefined => (name ? keywords.get(name) : undefined) ?? (index >= 0 ? positional[index] : undefined);
  const sent: SentArgument[] = [];
  const add = (label: string, node: Node | undefined, items?: 1 | 2) => {
    if (node) sent.push({ label, node, items });
  };
  const splats = callSplats(call);
  // `submit(fn, *args, **kwargs)`: the items of what a splat unpacks are sent too.
  const restArgs = (from: number) => {
    positional.slice(from).forEach((n, i) => add(`args[${i}]`, n));
    for (const s of splats) if (s.star === 'args') add(`*${s.inner.text}`, s.inner, 1);
  };
  const restKeywords = (skip: string[] = []) => {
    for (const [k, n] of keywords) if (!skip.includes(k)) add(`kwargs[${k}]`, n);
    for (const s of splats) if (s.star === 'kwargs') add(`**${s.inner.text}`, s.inner);
  };
  const make = (name: string, transport: Transport, library: string, method: ConcreteMethod | undefined): Sink | undefined =>
    sent.length ? { call: site, name, transport, serializer: serializerFor(library, config), method: method ?? defaultMethod, sent } : undefined;

  // joblib: delayed(f)(*args, **kwargs)
  if (fnNode.type === 'call') {
    const inner = ev.eval(fnNode.childForFieldName('function')!, site.scope);
    if (inner.kind === 'ref' && inner.qname === 'joblib.delayed') {
      const innerArgs = callArgs(fnNode);
      add('func', innerArgs.positional[0]);
      restArgs(0);
      restKeywords();
      const sink = make('joblib.delayed', 'task', 'joblib', undefined);
      // joblib's `multiprocessing` backend sends tasks through a multiprocessing Pool with plain
      // pickle (lambdas fail there); loky, the default, uses cloudpickle.
      return sink && (joblibBackend(call, site.scope, ev) ?? contextBackend(call, site.scope, ev)) === 'multiprocessing' ? { ...sink, serializer: 'pickle' } : sink;
    }
    // dask: `delayed(f)(*args)` computed by the processes scheduler in the same scope
    // (`dask.compute(*parts, scheduler="processes")`, `total.compute(scheduler="processes")`):
    // the task and its arguments are cloudpickled to the worker processes. Under the default
    // threaded scheduler nothing is pickled.
    if (inner.kind === 'ref' && (inner.qname === 'dask.delayed' || inner.qname === 'dask.delayed.delayed')) {
      if (!daskProcesses(site, ev)) return undefined;
      const innerArgs = callArgs(fnNode);
      add('func', innerArgs.positional[0]);
      restArgs(0);
      restKeywords(['dask_key_name', 'pure']);
      return make('dask.delayed', 'task', 'dask', 'spawn');
    }
    return undefined;
  }

  // Ray: `f.remote(*args)` of an `@ray.remote` function, `Actor.remote(*args)` of an actor class,
  // also through `.options(...)`, and `handle.method.remote(*args)` of an actor's handle: the
  // arguments go to a worker process through Ray's serializer (cloudpickle).
  if (fnNode.type === 'attribute' && fnNode.childForFieldName('attribute')?.text === 'remote') {
    const remoteObj = fnNode.childForFieldName('object')!;
    if (!ev.rayRemote(remoteObj, site.scope)) return undefined;
    // The remote function itself is exported with cloudpickle (by value when defined in the
    // script or nested): what it reads from globals or closure cells goes with it.
    const fnValue = ev.eval(remoteObj, site.scope);
    if (fnValue.kind === 'function' || fnValue.kind === 'lambda') add('func', remoteObj);
    restArgs(0);
    restKeywords();
    return make('ray.remote', 'task', 'ray', undefined);
  }

  const callee: Value = ev.eval(fnNode, site.scope);
  // `arr.store(target, lock=threading.Lock())`: the method form of `da.store`. The array is rarely
  // known (`da.from_array(...)`, a parameter), so the call must have a lock keyword, sit in a
  // module that imports dask, be on no workspace object, and run where a distributed Client or
  // the processes scheduler is (the same gate as `da.store`).
  if (fnNode.type === 'attribute' && fnNode.childForFieldName('attribute')?.text === 'store' && (callee.kind === 'unknown' || (callee.kind === 'param' && callee.attrs))) {
    const lockArg = keywords.get('lock');
    if (!lockArg || /^(?:True|False|None)$/.test(lockArg.text) || !importsDask(site.scope.module)) return undefined;
    if (!storeLeavesProcess(site, ev)) return undefined;
    add('lock', lockArg);
    return make('Array.store', 'task', 'dask', 'spawn');
  }
  if (callee.kind === 'class') {
    // A subclass of Process is pickled whole, attributes and all, when a spawned child starts.
    const base = processBase(callee.cls, ev);
    if (!base || !processStarted(call, site.scope)) return undefined;
    add(`${callee.cls.name}(...)`, call);
    return gateSpawn(make('Process', 'spawn-args', base.library, base.method), defaultMethod);
  }
  if (callee.kind === 'ref') {
    const q = callee.qname;
    for (const u of userSinks) {
      if (q !== `${u.module}.${u.function}`) continue;
      const indices = u.args ?? (u.keywords ? [] : positional.map((_, i) => i));
      for (const i of indices) add(`args[${i}]`, positional[i]);
      for (const k of u.keywords ?? []) add(`kwargs[${k}]`, keywords.get(k));
      const serializer = u.serializer === 'cloudpickle' || u.serializer === 'dill' ? u.serializer : 'pickle';
      return sent.length ? { call: site, name: q, transport: 'pickle', serializer, method: defaultMethod, sent } : undefined;
    }
    switch (q) {
      case 'multiprocessing.Process':
        return processSink(site, arg, add, make, callee.library, undefined, defaultMethod);
      case 'torch.utils.data.DataLoader':
      case 'torch.utils.data.dataloader.DataLoader':
        return dataLoaderSink(site, arg, add, make, ev, defaultMethod);
      case 'multiprocessing.Pool':
      case 'multiprocessing.pool.Pool':
        add('initializer', arg(1, 'initializer'));
        add('initargs', arg(2, 'initargs'));
        return gateSpawn(make('Pool', 'spawn-args', callee.library, undefined), defaultMethod);
      case 'concurrent.futures.ProcessPoolExecutor':
      case 'concurrent.futures.process.ProcessPoolExecutor':
      case 'loky.ProcessPoolExecutor':
      case 'loky.get_reusable_executor': {
        add('initializer', arg(2, 'initializer'));
        add('initargs', arg(3, 'initargs'));
        const made = ev.eval(call, site.scope);
        const method = made.kind === 'object' ? made.method : undefined;
        return gateSpawn(make('ProcessPoolExecutor', 'spawn-args', callee.library, method), defaultMethod);
      }
      case 'sklearn.model_selection.GridSearchCV':
      case 'sklearn.model_selection.RandomizedSearchCV':
      case 'sklearn.model_selection.cross_val_score':
      case 'sklearn.model_selection.cross_validate':
      case 'sklearn.model_selection.cross_val_predict': {
        // With `n_jobs` other than None/1, each fit sends a clone of the estimator to joblib's
        // loky workers (cloudpickle: lambdas cross, locks and open handles do not).
        const jobs = keywords.get('n_jobs');
        if (!jobs || /^(?:None|1)$/.test(jobs.text)) return undefined;
        add('estimator', arg(0, 'estimator'));
        const sink = make(q.slice(q.lastIndexOf('.') + 1), 'task', 'joblib', undefined);
        // Inside `with parallel_backend("multiprocessing")` joblib sends through a multiprocessing
        // Pool with the standard pickler.
        const backend = contextBackend(call, site.scope, ev) ?? (q.endsWith('CV') ? fitBackend(call, site.scope, ev) : undefined);
        return sink && backend === 'multiprocessing' ? { ...sink, serializer: 'pickle' } : sink;
      }
      case 'dask.array.store':
      case 'dask.array.core.store': {
        // `da.store(x, target, lock=threading.Lock())`: the lock goes into the task graph, which a
        // distributed scheduler (a `Client` with worker processes made in this module) or the
        // processes scheduler cloudpickles to its workers, so it must be a `distributed.Lock`
        // (dask/distributed#780). The threaded default keeps it in this process.
        const lockArg = arg(2, 'lock');
        if (!lockArg || /^(?:True|False|None)$/.test(lockArg.text)) return undefined;
        if (!storeLeavesProcess(site, ev)) return undefined;
        add('lock', lockArg);
        return make('dask.array.store', 'task', 'dask', 'spawn');
      }
      case 'pickle.dump':
      case 'pickle.dumps':
      case 'pickle._dumps':
      case 'cloudpickle.dumps':
      case 'cloudpickle.dump':
      case 'dill.dump':
      case 'dill.dumps':
      case 'ray.put':
        add('obj', arg(0, 'obj') ?? arg(0, 'value'));
        return make(q, 'pickle', callee.library, undefined);
      default:
        return undefined;
    }
  }
  if (callee.kind !== 'method' || callee.self.kind !== 'object') return undefined;
  const self = callee.self;
  const role = types[self.type]?.role as Role | undefined;
  const name = callee.name;
  switch (role) {
    case 'mp-context':
      if (name === 'Process') return processSink(site, arg, add, make, self.library, self.method, defaultMethod);
      if (name === 'Pool') {
        add('initializer', arg(1, 'initializer'));
        add('initargs', arg(2, 'initargs'));
        return gateSpawn(make('Pool', 'spawn-args', self.library, self.method), defaultMethod);
      }
      return undefined;
    case 'process-pool': {
      const shape = poolMethods[name];
      if (!shape) return undefined;
      add('func', arg(0, 'func'));
      if (shape === 'func+args') {
        add('args', arg(1, 'args'));
        add('kwds', arg(2, 'kwds'));
      } else add('iterable', arg(1, 'iterable'), shape === 'func+stariter' ? 2 : 1);
      return make(`Pool.${name}`, 'task', self.library, self.method);
    }
    case 'process-executor':
      if (name === 'submit') {
        add('fn', arg(0, 'fn'));
        restArgs(1);
        restKeywords(['fn']);
        return make('ProcessPoolExecutor.submit', 'task', self.library, self.method);
      }
      if (name === 'map') {
        add('fn', arg(0, 'fn'));
        positional.slice(1).forEach((n, i) => add(`iterables[${i}]`, n, 1));
        return make('ProcessPoolExecutor.map', 'task', self.library, self.method);
      }
      return undefined;
    case 'proxy-dict':
    case 'proxy-list':
    case 'proxy-namespace': {
      // `shared.update(...)`, `results.append(row)`: the arguments are pickled to the manager.
      const which = role === 'proxy-list' ? 'Manager().list()' : role === 'proxy-dict' ? 'Manager().dict()' : undefined;
      if (!which) return undefined;
      if (role === 'proxy-dict' && name === 'update') {
        add('other', arg(0, 'other'));
        restKeywords();
      } else if (role === 'proxy-dict' && name === 'setdefault') add('default', arg(1, 'default'));
      else if (role === 'proxy-list' && name === 'append') add('obj', arg(0, 'object'));
      else if (role === 'proxy-list' && name === 'insert') add('obj', arg(1, 'object'));
      else if (role === 'proxy-list' && name === 'extend') add('iterable', arg(0, 'iterable'), 1);
      else return undefined;
      return make(`${which}.${name}`, 'task', self.library, self.method);
    }
    case 'mp-queue':
    case 'proxy-queue':
      if (name !== 'put' && name !== 'put_nowait') return undefined;
      add('obj', arg(0, 'obj'));
      return make(`${role === 'mp-queue' ? 'Queue' : 'Manager().Queue'}.${name}`, 'task', self.library, self.method);
    case 'connection':
      if (name !== 'send') return undefined;
      add('obj', arg(0, 'obj'));
      return make('Connection.send', 'task', self.library, self.method);
    case 'dask-client':
      if (name === 'submit') {
        add('func', arg(0, 'func'));
        restArgs(1);
        restKeywords(['func', 'key', 'workers', 'pure', 'priority', 'resources', 'retries']);
        return make('Client.submit', 'task', self.library, 'spawn');
      }
      if (name === 'map') {
        add('func', arg(0, 'func'));
        positional.slice(1).forEach((n, i) => add(`iterables[${i}]`, n, 1));
        return make('Client.map', 'task', self.library, 'spawn');
      }
      if (name === 'scatter') {
        add('data', arg(0, 'data'));
        return make('Client.scatter', 'task', self.library, 'spawn');
      }
      return undefined;
    case 'event-loop': {
      if (name !== 'run_in_executor') return undefined;
      const exNode = arg(0, 'executor');
      if (!exNode) return undefined;
      let found = ev.eval(exNode, site.scope);
      // `async def export_all(pool, ...)`: the executor its callers in this module pass.
      if (found.kind === 'param' && !found.attrs && !found.element) found = ev.paramOrigins(found.fn, found.index, found.name, 1);
      const ex = (found.kind === 'union' ? found.options : [found]).find((o) => o.kind === 'object' && types[o.type]?.role === 'process-executor');
      if (ex?.kind !== 'object') return undefined;
      add('func', arg(1, 'func'));
      restArgs(2);
      return make('loop.run_in_executor', 'task', ex.library, ex.method);
    }
    default:
      return undefined;
  }
}

/** The multiprocessing Process class a workspace class derives from, with its context's start method. */
function processBase(cls: ClassInfo, ev: Evaluator): { library: string; method?: ConcreteMethod } | undefined {
  for (const c of classChain(cls, ev))
    for (const b of c.bases) {
      const v = ev.eval(b, c.outer);
      if (v.kind === 'ref' && v.qname === 'multiprocessing.Process') return { library: v.library };
      if (v.kind === 'method' && v.name === 'Process' && v.self.kind === 'object' && v.self.type === 'multiprocessing.context')
        return { library: v.self.library, method: v.self.method };
    }
  return undefined;
}

/** Under fork a child inherits its target and arguments: nothing is pickled, everything is copied. */
function gateSpawn(sink: Sink | undefined, defaultMethod: ConcreteMethod): Sink | undefined {
  if (!sink) return undefined;
  return (sink.method ?? defaultMethod) === 'fork' ? { ...sink, transport: 'fork-copy' } : sink;
}

function processSink(
  site: CallSite,
  arg: (index: number, name?: string) => Node | undefined,
  add: (label: string, node: Node | undefined) => void,
  make: (name: string, transport: Transport, library: string, method: ConcreteMethod | undefined) => Sink | undefined,
  library: string,
  method: ConcreteMethod | undefined,
  defaultMethod: ConcreteMethod,
): Sink | undefined {
  // A Process pickles its target and arguments when it is started, not when it is made.
  if (!processStarted(site.node, site.scope)) return undefined;
  add('target', arg(1, 'target'));
  add('args', arg(3, 'args'));
  add('kwargs', arg(4, 'kwargs'));
  return gateSpawn(make('Process', 'spawn-args', library, method), defaultMethod);
}

/** A call that starts child processes: where a spawned child's bootstrap would start them again. */
export interface ProcessStart {
  call: CallSite;
  /** How the message names it: `Pool(...)`, `Process.start()`, `ProcessPoolExecutor.map`... */
  what: string;
  method: ConcreteMethod;
}

/**
 * The call at `site` starts child processes right away: a Pool or a Manager (their workers or
 * server start in the constructor), `Process.start()`, and the first `submit`/`map` of a process
 * executor (its workers start on demand). Thread pools start no process.
 */
export function processStartAt(site: CallSite, ev: Evaluator, defaultMethod: ConcreteMethod): ProcessStart | undefined {
  const fnNode = site.node.childForFieldName('function');
  if (!fnNode || (fnNode.type !== 'identifier' && fnNode.type !== 'attribute')) return undefined;
  const last = fnNode.type === 'attribute' ? fnNode.childForFieldName('attribute')!.text : fnNode.text;
  if (!startWords.has(last)) return undefined;
  const make = (what: string, method: ConcreteMethod | undefined): ProcessStart => ({ call: site, what, method: method ?? defaultMethod });
  if (last === 'start') {
    const receiver = fnNode.type === 'attribute' ? fnNode.childForFieldName('object') : null;
    const made = receiver ? processCreation(receiver, site.scope, ev) : undefined;
    return made ? make(`${made.name}.start()`, made.method) : undefined;
  }
  const callee = ev.eval(fnNode, site.scope);
  if (callee.kind === 'ref') {
    if (callee.qname === 'multiprocessing.Pool' || callee.qname === 'multiprocessing.pool.Pool') return make('Pool(...)', undefined);
    if (callee.qname === 'multiprocessing.Manager') return make('Manager()', undefined);
    return undefined;
  }
  if (callee.kind !== 'method' || callee.self.kind !== 'object') return undefined;
  const role = types[callee.self.type]?.role;
  if (role === 'mp-context' && (last === 'Pool' || last === 'Manager')) return make(`${last === 'Pool' ? 'Pool(...)' : 'Manager()'}`, callee.self.method);
  if (role === 'process-executor' && (last === 'submit' || last === 'map') && callee.self.library === 'concurrent')
    return make(`ProcessPoolExecutor.${last}`, callee.self.method);
  return undefined;
}

const startWords = new Set(['start', 'Pool', 'Manager', 'submit', 'map']);

/** `Process(...)`, `ctx.Process(...)` or a Process subclass, written at `node` or assigned once to the name `node` reads. */
function processCreation(node: Node, scope: CallSite['scope'], ev: Evaluator, hops = 0): { name: string; method?: ConcreteMethod } | undefined {
  if (node.type === 'identifier' && hops === 0) {
    const b = lookup(node.text, scope, node);
    if (b?.kind !== 'value' || b.unpack.length) return undefined;
    return processCreation(b.value, b.scope, ev, hops + 1);
  }
  if (node.type !== 'call') return undefined;
  const callee = ev.eval(node.childForFieldName('function')!, scope);
  if (callee.kind === 'ref' && callee.qname === 'multiprocessing.Process') return { name: 'Process' };
  if (callee.kind === 'method' && callee.name === 'Process' && callee.self.kind === 'object' && callee.self.type === 'multiprocessing.context')
    return { name: 'Process', method: callee.self.method };
  if (callee.kind === 'class') {
    const base = processBase(callee.cls, ev);
    if (base) return { name: callee.cls.name, method: base.method };
  }
  return undefined;
}

/**
 * PyTorch `DataLoader(dataset, num_workers=N)`: with workers, each worker is a Process whose
 * arguments are the dataset (with everything its `__init__` stored), `collate_fn` and
 * `worker_init_fn`; they are pickled when the workers are spawned (forkserver too) and inherited
 * under fork. The sampler and batch sampler stay in the main process (only indices travel).
 * `num_workers` left out or a literal 0 loads in the main process: no boundary. Any other
 * value (a setting, an expression) may be positive, and is taken as workers.
 */
function dataLoaderSink(
  site: CallSite,
  arg: (index: number, name?: string) => Node | undefined,
  add: (label: string, node: Node | undefined) => void,
  make: (name: string, transport: Transport, library: string, method: ConcreteMethod | undefined) => Sink | undefined,
  ev: Evaluator,
  defaultMethod: ConcreteMethod,
): Sink | undefined {
  const workers = arg(5, 'num_workers');
  if (!workers || /^0+$/.test(workers.text)) return undefined;
  add('dataset', arg(0, 'dataset'));
  add('collate_fn', arg(6, 'collate_fn'));
  add('worker_init_fn', arg(10, 'worker_init_fn'));
  let method: ConcreteMethod | undefined;
  const context = arg(11, 'multiprocessing_context');
  if (context) {
    method = ev.startMethodOf(context, site.scope);
    if (!method) {
      const c = ev.eval(context, site.scope);
      if (c.kind === 'object' && c.type === 'multiprocessing.context') method = c.method;
      // A context sendcheck cannot read could be any method: no finding rather than a guess.
      else if (context.type !== 'none') return undefined;
    }
  }
  return gateSpawn(make('DataLoader', 'spawn-args', 'torch', method), defaultMethod);
}

/** The `backend=` literal of the `Parallel(...)` that runs the `delayed(...)(...)` call at `task`. */
function joblibBackend(task: Node, scope: CallSite['scope'], ev: Evaluator): string | undefined {
  let n: Node | null = task.parent;
  for (let i = 0; n && i < 4 && n.type !== 'call'; i++) n = n.parent;
  const runner = n?.type === 'call' ? n.childForFieldName('function') : null;
  if (!runner) return undefined;
  let parallel: Node | undefined = runner.type === 'call' ? runner : undefined;
  if (runner.type === 'identifier') {
    const b = lookup(runner.text, scope, runner);
    if (b?.kind === 'value' && !b.unpack.length && b.value.type === 'call') parallel = b.value;
  }
  if (!parallel) return undefined;
  const callee = ev.eval(parallel.childForFieldName('function')!, scope);
  if (callee.kind !== 'ref' || callee.qname !== 'joblib.Parallel') return undefined;
  const backend = callArgs(parallel).keywords.get('backend');
  const text = backend?.type === 'string' ? backend.text.replace(/^['"]|['"]$/g, '') : undefined;
  return text;
}


const joblibContexts = new Set(['joblib.parallel_backend', 'joblib.parallel.parallel_backend', 'joblib.parallel_config', 'joblib.parallel.parallel_config']);

/**
 * The backend a `with joblib.parallel_backend("multiprocessing"):` (or `parallel_config(backend=...)`)
 * around `node` selects, in the same function: the innermost such block wins.
 */
function contextBackend(node: Node, scope: CallSite['scope'], ev: Evaluator): string | undefined {
  for (let n: Node | null = node.parent; n && n.type !== 'function_definition' && n.type !== 'class_definition' && n.type !== 'lambda'; n = n.parent) {
    if (n.type !== 'with_statement') continue;
    const clause = n.namedChildren.find((c) => c?.type === 'with_clause');
    for (const item of clause?.namedChildren ?? []) {
      let expr = item?.type === 'with_item' ? item.childForFieldName('value') : null;
      if (expr?.type === 'as_pattern') expr = expr.namedChildren[0] ?? null;
      if (expr?.type !== 'call') continue;
      const callee = ev.eval(expr.childForFieldName('function')!, scope);
      if (callee.kind !== 'ref' || !joblibContexts.has(callee.qname)) continue;
      const { positional, keywords } = callArgs(expr);
      const backend = keywords.get('backend') ?? (callee.qname.endsWith('parallel_backend') ? positional[0] : undefined);
      if (backend?.type === 'string') return backend.text.replace(/^['"]|['"]$/g, '');
    }
  }
  return undefined;
}

/**
 * Whether the module starts a dask distributed Client whose workers are other processes:
 * `Client()`, `Client("tcp://...")`, `Client(LocalCluster(...))`, but not `processes=False`
 * (on the Client or the LocalCluster it is given, bound to a name in the same scope or inline).
 */
function distributedClient(module: ModuleModel, ev: Evaluator): boolean {
  for (const c of module.calls) {
    const f = c.node.childForFieldName('function');
    if (!f || !/Client$/.test(f.text)) continue;
    const callee = ev.eval(f, c.scope);
    if (callee.kind !== 'ref' || !/^(?:dask\.)?distributed\.Client$/.test(callee.qname)) continue;
    const { positional, keywords } = callArgs(c.node);
    if (keywords.get('processes')?.text === 'False') continue;
    let cluster = positional[0] ?? keywords.get('address');
    if (cluster?.type === 'identifier') {
      const b = cluster.text;
      const made = module.calls.find((m) => m.scope === c.scope && m.node.parent?.type === 'assignment' && m.node.parent.childForFieldName('left')?.text === b);
      cluster = made?.node ?? cluster;
    }
    if (cluster?.type === 'call' && callArgs(cluster).keywords.get('processes')?.text === 'False') continue;
    return true;
  }
  return false;
}

/** Whether a dask `store` here runs on worker processes: a distributed Client (here or in the entry script) or the processes scheduler. */
function storeLeavesProcess(site: CallSite, ev: Evaluator): boolean {
  return distributedClient(site.scope.module, ev) || daskProcesses(site, ev) || clientInImporter(site.scope.module, ev);
}

/**
 * Whether a module beside `module` (its folder or the one above: where the entry script of a
 * program sits) imports it and starts a distributed Client with worker processes. Creating the
 * Client makes it dask's default scheduler for the whole process, so the library's `store` runs
 * there too; a library no script in sight pairs with a Client stays judged as threaded.
 */
function clientInImporter(module: ModuleModel, ev: Evaluator): boolean {
  const ws = ev.ws;
  const list = ws.host.listDirectory;
  if (!list) return false;
  const stem = path.basename(module.file, '.py');
  const name = stem === '__init__' ? path.basename(path.dirname(module.file)) : stem;
  const imports = new RegExp(`^[ \\t]*(?:from[ \\t]+[\\w.]*\\b${name}\\b[\\w.]*[ \\t]+import|import[ \\t]+[\\w.]*\\b${name}\\b|from[ \\t]+[\\w.]+[ \\t]+import[ \\t]+[^\\n]*\\b${name}\\b)`, 'm');
  const here = path.dirname(module.file);
  let seen = 0;
  for (const dir of new Set([here, path.dirname(here)])) {
    for (const f of list.call(ws.host, dir).files) {
      if (!f.endsWith('.py') || ++seen > 1000) continue;
      const file = path.join(dir, f);
      if (file === module.file) continue;
      const text = ws.text(file);
      if (!text || !/\bClient[ \t]*\(/.test(text) || !/\bdistributed\b/.test(text) || !imports.test(text)) continue;
      // The import must lead to this very module, not to another of the same name.
      const other = ws.model(file);
      if (!other || !importsModule(other, module, ws)) continue;
      if (distributedClient(other, ev)) return true;
    }
  }
  return false;
}

function importsDask(module: ModuleModel): boolean {
  for (const list of module.scope.bindings.values()) for (const b of list) if (b.kind === 'import' && /^dask(?:\.|$)/.test(b.module)) return true;
  return false;
}

function importsModule(from: ModuleModel, target: ModuleModel, ws: Evaluator['ws']): boolean {
  for (const list of from.scope.bindings.values())
    for (const b of list) {
      if (b.kind !== 'import') continue;
      if (ws.locate(from.file, b.module, b.level) === target.file) return true;
      if (b.member && ws.locate(from.file, b.module ? `${b.module}.${b.member}` : b.member, b.level) === target.file) return true;
    }
  return false;
}

const processSchedulers = /^(['"])(?:processes|multiprocessing)\1$/;

/**
 * Whether the scope of a `delayed(...)` call (or the module) computes with dask's processes
 * scheduler: `dask.compute(..., scheduler="processes")`, `x.compute(scheduler="processes")` /
 * `.persist(...)`, or `dask.config.set(scheduler="processes")`.
 */
function daskProcesses(site: CallSite, ev: Evaluator): boolean {
  const module = site.scope.module;
  // The scope itself, the module, and the scopes that call the function building the tasks
  // (`tasks = plan(store, keys)` then `dask.compute(*tasks, scheduler="processes")`).
  const scopes = new Set([site.scope, module.scope]);
  const fn = site.scope.fn;
  if (fn)
    for (const c of module.calls) {
      const f = c.node.childForFieldName('function');
      if (f?.type === 'identifier' && f.text === fn.name && scopes.size < 8) scopes.add(c.scope);
    }
  for (const c of module.calls) {
    if (!scopes.has(c.scope)) continue;
    const scheduler = callArgs(c.node).keywords.get('scheduler');
    if (!scheduler || !processSchedulers.test(scheduler.text)) continue;
    const f = c.node.childForFieldName('function');
    if (!f) continue;
    if (f.type === 'attribute' && /^(?:compute|persist)$/.test(f.childForFieldName('attribute')?.text ?? '')) {
      const callee = ev.eval(f, c.scope);
      if (callee.kind !== 'ref' || /^dask\.(?:compute|persist)$/.test(callee.qname)) return true;
      continue;
    }
    const callee = ev.eval(f, c.scope);
    if (callee.kind === 'ref' && /^dask\.(?:compute|persist|config\.set)$/.test(callee.qname)) return true;
  }
  return false;
}

/**
 * The joblib backend around the `fit` of a search object built at `call`: bound to a name here
 * (`search = GridSearchCV(...)`), or returned by this function and bound at a caller in the same
 * module (`search = build_search()`), then `search.fit(...)` inside `with parallel_backend(...)`.
 */
function fitBackend(call: Node, scope: CallSite['scope'], ev: Evaluator): string | undefined {
  const boundName = (n: Node): string | undefined => {
    const p = n.parent;
    const left = p?.type === 'assignment' && p.childForFieldName('right')?.id === n.id ? p.childForFieldName('left') : undefined;
    return left?.type === 'identifier' ? left.text : undefined;
  };
  const holders: { name: string; scope: CallSite['scope'] }[] = [];
  const here = boundName(call);
  if (here) holders.push({ name: here, scope });
  const fn = scope.fn;
  const returned = fn && fn.returns.some((r) => r.id === call.id || (here !== undefined && r.type === 'identifier' && r.text === here));
  const module = scope.module;
  if (returned)
    for (const c of module.calls) {
      const f = c.node.childForFieldName('function');
      const name = f?.type === 'identifier' && f.text === fn.name ? boundName(c.node) : undefined;
      if (name && holders.length < 6) holders.push({ name, scope: c.scope });
    }
  for (const h of holders)
    for (const c of module.calls) {
      if (c.scope !== h.scope) continue;
      const f = c.node.childForFieldName('function');
      if (f?.type !== 'attribute' || f.childForFieldName('object')?.text !== h.name || !/^fit(?:_transform|_predict)?$/.test(f.childForFieldName('attribute')?.text ?? '')) continue;
      const backend = contextBackend(c.node, c.scope, ev);
      if (backend) return backend;
    }
  return undefined;
}
