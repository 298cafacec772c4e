import { lambdaToDefFix } from '../fixes';
import { pyRule } from './types';

export const pyLambda = pyRule(
  'py-lambda',
  'A lambda is sent to another process through pickle, which stores functions by name and a lambda has none.',
  'pickle stores functions by their importable name and a lambda has none',
  'define it with `def` at module level (bind extra values with functools.partial)',
  ({ problem, sink }) => [problem.leafSite ? lambdaToDefFix(problem.leafSite.module, problem.leafSite.node, sink, problem.holder) : undefined],
);
