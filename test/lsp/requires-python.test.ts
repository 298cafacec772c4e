// A change of `requires-python` in pyproject.toml re-checks open Python files: the start method
// the platform defaults give (fork on Linux ≤ 3.13, forkserver from 3.14) follows it, so a lambda
// handed to a Process is fine before and an error after.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, test } from 'node:test';
import { createPythonEngine } from '../../server/src/python';
import { defaultCapabilities, inProcess, pathUri, tempTree, type TestClient } from './harness';

const clients: TestClient[] = [];
after(() => Promise.all(clients.map((c) => c.dispose())));

const pyproject = (spec: string) => `[project]\nname = "svc"\nrequires-python = "${spec}"\n\n[tool.sendcheck.python]\nplatforms = ["linux"]\n`;
const source = 'import multiprocessing\n\n\ndef start():\n    p = multiprocessing.Process(target=lambda: print("hi"))\n    p.start()\n    return p\n';

test('an open file is checked again when requires-python changes on disk', async () => {
  const dir = tempTree({ 'pyproject.toml': pyproject('>=3.11,<3.14'), 'svc/watch.py': source });
  const client = inProcess([createPythonEngine()], { debounceMs: 20 });
  clients.push(client);
  await client.initialize(dir, defaultCapabilities, { scanOnStart: false, debounceMs: 20 });
  const uri = await client.open(path.join(dir, 'svc', 'watch.py'));
  // Linux on 3.11–3.13: fork, the child inherits the lambda.
  assert.deepEqual(await client.diagnosticsFor(uri), []);
  fs.writeFileSync(path.join(dir, 'pyproject.toml'), pyproject('>=3.14'));
  await client.connection.sendNotification('workspace/didChangeWatchedFiles', { changes: [{ uri: pathUri(path.join(dir, 'pyproject.toml')), type: 2 }] });
  const [d] = await client.diagnosticsFor(uri, (p) => p.diagnostics.length > 0);
  assert.equal(d.code, 'py-lambda');
  assert.match(String(d.message), /forkserver/);
});
