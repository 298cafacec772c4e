import * as path from 'node:path';
import type { SendcheckConfig } from '../engine/config';
import { ConfigResolver, formatProblem, ProjectConfigFinder, type ResolvedConfig } from '../engine/project-config';
import { pathToUri } from './convert';
import { configFromSettings, nestedSettings, type EditorSettings } from './settings';
import type { ServerState } from './state';

// Where each file's settings come from. Per workspace folder: the editor settings the user set
// (`workspace/configuration`, or what a client pushed or passed at initialization), over the
// nearest project configuration file (sendcheck.json, .sendcheckrc.json, pyproject.toml
// [tool.sendcheck], package.json "sendcheck") between the file and its folder. Each folder is
// its own scope: nothing above it is read. Problems are reported once, naming the file and key.

/** Custom request: the settings that apply to a document and the project file they come from. */
export const configurationRequest = 'sendcheck/configuration';

export interface ConfigurationParams {
  uri: string;
}

export interface ConfigurationResult {
  /** The project configuration file that applied, or null when only editor settings and defaults did. */
  configFile: string | null;
  /** Settings the editor gave explicitly; they win over the project file. */
  explicit: string[];
  excluded: boolean;
  settings: SendcheckConfig;
  problems: string[];
}

/** The settings of one file. */
export interface FileSettings extends ResolvedConfig {
  /** Excluded by an `exclude` glob of its settings: not checked. */
  excluded: boolean;
  editor: EditorSettings;
}

export interface FolderConfig {
  forFile(file: string): FileSettings;
  isExcluded(p: string, isDir: boolean): boolean;
}

interface FolderSettings {
  resolver: ConfigResolver;
  editor: EditorSettings;
  /** What the client answered, to tell a real change from a repeated announcement. */
  snapshot: string;
}

export class Configuration {
  private folders = new Map<string, Promise<FolderSettings>>();
  private announced = new Set<string>();
  /** Settings pushed by clients with `workspace/didChangeConfiguration` instead of answering `workspace/configuration`. */
  private pushed: unknown;
  /** Reads go through the server's host, so a project file outside the workspace is never read. */
  private readonly finder = new ProjectConfigFinder((f) => this.state.host.readFile(f));

  constructor(private readonly state: ServerState) {}

  /**
   * The settings of the files of the workspace folder holding `file` (files outside every folder
   * get editor settings only); problems are reported as files are asked about.
   */
  async folderOf(file: string | undefined): Promise<FolderConfig> {
    const { resolver, editor } = await this.folderSettings(file ? (this.state.folderOf(file) ?? '') : '');
    return {
      forFile: (f) => {
        const resolved = resolver.forFile(f);
        this.report(resolved, resolver.scopeRoot);
        return { ...resolved, excluded: resolver.isExcluded(f), editor };
      },
      isExcluded: (p, isDir) => resolver.isExcluded(p, isDir),
    };
  }

  async configFor(file: string): Promise<FileSettings> {
    return (await this.folderOf(file)).forFile(file);
  }

  /** Answers `sendcheck/configuration`: which file applied to a document, and what it set. */
  async describe(file: string): Promise<ConfigurationResult> {
    const r = await this.configFor(file);
    return {
      configFile: r.projectFile ?? null,
      explicit: r.explicitKeys,
      excluded: r.excluded,
      settings: r.config,
      problems: r.problems.map((p) => formatProblem(p)),
    };
  }

  /** Reads project files afresh on next use. */
  forgetProjectFiles(): void {
    this.finder.clear();
  }

  /** Forgets every folder's settings (the folders changed). */
  clear(): void {
    this.folders.clear();
    this.finder.clear();
  }

  /**
   * Editor settings may have changed: reads them again for every folder asked so far and tells
   * whether anything differs. Clients announce settings right after start too; only a real change counts.
   */
  async refresh(params: { settings?: unknown }): Promise<boolean> {
    const s = params.settings as { sendcheck?: unknown } | null | undefined;
    if (s && typeof s === 'object' && 'sendcheck' in s) this.pushed = s.sendcheck;
    const snapshot = async () => JSON.stringify((await Promise.all([...this.folders.values()])).map((f) => f.snapshot));
    const scopes = [...this.folders.keys()];
    const before = await snapshot();
    this.folders.clear();
    for (const scope of scopes) void this.folderSettings(scope);
    if ((await snapshot()) === before && scopes.length > 0) return false;
    this.state.forgetWarnings();
    return true;
  }

  /**
   * A project configuration file changed, appeared or went. Returns the folder whose files it
   * governs when the settings it holds changed, undefined when nothing needs checking again.
   */
  projectFileChanged(file: string): string | undefined {
    if (!this.finder.changed(file)) return undefined;
    this.state.forgetWarnings();
    return path.dirname(file);
  }

  private folderSettings(folder: string): Promise<FolderSettings> {
    let cached = this.folders.get(folder);
    if (!cached) {
      cached = this.fetch(folder);
      this.folders.set(folder, cached);
    }
    return cached;
  }

  private async fetch(folder: string): Promise<FolderSettings> {
    const { connection, caps, initOptions } = this.state;
    let section: unknown = this.pushed ?? initOptions.settings;
    let filesExclude: unknown;
    if (caps.configuration) {
      try {
        const scopeUri = folder ? pathToUri(folder) : undefined;
        [section, filesExclude] = await connection.workspace.getConfiguration([
          { scopeUri, section: 'sendcheck' },
          { scopeUri, section: 'files.exclude' },
        ]);
        section = section ?? this.pushed ?? initOptions.settings;
      } catch (e) {
        this.state.logError('reading settings failed; using defaults', e);
      }
    }
    // Outside every workspace folder there is no project to search: editor settings only.
    const resolver = new ConfigResolver(
      folder || path.parse(process.cwd()).root,
      folder ? this.finder : undefined,
      (base) => configFromSettings(section, filesExclude, base),
      nestedSettings(section),
    );
    return { resolver, editor: configFromSettings(section).editor, snapshot: JSON.stringify([section, filesExclude]) };
  }

  private report(resolved: ResolvedConfig, scopeRoot: string): void {
    if (resolved.projectFile && !this.announced.has(resolved.projectFile)) {
      this.announced.add(resolved.projectFile);
      this.state.log(`sendcheck: settings for ${path.dirname(resolved.projectFile)} from ${resolved.projectFile}`);
    }
    for (const p of resolved.problems) this.state.warnOnce(`sendcheck: ${formatProblem(p, scopeRoot)}`);
  }
}
