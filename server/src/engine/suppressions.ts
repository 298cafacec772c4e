import type { Finding, Language } from './types';

// `// sendcheck-ignore-next-line [rule, ...]` on the line above (JS/TS), and
// `# sendcheck: ignore[rule, ...]` at the end of the line or alone on the line above (Python).
// No rule list means every rule.
const jsPattern = /\/\/\s*sendcheck-ignore-next-line\b([^\n]*)/;
const pyPattern = /#\s*sendcheck:\s*ignore(?:\[([^\]]*)\])?/;

function parseRules(list: string | undefined): Set<string> | 'all' {
  const ids = (list ?? '')
    .split(/[\s,]+/)
    .map((s) => s.trim())
    .filter((s) => /^[a-z0-9-]+$/.test(s));
  return ids.length === 0 ? 'all' : new Set(ids);
}

function covers(rules: Set<string> | 'all', rule: string): boolean {
  return rules === 'all' || rules.has(rule);
}

export function isSuppressed(finding: Finding, lines: readonly string[], language: Language): boolean {
  const line = finding.range.start.line;
  if (language === 'js') {
    const above = lines[line - 1];
    const m = above === undefined ? null : jsPattern.exec(above);
    return m !== null && covers(parseRules(m[1]), finding.rule);
  }
  for (const candidate of [lines[line], lines[line - 1]]) {
    if (candidate === undefined) continue;
    const m = pyPattern.exec(candidate);
    if (!m) continue;
    // A comment on the line above counts only when it stands alone on that line.
    if (candidate === lines[line - 1] && candidate !== lines[line] && !/^\s*#/.test(candidate)) continue;
    if (covers(parseRules(m[1]), finding.rule)) return true;
  }
  return false;
}

/** The text of a suppression comment for `rule`, indented like `lineText`. */
export function suppressionComment(language: Language, rule: string, lineText: string): string {
  const indent = /^\s*/.exec(lineText)?.[0] ?? '';
  return language === 'js' ? `${indent}// sendcheck-ignore-next-line ${rule}\n` : `${indent}# sendcheck: ignore[${rule}]\n`;
}
