import * as path from 'node:path';
import type { SendcheckConfig } from '../engine/config';
import { notebookExtensions, pythonExtensions } from '../engine/files';
import { isNotebookFile } from '../engine/notebook';
import type { CheckRequest, Finding, LanguageEngine, SourceHost } from '../engine/types';
import { Judge, type JudgeContext } from './judge';
import { KWARGS, VARARGS, type CallSite, type ClassInfo, type ModuleModel } from './model';
import { ImportCache } from './lexical';
import { initPythonParser, parserReady, TreeCache } from './parser';
import { rangeOf } from './ranges';
import { type ConcreteMethod, type ModelCache, Evaluator, Workspace, callArgs, iterated, lookup, type Value } from './resolve';
import { pythonRuleById, pythonRules, sinkChecks } from './rules';
import { Flow, type DerivedCall } from './flow';
import { checkCeleryJson } from './rules/py-celery-json';
import { checkMissingMainGuard } from './rules/py-missing-main-guard';
import { checkRaisedExceptions } from './rules/py-unpicklable-exception';
import { mergeScenarioFindings, profileScenarios, PythonVersionFinder } from './profile';
import type { Sink } from './sinks';

// The Python engine: tree-sitter parse (cached by file version), a model of each file's scopes,
// the sinks in it, and for every argument that crosses, the first part pickle would refuse.

export interface PythonEngineOptions {
  /**
   * Rule out files whose imports reach no library a sink comes from, without parsing them
   * (lexical.ts). Default on; off only to prove that it changes no finding.
   */
  prefilter?: boolean;
}

export function createPythonEngine(options: PythonEngineOptions = {}): LanguageEngine {
  const trees = new TreeCache();
  const models: ModelCache = new Map();
  const imports = new ImportCache();
  let config: SendcheckConfig | undefined;
  let workspace: Workspace | undefined;
  let host: SourceHost | undefined;
  let versions: PythonVersionFinder | undefined;
  let flow: Flow | undefined;
  let forkFlow: Flow | undefined;
  /** The platform default being analysed when neither the settings nor the code choose a method. */
  let scenarioMethod: ConcreteMethod = 'spawn';

  /** The start method each module's code chooses, for one check (the modules it calls may change between checks). */
  let chosenMemo = new WeakMap<ModuleModel, ConcreteMethod | null>();
  const chosenMethodOf = (model: ModuleModel): ConcreteMethod | undefined => {
    const configured = config?.python.startMethod ?? 'auto';
    if (configured !== 'auto') return configured;
    const hit = chosenMemo.get(model);
    if (hit !== undefined) return hit ?? undefined;
    chosenMemo.set(model, null);
    const ev = new Evaluator(workspace!);
    const m = startMethodSetIn(model.startMethodCalls, ev) ?? startMethodSetByHelper(model, ev);
    chosenMemo.set(model, m ?? null);
    return m;
  };
  const defaultMethodOf = (model: ModuleModel): ConcreteMethod => chosenMethodOf(model) ?? scenarioMethod;

  /**
   * With `startMethod: auto` and code that sets none, each platform's default in scope applies:
   * the file is analysed under the strictest non-fork method and, when Linux ≤ 3.13 is in scope
   * too, under fork; findings that hold under only one say where (see profile.ts).
   */
  const checkProfiled = (file: string, ws: Workspace, cfg: SendcheckConfig): Finding[] => {
    const scenarios = cfg.python.startMethod === 'auto' ? profileScenarios(cfg, file, versions!) : [];
    const spawned = scenarios.filter((s) => s.method !== 'fork');
    const forked = scenarios.filter((s) => s.method === 'fork');
    scenarioMethod = (spawned[0] ?? forked[0])?.method ?? 'spawn';
    const first = checkFile(file, ws, flow!, defaultMethodOf);
    if (!spawned.length || !forked.length) return first;
    const model = ws.model(file);
    if (!model || chosenMethodOf(model)) return first;
    scenarioMethod = 'fork';
    // Sinks and summaries depend on the start method: the fork scenario has a flow of its own.
    forkFlow ??= new Flow(ws, new Evaluator(ws), cfg, defaultMethodOf);
    const second = checkFile(file, ws, forkFlow, defaultMethodOf);
    return mergeScenarioFindings(first, second, spawned, forked);
  };

  const workspaceFor = (h: SourceHost): Workspace => {
    if (!workspace || host !== h) {
      workspace = new Workspace(h, trees, defaultMethodOf, models, imports, options.prefilter ?? true);
      host = h;
    }
    return workspace;
  };

  return {
    language: 'python',
    rules: pythonRules.map((r) => r.meta),
    handles: (file) => pythonExtensions.includes(path.extname(file).toLowerCase()) || notebookExtensions.includes(path.extname(file).toLowerCase()),
    init: () => initPythonParser(),
    check(request: CheckRequest): Finding[] {
      if (!parserReady()) return [];
      config = request.config;
      const ws = workspaceFor(request.host);
      ws.beginCheck();
      // Summaries of derived sinks live for one check: they depend on every module they pass through.
      flow = new Flow(ws, new Evaluator(ws), request.config, defaultMethodOf);
      forkFlow = undefined;
      chosenMemo = new WeakMap();
      // pyproject.toml may change between checks: requires-python is read afresh each time.
      versions = new PythonVersionFinder(request.host);
      const findings: Finding[] = [];
      for (const file of request.files) {
        if (request.isCancelled?.()) break;
        try {
          findings.push(...checkProfiled(file, ws, request.config));
        } catch (e) {
          // One file the analysis trips over must not hide the findings of the others.
          if (process.env.SENDCHECK_DEBUG) console.error(`sendcheck: python analysis of ${file} failed:`, e);
        }
      }
      return findings;
    },
    forget(files) {
      for (const f of files) {
        models.delete(f);
        trees.forget(f);
        imports.forget(f);
      }
    },
  };
}

