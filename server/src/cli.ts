import * as fs from 'node:fs';
import * as path from 'node:path';
import { applyFixes, createChecker, sortFindings, type Checker } from './check';
import { fixableCounts } from './engine/fixes';
import { resolveConfig } from './engine/config';
import { collectFiles, DiskHost, isInside } from './engine/files';
import { ConfigResolver, formatProblem, ProjectConfigFinder, readProjectConfig, type ProjectConfig, type ResolvedConfig } from './engine/project-config';
import { baselineEntries, lineReader, matchBaseline, parseBaseline, pruneBaseline, serializeBaseline } from './engine/baseline';
import type { Finding } from './engine/types';
import { formatGithub, formatJson, formatStatistics, formatText, statistics, toSarif } from './formats';

// The `sendcheck` command: the same engine as the language server, for terminals and CI.
// Exit codes: 0 no error or warning, 1 some, 2 usage or internal error.

declare const SENDCHECK_VERSION: string | undefined;
const version = typeof SENDCHECK_VERSION === 'string' ? SENDCHECK_VERSION : '0.0.0-dev';

const usage = `Usage: sendcheck [options] <files or folders...>

Finds values that cannot cross a worker or process boundary (structured clone,
JSON IPC, pickle) in JavaScript, TypeScript and Python files.

Options:
  --format <text|json|sarif|github>   output format (default: text); github prints
                              workflow annotations for GitHub Actions
  --output-format <format>=<file>     also write the report in another format to a file
                              (repeatable), e.g. --output-format sarif=results.sarif
  --statistics                print the number of findings per rule, most frequent first
                              (as text, or JSON with --format json), instead of each finding
  --fix                       apply each finding's safe fix (the lightbulb's preferred one),
                              then check again
  --unsafe-fixes              with --fix, also apply the first fix of each finding that has no
                              safe one (never a suppression); review the changes
  --config <file>             use this configuration file for every file instead of the nearest
                              sendcheck.json, .sendcheckrc.json, pyproject.toml [tool.sendcheck]
                              or package.json "sendcheck" above each file
  --show-config <file>        print the settings that apply to a file and the file they come from
  --js-target <auto|node20|node22|browser>
  --start-method <auto|spawn|forkserver|fork>
  --rule <id>=<off|hint|info|warning|error>   override a rule's severity (repeatable)
  --exclude <glob>            skip matching paths (repeatable)
  --baseline <file>           report only findings not recorded in this baseline (default: the
                              "baseline" of the configuration); exit 0 when there are none
  --baseline-write <file>     record the current findings in a baseline file, then exit 0
  --baseline-update           with a baseline, remove the entries whose findings are fixed
  --report-unused-ignores     report sendcheck-ignore comments that suppress nothing
                              (unused-suppression; --fix removes them)
  --output <file>             write the report to a file instead of stdout
  --quiet                     print only errors
  --lsp --stdio               run as a language server over stdio
  -v, --version               print the version
  -h, --help                  print this help
`;

const formats = ['text', 'json', 'sarif', 'github'] as const;
type Format = (typeof formats)[number];

function parseFormat(f: string): Format {
  if (!(formats as readonly string[]).includes(f)) throw new UsageError(`unknown format "${f}" (${formats.join(', ')})`);
  return f as Format;
}

interface Options {
  format: Format;
  /** Extra reports written to files, in other formats. */
  outputs: { format: Format; file: string }[];
  statistics: boolean;
  fix: boolean;
  unsafeFixes: boolean;
  reportUnusedIgnores: boolean;
  quiet: boolean;
  output?: string;
  paths: string[];
  /** Settings given by flags: the explicit layer, over any project configuration file. */
  settings: Record<string, unknown>;
  configFile?: string;
  showConfig?: string;
  baseline?: string;
  baselineWrite?: string;
  baselineUpdate: boolean;
}

class UsageError extends Error {}

