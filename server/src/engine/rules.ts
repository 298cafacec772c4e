import type { SendcheckConfig } from './config';
import type { Finding, RuleMeta } from './types';

/** Where each rule's documentation lives; diagnostics link here through `codeDescription.href`. */
export const DOCS_BASE = 'https://github.com/sendcheck/sendcheck/blob/main/docs/rules/';

export function ruleDocUrl(ruleId: string): string {
  return `${DOCS_BASE}${ruleId}.md`;
}

/**
 * Applies the user's per-rule severity overrides. Engines report with each rule's default
 * severity (or a severity chosen by the runtime target); `off` removes the finding.
 */
export function applySeverityOverrides(findings: Finding[], config: SendcheckConfig): Finding[] {
  const out: Finding[] = [];
  for (const f of findings) {
    const override = config.rules[f.rule];
    if (override === 'off') continue;
    out.push(override ? { ...f, severity: override } : f);
  }
  return out;
}

export function assertUniqueRuleIds(rules: readonly RuleMeta[]): void {
  const seen = new Set<string>();
  for (const r of rules) {
    if (seen.has(r.id)) throw new Error(`duplicate rule id ${r.id}`);
    seen.add(r.id);
  }
}
