import * as fs from 'node:fs';
import * as path from 'node:path';
import type { JsTarget } from '../engine/config';
import type { RuntimeTarget } from './rules/rule';

// The runtime whose clone semantics decide severities. Node 20 copies URL/Headers/... to `{}`
// (a warning: data lost); Node 21+ and browsers throw (an error). The default follows current
// LTS semantics (Node 22/24): Node 20 reached end of life in April 2026.

const cache = new Map<string, RuntimeTarget | undefined>();

export function clearTargetCache(): void {
  cache.clear();
}

export function resolveTarget(file: string, setting: JsTarget, domLib: boolean, sinkRuntime: 'browser' | 'node' | undefined): RuntimeTarget {
  if (setting !== 'auto') return setting;
  if (sinkRuntime === 'browser') return 'browser';
  const fromEngines = enginesTarget(path.dirname(file));
  if (sinkRuntime === 'node') return fromEngines ?? 'node22';
  if (domLib) return 'browser';
  return fromEngines ?? 'node22';
}

/** `node20` when every alternative of package.json `engines.node` stays below Node 21, else `node22`. */
export function nodeRangeTarget(range: string): RuntimeTarget | undefined {
  const alternatives = range.split('||').map((s) => s.trim()).filter(Boolean);
  if (!alternatives.length) return undefined;
  let maxMajor = 0;
  for (const alt of alternatives) {
    const upper = /<(=?)\s*v?(\d+)(?:\.(\d+))?/.exec(alt);
    if (upper) {
      const major = Number(upper[2]);
      const exact = upper[1] === '=' || (upper[3] !== undefined && Number(upper[3]) > 0);
      maxMajor = Math.max(maxMajor, exact ? major : major - 1);
      continue;
    }
    if (/>|\*|^x$/i.test(alt)) return 'node22';
    const m = /(\d+)/.exec(alt);
    if (!m) return 'node22';
    maxMajor = Math.max(maxMajor, Number(m[1]));
  }
  return maxMajor <= 20 ? 'node20' : 'node22';
}

function enginesTarget(dir: string): RuntimeTarget | undefined {
  if (cache.has(dir)) return cache.get(dir);
  let result: RuntimeTarget | undefined;
  const pkg = path.join(dir, 'package.json');
  let found = false;
  try {
    const json = JSON.parse(fs.readFileSync(pkg, 'utf8')) as { engines?: { node?: unknown } };
    found = true;
    if (typeof json.engines?.node === 'string') result = nodeRangeTarget(json.engines.node);
  } catch {
    found = fs.existsSync(pkg);
  }
  if (!found) {
    const parent = path.dirname(dir);
    result = parent !== dir ? enginesTarget(parent) : undefined;
  }
  cache.set(dir, result);
  return result;
}
