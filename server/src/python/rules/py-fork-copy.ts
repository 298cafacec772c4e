import { sharedPrimitiveFix } from '../fixes';
import { pyRule } from './types';

export const pyForkCopy = pyRule(
  'py-fork-copy',
  'Under the fork start method, a threading lock, Event or queue.Queue given to a Process is silently copied, not shared.',
  'a forked child gets a private copy of thread primitives: a set(), put() or release() on one side is never seen by the other, and the lock no longer excludes anything',
  'use the multiprocessing equivalent (multiprocessing.Event(), .Lock(), .Queue()), which is shared with the child',
  (ctx) => [sharedPrimitiveFix(ctx)],
  'warning',
);
