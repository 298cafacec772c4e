import type { Finding, Language, Range, RuleMeta } from './types';

// `// sendcheck-ignore-next-line [rule, ...] [-- reason]` on the line above (JS/TS), and
// `# sendcheck: ignore[rule, ...] [-- reason]` at the end of the line or alone on the line above
// (Python). No rule list means every rule. What follows `--` is the reason, for people.
const jsPattern = /\/\/\s*sendcheck-ignore-next-line\b([^\n]*)/;
const pyPattern = /#\s*sendcheck:\s*ignore(?:\[([^\]]*)\])?([^\n]*)/;

/** Reported, when asked, for suppression comments that suppress nothing: the comment can go. */
export const unusedSuppressionRule: RuleMeta = {
  id: 'unused-suppression',
  language: 'any',
  defaultSeverity: 'warning',
  summary: 'A sendcheck suppression comment that suppresses nothing (or names a rule that does not exist).',
};

export interface Suppression {
  /** The line whose findings it silences (zero-based). */
  target: number;
  /** The comment, from its `//` or `#` to the end of its directive. */
  range: Range;
  /** Rule ids as written, with where each is; empty: every rule. */
  rules: { id: string; range: Range }[];
  reason?: string;
  /** True when the comment is all there is on its line (removing it removes the line). */
  ownLine: boolean;
}

function ruleList(text: string, offset: number, line: number): { id: string; range: Range }[] {
  const out: { id: string; range: Range }[] = [];
  for (const m of text.matchAll(/[^\s,]+/g)) {
    if (!/^[a-z0-9-]+$/.test(m[0])) continue;
    const start = offset + m.index!;
    out.push({ id: m[0], range: { start: { line, character: start }, end: { line, character: start + m[0].length } } });
  }
  return out;
}

/** Splits `rules -- reason` (the reason may also stand alone: `-- reason`). */
function splitReason(text: string): { list: string; reason?: string } {
  const m = /(^|\s)--(\s|$)/.exec(text);
  if (!m) return { list: text };
  return { list: text.slice(0, m.index), reason: text.slice(m.index + m[0].length).trim() || undefined };
}

/** Every suppression comment of a file. */
export function parseSuppressions(lines: readonly string[], language: Language): Suppression[] {
  const out: Suppression[] = [];
  lines.forEach((text, line) => {
    if (!text.includes('sendcheck')) return;
    if (language === 'js') {
      const m = jsPattern.exec(text);
      if (!m) return;
      const { list, reason } = splitReason(m[1]);
      const listStart = m.index + m[0].length - m[1].length;
      out.push({
        target: line + 1,
        range: { start: { line, character: m.index }, end: { line, character: listStart + list.trimEnd().length } },
        rules: ruleList(list, listStart, line),
        reason,
        ownLine: text.slice(0, m.index).trim() === '',
      });
      return;
    }
    const m = pyPattern.exec(text);
    if (!m) return;
    const ownLine = text.slice(0, m.index).trim() === '';
    const bracketed = m[1];
    const listStart = bracketed === undefined ? -1 : text.indexOf('[', m.index) + 1;
    const { reason } = splitReason(m[2]);
    out.push({
      // Alone on its line it covers the next line; at the end of a line of code, that line.
      target: ownLine ? line + 1 : line,
      range: { start: { line, character: m.index }, end: { line, character: m.index + m[0].length - m[2].length } },
      rules: bracketed === undefined ? [] : ruleList(bracketed, listStart, line),
      reason,
      ownLine,
    });
  });
  return out;
}

/** The suppressions of one file, recording which of them (and which of their rules) silenced something. */
export class FileSuppressions {
  private readonly byTarget = new Map<number, Suppression[]>();
  private readonly used = new Map<Suppression, Set<string>>();

  constructor(readonly suppressions: readonly Suppression[]) {
    for (const s of suppressions) this.byTarget.set(s.target, [...(this.byTarget.get(s.target) ?? []), s]);
  }

  /** True when a comment silences `finding`; remembers that the comment was of use. */
  suppresses(finding: Finding): boolean {
    const line = finding.range.start.line;
    // A Python comment at the end of the finding's own line, or alone on the line above (JS: above only).
    for (const s of this.byTarget.get(line) ?? []) {
      if (s.rules.length === 0 || s.rules.some((r) => r.id === finding.rule)) {
        const used = this.used.get(s) ?? new Set<string>();
        used.add(s.rules.length === 0 ? '*' : finding.rule);
        this.used.set(s, used);
        return true;
      }
    }
    return false;
  }

