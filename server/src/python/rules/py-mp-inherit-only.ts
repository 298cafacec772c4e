import { poolInitializerFix, replaceConstructorFix } from '../fixes';
import { pyRule } from './types';

const managed: Record<string, string> = {
  'multiprocessing.Queue': 'Queue',
  'multiprocessing.JoinableQueue': 'JoinableQueue',
  'multiprocessing.Lock': 'Lock',
  'multiprocessing.RLock': 'RLock',
  'multiprocessing.Semaphore': 'Semaphore',
  'multiprocessing.BoundedSemaphore': 'BoundedSemaphore',
  'multiprocessing.Condition': 'Condition',
  'multiprocessing.Event': 'Event',
  'multiprocessing.Barrier': 'Barrier',
};

export const pyMpInheritOnly = pyRule(
  'py-mp-inherit-only',
  'A multiprocessing Queue, Lock, Value or Array is passed to a Pool, executor, queue or pipe; they can only be inherited by a Process.',
  'multiprocessing queues, locks and shared values can only be handed to a child when it starts (Process args, Pool initargs), never through a task',
  'use `multiprocessing.Manager().Queue()` / `.Lock()` / `.Value()`, or pass it once through the Pool `initializer`/`initargs`',
  (ctx) => {
    const { problem } = ctx;
    const member = problem.objectType ? managed[problem.objectType] : undefined;
    const viaInitializer = poolInitializerFix(ctx);
    if (!member || problem.holder) return [viaInitializer];
    return [replaceConstructorFix(problem, 'multiprocessing', `Manager().${member}`, 'Use a Manager proxy: {name}(...)', false, 'use-manager-proxy'), viaInitializer];
  },
);
