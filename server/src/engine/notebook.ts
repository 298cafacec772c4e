import * as path from 'node:path';
import { applyEdits, splitLines } from './text';
import type { Position, Range } from './types';

// Jupyter notebooks (.ipynb) as one virtual Python module: the code cells in order, each on the
// lines after the previous one, which is how the kernel sees them (every cell runs in the same
// `__main__` namespace). Markdown and raw cells contribute nothing; IPython's own syntax
// (`%magic`, `!shell`, `x = !cmd`, `obj?`) is not Python, and each such line becomes `pass` at its
// indentation, so the rest of the cell still parses and keeps its positions. Findings computed
// on the virtual module are mapped back to (cell, line, character).

export function isNotebookFile(file: string): boolean {
  return path.extname(file).toLowerCase() === '.ipynb';
}

export interface NotebookCell {
  /** Position in the notebook's `cells` array (markdown cells included). */
  index: number;
  kind: 'code' | 'markdown' | 'raw';
  source: string;
}

export interface ParsedNotebook {
  cells: NotebookCell[];
  /** The JSON document, kept to write edited cells back in place. */
  json: { cells: { cell_type?: unknown; source?: unknown }[] } & Record<string, unknown>;
}

/** The notebook's cells, or a one-line reason it is not a notebook sendcheck can read. */
export function parseNotebook(text: string): ParsedNotebook | { problem: string } {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    return { problem: `not a valid notebook: the JSON does not parse (${(e as Error).message.split('\n')[0]})` };
  }
  if (!json || typeof json !== 'object' || !Array.isArray((json as { cells?: unknown }).cells))
    return { problem: 'not a valid notebook: no "cells" list (nbformat 4 is read; convert older notebooks with `jupyter nbconvert --to notebook`)' };
  const raw = (json as ParsedNotebook['json']).cells;
  const cells: NotebookCell[] = [];
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i];
    if (!c || typeof c !== 'object') return { problem: `not a valid notebook: cell ${i + 1} is not an object` };
    const source = Array.isArray(c.source) ? c.source.map((s) => (typeof s === 'string' ? s : '')).join('') : typeof c.source === 'string' ? c.source : '';
    const kind = c.cell_type === 'code' ? 'code' : c.cell_type === 'markdown' ? 'markdown' : 'raw';
    cells.push({ index: i, kind, source });
  }
  return { cells, json: json as ParsedNotebook['json'] };
}

/** Cell magics whose body is Python run by the kernel; any other (`%%bash`, `%%writefile`, `%%html`…) is not Python. */
const pythonCellMagics = new Set(['time', 'timeit', 'capture', 'prun', 'debug', 'python', 'python3', 'memit', 'px']);

/** A line of IPython syntax: a line magic, a shell escape, `x = !cmd` / `x = %magic`, or a `?` help request. */
function isIPythonLine(line: string): boolean {
  const t = line.trim();
  if (t.startsWith('%') || t.startsWith('!') || t.startsWith('?')) return true;
  if (/^[A-Za-z_][\w.]*(\s*,\s*[A-Za-z_][\w.]*)*\s*=\s*[!%]/.test(t)) return true;
  // `obj?` / `obj??` (help); not a `?` inside a string or comment.
  return /^[A-Za-z_][\w.]*\?\??$/.test(t);
}

