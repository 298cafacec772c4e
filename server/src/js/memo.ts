import * as ts from 'typescript';

// Across edits: what the checker answered about a call of a file (which function it calls) is
// kept per file and handed to the next program for the calls whose answer the edit cannot have
// changed. Every edit builds a new program and so a new checker, which otherwise infers every
// generic call again (on effect's `channel.ts` that was most of an edit's time).
//
// When an answer carries over. The edit is read as a change of top-level statements: those before
// and after the edited region have the same text (comments included), shifted. A statement's
// types depend on its own text, on the names it refers to, and on the other files. So:
// - the other files must be the very same parsed files (same compiler options too), or nothing
//   carries over;
// - the names declared or assigned by the changed statements are dirty; an unchanged statement
//   that mentions a dirty name (its text holds the name as a word: property names, strings and
//   comments included, so more is re-judged, never less) is dirty
//   as well, and adds its own declared and assigned names; repeated to a fixed point;
// - a dirty name the file exports (or any dirty name, for a script whose declarations are global)
//   that another project file's text mentions could change that file's types and, through it,
//   this one's: nothing carries over. So do export-default/`export =`/`export *`/re-exports,
//   namespaces and module or global augmentations, and JSDoc type declarations of a JS file
//   changed anywhere;
// - only the calls inside unchanged, clean statements are answered from the previous check; an
//   answer that names a function of this file itself is found again at its shifted place (same
//   kind, same extent), or recomputed when it lies outside a clean statement.
// test/js/incremental.test.ts compares an edited file's findings with a fresh check's.

type Answer = ts.Node | string | null;

interface FileRecord {
  sf: ts.SourceFile;
  files: readonly ts.SourceFile[];
  /** The compiler options, spelled out (each program gets its own options object). */
  options: string;
  /** `${kind}:${start}:${end}` of a node in `sf` → what was asked of it (the function a call calls, a type's name; null: none). */
  answers: Map<string, Answer>;
}

// One store per engine (its owner), so two checkers in one process never see each other's answers.
const stores = new WeakMap<object, Map<string, FileRecord>>();
const programStores = new WeakMap<ts.Program, Map<string, FileRecord>>();
const memos = new WeakMap<ts.Program, Map<ts.SourceFile, CallMemo>>();

/** Ties a program to its engine's store; a program never tied gets a store of its own (nothing carries over). */
export function useCallMemos(program: ts.Program, owner: object): void {
  let store = stores.get(owner);
  if (!store) stores.set(owner, (store = new Map()));
  programStores.set(program, store);
}

/** Drops what the engine keeps for these files (its `forget`). */
export function forgetCallMemos(owner: object, files: readonly string[]): void {
  const store = stores.get(owner);
  if (store) for (const f of files) store.delete(f);
}

/** The memo of `sf`'s calls in `program`: one per program and file. */
export function callMemo(program: ts.Program, sf: ts.SourceFile): CallMemo {
  let byFile = memos.get(program);
  if (!byFile) memos.set(program, (byFile = new Map()));
  let m = byFile.get(sf);
  if (!m) byFile.set(sf, (m = new CallMemo(program, sf)));
  return m;
}

/** The engine's store a program is tied to (useCallMemos), the identity other per-engine carry-overs key on. */
export function memoStoreOf(program: ts.Program): object | undefined {
  return programStores.get(program);
}

export class CallMemo {
  /**
   * The previous version of this file when its edit cannot have changed the types of the program's
   * other files (those are the very same parsed files, same options, and no dirty name of the edit
   * is visible to them: the rule above), or this very file when it did not change; undefined otherwise.
   * What was learnt of the other files in the previous program (summaries.ts) may then carry over too.
   */
  othersKeptSince?: ts.SourceFile;
  private answers = new Map<string, Answer>();
  /** Old file's answers for clean statements, looked up by the call's new extent. */
  private carried?: { prev: FileRecord; clean: { newStart: number; newEnd: number; delta: number; oldIndex: number; newIndex: number }[] };

