import type { SendcheckConfig } from '../engine/config';
import { sinkLibraries } from './knowledge';

// Which files can hold a process boundary at all, decided from the import statements in their
// text, without parsing. A sink is a call the evaluator resolves to a library it knows
// (`multiprocessing.Process`, `pickle.dumps`, a Pool or executor object, a user-declared sink):
// such a value only ever comes from an import of one of those libraries that is not a module of
// the workspace, in the file itself or in a workspace module it imports (values, classes and
// derived sinks all travel along imports). A file from which no chain of workspace imports
// reaches such a library cannot have a finding, and is never parsed for one.
//
// The reading errs on the side of imports: text that looks like an import inside a string or a
// comment counts as one (an extra import can only keep a file in), and the module a name binds is
// looked up exactly as the evaluator does (Workspace.locate).

export interface LexicalImport {
  /** The dotted module name, without the leading dots of a relative import. */
  module: string;
  level: number;
  /** `from m import a, b`: the imported names (each may be a submodule); empty for `import m`. */
  names: string[];
  star: boolean;
}

// `from .pkg.mod import (a, b as c)`, `from . import x`, with the names running to the end of the
// logical line (`\` continuations) or to the closing parenthesis.
const fromImport = /(?<![\w.])from[ \t]+(\.*)[ \t]*([\w.]*)[ \t]+import[ \t]*(?:\(([^)]*)\)|((?:[^\\\n;]|\\[\s\S])*))/g;
// `import a.b as c, d` anywhere a statement may start (after `;` or `:` too).
const plainImport = /(?<![\w.])import[ \t]+([\w.]+(?:[ \t]+as[ \t]+\w+)?(?:[ \t]*,[ \t]*(?:\\\n[ \t]*)?[\w.]+(?:[ \t]+as[ \t]+\w+)?)*)/g;

// Strings and comments, left to right as Python's tokenizer reads them (a `#` inside a string is
// no comment, a quote inside a comment opens no string); an unterminated quote matches nothing and
// the scan goes on after it. Prefixes (`r`, `b`, `f`) stay outside the match, which changes nothing.
// codeOnly scans for what this pattern matches (it is kept as the definition, and for the tests):
export const stringsAndComments = /#[^\n]*|'''[\s\S]*?'''|"""[\s\S]*?"""|'(?:[^'\\\n]|\\[\s\S])*'|"(?:[^"\\\n]|\\[\s\S])*"/g;

/**
 * The text with each string literal reduced to `''` and each comment removed, keeping the line
 * breaks inside them: an import written in a docstring or in code a string holds
 * (`'from multiprocessing.spawn import spawn_main'`) is not one.
 */
export function codeOnly(text: string): string {
  // What `text.replace(stringsAndComments, ...)` gives, by a scan that jumps from quote to quote
  // with indexOf: the regex replace was a quarter of a scan of the standard library.
  const n = text.length;
  let out = '';
  let copied = 0;
  let hash = text.indexOf('#');
  let single = text.indexOf("'");
  let double = text.indexOf('"');
  let i = 0;
  while (i < n) {
    if (hash >= 0 && hash < i) hash = text.indexOf('#', i);
    if (single >= 0 && single < i) single = text.indexOf("'", i);
    if (double >= 0 && double < i) double = text.indexOf('"', i);
    let at = n;
    if (hash >= 0) at = hash;
    if (single >= 0 && single < at) at = single;
    if (double >= 0 && double < at) at = double;
    if (at === n) break;
    const c = text.charCodeAt(at);
    let end = -1;
    if (c === 35) {
      const nl = text.indexOf('\n', at);
      end = nl < 0 ? n : nl;
    } else {
      if (text.charCodeAt(at + 1) === c && text.charCodeAt(at + 2) === c) {
        const close = text.indexOf(c === 39 ? "'''" : '"""', at + 3);
        if (close >= 0) end = close + 3;
      }
      // A one-line string: up to the same quote, a backslash taking the next character whatever it is.
      for (let k = at + 1; end < 0 && k < n; ) {
        const ch = text.charCodeAt(k);
        if (ch === c) end = k + 1;
        else if (ch === 10) break;
        else k += ch === 92 ? 2 : 1;
      }
    }
    if (end < 0) {
      // No string starts here: the quote stays, the scan goes on after it.
      i = at + 1;
      continue;
    }
    out += text.slice(copied, at);
    if (c !== 35) {
      out += "''";
      for (let nl = text.indexOf('\n', at); nl >= 0 && nl < end; nl = text.indexOf('\n', nl + 1)) out += '\n';
    }
    copied = i = end;
  }
  return copied === 0 ? text : out + text.slice(copied);
}

