import * as fs from 'node:fs';
import * as path from 'node:path';
import type { RuntimeTarget } from './rules/rule';

// Node's own verdicts on its built-in classes, measured by tools/probe/node-clone.mjs on each
// Node major (a worker port's postMessage) and merged by tools/gen/node-clone.mjs. Read on first
// use; the product never runs the probe.

interface Table {
  majors: string[];
  /** `module.Class` → per major: the runtime's words when it throws, 0 when it clones with its prototype, 1 when it arrives as a plain object. */
  values: Record<string, Record<string, string | 0 | 1>>;
}

let table: Table | null | undefined;
function load(): Table | undefined {
  if (table === undefined) {
    table = null;
    for (const dir of [path.join(__dirname, 'generated'), path.join(__dirname, '..', '..', 'generated')]) {
      const f = path.join(dir, 'node-clone.json');
      if (fs.existsSync(f)) {
        table = JSON.parse(fs.readFileSync(f, 'utf8')) as Table;
        break;
      }
    }
  }
  return table ?? undefined;
}

/** The majors a target stands for: `node22` is current LTS semantics, which Node 24 shares. */
const majorsOf: Partial<Record<RuntimeTarget, string[]>> = { node20: ['node20'], node22: ['node22', 'node24'], 'electron-main': ['node22'] };

/**
 * What a worker port does with an instance of a Node built-in class on the target: the runtime's
 * words when some Node of the target throws, `clones` when every one measured rebuilds it with its
 * prototype, or undefined otherwise (never measured, or copied to a plain object).
 */
export function nodeCloneVerdict(module: string, name: string, target: RuntimeTarget): { throws: string } | 'clones' | undefined {
  const t = load();
  const entry = t?.values[`${module}.${name}`];
  const majors = majorsOf[target];
  if (!entry || !majors) return undefined;
  const measured = majors.filter((m) => m in entry);
  if (!measured.length) return undefined;
  const words = measured.map((m) => entry[m]).find((w): w is string => typeof w === 'string');
  if (words) return { throws: words };
  // A plain copy depends on what the instance held when measured: not a verdict.
  return measured.every((m) => entry[m] === 0) ? 'clones' : undefined;
}