  constructor(
    private program: ts.Program,
    private sf: ts.SourceFile,
  ) {
    const files = program.getSourceFiles();
    const options = optionsKey(program.getCompilerOptions());
    let records = programStores.get(program);
    if (!records) programStores.set(program, (records = new Map()));
    const prev = records.get(sf.fileName);
    if (prev && prev.options === options && sameOthers(prev.files, files, sf.fileName)) {
      if (prev.sf === sf) {
        this.answers = prev.answers;
        this.othersKeptSince = sf;
      } else {
        try {
          const clean = cleanStatements(prev.sf, sf, files);
          if (clean) this.othersKeptSince = prev.sf;
          if (clean?.length) this.carried = { prev, clean };
          if (process.env.SENDCHECK_MEMO_DEBUG) console.error(`memo ${sf.fileName}: ${clean ? clean.length + ' clean of ' + sf.statements.length : 'nothing carried'}`);
        } catch {
          this.carried = undefined; // a shape we did not foresee: compute everything again
          this.othersKeptSince = undefined;
        }
      }
    } else if (prev && prev.sf === sf && prev.options === options) {
      // This file is unchanged but another one was edited: its answers hold when that edit cannot
      // have changed the types this file sees (the edited file's own memo decides), except those
      // naming a function of the edited file, which is a new parsed file now.
      const edited = oneEdited(prev.files, files);
      if (edited && edited[1] !== sf && callMemo(program, edited[1]).othersKeptSince === edited[0]) {
        for (const [key, answer] of prev.answers) if (!(answer && typeof answer !== 'string' && answer.getSourceFile() === edited[0])) this.answers.set(key, answer);
      }
    }
    records.set(sf.fileName, { sf, files, options, answers: this.answers });
  }

  /** What `kind` asks of `node` (the function a call calls...), by `resolve` (the checker) or from the previous check when the edit cannot have changed it. */
  answer<T extends ts.Node | string>(kind: string, node: ts.Node, resolve: () => T | undefined): T | undefined {
    if (node.getSourceFile() !== this.sf) return resolve();
    const start = node.getStart(this.sf);
    const end = node.end;
    const key = `${kind}:${start}:${end}`;
    if (this.answers.has(key)) return (this.answers.get(key) ?? undefined) as T | undefined;
    let answer: Answer | undefined;
    const found = this.carried && this.fromPrevious(kind, start, end);
    if (found) answer = found.answer;
    else answer = resolve() ?? null;
    this.answers.set(key, answer);
    return (answer ?? undefined) as T | undefined;
  }

  private fromPrevious(kind: string, start: number, end: number): { answer: Answer } | undefined {
    const { prev, clean } = this.carried!;
    const c = containing(clean, start, end, 0);
    if (!c) return undefined;
    const key = `${kind}:${start - c.delta}:${end - c.delta}`;
    if (!prev.answers.has(key)) return undefined;
    const old = prev.answers.get(key)!;
    if (old === null || typeof old === 'string') return { answer: old };
    const osf = old.getSourceFile();
    if (osf !== prev.sf) return this.program.getSourceFile(osf.fileName) === osf ? { answer: old } : undefined;
    // A function of this file: the same node at its shifted place, if its statement is clean too.
    const oldStart = old.getStart(prev.sf);
    const home = containing(clean, oldStart, old.end, 1);
    if (!home) return undefined;
    const moved = nodeAt(this.sf.statements[home.newIndex], oldStart + home.delta, old.end + home.delta, old.kind, this.sf);
    return moved ? { answer: moved } : undefined;
  }
}

const optionKeys = new WeakMap<ts.CompilerOptions, string>();
export function optionsKey(o: ts.CompilerOptions): string {
  let k = optionKeys.get(o);
  if (k === undefined) {
    try {
      k = JSON.stringify(o, (key, v) => (key === 'configFile' ? undefined : v));
    } catch {
      k = String(Math.random()); // never equal: nothing carries over
    }
    optionKeys.set(o, k);
  }
  return k;
}

/** The clean statement holding [start, end): in the new file's offsets (`old` 0) or the old file's (1); the list is in text order. */
function containing<T extends { newStart: number; newEnd: number; delta: number }>(clean: T[], start: number, end: number, old: 0 | 1): T | undefined {
  let lo = 0;
  let hi = clean.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const c = clean[mid];
    const s = c.newStart - old * c.delta;
    const e = c.newEnd - old * c.delta;
    if (end <= s) hi = mid - 1;
    else if (start >= e) lo = mid + 1;
    else return start >= s && end <= e ? c : undefined;
  }
  return undefined;
}

