import type { Fix, TextEdit } from '../engine/types';
import type { Problem } from './judge';
import { enclosingScope, type ClassInfo, type FunctionInfo, type ModuleModel } from './model';
import type { Node } from './parser';
import { lookup, type Evaluator } from './resolve';
import type { Sink } from './sinks';

// Edits behind the quick fixes. Each builder returns nothing rather than an edit it cannot
// prove keeps the program meaning what it meant: a moved function must not close over locals,
// an inserted import must not shadow anything, a block must not be left empty.

export interface FixContext {
  problem: Problem;
  sink: Sink;
  ev: Evaluator;
}

function edit(model: ModuleModel, start: { line: number; character: number }, end: { line: number; character: number }, newText: string): TextEdit {
  return { file: model.file, range: { start, end }, newText };
}

function replaceNode(model: ModuleModel, node: Node, newText: string): TextEdit {
  const s = node.startPosition;
  const e = node.endPosition;
  return edit(model, { line: s.row, character: s.column }, { line: e.row, character: e.column }, newText);
}

function lineText(model: ModuleModel, row: number): string {
  const text = model.root.text;
  let start = 0;
  for (let i = 0; i < row; i++) {
    const nl = text.indexOf('\n', start);
    if (nl < 0) return '';
    start = nl + 1;
  }
  const end = text.indexOf('\n', start);
  return text.slice(start, end < 0 ? text.length : end).replace(/\r$/, '');
}

/** The module-level statement that contains `node`. */
export function topLevelStatement(node: Node): Node {
  let n = node;
  while (n.parent && n.parent.type !== 'module') n = n.parent;
  return n;
}

function isInside(node: Node, outer: Node): boolean {
  return node.startIndex >= outer.startIndex && node.endIndex <= outer.endIndex;
}

/**
 * True when every name `subtree` reads is its own, a parameter of it, a module-level name
 * bound outside the `__main__` guard, or a builtin: the code means the same at module level.
 */
export function closesOverNothing(model: ModuleModel, subtree: Node, allowGuarded = false): boolean {
  const stack: Node[] = [subtree];
  while (stack.length) {
    const n = stack.pop()!;
    if (n.type === 'identifier') {
      const parent = n.parent;
      if (parent?.type === 'attribute' && n.field === 'attribute') continue;
      if (parent?.type === 'keyword_argument' && n.field === 'name') continue;
      const scope = enclosingScope(model, n);
      const b = lookup(n.text, scope, n);
      if (!b) continue;
      if (isInside(b.node, subtree) || isInside(b.scope.node, subtree)) continue;
      if (b.scope.kind !== 'module') return false;
      if (!allowGuarded && model.mainGuards.some((g) => isInside(b.node, g))) return false;
      continue;
    }
    for (const c of n.children) stack.push(c);
  }
  return true;
}

function freshName(model: ModuleModel, base: string): string {
  let name = base;
  for (let i = 2; model.scope.bindings.has(name) || model.root.text.includes(name); i++) name = `${base}_${i}`;
  return name;
}

function indentOf(line: string): string {
  return /^[ \t]*/.exec(line)![0];
}

/** `node`'s full lines (decorators included), dedented by its own indentation. */
function dedentedLines(model: ModuleModel, node: Node): { text: string; startRow: number; endRow: number } | undefined {
  const startRow = node.startPosition.row;
  const endRow = node.endPosition.row;
  const indent = indentOf(lineText(model, startRow));
  if (node.startPosition.column !== indent.length) return undefined;
  const lines: string[] = [];
  for (let r = startRow; r <= endRow; r++) {
    const l = lineText(model, r);
    if (l.trim() === '') lines.push('');
    else if (l.startsWith(indent)) lines.push(l.slice(indent.length));
    else return undefined;
  }
  return { text: lines.join('\n'), startRow, endRow };
}

