import { addRehydrateHooks } from '../fixes/rehydrate';
import { jsRule, type TypeRule } from './rule';

const builtinErrors = new Set(['Error', 'EvalError', 'RangeError', 'ReferenceError', 'SyntaxError', 'TypeError', 'URIError']);

// Measured: an Error subclass arrives as the nearest built-in Error (name reset, own fields such as `code` dropped).
export const errorSubclassLoss: TypeRule = {
  meta: jsRule('error-subclass-loss', 'warning', 'An Error subclass is sent: it arrives as a plain Error, losing its class, name and extra fields.'),
  check(facts, ctx) {
    if (ctx.serializer !== 'clone' || builtinErrors.has(facts.name) || facts.name === 'DOMException') return undefined;
    if (!facts.ancestry.slice(1).some((n) => builtinErrors.has(n))) return undefined;
    const label = facts.name || 'an Error subclass';
    return { severity: 'warning', reason: `is ${facts.name ? `a ${label}` : label}: it arrives as a plain Error, so \`instanceof ${facts.name || 'MyError'}\`, its name and extra fields are lost` };
  },
  fixes: (ctx) => addRehydrateHooks(ctx),
};
