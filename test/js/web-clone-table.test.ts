import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { webCloneVerdict } from '../../server/src/js/web-clone-table';
import { chromiumPath } from '../harness/chromium';
import { runBounded } from '../harness/run-bounded';

// Chromium's verdicts on the Web platform's interfaces (tools/probe/web-clone.mjs, committed as
// data/web-clone/chromium-<major>.json): a fresh probe of this machine's Chromium must agree with
// the committed table of its major, and the merged table the rules read
// (server/generated/web-clone.json) must be what tools/gen/web-clone.mjs makes from it.

const root = path.resolve(__dirname, '..', '..');
const dataDir = path.join(root, 'data', 'web-clone');

interface Probe {
  chromium: string;
  regenerate: string;
  exposed: number;
  counts: Record<string, number>;
  values: Record<string, { how: string; clone?: string; worker?: string; idb?: string }>;
}

test('web clone table: coverage of the committed Chromium tables', (t) => {
  const files = fs.readdirSync(dataDir).filter((f) => f.endsWith('.json')).sort();
  assert.ok(files.length >= 1, `no table in ${dataDir}`);
  for (const f of files) {
    const d = JSON.parse(fs.readFileSync(path.join(dataDir, f), 'utf8')) as Probe;
    const values = Object.values(d.values);
    const decided = values.filter((v) => v.how !== 'undecided');
    const kind = (v?: string) => (v?.startsWith('throws: ') ? 'throws' : v);
    const differ = decided.filter((v) => kind(v.worker) !== kind(v.clone) || kind(v.idb) !== kind(v.clone)).length;
    const line = `${d.chromium.replace(/ built on.*/, '')}: ${decided.length} of ${values.length} Web platform interfaces and values have a verdict (${d.exposed} interfaces on window; ${d.counts.recipe} from recipes, ${d.counts.subinterfaces ?? 0} from their subinterfaces); ${decided.filter((v) => v.clone?.startsWith('throws')).length} throw in structuredClone, ${differ} differ through a Worker or IndexedDB`;
    t.diagnostic(line);
    console.log(line);
    // What the rules rely on must stay measured.
    for (const key of ['DOMMatrix', 'Blob', 'File', 'ImageData', 'CryptoKey', 'URL', 'Headers', 'AbortController', 'HTMLDivElement', 'Element', 'VideoFrame', 'MessagePort', 'ReadableStream', 'OffscreenCanvas', 'WeakRef'])
      assert.notEqual(d.values[key]?.how ?? 'undecided', 'undecided', `${f}: ${key}`);
  }
});

// Outside CI a machine without Chromium skips loudly; in CI the probe must run.
const noChromium = !chromiumPath && !process.env.CI;
if (noChromium) console.warn('SKIPPED: web clone table vs a fresh Chromium probe: Chromium not found (apt-get install -y chromium, or set CHROMIUM)');

test('web clone table: the committed table agrees with a fresh probe of this Chromium', { skip: noChromium && 'Chromium not found (apt-get install -y chromium, or set CHROMIUM)', timeout: 240_000 }, async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sendcheck-web-probe-'));
  const out = path.join(dir, 'fresh.json');
  try {
    const run = await runBounded(process.execPath, [path.join(root, 'tools', 'probe', 'web-clone.mjs'), '--out', out], { cwd: root, env: process.env, timeoutMs: 200_000, processGroup: true });
    assert.equal(run.code, 0, run.stderr.slice(-2000));
    const fresh = JSON.parse(fs.readFileSync(out, 'utf8')) as Probe;
    // A Chromium with no table of its own (Debian moved on) is held to the newest committed one:
    // the test fails only when what it measures differs, and then says how to add its table.
    let file = path.join(root, fresh.regenerate.split(' ').pop() as string);
    if (!fs.existsSync(file)) {
      const tables = fs.readdirSync(path.dirname(file)).filter((f) => /^chromium-\d+\.json$/.test(f)).sort((a, b) => parseInt(a.slice(9)) - parseInt(b.slice(9)));
      assert.ok(tables.length, `no committed table: run ${fresh.regenerate}`);
      file = path.join(path.dirname(file), tables[tables.length - 1]);
      t.diagnostic(`no table for ${fresh.chromium}: compared with ${path.basename(file)} (add one: ${fresh.regenerate})`);
    }
    const committed = JSON.parse(fs.readFileSync(file, 'utf8')) as Probe;
    const differ = Object.keys({ ...committed.values, ...fresh.values }).filter((k) => JSON.stringify(committed.values[k]) !== JSON.stringify(fresh.values[k]));
    t.diagnostic(`fresh probe of ${fresh.chromium}: ${Object.keys(fresh.values).length} interfaces, ${differ.length} disagree`);
    assert.deepEqual(
      differ.slice(0, 20).map((k) => `${k}: committed ${JSON.stringify(committed.values[k]) ?? 'absent'}, probed ${JSON.stringify(fresh.values[k]) ?? 'absent'}`),
      [],
      `the table for ${fresh.chromium} is stale: run ${committed.regenerate}`,
    );
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('web clone table: the merged table is current, and says what Chromium says', () => {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'sendcheck-web-gen-'));
  const r = spawnSync(process.execPath, [path.join(root, 'tools', 'gen', 'web-clone.mjs'), '--out', out], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const fresh = fs.readFileSync(path.join(out, 'web-clone.json'), 'utf8');
  fs.rmSync(out, { recursive: true, force: true });
  assert.ok(fresh === fs.readFileSync(path.join(root, 'server', 'generated', 'web-clone.json'), 'utf8'), 'server/generated/web-clone.json is stale: run node tools/gen/web-clone.mjs');
  assert.deepEqual(webCloneVerdict('URL', 'clone'), { kind: 'throws', words: 'DataCloneError: URL object could not be cloned.' });
  assert.deepEqual(webCloneVerdict('DOMMatrix', 'clone'), { kind: 'clones' });
  assert.deepEqual(webCloneVerdict('VideoFrame', 'clone'), { kind: 'clones' });
  assert.deepEqual(webCloneVerdict('VideoFrame', 'storage'), { kind: 'throws', words: 'DataCloneError: A VideoFrame cannot be serialized for storage.' });
  assert.deepEqual(webCloneVerdict('MessagePort', 'clone'), { kind: 'transfer' });
  assert.equal(webCloneVerdict('Element', 'clone')?.kind, 'throws');
  assert.equal(webCloneVerdict('NoSuchInterface', 'clone'), undefined);
});
