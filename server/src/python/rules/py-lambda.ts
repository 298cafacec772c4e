import { lambdaDefaultsToPartialFix, lambdaToDefFix, lambdaToPartialFix } from '../fixes';
import { pyRule } from './types';

export const pyLambda = pyRule(
  'py-lambda',
  'A lambda is sent to another process through pickle, which stores functions by name and a lambda has none.',
  'pickle stores functions by their importable name and a lambda has none',
  'define it with `def` at module level (bind extra values with functools.partial)',
  ({ problem, sink }) => {
    const site = problem.leafSite;
    if (!site) return [];
    const moved = lambdaToDefFix(site.module, site.node, sink, problem.holder);
    return [moved ?? (site.node.type === 'lambda' ? (lambdaToPartialFix(site.module, site.node, sink) ?? lambdaDefaultsToPartialFix(site.module, site.node, sink)) : undefined)];
  },
);
