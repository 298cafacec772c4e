import { addWrapsFix, moveDefinitionFix, moveWithPartialFix } from '../fixes';
import { pyRule } from './types';

export const pyLocalObject = pyRule(
  'py-local-object',
  'A function or class defined inside another function is sent to another process; pickle cannot look up `<locals>` names.',
  'pickle stores functions and classes by their importable name, and names under `<locals>` cannot be imported',
  'move it to module scope and pass what it closed over as arguments (functools.partial)',
  ({ problem }) => [
    problem.definition ? (moveDefinitionFix(problem.definition, `Move \`${problem.definition.name}\` to module scope`, false) ?? moveWithPartialFix(problem.definition)) : undefined,
    problem.unwrapped ? addWrapsFix(problem.unwrapped) : undefined,
  ],
);
