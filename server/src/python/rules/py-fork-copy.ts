import { multiprocessingReplacement, replaceConstructorFix } from '../fixes';
import { forkCopied } from '../knowledge';
import { pyRule } from './types';

export const pyForkCopy = pyRule(
  'py-fork-copy',
  'Under the fork start method, a threading lock, Event or queue.Queue given to a Process is silently copied, not shared.',
  'a forked child gets a private copy of thread primitives: a set(), put() or release() on one side is never seen by the other, and the lock no longer excludes anything',
  'use the multiprocessing equivalent (multiprocessing.Event(), .Lock(), .Queue()), which is shared with the child',
  ({ problem }) => {
    const member = problem.objectType ? forkCopied[problem.objectType] : undefined;
    if (!member || !problem.leafSite) return [];
    const r = multiprocessingReplacement(problem.leafSite.module, problem.objectType!, member);
    return r ? [replaceConstructorFix(problem, 'multiprocessing', r.member, 'Use {name}', r.portable, 'use-multiprocessing-primitive')] : [];
  },
  'warning',
);
