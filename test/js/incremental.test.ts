import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import * as ts from 'typescript';
import { createChecker } from '../../server/src/check';
import { resolveConfig } from '../../server/src/engine/config';
import { DiskHost } from '../../server/src/engine/files';
import { loadFixtures } from './fixtures';

// The JS engine keeps what it learns of a file per parsed version (the functions a file declares and
// the names they call, whether its text mentions a sink) and reuses it in the next program, so an
// edit re-reads only the edited file. A stale entry would show as a difference: one checker sees
// every fixture edited (emptied, then back with a comment added), another sees only the final
// text, and the two must report the same findings, byte for byte.

const root = path.resolve(__dirname, '..', '..');

/**
 * Edits `file` through each of `texts` in one checker (an overlay per version) and checks that each
 * version's findings are a fresh checker's, byte for byte; returns each version's sorted rule ids.
 */
function editLikeAFreshCheck(file: string, texts: string[]): string[][] {
  fs.writeFileSync(file, texts[0]);
  const { config } = resolveConfig({});
  const edited = createChecker();
  const editedHost = new DiskHost();
  return texts.map((text, i) => {
    editedHost.setOverlay(file, text, i + 1);
    const after = edited.check([file], editedHost, config);
    const freshHost = new DiskHost();
    freshHost.setOverlay(file, text, 1);
    assert.equal(JSON.stringify(after), JSON.stringify(createChecker().check([file], freshHost, config)), `version ${i + 1}: the edited file's findings differ from a fresh check`);
    return after.map((f) => f.rule).sort();
  });
}

test('an edited file gets the findings a fresh check of its final text gets', async () => {
  // Four checks per fixture: over every fixture that is most of an hour on a busy 2-core machine.
  // By default a fixed spread of them (every sixth, so each folder and rule is sampled);
  // SENDCHECK_INCREMENTAL=all takes them all, SENDCHECK_FIXTURES narrows as elsewhere.
  const all = loadFixtures().filter((f) => f.primary);
  const fixtures = process.env.SENDCHECK_INCREMENTAL === 'all' || process.env.SENDCHECK_FIXTURES ? all : all.filter((_, i) => i % 6 === 0);
  await createChecker().init();
  const edited = createChecker();
  const fresh = createChecker();
  const editedHost = new DiskHost();
  const freshHost = new DiskHost();
  let withFindings = 0;
  for (const fx of fixtures) {
    const { config } = resolveConfig({ js: { target: fx.target } });
    const final = `${fx.text}\n// edited\n`;
    edited.check([fx.file], editedHost, config);
    editedHost.setOverlay(fx.file, '', 1);
    edited.check([fx.file], editedHost, config);
    editedHost.setOverlay(fx.file, final, 2);
    const after = JSON.stringify(edited.check([fx.file], editedHost, config));
    freshHost.setOverlay(fx.file, final, 1);
    const expected = JSON.stringify(fresh.check([fx.file], freshHost, config));
    assert.equal(after, expected, `${path.relative(root, fx.file)}: the edited file's findings differ from a fresh check`);
    if (expected !== '[]') withFindings++;
    // A statement added in the middle: the statements around it keep their text, shifted, and what
    // was learnt of their calls carries over (memo.ts); the findings must still be a fresh check's.
    const inserted = insertStatement(final);
    if (inserted !== final) {
      editedHost.setOverlay(fx.file, inserted, 3);
      const afterInsert = JSON.stringify(edited.check([fx.file], editedHost, config));
      freshHost.setOverlay(fx.file, inserted, 2);
      assert.equal(afterInsert, JSON.stringify(fresh.check([fx.file], freshHost, config)), `${path.relative(root, fx.file)}: after a statement was inserted, the findings differ from a fresh check`);
    }
  }
  // The comparison means something only if the fixtures report findings at all.
  assert.ok(withFindings > fixtures.length / 3, `only ${withFindings} of ${fixtures.length} fixtures have findings`);
});

/** `text` with a declaration inserted before its middle top-level statement (unchanged when it has fewer than two). */
function insertStatement(text: string): string {
  const sf = ts.createSourceFile('x.ts', text, ts.ScriptTarget.Latest, false);
  if (sf.statements.length < 2) return text;
  const at = sf.statements[Math.floor(sf.statements.length / 2)].pos;
  return `${text.slice(0, at)}\nconst sendcheckInserted = [1, 2, 3];${text.slice(at)}`;
}

