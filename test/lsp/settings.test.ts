// Settings are declared once, in package.json; the server reads the same keys. These tests keep
// the manifest, the server's schema and the validator in step.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { clientSettingKeys, configFromSettings, defaultSettings, serverSettingKeys, settingAt } from '../../server/src/lsp/settings';
import { root } from './harness';

const manifest = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
const properties: Record<string, { default: unknown; scope: string; enum?: string[]; additionalProperties?: { enum?: string[] } }> =
  manifest.contributes.configuration.properties;

test("the manifest's sendcheck.* keys equal the server's schema plus the client's trace setting", () => {
  const declared = Object.keys(properties).map((k) => k.replace(/^sendcheck\./, ''));
  assert.ok(Object.keys(properties).every((k) => k.startsWith('sendcheck.')), 'one prefix for every setting');
  assert.deepEqual([...declared].sort(), [...serverSettingKeys, ...clientSettingKeys].sort());
  for (const key of ['enable', 'languages', 'rules', 'python.startMethod', 'python.serializer', 'sinks', 'exclude', 'trace.server'])
    assert.ok(declared.includes(key), `the issue's setting ${key} is declared`);
});

test('every setting is resource-scoped, and its manifest default is the engine default', () => {
  for (const [key, p] of Object.entries(properties)) {
    assert.equal(p.scope, 'resource', key);
    const short = key.replace(/^sendcheck\./, '');
    if (serverSettingKeys.includes(short)) assert.deepEqual(p.default, settingAt(defaultSettings, short), key);
  }
});

test('the enums the manifest offers are exactly what the server accepts', () => {
  const accepts = (key: string, value: unknown) => {
    const raw: Record<string, unknown> = {};
    const parts = key.split('.');
    let cur = raw;
    for (const part of parts.slice(0, -1)) cur = cur[part] = {} as Record<string, unknown>;
    cur[parts[parts.length - 1]] = value;
    return configFromSettings(raw).problems.length === 0;
  };
  for (const [key, p] of Object.entries(properties)) {
    const short = key.replace(/^sendcheck\./, '');
    if (!serverSettingKeys.includes(short)) continue;
    assert.ok(accepts(short, p.default), `${key} default is valid`);
    for (const v of p.enum ?? []) assert.ok(accepts(short, v), `${key}: ${v}`);
    if (p.enum) assert.ok(!accepts(short, 'surely-not-valid'), `${key} rejects values outside its enum`);
    for (const v of p.additionalProperties?.enum ?? []) assert.ok(accepts(short, { somekey: v }), `${key}: ${v}`);
    if (p.additionalProperties?.enum) assert.ok(!accepts(short, { somekey: 'surely-not-valid' }), `${key} rejects values outside its enum`);
  }
});

test('settings arrive nested or as dotted keys; files.exclude globs join exclude', () => {
  const nested = configFromSettings({ python: { startMethod: 'fork' }, rules: { 'no-function': 'off' }, trace: { server: 'verbose' } }, { '**/gen': true, '**/off': false });
  assert.deepEqual(nested.problems, []);
  assert.equal(nested.config.python.startMethod, 'fork');
  assert.equal(nested.config.rules['no-function'], 'off');
  assert.deepEqual(nested.config.exclude, ['**/gen']);
  const dotted = configFromSettings({ 'python.startMethod': 'spawn', 'js.target': 'browser', 'trace.server': 'off' });
  assert.deepEqual(dotted.problems, []);
  assert.equal(dotted.config.python.startMethod, 'spawn');
  assert.equal(dotted.config.js.target, 'browser');
});

test('activation is narrow and the extension is declared safe for untrusted workspaces', () => {
  assert.ok(!manifest.activationEvents.includes('*'));
  for (const lang of ['python', 'javascript', 'typescript', 'javascriptreact', 'typescriptreact'])
    assert.ok(manifest.activationEvents.includes(`onLanguage:${lang}`), lang);
  assert.ok(manifest.activationEvents.includes('onCommand:sendcheck.checkWorkspace'));
  assert.ok(manifest.activationEvents.includes('onNotebook:jupyter-notebook'));
  assert.equal(manifest.capabilities.untrustedWorkspaces.supported, true);
  assert.deepEqual(
    manifest.contributes.commands.map((c: { command: string }) => c.command),
    ['sendcheck.checkWorkspace', 'sendcheck.restartServer', 'sendcheck.showOutput', 'sendcheck.showConfiguration'],
  );
});
