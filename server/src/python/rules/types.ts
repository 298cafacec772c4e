import type { Fix, RuleMeta, Severity } from '../../engine/types';
import type { FixContext } from '../fixes';

/** A Python rule: its id and summary, the two halves of its message (why it fails, what to do), and its fixes. */
export interface PyRule {
  meta: RuleMeta;
  because: string;
  advice: string;
  fixes(ctx: FixContext): Fix[];
}

export function pyRule(
  id: string,
  summary: string,
  because: string,
  advice: string,
  fixes: (ctx: FixContext) => (Fix | undefined)[] = () => [],
  defaultSeverity: Severity = 'error',
): PyRule {
  return {
    meta: { id, language: 'python', defaultSeverity, summary },
    because,
    advice,
    fixes: (ctx) => fixes(ctx).filter((f): f is Fix => f !== undefined),
  };
}
