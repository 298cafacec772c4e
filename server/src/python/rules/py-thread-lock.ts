import { extendHooksFix, leaveOutUnreadFix, rehydrateHooksFix, sharedPrimitiveFix } from '../fixes';
import { pyRule } from './types';

export const pyThreadLock = pyRule(
  'py-thread-lock',
  'A threading lock, condition, semaphore, event or barrier (or an object holding one) is sent to another process.',
  'thread synchronisation primitives belong to one process and cannot be pickled',
  'create the lock in the worker, share a `multiprocessing.Manager().Lock()`, or drop it in `__getstate__` and recreate it in `__setstate__`',
  // An object whose class cannot take pickling hooks (a NamedTuple: a tuple of its fields) still
  // crosses once the lock it holds is made where it is created as one that crosses (a Manager proxy).
  (ctx) => [ctx.problem.holder ? (rehydrateHooksFix(ctx.problem, false, ctx.ev) ?? extendHooksFix(ctx.problem) ?? leaveOutUnreadFix(ctx) ?? sharedPrimitiveFix(ctx, true)) : sharedPrimitiveFix(ctx)],
);
