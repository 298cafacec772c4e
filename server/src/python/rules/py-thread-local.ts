import { rehydrateHooksFix, threadLocalSnapshotFix } from '../fixes';
import { pyRule } from './types';

export const pyThreadLocal = pyRule(
  'py-thread-local',
  'A `threading.local` (or an object holding one) is sent to another process.',
  'thread-local storage is tied to the threads of one process and cannot be pickled',
  'send the values it holds, and create the thread-local in the worker',
  (ctx) => [ctx.problem.holder ? rehydrateHooksFix(ctx.problem, false, ctx.ev) : threadLocalSnapshotFix(ctx)],
);
