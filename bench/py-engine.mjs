// The Python engine's own throughput, without process start, bundle load and wasm init (which
// the CLI figure includes): loads the checker once (Python engine only), then times listing
// and checking every file under a folder through the same DiskHost the CLI uses, cold, and
// once more warm (trees and models cached by file version). Prints JSON.
// Usage: node bench/py-engine.mjs <folder>
import * as esbuild from 'esbuild';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createRequire } from 'node:module';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
export const out = path.join(root, 'bench', '.cache', 'engine.cjs');

export async function buildEngineBundle() {
  fs.mkdirSync(path.dirname(out), { recursive: true });
  await esbuild.build({
    stdin: {
      contents: [
        `export { createChecker } from './server/src/check';`,
        `export { createPythonEngine } from './server/src/python';`,
        `export { DiskHost, collectFiles } from './server/src/engine/files';`,
        `export { resolveConfig } from './server/src/engine/config';`,
      ].join('\n'),
      resolveDir: root,
      loader: 'ts',
    },
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    outfile: out,
    logLevel: 'warning',
  });
  // TypeScript finds its lib files, and the JS engine its fallback typings, beside the bundle.
  const dist = path.join(root, 'dist');
  if (fs.existsSync(dist)) for (const f of fs.readdirSync(dist)) if (/^lib\..*\.d\.ts$|\.wasm$/.test(f)) fs.copyFileSync(path.join(dist, f), path.join(path.dirname(out), f));
  if (fs.existsSync(path.join(root, 'server', 'typings'))) fs.cpSync(path.join(root, 'server', 'typings'), path.join(path.dirname(out), 'typings'), { recursive: true });
  return out;
}

async function measure(folder) {
  const require = createRequire(import.meta.url);
  const { createChecker, createPythonEngine, DiskHost, collectFiles, resolveConfig } = require(out);
  const checker = createChecker([createPythonEngine()]);
  await checker.init();
  const { config } = resolveConfig({});
  const once = () => {
    const t0 = performance.now();
    const files = collectFiles([folder], { exclude: config.exclude, maxFileSize: config.maxFileSize });
    const host = new DiskHost({ roots: [folder] });
    const findings = checker.check(files, host, config);
    return { ms: performance.now() - t0, files, findings: findings.length, host };
  };
  const cold = once();
  let lines = 0;
  for (const f of cold.files) lines += (cold.host.readFile(f) ?? '').split('\n').length;
  const warm = once();
  return { files: cold.files.length, lines, coldMs: cold.ms, warmMs: warm.ms, findings: cold.findings };
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(new URL(import.meta.url).pathname)) {
  const folder = path.resolve(process.argv[2] ?? '.');
  if (!process.argv.includes('--no-build')) await buildEngineBundle();
  process.stdout.write(JSON.stringify(await measure(folder)) + '\n');
}
