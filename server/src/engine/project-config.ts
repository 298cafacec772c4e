import * as path from 'node:path';
import picomatch from 'picomatch';
import type { parse as ParseToml } from 'smol-toml' with { 'resolution-mode': 'import' };
import { defaultConfig, resolveConfig, type ConfigProblem, type SendcheckConfig } from './config';
import { isInside } from './files';

// smol-toml ships CommonJS beside its ES module but declares types for the latter only.
const parseToml: typeof ParseToml = require('smol-toml').parse;

// Project configuration files, shared by the CLI and the language server: `sendcheck.json`,
// `.sendcheckrc.json`, `[tool.sendcheck]` in pyproject.toml or a "sendcheck" key in package.json.
// The nearest one at or above a file's folder applies (packages of a monorepo can differ), never
// one above the workspace folder (the CLI: the working folder), where nothing is read.
// Precedence, lowest first: defaults < project file < settings given explicitly (editor settings
// the user set, CLI flags). Values replace, rule severities merge rule by rule, lists add up.

/** In the order they are preferred when one folder holds several. */
export const projectConfigFiles = ['sendcheck.json', '.sendcheckrc.json', 'pyproject.toml', 'package.json'] as const;

export interface ProjectConfig {
  file: string;
  /** The sendcheck section as written; undefined when the file cannot be parsed. */
  section: unknown;
  /** The file itself is unreadable, or another one in the same folder is shadowed by it. */
  problems: SettingsProblem[];
}

/** A settings problem and where it was found: a project file, or the settings given explicitly. */
export interface SettingsProblem extends ConfigProblem {
  file?: string;
}

export function isProjectConfigFile(file: string): boolean {
  return (projectConfigFiles as readonly string[]).includes(path.basename(file));
}

/** How a key is spelled in `file`, for messages: `tool.sendcheck.python.startMethod`, `sendcheck.rules`… */
function keyIn(file: string, key: string): string {
  const bare = key.replace(/^sendcheck\.?/, '');
  switch (path.basename(file)) {
    case 'pyproject.toml':
      return `[tool.sendcheck]${bare ? ` ${bare}` : ''}`;
    case 'package.json':
      return `"sendcheck"${bare ? ` ${bare}` : ''}`;
    default:
      return bare;
  }
}

/** One line for the log, the editor or stderr: the file (relative to `cwd` when given) and the key. */
export function formatProblem(p: SettingsProblem, cwd?: string): string {
  // A key whose value was dropped falls back to its default; a message about a whole file says what happens itself.
  const fallback = p.key && !/using the default/.test(p.message) ? '; using the default' : '';
  if (!p.file) return `setting ${p.key} ${p.message}${fallback}`;
  const shown = cwd && isInside(p.file, cwd) ? path.relative(cwd, p.file) : p.file;
  const key = keyIn(p.file, p.key);
  return `${shown}: ${key ? `${key} ` : ''}${p.message}${fallback}`;
}

/**
 * Reads the sendcheck section of a candidate file; undefined when the file holds none (a
 * pyproject.toml or package.json of someone else's making). A file that cannot be parsed counts
 * only when it mentions sendcheck: its problem is reported and the defaults apply.
 */
