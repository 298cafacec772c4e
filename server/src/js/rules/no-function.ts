import { removeFunctionFromMessage, wrapWithComlinkProxy } from '../fixes/move-function';
import { addRehydrateHooksToOwner } from '../fixes/rehydrate';
import { moveFunctionToWorkerRegistry, sendClassNames } from '../fixes/registry';
import { jsRule, type TypeRule } from './rule';

// Functions, methods, bound functions and class constructors: V8's serializer refuses them.
export const noFunction: TypeRule = {
  meta: jsRule('no-function', 'error', 'A function, method or class is sent across a structured-clone boundary, which throws DataCloneError.'),
  check(facts, ctx) {
    if (ctx.serializer !== 'clone' || !facts.callable) return undefined;
    const what = facts.type.getConstructSignatures().length > 0 && facts.type.getCallSignatures().length === 0 ? 'is a class' : 'is a function';
    return { severity: 'error', reason: `${what}: functions cannot be cloned (DataCloneError)` };
  },
  fixes(ctx) {
    // When the worker calls the function, moving it there is the fix; removing it would break the worker.
    const moved = moveFunctionToWorkerRegistry(ctx);
    // Class names keep a collection of classes readable on the other side; removing it would not.
    const names = sendClassNames(ctx);
    // Through comlink the callback crosses as a proxy: removing it would take away what the worker may call back.
    const proxied = wrapWithComlinkProxy(ctx);
    return [...proxied, ...moved, ...addRehydrateHooksToOwner(ctx), ...names, ...(moved.length || names.length || proxied.length ? [] : removeFunctionFromMessage(ctx))];
  },
};
