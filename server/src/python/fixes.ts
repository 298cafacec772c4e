import type { Fix, TextEdit } from '../engine/types';
import type { Problem } from './judge';
import { enclosingScope, type ClassInfo, type FunctionInfo, type ModuleModel, type Scope } from './model';
import type { Node } from './parser';
import { callArgs, lookup, type Evaluator, type Site } from './resolve';
import { factories, forkCopied, types } from './knowledge';
import type { Sink } from './sinks';

// Edits behind the quick fixes. Each builder returns nothing rather than an edit it cannot
// prove keeps the program meaning what it meant: a moved function must not close over locals,
// an inserted import must not shadow anything, a block must not be left empty.

export interface FixContext {
  problem: Problem;
  sink: Sink;
  ev: Evaluator;
  /** Set when the bad value is what this task function returns: the result crosses back to the caller. */
  returnedBy?: FunctionInfo;
}

function edit(model: ModuleModel, start: { line: number; character: number }, end: { line: number; character: number }, newText: string): TextEdit {
  return { file: model.file, range: { start, end }, newText };
}

function replaceNode(model: ModuleModel, node: Node, newText: string): TextEdit {
  const s = node.startPosition;
  const e = node.endPosition;
  return edit(model, { line: s.row, character: s.column }, { line: e.row, character: e.column }, newText);
}

export function lineText(model: ModuleModel, row: number): string {
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
  for (const { binding: b } of outsideReads(model, subtree)) {
    if (b.scope.kind !== 'module') return false;
    if (!allowGuarded && model.mainGuards.some((g) => isInside(b.node, g))) return false;
  }
  return true;
}

/**
 * The names `subtree` reads that are bound outside it, with their bindings: what the code
 * closes over. Attribute names and keyword-argument names are not reads; unresolved names
 * (builtins) are left out.
 */
export function* outsideReads(model: ModuleModel, subtree: Node): Generator<{ node: Node; binding: NonNullable<ReturnType<typeof lookup>> }> {
  const stack: Node[] = [subtree];
  while (stack.length) {
    const n = stack.pop()!;
    if (n.type === 'identifier') {
      const parent = n.parent;
      if (parent?.type === 'attribute' && n.field === 'attribute') continue;
      if (parent?.type === 'keyword_argument' && n.field === 'name') continue;
      const b = lookup(n.text, enclosingScope(model, n), n);
      if (!b || isInside(b.node, subtree) || isInside(b.scope.node, subtree)) continue;
      yield { node: n, binding: b };
      continue;
    }
    for (const c of n.children) stack.push(c);
  }
}

/** `name` appears as a whole word somewhere in `text`. */
function mentions(text: string, name: string): boolean {
  return new RegExp(`\\b${name}\\b`).test(text);
}

function freshName(model: ModuleModel, base: string): string {
  let name = base;
  for (let i = 2; model.scope.bindings.has(name) || mentions(model.root.text, name); i++) name = `${base}_${i}`;
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
  if (model.scope.bindings.get(def.name)?.some((b) => b.node.id !== def.nameNode.id && !isFactoryResult(def, b))) return undefined;
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

/**
 * A module-level `Record = define_record()` where `define_record` is the function `def` is
 * nested in and returns it on every path: once `def` moves to module level, that binding
 * assigns the name the very definition it already holds.
 */
function isFactoryResult(def: FunctionInfo | ClassInfo, b: NonNullable<ReturnType<typeof lookup>>): boolean {
  const outer = def.outer.kind === 'function' ? def.outer.fn : undefined;
  if (!outer || outer.outer.kind !== 'module' || b.kind !== 'value' || b.value.type !== 'call' || b.value.childForFieldName('function')?.text !== outer.name) return false;
  if ((b.value.childForFieldName('arguments')?.namedChildren.length ?? 1) !== 0) return false;
  return outer.returns.length > 0 && outer.returns.every((r) => r.type === 'identifier' && r.text === def.name) && outer.scope.bindings.get(def.name)?.length === 1;
}

/**
 * Replaces a lambda with a module-level def. A lambda stored in an attribute
 * (`self.transform = lambda x: ...`) keeps its attribute, which now holds a module function:
 * pickle stores that by name, and calling it through the attribute means what it meant.
 */
/**
 * The lambdas written as the values of a module-level dict (or list) literal bound to a name, all
 * moved to module-level defs named for the table and the key: undefined when `lambda` is not in
 * such a table, null when one of them cannot move.
 */
function lambdaTableFix(model: ModuleModel, lambda: Node): Fix | null | undefined {
  const pair = lambda.parent?.type === 'pair' && lambda.field === 'value' ? lambda.parent : undefined;
  const literal = pair ? pair.parent : lambda.parent?.type === 'list' ? lambda.parent : undefined;
  const assignment = literal?.parent;
  if (!literal || (literal.type !== 'dictionary' && literal.type !== 'list') || assignment?.type !== 'assignment' || assignment.childForFieldName('right')?.id !== literal.id) return undefined;
  const left = assignment.childForFieldName('left');
  if (left?.type !== 'identifier' || assignment.parent?.type !== 'expression_statement' || assignment.parent.parent?.type !== 'module') return undefined;
  const table = left.text.toLowerCase().replace(/^_+/, '');
  const defs: string[] = [];
  const edits: TextEdit[] = [];
  const taken = new Set<string>();
  for (const [i, item] of literal.namedChildren.entries()) {
    const value = item.type === 'pair' ? item.childForFieldName('value') : item;
    if (value?.type !== 'lambda') continue;
    if (!closesOverNothing(model, value)) return null;
    const key = item.type === 'pair' ? /^['"](\w+)['"]$/.exec(item.childForFieldName('key')?.text ?? '')?.[1] : undefined;
    let name = freshName(model, `_${table}_${key ?? i}`);
    for (let n = 2; taken.has(name); n++) name = freshName(model, `_${table}_${key ?? i}_${n}`);
    taken.add(name);
    const params = value.childForFieldName('parameters');
    const body = value.childForFieldName('body');
    if (!body) return null;
    defs.push(`def ${name}(${params?.text ?? ''}):\n    return ${body.text.includes('\n') ? `(${body.text})` : body.text}\n\n\n`);
    edits.push(replaceNode(model, value, name));
  }
  const row = assignment.parent.startPosition.row;
  const gap = lineText(model, row - 1).trim() === '' ? '' : '\n\n';
  return {
    title: `Move the lambdas of \`${left.text}\` to module-level functions (${[...taken].map((n) => `\`${n}\``).join(', ')})`,
    id: 'move-to-module-scope',
    preferred: true,
    edits: [edit(model, { line: row, character: 0 }, { line: row, character: 0 }, `${gap}${defs.join('')}`), ...edits],
  };
}

export function lambdaToDefFix(model: ModuleModel, lambda: Node, sink: Sink, holder?: Problem['holder']): Fix | undefined {
  if (!closesOverNothing(model, lambda)) return undefined;
  const params = lambda.childForFieldName('parameters');
  const rawBody = lambda.childForFieldName('body');
  if (!rawBody) return undefined;
  // A body written over several lines inside the call's brackets needs its own brackets after `return`.
  const body = { text: rawBody.text.includes('\n') ? `(${rawBody.text})` : rawBody.text };
  const top = topLevelStatement(lambda);
  // A module-level table of lambdas (`TRANSFORMS = {"train": lambda x: ...}`): each becomes a def
  // named for the table and its key, so whichever entry is picked pickles by name.
  const table = lambdaTableFix(model, lambda);
  if (table !== undefined) return table ?? undefined;
  const right = holder && holder.statement.type === 'assignment' ? holder.statement.childForFieldName('right') : null;
  // The attribute holds the lambda itself; a lambda inside what it holds (a defaultdict's
  // factory) moves as any other.
  if (holder && right?.id === lambda.id) {
    if (holder.cls.module !== model) return undefined;
    const snake = holder.cls.name.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase();
    const name = freshName(model, `${snake}_${holder.attr.replace(/^_+/, '')}`);
    const row = top.startPosition.row;
    const gap = lineText(model, row - 1).trim() === '' ? '' : '\n\n';
    return {
      title: `Move the lambda in \`self.${holder.attr}\` to a module-level function \`${name}\``,
      id: 'move-to-module-scope',
      preferred: true,
      edits: [
        edit(model, { line: row, character: 0 }, { line: row, character: 0 }, `${gap}def ${name}(${params?.text ?? ''}):\n    return ${body.text}\n\n\n`),
        replaceNode(model, lambda, name),
      ],
    };
  }
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
  // A defaultdict's factory is named for what it is, not for the sink its container crosses.
  const factoryOf = lambda.parent?.type === 'argument_list' && lambda.parent.namedChildren[0]?.id === lambda.id ? lambda.parent.parent?.childForFieldName('function')?.text : undefined;
  const name = freshName(model, factoryOf && /(^|\.)defaultdict$/.test(factoryOf) ? '_default_factory' : `_${role}_task`);
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
  // A local of that name would hide the new import where it is used.
  if (model.scope.bindings.has(module) || lookup(module, enclosingScope(model, at), at)) return undefined;
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

