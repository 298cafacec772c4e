import { defaultConfig, resolveConfig, type ConfigProblem, type SendcheckConfig } from '../engine/config';
const opaqueObjects = new Set(['rules', 'python.serializer', 'languages']);

/** Settings of the editor experience only: never in a project file, never seen by the engine. */
export interface EditorSettings {
  /** `onType`: check as the user types; `onSave`: when a document is opened or saved. */
  run: 'onType' | 'onSave';
  /** How findings recorded in the baseline show: as hints, or not at all. */
  baselineFindings: 'hint' | 'hide';
}

export const defaultEditorSettings: EditorSettings = { run: 'onType', baselineFindings: 'hint' };

const editorChoices: { [K in keyof EditorSettings]: readonly EditorSettings[K][] } = {
  run: ['onType', 'onSave'],
  baselineFindings: ['hint', 'hide'],
};

/** Every setting's default, the engine's and the editor's: what package.json declares. */
export const defaultSettings = { ...defaultConfig, ...defaultEditorSettings };

/**
 * The settings the server reads, as dotted keys under `sendcheck.`. package.json's
 * `contributes.configuration` declares exactly these plus the client-side `trace.server`
 * (test/lsp/settings.test.ts holds the two together). Objects whose keys are user data (rule
 * ids, library names) and lists are single settings; other objects are split into their keys.
 */
export const serverSettingKeys: readonly string[] = flattenKeys(defaultSettings as unknown as Record<string, unknown>);

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
export function configFromSettings(
  section: unknown,
  filesExclude?: unknown,
  base?: SendcheckConfig,
): { config: SendcheckConfig; editor: EditorSettings; problems: ConfigProblem[] } {
  const { engine, editor, problems: editorProblems } = splitEditorSettings(nestedSettings(section));
  const { config, problems } = resolveConfig(engine, base);
  problems.push(...editorProblems);
  if (filesExclude && typeof filesExclude === 'object') {
    for (const [glob, on] of Object.entries(filesExclude as Record<string, unknown>)) if (on === true && glob) config.exclude.push(glob);
  }
  return { config, editor, problems };
}

/** Takes the editor's own settings out of a nested section and validates them. */
function splitEditorSettings(nested: unknown): { engine: unknown; editor: EditorSettings; problems: ConfigProblem[] } {
  const editor = { ...defaultEditorSettings };
  const problems: ConfigProblem[] = [];
  if (!nested || typeof nested !== 'object' || Array.isArray(nested)) return { engine: nested, editor, problems };
  const engine: Record<string, unknown> = { ...(nested as Record<string, unknown>) };
  for (const key of Object.keys(editorChoices) as (keyof EditorSettings)[]) {
    const v = engine[key];
    delete engine[key];
    if (v === undefined) continue;
    const choices = editorChoices[key] as readonly unknown[];
    if (choices.includes(v)) (editor as Record<string, unknown>)[key] = v;
    else problems.push({ key: `sendcheck.${key}`, message: `must be one of ${choices.join(', ')}` });
  }
  return { engine, editor, problems };
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