/** The one file `b` holds parsed again where `a` held it before (same name, same place), when every other is the very same. */
function oneEdited(a: readonly ts.SourceFile[], b: readonly ts.SourceFile[]): [ts.SourceFile, ts.SourceFile] | undefined {
  if (a.length !== b.length) return undefined;
  let found: [ts.SourceFile, ts.SourceFile] | undefined;
  for (let i = 0; i < a.length; i++) {
    if (a[i] === b[i]) continue;
    if (found || a[i].fileName !== b[i].fileName) return undefined;
    found = [a[i], b[i]];
  }
  return found;
}

function sameOthers(a: readonly ts.SourceFile[], b: readonly ts.SourceFile[], self: string): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i] && !(a[i].fileName === self && b[i].fileName === self)) return false;
  return true;
}

function nodeAt(root: ts.Node, start: number, end: number, kind: ts.SyntaxKind, sf: ts.SourceFile): ts.Node | undefined {
  let n: ts.Node | undefined = root;
  while (n) {
    if (n.kind === kind && n.end === end && n.getStart(sf) === start) return n;
    let next: ts.Node | undefined;
    ts.forEachChild(n, (c) => {
      if (!next && c.pos <= start && c.end >= end) next = c;
    });
    n = next;
  }
  return undefined;
}

/**
 * The statements of `now` whose calls get the answers they had in `before` (by index, with the
 * offset their text moved by), or undefined when nothing carries over.
 */
function cleanStatements(before: ts.SourceFile, now: ts.SourceFile, files: readonly ts.SourceFile[]) {
  // A script's declarations are global, a module's are its own: a file turning into the other changes every name.
  if (ts.isExternalModule(before) !== ts.isExternalModule(now)) return undefined;
  const a = before.statements;
  const b = now.statements;
  const text = (sf: ts.SourceFile, s: ts.Statement) => sf.text.slice(s.pos, s.end);
  let p = 0;
  while (p < a.length && p < b.length && text(before, a[p]) === text(now, b[p])) p++;
  let q = 0;
  while (q < a.length - p && q < b.length - p && text(before, a[a.length - 1 - q]) === text(now, b[b.length - 1 - q])) q++;
  const changed = [...a.slice(p, a.length - q).map((s) => ({ s, sf: before })), ...b.slice(p, b.length - q).map((s) => ({ s, sf: now }))];
  const js = /\.[cm]?jsx?$/i.test(now.fileName);
  // JSDoc can declare types in a JS file, trailing comments included.
  const jsdocTypes = /@(?:typedef|callback|import|enum|template|type\b)/;
  if (js && before.text.slice(before.endOfFileToken.pos) !== now.text.slice(now.endOfFileToken.pos) && /@/.test(now.text.slice(now.endOfFileToken.pos) + before.text.slice(before.endOfFileToken.pos))) return undefined;
  const dirty = new Set<string>();
  for (const { s, sf } of changed) {
    if (js && jsdocTypes.test(text(sf, s))) return undefined;
    if (!namesOf(s, dirty)) return undefined;
  }
  // Unchanged statements, by index in `now`, with their index in `before`.
  const kept: { i: number; j: number; dirty?: boolean }[] = [];
  for (let i = 0; i < p; i++) kept.push({ i, j: i });
  for (let k = 0; k < q; k++) kept.push({ i: b.length - q + k, j: a.length - q + k });
  for (let grew = dirty.size > 0; grew; ) {
    grew = false;
    // A statement mentions a name when its text holds it as a word (strings and comments too: more
    // statements re-judged, never fewer).
    const mentions = wordsPattern([...dirty]);
    for (const k of kept) {
      if (k.dirty || !mentions.test(text(now, b[k.i]))) continue;
      k.dirty = true;
      grew = true;
      if (!namesOf(b[k.i], dirty)) return undefined;
    }
  }
  // What other files can see of this one.
  const exported = ts.isExternalModule(now) ? exportedNames(now) : undefined;
  const visible = [...dirty].filter((n) => !exported || exported.has(n));
  if (visible.length) {
    const word = wordsPattern(visible);
    for (const f of files) {
      if (f.isDeclarationFile || f.fileName === now.fileName || f.fileName.includes('/node_modules/')) continue;
      if (visible.some((n) => f.text.includes(n)) && word.test(f.text)) return undefined;
    }
  }
  // An export added or removed changes the type of the module's namespace object: another file that
  // uses it whole (`keyof typeof ns`, `{ ...ns }`, `f(ns)`) or re-exports it all sees a new type.
  const before_ = ts.isExternalModule(before) ? exportedNames(before) : undefined;
  if (exported && (!before_ || before_.size !== exported.size || [...exported].some((n) => !before_.has(n))) && wholeNamespaceUse(now, files)) return undefined;
  return kept
    .filter((k) => !k.dirty)
    .map((k) => ({ newStart: b[k.i].pos, newEnd: b[k.i].end, delta: b[k.i].pos - a[k.j].pos, oldIndex: k.j, newIndex: k.i }));
}