function parseArgs(argv: string[]): Options {
  const opts: Options = { format: 'text', outputs: [], statistics: false, fix: false, unsafeFixes: false, reportUnusedIgnores: false, quiet: false, paths: [], settings: {}, baselineUpdate: false };
  const rules: Record<string, string> = {};
  const exclude: string[] = [];
  const value = (i: number, flag: string) => {
    const v = argv[i + 1];
    if (v === undefined || v.startsWith('--')) throw new UsageError(`${flag} needs a value`);
    return v;
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const [flag, inline] = a.startsWith('--') && a.includes('=') ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)] : [a, undefined];
    const take = () => (inline !== undefined ? inline : value(i++, flag));
    switch (flag) {
      case '--format':
        opts.format = parseFormat(take());
        break;
      case '--output-format': {
        // `<format>=<file>` adds a report; a bare format (as ruff spells it) is the main one.
        const v = take();
        const eq = v.indexOf('=');
        if (eq < 0) opts.format = parseFormat(v);
        else if (eq === v.length - 1) throw new UsageError(`--output-format ${v} names no file`);
        else opts.outputs.push({ format: parseFormat(v.slice(0, eq)), file: v.slice(eq + 1) });
        break;
      }
      case '--statistics':
        opts.statistics = true;
        break;
      case '--fix':
        opts.fix = true;
        break;
      case '--unsafe-fixes':
        opts.unsafeFixes = true;
        break;
      case '--report-unused-ignores':
        opts.reportUnusedIgnores = true;
        break;
      case '--quiet':
        opts.quiet = true;
        break;
      case '--config':
        opts.configFile = take();
        break;
      case '--show-config':
        opts.showConfig = take();
        break;
      case '--baseline':
        opts.baseline = take();
        break;
      case '--baseline-write':
        opts.baselineWrite = take();
        break;
      case '--baseline-update':
        opts.baselineUpdate = true;
        break;
      case '--output':
      case '-o':
        opts.output = take();
        break;
      case '--js-target':
        opts.settings.js = { target: take() };
        break;
      case '--start-method':
        opts.settings.python = { ...((opts.settings.python as object) ?? {}), startMethod: take() };
        break;
      case '--rule': {
        const r = take();
        const eq = r.indexOf('=');
        if (eq <= 0) throw new UsageError(`--rule takes <id>=<severity>, got "${r}"`);
        rules[r.slice(0, eq)] = r.slice(eq + 1);
        break;
      }
      case '--exclude':
        exclude.push(take());
        break;
      default:
        if (a.startsWith('-') && a !== '-') throw new UsageError(`unknown option ${a}`);
        opts.paths.push(a);
    }
  }
  if (opts.unsafeFixes && !opts.fix) throw new UsageError('--unsafe-fixes goes with --fix');
  if (opts.statistics && opts.format !== 'text' && opts.format !== 'json') throw new UsageError('--statistics prints text or json');
  if (opts.baselineWrite !== undefined && (opts.baseline !== undefined || opts.baselineUpdate))
    throw new UsageError('--baseline-write records every finding; it does not go with --baseline or --baseline-update');
  if (Object.keys(rules).length) opts.settings.rules = { ...((opts.settings.rules as object) ?? {}), ...rules };
  if (exclude.length) opts.settings.exclude = [...(((opts.settings.exclude as string[]) ?? [])), ...exclude];
  return opts;
}

