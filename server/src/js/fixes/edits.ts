import * as ts from 'typescript';
import type { Range, TextEdit } from '../../engine/types';

// Text edits computed from syntax nodes, in the engine's zero-based line/character ranges.

export function spanRange(sf: ts.SourceFile, start: number, end: number): Range {
  const s = sf.getLineAndCharacterOfPosition(start);
  const e = sf.getLineAndCharacterOfPosition(end);
  return { start: { line: s.line, character: s.character }, end: { line: e.line, character: e.character } };
}

export function replaceSpan(file: string, sf: ts.SourceFile, start: number, end: number, newText: string): TextEdit {
  return { file, range: spanRange(sf, start, end), newText };
}

export function replaceNode(file: string, node: ts.Node, newText: string): TextEdit {
  const sf = node.getSourceFile();
  return replaceSpan(file, sf, node.getStart(sf), node.getEnd(), newText);
}

export function insertAt(file: string, sf: ts.SourceFile, pos: number, newText: string): TextEdit {
  return replaceSpan(file, sf, pos, pos, newText);
}

/** Indentation of the line that `pos` is on. */
export function indentAt(sf: ts.SourceFile, pos: number): string {
  const line = sf.getLineAndCharacterOfPosition(pos).line;
  const start = sf.getPositionOfLineAndCharacter(line, 0);
  return /^[ \t]*/.exec(sf.text.slice(start))?.[0] ?? '';
}

/** The indentation step the file uses (two spaces when it cannot tell). */
export function indentUnit(sf: ts.SourceFile): string {
  const m = /\n(\t+|[ ]{2,8})\S/.exec(sf.text);
  if (!m) return '  ';
  return m[1].startsWith('\t') ? '\t' : m[1].length >= 4 && !/\n {2}\S/.test(sf.text) ? '    ' : '  ';
}

function isMultiLine(sf: ts.SourceFile, node: ts.Node): boolean {
  return sf.getLineAndCharacterOfPosition(node.getStart(sf)).line !== sf.getLineAndCharacterOfPosition(node.getEnd()).line;
}

/** Deletes one element of a comma-separated list (object literal properties, array elements), with its comma. */
export function removeListElement(file: string, sf: ts.SourceFile, list: ts.NodeArray<ts.Node>, index: number, container: ts.Node): TextEdit {
  const el = list[index];
  if (list.length === 1) {
    // The only element: leave an empty pair of brackets.
    const open = container.getStart(sf) + 1;
    const close = container.getEnd() - 1;
    return replaceSpan(file, sf, open, close, '');
  }
  if (index < list.length - 1) return replaceSpan(file, sf, el.getStart(sf), list[index + 1].getStart(sf), '');
  return replaceSpan(file, sf, list[index - 1].getEnd(), el.getEnd(), '');
}

/** Adds `text` (a property, or an array element) at the end of a list, following the literal's layout. */
export function appendListElement(file: string, sf: ts.SourceFile, container: ts.ObjectLiteralExpression | ts.ArrayLiteralExpression, text: string): TextEdit {
  const list: ts.NodeArray<ts.Node> = ts.isObjectLiteralExpression(container) ? container.properties : container.elements;
  const open = container.getStart(sf) + 1;
  if (list.length === 0) {
    const inner = ts.isObjectLiteralExpression(container) ? ` ${text} ` : text;
    return replaceSpan(file, sf, open, container.getEnd() - 1, inner);
  }
  const last = list[list.length - 1];
  if (isMultiLine(sf, container) && sf.getLineAndCharacterOfPosition(last.getStart(sf)).line !== sf.getLineAndCharacterOfPosition(container.getStart(sf)).line) {
    const indent = indentAt(sf, last.getStart(sf));
    const trailingComma = list.hasTrailingComma;
    return insertAt(file, sf, trailingComma ? sf.text.indexOf(',', last.getEnd()) + 1 : last.getEnd(), `${trailingComma ? '' : ','}\n${indent}${text}${trailingComma ? ',' : ''}`);
  }
  return insertAt(file, sf, last.getEnd(), `, ${text}`);
}
