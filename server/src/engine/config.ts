import picomatch from 'picomatch';
import type { SeverityOverride } from './types';

export type JsTarget = 'auto' | 'node20' | 'node22' | 'browser' | 'electron-main' | 'electron-renderer';
export type StartMethod = 'auto' | 'spawn' | 'forkserver' | 'fork';
export type PythonSerializer = 'pickle' | 'cloudpickle' | 'dill';
export type PythonPlatform = 'linux' | 'macos' | 'windows';
/** The Python versions whose start-method defaults sendcheck knows; `auto` reads `requires-python`. */
export const pythonVersions = ['3.8', '3.9', '3.10', '3.11', '3.12', '3.13', '3.14'] as const;
export type PythonVersion = 'auto' | (typeof pythonVersions)[number];
export const pythonPlatforms: readonly PythonPlatform[] = ['linux', 'macos', 'windows'];

/** A call the user declares as a boundary, e.g. `{ module: 'mylib', function: 'run_remote', args: [0, 1] }`. */
export interface UserSink {
  language: 'js' | 'python';
  module: string;
  function: string;
  /** Zero-based positional arguments that cross the boundary. */
  args?: number[];
  /** Keyword (Python) or option-object property (JS) names that cross. */
  keywords?: string[];
  serializer?: 'structured-clone' | 'json' | PythonSerializer;
}

export interface SendcheckConfig {
  enable: boolean;
  languages: { javascript: boolean; typescript: boolean; python: boolean };
  rules: Record<string, SeverityOverride>;
  js: { target: JsTarget };
  python: {
    startMethod: StartMethod;
    serializer: Record<string, PythonSerializer>;
    /** The Python the code must run on: `auto` reads `requires-python` from pyproject.toml, else the newest. */
    version: PythonVersion;
    /** The platforms the code must run on; with `startMethod: auto` they decide the start methods in scope. */
    platforms: PythonPlatform[];
  };
  sinks: UserSink[];
  exclude: string[];
  /** Files larger than this many bytes are skipped with a one-line log. */
  maxFileSize: number;
  /** Baseline file of known findings, not reported again ('' for none); absolute once resolved (see project-config.ts). */
  baseline: string;
}

export const defaultConfig: SendcheckConfig = {
  enable: true,
  languages: { javascript: true, typescript: true, python: true },
  rules: {},
  js: { target: 'auto' },
  python: { startMethod: 'auto', serializer: {}, version: 'auto', platforms: ['linux', 'macos', 'windows'] },
  sinks: [],
  exclude: [],
  maxFileSize: 2_000_000,
  baseline: '',
};

export interface ConfigProblem {
  key: string;
  message: string;
}

const severities = new Set(['off', 'hint', 'info', 'warning', 'error']);
const jsTargets = new Set(['auto', 'node20', 'node22', 'browser', 'electron-main', 'electron-renderer']);
const startMethods = new Set(['auto', 'spawn', 'forkserver', 'fork']);
const serializers = new Set(['pickle', 'cloudpickle', 'dill']);

/**
 * Why a glob from the settings is refused: globs are matched against workspace-relative paths,
 * so an absolute path or one climbing out with `..` could only point outside the workspace.
 */
