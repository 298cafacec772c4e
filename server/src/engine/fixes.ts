import type { Finding, Fix } from './types';

// Which of a finding's fixes `sendcheck --fix` applies. `Fix.preferred` marks a fix as safe: it
// is applied by --fix and by fix-all on save. With --unsafe-fixes (as ruff's), a finding that has
// no safe fix gets its *preferred unsafe fix*: the first of its fixes, in the order the rule
// offers them (the lightbulb's order), that is not a suppression. Suppressions only silence a
// finding; they are never applied for the user.

/** A fix that only adds a suppression comment (ids such as `ignore-line`, `suppress-finding`). */
export function isSuppressionFix(fix: Fix): boolean {
  return /(^|-)(ignore|suppress|suppression)(-|$)/.test(fix.id);
}

/** The fix --fix applies to `finding` (with `unsafe`: --fix --unsafe-fixes), if any. */
export function fixToApply(finding: Finding, unsafe: boolean): Fix | undefined {
  return finding.fixes.find((x) => x.preferred) ?? (unsafe ? finding.fixes.find((x) => !isSuppressionFix(x)) : undefined);
}

/** How many findings --fix would fix, and how many more --unsafe-fixes would. */
export function fixableCounts(findings: readonly Finding[]): { safe: number; unsafe: number } {
  let safe = 0;
  let unsafe = 0;
  for (const f of findings) {
    if (fixToApply(f, false)) safe++;
    else if (fixToApply(f, true)) unsafe++;
  }
  return { safe, unsafe };
}
