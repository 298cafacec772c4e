import * as path from 'node:path';
import type { Fix, TextEdit } from '../../engine/types';
import { lineText, outsideReads, topLevelStatement } from '../fixes';
import type { ClassInfo, FunctionInfo } from '../model';
import type { Node } from '../parser';
import type { Evaluator } from '../resolve';
import { pyRule } from './types';

// A function or class defined in a notebook cell lives in the kernel's `__main__`, a module with
// no file. Pickle stores it by reference (`__main__.f`); a spawn or forkserver child has its own
// `__main__` (the `-c` bootstrap) and nothing to re-import, so the lookup fails there. A script is
// different: its child re-imports the script's file as `__mp_main__`. Under fork the child is a
// copy of the kernel and has the definition. cloudpickle (joblib's loky, Dask) pickles `__main__`
// definitions by value and is not concerned.

export const pyNotebookDefinition = pyRule(
  'py-notebook-definition',
  'A function or class defined in a notebook cell is sent to a spawn or forkserver process, which cannot import the notebook’s `__main__`.',
  'a notebook cell defines it in the kernel’s `__main__`, which has no file; a spawn or forkserver child looks it up in its own `__main__` and does not find it',
  'move it to a `.py` module beside the notebook and import it from there',
  ({ problem, ev }) => [problem.definition ? moveToModuleFileFix(problem.definition, ev) : undefined],
);

/** The def or class statement with its decorators. */
function statementOf(def: FunctionInfo | ClassInfo): Node {
  return def.node.parent?.type === 'decorated_definition' ? def.node.parent : def.node;
}

/** A value no code can change: numbers, strings, booleans, None, and tuples or frozensets of them. */
function isImmutableLiteral(n: Node): boolean {
  switch (n.type) {
    case 'integer':
    case 'float':
    case 'true':
    case 'false':
    case 'none':
      return true;
    case 'string':
      return !n.namedChildren.some((c) => c.type === 'interpolation');
    case 'concatenated_string':
      return n.namedChildren.every(isImmutableLiteral);
    case 'unary_operator':
      return n.namedChildren.length === 1 && isImmutableLiteral(n.namedChildren[0]);
    case 'tuple':
    case 'parenthesized_expression':
      return n.namedChildren.filter((c) => c.type !== 'comment').every(isImmutableLiteral);
    case 'call': {
      // frozenset({...}) / frozenset((...)) of literals
      const fn = n.childForFieldName('function');
      const args = n.childForFieldName('arguments')?.namedChildren ?? [];
      if (fn?.text !== 'frozenset' || args.length !== 1) return false;
      const a = args[0];
      return (a.type === 'set' || a.type === 'tuple' || a.type === 'list') && a.namedChildren.every(isImmutableLiteral);
    }
    default:
      return false;
  }
}

/** `analysis-2024.ipynb` → `analysis_2024_helpers`: a module name Python can import. */
function helperModuleName(notebook: string, taken: (name: string) => boolean): string | undefined {
  let stem = path.basename(notebook, path.extname(notebook)).toLowerCase().replace(/[^a-z0-9_]+/g, '_').replace(/^_+|_+$/g, '');
  if (!stem || /^\d/.test(stem)) stem = `notebook_${stem}`;
  for (let i = 1; i <= 9; i++) {
    const name = `${stem}_helpers${i === 1 ? '' : `_${i}`}`;
    if (!taken(name)) return name;
  }
  return undefined;
}

/**
 * Moves the definition, and the notebook definitions it uses, into a new module beside the
 * notebook, with the imports they read; each moved definition is replaced in its cell by an
 * import of it. The new file is created, never written over: a name already taken by a file (or
 * used in the notebook) is skipped. Constants no code can change (numbers, strings, tuples and
 * frozensets of them) are copied. Nothing is offered when the code reads another notebook variable
 * (moving it would copy state the notebook may change) or a name bound more than once.
 */
