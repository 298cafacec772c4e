// What CI reads: GitHub workflow annotations, statistics per rule (text and JSON), several
// reports from one run, and SARIF whose partialFingerprints survive lines moving.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import type { Finding } from '../../server/src/engine/types';
import { formatGithub } from '../../server/src/formats';
import { sendcheck as run, tempProject as tree } from '../harness/cli';
import { copyMonorepo } from '../harness/monorepo';

// Two callbacks posted from one module, one lambda pickled from another: no-function twice, py-lambda once.
const project = {
  'src/pipeline.mjs': [
    "import { Worker } from 'node:worker_threads';",
    '',
    "const worker = new Worker(new URL('./resize.mjs', import.meta.url));",
    'export function resize(image) {',
    "  worker.postMessage({ image, onProgress: (p) => console.log('progress', p) });",
    '}',
    'worker.postMessage({ done: () => worker.terminate() });',
    '',
  ].join('\n'),
  'jobs/score.py': ['from multiprocessing import Pool', '', '', 'if __name__ == "__main__":', '    with Pool(2) as pool:', '        print(pool.map(lambda x: x * 2, range(4)))', ''].join('\n'),
};

test('--format github prints one workflow annotation per finding', () => {
  const dir = copyMonorepo();
  const r = run(['--format', 'github', '.'], dir);
  assert.equal(r.code, 1);
  const lines = r.stdout.trim().split('\n');
  assert.equal(lines.length, 3);
  assert.match(lines[0], /^::error file=packages\/api\/jobs\/run\.py,line=12,endLine=12,col=39,endColumn=43,title=sendcheck py-fork-copy::`args\[0\]` is a threading\.Lock/);
  assert.match(lines[1], /^::warning file=packages\/web\/src\/app\.mjs,line=4,.*title=sendcheck no-function::onDone is a function/);
  assert.match(lines[2], /^::error file=packages\/web\/src\/tasks\.py,line=12,/);
});

test('github annotations escape what the workflow-command syntax would misread', () => {
  const f: Finding = {
    file: '/w/odd,name:1.py',
    range: { start: { line: 0, character: 0 }, end: { line: 1, character: 2 } },
    rule: 'py-lambda',
    severity: 'hint',
    message: '100% lost\nsecond line',
    related: [],
    fixes: [],
  };
  assert.equal(formatGithub([f], '/w'), '::notice file=odd%2Cname%3A1.py,line=1,endLine=2,col=1,endColumn=3,title=sendcheck py-lambda::100%25 lost%0Asecond line\n');
});

test('--statistics counts findings per rule, most frequent first, as text or JSON', () => {
  const dir = tree(project);
  const text = run(['--statistics', '.'], dir);
  assert.equal(text.code, 1, 'statistics do not change the exit code');
  const rows = text.stdout.trimEnd().split('\n');
  assert.equal(rows.length, 2, text.stdout);
  assert.match(rows[0], /^2 {2}no-function +error/);
  assert.match(rows[1], /^1 {2}py-lambda +error/);
  const json = JSON.parse(run(['--statistics', '--format', 'json', '.'], dir).stdout);
  assert.deepEqual(
    json.map((s: { rule: string; count: number; severity: string }) => [s.rule, s.count, s.severity]),
    [
      ['no-function', 2, 'error'],
      ['py-lambda', 1, 'error'],
    ],
  );
  assert.ok(json.every((s: { fixable: number }) => Number.isInteger(s.fixable)));
  assert.equal(run(['--statistics', '--format', 'sarif', '.'], dir).code, 2);
});

test('one run, several reports: text on stdout, SARIF and annotations in files', () => {
  const dir = tree(project);
  const r = run(['--format', 'text', '--output-format', 'sarif=results.sarif', '--output-format', 'github=annotations.txt', '.'], dir);
  assert.equal(r.code, 1);
  assert.match(r.stdout, /^jobs\/score\.py:6:\d+ +error +.*py-lambda$/m);
  assert.match(r.stdout, /3 problems \(3 errors, 0 warnings\)/);
  const sarif = JSON.parse(fs.readFileSync(path.join(dir, 'results.sarif'), 'utf8'));
  assert.equal(sarif.version, '2.1.0');
  assert.equal(sarif.runs[0].results.length, 3);
  assert.equal(fs.readFileSync(path.join(dir, 'annotations.txt'), 'utf8').trim().split('\n').length, 3);
  assert.equal(run(['--output-format', 'sarif=', '.'], dir).code, 2);
  assert.equal(run(['--output-format', 'xml=a.xml', '.'], dir).code, 2);
});

test('SARIF partialFingerprints stay the same when lines above a finding move', () => {
  const dir = tree(project);
  const results = () => {
    const sarif = JSON.parse(run(['--format', 'sarif', '.'], dir).stdout);
    return sarif.runs[0].results.map((r: { ruleId: string; partialFingerprints: Record<string, string>; locations: { physicalLocation: { region: { startLine: number } } }[] }) => ({
      rule: r.ruleId,
      line: r.locations[0].physicalLocation.region.startLine,
      fingerprint: r.partialFingerprints['sendcheck/v1'],
    }));
  };
  const before = results();
  assert.equal(new Set(before.map((r: { fingerprint: string }) => r.fingerprint)).size, 3, 'each finding has its own fingerprint');
  for (const f of ['src/pipeline.mjs', 'jobs/score.py']) {
    const file = path.join(dir, f);
    const comment = f.endsWith('.py') ? '#' : '//';
    fs.writeFileSync(file, `${comment} Added later.\n${comment} And another line.\n\n` + fs.readFileSync(file, 'utf8'));
  }
  const after = results();
  assert.deepEqual(
    after.map((r: { line: number }) => r.line),
    before.map((r: { line: number }) => r.line + 3),
  );
  assert.deepEqual(
    after.map((r: { fingerprint: string }) => r.fingerprint),
    before.map((r: { fingerprint: string }) => r.fingerprint),
  );
});