function checkFile(file: string, ws: Workspace, flow: Flow, defaultMethodOf: (m: ModuleModel) => ConcreteMethod): Finding[] {
  // Files that name no process boundary and import no workspace module that does are not parsed.
  if (!flow.mayReachSink(file)) return [];
  const model = ws.model(file);
  if (!model) return [];
  const ev = new Evaluator(ws);
  const judge = new Judge(ev);
  const method = defaultMethodOf(model);
  const findings: Finding[] = [];
  const registered = new Map<ModuleModel, Set<ClassInfo>>();
  const copyreg = (cls: ClassInfo) => {
    // A registration in the sink's module or in the class's own module.
    for (const m of [model, cls.module]) {
      let set = registered.get(m);
      if (!set) registered.set(m, (set = copyregClasses(m, ev)));
      if (set.has(cls)) return true;
    }
    return false;
  };
  for (const sink of flow.moduleSinks(model)) {
    for (const sent of sink.sent) {
      const finding = judgeArgument(sink, sent, model, ev, judge, copyreg);
      if (finding) findings.push(finding);
    }
    const result = judgeResult(sink, model, ev, judge, copyreg);
    if (result) findings.push(result);
  }
  // State that pickles but does not cross: what the worker does with its copy (rules/index.ts).
  for (const check of sinkChecks) findings.push(...check(model, ev, flow.moduleSinks(model)));
  // One diagnostic per argument per rule, whichever chain reached it first.
  const reported = new Set<string>();
  for (const d of flow.derivedCalls(model)) {
    const finding = judgeDerived(d, model, ev, judge, copyreg);
    if (!finding) continue;
    const key = `${finding.file}:${finding.range.start.line}:${finding.range.start.character}:${finding.rule}`;
    if (reported.has(key) || (d.module && !flow.firstReport(key))) continue;
    reported.add(key);
    findings.push(finding);
  }
  // A kernel's `__main__` has no file: a spawned child has nothing to re-import, so a notebook
  // starting processes at its top level is not re-run in the child.
  if (!isNotebookFile(model.file)) findings.push(...checkMissingMainGuard(model, ev, method));
  findings.push(...checkCeleryJson(model, ev));
  findings.push(...checkRaisedExceptions(model, flow.moduleSinks(model), ev));
  return findings;
}