/** Any of `names` written as a whole identifier. */
function wordsPattern(names: string[]): RegExp {
  return new RegExp(`(?<![\\w$])(?:${names.map((n) => n.replace(/[$]/g, '\\$')).join('|')})(?![\\w$])`);
}

/**
 * Adds to `into` the names a top-level statement declares or assigns; false when what it does
 * reaches beyond names (augmentations, namespaces, default or re-exports).
 */
function namesOf(s: ts.Statement, into: Set<string>, assigned = true): boolean {
  if (ts.isModuleDeclaration(s) || ts.isExportAssignment(s) || ts.isExportDeclaration(s) || ts.isNamespaceExportDeclaration(s)) return false;
  const mods = ts.canHaveModifiers(s) ? ts.getModifiers(s) : undefined;
  if (mods?.some((m) => m.kind === ts.SyntaxKind.DefaultKeyword)) return false;
  const bind = (n: ts.BindingName | ts.Identifier | undefined): void => {
    if (!n) return;
    if (ts.isIdentifier(n)) into.add(n.text);
    else for (const e of n.elements) if (!ts.isOmittedExpression(e)) bind(e.name);
  };
  if (ts.isVariableStatement(s)) for (const d of s.declarationList.declarations) bind(d.name);
  else if (ts.isFunctionDeclaration(s) || ts.isClassDeclaration(s) || ts.isInterfaceDeclaration(s) || ts.isTypeAliasDeclaration(s) || ts.isEnumDeclaration(s)) bind(s.name);
  else if (ts.isImportEqualsDeclaration(s)) bind(s.name);
  else if (ts.isImportDeclaration(s)) {
    const c = s.importClause;
    bind(c?.name);
    const nb = c?.namedBindings;
    if (nb && ts.isNamespaceImport(nb)) bind(nb.name);
    else if (nb) for (const e of nb.elements) bind(e.name);
  }
  // `var` and (in sloppy scripts) function declarations inside a top-level block or loop belong to the file's scope.
  const hoisted = (n: ts.Node): void => {
    if (ts.isFunctionLike(n) || ts.isClassLike(n)) {
      if (ts.isFunctionDeclaration(n) && n !== s) bind(n.name);
      return;
    }
    if (ts.isVariableDeclarationList(n) && !(n.flags & ts.NodeFlags.BlockScoped)) for (const d of n.declarations) bind(d.name);
    ts.forEachChild(n, hoisted);
  };
  if (!ts.isVariableStatement(s) && !ts.isFunctionDeclaration(s) && !ts.isClassDeclaration(s)) ts.forEachChild(s, hoisted);
  if (!assigned) return true;
  // Assignments anywhere inside (a field set on an exported object, `x = ...` narrowing a later
  // use, an evolving `let`): the assigned root's name.
  const root = (e: ts.Expression): void => {
    while (ts.isPropertyAccessExpression(e) || ts.isElementAccessExpression(e) || ts.isParenthesizedExpression(e) || ts.isNonNullExpression(e)) e = e.expression;
    if (ts.isIdentifier(e)) into.add(e.text);
    else if (ts.isObjectLiteralExpression(e) || ts.isArrayLiteralExpression(e)) ts.forEachChild(e, function all(n) {
      if (ts.isIdentifier(n)) into.add(n.text);
      ts.forEachChild(n, all);
    });
    else if (e.kind === ts.SyntaxKind.ThisKeyword) into.add('this');
  };
  const visit = (n: ts.Node): void => {
    if (ts.isBinaryExpression(n) && n.operatorToken.kind >= ts.SyntaxKind.FirstAssignment && n.operatorToken.kind <= ts.SyntaxKind.LastAssignment) root(n.left);
    else if ((ts.isPrefixUnaryExpression(n) || ts.isPostfixUnaryExpression(n)) && (n.operator === ts.SyntaxKind.PlusPlusToken || n.operator === ts.SyntaxKind.MinusMinusToken)) root(n.operand);
    else if (ts.isDeleteExpression(n)) root(n.expression);
    else if (ts.isForInStatement(n) || ts.isForOfStatement(n)) {
      if (!ts.isVariableDeclarationList(n.initializer)) root(n.initializer);
    }
    ts.forEachChild(n, visit);
  };
  visit(s);
  return true;
}