export async function runCli(argv: string[], io = { stdout: process.stdout, stderr: process.stderr, cwd: process.cwd() }): Promise<number> {
  let opts: Options;
  try {
    if (argv.includes('-h') || argv.includes('--help')) {
      io.stdout.write(usage);
      return 0;
    }
    if (argv.includes('-v') || argv.includes('--version')) {
      io.stdout.write(`${version}\n`);
      return 0;
    }
    opts = parseArgs(argv);
    if (opts.showConfig !== undefined) opts.paths.push(opts.showConfig);
    if (opts.paths.length === 0) throw new UsageError('no files or folders given');
  } catch (e) {
    if (e instanceof UsageError) {
      io.stderr.write(`sendcheck: ${e.message}\n\n${usage}`);
      return 2;
    }
    throw e;
  }

  const flagProblems = resolveConfig(opts.settings).problems;
  if (flagProblems.length) {
    for (const p of flagProblems) io.stderr.write(`sendcheck: setting ${p.key}: ${p.message}\n`);
    return 2;
  }
  const missing = opts.paths.filter((p) => !fs.existsSync(path.resolve(io.cwd, p)));
  if (missing.length) {
    io.stderr.write(`sendcheck: no such file or folder: ${missing.join(', ')}\n`);
    return 2;
  }
  let fixed: ProjectConfig | undefined;
  if (opts.configFile) {
    try {
      fixed = loadConfigFile(path.resolve(io.cwd, opts.configFile));
    } catch (e) {
      io.stderr.write(`sendcheck: --config ${opts.configFile}: ${(e as Error).message}\n`);
      return 2;
    }
  }

  const roots = opts.paths.map((p) => path.resolve(io.cwd, p));
  // The checker may read the working folder and what was named on the command line, nothing else.
  const host = new SnapshotHost({ roots: [io.cwd, ...roots].map((p) => (fs.statSync(p).isDirectory() ? p : path.dirname(p))) });
  const settings = new CliSettings(io.cwd, roots, host, opts.settings, fixed);
  if (opts.showConfig !== undefined) {
    const file = path.resolve(io.cwd, opts.showConfig);
    const r = settings.forFile(file);
    settings.reportProblems([r], io.stderr);
    io.stdout.write(JSON.stringify({ file: rel(file, io.cwd), configFile: r.projectFile ? rel(r.projectFile, io.cwd) : null, explicit: r.explicitKeys, settings: r.config }, null, 2) + '\n');
    return 0;
  }

  const files = collectFiles(roots, {
    isExcluded: (p, isDir) => settings.isExcluded(p, isDir),
    maxFileSize: (f) => settings.forFile(f).config.maxFileSize,
    onSkip: (f, why) => io.stderr.write(`sendcheck: skipped ${path.relative(io.cwd, f)}: ${why}\n`),
  });
  const checker = createChecker();
  await checker.init();
  const log = (m: string) => io.stderr.write(`${m}\n`);
  const groups = settings.group(files);
  settings.reportProblems(groups.map((g) => g.resolved), io.stderr);
  const unusedSuppressions = opts.reportUnusedIgnores ? 'warning' : undefined;
  const checkAll = () => sortFindings(groups.flatMap((g) => checker.check(g.files, host, g.resolved.config, { log, unusedSuppressions })));
  let findings = checkAll();

  let fixFailed = false;
  if (opts.fix) ({ findings, failed: fixFailed } = fixAll(findings, host, checker, checkAll, opts.unsafeFixes, io.stderr));

  const linesOf = lineReader((f) => host.readFile(f));
  if (opts.baselineWrite !== undefined) {
    const file = path.resolve(io.cwd, opts.baselineWrite);
    fs.writeFileSync(file, serializeBaseline(baselineEntries(findings, file, linesOf)));
    io.stderr.write(`sendcheck: wrote ${findings.length} finding${findings.length === 1 ? '' : 's'} to ${rel(file, io.cwd)}\n`);
    return 0;
  }
  let known = 0;
  try {
    ({ findings, known } = applyBaselines(findings, files, opts, settings, host, linesOf, io));
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    io.stderr.write(`sendcheck: ${e.message}\n`);
    return 2;
  }

  const shown = opts.quiet ? findings.filter((f) => f.severity === 'error') : findings;
  const render = (format: Format): string => {
    switch (format) {
      case 'json':
        return formatJson(shown, io.cwd);
      case 'sarif':
        return JSON.stringify(toSarif(shown, checker.rules, io.cwd, version, linesOf), null, 2) + '\n';
      case 'github':
        return formatGithub(shown, io.cwd, linesOf);
      default:
        return formatText(shown, io.cwd, { known, fixable: fixableCounts(shown) });
    }
  };
  const report = !opts.statistics
    ? render(opts.format)
    : opts.format === 'json'
      ? JSON.stringify(statistics(shown), null, 2) + '\n'
      : formatStatistics(statistics(shown));
  if (opts.output) fs.writeFileSync(path.resolve(io.cwd, opts.output), report);
  else io.stdout.write(report);
  for (const o of opts.outputs) fs.writeFileSync(path.resolve(io.cwd, o.file), render(o.format));
  // Fixes that could not be written are an error of the run, whatever the findings.
  if (fixFailed) return 2;
  return findings.some((f) => f.severity === 'error' || f.severity === 'warning') ? 1 : 0;
}