/** The method the first `multiprocessing.set_start_method(...)` among `calls` sets, literal or through a constant. */
function startMethodSetIn(calls: readonly CallSite[], ev: Evaluator): ConcreteMethod | undefined {
  for (const site of calls) {
    const callee = ev.eval(site.node.childForFieldName('function')!, site.scope);
    if (callee.kind !== 'ref' || callee.qname !== 'multiprocessing.set_start_method') continue;
    const { positional, keywords } = callArgs(site.node);
    const m = ev.startMethodOf(positional[0] ?? keywords.get('method'), site.scope);
    if (m) return m;
  }
  return undefined;
}

/**
 * A function of another module that sets the start method, called from this one
 * (`from boot import configure` ... `configure()`): the method is global to the process, so it
 * holds here too. Only names bound by imports are followed, one call deep.
 */
function startMethodSetByHelper(model: ModuleModel, ev: Evaluator): ConcreteMethod | undefined {
  for (const site of model.calls) {
    const f = site.node.childForFieldName('function');
    const head = f?.type === 'identifier' ? f : f?.type === 'attribute' ? f.childForFieldName('object') : null;
    if (!f || head?.type !== 'identifier' || lookup(head.text, site.scope, head)?.kind !== 'import') continue;
    const callee = ev.eval(f, site.scope);
    if (callee.kind !== 'function' || callee.fn.module === model) continue;
    const fn = callee.fn;
    const inside = fn.module.startMethodCalls.filter((c) => c.node.startIndex >= fn.node.startIndex && c.node.endIndex <= fn.node.endIndex);
    const m = inside.length ? startMethodSetIn(inside, ev) : undefined;
    if (m) return m;
  }
  return undefined;
}

/** A call of a derived sink, judged at the caller's argument with the real sink's serializer and start method. */
function judgeDerived(d: DerivedCall, model: ModuleModel, ev: Evaluator, judge: Judge, copyreg: (cls: ClassInfo) => boolean): Finding | undefined {
  const { entry, arg, call } = d;
  // A value the helper makes itself sits in the helper's module (flow.ts `receiverEntries`).
  const argModule = d.module ?? model;
  let value = d.value ?? ev.eval(arg, call.scope);
  // The helper sends an attribute of this argument (`job.context`): that is what crosses.
  for (const name of entry.attrs ?? []) value = ev.attributeOf(value, name, { module: argModule, node: arg }, 1);
  const items = d.items ?? entry.items;
  if (items) value = itemsSent(value);
  if (items && (value.kind !== 'container' || value.dict)) return undefined;
  const real = entry.sink;
  const ctx: JudgeContext = { transport: real.transport, serializer: real.serializer, method: real.method, call: { module: model, node: call.node }, copyreg };
  const label = entry.attrs ? `${d.label ?? entry.name}.${entry.attrs.join('.')}` : (d.label ?? entry.name);
  const problem = judge.judge(value, [label], { module: argModule, node: arg }, ctx);
  if (!problem) return undefined;
  // What the helper sends was made by this caller (`Runner(Learner(lambda x: ...), pool).run()`):
  // reported where it is made, which is where the fix goes; the helper's send is related.
  if (d.module && d.module !== model && problem.leafSite?.module === model) problem.anchor = problem.leafSite;
  const rule = pythonRuleById.get(problem.rule)!;
  const called = d.fn.name === '__init__' && d.fn.outer.cls ? d.fn.outer.cls.name : d.fn.name;
  // `run_in_process(*args)`: the extra arguments a helper takes with `*args` / `**kwargs`.
  const param = entry.index === VARARGS ? `*${entry.name}` : entry.index === KWARGS ? `**${entry.name}` : entry.name;
  const links = [`${called}(${param})`, ...entry.chain.map((l) => l.text)].filter((t, i, all) => t && all.indexOf(t) === i);
  const [head, ...rest] = problem.segments;
  const subject = rest.length ? `\`${head}\` holds \`${rest.join(' → ')}\`, ${problem.what}` : `\`${head}\` is ${problem.what}`;
  const how =
    real.transport === 'fork-copy'
      ? `copied (not shared) into the child ${real.name} forks`
      : real.transport === 'spawn-args'
        ? `pickled when ${real.name} starts a ${real.method} child`
        : real.transport === 'task'
          ? `pickled to send it through ${real.name}`
          : `pickled by ${real.name}`;
  const created = problem.leafSite ? ` (${problem.typeName}, created at ${path.basename(problem.leafSite.module.file)}:${problem.leafSite.node.startPosition.row + 1})` : ` (${problem.typeName})`;
  const callerSink: Sink = { call, name: real.name, transport: real.transport, serializer: real.serializer, method: real.method, sent: [{ label, node: arg }] };
  return {
    file: problem.anchor.module.file,
    range: rangeOf(problem.anchor.node),
    rule: rule.meta.id,
    severity: rule.meta.defaultSeverity,
    message: `${subject}, ${how} through \`${links.join(' → ')}\`: ${rule.because} (${problem.runtime}); ${problem.advice ?? rule.advice}`,
    path: `${problem.segments.join(' → ')}${created}`,
    related: [
      ...entry.chain.map((l) => ({ file: l.site.module.file, range: rangeOf(l.site.node), message: `\`${entry.name}\` reaches \`${l.text}\` here` })),
      ...problem.related,
    ],
    fixes: rule.fixes({ problem, sink: callerSink, ev }),
  };
}

