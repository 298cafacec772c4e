// `node bench/ts-edit.mjs [--tree <checkout>] [--edits N] <file>` checks one TS file
// in-process the way the server checks an open document, then applies the bench's scripted edits
// (bench/run.mjs: a trailing comment rewritten, an export line added and removed) and prints the
// CPU time (user + system, process.cpuUsage) of each edit's check and their median. CPU, not wall
// time: the machine is shared, and CPU barely moves with load. `--tree` points at another checkout
// of sendcheck (an old commit, with its node_modules) so old and new engines can be measured in
// the same run, interleaved (build both first: `npm run build`). SENDCHECK_EDIT_PROFILE=<file>
// writes a CPU profile of the edits alone (not the first check).
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createRequire } from 'node:module';

const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(name);
  if (i < 0) return dflt;
  const v = args[i + 1];
  args.splice(i, 2);
  return v;
};
const flag = (name) => {
  const i = args.indexOf(name);
  if (i >= 0) args.splice(i, 1);
  return i >= 0;
};
const here = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const tree = path.resolve(opt('--tree', here));
const edits = Number(opt('--edits', '9'));
const file = path.resolve(args[0] ?? path.join(here, 'bench/.beds/ts-effect/src/internal/channel.ts'));

// The engine is the tree's built bundle (dist/js-engine.js, `npm run build` there), as the server
// loads it; the host and the configuration come from the tree's sources.
const engineBundle = path.join(tree, 'dist', 'js-engine.js');
if (!fs.existsSync(engineBundle)) throw new Error(`${engineBundle} is missing: run npm run build in ${tree}`);
const entry = `
import { resolveConfig } from './server/src/engine/config';
import { DiskHost } from './server/src/engine/files';
export { resolveConfig, DiskHost };
`;
const out = fs.mkdtempSync(path.join(os.tmpdir(), 'sendcheck-ts-edit-'));
try {
  fs.writeFileSync(path.join(tree, '.ts-edit-entry.ts'), entry);
  const esbuild = createRequire(path.join(tree, 'package.json'))('esbuild');
  esbuild.buildSync({ entryPoints: [path.join(tree, '.ts-edit-entry.ts')], outfile: path.join(out, 'engine.js'), bundle: true, platform: 'node', format: 'cjs', target: 'node20', logLevel: 'error', define: { SENDCHECK_VERSION: '"bench"' } });
} finally {
  fs.rmSync(path.join(tree, '.ts-edit-entry.ts'), { force: true });
}

const child = `
const { resolveConfig, DiskHost } = require(${JSON.stringify(path.join(out, 'engine.js'))});
const { createJsEngine } = require(${JSON.stringify(engineBundle)});
const fs = require('node:fs');
const file = ${JSON.stringify(file)};
${fs.readFileSync(new URL(import.meta.url), 'utf8').match(/\/\/ <edits>([\s\S]*)\/\/ <\/edits>/)[1]}
const engine = createJsEngine();
const host = new DiskHost();
const { config } = resolveConfig({});
let text = fs.readFileSync(file, 'utf8');
const check = () => engine.check({ files: [file], host, config });
const first = process.cpuUsage();
const base = check();
const firstMs = ((c) => (c.user + c.system) / 1000)(process.cpuUsage(first));
const profile = process.env.SENDCHECK_EDIT_PROFILE; // a file: the edits' CPU profile (not the first check's)
let session;
if (profile) {
  session = new (require('node:inspector').Session)();
  session.connect();
  session.post('Profiler.enable');
  session.post('Profiler.setSamplingInterval', { interval: 200 });
  session.post('Profiler.start');
}
const cpu = [];
let n = 0;
let findings = base.length;
for (const next of scriptedEdits(text, ${edits})) {
  host.setOverlay(file, next, ++n);
  const c0 = process.cpuUsage();
  findings = check().length;
  const c = process.cpuUsage(c0);
  cpu.push((c.user + c.system) / 1000);
}
if (session) session.post('Profiler.stop', (err, r) => { if (!err) fs.writeFileSync(profile, JSON.stringify(r.profile)); });
const sorted = [...cpu].sort((a, b) => a - b);
console.log(JSON.stringify({ firstMs: Math.round(firstMs), edits: cpu.map(Math.round), median: Math.round(sorted[Math.floor(sorted.length / 2)]), findings: [base.length, findings] }));
`;
fs.writeFileSync(path.join(out, 'run.js'), child);
const r = spawnSync(process.execPath, [path.join(out, 'run.js')], { stdio: 'inherit' });
fs.rmSync(out, { recursive: true, force: true });
process.exit(r.status ?? 1);

// <edits>
function scriptedEdits(text, n) {
  // The same edits as bench/run.mjs's for a real file: a trailing comment rewritten, an export added, removed.
  const out = [];
  let cur = text;
  for (let i = 0; i < n; i++) {
    const k = i % 3;
    if (k === 0) cur = cur.replace(/(\n\/\/ bench edit \d+)?$/, '\n// bench edit ' + i);
    else if (k === 1) cur = cur + '\nexport const extra' + i + ' = ' + i + ';';
    else cur = cur.replace(/\nexport const extra(\d+) = \d+;$/, '');
    out.push(cur);
  }
  return out;
}
// </edits>
