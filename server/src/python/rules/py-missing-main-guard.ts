import type { Finding, Fix, TextEdit } from '../../engine/types';
import { enclosingScope, type CallSite, type FunctionInfo, type ModuleModel } from '../model';
import type { Node } from '../parser';
import { rangeOf } from '../ranges';
import { callArgs, lookup, startMethodLiteral, type ConcreteMethod, type Evaluator } from '../resolve';
import { processStartAt, type ProcessStart } from '../sinks';
import { pyRule } from './types';

// A module that starts processes while it is being imported. A spawn or forkserver child
// bootstraps by importing the parent's main module (as `__mp_main__`); everything at module
// level runs again there, and multiprocessing refuses to start a process from a child that has
// not finished bootstrapping. Under fork the child is a copy and imports nothing.

const runtime = 'RuntimeError: An attempt has been made to start a new process before the current process has finished its bootstrapping phase';

export const pyMissingMainGuard = pyRule(
  'py-missing-main-guard',
  'A module starts processes (a Pool, a Process, a process executor, a Manager) at import time, outside `if __name__ == "__main__":`; a spawn or forkserver child re-imports it and fails.',
  'a spawn or forkserver child imports the main module again to bootstrap, runs its module-level code and tries to start processes itself',
  'move the code that starts processes under `if __name__ == "__main__":`',
);

/** Calls into workspace functions are followed this deep from module level. */
const MAX_CALL_DEPTH = 3;

/**
 * The process starts that run when the module is imported: module-level statements outside the
 * `__main__` guard, and (bounded) the bodies of workspace functions they call. One finding per
 * top-level statement, at the start itself or at the call that leads to it.
 */
export function checkMissingMainGuard(model: ModuleModel, ev: Evaluator, defaultMethod: ConcreteMethod): Finding[] {
  const findings: Finding[] = [];
  const reported = new Set<number>();
  const memo = new Map<FunctionInfo, { start: ProcessStart; chain: CallSite[] } | null>();
  // Calls and loops at module level, in source order: a loop over a DataLoader with workers
  // starts them.
  const sites = [...model.calls.filter((c) => c.scope.kind === 'module'), ...loaderLoops(model.root, model.scope, ev, defaultMethod).map((l) => l.call)].sort(
    (a, b) => a.node.startIndex - b.node.startIndex,
  );
  for (const site of sites) {
    if (guarded(model, site.node)) continue;
    const top = topLevel(site.node);
    if (reported.has(top.id)) continue;
    const found = startReached(site, ev, defaultMethod, memo, 0);
    if (!found || found.start.method === 'fork') continue;
    reported.add(top.id);
    findings.push(finding(model, site, found.start, found.chain));
  }
  if (findings.length) {
    const fix = guardFix(model, findings.map((f) => f.range.start.line));
    if (fix) for (const f of findings) f.fixes = [fix];
  }
  return findings;
}

function startReached(
  site: CallSite,
  ev: Evaluator,
  defaultMethod: ConcreteMethod,
  memo: Map<FunctionInfo, { start: ProcessStart; chain: CallSite[] } | null>,
  depth: number,
): { start: ProcessStart; chain: CallSite[] } | undefined {
  const direct = site.node.type === 'call' ? processStartAt(site, ev, defaultMethod) : loaderStart(site, ev, defaultMethod);
  if (direct) return { start: direct, chain: [] };
  if (site.node.type !== 'call') return undefined;
  if (depth >= MAX_CALL_DEPTH) return undefined;
  const fnNode = site.node.childForFieldName('function');
  if (!fnNode) return undefined;
  const callee = ev.eval(fnNode, site.scope);
  const fn = callee.kind === 'function' ? callee.fn : callee.kind === 'method' && callee.fn && callee.self.kind === 'instance' ? callee.fn : undefined;
  if (!fn) return undefined;
  const hit = memo.get(fn);
  if (hit !== undefined) return hit ?? undefined;
  memo.set(fn, null);
  const loops = loaderLoops(fn.node.childForFieldName('body') ?? fn.node, fn.scope, ev, defaultMethod).map((l) => l.call);
  for (const inner of [...fn.module.calls, ...loops]) {
    // Only what the function itself runs: nested defs and lambdas run when they are called.
    if (inner.scope !== fn.scope) continue;
    const found = startReached(inner, ev, defaultMethod, memo, depth + 1);
    if (found) {
      const result = { start: found.start, chain: [inner, ...found.chain] };
      memo.set(fn, result);
      return result;
    }
  }
  return undefined;
}