/**
 * What a map-like sink sends of an iterable: its items, one by one. The iterable itself stays in
 * the parent, so a dict view handed to `executor.map(f, d.values())` is iterated, not pickled.
 */
function itemsSent(v: Value): Value {
  const it = iterated(v);
  return it.kind === 'container' && it.view ? { ...it, view: undefined } : it;
}

/** What to do when a task returns a handle: the caller needs what it reads, not the handle. */
const returnedHandleAdvice = 'return what the caller needs from it instead (the data, `f.read()`, or the path) and open it again where the result is used';

/** `a value holding \`.default_factory\`, ` when the bad part sits inside what is returned. */
function heldInResult(segments: string[], head: string): string {
  const inner = [segments[0].slice(head.length), ...segments.slice(1)].filter(Boolean);
  return inner.length ? `a value holding \`${inner.join(' → ')}\`, ` : '';
}

/**
 * A task's return value travels back the same way: a worker function that returns a generator
 * or an open file fails when its result is sent (`MaybeEncodingError: Error sending result`).
 */
function judgeResult(sink: Sink, model: ModuleModel, ev: Evaluator, judge: Judge, copyreg: (cls: ClassInfo) => boolean): Finding | undefined {
  if (sink.transport !== 'task') return undefined;
  const funcArg = sink.sent.find((s) => s.label === 'func' || s.label === 'fn');
  if (!funcArg) return undefined;
  const worker = ev.eval(funcArg.node, sink.call.scope);
  // The function the pool runs: a module function, a bound method, or what a partial wraps.
  const target = worker.kind === 'partial' ? worker.func : worker;
  const fn = target.kind === 'function' ? target : target.kind === 'method' && target.fn ? { kind: 'function' as const, fn: target.fn } : undefined;
  if (!fn || fn.fn.local || fn.fn.mainGuard) return undefined;
  // Whatever it returns crosses back: a generator, an open file, a lock, a defaultdict whose
  // default_factory is a lambda, an object holding any of those.
  const result = ev.returnValue(fn.fn, 1, { module: fn.fn.module, node: fn.fn.nameNode });
  if (result.kind === 'unknown' || result.kind === 'param' || result.kind === 'data') return undefined;
  const ctx: JudgeContext = { transport: 'task', serializer: sink.serializer, method: sink.method, call: { module: model, node: sink.call.node }, copyreg };
  const problem = judge.judge(result, [`${fn.fn.name}(...)`], { module: model, node: funcArg.node }, ctx);
  if (!problem) return undefined;
  problem.anchor = { module: model, node: funcArg.node };
  const rule = pythonRuleById.get(problem.rule)!;
  const returned = fn.fn.isGenerator ? fn.fn.nameNode : (fn.fn.returns[0] ?? fn.fn.nameNode);
  return {
    file: model.file,
    range: rangeOf(funcArg.node),
    rule: rule.meta.id,
    severity: rule.meta.defaultSeverity,
    message: `\`${fn.fn.name}(...)\` returns ${heldInResult(problem.segments, `${fn.fn.name}(...)`)}${problem.what}, pickled to send the result back from ${sink.name}: ${rule.because} (${problem.runtime}); ${problem.rule === 'py-open-handle' && !problem.holder ? returnedHandleAdvice : (problem.advice ?? rule.advice)}`,
    path: `${fn.fn.name}(...) → return: ${problem.typeName}`,
    related: [{ file: fn.fn.module.file, range: rangeOf(returned), message: fn.fn.isGenerator ? `${fn.fn.name} is a generator function` : `${fn.fn.name} returns here` }],
    fixes: rule.fixes({ problem, sink, ev, returnedBy: fn.fn }),
  };
}

