// Measures whether the quick fixes make real programs run: for each program in the given folders
// (copied to a temporary folder first; the originals are never touched), checks it, applies to
// every *error* finding the fix a user gets from the lightbulb when they take the first fix that
// is not a suppression (the preferred fix if there is one: engine/fixes.ts `fixToApply`, the same
// choice `sendcheck --fix --unsafe-fixes` makes), re-checks and repeats while edits still apply,
// then runs the fixed program with its real runtime and reports:
//   no fix       an error finding whose only fix is a suppression (or that has none)
//   still fails  fixed, but a boundary call still throws, the program crashes or it hangs
//   runs         fixed, and the program exits cleanly with no boundary call throwing (`prints
//                nothing` when its stdout is empty: judge those by hand)
//
//   node --import tsx bench/fix-programs.ts [--cli] [-v] [--keep] <folder>...
//
// --cli applies fixes with `node bin/sendcheck.js --fix --unsafe-fixes` instead (all findings,
// not only errors), to compare the command line with the lightbulb. Runtime hooks that observe
// each boundary call are taken from $FIX_HOOKS (default ../shared/practice/harness): Python
// through sitecustomize on PYTHONPATH, JS through `node --import hook.mjs`; without them a run
// is judged by exit code, timeout and tracebacks alone. `.ts` programs run with Node 24 (type
// stripping; $NODE24 or test/.cache/node24), `.mjs`/`.cjs` with the running node.
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { applyFixes, createChecker } from '../server/src/check';
import { resolveConfig } from '../server/src/engine/config';
import { collectFiles, DiskHost } from '../server/src/engine/files';
import { fixToApply } from '../server/src/engine/fixes';
import type { Finding } from '../server/src/engine/types';

const root = path.resolve(__dirname, '..');
const args = process.argv.slice(2);
const useCli = args.includes('--cli');
const verbose = args.includes('-v');
const keep = args.includes('--keep');
const folders = args.filter((a) => !a.startsWith('-')).map((a) => path.resolve(a));
const hooks = path.resolve(process.env.FIX_HOOKS ?? path.join(root, '..', 'shared', 'practice', 'harness'));
const TIMEOUT_MS = 25_000;
const MAX_ROUNDS = 5;
const PARALLEL = 2;

function node24(): string {
  if (process.env.NODE24) return process.env.NODE24;
  const r = spawnSync(process.execPath, [path.join(root, 'test', 'js', 'setup-node.mjs'), '24'], { encoding: 'utf8', timeout: 320_000 });
  return r.status === 0 ? r.stdout.trim() : 'node';
}

interface Run {
  code: number | null;
  timedOut: boolean;
  out: string;
  err: string;
  events: { site?: number; api?: string; outcome?: string; err?: string }[];
}