const exportedCache = new WeakMap<ts.SourceFile, Set<string>>();

/** Local names other files can import: exported declarations and `export { a as b }` clauses. */
function exportedNames(sf: ts.SourceFile): Set<string> {
  const known = exportedCache.get(sf);
  if (known) return known;
  const out = new Set<string>();
  exportedCache.set(sf, out);
  for (const s of sf.statements) {
    if (ts.isExportDeclaration(s) && !s.moduleSpecifier && s.exportClause && ts.isNamedExports(s.exportClause)) {
      for (const e of s.exportClause.elements) out.add((e.propertyName ?? e.name).getText(sf));
      continue;
    }
    const mods = ts.canHaveModifiers(s) ? ts.getModifiers(s) : undefined;
    if (!mods?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword)) continue;
    namesOf(s, out, false);
  }
  return out;
}

/** Whether another project file imports `sf` as a namespace it uses other than by `ns.member`, or re-exports it with `export *`. */
const namespaceUses = new WeakMap<ts.SourceFile, Map<string, boolean>>();

function wholeNamespaceUse(sf: ts.SourceFile, files: readonly ts.SourceFile[]): boolean {
  const stem = moduleStem(sf.fileName);
  for (const f of files) {
    if (f === sf || f.isDeclarationFile || f.fileName.includes('/node_modules/')) continue;
    // A parsed file's answer does not change: kept with it, looked up before its text is searched
    // (an edit that adds or removes an export asks again of every file of the program).
    let known = namespaceUses.get(f);
    if (!known) namespaceUses.set(f, (known = new Map()));
    let use = known.get(stem);
    if (use === undefined) known.set(stem, (use = f.text.includes(stem) && f.text.includes('*') && usesNamespaceWhole(f, stem)));
    if (use) return true;
  }
  return false;
}

/** `src/internal/channel.ts`, `./channel.js` → `channel`: what a file is imported as, by its name alone. */
function moduleStem(path: string): string {
  return path.replace(/^.*\//, '').replace(/(\.d)?\.[cm]?[jt]sx?$/i, '');
}

function usesNamespaceWhole(f: ts.SourceFile, stem: string): boolean {
  const names = (spec: ts.Expression | undefined) => !!spec && ts.isStringLiteral(spec) && moduleStem(spec.text) === stem;
  const aliases = new Set<string>();
  for (const s of f.statements) {
    if (ts.isExportDeclaration(s) && names(s.moduleSpecifier) && (!s.exportClause || ts.isNamespaceExport(s.exportClause))) return true;
    const nb = ts.isImportDeclaration(s) && names(s.moduleSpecifier) ? s.importClause?.namedBindings : undefined;
    if (nb && ts.isNamespaceImport(nb)) aliases.add(nb.name.text);
  }
  if (!aliases.size) return false;
  let whole = false;
  const visit = (n: ts.Node): void => {
    if (whole) return;
    if (ts.isIdentifier(n) && aliases.has(n.text)) {
      const p = n.parent;
      // Without parents (an unbound file) nothing can be told: count it as a whole use.
      if (!p) return void (whole = true);
      const member = (ts.isPropertyAccessExpression(p) && p.expression === n) || (ts.isQualifiedName(p) && p.left === n) || ts.isNamespaceImport(p);
      // A property name that happens to match (`x.channel`) is not the namespace.
      const name = (ts.isPropertyAccessExpression(p) && p.name === n) || (ts.isPropertyAssignment(p) && p.name === n) || (ts.isQualifiedName(p) && p.right === n);
      if (!member && !name && !shadowed(n, f)) whole = true;
    }
    ts.forEachChild(n, visit);
  };
  visit(f);
  return whole;
}

/** Whether a local declaration between `id` and its file declares its name (the binder's scopes; no checker). */
function shadowed(id: ts.Identifier, sf: ts.SourceFile): boolean {
  for (let p: ts.Node | undefined = id.parent; p && p !== sf; p = p.parent) {
    const locals = (p as { locals?: Map<string, unknown> }).locals;
    if (locals?.has(id.text)) return true;
  }
  return false;
}
