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
    const language = await Language.load(locate('tree-sitter-python.wasm', 'tree-sitter-python/tree-sitter-python.wasm'));
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

export class Node {
  /** Named children only: punctuation and keywords are not kept (see `isAsync`). */
  readonly children: Node[] = [];
  field: string | null = null;
  /** `async def`, `async with`, `async for`: the one keyword the analysis reads. */
  isAsync = false;

  constructor(
    readonly id: number,
    readonly type: string,
    readonly startIndex: number,
    readonly endIndex: number,
    readonly parent: Node | null,
    private readonly file: SourceText,
  ) {}

  get startPosition(): Point {
    return this.file.pointAt(this.startIndex);
  }

  get endPosition(): Point {
    return this.file.pointAt(this.endIndex);
  }

  get text(): string {
    return this.file.text.slice(this.startIndex, this.endIndex);
  }

  get namedChildren(): Node[] {
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
class SourceText {
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

/** Copies a web-tree-sitter tree into plain objects with one cursor walk. */
function copyTree(tree: Tree, source: string): Node {
  const cursor = tree.walk();
  const text = new SourceText(source);
  const build = (parent: Node | null): Node => {
    const node = new Node(
      nextId++,
      cursor.nodeType,
      cursor.startIndex,
      cursor.endIndex,
      parent,
      text,
    );
    if (cursor.gotoFirstChild()) {
      do {
        if (!cursor.nodeIsNamed) {
          if (cursor.nodeType === 'async') node.isAsync = true;
          continue;
        }
        const field = cursor.currentFieldName;
        const child = build(node);
        child.field = field;
        node.children.push(child);
      } while (cursor.gotoNextSibling());
      cursor.gotoParent();
    }
    return node;
  };
  try {
    return build(null);
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
  private trees = new Map<string, { version: string; root: Node }>();

  get(file: string, version: string, text: () => string | undefined): Node | undefined {
    const hit = this.trees.get(file);
    if (hit && hit.version === version) return hit.root;
    const source = text();
    if (source === undefined) return undefined;
    const root = parsePython(source);
    if (!root) return undefined;
    this.trees.set(file, { version, root });
    return root;
  }

  forget(file: string): void {
    this.trees.delete(file);
  }
}
