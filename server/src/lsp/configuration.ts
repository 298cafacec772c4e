import { MessageType, ShowMessageNotification } from 'vscode-languageserver';
import type { SendcheckConfig } from '../engine/config';
import { pathToUri } from './convert';
import { configFromSettings } from './settings';
import type { ServerState } from './state';

// Where each file's settings come from: `workspace/configuration` per folder (or the settings a
// client pushed or passed at initialization), validated once per folder and cached until they change.

export class Configuration {
  private cache = new Map<string, Promise<SendcheckConfig>>();
  private reported = new Set<string>();
  /** Settings pushed by clients with `workspace/didChangeConfiguration` instead of answering `workspace/configuration`. */
  private pushed: unknown;

  constructor(private readonly state: ServerState) {}

  configFor(file: string | undefined): Promise<SendcheckConfig> {
    const folder = file ? (this.state.folderOf(file) ?? '') : '';
    let cached = this.cache.get(folder);
    if (!cached) {
      cached = this.fetch(folder);
      this.cache.set(folder, cached);
    }
    return cached;
  }

  /** Forgets every folder's settings (the folders changed). */
  clear(): void {
    this.cache.clear();
  }

  /**
   * Settings may have changed: reads them again for every folder asked so far and tells whether
   * anything differs. Clients announce settings right after start too; only a real change counts.
   */
  async refresh(params: { settings?: unknown }): Promise<boolean> {
    const s = params.settings as { sendcheck?: unknown } | null | undefined;
    if (s && typeof s === 'object' && 'sendcheck' in s) this.pushed = s.sendcheck;
    const snapshot = async () => JSON.stringify(await Promise.all([...this.cache.values()]));
    const scopes = [...this.cache.keys()];
    const before = await snapshot();
    this.cache.clear();
    for (const scope of scopes) void this.configFor(scope || undefined);
    if ((await snapshot()) === before && scopes.length > 0) return false;
    this.reported.clear();
    return true;
  }

  private async fetch(folder: string): Promise<SendcheckConfig> {
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
    const { config, problems } = configFromSettings(section, filesExclude);
    for (const p of problems) {
      const text = `sendcheck: setting ${p.key} ${p.message}; using the default`;
      if (this.reported.has(text)) continue;
      this.reported.add(text);
      connection.console.warn(text);
      this.state.quiet(connection.sendNotification(ShowMessageNotification.type, { type: MessageType.Warning, message: text }));
    }
    return config;
  }
}