test('an edit of one statement re-judges the statements that use what it declares', async () => {
  // `done.end(session)` is answered from the previous check only while nothing it names changed:
  // here the edit points `done` at an object whose `end` closes the port, so the post after it
  // becomes send-after-close; then everything moves down a line (the answers are found again at
  // their new places), and back.
  await createChecker().init();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sendcheck-incremental-'));
  try {
    const file = path.join(dir, 'session.ts');
    const version = (which: string) =>
      [
        `import { MessageChannel, type MessagePort } from 'node:worker_threads';`,
        `const { port1: session } = new MessageChannel();`,
        `const keeper = { end(port: MessagePort) { void port; } };`,
        `const closer = { end(port: MessagePort) { port.close(); } };`,
        `const done = ${which};`,
        `export function shutdown(): void {`,
        `  done.end(session);`,
        `  session.postMessage({ kind: 'bye' });`,
        `}`,
        '',
      ].join('\n');
    const texts = [version('keeper'), version('closer'), version('closer').replace('\nconst keeper', '\nconst unrelated = 1;\nconst keeper'), version('keeper')];
    fs.writeFileSync(file, texts[0]);
    const { config } = resolveConfig({});
    const edited = createChecker();
    const editedHost = new DiskHost();
    const rules: string[][] = [];
    texts.forEach((text, i) => {
      editedHost.setOverlay(file, text, i + 1);
      const after = edited.check([file], editedHost, config);
      const freshHost = new DiskHost();
      freshHost.setOverlay(file, text, 1);
      assert.equal(JSON.stringify(after), JSON.stringify(createChecker().check([file], freshHost, config)), `version ${i + 1}: the edited file's findings differ from a fresh check`);
      rules.push(after.map((f) => f.rule));
    });
    // The test means something only if the edit changes the verdict.
    assert.deepEqual(rules, [[], ['send-after-close'], ['send-after-close'], []]);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('an edit of one file keeps what was learnt of the others only where it still holds', async () => {
  // `relay` and `finish` live in a file that is not edited: its sinks, the summary of `relay` (a
  // derived sink), the call answers inside it and the timeline's helper names carry over to each
  // edit's program (summaries.ts, memo.ts, detach.ts). The edited file's verdicts must still be a
  // fresh check's as what it sends and closes changes.
  await createChecker().init();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sendcheck-incremental-'));
  try {
    const helpers = path.join(dir, 'helpers.ts');
    const file = path.join(dir, 'main.ts');
    fs.writeFileSync(
      helpers,
      [
        `import type { MessagePort } from 'node:worker_threads';`,
        `export function relay(port: MessagePort, msg: unknown): void {`,
        `  const envelope = { at: Date.now(), msg };`,
        `  port.postMessage(envelope);`,
        `}`,
        `export function finish(port: MessagePort): void {`,
        `  port.close();`,
        `}`,
        '',
      ].join('\n'),
    );
    const version = (payload: string, before: string) =>
      [
        `import { MessageChannel } from 'node:worker_threads';`,
        `import { finish, relay } from './helpers';`,
        `const { port1 } = new MessageChannel();`,
        `const payload = ${payload};`,
        `${before}`,
        `relay(port1, payload);`,
        `port1.postMessage({ kind: 'bye' });`,
        '',
      ].join('\n');
    const texts = [
      version('{ id: 1 }', 'void 0;'),
      version('{ id: 1, done: () => {} }', 'void 0;'),
      version('{ id: 1, done: () => {} }', 'finish(port1);'),
      version('{ id: 1 }', 'finish(port1);'),
      version('{ id: 1 }', 'void 0;'),
    ];
    const rules = editLikeAFreshCheck(file, texts);
    // The test means something only if the edits change the verdicts (through the carried summary and helper).
    assert.deepEqual(rules, [[], ['no-function'], ['no-function', 'send-after-close'], ['send-after-close'], []]);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('an edit that changes what a function body calls through keeps no stale derived-sink names', async () => {
  // `submit`'s body is the same text in both versions; whether `api.process(job)` is a Comlink
  // remote call (a sink the checker finds, not the text) depends on what `api` is. Candidate names
  // carried across an edit must be found again for that part (summaries.ts carryOver). Here memo.ts
  // already refuses the carry-over (the type of `api` changes), so this guards the verdicts, and
  // the carry-over's own check stands for shapes where memo.ts lets it through.
  await createChecker().init();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sendcheck-incremental-'));
  try {
    const file = path.join(dir, 'main.ts');
    const version = (api: string) =>
      [
        `import * as Comlink from 'comlink';`,
        `import { MessageChannel } from 'node:worker_threads';`,
        `interface Api { process(job: unknown): Promise<void> }`,
        `const { port1 } = new MessageChannel();`,
        `const local: Api = { async process() {} };`,
        `const remote = Comlink.wrap<Api>(port1);`,
        `const api = ${api};`,
        `export function submit(job: { id: number; done: () => void }) {`,
        `  return api.process(job);`,
        `}`,
        `submit({ id: 1, done: () => {} });`,
        '',
      ].join('\n');
    const texts = [version('local'), version('remote'), version('local')];
    const rules = editLikeAFreshCheck(file, texts);
    assert.deepEqual(rules, [[], ['no-function'], []]);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
