import { defaultConfig, resolveConfig, type ConfigProblem, type SendcheckConfig } from '../engine/config';
const opaqueObjects = new Set(['rules', 'python.serializer', 'languages']);


/**
 * The settings the server reads, as dotted keys under `sendcheck.`. package.json's
 * `contributes.configuration` declares exactly these plus the client-side `trace.server`
 * (test/lsp/settings.test.ts holds the two together). Objects whose keys are user data (rule
 * ids, library names) and lists are single settings; other objects are split into their keys.
 */
export const serverSettingKeys: readonly string[] = flattenKeys(defaultConfig as unknown as Record<string, unknown>);

/** Settings consumed by the VS Code client, never sent to the engine. */
export const clientSettingKeys: readonly string[] = ['trace.server'];

function flattenKeys(obj: Record<string, unknown>, prefix = ''): string[] {
  const out: string[] = [];
  for (const [k, v] of Object.entries(obj)) {
    const key = prefix + k;
    if (typeof v === 'object' && v !== null && !Array.isArray(v) && !opaqueObjects.has(key))
      out.push(...flattenKeys(v as Record<string, unknown>, `${key}.`));
    else out.push(key);
  }
  return out;
}

/** The value of a dotted key in a nested settings object. */
export function settingAt(obj: unknown, key: string): unknown {
  let cur = obj;
  for (const part of key.split('.')) {
    if (typeof cur !== 'object' || cur === null) return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur;
}

/**
 * Builds the engine configuration from the `sendcheck` settings section (nested, as
 * `workspace/configuration` returns it, or flat dotted keys as some clients send) plus
 * VS Code's `files.exclude` map, whose enabled globs join `exclude`.
 */
export function configFromSettings(section: unknown, filesExclude?: unknown, base?: SendcheckConfig): { config: SendcheckConfig; problems: ConfigProblem[] } {
  const { config, problems } = resolveConfig(nestedSettings(section), base);
  if (filesExclude && typeof filesExclude === 'object') {
    for (const [glob, on] of Object.entries(filesExclude as Record<string, unknown>)) if (on === true && glob) config.exclude.push(glob);
  }
  return { config, problems };
}

/** The `sendcheck` section as nested objects, without the client's own keys. */
export function nestedSettings(section: unknown): unknown {
  return section && typeof section === 'object' ? unflatten(section as Record<string, unknown>) : (section ?? undefined);
}

function unflatten(obj: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(obj)) {
    if (k === 'trace' || k.startsWith('trace.')) continue;
    const parts = k.split('.');
    let cur = out;
    for (const p of parts.slice(0, -1)) {
      if (typeof cur[p] !== 'object' || cur[p] === null) cur[p] = {};
      cur = cur[p] as Record<string, unknown>;
    }
    const last = parts[parts.length - 1];
    const prev = cur[last];
    cur[last] = prev && typeof prev === 'object' && v && typeof v === 'object' && !Array.isArray(v) ? { ...prev, ...v } : v;
  }
  return out;
}
