import * as path from 'node:path';
import type { JsTarget } from '../engine/config';
import type { SourceHost } from '../engine/types';
import type { RuntimeTarget } from './rules/rule';

// The runtime whose clone semantics decide severities. Node 20 copies URL/Headers/... to `{}`
// (a warning: data lost); Node 21+ and browsers throw (an error). The default follows current
// LTS semantics (Node 22/24): Node 20 reached end of life in April 2026.

// Keyed by folder; each entry remembers the package.json version it was read at.
const cache = new Map<string, { version: string; result: RuntimeTarget | undefined; found: boolean }>();

export function clearTargetCache(): void {
  cache.clear();
}

export function resolveTarget(file: string, setting: JsTarget, domLib: boolean, sinkRuntime: 'browser' | 'node' | undefined, host: SourceHost): RuntimeTarget {
  if (setting !== 'auto') return setting;
  if (sinkRuntime === 'browser') return 'browser';
  const fromEngines = enginesTarget(path.dirname(file), host);
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

/** `engines.node` of the nearest package.json, read through the host (so never outside the workspace). */
function enginesTarget(dir: string, host: SourceHost): RuntimeTarget | undefined {
  for (let i = 0; i < 64; i++) {
    const pkg = path.join(dir, 'package.json');
    const version = host.fileExists(pkg) ? host.version(pkg) : 'missing';
    let entry = cache.get(dir);
    if (!entry || entry.version !== version) {
      entry = { version, result: undefined, found: version !== 'missing' };
      if (entry.found) {
        try {
          const json = JSON.parse(host.readFile(pkg) ?? '') as { engines?: { node?: unknown } };
          if (typeof json.engines?.node === 'string') entry.result = nodeRangeTarget(json.engines.node);
        } catch {
          /* an unreadable package.json still ends the search, as npm's would */
        }
      }
      cache.set(dir, entry);
    }
    if (entry.found) return entry.result;
    const parent = path.dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
  return undefined;
}
