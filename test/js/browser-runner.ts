import * as fs from 'node:fs';
import * as path from 'node:path';
import { build } from 'esbuild';
import { launchWithExtension, serveStatic, sharedBrowser } from '../harness/chromium';
import type { BrowserContext } from 'playwright-core';
import type { RunResult } from '../harness/run-bounded';

// How the JS oracle and the fix tests run a fixture in headless Chromium (`// runtime: chromium`,
// or `chromium-extension` for an extension page whose messages reach a real service worker):
// the program is bundled with esbuild (Vue, Pinia, Dexie, idb... resolved from node_modules),
// loaded after browser-hook.js, and its sends are written as JSON lines to `reportFile`, the same
// contract as the Node runner. Exit code 0 unless the page threw or rejected unhandled.

const hook = path.join(__dirname, 'browser-hook.js');
const settleMs = 300;

interface PageState {
  sends: unknown[];
  errors: string[];
  logs: { level: string; text: string }[];
  finished: boolean;
}

const entry = `try {
  await import('./fixture.js');
} catch (e) {
  window.__sendcheck.errors.push(String(e && e.stack || e));
} finally {
  window.__sendcheck.finished = true;
}
`;

async function stage(mainFile: string, dir: string): Promise<void> {
  fs.mkdirSync(dir, { recursive: true });
  await build({
    entryPoints: [mainFile],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    outfile: path.join(dir, 'fixture.js'),
    logLevel: 'silent',
    define: { 'process.env.NODE_ENV': '"production"', __VUE_OPTIONS_API__: 'true', __VUE_PROD_DEVTOOLS__: 'false', __VUE_PROD_HYDRATION_MISMATCH_DETAILS__: 'false' },
  });
  fs.copyFileSync(hook, path.join(dir, 'hook.js'));
  fs.writeFileSync(path.join(dir, 'entry.js'), entry);
  fs.writeFileSync(path.join(dir, 'index.html'), '<!doctype html>\n<meta charset="utf-8">\n<body>\n<script src="hook.js"></script>\n<script type="module" src="entry.js"></script>\n');
}

/** The background service worker of the extension oracle: it answers every message and port message with what it received. */
const serviceWorker = `chrome.runtime.onMessage.addListener((message, _sender, reply) => { reply({ received: message }); });
chrome.runtime.onConnect.addListener((port) => port.onMessage.addListener((message) => port.postMessage({ received: message })));
`;

export async function runInChromium(mainFile: string, dir: string, reportFile: string, options: { extension?: boolean; timeoutMs: number }): Promise<RunResult> {
  const deadline = Date.now() + options.timeoutMs;
  try {
    await stage(mainFile, dir);
  } catch (e) {
    return { code: 1, stdout: '', stderr: `esbuild could not bundle ${path.basename(mainFile)}: ${(e as Error).message}`, timedOut: false };
  }
  let close: () => Promise<void>;
  let url: string;
  let context: BrowserContext;
  if (options.extension) {
    fs.writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify({ manifest_version: 3, name: 'sendcheck oracle', version: '1.0', background: { service_worker: 'sw.js' } }));
    fs.writeFileSync(path.join(dir, 'sw.js'), serviceWorker);
    const launched = await launchWithExtension(dir, path.join(dir, '.profile'));
    context = launched.context;
    url = `chrome-extension://${launched.extensionId}/index.html`;
    close = () => launched.context.close();
  } else {
    const server = await serveStatic(dir);
    context = await (await sharedBrowser()).newContext();
    url = `${server.url}index.html`;
    close = async () => {
      await context.close().catch(() => undefined);
      await server.close();
    };
  }
  let timedOut = false;
  let state: PageState = { sends: [], errors: [], logs: [], finished: false };
  const pageErrors: string[] = [];
  try {
    const page = await context.newPage();
    page.on('pageerror', (e) => pageErrors.push(String(e.stack ?? e)));
    await page.goto(url, { timeout: Math.max(10_000, deadline - Date.now()) });
    try {
      await page.waitForFunction(() => (globalThis as unknown as { __sendcheck?: PageState }).__sendcheck?.finished === true, null, { timeout: Math.max(10_000, deadline - Date.now()) });
    } catch {
      timedOut = true;
    }
    // Sends still in flight (IndexedDB requests, a wrapper's promise chain) land within a moment.
    let count = -1;
    for (let i = 0; i < 20 && !timedOut; i++) {
      state = await page.evaluate(() => (globalThis as unknown as { __sendcheck: PageState }).__sendcheck);
      if (state.sends.length === count) break;
      count = state.sends.length;
      await new Promise((r) => setTimeout(r, settleMs));
    }
    state = await page.evaluate(() => (globalThis as unknown as { __sendcheck: PageState }).__sendcheck);
  } finally {
    await close();
  }
  fs.writeFileSync(reportFile, state.sends.map((s) => JSON.stringify(s)).join('\n') + (state.sends.length ? '\n' : ''));
  const errors = [...state.errors, ...pageErrors.filter((e) => !state.errors.includes(e))];
  const stdout = state.logs.filter((l) => l.level === 'log' || l.level === 'info').map((l) => l.text).join('\n');
  const stderr = [...state.logs.filter((l) => l.level === 'warn' || l.level === 'error').map((l) => l.text), ...errors].join('\n');
  return { code: errors.length ? 1 : 0, stdout, stderr, timedOut };
}