function finding(model: ModuleModel, site: CallSite, start: ProcessStart, chain: CallSite[]): Finding {
  const direct = chain.length === 0;
  const called = site.node.childForFieldName('function')?.text ?? 'this call';
  const subject = direct
    ? `\`${start.what}\` starts processes while the module is imported (it is not under \`if __name__ == "__main__":\`)`
    : `\`${called}()\` starts processes (\`${start.what}\`) while the module is imported (the call is not under \`if __name__ == "__main__":\`)`;
  const related = direct
    ? []
    : [{ file: start.call.scope.module.file, range: rangeOf(start.call.node), message: `${start.what} starts the processes here` }];
  return {
    file: model.file,
    range: rangeOf(site.node),
    rule: pyMissingMainGuard.meta.id,
    severity: pyMissingMainGuard.meta.defaultSeverity,
    message: `${subject}: ${pyMissingMainGuard.because} (${runtime}, in the ${start.method} child); ${pyMissingMainGuard.advice}`,
    path: direct ? `${start.what}: module level` : `${called}() → ${start.what}: module level`,
    related,
    fixes: [],
  };
}

/**
 * `for batch in loader:` (also through `enumerate`/`tqdm`/`iter`) where `loader` is a PyTorch
 * DataLoader with workers: iterating it starts the worker processes. The loops directly in
 * `root` (not in nested defs or classes), each as a pseudo call site at its iterable.
 */
function loaderLoops(root: Node, scope: CallSite['scope'], ev: Evaluator, defaultMethod: ConcreteMethod): { call: CallSite; start: ProcessStart }[] {
  const out: { call: CallSite; start: ProcessStart }[] = [];
  const visit = (n: Node): void => {
    if (n.type === 'function_definition' || n.type === 'class_definition' || n.type === 'lambda') return;
    if (n.type === 'for_statement') {
      const right = n.childForFieldName('right');
      const call = right ? { node: right, scope } : undefined;
      const start = call && loaderStart(call, ev, defaultMethod);
      if (call && start) out.push({ call, start });
    }
    for (const c of n.namedChildren) if (c && out.length < 8) visit(c);
  };
  visit(root);
  return out;
}

const loaderNames = /^(?:torch\.utils\.data\.(?:dataloader\.)?DataLoader)$/;

function loaderStart(site: CallSite, ev: Evaluator, defaultMethod: ConcreteMethod): ProcessStart | undefined {
  let n: Node | null = site.node;
  // `enumerate(loader)`, `tqdm(loader)`, `iter(loader)`.
  for (let i = 0; i < 2 && n?.type === 'call' && /^(?:enumerate|iter|tqdm|tqdm\.tqdm)$/.test(n.childForFieldName('function')?.text ?? ''); i++)
    n = n.childForFieldName('arguments')?.namedChildren.find((c) => c && c.type !== 'comment') ?? null;
  if (n?.type === 'identifier') {
    const b = lookup(n.text, site.scope, n);
    n = b?.kind === 'value' && !b.unpack.length && !b.iterate ? b.value : null;
  }
  if (n?.type !== 'call') return undefined;
  const fnNode = n.childForFieldName('function');
  const callee = fnNode ? ev.eval(fnNode, site.scope) : undefined;
  if (callee?.kind !== 'ref' || !loaderNames.test(callee.qname)) return undefined;
  const { positional, keywords } = callArgs(n);
  const workers = keywords.get('num_workers') ?? positional[5];
  if (!workers || /^0+$/.test(workers.text)) return undefined;
  const context = keywords.get('multiprocessing_context');
  const method = context ? startMethodLiteral(context) : defaultMethod;
  if (!method) return undefined;
  return { call: site, what: `DataLoader(num_workers=${workers.text})`, method };
}

