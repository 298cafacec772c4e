import * as assert from 'node:assert/strict';
import type { Finding, Severity } from '../../server/src/engine/types';

// Inline expectations in fixtures, rust-analyzer style: carets under the code they mark.
//
//   worker.postMessage({ onDone });
//   //                 ^^^^^^^^^^ error no-function: onDone is a function
//
// The carets' columns are the expected start and end columns on the nearest line above that is
// not itself an expectation. `# ^^^` is the Python form. The text after `<rule>:` must be a
// substring of the message. A finding spanning several lines is marked on its first line with
// carets running to the end of that line.
//
// An expectation that holds on one runtime only names it in parentheses before the severity:
//
//   worker.postMessage(payload, [payload.buffer]);
//   //                           ^^^^^^^^^^^^^^ (node24) error invalid-transfer-list: ...
//   //                           ^^^^^^^^^^^^^^ (node20) warning invalid-transfer-list: ...
//
// Unscoped expectations hold on every runtime a fixture runs on.

export interface Expectation {
  line: number;
  start: number;
  end: number;
  severity: Severity;
  rule: string;
  messagePart: string;
  /** 1-based line of the expectation comment itself, for error messages. */
  at: number;
  /** The runtime this expectation is about (`node20`, `chromium`...); undefined: every runtime. */
  scope?: string;
}

const severities = new Set(['error', 'warning', 'info', 'hint']);

export function parseExpectations(text: string, language: 'js' | 'python'): Expectation[] {
  const lines = text.split(/\r\n|\r|\n/);
  const prefix = language === 'js' ? '//' : '#';
  const re = new RegExp(`^(\\s*)${prefix === '//' ? '\\/\\/' : '#'}(\\s*)(\\^+)\\s+(?:\\(([\\w-]+)\\)\\s+)?(\\w+)\\s+([a-z0-9-]+)(?::\\s*(.*))?$`);
  const out: Expectation[] = [];
  let target = -1;
  for (let i = 0; i < lines.length; i++) {
    const m = re.exec(lines[i]);
    if (!m) {
      target = i;
      continue;
    }
    const [, lead, gap, carets, scope, severity, rule, message] = m;
    if (!severities.has(severity)) throw new Error(`line ${i + 1}: unknown severity "${severity}"`);
    if (target < 0) throw new Error(`line ${i + 1}: expectation with no code line above`);
    const start = lead.length + prefix.length + gap.length;
    out.push({ line: target, start, end: start + carets.length, severity: severity as Severity, rule, messagePart: (message ?? '').trim(), at: i + 1, scope });
  }
  return out;
}

/** The expectations that hold on `runtime`: the unscoped ones and those naming it. */
export function expectationsOn(expectations: readonly Expectation[], runtime: string): Expectation[] {
  return expectations.filter((e) => e.scope === undefined || e.scope === runtime);
}

function describe(f: Pick<Finding, 'range' | 'severity' | 'rule' | 'message'>): string {
  return `${f.range.start.line + 1}:${f.range.start.character}-${f.range.end.line + 1}:${f.range.end.character} ${f.severity} ${f.rule}: ${f.message}`;
}

/** Asserts that the findings are exactly the expectations: positions, severities, rules and message parts. */
export function assertFindingsMatch(findings: readonly Finding[], expectations: readonly Expectation[], text: string, label: string): void {
  const lines = text.split(/\r\n|\r|\n/);
  const unmatched = [...findings];
  const missing: string[] = [];
  for (const e of expectations) {
    const idx = unmatched.findIndex((f) => {
      if (f.range.start.line !== e.line || f.range.start.character !== e.start) return false;
      const endOk = f.range.end.line === e.line ? f.range.end.character === e.end : e.end >= lines[e.line].length;
      return endOk && f.rule === e.rule && f.severity === e.severity && f.message.includes(e.messagePart);
    });
    if (idx >= 0) unmatched.splice(idx, 1);
    else missing.push(`  expected (fixture line ${e.at}): ${e.line + 1}:${e.start}-${e.end} ${e.severity} ${e.rule}: ${e.messagePart}`);
  }
  if (missing.length || unmatched.length) {
    assert.fail(
      `${label}:\n${missing.join('\n')}${missing.length ? '\n' : ''}${unmatched.map((f) => `  unexpected: ${describe(f)}`).join('\n')}\n  all findings:\n${findings.map((f) => `    ${describe(f)}`).join('\n') || '    (none)'}`,
    );
  }
}
