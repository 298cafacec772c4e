import { jsRule, type TypeRule } from './rule';

const errorNames = new Set(['Error', 'EvalError', 'RangeError', 'ReferenceError', 'SyntaxError', 'TypeError', 'URIError', 'AggregateError', 'DOMException']);

// Electron's contextBridge (PassValueToOtherContext) does not structured-clone plain values: it
// proxies functions and promises, copies plain objects key by key without their prototype (class
// instances are reported by class-instance-loss) and rebuilds an Error from its message alone.
export const contextBridgeLoss: TypeRule = {
  meta: jsRule('context-bridge-loss', 'warning', "An Error crosses Electron's contextBridge, which rebuilds it from its message alone: its class, name, stack, cause and extra fields are lost."),
  check(facts, ctx) {
    if (ctx.serializer !== 'bridge' || !facts.ancestry.some((n) => errorNames.has(n))) return undefined;
    const what = facts.name && facts.name !== 'Error' ? `a ${facts.name}` : 'an Error';
    return { severity: 'warning', reason: `is ${what}: the context bridge passes \`new Error(message)\` only, so its class, name, stack, cause and extra fields are lost; pass plain fields (\`{ message, code }\`) instead` };
  },
};
