// Merges the Node probes (data/node-clone/<major>.json, made by tools/probe/node-clone.mjs) into
// server/generated/node-clone.json, the table the JS rules read: for each Node built-in class that
// a worker port refuses on some Node major, the runtime's words per major. Classes that clone with
// their prototype (net.SocketAddress, net.BlockList, crypto.KeyObject, Blob) are listed with 0 so
// the rules can tell "measured, clones" from "never measured".
//   node tools/gen/node-clone.mjs [--out DIR]
import * as fs from 'node:fs';
import * as path from 'node:path';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..');
const dir = path.join(root, 'data', 'node-clone');
const probes = fs.readdirSync(dir).filter((f) => f.endsWith('.json')).map((f) => JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')));
probes.sort((a, b) => Number(a.node.split('.')[0]) - Number(b.node.split('.')[0]));
const values = {};
for (const p of probes) {
  const major = `node${p.node.split('.')[0]}`;
  for (const [key, v] of Object.entries(p.values)) {
    if (v.how === 'undecided' || !v.port) continue;
    // 0: arrives with its prototype; 1: arrives as a plain object (what it held decides, as for
    // an EventEmitter with or without listeners); a string: Node's words when it throws.
    (values[key] ??= {})[major] = v.port.startsWith('throws: ') ? v.port.slice('throws: '.length) : v.port === 'clones' ? 0 : 1;
  }
}
const out = {
  source: `tools/probe/node-clone.mjs under ${probes.map((p) => `Node ${p.node}`).join(', ')} (a worker_threads port's postMessage)`,
  majors: probes.map((p) => `node${p.node.split('.')[0]}`),
  values: Object.fromEntries(Object.entries(values).sort(([a], [b]) => a.localeCompare(b))),
};
const outArg = process.argv.indexOf('--out');
const outDir = outArg > 0 ? path.resolve(process.argv[outArg + 1]) : path.join(root, 'server', 'generated');
fs.mkdirSync(outDir, { recursive: true });
fs.writeFileSync(path.join(outDir, 'node-clone.json'), JSON.stringify(out) + '\n');
console.log(`node-clone.json: ${fs.statSync(path.join(outDir, 'node-clone.json')).size} bytes, ${Object.keys(values).length} values`);
