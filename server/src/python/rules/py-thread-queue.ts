import { multiprocessingReplacement, rehydrateHooksFix, replaceConstructorFix } from '../fixes';
import { pyRule } from './types';

export const pyThreadQueue = pyRule(
  'py-thread-queue',
  'A `queue.Queue` (a queue between threads) is handed to another process.',
  '`queue.Queue` is a queue between threads of one process: it holds thread locks and cannot be pickled',
  'use `multiprocessing.Queue()` for a Process, or `multiprocessing.Manager().Queue()` for a Pool or executor',
  ({ problem, sink, ev }) => {
    if (problem.holder) return [rehydrateHooksFix(problem, false, ev)];
    const plain = problem.objectType === 'queue.Queue' || problem.objectType === 'queue.SimpleQueue';
    if (!plain) return [];
    // A Process inherits a multiprocessing.Queue; a Pool or executor task needs a Manager proxy.
    if (sink.transport === 'spawn-args') {
      const member = problem.objectType === 'queue.SimpleQueue' ? 'SimpleQueue' : 'Queue';
      const r = problem.leafSite && multiprocessingReplacement(problem.leafSite.module, problem.objectType!, member);
      return r ? [replaceConstructorFix(problem, 'multiprocessing', r.member, 'Use {name}', r.portable, 'use-multiprocessing-queue')] : [];
    }
    if (problem.objectType === 'queue.Queue') return [replaceConstructorFix(problem, 'multiprocessing', 'Manager().Queue', 'Use a Manager queue: {name}()', false, 'use-manager-queue')];
    return [];
  },
);
