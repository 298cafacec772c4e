import * as fs from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';
import type { AddressInfo } from 'node:net';
import type { Browser, BrowserContext } from 'playwright-core';

// Headless Chromium for oracles that need a real browser (structured clone in Blink, IndexedDB,
// history state, window/iframe postMessage, extension messaging). Debian's /usr/bin/chromium
// through playwright-core; pages are served from 127.0.0.1 only; every wait is bounded.

export const chromiumPath = [process.env.CHROMIUM, '/usr/bin/chromium'].find((p): p is string => !!p && fs.existsSync(p));

// Without the background-networking flags Chromium keeps dialing out of a machine with no network.
const flags = ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'];

let shared: Promise<Browser> | undefined;

/** One browser per test process, launched on first use; pages get a fresh context each. */
export function sharedBrowser(): Promise<Browser> {
  if (!chromiumPath) return Promise.reject(new Error('Chromium not found (apt-get install -y chromium, or set CHROMIUM)'));
  shared ??= import('playwright-core').then(({ chromium }) => chromium.launch({ executablePath: chromiumPath, headless: true, args: flags, timeout: 60_000 }));
  return shared;
}

export async function closeSharedBrowser(): Promise<void> {
  const b = shared;
  shared = undefined;
  if (b) await (await b.catch(() => undefined))?.close().catch(() => undefined);
}

/** A persistent context with one unpacked extension loaded (extensions need one), and the extension's id. */
export async function launchWithExtension(extensionDir: string, userDataDir: string): Promise<{ context: BrowserContext; extensionId: string }> {
  if (!chromiumPath) throw new Error('Chromium not found (apt-get install -y chromium, or set CHROMIUM)');
  const { chromium } = await import('playwright-core');
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: chromiumPath,
    headless: true,
    args: [...flags, `--disable-extensions-except=${extensionDir}`, `--load-extension=${extensionDir}`],
    timeout: 60_000,
  });
  try {
    const worker = context.serviceWorkers()[0] ?? (await context.waitForEvent('serviceworker', { timeout: 15_000 }));
    return { context, extensionId: new URL(worker.url()).host };
  } catch (e) {
    await context.close().catch(() => undefined);
    throw e;
  }
}

const types: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.mjs': 'text/javascript', '.json': 'application/json', '.css': 'text/css' };

/** Serves `root` on 127.0.0.1 (an ephemeral port) until closed. */
export async function serveStatic(root: string): Promise<{ url: string; close: () => Promise<void> }> {
  const server = http.createServer((req, res) => {
    const rel = decodeURIComponent(new URL(req.url ?? '/', 'http://127.0.0.1').pathname).replace(/^\/+/, '');
    const file = path.resolve(root, rel || 'index.html');
    if (!file.startsWith(path.resolve(root) + path.sep) || !fs.existsSync(file) || !fs.statSync(file).isFile()) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': types[path.extname(file)] ?? 'application/octet-stream', 'cache-control': 'no-store' });
    fs.createReadStream(file).pipe(res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
