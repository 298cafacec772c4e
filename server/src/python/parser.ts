import * as fs from 'node:fs';
import * as path from 'node:path';
// `require`, not `import`: the bundler must take the package's CommonJS build, whose wasm loader
// works from dist/ (the ESM build locates itself through import.meta, which a CJS bundle lacks).
import TreeSitter = require('web-tree-sitter');
type Tree = TreeSitter.Tree;
type Parser = TreeSitter.Parser;
const { Language, Parser } = TreeSitter;
import { lineStarts } from '../engine/text';

// One parser for the whole process; the grammar's shipped wasm is loaded once. From the bundle
// the two .wasm files sit beside dist/*.js; from the TypeScript sources (tests through tsx)
// they are found in node_modules.
//
// Each parse is copied once into plain JavaScript objects (`Node` below) and the wasm tree is
// freed at once: every property read on a web-tree-sitter node crosses into wasm, and the
// analysis reads the same nodes many times. Indices and columns are UTF-16 code units (what
// web-tree-sitter reports for JavaScript strings, and what LSP counts).
let parser: Parser | undefined;
let loading: Promise<void> | undefined;

function locate(file: string, packagePath: string): string {
  const beside = path.join(__dirname, file);
  if (fs.existsSync(beside)) return beside;
  return require.resolve(packagePath);
}

export function initPythonParser(): Promise<void> {
  loading ??= (async () => {
    await Parser.init({ locateFile: () => locate('web-tree-sitter.wasm', 'web-tree-sitter/web-tree-sitter.wasm') });
    // The bytes, not a path: given a path, web-tree-sitter reads it through a dynamic import(),
    // which a bundle loaded from V8's code cache (bin/sendcheck.js) cannot make.
    const language = await Language.load(fs.readFileSync(locate('tree-sitter-python.wasm', 'tree-sitter-python/tree-sitter-python.wasm')));
    const p = new Parser();
    p.setLanguage(language);
    parser = p;
  })();
  return loading;
}

export function parserReady(): boolean {
  return parser !== undefined;
}

export interface Point {
  row: number;
  column: number;
}

const noChildren: readonly Node[] = Object.freeze([]);

export class Node {
  /**
   * Named children only: punctuation and keywords are not kept (see `isAsync`). Leaves (half the
   * nodes) share one empty list, never written to: every copied node stays alive with its model,
   * and a list per leaf was garbage-collector work for nothing.
   */
  children: readonly Node[] = noChildren;
  field: string | null = null;
  /** `async def`, `async with`, `async for`: the one keyword the analysis reads. */
  isAsync = false;

  constructor(
    readonly id: number,
    readonly type: string,
    public startIndex: number,
    public endIndex: number,
    public parent: Node | null,
    private file: SourceText,
  ) {}

  /** Moves a subtree copied from an earlier version of the file to where it sits in `file` now. */
  rebase(delta: number, parent: Node | null, file: SourceText): void {
    this.startIndex += delta;
    this.endIndex += delta;
    this.parent = parent;
    this.file = file;
    for (const c of this.children) c.rebase(delta, this, file);
  }

  get startPosition(): Point {
    return this.file.pointAt(this.startIndex);
  }

  get endPosition(): Point {
    return this.file.pointAt(this.endIndex);
  }

  get text(): string {
    return this.file.text.slice(this.startIndex, this.endIndex);
  }

  get namedChildren(): readonly Node[] {
    return this.children;
  }

  childForFieldName(name: string): Node | null {
    for (const c of this.children) if (c.field === name) return c;
    return null;
  }

  childrenForFieldName(name: string): Node[] {
    return this.children.filter((c) => c.field === name);
  }
}

/** The parsed text with its line starts, so positions are computed only for the nodes reported. */
export class SourceText {
  private starts: number[] | undefined;

  constructor(readonly text: string) {}

  pointAt(index: number): Point {
    const starts = (this.starts ??= lineStarts(this.text));
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid] <= index) lo = mid;
      else hi = mid - 1;
    }
    return { row: lo, column: index - starts[lo] };
  }
}

let nextId = 1;

/**
 * Whether nodes of a type id are named, from the grammar (asked once per id): every cursor
 * property read is a call into wasm with the cursor copied in, so the copy reads each node's
 * type id once and derives the rest.
 */