function runProgram(file: string, nodeTs: string): Promise<Run> {
  return new Promise((resolve) => {
    const eventsFile = path.join(os.tmpdir(), `fixprog-${process.pid}-${path.basename(file)}.jsonl`);
    fs.rmSync(eventsFile, { force: true });
    const hookJs = path.join(hooks, 'hook.mjs');
    const haveHooks = fs.existsSync(hookJs);
    let cmd: string;
    let argv: string[];
    if (file.endsWith('.py')) [cmd, argv] = ['python3', [file]];
    else [cmd, argv] = [file.endsWith('.ts') ? nodeTs : process.execPath, [...(haveHooks ? ['--import', hookJs] : []), file]];
    const env: NodeJS.ProcessEnv = { ...process.env, PYTHONDONTWRITEBYTECODE: '1', NODE_NO_WARNINGS: '1' };
    if (haveHooks) Object.assign(env, { HX_EVENTS: eventsFile, HX_CASE: file, PYTHONPATH: path.join(hooks, 'py') });
    const child = spawn(cmd, argv, { cwd: path.dirname(file), env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {}
    }, TIMEOUT_MS);
    child.on('close', (code) => {
      clearTimeout(timer);
      setTimeout(() => {
        try {
          process.kill(-child.pid!, 'SIGKILL');
        } catch {}
        let events: Run['events'] = [];
        try {
          events = fs.readFileSync(eventsFile, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
        } catch {}
        fs.rmSync(eventsFile, { force: true });
        resolve({ code, timedOut, out, err, events });
      }, 150);
    });
  });
}

/** Why a run of a fixed program failed, or undefined when it ran cleanly. */
function failure(run: Run): string | undefined {
  if (run.timedOut) return `timed out after ${TIMEOUT_MS / 1000}s`;
  const threw = run.events.find((e) => e.outcome === 'threw' || e.outcome === 'child-threw');
  if (threw) return `boundary call at line ${threw.site} still throws: ${threw.err ?? '?'}`;
  if (run.code !== 0) return `exit code ${run.code}: ${lastLine(run.err) || lastLine(run.out)}`;
  if (/Traceback \(most recent call last\)|DataCloneError|could not be cloned|cannot pickle|Can't pickle|Can't get attribute/.test(run.out + run.err))
    return `error in output: ${lastLine((run.err.match(/.*(Error|pickle|cloned).*/g) ?? []).join('\n')) || lastLine(run.out)}`;
  // Programs that catch the failure print it: an exception name with its message is no success.
  const caught = /^.*\b[A-Z]\w*(Error|Exception|Pool): .*$/m.exec(run.out);
  if (caught) return `prints an error: ${caught[0].trim()}`;
  return undefined;
}

const lastLine = (s: string) => s.trim().split('\n').pop() ?? '';
const pct = (n: number, of: number) => (of ? `${Math.round((100 * n) / of)}%` : '-');

function copyFolder(src: string): string {
  const dst = fs.mkdtempSync(path.join(os.tmpdir(), `fixprog-${path.basename(src)}-`));
  fs.cpSync(src, dst, { recursive: true });
  return dst;
}

const isError = (f: Finding) => f.severity === 'error';

async function main(): Promise<void> {
  if (folders.length === 0) {
    console.error('usage: node --import tsx bench/fix-programs.ts [--cli] [-v] [--keep] <folder>...');
    process.exit(2);
  }
  const nodeTs = node24();
  const checker = createChecker();
  await checker.init();
  const config = resolveConfig({}).config;
  let totals = { withError: 0, noFix: 0, fixed: 0, stillFails: 0, runs: 0, silent: 0 };
  for (const folder of folders) {
    const work = copyFolder(folder);
    const host = new DiskHost({ roots: [work] });
    const files = collectFiles([work], {});
    const checkAll = () => checker.check(files, host, config);
    const before = checkAll();
    const errorFiles = [...new Set(before.filter(isError).map((f) => f.file))].sort();
    const noFix = new Map<string, Finding[]>();
    for (const f of before.filter(isError)) if (!fixToApply(f, true)) noFix.set(f.file, [...(noFix.get(f.file) ?? []), f]);
    if (useCli) {
      spawnSync(process.execPath, [path.join(root, 'bin', 'sendcheck.js'), '--fix', '--unsafe-fixes', work], { cwd: work, stdio: 'ignore', timeout: 300_000 });
    } else {
      let findings = before;
      for (let round = 0; round < MAX_ROUNDS; round++) {
        const changes = applyFixes(findings.filter(isError), host, { unsafe: true });
        if (changes.size === 0) break;
        for (const [file, text] of changes) {
          fs.writeFileSync(file, text);
          host.invalidate(file);
        }
        checker.forget([...changes.keys()]);
        findings = checkAll();
      }
    }
    checker.forget(files);
    const after = checkAll();
    const changed = errorFiles.filter((f) => fs.readFileSync(f, 'utf8') !== fs.readFileSync(path.join(folder, path.relative(work, f)), 'utf8'));
    const queue = changed.slice();
    const runs = new Map<string, Run>();
    await Promise.all(
      Array.from({ length: PARALLEL }, async () => {
        for (let f = queue.shift(); f; f = queue.shift()) runs.set(f, await runProgram(f, nodeTs));
      }),
    );
    const counts = { withError: errorFiles.length, noFix: noFix.size, fixed: changed.length, stillFails: 0, runs: 0, silent: 0 };
    console.log(`\n== ${folder} (copy in ${work})`);
    for (const f of errorFiles) {
      const rel = path.relative(work, f);
      const lines: string[] = [];
      for (const n of noFix.get(f) ?? []) lines.push(`  no fix: line ${n.range.start.line + 1} ${n.rule}: ${n.message}`);
      const run = runs.get(f);
      let status: string;
      if (!run) status = 'NOT CHANGED';
      else {
        const why = failure(run);
        if (why) {
          counts.stillFails++;
          status = `STILL FAILS: ${why}`;
        } else {
          counts.runs++;
          // A program whose fixed run prints nothing may have lost what its receiving side prints; judge it by hand.
          if (run.out.trim() === '') counts.silent++;
          status = run.out.trim() === '' ? 'runs (prints nothing)' : 'runs';
        }
        const left = after.filter((x) => x.file === f && isError(x));
        if (left.length) lines.push(`  still reported: ${left.map((x) => `${x.range.start.line + 1} ${x.rule}`).join(', ')}`);
        if (verbose) lines.push(...(run.out + run.err).trim().split('\n').slice(-8).map((l) => `  | ${l}`));
      }
      console.log(`${rel}: ${status}`);
      for (const l of lines) console.log(l);
    }
    console.log(
      `${folder}: ${counts.withError} files with an error finding; ${counts.noFix} with an error finding that has no fix; ` +
        `${counts.fixed} changed by fixes: ${counts.runs} run (${counts.silent} printing nothing), ${counts.stillFails} still fail; ` +
        `fix offered for ${pct(counts.withError - counts.noFix, counts.withError)} of files with an error, ${pct(counts.runs, counts.fixed)} of fixed files run`,
    );
    for (const k of Object.keys(totals) as (keyof typeof totals)[]) totals[k] += counts[k];
    if (!keep) fs.rmSync(work, { recursive: true, force: true });
  }
  if (folders.length > 1) console.log(`\ntotal: ${JSON.stringify(totals)}`);
}

main().catch((e) => {
  console.error(e);
  process.exit(2);
});
