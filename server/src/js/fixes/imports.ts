import * as ts from 'typescript';
import type { TextEdit } from '../../engine/types';
import { insertAt } from './edits';

// How a fix names a function from a package in the file it edits: through an import the file
// already has (named, namespace, or a destructuring `require`), by adding the name to one, or by
// a new import line after the last one, in the file's own module style.

export interface Binding {
  /** What to call: `toRaw`, `Vue.toRaw`. */
  callee: string;
  edits: TextEdit[];
}

function requiredModule(d: ts.VariableDeclaration): string | undefined {
  const init = d.initializer;
  if (!init || !ts.isCallExpression(init) || !ts.isIdentifier(init.expression) || init.expression.text !== 'require') return undefined;
  const spec = init.arguments[0];
  return spec && ts.isStringLiteralLike(spec) ? spec.text : undefined;
}

/** `name` exported by one of `modules` (the first is the one a new import names), or undefined when the file's own names would clash. */
export function importBinding(sf: ts.SourceFile, file: string, modules: readonly string[], name: string): Binding | undefined {
  let lastImport: ts.Statement | undefined;
  let extendable: { at: number; text: string } | undefined;
  let esm = /\.m[jt]s$/.test(file);
  let cjs = /\.c[jt]s$/.test(file);
  for (const st of sf.statements) {
    if (ts.isImportDeclaration(st)) {
      esm = true;
      lastImport = st;
      if (!ts.isStringLiteral(st.moduleSpecifier) || !modules.includes(st.moduleSpecifier.text) || st.importClause?.isTypeOnly) continue;
      const b = st.importClause?.namedBindings;
      if (b && ts.isNamespaceImport(b)) return { callee: `${b.name.text}.${name}`, edits: [] };
      if (b && ts.isNamedImports(b)) {
        const el = b.elements.find((e) => (e.propertyName ?? e.name).text === name && !e.isTypeOnly);
        if (el) return { callee: el.name.text, edits: [] };
        if (b.elements.length) extendable = { at: b.elements[b.elements.length - 1].getEnd(), text: `, ${name}` };
      }
      continue;
    }
    if (!ts.isVariableStatement(st)) continue;
    for (const d of st.declarationList.declarations) {
      const spec = requiredModule(d);
      if (!spec) continue;
      cjs = true;
      lastImport = st;
      if (!modules.includes(spec)) continue;
      if (ts.isIdentifier(d.name)) return { callee: `${d.name.text}.${name}`, edits: [] };
      if (ts.isObjectBindingPattern(d.name)) {
        const el = d.name.elements.find((e) => ((e.propertyName as ts.Identifier | undefined) ?? (e.name as ts.Identifier)).text === name);
        if (el && ts.isIdentifier(el.name)) return { callee: el.name.text, edits: [] };
        const last = d.name.elements[d.name.elements.length - 1];
        if (last && !last.dotDotDotToken) extendable = { at: last.getEnd(), text: `, ${name}` };
      }
    }
  }
  // A local `toRaw` (or anything of the name) would be shadowed or clash with the new binding.
  if (new RegExp(`(?<![\\w$.])${name.replace(/\$/g, '\\$')}(?![\\w$])`).test(sf.text)) return undefined;
  if (extendable) return { callee: name, edits: [insertAt(file, sf, extendable.at, extendable.text)] };
  const line = cjs && !esm ? `const { ${name} } = require('${modules[0]}');` : `import { ${name} } from '${modules[0]}';`;
  if (lastImport) return { callee: name, edits: [insertAt(file, sf, lastImport.getEnd(), `\n${line}`)] };
  // No import yet: after a leading comment block and directives, before the first statement.
  const first = sf.statements.find((s) => !(ts.isExpressionStatement(s) && ts.isStringLiteral(s.expression)));
  const pos = first ? first.getStart(sf) : sf.text.length;
  return { callee: name, edits: [insertAt(file, sf, pos, `${line}\n`)] };
}
