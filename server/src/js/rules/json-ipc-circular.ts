import * as ts from 'typescript';
import { forkWithAdvancedSerialization } from '../fixes/serialization';
import { isLibraryFile } from '../origin';
import { article, jsRule, type TypeRule } from './rule';

// JSON.stringify throws `TypeError: Converting circular structure to JSON` on a cycle, so a JSON
// IPC send of a tree with parent pointers throws (Node 20 and 24); structured clone keeps cycles.
// A recursive type alone is no cycle (a tree of `children` is not one): a cycle needs a
// back-reference, a singular member pointing up (`parent`, `owner`, `prev`) beside members pointing
// down to the same kind of object (`children: Category[]`), and a write that sets it to an object.
export const jsonIpcCircular: TypeRule = {
  meta: jsRule('json-ipc-circular', 'error', 'An object graph with back-references (a tree with parent pointers, a doubly linked list) is sent over JSON IPC, where JSON.stringify throws on the cycle.'),
  check(facts, ctx) {
    if (ctx.serializer !== 'json' || facts.fromLibrary || facts.callable || !(facts.type.flags & ts.TypeFlags.Object)) return undefined;
    const cycle = backReference(facts.type, ctx.checker, ctx.program);
    if (!cycle) return undefined;
    const channel = ctx.jsonChannel === 'extension' ? "extension messaging throws (Chrome sends messages as JSON)" : "JSON IPC throws `TypeError: Converting circular structure to JSON`";
    const what = facts.name ? `${article(facts.name)} whose` : 'an object whose';
    const advice = ctx.jsonChannel === 'extension' ? 'send it without the back-reference (an id instead)' : "send it without the back-reference (an id instead) or fork with `serialization: 'advanced'`, which keeps cycles";
    return { severity: 'error', reason: `is ${what} \`${cycle.up}\` points back to an object that holds it in \`${cycle.down}\`: ${channel}; ${advice}`, descend: true };
  },
  fixes: (ctx) => forkWithAdvancedSerialization(ctx),
};

interface Cycle {
  up: string;
  down: string;
}

const cache = new WeakMap<ts.Type, Cycle | null>();

/** A singular member and a member leading back to the same type, the singular one set to an object somewhere in the program. */
function backReference(type: ts.Type, checker: ts.TypeChecker, program: ts.Program): Cycle | undefined {
  const hit = cache.get(type);
  if (hit !== undefined) return hit ?? undefined;
  cache.set(type, null);
  const self = identity(type);
  if (!self) return undefined;
  const singular: ts.Symbol[] = [];
  const plural: ts.Symbol[] = [];
  for (const prop of checker.getPropertiesOfType(type)) {
    const decl = prop.valueDeclaration ?? prop.declarations?.[0];
    if (!decl || isLibraryFile(program, decl.getSourceFile()) || ts.isMethodDeclaration(decl) || ts.isMethodSignature(decl)) continue;
    let t: ts.Type;
    try {
      t = checker.getNonNullableType(checker.getTypeOfSymbol(prop));
    } catch {
      continue;
    }
    const parts = t.isUnion() ? t.types : [t];
    if (parts.some((p) => identity(p) === self)) singular.push(prop);
    else if (parts.some((p) => (checker.isArrayType(p) || checker.isTupleType(p)) && checker.getTypeArguments(p as ts.TypeReference).some((e) => identity(checker.getNonNullableType(e)) === self))) plural.push(prop);
    else if (parts.some((p) => { const ix = p.getStringIndexType(); return !!ix && identity(checker.getNonNullableType(ix)) === self; })) plural.push(prop);
  }
  let found: Cycle | undefined;
  for (const up of singular) {
    // Pointing down: a collection of the same kind, or the other end of a doubly linked list.
    const down = plural[0] ?? (/^(prev|previous)$/i.test(up.getName()) ? singular.find((s) => /^next$/i.test(s.getName())) : /^next$/i.test(up.getName()) ? singular.find((s) => /^(prev|previous)$/i.test(s.getName())) : undefined);
    if (down && writtenWithObject(up, self, checker, program)) {
      found = { up: up.getName(), down: down.getName() };
      break;
    }
  }
  cache.set(type, found ?? null);
  return found;
}

/** The declaration that makes a type itself (an interface, a class, an alias), for comparing instantiations. */
function identity(t: ts.Type): ts.Node | undefined {
  const sym = t.aliasSymbol ?? t.getSymbol();
  const d = sym?.declarations?.[0];
  if (!d || d.getSourceFile().isDeclarationFile) return undefined;
  return d;
}

const writes = new WeakMap<ts.Program, Map<string, { node: ts.Node; owner: ts.Expression; value?: ts.Expression }[]>>();

/** Writes of a member, by name: `x.parent = …`, `{ parent: … }`, `{ parent }`, in the program's own files. */
function writesByName(program: ts.Program): Map<string, { node: ts.Node; owner: ts.Expression; value?: ts.Expression }[]> {
  let index = writes.get(program);
  if (index) return index;
  const built = new Map<string, { node: ts.Node; owner: ts.Expression; value?: ts.Expression }[]>();
  const add = (name: string, w: { node: ts.Node; owner: ts.Expression; value?: ts.Expression }) => {
    const list = built.get(name) ?? [];
    list.push(w);
    built.set(name, list);
  };
  for (const sf of program.getSourceFiles()) {
    if (sf.isDeclarationFile || isLibraryFile(program, sf)) continue;
    const visit = (n: ts.Node): void => {
      if (ts.isBinaryExpression(n) && n.operatorToken.kind === ts.SyntaxKind.EqualsToken && ts.isPropertyAccessExpression(n.left)) add(n.left.name.text, { node: n, owner: n.left.expression, value: n.right });
      else if (ts.isPropertyAssignment(n) && ts.isIdentifier(n.name) && ts.isObjectLiteralExpression(n.parent)) add(n.name.text, { node: n, owner: n.parent, value: n.initializer });
      else if (ts.isShorthandPropertyAssignment(n) && ts.isObjectLiteralExpression(n.parent)) add(n.name.text, { node: n, owner: n.parent, value: n.name });
      ts.forEachChild(n, visit);
    };
    visit(sf);
  }
  writes.set(program, built);
  index = built;
  return index;
}

function writtenWithObject(member: ts.Symbol, self: ts.Node, checker: ts.TypeChecker, program: ts.Program): boolean {
  for (const w of writesByName(program).get(member.getName()) ?? []) {
    const v = w.value;
    if (!v || v.kind === ts.SyntaxKind.NullKeyword || (ts.isIdentifier(v) && v.text === 'undefined')) continue;
    let owner: ts.Type | undefined;
    try {
      owner = ts.isObjectLiteralExpression(w.owner) ? (checker.getContextualType(w.owner) ?? checker.getTypeAtLocation(w.owner)) : checker.getTypeAtLocation(w.owner);
    } catch {
      continue;
    }
    const owners = owner.isUnion() ? owner.types : [owner];
    if (!owners.some((o) => identity(checker.getNonNullableType(o)) === self)) continue;
    // The written value is an object (a variable of the type, `this`), not only null.
    const vt = checker.getNonNullableType(checker.getTypeAtLocation(v));
    if (vt.flags & (ts.TypeFlags.Null | ts.TypeFlags.Undefined | ts.TypeFlags.Never)) continue;
    return true;
  }
  return false;
}