function judgeArgument(
  sink: Sink,
  sent: Sink['sent'][number],
  model: ModuleModel,
  ev: Evaluator,
  judge: Judge,
  copyreg: (cls: ClassInfo) => boolean,
): Finding | undefined {
  const value = sent.items ? itemsSent(ev.eval(sent.node, sink.call.scope)) : ev.eval(sent.node, sink.call.scope);
  if (sent.items) {
    // The iterable itself stays here; its items are sent (a dict's items are its keys).
    if (value.kind !== 'container' || value.dict) return undefined;
  }
  const ctx: JudgeContext = {
    transport: sink.transport,
    serializer: sink.serializer,
    method: sink.method,
    call: { module: model, node: sink.call.node },
    copyreg,
  };
  const problem = judge.judge(value, [sent.label], { module: model, node: sent.node }, ctx);
  if (!problem) return undefined;
  const rule = pythonRuleById.get(problem.rule)!;
  const [head, ...rest] = problem.segments;
  const subject = rest.length ? `\`${head}\` holds \`${rest.join(' → ')}\`, ${problem.what}` : `\`${head}\` is ${problem.what}`;
  const where =
    sink.transport === 'fork-copy'
      ? `, copied (not shared) into the child ${sink.name} forks`
      : sink.transport === 'spawn-args'
      ? `, pickled when ${sink.name} starts a ${sink.method} child`
      : sink.transport === 'task'
        ? `, pickled to send it through ${sink.name}`
        : `, pickled by ${sink.name}`;
  return {
    file: problem.anchor.module.file,
    range: rangeOf(problem.anchor.node),
    rule: rule.meta.id,
    severity: rule.meta.defaultSeverity,
    message: `${subject}${where}: ${rule.because} (${problem.runtime}); ${problem.advice ?? rule.advice}`,
    path: `${problem.segments.join(' → ')}: ${problem.typeName}`,
    related: problem.related,
    fixes: rule.fixes({ problem, sink, ev }),
  };
}

function copyregClasses(model: ModuleModel, ev: Evaluator): Set<ClassInfo> {
  const out = new Set<ClassInfo>();
  for (const site of model.copyregCalls) {
    const callee = ev.eval(site.node.childForFieldName('function')!, site.scope);
    if (callee.kind !== 'ref' || callee.qname !== 'copyreg.pickle') continue;
    const first = callArgs(site.node).positional[0];
    if (!first) continue;
    const v = ev.eval(first, site.scope);
    if (v.kind === 'class') out.add(v.cls);
  }
  return out;
}
