import { contextValueFix, rehydrateHooksFix, setContextVarInWorkerFix } from '../fixes';
import { pyRule } from './types';

export const pyContextVar = pyRule(
  'py-context-var',
  'A `contextvars.ContextVar` or `Context` (or an object holding one) is sent to another process.',
  'context variables and contexts belong to the running interpreter and cannot be pickled',
  'send the current value (`var.get()`) and set it again in the worker',
  (ctx) => (ctx.problem.holder ? [rehydrateHooksFix(ctx.problem, false, ctx.ev)] : [contextValueFix(ctx), setContextVarInWorkerFix(ctx)]),
);