/** Moves a def or class (nested, or under the `__main__` guard) to module level, above its top-level statement. */
export function moveDefinitionFix(def: FunctionInfo | ClassInfo, title: string, allowGuarded: boolean): Fix | undefined {
  const model = def.module;
  const node = def.node.parent?.type === 'decorated_definition' ? def.node.parent : def.node;
  const block = node.parent;
  if (!block || block.type !== 'block') return undefined;
  if (block.namedChildren.filter((c) => c.type !== 'comment').length < 2) return undefined;
  if (!closesOverNothing(model, node, allowGuarded)) return undefined;
  if (model.scope.bindings.get(def.name)?.some((b) => b.node.id !== def.nameNode.id)) return undefined;
  const moved = dedentedLines(model, node);
  if (!moved) return undefined;
  const top = topLevelStatement(node);
  const topRow = top.startPosition.row;
  // Take one of the blank lines around the moved block with it.
  let endRow = moved.endRow;
  if (lineText(model, moved.startRow - 1).trim() === '' && lineText(model, endRow + 1).trim() === '' && endRow + 1 < model.root.endPosition.row) endRow++;
  return {
    title,
    id: 'move-to-module-scope',
    preferred: true,
    edits: [
      edit(model, { line: topRow, character: 0 }, { line: topRow, character: 0 }, `${moved.text}\n\n\n`),
      edit(model, { line: moved.startRow, character: 0 }, { line: endRow + 1, character: 0 }, ''),
    ],
  };
}

/** Replaces a lambda with a module-level def. */
export function lambdaToDefFix(model: ModuleModel, lambda: Node, sink: Sink): Fix | undefined {
  if (!closesOverNothing(model, lambda)) return undefined;
  const params = lambda.childForFieldName('parameters');
  const body = lambda.childForFieldName('body');
  if (!body) return undefined;
  const top = topLevelStatement(lambda);
  // `name = lambda ...` at module level becomes `def name(...)` in place.
  const assignment = lambda.parent;
  if (assignment?.type === 'assignment' && assignment.childForFieldName('left')?.type === 'identifier' && assignment.parent?.type === 'expression_statement' && assignment.parent.parent?.type === 'module') {
    const name = assignment.childForFieldName('left')!.text;
    return {
      title: `Turn the lambda into \`def ${name}\``,
      id: 'move-to-module-scope',
      preferred: true,
      edits: [replaceNode(model, assignment.parent, `def ${name}(${params?.text ?? ''}):\n    return ${body.text}`)],
    };
  }
  const role = sink.name.split('.').pop()!.replace(/[^A-Za-z0-9_]/g, '_').toLowerCase();
  const name = freshName(model, `_${role}_task`);
  const row = top.startPosition.row;
  const gap = lineText(model, row - 1).trim() === '' ? '' : '\n\n';
  return {
    title: `Move the lambda to a module-level function \`${name}\``,
    id: 'move-to-module-scope',
    preferred: true,
    edits: [
      edit(model, { line: row, character: 0 }, { line: row, character: 0 }, `${gap}def ${name}(${params?.text ?? ''}):\n    return ${body.text}\n\n\n`),
      replaceNode(model, lambda, name),
    ],
  };
}

/** The local name under which `module` is imported at module level, if it is (`import multiprocessing as mp` → `mp`). */
function importedAs(model: ModuleModel, module: string): string | undefined {
  for (const [name, list] of model.scope.bindings) {
    const b = list[list.length - 1];
    if (b.kind === 'import' && b.asModule && b.module === module) return name;
  }
  return undefined;
}

/** `prefix.Name` usable at `node`, with the import to add when the module is not imported yet. */
function qualified(model: ModuleModel, module: string, member: string, at: Node): { text: string; edits: TextEdit[] } | undefined {
  const alias = importedAs(model, module);
  if (alias) {
    const b = lookup(alias, enclosingScope(model, at), at);
    if (b?.kind === 'import') return { text: `${alias}.${member}`, edits: [] };
    return undefined;
  }
  if (model.scope.bindings.has(module)) return undefined;
  // After a module docstring and `from __future__` imports.
  let row = 0;
  for (const stmt of model.root.namedChildren) {
    const isDocstring = stmt.type === 'expression_statement' && stmt.namedChildren[0]?.type === 'string' && row === 0 && stmt === model.root.namedChildren[0];
    if (isDocstring || stmt.type === 'future_import_statement' || stmt.type === 'comment') {
      row = stmt.endPosition.row + 1;
      continue;
    }
    break;
  }
  return { text: `${module}.${member}`, edits: [edit(model, { line: row, character: 0 }, { line: row, character: 0 }, `import ${module}\n`)] };
}

