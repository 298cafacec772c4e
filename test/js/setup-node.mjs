// Makes real Node binaries available to the oracle test: `node test/js/setup-node.mjs 20 24`
// prints one absolute path per requested major version. A version is taken from
// $SENDCHECK_NODE<major>, from the running node when the major matches, or installed once
// from the npm registry (the `node` package) into test/.cache/node<major>/. CI runs this
// before `npm test`; the oracle test also calls it, so a fresh clone needs no extra step.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

const root = path.resolve(import.meta.dirname, '..', '..');
const versions = { 20: '20', 22: '22', 24: '24' };

function binaryIn(dir) {
  for (const rel of ['node_modules/node/bin/node', 'node_modules/.bin/node']) {
    const f = path.join(dir, rel);
    if (fs.existsSync(f)) return f;
  }
  return undefined;
}

function ensure(major) {
  const fromEnv = process.env[`SENDCHECK_NODE${major}`];
  if (fromEnv && fs.existsSync(fromEnv)) return fromEnv;
  if (process.versions.node.split('.')[0] === String(major)) return process.execPath;
  const dir = path.join(root, 'test', '.cache', `node${major}`);
  const existing = binaryIn(dir);
  if (existing) return existing;
  fs.mkdirSync(dir, { recursive: true });
  // npm only runs the `node` package's install script (which fetches the binary) when allowed.
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: `sendcheck-node${major}`, private: true, allowScripts: { node: true } }, null, 2));
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const r = spawnSync(npm, ['install', '--no-audit', '--no-fund', '--loglevel=error', `node@${versions[major] ?? major}`], { cwd: dir, stdio: ['ignore', 'ignore', 'inherit'], timeout: 300_000, shell: process.platform === 'win32' });
  const installed = binaryIn(dir);
  if (r.status !== 0 || !installed) throw new Error(`could not install node@${major} into ${dir}`);
  return installed;
}

const majors = process.argv.slice(2);
for (const m of majors.length ? majors : ['20', '24']) console.log(ensure(Number(m)));
