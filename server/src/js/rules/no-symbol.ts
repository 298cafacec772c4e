import * as ts from 'typescript';
import { removeSymbol } from '../fixes/data-form';
import { jsRule, type TypeRule } from './rule';

// A symbol *value* throws; symbol-keyed properties are silently skipped, so they are not reported.
export const noSymbol: TypeRule = {
  meta: jsRule('no-symbol', 'error', 'A symbol value is sent across a structured-clone boundary, which throws DataCloneError.'),
  check(facts, ctx) {
    if (ctx.serializer !== 'clone' || !(facts.type.flags & ts.TypeFlags.ESSymbolLike)) return undefined;
    return { severity: 'error', reason: 'is a symbol: symbols cannot be cloned (DataCloneError)' };
  },
  fixes: (ctx) => removeSymbol(ctx),
};
