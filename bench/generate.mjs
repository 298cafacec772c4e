// Writes a large, realistic, deterministic workspace for `npm run bench`: about 200 000 lines of
// TypeScript in ~2 000 modules (imports, classes, generics, a few percent with worker sinks) and
// about 150 000 lines of Python (multiprocessing / concurrent.futures in a few percent of files).
// Same seed, same bytes: runs on different days compare.
import * as fs from 'node:fs';
import * as path from 'node:path';

export function generateWorkspace(dir, { tsModules = 2000, pyModules = 1500, seed = 20261122 } = {}) {
  let state = seed >>> 0;
  const rand = () => {
    // mulberry32
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const pick = (xs) => xs[Math.floor(rand() * xs.length)];
  fs.rmSync(dir, { recursive: true, force: true });
  const ts = path.join(dir, 'ts');
  const py = path.join(dir, 'py');
  fs.mkdirSync(path.join(ts, 'src'), { recursive: true });
  fs.mkdirSync(path.join(py, 'app'), { recursive: true });
  fs.writeFileSync(
    path.join(ts, 'tsconfig.json'),
    JSON.stringify({ compilerOptions: { target: 'ES2022', module: 'Node16', moduleResolution: 'Node16', strict: true, types: ['node'], skipLibCheck: true, noEmit: true }, include: ['src'] }, null, 2),
  );
  fs.writeFileSync(path.join(ts, 'package.json'), JSON.stringify({ name: 'bench-ts', private: true, type: 'commonjs', engines: { node: '>=22' } }, null, 2));

  let tsLines = 0;
  let tsBad = 0;
  let pyBad = 0;
  const sinkFiles = [];
  for (let i = 0; i < tsModules; i++) {
    const name = `mod${String(i).padStart(4, '0')}`;
    const lines = [];
    const deps = i === 0 ? [] : Array.from({ length: Math.min(i, 3) }, () => Math.floor(rand() * i));
    for (const d of new Set(deps)) lines.push(`import { Model${d}, make${d} } from './mod${String(d).padStart(4, '0')}';`);
    const withSink = rand() < 0.04;
    if (withSink) lines.push(`import { Worker } from 'node:worker_threads';`);
    lines.push('');
    lines.push(`export interface Record${i}<T> {`, `  id: number;`, `  name: string;`, `  tags: string[];`, `  payload: T;`, `  createdAt: Date;`, `}`, '');
    lines.push(`export class Model${i}<T = unknown> {`, `  private items = new Map<number, Record${i}<T>>();`, `  constructor(readonly label: string) {}`);
    for (let m = 0; m < 6; m++) {
      const kind = pick(['add', 'find', 'sum', 'filter']);
      if (kind === 'add') lines.push(`  add${m}(id: number, payload: T): Record${i}<T> {`, `    const r: Record${i}<T> = { id, name: this.label + id, tags: ['t${m}'], payload, createdAt: new Date() };`, `    this.items.set(id, r);`, `    return r;`, `  }`);
      else if (kind === 'find') lines.push(`  find${m}(pred: (r: Record${i}<T>) => boolean): Record${i}<T> | undefined {`, `    for (const r of this.items.values()) if (pred(r)) return r;`, `    return undefined;`, `  }`);
      else if (kind === 'sum') lines.push(`  sum${m}(): number {`, `    let total = 0;`, `    for (const r of this.items.values()) total += r.id * ${m + 1};`, `    return total;`, `  }`);
      else lines.push(`  filter${m}(tag: string): Array<Record${i}<T>> {`, `    return [...this.items.values()].filter((r) => r.tags.includes(tag));`, `  }`);
      lines.push('');
    }
    lines.push(`}`, '');
    lines.push(`export function make${i}(label: string): Model${i}<number> {`, `  const m = new Model${i}<number>(label);`);
    for (const d of new Set(deps)) lines.push(`  const dep${d} = make${d}(label + '${d}');`, `  void dep${d};`, `  void (null as unknown as Model${d});`);
    lines.push(`  return m;`, `}`, '');
    for (let f = 0; f < 3; f++) {
      lines.push(`export function helper${i}_${f}(xs: number[], scale = ${f + 1}): { min: number; max: number; mean: number } {`);
      lines.push(`  let min = Infinity;`, `  let max = -Infinity;`, `  let total = 0;`, `  for (const x of xs) {`, `    const y = x * scale;`, `    if (y < min) min = y;`, `    if (y > max) max = y;`, `    total += y;`, `  }`, `  return { min, max, mean: xs.length ? total / xs.length : 0 };`, `}`, '');
    }
    if (withSink) {
      sinkFiles.push(name);
      const bad = rand() < 0.5;
      if (bad) tsBad++;
      lines.push(`export function offload${i}(file: string): void {`, `  const worker = new Worker(file);`, `  const job = { id: ${i}, values: [1, 2, 3], when: new Date()${bad ? ', onDone: (n: number) => console.log(n)' : ''} };`, `  worker.postMessage(job);`, `}`, '');
    }
    tsLines += lines.length;
    fs.writeFileSync(path.join(ts, 'src', `${name}.ts`), lines.join('\n'));
  }

  let pyLines = 0;
  for (let i = 0; i < pyModules; i++) {
    const lines = [`"""Generated module ${i}."""`, 'from __future__ import annotations', '', 'import dataclasses', 'import json', 'import math'];
    const withSink = rand() < 0.04;
    if (withSink) lines.push('import multiprocessing as mp', 'import threading', 'from concurrent.futures import ProcessPoolExecutor');
    lines.push('', '');
    lines.push('@dataclasses.dataclass', `class Item${i}:`, '    id: int', '    name: str', '    weight: float = 1.0', '', '    def score(self, scale: float = 1.0) -> float:', '        return math.sqrt(self.weight * scale) + len(self.name)', '', '');
    for (let f = 0; f < 7; f++) {
      lines.push(`def transform_${i}_${f}(items: list[Item${i}], factor: float = ${f + 1}.0) -> dict[str, float]:`);
      lines.push('    out: dict[str, float] = {}', '    for item in items:', '        value = item.score(factor)', '        if value > 10:', '            value = math.log(value)', '        out[item.name] = round(value, 3)', '    return out', '', '');
    }
    lines.push(`class Store${i}:`, '    def __init__(self, path: str) -> None:', '        self.path = path', '        self.rows: list[dict] = []', '', '    def load(self) -> None:', '        with open(self.path) as f:', '            self.rows = json.load(f)', '', '    def total(self) -> float:', "        return sum(r.get('v', 0) for r in self.rows)", '', '');
    if (withSink) {
      const bad = rand() < 0.5;
      if (bad) pyBad++;
      lines.push(`def work_${i}(x):`, '    return x * 2', '', '');
      lines.push(`def run_${i}(values):`);
      if (bad) lines.push('    lock = threading.Lock()', '    with ProcessPoolExecutor() as ex:', '        futures = [ex.submit(work_' + i + ', (v, lock)) for v in values]', '        return [f.result() for f in futures]');
      else lines.push('    with mp.Pool(2) as pool:', `        return pool.map(work_${i}, values)`);
      lines.push('', '');
    }
    pyLines += lines.length;
    fs.writeFileSync(path.join(py, 'app', `mod${String(i).padStart(4, '0')}.py`), lines.join('\n'));
  }
  // tsBad / pyBad: planted sends that must be reported (a function in the message; a lock to a process pool).
  return { tsLines, pyLines, tsModules, pyModules, sinkFiles: sinkFiles.length, tsBad, pyBad };
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(new URL(import.meta.url).pathname)) {
  const dir = path.resolve(process.argv[2] ?? 'bench/workspace');
  const t = Date.now();
  const info = generateWorkspace(dir);
  console.log(`generated ${dir}: ${info.tsLines} TS lines in ${info.tsModules} modules (${info.sinkFiles} with sinks), ${info.pyLines} Python lines in ${info.pyModules} files, ${Date.now() - t} ms`);
}