/**
 * Leaves out the findings recorded in the baseline that governs each file (--baseline, else the
 * configuration's), and tells which entries are fixed (removing them with --baseline-update).
 * A baseline named on the command line must be readable; one named in a configuration file that
 * is not is a warning, and its files are reported in full.
 */
function applyBaselines(
  findings: Finding[],
  files: readonly string[],
  opts: Options,
  settings: CliSettings,
  host: DiskHost,
  linesOf: (file: string) => readonly string[],
  io: { stderr: NodeJS.WritableStream; cwd: string },
): { findings: Finding[]; known: number } {
  const fromFlag = opts.baseline !== undefined ? path.resolve(io.cwd, opts.baseline) : undefined;
  const baselineOf = (file: string) => fromFlag ?? (settings.forFile(file).config.baseline || undefined);
  const governed = new Map<string, Set<string>>();
  for (const f of files) {
    const b = baselineOf(f);
    if (b) governed.set(b, (governed.get(b) ?? new Set()).add(f));
  }
  if (fromFlag && !governed.has(fromFlag)) governed.set(fromFlag, new Set());
  if (opts.baselineUpdate && governed.size === 0) throw new UsageError('--baseline-update needs a baseline (--baseline <file>, or "baseline" in the configuration)');
  let out = findings;
  let known = 0;
  for (const [file, checked] of governed) {
    // One named on the command line is the user's choice; one named in a project file is read like the project's files.
    const text = file === fromFlag ? (fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : undefined) : host.readFile(file);
    const baseline = text === undefined ? { problem: 'cannot be read' } : parseBaseline(file, text);
    if ('problem' in baseline) {
      if (file === fromFlag) throw new UsageError(`baseline ${rel(file, io.cwd)} ${baseline.problem}`);
      io.stderr.write(`sendcheck: baseline ${rel(file, io.cwd)} ${baseline.problem}; reporting every finding of its files\n`);
      continue;
    }
    const mine = out.filter((f) => checked.has(f.file));
    const match = matchBaseline(mine, baseline, linesOf, checked);
    known += match.known.length;
    const knownSet = new Set(match.known);
    out = out.filter((f) => !knownSet.has(f));
    const fixedCount = match.fixed.reduce((n, e) => n + e.count, 0);
    if (fixedCount === 0) continue;
    if (opts.baselineUpdate) {
      fs.writeFileSync(file, serializeBaseline(pruneBaseline(baseline, match.fixed)));
      io.stderr.write(`sendcheck: removed ${fixedCount} fixed finding${fixedCount === 1 ? '' : 's'} from ${rel(file, io.cwd)}\n`);
    } else
      io.stderr.write(
        `sendcheck: ${fixedCount} finding${fixedCount === 1 ? '' : 's'} recorded in ${rel(file, io.cwd)} ${fixedCount === 1 ? 'is' : 'are'} fixed; remove ${fixedCount === 1 ? 'it' : 'them'} with --baseline-update\n`,
      );
  }
  return { findings: out, known };
}

function rel(file: string, cwd: string): string {
  return isInside(file, cwd) ? path.relative(cwd, file).split(path.sep).join('/') || '.' : file;
}

/**
 * A file named with --config: any of the project configuration files by its name, or a JSON
 * file holding the settings (optionally under a "sendcheck" key).
 */
function loadConfigFile(file: string): ProjectConfig {
  const text = fs.readFileSync(file, 'utf8');
  const name = path.basename(file);
  const found = readProjectConfig(name === 'pyproject.toml' || name === 'package.json' ? file : path.join(path.dirname(file), 'sendcheck.json'), text);
  if (!found) throw new Error('holds no sendcheck settings');
  if (found.section === undefined) throw new Error(found.problems[0]?.message ?? 'cannot be parsed');
  const section = found.section as { sendcheck?: unknown } | null;
  return { file, section: section && typeof section === 'object' && 'sendcheck' in section ? section.sendcheck : section, problems: [] };
}

