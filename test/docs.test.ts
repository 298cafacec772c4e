import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { createChecker } from '../server/src/check';

// Every rule has a page named after its id with the four sections, and every page has a rule.
const docsDir = path.resolve(__dirname, '..', 'docs', 'rules');
const sections = ['## What it does', '## Why is this bad?', '## Example', '## Use instead'];
const rules = createChecker().rules;

test('both engines register rules', () => {
  assert.ok(rules.some((r) => r.language === 'js'), 'no JS/TS rules registered');
  assert.ok(rules.some((r) => r.language === 'python'), 'no Python rules registered');
});

test('rule ids are unique kebab-case, Python ones prefixed py-', () => {
  assert.equal(new Set(rules.map((r) => r.id)).size, rules.length);
  for (const r of rules) {
    assert.match(r.id, /^[a-z0-9]+(-[a-z0-9]+)*$/, r.id);
    assert.equal(r.id.startsWith('py-'), r.language === 'python', `${r.id}: Python rules and only they start with py-`);
    assert.ok(r.summary.length > 10, `${r.id} needs a summary`);
  }
});

for (const r of rules) {
  test(`docs/rules/${r.id}.md has the four sections`, () => {
    const file = path.join(docsDir, `${r.id}.md`);
    assert.ok(fs.existsSync(file), `missing ${path.relative(process.cwd(), file)}`);
    const text = fs.readFileSync(file, 'utf8');
    assert.match(text, new RegExp(`^# ${r.id}\\b`), `${r.id}.md must start with "# ${r.id}"`);
    for (const s of sections) assert.ok(text.includes(s), `${r.id}.md lacks "${s}"`);
  });
}

test('every page in docs/rules belongs to a rule', () => {
  const ids = new Set(rules.map((r) => r.id));
  const orphans = fs.existsSync(docsDir) ? fs.readdirSync(docsDir).filter((f) => f.endsWith('.md') && !ids.has(f.slice(0, -3))) : [];
  assert.deepEqual(orphans, []);
});