/** Replaces the callee of the call that created the bad object, keeping its arguments. */
export function replaceConstructorFix(problem: Problem, module: string, member: string, title: string, preferred: boolean, id: string): Fix | undefined {
  const site = problem.leafSite;
  if (!site || site.node.type !== 'call') return undefined;
  const callee = site.node.childForFieldName('function');
  if (!callee) return undefined;
  const q = qualified(site.module, module, member, site.node);
  if (!q) return undefined;
  return { title: title.replace('{name}', q.text), id, preferred, edits: [...q.edits, replaceNode(site.module, callee, q.text)] };
}

/** Adds `__getstate__`/`__setstate__` that drop the attribute and recreate it with the same constructor call. */
export function rehydrateHooksFix(problem: Problem): Fix | undefined {
  const holder = problem.holder;
  const site = problem.leafSite;
  if (!holder || !site || site.node.type !== 'call' || site.module !== holder.cls.module) return undefined;
  const cls = holder.cls;
  if (cls.scope.bindings.has('__slots__') || cls.methods.has('__setstate__')) return undefined;
  if (cls.isDataclass && cls.node.parent?.type === 'decorated_definition' && /frozen\s*=\s*True|slots\s*=\s*True/.test(cls.node.parent.text)) return undefined;
  // The recreated value must mean the same at the class's level: no locals of __init__.
  if (!closesOverNothing(cls.module, site.node)) return undefined;
  if ((site.node.childForFieldName('arguments')?.namedChildren ?? []).some((a) => a.type === 'identifier' || a.type === 'attribute')) return undefined;
  const body = cls.node.childForFieldName('body');
  if (!body || body.namedChildren.length === 0) return undefined;
  const first = body.namedChildren[0];
  const indent = indentOf(lineText(cls.module, first.startPosition.row));
  if (!indent) return undefined;
  const inner = `${indent}    `;
  const endRow = body.endPosition.row;
  const attr = JSON.stringify(holder.attr);
  const text =
    `\n${indent}def __getstate__(self):\n${inner}state = self.__dict__.copy()\n${inner}state.pop(${attr}, None)\n${inner}return state\n\n` +
    `${indent}def __setstate__(self, state):\n${inner}self.__dict__.update(state)\n${inner}self.${holder.attr} = ${site.node.text}\n`;
  return {
    title: `Add __getstate__/__setstate__ to ${cls.name} that recreate self.${holder.attr} on the other side`,
    id: 'add-rehydrate-hooks',
    preferred: false,
    edits: [edit(cls.module, { line: endRow + 1, character: 0 }, { line: endRow + 1, character: 0 }, text)],
  };
}

/**
 * The multiprocessing class that replaces a threading/queue one in `model`, or undefined when the
 * code uses an API the replacement lacks: multiprocessing locks take `block=`, not `blocking=`;
 * `task_done()` needs a JoinableQueue; `qsize()` is not implemented on macOS.
 */
