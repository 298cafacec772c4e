import * as fs from 'node:fs';
import type { Browser } from 'playwright-core';

// Runs a program in headless Chromium, for the oracles that judge browser semantics. Debian's
// Chromium (or $SENDCHECK_CHROMIUM) driven by playwright-core; no network, a fresh profile per
// launch, every wait bounded. The program is an ES module evaluated in an about:blank page; a
// classic `preload` script runs first (an oracle's hook).

export interface PageRun {
  /** Console lines the page printed, in order. */
  console: string[];
  /** Uncaught errors: the module's own (top-level) and the page's later ones. */
  errors: string[];
  /** What `collect` (an expression evaluated in the page at the end) returned. */
  value: unknown;
  timedOut: boolean;
}

export interface PageProgram {
  code: string;
  preload?: string;
  /** A page expression whose JSON value is returned as `value`. */
  collect?: string;
  timeoutMs?: number;
  /** How long to let callbacks (worker replies, timers) run after the module finished. */
  settleMs?: number;
}

// What this machine's Chromium needs to start headless as root with no network (docs of the node image).
const flags = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

export function chromiumPath(): string | undefined {
  for (const candidate of [process.env.SENDCHECK_CHROMIUM, '/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome']) {
    if (candidate && fs.existsSync(candidate)) return candidate;
  }
  return undefined;
}

export async function launchChromium(): Promise<{ browser: Browser; close(): Promise<void> }> {
  const executablePath = chromiumPath();
  if (!executablePath) throw new Error('no Chromium found: install Debian\'s chromium or set SENDCHECK_CHROMIUM');
  const { chromium } = await import('playwright-core');
  // playwright gives each launch a fresh temporary profile of its own and removes it on close.
  const browser = await chromium.launch({ executablePath, args: flags, timeout: 60_000 });
  return {
    browser,
    async close() {
      await browser.close().catch(() => undefined);
    },
  };
}

export async function runModuleInPage(browser: Browser, program: PageProgram): Promise<PageRun> {
  const timeoutMs = program.timeoutMs ?? 20_000;
  const context = await browser.newContext();
  const page = await context.newPage();
  const out: PageRun = { console: [], errors: [], value: undefined, timedOut: false };
  page.on('console', (m) => out.console.push(m.text()));
  page.on('pageerror', (e) => out.errors.push(`${e.name}: ${e.message}`));
  page.setDefaultTimeout(timeoutMs);
  try {
    await page.goto('about:blank');
    if (program.preload) await page.addScriptTag({ content: program.preload });
    const run = page.evaluate(async ({ code, settleMs }) => {
      const url = URL.createObjectURL(new Blob([code], { type: 'text/javascript' }));
      let error: string | undefined;
      try {
        await import(url);
      } catch (e) {
        error = `${(e as Error)?.name}: ${(e as Error)?.message}`;
      }
      await new Promise((r) => setTimeout(r, settleMs));
      return error;
    }, { code: program.code, settleMs: program.settleMs ?? 300 });
    const error = await Promise.race([run, new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), timeoutMs).unref())]);
    if (error === 'timeout') out.timedOut = true;
    else if (error) out.errors.push(error);
    if (!out.timedOut && program.collect) out.value = await page.evaluate(program.collect);
  } finally {
    await context.close().catch(() => undefined);
  }
  return out;
}