/**
 * The settings of each file for one CLI run. The working folder is the scope project files are
 * searched up to; a path outside it is its own scope.
 */
class CliSettings {
  private readonly scopes: ConfigResolver[];
  private readonly reported = new Set<string>();

  constructor(
    private readonly cwd: string,
    roots: string[],
    host: DiskHost,
    flags: Record<string, unknown>,
    fixed: ProjectConfig | undefined,
  ) {
    const finder = new ProjectConfigFinder((f) => host.readFile(f));
    const scopeRoots = [cwd];
    for (const r of roots) if (!scopeRoots.some((s) => isInside(r, s))) scopeRoots.push(fs.statSync(r).isDirectory() ? r : path.dirname(r));
    this.scopes = scopeRoots.map((root) => new ConfigResolver(root, finder, (base) => resolveConfig(flags, base), flags, fixed));
  }

  private scopeOf(p: string): ConfigResolver {
    return this.scopes.find((s) => isInside(p, s.scopeRoot)) ?? this.scopes[0];
  }

  forFile(file: string): ResolvedConfig {
    return this.scopeOf(file).forFile(file);
  }

  isExcluded(p: string, isDir: boolean): boolean {
    return this.scopeOf(p).isExcluded(p, isDir);
  }

  /** Files sharing one configuration, checked together. */
  group(files: readonly string[]): { resolved: ResolvedConfig; files: string[] }[] {
    const groups = new Map<ResolvedConfig, string[]>();
    for (const f of files) {
      const r = this.forFile(f);
      const list = groups.get(r) ?? [];
      list.push(f);
      groups.set(r, list);
    }
    return [...groups].map(([resolved, list]) => ({ resolved, files: list }));
  }

  /** Problems in project configuration files: warned about once; the defaults stand in for the bad values. */
  reportProblems(resolved: readonly ResolvedConfig[], stderr: NodeJS.WritableStream): void {
    for (const r of resolved)
      for (const p of r.problems) {
        if (!p.file) continue; // flags were validated up front
        const line = `sendcheck: ${formatProblem(p, this.cwd)}\n`;
        if (this.reported.has(line)) continue;
        this.reported.add(line);
        stderr.write(line);
      }
  }
}

/**
 * The disk as the checks of one run saw it: each file's text is read once and kept until the run
 * writes that file, so fixes are applied to the very text their findings were computed from,
 * and the writer can tell when the file changed on disk in the meantime.
 */
class SnapshotHost extends DiskHost {
  private readonly seen = new Map<string, { text: string | undefined; version: string }>();

  override readFile(file: string): string | undefined {
    return this.snapshot(file).text;
  }

  override version(file: string): string {
    return this.snapshot(file).version;
  }

  override invalidate(file: string): void {
    this.seen.delete(file);
    this.listings.clear();
    this.entries.clear();
    super.invalidate(file);
  }

  /** Each folder's entries as read once this run (or why not): listings and symlink tests share them. */
  private readonly entries = new Map<string, { byName: Map<string, fs.Dirent> } | { code?: string }>();
  private entriesOf(dir: string): { byName: Map<string, fs.Dirent> } | { code?: string } {
    let e = this.entries.get(dir);
    if (!e) {
      const error: { code?: string } = {};
      const list = super.dirEntries(dir, error);
      e = list ? { byName: new Map(list.map((d) => [d.name, d])) } : error;
      this.entries.set(dir, e);
    }
    return e;
  }

  protected override dirEntries(dir: string, error?: { code?: string }): fs.Dirent[] | undefined {
    const e = this.entriesOf(dir);
    if ('byName' in e) return [...e.byName.values()];
    if (error) error.code = e.code;
    return undefined;
  }