export function multiprocessingReplacement(model: ModuleModel, type: string, member: string): { member: string; portable: boolean } | undefined {
  const text = model.root.text;
  if (/Lock|Semaphore|Condition/.test(member) && /\bblocking\s*=/.test(text)) return undefined;
  if (type.startsWith('queue.')) {
    const joinable = /\.task_done\s*\(/.test(text);
    if (joinable && member !== 'Queue') return undefined;
    return { member: joinable ? 'JoinableQueue' : member, portable: !/\.qsize\s*\(/.test(text) };
  }
  return { member, portable: true };
}

/**
 * *Pass the path instead of the handle*: `Process(target=work, args=(f,))` where `f = open(p)`
 * becomes `args=(p,)`, and `work` opens it again as its first statement. Offered only when the
 * worker is a module-level function of this file, the path means the same at the call, and
 * reopening is harmless (read or append mode; a database file, not `:memory:`).
 */
export function passPathFix(ctx: FixContext): Fix | undefined {
  const { problem, sink, ev } = ctx;
  const site = problem.leafSite;
  const model = sink.call.scope.module;
  if (!site || site.module !== model || site.node.type !== 'call' || problem.segments.length !== 1) return undefined;
  const index = /^args\[(\d+)\]$/.exec(problem.segments[0]);
  if (!index) return undefined;
  // Process args, Pool.apply args and executor.submit's rest arguments all map to the worker's parameters in order.
  const workerArg = sink.sent.find((s) => s.label === 'target' || s.label === 'fn' || s.label === 'func');
  if (!workerArg || !/^(Process|Pool\.apply(_async)?|ProcessPoolExecutor\.submit)$/.test(sink.name)) return undefined;
  const worker = ev.eval(workerArg.node, sink.call.scope);
  if (worker.kind !== 'function' || worker.fn.module !== model || worker.fn.outer.kind !== 'module') return undefined;
  const param = worker.fn.params[Number(index[1])];
  if (!param) return undefined;
  const opener = ev.eval(site.node.childForFieldName('function')!, enclosingScope(model, site.node));
  if (opener.kind !== 'ref') return undefined;
  const { positional, keywords } = callArgsOf(site.node);
  const pathNode = positional[0] ?? keywords.get('file') ?? keywords.get('database');
  if (!pathNode) return undefined;
  let reopen: { text: string; edits: TextEdit[] } | undefined;
  if (opener.qname === 'builtins.open' || opener.qname === 'io.open') {
    const mode = positional[1] ?? keywords.get('mode');
    if (mode && (mode.type !== 'string' || /[wx+]/.test(mode.text))) return undefined;
    if (positional.length > 2 || [...keywords.keys()].some((k) => k !== 'mode' && k !== 'encoding')) return undefined;
    const extra = [mode?.text, keywords.has('encoding') ? `encoding=${keywords.get('encoding')!.text}` : undefined].filter(Boolean);
    if (lookup('open', worker.fn.scope, worker.fn.node)) return undefined;
    reopen = { text: `open(${[param, ...extra].join(', ')})`, edits: [] };
  } else if (opener.qname === 'sqlite3.connect') {
    if (pathNode.type === 'string' && /:memory:/.test(pathNode.text)) return undefined;
    if (positional.length > 1 || keywords.size > 0) return undefined;
    const q = qualified(model, 'sqlite3', 'connect', worker.fn.node);
    if (!q) return undefined;
    reopen = { text: `${q.text}(${param})`, edits: q.edits };
  } else return undefined;
  // The path must mean the same where the handle is sent.
  if (pathNode.type === 'identifier') {
    const atOpen = lookup(pathNode.text, enclosingScope(model, pathNode), pathNode);
    const atSend = lookup(pathNode.text, sink.call.scope, problem.anchor.node);
    if (!atOpen || atOpen !== atSend) return undefined;
  } else if (pathNode.type !== 'string') return undefined;
  if (worker.fn.scope.bindings.get(param)?.some((b) => b.kind !== 'param')) return undefined;
  const body = worker.fn.node.childForFieldName('body');
  const stmts = body?.namedChildren.filter((c) => c.type !== 'comment') ?? [];
  if (!body || stmts.length === 0) return undefined;
  const docstring = stmts[0].type === 'expression_statement' && stmts[0].namedChildren[0]?.type === 'string';
  const first = docstring ? stmts[1] : stmts[0];
  const row = first ? first.startPosition.row : stmts[0].endPosition.row + 1;
  const indent = indentOf(lineText(model, stmts[0].startPosition.row));
  if (!indent || (first && first.startPosition.row === worker.fn.node.startPosition.row)) return undefined;
  return {
    title: `Pass \`${pathNode.text}\` instead of the open handle, and open it in \`${worker.fn.name}\``,
    id: 'pass-path-not-handle',
    preferred: false,
    edits: [
      ...reopen.edits,
      edit(model, { line: row, character: 0 }, { line: row, character: 0 }, `${indent}${param} = ${reopen.text}\n`),
      replaceNode(model, problem.anchor.node, pathNode.text),
    ],
  };
}

function callArgsOf(call: Node): { positional: Node[]; keywords: Map<string, Node> } {
  const positional: Node[] = [];
  const keywords = new Map<string, Node>();
  for (const a of call.childForFieldName('arguments')?.namedChildren ?? []) {
    if (a.type === 'keyword_argument') {
      const k = a.childForFieldName('name');
      const v = a.childForFieldName('value');
      if (k && v) keywords.set(k.text, v);
    } else if (a.type !== 'comment') positional.push(a);
  }
  return { positional, keywords };
}
