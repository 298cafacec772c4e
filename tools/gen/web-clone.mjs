// Merges the Chromium probe (data/web-clone/chromium-<major>.json, made by
// tools/probe/web-clone.mjs) into server/generated/web-clone.json, the table the JS rules read for
// browser targets: per interface, what structured clone does with an instance, and what a Worker's
// postMessage and IndexedDB do when they differ from it.
//   node tools/gen/web-clone.mjs [--out DIR]
import * as fs from 'node:fs';
import * as path from 'node:path';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..');
const dir = path.join(root, 'data', 'web-clone');
const probes = fs.readdirSync(dir).filter((f) => f.endsWith('.json')).map((f) => JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')));
// The newest Chromium decides: the rules speak for the browser users have now.
probes.sort((a, b) => Number(/(\d+)\./.exec(a.chromium)[1]) - Number(/(\d+)\./.exec(b.chromium)[1]));
const probe = probes[probes.length - 1];

// 0: arrives as the same interface; 1: arrives without its prototype (a plain object, `{}`, or
// another interface); "transfer": only in a transfer list; "messageerror": the receiving worker
// cannot deserialize it; a string: Chromium's words, without the "Failed to execute 'put' on
// 'IDBObjectStore': " preamble that names the call (the rule names the call itself).
function code(v) {
  if (v === 'clones') return 0;
  if (v === 'transfer' || v === 'messageerror') return v;
  if (v.startsWith('throws: ')) return v.slice('throws: '.length).replace(/^(\w+): Failed to execute '[^']+' on '[^']+': /, '$1: ');
  return 1;
}
const values = {};
for (const [name, v] of Object.entries(probe.values)) {
  if (v.how === 'undecided' || !v.clone) continue;
  // An interface with no instances of its own was decided by its subinterfaces: the words are theirs.
  const e = { clone: code(v.clone), ...(v.how === 'subinterfaces' ? { via: v.from } : {}) };
  const worker = code(v.worker);
  const idb = code(v.idb);
  if (worker !== e.clone) e.worker = worker;
  if (idb !== e.clone) e.idb = idb;
  values[name] = e;
}
const out = {
  source: `tools/probe/web-clone.mjs under ${probe.chromium.replace(/ built on.*/, '')} (structuredClone, a Worker's postMessage, IDBObjectStore.put)`,
  values: Object.fromEntries(Object.entries(values).sort(([a], [b]) => a.localeCompare(b))),
};
const outArg = process.argv.indexOf('--out');
const outDir = outArg > 0 ? path.resolve(process.argv[outArg + 1]) : path.join(root, 'server', 'generated');
fs.mkdirSync(outDir, { recursive: true });
fs.writeFileSync(path.join(outDir, 'web-clone.json'), JSON.stringify(out) + '\n');
console.log(`web-clone.json: ${fs.statSync(path.join(outDir, 'web-clone.json')).size} bytes, ${Object.keys(values).length} interfaces`);
