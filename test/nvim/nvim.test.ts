// Neovim 0.7 headless as a second LSP client: attach `sendcheck --lsp --stdio` to the editor
// fixture and assert what vim.diagnostic.get() returns, for an open buffer and for a file the
// workspace scan reported without it ever being opened.
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { copyWorkspace, requireTools, root, tempDir, which } from '../e2e/tools';

interface NvimDiagnostic {
  lnum: number;
  col: number;
  end_col: number;
  severity: number;
  message: string;
  source: string;
  code: string;
  href?: string;
}

test('Neovim: vim.diagnostic.get() holds the sendcheck findings', { timeout: 180_000 }, (t) => {
  const nvim = which('nvim');
  if (!requireTools(t, { nvim }, 'run `apt-get install -y neovim` (bash .ci/run does)')) return;
  const workspace = copyWorkspace();
  const out = path.join(tempDir('sendcheck-nvim-'), 'result.json');
  const r = spawnSync(nvim!, ['--headless', '-u', 'NONE', '-i', 'NONE', '-n', '-c', `luafile ${path.join(root, 'test', 'nvim', 'attach.lua')}`], {
    cwd: workspace,
    encoding: 'utf8',
    timeout: 150_000,
    env: {
      ...process.env,
      SENDCHECK_WS: workspace,
      SENDCHECK_OUT: out,
      SENDCHECK_NODE: process.execPath,
      SENDCHECK_BIN: path.join(root, 'bin', 'sendcheck.js'),
      XDG_STATE_HOME: tempDir('sendcheck-nvim-state-'),
      XDG_CACHE_HOME: tempDir('sendcheck-nvim-cache-'),
    },
  });
  assert.ok(fs.existsSync(out), `nvim wrote no result (status ${r.status}, signal ${r.signal}):\n${r.stdout}\n${r.stderr}`);
  const result = JSON.parse(fs.readFileSync(out, 'utf8')) as {
    started: boolean;
    attached: boolean;
    js_ready: boolean;
    js: NvimDiagnostic[];
    py_ready: boolean;
    py: NvimDiagnostic[];
    py_loaded: boolean;
  };
  assert.ok(result.started && result.attached, 'the client started and attached');

  assert.ok(result.js_ready, 'diagnostics arrived for the open JS buffer');
  const js = result.js.find((d) => d.lnum === 12);
  assert.ok(js, `a diagnostic on line 13, worker.postMessage(job): ${JSON.stringify(result.js)}`);
  assert.equal(js.source, 'sendcheck');
  assert.equal(js.severity, 1);
  assert.equal(js.col, 21, 'on the argument `job`');
  assert.match(js.message, /onDone/);
  assert.match(js.href ?? '', new RegExp(`docs/rules/${js.code}\\.md$`));

  assert.ok(result.py_ready, 'diagnostics arrived for the never-opened Python file');
  assert.equal(result.py_loaded, false);
  const py = result.py.find((d) => d.lnum === 15);
  assert.ok(py, `a diagnostic on line 16, args=(urls,): ${JSON.stringify(result.py)}`);
  assert.equal(py.source, 'sendcheck');
  assert.match(py.message, /Queue|urls/);
});