/** The import statements of a module's text (see the comment at the top for what counts). */
export function scanImports(source: string): LexicalImport[] {
  const out: LexicalImport[] = [];
  if (!source.includes('import')) return out;
  const text = codeOnly(source);
  for (const m of text.matchAll(fromImport)) {
    const names: string[] = [];
    let star = false;
    for (const part of (m[3] ?? m[4] ?? '').split(',')) {
      const n = part.replace(/[()\\]/g, ' ').trim().split(/\s+/)[0];
      if (n === '*') star = true;
      else if (n && /^\w+$/.test(n)) names.push(n);
    }
    out.push({ module: m[2], level: m[1].length, names, star });
  }
  for (const m of text.matchAll(plainImport)) {
    // `from x import y` was read above: the keyword is preceded by `from ... ` on its line.
    const lineStart = text.lastIndexOf('\n', m.index) + 1;
    if (/(?<![\w.])from[ \t]+\.*[ \t]*[\w.]*[ \t]+$/.test(text.slice(lineStart, m.index))) continue;
    for (const part of m[1].split(',')) {
      const name = part.replace(/\\\n/g, ' ').trim().split(/\s+/)[0];
      if (name && /^[\w.]+$/.test(name)) out.push({ module: name, level: 0, names: [], star: false });
    }
  }
  return out;
}

