import { moveDefinitionFix } from '../fixes';
import { pyRule } from './types';

export const pyMainGuardObject = pyRule(
  'py-main-guard-object',
  'A function or class defined under `if __name__ == "__main__":` is used by a spawned child, which never runs that block.',
  'the spawned child re-imports the main module as `__mp_main__` without running the guarded block, so the name does not exist there; the task is lost or the child dies',
  'define it at module level, above the `if __name__ == "__main__":` block',
  ({ problem }) => [problem.definition ? moveDefinitionFix(problem.definition, `Move \`${problem.definition.name}\` above the \`if __name__ == "__main__":\` block`, false) : undefined],
);
