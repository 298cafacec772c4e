import * as path from 'node:path';
import type { parse as ParseToml } from 'smol-toml' with { 'resolution-mode': 'import' };
import { pythonVersions, type PythonPlatform, type SendcheckConfig } from '../engine/config';
import type { Finding, SourceHost } from '../engine/types';
import type { ConcreteMethod } from './resolve';

// The Python versions and platforms the code must run on, and the start methods they bring when
// neither the code nor the settings choose one. Python's own defaults: `spawn` on Windows (the
// only method there) and on macOS (since 3.8); on Linux `fork` up to 3.13 and `forkserver` from
// 3.14 (the "Changed in version 3.14" notes of the multiprocessing docs).

const parseToml: typeof ParseToml = require('smol-toml').parse;

/** One start method in scope, and where it applies, for messages: `macOS, Windows`, `Linux, Python ≥ 3.14`. */
export interface Scenario {
  method: ConcreteMethod;
  where: string;
}

/** Minor versions of Python 3 in scope, as a closed range. */
interface Minors {
  min: number;
  max: number;
}

const known = pythonVersions.map((v) => Number(v.split('.')[1]));
const oldest = Math.min(...known);
const newest = Math.max(...known);
/** The first minor version whose Linux default is forkserver. */
const FORKSERVER_DEFAULT = 14;

export function scenariosFor(platforms: readonly PythonPlatform[], minors: Minors): Scenario[] {
  const out: Scenario[] = [];
  const spawnOn = [platforms.includes('macos') ? 'macOS' : '', platforms.includes('windows') ? 'Windows' : ''].filter(Boolean);
  if (spawnOn.length) out.push({ method: 'spawn', where: spawnOn.join(', ') });
  if (platforms.includes('linux')) {
    if (minors.max >= FORKSERVER_DEFAULT) out.push({ method: 'forkserver', where: 'Linux, Python ≥ 3.14' });
    if (minors.min < FORKSERVER_DEFAULT) {
      const last = Math.min(minors.max, FORKSERVER_DEFAULT - 1);
      out.push({ method: 'fork', where: minors.min === last ? `Linux, Python 3.${last}` : `Linux, Python ≤ 3.${last}` });
    }
  }
  return out;
}

/** How the scenarios of one start-method family read in a message: `spawn (macOS, Windows) and forkserver (Linux, Python ≥ 3.14)`. */
export function describeScenarios(list: readonly Scenario[]): string {
  return list.map((s) => `${s.method} (${s.where})`).join(' and ');
}

/**
 * The minor versions `requires-python` allows, at the granularity that matters here (the start
 * method changes between minor versions). Clauses it cannot read are ignored; `!=` never narrows.
 */
export function minorsAllowed(spec: string): Minors | undefined {
  let min = oldest;
  let max = newest;
  for (const raw of spec.split(',')) {
    const m = /^\s*(>=|<=|==|~=|>|<)\s*3\.(\d+)(\.\d+|\.\*)?\s*$/.exec(raw);
    if (!m) continue;
    const minor = Number(m[2]);
    const patch = m[3] && m[3] !== '.*' ? Number(m[3].slice(1)) : undefined;
    switch (m[1]) {
      case '>=':
        min = Math.max(min, minor);
        break;
      case '>':
        min = Math.max(min, patch === undefined ? minor + 1 : minor);
        break;
      case '<':
        max = Math.min(max, patch === undefined || patch === 0 ? minor - 1 : minor);
        break;
      case '<=':
        max = Math.min(max, minor);
        break;
      case '==':
        min = Math.max(min, minor);
        max = Math.min(max, minor);
        break;
      case '~=':
        min = Math.max(min, minor);
        if (patch !== undefined) max = Math.min(max, minor);
        break;
    }
  }
  if (min > max) return undefined;
  return { min: Math.min(min, newest), max: Math.max(Math.min(max, newest), oldest) };
}

/**
 * Reads `requires-python` from the nearest pyproject.toml at or above the file's folder, through
 * the host (which refuses anything outside the workspace), remembering each folder's answer for
 * one check.
 */
export class PythonVersionFinder {
  private byDir = new Map<string, string | null>();

  constructor(private readonly host: SourceHost) {}

  requiresPython(file: string): string | undefined {
    const seen: string[] = [];
    let found: string | null = null;
    for (let dir = path.dirname(file), i = 0; i < 12; i++) {
      const hit = this.byDir.get(dir);
      if (hit !== undefined) {
        found = hit;
        break;
      }
      seen.push(dir);
      const text = this.host.readFile(path.join(dir, 'pyproject.toml'));
      if (text !== undefined) {
        found = readRequiresPython(text) ?? null;
        if (found !== null) break;
      }
      const up = path.dirname(dir);
      if (up === dir) break;
      dir = up;
    }
    for (const d of seen) this.byDir.set(d, found);
    return found ?? undefined;
  }
}

function readRequiresPython(text: string): string | undefined {
  if (!text.includes('requires-python')) return undefined;
  try {
    const doc = parseToml(text) as { project?: { 'requires-python'?: unknown } };
    const v = doc.project?.['requires-python'];
    return typeof v === 'string' ? v : undefined;
  } catch {
    return undefined;
  }
}

/** The start methods in scope for a file whose code chooses none. */
export function profileScenarios(config: SendcheckConfig, file: string, versions: PythonVersionFinder): Scenario[] {
  const v = config.python.version;
  let minors: Minors;
  if (v !== 'auto') {
    const minor = Number(v.split('.')[1]);
    minors = { min: minor, max: minor };
  } else {
    const spec = versions.requiresPython(file);
    minors = (spec && minorsAllowed(spec)) || { min: newest, max: newest };
  }
  return scenariosFor(config.python.platforms, minors);
}

/**
 * Findings under the non-fork methods in scope (`spawned`) and under fork (`forked`), as one
 * list: what both report stands as it is; what only one reports says where it holds. A fork-only
 * finding on an argument the spawn run already reports is left out: the error's fix covers it.
 */
export function mergeScenarioFindings(spawned: Finding[], forked: Finding[], spawnScenarios: Scenario[], forkScenarios: Scenario[]): Finding[] {
  const key = (f: Finding) => `${f.rule}\0${f.file}\0${f.range.start.line}:${f.range.start.character}-${f.range.end.line}:${f.range.end.character}`;
  const at = (f: Finding) => `${f.file}\0${f.range.start.line}:${f.range.start.character}`;
  const forkKeys = new Set(forked.map(key));
  const spawnKeys = new Set(spawned.map(key));
  const spawnPlaces = new Set(spawned.map(at));
  const out: Finding[] = [];
  for (const f of spawned) {
    if (forkKeys.has(key(f))) out.push(f);
    else out.push({ ...f, message: `${f.message}; this fails under ${describeScenarios(spawnScenarios)}, not under ${describeScenarios(forkScenarios)}` });
  }
  for (const f of forked) {
    if (spawnKeys.has(key(f)) || spawnPlaces.has(at(f))) continue;
    out.push({ ...f, message: `${f.message}; this holds under ${describeScenarios(forkScenarios)} only` });
  }
  return out;
}