const celeryCall = /\.(?:delay|apply_async)[ \t]*\(/;
// What py-celery-json takes for a task: `@app.task`, `@shared_task`, `@celery.task(...)`.
const taskDecorator = /@[ \t]*(?:[\w.]+\.)?(?:task|shared_task)\b/;

/** The library an import names (`concurrent` for `concurrent.futures`). */
const topLevel = (module: string) => module.split('.')[0];

/**
 * The libraries whose imports may lead to a sink under `config`: the built-in ones and the
 * modules of user-declared sinks. Undefined when a user sink is declared on a module every file
 * has without importing it (`builtins`): then no file can be ruled out by its imports.
 */
export function boundaryLibraries(config: SendcheckConfig): Set<string> | undefined {
  const out = new Set(sinkLibraries);
  for (const s of config.sinks) {
    if (s.language !== 'python') continue;
    const top = topLevel(s.module);
    if (!top || top === 'builtins' || top === '__builtins__') return undefined;
    out.add(top);
  }
  return out;
}

/** What ImportReach needs of the workspace (resolve.ts's Workspace). */
export interface ImportHost {
  text(file: string): string | undefined;
  /** The workspace file `module` names from `fromFile`, as the evaluator looks it up. */
  locate(fromFile: string, module: string, level: number): string | undefined;
}

/**
 * Imports per file, read again only when its text changes: a language server keeps them across
 * checks. Keyed by the text itself, not the file's version: asking the version of every file a
 * walk passes would cost a stat each, and a file never parsed needs none.
 */
export class ImportCache {
  private byFile = new Map<string, { text: string; imports: LexicalImport[] }>();

  get(file: string, host: ImportHost): LexicalImport[] {
    const text = host.text(file) ?? '';
    const hit = this.byFile.get(file);
    if (hit && hit.text === text) return hit.imports;
    const imports = scanImports(text);
    this.byFile.set(file, { text, imports });
    return imports;
  }

  forget(file: string): void {
    this.byFile.delete(file);
  }
}

/**
 * Whether a file reaches a boundary library through its imports, for one check (the answer
 * depends on other files, which may change between checks).
 */
export class ImportReach {
  private reaches = new Map<string, boolean>();
  private edges = new Map<string, { seed: boolean; next: string[] }>();

  constructor(
    private readonly host: ImportHost,
    private readonly cache: ImportCache,
    /** Undefined: every file may reach a boundary (see boundaryLibraries). */
    private readonly libraries: Set<string> | undefined,
  ) {}

  /**
   * The file imports a boundary library itself, or a workspace module from which one is reached;
   * or it calls `.delay(`/`.apply_async(` and reaches a Celery task decorator (py-celery-json
   * judges such calls from the task's decorator alone, whatever the modules import).
   */
  reachesBoundary(file: string): boolean {
    if (!this.libraries) return true;
    if (this.walk(file, this.reaches, (f) => this.edgesOf(f).seed)) return true;
    const text = this.host.text(file) ?? '';
    // The literal parts first: indexOf finds them far faster than the pattern can rule them out.
    return (text.includes('.delay') || text.includes('.apply_async')) && celeryCall.test(text) && this.walk(file, this.tasks, (f) => taskDecorator.test(this.host.text(f) ?? ''));
  }

  private tasks = new Map<string, boolean>();

  /**
   * A walk over the workspace imports from `file` until a file that `isSeed` accepts: reaching one
   * decides; a walk that ends without one has seen every module each visited file reaches, so
   * none of them reaches one either (remembered in `memo`).
   */
  private walk(file: string, memo: Map<string, boolean>, isSeed: (file: string) => boolean): boolean {
    const known = memo.get(file);
    if (known !== undefined) return known;
    const seen = new Set<string>([file]);
    const stack = [file];
    let found = false;
    while (stack.length && !found) {
      const f = stack.pop()!;
      const hit = memo.get(f);
      if (hit === false) continue;
      if (hit === true || isSeed(f)) {
        found = true;
        break;
      }
      for (const n of this.edgesOf(f).next)
        if (!seen.has(n)) {
          seen.add(n);
          stack.push(n);
        }
    }
    if (found) memo.set(file, true);
    else for (const f of seen) memo.set(f, false);
    return found;
  }

  /** A file's own verdict (it imports a boundary library that is not a workspace module) and the workspace modules it imports. */
  private edgesOf(file: string): { seed: boolean; next: string[] } {
    let e = this.edges.get(file);
    if (e) return e;
    const libraries = this.libraries!;
    const next = new Set<string>();
    let seed = false;
    const add = (module: string, level: number): string | undefined => {
      const found = this.host.locate(file, module, level);
      if (found && found !== file) next.add(found);
      return found;
    };
    for (const imp of this.cache.get(file, this.host)) {
      const lib = imp.level === 0 && libraries.has(topLevel(imp.module));
      if (imp.names.length === 0 && !imp.star) {
        // `import a.b.c` binds `a` (evaluated from `a` down); `import a.b.c as x` binds `a.b.c`.
        const parts = imp.module.split('.');
        let whole = true;
        for (let i = 1; i <= parts.length; i++) if (!add(parts.slice(0, i).join('.'), 0)) whole = false;
        if (lib && !whole) seed = true;
        continue;
      }
      const target = imp.module || imp.level ? add(imp.module, imp.level) : undefined;
      // A star import of a known library provides its names whether or not the workspace shadows it.
      if (lib && (!target || imp.star)) seed = true;
      for (const n of imp.names) add(imp.module ? `${imp.module}.${n}` : n, imp.level);
    }
    this.edges.set(file, (e = { seed, next: [...next] }));
    return e;
  }
}
