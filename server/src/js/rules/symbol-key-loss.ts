import * as ts from 'typescript';
import type { Fix, TextEdit } from '../../engine/types';
import type { FixContext } from '../fixes/context';
import { replaceNode } from '../fixes/edits';
import { isLibraryFile } from '../origin';
import { jsRule, type Serializer, type TypeRule, type Verdict } from './rule';

// Measured on Node 20 and 24 and per the HTML spec: structured clone copies own enumerable
// *string*-keyed properties only, and JSON.stringify skips symbol keys too. A property keyed by a
// symbol (`{ [kAttempts]: 3 }`, a class field `[kState] = …`) does not throw: it is silently left
// out, and a `Symbol('x')` made in another realm (a worker re-runs the module) is not the same key anyway.
export const symbolKeyLoss: TypeRule = {
  meta: jsRule('symbol-key-loss', 'warning', 'An object with a symbol-keyed property is sent: structured clone and JSON skip symbol keys, so the property silently does not arrive.'),
  check: () => undefined,
  checkMember(member, ctx) {
    if (!member.symbolKeyed || !isOwnDataKey(member.declaration, ctx.checker)) return undefined;
    return symbolKeyLossVerdict(ctx.serializer);
  },
  fixes: (ctx) => useStringKey(ctx),
};

/** The finding for a symbol-keyed data property under a serializer (none for contextBridge, which keeps no keys it cannot name either way). */
export function symbolKeyLossVerdict(serializer: Serializer): Verdict | undefined {
  if (serializer === 'bridge') return undefined;
  const how = serializer === 'json' ? 'JSON skips symbol-keyed properties' : 'structured clone copies string-keyed properties only';
  return { severity: 'warning', reason: `is keyed by a symbol: ${how}, so it silently does not arrive; use a string key` };
}

/**
 * Key the member by a string named after the symbol (`Symbol('attempts')` → `attempts`), and read
 * and write it by that name wherever the program uses the symbol as a key: the receiving side
 * (often the same module, run again in the worker) then finds the value the sender meant to send.
 */
function useStringKey(ctx: FixContext): Fix[] {
  const last = ctx.segments[ctx.segments.length - 1];
  if (!last || last.kind !== 'element') return [];
  const member = ctx.checker.getPropertiesOfType(ctx.facts.type).find((p) => {
    const key = p.valueDeclaration && ts.getNameOfDeclaration(p.valueDeclaration);
    return p.getName().startsWith('__@') && key && ts.isComputedPropertyName(key) && key.getText() === last.text;
  });
  const key = member?.valueDeclaration && ts.getNameOfDeclaration(member.valueDeclaration);
  let keyId = key && ts.isComputedPropertyName(key) && ts.isIdentifier(key.expression) ? key.expression : undefined;
  // Untyped JS: the property was written after the object was made (`request[kRetry] = …`), so
  // the type does not list it; the key is the program's own symbol used only as a key.
  if (!member) keyId = writtenKey(ctx, last.text);
  if (!keyId) return [];
  const keySymbol = ctx.checker.getSymbolAtLocation(keyId);
  const name = stringKeyFor(keyId, keySymbol);
  // A name the object already has would overwrite data.
  if (!name || ctx.facts.type.getProperty(name)) return [];
  const edits: TextEdit[] = [];
  for (const sf of ctx.program.getSourceFiles()) {
    if (isLibraryFile(ctx.program, sf) || sf.isDeclarationFile) continue;
    const visit = (n: ts.Node): void => {
      if (ts.isComputedPropertyName(n) && ts.isIdentifier(n.expression) && sameSymbol(ctx.checker.getSymbolAtLocation(n.expression), keySymbol)) {
        edits.push(replaceNode(path(sf), n, name));
      } else if (ts.isElementAccessExpression(n) && ts.isIdentifier(n.argumentExpression) && sameSymbol(ctx.checker.getSymbolAtLocation(n.argumentExpression), keySymbol)) {
        edits.push(replaceNode(path(sf), n, `${n.expression.getText(sf)}${n.questionDotToken ? '?.' : '.'}${name}`));
        return;
      }
      ts.forEachChild(n, visit);
    };
    visit(sf);
  }
  if (!edits.length) return [];
  return [{ title: `Key \`${last.text}\` by the string \`${name}\` where it is written and read, so that it is sent`, id: 'use-string-key', preferred: false, edits }];
}

