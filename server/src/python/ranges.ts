import type { Range } from '../engine/types';
import type { Node } from './parser';

// web-tree-sitter parses JavaScript strings as UTF-16, so its columns are already UTF-16 code
// units, which is what LSP positions count (test/fixtures/py/clean_non_ascii.py pins this).
export function rangeOf(node: Node): Range {
  return {
    start: { line: node.startPosition.row, character: node.startPosition.column },
    end: { line: node.endPosition.row, character: node.endPosition.column },
  };
}