function guarded(model: ModuleModel, node: Node): boolean {
  return model.mainGuards.some((g) => node.startIndex >= g.startIndex && node.endIndex <= g.endIndex);
}

function topLevel(node: Node): Node {
  let n = node;
  while (n.parent && n.parent.type !== 'module') n = n.parent;
  return n;
}

/** Statements that stay at module level when the start code is guarded: a child needs them. */
const keptTypes = new Set(['function_definition', 'class_definition', 'decorated_definition', 'import_statement', 'import_from_statement', 'future_import_statement']);

/**
 * Puts the module-level statements from the first process start to the end of the file under
 * `if __name__ == "__main__":`, in runs between the definitions and imports, which stay where
 * they are (order of execution in the main process is unchanged). Refused when a name bound in
 * the guarded code is read by a function or class (a child would lack it), or when a
 * multi-line string would be re-indented (its value would change).
 */
function guardFix(model: ModuleModel, startLines: number[]): Fix | undefined {
  const first = Math.min(...startLines);
  const statements = model.root.namedChildren.filter((c): c is Node => !!c && c.type !== 'comment');
  const runs: Node[][] = [];
  let current: Node[] = [];
  for (const s of statements) {
    if (s.endPosition.row < first) continue;
    if (keptTypes.has(s.type) || model.mainGuards.includes(s)) {
      if (current.length) runs.push(current);
      current = [];
    } else current.push(s);
  }
  if (current.length) runs.push(current);
  if (!runs.length) return undefined;
  const inRuns = (n: Node) => runs.some((r) => n.startIndex >= r[0].startIndex && n.endIndex <= r[r.length - 1].endIndex);
  if (multiLineString(runs) || readByDefinitions(model, inRuns)) return undefined;
  const lines = model.root.text.split('\n');
  const edits: TextEdit[] = runs.map((run) => {
    const from = run[0].startPosition.row;
    const to = run[run.length - 1].endPosition.row;
    const body = lines
      .slice(from, to + 1)
      .map((l) => (l.trim() ? `    ${l}` : l))
      .join('\n');
    const endCol = lines[to].length;
    return {
      file: model.file,
      range: { start: { line: from, character: 0 }, end: { line: to, character: endCol } },
      newText: `if __name__ == "__main__":\n${body}`,
    };
  });
  return {
    title: 'Move the module-level code that starts processes under `if __name__ == "__main__":`',
    id: 'add-main-guard',
    preferred: runs.length === 1,
    edits,
  };
}

function multiLineString(runs: Node[][]): boolean {
  const stack = runs.flat();
  while (stack.length) {
    const n = stack.pop()!;
    if (n.type === 'string' && n.endPosition.row > n.startPosition.row) return true;
    for (const c of n.namedChildren) if (c) stack.push(c);
  }
  return false;
}

/** A module-level name bound inside the guarded code and read from a function, class or lambda. */
function readByDefinitions(model: ModuleModel, inRuns: (n: Node) => boolean): boolean {
  const guardedNames = new Set<string>();
  for (const [name, list] of model.scope.bindings) if (list.some((b) => inRuns(b.node))) guardedNames.add(name);
  if (!guardedNames.size) return false;
  const stack: Node[] = [model.root];
  while (stack.length) {
    const n = stack.pop()!;
    if (n.type === 'identifier' && guardedNames.has(n.text) && !inRuns(n)) {
      const scope = enclosingScope(model, n);
      if (scope.kind !== 'module') {
        const b = lookup(n.text, scope, n);
        if (b && b.scope.kind === 'module' && inRuns(b.node)) return true;
      }
    }
    for (const c of n.namedChildren) if (c) stack.push(c);
  }
  return false;
}