/**
 * The identifier of a symbol key written as `x[kRetry] = …` somewhere in the workspace, when that
 * symbol (made here by `Symbol(...)`) is used only as a key: in an element access or a computed
 * property name. Any other use (`kRetry in x`, passing the symbol on) would still look for the
 * symbol after its uses as a key became a string, so there is no such key then.
 */
function writtenKey(ctx: FixContext, text: string): ts.Identifier | undefined {
  const m = /^\[([A-Za-z_$][\w$]*)\]$/.exec(text);
  if (!m) return undefined;
  let found: ts.Identifier | undefined;
  let keySymbol: ts.Symbol | undefined;
  const uses: ts.Identifier[] = [];
  for (const sf of ctx.program.getSourceFiles()) {
    if (isLibraryFile(ctx.program, sf) || sf.isDeclarationFile) continue;
    const visit = (n: ts.Node): void => {
      if (ts.isIdentifier(n) && n.text === m[1]) uses.push(n);
      if (!found && ts.isBinaryExpression(n) && n.operatorToken.kind === ts.SyntaxKind.EqualsToken && ts.isElementAccessExpression(n.left) && ts.isIdentifier(n.left.argumentExpression) && n.left.argumentExpression.text === m[1]) {
        const sym = ctx.checker.getSymbolAtLocation(n.left.argumentExpression);
        if (sym && stringKeyFor(n.left.argumentExpression, sym)) (found = n.left.argumentExpression), (keySymbol = sym);
      }
      ts.forEachChild(n, visit);
    };
    visit(sf);
  }
  if (!found) return undefined;
  for (const u of uses) {
    if (!sameSymbol(ctx.checker.getSymbolAtLocation(u), keySymbol)) continue;
    const p = u.parent;
    const asKey = (ts.isElementAccessExpression(p) && p.argumentExpression === u) || (ts.isComputedPropertyName(p) && p.expression === u);
    const declared = ts.isVariableDeclaration(p) && p.name === u;
    // An import or export of the key is a use by name, not a use of the symbol.
    const named = ts.isImportSpecifier(p) || ts.isExportSpecifier(p) || ts.isImportClause(p);
    if (!asKey && !declared && !named) return undefined;
  }
  return found;
}

function path(sf: ts.SourceFile): string {
  return sf.fileName;
}

function sameSymbol(a: ts.Symbol | undefined, b: ts.Symbol | undefined): boolean {
  return !!a && !!b && (a === b || (!!a.valueDeclaration && a.valueDeclaration === b.valueDeclaration));
}

/** `Symbol('attempts')`'s description, else the variable's name without a `k`/`_` prefix (`kAttempts` → `attempts`). */
function stringKeyFor(id: ts.Identifier, sym: ts.Symbol | undefined): string | undefined {
  const decl = sym?.valueDeclaration;
  // A well-known or registry symbol shared with other code is not the program's own key.
  if (!decl || !ts.isVariableDeclaration(decl) || !decl.initializer || !ts.isCallExpression(decl.initializer)) return undefined;
  const call = decl.initializer;
  if (!ts.isIdentifier(call.expression) || call.expression.text !== 'Symbol') return undefined;
  const description = call.arguments[0];
  const fromDescription = description && ts.isStringLiteralLike(description) ? description.text : undefined;
  const candidate = fromDescription ?? id.text.replace(/^(?:k(?=[A-Z])|_+)/, '').replace(/^./, (c) => c.toLowerCase());
  return /^[A-Za-z_$][\w$]*$/.test(candidate) ? candidate : undefined;
}

/**
 * A data property keyed by one of the program's own symbols. Protocol members (`[Symbol.iterator]()`,
 * `[util.inspect.custom]`) and symbol-keyed functions are behaviour, not data the other side reads.
 */
function isOwnDataKey(decl: ts.Declaration, checker: ts.TypeChecker): boolean {
  if (!(ts.isPropertyAssignment(decl) || ts.isPropertyDeclaration(decl) || ts.isPropertySignature(decl) || ts.isShorthandPropertyAssignment(decl))) return false;
  const key = ts.getNameOfDeclaration(decl);
  if (!key || !ts.isComputedPropertyName(key)) return false;
  const e = key.expression;
  const ownKey = ts.isIdentifier(e) || (ts.isCallExpression(e) && /^Symbol(\.for)?$/.test(e.expression.getText()));
  if (!ownKey) return false;
  try {
    const t = checker.getTypeAtLocation(decl);
    return t.getCallSignatures().length === 0 && t.getConstructSignatures().length === 0;
  } catch {
    return true;
  }
}