  /**
   * From the folder's entries instead of an lstat of each file the checks ask about (every file
   * read and every module candidate that exists, and most that do not): a name the folder did not
   * hold is no link, and a folder that does not exist holds none. Only folders inside the roots.
   */
  protected override isSymlink(file: string): boolean {
    const dir = path.dirname(file);
    // A folder outside the roots (where a symlinked folder leads) is not listed: one lstat there, as before.
    if (this.roots && !this.roots.some((r) => isInside(dir, r))) return super.isSymlink(file);
    const e = this.entriesOf(dir);
    if ('byName' in e) return e.byName.get(path.basename(file))?.isSymbolicLink() === true;
    return e.code === 'ENOENT' || e.code === 'ENOTDIR' ? false : super.isSymlink(file);
  }

  /**
   * Module lookups probe many candidate files that do not exist (`pkg/name.py`,
   * `pkg/name/__init__.py` beside the importer and in its parents): a miss is answered from the
   * folder's listing, read once per run, instead of a stat each. A file the listing has is one
   * (listDirectory keeps files and the symlinks to files that may be read): asked only whether it
   * may be read, its stat is left to reading it.
   */
  private readonly listings = new Map<string, { files: Set<string>; directories: Set<string> } | null>();

  override fileExists(file: string): boolean {
    const listing = this.listing(path.dirname(file));
    return listing !== null && listing.files.has(path.basename(file)) && this.mayRead(file);
  }

  private listing(dir: string): { files: Set<string>; directories: Set<string> } | null {
    let l = this.listings.get(dir);
    if (l !== undefined) return l;
    const parent = path.dirname(dir);
    const above = parent !== dir && this.isAllowed(parent) ? this.listing(parent) : undefined;
    const exists = above ? above.directories.has(path.basename(dir)) : above === null ? false : this.directoryExists(dir);
    if (exists) {
      const { files, directories } = this.listDirectory(dir);
      l = { files: new Set(files), directories: new Set(directories) };
    } else l = null;
    this.listings.set(dir, l);
    return l;
  }

  private snapshot(file: string): { text: string | undefined; version: string } {
    let s = this.seen.get(file);
    if (!s) {
      // A file its folder's listing does not hold is missing, as for fileExists (configuration
      // files are looked for in every folder); a folder that could not be listed says nothing.
      const listing = this.listing(path.dirname(file));
      s = listing && !listing.files.has(path.basename(file)) ? { text: undefined, version: 'missing' } : this.read(file);
      this.seen.set(file, s);
    }
    return s;
  }
}

const maxFixRounds = 5;

/** Applies fixes (safe ones; with `unsafe`, the preferred unsafe ones too), re-checking after each round, until nothing changes. */
function fixAll(
  findings: Finding[],
  host: SnapshotHost,
  checker: Checker,
  checkAll: () => Finding[],
  unsafe: boolean,
  stderr: NodeJS.WritableStream,
): { findings: Finding[]; failed: boolean } {
  let changedFiles = 0;
  let failed = false;
  for (let round = 0; round < maxFixRounds; round++) {
    const created = new Set<string>();
    const changes = applyFixes(findings, host, { unsafe, created });
    // New files only inside what the command may read (the working folder and the paths given).
    for (const file of created)
      if (!host.isAllowed(file)) {
        stderr.write(`sendcheck: a fix would create ${file}, outside the checked folders; not applied\n`);
        changes.delete(file);
        created.delete(file);
      }
    if (changes.size === 0) break;
    const written = writeFilesAtomically(changes, created, (f) => host.readFile(f), stderr);
    for (const file of changes.keys()) host.invalidate(file);
    checker.forget([...changes.keys()]);
    changedFiles += written.length;
    if (written.length < changes.size) {
      failed = true;
      break;
    }
    findings = checkAll();
  }
  if (changedFiles) stderr.write(`sendcheck: fixed ${changedFiles} file${changedFiles === 1 ? '' : 's'}\n`);
  if (failed) findings = checkAll();
  return { findings, failed };
}

/** The file system calls the fix writer makes; tests put failures in between. */
export type FixFs = Pick<typeof fs, 'openSync' | 'writeSync' | 'fsyncSync' | 'closeSync' | 'renameSync' | 'linkSync' | 'unlinkSync' | 'statSync' | 'realpathSync' | 'readFileSync' | 'fchmodSync'>;

