import { buildInWorkerFix, connectToManagerFix, copyWhereMadeFix, leaveOutUnreadFix, newLoopInWorkerFix, listResultsFix, materializeGeneratorFix, passModuleNameFix, rebuildClientHooksFix, rehydrateHooksFix, rowsAsDictsFix, runCoroutineInWorkerFix, sendAttributesFix, sendSettingsFix, sendCopyFix, sendValueFix } from '../fixes';
import { types } from '../knowledge';
import { pyRule } from './types';

// A pool, executor or manager held by an object sent to a worker is of no use there: leave it out.
const poolRoles = new Set(['process-pool', 'thread-pool', 'process-executor', 'manager']);

export const pyUnpicklableObject = pyRule(
  'py-unpicklable-object',
  'An object pickle refuses (os.environ, an event loop, a Future, a Popen, a Thread, a generator, a logging handler, a module...) is sent to another process.',
  'this object holds process-local state that pickle refuses',
  'send the plain data the worker needs and rebuild the rest there',
  (ctx) => {
    const { problem } = ctx;
    const role = problem.objectType ? types[problem.objectType]?.role : undefined;
    if (problem.holder) return [role && poolRoles.has(role) ? rehydrateHooksFix(problem, true, ctx.ev) : (materializeGeneratorFix(ctx) ?? leaveOutUnreadFix(ctx)), rebuildClientHooksFix(problem)];
    return [sendCopyFix(ctx), passModuleNameFix(ctx), sendValueFix(ctx), buildInWorkerFix(ctx), listResultsFix(ctx), sendAttributesFix(ctx), newLoopInWorkerFix(ctx), connectToManagerFix(ctx), copyWhereMadeFix(ctx), rowsAsDictsFix(ctx), sendSettingsFix(ctx), runCoroutineInWorkerFix(ctx)];
  },
);
