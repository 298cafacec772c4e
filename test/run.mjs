// Runs every *.test.ts under test/ with Node's built-in runner (TypeScript loaded through tsx),
// after building dist/ so tests that spawn the CLI or the server use fresh bundles.
// Usage: npm test [-- <substring filter>...]
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

const root = path.resolve(import.meta.dirname ?? path.dirname(new URL(import.meta.url).pathname), '..');
const filters = process.argv.slice(2);

function find(dir) {
  const out = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    if (e.name === 'node_modules' || e.name === 'fixtures' || e.name.startsWith('.')) continue;
    const full = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...find(full));
    else if (e.name.endsWith('.test.ts')) out.push(full);
  }
  return out;
}

const build = spawnSync(process.execPath, ['esbuild.mjs'], { cwd: root, stdio: 'inherit' });
if (build.status !== 0) process.exit(build.status ?? 1);

const files = find(path.join(root, 'test'))
  .filter((f) => filters.length === 0 || filters.some((s) => f.includes(s)))
  .sort();
if (files.length === 0) {
  console.error('no test files matched');
  process.exit(1);
}
// The real-editor tests (code-server + Chromium, Neovim, VS Code) start heavy processes; they run
// after the rest, so the timing-sensitive tests (fuzz, LSP latency) do not compete with them. The
// fuzz run measures response times, so it runs first and alone: the JS oracles drive Chromium.
const isEditorTest = (f) => /[\\/]test[\\/](e2e|nvim|vscode)[\\/]/.test(f);
const isFuzz = (f) => /[\\/]test[\\/]fuzz[\\/]/.test(f);
const phases = [files.filter(isFuzz), files.filter((f) => !isEditorTest(f) && !isFuzz(f)), files.filter(isEditorTest)].filter((p) => p.length > 0);

function runPhase(phaseFiles) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=2', ...phaseFiles], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
    const counts = { pass: 0, fail: 0, skipped: 0 };
    let tail = '';
    child.stdout.on('data', (d) => {
      process.stdout.write(d);
      tail = (tail + d).slice(-4000);
    });
    child.on('close', (code) => {
      for (const k of Object.keys(counts)) {
        const m = new RegExp(`^# ${k} (\\d+)$`, 'm').exec(tail);
        if (m) counts[k] = Number(m[1]);
      }
      resolve({ code: code ?? 1, counts });
    });
  });
}

let status = 0;
const total = { pass: 0, fail: 0, skipped: 0 };
for (const phase of phases) {
  const { code, counts } = await runPhase(phase);
  if (code !== 0) status = code;
  for (const k of Object.keys(total)) total[k] += counts[k];
}
// One closing line for the whole run, whatever the number of phases.
console.log(`\n${total.pass} passed, ${total.fail} failed, ${total.skipped} skipped`);
process.exit(status !== 0 || total.fail > 0 ? status || 1 : 0);
