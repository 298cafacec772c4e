// Times the Python engine on one generated 5 000-line file: cold (parse + analysis) and warm
// (the tree cached for an unchanged version, analysis only), and an edit (reparse + analysis).
// Run: node --import tsx test/python/bench.ts   (the project-wide numbers are in `npm run bench`).
import { performance } from 'node:perf_hooks';
import { createPythonEngine } from '../../server/src/python';
import { defaultConfig } from '../../server/src/engine/config';
import type { SourceHost } from '../../server/src/engine/types';

function generate(lines: number): string {
  const out = ['import multiprocessing as mp', 'import threading', 'from concurrent.futures import ProcessPoolExecutor', 'from queue import Queue', ''];
  let i = 0;
  while (out.length < lines) {
    out.push(
      `class Model${i}:`,
      '    def __init__(self, path):',
      '        self.path = path',
      '        self._lock = threading.RLock()',
      '        self.rows = []',
      '',
      '    def run(self, x):',
      '        return x * 2',
      '',
      '',
      `def work_${i}(x, scale=2):`,
      '    total = 0',
      '    for k in range(x):',
      '        total += k * scale',
      '    return total',
      '',
      '',
      `def run_${i}(values):`,
      '    lock = threading.Lock()',
      '    q = Queue()',
      `    model = Model${i}("data.txt")`,
      '    with ProcessPoolExecutor() as ex:',
      `        futures = [ex.submit(work_${i}, (v, lock)) for v in values]`,
      `        ex.submit(model.run, 1)`,
      '    with mp.Pool(2) as pool:',
      `        pool.map(work_${i}, values)`,
      `        pool.apply_async(work_${i}, (q,))`,
      '    return [f.result() for f in futures]',
      '',
      '',
    );
    i++;
  }
  return out.join('\n');
}

async function main() {
  const file = '/bench/generated.py';
  let text = generate(5000);
  let version = 1;
  const host: SourceHost = { readFile: () => text, fileExists: (f) => f === file, version: () => String(version) };
  const engine = createPythonEngine();
  await engine.init!();
  const check = () => engine.check({ files: [file], host, config: defaultConfig });
  let t = performance.now();
  const findings = check();
  const cold = performance.now() - t;
  const warm: number[] = [];
  for (let r = 0; r < Number(process.env.WARM_RUNS ?? 20); r++) {
    t = performance.now();
    check();
    warm.push(performance.now() - t);
  }
  const edited: number[] = [];
  for (let r = 0; r < Number(process.env.EDIT_RUNS ?? 10); r++) {
    text = text.replace('return x * 2', `return x * ${r + 3}`);
    version++;
    t = performance.now();
    check();
    edited.push(performance.now() - t);
  }
  // After the edits, whose trees were partly carried over from the previous version, the
  // findings must be exactly those of an engine that parses the final text from scratch.
  const fresh = createPythonEngine();
  await fresh.init!();
  const same = JSON.stringify(check()) === JSON.stringify(fresh.check({ files: [file], host, config: defaultConfig }));
  if (!same) {
    console.error('python engine bench: findings after edits differ from a fresh parse of the same text');
    process.exitCode = 1;
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  console.log(`python engine, ${text.split('\n').length} lines, ${findings.length} findings: cold ${cold.toFixed(1)} ms, warm median ${median(warm).toFixed(1)} ms, after an edit median ${median(edited).toFixed(1)} ms`);
}

void main();