function globProblem(g: unknown): string | undefined {
  if (typeof g !== 'string' || g.length === 0) return 'must be a non-empty glob string';
  if (g.length > 1000 || g.includes('\0')) return 'is not a usable glob';
  if (g.startsWith('/') || /^[A-Za-z]:[\\/]/.test(g) || g.split(/[\\/]/).includes('..'))
    return 'must be relative to the workspace folder (no absolute paths, no "..")';
  try {
    picomatch.makeRe(g);
  } catch (e) {
    return `is not a valid glob (${(e as Error).message})`;
  }
  return undefined;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Merges user settings (from VS Code, a project configuration file, the CLI or LSP
 * initializationOptions) over `base` (the defaults, or a layer of lower precedence): values
 * replace, objects keyed by user data (`rules`, `python.serializer`) merge key by key, and lists
 * (`sinks`, `exclude`) add to the base's. Invalid values are dropped and reported, never thrown:
 * a typo in settings must not take the checker down.
 */
export function resolveConfig(raw: unknown, base: SendcheckConfig = defaultConfig): { config: SendcheckConfig; problems: ConfigProblem[] } {
  const problems: ConfigProblem[] = [];
  const config: SendcheckConfig = structuredClone(base);
  if (raw === undefined || raw === null) return { config, problems };
  if (!isRecord(raw)) {
    problems.push({ key: 'sendcheck', message: 'settings must be an object' });
    return { config, problems };
  }
  const bad = (key: string, message: string) => problems.push({ key: `sendcheck.${key}`, message });
  for (const key of unknownKeys(raw)) bad(key, `is not a sendcheck setting${spellingHint(key)}`);

  if (raw.enable !== undefined) {
    if (typeof raw.enable === 'boolean') config.enable = raw.enable;
    else bad('enable', 'must be true or false');
  }
  if (raw.languages !== undefined) {
    if (!isRecord(raw.languages)) bad('languages', 'must be an object');
    else
      for (const [k, v] of Object.entries(raw.languages)) {
        if (!(k in config.languages)) bad(`languages.${k}`, 'unknown language');
        else if (typeof v !== 'boolean') bad(`languages.${k}`, 'must be true or false');
        else config.languages[k as keyof SendcheckConfig['languages']] = v;
      }
  }
  if (raw.rules !== undefined) {
    if (!isRecord(raw.rules)) bad('rules', 'must be an object of rule id to severity');
    else
      for (const [k, v] of Object.entries(raw.rules)) {
        if (typeof v === 'string' && severities.has(v)) config.rules[k] = v as SeverityOverride;
        else bad(`rules.${k}`, 'must be one of off, hint, info, warning, error');
      }
  }
  if (raw.js !== undefined) {
    if (isRecord(raw.js) && raw.js.target !== undefined) {
      if (typeof raw.js.target === 'string' && jsTargets.has(raw.js.target)) config.js.target = raw.js.target as JsTarget;
      else bad('js.target', 'must be one of auto, node20, node22, browser, electron-main, electron-renderer');
    } else if (!isRecord(raw.js)) bad('js', 'must be an object');
  }
  if (raw.python !== undefined) {
    if (!isRecord(raw.python)) bad('python', 'must be an object');
    else {
      const { startMethod, serializer, version, platforms } = raw.python;
      if (version !== undefined) {
        if (typeof version === 'string' && (version === 'auto' || (pythonVersions as readonly string[]).includes(version))) config.python.version = version as PythonVersion;
        else bad('python.version', `must be one of auto, ${pythonVersions.join(', ')}`);
      }
      if (platforms !== undefined) {
        if (Array.isArray(platforms) && platforms.length > 0 && platforms.every((p) => typeof p === 'string' && (pythonPlatforms as readonly string[]).includes(p)))
          config.python.platforms = [...new Set(platforms as PythonPlatform[])];
        else bad('python.platforms', 'must be a non-empty list of linux, macos, windows');
      }
      if (startMethod !== undefined) {
        if (typeof startMethod === 'string' && startMethods.has(startMethod)) config.python.startMethod = startMethod as StartMethod;
        else bad('python.startMethod', 'must be one of auto, spawn, forkserver, fork');
      }
      if (serializer !== undefined) {
        if (!isRecord(serializer)) bad('python.serializer', 'must be an object of library name to pickle, cloudpickle or dill');
        else
          for (const [lib, s] of Object.entries(serializer)) {
            if (typeof s === 'string' && serializers.has(s)) config.python.serializer[lib] = s as PythonSerializer;
            else bad(`python.serializer.${lib}`, 'must be pickle, cloudpickle or dill');
          }
      }
    }
  }
  if (raw.sinks !== undefined) {
    if (!Array.isArray(raw.sinks)) bad('sinks', 'must be an array');
    else
      raw.sinks.forEach((s, i) => {
        const valid =
          isRecord(s) &&
          (s.language === 'js' || s.language === 'python') &&
          typeof s.module === 'string' &&
          /^[\w@./:-]{1,200}$/.test(s.module) &&
          typeof s.function === 'string' &&
          /^[\w$.]{1,200}$/.test(s.function) &&
          (s.args === undefined || (Array.isArray(s.args) && s.args.every((a) => Number.isInteger(a) && a >= 0))) &&
          (s.keywords === undefined || (Array.isArray(s.keywords) && s.keywords.every((k) => typeof k === 'string')));
        if (valid) config.sinks.push(s as unknown as UserSink);
        else bad(`sinks[${i}]`, 'needs language (js|python), module, function, and optional args (indices) / keywords (names)');
      });
  }
  if (raw.exclude !== undefined) {
    if (!Array.isArray(raw.exclude)) bad('exclude', 'must be an array of glob strings');
    else
      raw.exclude.forEach((g, i) => {
        const problem = globProblem(g);
        if (problem) bad(`exclude[${i}]`, problem);
        else config.exclude.push(g as string);
      });
  }
  if (raw.maxFileSize !== undefined) {
    if (typeof raw.maxFileSize === 'number' && Number.isFinite(raw.maxFileSize) && raw.maxFileSize > 0) config.maxFileSize = raw.maxFileSize;
    else bad('maxFileSize', 'must be a positive number of bytes');
  }
  if (raw.baseline !== undefined) {
    if (typeof raw.baseline === 'string' && raw.baseline.length <= 1000 && !raw.baseline.includes('\0')) config.baseline = raw.baseline;
    else bad('baseline', 'must be the path of a baseline file (written by sendcheck --baseline-write)');
  }
  return { config, problems };
}

/** Keys of `raw` that name no setting, as dotted paths (the sections `js` and `python` are looked into). */
function unknownKeys(raw: Record<string, unknown>): string[] {
  const known = defaultConfig as unknown as Record<string, unknown>;
  const out: string[] = [];
  for (const [k, v] of Object.entries(raw)) {
    if (!(k in known)) out.push(k);
    else if ((k === 'js' || k === 'python') && isRecord(v))
      for (const sub of Object.keys(v)) if (!(sub in (known[k] as Record<string, unknown>))) out.push(`${k}.${sub}`);
  }
  return out;
}

/** `start-method` and `start_method` are how TOML users may spell `startMethod`. */
function spellingHint(key: string): string {
  const last = key.split('.').pop() ?? key;
  const camel = last.replace(/[-_]([a-z])/g, (_, c: string) => c.toUpperCase());
  return camel !== last ? ` (did you mean ${key.slice(0, key.length - last.length)}${camel}?)` : '';
}
