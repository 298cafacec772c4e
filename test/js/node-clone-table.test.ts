import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { nodeCloneVerdict } from '../../server/src/js/node-clone-table';
import { nodeBinaries } from './node-runner';

// Node's verdicts on its built-in classes (tools/probe/node-clone.mjs, committed per major under
// data/node-clone/): a fresh probe on the running Node must agree with its committed table, and
// the merged table the rules read (server/generated/node-clone.json) must be what
// tools/gen/node-clone.mjs makes from them.

const root = path.resolve(__dirname, '..', '..');
const dataDir = path.join(root, 'data', 'node-clone');

test('node clone tables: coverage per Node major, and a fresh probe of each Node the suite has agrees', { timeout: 400_000 }, (t) => {
  for (const f of fs.readdirSync(dataDir).filter((x) => x.endsWith('.json')).sort()) {
    const d = JSON.parse(fs.readFileSync(path.join(dataDir, f), 'utf8'));
    const values = Object.values(d.values) as { how: string; port?: string }[];
    const decided = values.filter((v) => v.how !== 'undecided');
    const line = `Node ${d.node}: ${decided.length} of ${values.length} built-in classes, globals and factory results have a verdict (${d.counts.recipe} from recipes); ${decided.filter((v) => v.port?.startsWith('throws')).length} throw on a worker port`;
    t.diagnostic(line);
    console.log(line);
  }
  // Every Node the suite runs fixtures with (20 and 24, test/js/setup-node.mjs), not only this one.
  for (const bin of new Set([process.execPath, ...Object.values(nodeBinaries())])) {
    const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'sendcheck-node-probe-')), 'fresh.json');
    const r = spawnSync(bin, [path.join(root, 'tools', 'probe', 'node-clone.mjs'), '--out', out], { encoding: 'utf8', timeout: 50_000, stdio: ['ignore', 'pipe', 'pipe'] });
    assert.equal(r.status, 0, r.stderr);
    const fresh = JSON.parse(fs.readFileSync(out, 'utf8'));
    fs.rmSync(path.dirname(out), { recursive: true, force: true });
    const file = path.join(dataDir, `${fresh.node.split('.')[0]}.json`);
    assert.ok(fs.existsSync(file), `no committed table for Node ${fresh.node}: run ${fresh.regenerate}`);
    const committed = JSON.parse(fs.readFileSync(file, 'utf8'));
    const differ = Object.keys({ ...committed.values, ...fresh.values }).filter((k) => JSON.stringify(committed.values[k]) !== JSON.stringify(fresh.values[k]));
    t.diagnostic(`fresh probe under Node ${fresh.node}: ${Object.keys(fresh.values).length} values, ${differ.length} disagree`);
    assert.deepEqual(differ, [], `the table for Node ${fresh.node.split('.')[0]} is stale: run ${committed.regenerate}`);
  }
});

test('node clone table: the merged table is current, and says what Node says', () => {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'sendcheck-node-gen-'));
  const r = spawnSync(process.execPath, [path.join(root, 'tools', 'gen', 'node-clone.mjs'), '--out', out], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const fresh = fs.readFileSync(path.join(out, 'node-clone.json'), 'utf8');
  fs.rmSync(out, { recursive: true, force: true });
  assert.ok(fresh === fs.readFileSync(path.join(root, 'server', 'generated', 'node-clone.json'), 'utf8'), 'server/generated/node-clone.json is stale: run node tools/gen/node-clone.mjs');
  assert.deepEqual(nodeCloneVerdict('dns', 'Resolver', 'node22'), { throws: 'DataCloneError: Cannot clone object of unsupported type.' });
  assert.deepEqual(nodeCloneVerdict('dns', 'Resolver', 'node20'), { throws: 'DataCloneError: Cannot transfer object of unsupported type.' });
  assert.equal(nodeCloneVerdict('net', 'SocketAddress', 'node22'), 'clones');
  assert.equal(nodeCloneVerdict('net', 'BlockList', 'node20'), 'clones');
  assert.equal(nodeCloneVerdict('dns', 'Resolver', 'browser'), undefined);
});
