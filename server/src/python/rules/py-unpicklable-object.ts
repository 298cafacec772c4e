import { pyRule } from './types';

export const pyUnpicklableObject = pyRule(
  'py-unpicklable-object',
  'An object pickle refuses (os.environ, an event loop, a Future, a Popen, a Thread, a generator, a logging handler, a module...) is sent to another process.',
  'this object holds process-local state that pickle refuses',
  'send the plain data the worker needs and rebuild the rest there',
);