export function readProjectConfig(file: string, text: string): ProjectConfig | undefined {
  const name = path.basename(file);
  const unreadable = (e: unknown): ProjectConfig => ({
    file,
    section: undefined,
    problems: [{ key: '', message: `cannot be parsed (${((e as Error)?.message ?? String(e)).split('\n')[0]}); using the defaults` }],
  });
  if (name === 'pyproject.toml') {
    let doc: Record<string, unknown>;
    try {
      doc = parseToml(text) as Record<string, unknown>;
    } catch (e) {
      return /^\s*\[\s*tool\s*\.\s*sendcheck\b|^\s*tool\s*\.\s*sendcheck\b/m.test(text) ? unreadable(e) : undefined;
    }
    const tool = doc.tool as Record<string, unknown> | undefined;
    return tool && typeof tool === 'object' && 'sendcheck' in tool ? { file, section: tool.sendcheck, problems: [] } : undefined;
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  } catch (e) {
    return name !== 'package.json' || /"sendcheck"\s*:/.test(text) ? unreadable(e) : undefined;
  }
  if (name === 'package.json') {
    return doc && typeof doc === 'object' && 'sendcheck' in doc ? { file, section: (doc as Record<string, unknown>).sendcheck, problems: [] } : undefined;
  }
  // A JSON schema reference is welcome in sendcheck.json; it is not a setting.
  if (doc && typeof doc === 'object' && !Array.isArray(doc) && '$schema' in doc) {
    const { $schema: _, ...rest } = doc as Record<string, unknown>;
    doc = rest;
  }
  return { file, section: doc, problems: [] };
}

/** Finds the project configuration of folders, caching what each folder holds until told it changed. */
export class ProjectConfigFinder {
  private held = new Map<string, ProjectConfig | null>();
  /** Counts the changes seen, so settings resolved from older contents are resolved again. */
  generation = 0;

  /** `read` returns a file's text, or undefined when it is missing or may not be read. */
  constructor(private readonly read: (file: string) => string | undefined) {}

  /** The configuration that applies in `dir`: the nearest at or above it, not above `stop`. */
  nearest(dir: string, stop: string): ProjectConfig | undefined {
    if (!isInside(dir, stop)) return undefined;
    for (let d = dir; ; ) {
      const held = this.heldBy(d);
      if (held) return held;
      const parent = path.dirname(d);
      if (d === stop || parent === d) return undefined;
      d = parent;
    }
  }

  /** The configuration file in `dir` itself, if any. */
  heldBy(dir: string): ProjectConfig | undefined {
    let held = this.held.get(dir);
    if (held === undefined) {
      held = null;
      for (const name of projectConfigFiles) {
        const file = path.join(dir, name);
        const text = this.read(file);
        const found = text === undefined ? undefined : readProjectConfig(file, text);
        if (!found) continue;
        if (!held) held = found;
        else held.problems.push({ file: found.file, key: '', message: `is not used: ${path.basename(held.file)} in the same folder holds sendcheck settings too, and wins` });
      }
      this.held.set(dir, held);
    }
    return held ?? undefined;
  }

  /**
   * Forgets what the folder of `file` (a configuration file that changed, appeared or went)
   * holds; tells whether the settings it yields changed, so unrelated edits to a pyproject.toml
   * or package.json re-check nothing.
   */
  changed(file: string): boolean {
    const dir = path.dirname(file);
    const before = this.held.get(dir);
    this.held.delete(dir);
    const changed = before === undefined || JSON.stringify(before) !== JSON.stringify(this.heldBy(dir) ?? null);
    if (changed) this.generation++;
    return changed;
  }

  clear(): void {
    this.held.clear();
    this.generation++;
  }
}

/** The settings for one file, and where they came from. */
export interface ResolvedConfig {
  config: SendcheckConfig;
  /** The project configuration file that applied, if any. */
  projectFile?: string;
  /** Dotted keys given explicitly (editor settings the user set, CLI flags), which won over the project file. */
  explicitKeys: string[];
  problems: SettingsProblem[];
}

/** Settings given explicitly, applied over a base; the editor's or the CLI's validation. */
export type ExplicitLayer = (base: SendcheckConfig) => { config: SendcheckConfig; problems: ConfigProblem[] };

/** `gen/**` written in packages/a/pyproject.toml means `packages/a/gen/**` from the workspace folder. */
function rebaseGlob(glob: string, relDir: string): string {
  if (!relDir) return glob;
  const prefix = relDir.split(path.sep).join('/').replace(/[\\*?[\]{}()!+@]/g, '\\$&');
  return `${prefix}/${glob}`;
}

/** Settings of one person's editor (when to check, how to show things) have no place in a shared file. */
const editorOnlyKeys = ['run', 'baselineFindings', 'trace'];

function withoutEditorKeys(section: unknown, problems: SettingsProblem[], file: string): unknown {
  if (!section || typeof section !== 'object' || Array.isArray(section)) return section;
  const rest = { ...(section as Record<string, unknown>) };
  for (const key of editorOnlyKeys)
    if (key in rest) {
      delete rest[key];
      problems.push({ file, key: `sendcheck.${key}`, message: 'is an editor setting: set it in the editor, not in a project file' });
    }
  return rest;
}

/** Dotted paths of the leaves of a settings object, e.g. `python.startMethod`, `rules`. */
function settingKeys(raw: unknown, prefix = ''): string[] {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return [];
  return Object.entries(raw).flatMap(([k, v]) =>
    (k === 'js' || k === 'python') && !prefix && v && typeof v === 'object' && !Array.isArray(v) ? settingKeys(v, `${k}.`) : [prefix + k],
  );
}

/**
 * Resolves the settings of the files under one scope root (a workspace folder, or the CLI's
 * working folder): the project file of each folder, then the explicit layer over it. Paths in a
 * project file (`exclude` globs, `baseline`) are relative to that file's folder, explicit ones to
 * the scope root; once resolved, `exclude` globs are relative to the scope root and `baseline` is
 * absolute.
 */
export class ConfigResolver {
  private byProject = new Map<string, ResolvedConfig>();
  private byDir = new Map<string, ResolvedConfig>();
  private generation = -1;
  private matchers = new WeakMap<SendcheckConfig, (p: string) => boolean>();

  constructor(
    readonly scopeRoot: string,
    /** Undefined: no project files (a file outside every workspace folder). */
    private readonly finder: ProjectConfigFinder | undefined,
    private readonly explicit: ExplicitLayer,
    /** Keys the explicit layer sets (for "which settings won"), when known. */
    private readonly explicitRaw?: unknown,
    /** A configuration file named on the command line: it applies everywhere, nothing is searched. */
    private readonly fixed?: ProjectConfig,
  ) {}

  forFile(file: string): ResolvedConfig {
    return this.forDir(path.dirname(file));
  }

  forDir(dir: string): ResolvedConfig {
    if (this.finder && this.finder.generation !== this.generation) {
      this.byProject.clear();
      this.byDir.clear();
      this.generation = this.finder.generation;
    }
    // Asked for every file and folder of a scan: the walk up to the nearest project file is made
    // once per folder (what each folder holds is cached by the finder until a change bumps its generation).
    let resolved = this.byDir.get(dir);
    if (resolved) return resolved;
    const project = this.fixed ?? this.finder?.nearest(dir, this.scopeRoot);
    const key = project?.file ?? '';
    resolved = this.byProject.get(key);
    if (!resolved) {
      resolved = this.resolve(project);
      this.byProject.set(key, resolved);
    }
    this.byDir.set(dir, resolved);
    return resolved;
  }

  /** True when the settings governing `p` exclude it; `isDir` also tries the folder form `dir/`. */
  isExcluded(p: string, isDir = false): boolean {
    const { config } = isDir ? this.forDir(path.dirname(p)) : this.forFile(p);
    if (config.exclude.length === 0) return false;
    let match = this.matchers.get(config);
    if (!match) {
      match = picomatch(config.exclude, { dot: true });
      this.matchers.set(config, match);
    }
    const rel = path.relative(this.scopeRoot, p).split(path.sep).join('/');
    return match(p) || (!rel.startsWith('..') && !path.isAbsolute(rel) && (match(rel) || (isDir && match(`${rel}/`))));
  }

  private resolve(project: ProjectConfig | undefined): ResolvedConfig {
    const problems: SettingsProblem[] = [];
    let config = defaultConfig;
    if (project) {
      problems.push(...project.problems.map((p) => ({ file: project.file, ...p })));
      const dir = path.dirname(project.file);
      const layer = resolveConfig(withoutEditorKeys(project.section, problems, project.file), config);
      problems.push(...layer.problems.map((p) => ({ ...p, file: project.file })));
      const relDir = path.relative(this.scopeRoot, dir);
      layer.config.exclude = layer.config.exclude.map((g) => rebaseGlob(g, relDir));
      if (layer.config.baseline) layer.config.baseline = path.resolve(dir, layer.config.baseline);
      config = layer.config;
    }
    const base = config;
    const layer = this.explicit(base);
    problems.push(...layer.problems);
    if (layer.config.baseline && layer.config.baseline !== base.baseline) layer.config.baseline = path.resolve(this.scopeRoot, layer.config.baseline);
    return { config: layer.config, projectFile: project?.file, explicitKeys: settingKeys(this.explicitRaw), problems };
  }
}
