import * as fs from 'node:fs';
import * as path from 'node:path';

// Chromium's own verdicts on the Web platform's interfaces, measured by tools/probe/web-clone.mjs
// in headless Chromium (structuredClone, a Worker's postMessage, IndexedDB put) and merged by
// tools/gen/web-clone.mjs. Read on first use; the product never runs the probe.

type Code = string | 0 | 1;
interface Entry {
  clone: Code;
  worker?: Code;
  idb?: Code;
  /** The interface has no instances of its own: its subinterfaces were measured, and `via` is the one quoted. */
  via?: string;
}

let table: Record<string, Entry> | null | undefined;
function load(): Record<string, Entry> | undefined {
  if (table === undefined) {
    table = null;
    for (const dir of [path.join(__dirname, 'generated'), path.join(__dirname, '..', '..', 'generated')]) {
      const f = path.join(dir, 'web-clone.json');
      if (fs.existsSync(f)) {
        table = (JSON.parse(fs.readFileSync(f, 'utf8')) as { values: Record<string, Entry> }).values;
        break;
      }
    }
  }
  return table ?? undefined;
}

/** `clone`: structuredClone and postMessage within a page; `worker`: what a Worker receives; `storage`: IndexedDB (and the other for-storage serializations: history state). */
export type WebSend = 'clone' | 'worker' | 'storage';

export type WebVerdict =
  | { kind: 'throws'; words: string; via?: string }
  | { kind: 'clones' | 'loses-prototype' | 'transfer' | 'messageerror' };

/** What Chromium does with an instance of the interface `name` sent that way, or undefined when never measured. */
export function webCloneVerdict(name: string, send: WebSend): WebVerdict | undefined {
  const e = load()?.[name];
  if (!e) return undefined;
  const c = (send === 'storage' ? e.idb : send === 'worker' ? e.worker : undefined) ?? e.clone;
  if (typeof c === 'string') return c === 'transfer' || c === 'messageerror' ? { kind: c } : { kind: 'throws', words: c, ...(e.via ? { via: e.via } : {}) };
  return { kind: c === 0 ? 'clones' : 'loses-prototype' };
}

/** How many interfaces the table decides (the docs and the coverage test print it). */
export function webCloneCoverage(): number {
  return Object.keys(load() ?? {}).length;
}