const namedById: boolean[] = [];
function isNamedType(language: TreeSitter.Language, typeId: number): boolean {
  return (namedById[typeId] ??= language.nodeTypeIsNamed(typeId));
}

/** Copies the node under `cursor` (of type `typeId`) and everything below it into plain objects. */
function copySubtree(cursor: TreeSitter.TreeCursor, typeId: number, parent: Node | null, text: SourceText, language: TreeSitter.Language): Node {
  const node = new Node(nextId++, language.types[typeId] || 'ERROR', cursor.startIndex, cursor.endIndex, parent, text);
  if (cursor.gotoFirstChild()) {
    const children: Node[] = [];
    do {
      const id = cursor.nodeTypeId;
      if (!isNamedType(language, id)) {
        if (language.types[id] === 'async') node.isAsync = true;
        continue;
      }
      const field = cursor.currentFieldName;
      const child = copySubtree(cursor, id, node, text, language);
      child.field = field;
      children.push(child);
    } while (cursor.gotoNextSibling());
    cursor.gotoParent();
    if (children.length) node.children = children;
  }
  return node;
}

/**
 * Copies a web-tree-sitter tree into plain objects with one cursor walk. With `previous` (the
 * copy of an earlier, error-free version of the same file, itself parsed without errors), each
 * top-level statement whose text did not change is taken over from it, moved to its new offset,
 * instead of copied again: an edit costs a copy of the statements it touched. In a tree without
 * errors a top-level statement's subtree depends on its own text alone.
 */
function copyTree(tree: Tree, source: string, previous?: { root: Node; text: string }): Node {
  const cursor = tree.walk();
  const text = new SourceText(source);
  try {
    const language = tree.language;
    if (!previous) return copySubtree(cursor, cursor.nodeTypeId, null, text, language);
    const unused = new Map<string, Node[]>();
    for (const old of previous.root.children) {
      const key = `${old.type}\0${old.field}\0${previous.text.slice(old.startIndex, old.endIndex)}`;
      const list = unused.get(key);
      if (list) list.push(old);
      else unused.set(key, [old]);
    }
    const root = new Node(nextId++, cursor.nodeType, cursor.startIndex, cursor.endIndex, null, text);
    const children: Node[] = [];
    root.children = children;
    if (cursor.gotoFirstChild()) {
      do {
        const id = cursor.nodeTypeId;
        if (!isNamedType(language, id)) {
          if (language.types[id] === 'async') root.isAsync = true;
          continue;
        }
        const field = cursor.currentFieldName;
        const start = cursor.startIndex;
        const key = `${language.types[id] || 'ERROR'}\0${field}\0${source.slice(start, cursor.endIndex)}`;
        const reused = unused.get(key)?.shift();
        let child: Node;
        if (reused) {
          reused.rebase(start - reused.startIndex, root, text);
          child = reused;
        } else {
          child = copySubtree(cursor, id, root, text, language);
          child.field = field;
        }
        children.push(child);
      } while (cursor.gotoNextSibling());
    }
    return root;
  } finally {
    cursor.delete();
  }
}

export function parsePython(source: string): Node | undefined {
  if (!parser) return undefined;
  const tree = parser.parse(source);
  if (!tree) return undefined;
  try {
    return copyTree(tree, source);
  } finally {
    tree.delete();
  }
}

/** Syntax trees keyed by file, reused while `host.version(file)` is unchanged. */
export class TreeCache {
  private trees = new Map<string, { version: string; root: Node; text: string; hasError: boolean }>();

  get(file: string, version: string, text: () => string | undefined): Node | undefined {
    const hit = this.trees.get(file);
    if (hit && hit.version === version) return hit.root;
    const source = text();
    if (source === undefined || !parser) return undefined;
    const tree = parser.parse(source);
    if (!tree) return undefined;
    let root: Node;
    let hasError: boolean;
    try {
      hasError = tree.rootNode.hasError;
      // The old copy is taken apart to build the new one: its version is gone from the cache.
      this.trees.delete(file);
      root = copyTree(tree, source, hit && !hit.hasError && !hasError ? hit : undefined);
    } finally {
      tree.delete();
    }
    this.trees.set(file, { version, root, text: source, hasError });
    return root;
  }

  forget(file: string): void {
    this.trees.delete(file);
  }
}