/**
 * Writes one round of fixed texts so that no file is ever left half written or lost: each text
 * goes to a temporary file in the same folder (so the rename cannot cross file systems), is
 * flushed, then renamed over the file (renames are atomic), with the file's mode kept and
 * through a symbolic link to its target. A new file is linked into place, which fails rather
 * than overwrite a file of that name that appeared meanwhile. A file whose text on disk is no
 * longer the text the fixes were computed from (someone saved it meanwhile) is not written. Any
 * failure leaves every file as it was: temporary files are removed, files already replaced in
 * this round are put back, new files removed. Returns the files written.
 */
export function writeFilesAtomically(
  changes: ReadonlyMap<string, string>,
  created: ReadonlySet<string>,
  baseText: (file: string) => string | undefined,
  stderr: NodeJS.WritableStream,
  fsi: FixFs = fs,
): string[] {
  const staged: { file: string; target: string; temp: string; original?: string; isNew: boolean }[] = [];
  const done: typeof staged = [];
  const cleanUp = () => {
    for (const s of staged) {
      try {
        fsi.unlinkSync(s.temp);
      } catch {}
    }
  };
  let current = '';
  try {
    for (const [file, text] of changes) {
      current = file;
      const isNew = created.has(file);
      const target = isNew ? file : fsi.realpathSync(file);
      const original = isNew ? undefined : fsi.readFileSync(target, 'utf8');
      if (!isNew && original !== baseText(file)) throw new Error('it changed on disk since it was checked');
      const mode = isNew ? 0o666 : fsi.statSync(target).mode & 0o7777;
      const temp = path.join(path.dirname(target), `.${path.basename(target)}.sendcheck-${process.pid}-${Math.random().toString(36).slice(2, 10)}.tmp`);
      const fd = fsi.openSync(temp, 'wx', 0o600);
      staged.push({ file, target, temp, original, isNew });
      try {
        fsi.fchmodSync(fd, mode);
        fsi.writeSync(fd, text);
        fsi.fsyncSync(fd);
      } finally {
        fsi.closeSync(fd);
      }
    }
    // New files first: if a name was taken meanwhile, nothing else has been touched yet.
    for (const s of [...staged.filter((x) => x.isNew), ...staged.filter((x) => !x.isNew)]) {
      current = s.file;
      if (s.isNew) {
        fsi.linkSync(s.temp, s.target);
        fsi.unlinkSync(s.temp);
      } else fsi.renameSync(s.temp, s.target);
      done.push(s);
    }
    return staged.map((s) => s.file);
  } catch (e) {
    const why = (e as NodeJS.ErrnoException).code === 'EEXIST' ? 'a file of that name exists now' : (e as Error).message;
    const undone: string[] = [];
    for (const s of done.reverse()) {
      try {
        if (s.isNew) fsi.unlinkSync(s.target);
        else {
          const fd = fsi.openSync(s.temp, 'wx', 0o600);
          try {
            fsi.fchmodSync(fd, fsi.statSync(s.target).mode & 0o7777);
            fsi.writeSync(fd, s.original!);
            fsi.fsyncSync(fd);
          } finally {
            fsi.closeSync(fd);
          }
          fsi.renameSync(s.temp, s.target);
        }
      } catch {
        undone.push(s.file);
      }
    }
    cleanUp();
    stderr.write(`sendcheck: could not write the fixes to ${current}: ${why}; no file was changed${undone.length ? ` except ${undone.join(', ')}, which could not be restored` : ''}\n`);
    return [];
  }
}

export async function main(argv = process.argv.slice(2)): Promise<void> {
  if (argv.includes('--lsp')) {
    // The language server module wires itself to stdio or IPC on import.
    require('./server');
    return;
  }
  try {
    process.exitCode = await runCli(argv);
  } catch (e) {
    process.stderr.write(`sendcheck: internal error: ${(e as Error).stack ?? e}\n`);
    process.exitCode = 2;
  }
}

if (require.main === module) void main();
