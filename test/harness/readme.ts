import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';

const readme = fs.readFileSync(path.resolve(__dirname, '..', '..', 'README.md'), 'utf8');

/** The fenced code block following `<!-- example: name -->` in the README. */
export function example(name: string): string {
  const m = new RegExp(`<!-- example: ${name} -->\\s*\`\`\`[\\w-]*\\n([\\s\\S]*?)\`\`\``).exec(readme);
  assert.ok(m, `README.md has no example "${name}"`);
  return m[1];
}

/** The commands of a shell example, as argument lists for the CLI (`npx sendcheck` itself, comments dropped). */
export function commands(block: string): string[][] {
  return block
    .split('\n')
    .map((line) => line.replace(/\s+#.*$/, '').trim())
    .filter(Boolean)
    .map((line) => {
      const words = line.split(/\s+/);
      assert.deepEqual(words.slice(0, 2), ['npx', 'sendcheck'], line);
      return words.slice(2);
    });
}