/** The Python the kernel runs for a cell: IPython lines become `pass`, a non-Python cell magic blanks the cell. */
export function pythonOfCell(source: string): string {
  const lines = splitLines(source);
  const first = lines[0]?.trim() ?? '';
  if (first.startsWith('%%')) {
    const name = /^%%(\w+)/.exec(first)?.[1] ?? '';
    if (!pythonCellMagics.has(name)) return lines.map(() => '').join('\n');
  }
  let inString: string | undefined;
  return lines
    .map((line) => {
      // Lines inside a triple-quoted string are left alone.
      const was = inString;
      for (const m of line.matchAll(/"""|'''/g)) inString = inString === undefined ? m[0] : inString === m[0] ? undefined : inString;
      if (was !== undefined || !isIPythonLine(line)) return line;
      return `${/^[ \t]*/.exec(line)![0]}pass`;
    })
    .join('\n');
}

/**
 * The virtual module of a notebook and the way back: virtual line → (cell, line in the cell).
 * Characters are unchanged, since cells are placed whole at the start of a line.
 */
export class NotebookModule {
  readonly text: string;
  /** First virtual line of each code cell, by cell index. */
  private readonly startLine = new Map<number, number>();
  /** For each virtual line: its cell and the number of lines that cell has. */
  private readonly lineCell: { cell: number; first: number; count: number }[] = [];

  constructor(readonly notebook: ParsedNotebook) {
    const parts: string[] = [];
    let line = 0;
    for (const cell of notebook.cells) {
      if (cell.kind !== 'code') continue;
      const py = pythonOfCell(cell.source);
      const count = splitLines(py).length;
      this.startLine.set(cell.index, line);
      for (let i = 0; i < count; i++) this.lineCell.push({ cell: cell.index, first: line, count });
      parts.push(py);
      line += count;
    }
    this.text = parts.join('\n') + (parts.length ? '\n' : '');
  }

  /** The cell holding a virtual position, and the position in it. */
  toCell(p: Position): { cell: number; position: Position } | undefined {
    const at = this.lineCell[p.line];
    if (!at) {
      // The end of the last cell (the newline the module adds after it).
      const last = this.lineCell[this.lineCell.length - 1];
      if (last && p.line === this.lineCell.length && p.character === 0) return { cell: last.cell, position: { line: last.count, character: 0 } };
      return undefined;
    }
    return { cell: at.cell, position: { line: p.line - at.first, character: p.character } };
  }

  /** A virtual range in one cell; a range across cells has none. */
  rangeToCell(r: Range): { cell: number; range: Range } | undefined {
    const s = this.toCell(r.start);
    const e = this.toCell(r.end);
    if (!s) return undefined;
    // A range that ends at the start of the next cell's first line ends at the end of its own cell.
    if (e && e.cell !== s.cell && r.end.character === 0 && this.startLine.get(e.cell) === r.end.line) {
      const lines = splitLines(this.cellSource(s.cell));
      return { cell: s.cell, range: { start: s.position, end: { line: lines.length - 1, character: lines[lines.length - 1].length } } };
    }
    if (!e || e.cell !== s.cell) return undefined;
    return { cell: s.cell, range: { start: s.position, end: e.position } };
  }

  cellSource(cell: number): string {
    return this.notebook.cells[cell]?.source ?? '';
  }
}

/** 1-based, as notebooks number cells for people: `cell 3`. */
export function cellLabel(cell: number): string {
  return `cell ${cell + 1}`;
}

/**
 * The notebook's JSON text after edits to its cells' sources. The document keeps its key order
 * and indentation (nbformat writes one space); each edited cell's source is written back as a
 * list of lines, the way Jupyter stores it. `skipped` counts edits that overlapped another.
 */
export function applyNotebookEdits(text: string, edits: readonly { cell?: number; range: Range; newText: string }[]): { text: string; skipped: number } {
  const nb = parseNotebook(text);
  if ('problem' in nb) return { text, skipped: edits.length };
  const byCell = new Map<number, { range: Range; newText: string }[]>();
  let skipped = 0;
  for (const e of edits) {
    if (e.cell === undefined || nb.cells[e.cell]?.kind !== 'code') {
      skipped++;
      continue;
    }
    byCell.set(e.cell, [...(byCell.get(e.cell) ?? []), e]);
  }
  for (const [cell, list] of byCell) {
    const applied = applyEdits(nb.cells[cell].source, list);
    skipped += applied.skipped;
    nb.json.cells[cell].source = sourceLines(applied.text);
  }
  const indent = /^\{\r?\n([ \t]+)"/.exec(text)?.[1] ?? ' ';
  const out = JSON.stringify(nb.json, null, indent);
  return { text: text.endsWith('\n') ? `${out}\n` : out, skipped };
}

/** A cell source as nbformat stores it: lines with their newlines, the last without. */
export function sourceLines(source: string): string[] {
  const out: string[] = [];
  let start = 0;
  for (let i = source.indexOf('\n'); i >= 0; i = source.indexOf('\n', start)) {
    out.push(source.slice(start, i + 1));
    start = i + 1;
  }
  if (start < source.length) out.push(source.slice(start));
  return out;
}

/** A notebook document in nbformat 4 from its cells (what the language server checks for an open notebook). */
export function notebookJson(cells: readonly { kind: 'code' | 'markdown'; source: string }[]): string {
  return JSON.stringify({
    cells: cells.map((c) => ({ cell_type: c.kind, metadata: {}, source: sourceLines(c.source) })),
    metadata: {},
    nbformat: 4,
    nbformat_minor: 5,
  });
}

/**
 * Where each cell's source lines sit in the notebook's JSON text: for cell `i`, the 0-based line
 * of the file holding its `j`-th source line (nbformat writes a source as a list of strings, one
 * per line, each on a line of its own; a source written as one string maps all its lines to that
 * string's line). Reports that place findings in the file itself (SARIF, GitHub annotations) use
 * it. Empty when the text does not parse.
 */
export function sourceLinesInFile(text: string): number[][] {
  let i = 0;
  let line = 0;
  const out: number[][] = [];
  const ws = () => {
    for (; i < text.length; i++) {
      const c = text[i];
      if (c === '\n') line++;
      else if (c !== ' ' && c !== '\t' && c !== '\r') break;
    }
  };
  const string = (): string => {
    const start = ++i;
    while (i < text.length && text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
    i++;
    return JSON.parse(text.slice(start - 1, i)) as string;
  };
  // Returns for a string value its text and start line; walks everything else.
  const value = (path: (string | number)[]): void => {
    ws();
    const c = text[i];
    if (c === '{') {
      i++;
      ws();
      if (text[i] === '}') return void i++;
      for (;;) {
        ws();
        const key = string();
        ws();
        i++; // :
        value([...path, key]);
        ws();
        if (text[i++] === '}') return;
      }
    }
    if (c === '[') {
      i++;
      ws();
      if (text[i] === ']') return void i++;
      for (let n = 0; ; n++) {
        value([...path, n]);
        ws();
        if (text[i++] === ']') return;
      }
    }
    if (c === '"') {
      const at = line;
      const s = string();
      // cells[k].source or cells[k].source[j]
      if (path[0] === 'cells' && typeof path[1] === 'number' && path[2] === 'source') {
        const lines = (out[path[1]] ??= []);
        const count = path.length === 3 ? s.split('\n').length : 1;
        for (let k = 0; k < count; k++) lines.push(at);
      }
      return;
    }
    while (i < text.length && !/[,\]}\s]/.test(text[i])) i++;
  };
  try {
    value([]);
  } catch {
    return [];
  }
  return out;
}