  /**
   * Findings for what silenced nothing: a whole comment, or single rule ids of a list (unknown
   * ones included), each with a safe fix that removes it.
   */
  unused(file: string, knownRules: ReadonlySet<string>, lines: readonly string[]): Finding[] {
    const out: Finding[] = [];
    const finding = (range: Range, message: string, title: string, edit: { range: Range; newText: string }): Finding => ({
      file,
      range,
      rule: unusedSuppressionRule.id,
      severity: unusedSuppressionRule.defaultSeverity,
      message,
      related: [],
      fixes: [{ id: 'remove-unused-suppression', title, preferred: true, edits: [{ file, ...edit }] }],
    });
    for (const s of this.suppressions) {
      const used = this.used.get(s);
      const idle = s.rules.filter((r) => !used?.has(r.id));
      if (used && idle.length === 0) continue;
      if (!used || idle.length === s.rules.length) {
        const what = s.rules.length === 0 ? 'suppresses nothing' : `suppresses nothing (${describe(idle.map((r) => r.id), knownRules)})`;
        out.push(finding(s.range, `This sendcheck suppression ${what}`, 'Remove the unused suppression', removal(s, lines)));
        continue;
      }
      for (const r of idle)
        out.push(
          finding(r.range, `${r.id} ${knownRules.has(r.id) ? 'is not reported here' : 'is not a sendcheck rule (a reason goes after `--`)'}: this part of the suppression is unused`, `Remove ${r.id} from the suppression`, {
            range: listItemRange(r.range, lines[r.range.start.line] ?? ''),
            newText: '',
          }),
        );
    }
    return out;
  }
}

function describe(ids: string[], knownRules: ReadonlySet<string>): string {
  const unknown = ids.filter((id) => !knownRules.has(id));
  const known = ids.filter((id) => knownRules.has(id));
  const parts: string[] = [];
  if (known.length) parts.push(`${known.join(', ')} ${known.length === 1 ? 'is' : 'are'} not reported here`);
  if (unknown.length) parts.push(`${unknown.join(', ')} ${unknown.length === 1 ? 'is not a sendcheck rule' : 'are not sendcheck rules'}`);
  return parts.join('; ');
}

/** The edit removing a whole comment: its line when it stands alone, else the comment and the spaces before it. */
function removal(s: Suppression, lines: readonly string[]): { range: Range; newText: string } {
  const line = s.range.start.line;
  if (s.ownLine) return { range: { start: { line, character: 0 }, end: { line: line + 1, character: 0 } }, newText: '' };
  const text = lines[line] ?? '';
  let start = s.range.start.character;
  while (start > 0 && /\s/.test(text[start - 1])) start--;
  return { range: { start: { line, character: start }, end: { line, character: text.length } }, newText: '' };
}

/** An id with the separator (comma or spaces) that joins it to the next id, or to the previous one when it is last. */
function listItemRange(r: Range, text: string): Range {
  let start = r.start.character;
  let end = r.end.character;
  const after = /^(\s*,\s*|\s+)(?=[a-z0-9-])/.exec(text.slice(end));
  if (after) end += after[0].length;
  else {
    const before = /(?<=[a-z0-9-])(\s*,\s*|\s+)$/.exec(text.slice(0, start));
    if (before) start -= before[0].length;
  }
  return { start: { line: r.start.line, character: start }, end: { line: r.end.line, character: end } };
}

/** Whether `finding` is silenced by a comment in `lines` (the file's text). */
export function isSuppressed(finding: Finding, lines: readonly string[], language: Language): boolean {
  return new FileSuppressions(parseSuppressions(lines, language)).suppresses(finding);
}

/** The text of a suppression comment for `rule`, indented like `lineText`. */
export function suppressionComment(language: Language, rule: string, lineText: string): string {
  const indent = /^\s*/.exec(lineText)?.[0] ?? '';
  return language === 'js' ? `${indent}// sendcheck-ignore-next-line ${rule}\n` : `${indent}# sendcheck: ignore[${rule}]\n`;
}