/** Like `qualified`, but a name the module already imports from `module` (`from sqlalchemy import create_engine`) is used as it is. */
function importedMember(model: ModuleModel, module: string, member: string, at: Node): { text: string; edits: TextEdit[] } | undefined {
  for (const [name, list] of model.scope.bindings) {
    const b = list[list.length - 1];
    if (list.length === 1 && b.kind === 'import' && !b.asModule && b.level === 0 && b.module === module && b.member === member && lookup(name, enclosingScope(model, at), at) === b) return { text: name, edits: [] };
  }
  return qualified(model, module, member, at);
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

/** A call that means the same when run again in `__setstate__`: no locals of the method it was in, no variable arguments. */
function recreatable(model: ModuleModel, call: Node): boolean {
  return closesOverNothing(model, call) && !(call.childForFieldName('arguments')?.namedChildren ?? []).some((a) => a.type === 'identifier' || a.type === 'attribute');
}

/**
 * The call that made a lock, written so `__setstate__` can run it: `threading.BoundedSemaphore(limit)`
 * in a method that also keeps the parameter (`self.limit = limit`) becomes
 * `threading.BoundedSemaphore(self.limit)`, which the restored `__dict__` holds. Any other name
 * the call reads from its function (a local, a parameter not kept as it was passed) means there
 * is no such call.
 */
function fromSavedParameters(model: ModuleModel, call: Node): string | undefined {
  const fn = enclosingFunction(call);
  const params = fn?.childForFieldName('parameters');
  const body = fn?.childForFieldName('body');
  if (!fn || !params || !body) return undefined;
  const self = params.namedChildren[0];
  if (!self || self.type !== 'identifier') return undefined;
  const replaced: { start: number; end: number; text: string }[] = [];
  for (const { node, binding } of outsideReads(model, call)) {
    if (binding.scope.kind === 'module') {
      if (model.mainGuards.some((g) => isInside(binding.node, g))) return undefined;
      continue;
    }
    if (binding.scope.node !== fn || !isInside(binding.node, params) || node.text === self.text) return undefined;
    const field = keptAs(body, self.text, node.text);
    if (!field) return undefined;
    replaced.push({ start: node.startIndex - call.startIndex, end: node.endIndex - call.startIndex, text: `${self.text}.${field}` });
  }
  if (replaced.length === 0) return undefined;
  let text = call.text;
  for (const r of replaced.sort((a, b) => b.start - a.start)) text = text.slice(0, r.start) + r.text + text.slice(r.end);
  return text;
}

/**
 * Whether the code at `node` runs in a child process: its function is the `target=` of a call in
 * the module (a Process), or is called by name from one that is, a few calls up.
 */
function runsInChild(model: ModuleModel, node: Node): boolean {
  let names = new Set<string>();
  const fn = enclosingFunction(node);
  const name = fn?.childForFieldName('name')?.text;
  if (!name) return false;
  names.add(name);
  const seen = new Set<string>(names);
  for (let hop = 0; hop < 4 && names.size; hop++) {
    const callers = new Set<string>();
    for (const site of model.calls) {
      const f = site.node.childForFieldName('function');
      if (!f) continue;
      const target = callArgs(site.node).keywords.get('target');
      if (target && target.type === 'identifier' && names.has(target.text)) return true;
      const last = f.type === 'attribute' ? f.childForFieldName('attribute')?.text : f.type === 'identifier' ? f.text : undefined;
      if (!last || !names.has(last)) continue;
      const caller = site.scope.fn?.name;
      if (caller && !seen.has(caller)) {
        seen.add(caller);
        callers.add(caller);
      }
    }
    names = callers;
  }
  return false;
}

function enclosingFunction(n: Node): Node | undefined {
  for (let p = n.parent; p; p = p.parent) {
    if (p.type === 'function_definition') return p;
    if (p.type === 'class_definition' || p.type === 'lambda') return undefined;
  }
  return undefined;
}

/** The one field a method keeps its parameter in, as passed (`self.limit = limit`), when the parameter is never assigned in it. */
function keptAs(body: Node, self: string, param: string): string | undefined {
  const fields: string[] = [];
  const stack: Node[] = [body];
  while (stack.length) {
    const n = stack.pop()!;
    if (n.type === 'function_definition' || n.type === 'class_definition' || n.type === 'lambda') continue;
    if (n.type === 'assignment' || n.type === 'augmented_assignment') {
      const left = n.childForFieldName('left');
      const right = n.childForFieldName('right');
      if (left?.type === 'identifier' && left.text === param) return undefined;
      if (n.type === 'assignment' && left?.type === 'attribute' && left.childForFieldName('object')?.text === self && right?.type === 'identifier' && right.text === param) {
        const attr = left.childForFieldName('attribute')?.text;
        if (attr) fields.push(attr);
      }
    }
    if (n.type === 'for_statement' || n.type === 'with_item' || n.type === 'named_expression') {
      if (new RegExp(`\\b${param}\\b`).test((n.childForFieldName('left') ?? n.childForFieldName('name') ?? n.childForFieldName('value'))?.text ?? '')) return undefined;
    }
    stack.push(...n.namedChildren);
  }
  return fields.length === 1 ? fields[0] : undefined;
}

const recreatedRules = new Set(['py-thread-lock', 'py-thread-queue', 'py-thread-local']);
const fileTypes = new Set(['io.TextIOWrapper', 'io.BufferedReader', 'io.FileIO']);

/**
 * Adds `__getstate__`/`__setstate__` to the class holding the bad attribute. A lock, queue or
 * thread-local is recreated with the call that made it (with any other such attribute `__init__`
 * makes, so the next one does not fail in turn); a file opened with `open()` is reopened by its
 * name, appending rather than truncating; with `leaveOut` (a pool, an executor) the attribute is
 * None on the other side.
 */
export function rehydrateHooksFix(problem: Problem, leaveOut = false, ev?: Evaluator): Fix | undefined {
  const holder = problem.holder;
  const site = problem.leafSite;
  if (!holder) return undefined;
  const cls = holder.cls;
  const model = cls.module;
  // A `__slots__` class keeps no `__dict__`: its hooks read and write the slots, when they are
  // its own (no bases) and listed literally.
  const slots = slotNames(cls);
  if (slots === null || cls.methods.has('__setstate__')) return undefined;
  if (cls.isDataclass && cls.node.parent?.type === 'decorated_definition' && /frozen\s*=\s*True|slots\s*=\s*True/.test(cls.node.parent.text)) return undefined;
  // attrs classes are slotted by default (`@define`), NamedTuples are tuples: `__dict__` hooks do not fit.
  if (cls.fieldStyle === 'attrs' || cls.fieldStyle === 'namedtuple' || cls.methods.has('__getstate__')) return undefined;
  const recreated: { attr: string; text: string }[] = [];
  let reopened: string | undefined;
  const carried = leaveOut ? undefined : (carriedState(problem, model, cls.node) ?? (ev ? h5pyReopened(problem, ev) : undefined));
  if (carried === null || (carried && ['state', 'saved', 'database', 'self'].includes(holder.attr))) return undefined;
  if (carried) {
    // handled below: the attribute's state crosses as plain data and is rebuilt from it
  } else if (leaveOut) recreated.push({ attr: holder.attr, text: 'None' });
  else if (site && site.node.type === 'call' && site.module === model && problem.objectType && fileTypes.has(problem.objectType)) {
    if (!ev || !opensFile(site, ev)) return undefined;
    // Another handle `__init__` keeps (an mmap over this file, a second file) would still fail.
    for (const [name, list] of cls.attrs) {
      if (name === holder.attr || list.length !== 1 || list[0].scope.fn?.name !== '__init__' || !list[0].value || list[0].unpack.length) continue;
      const v = ev.eval(list[0].value, list[0].scope);
      if (v.kind === 'object' && types[v.type]?.problem) return undefined;
    }
    reopened = holder.attr;
  } else {
    if (!site || site.node.type !== 'call' || site.module !== model) return undefined;
    const text = recreatable(model, site.node) ? site.node.text : fromSavedParameters(model, site.node);
    if (!text) return undefined;
    recreated.push({ attr: holder.attr, text });
    if (ev)
      for (const [name, list] of cls.attrs) {
        if (name === holder.attr || list.length !== 1 || list[0].scope.fn?.name !== '__init__' || list[0].value?.type !== 'call' || list[0].unpack.length) continue;
        const v = ev.eval(list[0].value, list[0].scope);
        const rule = v.kind === 'object' ? types[v.type]?.problem?.rule : undefined;
        if (rule && recreatedRules.has(rule) && recreatable(model, list[0].value)) recreated.push({ attr: name, text: list[0].value.text });
      }
  }
  const body = cls.node.childForFieldName('body');
  if (!body || body.namedChildren.length === 0) return undefined;
  const first = body.namedChildren[0];
  const indent = indentOf(lineText(model, first.startPosition.row));
  if (!indent) return undefined;
  const inner = `${indent}    `;
  const endRow = body.endPosition.row;
  let getstate = slots ? `${inner}state = {name: getattr(self, name) for name in self.__slots__ if hasattr(self, name)}\n` : `${inner}state = self.__dict__.copy()\n`;
  let setstate = '';
  for (const r of recreated) getstate += `${inner}state.pop(${JSON.stringify(r.attr)}, None)\n`;
  const key = reopened && JSON.stringify(`_${reopened}_reopen`);
  if (reopened) {
    getstate +=
      `${inner}handle = state.pop(${JSON.stringify(reopened)}, None)\n` +
      `${inner}if handle is not None:\n` +
      `${inner}    state[${key}] = {"file": handle.name, "mode": handle.mode.replace("w", "a").replace("x", "a"), "encoding": getattr(handle, "encoding", None)}\n`;
    setstate += `${inner}reopen = state.pop(${key}, None)\n`;
  }
  if (carried) {
    const ckey = JSON.stringify(`_${holder.attr}_state`);
    getstate += `${inner}${holder.attr} = state.pop(${JSON.stringify(holder.attr)}, None)\n${inner}if ${holder.attr} is not None:\n${carried.save(holder.attr).map((l) => `${inner}    ${l.replace('{key}', `state[${ckey}]`)}\n`).join('')}`;
    setstate += `${inner}saved = state.pop(${ckey}, None)\n`;
  }
  setstate += slots ? `${inner}for name, value in state.items():\n${inner}    setattr(self, name, value)\n` : `${inner}self.__dict__.update(state)\n`;
  if (carried) setstate += `${inner}if saved is not None:\n${carried.restore(`self.${holder.attr}`).map((l) => `${inner}    ${l}\n`).join('')}`;
  for (const r of recreated) setstate += `${inner}self.${r.attr} = ${r.text}\n`;
  if (reopened) setstate += `${inner}if reopen is not None:\n${inner}    self.${reopened} = open(**reopen)\n`;
  const text = `\n${indent}def __getstate__(self):\n${getstate}${inner}return state\n\n${indent}def __setstate__(self, state):\n${setstate}`;
  const names = recreated.map((r) => `self.${r.attr}`).join(', ');
  return {
    title: carried
      ? `Add __getstate__/__setstate__ to ${cls.name} that ${carried.title(`self.${holder.attr}`)}`
      : leaveOut
      ? `Add __getstate__/__setstate__ to ${cls.name} that leave self.${holder.attr} out of what is pickled (None on the other side)`
      : reopened
        ? `Add __getstate__/__setstate__ to ${cls.name} that reopen self.${reopened} by its file name on the other side (appending, not truncating)`
        : `Add __getstate__/__setstate__ to ${cls.name} that recreate ${names} on the other side`,
    id: 'add-rehydrate-hooks',
    preferred: false,
    edits: [...(carried?.imports ?? []), edit(model, { line: endRow + 1, character: 0 }, { line: endRow + 1, character: 0 }, text)],
  };
}

/**
 * The names a class lists in its own `__slots__` tuple or list of strings; undefined when it has
 * none, null when they cannot be read here or do not make a plain slotted class (bases, `__dict__`).
 */
function slotNames(cls: ClassInfo): string[] | undefined | null {
  const b = cls.scope.bindings.get('__slots__');
  if (!b) return undefined;
  if (b.length !== 1 || b[0].kind !== 'value' || cls.bases.length) return null;
  const v = b[0].value;
  if (v.type !== 'tuple' && v.type !== 'list') return null;
  const names = v.namedChildren.map((c) => (c.type === 'string' ? /^['"](\w+)['"]$/.exec(c.text)?.[1] : undefined));
  if (names.some((n) => !n) || names.includes('__dict__')) return null;
  return names as string[];
}

interface CarriedState {
  /** Lines run in `__getstate__` with the attribute's value in a local of the attribute's name; `{key}` is where its plain state goes. */
  save(local: string): string[];
  /** Lines run in `__setstate__` with the plain state in `saved`, rebuilding `target`. */
  restore(target: string): string[];
  title(target: string): string;
  imports: TextEdit[];
}

/**
 * Attributes whose object cannot be recreated by repeating the call that made it, but whose
 * state can cross as plain data: a sqlite3 connection (its database file, or the SQL dump of an
 * in-memory database, the same rows on the other side) and a ContextVar (its name and the value
 * it has now, which the new variable has as its default in every context of the worker).
 * undefined when the attribute is not of that kind, null when it is but the hooks cannot be
 * written (a name they need is shadowed).
 */
function carriedState(problem: Problem, model: ModuleModel, at: Node): CarriedState | null | undefined {
  const holder = problem.holder!;
  if (problem.objectType === 'sqlite3.Connection') {
    const q = qualified(model, 'sqlite3', 'connect', at);
    if (!q) return null;
    // Pools and executors pickle a task in a feeder thread, and a sqlite3 connection refuses
    // any thread but its creator's unless told otherwise (the library serializes access itself).
    const imports = [...q.edits];
    const site = problem.leafSite;
    const args = site?.node.type === 'call' ? site.node.childForFieldName('arguments') : null;
    if (site && args && !/check_same_thread/.test(args.text) && !args.namedChildren.some((a) => a.type === 'list_splat' || a.type === 'dictionary_splat')) {
      const end = args.endPosition;
      const pos = { row: end.row, column: end.column - 1 };
      const needsComma = args.namedChildren.length > 0 && args.text.slice(0, -1).trimEnd().slice(-1) !== ',';
      imports.push({ file: site.module.file, range: { start: { line: pos.row, character: pos.column }, end: { line: pos.row, character: pos.column } }, newText: `${needsComma ? ', ' : ''}check_same_thread=False` });
    }
    return {
      save: (local) => [
        `database = ${local}.execute("PRAGMA database_list").fetchone()[2]`,
        `{key} = {"database": database} if database else {"database": ":memory:", "script": "\\n".join(${local}.iterdump())}`,
      ],
      restore: (target) => [`${target} = ${q.text}(saved["database"])`, `if "script" in saved:`, `    ${target}.executescript(saved["script"])`],
      title: (target) => `reconnect ${target} on the other side (to the same database file; an in-memory database is copied)`,
      imports,
    };
  }
  if (problem.objectType === 'contextvars.ContextVar') {
    const q = qualified(model, 'contextvars', 'ContextVar', at);
    if (!q) return null;
    // Pools and executors pickle in a feeder thread, whose context is not the sender's: the value
    // is read where the variable is stored, in the sender's context, and crosses with the object.
    const stmt = holder.statement;
    const row = stmt.endPosition.row;
    if (stmt.type !== 'assignment' || stmt.parent?.type !== 'expression_statement' || stmt.parent.endPosition.row !== row) return null;
    const snapshot = `_${holder.attr.replace(/^_+/, '')}_value`;
    if (holder.cls.attrs.has(snapshot)) return null;
    const indent = indentOf(lineText(holder.cls.module, stmt.startPosition.row));
    const left = stmt.childForFieldName('left')!.text;
    const self = left.slice(0, left.lastIndexOf('.'));
    return {
      save: (local) => [`{key} = {"name": ${local}.name, "default": state.pop(${JSON.stringify(snapshot)}, None)}`],
      restore: (target) => [`${target} = ${q.text}(saved["name"], default=saved["default"])`],
      title: (target) => `send the value ${target} has when it is stored (a ContextVar of the same name has it on the other side)`,
      imports: [
        ...q.edits,
        edit(holder.cls.module, { line: row + 1, character: 0 }, { line: row + 1, character: 0 }, `${indent}${self}.${snapshot} = ${left}.get(None)\n`),
      ],
    };
  }
  return undefined;
}

/**
 * An h5py.File kept in an attribute: it crosses as its file name and mode (a file opened for
 * writing is reopened for appending), and the other side opens it again; the attributes
 * `__init__` derives from it (`self.frames = self.h5["frames"]`, h5py objects too) are
 * recomputed from the new handle, in the order `__init__` sets them.
 */
function h5pyReopened(problem: Problem, ev: Evaluator): CarriedState | null | undefined {
  const holder = problem.holder!;
  const site = problem.leafSite;
  if (problem.objectType !== 'h5py.File' || !site || site.node.type !== 'call' || !createsDirectly(site, 'h5py.File', ev)) return undefined;
  const cls = holder.cls;
  const model = cls.module;
  const q = qualified(model, 'h5py', 'File', cls.node);
  if (!q) return null;
  // Attributes set once, in `__init__`, from `self.<holder>` and module-level names only.
  const derived: { attr: string; text: string }[] = [];
  for (const [name, list] of cls.attrs) {
    if (name === holder.attr || list.length !== 1 || list[0].scope.fn?.name !== '__init__' || !list[0].value || list[0].unpack.length) continue;
    const value = list[0].value;
    const self = list[0].scope.fn.params[0];
    let readsHolder = false;
    let plain = true;
    for (const { node: n, binding: b } of outsideReads(model, value)) {
      if (b.scope.kind === 'module' && !model.mainGuards.some((g) => isInside(b.node, g))) continue;
      const attr = n.text === self && n.parent?.type === 'attribute' && n.field === 'object' ? n.parent.childForFieldName('attribute')?.text : undefined;
      if (attr === holder.attr) readsHolder = true;
      else plain = false;
    }
    if (!readsHolder) continue;
    if (!plain || self !== 'self') return null;
    derived.push({ attr: name, text: value.text });
  }
  derived.sort((a, b) => cls.attrs.get(a.attr)![0].node.startIndex - cls.attrs.get(b.attr)![0].node.startIndex);
  return {
    save: (local) => [`{key} = {"name": ${local}.filename, "mode": "r" if ${local}.mode == "r" else "a"}`, ...derived.map((d) => `state.pop(${JSON.stringify(d.attr)}, None)`)],
    restore: (target) => [`${target} = ${q.text}(saved["name"], saved["mode"])`, ...derived.map((d) => `self.${d.attr} = ${d.text}`)],
    title: (target) => `reopen ${target} by its file name on the other side${derived.length ? ` (and recompute ${derived.map((d) => `self.${d.attr}`).join(', ')} from it)` : ''}`,
    imports: q.edits,
  };
}

/** `site` is `open(...)` or `path.open(...)`: the file has a name to reopen. */
function opensFile(site: Site, ev: Evaluator): boolean {
  const callee = ev.eval(site.node.childForFieldName('function')!, enclosingScope(site.module, site.node));
  if (callee.kind === 'ref') return callee.qname === 'builtins.open' || callee.qname === 'io.open';
  return callee.kind === 'method' && callee.name === 'open' && callee.self.kind === 'object' && callee.self.type === 'pathlib.Path';
}

/**
 * The multiprocessing class that replaces a threading/queue one in `model`, or undefined when the
 * code uses an API the replacement lacks: multiprocessing locks take `block=`, not `blocking=`;
 * `task_done()` needs a JoinableQueue; `qsize()` is not implemented on macOS.
 */
export function multiprocessingReplacement(model: ModuleModel, type: string, member: string, blockingRenamed = false): { member: string; portable: boolean } | undefined {
  const text = model.root.text;
  if (/Lock|Semaphore|Condition/.test(member) && !blockingRenamed && /\bblocking\s*=/.test(text)) return undefined;
  if (type.startsWith('queue.')) {
    const joinable = /\.task_done\s*\(/.test(text);
    if (joinable && member !== 'Queue') return undefined;
    return { member: joinable ? 'JoinableQueue' : member, portable: !/\.qsize\s*\(/.test(text) };
  }
  return { member, portable: true };
}

function identifierCount(root: Node, name: string): number {
  let count = 0;
  const stack: Node[] = [root];
  while (stack.length) {
    const n = stack.pop()!;
    // An attribute (`handle.write`) or a keyword (`write=`) of the same spelling is another name.
    if (n.type === 'identifier' && n.text === name) {
      if (!(n.parent?.type === 'attribute' && n.field === 'attribute') && !(n.parent?.type === 'keyword_argument' && n.field === 'name')) count++;
    } else for (const c of n.namedChildren) stack.push(c);
  }
  return count;
}

/** The module-level worker function of this file that receives the sent argument, and the parameter it arrives in. */
export function workerParam(ctx: FixContext): { fn: FunctionInfo; param: string } | undefined {
  const target = taskWorker(ctx);
  if (!target || target.fn.module !== ctx.sink.call.scope.module) return undefined;
  return { fn: target.fn, param: target.param };
}

/**
 * The module-level worker function (of this file or one it imports) that receives the sent
 * argument, the parameter it arrives in, its position when sent positionally, and the argument
 * of the sink that names the worker.
 */
function taskWorker(ctx: FixContext): { fn: FunctionInfo; param: string; index?: number; workerArg: Node } | undefined {
  const { problem, sink, ev } = ctx;
  const model = sink.call.scope.module;
  if (problem.segments.length === 2) return partialWorker(ctx);
  if (problem.segments.length !== 1) return undefined;
  const label = problem.segments[0];
  const workerArg = sink.sent.find((s) => s.label === 'target' || s.label === 'fn' || s.label === 'func');
  if (!workerArg) return forwardedKeywordWorker(ctx);
  let index: number | undefined;
  let keyword: string | undefined;
  let m: RegExpExecArray | null;
  // Process args, Pool.apply args and executor.submit's rest arguments map to the worker's parameters in order;
  // a map item is the first argument, a starmap item's parts are the arguments.
  if ((m = /^args\[(\d+)\]$/.exec(label)) && /^(Process|Pool\.apply(_async)?|ProcessPoolExecutor\.submit)$/.test(sink.name)) index = Number(m[1]);
  // An item's index is a number, or `i` for the items of a comprehension.
  else if (/^iterable\[(\d+|i)\]$/.test(label) && /^Pool\.(map|map_async|imap|imap_unordered)$/.test(sink.name)) index = 0;
  else if ((m = /^iterable\[(?:\d+|i)\]\[(\d+)\]$/.exec(label)) && /^Pool\.starmap(_async)?$/.test(sink.name)) index = Number(m[1]);
  else if ((m = /^iterables\[(\d+)\]\[(?:\d+|i)\]$/.exec(label)) && sink.name === 'ProcessPoolExecutor.map') index = Number(m[1]);
  else if ((m = /^kwargs\[(["']?)(\w+)\1\]$/.exec(label)) && /^(Process|ProcessPoolExecutor\.submit)$/.test(sink.name)) keyword = m[2];
  else return undefined;
  const worker = ev.eval(workerArg.node, sink.call.scope);
  if (worker.kind !== 'function' || worker.fn.outer.kind !== 'module' || worker.fn.decorators.length) return undefined;
  const param = keyword ?? worker.fn.params[index!];
  if (!param || !worker.fn.params.includes(param)) return undefined;
  // A positional index counts only while no `*args` comes before it.
  const binding = worker.fn.scope.bindings.get(param);
  if (!binding || binding.some((b) => b.kind !== 'param') || (index !== undefined && binding[0].kind === 'param' && binding[0].index !== index)) return undefined;
  // Other callers of a worker of this file would still pass the old kind of value.
  if (worker.fn.module === model && identifierCount(model.root, worker.fn.name) !== 2) return undefined;
  return { fn: worker.fn, param, index, workerArg: workerArg.node };
}

/**
 * A worker handed over as `functools.partial(count, conn)` (`func → args[0]`): the value crosses
 * as the partial's bound argument, which the function receives in the parameter of the same
 * position (or keyword). The partial is written at the sink, or bound once to a name there.
 */
function partialWorker(ctx: FixContext): { fn: FunctionInfo; param: string; workerArg: Node } | undefined {
  const { problem, sink, ev } = ctx;
  const model = sink.call.scope.module;
  const [outer, inner] = problem.segments;
  const workerArg = sink.sent.find((s) => s.label === outer && (s.label === 'target' || s.label === 'fn' || s.label === 'func'));
  if (!workerArg) return undefined;
  const v = ev.eval(workerArg.node, sink.call.scope);
  if (v.kind !== 'partial' || v.func.kind !== 'function') return undefined;
  const fn = v.func.fn;
  if (fn.outer.kind !== 'module' || fn.decorators.length || fn.module !== model) return undefined;
  let m: RegExpExecArray | null;
  const param = (m = /^args\[(\d+)\]$/.exec(inner)) ? fn.params[Number(m[1])] : (m = /^keywords\[(\w+)\]$/.exec(inner)) ? m[1] : undefined;
  const binding = param ? fn.scope.bindings.get(param) : undefined;
  if (!param || !binding || binding.some((b) => b.kind !== 'param') || (m && /^\d+$/.test(m[1]) && binding[0].kind === 'param' && binding[0].index !== Number(m[1]))) return undefined;
  // Other callers of the worker would still pass the old kind of value.
  if (identifierCount(model.root, fn.name) !== 2) return undefined;
  return { fn, param, workerArg: workerArg.node };
}

/**
 * A helper that forwards its `**kwargs` to a process (`run_isolated(backup, progress=open(p))`,
 * `runner.enqueue(upload, stream=open(p))`): the sink seen through it carries only the keyword,
 * so the worker is the one function handed to the same helper call that takes a parameter of
 * that name. Two such functions, or none, and the receiver is unknown.
 */
function forwardedKeywordWorker(ctx: FixContext): { fn: FunctionInfo; param: string; workerArg: Node } | undefined {
  const { problem, sink, ev } = ctx;
  const m = /^kwargs\[(["']?)(\w+)\1\]$/.exec(problem.segments[0]);
  const anchor = problem.anchor.node;
  if (!m || anchor.parent?.type !== 'keyword_argument' || anchor.parent.childForFieldName('name')?.text !== m[2] || anchor.parent.parent?.parent?.id !== sink.call.node.id) return undefined;
  const model = sink.call.scope.module;
  const found: { fn: FunctionInfo; param: string; workerArg: Node }[] = [];
  for (const a of callArgsOf(sink.call.node).positional) {
    const v = ev.eval(a, sink.call.scope);
    if (v.kind !== 'function' || v.fn.outer.kind !== 'module' || v.fn.decorators.length || !v.fn.params.includes(m[2])) continue;
    const binding = v.fn.scope.bindings.get(m[2]);
    if (!binding || binding.some((b) => b.kind !== 'param')) continue;
    found.push({ fn: v.fn, param: m[2], workerArg: a });
  }
  if (found.length !== 1) return undefined;
  if (found[0].fn.module === model && identifierCount(model.root, found[0].fn.name) !== 2) return undefined;
  return found[0];
}

/**
 * Edits that make `fn` convert its parameter on arrival. With `wrap` (`with open(p) as p:`) the
 * old body moves one level in, unless re-indenting would change a multi-line string; otherwise
 * the `lines` become its first statements (after a docstring).
 */
function workerPrologue(model: ModuleModel, fn: FunctionInfo, lines: string[], wrap?: string): TextEdit[] | undefined {
  const body = fn.node.childForFieldName('body');
  const stmts = body?.namedChildren.filter((c) => c.type !== 'comment') ?? [];
  if (!body || stmts.length === 0) return undefined;
  const docstring = stmts[0].type === 'expression_statement' && stmts[0].namedChildren[0]?.type === 'string';
  const first = docstring ? stmts[1] : stmts[0];
  const indent = indentOf(lineText(model, stmts[0].startPosition.row));
  if (!indent || stmts[0].startPosition.row === fn.node.startPosition.row) return undefined;
  if (!wrap) {
    const row = first ? first.startPosition.row : stmts[0].endPosition.row + 1;
    return [edit(model, { line: row, character: 0 }, { line: row, character: 0 }, lines.map((l) => `${indent}${l}\n`).join(''))];
  }
  if (!first) return undefined;
  const unit = indent.slice(indentOf(lineText(model, fn.node.startPosition.row)).length);
  const stack: Node[] = [body];
  while (stack.length) {
    const n = stack.pop()!;
    if (n.type === 'string' && n.startPosition.row !== n.endPosition.row) return undefined;
    for (const c of n.children) stack.push(c);
  }
  const startRow = first.startPosition.row;
  const endRow = body.endPosition.row;
  const out: string[] = [];
  for (let r = startRow; r <= endRow; r++) {
    const l = lineText(model, r);
    out.push(l.trim() === '' ? l : `${unit}${l}`);
  }
  return [edit(model, { line: startRow, character: 0 }, { line: endRow, character: lineText(model, endRow).length }, `${indent}${wrap}\n${out.join('\n')}`)];
}

/**
 * *Pass the path instead of the handle*: `Process(target=work, args=(f,))` where `f = open(p)`
 * becomes `args=(p,)`, and `work` opens it again (`with open(p) as f:` around its body).
 * Offered only when the worker is a module-level function of this file, the path means the
 * same at the call, and reopening is harmless (read or append mode; a database file). An
 * in-memory sqlite database has no file: a copy of it crosses instead (`serialize()`).
 */
export function passPathFix(ctx: FixContext): Fix | undefined {
  const { problem, sink, ev } = ctx;
  const site = problem.leafSite;
  const model = sink.call.scope.module;
  if (!site || site.node.type !== 'call') return undefined;
  const target = workerParam(ctx);
  if (!target) return undefined;
  const { fn, param } = target;
  const calleeNode = site.node.childForFieldName('function')!;
  const opener = ev.eval(calleeNode, enclosingScope(site.module, site.node));
  const { positional, keywords } = callArgsOf(site.node);
  let pathNode: Node | undefined;
  let mode: Node | undefined;
  let kind: 'file' | 'sqlite';
  if (opener.kind === 'ref' && (opener.qname === 'builtins.open' || opener.qname === 'io.open')) {
    kind = 'file';
    pathNode = positional[0] ?? keywords.get('file');
    mode = positional[1] ?? keywords.get('mode');
    if (positional.length > 2 || [...keywords.keys()].some((k) => k !== 'mode' && k !== 'encoding' && k !== 'file')) return undefined;
  } else if (opener.kind === 'method' && opener.name === 'open' && opener.self.kind === 'object' && opener.self.type === 'pathlib.Path' && calleeNode.type === 'attribute') {
    kind = 'file';
    pathNode = calleeNode.childForFieldName('object') ?? undefined;
    mode = positional[0] ?? keywords.get('mode');
    if (positional.length > 1 || [...keywords.keys()].some((k) => k !== 'mode' && k !== 'encoding')) return undefined;
  } else if (opener.kind === 'ref' && opener.qname === 'sqlite3.connect') {
    kind = 'sqlite';
    pathNode = positional[0] ?? keywords.get('database');
    if (positional.length > 1 || [...keywords.keys()].some((k) => k !== 'database')) return undefined;
  } else return undefined;
  if (!pathNode) return undefined;
  if (kind === 'sqlite' && pathNode.type === 'string' && /^['"]:memory:['"]$/.test(pathNode.text)) return site.module === model ? sqliteCopyFix(ctx, fn, param) : undefined;
  // The path must mean the same where the handle is sent; otherwise a file sends its own name
  // (`f.name`, the path it was opened with), when the sender does nothing else with it.
  let sendText: string | undefined;
  if (site.module === model && pathNode.type === 'identifier') {
    const atOpen = lookup(pathNode.text, enclosingScope(model, pathNode), pathNode);
    const atSend = lookup(pathNode.text, sink.call.scope, problem.anchor.node);
    if (atOpen && atOpen === atSend) sendText = pathNode.text;
    else if (atOpen?.kind === 'param') sendText = pathAtFactoryCall(ctx, atOpen.fn, atOpen.index, pathNode.text);
  } else if (site.module === model && pathNode.type === 'string') sendText = pathNode.text;
  let reopenMode = mode?.text;
  if (!sendText) {
    const anchor = problem.anchor.node;
    if (kind !== 'file' || anchor.type !== 'identifier' || anchor.parent?.type === 'keyword_argument') return undefined;
    const scope = enclosingScope(problem.anchor.module, anchor);
    const bindings = scope.bindings.get(anchor.text);
    if (!bindings || bindings.length !== 1 || bindings[0].kind !== 'value' || usesIn(problem.anchor.module, scope.node, anchor.text).filter((u) => lookup(u.text, enclosingScope(problem.anchor.module, u), u)?.scope === scope).length !== 2) return undefined;
    sendText = `${anchor.text}.name`;
    // The sender created the file and wrote nothing to it: the worker appends instead of truncating it again.
    if (mode?.type === 'string' && /^[rbu]?['"][wx]b?['"]$/.test(mode.text)) reopenMode = mode.text.replace(/[wx]/, 'a');
  }
  let prologue: TextEdit[] | undefined;
  const importEdits: TextEdit[] = [];
  // Opened where it is sent (`out=open(p, "w")`): nothing on this side writes to or reads from
  // it, so the worker opening it in the same mode does what the handle would have done there.
  const inline = problem.anchor.module === site.module && problem.anchor.node.id === site.node.id;
  if (kind === 'file') {
    if (mode && (mode.type !== 'string' || (!inline && /[wx+]/.test(reopenMode ?? '')))) return undefined;
    if (lookup('open', fn.scope, fn.node)) return undefined;
    const extra = [reopenMode, keywords.has('encoding') ? `encoding=${keywords.get('encoding')!.text}` : undefined].filter(Boolean);
    prologue = workerPrologue(model, fn, [], `with open(${[param, ...extra].join(', ')}) as ${param}:`);
  } else {
    // sqlite3's own `with` commits but does not close, so the connection is simply made again.
    const q = qualified(model, 'sqlite3', 'connect', fn.node);
    if (!q) return undefined;
    importEdits.push(...q.edits);
    prologue = workerPrologue(model, fn, [`${param} = ${q.text}(${param})`]);
  }
  if (!prologue) return undefined;
  return {
    title: `Pass \`${sendText}\` instead of the open handle, and open it in \`${fn.name}\``,
    id: 'pass-path-not-handle',
    preferred: false,
    edits: [...importEdits, ...prologue, replaceNode(model, problem.anchor.node, sendText)],
  };
}

/**
 * The handle comes out of a factory that opens it from its parameter (`conn = build_db(path)`,
 * `def build_db(path): conn = sqlite3.connect(path) ... return conn`): the argument the caller
 * passed for that parameter, when it is a literal or a name that means the same at the send.
 */
function pathAtFactoryCall(ctx: FixContext, factory: FunctionInfo, index: number, param: string): string | undefined {
  const { problem, sink, ev } = ctx;
  const model = sink.call.scope.module;
  const anchor = problem.anchor.node;
  if (problem.anchor.module !== model || anchor.type !== 'identifier' || factory.module !== model || factory.isGenerator) return undefined;
  const b = lookup(anchor.text, enclosingScope(model, anchor), anchor);
  const bindings = b?.scope.bindings.get(anchor.text);
  if (!b || b.kind !== 'value' || bindings?.length !== 1 || b.unpack.length || b.iterate || b.enter || b.value.type !== 'call') return undefined;
  const callee = b.value.childForFieldName('function');
  const made = callee ? ev.eval(callee, enclosingScope(model, b.value)) : undefined;
  if (made?.kind !== 'function' || made.fn !== factory) return undefined;
  const { positional, keywords } = callArgsOf(b.value);
  const arg = keywords.get(param) ?? positional[index];
  if (!arg || positional.length + keywords.size !== factory.params.length) return undefined;
  if (arg.type === 'string') return /^['"]:memory:['"]$/.test(arg.text) ? undefined : arg.text;
  if (arg.type !== 'identifier') return undefined;
  const atCall = lookup(arg.text, enclosingScope(model, arg), arg);
  return atCall && atCall === lookup(arg.text, enclosingScope(model, anchor), anchor) && atCall.scope.bindings.get(arg.text)?.length === 1 ? arg.text : undefined;
}

/** An in-memory sqlite database cannot be reopened by name: send its SQL dump and rebuild it in the worker. */
function sqliteCopyFix(ctx: FixContext, fn: FunctionInfo, param: string): Fix | undefined {
  const { problem } = ctx;
  const model = fn.module;
  const anchor = problem.anchor.node;
  if (anchor.type !== 'identifier' && anchor.type !== 'attribute') return undefined;
  const q = qualified(model, 'sqlite3', 'connect', fn.node);
  if (!q) return undefined;
  let script = `${param}_script`;
  for (let i = 2; fn.scope.bindings.has(script) || mentions(fn.node.text, script); i++) script = `${param}_script_${i}`;
  const prologue = workerPrologue(model, fn, [`${script} = ${param}`, `${param} = ${q.text}(":memory:")`, `${param}.executescript(${script})`]);
  if (!prologue) return undefined;
  return {
    title: `Send a copy of the in-memory database (its SQL dump, \`${anchor.text}.iterdump()\`) and load it into a new connection in \`${fn.name}\``,
    id: 'pass-path-not-handle',
    preferred: false,
    edits: [...q.edits, ...prologue, replaceNode(model, anchor, `"\\n".join(${anchor.text}.iterdump())`)],
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

/**
 * `lock.acquire(blocking=False)` on the lock being replaced, renamed to the multiprocessing
 * spelling `block=`; undefined when some `blocking=` call's receiver cannot be told apart.
 */
function blockingRenames(site: Site, ev: Evaluator): TextEdit[] | undefined {
  const model = site.module;
  const edits: TextEdit[] = [];
  for (const call of model.calls) {
    const kw = call.node.childForFieldName('arguments')?.namedChildren.find((a) => a.type === 'keyword_argument' && a.childForFieldName('name')?.text === 'blocking');
    if (!kw) continue;
    const fn = call.node.childForFieldName('function');
    const receiver = fn?.type === 'attribute' ? fn.childForFieldName('object') : null;
    if (!receiver || fn!.childForFieldName('attribute')?.text !== 'acquire') return undefined;
    const v = ev.eval(receiver, call.scope);
    if (v.kind !== 'object') return undefined;
    if (v.site.module === model && v.site.node.id === site.node.id) edits.push(replaceNode(model, kw.childForFieldName('name')!, 'block'));
  }
  return edits;
}

/** `site` calls the constructor of `type` itself, not a function that returns one. */
function createsDirectly(site: Site, type: string, ev: Evaluator): boolean {
  const callee = ev.eval(site.node.childForFieldName('function')!, enclosingScope(site.module, site.node));
  return callee.kind === 'ref' && (callee.qname === type || factories[callee.qname] === type);
}

/** The call creating the value sits where a Manager may be started: in a function or under the `__main__` guard, not at import time. */
function runsAfterImport(model: ModuleModel, node: Node): boolean {
  // A class body runs at import too (`class Stage(Enum): PARSE = (1, Lock())`): only a function defers it.
  for (let s: Scope | undefined = enclosingScope(model, node); s; s = s.parent) if (s.kind === 'function' || s.kind === 'lambda') return true;
  return model.mainGuards.some((g) => isInside(node, g));
}

/**
 * A threading primitive handed to another process: a Process (or a pool's initargs) inherits
 * the multiprocessing equivalent, which is shared rather than copied; a task, queue or pipe
 * can carry a Manager proxy of it.
 */
export function sharedPrimitiveFix(ctx: FixContext, inHolder = false): Fix | undefined {
  const { problem, sink, ev } = ctx;
  const member = problem.objectType ? forkCopied[problem.objectType] : undefined;
  const site = problem.leafSite;
  if (!member || !site || site.node.type !== 'call' || (problem.holder && !inHolder) || !createsDirectly(site, problem.objectType!, ev)) return undefined;
  // A dask distributed graph runs on the cluster's workers, which no local Manager serves: a
  // `distributed.Lock` is held by the scheduler and pickles as its name.
  if (sink.name === 'dask.array.store' || sink.name === 'Array.store')
    return problem.objectType === 'threading.Lock' ? replaceConstructorFix(problem, 'distributed', 'Lock', 'Use {name}', true, 'use-distributed-lock') : undefined;
  if (sink.transport === 'spawn-args' || sink.transport === 'fork-copy') {
    const renames = blockingRenames(site, ev);
    const r = multiprocessingReplacement(site.module, problem.objectType!, member, renames !== undefined);
    if (!r) return undefined;
    const fix = replaceConstructorFix(problem, 'multiprocessing', r.member, 'Use {name}', r.portable, 'use-multiprocessing-primitive');
    if (fix && renames?.length) {
      fix.edits.push(...renames);
      fix.title += ` (and \`acquire(block=...)\`, its spelling of \`blocking=\`)`;
    }
    return fix;
  }
  if (sink.transport === 'pickle' || !runsAfterImport(site.module, site.node) || problem.objectType!.startsWith('queue.')) return undefined;
  // A proxy handed to a generator (`pool.starmap(f, pairs(paths, Lock()))`) is owned only by it:
  // once the pool has consumed the generator the proxy is released, and the manager forgets the
  // object before a worker unpickles its copy (KeyError in incref).
  const holderCall = site.node.parent?.type === 'keyword_argument' ? site.node.parent.parent?.parent : site.node.parent?.type === 'argument_list' ? site.node.parent.parent : undefined;
  const holderFn = holderCall?.childForFieldName('function');
  const holder = holderFn ? ev.eval(holderFn, enclosingScope(site.module, holderFn)) : undefined;
  if (holder?.kind === 'function' && holder.fn.isGenerator) return undefined;
  // A proxy made in a child process belongs to a manager that child starts and that shuts down
  // when the child exits: whoever receives it later cannot reach the object.
  if (runsInChild(site.module, site.node)) return undefined;
  // Stored in a Manager dict or Namespace, the proxy of a fresh `Manager()` outlives its own
  // proxy here: that manager shuts down once the write is done, and reading the entry back fails.
  if (/^Manager\(\)\.(?:dict|list|Namespace)\(\)/.test(sink.name)) return undefined;
  return replaceConstructorFix(problem, 'multiprocessing', `Manager().${member}`, 'Use a Manager proxy: {name}(...)', false, 'use-manager-proxy');
}

/** Types whose plain copy crosses and reads the same: the wrapper that sends it. */
const copyAs: Record<string, string> = {
  'os.environ': 'dict',
  'types.MappingProxyType': 'dict',
  'builtins.memoryview': 'bytes',
};

/** The reported expression is the bad object itself, not a container or an object holding it. */
function anchorIsObject(ctx: FixContext): boolean {
  const { problem, ev } = ctx;
  const anchor = problem.anchor;
  const v = ev.eval(anchor.node, enclosingScope(anchor.module, anchor.node));
  if (problem.holder || problem.segments.length !== 1) return false;
  // `d.values()` of a dict sendcheck saw filled is a container marked as the view.
  if (v.kind === 'container' && v.view) return problem.objectType === `builtins.dict_${v.view}`;
  return v.kind === 'object' && v.type === problem.objectType;
}

/** `os.environ` → `dict(os.environ)` where it is sent: the worker gets a snapshot; other uses are untouched. */
export function sendCopyFix(ctx: FixContext): Fix | undefined {
  const { problem } = ctx;
  const wrapper = problem.objectType ? copyAs[problem.objectType] : undefined;
  const anchor = problem.anchor;
  if (!wrapper || !anchorIsObject(ctx)) return undefined;
  if (lookup(wrapper, enclosingScope(anchor.module, anchor.node), anchor.node)) return undefined;
  const text = `${wrapper}(${anchor.node.text})`;
  return { title: `Send a copy: \`${text}\``, id: 'send-a-copy', preferred: false, edits: [replaceNode(anchor.module, anchor.node, text)] };
}

/**
 * A threading.local sent directly: send what the current thread sees in it, as a namespace the
 * worker reads the same way (`ctx.user`, `getattr(ctx, "user", None)`).
 */
export function threadLocalSnapshotFix(ctx: FixContext): Fix | undefined {
  const { problem } = ctx;
  const anchor = problem.anchor;
  if (problem.objectType !== 'threading.local' || !anchorIsObject(ctx)) return undefined;
  if (lookup('vars', enclosingScope(anchor.module, anchor.node), anchor.node)) return undefined;
  const q = qualified(anchor.module, 'types', 'SimpleNamespace', anchor.node);
  if (!q) return undefined;
  const text = `${q.text}(**vars(${anchor.node.text}))`;
  return {
    title: `Send a snapshot of this thread's values instead of the threading.local: \`${text}\``,
    id: 'send-thread-local-values',
    preferred: false,
    edits: [...q.edits, replaceNode(anchor.module, anchor.node, text)],
  };
}

/**
 * A ContextVar sent to a worker that only ever reads it (`var.get()`): send the current value,
 * and the worker uses the value where it called `get()`.
 */
export function contextValueFix(ctx: FixContext): Fix | undefined {
  const { problem } = ctx;
  const anchor = problem.anchor;
  if (problem.objectType !== 'contextvars.ContextVar' || !anchorIsObject(ctx)) return undefined;
  if (anchor.node.type !== 'identifier' && anchor.node.type !== 'attribute') return undefined;
  const target = workerParam(ctx);
  if (!target) return undefined;
  const { fn, param } = target;
  // Only `param.get()` with no default: anything else needs the variable itself.
  const edits = rewriteWorkerUses(fn, param, 'get', { noArguments: true });
  if (!edits?.length) return undefined;
  return {
    title: `Send \`${anchor.node.text}.get()\` (the current value) instead of the ContextVar, and use the value in \`${fn.name}\``,
    id: 'send-context-value',
    preferred: false,
    edits: [...edits, replaceNode(anchor.module, anchor.node, `${anchor.node.text}.get()`)],
  };
}

/**
 * A nested def that closes over locals of its enclosing function moves to module level under a
 * fresh name, the locals it reads becoming keyword-only parameters; where it was defined, its
 * name is bound to `functools.partial(moved, x=x)`. Offered only when each closed-over local is
 * bound once, before the def and outside any loop, so binding its value early reads the same.
 */
export function moveWithPartialFix(def: FunctionInfo | ClassInfo): Fix | undefined {
  if (!('params' in def) || !def.local || def.outer.kind !== 'function' || def.decorators.length) return undefined;
  const fn = def;
  const model = fn.module;
  const node = fn.node;
  const outer = fn.outer;
  if (/\b(nonlocal|global)\b/.test(node.text)) return undefined;
  // Directly in the enclosing function's body: not in a loop or a branch that may run it again or not at all.
  if (node.parent?.type !== 'block' || node.parent.parent?.id !== outer.node.id) return undefined;
  const body = node.childForFieldName('body');
  if (!body) return undefined;
  const free = new Set<string>();
  for (const { node: n, binding: b } of outsideReads(model, node)) {
    if (n.id === fn.nameNode.id) continue;
    if (b.scope === outer) {
      // A default or annotation is evaluated where the def stands: at module level the local is gone.
      if (n.text === fn.name || !isInside(n, body)) return undefined;
      const all = outer.bindings.get(n.text)!;
      if (all.length !== 1 || !(all[0].kind === 'param' || all[0].kind === 'value') || all[0].node.startIndex > node.startIndex) return undefined;
      free.add(n.text);
      continue;
    }
    if (b.scope.kind !== 'module' || model.mainGuards.some((g) => isInside(b.node, g))) return undefined;
  }
  if (free.size === 0) return undefined;
  const params = node.childForFieldName('parameters');
  const nameNode = fn.nameNode;
  if (!params || params.startPosition.row !== node.startPosition.row || params.endPosition.row !== node.startPosition.row) return undefined;
  const parts = [...params.namedChildren];
  if (parts.some((p) => p.type === 'comment')) return undefined;
  const names = [...free].sort();
  const kwSplat = parts.findIndex((p) => p.type === 'dictionary_splat_pattern');
  const hasStar = parts.some((p) => p.type === 'list_splat_pattern' || p.type === 'keyword_separator');
  const texts = parts.map((p) => p.text);
  const added = hasStar ? names : ['*', ...names];
  if (kwSplat >= 0) texts.splice(kwSplat, 0, ...added);
  else texts.push(...added);
  const moved = dedentedLines(model, node);
  if (!moved) return undefined;
  const indent = indentOf(lineText(model, node.startPosition.row));
  const newName = freshName(model, `_${fn.name}`);
  const firstLine = moved.text.split('\n')[0];
  const nameStart = nameNode.startPosition.column - indent.length;
  const paramsEnd = params.endPosition.column - indent.length;
  const header = `${firstLine.slice(0, nameStart)}${newName}(${texts.join(', ')})${firstLine.slice(paramsEnd)}`;
  const movedText = [header, ...moved.text.split('\n').slice(1)].join('\n');
  const q = qualified(model, 'functools', 'partial', node);
  if (!q) return undefined;
  const top = topLevelStatement(node);
  const topRow = top.startPosition.row;
  const bind = `${indent}${fn.name} = ${q.text}(${newName}, ${names.map((n) => `${n}=${n}`).join(', ')})`;
  return {
    title: `Move \`${fn.name}\` to module scope as \`${newName}\`, binding ${names.map((n) => `\`${n}\``).join(', ')} with functools.partial`,
    id: 'move-to-module-scope',
    preferred: false,
    edits: [
      ...q.edits,
      edit(model, { line: topRow, character: 0 }, { line: topRow, character: 0 }, `${movedText}\n\n\n`),
      edit(model, { line: moved.startRow, character: 0 }, { line: moved.endRow, character: lineText(model, moved.endRow).length }, bind),
    ],
  };
}

/** A module object sent to a worker: send its name, and the worker imports it (`importlib.import_module`). */
export function passModuleNameFix(ctx: FixContext): Fix | undefined {
  const { problem, sink, ev } = ctx;
  if (problem.objectType !== 'builtins.module' || problem.holder) return undefined;
  const anchor = problem.anchor;
  const v = ev.eval(anchor.node, enclosingScope(anchor.module, anchor.node));
  if (v.kind !== 'ref' || !v.isModule || v.library !== v.qname.split('.')[0] || !/^[\w.]+$/.test(v.qname)) return undefined;
  const target = workerParam(ctx);
  if (!target || target.fn.module !== sink.call.scope.module) return undefined;
  const q = qualified(target.fn.module, 'importlib', 'import_module', target.fn.node);
  if (!q) return undefined;
  const prologue = workerPrologue(target.fn.module, target.fn, [`${target.param} = ${q.text}(${target.param})`]);
  if (!prologue) return undefined;
  return {
    title: `Pass the module name "${v.qname}" instead of the module, and import it in \`${target.fn.name}\``,
    id: 'pass-module-name',
    preferred: false,
    edits: [...q.edits, ...prologue, replaceNode(anchor.module, anchor.node, JSON.stringify(v.qname))],
  };
}

/**
 * Edits turning each use of `param` in `fn` into the plain value that now arrives: every use
 * must be `param.<method>(...)` (or `param(...)` when `method` is '()'), with no arguments when
 * `noArguments` is set, or nothing is returned — any other use needs the object itself.
 */
function rewriteWorkerUses(fn: FunctionInfo, param: string, method: string, options: { noArguments?: boolean } = {}): TextEdit[] | undefined {
  const body = fn.node.childForFieldName('body');
  if (!body) return undefined;
  const edits: TextEdit[] = [];
  const stack: Node[] = [body];
  while (stack.length) {
    const n = stack.pop()!;
    if (n.type === 'identifier' && n.text === param) {
      if (enclosingScope(fn.module, n) !== fn.scope) return undefined;
      let call: Node | null;
      if (method === '()') call = n.parent?.type === 'call' && n.field === 'function' ? n.parent : null;
      else {
        const attr = n.parent;
        call = attr?.type === 'attribute' && n.field === 'object' && attr.childForFieldName('attribute')?.text === method && attr.parent?.type === 'call' ? attr.parent : null;
      }
      if (!call || (options.noArguments && (call.childForFieldName('arguments')?.namedChildren.length ?? 1) !== 0)) return undefined;
      edits.push(replaceNode(fn.module, call, param));
      continue;
    }
    for (const c of n.namedChildren) stack.push(c);
  }
  return edits;
}

/** What to send instead of an object whose useful content is one call away, and how the receiver used to reach it. */
const sendInstead: Record<string, { text: (x: string) => string; method?: string; what: string }> = {
  'builtins.generator': { text: (x) => `list(${x})`, what: 'the items it yields, as a list (the worker iterates it the same way)' },
  'concurrent.futures.Future': { text: (x) => `${x}.result()`, method: 'result', what: 'its result' },
  'weakref.ref': { text: (x) => `${x}()`, method: '()', what: 'the object it refers to' },
  // The rows a cursor still holds are what a worker reads with `fetchall()`.
  'sqlite3.Cursor': { text: (x) => `${x}.fetchall()`, method: 'fetchall', what: 'the rows it holds' },
  // A dict's views iterate the same as a list of their items.
  'builtins.dict_keys': { text: (x) => `list(${x})`, what: 'the keys, as a list (the worker iterates it the same way)' },
  'builtins.dict_values': { text: (x) => `list(${x})`, what: 'the values, as a list (the worker iterates it the same way)' },
  'builtins.dict_items': { text: (x) => `list(${x})`, what: 'the (key, value) pairs, as a list (the worker iterates it the same way)' },
  // A dict keeps what sqlite3.Row is chosen for: reading columns by name (`row["id"]`).
  'sqlite3.Row': { text: (x) => `dict(${x})`, what: 'the row as a dict, read by column name as before' },
};

/** Sinks whose receiving side is data read elsewhere (a pickle, a queue, a pipe), not a worker function's parameter. */
const dataChannel = /^(pickle\.dumps?|.*\.put(_nowait)?|.*\.send)$/;

/**
 * A generator, a Future or a weak reference sent directly: send what it holds (`list(gen)`,
 * `fut.result()`, `ref()`). When the worker is a function of this file, its uses
 * (`fut.result()`, `ref()`) become the value; a generator's list iterates the same way.
 */
export function sendValueFix(ctx: FixContext): Fix | undefined {
  const { problem, sink } = ctx;
  const how = problem.objectType ? sendInstead[problem.objectType] : undefined;
  const anchor = problem.anchor;
  if (!how || !anchorIsObject(ctx)) return undefined;
  if (how.text('').startsWith('list(') && lookup('list', enclosingScope(anchor.module, anchor.node), anchor.node)) return undefined;
  const text = how.text(/^[\w.]+$/.test(anchor.node.text) || anchor.node.type === 'call' || anchor.node.type === 'generator_expression' ? anchor.node.text : `(${anchor.node.text})`);
  const send = replaceNode(anchor.module, anchor.node, text);
  if (!how.method) return { title: `Send \`${text}\`: ${how.what}`, id: 'send-the-value', preferred: false, edits: [send] };
  const target = workerParam(ctx);
  if (target) {
    const uses = rewriteWorkerUses(target.fn, target.param, how.method);
    if (!uses?.length) return undefined;
    return { title: `Send \`${text}\` (${how.what}) and use it as it is in \`${target.fn.name}\``, id: 'send-the-value', preferred: false, edits: [...uses, send] };
  }
  if (!dataChannel.test(sink.name)) return undefined;
  return { title: `Send \`${text}\` (${how.what}); whoever reads it gets the value, not the ${problem.typeName}`, id: 'send-the-value', preferred: false, edits: [send] };
}

/**
 * A module-level ContextVar sent to a worker of this file: send its current value, and the
 * worker sets the same variable (module globals exist in every process) before anything reads
 * it; the parameter names the variable again, so every other use of it means what it meant.
 */
export function setContextVarInWorkerFix(ctx: FixContext): Fix | undefined {
  const { problem, ev } = ctx;
  const anchor = problem.anchor;
  if (problem.objectType !== 'contextvars.ContextVar' || !anchorIsObject(ctx) || anchor.node.type !== 'identifier') return undefined;
  const b = lookup(anchor.node.text, enclosingScope(anchor.module, anchor.node), anchor.node);
  if (!b || b.scope.kind !== 'module' || anchor.module.mainGuards.some((g) => isInside(b.node, g))) return undefined;
  const target = workerParam(ctx);
  if (!target) return undefined;
  const { fn, param } = target;
  const name = anchor.node.text;
  // The worker must see the module-level variable under the same name.
  const inWorker = lookup(name, fn.scope, fn.node);
  if (!inWorker || inWorker.scope.kind !== 'module' || inWorker.node.id !== b.node.id || name === param) return undefined;
  const v = ev.eval(anchor.node, enclosingScope(anchor.module, anchor.node));
  if (v.kind !== 'object') return undefined;
  const prologue = workerPrologue(fn.module, fn, [`${name}.set(${param})`, `${param} = ${name}`]);
  if (!prologue) return undefined;
  return {
    title: `Send \`${name}.get()\` (the current value) and set \`${name}\` to it in \`${fn.name}\``,
    id: 'set-context-var-in-worker',
    preferred: false,
    edits: [...prologue, replaceNode(anchor.module, anchor.node, `${name}.get()`)],
  };
}

/**
 * A lambda that reads locals of the function it is written in: a module-level def takes them
 * as keyword-only parameters, and the lambda becomes `functools.partial(def, x=x)`, which
 * pickles by the def's name and the bound values. Offered only when each local is bound once,
 * before the lambda and outside any loop, so binding its value now reads the same as reading it
 * later.
 */
export function lambdaToPartialFix(model: ModuleModel, lambda: Node, sink: Sink): Fix | undefined {
  const scope = enclosingScope(model, lambda);
  if (scope.kind !== 'function' || !scope.fn) return undefined;
  const params = lambda.childForFieldName('parameters');
  const rawBody = lambda.childForFieldName('body');
  if (!rawBody || (params && /[*]/.test(params.text))) return undefined;
  const free = new Set<string>();
  for (const { node: n, binding: b } of outsideReads(model, lambda)) {
    if (b.scope === scope) {
      const all = scope.bindings.get(n.text)!;
      if (all.length !== 1 || !(all[0].kind === 'param' || all[0].kind === 'value') || all[0].node.startIndex > lambda.startIndex) return undefined;
      for (let p = lambda.parent; p && p.id !== scope.node.id; p = p.parent) if (p.type === 'for_statement' || p.type === 'while_statement') return undefined;
      free.add(n.text);
      continue;
    }
    if (b.scope.kind !== 'module' || model.mainGuards.some((g) => isInside(b.node, g))) return undefined;
  }
  if (free.size === 0) return undefined;
  const q = qualified(model, 'functools', 'partial', lambda);
  if (!q) return undefined;
  const names = [...free].sort();
  const role = sink.name.split('.').pop()!.replace(/[^A-Za-z0-9_]/g, '_').toLowerCase();
  const name = freshName(model, `_${scope.fn.name.replace(/^_+/, '')}_${role}_fn`);
  const body = rawBody.text.includes('\n') ? `(${rawBody.text})` : rawBody.text;
  const top = topLevelStatement(lambda);
  const row = top.startPosition.row;
  const gap = lineText(model, row - 1).trim() === '' ? '' : '\n\n';
  const signature = [...(params?.namedChildren.map((p) => p.text) ?? []), '*', ...names].join(', ');
  return {
    title: `Move the lambda to a module-level function \`${name}\`, binding ${names.map((n) => `\`${n}\``).join(', ')} with functools.partial`,
    id: 'move-to-module-scope',
    preferred: false,
    edits: [
      ...q.edits,
      edit(model, { line: row, character: 0 }, { line: row, character: 0 }, `${gap}def ${name}(${signature}):\n    return ${body}\n\n\n`),
      replaceNode(model, lambda, `${q.text}(${name}, ${names.map((n) => `${n}=${n}`).join(', ')})`),
    ],
  };
}

/**
 * A multiprocessing Value/Array/Lock/Queue handed to a Pool task: hand it once to each worker as
 * it starts (`initializer`/`initargs`, which are inherited, not pickled), keep it in a module
 * global there, and send `None` in its place; the worker function reads the global. Offered when
 * the pool is made in this file without an initializer of its own, and the value is a name bound
 * once before the pool is made.
 */
export function poolInitializerFix(ctx: FixContext): Fix | undefined {
  const { problem, sink, ev } = ctx;
  const anchor = problem.anchor;
  if (problem.holder || !anchorIsObject(ctx) || anchor.node.type !== 'identifier' || !/^Pool\./.test(sink.name)) return undefined;
  const target = workerParam(ctx);
  if (!target) return undefined;
  const { fn, param } = target;
  const model = fn.module;
  const callee = sink.call.node.childForFieldName('function');
  const receiver = callee?.type === 'attribute' ? callee.childForFieldName('object') : null;
  if (!receiver) return undefined;
  const pool = ev.eval(receiver, sink.call.scope);
  if (pool.kind !== 'object' || pool.site.module !== model || pool.site.node.type !== 'call') return undefined;
  const poolCall = pool.site.node;
  const args = poolCall.childForFieldName('arguments');
  if (!args || args.namedChildren.length > 1 || args.namedChildren.some((a) => a.type !== 'integer' && a.type !== 'identifier' && a.type !== 'keyword_argument')) return undefined;
  if (args.namedChildren.some((a) => a.type === 'keyword_argument' && a.childForFieldName('name')?.text !== 'processes')) return undefined;
  // The name must hold the same value where the pool is made.
  const scope = enclosingScope(anchor.module, anchor.node);
  if (enclosingScope(model, poolCall) !== scope) return undefined;
  const bindings = scope.bindings.get(anchor.node.text);
  if (!bindings || bindings.length !== 1 || bindings[0].node.startIndex > poolCall.startIndex) return undefined;
  // Sent once, or (starmap) at the same place of every item of one list: every other place it
  // is sent would still send it.
  const sent = usesIn(model, sink.call.node, anchor.node.text);
  const place = (n: Node) => n.parent?.namedChildren.findIndex((c) => c.id === n.id);
  const everyItem = (n: Node) => n.parent?.type === 'tuple' && n.parent.parent?.type === 'list' && n.parent.parent.id === anchor.node.parent?.parent?.id && place(n) === place(anchor.node);
  if (sent.length !== 1 && !(/^Pool\.starmap/.test(sink.name) && sent.every(everyItem))) return undefined;
  const global = freshName(model, `_${param}`);
  const init = freshName(model, `_init_${param}`);
  const end = args.endPosition;
  const at = { line: end.row, character: end.column - 1 };
  const sep = args.namedChildren.length ? ', ' : '';
  const prologue = workerPrologue(model, fn, [`${param} = ${global}`]);
  if (!prologue) return undefined;
  const top = topLevelStatement(fn.node.parent?.type === 'decorated_definition' ? fn.node.parent : fn.node);
  const row = top.startPosition.row;
  return {
    title: `Hand \`${anchor.node.text}\` to each pool worker once as it starts (\`initializer=${init}\`), and read it from a module global in \`${fn.name}\``,
    id: 'pass-through-pool-initializer',
    preferred: false,
    edits: [
      edit(model, { line: row, character: 0 }, { line: row, character: 0 }, `${global} = None\n\n\ndef ${init}(value):\n    global ${global}\n    ${global} = value\n\n\n`),
      ...prologue,
      edit(model, at, at, `${sep}initializer=${init}, initargs=(${anchor.node.text},)`),
      ...sent.map((n) => replaceNode(anchor.module, n, 'None')),
    ],
  };
}

/** The uses of `name` in `scope`, or undefined when one is bound in a nested scope of the same name. */
function usesIn(model: ModuleModel, root: Node, name: string): Node[] {
  const out: Node[] = [];
  const stack: Node[] = [root];
  while (stack.length) {
    const n = stack.pop()!;
    if (n.type === 'identifier' && n.text === name) {
      if (n.parent?.type === 'attribute' && n.field === 'attribute') continue;
      if (n.parent?.type === 'keyword_argument' && n.field === 'name') continue;
      out.push(n);
      continue;
    }
    for (const c of n.children) stack.push(c);
  }
  return out;
}

/**
 * Edits that turn the caller's `handle.read()` calls into the data itself, for a task whose
 * results are the handles: `handles = pool.map(task, ...)` read as `for fh in handles: fh.read()`
 * (or directly `for fh in pool.map(...)`). Undefined when a result is used any other way.
 */
function readCallsOnResults(ctx: FixContext): TextEdit[] | undefined {
  const { sink } = ctx;
  const model = sink.call.scope.module;
  const call = sink.call.node;
  const scope = sink.call.scope;
  const loops: Node[] = [];
  const parent = call.parent;
  if ((parent?.type === 'for_statement' || parent?.type === 'for_in_clause') && call.field === 'right') loops.push(parent);
  else if (parent?.type === 'assignment' && call.field === 'right' && parent.childForFieldName('left')?.type === 'identifier') {
    const name = parent.childForFieldName('left')!.text;
    if (scope.bindings.get(name)?.length !== 1) return undefined;
    for (const use of usesIn(model, scope.node, name)) {
      if (use.id === parent.childForFieldName('left')!.id) continue;
      // `len(handles)` means the same for a list of texts.
      if (use.parent?.type === 'argument_list' && use.parent.namedChildren.length === 1 && use.parent.parent?.childForFieldName('function')?.text === 'len') continue;
      const loop = use.parent;
      if (!loop || (loop.type !== 'for_statement' && loop.type !== 'for_in_clause') || use.field !== 'right') return undefined;
      loops.push(loop);
    }
  } else return undefined;
  if (loops.length === 0) return undefined;
  const edits: TextEdit[] = [];
  for (const loop of loops) {
    const v = loop.childForFieldName('left');
    if (v?.type !== 'identifier' || (scope.bindings.get(v.text)?.length ?? 0) > 1) return undefined;
    const area = loop.type === 'for_statement' ? loop.childForFieldName('body') : loop.parent;
    if (!area) return undefined;
    for (const use of usesIn(model, area, v.text)) {
      if (use.id === v.id) continue;
      const attr = use.parent;
      const read = attr?.type === 'attribute' && use.field === 'object' && attr.childForFieldName('attribute')?.text === 'read' && attr.parent?.type === 'call' ? attr.parent : null;
      if (!read || read.childForFieldName('arguments')?.namedChildren.length) return undefined;
      edits.push(replaceNode(model, read, v.text));
    }
  }
  return edits.length ? edits : undefined;
}

/**
 * A task that returns an open file: return what is left to read in it (`fh.read()`, the
 * handle closed first in the worker by the `with`-less read), and the caller's `fh.read()`
 * calls on the results become the data. Offered when the task's every return is the one
 * handle it opened and the caller only reads the results.
 */
export function returnDataFix(ctx: FixContext): Fix | undefined {
  const { problem, returnedBy: fn } = ctx;
  const site = problem.leafSite;
  if (!fn || !site || site.node.type !== 'call' || !problem.objectType?.startsWith('io.')) return undefined;
  if (fn.module !== ctx.sink.call.scope.module || fn.isGenerator || fn.returns.length === 0) return undefined;
  // Every return gives the handle opened in this function (by name, or the open call itself).
  const returned: Node[] = [];
  for (const r of fn.returns) {
    if (r.id === site.node.id) returned.push(r);
    else if (r.type === 'identifier') {
      const b = fn.scope.bindings.get(r.text);
      if (!b || b.length !== 1 || b[0].kind !== 'value' || b[0].value.id !== site.node.id) return undefined;
      returned.push(r);
    } else return undefined;
  }
  const reads = readCallsOnResults(ctx);
  if (!reads) return undefined;
  const edits = returned.map((r) => replaceNode(fn.module, r, r.type === 'identifier' ? `${r.text}.read()` : `${r.text}.read()`));
  return {
    title: `Return the data (\`.read()\`) from \`${fn.name}\` instead of the open file, and use it as it is where the results are read`,
    id: 'return-the-data',
    preferred: false,
    edits: [...edits, ...reads],
  };
}

/**
 * Objects a worker can build for itself from the same call: a logging handler (its records reach
 * the same file or stream), and clients of a server or service (a redis or MongoDB client, a
 * boto3 client, resource or Session, a SQLAlchemy Engine or sessionmaker): made again from the
 * same settings, they talk to the same server; none is shared state the parent reads back.
 */
const buildableInWorker = new Set([
  'logging.Handler',
  'redis.Redis',
  'redis.ConnectionPool',
  'pymongo.MongoClient',
  'botocore.client.BaseClient',
  'boto3.resources.base.ServiceResource',
  'boto3.session.Session',
  'sqlalchemy.engine.Engine',
  'sqlalchemy.orm.sessionmaker',
  // A test double standing in for such a client: the same helper configures each worker's own.
  'unittest.mock.MagicMock',
  'unittest.mock.Mock',
]);

/** Pool and executor sinks whose pool takes an `initializer` run once in each worker as it starts. */
const initializerSinks = /^(Pool\.\w+|ProcessPoolExecutor\.(submit|map))$/;

/**
 * A logging handler or a client handed to Pool or executor tasks: each worker builds its own as
 * it starts, in the pool's `initializer`, from the same constructor call and the same set-up
 * calls (`setFormatter`, `setLevel`), with the locals they read passed as `initargs`; the task
 * reads it from a module global and `None` is sent in its place. A FileHandler opens its file in
 * append mode, so every worker's records reach the same file. When the worker function lives in
 * another module, the pool runs a module-level adapter of this file that passes it the global.
 * Offered when the object is a name bound once before the pool, by a call, in the same
 * function, and the set-up calls sit between them.
 */
export function buildInWorkerFix(ctx: FixContext): Fix | undefined {
  const { problem, sink, ev } = ctx;
  const anchor = problem.anchor;
  if (!problem.objectType || !buildableInWorker.has(problem.objectType)) return undefined;
  if (problem.holder || !anchorIsObject(ctx) || anchor.node.type !== 'identifier' || !initializerSinks.test(sink.name)) return undefined;
  const target = taskWorker(ctx);
  if (!target) return undefined;
  const { fn, param } = target;
  const model = sink.call.scope.module;
  const own = fn.module === model;
  // A worker of another module is run through an adapter that puts the object back in its place.
  if (!own && (target.index === undefined || target.workerArg.type !== 'identifier')) return undefined;
  const name = anchor.node.text;
  const poolCall = initializerFreePool(sink, ev);
  if (!poolCall) return undefined;
  const args = poolCall.childForFieldName('arguments')!;
  const scope = enclosingScope(anchor.module, anchor.node);
  if (enclosingScope(model, poolCall) !== scope || identifierCount(sink.call.node, name) !== 1) return undefined;
  const bindings = scope.bindings.get(name);
  if (!bindings || bindings.length !== 1 || bindings[0].kind !== 'value' || bindings[0].value.type !== 'call' || bindings[0].node.startIndex > poolCall.startIndex) return undefined;
  const made = bindings[0].value;
  const assignment = made.parent;
  const statement = assignment?.parent;
  if (assignment?.type !== 'assignment' || statement?.type !== 'expression_statement' || !statement.parent) return undefined;
  // The set-up: `name.method(...)` statements after it in the same block, before the pool.
  const setup: Node[] = [];
  for (const s of statement.parent.namedChildren) {
    if (s.startIndex <= statement.startIndex || s.startIndex >= poolCall.startIndex || isInside(poolCall, s)) continue;
    if (s.type === 'comment' || !usesIn(model, s, name).length) continue;
    const call = s.type === 'expression_statement' ? s.namedChildren[0] : undefined;
    const obj = call?.type === 'call' ? call.childForFieldName('function') : undefined;
    if (obj?.type !== 'attribute' || obj.childForFieldName('object')?.text !== name || usesIn(model, s, name).length !== 1) return undefined;
    setup.push(s);
  }
  // What the construction and the set-up read from this function becomes the initializer's parameters.
  const locals: string[] = [];
  for (const part of [made, ...setup]) {
    for (const { node: n, binding: b } of outsideReads(model, part)) {
      if (n.text === name) continue;
      const guarded = model.mainGuards.some((g) => isInside(b.node, g));
      if (b.scope.kind === 'module' && !guarded) continue;
      if (b.scope !== scope) return undefined;
      const all = scope.bindings.get(n.text)!;
      if (all.length !== 1 || !(all[0].kind === 'value' || all[0].kind === 'param') || all[0].node.startIndex > made.startIndex) return undefined;
      if (!locals.includes(n.text)) locals.push(n.text);
    }
  }
  const global = freshName(model, `_${param}`);
  const init = freshName(model, `_init_${param}`);
  const setupText = setup.map((s) => {
    const use = usesIn(model, s, name)[0];
    return `    ${s.text.slice(0, use.startIndex - s.startIndex)}${global}${s.text.slice(use.endIndex - s.startIndex)}`;
  });
  if (setupText.some((t) => t.includes('\n'))) return undefined;
  const edits: TextEdit[] = [];
  let adapterText = '';
  let adapter: string | undefined;
  if (own) {
    const prologue = workerPrologue(model, fn, [`${param} = ${global}`]);
    if (!prologue) return undefined;
    edits.push(...prologue);
  } else {
    // `def _run_f(a, client, *args, **kwargs): return f(a, _client, *args, **kwargs)`: the
    // worker's own parameter names up to the object's place, the rest passed on as they come.
    const lead = fn.params.slice(0, target.index! + 1);
    const worker = target.workerArg.text;
    if (lead.length !== target.index! + 1 || lead.some((p) => p === worker || p === global || p === 'args' || p === 'kwargs' || /^\*/.test(p))) return undefined;
    adapter = freshName(model, `_run_${fn.name.replace(/^_+/, '')}`);
    const passed = lead.map((p, i) => (i === target.index ? global : p));
    adapterText = `def ${adapter}(${[...lead, '*args', '**kwargs'].join(', ')}):\n    return ${worker}(${[...passed, '*args', '**kwargs'].join(', ')})\n\n\n`;
    edits.push(replaceNode(model, target.workerArg, adapter));
  }
  const topOf = own ? (fn.node.parent?.type === 'decorated_definition' ? fn.node.parent : fn.node) : sink.call.node;
  const row = topLevelStatement(topOf).startPosition.row;
  const gap = lineText(model, row - 1).trim() === '' ? '' : '\n\n';
  const end = args.endPosition;
  const at = { line: end.row, character: end.column - 1 };
  const sep = args.namedChildren.length ? ', ' : '';
  const initargs = locals.length ? `, initargs=(${locals.join(', ')}${locals.length === 1 ? ',' : ''})` : '';
  return {
    title: `Build \`${name}\` in each pool worker as it starts (\`initializer=${init}\`), send \`None\` in its place, and ${adapter ? `run \`${fn.name}\` through \`${adapter}\`, which passes it the worker's own` : `read it from a module global in \`${fn.name}\``}`,
    id: 'build-in-worker-initializer',
    preferred: false,
    edits: [
      edit(model, { line: row, character: 0 }, { line: row, character: 0 }, `${gap}${global} = None\n\n\ndef ${init}(${locals.join(', ')}):\n    global ${global}\n    ${global} = ${made.text}\n${setupText.map((t) => `${t}\n`).join('')}\n\n${adapterText}`),
      ...edits,
      edit(model, at, at, `${sep}initializer=${init}${initargs}`),
      replaceNode(anchor.module, anchor.node, 'None'),
    ],
  };
}

/**
 * A client (or logging handler) kept in an attribute of an object that is sent: the class gets
 * `__getstate__`/`__setstate__` that leave it out and make it again on the other side with the
 * call that made it, which may read other attributes of the object (`redis.Redis.from_url(self.url)`):
 * the same settings, so the same server. An attribute that is set later than `__init__` (after a
 * `connect()`) is made again only when the object had one. Offered when the call is the whole
 * right side of `self.<attr> = ...` in a method of the class, and reads nothing but module-level
 * names and attributes of `self` that are written once and are not the client itself.
 */
export function rebuildClientHooksFix(problem: Problem): Fix | undefined {
  const holder = problem.holder;
  const site = problem.leafSite;
  if (!holder || !site || !problem.objectType || !buildableInWorker.has(problem.objectType)) return undefined;
  const cls = holder.cls;
  const model = cls.module;
  if (site.module !== model || site.node.type !== 'call' || holder.statement.type !== 'assignment' || holder.statement.childForFieldName('right')?.id !== site.node.id) return undefined;
  if (slotNames(cls) !== undefined || cls.methods.has('__setstate__') || cls.methods.has('__getstate__') || cls.methods.has('__reduce__') || cls.methods.has('__reduce_ex__')) return undefined;
  if (cls.fieldStyle === 'attrs' || cls.fieldStyle === 'namedtuple') return undefined;
  if (cls.isDataclass && cls.node.parent?.type === 'decorated_definition' && /frozen\s*=\s*True|slots\s*=\s*True/.test(cls.node.parent.text)) return undefined;
  const method = enclosingScope(model, site.node).fn;
  if (!method || method.outer.cls !== cls || method.params[0] !== 'self') return undefined;
  for (const { node: n, binding: b } of outsideReads(model, site.node)) {
    if (b.scope.kind === 'module' && !model.mainGuards.some((g) => isInside(b.node, g))) continue;
    if (b.scope !== method.scope || b.kind !== 'param' || n.text !== 'self') return undefined;
    const attr = n.parent?.type === 'attribute' && n.field === 'object' ? n.parent.childForFieldName('attribute')?.text : undefined;
    if (!attr || attr === holder.attr || cls.methods.has(attr) || (cls.attrs.get(attr)?.length ?? 0) !== 1) return undefined;
  }
  const writes = cls.attrs.get(holder.attr) ?? [];
  if (writes.length === 0) return undefined;
  const later = writes.length > 1 || writes[0].scope.fn?.name !== '__init__';
  const body = cls.node.childForFieldName('body');
  if (!body || body.namedChildren.length === 0) return undefined;
  const indent = indentOf(lineText(model, body.namedChildren[0].startPosition.row));
  if (!indent) return undefined;
  const inner = `${indent}    `;
  const key = JSON.stringify(holder.attr);
  const flag = JSON.stringify(`_${holder.attr.replace(/^_+/, '')}_made`);
  const call = site.node.text.includes('\n') ? `(${site.node.text})` : site.node.text;
  const getstate = later ? `${inner}state[${flag}] = state.pop(${key}, None) is not None\n` : `${inner}state.pop(${key}, None)\n`;
  const setstate = later
    ? `${inner}made = state.pop(${flag}, False)\n${inner}self.__dict__.update(state)\n${inner}self.${holder.attr} = ${call} if made else None\n`
    : `${inner}self.__dict__.update(state)\n${inner}self.${holder.attr} = ${call}\n`;
  const text = `\n${indent}def __getstate__(self):\n${inner}state = self.__dict__.copy()\n${getstate}${inner}return state\n\n${indent}def __setstate__(self, state):\n${setstate}`;
  const endRow = body.endPosition.row;
  return {
    title: `Add __getstate__/__setstate__ to ${cls.name} that make self.${holder.attr} again on the other side, from the same settings${later ? ' (when it was made here)' : ''}`,
    id: 'add-rehydrate-hooks',
    preferred: false,
    edits: [edit(model, { line: endRow + 1, character: 0 }, { line: endRow + 1, character: 0 }, text)],
  };
}

/**
 * Clients whose settings are readable from the object and rebuild an equivalent one: what to
 * send (plain data) and the call the worker makes from it.
 */
const rebuiltFromSettings: Record<string, { send: (x: string) => string; module: string; member: string; what: string }> = {
  // `str(engine.url)` hides the password; the rendered URL keeps it, so the worker can log in.
  'sqlalchemy.engine.Engine': { send: (x) => `${x}.url.render_as_string(hide_password=False)`, module: 'sqlalchemy', member: 'create_engine', what: 'database URL' },
};

/**
 * A client sent to a worker function of this file, read back from an attribute or a container
 * where no constructor call is in reach: send the settings it was made from (a SQLAlchemy
 * engine's URL), and the worker makes its own client from them where the parameter arrives.
 * Every place the same expression is sent in the call (each item of a starmap list) sends the
 * settings.
 */
export function sendSettingsFix(ctx: FixContext): Fix | undefined {
  const { problem, sink } = ctx;
  const how = problem.objectType ? rebuiltFromSettings[problem.objectType] : undefined;
  const anchor = problem.anchor;
  if (!how || !anchorIsObject(ctx) || !/^[\w.]+$/.test(anchor.node.text) || anchor.module !== sink.call.scope.module) return undefined;
  const target = workerParam(ctx);
  if (!target) return undefined;
  const { fn, param } = target;
  const q = importedMember(fn.module, how.module, how.member, fn.node);
  if (!q) return undefined;
  const prologue = workerPrologue(fn.module, fn, [`${param} = ${q.text}(${param})`]);
  if (!prologue) return undefined;
  const same: Node[] = [];
  const stack: Node[] = [sink.call.node];
  while (stack.length) {
    const n = stack.pop()!;
    if ((n.type === 'identifier' || n.type === 'attribute') && n.text === anchor.node.text) {
      if (n.parent?.type === 'attribute' && n.field === 'attribute') continue;
      same.push(n);
      continue;
    }
    for (const c of n.namedChildren) stack.push(c);
  }
  if (!same.some((n) => n.id === anchor.node.id)) return undefined;
  return {
    title: `Send the ${how.what} (\`${how.send(anchor.node.text)}\`) and make the client from it in \`${fn.name}\` (\`${q.text}(${param})\`)`,
    id: 'send-client-settings',
    preferred: false,
    edits: [...q.edits, ...prologue, ...same.map((n) => replaceNode(anchor.module, n, how.send(n.text)))],
  };
}

/**
 * The call that made the pool or executor `sink` is a method of, when an `initializer` can be added
 * to it: made where the engine can see it, with no initializer of its own, and no splat or second
 * positional argument (an executor's is its mp_context, a pool's its initializer).
 */
function initializerFreePool(sink: Sink, ev: Evaluator): Node | undefined {
  const callee = sink.call.node.childForFieldName('function');
  const receiver = callee?.type === 'attribute' ? callee.childForFieldName('object') : null;
  if (!receiver) return undefined;
  const poolCall = poolCallOf(receiver, sink, ev);
  if (!poolCall) return undefined;
  const args = poolCall.childForFieldName('arguments');
  if (!args || args.namedChildren.some((a) => a.type === 'keyword_argument' && /^(initializer|initargs)$/.test(a.childForFieldName('name')?.text ?? ''))) return undefined;
  if (args.namedChildren.some((a) => a.type === 'list_splat' || a.type === 'dictionary_splat') || args.namedChildren.filter((a) => a.type !== 'keyword_argument').length > 1) return undefined;
  return poolCall;
}

/**
 * A class attribute the parent changes at run time, read in spawned pool workers that import the
 * class afresh: the pool's `initializer` sets it in each worker to the value it has where the pool
 * is made (what a fork child would inherit), passed as `initargs`. Offered when the pool is made
 * in this file without an initializer of its own, after the change when both are in the same
 * function, and the class is reachable here by its module-level name.
 */
export function classAttributeInitializerFix(sink: Sink, cls: ClassInfo, attr: string, changed: { statement: Node; scope: import('./model').Scope }, ev: Evaluator): Fix | undefined {
  if (!initializerSinks.test(sink.name)) return undefined;
  const model = sink.call.scope.module;
  const poolCall = initializerFreePool(sink, ev);
  if (!poolCall) return undefined;
  const args = poolCall.childForFieldName('arguments')!;
  const poolScope = enclosingScope(model, poolCall);
  if (changed.scope === poolScope && changed.statement.startIndex > poolCall.startIndex) return undefined;
  // The class by a module-level name of this file: its own definition, or a `from ... import` of it.
  const b = lookup(cls.name, poolScope, poolCall);
  if (!b || b.scope.kind !== 'module' || model.mainGuards.some((g) => isInside(b.node, g))) return undefined;
  const reachable = b.kind === 'class' ? b.cls === cls : b.kind === 'import' && !b.asModule && b.member === cls.name && b.module.split('.').pop() === cls.module.file.replace(/^.*[\\/]/, '').replace(/\.py$/, '');
  if (!reachable || cls.outer.kind !== 'module') return undefined;
  const snake = cls.name.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase();
  const init = freshName(model, `_init_${snake}_${attr.replace(/^_+/, '')}`);
  const row = topLevelStatement(poolCall).startPosition.row;
  const gap = lineText(model, row - 1).trim() === '' ? '' : '\n\n';
  const end = args.endPosition;
  const at = { line: end.row, character: end.column - 1 };
  const sep = args.namedChildren.length ? ', ' : '';
  return {
    title: `Set \`${cls.name}.${attr}\` in each pool worker as it starts (\`initializer=${init}\`) to the value it has where the pool is made`,
    id: 'set-class-attribute-in-worker',
    preferred: false,
    edits: [
      edit(model, { line: row, character: 0 }, { line: row, character: 0 }, `${gap}def ${init}(value):\n    ${cls.name}.${attr} = value\n\n\n`),
      edit(model, at, at, `${sep}initializer=${init}, initargs=(${cls.name}.${attr},)`),
    ],
  };
}

/** The call in this file that made the pool `receiver` names (`Pool(2)`, `ctx.Pool(2)`, also through `with ... as pool`). */
function poolCallOf(receiver: Node, sink: Sink, ev: Evaluator): Node | undefined {
  const model = sink.call.scope.module;
  const pool = ev.eval(receiver, sink.call.scope);
  if (pool.kind === 'object') return pool.site.module === model && pool.site.node.type === 'call' ? pool.site.node : undefined;
  if (receiver.type !== 'identifier') return undefined;
  const b = lookup(receiver.text, sink.call.scope, receiver);
  if (!b || b.kind !== 'value' || b.value.type !== 'call' || b.scope.bindings.get(receiver.text)?.length !== 1) return undefined;
  return /(^|\.)(Pool|ProcessPoolExecutor)$/.test(b.value.childForFieldName('function')?.text ?? '') ? b.value : undefined;
}

/**
 * A task that is a generator function: its results are generators, which cannot cross back.
 * The pool runs a module-level wrapper that returns the items as a list instead (the caller
 * iterates a list as it would the generator); other callers of the generator are untouched.
 */
export function listResultsFix(ctx: FixContext): Fix | undefined {
  const { problem, sink, returnedBy: fn } = ctx;
  const anchor = problem.anchor;
  if (!fn || !fn.isGenerator || problem.objectType !== 'builtins.generator' || problem.segments.length !== 1) return undefined;
  const model = sink.call.scope.module;
  if (fn.module !== model || fn.outer.kind !== 'module' || anchor.node.type !== 'identifier' || anchor.node.text !== fn.name) return undefined;
  if (lookup('list', enclosingScope(model, anchor.node), anchor.node)) return undefined;
  const name = freshName(model, `_${fn.name.replace(/^_+/, '')}_list`);
  const def = fn.node.parent?.type === 'decorated_definition' ? fn.node.parent : fn.node;
  const end = def.endPosition.row + 1;
  return {
    title: `Run \`${fn.name}\` through a module-level \`${name}\` that returns its items as a list`,
    id: 'return-a-list',
    preferred: false,
    edits: [
      edit(model, { line: end, character: 0 }, { line: end, character: 0 }, `\n\ndef ${name}(*args, **kwargs):\n    return list(${fn.name}(*args, **kwargs))\n`),
      replaceNode(model, anchor.node, name),
    ],
  };
}

/**
 * A list of `sqlite3.Row`s sent (`pool.map(f, rows)`): send each row as a dict, which pickles and
 * keeps what sqlite3.Row was chosen for, reading columns by name (`row["id"]`).
 */
export function rowsAsDictsFix(ctx: FixContext): Fix | undefined {
  const { problem } = ctx;
  const anchor = problem.anchor;
  if (problem.objectType !== 'sqlite3.Row' || problem.holder || problem.segments.length !== 1 || !problem.segments[0].endsWith('[i]')) return undefined;
  // The sent value is the list itself, not a part of it (`args[0]` of `submit(f, rows)`, or map's iterable).
  const v = ctx.ev.eval(anchor.node, enclosingScope(anchor.module, anchor.node));
  if (v.kind !== 'container' || !v.items.some((i) => i.value.kind === 'object' && i.value.type === 'sqlite3.Row')) return undefined;
  const scope = enclosingScope(anchor.module, anchor.node);
  if (lookup('dict', scope, anchor.node) || lookup('row', scope, anchor.node)) return undefined;
  const text = `[dict(row) for row in ${anchor.node.text}]`;
  return { title: `Send the rows as dicts: \`${text}\``, id: 'send-the-value', preferred: false, edits: [replaceNode(anchor.module, anchor.node, text)] };
}

/** Attributes of unpicklable objects that hold plain data (strings, numbers, tuples), which a worker may read. */
const plainAttributes: Record<string, ReadonlySet<string>> = {
  'threading.Thread': new Set(['name', 'ident', 'native_id', 'daemon']),
  'subprocess.Popen': new Set(['args', 'pid', 'returncode']),
  'logging.Handler': new Set(['level', 'name']),
  'sqlite3.Cursor': new Set(['rowcount', 'lastrowid', 'description', 'arraysize']),
};

/** Objects whose plain attributes are all a reader can get from them (a process's command, pid and exit code). */
const wholeOutcome = new Set(['subprocess.Popen', 'threading.Thread']);

/**
 * An object whose worker only reads plain-data attributes of it (`t.name`, `proc.returncode`):
 * send a `types.SimpleNamespace` holding those attributes' current values, so the worker's code
 * reads them unchanged. Offered when the worker is a function of this file and every use of the
 * parameter there is a read of one of the type's plain attributes.
 */
export function sendAttributesFix(ctx: FixContext): Fix | undefined {
  const { problem } = ctx;
  const plain = problem.objectType ? plainAttributes[problem.objectType] : undefined;
  const anchor = problem.anchor;
  if (!plain || !anchorIsObject(ctx) || !/^[\w.]+$/.test(anchor.node.text)) return undefined;
  const target = workerParam(ctx);
  // Data read elsewhere (a pickle, a queue item): all of its plain attributes, which whoever
  // reads it finds under the same names. A Popen or Thread has no other content to send.
  if (!target) {
    if (!dataChannel.test(ctx.sink.name) || !wholeOutcome.has(problem.objectType!)) return undefined;
    const q = qualified(anchor.module, 'types', 'SimpleNamespace', anchor.node);
    if (!q) return undefined;
    const names = [...plain].sort();
    const text = `${q.text}(${names.map((n) => `${n}=${anchor.node.text}.${n}`).join(', ')})`;
    return {
      title: `Send its plain attributes (${names.map((n) => `\`.${n}\``).join(', ')}) in a SimpleNamespace instead of the ${problem.typeName}`,
      id: 'send-attributes-read',
      preferred: false,
      edits: [...q.edits, replaceNode(anchor.module, anchor.node, text)],
    };
  }
  const { fn, param } = target;
  const body = fn.node.childForFieldName('body');
  if (!body) return undefined;
  const read = new Set<string>();
  for (const use of usesIn(fn.module, body, param)) {
    if (enclosingScope(fn.module, use) !== fn.scope) return undefined;
    const attr = use.parent;
    const name = attr?.type === 'attribute' && use.field === 'object' ? attr.childForFieldName('attribute')?.text : undefined;
    // A read only: not called, not assigned to, not deleted.
    if (!name || !plain.has(name) || attr!.parent?.type === 'call' && attr!.field === 'function') return undefined;
    if ((attr!.parent?.type === 'assignment' || attr!.parent?.type === 'augmented_assignment') && attr!.field === 'left') return undefined;
    read.add(name);
  }
  if (read.size === 0) return undefined;
  const q = qualified(anchor.module, 'types', 'SimpleNamespace', anchor.node);
  if (!q) return undefined;
  const names = [...read].sort();
  const text = `${q.text}(${names.map((n) => `${n}=${anchor.node.text}.${n}`).join(', ')})`;
  return {
    title: `Send what \`${fn.name}\` reads of it (${names.sort().map((n) => `\`.${n}\``).join(', ')}) in a SimpleNamespace instead of the ${problem.typeName}`,
    id: 'send-attributes-read',
    preferred: false,
    edits: [...q.edits, replaceNode(anchor.module, anchor.node, text)],
  };
}

/**
 * An exception class whose `__init__` needs more positional arguments than it hands to
 * `super().__init__`: a `__reduce__` that re-creates it from the attributes `__init__` stored
 * them in (`self.tenant = tenant`), with the rest of its `__dict__` as state. Offered when each
 * required parameter is stored unchanged in an attribute of the same instance; `str(exc)` and
 * `exc.args` stay what they were.
 */
export function exceptionReduceFix(init: FunctionInfo, positional: string[], required: number): Fix | undefined {
  const cls = init.outer.cls;
  const body = init.node.childForFieldName('body');
  if (!cls || !body || cls.methods.has('__reduce__') || cls.methods.has('__reduce_ex__')) return undefined;
  const self = init.params[0];
  if (!self) return undefined;
  // `self.<attr> = <param>` statements directly in `__init__`'s body.
  const storedIn = new Map<string, string>();
  for (const s of body.namedChildren) {
    const a = s.type === 'expression_statement' ? s.namedChildren[0] : undefined;
    if (a?.type !== 'assignment') continue;
    const left = a.childForFieldName('left');
    const right = a.childForFieldName('right');
    // `self.a = a`, or `self.a, self.b = a, b`.
    const targets = left?.type === 'pattern_list' ? left.namedChildren : left ? [left] : [];
    const values = right?.type === 'expression_list' ? right.namedChildren : right ? [right] : [];
    if (targets.length !== values.length) continue;
    for (const [i, t] of targets.entries()) {
      const v = values[i];
      if (t.type !== 'attribute' || t.childForFieldName('object')?.text !== self || v.type !== 'identifier') continue;
      if (!storedIn.has(v.text)) storedIn.set(v.text, t.childForFieldName('attribute')!.text);
    }
  }
  // The stored attribute must not be written again anywhere in the class, so it still holds the argument.
  const writes = (attr: string) => (cls.attrs.get(attr) ?? []).length;
  const args: string[] = [];
  for (const [i, p] of positional.entries()) {
    const attr = storedIn.get(p);
    if (!attr || writes(attr) > 1 || (init.scope.bindings.get(p)?.length ?? 0) > 1) {
      if (i < required) return undefined;
      break;
    }
    args.push(`${self}.${attr}`);
  }
  if (args.length < required) return undefined;
  const model = init.module;
  const def = init.node.parent?.type === 'decorated_definition' ? init.node.parent : init.node;
  const indent = indentOf(lineText(model, def.startPosition.row));
  const inner = indentOf(lineText(model, body.namedChildren[0]?.startPosition.row ?? def.startPosition.row));
  if (inner.length <= indent.length || !inner.startsWith(indent)) return undefined;
  const row = def.endPosition.row + 1;
  const tuple = `(${args.join(', ')}${args.length === 1 ? ',' : ''})`;
  return {
    title: `Add \`__reduce__\` to \`${cls.name}\` so it is re-created with every argument its \`__init__\` needs`,
    id: 'add-exception-reduce',
    preferred: true,
    edits: [edit(model, { line: row, character: 0 }, { line: row, character: 0 }, `\n${indent}def __reduce__(${self}):\n${inner}return type(${self}), ${tuple}, ${self}.__dict__\n`)],
  };
}

/**
 * A decorator that returns its nested wrapper without `functools.wraps`: add
 * `@functools.wraps(fn)` to the wrapper, in the decorator's module, so every function it
 * decorates keeps its own module-level name and pickles by it. `fn` is the decorator's one
 * parameter, which the wrapper calls.
 */
export function addWrapsFix(wrapper: FunctionInfo): Fix | undefined {
  const decorator = wrapper.outer.kind === 'function' ? wrapper.outer.fn : undefined;
  if (!decorator || decorator.params.length !== 1 || !wrapper.local) return undefined;
  const wrapped = decorator.params[0];
  const model = wrapper.module;
  const body = wrapper.node.childForFieldName('body');
  // The wrapper calls the function it wraps, by the decorator's parameter.
  if (!body || !usesIn(model, body, wrapped).some((u) => u.parent?.type === 'call' && u.field === 'function' && lookup(wrapped, enclosingScope(model, u), u)?.scope === decorator.scope)) return undefined;
  if (wrapper.params.includes(wrapped)) return undefined;
  const def = wrapper.node.parent?.type === 'decorated_definition' ? wrapper.node.parent : wrapper.node;
  const row = def.startPosition.row;
  const indent = indentOf(lineText(model, row));
  if (def.startPosition.column !== indent.length) return undefined;
  const q = qualified(model, 'functools', 'wraps', wrapper.node);
  if (!q) return undefined;
  return {
    title: `Decorate \`${wrapper.name}\` with \`@${q.text}(${wrapped})\` in \`${decorator.name}\`, so what it decorates keeps its name`,
    id: 'add-functools-wraps',
    preferred: true,
    edits: [...q.edits, edit(model, { line: row, character: 0 }, { line: row, character: 0 }, `${indent}@${q.text}(${wrapped})\n`)],
  };
}

/**
 * An asyncio event loop handed to a worker function of this file: a loop belongs to the thread
 * and process that runs it, so the worker makes its own (`asyncio.new_event_loop()`) where the
 * parameter arrives, and `None` is sent in its place; the worker's uses of the loop
 * (`run_until_complete`, `create_task`...) then run on that loop.
 */
export function newLoopInWorkerFix(ctx: FixContext): Fix | undefined {
  const { problem } = ctx;
  const anchor = problem.anchor;
  if (!problem.objectType || types[problem.objectType]?.role !== 'event-loop' || !anchorIsObject(ctx)) return undefined;
  const target = workerParam(ctx);
  if (!target) return undefined;
  const { fn, param } = target;
  const q = qualified(fn.module, 'asyncio', 'new_event_loop', fn.node);
  if (!q) return undefined;
  const prologue = workerPrologue(fn.module, fn, [`${param} = ${q.text}()`]);
  if (!prologue) return undefined;
  return {
    title: `Make a new event loop in \`${fn.name}\` (\`${q.text}()\`) and send \`None\` in place of this one`,
    id: 'new-loop-in-worker',
    preferred: false,
    edits: [...q.edits, ...prologue, replaceNode(anchor.module, anchor.node, 'None')],
  };
}

/** Calls that start a SyncManager (its server runs in a process of its own). */
const syncManagerMakers = new Set(['multiprocessing.Manager', 'multiprocessing.managers.SyncManager']);

/**
 * A multiprocessing Manager handed to a worker function of this file: the manager object
 * cannot cross, but its server can be reached from any process started by this one (they
 * inherit its authkey). Send `manager.address` and connect a `SyncManager` to it in the
 * worker: what the worker makes with it (`manager.dict()`, `manager.Lock()`) lives in the same
 * server, shared with the parent as before.
 */
export function connectToManagerFix(ctx: FixContext): Fix | undefined {
  const { problem, ev } = ctx;
  const anchor = problem.anchor;
  const site = problem.leafSite;
  if (problem.objectType !== 'multiprocessing.managers.SyncManager' || !anchorIsObject(ctx) || !site || site.node.type !== 'call') return undefined;
  // Only a plain SyncManager: a BaseManager subclass registers types a bare SyncManager lacks.
  const made = ev.eval(site.node.childForFieldName('function')!, enclosingScope(site.module, site.node));
  if (made.kind !== 'ref' || !syncManagerMakers.has(made.qname)) return undefined;
  if (!/^[\w.]+$/.test(anchor.node.text)) return undefined;
  const target = workerParam(ctx);
  if (!target) return undefined;
  const { fn, param } = target;
  const q = qualified(fn.module, 'multiprocessing.managers', 'SyncManager', fn.node);
  if (!q) return undefined;
  const prologue = workerPrologue(fn.module, fn, [`${param} = ${q.text}(address=${param})`, `${param}.connect()`]);
  if (!prologue) return undefined;
  return {
    title: `Send the manager's address (\`${anchor.node.text}.address\`) and connect to the same manager in \`${fn.name}\``,
    id: 'connect-to-manager',
    preferred: false,
    edits: [...q.edits, ...prologue, replaceNode(anchor.module, anchor.node, `${anchor.node.text}.address`)],
  };
}

/**
 * A memoryview made away from where it is sent (a helper that slices a buffer into views, the
 * list handed to a pool): copy it to `bytes` where it is made, the one place every path to the
 * sink goes through. Offered when the view is made in an expression whose value is only
 * collected or returned (a comprehension's item, a list element, a `return`), so nothing writes
 * through it afterwards.
 */
export function copyWhereMadeFix(ctx: FixContext): Fix | undefined {
  const { problem } = ctx;
  const site = problem.leafSite;
  const wrapper = problem.objectType ? copyAs[problem.objectType] : undefined;
  if (wrapper !== 'bytes' || !site || problem.holder || anchorIsObject(ctx)) return undefined;
  if (site.node.type !== 'subscript' && site.node.type !== 'call') return undefined;
  const parent = site.node.parent;
  const collected = (parent?.type === 'list_comprehension' || parent?.type === 'generator_expression') && site.node.field === 'body';
  if (!collected && parent?.type !== 'return_statement' && parent?.type !== 'list') return undefined;
  if (lookup(wrapper, enclosingScope(site.module, site.node), site.node)) return undefined;
  const text = `${wrapper}(${site.node.text})`;
  return {
    title: `Copy it to bytes where it is made: \`${text}\``,
    id: 'copy-where-made',
    preferred: false,
    edits: [replaceNode(site.module, site.node, text)],
  };
}

/**
 * An object sent to a worker function of this file holds an attribute pickle refuses, and the
 * worker never reads it: only plain attributes of the object are read there (`upload.name`),
 * no method runs on it. Leave the attribute out of what is pickled (`None` on the other side),
 * with `__getstate__`/`__setstate__` on the class that sets it, in whichever file defines it.
 */
export function leaveOutUnreadFix(ctx: FixContext): Fix | undefined {
  const { problem } = ctx;
  const holder = problem.holder;
  if (!holder || problem.segments.length !== 2 || (problem.segments[1] !== `self.${holder.attr}` && problem.segments[1] !== `.${holder.attr}`)) return undefined;
  const target = workerParam({ ...ctx, problem: { ...problem, segments: [problem.segments[0]] } });
  if (!target) return undefined;
  const { fn, param } = target;
  const body = fn.node.childForFieldName('body');
  if (!body) return undefined;
  const read: string[] = [];
  for (const use of usesIn(fn.module, body, param)) {
    if (enclosingScope(fn.module, use) !== fn.scope) return undefined;
    const attr = use.parent;
    const name = attr?.type === 'attribute' && use.field === 'object' ? attr.childForFieldName('attribute')?.text : undefined;
    // A plain read: not the left-out attribute, not a method (which might use it), not called.
    if (!name || name === holder.attr || holder.cls.methods.has(name) || (attr!.parent?.type === 'call' && attr!.field === 'function')) return undefined;
    if ((attr!.parent?.type === 'assignment' || attr!.parent?.type === 'augmented_assignment') && attr!.field === 'left') return undefined;
    read.push(name);
  }
  if (read.length === 0) return undefined;
  const fix = rehydrateHooksFix(problem, true, ctx.ev);
  if (!fix) return undefined;
  return { ...fix, title: `${fix.title}: \`${fn.name}\` reads only ${[...new Set(read)].sort().map((n) => `\`.${n}\``).join(', ')}` };
}

/**
 * A lambda that takes its locals through default values (`lambda p=path: ...`, the usual
 * way to capture a loop variable): a module-level def with the same parameters, and the lambda
 * becomes `functools.partial(def, p=path)`, which evaluates `path` where the lambda stood, as the
 * default did. Offered when the body reads nothing but its parameters and module-level names.
 */
export function lambdaDefaultsToPartialFix(model: ModuleModel, lambda: Node, sink: Sink): Fix | undefined {
  const params = lambda.childForFieldName('parameters');
  const rawBody = lambda.childForFieldName('body');
  if (!params || !rawBody) return undefined;
  // The body reads its parameters and module-level names; only the defaults read locals.
  for (const { node: n, binding: b } of outsideReads(model, lambda)) {
    if (isInside(n, params)) continue;
    if (b.scope.kind !== 'module' || model.mainGuards.some((g) => isInside(b.node, g))) return undefined;
  }
  const names: string[] = [];
  const bound: string[] = [];
  for (const p of params.namedChildren) {
    if (p.type === 'identifier') names.push(p.text);
    else if (p.type === 'default_parameter') {
      const n = p.childForFieldName('name');
      const v = p.childForFieldName('value');
      if (n?.type !== 'identifier' || !v) return undefined;
      names.push(n.text);
      bound.push(`${n.text}=${v.text}`);
    } else return undefined;
  }
  // Only where a default reads a local: otherwise the lambda moves as it is.
  if (bound.length === 0 || closesOverNothing(model, lambda)) return undefined;
  const q = qualified(model, 'functools', 'partial', lambda);
  if (!q) return undefined;
  const scope = enclosingScope(model, lambda);
  const role = sink.name.split('.').pop()!.replace(/[^A-Za-z0-9_]/g, '_').toLowerCase();
  const name = freshName(model, `_${scope.fn ? `${scope.fn.name.replace(/^_+/, '')}_` : ''}${role}_fn`);
  const body = rawBody.text.includes('\n') ? `(${rawBody.text})` : rawBody.text;
  const row = topLevelStatement(lambda).startPosition.row;
  const gap = lineText(model, row - 1).trim() === '' ? '' : '\n\n';
  return {
    title: `Move the lambda to a module-level function \`${name}\`, binding its defaults (${bound.map((b) => `\`${b}\``).join(', ')}) with functools.partial`,
    id: 'move-to-module-scope',
    preferred: false,
    edits: [
      ...q.edits,
      edit(model, { line: row, character: 0 }, { line: row, character: 0 }, `${gap}def ${name}(${names.join(', ')}):\n    return ${body}\n\n\n`),
      replaceNode(model, lambda, `${q.text}(${name}, ${bound.join(', ')})`),
    ],
  };
}

/**
 * A class whose own `__getstate__`/`__setstate__` still let a lock (or queue, thread-local)
 * through: the state `__getstate__` returns leaves it out too, and `__setstate__` recreates it
 * with the call that made it. Offered when `__getstate__` builds a dict copy of `__dict__` in a
 * local it returns at the end, and `__setstate__` ends without returning.
 */
export function extendHooksFix(problem: Problem): Fix | undefined {
  const holder = problem.holder;
  const site = problem.leafSite;
  if (!holder || !site || site.node.type !== 'call' || !recreatedRules.has(problem.rule)) return undefined;
  const cls = holder.cls;
  const model = cls.module;
  const get = cls.methods.get('__getstate__');
  const set = cls.methods.get('__setstate__');
  if (!get || !set || site.module !== model || !recreatable(model, site.node)) return undefined;
  const getBody = get.node.childForFieldName('body')?.namedChildren.filter((c) => c.type !== 'comment');
  const setBody = set.node.childForFieldName('body')?.namedChildren.filter((c) => c.type !== 'comment');
  if (!getBody?.length || !setBody?.length || set.params.length !== 2) return undefined;
  const ret = getBody[getBody.length - 1];
  const returned = ret.type === 'return_statement' ? ret.namedChildren[0] : undefined;
  if (returned?.type !== 'identifier') return undefined;
  const made = get.scope.bindings.get(returned.text);
  const copy = made?.length === 1 && made[0].kind === 'value' ? made[0].value.text.replace(/\s/g, '') : '';
  if (!/^(self\.__dict__\.copy\(\)|dict\(self\.__dict__\))$/.test(copy)) return undefined;
  if (setBody.some((s) => s.type === 'return_statement') || /\breturn\b/.test(set.node.text)) return undefined;
  const getIndent = indentOf(lineText(model, ret.startPosition.row));
  const last = setBody[setBody.length - 1];
  const setIndent = indentOf(lineText(model, last.startPosition.row));
  if (ret.startPosition.column !== getIndent.length || last.startPosition.column !== setIndent.length) return undefined;
  const self = set.params[0];
  const endRow = last.endPosition.row;
  return {
    title: `Leave self.${holder.attr} out in ${cls.name}.__getstate__ and recreate it in __setstate__`,
    id: 'add-rehydrate-hooks',
    preferred: false,
    edits: [
      edit(model, { line: ret.startPosition.row, character: 0 }, { line: ret.startPosition.row, character: 0 }, `${getIndent}${returned.text}.pop(${JSON.stringify(holder.attr)}, None)\n`),
      edit(model, { line: endRow + 1, character: 0 }, { line: endRow + 1, character: 0 }, `${setIndent}${self}.${holder.attr} = ${site.node.text}\n`),
    ],
  };
}

/** Builtins that read an iterable once, to its end: a list read by them gives the same result. */
const consumers = new Set(['list', 'tuple', 'set', 'frozenset', 'sorted', 'sum', 'min', 'max', 'any', 'all', 'dict', 'enumerate', 'zip', 'map', 'filter']);

/** Whether the expression `use` (`batch.lines`) is only iterated where it stands: a for loop's or comprehension's source, or the argument of a builtin that consumes it. */
function onlyIterated(model: ModuleModel, use: Node): boolean {
  const parent = use.parent;
  if (!parent) return false;
  if ((parent.type === 'for_statement' || parent.type === 'for_in_clause') && parent.childForFieldName('right')?.id === use.id) return true;
  if (parent.type === 'argument_list' && parent.namedChildren.length === 1) {
    const call = parent.parent;
    const fn = call?.childForFieldName('function');
    return fn?.type === 'identifier' && consumers.has(fn.text) && !lookup(fn.text, enclosingScope(model, fn), fn);
  }
  return false;
}

/**
 * A generator kept in an attribute (`self.lines = iter_lines(lines)`) that pickle refuses: keep
 * a list instead, made where the generator is (`list(iter_lines(lines))`). Offered when every
 * read of the attribute, in the class's module and in the module that sends the object, only
 * iterates it (a for loop, a comprehension, `sum(...)`): a list is iterated the same way, once
 * or again. The generator is read to its end where it is made, so it must end.
 */
export function materializeGeneratorFix(ctx: FixContext): Fix | undefined {
  const { problem, sink } = ctx;
  const holder = problem.holder;
  const site = problem.leafSite;
  if (!holder || problem.objectType !== 'builtins.generator' || !site || site.node.type !== 'call') return undefined;
  const model = holder.cls.module;
  if (site.module.file !== model.file) return undefined;
  // The call is the whole right side of `self.<attr> = <call>`.
  const assignment = site.node.parent;
  const left = assignment?.type === 'assignment' ? assignment.childForFieldName('left') : undefined;
  if (!left || left.type !== 'attribute' || left.childForFieldName('attribute')?.text !== holder.attr || assignment!.childForFieldName('right')?.id !== site.node.id) return undefined;
  if (lookup('list', enclosingScope(model, site.node), site.node)) return undefined;
  const modules = sink.call.scope.module.file === model.file ? [model] : [model, sink.call.scope.module];
  let reads = 0;
  for (const m of modules) {
    const stack: Node[] = [m.root];
    while (stack.length) {
      const n = stack.pop()!;
      // A write (`self.lines = ...`, here or in another class) is not a read.
      const written = n.parent?.type === 'assignment' && n.parent.childForFieldName('left')?.id === n.id;
      if (n.type === 'attribute' && n.childForFieldName('attribute')?.text === holder.attr && !written) {
        if (!onlyIterated(m, n)) return undefined;
        reads++;
      }
      for (const c of n.namedChildren) if (c) stack.push(c);
    }
  }
  if (reads === 0) return undefined;
  const text = `list(${site.node.text})`;
  return {
    title: `Keep a list in \`self.${holder.attr}\` instead of the generator: \`${text}\` (every read of it iterates it; the generator is read to its end where it is made)`,
    id: 'list-instead-of-generator',
    preferred: false,
    edits: [replaceNode(model, site.node, text)],
  };
}

/**
 * *Make the handle again in the worker from the factory's arguments*: `clip = load(path)` (where
 * `load` returns `wave.open(path)`), `get_conn(db)` (an `lru_cache`d getter), `with connect(path) as
 * conn` (a context manager): the handle is made inside a workspace function from plain values, so
 * those values cross instead and the worker calls the same function (`clip = load(clip)`, or
 * `with connect(conn) as conn:` around its body), in whichever module defines the worker.
 * Offered when the factory is a module-level def the worker's module sees under the same name,
 * its arguments are plain names or literals that mean the same at the send, and a file made by it
 * is used for nothing else on this side (its read position would not cross). A database the
 * sender keeps using is opened a second time: what the sender writes must be committed first,
 * which the title says.
 */
export function reopenFromFactoryFix(ctx: FixContext): Fix | undefined {
  const { problem, sink, ev } = ctx;
  const model = sink.call.scope.module;
  const site = problem.leafSite;
  const anchor = problem.anchor.node;
  if (!site || problem.anchor.module !== model) return undefined;
  const target = taskWorker(ctx);
  if (!target) return undefined;
  const { fn, param } = target;
  let call: Node = anchor;
  let enter = false;
  let assignment: Node | undefined;
  let othersUse = false;
  const scope = enclosingScope(model, anchor);
  if (anchor.type === 'identifier') {
    const found = lookup(anchor.text, scope, anchor);
    const bindings = found?.scope.bindings.get(anchor.text);
    const b = bindings?.length === 1 ? bindings[0] : undefined;
    if (!b || b.kind !== 'value' || b.unpack.length || b.iterate || b.value.type !== 'call') return undefined;
    call = b.value;
    enter = !!b.enter;
    const uses = usesIn(model, b.scope.node, anchor.text).filter((u) => lookup(u.text, enclosingScope(model, u), u) === b);
    othersUse = uses.length !== 2;
    // `clip = load(path)` used only to be sent: the sender no longer opens it.
    const stmt = b.node.parent?.type === 'assignment' && b.node.field === 'left' ? b.node.parent.parent : undefined;
    if (!othersUse && !enter && stmt?.type === 'expression_statement' && stmt.parent && stmt.parent.namedChildren.filter((c) => c.type !== 'comment').length > 1) assignment = stmt;
  }
  if (call.type !== 'call') return undefined;
  const callee = call.childForFieldName('function');
  if (!callee || callee.type !== 'identifier') return undefined;
  const factory = ev.eval(callee, enclosingScope(model, call));
  if (factory.kind !== 'function' || factory.decorates) return undefined;
  const made = factory.fn;
  if (made.outer.kind !== 'module' || made.local || made.mainGuard || made.isGenerator !== enter) return undefined;
  // The handle is made in the factory itself, from its arguments.
  if (site.module !== made.module || !isInside(site.node, made.node)) return undefined;
  // Caching and context-manager decorators keep the call meaning the same in the worker; others might not.
  if (!made.decorators.every((d) => /^@\s*(?:functools\.)?(?:lru_cache|cache)\b|^@\s*(?:contextlib\.)?contextmanager\s*$/.test(d.text.trim()))) return undefined;
  if (enter !== made.decorators.some((d) => /contextmanager/.test(d.text))) return undefined;
  const args = call.childForFieldName('arguments')?.namedChildren.filter((c) => c.type !== 'comment') ?? [];
  if (args.length === 0) return undefined;
  for (const a of args) {
    if (a.type === 'string' || a.type === 'integer' || a.type === 'float') {
      if (a.type === 'string' && /^['"]:memory:['"]$/.test(a.text)) return undefined;
      continue;
    }
    if (a.type !== 'identifier') return undefined;
    const atCall = lookup(a.text, enclosingScope(model, a), a);
    // Bound once, so it holds at the send what it held at the factory's call.
    if (!atCall || atCall !== lookup(a.text, scope, anchor) || atCall.scope.bindings.get(a.text)?.length !== 1) return undefined;
    const v = ev.eval(a, enclosingScope(model, a));
    if (v.kind === 'object' || v.kind === 'instance' || v.kind === 'function' || v.kind === 'lambda') return undefined;
  }
  // A file's position and buffer stay on this side; a database's committed rows are in its file.
  const database = /sqlite3\.(Connection|Cursor)/.test(problem.typeName) || problem.objectType?.startsWith('sqlite3.');
  if (othersUse && !database) return undefined;
  // The factory runs again in the worker (in every task of a pool): a schema it creates
  // unconditionally fails the second time, whether or not the sender keeps its own.
  if (/\bcreate\s+(?:table|index|view)\s+(?!if\s+not\s+exists)/i.test(made.node.text)) return undefined;
  // The worker's module must call the same function by the same name.
  const name = callee.text;
  const inWorker = lookup(name, fn.scope, fn.node);
  const sameName = fn.module === model ? inWorker === lookup(name, enclosingScope(model, callee), callee) : fn.module === made.module && inWorker?.kind === 'def' && inWorker.fn === made;
  if (!inWorker || !sameName || inWorker.scope.kind !== 'module' || name === param) return undefined;
  const sent = args.length === 1 ? args[0].text : `(${args.map((a) => a.text).join(', ')})`;
  const again = `${name}(${args.length === 1 ? param : `*${param}`})`;
  const prologue = enter ? workerPrologue(fn.module, fn, [], `with ${again} as ${param}:`) : workerPrologue(fn.module, fn, [`${param} = ${again}`]);
  if (!prologue) return undefined;
  const edits = [...prologue, replaceNode(model, anchor, sent)];
  if (assignment) {
    const r = assignment.startPosition.row;
    const end = assignment.endPosition.row;
    if (r !== end || lineText(model, r).trim() !== assignment.text) return undefined;
    edits.push(edit(model, { line: r, character: 0 }, { line: end + 1, character: 0 }, ''));
  }
  const committed = othersUse ? ' (it opens its own connection: commit what this side writes before sending)' : '';
  return {
    title: `Pass \`${sent}\` and call \`${name}\` in \`${fn.name}\` instead of sending what it returns${committed}`,
    id: 'reopen-from-factory',
    preferred: false,
    edits,
  };
}

/**
 * *Run the coroutine in the worker*: an `async def` handed to a process pool returns a coroutine
 * there, which has to cross back and cannot. A module-level plain function next to it runs the
 * coroutine to its result with `asyncio.run` (a fresh event loop in the worker process), and the
 * pool is handed that function instead; the caller gets the value the coroutine returns, as an
 * `await` of it would have given.
 */
export function runCoroutineInWorkerFix(ctx: FixContext): Fix | undefined {
  const { problem, sink, returnedBy: fn } = ctx;
  const model = sink.call.scope.module;
  const anchor = problem.anchor.node;
  if (!fn || problem.objectType !== 'builtins.coroutine' || problem.segments.length !== 1 || !fn.node.isAsync) return undefined;
  if (fn.module !== model || fn.outer.kind !== 'module' || fn.local || fn.mainGuard || fn.decorators.length || fn.isGenerator) return undefined;
  if (anchor.type !== 'identifier' || anchor.text !== fn.name) return undefined;
  const b = lookup(anchor.text, enclosingScope(model, anchor), anchor);
  if (b?.kind !== 'def' || b.fn !== fn) return undefined;
  const q = qualified(model, 'asyncio', 'run', fn.node);
  if (!q) return undefined;
  const name = freshName(model, `run_${fn.name}`);
  const row = topLevelStatement(fn.node).endPosition.row + 1;
  const def = `\n\ndef ${name}(*args, **kwargs):\n    return ${q.text}(${fn.name}(*args, **kwargs))\n`;
  return {
    title: `Hand the pool \`${name}\`, a plain function that runs \`${fn.name}\` to its result in the worker (\`${q.text}\`), instead of the coroutine function`,
    id: 'run-coroutine-in-worker',
    preferred: false,
    edits: [...q.edits, edit(model, { line: row, character: 0 }, { line: row, character: 0 }, def), replaceNode(model, anchor, name)],
  };
}