export function moveToModuleFileFix(def: FunctionInfo | ClassInfo, ev: Evaluator): Fix | undefined {
  const model = def.module;
  const defs = new Map<number, FunctionInfo | ClassInfo>();
  const imports = new Map<number, Node>();
  const constants = new Map<number, Node>();
  const topDefs = new Map<number, FunctionInfo | ClassInfo>();
  for (const [, list] of model.scope.bindings)
    for (const b of list) if (b.kind === 'def') topDefs.set(b.node.id, b.fn);
      else if (b.kind === 'class') topDefs.set(b.node.id, b.cls);
  const queue: (FunctionInfo | ClassInfo)[] = [def];
  while (queue.length) {
    const d = queue.pop()!;
    if (defs.has(d.nameNode.id)) continue;
    const stmt = statementOf(d);
    if (stmt.parent?.type !== 'module' || d.local) return undefined;
    if ((model.scope.bindings.get(d.name) ?? []).length !== 1) return undefined;
    defs.set(d.nameNode.id, d);
    for (const { binding: b } of outsideReads(model, stmt)) {
      if (b.scope.kind !== 'module') return undefined;
      if (b.kind === 'import') {
        if ((model.scope.bindings.get(b.name) ?? []).length !== 1) return undefined;
        const top = topLevelStatement(b.node);
        if (top.type !== 'import_statement' && top.type !== 'import_from_statement') return undefined;
        imports.set(top.id, top);
      } else if ((b.kind === 'def' || b.kind === 'class') && topDefs.has(b.node.id)) queue.push(topDefs.get(b.node.id)!);
      else if (b.kind === 'value' && (model.scope.bindings.get(b.name) ?? []).length === 1 && isImmutableLiteral(b.value) && b.node.parent?.type === 'assignment') {
        // A constant the notebook cannot change is copied; the notebook keeps its own.
        const top = topLevelStatement(b.node);
        if (top.type !== 'expression_statement') return undefined;
        constants.set(top.id, top);
      } else return undefined;
    }
  }
  const dir = path.dirname(model.file);
  const name = helperModuleName(model.file, (n) => ev.ws.fileExists(path.join(dir, `${n}.py`)) || ev.ws.fileExists(path.join(dir, n, '__init__.py')) || model.scope.bindings.has(n));
  if (!name) return undefined;
  const file = path.join(dir, `${name}.py`);
  const inOrder = <T extends { startIndex: number }>(xs: T[]) => xs.sort((a, b) => a.startIndex - b.startIndex);
  const moved = inOrder([...defs.values()].map((d) => ({ d, stmt: statementOf(d), startIndex: statementOf(d).startIndex })));
  const head = inOrder([...imports.values()]).map((n) => n.text);
  const consts = inOrder([...constants.values()]).map((n) => n.text);
  const body = moved.map(({ stmt }) => stmt.text).join('\n\n\n');
  const text = `${head.length ? `${[...new Set(head)].join('\n')}\n\n` : ''}${consts.length ? `${consts.join('\n')}\n\n` : ''}${head.length || consts.length ? '\n' : ''}${body}\n`;
  const edits: TextEdit[] = [{ file, range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, newText: text }];
  for (const { d, stmt } of moved) {
    const start = stmt.startPosition.row;
    const end = stmt.endPosition.row;
    // Whole lines: the statement must stand alone on them.
    if (stmt.startPosition.column !== 0 || lineText(model, end).slice(stmt.endPosition.column).trim() !== '') return undefined;
    edits.push({ file: model.file, range: { start: { line: start, character: 0 }, end: { line: end + 1, character: 0 } }, newText: `from ${name} import ${d.name}\n` });
  }
  const names = moved.map(({ d }) => `\`${d.name}\``).join(', ');
  return {
    title: `Move ${names} to a new module ${name}.py beside the notebook and import ${moved.length > 1 ? 'them' : 'it'}`,
    id: 'move-to-module-file',
    preferred: true,
    edits,
  };
}
